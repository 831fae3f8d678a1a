/*
 * fuzz_corpus.c: libFuzzer entry point for the corpus readers.  Arbitrary
 * bytes go through ns__corpus_read_buffer(), so format detection and every
 * registered reader see them.  Each delivered article must keep the
 * promises of ns__corpus_emit (metadata fields valid UTF-8 on one line,
 * trimmed, never empty; text within NS_MAX_ARTICLE_BYTES; an id always);
 * each reject must name the input and give a one-line reason.  The first
 * byte picks the file name, so the name tie-breakers are covered too.
 * Not wired into CMake: build with clang -fsanitize=fuzzer,address.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "corpus/corpus.h"
#include "corpus/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)     \
    do {             \
        if (!(x))    \
            abort(); \
    } while (0)

/* An independent check: not the validator under test. */
static int
fz_valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i], lo = 0x80, hi = 0xBF;
        size_t k;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            lo = c == 0xE0 ? 0xA0 : 0x80;
            hi = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF;
        } else {
            return 0;
        }
        if (i + k >= n || s[i + 1] < lo || s[i + 1] > hi)
            return 0;
        for (size_t j = 2; j <= k; j++)
            if (s[i + j] < 0x80 || s[i + j] > 0xBF)
                return 0;
        i += k + 1;
    }
    return 1;
}

static void
fz_check_field(const char *s)
{
    if (!s)
        return;
    size_t n = strlen(s);
    CHECK(n > 0);
    CHECK(fz_valid_utf8((const unsigned char *)s, n));
    CHECK(s[0] != ' ' && s[n - 1] != ' ');
    CHECK(!memchr(s, '\n', n) && !memchr(s, '\r', n) && !memchr(s, '\t', n));
}

static int
fz_article(const ns_article *a, const ns__where *w, void *payload)
{
    (void)payload;
    CHECK(a->version == NS_ARTICLE_VERSION);
    CHECK(a->id != NULL);
    fz_check_field(a->id);
    fz_check_field(a->title);
    fz_check_field(a->date);
    fz_check_field(a->source);
    fz_check_field(a->url);
    fz_check_field(a->author);
    fz_check_field(a->language);
    if (a->date) /* date.h: a year, a month, a day, with a time */
        CHECK(strlen(a->date) == 4 || strlen(a->date) == 7 ||
              strlen(a->date) == 10 || strlen(a->date) == 20 ||
              strlen(a->date) == 25);
    CHECK(a->text_len <= NS_MAX_ARTICLE_BYTES);
    CHECK(a->text != NULL || a->text_len == 0);
    if (a->text_len) /* readable to its end */
        CHECK(memchr(a->text, a->text[a->text_len - 1], a->text_len));
    CHECK(w->file && w->format && w->format[0]);
    return 0;
}

static int
fz_reject(const ns__where *w, const char *reason, void *payload)
{
    (void)payload;
    CHECK(w->file && w->format && reason && reason[0]);
    CHECK(!strchr(reason, '\n'));
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = { "fuzz",       "fuzz.txt",  "fuzz.md",
                                         "fuzz.jsonl", "fuzz.json", "fuzz.sgm",
                                         "fuzz.xml",   "fuzz.html" };
    const char *name = "fuzz";
    if (size > 0) {
        name = names[data[0] % (sizeof names / sizeof *names)];
        data++;
        size--;
    }
    ns__corpus_sink sink = { NULL, fz_article, fz_reject, NULL, NULL, NULL };
    ns_status st =
        ns__corpus_read_buffer(name, (const char *)data, size, &sink);
    CHECK(st == NS_OK || st == NS_ERR_NOMEM);
    return 0;
}
