/*
 * test_api_errors.c: every public function's error paths return the status
 * nsearch.h documents for them, set *out to NULL, put a message where the
 * header says one goes, and leak nothing (run under ASan and valgrind).
 * The NULL-safety of the destructors and accessors too.  Uses only
 * nsearch.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "nsearch.h"

typedef struct fixture {
    char dir[64];
    char path[96]; /* an index of one article */
    ns_db *w;      /* its writer */
} fixture;

static void
rmrf(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/nserrXXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/idx", f->dir);
    assert_int_equal(
        ns_db_open(f->path, NS_OPEN_WRITE | NS_OPEN_CREATE, &f->w, NULL),
        NS_OK);
    ns_article a = NS_ARTICLE_INIT;
    a.id = "e1";
    a.title = "Border talks resume";
    a.date = "2020-01-02";
    a.text = "The ministers met at the border.";
    a.text_len = strlen(a.text);
    assert_int_equal(ns_db_add_article(f->w, &a), NS_OK);
    assert_int_equal(ns_db_commit(f->w), NS_OK);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;
    ns_db_close(f->w);
    rmrf(f->dir);
    free(f);
    return 0;
}

/* Open must fail with want, leave *out NULL and give a message that
 * mentions `mention` (if not NULL). */
static void
expect_open_fails(const char *path,
                  unsigned flags,
                  ns_status want,
                  const char *mention)
{
    ns_db *db = (ns_db *)&db; /* not NULL: open must clear it */
    char *msg = NULL;
    ns_status st = ns_db_open(path, flags, &db, &msg);
    if (st != want)
        fail_msg("open '%s' %u: %s (%s), want %s", path ? path : "(null)",
                 flags, ns_strerror(st), msg ? msg : "", ns_strerror(want));
    assert_null(db);
    assert_non_null(msg);
    assert_true(msg[0] != '\0');
    if (mention && !strstr(msg, mention))
        fail_msg("message '%s' does not mention '%s'", msg, mention);
    ns_free(msg);
    /* errmsg is optional. */
    db = (ns_db *)&db;
    assert_int_equal(ns_db_open(path, flags, &db, NULL), want);
    assert_null(db);
}

static void
test_statuses_and_versions(void **state)
{
    (void)state;
    for (int i = 0; i < NS_STATUS_COUNT_; i++) {
        const char *s = ns_strerror((ns_status)i);
        assert_non_null(s);
        assert_true(s[0] != '\0');
        assert_string_not_equal(s, "unknown status");
        for (int k = 0; k < i; k++)
            assert_string_not_equal(s, ns_strerror((ns_status)k));
    }
    assert_string_equal(ns_strerror(NS_STATUS_COUNT_), "unknown status");
    assert_string_equal(ns_strerror((ns_status)9999), "unknown status");
    assert_int_equal(ns_version_number(), NS_VERSION_NUMBER);
    assert_string_equal(ns_version_string(), NS_VERSION_STRING);
}

static void
test_null_is_harmless(void **state)
{
    (void)state;
    ns_free(NULL);
    ns_db_close(NULL);
    ns_results_free(NULL);
    assert_string_equal(ns_db_errmsg(NULL), "");
    assert_int_equal(ns_results_count(NULL), 0);
    assert_int_equal(ns_results_total(NULL), 0);
    assert_null(ns_results_get(NULL, 0));
    assert_string_equal(ns_results_note(NULL), "");
    assert_string_equal(ns_results_suggestion(NULL), "");
    assert_int_equal(ns_results_facet_count(NULL, NS_FACET_SOURCE), 0);
    assert_null(ns_results_facet(NULL, NS_FACET_MONTH, 0));
}

static void
test_open(void **state)
{
    fixture *f = *state;
    char p[160];
    assert_int_equal(ns_db_open(f->path, NS_OPEN_READ, NULL, NULL),
                     NS_ERR_INVALID_ARG);
    expect_open_fails(NULL, NS_OPEN_READ, NS_ERR_INVALID_ARG, NULL);
    expect_open_fails("", NS_OPEN_READ, NS_ERR_INVALID_ARG, NULL);
    expect_open_fails(f->path, NS_OPEN_CREATE, NS_ERR_INVALID_ARG, NULL);
    /* The flags that go with NS_OPEN_WRITE, without it; an unknown bit. */
    expect_open_fails(f->path, NS_OPEN_REBUILD, NS_ERR_INVALID_ARG,
                      "NS_OPEN_WRITE");
    expect_open_fails(f->path, NS_OPEN_NO_POSITIONS, NS_ERR_INVALID_ARG,
                      "NS_OPEN_WRITE");
    expect_open_fails(f->path, 1u << 20, NS_ERR_INVALID_ARG, "0x100000");

    snprintf(p, sizeof p, "%s/none", f->dir);
    expect_open_fails(p, NS_OPEN_READ, NS_ERR_INDEX_OPEN, p);
    expect_open_fails(p, NS_OPEN_WRITE, NS_ERR_INDEX_OPEN, p);
    struct stat sb;
    assert_int_not_equal(stat(p, &sb), 0); /* nothing was created */

    /* A file, and an empty directory, are not indexes. */
    snprintf(p, sizeof p, "%s/file", f->dir);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs("not an index\n", fp);
    fclose(fp);
    expect_open_fails(p, NS_OPEN_READ, NS_ERR_INDEX_OPEN, p);
    snprintf(p, sizeof p, "%s/empty", f->dir);
    assert_int_equal(mkdir(p, 0700), 0);
    expect_open_fails(p, NS_OPEN_READ, NS_ERR_INDEX_OPEN, p);

    /* The fixture's writer holds the lock. */
    expect_open_fails(f->path, NS_OPEN_WRITE, NS_ERR_INDEX_LOCKED, f->path);
    /* Readers never wait for it. */
    ns_db *r = NULL;
    assert_int_equal(ns_db_open(f->path, NS_OPEN_READ, &r, NULL), NS_OK);
    assert_string_equal(ns_db_errmsg(r), "");
    ns_db_close(r);
}

/* A copy of the fixture's index with one of its files damaged by cmd (a
 * shell command run in the copy's database directory) opens for neither
 * reading nor writing: NS_ERR_INDEX_CORRUPT, naming that file. */
static void
expect_damaged(const fixture *f, const char *cmd, const char *file)
{
    ns_db_info info;
    assert_int_equal(ns_db_stat_v2(f->w, NS_DB_INFO_VERSION, &info), NS_OK);
    const char *gen = strrchr(info.location, '/');
    assert_non_null(gen);
    char copy[128], sh[1024];
    snprintf(copy, sizeof copy, "%s/damaged", f->dir);
    snprintf(sh, sizeof sh, "rm -rf '%s' && cp -r '%s' '%s' && cd '%s%s' && %s",
             copy, f->path, copy, copy, gen, cmd);
    assert_int_equal(system(sh), 0);
    expect_open_fails(copy, NS_OPEN_READ, NS_ERR_INDEX_CORRUPT, file);
    expect_open_fails(copy, NS_OPEN_WRITE, NS_ERR_INDEX_CORRUPT, file);
    rmrf(copy);
}

static void
test_open_damaged(void **state)
{
    fixture *f = *state;
    /* The damaged file is found with Xapian's xapian-check. */
    if (system("command -v xapian-check >/dev/null 2>&1") != 0) {
        fprintf(stderr, "skipped: xapian-check (xapian-tools) not found\n");
        skip();
    }
    /* Xapian reads a block of another revision here, and said the index
     * was modified under the reader. */
    expect_damaged(f,
                   "printf '\\177\\177\\177\\177' | "
                   "dd of=docdata.glass conv=notrunc 2>/dev/null",
                   "docdata.glass");
    /* Xapian's DatabaseError, not a DatabaseCorruptError. */
    expect_damaged(f, "truncate -s 100 postlist.glass", "postlist.glass");
    expect_damaged(f, "printf junk >>iamglass", "iamglass");
    expect_damaged(f, "truncate -s 20 iamglass", "iamglass");
}

static void
test_writes(void **state)
{
    fixture *f = *state;
    ns_article a = NS_ARTICLE_INIT;
    a.title = "A title";
    assert_int_equal(ns_db_add_article(NULL, &a), NS_ERR_INVALID_ARG);
    assert_int_equal(ns_db_add_article(f->w, NULL), NS_ERR_INVALID_ARG);
    a.version = 0;
    assert_int_equal(ns_db_add_article(f->w, &a), NS_ERR_INVALID_ARG);
    a.version = NS_ARTICLE_VERSION + 1; /* a newer program's struct */
    assert_int_equal(ns_db_add_article(f->w, &a), NS_ERR_INVALID_ARG);
    assert_non_null(strstr(ns_db_errmsg(f->w), "version"));
    a.version = NS_ARTICLE_VERSION;

    /* Neither title nor text; text_len without text. */
    ns_article empty = NS_ARTICLE_INIT;
    assert_int_equal(ns_db_add_article(f->w, &empty), NS_ERR_INVALID_ARG);
    assert_true(ns_db_errmsg(f->w)[0] != '\0');
    ns_article bad = NS_ARTICLE_INIT;
    bad.title = "t";
    bad.text_len = 5;
    assert_int_equal(ns_db_add_article(f->w, &bad), NS_ERR_INVALID_ARG);

    assert_int_equal(ns_db_delete(NULL, "e1"), NS_ERR_INVALID_ARG);
    assert_int_equal(ns_db_delete(f->w, NULL), NS_ERR_INVALID_ARG);
    /* Each call's message is its own: not the last failure's. */
    assert_int_equal(ns_db_delete(f->w, "no-such-id"), NS_ERR_NOT_FOUND);
    assert_non_null(strstr(ns_db_errmsg(f->w), "no-such-id"));
    assert_int_equal(ns_db_commit(f->w), NS_OK);
    assert_string_equal(ns_db_errmsg(f->w), "");
    assert_int_equal(ns_db_commit(NULL), NS_ERR_INVALID_ARG);
    assert_int_equal(ns_db_publish(f->w), NS_ERR_INVALID_ARG);
    assert_non_null(strstr(ns_db_errmsg(f->w), "NS_OPEN_REBUILD"));

    /* A reader can do none of it. */
    ns_db *r = NULL;
    assert_int_equal(ns_db_open(f->path, NS_OPEN_READ, &r, NULL), NS_OK);
    assert_int_equal(ns_db_add_article(r, &a), NS_ERR_INVALID_ARG);
    assert_int_equal(ns_db_delete(r, "e1"), NS_ERR_INVALID_ARG);
    assert_int_equal(ns_db_commit(r), NS_ERR_INVALID_ARG);
    ns_index_stats stats = { 0 };
    assert_int_equal(ns_db_add_path(r, f->dir, NULL, &stats),
                     NS_ERR_INVALID_ARG);
    ns_db_close(r);

    /* The article is still there, once. */
    ns_results *res = NULL;
    assert_int_equal(ns_db_search(f->w, "border", NULL, &res), NS_OK);
    assert_int_equal(ns_results_count(res), 1);
    ns_results_free(res);
}

static int
stop_at_first(const ns_reject *r, void *payload)
{
    (void)r;
    ++*(int *)payload;
    return 1;
}

static void
test_add_path(void **state)
{
    fixture *f = *state;
    char p[160];
    ns_index_stats stats = { 0 };
    assert_int_equal(ns_db_add_path(NULL, f->dir, NULL, NULL),
                     NS_ERR_INVALID_ARG);
    assert_int_equal(ns_db_add_path(f->w, NULL, NULL, NULL),
                     NS_ERR_INVALID_ARG);
    snprintf(p, sizeof p, "%s/none", f->dir);
    assert_int_equal(ns_db_add_path(f->w, p, NULL, &stats), NS_ERR_NOT_FOUND);
    assert_non_null(strstr(ns_db_errmsg(f->w), "none"));

    /* A callback's non-zero return stops the run with NS_ERR_ABORTED. */
    snprintf(p, sizeof p, "%s/bad.jsonl", f->dir);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs("{\"id\": \"x\", \"title\": \n", fp);
    fclose(fp);
    int calls = 0;
    ns_index_options o = NS_INDEX_OPTIONS_INIT;
    o.on_reject = stop_at_first;
    o.payload = &calls;
    assert_int_equal(ns_db_add_path(f->w, p, &o, &stats), NS_ERR_ABORTED);
    assert_int_equal(calls, 1);
    /* Without a callback the run goes on and counts the reject. */
    memset(&stats, 0, sizeof stats);
    assert_int_equal(ns_db_add_path(f->w, p, NULL, &stats), NS_OK);
    assert_int_equal(stats.articles_rejected + stats.files_rejected, 1);
    o.version = 0;
    assert_int_equal(ns_db_add_path(f->w, p, &o, &stats),
                     NS_ERR_INVALID_ARG);
    assert_non_null(strstr(ns_db_errmsg(f->w), "version 0"));
    o.version = NS_INDEX_OPTIONS_VERSION + 1;
    assert_int_equal(ns_db_add_path(f->w, p, &o, &stats),
                     NS_ERR_INVALID_ARG);
}

static void
test_search(void **state)
{
    fixture *f = *state;
    ns_db *r = NULL;
    assert_int_equal(ns_db_open(f->path, NS_OPEN_READ, &r, NULL), NS_OK);
    ns_results *res = (ns_results *)&res;
    assert_int_equal(ns_db_search(r, "border", NULL, NULL), NS_ERR_INVALID_ARG);
    assert_int_equal(ns_db_search(NULL, "border", NULL, &res),
                     NS_ERR_INVALID_ARG);
    assert_null(res);
    res = (ns_results *)&res;
    assert_int_equal(ns_db_search(r, NULL, NULL, &res), NS_ERR_INVALID_ARG);
    assert_null(res);

    ns_search_options o = NS_SEARCH_OPTIONS_INIT;
    o.version = 0;
    assert_int_equal(ns_db_search(r, "border", &o, &res), NS_ERR_INVALID_ARG);
    assert_null(res);
    assert_non_null(strstr(ns_db_errmsg(r), "version 0"));
    o.version = NS_SEARCH_OPTIONS_VERSION + 1;
    assert_int_equal(ns_db_search(r, "border", &o, &res), NS_ERR_INVALID_ARG);
    o = (ns_search_options)NS_SEARCH_OPTIONS_INIT;
    o.sort = (ns_sort)7;
    assert_int_equal(ns_db_search(r, "border", &o, &res), NS_ERR_INVALID_ARG);
    assert_non_null(strstr(ns_db_errmsg(r), "ns_sort"));

    static const char *const empty[] = { "", "   ", "...", "\"\"" };
    for (size_t i = 0; i < sizeof empty / sizeof *empty; i++) {
        res = (ns_results *)&res;
        ns_status st = ns_db_search(r, empty[i], NULL, &res);
        if (st != NS_ERR_QUERY_EMPTY)
            fail_msg("query '%s': %s, want %s", empty[i], ns_strerror(st),
                     ns_strerror(NS_ERR_QUERY_EMPTY));
        assert_null(res);
        assert_true(ns_db_errmsg(r)[0] != '\0');
    }

    static const char *const dates[] = { "yesterday", "20", "2015-xx",
                                         "123456789012345" };
    for (size_t i = 0; i < sizeof dates / sizeof *dates; i++) {
        ns_search_options d = NS_SEARCH_OPTIONS_INIT;
        d.since = dates[i];
        res = (ns_results *)&res;
        assert_int_equal(ns_db_search(r, "border", &d, &res),
                         NS_ERR_INVALID_ARG);
        assert_null(res);
        assert_non_null(strstr(ns_db_errmsg(r), dates[i]));
        ns_search_options u = NS_SEARCH_OPTIONS_INIT;
        u.until = dates[i];
        assert_int_equal(ns_db_search(r, "border", &u, &res),
                         NS_ERR_INVALID_ARG);
    }

    /* After failures the handle works, and its message is per call. */
    assert_int_equal(ns_db_search(r, "border", NULL, &res), NS_OK);
    assert_string_equal(ns_db_errmsg(r), "");
    ns_results_free(res);
    /* Stop words only: read again keeping them, with no complaint left. */
    assert_int_equal(ns_db_search(r, "the", NULL, &res), NS_OK);
    assert_string_equal(ns_db_errmsg(r), "");
    ns_results_free(res);
    assert_int_equal(ns_db_search(r, "border", NULL, &res), NS_OK);
    assert_int_equal(ns_results_count(res), 1);
    assert_null(ns_results_get(res, 1));
    assert_null(ns_results_get(res, (size_t)-1));
    ns_results_free(res);
    /* Far past the end: no result, not an error. */
    o = (ns_search_options)NS_SEARCH_OPTIONS_INIT;
    o.offset = 1000000;
    assert_int_equal(ns_db_search(r, "border", &o, &res), NS_OK);
    assert_int_equal(ns_results_count(res), 0);
    ns_results_free(res);
    ns_db_close(r);
}

static void
test_stat(void **state)
{
    fixture *f = *state;
    ns_db_info info;
    assert_int_equal(ns_db_stat(NULL, &info), NS_ERR_INVALID_ARG);
    assert_int_equal(ns_db_stat(f->w, NULL), NS_ERR_INVALID_ARG);
    assert_int_equal(ns_db_stat(f->w, &info), NS_OK);
    assert_int_equal(info.articles, 1);
    /* A reader describes the latest commit, as its searches see it. */
    ns_db *r = NULL;
    assert_int_equal(ns_db_open(f->path, NS_OPEN_READ, &r, NULL), NS_OK);
    assert_int_equal(ns_db_stat(r, &info), NS_OK);
    assert_int_equal(info.articles, 1);
    ns_article a = NS_ARTICLE_INIT;
    a.id = "e2";
    a.title = "Second article";
    assert_int_equal(ns_db_add_article(f->w, &a), NS_OK);
    assert_int_equal(ns_db_commit(f->w), NS_OK);
    assert_int_equal(ns_db_stat(r, &info), NS_OK);
    assert_int_equal(info.articles, 2);
    ns_db_close(r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statuses_and_versions),
        cmocka_unit_test(test_null_is_harmless),
        cmocka_unit_test_setup_teardown(test_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stat, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
