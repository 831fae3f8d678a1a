/*
 * db.h: what an ns_db handle holds.  core/db.c opens and closes it; the
 * indexer and the searcher keep their own state on it behind the `indexer`
 * and `searcher` pointers, each with its own destructor, so that neither
 * module needs to know the other.
 */
#ifndef NS_DB_H
#define NS_DB_H

#include "nsearch.h"
#include "core/analyze.h"
#include "core/ns_xapian.h"
#include "core/store.h"
#include "core/util.h"

struct ns_db {
    ns__xdb *x;
    ns_analyzer *analyzer;
    ns__store *store;
    unsigned flags;
    char *path;
    int has_dict;         /* the index has a trained dictionary */
    int dict_file_ok;     /* its file (NS_ZDICT_FILE) is known to match */
    void *indexer;        /* the indexer's state, or NULL */
    void (*indexer_free)(ns_db *db);
    void *searcher;       /* the searcher's state, or NULL */
    void (*searcher_free)(ns_db *db);
    ns_buf info_analyzer; /* ns_db_stat's strings */
    ns_buf info_updated;
    ns_buf info_writer;
    int lock_fd;          /* writer: the held index lock file, else -1 */
    int dirty;            /* writer: changes since the last commit */
    char *dir;            /* the database open: path, or path/gen-N */
    unsigned gen;         /* N of dir; 0 when path is the database */
    int building;         /* writer: dir is a new generation, not yet live */
    int readers_fd;       /* reader: shared lock on dir's readers file */
    int fresh;            /* writer: dir is a new index's first generation */
    int compacted;        /* writer: nothing written since a compaction */
    ns_buf info_location; /* ns_db_stat's location */
    int positions;        /* the index keeps word positions (schema.h) */
    int live_positions;   /* rebuild: the live index's, -1 none */
    void *shards;         /* a sharded index's state (core/shards.c), or NULL */
    void (*shards_free)(ns_db *db);
};

/* Every public call on a handle starts with this: ns_db_errmsg() is the
 * detail of the last call's failure, "" after a success. */
void ns__db_clear_error(ns_db *db);
/** Set the handle's detail message (printf-style). */
void ns__db_errorf(ns_db *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The layout of an index directory (see ns_db_publish in nsearch.h):
 *
 *   nsearch.lock      the writer lock; names its holder
 *   XAPIANDB          a Xapian stub file naming the live generation,
 *                     "auto gen-N" (Xapian itself opens the directory so)
 *   gen-N/            a generation: a glass database, with
 *   gen-N/nsearch.readers   read-locked (shared) by every reader of it
 *   gen-N/nsearch.zdict     a copy of the compression dictionary (the
 *                     metadata nsearch.zdict), which readers map instead
 *                     of reading it from Xapian (core/db.c, schema.h)
 *
 * An index made before generations (or by other tools) is itself a glass
 * database (iamglass, no stub) and is read and updated in place; a rebuild
 * or a compaction turns it into the layout above.  Xapian prefers
 * iamglass to XAPIANDB, and so do we.
 */
#define NS_LOCK_FILE    "nsearch.lock"
#define NS_STUB_FILE    "XAPIANDB"
#define NS_READERS_FILE "nsearch.readers"
#define NS_ZDICT_FILE   "nsearch.zdict"
#define NS_GEN_PREFIX   "gen-"

/**
 * Take the writer lock of the index directory dir, waiting up to timeout_ms
 * (0: not at all; negative: forever) while another writer holds it, and
 * write the holder's description into the file.  *fd_out receives the
 * descriptor to pass to ns__lock_release.
 * Returns: NS_OK; NS_ERR_INDEX_LOCKED (holder: its description, or "" if
 * unknown; the caller's buffer, reset first); NS_ERR_IO (errno set).
 */
ns_status ns__lock_acquire(const char *dir,
                           int timeout_ms,
                           int *fd_out,
                           ns_buf *holder);
/** Release a lock taken by ns__lock_acquire (-1 is a no-op). */
void ns__lock_release(int fd);
/**
 * Whether a writer holds the lock of dir: 1 with its description in holder
 * ("" if it did not write one), 0 when none does (or there is no lock
 * file), -1 on an error.
 */
int ns__lock_holder(const char *dir, ns_buf *holder);

/**
 * Make the generation db writes the live one: commit, sync its files, point
 * the stub at it (rename(2) over XAPIANDB: a reader opens either the old
 * generation or the new one, never a part), then delete the generations no
 * reader holds.  The handle goes on writing the new live generation.
 * Returns: NS_OK; NS_ERR_INVALID_ARG (not a writer of a new generation);
 * NS_ERR_IO; NS_ERR_DISK_FULL; NS_ERR_BACKEND.
 */
ns_status ns__db_publish(ns_db *db);

/**
 * Compact db's database into a new generation and make that one live (or,
 * when db builds a generation, replace it).  Pending changes are committed
 * first; the caller flushes what it holds.  Returns as ns__db_publish.
 */
ns_status ns__db_compact(ns_db *db);

/**
 * A private writer for a bulk build's shard: a new generation directory of
 * parent's index, updated in place and unsynced (NS__XOPEN_BUILD), with an
 * analyzer made from parent's spec and a store using dict (len 0: none).
 * It has no metadata of its own.  Closing it deletes its directory (it is
 * "building"); merge it first with ns__db_merge.  Call from one thread
 * (it reserves a generation number); use from another.
 */
ns_status ns__db_open_shard(ns_db *parent,
                            const void *dict,
                            size_t dict_len,
                            ns_db **out);

/**
 * Merge shards[0..n) (committed here) by compaction into a new generation,
 * which db then writes, privately (db->building): the generation db was
 * building is deleted; a live one stays live until ns__db_publish.  The
 * caller writes the metadata (schema, analyzer, dictionary, records) into
 * it before publishing.  The shards stay open (close them: their
 * directories go).  On failure db is as it was.
 */
ns_status ns__db_merge(ns_db *db, ns_db *const *shards, size_t n);

/** Write the schema version and analyzer spec into db's metadata. */
ns_status ns__db_write_settings(ns_db *db);

/** If anything changed since the last commit (db->dirty), record the
 * commit time in the metadata and commit: a run that changes nothing
 * writes nothing. */
ns_status ns__db_commit(ns_db *db);

/* For core/shards.c, whose sharded indexes are directories of this layout
 * too, with a stub that lists shards instead of a generation. */
/** Write text as path's stub, atomically (rename(2) over XAPIANDB), and
 * sync it.  Returns: NS_OK; NS_ERR_IO; NS_ERR_DISK_FULL; NS_ERR_NOMEM. */
ns_status ns__stub_write(const char *path, const char *text);
/**
 * Copy the caller's ns_open_options (NULL: the defaults), of any version
 * and alignment, into *o of this version.  NS_ERR_INVALID_ARG for an
 * unknown version.
 */
ns_status ns__open_options(const ns_open_options *opts,
                           ns_open_options *o,
                           char **errmsg);

/** "gen-N" -> N (> 0), anything else -> 0: a generation's directory name. */
unsigned ns__db_gen_number(const char *name);
/** The N of a new generation of path: the highest gen-N there, plus 1. */
unsigned ns__db_next_gen(const char *path);
/** Make dir, a complete new generation, one readers can hold: its
 * readers file, and all its files synced.  Returns as ns__stub_write. */
ns_status ns__db_seal_gen(const char *dir);
/** Delete dir, a generation, unless a reader holds it: 1 deleted, 0 kept,
 * -1 error. */
int ns__db_delete_unread(const char *dir);

#endif /* NS_DB_H */
