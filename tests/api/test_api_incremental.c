/*
 * test_api_incremental.c: ns_db_add_path() as a cron job runs it, over and
 * over.  An unchanged archive is not read again; a touched file with the
 * same bytes is not read again; a changed file has its changed articles
 * replaced, its unchanged ones left alone and its removed ones deleted; an
 * article in two files is stored once, unless its id is local (a number
 * of up to 9 digits, which many exports restart in every file: scoped by
 * its file); NS_INDEX_PRUNE removes the articles of files that are gone;
 * and a caller built against version 1 of the options gets only the
 * counters it knows.  Uses only nsearch.h.
 */
#include <fcntl.h>
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
    char idx[96];
    char in[96];
    ns_db *db;
} fixture;

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/nsincXXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->idx, sizeof f->idx, "%s/idx", f->dir);
    snprintf(f->in, sizeof f->in, "%s/in", f->dir);
    assert_int_equal(mkdir(f->in, 0777), 0);
    assert_int_equal(
        ns_db_open(f->idx, NS_OPEN_WRITE | NS_OPEN_CREATE, &f->db, NULL),
        NS_OK);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;
    ns_db_close(f->db);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", f->dir);
    free(f);
    return 0;
}

/* Write in/name with the given JSON lines. */
static void
put(fixture *f, const char *name, const char *lines)
{
    char p[160];
    snprintf(p, sizeof p, "%s/%s", f->in, name);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(lines, fp);
    assert_int_equal(fclose(fp), 0);
}

static ns_index_stats
index_in(fixture *f, unsigned flags)
{
    ns_index_options o = NS_INDEX_OPTIONS_INIT;
    o.flags = flags;
    ns_index_stats st;
    memset(&st, 0, sizeof st);
    assert_int_equal(ns_db_add_path(f->db, f->in, &o, &st), NS_OK);
    return st;
}

static uint64_t
hits(fixture *f, const char *query)
{
    ns_results *r = NULL;
    ns_status st = ns_db_search(f->db, query, NULL, &r);
    assert_int_equal(st, NS_OK);
    uint64_t n = ns_results_count(r);
    ns_results_free(r);
    return n;
}

static uint64_t
articles(fixture *f)
{
    ns_db_info info;
    assert_int_equal(ns_db_stat_v2(f->db, NS_DB_INFO_VERSION, &info), NS_OK);
    return info.articles;
}

#define A1  "{\"id\":\"a1\",\"title\":\"Alpha\",\"text\":\"harbour alpha\"}\n"
#define A2  "{\"id\":\"a2\",\"title\":\"Beta\",\"text\":\"harbour beta\"}\n"
#define A2X "{\"id\":\"a2\",\"title\":\"Beta\",\"text\":\"harbour betamax\"}\n"
#define A3  "{\"id\":\"a3\",\"title\":\"Gamma\",\"text\":\"harbour gamma\"}\n"
#define A4  "{\"id\":\"a4\",\"title\":\"Delta\",\"text\":\"harbour delta\"}\n"
#define B1  "{\"id\":\"b1\",\"title\":\"One\",\"text\":\"quay one\"}\n"
#define B2  "{\"id\":\"b2\",\"title\":\"Two\",\"text\":\"quay two\"}\n"

static void
test_rerun_reads_nothing(void **state)
{
    fixture *f = *state;
    put(f, "a.jsonl", A1 A2 A3);
    put(f, "b.jsonl", B1 B2);
    ns_index_stats st = index_in(f, 0);
    assert_int_equal(st.files_seen, 2);
    assert_int_equal(st.articles_indexed, 5);
    assert_int_equal(articles(f), 5);

    st = index_in(f, 0);
    assert_int_equal(st.files_seen, 2);
    assert_int_equal(st.files_unchanged, 2);
    assert_int_equal(st.articles_indexed, 0);
    assert_int_equal(st.articles_unchanged, 0); /* not even read */
    assert_int_equal(st.bytes_read, 0);

    ns_db_info info;
    assert_int_equal(ns_db_stat_v2(f->db, NS_DB_INFO_VERSION, &info), NS_OK);
    assert_int_equal(info.files, 2);
    assert_int_equal(info.articles, 5);

    /* Same bytes, new mtime: hashed, not read. */
    char p[160];
    snprintf(p, sizeof p, "%s/a.jsonl", f->in);
    struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
    assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
    st = index_in(f, 0);
    assert_int_equal(st.files_unchanged, 2);
    assert_int_equal(st.articles_indexed, 0);
    assert_int_equal(st.bytes_read, 0);
}

static void
test_changed_file(void **state)
{
    fixture *f = *state;
    put(f, "a.jsonl", A1 A2 A3);
    index_in(f, 0);
    assert_int_equal(hits(f, "gamma"), 1);

    /* a1 kept, a2 changed, a3 gone, a4 new. */
    put(f, "a.jsonl", A1 A2X A4);
    ns_index_stats st = index_in(f, 0);
    assert_int_equal(st.files_unchanged, 0);
    assert_int_equal(st.articles_unchanged, 1);
    assert_int_equal(st.articles_indexed, 2);
    assert_int_equal(st.articles_deleted, 1);
    assert_int_equal(articles(f), 3);
    assert_int_equal(hits(f, "gamma"), 0);
    assert_int_equal(hits(f, "betamax"), 1);
    assert_int_equal(hits(f, "delta"), 1);
    assert_int_equal(hits(f, "alpha"), 1);

    /* Every line broken but one: the file is read, the rest deleted. */
    put(f, "a.jsonl", A1 "{broken\n");
    st = index_in(f, 0);
    assert_int_equal(st.articles_rejected, 1);
    assert_int_equal(st.articles_deleted, 2);
    assert_int_equal(articles(f), 1);
}

static void
test_same_article_twice(void **state)
{
    fixture *f = *state;
    put(f, "a.jsonl", A1 A2);
    put(f, "b.jsonl", A1 B1);
    ns_index_stats st = index_in(f, 0);
    assert_int_equal(articles(f), 3);
    assert_int_equal(hits(f, "alpha"), 1);

    /* Indexing the same files again changes nothing. */
    st = index_in(f, 0);
    assert_int_equal(st.articles_indexed, 0);
    assert_int_equal(articles(f), 3);

    /* a.jsonl drops a1, which b.jsonl still has: the article stays. */
    put(f, "a.jsonl", A2);
    st = index_in(f, 0);
    assert_int_equal(articles(f), 3);
    assert_int_equal(hits(f, "alpha"), 1);
}

/* Local ids: the same numbers in two files, as JSON exports number their
 * records.  L1B is L1A's record 1 changed. */
#define L1A  "{\"id\":1,\"title\":\"File A\",\"text\":\"zqo01 apple\"}\n"
#define L1AX "{\"id\":1,\"title\":\"File A\",\"text\":\"zqo01 apricot\"}\n"
#define L2A  "{\"id\":2,\"title\":\"File A\",\"text\":\"zqo02 avocado\"}\n"
#define L3A  "{\"id\":\"3\",\"title\":\"File A\",\"text\":\"zqo03 almond\"}\n"
#define L4A  "{\"id\":4,\"title\":\"File A\",\"text\":\"zqo04 anise\"}\n"
#define L1B  "{\"id\":1,\"title\":\"File B\",\"text\":\"zqo11 banana\"}\n"
#define L2B  "{\"id\":2,\"title\":\"File B\",\"text\":\"zqo12 basil\"}\n"

/* The id of the only result of query. */
static void
expect_id(fixture *f, const char *query, const char *id)
{
    ns_results *r = NULL;
    assert_int_equal(ns_db_search(f->db, query, NULL, &r), NS_OK);
    assert_int_equal(ns_results_count(r), 1);
    assert_string_equal(ns_results_get(r, 0)->id, id);
    ns_results_free(r);
}

static void
test_local_ids_per_file(void **state)
{
    fixture *f = *state;
    /* One run: record 1 of b.jsonl does not replace record 1 of a.jsonl;
     * within a file, a record met twice is stored once. */
    put(f, "a.jsonl", L1A L2A L1A);
    put(f, "b.jsonl", L1B);
    ns_index_stats st = index_in(f, 0);
    assert_int_equal(st.articles_indexed, 4);
    assert_int_equal(articles(f), 3);
    expect_id(f, "apple", "1"); /* the id the user sees is the file's */
    expect_id(f, "banana", "1");

    /* A later run adds a file with the same numbers: kept beside them. */
    put(f, "c.jsonl", L2B);
    st = index_in(f, 0);
    assert_int_equal(st.articles_indexed, 1);
    assert_int_equal(articles(f), 4);
    expect_id(f, "avocado", "2");
    expect_id(f, "basil", "2");

    /* The same files again: nothing written, nothing doubled. */
    st = index_in(f, 0);
    assert_int_equal(st.articles_indexed, 0);
    assert_int_equal(articles(f), 4);

    /* The same file given by its own path: still one copy. */
    char p[160];
    snprintf(p, sizeof p, "%s/in/./a.jsonl", f->dir);
    put(f, "a.jsonl", L1A L2A L3A);
    ns_index_options o = NS_INDEX_OPTIONS_INIT;
    memset(&st, 0, sizeof st);
    assert_int_equal(ns_db_add_path(f->db, p, &o, &st), NS_OK);
    assert_int_equal(st.articles_unchanged, 2);
    assert_int_equal(st.articles_indexed, 1);
    assert_int_equal(articles(f), 5);
}

static void
test_local_ids_changed_file(void **state)
{
    fixture *f = *state;
    put(f, "a.jsonl", L1A L2A L3A);
    put(f, "b.jsonl", L1B L2B);
    index_in(f, 0);
    assert_int_equal(articles(f), 5);

    /* a.jsonl: 1 changed, 2 kept, 3 gone, 4 new; b.jsonl's 1 and 2, with
     * the same numbers, are not a.jsonl's and stay as they are. */
    put(f, "a.jsonl", L1AX L2A L4A);
    ns_index_stats st = index_in(f, 0);
    assert_int_equal(st.files_unchanged, 1);
    assert_int_equal(st.articles_unchanged, 1);
    assert_int_equal(st.articles_indexed, 2);
    assert_int_equal(st.articles_deleted, 1);
    assert_int_equal(articles(f), 5);
    assert_int_equal(hits(f, "apple"), 0);
    assert_int_equal(hits(f, "almond"), 0);
    expect_id(f, "apricot", "1");
    expect_id(f, "anise", "4");
    expect_id(f, "banana", "1");
    expect_id(f, "basil", "2");
}

static void
test_local_ids_delete(void **state)
{
    fixture *f = *state;
    put(f, "a.jsonl", L1A L2A);
    put(f, "b.jsonl", L1B L2B);
    index_in(f, 0);
    /* An article added by the caller has no file: its id is its own. */
    ns_article a = NS_ARTICLE_INIT;
    a.id = "1";
    a.title = "Added";
    a.text = "zqo21 cherry";
    a.text_len = strlen(a.text);
    assert_int_equal(ns_db_add_article(f->db, &a), NS_OK);
    a.id = "12";
    a.text = "zqo22 clove";
    a.text_len = strlen(a.text);
    assert_int_equal(ns_db_add_article(f->db, &a), NS_OK);
    assert_int_equal(ns_db_commit(f->db), NS_OK);
    assert_int_equal(articles(f), 6);

    /* A local id: the article of that number in every file, and the
     * caller's; not 12. */
    assert_int_equal(ns_db_delete(f->db, "1"), NS_OK);
    assert_int_equal(ns_db_commit(f->db), NS_OK);
    assert_int_equal(articles(f), 3);
    assert_int_equal(hits(f, "apple OR banana OR cherry"), 0);
    expect_id(f, "clove", "12");
    assert_int_equal(ns_db_delete(f->db, "1"), NS_ERR_NOT_FOUND);
    assert_int_equal(ns_db_delete(f->db, "2"), NS_OK);
    assert_int_equal(ns_db_delete(f->db, "12"), NS_OK);
    assert_int_equal(ns_db_commit(f->db), NS_OK);
    assert_int_equal(articles(f), 0);
}

/* Ids that are not local name one article whatever the file: a DOCNO, a
 * URL, a number of 10 digits. */
static void
test_global_ids_across_files(void **state)
{
    fixture *f = *state;
    static const char *const ids[] = {
        "\"AP890101-0001\"", "\"https://example.com/news/1\"",
        "1234567890",        "\"0123456789\"",
        "\"1.5\"",           "-1",
    };
    char a[1024] = "", b[1024] = "";
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        char line[160];
        snprintf(line, sizeof line,
                 "{\"id\":%s,\"title\":\"A\",\"text\":\"zqa%zu\"}\n", ids[i],
                 i);
        strcat(a, line);
        snprintf(line, sizeof line,
                 "{\"id\":%s,\"title\":\"B\",\"text\":\"zqb%zu\"}\n", ids[i],
                 i);
        strcat(b, line);
    }
    put(f, "a.jsonl", a);
    put(f, "b.jsonl", b);
    index_in(f, 0);
    assert_int_equal(articles(f), sizeof ids / sizeof *ids);
    assert_int_equal(hits(f, "zqa0 OR zqa1 OR zqa2 OR zqa3 OR zqa4 OR zqa5"),
                     0);
    expect_id(f, "zqb0", "AP890101-0001");
    expect_id(f, "zqb1", "https://example.com/news/1");
    expect_id(f, "zqb2", "1234567890");
    assert_int_equal(ns_db_delete(f->db, "AP890101-0001"), NS_OK);
    assert_int_equal(ns_db_delete(f->db, "1234567890"), NS_OK);
    assert_int_equal(ns_db_commit(f->db), NS_OK);
    assert_int_equal(articles(f), sizeof ids / sizeof *ids - 2);
}

static void
test_prune(void **state)
{
    fixture *f = *state;
    put(f, "a.jsonl", A1 A2);
    put(f, "b.jsonl", B1 B2);
    index_in(f, 0);
    assert_int_equal(articles(f), 4);
    char p[160];
    snprintf(p, sizeof p, "%s/b.jsonl", f->in);
    assert_int_equal(unlink(p), 0);

    /* Without NS_INDEX_PRUNE a gone file keeps its articles. */
    ns_index_stats st = index_in(f, 0);
    assert_int_equal(st.files_pruned, 0);
    assert_int_equal(articles(f), 4);

    st = index_in(f, NS_INDEX_PRUNE);
    assert_int_equal(st.files_pruned, 1);
    assert_int_equal(st.articles_deleted, 2);
    assert_int_equal(articles(f), 2);
    assert_int_equal(hits(f, "quay"), 0);
    ns_db_info info;
    assert_int_equal(ns_db_stat_v2(f->db, NS_DB_INFO_VERSION, &info), NS_OK);
    assert_int_equal(info.files, 1);

    /* Pruning under another path leaves this one's records alone. */
    snprintf(p, sizeof p, "%s/a.jsonl", f->in);
    assert_int_equal(unlink(p), 0);
    char other[160];
    snprintf(other, sizeof other, "%s/other", f->dir);
    assert_int_equal(mkdir(other, 0777), 0);
    ns_index_options o = NS_INDEX_OPTIONS_INIT;
    o.flags = NS_INDEX_PRUNE;
    assert_int_equal(ns_db_add_path(f->db, other, &o, &st), NS_OK);
    assert_int_equal(articles(f), 2);
    /* A sibling whose name starts with the root's is not under it. */
    snprintf(other, sizeof other, "%s/i", f->dir);
    assert_int_equal(mkdir(other, 0777), 0);
    assert_int_equal(ns_db_add_path(f->db, other, &o, &st), NS_OK);
    assert_int_equal(articles(f), 2);
}

static void
test_version_1_stats(void **state)
{
    fixture *f = *state;
    put(f, "a.jsonl", A1 A2);
    ns_index_options o = NS_INDEX_OPTIONS_INIT;
    o.version = 1;
    ns_index_stats st;
    memset(&st, 0, sizeof st);
    st.articles_unchanged = 77; /* beyond what a version 1 caller has */
    st.bytes_done = 77;
    assert_int_equal(ns_db_add_path(f->db, f->in, &o, &st), NS_OK);
    assert_int_equal(st.articles_indexed, 2);
    assert_int_equal(st.articles_unchanged, 77);
    assert_int_equal(st.bytes_done, 77);
    /* Counters add up over calls. */
    assert_int_equal(ns_db_add_path(f->db, f->in, &o, &st), NS_OK);
    assert_int_equal(st.files_seen, 2);
    assert_int_equal(st.files_unchanged, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rerun_reads_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_changed_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_article_twice, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_local_ids_per_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_local_ids_changed_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_local_ids_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_global_ids_across_files, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_1_stats, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
