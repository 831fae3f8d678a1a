/*
 * readers_probe.c: the corpus readers alone, without the index: walk each
 * PATH as `nsearch index` would (directories, archives, decompression,
 * format detection, parsing, field clean-up) and throw the articles away.
 * Prints one JSON object per PATH: the articles and text bytes per format,
 * the rejects, the bytes on disk, and the wall and CPU seconds of the best
 * of --repeat walks (the smallest CPU time: the machine is shared).
 *
 * Built by bench/readers against the static library (which holds the
 * internal ns__corpus_walk), never by the project's build.
 *
 * usage: readers_probe [--repeat N] PATH...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "corpus/corpus.h"

#define MAX_FORMATS 32

typedef struct tally {
    const char *name[MAX_FORMATS];
    unsigned long long articles[MAX_FORMATS];
    unsigned long long text[MAX_FORMATS];
    size_t n;
    unsigned long long rejects, files, disk_bytes;
} tally;

static size_t
slot(tally *t, const char *format)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->name[i], format) == 0)
            return i;
    if (t->n == MAX_FORMATS)
        return MAX_FORMATS - 1;
    t->name[t->n] = format; /* the formats' names are static strings */
    return t->n++;
}

static int
on_article(const ns_article *a, const ns__where *w, void *payload)
{
    tally *t = payload;
    size_t i = slot(t, w->format[0] ? w->format : "?");
    t->articles[i]++;
    t->text[i] += a->text_len;
    return 0;
}

static int
on_reject(const ns__where *w, const char *reason, void *payload)
{
    (void)w;
    (void)reason;
    ((tally *)payload)->rejects++;
    return 0;
}

static int
on_begin(const ns__file_info *fi, void *payload)
{
    tally *t = payload;
    t->files++;
    t->disk_bytes += fi->size;
    return NS_CORPUS_READ;
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void
json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

int
main(int argc, char **argv)
{
    int repeat = 3, first = 1;
    if (argc > 2 && strcmp(argv[1], "--repeat") == 0) {
        repeat = atoi(argv[2]);
        first = 3;
    }
    if (first >= argc || repeat < 1) {
        fprintf(stderr, "usage: readers_probe [--repeat N] PATH...\n");
        return 2;
    }
    for (int p = first; p < argc; p++) {
        tally best = { 0 };
        double best_wall = 0, best_cpu = -1;
        for (int r = 0; r < repeat; r++) {
            tally t = { 0 };
            ns__corpus_sink sink = { on_begin, on_article, on_reject, NULL,
                                     &t,       NULL };
            double w0 = now(), c0 = cpu();
            ns_status st = ns__corpus_walk(argv[p], &sink);
            double wall = now() - w0, c = cpu() - c0;
            if (st != NS_OK) {
                fprintf(stderr, "readers_probe: %s: %s\n", argv[p],
                        ns_strerror(st));
                return 1;
            }
            if (best_cpu < 0 || c < best_cpu) {
                best = t;
                best_cpu = c;
                best_wall = wall;
            }
        }
        printf("{\"path\": ");
        json_string(argv[p]);
        printf(", \"files\": %llu, \"disk_bytes\": %llu, \"rejects\": %llu, "
               "\"wall_s\": %.6f, \"cpu_s\": %.6f, \"repeat\": %d, "
               "\"formats\": {",
               best.files, best.disk_bytes, best.rejects, best_wall, best_cpu,
               repeat);
        for (size_t i = 0; i < best.n; i++) {
            printf("%s", i ? ", " : "");
            json_string(best.name[i]);
            printf(": {\"articles\": %llu, \"text_bytes\": %llu}",
                   best.articles[i], best.text[i]);
        }
        printf("}}\n");
        fflush(stdout);
    }
    return 0;
}
