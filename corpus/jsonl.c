/*
 * jsonl.c: articles as JSON, with json-c.  Two formats: "jsonl" (one object
 * a line; a broken line loses only itself) and "json" (a top-level array of
 * articles, streamed element by element so a dump of any size reads in
 * bounded memory; or top-level objects, each an article or a wrapper such as
 * {"articles": [...]} or {"response": {"docs": [...]}}).  Field names are
 * matched case-insensitively against the names news datasets use.  HTML
 * and character references in titles, texts, authors and sources (CMS
 * dumps, scrapers) are read as HTML, plain text is kept as written.
 */
#include "corpus/date.h"
#include "corpus/format.h"
#include "corpus/html.h"

#include <json-c/json.h>
#include <libxml/HTMLparser.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The longest line or array element read; longer ones are rejected. */
#define MAX_RECORD ((size_t)NS_MAX_ARTICLE_BYTES * 2)
/* Top-level objects (not arrays) are parsed whole, up to this size. */
#define MAX_OBJECT_FILE ((size_t)64 << 20)

enum field {
    F_ID,
    F_TITLE,
    F_TEXT,
    F_DATE,
    F_URL,
    F_SOURCE,
    F_AUTHOR,
    F_LANG,
    F_COUNT
};

/* Names (lowercase) of each field, best first (lower prio). */
static const struct {
    const char *key;
    enum field field;
    int prio;
} keys[] = {
    { "id", F_ID, 0 },
    { "guid", F_ID, 1 },
    { "_id", F_ID, 2 },
    { "docno", F_ID, 3 },
    { "doc_id", F_ID, 3 },
    { "docid", F_ID, 3 },
    { "uuid", F_ID, 4 },
    { "title", F_TITLE, 0 },
    { "headline", F_TITLE, 1 },
    { "webtitle", F_TITLE, 2 }, /* The Guardian's API */
    { "text", F_TEXT, 0 },
    { "body", F_TEXT, 1 },
    { "bodytext", F_TEXT, 1 }, /* The Guardian's API */
    { "content", F_TEXT, 2 },
    { "contents", F_TEXT, 2 },         /* TREC Washington Post: blocks */
    { "content_elements", F_TEXT, 2 }, /* Arc XP (ANS): blocks */
    { "content_html", F_TEXT, 2 },     /* JSON Feed */
    { "content_text", F_TEXT, 2 },     /* JSON Feed */
    { "maintext", F_TEXT, 3 },
    { "article", F_TEXT, 4 },
    { "full_text", F_TEXT, 5 },
    { "description", F_TEXT, 8 },
    { "short_description", F_TEXT, 8 }, /* HuffPost News Category */
    { "summary", F_TEXT, 9 },
    { "excerpt", F_TEXT, 9 },   /* WordPress */
    { "trailtext", F_TEXT, 9 }, /* The Guardian's API */
    { "abstract", F_TEXT, 10 },
    { "date_gmt", F_DATE, -1 }, /* WordPress's "date" is local time */
    { "date", F_DATE, 0 },
    { "published", F_DATE, 1 },
    { "pubdate", F_DATE, 2 },
    { "published_time", F_DATE, 3 },
    { "datepublished", F_DATE, 3 }, /* schema.org */
    { "datetime", F_DATE, 4 },
    { "published_at", F_DATE, 5 },
    { "publishedat", F_DATE, 5 },        /* NewsAPI */
    { "date_published", F_DATE, 5 },     /* JSON Feed */
    { "date_publish", F_DATE, 6 },       /* news-please */
    { "publish_date", F_DATE, 6 },       /* newspaper3k */
    { "first_publish_date", F_DATE, 6 }, /* Arc XP */
    { "display_date", F_DATE, 7 },       /* Arc XP */
    { "publishdate", F_DATE, 6 },
    { "pub_date", F_DATE, 7 },
    { "published_date", F_DATE, 7 },
    { "publication_date", F_DATE, 8 },
    { "webpublicationdate", F_DATE, 8 }, /* The Guardian's API */
    { "timestamp", F_DATE, 9 },
    { "created_at", F_DATE, 10 },
    { "url", F_URL, 0 },
    { "link", F_URL, 1 },
    { "article_url", F_URL, 2 }, /* TREC Washington Post */
    { "source_url", F_URL, 2 },
    { "canonical_url", F_URL, 3 },
    { "web_url", F_URL, 4 },
    { "weburl", F_URL, 4 }, /* The Guardian's API */
    { "source", F_SOURCE, 0 },
    { "publisher", F_SOURCE, 1 },
    { "source_name", F_SOURCE, 2 },
    { "site_name", F_SOURCE, 3 },
    { "source_domain", F_SOURCE, 4 },
    { "domain", F_SOURCE, 5 }, /* Hugging Face's cc_news */
    { "author", F_AUTHOR, 0 },
    { "byline", F_AUTHOR, 1 },
    { "authors", F_AUTHOR, 2 },
    { "creator", F_AUTHOR, 3 },
    { "language", F_LANG, 0 },
    { "lang", F_LANG, 1 },
};

/* Members that hold the articles of a wrapper object. */
static const char *const wrapper_keys[] = {
    "articles", "items",   "docs", "documents", "data",    "results",  "posts",
    "entries",  "stories", "news", "hits",      "records", "response",
};

typedef struct jctx {
    const ns__corpus_sink *sink;
    ns__where w;
    struct json_tokener *tok;
    ns_buf tmp[F_COUNT]; /* the text kept for a field, when built */
    ns_buf build;        /* a candidate's text built from arrays, numbers */
    ns_buf markup;       /* a candidate's text made ready for the parser */
    ns__text clean;      /* a candidate's text with its markup read */
    ns_buf fallback_id;
    unsigned sub; /* the article's place in a wrapper, 0 for none */
    const char *feed; /* the wrapper's title (a JSON Feed's), or NULL */
} jctx;

static void
lowercase_key(const char *k, char *out, size_t cap)
{
    size_t i = 0;
    for (; k[i] && i + 1 < cap; i++)
        out[i] = (char)(k[i] >= 'A' && k[i] <= 'Z' ? k[i] + 32 : k[i]);
    out[i] = '\0';
    if (k[i])
        out[0] = '\0'; /* too long to be one of ours */
}

static int
field_of(const char *key, int *prio)
{
    char lk[32];
    lowercase_key(key, lk, sizeof lk);
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        if (strcmp(keys[i].key, lk) == 0) {
            *prio = keys[i].prio;
            return (int)keys[i].field;
        }
    }
    return -1;
}

/* The member of o named name, any case. */
static json_object *
member_ci(json_object *o, const char *name)
{
    json_object_object_foreach(o, k, v)
    {
        char lk[32];
        lowercase_key(k, lk, sizeof lk);
        if (strcmp(lk, name) == 0)
            return v;
    }
    return NULL;
}

/*
 * Whether a typed block of an article's text (an element of the TREC
 * Washington Post's "contents" or Arc XP's "content_elements": {"type":
 * "sanitized_html", "content": "<p>..."}) is part of the story: a
 * paragraph or a heading in it, not the kicker, title, byline, date,
 * image, video or embed that the same array lists.  An element with no
 * "type" is text.
 */
static int
text_block(json_object *o)
{
    static const char *const kinds[] = { "text", "paragraph", "sanitized_html",
                                         "header", "heading" };
    json_object *t = member_ci(o, "type");
    if (!t || !json_object_is_type(t, json_type_string))
        return 1;
    const char *k = json_object_get_string(t);
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcasecmp(k, kinds[i]) == 0)
            return 1;
    return 0;
}

/*
 * The text of a value for a field, or NULL: strings as they are; numbers
 * for ids; {"name": ...} objects (source, author), NYT's {"main": ...}
 * headline and {"original": ...} byline, Mongo's {"$oid": ...}, WordPress's
 * {"rendered": ...}, content blocks' {"content": ...}; arrays of those
 * joined with ", " (authors) or blank lines (text, whose typed blocks
 * count only when text_block says so).
 */
static const char *
value_text(json_object *v, int field, ns_buf *tmp, size_t *len, int depth)
{
    static const char *const inner[] = { "name", "main",     "original",
                                         "$oid", "title",    "value",
                                         "text", "rendered", "content" };
    *len = 0;
    if (!v || depth > 2)
        return NULL;
    switch (json_object_get_type(v)) {
    case json_type_string:
        *len = (size_t)json_object_get_string_len(v);
        return json_object_get_string(v);
    case json_type_int:
        if (field != F_ID)
            return NULL;
        ns__buf_reset(tmp);
        ns__buf_printf(tmp, "%lld", (long long)json_object_get_int64(v));
        *len = tmp->len;
        return ns__buf_cstr(tmp);
    case json_type_object:
        if (field == F_TEXT && depth > 0 && !text_block(v))
            return NULL;
        for (size_t i = 0; i < sizeof inner / sizeof *inner; i++) {
            json_object *m = member_ci(v, inner[i]);
            if (m && json_object_is_type(m, json_type_string)) {
                *len = (size_t)json_object_get_string_len(m);
                return json_object_get_string(m);
            }
        }
        return NULL;
    case json_type_array: {
        if (field != F_AUTHOR && field != F_TEXT)
            return NULL;
        const char *sep = field == F_AUTHOR ? ", " : "\n\n";
        ns_buf joined = { 0 };
        size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++) {
            ns_buf scratch = { 0 };
            size_t l;
            const char *s = value_text(json_object_array_get_idx(v, i), field,
                                       &scratch, &l, depth + 1);
            if (scratch.oom)
                joined.oom = 1; /* s may be "" with l > 0 */
            else if (s && l) {
                if (joined.len)
                    ns__buf_puts(&joined, sep);
                ns__buf_append(&joined, s, l);
            }
            ns__buf_free(&scratch);
        }
        ns__buf_reset(tmp);
        ns__buf_append(tmp, joined.data ? joined.data : "", joined.len);
        if (joined.oom)
            tmp->oom = 1;
        ns__buf_free(&joined);
        *len = tmp->len;
        return tmp->len ? ns__buf_cstr(tmp) : NULL;
    }
    default:
        return NULL;
    }
}

/* A date value: a string in any form date.c reads, or epoch seconds (or
 * milliseconds) as a number or a string of digits (9 to 13 of them); a
 * number of four digits is a year ("date": 2015), not 1970's first hour. */
static int
value_date(json_object *v, char out[NS_DATE_MAX])
{
    int64_t secs;
    if (json_object_is_type(v, json_type_int) ||
        json_object_is_type(v, json_type_double)) {
        secs = json_object_get_int64(v);
        if (secs >= 1000 && secs <= 9999 &&
            json_object_is_type(v, json_type_int)) {
            char y[8];
            snprintf(y, sizeof y, "%d", (int)secs);
            return ns__date_parse(y, 4, out) > 0;
        }
    } else if (json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        size_t n = (size_t)json_object_get_string_len(v);
        if (ns__date_parse(s, n, out))
            return 1;
        if (n < 9 || n > 13 || strspn(s, "0123456789") != n)
            return 0;
        secs = 0;
        for (size_t i = 0; i < n; i++)
            secs = secs * 10 + (s[i] - '0');
    } else {
        return 0;
    }
    if (secs > 100000000000LL || secs < -100000000000LL)
        secs /= 1000; /* milliseconds */
    return ns__date_from_epoch(secs, out) > 0;
}

/*
 * Members holding more of a record's fields, read after its own: The
 * Guardian's API keeps the headline, byline and text in "fields" (beside
 * webTitle and webUrl), and an Elasticsearch hit its document in
 * "_source" (beside its _id).
 */
static const char *const inner_objects[] = { "fields", "_source" };

/* o's inner_objects member named k, or NULL. */
static json_object *
inner_object(const char *k, json_object *v)
{
    for (size_t i = 0; i < sizeof inner_objects / sizeof *inner_objects; i++)
        if (strcasecmp(k, inner_objects[i]) == 0 &&
            json_object_is_type(v, json_type_object))
            return v;
    return NULL;
}

/* Whether o (or one of its inner objects) has a member naming a title or
 * a text. */
static int
looks_like_article(json_object *o)
{
    json_object_object_foreach(o, k, v)
    {
        int prio, f = field_of(k, &prio);
        json_object *in = inner_object(k, v);
        if (f == F_TITLE || f == F_TEXT || (in && looks_like_article(in)))
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Markup in fields                                                          */

/*
 * CMS dumps and scrapers put HTML in texts ("<p>A &amp; B</p>", WordPress's
 * content.rendered) and references in titles ("Tom&#8217;s"), while plain
 * text holds '<' and '&' as characters ("AT&T", "x < y", "a <-> b", and
 * Reuters' tickers: "USAIR <U>", "<Strong Point Inc>", "Inc <em>") and
 * must stay as written.  So markup is decided on evidence: a comment, an
 * end tag (</p>), or a start tag of an element HTML knows, in lowercase,
 * that is empty or has an attribute (<br/>, <a href=...>) makes it HTML;
 * else a reference to a character (&#233; &#x2019;) or to an entity HTML
 * names (&amp; &rsquo;) makes it text with references.  HTML with block
 * elements or <br> has its structure in its tags; HTML with inline ones
 * only (text with <sup> or links in it) has it in its line breaks.
 */
enum markup { M_PLAIN, M_REFS, M_INLINE, M_HTML };

static int
is_letter(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int
is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static int
is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f';
}

/* The name (letters and digits after a letter) at s[0, n) into out (cap
 * bytes, lowercase); its length, 0 when none or too long for out. */
static size_t
name_at(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    if (n == 0 || !is_letter(s[0]))
        return 0;
    while (k < n && (is_letter(s[k]) || is_digit(s[k]))) {
        if (k + 1 >= cap)
            return 0;
        out[k] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k]);
        k++;
    }
    out[k] = '\0';
    return k;
}

/* Whether an element gives a text its structure: a block or <br>. */
static int
structural(const char *name)
{
    const htmlElemDesc *d = htmlTagLookup((const xmlChar *)name);
    return d && ((d->isinline == 0 && strcmp(name, "style") != 0) ||
                 strcmp(name, "br") == 0);
}

/* What s[i] ('<') starts: M_PLAIN (no tag), M_INLINE (a comment or a tag)
 * or M_HTML (a tag of a structural element). */
static enum markup
tag_at(const char *s, size_t n, size_t i)
{
    char name[16];
    size_t j = i + 1;
    if (n - j >= 3 && memcmp(s + j, "!--", 3) == 0)
        return M_INLINE;
    int end_tag = j < n && s[j] == '/';
    j += (size_t)end_tag;
    size_t k = name_at(s + j, n - j, name, sizeof name);
    if (k == 0)
        return M_PLAIN;
    enum markup m = structural(name) ? M_HTML : M_INLINE;
    if (end_tag) {
        for (j += k; j < n && is_blank(s[j]); j++)
            ;
        return j < n && s[j] == '>' ? m : M_PLAIN;
    }
    const htmlElemDesc *d = htmlTagLookup((const xmlChar *)name);
    if (memcmp(name, s + j, k) != 0 || !d)
        return M_PLAIN; /* not lowercase, or not HTML's */
    for (j += k; j < n && is_blank(s[j]); j++)
        ;
    if (j < n && s[j] == '/')
        j++;
    if (j < n && s[j] == '>')
        return d->empty ? m : M_PLAIN; /* <br>; <p> counts by its </p> */
    if (j >= n || j == i + 1 + k || !is_letter(s[j]))
        return M_PLAIN; /* "<a", "<a.", "<a 3" */
    /* An attribute: a name, then '=' */
    while (j < n && (is_letter(s[j]) || is_digit(s[j]) || s[j] == '-' ||
                     s[j] == '_' || s[j] == ':'))
        j++;
    while (j < n && is_blank(s[j]))
        j++;
    return j < n && s[j] == '=' ? m : M_PLAIN;
}

/* Whether s[i] ('&') starts a character reference or a reference to an
 * entity HTML names, ';' included. */
static int
ref_at(const char *s, size_t n, size_t i)
{
    size_t j = i + 1;
    if (j < n && s[j] == '#') {
        j++;
        int hex = j < n && (s[j] == 'x' || s[j] == 'X');
        j += (size_t)hex;
        size_t d = 0;
        while (j < n && d < 8 &&
               (is_digit(s[j]) || (hex && ((s[j] >= 'a' && s[j] <= 'f') ||
                                           (s[j] >= 'A' && s[j] <= 'F'))))) {
            j++;
            d++;
        }
        return d > 0 && j < n && s[j] == ';';
    }
    char name[32];
    size_t k = name_at(s + j, n - j, name, sizeof name);
    if (k == 0 || j + k >= n || s[j + k] != ';')
        return 0;
    /* Names are case-sensitive (&Eacute; is not &eacute;). */
    memcpy(name, s + j, k);
    return htmlEntityLookup((const xmlChar *)name) != NULL;
}

static enum markup
markup_of(const char *s, size_t n)
{
    enum markup m = M_PLAIN;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '<') {
            enum markup t = tag_at(s, n, i);
            if (t == M_HTML)
                return M_HTML;
            if (t > m)
                m = t;
        } else if (s[i] == '&' && m == M_PLAIN && ref_at(s, n, i)) {
            m = M_REFS;
        }
    }
    return m;
}

/* The length of the blank line(s) at s[i] ('\n'): from it to the last
 * '\n' of the run; 0 when the next line has text. */
static size_t
blank_lines_at(const char *s, size_t n, size_t i)
{
    size_t end = 0;
    for (size_t j = i + 1; j < n && is_blank(s[j]); j++)
        if (s[j] == '\n')
            end = j + 1 - i;
    return end;
}

/* Whether s[i] ('<') can start a tag for the parser: '/', '!' or '?', or
 * a name (letters, digits, '-', '_', '.', and ':' before a letter, as in
 * Word's <o:p>) ended by white space, '>' or '/'.  An autolink
 * (<https://x>, <name@host>) is none: the HTML parser would take it for
 * an element and drop its text, or all that follows. */
static int
tag_start(const char *s, size_t n, size_t i)
{
    size_t j = i + 1;
    if (j < n && (s[j] == '/' || s[j] == '!' || s[j] == '?'))
        return 1;
    if (j >= n || !is_letter(s[j]))
        return 0;
    while (j < n && (is_letter(s[j]) || is_digit(s[j]) || s[j] == '-' ||
                     s[j] == '_' || s[j] == '.' ||
                     (s[j] == ':' && j + 1 < n && is_letter(s[j + 1]))))
        j++;
    return j == n || is_blank(s[j]) || s[j] == '>' || s[j] == '/';
}

/*
 * Append the text of s[0, n), with markup m, to t, as
 * ns__html_fragment_text reads it once made ready: a blank line (how raw
 * WordPress content and scraped text mark paragraphs) becomes <p>; where
 * the structure is in the lines (M_INLINE, M_REFS), a line break outside a
 * tag becomes <br>; in text with references only, '<' is escaped, and
 * elsewhere a '<' that starts no tag (tag_start).
 * 0 (t untouched) when the text made ready would be over the parser's
 * bounds: the field is then kept as written.
 */
static int
markup_text(ns__text *t, ns_buf *b, const char *s, size_t n, enum markup m)
{
    size_t tags = 0, run = 0;
    int in_tag = 0;
    ns__buf_reset(b);
    for (size_t i = 0; i < n; i++) {
        const char *put = NULL;
        size_t skip = 1, bl;
        if (s[i] == '<' && (m == M_REFS || !tag_start(s, n, i))) {
            put = "&lt;";
        } else if (s[i] == '<') {
            tags++;
            in_tag = i + 1 < n && (is_letter(s[i + 1]) || s[i + 1] == '/' ||
                                   s[i + 1] == '!');
        } else if (s[i] == '>') {
            in_tag = 0;
        } else if (s[i] == '\n' && !in_tag) {
            if ((bl = blank_lines_at(s, n, i)) > 0) {
                put = "<p>";
                skip = bl;
            } else if (m != M_HTML) {
                put = "<br>";
            }
        }
        if (!put)
            continue;
        tags += put[0] == '<';
        ns__buf_append(b, s + run, i - run);
        ns__buf_puts(b, put);
        run = i + skip;
        i = run - 1;
    }
    ns__buf_append(b, s + run, n - run);
    if (b->oom || b->len > NS_MAX_MARKUP_BYTES || tags > NS_MAX_HTML_TAGS)
        return 0;
    ns__html_fragment_text(t, b->data ? b->data : "", b->len);
    return 1;
}

/*
 * The text of field f's value s[0, *len) with its markup read, in c->clean
 * (titles, authors and sources on one line); s itself when it is plain
 * text or other fields.  NULL when out of memory.
 */
static const char *
field_text(jctx *c, int f, const char *s, size_t *len)
{
    if (f != F_TITLE && f != F_TEXT && f != F_AUTHOR && f != F_SOURCE)
        return s;
    enum markup m = markup_of(s, *len);
    if (m == M_PLAIN)
        return s;
    ns__buf_reset(&c->clean.buf);
    c->clean.pending = 0;
    c->clean.one_line = f != F_TEXT;
    if (!markup_text(&c->clean, &c->markup, s, *len, m))
        return c->markup.oom ? NULL : s;
    if (c->clean.buf.oom)
        return NULL;
    *len = c->clean.buf.len;
    return c->clean.buf.len ? c->clean.buf.data : "";
}

static void
buf_swap(ns_buf *a, ns_buf *b)
{
    ns_buf t = *a;
    *a = *b;
    *b = t;
}

static ns_status handle_value(jctx *c, json_object *v);

/* The best candidate met so far for each field. */
typedef struct picks {
    const char *val[F_COUNT];
    size_t len[F_COUNT];
    int best[F_COUNT]; /* the candidate's prio; 1000 none */
    char date[NS_DATE_MAX];
    int date_prio;
} picks;

/* Take o's members as candidates for the fields of p. */
static ns_status
pick_fields(jctx *c, json_object *o, picks *p)
{
    const char **val = p->val;
    size_t *len = p->len;
    int *best = p->best;
    char *date = p->date;
    json_object_object_foreach(o, k, v)
    {
        int prio, f = field_of(k, &prio);
        if (f < 0 || prio >= best[f])
            continue;
        if (f == F_DATE) {
            /* The first-named field's date, but a day over a month or a
             * year of a field named before it. */
            char d[NS_DATE_MAX];
            if (value_date(v, d)) {
                int day = strlen(d) >= 10, had = strlen(date) >= 10;
                if (!date[0] || day > had ||
                    (day == had && prio < p->date_prio)) {
                    memcpy(date, d, sizeof d);
                    p->date_prio = prio;
                }
            }
            continue;
        }
        size_t l;
        const char *s = value_text(v, f, &c->build, &l, 0);
        if (c->build.oom)
            return NS_ERR_NOMEM;
        if (!s || l == 0)
            continue;
        s = field_text(c, f, s, &l);
        if (!s)
            return NS_ERR_NOMEM;
        if (l == 0)
            continue; /* markup only */
        /* Built: keep it in tmp[f], where no later candidate (which may
         * turn out empty) overwrites it. */
        if (s == c->clean.buf.data) {
            buf_swap(&c->clean.buf, &c->tmp[f]);
            s = c->tmp[f].data;
        } else if (s == c->build.data) {
            buf_swap(&c->build, &c->tmp[f]);
            s = c->tmp[f].data;
        }
        val[f] = s;
        len[f] = l;
        best[f] = prio;
    }
    return NS_OK;
}

/* One article from o's members, and from those of its inner objects. */
static ns_status
emit_object(jctx *c, json_object *o)
{
    picks p;
    memset(&p, 0, sizeof p);
    p.date_prio = 1000;
    for (int i = 0; i < F_COUNT; i++)
        p.best[i] = 1000;
    ns_status st = pick_fields(c, o, &p);
    json_object_object_foreach(o, k, v)
    {
        json_object *in = inner_object(k, v);
        if (in && st == NS_OK)
            st = pick_fields(c, in, &p);
    }
    if (st != NS_OK)
        return st;
    const char **val = p.val;
    const char *date = p.date;
    if (!val[F_TITLE] && !val[F_TEXT])
        return ns__corpus_reject(c->sink, &c->w,
                                 looks_like_article(o) ?
                                     "empty article (no title or text)" :
                                     "no article fields (title, text, "
                                     "body, ...) in the record");
    ns_article a = NS_ARTICLE_INIT;
    a.id = val[F_ID];
    a.title = val[F_TITLE];
    a.date = date[0] ? date : NULL;
    a.source = val[F_SOURCE] ? val[F_SOURCE] : c->feed;
    a.url = val[F_URL];
    a.author = val[F_AUTHOR];
    a.language = val[F_LANG];
    a.text = val[F_TEXT] ? val[F_TEXT] : "";
    a.text_len = p.len[F_TEXT];
    if (!a.id && !a.url && c->sub) {
        /* Several articles in one record: tell them apart. */
        ns__buf_reset(&c->fallback_id);
        ns__buf_printf(&c->fallback_id, "%s#%llu.%u", c->w.file,
                       (unsigned long long)c->w.record, c->sub);
        if (c->fallback_id.oom)
            return NS_ERR_NOMEM;
        a.id = c->fallback_id.data;
    }
    return ns__corpus_emit(c->sink, &c->w, &a);
}

/* Whether o has a member naming a text. */
static int
has_text_field(json_object *o)
{
    json_object_object_foreach(o, k, v)
    {
        int prio;
        (void)v;
        if (field_of(k, &prio) == F_TEXT)
            return 1;
    }
    return 0;
}

/* Whether the array a holds an object that looks like an article. */
static int
holds_article(json_object *a)
{
    size_t n = json_object_array_length(a);
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(a, i);
        if (json_object_is_type(e, json_type_object) && looks_like_article(e))
            return 1;
    }
    return 0;
}

/*
 * The array of articles inside a wrapper object, or NULL.  An object with
 * a text is an article; one with a title only is a wrapper when it holds
 * articles (a JSON Feed: its title, then its items).
 */
static json_object *
find_articles(json_object *o, int depth)
{
    if (depth > 2 || has_text_field(o))
        return NULL;
    int titled = looks_like_article(o);
    for (size_t i = 0; i < sizeof wrapper_keys / sizeof *wrapper_keys; i++) {
        json_object *v = member_ci(o, wrapper_keys[i]);
        if (!v)
            continue;
        if (json_object_is_type(v, json_type_array) &&
            (!titled || holds_article(v)))
            return v;
        if (json_object_is_type(v, json_type_object) && !titled) {
            json_object *a = find_articles(v, depth + 1);
            if (a)
                return a;
        }
    }
    return NULL;
}

static ns_status
handle_value(jctx *c, json_object *v)
{
    if (!json_object_is_type(v, json_type_object))
        return ns__corpus_reject(c->sink, &c->w,
                                 "not a json object (a json %s)",
                                 json_type_to_name(json_object_get_type(v)));
    json_object *arr = find_articles(v, 0);
    if (!arr)
        return emit_object(c, v);
    json_object *t = member_ci(v, "title");
    c->feed = t && json_object_is_type(t, json_type_string) ?
                  json_object_get_string(t) :
                  NULL;
    size_t n = json_object_array_length(arr);
    ns_status st = NS_OK;
    for (size_t i = 0; i < n && st == NS_OK; i++) {
        json_object *e = json_object_array_get_idx(arr, i);
        c->sub = (unsigned)i + 1;
        if (json_object_is_type(e, json_type_object))
            st = emit_object(c, e);
        else
            st = ns__corpus_reject(c->sink, &c->w,
                                   "item %zu is not a json object", i + 1);
    }
    c->sub = 0;
    c->feed = NULL;
    return st;
}

/* Parse s[0, n) as exactly one JSON value (blanks may follow) and handle
 * it; a syntax error rejects the record. */
static ns_status
parse_record(jctx *c, const char *s, size_t n)
{
    json_tokener_reset(c->tok);
    json_object *v = json_tokener_parse_ex(c->tok, s, (int)n);
    enum json_tokener_error e = json_tokener_get_error(c->tok);
    if (!v) {
        if (e == json_tokener_continue)
            return ns__corpus_reject(c->sink, &c->w,
                                     "malformed json: unexpected end");
        return ns__corpus_reject(c->sink, &c->w, "malformed json: %s",
                                 json_tokener_error_desc(e));
    }
    size_t end = json_tokener_get_parse_end(c->tok);
    while (end < n && (s[end] == ' ' || s[end] == '\t' || s[end] == '\r' ||
                       s[end] == '\n'))
        end++;
    ns_status st;
    if (end < n)
        st = ns__corpus_reject(c->sink, &c->w,
                               "malformed json: data after the value at "
                               "column %zu",
                               end + 1);
    else
        st = handle_value(c, v);
    json_object_put(v);
    return st;
}

static ns_status
ctx_init(jctx *c, const ns__where *w, const ns__corpus_sink *sink)
{
    memset(c, 0, sizeof *c);
    c->sink = sink;
    c->w = *w;
    c->tok = json_tokener_new_ex(64);
    return c->tok ? NS_OK : NS_ERR_NOMEM;
}

static void
ctx_fini(jctx *c)
{
    if (c->tok)
        json_tokener_free(c->tok);
    for (int i = 0; i < F_COUNT; i++)
        ns__buf_free(&c->tmp[i]);
    ns__buf_free(&c->build);
    ns__buf_free(&c->markup);
    ns__text_free(&c->clean);
    ns__buf_free(&c->fallback_id);
}

static int
blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

/* Skip a UTF-8 byte order mark and blanks. */
static size_t
skip_bom_blank(const char *s, size_t n)
{
    size_t i = 0;
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < n &&
           (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i;
}

/* ------------------------------------------------------------------------ */
/* jsonl                                                                     */

static int
jsonl_sniff(const char *head, size_t len, const char *name)
{
    size_t i = skip_bom_blank(head, len);
    if (i >= len || head[i] != '{')
        return 0;
    const char *nl = memchr(head + i, '\n', len - i);
    int named = ns__name_has_ext(name, ".jsonl") ||
                ns__name_has_ext(name, ".ndjson") ||
                ns__name_has_ext(name, ".ldjson");
    if (!nl && len == NS_SNIFF_BYTES)
        return named ? 60 : 40; /* a first line longer than the head */
    size_t n = nl ? (size_t)(nl - (head + i)) : len - i;
    struct json_tokener *tok = json_tokener_new_ex(64);
    if (!tok)
        return 0;
    json_object *v = json_tokener_parse_ex(tok, head + i, (int)n);
    int whole = v && json_object_is_type(v, json_type_object);
    size_t end = json_tokener_get_parse_end(tok);
    while (end < n && (head[i + end] == ' ' || head[i + end] == '\t' ||
                       head[i + end] == '\r'))
        end++;
    json_object_put(v);
    json_tokener_free(tok);
    if (whole && end == n)
        return named ? 95 : 90;
    return named ? 30 : 0; /* let "json" take pretty-printed objects */
}

static ns_status
jsonl_read(ns__input *in, const ns__where *w, const ns__corpus_sink *sink)
{
    jctx c;
    ns_status st = ctx_init(&c, w, sink);
    uint64_t lineno = 0;
    while (st == NS_OK) {
        const char *line;
        size_t len;
        uint64_t off;
        int too_long;
        int r = ns__input_getline(in, MAX_RECORD, &line, &len, &off, &too_long);
        if (r < 0) {
            st = NS_ERR_IO;
            break;
        }
        if (r == 0)
            break;
        c.w.record = ++lineno;
        c.w.offset = off;
        if (lineno == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            line += 3;
            len -= 3;
        }
        if (too_long) {
            st = ns__corpus_reject(
                sink, &c.w, "line too long (more than %zu bytes)", MAX_RECORD);
            continue;
        }
        if (blank_line(line, len))
            continue;
        st = parse_record(&c, line, len);
    }
    ctx_fini(&c);
    return st;
}

const ns__format ns__format_jsonl = { "jsonl", jsonl_sniff, jsonl_read };

/* ------------------------------------------------------------------------ */
/* json: arrays streamed, objects whole                                      */

static int
json_sniff(const char *head, size_t len, const char *name)
{
    size_t i = skip_bom_blank(head, len);
    int named = ns__name_has_ext(name, ".json");
    if (i >= len)
        return 0;
    if (head[i] == '[') {
        i += 1 + skip_bom_blank(head + i + 1, len - i - 1);
        if (i < len && (head[i] == '{' || head[i] == ']'))
            return named ? 90 : 85;
        return i >= len ? 40 : 0;
    }
    if (head[i] == '{')
        return named ? 55 : 50;
    return 0;
}

/*
 * A top-level array, one element at a time: a small scanner finds where
 * each element ends (strings, escapes and nesting), and only that element
 * is parsed.  A broken element loses only itself.
 */
typedef struct scan {
    ns_buf elem;    /* the current element's bytes */
    uint64_t start; /* its offset */
    int depth;      /* nesting inside the element */
    int in_str;
    int esc;
    int in_elem;
    int too_big;
    uint64_t index; /* elements seen */
} scan;

static ns_status
finish_element(jctx *c, scan *s)
{
    ns_status st;
    c->w.record = ++s->index;
    c->w.offset = s->start;
    if (s->too_big)
        st = ns__corpus_reject(c->sink, &c->w,
                               "record too large (more than %zu bytes)",
                               MAX_RECORD);
    else if (s->elem.oom)
        st = NS_ERR_NOMEM;
    else
        st = parse_record(c, s->elem.data, s->elem.len);
    ns__buf_reset(&s->elem);
    s->in_elem = s->too_big = s->depth = s->in_str = s->esc = 0;
    return st;
}

static ns_status read_object_rest(jctx *c,
                                  ns__input *in,
                                  const char *pre,
                                  size_t prelen,
                                  uint64_t at);

static void
scan_append(scan *s, const char *p, size_t n)
{
    if (s->too_big)
        return;
    if (n > MAX_RECORD - s->elem.len) {
        s->too_big = 1;
        ns__buf_free(&s->elem);
        return;
    }
    ns__buf_append(&s->elem, p, n);
}

#define CHUNK ((size_t)64 << 10)

static ns_status
json_read(ns__input *in, const ns__where *w, const ns__corpus_sink *sink)
{
    jctx c;
    scan s;
    memset(&s, 0, sizeof s);
    ns_status st = ctx_init(&c, w, sink);
    enum { START, ARRAY, AFTER } state = START;
    char *buf = ns__malloc(CHUNK);
    if (!buf && st == NS_OK)
        st = NS_ERR_NOMEM;
    uint64_t off = ns__input_offset(in);
    int first = 1;
    while (st == NS_OK) {
        ptrdiff_t n = ns__input_read(in, buf, CHUNK);
        if (n < 0) {
            st = NS_ERR_IO;
            break;
        }
        if (n == 0)
            break;
        size_t i = 0, seg = 0; /* the element's bytes in this chunk */
        if (first && n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
            i = 3;
        first = 0;
        for (; i < (size_t)n && st == NS_OK; i++) {
            char ch = buf[i];
            if (s.in_elem) {
                int done = 0, scalar_end = 0;
                if (s.in_str) {
                    if (s.esc)
                        s.esc = 0;
                    else if (ch == '\\')
                        s.esc = 1;
                    else if (ch == '"') {
                        s.in_str = 0;
                        done = s.depth == 0; /* a string element */
                    }
                } else if (ch == '"') {
                    s.in_str = 1;
                } else if (ch == '{' || ch == '[') {
                    s.depth++;
                } else if (ch == '}' || ch == ']') {
                    if (s.depth == 0)
                        scalar_end = 1;
                    else if (--s.depth == 0)
                        done = 1;
                } else if (ch == ',' && s.depth == 0) {
                    scalar_end = 1;
                }
                if (scalar_end) {
                    scan_append(&s, buf + seg, i - seg);
                    st = finish_element(&c, &s);
                    if (ch == ']')
                        state = AFTER;
                } else if (done) {
                    scan_append(&s, buf + seg, i + 1 - seg);
                    st = finish_element(&c, &s);
                }
                continue;
            }
            if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
                continue;
            if (state == START || state == AFTER) {
                if (ch == '[') {
                    state = ARRAY;
                    continue;
                }
                /* Objects (or junk): parse the rest as whole values. */
                st = read_object_rest(&c, in, buf + i, (size_t)n - i, off + i);
                goto out;
            }
            /* ARRAY, between elements */
            if (ch == ',')
                continue;
            if (ch == ']') {
                state = AFTER;
                continue;
            }
            s.in_elem = 1;
            s.start = off + i;
            seg = i;
            if (ch == '"')
                s.in_str = 1;
            else if (ch == '{' || ch == '[')
                s.depth = 1;
        }
        if (s.in_elem)
            scan_append(&s, buf + seg, (size_t)n - seg);
        off += (uint64_t)n;
    }
    if (st == NS_OK && s.in_elem) {
        c.w.record = s.index + 1;
        c.w.offset = s.start;
        st = ns__corpus_reject(sink, &c.w,
                               "malformed json: the record is not closed "
                               "at the end of the input");
    } else if (st == NS_OK && state == ARRAY) {
        c.w.record = 0;
        c.w.offset = off;
        st = ns__corpus_reject(sink, &c.w,
                               "malformed json: the array is not closed");
    }
out:
    ns_free(buf);
    ns__buf_free(&s.elem);
    ctx_fini(&c);
    return st;
}

/* Top-level objects: read the rest (bounded) and parse value after value. */
static ns_status
read_object_rest(jctx *c,
                 ns__input *in,
                 const char *pre,
                 size_t prelen,
                 uint64_t at)
{
    char *rest = NULL;
    size_t restlen = 0;
    ns_status st = ns__input_slurp(in, MAX_OBJECT_FILE, &rest, &restlen);
    if (st == NS_ERR_FORMAT) {
        c->w.offset = at;
        return ns__corpus_reject(c->sink, &c->w,
                                 "json object too large (more than %zu "
                                 "bytes)",
                                 MAX_OBJECT_FILE);
    }
    if (st != NS_OK)
        return st;
    ns_buf all = { 0 };
    ns__buf_append(&all, pre, prelen);
    ns__buf_append(&all, rest, restlen);
    ns_free(rest);
    if (all.oom) {
        ns__buf_free(&all);
        return NS_ERR_NOMEM;
    }
    size_t pos = 0;
    uint64_t rec = 0;
    while (st == NS_OK) {
        pos += skip_bom_blank(all.data + pos, all.len - pos);
        if (pos >= all.len)
            break;
        c->w.record = ++rec;
        c->w.offset = at + pos;
        json_tokener_reset(c->tok);
        json_object *v =
            json_tokener_parse_ex(c->tok, all.data + pos, (int)(all.len - pos));
        if (!v) {
            enum json_tokener_error e = json_tokener_get_error(c->tok);
            st = ns__corpus_reject(c->sink, &c->w, "malformed json: %s",
                                   e == json_tokener_continue ?
                                       "unexpected end" :
                                       json_tokener_error_desc(e));
            break; /* no way to find the next value */
        }
        pos += json_tokener_get_parse_end(c->tok);
        st = handle_value(c, v);
        json_object_put(v);
    }
    ns__buf_free(&all);
    return st;
}

const ns__format ns__format_json = { "json", json_sniff, json_read };
