/*
 * xmlfeed.c: web feeds, one article per item or entry: RSS 0.9x/2.0
 * (<rss><channel><item>), RSS 1.0 (<rdf:RDF><item>) and Atom (<feed>
 * <entry>).  The body is content:encoded (or Atom content) before the
 * description (or summary), HTML stripped to text; the source is the
 * item's own (RSS <source>, Atom's <source><title>: the feed an aggregator
 * took it from, as Google News names each item's publisher), else the
 * feed's title.  A feed is one XML document, read whole (up to 64 MiB)
 * and parsed by html.c's safe recovering parser: a malformed feed gives one
 * reject naming the first problem, and every item the parser could still
 * recover.
 */
#include <string.h>
#include <strings.h>

#include "corpus/date.h"
#include "corpus/format.h"
#include "corpus/html.h"

/* ------------------------------------------------------------------------ */
/* Sniffing                                                                  */

static int
xmlfeed_sniff(const char *head, size_t len, const char *name)
{
    char root[64];
    (void)name;
    ns__xml_root_name(head, len, root, sizeof root);
    const char *local = strchr(root, ':');
    local = local ? local + 1 : root;
    if (strcmp(root, "rss") == 0)
        return 95;
    if (strcmp(local, "RDF") == 0)
        return ns__find(head, len, "purl.org/rss/1.0", 16) ? 95 : 0;
    if (strcmp(local, "feed") == 0)
        return ns__find(head, len, "www.w3.org/2005/Atom", 20) ||
                       ns__find(head, len, "purl.org/atom", 13) ?
                   95 :
                   50;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Elements                                                                  */

/* Whether n is the element local in the feed's own vocabulary: no prefix
 * (RSS 2.0, or the default namespace of Atom and RSS 1.0) or "atom". */
static int
is_own(const xmlNode *n, const char *local)
{
    return ns__markup_is(n, local) &&
           (!n->ns || !n->ns->prefix ||
            strcmp((const char *)n->ns->prefix, "atom") == 0);
}

/* Whether n is prefix:local of a module.  Matched on the prefix and on the
 * namespace URI's tail, since feeds get the URI wrong ("//purl.org/..."). */
static int
is_mod(const xmlNode *n,
       const char *prefix,
       const char *uri_part,
       const char *local)
{
    if (!ns__markup_is(n, local) || !n->ns)
        return 0;
    return (n->ns->prefix &&
            strcmp((const char *)n->ns->prefix, prefix) == 0) ||
           (n->ns->href && strstr((const char *)n->ns->href, uri_part));
}

#define IS_DC(n, l)      is_mod(n, "dc", "purl.org/dc/", l)
#define IS_CONTENT(n, l) is_mod(n, "content", "rss/1.0/modules/content", l)
#define IS_MEDIA(n, l)   is_mod(n, "media", "search.yahoo.com/mrss", l)

/* Sticky reading state of one feed. */
typedef struct feed {
    const ns__corpus_sink *sink;
    ns__where w;
    int oom;
    char *source;   /* the feed's title */
    char *language; /* the channel's language */
    char *author;   /* Atom: the feed's author, for entries with none */
    ns__line_cursor lines;
} feed;

/* Text of a (possibly HTML) title-like element on one line. */
static char *
line_of_markup(feed *f, const xmlNode *n, int html)
{
    if (!html)
        return ns__markup_line(n, &f->oom);
    xmlChar *s = xmlNodeGetContent(n);
    if (!s)
        return NULL;
    ns__text t = { { 0 }, 0, 1 };
    ns__html_fragment_text(&t, (const char *)s, strlen((const char *)s));
    xmlFree(s);
    if (t.buf.oom)
        f->oom = 1;
    if (t.buf.oom || t.buf.len == 0) {
        ns__text_free(&t);
        return NULL;
    }
    return ns__buf_detach(&t.buf);
}

/* Atom's type attribute: 0 text, 1 html, 2 xhtml, 3 something else. */
static int
atom_type(const xmlNode *n)
{
    xmlChar *t = xmlGetProp(n, (const xmlChar *)"type");
    int k = 0;
    if (t) {
        const char *s = (const char *)t;
        if (strcmp(s, "html") == 0 || strcmp(s, "text/html") == 0)
            k = 1;
        else if (strcmp(s, "xhtml") == 0 ||
                 strcmp(s, "application/xhtml+xml") == 0)
            k = 2;
        else if (strcmp(s, "text") != 0 && strncmp(s, "text/", 5) != 0)
            k = 3;
        xmlFree(t);
    }
    return k;
}

/* A title: RSS titles are text, but feeds put entities and tags in them
 * ("&amp;#8217;"), so markup characters get the HTML treatment. */
static char *
feed_title(feed *f, const xmlNode *n, int atom)
{
    if (atom) {
        int k = atom_type(n);
        if (k == 2)
            return ns__markup_line(n, &f->oom);
        if (k == 1)
            return line_of_markup(f, n, 1);
    }
    xmlChar *s = xmlNodeGetContent(n);
    int html =
        s && (strchr((const char *)s, '&') || strchr((const char *)s, '<'));
    xmlFree(s);
    return line_of_markup(f, n, html);
}

/* Whether s[0, n) starts with the ASCII word w, any case. */
static int
starts_ci(const char *s, size_t n, const char *w)
{
    size_t m = strlen(w);
    return n >= m && strncasecmp(s, w, m) == 0;
}

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Whether an <a> start tag opens at s[i, n). */
static int
is_link_open(const char *s, size_t n, size_t i)
{
    return i + 2 < n && starts_ci(s + i, n - i, "<a") &&
           (is_space(s[i + 2]) || s[i + 2] == '>');
}

/* Past one <a ...>TEXT</a> at s[i, n), or 0 when there is none there. */
static size_t
skip_link(const char *s, size_t n, size_t i)
{
    if (!is_link_open(s, n, i))
        return 0;
    const char *gt = memchr(s + i, '>', n - i);
    if (!gt)
        return 0;
    for (i = (size_t)(gt - s) + 1; i + 4 <= n; i++) {
        if (is_link_open(s, n, i))
            return 0; /* links do not nest: not the shape */
        if (starts_ci(s + i, n - i, "</a>"))
            return i + 4;
    }
    return 0;
}

/* The length of the HTML s[0, n) without WordPress's feed footer, n when it
 * has none.  Yoast SEO (on most WordPress news sites) ends each item's
 * content and excerpt with a paragraph of its own,
 *   <p>The post <a href=...>TITLE</a> appeared first on
 *   <a href=...>SITE</a>.</p>
 * which is the site's advertisement, not the article.  Only that trailing
 * shape is cut: two links, nothing after the final stop but white space
 * and "</p>", and a block of its own (at the start, or after a tag). */
static size_t
without_wp_footer(const char *s, size_t n)
{
    static const char lead[] = "The post";
    size_t e = n;
    while (e && is_space(s[e - 1]))
        e--;
    if (e >= 4 && strncasecmp(s + e - 4, "</p>", 4) == 0)
        e -= 4;
    while (e && is_space(s[e - 1]))
        e--;
    if (e < 5 || s[e - 1] != '.' || strncasecmp(s + e - 5, "</a>", 4) != 0)
        return n;
    /* The last "The post" followed by a link: a link's text holds no
     * "<a", so no later one can start the footer. */
    size_t at = e, i = 0;
    for (size_t k = e; k-- > 0 && at == e;) {
        if (s[k] != 'T' || e - k < sizeof lead ||
            memcmp(s + k, lead, sizeof lead - 1) != 0)
            continue;
        i = k + sizeof lead - 1;
        if (i < e && !is_space(s[i]))
            continue;
        while (i < e && is_space(s[i]))
            i++;
        if (is_link_open(s, e, i))
            at = k;
    }
    if (at == e || !(i = skip_link(s, e, i)))
        return n;
    while (i < e && is_space(s[i]))
        i++;
    if (!starts_ci(s + i, e - i, "appeared first on"))
        return n;
    i += 17;
    if (i >= e || !is_space(s[i]))
        return n;
    while (i < e && is_space(s[i]))
        i++;
    if (skip_link(s, e, i) != e - 1)
        return n;
    /* A block of its own: cut before its <p ...>, else at its words after
     * a tag or at the start. */
    size_t b = at;
    while (b && is_space(s[b - 1]))
        b--;
    if (b == 0)
        return 0;
    if (s[b - 1] != '>')
        return n;
    const char *lt = b >= 2 ? s + b - 2 : NULL;
    while (lt && lt > s && *lt != '<' && *lt != '>')
        lt--;
    if (lt && *lt == '<' && starts_ci(lt, (size_t)(s + b - lt), "<p") &&
        (lt[2] == '>' || is_space(lt[2])))
        return (size_t)(lt - s);
    return at;
}

/* Append the body text of a content-like element to t. */
static void
body_of(ns__text *t, const xmlNode *n, int kind)
{
    if (kind == 3)
        return; /* base64 or another MIME type: not text we read */
    if (kind == 2) {
        ns__markup_text(t, n);
        return;
    }
    xmlChar *s = xmlNodeGetContent(n);
    if (!s)
        return;
    size_t len = strlen((const char *)s);
    if (kind == 1)
        ns__html_fragment_text(t, (const char *)s,
                               without_wp_footer((const char *)s, len));
    else
        ns__text_add(t, (const char *)s, len);
    xmlFree(s);
}

/* Atom authors of n (an entry or the feed), names joined by ", ". */
static char *
atom_authors(feed *f, const xmlNode *n)
{
    ns_buf b = { 0 };
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (!is_own(c, "author"))
            continue;
        const xmlNode *nm = ns__markup_child(c, "name");
        char *s = ns__markup_line(nm ? nm : c, &f->oom);
        if (s) {
            if (b.len)
                ns__buf_append(&b, ", ", 2);
            ns__buf_puts(&b, s);
            ns_free(s);
        }
    }
    if (b.oom)
        f->oom = 1;
    return b.len ? ns__buf_detach(&b) : (ns__buf_free(&b), NULL);
}

/* RSS <author> is an e-mail address, often "x@y.com (Jane Doe)": the name. */
static char *
rss_author(feed *f, const xmlNode *n)
{
    char *s = ns__markup_line(n, &f->oom);
    if (!s)
        return NULL;
    if (strchr(s, '@') && !strchr(s, ' ')) {
        ns_free(s); /* a bare address names nobody */
        return NULL;
    }
    char *open = strchr(s, '(');
    char *close = open ? strrchr(open, ')') : NULL;
    if (open && close && close > open + 1 && strchr(s, '@') &&
        strchr(s, '@') < open) {
        size_t n2 = (size_t)(close - open - 1);
        memmove(s, open + 1, n2);
        s[n2] = '\0';
    }
    return s;
}

/* Dates, most trusted first: the publication date before an update. */
enum { FD_PUB, FD_PUBLISHED, FD_DC, FD_ISSUED, FD_UPDATED, FD_N };

typedef struct item {
    char *title, *id, *url, *author, *language;
    char *source; /* RSS <source>, Atom <source><title> */
    char *date[FD_N];
    const xmlNode *content; /* content:encoded or Atom content */
    int content_kind;
    const xmlNode *summary; /* description or Atom summary */
    int summary_kind;
    const xmlNode *media; /* media:description */
} item;

static void
item_free(item *it)
{
    ns_free(it->title);
    ns_free(it->id);
    ns_free(it->url);
    ns_free(it->author);
    ns_free(it->language);
    ns_free(it->source);
    for (int i = 0; i < FD_N; i++)
        ns_free(it->date[i]);
}

static void
set_line(feed *f, char **slot, const xmlNode *n)
{
    if (!*slot)
        *slot = ns__markup_line(n, &f->oom);
}

/* The URL of an Atom <link>: rel="alternate" (or no rel) wins. */
static void
atom_link(feed *f, item *it, const xmlNode *n, int *alt)
{
    xmlChar *rel = xmlGetProp(n, (const xmlChar *)"rel");
    int is_alt = !rel || strcmp((const char *)rel, "alternate") == 0;
    xmlFree(rel);
    if (it->url && (*alt || !is_alt))
        return;
    char *href = ns__markup_attr(n, "href", &f->oom);
    if (!href)
        return;
    ns_free(it->url);
    it->url = href;
    *alt = is_alt;
}

static void
media_scan(item *it, const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if (IS_MEDIA(c, "description") && !it->media)
            it->media = c;
}

/* ------------------------------------------------------------------------ */
/* Items                                                                     */

static ns_status
item_read(feed *f, const xmlNode *n, int atom)
{
    item it;
    memset(&it, 0, sizeof it);
    int alt = 0;
    ns_status st = NS_OK;
    ns__text body = { { 0 }, 0, 0 };
    const xmlNode *guid = NULL; /* RSS: the guid that gave the id */

    f->w.record++;
    f->w.offset = ns__line_offset(&f->lines, (unsigned long)xmlGetLineNo(n));
    if (!atom)
        it.id = ns__markup_attr(n, "about", &f->oom); /* RSS 1.0 */
    for (const xmlNode *c = n->children; c && !f->oom; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is_own(c, "title") || (IS_DC(c, "title") && !it.title)) {
            if (!it.title)
                it.title = feed_title(f, c, atom);
        } else if (is_own(c, "link")) {
            if (atom || (c->ns && c->ns->prefix))
                atom_link(f, &it, c, &alt);
            else if (!alt) {
                ns_free(it.url);
                it.url = ns__markup_line(c, &f->oom);
                alt = it.url != NULL;
            }
        } else if (is_own(c, "guid") || is_own(c, "id")) {
            if (!it.id && !atom)
                guid = c;
            set_line(f, &it.id, c);
        } else if (is_own(c, "pubDate")) {
            set_line(f, &it.date[FD_PUB], c);
        } else if (is_own(c, "published")) {
            set_line(f, &it.date[FD_PUBLISHED], c);
        } else if (IS_DC(c, "date")) {
            set_line(f, &it.date[FD_DC], c);
        } else if (is_own(c, "issued")) {
            set_line(f, &it.date[FD_ISSUED], c);
        } else if (is_own(c, "updated") || is_own(c, "modified")) {
            set_line(f, &it.date[FD_UPDATED], c);
        } else if (IS_CONTENT(c, "encoded")) {
            it.content = c;
            it.content_kind = 1;
        } else if (atom && is_own(c, "content")) {
            /* Out-of-line content (src=) has no text here. */
            if (!xmlHasProp(c, (const xmlChar *)"src")) {
                it.content = c;
                it.content_kind = atom_type(c);
            }
        } else if (is_own(c, "description") || is_own(c, "summary")) {
            it.summary = c;
            it.summary_kind = atom ? atom_type(c) : 1;
        } else if (is_own(c, "author") && !atom) {
            if (!it.author)
                it.author = rss_author(f, c);
        } else if (is_own(c, "source") && !it.source) {
            if (!atom)
                it.source = feed_title(f, c, 0);
            for (const xmlNode *t = atom ? c->children : NULL; t; t = t->next)
                if (is_own(t, "title") && !it.source)
                    it.source = feed_title(f, t, 1);
        } else if (IS_DC(c, "creator")) {
            set_line(f, &it.author, c);
        } else if (IS_DC(c, "language")) {
            set_line(f, &it.language, c);
        } else if (IS_MEDIA(c, "description")) {
            it.media = c;
        } else if (IS_MEDIA(c, "group")) {
            media_scan(&it, c);
        }
    }
    /* RSS 2.0: a guid is the item's permalink unless isPermaLink="false";
     * an item with no <link> is found at it, when it is a web address. */
    if (!it.url && guid && it.id && !f->oom &&
        (strncmp(it.id, "http://", 7) == 0 ||
         strncmp(it.id, "https://", 8) == 0)) {
        xmlChar *pl = xmlGetProp(guid, (const xmlChar *)"isPermaLink");
        if (!pl || strcmp((const char *)pl, "false") != 0)
            if (!(it.url = ns__strdup(it.id)))
                f->oom = 1;
        xmlFree(pl);
    }
    if (atom && !it.author && !f->oom) {
        it.author = atom_authors(f, n);
        if (!it.author && f->author)
            it.author = ns__strdup(f->author);
    }
    if (!it.language && !f->oom) {
        xmlChar *l = xmlNodeGetLang(n);
        if (l) {
            it.language = ns__strdup((const char *)l);
            xmlFree(l);
        }
    }

    /* The fullest body there is. */
    if (it.content)
        body_of(&body, it.content, it.content_kind);
    if (body.buf.len == 0 && it.summary)
        body_of(&body, it.summary, it.summary_kind);
    if (body.buf.len == 0 && it.media)
        body_of(&body, it.media, 0);
    if (body.buf.oom)
        f->oom = 1;
    if (f->oom) {
        st = NS_ERR_NOMEM;
        goto out;
    }

    if (!it.title && !it.url && body.buf.len == 0) {
        st = ns__corpus_reject(f->sink, &f->w, "%s has no title, link or text",
                               atom ? "entry" : "item");
        goto out;
    }
    char date[NS_DATE_MAX] = "";
    for (int i = 0; i < FD_N; i++)
        if (it.date[i] && ns__date_pick(date, it.date[i], strlen(it.date[i])))
            break;
    ns_article a = NS_ARTICLE_INIT;
    a.id = it.id;
    a.title = it.title;
    a.date = date[0] ? date : NULL;
    a.source = it.source ? it.source : f->source;
    a.url = it.url;
    a.author = it.author;
    a.language = it.language ? it.language : f->language;
    a.text = body.buf.len ? body.buf.data : "";
    a.text_len = body.buf.len;
    st = ns__corpus_emit(f->sink, &f->w, &a);
out:
    ns__text_free(&body);
    item_free(&it);
    return st;
}

/* ------------------------------------------------------------------------ */
/* The feed                                                                  */

static ns_status
feed_meta(feed *f, const xmlNode *chan, int atom)
{
    for (const xmlNode *c = chan->children; c && !f->oom; c = c->next) {
        if (is_own(c, "title") && !f->source)
            f->source = feed_title(f, c, atom);
        else if ((is_own(c, "language") || IS_DC(c, "language")) &&
                 !f->language)
            f->language = ns__markup_line(c, &f->oom);
    }
    if (atom && !f->oom)
        f->author = atom_authors(f, chan);
    return f->oom ? NS_ERR_NOMEM : NS_OK;
}

static ns_status
xmlfeed_read(ns__input *in, const ns__where *w0, const ns__corpus_sink *sink)
{
    feed f;
    memset(&f, 0, sizeof f);
    f.sink = sink;
    f.w = *w0;
    char *data = NULL;
    size_t len = 0;
    xmlDoc *doc = NULL;
    ns__xml_problem p;

    ns_status st = ns__input_slurp(in, NS_MAX_MARKUP_BYTES, &data, &len);
    if (st == NS_ERR_FORMAT)
        return ns__corpus_reject(sink, &f.w, "feed larger than %zu MiB",
                                 NS_MAX_MARKUP_BYTES >> 20);
    if (st == NS_ERR_IO)
        return NS_OK; /* the caller reports the read error */
    if (st != NS_OK)
        return st;
    f.lines.data = data;
    f.lines.len = len;
    if ((st = ns__xml_parse(data, len, &doc, &p)) != NS_OK)
        goto out;
    if (p.set) {
        ns__where pw = f.w;
        pw.offset = p.offset;
        if (p.line)
            st = ns__corpus_reject(sink, &pw, "malformed xml at line %lu: %s",
                                   p.line, p.msg);
        else
            st = ns__corpus_reject(sink, &pw, "malformed xml: %s", p.msg);
        if (st != NS_OK)
            goto out;
    }
    if (!doc)
        goto out; /* nothing recovered: the reject above said why */

    xmlNode *root = xmlDocGetRootElement(doc);
    const char *rn = (const char *)root->name;
    int atom = strcmp(rn, "feed") == 0;
    xmlNode *chan = root;
    if (strcmp(rn, "rss") == 0 || strcmp(rn, "RDF") == 0) {
        chan = ns__markup_child(root, "channel");
    } else if (!atom) {
        st = ns__corpus_reject(sink, &f.w, "not a feed: root element <%.40s>",
                               rn);
        goto out;
    }
    if (chan && (st = feed_meta(&f, chan, atom)) != NS_OK)
        goto out;
    /* Items are in the channel (RSS 2.0), beside it (RSS 1.0) or in the
     * feed (Atom); broken RSS puts them beside the channel too. */
    const xmlNode *parents[2] = { chan, chan != root ? root : NULL };
    for (int i = 0; i < 2 && st == NS_OK; i++) {
        if (!parents[i])
            continue;
        for (const xmlNode *c = parents[i]->children; c && st == NS_OK;
             c = c->next)
            if (is_own(c, atom ? "entry" : "item"))
                st = item_read(&f, c, atom);
    }
out:
    xmlFreeDoc(doc);
    ns_free(f.source);
    ns_free(f.language);
    ns_free(f.author);
    ns_free(data);
    return st;
}

const ns__format ns__format_xmlfeed = { "xmlfeed", xmlfeed_sniff,
                                        xmlfeed_read };
