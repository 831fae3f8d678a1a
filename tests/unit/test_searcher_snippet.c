/*
 * test_searcher_snippet.c: snippets and their highlights.  Every case
 * parses a query against a small index (for its analyzer), makes the
 * snippet of a hand-made text, and checks the highlighted words (stems,
 * accents, phrases only as phrases, never an excluded word), the choice of
 * fragments, and cuts that never break a character or a grapheme.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "searcher/query.h"
#include "tests/snippet_check.h"

static char dir[] = "/tmp/ns-test-snippet-XXXXXX";
static ns_db *db;

static int
setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    ns_db *w;
    if (ns_db_open(dir, NS_OPEN_WRITE | NS_OPEN_CREATE, &w, NULL) != NS_OK)
        return -1;
    ns_article a = NS_ARTICLE_INIT;
    a.id = "1";
    a.text = "sanctions";
    a.text_len = strlen(a.text);
    if (ns_db_add_article(w, &a) != NS_OK || ns_db_commit(w) != NS_OK)
        return -1;
    ns_db_close(w);
    return ns_db_open(dir, NS_OPEN_READ, &db, NULL) == NS_OK ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    ns_db_close(db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

typedef struct snip {
    ns_buf text;
    ns_highlight *hl;
    size_t n_hl;
    char marked[2048]; /* the highlighted words, "|"-separated */
} snip;

static void
make(snip *sn, const char *query, const char *text, const char *title,
     unsigned target)
{
    ns__query q;
    memset(sn, 0, sizeof *sn);
    assert_int_equal(ns__query_parse(db, query, 0, &q), NS_OK);
    assert_int_equal(ns__snippet_make(db->analyzer, &q, text, strlen(text),
                                      title, target, &sn->text, &sn->hl,
                                      &sn->n_hl),
                     NS_OK);
    ns__query_free(&q);
    const char *s = ns__buf_cstr(&sn->text);
    size_t at = 0, n = 0;
    for (size_t i = 0; i < sn->n_hl; i++) {
        assert_true(sn->hl[i].start >= at);
        assert_true(sn->hl[i].start < sn->hl[i].end);
        assert_true(sn->hl[i].end <= sn->text.len);
        at = sn->hl[i].end;
        n += (size_t)snprintf(sn->marked + n, sizeof sn->marked - n, "%s%.*s",
                              i ? "|" : "",
                              (int)(sn->hl[i].end - sn->hl[i].start),
                              s + sn->hl[i].start);
        assert_true(n < sizeof sn->marked);
    }
}

static void
done(snip *sn)
{
    ns__buf_free(&sn->text);
    ns_free(sn->hl);
}

/* Query words are marked whatever their inflection, case and accents. */
static void
test_stems_and_accents(void **state)
{
    (void)state;
    snip sn;
    make(&sn, "airbases Perez",
         "The AIRBASE near Latakia, one of two airbases, said P\xc3\xa9rez.",
         NULL, 0);
    assert_string_equal(sn.marked, "AIRBASE|airbases|P\xc3\xa9rez");
    assert_string_equal(ns__buf_cstr(&sn.text),
                        "The AIRBASE near Latakia, one of two airbases, said "
                        "P\xc3\xa9rez.");
    done(&sn);

    make(&sn, "sanction*", "New sanctions; they sanctioned; no sanity.",
         NULL, 0);
    assert_string_equal(sn.marked, "sanctions|sanctioned");
    done(&sn);

    /* The possessive belongs to the word. */
    make(&sn, "Assad", "Mr. Assad's forces.", NULL, 0);
    assert_string_equal(sn.marked, "Assad's");
    done(&sn);
}

/* A phrase's words are marked only where the whole phrase occurs, as one
 * highlight. */
static void
test_phrases(void **state)
{
    (void)state;
    snip sn;
    make(&sn, "\"air strike\"",
         "The air was cold. A strike ended. Then an air  strike hit, and "
         "air-strikes went on.",
         NULL, 0);
    /* Highlights are bytes of the text: where white space between the
     * words was folded, each word is one. */
    assert_string_equal(sn.marked, "air|strike|air-strikes");
    done(&sn);

    /* A word searched alone too is marked everywhere. */
    make(&sn, "\"air strike\" air", "The air was cold. An air strike hit.",
         NULL, 0);
    assert_string_equal(sn.marked, "air|air strike");
    done(&sn);

    /* A hyphenated query word is a phrase of its parts. */
    make(&sn, "al-Assad", "Al Assad, not al or Assad alone.", NULL, 0);
    assert_string_equal(sn.marked, "Al Assad");
    done(&sn);
}

/* Excluded words are never marked. */
static void
test_exclusions(void **state)
{
    (void)state;
    snip sn;
    make(&sn, "syria -russia", "Syria and Russia met; Russia left Syria.",
         NULL, 0);
    assert_string_equal(sn.marked, "Syria|Syria");
    done(&sn);
    make(&sn, "syria NOT syria", "Syria and Russia.", NULL, 0);
    assert_string_equal(sn.marked, "");
    done(&sn);
    /* Words a prefix matches, less the excluded word's inflections
     * (inflation and inflating stem alike): only words that can match a
     * term or an excluded word are stemmed, and these must be. */
    make(&sn, "infla* -inflation", "Inflation fell; inflationary talk; "
         "inflating tyres.", NULL, 0);
    assert_string_equal(sn.marked, "inflationary");
    done(&sn);
    /* Other inflections of a word are marked whatever their first letter
     * is among the text's. */
    make(&sn, "economies", "An economy, two economic plans, the economies.",
         NULL, 0);
    assert_string_equal(sn.marked, "economy|economies");
    done(&sn);
    /* Nor words of a field or filter. */
    make(&sn, "title:syria source:russia talks", "Syria, Russia: talks.",
         NULL, 0);
    assert_string_equal(sn.marked, "talks");
    done(&sn);
}

/* Repeat s n times into buf. */
static char *
repeat(char *buf, const char *s, int n)
{
    size_t k = strlen(s);
    for (int i = 0; i < n; i++)
        memcpy(buf + i * k, s, k);
    buf[n * k] = '\0';
    return buf + n * k;
}

/* Words far apart: up to three fragments, joined by " … ", show them all;
 * words close together: one fragment. */
static void
test_fragments(void **state)
{
    (void)state;
    static char text[8192];
    char *p = text;
    p = repeat(p, "Filler words go here. ", 30);
    p += sprintf(p, "Syria talks began. ");
    p = repeat(p, "More filler words. ", 40);
    p += sprintf(p, "Russia objected. ");
    p = repeat(p, "Yet more filler. ", 40);
    p += sprintf(p, "Iran agreed. ");
    repeat(p, "Final filler text. ", 20);
    snip sn;
    make(&sn, "syria russia iran", text, NULL, 0);
    assert_string_equal(sn.marked, "Syria|Russia|Iran");
    const char *s = ns__buf_cstr(&sn.text);
    /* Each fragment starts at its sentence. */
    assert_non_null(strstr(s, "\xe2\x80\xa6 Syria talks began."));
    assert_non_null(strstr(s, "\xe2\x80\xa6 Russia objected."));
    assert_non_null(strstr(s, "\xe2\x80\xa6 Iran agreed."));
    int seps = 0;
    for (const char *x = s; (x = strstr(x, " \xe2\x80\xa6 ")); x++)
        seps++;
    assert_int_equal(seps, 2);
    assert_true(sn.text.len <= 240 + 8);
    done(&sn);

    /* Close together: one fragment, from the sentence start. */
    p = repeat(text, "Filler words go here. ", 30);
    p += sprintf(p, "Syria talks began, and Russia objected. ");
    repeat(p, "Filler words go here. ", 30);
    make(&sn, "syria russia", text, NULL, 0);
    s = ns__buf_cstr(&sn.text);
    assert_string_equal(sn.marked, "Syria|Russia");
    assert_memory_equal(s, "\xe2\x80\xa6 Syria talks began", 21);
    assert_null(strstr(s + 4, "\xe2\x80\xa6 "));
    done(&sn);

    /* The fewest fragments showing the most words: two words close, one
     * far, and more occurrences of a shown word do not win a fragment. */
    p = text;
    p += sprintf(p, "Syria and Russia talk. ");
    p = repeat(p, "Filler words go here. ", 40);
    p += sprintf(p, "Syria again and Syria. ");
    p = repeat(p, "Filler words go here. ", 40);
    p += sprintf(p, "Iran came. ");
    make(&sn, "syria russia iran", text, NULL, 0);
    assert_string_equal(sn.marked, "Syria|Russia|Iran");
    done(&sn);
}

/* No match in the text: its beginning, without highlights. */
static void
test_no_match(void **state)
{
    (void)state;
    snip sn;
    make(&sn, "zebra", "One two three. Four five six.", NULL, 0);
    assert_string_equal(ns__buf_cstr(&sn.text),
                        "One two three. Four five six.");
    assert_int_equal(sn.n_hl, 0);
    done(&sn);
    make(&sn, "zebra", "", NULL, 0);
    assert_string_equal(ns__buf_cstr(&sn.text), "");
    done(&sn);
}

/* The title is never repeated as the snippet. */
static void
test_title(void **state)
{
    (void)state;
    snip sn;
    make(&sn, "syria",
         "  Syria  TALKS\nresume.\nThe talks on Syria resumed today.",
         "Syria talks resume.", 0);
    assert_string_equal(ns__buf_cstr(&sn.text),
                        "The talks on Syria resumed today.");
    done(&sn);
    /* Only a whole leading copy is skipped. */
    make(&sn, "syria", "Syria talks resumed in Geneva.", "Syria talks", 0);
    assert_string_equal(ns__buf_cstr(&sn.text), "resumed in Geneva.");
    done(&sn);
    make(&sn, "syria", "Syria talkshow.", "Syria talks", 0);
    assert_string_equal(ns__buf_cstr(&sn.text), "Syria talkshow.");
    done(&sn);
}

/* White space is folded and control characters never pass. */
static void
test_whitespace(void **state)
{
    (void)state;
    snip sn;
    make(&sn, "syria", "Syria\t\tand\x1b[31m\r\n  Iran\x7f.", NULL, 0);
    assert_string_equal(ns__buf_cstr(&sn.text), "Syria and [31m Iran .");
    done(&sn);
}

/* Valid UTF-8 whose clusters are whole, when the cuts fall inside long
 * words: text is units, ",word,", units; each side of the snippet must be
 * whole copies of unit. */
static void
check_clusters(const char *unit, const char *query_word)
{
    static char text[16384];
    char *p = text;
    p = repeat(p, unit, 150);
    p += sprintf(p, ",%s,", query_word);
    repeat(p, unit, 150);
    snip sn;
    make(&sn, query_word, text, NULL, 150);
    const char *s = ns__buf_cstr(&sn.text);
    assert_int_equal(sn.n_hl, 1);
    size_t ul = strlen(unit), wl = strlen(query_word);
    /* "… " units "," word "," units " …" */
    assert_memory_equal(s, "\xe2\x80\xa6 ", 4);
    s += 4;
    const char *w = s + sn.hl[0].start - 4;
    assert_memory_equal(w, query_word, wl);
    assert_true(w > s && w[-1] == ',' && w[wl] == ',');
    size_t before = (size_t)(w - 1 - s);
    assert_true(before > 0);
    assert_int_equal(before % ul, 0);
    for (size_t i = 0; i < before; i += ul)
        assert_memory_equal(s + i, unit, ul);
    const char *after = w + wl + 1;
    size_t rest = strlen(after);
    assert_true(rest > 4);
    assert_string_equal(after + rest - 4, " \xe2\x80\xa6");
    rest -= 4;
    assert_true(rest > 0);
    assert_int_equal(rest % ul, 0);
    for (size_t i = 0; i < rest; i += ul)
        assert_memory_equal(after + i, unit, ul);
    assert_true(sn.text.len <= 150 + 8);
    done(&sn);
}

static void
test_graphemes(void **state)
{
    (void)state;
    /* e + COMBINING ACUTE ACCENT: two code points, one grapheme. */
    check_clusters("e\xcc\x81", "syria");
    /* A family emoji: man ZWJ woman ZWJ girl. */
    check_clusters("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d"
                   "\xf0\x9f\x91\xa7",
                   "syria");
    /* A flag: two regional indicators. */
    check_clusters("\xf0\x9f\x87\xab\xf0\x9f\x87\xb7", "syria");
    /* Hangul syllable as conjoining jamo (L V T). */
    check_clusters("\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8", "syria");
}

/* Text that is not UTF-8: an invalid byte is a character of its own, and
 * the character after it starts a grapheme afresh.  Here a control (NEL)
 * comes before the invalid byte: a grapheme scan that kept its class
 * across the byte took the accent after the next letter for a grapheme of
 * its own, and cut the fragment between them. */
static void
test_graphemes_invalid(void **state)
{
    (void)state;
    static char text[4096];
    const char *unit = "\xc2\x85\xff\xc3\xa9\xcc\x81"; /* NEL, 0xFF, é+U+0301 */
    char *p = repeat(text, unit, 150);
    p += sprintf(p, ",syria,");
    repeat(p, unit, 150);
    for (unsigned target = 40; target <= 160; target += 3) {
        snip sn;
        make(&sn, "syria", text, NULL, target);
        const char *s = ns__buf_cstr(&sn.text);
        assert_int_equal(sn.n_hl, 1);
        for (const char *a = s; (a = strstr(a, "\xcc\x81")) != NULL; a++)
            assert_true(a - s >= 2 && memcmp(a - 2, "\xc3\xa9", 2) == 0);
        done(&sn);
    }
}

/* A match's edges need not be grapheme boundaries, nor need an ASCII
 * letter start one: a ZWJ after a word, or a Prepend character (U+0600
 * ARABIC NUMBER SIGN) before it, is outside the word's token but inside
 * its grapheme.  A fragment that is the match alone keeps them, and a cut
 * never falls between U+0600 and the letter after it. */
static void
test_graphemes_match_edges(void **state)
{
    (void)state;
    snip sn;
    make(&sn, "syria", "Reports from Damascus and syria\xe2\x80\x8d today",
         NULL, 5);
    assert_non_null(strstr(ns__buf_cstr(&sn.text), "syria\xe2\x80\x8d"));
    done(&sn);
    make(&sn, "syria", "Reports from Damascus and \xd8\x80syria today", NULL,
         5);
    assert_non_null(strstr(ns__buf_cstr(&sn.text), "\xd8\x80syria"));
    done(&sn);
    static char text[4096];
    char *p = repeat(text, "\xd8\x80" "ab", 150);
    p += sprintf(p, ",syria,");
    repeat(p, "\xd8\x80" "ab", 150);
    for (unsigned target = 40; target <= 160; target += 3) {
        make(&sn, "syria", text, NULL, target);
        const char *s = ns__buf_cstr(&sn.text);
        size_t n = sn.text.len;
        assert_int_equal(sn.n_hl, 1);
        assert_true(n > 8 && memcmp(s, "\xe2\x80\xa6 ", 4) == 0 &&
                    memcmp(s + n - 4, " \xe2\x80\xa6", 4) == 0);
        assert_true(s[4] != 'a');
        assert_false(memcmp(s + n - 6, "\xd8\x80", 2) == 0);
        done(&sn);
    }
}

/* A text with " … " of its own where a fragment ends: the snippet reads
 * "et d … … ut labore", the text's ellipsis, then the separator.
 * tests/snippet_check.h must find both fragments in the text (it took
 * the first " … " for the separator, and "… ut labore" is not in it). */
static void
test_check_own_ellipsis(void **state)
{
    (void)state;
    static const char lorem[] =
        "lorem ipsum dolor sit amet consectetur adipiscing elit sed do "
        "eiusmod tempor incididunt ut labore et dolore magna aliqua ";
    static char text[1024];
    char *p = text;
    p += sprintf(p, "Syria %.*s \xe2\x80\xa6 ", 102, lorem);
    p += sprintf(p, "%s%s%sIran %s", lorem, lorem, lorem, lorem);
    ns__query q;
    assert_int_equal(ns__query_parse(db, "syria iran", 0, &q), NS_OK);
    ns_buf out = { 0 };
    ns_highlight *hl = NULL;
    size_t n_hl = 0;
    assert_int_equal(ns__snippet_make(db->analyzer, &q, text, strlen(text),
                                      NULL, 240, &out, &hl, &n_hl),
                     NS_OK);
    assert_non_null(strstr(ns__buf_cstr(&out),
                           "et d \xe2\x80\xa6 \xe2\x80\xa6 ut labore"));
    sc_text t;
    assert_int_equal(sc_text_init(&t, text, strlen(text)), 0);
    snip_check c;
    memset(&c, 0, sizeof c);
    c.an = db->analyzer;
    c.q = &q;
    c.t = &t;
    c.snip = out.data;
    c.snip_len = out.len;
    c.hl = hl;
    c.n_hl = n_hl;
    if (snip_check_run(&c) != 0)
        fail_msg("%s", c.why);
    assert_int_equal(snip_check_shown(&c), 2);
    snip_check_free(&c);
    sc_text_free(&t);
    ns_free(hl);
    ns__buf_free(&out);
    ns__query_free(&q);
}

/* CJK without spaces: characters are never cut, and the word in the
 * middle (one token per character, a phrase) is marked. */
static void
test_cjk(void **state)
{
    (void)state;
    static char text[8192];
    char *p = repeat(text, "\xe4\xb8\x80", 300); /* 一 */
    p += sprintf(p, "\xe6\x9d\xb1\xe4\xba\xac");    /* 東京 */
    repeat(p, "\xe4\xba\x8c", 300);                 /* 二 */
    snip sn;
    make(&sn, "\xe6\x9d\xb1\xe4\xba\xac", text, NULL, 0);
    assert_string_equal(sn.marked, "\xe6\x9d\xb1\xe4\xba\xac");
    const char *s = ns__buf_cstr(&sn.text);
    /* "… " + whole 3-byte characters + " …". */
    assert_int_equal((sn.text.len - 8) % 3, 0);
    assert_memory_equal(s + 4, "\xe4\xb8\x80", 3);
    assert_true(sn.text.len <= 240 + 8);
    done(&sn);
}

/* The snippet stays within the target (plus the two end marks). */
static void
test_target(void **state)
{
    (void)state;
    static char text[8192];
    repeat(text, "word syria more text here, ", 200);
    for (unsigned t = 20; t <= 400; t += 60) {
        snip sn;
        make(&sn, "syria", text, NULL, t);
        assert_true(sn.text.len <= t + 8);
        assert_true(sn.n_hl >= 1);
        done(&sn);
    }
}

static void
test_oom(void **state)
{
    (void)state;
    ns__query q;
    assert_int_equal(ns__query_parse(db, "\"air strike\" syria -x", 0, &q),
                     NS_OK);
    const char *text = "Syria. An air strike hit Syria; air, then strike.";
    for (uint64_t n = 1;; n++) {
        ns_buf out = { 0 };
        ns_highlight *hl = NULL;
        size_t n_hl = 0;
        ns__alloc_fail_after(n);
        ns_status st = ns__snippet_make(db->analyzer, &q, text, strlen(text),
                                        NULL, 0, &out, &hl, &n_hl);
        uint64_t made = ns__alloc_fail_after(0);
        ns__buf_free(&out);
        ns_free(hl);
        if (st == NS_OK && made < n)
            break;
        assert_true(st == NS_OK || st == NS_ERR_NOMEM);
        if (st == NS_ERR_NOMEM)
            assert_null(hl);
    }
    ns__query_free(&q);
}

/* A text revealed a few bytes at a time, as a stored text is decoded
 * in steps (core/store.h). */
typedef struct reveal {
    const char *text;
    size_t len, shown;
    uint32_t seed;
    int calls;
    const uint32_t *counts; /* what ns__snippet_counts gives */
    int asked;
} reveal;

static const uint32_t *
reveal_counts(void *ctx)
{
    reveal *r = ctx;
    r->asked++;
    return r->counts;
}

/* The counts the index gives (search.c): each term's occurrences in the
 * whole text as the indexer analyzes it; a prefix's are not known. */
typedef struct term_count {
    const ns__query *q;
    uint32_t *n;
} term_count;

static int
on_count_token(const ns_token *t, void *payload)
{
    term_count *c = payload;
    for (size_t i = 0; i < c->q->n_terms; i++)
        if (!c->q->terms[i].prefix && strcmp(t->term, c->q->terms[i].text) == 0)
            c->n[i]++;
    return 0;
}

static void
count_terms(const ns__query *q, const char *text, size_t len, uint32_t *n)
{
    term_count c = { q, n };
    for (size_t i = 0; i < q->n_terms; i++)
        n[i] = q->terms[i].prefix ? UINT32_MAX : 0;
    assert_int_equal(ns__analyzer_run(db->analyzer, text, len, 0,
                                      NS_ANALYZE_DOCUMENT, on_count_token, &c,
                                      NULL),
                     NS_OK);
}


static ns_status
reveal_more(void *ctx, const char **text, size_t *len)
{
    reveal *r = ctx;
    r->seed = r->seed * 1103515245u + 12345u;
    size_t step = 1 + (r->seed >> 8) % 300;
    r->shown = r->len - r->shown < step ? r->len : r->shown + step;
    r->calls++;
    *text = r->text;
    *len = r->shown;
    return NS_OK;
}

static ns_status
make_steps(const ns__query *q, const char *text, size_t len, size_t whole,
           reveal *r, const char *title, unsigned target, ns_buf *out,
           ns_highlight **hl, size_t *n_hl)
{
    /* The words set made once (as search.c does) or per text. */
    static ns__stem_only words;
    if (r->seed & 1)
        ns__snippet_words(q, &words);
    ns__snippet_text src = { text, len, whole, title, reveal_more,
                             r->counts ? reveal_counts : NULL, r,
                             r->seed & 1 ? &words : NULL, NULL };
    return ns__snippet_make_steps(db->analyzer, q, &src, target, out, hl,
                                  n_hl);
}

/* ns__snippet_make_steps gives the snippet and highlights of the whole
 * text however the text arrives, with or without the index's counts of
 * the query words: random texts of paragraphs (blank lines, sentence ends,
 * the query's words and inflections, a title's copy at the start), queries
 * of words, a phrase, an exclusion and a prefix, texts shown a few bytes
 * at a time; and a query whose words all come early stops asking for
 * more. */
static void
test_text_in_steps(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "Syria", "syrian", "air", "strike", "strikes", "airbase", "Latakia",
        "the", "talks", "in", "of", "Mr.", "U.S.", "said", "a", ".", ",",
        " ", " ", " ", "\n\n", "\n", ". ", "! ", "\"", "Pérez", "1,000",
    };
    static const char *const queries[] = {
        "syria", "syria strike", "\"air strike\" latakia", "syria -talks",
        "lat* strike", "airbase talks syria", "syria strike talks",
        "strike \"in syria\"",
    };
    static char text[20000];
    uint32_t seed = 12345;
    static const char *const rare[] = { "talks", "strike", "airbase" };
    for (int round = 0; round < 600; round++) {
        size_t n = 0;
        if (round % 3 == 0)
            n = (size_t)snprintf(text, sizeof text, "Talks in Syria\n\n");
        /* Some texts lack a word, or hold it once or twice only. */
        const char *lacks = rare[(round / 7) % 3];
        int keep = round % 5 == 1 ? 1 : round % 5 == 2 ? 2 : 0;
        size_t target_len = 200 + (size_t)(round * 61) % 15000;
        while (n < target_len) {
            seed = seed * 1103515245u + 12345u;
            const char *p = pieces[(seed >> 8) % (sizeof pieces /
                                                  sizeof *pieces)];
            size_t pl = strlen(p);
            if (round % 5 < 3 && strcmp(p, lacks) == 0) {
                if (keep == 0)
                    continue;
                keep--;
            }
            memcpy(text + n, p, pl);
            n += pl;
            if (p[0] != ' ' && p[0] != '\n' && (seed >> 20) % 3)
                text[n++] = ' ';
        }
        text[n] = '\0';
        const char *qs = queries[round % (sizeof queries / sizeof *queries)];
        ns__query q;
        assert_int_equal(ns__query_parse(db, qs, 0, &q), NS_OK);
        ns_buf a = { 0 }, b = { 0 };
        ns_highlight *ha = NULL, *hb = NULL;
        size_t na = 0, nb = 0;
        const char *title = round % 3 == 0 ? "Talks in Syria" : NULL;
        assert_int_equal(ns__snippet_make(db->analyzer, &q, text, n, title,
                                          0, &a, &ha, &na),
                         NS_OK);
        uint32_t counts[64];
        assert_true(q.n_terms <= 64);
        count_terms(&q, text, n, counts);
        reveal r = { text, n, 0, (uint32_t)round, 0, NULL, 0 };
        if (round % 2)
            r.counts = counts;
        /* Counts that say more than the text holds (an index that does not
         * match its stored text) cost reading, never the snippet. */
        for (size_t i = 0; round % 6 == 1 && i < q.n_terms; i++)
            if (counts[i] != UINT32_MAX)
                counts[i] += 1 + (uint32_t)i % 2;
        size_t first = 1 + (size_t)round % 500;
        r.shown = first < n ? first : n;
        assert_int_equal(make_steps(&q, text, r.shown, n, &r, title, 0, &b,
                                    &hb, &nb),
                         NS_OK);
        assert_true(r.asked <= 1);
        if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
            fail_msg("query %s, text of %zu bytes: whole \"%s\", in steps "
                     "\"%s\"", qs, n, ns__buf_cstr(&a), ns__buf_cstr(&b));
        assert_int_equal(na, nb);
        if (na)
            assert_memory_equal(ha, hb, na * sizeof *ha);
        ns__buf_free(&a);
        ns__buf_free(&b);
        ns_free(ha);
        ns_free(hb);
        ns__query_free(&q);
    }

    /* The first step ends after a line break that is no sentence end:
     * the word after it starts no sentence (the fragment keeps the words
     * before it), as in the whole text. */
    {
        static const char t2[] =
            "Intro words here\nSyria was hit by an air strike today\n\n"
            "More text follows after this paragraph about other things.";
        ns__query q2;
        assert_int_equal(ns__query_parse(db, "syria", 0, &q2), NS_OK);
        ns_buf a = { 0 }, b = { 0 };
        ns_highlight *ha = NULL, *hb = NULL;
        size_t na = 0, nb = 0;
        assert_int_equal(ns__snippet_make(db->analyzer, &q2, t2,
                                          sizeof t2 - 1, NULL, 60, &a, &ha,
                                          &na),
                         NS_OK);
        /* "Intro words here\n" */
        reveal r2 = { t2, sizeof t2 - 1, 17, 0, 0, NULL, 0 };
        assert_int_equal(make_steps(&q2, t2, 17, sizeof t2 - 1, &r2, NULL, 60,
                                    &b, &hb, &nb),
                         NS_OK);
        assert_string_equal(ns__buf_cstr(&a), ns__buf_cstr(&b));
        assert_non_null(strstr(ns__buf_cstr(&b), "here Syria"));
        ns__buf_free(&a);
        ns__buf_free(&b);
        ns_free(ha);
        ns_free(hb);
        ns__query_free(&q2);
    }

    /* Every word in the first lines: the rest is never asked for. */
    static char long_text[30000];
    size_t n = (size_t)snprintf(long_text, sizeof long_text,
                                "Syria talks.\n\nAn air strike hit Syria.\n\n");
    while (n < sizeof long_text - 100)
        n += (size_t)snprintf(long_text + n, sizeof long_text - n,
                              "Other news of the day.\n\n");
    ns__query q;
    assert_int_equal(ns__query_parse(db, "syria strike", 0, &q), NS_OK);
    ns_buf out = { 0 };
    ns_highlight *hl = NULL;
    size_t n_hl = 0;
    reveal r = { long_text, n, 1000, 7, 0, NULL, 0 };
    assert_int_equal(make_steps(&q, long_text, r.shown, n, &r, NULL, 0, &out,
                                &hl, &n_hl),
                     NS_OK);
    assert_true(r.shown < 2000);
    assert_true(n_hl >= 2);
    ns__buf_free(&out);
    ns_free(hl);
    ns__query_free(&q);

    /* A word the text lacks: without counts the whole text is read; with
     * them reading stops after the window of the words it holds (and
     * after their last occurrences), for the same snippet. */
    assert_int_equal(ns__query_parse(db, "syria strike talks", 0, &q),
                     NS_OK);
    uint32_t counts[3];
    n = (size_t)snprintf(long_text, sizeof long_text,
                         "Syria news.\n\nAn air strike hit Syria.\n\n");
    while (n < sizeof long_text - 100)
        n += (size_t)snprintf(long_text + n, sizeof long_text - n,
                              "Other news of the day.\n\n");
    count_terms(&q, long_text, n, counts);
    assert_int_equal(counts[2], 0);
    ns_buf with = { 0 };
    ns_highlight *hl2 = NULL;
    size_t n_hl2 = 0;
    reveal r0 = { long_text, n, 1000, 7, 0, NULL, 0 };
    assert_int_equal(make_steps(&q, long_text, r0.shown, n, &r0, NULL, 0,
                                &out, &hl, &n_hl),
                     NS_OK);
    assert_int_equal(r0.shown, n);
    reveal r1 = { long_text, n, 1000, 7, 0, counts, 0 };
    assert_int_equal(make_steps(&q, long_text, r1.shown, n, &r1, NULL, 0,
                                &with, &hl2, &n_hl2),
                     NS_OK);
    assert_int_equal(r1.asked, 1);
    assert_true(r1.shown < 2000);
    assert_string_equal(ns__buf_cstr(&out), ns__buf_cstr(&with));
    assert_int_equal(n_hl, n_hl2);
    /* Counts that say a word is gone before it is: the snippet stops
     * short of it (the counts are the index's word, so they must be
     * right: the test above checks that they are used as given). */
    long_text[n - 30] = '\0';
    snprintf(long_text + n - 30, 30, "Talks ended.\n\n");
    size_t n2 = strlen(long_text);
    ns__buf_free(&with);
    ns_free(hl2);
    reveal r2 = { long_text, n2, 1000, 7, 0, counts, 0 };
    assert_int_equal(make_steps(&q, long_text, r2.shown, n2, &r2, NULL, 0,
                                &with, &hl2, &n_hl2),
                     NS_OK);
    assert_null(strstr(ns__buf_cstr(&with), "Talks"));
    ns__buf_free(&with);
    ns_free(hl2);
    count_terms(&q, long_text, n2, counts);
    assert_int_equal(counts[2], 1);
    reveal r3 = { long_text, n2, 1000, 7, 0, counts, 0 };
    assert_int_equal(make_steps(&q, long_text, r3.shown, n2, &r3, NULL, 0,
                                &with, &hl2, &n_hl2),
                     NS_OK);
    assert_non_null(strstr(ns__buf_cstr(&with), "Talks"));
    assert_int_equal(r3.shown, n2);
    ns__buf_free(&with);
    ns_free(hl2);
    ns__buf_free(&out);
    ns_free(hl);
    ns__query_free(&q);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stems_and_accents),
        cmocka_unit_test(test_phrases),
        cmocka_unit_test(test_exclusions),
        cmocka_unit_test(test_fragments),
        cmocka_unit_test(test_no_match),
        cmocka_unit_test(test_title),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_graphemes),
        cmocka_unit_test(test_graphemes_invalid),
        cmocka_unit_test(test_graphemes_match_edges),
        cmocka_unit_test(test_check_own_ellipsis),
        cmocka_unit_test(test_cjk),
        cmocka_unit_test(test_target),
        cmocka_unit_test(test_oom),
        cmocka_unit_test(test_text_in_steps),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
