/*
 * html.c: the markup layer (see html.h) over libxml2, the maintained
 * recovering XML/HTML parser that also converts charsets.  It must never
 * expand an entity a document declares, load a DTD, touch the network or
 * print to stderr, and everything it returns is valid UTF-8.  Page
 * extraction is a paragraph-density heuristic: no site-specific rules.
 */
#include "corpus/html.h"

#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "corpus/date.h"
#include "corpus/format.h"

const char *
ns__find(const char *hay, size_t n, const char *needle, size_t m)
{
    if (m == 0)
        return hay;
    while (n >= m) {
        const char *p = memchr(hay, needle[0], n - m + 1);
        if (!p)
            return NULL;
        if (memcmp(p, needle, m) == 0)
            return p;
        n -= (size_t)(p - hay) + 1;
        hay = p + 1;
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* libxml2 setup                                                             */

static pthread_once_t markup_once = PTHREAD_ONCE_INIT;

static void
markup_init_once(void)
{
    xmlInitParser();
}

void
ns__markup_init(void)
{
    pthread_once(&markup_once, markup_init_once);
}

static void
quiet_generic(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

/*
 * Errors that libxml2 raises without a parser context (charset conversion,
 * I/O) go to the thread's generic error function, stderr by default.  We
 * swap in a silent one for the duration of a parse and put the caller's
 * back after: the application may use libxml2 itself.
 */
typedef struct quiet {
    xmlGenericErrorFunc func;
    void *ctx;
} quiet;

static void
quiet_begin(quiet *q)
{
    ns__markup_init();
    q->func = xmlGenericError;
    q->ctx = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, quiet_generic);
}

static void
quiet_end(const quiet *q)
{
    xmlSetGenericErrorFunc(q->ctx, q->func);
}

/* Parser-context errors land here instead (sax->serror); HTML pages are
 * always "wrong" somewhere, so their errors are simply dropped. */
static void
quiet_structured(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    (void)e;
}

/* ------------------------------------------------------------------------ */
/* UTF-8 and normalized text                                                 */

/* Decode the UTF-8 sequence at s[0, n): its length (1..4) with *cp, or 0
 * when it is not a valid one (overlong, surrogate, > U+10FFFF, cut). */
static size_t
u8dec(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        if (n < 2 || (s[1] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        uint32_t v = ((uint32_t)(c & 0x0F) << 12) |
                     ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))
            return 0;
        *cp = v;
        return 3;
    }
    if (c < 0xF5) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            return 0;
        uint32_t v = ((uint32_t)(c & 0x07) << 18) |
                     ((uint32_t)(s[1] & 0x3F) << 12) |
                     ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        if (v < 0x10000 || v > 0x10FFFF)
            return 0;
        *cp = v;
        return 4;
    }
    return 0;
}

static int
is_uspace(uint32_t cp)
{
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

static void
text_put(ns__text *t, const void *s, size_t n)
{
    if (t->pending && t->buf.len) {
        if (t->one_line || t->pending == NS_TEXT_SPACE)
            ns__buf_putc(&t->buf, ' ');
        else if (t->pending == NS_TEXT_LINE)
            ns__buf_putc(&t->buf, '\n');
        else
            ns__buf_append(&t->buf, "\n\n", 2);
    }
    t->pending = 0;
    ns__buf_append(&t->buf, s, n);
}

void
ns__text_add(ns__text *t, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + n;
    while (p < end) {
        unsigned char c = *p;
        if (c > 0x20 && c < 0x7F) {
            const unsigned char *q = p + 1;
            while (q<end && * q> 0x20 && *q < 0x7F)
                q++;
            text_put(t, p, (size_t)(q - p));
            p = q;
            continue;
        }
        if (c < 0x80) {
            if (c == ' ' || (c >= '\t' && c <= '\r')) {
                if (t->pending < NS_TEXT_SPACE)
                    t->pending = NS_TEXT_SPACE;
            }
            p++; /* other control characters are dropped */
            continue;
        }
        uint32_t cp;
        size_t k = u8dec(p, (size_t)(end - p), &cp);
        if (k == 0) {
            text_put(t, "\xEF\xBF\xBD", 3);
            p++;
            continue;
        }
        if (is_uspace(cp)) {
            if (t->pending < NS_TEXT_SPACE)
                t->pending = NS_TEXT_SPACE;
        } else if (cp >= 0xA0 && cp != 0xAD && cp != 0x200B && cp != 0xFEFF) {
            /* C1 controls, soft hyphens, zero-width spaces and stray byte
             * order marks carry nothing a reader sees. */
            text_put(t, p, k);
        }
        p += k;
    }
}

void
ns__text_break(ns__text *t, int kind)
{
    if (kind > t->pending)
        t->pending = kind;
}

void
ns__text_free(ns__text *t)
{
    ns__buf_free(&t->buf);
    t->pending = 0;
}

/* ------------------------------------------------------------------------ */
/* Element kinds                                                             */

enum {
    K_INLINE = 0,
    K_BLOCK, /* a paragraph of its own */
    K_ROW,   /* a table row: a line */
    K_CELL,  /* a table cell: a space */
    K_BR,    /* a line break */
    K_DROP,  /* never text: scripts, styles, media, form controls */
    K_SOFT   /* boilerplate: navigation, header, footer, aside, form */
};

typedef struct kind_entry {
    const char *name;
    unsigned char kind;
} kind_entry;

/* Sorted by name (strcmp) for bsearch.  HTML names, plus NITF's. */
static const kind_entry kinds[] = {
    { "abstract", K_BLOCK },
    { "address", K_BLOCK },
    { "article", K_BLOCK },
    { "aside", K_SOFT },
    { "audio", K_DROP },
    { "block", K_BLOCK },
    { "blockquote", K_BLOCK },
    { "body", K_BLOCK },
    { "body.content", K_BLOCK },
    { "body.end", K_BLOCK },
    { "body.head", K_BLOCK },
    { "bq", K_BLOCK },
    { "br", K_BR },
    { "button", K_DROP },
    { "byline", K_BLOCK },
    { "canvas", K_DROP },
    { "caption", K_BLOCK },
    { "center", K_BLOCK },
    { "datalist", K_DROP },
    { "dateline", K_BLOCK },
    { "dd", K_BLOCK },
    { "details", K_BLOCK },
    { "dialog", K_SOFT },
    { "dir", K_BLOCK },
    { "distributor", K_BLOCK },
    { "div", K_BLOCK },
    { "dl", K_BLOCK },
    { "dt", K_BLOCK },
    { "embed", K_DROP },
    { "fieldset", K_BLOCK },
    { "figcaption", K_SOFT },
    { "figure", K_SOFT },
    { "fn", K_BLOCK },
    { "footer", K_SOFT },
    { "form", K_SOFT },
    { "frame", K_DROP },
    { "frameset", K_DROP },
    { "h1", K_BLOCK },
    { "h2", K_BLOCK },
    { "h3", K_BLOCK },
    { "h4", K_BLOCK },
    { "h5", K_BLOCK },
    { "h6", K_BLOCK },
    { "head", K_BLOCK },
    { "header", K_SOFT },
    { "hedline", K_BLOCK },
    { "hgroup", K_BLOCK },
    { "hl1", K_BLOCK },
    { "hl2", K_BLOCK },
    { "hr", K_BLOCK },
    { "html", K_BLOCK },
    { "iframe", K_DROP },
    { "input", K_DROP },
    { "label", K_DROP },
    { "legend", K_BLOCK },
    { "li", K_BLOCK },
    { "link", K_DROP },
    { "main", K_BLOCK },
    { "map", K_DROP },
    { "math", K_DROP },
    { "media", K_DROP },
    { "menu", K_SOFT },
    { "meta", K_DROP },
    { "nav", K_SOFT },
    { "noembed", K_DROP },
    { "noframes", K_DROP },
    { "noscript", K_DROP },
    { "note", K_BLOCK },
    { "object", K_DROP },
    { "ol", K_BLOCK },
    { "option", K_DROP },
    { "p", K_BLOCK },
    { "picture", K_DROP },
    { "pre", K_BLOCK },
    { "script", K_DROP },
    { "section", K_BLOCK },
    { "select", K_DROP },
    { "source", K_DROP },
    { "style", K_DROP },
    { "summary", K_BLOCK },
    { "svg", K_DROP },
    { "table", K_BLOCK },
    { "tagline", K_BLOCK },
    { "tbody", K_BLOCK },
    { "td", K_CELL },
    { "template", K_DROP },
    { "textarea", K_DROP },
    { "tfoot", K_BLOCK },
    { "th", K_CELL },
    { "thead", K_BLOCK },
    { "title", K_DROP },
    { "tr", K_ROW },
    { "track", K_DROP },
    { "ul", K_BLOCK },
    { "video", K_DROP },
};

static int
kind_cmp(const void *key, const void *ent)
{
    return strcmp(key, ((const kind_entry *)ent)->name);
}

/* An ASCII-lowercase copy of s in buf (cap bytes), cut to fit. */
static const char *
lower_into(const char *s, char *buf, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        buf[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    buf[i] = '\0';
    return buf;
}

static unsigned char
ascii_lower(char c)
{
    return (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/* Whether v[0, n) (ASCII case ignored) is the lowercase word w. */
static int
lower_is(const char *v, size_t n, const char *w)
{
    size_t i = 0;
    for (; i < n && w[i]; i++)
        if (ascii_lower(v[i]) != (unsigned char)w[i])
            return 0;
    return i == n && !w[i];
}

/* Whether a style value v[0, n) hides its element. */
static int
style_hides(const char *v, size_t n)
{
    char sq[256];
    size_t k = 0;
    for (size_t i = 0; i < n && v[i] && k + 1 < sizeof sq; i++)
        if (v[i] != ' ' && v[i] != '\t' && v[i] != '\n')
            sq[k++] = (char)ascii_lower(v[i]);
    sq[k] = '\0';
    return strstr(sq, "display:none") || strstr(sq, "visibility:hidden");
}

/* Whether the attribute an="v" (v NULL: written without a value) hides its
 * HTML element from readers. */
static int
attr_hides(const char *an, const char *v)
{
    if (strcmp(an, "hidden") == 0)
        return 1;
    if (!v)
        return 0;
    if (strcmp(an, "aria-hidden") == 0)
        return strcmp(v, "true") == 0;
    if (strcmp(an, "style") == 0)
        return style_hides(v, strlen(v));
    return 0;
}

static int
markup_kind(const xmlNode *n)
{
    const char *name = (const char *)n->name;
    if (!name)
        return K_INLINE;
    /* HTML names are lowercase, and so are XHTML's and NITF's. */
    const kind_entry *e = bsearch(name, kinds, sizeof kinds / sizeof *kinds,
                                  sizeof *kinds, kind_cmp);
    int k = e ? e->kind : K_INLINE;
    return k == K_SOFT ? K_DROP : k;
}

/* The layout kind of an element name (K_SOFT for boilerplate). */
static int
name_kind(const char *name)
{
    const kind_entry *e = bsearch(name, kinds, sizeof kinds / sizeof *kinds,
                                  sizeof *kinds, kind_cmp);
    return e ? e->kind : K_INLINE;
}

/*
 * The kind of an element in a whole page, where boilerplate is "soft": a
 * recovering parser may nest the article inside an unclosed <aside> or a
 * hidden <div>, so those are only left out when they hold little of the
 * page's paragraph text (*soft set; the layout kind is returned).
 */
static int
page_kind(const char *name, int hidden, int *soft)
{
    int k = name_kind(name);
    *soft = 0;
    if (k == K_DROP)
        return K_DROP;
    if (k == K_SOFT) {
        *soft = 1;
        return K_BLOCK;
    }
    *soft = hidden;
    return k;
}

static void kind_enter(ns__text *t, int k);

/* After an element's content: blocks end their paragraph. */
static void
kind_leave(ns__text *t, int k)
{
    if (k != K_BR)
        kind_enter(t, k);
}

static void
kind_enter(ns__text *t, int k)
{
    switch (k) {
    case K_BLOCK:
        ns__text_break(t, NS_TEXT_PARA);
        break;
    case K_BR:
        /* <br><br> is how old pages part paragraphs. */
        ns__text_break(t, t->pending == NS_TEXT_LINE ? NS_TEXT_PARA :
                                                       NS_TEXT_LINE);
        break;
    case K_ROW:
        ns__text_break(t, NS_TEXT_LINE);
        break;
    case K_CELL:
        ns__text_break(t, NS_TEXT_SPACE);
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------------------ */
/* DOM helpers                                                               */

/*
 * The walks below are iterative (parent/next links), never recursive: the
 * HTML parser does not limit nesting depth, and a page of ten thousand
 * nested <div>s must not exhaust the stack.
 */

void
ns__markup_text(ns__text *t, const xmlNode *root)
{
    const xmlNode *n = root;
    if (!n)
        return;
    for (;;) {
        int down = 0;
        switch (n->type) {
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
            if (n->content)
                ns__text_add(t, (const char *)n->content,
                             strlen((const char *)n->content));
            break;
        case XML_ELEMENT_NODE: {
            /* The root is read whatever its name: <title>, <header>. */
            int k = n == root ? K_BLOCK : markup_kind(n);
            if (k == K_DROP)
                break;
            kind_enter(t, k);
            if (n->children)
                down = 1;
            else
                kind_leave(t, k);
            break;
        }
        case XML_DOCUMENT_NODE:
        case XML_HTML_DOCUMENT_NODE:
            down = n->children != NULL;
            break;
        default:
            break; /* comments, PIs, entity references: nothing */
        }
        if (down) {
            n = n->children;
            continue;
        }
        for (;;) {
            if (n == root)
                return;
            if (n->next) {
                n = n->next;
                break;
            }
            n = n->parent;
            if (!n)
                return;
            if (n->type == XML_ELEMENT_NODE)
                kind_leave(t, n == root ? K_BLOCK : markup_kind(n));
        }
    }
}

char *
ns__markup_line(const xmlNode *node, int *oom)
{
    ns__text t = { { 0 }, 0, 1 };
    ns__markup_text(&t, node);
    if (t.buf.oom) {
        *oom = 1;
        ns__text_free(&t);
        return NULL;
    }
    if (t.buf.len == 0) {
        ns__text_free(&t);
        return NULL;
    }
    return ns__buf_detach(&t.buf);
}

/* A trimmed copy of s[0, n) with white space runs made one space; NULL
 * when empty (or out of memory: *oom). */
static char *
line_dup(const char *s, size_t n, int *oom)
{
    ns__text t = { { 0 }, 0, 1 };
    ns__text_add(&t, s, n);
    if (t.buf.oom)
        *oom = 1;
    if (t.buf.oom || t.buf.len == 0) {
        ns__text_free(&t);
        return NULL;
    }
    return ns__buf_detach(&t.buf);
}

static const char *
attr_value(const xmlNode *node, const char *name)
{
    for (const xmlAttr *a = node->properties; a; a = a->next) {
        if (a->name && strcmp((const char *)a->name, name) == 0) {
            if (a->children && a->children->type == XML_TEXT_NODE &&
                a->children->content)
                return (const char *)a->children->content;
            return "";
        }
    }
    return NULL;
}

char *
ns__markup_attr(const xmlNode *node, const char *name, int *oom)
{
    const char *v = node ? attr_value(node, name) : NULL;
    return v ? line_dup(v, strlen(v), oom) : NULL;
}

int
ns__markup_is(const xmlNode *node, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE && node->name &&
           strcmp((const char *)node->name, name) == 0;
}

xmlNode *
ns__markup_child(const xmlNode *node, const char *name)
{
    if (!node)
        return NULL;
    for (xmlNode *c = node->children; c; c = c->next)
        if (ns__markup_is(c, name))
            return c;
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* XML documents                                                             */

/* One HTML entity made readable by the XML parser (see xml_get_entity). */
typedef struct html_ent {
    xmlEntity ent;
    struct html_ent *next;
    xmlChar value[8]; /* the character, UTF-8 */
} html_ent;

typedef struct xml_state {
    ns__xml_problem *p;
    html_ent *ents;
    int oom;
} xml_state;

static void
problem_set(ns__xml_problem *p, unsigned long line, const char *msg)
{
    if (p->set)
        return;
    p->set = 1;
    p->line = line;
    snprintf(p->msg, sizeof p->msg, "%s", msg);
    char *s = p->msg;
    if (s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z'))
        s[0] = (char)(s[0] + 32);
    for (; *s; s++)
        if (*s == '\n' || *s == '\r' || *s == '\t')
            *s = ' ';
    size_t n = strlen(p->msg);
    while (n > 0 && p->msg[n - 1] == ' ')
        p->msg[--n] = '\0';
}

static void
xml_structured(void *ctx, xmlErrorPtr e)
{
    xmlParserCtxtPtr c = ctx;
    xml_state *st = c ? c->_private : NULL;
    if (!st || !e || e->level < XML_ERR_ERROR)
        return;
    problem_set(st->p, e->line > 0 ? (unsigned long)e->line : 0,
                e->message ? e->message : "malformed xml");
}

/*
 * Entities.  The document's own entity declarations are never recorded
 * (sax->entityDecl is NULL), so a reference to one is an undeclared-entity
 * error and expands to nothing: no external entity is read (XXE) and no
 * reference multiplies (billion laughs).  Feeds often use HTML entity names
 * (&nbsp; &rsquo;) that XML does not know; those we answer with the
 * character, typed as a predefined entity so the parser inlines it like
 * &amp;.
 */
static xmlEntityPtr
xml_get_entity(void *ctx, const xmlChar *name)
{
    xmlParserCtxtPtr c = ctx;
    xml_state *st = c->_private;
    const htmlEntityDesc *d = htmlEntityLookup(name);
    if (!d || !st)
        return NULL;
    for (html_ent *e = st->ents; e; e = e->next)
        if ((const char *)e->ent.name == d->name)
            return &e->ent;
    html_ent *e = ns__calloc(1, sizeof *e);
    if (!e) {
        st->oom = 1;
        return NULL;
    }
    ns_buf b = { 0 };
    ns__buf_put_utf8(&b, d->value);
    if (b.oom || b.len >= sizeof e->value) {
        ns__buf_free(&b);
        ns_free(e);
        st->oom = 1;
        return NULL;
    }
    memcpy(e->value, b.data, b.len);
    e->ent.length = (int)b.len;
    ns__buf_free(&b);
    e->ent.type = XML_ENTITY_DECL;
    e->ent.name = (const xmlChar *)d->name;
    e->ent.etype = XML_INTERNAL_PREDEFINED_ENTITY;
    e->ent.content = e->value;
    e->ent.orig = e->value;
    e->next = st->ents;
    st->ents = e;
    return &e->ent;
}

/*
 * After its first error the recovering parser stops inlining every entity,
 * &amp; included ("if (!ctxt->wellFormed) return" in xmlParseReference),
 * so one stray "&nbsp" would eat every later "&amp;" of a feed.  That guard
 * protects the expansion of declared entities, which we never have, so the
 * SAX events below set the flag back; the problem is recorded already.
 */
static void
sax_start_ns(void *ctx,
             const xmlChar *localname,
             const xmlChar *prefix,
             const xmlChar *uri,
             int nb_namespaces,
             const xmlChar **namespaces,
             int nb_attributes,
             int nb_defaulted,
             const xmlChar **attributes)
{
    xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces,
                          namespaces, nb_attributes, nb_defaulted, attributes);
    ((xmlParserCtxtPtr)ctx)->wellFormed = 1;
}

static void
sax_end_ns(void *ctx,
           const xmlChar *localname,
           const xmlChar *prefix,
           const xmlChar *uri)
{
    xmlSAX2EndElementNs(ctx, localname, prefix, uri);
    ((xmlParserCtxtPtr)ctx)->wellFormed = 1;
}

static void
sax_characters(void *ctx, const xmlChar *ch, int len)
{
    xmlSAX2Characters(ctx, ch, len);
    ((xmlParserCtxtPtr)ctx)->wellFormed = 1;
}

uint64_t
ns__line_offset(ns__line_cursor *c, unsigned long line)
{
    if (c->line == 0 || line < c->line) {
        c->line = 1;
        c->off = 0;
    }
    while (c->line < line && c->off < c->len) {
        const char *nl = memchr(c->data + c->off, '\n', c->len - c->off);
        if (!nl) {
            c->off = c->len;
            break;
        }
        c->off = (size_t)(nl - c->data) + 1;
        c->line++;
    }
    return c->off;
}

static unsigned long
line_of(const char *data, size_t off)
{
    unsigned long line = 1;
    for (size_t i = 0; i < off; i++)
        if (data[i] == '\n')
            line++;
    return line;
}

static const char *charset_alias(const char *label);

/* The encoding an XML declaration names, lowercased into enc ("" none). */
static void
xml_decl_encoding(const char *d, size_t n, char *enc, size_t cap)
{
    enc[0] = '\0';
    if (n < 5 || memcmp(d, "<?xml", 5) != 0)
        return;
    const char *end = memchr(d, '>', n < 512 ? n : 512);
    if (!end)
        return;
    for (const char *p = d + 5; p + 8 < end; p++) {
        if (memcmp(p, "encoding", 8) != 0)
            continue;
        p += 8;
        while (p < end && (*p == ' ' || *p == '=' || *p == '\t'))
            p++;
        if (p >= end || (*p != '"' && *p != '\''))
            return;
        char q = *p++;
        size_t k = 0;
        while (p < end && *p != q && k + 1 < cap) {
            enc[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
            p++;
        }
        enc[k] = '\0';
        return;
    }
}

ns_status
ns__xml_parse(char *data, size_t len, xmlDoc **out, ns__xml_problem *p)
{
    *out = NULL;
    memset(p, 0, sizeof *p);
    if (len > NS_MAX_MARKUP_BYTES)
        return NS_ERR_FORMAT;
    /* White space before the XML declaration (a feed written by a script
     * that printed a newline first) makes it no declaration to libxml2,
     * and its encoding is lost: the parse starts at the declaration, and
     * the problems found are placed in the whole input. */
    size_t lead = 0;
    unsigned long lead_lines = 0;
    while (lead < len && (data[lead] == ' ' || data[lead] == '\t' ||
                          data[lead] == '\r' || data[lead] == '\n'))
        lead_lines += data[lead++] == '\n';
    if (lead > 0 && len - lead >= 5 && memcmp(data + lead, "<?xml", 5) == 0) {
        data += lead;
        len -= lead;
    } else {
        lead = 0;
        lead_lines = 0;
    }
    const unsigned char *u = (const unsigned char *)data;
    int utf16 = (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) ||
                              (u[0] == 0xFE && u[1] == 0xFF))) ||
                (len >= 2 && (u[0] == 0 || u[1] == 0));
    char enc[40];
    xml_decl_encoding(data, len, enc, sizeof enc);
    int declared_utf8 =
        enc[0] == '\0' || strcmp(enc, "utf-8") == 0 || strcmp(enc, "utf8") == 0;
    int force_utf8 = 0;
    const char *read_as = NULL; /* the encoding to read instead of enc */
    char note[160] = "";
    uint64_t note_off = 0;
    if (!utf16 && !declared_utf8) {
        /* ASCII is read as the UTF-8 it is a part of, so a stray 8-bit
         * byte does not end the parse; an encoding libxml2 does not know
         * (or UTF-16/32 declared on 8-bit bytes) is read as UTF-8 too. */
        int known = 0;
        if (strcmp(enc, "us-ascii") == 0 || strcmp(enc, "ascii") == 0) {
            known = -1;
        } else if (strncmp(enc, "utf-16", 6) != 0 &&
                   strncmp(enc, "utf-32", 6) != 0 &&
                   strncmp(enc, "ucs", 3) != 0) {
            xmlCharEncodingHandlerPtr h = xmlFindCharEncodingHandler(enc);
            if (h) {
                known = 1;
                xmlCharEncCloseFunc(h);
                /* As browsers read feeds: a label for the superset its
                 * documents are written in, ISO-8859-1 for windows-1252
                 * (curly quotes and dashes in 0x80..0x9F), GB2312 for
                 * GB18030. */
                const char *as = charset_alias(enc);
                if (as && strcasecmp(as, enc) != 0 &&
                    strcmp(as, "UTF-8") != 0 &&
                    (h = xmlFindCharEncodingHandler(as)) != NULL) {
                    read_as = as;
                    xmlCharEncCloseFunc(h);
                }
            }
        }
        force_utf8 = known <= 0;
        if (known == 0)
            snprintf(note, sizeof note,
                     "unknown encoding \"%.60s\", read as utf-8", enc);
    }
    /* XML forbids C0 controls but tab, LF and CR; the parser would stop at
     * the first one, so they become spaces (and one problem). */
    if (!utf16) {
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)data[i];
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
                c == 0x7F) {
                if (!note[0]) {
                    snprintf(note, sizeof note,
                             "invalid control character 0x%02x", c);
                    note_off = i;
                }
                data[i] = ' ';
            }
        }
    }
    /* Invalid UTF-8 makes libxml2 2.9 reread the rest of the document as
     * Latin-1: replace the bad bytes first. */
    char *copy = NULL;
    if (!utf16 && (declared_utf8 || force_utf8) && !ns__utf8_valid(data, len)) {
        size_t i = 0;
        while (i < len) {
            uint32_t cp;
            size_t k = u8dec(u + i, len - i, &cp);
            if (k == 0)
                break;
            i += k;
        }
        if (!note[0]) {
            snprintf(note, sizeof note, "invalid utf-8");
            note_off = i;
        }
        ns_buf b = { 0 };
        ns__utf8_repair(&b, data, len);
        if (b.oom || b.len > NS_MAX_MARKUP_BYTES + (NS_MAX_MARKUP_BYTES / 2)) {
            int oom = b.oom;
            ns__buf_free(&b);
            return oom ? NS_ERR_NOMEM : NS_ERR_FORMAT;
        }
        len = b.len;
        data = copy = ns__buf_detach(&b);
        if (!copy)
            return NS_ERR_NOMEM;
    }
    if (note[0]) {
        /* Located in the bytes before any repair: close enough. */
        unsigned long line = line_of(data, note_off < len ? note_off : len);
        problem_set(p, line, note);
        p->offset = note_off;
    }

    quiet q;
    quiet_begin(&q);
    ns_status st = NS_OK;
    xml_state xs = { p, NULL, 0 };
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        st = NS_ERR_NOMEM;
        goto out;
    }
    ctxt->_private = &xs;
    ctxt->sax->serror = xml_structured;
    ctxt->sax->entityDecl = NULL;
    ctxt->sax->unparsedEntityDecl = NULL;
    ctxt->sax->resolveEntity = NULL;
    ctxt->sax->getEntity = xml_get_entity;
    ctxt->sax->startElementNs = sax_start_ns;
    ctxt->sax->endElementNs = sax_end_ns;
    ctxt->sax->characters = sax_characters;
    int opts = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
               XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES;
    if (force_utf8)
        read_as = "UTF-8";
    if (read_as)
        opts |= XML_PARSE_IGNORE_ENC;
    *out = xmlCtxtReadMemory(ctxt, data, (int)len, NULL, read_as, opts);
    if (xs.oom) {
        st = NS_ERR_NOMEM;
        xmlFreeDoc(*out);
        *out = NULL;
    }
    if (p->set && p->offset == 0 && p->line > 0) {
        ns__line_cursor lc = { data, len, 0, 0 };
        p->offset = ns__line_offset(&lc, p->line);
    }
    if (*out && !xmlDocGetRootElement(*out)) {
        xmlFreeDoc(*out);
        *out = NULL;
    }
    if (p->set) {
        p->offset += lead;
        if (p->line > 0)
            p->line += lead_lines;
    }
out:
    if (ctxt) {
        ctxt->_private = NULL;
        xmlFreeParserCtxt(ctxt);
    }
    while (xs.ents) {
        html_ent *next = xs.ents->next;
        ns_free(xs.ents);
        xs.ents = next;
    }
    quiet_end(&q);
    ns_free(copy);
    return st;
}

/* ------------------------------------------------------------------------ */
/* HTML parsing                                                              */

/* The reading of an HTML fragment (one pass of sx_parse, below). */
static int frag_read(ns__text *t, const char *utf8, size_t len);

void
ns__html_fragment_text(ns__text *t, const char *html, size_t len)
{
    if (!memchr(html, '<', len) && !memchr(html, '&', len)) {
        ns__text_add(t, html, len);
        return;
    }
    /* The parser wants valid UTF-8 without NUL bytes. */
    ns_buf b = { 0 };
    const char *src = html;
    if (!ns__utf8_valid(html, len) || memchr(html, '\0', len)) {
        ns__utf8_repair(&b, html, len);
        for (size_t i = 0; i < b.len; i++)
            if (b.data[i] == '\0')
                b.data[i] = ' ';
        if (b.oom) {
            t->buf.oom = 1;
            ns__buf_free(&b);
            return;
        }
        src = b.data;
        len = b.len;
    }
    if (!frag_read(t, src, len))
        ns__text_add(t, src, len); /* over NS_MAX_HTML_TAGS tags */
    ns__buf_free(&b);
}

/* ------------------------------------------------------------------------ */
/* Charsets                                                                  */

void
ns__http_charset(const char *ct, char *out, size_t cap)
{
    out[0] = '\0';
    if (!ct || cap == 0)
        return;
    for (const char *p = ct; *p; p++) {
        if (strncasecmp(p, "charset", 7) != 0)
            continue;
        const char *v = p + 7;
        while (*v == ' ' || *v == '\t')
            v++;
        if (*v != '=')
            continue;
        v++;
        while (*v == ' ' || *v == '\t' || *v == '"' || *v == '\'')
            v++;
        size_t k = 0;
        while (v[k] && k + 1 < cap &&
               ((v[k] >= 'a' && v[k] <= 'z') || (v[k] >= 'A' && v[k] <= 'Z') ||
                (v[k] >= '0' && v[k] <= '9') || strchr("-_.:", v[k])))
            k++;
        memcpy(out, v, k);
        out[k] = '\0';
        return;
    }
}

/* The charset a <meta> (or an XML declaration) in the first 4 KiB names,
 * into out; "" when none. */
static void
meta_charset(const char *d, size_t n, char *out, size_t cap)
{
    out[0] = '\0';
    if (n > 4096)
        n = 4096;
    if (n >= 5 && memcmp(d, "<?xml", 5) == 0) {
        char enc[40];
        xml_decl_encoding(d, n, enc, sizeof enc);
        if (enc[0]) {
            snprintf(out, cap, "%s", enc);
            return;
        }
    }
    for (size_t i = 0; i + 5 < n; i++) {
        if (d[i] != '<' || strncasecmp(d + i + 1, "meta", 4) != 0)
            continue;
        const char *end = memchr(d + i, '>', n - i);
        if (!end)
            return;
        /* One tag: copy it NUL-terminated to search it. */
        char tag[512];
        size_t tl = (size_t)(end - (d + i));
        if (tl >= sizeof tag)
            tl = sizeof tag - 1;
        memcpy(tag, d + i, tl);
        tag[tl] = '\0';
        for (size_t k = 0; k < tl; k++)
            if (tag[k] == '\0')
                tag[k] = ' ';
        ns__http_charset(tag, out, cap);
        if (out[0])
            return;
        i = (size_t)(end - d);
    }
}

/*
 * How to decode: our answers for the labels pages use (after the WHATWG
 * Encoding Standard, which browsers follow): Latin-1 and ASCII are read as
 * windows-1252, GB2312 as GB18030, and so on.  NULL: hand the label to
 * iconv as it is.
 */
typedef struct cs_alias {
    const char *label;
    const char *charset;
} cs_alias;

static const cs_alias cs_aliases[] = {
    { "ascii", "windows-1252" },
    { "big5", "BIG5-HKSCS" },
    { "chinese", "GB18030" },
    { "cp1252", "windows-1252" },
    { "cp819", "windows-1252" },
    { "csgb2312", "GB18030" },
    { "csisolatin1", "windows-1252" },
    { "csshiftjis", "CP932" },
    { "euc-kr", "CP949" },
    { "gb18030", "GB18030" },
    { "gb2312", "GB18030" },
    { "gb_2312-80", "GB18030" },
    { "gbk", "GB18030" },
    { "ibm819", "windows-1252" },
    { "iso-8859-1", "windows-1252" },
    { "iso-8859-11", "CP874" },
    { "iso-8859-9", "windows-1254" },
    { "iso-ir-100", "windows-1252" },
    { "iso8859-1", "windows-1252" },
    { "iso88591", "windows-1252" },
    { "iso_8859-1", "windows-1252" },
    { "iso_8859-1:1987", "windows-1252" },
    { "ks_c_5601-1987", "CP949" },
    { "l1", "windows-1252" },
    { "latin1", "windows-1252" },
    { "ms_kanji", "CP932" },
    { "shift-jis", "CP932" },
    { "shift_jis", "CP932" },
    { "sjis", "CP932" },
    { "tis-620", "CP874" },
    { "unicode-1-1-utf-8", "UTF-8" },
    { "us-ascii", "windows-1252" },
    { "utf-16", "UTF-8" },
    { "utf-16be", "UTF-8" },
    { "utf-16le", "UTF-8" },
    { "utf-8", "UTF-8" },
    { "utf8", "UTF-8" },
    { "windows-1252", "windows-1252" },
    { "windows-31j", "CP932" },
    { "windows-949", "CP949" },
    { "x-cp1252", "windows-1252" },
    { "x-gbk", "GB18030" },
    { "x-sjis", "CP932" },
};

static int
alias_cmp(const void *key, const void *ent)
{
    return strcmp(key, ((const cs_alias *)ent)->label);
}

/* Our charset for a label (lowercase), or NULL when it has no alias. */
static const char *
charset_alias(const char *label)
{
    const cs_alias *a =
        bsearch(label, cs_aliases, sizeof cs_aliases / sizeof *cs_aliases,
                sizeof *cs_aliases, alias_cmp);
    return a ? a->charset : NULL;
}

/* Whether c is a C0 control the HTML parser should not see. */
static int
bad_control(unsigned char c)
{
    return c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f';
}

static void
decode_1252(ns_buf *b, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (!bad_control(c))
                ns__buf_putc(b, (char)c);
        } else {
            /* The five holes as the C1 code points, as browsers do. */
            uint32_t cp = ns__cp1252(c);
            ns__buf_put_utf8(b, cp ? cp : c);
        }
    }
}

/* Decode with iconv; undecodable bytes become U+FFFD.  0 when iconv does
 * not know the charset. */
static int
decode_iconv(ns_buf *b, const char *charset, const char *s, size_t n)
{
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1)
        return 0;
    char *in = (char *)(uintptr_t)s; /* iconv's prototype is not const */
    size_t left = n;
    while (left > 0 && !b->oom) {
        if (ns__buf_reserve(b, left * 2 + 64) != 0)
            break;
        char *out = b->data + b->len;
        size_t room = b->cap - b->len - 1;
        size_t r = iconv(cd, &in, &left, &out, &room);
        b->len = (size_t)(out - b->data);
        if (r != (size_t)-1)
            break;
        if (errno == E2BIG)
            continue;
        /* EILSEQ or EINVAL (cut at the end): one bad byte. */
        ns__buf_append(b, "\xEF\xBF\xBD", 3);
        in++;
        left--;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    iconv_close(cd);
    if (b->data)
        b->data[b->len] = '\0';
    return 1;
}

/* Drop the C0 controls (and NUL) of b in place: the HTML parser stops or
 * complains at them. */
static void
strip_controls(ns_buf *b)
{
    /* The common case: nothing to drop, nothing written.  A page is
     * megabytes: eight bytes at a time, each looked at only when one of
     * the eight is below 0x20 (a line break, most often). */
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    while (i < b->len) {
        for (; i + 8 <= b->len; i += 8) {
            uint64_t x;
            memcpy(&x, b->data + i, 8);
            if ((x - ones * 0x20) & ~x & highs)
                break;
        }
        size_t stop = i + 8 < b->len ? i + 8 : b->len;
        while (i < stop && !bad_control((unsigned char)b->data[i]))
            i++;
        if (i < stop)
            break; /* a byte to drop at i */
    }
    size_t k = i;
    for (; i < b->len; i++)
        if (!bad_control((unsigned char)b->data[i]))
            b->data[k++] = b->data[i];
    b->len = k;
    if (b->data)
        b->data[k] = '\0';
}

/* Whether s holds a byte >= 0x80. */
static int
has_high(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 1;
    return 0;
}

/* Convert a page to UTF-8 into b; the charset used goes to used. */
static void
page_to_utf8(ns_buf *b,
             const char *data,
             size_t len,
             const char *http_charset,
             char *used,
             size_t used_cap)
{
    const unsigned char *u = (const unsigned char *)data;
    const char *cs = NULL;
    char declared[64] = "";
    int valid = -1; /* whether data is valid UTF-8; -1 not known yet */
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        data += 3;
        len -= 3;
        cs = "UTF-8";
    } else if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
        cs = "UTF-16LE";
    } else if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
        cs = "UTF-16BE";
    }
    if (!cs) {
        if (http_charset && *http_charset)
            lower_into(http_charset, declared, sizeof declared);
        else
            meta_charset(data, len, declared, sizeof declared);
        valid = ns__utf8_valid(data, len);
        cs = declared[0] ? charset_alias(declared) : NULL;
        if (!cs && declared[0])
            cs = declared;
        /* A declaration the bytes disprove is not trusted: invalid UTF-8
         * declared UTF-8 is most likely windows-1252, and multi-byte
         * UTF-8 declared as anything is UTF-8. */
        if (!cs)
            cs = valid ? "UTF-8" : "windows-1252";
        else if (strcmp(cs, "UTF-8") == 0 && !valid)
            cs = "windows-1252";
        else if (strcmp(cs, "UTF-8") != 0 && valid && has_high(data, len))
            cs = "UTF-8";
    }
    if (strcmp(cs, "UTF-8") == 0) {
        if (valid < 0)
            valid = ns__utf8_valid(data, len);
        if (valid)
            ns__buf_append(b, data, len);
        else
            ns__utf8_repair(b, data, len);
        strip_controls(b);
    } else if (strcmp(cs, "windows-1252") == 0) {
        decode_1252(b, (const unsigned char *)data, len);
    } else if (decode_iconv(b, cs, data, len)) {
        strip_controls(b);
    } else {
        /* A charset iconv does not know. */
        cs = ns__utf8_valid(data, len) ? "UTF-8" : "windows-1252";
        ns__buf_reset(b);
        if (cs[0] == 'U')
            ns__buf_append(b, data, len);
        else
            decode_1252(b, (const unsigned char *)data, len);
        strip_controls(b);
    }
    ns__buf_reserve(b, 1);
    if (b->data)
        b->data[b->len] = '\0';
    snprintf(used, used_cap, "%s", cs);
}

/* ------------------------------------------------------------------------ */
/* What extraction never reads, out before the parse                         */

/*
 * A news page is mostly what extraction never reads: the text of <script>
 * and <style> elements (over half of the bytes of the shared WARC pages)
 * and attributes such as data-*, srcset, onclick and the href of links
 * (about 40% of the rest).  libxml2's HTML parser scans all of it
 * character by character and copies it into the strings of its SAX
 * events, so page_slim cuts it out of the UTF-8 page first, in place,
 * with a scan that reads markup as libxml2 2.9's recovering parser does
 * (htmlParseContentInternal and the functions it calls).  The events are
 * then those the whole page gives, minus those texts and attributes; where
 * the scan is not sure to read a tag as libxml2 does, it leaves the tag,
 * or the rest of the page, as is.
 */

static int
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int
is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The first character of a name (htmlParseHTMLName). */
static int
is_name_start(char c)
{
    return is_alpha(c) || c == '_' || c == ':' || c == '.';
}

static int
is_name_char(char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9') || c == ':' || c == '-' ||
           c == '_' || c == '.';
}

/* Whether d[t] starts "/>" (n: the data's length). */
static int
at_empty_end(const char *d, size_t n, size_t t)
{
    return d[t] == '/' && t + 1 < n && d[t + 1] == '>';
}

/*
 * One attribute of a start tag at d[t] (not a blank, '>' or "/>"), as
 * htmlParseAttribute reads it: sets *ne past its name (*ne == t when the
 * name is bogus: libxml2 then skips to a blank or the tag's end, quotes or
 * not, and *plain is cleared) and returns the offset past its value (or
 * name).  Returns 0 when the value's quote is never closed.
 */
static size_t
attr_scan(const char *d, size_t n, size_t t, size_t *ne, int *plain)
{
    if (!is_name_start(d[t])) {
        *plain = 0;
        *ne = t;
        while (t < n && !is_blank(d[t]) && d[t] != '>' &&
               !at_empty_end(d, n, t))
            t++;
        return t;
    }
    while (t < n && is_name_char(d[t]))
        t++;
    *ne = t;
    size_t u = t;
    while (u < n && is_blank(d[u]))
        u++;
    if (u >= n || d[u] != '=')
        return t;
    u++;
    while (u < n && is_blank(d[u]))
        u++;
    if (u < n && (d[u] == '"' || d[u] == '\'')) {
        const char *q = memchr(d + u + 1, d[u], n - u - 1);
        return q ? (size_t)(q - d) + 1 : 0;
    }
    while (u < n && !is_blank(d[u]) && d[u] != '>')
        u++;
    return u;
}

/*
 * The end of the start tag whose attributes begin at d[t]: the offset
 * past its '>', *empty set when it ends with "/>"; 0 when it has no end.
 * *plain is cleared when an attribute name is bogus.
 */
static size_t
tag_end(const char *d, size_t n, size_t t, int *empty, int *plain)
{
    *empty = 0;
    while (t < n) {
        if (is_blank(d[t])) {
            t++;
        } else if (d[t] == '>') {
            return t + 1;
        } else if (at_empty_end(d, n, t)) {
            *empty = 1;
            return t + 2;
        } else {
            size_t ne;
            if ((t = attr_scan(d, n, t, &ne, plain)) == 0)
                return 0;
        }
    }
    return 0;
}

/* The attributes extraction reads (attr_hides, meta_tag, sx_meta,
 * sx_stat), sorted; slim_tag keeps each only where it is read. */
static const char *const kept_attrs[] = {
    "aria-hidden", "class", "content",  "datetime", "hidden",
    "href",        "http-equiv",        "id",       "itemprop",
    "lang",        "name",  "property", "rel",      "style",
    "type",
};
/* Their indexes. */
enum {
    KA_ARIA_HIDDEN,
    KA_CLASS,
    KA_CONTENT,
    KA_DATETIME,
    KA_HIDDEN,
    KA_HREF,
    KA_HTTP_EQUIV,
    KA_ID,
    KA_ITEMPROP,
    KA_LANG,
    KA_NAME,
    KA_PROPERTY,
    KA_REL,
    KA_STYLE,
    KA_TYPE
};

static int meta_key_known(const char *v, size_t n);

static int neg_value_n(const char *v, size_t n);

/*
 * The value of the attribute whose name ends at d[an] and which ends at
 * d[e], as written (quotes off): d[*vs, *ve).  0 when it has none.
 */
static int
attr_value_at(const char *d, size_t an, size_t e, size_t *vs, size_t *ve)
{
    size_t u = an;
    while (u < e && is_blank(d[u]))
        u++;
    if (u >= e || d[u] != '=')
        return 0;
    u++;
    while (u < e && is_blank(d[u]))
        u++;
    *vs = u;
    *ve = e;
    if (u < e && (d[u] == '"' || d[u] == '\'')) {
        (*vs)++;
        (*ve)--; /* the closing quote */
    }
    return *vs < *ve;
}

/* Whether a value as written may read otherwise once the parser decoded
 * it: an entity, or a byte it could drop (a non-character). */
static int
value_unsure(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == '&' || (v[i] & 0x80))
            return 1;
    return 0;
}

/*
 * Whether a class or id attribute (the value as written, vs < ve) must
 * stay: sx_stat reads them only to see whether they mark boilerplate
 * (neg_value), and classes are a quarter of what is left of a page.
 */
static int
neg_kept(const char *d, size_t vs, size_t ve)
{
    if (memchr(d + vs, '&', ve - vs))
        return 1;
    return neg_value_n(d + vs, ve - vs);
}

/* Whether a style attribute must stay: it hides its element (attr_hides,
 * on the value as written) or may once decoded. */
static int
style_kept(const char *d, size_t vs, size_t ve)
{
    return value_unsure(d + vs, ve - vs) || style_hides(d + vs, ve - vs);
}

/* The index of a name in kept_attrs (any case), or -1.  Run on every
 * attribute of a page: by length first, most names are none of them. */
static int
attr_index(const char *name, size_t len)
{
    static const unsigned char by_len[16][4] = {
        [2] = { KA_ID + 1 },
        [3] = { KA_REL + 1 },
        [4] = { KA_HREF + 1, KA_LANG + 1, KA_NAME + 1, KA_TYPE + 1 },
        [5] = { KA_CLASS + 1, KA_STYLE + 1 },
        [6] = { KA_HIDDEN + 1 },
        [7] = { KA_CONTENT + 1 },
        [8] = { KA_DATETIME + 1, KA_ITEMPROP + 1, KA_PROPERTY + 1 },
        [10] = { KA_HTTP_EQUIV + 1 },
        [11] = { KA_ARIA_HIDDEN + 1 },
    };
    if (len >= 16)
        return -1;
    for (int i = 0; i < 4 && by_len[len][i]; i++) {
        int k = by_len[len][i] - 1;
        if (ascii_lower(name[0]) == (unsigned char)kept_attrs[k][0] &&
            lower_is(name, len, kept_attrs[k]))
            return k;
    }
    return -1;
}

/* Whether d[0, len) is name, in any case. */
static int
name_is(const char *d, size_t len, const char *name)
{
    return strlen(name) == len && strncasecmp(d, name, len) == 0;
}

/* Move d[from, to) down to d[*w] and advance *w. */
static void
slim_copy(char *d, size_t *w, size_t from, size_t to)
{
    if (*w != from)
        memmove(d + *w, d + from, to - from);
    *w += to - from;
}

/* The offset past the first '>' at or after t; n when there is none. */
static size_t
past_gt(const char *d, size_t n, size_t t)
{
    const char *g = t < n ? memchr(d + t, '>', n - t) : NULL;
    return g ? (size_t)(g - d) + 1 : n;
}

/*
 * Copy the start tag d[r, te) to *w with only the attributes extraction
 * reads of that element (ns: its name's offset, ne past it), as sx_meta
 * and sx_stat read them: content only on a <meta> whose name (property,
 * itemprop, http-equiv) is one meta_tag knows or on an itemprop element;
 * name, property and http-equiv on <meta>; type on <script>; rel and href
 * on a canonical <link>; lang on <html>; class, id and style where they
 * mark boilerplate or hide.  libxml2 keeps the first of an attribute
 * only: a later one goes, and the first decides.  A value with an entity
 * or a byte the parser could drop is kept where its reading matters.
 */
static void
slim_tag(char *d, size_t *w, size_t r, size_t ns, size_t ne, size_t te)
{
    /* The element's local name, as the events give it (local_name). */
    size_t ls = ns;
    const char *colon = memchr(d + ns, ':', ne - ns);
    if (colon && colon > d + ns && colon + 1 < d + ne)
        ls = (size_t)(colon - d) + 1;
    size_t ll = ne - ls;
    int is_meta = name_is(d + ls, ll, "meta");
    int is_link = name_is(d + ls, ll, "link");
    int is_script = name_is(d + ls, ll, "script");
    int is_html = name_is(d + ls, ll, "html");
    int plain = 1, itemprop = 0, meta_known = 0, canonical = 0;
    uint32_t seen = 0;
    /* Copied before what decides them was read (content; rel and href):
     * their output, cut at the end if they are not read after all. */
    size_t pend[3][2], npend = 0;
    int pend_kind[3];
    slim_copy(d, w, r, ne);
    size_t t = ne, an, vs, ve;
    for (;;) {
        size_t a = t; /* the blanks before the attribute */
        while (is_blank(d[t]))
            t++;
        if (d[t] == '>' || at_empty_end(d, te, t)) {
            slim_copy(d, w, a, te);
            break;
        }
        size_t e = attr_scan(d, te, t, &an, &plain);
        int k = attr_index(d + t, an - t), keep = 0, defer = 0;
        if (k >= 0 && !(seen & (1u << k))) {
            seen |= 1u << k;
            int hv = attr_value_at(d, an, e, &vs, &ve);
            switch (k) {
            case KA_CLASS:
            case KA_ID:
                keep = hv && neg_kept(d, vs, ve);
                break;
            case KA_STYLE:
                keep = hv && style_kept(d, vs, ve);
                break;
            case KA_CONTENT:
                keep = defer = 1;
                break;
            case KA_NAME:
            case KA_PROPERTY:
            case KA_HTTP_EQUIV:
            case KA_ITEMPROP:
                keep = k == KA_ITEMPROP || is_meta;
                if (k == KA_ITEMPROP)
                    itemprop = 1;
                if (is_meta && hv &&
                    (value_unsure(d + vs, ve - vs) ||
                     meta_key_known(d + vs, ve - vs)))
                    meta_known = 1;
                break;
            case KA_TYPE:
                keep = is_script;
                break;
            case KA_REL:
                if (is_link && hv &&
                    (value_unsure(d + vs, ve - vs) ||
                     ns__find(d + vs, ve - vs, "canonical", 9)))
                    canonical = 1;
                keep = defer = is_link;
                break;
            case KA_HREF:
                keep = defer = is_link;
                break;
            case KA_LANG:
                keep = is_html;
                break;
            default: /* aria-hidden, datetime, hidden */
                keep = 1;
                break;
            }
        }
        if (keep) {
            size_t w0 = *w;
            /* title="x"href=y: a blank where one was cut. */
            if (a == t && *w < a)
                d[(*w)++] = ' ';
            slim_copy(d, w, a, e);
            if (defer) {
                pend[npend][0] = w0;
                pend[npend][1] = *w;
                pend_kind[npend++] = k;
            }
        }
        t = e;
    }
    /* Cut what was not read after all, the last first; a blank stays in
     * its place, so what followed it is still apart. */
    while (npend-- > 0) {
        int k = pend_kind[npend];
        if (k == KA_CONTENT ? itemprop || meta_known : canonical)
            continue;
        size_t s0 = pend[npend][0], s1 = pend[npend][1];
        memmove(d + s0 + 1, d + s1, *w - s1);
        d[s0] = ' ';
        *w -= s1 - s0 - 1;
    }
}

/*
 * Cut from the UTF-8 page in b, in place: the content of <script> (but
 * JSON-LD's) and <style>, and the attributes extraction never looks
 * at.  As libxml2 reads it: a comment runs to "-->" and a processing
 * instruction or an end tag to '>' (a "<script" in them is no tag); a
 * start tag is '<' and a letter, read with its quoted values;
 * "<script/>" has no content; and a script's content ends at the first
 * "</script" (any case), else at the end of the page.
 */
/*
 * JSON-LD is a fifth of what is left of a news page, and libxml2 reads a
 * script's text a character at a time.  So page_slim takes the text of a
 * JSON-LD script, d[r, e), out of the page into jl, NUL-terminated, as
 * libxml2 would pass it (form feeds and the non-characters U+FFFE and
 * U+FFFF dropped), and marks the script's start tag, which ends at d[*w],
 * with the attribute ns-jl=OFFSET of the text in jl.  page_slim cuts that
 * name from every tag it reads; one in a tag it leaves whole (and whose
 * script text it keeps) can only name another JSON-LD text of the same
 * page.  0 when there is no room for the mark (a short text) or memory:
 * the text stays.
 */
static int
jl_set_aside(char *d, size_t *w, size_t r, size_t e, ns_buf *jl)
{
    char mark[32];
    int ml = snprintf(mark, sizeof mark, " ns-jl=%zu>", jl->len);
    if (ml <= 0 || *w + (size_t)ml - 1 > e || jl->len > UINT32_MAX)
        return 0;
    if (ns__buf_reserve(jl, e - r + 1) != 0)
        return 0;
    for (size_t i = r; i < e; i++) {
        unsigned char c = (unsigned char)d[i];
        if (c == '\f')
            continue;
        if (c == 0xEF && i + 2 < e && (unsigned char)d[i + 1] == 0xBF &&
            ((unsigned char)d[i + 2] == 0xBE ||
             (unsigned char)d[i + 2] == 0xBF)) {
            i += 2;
            continue;
        }
        jl->data[jl->len++] = (char)c;
    }
    jl->data[jl->len++] = '\0';
    /* Over the tag's '>' and into the text just taken out. */
    memcpy(d + *w - 1, mark, (size_t)ml);
    *w += (size_t)ml - 1;
    return 1;
}

static void
page_slim(ns_buf *b, ns_buf *jl)
{
    char *d = b->data;
    size_t n = b->len, r = 0, w = 0;
    if (!d)
        return;
    while (r < n) {
        const char *lt = memchr(d + r, '<', n - r);
        size_t at = lt ? (size_t)(lt - d) : n;
        slim_copy(d, &w, r, at);
        r = at;
        if (r + 1 >= n) {
            slim_copy(d, &w, r, n); /* a '<' at the very end */
            break;
        }
        char c = d[r + 1];
        size_t end = r + 1; /* what is copied as it is */
        if (c == '!' && n - r >= 4 && d[r + 2] == '-' && d[r + 3] == '-') {
            const char *e = ns__find(d + r + 4, n - r - 4, "-->", 3);
            end = e ? (size_t)(e - d) + 3 : n;
        } else if (c == '!' && n - r >= 9 &&
                   strncasecmp(d + r + 2, "DOCTYPE", 7) == 0) {
            /* Its quoted identifiers may hold '>'. */
            end = r + 9;
            while (end < n && d[end] != '>') {
                if (d[end] == '"' || d[end] == '\'') {
                    const char *q = memchr(d + end + 1, d[end], n - end - 1);
                    end = q ? (size_t)(q - d) : n;
                }
                end++;
            }
            if (end < n)
                end++;
        } else if (c == '?' && r + 2 < n &&
                   (is_name_start(d[r + 2]) || (d[r + 2] & 0x80))) {
            end = past_gt(d, n, r + 2);
        } else if (c == '/' && r + 2 < n && is_name_start(d[r + 2])) {
            end = past_gt(d, n, r + 2);
        } else if (is_alpha(c)) {
            size_t ns = r + 1, ne = ns;
            while (ne < n && is_name_char(d[ne]))
                ne++;
            int empty, plain = 1;
            size_t te = tag_end(d, n, ne, &empty, &plain);
            if (te == 0) {
                end = n; /* an unclosed quote: the rest as it is */
            } else {
                /* (The copy moves the tag's bytes: read them first.) */
                size_t tw = w, k = ne - ns;
                int script = name_is(d + ns, k, "script");
                int raw = script || name_is(d + ns, k, "style");
                if (plain)
                    slim_tag(d, &w, r, ns, ne, te);
                else
                    slim_copy(d, &w, r, te);
                r = te;
                /* Raw content that starts with "</" is an end tag to
                 * libxml2; else it runs to "</script" or "</style". */
                if (empty || !raw ||
                    (n - r >= 2 && d[r] == '<' && d[r + 1] == '/'))
                    continue;
                size_t e = r;
                for (;;) {
                    const char *q = memchr(d + e, '<', n - e);
                    if (!q) {
                        e = n;
                        break;
                    }
                    e = (size_t)(q - d);
                    if (n - e > k + 1 && d[e + 1] == '/' &&
                        strncasecmp(d + e + 2, d + tw + 1, k) == 0)
                        break;
                    e++;
                }
                /* JSON-LD is read: set aside (jl_set_aside), else kept; a
                 * tag not read for sure stays whole. */
                if (!plain ||
                    (script && ns__find(d + tw, w - tw, "ld+json", 7) &&
                     !jl_set_aside(d, &w, r, e, jl)))
                    slim_copy(d, &w, r, e);
                r = e;
                continue;
            }
        }
        slim_copy(d, &w, r, end);
        r = end;
    }
    b->len = w;
    d[w] = '\0';
}

/* ------------------------------------------------------------------------ */
/* Page metadata                                                             */

/* Where a date came from, most trusted first. */
enum { D_OG, D_JSONLD, D_ITEMPROP, D_META, D_TIME, D_N };
/* Where an author came from, most trusted first. */
enum { A_META, A_JSONLD, A_ARTICLE, A_OTHER, A_ITEMPROP, A_BYL, A_N };

typedef struct page_meta {
    char *og_title, *jl_headline, *tw_title, *title_tag, *h1;
    char *date[D_N];
    char *author[A_N];
    char *site, *jl_publisher, *app_name;
    char *og_url, *canonical;
    char *lang, *content_lang, *jl_lang;
    char *jl_body; /* JSON-LD articleBody, as written */
    int jl_found;  /* an Article object was read */
    int oom;
} page_meta;

static void
meta_free(page_meta *m)
{
    char **all[] = { &m->og_title,     &m->jl_headline, &m->tw_title,
                     &m->title_tag,    &m->h1,          &m->site,
                     &m->jl_publisher, &m->app_name,    &m->og_url,
                     &m->canonical,    &m->lang,        &m->content_lang,
                     &m->jl_lang,      &m->jl_body };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        ns_free(*all[i]);
    for (int i = 0; i < D_N; i++)
        ns_free(m->date[i]);
    for (int i = 0; i < A_N; i++)
        ns_free(m->author[i]);
}

static void
set_once(page_meta *m, char **slot, const char *v)
{
    if (!*slot && v)
        *slot = line_dup(v, strlen(v), &m->oom);
}

typedef struct meta_key {
    const char *key;
    unsigned char what; /* MK_* */
    unsigned char rank;
} meta_key;

enum {
    MK_TITLE,
    MK_TWTITLE,
    MK_SITE,
    MK_APP,
    MK_URL,
    MK_DATE,
    MK_AUTHOR,
    MK_LANG
};

/* <meta name|property|itemprop|http-equiv=key content=...>, sorted. */
static const meta_key meta_keys[] = {
    { "application-name", MK_APP, 0 },
    { "article.published", MK_DATE, D_META },
    { "article:author", MK_AUTHOR, A_ARTICLE },
    { "article:published", MK_DATE, D_OG },
    { "article:published_time", MK_DATE, D_OG },
    { "author", MK_AUTHOR, A_META },
    { "byl", MK_AUTHOR, A_BYL },
    { "citation_publication_date", MK_DATE, D_META },
    { "content-language", MK_LANG, 0 },
    { "date", MK_DATE, D_META },
    { "datepublished", MK_DATE, D_ITEMPROP },
    { "dc.creator", MK_AUTHOR, A_OTHER },
    { "dc.date", MK_DATE, D_META },
    { "dc.date.issued", MK_DATE, D_META },
    { "dcterms.created", MK_DATE, D_META },
    { "dcterms.creator", MK_AUTHOR, A_OTHER },
    { "dcterms.date", MK_DATE, D_META },
    { "dcterms.issued", MK_DATE, D_META },
    { "og:article:published_time", MK_DATE, D_OG },
    { "og:published_time", MK_DATE, D_OG },
    { "og:site_name", MK_SITE, 0 },
    { "og:title", MK_TITLE, 0 },
    { "og:url", MK_URL, 0 },
    { "parsely-author", MK_AUTHOR, A_OTHER },
    { "parsely-pub-date", MK_DATE, D_META },
    { "pubdate", MK_DATE, D_META },
    { "publish-date", MK_DATE, D_META },
    { "publish_date", MK_DATE, D_META },
    { "publishdate", MK_DATE, D_META },
    { "sailthru.author", MK_AUTHOR, A_OTHER },
    { "sailthru.date", MK_DATE, D_META },
    { "twitter:title", MK_TWTITLE, 0 },
};

static int
meta_key_cmp(const void *key, const void *ent)
{
    return strcmp(key, ((const meta_key *)ent)->key);
}

/* Whether meta_tag knows the key v[0, n) (any case). */
static int
meta_key_known(const char *v, size_t n)
{
    char key[48];
    if (n >= sizeof key)
        return 0; /* longer than any, also cut as meta_tag cuts it */
    for (size_t i = 0; i < n; i++)
        key[i] = (char)ascii_lower(v[i]);
    key[n] = '\0';
    return bsearch(key, meta_keys, sizeof meta_keys / sizeof *meta_keys,
                   sizeof *meta_keys, meta_key_cmp) != NULL;
}

/* The value of attribute name among SAX attributes (name, value pairs,
 * NULL-terminated): "" when written without a value, NULL when absent.
 * The parser keeps only the first of an attribute, as the tree does. */
static const char *
atts_value(const xmlChar **atts, const char *name)
{
    for (; atts && atts[0]; atts += 2)
        if (strcmp((const char *)atts[0], name) == 0)
            return atts[1] ? (const char *)atts[1] : "";
    return NULL;
}

static void
meta_tag(page_meta *m, const xmlChar **atts)
{
    const char *content = atts_value(atts, "content");
    if (!content)
        return;
    const char *names[] = { "property", "name", "itemprop", "http-equiv" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const char *k = atts_value(atts, names[i]);
        if (!k)
            continue;
        char key[48];
        lower_into(k, key, sizeof key);
        const meta_key *mk =
            bsearch(key, meta_keys, sizeof meta_keys / sizeof *meta_keys,
                    sizeof *meta_keys, meta_key_cmp);
        if (!mk)
            continue;
        switch (mk->what) {
        case MK_TITLE:
            set_once(m, &m->og_title, content);
            break;
        case MK_TWTITLE:
            set_once(m, &m->tw_title, content);
            break;
        case MK_SITE:
            set_once(m, &m->site, content);
            break;
        case MK_APP:
            set_once(m, &m->app_name, content);
            break;
        case MK_URL:
            set_once(m, &m->og_url, content);
            break;
        case MK_DATE:
            set_once(m, &m->date[mk->rank], content);
            break;
        case MK_AUTHOR:
            /* article:author is often a profile URL: not a name. */
            if (strncmp(content, "http", 4) != 0)
                set_once(m, &m->author[mk->rank], content);
            break;
        case MK_LANG:
            set_once(m, &m->content_lang, content);
            break;
        }
    }
}

/* JSON-LD (schema.org) ------------------------------------------------- */

static int
jl_is_article(json_object *t)
{
    if (json_object_is_type(t, json_type_array)) {
        size_t n = json_object_array_length(t);
        for (size_t i = 0; i < n && i < 16; i++)
            if (jl_is_article(json_object_array_get_idx(t, i)))
                return 1;
        return 0;
    }
    if (!json_object_is_type(t, json_type_string))
        return 0;
    const char *s = json_object_get_string(t);
    const char *slash = strrchr(s, '/');
    if (slash)
        s = slash + 1;
    const char *colon = strrchr(s, ':');
    if (colon)
        s = colon + 1;
    size_t n = strlen(s);
    return (n >= 7 && strcmp(s + n - 7, "Article") == 0) ||
           strstr(s, "BlogPosting") != NULL || strcmp(s, "Report") == 0;
}

static const char *
jl_string(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        return NULL;
    if (json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    return NULL;
}

/* The node of graph (an @graph array, may be NULL) whose "@id" is id. */
static json_object *
jl_node(json_object *graph, const char *id)
{
    if (!graph || !json_object_is_type(graph, json_type_array))
        return NULL;
    size_t n = json_object_array_length(graph);
    for (size_t i = 0; i < n && i < 256; i++) {
        json_object *o = json_object_array_get_idx(graph, i);
        const char *s;
        if (json_object_is_type(o, json_type_object) &&
            (s = jl_string(o, "@id")) && strcmp(s, id) == 0)
            return o;
    }
    return NULL;
}

/* A person or organization: a string, {"name": ...}, a reference
 * {"@id": ...} to a node of graph that has the name (as WordPress's Yoast
 * and other SEO plugins write publisher and author), or an array of
 * them, appended to b (", " between names). */
static void
jl_names(ns_buf *b, json_object *v, json_object *graph, int depth)
{
    if (!v || depth > 2)
        return;
    if (json_object_is_type(v, json_type_array)) {
        size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n && i < 8; i++)
            jl_names(b, json_object_array_get_idx(v, i), graph, depth + 1);
        return;
    }
    const char *s = NULL, *id;
    json_object *node;
    if (json_object_is_type(v, json_type_string)) {
        s = json_object_get_string(v);
    } else if (json_object_is_type(v, json_type_object)) {
        s = jl_string(v, "name");
        if (!s && (id = jl_string(v, "@id")) && (node = jl_node(graph, id)))
            s = jl_string(node, "name");
    }
    if (!s || !*s || strncmp(s, "http", 4) == 0)
        return;
    if (b->len)
        ns__buf_append(b, ", ", 2);
    ns__buf_puts(b, s);
}

static void
jl_article(page_meta *m, json_object *o, json_object *graph)
{
    const char *s;
    json_object *v;
    m->jl_found = 1;
    if ((s = jl_string(o, "headline")) || (s = jl_string(o, "name")))
        set_once(m, &m->jl_headline, s);
    if ((s = jl_string(o, "datePublished")) ||
        (s = jl_string(o, "dateCreated")))
        set_once(m, &m->date[D_JSONLD], s);
    ns_buf b = { 0 };
    if (json_object_object_get_ex(o, "author", &v))
        jl_names(&b, v, graph, 0);
    if (b.len)
        set_once(m, &m->author[A_JSONLD], ns__buf_cstr(&b));
    ns__buf_reset(&b);
    if (json_object_object_get_ex(o, "publisher", &v))
        jl_names(&b, v, graph, 1);
    if (b.len)
        set_once(m, &m->jl_publisher, ns__buf_cstr(&b));
    if (b.oom)
        m->oom = 1;
    ns__buf_free(&b);
    if (json_object_object_get_ex(o, "inLanguage", &v)) {
        if (json_object_is_type(v, json_type_string))
            set_once(m, &m->jl_lang, json_object_get_string(v));
        else if (json_object_is_type(v, json_type_object) &&
                 (s = jl_string(v, "alternateName")))
            set_once(m, &m->jl_lang, s);
    }
    if ((s = jl_string(o, "articleBody")) && !m->jl_body) {
        m->jl_body = ns__strdup(s);
        if (!m->jl_body)
            m->oom = 1;
    }
}

/* Find the article in o; graph: the @graph array o is in, if any. */
static void
jl_scan(page_meta *m, json_object *o, json_object *graph, int depth)
{
    json_object *v;
    if (!o || m->jl_found || depth > 6)
        return;
    if (json_object_is_type(o, json_type_array)) {
        size_t n = json_object_array_length(o);
        for (size_t i = 0; i < n && i < 64 && !m->jl_found; i++)
            jl_scan(m, json_object_array_get_idx(o, i), graph, depth + 1);
        return;
    }
    if (!json_object_is_type(o, json_type_object))
        return;
    if (json_object_object_get_ex(o, "@type", &v) && jl_is_article(v)) {
        jl_article(m, o, graph);
        return;
    }
    if (json_object_object_get_ex(o, "@graph", &v))
        jl_scan(m, v, v, depth + 1);
    if (json_object_object_get_ex(o, "mainEntity", &v))
        jl_scan(m, v, graph, depth + 1);
}

/* Whether s[0, *n) ends with suffix; if so, cut it off. */
static int
cut_suffix(const char *s, size_t *n, const char *suffix)
{
    size_t k = strlen(suffix);
    if (*n < k || memcmp(s + *n - k, suffix, k) != 0)
        return 0;
    *n -= k;
    return 1;
}

static void
jl_read(page_meta *m, const char *s)
{
    /* Pages wrap it in comments or CDATA markers, often behind "//". */
    size_t n;
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        if (strncmp(s, "<!--", 4) == 0)
            s += 4;
        else if (strncmp(s, "<![CDATA[", 9) == 0)
            s += 9;
        else if (strncmp(s, "//", 2) == 0 && strchr(s, '\n') &&
                 strncmp(s + 2, "<![CDATA[", 9) == 0)
            s = strchr(s, '\n');
        else
            break;
    }
    n = strlen(s);
    for (;;) {
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
                         s[n - 1] == '\n' || s[n - 1] == '\r'))
            n--;
        if (!cut_suffix(s, &n, "-->") && !cut_suffix(s, &n, "]]>") &&
            !cut_suffix(s, &n, "//"))
            break;
    }
    if (n == 0 || (*s != '{' && *s != '[') || n > INT32_MAX)
        return;
    json_tokener *tok = json_tokener_new_ex(32);
    if (!tok) {
        m->oom = 1;
        return;
    }
    json_object *o = json_tokener_parse_ex(tok, s, (int)n);
    if (o && json_tokener_get_error(tok) == json_tokener_success)
        jl_scan(m, o, NULL, 0);
    json_object_put(o);
    json_tokener_free(tok);
}

/* ------------------------------------------------------------------------ */
/* The article body: paragraph density                                       */

/*
 * Every element of the page that is not dropped gets a stat, in document
 * order (a parent before its children).  A block's "own" text is
 * the text whose nearest block ancestor it is, links aside; a block whose
 * own text is at least MIN_PARA bytes is a paragraph.  An element's score
 * is its paragraph text minus half of the rest of its text, so going up
 * one level pays only when it adds more paragraphs than boilerplate.  The
 * element with the best score is the body, unless an <article> (or
 * itemprop=articleBody) holds at least half of its paragraphs.
 */
#define MIN_PARA 50

#define ES_BLOCK   1u
#define ES_LINK    2u /* inside <a> */
#define ES_ARTICLE 4u /* <article>, itemprop=articleBody */
#define ES_NEG     8u /* class/id of a share bar, comments, related, ... */

typedef struct estat {
    uint32_t parent; /* 1-based stat of the parent; 0 for the walk's root */
    uint32_t block;  /* 1-based stat of the nearest block, self included */
    uint32_t flags;
    uint64_t own;  /* non-link text bytes whose nearest block is this */
    uint64_t text; /* text bytes of the subtree, white space aside */
    uint64_t link; /* of which inside links */
    uint64_t para; /* of which in paragraphs (not counting ES_NEG parts) */
    uint32_t ev_begin, ev_end; /* its start and end in the log (sx_ev) */
    unsigned char kind;        /* page_kind */
} estat;

static const char *const neg_parts[] = {
    "share",       "social",   "related",   "newsletter", "promo",
    "advert",      "sponsor",  "subscribe", "comment",    "cookie",
    "breadcrumb",  "sidebar",  "widget",    "popup",      "modal",
    "signup",      "outbrain", "taboola",   "recirc",     "most-popular",
    "mostpopular", "trending", "byline",    "author-bio", "toolbar",
    "onetrust",    "consent",  "gdpr",
};
static const char *const neg_words[] = {
    "ad",
    "ads",
    "hidden",
    "sr-only",
    "visually-hidden",
    "visuallyhidden",
    "screen-reader-text",
    "d-none",
    "caption",
    "credit",
    "tags",
};

/* The neg_parts whose first (second) byte each byte is: bit i for
 * neg_parts[i]; the pairs of bytes (lowercase) that start one, a bit
 * each; their lengths; the lengths of the neg_words, a bit each. */
static uint32_t neg_first[256], neg_second[256];
static uint64_t neg_pair[65536 / 64];
static unsigned char neg_part_len[32];
static uint32_t neg_word_lens;
static pthread_once_t neg_once = PTHREAD_ONCE_INIT;

static void
neg_init(void)
{
    _Static_assert(sizeof neg_parts / sizeof *neg_parts <= 32, "a mask");
    for (size_t i = 0; i < sizeof neg_parts / sizeof *neg_parts; i++) {
        unsigned a = (unsigned char)neg_parts[i][0];
        unsigned b = (unsigned char)neg_parts[i][1];
        neg_first[a] |= 1u << i;
        neg_second[b] |= 1u << i;
        neg_pair[(a << 8 | b) >> 6] |= (uint64_t)1 << ((a << 8 | b) & 63);
        neg_part_len[i] = (unsigned char)strlen(neg_parts[i]);
    }
    for (size_t k = 0; k < sizeof neg_words / sizeof *neg_words; k++) {
        size_t n = strlen(neg_words[k]);
        if (n >= 32)
            abort(); /* a word the mask cannot hold */
        neg_word_lens |= 1u << n;
    }
}

/* Whether the token v[0, n) of a class or id value is one of neg_words. */
static int
neg_word(const char *v, size_t n)
{
    if (n >= 32 || !(neg_word_lens >> n & 1))
        return 0;
    for (size_t k = 0; k < sizeof neg_words / sizeof *neg_words; k++)
        if (lower_is(v, n, neg_words[k]))
            return 1;
    return 0;
}

/*
 * Whether a class or id value v[0, n) marks boilerplate; only its first
 * 255 bytes are read.  Called for every class of a page (page_slim,
 * sx_stat), so in one pass over its bytes: a part is compared only where
 * the value's two bytes there start one (one bit of neg_pair says whether
 * any does), a word only to the tokens of a word's length.
 */
static int
neg_value_n(const char *v, size_t n)
{
    pthread_once(&neg_once, neg_init);
    if (n > 255)
        n = 255;
    size_t tok = 0; /* where the token around i starts */
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            if (neg_word(v + tok, i - tok))
                return 1;
            tok = i + 1;
            continue; /* no part starts with a blank */
        }
        if (i + 1 == n)
            break;
        unsigned pair = (unsigned)ascii_lower(c) << 8 | ascii_lower(v[i + 1]);
        if (!(neg_pair[pair >> 6] >> (pair & 63) & 1))
            continue;
        uint32_t m = neg_first[pair >> 8] & neg_second[pair & 0xFF];
        for (; m; m &= m - 1) {
            unsigned k = (unsigned)__builtin_ctz(m);
            if (neg_part_len[k] <= n - i &&
                lower_is(v + i, neg_part_len[k], neg_parts[k]))
                return 1;
        }
    }
    return neg_word(v + tok, n - tok);
}

static int
neg_value(const char *v)
{
    return neg_value_n(v, strnlen(v, 255));
}

/* Non-blank bytes of s[0, n). */
static size_t
nonspace(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' &&
            s[i] != '\f')
            k++;
    return k;
}

static int64_t
stat_score(const estat *e)
{
    /* para - (text - para) / 2, doubled to stay in integers. */
    return 3 * (int64_t)e->para - (int64_t)e->text;
}

/* Whether the output walk leaves e (not the body root r) out. */
static int
stat_skip(const estat *e, const estat *r)
{
    if (r->para > 0 && e->para * 4 >= r->para)
        return 0; /* holds too much of the article to be boilerplate */
    if (e->flags & ES_NEG)
        return 1;
    return (e->flags & ES_BLOCK) && e->text > 0 && e->link * 2 > e->text;
}

/* ------------------------------------------------------------------------ */
/* One pass over the page, no tree                                           */

/*
 * libxml2's HTML parser reports the page as SAX events, and we keep only
 * what extraction reads: the metadata as the start tags go by, the text
 * of a few elements (<title>, the first <h1>, an itemprop=author byline,
 * JSON-LD scripts), and for the body a stat per element that is not
 * dropped (script, style, media...) plus a log of the elements' starts and
 * ends and of their text, which is all the density choice and the output
 * walk need.  The tree the parser would have built (SAX2.c) is the nesting
 * of these events, with two rules of its own kept here: an element that
 * starts when nothing is open is a child of the document's first node,
 * which is the root element unless a DOCTYPE, comment or processing
 * instruction came first (else it is outside the root, and no walk of
 * ours read it); and text when nothing is open is dropped.
 */

/* A log entry: the text text[off, off + len) (what 0), the start of the
 * element of stat what, or its end (what | EV_END). */
typedef struct sx_ev {
    uint32_t what, off, len;
} sx_ev;
#define EV_END 0x80000000u

typedef struct sx_el {
    const char *name; /* local name (the parser's dictionary) */
    uint32_t stat;    /* 1-based; 0: dropped, or inside a dropped element */
    int fkind;        /* a fragment's: its markup kind, hidden: K_DROP */
} sx_el;

/* Text collected from an element: <title>, <h1>, a byline. */
enum { CAP_TITLE, CAP_H1, CAP_AUTHOR, CAP_NAME };
#define SX_CAPS 16 /* elements collected at once (nested); more are not */

typedef struct sx_cap {
    int what;
    size_t depth;       /* of the element */
    size_t drop;        /* depth of a dropped element inside; 0 none */
    uint64_t seq;       /* the element's number in document order */
    ns__text t;         /* one line */
    const char *attr;   /* a byline or its name: the content attribute */
    char *content;      /* (a copy of it) */
    int has_content;    /* present, even empty */
    char *name;         /* a byline: its last itemprop=name child's text */
    int has_name;
} sx_cap;

typedef struct sx_state {
    xmlParserCtxtPtr ctxt;
    page_meta *m;
    sx_el *el;
    size_t depth, el_cap;
    estat *s;
    size_t ns, s_cap;
    sx_ev *ev;
    size_t nev, ev_cap;
    ns_buf text;     /* the text of the logged elements */
    size_t drop;     /* depth of the dropped element we are in; 0 none */
    size_t noscan;   /* depth of a <script>: no metadata inside; 0 none */
    size_t jl;       /* depth of a JSON-LD <script> being read; 0 none */
    ns_buf jl_text;
    ns_buf jl_aside; /* JSON-LD texts page_slim set aside */
    int root_seen;   /* the root element has started */
    int doc_first;   /* something (DOCTYPE...) came before the root */
    int root_first;  /* the root is the document's first node */
    int root_closed; /* the parser closed the root (kept on el[0]) */
    int done;        /* past the root: nothing more is read */
    uint64_t seq;
    uint64_t best[3]; /* seq of the element that gave title_tag, h1,
                       * author[A_ITEMPROP]; UINT64_MAX none */
    /* A fragment (frag set): nothing above but the tree rules; the text
     * of the root (froot) and of its first <body> child (fbody), read
     * with ns__markup_text's rules and hidden elements left out. */
    int frag;
    ns__text froot, fbody;
    size_t fdrop, bdrop; /* depth of a dropped element in each; 0 none */
    int body;            /* 0 no <body> child yet, 1 in it, 2 after it */
    sx_cap cap[SX_CAPS];
    size_t ncap;
    int oom;
} sx_state;

static void
sx_oom(sx_state *x)
{
    x->oom = 1;
    xmlStopParser(x->ctxt);
}

/* Room for one more of an array of size elements. */
static int
sx_grow(sx_state *x, void **arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 256;
    void *p = nc > UINT32_MAX / 2 ? NULL : ns__realloc(*arr, nc * size);
    if (!p) {
        sx_oom(x);
        return -1;
    }
    *arr = p;
    *cap = nc;
    return 0;
}

static void
sx_log(sx_state *x, uint32_t what, uint32_t off, uint32_t len)
{
    if (sx_grow(x, (void **)&x->ev, &x->ev_cap, x->nev, sizeof *x->ev))
        return;
    x->ev[x->nev++] = (sx_ev){ what, off, len };
}

/* The local name of an element, as the tree names it (xmlSplitQName):
 * "o:p" is a "p". */
static const char *
local_name(const char *name)
{
    const char *c = strchr(name, ':');
    return c && c != name && c[1] ? c + 1 : name;
}

/* A capture's kind of an element (ns__markup_line: no hidden test). */
static int
cap_kind(const char *name)
{
    int k = name_kind(name);
    return k == K_SOFT ? K_DROP : k;
}

static char *
text_line(ns__text *t, int *oom)
{
    if (t->buf.oom)
        *oom = 1;
    if (t->buf.oom || t->buf.len == 0) {
        ns__text_free(t);
        return NULL;
    }
    return ns__buf_detach(&t->buf);
}

static void
cap_start(sx_state *x, int what, const char *attr)
{
    if (x->ncap == SX_CAPS)
        return;
    sx_cap *c = &x->cap[x->ncap++];
    memset(c, 0, sizeof *c);
    c->what = what;
    c->depth = x->depth;
    c->seq = x->seq;
    c->t.one_line = 1;
    if (attr) {
        c->has_content = 1;
        c->content = ns__strdup(attr);
        if (!c->content)
            sx_oom(x);
    }
}

/* Keep v in *slot if the element it came from (seq) is the first in
 * document order that gave one (the first, as a walk of the tree would
 * keep). */
static void
cap_keep(sx_state *x, int i, char **slot, uint64_t seq, char *v)
{
    if (v && seq < x->best[i]) {
        ns_free(*slot);
        *slot = v;
        x->best[i] = seq;
    } else {
        ns_free(v);
    }
}

static void
cap_finish(sx_state *x, sx_cap *c)
{
    page_meta *m = x->m;
    char *v = NULL;
    if (c->what == CAP_NAME || c->what == CAP_AUTHOR) {
        if (c->has_name) {
            v = c->name;
            c->name = NULL;
        } else if (c->has_content) {
            v = line_dup(c->content, strlen(c->content), &m->oom);
        } else {
            v = text_line(&c->t, &m->oom);
        }
    } else {
        v = text_line(&c->t, &m->oom);
    }
    if (c->what == CAP_TITLE) {
        cap_keep(x, 0, &m->title_tag, c->seq, v);
    } else if (c->what == CAP_H1) {
        cap_keep(x, 1, &m->h1, c->seq, v);
    } else if (c->what == CAP_AUTHOR) {
        cap_keep(x, 2, &m->author[A_ITEMPROP], c->seq, v);
    } else {
        /* The byline whose child this is takes it. */
        sx_cap *a = NULL;
        for (sx_cap *p = c; p-- > x->cap;)
            if (p->what == CAP_AUTHOR && p->depth + 1 == c->depth) {
                a = p;
                break;
            }
        if (a) {
            ns_free(a->name);
            a->name = v;
            a->has_name = 1;
        } else {
            ns_free(v);
        }
    }
    ns__text_free(&c->t);
    ns_free(c->content);
    ns_free(c->name);
}

static void
cap_free_all(sx_state *x)
{
    for (size_t i = 0; i < x->ncap; i++) {
        ns__text_free(&x->cap[i].t);
        ns_free(x->cap[i].content);
        ns_free(x->cap[i].name);
    }
    x->ncap = 0;
}

/* What every element's attributes are read for, in one pass. */
typedef struct sx_atts {
    const char *itemprop, *klass, *id; /* NULL when absent */
    int hidden;
} sx_atts;

static void
sx_atts_read(sx_atts *a, const xmlChar **atts)
{
    memset(a, 0, sizeof *a);
    for (; atts && atts[0]; atts += 2) {
        const char *n = (const char *)atts[0];
        const char *v = atts[1] ? (const char *)atts[1] : "";
        /* The parser keeps the first of an attribute only. */
        if (n[0] == 'i' && strcmp(n, "itemprop") == 0)
            a->itemprop = v;
        else if (n[0] == 'i' && strcmp(n, "id") == 0)
            a->id = v;
        else if (n[0] == 'c' && strcmp(n, "class") == 0)
            a->klass = v;
        else if (!a->hidden)
            a->hidden = attr_hides(n, (const char *)atts[1]);
    }
}

/* The JSON-LD text page_slim set aside, marked ns-jl=v; NULL if none. */
static const char *
jl_aside(const sx_state *x, const char *v)
{
    const ns_buf *b = &x->jl_aside;
    if (!v || !b->len || *v < '0' || *v > '9')
        return NULL;
    char *end;
    errno = 0;
    unsigned long long off = strtoull(v, &end, 10);
    if (*end || errno || off >= b->len || (off > 0 && b->data[off - 1]))
        return NULL;
    return b->data + off;
}

/* The metadata of an element's start tag, and the elements whose text is
 * collected: all elements of the root, in document order. */
static void
sx_meta(sx_state *x, const char *name, const xmlChar **atts, const char *ip)
{
    page_meta *m = x->m;
    const char *v;
    if (x->depth == 1 && (v = atts_value(atts, "lang")))
        set_once(m, &m->lang, v);
    if (strcmp(name, "meta") == 0) {
        meta_tag(m, atts);
    } else if (strcmp(name, "title") == 0) {
        if (x->depth > 1 && strcmp(x->el[x->depth - 2].name, "head") == 0 &&
            x->best[0] == UINT64_MAX)
            cap_start(x, CAP_TITLE, NULL);
    } else if (strcmp(name, "link") == 0) {
        const char *rel = atts_value(atts, "rel");
        if (rel && strstr(rel, "canonical"))
            set_once(m, &m->canonical, atts_value(atts, "href"));
    } else if (strcmp(name, "script") == 0) {
        const char *type = atts_value(atts, "type");
        if (type && strstr(type, "ld+json") && !m->jl_found) {
            const char *aside = jl_aside(x, atts_value(atts, "ns-jl"));
            if (aside) {
                jl_read(m, aside);
            } else {
                x->jl = x->depth;
                ns__buf_reset(&x->jl_text);
            }
        }
        x->noscan = x->depth; /* no metadata inside */
    } else if (strcmp(name, "time") == 0) {
        set_once(m, &m->date[D_TIME], atts_value(atts, "datetime"));
    } else if (strcmp(name, "h1") == 0 && x->best[1] == UINT64_MAX) {
        cap_start(x, CAP_H1, NULL);
    }
    if (!ip)
        return;
    /* A byline's name: a child element of any name (a <meta> often). */
    if (strcmp(ip, "name") == 0 && x->ncap > 0) {
        for (size_t i = x->ncap; i-- > 0;)
            if (x->cap[i].what == CAP_AUTHOR &&
                x->cap[i].depth + 1 == x->depth) {
                cap_start(x, CAP_NAME, atts_value(atts, "content"));
                break;
            }
    }
    if (strcmp(name, "meta") == 0)
        return;
    if (strstr(ip, "datePublished")) {
        if (!(v = atts_value(atts, "datetime")))
            v = atts_value(atts, "content");
        set_once(m, &m->date[D_ITEMPROP], v);
    } else if (strcmp(ip, "author") == 0 && x->best[2] == UINT64_MAX) {
        cap_start(x, CAP_AUTHOR, atts_value(atts, "content"));
    }
}

/* The stat of a new element of the body walk (not dropped). */
static void
sx_stat(sx_state *x, const char *name, const sx_atts *at, int k, int soft)
{
    if (sx_grow(x, (void **)&x->s, &x->s_cap, x->ns, sizeof *x->s))
        return;
    estat *e = &x->s[x->ns];
    memset(e, 0, sizeof *e);
    e->kind = (unsigned char)k;
    e->parent = x->depth > 1 ? x->el[x->depth - 2].stat : 0;
    const estat *p = e->parent ? &x->s[e->parent - 1] : NULL;
    if (k == K_BLOCK || k == K_CELL)
        e->flags |= ES_BLOCK;
    e->block = (e->flags & ES_BLOCK) || !p ? (uint32_t)(x->ns + 1) : p->block;
    if ((p && (p->flags & ES_LINK)) || strcmp(name, "a") == 0)
        e->flags |= ES_LINK;
    if (strcmp(name, "article") == 0 ||
        (at->itemprop && strstr(at->itemprop, "articleBody")))
        e->flags |= ES_ARTICLE;
    if (soft || (at->klass && neg_value(at->klass)) ||
        (at->id && neg_value(at->id)))
        e->flags |= ES_NEG;
    x->ns++;
    x->el[x->depth - 1].stat = (uint32_t)x->ns;
    e->ev_begin = (uint32_t)x->nev;
    sx_log(x, (uint32_t)x->ns, 0, 0);
}

/* A fragment's element starts (pushed already, at depth d). */
static void
frag_start(sx_state *x, const char *name, const xmlChar **atts)
{
    size_t d = x->depth;
    sx_el *e = &x->el[d - 1];
    if (d > 1) {
        int k = name_kind(name);
        sx_atts at;
        sx_atts_read(&at, atts);
        /* A fragment is an article's own body (a feed's content, a JSON
         * field): its figures are the article's, tables and captions,
         * not a page's furniture. */
        if (k == K_SOFT && (strcmp(name, "figure") == 0 ||
                            strcmp(name, "figcaption") == 0))
            k = K_BLOCK;
        if (k == K_SOFT || (k != K_DROP && at.hidden))
            k = K_DROP;
        e->fkind = k;
    }
    /* The root, and the body, are read whatever their kind. */
    if (d > 1 && !x->fdrop) {
        if (e->fkind == K_DROP)
            x->fdrop = d;
        else
            kind_enter(&x->froot, e->fkind);
    }
    if (x->body == 0 && d == 2 && strcmp(name, "body") == 0) {
        x->body = 1;
        kind_enter(&x->fbody, K_BLOCK);
    } else if (x->body == 1 && !x->bdrop) {
        if (e->fkind == K_DROP)
            x->bdrop = d;
        else
            kind_enter(&x->fbody, e->fkind);
    }
}

/* A fragment's element at depth d ends. */
static void
frag_end(sx_state *x, size_t d)
{
    int k = d > 1 ? x->el[d - 1].fkind : K_BLOCK;
    if (x->fdrop == d)
        x->fdrop = 0;
    else if (!x->fdrop)
        kind_leave(&x->froot, k);
    if (x->body == 1) {
        if (d == 2) {
            x->body = 2;
            kind_leave(&x->fbody, K_BLOCK);
        } else if (x->bdrop == d) {
            x->bdrop = 0;
        } else if (!x->bdrop) {
            kind_leave(&x->fbody, k);
        }
    }
}

static void
sx_start(void *ctx, const xmlChar *fullname, const xmlChar **atts)
{
    sx_state *x = ((xmlParserCtxtPtr)ctx)->_private;
    if (x->done || x->oom)
        return;
    if (!x->root_seen) {
        x->root_seen = 1;
        x->root_first = !x->doc_first;
    } else if (x->root_closed && x->depth == 1 && !x->root_first) {
        /* A sibling of the root (after a DOCTYPE, ...): outside. */
        x->done = 1;
        return;
    }
    /* (Else, after the root closed, a child of the root.) */
    const char *name = local_name((const char *)fullname);
    if (sx_grow(x, (void **)&x->el, &x->el_cap, x->depth, sizeof *x->el))
        return;
    x->el[x->depth++] = (sx_el){ name, 0, K_BLOCK };
    x->seq++;
    if (x->frag) {
        frag_start(x, name, atts);
        return;
    }
    for (size_t i = 0; i < x->ncap; i++) {
        sx_cap *c = &x->cap[i];
        if (c->drop)
            continue;
        int k = cap_kind(name);
        if (k == K_DROP)
            c->drop = x->depth;
        else
            kind_enter(&c->t, k);
    }
    sx_atts at;
    sx_atts_read(&at, atts);
    if (!x->noscan)
        sx_meta(x, name, atts, at.itemprop);
    if (!x->drop) {
        int soft, k = page_kind(name, at.hidden, &soft);
        if (k == K_DROP)
            x->drop = x->depth;
        else
            sx_stat(x, name, &at, k, soft);
    }
}

/* The end of the innermost open element. */
static void
sx_pop(sx_state *x)
{
    size_t d = x->depth;
    if (x->frag) {
        frag_end(x, d);
        x->depth--;
        return;
    }
    const char *name = x->el[d - 1].name;
    while (x->ncap > 0 && x->cap[x->ncap - 1].depth == d)
        cap_finish(x, &x->cap[--x->ncap]);
    for (size_t i = 0; i < x->ncap; i++) {
        sx_cap *c = &x->cap[i];
        if (c->drop == d)
            c->drop = 0;
        else if (!c->drop)
            kind_leave(&c->t, cap_kind(name));
    }
    uint32_t si = x->el[d - 1].stat;
    if (si) {
        x->s[si - 1].ev_end = (uint32_t)x->nev;
        sx_log(x, si | EV_END, 0, 0);
    }
    if (x->drop == d)
        x->drop = 0;
    if (x->noscan == d)
        x->noscan = 0;
    if (x->jl == d) {
        x->jl = 0;
        if (x->jl_text.oom)
            sx_oom(x);
        else if (!x->m->jl_found)
            jl_read(x->m, x->jl_text.data ? x->jl_text.data : "");
        ns__buf_reset(&x->jl_text);
    }
    x->depth--;
}

static void
sx_end(void *ctx, const xmlChar *name)
{
    sx_state *x = ((xmlParserCtxtPtr)ctx)->_private;
    (void)name; /* the parser ends its innermost element */
    if (x->done || x->oom || x->depth == 0)
        return;
    if (x->depth == 1) {
        /* The root stays open here until the end: what starts after it
         * may still be its child. */
        if (x->root_first)
            x->root_closed = 1;
        else
            x->done = 1;
        return;
    }
    sx_pop(x);
}

static void
sx_text(void *ctx, const xmlChar *ch, int len)
{
    sx_state *x = ((xmlParserCtxtPtr)ctx)->_private;
    if (x->done || x->oom || x->depth == 0 || len <= 0 ||
        (x->root_closed && x->depth == 1))
        return;
    const char *s = (const char *)ch;
    size_t n = (size_t)len;
    if (x->frag) {
        if (!x->fdrop)
            ns__text_add(&x->froot, s, n);
        if (x->body == 1 && !x->bdrop)
            ns__text_add(&x->fbody, s, n);
        return;
    }
    for (size_t i = 0; i < x->ncap; i++)
        if (!x->cap[i].drop)
            ns__text_add(&x->cap[i].t, s, n);
    if (x->jl)
        ns__buf_append(&x->jl_text, s, n);
    if (x->drop)
        return;
    uint32_t si = x->el[x->depth - 1].stat;
    estat *e = &x->s[si - 1];
    size_t c = nonspace(s, n);
    e->text += c;
    if (e->flags & ES_LINK)
        e->link += c;
    else
        x->s[e->block - 1].own += c;
    /* Log it, one entry per run of text. */
    size_t off = x->text.len;
    ns__buf_append(&x->text, s, n);
    if (x->text.oom) {
        sx_oom(x);
        return;
    }
    sx_ev *last = x->nev ? &x->ev[x->nev - 1] : NULL;
    if (last && last->what == 0 && last->off + last->len == off)
        last->len += (uint32_t)n;
    else
        sx_log(x, 0, (uint32_t)off, (uint32_t)n);
}

/* Nodes of the document itself, before the root: its first node then. */
static void
sx_doctype(void *ctx, const xmlChar *name, const xmlChar *eid,
           const xmlChar *sid)
{
    sx_state *x = ((xmlParserCtxtPtr)ctx)->_private;
    (void)name;
    (void)eid;
    (void)sid;
    /* The tree puts a DOCTYPE first wherever it comes. */
    x->doc_first = 1;
    x->root_first = 0;
}

static void
sx_comment(void *ctx, const xmlChar *value)
{
    sx_state *x = ((xmlParserCtxtPtr)ctx)->_private;
    (void)value;
    if (!x->root_seen)
        x->doc_first = 1;
}

static void
sx_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
    sx_state *x = ((xmlParserCtxtPtr)ctx)->_private;
    (void)target;
    (void)data;
    if (!x->root_seen)
        x->doc_first = 1;
}

static void
sx_free(sx_state *x)
{
    cap_free_all(x);
    ns_free(x->el);
    ns_free(x->s);
    ns_free(x->ev);
    ns__buf_free(&x->text);
    ns__buf_free(&x->jl_text);
    ns__buf_free(&x->jl_aside);
    ns__text_free(&x->froot);
    ns__text_free(&x->fbody);
}

/*
 * Parse the UTF-8 page (valid, no NUL) into x.  NS_ERR_FORMAT when it has
 * more than NS_MAX_HTML_TAGS tags ('<' counted: the log and the parser's
 * stacks grow with them); x->root_seen is 0 when it has no element.
 */
static ns_status
sx_parse(sx_state *x, const char *utf8, size_t len)
{
    if (len > (size_t)INT32_MAX)
        return NS_ERR_FORMAT;
    size_t tags = 0;
    for (const char *p = utf8, *end = utf8 + len;
         (p = memchr(p, '<', (size_t)(end - p))) != NULL; p++)
        if (++tags > NS_MAX_HTML_TAGS)
            return NS_ERR_FORMAT;
    for (int i = 0; i < 3; i++)
        x->best[i] = UINT64_MAX;
    quiet q;
    quiet_begin(&q);
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (!ctxt) {
        quiet_end(&q);
        return NS_ERR_NOMEM;
    }
    /* Only what we read: no tree, no attribute defaults, nothing else. */
    xmlSAXHandler *h = ctxt->sax;
    memset(h, 0, sizeof *h);
    h->initialized = 1;
    h->startElement = sx_start;
    h->endElement = sx_end;
    h->characters = sx_text;
    h->ignorableWhitespace = sx_text;
    h->cdataBlock = sx_text;
    h->internalSubset = sx_doctype;
    h->comment = sx_comment;
    h->processingInstruction = sx_pi;
    h->serror = quiet_structured;
    x->ctxt = ctxt;
    ctxt->_private = x;
    /* XML_PARSE_HUGE lifts the depth limit of 256, past which libxml2 2.9
     * stops: crawled pages nest that deep.  Memory is bounded by
     * NS_MAX_HTML_TAGS instead. */
    xmlDocPtr doc = htmlCtxtReadMemory(
        ctxt, utf8, (int)len, NULL, "UTF-8",
        HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
            HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC | XML_PARSE_HUGE);
    xmlFreeDoc(doc); /* none: nothing builds one */
    while (x->depth > 0 && !x->oom)
        sx_pop(x);
    ctxt->_private = NULL;
    htmlFreeParserCtxt(ctxt);
    quiet_end(&q);
    if (x->oom || (x->m && x->m->oom))
        return NS_ERR_NOMEM;
    return NS_OK;
}

/*
 * Append the text of an HTML fragment (UTF-8, no NUL) to t: its <body>'s,
 * else its root's, block elements as paragraphs, boilerplate and hidden
 * elements left out (ns__markup_text's rules).  0 when it has
 * more than NS_MAX_HTML_TAGS tags (nothing appended).
 */
static int
frag_read(ns__text *t, const char *utf8, size_t len)
{
    sx_state x;
    memset(&x, 0, sizeof x);
    x.frag = 1;
    x.froot.one_line = x.fbody.one_line = t->one_line;
    ns_status st = sx_parse(&x, utf8, len);
    if (st == NS_ERR_FORMAT) {
        sx_free(&x);
        return 0;
    }
    if (st == NS_OK && x.root_seen) {
        /* As if walked into t: a paragraph before and after. */
        const ns__text *r = x.body ? &x.fbody : &x.froot;
        ns__text_break(t, NS_TEXT_PARA);
        if (r->buf.len)
            text_put(t, r->buf.data, r->buf.len);
        ns__text_break(t, NS_TEXT_PARA);
        if (r->buf.oom)
            st = NS_ERR_NOMEM;
    }
    if (st != NS_OK)
        t->buf.oom = 1;
    sx_free(&x);
    return 1;
}

/* Sum the stats up the tree: children come after their parent. */
static void
stats_sum(estat *s, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        estat *e = &s[i];
        if ((e->flags & ES_BLOCK) && e->own >= MIN_PARA)
            e->para += e->own;
        if (e->parent) {
            estat *p = &s[e->parent - 1];
            p->text += e->text;
            p->link += e->link;
            if (!(e->flags & ES_NEG))
                p->para += e->para;
        }
    }
}

/* The stat (0-based) of the body element; the root's (0) when none. */
static size_t
body_choose(const estat *s, size_t n)
{
    size_t best = SIZE_MAX, art = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        if (!(s[i].flags & ES_BLOCK) || s[i].para == 0)
            continue;
        if (best == SIZE_MAX || stat_score(&s[i]) > stat_score(&s[best]))
            best = i;
        if ((s[i].flags & ES_ARTICLE) &&
            (art == SIZE_MAX || s[i].para > s[art].para))
            art = i;
    }
    if (best == SIZE_MAX)
        return 0;
    if (art != SIZE_MAX && s[art].para * 2 >= s[best].para &&
        stat_score(&s[art]) * 2 >= stat_score(&s[best]))
        return art;
    return best;
}

/* The text of the element of stat r, boilerplate left out, from the log. */
static void
body_text(ns__text *t, const sx_state *x, size_t r)
{
    const estat *s = x->s, *rs = &s[r];
    for (size_t i = rs->ev_begin; i <= rs->ev_end && i < x->nev; i++) {
        const sx_ev *v = &x->ev[i];
        if (v->what == 0) {
            ns__text_add(t, x->text.data + v->off, v->len);
        } else if (v->what & EV_END) {
            kind_leave(t, s[(v->what & ~EV_END) - 1].kind);
        } else {
            const estat *e = &s[v->what - 1];
            if (e != rs && stat_skip(e, rs))
                i = e->ev_end; /* past its end */
            else
                kind_enter(t, e->kind);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* The page                                                                  */

static char *
take(char **slot)
{
    char *v = *slot;
    *slot = NULL;
    return v;
}

/* A title from <title>: the site's name cut off its end or start. */
static void
title_strip_site(char *title, const char *site)
{
    static const char *const seps[] = {
        " | ",        " - ", " \xE2\x80\x93 ", " \xE2\x80\x94 ", " :: ",
        " \xC2\xB7 ", " : "
    };
    if (!title || !site)
        return;
    size_t tl = strlen(title), sl = strlen(site);
    for (size_t i = 0; i < sizeof seps / sizeof *seps; i++) {
        size_t pl = strlen(seps[i]);
        if (tl > sl + pl && strncasecmp(title + tl - sl, site, sl) == 0 &&
            memcmp(title + tl - sl - pl, seps[i], pl) == 0) {
            title[tl - sl - pl] = '\0';
            return;
        }
        if (tl > sl + pl && strncasecmp(title, site, sl) == 0 &&
            memcmp(title + sl, seps[i], pl) == 0) {
            memmove(title, title + sl + pl, tl - sl - pl + 1);
            return;
        }
    }
}

/* "Site https://site.com" -> "Site" ("By " goes in ns__corpus_emit). */
static void
author_clean(char *a)
{
    if (!a)
        return;
    char *u = strstr(a, " http");
    if (u && u > a)
        *u = '\0';
}

/* A BCP 47 tag as pages write it ("en_US", " en-gb") or NULL. */
static char *
lang_clean(char *l)
{
    if (!l)
        return NULL;
    size_t n = strlen(l);
    if (n == 0 || n > 35) {
        ns_free(l);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char c = l[i];
        if (c == '_')
            l[i] = '-';
        else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   (c >= '0' && c <= '9') || c == '-')) {
            ns_free(l);
            return NULL;
        }
    }
    return l;
}

ns_status
ns__html_extract(const char *data,
                 size_t len,
                 const char *http_charset,
                 ns__html_page *out)
{
    memset(out, 0, sizeof *out);
    if (len > NS_MAX_MARKUP_BYTES)
        return NS_ERR_FORMAT;
    ns_status st = NS_OK;
    ns_buf utf8 = { 0 };
    page_meta m;
    memset(&m, 0, sizeof m);
    ns__text body = { { 0 }, 0, 0 };
    sx_state x;
    memset(&x, 0, sizeof x);
    x.m = &m;

    page_to_utf8(&utf8, data, len, http_charset, out->charset,
                 sizeof out->charset);
    if (utf8.oom) {
        st = NS_ERR_NOMEM;
        goto out;
    }
    page_slim(&utf8, &x.jl_aside);
    st = sx_parse(&x, utf8.data ? utf8.data : "", utf8.len);
    if (st == NS_OK && !x.root_seen)
        st = NS_ERR_FORMAT;
    if (st != NS_OK)
        goto out;
    /* From the root, not <body>: the parser's recovery can leave a whole
     * page inside <head> (a <div> before </head> is enough). */
    if (x.ns > 0) {
        stats_sum(x.s, x.ns);
        body_text(&body, &x, body_choose(x.s, x.ns));
    }
    if (body.buf.len < 200 && m.jl_body && strlen(m.jl_body) > body.buf.len) {
        ns__text_free(&body);
        ns__html_fragment_text(&body, m.jl_body, strlen(m.jl_body));
    }
    if (body.buf.oom) {
        st = NS_ERR_NOMEM;
        goto out;
    }

    if (m.og_title)
        out->title = take(&m.og_title);
    else if (m.jl_headline)
        out->title = take(&m.jl_headline);
    else if (m.tw_title)
        out->title = take(&m.tw_title);
    else if (m.title_tag)
        out->title = take(&m.title_tag);
    else
        out->title = take(&m.h1);
    /* og:title and the headlines carry the site's name too ("... | The
     * Citizen"), not only <title>. */
    title_strip_site(out->title, m.site ? m.site : m.jl_publisher);
    char d[NS_DATE_MAX] = "";
    for (int i = 0; i < D_N; i++)
        if (m.date[i] && ns__date_pick(d, m.date[i], strlen(m.date[i])))
            break;
    if (d[0] && !(out->date = ns__strdup(d)))
        m.oom = 1;
    for (int i = 0; i < A_N && !out->author; i++)
        if (m.author[i])
            out->author = take(&m.author[i]);
    author_clean(out->author);
    out->source = take(m.site         ? &m.site :
                       m.jl_publisher ? &m.jl_publisher :
                                        &m.app_name);
    if (m.og_url && strncmp(m.og_url, "http", 4) == 0)
        out->url = take(&m.og_url);
    else if (m.canonical && strncmp(m.canonical, "http", 4) == 0)
        out->url = take(&m.canonical);
    out->language = lang_clean(take(m.lang         ? &m.lang :
                                    m.content_lang ? &m.content_lang :
                                                     &m.jl_lang));
    out->text_len = body.buf.len;
    out->text = ns__buf_detach(&body.buf);
    if (!out->text) {
        out->text = ns__strdup("");
        out->text_len = 0;
    }
    if (m.oom || !out->text)
        st = NS_ERR_NOMEM;
out:
    sx_free(&x);
    ns__text_free(&body);
    meta_free(&m);
    ns__buf_free(&utf8);
    if (st != NS_OK)
        ns__html_page_free(out);
    return st;
}

void
ns__html_page_free(ns__html_page *p)
{
    if (!p)
        return;
    ns_free(p->title);
    ns_free(p->date);
    ns_free(p->author);
    ns_free(p->source);
    ns_free(p->url);
    ns_free(p->language);
    ns_free(p->text);
    memset(p, 0, sizeof *p);
}

/* ------------------------------------------------------------------------ */
/* Sniffing                                                                  */

/* The first element's name into out (cap bytes), "" if none, past a byte
 * order mark, white space, the declaration, processing instructions,
 * comments and a DOCTYPE; *html_doctype (when given) is set when that
 * DOCTYPE is HTML's ("<!DOCTYPE html", any case). */
static void
prolog_root(const char *head,
            size_t len,
            char *out,
            size_t cap,
            int *html_doctype)
{
    const char *p = head, *end = head + len;
    out[0] = '\0';
    if (html_doctype)
        *html_doctype = 0;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    for (;;) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            p++;
        if (p >= end || *p != '<')
            return;
        const char *skip_to = NULL;
        if (end - p >= 2 && p[1] == '?') {
            skip_to = "?>";
        } else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            skip_to = "-->";
        } else if (end - p >= 2 && p[1] == '!') {
            /* <!DOCTYPE ...>, with an internal subset in [...] maybe. */
            if (html_doctype && end - p > 9 &&
                strncasecmp(p, "<!DOCTYPE", 9) == 0) {
                const char *q = p + 9;
                while (q < end && memchr(" \t\n\r", *q, 4))
                    q++;
                if (end - q > 4 && strncasecmp(q, "html", 4) == 0 &&
                    memchr(" \t\n\r>", q[4], 5))
                    *html_doctype = 1;
            }
            const char *gt = memchr(p, '>', (size_t)(end - p));
            const char *br = memchr(p, '[', (size_t)(end - p));
            if (br && (!gt || br < gt)) {
                const char *cl = ns__find(br, (size_t)(end - br), "]", 1);
                if (!cl)
                    return;
                gt = memchr(cl, '>', (size_t)(end - cl));
            }
            if (!gt)
                return;
            p = gt + 1;
            continue;
        } else {
            p++;
            size_t k = 0;
            while (p < end && k + 1 < cap && *p != '>' && *p != '/' &&
                   *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
                out[k++] = *p++;
            out[k] = '\0';
            return;
        }
        const char *e =
            ns__find(p, (size_t)(end - p), skip_to, strlen(skip_to));
        if (!e)
            return;
        p = e + strlen(skip_to);
    }
}

void
ns__xml_root_name(const char *head, size_t len, char *out, size_t cap)
{
    prolog_root(head, len, out, cap, NULL);
}

/* ------------------------------------------------------------------------ */
/* The format: one saved web page, one article                              */

static int
html_sniff(const char *head, size_t len, const char *name)
{
    char root[16];
    size_t n = len < 1024 ? len : 1024;
    if (len >= 11 && memcmp(head, "filedesc://", 11) == 0)
        return 0; /* an ARC web archive, its pages among record headers */
    /* A page starts as one: its <html> (or, as HTML lets it be left out,
     * its <head> or <body>) or an HTML DOCTYPE first, past the prolog.
     * "<html" further on is no sign: a Markdown or plain-text article
     * quoting markup has it too. */
    int doctype;
    prolog_root(head, len, root, sizeof root, &doctype);
    if (strcasecmp(root, "html") == 0)
        return 90;
    if (doctype || strcasecmp(root, "head") == 0 ||
        strcasecmp(root, "body") == 0)
        return 80;
    if (name &&
        (ns__name_has_ext(name, ".html") || ns__name_has_ext(name, ".htm")) &&
        memchr(head, '<', n))
        return 60;
    return 0;
}

static ns_status
html_read(ns__input *in, const ns__where *w0, const ns__corpus_sink *sink)
{
    ns__where w = *w0;
    char *data = NULL;
    size_t len = 0;
    ns_status st = ns__input_slurp(in, NS_MAX_MARKUP_BYTES, &data, &len);
    if (st == NS_ERR_FORMAT)
        return ns__corpus_reject(sink, &w, "page larger than %zu MiB",
                                 NS_MAX_MARKUP_BYTES >> 20);
    if (st == NS_ERR_IO)
        return NS_OK; /* the caller reports the read error */
    if (st != NS_OK)
        return st;
    ns__html_page pg;
    st = ns__html_extract(data, len, NULL, &pg);
    ns_free(data);
    if (st == NS_ERR_FORMAT)
        return ns__corpus_reject(
            sink, &w, "unreadable html page (no markup, or over %zu tags)",
            NS_MAX_HTML_TAGS);
    if (st != NS_OK)
        return st;
    w.record = 1;
    if (!pg.title && pg.text_len == 0) {
        st = ns__corpus_reject(sink, &w, "no article text in the page");
    } else {
        ns_article a = NS_ARTICLE_INIT;
        a.id = pg.url ? NULL : w.file; /* the canonical URL, else the path */
        a.title = pg.title;
        a.date = pg.date;
        a.source = pg.source;
        a.url = pg.url;
        a.author = pg.author;
        a.language = pg.language;
        a.text = pg.text;
        a.text_len = pg.text_len;
        st = ns__corpus_emit(sink, &w, &a);
    }
    ns__html_page_free(&pg);
    return st;
}

const ns__format ns__format_html = { "html", html_sniff, html_read };
