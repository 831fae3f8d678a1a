/*
 * unpack.h: streaming gzip, xz, bzip2 and zstd decoding, for reader.c.
 *
 * libarchive decodes every compression, but its gzip, xz, bzip2 and zstd
 * filters fill a 64 KiB output block before handing it on, and when the
 * compressed data ends early they drop that block: a truncated .gz, .xz,
 * .bz2 or .zst lost up to 64 KiB of good articles before the cut.  These decoders hand on
 * every byte they decoded, and only then report the cut (or the corrupt
 * data), naming the byte of the compressed data where it is.  reader.c
 * decodes a whole file with them and gives their output to libarchive as
 * its input, so archives (.tar.gz, .tar.xz) and everything else work as
 * before; and it decodes a compressed member of an archive (a .gz in a
 * .tar or .zip) with them too, reading the member's bytes as their source.
 *
 * bzip2 compresses blocks of up to 900 kB that can only be decoded whole:
 * a cut inside a block loses what that block holds (bzip2 -d loses it too);
 * so do zstd's blocks, of up to 128 KiB.
 */
#ifndef NS_UNPACK_H
#define NS_UNPACK_H

#include <stddef.h>

#include "core/util.h"

typedef struct ns__unpack ns__unpack;

/* What ns__unpack_kind() finds. */
#define NS_UNPACK_NONE 0
#define NS_UNPACK_GZIP 1
#define NS_UNPACK_XZ   2
#define NS_UNPACK_BZIP2 3
#define NS_UNPACK_ZSTD  4

/** The compression whose magic bytes head[0, len) starts with: one of
 * NS_UNPACK_*. */
int ns__unpack_kind(const unsigned char *head, size_t len);

/**
 * A decoder of kind (one of NS_UNPACK_*, not NONE) reading the open file
 * fd from its byte 0 (with pread: the descriptor's offset is left alone).
 * NULL when out of memory.
 */
ns__unpack *ns__unpack_open(int fd, int kind);

/**
 * Where a decoder that reads no file gets its compressed bytes: fill
 * buf[0, cap) and return the count (> 0), 0 at the end, or -1 on an error
 * (*why then says what, lowercase, one line; valid until the next call).
 */
typedef ptrdiff_t (*ns__unpack_source)(void *cookie,
                                       void *buf,
                                       size_t cap,
                                       const char **why);

/**
 * A decoder of kind reading from src (an archive member, say).  Its errors
 * name the byte of that stream ("the member ends at byte N"), and a read
 * error is src's why.  NULL when out of memory.
 */
ns__unpack *ns__unpack_open_source(int kind, ns__unpack_source src, void *cookie);

/**
 * The next decoded bytes: *out points to them, valid until the next call.
 * Returns their count (> 0); 0 at the end of the data; -1 when the data is
 * cut short or corrupt, or the file cannot be read (ns__unpack_error() says
 * why and where), after every byte decoded before was returned.
 * Concatenated gzip members, xz streams, bzip2 streams and zstd frames
 * are read one
 * after the other; bytes after the last that do not start another are
 * ignored, as gzip and libarchive do.
 */
ptrdiff_t ns__unpack_read(ns__unpack *u, const void **out);

/** Why the last read failed, lowercase, one line; "" if it did not. */
const char *ns__unpack_error(const ns__unpack *u);

void ns__unpack_close(ns__unpack *u);

#endif /* NS_UNPACK_H */
