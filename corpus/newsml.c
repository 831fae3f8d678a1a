/*
 * newsml.c: IPTC news exchange formats: NewsML-G2 (a newsItem alone or in
 * a newsMessage's itemSet), NewsML 1.0 to 1.2 (a NewsItem alone or in a
 * NewsML document) and NITF (inside either's content or on its own), and
 * Reuters' own <newsitem> of the RCV1 and RCV2 corpora.  One
 * article per text item: headline, creation date, byline, credit or
 * provider as source, language and the body's paragraphs.  Pictures,
 * videos, packages, manifests, concepts and planning items are not
 * articles and are passed over quietly; a text item with neither headline
 * nor text is rejected.  The document is read whole (up to 64 MiB) by
 * html.c's safe XML parser.
 */
#include <string.h>
#include <strings.h>

#include "corpus/date.h"
#include "corpus/format.h"
#include "corpus/html.h"

static int
newsml_sniff(const char *head, size_t len, const char *name)
{
    char root[64];
    (void)name;
    ns__xml_root_name(head, len, root, sizeof root);
    const char *local = strchr(root, ':');
    local = local ? local + 1 : root;
    if (strcmp(local, "newsItem") == 0 || strcmp(local, "newsMessage") == 0 ||
        strcmp(local, "nitf") == 0 || strcmp(local, "NewsML") == 0 ||
        strcmp(local, "NewsItem") == 0 || strcmp(local, "newsitem") == 0)
        return 95; /* G2, NITF; NewsML 1's two roots; RCV1 */
    if (root[0] && (ns__find(head, len, "iptc.org/std/nar/", 17) ||
                    ns__find(head, len, "iptc.org/std/NITF/", 18)))
        return 90; /* another G2 item, or a fragment holding NITF */
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Fields                                                                    */

typedef struct doc_state {
    const ns__corpus_sink *sink;
    ns__where w;
    ns__line_cursor lines;
    int oom;
} doc_state;

/* What one item says; every string owned (ns_free). */
typedef struct story {
    char *id;
    char *title;
    /* The dates, best first; NewsML 1's in the parentheses. */
    char *date_first;   /* itemMeta/firstCreated (FirstCreated) */
    char *date_content; /* contentMeta/contentCreated (ThisRevisionCreated) */
    char *date_nitf;    /* NITF date.issue or story.date, norm="" */
    char *date_version; /* itemMeta/versionCreated (the envelope's date) */
    char *source;
    char *source_low; /* weaker: copyright holder, info source (ProviderId) */
    char *author;
    char *url;
    char *language;
    char *dateline;
    char *subhead; /* NewsML 1's SubHeadLine */
    char *summary;
    ns__text body;
} story;

static void
story_free(story *s)
{
    char **all[] = { &s->id,           &s->title,      &s->date_first,
                     &s->date_content, &s->date_nitf,  &s->date_version,
                     &s->source,       &s->source_low, &s->author,
                     &s->url,          &s->language,   &s->dateline,
                     &s->subhead,      &s->summary };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        ns_free(*all[i]);
    ns__text_free(&s->body);
}

static void
set_line(doc_state *d, char **slot, const xmlNode *n)
{
    if (!*slot && n)
        *slot = ns__markup_line(n, &d->oom);
}

static void
set_attr(doc_state *d, char **slot, const xmlNode *n, const char *attr)
{
    if (!*slot && n)
        *slot = ns__markup_attr(n, attr, &d->oom);
}

/* The xml:lang in force at n (its own or an ancestor's), unless slot is
 * set already. */
static void
set_lang(doc_state *d, char **slot, const xmlNode *n)
{
    if (*slot || !n)
        return;
    xmlChar *l = xmlNodeGetLang(n);
    if (l && !(*slot = ns__strdup((const char *)l)))
        d->oom = 1;
    xmlFree(l);
}

/* A G2 party (provider, copyrightHolder, infoSource): its name child, its
 * literal, else the code of its qcode ("nprov:REUTERS" -> "REUTERS"). */
static void
set_party(doc_state *d, char **slot, const xmlNode *n)
{
    if (*slot || !n)
        return;
    set_line(d, slot, ns__markup_child(n, "name"));
    set_attr(d, slot, n, "literal");
    if (!*slot) {
        char *q = ns__markup_attr(n, "qcode", &d->oom);
        if (q) {
            const char *colon = strchr(q, ':');
            const char *code = colon ? colon + 1 : q;
            if (*code && !(*slot = ns__strdup(code)))
                d->oom = 1;
            ns_free(q);
        }
    }
}

/* "By Jane Doe" -> "Jane Doe", in place (ns__corpus_emit does it for
 * every reader; here it tells a byline of words from one of markup). */
static void
strip_by(char *s)
{
    if (s && (strncmp(s, "By ", 3) == 0 || strncmp(s, "by ", 3) == 0 ||
              strncmp(s, "BY ", 3) == 0))
        memmove(s, s + 3, strlen(s + 3) + 1);
}

/* A byline's person: "By Jane Doe, <byttl>Staff</byttl>" -> "Jane Doe";
 * only a title ("<byttl>Sports Network</byttl>") -> the title. */
static char *
byline_name(doc_state *d, const xmlNode *n)
{
    ns__text t = { { 0 }, 0, 1 };
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE && c->content)
            ns__text_add(&t, (const char *)c->content,
                         strlen((const char *)c->content));
        else if (ns__markup_is(c, "person"))
            ns__markup_text(&t, c);
    }
    char *s = t.buf.oom ? NULL : ns__buf_detach(&t.buf);
    if (t.buf.oom)
        d->oom = 1;
    ns__text_free(&t);
    if (s) {
        size_t k = strlen(s);
        while (k > 0 && (s[k - 1] == ',' || s[k - 1] == ' ' || s[k - 1] == ';'))
            s[--k] = '\0';
        strip_by(s);
        if (!*s) {
            ns_free(s);
            s = NULL;
        }
    }
    if (!s)
        s = ns__markup_line(n, &d->oom);
    return s;
}

/* Plain text (inlineData): blank lines part paragraphs. */
static void
plain_text(ns__text *t, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - s) : n;
        size_t k = i;
        while (k < e && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
            k++;
        if (k == e)
            ns__text_break(t, NS_TEXT_PARA);
        else
            ns__text_add(t, s + i, e - i + (nl != NULL));
        i = e + 1;
    }
}

/* Append the text more to t, a paragraph apart.  Both are normalized
 * already: appended as they are. */
static void
text_append(ns__text *t, const ns__text *more)
{
    if (more->buf.oom)
        t->buf.oom = 1;
    if (more->buf.len == 0)
        return;
    if (t->buf.len)
        ns__buf_append(&t->buf, "\n\n", 2);
    ns__buf_append(&t->buf, more->buf.data, more->buf.len);
}

/*
 * The part of an NITF body.content to read: the whole of it, but for the
 * New York Times Annotated Corpus's <block class="full_text"> when there
 * is one, since the "lead_paragraph" block beside it repeats its start.
 */
static const xmlNode *
nitf_content(doc_state *d, const xmlNode *bc)
{
    for (const xmlNode *c = bc ? bc->children : NULL; c; c = c->next) {
        if (!ns__markup_is(c, "block"))
            continue;
        char *cls = ns__markup_attr(c, "class", &d->oom);
        int full = cls && strcmp(cls, "full_text") == 0;
        ns_free(cls);
        if (full)
            return c;
    }
    return bc;
}

/* NITF (inline or alone): fills what the G2 or NewsML 1 wrapper did not. */
static void
nitf_read(doc_state *d, story *s, const xmlNode *nitf)
{
    const xmlNode *head = ns__markup_child(nitf, "head");
    const xmlNode *body = ns__markup_child(nitf, "body");
    const xmlNode *bh = ns__markup_child(body, "body.head");
    const xmlNode *docdata = ns__markup_child(head, "docdata");
    const xmlNode *pubdata = ns__markup_child(head, "pubdata");
    const xmlNode *dl = ns__markup_child(bh, "dateline");
    const xmlNode *x;

    if ((x = ns__markup_child(bh, "hedline")))
        set_line(d, &s->title, ns__markup_child(x, "hl1"));
    set_line(d, &s->title, ns__markup_child(head, "title"));
    set_attr(d, &s->id, ns__markup_child(docdata, "doc-id"), "id-string");
    set_attr(d, &s->date_nitf, ns__markup_child(docdata, "date.issue"), "norm");
    set_attr(d, &s->date_nitf, ns__markup_child(dl, "story.date"), "norm");
    set_attr(d, &s->date_nitf, pubdata, "date.publication");
    if ((x = ns__markup_child(bh, "byline")) && !s->author)
        s->author = byline_name(d, x);
    set_line(d, &s->dateline, dl);
    set_line(d, &s->source, ns__markup_child(bh, "distributor"));
    set_attr(d, &s->source, pubdata, "name");
    set_attr(d, &s->url, pubdata, "ex-ref");
    set_attr(d, &s->source_low, ns__markup_child(docdata, "doc.copyright"),
             "holder");
    set_lang(d, &s->language, nitf);
    if (s->body.buf.len == 0) {
        ns__markup_text(
            &s->body, nitf_content(d, ns__markup_child(body, "body.content")));
        if (s->body.buf.len == 0)
            ns__markup_text(&s->body, ns__markup_child(bh, "abstract"));
    }
}

/* Whether an inlineXML holds text we read: NITF or (X)HTML, named by its
 * contenttype or, without one, by its first element. */
static const xmlNode *
inline_text_root(const xmlNode *ix, int *is_nitf)
{
    const xmlNode *first = NULL;
    for (const xmlNode *c = ix->children; c && !first; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            first = c;
    if (!first)
        return NULL;
    *is_nitf = ns__markup_is(first, "nitf");
    xmlChar *ct = xmlGetProp(ix, (const xmlChar *)"contenttype");
    int ok;
    if (ct) {
        const char *s = (const char *)ct;
        ok = strstr(s, "nitf") || strstr(s, "html");
        xmlFree(ct);
    } else {
        static const char *const texty[] = { "nitf",    "html", "body",
                                             "p",       "div",  "section",
                                             "article", "h1",   "h2" };
        ok = 0;
        for (size_t i = 0; i < sizeof texty / sizeof *texty; i++)
            if (ns__markup_is(first, texty[i]))
                ok = 1;
    }
    return ok ? first : NULL;
}

/* Markup content (a G2 inlineXML, a NewsML 1 DataContent) into s: NITF,
 * or (X)HTML's body.  Returns whether it held text markup. */
static int
markup_content(doc_state *d, story *s, const xmlNode *holder)
{
    int nitf = 0;
    const xmlNode *r = inline_text_root(holder, &nitf);
    if (!r)
        return 0;
    if (nitf) {
        nitf_read(d, s, r);
    } else if (s->body.buf.len == 0) {
        const xmlNode *b = ns__markup_child(r, "body");
        ns__markup_text(&s->body, b ? b : holder);
    }
    return 1;
}

/* Character content (a G2 inlineData, a NewsML 1 DataContent of text)
 * into s's body: plain text, or an HTML fragment when html.  Returns 0
 * when libxml2 could not give the content (out of memory). */
static int
data_content(story *s, const xmlNode *holder, int html)
{
    xmlChar *v = xmlNodeGetContent(holder);
    if (!v)
        return 0;
    size_t n = strlen((const char *)v);
    if (html)
        ns__html_fragment_text(&s->body, (const char *)v, n);
    else
        plain_text(&s->body, (const char *)v, n);
    xmlFree(v);
    return 1;
}

/* Read a G2 contentSet: returns whether it held text. */
static int
content_set(doc_state *d, story *s, const xmlNode *cs)
{
    int text = 0;
    for (const xmlNode *c = cs ? cs->children : NULL; c; c = c->next) {
        if (ns__markup_is(c, "inlineXML")) {
            text |= markup_content(d, s, c);
        } else if (ns__markup_is(c, "inlineData")) {
            xmlChar *ct = xmlGetProp(c, (const xmlChar *)"contenttype");
            xmlChar *enc = xmlGetProp(c, (const xmlChar *)"encoding");
            int plain = !ct || strncmp((const char *)ct, "text/", 5) == 0;
            int html = ct && strstr((const char *)ct, "html");
            if ((plain || html) && !enc && s->body.buf.len == 0)
                text |= data_content(s, c, html);
            xmlFree(ct);
            xmlFree(enc);
        }
    }
    return text;
}

/* ------------------------------------------------------------------------ */
/* Articles                                                                  */

static ns_status
story_emit(doc_state *d, story *s, const char *kind)
{
    if (d->oom || s->body.buf.oom)
        return NS_ERR_NOMEM;
    /* The dateline leads the body, as on the wire, and a subheadline
     * (shown under the headline) comes before both. */
    const char *lead[] = { s->dateline, s->subhead };
    for (size_t i = 0; i < sizeof lead / sizeof *lead; i++) {
        const char *l = lead[i];
        size_t n = l ? strlen(l) : 0;
        /* A dateline alone is no text; a subheadline is. */
        if (!l || (i == 0 && !s->body.buf.len) ||
            (s->body.buf.len && strncmp(s->body.buf.data, l, n) == 0))
            continue;
        ns__text t = { { 0 }, 0, 0 };
        ns__text_add(&t, l, n);
        text_append(&t, &s->body);
        ns__text_free(&s->body);
        s->body = t;
    }
    if (s->body.buf.len == 0 && s->summary)
        ns__text_add(&s->body, s->summary, strlen(s->summary));
    if (s->body.buf.oom)
        return NS_ERR_NOMEM;
    if (!s->title && s->body.buf.len == 0)
        return ns__corpus_reject(d->sink, &d->w,
                                 "%s has no headline and no text", kind);
    char date[NS_DATE_MAX] = "";
    const char *dates[] = { s->date_first, s->date_content, s->date_nitf,
                            s->date_version };
    for (size_t i = 0; i < sizeof dates / sizeof *dates; i++)
        if (dates[i] && ns__date_pick(date, dates[i], strlen(dates[i])))
            break;
    ns_article a = NS_ARTICLE_INIT;
    a.id = s->id;
    a.title = s->title;
    a.date = date[0] ? date : NULL;
    a.source = s->source ? s->source : s->source_low;
    a.author = s->author;
    a.url = s->url;
    a.language = s->language;
    a.text = s->body.buf.len ? s->body.buf.data : "";
    a.text_len = s->body.buf.len;
    return ns__corpus_emit(d->sink, &d->w, &a);
}

static void
record_at(doc_state *d, const xmlNode *n)
{
    d->w.record++;
    d->w.offset = ns__line_offset(&d->lines, (unsigned long)xmlGetLineNo(n));
}

/* One G2 newsItem. */
static ns_status
news_item(doc_state *d, const xmlNode *item)
{
    story s;
    memset(&s, 0, sizeof s);
    const xmlNode *im = ns__markup_child(item, "itemMeta");
    const xmlNode *cm = ns__markup_child(item, "contentMeta");
    const xmlNode *x, *info = NULL;

    char *cls =
        ns__markup_attr(ns__markup_child(im, "itemClass"), "qcode", &d->oom);
    int texty = !cls || strstr(cls, ":text") || strcmp(cls, "text") == 0;
    ns_free(cls);
    int has_text = content_set(d, &s, ns__markup_child(item, "contentSet"));
    /* A picture, video or graphic is an article by its headline and
     * caption (description), and passed over quietly without them. */
    int media = !texty && !has_text;
    if (media && !ns__markup_child(cm, "headline") &&
        !ns__markup_child(cm, "description")) {
        story_free(&s);
        return d->oom ? NS_ERR_NOMEM : NS_OK;
    }
    record_at(d, item);
    set_attr(d, &s.id, item, "guid");
    for (x = cm ? cm->children : NULL; x; x = x->next) {
        if (ns__markup_is(x, "headline")) {
            /* Several headlines differ by role: the first is the main. */
            set_line(d, &s.title, x);
        } else if (ns__markup_is(x, "contentCreated")) {
            set_line(d, &s.date_content, x);
        } else if (ns__markup_is(x, "creditline")) {
            ns_free(s.source); /* it outranks what NITF said */
            s.source = NULL;
            set_line(d, &s.source, x);
        } else if (ns__markup_is(x, "by")) {
            ns_free(s.author);
            s.author = NULL;
            set_line(d, &s.author, x);
        } else if (ns__markup_is(x, "language")) {
            ns_free(s.language);
            s.language = NULL;
            set_attr(d, &s.language, x, "tag");
        } else if (ns__markup_is(x, "dateline")) {
            ns_free(s.dateline);
            s.dateline = NULL;
            set_line(d, &s.dateline, x);
        } else if (ns__markup_is(x, "description") && !s.summary) {
            set_line(d, &s.summary, x);
        } else if (ns__markup_is(x, "infoSource") && !info) {
            info = x;
        }
    }
    if (!s.author && cm)
        set_line(d, &s.author,
                 ns__markup_child(ns__markup_child(cm, "creator"), "name"));
    if (im) {
        set_line(d, &s.date_first, ns__markup_child(im, "firstCreated"));
        set_line(d, &s.date_version, ns__markup_child(im, "versionCreated"));
        if (!s.source || !ns__markup_child(cm, "creditline")) {
            char *prov = NULL;
            set_party(d, &prov, ns__markup_child(im, "provider"));
            if (prov) {
                ns_free(s.source);
                s.source = prov;
            }
        }
        set_line(d, &s.title, ns__markup_child(im, "title"));
    }
    /* The copyright holder publishes; an info source only contributed. */
    x = ns__markup_child(item, "rightsInfo");
    if (x && !s.source_low)
        set_party(d, &s.source_low, ns__markup_child(x, "copyrightHolder"));
    set_party(d, &s.source_low, info);
    set_lang(d, &s.language, item);
    ns_status st = story_emit(d, &s, "news item");
    story_free(&s);
    return st;
}

/* ------------------------------------------------------------------------ */
/* NewsML 1.x                                                                */

/* NewsComponents nest (a story, its text, its pictures) a few levels deep;
 * deeper ones are not read.  libxml2 caps any nesting at 256 anyway. */
#define NML1_MAX_DEPTH 32

/* What a ContentItem or a NewsComponent carries: text (here, not only
 * referred to by an Href), pictures or other media. */
#define NML1_TEXT  1
#define NML1_MEDIA 2

/* A ContentItem's: text when its MediaType is Text (or none is said, and
 * it is not encoded data); 0 for a text kept elsewhere (Href). */
static int
nml1_item_carries(doc_state *d, const xmlNode *ci)
{
    char *mt = ns__markup_attr(ns__markup_child(ci, "MediaType"), "FormalName",
                               &d->oom);
    int media = mt ? strcasecmp(mt, "Text") != 0 :
                     ns__markup_child(ci, "Encoding") != NULL;
    ns_free(mt);
    if (media)
        return NML1_MEDIA;
    if (!ns__markup_child(ci, "DataContent") &&
        xmlHasProp(ci, (const xmlChar *)"Href"))
        return 0;
    return NML1_TEXT;
}

/* Whether a NewsComponent's Role is role. */
static int
nml1_role_is(doc_state *d, const xmlNode *comp, const char *role)
{
    char *r =
        ns__markup_attr(ns__markup_child(comp, "Role"), "FormalName", &d->oom);
    int is = r && strcasecmp(r, role) == 0;
    ns_free(r);
    return is;
}

/* A NewsComponent's, from its subtree: a caption's text is its picture's,
 * not a story's. */
static int
nml1_carries(doc_state *d, const xmlNode *comp, int depth)
{
    int what = 0;
    for (const xmlNode *c = comp->children; c; c = c->next) {
        if (ns__markup_is(c, "ContentItem"))
            what |= nml1_item_carries(d, c);
        else if (ns__markup_is(c, "NewsComponent") && depth < NML1_MAX_DEPTH &&
                 !nml1_role_is(d, c, "Caption"))
            what |= nml1_carries(d, c, depth + 1);
    }
    return what;
}

/* A text ContentItem's DataContent, appended to the body a paragraph after
 * what earlier items gave.  Encoded data (base64) is not read. */
static void
nml1_content(doc_state *d, story *s, const xmlNode *ci)
{
    const xmlNode *dc = ns__markup_child(ci, "DataContent");
    if (!dc || ns__markup_child(ci, "Encoding"))
        return;
    set_lang(d, &s->language, ci); /* a NewsComponent's xml:lang */
    ns__text before = s->body;
    memset(&s->body, 0, sizeof s->body);
    if (!markup_content(d, s, dc)) {
        int elements = 0;
        for (const xmlNode *c = dc->children; c; c = c->next)
            elements |= c->type == XML_ELEMENT_NODE;
        if (elements) {
            /* Text by its MediaType, in markup of its own: AFP's starts
             * with a <media> reference, then the <p>s. */
            ns__markup_text(&s->body, dc);
        } else {
            /* Format XHTML or HTML as escaped markup: "&lt;p&gt;..." */
            char *f = ns__markup_attr(ns__markup_child(ci, "Format"),
                                      "FormalName", &d->oom);
            int html = f && (strncasecmp(f, "HTML", 4) == 0 ||
                             strncasecmp(f, "XHTML", 5) == 0);
            if (!data_content(s, dc, html))
                d->oom = 1;
            ns_free(f);
        }
    }
    text_append(&before, &s->body);
    ns__text_free(&s->body);
    s->body = before;
}

/* What a NewsComponent's NewsLines, AdministrativeMetadata and
 * DescriptiveMetadata say; the first met (the outermost) wins. */
static void
nml1_meta(doc_state *d, story *s, const xmlNode *x, char **credit)
{
    if (ns__markup_is(x, "NewsLines")) {
        set_line(d, &s->title, ns__markup_child(x, "HeadLine"));
        set_line(d, &s->subhead, ns__markup_child(x, "SubHeadLine"));
        if (!s->author) {
            set_line(d, &s->author, ns__markup_child(x, "ByLine"));
        }
        set_line(d, &s->dateline, ns__markup_child(x, "DateLine"));
        set_line(d, credit, ns__markup_child(x, "CreditLine"));
    } else if (ns__markup_is(x, "AdministrativeMetadata")) {
        const xmlNode *prov = ns__markup_child(x, "Provider");
        set_attr(d, &s->source, ns__markup_child(prov, "Party"), "FormalName");
    } else if (ns__markup_is(x, "DescriptiveMetadata")) {
        set_attr(d, &s->language, ns__markup_child(x, "Language"),
                 "FormalName");
    }
}

/* Walk a NewsComponent (or the NewsItem itself) in document order, which
 * in NewsML 1 puts a component's lines and metadata before its parts.
 * The components of pictures and other media are left out: their
 * headline, byline and caption are not the story's.  The first pass
 * (credit set) reads the metadata and counts the text items into
 * *n_text; the second (credit NULL) reads them.  Of a list of equivalents
 * (EquivalentsList="yes": one story in several formats or languages) only
 * the first that gives text is read. */
static void
nml1_component(doc_state *d,
               story *s,
               const xmlNode *comp,
               int depth,
               char **credit,
               int *n_text)
{
    char *eq = ns__markup_attr(comp, "EquivalentsList", &d->oom);
    int equivalents = eq && strcasecmp(eq, "yes") == 0;
    ns_free(eq);
    for (const xmlNode *c = comp->children; c; c = c->next) {
        size_t had = s->body.buf.len;
        if (ns__markup_is(c, "ContentItem")) {
            if (nml1_item_carries(d, c) != NML1_TEXT)
                continue;
            if (credit)
                (*n_text)++;
            else
                nml1_content(d, s, c);
        } else if (ns__markup_is(c, "NewsComponent")) {
            if (depth < NML1_MAX_DEPTH &&
                nml1_carries(d, c, depth + 1) != NML1_MEDIA &&
                !nml1_role_is(d, c, "Caption"))
                nml1_component(d, s, c, depth + 1, credit, n_text);
        } else if (credit) {
            nml1_meta(d, s, c, credit);
        }
        if (equivalents && s->body.buf.len > had)
            break;
    }
}

/* A NewsItem's id: its PublicIdentifier, else
 * ProviderId:DateId:NewsItemId[:RevisionId], else its Duid.  The
 * ProviderId (a domain: "afp.com") is the source when nothing better
 * names one. */
static void
nml1_identification(doc_state *d, story *s, const xmlNode *item)
{
    const xmlNode *ni = ns__markup_child(
        ns__markup_child(item, "Identification"), "NewsIdentifier");
    set_line(d, &s->id, ns__markup_child(ni, "PublicIdentifier"));
    if (!s->id && ns__markup_child(ni, "NewsItemId")) {
        static const char *const parts[] = { "ProviderId", "DateId",
                                             "NewsItemId", "RevisionId" };
        ns_buf b = { 0 };
        for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
            char *v = ns__markup_line(ns__markup_child(ni, parts[i]), &d->oom);
            if (v) {
                if (b.len)
                    ns__buf_append(&b, ":", 1);
                ns__buf_puts(&b, v);
                ns_free(v);
            }
        }
        if (b.oom)
            d->oom = 1;
        else if (b.len)
            s->id = ns__buf_detach(&b);
        ns__buf_free(&b);
    }
    set_attr(d, &s->id, item, "Duid");
    set_line(d, &s->source_low, ns__markup_child(ni, "ProviderId"));
}

static ns_status nml1_item(doc_state *d, const xmlNode *item, int depth);

/* The NewsItems inside comp's NewsComponents, each an article of its own:
 * NewsML 1.2 lets a NewsComponent hold NewsItems as it holds NewsItemRefs
 * (a package of stories included rather than referred to), and each has
 * its own Identification and NewsManagement (id, dates, status), so it is
 * a story of its own, not a part of the one around it. */
static ns_status
nml1_nested(doc_state *d, const xmlNode *comp, int depth)
{
    ns_status st = NS_OK;
    for (const xmlNode *c = comp->children; c && st == NS_OK; c = c->next) {
        if (depth >= NML1_MAX_DEPTH)
            break;
        if (ns__markup_is(c, "NewsItem"))
            st = nml1_item(d, c, depth + 1);
        else if (ns__markup_is(c, "NewsComponent"))
            st = nml1_nested(d, c, depth + 1);
    }
    return st;
}

/* One NewsML 1 NewsItem, then the NewsItems inside it; depth counts the
 * elements between the outermost one and item. */
static ns_status
nml1_item(doc_state *d, const xmlNode *item, int depth)
{
    story s;
    memset(&s, 0, sizeof s);
    char *credit = NULL;
    int n_text = 0;

    /* Metadata first, so that the wrapper's fields outrank NITF's. */
    nml1_component(d, &s, item, 0, &credit, &n_text);
    if (n_text == 0) {
        /* A picture, a manifest of NewsItemRefs, a text kept elsewhere,
         * a package of NewsItems. */
        ns_free(credit);
        story_free(&s);
        return d->oom ? NS_ERR_NOMEM : nml1_nested(d, item, depth);
    }
    record_at(d, item);
    if (!s.source) {
        s.source = credit;
        credit = NULL;
    }
    ns_free(credit);
    nml1_identification(d, &s, item);
    const xmlNode *nm = ns__markup_child(item, "NewsManagement");
    set_line(d, &s.date_first, ns__markup_child(nm, "FirstCreated"));
    set_line(d, &s.date_content, ns__markup_child(nm, "ThisRevisionCreated"));
    /* The last resort: when the NewsML around it was sent. */
    const xmlNode *env = NULL;
    for (const xmlNode *p = item->parent; p && !env; p = p->parent)
        if (ns__markup_is(p, "NewsML"))
            env = ns__markup_child(p, "NewsEnvelope");
    set_line(d, &s.date_version, ns__markup_child(env, "DateAndTime"));
    nml1_component(d, &s, item, 0, NULL, NULL);
    set_lang(d, &s.language, item);
    /* No headline (nor NITF's): the subheadline is the next displayable
     * one.  The SlugLine is never the title: a desk's filing label
     * ("bridge-reopens") whose use the spec leaves to each provider. */
    if (!s.title) {
        s.title = s.subhead;
        s.subhead = NULL;
    }
    ns_status st = story_emit(d, &s, "news item");
    story_free(&s);
    return st == NS_OK ? nml1_nested(d, item, depth) : st;
}

/* ------------------------------------------------------------------------ */
/* Reuters RCV1 and RCV2                                                     */

/*
 * One <newsitem itemid="..." date="1996-08-20" xml:lang="en">: its
 * headline (the <title> before it repeats it after a "COUNTRY: " tag), its
 * byline and dateline, the <p>s of its <text>; the <metadata> (topic,
 * country and industry codes) is not text.  The publisher is the
 * metadata's dc.publisher, else Reuters.
 */
static ns_status
rcv1_item(doc_state *d, const xmlNode *item)
{
    story s;
    memset(&s, 0, sizeof s);
    record_at(d, item);
    set_attr(d, &s.id, item, "itemid");
    set_attr(d, &s.date_content, item, "date");
    set_line(d, &s.title, ns__markup_child(item, "headline"));
    set_line(d, &s.title, ns__markup_child(item, "title"));
    set_line(d, &s.author, ns__markup_child(item, "byline"));
    set_line(d, &s.dateline, ns__markup_child(item, "dateline"));
    ns__markup_text(&s.body, ns__markup_child(item, "text"));
    const xmlNode *md = ns__markup_child(item, "metadata");
    for (const xmlNode *c = md ? md->children : NULL; c && !s.source;
         c = c->next) {
        char *el = ns__markup_is(c, "dc") ?
                       ns__markup_attr(c, "element", &d->oom) :
                       NULL;
        if (el && strcmp(el, "dc.publisher") == 0)
            set_attr(d, &s.source, c, "value");
        ns_free(el);
    }
    if (!s.source && !(s.source = ns__strdup("Reuters")))
        d->oom = 1;
    set_lang(d, &s.language, item);
    ns_status st = story_emit(d, &s, "news item");
    story_free(&s);
    return st;
}

/* NITF outside any newsItem. */
static ns_status
nitf_alone(doc_state *d, const xmlNode *nitf)
{
    story s;
    memset(&s, 0, sizeof s);
    record_at(d, nitf);
    nitf_read(d, &s, nitf);
    ns_status st = story_emit(d, &s, "nitf document");
    story_free(&s);
    return st;
}

static ns_status
newsml_read(ns__input *in, const ns__where *w0, const ns__corpus_sink *sink)
{
    doc_state d;
    memset(&d, 0, sizeof d);
    d.sink = sink;
    d.w = *w0;
    char *data = NULL;
    size_t len = 0;
    xmlDoc *doc = NULL;
    ns__xml_problem p;

    ns_status st = ns__input_slurp(in, NS_MAX_MARKUP_BYTES, &data, &len);
    if (st == NS_ERR_FORMAT)
        return ns__corpus_reject(sink, &d.w, "document larger than %zu MiB",
                                 NS_MAX_MARKUP_BYTES >> 20);
    if (st == NS_ERR_IO)
        return NS_OK; /* the caller reports the read error */
    if (st != NS_OK)
        return st;
    d.lines.data = data;
    d.lines.len = len;
    if ((st = ns__xml_parse(data, len, &doc, &p)) != NS_OK)
        goto out;
    if (p.set) {
        ns__where pw = d.w;
        pw.offset = p.offset;
        if (p.line)
            st = ns__corpus_reject(sink, &pw, "malformed xml at line %lu: %s",
                                   p.line, p.msg);
        else
            st = ns__corpus_reject(sink, &pw, "malformed xml: %s", p.msg);
        if (st != NS_OK || !doc)
            goto out;
    }
    if (!doc)
        goto out;

    /* Find the items wherever they are (newsMessage/itemSet, NewsML, a
     * fragment): an iterative walk that does not enter an item once found. */
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *n = root;
    while (n && st == NS_OK) {
        int down = 0;
        if (n->type == XML_ELEMENT_NODE) {
            const char *nm = (const char *)n->name;
            if (strcmp(nm, "newsItem") == 0)
                st = news_item(&d, n);
            else if (strcmp(nm, "NewsItem") == 0)
                st = nml1_item(&d, n, 0);
            else if (strcmp(nm, "nitf") == 0)
                st = nitf_alone(&d, n);
            else if (strcmp(nm, "newsitem") == 0)
                st = rcv1_item(&d, n);
            else if (strcmp(nm, "packageItem") != 0 &&
                     strcmp(nm, "conceptItem") != 0 &&
                     strcmp(nm, "knowledgeItem") != 0 &&
                     strcmp(nm, "planningItem") != 0 &&
                     strcmp(nm, "catalogItem") != 0)
                down = n->children != NULL;
        }
        if (down) {
            n = n->children;
            continue;
        }
        while (n != root && !n->next)
            n = n->parent;
        if (n == root)
            break;
        n = n->next;
    }
out:
    xmlFreeDoc(doc);
    ns_free(data);
    return st;
}

const ns__format ns__format_newsml = { "newsml", newsml_sniff, newsml_read };
