/*
 * fuzz_analyze.c: libFuzzer entry point for the analyzer.  Arbitrary bytes
 * go through ns__analyzer_run() and ns__analyzer_fold(); every token must
 * keep the promises of analyze.h (a valid UTF-8 byte range inside the
 * input, in order; consecutive positions; non-empty NUL-terminated terms of
 * valid UTF-8), and each token's bytes, analyzed alone, must give the same
 * term.  The first byte picks the spec and the mode, so one corpus covers
 * stemming, no stemming and kept diacritics.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyze.h"
#include "tests/fuzz/check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct state {
    ns_analyzer *a;
    const unsigned char *text;
    size_t len;
    unsigned mode;
    uint32_t next_pos;
    size_t last_end;
    int nested; /* inside a re-analysis */
    char term[256];
    size_t term_len;
    size_t count;
} state;

static int
on_inner(const ns_token *t, void *payload)
{
    state *s = payload;
    s->count++;
    if (s->count == 1) {
        CHECK(t->term_len < sizeof s->term);
        memcpy(s->term, t->term, t->term_len);
        s->term_len = t->term_len;
    }
    return 0;
}

static int
on_token(const ns_token *t, void *payload)
{
    state *s = payload;
    CHECK(t->start < t->end && t->end <= s->len);
    CHECK(t->start >= s->last_end);
    CHECK(utf8_ok(s->text + t->start, t->end - t->start));
    CHECK(t->pos == s->next_pos);
    CHECK(t->term_len > 0 && t->word_len > 0);
    CHECK(t->word_len <= NS_ANALYZER_MAX_WORD);
    CHECK(t->term[t->term_len] == '\0' && t->word[t->word_len] == '\0');
    CHECK(utf8_ok(t->term, t->term_len));
    CHECK(utf8_ok(t->word, t->word_len));
    CHECK((t->flags & ~7u) == 0);
    if ((t->flags & NS_TOKEN_NUMBER) || (s->mode & NS_ANALYZE_NOSTEM))
        CHECK(t->term_len == t->word_len &&
              memcmp(t->term, t->word, t->word_len) == 0);
    s->next_pos++;
    s->last_end = t->end;

    /* The token alone analyzes to itself (one token, same term). */
    char term[256];
    CHECK(t->term_len < sizeof term);
    memcpy(term, t->term, t->term_len);
    state in = { 0 };
    CHECK(ns__analyzer_run(s->a, (const char *)s->text + t->start,
                           t->end - t->start, 0, NS_ANALYZE_QUERY | s->mode,
                           on_inner, &in, NULL) == NS_OK);
    CHECK(in.count == 1);
    CHECK(in.term_len == t->term_len &&
          memcmp(in.term, term, t->term_len) == 0);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ns_analyzer *an[3];
    static const char *specs[3] = {
        NULL,
        "lang=en;stem=none;norm=nfkc_cf;v=1",
        "lang=fr",
    };
    if (size == 0)
        return 0;
    unsigned pick = data[0] % 6;
    if (!an[pick % 3] &&
        ns__analyzer_new(specs[pick % 3], &an[pick % 3], NULL) != NS_OK)
        abort();
    ns_analyzer *a = an[pick % 3];
    data++;
    size--;

    state s = { 0 };
    s.a = a;
    s.text = data;
    s.len = size;
    s.mode = pick >= 3 ? NS_ANALYZE_NOSTEM : 0;
    s.next_pos = 5;
    ns_analyze_stats st = { 0 };
    CHECK(ns__analyzer_run(a, (const char *)data, size, 5, s.mode, on_token, &s,
                           &st) == NS_OK);
    CHECK(st.tokens == s.next_pos - 5);
    CHECK(st.invalid_bytes <= size);

    const char *out = NULL;
    size_t n = ns__analyzer_fold(a, (const char *)data, size, &out);
    CHECK(out != NULL);
    CHECK(out[n] == '\0');
    CHECK(utf8_ok(out, n));
    return 0;
}
