/*
 * test_searcher_verify.c: phrases, NEAR/n and ADJ/n checked on the stored
 * text (searcher/verify.c) in an index made without positions
 * (NS_OPEN_NO_POSITIONS), on the position maps of one that keeps them so
 * (NS_OPEN_POSITION_MAPS, core/posmap.c), and matched on the positions of
 * one that keeps them in Xapian's table (NS_OPEN_POSITIONS).
 *
 * Hand-made cases catch the verifier's likely mistakes (words present but
 * apart, an excluded phrase, title-only phrases, NEAR's window edges, the
 * title/body boundary, accented and multibyte text).  Then an oracle:
 * random articles over five words are indexed three times, without
 * positions, with maps and with Xapian's positions, and every random
 * phrase, NEAR and ADJ query must match on the first two exactly the
 * articles that Xapian's own OP_PHRASE and OP_NEAR match on the third's
 * positions; the third searched through nsearch (which then uses those
 * operators, through the query parser) must agree too.
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
#include "core/schema.h"
#include "core/shards.h"

static char dir[] = "/tmp/ns-test-verify-XXXXXX";
static char plain_dir[600], pos_dir[600], map_dir[600];
static ns_db *plain, *pos, *map;

static void
add(ns_db *w, const char *id, const char *title, const char *text)
{
    ns_article a = NS_ARTICLE_INIT;
    a.id = id;
    a.title = title;
    a.text = text;
    a.text_len = strlen(text);
    assert_int_equal(ns_db_add_article(w, &a), NS_OK);
}

/* ---- hand-made cases ---------------------------------------------------- */

static const struct {
    const char *id, *title, *text;
} cases[] = {
    { "adj", "Report", "An air strike hit the depot." },
    { "apart", "Report", "The strike came from the air at night." },
    { "reversed", "Report", "They said strike air was a typo." },
    { "title", "Air strike on depot", "The depot burned all night." },
    /* "air" ends the title, "strike" starts the body. */
    { "boundary", "Bombers in the air", "Strike teams followed." },
    { "near2", "Report", "alpha one two bravo" },
    { "near3", "Report", "alpha one two three bravo" },
    { "accent", "Actualité", "Le café crème de Pérez à São Paulo." },
    { "cjk", "Report", "東京都 and the river" },
    { "twice", "Report", "the the end, and the river" },
    /* A phrase as written, or not quite (verify.c's shortcut). */
    { "w1", "Report", "A WHITE HOUSE. Next" },
    { "w2", "Report", "snowwhite housework, white and house" },
    { "w3", "Report", "white-house style" },
    { "w4", "Report", "White House's staff" },
    { "w5", "Report", "white housed it" },
    { "w6", "Report", "white house.gov site" },
    { "w7", "Whites housing", "x" },
    { "w8", "Report", "(white house) and \"white house\"" },
    { "w9", "Report", "white\n\nhouse" },
    { "w10", "Report", "white U.S. house" },
    { "w11", "Report", "white house2 and a house" },
    { "w13", "Report", "white houses.Then a house" },
    { "w14", "Report", "Bwhite house, white" },
    { "w12", "Report", "Café white house, staff" },
    /* A number goes on past a comma or a colon: "were 4" is not in
     * "were 4,122,301" (one token), nor "at 10" in "at 10:30". */
    { "n1", "Report", "Sales were 4,122,301 in 4 weeks" },
    { "n2", "Report", "about 50,000 came, 50 left; about 50." },
    { "n3", "Report", "meet at 10:30, or at 10 sharp" },
    { "n4", "Report", "white house,staff and white house;" },
};

/* The ids of the first limit results of q in db, in rank order, joined
 * by spaces, into out. */
static void
top_of(ns_db *db, const char *q, unsigned limit, char *out, size_t cap)
{
    ns_search_options o = NS_SEARCH_OPTIONS_INIT;
    o.limit = limit;
    o.all = 1;
    o.no_snippets = 1;
    ns_results *r = NULL;
    ns_status st = ns_db_search(db, q, &o, &r);
    if (st != NS_OK)
        fail_msg("%s: %s (%s)", q, ns_strerror(st), ns_db_errmsg(db));
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < ns_results_count(r) && at < cap; i++)
        at += (size_t)snprintf(out + at, cap - at, "%s%s", i ? " " : "",
                               ns_results_get(r, i)->id);
    ns_results_free(r);
}

/* The ids q matches in db, sorted, joined by spaces, into out. */
static void
ids_of(ns_db *db, const char *q, char *out, size_t cap)
{
    ns_search_options o = NS_SEARCH_OPTIONS_INIT;
    o.limit = 1000;
    o.all = 1;
    o.no_snippets = 1;
    ns_results *r = NULL;
    ns_status st = ns_db_search(db, q, &o, &r);
    if (st != NS_OK)
        fail_msg("%s: %s (%s)", q, ns_strerror(st), ns_db_errmsg(db));
    size_t n = ns_results_count(r);
    const char **v = calloc(n ? n : 1, sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = ns_results_get(r, i)->id;
    for (size_t i = 1; i < n; i++) /* a few: insertion sort */
        for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
            const char *t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && at < cap; i++)
        at += (size_t)snprintf(out + at, cap - at, "%s%s", i ? " " : "", v[i]);
    free(v);
    ns_results_free(r);
}

static void
expect(const char *q, const char *want)
{
    char got[4096];
    ids_of(plain, q, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got [%s], want [%s]", q, got, want);
    /* The indexes with positions answer the same. */
    ids_of(pos, q, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%s (positions): got [%s], want [%s]", q, got, want);
    ids_of(map, q, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%s (maps): got [%s], want [%s]", q, got, want);
}

static void
test_cases(void **state)
{
    (void)state;
    /* Words present but not adjacent, or not in order: no match. */
    expect("\"air strike\"", "adj title");
    expect("air strike", "adj apart boundary reversed title");
    expect("air AND strike -\"air strike\"", "apart boundary reversed");
    expect("-\"air strike\" depot", "");
    expect("strike -\"air strike\"", "apart boundary reversed");
    expect("burned -\"air strike\"", "");
    expect("\"the depot\" -\"air strike\"", "");
    expect("\"hit the depot\"", "adj");
    /* title: only the title's words. */
    expect("title:\"air strike\"", "title");
    expect("title:\"the depot\"", "");
    expect("title:air NEAR/1 title:strike", "title");
    expect("title:air NEAR/1 title:depot", "");
    expect("title:air NEAR/2 title:depot", "title");
    /* NEAR/n: at most n words between, in any order; ADJ/n in order. */
    expect("alpha NEAR/2 bravo", "near2");
    expect("alpha NEAR/3 bravo", "near2 near3");
    expect("bravo NEAR/2 alpha", "near2");
    expect("alpha ADJ/2 bravo", "near2");
    expect("bravo ADJ/3 alpha", "");
    expect("alpha NEAR/1 bravo", "");
    /* Not across the title and the body. */
    expect("\"air strike\" AND teams", "");
    expect("\"the air\" AND teams", "boundary");
    expect("air NEAR/5 strike", "adj apart reversed title");
    /* Accents folded, multibyte text. */
    expect("\"cafe creme de perez\"", "accent");
    expect("\"Pérez à São Paulo\"", "accent");
    expect("\"creme cafe\"", "");
    expect("東京", "cjk");
    expect("京都", "cjk");
    expect("\"都京\"", "");
    /* A repeated word: two tokens of it. */
    expect("\"the the\"", "twice");
    expect("\"the end\"", "twice");
    expect("\"the river\"", "cjk twice");
}

/* ---- the oracle --------------------------------------------------------- */

static const char *vocab[] = { "kilo", "lima", "mike", "oscar", "papa" };
#define N_VOCAB  5
#define N_RANDOM 300

static unsigned rng = 12345;
static unsigned
rnd(unsigned n)
{
    rng = rng * 1103515245u + 12345u;
    return (rng >> 16) % n;
}

static void
random_words(char *buf, size_t cap, unsigned n)
{
    size_t at = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < n && at < cap; i++)
        at += (size_t)snprintf(buf + at, cap - at, "%s%s", i ? " " : "",
                               vocab[rnd(N_VOCAB)]);
}

/* Xapian's own positional match on pos's positions: the ids, as ids_of. */
static void
oracle_terms(const char *const *terms,
             size_t n,
             int ordered,
             unsigned window,
             int title,
             char *out,
             size_t cap)
{
    ns__xq *v[8];
    for (size_t i = 0; i < n; i++) {
        char t[80];
        snprintf(t, sizeof t, "%s%s", title ? NS_PREFIX_TITLE : "", terms[i]);
        v[i] = ns__xq_term(t, strlen(t), 1, (uint32_t)i);
    }
    ns__xq *q =
        ns__xq_combine(ordered ? NS_XQ_PHRASE : NS_XQ_NEAR, v, n, window);
    assert_non_null(q);
    ns__xsearch_opts o = { 0 };
    o.limit = 1000;
    o.fetch = NS_XFETCH_ID;
    ns__xmset *m = NULL;
    assert_int_equal(ns__xdb_search(pos->x, q, &o, &m), NS_OK);
    ns__xq_free(q);
    for (size_t i = 1; i < m->n; i++)
        for (size_t j = i;
             j > 0 && strcmp(m->hits[j - 1].data, m->hits[j].data) > 0; j--) {
            ns__xhit t = m->hits[j];
            m->hits[j] = m->hits[j - 1];
            m->hits[j - 1] = t;
        }
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < m->n && at < cap; i++)
        at += (size_t)snprintf(out + at, cap - at, "%s%s", i ? " " : "",
                               m->hits[i].data);
    ns__xmset_free(m);
}

static void
oracle(const unsigned *w,
       size_t n,
       int ordered,
       unsigned window,
       int title,
       char *out,
       size_t cap)
{
    const char *terms[8];
    for (size_t i = 0; i < n; i++)
        terms[i] = vocab[w[i]];
    oracle_terms(terms, n, ordered, window, title, out, cap);
}

typedef struct term_list {
    char t[8][80];
    size_t n;
} term_list;

static int
on_query_token(const ns_token *t, void *payload)
{
    term_list *l = payload;
    if (l->n < 8)
        snprintf(l->t[l->n++], sizeof l->t[0], "%s", t->term);
    return 0;
}

/* A phrase found as written (verify.c's shortcut) or only by analysis:
 * the same articles as Xapian's OP_PHRASE on the positions. */
static void
test_as_written(void **state)
{
    (void)state;
    static const char *const phrases[] = {
        "white house", "whites housing", "house white", "WHITE HOUSE",
        "white house staff", "were 4", "about 50", "came 50", "at 10",
        "at 10 sharp", "in 4 weeks", "50 left",
    };
    for (size_t p = 0; p < sizeof phrases / sizeof *phrases; p++) {
        term_list l = { .n = 0 };
        assert_int_equal(
            ns__analyzer_run(pos->analyzer, phrases[p], strlen(phrases[p]), 0,
                             NS_ANALYZE_QUERY, on_query_token, &l, NULL),
            NS_OK);
        const char *terms[8];
        for (size_t i = 0; i < l.n; i++)
            terms[i] = l.t[i];
        char q[128], want[4096], got[4096];
        oracle_terms(terms, l.n, 1, (unsigned)l.n, 0, want, sizeof want);
        snprintf(q, sizeof q, "\"%s\"", phrases[p]);
        ids_of(plain, q, got, sizeof got);
        if (strcmp(got, want) != 0)
            fail_msg("%s: got [%s], Xapian's positions [%s]", q, got, want);
        ids_of(map, q, got, sizeof got);
        if (strcmp(got, want) != 0)
            fail_msg("%s (maps): got [%s], Xapian's [%s]", q, got, want);
        snprintf(q, sizeof q, "(\"%s\") OR qqqq", phrases[p]);
        ids_of(plain, q, got, sizeof got);
        if (strcmp(got, want) != 0)
            fail_msg("%s: got [%s], Xapian's positions [%s]", q, got, want);
    }
    /* Both ways occur above. */
    char got[4096];
    ids_of(plain, "\"white house\"", got, sizeof got);
    assert_non_null(strstr(got, "w1"));
    assert_non_null(strstr(got, "w4"));
    assert_null(strstr(got, "w2"));
}

static void
test_oracle(void **state)
{
    (void)state;
    unsigned tried = 0, matched = 0;
    for (int k = 0; k < 400; k++) {
        unsigned w[4];
        size_t n = 2 + rnd(2);
        int kind = (int)rnd(3); /* 0 phrase, 1 NEAR/d, 2 ADJ/d */
        int title = rnd(4) == 0;
        unsigned d = rnd(4);
        for (size_t i = 0; i < n; i++) {
            w[i] = rnd(N_VOCAB);
            /* NEAR with a repeated word: Xapian 1.4 lets one position
             * serve twice, the verifier does not; phrases may repeat. */
            for (size_t j = 0; kind == 1 && j < i; j++)
                if (w[j] == w[i]) {
                    w[i] = (w[i] + 1) % N_VOCAB;
                    j = (size_t)-1;
                }
        }
        char q[256];
        size_t at = 0;
        if (kind == 0) {
            at += (size_t)snprintf(q, sizeof q, "%s\"", title ? "title:" : "");
            for (size_t i = 0; i < n; i++)
                at += (size_t)snprintf(q + at, sizeof q - at, "%s%s",
                                       i ? " " : "", vocab[w[i]]);
            snprintf(q + at, sizeof q - at, "\"");
        } else {
            for (size_t i = 0; i < n; i++) {
                at += (size_t)snprintf(q + at, sizeof q - at, "%s%s",
                                       title ? "title:" : "", vocab[w[i]]);
                if (i + 1 < n)
                    at += (size_t)snprintf(q + at, sizeof q - at, " %s/%u ",
                                           kind == 1 ? "NEAR" : "ADJ", d);
            }
        }
        unsigned window = kind == 0 ? (unsigned)n : d + (unsigned)n;
        char want[8192], got[8192];
        oracle(w, n, kind != 1, window, title, want, sizeof want);
        ids_of(plain, q, got, sizeof got);
        if (strcmp(got, want) != 0)
            fail_msg("%s: got [%s], Xapian's positions [%s]", q, got, want);
        ids_of(pos, q, got, sizeof got);
        if (strcmp(got, want) != 0)
            fail_msg("%s (positions): got [%s], want [%s]", q, got, want);
        ids_of(map, q, got, sizeof got);
        if (strcmp(got, want) != 0)
            fail_msg("%s (maps): got [%s], want [%s]", q, got, want);
        /* Inside a larger query the constraint is a filter of its words
         * (a query of it alone is checked on the ranked matches only):
         * the same matches, and the same top results. */
        char wide[300], top[512], wtop[512];
        snprintf(wide, sizeof wide, "(%s) OR qqqq", q);
        ids_of(plain, wide, got, sizeof got);
        if (strcmp(got, want) != 0)
            fail_msg("%s: got [%s], want [%s]", wide, got, want);
        ids_of(map, wide, got, sizeof got);
        if (strcmp(got, want) != 0)
            fail_msg("%s (maps): got [%s], want [%s]", wide, got, want);
        top_of(plain, q, 5, top, sizeof top);
        top_of(plain, wide, 5, wtop, sizeof wtop);
        if (strcmp(top, wtop) != 0)
            fail_msg("%s: top [%s], and [%s] for %s", q, top, wtop, wide);
        tried++;
        matched += want[0] != '\0';
    }
    /* The oracle is only worth something if both outcomes occur. */
    assert_true(matched > tried / 10 && matched < tried);
}

static int
setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(plain_dir, sizeof plain_dir, "%s/plain", dir);
    snprintf(pos_dir, sizeof pos_dir, "%s/pos", dir);
    snprintf(map_dir, sizeof map_dir, "%s/map", dir);
    const char *dirs[3] = { plain_dir, pos_dir, map_dir };
    const unsigned way[3] = { NS_OPEN_NO_POSITIONS, NS_OPEN_POSITIONS,
                              NS_OPEN_POSITION_MAPS };
    for (int k = 0; k < 3; k++) {
        ns_db *w;
        if (ns_db_open(dirs[k], NS_OPEN_WRITE | NS_OPEN_CREATE | way[k], &w,
                       NULL) != NS_OK)
            return -1;
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
            add(w, cases[i].id, cases[i].title, cases[i].text);
        rng = 777;
        for (int i = 0; i < N_RANDOM; i++) {
            char id[16], title[128], text[512];
            snprintf(id, sizeof id, "r%03d", i);
            random_words(title, sizeof title, 1 + rnd(4));
            random_words(text, sizeof text, 3 + rnd(30));
            add(w, id, title, text);
        }
        if (ns_db_commit(w) != NS_OK)
            return -1;
        ns_db_close(w);
    }
    if (ns_db_open(plain_dir, NS_OPEN_READ, &plain, NULL) != NS_OK ||
        ns_db_open(pos_dir, NS_OPEN_READ, &pos, NULL) != NS_OK ||
        ns_db_open(map_dir, NS_OPEN_READ, &map, NULL) != NS_OK)
        return -1;
    /* Each is searched the way its choice says (ns__db_positions). */
    if (ns__db_positions(plain) || !ns__db_positions(pos) ||
        ns__db_positions(map) ||
        ns__db_positions_kind(map) != NS_POSITIONS_MAP)
        return -1;
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    ns_db_close(plain);
    ns_db_close(pos);
    ns_db_close(map);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_oracle),
        cmocka_unit_test(test_as_written),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
