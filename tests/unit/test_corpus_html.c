/*
 * test_corpus_html.c: article extraction from web pages (corpus/html.c):
 * text normalization, charsets (declared in HTTP, in <meta>, wrongly, not
 * at all, unknown), metadata (og:, article:, JSON-LD, <time>), the body
 * (boilerplate out, misnested pages, pages without <article>), hostile
 * input (deep nesting, random bytes) and the saved-page format.
 */
#include "test_corpus_common.h"

#include "corpus/html.h"

static const char *
page_path(const char *name)
{
    static char buf[4096];
    const char *d = getenv("NS_TEST_DATA");
    snprintf(buf, sizeof buf, "%s/warc/pages/%s", d ? d : "tests/data", name);
    return buf;
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *d = malloc((size_t)n + 1);
    assert_non_null(d);
    assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    d[n] = '\0';
    *len = (size_t)n;
    return d;
}

/* Extract a test page, with an optional HTTP charset. */
static void
extract(const char *name, const char *http_charset, ns__html_page *p)
{
    size_t len;
    char *d = slurp(page_path(name), &len);
    assert_int_equal(ns__html_extract(d, len, http_charset, p), NS_OK);
    free(d);
    assert_non_null(p->text);
    assert_int_equal(strlen(p->text), p->text_len);
    assert_true(ns__utf8_valid(p->text, p->text_len));
    const char *f[] = { p->title,  p->date,     p->author,
                        p->source, p->language, p->url };
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        if (f[i])
            assert_true(ns__utf8_valid(f[i], strlen(f[i])));
}

#define assert_has(hay, needle)   assert_non_null(strstr((hay), (needle)))
#define assert_lacks(hay, needle) assert_null(strstr((hay), (needle)))

/* ------------------------------------------------------------------------ */
/* Normalized text                                                           */

static void
test_text(void **state)
{
    (void)state;
    ns__text t = { { 0 }, 0, 0 };
    ns__text_break(&t, NS_TEXT_PARA); /* nothing before: dropped */
    ns__text_add(&t, "  one \t two\r\n", 13);
    ns__text_break(&t, NS_TEXT_LINE);
    ns__text_add(&t,
                 "three\xC2\xA0"
                 "four",
                 11); /* no-break space */
    ns__text_break(&t, NS_TEXT_PARA);
    ns__text_break(&t, NS_TEXT_LINE); /* the stronger one stays */
    ns__text_add(&t, "bad \xFF\xC3 ctl\x01\x7F end\xE2\x80\x8B.", 20);
    ns__text_break(&t, NS_TEXT_PARA); /* nothing after: dropped */
    assert_str(ns__buf_cstr(&t.buf), "one two\nthree four\n\nbad "
                                     "\xEF\xBF\xBD\xEF\xBF\xBD ctl end.");
    ns__text_free(&t);

    ns__text l = { { 0 }, 0, 1 };
    ns__text_add(&l, "a", 1);
    ns__text_break(&l, NS_TEXT_PARA);
    ns__text_add(&l, "b", 1);
    assert_str(ns__buf_cstr(&l.buf), "a b");
    ns__text_free(&l);
}

static void
test_fragment(void **state)
{
    (void)state;
    ns__text t = { { 0 }, 0, 0 };
    const char *h = "<p>A &amp; B</p><p>C<br>D<script>x()</script></p>";
    ns__html_fragment_text(&t, h, strlen(h));
    assert_str(ns__buf_cstr(&t.buf), "A & B\n\nC\nD");
    ns__text_free(&t);
    memset(&t, 0, sizeof t);
    ns__html_fragment_text(&t, "fish & chips < 5", 16);
    assert_str(ns__buf_cstr(&t.buf), "fish & chips < 5");
    ns__text_free(&t);
    memset(&t, 0, sizeof t);
    ns__html_fragment_text(&t, "no markup at all", 16);
    assert_str(ns__buf_cstr(&t.buf), "no markup at all");
    ns__text_free(&t);
}

/* ------------------------------------------------------------------------ */
/* Pages                                                                     */

static void
test_article_page(void **state)
{
    (void)state;
    ns__html_page p;
    extract("article-utf8.html", NULL, &p);
    assert_str(p.title, "Harbour bridge reopens after two years of repairs");
    assert_str(p.date, "2024-03-05T09:30:00+01:00"); /* article:published_time */
    assert_str(p.author, "By Ana Lima"); /* ns__corpus_emit drops "By " */
    assert_str(p.source, "The Coastal Times");
    assert_str(p.url, "https://coastal.example/news/harbour-bridge-reopens");
    assert_str(p.language, "en-GB");
    assert_str(p.charset, "UTF-8");
    assert_str(p.text,
               "Harbour bridge reopens after two years of repairs\n\n"
               "The harbour bridge reopened to traffic on Tuesday morning, two "
               "years after cracks were found in its main span.\n\n"
               "Engineers replaced forty-two steel cables and resurfaced the "
               "deck, at a cost the council puts at \xE2\x82\xAC"
               "18 million.\n\n"
               "\xE2\x80\x9CIt is good to have our bridge back,\xE2\x80\x9D "
               "said Marta Silva, who runs a caf\xC3\xA9 at the northern "
               "end.\n\n"
               "Traffic\n\n"
               "Buses return to their old routes next week, and the temporary "
               "ferry service will stop at the end of the month.");
    ns__html_page_free(&p);
    ns__html_page_free(&p); /* twice is fine */
}

static void
test_charsets(void **state)
{
    (void)state;
    ns__html_page p;
    /* Latin-1, declared nowhere: not UTF-8, so windows-1252. */
    extract("latin1-nodecl.html", NULL, &p);
    assert_str(p.charset, "windows-1252");
    assert_str(p.title, "Caf\xC3\xA9 reopens");
    assert_has(p.text, "Na\xC3\xAFve \xC3\xBC"
                       "ber se\xC3\xB1or");
    assert_has(p.text, "\xC2\xA3"
                       "200");
    ns__html_page_free(&p);
    /* The same, declared in HTTP. */
    extract("latin1-nodecl.html", "ISO-8859-1", &p);
    assert_str(p.charset, "windows-1252"); /* as browsers read Latin-1 */
    assert_has(p.text, "caf\xC3\xA9 de la gare");
    ns__html_page_free(&p);
    /* windows-1252 in <meta>: curly quotes, euro, dashes from 0x80-0x9F. */
    extract("cp1252-meta.html", NULL, &p);
    assert_str(p.title, "Prices rise \xE2\x80\x93 again");
    assert_has(p.text, "\xE2\x80\x9CPrices rose by \xE2\x82\xAC"
                       "5 this "
                       "week,\xE2\x80\x9D the baker said \xE2\x80\x94 the");
    assert_has(p.text, "\xE2\x80\x98"
                       "exceptional\xE2\x80\x99");
    ns__html_page_free(&p);
    /* The HTTP header outranks <meta>. */
    extract("cp1252-meta.html", "x-no-such-charset", &p);
    assert_str(p.charset, "windows-1252"); /* unknown: the bytes decide */
    ns__html_page_free(&p);
    /* UTF-8 declared, Latin-1 bytes: the declaration is not trusted. */
    extract("wrong-charset.html", NULL, &p);
    assert_str(p.charset, "windows-1252");
    assert_has(p.text, "caf\xC3\xA9, na\xC3\xAFve, \xC3\xBC"
                       "ber and "
                       "se\xC3\xB1or");
    ns__html_page_free(&p);
    /* Latin-1 declared, multi-byte UTF-8 bytes: read as UTF-8. */
    extract("utf8-declared-latin1.html", NULL, &p);
    assert_str(p.charset, "UTF-8");
    assert_has(p.text, "\xE4\xB8\xAD\xE6\x96\x87");
    ns__html_page_free(&p);
    /* Shift_JIS through iconv (as CP932). */
    extract("shift-jis.html", NULL, &p);
    assert_str(p.charset, "CP932");
    assert_str(p.title, "\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x81\xAE\xE5\xA4\xA9"
                        "\xE6\xB0\x97");
    assert_true(strncmp(p.text, "\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x81\xA7", 9) ==
                0);
    ns__html_page_free(&p);
    /* A charset nobody knows, on UTF-8 bytes. */
    extract("unknown-charset.html", NULL, &p);
    assert_str(p.charset, "UTF-8");
    assert_has(p.text, "caf\xC3\xA9 is plain UTF-8");
    ns__html_page_free(&p);
}

static void
test_byte_order_marks(void **state)
{
    (void)state;
    ns__html_page p;
    static const char u8[] =
        "\xEF\xBB\xBF<html><title>T</title><p>\xC3\xA9t\xC3"
        "\xA9</p></html>";
    assert_int_equal(ns__html_extract(u8, sizeof u8 - 1, "iso-8859-1", &p),
                     NS_OK);
    assert_str(p.charset, "UTF-8"); /* the BOM outranks HTTP */
    assert_str(p.text, "\xC3\xA9t\xC3\xA9");
    ns__html_page_free(&p);
    /* UTF-16LE with its BOM. */
    const char *ascii = "<html><title>Sixteen</title><p>wide text</p></html>";
    size_t n = strlen(ascii);
    char *w = malloc(2 + 2 * n);
    assert_non_null(w);
    w[0] = (char)0xFF;
    w[1] = (char)0xFE;
    for (size_t i = 0; i < n; i++) {
        w[2 + 2 * i] = ascii[i];
        w[3 + 2 * i] = 0;
    }
    assert_int_equal(ns__html_extract(w, 2 + 2 * n, NULL, &p), NS_OK);
    assert_str(p.title, "Sixteen");
    assert_str(p.text, "wide text");
    ns__html_page_free(&p);
    free(w);
}

static void
test_jsonld(void **state)
{
    (void)state;
    ns__html_page p;
    extract("jsonld-only.html", NULL, &p);
    assert_str(p.title, "Flood defences hold as river peaks");
    assert_str(p.date, "2023-11-02T18:45:00-05:00"); /* JSON-LD over <time> */
    assert_str(p.author, "Sam Okafor, Lea Brandt");
    assert_str(p.source, "Valley Gazette");
    assert_str(p.language, "en-US");
    assert_has(p.text, "The river peaked at 5.2 metres");
    ns__html_page_free(&p);

    /* Yoast and other SEO plugins: one @graph whose article names its
     * author and publisher by "@id" references to other nodes. */
    const char *h =
        "<html><head><script type=\"application/ld+json\">{\"@context\":"
        "\"https://schema.org\",\"@graph\":[{\"@type\":\"NewsArticle\","
        "\"@id\":\"https://h.example/a/#article\",\"headline\":\"Harbour "
        "dredging starts in May\",\"author\":{\"@id\":\"https://h.example/"
        "#/schema/person/7\"},\"publisher\":{\"@id\":\"https://h.example/"
        "#organization\"},\"datePublished\":\"2024-03-05T08:00:00+00:00\"},"
        "{\"@type\":\"Organization\",\"@id\":\"https://h.example/"
        "#organization\",\"name\":\"Harbour Herald\"},{\"@type\":"
        "\"Person\",\"@id\":\"https://h.example/#/schema/person/7\","
        "\"name\":\"Ines Moreau\"}]}</script></head><body><p>The port "
        "authority said the work would take two years.</p></body></html>";
    assert_int_equal(ns__html_extract(h, strlen(h), NULL, &p), NS_OK);
    assert_str(p.title, "Harbour dredging starts in May");
    assert_str(p.author, "Ines Moreau");
    assert_str(p.source, "Harbour Herald");
    ns__html_page_free(&p);
    /* A reference to no node gives nothing (not the reference). */
    h = "<html><head><script type=\"application/ld+json\">{\"@graph\":[{"
        "\"@type\":\"NewsArticle\",\"headline\":\"Quiet week\","
        "\"publisher\":{\"@id\":\"#missing\"}}]}</script></head><body>"
        "<p>Nothing much happened in town this week at all.</p></body>"
        "</html>";
    assert_int_equal(ns__html_extract(h, strlen(h), NULL, &p), NS_OK);
    assert_str(p.title, "Quiet week");
    assert_null(p.source);
    ns__html_page_free(&p);
}

static void
test_body_choice(void **state)
{
    (void)state;
    ns__html_page p;
    /* Boilerplate out: nav, header, aside, footer, share bar, script,
     * hidden text, figure caption. */
    extract("article-utf8.html", NULL, &p);
    const char *gone[] = {
        "Sport",  "Most read", "Share on",       "tracking",
        "Hidden", "Copyright", "bridge at dawn", "color: red"
    };
    for (size_t i = 0; i < sizeof gone / sizeof *gone; i++)
        assert_lacks(p.text, gone[i]);
    ns__html_page_free(&p);
    /* The parser nests the story in an unclosed <aside>: still found. */
    extract("misnested-aside.html", NULL, &p);
    assert_has(p.text, "The mountain pass was closed on Sunday");
    assert_has(p.text, "according to the regional road authority");
    assert_lacks(p.text, "Subscribe today");
    ns__html_page_free(&p);
    /* No <article>, <br><br> paragraphs: the densest block. */
    extract("div-soup.html", NULL, &p);
    assert_str(p.text, "Wheat prices fell for a third week as the harvest came "
                       "in larger than traders had expected this summer.\n\n"
                       "Barley held steady, while rapeseed gained two per cent "
                       "on strong demand from crushers in the north of the "
                       "country.\n\nDealers expect prices to settle once "
                       "export contracts for the autumn are signed, probably "
                       "by the end of next month.");
    assert_str(p.title, "Old site: Market report");
    assert_null(p.date); /* never invented */
    ns__html_page_free(&p);
    /* Nothing but navigation and a form. */
    extract("empty.html", NULL, &p);
    assert_int_equal(p.text_len, 0);
    assert_null(p.title);
    ns__html_page_free(&p);
}

static void
test_title_site_suffix(void **state)
{
    (void)state;
    ns__html_page p;
    const char *h = "<html><head><title>Big news today | Daily Planet</title>"
                    "<meta property=\"og:site_name\" content=\"Daily Planet\">"
                    "</head><body><p>Body text.</p></body></html>";
    assert_int_equal(ns__html_extract(h, strlen(h), NULL, &p), NS_OK);
    assert_str(p.title, "Big news today");
    assert_str(p.source, "Daily Planet");
    ns__html_page_free(&p);
    /* og:title carries it too; a dash that is part of the title stays. */
    h = "<html><head><meta property=\"og:title\" content=\"Rates rise - "
        "again | The Citizen\"><meta property=\"og:site_name\" "
        "content=\"The Citizen\"></head><body><p>Body.</p></body></html>";
    assert_int_equal(ns__html_extract(h, strlen(h), NULL, &p), NS_OK);
    assert_str(p.title, "Rates rise - again");
    ns__html_page_free(&p);
    /* A JSON-LD headline with its publisher's name first. */
    h = "<html><head><script type=\"application/ld+json\">{\"@type\":"
        "\"NewsArticle\",\"headline\":\"Ilanga News - Floods in the "
        "north\",\"publisher\":{\"@type\":\"Organization\",\"name\":"
        "\"Ilanga News\"}}</script></head><body><p>Body.</p></body></html>";
    assert_int_equal(ns__html_extract(h, strlen(h), NULL, &p), NS_OK);
    assert_str(p.title, "Floods in the north");
    ns__html_page_free(&p);
}

/* ------------------------------------------------------------------------ */
/* Hostile input                                                             */

static void
test_deep_nesting(void **state)
{
    (void)state;
    size_t depth = 100000;
    const char *open = "<div>", *close = "</div>";
    const char *mid = "<p>Deep inside a hundred thousand divs, this paragraph "
                      "is still the article.</p>";
    size_t n = depth * (strlen(open) + strlen(close)) + strlen(mid);
    char *h = malloc(n + 1), *p = h;
    assert_non_null(h);
    for (size_t i = 0; i < depth; i++, p += 5)
        memcpy(p, open, 5);
    memcpy(p, mid, strlen(mid));
    p += strlen(mid);
    for (size_t i = 0; i < depth; i++, p += 6)
        memcpy(p, close, 6);
    ns__html_page pg;
    assert_int_equal(ns__html_extract(h, n, NULL, &pg), NS_OK);
    assert_has(pg.text, "Deep inside a hundred thousand divs");
    ns__html_page_free(&pg);
    free(h);
    /* Over NS_MAX_HTML_TAGS tags: refused before the parse. */
    n = NS_MAX_HTML_TAGS * 3 + 3;
    h = malloc(n);
    assert_non_null(h);
    for (size_t i = 0; i < n; i += 3)
        memcpy(h + i, "<b>", 3);
    assert_int_equal(ns__html_extract(h, n, NULL, &pg), NS_ERR_FORMAT);
    free(h);
}

static void
test_random_bytes(void **state)
{
    (void)state;
    unsigned seed = 12345;
    char buf[4096];
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)(round * 20 + 1);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            /* Mostly markup characters, some high bytes and NULs. */
            static const char alphabet[] = "<>/=\"' &;#abcdpx\n\xC3\xA9\xFF";
            buf[i] = (seed >> 16) % 7 == 0 ?
                         (char)(seed >> 8) :
                         alphabet[(seed >> 16) % (sizeof alphabet)];
        }
        ns__html_page p;
        ns_status st = ns__html_extract(buf, n, round % 2 ? "utf-8" : NULL, &p);
        assert_true(st == NS_OK || st == NS_ERR_FORMAT);
        if (st == NS_OK)
            assert_true(ns__utf8_valid(p.text, p.text_len));
        ns__html_page_free(&p);
    }
}

/* Extract the page h (a string) into p. */
static void
extract_str(const char *h, ns__html_page *p)
{
    assert_int_equal(ns__html_extract(h, strlen(h), NULL, p), NS_OK);
}

/*
 * Scripts, styles and unread attributes are cut before the parse
 * (page_slim): where libxml2 reads no tag, or a script with no content,
 * nothing may be cut, and what is read later must stay.
 */
static void
test_slim(void **state)
{
    (void)state;
    ns__html_page p;
    const char *para = "<p>The council approved the new budget on Tuesday "
                       "after a debate that lasted most of the night.</p>";
    char h[4096];
    /* Not tags to libxml2: a "<script" in a comment, in a malformed end
     * tag (skipped to its '>'), in a processing instruction; and a
     * script with no content. */
    const char *before[] = {
        "<!-- <script> -->",
        "<div>x</d<script>iv>",
        "<?php <script> ?>",
        "<script src=a.js />",
        "<SCRIPT src=\"a.js\"/>",
        "<scripts>",
    };
    for (size_t i = 0; i < sizeof before / sizeof *before; i++) {
        snprintf(h, sizeof h,
                 "<html><body>%s%s<script>var x = 1;</script></body></html>",
                 before[i], para);
        extract_str(h, &p);
        assert_has(p.text, "The council approved the new budget");
        assert_lacks(p.text, "var x");
        ns__html_page_free(&p);
    }
    /* A script ends at "</script" only: its "</p>" and "<p>" are text. */
    snprintf(h, sizeof h,
             "<html><body><script>document.write(\"</p><p>Buy now, "
             "limited offer, click here to subscribe today!</p>\");"
             "</SCRIPT >%s<style>p { color: red }</style></body></html>",
             para);
    extract_str(h, &p);
    assert_has(p.text, "The council approved the new budget");
    assert_lacks(p.text, "Buy now");
    assert_lacks(p.text, "color");
    ns__html_page_free(&p);
    /* Attributes read later survive, also after a cut one with no blank
     * before them; JSON-LD scripts stay. */
    snprintf(h, sizeof h,
             "<html lang=en data-a=\"1\"><head>"
             "<meta data-x=\"1\"property=\"og:title\" content=\"Budget "
             "passes\">"
             "<link data-y='2' href=\"https://example.com/budget\" "
             "rel=canonical>"
             "<script data-z=1 type=\"application/ld+json\">{\"@type\": "
             "\"NewsArticle\", \"datePublished\": \"2024-03-05\"}</script>"
             "</head><body><div onclick=\"f()\" hidden>Hidden menu</div>"
             "<div data-q=1 class=\"share-bar\">Share on every site</div>"
             "%s</body></html>",
             para);
    extract_str(h, &p);
    assert_str(p.title, "Budget passes");
    assert_str(p.url, "https://example.com/budget");
    assert_str(p.language, "en");
    assert_str(p.date, "2024-03-05");
    assert_has(p.text, "The council approved the new budget");
    assert_lacks(p.text, "Hidden menu");
    assert_lacks(p.text, "Share on");
    ns__html_page_free(&p);
    /* A class is read only for boilerplate, and only the first of two:
     * the second cannot make a paragraph boilerplate, nor a share bar
     * not. */
    snprintf(h, sizeof h,
             "<html><body><div>%s%s%s%s"
             "<div class=\"story\" class=\"share\"><p>Councillors will "
             "meet again in May to set the rates.</p></div>"
             "<div class=share CLASS=story><p>Share this story with your "
             "friends on every network you use.</p></div>"
             "<div class=\"share&amp;x\"><p>Share the page &amp; its "
             "pictures with everyone you know today.</p></div>"
             "</div></body></html>",
             para, para, para, para);
    extract_str(h, &p);
    assert_has(p.text, "The council approved the new budget");
    assert_has(p.text, "Councillors will meet again in May");
    assert_lacks(p.text, "Share this story");
    assert_lacks(p.text, "Share the page");
    ns__html_page_free(&p);
    /* Attributes stay only where they are read, decided on the first of
     * a name: style and id as class; content on a <meta> with a known
     * name (whichever comes first) or an itemprop element; rel and href
     * on a canonical <link>. */
    char blanks[400];
    memset(blanks, ' ', sizeof blanks - 1);
    blanks[sizeof blanks - 1] = '\0';
    snprintf(h, sizeof h,
             "<html><head><meta content=\"Rates set\" data-q=1 "
             "PROPERTY=\"og:title\"><meta content=\"x\" name=\"viewport\">"
             "<link href=\"https://example.com/a.css\" rel=stylesheet>"
             "<link href=\"https://example.com/rates\" rel=\"canonical\">"
             "</head><body><div>%s%s%s%s"
             "<div style=\"%sdisplay: none\"><p>Hidden after many blanks, "
             "this paragraph is long enough to count.</p></div>"
             "<div style=\"color: red\" style=\"display:none\"><p>Shown: "
             "the first style decides, and it hides nothing.</p></div>"
             "<div id=\"social-share\"><p>Share this story with your "
             "friends on every network you use.</p></div>"
             "<span content=\"2019-05-04\" itemprop=\"datePublished\">"
             "</span></div></body></html>",
             blanks, para, para, para, para);
    extract_str(h, &p);
    assert_str(p.title, "Rates set");
    assert_str(p.url, "https://example.com/rates");
    assert_str(p.date, "2019-05-04");
    assert_lacks(p.text, "Hidden after many blanks");
    assert_has(p.text, "Shown: the first style decides");
    assert_lacks(p.text, "Share this story");
    ns__html_page_free(&p);
    /* JSON-LD is set aside before the parse: read as libxml2 passes it
     * (form feeds and non-characters dropped), the first Article of
     * several scripts, and one that starts with an end tag. */
    extract_str("<html><head><script type=\"application/ld+json\">\r\n"
                "{\"@type\":\"NewsArticle\",\"headline\":\"Line\r\nbreak"
                "\rcr\fff\xef\xbf\xbe\xef\xbf\xbfx\",\"datePublished\":"
                "\"2021-03-04T05:06:07Z\",\"articleBody\":\"Short\r\n\r\n"
                "body\"}\r\n</script></head><body><p>x</p></body></html>",
                &p);
    assert_str(p.title, "Line break crffx");
    assert_str(p.date, "2021-03-04T05:06:07Z");
    assert_str(p.text, "Short body");
    ns__html_page_free(&p);
    extract_str("<html><head><script type=application/ld+json>{}</script>"
                "<script type=\"application/ld+json\">{\"@type\":\"Article\","
                "\"headline\":\"Second script\"}</SCRIPT ></head><body>"
                "<p>y</p></body></html>",
                &p);
    assert_str(p.title, "Second script");
    ns__html_page_free(&p);
    extract_str("<html><head><script type=\"application/ld+json\"></div>"
                "{\"@type\":\"Article\",\"headline\":\"After an end tag\"}"
                "</script></head><body><p>y</p></body></html>",
                &p);
    assert_str(p.title, "After an end tag");
    ns__html_page_free(&p);
    /* A script that never ends, a quote that never closes: the text
     * before them stays. */
    const char *after[] = { "<script>var s = \"<p>",
                            "<div class=\"a><p>more" };
    for (size_t i = 0; i < sizeof after / sizeof *after; i++) {
        snprintf(h, sizeof h, "<html><body>%s%s", para, after[i]);
        extract_str(h, &p);
        assert_has(p.text, "The council approved the new budget");
        ns__html_page_free(&p);
    }
}

/*
 * Extraction reads libxml2's parse events, not a tree, so the rules by
 * which libxml2 builds its tree must hold in them (they decided what the
 * tree walks saw): an element that starts after the root closed is the
 * root's child when the root is the document's first node, and outside it
 * after a DOCTYPE or a comment; a byline's name is its child element's,
 * a <meta> included; names are local ("o:p" is a paragraph).
 */
static void
test_tree_rules(void **state)
{
    (void)state;
    ns__html_page p;
    const char *para = "<p>The harbour reopened on Monday after a week of "
                       "storms had kept the ferries in port.</p>";
    const char *late = "<div><p>Fishermen said the catch was the best of the "
                       "season so far, and prices fell.</p>after the root</div>";
    const char *heads[] = { "", "<!DOCTYPE html>", "<!-- a comment -->" };
    char h[4096];
    for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
        snprintf(h, sizeof h,
                 "%s<html><head><title>Harbour</title></head><body><div>%s"
                 "</div></body></html>%s",
                 heads[i], para, late);
        extract_str(h, &p);
        assert_has(p.text, "The harbour reopened on Monday");
        if (i == 0) {
            assert_has(p.text, "Fishermen said the catch");
            assert_has(p.text, "after the root");
        } else {
            assert_lacks(p.text, "Fishermen");
        }
        ns__html_page_free(&p);
    }
    snprintf(h, sizeof h,
             "<html><body><span itemprop=\"author\" itemscope>"
             "<meta itemprop=\"name\" content=\"Eddie Ng\"></span>"
             "<div itemprop=\"author\">Not this one</div>%s</body></html>",
             para);
    extract_str(h, &p);
    assert_str(p.author, "Eddie Ng");
    ns__html_page_free(&p);
    /* The first title with text; the first <h1> with text, its scripts
     * and navigation left out. */
    snprintf(h, sizeof h,
             "<html><head><title> </title><title>Second</title></head><body>"
             "<h1> </h1><h1>Real <script>x</script><nav>menu</nav>head</h1>"
             "%s</body></html>",
             para);
    extract_str(h, &p);
    assert_str(p.title, "Second");
    ns__html_page_free(&p);
    snprintf(h, sizeof h,
             "<html><body><h1> </h1><h1>Real <script>x</script><nav>menu"
             "</nav>head</h1>%s</body></html>",
             para);
    extract_str(h, &p);
    assert_str(p.title, "Real head");
    ns__html_page_free(&p);
    /* <o:p> is a paragraph of its own, <x:span> inline. */
    snprintf(h, sizeof h,
             "<html><body><div>%s<p>Fishermen said the catch was the best "
             "of the season so far, and prices fell.</p><o:p>One</o:p>"
             "<o:p>Two</o:p><x:span>Thr</x:span><x:span>ee</x:span></div>"
             "</body></html>",
             para);
    extract_str(h, &p);
    assert_has(p.text, "prices fell.\n\nOne\n\nTwo\n\nThree");
    ns__html_page_free(&p);
}

static void
test_too_large(void **state)
{
    (void)state;
    ns__html_page p;
    assert_int_equal(
        ns__html_extract("<p>x</p>", NS_MAX_MARKUP_BYTES + 1, NULL, &p),
        NS_ERR_FORMAT);
    assert_null(p.text);
}

static void
test_oom(void **state)
{
    (void)state;
    const char *pages[] = { "article-utf8.html", "jsonld-only.html",
                            "shift-jis.html", "cp1252-meta.html" };
    for (size_t f = 0; f < sizeof pages / sizeof *pages; f++) {
        size_t len;
        char *d = slurp(page_path(pages[f]), &len);
        for (uint64_t n = 1;; n++) {
            ns__html_page p;
            ns__alloc_fail_after(n);
            ns_status st = ns__html_extract(d, len, NULL, &p);
            uint64_t made = ns__alloc_fail_after(0);
            assert_true(st == NS_OK || st == NS_ERR_NOMEM);
            if (st != NS_OK)
                assert_null(p.text);
            ns__html_page_free(&p);
            if (made < n) {
                assert_int_equal(st, NS_OK);
                break;
            }
        }
        free(d);
    }
}

/* ------------------------------------------------------------------------ */
/* Saved pages as a format                                                   */

static void
test_page_files(void **state)
{
    (void)state;
    got g = { 0 };
    g.keep_text = 1;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", page_path("x"));
    *strrchr(dir, '/') = '\0';
    assert_int_equal(got_walk(&g, dir), NS_OK);
    assert_int_equal(g.na, 10);
    assert_int_equal(g.nr, 1);
    assert_has(g.r[0].file, "empty.html");
    assert_str(g.r[0].reason, "no article text in the page");
    const got_article *a =
        got_find(&g, "https://coastal.example/news/harbour-bridge-reopens");
    assert_non_null(a);
    assert_str(a->format, "html");
    /* Without a canonical URL, the path is the id. */
    for (size_t i = 0; i < g.na; i++)
        if (!g.a[i].url)
            assert_str(g.a[i].id, g.a[i].file);
    got_free(&g);
    /* Sniffed by content, whatever the name. */
    memset(&g, 0, sizeof g);
    assert_int_equal(got_string(&g, "noext",
                                "<!DOCTYPE html><html><title>T</title><body>"
                                "<p>x</p></body></html>"),
                     NS_OK);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].format, "html");
    got_free(&g);
    /* A page starts as one, past comments and its DOCTYPE (any case), or
     * with the <head> or <body> HTML lets stand without <html>. */
    static const char *const pages[] = {
        "\xEF\xBB\xBF<!-- saved from a browser -->\n<!doctype HTML>\n"
        "<title>T</title><p>x</p>",
        "<head><title>T</title></head><p>x</p>",
        "\n<BODY><h1>T</h1><p>x</p></BODY>",
    };
    for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
        memset(&g, 0, sizeof g);
        assert_int_equal(got_string(&g, "noext", pages[i]), NS_OK);
        assert_int_equal(g.na, 1);
        assert_str(g.a[0].format, "html");
        got_free(&g);
    }
    /* "<html" further on is no page: text that quotes markup. */
    memset(&g, 0, sizeof g);
    assert_int_equal(got_string(&g, "noext",
                                "Notes on markup\n\nA page opens with "
                                "<html> and closes with </html>.\n"),
                     NS_OK);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].format, "text");
    got_free(&g);
}

int
main(void)
{
    (void)data_path;
    (void)shared_path;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_fragment),
        cmocka_unit_test(test_article_page),
        cmocka_unit_test(test_charsets),
        cmocka_unit_test(test_byte_order_marks),
        cmocka_unit_test(test_jsonld),
        cmocka_unit_test(test_body_choice),
        cmocka_unit_test(test_title_site_suffix),
        cmocka_unit_test(test_tree_rules),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_slim),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_oom),
        cmocka_unit_test(test_page_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
