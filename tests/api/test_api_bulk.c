/*
 * test_api_bulk.c: a first build and a rebuild run in bulk (shard threads
 * merged by compaction, indexer/bulk.c) and must give the index a build
 * without shards gives: the same articles (one copy of an article met in
 * two files, but both of two files' articles numbered alike), the same
 * answers, the same file records (a re-run reads nothing), the same
 * sources.  NSEARCH_SHARDS picks the shard count (0: no bulk build), so
 * the test does not depend on the machine's cores.  Uses only nsearch.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "nsearch.h"

#define FILES    6
#define PER_FILE 800 /* 4,800 articles: more than a dictionary waits for */

static const char *const words[] = {
    "harbour", "senate",  "budget", "storm",   "wheat", "border",
    "tariff",  "vaccine", "court",  "drought", "rail",  "embassy",
    "union",   "mining",  "census", "pension", "ferry", "reactor",
};
#define N_WORDS (sizeof words / sizeof words[0])

static char dir[64];

static void
make_inputs(void)
{
    strcpy(dir, "/tmp/nsbulkXXXXXX");
    assert_non_null(mkdtemp(dir));
    char p[128];
    snprintf(p, sizeof p, "%s/in", dir);
    assert_int_equal(mkdir(p, 0777), 0);
    for (int f = 0; f < FILES; f++) {
        snprintf(p, sizeof p, "%s/in/f%d.jsonl", dir, f);
        FILE *fp = fopen(p, "w");
        assert_non_null(fp);
        for (int i = 0; i < PER_FILE; i++) {
            /* The last file repeats the first file's first 100 ids with
             * the same content: stored once. */
            int n = f == FILES - 1 && i < 100 ? i : f * PER_FILE + i;
            uint32_t y = (uint32_t)n * 2654435761u + 7;
            fprintf(fp,
                    "{\"id\":\"a%d\",\"title\":\"Dispatch %d on the %s\","
                    "\"source\":\"Wire %d\",\"date\":\"2020-01-%02d\","
                    "\"text\":\"report %d.",
                    n, n, words[n % N_WORDS], n % 3, 1 + n % 28, n);
            /* Distinct bodies: near-duplicates would be collapsed in the
             * results, and which copy stays depends on document order. */
            for (int k = 0; k < 40; k++) {
                y = y * 1103515245u + 12345u;
                if (k % 8 == 0)
                    fprintf(fp, " %s", words[(y >> 16) % N_WORDS]);
                else
                    fprintf(fp, " w%u", (y >> 12) % 5000);
            }
            fputs("\"}\n", fp);
        }
        assert_int_equal(fclose(fp), 0);
    }
}

static ns_db *
open_w(const char *name, unsigned extra)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    ns_open_options o = NS_OPEN_OPTIONS_INIT;
    o.flags = NS_OPEN_WRITE | NS_OPEN_CREATE | extra;
    ns_db *db = NULL;
    assert_int_equal(ns_db_open_v2(p, &o, &db, NULL), NS_OK);
    return db;
}

static ns_index_stats
build(ns_db *db)
{
    char p[128];
    snprintf(p, sizeof p, "%s/in", dir);
    ns_index_options o = NS_INDEX_OPTIONS_INIT;
    ns_index_stats st;
    memset(&st, 0, sizeof st);
    assert_int_equal(ns_db_add_path(db, p, &o, &st), NS_OK);
    return st;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ids of all the results of q, sorted, joined (all: documents
 * numbered differently rank equal scores differently). */
static char *
answer(ns_db *db, const char *q)
{
    ns_search_options o = NS_SEARCH_OPTIONS_INIT;
    o.limit = 10000;
    o.no_snippets = 1;
    ns_results *r = NULL;
    assert_int_equal(ns_db_search(db, q, &o, &r), NS_OK);
    size_t n = ns_results_count(r);
    char **ids = calloc(n + 1, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = strdup(ns_results_get(r, i)->id);
    ns_results_free(r);
    qsort(ids, n, sizeof *ids, cmp_str);
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(ids[i]) + 1;
    char *out = calloc(1, len);
    for (size_t i = 0; i < n; i++) {
        strcat(out, ids[i]);
        strcat(out, " ");
        free(ids[i]);
    }
    free(ids);
    return out;
}

static void
same_index(ns_db *a, ns_db *b)
{
    ns_db_info ia, ib;
    assert_int_equal(ns_db_stat_v2(a, NS_DB_INFO_VERSION, &ia), NS_OK);
    uint64_t articles = ia.articles, sources = ia.sources, files = ia.files;
    assert_int_equal(ns_db_stat_v2(b, NS_DB_INFO_VERSION, &ib), NS_OK);
    assert_int_equal(articles, FILES * PER_FILE - 100);
    assert_int_equal(ib.articles, articles);
    assert_int_equal(ib.sources, sources);
    assert_int_equal(ib.files, files);
    assert_int_equal(files, FILES);
    static const char *const qs[] = { "harbour",     "senate budget",
                                      "dispatch 77", "reactor ferry",
                                      "w1234",       "\"report 4700\"" };
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        char *x = answer(a, qs[i]), *y = answer(b, qs[i]);
        if (strcmp(x, y) != 0)
            fail_msg("'%s': different answers", qs[i]);
        free(x);
        free(y);
    }
}

static void
test_bulk_equals_plain(void **state)
{
    (void)state;
    make_inputs();
    setenv("NSEARCH_SHARDS", "0", 1);
    ns_db *plain = open_w("plain", 0);
    build(plain);
    setenv("NSEARCH_SHARDS", "3", 1);
    ns_db *bulk = open_w("bulk", 0);
    ns_index_stats st = build(bulk);
    assert_int_equal(st.articles_indexed, FILES * PER_FILE);
    same_index(plain, bulk);

    /* The records are there: a re-run reads nothing. */
    st = build(bulk);
    assert_int_equal(st.files_unchanged, FILES);
    assert_int_equal(st.articles_indexed, 0);

    /* A rebuild in bulk, published, also equals the plain build; then
     * the handle goes on as a plain writer. */
    ns_db_close(bulk);
    bulk = open_w("bulk", NS_OPEN_REBUILD);
    build(bulk);
    assert_int_equal(ns_db_compact(bulk), NS_OK); /* a no-op after bulk */
    assert_int_equal(ns_db_publish(bulk), NS_OK);
    same_index(plain, bulk);
    ns_db_close(bulk);
    char p[128];
    snprintf(p, sizeof p, "%s/bulk", dir);
    ns_db *r = NULL;
    assert_int_equal(ns_db_open(p, NS_OPEN_READ, &r, NULL), NS_OK);
    same_index(plain, r);
    ns_db_close(r);
    ns_db_close(plain);
    unsetenv("NSEARCH_SHARDS");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* A walk that ends before the dictionary's quota (1,000 articles) with
 * enough articles to share (256) is written by the shards too: 400
 * articles, 100 of them met twice in one file, give the plain build's
 * 300, and the same answers. */
static void
test_small_bulk_equals_plain(void **state)
{
    (void)state;
    make_inputs();
    char cmd[512], p[128];
    snprintf(cmd, sizeof cmd,
             "mkdir '%s/small' && head -n 300 '%s/in/f0.jsonl' >'%s/small/a' "
             "&& head -n 100 '%s/in/f5.jsonl' >>'%s/small/a'",
             dir, dir, dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(p, sizeof p, "%s/small", dir);
    ns_db *db[2];
    ns_db_info info[2];
    for (int i = 0; i < 2; i++) {
        setenv("NSEARCH_SHARDS", i ? "2" : "0", 1);
        db[i] = open_w(i ? "sbulk" : "splain", 0);
        ns_index_options o = NS_INDEX_OPTIONS_INIT;
        ns_index_stats st;
        memset(&st, 0, sizeof st);
        assert_int_equal(ns_db_add_path(db[i], p, &o, &st), NS_OK);
        assert_int_equal(st.articles_indexed, 400);
        assert_int_equal(ns_db_stat_v2(db[i], NS_DB_INFO_VERSION, &info[i]),
                         NS_OK);
        assert_int_equal(info[i].articles, 300);
    }
    /* The shards' merge made a later generation than the plain gen-1. */
    size_t n = strlen(info[1].location);
    assert_true(n > 6 && strcmp(info[1].location + n - 6, "/gen-1") != 0);
    static const char *const qs[] = { "harbour", "dispatch 77",
                                      "w1234", "\"report 250\"" };
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        char *x = answer(db[0], qs[i]), *y = answer(db[1], qs[i]);
        if (strcmp(x, y) != 0)
            fail_msg("'%s': different answers", qs[i]);
        free(x);
        free(y);
    }
    ns_db_close(db[0]);
    ns_db_close(db[1]);
    unsetenv("NSEARCH_SHARDS");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Write dir/local/NAME: records numbered from 1 to n (JSON numbers, as
 * exports number them), the first `again` of them met a second time. */
static void
put_numbered(const char *name, int n, int again, const char *word)
{
    char p[128];
    snprintf(p, sizeof p, "%s/local/%s", dir, name);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    for (int k = 0; k < n + again; k++) {
        int i = k < n ? k + 1 : k - n + 1;
        fprintf(fp,
                "{\"id\":%d,\"title\":\"%s %d\",\"text\":\"%s%d "
                "numbered %s\"}\n",
                i, word, i, word, i, words[(unsigned)i % N_WORDS]);
    }
    assert_int_equal(fclose(fp), 0);
}

/* Two files numbering their records from 1 (local ids): a bulk build
 * keeps both files' articles, as a plain build does, and each file's
 * repeats once; a file changed later replaces its own articles only. */
static void
test_bulk_local_ids(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/nsbulkXXXXXX");
    assert_non_null(mkdtemp(dir));
    char p[128];
    snprintf(p, sizeof p, "%s/local", dir);
    assert_int_equal(mkdir(p, 0777), 0);
    put_numbered("a.jsonl", 300, 50, "alpha");
    put_numbered("b.jsonl", 300, 0, "bravo");
    ns_db *db[2];
    ns_db_info info[2];
    for (int i = 0; i < 2; i++) {
        setenv("NSEARCH_SHARDS", i ? "2" : "0", 1);
        db[i] = open_w(i ? "lbulk" : "lplain", 0);
        ns_index_options o = NS_INDEX_OPTIONS_INIT;
        ns_index_stats st;
        memset(&st, 0, sizeof st);
        assert_int_equal(ns_db_add_path(db[i], p, &o, &st), NS_OK);
        assert_int_equal(st.articles_indexed, 650);
        assert_int_equal(ns_db_stat_v2(db[i], NS_DB_INFO_VERSION, &info[i]),
                         NS_OK);
        assert_int_equal(info[i].articles, 600);
    }
    size_t n = strlen(info[1].location); /* the shards built it */
    assert_true(n > 6 && strcmp(info[1].location + n - 6, "/gen-1") != 0);
    static const char *const qs[] = { "numbered", "alpha7", "bravo7",
                                      "harbour" };
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        char *x = answer(db[0], qs[i]), *y = answer(db[1], qs[i]);
        if (strcmp(x, y) != 0)
            fail_msg("'%s': different answers", qs[i]);
        free(x);
        free(y);
    }
    /* b.jsonl now ends at 250: its last 50 go, a.jsonl's stay. */
    put_numbered("b.jsonl", 250, 0, "bravo");
    for (int i = 0; i < 2; i++) {
        ns_index_options o = NS_INDEX_OPTIONS_INIT;
        ns_index_stats st;
        memset(&st, 0, sizeof st);
        assert_int_equal(ns_db_add_path(db[i], p, &o, &st), NS_OK);
        assert_int_equal(st.articles_unchanged, 250);
        assert_int_equal(st.articles_deleted, 50);
        assert_int_equal(ns_db_stat_v2(db[i], NS_DB_INFO_VERSION, &info[i]),
                         NS_OK);
        assert_int_equal(info[i].articles, 550);
        char *x = answer(db[i], "alpha300 OR bravo250 OR bravo251");
        assert_string_equal(x, "250 300 ");
        free(x);
        ns_db_close(db[i]);
    }
    unsetenv("NSEARCH_SHARDS");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bulk_equals_plain),
        cmocka_unit_test(test_small_bulk_equals_plain),
        cmocka_unit_test(test_bulk_local_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
