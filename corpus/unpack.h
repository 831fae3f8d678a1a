/*
 * unpack.h: streaming gzip and xz decoding of a whole file, for reader.c.
 *
 * libarchive decodes every compression, but its gzip and xz filters fill a
 * 64 KiB output block before handing it on, and when the compressed data
 * ends early they drop that block: a truncated .gz or .xz lost up to 64 KiB
 * of good articles before the cut.  These decoders hand on every byte they
 * decoded, and only then report the cut (or the corrupt data), naming the
 * byte of the file where it is.  reader.c gives their output to libarchive
 * as its input, so archives (.tar.gz, .tar.xz) and everything else work
 * as before; compressed members inside an archive are still libarchive's.
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

/** The compression whose magic bytes head[0, len) starts with: one of
 * NS_UNPACK_*. */
int ns__unpack_kind(const unsigned char *head, size_t len);

/**
 * A decoder of kind (GZIP or XZ) reading the open file fd from its byte 0
 * (with pread: the descriptor's offset is left alone).  NULL when out of
 * memory.
 */
ns__unpack *ns__unpack_open(int fd, int kind);

/**
 * The next decoded bytes: *out points to them, valid until the next call.
 * Returns their count (> 0); 0 at the end of the data; -1 when the data is
 * cut short or corrupt, or the file cannot be read (ns__unpack_error() says
 * why and where), after every byte decoded before was returned.
 * Concatenated gzip members and xz streams are read one after the other;
 * bytes after the last that do not start another are ignored, as gzip and
 * libarchive do.
 */
ptrdiff_t ns__unpack_read(ns__unpack *u, const void **out);

/** Why the last read failed, lowercase, one line; "" if it did not. */
const char *ns__unpack_error(const ns__unpack *u);

void ns__unpack_close(ns__unpack *u);

#endif /* NS_UNPACK_H */
