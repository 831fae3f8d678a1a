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

/* Decode u to its end (or MAX_DECODED), checking each call; returns the
 * last call's result, the bytes decoded in *total and their hash in *h. */
static ptrdiff_t
drain(ns__unpack *u, uint64_t *total, uint64_t *h)
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
    ns__unpack *u = ns__unpack_open(fd, kind);
    CHECK(u != NULL);
    uint64_t total, hash;
    ptrdiff_t n = drain(u, &total, &hash);
    int cut = strstr(ns__unpack_error(u), "cut short") != NULL;
    int corrupt = strstr(ns__unpack_error(u), "corrupt") != NULL;
    ns__unpack_close(u);
    close(fd);
    if (total > MAX_DECODED)
        return 0;
    piece_src src = { data, size, 0 };
    u = ns__unpack_open_source(kind, piece_read, &src);
    CHECK(u != NULL);
    uint64_t total2, hash2;
    ptrdiff_t n2 = drain(u, &total2, &hash2);
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
