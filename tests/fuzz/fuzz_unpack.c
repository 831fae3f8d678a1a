/*
 * fuzz_unpack.c: libFuzzer entry point for corpus/unpack.c, the gzip, xz,
 * bzip2 and zstd decoders that hand on every byte before a cut.  The input is
 * written to a memory file (the decoders read a descriptor with pread) and
 * decoded to its end: every call must return decoded bytes, the end (0,
 * and 0 again), or a failure (-1, and -1 again) with a one-line lowercase
 * reason.  Then it is decoded again from a source callback that hands it
 * on in pieces of 1 to 8 bytes (as an archive member is read), which must
 * end the same way, and give the same bytes when the data is whole or cut
 * short (what liblzma decodes of corrupt data before it notices depends
 * on how the input comes: fuzzing found that, and it is no loss).
 * gzip is also decoded by zlib, the reference, member by member as
 * unpack.c does: what both hand on must agree byte for byte; data zlib
 * decodes whole must decode whole and the same; data zlib finds cut short
 * must be cut short (or found corrupt sooner), with at least every byte
 * up to the end of the last deflate block zlib completed.
 * Inputs that start with neither magic are skipped: reader.c never hands
 * them to unpack.c.  Not wired into CMake's libFuzzer build unless
 * NS_FUZZ=ON (then with clang -fsanitize=fuzzer,address).
 */
#define _GNU_SOURCE /* memfd_create */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "corpus/unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)     \
    do {             \
        if (!(x))    \
            abort(); \
    } while (0)

/* Decoded bytes looked at before giving up on an input (a bomb). */
#define MAX_DECODED ((uint64_t)256 << 20)

typedef struct piece_src {
    const uint8_t *data;
    size_t size, pos;
} piece_src;

static ptrdiff_t
piece_read(void *cookie, void *buf, size_t cap, const char **why)
{
    piece_src *p = cookie;
    (void)why;
    size_t n = p->size - p->pos;
    size_t piece = 1 + (p->pos * 7 + p->size) % 8;
    if (n > piece)
        n = piece;
    if (n > cap)
        n = cap;
    memcpy(buf, p->data + p->pos, n);
    p->pos += n;
    return (ptrdiff_t)n;
}

/* Decoded bytes kept for comparing with zlib's. */
#define KEEP ((size_t)4 << 20)

enum { REF_OK, REF_CUT, REF_BAD };

/* zlib's decoding of the gzip members data[0, size): REF_OK (every
 * member whole, then the end or bytes that start no member), REF_CUT or
 * REF_BAD; its first KEEP bytes in keep[], their count in *total (all of
 * them, up to MAX_DECODED), and in *whole the bytes up to the end of the
 * last block or member it completed. */
static int
ref_gzip(const uint8_t *data, size_t size, unsigned char *keep,
         uint64_t *total, uint64_t *whole, int *bad_code_set)
{
    *bad_code_set = 0;
    static unsigned char buf[(size_t)64 << 10];
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        abort();
    size_t pos = 0;
    int res = REF_OK;
    *total = *whole = 0;
    while (size - pos >= 2 && data[pos] == 0x1f && data[pos + 1] == 0x8b) {
        inflateReset(&z);
        z.next_in = (unsigned char *)(uintptr_t)(data + pos);
        z.avail_in = (uInt)(size - pos);
        int r;
        do {
            z.next_out = buf;
            z.avail_out = sizeof buf;
            r = inflate(&z, Z_BLOCK);
            size_t got = sizeof buf - z.avail_out;
            if (*total < KEEP)
                memcpy(keep + *total, buf,
                       got < KEEP - *total ? got : KEEP - *total);
            *total += got;
            if (r == Z_STREAM_END || (r == Z_OK && (z.data_type & 128)))
                *whole = *total;
        } while (r == Z_OK && *total <= MAX_DECODED); /* to no progress */
        pos = size - z.avail_in;
        if (r != Z_STREAM_END) {
            res = *total > MAX_DECODED ? REF_OK :
                  r == Z_OK || r == Z_BUF_ERROR ? REF_CUT : REF_BAD;
            /* zlib refuses a Huffman code set that is incomplete or
             * over-subscribed; igzip decodes some of them. */
            *bad_code_set = res == REF_BAD && z.msg &&
                            (strcmp(z.msg, "invalid literal/lengths set") == 0 ||
                             strcmp(z.msg, "invalid distances set") == 0 ||
                             strcmp(z.msg, "invalid code lengths set") == 0);
            break;
        }
    }
    inflateEnd(&z);
    return res;
}

/* Decode u to its end (or MAX_DECODED), checking each call; returns the
 * last call's result, the bytes decoded in *total and their hash in *h;
 * the first KEEP bytes in keep[] if not NULL. */
static ptrdiff_t
drain(ns__unpack *u, uint64_t *total, uint64_t *h, unsigned char *keep)
{
    ptrdiff_t n;
    *total = 0;
    *h = 1469598103934665603u;
    for (;;) {
        const void *out = NULL;
        n = ns__unpack_read(u, &out);
        if (n <= 0)
            break;
        CHECK(out != NULL);
        CHECK((size_t)n <= (size_t)64 << 10);
        for (ptrdiff_t i = 0; i < n; i++)
            *h = (*h ^ ((const unsigned char *)out)[i]) * 1099511628211u;
        if (keep && *total < KEEP)
            memcpy(keep + *total, out,
                   (size_t)n < KEEP - *total ? (size_t)n : KEEP - *total);
        *total += (uint64_t)n;
        if (*total > MAX_DECODED)
            break;
    }
    const char *why = ns__unpack_error(u);
    if (n < 0) {
        CHECK(*why != '\0');
        CHECK(strchr(why, '\n') == NULL);
        CHECK(!(why[0] >= 'A' && why[0] <= 'Z'));
    } else if (n == 0) {
        CHECK(*why == '\0');
    }
    if (n <= 0) {
        const void *out;
        CHECK(ns__unpack_read(u, &out) == n); /* stays at the end */
    }
    return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int kind = ns__unpack_kind(data, size);
    if (kind == NS_UNPACK_NONE)
        return 0;
    int fd = memfd_create("fuzz_unpack", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    static unsigned char mine[KEEP], ref[KEEP];
    ns__unpack *u = ns__unpack_open(fd, kind);
    CHECK(u != NULL);
    uint64_t total, hash;
    ptrdiff_t n = drain(u, &total, &hash, mine);
    int cut = strstr(ns__unpack_error(u), "cut short") != NULL;
    int corrupt = strstr(ns__unpack_error(u), "corrupt") != NULL;
    ns__unpack_close(u);
    close(fd);
    if (total > MAX_DECODED)
        return 0;
    if (kind == NS_UNPACK_GZIP) {
        uint64_t rtotal, rwhole;
        int bad_code_set;
        int res = ref_gzip(data, size, ref, &rtotal, &rwhole, &bad_code_set);
        uint64_t common = total < rtotal ? total : rtotal;
        CHECK(memcmp(mine, ref, common < KEEP ? common : KEEP) == 0);
        if (res == REF_OK && rtotal <= MAX_DECODED)
            CHECK(n == 0 && total == rtotal);
        /* igzip may find a block header corrupt before zlib has read
         * enough of it to say so (fuzzing found that: a literal code
         * without an end-of-block symbol): corrupt then, not cut. */
        if (res == REF_CUT)
            CHECK(n < 0 && (cut || corrupt) && total >= rwhole);
        /* A Huffman code set zlib calls invalid may decode in igzip
         * (fuzzing found an over-subscribed one that decodes to nothing);
         * what igzip hands on is then still checked against the member's
         * CRC-32 and length, so only that class may end without error. */
        if (res == REF_BAD)
            CHECK(n < 0 || bad_code_set);
    }
    piece_src src = { data, size, 0 };
    u = ns__unpack_open_source(kind, piece_read, &src);
    CHECK(u != NULL);
    uint64_t total2, hash2;
    ptrdiff_t n2 = drain(u, &total2, &hash2, NULL);
    int cut2 = strstr(ns__unpack_error(u), "cut short") != NULL;
    int corrupt2 = strstr(ns__unpack_error(u), "corrupt") != NULL;
    ns__unpack_close(u);
    /* zstd checks a damaged frame differently depending on how its bytes
     * come: given the whole frame at once it decodes it in one pass and
     * checks its end; fed in pieces it may stop at the content size the
     * header states (fuzzing found that).  Either way nothing is handed
     * on that is not the frame's, and one of the two says corrupt. */
    CHECK(n2 == n || (kind == NS_UNPACK_ZSTD && (corrupt || corrupt2)));
    if ((n == 0 && n2 == 0) || (cut && cut2))
        CHECK(total2 == total && hash2 == hash);
    return 0;
}
