/*
 * date.c: reading the date forms of news archives (ISO 8601, RFC 822 and its
 * successors, Reuters-21578, AP/TREC, prose) into RFC 3339.  Each family
 * has its own small parser over a cursor; the first that consumes the whole
 * text wins.  Nothing here guesses: a date it cannot read in full is "".
 * Epoch seconds become a day with Howard Hinnant's civil-from-days
 * algorithm, so no libc time function (and no TZ environment) is involved.
 */
#include "corpus/date.h"

#include <string.h>

typedef struct cursor {
    const char *p;
    const char *end;
} cursor;

typedef struct datetime {
    int y, mo, d;
    int has_time;
    int h, mi, s;
    int zone; /* 0 none (taken as UTC), 1 offset known, -1 unknown name */
    int off;  /* minutes east of UTC when zone == 1 */
} datetime;

static int
is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static void
skip_blank(cursor *c)
{
    while (c->p < c->end &&
           (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
        c->p++;
}

static int
at_end(const cursor *c)
{
    return c->p >= c->end;
}

static int
peek(const cursor *c)
{
    return c->p < c->end ? (unsigned char)*c->p : -1;
}

static int
accept(cursor *c, char ch)
{
    if (peek(c) == (unsigned char)ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* Read a run of digits (at most 9 are valued); returns how many. */
static int
number(cursor *c, int *val)
{
    int n = 0, v = 0;
    while (c->p < c->end && is_digit(*c->p)) {
        if (n < 9)
            v = v * 10 + (*c->p - '0');
        n++;
        c->p++;
    }
    *val = v;
    return n;
}

/* Read exactly n digits. */
static int
fixed(cursor *c, int n, int *val)
{
    int v = 0;
    if (c->end - c->p < n)
        return 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(c->p[i]))
            return 0;
        v = v * 10 + (c->p[i] - '0');
    }
    c->p += n;
    *val = v;
    return 1;
}

/* Read a run of letters, lowercased, into w (cut at cap - 1). */
static size_t
word(cursor *c, char *w, size_t cap)
{
    size_t n = 0;
    while (c->p < c->end && is_alpha(*c->p)) {
        if (n + 1 < cap)
            w[n] = (char)lower(*c->p);
        n++;
        c->p++;
    }
    w[n < cap ? n : cap - 1] = '\0';
    return n;
}

static const char *const month_names[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"
};

/* 1..12 for "jan", "sept", "september", ...; 0 otherwise. */
static int
month_of(const char *w)
{
    size_t n = strlen(w);
    if (n < 3)
        return 0;
    for (int i = 0; i < 12; i++)
        if (strncmp(month_names[i], w, n) == 0)
            return i + 1;
    return 0;
}

static int
is_weekday(const char *w)
{
    static const char *const days[7] = { "monday",   "tuesday", "wednesday",
                                         "thursday", "friday",  "saturday",
                                         "sunday" };
    size_t n = strlen(w);
    if (n < 3)
        return 0;
    for (int i = 0; i < 7; i++)
        if (strncmp(days[i], w, n) == 0)
            return 1;
    return 0;
}

/* Zone names and their offsets in minutes east; only unambiguous ones
 * (IST, for one, is India, Ireland or Israel, so it is left out). */
static const struct {
    const char *name;
    int off;
} zones[] = {
    { "z", 0 },      { "ut", 0 },      { "utc", 0 },     { "gmt", 0 },
    { "wet", 0 },    { "west", 60 },   { "bst", 60 },    { "cet", 60 },
    { "cest", 120 }, { "met", 60 },    { "mest", 120 },  { "eet", 120 },
    { "eest", 180 }, { "msk", 180 },   { "jst", 540 },   { "kst", 540 },
    { "hkt", 480 },  { "sgt", 480 },   { "awst", 480 },  { "acst", 570 },
    { "acdt", 630 }, { "aest", 600 },  { "aedt", 660 },  { "nzst", 720 },
    { "nzdt", 780 }, { "est", -300 },  { "edt", -240 },  { "cst", -360 },
    { "cdt", -300 }, { "mst", -420 },  { "mdt", -360 },  { "pst", -480 },
    { "pdt", -420 }, { "akst", -540 }, { "akdt", -480 }, { "hst", -600 },
    { "ast", -240 }, { "adt", -180 },  { "nst", -210 },  { "ndt", -150 },
};

static int
days_in_month(int y, int m)
{
    static const int dm[12] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static void
put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

/* "YYYY-MM-DD" (no NUL); y is 1000..9999. */
static void
put_day(char *p, int y, int m, int d)
{
    put2(p, y / 100);
    put2(p + 2, y % 100);
    p[4] = '-';
    put2(p + 5, m);
    p[7] = '-';
    put2(p + 8, d);
}

static size_t
format_secs(int64_t secs, char out[NS_DATE_MAX])
{
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 1000 || y > 9999) {
        out[0] = '\0';
        return 0;
    }
    put_day(out, y, m, d);
    out[10] = 'T';
    put2(out + 11, (int)(rem / 3600));
    out[13] = ':';
    put2(out + 14, (int)(rem / 60 % 60));
    out[16] = ':';
    put2(out + 17, (int)(rem % 60));
    out[19] = 'Z';
    out[20] = '\0';
    return 20;
}

size_t
ns__date_from_epoch(int64_t secs, char out[NS_DATE_MAX])
{
    /* Bound first so that the arithmetic below cannot overflow. */
    if (secs < -30610224000LL || secs > 253402300799LL) {
        out[0] = '\0';
        return 0;
    }
    return format_secs(secs, out);
}

static int
year_of(int v, int ndigits)
{
    if (ndigits == 2)
        return v < 50 ? 2000 + v : 1900 + v;
    if (ndigits == 4)
        return v;
    return -1;
}

/* Fractional seconds: '.' or ',' and digits, dropped. */
static void
skip_fraction(cursor *c)
{
    if ((peek(c) == '.' || peek(c) == ',') && c->p + 1 < c->end &&
        is_digit(c->p[1])) {
        c->p++;
        while (c->p < c->end && is_digit(*c->p))
            c->p++;
    }
}

/* "hh:mm[:ss[.frac]]" with optional AM/PM.  Returns 0 on a malformed time. */
static int
parse_time(cursor *c, datetime *t)
{
    int h, mi, s = 0;
    int n = number(c, &h);
    if (n < 1 || n > 2 || !accept(c, ':') || !fixed(c, 2, &mi))
        return 0;
    if (accept(c, ':')) {
        if (!fixed(c, 2, &s))
            return 0;
        skip_fraction(c);
    }
    /* AM/PM: "10:20 AM", "10:20pm", "10:20 a.m." */
    cursor save = *c;
    skip_blank(c);
    int ap = lower(peek(c));
    if ((ap == 'a' || ap == 'p') && c->p + 1 < c->end) {
        cursor q = { c->p + 1, c->end };
        accept(&q, '.');
        if (lower(peek(&q)) == 'm') {
            q.p++;
            accept(&q, '.');
            if (!is_alpha(peek(&q))) {
                if (h < 1 || h > 12)
                    return 0;
                h = h % 12 + (ap == 'p' ? 12 : 0);
                *c = q;
                save = *c;
            }
        }
    }
    *c = save;
    t->has_time = 1;
    t->h = h;
    t->mi = mi;
    t->s = s;
    return 1;
}

/* "+hh:mm", "-hhmm", "+hh". */
static int
parse_offset(cursor *c, int *off)
{
    int sign = peek(c) == '-' ? -1 : 1;
    int h, m = 0;
    c->p++;
    int n = number(c, &h);
    if (n == 4) {
        m = h % 100;
        h /= 100;
    } else if (n == 2 || n == 1) {
        if (accept(c, ':') && !fixed(c, 2, &m))
            return 0;
    } else {
        return 0;
    }
    if (h > 23 || m > 59)
        return 0;
    *off = sign * (h * 60 + m);
    return 1;
}

/* An optional zone after the time.  Returns 0 on a malformed one. */
static int
parse_zone(cursor *c, datetime *t)
{
    skip_blank(c);
    if (peek(c) == '+' || peek(c) == '-') {
        if (!parse_offset(c, &t->off))
            return 0;
        t->zone = 1;
    } else if (is_alpha(peek(c))) {
        char w[8];
        size_t n = word(c, w, sizeof w);
        int found = 0;
        for (size_t i = 0; n < sizeof w && i < sizeof zones / sizeof *zones;
             i++) {
            if (strcmp(zones[i].name, w) == 0) {
                t->off = zones[i].off;
                found = 1;
                break;
            }
        }
        if (found) {
            t->zone = 1;
            /* "GMT+0300", "UTC-5": the offset is relative to UTC. */
            if (t->off == 0 && (peek(c) == '+' || peek(c) == '-') &&
                !parse_offset(c, &t->off))
                return 0;
        } else if (n == 1) {
            t->zone = 1; /* RFC 2822: military zones mean -0000 */
            t->off = 0;
        } else if (n <= 5) {
            t->zone = -1;
        } else {
            return 0;
        }
    }
    return 1;
}

/* The end: only blanks or a "(comment)" left. */
static int
parse_end(cursor *c)
{
    skip_blank(c);
    if (accept(c, '(')) {
        while (!at_end(c) && *c->p != ')')
            c->p++;
        if (!accept(c, ')'))
            return 0;
        skip_blank(c);
    }
    return at_end(c);
}

static int
parse_zone_and_end(cursor *c, datetime *t)
{
    return parse_zone(c, t) && parse_end(c);
}

/* The optional time and zone that may follow a day. */
static int
parse_rest(cursor *c, datetime *t)
{
    skip_blank(c);
    accept(c, ',');
    skip_blank(c);
    if (is_digit(peek(c)) && !parse_time(c, t))
        return 0;
    return parse_zone_and_end(c, t);
}

/* ISO 8601: "YYYY-MM-DD[Thh:mm[:ss[.f]]][zone]", basic "YYYYMMDD[Thhmmss]",
 * "YYYY/MM/DD". */
static int
parse_iso(cursor *c, datetime *t)
{
    int basic = 0;
    if (!fixed(c, 4, &t->y))
        return 0;
    if (peek(c) == '-' || peek(c) == '/') {
        char sep = *c->p++;
        int n = number(c, &t->mo);
        if (n < 1 || n > 2 || !accept(c, sep))
            return 0;
        n = number(c, &t->d);
        if (n < 1 || n > 2)
            return 0;
    } else {
        if (!fixed(c, 2, &t->mo) || !fixed(c, 2, &t->d))
            return 0;
        basic = 1;
    }
    if (at_end(c))
        return 1;
    if ((peek(c) == 'T' || peek(c) == 't') ||
        (peek(c) == ' ' && c->p + 1 < c->end && is_digit(c->p[1]))) {
        c->p++;
        skip_blank(c);
        cursor save = *c;
        int hms;
        int n = number(c, &hms);
        if (basic && (n == 4 || n == 6) && peek(c) != ':') {
            if (n == 4)
                hms *= 100;
            t->h = hms / 10000;
            t->mi = hms / 100 % 100;
            t->s = hms % 100;
            t->has_time = 1;
            skip_fraction(c);
        } else {
            *c = save;
            if (!parse_time(c, t))
                return 0;
        }
    }
    /* "2015-09-18T10:20Z", "2015-09-18T10:20:30+02:00", "... EST" */
    if (peek(c) == 'Z' || peek(c) == 'z') {
        c->p++;
        t->zone = 1;
        t->off = 0;
        skip_blank(c);
        return at_end(c);
    }
    return parse_zone_and_end(c, t);
}

/* "890102" (YYMMDD, AP/TREC). */
static int
parse_yymmdd(cursor *c, datetime *t)
{
    int yy;
    if (!fixed(c, 2, &yy) || !fixed(c, 2, &t->mo) || !fixed(c, 2, &t->d))
        return 0;
    skip_blank(c);
    t->y = year_of(yy, 2);
    return at_end(c);
}

/* The English ordinal suffix of a day number ("1st", "22nd", "4th"),
 * only the one that fits the number: "4st" is not a date. */
static void
skip_ordinal(cursor *c, int d)
{
    static const char *const sfx[4] = { "th", "st", "nd", "rd" };
    int k = d % 10 <= 3 && d / 10 != 1 ? d % 10 : 0;
    if (c->end - c->p >= 2 && lower(c->p[0]) == sfx[k][0] &&
        lower(c->p[1]) == sfx[k][1] &&
        (c->end - c->p == 2 || !is_alpha(c->p[2])))
        c->p += 2;
}

/* Skip "Friday," or "Fri" before a date. */
static void
skip_weekday(cursor *c)
{
    cursor save = *c;
    char w[16];
    size_t n = word(c, w, sizeof w);
    if (n && n < sizeof w && is_weekday(w)) {
        accept(c, '.');
        skip_blank(c);
        accept(c, ',');
        skip_blank(c);
        return;
    }
    *c = save;
}

/* Day first: RFC 822 "18 Sep 2015 10:20:30 GMT", RFC 850 "18-Sep-15",
 * Reuters "18-OCT-1987 01:02:03.00", prose "18 September 2015" and
 * "18th September 2015". */
static int
parse_dmy(cursor *c, datetime *t)
{
    char w[16];
    int n = number(c, &t->d);
    if (n < 1 || n > 2)
        return 0;
    int dash = accept(c, '-');
    if (!dash) {
        skip_ordinal(c, t->d);
        skip_blank(c);
    }
    size_t wl = word(c, w, sizeof w);
    if (wl == 0 || wl >= sizeof w || !(t->mo = month_of(w)))
        return 0;
    accept(c, '.');
    if (dash ? !accept(c, '-') : (skip_blank(c), accept(c, ','), 0))
        return 0;
    skip_blank(c);
    int y;
    n = number(c, &y);
    if ((t->y = year_of(y, n)) < 0)
        return 0;
    return parse_rest(c, t);
}

/* Month first: "September 18, 2015 10:20 AM EDT", "Sep. 18 2015",
 * "September 18th, 2015", asctime "Sep 18 10:20:30 2015", and asctime
 * with a zone before the year: date(1) "Sep 18 10:20:30 UTC 2015",
 * Twitter's created_at "Sep 18 10:20:30 +0000 2015". */
static int
parse_mdy(cursor *c, datetime *t)
{
    char w[16];
    size_t wl = word(c, w, sizeof w);
    if (wl == 0 || wl >= sizeof w || !(t->mo = month_of(w)))
        return 0;
    accept(c, '.');
    skip_blank(c);
    int n = number(c, &t->d);
    if (n < 1 || n > 2)
        return 0;
    skip_ordinal(c, t->d);
    skip_blank(c);
    /* asctime: the time comes before the year */
    cursor save = *c;
    int probe;
    if (number(c, &probe) <= 2 && peek(c) == ':') {
        *c = save;
        if (!parse_time(c, t))
            return 0;
        skip_blank(c);
        int zone_first = !is_digit(peek(c));
        if (zone_first && !parse_zone(c, t))
            return 0;
        skip_blank(c);
        int y;
        n = number(c, &y);
        if (n != 4)
            return 0;
        t->y = y;
        return zone_first ? parse_end(c) : parse_zone_and_end(c, t);
    }
    *c = save;
    accept(c, ',');
    skip_blank(c);
    int y;
    n = number(c, &y);
    if (n != 4)
        return 0;
    t->y = y;
    return parse_rest(c, t);
}

/* Day first with dots, as German, Russian and most of Europe write it:
 * "18.09.2015", "18.09.2015 10:20".  The year has four digits, so that a
 * version number ("1.2.3") is not a date. */
static int
parse_dotted(cursor *c, datetime *t)
{
    int n = number(c, &t->d);
    if (n < 1 || n > 2 || !accept(c, '.'))
        return 0;
    n = number(c, &t->mo);
    if (n < 1 || n > 2 || !accept(c, '.') || number(c, &t->y) != 4)
        return 0;
    return parse_rest(c, t);
}

/*
 * "09/18/2015" (US, month first) or "18/09/2015" (most other places, day
 * first): read only when the numbers decide which is which, one of them
 * over 12 (or both the same).  "03/04/2015" is March 4th in New York and
 * 3 April in London, so it stays unread rather than guessed.
 */
static int
parse_slashed(cursor *c, datetime *t)
{
    int a, b;
    int n = number(c, &a);
    if (n < 1 || n > 2 || !accept(c, '/'))
        return 0;
    n = number(c, &b);
    if (n < 1 || n > 2 || !accept(c, '/') || number(c, &t->y) != 4)
        return 0;
    if (a > 12 && b <= 12) {
        t->d = a;
        t->mo = b;
    } else if (b > 12 && a <= 12) {
        t->mo = a;
        t->d = b;
    } else if (a == b) {
        t->mo = t->d = a;
    } else {
        return 0;
    }
    return parse_rest(c, t);
}

/* A date that starts with its day (or, slashed, perhaps its month): the
 * separator after the first number says which form it is. */
static int
parse_day_first(cursor *c, datetime *t)
{
    const char *p = c->p;
    while (p < c->end && is_digit(*p))
        p++;
    if (p < c->end && *p == '.')
        return parse_dotted(c, t);
    if (p < c->end && *p == '/')
        return parse_slashed(c, t);
    return parse_dmy(c, t);
}

static int
valid(const datetime *t)
{
    if (t->y < 1000 || t->y > 9999 || t->mo < 1 || t->mo > 12 || t->d < 1 ||
        t->d > days_in_month(t->y, t->mo))
        return 0;
    if (t->has_time && (t->h > 23 || t->mi > 59 || t->s > 60))
        return 0;
    return 1;
}

static size_t
emit(const datetime *t, char out[NS_DATE_MAX])
{
    if (!valid(t)) {
        out[0] = '\0';
        return 0;
    }
    if (!t->has_time || t->zone < 0) {
        put_day(out, t->y, t->mo, t->d);
        out[10] = '\0';
        return 10;
    }
    /* The time as the source wrote it, on its own clock: the article's
     * day is the one its publisher gave it, not UTC's. */
    put_day(out, t->y, t->mo, t->d);
    out[10] = 'T';
    put2(out + 11, t->h);
    out[13] = ':';
    put2(out + 14, t->mi);
    out[16] = ':';
    put2(out + 17, t->s == 60 ? 59 : t->s); /* a leap second stays in its
                                              * minute */
    int off = t->zone == 1 ? t->off : 0;
    if (off == 0) {
        out[19] = 'Z';
        out[20] = '\0';
        return 20;
    }
    out[19] = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    put2(out + 20, off / 60);
    out[22] = ':';
    put2(out + 23, off % 60);
    out[25] = '\0';
    return 25;
}

/* A month or a year alone, the whole of c: ISO 8601's reduced forms
 * "2015-09" and "2015", and "September 2015", "Sept. 2015". */
static size_t
parse_partial(cursor c, char out[NS_DATE_MAX])
{
    int y = 0, mo = 0;
    if (is_digit(peek(&c))) {
        if (!fixed(&c, 4, &y) || (accept(&c, '-') && (!fixed(&c, 2, &mo) ||
                                                      mo < 1)))
            return 0;
    } else {
        char w[16];
        size_t wl = word(&c, w, sizeof w);
        if (wl == 0 || wl >= sizeof w || !(mo = month_of(w)))
            return 0;
        accept(&c, '.');
        accept(&c, ',');
        skip_blank(&c);
        if (!fixed(&c, 4, &y))
            return 0;
    }
    if (!at_end(&c) || y < 1000 || mo > 12)
        return 0;
    put_day(out, y, mo ? mo : 1, 1);
    size_t n = mo ? 7 : 4;
    out[n] = '\0';
    return n;
}

size_t
ns__date_parse(const char *s, size_t len, char out[NS_DATE_MAX])
{
    out[0] = '\0';
    if (!s)
        return 0;
    cursor all = { s, s + len };
    skip_blank(&all);
    while (all.end > all.p && (all.end[-1] == ' ' || all.end[-1] == '\t' ||
                               all.end[-1] == '\r' || all.end[-1] == '\n'))
        all.end--;
    if (at_end(&all))
        return 0;

    datetime t;
    cursor c;
    if (is_digit(peek(&all))) {
        size_t nd = 0;
        while (all.p + nd < all.end && is_digit(all.p[nd]))
            nd++;
        if (nd == 6 && all.p + nd == all.end) {
            memset(&t, 0, sizeof t);
            c = all;
            if (parse_yymmdd(&c, &t))
                return emit(&t, out);
        }
        if (nd == 4 || nd == 8) {
            memset(&t, 0, sizeof t);
            c = all;
            if (parse_iso(&c, &t))
                return emit(&t, out);
        }
        if (nd <= 2) {
            memset(&t, 0, sizeof t);
            c = all;
            if (parse_day_first(&c, &t))
                return emit(&t, out);
        }
        out[0] = '\0';
        return nd == 4 ? parse_partial(all, out) : 0;
    }
    c = all;
    skip_weekday(&c);
    cursor after_weekday = c;
    memset(&t, 0, sizeof t);
    if (is_digit(peek(&c)) && parse_day_first(&c, &t))
        return emit(&t, out);
    c = after_weekday;
    memset(&t, 0, sizeof t);
    if (is_alpha(peek(&c)) && parse_mdy(&c, &t))
        return emit(&t, out);
    out[0] = '\0';
    return is_alpha(peek(&all)) ? parse_partial(all, out) : 0;
}

int
ns__date_pick(char best[NS_DATE_MAX], const char *s, size_t len)
{
    if (strlen(best) >= 10)
        return 1;
    char d[NS_DATE_MAX];
    size_t n = ns__date_parse(s, len, d);
    if (n > strlen(best))
        memcpy(best, d, n + 1);
    return n >= 10;
}
