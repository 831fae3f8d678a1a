/*
 * test_searcher_search.c: what ns_db_search() adds to the query: ranking
 * sanity (a title match above a passing mention), near-duplicates collapsed
 * into one result with a count (and shown with opts.all), facets by source
 * and month, "did you mean" from the index's own words, and snippets that
 * stop reading early by the index's counts of the words.
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
#include "indexer/searchdata.h"

static char dir[] = "/tmp/ns-test-search-XXXXXX";
static ns_db *db;

/* A wire story, as two outlets and an update printed it. */
#define STORY                                                                 \
    "Russian warplanes struck targets near the coastal city of Latakia on "  \
    "Tuesday, officials said, in the first strikes since Moscow moved "      \
    "aircraft and troops to an airbase in the region. The United States "   \
    "said it was seeking talks with Russia on how to avoid clashes over "    \
    "Syria, where American aircraft are flying missions against the "        \
    "Islamic State group. "

static const char *filler_words[] = { "harvest", "river", "council",
                                      "budget",  "school", "bridge" };

static void
add(ns_db *w, const char *id, const char *title, const char *date,
    const char *source, const char *text)
{
    ns_article a = NS_ARTICLE_INIT;
    a.id = id;
    a.title = title;
    a.date = date;
    a.source = source;
    a.text = text;
    a.text_len = strlen(text);
    assert_int_equal(ns_db_add_article(w, &a), NS_OK);
}

static int
setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    ns_db *w;
    if (ns_db_open(dir, NS_OPEN_WRITE | NS_OPEN_CREATE, &w, NULL) != NS_OK)
        return -1;
    add(w, "wire1", "Russian jets strike near Latakia", "2015-09-30", "AP",
        STORY);
    add(w, "wire2", "Russia launches strikes in Syria", "2015-09-30",
        "Daily Mail", "  " STORY "\n");
    add(w, "wire3", "Russia strikes Syria; U.S. seeks talks", "2015-10-01",
        "AP", STORY "(AP)");
    add(w, "other", "Talks on Syria resume in Geneva", "2015-10-02",
        "Reuters",
        "Diplomats met in Geneva on Friday to resume talks on the future "
        "of Syria, with envoys from Russia, the United States and the "
        "Gulf states, and agreed to meet again within a month, said the "
        "United Nations envoy, who called the meeting constructive, near "
        "the naval base at Tartus.");
    /* Ranking: the same body mention, one with the word in its title. */
    char body[2048];
    for (int i = 0; i < 12; i++) {
        char id[16], title[64];
        size_t n = 0;
        for (int k = 0; k < 30; k++) /* a different story each */
            n += (size_t)snprintf(body + n, sizeof body - n, "%s%d ",
                                  filler_words[(i + k) % 6], i * 30 + k);
        snprintf(body + n, sizeof body - n, "and a word on sanctions.");
        snprintf(id, sizeof id, "f%d", i);
        snprintf(title, sizeof title, i == 7 ? "Sanctions tightened"
                                             : "Local news %d", i);
        add(w, id, title, i < 6 ? "2016-01-15" : "2016-02-15", "Gazette",
            body);
    }
    /* Recency: the older report is a little more relevant. */
    add(w, "old", "Harbour report", "2014-01-10", "Gazette",
        "The harbour report, a long harbour survey of docks, cranes and "
        "piers, was published by the port authority this week.");
    add(w, "new", "Harbour report", "2016-01-10", "Gazette",
        "A harbour report on ferries, tides and moorings was released by "
        "the city council on Monday after a year of delays.");
    /* Rare words near the titles' "local": a swap, and two edits. */
    add(w, "rare", "Ledger", "2016-03-01", "Ledger", "lcoal lokbl");
    if (ns_db_commit(w) != NS_OK)
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

static ns_results *
search(const char *q, ns_search_options *o)
{
    ns_results *r = NULL;
    assert_int_equal(ns_db_search(db, q, o, &r), NS_OK);
    return r;
}

/* A title match ranks above the same passing mention without one. */
static void
test_title_first(void **state)
{
    (void)state;
    ns_results *r = search("sanctions", NULL);
    assert_int_equal(ns_results_count(r), 10);
    assert_string_equal(ns_results_get(r, 0)->id, "f7");
    ns_results_free(r);
}

static void
test_dupkey(void **state)
{
    (void)state;
    char a[17], b[17], c[17];
    assert_int_equal(ns__dupkey(STORY, strlen(STORY), a), 1);
    /* Case and punctuation do not change it... */
    const char *v = "RUSSIAN warplanes struck targets near "
                    "the coastal city of Latakia on Tuesday \xe2\x80\x94 "
                    "officials said \xe2\x80\x9cin the first strikes\xe2\x80"
                    "\x9d since Moscow moved aircraft and troops to an "
                    "airbase in the region; the United States said it was "
                    "seeking talks with Russia on how to avoid clashes over "
                    "Syria, where American aircraft are flying missions "
                    "against the Islamic State group.";
    assert_int_equal(ns__dupkey(v, strlen(v), b), 1);
    assert_string_equal(a, b);
    /* ...another story does. */
    const char *o = "Diplomats met in Geneva on Friday to resume talks on "
                    "the future of Syria, with envoys from Russia, the "
                    "United States and the Gulf states, and agreed to meet "
                    "again within a month.";
    assert_int_equal(ns__dupkey(o, strlen(o), c), 1);
    assert_string_not_equal(a, c);
    /* Too short to tell. */
    assert_int_equal(ns__dupkey("Brief item.", 11, c), 0);
    assert_int_equal(ns__dupkey("", 0, c), 0);
}

/* The wire story's three copies are one result, counting the others; all
 * shows them. */
static void
test_collapse(void **state)
{
    (void)state;
    ns_results *r = search("latakia strikes", NULL);
    assert_int_equal(ns_results_count(r), 1);
    const ns_hit *h = ns_results_get(r, 0);
    assert_int_equal(h->duplicates, 2);
    ns_results_free(r);

    ns_search_options o = NS_SEARCH_OPTIONS_INIT;
    o.all = 1;
    r = search("latakia strikes", &o);
    assert_int_equal(ns_results_count(r), 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(ns_results_get(r, i)->duplicates, 0);
    ns_results_free(r);

    /* Sorted by date, the newest copy stands for the story. */
    o.all = 0;
    o.sort = NS_SORT_NEWEST;
    r = search("syria", &o);
    assert_int_equal(ns_results_count(r), 2);
    assert_string_equal(ns_results_get(r, 0)->id, "other");
    assert_string_equal(ns_results_get(r, 1)->id, "wire3");
    assert_int_equal(ns_results_get(r, 1)->duplicates, 2);
    ns_results_free(r);
}

static void
test_facets(void **state)
{
    (void)state;
    ns_search_options o = NS_SEARCH_OPTIONS_INIT;
    ns_results *r = search("syria OR sanctions", &o);
    assert_int_equal(ns_results_facet_count(r, NS_FACET_SOURCE), 0);
    ns_results_free(r);

    o.facets = 1;
    o.limit = 1;
    r = search("syria OR sanctions", &o);
    assert_int_equal(ns_results_count(r), 1);
    /* Every match is counted, near-duplicates included. */
    assert_int_equal(ns_results_facet_count(r, NS_FACET_SOURCE), 4);
    const ns_facet_count *c = ns_results_facet(r, NS_FACET_SOURCE, 0);
    assert_string_equal(c->value, "Gazette");
    assert_int_equal(c->count, 12);
    c = ns_results_facet(r, NS_FACET_SOURCE, 1);
    assert_string_equal(c->value, "AP");
    assert_int_equal(c->count, 2);
    assert_null(ns_results_facet(r, NS_FACET_SOURCE, 4));
    assert_int_equal(ns_results_facet_count(r, NS_FACET_MONTH), 4);
    static const char *months[] = { "2015-09", "2015-10", "2016-01",
                                    "2016-02" };
    static const uint64_t counts[] = { 2, 2, 6, 6 };
    for (size_t i = 0; i < 4; i++) {
        c = ns_results_facet(r, NS_FACET_MONTH, i);
        assert_string_equal(c->value, months[i]);
        assert_int_equal(c->count, counts[i]);
    }
    assert_int_equal(ns_results_facet_count(r, (ns_facet)7), 0);
    /* Every match was checked: the total is exact, each story once. */
    uint64_t total = ns_results_total(r);
    ns_results_free(r);
    o.limit = 1000;
    r = search("syria OR sanctions", &o);
    assert_int_equal(total, ns_results_count(r));
    ns_results_free(r);
}

static void
test_suggestion(void **state)
{
    (void)state;
    ns_results *r = search("Latakai strikes", NULL);
    assert_string_equal(ns_results_suggestion(r), "Latakia strikes");
    ns_results_free(r);
    r = search("LATAKAI", NULL);
    assert_string_equal(ns_results_suggestion(r), "LATAKIA");
    ns_results_free(r);
    /* A name only bodies hold: the closest term that is its own stem. */
    r = search("Tartsu talks", NULL);
    assert_string_equal(ns_results_suggestion(r), "Tartus talks");
    ns_results_free(r);
    /* Known words, phrases and fields are left alone. */
    r = search("latakia \"Latakai\" title:latakai", NULL);
    assert_string_equal(ns_results_suggestion(r), "");
    ns_results_free(r);
    /* A rare word the index holds: corrected one edit away only. */
    r = search("lcoal", NULL);
    assert_string_equal(ns_results_suggestion(r), "local");
    ns_results_free(r);
    r = search("lokbl", NULL);
    assert_string_equal(ns_results_suggestion(r), "");
    ns_results_free(r);
    /* Nothing close enough. */
    r = search("zzyzx", NULL);
    assert_string_equal(ns_results_suggestion(r), "");
    ns_results_free(r);
}

/* opts.recent puts the newer of two similar articles first. */
static void
test_recent(void **state)
{
    (void)state;
    ns_results *r = search("harbour", NULL);
    assert_int_equal(ns_results_count(r), 2);
    assert_string_equal(ns_results_get(r, 0)->id, "old");
    ns_results_free(r);
    ns_search_options o = NS_SEARCH_OPTIONS_INIT;
    o.recent = 1;
    r = search("harbour", &o);
    assert_int_equal(ns_results_count(r), 2);
    assert_string_equal(ns_results_get(r, 0)->id, "new");
    assert_true(ns_results_get(r, 0)->score > ns_results_get(r, 1)->score);
    ns_results_free(r);
}

/* Snippets read the words' counts from the index (search.c) to stop
 * reading early: each result's snippet is the one its whole text gives.
 * Long texts (past the first decoded block), a copy of the title at the
 * start, title words in the body, words a text lacks. */
static void
test_snippet_counts(void **state)
{
    (void)state;
    static const char *const sentences[] = {
        "Russian warplanes struck targets near the coastal city of Latakia. ",
        "Officials said the airbase was quiet on Tuesday. ",
        "Talks on the ceasefire went on in Geneva. ",
        "The harvest was late this year in the river valley. ",
        "A council budget for the school and the bridge was passed. ",
        "Markets were calm, traders said, as oil prices held. ",
    };
    char ldir[] = "/tmp/ns-test-counts-XXXXXX";
    assert_non_null(mkdtemp(ldir));
    ns_db *w;
    assert_int_equal(ns_db_open(ldir, NS_OPEN_WRITE | NS_OPEN_CREATE, &w,
                                NULL),
                     NS_OK);
    enum { N = 9, LEN = 24000 };
    static char texts[N][LEN];
    char titles[N][64], ids[N][16];
    uint32_t seed = 99;
    for (int i = 0; i < N; i++) {
        snprintf(titles[i], sizeof titles[i], "%s %d",
                 i % 2 ? "Latakia airbase talks" : "Harvest report", i);
        size_t n = 0;
        if (i == N - 1) {
            /* Both words together only at the very end, Latakia last (and
             * in the title): a count one short would stop reading at the
             * airbase and show the two apart. */
            snprintf(titles[i], sizeof titles[i], "Latakia report");
            n = (size_t)snprintf(texts[i], LEN, "Latakia was quiet. ");
            while (n < 9000)
                n += (size_t)snprintf(texts[i] + n, LEN - n, "%s",
                                      sentences[3 + n % 3]);
            n += (size_t)snprintf(texts[i] + n, LEN - n,
                                  "Later the airbase near Latakia was hit.");
        }
        if (i % 3 == 0) /* the title again, as many archives print it */
            n = (size_t)snprintf(texts[i], LEN, "%s\n\n", titles[i]);
        size_t want = i == N - 1 ? 0 : 3000 + (size_t)i * 2500;
        while (n < want) {
            seed = seed * 1103515245u + 12345u;
            size_t k = (seed >> 8) % 6;
            /* Latakia is rare, so the last time it is named matters; some
             * texts never name the airbase, or the talks. */
            if (k == 0 && (seed >> 20) % 6)
                k = 4;
            if ((k == 1 && i % 4 == 2) || (k == 2 && i % 4 == 3))
                k = 3;
            n += (size_t)snprintf(texts[i] + n, LEN - n, "%s", sentences[k]);
        }
        snprintf(ids[i], sizeof ids[i], "long%d", i);
        ns_article a = NS_ARTICLE_INIT;
        a.id = ids[i];
        a.title = titles[i];
        a.text = texts[i];
        a.text_len = n;
        assert_int_equal(ns_db_add_article(w, &a), NS_OK);
    }
    assert_int_equal(ns_db_commit(w), NS_OK);
    ns_db_close(w);
    ns_db *r;
    assert_int_equal(ns_db_open(ldir, NS_OPEN_READ, &r, NULL), NS_OK);
    static const char *const queries[] = {
        "latakia airbase", "airbase talks", "latakia talks harvest",
        "talks", "latakia -ceasefire", "\"coastal city\" airbase",
        "oil airbase geneva",
    };
    size_t checked = 0;
    for (size_t qi = 0; qi < sizeof queries / sizeof *queries; qi++) {
        ns_search_options o = NS_SEARCH_OPTIONS_INIT;
        o.all = 1;
        ns_results *res = NULL;
        assert_int_equal(ns_db_search(r, queries[qi], &o, &res), NS_OK);
        ns__query q;
        assert_int_equal(ns__query_parse(r, queries[qi], 0, &q), NS_OK);
        for (size_t h = 0; h < ns_results_count(res); h++) {
            const ns_hit *hit = ns_results_get(res, h);
            int i = atoi(hit->id + 4);
            ns_buf want = { 0 };
            ns_highlight *hl = NULL;
            size_t n_hl = 0;
            assert_int_equal(ns__snippet_make(r->analyzer, &q, texts[i],
                                              strlen(texts[i]), titles[i],
                                              0, &want, &hl, &n_hl),
                             NS_OK);
            if (strcmp(ns__buf_cstr(&want), hit->snippet) != 0)
                fail_msg("query %s, %s: whole text \"%s\", search \"%s\"",
                         queries[qi], hit->id, ns__buf_cstr(&want),
                         hit->snippet);
            assert_int_equal(n_hl, hit->n_highlights);
            checked++;
            ns__buf_free(&want);
            ns_free(hl);
        }
        ns__query_free(&q);
        ns_results_free(res);
    }
    assert_true(checked >= 30);
    ns_db_close(r);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", ldir);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_title_first), cmocka_unit_test(test_dupkey),
        cmocka_unit_test(test_collapse),    cmocka_unit_test(test_facets),
        cmocka_unit_test(test_suggestion),  cmocka_unit_test(test_recent),
        cmocka_unit_test(test_snippet_counts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
