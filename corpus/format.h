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

#include "core/util.h"
#include "corpus/corpus.h"

/** A decompressed byte stream: a plain file or one archive member. */
typedef struct ns__input ns__input;

/** Read up to n bytes.  Returns the count, 0 at the end, -1 on error
 * (truncated or corrupt data; ns__input_error() says why).  Bytes before a
 * cut in compressed data are delivered: all of them for a gzip or xz file
 * (unpack.c); for other compressions and compressed archive members, all
 * but what libarchive's filter still held in its last output block (up to
 * 64 KiB). */
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
     * first bytes head[0, len) (up to NS_SNIFF_BYTES) and its file name
     * (a path, or "archive:member"; compare with ns__name_has_ext).  Must
     * be cheap: every format's sniff runs on every input.  The highest
     * score wins; on a tie, the earlier entry of reader.c's table. */
    int (*sniff)(const char *head, size_t len, const char *name);
    /* Read every article of in and give each to ns__corpus_emit; report
     * bad records with ns__corpus_reject at a copy of w whose record and
     * offset are filled, and go on.  Return NS_OK; NS_ERR_ABORTED when a
     * callback stopped it; NS_ERR_NOMEM; NS_ERR_IO when an ns__input call
     * failed (do not report that one: the caller reports the truncation
     * with its offset and marks the file incomplete); NS_ERR_FORMAT when
     * the rest of the input cannot be read (the caller reports it). */
    ns_status (*read)(ns__input *in,
                      const ns__where *w,
                      const ns__corpus_sink *sink);
} ns__format;

/* The largest article text a reader accepts; a larger one is rejected. */
#define NS_MAX_ARTICLE_BYTES (32u << 20)

/* How much of an input the sniff functions see. */
#define NS_SNIFF_BYTES (64u << 10)

/* ------------------------------------------------------------------------ */
/* Helpers for the readers (reader.c)                                        */

/**
 * Give one article to the sink, after the checks every format needs:
 * - text longer than NS_MAX_ARTICLE_BYTES: rejected at w with its size;
 * - id, title, date, source, url, author, language: made one line (runs
 *   of white space, line breaks and no-break spaces become one space;
 *   U+200B, U+2060 and U+FEFF are dropped), trimmed, invalid UTF-8
 *   replaced by U+FFFD, "" made NULL;
 * - author: a byline's "By " (any case) taken off, as every reader would;
 * - no id: the url, else "<w->file>#<w->record>".
 * The text is passed as is (the analyzer skips invalid bytes).  a's strings
 * stay the caller's; a itself is not changed.
 * Returns: NS_OK (delivered or rejected); NS_ERR_ABORTED when a callback
 * asked to stop; NS_ERR_NOMEM.
 */
ns_status ns__corpus_emit(const ns__corpus_sink *sink,
                          const ns__where *w,
                          const ns_article *a);

/**
 * Report a rejected record, member or file: sink->reject(w, reason), the
 * reason printf-formatted (lowercase, one line).
 * Returns: NS_OK; NS_ERR_ABORTED when the callback asked to stop.
 */
ns_status ns__corpus_reject(const ns__corpus_sink *sink,
                            const ns__where *w,
                            const char *fmt,
                            ...) __attribute__((format(printf, 3, 4)));

/**
 * The character of windows-1252 byte c: ASCII and Latin-1 as themselves,
 * 0x80..0x9F from its own table; 0 for the five bytes it leaves undefined
 * (0x81 0x8D 0x8F 0x90 0x9D), which callers map (browsers to the C1 code
 * point of the same number, text readers to U+FFFD).
 */
uint32_t ns__cp1252(unsigned char c);

/** Whether s[0, len) is valid UTF-8 (no overlongs, surrogates, > U+10FFFF). */
int ns__utf8_valid(const char *s, size_t len);

/**
 * Append s[0, len) to out with every byte that is not part of a valid UTF-8
 * sequence replaced by U+FFFD (EF BF BD).  Out of memory sets out->oom.
 */
void ns__utf8_repair(ns_buf *out, const char *s, size_t len);

/**
 * Whether head[0, len) looks like binary data rather than text: a NUL byte,
 * or many control bytes.  For sniff functions.
 */
int ns__looks_binary(const char *head, size_t len);

/** Whether name (a path) ends with ext (".json"), ASCII case-insensitive;
 * a compression suffix (.gz .bz2 .xz .zst .lz4 .lzma .z) is ignored. */
int ns__name_has_ext(const char *name, const char *ext);

/* ------------------------------------------------------------------------ */
/* The formats.  Each is defined in its own file and listed in reader.c's
 * registry table (the order there breaks sniff ties). */

extern const ns__format ns__format_jsonl;    /* jsonl.c: one object a line */
extern const ns__format ns__format_json;     /* jsonl.c: array / wrapper */
extern const ns__format ns__format_markdown; /* text.c: YAML front matter */
extern const ns__format ns__format_text;     /* text.c: title line + body */
extern const ns__format ns__format_trec;     /* sgml.c: <DOC><DOCNO> */
extern const ns__format ns__format_reuters;  /* sgml.c: Reuters-21578 */
extern const ns__format ns__format_warc;     /* warc.c: WARC records */
extern const ns__format ns__format_newsml;   /* newsml.c: NewsML-G2, NITF */
extern const ns__format ns__format_xmlfeed;  /* xmlfeed.c: RSS, Atom */
extern const ns__format ns__format_html;     /* html.c: a web page */

#endif /* NS_FORMAT_H */
