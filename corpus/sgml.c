/*
 * sgml.c: the SGML news collections, read record by record (a record is
 * one <DOC> or <REUTERS> element, gathered line by line, so a file of any
 * size reads in bounded memory).  "trec": TREC/TIPSTER <DOC><DOCNO>...
 * (AP, WSJ, SJMN, Ziff-Davis, FT, LA Times, FBIS, Federal Register and
 * AQUAINT layouts) and the LDC's later <DOC id="AFP_ENG_20050101.0001"
 * type="story"> (English Gigaword, AQUAINT-2, whose files are wrapped in
 * <DOCSTREAM>).  "reuters":
 * Reuters-21578 <REUTERS NEWID=...>.  These are SGML, not XML: tags may be
 * left open, '&' is not always an entity and bytes are Latin-1 or
 * Windows-1252, so an XML parser would reject them; a record that is not
 * valid UTF-8 is read as Windows-1252.
 */
#include "corpus/date.h"
#include "corpus/format.h"
#include "corpus/html.h"

#include <stdio.h>
#include <string.h>

#include <libxml/HTMLparser.h>

#define MAX_RECORD ((size_t)NS_MAX_ARTICLE_BYTES * 2)

static int
lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int
name_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/* Whether s[0, n) starts with the tag "<name" (or "</name" when close),
 * any case, followed by '>' or a blank (or the end of s). */
static int
tag_at(const char *s, size_t n, const char *name, int close)
{
    size_t k = strlen(name), i = 1;
    if (n < 1 || s[0] != '<')
        return 0;
    if (close) {
        if (n < 2 || s[1] != '/')
            return 0;
        i = 2;
    }
    if (n < i + k)
        return 0;
    for (size_t j = 0; j < k; j++)
        if (lower((unsigned char)s[i + j]) != name[j])
            return 0;
    return n == i + k || !name_char((unsigned char)s[i + k]);
}

/* The first tag <name ...> (or </name>) in s[0, n); its offset, or n. */
static size_t
find_tag(const char *s, size_t n, const char *name, int close)
{
    const char *p = s, *end = s + n;
    while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        if (tag_at(p, (size_t)(end - p), name, close))
            return (size_t)(p - s);
        p++;
    }
    return n;
}

/*
 * The element <name ...>content</name> at or after s + from: the content's
 * span in [*cs, *ce) and the offset after the element in *next.  An element
 * left open ends where the record does.  Returns 0 when there is none.
 */
static int
find_elem(const char *s,
          size_t n,
          size_t from,
          const char *name,
          size_t *cs,
          size_t *ce,
          size_t *next)
{
    if (from >= n)
        return 0;
    size_t o = from + find_tag(s + from, n - from, name, 0);
    if (o >= n)
        return 0;
    const char *gt = memchr(s + o, '>', n - o);
    if (!gt)
        return 0;
    *cs = (size_t)(gt - s) + 1;
    size_t c = *cs + find_tag(s + *cs, n - *cs, name, 1);
    *ce = c;
    if (c < n) {
        const char *g2 = memchr(s + c, '>', n - c);
        *next = g2 ? (size_t)(g2 - s) + 1 : n;
    } else {
        *next = n;
    }
    return 1;
}

/* The value of attribute attr in the start tag at s (up to its '>'). */
static int
attr_value(const char *s, size_t n, const char *attr, size_t *vs, size_t *ve)
{
    const char *gt = memchr(s, '>', n);
    size_t end = gt ? (size_t)(gt - s) : n, k = strlen(attr);
    for (size_t i = 1; i + k < end; i++) {
        if (name_char((unsigned char)s[i - 1]))
            continue;
        size_t j = 0;
        while (j < k && lower((unsigned char)s[i + j]) == attr[j])
            j++;
        if (j < k || s[i + k] != '=')
            continue;
        size_t v = i + k + 1;
        char q = v < end && (s[v] == '"' || s[v] == '\'') ? s[v] : 0;
        if (q)
            v++;
        size_t e = v;
        while (e < end && (q ? s[e] != q : s[e] != ' ' && s[e] != '\t'))
            e++;
        *vs = v;
        *ve = e;
        return 1;
    }
    return 0;
}

/* Named entities of the TREC and Reuters DTDs that carry text; these are
 * read even without their ';' ("&amp" in wire copy).  The rest of HTML 4
 * comes from libxml2 (see entity). */
static const struct {
    const char *name;
    unsigned short cp;
} entities[] = {
    { "amp", '&' },      { "lt", '<' },      { "gt", '>' },
    { "quot", '"' },     { "apos", '\'' },   { "nbsp", 0xA0 },
    { "hyph", '-' },     { "blank", ' ' },   { "mdash", 0x2014 },
    { "ndash", 0x2013 }, { "bull", 0x2022 }, { "cent", 0xA2 },
    { "pound", 0xA3 },   { "yen", 0xA5 },    { "sect", 0xA7 },
    { "para", 0xB6 },    { "deg", 0xB0 },    { "times", 0xD7 },
    { "eacute", 0xE9 },  { "egrave", 0xE8 }, { "aacute", 0xE1 },
    { "agrave", 0xE0 },  { "oacute", 0xF3 }, { "uacute", 0xFA },
    { "iacute", 0xED },  { "ntilde", 0xF1 }, { "ccedil", 0xE7 },
    { "uuml", 0xFC },    { "ouml", 0xF6 },   { "auml", 0xE4 },
    { "Eacute", 0xC9 },  { "Uuml", 0xDC },   { "Ouml", 0xD6 },
    { "Auml", 0xC4 },    { "szlig", 0xDF },  { "reg", 0xAE },
    { "copy", 0xA9 },    { "frac12", 0xBD }, { "frac14", 0xBC },
    { "frac34", 0xBE },
};

/* An entity at s[0] == '&': appends its text (nothing for control
 * characters such as Reuters' &#3;) and returns its length; 0 if none. */
static size_t
entity(ns_buf *b, const char *s, size_t n)
{
    size_t i = 1;
    if (n < 3)
        return 0;
    if (s[1] == '#') {
        unsigned long cp = 0;
        int hex = n > 2 && (s[2] == 'x' || s[2] == 'X'), digits = 0;
        for (i = hex ? 3 : 2; i < n && i < 12; i++) {
            int c = (unsigned char)s[i], d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (hex && lower(c) >= 'a' && lower(c) <= 'f')
                d = lower(c) - 'a' + 10;
            else
                break;
            cp = cp * (hex ? 16 : 10) + (unsigned long)d;
            digits++;
        }
        if (!digits || cp > 0x10FFFF)
            return 0;
        if (i < n && s[i] == ';')
            i++;
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD;
        /* control characters (Reuters' &#3; ends a story) carry no text */
        if ((cp >= 0x20 && !(cp >= 0x7F && cp <= 0x9F)) || cp == '\t' ||
            cp == '\n')
            ns__buf_put_utf8(b, cp);
        return i;
    }
    while (i < n && i < 12 && name_char((unsigned char)s[i]))
        i++;
    if (i == 1)
        return 0;
    for (size_t k = 0; k < sizeof entities / sizeof *entities; k++) {
        size_t len = strlen(entities[k].name);
        if (len == i - 1 && memcmp(entities[k].name, s + 1, len) == 0) {
            ns__buf_put_utf8(b, entities[k].cp);
            return i < n && s[i] == ';' ? i + 1 : i;
        }
    }
    /* the rest of HTML 4 (&rsquo; &ocirc; &hellip;), only with its ';':
     * prose such as "R&and" or "AT&T" stays as written */
    if (i < n && s[i] == ';') {
        char name[12];
        memcpy(name, s + 1, i - 1);
        name[i - 1] = '\0';
        const htmlEntityDesc *d = htmlEntityLookup((const xmlChar *)name);
        if (d) {
            ns__buf_put_utf8(b, d->value);
            return i + 1;
        }
    }
    return 0;
}

/* Whether the tag whose text (after '<', before '>') is t[0, n) breaks
 * lines: P, BR, DIV, LI, TR, TD, TABLE, H1..H6, open or closed. */
static int
block_tag(const char *t, size_t n)
{
    static const char *const blocks[] = { "p",  "br",    "div", "li", "tr",
                                          "td", "table", "h1",  "h2", "h3",
                                          "h4", "h5",    "h6" };
    if (n && t[0] == '/') {
        t++;
        n--;
    }
    size_t k = 0;
    while (k < n && name_char((unsigned char)t[k]))
        k++;
    for (size_t i = 0; i < sizeof blocks / sizeof *blocks; i++) {
        size_t bl = strlen(blocks[i]);
        if (bl != k)
            continue;
        size_t j = 0;
        while (j < k && lower((unsigned char)t[j]) == blocks[i][j])
            j++;
        if (j == k)
            return 1;
    }
    return 0;
}

/*
 * The text of content s[0, n): tags dropped (a tag between words becomes
 * nothing, so "<P>" lines leave their line breaks), entities decoded, and
 * Windows-1252 bytes made UTF-8 when latin is set.  Appends to b.
 */
static void
sgml_text(ns_buf *b, const char *s, size_t n, int latin)
{
    size_t run = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '<' && i + 1 < n &&
            (s[i + 1] == '/' || s[i + 1] == '!' ||
             ((s[i + 1] | 0x20) >= 'a' && (s[i + 1] | 0x20) <= 'z'))) {
            const char *gt = memchr(s + i, '>', n - i);
            if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
                /* a comment ends at "-->", whatever '>' it holds */
                const char *end = ns__find(s + i + 4, n - i - 4, "-->", 3);
                gt = end ? end + 2 : gt;
            }
            if (gt) {
                ns__buf_append(b, s + run, i - run);
                /* a block tag (<P>, <BR>, ...) keeps words apart */
                if (block_tag(s + i + 1, (size_t)(gt - s) - i - 1) && b->len &&
                    b->data[b->len - 1] != '\n')
                    ns__buf_putc(b, '\n');
                i = (size_t)(gt - s) + 1;
                run = i;
                continue;
            }
        }
        if (c == '&') {
            ns__buf_append(b, s + run, i - run);
            size_t k = entity(b, s + i, n - i);
            if (k == 0) {
                ns__buf_putc(b, '&');
                k = 1;
            }
            i += k;
            run = i;
            continue;
        }
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
            ns__buf_append(b, s + run, i - run); /* \r and controls */
            i++;
            run = i;
            continue;
        }
        if (c >= 0x80 && latin) {
            ns__buf_append(b, s + run, i - run);
            uint32_t cp = ns__cp1252(c);
            ns__buf_put_utf8(b, cp ? cp : 0xFFFD);
            i++;
            run = i;
            continue;
        }
        i++;
    }
    ns__buf_append(b, s + run, n - run);
}

/* The trimmed text of the first element name in the record, into b. */
static int
elem_text(ns_buf *b, const char *s, size_t n, const char *name, int latin)
{
    size_t cs, ce, next;
    ns__buf_reset(b);
    if (!find_elem(s, n, 0, name, &cs, &ce, &next))
        return 0;
    sgml_text(b, s + cs, ce - cs, latin);
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Records, streamed                                                         */

typedef struct record_reader {
    const char *tag; /* "doc", "reuters" */
    ns_buf rec;      /* the record from its start tag */
    uint64_t offset; /* of the start tag */
    uint64_t count;  /* records begun */
    uint64_t line;   /* 1-based, of the line being fed */
    uint64_t first;  /* the line of the start tag */
    int inside;
    int too_big;
} record_reader;

typedef ns_status (*record_fn)(const char *rec,
                               size_t len,
                               ns__where *w,
                               const ns__corpus_sink *sink);

/*
 * Feed one line (without its newline) to the splitter; each complete
 * record, from its start tag to before its end tag, goes to fn.  A start
 * tag before the previous record's end tag rejects the unfinished record,
 * naming the lines of both, and the next one is read: a sink can only
 * keep or reject a record, and one missing its end may be missing more.
 */
static ns_status
feed_line(record_reader *r,
          const char *line,
          size_t len,
          uint64_t off,
          ns__where *w,
          const ns__corpus_sink *sink,
          record_fn fn)
{
    size_t pos = 0;
    for (;;) {
        const char *p = line + pos;
        size_t n = len - pos;
        if (!r->inside) {
            size_t open = find_tag(p, n, r->tag, 0);
            if (open >= n)
                return NS_OK; /* between records: DOCTYPE, blanks */
            r->inside = 1;
            r->too_big = 0;
            r->count++;
            r->offset = off + pos + open;
            r->first = r->line;
            ns__buf_reset(&r->rec);
            pos += open;
            /* the start tag is the record's own, not the next one's */
            size_t gt = 1;
            while (gt < len - pos && line[pos + gt] != '>')
                gt++;
            ns__buf_append(&r->rec, line + pos, gt);
            pos += gt;
            continue;
        }
        size_t close = find_tag(p, n, r->tag, 1);
        size_t open = find_tag(p, n, r->tag, 0);
        if (open < close && open < n) {
            w->record = r->count;
            w->offset = r->offset;
            r->inside = 0;
            ns_status st = ns__corpus_reject(
                sink, w,
                "record not closed (no </%s> between its <%s> at line %llu "
                "and the next <%s> at line %llu)",
                r->tag, r->tag, (unsigned long long)r->first, r->tag,
                (unsigned long long)r->line);
            if (st != NS_OK)
                return st;
            pos += open;
            continue;
        }
        size_t take = close < n ? close : n;
        if (!r->too_big && take > MAX_RECORD - r->rec.len) {
            r->too_big = 1;
            ns__buf_free(&r->rec);
        }
        if (!r->too_big) {
            ns__buf_append(&r->rec, p, take);
            if (close >= n)
                ns__buf_putc(&r->rec, '\n');
        }
        if (close >= n)
            return NS_OK;
        /* the end tag: the record is complete */
        ns_status st;
        w->record = r->count;
        w->offset = r->offset;
        r->inside = 0;
        if (r->too_big)
            st = ns__corpus_reject(
                sink, w, "record too large (more than %zu bytes)", MAX_RECORD);
        else if (r->rec.oom)
            st = NS_ERR_NOMEM;
        else
            st = fn(ns__buf_cstr(&r->rec), r->rec.len, w, sink);
        if (st != NS_OK)
            return st;
        const char *gt = memchr(p + close, '>', n - close);
        pos += gt ? (size_t)(gt - p) + 1 : n;
    }
}

static ns_status
read_records(ns__input *in,
             const ns__where *w0,
             const ns__corpus_sink *sink,
             const char *tag,
             record_fn fn)
{
    record_reader r;
    memset(&r, 0, sizeof r);
    r.tag = tag;
    ns__where w = *w0;
    ns_status st = NS_OK;
    while (st == NS_OK) {
        const char *line;
        size_t len;
        uint64_t off;
        int too_long;
        /* lines are cut at the record limit; a record that long is
         * rejected anyway */
        int rc =
            ns__input_getline(in, MAX_RECORD, &line, &len, &off, &too_long);
        if (rc < 0) {
            st = NS_ERR_IO;
            break;
        }
        if (rc == 0)
            break;
        r.line++;
        if (too_long)
            r.too_big = r.inside;
        st = feed_line(&r, line, len, off, &w, sink, fn);
    }
    if (st == NS_OK && r.inside) {
        w.record = r.count;
        w.offset = r.offset;
        st = ns__corpus_reject(sink, &w,
                               "record not closed (no </%s> after its <%s> "
                               "at line %llu, at the end of the input)",
                               tag, tag, (unsigned long long)r.first);
    }
    ns__buf_free(&r.rec);
    return st;
}

static int
is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Trim b's text in place. */
static void
trim(ns_buf *b)
{
    size_t s = 0, e = b->len;
    while (s < e && is_space((unsigned char)b->data[s]))
        s++;
    while (e > s && is_space((unsigned char)b->data[e - 1]))
        e--;
    if (s > 0 && e > s)
        memmove(b->data, b->data + s, e - s);
    b->len = e > s ? e - s : 0;
    if (b->data)
        b->data[b->len] = '\0';
}

/* Runs of blank lines in b made one: the line breaks around <P> tags
 * ("</P>\n<P>\n") are a paragraph break, not three. */
static void
squeeze_breaks(ns_buf *b)
{
    size_t o = 0, nl = 0;
    for (size_t i = 0; i < b->len; i++) {
        char c = b->data[i];
        nl = c == '\n' ? nl + 1 : c == ' ' || c == '\t' ? nl : 0;
        if (c == '\n' && nl > 2)
            continue;
        b->data[o++] = c;
    }
    b->len = o;
    if (b->data)
        b->data[o] = '\0';
}

/* A date element's text: whole, else its leading comma-separated part
 * ("January 1, 1989, Sunday, Home Edition" reads as "January 1, 1989"). */
static int
date_of(const char *s, size_t n, char out[NS_DATE_MAX])
{
    if (ns__date_parse(s, n, out))
        return 1;
    for (size_t k = n; k > 0; k--)
        if (s[k - 1] == ',' && ns__date_parse(s, k - 1, out))
            return 1;
    return 0;
}

/* A date in prose among other words: Ziff-Davis's <JOURNAL> line, "PC Week
 * Jan 16 1989 v6 n2 p59(1)".  The first run of three words (month, day,
 * year) that date.c reads. */
static int
date_within(const char *s, size_t n, char out[NS_DATE_MAX])
{
    for (size_t i = 0; i < n; i++) {
        if ((i > 0 && !is_space((unsigned char)s[i - 1])) ||
            is_space((unsigned char)s[i]))
            continue;
        size_t e = i;
        for (int words = 0; words < 3 && e < n; words++) {
            while (e < n && is_space((unsigned char)s[e]))
                e++;
            while (e < n && !is_space((unsigned char)s[e]))
                e++;
        }
        if (ns__date_parse(s + i, e - i, out) >= 10)
            return 1;
    }
    out[0] = '\0';
    return 0;
}

/*
 * FBIS's fields at the head of a text: "Language: <F P=105> Russian </F>"
 * (the language translated from) and "Article Type:BFN", one a line,
 * before the story.  The length of those lines at the start of s[0, n):
 * only after a Language line with its <F P=105>, so that a story opening
 * with "Language:" keeps its words.
 */
static size_t
fbis_fields(const char *s, size_t n)
{
    static const char *const labels[] = { "Language:", "Article Type:" };
    size_t i = 0;
    for (;;) {
        size_t j = i;
        while (j < n && is_space((unsigned char)s[j]))
            j++;
        size_t k = 0;
        while (k < sizeof labels / sizeof *labels &&
               !(n - j >= strlen(labels[k]) &&
                 memcmp(s + j, labels[k], strlen(labels[k])) == 0))
            k++;
        if (k == sizeof labels / sizeof *labels)
            return i;
        const char *nl = memchr(s + j, '\n', n - j);
        size_t e = nl ? (size_t)(nl - s) : n;
        if (i == 0 && (k != 0 || !ns__find(s + j, e - j, "<F P=105>", 9)))
            return 0;
        i = nl ? e + 1 : n;
    }
}

/* ------------------------------------------------------------------------ */
/* TREC                                                                      */

/* Sources of the TREC collections, by DOCNO prefix. */
static const struct {
    const char *prefix;
    const char *source;
} trec_sources[] = {
    { "AP", "Associated Press" },
    { "APW", "Associated Press" },
    { "WSJ", "Wall Street Journal" },
    { "FT", "Financial Times" },
    { "LA", "Los Angeles Times" },
    { "SJMN", "San Jose Mercury News" },
    { "FBIS", "FBIS" },
    { "FR", "Federal Register" },
    { "ZF", "Ziff-Davis" },
    { "NYT", "New York Times" },
    { "XIE", "Xinhua" },
    { "XIN", "Xinhua" },
    /* Gigaword and AQUAINT-2 */
    { "AFP", "Agence France-Presse" },
    { "CNA", "Central News Agency" },
    { "LTW", "Los Angeles Times/Washington Post" },
    { "WPB", "Washington Post/Bloomberg" },
};

/* AP's FILEID "AP-NR-01-01-89 2358EST": month, day, year, time, zone. */
static int
ap_fileid_date(const char *s, size_t n, char out[NS_DATE_MAX])
{
    for (size_t i = 0; i + 14 <= n; i++) {
        const char *p = s + i;
        int ok = 1;
        static const char shape[] = "-99-99-99 9999";
        for (size_t k = 0; k < 14 && ok; k++)
            ok = shape[k] == '9' ? (p[k] >= '0' && p[k] <= '9') :
                                   p[k] == shape[k];
        if (!ok || (i > 0 && p[-1] >= '0' && p[-1] <= '9'))
            continue;
        char buf[40];
        int yy = (p[7] - '0') * 10 + (p[8] - '0');
        size_t z = 14;
        while (i + z < n && z < 20 &&
               ((p[z] >= 'A' && p[z] <= 'Z') || (p[z] >= 'a' && p[z] <= 'z')))
            z++;
        int len =
            snprintf(buf, sizeof buf, "%s%c%c-%c%c-%c%c %c%c:%c%c %.*s",
                     yy < 50 ? "20" : "19", p[7], p[8], p[1], p[2], p[4], p[5],
                     p[10], p[11], p[12], p[13], (int)(z - 14), p + 14);
        return len > 0 && ns__date_parse(buf, (size_t)len, out) > 0;
    }
    return 0;
}

/* The date in a document id: a DOCNO such as AP890101-0001 or
 * WSJ870324-0001 (YYMMDD), AQUAINT's APW19980601.0003 or a Gigaword and
 * AQUAINT-2 id such as AFP_ENG_20050101.0001 (YYYYMMDD). */
static int
docno_date(const char *s, char out[NS_DATE_MAX])
{
    size_t i = 0;
    while (s[i] >= 'A' && s[i] <= 'Z')
        i++;
    if (i == 0)
        return 0;
    if (s[i] == '_') { /* the language: "_ENG_" */
        size_t j = i + 1;
        while (s[j] >= 'A' && s[j] <= 'Z')
            j++;
        if (j == i + 1 || s[j] != '_')
            return 0;
        i = j + 1;
    }
    size_t d = strspn(s + i, "0123456789");
    if (!(d == 6 && s[i + d] == '-') && !(d == 8 && s[i + d] == '.'))
        return 0;
    return ns__date_parse(s + i, d, out) > 0;
}

/* A headline made tidy, in place: WSJ's lone '@' joining its lines
 * ("Is Close @ To Sale of Unit") dropped when at is set, and FT's leading
 * "FT  14 MAY 91 / " too. */
static void
title_tidy(ns_buf *t, int at)
{
    char *d = t->data;
    if (!d)
        return;
    for (size_t i = 0; at && i < t->len; i++)
        if (d[i] == '@' && (i == 0 || is_space((unsigned char)d[i - 1])) &&
            (i + 1 == t->len || is_space((unsigned char)d[i + 1])))
            d[i] = ' ';
    trim(t);
    /* '_' blanks, '#' one or two digits, '9' a digit, 'A' a letter */
    static const char shape[] = "FT_#_AAA_99_/";
    size_t i = 0;
    for (const char *p = shape; *p; p++) {
        size_t k = i;
        if (*p == '_')
            while (k < t->len && is_space((unsigned char)d[k]))
                k++;
        else if (*p == '#' || *p == '9')
            while (k < t->len && k - i < (*p == '#' ? 2u : 1u) && d[k] >= '0' &&
                   d[k] <= '9')
                k++;
        else if (*p == 'A')
            k += i < t->len && lower((unsigned char)d[i]) >= 'a' &&
                 lower((unsigned char)d[i]) <= 'z';
        else
            k += i < t->len && d[i] == *p;
        if (k == i)
            return;
        i = k;
    }
    t->len -= i;
    memmove(d, d + i, t->len + 1);
    trim(t);
}

static int
eds_note(const char *s)
{
    return strncmp(s, "Eds:", 4) == 0 || strncmp(s, "Eds.", 4) == 0 ||
           strncmp(s, "EDs:", 4) == 0 || strncmp(s, "Ed's", 4) == 0 ||
           strncmp(s, "EDITOR", 6) == 0 || strncmp(s, "Editor", 6) == 0;
}

static ns_status
trec_record(const char *s, size_t n, ns__where *w, const ns__corpus_sink *sink)
{
    static const char *const title_tags[] = { "head",     "headline",   "hl",
                                              "title",    "h3",         "ti",
                                              "doctitle", /* FR */ NULL };
    static const char *const date_tags[] = {
        "date", "dd", "date_time", "pubdate", "dateline_date", "date1", NULL
    };
    static const char *const text_tags[] = { "lp", "leadpara", "text", "body",
                                             NULL };
    int latin = !ns__utf8_valid(s, n);
    ns_buf id = { 0 }, title = { 0 }, author = { 0 }, source = { 0 },
           text = { 0 }, tmp = { 0 };
    char date[NS_DATE_MAX] = "";
    ns_status st = NS_OK;
    size_t cs, ce, next, vs, ve;

    if (elem_text(&id, s, n, "docno", latin))
        trim(&id);
    if (!id.len && attr_value(s, n, "id", &vs, &ve) && ve > vs) {
        /* Gigaword, AQUAINT-2: <DOC id="AFP_ENG_20050101.0001"> */
        ns__buf_reset(&id);
        ns__buf_append(&id, s + vs, ve - vs);
    }
    /* the title: the first heading that is not a note to editors */
    for (const char *const *t = title_tags; *t && title.len == 0; t++) {
        for (size_t from = 0;
             find_elem(s, n, from, *t, &cs, &ce, &next) && title.len == 0;
             from = next) {
            ns__buf_reset(&title);
            sgml_text(&title, s + cs, ce - cs, latin);
            title_tidy(&title,
                       strcmp(*t, "hl") == 0 || strcmp(*t, "headline") == 0);
            if (title.len && eds_note(title.data))
                ns__buf_reset(&title);
        }
    }
    for (const char *const *t = date_tags; *t && !date[0]; t++)
        if (elem_text(&tmp, s, n, *t, latin)) {
            trim(&tmp);
            date_of(tmp.data ? tmp.data : "", tmp.len, date);
        }
    if (!date[0] && elem_text(&tmp, s, n, "fileid", latin))
        ap_fileid_date(tmp.data ? tmp.data : "", tmp.len, date);
    if (!date[0] && elem_text(&tmp, s, n, "journal", latin))
        date_within(tmp.data ? tmp.data : "", tmp.len, date);
    if (!date[0] && id.len)
        docno_date(id.data, date);
    if (elem_text(&author, s, n, "byline", latin) ||
        elem_text(&author, s, n, "author", latin) ||
        elem_text(&author, s, n, "by", latin))
        trim(&author);
    if (elem_text(&source, s, n, "source", latin) ||
        elem_text(&source, s, n, "so", latin)) {
        trim(&source);
    } else if (id.len) {
        size_t best = 0;
        for (size_t i = 0; i < sizeof trec_sources / sizeof *trec_sources;
             i++) {
            size_t k = strlen(trec_sources[i].prefix);
            if (k > best && strncmp(id.data, trec_sources[i].prefix, k) == 0 &&
                !(id.data[k] >= 'A' && id.data[k] <= 'Z')) {
                ns__buf_reset(&source);
                ns__buf_puts(&source, trec_sources[i].source);
                best = k;
            }
        }
    }
    /* the text: the dateline, then the lead and text parts in order */
    if (elem_text(&tmp, s, n, "dateline", latin)) {
        trim(&tmp);
        if (tmp.len) {
            ns__buf_append(&text, tmp.data, tmp.len);
            ns__buf_putc(&text, ' ');
        }
    }
    for (const char *const *t = text_tags; *t; t++) {
        for (size_t from = 0; find_elem(s, n, from, *t, &cs, &ce, &next);
             from = next) {
            /* A part around another (AQUAINT's <BODY>, its slug and
             * headline beside its <TEXT>) is read as the inner one. */
            int holds = 0;
            for (const char *const *u = text_tags; *u && !holds; u++)
                holds = u != t && find_tag(s + cs, ce - cs, *u, 0) < ce - cs;
            if (holds)
                continue;
            ns__buf_reset(&tmp);
            size_t skip = fbis_fields(s + cs, ce - cs);
            sgml_text(&tmp, s + cs + skip, ce - cs - skip, latin);
            trim(&tmp);
            if (!tmp.len)
                continue;
            if (text.len && text.data[text.len - 1] != ' ')
                ns__buf_puts(&text, "\n\n");
            ns__buf_append(&text, tmp.data, tmp.len);
        }
    }
    trim(&text);
    squeeze_breaks(&text);
    if (id.oom || title.oom || author.oom || source.oom || text.oom ||
        tmp.oom) {
        st = NS_ERR_NOMEM;
    } else if (!title.len && !text.len) {
        st = ns__corpus_reject(sink, w, "empty article (no title or text)");
    } else {
        ns_article a = NS_ARTICLE_INIT;
        a.id = id.len ? id.data : NULL;
        a.title = title.len ? title.data : NULL;
        a.date = date[0] ? date : NULL;
        a.source = source.len ? source.data : NULL;
        a.author = author.len ? author.data : NULL;
        a.text = text.len ? text.data : "";
        a.text_len = text.len;
        st = ns__corpus_emit(sink, w, &a);
    }
    ns__buf_free(&id);
    ns__buf_free(&title);
    ns__buf_free(&author);
    ns__buf_free(&source);
    ns__buf_free(&text);
    ns__buf_free(&tmp);
    return st;
}

/* Skip blanks and SGML declarations or comments ("<!DOCTYPE ...>"). */
static size_t
skip_prolog(const char *head, size_t len)
{
    size_t i = 0;
    if (len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    for (;;) {
        while (i < len && is_space((unsigned char)head[i]))
            i++;
        if (i + 1 < len && head[i] == '<' &&
            (head[i + 1] == '!' || head[i + 1] == '?')) {
            const char *gt = memchr(head + i, '>', len - i);
            if (!gt)
                return len;
            i = (size_t)(gt - head) + 1;
            continue;
        }
        return i;
    }
}

static int
trec_sniff(const char *head, size_t len, const char *name)
{
    (void)name;
    size_t i = skip_prolog(head, len), vs, ve;
    if (i < len && tag_at(head + i, len - i, "docstream", 0)) {
        /* AQUAINT-2's wrapper: its records are read as they are */
        const char *gt = memchr(head + i, '>', len - i);
        if (!gt)
            return 0;
        i = (size_t)(gt - head) + 1;
        while (i < len && is_space((unsigned char)head[i]))
            i++;
    }
    if (i >= len || !tag_at(head + i, len - i, "doc", 0))
        return 0;
    if (find_tag(head + i, len - i, "docno", 0) < len - i ||
        attr_value(head + i, len - i, "id", &vs, &ve))
        return 90;
    return 50;
}

static ns_status
trec_read(ns__input *in, const ns__where *w, const ns__corpus_sink *sink)
{
    return read_records(in, w, sink, "doc", trec_record);
}

const ns__format ns__format_trec = { "trec", trec_sniff, trec_read };

/* ------------------------------------------------------------------------ */
/* Reuters-21578                                                             */

static ns_status
reuters_record(const char *s,
               size_t n,
               ns__where *w,
               const ns__corpus_sink *sink)
{
    int latin = !ns__utf8_valid(s, n);
    ns_buf id = { 0 }, title = { 0 }, author = { 0 }, text = { 0 }, tmp = { 0 };
    char date[NS_DATE_MAX] = "";
    ns_status st = NS_OK;
    size_t vs, ve, cs, ce, next;

    if (attr_value(s, n, "newid", &vs, &ve) && ve > vs) {
        ns__buf_puts(&id, "reuters21578-");
        ns__buf_append(&id, s + vs, ve - vs);
    }
    if (elem_text(&title, s, n, "title", latin))
        trim(&title);
    if (find_elem(s, n, 0, "date", &cs, &ce, &next)) {
        /* "27-MAR-1987 14:04:26.14&#5;&#5;&#5;F": wire codes follow the
         * time, and a note may ("# date added by ..."): cut them */
        size_t e = cs;
        while (e < ce && s[e] != '&' && s[e] != '#')
            e++;
        if (!ns__date_parse(s + cs, e - cs, date)) {
            /* a broken time ("605:12:19.12"): the day is still known */
            while (cs < e && is_space((unsigned char)s[cs]))
                cs++;
            size_t d = cs;
            while (d < e && !is_space((unsigned char)s[d]))
                d++;
            ns__date_parse(s + cs, d - cs, date);
        }
    }
    if (elem_text(&author, s, n, "author", latin))
        trim(&author);
    if (elem_text(&tmp, s, n, "dateline", latin)) {
        trim(&tmp);
        if (tmp.len) {
            ns__buf_append(&text, tmp.data, tmp.len);
            ns__buf_putc(&text, ' ');
        }
    }
    if (find_elem(s, n, 0, "body", &cs, &ce, &next)) {
        sgml_text(&text, s + cs, ce - cs, latin);
    } else if (!title.len && find_elem(s, n, 0, "text", &cs, &ce, &next)) {
        /* TYPE="UNPROC": the wire copy as it came */
        sgml_text(&text, s + cs, ce - cs, latin);
    }
    trim(&text);
    if (id.oom || title.oom || author.oom || text.oom || tmp.oom) {
        st = NS_ERR_NOMEM;
    } else if (!title.len && !text.len) {
        st = ns__corpus_reject(sink, w, "empty article (no title or text)");
    } else {
        ns_article a = NS_ARTICLE_INIT;
        a.id = id.len ? id.data : NULL;
        a.title = title.len ? title.data : NULL;
        a.date = date[0] ? date : NULL;
        a.source = "Reuters";
        a.author = author.len ? author.data : NULL;
        a.text = text.len ? text.data : "";
        a.text_len = text.len;
        st = ns__corpus_emit(sink, w, &a);
    }
    ns__buf_free(&id);
    ns__buf_free(&title);
    ns__buf_free(&author);
    ns__buf_free(&text);
    ns__buf_free(&tmp);
    return st;
}

static int
reuters_sniff(const char *head, size_t len, const char *name)
{
    (void)name;
    size_t i = skip_prolog(head, len);
    if (i >= len || !tag_at(head + i, len - i, "reuters", 0))
        return 0;
    size_t vs, ve;
    return attr_value(head + i, len - i, "newid", &vs, &ve) ? 95 : 60;
}

static ns_status
reuters_read(ns__input *in, const ns__where *w, const ns__corpus_sink *sink)
{
    return read_records(in, w, sink, "reuters", reuters_record);
}

const ns__format ns__format_reuters = { "reuters", reuters_sniff,
                                        reuters_read };
