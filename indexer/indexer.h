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

/** The size in the record of a file whose reading has not ended yet: no
 * file has it, so the file is read again. */
#define NS_TRACK_PENDING_SIZE UINT64_MAX

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
 * root (an absolute path) that no longer exist, or whose path under root
 * is excluded by exclude (ns__path_excluded; may be NULL).  *files_out and
 * *articles_out (both required) receive the counts.
 * Returns NS_OK or the status of the index operation that failed.
 */
ns_status ns__track_prune(ns_db *db,
                          const char *root,
                          const char *const *exclude,
                          uint64_t *files_out,
                          uint64_t *articles_out);

/* ---- bulk builds (bulk.c) ------------------------------------------------ */

/**
 * Write one article into db (a shard's private writer) with its file's F
 * term (or NULL) and its hash, committing every commit_every articles (0:
 * the default) or commit_bytes of text.  For bulk.c's threads: db is used
 * by this thread alone.
 */
ns_status ns__index_write(ns_db *db,
                          const ns_article *a,
                          const char *file,
                          const char *fterm,
                          unsigned commit_every,
                          size_t commit_bytes);

typedef struct ns__bulk ns__bulk;

/** How many shards a bulk build uses: the processors online (at most 16). */
unsigned ns__bulk_shards(void);

/**
 * Start n shard threads, each writing a private database of db's index
 * (ns__db_open_shard) with the dictionary dict.
 * Returns NS_OK; NS_ERR_NOMEM; the status of opening a shard.
 */
ns_status ns__bulk_start(ns_db *db,
                         unsigned n,
                         const void *dict,
                         size_t dict_len,
                         unsigned commit_every,
                         ns__bulk **out);

/**
 * Hand a copy of article a (from file, with the file's F term) to its
 * shard; waits while that shard's queue is full.  On failure (a shard
 * failed) end the build with ns__bulk_abort.
 */
ns_status ns__bulk_put(ns__bulk *b,
                       const ns_article *a,
                       const char *file,
                       const char *fterm);

/**
 * Let the shards write what they hold, then merge them into a new
 * generation that db adopts (ns__db_merge: db->building).  b is spent
 * either way: free it with ns__bulk_free.
 */
ns_status ns__bulk_finish(ns__bulk *b, ns_db *db);

/** Stop the shards, drop their work (their databases are deleted), and
 * put the first shard's failure message on db.  Frees b. */
void ns__bulk_abort(ns__bulk *b, ns_db *db);

/** Free b (after ns__bulk_finish, or to abandon it).  NULL is a no-op. */
void ns__bulk_free(ns__bulk *b);

#endif /* NS_INDEXER_H */
