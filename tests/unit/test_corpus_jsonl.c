/*
 * test_corpus_jsonl.c: the JSON readers: field mapping, JSON lines with
 * broken lines, streamed arrays with broken elements, wrapper objects, and
 * the shared JSONL corpora (counts against their SOURCE.md).
 */
#include "test_corpus_common.h"

static void
test_jsonl_fields(void **state)
{
    (void)state;
    got g = { 0 };
    g.keep_text = 1;
    assert_int_equal(got_walk(&g, data_path("jsonl/basic.jsonl")), NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 4);

    const got_article *a = &g.a[0];
    assert_str(a->format, "jsonl");
    assert_int_equal(a->record, 1);
    assert_int_equal(a->offset, 0);
    assert_str(a->id, "a1");
    assert_str(a->title, "Putin Mulls Troops");
    assert_str(a->date, "2015-09-18T10:20:30-04:00");
    assert_str(a->source, "Bloomberg");
    assert_str(a->url, "https://example.com/a1");
    assert_str(a->author, "Ilya Arkhipov, Henry Meyer");
    assert_str(a->language, "en");
    assert_str(a->text, "MOSCOW -- Talks resumed.");

    a = &g.a[1];
    assert_int_equal(a->record, 2);
    assert_str(a->id, "https://example.com/b2"); /* no id: the url */
    assert_str(a->title, "No Id Here");
    assert_str(a->text, "Body text.");
    assert_str(a->date, "2015-09-18T10:20:30Z"); /* epoch seconds */
    assert_str(a->author, "Jane Roe"); /* "By " goes */

    a = &g.a[2];
    assert_int_equal(a->record, 4); /* line 3 is blank */
    char want[4200];
    snprintf(want, sizeof want, "%s#4", data_path("jsonl/basic.jsonl"));
    assert_str(a->id, want);
    assert_str(a->text, "Para one.\n\nPara two.");
    assert_str(a->date, "2015-09-18");

    a = &g.a[3];
    assert_str(a->id, "42");
    assert_str(a->title, "Case Insensitive");
    assert_str(a->text, "Only a description.");
    assert_str(a->source, "AP");
    assert_null(a->url);
    assert_null(a->date);
    assert_int_equal(g.files_ended, 1);
    assert_int_equal(g.files_incomplete, 0);
    got_free(&g);
}

static void
test_jsonl_bad_lines(void **state)
{
    (void)state;
    got g = { 0 };
    assert_int_equal(got_walk(&g, data_path("jsonl/bad.jsonl")), NS_OK);
    assert_int_equal(g.na, 3);
    assert_str(g.a[0].id, "g1");
    assert_str(g.a[1].id, "g2");
    assert_int_equal(g.a[1].record, 3);
    assert_str(g.a[2].id, "g4");
    assert_str(g.a[2].title, "T\xC3\xA9st \xF0\x9F\x98\x80");
    assert_int_equal(g.nr, 4);
    const char *file = data_path("jsonl/bad.jsonl");
    for (size_t i = 0; i < g.nr; i++) {
        assert_str(g.r[i].file, file);
        assert_str(g.r[i].format, "jsonl");
    }
    assert_int_equal(g.r[0].record, 2);
    assert_int_equal(g.r[0].offset, 52);
    assert_non_null(strstr(g.r[0].reason, "malformed json"));
    assert_int_equal(g.r[1].record, 4);
    assert_non_null(strstr(g.r[1].reason, "not a json object"));
    assert_int_equal(g.r[2].record, 5);
    assert_non_null(strstr(g.r[2].reason, "data after the value"));
    assert_int_equal(g.r[3].record, 6);
    assert_non_null(strstr(g.r[3].reason, "no article fields"));
    got_free(&g);
}

static void
test_json_array(void **state)
{
    (void)state;
    got g = { 0 };
    g.keep_text = 1;
    assert_int_equal(got_walk(&g, data_path("jsonl/array.json")), NS_OK);
    assert_int_equal(g.na, 3);
    assert_str(g.a[0].format, "json");
    assert_str(g.a[0].id, "x1");
    assert_str(g.a[0].title, "First \"quoted\" [title]");
    assert_str(g.a[0].text, "One {braces} ]");
    assert_int_equal(g.a[0].record, 1);
    assert_int_equal(g.a[0].offset, 4);
    assert_str(g.a[1].date, "2015-09-18T10:20:30+02:00");
    assert_str(g.a[2].id, "x4");
    assert_int_equal(g.a[2].record, 5);
    assert_int_equal(g.nr, 2);
    assert_int_equal(g.r[0].record, 3);
    assert_non_null(strstr(g.r[0].reason, "malformed json"));
    assert_int_equal(g.r[1].record, 4);
    assert_non_null(strstr(g.r[1].reason, "not a json object"));
    got_free(&g);
}

static void
test_json_wrappers(void **state)
{
    (void)state;
    got g = { 0 };
    g.keep_text = 1;
    assert_int_equal(got_walk(&g, data_path("jsonl/wrapper.json")), NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 2);
    assert_str(g.a[0].id, "https://example.com/r1");
    assert_str(g.a[0].source, "Reuters");
    assert_str(g.a[0].author, "Tom Balmforth");
    assert_str(g.a[0].text, "Full content."); /* content beats description */
    assert_str(g.a[0].date, "2015-09-18T10:20:30Z");
    assert_str(g.a[1].source, "AP");
    got_free(&g);

    memset(&g, 0, sizeof g);
    g.keep_text = 1;
    assert_int_equal(got_walk(&g, data_path("jsonl/nyt.json")), NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].id, "nyt://article/1");
    assert_str(g.a[0].title, "NYT Headline");
    assert_str(g.a[0].author, "Somebody");
    assert_str(g.a[0].url, "https://nytimes.com/1");
    assert_str(g.a[0].text, "The abstract.");
    assert_str(g.a[0].date, "2015-09-18T04:00:00Z");
    got_free(&g);

    memset(&g, 0, sizeof g);
    g.keep_text = 1;
    assert_int_equal(got_walk(&g, data_path("jsonl/single.json")), NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].format, "json");
    assert_str(g.a[0].title, "A single pretty article");
    assert_str(g.a[0].text, "Spread over\nlines.");
    assert_str(g.a[0].date, "2015-09-18");
    got_free(&g);
}

static void
test_json_buffers(void **state)
{
    (void)state;
    got g = { 0 };
    /* an array cut short: the whole elements before the cut are kept */
    assert_int_equal(got_string(&g, "cut.json",
                                "[{\"title\": \"A\", \"text\": \"a\"},\n"
                                " {\"title\": \"B\", \"text\": \"b"),
                     NS_OK);
    assert_int_equal(g.na, 1);
    assert_int_equal(g.nr, 1);
    assert_int_equal(g.r[0].record, 2);
    assert_int_equal(g.r[0].offset, 31);
    got_free(&g);

    memset(&g, 0, sizeof g);
    /* a BOM, CRLF lines and a last line without a newline */
    assert_int_equal(got_string(&g, "crlf.jsonl",
                                "\xEF\xBB\xBF{\"title\": \"A\"}\r\n"
                                "{\"title\": \"B\"}"),
                     NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 2);
    assert_str(g.a[1].title, "B");
    got_free(&g);

    memset(&g, 0, sizeof g);
    /* invalid UTF-8 in a title is repaired; the text passes as is */
    assert_int_equal(got_string(&g, "u.jsonl",
                                "{\"id\": \"i\\u00e9\xFF\", \"title\": "
                                "\"bad \xC3 byte\", \"text\": \"t\xFE\"}\n"),
                     NS_OK);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].id, "i\xC3\xA9\xEF\xBF\xBD");
    assert_str(g.a[0].title, "bad \xEF\xBF\xBD byte");
    assert_int_equal(g.a[0].text_len, 2);
    got_free(&g);

    memset(&g, 0, sizeof g);
    /* empty array, empty object, whitespace only */
    assert_int_equal(got_string(&g, "e.json", "[ ]"), NS_OK);
    assert_int_equal(g.na + g.nr, 0);
    assert_int_equal(got_string(&g, "e2.json", "{}"), NS_OK);
    assert_int_equal(g.na, 0);
    assert_int_equal(g.nr, 1);
    got_free(&g);
}

static void
test_jsonl_too_long(void **state)
{
    (void)state;
    /* a text over NS_MAX_ARTICLE_BYTES: that record alone is rejected */
    size_t big = NS_MAX_ARTICLE_BYTES + 10;
    ns_buf b = { 0 };
    ns__buf_puts(&b, "{\"title\": \"ok1\"}\n{\"title\": \"big\", \"text\": \"");
    ns__buf_reserve(&b, big);
    memset(b.data + b.len, 'x', big);
    b.len += big;
    ns__buf_puts(&b, "\"}\n{\"title\": \"ok2\"}\n");
    assert_false(b.oom);
    got g = { 0 };
    assert_int_equal(got_buffer(&g, "big.jsonl", b.data, b.len), NS_OK);
    assert_int_equal(g.na, 2);
    assert_str(g.a[1].title, "ok2");
    assert_int_equal(g.nr, 1);
    assert_int_equal(g.r[0].record, 2);
    assert_non_null(strstr(g.r[0].reason, "too large"));
    assert_non_null(strstr(g.r[0].reason, "33554442 bytes"));
    got_free(&g);
    ns__buf_free(&b);
}

static void
test_jsonl_date_keys(void **state)
{
    (void)state;
    /* the date keys of news scrapers and APIs, each on its own */
    static const char *const names[] = {
        "publish_date",       "publishDate",  "datePublished",
        "date_published",     "published_at", "published_date",
        "webPublicationDate",
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char line[200];
        snprintf(line, sizeof line,
                 "{\"title\": \"T\", \"%s\": \"2020-05-06T10:00:00Z\"}\n",
                 names[i]);
        got g = { 0 };
        assert_int_equal(got_string(&g, "d.jsonl", line), NS_OK);
        assert_int_equal(g.na, 1);
        if (!g.a[0].date)
            fail_msg("%s: no date", names[i]);
        assert_str(g.a[0].date, "2020-05-06T10:00:00Z");
        got_free(&g);
    }
}

static void
test_jsonl_wordpress(void **state)
{
    (void)state;
    got g = { 0 };
    g.keep_text = 1;
    /* WordPress's REST API: {"rendered": ...} values, the url in "link" */
    assert_int_equal(
        got_string(&g, "wp.jsonl",
                   "{\"id\": 7, \"date\": \"2020-05-06T10:00:00\", "
                   "\"date_gmt\": \"2020-05-06T08:00:00\", "
                   "\"guid\": {\"rendered\": \"https://example.com/?p=7\"}, "
                   "\"link\": \"https://example.com/x\", "
                   "\"title\": {\"rendered\": \"T zqa02\"}, "
                   "\"content\": {\"rendered\": \"<p>x</p>\", "
                   "\"protected\": false}, "
                   "\"excerpt\": {\"rendered\": \"<p>e</p>\"}, \"author\": 3}\n"
                   "{\"title\": {\"rendered\": \"Only an excerpt\"}, "
                   "\"content\": {\"rendered\": \"\"}, "
                   "\"excerpt\": {\"rendered\": \"The excerpt.\"}}\n"),
        NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 2);
    assert_str(g.a[0].id, "7");
    assert_str(g.a[0].title, "T zqa02");
    assert_str(g.a[0].text, "x");
    assert_str(g.a[0].url, "https://example.com/x");
    assert_str(g.a[0].date, "2020-05-06T08:00:00Z"); /* date_gmt */
    assert_null(g.a[0].author); /* a user number, not a name */
    assert_str(g.a[1].text, "The excerpt.");
    got_free(&g);
}

static void
test_jsonl_better_empty_field(void **state)
{
    (void)state;
    got g = { 0 };
    g.keep_text = 1;
    /* a better-named field that is empty leaves the value found before */
    assert_int_equal(got_string(&g, "e.jsonl",
                                "{\"title\": \"T\", \"authors\": [\"A\", "
                                "\"B\"], \"author\": [], \"body\": [\"p1\", "
                                "\"p2\"], \"text\": []}\n"),
                     NS_OK);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].author, "A, B");
    assert_str(g.a[0].text, "p1\n\np2");
    got_free(&g);
}

static void
test_jsonl_html_fields(void **state)
{
    (void)state;
    got g = { 0 };
    g.keep_text = 1;
    assert_int_equal(
        got_string(
            &g, "h.jsonl",
            /* 1: HTML text, references in the title */
            "{\"title\": \"Tom &amp; Jerry &#8217;s x\", \"content\": \"<p>A "
            "<b>b</b> &amp; caf&#233;</p><script>var zqfscript=1;</script>"
            "<p>Two&nbsp;&rsquo;&#x2019;</p>\"}\n"
            /* 2: plain text with '<' and '&' is kept as written */
            "{\"title\": \"AT&T Q&A: x<y, a <-> b &bogus;\", \"text\": "
            "\"AT&T and Q&A;  x < y,\\na <-> b, Press <Enter>, "
            "vector<int>\\n\\nNext &c. &\"}\n"
            /* 3: references only: decoded, the lines kept, '<' kept */
            "{\"title\": \"Caf&eacute;\", \"text\": \"Line &amp; one\\n"
            "x < y &lt; z\\r\\n\\n\\nPara &#233;\\n\"}\n"
            /* 4: inline tags only: the lines are the structure */
            "{\"title\": \"T4\", \"text\": \"First <b>para</b>\\n"
            "still first\\n \\nSecond <a href=\\\"u\\\">link</a>\\n"
            "<a\\nhref=1>b</a>\"}\n"
            /* 5: authors and sources on one line */
            "{\"title\": \"<b>Bold</b>\\ntitle\", \"author\": "
            "[\"Jos&eacute; P&eacute;rez\", \"Ann <i>Roe</i>\"], "
            "\"source\": \"<span>AT&amp;T</span>\\n<p>News</p>\", "
            "\"text\": \"x\"}\n"
            /* 6: a text that is markup only: the next text field */
            "{\"title\": \"T6\", \"content\": \"<script>x</script>\", "
            "\"description\": \"<div>Desc</div><div>two</div>\"}\n"
            /* 7: NUL bytes and broken tags */
            "{\"title\": \"a\\u0000b &amp;\", \"text\": \"<p>a\\u0000b</p><p "
            "<div <</\"}\n"
            /* 8: Reuters' tickers are not tags */
            "{\"title\": \"USAIR <U> REJECTS TWA <TWA> BID <a\", \"text\": "
            "\"USAIR <U>, <I>, <B and R International\\nInc.>, "
            "<Strong Point Inc> &c <p5 a <b 3> <a x> <br Inc <em>\"}\n"
            /* 9: block HTML: its line breaks are only wrapping */
            "{\"title\": \"T9\", \"text\": \"<P>wrapped\\nline</P>\\n"
            "<div class=x>two<br/>three</div>\"}\n"
            /* 10: a figure's table and caption are the article's */
            "{\"title\": \"T10\", \"text\": \"<p>Before</p><figure>"
            "<table><tr><td>0801.21.00</td><td>Brazil nuts</td></tr>"
            "</table><figcaption>Annex I</figcaption></figure><p>After</p>"
            "\"}\n"
            /* 11: autolinks are text, and Word's <o:p> a tag */
            "{\"title\": \"T11\", \"text\": \"<p>[1] <https://x.org/a>"
            "</p><p>please email <media@ovp.eop.gov> and we follow up."
            "<o:p></o:p></p><p>Bye</p>\"}\n"),
        NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 11);
    assert_str(g.a[0].title, "Tom & Jerry \xE2\x80\x99s x");
    assert_str(g.a[0].text,
               "A b & caf\xC3\xA9\n\nTwo \xE2\x80\x99\xE2\x80\x99");
    assert_str(g.a[1].title, "AT&T Q&A: x<y, a <-> b &bogus;");
    assert_str(g.a[1].text, "AT&T and Q&A;  x < y,\na <-> b, Press <Enter>, "
                            "vector<int>\n\nNext &c. &");
    assert_str(g.a[2].title, "Caf\xC3\xA9");
    assert_str(g.a[2].text, "Line & one\nx < y < z\n\nPara \xC3\xA9");
    assert_str(g.a[3].text, "First para\nstill first\n\nSecond link\nb");
    assert_str(g.a[4].title, "Bold title");
    assert_str(g.a[4].author, "Jos\xC3\xA9 P\xC3\xA9rez, Ann Roe");
    assert_str(g.a[4].source, "AT&T News");
    assert_str(g.a[5].text, "Desc\n\ntwo");
    assert_str(g.a[6].title, "a b &"); /* the NUL a space */
    assert_non_null(strstr(g.a[6].text, "a b"));
    assert_str(g.a[7].title, "USAIR <U> REJECTS TWA <TWA> BID <a");
    assert_str(g.a[7].text,
               "USAIR <U>, <I>, <B and R International\nInc.>, "
               "<Strong Point Inc> &c <p5 a <b 3> <a x> <br Inc <em>");
    assert_str(g.a[8].text, "wrapped line\n\ntwo\nthree");
    assert_non_null(strstr(g.a[9].text, "Brazil nuts"));
    assert_non_null(strstr(g.a[9].text, "Annex I"));
    assert_non_null(strstr(g.a[9].text, "After"));
    assert_str(g.a[10].text, "[1] <https://x.org/a>\n\nplease email "
                             "<media@ovp.eop.gov> and we follow up.\n\nBye");
    got_free(&g);
}

/* The field names of public news datasets: the TREC Washington Post's
 * typed "contents" blocks (only the paragraphs are text, not the kicker,
 * title, byline, date, image or author box they list) and article_url,
 * Arc XP's content_elements, HuffPost's short_description, CC-News, The
 * Guardian's API, Elasticsearch hits, JSON Feed. */
static void
test_jsonl_dataset_shapes(void **state)
{
    (void)state;
    got g = { 0 };
    g.keep_text = 1;
    assert_int_equal(got_walk(&g, data_path("jsonl/wapo.jsonl")), NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 2);
    const got_article *a = &g.a[0];
    assert_str(a->id, "b2e89334-33f9-11e1-825f-dabc29fd7071");
    assert_str(a->title, "Harbor cranes fall silent as dockers vote");
    assert_str(a->url, "https://www.example.com/local/harbor-cranes/2012/01/02/"
                       "gIQA.html");
    assert_str(a->date, "2012-01-02T20:00:00Z"); /* epoch milliseconds */
    assert_str(a->author, "Nora Quillfeather");
    assert_str(a->source, "The Washington Post");
    assert_str(a->text, "Crane operators stopped work on Monday while members "
                        "counted ballots on a pay offer & a new shift rota.\n\n"
                        "The union said results would come on Tuesday.");
    a = &g.a[1];
    assert_str(a->id, "ARC1");
    assert_str(a->date, "2019-06-01T12:00:00Z");
    assert_str(a->text, "Tug crews worked double shifts.\n\nNight work\n\n"
                        "Most of it came after dark.");
    got_free(&g);

    memset(&g, 0, sizeof g);
    g.keep_text = 1;
    assert_int_equal(got_walk(&g, data_path("jsonl/huffpost.jsonl")), NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 2);
    assert_str(g.a[0].title, "Orchard Growers Store Plums In Cool Caves");
    assert_str(g.a[0].text,
               "Growers say the caves cost almost nothing to run.");
    assert_str(g.a[0].url,
               "https://www.example.com/entry/orchard-caves_us_5b0");
    assert_str(g.a[0].author, "Percival Moonwright, Contributor");
    assert_str(g.a[0].date, "2018-05-26");
    assert_null(g.a[1].author);
    got_free(&g);

    memset(&g, 0, sizeof g);
    g.keep_text = 1;
    assert_int_equal(got_walk(&g, data_path("jsonl/ccnews.jsonl")), NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 2);
    assert_str(g.a[0].title, "Fog slows morning traffic");
    assert_str(g.a[0].text, "Fog closed the bay bridge approaches for an hour "
                            "on Sunday.\nCommuters waited in long lines.");
    assert_str(g.a[0].date, "2017-01-01T12:00:00Z");
    assert_str(g.a[0].author, "Tomas Wren, Ada Pell");
    assert_str(g.a[0].source, "news.example.org");
    assert_str(g.a[0].language, "en");
    /* Hugging Face's cc_news: the site in "domain" */
    assert_str(g.a[1].source, "harbour.example.com");
    assert_str(g.a[1].text, "Tug crews worked double shifts.");
    assert_str(g.a[1].date, "2017-12-01T19:39:41Z");
    got_free(&g);

    /* The Guardian's API: webUrl beside a "fields" object of headline,
     * byline and text; an Elasticsearch hit: its _id and its _source. */
    memset(&g, 0, sizeof g);
    g.keep_text = 1;
    assert_int_equal(got_walk(&g, data_path("jsonl/guardian.json")), NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].id, "world/2019/jan/02/harbour-cranes");
    assert_str(g.a[0].title, "Harbour cranes fall silent");
    assert_str(g.a[0].url,
               "https://www.example.com/world/2019/jan/02/harbour-cranes");
    assert_str(g.a[0].author, "Nora Quillfeather");
    assert_str(g.a[0].date, "2019-01-02T10:00:00Z");
    assert_str(g.a[0].text,
               "Crane operators stopped work while members counted ballots.");
    got_free(&g);

    memset(&g, 0, sizeof g);
    g.keep_text = 1;
    assert_int_equal(got_walk(&g, data_path("jsonl/elasticsearch.json")),
                     NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].id, "n-77");
    assert_str(g.a[0].title, "Tugs busy all week");
    assert_str(g.a[0].date, "2020-05-05");
    assert_str(g.a[0].text, "Tug crews worked double shifts.");
    got_free(&g);

    /* A JSON Feed: a titled object of items, not one article; its title
     * names their source. */
    memset(&g, 0, sizeof g);
    g.keep_text = 1;
    assert_int_equal(got_walk(&g, data_path("jsonl/jsonfeed.json")), NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 2);
    assert_str(g.a[0].id, "2");
    assert_str(g.a[0].title, "Tugs busy all week");
    assert_str(g.a[0].text, "Tug crews worked double shifts.");
    assert_str(g.a[0].author, "Anna Quillfeather");
    assert_str(g.a[0].source, "Harbour Notes");
    assert_str(g.a[0].date, "2024-03-05T09:30:00+01:00");
    assert_null(g.a[1].title);
    assert_str(g.a[1].text, "Cranes stood idle on Monday.");
    got_free(&g);
}

static void
test_shared_whitehouse_jsonl(void **state)
{
    (void)state;
    const char *p = shared_path("news/whitehouse-sample/docs.jsonl");
    if (!p)
        skip();
    got g = { 0 };
    assert_int_equal(got_walk(&g, p), NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 1000); /* SOURCE.md: 1,000 */
    const got_article *a = got_find(
        &g, "wh/statements-releases/2021-01/2021-01-21-readout-of-vice-"
            "president-harriss-call-with-world-health-organization-director-"
            "general-dr-tedros-adhanom-ghebreyesus");
    assert_non_null(a);
    assert_str(a->date, "2021-01-21T17:12:47-05:00");
    assert_str(a->source, "The White House");
    got_free(&g);
}

static void
test_shared_reuters_jsonl_zst(void **state)
{
    (void)state;
    const char *p = shared_path("news/reuters21578/docs.jsonl.zst");
    if (!p)
        skip();
    got g = { 0 };
    assert_int_equal(got_walk(&g, p), NS_OK);
    /* SOURCE.md: 21,578 records.  One (reuters21578-12793) has neither
     * title nor text: it is rejected, not indexed as an empty article. */
    assert_int_equal(g.na, 21577);
    assert_int_equal(g.nr, 1);
    assert_int_equal(g.r[0].record, 12793);
    assert_non_null(strstr(g.r[0].reason, "empty article"));
    assert_int_equal(g.files_incomplete, 0);
    got_free(&g);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonl_fields),
        cmocka_unit_test(test_jsonl_bad_lines),
        cmocka_unit_test(test_json_array),
        cmocka_unit_test(test_json_wrappers),
        cmocka_unit_test(test_json_buffers),
        cmocka_unit_test(test_jsonl_too_long),
        cmocka_unit_test(test_jsonl_date_keys),
        cmocka_unit_test(test_jsonl_wordpress),
        cmocka_unit_test(test_jsonl_better_empty_field),
        cmocka_unit_test(test_jsonl_html_fields),
        cmocka_unit_test(test_jsonl_dataset_shapes),
        cmocka_unit_test(test_shared_whitehouse_jsonl),
        cmocka_unit_test(test_shared_reuters_jsonl_zst),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
