/*
 * reader.c: the corpus walk.  It owns everything between a path and a
 * format's read function: directories (sorted, hidden entries skipped,
 * symlink loops refused, symlinks that leave the given path not followed),
 * decompression and archives (libarchive, streamed:
 * nothing is unpacked to disk), the buffered ns__input every format reads
 * from, format detection by content, and the checks shared by all formats
 * (ns__corpus_emit).  It knows no format itself: those live in one file each
 * and are listed in the registry table below.
 */
#include "corpus/format.h"
#include "corpus/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* The format registry                                                       */

/*
 * Every format, one line each.  Detection asks each one's sniff() and takes
 * the highest score; on a tie the earlier entry wins, so more specific
 * formats come first and the catch-all plain text comes last.  A new format
 * declares `extern const ns__format ns__format_<name>;` in format.h (or just
 * below) and adds one line here.
 */
static const ns__format *const formats[] = {
    &ns__format_jsonl,
    &ns__format_json,
    &ns__format_trec,
    &ns__format_reuters,
    &ns__format_markdown,
    /* XML, RSS/Atom, NewsML, WARC, HTML: corpus/xml*.c, rss*.c, newsml*.c,
     * warc*.c, html*.c add their lines here. */
    &ns__format_warc,
    &ns__format_newsml,
    &ns__format_xmlfeed,
    &ns__format_html,
    &ns__format_text,
};

/*
 * The formats' slots in ns_index_stats.articles_by_format, which
 * ns_format_name() names: part of the library's ABI, so a format keeps its
 * slot forever and a new one is appended (at most NS_FORMAT_SLOTS).  The
 * names are the formats' own (ns__format.name).
 */
static const char *const format_slots[] = {
    "jsonl", "json",   "text", "markdown", "trec",
    "reuters", "xmlfeed", "newsml", "warc", "html",
};
_Static_assert(sizeof format_slots / sizeof *format_slots <= NS_FORMAT_SLOTS,
               "more formats than ns_index_stats has slots");

int
ns__format_slot(const char *name)
{
    for (size_t i = 0; name && i < sizeof format_slots / sizeof *format_slots;
         i++)
        if (strcmp(name, format_slots[i]) == 0)
            return (int)i;
    return -1;
}

const char *
ns_format_name(unsigned slot) NS_NOEXCEPT
{
    return slot < sizeof format_slots / sizeof *format_slots
               ? format_slots[slot]
               : NULL;
}

/* ------------------------------------------------------------------------ */
/* ns__input: a buffered, decompressed byte stream                           */

#define IN_BLOCK ((size_t)64 << 10)  /* what one libarchive read asks for */
#define IN_CAP   ((size_t)256 << 10) /* the buffer: head + a few blocks */

struct ns__input {
    struct archive *ar; /* NULL: the whole input is in data already, */
    ns__unpack *up;     /* or it comes from this decoder */
    const char *data;   /* buffered bytes are data[pos, end) */
    char *own;          /* the buffer behind data when reading from ar */
    size_t cap;
    size_t pos;
    size_t end;
    uint64_t base;   /* stream offset of data[0] */
    const char *blk; /* the rest of libarchive's current block */
    size_t blk_len;
    int eof;
    int failed;
    char errmsg[256];
    ns_buf line; /* getline's copy when a line spans refills */
};

static void
input_init_memory(ns__input *in, const char *data, size_t len)
{
    memset(in, 0, sizeof *in);
    in->data = data;
    in->end = len;
    in->eof = 1;
}

static ns_status
input_init_archive(ns__input *in, struct archive *ar)
{
    memset(in, 0, sizeof *in);
    in->ar = ar;
    in->own = ns__malloc(IN_CAP);
    if (!in->own)
        return NS_ERR_NOMEM;
    in->data = in->own;
    in->cap = IN_CAP;
    return NS_OK;
}

/* An input that reads what up decodes (not owned). */
static ns_status
input_init_unpack(ns__input *in, ns__unpack *up)
{
    ns_status st = input_init_archive(in, NULL);
    in->up = up;
    return st;
}

static void
input_fini(ns__input *in)
{
    ns_free(in->own);
    ns__buf_free(&in->line);
    in->own = NULL;
}

static void
input_fail(ns__input *in, const char *why)
{
    in->failed = 1;
    snprintf(in->errmsg, sizeof in->errmsg, "%s",
             why && *why ? why : "read error");
    /* libarchive's messages start with a capital; ours do not. */
    if (in->errmsg[0] >= 'A' && in->errmsg[0] <= 'Z' &&
        !(in->errmsg[1] >= 'A' && in->errmsg[1] <= 'Z'))
        in->errmsg[0] = (char)(in->errmsg[0] + 32);
}

/* Read one more block into the buffer.  Returns the bytes added, 0 at the
 * end, -1 on error. */
static ptrdiff_t
input_fill(ns__input *in)
{
    if (in->failed)
        return -1;
    if (in->eof || (!in->ar && !in->up))
        return 0;
    if (in->pos == in->end) {
        in->base += in->pos;
        in->pos = in->end = 0;
    } else if (in->cap - in->end < IN_BLOCK && in->pos > 0) {
        memmove(in->own, in->own + in->pos, in->end - in->pos);
        in->base += in->pos;
        in->end -= in->pos;
        in->pos = 0;
    }
    assert(in->end < in->cap);
    /*
     * Block by block: archive_read_data() would loop to fill the whole
     * request and drop what it had when the data then turns out truncated.
     */
    while (in->blk_len == 0) {
        const void *b;
        size_t size;
        if (in->up) {
            ptrdiff_t r = ns__unpack_read(in->up, &b);
            if (r == 0) {
                in->eof = 1;
                return 0;
            }
            if (r < 0) {
                input_fail(in, ns__unpack_error(in->up));
                return -1;
            }
            size = (size_t)r;
        } else {
            la_int64_t at;
            int r = archive_read_data_block(in->ar, &b, &size, &at);
            if (r == ARCHIVE_EOF) {
                in->eof = 1;
                return 0;
            }
            if (r < ARCHIVE_WARN) {
                input_fail(in, archive_error_string(in->ar));
                return -1;
            }
        }
        in->blk = b;
        in->blk_len = size;
    }
    size_t n = in->cap - in->end;
    if (n > in->blk_len)
        n = in->blk_len;
    memcpy(in->own + in->end, in->blk, n);
    in->blk += n;
    in->blk_len -= n;
    in->end += n;
    return (ptrdiff_t)n;
}

/* Buffer the first NS_SNIFF_BYTES (or all of a shorter input). */
static size_t
input_head(ns__input *in, const char **head)
{
    while (in->end - in->pos < NS_SNIFF_BYTES && input_fill(in) > 0)
        ;
    size_t n = in->end - in->pos;
    *head = in->data + in->pos;
    return n < NS_SNIFF_BYTES ? n : NS_SNIFF_BYTES;
}

ptrdiff_t
ns__input_read(ns__input *in, void *buf, size_t n)
{
    size_t got = 0;
    if (n > PTRDIFF_MAX)
        n = PTRDIFF_MAX;
    while (got < n) {
        if (in->pos == in->end) {
            ptrdiff_t r = input_fill(in);
            if (r < 0)
                return got ? (ptrdiff_t)got : -1;
            if (r == 0)
                break;
        }
        size_t k = in->end - in->pos;
        if (k > n - got)
            k = n - got;
        memcpy((char *)buf + got, in->data + in->pos, k);
        in->pos += k;
        got += k;
    }
    return (ptrdiff_t)got;
}

int
ns__input_getline(ns__input *in,
                  size_t max,
                  const char **line,
                  size_t *len,
                  uint64_t *offset,
                  int *too_long)
{
    int any = 0, copied = 0;
    *too_long = 0;
    *offset = in->base + in->pos;
    ns__buf_reset(&in->line);
    for (;;) {
        if (in->pos == in->end) {
            ptrdiff_t r = input_fill(in);
            if (r < 0)
                return -1;
            if (r == 0) {
                if (!any)
                    return 0;
                break;
            }
        }
        any = 1;
        const char *p = in->data + in->pos;
        size_t avail = in->end - in->pos;
        const char *nl = memchr(p, '\n', avail);
        size_t n = nl ? (size_t)(nl - p) : avail;
        if (nl && !copied) {
            /* The common case: the whole line is in the buffer. */
            *line = p;
            *len = n;
            in->pos += n + 1;
            if (n > max) {
                *len = max;
                *too_long = 1;
            }
            goto strip;
        }
        size_t room = max > in->line.len ? max - in->line.len : 0;
        if (n > room)
            *too_long = 1;
        ns__buf_append(&in->line, p, n < room ? n : room);
        copied = 1;
        in->pos += n + (nl != NULL);
        if (nl)
            break;
    }
    if (in->line.oom) {
        input_fail(in, "out of memory");
        return -1;
    }
    *line = ns__buf_cstr(&in->line);
    *len = in->line.len;
strip:
    if (!*too_long && *len > 0 && (*line)[*len - 1] == '\r')
        (*len)--;
    return 1;
}

ns_status
ns__input_slurp(ns__input *in, size_t max, char **data, size_t *len)
{
    ns_buf b = { 0 };
    *data = NULL;
    *len = 0;
    for (;;) {
        if (in->pos == in->end) {
            ptrdiff_t r = input_fill(in);
            if (r < 0) {
                ns__buf_free(&b);
                return NS_ERR_IO;
            }
            if (r == 0)
                break;
        }
        size_t k = in->end - in->pos;
        if (k > max - b.len) {
            ns__buf_free(&b);
            return NS_ERR_FORMAT;
        }
        ns__buf_append(&b, in->data + in->pos, k);
        in->pos = in->end;
    }
    ns__buf_reserve(&b, 0);
    if (b.oom) {
        ns__buf_free(&b);
        return NS_ERR_NOMEM;
    }
    *len = b.len;
    *data = ns__buf_detach(&b);
    return NS_OK;
}

const char *
ns__input_error(const ns__input *in)
{
    return in->failed ? in->errmsg : "";
}

uint64_t
ns__input_offset(const ns__input *in)
{
    return in->base + in->pos;
}

/* ------------------------------------------------------------------------ */
/* Helpers for the formats                                                   */

/* Length of the valid UTF-8 sequence at s[0, n), or 0 if it is not one. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    }
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0) /* overlong */
            return 0;
        if (c == 0xED && s[1] >= 0xA0) /* surrogate */
            return 0;
        return 3;
    }
    if (c < 0xF5) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90) /* overlong */
            return 0;
        if (c == 0xF4 && s[1] >= 0x90) /* above U+10FFFF */
            return 0;
        return 4;
    }
    return 0;
}

uint32_t
ns__cp1252(unsigned char c)
{
    static const uint16_t high[32] = {
        0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
        0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0,
    };
    return c >= 0x80 && c < 0xA0 ? high[c - 0x80] : c;
}

int
ns__utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        /* ASCII runs, eight bytes at a time. */
        while (i + 8 <= len) {
            uint64_t v;
            memcpy(&v, p + i, 8);
            if (v & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        size_t k = utf8_seq(p + i, len - i);
        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

void
ns__utf8_repair(ns_buf *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    while (i < len) {
        size_t k = utf8_seq(p + i, len - i);
        if (k) {
            i += k;
            continue;
        }
        ns__buf_append(out, s + run, i - run);
        ns__buf_append(out, "\xEF\xBF\xBD", 3);
        i++;
        run = i;
    }
    ns__buf_append(out, s + run, len - run);
}

/* The control bytes that do not occur in text (all below 0x20 but tab,
 * line feed, vertical tab, form feed, carriage return and escape). */
static const unsigned char binary_byte[32] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1,
};

int
ns__looks_binary(const char *head, size_t len)
{
    size_t ctl = 0;
    if (len > 8192)
        len = 8192; /* as git decides: the start tells */
    if (memchr(head, 0, len))
        return 1;
    const unsigned char *u = (const unsigned char *)head;
    for (size_t i = 0; i < len; i++)
        ctl += u[i] < 0x20 && binary_byte[u[i]];
    return ctl * 20 > len; /* more than 5% control bytes */
}

static int
ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    if (k > n)
        return 0;
    for (size_t i = 0; i < k; i++) {
        int a = (unsigned char)s[n - k + i], b = (unsigned char)suffix[i];
        if (a >= 'A' && a <= 'Z')
            a += 32;
        if (a != b)
            return 0;
    }
    return 1;
}

int
ns__name_has_ext(const char *name, const char *ext)
{
    static const char *const compressed[] = { ".gz",  ".bz2",  ".xz", ".zst",
                                              ".lz4", ".lzma", ".z",  ".lz" };
    if (!name || !ext)
        return 0;
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof compressed / sizeof *compressed; i++) {
        if (ends_with_ci(name, n, compressed[i])) {
            n -= strlen(compressed[i]);
            break;
        }
    }
    return ends_with_ci(name, n, ext);
}

ns_status
ns__corpus_reject(const ns__corpus_sink *sink,
                  const ns__where *w,
                  const char *fmt,
                  ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    /* One line: a message from a library may hold a line break. */
    for (char *p = reason; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    if (sink->reject && sink->reject(w, reason, sink->payload) != 0)
        return NS_ERR_ABORTED;
    return NS_OK;
}

static int
is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* The length of a character a metadata field should not keep as is at
 * s[0, n): white space (any but a lone ' ' counts, so runs are caught),
 * U+00A0 no-break space, and the invisible U+200B, U+2060, U+FEFF; else 0. */
static size_t
odd_space(const char *s, size_t n, int *drop)
{
    const unsigned char *u = (const unsigned char *)s;
    *drop = 0;
    if (is_space(u[0]))
        return 1;
    if (u[0] == 0xC2 && n >= 2 && u[1] == 0xA0)
        return 2;
    if (n >= 3 && ((u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0x8B) ||
                   (u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0xA0) ||
                   (u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF))) {
        *drop = 1;
        return 3;
    }
    return 0;
}

/*
 * One metadata field as ns__corpus_emit wants it: one line, its runs of
 * white space (no-break spaces too) made one space, invisible joiners
 * dropped, trimmed, valid UTF-8.  The field itself is returned when it is
 * already so (the common case, no copy); else the clean copy built in b.
 * NULL for an empty field (or out of memory: b->oom).  s may point into b.
 */
static const char *
clean_field(ns_buf *b, const char *s)
{
    if (!s || !*s)
        return NULL;
    size_t n = strlen(s);
    int work =
        is_space((unsigned char)s[0]) || is_space((unsigned char)s[n - 1]);
    for (size_t i = 0; i < n && !work; i++) {
        int drop;
        unsigned char c = (unsigned char)s[i];
        if (c == ' ')
            work = i + 1 < n && odd_space(s + i + 1, n - i - 1, &drop);
        else if (c < 0x20 || c == 0xC2 || c == 0xE2 || c == 0xEF)
            work = odd_space(s + i, n - i, &drop) != 0;
    }
    int valid = ns__utf8_valid(s, n);
    if (!work && valid)
        return s;
    ns_buf tmp = { 0 };
    for (size_t i = 0; i < n;) {
        int drop;
        size_t k = odd_space(s + i, n - i, &drop);
        if (k == 0) {
            ns__buf_putc(&tmp, s[i]);
            i++;
            continue;
        }
        if (!drop && tmp.len && tmp.data[tmp.len - 1] != ' ')
            ns__buf_putc(&tmp, ' ');
        i += k;
    }
    while (tmp.len && tmp.data[tmp.len - 1] == ' ')
        tmp.len--;
    ns__buf_reset(b);
    if (tmp.oom)
        b->oom = 1;
    else if (valid)
        ns__buf_append(b, tmp.data ? tmp.data : "", tmp.len);
    else
        ns__utf8_repair(b, tmp.data ? tmp.data : "", tmp.len);
    ns__buf_free(&tmp);
    ns__buf_reserve(b, 0);
    return b->oom || b->len == 0 ? NULL : b->data;
}

/* A byline as articles give it, "By Jane Doe" (a clean field): the name,
 * or NULL when there is none. */
static const char *
byline_name(const char *s)
{
    if (s && (s[0] == 'B' || s[0] == 'b') && (s[1] == 'Y' || s[1] == 'y') &&
        s[2] == ' ')
        return s[3] ? s + 3 : NULL;
    return s;
}

ns_status
ns__corpus_emit(const ns__corpus_sink *sink,
                const ns__where *w,
                const ns_article *a)
{
    if (a->text_len > NS_MAX_ARTICLE_BYTES)
        return ns__corpus_reject(sink, w,
                                 "article text too large (%zu bytes, the "
                                 "limit is %u)",
                                 a->text_len, NS_MAX_ARTICLE_BYTES);
    enum { ID, TITLE, DATE, SOURCE, URL, AUTHOR, LANG, NFIELDS };
    ns_buf b[NFIELDS];
    memset(b, 0, sizeof b);
    ns_article out = *a;
    out.version = NS_ARTICLE_VERSION;
    out.id = clean_field(&b[ID], a->id);
    out.title = clean_field(&b[TITLE], a->title);
    out.date = clean_field(&b[DATE], a->date);
    out.source = clean_field(&b[SOURCE], a->source);
    out.url = clean_field(&b[URL], a->url);
    out.author = byline_name(clean_field(&b[AUTHOR], a->author));
    out.language = clean_field(&b[LANG], a->language);
    if (!out.text)
        out.text_len = 0;
    if (!out.id) {
        if (out.url) {
            out.id = out.url;
        } else {
            ns__buf_reset(&b[ID]);
            if (w->record)
                ns__buf_printf(&b[ID], "%s#%llu", w->file,
                               (unsigned long long)w->record);
            else
                ns__buf_printf(&b[ID], "%s@%llu", w->file,
                               (unsigned long long)w->offset);
            out.id = clean_field(&b[ID], ns__buf_cstr(&b[ID]));
        }
    }
    ns_status st = NS_OK;
    for (int i = 0; i < NFIELDS; i++)
        if (b[i].oom)
            st = NS_ERR_NOMEM;
    if (st == NS_OK && sink->article &&
        sink->article(&out, w, sink->payload) != 0)
        st = NS_ERR_ABORTED;
    for (int i = 0; i < NFIELDS; i++)
        ns__buf_free(&b[i]);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Reading one input: sniff, then the format's read                          */

static const ns__format *
detect(const char *head, size_t len, const char *name)
{
    const ns__format *best = NULL;
    int best_score = 0;
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++) {
        int s = formats[i]->sniff(head, len, name);
        if (s > best_score) {
            best = formats[i];
            best_score = s;
        }
    }
    return best;
}

/* The lowercase text of errno e. */
static const char *
errno_text(int e, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", strerror(e));
    if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
        buf[0] = (char)(buf[0] + 32);
    return buf;
}

/* A member that is itself compressed or an archive, by its magic bytes. */
static int
looks_packed(const char *head, size_t len)
{
    const unsigned char *h = (const unsigned char *)head;
    if (len >= 2 && h[0] == 0x1f && (h[1] == 0x8b || h[1] == 0x9d))
        return 1; /* gzip, compress */
    if (len >= 3 && memcmp(h, "BZh", 3) == 0)
        return 1;
    if (len >= 6 && memcmp(h,
                           "\xFD"
                           "7zXZ\0",
                           6) == 0)
        return 1;
    if (len >= 4 && memcmp(h, "\x28\xB5\x2F\xFD", 4) == 0)
        return 1; /* zstd */
    if (len >= 4 && memcmp(h, "\x04\x22\x4D\x18", 4) == 0)
        return 1; /* lz4 */
    if (len >= 4 && memcmp(h, "PK\x03\x04", 4) == 0)
        return 1;
    if (len >= 6 && memcmp(h, "7z\xBC\xAF\x27\x1C", 6) == 0)
        return 1;
    if (len >= 262 && memcmp(h + 257, "ustar", 5) == 0)
        return 1;
    return 0;
}

/*
 * The name of the first element of markup at head[0, len) (after a byte
 * order mark, white space, <?...?>, <!...> and comments) into out, for a
 * reject's reason; 0 when the input does not start with markup or the name
 * is not plain ASCII.
 */
static int
first_element(const char *head, size_t len, char *out, size_t cap)
{
    size_t i = 0;
    if (len > 4096)
        len = 4096;
    if (len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    for (;;) {
        while (i < len && (head[i] == ' ' || head[i] == '\t' ||
                           head[i] == '\r' || head[i] == '\n'))
            i++;
        if (i + 1 >= len || head[i] != '<')
            return 0;
        if (head[i + 1] != '?' && head[i + 1] != '!')
            break;
        int comment = i + 4 <= len && memcmp(head + i, "<!--", 4) == 0;
        const char *end = memchr(head + i, '>', len - i);
        while (comment && end && (end - head < 2 || end[-1] != '-' ||
                                  end[-2] != '-'))
            end = memchr(end + 1, '>', len - (size_t)(end + 1 - head));
        if (!end)
            return 0;
        i = (size_t)(end - head) + 1;
    }
    size_t n = 0;
    for (i++; i < len && n + 1 < cap; i++, n++) {
        unsigned char c = (unsigned char)head[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == ':' || c == '_' || c == '-' ||
              c == '.'))
            break;
        out[n] = (char)c;
    }
    out[n] = '\0';
    return n > 0;
}

typedef struct walker {
    const ns__corpus_sink *sink;
    struct {
        dev_t dev;
        ino_t ino;
    } * dirs; /* the directories on the current path, for loops */
    size_t ndirs;
    size_t capdirs;
    /* The given path, and the same with symlinks resolved (NULL: not
     * walking a path): a symlink met inside it is followed only if it
     * stays under root. */
    const char *given;
    char *root;
    /* The directory not to read (skip_ino 0: none). */
    dev_t skip_dev;
    ino_t skip_ino;
} walker;

static ns_status read_archive(walker *wk,
                              ns__input *outer,
                              const char *label,
                              int depth,
                              int *complete);
static ns_status read_unpacked(walker *wk,
                               ns__input *outer,
                               int kind,
                               const char *label,
                               const char *name,
                               int depth,
                               int *complete);

#define MAX_NESTING 4 /* archives inside archives */

/*
 * Read one decompressed input named label (for ns__where) whose own name
 * (for the sniff tie-breaker) is name.  *complete is cleared when the
 * input could not be read to its end.
 */
static ns_status
read_input(walker *wk,
           ns__input *in,
           const char *label,
           const char *name,
           int depth,
           int *complete)
{
    const ns__corpus_sink *sink = wk->sink;
    ns__where w = { label, "", 0, 0 };
    const char *head;
    size_t hl = input_head(in, &head);
    if (hl == 0) {
        if (in->failed) {
            *complete = 0;
            return ns__corpus_reject(sink, &w, "truncated or corrupt data: %s",
                                     in->errmsg);
        }
        return ns__corpus_reject(sink, &w, "empty file");
    }
    if (looks_packed(head, hl)) {
        if (depth >= MAX_NESTING)
            return ns__corpus_reject(sink, &w, "archives nested too deep");
        int kind = ns__unpack_kind((const unsigned char *)head, hl);
        if (kind != NS_UNPACK_NONE)
            return read_unpacked(wk, in, kind, label, name, depth + 1,
                                 complete);
        return read_archive(wk, in, label, depth + 1, complete);
    }
    const ns__format *f = detect(head, hl, name);
    if (!f) {
        char el[64];
        if (ns__looks_binary(head, hl))
            return ns__corpus_reject(sink, &w,
                                     "unrecognized format (binary data)");
        if (hl >= 11 && memcmp(head, "filedesc://", 11) == 0)
            return ns__corpus_reject(sink, &w,
                                     "unrecognized format (an ARC web "
                                     "archive: convert it to WARC first)");
        if (first_element(head, hl, el, sizeof el))
            return ns__corpus_reject(sink, &w,
                                     "unrecognized format (markup whose "
                                     "first element <%s> is no news format)",
                                     el);
        return ns__corpus_reject(sink, &w, "unrecognized format");
    }
    w.format = f->name;
    ns_status st = f->read(in, &w, sink);
    if (st == NS_ERR_ABORTED || st == NS_ERR_NOMEM)
        return st;
    if (in->failed) {
        *complete = 0;
        w.record = 0;
        w.offset = ns__input_offset(in);
        return ns__corpus_reject(sink, &w, "truncated or corrupt data: %s",
                                 in->errmsg);
    }
    if (st != NS_OK)
        return ns__corpus_reject(sink, &w, "%s", ns_strerror(st));
    return NS_OK;
}

/* libarchive's read callback for an archive inside an archive member: the
 * member's input, starting with the bytes the sniff already buffered. */
static la_ssize_t
nested_read(struct archive *a, void *cookie, const void **out)
{
    ns__input *in = cookie;
    if (in->pos == in->end && input_fill(in) < 0) {
        archive_set_error(a, EIO, "%s", in->errmsg);
        return -1;
    }
    *out = in->data + in->pos;
    la_ssize_t n = (la_ssize_t)(in->end - in->pos);
    in->pos = in->end;
    return n;
}

/*
 * A libarchive reader: every compression filter (unless decoded: the data
 * is decoded already, by unpack.c), and every archive format but two
 * (raw_only: none).  libarchive's WARC reader would hand us bare payloads
 * where our WARC format wants the records and their headers, and its mtree
 * reader can bid on plain text.  raw takes a single (compressed or plain)
 * file when no archive format bids; empty, an empty stream.  Compressed
 * data inside decoded data is still found (read_input's looks_packed).
 */
static struct archive *
new_reader(int raw_only, int decoded)
{
    struct archive *ar = archive_read_new();
    if (!ar)
        return NULL;
    /* The filters' bidders read ahead, and fail the open of a short file
     * that unpack.c decodes only up to a cut. */
    if (!decoded)
        archive_read_support_filter_all(ar);
    if (!raw_only) {
        archive_read_support_format_7zip(ar);
        archive_read_support_format_ar(ar);
        archive_read_support_format_cab(ar);
        archive_read_support_format_cpio(ar);
        archive_read_support_format_iso9660(ar);
        archive_read_support_format_lha(ar);
        archive_read_support_format_rar(ar);
        archive_read_support_format_rar5(ar);
        archive_read_support_format_tar(ar);
        archive_read_support_format_xar(ar);
        archive_read_support_format_zip(ar);
    }
    archive_read_support_format_raw(ar);
    archive_read_support_format_empty(ar);
    return ar;
}

/* Whether an archive member's path has a hidden part (".git/x", "a/.b",
 * "../x"); "./" parts do not count. */
static int
member_hidden(const char *p)
{
    for (;;) {
        while (*p == '/')
            p++;
        if (p[0] == '.' && (p[1] == '/' || p[1] == '\0')) {
            p++;
            continue;
        }
        if (p[0] == '.')
            return 1;
        if (strncmp(p, "__MACOSX/", 9) == 0)
            return 1;
        p = strchr(p, '/');
        if (!p)
            return 0;
    }
}

/* Whether an archive member's path has a ".." part. */
static int
member_dotdot(const char *p)
{
    for (;;) {
        while (*p == '/')
            p++;
        if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
            return 1;
        p = strchr(p, '/');
        if (!p)
            return 0;
    }
}

/*
 * Why an archive member is not read: NULL to read it; "" to skip it
 * without a word (a directory, a hidden member); else the reason, in buf.
 * Members are streamed, never written to disk, so none can reach a path
 * outside the archive; one that names such a path or is a link is still
 * not what it claims to be, and is named.
 */
static const char *
member_skip(struct archive_entry *e, const char *path, char *buf, size_t n)
{
    const char *link;
    if (member_dotdot(path))
        return "not read: its path leads out of the archive ('..')";
    if (member_hidden(path))
        return "";
    if ((link = archive_entry_hardlink(e)) != NULL) {
        snprintf(buf, n, "not read: a hard link to %s", link);
        return buf;
    }
    switch (archive_entry_filetype(e)) {
    case AE_IFREG:
        return NULL;
    case AE_IFDIR:
        return "";
    case AE_IFLNK:
        link = archive_entry_symlink(e);
        snprintf(buf, n, "not followed: a symlink to %s", link ? link : "?");
        return buf;
    default:
        return "not read: not a regular file (a device, FIFO or socket)";
    }
}

/* The member's path without leading "/" and "./". */
static const char *
member_label(const char *p)
{
    for (;;) {
        if (*p == '/')
            p++;
        else if (p[0] == '.' && p[1] == '/')
            p += 2;
        else
            return p;
    }
}

/*
 * Read every member of an opened archive (or the single stream of a raw
 * one).  An archive inside it is opened over the member's data, so nothing
 * touches the disk.
 */
/*
 * Read every member of an opened archive (or the single stream of a raw
 * one).  An archive inside it is opened over the member's data, so nothing
 * touches the disk.  With early non-NULL, a failure before the first
 * member is not reported but flagged in *early, for a retry.
 */
static ns_status
read_members(walker *wk,
             struct archive *ar,
             const char *label,
             int depth,
             int *complete,
             int *early)
{
    const ns__corpus_sink *sink = wk->sink;
    ns_status st = NS_OK;
    ns__where w = { label, "", 0, 0 };
    int first = 1;
    for (;; first = 0) {
        struct archive_entry *e;
        int r = archive_read_next_header(ar, &e);
        if (r == ARCHIVE_EOF) {
            int fmt = archive_format(ar);
            /* Empty, or the bidders' look-ahead failed on a short input
             * cut before it (then "empty" bids last): the retry says. */
            if (first && fmt == ARCHIVE_FORMAT_EMPTY && early)
                *early = 1;
            else if (first && fmt == ARCHIVE_FORMAT_EMPTY)
                st = ns__corpus_reject(sink, &w, "empty file");
            /* libarchive's tar takes a first block of NUL bytes for an end
             * of archive and stops there: a file of NULs would pass as an
             * empty tar archive, reading nothing and saying nothing. */
            else if (first &&
                     (fmt & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_TAR)
                st = ns__corpus_reject(sink, &w,
                                       "unrecognized format (binary data: "
                                       "NUL bytes, or an empty tar archive)");
            else if (first)
                st = ns__corpus_reject(sink, &w, "empty archive");
            break;
        }
        if (r < ARCHIVE_WARN) {
            if (first && early) {
                *early = 1;
                break;
            }
            *complete = 0;
            const char *why = archive_error_string(ar);
            w.offset = (uint64_t)archive_filter_bytes(ar, 0);
            st = ns__corpus_reject(sink, &w, "corrupt archive: %s",
                                   why ? why : "unreadable header");
            break;
        }
        const char *name = label;
        char *member = NULL;
        if (archive_format(ar) != ARCHIVE_FORMAT_RAW) {
            const char *path = archive_entry_pathname(e);
            char why[256];
            const char *skip = path ? member_skip(e, path, why, sizeof why) :
                                      "not read: a member without a name";
            if (skip && !*skip)
                continue;
            member =
                ns__sprintf("%s:%s", label, path ? member_label(path) : "?");
            if (!member) {
                st = NS_ERR_NOMEM;
                break;
            }
            if (skip) {
                ns__where mw = { member, "", 0, 0 };
                st = ns__corpus_reject(sink, &mw, "%s", skip);
                ns_free(member);
                if (st != NS_OK)
                    break;
                continue;
            }
            name = member;
        }
        ns__input in;
        st = input_init_archive(&in, ar);
        if (st == NS_OK)
            st = read_input(wk, &in, name, name, depth, complete);
        int failed = in.failed;
        input_fini(&in);
        ns_free(member);
        /* libarchive cannot go on after a data error; one inside the
         * member (a cut .gz in an intact .tar) ends only that member. */
        if (st != NS_OK || failed)
            break;
    }
    return st;
}

static ns_status
read_archive(walker *wk,
             ns__input *outer,
             const char *label,
             int depth,
             int *complete)
{
    struct archive *ar = new_reader(0, 0);
    ns_status st = NS_OK;
    if (!ar)
        return NS_ERR_NOMEM;
    if (archive_read_open(ar, outer, NULL, nested_read, NULL) != ARCHIVE_OK) {
        ns__where w = { label, "", 0, 0 };
        *complete = 0;
        st = ns__corpus_reject(wk->sink, &w, "cannot open archive: %s",
                               archive_error_string(ar));
    } else {
        st = read_members(wk, ar, label, depth, complete, NULL);
    }
    archive_read_free(ar);
    return st;
}

/* unpack.c's source for compressed data inside an input (an archive
 * member): the input's bytes, starting with those the sniff buffered. */
static ptrdiff_t
input_source(void *cookie, void *buf, size_t cap, const char **why)
{
    ns__input *in = cookie;
    if (in->pos == in->end && input_fill(in) < 0) {
        *why = in->errmsg;
        return -1;
    }
    size_t n = in->end - in->pos;
    if (n > cap)
        n = cap;
    memcpy(buf, in->data + in->pos, n);
    in->pos += n;
    return (ptrdiff_t)n;
}

/*
 * Read gzip, xz or bzip2 data inside an input (a .gz member of a .tar or
 * .zip) decoded by unpack.c, which hands on every byte before a cut, where
 * libarchive's filters drop up to 64 KiB.  What it decodes is read as any
 * input: a format, or an archive (a .tar.gz member).
 */
static ns_status
read_unpacked(walker *wk,
              ns__input *outer,
              int kind,
              const char *label,
              const char *name,
              int depth,
              int *complete)
{
    ns__unpack *up = ns__unpack_open_source(kind, input_source, outer);
    if (!up)
        return NS_ERR_NOMEM;
    ns__input in;
    ns_status st = input_init_unpack(&in, up);
    if (st == NS_OK)
        st = read_input(wk, &in, label, name, depth, complete);
    input_fini(&in);
    ns__unpack_close(up);
    return st;
}

/* libarchive's read callback for a gzip, xz or bzip2 file unpack.c decodes. */
static la_ssize_t
unpack_read(struct archive *a, void *cookie, const void **out)
{
    ns__unpack *u = cookie;
    ptrdiff_t n = ns__unpack_read(u, out);
    if (n < 0)
        archive_set_error(a, EIO, "%s", ns__unpack_error(u));
    return (la_ssize_t)n;
}

/*
 * Read the open file fd.  The archive formats' bidders read ahead, so a
 * short compressed file cut before their look-ahead fails at the first
 * header although its start decompresses fine: it is then read again as a
 * single stream (raw_only), which needs no look-ahead, and what precedes
 * the cut is delivered.  A gzip, xz or bzip2 file is decoded by unpack.c,
 * which delivers every byte before a cut (libarchive's filters drop their
 * last block), and libarchive reads the decoded bytes.
 */
static ns_status
read_fd(walker *wk, int fd, const char *path, int *complete)
{
    ns__where w = { path, "", 0, 0 };
    ns_status st = NS_OK;
    unsigned char magic[10];
    ssize_t nmagic = pread(fd, magic, sizeof magic, 0);
    int kind = ns__unpack_kind(magic, nmagic > 0 ? (size_t)nmagic : 0);
    for (int raw_only = 0; raw_only < 2; raw_only++) {
        int early = 0, opened;
        if (raw_only && lseek(fd, 0, SEEK_SET) != 0)
            break;
        struct archive *ar = new_reader(raw_only, kind != NS_UNPACK_NONE);
        ns__unpack *u = kind ? ns__unpack_open(fd, kind) : NULL;
        if (!ar || (kind && !u)) {
            archive_read_free(ar);
            ns__unpack_close(u);
            return NS_ERR_NOMEM;
        }
        if (u)
            opened = archive_read_open(ar, u, NULL, unpack_read, NULL);
        else
            opened = archive_read_open_fd(ar, fd, IN_BLOCK);
        if (opened != ARCHIVE_OK) {
            early = 1;
            if (raw_only) {
                *complete = 0;
                st = ns__corpus_reject(wk->sink, &w, "cannot open: %s",
                                       archive_error_string(ar));
            }
        } else {
            st = read_members(wk, ar, path, 0, complete,
                              raw_only ? NULL : &early);
        }
        archive_read_free(ar);
        ns__unpack_close(u);
        if (!early || raw_only)
            break;
    }
    return st;
}

static ns_status
read_file(walker *wk, ns__file_info *fi, const struct stat *sb, int *complete)
{
    const char *path = fi->path;
    const ns__corpus_sink *sink = wk->sink;
    ns__where w = { path, "", 0, 0 };
    char ebuf[128];
    if (sb->st_size == 0)
        return ns__corpus_reject(sink, &w, "empty file");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *complete = 0;
        return ns__corpus_reject(sink, &w, "%s",
                                 errno_text(errno, ebuf, sizeof ebuf));
    }
    fi->fd = fd;
    ns_status st = read_fd(wk, fd, path, complete);
    fi->fd = -1;
    close(fd);
    return st;
}

/* ------------------------------------------------------------------------ */
/* The walk                                                                  */

static ns_status walk_path(walker *wk, const char *path, int top);

static ns_status
walk_file(walker *wk, const char *path, const struct stat *sb)
{
    const ns__corpus_sink *sink = wk->sink;
    ns__file_info fi = { path, (uint64_t)sb->st_size,
                         (int64_t)sb->st_mtim.tv_sec * 1000000000 +
                             sb->st_mtim.tv_nsec,
                         -1 };
    if (sink->file_begin) {
        int r = sink->file_begin(&fi, sink->payload);
        if (r == NS_CORPUS_SKIP)
            return NS_OK;
        if (r != NS_CORPUS_READ)
            return NS_ERR_ABORTED;
    }
    int complete = 1;
    ns_status st = read_file(wk, &fi, sb, &complete);
    if (st != NS_OK)
        complete = 0;
    if (sink->file_end)
        sink->file_end(&fi, complete, sink->payload);
    return st;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

#define MAX_DEPTH 256

/*
 * Whether path, met inside the given path, is a symlink that leads out of
 * it (wk->root): then 1 and *target is where it leads (free() it).  A link
 * that does not resolve (dangling, a loop) is 0: walk_path says why it
 * cannot be read.  No path outside the given ones is read; one named on
 * the command line is followed wherever it leads.
 */
static int
leaves_root(const walker *wk, const char *path, char **target)
{
    *target = NULL;
    struct stat lsb;
    if (!wk->root || lstat(path, &lsb) != 0 || !S_ISLNK(lsb.st_mode))
        return 0;
    char *real = realpath(path, NULL);
    if (!real)
        return 0;
    size_t n = strlen(wk->root);
    if (strcmp(wk->root, "/") == 0 || (strncmp(real, wk->root, n) == 0 &&
                                       (real[n] == '\0' || real[n] == '/'))) {
        free(real);
        return 0;
    }
    *target = real;
    return 1;
}

static ns_status
walk_dir(walker *wk, const char *path, const struct stat *sb)
{
    const ns__corpus_sink *sink = wk->sink;
    ns__where w = { path, "", 0, 0 };
    char ebuf[128];
    for (size_t i = 0; i < wk->ndirs; i++)
        if (wk->dirs[i].dev == sb->st_dev && wk->dirs[i].ino == sb->st_ino)
            return ns__corpus_reject(sink, &w,
                                     "symlink loop: the directory "
                                     "is already being walked");
    if (wk->ndirs >= MAX_DEPTH)
        return ns__corpus_reject(sink, &w, "directories nested too deep");
    if (wk->ndirs == wk->capdirs) {
        size_t cap = wk->capdirs ? wk->capdirs * 2 : 16;
        void *d = ns__realloc(wk->dirs, cap * sizeof *wk->dirs);
        if (!d)
            return NS_ERR_NOMEM;
        wk->dirs = d;
        wk->capdirs = cap;
    }

    DIR *dir = opendir(path);
    if (!dir)
        return ns__corpus_reject(sink, &w, "%s",
                                 errno_text(errno, ebuf, sizeof ebuf));
    char **names = NULL;
    size_t n = 0, cap = 0;
    ns_status st = NS_OK;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.')
            continue; /* hidden, "." and ".." */
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = ns__realloc(names, cap * sizeof *names);
            if (!nn) {
                st = NS_ERR_NOMEM;
                break;
            }
            names = nn;
        }
        if (!(names[n] = ns__strdup(de->d_name))) {
            st = NS_ERR_NOMEM;
            break;
        }
        n++;
    }
    int rerr = errno;
    closedir(dir); /* before descending: no descriptor per level */
    if (st == NS_OK && rerr)
        st = ns__corpus_reject(sink, &w, "%s",
                               errno_text(rerr, ebuf, sizeof ebuf));
    if (st == NS_OK && n > 1)
        qsort(names, n, sizeof *names, cmp_names);

    wk->dirs[wk->ndirs].dev = sb->st_dev;
    wk->dirs[wk->ndirs].ino = sb->st_ino;
    wk->ndirs++;
    size_t plen = strlen(path);
    int slash = plen > 0 && path[plen - 1] == '/';
    for (size_t i = 0; i < n && st == NS_OK; i++) {
        char *child = ns__sprintf("%s%s%s", path, slash ? "" : "/", names[i]);
        if (!child) {
            st = NS_ERR_NOMEM;
            break;
        }
        /* The part of child under the given path, for --exclude. */
        size_t glen = strlen(wk->given);
        const char *rel = child + glen + (glen > 0 && wk->given[glen - 1] != '/');
        int ex = ns__path_excluded(sink->exclude, rel);
        if (ex != 0) {
            ns_free(child);
            if (ex < 0)
                st = NS_ERR_NOMEM;
            continue;
        }
        char *target = NULL;
        int out = leaves_root(wk, child, &target);
        if (out > 0) {
            ns__where cw = { child, "", 0, 0 };
            st = ns__corpus_reject(sink, &cw,
                                   "not followed: a symlink to %s, outside "
                                   "the given path %s",
                                   target, wk->given);
        } else {
            st = walk_path(wk, child, 0);
        }
        free(target); /* realpath's */
        ns_free(child);
    }
    wk->ndirs--;
    for (size_t i = 0; i < n; i++)
        ns_free(names[i]);
    ns_free(names);
    return st;
}

static ns_status
walk_path(walker *wk, const char *path, int top)
{
    const ns__corpus_sink *sink = wk->sink;
    ns__where w = { path, "", 0, 0 };
    char ebuf[128];
    struct stat sb;
    if (stat(path, &sb) != 0) {
        int e = errno;
        ns_status st;
        if (e == ELOOP)
            st = ns__corpus_reject(sink, &w, "symlink loop: %s",
                                   errno_text(e, ebuf, sizeof ebuf));
        else
            st = ns__corpus_reject(sink, &w, "%s",
                                   errno_text(e, ebuf, sizeof ebuf));
        if (st == NS_OK && top && (e == ENOENT || e == ENOTDIR))
            st = NS_ERR_NOT_FOUND;
        return st;
    }
    if (S_ISDIR(sb.st_mode) && wk->skip_ino && sb.st_dev == wk->skip_dev &&
        sb.st_ino == wk->skip_ino)
        return top ? ns__corpus_reject(sink, &w, "the index's own directory")
                   : NS_OK;
    if (S_ISDIR(sb.st_mode))
        return walk_dir(wk, path, &sb);
    if (S_ISREG(sb.st_mode))
        return walk_file(wk, path, &sb);
    return ns__corpus_reject(sink, &w, "not a regular file or directory");
}

/*
 * The absolute form of path, with "." and ".." segments and repeated
 * slashes removed lexically (symlinks are kept, not resolved: a link that
 * is later pointed elsewhere keeps its articles' ids).  Ids of articles
 * without one of their own and the indexer's per-file records are made
 * from these paths, so they must not depend on the working directory of
 * the run.  NULL when out of memory or the working directory is unknown.
 */
static char *
absolute_path(const char *path)
{
    ns_buf b = { 0 };
    if (path[0] != '/') {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd))
            return NULL;
        ns__buf_puts(&b, cwd);
    }
    ns__buf_putc(&b, '/');
    ns__buf_puts(&b, path);
    if (b.oom)
        return NULL;
    char *out = ns__malloc(b.len + 2);
    if (!out) {
        ns__buf_free(&b);
        return NULL;
    }
    size_t n = 0;
    const char *p = b.data;
    while (*p) {
        while (*p == '/')
            p++;
        const char *seg = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - seg);
        if (len == 0 || (len == 1 && seg[0] == '.'))
            continue;
        if (len == 2 && seg[0] == '.' && seg[1] == '.') {
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--; /* the slash before the dropped segment */
            continue;
        }
        out[n++] = '/';
        memcpy(out + n, seg, len);
        n += len;
    }
    if (n == 0)
        out[n++] = '/';
    out[n] = '\0';
    ns__buf_free(&b);
    return out;
}

char *
ns__corpus_absolute_path(const char *path)
{
    return path ? absolute_path(path) : NULL;
}

ns_status
ns__corpus_walk(const char *path, const ns__corpus_sink *sink)
{
    return ns__corpus_walk_skip(path, sink, NULL);
}

ns_status
ns__corpus_walk_skip(const char *path,
                     const ns__corpus_sink *sink,
                     const char *skip)
{
    if (!path || !sink)
        return NS_ERR_INVALID_ARG;
    char *abs = absolute_path(path);
    if (!abs)
        return NS_ERR_NOMEM;
    walker wk = { sink, NULL, 0, 0, abs, NULL, 0, 0 };
    struct stat sb;
    if (skip && stat(skip, &sb) == 0) {
        wk.skip_dev = sb.st_dev;
        wk.skip_ino = sb.st_ino;
    }
    wk.root = realpath(abs, NULL); /* NULL if missing: walk_path says */
    ns_status st = walk_path(&wk, abs, 1);
    ns_free(wk.dirs);
    free(wk.root); /* realpath's */
    ns_free(abs);
    return st;
}

ns_status
ns__corpus_read_buffer(const char *name,
                       const char *data,
                       size_t len,
                       const ns__corpus_sink *sink)
{
    if (!name || (!data && len) || !sink)
        return NS_ERR_INVALID_ARG;
    ns__file_info fi = { name, len, 0, -1 };
    if (sink->file_begin) {
        int r = sink->file_begin(&fi, sink->payload);
        if (r == NS_CORPUS_SKIP)
            return NS_OK;
        if (r != NS_CORPUS_READ)
            return NS_ERR_ABORTED;
    }
    walker wk = { sink, NULL, 0, 0, NULL, NULL, 0, 0 };
    ns__input in;
    input_init_memory(&in, data ? data : "", len);
    int complete = 1;
    ns_status st = read_input(&wk, &in, name, name, 0, &complete);
    input_fini(&in);
    if (st != NS_OK)
        complete = 0;
    if (sink->file_end)
        sink->file_end(&fi, complete, sink->payload);
    return st;
}
