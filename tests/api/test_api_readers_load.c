/*
 * test_api_readers_load.c: searches while another process writes the index,
 * as when cron runs `nsearch index` on a server that answers searches.  The
 * readers here start on a tiny index (too few articles for a compression
 * dictionary), keep handles open across many of the writer's commits, and
 * must get no error and only whole hits over thousands of searches: while
 * the writer adds enough articles for a dictionary (the first commits that
 * need it come while the readers hold handles from before it), then while
 * an update commits every few articles.  Uses only nsearch.h and the
 * nsearch command ($NSEARCH).
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "nsearch.h"

#define READERS      2
#define MIN_SEARCHES 1500 /* per phase, over all readers */
#define PER_HANDLE   200  /* searches before a reader opens a new handle */

typedef struct shared {
    char path[128];
    atomic_int writer_done;
    atomic_uint searches;
} shared;

typedef struct reader {
    pthread_t t;
    shared *sh;
    unsigned failures, hits;
    char why[256];
} reader;

static void
note(reader *r, const char *fmt, ...)
{
    if (r->failures++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->why, sizeof r->why, fmt, ap);
        va_end(ap);
    }
}

static void *
read_loop(void *arg)
{
    reader *r = arg;
    static const char *const queries[] = { "president", "\"health care\"",
                                           "economy jobs", "Latakia",
                                           "climate" };
    unsigned k = 0;
    while (!atomic_load(&r->sh->writer_done) ||
           atomic_load(&r->sh->searches) < MIN_SEARCHES) {
        ns_db *db = NULL;
        char *msg = NULL;
        ns_status st = ns_db_open(r->sh->path, NS_OPEN_READ, &db, &msg);
        if (st != NS_OK) {
            note(r, "open: %s: %s", ns_strerror(st), msg ? msg : "");
            ns_free(msg);
            continue;
        }
        for (int i = 0; i < PER_HANDLE; i++, k++) {
            ns_results *res = NULL;
            ns_search_options o = NS_SEARCH_OPTIONS_INIT;
            o.limit = 5;
            st = ns_db_search(db, queries[k % 5], &o, &res);
            atomic_fetch_add(&r->sh->searches, 1);
            if (st != NS_OK) {
                note(r, "search '%s': %s: %s", queries[k % 5],
                     ns_strerror(st), ns_db_errmsg(db));
                continue;
            }
            for (size_t j = 0; j < ns_results_count(res); j++) {
                const ns_hit *h = ns_results_get(res, j);
                if (!h || !*h->id || !h->snippet ||
                    strlen(h->snippet) != h->snippet_len)
                    note(r, "search '%s': a broken hit", queries[k % 5]);
                r->hits++;
            }
            ns_results_free(res);
        }
        ns_db_close(db);
    }
    return NULL;
}

/* Run the nsearch command with args (NULL-terminated); its exit status. */
static int
nsearch(const char *const *args)
{
    const char *bin = getenv("NSEARCH");
    assert_non_null(bin);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char *argv[16];
        int n = 0;
        argv[n++] = strdup(bin);
        for (; *args && n < 15; args++)
            argv[n++] = strdup(*args);
        argv[n] = NULL;
        execv(bin, argv);
        _exit(127);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Readers search throughout one run of the writer. */
static void
phase(shared *sh, const char *const *args)
{
    reader rd[READERS];
    memset(rd, 0, sizeof rd);
    atomic_store(&sh->writer_done, 0);
    atomic_store(&sh->searches, 0);
    for (int i = 0; i < READERS; i++) {
        rd[i].sh = sh;
        assert_int_equal(pthread_create(&rd[i].t, NULL, read_loop, &rd[i]),
                         0);
    }
    int rc = nsearch(args);
    atomic_store(&sh->writer_done, 1);
    unsigned hits = 0;
    for (int i = 0; i < READERS; i++) {
        assert_int_equal(pthread_join(rd[i].t, NULL), 0);
        if (rd[i].failures)
            fail_msg("reader %d: %u failures, the first: %s", i,
                     rd[i].failures, rd[i].why);
        hits += rd[i].hits;
    }
    assert_int_equal(rc, 0);
    print_message("%u searches, %u hits\n", atomic_load(&sh->searches),
                  hits);
}

static void
test_readers_while_cron_writes(void **state)
{
    (void)state;
    const char *src = getenv("NS_SOURCE_DIR");
    assert_non_null(src);
    char dir[] = "/tmp/nsloadXXXXXX";
    assert_non_null(mkdtemp(dir));
    shared sh;
    memset(&sh, 0, sizeof sh);
    snprintf(sh.path, sizeof sh.path, "%s/idx", dir);
    char in[96], cmd[512];
    snprintf(in, sizeof in, "%s/in", dir);
    /* The sample in three files, added one after the other. */
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s && zstd -qdc %s/corpus/sample/"
             "whitehouse-sample.jsonl.zst > %s/all && head -n 5 %s/all > "
             "%s/a.jsonl && sed -n 6,600p %s/all > %s/b.later && "
             "tail -n +601 %s/all > %s/c.later && rm %s/all",
             in, src, dir, dir, in, dir, dir, dir, dir, dir);
    assert_int_equal(system(cmd), 0);

    /* Five articles: too few to train a dictionary on. */
    const char *tiny[] = { "index", "-q", "--index", sh.path, in, NULL };
    assert_int_equal(nsearch(tiny), 0);

    snprintf(cmd, sizeof cmd, "mv %s/b.later %s/b.jsonl", dir, in);
    assert_int_equal(system(cmd), 0);
    const char *first[] = { "index", "-q", "--commit-every", "25",
                            "--index", sh.path, in, NULL };
    phase(&sh, first);

    snprintf(cmd, sizeof cmd, "mv %s/c.later %s/c.jsonl", dir, in);
    assert_int_equal(system(cmd), 0);
    const char *update[] = { "index", "-q", "--commit-every", "10",
                             "--index", sh.path, in, NULL };
    phase(&sh, update);

    ns_db *r = NULL;
    assert_int_equal(ns_db_open(sh.path, NS_OPEN_READ, &r, NULL), NS_OK);
    ns_db_info info;
    assert_int_equal(ns_db_stat_v2(r, NS_DB_INFO_VERSION, &info), NS_OK);
    assert_int_equal(info.articles, 1000);
    ns_db_close(r);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readers_while_cron_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
