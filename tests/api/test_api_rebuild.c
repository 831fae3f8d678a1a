/*
 * test_api_rebuild.c: atomic rebuilds and compaction (NS_OPEN_REBUILD,
 * ns_db_publish, ns_db_compact) while readers search.  Reader threads open
 * a new handle for every search and must always see either the whole old
 * index or the whole new one, never a part of the new one, never an error;
 * a handle opened before the switch keeps working on the old generation,
 * which is deleted only once it is closed; a rebuild closed without
 * publishing changes nothing.  Uses only nsearch.h.
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

#define OLD_N   120 /* articles of the old index, each with "alpha" */
#define NEW_N   300 /* of the rebuilt one, each with "beta" */
#define READERS 2

typedef struct fixture {
    char dir[64];
    char path[96];
} fixture;

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/nsrebXXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/idx", f->dir);
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

static ns_db *
writer(const char *path, unsigned extra)
{
    ns_open_options o = NS_OPEN_OPTIONS_INIT;
    o.flags = NS_OPEN_WRITE | NS_OPEN_CREATE | extra;
    ns_db *db = NULL;
    char *msg = NULL;
    ns_status st = ns_db_open_v2(path, &o, &db, &msg);
    if (st != NS_OK)
        fprintf(stderr, "open: %s\n", msg ? msg : ns_strerror(st));
    ns_free(msg);
    assert_int_equal(st, NS_OK);
    return db;
}

static void
add_n(ns_db *db, const char *word, int n, int commit_every)
{
    for (int i = 0; i < n; i++) {
        char id[32], text[160];
        snprintf(id, sizeof id, "%s-%d", word, i);
        snprintf(text, sizeof text,
                 "%s article number %d about the harbour and its %d cranes",
                 word, i, i % 7);
        ns_article a = NS_ARTICLE_INIT;
        a.id = id;
        a.title = id;
        a.text = text;
        a.text_len = strlen(text);
        assert_int_equal(ns_db_add_article(db, &a), NS_OK);
        if (commit_every && (i + 1) % commit_every == 0)
            assert_int_equal(ns_db_commit(db), NS_OK);
    }
}

static uint64_t
total(ns_db *db, const char *q, ns_status *st)
{
    ns_results *r = NULL;
    ns_search_options so = NS_SEARCH_OPTIONS_INIT;
    so.no_snippets = 1;
    *st = ns_db_search(db, q, &so, &r);
    uint64_t n = r ? ns_results_total(r) : 0;
    ns_results_free(r);
    return n;
}

typedef struct reader {
    pthread_t t;
    const char *path;
    atomic_int *stop;
    unsigned searches, saw_old, saw_new, bad;
    char why[160];
} reader;

static void *
read_loop(void *arg)
{
    reader *rd = arg;
    /* After stop, go on until this reader has seen the switch (bounded):
     * on a loaded machine a reader may not have run since the publish. */
    unsigned after_stop = 0;
    while (!atomic_load(rd->stop) || rd->searches < 20 ||
           (rd->saw_new == 0 && after_stop++ < 1000)) {
        ns_db *db = NULL;
        ns_status st = ns_db_open(rd->path, NS_OPEN_READ, &db, NULL);
        if (st != NS_OK) {
            rd->bad++;
            snprintf(rd->why, sizeof rd->why, "open: %s", ns_strerror(st));
            continue;
        }
        ns_status s1, s2;
        uint64_t a = total(db, "alpha", &s1);
        uint64_t b = total(db, "beta", &s2);
        rd->searches++;
        if (s1 != NS_OK || s2 != NS_OK) {
            rd->bad++;
            snprintf(rd->why, sizeof rd->why, "search: %s %s", ns_strerror(s1),
                     ns_strerror(s2));
        } else if (a == OLD_N && b == 0) {
            rd->saw_old++;
        } else if (a == 0 && b == NEW_N) {
            rd->saw_new++;
        } else {
            rd->bad++;
            snprintf(rd->why, sizeof rd->why, "a part: alpha %llu, beta %llu",
                     (unsigned long long)a, (unsigned long long)b);
        }
        ns_db_close(db);
    }
    return NULL;
}

static void
test_switch_seen_by_readers(void **state)
{
    fixture *f = *state;
    ns_db *w = writer(f->path, 0);
    add_n(w, "alpha", OLD_N, 0);
    ns_db_close(w);

    /* A handle from before the rebuild, kept open across the switch. */
    ns_db *early = NULL;
    assert_int_equal(ns_db_open(f->path, NS_OPEN_READ, &early, NULL), NS_OK);

    atomic_int stop = 0;
    reader rd[READERS];
    memset(rd, 0, sizeof rd);
    for (int i = 0; i < READERS; i++) {
        rd[i].path = f->path;
        rd[i].stop = &stop;
        assert_int_equal(pthread_create(&rd[i].t, NULL, read_loop, &rd[i]), 0);
    }

    /* The rebuild commits in batches: the new generation is partial for
     * a long while, and readers must never see it so. */
    w = writer(f->path, NS_OPEN_REBUILD);
    add_n(w, "beta", NEW_N, 25);
    assert_int_equal(ns_db_compact(w), NS_OK);
    ns_status s;
    assert_int_equal(total(early, "alpha", &s), OLD_N);
    assert_int_equal(ns_db_publish(w), NS_OK);
    assert_int_equal(ns_db_publish(w), NS_ERR_INVALID_ARG); /* done once */

    /* The writer handle goes on with the live index. */
    add_n(w, "gamma", 1, 0);
    assert_int_equal(ns_db_commit(w), NS_OK);
    ns_db_close(w);

    atomic_store(&stop, 1);
    unsigned old_seen = 0, new_seen = 0;
    for (int i = 0; i < READERS; i++) {
        assert_int_equal(pthread_join(rd[i].t, NULL), 0);
        if (rd[i].bad)
            fail_msg("reader %d: %u bad of %u: %s", i, rd[i].bad,
                     rd[i].searches, rd[i].why);
        old_seen += rd[i].saw_old;
        new_seen += rd[i].saw_new;
    }
    /* The readers ran until after the switch: the last ones saw it. */
    assert_true(new_seen > 0);
    (void)old_seen; /* before the switch, depending on the timing */
    print_message("searches: %u saw the old index, %u the new\n", old_seen,
                  new_seen);

    /* The early handle still reads its generation, kept for it. */
    assert_int_equal(total(early, "alpha", &s), OLD_N);
    assert_int_equal(s, NS_OK);
    assert_int_equal(total(early, "beta", &s), 0);
    ns_db_info info;
    assert_int_equal(ns_db_stat_v2(early, NS_DB_INFO_VERSION, &info), NS_OK);
    assert_true(info.other_bytes > 0); /* the new generation */
    ns_db_close(early);

    /* New handles see the new index, and once the early handle is gone a
     * writer deletes the old generation. */
    ns_db *r = NULL;
    assert_int_equal(ns_db_open(f->path, NS_OPEN_READ, &r, NULL), NS_OK);
    assert_int_equal(total(r, "beta", &s), NEW_N);
    assert_int_equal(total(r, "gamma", &s), 1);
    assert_int_equal(ns_db_stat_v2(r, NS_DB_INFO_VERSION, &info), NS_OK);
    assert_non_null(strstr(info.location, "/gen-"));
    ns_db_close(r);
    w = writer(f->path, 0);
    assert_int_equal(ns_db_stat_v2(w, NS_DB_INFO_VERSION, &info), NS_OK);
    assert_int_equal(info.other_bytes, 0);
    ns_db_close(w);
}

static void
test_unpublished_rebuild_changes_nothing(void **state)
{
    fixture *f = *state;
    ns_db *w = writer(f->path, 0);
    add_n(w, "alpha", 10, 0);
    ns_db_close(w);

    w = writer(f->path, NS_OPEN_REBUILD);
    add_n(w, "beta", 10, 5);
    ns_db_close(w); /* not published: discarded */

    ns_db *r = NULL;
    ns_status s;
    assert_int_equal(ns_db_open(f->path, NS_OPEN_READ, &r, NULL), NS_OK);
    assert_int_equal(total(r, "alpha", &s), 10);
    assert_int_equal(total(r, "beta", &s), 0);
    ns_db_info info;
    assert_int_equal(ns_db_stat_v2(r, NS_DB_INFO_VERSION, &info), NS_OK);
    assert_int_equal(info.other_bytes, 0); /* nothing left behind */
    ns_db_close(r);

    /* Publishing needs a rebuild handle. */
    w = writer(f->path, 0);
    assert_int_equal(ns_db_publish(w), NS_ERR_INVALID_ARG);
    ns_db_close(w);
    assert_int_equal(ns_db_publish(NULL), NS_ERR_INVALID_ARG);
    assert_int_equal(ns_db_compact(NULL), NS_ERR_INVALID_ARG);
    assert_int_equal(ns_db_open(f->path, NS_OPEN_READ, &r, NULL), NS_OK);
    assert_int_equal(ns_db_compact(r), NS_ERR_INVALID_ARG); /* a reader */
    ns_db_close(r);
}

static void
test_compact_keeps_everything(void **state)
{
    fixture *f = *state;
    ns_db *w = writer(f->path, 0);
    add_n(w, "alpha", 50, 10);
    ns_db_info before, after;
    assert_int_equal(ns_db_stat_v2(w, NS_DB_INFO_VERSION, &before), NS_OK);
    char where[256];
    snprintf(where, sizeof where, "%s", before.location);
    assert_int_equal(ns_db_compact(w), NS_OK);
    assert_int_equal(ns_db_stat_v2(w, NS_DB_INFO_VERSION, &after), NS_OK);
    assert_int_equal(after.articles, 50);
    assert_true(after.size_bytes <= before.size_bytes);
    assert_string_not_equal(after.location, where);
    /* Still a writer of the live (compacted) index. */
    add_n(w, "beta", 5, 0);
    ns_db_close(w);
    ns_db *r = NULL;
    ns_status s;
    assert_int_equal(ns_db_open(f->path, NS_OPEN_READ, &r, NULL), NS_OK);
    assert_int_equal(total(r, "alpha", &s), 50);
    assert_int_equal(total(r, "beta", &s), 5);
    ns_db_close(r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_switch_seen_by_readers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_unpublished_rebuild_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compact_keeps_everything, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
