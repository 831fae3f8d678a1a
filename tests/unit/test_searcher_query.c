/*
 * test_searcher_query.c: the query parser.  Each case parses a query
 * against a small index and checks the Xapian query it builds (Xapian's
 * own description of it), whether it ranks, the note about malformed
 * input, and what it hands the highlighter and the spelling suggester.
 * The index keeps its positions in Xapian's table, so that phrases are
 * Xapian's operators (their checks on position maps or the stored text:
 * test_searcher_verify.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "searcher/query.h"

static char dir[] = "/tmp/ns-test-query-XXXXXX";
static ns_db *db;

static void
add(ns_db *w, const char *id, const char *title, const char *text)
{
    ns_article a = NS_ARTICLE_INIT;
    a.id = id;
    a.title = title;
    a.text = text;
    a.text_len = strlen(text);
    assert_int_equal(ns_db_add_article(w, &a), NS_OK);
}

static int
setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    ns_db *w;
    if (ns_db_open(dir, NS_OPEN_WRITE | NS_OPEN_CREATE | NS_OPEN_POSITIONS,
                   &w, NULL) != NS_OK)
        return -1;
    add(w, "1", "The President speaks", "presidents and a presidency");
    add(w, "2", "Sanctions", "sanctioned sanctioning");
    if (ns_db_commit(w) != NS_OK)
        return -1;
    ns_db_close(w);
    return ns_db_open(dir, NS_OPEN_READ, &db, NULL) == NS_OK ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    ns_db_close(db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

/* Parse text and check the description of its query (NULL: do not check),
 * and its note (NULL: none). */
static void
check_flags(const char *text, unsigned flags, const char *want,
            const char *want_note, ns__query *q)
{
    assert_int_equal(ns__query_parse(db, text, flags, q), NS_OK);
    char *d = ns__xq_describe(q->xq);
    assert_non_null(d);
    if (want && strcmp(d, want) != 0)
        fail_msg("%s\n  got  %s\n  want %s", text, d, want);
    ns_free(d);
    if (want_note && (!q->note || !strstr(q->note, want_note)))
        fail_msg("%s: note '%s', want '%s'", text, q->note ? q->note : "",
                 want_note);
    if (!want_note && q->note)
        fail_msg("%s: unexpected note '%s'", text, q->note);
}

static void
check(const char *text, const char *want, const char *want_note)
{
    ns__query q;
    check_flags(text, 0, want, want_note, &q);
    ns__query_free(&q);
}

static void
check_empty(const char *text)
{
    ns__query q;
    ns_status st = ns__query_parse(db, text, 0, &q);
    if (st != NS_ERR_QUERY_EMPTY)
        fail_msg("'%s': status %d, want NS_ERR_QUERY_EMPTY", text, st);
    assert_null(q.xq);
    assert_string_equal(ns_db_errmsg(db),
                        "the query has no word to search for");
}

static void
test_words(void **state)
{
    (void)state;
    check("syria russia", "Query((syria@1 OR russia@1))", NULL);
    check("Airbases", "Query(airbas@1)", NULL);
    /* Hyphens join a word's parts into a phrase; other punctuation
     * splits it into separate words. */
    check("al-Assad", "Query((al@1 PHRASE 2 assad@2))", NULL);
    check("<b>Syria", "Query((b@1 OR syria@2))", NULL);
    /* Lower-case operators and unknown fields are words (`and` a stop
     * word, left out: test_stop_words). */
    check("war and peace", "Query((war@1 OR peac@1))", NULL);
    check("war AND peace", "Query((war@1 AND peac@1))", NULL);
    check("foo:bar", "Query((foo@1 OR bar@2))", NULL);
}

static void
test_phrases(void **state)
{
    (void)state;
    check("\"air strike\"", "Query((air@1 PHRASE 2 strike@2))", NULL);
    check("\xe2\x80\x9c" "air strike\xe2\x80\x9d",
          "Query((air@1 PHRASE 2 strike@2))", NULL);
    check("\"air strikes\" syria",
          "Query(((air@1 PHRASE 2 strike@2) OR syria@1))", NULL);
    check("\"single\"", "Query(singl@1)", NULL);
}

static void
test_modifiers(void **state)
{
    (void)state;
    check("-syria russia", "Query((russia@1 AND_NOT syria@1))", NULL);
    check("NOT syria russia", "Query((russia@1 AND_NOT syria@1))", NULL);
    check("russia NOT syria", "Query((russia@1 AND_NOT syria@1))", NULL);
    check("+syria russia", "Query((syria@1 AND_MAYBE russia@1))", NULL);
    check("+syria +russia iran",
          "Query(((syria@1 AND russia@1) AND_MAYBE iran@1))", NULL);
    check("-\"air strike\" syria",
          "Query((syria@1 AND_NOT (air@1 PHRASE 2 strike@2)))", NULL);
    /* A hyphen inside a word is no modifier. */
    check("a-b", "Query((a@1 PHRASE 2 b@2))", NULL);
}

static void
test_boolean(void **state)
{
    (void)state;
    check("a AND b", "Query((a@1 AND b@1))", NULL);
    check("a OR b", "Query((a@1 OR b@1))", NULL);
    /* AND binds tighter than OR. */
    check("a OR b AND c", "Query((a@1 OR (b@1 AND c@1)))", NULL);
    check("a AND b OR c", "Query(((a@1 AND b@1) OR c@1))", NULL);
    /* An AND clause among plain clauses is required. */
    check("x b AND c", "Query(((b@1 AND c@1) AND_MAYBE x@1))", NULL);
    check("a AND NOT b", "Query((a@1 AND_NOT b@1))", NULL);
    check("a AND b AND c", "Query((a@1 AND b@1 AND c@1))", NULL);
}

static void
test_nesting(void **state)
{
    (void)state;
    check("(a OR b) AND (c OR d)",
          "Query(((a@1 OR b@1) AND (c@1 OR d@1)))", NULL);
    check("-(a b) c", "Query((c@1 AND_NOT (a@1 OR b@1)))", NULL);
    check("+(x b) c", "Query(((x@1 OR b@1) AND_MAYBE c@1))", NULL);
    check("((a AND (b OR (c NEAR/2 d))))",
          "Query((a@1 AND (b@1 OR (c@1 NEAR 4 d@1))))", NULL);
    check("(a)", "Query(a@1)", NULL);
}

static void
test_prefix(void **state)
{
    (void)state;
    /* The index has `presid` (president, presidents): the stem of the
     * word's longer forms is found too. */
    check("president*",
          "Query((WILDCARD SYNONYM president SYNONYM presid@1))", NULL);
    check("sanction*", "Query(WILDCARD SYNONYM sanction)", NULL);
    /* Stemming changed the last letter: its stem is a prefix too. */
    check("happy*",
          "Query((WILDCARD SYNONYM happy SYNONYM WILDCARD SYNONYM happi))",
          NULL);
    check("title:sanction*", "Query(WILDCARD SYNONYM Ssanction)", NULL);
    check("al-ass*", "Query((al@1 AND WILDCARD SYNONYM ass))", NULL);
}

static void
test_near(void **state)
{
    (void)state;
    check("a NEAR/3 b", "Query((a@1 NEAR 5 b@1))", NULL);
    check("a NEAR b", "Query((a@1 NEAR 12 b@1))", NULL);
    check("a ADJ/2 b", "Query((a@1 PHRASE 4 b@1))", NULL);
    check("a NEAR/1 b NEAR/1 c", "Query((a@1 NEAR 4 b@1 NEAR 4 c@1))", NULL);
    /* A phrase in NEAR counts as its words (Xapian nests only terms). */
    check("\"a b\" NEAR/2 c", "Query((a@1 NEAR 5 b@2 NEAR 5 c@1))", NULL);
    check("title:a NEAR/2 title:b", "Query((Sa@1 NEAR 4 Sb@1))", NULL);
    check("title:a NEAR b", "Query((Sa@1 AND b@1))",
          "NEAR joins plain words and phrases of one field: read as AND");
    check("a* ADJ b", "Query((WILDCARD SYNONYM a AND b@1))",
          "ADJ joins plain words");
}

static void
test_fields(void **state)
{
    (void)state;
    check("title:syria", "Query(Ssyria@1)", NULL);
    check("Title:\"air strike\" x",
          "Query(((Sair@1 PHRASE 2 Sstrike@2) OR x@1))", NULL);
    check("title:(air strike)", "Query((Sair@1 OR Sstrike@1))", NULL);
    check("source:\"White House\"", "Query((Bwhite@1 AND Bhouse@1))", NULL);
    check("author:Pérez syria", "Query((syria@1 FILTER Aperez@1))", NULL);
    check("site:https://www.BBC.co.uk/news syria",
          "Query((syria@1 FILTER Hbbc.co.uk@1))", NULL);
    check("url:bbc.co.uk", "Query(Hbbc.co.uk@1)", NULL);
    /* Filters of one field are ORed, of different fields ANDed. */
    check("source:a source:b author:c x",
          "Query((x@1 FILTER ((Ba@1 OR Bb@1) AND Ac@1)))", NULL);
    check("-source:x syria", "Query((syria@1 AND_NOT Bx@1))", NULL);
    /* A field name without a value is a word, and a note says so. */
    check("title: syria", "Query((titl@1 OR syria@1))",
          "'title:' has no value: searched as a word");
}

static void
test_dates(void **state)
{
    (void)state;
    check("date:2015", "Query(VALUE_RANGE 0 20150000000000 20159999999999)",
          NULL);
    check("date:2015-09",
          "Query(VALUE_RANGE 0 20150900000000 20150999999999)", NULL);
    check("date:2015-09-01..2015-10-15",
          "Query(VALUE_RANGE 0 20150901000000 20151015999999)", NULL);
    check("date:..2016", "Query(VALUE_LE 0 20169999999999)", NULL);
    check("date:2015..", "Query(VALUE_GE 0 20150000000000)", NULL);
    check("syria date:2015 date:2017",
          "Query((syria@1 FILTER (VALUE_RANGE 0 20150000000000 "
          "20159999999999 OR VALUE_RANGE 0 20170000000000 "
          "20179999999999)))",
          NULL);
    check("date:2016..2015-06",
          "Query(VALUE_RANGE 0 20150600000000 20169999999999)",
          "a date range from later to earlier");
    check("date:2015-13 x", NULL, "'date:2015-13' is not a date");
    check("date:.. x", NULL, "is not a date");
    check("date:yesterday", "Query((date@1 OR yesterday@2))",
          "is not a date");
    /* Days that no month has, and February 29th of a common year. */
    check("date:2015-02-30 x", NULL, "'date:2015-02-30' is not a date");
    check("date:2015-04-31 x", NULL, "is not a date");
    check("date:2015-02-29 x", NULL, "is not a date");
    check("date:2016-02-29",
          "Query(VALUE_RANGE 0 20160229000000 20160229999999)", NULL);
    /* A field name with no value is a word, and the note says so. */
    check("date:", "Query(date@1)", "'date:' has no value");
    check("syria title:", "Query((syria@1 OR titl@1))",
          "'title:' has no value");

    char k[15];
    assert_int_equal(ns__query_date_key("2015-09-30", 10, '9', k), 0);
    assert_string_equal(k, "20150930999999");
    assert_int_equal(ns__query_date_key("2015-09-30T10:20Z", 17, '0', k), 0);
    assert_string_equal(k, "20150930102000");
    assert_int_equal(ns__query_date_key("201", 3, '0', k), -1);
    assert_int_equal(ns__query_date_key("2015-9", 6, '0', k), -1);
    assert_int_equal(ns__query_date_key("2015-00", 7, '0', k), -1);
    assert_int_equal(ns__query_date_key("2015-01-32", 10, '0', k), -1);
    assert_int_equal(ns__query_date_key("2015/01", 7, '0', k), -1);
}

static void
test_malformed(void **state)
{
    (void)state;
    check("\"unbalanced x", "Query((unbalanc@1 PHRASE 2 x@2))",
          "unbalanced quote: read as closed at the end of the query");
    check("(a OR b", "Query((a@1 OR b@1))",
          "missing ')': read as closed at the end of the query");
    check("x) b", "Query((x@1 OR b@1))", "ignored an unmatched ')'");
    check("AND a", "Query(a@1)", "ignored a stray AND");
    check("a AND", "Query(a@1)", "ignored a stray AND");
    check("a AND AND b", "Query((a@1 AND b@1))", "ignored a stray AND");
    check("a OR OR b", "Query((a@1 OR b@1))", "ignored a stray OR");
    check("a NOT", "Query(a@1)", "ignored a stray NOT");
    check("NEAR a", "Query(a@1)", "ignored a stray NEAR");
    check("x () b", "Query((x@1 OR b@1))", NULL);
    /* Two notes are joined. */
    check("AND (a", "Query(a@1)", "ignored a stray AND; missing ')'");

    char deep[2 * NS_QUERY_MAX_DEPTH + 8];
    size_t n = 0;
    for (int i = 0; i < NS_QUERY_MAX_DEPTH + 2; i++)
        deep[n++] = '(';
    deep[n++] = 'a';
    deep[n] = '\0';
    check(deep, "Query(a@1)", "parentheses nested too deep");
}

static void
test_empty(void **state)
{
    (void)state;
    check_empty("");
    check_empty("   ");
    check_empty("...");
    check_empty("AND OR");
    check_empty("NOT");
    check_empty("-");
    check_empty("()");
    check_empty("\"\"");
}

static void
test_ranked(void **state)
{
    (void)state;
    ns__query q;
    check_flags("syria", 0, NULL, NULL, &q);
    assert_true(q.ranked);
    ns__query_free(&q);
    check_flags("-syria", 0, "Query((0 * <alldocuments> AND_NOT syria@1))",
                NULL, &q);
    assert_false(q.ranked);
    ns__query_free(&q);
    check_flags("source:x date:2015", 0, NULL, NULL, &q);
    assert_false(q.ranked);
    ns__query_free(&q);
    check_flags("source:x syria", 0, NULL, NULL, &q);
    assert_true(q.ranked);
    ns__query_free(&q);
}

/* Stop words (the analyzer's list) are searched only when the query has
 * no other word to rank by, or when asked for: in a phrase, required, in a
 * field, or written in capitals. */
static void
test_stop_words(void **state)
{
    (void)state;
    ns__query q;
    check_flags("what is the war", 0, "Query(war@1)", NULL, &q);
    assert_int_equal(q.n_terms, 1); /* only war is highlighted */
    assert_string_equal(q.terms[0].text, "war");
    assert_int_equal(q.n_words, 1); /* and can be corrected */
    ns__query_free(&q);
    check("The", "Query(the@1)", NULL);
    check("to be or not", "Query((to@1 OR be@1 OR or@1 OR not@1))", NULL);
    check("\"the war\"", "Query((the@1 PHRASE 2 war@2))", NULL);
    check("the-war", "Query((the@1 PHRASE 2 war@2))", NULL);
    check("+the war", "Query((the@1 AND_MAYBE war@1))", NULL);
    check("the AND war", "Query((the@1 AND war@1))", NULL);
    check("WHO pandemic", "Query((who@1 OR pandem@1))", NULL);
    check("title:the war", "Query((Sthe@1 OR war@1))", NULL);
    /* Nothing else to rank by: the stop words are searched. */
    check("the -war", "Query((the@1 AND_NOT war@1))", NULL);
    check_flags("the source:x", 0, NULL, NULL, &q);
    assert_true(q.ranked);
    ns__query_free(&q);
    check_flags("What is the", NS_QUERY_PLAIN,
                "Query((what@1 OR is@2 OR the@3))", NULL, &q);
    ns__query_free(&q);
}

static void
test_plain(void **state)
{
    (void)state;
    ns__query q;
    /* Operators, quotes, modifiers and fields are plain text (stop words
     * left out); a repeated word counts twice. */
    check_flags("what AND \"the\" -war, title:war NOT (x*)", NS_QUERY_PLAIN,
                "Query((war#2@4 OR titl@5 OR x@8))", NULL, &q);
    assert_int_equal(q.n_words, 4);
    ns__query_free(&q);
    check_flags("To be or not to be", NS_QUERY_PLAIN,
                "Query((to#2@1 OR be#2@2 OR or@3 OR not@4))", NULL, &q);
    assert_int_equal(q.n_phrases, 0);
    ns__query_free(&q);
    ns_status st = ns__query_parse(db, "...", NS_QUERY_PLAIN, &q);
    assert_int_equal(st, NS_ERR_QUERY_EMPTY);
}

/* A query of n words: "w0 w1 ... w(n-2) sanctions" in a new string. */
static char *
long_query(size_t n)
{
    char *s = malloc(n * 8 + 16);
    assert_non_null(s);
    s[0] = '\0';
    size_t len = 0;
    for (size_t i = 0; i + 1 < n; i++)
        len += (size_t)sprintf(s + len, "w%zu ", i);
    strcpy(s + len, "sanctions");
    return s;
}

/* Words beyond NS_QUERY_MAX_WORDS are not searched, and the note says so;
 * a query at the cap is read whole. */
static void
test_long(void **state)
{
    (void)state;
    static const unsigned flags[] = { 0, NS_QUERY_PLAIN };
    for (size_t f = 0; f < 2; f++) {
        ns__query q;
        char *at_cap = long_query(NS_QUERY_MAX_WORDS);
        check_flags(at_cap, flags[f], NULL, NULL, &q);
        assert_int_equal(q.n_words, NS_QUERY_MAX_WORDS);
        char *d = ns__xq_describe(q.xq);
        assert_non_null(strstr(d, "sanction@"));
        ns_free(d);
        ns__query_free(&q);
        free(at_cap);

        char *over = long_query(1000);
        check_flags(over, flags[f], NULL,
                    "only the first 512 words of the query were searched",
                    &q);
        assert_int_equal(q.n_words, NS_QUERY_MAX_WORDS);
        assert_int_equal(q.n_terms, NS_QUERY_MAX_WORDS);
        d = ns__xq_describe(q.xq);
        assert_non_null(strstr(d, "w511@"));
        assert_null(strstr(d, "w512@"));
        assert_null(strstr(d, "sanction@"));
        ns_free(d);
        ns__query_free(&q);
        free(over);
    }
}

/* What the highlighter and the suggester get. */
static void
test_highlight_terms(void **state)
{
    (void)state;
    ns__query q;
    check_flags("\"air strikes\" Syria -russia sanc* title:iran al-Assad", 0,
                NULL, NULL, &q);
    /* air strike (phrase 0), syria, sanc*, al assad (phrase 1). */
    assert_int_equal(q.n_terms, 6);
    assert_string_equal(q.terms[0].text, "air");
    assert_int_equal(q.terms[0].phrase, 0);
    assert_string_equal(q.terms[1].text, "strike");
    assert_int_equal(q.terms[1].phrase, 0);
    assert_string_equal(q.terms[2].text, "syria");
    assert_int_equal(q.terms[2].phrase, -1);
    assert_string_equal(q.terms[3].text, "sanc");
    assert_true(q.terms[3].prefix);
    assert_string_equal(q.terms[4].text, "al");
    assert_int_equal(q.terms[4].phrase, 1);
    assert_int_equal(q.n_phrases, 2);
    assert_int_equal(q.phrases[1].first, 4);
    assert_int_equal(q.phrases[1].n, 2);
    assert_int_equal(q.n_excluded, 1);
    assert_string_equal(q.excluded[0], "russia");
    /* Only Syria is a plain word: its bytes in the query. */
    assert_int_equal(q.n_words, 1);
    assert_int_equal(q.words[0].start, 14);
    assert_int_equal(q.words[0].end, 19);
    assert_string_equal(q.words[0].word, "syria");
    ns__query_free(&q);
}

/* Fail every allocation in turn: never a crash or a leak. */
static void
test_oom(void **state)
{
    (void)state;
    const char *text = "\"air strike\" +syria -(russia OR iran) sanc* "
                       "title:x source:y date:2015..2016 a NEAR/2 b (c";
    for (uint64_t n = 1;; n++) {
        ns__query q;
        ns__alloc_fail_after(n);
        ns_status st = ns__query_parse(db, text, 0, &q);
        uint64_t made = ns__alloc_fail_after(0);
        if (st == NS_OK) {
            ns__query_free(&q);
            if (made < n)
                break;
            continue;
        }
        assert_int_equal(st, NS_ERR_NOMEM);
        assert_null(q.xq);
        if (n > 100000)
            fail_msg("no success after %llu allocations",
                     (unsigned long long)n);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),     cmocka_unit_test(test_phrases),
        cmocka_unit_test(test_modifiers), cmocka_unit_test(test_boolean),
        cmocka_unit_test(test_nesting),   cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_near),      cmocka_unit_test(test_fields),
        cmocka_unit_test(test_dates),     cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_empty),     cmocka_unit_test(test_ranked),
        cmocka_unit_test(test_plain),     cmocka_unit_test(test_long),
        cmocka_unit_test(test_stop_words),
        cmocka_unit_test(test_highlight_terms),
        cmocka_unit_test(test_oom),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
