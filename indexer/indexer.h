/*
 * indexer.h: what the indexer's files share.  index.c maps articles to
 * documents and owns the writer's batching; track.c remembers, per input
 * file, what was indexed from it (schema.h, "Incremental updates"), so that
 * a re-run reads only what changed.  Nothing here is seen outside the
 * indexer.
 */
#ifndef NS_INDEXER_H
#define NS_INDEXER_H

#include <stdint.h>

#include "core/db.h"

/* ---- hashing ------------------------------------------------------------ */

/** A fast 64-bit hash of p[0, n), continuing from seed (not
 * cryptographic: it detects change, it does not resist attack). */
uint64_t ns__hash64(const void *p, size_t n, uint64_t seed);
#define NS_HASH_SEED 0x9e3779b97f4a7c15ULL

/** Write h as 16 lowercase hex digits and a NUL into out. */
void ns__hex64(uint64_t h, char out[17]);

/**
 * Hash the bytes of the file at path into *out, reading it whole.
 * Returns NS_OK; NS_ERR_IO (errno set).
 */
ns_status ns__file_hash(const char *path, uint64_t *out);

/* ---- per-file records -----------------------------------------------------
 */

/** What the index remembers of one input file. */
typedef struct ns__file_record {
    uint64_t size;     /* bytes on disk */
    int64_t mtime_ns;  /* modification time */
    uint64_t hash;     /* ns__file_hash of its bytes */
    uint64_t articles; /* articles it gave */
} ns__file_record;

/** The metadata key of path's record into key (reset first). */
void ns__track_key(const char *path, ns_buf *key);
/** The "F" term of path's articles into term (18 bytes with the NUL). */
void ns__track_fterm(const char *path, char term[18]);
/**
 * Read path's record.  Returns NS_OK; NS_ERR_NOT_FOUND (no record, or one
 * this version cannot read); the status of the metadata read.
 */
ns_status ns__track_get(ns_db *db, const char *path, ns__file_record *rec);
/** Write (or replace) path's record (uncommitted). */
ns_status
ns__track_put(ns_db *db, const char *path, const ns__file_record *rec);

/**
 * Delete the articles and the records of the recorded files at or under
 * root (an absolute path) that no longer exist.  *files_out and
 * *articles_out (both required) receive the counts.
 * Returns NS_OK or the status of the index operation that failed.
 */
ns_status ns__track_prune(ns_db *db,
                          const char *root,
                          uint64_t *files_out,
                          uint64_t *articles_out);

#endif /* NS_INDEXER_H */
