/*
 * test_api_threads.c: the thread-safety promise of nsearch.h.  Handles are
 * not shared; any number of threads, each with its own ns_db, search one
 * index while a writer thread adds articles and commits again and again.
 * Every search must succeed (the library reopens and retries when a commit
 * overtakes a reader), every hit must be whole, and afterwards a new
 * handle sees every article.  Two starts: an index that already has its
 * compression dictionary, and a new one whose first commits come while the
 * readers run.  Uses only nsearch.h; run under ASan and valgrind too.
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
#include <unistd.h>

#include <cmocka.h>

#include "nsearch.h"

#define READERS      4
#define BATCHES      8  /* writer commits (NS_TEST_BATCHES overrides) */
#define BATCH        40 /* articles per commit: enough for a dictionary */
#define MIN_SEARCHES 40 /* per reader, even if the writer is done */

typedef struct shared {
    char path[96];
    unsigned batches;
    atomic_int writer_done; /* set once, read by the readers */
} shared;

typedef struct reader {
    pthread_t t;
    shared *sh;
    int id;
    unsigned searches, failures;
    char first_failure[256];
} reader;

typedef struct writer {
    pthread_t t;
    shared *sh;
    unsigned first_id; /* ids first_id, first_id + 1, ... */
    unsigned failures;
    char first_failure[256];
} writer;

static const char *const words[] = {
    "minister", "talks",  "border",  "election",  "harvest", "market",
    "storm",    "court",  "council", "strike",    "airbase", "treaty",
    "budget",   "summit", "protest", "ceasefire", "wheat",   "festival",
    "railway",  "bridge", "vaccine", "satellite", "export",  "drought",
};
#define N_WORDS (sizeof words / sizeof words[0])

/* Article n's text: deterministic, every article has "report". */
static void
make_text(unsigned n, char *buf, size_t cap)
{
    uint32_t x = n * 2654435761u + 1;
    size_t len = (size_t)snprintf(buf, cap, "report %u.", n);
    for (int i = 0; i < 250 && len + 16 < cap; i++) {
        x = x * 1103515245u + 12345u;
        len += (size_t)snprintf(buf + len, cap - len, " %s",
                                words[(x >> 16) % N_WORDS]);
    }
}

static ns_status
add_articles(ns_db *db, unsigned first, unsigned n)
{
    char id[32], title[64], text[4096];
    for (unsigned i = first; i < first + n; i++) {
        ns_article a = NS_ARTICLE_INIT;
        snprintf(id, sizeof id, "t%u", i);
        snprintf(title, sizeof title, "Dispatch %u from the %s desk", i,
                 words[i % N_WORDS]);
        make_text(i, text, sizeof text);
        a.id = id;
        a.title = title;
        a.date = "2020-05-01";
        a.source = "Thread Wire";
        a.text = text;
        a.text_len = strlen(text);
        ns_status st = ns_db_add_article(db, &a);
        if (st != NS_OK)
            return st;
    }
    return NS_OK;
}

static void
note(char *first, unsigned *count, const char *fmt, ...)
{
    if ((*count)++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(first, 256, fmt, ap);
        va_end(ap);
    }
}

/* A hit is whole: strings present, highlights inside the snippet. */
static int
hit_ok(const ns_hit *h)
{
    if (!h || !h->id || !h->title || !h->date || !h->source || !h->url ||
        !h->author || !h->snippet || strlen(h->snippet) != h->snippet_len)
        return 0;
    if (strncmp(h->title, "Dispatch ", 9) != 0 || h->id[0] != 't')
        return 0;
    for (size_t i = 0; i < h->n_highlights; i++)
        if (h->highlights[i].start >= h->highlights[i].end ||
            h->highlights[i].end > h->snippet_len)
            return 0;
    return 1;
}

static void *
reader_main(void *arg)
{
    reader *r = arg;
    static const char *const queries[] = { "report", "border talks",
                                           "\"wheat harvest\"", "dispatch",
                                           "storm OR drought" };
    ns_db *db = NULL;
    char *msg = NULL;
    ns_status st = ns_db_open(r->sh->path, NS_OPEN_READ, &db, &msg);
    if (st != NS_OK) {
        note(r->first_failure, &r->failures, "open: %s: %s", ns_strerror(st),
             msg ? msg : "");
        ns_free(msg);
        return NULL;
    }
    for (unsigned i = 0; !atomic_load(&r->sh->writer_done) || i < MIN_SEARCHES;
         i++) {
        ns_search_options o = NS_SEARCH_OPTIONS_INIT;
        o.limit = 5 + (i % 3) * 10;
        o.offset = i % 4;
        o.sort = (ns_sort)(i % 3);
        o.no_snippets = (i % 5) == 4;
        const char *q = queries[(i + (unsigned)r->id) % 5];
        ns_results *res = NULL;
        st = ns_db_search(db, q, &o, &res);
        r->searches++;
        if (st != NS_OK) {
            note(r->first_failure, &r->failures, "search '%s': %s: %s", q,
                 ns_strerror(st), ns_db_errmsg(db));
            continue;
        }
        for (size_t k = 0; k < ns_results_count(res); k++)
            if (!hit_ok(ns_results_get(res, k)))
                note(r->first_failure, &r->failures,
                     "search '%s': hit %zu is not whole", q, k);
        ns_results_free(res);
        /* Every so often a new handle, which must see the latest commit. */
        if (i % 16 == 15) {
            ns_db_close(db);
            db = NULL;
            if ((st = ns_db_open(r->sh->path, NS_OPEN_READ, &db, &msg)) !=
                NS_OK) {
                note(r->first_failure, &r->failures, "reopen: %s: %s",
                     ns_strerror(st), msg ? msg : "");
                ns_free(msg);
                return NULL;
            }
        }
    }
    ns_db_close(db);
    return NULL;
}

static void *
writer_main(void *arg)
{
    writer *w = arg;
    ns_db *db = NULL;
    char *msg = NULL;
    ns_status st =
        ns_db_open(w->sh->path, NS_OPEN_WRITE | NS_OPEN_CREATE, &db, &msg);
    if (st != NS_OK) {
        note(w->first_failure, &w->failures, "open: %s: %s", ns_strerror(st),
             msg ? msg : "");
        ns_free(msg);
    } else {
        for (unsigned b = 0; b < w->sh->batches; b++) {
            st = add_articles(db, w->first_id + b * BATCH, BATCH);
            if (st == NS_OK)
                st = ns_db_commit(db);
            if (st != NS_OK) {
                note(w->first_failure, &w->failures, "batch %u: %s: %s", b,
                     ns_strerror(st), ns_db_errmsg(db));
                break;
            }
        }
        ns_db_close(db);
    }
    atomic_store(&w->sh->writer_done, 1);
    return NULL;
}

static void
rmrf(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

/* Run READERS readers against one writer on an index of `initial`
 * articles, and check that nothing failed and nothing was lost. */
static void
run(unsigned initial)
{
    char dir[64];
    shared sh;
    memset(&sh, 0, sizeof sh);
    atomic_init(&sh.writer_done, 0);
    /* Fewer commits under valgrind, which runs one thread at a time. */
    const char *nb = getenv("NS_TEST_BATCHES");
    sh.batches = nb && atoi(nb) > 0 ? (unsigned)atoi(nb) : BATCHES;
    strcpy(dir, "/tmp/nsthrXXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(sh.path, sizeof sh.path, "%s/idx", dir);

    ns_db *db = NULL;
    assert_int_equal(
        ns_db_open(sh.path, NS_OPEN_WRITE | NS_OPEN_CREATE, &db, NULL), NS_OK);
    assert_int_equal(add_articles(db, 0, initial), NS_OK);
    assert_int_equal(ns_db_commit(db), NS_OK);
    ns_db_close(db);

    reader r[READERS];
    writer w;
    memset(r, 0, sizeof r);
    memset(&w, 0, sizeof w);
    w.sh = &sh;
    w.first_id = initial;
    for (int i = 0; i < READERS; i++) {
        r[i].sh = &sh;
        r[i].id = i;
        assert_int_equal(pthread_create(&r[i].t, NULL, reader_main, &r[i]), 0);
    }
    assert_int_equal(pthread_create(&w.t, NULL, writer_main, &w), 0);
    assert_int_equal(pthread_join(w.t, NULL), 0);
    unsigned searches = 0, failures = w.failures;
    if (w.failures)
        fprintf(stderr, "writer: %u failures, first: %s\n", w.failures,
                w.first_failure);
    for (int i = 0; i < READERS; i++) {
        assert_int_equal(pthread_join(r[i].t, NULL), 0);
        searches += r[i].searches;
        failures += r[i].failures;
        if (r[i].failures)
            fprintf(stderr, "reader %d: %u of %u searches failed, first: %s\n",
                    i, r[i].failures, r[i].searches, r[i].first_failure);
    }
    assert_int_equal(failures, 0);
    assert_true(searches >= READERS * MIN_SEARCHES);

    /* A new handle sees every article, each once. */
    assert_int_equal(ns_db_open(sh.path, NS_OPEN_READ, &db, NULL), NS_OK);
    ns_db_info info;
    assert_int_equal(ns_db_stat_v2(db, NS_DB_INFO_VERSION, &info), NS_OK);
    assert_int_equal(info.articles, initial + sh.batches * BATCH);
    ns_search_options o = NS_SEARCH_OPTIONS_INIT;
    o.no_snippets = 1;
    ns_results *res = NULL;
    assert_int_equal(ns_db_search(db, "report", &o, &res), NS_OK);
    assert_int_equal(ns_results_total(res), initial + sh.batches * BATCH);
    ns_results_free(res);
    ns_db_close(db);
    rmrf(dir);
}

/* Readers start on an index that has its dictionary and many revisions
 * to come. */
static void
test_readers_and_writer(void **state)
{
    (void)state;
    run(150);
}

/* Readers start on an index of a handful of articles, before the writer's
 * commits give it enough text for a dictionary. */
static void
test_readers_on_new_index(void **state)
{
    (void)state;
    run(3);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readers_and_writer),
        cmocka_unit_test(test_readers_on_new_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
