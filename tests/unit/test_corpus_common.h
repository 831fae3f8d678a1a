/*
 * test_corpus_common.h: a sink that keeps everything a corpus walk delivers
 * (articles, rejects, file ends), for the corpus unit tests.  Header-only:
 * each test program includes it once.
 */
#ifndef NS_TEST_CORPUS_COMMON_H
#define NS_TEST_CORPUS_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/util.h"
#include "corpus/corpus.h"
#include "corpus/format.h"

typedef struct got_article {
    char *id, *title, *date, *source, *url, *author, *language, *text;
    size_t text_len;
    char *file, *format;
    uint64_t record, offset;
} got_article;

typedef struct got_reject {
    char *file, *format, *reason;
    uint64_t record, offset;
} got_reject;

typedef struct got {
    got_article *a;
    size_t na, capa;
    got_reject *r;
    size_t nr, capr;
    size_t files_begun, files_ended, files_incomplete;
    int keep_text; /* copy article texts (off for the big corpora) */
    uint64_t text_bytes;
    size_t stop_after; /* stop the walk after this many articles; 0 never */
    const char *only_format; /* count only articles of this format */
    size_t counted;
} got;

static inline char *
t_dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static inline int
t_article(const ns_article *a, const ns__where *w, void *payload)
{
    got *g = payload;
    g->text_bytes += a->text_len;
    if (!g->only_format || strcmp(g->only_format, w->format) == 0)
        g->counted++;
    if (g->na == g->capa) {
        g->capa = g->capa ? g->capa * 2 : 64;
        g->a = realloc(g->a, g->capa * sizeof *g->a);
        assert_non_null(g->a);
    }
    got_article *x = &g->a[g->na++];
    memset(x, 0, sizeof *x);
    x->id = t_dup(a->id);
    x->title = t_dup(a->title);
    x->date = t_dup(a->date);
    x->source = t_dup(a->source);
    x->url = t_dup(a->url);
    x->author = t_dup(a->author);
    x->language = t_dup(a->language);
    x->text_len = a->text_len;
    if (g->keep_text) {
        x->text = malloc(a->text_len + 1);
        assert_non_null(x->text);
        memcpy(x->text, a->text, a->text_len);
        x->text[a->text_len] = '\0';
    }
    x->file = t_dup(w->file);
    x->format = t_dup(w->format);
    x->record = w->record;
    x->offset = w->offset;
    return g->stop_after && g->na >= g->stop_after;
}

static inline int
t_reject(const ns__where *w, const char *reason, void *payload)
{
    got *g = payload;
    if (g->nr == g->capr) {
        g->capr = g->capr ? g->capr * 2 : 16;
        g->r = realloc(g->r, g->capr * sizeof *g->r);
        assert_non_null(g->r);
    }
    got_reject *x = &g->r[g->nr++];
    x->file = t_dup(w->file);
    x->format = t_dup(w->format);
    x->reason = t_dup(reason);
    x->record = w->record;
    x->offset = w->offset;
    if (getenv("NS_TEST_VERBOSE"))
        fprintf(stderr, "reject %s [%s] record %llu offset %llu: %s\n", w->file,
                w->format, (unsigned long long)w->record,
                (unsigned long long)w->offset, reason);
    return 0;
}

static inline int
t_file_begin(const ns__file_info *fi, void *payload)
{
    (void)fi;
    ((got *)payload)->files_begun++;
    return NS_CORPUS_READ;
}

static inline void
t_file_end(const ns__file_info *fi, int complete, void *payload)
{
    got *g = payload;
    (void)fi;
    g->files_ended++;
    if (!complete)
        g->files_incomplete++;
}

static inline ns__corpus_sink
t_sink(got *g)
{
    ns__corpus_sink s = { t_file_begin, t_article, t_reject, t_file_end, g,
                          NULL };
    return s;
}

static inline void
got_free(got *g)
{
    for (size_t i = 0; i < g->na; i++) {
        got_article *x = &g->a[i];
        free(x->id);
        free(x->title);
        free(x->date);
        free(x->source);
        free(x->url);
        free(x->author);
        free(x->language);
        free(x->text);
        free(x->file);
        free(x->format);
    }
    for (size_t i = 0; i < g->nr; i++) {
        free(g->r[i].file);
        free(g->r[i].format);
        free(g->r[i].reason);
    }
    free(g->a);
    free(g->r);
    memset(g, 0, sizeof *g);
}

static inline ns_status
got_walk(got *g, const char *path)
{
    ns__corpus_sink s = t_sink(g);
    return ns__corpus_walk(path, &s);
}

static inline ns_status
got_buffer(got *g, const char *name, const char *data, size_t len)
{
    ns__corpus_sink s = t_sink(g);
    return ns__corpus_read_buffer(name, data, len, &s);
}

static inline ns_status
got_string(got *g, const char *name, const char *data)
{
    return got_buffer(g, name, data, strlen(data));
}

/* A path under $NS_TEST_DATA/corpus (static buffer). */
static inline const char *
data_path(const char *rel)
{
    static char buf[4096];
    const char *d = getenv("NS_TEST_DATA");
    snprintf(buf, sizeof buf, "%s/corpus/%s", d ? d : "tests/data", rel);
    return buf;
}

/* A path under $NS_SHARED, or NULL when it is not there. */
static inline const char *
shared_path(const char *rel)
{
    static char buf[4096];
    const char *d = getenv("NS_SHARED");
    if (!d)
        return NULL;
    snprintf(buf, sizeof buf, "%s/%s", d, rel);
    FILE *f = fopen(buf, "r");
    if (!f)
        return NULL;
    fclose(f);
    return buf;
}

static inline const got_article *
got_find(const got *g, const char *id)
{
    for (size_t i = 0; i < g->na; i++)
        if (g->a[i].id && strcmp(g->a[i].id, id) == 0)
            return &g->a[i];
    return NULL;
}

#define assert_str(a, b) assert_string_equal((a) ? (a) : "(null)", (b))

#endif /* NS_TEST_CORPUS_COMMON_H */
