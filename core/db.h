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
    void *indexer;        /* the indexer's state, or NULL */
    void (*indexer_free)(ns_db *db);
    void *searcher;       /* the searcher's state, or NULL */
    void (*searcher_free)(ns_db *db);
    ns_buf info_analyzer; /* ns_db_stat's strings */
    ns_buf info_updated;
    ns_buf info_writer;
    int lock_fd;          /* writer: the held index lock file, else -1 */
    int dirty;            /* writer: changes since the last commit */
};

/** Set the handle's detail message (printf-style). */
void ns__db_errorf(ns_db *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The writer lock file in the index directory (see ns_db_open_v2). */
#define NS_LOCK_FILE "nsearch.lock"

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

/** If anything changed since the last commit (db->dirty), record the
 * commit time in the metadata and commit: a run that changes nothing
 * writes nothing. */
ns_status ns__db_commit(ns_db *db);

#endif /* NS_DB_H */
