/*
 * html.h: the markup layer under the XML and web-capture readers (xmlfeed.c,
 * newsml.c, warc.c and the plain HTML format), all on libxml2.  It owns the
 * safe way to parse XML (no DTD loading, no entity expansion, no network,
 * a size cap, errors captured instead of printed), turning a DOM subtree
 * into normalized text, charset conversion of web pages, and the extraction
 * of one article from a whole HTML page.  It knows no format's records.
 */
#ifndef NS_HTML_H
#define NS_HTML_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "core/util.h"

/* The largest XML or HTML document parsed; a larger one is rejected. */
#define NS_MAX_MARKUP_BYTES ((size_t)64 << 20)
/* The most tags an HTML page may have ('<' counted); more is rejected. */
#define NS_MAX_HTML_TAGS ((size_t)1 << 20)

/** The first needle[0, m) in hay[0, n), or NULL (memmem is not POSIX). */
const char *ns__find(const char *hay, size_t n, const char *needle, size_t m);

/** Initialize libxml2 once for the process (thread-safe; idempotent). */
void ns__markup_init(void);

/* ------------------------------------------------------------------------ */
/* Normalized text                                                           */

/* Separators, weakest first: a later, stronger one replaces a pending one. */
#define NS_TEXT_SPACE 1
#define NS_TEXT_LINE  2 /* one line break */
#define NS_TEXT_PARA  3 /* a blank line: a new paragraph */

/**
 * A text being built: white space runs become one separator, separators at
 * the start and end are dropped, control characters are dropped, bytes that
 * are not valid UTF-8 become U+FFFD.  Zero-initialize; free with
 * ns__text_free.  buf.oom is sticky.
 */
typedef struct ns__text {
    ns_buf buf;
    int pending;  /* the separator owed before the next character */
    int one_line; /* every separator is a space */
} ns__text;

/** Append s[0, n) (UTF-8 expected, repaired if not). */
void ns__text_add(ns__text *t, const char *s, size_t n);
/** Owe a separator (NS_TEXT_*) before the next character. */
void ns__text_break(ns__text *t, int kind);
void ns__text_free(ns__text *t);

/**
 * Append the text of the subtree at node to t: block elements (p, div, li,
 * h1..h6, NITF hl1/hl2/block, ...) become paragraphs, <br> a line break;
 * script, style, nav, header, footer, aside, form and the like are skipped,
 * and so are entity references (never expanded).
 */
void ns__markup_text(ns__text *t, const xmlNode *node);

/**
 * The text of node's subtree on one line (white space collapsed), in a new
 * string (ns_free it); NULL when empty or out of memory (*oom set then).
 */
char *ns__markup_line(const xmlNode *node, int *oom);

/** An attribute's value, trimmed, in a new string; NULL when absent/empty. */
char *ns__markup_attr(const xmlNode *node, const char *name, int *oom);

/** Whether node is an element whose local name is name. */
int ns__markup_is(const xmlNode *node, const char *name);

/** The first child element of node with local name name, or NULL. */
xmlNode *ns__markup_child(const xmlNode *node, const char *name);

/**
 * Append the text of an HTML fragment (a feed's description: "<p>A &amp;
 * B</p>") to t, the tags stripped.  Text with no '<' and no '&' is taken
 * as is, without a parse.
 */
void ns__html_fragment_text(ns__text *t, const char *html, size_t len);

/* ------------------------------------------------------------------------ */
/* XML documents                                                             */

/** The first problem found in an XML document. */
typedef struct ns__xml_problem {
    int set;            /* the input was not well-formed */
    unsigned long line; /* 1-based line of the problem; 0 unknown */
    uint64_t offset;    /* its byte offset in the input */
    char msg[160];      /* lowercase, one line */
} ns__xml_problem;

/**
 * Parse an XML document with libxml2's recovering parser, safely: no DTD is
 * loaded, no entity declared in the document is ever expanded (so neither
 * XXE nor billion laughs can happen: their references are errors), HTML
 * entity names (&nbsp; &rsquo;) are read as the characters they name, the
 * network is never used, and nothing is printed.  Control characters and
 * invalid UTF-8 are replaced (in place or in a copy) before parsing, and
 * reported as a problem, so a stray byte does not end the parse.
 *
 * @param data  the document (modified: control bytes become spaces)
 * @param len   its length, at most NS_MAX_MARKUP_BYTES
 * @param out   receives the tree (xmlFreeDoc it); NULL when nothing could
 *              be recovered
 * @param p     receives the first problem (p->set = 0 when well-formed)
 *
 * Returns: NS_OK (with or without a tree); NS_ERR_FORMAT (too large);
 * NS_ERR_NOMEM.
 */
ns_status
ns__xml_parse(char *data, size_t len, xmlDoc **out, ns__xml_problem *p);

/** Finds where lines start, moving forward through one document. */
typedef struct ns__line_cursor {
    const char *data;
    size_t len;
    unsigned long line; /* the line starting at off; 0: not started */
    size_t off;
} ns__line_cursor;

/**
 * The byte offset in c->data where line `line` (1-based) starts; len when
 * the data has fewer lines.  Cheap when called with growing lines.
 */
uint64_t ns__line_offset(ns__line_cursor *c, unsigned long line);

/**
 * The name (as written, "rdf:RDF") of the first element of an XML text
 * head[0, len), skipping a byte order mark, the declaration, processing
 * instructions, comments and a DOCTYPE; into out (cap bytes), "" if none.
 * For sniff functions.
 */
void ns__xml_root_name(const char *head, size_t len, char *out, size_t cap);

/* ------------------------------------------------------------------------ */
/* HTML pages                                                                */

/** One article extracted from a page.  Every string may be NULL. */
typedef struct ns__html_page {
    char *title;    /* og:title, JSON-LD headline, else <title> */
    char *date;     /* normalized (date.h); NULL when the page gives none */
    char *author;   /* meta author, JSON-LD author, byline */
    char *source;   /* og:site_name, JSON-LD publisher */
    char *url;      /* og:url or rel=canonical */
    char *language; /* <html lang>, content-language, JSON-LD inLanguage */
    char *text;     /* body text: UTF-8, paragraphs split by blank lines */
    size_t text_len;
    char charset[32]; /* the charset the page was read as */
} ns__html_page;

/**
 * Extract the article of an HTML page.
 *
 * The charset is, in this order: a byte order mark, the charset parameter
 * of the HTTP Content-Type (http_charset, may be NULL), a <meta> charset or
 * XML declaration in the first 4 KiB, else UTF-8 when the bytes are valid
 * UTF-8 and windows-1252 when not.  A declared charset the bytes disprove
 * (UTF-8 declared but invalid; a single-byte charset declared on bytes
 * that are valid multi-byte UTF-8) or that is unknown is not trusted.  The
 * conversion never fails: undecodable bytes become U+FFFD.
 *
 * The body comes from the <article> (or itemprop=articleBody) element that
 * holds most of the page's paragraph text, else from the element with the
 * densest paragraph text; navigation, headers, footers, asides, forms,
 * scripts, hidden elements and link lists are left out.
 *
 * The page is read in one pass of libxml2's HTML parser, as SAX events:
 * no tree is built.  Memory is a small multiple of the page's size (its
 * UTF-8 copy, the text of the elements read, some 100 bytes per element).
 *
 * Ownership: the strings in *out are the caller's (ns__html_page_free).
 * Returns: NS_OK (a page with no text gives text_len 0); NS_ERR_FORMAT
 * (larger than NS_MAX_MARKUP_BYTES, more than NS_MAX_HTML_TAGS tags, or
 * nothing parseable); NS_ERR_NOMEM.
 */
ns_status ns__html_extract(const char *data,
                           size_t len,
                           const char *http_charset,
                           ns__html_page *out);

/** Free the strings of p and zero it.  NULL is a no-op. */
void ns__html_page_free(ns__html_page *p);

/**
 * The charset parameter of a Content-Type value ("text/html; charset=UTF-8"
 * gives "UTF-8") copied into out (cap bytes); "" when absent.
 */
void ns__http_charset(const char *content_type, char *out, size_t cap);

#endif /* NS_HTML_H */
