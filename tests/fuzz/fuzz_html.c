/*
 * fuzz_html.c: libFuzzer entry point for web page extraction
 * (ns__html_extract in corpus/html.c) and HTML fragments.  The first byte
 * picks the charset an HTTP header would declare (none, right ones, wrong
 * ones, unknown ones), so the charset guessing and every decoder see the
 * mutations.  Whatever the bytes, every field out must be valid UTF-8 and
 * the text must have no NUL.  tests/CMakeLists.txt builds a replay of
 * corpora/html, and with NS_FUZZ=ON the libFuzzer binary.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "corpus/html.h"
#include "tests/fuzz/check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fh_field(const char *s)
{
    if (s)
        CHECK(utf8_ok(s, strlen(s)));
}

static const char *const charsets[8] = {
    NULL,        "utf-8",     "iso-8859-1", "windows-1252",
    "shift_jis", "x-unknown", "utf-16",     "koi8-r",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *cs = NULL;
    if (size > 0) {
        cs = charsets[data[0] & 7];
        data++;
        size--;
    }
    ns__html_page p;
    ns_status st = ns__html_extract((const char *)data, size, cs, &p);
    CHECK(st == NS_OK || st == NS_ERR_FORMAT || st == NS_ERR_NOMEM);
    if (st == NS_OK) {
        CHECK(p.text && strlen(p.text) == p.text_len);
        CHECK(utf8_ok(p.text, p.text_len));
        fh_field(p.title);
        fh_field(p.date);
        fh_field(p.author);
        fh_field(p.source);
        fh_field(p.url);
        fh_field(p.language);
    } else {
        CHECK(!p.text);
    }
    ns__html_page_free(&p);

    /* The same bytes as a feed's description. */
    ns__text t = { { 0 }, 0, 0 };
    ns__html_fragment_text(&t, (const char *)data, size);
    if (!t.buf.oom)
        CHECK(utf8_ok(ns__buf_cstr(&t.buf), t.buf.len));
    ns__text_free(&t);
    return 0;
}
