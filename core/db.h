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
};

/** Set the handle's detail message (printf-style). */
void ns__db_errorf(ns_db *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Record the commit time in the metadata and commit. */
ns_status ns__db_commit(ns_db *db);

#endif /* NS_DB_H */
