/*
 * test_corpus_xml.c: the feed reader (corpus/xmlfeed.c) and the safe XML
 * parse under it (corpus/html.c): RSS 2.0, RSS 1.0 and Atom fields, and the
 * broken inputs (malformed XML, undefined entities, billion laughs, external
 * entities, binary bytes, invalid UTF-8), each one reject with the rest
 * still read.  The shared feeds ($NS_SHARED/news/feeds) are counted against
 * their SOURCE.md when present.
 */
#include "test_corpus_common.h"

#include <sys/resource.h>
#include <time.h>

#include "corpus/html.h"

/* A path under $NS_TEST_DATA (static buffer). */
static const char *
mine(const char *rel)
{
    static char buf[4096];
    const char *d = getenv("NS_TEST_DATA");
    snprintf(buf, sizeof buf, "%s/%s", d ? d : "tests/data", rel);
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

static void
walk_ok(got *g, const char *rel)
{
    g->keep_text = 1;
    assert_int_equal(got_walk(g, mine(rel)), NS_OK);
}

static int
has_reject(const got *g, const char *part)
{
    for (size_t i = 0; i < g->nr; i++)
        if (strstr(g->r[i].reason, part))
            return 1;
    return 0;
}

/* Every string an article carries is valid UTF-8. */
static void
assert_all_utf8(const got *g)
{
    for (size_t i = 0; i < g->na; i++) {
        const got_article *a = &g->a[i];
        const char *f[] = { a->id,  a->title,  a->date,    a->source,
                            a->url, a->author, a->language };
        for (size_t k = 0; k < sizeof f / sizeof *f; k++)
            if (f[k])
                assert_true(ns__utf8_valid(f[k], strlen(f[k])));
        if (a->text)
            assert_true(ns__utf8_valid(a->text, a->text_len));
    }
}

/* ------------------------------------------------------------------------ */
/* Feeds                                                                     */

static void
test_rss2(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "xml/rss2.xml");
    assert_int_equal(g.na, 3);
    const got_article *a = &g.a[0];
    assert_str(a->id, "gazette-2021-0417");
    assert_str(a->title, "Council approves new bridge");
    assert_str(a->date, "2021-10-17T08:15:00-05:00");
    assert_str(a->source, "Valley Gazette & Times");
    assert_str(a->url, "https://gazette.example/news/bridge");
    assert_str(a->author, "Jane Doe");
    assert_str(a->language, "en-us");
    assert_str(a->format, "xmlfeed");
    assert_int_equal(a->record, 1);
    /* content:encoded beats the description; tags, scripts and &nbsp; go. */
    assert_str(a->text, "The council voted 7 to 2 on Monday to build a new "
                        "bridge over the river.\n\nWork starts in spring "
                        "2022.");
    /* An item without a title is an article (RSS 2.0 allows it). */
    a = &g.a[1];
    assert_null(a->title);
    assert_str(a->id, "https://gazette.example/news/untitled");
    assert_str(a->date, "2021-10-17T07:00:00Z");
    a = &g.a[2];
    assert_str(a->title, "Caf\xC3\xA9 owner\xE2\x80\x99s \"big day\"");
    assert_str(a->author, "Sam Okafor");
    assert_str(a->date, "2021-10-16T22:30:00+02:00");
    assert_str(a->text, "Plain text with an ampersand: fish & chips, and a "
                        "bold word.");
    assert_true(strstr(a->id, "rss2.xml#3") != NULL);
    /* The empty item: one reject naming its record. */
    assert_int_equal(g.nr, 1);
    assert_int_equal(g.r[0].record, 4);
    assert_true(g.r[0].offset > 0);
    assert_true(strstr(g.r[0].reason, "no title, link or text") != NULL);
    assert_all_utf8(&g);
    got_free(&g);
}

static void
test_rss1(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "xml/rss1.rdf");
    assert_int_equal(g.na, 2);
    assert_int_equal(g.nr, 0);
    assert_str(g.a[0].id, "https://wire.example/1");
    assert_str(g.a[0].title, "Erste Meldung");
    assert_str(g.a[0].date, "2021-10-17T06:00:00Z");
    assert_str(g.a[0].source, "Wire Service");
    assert_str(g.a[0].author, "Redaktion");
    assert_str(g.a[0].language, "de");
    assert_str(g.a[0].text, "Die erste Meldung des Tages.");
    assert_null(g.a[1].date);
    got_free(&g);
}

static void
test_atom(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "xml/atom.xml");
    assert_int_equal(g.na, 3);
    assert_int_equal(g.nr, 0);
    const got_article *a = &g.a[0];
    assert_str(a->id, "tag:harbour.example,2024:1");
    assert_str(a->title, "Ships delayed by fog");    /* type="html" */
    assert_str(a->url, "https://harbour.example/1"); /* rel=alternate */
    assert_str(a->date, "2024-03-05T06:30:00+01:00");     /* published */
    assert_str(a->author, "Ines Duarte");
    assert_str(a->source, "Harbour Log");
    assert_str(a->language, "en");
    assert_str(a->text, "Fog kept six ships outside the harbour.\n\nThe "
                        "pilots waited until noon.");
    a = &g.a[1];
    assert_str(a->language, "pt");         /* the entry's xml:lang */
    assert_str(a->author, "Harbour Desk"); /* the feed's author */
    assert_str(a->text, "O nevoeiro atrasou seis navios.\n\nUm\n\nDois");
    a = &g.a[2];
    assert_null(a->url);
    assert_str(a->text, "The content is elsewhere; the summary stands in for "
                        "it.");
    got_free(&g);
}

/* An aggregator's items name their publisher: RSS <source>, Atom
 * <source><title>; the feed's title names the others. */
static void
test_item_source(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "xml/rss-aggregator.xml");
    assert_int_equal(g.na, 2);
    assert_int_equal(g.nr, 0);
    assert_str(g.a[0].source, "Prairie Wire");
    assert_str(g.a[0].text, "Grain prices climbed for a third week.");
    assert_str(g.a[1].source, "Top stories - Example Aggregator");
    got_free(&g);

    memset(&g, 0, sizeof g);
    walk_ok(&g, "xml/atom-source.xml");
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].source, "Tug & Barge Log");
    assert_str(g.a[0].date, "2024-03-05T10:00:00Z"); /* not the source's */
    got_free(&g);
}

/* RSS 2.0: an item with no <link> is found at its guid, unless that is
 * isPermaLink="false" (or no web address). */
static void
test_guid_permalink(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "xml/rss-guid.xml");
    assert_int_equal(g.na, 2);
    assert_int_equal(g.nr, 0);
    assert_str(g.a[0].url, "http://g.example.com/2020/only-guid");
    assert_str(g.a[1].id, "g-0002");
    assert_null(g.a[1].url);
    got_free(&g);
}

/* WordPress (Yoast SEO) ends each item's HTML with "The post TITLE
 * appeared first on SITE." as a paragraph of two links: not the article's
 * text.  The same words elsewhere in a text stay. */
static void
test_wordpress_footer(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "xml/rss-wordpress.xml");
    assert_int_equal(g.na, 4);
    assert_int_equal(g.nr, 0);
    assert_str(g.a[0].title, "Library opens on Sundays");
    assert_str(g.a[0].text, "The town library will open on Sundays from "
                            "May.\n\nVolunteers will staff the reading "
                            "room.");
    /* Only a description, an excerpt: the footer goes there too. */
    assert_str(g.a[1].text, "Ferry fares go up by a tenth in June. "
                            "[\xE2\x80\xA6]");
    /* Not at the end: a paragraph of the text. */
    assert_str(g.a[2].text, "The picture appeared first on the front page in "
                            "1952.\n\nThe post Harbour in winter appeared "
                            "first on the Ledger.\n\nIt was printed again "
                            "this week.");
    /* Not the footer's shape: more words after the second link. */
    assert_str(g.a[3].text, "Market day moves to Friday. The post Market day "
                            "moved appeared first on Millbrook Ledger and in "
                            "print.");
    got_free(&g);
}

static void
test_sniff(void **state)
{
    (void)state;
    static const char *feeds[] = {
        "<?xml version=\"1.0\"?>\n<!-- c -->\n<rss version=\"2.0\"><channel>"
        "<title>T</title><item><title>x</title></item></channel></rss>",
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title><entry>"
        "<title>x</title></entry></feed>",
        "\xEF\xBB\xBF<!DOCTYPE rdf:RDF><rdf:RDF xmlns:rdf=\"http://www.w3.org/"
        "1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">"
        "<item><title>x</title></item></rdf:RDF>",
    };
    for (size_t i = 0; i < sizeof feeds / sizeof *feeds; i++) {
        got g = { 0 };
        assert_int_equal(got_string(&g, "noext", feeds[i]), NS_OK);
        assert_int_equal(g.na, 1);
        assert_str(g.a[0].format, "xmlfeed");
        assert_str(g.a[0].title, "x");
        got_free(&g);
    }
}

/* ------------------------------------------------------------------------ */
/* Broken inputs: one reject each, the rest still read                       */

static void
test_malformed(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "xml/malformed.xml");
    assert_int_equal(g.nr, 1);
    assert_true(strstr(g.r[0].reason, "malformed xml at line 18") != NULL);
    assert_int_equal(g.r[0].record, 0);
    assert_true(g.r[0].offset > 400);
    /* What the recovering parser got is still delivered. */
    assert_true(g.na >= 2);
    assert_str(g.a[0].title, "First item is fine");
    assert_str(g.a[1].title, "Second item is fine too");
    assert_str(g.a[1].text, "Two.");
    got_free(&g);
}

static void
test_bad_entity(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "xml/bad-entity.xml");
    assert_int_equal(g.nr, 1);
    assert_true(has_reject(&g, "entity 'undefined' not defined"));
    assert_int_equal(g.na, 2);
    assert_str(g.a[0].title, "An entity");
    /* After the error, &amp; and character references still work. */
    assert_str(g.a[1].title, "Later ampersands: salt & pepper");
    assert_str(g.a[1].text, "R&D <3 \xE2\x82\xAC"
                            "5 \xE2\x82\xAC"
                            "6");
    got_free(&g);
}

static long
max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void
test_billion_laughs(void **state)
{
    (void)state;
    got g = { 0 };
    long before = max_rss_kb();
    clock_t t0 = clock();
    walk_ok(&g, "xml/billion-laughs.xml");
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_true(secs < 2.0);
    assert_true(max_rss_kb() - before < 64 * 1024);
    assert_int_equal(g.nr, 1);
    assert_true(strstr(g.r[0].reason, "lol9") != NULL);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].title, "Billion laughs:");
    assert_int_equal(g.a[0].text_len, 0);
    got_free(&g);
}

static void
test_xxe(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "xml/xxe.xml");
    assert_int_equal(g.nr, 1);
    assert_int_equal(g.na, 1);
    /* Neither the file nor the URL was read. */
    assert_str(g.a[0].title, "External entities: [] []");
    assert_str(g.a[0].text, "Nothing from outside.");
    got_free(&g);
}

static void
test_binary(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "xml/binary.xml");
    assert_int_equal(g.nr, 1);
    assert_true(strstr(g.r[0].reason,
                       "line 4: invalid control character 0x01") != NULL);
    assert_int_equal(g.na, 3);
    assert_str(g.a[1].text, "Bytes here.");
    assert_str(g.a[2].title, "After");
    got_free(&g);
}

/* A feed that says ISO-8859-1 and is windows-1252 (curly quotes, dashes,
 * the euro in 0x80..0x9F), as most "Latin-1" feeds are: read as browsers
 * read it, not as C1 controls that vanish. */
static void
test_latin1_is_cp1252(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "xml/latin1-cp1252.xml");
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].title, "\xE2\x80\x9CQuoted\xE2\x80\x9D caf\xC3\xA9 "
                             "\xE2\x80\x93 dash");
    assert_str(g.a[0].text, "It\xE2\x80\x99s a story\xE2\x80\xA6 about "
                            "\xE2\x82\xAC"
                            "5 coffee.");
    got_free(&g);
}

static void
test_invalid_utf8(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "xml/invalid-utf8.xml");
    assert_int_equal(g.nr, 1);
    assert_true(strstr(g.r[0].reason, "line 3: invalid utf-8") != NULL);
    assert_int_equal(g.na, 2);
    assert_str(g.a[0].title, "Caf\xEF\xBF\xBD in Latin-1");
    /* The rest is not reread as Latin-1 (libxml2's own recovery). */
    assert_str(g.a[1].title, "Gr\xC3\xBC\xC3\x9F"
                             "e");
    assert_all_utf8(&g);
    got_free(&g);
}

static void
test_latin1_declared(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "xml/latin1.xml");
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].title, "Caf\xC3\xA9 cr\xC3\xA8me");
    got_free(&g);
}

/* White space before the declaration keeps its encoding (windows-1251:
 * "\xcd\xee\xe2\xee\xf1\xf2\xe8" is "Новости"), and problems are placed in
 * the whole input. */
static void
test_space_before_declaration(void **state)
{
    (void)state;
    static const char feed[] =
        "\n  \n<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n"
        "<rss version=\"2.0\"><channel><title>Feed</title>\n"
        "<item><title>\xcd\xee\xe2\xee\xf1\xf2\xe8</title>"
        "<description>\xf2\xe5\xea\xf1\xf2</description></item>\n"
        "</channel></rss>\n";
    got g = { 0 };
    assert_int_equal(got_buffer(&g, "cp1251.xml", feed, sizeof feed - 1),
                     NS_OK);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].title, "\xd0\x9d\xd0\xbe\xd0\xb2\xd0\xbe\xd1\x81"
                             "\xd1\x82\xd0\xb8");
    got_free(&g);

    char doc[] = "\n\n<?xml version=\"1.0\"?>\n<a>\n<b>\n</c>\n</a>\n";
    xmlDoc *d = NULL;
    ns__xml_problem p;
    assert_int_equal(ns__xml_parse(doc, strlen(doc), &d, &p), NS_OK);
    assert_true(p.set);
    assert_int_equal(p.line, 6);
    assert_int_equal(p.offset, 32);
    xmlFreeDoc(d);
}

static void
test_unreadable(void **state)
{
    (void)state;
    /* Cut after the root's start: the parser recovers no item. */
    got g = { 0 };
    assert_int_equal(got_string(&g, "cut.xml", "<rss version=\"2.0\"><chan"),
                     NS_OK);
    assert_int_equal(g.na, 0);
    assert_int_equal(g.nr, 1);
    assert_true(strstr(g.r[0].reason, "malformed xml") != NULL);
    got_free(&g);
    /* An unknown encoding is read as UTF-8, and said so. */
    memset(&g, 0, sizeof g);
    g.keep_text = 1;
    assert_int_equal(
        got_string(
            &g, "enc.xml",
            "<?xml version=\"1.0\" encoding=\"x-martian\"?><rss><channel>"
            "<item><title>caf\xC3\xA9</title></item></channel></rss>"),
        NS_OK);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].title, "caf\xC3\xA9");
    assert_int_equal(g.nr, 1);
    assert_true(strstr(g.r[0].reason, "x-martian") != NULL);
    got_free(&g);
}

static void
test_too_large(void **state)
{
    (void)state;
    size_t n = NS_MAX_MARKUP_BYTES + 1;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, ' ', n);
    memcpy(big, "<rss version=\"2.0\">", 19);
    got g = { 0 };
    assert_int_equal(got_buffer(&g, "big.xml", big, n), NS_OK);
    assert_int_equal(g.na, 0);
    assert_int_equal(g.nr, 1);
    assert_true(strstr(g.r[0].reason, "larger than 64 MiB") != NULL);
    got_free(&g);
    free(big);
}

/* The parse itself: the problem's line and offset. */
static void
test_xml_parse_problem(void **state)
{
    (void)state;
    char doc[] = "<a>\n<b>\n</c>\n</a>\n";
    xmlDoc *d = NULL;
    ns__xml_problem p;
    assert_int_equal(ns__xml_parse(doc, strlen(doc), &d, &p), NS_OK);
    assert_non_null(d);
    assert_true(p.set);
    assert_int_equal(p.line, 3);
    assert_int_equal(p.offset, 8);
    assert_true(strstr(p.msg, "mismatch") != NULL);
    assert_false(p.msg[0] >= 'A' && p.msg[0] <= 'Z');
    xmlFreeDoc(d);
    char ok[] = "<a>fine</a>";
    assert_int_equal(ns__xml_parse(ok, strlen(ok), &d, &p), NS_OK);
    assert_false(p.set);
    xmlFreeDoc(d);
}

/* Every allocation failing in turn: NS_ERR_NOMEM or success, never a crash
 * or a leak (the sanitizer build checks the leaks). */
static void
test_oom(void **state)
{
    (void)state;
    const char *files[] = { "xml/rss2.xml", "xml/atom.xml", "xml/binary.xml",
                            "xml/invalid-utf8.xml" };
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        size_t len;
        char *data = slurp(mine(files[f]), &len);
        got ref = { 0 };
        assert_int_equal(got_buffer(&ref, files[f], data, len), NS_OK);
        for (uint64_t n = 1;; n++) {
            got g = { 0 };
            ns__alloc_fail_after(n);
            ns_status st = got_buffer(&g, files[f], data, len);
            uint64_t made = ns__alloc_fail_after(0);
            assert_true(st == NS_OK || st == NS_ERR_NOMEM);
            int done = made < n;
            if (done) {
                assert_int_equal(st, NS_OK);
                assert_int_equal(g.na, ref.na);
                assert_int_equal(g.nr, ref.nr);
            }
            got_free(&g);
            if (done)
                break;
        }
        got_free(&ref);
        free(data);
    }
}

/* ------------------------------------------------------------------------ */
/* The shared feeds                                                          */

static void
test_shared_feeds(void **state)
{
    (void)state;
    const char *dir = shared_path("news/feeds/gesab001-headlines-2021/bbc.xml");
    if (!dir)
        skip();
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    *strrchr(path, '/') = '\0';
    got g = { 0 };
    g.keep_text = 1;
    clock_t t0 = clock();
    assert_int_equal(got_walk(&g, path), NS_OK);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    /* SOURCE.md: 679 items with the White House feed's 30, 38 without a
     * description; 22 files here, 866,631 bytes with that feed. */
    assert_int_equal(g.na, 649);
    assert_int_equal(g.nr, 0);
    const char *wh = shared_path("news/whitehouse-briefing-room/rss.xml");
    size_t empty = 0;
    if (wh) {
        assert_int_equal(got_walk(&g, wh), NS_OK);
        assert_int_equal(g.na, 679);
    }
    for (size_t i = 0; i < g.na; i++) {
        assert_non_null(g.a[i].title);
        assert_non_null(g.a[i].source);
        if (g.a[i].text_len == 0)
            empty++;
    }
    if (wh)
        assert_int_equal(empty, 38);
    const got_article *a =
        got_find(&g, "https://www.bbc.co.uk/news/uk-58943184");
    assert_non_null(a);
    assert_str(a->title,
               "Sir David Amess: MP murder suspect held under Terrorism Act");
    assert_str(a->date, "2021-10-17T12:07:17Z");
    assert_str(a->source, "BBC News - Home");
    assert_str(a->language, "en-gb");
    assert_str(a->text, "The man arrested over the killing of Sir David Amess "
                        "is named as Ali Harbi Ali, a Briton of Somali "
                        "heritage.");
    a = got_find(&g, "yt:video:ZxcKwOeyE7Q"); /* Atom, YouTube */
    assert_non_null(a);
    assert_str(a->url, "https://www.youtube.com/watch?v=ZxcKwOeyE7Q");
    assert_str(a->author, "GMA News");
    assert_str(a->date, "2021-10-17T12:35:36Z");
    assert_all_utf8(&g);
    print_message("feeds: %zu articles in %.3f s\n", g.na, secs);
    got_free(&g);
}

int
main(void)
{
    (void)data_path; /* test_corpus_common.h's, for the corpus/ folder */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rss2),
        cmocka_unit_test(test_rss1),
        cmocka_unit_test(test_atom),
        cmocka_unit_test(test_item_source),
        cmocka_unit_test(test_guid_permalink),
        cmocka_unit_test(test_wordpress_footer),
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_bad_entity),
        cmocka_unit_test(test_billion_laughs),
        cmocka_unit_test(test_xxe),
        cmocka_unit_test(test_binary),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_latin1_is_cp1252),
        cmocka_unit_test(test_latin1_declared),
        cmocka_unit_test(test_space_before_declaration),
        cmocka_unit_test(test_unreadable),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_xml_parse_problem),
        cmocka_unit_test(test_oom),
        cmocka_unit_test(test_shared_feeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
