/*
 * test_corpus_sgml.c: TREC and Reuters-21578 SGML: fields, entities,
 * Windows-1252 bytes, unclosed records, and the shared collections.
 */
#include "test_corpus_common.h"

static void
test_trec(void **state)
{
    (void)state;
    got g = { 0 };
    g.keep_text = 1;
    const char *file = data_path("sgml/trec.sgml");
    char path[4200];
    snprintf(path, sizeof path, "%s", file);
    assert_int_equal(got_walk(&g, path), NS_OK);
    assert_int_equal(g.na, 3);

    const got_article *a = &g.a[0];
    assert_str(a->format, "trec");
    assert_int_equal(a->record, 1);
    assert_int_equal(a->offset, 0);
    assert_str(a->id, "AP890101-0001");
    /* the "Eds:" note is skipped; 0x92 is Windows-1252's right quote */
    assert_str(a->title, "Films & the \xE2\x80\x99Sixties");
    assert_str(a->date, "1989-01-01T23:58:00-05:00"); /* 01-01-89 2358EST */
    assert_str(a->source, "Associated Press");
    assert_str(a->author, "HILLEL ITALIE"); /* "By " goes */
    assert_str(a->text, "NEW YORK (AP) The celluloid torch <passed>.");

    a = &g.a[1];
    assert_int_equal(a->record, 3);
    assert_str(a->id, "LA010189-0001");
    assert_str(a->title, "A Times Headline");
    assert_str(a->date, "1989-01-01"); /* "January 1, 1989, Sunday, ..." */
    assert_str(a->source, "Los Angeles Times");
    assert_str(a->text, "Para one.\nPara two.");

    a = &g.a[2];
    assert_str(a->id, "WSJ870324-0001");
    assert_str(a->title, "One Line Doc");
    assert_str(a->date, "1987-03-24"); /* from the DOCNO */

    assert_int_equal(g.nr, 2);
    assert_str(g.r[0].file, path);
    assert_str(g.r[0].format, "trec");
    assert_int_equal(g.r[0].record, 2);
    assert_int_equal(g.r[0].offset, 291);
    /* the lines say where to look in a large file; the records after
     * an unclosed one are read */
    assert_str(g.r[0].reason, "record not closed (no </doc> between its "
                              "<doc> at line 12 and the next <doc> at line "
                              "16)");
    assert_int_equal(g.r[1].record, 5);
    assert_str(g.r[1].reason, "record not closed (no </doc> after its <doc> "
                              "at line 23, at the end of the input)");
    got_free(&g);
}

static void
test_reuters(void **state)
{
    (void)state;
    got g = { 0 };
    g.keep_text = 1;
    assert_int_equal(got_walk(&g, data_path("sgml/reut.sgm")), NS_OK);
    assert_int_equal(g.na, 3);
    const got_article *a = &g.a[0];
    assert_str(a->format, "reuters");
    assert_str(a->id, "reuters21578-1");
    assert_str(a->title, "BAHIA COCOA <REVIEW>");
    assert_str(a->date, "1987-02-26T15:01:01Z");
    assert_str(a->source, "Reuters");
    assert_str(a->author, "Jane Doe, Reuters");
    /* &#3; dropped, &amp; decoded, Latin-1 0xE3 made UTF-8 */
    assert_str(a->text, "SALVADOR, Feb 26 - Showers continued & "
                        "S\xC3\xA3o Paulo\nsaid.\n Reuter");
    a = &g.a[1]; /* TYPE="BRIEF": a headline only */
    assert_str(a->id, "reuters21578-2");
    assert_str(a->title, "BRIEF HEADLINE ONLY");
    assert_str(a->date, "1987-03-27T14:04:26Z"); /* wire codes cut */
    assert_int_equal(a->text_len, 0);
    a = &g.a[2]; /* TYPE="UNPROC": the raw copy is the text */
    assert_null(a->title);
    assert_str(a->date, "1987-03-31"); /* a broken time: the day only */
    assert_str(a->text, "FEDERAL RESERVE WEEKLY REPORT\n"
                        " Net free reserves.....644");
    assert_int_equal(g.nr, 1);
    assert_int_equal(g.r[0].record, 4);
    assert_non_null(strstr(g.r[0].reason, "empty article"));
    got_free(&g);
}

static void
test_sgml_buffers(void **state)
{
    (void)state;
    got g = { 0 };
    /* a record spread over one line, tags in lower case, an unknown
     * entity kept as is */
    assert_int_equal(got_string(&g, "x",
                                "<doc><docno>X1</docno><text>a &foo; "
                                "b</text></doc><doc><docno>X2</docno>"
                                "<text>c</text></doc>"),
                     NS_OK);
    assert_int_equal(g.na, 2);
    assert_str(g.a[0].id, "X1");
    assert_str(g.a[1].id, "X2");
    assert_int_equal(g.a[1].offset, 50);
    got_free(&g);

    /* an unclosed record on the line of the next one: that one is read */
    assert_int_equal(got_string(&g, "x",
                                "<doc><docno>Y1</docno><text>a <doc>"
                                "<docno>Y2</docno><text>b</text></doc>\n"),
                     NS_OK);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].id, "Y2");
    assert_int_equal(g.nr, 1);
    assert_int_equal(g.r[0].record, 1);
    assert_non_null(strstr(g.r[0].reason, "line 1 and the next <doc> at "
                                          "line 1)"));
    got_free(&g);
}

static void
test_gigaword(void **state)
{
    (void)state;
    got g = { 0 };
    g.keep_text = 1;
    /* no DOCNO: the id, date and source come from <DOC id=...>; every
     * type (story, multi, advis, other) is an article */
    assert_int_equal(got_walk(&g, data_path("sgml/gigaword.sgml")), NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 4);
    const got_article *a = &g.a[0];
    assert_str(a->format, "trec");
    assert_str(a->id, "AFP_ENG_20050101.0001");
    assert_str(a->title, "Harbour town counts cost of storm");
    assert_str(a->date, "2005-01-01");
    assert_str(a->source, "Agence France-Presse");
    /* the dateline, then the paragraphs */
    assert_int_equal(strncmp(a->text, "PORTVALE, Jan 1 (AFP) Fishermen ", 32),
                     0);
    assert_non_null(strstr(a->text, "officials said.\n"));
    assert_non_null(strstr(a->text, "\n\"We have never seen waves like "
                                    "it,\" said the mayor."));
    assert_str(g.a[1].id, "AFP_ENG_20050101.0002");
    assert_str(g.a[1].title, "World news summary");
    assert_str(g.a[2].id, "XIN_ENG_20050102.0007");
    assert_null(g.a[2].title);
    assert_str(g.a[2].date, "2005-01-02");
    assert_str(g.a[2].source, "Xinhua");
    assert_str(g.a[3].id, "CNA_ENG_20050103.0010");
    assert_str(g.a[3].date, "2005-01-03");
    assert_str(g.a[3].source, "Central News Agency");
    got_free(&g);

    /* AQUAINT-2: the same records in an XML <DOCSTREAM> */
    assert_int_equal(got_walk(&g, data_path("sgml/aquaint2.xml")), NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 2);
    assert_str(g.a[0].format, "trec");
    assert_str(g.a[0].id, "APW_ENG_20050103.0042");
    assert_str(g.a[0].title, "City council approves new bridge");
    assert_str(g.a[0].date, "2005-01-03");
    assert_str(g.a[0].source, "Associated Press");
    assert_str(g.a[1].id, "LTW_ENG_20050104.0005");
    assert_str(g.a[1].date, "2005-01-04");
    assert_str(g.a[1].source, "Los Angeles Times/Washington Post");
    got_free(&g);

    /* AQUAINT's DOCNO APW19980601.0003: the date from it when no
     * DATE_TIME gives one; a DOCNO wins over an id attribute */
    assert_int_equal(got_string(&g, "x",
                                "<DOC id=\"OTHER\">\n<DOCNO> "
                                "APW19980601.0003 </DOCNO>\n"
                                "<TEXT>\nWords.\n</TEXT>\n</DOC>\n"),
                     NS_OK);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].id, "APW19980601.0003");
    assert_str(g.a[0].date, "1998-06-01");
    got_free(&g);
}

static void
test_trec_headlines(void **state)
{
    (void)state;
    got g = { 0 };
    /* WSJ's '@' joining headline lines and FT's "FT dd MMM yy /" are
     * dropped; an '@' in a word and a date-like text elsewhere are kept;
     * FBIS gives its date in <DATE1> */
    assert_int_equal(
        got_string(&g, "x",
                   "<DOC>\n<DOCNO> WSJ910102-0042 </DOCNO>\n"
                   "<HL> Harbor Holdings Is Close\n@  To Sale of Its Ferry "
                   "Unit </HL>\n<TEXT>\nWords.\n</TEXT>\n</DOC>\n"
                   "<DOC>\n<DOCNO> WSJ910102-0043 </DOCNO>\n"
                   "<HL> Mail news@wsj.example @ Once </HL>\n"
                   "<TEXT>\nWords.\n</TEXT>\n</DOC>\n"
                   "<DOC>\n<DOCNO>FT911-3</DOCNO>\n<DATE>910514\n</DATE>\n"
                   "<HEADLINE>\nFT  14 MAY 91 / Harbour board names new "
                   "chairman\n</HEADLINE>\n<TEXT>\nWords.\n</TEXT>\n"
                   "</DOC>\n"
                   "<DOC>\n<DOCNO>FT911-4</DOCNO>\n<HEADLINE>\nFT 4 MAY "
                   "91 / FT 14 MAY 91 / Second\n</HEADLINE>\n<TEXT>\n"
                   "Words.\n</TEXT>\n</DOC>\n"
                   "<DOC>\n<DOCNO>FT911-5</DOCNO>\n<HEADLINE>\nFT 100 "
                   "MAY 91 / Kept\n</HEADLINE>\n<TEXT>\nWords.\n</TEXT>\n"
                   "</DOC>\n"
                   "<DOC>\n<DOCNO> FBIS3-1 </DOCNO>\n<HEADER>\n"
                   "<DATE1>  5 May 1994 </DATE1>\n"
                   "<H3> <TI>   Harbour Works Begin </TI></H3>\n</HEADER>\n"
                   "<TEXT>\nWords.\n</TEXT>\n</DOC>\n"),
        NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 6);
    assert_str(g.a[0].title, "Harbor Holdings Is Close To Sale of Its Ferry "
                             "Unit");
    assert_str(g.a[1].title, "Mail news@wsj.example Once");
    assert_str(g.a[2].title, "Harbour board names new chairman");
    assert_str(g.a[2].date, "1991-05-14");
    assert_str(g.a[2].source, "Financial Times");
    assert_str(g.a[3].title, "FT 14 MAY 91 / Second"); /* only one prefix */
    assert_str(g.a[4].title, "FT 100 MAY 91 / Kept");
    assert_str(g.a[5].title, "Harbour Works Begin");
    assert_str(g.a[5].date, "1994-05-05");
    assert_str(g.a[5].source, "FBIS");
    got_free(&g);
}

/* FBIS's "Language:" and "Article Type:" lines are fields, not the
 * story; Ziff-Davis dates its articles only in the <JOURNAL> line. */
static void
test_trec_fbis_ziff(void **state)
{
    (void)state;
    got g = { 0 };
    g.keep_text = 1;
    assert_int_equal(
        got_string(&g, "x",
                   "<DOC>\n<DOCNO> FBIS3-7 </DOCNO>\n<HEADER>\n"
                   "<DATE1>  1 March 1994 </DATE1>\n"
                   "<H3> <TI> Keepers strike </TI></H3>\n</HEADER>\n"
                   "<TEXT>\nLanguage: <F P=105> Russian </F>\n"
                   "Article Type:BFN\n\n<F P=106> [Report by Ivan Zharkov] "
                   "</F>\n  [Text] Keepers began a strike.\n</TEXT>\n"
                   "</DOC>\n"
                   "<DOC>\n<DOCNO> ZF107-705-123 </DOCNO>\n"
                   "<JOURNAL>PC Tinkerer  Jan 16 1990 v9 n1 p15(1)\n"
                   "* Full Text COPYRIGHT Tinker Publishing 1990.</JOURNAL>\n"
                   "<TITLE>Floppy cleaners compared. </TITLE>\n"
                   "<TEXT>\nSix kits were tested.\n</TEXT>\n</DOC>\n"
                   "<DOC>\n<DOCNO> ZF107-705-124 </DOCNO>\n"
                   "<JOURNAL>PC Tinkerer v9 n1 p16(1)</JOURNAL>\n"
                   "<TITLE>Undated</TITLE>\n"
                   "<TEXT>\nLanguage: a story may start so.\n</TEXT>\n"
                   "</DOC>\n"),
        NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 3);
    assert_str(g.a[0].title, "Keepers strike");
    assert_str(g.a[0].text, "[Report by Ivan Zharkov] \n"
                            "  [Text] Keepers began a strike.");
    assert_str(g.a[1].date, "1990-01-16");
    assert_str(g.a[1].source, "Ziff-Davis");
    assert_null(g.a[2].date);
    assert_str(g.a[2].text, "Language: a story may start so.");
    got_free(&g);
}

/* Comments (the Federal Register's "<!-- PJG ... -->" markers) are no
 * text, even when they hold a '>'; the Federal Register's title is its
 * <DOCTITLE>. */
static void
test_trec_comments(void **state)
{
    (void)state;
    got g = { 0 };
    g.keep_text = 1;
    assert_int_equal(got_string(&g, "x",
                                "<DOC>\n<DOCNO> FR940104-0-00002 </DOCNO>\n"
                                "<TEXT>\n<!-- PJG ITAG l=11 g=1 f=1 --> "
                                "Before <!-- a note: x > y, kept out -->"
                                "after.\n</TEXT>\n</DOC>\n"
                                "<DOC>\n<DOCNO> FR940104-0-00003 </DOCNO>\n"
                                "<TEXT>\n<DOCTITLE>Beacon Hours in Fog"
                                "</DOCTITLE>\n</TEXT>\n</DOC>\n"),
                     NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 2);
    assert_str(g.a[0].text, "Before after.");
    assert_str(g.a[0].source, "Federal Register");
    assert_str(g.a[0].date, "1994-01-04");
    assert_str(g.a[1].title, "Beacon Hours in Fog"); /* FR's DOCTITLE */
    got_free(&g);
}

/* AQUAINT (TREC QA): a <BODY> around the slug, the headline, wire notes
 * and the <TEXT>: the text is the <TEXT>'s, once. */
static void
test_trec_aquaint(void **state)
{
    (void)state;
    got g = { 0 };
    g.keep_text = 1;
    assert_int_equal(
        got_string(&g, "x",
                   "<DOC>\n<DOCNO> NYT19980601.0001 </DOCNO>\n"
                   "<DOCTYPE> NEWS STORY </DOCTYPE>\n"
                   "<DATE_TIME> 06/01/1998 00:01:00 </DATE_TIME>\n"
                   "<BODY>\n<SLUG> BC-HARBOR-CRANES-NYT </SLUG>\n"
                   "<HEADLINE>\nCRANES FALL SILENT\n</HEADLINE>\n"
                   " By NORA QUILLFEATHER &QC;\n<TEXT>\n<P>\nCranes "
                   "stopped.\n</P>\n<P>\nResults on Tuesday.\n</P>\n"
                   "</TEXT>\n</BODY>\n<TRAILER>\nNYT-06-01-98 0001EDT &QL;\n"
                   "</TRAILER>\n</DOC>\n"),
        NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].title, "CRANES FALL SILENT");
    assert_str(g.a[0].date, "1998-06-01");
    assert_str(g.a[0].text, "Cranes stopped.\n\nResults on Tuesday.");
    got_free(&g);
}

static void
test_trec_entities(void **state)
{
    (void)state;
    got g = { 0 };
    g.keep_text = 1;
    /* HTML 4 names beyond the DTDs' own (&rsquo; &ocirc; &aring;
     * &hellip;) are decoded; an unknown name, a known one without its ';'
     * and a bare '&' in prose stay as written; the DTDs' own names still
     * need no ';' (&amp) */
    assert_int_equal(got_string(&g, "x",
                                "<DOC>\n<DOCNO> E1 </DOCNO>\n"
                                "<HEAD>Smith&rsquo;s C&ocirc;te</HEAD>\n"
                                "<TEXT>\n&ldquo;x&rdquo; &aring; &hellip; "
                                "AT&T R&D R&and; &foo; &Rsquo; &rsquo "
                                "&amp &Uuml;ber &hyph; &#8217;\n</TEXT>\n"
                                "</DOC>\n"),
                     NS_OK);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].title, "Smith\xE2\x80\x99s C\xC3\xB4te");
    assert_str(g.a[0].text, "\xE2\x80\x9Cx\xE2\x80\x9D \xC3\xA5 "
                            "\xE2\x80\xA6 AT&T R&D R\xE2\x88\xA7 &foo; "
                            "&Rsquo; &rsquo & \xC3\x9C"
                            "ber - \xE2\x80\x99");
    got_free(&g);
}

static void
test_shared_ap89(void **state)
{
    (void)state;
    const char *p = shared_path("news/ap89-trec-sample/SOURCE.md");
    if (!p)
        skip();
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/news/ap89-trec-sample/raw",
             getenv("NS_SHARED"));
    got g = { 0 };
    assert_int_equal(got_walk(&g, dir), NS_OK);
    assert_int_equal(g.nr, 0);
    /* SOURCE.md describes 10 daily files and 2,228 articles; the shared
     * raw/ holds the first four (ap890101..04) with 761 <DOC>s. */
    assert_int_equal(g.files_ended, 4);
    assert_int_equal(g.na, 761);
    const got_article *a = got_find(&g, "AP890101-0001");
    assert_non_null(a);
    assert_str(a->title,
               "You Don't Need a Weatherman To Know '60s Films Are Here");
    assert_str(a->date, "1989-01-01T23:58:00-05:00");
    got_free(&g);
}

static void
test_shared_reuters_tar_xz(void **state)
{
    (void)state;
    const char *p = shared_path("news/reuters21578/reuters21578-sgml.tar.xz");
    if (!p)
        skip();
    got g = { 0 };
    g.only_format = "reuters";
    assert_int_equal(got_walk(&g, p), NS_OK);
    /* SOURCE.md: 21,578 articles; NEWID 12793 has neither title nor
     * text and is rejected as empty. */
    assert_int_equal(g.counted, 21577);
    size_t empty = 0, other = 0;
    for (size_t i = 0; i < g.nr; i++) {
        if (strstr(g.r[i].reason, "empty article"))
            empty++;
        else if (strstr(g.r[i].file, "lewis.dtd"))
            other++; /* the DTD is no article */
    }
    assert_int_equal(empty, 1);
    assert_int_equal(empty + other, g.nr);
    const got_article *a = got_find(&g, "reuters21578-1");
    assert_non_null(a);
    assert_str(a->title, "BAHIA COCOA REVIEW");
    assert_str(a->date, "1987-02-26T15:01:01Z");
    char want[4200];
    snprintf(want, sizeof want, "%s:reut2-000.sgm", p);
    assert_str(a->file, want);
    got_free(&g);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trec),
        cmocka_unit_test(test_reuters),
        cmocka_unit_test(test_sgml_buffers),
        cmocka_unit_test(test_trec_entities),
        cmocka_unit_test(test_trec_fbis_ziff),
        cmocka_unit_test(test_trec_comments),
        cmocka_unit_test(test_trec_aquaint),
        cmocka_unit_test(test_trec_headlines),
        cmocka_unit_test(test_gigaword),
        cmocka_unit_test(test_shared_ap89),
        cmocka_unit_test(test_shared_reuters_tar_xz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
