/*
 * format.h: what one archive format's reader implements, and the input
 * stream it reads from.  reader.c owns the walk (files, directories,
 * compression and archives through libarchive), detects the format of each
 * input by content with the sniff functions, and calls the winner's read.
 * A format file knows only its own format.
 */
#ifndef NS_FORMAT_H
#define NS_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "corpus/corpus.h"

/** A decompressed byte stream: a plain file or one archive member. */
typedef struct ns__input ns__input;

/** Read up to n bytes.  Returns the count, 0 at the end, -1 on error
 * (truncated or corrupt data; ns__input_error() says why). */
ptrdiff_t ns__input_read(ns__input *in, void *buf, size_t n);

/**
 * Read one line (up to and without '\n'; a '\r' before it is dropped) into
 * an internal buffer valid until the next call.  Lines longer than max
 * bytes are returned cut, with *too_long set.  Returns 1 with a line, 0 at
 * the end, -1 on error.  *offset receives the line's byte offset.
 */
int ns__input_getline(ns__input *in,
                      size_t max,
                      const char **line,
                      size_t *len,
                      uint64_t *offset,
                      int *too_long);

/**
 * Read the rest of the input into a new buffer (NUL-terminated; ns_free it).
 * Returns NS_OK; NS_ERR_FORMAT when it holds more than max bytes (*data is
 * NULL); NS_ERR_IO on a read error; NS_ERR_NOMEM.
 */
ns_status ns__input_slurp(ns__input *in, size_t max, char **data, size_t *len);

/** Why the last read failed (valid until the next call), or "". */
const char *ns__input_error(const ns__input *in);

/** Bytes consumed so far. */
uint64_t ns__input_offset(const ns__input *in);

/** One format.  A format's file defines one const ns__format. */
typedef struct ns__format {
    const char *name; /* "jsonl", "json", "text", "markdown", "trec", ... */
    /* How sure (0 no .. 100 certain) the input is this format, from its
     * first bytes head[0, len) (up to 64 KiB) and its file name. */
    int (*sniff)(const char *head, size_t len, const char *name);
    /* Read every article of in and give each to sink->article; report bad
     * records to sink->reject with w (a copy; fill record and offset) and go
     * on.  Return NS_OK, NS_ERR_ABORTED when a callback stopped it, or
     * another status when the rest of the input cannot be read (the caller
     * reports it). */
    ns_status (*read)(ns__input *in,
                      const ns__where *w,
                      const ns__corpus_sink *sink);
} ns__format;

/* The largest article text a reader accepts; a larger one is rejected. */
#define NS_MAX_ARTICLE_BYTES (32u << 20)

#endif /* NS_FORMAT_H */
