/*
 * test_corpus_walk.c: the walk itself and every kind of bad input: missing
 * paths, sorted directories with hidden entries, archives (labels, hidden
 * and nested members), compressed files, empty files, binary junk,
 * truncated gzip, xz, bzip2 and zstd (files and archive members), unreadable
 * paths, symlink loops, callbacks that stop the walk, out-of-memory, and
 * the UTF-8 helpers.
 */
#include "test_corpus_common.h"

#include <archive.h>
#include <archive_entry.h>
#include <bzlib.h>
#include <lzma.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

static const got_reject *
find_reject(const got *g, const char *file_suffix)
{
    size_t k = strlen(file_suffix);
    for (size_t i = 0; i < g->nr; i++) {
        size_t n = strlen(g->r[i].file);
        if (n >= k && strcmp(g->r[i].file + n - k, file_suffix) == 0)
            return &g->r[i];
    }
    return NULL;
}

static void
test_missing_path(void **state)
{
    (void)state;
    got g = { 0 };
    assert_int_equal(got_walk(&g, "/nonexistent/nsearch-corpus"),
                     NS_ERR_NOT_FOUND);
    assert_int_equal(g.na, 0);
    assert_int_equal(g.nr, 1);
    assert_str(g.r[0].file, "/nonexistent/nsearch-corpus");
    assert_str(g.r[0].reason, "no such file or directory");
    assert_int_equal(g.files_begun, 0);
    got_free(&g);
    ns__corpus_sink s = t_sink(&g);
    assert_int_equal(ns__corpus_walk(NULL, &s), NS_ERR_INVALID_ARG);
}

static void
test_tree_order_hidden(void **state)
{
    (void)state;
    got g = { 0 };
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", data_path("tree"));
    assert_int_equal(got_walk(&g, dir), NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 3);
    assert_int_equal(g.files_begun, 3);
    assert_int_equal(g.files_ended, 3);
    assert_str(g.a[0].title, "Tree A");
    assert_str(g.a[1].title, "Tree B");
    assert_str(g.a[2].title, "Tree C");
    char want[4300];
    snprintf(want, sizeof want, "%s/sub/c.txt", dir);
    assert_str(g.a[2].file, want);
    got_free(&g);

    /* a trailing slash makes no double slash */
    memset(&g, 0, sizeof g);
    strcat(dir, "/");
    assert_int_equal(got_walk(&g, dir), NS_OK);
    assert_int_equal(g.na, 3);
    assert_str(g.a[2].file, want);
    got_free(&g);
}

static void
test_archive_members(void **state)
{
    (void)state;
    got g = { 0 };
    char path[4200];
    snprintf(path, sizeof path, "%s", data_path("archive/mixed.tar.gz"));
    assert_int_equal(got_walk(&g, path), NS_OK);
    assert_int_equal(g.files_begun, 1); /* one top-level file */
    assert_int_equal(g.files_incomplete, 0);
    assert_int_equal(g.na, 4); /* hidden members skipped */
    char want[4400];
    snprintf(want, sizeof want, "%s:a/one.jsonl", path);
    assert_str(g.a[0].file, want);
    assert_str(g.a[0].id, "m1");
    assert_int_equal(g.a[1].record, 2);
    snprintf(want, sizeof want, "%s:b/story.txt#1", path);
    assert_str(g.a[2].id, want);
    /* an archive inside the archive, read without touching the disk */
    snprintf(want, sizeof want, "%s:c/inner.tar.gz:deep.txt", path);
    assert_str(g.a[3].file, want);
    assert_str(g.a[3].title, "Deep Inside");
    assert_int_equal(g.nr, 2);
    const got_reject *r = find_reject(&g, ":d/junk.bin");
    assert_non_null(r);
    assert_str(r->reason, "unrecognized format (binary data)");
    r = find_reject(&g, ":e/empty.txt");
    assert_non_null(r);
    assert_str(r->reason, "empty file");
    got_free(&g);

    memset(&g, 0, sizeof g);
    snprintf(path, sizeof path, "%s", data_path("archive/articles.zip"));
    assert_int_equal(got_walk(&g, path), NS_OK);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 2);
    snprintf(want, sizeof want, "%s:z/two.jsonl", path);
    assert_str(g.a[0].file, want);
    assert_str(g.a[1].title, "Zip Story");
    got_free(&g);
}

static void
test_compressed(void **state)
{
    (void)state;
    static const char *const names[] = { "archive/one.jsonl.gz",
                                         "archive/one.jsonl.xz",
                                         "archive/one.jsonl.bz2",
                                         "archive/one.jsonl.zst" };
    for (size_t i = 0; i < 4; i++) {
        got g = { 0 };
        char path[4200];
        snprintf(path, sizeof path, "%s", data_path(names[i]));
        assert_int_equal(got_walk(&g, path), NS_OK);
        assert_int_equal(g.nr, 0);
        assert_int_equal(g.na, 1);
        assert_str(g.a[0].file, path); /* a single stream: no member */
        assert_str(g.a[0].format, "jsonl");
        assert_str(g.a[0].id, "c1");
        got_free(&g);
    }
}

static void
test_empty_and_junk(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        const char *reason;
    } cases[] = {
        { "broken/empty.txt", "empty file" },
        { "broken/empty.gz", "empty file" },
        { "broken/junk.bin", "unrecognized format (binary data)" },
        /* not one page of HTML, as its <html> made it look */
        { "broken/old.arc", "unrecognized format (an ARC web archive: "
                            "convert it to WARC first)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        got g = { 0 };
        char path[4200];
        snprintf(path, sizeof path, "%s", data_path(cases[i].file));
        assert_int_equal(got_walk(&g, path), NS_OK);
        assert_int_equal(g.na, 0);
        assert_int_equal(g.nr, 1);
        assert_str(g.r[0].file, path);
        assert_str(g.r[0].reason, cases[i].reason);
        assert_int_equal(g.files_ended, 1);
        got_free(&g);
    }
    got g = { 0 };
    /* XML that is no news format: its first element is named. */
    assert_int_equal(got_string(&g, "frag.xml",
                                "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n"
                                "<!-- a > b --><!DOCTYPE x>\n"
                                "<contentMeta><located/></contentMeta>\n"),
                     NS_OK);
    assert_int_equal(g.nr, 1);
    assert_str(g.r[0].reason, "unrecognized format (markup whose first "
                              "element <contentMeta> is no news format)");
    got_free(&g);
    memset(&g, 0, sizeof g);
    assert_int_equal(got_buffer(&g, "junk", "\x01\x02\x00\xff", 4), NS_OK);
    assert_int_equal(g.nr, 1);
    assert_str(g.r[0].file, "junk");
    assert_int_equal(got_buffer(&g, "nothing", "", 0), NS_OK);
    assert_int_equal(g.nr, 2);
    assert_str(g.r[1].reason, "empty file");
    got_free(&g);
}

/* A file of NUL bytes, of any size, is rejected as binary data: whether
 * libarchive's tar takes its first block for an end of archive (512 bytes
 * and more) or the sniff sees it (less). */
static void
test_nul_bytes(void **state)
{
    (void)state;
    static const size_t sizes[] = { 1, 511, 512, 4096, 1u << 20 };
    char *zeros = calloc(1, 1u << 20);
    assert_non_null(zeros);
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        char path[] = "/tmp/ns_test_zeros_XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, zeros, sizes[i]), (ssize_t)sizes[i]);
        close(fd);
        got g = { 0 };
        assert_int_equal(got_walk(&g, path), NS_OK);
        unlink(path);
        assert_int_equal(g.na, 0);
        assert_int_equal(g.nr, 1);
        assert_str(g.r[0].file, path);
        assert_non_null(strstr(g.r[0].reason, "binary data"));
        assert_int_equal(g.files_ended, 1);
        got_free(&g);
    }
    free(zeros);
}

static void
test_truncated(void **state)
{
    (void)state;
    got g = { 0 };
    char path[4200];
    snprintf(path, sizeof path, "%s", data_path("broken/truncated.jsonl.gz"));
    assert_int_equal(got_walk(&g, path), NS_OK);
    /* Every complete line before the cut is delivered (zcat shows 494),
     * then one reject names the decoded offset where the data stops and
     * the byte of the file where the compressed stream is cut. */
    assert_int_equal(g.na, 494);
    assert_str(g.a[493].id, "t494");
    assert_int_equal(g.nr, 1);
    assert_str(g.r[0].file, path);
    assert_str(g.r[0].format, "jsonl");
    assert_int_equal(g.r[0].offset, 239027); /* zcat | wc -c */
    assert_str(g.r[0].reason,
               "truncated or corrupt data: gzip data cut short: the file "
               "ends at byte 30361 inside a compressed stream");
    assert_int_equal(g.files_incomplete, 1);
    got_free(&g);

    memset(&g, 0, sizeof g);
    snprintf(path, sizeof path, "%s", data_path("broken/truncated.tar.xz"));
    assert_int_equal(got_walk(&g, path), NS_OK);
    assert_int_equal(g.na, 3);
    assert_str(g.a[2].title, "Member 3");
    assert_int_equal(g.nr, 1);
    char want[4300];
    snprintf(want, sizeof want, "%s:m4.txt", path);
    assert_str(g.r[0].file, want);
    assert_non_null(strstr(g.r[0].reason, "truncated or corrupt data"));
    assert_int_equal(g.files_incomplete, 1);
    got_free(&g);
}

/* ------------------------------------------------------------------------ */
/* Compressed files cut anywhere: every complete article before the cut    */

/* n JSON lines of varied words (so that they do not compress to nothing). */
static char *
make_lines(size_t n, size_t *len)
{
    static const char *const words[] = { "harbour", "wheat", "talks",
                                         "airbase", "prices", "council",
                                         "storm", "ferry", "budget",
                                         "election" };
    ns_buf b = { 0 };
    uint32_t x = 12345;
    for (size_t i = 1; i <= n; i++) {
        ns__buf_printf(&b, "{\"id\": \"c%zu\", \"title\": \"Line %zu\", "
                       "\"text\": \"", i, i);
        for (int k = 0; k < 40; k++) {
            x = x * 1103515245u + 12345u;
            ns__buf_printf(&b, "%s%s", k ? " " : "", words[(x >> 16) % 10]);
        }
        ns__buf_puts(&b, "\"}\n");
    }
    assert_false(b.oom);
    *len = b.len;
    return ns__buf_detach(&b);
}

static unsigned char *
gzip_bytes(const char *s, size_t n, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
                                  Z_DEFAULT_STRATEGY),
                     Z_OK);
    size_t cap = deflateBound(&z, (uLong)n);
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    z.next_in = (unsigned char *)(uintptr_t)s;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

static unsigned char *
xz_bytes(const char *s, size_t n, size_t *out_len)
{
    size_t cap = lzma_stream_buffer_bound(n), pos = 0;
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL,
                                             (const uint8_t *)s, n, out, &pos,
                                             cap),
                     LZMA_OK);
    *out_len = pos;
    return out;
}

/* bzip2 with 100 kB blocks: a few blocks for the test's lines. */
static unsigned char *
bzip2_bytes(const char *s, size_t n, size_t *out_len)
{
    unsigned cap = (unsigned)(n + n / 100 + 600);
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    assert_int_equal(BZ2_bzBuffToBuffCompress((char *)out, &cap,
                                              (char *)(uintptr_t)s,
                                              (unsigned)n, 1, 0, 0),
                     BZ_OK);
    *out_len = cap;
    return out;
}

/* zstd as its command line writes it (a checksum), with a 16 KiB window:
 * blocks of at most 16 KiB, many for the test's lines. */
static unsigned char *
zstd_bytes(const char *s, size_t n, size_t *out_len)
{
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    assert_non_null(cc);
    assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1)));
    assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_windowLog, 14)));
    size_t cap = ZSTD_compressBound(n);
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    size_t r = ZSTD_compress2(cc, out, cap, s, n);
    assert_false(ZSTD_isError(r));
    ZSTD_freeCCtx(cc);
    *out_len = r;
    return out;
}

enum { K_GZIP, K_XZ, K_BZIP2, K_ZSTD, K_N };
static const char *const kind_names[K_N] = { "gzip", "xz", "bzip2", "zstd" };

static unsigned char *
packed_bytes(int kind, const char *s, size_t n, size_t *out_len)
{
    return kind == K_GZIP ? gzip_bytes(s, n, out_len) :
           kind == K_XZ   ? xz_bytes(s, n, out_len) :
           kind == K_ZSTD ? zstd_bytes(s, n, out_len) :
                            bzip2_bytes(s, n, out_len);
}

/* How many bytes a reference decoder gets from the first cut bytes of a
 * compressed stream (zlib, liblzma or libbz2, fed all of it at once). */
static size_t
decodable(int kind, const unsigned char *data, size_t cut, size_t plain_len)
{
    unsigned char *out = malloc(plain_len + 1);
    assert_non_null(out);
    size_t got_len;
    if (kind == K_BZIP2) {
        bz_stream b;
        memset(&b, 0, sizeof b);
        assert_int_equal(BZ2_bzDecompressInit(&b, 0, 0), BZ_OK);
        b.next_in = (char *)(uintptr_t)data;
        b.avail_in = (unsigned)cut;
        b.next_out = (char *)out;
        b.avail_out = (unsigned)plain_len + 1;
        int r = BZ2_bzDecompress(&b);
        assert_true(r == BZ_OK || r == BZ_STREAM_END);
        got_len = plain_len + 1 - b.avail_out;
        BZ2_bzDecompressEnd(&b);
    } else if (kind == K_ZSTD) {
        ZSTD_DStream *d = ZSTD_createDStream();
        assert_non_null(d);
        ZSTD_inBuffer in = { data, cut, 0 };
        ZSTD_outBuffer o = { out, plain_len + 1, 0 };
        size_t r;
        do {
            size_t before = o.pos;
            r = ZSTD_decompressStream(d, &o, &in);
            assert_false(ZSTD_isError(r));
            if (o.pos == before && in.pos == in.size)
                break;
        } while (r != 0);
        got_len = o.pos;
        ZSTD_freeDStream(d);
    } else if (kind == K_GZIP) {
        z_stream z;
        memset(&z, 0, sizeof z);
        assert_int_equal(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
        z.next_in = (unsigned char *)(uintptr_t)data;
        z.avail_in = (uInt)cut;
        z.next_out = out;
        z.avail_out = (uInt)plain_len + 1;
        int r = inflate(&z, Z_SYNC_FLUSH);
        assert_true(r == Z_OK || r == Z_STREAM_END);
        got_len = plain_len + 1 - z.avail_out;
        inflateEnd(&z);
    } else {
        lzma_stream x = LZMA_STREAM_INIT;
        assert_int_equal(lzma_stream_decoder(&x, UINT64_MAX, 0), LZMA_OK);
        x.next_in = data;
        x.avail_in = cut;
        x.next_out = out;
        x.avail_out = plain_len + 1;
        lzma_ret r = lzma_code(&x, LZMA_RUN);
        assert_true(r == LZMA_OK || r == LZMA_STREAM_END);
        got_len = plain_len + 1 - x.avail_out;
        lzma_end(&x);
    }
    free(out);
    return got_len;
}

static size_t
count_lines(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == '\n';
    return k;
}

static void
write_temp(char *path, const void *data, size_t n)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
}

static void
test_truncated_anywhere(void **state)
{
    (void)state;
    size_t plain_len;
    char *plain = make_lines(3000, &plain_len);
    for (int kind = 0; kind < K_N; kind++) {
        size_t clen;
        unsigned char *c = packed_bytes(kind, plain, plain_len, &clen);
        static const double at[] = { 0.05, 0.31, 0.5, 0.77, 0.999 };
        for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
            size_t cut = (size_t)(at[i] * (double)clen);
            size_t want = count_lines(plain,
                                      decodable(kind, c, cut, plain_len));
            /* bzip2 decodes whole blocks only: the cuts after the first
             * block must still give lines. */
            if (kind == K_BZIP2 && at[i] > 0.3)
                assert_true(want > 0);
            char path[] = "/tmp/ns_test_cut_XXXXXX";
            write_temp(path, c, cut);
            got g = { 0 };
            assert_int_equal(got_walk(&g, path), NS_OK);
            unlink(path);
            /* every complete line the data before the cut holds */
            assert_int_equal(g.na, want);
            if (want) {
                char id[32];
                snprintf(id, sizeof id, "c%zu", want);
                assert_str(g.a[want - 1].id, id);
            }
            assert_int_equal(g.nr, 1);
            assert_str(g.r[0].file, path);
            char why[128];
            snprintf(why, sizeof why, "%s data cut short: the file ends at "
                     "byte %zu inside", kind_names[kind], cut);
            assert_non_null(strstr(g.r[0].reason, why));
            assert_int_equal(g.files_incomplete, 1);
            got_free(&g);
        }

        /* A byte changed in the middle: corrupt data, reported last (the
         * lines decoded wrong before a check catches it may be rejected
         * as bad JSON on the way). */
        c[clen / 2] ^= 0x55;
        char path[] = "/tmp/ns_test_bad_XXXXXX";
        write_temp(path, c, clen);
        got g = { 0 };
        assert_int_equal(got_walk(&g, path), NS_OK);
        unlink(path);
        assert_true(g.na < 3000);
        assert_true(g.nr >= 1);
        char corrupt[64];
        snprintf(corrupt, sizeof corrupt,
                 kind == K_ZSTD ? "corrupt %s data in the frame at byte"
                                : "corrupt %s data at byte",
                 kind_names[kind]);
        assert_non_null(strstr(g.r[g.nr - 1].reason, corrupt));
        assert_int_equal(g.files_incomplete, 1);
        got_free(&g);
        free(c);
    }

    /* Two gzip members, then bytes that start no member: both members'
     * lines, and the tail ignored as gzip itself does. */
    size_t l1, l2;
    unsigned char *m1 = gzip_bytes(plain, plain_len / 2, &l1);
    unsigned char *m2 = gzip_bytes(plain + plain_len / 2,
                                   plain_len - plain_len / 2, &l2);
    unsigned char *both = malloc(l1 + l2 + 5);
    assert_non_null(both);
    memcpy(both, m1, l1);
    memcpy(both + l1, m2, l2);
    memcpy(both + l1 + l2, "junk\n", 5);
    char path[] = "/tmp/ns_test_two_XXXXXX";
    write_temp(path, both, l1 + l2 + 5);
    got g = { 0 };
    assert_int_equal(got_walk(&g, path), NS_OK);
    unlink(path);
    assert_int_equal(g.nr, 0);
    assert_int_equal(g.na, 3000);
    assert_int_equal(g.files_incomplete, 0);
    got_free(&g);
    free(both);
    free(m1);
    free(m2);
    free(plain);
}

/* gzip of s[0, n) with every optional header field zlib writes (extra,
 * name, comment, header CRC). */
static unsigned char *
gzip_bytes_fields(const char *s, size_t n, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
                                  Z_DEFAULT_STRATEGY),
                     Z_OK);
    static unsigned char extra[] = "XY\4\0abcd", name[] = "lines.jsonl",
                         comment[] = "a comment";
    gz_header h;
    memset(&h, 0, sizeof h);
    h.extra = extra;
    h.extra_len = 8;
    h.name = name;
    h.comment = comment;
    h.hcrc = 1;
    assert_int_equal(deflateSetHeader(&z, &h), Z_OK);
    size_t cap = deflateBound(&z, (uLong)n) + 64;
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    z.next_in = (unsigned char *)(uintptr_t)s;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

/* Walk the n bytes d as a file: the lines delivered, and the one reject's
 * reason (or "" when none) in why. */
static size_t
walk_bytes(const unsigned char *d, size_t n, char *why, size_t cap)
{
    char path[] = "/tmp/ns_test_gz_XXXXXX";
    write_temp(path, d, n);
    got g = { 0 };
    assert_int_equal(got_walk(&g, path), NS_OK);
    unlink(path);
    assert_true(g.nr <= 1);
    why[0] = '\0';
    if (g.nr) {
        assert_str(g.r[0].file, path);
        snprintf(why, cap, "%s", g.r[0].reason);
    }
    size_t na = g.na;
    got_free(&g);
    return na;
}

/*
 * What the gzip decoder checks, as zlib did: the optional header fields
 * (read past), the header's CRC, the flag bits gzip reserves, and each
 * member's trailer (the CRC-32 and the length of its data): a wrong one
 * is an error naming the file and the byte after the trailer, once every
 * line of the member is delivered.
 */
static void
test_gzip_checks(void **state)
{
    (void)state;
    size_t plain_len, l1, l2;
    char *plain = make_lines(300, &plain_len);
    unsigned char *m1 = gzip_bytes(plain, plain_len / 2, &l1);
    unsigned char *m2 = gzip_bytes_fields(plain + plain_len / 2,
                                          plain_len - plain_len / 2, &l2);
    unsigned char *d = malloc(l1 + l2);
    assert_non_null(d);
    memcpy(d, m1, l1);
    memcpy(d + l1, m2, l2);
    size_t n1 = count_lines(plain, plain_len / 2);
    assert_true(n1 > 100 && n1 < 200);
    char why[512], want[128];

    /* Whole: both members, the second with every header field. */
    assert_int_equal(walk_bytes(d, l1 + l2, why, sizeof why), 300);
    assert_int_equal(why[0], '\0');

    /* A wrong CRC, then a wrong length, in the second member's trailer. */
    static const size_t back[] = { 8, 4 };
    for (size_t i = 0; i < 2; i++) {
        d[l1 + l2 - back[i]] ^= 0x01;
        assert_int_equal(walk_bytes(d, l1 + l2, why, sizeof why), 300);
        snprintf(want, sizeof want,
                 "corrupt gzip data at byte %zu: incorrect data check",
                 l1 + l2);
        assert_non_null(strstr(why, want));
        d[l1 + l2 - back[i]] ^= 0x01;
    }

    /* The first member's CRC wrong: its lines, then the error (the
     * second member is not read). */
    d[l1 - 8] ^= 0x80;
    assert_int_equal(walk_bytes(d, l1 + l2, why, sizeof why), n1);
    snprintf(want, sizeof want,
             "corrupt gzip data at byte %zu: incorrect data check", l1);
    assert_non_null(strstr(why, want));
    d[l1 - 8] ^= 0x80;

    /* The second member's header CRC wrong (the last two header bytes,
     * before the deflate data: find them as the bytes after the comment's
     * NUL). */
    unsigned char *c = memchr(d + l1 + 10 + 2 + 8 + 12, '\0', 16);
    assert_non_null(c);
    c[1] ^= 0x01;
    assert_int_equal(walk_bytes(d, l1 + l2, why, sizeof why), n1);
    assert_non_null(strstr(why, "corrupt gzip data at byte"));
    assert_non_null(strstr(why, "header crc mismatch"));
    c[1] ^= 0x01;

    /* A flag bit gzip reserves, in the second member's header. */
    d[l1 + 3] |= 0x20;
    assert_int_equal(walk_bytes(d, l1 + l2, why, sizeof why), n1);
    snprintf(want, sizeof want,
             "corrupt gzip data at byte %zu: unknown header flags set",
             l1 + 3);
    assert_non_null(strstr(why, want));
    d[l1 + 3] &= (unsigned char)~0x20;

    /* A compression method other than deflate. */
    d[l1 + 2] = 7;
    assert_int_equal(walk_bytes(d, l1 + l2, why, sizeof why), n1);
    assert_non_null(strstr(why, "unknown compression method"));
    d[l1 + 2] = 8;

    assert_int_equal(walk_bytes(d, l1 + l2, why, sizeof why), 300);
    assert_int_equal(why[0], '\0');
    free(d);
    free(m1);
    free(m2);
    free(plain);
}

/* A scratch directory with the links and modes the repository cannot
 * hold; removed by rm -rf at the end. */
static char scratch[256];


/* An archive (tar or zip) in memory with the members name[i] = data[i]. */
static void *
archive_bytes(int zip,
              const char *const *name,
              const unsigned char *const *data,
              const size_t *len,
              size_t n,
              size_t *out_len)
{
    size_t cap = 1 << 20;
    for (size_t i = 0; i < n; i++)
        cap += len[i] + 1024;
    void *out = malloc(cap);
    assert_non_null(out);
    struct archive *a = archive_write_new();
    assert_non_null(a);
    assert_int_equal(zip ? archive_write_set_format_zip(a) :
                           archive_write_set_format_ustar(a),
                     ARCHIVE_OK);
    size_t used = 0;
    assert_int_equal(archive_write_open_memory(a, out, cap, &used),
                     ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, name[i]);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)len[i]);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        assert_int_equal(archive_write_data(a, data[i], len[i]),
                         (la_ssize_t)len[i]);
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    *out_len = used;
    return out;
}

/*
 * A compressed member of an archive (a .gz in a .tar or .zip) cut short:
 * every complete line before the cut, one reject naming the member and
 * the byte of the member, and the members after it are read.
 */
static void
test_truncated_members(void **state)
{
    (void)state;
    size_t plain_len, tail_len;
    char *plain = make_lines(3000, &plain_len);
    char *tail = make_lines(10, &tail_len);
    static const char *const ext[K_N] = { "gz", "xz", "bz2", "zst" };
    for (int zip = 0; zip < 2; zip++) {
        for (int kind = 0; kind < K_N; kind++) {
            size_t clen;
            unsigned char *c = packed_bytes(kind, plain, plain_len, &clen);
            static const double at[] = { 0.31, 0.77 };
            for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
                size_t cut = (size_t)(at[i] * (double)clen);
                size_t want = count_lines(plain,
                                          decodable(kind, c, cut, plain_len));
                assert_true(want > 0);
                char cut_name[32];
                snprintf(cut_name, sizeof cut_name, "cut.jsonl.%s", ext[kind]);
                const char *names[] = { cut_name, "after.jsonl" };
                const unsigned char *datas[] = {
                    c, (const unsigned char *)tail
                };
                size_t lens[] = { cut, tail_len };
                size_t alen;
                void *ar = archive_bytes(zip, names, datas, lens, 2, &alen);
                char path[] = "/tmp/ns_test_member_XXXXXX";
                write_temp(path, ar, alen);
                free(ar);
                got g = { 0 };
                assert_int_equal(got_walk(&g, path), NS_OK);
                unlink(path);
                /* the lines before the cut, then the next member's 10 */
                assert_int_equal(g.na, want + 10);
                char id[32];
                snprintf(id, sizeof id, "c%zu", want);
                assert_str(g.a[want - 1].id, id);
                assert_str(g.a[want].id, "c1");
                assert_int_equal(g.nr, 1);
                char file[128];
                snprintf(file, sizeof file, "%s:%s", path, cut_name);
                assert_str(g.r[0].file, file);
                char why[128];
                snprintf(why, sizeof why, "%s data cut short: the member "
                         "ends at byte %zu inside", kind_names[kind], cut);
                assert_non_null(strstr(g.r[0].reason, why));
                assert_int_equal(g.files_incomplete, 1);
                got_free(&g);
            }
            free(c);
        }
    }
    free(plain);
    free(tail);
}

static void
put_file(const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", scratch, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int
setup_scratch(void **state)
{
    (void)state;
    snprintf(scratch, sizeof scratch, "/tmp/nsearch-corpus-XXXXXX");
    if (!mkdtemp(scratch))
        return -1;
    char p[512];
    snprintf(p, sizeof p, "%s/d", scratch);
    mkdir(p, 0755);
    put_file("a.txt", "First\nbody\n");
    put_file("d/b.txt", "Second\nbody\n");
    put_file("z.txt", "Last\nbody\n");
    put_file("locked.txt", "Locked\nbody\n");
    snprintf(p, sizeof p, "%s/locked.txt", scratch);
    chmod(p, 0);
    snprintf(p, sizeof p, "%s/lockeddir", scratch);
    mkdir(p, 0);
    char t[512];
    snprintf(p, sizeof p, "%s/d/up", scratch); /* d/up -> .. : a loop */
    if (symlink("..", p) != 0)
        return -1;
    snprintf(p, sizeof p, "%s/self", scratch); /* self -> self */
    if (symlink("self", p) != 0)
        return -1;
    snprintf(p, sizeof p, "%s/dangling", scratch);
    if (symlink("nowhere", p) != 0)
        return -1;
    snprintf(p, sizeof p, "%s/link.txt", scratch); /* a good link */
    snprintf(t, sizeof t, "%s/a.txt", scratch);
    if (symlink(t, p) != 0)
        return -1;
    return 0;
}

static int
teardown_scratch(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' && rm -rf '%s'", scratch,
             scratch);
    return system(cmd) == 0 ? 0 : -1;
}

static void
test_links_and_permissions(void **state)
{
    (void)state;
    got g = { 0 };
    assert_int_equal(got_walk(&g, scratch), NS_OK);
    int root = geteuid() == 0;
    /* a.txt, d/b.txt, link.txt, z.txt (and locked.txt as root) */
    assert_int_equal(g.na, root ? 5 : 4);
    assert_str(g.a[0].title, "First");
    assert_str(g.a[1].title, "Second");
    assert_str(g.a[g.na - 1].title, "Last"); /* the walk went on */

    const got_reject *r = find_reject(&g, "/d/up");
    assert_non_null(r);
    assert_non_null(strstr(r->reason, "symlink loop"));
    r = find_reject(&g, "/self");
    assert_non_null(r);
    assert_non_null(strstr(r->reason, "symlink loop"));
    r = find_reject(&g, "/dangling");
    assert_non_null(r);
    assert_str(r->reason, "no such file or directory");
    if (!root) {
        r = find_reject(&g, "/locked.txt");
        assert_non_null(r);
        assert_str(r->reason, "permission denied");
        r = find_reject(&g, "/lockeddir");
        assert_non_null(r);
        assert_str(r->reason, "permission denied");
        assert_int_equal(g.nr, 5);
    } else {
        assert_int_equal(g.nr, 3); /* root reads everything */
    }
    got_free(&g);
}

static int
begin_skip(const ns__file_info *fi, void *payload)
{
    (void)fi;
    ((got *)payload)->files_begun++;
    return NS_CORPUS_SKIP;
}

static int
begin_stop(const ns__file_info *fi, void *payload)
{
    (void)fi;
    ((got *)payload)->files_begun++;
    return NS_CORPUS_STOP;
}

static void
test_callbacks_stop(void **state)
{
    (void)state;
    got g = { 0 };
    ns__corpus_sink s = t_sink(&g);
    s.file_begin = begin_skip;
    assert_int_equal(ns__corpus_walk(data_path("tree"), &s), NS_OK);
    assert_int_equal(g.files_begun, 3);
    assert_int_equal(g.na, 0);
    assert_int_equal(g.files_ended, 0);

    memset(&g, 0, sizeof g);
    s = t_sink(&g);
    s.file_begin = begin_stop;
    assert_int_equal(ns__corpus_walk(data_path("tree"), &s), NS_ERR_ABORTED);
    assert_int_equal(g.files_begun, 1);

    memset(&g, 0, sizeof g);
    g.stop_after = 1;
    assert_int_equal(got_walk(&g, data_path("jsonl/basic.jsonl")),
                     NS_ERR_ABORTED);
    assert_int_equal(g.na, 1);
    assert_int_equal(g.files_incomplete, 1);
    got_free(&g);

    /* a NULL callback is allowed everywhere */
    ns__corpus_sink none = { 0 };
    assert_int_equal(ns__corpus_walk(data_path("archive"), &none), NS_OK);
}

/* The --exclude patterns (core/util.c), as the walk and --prune use them. */
static void
test_path_excluded(void **state)
{
    (void)state;
    const char *const names[] = { "SOURCE.md", "*.txt", "drafts", NULL };
    const char *const paths[] = { "raw/*.html", "/2019/old/", NULL };
    assert_int_equal(ns__path_excluded(NULL, "a/SOURCE.md"), 0);
    assert_int_equal(ns__path_excluded(names, ""), 0);
    assert_int_equal(ns__path_excluded(names, "SOURCE.md"), 1);
    assert_int_equal(ns__path_excluded(names, "a/b/SOURCE.md"), 1);
    assert_int_equal(ns__path_excluded(names, "a/SOURCE.md.gz"), 0);
    assert_int_equal(ns__path_excluded(names, "x/notes.txt"), 1);
    assert_int_equal(ns__path_excluded(names, "drafts"), 1);
    assert_int_equal(ns__path_excluded(names, "a/drafts/b.jsonl"), 1);
    assert_int_equal(ns__path_excluded(names, "a/drafts2/b.jsonl"), 0);
    assert_int_equal(ns__path_excluded(paths, "raw/a.html"), 1);
    assert_int_equal(ns__path_excluded(paths, "raw/sub/a.html"), 0);
    assert_int_equal(ns__path_excluded(paths, "x/raw/a.html"), 0);
    assert_int_equal(ns__path_excluded(paths, "2019/old"), 1);
    assert_int_equal(ns__path_excluded(paths, "2019/old/a.jsonl"), 1);
    assert_int_equal(ns__path_excluded(paths, "2019/older/a.jsonl"), 0);
}

static void
test_text_too_large(void **state)
{
    (void)state;
    size_t n = NS_MAX_ARTICLE_BYTES + (128u << 10);
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 'x', n);
    memcpy(big, "Title\n", 6);
    got g = { 0 };
    assert_int_equal(got_buffer(&g, "big.txt", big, n), NS_OK);
    assert_int_equal(g.na, 0);
    assert_int_equal(g.nr, 1);
    assert_non_null(strstr(g.r[0].reason, "too large"));
    got_free(&g);

    /* a JSON line longer than the line limit loses only itself */
    size_t line = (size_t)NS_MAX_ARTICLE_BYTES * 2 + 10;
    size_t total = line + 64;
    char *buf = malloc(total);
    assert_non_null(buf);
    size_t k = (size_t)sprintf(buf, "{\"title\": \"");
    memset(buf + k, 'y', line - k);
    k = line;
    k += (size_t)sprintf(buf + k, "\"}\n{\"title\": \"after\"}\n");
    memset(&g, 0, sizeof g);
    assert_int_equal(got_buffer(&g, "long.jsonl", buf, k), NS_OK);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].title, "after");
    assert_int_equal(g.a[0].record, 2);
    assert_int_equal(g.nr, 1);
    assert_int_equal(g.r[0].record, 1);
    assert_non_null(strstr(g.r[0].reason, "line too long"));
    got_free(&g);
    free(buf);
    free(big);
}

static void
test_utf8_helpers(void **state)
{
    (void)state;
    assert_true(ns__utf8_valid("plain ascii", 11));
    assert_true(ns__utf8_valid("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 9));
    assert_false(ns__utf8_valid("\xC3", 1));             /* cut */
    assert_false(ns__utf8_valid("\xC0\xAF", 2));         /* overlong */
    assert_false(ns__utf8_valid("\xED\xA0\x80", 3));     /* surrogate */
    assert_false(ns__utf8_valid("\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_false(ns__utf8_valid("abcdefgh\xFF", 9));
    ns_buf b = { 0 };
    ns__utf8_repair(&b,
                    "a\xFF"
                    "b\xC3",
                    4);
    assert_string_equal(ns__buf_cstr(&b), "a\xEF\xBF\xBD"
                                          "b\xEF\xBF\xBD");
    ns__buf_free(&b);
    assert_true(ns__name_has_ext("a/b/C.JSONL.gz", ".jsonl"));
    assert_false(ns__name_has_ext("a.json", ".jsonl"));
    assert_true(ns__looks_binary("a\0b", 3));
    assert_false(ns__looks_binary("text\n", 5));

    /* fields: trimmed, one line, no-break spaces folded */
    got g = { 0 };
    assert_int_equal(got_string(&g, "f.jsonl",
                                "{\"title\": \"  A\\u00a0 b\\n\\tc\\u2060d \", "
                                "\"author\": \"\\u00a0\"}\n"),
                     NS_OK);
    assert_int_equal(g.na, 1);
    assert_str(g.a[0].title, "A b cd");
    assert_null(g.a[0].author);
    got_free(&g);

    /* a byline is its name, whatever the reader: "By " goes */
    static const char *const by[][2] = {
        { "By Jane Roe", "Jane Roe" },
        { " BY  JANE ROE", "JANE ROE" },
        { "by Jane, Reuters", "Jane, Reuters" },
        { "Byron Hale", "Byron Hale" },
        { "By", "By" },
        { "By ", "By" },
    };
    for (size_t i = 0; i < sizeof by / sizeof *by; i++) {
        char line[128];
        snprintf(line, sizeof line,
                 "{\"title\": \"T\", \"author\": \"%s\"}\n", by[i][0]);
        memset(&g, 0, sizeof g);
        assert_int_equal(got_string(&g, "f.jsonl", line), NS_OK);
        assert_int_equal(g.na, 1);
        assert_str(g.a[0].author, by[i][1]);
        got_free(&g);
    }
}

/* Every format has a slot in ns_index_stats.articles_by_format, and
 * ns_format_name() names it back. */
static void
test_format_slots(void **state)
{
    (void)state;
    const ns__format *const all[] = {
        &ns__format_jsonl,   &ns__format_json,    &ns__format_markdown,
        &ns__format_text,    &ns__format_trec,    &ns__format_reuters,
        &ns__format_warc,    &ns__format_newsml,  &ns__format_xmlfeed,
        &ns__format_html,
    };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        int slot = ns__format_slot(all[i]->name);
        assert_true(slot >= 0 && slot < NS_FORMAT_SLOTS);
        assert_string_equal(ns_format_name((unsigned)slot), all[i]->name);
    }
    assert_int_equal(ns__format_slot("nosuch"), -1);
    assert_int_equal(ns__format_slot(NULL), -1);
    assert_int_equal(ns__format_slot("jsonl"), 0); /* slots never move */
    assert_int_equal(ns__format_slot("html"), 9);
}

static void
test_out_of_memory(void **state)
{
    (void)state;
    static const char *const inputs[][2] = {
        { "o.jsonl",
          "{\"id\": \"x\", \"title\": \"T\", \"text\": \"b\"}\n"
          "{\"title\": \" padded \\u00a0title \", \"text\": \"b\"}\n" },
        { "o.json", "[{\"title\": \"T\", \"text\": \"b\"}]" },
        { "o.md",
          "---\ntitle: \"A\\_b\"\ndate: 2015-09-18\n---\nBody [x](y)\n" },
        { "o.txt", "Title\nBody\n" },
        { "o", "<DOC><DOCNO>A</DOCNO><HEAD>T</HEAD><TEXT>b</TEXT></DOC>\n" },
    };
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        ns_status st = NS_ERR_NOMEM;
        for (uint64_t n = 1; n < 1000 && st != NS_OK; n++) {
            got g = { 0 };
            ns__alloc_fail_after(n);
            st = got_string(&g, inputs[i][0], inputs[i][1]);
            ns__alloc_fail_after(0);
            assert_true(st == NS_OK || st == NS_ERR_NOMEM);
            if (st == NS_OK)
                assert_true(g.na >= 1);
            got_free(&g);
        }
        assert_int_equal(st, NS_OK);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_path),
        cmocka_unit_test(test_tree_order_hidden),
        cmocka_unit_test(test_archive_members),
        cmocka_unit_test(test_compressed),
        cmocka_unit_test(test_empty_and_junk),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_truncated_anywhere),
        cmocka_unit_test(test_gzip_checks),
        cmocka_unit_test(test_truncated_members),
        cmocka_unit_test_setup_teardown(test_links_and_permissions,
                                        setup_scratch, teardown_scratch),
        cmocka_unit_test(test_callbacks_stop),
        cmocka_unit_test(test_path_excluded),
        cmocka_unit_test(test_text_too_large),
        cmocka_unit_test(test_utf8_helpers),
        cmocka_unit_test(test_format_slots),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
