/*
 * fuzz_xml.c: libFuzzer entry point for the XML readers (corpus/xmlfeed.c,
 * corpus/newsml.c) and the safe XML parse under them (corpus/html.c).  A
 * first byte of 0x80 or more puts a feed or NewsML root before the rest, so
 * the mutations exercise the readers rather than format detection; below
 * 0x80 the bytes go in as they are.  Every article must carry valid UTF-8
 * (fields on one line), every reject a one-line reason, and the DOM text
 * of the raw parse must be valid UTF-8 too.  Not wired into CMake by hand:
 * tests/CMakeLists.txt builds a replay of corpora/xml, and with NS_FUZZ=ON
 * the libFuzzer binary.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "corpus/corpus.h"
#include "corpus/format.h"
#include "corpus/html.h"
#include "tests/fuzz/check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fx_article(const ns_article *a, const ns__where *w, void *payload)
{
    (void)payload;
    fz_emitted(a, w);
    if (a->text_len)
        CHECK(utf8_ok(a->text, a->text_len));
    return 0;
}

static int
fx_reject(const ns__where *w, const char *reason, void *payload)
{
    (void)payload;
    fz_rejected(w, reason);
    return 0;
}

static const char *const roots[8] = {
    "<rss version=\"2.0\"><channel><title>t</title>",
    "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
    ("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
     "xmlns=\"http://purl.org/rss/1.0/\">"),
    "<newsItem xmlns=\"http://iptc.org/std/nar/2006-10-01/\" guid=\"g\">",
    "<newsMessage xmlns=\"http://iptc.org/std/nar/2006-10-01/\"><itemSet>",
    "<nitf><body><body.content>",
    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel>",
    "<!DOCTYPE rss [<!ENTITY e \"&e;&e;\">]><rss><channel><item><title>&e;",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ns_buf in = { 0 };
    if (size > 0 && data[0] >= 0x80)
        ns__buf_puts(&in, roots[data[0] & 7]);
    if (size > 0)
        ns__buf_append(&in, data + 1, size - 1);
    if (in.oom) {
        ns__buf_free(&in);
        return 0;
    }
    const char *d = in.data ? in.data : "";
    ns__corpus_sink sink = { NULL, fx_article, fx_reject, NULL, NULL, NULL };
    ns_status st = ns__corpus_read_buffer("fuzz.xml", d, in.len, &sink);
    CHECK(st == NS_OK || st == NS_ERR_NOMEM);

    /* The parse alone: its text must be valid UTF-8 as well. */
    char *copy = ns__strndup(d, in.len);
    if (copy) {
        xmlDoc *doc = NULL;
        ns__xml_problem p;
        if (ns__xml_parse(copy, in.len, &doc, &p) == NS_OK && doc) {
            ns__text t = { { 0 }, 0, 0 };
            ns__markup_text(&t, (xmlNode *)doc);
            if (!t.buf.oom)
                CHECK(utf8_ok(ns__buf_cstr(&t.buf), t.buf.len));
            ns__text_free(&t);
            xmlFreeDoc(doc);
        }
        CHECK(!p.set || (p.msg[0] && !strchr(p.msg, '\n')));
        ns_free(copy);
    }
    ns__buf_free(&in);
    return 0;
}
