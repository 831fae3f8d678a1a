/*
 * test_api_load.c: nothing is lost or wrong under load.  While the nsearch
 * command indexes batch after batch into one index (a new process for
 * each, as a cron job would), searches run against it without pause from
 * threads of this process, from forked processes, and as nsearch commands.
 * Every search must succeed and every result must be right:
 *
 * - each hit's id is one that was indexed, with its own title and date;
 * - the count of a word every article has is at least what had been
 *   committed when the search began, and at most what had been started
 *   when it ended (no lost and no phantom articles), and a reader never
 *   sees it go down;
 * - a word of one committed batch finds exactly that batch's articles;
 * - snippets hold their highlights.
 *
 * The memory of each searching process is sampled: after the warm-up its
 * resident size must stay flat (not checked under ASan or valgrind, whose
 * allocators hold freed memory).  The run lasts NS_LOAD_SECONDS (12 by
 * default; bench/load runs it for minutes) and at least until every reader
 * has made NS_LOAD_MIN searches and a few batches were committed, so a slow
 * machine makes it longer, never weaker.  NS_LOAD_BATCHES and
 * NS_LOAD_ARTICLES set the batches and articles per batch.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "nsearch.h"

#if defined(__SANITIZE_ADDRESS__)
#define LOAD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LOAD_ASAN 1
#endif
#endif
#ifndef LOAD_ASAN
#define LOAD_ASAN 0
#endif

#define THREADS     3 /* searching threads in this process */
#define PROCESSES   2 /* searching forked processes */
#define MAX_SAMPLES 4096

/* What a searcher reports; in shared memory for the forked ones. */
typedef struct report {
    unsigned long searches, hits, failures;
    unsigned long stale; /* searches that missed a batch committed before */
    unsigned long reopens;
    unsigned long rss_warm_kb, rss_end_kb; /* RSS after warm-up, at the end */
    char first_failure[512];
} report;

typedef struct shared {
    atomic_uint committed; /* batches the indexer finished (0 = the first) */
    atomic_uint started;   /* batches the indexer began */
    atomic_int stop;
    atomic_int warm; /* the warm-up is over: start sampling memory */
    unsigned long index_runs, index_failures, cli_searches, cli_failures;
    char index_failure[512], cli_failure[512];
    report proc[PROCESSES];
} shared;

static char dir[64];
static char idx[128];
static const char *nsearch_bin;
static unsigned n_batches = 40, per_batch = 25, seconds = 12, min_searches;
static int strict; /* NS_LOAD_STRICT: a search sees every earlier commit */
static shared *sh;

/* The word only the articles of batch b have: "kx" and three consonants
 * that no stemmer rule touches (no s, y, e, l), so the analyzer keeps it
 * whole and no two batches share a stem. */
static void
batch_word(unsigned b, char out[8])
{
    static const char c[] = "bcdfghjkmnpqrtvwxz"; /* 18 */
    snprintf(out, 8, "kx%c%c%c", c[b / 324 % 18], c[b / 18 % 18], c[b % 18]);
}

/* Each article's body is its own: the searcher collapses near-duplicates
 * (a MinHash of the body's word shingles), and articles that differ in one
 * word would count as one. */
static void
write_batch(unsigned b)
{
    static const char c[] = "bcdfghjkmnpqrtvwxz";
    char path[160], w[8];
    snprintf(path, sizeof path, "%s/batch%04u.jsonl", dir, b);
    batch_word(b, w);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (unsigned i = 0; i < per_batch; i++) {
        fprintf(f,
                "{\"id\":\"L%u-%u\",\"title\":\"Load %u %u\","
                "\"date\":\"2015-%02u-%02u\",\"text\":\"The zebra report "
                "%s number %u.",
                b, i, b, i, 1 + b % 12, 1 + i % 28, w, i);
        uint32_t x = b * 7919u + i * 104729u + 1;
        for (int k = 0; k < 40; k++) { /* words of its own */
            fputs(" q", f);
            for (int j = 0; j < 5; j++) {
                x = x * 1664525u + 1013904223u;
                fputc(c[(x >> 16) % 18], f);
            }
        }
        fputs(". Officials said the zebra count rose again.\"}\n", f);
    }
    fclose(f);
}

static void fail_once(unsigned long *failures,
                      char *first,
                      size_t cap,
                      const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));

static void
fail_once(unsigned long *failures,
          char *first,
          size_t cap,
          const char *fmt,
          ...)
{
    if ((*failures)++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(first, cap, fmt, ap);
        va_end(ap);
    }
}

static unsigned long
rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, res = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &size, &res) != 2)
            res = 0;
        fclose(f);
    }
    return res * (unsigned long)(sysconf(_SC_PAGESIZE) / 1024);
}

/* Checks one hit against what was indexed; returns its batch and item. */
static int
check_hit(const ns_hit *h,
          unsigned started,
          unsigned *b,
          unsigned *i,
          char *why,
          size_t cap)
{
    char title[64], date[16];
    int end = 0;
    if (sscanf(h->id, "L%u-%u%n", b, i, &end) != 2 || h->id[end]) {
        snprintf(why, cap, "unknown id '%s'", h->id);
        return -1;
    }
    if (*b > started || *i >= per_batch) {
        snprintf(why, cap, "id %s was never indexed (started %u)", h->id,
                 started);
        return -1;
    }
    snprintf(title, sizeof title, "Load %u %u", *b, *i);
    snprintf(date, sizeof date, "2015-%02u-%02u", 1 + *b % 12, 1 + *i % 28);
    if (strcmp(h->title, title) != 0 ||
        strncmp(h->date, date, strlen(date)) != 0) {
        snprintf(why, cap, "%s has title '%s' and date '%s'", h->id, h->title,
                 h->date);
        return -1;
    }
    return 0;
}

/* One searcher's loop, until told to stop and its minimum is done.  It
 * opens a new handle now and then (a service keeps one for long, a command
 * opens one per search).  What it must see is what was committed before
 * its handle was opened; with NS_LOAD_STRICT, before each search (what
 * nsearch.h promises: a commit is "visible to new searches"). */
static void
search_loop(report *rep, unsigned seed)
{
    ns_db *db = NULL;
    char why[400];
    unsigned last_count = 0, base = 0;
    unsigned every = 20 + seed % 37; /* searches per handle */
    while (!atomic_load(&sh->stop) || rep->searches < min_searches) {
        if (!db || rep->searches % every == 0) {
            ns_db_close(db);
            base = atomic_load(&sh->committed);
            char *msg = NULL;
            ns_status st = ns_db_open(idx, NS_OPEN_READ, &db, &msg);
            rep->reopens++;
            if (st != NS_OK) {
                fail_once(&rep->failures, rep->first_failure,
                          sizeof rep->first_failure, "open: %s: %s",
                          ns_strerror(st), msg ? msg : "");
                ns_free(msg);
                rep->searches++;
                continue;
            }
        }
        unsigned committed = atomic_load(&sh->committed);
        if (strict)
            base = committed;
        unsigned kind = rep->searches % 4;
        ns_search_options o = NS_SEARCH_OPTIONS_INIT;
        char q[64], w[8];
        unsigned want_batch = 0;
        o.no_snippets = kind != 2;
        if (kind == 0 || kind == 3) {
            /* "+": a required word, so the count is of the articles that
             * have it (plain words may be expanded by feedback terms). */
            snprintf(q, sizeof q, "+zebra");
            o.limit = (n_batches + 1) * per_batch;
            if (kind == 3) { /* a date filter: one month of the batches */
                o.since = "2015-03";
                o.until = "2015-03-31";
            }
        } else {
            want_batch = (unsigned)rand_r(&seed) % (base + 1);
            batch_word(want_batch, w);
            snprintf(q, sizeof q, kind == 2 ? "zebra %s" : "+%s", w);
            o.limit = kind == 2 ? 10 : per_batch * 2;
        }
        ns_results *r = NULL;
        ns_status st = ns_db_search(db, q, &o, &r);
        unsigned started = atomic_load(&sh->started);
        rep->searches++;
        if (st != NS_OK) {
            fail_once(&rep->failures, rep->first_failure,
                      sizeof rep->first_failure, "search '%s': %s: %s", q,
                      ns_strerror(st), ns_db_errmsg(db));
            continue;
        }
        size_t n = ns_results_count(r);
        uint64_t seen = 0; /* bit i: item i of want_batch */
        int bad = 0;
        for (size_t k = 0; k < n && !bad; k++) {
            const ns_hit *h = ns_results_get(r, k);
            unsigned b, i;
            if (check_hit(h, started, &b, &i, why, sizeof why) != 0) {
                bad = 1;
            } else if (kind == 3 && 1 + b % 12 != 3) {
                snprintf(why, sizeof why, "%s is not of March", h->id);
                bad = 1;
            } else if (kind == 1 && b != want_batch) {
                snprintf(why, sizeof why, "%s found for batch %u", h->id,
                         want_batch);
                bad = 1;
            } else if (kind == 1 && i < 64) {
                seen |= (uint64_t)1 << i;
            } else if (kind == 2) {
                size_t at = 0;
                for (size_t j = 0; j < h->n_highlights && !bad; j++) {
                    const ns_highlight *hl = &h->highlights[j];
                    bad = hl->start < at || hl->start >= hl->end ||
                          hl->end > h->snippet_len;
                    at = hl->end;
                }
                if (bad || h->snippet_len == 0 || h->n_highlights == 0)
                    snprintf(why, sizeof why,
                             "%s: bad snippet (%zu bytes, %zu highlights)",
                             h->id, h->snippet_len, h->n_highlights);
                bad = bad || h->snippet_len == 0 || h->n_highlights == 0;
            }
        }
        if (!bad && kind == 0) {
            if (n < (committed + 1) * per_batch)
                rep->stale++;
            unsigned lo = (base + 1) * per_batch;
            unsigned hi = (started + 1) * per_batch;
            if (n < lo || n > hi || n < last_count) {
                snprintf(why, sizeof why,
                         "'+zebra' found %zu, expected %u..%u (and at least "
                         "%u, seen before)",
                         n, lo, hi, last_count);
                bad = 1;
            }
            last_count = (unsigned)n;
        }
        if (!bad && kind == 1 && per_batch <= 64 &&
            seen != (per_batch == 64 ? ~(uint64_t)0 :
                                       ((uint64_t)1 << per_batch) - 1)) {
            snprintf(why, sizeof why,
                     "batch %u (committed) gave %zu of its %u articles",
                     want_batch, n, per_batch);
            bad = 1;
        }
        if (!bad && kind == 2 && n == 0) {
            snprintf(why, sizeof why, "'%s' found nothing", q);
            bad = 1;
        }
        if (bad)
            fail_once(&rep->failures, rep->first_failure,
                      sizeof rep->first_failure, "search '%s': %s", q, why);
        rep->hits += n;
        ns_results_free(r);
        /* Memory: the first sample after the warm-up, then the last one
         * before the stop. */
        if (rep->searches % 16 == 0 && atomic_load(&sh->warm) &&
            !atomic_load(&sh->stop)) {
            unsigned long kb = rss_kb();
            if (rep->rss_warm_kb == 0)
                rep->rss_warm_kb = kb;
            rep->rss_end_kb = kb;
        }
    }
    ns_db_close(db);
}

typedef struct thread_arg {
    pthread_t t;
    report rep;
    unsigned seed;
} thread_arg;

static void *
thread_main(void *p)
{
    thread_arg *a = p;
    search_loop(&a->rep, a->seed);
    return NULL;
}

/* Runs argv; returns its exit status (or 128 + signal), output to out. */
static int
spawn(const char *const argv[], const char *out)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd =
            open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        /* execv's argv is not const-qualified for historical reasons. */
        union {
            const char *const *c;
            char *const *m;
        } u = { argv };
        execv(u.m[0], u.m);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int
index_batch(unsigned b, char *log, size_t cap)
{
    char file[160], out[160];
    snprintf(file, sizeof file, "%s/batch%04u.jsonl", dir, b);
    snprintf(out, sizeof out, "%s/index.out", dir);
    const char *argv[] = { nsearch_bin, "index", "-q", "--index",
                           idx,         file,    NULL };
    int rc = spawn(argv, out);
    if (rc != 0 && log) {
        FILE *f = fopen(out, "r");
        size_t k = f ? fread(log, 1, cap - 1, f) : 0;
        log[k] = '\0';
        if (f)
            fclose(f);
    }
    return rc;
}

/* The indexer: every batch once, then batches again (replacing articles,
 * so the counts stay), until told to stop. */
static void *
indexer_main(void *p)
{
    (void)p;
    char log[400];
    for (unsigned b = 1; !atomic_load(&sh->stop) || b <= 3; b++) {
        unsigned batch = b <= n_batches ? b : 1 + (b - 1) % n_batches;
        if (b <= n_batches)
            atomic_store(&sh->started, b);
        int rc = index_batch(batch, log, sizeof log);
        sh->index_runs++;
        if (rc != 0)
            fail_once(&sh->index_failures, sh->index_failure,
                      sizeof sh->index_failure, "index batch %u: exit %d: %s",
                      batch, rc, log);
        else if (b <= n_batches)
            atomic_store(&sh->committed, b);
    }
    return NULL;
}

/* Searches with the nsearch command, each a new process. */
static void
cli_loop(void)
{
    char out[160];
    snprintf(out, sizeof out, "%s/search.out", dir);
    unsigned runs = 0;
    while (!atomic_load(&sh->stop) || runs < 5) {
        const char *argv[] = { nsearch_bin, "--index", idx,     "-n", "3",
                               "--format",  "json",    "zebra", NULL };
        int rc = spawn(argv, out);
        runs++;
        sh->cli_searches++;
        char buf[4096] = "";
        FILE *f = fopen(out, "r");
        size_t k = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        buf[k] = '\0';
        if (f)
            fclose(f);
        if (rc != 0 || !strstr(buf, "\"id\":\"L"))
            fail_once(&sh->cli_failures, sh->cli_failure,
                      sizeof sh->cli_failure, "nsearch search: exit %d: %.300s",
                      rc, buf);
    }
}

static unsigned
env_unsigned(const char *name, unsigned def)
{
    const char *v = getenv(name);
    return v && *v ? (unsigned)strtoul(v, NULL, 10) : def;
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_load(void **state)
{
    (void)state;
    nsearch_bin = getenv("NSEARCH");
    if (!nsearch_bin)
        skip();
    const char *preload = getenv("LD_PRELOAD");
    int valgrind = preload && strstr(preload, "vgpreload");
    seconds = env_unsigned("NS_LOAD_SECONDS", valgrind ? 4 : 12);
    n_batches =
        env_unsigned("NS_LOAD_BATCHES", env_unsigned("NS_TEST_BATCHES", 40));
    per_batch = env_unsigned("NS_LOAD_ARTICLES", 25);
    min_searches = env_unsigned("NS_LOAD_MIN", valgrind ? 8 : 100);
    strict = (int)env_unsigned("NS_LOAD_STRICT", 0);
    assert_true(n_batches >= 1 && n_batches < 5832 && per_batch >= 1);

    snprintf(dir, sizeof dir, "/tmp/ns-test-load-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(idx, sizeof idx, "%s/index", dir);
    for (unsigned b = 0; b <= n_batches; b++)
        write_batch(b);
    char log[400] = "";
    assert_int_equal(index_batch(0, log, sizeof log), 0);

    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(sh != MAP_FAILED);
    memset(sh, 0, sizeof *sh);

    /* Fork before any thread starts. */
    pid_t kids[PROCESSES + 1];
    for (int p = 0; p <= PROCESSES; p++) {
        kids[p] = fork();
        assert_true(kids[p] >= 0);
        if (kids[p] == 0) {
            if (p < PROCESSES)
                search_loop(&sh->proc[p], 1000u + (unsigned)p);
            else
                cli_loop();
            _exit(0);
        }
    }
    thread_arg th[THREADS];
    memset(th, 0, sizeof th);
    for (int t = 0; t < THREADS; t++) {
        th[t].seed = (unsigned)t + 1;
        assert_int_equal(pthread_create(&th[t].t, NULL, thread_main, &th[t]),
                         0);
    }
    pthread_t writer;
    assert_int_equal(pthread_create(&writer, NULL, indexer_main, NULL), 0);

    double t0 = now();
    unsigned long rss_warm = 0, rss_end = 0;
    while (now() - t0 < seconds) {
        if (!rss_warm && now() - t0 > seconds / 4.0) {
            atomic_store(&sh->warm, 1);
            rss_warm = rss_kb();
        }
        usleep(100000);
    }
    if (!rss_warm)
        rss_warm = rss_kb();
    atomic_store(&sh->warm, 1);
    rss_end = rss_kb();
    atomic_store(&sh->stop, 1);
    pthread_join(writer, NULL);
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t].t, NULL);
    for (int p = 0; p <= PROCESSES; p++) {
        int status;
        assert_int_equal(waitpid(kids[p], &status, 0), kids[p]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    double wall = now() - t0;

    unsigned long searches = 0, failures = 0, hits = 0, stale = 0;
    long worst_growth = (long)rss_end - (long)rss_warm; /* the threads */
    for (int k = 0; k < THREADS + PROCESSES; k++) {
        report *rep = k < THREADS ? &th[k].rep : &sh->proc[k - THREADS];
        searches += rep->searches;
        stale += rep->stale;
        hits += rep->hits;
        failures += rep->failures;
        if (rep->failures)
            print_error("searcher %d: %lu failures; the first: %s\n", k,
                        rep->failures, rep->first_failure);
        long growth = (long)rep->rss_end_kb - (long)rep->rss_warm_kb;
        if (k >= THREADS && growth > worst_growth)
            worst_growth = growth;
        assert_true(rep->searches >= min_searches);
    }
    if (sh->index_failures)
        print_error("indexer: %lu failures; the first: %s\n",
                    sh->index_failures, sh->index_failure);
    if (sh->cli_failures)
        print_error("nsearch search: %lu failures; the first: %s\n",
                    sh->cli_failures, sh->cli_failure);
    print_message("load: %.1f s, %lu searches (%.0f/s) with %lu hits, %lu "
                  "command searches, %lu index runs (%u of %u batches of "
                  "%u), RSS growth after warm-up at most %ld kB; %lu "
                  "searches on an open handle missed a commit made before "
                  "them\n",
                  wall, searches, searches / wall, hits, sh->cli_searches,
                  sh->index_runs, atomic_load(&sh->committed), n_batches,
                  per_batch, worst_growth, stale);
    assert_int_equal(failures, 0);
    assert_int_equal(sh->index_failures, 0);
    assert_int_equal(sh->cli_failures, 0);
    assert_true(atomic_load(&sh->committed) >= 3 ||
                atomic_load(&sh->committed) == n_batches);
    /* Flat: a leak of even 100 bytes a search would be megabytes here. */
    if (!LOAD_ASAN && !valgrind)
        assert_true(worst_growth < 8 * 1024);

    /* Afterwards a new handle sees every article, each once. */
    ns_db *db = NULL;
    assert_int_equal(ns_db_open(idx, NS_OPEN_READ, &db, NULL), NS_OK);
    ns_db_info info;
    assert_int_equal(ns_db_stat_v2(db, NS_DB_INFO_VERSION, &info), NS_OK);
    assert_int_equal(info.articles,
                     (uint64_t)(atomic_load(&sh->committed) + 1) * per_batch);
    ns_db_close(db);
    munmap(sh, sizeof *sh);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
