/*
 * test_core_analyze.c: the analyzer's terms, positions, byte ranges and
 * flags, case by case; its spec parsing and fold(); invalid UTF-8; and its
 * behaviour when allocation fails.  Every token any test sees is also
 * checked against the invariants of analyze.h (collect()).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "core/analyze.h"
#include "core/ns_xapian.h"
#include "tests/utf8_check.h"
#include "core/util.h"

#define N NS_TOKEN_NUMBER
#define J NS_TOKEN_JOINED
#define S NS_TOKEN_SENTENCE_START

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

#define MAXTOK 256

typedef struct got {
    char term[256];
    char word[256];
    size_t start, end;
    uint32_t pos;
    unsigned flags;
} got;

typedef struct collector {
    const char *text;
    size_t len;
    uint32_t next_pos;
    size_t last_end;
    size_t n;
    size_t stop_after; /* return non-zero after this many (0: never) */
    got t[MAXTOK];
} collector;

/* Store the token and check what analyze.h promises of every token. */
static int
collect(const ns_token *t, void *payload)
{
    collector *c = payload;
    assert_true(t->term_len > 0 && t->term_len < 256);
    assert_true(t->word_len > 0 && t->word_len <= NS_ANALYZER_MAX_WORD);
    assert_int_equal(t->term[t->term_len], '\0');
    assert_int_equal(t->word[t->word_len], '\0');
    assert_true(utf8_ok(t->term, t->term_len));
    assert_true(utf8_ok(t->word, t->word_len));
    assert_true(t->start < t->end);
    assert_true(t->end <= c->len);
    assert_true(t->start >= c->last_end); /* in order, not overlapping */
    assert_true(utf8_ok(c->text + t->start, t->end - t->start));
    assert_int_equal(t->pos, c->next_pos);
    c->next_pos++;
    c->last_end = t->end;
    if (c->n < MAXTOK) {
        got *g = &c->t[c->n];
        memcpy(g->term, t->term, t->term_len + 1);
        memcpy(g->word, t->word, t->word_len + 1);
        g->start = t->start;
        g->end = t->end;
        g->pos = t->pos;
        g->flags = t->flags;
    }
    c->n++;
    return c->stop_after && c->n >= c->stop_after;
}

static ns_status
run(ns_analyzer *a,
    const char *text,
    size_t len,
    uint32_t first_pos,
    unsigned mode,
    collector *c,
    ns_analyze_stats *stats)
{
    size_t stop = c->stop_after;
    memset(c, 0, sizeof *c);
    c->stop_after = stop;
    c->text = text;
    c->len = len;
    c->next_pos = first_pos;
    return ns__analyzer_run(a, text, len, first_pos, mode, collect, c, stats);
}

typedef struct want {
    const char *term;
    const char *word; /* NULL: the same as term */
    size_t start, end;
    unsigned flags;
} want;

static void
check_tokens(ns_analyzer *a,
             const char *text,
             uint32_t first_pos,
             unsigned mode,
             const want *w,
             size_t nw)
{
    static collector c; /* large: not on the stack */
    ns_analyze_stats st = { 0 };
    c.stop_after = 0;
    assert_int_equal(run(a, text, strlen(text), first_pos, mode, &c, &st),
                     NS_OK);
    int bad = c.n != nw;
    for (size_t i = 0; !bad && i < nw; i++) {
        const got *g = &c.t[i];
        bad = strcmp(g->term, w[i].term) != 0 ||
              strcmp(g->word, w[i].word ? w[i].word : w[i].term) != 0 ||
              g->start != w[i].start || g->end != w[i].end ||
              g->flags != w[i].flags || g->pos != first_pos + i;
    }
    if (bad) {
        print_error("text \"%s\"\n  got %zu tokens:\n", text, c.n);
        for (size_t i = 0; i < c.n && i < MAXTOK; i++)
            print_error("    { \"%s\", \"%s\", %zu, %zu, %u } pos %u\n",
                        c.t[i].term, c.t[i].word, c.t[i].start, c.t[i].end,
                        c.t[i].flags, c.t[i].pos);
        print_error("  want %zu tokens:\n", nw);
        for (size_t i = 0; i < nw; i++)
            print_error("    { \"%s\", \"%s\", %zu, %zu, %u }\n", w[i].term,
                        w[i].word ? w[i].word : w[i].term, w[i].start, w[i].end,
                        w[i].flags);
        fail();
    }
    assert_int_equal(st.tokens, nw);
}

#define CHECK_MODE(a, text, pos, mode, ...)                             \
    do {                                                                \
        const want w_[] = { __VA_ARGS__ };                              \
        check_tokens(a, text, pos, mode, w_, sizeof w_ / sizeof w_[0]); \
    } while (0)
#define CHECK(a, text, ...) \
    CHECK_MODE(a, text, 0, NS_ANALYZE_DOCUMENT, __VA_ARGS__)

/* Expect no token at all. */
static void
check_none(ns_analyzer *a, const char *text, size_t len)
{
    static collector c;
    c.stop_after = 0;
    assert_int_equal(run(a, text, len, 0, NS_ANALYZE_DOCUMENT, &c, NULL),
                     NS_OK);
    assert_int_equal(c.n, 0);
}

static ns_analyzer *
new_analyzer(const char *spec)
{
    ns_analyzer *a = NULL;
    char *err = NULL;
    ns_status st = ns__analyzer_new(spec, &a, &err);
    if (st != NS_OK)
        print_error("spec \"%s\": %s\n", spec ? spec : "(null)",
                    err ? err : "(no message)");
    assert_int_equal(st, NS_OK);
    assert_non_null(a);
    assert_null(err);
    return a;
}

static int
setup(void **state)
{
    *state = new_analyzer(NULL);
    return 0;
}

static int
teardown(void **state)
{
    ns__analyzer_free(*state);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Words                                                                     */

static void
test_plain_english(void **state)
{
    ns_analyzer *a = *state;
    CHECK(a, "The quick brown fox jumps over the lazy dogs.",
          { "the", NULL, 0, 3, S }, { "quick", NULL, 4, 9, 0 },
          { "brown", NULL, 10, 15, 0 }, { "fox", NULL, 16, 19, 0 },
          { "jump", "jumps", 20, 25, 0 }, { "over", NULL, 26, 30, 0 },
          { "the", NULL, 31, 34, 0 }, { "lazi", "lazy", 35, 39, 0 },
          { "dog", "dogs", 40, 44, 0 });
    /* Tabs, CR LF and punctuation separate. */
    CHECK(a, "\tVOTE,\r\n(counted)\t;x", { "vote", NULL, 1, 5, S },
          { "count", "counted", 9, 16, 0 }, { "x", NULL, 19, 20, 0 });
}

static void
test_stems(void **state)
{
    ns_analyzer *a = *state;
    CHECK(a, "airbase airbases Airbases", { "airbas", "airbase", 0, 7, S },
          { "airbas", "airbases", 8, 16, 0 },
          { "airbas", "airbases", 17, 25, 0 });
    CHECK(a, "running generalizations", { "run", "running", 0, 7, S },
          { "general", "generalizations", 8, 23, 0 });
    /* NOSTEM: term = word. */
    CHECK_MODE(a, "airbases running", 0, NS_ANALYZE_NOSTEM,
               { "airbases", NULL, 0, 8, S }, { "running", NULL, 9, 16, 0 });
    CHECK_MODE(a, "airbases", 0, NS_ANALYZE_QUERY | NS_ANALYZE_NOSTEM,
               { "airbases", NULL, 0, 8, S });
    /* The cache answers a word seen before with the same stem. */
    for (int i = 0; i < 3; i++)
        CHECK(a, "generalizations", { "general", "generalizations", 0, 15, S });
}

/* Every term of a run, NUL after each. */
static int
append_term(const ns_token *t, void *payload)
{
    ns_buf *b = payload;
    ns__buf_append(b, t->term, t->term_len + 1);
    return 0;
}

/* ns__analyzer_run_some: a word whose stem is in the set gets that stem,
 * including Porter2's whole-word exceptions (dying -> die); a word that
 * cannot give one of them keeps its folded word. */
static void
test_run_some_stems_what_can_match(void **state)
{
    ns_analyzer *a = *state;
    static const char *const words[] = {
        "dying", "lying", "tying", "skies", "airbases", "running", "news",
        "generalizations", "cries", "a", "Éclairs", "ugly", "early", "only",
        "administration", "possibly", "feebly", "hoping", "relational",
        "happily", "nobility", "conditional", "sensibly", "agreed",
    };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        ns_buf full = { 0 }, some = { 0 };
        const char *w = words[i];
        assert_int_equal(ns__analyzer_run(a, w, strlen(w), 0,
                                          NS_ANALYZE_DOCUMENT, append_term,
                                          &full, NULL),
                         NS_OK);
        ns__stem_only set;
        memset(&set, 0, sizeof set);
        ns__stem_only_add(&set, full.data);
        assert_int_equal(ns__analyzer_run_some(a, w, strlen(w), 0,
                                               NS_ANALYZE_DOCUMENT, &set,
                                               append_term, &some, NULL),
                         NS_OK);
        assert_string_equal(some.data, full.data);
        /* A set for other words: this one is not stemmed. */
        /* A set for other words (one with the same first letters but
         * another start): this one is not stemmed. */
        ns__stem_only other;
        memset(&other, 0, sizeof other);
        ns__stem_only_add(&other, "zz");
        char near[8] = { full.data[0], full.data[1] ? full.data[1] : 'q',
                         'q', 'q', 'q', 'q', 'q', '\0' };
        if (near[1] != 'i') /* else its "y" bucket would keep "dying" */
            ns__stem_only_add(&other, near);
        ns__buf_reset(&some);
        assert_int_equal(ns__analyzer_run_some(a, w, strlen(w), 0,
                                               NS_ANALYZE_DOCUMENT, &other,
                                               append_term, &some, NULL),
                         NS_OK);
        ns_buf folded = { 0 };
        assert_int_equal(ns__analyzer_run(a, w, strlen(w), 0,
                                          NS_ANALYZE_NOSTEM, append_term,
                                          &folded, NULL),
                         NS_OK);
        assert_string_equal(some.data, folded.data);
        ns__buf_free(&full);
        ns__buf_free(&some);
        ns__buf_free(&folded);
    }
}

/* The stem cache starts small and grows after as many misses as it holds
 * (analyze.c): words stemmed before, across and after the growth get the
 * stems a fresh analyzer gives, whether the cache missed or hit. */
static void
test_stem_cache_grows(void **state)
{
    ns_analyzer *a = *state;
    ns_buf text = { 0 }, first = { 0 }, again = { 0 };
    /* 5,000 distinct words (more than the big cache holds too), each with
     * a suffix to strip, and common words among them. */
    for (unsigned i = 0; i < 5000; i++) {
        char w[16];
        unsigned k = i, n = 0;
        do {
            w[n++] = (char)('a' + k % 26);
            k /= 26;
        } while (k);
        w[n] = '\0';
        ns__buf_printf(&text, "%sizations running %s ", w, w);
    }
    assert_false(text.oom);
    assert_int_equal(ns__analyzer_run(a, text.data, text.len, 0,
                                      NS_ANALYZE_DOCUMENT, append_term, &first,
                                      NULL),
                     NS_OK);
    assert_int_equal(ns__analyzer_run(a, text.data, text.len, 0,
                                      NS_ANALYZE_DOCUMENT, append_term, &again,
                                      NULL),
                     NS_OK);
    assert_false(first.oom || again.oom);
    assert_int_equal(first.len, again.len);
    assert_memory_equal(first.data, again.data, first.len);
    /* A fresh analyzer (one word: a miss) gives the stem without any cache
     * history. */
    const char *t = first.data;
    for (unsigned i = 0; i < 5000; i++) {
        char w[16];
        unsigned k = i, n = 0;
        do {
            w[n++] = (char)('a' + k % 26);
            k /= 26;
        } while (k);
        w[n] = '\0';
        char word[32];
        snprintf(word, sizeof word, "%sizations", w);
        if (i % 10 != 0) { /* every tenth word against a fresh analyzer */
            t += strlen(t) + 1;
            assert_string_equal(t, "run");
            t += strlen(t) + 1;
            t += strlen(t) + 1;
            continue;
        }
        ns_analyzer *fresh;
        assert_int_equal(ns__analyzer_new(NULL, &fresh, NULL), NS_OK);
        ns_buf one = { 0 };
        assert_int_equal(ns__analyzer_run(fresh, word, strlen(word), 0,
                                          NS_ANALYZE_DOCUMENT, append_term,
                                          &one, NULL),
                         NS_OK);
        ns__analyzer_free(fresh);
        assert_string_equal(t, one.data);
        ns__buf_free(&one);
        t += strlen(t) + 1;
        assert_string_equal(t, "run");
        t += strlen(t) + 1;
        t += strlen(t) + 1;
    }
    assert_ptr_equal(t, first.data + first.len);
    ns__buf_free(&text);
    ns__buf_free(&first);
    ns__buf_free(&again);
}

/* QUERY mode gives the same tokens as DOCUMENT. */
static void
test_query_mode_same(void **state)
{
    ns_analyzer *a = *state;
    static collector d, q;
    const char *text =
        "Vice President Harris’s call with WHO Director-General Dr. Tedros: "
        "U.S.-led talks on COVID-19, 1,000 doses, 3.5% more; Pérez said "
        "it's the ﬁrst time. 東京 2015-09-18.";
    d.stop_after = q.stop_after = 0;
    assert_int_equal(
        run(a, text, strlen(text), 7, NS_ANALYZE_DOCUMENT, &d, NULL), NS_OK);
    assert_int_equal(run(a, text, strlen(text), 7, NS_ANALYZE_QUERY, &q, NULL),
                     NS_OK);
    assert_int_equal(d.n, q.n);
    assert_true(d.n > 20);
    for (size_t i = 0; i < d.n; i++) {
        assert_string_equal(d.t[i].term, q.t[i].term);
        assert_string_equal(d.t[i].word, q.t[i].word);
        assert_int_equal(d.t[i].start, q.t[i].start);
        assert_int_equal(d.t[i].end, q.t[i].end);
        assert_int_equal(d.t[i].pos, q.t[i].pos);
        assert_int_equal(d.t[i].flags, q.t[i].flags);
    }
}

static void
test_unicode_accents(void **state)
{
    ns_analyzer *a = *state;
    /* Precomposed é (2 bytes), plain, and e + U+0301 (3 bytes). */
    CHECK(a, "Pérez Perez Pe\xCC\x81rez PÉREZ", { "perez", NULL, 0, 6, S },
          { "perez", NULL, 7, 12, 0 }, { "perez", NULL, 13, 20, 0 },
          { "perez", NULL, 21, 27, 0 });
    /* Vietnamese stacks two marks; Greek tonos; Cyrillic is folded too. */
    CHECK(a, "Việt Ἀθῆναι Ёлка", { "viet", NULL, 0, 6, S },
          { "αθηναι", NULL, 7, 21, 0 }, { "елка", NULL, 22, 30, 0 });
    /* Letters without a decomposition keep their shape. */
    CHECK(a, "Łódź Øresund", { "łodz", NULL, 0, 7, S },
          { "øresund", NULL, 8, 16, 0 });
    /* Marks that are not diacritics stay: Devanagari vowel signs. */
    CHECK(a, "हिन्दी", { "हिन्दी", NULL, 0, 18, S });
    /* Arabic harakat and Hebrew points are dropped. */
    CHECK(a, "كَتَبَ שָׁלוֹם", { "كتب", NULL, 0, 12, S },
          { "שלום", NULL, 13, 27, 0 });
}

static void
test_norm_keeps_marks(void **state)
{
    (void)state;
    ns_analyzer *a = new_analyzer("lang=en;stem=none;norm=nfkc_cf;v=1");
    /* Composed either way, and still NFKC + case folded. */
    CHECK(a, "Pérez Pe\xCC\x81rez ﬁ Ｌａ", { "pérez", NULL, 0, 6, S },
          { "pérez", NULL, 7, 14, 0 }, { "fi", NULL, 15, 18, 0 },
          { "la", NULL, 19, 25, 0 });
    ns__analyzer_free(a);
}

static void
test_ligatures_fullwidth_sharp_s(void **state)
{
    ns_analyzer *a = *state;
    /* ﬁ (3 bytes) becomes two letters: the range stays on the original. */
    CHECK(a, "ﬁnance ﬂow", { "financ", "finance", 0, 8, S },
          { "flow", NULL, 9, 14, 0 });
    CHECK(a, "Ｌａｔａｋｉａ", { "latakia", NULL, 0, 21, S });
    /* Fullwidth digits fold to ASCII and stay a number. */
    CHECK(a, "２０１５", { "2015", NULL, 0, 12, S | N });
    CHECK(a, "Straße STRASSE", { "strass", "strasse", 0, 7, S },
          { "strass", "strasse", 8, 15, 0 });
    /* Superscripts and Roman numerals are word characters, not numbers. */
    CHECK_MODE(a, "m² Ⅻ", 0, NS_ANALYZE_NOSTEM, { "m2", NULL, 0, 3, S },
               { "xii", NULL, 4, 7, 0 });
}

static void
test_turkish_dotted_i(void **state)
{
    ns_analyzer *a = *state;
    static collector c1, c2;
    const char *text = "İstanbul ISTANBUL ıstanbul DİYARBAKIR";
    c1.stop_after = c2.stop_after = 0;
    assert_int_equal(run(a, text, strlen(text), 0, 0, &c1, NULL), NS_OK);
    assert_int_equal(run(a, text, strlen(text), 0, 0, &c2, NULL), NS_OK);
    assert_int_equal(c1.n, 4);
    assert_int_equal(c2.n, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(c1.t[i].term, c2.t[i].term);
        assert_int_equal(c1.t[i].start, c2.t[i].start);
    }
    /* Full case folding gives i + U+0307, whose mark is then dropped; the
     * dotless ı has no case folding and stays. */
    assert_string_equal(c1.t[0].word, "istanbul");
    assert_string_equal(c1.t[1].word, "istanbul");
    assert_string_equal(c1.t[2].word, "ıstanbul");
    assert_int_equal(c1.t[0].end, 9);
}

static void
test_cjk(void **state)
{
    ns_analyzer *a = *state;
    /* One token per character, JOINED inside a run. */
    CHECK(a, "中国人 民", { "中", NULL, 0, 3, S }, { "国", NULL, 3, 6, J },
          { "人", NULL, 6, 9, J }, { "民", NULL, 10, 13, 0 });
    /* Numbers and Latin words join a CJK run. */
    CHECK(a, "2015年に iPhone版", { "2015", NULL, 0, 4, S | N },
          { "年", NULL, 4, 7, J }, { "に", NULL, 7, 10, J },
          { "iphon", "iphone", 11, 17, 0 }, { "版", NULL, 17, 20, J });
    /* Halfwidth katakana fold to fullwidth; the voiced mark composes. */
    CHECK(a, "ﾊﾞｶ", { "バ", NULL, 0, 6, S }, { "カ", NULL, 6, 9, J });
    /* The ideographic full stop ends a sentence without a space. */
    CHECK(a, "東。京", { "東", NULL, 0, 3, S }, { "京", NULL, 6, 9, S });
    /* Hangul is written with spaces: ordinary words. */
    CHECK(a, "한국어 뉴스", { "한국어", NULL, 0, 9, S },
          { "뉴스", NULL, 10, 16, 0 });
}

/* The analyzer skips utf8proc for a lone unified Han ideograph or plain
 * kana, assuming folding leaves it as it is: check every one of them, and
 * that the ranges' neighbours that do change are not taken for stable. */
static void
test_cjk_fast_path_is_exact(void **state)
{
    ns_analyzer *a = *state;
    static const struct {
        int32_t lo, hi;
    } ranges[] = {
        { 0x3041, 0x3096 }, { 0x30A1, 0x30FA }, { 0x30FC, 0x30FC },
        { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF }, { 0x20000, 0x2A6DF }
    };
    size_t checked = 0;
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        for (int32_t cp = ranges[r].lo; cp <= ranges[r].hi; cp++) {
            utf8proc_uint8_t u[8];
            utf8proc_ssize_t n = utf8proc_encode_char(cp, u);
            const char *out = NULL;
            size_t k = ns__analyzer_fold(a, (const char *)u, (size_t)n, &out);
            if (k != (size_t)n || memcmp(out, u, k) != 0) {
                print_error("U+%04X folds to something else\n", (unsigned)cp);
                fail();
            }
            checked++;
        }
    }
    assert_true(checked > 70000);
    /* Neighbours that fold: ヿ (U+30FF) -> コト, ゟ (U+309F) -> より, a
     * compatibility ideograph (U+F900) -> U+8C48. */
    CHECK(a, "\xE3\x83\xBF \xE3\x82\x9F \xEF\xA4\x80",
          { "\xE3\x82\xB3\xE3\x83\x88", NULL, 0, 3, S },
          { "\xE3\x82\x88\xE3\x82\x8A", NULL, 4, 7, 0 },
          { "\xE8\xB1\x88", NULL, 8, 11, 0 });
}

static void
test_invalid_utf8(void **state)
{
    ns_analyzer *a = *state;
    static const struct {
        const char *text;
        size_t len;
        uint64_t invalid;
        size_t ntok;
        size_t s0, e0, s1, e1; /* ranges of up to two tokens */
    } cases[] = {
        /* A lone continuation byte; 0xFF; 0xC0 0xAF (overlong /). */
        { "\x80"
          "abc",
          4, 1, 1, 1, 4, 0, 0 },
        { "ab\xFF"
          "cd",
          5, 1, 2, 0, 2, 3, 5 },
        { "x\xC0\xAFy", 4, 2, 2, 0, 1, 3, 4 },
        /* An overlong three-byte form of U+0041 and of U+20AC. */
        { "a\xE0\x81\x81z", 5, 3, 2, 0, 1, 4, 5 },
        { "a\xE0\x82\xAC"
          "z",
          5, 3, 2, 0, 1, 4, 5 },
        /* A surrogate (U+D800) encoded in UTF-8. */
        { "a\xED\xA0\x80"
          "b",
          5, 3, 2, 0, 1, 4, 5 },
        /* Above U+10FFFF; F5..FF never start a sequence. */
        { "a\xF4\x90\x80\x80"
          "b",
          6, 4, 2, 0, 1, 5, 6 },
        { "a\xF5\x80\x80\x80"
          "b",
          6, 4, 2, 0, 1, 5, 6 },
        /* Truncated sequences: mid-text and at the very end. */
        { "caf\xC3 bar", 8, 1, 2, 0, 3, 5, 8 },
        { "caf\xE2\x82", 5, 2, 1, 0, 3, 0, 0 },
        { "caf\xF0\x9F\x98", 6, 3, 1, 0, 3, 0, 0 },
        /* Invalid bytes inside a word split it (no JOINED). */
        { "caf\xC3"
          "e",
          5, 1, 2, 0, 3, 4, 5 },
        /* A valid é next to garbage keeps its whole sequence. */
        { "\xC3\xA9\xA9x", 4, 1, 2, 0, 2, 3, 4 },
        /* Only garbage. */
        { "\xFF\xFE\xFD\x80\xBF", 5, 5, 0, 0, 0, 0, 0 },
    };
    static collector c;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ns_analyze_stats st = { 0 };
        c.stop_after = 0;
        assert_int_equal(run(a, cases[i].text, cases[i].len, 0, 0, &c, &st),
                         NS_OK);
        if (st.invalid_bytes != cases[i].invalid || c.n != cases[i].ntok)
            print_error("case %zu: %llu invalid bytes, %zu tokens\n", i,
                        (unsigned long long)st.invalid_bytes, c.n);
        assert_int_equal(st.invalid_bytes, cases[i].invalid);
        assert_int_equal(c.n, cases[i].ntok);
        if (c.n > 0) {
            assert_int_equal(c.t[0].start, cases[i].s0);
            assert_int_equal(c.t[0].end, cases[i].e0);
            assert_int_equal(c.t[0].flags & J, 0);
        }
        if (c.n > 1) {
            assert_int_equal(c.t[1].start, cases[i].s1);
            assert_int_equal(c.t[1].end, cases[i].e1);
            assert_int_equal(c.t[1].flags & J, 0);
        }
    }
    /* Stats add up over calls. */
    ns_analyze_stats st = { 0 };
    c.stop_after = 0;
    assert_int_equal(run(a, "\xFF", 1, 0, 0, &c, &st), NS_OK);
    assert_int_equal(run(a,
                         "\xFF"
                         "a\xFF",
                         3, 0, 0, &c, &st),
                     NS_OK);
    assert_int_equal(st.invalid_bytes, 3);
    assert_int_equal(st.tokens, 1);
}

static void
test_apostrophes(void **state)
{
    ns_analyzer *a = *state;
    /* A possessive 's is dropped from the word; the range keeps it. */
    CHECK(a, "Assad's Assad’s ASSAD'S", { "assad", NULL, 0, 7, S },
          { "assad", NULL, 8, 17, 0 }, { "assad", NULL, 18, 25, 0 });
    CHECK_MODE(a, "Assad's", 0, NS_ANALYZE_NOSTEM, { "assad", NULL, 0, 7, S });
    /* Contractions stay one word with an ASCII apostrophe. */
    CHECK(a, "don't don’t O’Brien rock'n'roll", { "don't", NULL, 0, 5, S },
          { "don't", NULL, 6, 13, 0 }, { "o'brien", NULL, 14, 23, 0 },
          { "rock'n'rol", "rock'n'roll", 24, 35, 0 });
    /* Plural possessive, quotes, and `it's` (Porter2 would drop 's too). */
    CHECK(a, "leaders' 'quoted' it's 1980's", { "leader", "leaders", 0, 7, S },
          { "quot", "quoted", 10, 16, 0 }, { "it", NULL, 18, 22, 0 },
          { "1980", NULL, 23, 29, N });
    /* `'s` followed by letters is not a possessive. */
    CHECK_MODE(a, "Assad'sx", 0, NS_ANALYZE_NOSTEM,
               { "assad'sx", NULL, 0, 8, S });
    /* A CJK character after 's ends the part, so 's is a possessive
     * (found by the fuzzer: the bytes alone must give the same term). */
    CHECK_MODE(a, "d'S\xEF\xBE\x8A", 0, NS_ANALYZE_NOSTEM,
               { "d", NULL, 0, 3, S }, { "ハ", NULL, 3, 6, J });
    /* A hyphenated word with a possessive. */
    CHECK(a, "al-Assad's", { "al", NULL, 0, 2, S },
          { "assad", NULL, 3, 10, J });
}

static void
test_acronyms(void **state)
{
    ns_analyzer *a = *state;
    /* The final period is part of the acronym when no word follows it. */
    CHECK(a, "U.S. U.S U.N.", { "us", NULL, 0, 4, S }, { "us", NULL, 5, 8, 0 },
          { "un", NULL, 9, 13, 0 });
    CHECK(a, "U.S.-led U.S-led", { "us", NULL, 0, 4, S },
          { "led", NULL, 5, 8, J }, { "us", NULL, 9, 12, 0 },
          { "led", NULL, 13, 16, J });
    /* An acronym is stemmed like the same letters typed without periods,
     * so a query for either finds both. */
    CHECK(a, "e.g. U.N.S. uns", { "eg", NULL, 0, 4, S },
          { "un", "uns", 5, 11, 0 }, { "un", "uns", 12, 15, 0 });
    /* A word after the period: the period is not taken. */
    CHECK(a, "U.S.Army", { "us", NULL, 0, 3, S }, { "armi", "army", 4, 8, 0 });
    /* One letter is not an acronym; neither are longer parts. */
    CHECK(a, "A. Smith, www.example.com", { "a", NULL, 0, 1, S },
          { "smith", NULL, 3, 8, 0 }, { "www", NULL, 10, 13, 0 },
          { "exampl", "example", 14, 21, 0 }, { "com", NULL, 22, 25, 0 });
    /* Non-ASCII letters, with a mark. */
    CHECK_MODE(a, "É.U. E\xCC\x81.U.", 0, NS_ANALYZE_NOSTEM,
               { "eu", NULL, 0, 5, S }, { "eu", NULL, 6, 12, 0 });
}

static void
test_hyphens(void **state)
{
    ns_analyzer *a = *state;
    CHECK(a, "al-Assad al Assad", { "al", NULL, 0, 2, S },
          { "assad", NULL, 3, 8, J }, { "al", NULL, 9, 11, 0 },
          { "assad", NULL, 12, 17, 0 });
    /* U+2010 and U+2011 join like '-'. */
    CHECK(a, "al‐Assad al‑Assad", { "al", NULL, 0, 2, S },
          { "assad", NULL, 5, 10, J }, { "al", NULL, 11, 13, 0 },
          { "assad", NULL, 16, 21, J });
    /* Slash, en dash, underscore and a loose hyphen split without JOINED. */
    CHECK(a, "and/or 2015–2016 a_b pre- and -post", { "and", NULL, 0, 3, S },
          { "or", NULL, 4, 6, 0 }, { "2015", NULL, 7, 11, N },
          { "2016", NULL, 14, 18, N }, { "a", NULL, 19, 20, 0 },
          { "b", NULL, 21, 22, 0 }, { "pre", NULL, 23, 26, 0 },
          { "and", NULL, 28, 31, 0 }, { "post", NULL, 33, 37, 0 });
    /* A long chain. */
    CHECK(a, "state-of-the-art", { "state", NULL, 0, 5, S },
          { "of", NULL, 6, 8, J }, { "the", NULL, 9, 12, J },
          { "art", NULL, 13, 16, J });
}

static void
test_numbers(void **state)
{
    ns_analyzer *a = *state;
    CHECK(a, "1,000 3.5 12,345,678.90 192.168.0.1",
          { "1000", NULL, 0, 5, S | N }, { "3.5", NULL, 6, 9, N },
          { "12345678.90", NULL, 10, 23, N },
          { "192.168.0.1", NULL, 24, 35, N });
    CHECK(a, "2015-09-18", { "2015", NULL, 0, 4, S | N },
          { "09", NULL, 5, 7, N | J }, { "18", NULL, 8, 10, N | J });
    CHECK(a, "F-16 COVID-19 mp3 90s", { "f", NULL, 0, 1, S },
          { "16", NULL, 2, 4, N | J }, { "covid", NULL, 5, 10, 0 },
          { "19", NULL, 11, 13, N | J }, { "mp3", NULL, 14, 17, 0 },
          { "90s", NULL, 18, 21, 0 });
    /* Not thousands groups: 4 digits after the comma, 4 before it, a list. */
    CHECK(a, "1,0000 1234,567 1,2,3", { "1", NULL, 0, 1, S | N },
          { "0000", NULL, 2, 6, N }, { "1234", NULL, 7, 11, N },
          { "567", NULL, 12, 15, N }, { "1", NULL, 16, 17, N },
          { "2", NULL, 18, 19, N }, { "3", NULL, 20, 21, N });
    /* No point after a comma group once a point was seen; a trailing
     * period is punctuation. */
    CHECK(a, "1.5,000 in 2015.", { "1.5", NULL, 0, 3, S | N },
          { "000", NULL, 4, 7, N }, { "in", NULL, 8, 10, 0 },
          { "2015", NULL, 11, 15, N });
    /* Letters after a number make a word; a version keeps its prefix. */
    CHECK_MODE(a, "3.5mm v2.0", 0, NS_ANALYZE_NOSTEM,
               { "3.5mm", NULL, 0, 5, S }, { "v2", NULL, 6, 8, 0 },
               { "0", NULL, 9, 10, N });
    /* With a letter it is a word, and goes through Snowball (which keeps
     * the s: no vowel before it). */
    CHECK(a, "1960s", { "1960s", NULL, 0, 5, S });
}

static void
test_sentence_starts(void **state)
{
    ns_analyzer *a = *state;
    CHECK(a, "One. Two! Three? Four.Five", { "one", NULL, 0, 3, S },
          { "two", NULL, 5, 8, S }, { "three", NULL, 10, 15, S },
          { "four", NULL, 17, 21, S }, { "five", NULL, 22, 26, 0 });
    /* Closing quotes and brackets between the period and the space. */
    CHECK(a, "\"Yes.\" Then (no.) Now ’Ok.’ Go", { "yes", NULL, 1, 4, S },
          { "then", NULL, 7, 11, S }, { "no", NULL, 13, 15, 0 },
          { "now", NULL, 18, 21, S }, { "ok", NULL, 25, 27, 0 },
          { "go", NULL, 32, 34, S });
    /* A blank line (spaces allowed on it) without any period. */
    CHECK(a, "Title\n \r\nBody line\nnext", { "titl", "title", 0, 5, S },
          { "bodi", "body", 9, 13, S }, { "line", NULL, 14, 18, 0 },
          { "next", NULL, 19, 23, 0 });
    /* Not after acronyms, initials, titles, months or decimal points. */
    CHECK(a,
          "U.S. officials met Dr. Tedros and John F. Kennedy on Jan. 5 "
          "at 3.5 p.m. today",
          { "us", NULL, 0, 4, S }, { "offici", "officials", 5, 14, 0 },
          { "met", NULL, 15, 18, 0 }, { "dr", NULL, 19, 21, 0 },
          { "tedro", "tedros", 23, 29, 0 }, { "and", NULL, 30, 33, 0 },
          { "john", NULL, 34, 38, 0 }, { "f", NULL, 39, 40, 0 },
          { "kennedi", "kennedy", 42, 49, 0 }, { "on", NULL, 50, 52, 0 },
          { "jan", NULL, 53, 56, 0 }, { "5", NULL, 58, 59, N },
          { "at", NULL, 60, 62, 0 }, { "3.5", NULL, 63, 66, N },
          { "pm", NULL, 67, 71, 0 }, { "today", NULL, 72, 77, 0 });
    /* A paragraph separator; an ellipsis. */
    CHECK(a,
          "a\xE2\x80\xA9"
          "b… c",
          { "a", NULL, 0, 1, S }, { "b", NULL, 4, 5, S },
          { "c", NULL, 9, 10, S });
    /* The first token of every call, even from a later position. */
    CHECK_MODE(a, "  and more", 40, NS_ANALYZE_DOCUMENT,
               { "and", NULL, 2, 5, S }, { "more", NULL, 6, 10, 0 });
}

static void
test_sentence_abbrevs_english_only(void **state)
{
    (void)state;
    ns_analyzer *a = new_analyzer("lang=fr;stem=none");
    /* Only an initial keeps its period; `Dr.` is English. */
    CHECK(a, "Dr. Martin et J. Dupont", { "dr", NULL, 0, 2, S },
          { "martin", NULL, 4, 10, S }, { "et", NULL, 11, 13, 0 },
          { "j", NULL, 14, 15, 0 }, { "dupont", NULL, 17, 23, 0 });
    ns__analyzer_free(a);
}

static void
test_empty_and_whitespace(void **state)
{
    ns_analyzer *a = *state;
    check_none(a, "", 0);
    check_none(a, NULL, 0);
    check_none(a, " \t\r\n\n  \xE2\x80\x83\xC2\xA0", 12);
    check_none(a, "... -- !? \"' /", 14);
    /* Only format characters and marks that start no word. */
    check_none(a, "\xC2\xAD\xE2\x80\x8D\xCC\x81", 7);
}

static void
test_format_characters(void **state)
{
    ns_analyzer *a = *state;
    /* A soft hyphen and a ZWJ inside a word are invisible; ZWSP splits.
     * The range ends at the last letter, not at a trailing soft hyphen. */
    CHECK_MODE(a,
               "inter\xC2\xAD"
               "national wo\xE2\x80\x8Drd a\xE2\x80\x8B"
               "b c\xC2\xAD",
               0, NS_ANALYZE_NOSTEM, { "international", NULL, 0, 15, S },
               { "word", NULL, 16, 23, 0 }, { "a", NULL, 24, 25, 0 },
               { "b", NULL, 28, 29, 0 }, { "c", NULL, 30, 31, 0 });
    /* A word of nothing but an ignorable letter (Hangul filler) is no
     * token and takes no position. */
    CHECK(a, "x \xE3\x85\xA4 y", { "x", NULL, 0, 1, S },
          { "y", NULL, 6, 7, 0 });
}

static void
test_long_tokens(void **state)
{
    ns_analyzer *a = *state;
    static char text[2 * 1024 * 1024];
    static collector c;
    ns_analyze_stats st = { 0 };

    /* 64 bytes is kept, 65 is skipped and uses no position. */
    memset(text, 'x', 64);
    memcpy(text + 64, " a ", 3);
    memset(text + 67, 'y', 65);
    memcpy(text + 132, " b", 3);
    c.stop_after = 0;
    assert_int_equal(run(a, text, strlen(text), 10, 0, &c, &st), NS_OK);
    assert_int_equal(c.n, 3);
    assert_int_equal(strlen(c.t[0].word), 64);
    assert_int_equal(c.t[1].pos, 11);
    assert_string_equal(c.t[2].term, "b");
    assert_int_equal(c.t[2].pos, 12);
    assert_int_equal(c.t[2].start, 133);
    assert_int_equal(st.skipped_long, 1);

    /* The limit is on the folded word: 30 fullwidth letters (90 bytes)
     * fold to 30. */
    size_t n = 0;
    for (int i = 0; i < 30; i++) {
        memcpy(text + n, "\xEF\xBC\xA1", 3); /* Ａ */
        n += 3;
    }
    text[n] = '\0';
    c.stop_after = 0;
    assert_int_equal(run(a, text, n, 0, NS_ANALYZE_NOSTEM, &c, NULL), NS_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(strlen(c.t[0].word), 30);

    /* A 2 MB word, of ASCII and of é, then a hyphenated short word: one
     * token, JOINED to nothing emitted. */
    memset(text, 'a', sizeof text);
    memcpy(text + sizeof text - 5, "-end", 5);
    st.skipped_long = 0;
    c.stop_after = 0;
    assert_int_equal(run(a, text, strlen(text), 0, 0, &c, &st), NS_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.t[0].term, "end");
    assert_int_equal(c.t[0].flags, S);
    assert_int_equal(st.skipped_long, 1);
    for (size_t i = 0; i + 2 <= sizeof text - 1; i += 2)
        memcpy(text + i, "\xC3\xA9", 2);
    text[sizeof text - 1] = '\0';
    c.stop_after = 0;
    assert_int_equal(run(a, text, strlen(text), 0, 0, &c, &st), NS_OK);
    assert_int_equal(c.n, 0);
    assert_int_equal(st.skipped_long, 2);
    /* Zalgo: one letter and 100 stacked marks folds to the letter. */
    n = 0;
    text[n++] = 'z';
    for (int i = 0; i < 100; i++) {
        memcpy(text + n, "\xCC\x81", 2);
        n += 2;
    }
    c.stop_after = 0;
    assert_int_equal(run(a, text, n, 0, 0, &c, &st), NS_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.t[0].word, "z");
    assert_int_equal(c.t[0].end, n);
}

/* A word whose decomposition outgrows the code point buffer: ﷺ (U+FDFA)
 * decomposes to 18 code points, among them spaces. */
static void
test_buffer_growth(void **state)
{
    ns_analyzer *a = *state;
    static char text[512];
    static collector c;
    size_t n = 0;
    for (int i = 0; i < 80; i++) {
        memcpy(text + n, "\xEF\xB7\xBA", 3);
        n += 3;
    }
    memcpy(text + n, " ok", 3);
    n += 3;
    ns_analyze_stats st = { 0 };
    c.stop_after = 0;
    assert_int_equal(run(a, text, n, 0, 0, &c, &st), NS_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.t[0].term, "ok");
    assert_int_equal(st.skipped_long, 1);
}

static int
abort_cb(const ns_token *t, void *payload)
{
    (void)t;
    return ++*(int *)payload == 2;
}

static void
test_callback_abort(void **state)
{
    ns_analyzer *a = *state;
    int calls = 0;
    ns_analyze_stats st = { 0 };
    assert_int_equal(ns__analyzer_run(a, "one two three four", 18, 0, 0,
                                      abort_cb, &calls, &st),
                     NS_ERR_ABORTED);
    assert_int_equal(calls, 2);
    assert_int_equal(st.tokens, 2);
    /* Aborting inside a hyphenated word stops there too. */
    calls = 0;
    assert_int_equal(
        ns__analyzer_run(a, "a-b-c-d", 7, 0, 0, abort_cb, &calls, NULL),
        NS_ERR_ABORTED);
    assert_int_equal(calls, 2);
    /* The analyzer is usable afterwards. */
    CHECK(a, "again", { "again", NULL, 0, 5, S });
}

static void
test_bad_arguments(void **state)
{
    ns_analyzer *a = *state;
    int calls = 0;
    assert_int_equal(
        ns__analyzer_run(NULL, "x", 1, 0, 0, abort_cb, &calls, NULL),
        NS_ERR_INVALID_ARG);
    assert_int_equal(ns__analyzer_run(a, "x", 1, 0, 0, NULL, NULL, NULL),
                     NS_ERR_INVALID_ARG);
    assert_int_equal(ns__analyzer_run(a, NULL, 1, 0, 0, abort_cb, &calls, NULL),
                     NS_ERR_INVALID_ARG);
    assert_int_equal(ns__analyzer_run(a, "x", 1, 0, 8, abort_cb, &calls, NULL),
                     NS_ERR_INVALID_ARG);
    assert_int_equal(calls, 0);
    assert_int_equal(ns__analyzer_new(NULL, NULL, NULL), NS_ERR_INVALID_ARG);
    assert_null(ns__analyzer_spec(NULL));
    ns__analyzer_free(NULL);
}

static void
test_first_pos(void **state)
{
    ns_analyzer *a = *state;
    CHECK_MODE(a, "body text-here", 1000, NS_ANALYZE_DOCUMENT,
               { "bodi", "body", 0, 4, S }, { "text", NULL, 5, 9, 0 },
               { "here", NULL, 10, 14, J });
}

/* Every token, analyzed again on its own bytes, gives itself: the
 * highlighter's ranges and the query side agree with the index.  Run over
 * a real news file too when NS_SHARED points at the shared material. */
typedef struct reanalyze {
    ns_analyzer *a;
    const char *text;
    size_t checked;
} reanalyze;

static int
reanalyze_token(const ns_token *t, void *payload)
{
    reanalyze *r = payload;
    static collector c;
    char term[256];
    memcpy(term, t->term, t->term_len + 1);
    c.stop_after = 0;
    assert_int_equal(run(r->a, r->text + t->start, t->end - t->start, 0,
                         NS_ANALYZE_QUERY, &c, NULL),
                     NS_OK);
    if (c.n != 1 || strcmp(c.t[0].term, term) != 0) {
        print_error("\"%.*s\" at %zu: term \"%s\", alone gives %zu tokens "
                    "(first \"%s\")\n",
                    (int)(t->end - t->start), r->text + t->start, t->start,
                    term, c.n, c.n ? c.t[0].term : "");
        fail();
    }
    r->checked++;
    return 0;
}

/* The first MB of the White House sample's JSON lines when NS_SHARED
 * names the shared folder (ctest sets it), else NULL. */
static const char *
shared_sample(size_t *n)
{
    static char buf[1 << 20];
    const char *shared = getenv("NS_SHARED");
    char path[1024];
    if (!shared)
        return NULL;
    snprintf(path, sizeof path, "%s/news/whitehouse-sample/docs.jsonl", shared);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    *n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

static void
test_tokens_reanalyze_to_themselves(void **state)
{
    ns_analyzer *a = *state;
    const char *text =
        "Vice President Harris’s call: U.S.-led, al-Assad's F-16s; "
        "1,000 of 12,345.5 (3.5%) on 2015-09-18. Pérez ﬁnance Ｌａｔａｋｉａ "
        "Straße 東京タワー e.g. don’t it's leaders' U.S.Army ﾊﾞｶ";
    reanalyze r = { a, text, 0 };
    assert_int_equal(ns__analyzer_run(a, text, strlen(text), 0, 0,
                                      reanalyze_token, &r, NULL),
                     NS_OK);
    assert_true(r.checked > 30);

    size_t n;
    const char *buf = shared_sample(&n);
    if (!buf)
        return;
    r.text = buf;
    r.checked = 0;
    assert_int_equal(
        ns__analyzer_run(a, buf, n, 0, 0, reanalyze_token, &r, NULL), NS_OK);
    assert_true(r.checked > 100000);
}

/* A run from a sentence start gives the tokens of a run over the whole
 * text there (what a snippet relies on when it analyzes only the
 * sentences a position map points to, posmap.h): for every sentence
 * start of hand-made texts and of the White House sample, a run over
 * [that start, the next one) with the start's position gives the whole
 * run's tokens in that range, at the same bytes, positions and flags. */
typedef struct sent_tok {
    size_t start, end;
    uint32_t pos;
    unsigned flags;
    char term[80];
} sent_tok;

typedef struct sent_tape {
    sent_tok *t;
    size_t n, cap, base;
} sent_tape;

static int
sent_record(const ns_token *t, void *payload)
{
    sent_tape *tp = payload;
    if (tp->n == tp->cap) {
        tp->cap = tp->cap ? tp->cap * 2 : 1024;
        tp->t = realloc(tp->t, tp->cap * sizeof *tp->t);
        assert_non_null(tp->t);
    }
    sent_tok *k = &tp->t[tp->n++];
    k->start = t->start + tp->base;
    k->end = t->end + tp->base;
    k->pos = t->pos;
    k->flags = t->flags;
    snprintf(k->term, sizeof k->term, "%s", t->term);
    return 0;
}

static size_t
sentences_restart(ns_analyzer *a, const char *text, size_t len)
{
    sent_tape whole = { 0 }, piece = { 0 };
    assert_int_equal(ns__analyzer_run(a, text, len, 5, NS_ANALYZE_DOCUMENT,
                                      sent_record, &whole, NULL),
                     NS_OK);
    size_t checked = 0;
    for (size_t i = 0; i < whole.n; i++) {
        if (!(whole.t[i].flags & NS_TOKEN_SENTENCE_START))
            continue;
        size_t j = i + 1;
        while (j < whole.n && !(whole.t[j].flags & NS_TOKEN_SENTENCE_START))
            j++;
        size_t from = whole.t[i].start;
        size_t to = j < whole.n ? whole.t[j].start : len;
        piece.n = 0;
        piece.base = from;
        assert_int_equal(ns__analyzer_run(a, text + from, to - from,
                                          whole.t[i].pos, NS_ANALYZE_DOCUMENT,
                                          sent_record, &piece, NULL),
                         NS_OK);
        int same = piece.n == j - i;
        for (size_t k = 0; same && k < piece.n; k++) {
            const sent_tok *x = &piece.t[k], *y = &whole.t[i + k];
            same = x->start == y->start && x->end == y->end &&
                   x->pos == y->pos && x->flags == y->flags &&
                   strcmp(x->term, y->term) == 0;
        }
        if (!same) {
            print_error("the sentence at byte %zu (\"%.*s\"): %zu tokens "
                        "alone, %zu in the whole run\n",
                        from, (int)(to - from > 80 ? 80 : to - from),
                        text + from, piece.n, j - i);
            fail();
        }
        checked++;
    }
    free(whole.t);
    free(piece.t);
    return checked;
}

static void
test_sentences_restart(void **state)
{
    ns_analyzer *a = *state;
    const char *texts[] = {
        "The U.S. Army said so. Then it left! Did it? \"Yes.\" He said: no. "
        "Mr. Smith met Dr. Jones at 3 p.m. on Jan. 5. It rained.\n\nNew "
        "paragraph here. U.S.-led strikes hit al-Assad's F-16s. 1,000 men "
        "left. 3.5% rose. E.g. this one. (Inside parentheses.) Next one.",
        "東京タワーに行った。次の文。Ｌａｔａｋｉａ airbase. Straße ends. "
        "“Quoted.” Then more… And an ellipsis... Then a dash — and "
        "another sentence. i.e. lowercase after abbreviation. OK.",
        "No terminator at all, just words and words",
        ". . . Leading dots. Then words.\n\n\n- a list item\n- another "
        "one.\n\n* A starred one. Last.",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        assert_true(sentences_restart(a, texts[i], strlen(texts[i])) > 0);
    size_t n;
    const char *buf = shared_sample(&n);
    if (!buf)
        return;
    assert_true(sentences_restart(a, buf, n) > 2000); /* (3,206) */
}

/* The fast path of scan_word() (plain ASCII words) must give exactly the
 * tokens of the general one: both run on hand-made and random texts made
 * of the pieces that take a word off the fast path (periods, commas,
 * apostrophes, hyphens, marks, ignorables, CJK, long words, invalid
 * bytes), in document and query mode and with a stem-only set, and on the
 * White House sample when NS_SHARED is set. */
typedef struct tape {
    char *s;
    size_t n, cap;
} tape;

static int
record(const ns_token *t, void *payload)
{
    tape *tp = payload;
    char line[400];
    int k = snprintf(line, sizeof line, "%s|%s|%zu|%zu|%u|%u\n", t->term,
                     t->word, t->start, t->end, (unsigned)t->pos, t->flags);
    assert_true(k > 0 && (size_t)k < sizeof line);
    if (tp->n + (size_t)k + 1 > tp->cap) {
        tp->cap = (tp->n + (size_t)k + 1) * 2;
        tp->s = realloc(tp->s, tp->cap);
        assert_non_null(tp->s);
    }
    memcpy(tp->s + tp->n, line, (size_t)k + 1);
    tp->n += (size_t)k;
    return 0;
}

static void
same_both_ways(ns_analyzer *a, const char *text, size_t len, unsigned mode,
               const ns__stem_only *stem_only)
{
    tape fast = { 0 }, general = { 0 };
    ns_analyze_stats sf, sg;
    memset(&sf, 0, sizeof sf);
    memset(&sg, 0, sizeof sg);
    assert_int_equal(ns__analyzer_run_some(a, text, len, 7, mode, stem_only,
                                           record, &fast, &sf),
                     NS_OK);
    ns__analyzer_general_only = 1;
    ns_status st = ns__analyzer_run_some(a, text, len, 7, mode, stem_only,
                                         record, &general, &sg);
    ns__analyzer_general_only = 0;
    assert_int_equal(st, NS_OK);
    if (fast.n != general.n || (fast.n && memcmp(fast.s, general.s, fast.n))) {
        size_t i = 0;
        while (i < fast.n && i < general.n && fast.s[i] == general.s[i])
            i++;
        while (i > 0 && fast.s[i - 1] != '\n')
            i--;
        fprintf(stderr, "text: %.*s\nfast:    %.80s\ngeneral: %.80s\n",
                (int)(len < 300 ? len : 300), text, fast.n > i ? fast.s + i : "",
                general.n > i ? general.s + i : "");
        fail_msg("the fast path's tokens differ");
    }
    assert_memory_equal(&sf, &sg, sizeof sf);
    free(fast.s);
    free(general.s);
}

static void
test_fast_path_same_tokens(void **state)
{
    ns_analyzer *a = *state;
    static const char *const pieces[] = {
        "word", "Word", "WORDS", "x", "a", "I", "2015", "1", "12", "007",
        "after", "Rebels", "cats", "Sept", "minister", "b2b", "1999",
        "3.5", "1,000", "12,345.5", "U.S.", "U.S", "e.g.", "Mr.", "Dr", "St.",
        "don't", "it's", "leaders'", "Harris’s", "al-Assad", "F-16s",
        "2015-09-18", "co-op", "-", "--", "'", "’", ".", ",", "...", "!", "?",
        "\"", "(", ")", "[", "]", ";", ":", "/", "&", "#", "%", " ", " ", " ",
        "\n", "\n\n", "\t", "\r\n", "Pérez", "e\xcc\x81", "ﬁ", "Ｌａｔａｋｉａ",
        "Straße", "東京", "タワー", "ﾊﾞｶ", "soft\xc2\xadhyphen", "\xc2\xad",
        "\xe2\x80\x8b", "\xe2\x80\xa6", "\xe3\x80\x82", "\xff", "\xc3",
        "\xe2\x80\x90", "İstanbul", "Ωmega", "x\xcc\x88",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
        "1234567890123456789012345678901234567890123456789012345678901234",
    };
    const size_t np = sizeof pieces / sizeof *pieces;
    ns__stem_only stem_only;
    memset(&stem_only, 0, sizeof stem_only);
    ns__stem_only_add(&stem_only, "wo");
    ns__stem_only_add(&stem_only, "le");
    ns__stem_only_add(&stem_only, "leader"); /* words must start "lead" */
    char text[4096];
    uint64_t x = 88172645463325252ull;
    for (int round = 0; round < 3000; round++) {
        size_t n = 0, k = 1 + round % 60;
        for (size_t j = 0; j < k; j++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            const char *p = pieces[x % np];
            size_t pl = strlen(p);
            if (n + pl >= sizeof text)
                break;
            memcpy(text + n, p, pl);
            n += pl;
        }
        same_both_ways(a, text, n, 0, NULL);
        same_both_ways(a, text, n, NS_ANALYZE_QUERY, NULL);
        same_both_ways(a, text, n, 0, &stem_only);
    }

    size_t n;
    const char *buf = shared_sample(&n);
    if (!buf)
        return;
    same_both_ways(a, buf, n, 0, NULL);
    same_both_ways(a, buf, n, 0, &stem_only);
}

/* A stem-only set holding a word's stem keeps that word: every word of
 * hand-picked Porter2 cases and of the White House sample (NS_SHARED),
 * each distinct word checked against a set of its stem alone, whose start
 * must be the word's (analyze.h). */
typedef struct word_stem {
    char *lines; /* "word\tstem\n" */
    size_t n, cap;
} word_stem;

static int
collect_word_stem(const ns_token *t, void *payload)
{
    word_stem *ws = payload;
    size_t k = t->word_len + t->term_len + 2;
    if (ws->n + k + 1 > ws->cap) {
        ws->cap = (ws->n + k + 1) * 2;
        ws->lines = realloc(ws->lines, ws->cap);
        assert_non_null(ws->lines);
    }
    memcpy(ws->lines + ws->n, t->word, t->word_len);
    ws->lines[ws->n + t->word_len] = '\t';
    memcpy(ws->lines + ws->n + t->word_len + 1, t->term, t->term_len);
    ws->lines[ws->n + k - 1] = '\n';
    ws->n += k;
    ws->lines[ws->n] = '\0';
    return 0;
}

static int
cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static size_t
check_words_kept(ns_analyzer *a, const char *text, size_t len)
{
    word_stem ws = { 0 };
    assert_int_equal(ns__analyzer_run(a, text, len, 0, NS_ANALYZE_DOCUMENT,
                                      collect_word_stem, &ws, NULL),
                     NS_OK);
    size_t n = 0, checked = 0;
    for (size_t i = 0; i < ws.n; i++)
        n += ws.lines[i] == '\n';
    char **line = calloc(n ? n : 1, sizeof *line);
    assert_non_null(line);
    n = 0;
    for (char *p = ws.lines, *nl; p && (nl = strchr(p, '\n')); p = nl + 1) {
        *nl = '\0';
        line[n++] = p;
    }
    qsort(line, n, sizeof *line, cmp_str);
    ns__stem_only set;
    for (size_t i = 0; i < n; i++) {
        if (i && strcmp(line[i], line[i - 1]) == 0)
            continue;
        char *tab = strchr(line[i], '\t');
        assert_non_null(tab);
        *tab = '\0';
        memset(&set, 0, sizeof set);
        ns__stem_only_add(&set, tab + 1);
        if (!ns__stem_only_has(&set, line[i], (size_t)(tab - line[i])))
            fail_msg("a set of \"%s\" drops \"%s\"", tab + 1, line[i]);
        *tab = '\t';
        checked++;
    }
    free(line);
    free(ws.lines);
    return checked;
}

static void
test_stem_only_keeps_every_word(void **state)
{
    ns_analyzer *a = *state;
    const char *text =
        "dying lying tying skies skis news generalizations administration "
        "possibly feebly hoping relational happily nobility conditional "
        "sensibly agreed ugly early only gently singly idly cries ties "
        "hopping hoped rationalization sensational fulness ousness "
        "iveness biliti bli ogi fulli lessli entli abli anci enci izer "
        "ization ational tional alism aliti alli ousli iviti traditionally "
        "électricité naïveté Éclairs";
    assert_true(check_words_kept(a, text, strlen(text)) > 50);
    size_t n;
    const char *buf = shared_sample(&n);
    if (buf)
        assert_true(check_words_kept(a, buf, n) > 10000);
}

/* ------------------------------------------------------------------------ */
/* The spec                                                                  */

static void
check_spec(const char *spec, const char *canonical)
{
    ns_analyzer *a = new_analyzer(spec);
    assert_string_equal(ns__analyzer_spec(a), canonical);
    ns__analyzer_free(a);
    /* The canonical spec builds the same analyzer. */
    a = new_analyzer(canonical);
    assert_string_equal(ns__analyzer_spec(a), canonical);
    ns__analyzer_free(a);
}

static void
check_bad_spec(const char *spec, const char *msg_part)
{
    ns_analyzer *a = (ns_analyzer *)&a; /* must be reset to NULL */
    char *err = NULL;
    assert_int_equal(ns__analyzer_new(spec, &a, &err), NS_ERR_INVALID_ARG);
    assert_null(a);
    assert_non_null(err);
    if (!strstr(err, msg_part))
        print_error("spec \"%s\": message \"%s\" lacks \"%s\"\n", spec, err,
                    msg_part);
    assert_non_null(strstr(err, msg_part));
    ns_free(err);
    /* errmsg is optional. */
    assert_int_equal(ns__analyzer_new(spec, &a, NULL), NS_ERR_INVALID_ARG);
    assert_null(a);
}

static void
test_spec_valid(void **state)
{
    (void)state;
    check_spec(NULL, NS_ANALYZER_DEFAULT_SPEC);
    check_spec(NS_ANALYZER_DEFAULT_SPEC, NS_ANALYZER_DEFAULT_SPEC);
    check_spec("v=1;norm=nfkc_cf_nomark;stem=english;lang=en",
               NS_ANALYZER_DEFAULT_SPEC);
    check_spec("lang=en;stem=english;norm=nfkc_cf_nomark;v=1;",
               NS_ANALYZER_DEFAULT_SPEC);
    check_spec("lang=en", NS_ANALYZER_DEFAULT_SPEC);
    check_spec("stem=none", "lang=en;stem=none;norm=nfkc_cf_nomark;v=1");
    check_spec("lang=fr", "lang=fr;stem=french;norm=nfkc_cf_nomark;v=1");
    check_spec("lang=de;stem=german;norm=nfkc_cf;v=1",
               "lang=de;stem=german;norm=nfkc_cf;v=1");
    check_spec("lang=zh", "lang=zh;stem=none;norm=nfkc_cf_nomark;v=1");
    check_spec("lang=en;stem=porter", "lang=en;stem=porter;"
                                      "norm=nfkc_cf_nomark;v=1");

    /* Every stemmer the binding lists is accepted, and the list holds
     * every language the earlier libstemmer builds stemmed but four. */
    const char *all[] = { "arabic",     "armenian",  "basque",    "catalan",
                          "danish",     "dutch",     "english",   "finnish",
                          "french",     "german",    "hungarian", "indonesian",
                          "irish",      "italian",   "lithuanian", "nepali",
                          "norwegian",  "porter",    "portuguese", "romanian",
                          "russian",    "spanish",   "swedish",   "tamil",
                          "turkish" };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        char spec[64];
        snprintf(spec, sizeof spec, "stem=%s", all[i]);
        ns_analyzer *a = new_analyzer(spec);
        ns__analyzer_free(a);
    }
    size_t listed = 0;
    for (const char *l = ns__xstem_list(); *l; l += strlen(l) + 1) {
        char spec[64];
        snprintf(spec, sizeof spec, "stem=%s", l);
        ns_analyzer *a = new_analyzer(spec);
        ns__analyzer_free(a);
        listed++;
    }
    assert_true(listed >= sizeof all / sizeof all[0]);

    /* The stemmer is the one named: French stems `nationales`. */
    ns_analyzer *a = new_analyzer("lang=fr");
    CHECK(a, "nationales", { "national", "nationales", 0, 10, S });
    ns__analyzer_free(a);
    /* Diacritics go before the stemmer sees the word: the stems libstemmer
     * 2.2 gave (given `введённый`, Xapian 1.4 gives `введён`, 2.2 `введен`). */
    a = new_analyzer("lang=ru");
    CHECK(a, "введённый", { "введенны", "введенныи", 0, 18, S });
    ns__analyzer_free(a);
    a = new_analyzer("lang=pt");
    CHECK(a, "execução", { "execuca", "execucao", 0, 10, S });
    ns__analyzer_free(a);
    a = new_analyzer("stem=none");
    CHECK(a, "Airbases", { "airbases", NULL, 0, 8, S });
    ns__analyzer_free(a);
}

static void
test_spec_invalid(void **state)
{
    (void)state;
    check_bad_spec("lang=xx", "unknown language 'xx'");
    check_bad_spec("lang=EN", "unknown language");
    check_bad_spec("stem=klingon", "no Snowball stemmer named 'klingon'");
    check_bad_spec("stem=English", "no Snowball stemmer");
    check_bad_spec("stem=en", "no Snowball stemmer"); /* an alias */
    check_bad_spec("stem=none2", "no Snowball stemmer");
    /* Xapian 1.4 has no stemmer for these; libstemmer 2.2 had. */
    check_bad_spec("stem=greek", "no Snowball stemmer named 'greek'");
    check_bad_spec("lang=el", "have none for lang=el");
    check_bad_spec("lang=yi", "have none for lang=yi");
    /* Stems that changed with diacritics kept. */
    check_bad_spec("lang=ru;norm=nfkc_cf",
                   "stem=russian with norm=nfkc_cf is not supported");
    check_bad_spec("stem=french;norm=nfkc_cf", "reindex");
    check_bad_spec("v=2", "version");
    check_bad_spec("lang=en;stem=english;norm=nfkc_cf_nomark;v=2",
                   "unsupported version (this build knows v=1): '2'");
    check_bad_spec("v=", "version");
    check_bad_spec("v=01", "version");
    check_bad_spec("norm=nfc", "unknown normalization 'nfc'");
    check_bad_spec("color=blue", "unknown key 'color'");
    check_bad_spec("lang=en;lang=fr", "key 'lang' given twice");
    check_bad_spec("v=1;v=1", "key 'v' given twice");
    check_bad_spec("", "empty");
    check_bad_spec("english", "expected key=value");
    check_bad_spec("lang=en stem=english", "unknown language");
    check_bad_spec("=en", "unknown key ''");
}

/* ------------------------------------------------------------------------ */
/* fold()                                                                    */

static void
check_fold(ns_analyzer *a, const char *in, size_t len, const char *expect)
{
    const char *out = NULL;
    size_t n = ns__analyzer_fold(a, in, len, &out);
    assert_non_null(out);
    if (n != strlen(expect) || memcmp(out, expect, n) != 0)
        print_error("fold \"%s\": got \"%.*s\", expect \"%s\"\n", in, (int)n,
                    out, expect);
    assert_int_equal(n, strlen(expect));
    assert_memory_equal(out, expect, n);
    assert_int_equal(out[n], '\0');
}

static void
test_fold(void **state)
{
    ns_analyzer *a = *state;
    check_fold(a, "Pérez", 6, "perez");
    check_fold(a, "PEREZ", 5, "perez");
    check_fold(a, "Pe\xCC\x81rez", 7, "perez");
    check_fold(a, "ﬁnance", 8, "finance");
    check_fold(a, "Ｌａｔａｋｉａ", 21, "latakia");
    check_fold(a, "Straße", 7, "strasse");
    check_fold(a, "Don’t", 7, "don't");
    check_fold(a, "airbases", 8, "airbases"); /* not stemmed */
    check_fold(a, "", 0, "");
    check_fold(a, NULL, 0, "");
    /* Characters only: spaces and punctuation stay, no word rule. */
    check_fold(a, "José Pérez, U.S.", 18, "jose perez, u.s.");
    check_fold(a, "Assad's", 7, "assad's");
    /* Invalid bytes are dropped. */
    check_fold(a,
               "ca\xFF"
               "f\xC3",
               5, "caf");
    /* No length limit. */
    static char big[10000];
    static char folded[10000];
    for (size_t i = 0; i + 2 <= sizeof big; i += 2) {
        memcpy(big + i, "\xC3\x89", 2); /* É */
        folded[i / 2] = 'e';
    }
    folded[sizeof big / 2] = '\0';
    check_fold(a, big, sizeof big, folded);
    /* The token's word equals fold() of a plain word. */
    CHECK_MODE(a, "Ｐéｒｅz", 0, NS_ANALYZE_NOSTEM,
               { "perez", NULL, 0, 12, S });

    const char *out = "x";
    assert_int_equal(ns__analyzer_fold(NULL, "a", 1, &out), 0);
    assert_null(out);
    assert_int_equal(ns__analyzer_fold(a, "a", 1, NULL), 0);
}

/* ------------------------------------------------------------------------ */
/* Out of memory                                                             */

/*
 * ns__alloc_fail_after(n) lets n allocations succeed, so the first one of
 * an operation could never fail: each attempt makes one throwaway
 * allocation first, and n = 1 fails the operation's first allocation.
 */
static void
arm_failure(uint64_t n)
{
    ns__alloc_fail_after(n);
    ns_free(ns__malloc(1));
}

static void
test_oom_new(void **state)
{
    (void)state;
    for (uint64_t n = 1;; n++) {
        ns_analyzer *a = (ns_analyzer *)&a;
        char *err = (char *)&err;
        arm_failure(n);
        ns_status st = ns__analyzer_new(NULL, &a, &err);
        ns__alloc_fail_after(0);
        assert_null(err);
        if (st == NS_OK) {
            assert_non_null(a);
            assert_string_equal(ns__analyzer_spec(a), NS_ANALYZER_DEFAULT_SPEC);
            CHECK(a, "Airbases", { "airbas", "airbases", 0, 8, S });
            ns__analyzer_free(a);
            assert_true(n > 2);
            break;
        }
        assert_int_equal(st, NS_ERR_NOMEM);
        assert_null(a);
        assert_true(n < 100);
    }
    /* An invalid spec whose message cannot be allocated still says
     * invalid. */
    for (uint64_t n = 1;; n++) {
        ns_analyzer *a = NULL;
        char *err = NULL;
        arm_failure(n);
        ns_status st = ns__analyzer_new("lang=xx", &a, &err);
        ns__alloc_fail_after(0);
        assert_int_equal(st, NS_ERR_INVALID_ARG);
        assert_null(a);
        if (err) {
            ns_free(err);
            break;
        }
        assert_true(n < 100);
    }
}

static void
test_oom_run(void **state)
{
    (void)state;
    static char text[512];
    static collector c;
    size_t len = 0;
    memcpy(text, "before ", 7);
    len = 7;
    for (int i = 0; i < 80; i++) { /* outgrows the code point buffer */
        memcpy(text + len, "\xEF\xB7\xBA", 3);
        len += 3;
    }
    memcpy(text + len, " after", 6);
    len += 6;
    for (uint64_t n = 1;; n++) {
        ns_analyzer *a = new_analyzer(NULL);
        arm_failure(n);
        c.stop_after = 0;
        ns_status st = run(a, text, len, 0, 0, &c, NULL);
        ns__alloc_fail_after(0);
        ns__analyzer_free(a);
        if (st == NS_OK) {
            assert_int_equal(c.n, 2);
            assert_string_equal(c.t[1].term, "after");
            break;
        }
        assert_int_equal(st, NS_ERR_NOMEM);
        assert_int_equal(c.n, 1); /* the failure came after `before` */
        assert_true(n < 100);
    }
}

static void
test_oom_fold(void **state)
{
    (void)state;
    for (uint64_t n = 1;; n++) {
        ns_analyzer *a = new_analyzer(NULL);
        const char *out = "x";
        arm_failure(n);
        size_t k = ns__analyzer_fold(a, "Ｐérez", 8, &out);
        ns__alloc_fail_after(0);
        if (out) {
            assert_int_equal(k, 5);
            assert_memory_equal(out, "perez", 5);
            ns__analyzer_free(a);
            break;
        }
        assert_int_equal(k, 0);
        /* The analyzer still works after the failure. */
        CHECK(a, "Pérez", { "perez", NULL, 0, 6, S });
        ns__analyzer_free(a);
        assert_true(n < 100);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plain_english, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stems, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stem_cache_grows, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_query_mode_same, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unicode_accents, setup, teardown),
        cmocka_unit_test(test_norm_keeps_marks),
        cmocka_unit_test_setup_teardown(test_ligatures_fullwidth_sharp_s, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_turkish_dotted_i, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cjk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cjk_fast_path_is_exact, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apostrophes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_acronyms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hyphens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sentence_starts, setup, teardown),
        cmocka_unit_test(test_sentence_abbrevs_english_only),
        cmocka_unit_test_setup_teardown(test_empty_and_whitespace, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_format_characters, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_long_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_buffer_growth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_pos, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_reanalyze_to_themselves,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_stem_only_keeps_every_word,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_fast_path_same_tokens, setup,
                                        teardown),
        cmocka_unit_test(test_spec_valid),
        cmocka_unit_test(test_spec_invalid),
        cmocka_unit_test_setup_teardown(test_fold, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_some_stems_what_can_match,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_sentences_restart, setup,
                                        teardown),
        cmocka_unit_test(test_oom_new),
        cmocka_unit_test(test_oom_run),
        cmocka_unit_test(test_oom_fold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
