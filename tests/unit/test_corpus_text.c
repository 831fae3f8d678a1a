/*
 * test_corpus_text.c: plain text and Markdown (with and without YAML front
 * matter): titles, the front-matter subset (quoting, escapes, folding,
 * lists), Markdown reduced to text, and the shared Markdown corpora.
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
    assert_str(a->date, "2015-09-18T14:20:30Z"); /* published_time wins */
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
    assert_str(a->date, "2024-10-29T19:08:35Z"); /* 15:08:35-04:00 */
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
        cmocka_unit_test(test_front_matter),
        cmocka_unit_test(test_front_matter_edge_cases),
        cmocka_unit_test(test_seed_article),
        cmocka_unit_test(test_shared_whitehouse_markdown),
        cmocka_unit_test(test_shared_briefing_room_tar_xz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
