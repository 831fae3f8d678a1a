/*
 * test_corpus_warc.c: the WARC reader (corpus/warc.c) on hand-made files
 * (tests/data/warc, built by make_warcs.py): every kind of record, gzip per
 * record and per file, WARC/0.17, Content-Lengths that lie both ways, a cut
 * file, junk between records, non-200 and header-less responses, a record
 * over the size limit, bodies in deflate and brotli, HTML resource
 * records; streaming in bounded memory; the shared WARCs
 * ($NS_SHARED/news/warc) against their SOURCE.md when present.
 */
#include "test_corpus_common.h"

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static const char *
mine(const char *rel)
{
    static char buf[4096];
    const char *d = getenv("NS_TEST_DATA");
    snprintf(buf, sizeof buf, "%s/warc/%s", d ? d : "tests/data", rel);
    return buf;
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *d = malloc((size_t)n + 1);
    assert_non_null(d);
    assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    d[n] = '\0';
    *len = (size_t)n;
    return d;
}

static void
walk_ok(got *g, const char *rel)
{
    g->keep_text = 1;
    assert_int_equal(got_walk(g, mine(rel)), NS_OK);
}

#define UUID(n) "urn:uuid:00000000-0000-4000-8000-0000000000" n

/* good.warc's four articles and no reject (its 301 is passed over),
 * however it is compressed. */
static void
check_good(const got *g)
{
    assert_int_equal(g->na, 4);
    assert_int_equal(g->nr, 0);
    const got_article *a = &g->a[0];
    assert_str(a->format, "warc");
    assert_str(a->id, UUID("03"));
    assert_int_equal(a->record, 3);
    assert_int_equal(a->offset, 578);
    assert_str(a->url, "https://coastal.example/news/harbour-bridge-reopens");
    assert_str(a->title, "Harbour bridge reopens after two years of repairs");
    assert_str(a->date, "2024-03-05T09:30:00+01:00");
    assert_str(a->author, "Ana Lima");
    assert_str(a->source, "The Coastal Times");
    assert_str(a->language, "en-GB");
    assert_non_null(strstr(a->text, "two years after cracks were found"));
    /* Latin-1 declared in the HTTP header only. */
    a = &g->a[1];
    assert_str(a->id, UUID("04"));
    assert_str(a->title, "Caf\xC3\xA9 reopens");
    assert_str(a->source, "coastal.example"); /* the host, page names none */
    assert_null(a->date); /* no page date: the capture date is not one */
    assert_non_null(strstr(a->text, "\xC2\xA3"
                                    "200"));
    /* Chunked and gzip-encoded, windows-1252 in <meta>. */
    a = &g->a[2];
    assert_str(a->id, UUID("07"));
    assert_str(a->title, "Prices rise \xE2\x80\x93 again");
    assert_non_null(strstr(a->text, "\xE2\x82\xAC"
                                    "5 this week"));
    /* A resource record of text/html: the page itself, no HTTP. */
    a = &g->a[3];
    assert_str(a->id, UUID("09"));
    assert_int_equal(a->record, 9);
    assert_str(a->url, "https://coastal.example/news/resource.html");
    assert_str(a->title, "Old site: Market report");
    assert_str(a->source, "coastal.example");
    assert_non_null(strstr(a->text, "Wheat prices fell"));
    /* The 301, the image, request, metadata: passed over. */
}

static void
test_good(void **state)
{
    (void)state;
    const char *files[] = { "good.warc", "good.warc.gz", "whole.warc.gz" };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        got g = { 0 };
        walk_ok(&g, files[i]);
        check_good(&g);
        got_free(&g);
    }
}

static void
test_v017(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "v017.warc");
    assert_int_equal(g.na, 1); /* the dns record is not a page */
    assert_int_equal(g.nr, 0);
    assert_str(g.a[0].url, "http://example.org/market");
    assert_str(g.a[0].title, "Old site: Market report");
    got_free(&g);
}

static void
test_length_too_long(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "long.warc");
    /* Record 2 ran into record 3, which is still read from its start. */
    assert_int_equal(g.na, 2);
    assert_str(g.a[0].id, UUID("01"));
    assert_str(g.a[1].id, UUID("03"));
    assert_int_equal(g.a[1].offset, 3892);
    assert_non_null(strstr(g.a[1].text, "The mountain pass was closed"));
    assert_int_equal(g.nr, 1);
    assert_int_equal(g.r[0].record, 2);
    assert_int_equal(g.r[0].offset, 2550);
    assert_str(g.r[0].reason, "content-length 1384 runs into the next record "
                              "at offset 3892");
    got_free(&g);
}

static void
test_length_too_short(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "short.warc");
    assert_int_equal(g.na, 2);
    assert_str(g.a[0].id, UUID("01"));
    assert_str(g.a[1].id, UUID("03"));
    assert_int_equal(g.nr, 1);
    assert_int_equal(g.r[0].record, 2);
    assert_int_equal(g.r[0].offset, 2550);
    assert_non_null(strstr(g.r[0].reason, "content-length 784 ends inside "
                                          "the record"));
    got_free(&g);
}

static void
test_truncated(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "truncated.warc");
    assert_int_equal(g.na, 1);
    assert_int_equal(g.nr, 1);
    assert_int_equal(g.r[0].record, 2);
    assert_int_equal(g.r[0].offset, 2550);
    assert_str(g.r[0].reason, "truncated record: content-length 1099, only 646 "
                              "bytes left");
    got_free(&g);
}

/* A per-record gzip WARC cut inside its last member, big enough for the cut
 * to lie beyond what libarchive reads ahead at open: good.warc.gz sixty
 * times over (gzip members concatenate), less its last 200 bytes. */
static void
test_truncated_gzip(void **state)
{
    (void)state;
    size_t len;
    char *one = slurp(mine("good.warc.gz"), &len);
    char path[] = "/tmp/ns_test_warc_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    for (int i = 0; i < 60; i++)
        assert_int_equal(write(fd, one, len), (ssize_t)len);
    assert_int_equal(ftruncate(fd, (off_t)(60 * len - 200)), 0);
    close(fd);
    got g = { 0 };
    assert_int_equal(got_walk(&g, path), NS_OK);
    unlink(path);
    free(one);
    /* Every article before the cut arrives: sixty times the four of
     * good.warc.gz less the last, the resource record whose member is
     * cut, then one reject for the cut. */
    assert_int_equal(g.na, 239);
    assert_int_equal(g.nr, 1);
    assert_non_null(strstr(g.r[0].reason, "truncated"));
    got_free(&g);
}

static void
test_garbage(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "garbage.warc");
    assert_int_equal(g.na, 2);
    assert_int_equal(g.nr, 2); /* junk first, junk between */
    assert_int_equal(g.r[0].offset, 0);
    assert_int_equal(g.r[1].offset, 2588);
    assert_non_null(strstr(g.r[1].reason, "outside any warc record"));
    got_free(&g);
}

static void
test_not_pages(void **state)
{
    (void)state;
    got g = { 0 };
    walk_ok(&g, "no-http.warc");
    assert_int_equal(g.na, 0);
    assert_int_equal(g.nr, 1); /* the 404 is passed over */
    assert_str(g.r[0].reason, "response record without an http header");
    got_free(&g);
    memset(&g, 0, sizeof g);
    walk_ok(&g, "huge.warc");
    assert_int_equal(g.na, 1);
    assert_int_equal(g.nr, 1);
    assert_str(g.r[0].reason, "record of 104857600 bytes, over the 64 MiB "
                              "limit");
    got_free(&g);
}

static void
test_sniff(void **state)
{
    (void)state;
    size_t len;
    char *d = slurp(mine("good.warc"), &len);
    got g = { 0 };
    assert_int_equal(got_buffer(&g, "no-extension", d, len), NS_OK);
    assert_int_equal(g.na, 4);
    got_free(&g);
    free(d);
    /* Junk first: still a WARC by its records. */
    d = slurp(mine("garbage.warc"), &len);
    memset(&g, 0, sizeof g);
    assert_int_equal(got_buffer(&g, "x.bin", d, len), NS_OK);
    assert_int_equal(g.na, 2);
    assert_str(g.a[0].format, "warc");
    got_free(&g);
    free(d);
}

/* WARC-Target-URI in <angle brackets> (WARC 1.0 drafts), and a header
 * written "Name:: value". */
static void
test_header_quirks(void **state)
{
    (void)state;
    const char *page = "<html><title>Quirk</title><p>Some text for the "
                       "quirky record, long enough to be a paragraph.</p>"
                       "</html>";
    char http[1024], rec[2048];
    int hn =
        snprintf(http, sizeof http,
                 "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n%s", page);
    int rn = snprintf(rec, sizeof rec,
                      "WARC/1.0\r\nWARC-Type: response\r\n"
                      "WARC-Target-URI:: <http://quirk.example/a>\r\n"
                      "WARC-Record-ID: <urn:uuid:q>\r\n"
                      "Content-Type: application/http;msgtype=response\r\n"
                      "Content-Length: %d\r\n\r\n%s\r\n\r\n",
                      hn, http);
    got g = { 0 };
    assert_int_equal(got_buffer(&g, "q.warc", rec, (size_t)rn), NS_OK);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].url, "http://quirk.example/a");
    assert_str(g.a[0].id, "urn:uuid:q");
    assert_str(g.a[0].title, "Quirk");
    got_free(&g);
}

/* A WARC record of type wtype and Content-Type ctype whose block is
 * head (a C string) then body[0, n), followed by a second, plain
 * article: that one must arrive whatever became of the first. */
static char *
make_record(const char *wtype, const char *ctype, const char *head,
            const void *body, size_t n, size_t *len)
{
    static const char next[] =
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
        "<html><title>Next</title><p>The record after it, read as ever, "
        "with a paragraph of its own.</p></html>";
    size_t hn = strlen(head), cap = hn + n + sizeof next + 1024;
    char *d = malloc(cap);
    assert_non_null(d);
    int k = snprintf(d, cap,
                     "WARC/1.0\r\nWARC-Type: %s\r\n"
                     "WARC-Target-URI: http://enc.example/a\r\n"
                     "WARC-Record-ID: <urn:uuid:e1>\r\n"
                     "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n%s",
                     wtype, ctype, hn + n, head);
    size_t at = (size_t)k;
    memcpy(d + at, body, n);
    at += n;
    k = snprintf(d + at, cap - at,
                 "\r\n\r\nWARC/1.0\r\nWARC-Type: response\r\n"
                 "WARC-Record-ID: <urn:uuid:e2>\r\n"
                 "Content-Type: application/http; msgtype=response\r\n"
                 "Content-Length: %zu\r\n\r\n%s\r\n\r\n",
                 sizeof next - 1, next);
    *len = at + (size_t)k;
    return d;
}

/* An HTTP 200 response of text/html sent with Content-Encoding enc. */
static char *
make_encoded(const char *enc, const void *body, size_t n, size_t *len)
{
    char head[256];
    snprintf(head, sizeof head,
             "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
             "Content-Encoding: %s\r\n\r\n",
             enc);
    return make_record("response", "application/http; msgtype=response",
                       head, body, n, len);
}

static const char enc_page[] =
    "<html><head><title>Ferry back in service</title></head><body>"
    "<p>The harbour ferry returns on Monday after a winter in dry dock, "
    "the port authority said.</p></body></html>";

/* enc_page, brotli-compressed (quality 11, by BrotliEncoderCompress of
 * libbrotlienc 1.0.9; python3 here has no brotli module). */
static const unsigned char enc_page_br[] = {
    0x1b, 0xa9, 0x00, 0x00, 0x44, 0xdd, 0x96, 0xea, 0xe9, 0x0f, 0x51, 0x1e,
    0x6d, 0x36, 0x43, 0x11, 0xa7, 0x08, 0x82, 0x97, 0xb5, 0x41, 0x4d, 0x0e,
    0xd8, 0x7f, 0x7f, 0x0b, 0x22, 0x0e, 0x5f, 0xa2, 0x16, 0xd4, 0x0e, 0x97,
    0xad, 0x17, 0xaf, 0x21, 0x91, 0x4e, 0x9c, 0xa2, 0xa1, 0x2e, 0x2c, 0x9c,
    0xba, 0x48, 0x8d, 0x1e, 0x09, 0x3b, 0x7b, 0x04, 0x37, 0x41, 0x44, 0xf9,
    0xd1, 0x0f, 0xbe, 0x54, 0x6f, 0x31, 0x5f, 0xbc, 0x8e, 0x96, 0x0f, 0x43,
    0x63, 0x5e, 0x93, 0x0d, 0x6c, 0x50, 0x86, 0x9c, 0xd7, 0x89, 0x2b, 0xab,
    0x43, 0x91, 0xff, 0x02, 0x5f, 0x78, 0x2c, 0x03,
};

/* s[0, n) deflated by zlib, with its zlib wrapper (RFC 1950) or raw
 * (RFC 1951, windowBits -15), into out; returns the length. */
static size_t
deflated(const void *s, size_t n, int raw, unsigned char *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, raw ? -15 : 15, 9,
                                  Z_DEFAULT_STRATEGY),
                     Z_OK);
    z.next_in = (Bytef *)(uintptr_t)s;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t len = z.total_out;
    deflateEnd(&z);
    return len;
}

/* What one encoded record and the plain one after it give: the two
 * articles, or a reject for the first (want_reason) and the second. */
static void
check_encoded(const char *enc, const void *body, size_t n,
              const char *want_reason)
{
    size_t len;
    char *d = make_encoded(enc, body, n, &len);
    got g = { 0 };
    g.keep_text = 1;
    assert_int_equal(got_buffer(&g, "enc.warc", d, len), NS_OK);
    free(d);
    if (want_reason) {
        assert_int_equal(g.na, 1);
        assert_int_equal(g.nr, 1);
        assert_int_equal(g.r[0].record, 1);
        assert_str(g.r[0].reason, want_reason);
        assert_str(g.a[0].title, "Next");
    } else {
        assert_int_equal(g.na, 2);
        assert_int_equal(g.nr, 0);
        assert_str(g.a[0].id, "urn:uuid:e1");
        assert_str(g.a[0].title, "Ferry back in service");
        assert_non_null(strstr(g.a[0].text, "winter in dry dock"));
        assert_str(g.a[1].title, "Next");
    }
    got_free(&g);
}

/* Content-Encoding: deflate, as the RFC has it (zlib-wrapped) and as some
 * servers send it (raw deflate); and what does not inflate. */
static void
test_deflate(void **state)
{
    (void)state;
    unsigned char z[1024];
    size_t n = deflated(enc_page, sizeof enc_page - 1, 0, z, sizeof z);
    check_encoded("deflate", z, n, NULL);
    check_encoded("Deflate", z, n, NULL);
    /* Cut short: what it holds is kept, as for gzip. */
    check_encoded("deflate", z, n - 6, NULL);
    n = deflated(enc_page, sizeof enc_page - 1, 1, z, sizeof z);
    check_encoded("deflate", z, n, NULL);
    /* The zlib wrapper with a wrong Adler-32, then not deflate at all. */
    n = deflated(enc_page, sizeof enc_page - 1, 0, z, sizeof z);
    z[n - 1] ^= 0xff;
    check_encoded("deflate", z, n, "deflate content that does not decompress");
    check_encoded("deflate", "\xff\xff\xff\xff plain text", 16,
                  "deflate content that does not decompress");
    check_encoded("deflate", "", 0, "deflate content that does not decompress");
}

/* Content-Encoding: br (Browsertrix and Webrecorder store such bodies). */
static void
test_brotli(void **state)
{
    (void)state;
    check_encoded("br", enc_page_br, sizeof enc_page_br, NULL);
    check_encoded("BR", enc_page_br, sizeof enc_page_br, NULL);
    unsigned char bad[sizeof enc_page_br];
    memcpy(bad, enc_page_br, sizeof bad);
    bad[0] = 0xff; /* a reserved window size */
    check_encoded("br", bad, sizeof bad,
                  "brotli content that does not decompress");
    check_encoded("br", "<html><title>x</title></html>", 29,
                  "brotli content that does not decompress");
    check_encoded("br", "", 0, "brotli content that does not decompress");
    /* Other codings are still named. */
    check_encoded("compress", enc_page_br, sizeof enc_page_br,
                  "unsupported content-encoding compress");
}

/* A body that inflates past the record limit is rejected, not kept. */
static void
test_deflate_bomb(void **state)
{
    (void)state;
    size_t big = ((size_t)64 << 20) + 1;
    unsigned char *zeros = calloc(1, big);
    size_t cap = big / 500;
    unsigned char *z = malloc(cap);
    assert_non_null(zeros);
    assert_non_null(z);
    size_t n = deflated(zeros, big, 0, z, cap);
    free(zeros);
    check_encoded("deflate", z, n,
                  "deflate content over 64 MiB once decompressed");
    free(z);
}

/* A resource record of HTML is the page itself (no HTTP header), in the
 * charset its Content-Type names; other resources are passed over. */
static void
test_resource(void **state)
{
    (void)state;
    static const char latin1[] =
        "<html><title>Caf\xE9 reopens</title><p>The caf\xE9 by the harbour "
        "reopens with a new terrace and the old menu.</p></html>";
    size_t len;
    char *d = make_record("resource", "text/html; charset=ISO-8859-1", "",
                          latin1, sizeof latin1 - 1, &len);
    got g = { 0 };
    g.keep_text = 1;
    assert_int_equal(got_buffer(&g, "res.warc", d, len), NS_OK);
    free(d);
    assert_int_equal(g.na, 2);
    assert_int_equal(g.nr, 0);
    assert_str(g.a[0].id, "urn:uuid:e1");
    assert_str(g.a[0].url, "http://enc.example/a");
    assert_str(g.a[0].source, "enc.example");
    assert_str(g.a[0].title, "Caf\xC3\xA9 reopens");
    assert_non_null(strstr(g.a[0].text, "caf\xC3\xA9 by the harbour"));
    got_free(&g);

    /* wget's log, a script: not pages. */
    const char *types[] = { "text/plain", "application/javascript" };
    for (size_t i = 0; i < 2; i++) {
        d = make_record("resource", types[i], "", enc_page,
                        sizeof enc_page - 1, &len);
        memset(&g, 0, sizeof g);
        assert_int_equal(got_buffer(&g, "res.warc", d, len), NS_OK);
        free(d);
        assert_int_equal(g.na, 1);
        assert_int_equal(g.nr, 0);
        assert_str(g.a[0].title, "Next");
        got_free(&g);
    }

    /* An HTML resource with nothing in it: rejected as a page would be. */
    d = make_record("resource", "text/html", "", "<html></html>", 13, &len);
    memset(&g, 0, sizeof g);
    assert_int_equal(got_buffer(&g, "res.warc", d, len), NS_OK);
    free(d);
    assert_int_equal(g.na, 1);
    assert_int_equal(g.nr, 1);
    assert_str(g.r[0].reason, "no article text in the page");
    got_free(&g);
}

/* Common Crawl's WET files: conversion records of text/plain, the title
 * on the first line; an empty one is rejected, other conversions are
 * passed over. */
static void
test_conversion(void **state)
{
    (void)state;
    static const char wet[] =
        "\r\nSnow blankets the plains\r\nHeavy snow fell across the plains "
        "and closed schools.\r\nPlows worked through the night.\r\n";
    size_t len;
    char *d =
        make_record("conversion", "text/plain", "", wet, sizeof wet - 1, &len);
    got g = { 0 };
    g.keep_text = 1;
    assert_int_equal(got_buffer(&g, "cc.warc.wet", d, len), NS_OK);
    free(d);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 2);
    assert_str(g.a[0].id, "urn:uuid:e1");
    assert_str(g.a[0].url, "http://enc.example/a");
    assert_str(g.a[0].source, "enc.example");
    assert_str(g.a[0].title, "Snow blankets the plains");
    assert_null(g.a[0].date);
    assert_str(g.a[0].text, "Heavy snow fell across the plains and closed "
                            "schools.\r\nPlows worked through the night.\r\n");
    assert_str(g.a[1].title, "Next");
    got_free(&g);

    d = make_record("conversion", "text/plain", "", "\r\n\r\n", 4, &len);
    memset(&g, 0, sizeof g);
    assert_int_equal(got_buffer(&g, "cc.warc.wet", d, len), NS_OK);
    free(d);
    assert_int_equal(g.na, 1);
    assert_int_equal(g.nr, 1);
    assert_int_equal(g.r[0].record, 1);
    assert_str(g.r[0].reason, "conversion record without text");
    got_free(&g);

    d = make_record("conversion", "application/pdf", "", "%PDF", 4, &len);
    memset(&g, 0, sizeof g);
    assert_int_equal(got_buffer(&g, "cc.warc", d, len), NS_OK);
    free(d);
    assert_int_equal(g.na, 1);
    assert_int_equal(g.nr, 0);
    got_free(&g);
}

/* WET's WARC-Identified-Content-Language gives ISO 639-3 codes, the most
 * of the page first: the first, as the ISO 639-1 code the other readers
 * give; a code with no 2-letter one as given; no code, no language. */
static void
test_wet_language(void **state)
{
    (void)state;
    got g = { 0 };
    g.keep_text = 1;
    assert_int_equal(got_walk(&g, mine("wet-languages.warc.wet")), NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 6);
    assert_str(g.a[0].title, "Harbour wall repaired");
    assert_str(g.a[0].language, "en");  /* eng */
    assert_str(g.a[1].language, "de");  /* deu,eng */
    assert_str(g.a[2].language, "yue"); /* Cantonese: no 639-1 code */
    assert_null(g.a[3].language);       /* no header */
    assert_null(g.a[4].language);       /* "e-g!" */
    assert_str(g.a[5].language, "es");  /* SPA */
    got_free(&g);
}

#if defined(__SANITIZE_ADDRESS__)
#define NS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NS_ASAN 1
#endif
#endif

#ifndef NS_ASAN
static long
max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int
count_article(const ns_article *a, const ns__where *w, void *payload)
{
    (void)a;
    (void)w;
    ++*(size_t *)payload;
    return 0;
}
#endif

/* A 64 MiB WARC read record by record: the memory high-water mark grows by
 * far less than the file.  (Not under ASan, whose quarantine holds freed
 * memory on purpose.) */
static void
test_streaming(void **state)
{
    (void)state;
#ifdef NS_ASAN
    skip();
#else
    size_t len;
    char *one = slurp(mine("good.warc"), &len);
    char path[] = "/tmp/ns_test_warc_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t copies = ((size_t)64 << 20) / len;
    for (size_t i = 0; i < copies; i++)
        assert_int_equal(write(fd, one, len), (ssize_t)len);
    close(fd);
    free(one);
    size_t articles = 0;
    ns__corpus_sink sink = { NULL, count_article, NULL, NULL, &articles, NULL };
    long before = max_rss_kb();
    assert_int_equal(ns__corpus_walk(path, &sink), NS_OK);
    long grew = max_rss_kb() - before;
    unlink(path);
    assert_int_equal(articles, 4 * copies);
    assert_true(grew < 16 * 1024);
    print_message("64 MiB WARC: max RSS grew by %ld KiB\n", grew);
#endif
}

/* Every allocation of reading d[0, len) failed in turn: out of memory
 * or done, never a crash or a leak. */
static void
oom_each(const char *name, const char *d, size_t len)
{
    for (uint64_t n = 1;; n++) {
        got g = { 0 };
        ns__alloc_fail_after(n);
        ns_status st = got_buffer(&g, name, d, len);
        uint64_t made = ns__alloc_fail_after(0);
        assert_true(st == NS_OK || st == NS_ERR_NOMEM);
        int done = made < n;
        if (done)
            assert_int_equal(st, NS_OK);
        got_free(&g);
        if (done)
            break;
    }
}

static void
test_oom(void **state)
{
    (void)state;
    const char *files[] = { "good.warc", "long.warc", "garbage.warc" };
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        size_t len;
        char *d = slurp(mine(files[f]), &len);
        oom_each(files[f], d, len);
        free(d);
    }
    /* The deflate and brotli decoders' allocations. */
    unsigned char z[1024];
    size_t zn = deflated(enc_page, sizeof enc_page - 1, 1, z, sizeof z);
    size_t len;
    char *d = make_encoded("deflate", z, zn, &len);
    oom_each("deflate.warc", d, len);
    free(d);
    d = make_encoded("br", enc_page_br, sizeof enc_page_br, &len);
    oom_each("br.warc", d, len);
    free(d);
}

/* ------------------------------------------------------------------------ */
/* The shared WARCs                                                          */

static void
test_shared_news_pages(void **state)
{
    (void)state;
    const char *p = shared_path("news/warc/news-pages-en.warc.gz");
    if (!p)
        skip();
    char path[4096];
    snprintf(path, sizeof path, "%s", p);
    got g = { 0 };
    g.keep_text = 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(got_walk(&g, path), NS_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) +
                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    /* SOURCE.md: 79 news articles from 57 sites. */
    assert_int_equal(g.na, 79);
    assert_int_equal(g.nr, 0);
    const got_article *a = &g.a[0];
    assert_str(a->id, "urn:uuid:0aefe18c-baa0-53b7-b449-92156fa227cc");
    assert_int_equal(a->record, 3);
    assert_int_equal(a->offset, 1222);
    assert_str(a->url, "https://apnews.com/article/mexico-economy-growth-"
                       "3cc842471fb9df42315d658d88c8403a");
    assert_str(a->title, "Mexico's economy grew 1.1% in 1st quarter, 3.8% "
                         "year on year");
    assert_str(a->date, "2023-04-28T17:40:08Z");
    assert_str(a->source, "AP NEWS");
    for (size_t i = 0; i < g.na; i++) {
        assert_non_null(g.a[i].title);
        assert_non_null(g.a[i].date);
        assert_true(g.a[i].text_len >= 900);
        assert_true(ns__utf8_valid(g.a[i].text, g.a[i].text_len));
        assert_non_null(strstr(g.a[i].id, "urn:uuid:"));
    }
    print_message("news-pages-en: %zu articles, %.1f MB of text in %.2f s\n",
                  g.na, (double)g.text_bytes / 1e6, secs);
    got_free(&g);
}

static void
test_shared_crawls(void **state)
{
    (void)state;
    struct {
        const char *file;
        size_t articles, rejects;
    } c[] = {
        /* WARC/0.17 from Heritrix 1.14: dns, robots.txt, images, pages. */
        { "news/warc/ukwa-IAH-20080430204825-00000-blackbook-truncated.warc.gz",
          2, 0 },
        /* wget: nine 301/302 redirects, passed over. */
        { "news/warc/ukwa-IAH-urls-wget.warc.gz", 2, 0 },
        { "news/warc/ukwa-post-blackout.warc.gz", 1, 0 },
    };
    int any = 0;
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        const char *p = shared_path(c[i].file);
        if (!p)
            continue;
        any = 1;
        char path[4096];
        snprintf(path, sizeof path, "%s", p);
        got g = { 0 };
        assert_int_equal(got_walk(&g, path), NS_OK);
        assert_int_equal(g.na, c[i].articles);
        assert_int_equal(g.nr, c[i].rejects);
        got_free(&g);
    }
    if (!any)
        skip();
}

int
main(void)
{
    (void)data_path;
    (void)got_string;
    (void)got_find;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_v017),
        cmocka_unit_test(test_length_too_long),
        cmocka_unit_test(test_length_too_short),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_truncated_gzip),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_not_pages),
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_header_quirks),
        cmocka_unit_test(test_deflate),
        cmocka_unit_test(test_brotli),
        cmocka_unit_test(test_deflate_bomb),
        cmocka_unit_test(test_resource),
        cmocka_unit_test(test_conversion),
        cmocka_unit_test(test_wet_language),
        cmocka_unit_test(test_streaming),
        cmocka_unit_test(test_oom),
        cmocka_unit_test(test_shared_news_pages),
        cmocka_unit_test(test_shared_crawls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
