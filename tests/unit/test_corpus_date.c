/*
 * test_corpus_date.c: every date form the readers meet, normalized to RFC
 * 3339 on the source's own clock, and the forms that must give "" rather
 * than a guess.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "corpus/date.h"

static void
check(const char *in, const char *want)
{
    char out[NS_DATE_MAX];
    size_t n = ns__date_parse(in, strlen(in), out);
    if (strcmp(out, want) != 0)
        print_error("date \"%s\": got \"%s\", want \"%s\"\n", in, out, want);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static void
test_iso(void **state)
{
    (void)state;
    check("2015-09-18", "2015-09-18");
    check("  2015-09-18\n", "2015-09-18");
    check("2015-09-18T10:20:30Z", "2015-09-18T10:20:30Z");
    check("2015-09-18T10:20:30.123456Z", "2015-09-18T10:20:30Z");
    check("2015-09-18T10:20Z", "2015-09-18T10:20:00Z");
    check("2015-09-18T10:20:30+02:00", "2015-09-18T10:20:30+02:00");
    check("2015-09-18T23:20:30-05:00", "2015-09-18T23:20:30-05:00");
    check("2015-09-18 10:20:30-0400", "2015-09-18T10:20:30-04:00");
    check("2015-09-18T10:20:30+0530", "2015-09-18T10:20:30+05:30");
    check("2015-09-18T01:20:30+09", "2015-09-18T01:20:30+09:00");
    check("2015-09-18 10:20:30", "2015-09-18T10:20:30Z");
    check("2015-09-18 10:20 EST", "2015-09-18T10:20:00-05:00");
    check("2015-09-18T10:20:30 UTC", "2015-09-18T10:20:30Z");
    check("20150918", "2015-09-18");
    check("20150918T102030Z", "2015-09-18T10:20:30Z");
    /* basic with a numeric offset, as NewsML 1 dates are written */
    check("20150903T101500+0000", "2015-09-03T10:15:00Z");
    check("20150903T101500-0500", "2015-09-03T10:15:00-05:00");
    check("20150903T1015+0200", "2015-09-03T10:15:00+02:00");
    check("2015/09/18", "2015-09-18");
    check("2016-02-29", "2016-02-29");
    check("2000-01-01T00:30:00+01:00", "2000-01-01T00:30:00+01:00");
    /* an evening in New York stays on its day (UTC's is the next) */
    check("2025-03-06T21:37:36-05:00", "2025-03-06T21:37:36-05:00");
    check("Thu, 06 Mar 2025 21:37:36 EST", "2025-03-06T21:37:36-05:00");
    /* the white house front matter */
    check("2025-01-23 15:41:10-05:00", "2025-01-23T15:41:10-05:00");
}

static void
test_rfc822(void **state)
{
    (void)state;
    check("Fri, 18 Sep 2015 10:20:30 GMT", "2015-09-18T10:20:30Z");
    check("Fri, 18 Sep 2015 10:20:30 +0000", "2015-09-18T10:20:30Z");
    check("Fri, 18 Sep 2015 10:20:30 -0400", "2015-09-18T10:20:30-04:00");
    check("Fri, 18 Sep 2015 10:20:30 EDT", "2015-09-18T10:20:30-04:00");
    check("Fri, 18 Sep 2015 22:20:30 EST", "2015-09-18T22:20:30-05:00");
    check("Sat, 1 Jan 2000 00:00:00 PST", "2000-01-01T00:00:00-08:00");
    check("18 Sep 15 10:20 -0400", "2015-09-18T10:20:00-04:00");
    check("Tue, 10 Jun 2003 04:00:00 GMT", "2003-06-10T04:00:00Z");
    check("Mon, 01 Jan 2001 00:00:00 +0000 (UTC)", "2001-01-01T00:00:00Z");
    check("Friday, 18-Sep-15 10:20:30 GMT", "2015-09-18T10:20:30Z");
    check("Fri Sep 18 10:20:30 2015", "2015-09-18T10:20:30Z");
    check("Fri, 18 Sep 2015 10:20:30 GMT+0300", "2015-09-18T10:20:30+03:00");
    check("18 Sep 2015 10:20:30 CEST", "2015-09-18T10:20:30+02:00");
    /* an unknown zone name: only the day is certain */
    check("Fri, 18 Sep 2015 10:20:30 XYZT", "2015-09-18");
    /* RFC 2822 military zones mean -0000 */
    check("18 Sep 2015 10:20:30 A", "2015-09-18T10:20:30Z");
}

static void
test_reuters_ap(void **state)
{
    (void)state;
    check("26-FEB-1987 15:01:01.79", "1987-02-26T15:01:01Z");
    check("18-OCT-1987 01:02:03.00", "1987-10-18T01:02:03Z");
    check(" 5-MAR-1987 09:12:34.56", "1987-03-05T09:12:34Z");
    check("890102", "1989-01-02");
    check("010102", "2001-01-02");
    check("19890102", "1989-01-02");
}

static void
test_prose(void **state)
{
    (void)state;
    check("September 18, 2015", "2015-09-18");
    check("Sep 18, 2015", "2015-09-18");
    check("Sept. 18, 2015", "2015-09-18");
    check("Friday, September 18, 2015", "2015-09-18");
    check("September 18, 2015 10:20 AM EDT", "2015-09-18T10:20:00-04:00");
    check("September 18, 2015 12:05 am", "2015-09-18T00:05:00Z");
    check("Sep 18 2015 10:20 p.m. UTC", "2015-09-18T22:20:00Z");
    check("18 September 2015", "2015-09-18");
    check("18 September, 2015", "2015-09-18");
    /* ordinals and abbreviations with a period */
    check("March 4th, 2019", "2019-03-04");
    check("4th March 2019", "2019-03-04");
    check("Mar. 4, 2019", "2019-03-04");
    check("Monday, March 4th, 2019", "2019-03-04");
    check("1st June 2020", "2020-06-01");
    check("June 2nd, 2020", "2020-06-02");
    check("23rd June 2020", "2020-06-23");
    check("11th June 2020", "2020-06-11");
    check("12TH June 2020", "2020-06-12");
    check("August 31st, 2020 10:20 PM EDT", "2020-08-31T22:20:00-04:00");
}

/* date(1) and asctime with a zone, and Twitter's created_at: the zone
 * comes before the year. */
static void
test_zone_before_year(void **state)
{
    (void)state;
    check("Mon Mar 04 08:30:00 +0000 2019", "2019-03-04T08:30:00Z");
    check("Mon Mar  4 08:30:00 UTC 2019", "2019-03-04T08:30:00Z");
    check("Wed Oct 10 20:19:24 -0500 2018", "2018-10-10T20:19:24-05:00");
    check("Thu Jan 01 00:30:00 CET 2004", "2004-01-01T00:30:00+01:00");
    /* an unknown zone name: only the day */
    check("Mon Mar  4 08:30:00 XYZT 2019", "2019-03-04");
    check("Mon Mar 04 08:30:00 +0000", "");
    check("Mon Mar 04 08:30:00 +0000 2019 UTC", "");
    check("Mon Mar 04 08:30:00 +99 2019", "");
}

/* Day.month.year with dots, and slashed dates when they are unambiguous. */
static void
test_numeric(void **state)
{
    (void)state;
    check("04.03.2019", "2019-03-04");
    check("4.3.2019", "2019-03-04");
    check("04.03.2019 08:30", "2019-03-04T08:30:00Z");
    check("04.03.2019, 08:30:15 +0100", "2019-03-04T08:30:15+01:00");
    check("03/15/2017", "2017-03-15");
    check("15/03/2017", "2017-03-15");
    check("05/05/2017", "2017-05-05");
    check("03/15/2017 10:20 PM", "2017-03-15T22:20:00Z");
    /* March 4th or 3 April: no guess */
    check("03/04/2017", "");
    check("13/14/2017", "");
    check("31.02.2019", "");
    check("04.13.2019", "");
}

static void
test_invalid(void **state)
{
    (void)state;
    check("", "");
    check("   ", "");
    check("yesterday", "");
    check("2015-02-30", "");
    check("2015-13-01", "");
    check("2015-09-18T25:00:00Z", "");
    check("2015-09-18T10:61:00Z", "");
    check("2015-09-18T10:20:30Zjunk", "");
    check("2015-09-18 and more", "");
    check("890232", "");
    check("1442534400", "");
    check("Fri, 31 Feb 2015 10:00:00 GMT", "");
    check("13 Foo 2015", "");
    check("0000-01-01", "");
    check("10:20:30", "");
    check("2015-09-18T10:20:30+2500", "");
    check("2015-09-18T1", "");
    /* date-like garbage */
    check("1.2.3", "");
    check("04.03.19", "");
    check("1.2.2019.5", "");
    check("10/20/30/40", "");
    check("03/15/17", "");
    check("03/15/2017/1", "");
    check("4th of the month", "");
    check("4st March 2019", "");
    check("March 4thx, 2019", "");
    check("March 4 th, 2019", "");
    check("4th-Mar-2019", "");
}

/* A month or a year alone: what the source knows, no day made up. */
static void
test_partial(void **state)
{
    (void)state;
    check("2015", "2015");
    check(" 2015 ", "2015");
    check("2015-09", "2015-09");
    check("September 2015", "2015-09");
    check("Sept. 2015", "2015-09");
    check("sep 2015", "2015-09");
    check("March, 2019", "2019-03");
    check("2015-13", "");
    check("2015-00", "");
    check("2015-9", "");
    check("2015-", "");
    check("0999", "");
    check("201", "");
    check("20150", "");
    check("Sept 15", "");
    check("September 2015 and more", "");
    check("Mar 2019x", "");
    check("Foo 2015", "");
}

/* Of several fields, a day over a month or a year, whatever their order;
 * else the first date.  Each field in turn: what it is, what ns__date_pick
 * returns, what best holds then. */
static void
test_pick(void **state)
{
    (void)state;
    static const struct {
        const char *field;
        int done;
        const char *best;
    } steps[] = {
        { "soon", 0, "" },
        { "2015", 0, "2015" },
        { "2014", 0, "2015" },
        { "2015-09", 0, "2015-09" },
        { "2015-09-18", 1, "2015-09-18" },
        { "2016-01-01T10:00:00Z", 1, "2015-09-18" },
    };
    char best[NS_DATE_MAX] = "";
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        const char *f = steps[i].field;
        assert_int_equal(ns__date_pick(best, f, strlen(f)), steps[i].done);
        assert_string_equal(best, steps[i].best);
    }
}

static void
test_epoch(void **state)
{
    (void)state;
    char out[NS_DATE_MAX];
    assert_int_equal(ns__date_from_epoch(1442571630, out), 20);
    assert_string_equal(out, "2015-09-18T10:20:30Z");
    assert_int_equal(ns__date_from_epoch(0, out), 20);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    assert_int_equal(ns__date_from_epoch(-1, out), 20);
    assert_string_equal(out, "1969-12-31T23:59:59Z");
    assert_int_equal(ns__date_from_epoch(INT64_MAX, out), 0);
    assert_string_equal(out, "");
    assert_int_equal(ns__date_from_epoch(INT64_MIN, out), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso),
        cmocka_unit_test(test_rfc822),
        cmocka_unit_test(test_reuters_ap),
        cmocka_unit_test(test_prose),
        cmocka_unit_test(test_zone_before_year),
        cmocka_unit_test(test_numeric),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_partial),
        cmocka_unit_test(test_pick),
        cmocka_unit_test(test_epoch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
