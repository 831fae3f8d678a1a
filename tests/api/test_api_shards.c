/*
 * test_api_shards.c: local shards through nsearch.h alone.  The same
 * articles (150 of the bundled White House sample) indexed as one index
 * and as three shards, each shard with its own compression dictionary,
 * must give the same results: the same ids with the same scores (Xapian's
 * combined statistics), in the same order but among equal scores (ties go
 * by document id, which differ), the same snippets (each shard's text
 * decoded with its own dictionary), for words, phrases, fields and dates.
 * Then the list: listing, retiring and adding back (atomic: searches
 * running meanwhile see two shards or three, never an error), writing a
 * sharded index without naming a shard, ns_shards_add on a single index,
 * and merging the shards into one index, which must answer the same.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "nsearch.h"

#define N_ARTICLES 150
#define N_SHARDS   3

typedef struct fixture {
    char dir[64];
    char one[96];            /* the single index */
    char many[96];           /* the sharded index */
    char part[N_SHARDS][96]; /* the shards' input files */
    char all[96];            /* every article */
} fixture;

static const char *const names[N_SHARDS] = { "y2021", "y2022", "rest" };

/* Queries of every kind, each with its search options. */
typedef struct query {
    const char *q;
    const char *since, *until;
    ns_sort sort;
} query;

static const query queries[] = {
    { "president vaccine", NULL, NULL, NS_SORT_RELEVANCE },
    { "\"climate change\"", NULL, NULL, NS_SORT_RELEVANCE },
    { "\"vice president\" harris", NULL, NULL, NS_SORT_RELEVANCE },
    { "title:statement ukraine", NULL, NULL, NS_SORT_RELEVANCE },
    { "source:\"white house\" infrastructure", NULL, NULL, NS_SORT_RELEVANCE },
    { "economy date:2021-03..2021-09", NULL, NULL, NS_SORT_RELEVANCE },
    { "jobs OR workers", "2021-06", "2022-06", NS_SORT_RELEVANCE },
    { "health -covid", NULL, NULL, NS_SORT_RELEVANCE },
    { "china NEAR/5 trade", NULL, NULL, NS_SORT_RELEVANCE },
    { "energy", NULL, "2021-12-31", NS_SORT_NEWEST },
};
#define N_QUERIES (sizeof queries / sizeof queries[0])

/* Split the first N_ARTICLES lines of the sample round-robin over the
 * shards' files (and all into one file). */
static void
write_inputs(fixture *f)
{
    const char *src = getenv("NS_SOURCE_DIR");
    assert_non_null(src);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "zstd -dc '%s/corpus/sample/whitehouse-sample.jsonl.zst'", src);
    FILE *in = popen(cmd, "r");
    assert_non_null(in);
    FILE *all = fopen(f->all, "w"), *out[N_SHARDS];
    assert_non_null(all);
    for (int s = 0; s < N_SHARDS; s++)
        assert_non_null(out[s] = fopen(f->part[s], "w"));
    char *line = NULL;
    size_t cap = 0;
    int n = 0;
    while (n < N_ARTICLES && getline(&line, &cap, in) > 0) {
        fputs(line, all);
        fputs(line, out[n % N_SHARDS]);
        n++;
    }
    free(line);
    pclose(in);
    fclose(all);
    for (int s = 0; s < N_SHARDS; s++)
        fclose(out[s]);
    assert_int_equal(n, N_ARTICLES);
}

static ns_status
open_opts(const char *path, const ns_open_options *o, ns_db **db)
{
    char *msg = NULL;
    ns_status st = ns_db_open_v2(path, o, db, &msg);
    if (st != NS_OK)
        fprintf(stderr, "open %s: %s\n", path, msg ? msg : ns_strerror(st));
    ns_free(msg);
    return st;
}

static void
index_into(const char *path, const char *shard, const char *file)
{
    ns_open_options o = NS_OPEN_OPTIONS_INIT;
    o.flags = NS_OPEN_WRITE | NS_OPEN_CREATE;
    o.shard = shard;
    ns_db *db = NULL;
    assert_int_equal(open_opts(path, &o, &db), NS_OK);
    ns_index_stats stats = { 0 };
    assert_int_equal(ns_db_add_path(db, file, NULL, &stats), NS_OK);
    assert_true(stats.articles_indexed > 0);
    ns_db_close(db);
}

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/nsshardXXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->one, sizeof f->one, "%s/one", f->dir);
    snprintf(f->many, sizeof f->many, "%s/many", f->dir);
    snprintf(f->all, sizeof f->all, "%s/all.jsonl", f->dir);
    for (int s = 0; s < N_SHARDS; s++)
        snprintf(f->part[s], sizeof f->part[s], "%s/part%d.jsonl", f->dir, s);
    write_inputs(f);
    index_into(f->one, NULL, f->all);
    for (int s = 0; s < N_SHARDS; s++)
        index_into(f->many, names[s], f->part[s]);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", f->dir);
    free(f);
    return 0;
}

/* One result, as compared. */
typedef struct row {
    char id[256];
    char date[32];
    double score;
    char snippet[600];
} row;

/* The order compared: as ranked, but equal scores (and dates, sorting by
 * date) by id, since ties go by document id, which shards renumber. */
static int
row_cmp_relevance(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->score - y->score > 1e-9)
        return -1;
    if (y->score - x->score > 1e-9)
        return 1;
    return strcmp(x->id, y->id);
}

static int
row_cmp_newest(const void *a, const void *b)
{
    const row *x = a, *y = b;
    int c = strcmp(y->date, x->date);
    return c ? c : row_cmp_relevance(a, b);
}

/* Run q on db: every result, ties ordered by id. */
static size_t
run(ns_db *db, const query *q, row **out, int snippets)
{
    ns_search_options so = NS_SEARCH_OPTIONS_INIT;
    so.limit = 1000;
    so.since = q->since;
    so.until = q->until;
    so.sort = q->sort;
    so.no_snippets = !snippets;
    ns_results *r = NULL;
    ns_status st = ns_db_search(db, q->q, &so, &r);
    if (st != NS_OK)
        fprintf(stderr, "%s: %s\n", q->q, ns_db_errmsg(db));
    assert_int_equal(st, NS_OK);
    assert_null(ns_results_missing(r, 0));
    size_t n = ns_results_count(r);
    row *rows = calloc(n ? n : 1, sizeof *rows);
    assert_non_null(rows);
    for (size_t i = 0; i < n; i++) {
        const ns_hit *h = ns_results_get(r, i);
        snprintf(rows[i].id, sizeof rows[i].id, "%s", h->id);
        snprintf(rows[i].date, sizeof rows[i].date, "%s", h->date);
        rows[i].score = h->score;
        snprintf(rows[i].snippet, sizeof rows[i].snippet, "%.*s",
                 (int)h->snippet_len, h->snippet);
        /* The ranking itself goes down. */
        if (i > 0 && q->sort == NS_SORT_RELEVANCE)
            assert_true(rows[i].score <= rows[i - 1].score + 1e-12);
    }
    ns_results_free(r);
    qsort(rows, n, sizeof *rows,
          q->sort == NS_SORT_NEWEST ? row_cmp_newest : row_cmp_relevance);
    *out = rows;
    return n;
}

/* Whether rows[i]'s score is another's too (a tie: its place among the
 * tied ones, and near-duplicates' choice of the one shown, go by document
 * id, which shards and merges renumber). */
static int
tied(const row *rows, size_t n, size_t i)
{
    for (size_t j = 0; j < n; j++)
        if (j != i && rows[j].score - rows[i].score <= 1e-9 &&
            rows[i].score - rows[j].score <= 1e-9)
            return 1;
    return 0;
}

/* db1 and db2 give the same results for every query: as many, with the
 * same scores in the same order, and the same articles and snippets but
 * among tied scores. */
static void
same_results(ns_db *db1, ns_db *db2, int snippets)
{
    size_t total = 0, compared = 0;
    for (size_t k = 0; k < N_QUERIES; k++) {
        row *a, *b;
        size_t na = run(db1, &queries[k], &a, snippets);
        size_t nb = run(db2, &queries[k], &b, snippets);
        if (na != nb)
            fprintf(stderr, "%s: %zu results, and %zu\n", queries[k].q, na, nb);
        assert_int_equal(na, nb);
        for (size_t i = 0; i < na; i++) {
            int same_score = a[i].score - b[i].score <= 1e-9 &&
                             b[i].score - a[i].score <= 1e-9;
            int tie = tied(a, na, i) || tied(b, nb, i);
            if (!same_score || (!tie && strcmp(a[i].id, b[i].id) != 0))
                fprintf(stderr, "%s: #%zu %s %.12f, and %s %.12f\n",
                        queries[k].q, i, a[i].id, a[i].score, b[i].id,
                        b[i].score);
            assert_true(same_score);
            if (tie)
                continue;
            assert_string_equal(a[i].id, b[i].id);
            if (snippets)
                assert_string_equal(a[i].snippet, b[i].snippet);
            compared++;
        }
        total += na;
        free(a);
        free(b);
    }
    /* Queries that match nothing, or only ties, test nothing. */
    fprintf(stderr, "%zu results, %zu of them untied\n", total, compared);
    assert_true(total > 100 && compared > total / 2);
}

static ns_db *
reader(const char *path)
{
    ns_db *db = NULL;
    assert_int_equal(open_opts(path, NULL, &db), NS_OK);
    return db;
}

static void
test_same_as_one_index(void **state)
{
    fixture *f = *state;
    ns_db *one = reader(f->one), *many = reader(f->many);
    assert_int_equal(ns_db_shard_count(one), 0);
    assert_int_equal(ns_db_shard_count(many), N_SHARDS);
    uint64_t total = 0;
    for (size_t i = 0; i < N_SHARDS; i++) {
        ns_shard_info si;
        assert_int_equal(ns_db_shard_info(many, i, &si), NS_OK);
        assert_string_equal(si.name, names[i]);
        assert_false(si.remote);
        assert_true(si.available);
        assert_string_equal(si.error, "");
        assert_int_equal(si.articles, N_ARTICLES / N_SHARDS);
        assert_non_null(strstr(si.location, names[i]));
        total += si.articles;
    }
    ns_shard_info si;
    assert_int_equal(ns_db_shard_info(many, N_SHARDS, &si), NS_ERR_INVALID_ARG);
    assert_int_equal(ns_db_shard_info(one, 0, &si), NS_ERR_INVALID_ARG);
    ns_db_info a, b;
    assert_int_equal(ns_db_stat_v2(one, NS_DB_INFO_VERSION, &a), NS_OK);
    assert_int_equal(ns_db_stat_v2(many, NS_DB_INFO_VERSION, &b), NS_OK);
    assert_int_equal(b.articles, N_ARTICLES);
    assert_int_equal(total, N_ARTICLES);
    assert_string_equal(a.analyzer, b.analyzer);
    assert_int_equal(b.files, N_SHARDS);
    assert_true(b.size_bytes > 0);
    same_results(one, many, 1);
    ns_db_close(one);
    ns_db_close(many);
}

static void
test_writers_and_errors(void **state)
{
    fixture *f = *state;
    ns_open_options o = NS_OPEN_OPTIONS_INIT;
    ns_db *db = NULL;
    char *msg = NULL;
    /* A writer names its shard. */
    o.flags = NS_OPEN_WRITE;
    assert_int_equal(ns_db_open_v2(f->many, &o, &db, &msg), NS_ERR_INVALID_ARG);
    assert_null(db);
    assert_non_null(strstr(msg, "sharded"));
    ns_free(msg);
    msg = NULL;
    o.shard = "../escape";
    assert_int_equal(ns_db_open_v2(f->many, &o, &db, &msg), NS_ERR_INVALID_ARG);
    ns_free(msg);
    msg = NULL;
    o.shard = "nosuch";
    assert_int_equal(ns_db_open_v2(f->many, &o, &db, &msg), NS_ERR_INDEX_OPEN);
    ns_free(msg);
    msg = NULL;
    /* A single index takes no shard. */
    o.flags = NS_OPEN_WRITE | NS_OPEN_CREATE;
    o.shard = "extra";
    assert_int_equal(ns_db_open_v2(f->one, &o, &db, &msg), NS_ERR_INVALID_ARG);
    ns_free(msg);
    msg = NULL;
    assert_int_equal(ns_shards_add(f->one, "extra", NULL, &msg),
                     NS_ERR_INVALID_ARG);
    assert_non_null(strstr(msg, "single index"));
    ns_free(msg);
    msg = NULL;
    assert_int_equal(ns_shards_merge(f->one, NULL, NULL), NS_OK);
    /* Bad names and addresses. */
    assert_int_equal(ns_shards_add(f->many, "a/b", NULL, NULL),
                     NS_ERR_INVALID_ARG);
    assert_int_equal(ns_shards_add(f->many, "host:99999", NULL, NULL),
                     NS_ERR_INVALID_ARG);
    assert_int_equal(ns_shards_add(f->many, "nosuch", NULL, NULL),
                     NS_ERR_INDEX_OPEN);
    assert_int_equal(ns_shards_retire(f->many, "nosuch", NULL, NULL),
                     NS_ERR_NOT_FOUND);
    assert_int_equal(ns_shards_add(NULL, "x", NULL, NULL), NS_ERR_INVALID_ARG);
    assert_int_equal(ns_shards_merge(NULL, NULL, NULL), NS_ERR_INVALID_ARG);
    ns_open_options v0 = NS_OPEN_OPTIONS_INIT;
    v0.version = 0;
    assert_int_equal(ns_shards_retire(f->many, "rest", &v0, NULL),
                     NS_ERR_INVALID_ARG);
    /* One shard opened alone, read-only: an ordinary index. */
    o.flags = 0;
    o.shard = names[0];
    assert_int_equal(open_opts(f->many, &o, &db), NS_OK);
    assert_int_equal(ns_db_shard_count(db), 0);
    ns_db_info info;
    assert_int_equal(ns_db_stat_v2(db, NS_DB_INFO_VERSION, &info), NS_OK);
    assert_int_equal(info.articles, N_ARTICLES / N_SHARDS);
    ns_db_close(db);
    assert_null(ns_results_missing(NULL, 0));
}

/* Searches from a thread while the list changes: each sees a whole list. */
typedef struct watcher {
    const char *path;
    atomic_int stop;
    size_t with3, with2; /* every article's results, with 3 or 2 shards */
    int searches, two, three, bad;
} watcher;

/* The results of every article (a query of a filter only), counted. */
static long
count_all(const char *path)
{
    ns_search_options so = NS_SEARCH_OPTIONS_INIT;
    so.no_snippets = 1;
    so.limit = 1000;
    ns_db *db = NULL;
    ns_results *r = NULL;
    long n = -1;
    if (ns_db_open_v2(path, NULL, &db, NULL) == NS_OK &&
        ns_db_search(db, "date:..2100", &so, &r) == NS_OK)
        n = (long)ns_results_count(r);
    ns_results_free(r);
    ns_db_close(db);
    return n;
}

static void *
watch(void *arg)
{
    watcher *w = arg;
    while (!atomic_load(&w->stop) && w->searches < 2000) {
        long n = count_all(w->path);
        if (n == (long)w->with3)
            w->three++;
        else if (n == (long)w->with2)
            w->two++;
        else
            w->bad++;
        w->searches++;
    }
    return NULL;
}

static void
test_retire_and_add(void **state)
{
    fixture *f = *state;
    watcher w = { f->many, 0, 0, 0, 0, 0, 0, 0 };
    long n = count_all(f->many);
    assert_true(n > 0);
    w.with3 = (size_t)n;
    assert_int_equal(ns_shards_retire(f->many, "rest", NULL, NULL), NS_OK);
    n = count_all(f->many);
    assert_true(n > 0 && (size_t)n < w.with3);
    w.with2 = (size_t)n;
    assert_int_equal(ns_shards_add(f->many, "rest", NULL, NULL), NS_OK);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, watch, &w), 0);
    for (int k = 0; k < 20; k++) {
        assert_int_equal(ns_shards_retire(f->many, "rest", NULL, NULL), NS_OK);
        usleep(2000);
        assert_int_equal(ns_shards_add(f->many, "rest", NULL, NULL), NS_OK);
        usleep(2000);
    }
    atomic_store(&w.stop, 1);
    pthread_join(t, NULL);
    fprintf(stderr, "%d searches: %d saw 3 shards, %d saw 2\n", w.searches,
            w.three, w.two);
    assert_int_equal(w.bad, 0);
    assert_true(w.searches > 0);
    /* Listed twice is listed once. */
    assert_int_equal(ns_shards_add(f->many, "rest", NULL, NULL), NS_OK);
    ns_db *db = reader(f->many);
    assert_int_equal(ns_db_shard_count(db), N_SHARDS);
    ns_shard_info si;
    assert_int_equal(ns_db_shard_info(db, N_SHARDS - 1, &si), NS_OK);
    assert_string_equal(si.name, "rest");
    ns_db_close(db);
    /* Retired, its articles are not found; its data stays. */
    assert_int_equal(ns_shards_retire(f->many, "y2022", NULL, NULL), NS_OK);
    db = reader(f->many);
    assert_int_equal(ns_db_shard_count(db), N_SHARDS - 1);
    ns_db_info info;
    assert_int_equal(ns_db_stat_v2(db, NS_DB_INFO_VERSION, &info), NS_OK);
    assert_int_equal(info.articles, N_ARTICLES - N_ARTICLES / N_SHARDS);
    ns_db_close(db);
    assert_int_equal(ns_shards_add(f->many, "y2022", NULL, NULL), NS_OK);
}

static void
test_merge(void **state)
{
    fixture *f = *state;
    /* Keep a reader on the shards across the merge: it goes on working,
     * and what it holds is deleted by a later merge. */
    ns_db *old = reader(f->many);
    assert_int_equal(ns_shards_merge(f->many, NULL, NULL), NS_OK);
    ns_db *one = reader(f->one), *merged = reader(f->many);
    assert_int_equal(ns_db_shard_count(merged), 0);
    ns_db_info info;
    assert_int_equal(ns_db_stat_v2(merged, NS_DB_INFO_VERSION, &info), NS_OK);
    assert_int_equal(info.articles, N_ARTICLES);
    assert_int_equal(info.files, N_SHARDS);
    /* The same results and snippets: every shard's dictionary came
     * along. */
    same_results(one, merged, 1);
    same_results(one, old, 0);
    ns_db_close(old);
    ns_db_close(merged);
    ns_db_close(one);
    /* A single index now: no shard to write, none to list. */
    ns_open_options o = NS_OPEN_OPTIONS_INIT;
    o.flags = NS_OPEN_WRITE;
    o.shard = names[0];
    ns_db *db = NULL;
    char *msg = NULL;
    assert_int_equal(ns_db_open_v2(f->many, &o, &db, &msg), NS_ERR_INVALID_ARG);
    ns_free(msg);
    /* The merged index takes new articles, and the next merge call
     * deletes what the reader held. */
    o.shard = NULL;
    assert_int_equal(open_opts(f->many, &o, &db), NS_OK);
    ns_article a = NS_ARTICLE_INIT;
    a.id = "new-1";
    a.title = "A new article";
    a.text = "zebras in the rose garden";
    a.text_len = strlen(a.text);
    assert_int_equal(ns_db_add_article(db, &a), NS_OK);
    assert_int_equal(ns_db_commit(db), NS_OK);
    ns_db_close(db);
    assert_int_equal(ns_shards_merge(f->many, NULL, NULL), NS_OK);
    char p[160];
    struct stat sb;
    snprintf(p, sizeof p, "%s/shards", f->many);
    assert_int_not_equal(stat(p, &sb), 0);
    db = reader(f->many);
    ns_results *r = NULL;
    assert_int_equal(ns_db_search(db, "zebras", NULL, &r), NS_OK);
    assert_int_equal(ns_results_count(r), 1);
    ns_results_free(r);
    ns_db_close(db);
}

int
main(void)
{
    /* In this order, on one fixture: the last ones change the list. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_one_index),
        cmocka_unit_test(test_writers_and_errors),
        cmocka_unit_test(test_retire_and_add),
        cmocka_unit_test(test_merge),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
