/*
 * nsearch_lat: warm, in-process search latency of libnsearch, measured the
 * same way bench/xapian_raw.cc and bench/fts5_tool.py measure their peers
 * (the CLI's batch command has no per-query timing).  Uses only nsearch.h.
 *
 *   nsearch_lat INDEX QUERIES.txt [-n N] [--no-snippets] [--feedback]
 *               [--warmup W] [--repeat R]
 *
 * After W unmeasured passes over the queries (one a line), R measured passes
 * each print "<microseconds>\t<results>\t<query>" per query: the time of
 * ns_db_search() plus reading every hit's id, title and snippet.
 */
#define _POSIX_C_SOURCE 200809L
#include <nsearch.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void usage(void)
{
    fputs("usage: nsearch_lat INDEX QUERIES.txt [-n N] [--no-snippets] "
          "[--feedback] [--warmup W] [--repeat R]\n", stderr);
    exit(2);
}

/* Runs one query; returns the number of results, or -1 on error. */
static long run(ns_db *db, const char *q, const ns_search_options *opts,
                size_t *sink)
{
    ns_results *r = NULL;
    ns_status st = ns_db_search(db, q, opts, &r);
    if (st == NS_ERR_QUERY_EMPTY)
        return 0;
    if (st != NS_OK) {
        fprintf(stderr, "nsearch_lat: %s: %s (%s)\n", q, ns_strerror(st),
                ns_db_errmsg(db));
        return -1;
    }
    size_t n = ns_results_count(r);
    for (size_t i = 0; i < n; i++) {
        const ns_hit *h = ns_results_get(r, i);
        *sink += strlen(h->id) + strlen(h->title) + h->snippet_len;
    }
    ns_results_free(r);
    return (long)n;
}

int main(int argc, char **argv)
{
    ns_search_options opts = NS_SEARCH_OPTIONS_INIT;
    int warmup = 1, repeat = 1;
    const char *index = NULL, *qfile = NULL;
    opts.limit = 10;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-n") && i + 1 < argc)
            opts.limit = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(a, "--no-snippets"))
            opts.no_snippets = 1;
        else if (!strcmp(a, "--feedback"))
            opts.feedback = 1;
        else if (!strcmp(a, "--warmup") && i + 1 < argc)
            warmup = atoi(argv[++i]);
        else if (!strcmp(a, "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (!index)
            index = a;
        else if (!qfile)
            qfile = a;
        else
            usage();
    }
    if (!index || !qfile || repeat < 1)
        usage();

    FILE *f = fopen(qfile, "r");
    if (!f) {
        perror(qfile);
        return 2;
    }
    char **queries = NULL;
    size_t nq = 0, cap = 0;
    char *line = NULL;
    size_t linecap = 0;
    ssize_t len;
    while ((len = getline(&line, &linecap, f)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        if (nq == cap) {
            cap = cap ? 2 * cap : 256;
            queries = realloc(queries, cap * sizeof *queries);
            if (!queries)
                return 2;
        }
        queries[nq++] = strdup(line);
    }
    free(line);
    fclose(f);

    ns_db *db = NULL;
    char *err = NULL;
    ns_status st = ns_db_open(index, NS_OPEN_READ, &db, &err);
    if (st != NS_OK) {
        fprintf(stderr, "nsearch_lat: %s: %s%s%s\n", index, ns_strerror(st),
                err ? ": " : "", err ? err : "");
        ns_free(err);
        return 2;
    }
    size_t sink = 0;
    for (int r = 0; r < warmup; r++)
        for (size_t i = 0; i < nq; i++)
            if (run(db, queries[i], &opts, &sink) < 0)
                return 2;
    for (int r = 0; r < repeat; r++) {
        for (size_t i = 0; i < nq; i++) {
            double t0 = now_us();
            long n = run(db, queries[i], &opts, &sink);
            double us = now_us() - t0;
            if (n < 0)
                return 2;
            printf("%.1f\t%ld\t%s\n", us, n, queries[i]);
        }
    }
    fprintf(stderr, "# %zu bytes of results read\n", sink);
    ns_db_close(db);
    for (size_t i = 0; i < nq; i++)
        free(queries[i]);
    free(queries);
    return 0;
}
