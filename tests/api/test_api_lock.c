/*
 * test_api_lock.c: the writer lock of ns_db_open_v2().  A second writer
 * fails at once with timeout 0 and after its timeout otherwise, with a
 * message naming the holder; a writer that waits gets the lock when the
 * holder closes; ns_db_stat_v2() names the writer at work; readers never
 * wait.  Uses only nsearch.h.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "nsearch.h"

typedef struct fixture {
    char dir[64];
    char path[96];
} fixture;

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/nslockXXXXXX");
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
open_writer(const char *path, int timeout_ms, ns_status want, char **msg)
{
    ns_open_options o = NS_OPEN_OPTIONS_INIT;
    o.flags = NS_OPEN_WRITE | NS_OPEN_CREATE;
    o.lock_timeout_ms = timeout_ms;
    ns_db *db = (ns_db *)1;
    assert_int_equal(ns_db_open_v2(path, &o, &db, msg), want);
    if (want != NS_OK)
        assert_null(db);
    return db;
}

static void
add(ns_db *db, const char *id, const char *text)
{
    ns_article a = NS_ARTICLE_INIT;
    a.id = id;
    a.title = id;
    a.text = text;
    a.text_len = strlen(text);
    assert_int_equal(ns_db_add_article(db, &a), NS_OK);
}

static void
test_second_writer_fails(void **state)
{
    fixture *f = *state;
    ns_db *w1 = open_writer(f->path, 0, NS_OK, NULL);
    add(w1, "a1", "harbour cranes at work");
    assert_int_equal(ns_db_commit(w1), NS_OK);

    char *msg = NULL;
    open_writer(f->path, 0, NS_ERR_INDEX_LOCKED, &msg);
    assert_non_null(msg);
    char want[64];
    snprintf(want, sizeof want, "(pid %ld on ", (long)getpid());
    assert_non_null(strstr(msg, "locked by another writer"));
    assert_non_null(strstr(msg, want));
    ns_free(msg);

    /* A short wait, then the same answer. */
    open_writer(f->path, 50, NS_ERR_INDEX_LOCKED, NULL);

    /* The old API never waits. */
    ns_db *w2 = NULL;
    assert_int_equal(ns_db_open(f->path, NS_OPEN_WRITE, &w2, NULL),
                     NS_ERR_INDEX_LOCKED);

    /* Readers open and search, and status names the writer. */
    ns_db *r = NULL;
    assert_int_equal(ns_db_open(f->path, NS_OPEN_READ, &r, NULL), NS_OK);
    ns_results *res = NULL;
    assert_int_equal(ns_db_search(r, "harbour", NULL, &res), NS_OK);
    assert_int_equal(ns_results_count(res), 1);
    ns_results_free(res);
    ns_db_info info;
    assert_int_equal(ns_db_stat_v2(r, NS_DB_INFO_VERSION, &info), NS_OK);
    snprintf(want, sizeof want, "pid %ld on ", (long)getpid());
    assert_memory_equal(info.writer, want, strlen(want));

    ns_db_close(w1);
    assert_int_equal(ns_db_stat_v2(r, NS_DB_INFO_VERSION, &info), NS_OK);
    assert_string_equal(info.writer, "");
    ns_db_close(r);

    /* Closed: the lock is free again. */
    w2 = open_writer(f->path, 0, NS_OK, NULL);
    ns_db_close(w2);
}

typedef struct closer {
    ns_db *db;
    int delay_ms;
} closer;

static void *
close_later(void *arg)
{
    closer *c = arg;
    usleep((useconds_t)c->delay_ms * 1000);
    ns_db_close(c->db);
    return NULL;
}

static void
test_waiting_writer_gets_the_lock(void **state)
{
    fixture *f = *state;
    ns_db *w1 = open_writer(f->path, 0, NS_OK, NULL);
    add(w1, "a1", "first writer's article");
    closer c = { w1, 200 };
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, close_later, &c), 0);
    /* Waits (forever if need be) until the thread closes w1, which also
     * commits w1's article. */
    ns_db *w2 = open_writer(f->path, -1, NS_OK, NULL);
    assert_int_equal(pthread_join(t, NULL), 0);
    add(w2, "a2", "second writer's article");
    assert_int_equal(ns_db_commit(w2), NS_OK);
    ns_db_info info;
    assert_int_equal(ns_db_stat_v2(w2, NS_DB_INFO_VERSION, &info), NS_OK);
    assert_int_equal(info.articles, 2);
    ns_db_close(w2);
}

static void
test_bad_options(void **state)
{
    fixture *f = *state;
    ns_open_options o = NS_OPEN_OPTIONS_INIT;
    o.version = 0;
    ns_db *db = (ns_db *)1;
    char *msg = NULL;
    assert_int_equal(ns_db_open_v2(f->path, &o, &db, &msg), NS_ERR_INVALID_ARG);
    assert_null(db);
    assert_non_null(msg);
    ns_free(msg);
    o.version = NS_OPEN_OPTIONS_VERSION + 1;
    assert_int_equal(ns_db_open_v2(f->path, &o, &db, NULL), NS_ERR_INVALID_ARG);
    assert_int_equal(ns_db_open_v2(f->path, NULL, NULL, NULL),
                     NS_ERR_INVALID_ARG);
    /* NULL options: read-only, and there is no index yet. */
    assert_int_equal(ns_db_open_v2(f->path, NULL, &db, NULL),
                     NS_ERR_INDEX_OPEN);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_second_writer_fails, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_waiting_writer_gets_the_lock,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
