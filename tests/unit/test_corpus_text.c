/*
 * test_corpus_text.c: plain text and Markdown (with and without YAML or
 * TOML front matter): titles, the front-matter subsets (quoting, escapes,
 * folding, lists), Markdown reduced to text (raw HTML too), charsets
 * (windows-1252, UTF-16), and the shared Markdown corpora.
 */
#include "test_corpus_common.h"

static void
walk1(got *g, const char *rel)
{
    memset(g, 0, sizeof *g);
    g->keep_text = 1;
    assert_int_equal(got_walk(g, data_path(rel)), NS_OK);
}

static void
test_plain(void **state)
{
    (void)state;
    got g;
    walk1(&g, "text/plain.txt");
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].format, "text");
    assert_str(g.a[0].title, "Putin Mulls Sending Troops");
    assert_str(g.a[0].text, "MOSCOW -- Body line one.\nBody line two.\n");
    char want[4200];
    snprintf(want, sizeof want, "%s#1", data_path("text/plain.txt"));
    assert_str(g.a[0].id, want);
    assert_null(g.a[0].date);
    got_free(&g);

    walk1(&g, "text/story"); /* no extension, CRLF */
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].title, "No Extension Title");
    assert_str(g.a[0].text, "Body of a file without extension.\r\n");
    got_free(&g);

    walk1(&g, "text/blank.txt");
    assert_int_equal(g.na, 0);
    assert_int_equal(g.nr, 1);
    assert_non_null(strstr(g.r[0].reason, "no text"));
    got_free(&g);
}

static void
test_markdown_no_front_matter(void **state)
{
    (void)state;
    got g;
    walk1(&g, "text/heading.md");
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].format, "text");
    assert_str(g.a[0].title, "A Markdown Title");
    assert_str(g.a[0].text, "Some linked words and bold text, an\n"
                            "image alt and an escaped # sign.\n\n"
                            "Sub heading\n");
    got_free(&g);

    walk1(&g, "text/setext.md");
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].title, "Setext Title");
    assert_str(g.a[0].text, "Body.\n");
    got_free(&g);
}

static void
test_front_matter(void **state)
{
    (void)state;
    got g;
    walk1(&g, "text/front.md");
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 1);
    const got_article *a = &g.a[0];
    assert_str(a->format, "markdown");
    /* "\_" is a no-break space (a space in a title), "\" at a line end
     * joins lines with nothing, "\ " is a space, \u201C a quote */
    assert_str(a->title, "Putin Mulls Sending Troops to Syria as Talks "
                         "\xE2\x80\x9CRenew\xE2\x80\x9D");
    assert_str(a->date, "2015-09-18T10:20:30-04:00"); /* published_time wins */
    assert_str(a->url, "https://example.com/2015/09/18/putin/");
    assert_str(a->id, "https://example.com/2015/09/18/putin/");
    assert_str(a->source, "Bloomberg News");
    assert_str(a->author, "Ilya Arkhipov, Henry O'Meyer");
    assert_str(a->language, "en");
    assert_str(a->text, "Today, the Kremlin said nothing.\n");
    got_free(&g);

    walk1(&g, "text/front-plain.md");
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].title, "A plain title continued here");
    assert_str(g.a[0].date, "2015-09-18T10:20:30Z");
    assert_str(g.a[0].url, "https://example.com/plain");
    assert_str(g.a[0].text, "Heading in body\n\nBody.\n");
    got_free(&g);

    walk1(&g, "text/front-notitle.md");
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].title, "Title From Body");
    assert_str(g.a[0].date, "2015-09-18");
    assert_str(g.a[0].text, "Body text.\n");
    got_free(&g);
}

static void
test_front_matter_edge_cases(void **state)
{
    (void)state;
    got g = { 0 };
    /* an unterminated quoted title still yields what is there; a block
     * scalar; a key with no value; CRLF lines */
    assert_int_equal(
        got_string(&g, "edge.md",
                   "---\r\nempty:\r\ntitle: |\r\n  Block\r\n  title\r\n"
                   "date: \"2015-09-18T10:20:30Z\" # a comment\r\n"
                   "---\r\nBody\r\n"),
        NS_OK);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].title, "Block title");
    assert_str(g.a[0].date, "2015-09-18T10:20:30Z");
    got_free(&g);

    memset(&g, 0, sizeof g);
    assert_int_equal(got_string(&g, "open.md",
                                "---\ntitle: \"never closed\nbody: x\n---\n"
                                "Body\n"),
                     NS_OK);
    assert_int_equal(g.na, 1);
    assert_non_null(g.a[0].title);
    got_free(&g);

    memset(&g, 0, sizeof g);
    /* front matter without its closing line is plain text */
    assert_int_equal(got_string(&g, "noclose.md", "---\ntitle: x\nBody only\n"),
                     NS_OK);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].format, "text");
    got_free(&g);
}

/* An article quoting HTML near its start is still text: the HTML reader
 * claims only what starts as a page. */
static void
test_quoted_html(void **state)
{
    (void)state;
    got g;
    walk1(&g, "text/html-quoted.md");
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].format, "text");
    assert_str(g.a[0].title, "How the school paper went online");
    assert_non_null(strstr(g.a[0].text, "typed `<html>` at the top"));
    got_free(&g);

    walk1(&g, "text/html-quoted.txt");
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].format, "text");
    assert_str(g.a[0].title, "Council website rebuilt by apprentices");
    assert_non_null(strstr(g.a[0].text, "<!DOCTYPE html> and <html lang"));
    got_free(&g);
}

/* One file read from memory: its only article (the walk's rejects in g). */
static const got_article *
read1(got *g, const char *name, const char *data, size_t len)
{
    memset(g, 0, sizeof *g);
    g->keep_text = 1;
    assert_int_equal(got_buffer(g, name, data, len), NS_OK);
    return g->na == 1 ? &g->a[0] : NULL;
}

#define READ1(g, name, lit) read1((g), (name), (lit), sizeof(lit) - 1)

/* Jekyll's posts are dated by their names ("2020-01-02-slug.md") when
 * their front matter says nothing; a date there wins, and a name that is
 * no date ("2020-02-30-...") gives none. */
static void
test_name_date(void **state)
{
    (void)state;
    got g;
    walk1(&g, "text/_posts/2020-01-02-orchard-caves.md");
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].format, "markdown");
    assert_str(g.a[0].title, "Orchard growers store plums in caves");
    assert_str(g.a[0].date, "2020-01-02");
    got_free(&g);

    walk1(&g, "text/_posts/2020-01-03-dated-in-front.md");
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].date, "2020-01-04T09:30:00+01:00");
    got_free(&g);

    walk1(&g, "text/_posts/2020-02-30-not-a-day.txt");
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].format, "text");
    assert_str(g.a[0].title, "Snow blankets the plains");
    assert_null(g.a[0].date);
    got_free(&g);
}

/* A person as a mapping (Jekyll's author: {name: ...}, a list of them):
 * its name is the author; its other keys are not read. */
static void
test_author_objects(void **state)
{
    (void)state;
    got g;
    walk1(&g, "text/_posts/2020-01-05-author-object.md");
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].author, "Ada Pell");
    assert_str(g.a[0].date, "2020-01-02"); /* the front matter's */
    got_free(&g);

    walk1(&g, "text/_posts/2020-01-06-authors-objects.md");
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].author, "Ada Pell, Tomas Wren");
    assert_str(g.a[0].date, "2020-01-06"); /* the name's */
    got_free(&g);
}

static void
test_windows_1252(void **state)
{
    (void)state;
    got g;
    /* not UTF-8: read as windows-1252, curly quotes (0x93 0x94) included */
    const got_article *a =
        READ1(&g, "a.txt", "T zqh09\n\nCaf\xe9 se\xf1or \x93q\x94\n");
    assert_non_null(a);
    assert_str(a->format, "text");
    assert_str(a->title, "T zqh09");
    assert_str(a->text, "Caf\xC3\xA9 se\xC3\xB1or \xE2\x80\x9Cq\xE2\x80\x9D\n");
    got_free(&g);

    /* the whole file decides: one valid UTF-8 sequence does not make an
     * invalid file UTF-8; a byte 1252 leaves undefined is U+FFFD */
    a = READ1(&g, "b.txt", "\xc3\xa9t\xe9 \x81\n");
    assert_non_null(a);
    assert_str(a->title, "\xC3\x83\xC2\xA9t\xC3\xA9 \xEF\xBF\xBD");
    got_free(&g);

    /* valid UTF-8 stays as it is ("é" is not read as two 1252 bytes) */
    a = READ1(&g, "c.txt", "Caf\xc3\xa9\n\nBody\n");
    assert_non_null(a);
    assert_str(a->title, "Caf\xC3\xA9");
    got_free(&g);

    /* Markdown and its front matter too */
    a = READ1(&g, "d.md",
              "---\ntitle: Caf\xe9 \x96 news\nauthor: N\xfa\xf1"
              "ez\n---\n\n*Se\xf1or* text\n");
    assert_non_null(a);
    assert_str(a->format, "markdown");
    assert_str(a->title, "Caf\xC3\xA9 \xE2\x80\x93 news");
    assert_str(a->author, "N\xC3\xBA\xC3\xB1"
                          "ez");
    assert_str(a->text, "Se\xC3\xB1or text\n");
    got_free(&g);
}

static void
test_utf16(void **state)
{
    (void)state;
    got g;
    /* Notepad's "Unicode": little-endian with a byte order mark; a
     * surrogate pair (U+1F600) and CRLF line ends */
    static const char le[] = "\xff\xfe"
                             "T\0i\0t\0l\0e\0\r\0\n\0\r\0\n\0"
                             "B\0o\0d\0y\0 \0\x3d\xd8\x00\xde \0"
                             "n\0a\0\xef\0v\0e\0\r\0\n\0";
    const got_article *a = read1(&g, "le.txt", le, sizeof le - 1);
    assert_int_equal(g.nr, 0);
    assert_non_null(a);
    assert_str(a->format, "text");
    assert_str(a->title, "Title");
    assert_str(a->text, "Body \xF0\x9F\x98\x80 na\xC3\xAFve\r\n");
    got_free(&g);

    /* big-endian; an unpaired surrogate of each kind and an odd last
     * byte: U+FFFD */
    static const char be[] = "\xfe\xff"
                             "\0T\0i\0t\0l\0e\0\n\0\n"
                             "\0x\xd8\x3d\0y\xdc\0\0z\0\n\0";
    a = read1(&g, "be.txt", be, sizeof be - 1);
    assert_non_null(a);
    assert_str(a->title, "Title");
    assert_str(a->text, "x\xEF\xBF\xBDy\xEF\xBF\xBDz\n\xEF\xBF\xBD");
    got_free(&g);

    /* front matter in UTF-16 is Markdown's */
    static const char md[] = "\xff\xfe-\0-\0-\0\n\0t\0i\0t\0l\0e\0:\0 \0"
                             "T\0\n\0-\0-\0-\0\n\0B\0\n\0";
    a = read1(&g, "fm.md", md, sizeof md - 1);
    assert_non_null(a);
    assert_str(a->format, "markdown");
    assert_str(a->title, "T");
    assert_str(a->text, "B\n");
    got_free(&g);

    /* NUL characters are still binary data, byte order mark or not */
    static const char nul[] = "\xff\xfeT\0\0\0\0\0\0\0x\0";
    a = read1(&g, "nul.txt", nul, sizeof nul - 1);
    assert_null(a);
    assert_int_equal(g.nr, 1);
    assert_non_null(strstr(g.r[0].reason, "binary"));
    got_free(&g);
}

static void
test_toml_front_matter(void **state)
{
    (void)state;
    got g;
    const got_article *a =
        READ1(&g, "hugo.md",
              "+++\ntitle = \"Hugo zqh02\"\n"
              "date = 2020-02-03T10:00:00-05:00\n"
              "author = \"A. Writer\"\ntags = [\"x\", \"y\"]\n"
              "+++\n\nBody zqh02\n");
    assert_int_equal(g.nr, 0);
    assert_non_null(a);
    assert_str(a->format, "markdown");
    assert_str(a->title, "Hugo zqh02");
    assert_str(a->date, "2020-02-03T10:00:00-05:00");
    assert_str(a->author, "A. Writer");
    assert_str(a->text, "Body zqh02\n");
    got_free(&g);

    /* escapes, literal and multi-line strings, an array over lines with a
     * comment, an integer id, comments, a dotted key, an empty key and an
     * inline table (dropped), keys after a [table] (not top level:
     * dropped) */
    a = READ1(&g, "more.md",
              "+++ \r\n# a comment\r\n"
              "Title = \"Say \\\"hi\\\"\\tto \\u00e9\\U0001F600\" # note\r\n"
              "url = 'C:\\path\\no\\escapes'\r\n"
              "authors = [\r\n  \"Ann\",  # first\r\n  'Bob',\r\n]\r\n"
              "id = 1234\r\n"
              "site.name = \"dotted\"\r\n'' = \"an empty key\"\r\n"
              "source = \"\"\"\r\nWire \\\r\n    Service\"\"\"\r\n"
              "summary = '''\nline one\nline ''two'''\n"
              "cover = { image = \"x.png\", alt = \"}\" }\n"
              "date = 2015-09-18 10:20:30Z\n"
              "[params]\nlanguage = \"fr\"\n[[menu.main]]\nid = 99\n"
              "+++\nBody\n");
    assert_int_equal(g.nr, 0);
    assert_non_null(a);
    /* (a field is one line: its tab is a space) */
    assert_str(a->title, "Say \"hi\" to \xC3\xA9\xF0\x9F\x98\x80");
    assert_str(a->url, "C:\\path\\no\\escapes");
    assert_str(a->author, "Ann, Bob");
    assert_str(a->id, "1234");
    assert_str(a->source, "Wire Service");
    assert_str(a->date, "2015-09-18T10:20:30Z");
    assert_null(a->language);
    got_free(&g);

    /* no title: the body's first line, as with YAML */
    a = READ1(&g, "notitle.md",
              "+++\ndate = 2015-09-18\n+++\n# Heading\n\nB\n");
    assert_non_null(a);
    assert_str(a->title, "Heading");
    assert_str(a->date, "2015-09-18");
    got_free(&g);

    /* without its closing "+++" it is plain text */
    a = READ1(&g, "open.md", "+++\ntitle = \"x\"\nBody\n");
    assert_non_null(a);
    assert_str(a->format, "text");
    got_free(&g);

    /* malformed: a clear error, with the line */
    static const struct {
        const char *in, *why;
    } bad[] = {
        { "+++\ntitle = \"open\ndate = 2015-09-18\n+++\nB\n",
          "(line 2: unterminated string)" },
        { "+++\ntitle = \"x\"\njust words\n+++\nB\n",
          "(line 3: expected 'key = value')" },
        { "+++\ntitle = \"a\\qb\"\n+++\nB\n",
          "(line 2: unknown escape in a string)" },
        { "+++\ntitle =\n+++\nB\n", "(line 2: a key without a value)" },
        { "+++\ntags = [\"a\", \"b\"\ntitle = \"t\"\n+++\nB\n",
          "(line 2: unterminated array)" },
        { "+++\ntitle = \"a\" \"b\"\n+++\nB\n",
          "(line 2: text after a value)" },
        { "+++\n[params\n+++\nB\n", "(line 2: unterminated table header)" },
        { "+++\nx = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]\n+++\nB\n",
          "nested too deep" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        a = read1(&g, "bad.md", bad[i].in, strlen(bad[i].in));
        assert_null(a);
        assert_int_equal(g.nr, 1);
        assert_str(g.r[0].format, "markdown");
        if (!strstr(g.r[0].reason, "malformed TOML front matter") ||
            !strstr(g.r[0].reason, bad[i].why))
            fail_msg("%s: got \"%s\"", bad[i].in, g.r[0].reason);
        got_free(&g);
    }
}

static void
test_markdown_raw_html(void **state)
{
    (void)state;
    got g;
    const got_article *a =
        READ1(&g, "raw.md",
              "---\ntitle: T\n---\n\n"
              "<div class=\"x\">Raw html &amp; entity &mdash;</div>\n\n"
              "x < y, AT&T, a &amp b, &unknown; and a<b\n"
              "one<br/>two<span\n  data-x='1'>three</span> &#8212;&#x2014;"
              "&nbsp;|\n"
              "<!-- a comment\n\nover lines --><script>var s = \"<p>\";"
              "</script><STYLE>p { }</STYLE>after\n"
              "`<b>code</b> &amp;` and \\<i> and **<em>bold</em>**\n\n"
              "```html\n<p>kept &amp; as written</p>\n```\n");
    assert_non_null(a);
    assert_str(a->text, "Raw html & entity \xE2\x80\x94\n\n"
                        "x < y, AT&T, a &amp b, &unknown; and a<b\n"
                        "one\ntwothree \xE2\x80\x94\xE2\x80\x94\xC2\xA0|\n"
                        "after\n"
                        "`<b>code</b> &amp;` and <i> and bold\n\n"
                        "```html\n<p>kept &amp; as written</p>\n```\n");
    got_free(&g);

    /* a title from a Markdown heading too, and a .md without front matter */
    a = READ1(&g, "h.md", "# <span>Caf&eacute;</span> news\n\nA &lt;tag&gt;\n");
    assert_non_null(a);
    assert_str(a->format, "text");
    assert_str(a->title, "Caf\xC3\xA9 news");
    assert_str(a->text, "A <tag>\n");
    got_free(&g);

    /* plain text is not Markdown: markup stays as written */
    a = READ1(&g, "p.txt", "Title\n\nA <b>bold</b> &amp; move\n");
    assert_non_null(a);
    assert_str(a->text, "A <b>bold</b> &amp; move\n");
    got_free(&g);

    /* unclosed comments, scripts and code spans keep their text, and
     * each closer is searched for once (not once per opener) */
    size_t n = 200003;
    char *big = malloc(n + 8);
    assert_non_null(big);
    memcpy(big, "T\n\n", 3);
    for (size_t i = 3; i < n; i += 10)
        memcpy(big + i, "<!--<scrip", 10);
    memcpy(big + n, "t `x\n", 5);
    a = read1(&g, "big.md", big, n + 5);
    assert_non_null(a);
    assert_int_equal(a->text_len, n + 5 - 3);
    got_free(&g);
    free(big);
}

static void
test_seed_article(void **state)
{
    (void)state;
    const char *p = shared_path("seed/latakia-article.txt");
    if (!p)
        skip();
    got g = { 0 };
    assert_int_equal(got_walk(&g, p), NS_OK);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].title,
               "U.S., Russia Renew Syria Talks as Putin Mulls Sending Troops");
    assert_true(g.a[0].text_len > 1000);
    got_free(&g);
}

static void
test_shared_whitehouse_markdown(void **state)
{
    (void)state;
    const char *p = shared_path("news/whitehouse-sample/SOURCE.md");
    if (!p)
        skip();
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/news/whitehouse-sample/raw",
             getenv("NS_SHARED"));
    got g = { 0 };
    assert_int_equal(got_walk(&g, dir), NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 1000); /* SOURCE.md: 1,000 .md files */
    assert_int_equal(g.files_ended, 1000);
    const char *url = "https://bidenwhitehouse.archives.gov/briefing-room/"
                      "statements-releases/2024/10/29/readout-of-white-house-"
                      "discussion-on-ai-and-advanced-software-solutions-to-"
                      "accelerate-clean-energy-grid-integration/";
    const got_article *a = got_find(&g, url);
    assert_non_null(a);
    assert_str(a->format, "markdown");
    assert_str(a->title, "Readout of White House Discussion on AI and "
                         "Advanced Software Solutions to Accelerate Clean "
                         "Energy Grid Integration");
    assert_str(a->date, "2024-10-29T15:08:35-04:00"); /* 15:08:35-04:00 */
    assert_str(a->url, url);
    assert_null(a->source); /* no source in the front matter */
    got_free(&g);
}

static void
test_shared_briefing_room_tar_xz(void **state)
{
    (void)state;
    const char *p = shared_path(
        "news/whitehouse-briefing-room/wh-briefings-markdown.tar.xz");
    if (!p)
        skip();
    got g = { 0 };
    g.only_format = "markdown";
    assert_int_equal(got_walk(&g, p), NS_OK);
    /* SOURCE.md: 14,396 articles.  The tarball also holds README.md and
     * LICENSE (read as text) and rss.xml (the feed reader's). */
    assert_int_equal(g.counted, 14396);
    assert_int_equal(g.files_incomplete, 0);
    for (size_t i = 0; i < g.nr; i++)
        assert_non_null(strstr(g.r[i].file, "rss.xml"));
    got_free(&g);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_markdown_no_front_matter),
        cmocka_unit_test(test_quoted_html),
        cmocka_unit_test(test_front_matter),
        cmocka_unit_test(test_front_matter_edge_cases),
        cmocka_unit_test(test_name_date),
        cmocka_unit_test(test_author_objects),
        cmocka_unit_test(test_windows_1252),
        cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_toml_front_matter),
        cmocka_unit_test(test_markdown_raw_html),
        cmocka_unit_test(test_seed_article),
        cmocka_unit_test(test_shared_whitehouse_markdown),
        cmocka_unit_test(test_shared_briefing_room_tar_xz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
