/*
 * test_corpus_xml_newsml.c: the IPTC reader (corpus/newsml.c): NewsML-G2,
 * NITF and NewsML 1.x.  IPTC specification examples (CC BY 4.0, copied in
 * tests/data/xml/newsml) and hand-made items, field by field; items that are
 * not articles; the shared IPTC examples counted against their SOURCE.md when
 * present.
 */
#include "test_corpus_common.h"

#include <time.h>

static const char *
mine(const char *rel)
{
    static char buf[4096];
    const char *d = getenv("NS_TEST_DATA");
    snprintf(buf, sizeof buf, "%s/xml/newsml/%s", d ? d : "tests/data", rel);
    return buf;
}

static void
walk_ok(got *g, const char *rel)
{
    g->keep_text = 1;
    assert_int_equal(got_walk(g, mine(rel)), NS_OK);
}

static void
test_g2_with_nitf(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "iptc-listing2-text.xml");
    assert_int_equal(g.na, 1);
    assert_int_equal(g.nr, 0);
    const got_article *a = &g.a[0];
    assert_str(a->format, "newsml");
    assert_str(a->id, "urn:newsml:acmenews.com:20161121:US-FINANCE-FED");
    assert_str(a->title, "Fed to halt QE to avert \"bubble\"");
    /* contentCreated 2016-11-21T15:21:06-05:00 (no firstCreated). */
    assert_str(a->date, "2016-11-21T15:21:06-05:00");
    assert_str(a->source, "Acme News and Media LLC"); /* copyright holder */
    assert_str(a->author, "Meredith Jameson");        /* NITF byline */
    assert_str(a->language, "en-US");
    assert_null(a->url);
    assert_true(strncmp(a->text, "(New York, NY - October 21) Et, sent", 36) ==
                0);
    assert_non_null(strstr(a->text, "el utat.\n\nUgiating ea feugait"));
    got_free(&g);
}

static void
test_nitf_fragment(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "iptc-listing25-nitf-fragment.xml");
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].title, "Arizona Diamondbacks (29-23) at Philadelphia "
                             "Phillies (26-24), 7:05p.m.");
    assert_str(g.a[0].author, "Sports Network"); /* only a byttl */
    assert_null(g.a[0].date);
    assert_true(strncmp(g.a[0].text, "(Sports Network) - With the", 27) == 0);
    got_free(&g);
}

static void
test_photo(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "iptc-listing3-photo.xml");
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].id, "tag:gettyimages.com,2010:GYI0062134533");
    assert_str(g.a[0].title,
               "Variety Of Recessionary Forces Leave Las Vegas Economy "
               "Scarred");
    assert_str(g.a[0].source, "Getty Images");
    assert_str(g.a[0].author, "Spencer Platt");
    assert_str(g.a[0].date, "2010-10-20T20:58:00Z");
    /* The caption is the text. */
    assert_true(
        strncmp(g.a[0].text, "A general view of part of downtown", 34) == 0);
    got_free(&g);
}

static void
test_not_articles(void **state)
{
    (void)state;
    /* A text item with neither headline nor text: one reject. */
    got g = { 0 };
    walk_ok(&g, "iptc-listing29-no-content.xml");
    assert_int_equal(g.na, 0);
    assert_int_equal(g.nr, 1);
    assert_int_equal(g.r[0].record, 1);
    assert_true(g.r[0].offset > 0);
    assert_str(g.r[0].reason, "news item has no headline and no text");
    got_free(&g);
    /* Events in a composite item: not an article, and not an error. */
    memset(&g, 0, sizeof g);
    walk_ok(&g, "iptc-listing16-events.xml");
    assert_int_equal(g.na, 0);
    assert_int_equal(g.nr, 0);
    got_free(&g);
}

static void
test_news_message(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "news-message.xml");
    assert_int_equal(g.na, 2); /* the packageItem is passed over */
    assert_int_equal(g.nr, 0);
    const got_article *a = &g.a[0];
    assert_str(a->id, "urn:test:plain");
    assert_str(a->title, "Ferry strike called off");
    assert_str(a->date, "2024-03-05T08:00:00+01:00"); /* firstCreated, in UTC */
    assert_str(a->source, "Harbour Wire / Coastal Times"); /* creditline */
    assert_str(a->author, "Ana Lima");
    assert_str(a->language, "en-GB"); /* contentMeta/language */
    assert_int_equal(a->record, 1);
    /* The dateline leads; the plain text keeps its paragraphs. */
    assert_str(a->text,
               "LISBON, March 5\n\nThe ferry workers' union called off "
               "Tuesday's strike after talks overnight.\n\nServices "
               "will run to the normal timetable.");
    a = &g.a[1];
    assert_str(a->id, "urn:test:xhtml");
    assert_str(a->source, "WIRE");               /* the provider's qcode */
    assert_str(a->date, "2024-03-06T09:00:00Z"); /* versionCreated */
    assert_str(a->language, "pt");
    assert_str(a->text, "O sindicato cancelou a greve.\n\nOs barcos circulam "
                        "normalmente.");
    assert_int_equal(a->record, 2);
    got_free(&g);
}

static void
test_nitf_alone(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "nitf-alone.xml");
    assert_int_equal(g.na, 1);
    const got_article *a = &g.a[0];
    assert_str(a->id, "nitf-test-0001");
    assert_str(a->title, "River peaks below flood walls");
    assert_str(a->date, "2024-03-05T14:30:00-05:00"); /* date.issue norm */
    assert_str(a->source, "Valley Gazette");
    assert_str(a->author, "Sam Okafor");
    assert_str(a->language, "en-US");
    assert_str(a->text,
               "MILLTOWN, March 5\n\nThe river peaked at 5.2 metres on "
               "Tuesday.\n\nNo homes flooded\n\nThe new walls held, "
               "the county said.");
    got_free(&g);
}

/* NITF as the New York Times Annotated Corpus has it: the date, the
 * publication and its address in pubdata, and a lead_paragraph block that
 * repeats the start of the full_text block (read once). */
static void
test_nitf_nyt(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "nitf-nyt.xml");
    assert_int_equal(g.na, 1);
    assert_int_equal(g.nr, 0);
    const got_article *a = &g.a[0];
    assert_str(a->id, "100002");
    assert_str(a->title, "Fog Slows Morning Traffic on Bridge");
    assert_str(a->date, "1987-01-02T00:00:00Z");
    assert_str(a->source, "The New York Times");
    assert_str(a->url, "http://query.nytimes.com/gst/fullpage.html?res=9A0DE");
    assert_str(a->author, "TOMAS WREN");
    assert_str(a->text, "Fog closed the bridge approaches for an hour "
                        "yesterday.\n\nCommuters waited in long lines as the "
                        "fog lingered past nine & the ferries filled.");
    got_free(&g);
}

/* Reuters' RCV1 <newsitem>: its headline, not the "COUNTRY: " title; the
 * metadata's codes are not text. */
static void
test_rcv1(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "rcv1-newsitem.xml");
    assert_int_equal(g.na, 1);
    assert_int_equal(g.nr, 0);
    const got_article *a = &g.a[0];
    assert_str(a->format, "newsml");
    assert_str(a->id, "2286");
    assert_str(a->title, "Orchard growers store plums in caves.");
    assert_str(a->date, "1996-08-20");
    assert_str(a->author, "Ana Pell");
    assert_str(a->source, "Reuters Holdings Plc");
    assert_str(a->language, "en");
    assert_str(a->text, "MEXICO CITY 1996-08-20\n\nValley orchard growers in "
                        "Quer\xC3\xA9taro have begun storing plums in caves "
                        "cooled by mountain streams.\n\nThe growers say the "
                        "caves cost almost nothing to run.");
    got_free(&g);
}

/* NewsML 1.2: two text items, one NITF and one XHTML, in one document. */
static void
test_nml1_two_items(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "nml1-two-items.xml");
    assert_int_equal(g.na, 2);
    assert_int_equal(g.nr, 0);
    const got_article *a = &g.a[0];
    assert_str(a->format, "newsml");
    assert_str(a->id, "urn:newsml:wire.example:20231126:TW0001:1");
    assert_str(a->title, "Harbour bridge reopens after repairs");
    assert_str(a->date, "2023-11-26T10:10:10Z"); /* FirstCreated */
    assert_str(a->source, "TESTWIRE"); /* the Provider's Party, not credit */
    assert_str(a->author, "Nora Quill");
    assert_str(a->language, "en");
    assert_null(a->url);
    assert_int_equal(a->record, 1);
    /* The subheadline, then the dateline lead; no headline, slug line nor
     * photo in the text. */
    assert_str(a->text, "Traffic returns to the old crossing\n\n"
                        "PORTVILLE, Nov 26\n\nThe swing bridge over the "
                        "harbour opened to cars again on Sunday.\n\nCrews "
                        "replaced the gears that jammed in the spring.");
    a = &g.a[1];
    /* No PublicIdentifier: ProviderId:DateId:NewsItemId:RevisionId. */
    assert_str(a->id, "wire.example:20231127:TW0002:2");
    assert_str(a->title, "Le marché aux poissons déménage");
    assert_str(a->date, "2023-11-27T08:00:00+01:00"); /* ThisRevisionCreated */
    assert_str(a->source, "Dépêche Test");            /* CreditLine */
    assert_str(a->author, "Léa Marchand");
    assert_str(a->language, "fr"); /* the component's xml:lang */
    assert_int_equal(a->record, 2);
    assert_str(a->text, "Le marché aux poissons quitte le quai nord.\n\nLes "
                        "étals ouvriront lundi près de la gare.");
    got_free(&g);
}

/* An alert: an empty HeadLine is no title; the SubHeadLine stands in. */
static void
test_nml1_alert(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "nml1-alert.xml");
    assert_int_equal(g.na, 1);
    assert_int_equal(g.nr, 0);
    const got_article *a = &g.a[0];
    assert_str(a->id, "urn:newsml:wire.example:20231126:TW0003:1");
    assert_str(a->title, "عاجل");
    assert_str(a->date, "2023-11-26T10:15:00Z"); /* "...T101500+0000" */
    assert_str(a->source, "TESTWIRE");
    assert_null(a->author);
    assert_str(a->language, "ar");
    assert_str(a->text, "افتتاح الجسر الجديد في الميناء\n\n中文测试句子");
    got_free(&g);
}

/* A story beside a picture: the picture's component (headline, byline,
 * dateline, credit, caption) is not the story's. */
static void
test_nml1_story_photo(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "nml1-story-photo.xml");
    assert_int_equal(g.na, 1);
    assert_int_equal(g.nr, 0);
    const got_article *a = &g.a[0];
    assert_str(a->id, "urn:newsml:wire.example:20231130:doc-0008:1");
    assert_str(a->title, "Old ferry becomes a floating library");
    assert_str(a->date, "2023-11-30T08:55:00Z");
    assert_str(a->source, "wire.example");
    assert_null(a->author);
    assert_str(a->language, "en");
    assert_str(a->text, "The retired ferry now lends books at the north "
                        "quay.\n\nVolunteers fitted shelves where the cars "
                        "used to park.");
    got_free(&g);
}

/* Not articles, and nothing wrong: a picture with its caption and a
 * manifest of NewsItemRefs. */
static void
test_nml1_not_articles(void **state)
{
    (void)state;
    const char *files[] = { "nml1-photo.xml", "nml1-manifest.xml" };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        got g = { 0 };
        walk_ok(&g, files[i]);
        assert_int_equal(g.files_ended, 1);
        assert_int_equal(g.files_incomplete, 0);
        assert_int_equal(g.na, 0);
        assert_int_equal(g.nr, 0);
        got_free(&g);
    }
}

/* A text item with neither headline nor text, after a good one. */
static void
test_nml1_empty(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "nml1-empty.xml");
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].id, "wire.example:20231126:TW0004:1");
    assert_str(g.a[0].title, "Ferry timetable changes");
    assert_str(g.a[0].text, "The winter timetable starts on Monday.");
    assert_str(g.a[0].date, "2023-11-26T10:10:10Z"); /* the envelope's */
    assert_int_equal(g.nr, 1);
    assert_non_null(strstr(g.r[0].file, "nml1-empty.xml"));
    assert_str(g.r[0].format, "newsml");
    assert_int_equal(g.r[0].record, 2);
    assert_true(g.r[0].offset > 0);
    assert_str(g.r[0].reason, "news item has no headline and no text");
    got_free(&g);
}

/* A NewsItem as the root; the date from NITF, the id from Duid. */
static void
test_nml1_newsitem_root(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "nml1-newsitem-root.xml");
    assert_int_equal(g.na, 1);
    assert_int_equal(g.nr, 0);
    const got_article *a = &g.a[0];
    assert_str(a->id, "TW0006");
    assert_str(a->title, "Lighthouse keeper retires after forty years");
    assert_str(a->date, "2023-11-28T09:30:00+01:00");
    assert_str(a->author, "Ivo Brandt");
    assert_null(a->source);
    assert_null(a->language);
    assert_str(a->text,
               "The last keeper of the north light handed over the keys.");
    got_free(&g);
}

/* Declared ISO-8859-1: UTF-8 out; the envelope's date; ProviderId as the
 * source when nothing better names one. */
static void
test_nml1_latin1(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "nml1-latin1.xml");
    assert_int_equal(g.na, 1);
    assert_int_equal(g.nr, 0);
    const got_article *a = &g.a[0];
    assert_str(a->id, "wire.example:20231129:TW0007");
    assert_str(a->title, "Café na praça reabre");
    assert_str(a->date, "2023-11-29T07:00:00Z");
    assert_str(a->source, "wire.example");
    assert_str(a->language, "pt");
    assert_str(a->text, "O café da praça volta a abrir.\n\nA esplanada fica "
                        "para a primavera.");
    got_free(&g);
}

/* A package holding its NewsItems: each is a story of its own (its own
 * id, dates and lines; the package's are not its), the package none.
 * No headline: the subheadline is the title, never the slug line. */
static void
test_nml1_package(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "nml1-package.xml");
    assert_int_equal(g.na, 3);
    assert_int_equal(g.nr, 0);
    const got_article *a = &g.a[0];
    assert_str(a->id, "urn:newsml:wire.example:20231201:TW0101:1");
    assert_str(a->title, "Night buses return to the valley");
    assert_str(a->date, "2023-12-01T05:10:00Z");
    assert_str(a->source, "TESTWIRE");
    assert_str(a->author, "Ruth Okoro");
    assert_str(a->language, "en");
    assert_int_equal(a->record, 1);
    assert_true(a->offset > 0);
    assert_str(a->text, "Three routes run again from Friday\n\nELMSFORD, "
                        "Dec 1\n\nThe night buses to the valley towns run "
                        "again from Friday.\n\nThe council found drivers for "
                        "the late shifts.");
    a = &g.a[1];
    assert_str(a->id, "wire.example:20231201:TW0102:1");
    assert_str(a->title, "Snow closes the mountain pass");
    assert_str(a->date, "2023-12-01T06:00:00Z"); /* the envelope's */
    assert_str(a->source, "wire.example");       /* not the package's */
    assert_null(a->author);
    assert_str(a->text, "Ploughs will try again at dawn.");
    assert_int_equal(a->record, 2);
    a = &g.a[2];
    assert_str(a->id, "wire.example:20231201:TW0104:1");
    assert_null(a->title);
    assert_str(a->text, "Apple prices held steady at the Saturday market.");
    got_free(&g);
}

/* Detection: both roots are NewsML, with a high score. */
static void
test_nml1_sniff(void **state)
{
    (void)state;
    static const char *const heads[] = {
        "<?xml version=\"1.0\"?>\n<NewsML Version=\"1.2\"><NewsEnvelope>",
        "<NewsML xmlns=\"http://iptc.org/std/NewsML/2003-10-10/\">",
        "<!DOCTYPE NewsML SYSTEM \"NewsML_1.2.dtd\">\n<NewsML>",
        "<NewsItem Duid=\"x\"><NewsComponent>",
    };
    for (size_t i = 0; i < sizeof heads / sizeof *heads; i++)
        assert_true(
            ns__format_newsml.sniff(heads[i], strlen(heads[i]), "x.xml") >= 95);
}

static void
test_oom(void **state)
{
    (void)state;
    const char *files[] = { "news-message.xml", "nitf-alone.xml",
                            "iptc-listing2-text.xml", "nml1-two-items.xml",
                            "nml1-latin1.xml" };
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        FILE *fp = fopen(mine(files[f]), "rb");
        assert_non_null(fp);
        char data[16384];
        size_t len = fread(data, 1, sizeof data, fp);
        fclose(fp);
        for (uint64_t n = 1;; n++) {
            got g = { 0 };
            ns__alloc_fail_after(n);
            ns_status st = got_buffer(&g, files[f], data, len);
            uint64_t made = ns__alloc_fail_after(0);
            assert_true(st == NS_OK || st == NS_ERR_NOMEM);
            int done = made < n;
            if (done)
                assert_int_equal(st, NS_OK);
            got_free(&g);
            if (done)
                break;
        }
    }
}

static void
test_shared_iptc(void **state)
{
    (void)state;
    const char *p = shared_path(
        "news/newsml/iptc-newsml-g2-examples/LISTING_2_NewsML-G2_Text_"
        "Document.xml");
    if (!p)
        skip();
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", p);
    *strrchr(dir, '/') = '\0';
    got g = { 0 };
    g.only_format = "newsml";
    clock_t t0 = clock();
    assert_int_equal(got_walk(&g, dir), NS_OK);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    /* SOURCE.md: 13 text-bearing items among the 35 examples. */
    assert_int_equal(g.counted, 13);
    size_t newsml_rejects = 0;
    for (size_t i = 0; i < g.nr; i++)
        if (strcmp(g.r[i].format, "newsml") == 0)
            newsml_rejects++;
    /* LISTING_24's four stubs, LISTING_29, facet-example and -2. */
    assert_int_equal(newsml_rejects, 7);
    const got_article *a =
        got_find(&g, "urn:newsml:acmenews.com:20161018:US-FINANCE-FED");
    assert_non_null(a);
    assert_str(a->date, "2016-10-18T13:12:21-05:00"); /* firstCreated */
    assert_str(a->source, "REUTERS");            /* nprov:REUTERS */
    assert_str(a->language, "en-GB");
    print_message("iptc examples: %zu articles in %.3f s\n", g.counted, secs);
    got_free(&g);
}

int
main(void)
{
    (void)data_path; /* test_corpus_common.h's helpers we do not use */
    (void)got_string;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_g2_with_nitf),
        cmocka_unit_test(test_nitf_fragment),
        cmocka_unit_test(test_photo),
        cmocka_unit_test(test_not_articles),
        cmocka_unit_test(test_news_message),
        cmocka_unit_test(test_nitf_alone),
        cmocka_unit_test(test_nitf_nyt),
        cmocka_unit_test(test_rcv1),
        cmocka_unit_test(test_nml1_two_items),
        cmocka_unit_test(test_nml1_alert),
        cmocka_unit_test(test_nml1_story_photo),
        cmocka_unit_test(test_nml1_not_articles),
        cmocka_unit_test(test_nml1_empty),
        cmocka_unit_test(test_nml1_newsitem_root),
        cmocka_unit_test(test_nml1_latin1),
        cmocka_unit_test(test_nml1_package),
        cmocka_unit_test(test_nml1_sniff),
        cmocka_unit_test(test_oom),
        cmocka_unit_test(test_shared_iptc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
