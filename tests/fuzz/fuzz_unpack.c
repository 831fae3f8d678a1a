/*
 * fuzz_unpack.c: libFuzzer entry point for corpus/unpack.c, the gzip and xz
 * decoders that hand on every byte before a cut.  The input is written to
 * a memory file (the decoders read a descriptor with pread) and decoded to
 * its end: every call must return decoded bytes, the end (0, and 0 again),
 * or a failure (-1, and -1 again) with a one-line lowercase reason.
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
    uint64_t total = 0;
    ptrdiff_t n;
    for (;;) {
        const void *out = NULL;
        n = ns__unpack_read(u, &out);
        if (n <= 0)
            break;
        CHECK(out != NULL);
        CHECK((size_t)n <= (size_t)64 << 10);
        /* Touch the bytes: an over-read shows under ASan. */
        volatile unsigned char sink = ((const unsigned char *)out)[n - 1];
        (void)sink;
        total += (uint64_t)n;
        if (total > MAX_DECODED)
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
    ns__unpack_close(u);
    close(fd);
    return 0;
}
