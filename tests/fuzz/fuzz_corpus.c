/*
 * fuzz_corpus.c: libFuzzer entry point for the corpus readers.  Arbitrary
 * bytes go through ns__corpus_read_buffer(), so format detection and every
 * registered reader see them.  Each delivered article must keep the
 * promises of ns__corpus_emit (metadata fields valid UTF-8 on one line,
 * trimmed, never empty; text within NS_MAX_ARTICLE_BYTES; an id always);
 * each reject must name the input and give a one-line reason.  The first
 * byte picks the file name, so the name tie-breakers are covered too.
 * tests/CMakeLists.txt builds a replay of corpora/corpus, and with
 * NS_FUZZ=ON the libFuzzer binary.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "corpus/corpus.h"
#include "corpus/format.h"
#include "tests/fuzz/check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fz_article(const ns_article *a, const ns__where *w, void *payload)
{
    (void)payload;
    fz_emitted(a, w);
    return 0;
}

static int
fz_reject(const ns__where *w, const char *reason, void *payload)
{
    (void)payload;
    fz_rejected(w, reason);
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
