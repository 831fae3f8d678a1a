/*
 * fuzz_warc.c: libFuzzer entry point for the WARC reader (corpus/warc.c).
 * Below 0x80 the first byte lets the rest go in as a WARC stream as it is
 * (seeds are whole WARC files); from 0x80 the rest becomes the HTTP body of
 * one well-formed response record whose headers the first byte's bits pick
 * (charset, chunked, gzip, a lying Content-Length), so page extraction and
 * the length checks see the mutations.  Every article must carry valid
 * UTF-8, every reject a one-line reason.  tests/CMakeLists.txt builds a
 * replay of corpora/warc, and with NS_FUZZ=ON the libFuzzer binary.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "corpus/corpus.h"
#include "tests/fuzz/check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fw_article(const ns_article *a, const ns__where *w, void *payload)
{
    (void)payload;
    fz_emitted(a, w);
    if (a->text_len)
        CHECK(utf8_ok(a->text, a->text_len));
    return 0;
}

static int
fw_reject(const ns__where *w, const char *reason, void *payload)
{
    (void)payload;
    fz_rejected(w, reason);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ns_buf in = { 0 };
    if (size > 0 && data[0] >= 0x80) {
        unsigned bits = data[0];
        const char *body = (const char *)data + 1;
        size_t blen = size - 1;
        char http[256];
        int hn = snprintf(http, sizeof http,
                          "HTTP/1.1 200 OK\r\nContent-Type: text/html%s\r\n"
                          "%s%s\r\n",
                          bits & 1 ? "; charset=iso-8859-1" : "",
                          bits & 2 ? "Transfer-Encoding: chunked\r\n" : "",
                          bits & 4 ? "Content-Encoding: gzip\r\n" : "");
        size_t block = (size_t)hn + blen;
        /* Bits 3-4: the Content-Length right, 7 too long, 7 too short. */
        size_t claim = (bits & 8)               ? block + 7 :
                       (bits & 16) && block > 7 ? block - 7 :
                                                  block;
        ns__buf_printf(&in,
                       "WARC/1.0\r\nWARC-Type: response\r\n"
                       "WARC-Target-URI: http://fuzz.example/\r\n"
                       "WARC-Record-ID: <urn:uuid:fuzz>\r\n"
                       "Content-Type: application/http; msgtype=response\r\n"
                       "Content-Length: %zu\r\n\r\n%s",
                       claim, http);
        ns__buf_append(&in, body, blen);
        ns__buf_puts(&in, "\r\n\r\nWARC/1.0\r\nWARC-Type: metadata\r\n"
                          "Content-Length: 2\r\n\r\nok\r\n\r\n");
    } else if (size > 0) {
        ns__buf_append(&in, data + 1, size - 1);
    }
    if (!in.oom) {
        ns__corpus_sink sink = {
            NULL, fw_article, fw_reject, NULL, NULL, NULL
        };
        ns_status st = ns__corpus_read_buffer(
            "fuzz.warc", in.data ? in.data : "", in.len, &sink);
        CHECK(st == NS_OK || st == NS_ERR_NOMEM);
    }
    ns__buf_free(&in);
    return 0;
}
