/*
 * date.h: turning the dates news archives write into the one form the index
 * stores, RFC 3339 on the source's own clock: "YYYY-MM-DDThh:mm:ss+hh:mm"
 * ("...Z" at UTC, "YYYY-MM-DD" when only the day is known).  An article's
 * day is then the one its publisher gave it: a White House release of 9:37
 * pm on March 6 (-05:00) is of March 6, not of UTC's March 7.  Every corpus
 * reader uses it.  It never invents a date: what it cannot read gives "".
 */
#ifndef NS_DATE_H
#define NS_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Room for the longest result, "YYYY-MM-DDThh:mm:ss+hh:mm", and its NUL. */
#define NS_DATE_MAX 26

/**
 * Normalize the date text s[0, len) into out (NUL-terminated).
 *
 * Read forms (leading and trailing blanks ignored, names case-insensitive):
 * - ISO 8601 / RFC 3339: "2015-09-18", "2015-09-18T10:20:30Z",
 *   "2015-09-18 10:20:30.123-04:00", "2015-09-18T10:20+0530",
 *   basic "20150918T102030Z", "2015-09-18 10:20 EST";
 * - RFC 822/1123/2822/850 and asctime: "Fri, 18 Sep 2015 10:20:30 GMT",
 *   "18 Sep 15 10:20 -0400", "Friday, 18-Sep-15 10:20:30 EDT",
 *   "Fri Sep 18 10:20:30 2015", and with the zone before the year as
 *   date(1) and Twitter write it: "Fri Sep 18 10:20:30 UTC 2015",
 *   "Fri Sep 18 10:20:30 +0000 2015";
 * - Reuters-21578: "18-OCT-1987 01:02:03.00" (no zone: taken as UTC);
 * - AP/TREC: "890102" (YYMMDD) and "19890102" (YYYYMMDD);
 * - prose: "September 18, 2015", "Sep. 18, 2015 10:20 AM EDT",
 *   "September 18th, 2015", "18 September 2015", "18th September 2015"
 *   (an ordinal suffix must fit its number: "18st" is not read);
 * - day.month.year with dots: "18.09.2015", "18.09.2015 10:20" (a four
 *   digit year only);
 * - slashed: "09/18/2015" and "18/09/2015", only when one of the first two
 *   numbers is over 12 (or both are the same) and so decides which is the
 *   day; "03/04/2015" (March 4th or 3 April) gives "".
 *
 * - a month or a year alone, as ISO 8601's reduced forms write them and
 *   archives of monthly or yearly issues date their articles: "2015-09",
 *   "September 2015", "Sept. 2015" give "2015-09"; "2015" gives "2015".
 *   No day is made up: the result says only what the source knows, and
 *   the index files it at the start of its month or year (a search for
 *   date:2015-09 or date:2015 finds it, one from 2015-09-10 on does not).
 *
 * A time keeps its clock and gets its offset: a numeric one or a known
 * zone name's (UT, GMT, EST, CEST, ...) as "+hh:mm", "Z" when it is zero.
 * A time with no zone is taken as UTC ("Z").  A time with an unknown zone
 * name keeps only its day, since the day is all we know.  Two digit years
 * are 19YY from 50 and 20YY below.  Impossible dates ("2015-02-30", hour
 * 25) give "".
 *
 * Returns: the length written to out (25 with a time and an offset, 20
 * with a time at UTC, 10 for a day, 7 for a month, 4 for a year), or 0
 * with out set to "" when s is not a date this function reads.
 */
size_t ns__date_parse(const char *s, size_t len, char out[NS_DATE_MAX]);

/**
 * For a reader that has several fields that may hold the date: read s
 * into best when it is a better date than best holds (best starts as ""):
 * any date is better than none, and one with its day than a month or a
 * year.  Returns 1 when best now has its day (no later field can be
 * better), else 0.
 */
int ns__date_pick(char best[NS_DATE_MAX], const char *s, size_t len);

/**
 * Format seconds since the Unix epoch (UTC) as "YYYY-MM-DDThh:mm:ssZ".
 * Returns the length (20), or 0 with out "" when the year falls outside
 * 1000..9999.
 */
size_t ns__date_from_epoch(int64_t secs, char out[NS_DATE_MAX]);

#endif /* NS_DATE_H */
