/*
 * shards.h: sharded indexes (core/shards.c), and the two calls of the
 * binding they need (core/xapian_shards.cc).  db.c hands a sharded index,
 * or one shard of it, to ns__shards_open; the searcher runs its searches
 * through ns__shards_search, which keeps the remote shards connected.
 *
 * A sharded index is a directory whose stub (XAPIANDB) lists shards, in
 * Xapian's stub format, so that Xapian's own tools open it too:
 *
 *   # a comment                  (ignored)
 *   auto shards/NAME             a local shard, named NAME: a whole index
 *   auto PATH                    any other database Xapian opens (e.g. a
 *                                replica made by xapian-replicate), named
 *                                PATH as written; relative to the index
 *   remote HOST:PORT             a remote shard, named HOST:PORT
 *
 * A stub of one line "auto gen-N" is a single index's (db.c), not a list.
 */
#ifndef NS_SHARDS_H
#define NS_SHARDS_H

#include "core/db.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where a sharded index keeps its local shards, and the file a merge
 * leaves in each shard it merged, until it is deleted (when no reader
 * holds it any more: see ns_shards_merge). */
#define NS_SHARDS_DIR  "shards"
#define NS_MERGED_MARK "nsearch.merged"
/* Metadata keys, "nsearch.zdict:" + 8 hex digits (the id): the
 * dictionaries of the other shards merged into an index, whose articles
 * keep the frames they were compressed into (see schema.h). */
#define NS_META_ZDICT_MORE "nsearch.zdict:"

/**
 * If path (or opts->shard) is for core/shards.c, open it: a sharded index
 * read as one (read-only), or one of its shards (opts->shard).  Returns
 * NS_ERR_NOT_FOUND, having done nothing, when path is an index of another
 * kind (db.c's); else as ns_db_open_v2.
 */
ns_status ns__shards_open(const char *path,
                          const ns_open_options *opts,
                          ns_db **out,
                          char **errmsg);

/**
 * Run a search on a sharded index's handle: reconnect the remote shards
 * that did not answer before, search, and when a shard stops answering
 * during the search, connect again and search once more without the
 * shards that still do not answer (NS_OPEN_PARTIAL) or fail naming them.
 * Returns as ns__xdb_search, and NS_ERR_SHARD_UNAVAILABLE.
 */
ns_status ns__shards_search(ns_db *db,
                            const ns__xq *q,
                            const ns__xsearch_opts *opts,
                            ns__xmset **out);

/**
 * The names of the shards the last search of db left out, each followed by
 * a NUL, in a new string (ns_free it) of *len bytes; NULL with *len 0 when
 * none was.  NS_ERR_NOMEM is NULL with *len 1.
 */
char *ns__shards_missing(ns_db *db, size_t *len);

/** Whether db is a sharded index with a remote shard (a search there
 * can run only Xapian's own operators: searcher/query.c). */
int ns__shards_has_remote(const ns_db *db);
/** The name of a shard of db, holding articles, whose database has no word
 * positions (a plain index of format 2 added as a shard: schema.h), or
 * NULL when every one has them (or cannot be asked now). */
const char *ns__shards_without_positions(ns_db *db);
/** Whether phrases, NEAR and ADJ are matched on db's word positions
 * (Xapian's operators) rather than checked on the stored text: a plain
 * index that keeps them; a sharded index with a remote shard, or whose
 * shards all keep them (schema.h). */
int ns__db_positions(const ns_db *db);
/** How db keeps word positions (NS_POSITIONS_*, schema.h): a sharded
 * index's shards' way when they share it; NS_POSITIONS_MAP when they keep
 * positions in both ways (phrases are then checked, on the maps where
 * there are some); NONE when one keeps none; XAPIAN with a remote
 * shard. */
int ns__db_positions_kind(const ns_db *db);

/** ns_db_stat's figures of a sharded index: sizes, files and the last
 * update summed over its shards (the rest is the combined database's). */
ns_status ns__shards_stat(ns_db *db, ns_db_info *info);

/** Load the dictionaries NS_META_ZDICT_MORE of db's database into its
 * store (an index merged from shards). */
ns_status ns__shards_load_dicts(ns_db *db);

/* ---- the binding (core/xapian_shards.cc) ------------------------------- */

/**
 * Connect to the database xapian-tcpsrv serves at host:port: each answer
 * waited for at most timeout_ms, the connection connect_timeout_ms (0:
 * 10000; negative: forever).  Errors as ns__xdb_open; a server that does
 * not answer is NS_ERR_SHARD_UNAVAILABLE.
 */
ns_status ns__xdb_open_remote(const char *host,
                              unsigned port,
                              int timeout_ms,
                              int connect_timeout_ms,
                              ns__xdb **out,
                              char **errmsg) NS_NOEXCEPT;
/**
 * A read-only database searching subs[0..n) as one, with their combined
 * statistics (Xapian's multi-database; n may be 0).  The subs stay the
 * caller's; it shares their state, so a reopen of one reopens the other.
 */
ns_status
ns__xdb_combine(ns__xdb *const *subs, size_t n, ns__xdb **out) NS_NOEXCEPT;

/**
 * `prefix*` (see ns__xq_wildcard), on a sharded index's db expanded now (an
 * OP_SYNONYM of the max_expansion most frequent terms): Xapian would expand
 * it and weigh its terms in each shard alone, here the terms and their
 * weights are those of one index.  Otherwise ns__xq_wildcard's.
 */
ns__xq *ns__xq_wildcard_in(ns__xdb *db,
                           const char *prefix,
                           unsigned max_expansion) NS_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif /* NS_SHARDS_H */
