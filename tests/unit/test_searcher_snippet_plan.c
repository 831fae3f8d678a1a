/*
 * test_searcher_snippet_plan.c: snippets made from the position map and
 * sentence index (snippet.c's plan) keep the promises of snippets made by
 * a scan of the whole text.
 *
 * The same articles (the first 300 of the White House sample, and
 * hand-made ones that stress the plan: long texts with the words far
 * apart or only near the end, a title repeated as the first line, many
 * inflections, accents, CJK, a sentence with no end, many short ones, a
 * phrase across a sentence end) are indexed twice: with position maps,
 * whose searches make planned snippets, and with Xapian's positions,
 * which keep no sentence index, so that their snippets scan the text.
 * Queries made of the articles' own words (words, phrases, exclusions,
 * NEAR/n) run on both; each result's planned snippet must pass
 * tests/snippet_check.h (every query word shown highlighted, phrases only
 * whole, excluded words never, highlights on words, cuts on grapheme
 * boundaries) and show as many distinct query words as the scan's.  The
 * planned snippets are also made with damaged values (bytes flipped, cut
 * short, another article's): never out of the text, never a crash.
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

#include "core/posmap.h"
#include "core/schema.h"
#include "core/store.h"
#include "corpus/corpus.h"
#include "searcher/query.h"
#include "tests/snippet_check.h"

#define SAMPLE_ARTICLES 300
#define MAX_ARTS        400
#define QUERIES         480

typedef struct art {
    char *id, *title, *text;
    size_t len;
    sc_text t;
    size_t *w_at, *w_len; /* its words (letters only), in order */
    size_t n_w;
} art;

/* Each article's values (the map's parts, the sentence index) as the
 * search fetches them: per article index, slot. */
typedef struct art_values {
    char *val[NS_XHIT_SLOTS];
    size_t len[NS_XHIT_SLOTS];
} art_values;
static art_values values[MAX_ARTS];

static char dir[] = "/tmp/ns-test-snipplan-XXXXXX";
static ns_db *maps, *xpos;
static art arts[MAX_ARTS];
static size_t n_arts, n_sample;

static uint32_t
rnd(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 8;
}

static char *
dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    assert_non_null(d);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* The runs of letters (and combining marks) of a's text: the words a
 * query may take. */
static void
find_words(art *a)
{
    size_t cap = 0;
    for (size_t p = 0; p < a->len;) {
        size_t start = p;
        while (p < a->len) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t n = utf8proc_iterate(
                (const utf8proc_uint8_t *)a->text + p,
                (utf8proc_ssize_t)(a->len - p), &cp);
            if (n <= 0)
                break;
            utf8proc_category_t cat = utf8proc_category(cp);
            if (!(cat >= UTF8PROC_CATEGORY_LU &&
                  cat <= UTF8PROC_CATEGORY_ME))
                break;
            p += (size_t)n;
        }
        if (p > start && p - start <= 40) {
            if (a->n_w == cap) {
                cap = cap ? 2 * cap : 256;
                a->w_at = realloc(a->w_at, cap * sizeof *a->w_at);
                a->w_len = realloc(a->w_len, cap * sizeof *a->w_len);
                assert_true(a->w_at && a->w_len);
            }
            a->w_at[a->n_w] = start;
            a->w_len[a->n_w++] = p - start;
        }
        if (p == start)
            p++;
    }
}

static void
add_art(const char *title, const char *text, size_t len)
{
    assert_true(n_arts < MAX_ARTS);
    art *a = &arts[n_arts];
    char id[16];
    snprintf(id, sizeof id, "a%zu", n_arts);
    a->id = dup_n(id, strlen(id));
    a->title = title ? dup_n(title, strlen(title)) : NULL;
    a->text = dup_n(text, len);
    a->len = len;
    assert_int_equal(sc_text_init(&a->t, a->text, a->len), 0);
    find_words(a);
    n_arts++;
}

static int
on_sample(const ns_article *a, const ns__where *w, void *payload)
{
    (void)w;
    (void)payload;
    if (n_sample == SAMPLE_ARTICLES || !a->text_len)
        return n_sample == SAMPLE_ARTICLES;
    add_art(a->title, a->text, a->text_len);
    n_sample++;
    return 0;
}

/* ---- hand-made articles ------------------------------------------------- */

static const char *const filler[] = {
    "The committee met on Tuesday to review the budget.",
    "Officials said the report would be released next week.",
    "Several members asked for more time to study the proposal.",
    "The agency has not commented on the matter.",
    "Talks are expected to continue through the weekend.",
    "A spokesman declined to give further details.",
};

static void
put_filler(ns_buf *b, uint32_t *seed, size_t bytes)
{
    size_t end = b->len + bytes;
    while (b->len < end) {
        ns__buf_puts(b, filler[rnd(seed) % 6]);
        ns__buf_puts(b, rnd(seed) % 7 ? " " : "\n\n");
    }
}

static void
add_buf(const char *title, ns_buf *b)
{
    assert_false(b->oom);
    add_art(title, b->data, b->len);
    ns__buf_reset(b);
}

static void
make_articles(void)
{
    ns_buf b = { 0 };
    uint32_t seed = 7;

    /* Long, the words only near the end. */
    put_filler(&b, &seed, 60000);
    ns__buf_puts(&b, "Finally the senators approved the tariff on lumber, "
                     "and the tariffs on steel were lifted by the senate.");
    put_filler(&b, &seed, 300);
    add_buf("A long report", &b);

    /* Long, the words far apart: start, middle, end. */
    ns__buf_puts(&b, "Hurricane relief reached Puerto Rico. ");
    put_filler(&b, &seed, 40000);
    ns__buf_puts(&b, "The governor thanked volunteers in San Juan. ");
    put_filler(&b, &seed, 40000);
    ns__buf_puts(&b, "Electricity returned to the island's hospitals.");
    add_buf("Relief", &b);

    /* Words far apart, each repeated in a cluster once. */
    for (int i = 0; i < 30; i++) {
        ns__buf_puts(&b, i % 10 == 3 ? "The vaccine shipment arrived. "
                         : i % 10 == 7 ? "Pharmacies stocked the doses. "
                                       : "");
        put_filler(&b, &seed, 700);
    }
    ns__buf_puts(&b, "Vaccine doses reached pharmacies, the shipment said.");
    add_buf("Vaccines", &b);

    /* The title repeated as the first line, its words in the body too. */
    ns__buf_puts(&b, "Statement on the Infrastructure Bill\n\n"
                     "The President welcomed the infrastructure bill. ");
    put_filler(&b, &seed, 2000);
    ns__buf_puts(&b, "The bill funds bridges, roads and broadband. ");
    put_filler(&b, &seed, 2000);
    add_buf("Statement on the Infrastructure Bill", &b);

    /* Inflections. */
    for (int i = 0; i < 40; i++) {
        static const char *const infl[] = {
            "The economy grew. ", "Economies slowed. ",
            "Economic data came in. ", "An economist spoke. ",
            "Workers were striking. ", "The strike ended. ",
            "Strikes spread. ", "They struck a deal. ",
            "Negotiators negotiated; negotiations resumed. ",
        };
        ns__buf_puts(&b, infl[rnd(&seed) % 9]);
        if (i % 4 == 0)
            put_filler(&b, &seed, 300);
    }
    add_buf("Economy and strikes", &b);

    /* Accents. */
    for (int i = 0; i < 30; i++) {
        static const char *const acc[] = {
            "Minister P\xc3\xa9rez met PEREZ supporters. ",
            "The caf\xc3\xa9 in S\xc3\xa3o Paulo reopened. ",
            "Na\xc3\xafve caf\xc3\xa9s and CAFES. ",
            "Se\xc3\xb1or Nu\xc3\xb1" "ez spoke in Espa\xc3\xb1ol. ",
            "Stra\xc3\x9f" "e und Strasse. ",
        };
        ns__buf_puts(&b, acc[rnd(&seed) % 5]);
        put_filler(&b, &seed, 200);
    }
    add_buf("Accents", &b);

    /* CJK among English. */
    for (int i = 0; i < 40; i++) {
        ns__buf_puts(&b, i % 3 ? "\xe6\x9d\xb1\xe4\xba\xac\xe3\x82\xbf"
                                 "\xe3\x83\xaf\xe3\x83\xbc\xe3\x81\xaf"
                                 "\xe9\xab\x98\xe3\x81\x84\xe3\x80\x82"
                               : "Tokyo talks on trade. ");
        if (i % 5 == 0)
            put_filler(&b, &seed, 400);
    }
    add_buf("Tokyo", &b);

    /* One sentence of 8 KB with no end, the words spread. */
    for (int i = 0; i < 800; i++) {
        static const char *const w[] = { "and", "the", "council", "of",
                                         "ministers", "water", "rights",
                                         "river", "basin", "farmers" };
        ns__buf_puts(&b, w[rnd(&seed) % 10]);
        ns__buf_puts(&b, i % 13 == 12 ? ", " : " ");
    }
    add_buf("Water", &b);

    /* Many short sentences. */
    for (int i = 0; i < 2000; i++) {
        static const char *const w[] = { "Yes. ", "No. ", "Maybe. ",
                                         "Budget. ", "Senate! ", "Why? ",
                                         "Vote. ", "Deficit. " };
        ns__buf_puts(&b, w[rnd(&seed) % 8]);
    }
    add_buf("Short", &b);

    /* Phrases across a sentence end (positions go on across it). */
    put_filler(&b, &seed, 3000);
    ns__buf_puts(&b, "He spoke from the White. House aides listened. ");
    put_filler(&b, &seed, 3000);
    ns__buf_puts(&b, "It came by air. Strike teams followed. ");
    put_filler(&b, &seed, 3000);
    ns__buf_puts(&b, "Later an air strike hit the White House lawn. ");
    put_filler(&b, &seed, 3000);
    add_buf("Phrases", &b);

    /* Graphemes around the words: combining marks, emoji, flags. */
    for (int i = 0; i < 200; i++) {
        static const char *const g[] = {
            "cafe\xcc\x81 ", "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7 ",
            "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d"
            "\xf0\x9f\x91\xa7",
            "embassy ", "flag ", "families ", "Paris. ",
        };
        ns__buf_puts(&b, g[rnd(&seed) % 7]);
    }
    add_buf("Emoji", &b);

    /* Random mixes of the words above, 20 KB to 100 KB. */
    for (int k = 0; k < 6; k++) {
        static const char *const w[] = {
            "tariff", "tariffs", "senate", "senators", "vaccine", "doses",
            "White", "House", "air", "strike", "P\xc3\xa9rez", "economy",
            "\xe6\x9d\xb1\xe4\xba\xac", "river", "basin", ".", ",", "\n\n",
            "the", "of", "and", "Mr.", "U.S.", "caf\xc3\xa9",
        };
        size_t end = 20000 + (size_t)k * 16000;
        while (b.len < end) {
            if (rnd(&seed) % 4 == 0) {
                put_filler(&b, &seed, rnd(&seed) % 3000);
                continue;
            }
            ns__buf_puts(&b, w[rnd(&seed) % 24]);
            ns__buf_puts(&b, rnd(&seed) % 9 ? " " : ". ");
        }
        add_buf(k % 2 ? "Senate tariff" : NULL, &b);
    }
    ns__buf_free(&b);
}

static void
index_into(ns_db *w)
{
    for (size_t i = 0; i < n_arts; i++) {
        ns_article a = NS_ARTICLE_INIT;
        a.id = arts[i].id;
        a.title = arts[i].title;
        a.text = arts[i].text;
        a.text_len = arts[i].len;
        assert_int_equal(ns_db_add_article(w, &a), NS_OK);
    }
    assert_int_equal(ns_db_commit(w), NS_OK);
}

static int
setup(void **state)
{
    (void)state;
    const char *src = getenv("NS_SOURCE_DIR");
    if (!src || !mkdtemp(dir))
        return -1;
    char cmd[1024], in[128];
    snprintf(in, sizeof in, "%s/in.jsonl", dir);
    snprintf(cmd, sizeof cmd,
             "zstd -qdc %s/corpus/sample/whitehouse-sample.jsonl.zst | "
             "head -n %d > %s",
             src, SAMPLE_ARTICLES + 20, in);
    if (system(cmd) != 0)
        return -1;
    ns__corpus_sink sink = { 0 };
    sink.article = on_sample;
    ns_status st = ns__corpus_walk(in, &sink);
    if ((st != NS_OK && st != NS_ERR_ABORTED) || n_sample != SAMPLE_ARTICLES)
        return -1;
    make_articles();

    char path[128];
    ns_db *w;
    snprintf(path, sizeof path, "%s/maps", dir);
    if (ns_db_open(path, NS_OPEN_WRITE | NS_OPEN_CREATE |
                             NS_OPEN_POSITION_MAPS, &w, NULL) != NS_OK)
        return -1;
    index_into(w);
    ns_db_close(w);
    if (ns_db_open(path, NS_OPEN_READ, &maps, NULL) != NS_OK)
        return -1;
    snprintf(path, sizeof path, "%s/xpos", dir);
    if (ns_db_open(path, NS_OPEN_WRITE | NS_OPEN_CREATE | NS_OPEN_POSITIONS,
                   &w, NULL) != NS_OK)
        return -1;
    index_into(w);
    ns_db_close(w);
    return ns_db_open(path, NS_OPEN_READ, &xpos, NULL) == NS_OK ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    ns_db_close(maps);
    ns_db_close(xpos);
    for (size_t i = 0; i < n_arts; i++) {
        free(arts[i].id);
        free(arts[i].title);
        free(arts[i].text);
        free(arts[i].w_at);
        free(arts[i].w_len);
        sc_text_free(&arts[i].t);
        for (unsigned s = 0; s < NS_XHIT_SLOTS; s++)
            free(values[i].val[s]);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static art *
art_of(const char *id)
{
    size_t i = (size_t)strtoul(id + 1, NULL, 10);
    assert_true(id[0] == 'a' && i < n_arts);
    assert_string_equal(arts[i].id, id);
    return &arts[i];
}

/* ---- every article's values ---------------------------------------------- */


static size_t
fetch_all_values(ns_db *db, art_values *out)
{
    ns__xq *all = ns__xq_match_all();
    assert_non_null(all);
    ns__xsearch_opts o;
    memset(&o, 0, sizeof o);
    o.limit = MAX_ARTS;
    o.fetch = NS_XFETCH_DATA;
    for (unsigned s = 0; s < NS_POSMAP_PARTS; s++)
        o.fetch_values |= (uint32_t)1 << (NS_SLOT_POSMAP + s);
    o.fetch_values |= (uint32_t)1 << NS_SLOT_SENTENCES;
    ns__xmset *m = NULL;
    assert_int_equal(ns__xdb_search(db->x, all, &o, &m), NS_OK);
    assert_int_equal(m->n, n_arts);
    size_t with_sentences = 0;
    for (size_t i = 0; i < m->n; i++) {
        ns__record rec;
        memset(&rec, 0, sizeof rec);
        assert_int_equal(ns__store_decode(db->store, m->hits[i].data,
                                          m->hits[i].data_len, 0, &rec),
                         NS_OK);
        art *a = art_of(rec.id);
        ns__record_free(&rec);
        with_sentences += m->hits[i].val[NS_SLOT_SENTENCES] != NULL;
        for (unsigned s = 0; out && s < NS_XHIT_SLOTS; s++) {
            art_values *v = &out[a - arts];
            if (!m->hits[i].val[s])
                continue;
            v->val[s] = dup_n(m->hits[i].val[s], m->hits[i].val_len[s]);
            v->len[s] = m->hits[i].val_len[s];
        }
    }
    ns__xmset_free(m);
    ns__xq_free(all);
    return with_sentences;
}

/* The maps index keeps a sentence index for every article (each has a
 * body), so its snippets of several words plan; the positions index
 * keeps none, so its snippets scan. */
static void
test_values_kept(void **state)
{
    (void)state;
    assert_int_equal(fetch_all_values(maps, values), n_arts);
    assert_int_equal(fetch_all_values(xpos, NULL), 0);
    for (size_t i = 0; i < n_arts; i++) {
        uint32_t *cp = NULL;
        size_t cap = 0, n = 0;
        assert_int_equal(ns__posmap_read_sentences(
                             values[i].val[NS_SLOT_SENTENCES],
                             values[i].len[NS_SLOT_SENTENCES], &cp, &cap, &n),
                         NS_OK);
        assert_true(n >= 1);
        assert_true(cp[2 * n - 1] < arts[i].len);
        ns_free(cp);
    }
}

/* ---- queries of the articles' words -------------------------------------- */

/* Append a's word i, ASCII lowercased (so never an operator). */
static void
put_word(ns_buf *b, const art *a, size_t i)
{
    for (size_t k = 0; k < a->w_len[i]; k++) {
        char c = a->text[a->w_at[i] + k];
        ns__buf_putc(b, c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c);
    }
}

static size_t
pick(const art *a, uint32_t *seed, size_t lo, size_t hi)
{
    if (hi > a->n_w)
        hi = a->n_w;
    if (lo >= hi)
        lo = 0;
    return lo + rnd(seed) % (hi - lo);
}

/* Query k: words (some from the text's two ends), a phrase of 2 or 3
 * consecutive words, an excluded word, w1 NEAR/n w2. */
static const art *
make_query(unsigned k, ns_buf *b)
{
    uint32_t seed = k * 2654435761u + 1;
    size_t ai = k % 3 == 0 ? n_sample + (k / 3) % (n_arts - n_sample)
                           : (k * 7) % n_sample;
    const art *a = &arts[ai];
    size_t n = a->n_w, tenth = n / 10 + 1;
    ns__buf_reset(b);
    if (n < 4) {
        ns__buf_puts(b, "president white");
        return a;
    }
    size_t words = 2 + rnd(&seed) % 4;
    switch (k % 6) {
    case 0:
    default:
        for (size_t i = 0; i < words; i++) {
            put_word(b, a, pick(a, &seed, 0, n));
            ns__buf_putc(b, ' ');
        }
        break;
    case 1: /* one near the start, one near the end */
        put_word(b, a, pick(a, &seed, 0, tenth));
        ns__buf_putc(b, ' ');
        put_word(b, a, pick(a, &seed, n - tenth, n));
        for (size_t i = 2; i < words; i++) {
            ns__buf_putc(b, ' ');
            put_word(b, a, pick(a, &seed, 0, n));
        }
        break;
    case 2:
    case 5: { /* phrases */
        for (int p = 0; p < (k % 6 == 5 ? 2 : 1); p++) {
            size_t len = 2 + rnd(&seed) % 2, i = pick(a, &seed, 0, n - len);
            ns__buf_putc(b, '"');
            for (size_t j = 0; j < len; j++) {
                if (j)
                    ns__buf_putc(b, ' ');
                put_word(b, a, i + j);
            }
            ns__buf_puts(b, "\" ");
            if (rnd(&seed) % 2)
                put_word(b, a, pick(a, &seed, 0, n));
            ns__buf_putc(b, ' ');
        }
        break;
    }
    case 3: /* an excluded word of the same text */
        for (size_t i = 0; i < words; i++) {
            put_word(b, a, pick(a, &seed, 0, n));
            ns__buf_putc(b, ' ');
        }
        ns__buf_putc(b, '-');
        put_word(b, a, pick(a, &seed, 0, n));
        break;
    case 4: { /* NEAR/n */
        unsigned win = 2 + rnd(&seed) % 8;
        size_t i = pick(a, &seed, 0, n - win);
        put_word(b, a, i);
        ns__buf_printf(b, " NEAR/%u ", win);
        put_word(b, a, i + 1 + rnd(&seed) % win);
        if (words > 3) {
            ns__buf_putc(b, ' ');
            put_word(b, a, pick(a, &seed, 0, n));
        }
        break;
    }
    }
    assert_false(b->oom);
    return a;
}

typedef struct tally {
    unsigned queries, planned, hits, differ, fails, scan_fails, fewer;
} tally;

static void
report(tally *t, int scan, const char *query, const char *id,
       const char *why, const ns_hit *h)
{
    unsigned *n = scan ? &t->scan_fails : &t->fails;
    if ((*n)++ < 8)
        print_error("%s snippet, query '%s', article %s: %s\n  snippet: %s\n",
                    scan ? "scan" : "planned", query, id, why, h->snippet);
}

static void
check_hit(tally *t, const ns__query *q, const char *query, const ns_hit *hm,
          const ns_hit *hx)
{
    art *a = art_of(hm->id);
    snip_check c;
    memset(&c, 0, sizeof c);
    c.an = maps->analyzer;
    c.q = q;
    c.t = &a->t;
    c.snip = hx->snippet;
    c.snip_len = hx->snippet_len;
    c.hl = hx->highlights;
    c.n_hl = hx->n_highlights;
    int scan_ok = snip_check_run(&c) == 0;
    if (!scan_ok)
        report(t, 1, query, hm->id, c.why, hx);
    unsigned scan_shown = snip_check_shown(&c);
    c.snip = hm->snippet;
    c.snip_len = hm->snippet_len;
    c.hl = hm->highlights;
    c.n_hl = hm->n_highlights;
    if (snip_check_run(&c) != 0) {
        report(t, 0, query, hm->id, c.why, hm);
    } else if (scan_ok && snip_check_shown(&c) < scan_shown) {
        char why[1200];
        snprintf(why, sizeof why, "(b) %u query words shown, the scan %u: "
                 "\"%s\"", snip_check_shown(&c), scan_shown, hx->snippet);
        t->fewer++;
        report(t, 0, query, hm->id, why, hm);
    }
    snip_check_free(&c);
    t->differ += hm->snippet_len != hx->snippet_len ||
                 memcmp(hm->snippet, hx->snippet, hm->snippet_len) != 0;
}

static void
test_planned_vs_scan(void **state)
{
    (void)state;
    tally t = { 0 };
    ns_buf query = { 0 };
    for (unsigned k = 0; k < QUERIES; k++) {
        make_query(k, &query);
        const char *qs = ns__buf_cstr(&query);
        ns__query q;
        if (ns__query_parse(maps, qs, 0, &q) != NS_OK)
            continue;
        ns_search_options o = NS_SEARCH_OPTIONS_INIT;
        o.limit = MAX_ARTS;
        o.all = 1;
        o.snippet_len = k % 4 == 3 ? 120 : k % 4 == 2 ? 400 : 0;
        ns_results *rm = NULL, *rx = NULL;
        assert_int_equal(ns_db_search(maps, qs, &o, &rm), NS_OK);
        assert_int_equal(ns_db_search(xpos, qs, &o, &rx), NS_OK);
        size_t n = ns_results_count(rm);
        if (n != ns_results_count(rx))
            fail_msg("query '%s': %zu results with maps, %zu with positions",
                     qs, n, ns_results_count(rx));
        t.queries++;
        int plans = ns__snippet_plans(&q);
        for (size_t i = 0; i < n; i++) {
            const ns_hit *hm = ns_results_get(rm, i), *hx = NULL;
            for (size_t j = 0; j < n && !hx; j++) {
                const ns_hit *h = ns_results_get(rx, (i + j) % n);
                if (strcmp(h->id, hm->id) == 0)
                    hx = h;
            }
            if (!hx)
                fail_msg("query '%s': %s only with maps", qs, hm->id);
            check_hit(&t, &q, qs, hm, hx);
            t.hits++;
            t.planned += plans;
        }
        ns_results_free(rm);
        ns_results_free(rx);
        ns__query_free(&q);
    }
    ns__buf_free(&query);
    print_message("%u queries, %u results (%u planned), %u snippets differ; "
                  "%u planned fail, %u scans fail, %u show fewer words\n",
                  t.queries, t.hits, t.planned, t.differ, t.fails,
                  t.scan_fails, t.fewer);
    assert_true(t.queries > QUERIES * 9 / 10);
    assert_true(t.planned > t.hits / 2);
    assert_int_equal(t.scan_fails, 0);
    assert_int_equal(t.fails, 0);
}

/* ---- damaged values ------------------------------------------------------- */

typedef struct dmg_values {
    const art_values *v;
    int slot; /* the damaged one's, or -1 */
    const char *bad;
    size_t bad_len;
} dmg_values;

static const char *
dmg_get(void *ctx, unsigned slot, size_t *len)
{
    const dmg_values *d = ctx;
    if ((int)slot == d->slot) {
        *len = d->bad_len;
        return d->bad;
    }
    *len = slot < NS_XHIT_SLOTS ? d->v->len[slot] : 0;
    return slot < NS_XHIT_SLOTS ? d->v->val[slot] : NULL;
}

typedef struct reveal {
    const char *text;
    size_t len, shown;
    uint32_t seed;
} reveal;

static ns_status
reveal_more(void *ctx, const char **text, size_t *len)
{
    reveal *r = ctx;
    size_t step = 1 + rnd(&r->seed) % 700;
    r->shown = r->len - r->shown < step ? r->len : r->shown + step;
    *text = r->text;
    *len = r->shown;
    return NS_OK;
}

/* A snippet from values damaged every way: NS_OK with a snippet of the
 * text (in range, cut on graphemes), or NS_ERR_INDEX_CORRUPT; and from
 * the intact values, one that passes the whole check. */
static void
test_damaged_values(void **state)
{
    (void)state;
    if (!values[0].val[NS_SLOT_SENTENCES])
        assert_int_equal(fetch_all_values(maps, values), n_arts);
    ns_buf query = { 0 }, bad = { 0 };
    uint32_t seed = 99;
    unsigned ok = 0, corrupt = 0;
    for (unsigned k = 0; k < 240; k++) {
        /* Queries of the planned kinds, on their own article. */
        const art *a = make_query(k, &query);
        const art_values *v = &values[a - arts];
        ns__query q;
        if (ns__query_parse(maps, ns__buf_cstr(&query), 0, &q) != NS_OK)
            continue;
        for (int round = 0; round < 12; round++) {
            dmg_values d = { v, -1, NULL, 0 };
            ns__buf_reset(&bad);
            if (round > 0) {
                /* round 1-5: the sentence index; 6-11: a map part */
                unsigned slot = NS_SLOT_SENTENCES;
                if (round >= 6) {
                    const char *t = q.n_terms ? q.terms[rnd(&seed) %
                                                        q.n_terms].text
                                              : "x";
                    slot = NS_SLOT_POSMAP +
                           NS_POSMAP_PART(ns__posmap_key(t, strlen(t)));
                }
                const art_values *o = &values[rnd(&seed) % n_arts];
                switch (round % 3) {
                case 0: /* another article's */
                    if (o->val[slot])
                        ns__buf_append(&bad, o->val[slot], o->len[slot]);
                    break;
                case 1: /* bytes flipped */
                    if (v->val[slot])
                        ns__buf_append(&bad, v->val[slot], v->len[slot]);
                    for (int f = 0; bad.len && f < 1 + round % 4; f++)
                        bad.data[rnd(&seed) % bad.len] ^=
                            (char)(1u << rnd(&seed) % 8);
                    break;
                case 2: /* cut short, or grown */
                    if (v->val[slot])
                        ns__buf_append(&bad, v->val[slot],
                                       v->len[slot] -
                                           rnd(&seed) % (v->len[slot] + 1));
                    if (round % 2)
                        ns__buf_puts(&bad, "\x7f\x7f\xff");
                    break;
                }
                assert_false(bad.oom);
                d.slot = (int)slot;
                d.bad = bad.len ? bad.data : NULL;
                d.bad_len = bad.len;
            }
            ns__xvalues xv = { dmg_get, &d };
            reveal r = { a->text, a->len, a->len, seed };
            if (round % 2)
                r.shown = 1 + rnd(&seed) % a->len;
            ns__snippet_text src = { a->text, r.shown, a->len, a->title,
                                     reveal_more, NULL, &r, NULL, &xv };
            ns_buf out = { 0 };
            ns_highlight *hl = NULL;
            size_t n_hl = 0;
            ns_status st = ns__snippet_make_steps(maps->analyzer, &q, &src,
                                                  0, &out, &hl, &n_hl);
            if (st == NS_ERR_INDEX_CORRUPT && round > 0) {
                corrupt++;
                continue;
            }
            if (st != NS_OK)
                fail_msg("query '%s', article %s, round %d: %s",
                         ns__buf_cstr(&query), a->id, round,
                         ns_strerror(st));
            ok++;
            snip_check c;
            memset(&c, 0, sizeof c);
            c.an = maps->analyzer;
            c.q = &q;
            c.t = &a->t;
            c.snip = ns__buf_cstr(&out);
            c.snip_len = out.len;
            c.hl = hl;
            c.n_hl = n_hl;
            c.form_only = round > 0;
            if (snip_check_run(&c) != 0)
                fail_msg("query '%s', article %s, round %d: %s\n"
                         "  snippet: %s",
                         ns__buf_cstr(&query), a->id, round, c.why,
                         ns__buf_cstr(&out));
            snip_check_free(&c);
            ns__buf_free(&out);
            ns_free(hl);
        }
        ns__query_free(&q);
    }
    print_message("damaged values: %u snippets, %u refused as corrupt\n", ok,
                  corrupt);
    ns__buf_free(&query);
    ns__buf_free(&bad);
}

/* One article, the query's words in two sentences far apart and one
 * word it lacks ("advisor"): a snippet of 120 bytes from the scan shows
 * "United" and "Security", the planned one "United" only. */
static void
test_fewer_words(void **state)
{
    (void)state;
    const char *data = getenv("NS_TEST_DATA");
    assert_non_null(data);
    char path[1024];
    snprintf(path, sizeof path, "%s/snippet-plan-fewer.txt", data);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char text[4096];
    size_t len = fread(text, 1, sizeof text, f);
    fclose(f);
    sc_text t;
    assert_int_equal(sc_text_init(&t, text, len), 0);
    static const char *const query = "advisor united security";
    unsigned shown[2];
    for (int k = 0; k < 2; k++) {
        char d[128];
        snprintf(d, sizeof d, "%s/fewer-%d", dir, k);
        ns_db *w, *r;
        assert_int_equal(ns_db_open(d, NS_OPEN_WRITE | NS_OPEN_CREATE |
                                           (k ? NS_OPEN_POSITIONS
                                              : NS_OPEN_POSITION_MAPS),
                                    &w, NULL),
                         NS_OK);
        ns_article a = NS_ARTICLE_INIT;
        a.id = "x";
        a.text = text;
        a.text_len = len;
        assert_int_equal(ns_db_add_article(w, &a), NS_OK);
        assert_int_equal(ns_db_commit(w), NS_OK);
        ns_db_close(w);
        assert_int_equal(ns_db_open(d, NS_OPEN_READ, &r, NULL), NS_OK);
        ns_search_options o = NS_SEARCH_OPTIONS_INIT;
        o.snippet_len = 120;
        ns_results *res;
        assert_int_equal(ns_db_search(r, query, &o, &res), NS_OK);
        assert_int_equal(ns_results_count(res), 1);
        const ns_hit *h = ns_results_get(res, 0);
        ns__query q;
        assert_int_equal(ns__query_parse(r, query, 0, &q), NS_OK);
        snip_check c;
        memset(&c, 0, sizeof c);
        c.an = r->analyzer;
        c.q = &q;
        c.t = &t;
        c.snip = h->snippet;
        c.snip_len = h->snippet_len;
        c.hl = h->highlights;
        c.n_hl = h->n_highlights;
        if (snip_check_run(&c) != 0)
            fail_msg("%s: %s", k ? "scan" : "planned", c.why);
        shown[k] = snip_check_shown(&c);
        print_message("%s: %s\n", k ? "scan" : "planned", h->snippet);
        snip_check_free(&c);
        ns__query_free(&q);
        ns_results_free(res);
        ns_db_close(r);
    }
    sc_text_free(&t);
    assert_int_equal(shown[1], 2);
    assert_int_equal(shown[0], shown[1]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_kept),
        cmocka_unit_test(test_planned_vs_scan),
        cmocka_unit_test(test_damaged_values),
        cmocka_unit_test(test_fewer_words),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
