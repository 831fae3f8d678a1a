/*
 * store.h: the stored record of an article (the Xapian document data): its
 * fields and its text, each compressed with zstd and the index's trained
 * dictionary.  The indexer encodes, the searcher decodes; neither knows the
 * byte layout, which is (version 2):
 *
 *   byte 0      record version (2)
 *   varint      length of the fields' frame
 *   frame       zstd frame of the fields: varint+str each of id, title,
 *               date, source, url, author, language, file
 *   rest        zstd frame of the text, in blocks growing from
 *               NS_STORE_TEXT_FIRST to NS_STORE_TEXT_BLOCK bytes of text
 *               (each flushed: later blocks still match against earlier
 *               ones) so that the start of a text decodes alone; any
 *               division into blocks decodes
 *
 * Each frame names its dictionary by id and holds its size.  Nothing is
 * left in plain: Xapian's glass backend zlib-compresses document data
 * whenever that makes it smaller, which the plain fields of version 1
 * records always did, and a search then inflated every record it read (a
 * sixth of a one-query process).  Version 1 (byte 0 = 1: the fields in
 * plain, a varint of the text's length, the text's frame) still decodes.
 */
#ifndef NS_STORE_H
#define NS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "nsearch.h"
#include "core/util.h"

typedef struct ns__store ns__store;

/** A decoded record; the strings point into its own buffers. */
typedef struct ns__record {
    const char *id, *title, *date, *source, *url, *author, *language, *file;
    const char *text; /* NULL unless text was asked for */
    size_t text_len;  /* bytes of it decoded */
    size_t text_whole; /* its whole length (more with NS_STORE_TEXT_START) */
    ns_buf fields_; /* private */
    ns_buf text_;   /* private */
    const unsigned char *tp_; /* private: the text's frame (in data) */
    size_t tn_, tin_, tfeed_; /* private: its length, bytes read of it,
                               * bytes handed to zstd */
    int tlast_;               /* private: its last block was handed */
    unsigned tsession_;       /* private */
} ns__record;

ns_status ns__store_new(ns__store **out);
void ns__store_free(ns__store *s);

/**
 * Use dict (a zstd dictionary, or empty for none) from now on.
 * Returns NS_OK; NS_ERR_INDEX_CORRUPT (zstd cannot parse dict);
 * NS_ERR_NOMEM.
 */
ns_status ns__store_set_dict(ns__store *s, const void *dict, size_t len);
/** The same, taking dict's bytes instead of copying them (a search reads
 * a 100 KB dictionary at every start: a copy is 25 page faults); dict is
 * left empty. */
ns_status ns__store_take_dict(ns__store *s, ns_buf *dict);

/** The same, with the dictionary mapped from its file (db.c), which must
 * be the dictionary id: the store unmaps it when done.
 * NS_ERR_INDEX_CORRUPT (unmapped already) when it is another or zstd
 * cannot parse it. */
ns_status ns__store_map_dict(ns__store *s, void *map, size_t len,
                             unsigned id);

/** The zstd id of the dictionary dict (0: none or not one). */
unsigned ns__store_dict_id(const void *dict, size_t len);

/**
 * Also decode the frames made with dict, another index's dictionary (the
 * shards of a sharded index, or those merged into one): a frame names its
 * dictionary by id, and decoding picks it by that id.  A dictionary whose
 * id is known already is not added again.
 * Returns: NS_OK; NS_ERR_INDEX_CORRUPT (a different dictionary with that
 * id is known, or dict is not a zstd dictionary); NS_ERR_NOMEM.
 */
ns_status ns__store_add_dict(ns__store *s, const void *dict, size_t len);

/**
 * Train a dictionary from samples (concatenated in buf, sizes[i] each).
 * Returns NS_OK with the dictionary in out, or NS_ERR_INVALID_ARG when
 * the samples are too few to train on (out empty).
 */
ns_status ns__store_train(const void *samples,
                          const size_t *sizes,
                          unsigned n,
                          ns_buf *out);

/** Encode article a (file = the input it came from, may be NULL). */
/** Append a's fields (and file, may be NULL) as a record holds them,
 * before compression: what the dictionary is also trained on. */
/* A text is compressed in blocks, so that a snippet can decode the start
 * of a text alone: most snippets stop in a text's first KB or two.  The
 * first block holds NS_STORE_TEXT_FIRST bytes, each next one twice as
 * many up to NS_STORE_TEXT_BLOCK (512, 1024, 2048, 4096, 4096, ...):
 * small where most snippets stop, large where whole texts are read (each
 * block has its own entropy tables).  Measured on the White House sample
 * (1,000 articles, 4.7 MB): 1.2% more bytes than one block per text with
 * blocks of 4 KB from the start, 2.1% with these.  Records made with
 * other block sizes (4 KB or 8 KB before) decode the same. */
#define NS_STORE_TEXT_FIRST 512
#define NS_STORE_TEXT_BLOCK 4096

void ns__store_fields(const ns_article *a, const char *file, ns_buf *out);

ns_status ns__store_encode(ns__store *s,
                           const ns_article *a,
                           const char *file,
                           ns_buf *out);

/**
 * Decode data into rec (zero it before the first use; reusable; free its
 * buffers with ns__record_free).  want_text 0 skips decompression, 1
 * decodes the whole text, NS_STORE_TEXT_START its start: its first block
 * (or all of a short text), as many bytes as rec->text_len
 * says, the rest decoded by ns__store_text_more() while data is still
 * there.
 * Returns NS_OK; NS_ERR_INDEX_CORRUPT (bad record); NS_ERR_NOMEM.
 */
#define NS_STORE_TEXT_START 2
ns_status ns__store_decode(ns__store *s,
                           const char *data,
                           size_t len,
                           int want_text,
                           ns__record *rec);
/**
 * Decode more of a text asked for with NS_STORE_TEXT_START (its next
 * block, with the rest of the frame after the last; nothing when it is
 * whole):
 * rec->text and rec->text_len are updated (text may move).  Cheapest
 * right after the record's ns__store_decode(); after other decodes with s
 * the text is decoded again from its start, whole.  The record's data must
 * still be where ns__store_decode() read it.
 * Returns NS_OK; NS_ERR_INDEX_CORRUPT; NS_ERR_NOMEM.
 */
ns_status ns__store_text_more(ns__store *s, ns__record *rec);
void ns__record_free(ns__record *rec);

/** What the stored records of an index cost (ns__store_measure sums). */
typedef struct ns__store_sizes {
    uint64_t records;
    uint64_t record_bytes; /* whole records, as stored */
    uint64_t field_bytes;  /* their fields as stored (what precedes the
                            * text's frame) */
    uint64_t text_bytes;   /* their texts, uncompressed */
    uint64_t frame_bytes;  /* the texts' zstd frames, as stored */
    uint64_t plain_bytes;  /* the texts compressed at the same level
                            * without a dictionary */
} ns__store_sizes;

/**
 * Add the sizes of the record data[0, len) to *sz: decode it, and
 * compress its text again without a dictionary, to tell what the
 * dictionary gains (bench/store_ratio.c).
 * Returns NS_OK; NS_ERR_INDEX_CORRUPT; NS_ERR_NOMEM.
 */
ns_status ns__store_measure(ns__store *s,
                            const char *data,
                            size_t len,
                            ns__store_sizes *sz);

#endif /* NS_STORE_H */
