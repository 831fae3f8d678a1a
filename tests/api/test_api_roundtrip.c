/*
 * test_api_roundtrip.c: the public API end to end on small hand-made
 * articles: create, add, commit, search, snippets, replace, delete, and the
 * error statuses of a missing and of a locked index.  Uses only nsearch.h.
 */
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
    ns_db *db;
} fixture;

static void
rmrf(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

static void
add(ns_db *db, const char *id, const char *title, const char *date,
    const char *text)
{
    ns_article a = NS_ARTICLE_INIT;
    a.id = id;
    a.title = title;
    a.date = date;
    a.source = "Test Wire";
    a.url = "https://news.example.com/a";
    a.text = text;
    a.text_len = strlen(text);
    assert_int_equal(ns_db_add_article(db, &a), NS_OK);
}

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/nsapiXXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/idx", f->dir);
    char *msg = NULL;
    assert_int_equal(
        ns_db_open(f->path, NS_OPEN_WRITE | NS_OPEN_CREATE, &f->db, &msg),
        NS_OK);
    assert_null(msg);
    add(f->db, "a1", "Russia builds an airbase near Latakia",
        "2015-09-18T10:00:00Z",
        "Satellite images show Russia expanding the airbase. The airbases "
        "of the region are busy.");
    add(f->db, "a2", "Markets close higher", "2015-09-19",
        "Stocks rose on Friday. A passing mention of Latakia here.");
    add(f->db, "a3", "Pérez wins the election", "2016-01-02",
        "José Pérez won; the Al-Assad government did not comment.");
    assert_int_equal(ns_db_commit(f->db), NS_OK);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;
    ns_db_close(f->db);
    rmrf(f->dir);
    free(f);
    return 0;
}

static ns_results *
search(ns_db *db, const char *q, const ns_search_options *o)
{
    ns_results *r = NULL;
    ns_status st = ns_db_search(db, q, o, &r);
    if (st != NS_OK)
        fail_msg("search '%s': %s: %s", q, ns_strerror(st), ns_db_errmsg(db));
    return r;
}

static void
test_rank_and_snippet(void **state)
{
    fixture *f = *state;
    ns_results *r = search(f->db, "latakia airbase", NULL);
    assert_true(ns_results_count(r) >= 2);
    const ns_hit *h = ns_results_get(r, 0);
    /* A title match ranks above a passing mention. */
    assert_string_equal(h->id, "a1");
    assert_string_equal(h->date, "2015-09-18T10:00:00Z");
    assert_string_equal(h->source, "Test Wire");
    assert_true(h->score > ns_results_get(r, 1)->score);
    /* Both inflections in the snippet are highlighted, at their bytes. */
    assert_true(h->n_highlights >= 2);
    int saw_plural = 0;
    for (size_t i = 0; i < h->n_highlights; i++) {
        const ns_highlight *hl = &h->highlights[i];
        assert_true(hl->end <= h->snippet_len && hl->start < hl->end);
        if (hl->end - hl->start == 8 &&
            memcmp(h->snippet + hl->start, "airbases", 8) == 0)
            saw_plural = 1;
    }
    assert_true(saw_plural);
    assert_null(ns_results_get(r, 99));
    ns_results_free(r);
}

static void
test_accents_and_phrases(void **state)
{
    fixture *f = *state;
    ns_results *r = search(f->db, "perez", NULL);
    assert_int_equal(ns_results_count(r), 1);
    const ns_hit *h = ns_results_get(r, 0);
    assert_string_equal(h->id, "a3");
    assert_true(h->n_highlights >= 1);
    assert_memory_equal(h->snippet + h->highlights[0].start, "Pérez", 6);
    ns_results_free(r);

    r = search(f->db, "al-assad", NULL);
    assert_int_equal(ns_results_count(r), 1);
    ns_results_free(r);
    r = search(f->db, "\"al assad\"", NULL);
    assert_int_equal(ns_results_count(r), 1);
    ns_results_free(r);
    r = search(f->db, "\"assad al\"", NULL);
    assert_int_equal(ns_results_count(r), 0);
    ns_results_free(r);
}

static void
test_dates_and_sort(void **state)
{
    fixture *f = *state;
    ns_search_options o = NS_SEARCH_OPTIONS_INIT;
    o.since = "2015-09-19";
    o.until = "2015";
    ns_results *r = search(f->db, "latakia", &o);
    assert_int_equal(ns_results_count(r), 1);
    assert_string_equal(ns_results_get(r, 0)->id, "a2");
    ns_results_free(r);

    o.since = o.until = NULL;
    o.sort = NS_SORT_OLDEST;
    r = search(f->db, "latakia", &o);
    assert_int_equal(ns_results_count(r), 2);
    assert_string_equal(ns_results_get(r, 0)->id, "a1");
    ns_results_free(r);
    o.sort = NS_SORT_NEWEST;
    r = search(f->db, "latakia", &o);
    assert_string_equal(ns_results_get(r, 0)->id, "a2");
    ns_results_free(r);

    o.sort = NS_SORT_RELEVANCE;
    o.since = "yesterday";
    r = NULL;
    assert_int_equal(ns_db_search(f->db, "latakia", &o, &r),
                     NS_ERR_INVALID_ARG);
    assert_null(r);
}

static void
test_replace_and_delete(void **state)
{
    fixture *f = *state;
    add(f->db, "a2", "Markets close lower", "2015-09-19", "Stocks fell.");
    assert_int_equal(ns_db_commit(f->db), NS_OK);
    ns_results *r = search(f->db, "markets", NULL);
    assert_int_equal(ns_results_count(r), 1);
    assert_string_equal(ns_results_get(r, 0)->title, "Markets close lower");
    ns_results_free(r);
    ns_db_info info;
    assert_int_equal(ns_db_stat_v2(f->db, NS_DB_INFO_VERSION, &info), NS_OK);
    assert_int_equal(info.articles, 3);

    assert_int_equal(ns_db_delete(f->db, "a2"), NS_OK);
    assert_int_equal(ns_db_delete(f->db, "a2"), NS_ERR_NOT_FOUND);
    assert_int_equal(ns_db_commit(f->db), NS_OK);
    r = search(f->db, "markets", NULL);
    assert_int_equal(ns_results_count(r), 0);
    ns_results_free(r);
}

static void
test_empty_query(void **state)
{
    fixture *f = *state;
    ns_results *r = NULL;
    assert_int_equal(ns_db_search(f->db, "  ... ", NULL, &r),
                     NS_ERR_QUERY_EMPTY);
    assert_null(r);
    assert_true(strlen(ns_db_errmsg(f->db)) > 0);
}

static void
test_locked_and_missing(void **state)
{
    fixture *f = *state;
    ns_db *other = NULL;
    char *msg = NULL;
    assert_int_equal(ns_db_open(f->path, NS_OPEN_WRITE, &other, &msg),
                     NS_ERR_INDEX_LOCKED);
    assert_null(other);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "locked"));
    ns_free(msg);

    /* A reader opens while the writer holds the lock. */
    assert_int_equal(ns_db_open(f->path, NS_OPEN_READ, &other, NULL), NS_OK);
    ns_results *r = search(other, "latakia", NULL);
    assert_true(ns_results_count(r) > 0);
    ns_results_free(r);
    ns_db_close(other);

    char missing[128];
    snprintf(missing, sizeof missing, "%s/none", f->dir);
    assert_int_equal(ns_db_open(missing, NS_OPEN_READ, &other, &msg),
                     NS_ERR_INDEX_OPEN);
    assert_non_null(strstr(msg, "none"));
    ns_free(msg);
    assert_int_equal(ns_db_open(NULL, NS_OPEN_READ, &other, NULL),
                     NS_ERR_INVALID_ARG);
    /* Adding through a read-only handle is refused. */
    assert_int_equal(ns_db_open(f->path, NS_OPEN_READ, &other, NULL), NS_OK);
    ns_article a = NS_ARTICLE_INIT;
    a.title = "x";
    assert_int_equal(ns_db_add_article(other, &a), NS_ERR_INVALID_ARG);
    ns_db_close(other);
}

static void
test_strerror_and_version(void **state)
{
    (void)state;
    for (int s = 0; s < NS_STATUS_COUNT_; s++) {
        const char *t = ns_strerror((ns_status)s);
        assert_non_null(t);
        assert_string_not_equal(t, "unknown status");
    }
    assert_string_equal(ns_version_string(), NS_VERSION_STRING);
    assert_int_equal(ns_version_number(), NS_VERSION_NUMBER);
    assert_true(NS_CHECK_VERSION(0, 1, 0));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rank_and_snippet, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_accents_and_phrases, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_dates_and_sort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replace_and_delete, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_empty_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_locked_and_missing, setup,
                                        teardown),
        cmocka_unit_test(test_strerror_and_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
