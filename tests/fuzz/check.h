/*
 * check.h: the checks the fuzz targets share.  A failed CHECK names itself
 * on standard error and aborts, which libFuzzer and the replay driver
 * (driver.c) both report as a crash.
 */
#ifndef NS_TESTS_FUZZ_CHECK_H
#define NS_TESTS_FUZZ_CHECK_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus/corpus.h"
#include "corpus/format.h"
#include "tests/utf8_check.h"

#define CHECK(x)                                                             \
    do {                                                                     \
        if (!(x)) {                                                          \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                    #x);                                                     \
            abort();                                                         \
        }                                                                    \
    } while (0)

/* A metadata field as ns__corpus_emit promises it (NULL, or valid UTF-8
 * on one line, trimmed, not empty). */
static inline void
fz_field(const char *s)
{
    if (!s)
        return;
    size_t n = strlen(s);
    CHECK(n > 0);
    CHECK(utf8_ok(s, n));
    CHECK(s[0] != ' ' && s[n - 1] != ' ');
    CHECK(!memchr(s, '\n', n) && !memchr(s, '\r', n) && !memchr(s, '\t', n));
}

/* An article as ns__corpus_emit delivers it, whatever its reader: an id,
 * every field as fz_field() wants it, a date of date.h's shapes (a year, a
 * month, a day, with a time), a text within NS_MAX_ARTICLE_BYTES and
 * readable to its end, and where it came from.  Whether the text is valid
 * UTF-8 is each reader's promise (the indexer repairs it otherwise). */
static inline void
fz_emitted(const ns_article *a, const ns__where *w)
{
    CHECK(a->version == NS_ARTICLE_VERSION);
    CHECK(a->id != NULL);
    fz_field(a->id);
    fz_field(a->title);
    fz_field(a->date);
    fz_field(a->source);
    fz_field(a->url);
    fz_field(a->author);
    fz_field(a->language);
    if (a->date) {
        size_t n = strlen(a->date);
        CHECK(n == 4 || n == 7 || n == 10 || n == 20 || n == 25);
    }
    CHECK(a->text_len <= NS_MAX_ARTICLE_BYTES);
    CHECK(a->text != NULL || a->text_len == 0);
    if (a->text_len)
        CHECK(memchr(a->text, a->text[a->text_len - 1], a->text_len));
    CHECK(w->file && w->format && w->format[0]);
}

/* A reject: it names the input and gives a reason of one line. */
static inline void
fz_rejected(const ns__where *w, const char *reason)
{
    CHECK(w->file && w->format && reason && reason[0]);
    CHECK(!strchr(reason, '\n'));
}

#endif
