/*
 * warc.c: web archives (WARC 0.17, 0.18, 1.0, 1.1), read record by record
 * from the decompressed stream (reader.c undoes the per-record or
 * whole-file gzip): never more than one record, at most 64 MiB, in memory.
 * Articles are `response` records of an HTTP 200 with an HTML body (its
 * Content-Encoding gzip, deflate or br undone), `resource` records of
 * text/html, the page stored without HTTP (html.c extracts them), and
 * `conversion` records of text/plain (Common Crawl's WET files, their
 * identified language made ISO 639-1 as the other readers give it); other
 * records are passed over, and so are non-200 responses: a recorded
 * redirect or 404 is a faithful capture of something that is not an
 * article, not broken input, and a crawl full of redirects must not make
 * every cron run end "with rejects".  A record whose Content-Length lies
 * (it runs into the next record, or stops short of the record's end) is
 * rejected with its offset, and reading resumes at the next "WARC/"
 * header.
 */
#include <archive.h>
#include <archive_entry.h>
#include <brotli/decode.h>
#include <isa-l/igzip_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "corpus/format.h"
#include "corpus/html.h"

#define WARC_MAX_RECORD ((uint64_t)64 << 20) /* one record's block */
#define WARC_MAX_LINE   ((size_t)64 << 10)   /* one header line */
#define WARC_MAX_HEAD   ((size_t)1 << 20)    /* one record's header */
#define WS_MIN_CAP      ((size_t)256 << 10)
#define WS_READ         ((size_t)16 << 10)   /* what ws_fill reads at most */

/* Whether "WARC/<digit>" starts at s[0, n). */
static int
at_version(const char *s, size_t n)
{
    return n >= 6 && memcmp(s, "WARC/", 5) == 0 && s[5] >= '0' && s[5] <= '9';
}

static int
warc_sniff(const char *head, size_t len, const char *name)
{
    if (at_version(head, len))
        return 100;
    /* Junk first, then a record: still ours (the junk is rejected). */
    for (const char *p = head;
         (p = ns__find(p, len - (size_t)(p - head), "\nWARC/", 6)) != NULL;
         p++) {
        size_t rest = len - (size_t)(p + 1 - head);
        if (at_version(p + 1, rest) &&
            ns__find(p + 1, rest < 4096 ? rest : 4096, "WARC-Type:", 10))
            return 90;
    }
    return name && ns__name_has_ext(name, ".warc") ? 60 : 0;
}

/* ------------------------------------------------------------------------ */
/* A stream that can give bytes back                                         */

/*
 * When a Content-Length is too long, the record's block swallowed the start
 * of the next record; those bytes are pushed back (ws_unread) so the next
 * record is read from its real start.  The buffer holds buf[pos, end),
 * stream offset base + pos.
 */
typedef struct wstream {
    ns__input *in;
    char *buf;
    size_t cap, pos, end;
    uint64_t base;
    int eof;    /* the input has no more bytes */
    int failed; /* the input failed (reader.c reports it) */
    int oom;
    int skip_line; /* the last line was cut: skip to its end */
} wstream;

static uint64_t
ws_offset(const wstream *s)
{
    return s->base + s->pos;
}

/* Read more bytes.  Returns how many were added (0: end, failure, oom). */
static size_t
ws_fill(wstream *s)
{
    if (s->eof || s->failed || s->oom)
        return 0;
    if (s->pos > 0 && (s->pos == s->end || s->cap - s->end < WS_MIN_CAP / 4)) {
        memmove(s->buf, s->buf + s->pos, s->end - s->pos);
        s->base += s->pos;
        s->end -= s->pos;
        s->pos = 0;
    }
    if (s->cap - s->end < WS_MIN_CAP / 4) {
        size_t nc = s->cap ? s->cap * 2 : WS_MIN_CAP;
        char *nb = ns__realloc(s->buf, nc);
        if (!nb) {
            s->oom = 1;
            return 0;
        }
        s->buf = nb;
        s->cap = nc;
    }
    /* A little at a time: a record's block is read straight into its
     * buffer (ws_read), copied once, not through this one first. */
    size_t want = s->cap - s->end < WS_READ ? s->cap - s->end : WS_READ;
    ptrdiff_t r = ns__input_read(s->in, s->buf + s->end, want);
    if (r < 0) {
        s->failed = 1;
        return 0;
    }
    if (r == 0) {
        s->eof = 1;
        return 0;
    }
    s->end += (size_t)r;
    return (size_t)r;
}

/* Have at least n bytes buffered if the stream has them; how many are. */
static size_t
ws_peek(wstream *s, size_t n)
{
    while (s->end - s->pos < n && ws_fill(s) > 0)
        ;
    return s->end - s->pos;
}

/*
 * One line, without its "\n" or "\r\n", valid until the next call.  A
 * line longer than WARC_MAX_LINE is cut there; the next call skips the
 * rest of it.  Returns 0 at the end of the stream.
 */
static int
ws_getline(wstream *s, const char **line, size_t *len, uint64_t *off)
{
    char *nl = NULL;
    size_t scanned = 0;
    while (s->skip_line) {
        size_t avail = s->end - s->pos;
        nl = avail ? memchr(s->buf + s->pos, '\n', avail) : NULL;
        if (nl) {
            s->pos = (size_t)(nl - s->buf) + 1;
            s->skip_line = 0;
        } else {
            s->pos = s->end;
            if (ws_fill(s) == 0)
                return 0;
        }
    }
    nl = NULL;
    for (;;) {
        size_t avail = s->end - s->pos;
        if (avail > scanned) {
            nl = memchr(s->buf + s->pos + scanned, '\n', avail - scanned);
            if (nl)
                break;
            scanned = avail;
        }
        if (avail >= WARC_MAX_LINE || ws_fill(s) == 0)
            break;
    }
    size_t avail = s->end - s->pos;
    if (avail == 0)
        return 0;
    char *p = s->buf + s->pos;
    size_t n = nl ? (size_t)(nl - p) : avail;
    *line = p;
    *off = ws_offset(s);
    if (n > WARC_MAX_LINE) {
        n = WARC_MAX_LINE;
        s->pos += n;
        s->skip_line = 1;
    } else if (!nl && n == WARC_MAX_LINE) {
        s->pos += n;
        s->skip_line = 1;
    } else {
        s->pos += n + (nl != NULL);
    }
    if (n > 0 && p[n - 1] == '\r')
        n--;
    *len = n;
    return 1;
}

/* Read up to n bytes into out (appended).  Returns the count. */
static uint64_t
ws_read(wstream *s, ns_buf *out, uint64_t n)
{
    uint64_t got = 0;
    size_t k = s->end - s->pos;
    if (k > n)
        k = (size_t)n;
    ns__buf_append(out, s->buf + s->pos, k);
    s->pos += k;
    got += k;
    if (got < n && ns__buf_reserve(out, (size_t)(n - got)) != 0) {
        s->oom = 1;
        return got;
    }
    while (got < n && !s->eof && !s->failed) {
        ptrdiff_t r =
            ns__input_read(s->in, out->data + out->len, (size_t)(n - got));
        if (r < 0) {
            s->failed = 1;
            break;
        }
        if (r == 0) {
            s->eof = 1;
            break;
        }
        out->len += (size_t)r;
        s->base += (uint64_t)r; /* bytes that went around the buffer */
        got += (uint64_t)r;
    }
    if (out->data)
        out->data[out->len] = '\0';
    return got;
}

/* Skip up to n bytes.  Returns the count. */
static uint64_t
ws_skip(wstream *s, uint64_t n)
{
    uint64_t got = 0;
    while (got < n) {
        if (s->pos == s->end && ws_fill(s) == 0)
            break;
        size_t k = s->end - s->pos;
        if (k > n - got)
            k = (size_t)(n - got);
        s->pos += k;
        got += k;
    }
    return got;
}

/* Give back d[0, n), the bytes just read: the next read starts with them. */
static void
ws_unread(wstream *s, const char *d, size_t n)
{
    if (n <= s->pos) {
        s->pos -= n;
        memcpy(s->buf + s->pos, d, n);
        return;
    }
    size_t rest = s->end - s->pos;
    size_t nc = n + rest + WS_MIN_CAP;
    char *nb = ns__malloc(nc);
    if (!nb) {
        s->oom = 1;
        return;
    }
    memcpy(nb, d, n);
    if (rest)
        memcpy(nb + n, s->buf + s->pos, rest);
    s->base = s->base + s->pos - n;
    ns_free(s->buf);
    s->buf = nb;
    s->cap = nc;
    s->pos = 0;
    s->end = n + rest;
}

/* ------------------------------------------------------------------------ */
/* Record headers                                                            */

typedef struct whead {
    char type[32];
    char id[256];
    char uri[8192];
    char ctype[256];
    char lang[16]; /* WARC-Identified-Content-Language's first, ISO 639-1 */
    uint64_t length;
    int has_length;
    int bad_length;
} whead;

/* "WARC/1.0": "WARC/" and a digit. */
static int
is_version(const char *line, size_t len)
{
    return at_version(line, len);
}

/* Copy a header value (trimmed, <angle brackets> dropped) into out. */
static void
value_copy(char *out, size_t cap, const char *v, size_t n)
{
    while (n > 0 && (*v == ' ' || *v == '\t' || *v == ':')) {
        v++;
        n--;
    }
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (n >= 2 && v[0] == '<' && v[n - 1] == '>') {
        v++;
        n -= 2;
    }
    if (n >= cap)
        n = cap - 1;
    memcpy(out, v, n);
    out[n] = '\0';
}

/* ISO 639-3 codes (as Common Crawl's language identification, CLD2, names
 * them) of the languages news is most written in, with their ISO 639-1
 * codes: what the other readers give (from xml:lang, <html lang>, a
 * feed's <language>).  Sorted by the 3-letter code. */
static const char lang3[][2][4] = {
    { "afr", "af" }, { "amh", "am" }, { "ara", "ar" }, { "aze", "az" },
    { "bel", "be" }, { "ben", "bn" }, { "bos", "bs" }, { "bul", "bg" },
    { "cat", "ca" }, { "ces", "cs" }, { "cym", "cy" }, { "dan", "da" },
    { "deu", "de" }, { "ell", "el" }, { "eng", "en" }, { "est", "et" },
    { "eus", "eu" }, { "fas", "fa" }, { "fin", "fi" }, { "fra", "fr" },
    { "gle", "ga" }, { "glg", "gl" }, { "guj", "gu" }, { "hau", "ha" },
    { "heb", "he" }, { "hin", "hi" }, { "hrv", "hr" }, { "hun", "hu" },
    { "hye", "hy" }, { "ind", "id" }, { "isl", "is" }, { "ita", "it" },
    { "jpn", "ja" }, { "kan", "kn" }, { "kat", "ka" }, { "kaz", "kk" },
    { "khm", "km" }, { "kor", "ko" }, { "lat", "la" }, { "lav", "lv" },
    { "lit", "lt" }, { "mal", "ml" }, { "mar", "mr" }, { "mkd", "mk" },
    { "mlt", "mt" }, { "mon", "mn" }, { "msa", "ms" }, { "mya", "my" },
    { "nep", "ne" }, { "nld", "nl" }, { "nno", "nn" }, { "nob", "nb" },
    { "nor", "no" }, { "pan", "pa" }, { "pol", "pl" }, { "por", "pt" },
    { "ron", "ro" }, { "rus", "ru" }, { "sin", "si" }, { "slk", "sk" },
    { "slv", "sl" }, { "som", "so" }, { "spa", "es" }, { "sqi", "sq" },
    { "srp", "sr" }, { "swa", "sw" }, { "swe", "sv" }, { "tam", "ta" },
    { "tel", "te" }, { "tgl", "tl" }, { "tha", "th" }, { "tur", "tr" },
    { "ukr", "uk" }, { "urd", "ur" }, { "uzb", "uz" }, { "vie", "vi" },
    { "yor", "yo" }, { "zho", "zh" }, { "zul", "zu" },
};

/* The first of a WARC-Identified-Content-Language list ("deu,eng": the
 * most of the page first) into out: its ISO 639-1 code when the table
 * has one, else the code as given (lowercased), which is a language tag
 * too (BCP 47 takes the 3-letter code of a language with no 2-letter
 * one: "yue", "fil"); "" when it is no code (not 2 or 3 letters). */
static void
lang_copy(char *out, size_t cap, const char *v, size_t n)
{
    char code[8];
    size_t k = 0, i = 0;
    out[0] = '\0';
    while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ':'))
        i++;
    for (; i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t'; i++) {
        char c = v[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c < 'a' || c > 'z' || k + 1 >= sizeof code)
            return;
        code[k++] = c;
    }
    code[k] = '\0';
    if (k < 2 || k > 3 || cap < 4)
        return;
    const char *two = NULL;
    size_t lo = 0, hi = sizeof lang3 / sizeof *lang3;
    while (k == 3 && lo < hi && !two) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(code, lang3[mid][0]);
        if (c == 0)
            two = lang3[mid][1];
        else if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    memcpy(out, two ? two : code, strlen(two ? two : code) + 1);
}

static void
head_field(whead *h, const char *line, size_t len)
{
    const char *colon = memchr(line, ':', len);
    if (!colon)
        return;
    size_t nl = (size_t)(colon - line);
    const char *v = colon + 1;
    size_t vl = len - nl - 1;
#define IS(name) (nl == sizeof(name) - 1 && strncasecmp(line, name, nl) == 0)
    if (IS("WARC-Type")) {
        value_copy(h->type, sizeof h->type, v, vl);
    } else if (IS("WARC-Record-ID")) {
        value_copy(h->id, sizeof h->id, v, vl);
    } else if (IS("WARC-Target-URI")) {
        value_copy(h->uri, sizeof h->uri, v, vl);
    } else if (IS("Content-Type")) {
        value_copy(h->ctype, sizeof h->ctype, v, vl);
    } else if (IS("WARC-Identified-Content-Language")) {
        lang_copy(h->lang, sizeof h->lang, v, vl);
    } else if (IS("Content-Length")) {
        char num[32];
        value_copy(num, sizeof num, v, vl);
        char *end;
        unsigned long long x = strtoull(num, &end, 10);
        h->has_length = 1;
        h->bad_length = !num[0] || *end || num[0] == '-';
        h->length = x;
    }
#undef IS
}

/* ------------------------------------------------------------------------ */
/* HTTP responses                                                            */

typedef struct http {
    int status;
    char ctype[256];
    char tenc[64]; /* Transfer-Encoding */
    char cenc[64]; /* Content-Encoding */
    const char *body;
    size_t body_len;
} http;

/* Parse the HTTP response at d[0, n).  Returns 0 when it is not one. */
static int
http_parse(const char *d, size_t n, http *h)
{
    memset(h, 0, sizeof *h);
    if (n < 12 || memcmp(d, "HTTP/", 5) != 0)
        return 0;
    const char *sp = memchr(d, ' ', n < 32 ? n : 32);
    if (!sp)
        return 0;
    h->status = atoi(sp + 1);
    size_t p = 0, lim = n < WARC_MAX_HEAD ? n : WARC_MAX_HEAD;
    int first = 1;
    while (p < lim) {
        const char *nl = memchr(d + p, '\n', lim - p);
        size_t e = nl ? (size_t)(nl - d) : lim;
        size_t len = e - p;
        if (len > 0 && d[p + len - 1] == '\r')
            len--;
        if (!first && len == 0) {
            p = e + 1;
            h->body = d + (p < n ? p : n);
            h->body_len = p < n ? n - p : 0;
            return 1;
        }
        if (!first) {
            const char *line = d + p;
            const char *colon = memchr(line, ':', len);
            if (colon) {
                size_t kl = (size_t)(colon - line);
                const char *v = colon + 1;
                size_t vl = len - kl - 1;
                if (kl == 12 && strncasecmp(line, "Content-Type", 12) == 0)
                    value_copy(h->ctype, sizeof h->ctype, v, vl);
                else if (kl == 17 &&
                         strncasecmp(line, "Transfer-Encoding", 17) == 0)
                    value_copy(h->tenc, sizeof h->tenc, v, vl);
                else if (kl == 16 &&
                         strncasecmp(line, "Content-Encoding", 16) == 0)
                    value_copy(h->cenc, sizeof h->cenc, v, vl);
            }
        }
        first = 0;
        if (!nl)
            break;
        p = e + 1;
    }
    /* No end of header: no body. */
    h->body = d + n;
    h->body_len = 0;
    return 1;
}

/* Undo chunked transfer coding into out; a broken chunk ends it (what came
 * before is kept).  Returns 0 when d does not even start like chunks. */
static int
dechunk(const char *d, size_t n, ns_buf *out)
{
    size_t p = 0;
    int chunks = 0;
    while (p < n) {
        char *end;
        unsigned long long sz = strtoull(d + p, &end, 16);
        if (end == d + p)
            break;
        const char *nl = memchr(d + p, '\n', n - p);
        if (!nl)
            break;
        p = (size_t)(nl - d) + 1;
        chunks++;
        if (sz == 0)
            break;
        if (sz > n - p)
            sz = n - p; /* a cut record: keep what there is */
        ns__buf_append(out, d + p, (size_t)sz);
        p += (size_t)sz;
        if (p < n && d[p] == '\r')
            p++;
        if (p < n && d[p] == '\n')
            p++;
    }
    return chunks > 0;
}

/* What decoding a body's Content-Encoding gave. */
enum { DEC_OK, DEC_CORRUPT, DEC_TOO_BIG, DEC_NOMEM };

/* Gunzip d[0, n) into out through libarchive (at most max bytes; a cut
 * stream gives what it has).  Returns 0 on failure. */
static int
gunzip(const char *d, size_t n, ns_buf *out, size_t max)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    int ok = 0;
    if (!a)
        return 0;
    archive_read_support_filter_gzip(a);
    archive_read_support_format_raw(a);
    if (archive_read_open_memory(a, d, n) == ARCHIVE_OK &&
        archive_read_next_header(a, &e) == ARCHIVE_OK) {
        char chunk[16384];
        ok = 1;
        for (;;) {
            la_ssize_t r = archive_read_data(a, chunk, sizeof chunk);
            if (r <= 0)
                break;
            if (out->len + (size_t)r > max) {
                ok = 0;
                break;
            }
            ns__buf_append(out, chunk, (size_t)r);
        }
    }
    archive_read_free(a);
    return ok && !out->oom;
}

#define DEC_STEP ((size_t)64 << 10) /* output room added at a time */

/*
 * Inflate d[0, n) into out (appended; at most max bytes) with ISA-L, the
 * library unpack.c inflates gzip with, wrapped as wrap says: ISAL_ZLIB
 * (RFC 1950, its Adler-32 checked) or ISAL_DEFLATE (raw RFC 1951).  A
 * stream cut short gives what it has, as gunzip does.
 */
static int
inflate_as(struct inflate_state *g, int wrap, const char *d, size_t n,
           ns_buf *out, size_t max)
{
    isal_inflate_init(g);
    g->crc_flag = (uint32_t)wrap;
    g->next_in = (uint8_t *)(uintptr_t)d; /* ISA-L's field is not const */
    g->avail_in = (uint32_t)n;            /* n <= WARC_MAX_RECORD */
    for (;;) {
        if (out->len >= max)
            return DEC_TOO_BIG;
        if (ns__buf_reserve(out, DEC_STEP) != 0)
            return DEC_NOMEM;
        g->next_out = (uint8_t *)out->data + out->len;
        g->avail_out = (uint32_t)DEC_STEP;
        uint32_t in_before = g->avail_in;
        int r = isal_inflate(g);
        size_t got = DEC_STEP - g->avail_out;
        out->len += got;
        out->data[out->len] = '\0';
        if (r < 0)
            return DEC_CORRUPT;
        if (g->block_state == ISAL_BLOCK_FINISH)
            return out->len > max ? DEC_TOO_BIG : DEC_OK;
        if (got == 0 && g->avail_in == 0)
            return out->len > 0 ? DEC_OK : DEC_CORRUPT; /* cut short */
        if (got == 0 && g->avail_in == in_before)
            return DEC_CORRUPT; /* no progress: must not spin */
    }
}

/*
 * HTTP's "deflate" is zlib-wrapped deflate (RFC 9110), but some servers
 * (old IIS among them) send raw deflate under that name, and browsers
 * accept both: so zlib first, and raw deflate when that fails.
 */
static int
inflate_http(struct inflate_state **gp, const char *d, size_t n, ns_buf *out,
             size_t max)
{
    if (!*gp && !(*gp = ns__malloc(sizeof **gp)))
        return DEC_NOMEM;
    int r = inflate_as(*gp, ISAL_ZLIB, d, n, out, max);
    if (r != DEC_CORRUPT)
        return r;
    ns__buf_reset(out);
    return inflate_as(*gp, ISAL_DEFLATE, d, n, out, max);
}

/* brotli's allocations through ns__malloc, so that the tests' allocation
 * failures reach them too. */
static void *
brotli_alloc(void *opaque, size_t n)
{
    (void)opaque;
    return ns__malloc(n);
}

static void
brotli_free(void *opaque, void *p)
{
    (void)opaque;
    ns_free(p);
}

/* Brotli (RFC 7932, Content-Encoding: br, what browser-based crawlers
 * store) d[0, n) into out (appended; at most max bytes).  A stream cut
 * short gives what it has. */
static int
unbrotli(const char *d, size_t n, ns_buf *out, size_t max)
{
    BrotliDecoderState *b =
        BrotliDecoderCreateInstance(brotli_alloc, brotli_free, NULL);
    if (!b)
        return DEC_NOMEM;
    const uint8_t *in = (const uint8_t *)d;
    size_t avail_in = n;
    int ret;
    for (;;) {
        if (out->len >= max) {
            ret = DEC_TOO_BIG;
            break;
        }
        if (ns__buf_reserve(out, DEC_STEP) != 0) {
            ret = DEC_NOMEM;
            break;
        }
        uint8_t *o = (uint8_t *)out->data + out->len;
        size_t avail_out = DEC_STEP;
        BrotliDecoderResult r = BrotliDecoderDecompressStream(
            b, &avail_in, &in, &avail_out, &o, NULL);
        out->len += DEC_STEP - avail_out;
        out->data[out->len] = '\0';
        if (r == BROTLI_DECODER_RESULT_SUCCESS) {
            ret = out->len > max ? DEC_TOO_BIG : DEC_OK;
            break;
        }
        if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) {
            ret = out->len > 0 ? DEC_OK : DEC_CORRUPT; /* cut short */
            break;
        }
        if (r == BROTLI_DECODER_RESULT_ERROR) {
            BrotliDecoderErrorCode e = BrotliDecoderGetErrorCode(b);
            ret = e <= BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MODES &&
                          e >= BROTLI_DECODER_ERROR_ALLOC_BLOCK_TYPE_TREES ?
                      DEC_NOMEM :
                      DEC_CORRUPT;
            break;
        }
        /* BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: room is added above. */
    }
    BrotliDecoderDestroyInstance(b);
    return ret;
}

/* ------------------------------------------------------------------------ */
/* Records                                                                   */

typedef struct warc {
    const ns__corpus_sink *sink;
    ns__where w;
    wstream s;
    ns_buf block;                  /* the current record's block */
    ns_buf scratch;                /* a decoded HTTP body */
    struct inflate_state *inflate; /* made at the first deflate body */
} warc;

/* The host of a URL, "www." dropped: the source when the page names none. */
static void
url_host(const char *url, char *out, size_t cap)
{
    out[0] = '\0';
    const char *p = strstr(url, "://");
    if (!p)
        return;
    p += 3;
    size_t n = strcspn(p, "/:?#");
    if (n > 4 && strncasecmp(p, "www.", 4) == 0) {
        p += 4;
        n -= 4;
    }
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

static int
is_html_type(const char *ct)
{
    return strncasecmp(ct, "text/html", 9) == 0 ||
           strncasecmp(ct, "application/xhtml", 17) == 0;
}

/* Whether a body without a Content-Type looks like HTML. */
static int
looks_html(const char *d, size_t n)
{
    if (n > 1024)
        n = 1024;
    return ns__find(d, n, "<html", 5) || ns__find(d, n, "<HTML", 5) ||
           ns__find(d, n, "<!DOCTYPE html", 14) ||
           ns__find(d, n, "<!doctype html", 14);
}

/* Undo the body's Content-Encoding cenc (gzip, deflate or br) into
 * r->scratch; *body and *blen then point there.  What it cannot undo is
 * rejected, with *body set to NULL. */
static ns_status
decode_body(warc *r, const char *cenc, const char **body, size_t *blen)
{
    const char *name;
    ns_buf z = { 0 };
    int d;
    if (strcasecmp(cenc, "gzip") == 0 || strcasecmp(cenc, "x-gzip") == 0) {
        name = "gzip";
        d = gunzip(*body, *blen, &z, (size_t)WARC_MAX_RECORD) ? DEC_OK :
            z.oom                                             ? DEC_NOMEM :
                                                                DEC_CORRUPT;
    } else if (strcasecmp(cenc, "deflate") == 0) {
        name = "deflate";
        d = inflate_http(&r->inflate, *body, *blen, &z,
                         (size_t)WARC_MAX_RECORD);
    } else if (strcasecmp(cenc, "br") == 0) {
        name = "brotli";
        d = unbrotli(*body, *blen, &z, (size_t)WARC_MAX_RECORD);
    } else {
        *body = NULL;
        return ns__corpus_reject(r->sink, &r->w,
                                 "unsupported content-encoding %.40s", cenc);
    }
    if (d != DEC_OK) {
        ns__buf_free(&z);
        *body = NULL;
        if (d == DEC_NOMEM)
            return NS_ERR_NOMEM;
        if (d == DEC_TOO_BIG)
            return ns__corpus_reject(
                r->sink, &r->w, "%s content over %llu MiB once decompressed",
                name, (unsigned long long)(WARC_MAX_RECORD >> 20));
        return ns__corpus_reject(r->sink, &r->w,
                                 "%s content that does not decompress", name);
    }
    ns__buf_free(&r->scratch);
    r->scratch = z;
    *body = r->scratch.data ? r->scratch.data : "";
    *blen = r->scratch.len;
    return NS_OK;
}

/* An HTML page, body[0, blen) in the charset ctype names (else the page's
 * own declaration): an article, or a reject saying why not. */
static ns_status
warc_page(warc *r, const whead *h, const char *body, size_t blen,
          const char *ctype)
{
    const ns__corpus_sink *sink = r->sink;
    char cs[64];
    ns__http_charset(ctype, cs, sizeof cs);
    ns__html_page pg;
    ns_status st = ns__html_extract(body, blen, cs, &pg);
    if (st == NS_ERR_FORMAT)
        return ns__corpus_reject(
            sink, &r->w, "unreadable html page (no markup, or over %zu tags)",
            NS_MAX_HTML_TAGS);
    if (st != NS_OK)
        return st;
    if (!pg.title && pg.text_len == 0) {
        ns__html_page_free(&pg);
        return ns__corpus_reject(sink, &r->w, "no article text in the page");
    }
    char host[256];
    url_host(h->uri, host, sizeof host);
    ns_article a = NS_ARTICLE_INIT;
    a.id = h->id[0] ? h->id : NULL;
    a.title = pg.title;
    a.date = pg.date;
    a.source = pg.source ? pg.source : host[0] ? host : NULL;
    a.url = h->uri[0] ? h->uri : pg.url;
    a.author = pg.author;
    a.language = pg.language;
    a.text = pg.text;
    a.text_len = pg.text_len;
    st = ns__corpus_emit(sink, &r->w, &a);
    ns__html_page_free(&pg);
    return st;
}

/*
 * A conversion record of plain text: what Common Crawl's WET files hold,
 * the text of one crawled page, its title on the first line.  An article
 * like a page's, with no date (the crawl's is not the publication's).
 */
static ns_status
warc_text(warc *r, const whead *h)
{
    const char *s = r->block.data ? r->block.data : "";
    size_t n = r->block.len, i = 0;
    while (i < n &&
           (s[i] == '\r' || s[i] == '\n' || s[i] == ' ' || s[i] == '\t'))
        i++;
    const char *nl = memchr(s + i, '\n', n - i);
    size_t te = nl ? (size_t)(nl - s) : n, body = nl ? te + 1 : n;
    if (i == n)
        return ns__corpus_reject(r->sink, &r->w,
                                 "conversion record without text");
    ns_buf title = { 0 };
    ns__buf_append(&title, s + i, te - i);
    char host[256];
    url_host(h->uri, host, sizeof host);
    ns_article a = NS_ARTICLE_INIT;
    a.id = h->id[0] ? h->id : NULL;
    a.title = ns__buf_cstr(&title);
    a.source = host[0] ? host : NULL;
    a.url = h->uri[0] ? h->uri : NULL;
    a.language = h->lang[0] ? h->lang : NULL;
    a.text = s + body;
    a.text_len = n - body;
    ns_status st =
        title.oom ? NS_ERR_NOMEM : ns__corpus_emit(r->sink, &r->w, &a);
    ns__buf_free(&title);
    return st;
}

/* One response record's block. */
static ns_status
warc_response(warc *r, const whead *h)
{
    http hp;
    const ns__corpus_sink *sink = r->sink;
    if (!http_parse(r->block.data, r->block.len, &hp))
        return ns__corpus_reject(sink, &r->w,
                                 "response record without an http header");
    if (hp.status != 200)
        return NS_OK; /* a redirect, an error page: not an article */
    if (hp.ctype[0] ? !is_html_type(hp.ctype) :
                      !looks_html(hp.body, hp.body_len))
        return NS_OK; /* an image, a script, robots.txt: not an article */

    const char *body = hp.body;
    size_t blen = hp.body_len;
    ns__buf_reset(&r->scratch);
    if (strstr(hp.tenc, "chunked") || strstr(hp.tenc, "Chunked")) {
        if (dechunk(body, blen, &r->scratch)) {
            body = r->scratch.data ? r->scratch.data : "";
            blen = r->scratch.len;
        }
    }
    if (hp.cenc[0] && strcasecmp(hp.cenc, "identity") != 0) {
        ns_status st = decode_body(r, hp.cenc, &body, &blen);
        if (st != NS_OK || !body)
            return st;
    }
    if (r->scratch.oom || r->block.oom)
        return NS_ERR_NOMEM;
    return warc_page(r, h, body, blen, hp.ctype);
}

/*
 * After a block: its "\r\n\r\n", or (forgiving blank-line variations) the
 * next record's "WARC/" or the end.  Returns 1 when in step, with the line
 * breaks consumed; 0 with nothing consumed.  Junk after a proper
 * "\r\n\r\n" is the next read's problem, not this record's.
 */
static int
trailer_ok(wstream *s)
{
    size_t k = 0;
    if (ws_peek(s, 4) >= 4 && memcmp(s->buf + s->pos, "\r\n\r\n", 4) == 0) {
        s->pos += 4;
        return 1;
    }
    for (;;) {
        if (ws_peek(s, k + 1) <= k) {
            s->pos += k; /* the end */
            return 1;
        }
        char c = s->buf[s->pos + k];
        if ((c != '\r' && c != '\n') || k >= 8)
            break;
        k++;
    }
    size_t a = ws_peek(s, k + 6);
    if (a >= k + 6 && is_version(s->buf + s->pos + k, 6)) {
        s->pos += k;
        return 1;
    }
    return 0;
}

/*
 * Where a record header starts inside a block that overran: after a "\n",
 * "WARC/" and a digit, or a prefix of that at the block's very end that
 * the stream's next bytes complete.  Returns the offset, or n if none.
 */
static size_t
find_header(wstream *s, const char *d, size_t n)
{
    static const char magic[] = "WARC/";
    size_t from = 0;
    while (from < n) {
        const char *p = ns__find(d + from, n - from, "\nWARC/", 6);
        if (!p)
            break;
        size_t k = (size_t)(p - d) + 1;
        if (k + 5 < n && d[k + 5] >= '0' && d[k + 5] <= '9')
            return k;
        if (k + 5 == n && ws_peek(s, 1) >= 1 && s->buf[s->pos] >= '0' &&
            s->buf[s->pos] <= '9')
            return k;
        from = k;
    }
    /* "...\nWAR" + "C/1.0" in the stream. */
    for (size_t t = 0; t < 5 && t < n; t++) {
        size_t k = n - t;
        if (d[k - 1] != '\n' || memcmp(d + k, magic, t) != 0)
            continue;
        size_t need = 5 - t + 1;
        if (ws_peek(s, need) < need)
            return n;
        const char *q = s->buf + s->pos;
        if (memcmp(q, magic + t, 5 - t) == 0 && q[5 - t] >= '0' &&
            q[5 - t] <= '9')
            return k;
        return n;
    }
    return n;
}

static ns_status
warc_read(ns__input *in, const ns__where *w0, const ns__corpus_sink *sink)
{
    warc r;
    memset(&r, 0, sizeof r);
    r.sink = sink;
    r.w = *w0;
    r.s.in = in;
    ns_status st = NS_OK;
    int lost = 0; /* between records after a problem: skip to "WARC/" */
    uint64_t record = 0;
    const char *line;
    size_t len;
    uint64_t off;

    while (st == NS_OK && ws_getline(&r.s, &line, &len, &off)) {
        if (len == 0)
            continue;
        if (!is_version(line, len)) {
            if (!lost) {
                r.w.record = 0;
                r.w.offset = off;
                st = ns__corpus_reject(sink, &r.w,
                                       "data outside any warc "
                                       "record; skipped to the "
                                       "next record");
                lost = 1;
            }
            continue;
        }
        lost = 0;
        r.w.record = ++record;
        r.w.offset = off;

        whead h;
        memset(&h, 0, sizeof h);
        size_t head_bytes = 0;
        int ended = 0;
        while (ws_getline(&r.s, &line, &len, &off)) {
            if (len == 0) {
                ended = 1;
                break;
            }
            head_bytes += len;
            if (head_bytes > WARC_MAX_HEAD)
                break;
            head_field(&h, line, len);
        }
        if (!ended) {
            if (r.s.failed || r.s.oom)
                break;
            if (head_bytes > WARC_MAX_HEAD) {
                st = ns__corpus_reject(sink, &r.w,
                                       "record header over "
                                       "1 MiB");
                lost = 1;
                continue;
            }
            st = ns__corpus_reject(sink, &r.w, "truncated record header");
            break;
        }
        if (!h.has_length || h.bad_length) {
            st = ns__corpus_reject(sink, &r.w,
                                   "record without a valid "
                                   "content-length");
            lost = 1;
            continue;
        }
        if (h.length > WARC_MAX_RECORD) {
            st = ns__corpus_reject(sink, &r.w,
                                   "record of %llu bytes, over the %llu MiB "
                                   "limit",
                                   (unsigned long long)h.length,
                                   (unsigned long long)(WARC_MAX_RECORD >> 20));
            if (st != NS_OK)
                break;
            if (ws_skip(&r.s, h.length) < h.length)
                break; /* truncated too: nothing more to say */
            lost = !trailer_ok(&r.s);
            continue;
        }

        ns__buf_reset(&r.block);
        uint64_t got = ws_read(&r.s, &r.block, h.length);
        if (r.s.oom || r.block.oom) {
            st = NS_ERR_NOMEM;
            break;
        }
        if (r.s.failed)
            break; /* reader.c reports the broken input */
        int in_step = got == h.length && trailer_ok(&r.s);
        size_t nxt = in_step ? r.block.len :
                               find_header(&r.s, r.block.data, r.block.len);
        if (!in_step && nxt < r.block.len) {
            /* Too long: the next record starts inside the block. */
            uint64_t at = ws_offset(&r.s) - r.block.len + nxt;
            st = ns__corpus_reject(sink, &r.w,
                                   "content-length %llu runs into the next "
                                   "record at offset %llu",
                                   (unsigned long long)h.length,
                                   (unsigned long long)at);
            ws_unread(&r.s, r.block.data + nxt, r.block.len - nxt);
            if (r.s.oom)
                st = NS_ERR_NOMEM;
            continue;
        }
        if (got < h.length) {
            st = ns__corpus_reject(sink, &r.w,
                                   "truncated record: content-length %llu, "
                                   "only %llu bytes left",
                                   (unsigned long long)h.length,
                                   (unsigned long long)got);
            break;
        }
        if (!in_step) {
            /* Too short: the block ends inside its own payload. */
            st = ns__corpus_reject(sink, &r.w,
                                   "content-length %llu ends inside the "
                                   "record (no record follows at offset "
                                   "%llu)",
                                   (unsigned long long)h.length,
                                   (unsigned long long)ws_offset(&r.s));
            lost = 1;
            continue;
        }
        if (strcasecmp(h.type, "response") == 0 &&
            strncasecmp(h.ctype, "application/http", 16) == 0 &&
            !strstr(h.ctype, "msgtype=request"))
            st = warc_response(&r, &h);
        else if (strcasecmp(h.type, "resource") == 0 &&
                 is_html_type(h.ctype))
            /* A page stored as it is, with no HTTP around it (a crawler's
             * or a browser's "save page", Webrecorder's uploads). */
            st = warc_page(&r, &h, r.block.data ? r.block.data : "",
                           r.block.len, h.ctype);
        else if (strcasecmp(h.type, "conversion") == 0 &&
                 strncasecmp(h.ctype, "text/plain", 10) == 0)
            st = warc_text(&r, &h);
    }
    if (st == NS_OK && r.s.oom)
        st = NS_ERR_NOMEM;
    ns__buf_free(&r.block);
    ns__buf_free(&r.scratch);
    ns_free(r.inflate);
    ns_free(r.s.buf);
    return st;
}

const ns__format ns__format_warc = { "warc", warc_sniff, warc_read };
