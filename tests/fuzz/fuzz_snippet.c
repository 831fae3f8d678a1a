/*
 * fuzz_snippet.c: libFuzzer entry point for the snippet builder
 * (ns__snippet_make, searcher/query.h).  The input is
 *
 *     flags byte, query, NUL, [title, NUL,] text
 *
 * (flags: bit 0 plain query, bits 1-3 the target size, bit 4 a title, bit
 * 5 the index's counts of the query words given to the steps, bit 6 the
 * planned snippet's text given whole).  The
 * query is parsed with the index's parser, and the snippet of the text is
 * checked against the promises of query.h: no control byte (whitespace is
 * folded), valid UTF-8 when the text is, highlights sorted, non-empty,
 * non-overlapping and inside the snippet, each one bytes of the text, and
 * a size near the target (graphemes a cut must not break may add to it);
 * the text revealed in steps gives the same snippet
 * (ns__snippet_make_steps).  The index only gives the parser its
 * analyzer: a few articles made once in a temporary directory, removed at
 * exit.
 *
 * A query that plans (ns__snippet_plans: several words or a phrase) is
 * also given the position map and sentence index the indexer would store
 * for the title and text (indexer/index.c's add_word), so that its
 * snippet is the planned one: it must pass tests/snippet_check.h where
 * the scan's snippet does, and show as many query words (set
 * NS_FUZZ_SNIPPET_SKIP_B to leave that out, to look past a known case);
 * then with those values damaged (bytes flipped, cut short, from
 * elsewhere in the input) it must give a snippet of the text or
 * NS_ERR_INDEX_CORRUPT.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/posmap.h"
#include "core/schema.h"
#include "searcher/query.h"
#include "tests/fuzz/check.h"
#include "tests/snippet_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_dir[256];
static ns_db *fz_db;

static void
fz_cleanup(void)
{
    ns_db_close(fz_db);
    fz_db = NULL;
    DIR *d = opendir(fz_dir);
    if (!d)
        return;
    struct dirent *de;
    char path[600];
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        int k = snprintf(path, sizeof path, "%s/%s", fz_dir, de->d_name);
        if (k < 0 || (size_t)k >= sizeof path)
            continue;
        unlink(path);
    }
    closedir(d);
    rmdir(fz_dir);
}

static ns_db *
fz_open(void)
{
    if (fz_db)
        return fz_db;
    const char *tmp = getenv("TMPDIR");
    snprintf(fz_dir, sizeof fz_dir, "%s/ns-fuzz-snippet-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    CHECK(mkdtemp(fz_dir));
    atexit(fz_cleanup);
    ns_db *w;
    CHECK(ns_db_open(fz_dir, NS_OPEN_WRITE | NS_OPEN_CREATE, &w, NULL) ==
          NS_OK);
    ns_article a = NS_ARTICLE_INIT;
    a.id = "1";
    a.title = "Air strikes near Latakia";
    a.text = "Russian air strikes hit targets near Latakia airbase.";
    a.text_len = strlen(a.text);
    CHECK(ns_db_add_article(w, &a) == NS_OK);
    CHECK(ns_db_commit(w) == NS_OK);
    ns_db_close(w);
    CHECK(ns_db_open(fz_dir, NS_OPEN_READ, &fz_db, NULL) == NS_OK);
    return fz_db;
}

/* The longest grapheme of the text, in bytes (snippet_check.h's
 * boundaries). */
static size_t
fz_longest_grapheme(const char *text, size_t len)
{
    sc_text t;
    CHECK(sc_text_init(&t, text, len) == 0);
    size_t most = 0, last = 0;
    for (size_t i = 1; i <= len; i++)
        if (t.bnd[i]) {
            if (i - last > most)
                most = i - last;
            last = i;
        }
    sc_text_free(&t);
    return most;
}

/* Whether hay[0,n) contains needle[0,k) (memmem is a GNU extension). */
static int
fz_contains(const char *hay, size_t n, const char *needle, size_t k)
{
    for (size_t i = 0; k <= n && i <= n - k; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return 1;
    return 0;
}

/* Splits off the bytes up to the next NUL (or the end) as a C string. */
static char *
fz_take(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *z = memchr(*p, 0, (size_t)(end - *p));
    size_t n = z ? (size_t)(z - *p) : (size_t)(end - *p);
    char *s = malloc(n + 1);
    CHECK(s);
    memcpy(s, *p, n);
    s[n] = '\0';
    *p += z ? n + 1 : n;
    return s;
}

/* A text shown a few more bytes at each call (ns__snippet_more), and the
 * counts of the query words (ns__snippet_counts) or NULL. */
typedef struct fz_reveal {
    const char *text;
    size_t len, shown;
    unsigned seed;
    const uint32_t *counts;
} fz_reveal;

static const uint32_t *
fz_reveal_counts(void *ctx)
{
    return ((fz_reveal *)ctx)->counts;
}

/* Each term's occurrences in the text, as the indexer counts them (the
 * wdf search.c reads); a prefix's are not known. */
typedef struct fz_count {
    const ns__query *q;
    uint32_t *n;
} fz_count;

static int
fz_count_token(const ns_token *t, void *payload)
{
    fz_count *c = payload;
    for (size_t i = 0; i < c->q->n_terms; i++)
        if (!c->q->terms[i].prefix && strcmp(t->term, c->q->terms[i].text) == 0)
            c->n[i]++;
    return 0;
}

static ns_status
fz_reveal_more(void *ctx, const char **text, size_t *len)
{
    fz_reveal *r = ctx;
    r->seed = r->seed * 1103515245u + 12345u;
    size_t step = 1 + (r->seed >> 8) % 64;
    r->shown = r->len - r->shown < step ? r->len : r->shown + step;
    *text = r->text;
    *len = r->shown;
    return NS_OK;
}

/* The values the indexer stores for an article (indexer/index.c): every
 * token into the map, the body's sentence starts into the sentence
 * index. */
typedef struct fz_map {
    ns__posmap_builder b;
    int title;
    uint32_t last_pos, count;
    ns_status st;
} fz_map;

static int
fz_map_token(const ns_token *t, void *payload)
{
    fz_map *m = payload;
    ns_status st = ns__posmap_add(&m->b, m->title, t->pos, t->term,
                                  t->term_len);
    if (st == NS_OK && !m->title && (t->flags & NS_TOKEN_SENTENCE_START))
        st = ns__posmap_sentence(&m->b, t->pos, t->start);
    m->last_pos = t->pos;
    m->count++;
    m->st = st;
    return st != NS_OK;
}

typedef struct fz_values {
    ns_buf part[NS_POSMAP_PARTS];
    ns_buf sent;
    int damaged; /* slot, or -1 */
    ns_buf bad;
} fz_values;

static const char *
fz_value(void *ctx, unsigned slot, size_t *len)
{
    fz_values *v = ctx;
    const ns_buf *b = (int)slot == v->damaged ? &v->bad
                      : slot == NS_SLOT_SENTENCES ? &v->sent
                      : slot >= NS_SLOT_POSMAP &&
                              slot < NS_SLOT_POSMAP + NS_POSMAP_PARTS
                          ? &v->part[slot - NS_SLOT_POSMAP]
                          : NULL;
    *len = b ? b->len : 0;
    return b && b->len ? b->data : NULL;
}

/* The map and sentence index of title and text, as indexed.  0; -1 when
 * the analyzer or the builder refuses (too big: not a snippet's case). */
static int
fz_build_values(ns_db *db, const char *title, const char *text, size_t len,
                fz_values *v)
{
    fz_map m;
    memset(&m, 0, sizeof m);
    int r = -1;
    m.title = 1;
    if (title && *title &&
        ns__analyzer_run(db->analyzer, title, strlen(title), 0,
                         NS_ANALYZE_DOCUMENT, fz_map_token, &m,
                         NULL) != NS_OK)
        goto out;
    uint32_t body = m.count ? m.last_pos + NS_TITLE_GAP : 0;
    m.title = 0;
    ns_analyze_stats stats;
    memset(&stats, 0, sizeof stats);
    if (len && ns__analyzer_run(db->analyzer, text, len, body,
                                NS_ANALYZE_DOCUMENT, fz_map_token, &m,
                                &stats) != NS_OK)
        goto out;
    /* As the indexer: a text that is not all UTF-8 has no sentence
     * index (its snippet reads it whole). */
    if (stats.invalid_bytes)
        m.b.n_sent = 0;
    if (m.b.n_tok && (ns__posmap_encode(&m.b, v->part) != NS_OK ||
                      ns__posmap_encode_sentences(&m.b, &v->sent) != NS_OK))
        goto out;
    r = 0;
out:
    ns__posmap_builder_free(&m.b);
    return r;
}

static void
fz_values_free(fz_values *v)
{
    for (unsigned s = 0; s < NS_POSMAP_PARTS; s++)
        ns__buf_free(&v->part[s]);
    ns__buf_free(&v->sent);
    ns__buf_free(&v->bad);
}

/* The planned snippet of text (given whole when whole, else in steps). */
static ns_status
fz_planned(ns_db *db, const ns__query *q, const char *text, size_t len,
           const char *title, unsigned target, fz_values *v, int whole,
           ns_buf *out, ns_highlight **hl, size_t *n_hl)
{
    ns__xvalues xv = { fz_value, v };
    fz_reveal r = { text, len, len, len ? (unsigned char)text[len - 1] : 0,
                    NULL };
    if (!whole && len)
        r.shown = 1 + r.seed % len;
    ns__snippet_text src = { text, r.shown, len, title, fz_reveal_more,
                             NULL, &r, NULL, &xv };
    return ns__snippet_make_steps(db->analyzer, q, &src, target, out, hl,
                                  n_hl);
}

static void
fz_check_fail(const char *what, const char *query, const snip_check *c)
{
    fprintf(stderr, "fuzz_snippet: %s, query '%s': %s\n  snippet: %.*s\n",
            what, query, c->why, (int)c->snip_len, c->snip);
    abort();
}

/* The planned path: see the top of the file.  old is the scan's snippet. */
static void
fz_check_planned(ns_db *db, const ns__query *q, const char *query,
                 const char *text, size_t len, const char *title,
                 unsigned target, unsigned flags, const ns_buf *old,
                 const ns_highlight *old_hl, size_t old_n)
{
    fz_values v;
    memset(&v, 0, sizeof v);
    v.damaged = -1;
    if (fz_build_values(db, title, text, len, &v) != 0) {
        fz_values_free(&v);
        return;
    }
    sc_text t;
    CHECK(sc_text_init(&t, text, len) == 0);
    snip_check c;
    memset(&c, 0, sizeof c);
    c.an = db->analyzer;
    c.q = q;
    c.t = &t;
    c.snip = old->data ? old->data : "";
    c.snip_len = old->len;
    c.hl = old_hl;
    c.n_hl = old_n;
    int old_ok = snip_check_run(&c) == 0;
    CHECK(old_ok || strncmp(c.why, "oom", 3) != 0);
    unsigned old_shown = snip_check_shown(&c);

    ns_buf snip = { 0 };
    ns_highlight *hl = NULL;
    size_t n_hl = 0;
    ns_status st = fz_planned(db, q, text, len, title, target, &v,
                              (flags & 64) != 0, &snip, &hl, &n_hl);
    CHECK(st == NS_OK);
    c.snip = ns__buf_cstr(&snip);
    c.snip_len = snip.len;
    c.hl = hl;
    c.n_hl = n_hl;
    c.form_only = !old_ok;
    if (snip_check_run(&c) != 0)
        fz_check_fail("planned snippet", query, &c);
    if (old_ok && snip_check_shown(&c) < old_shown &&
        !getenv("NS_FUZZ_SNIPPET_SKIP_B")) {
        snprintf(c.why, sizeof c.why, "(b) %u query words shown, the scan "
                 "%u: \"%.*s\"", snip_check_shown(&c), old_shown,
                 (int)old->len, old->data ? old->data : "");
        fz_check_fail("planned snippet", query, &c);
    }
    ns_free(hl);
    ns__buf_free(&snip);

    /* Damaged: the sentence index or a part of the map, bytes flipped,
     * cut short, or bytes of the input instead. */
    unsigned seed = (unsigned)len * 2654435761u + flags;
    for (int round = 0; round < 6; round++) {
        seed = seed * 1103515245u + 12345u;
        unsigned part = (seed >> 8) % NS_POSMAP_PARTS;
        const ns_buf *src = round % 2 ? &v.part[part] : &v.sent;
        v.damaged = round % 2 ? (int)(NS_SLOT_POSMAP + part)
                              : NS_SLOT_SENTENCES;
        ns__buf_reset(&v.bad);
        if (round / 2 == 2) {
            size_t from = len ? (seed >> 4) % len : 0;
            ns__buf_append(&v.bad, text + from, (len - from) % 200);
        } else if (src->len) {
            ns__buf_append(&v.bad, src->data,
                           round / 2 ? (seed >> 12) % src->len : src->len);
            for (int f = 0; round / 2 == 0 && f < 1 + round % 3; f++) {
                seed = seed * 1103515245u + 12345u;
                v.bad.data[(seed >> 8) % v.bad.len] ^=
                    (char)(1u << (seed >> 20) % 8);
            }
        }
        CHECK(!v.bad.oom);
        st = fz_planned(db, q, text, len, title, target, &v, round % 2, &snip,
                        &hl, &n_hl);
        CHECK(st == NS_OK || st == NS_ERR_INDEX_CORRUPT);
        if (st == NS_OK) {
            c.snip = ns__buf_cstr(&snip);
            c.snip_len = snip.len;
            c.hl = hl;
            c.n_hl = n_hl;
            c.form_only = 1;
            if (snip_check_run(&c) != 0)
                fz_check_fail("damaged values' snippet", query, &c);
        }
        ns_free(hl);
        hl = NULL;
        ns__buf_free(&snip);
    }
    snip_check_free(&c);
    sc_text_free(&t);
    fz_values_free(&v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned targets[8] = { 0, 1, 2, 7, 40, 240, 1000, 5000 };
    if (size == 0)
        return 0;
    ns_db *db = fz_open();
    unsigned flags = data[0];
    const uint8_t *p = data + 1, *end = data + size;
    char *query = fz_take(&p, end);
    char *title = (flags & 16) ? fz_take(&p, end) : NULL;
    size_t len = (size_t)(end - p);
    /* Exactly len bytes, so an over-read of the text shows under ASan. */
    char *text = malloc(len ? len : 1);
    CHECK(text);
    memcpy(text, p, len);
    unsigned target = targets[(flags >> 1) & 7];

    ns__query q;
    ns_status st =
        ns__query_parse(db, query, (flags & 1) ? NS_QUERY_PLAIN : 0, &q);
    CHECK(st == NS_OK || st == NS_ERR_QUERY_EMPTY);
    if (st != NS_OK)
        goto out;

    ns_buf snip = { 0 };
    ns_highlight *hl = NULL;
    size_t n_hl = 0;
    st = ns__snippet_make(db->analyzer, &q, text, len, title, target, &snip,
                          &hl, &n_hl);
    CHECK(st == NS_OK);
    const char *s = ns__buf_cstr(&snip);
    if (getenv("NS_FUZZ_VERBOSE"))
        fprintf(stderr, "  %zu highlights: %s\n", n_hl, s);
    CHECK(strlen(s) == snip.len);
    for (size_t i = 0; i < snip.len; i++)
        CHECK((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] != 0x7F);
    if (utf8_ok(text, len))
        CHECK(utf8_ok(s, snip.len));
    size_t at = 0, longest = 0;
    for (size_t k = 0; k < n_hl; k++) {
        CHECK(hl[k].start >= at);
        CHECK(hl[k].start < hl[k].end);
        CHECK(hl[k].end <= snip.len);
        size_t n = hl[k].end - hl[k].start;
        CHECK(fz_contains(text, len, s + hl[k].start, n));
        if (n > longest)
            longest = n;
        at = hl[k].end;
    }
    CHECK(n_hl == 0 || q.n_terms > 0);
    /* The window is the target, widened to the end of a highlighted word
     * and to the grapheme boundaries around it (a ZWJ after the word, a
     * Prepend character before it: at most two of the text's longest
     * graphemes), plus the two " … " marks (4 bytes each). */
    size_t most = (target ? target : 240) + longest + 8;
    CHECK(snip.len <= most ||
          snip.len <= most + 2 * fz_longest_grapheme(text, len));

    /* The same text decoded in steps (search.c reads stored texts so)
     * gives the same snippet: revealed in pieces whose sizes come from
     * the text's own bytes. */
    ns_buf snip2 = { 0 };
    ns_highlight *hl2 = NULL;
    size_t n_hl2 = 0;
    fz_reveal r = { text, len, 0, len ? (unsigned char)text[0] : 0, NULL };
    r.shown = len ? 1 + r.seed % len : 0;
    uint32_t *counts = NULL;
    if ((flags & 32) && q.n_terms) {
        counts = calloc(q.n_terms, sizeof *counts);
        CHECK(counts);
        for (size_t i = 0; i < q.n_terms; i++)
            counts[i] = q.terms[i].prefix ? UINT32_MAX : 0;
        fz_count c = { &q, counts };
        CHECK(ns__analyzer_run(db->analyzer, text, len, 0,
                               NS_ANALYZE_DOCUMENT, fz_count_token, &c,
                               NULL) == NS_OK);
        r.counts = counts;
    }
    ns__snippet_text src = { text, r.shown, len, title, fz_reveal_more,
                             fz_reveal_counts, &r, NULL, NULL };
    st = ns__snippet_make_steps(db->analyzer, &q, &src, target, &snip2, &hl2,
                                &n_hl2);
    free(counts);
    CHECK(st == NS_OK);
    CHECK(snip2.len == snip.len &&
          (snip.len == 0 || memcmp(snip2.data, snip.data, snip.len) == 0));
    CHECK(n_hl2 == n_hl);
    CHECK(n_hl == 0 || memcmp(hl2, hl, n_hl * sizeof *hl) == 0);
    ns_free(hl2);
    ns__buf_free(&snip2);
    if (ns__snippet_plans(&q))
        fz_check_planned(db, &q, query, text, len, title, target, flags,
                         &snip, hl, n_hl);
    ns_free(hl);
    ns__buf_free(&snip);
    ns__query_free(&q);
out:
    free(text);
    free(title);
    free(query);
    return 0;
}
