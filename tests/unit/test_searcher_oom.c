/*
 * test_searcher_oom.c: out of memory at every point of the end-to-end path
 * (SQLite's faultsim loop).  One operation (create an index, index a small
 * archive of several formats, commit, reopen, search with snippets, stat)
 * runs once to count its allocations, then again with the Nth allocation
 * failing, for N = 1, 2, ... up to the count.  Every run must return
 * NS_ERR_NOMEM or succeed, never crash and, under ASan, leak nothing; a
 * run that succeeds must have lost nothing (the same articles indexed and
 * found as without failure).
 *
 * ns__alloc_fail_after() fails only nsearch's own allocations.  Xapian's
 * (C++ operator new), libarchive's, libxml2's, json-c's and zstd's
 * allocations are not injected by it.  oom_new.cc replaces operator new in
 * this program, so a second loop also throws std::bad_alloc from the Nth
 * C++ allocation (Xapian's and core/'s), on a sample of N, but only on the
 * read path (open, search, stat): Xapian 1.4's writer is not exception-safe
 * (a bad_alloc inside WritableDatabase::replace_document leaves it in a
 * state where the commit of close() crashes), so the write path is failed
 * through nsearch's own allocations only.
 *
 * The indexes go to /dev/shm when it exists: hundreds of commits, each
 * with fsync, would take most of a minute on a disk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nsearch.h"
#include "core/util.h"

/* oom_new.cc: the Nth operator new from now on throws std::bad_alloc (0
 * disables); returns the allocations made since the last call. */
uint64_t ns_test_new_fail_after(uint64_t countdown);

static char tmp[64];
static char input[sizeof tmp + 16];

/* What one run saw. */
typedef struct outcome {
    ns_status st;      /* the first failure, or NS_OK */
    const char *step;  /* where it failed */
    uint64_t indexed;  /* articles indexed */
    uint64_t in_index; /* ns_db_stat's count */
    char found[512];   /* the ids of every search's hits, in order */
} outcome;

/* The searches; NULL-terminated.  The phrase is left out of the C++ loop:
 * a bad_alloc while Xapian 1.4 builds a phrase's postlists crashes it
 * (SIGSEGV in the unwinding, inside Enquire::get_mset). */
static const char *const queries[] = {
    "\"talks resumed\"",
    "troops",
    "oil OR wheat OR gold",
    "bloom* -xyzzy",
    "date:2015 title:case",
    "snippet highlight words",
    NULL,
};
static const char *const *const queries_no_phrase = queries + 1;

static void
write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", input, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void
copy_data(const char *rel, const char *name)
{
    const char *data = getenv("NS_TEST_DATA");
    assert_non_null(data);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp '%s/%s' '%s/%s'", data, rel, input, name);
    assert_int_equal(system(cmd), 0);
}

static int
setup(void **state)
{
    (void)state;
    struct stat sb;
    int shm = stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) &&
              access("/dev/shm", W_OK) == 0;
    snprintf(tmp, sizeof tmp, "%s/ns-test-oom-XXXXXX",
             shm ? "/dev/shm" : "/tmp");
    if (!mkdtemp(tmp))
        return -1;
    snprintf(input, sizeof input, "%s/in", tmp);
    if (mkdir(input, 0700) != 0)
        return -1;
    copy_data("corpus/jsonl/basic.jsonl", "basic.jsonl");
    copy_data("corpus/sgml/reut.sgm", "reut.sgm");
    copy_data("corpus/sgml/trec.sgml", "trec.sgml");
    copy_data("corpus/text/front.md", "front.md");
    copy_data("corpus/archive/one.jsonl.gz", "one.jsonl.gz");
    copy_data("xml/rss2.xml", "rss2.xml");
    /* A text long enough for a snippet to choose a window in. */
    char *long_text = malloc(16384);
    assert_non_null(long_text);
    strcpy(long_text, "{\"id\":\"long\",\"title\":\"Snippet test\","
                      "\"date\":\"2015-09-30\",\"text\":\"");
    for (int i = 0; i < 60; i++)
        strcat(long_text, "Filler words of no interest at all here. ");
    strcat(long_text, "The snippet should highlight these words.\"}\n");
    write_file("long.jsonl", long_text);
    free(long_text);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    return system(cmd);
}

static int
note(outcome *o, ns_status st, const char *step)
{
    if (st != NS_OK && o->st == NS_OK) {
        o->st = st;
        o->step = step;
    }
    return st != NS_OK;
}

#define WRITE 1 /* create the index and index the archive */
#define READ  2 /* open it, search, stat */

/* One run of the operation's phases in index directory k. */
static void
run(outcome *o, unsigned k, unsigned phases, const char *const *qs)
{
    char idx[sizeof tmp + 32];
    snprintf(idx, sizeof idx, "%s/idx%u", tmp, k);
    ns_db *db = NULL;
    char *msg = NULL;
    o->st = NS_OK;
    o->step = "";
    if (phases & WRITE) {
        memset(o, 0, sizeof *o);
        o->step = "";
        char cmd[sizeof idx + 16];
        snprintf(cmd, sizeof cmd, "rm -rf %s", idx);
        assert_int_equal(system(cmd), 0);
        ns_index_stats stats = { 0 };
        if (note(o, ns_db_open(idx, NS_OPEN_WRITE | NS_OPEN_CREATE, &db, &msg),
                 "open for writing"))
            goto out;
        if (note(o, ns_db_add_path(db, input, NULL, &stats), "add_path") ||
            note(o, ns_db_commit(db), "commit"))
            goto out;
        o->indexed = stats.articles_indexed;
        ns_db_close(db);
        db = NULL;
    }
    if (!(phases & READ))
        goto out;
    o->found[0] = '\0';
    o->in_index = 0;
    if (note(o, ns_db_open(idx, NS_OPEN_READ, &db, &msg), "open"))
        goto out;
    for (size_t q = 0; qs[q]; q++) {
        ns_results *r = NULL;
        if (note(o, ns_db_search(db, qs[q], NULL, &r), qs[q]))
            goto out;
        for (size_t i = 0; i < ns_results_count(r); i++) {
            const ns_hit *h = ns_results_get(r, i);
            assert_non_null(h);
            assert_int_equal(strlen(h->snippet), h->snippet_len);
            size_t n = strlen(o->found);
            snprintf(o->found + n, sizeof o->found - n, "%s,", h->id);
        }
        size_t n = strlen(o->found);
        snprintf(o->found + n, sizeof o->found - n, "|");
        ns_results_free(r);
    }
    ns_db_info info;
    if (note(o, ns_db_stat_v2(db, NS_DB_INFO_VERSION, &info), "stat"))
        goto out;
    o->in_index = info.articles;
out:
    ns_free(msg);
    ns_db_close(db);
}

/* A run with failures injected: NS_ERR_NOMEM, or the baseline exactly. */
static void
check(const outcome *o, const outcome *base, uint64_t n, const char *what)
{
    if (o->st != NS_OK && o->st != NS_ERR_NOMEM)
        fail_msg("%s %llu: %s failed with '%s', not NS_ERR_NOMEM", what,
                 (unsigned long long)n, o->step, ns_strerror(o->st));
    if (o->st == NS_OK &&
        (o->indexed != base->indexed || o->in_index != base->in_index ||
         strcmp(o->found, base->found) != 0))
        fail_msg("%s %llu: succeeded but lost something: indexed %llu of "
                 "%llu, %llu in the index, found %s instead of %s",
                 what, (unsigned long long)n, (unsigned long long)o->indexed,
                 (unsigned long long)base->indexed,
                 (unsigned long long)o->in_index, o->found, base->found);
}

static void
test_nsearch_allocations(void **state)
{
    (void)state;
    outcome base, o;
    ns__alloc_fail_after(0);
    run(&base, 0, WRITE | READ, queries);
    uint64_t total = ns__alloc_fail_after(0);
    assert_int_equal(base.st, NS_OK);
    assert_true(base.indexed >= 8);
    assert_true(base.in_index == base.indexed);
    assert_non_null(strstr(base.found, "long,"));
    assert_true(total > 100);

    /* Every N near the start, then a stride keeping the loop to seconds;
     * the last runs go past the end, so the final ones succeed. */
    uint64_t stride = total / 600 + 1, failed = 0, passed = 0;
    for (uint64_t n = 1; n <= total + 1; n += n < 200 ? 1 : stride) {
        ns__alloc_fail_after(n);
        run(&o, 1, WRITE | READ, queries);
        uint64_t made = ns__alloc_fail_after(0);
        check(&o, &base, n, "nsearch allocation");
        if (o.st == NS_ERR_NOMEM)
            failed++;
        else
            passed++;
        /* A failure past the last allocation cannot be injected. */
        if (made < n)
            assert_int_equal(o.st, NS_OK);
    }
    /* Past the last allocation nothing fails, and nothing differs. */
    ns__alloc_fail_after(total * 2 + 10);
    run(&o, 1, WRITE | READ, queries);
    ns__alloc_fail_after(0);
    assert_int_equal(o.st, NS_OK);
    check(&o, &base, total * 2 + 10, "nsearch allocation");
    print_message("%llu allocations; %llu runs failed cleanly, %llu "
                  "succeeded\n",
                  (unsigned long long)total, (unsigned long long)failed,
                  (unsigned long long)passed);
    assert_true(failed > 100);
}

static void
test_cxx_allocations(void **state)
{
    (void)state;
    outcome base, o;
    run(&base, 0, WRITE, queries);
    assert_int_equal(base.st, NS_OK);
    ns_test_new_fail_after(0);
    run(&base, 0, READ, queries_no_phrase);
    uint64_t total = ns_test_new_fail_after(0);
    assert_int_equal(base.st, NS_OK);
    assert_true(total > 100);

    uint64_t stride = total / 300 + 1, failed = 0, passed = 0;
    for (uint64_t n = 1; n <= total + 1; n += n < 100 ? 1 : stride) {
        o = base;
        ns_test_new_fail_after(n);
        run(&o, 0, READ, queries_no_phrase);
        ns_test_new_fail_after(0);
        check(&o, &base, n, "operator new");
        if (o.st == NS_ERR_NOMEM)
            failed++;
        else
            passed++;
    }
    ns_test_new_fail_after(total * 2 + 10);
    run(&o, 0, READ, queries_no_phrase);
    ns_test_new_fail_after(0);
    assert_int_equal(o.st, NS_OK);
    check(&o, &base, total * 2 + 10, "operator new");
    print_message("%llu C++ allocations; %llu runs failed cleanly, %llu "
                  "succeeded\n",
                  (unsigned long long)total, (unsigned long long)failed,
                  (unsigned long long)passed);
    assert_true(failed > 50);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nsearch_allocations),
        cmocka_unit_test(test_cxx_allocations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
