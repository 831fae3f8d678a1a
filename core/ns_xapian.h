/*
 * ns_xapian.h: the small C binding to Xapian that the rest of the tree
 * calls.  The implementation (xapian.cc) is the only file that includes
 * <xapian.h>: every function is extern "C" noexcept, catches every
 * exception at the boundary and turns it into an ns_status, keeping the
 * detail message on the handle (or in *errmsg for constructors).
 *
 * Queries are built bottom-up: each constructor takes ownership of the
 * sub-queries it is given (also on failure) and returns NULL when out of
 * memory, so a builder can pass NULLs along and check once at the top.
 */
#ifndef NS_XAPIAN_H
#define NS_XAPIAN_H

#include <stddef.h>
#include <stdint.h>

#include "nsearch.h"
#include "core/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- databases ---------------------------------------------------------- */

typedef struct ns__xdb ns__xdb;

/* ns__xdb_open flags (the NS_OPEN_* bits of nsearch.h). */
ns_status ns__xdb_open(const char *path,
                       unsigned flags,
                       ns__xdb **out,
                       char **errmsg) NS_NOEXCEPT;
void ns__xdb_close(ns__xdb *db) NS_NOEXCEPT;
/** Detail of the last failure, "" if none; valid until the next call. */
const char *ns__xdb_errmsg(const ns__xdb *db) NS_NOEXCEPT;
/** Set the detail message (for callers above the binding). */
void ns__xdb_set_errmsg(ns__xdb *db, const char *msg) NS_NOEXCEPT;
int ns__xdb_writable(const ns__xdb *db) NS_NOEXCEPT;

/** Move a reader to the latest committed revision. */
ns_status ns__xdb_reopen(ns__xdb *db) NS_NOEXCEPT;
ns_status ns__xdb_doccount(ns__xdb *db, uint64_t *out) NS_NOEXCEPT;
/** Whether the database holds word positions (*out 1 or 0): Xapian's
 * has_positions(), which a remote database reports too. */
ns_status ns__xdb_has_positions(ns__xdb *db, int *out) NS_NOEXCEPT;
/** Documents indexed by term (0 if none). */
ns_status ns__xdb_termfreq(ns__xdb *db,
                           const char *term,
                           uint64_t *out) NS_NOEXCEPT;
/** Metadata value of key into out (reset first; empty if unset). */
ns_status ns__xdb_get_metadata(ns__xdb *db,
                               const char *key,
                               ns_buf *out) NS_NOEXCEPT;
ns_status ns__xdb_set_metadata(ns__xdb *db,
                               const char *key,
                               const void *val,
                               size_t len) NS_NOEXCEPT;
/** Call cb for each metadata key starting with prefix; non-zero stops. */
ns_status ns__xdb_metadata_keys(ns__xdb *db,
                                const char *prefix,
                                int (*cb)(const char *key, void *payload),
                                void *payload) NS_NOEXCEPT;
ns_status ns__xdb_commit(ns__xdb *db) NS_NOEXCEPT;
/** Delete every document indexed by term; *n_out (optional) the count. */
ns_status ns__xdb_delete_by_term(ns__xdb *db,
                                 const char *term,
                                 uint64_t *n_out) NS_NOEXCEPT;
/** Delete every document indexed by a term that starts with prefix (not
 * ""); *n_out (optional) the count. */
ns_status ns__xdb_delete_by_prefix(ns__xdb *db,
                                   const char *prefix,
                                   uint64_t *n_out) NS_NOEXCEPT;

/* ---- documents ---------------------------------------------------------- */

typedef struct ns__xdoc ns__xdoc;

ns_status ns__xdoc_new(ns__xdoc **out) NS_NOEXCEPT;
void ns__xdoc_free(ns__xdoc *doc) NS_NOEXCEPT;
/** Empty doc for reuse. */
void ns__xdoc_clear(ns__xdoc *doc) NS_NOEXCEPT;
ns_status ns__xdoc_add_posting(ns__xdoc *doc,
                               const char *term,
                               size_t len,
                               uint32_t pos,
                               unsigned wdfinc) NS_NOEXCEPT;
/** A term without positions; wdfinc 0 makes a boolean (filter) term. */
ns_status ns__xdoc_add_term(ns__xdoc *doc,
                            const char *term,
                            size_t len,
                            unsigned wdfinc) NS_NOEXCEPT;
ns_status ns__xdoc_set_value(ns__xdoc *doc,
                             unsigned slot,
                             const void *val,
                             size_t len) NS_NOEXCEPT;
ns_status ns__xdoc_set_data(ns__xdoc *doc,
                            const void *data,
                            size_t len) NS_NOEXCEPT;
/** Add doc, replacing any document indexed by the unique term idterm. */
ns_status ns__xdb_replace(ns__xdb *db,
                          const char *idterm,
                          const ns__xdoc *doc) NS_NOEXCEPT;

/* ---- queries ------------------------------------------------------------ */

typedef struct ns__xq ns__xq;

typedef enum ns__xq_op {
    NS_XQ_AND,
    NS_XQ_OR,
    NS_XQ_AND_NOT, /* first AND NOT (the rest ORed) */
    NS_XQ_AND_MAYBE,
    NS_XQ_FILTER,  /* first, filtered by the rest (no weight) */
    NS_XQ_PHRASE,  /* window 0: exact */
    NS_XQ_NEAR,    /* any order within window */
    NS_XQ_SYNONYM,
    NS_XQ_ELITE_SET
} ns__xq_op;

ns__xq *ns__xq_term(const char *term,
                    size_t len,
                    unsigned wqf,
                    uint32_t pos) NS_NOEXCEPT;
/** Takes ownership of subs[0..n); the array itself stays the caller's. */
ns__xq *ns__xq_combine(ns__xq_op op,
                       ns__xq **subs,
                       size_t n,
                       unsigned window) NS_NOEXCEPT;
/** Documents whose value in slot is within [lo, hi]; NULL means open. */
ns__xq *ns__xq_value_range(unsigned slot,
                           const char *lo,
                           const char *hi) NS_NOEXCEPT;
/** Terms starting with prefix (at most max_expansion of them). */
ns__xq *ns__xq_wildcard(const char *prefix, unsigned max_expansion) NS_NOEXCEPT;
ns__xq *ns__xq_scale(ns__xq *q, double factor) NS_NOEXCEPT;
/** A copy of q (NULL when out of memory). */
ns__xq *ns__xq_clone(const ns__xq *q) NS_NOEXCEPT;
/** Whether a and b are the same query object (one a copy of the other, or
 * the one sub-query a combination of one was made of); 0 if either is
 * NULL. */
int ns__xq_same(const ns__xq *a, const ns__xq *b) NS_NOEXCEPT;
ns__xq *ns__xq_match_all(void) NS_NOEXCEPT;
void ns__xq_free(ns__xq *q) NS_NOEXCEPT;
/**
 * A leaf of no weight that matches the documents cb accepts: what the
 * index alone cannot decide (a phrase, NEAR or ADJ, checked on position
 * maps or the stored text: searcher/verify.c).  Filter an AND with it
 * (ns__xq_combine(NS_XQ_FILTER, ...)): it says it matches every document,
 * so that the AND's terms drive the match and cb is asked only about the
 * documents they all hold.  cb receives the document's id (in its own
 * database, for messages) and vals, which reads its values (its position
 * map: schema.h), with data NULL; it returns 1 (a match), 0 (not one),
 * NS__XVERIFY_NEED_DATA to be asked again with data (the stored record)
 * too, or a negated ns_status: the search then fails with that status
 * and the message *why (if set; valid until the next call).  payload
 * must outlive every search of the query.  A remote database
 * (xapian-tcpsrv) cannot run it: its search fails.
 */
typedef struct ns__xvalues {
    /* The value in slot of the document being checked, and its length:
     * NULL when it has none.  Valid until the next document. */
    const char *(*get)(void *ctx, unsigned slot, size_t *len);
    void *ctx;
} ns__xvalues;
typedef int (*ns__xverify_cb)(void *payload,
                              uint32_t docid,
                              const ns__xvalues *vals,
                              const char *data,
                              size_t len,
                              const char **why);
#define NS__XVERIFY_NEED_DATA 2
/** desc: what it checks, for its description ("nsearch.verify " + desc). */
ns__xq *ns__xq_verify(ns__xverify_cb cb,
                      void *payload,
                      const char *desc) NS_NOEXCEPT;
/** Xapian's description of q (ns_free it), for tests and --debug. */
char *ns__xq_describe(const ns__xq *q) NS_NOEXCEPT;

/* ---- searching ---------------------------------------------------------- */

/* What to fetch per result. */
#define NS_XFETCH_NONE 0
#define NS_XFETCH_ID   1 /* the NS_SLOT_ID value */
#define NS_XFETCH_DATA 2 /* the stored record */

#define NS_XFACETS_MAX 2

typedef struct ns__xsearch_opts {
    unsigned offset;
    unsigned limit;
    int sort;          /* 0 relevance; 1 value descending; 2 ascending */
    unsigned sort_slot;
    unsigned fetch;    /* NS_XFETCH_* */
    double k1, b;      /* BM25 parameters; 0 means Xapian's defaults */
    /* Pseudo-relevance feedback (sort 0 only): the prf_terms best terms
     * of the top prf_docs results (Xapian's ESet, unprefixed terms not in
     * the query), each weighted by its ESet weight relative to the best
     * one, times prf_weight, are added to the query: ORed when prf_or (the
     * query must then be words only, no filter), else they only rank its
     * matches again (AND_MAYBE).  0 docs: off. */
    unsigned prf_docs, prf_terms;
    double prf_weight;
    int prf_or;
    /* A recency prior (sort 0 only, recent_weight > 0): each result gains
     * recent_weight * 2^(-age / recent_halflife), its age in days behind
     * the newest date in recent_slot ("YYYYMMDDhhmmss" values). */
    double recent_weight, recent_halflife;
    unsigned recent_slot;
    /* With collapse: of the matches with the same non-empty value in
     * collapse_slot only the best is a result (Xapian's collapse key), and
     * it counts the others (ns__xhit.collapsed, at least). */
    int collapse;
    unsigned collapse_slot;
    /* Count every match by the value in facet_slot[i], cut to its first
     * facet_len[i] bytes (0: whole), for i < n_facets (match spies). */
    unsigned n_facets;
    unsigned facet_slot[NS_XFACETS_MAX];
    unsigned facet_len[NS_XFACETS_MAX];
    /* Only the matches that decider (an ns__xverify_cb, with
     * decider_payload) accepts are results, and it is asked late: about
     * the matches that would rank among the results (Xapian's
     * MatchDecider, after the weight cut-off), not every match.  The
     * query must hold no other condition than it for that to be exact
     * (a query that is one phrase: searcher/query.c).  NULL: none. */
    ns__xverify_cb decider;
    void *decider_payload;
    /* With NS_XFETCH_DATA: bit s set, each result's value in slot s too
     * (s < NS_XHIT_SLOTS). */
    uint32_t fetch_values;
} ns__xsearch_opts;

#define NS_XHIT_SLOTS 16

typedef struct ns__xhit {
    uint32_t docid;
    double weight;
    char *data; /* fetched bytes (NUL-terminated), or NULL */
    size_t data_len;
    uint32_t collapsed; /* matches collapsed into this one */
    /* The values of ns__xsearch_opts.fetch_values (NULL: none). */
    char *val[NS_XHIT_SLOTS];
    size_t val_len[NS_XHIT_SLOTS];
} ns__xhit;

/* One counted facet value. */
typedef struct ns__xfacet {
    char *value; /* NUL-terminated */
    uint64_t count;
} ns__xfacet;

typedef struct ns__xmset {
    ns__xhit *hits;
    size_t n;
    uint64_t estimate;
    ns__xfacet *facets[NS_XFACETS_MAX]; /* by value, in byte order */
    size_t n_facets[NS_XFACETS_MAX];
} ns__xmset;

/**
 * Run q.  If the index is modified under the search, reopen and retry, so
 * a reader never fails because a writer committed.
 */
ns_status ns__xdb_search(ns__xdb *db,
                         const ns__xq *q,
                         const ns__xsearch_opts *opts,
                         ns__xmset **out) NS_NOEXCEPT;
void ns__xmset_free(ns__xmset *m) NS_NOEXCEPT;

/* ---- spelling ----------------------------------------------------------- */

/** Add inc to the spelling frequency of word (a writer; the change is
 * committed with the documents). */
ns_status ns__xdb_add_spelling(ns__xdb *db,
                               const char *word,
                               size_t len,
                               unsigned inc) NS_NOEXCEPT;
/**
 * The most frequent word of the index's spelling data within max_edits
 * edits of word (Xapian's get_spelling_suggestion) into out, reset first;
 * empty when there is none or word is itself the best.
 */
ns_status ns__xdb_spelling(ns__xdb *db,
                           const char *word,
                           unsigned max_edits,
                           ns_buf *out) NS_NOEXCEPT;
/**
 * The index term closest to word (fewest edits, at most max_edits; then
 * the most frequent) among the terms that share its first prefix_len
 * bytes, other than word itself, into out (reset first; empty if none)
 * and its frequency into *freq.  Reads at most NS_XCLOSEST_MAX terms.
 */
#define NS_XCLOSEST_MAX 50000
ns_status ns__xdb_closest_term(ns__xdb *db,
                               const char *word,
                               size_t prefix_len,
                               unsigned max_edits,
                               ns_buf *out,
                               uint64_t *freq) NS_NOEXCEPT;

/* ---- index maintenance (the indexer and core/db.c) ---------------------- */

/*
 * ns__xdb_open flag, with NS_OPEN_WRITE: a database that only this writer
 * sees until it is complete (a generation being built, a shard), updated
 * in place (Xapian's DB_DANGEROUS: less I/O, a more compact result) and
 * never synced (DB_NO_SYNC); with NS_OPEN_CREATE, created afresh (over
 * whatever is there).  Whoever publishes it syncs its files first.
 */
#define NS__XOPEN_BUILD 0x100u

/**
 * Add doc, replacing any document indexed by the unique term idterm (the
 * replaced document keeps its id); *docid_out (optional) receives the id.
 */
ns_status ns__xdb_replace_id(ns__xdb *db,
                             const char *idterm,
                             const ns__xdoc *doc,
                             uint32_t *docid_out) NS_NOEXCEPT;
/**
 * Add doc as a new document, without looking for one to replace (the
 * caller knows its unique term is new); *docid_out (optional) receives
 * the id.
 */
ns_status ns__xdb_add(ns__xdb *db,
                      const ns__xdoc *doc,
                      uint32_t *docid_out) NS_NOEXCEPT;
/**
 * The first document indexed by term: its id into *docid_out and its value
 * in slot into value (reset first; empty if unset).  NS_ERR_NOT_FOUND when
 * no document has the term.  A writer sees its uncommitted changes.
 */
ns_status ns__xdb_find(ns__xdb *db,
                       const char *term,
                       unsigned slot,
                       uint32_t *docid_out,
                       ns_buf *value) NS_NOEXCEPT;
/** Call cb with the id and the data of every document, in increasing id
 * order; a non-zero return stops (NS_ERR_ABORTED).  Do not change the
 * database from cb.  For measurements (bench/store_ratio.c). */
ns_status ns__xdb_each_data(ns__xdb *db,
                            int (*cb)(uint32_t docid,
                                      const char *data,
                                      size_t len,
                                      void *payload),
                            void *payload) NS_NOEXCEPT;
/** Call cb with the id of each document indexed by term, in increasing
 * order; a non-zero return stops (NS_ERR_ABORTED).  Do not change the
 * database from cb. */
ns_status ns__xdb_postlist(ns__xdb *db,
                           const char *term,
                           int (*cb)(uint32_t docid, void *payload),
                           void *payload) NS_NOEXCEPT;
ns_status ns__xdb_delete_docid(ns__xdb *db, uint32_t docid) NS_NOEXCEPT;
/**
 * The wdf of each of terms[0, n_terms) in each of docids[0, n_docs):
 * out[d * n_terms + t], 0 where the document lacks the term.  Read from
 * the revision the handle has open (a search's: no reopen), so the ids of
 * its results stay valid; a writer's commit over it fails the call
 * (NS_ERR_INDEX_MODIFIED).  Each term's posting list is read once, its
 * documents visited in id order.
 */
ns_status ns__xdb_wdfs(ns__xdb *db,
                       const char *const *terms,
                       size_t n_terms,
                       const uint32_t *docids,
                       size_t n_docs,
                       uint32_t *out) NS_NOEXCEPT;
/** The number of distinct terms that start with prefix. */
ns_status ns__xdb_count_terms(ns__xdb *db,
                              const char *prefix,
                              uint64_t *out) NS_NOEXCEPT;
/** The revision the handle reads (increases with each commit). */
ns_status ns__xdb_revision(ns__xdb *db, uint64_t *out) NS_NOEXCEPT;
/**
 * Compact (and merge) the committed revisions of srcs[0..n) into a new
 * database at dest (a directory that must not exist or be empty), with
 * Xapian's full compaction; document ids are renumbered in order.  The
 * user metadata is merged: for a key set in several sources, the first
 * source's value wins.  Reports errors in *errmsg (ns_free it).
 */
ns_status ns__xdb_compact(ns__xdb *const *srcs,
                          size_t n,
                          const char *dest,
                          char **errmsg) NS_NOEXCEPT;
/**
 * Call cb(payload) each time the handle moves to a newer revision (a search
 * or a read retried after a writer's commit, ns__xdb_reopen), so its owner
 * can load what the new revision added (the first zstd dictionary).
 */
void ns__xdb_on_reopen(ns__xdb *db,
                       void (*cb)(void *payload),
                       void *payload) NS_NOEXCEPT;

/* ---- stemmers (xapian_stem.cc) ------------------------------------------ */

typedef struct ns__xstem ns__xstem;

/**
 * The names of the Snowball stemmers this Xapian has ("arabic", ...,
 * "english", ..., "turkish"): NUL-terminated names one after the other, the
 * last followed by a second NUL.  Static storage, never freed; "" (a lone
 * NUL) when out of memory.  Aliases ("en", "none") are not listed.
 */
const char *ns__xstem_list(void) NS_NOEXCEPT;
/** A stemmer for name (one from ns__xstem_list()).  Returns NS_OK;
 * NS_ERR_INVALID_ARG (an unknown name); NS_ERR_NOMEM. */
ns_status ns__xstem_new(const char *name, ns__xstem **out) NS_NOEXCEPT;
void ns__xstem_free(ns__xstem *s) NS_NOEXCEPT;
/**
 * Stem word[0, len) (UTF-8, already folded); *out receives the stem, valid
 * until the next call on s or its free, NUL-terminated, *out_len its
 * length.  One stemmer is used by one thread at a time.  Returns NS_OK;
 * NS_ERR_NOMEM.
 */
ns_status ns__xstem_stem(ns__xstem *s,
                         const char *word,
                         size_t len,
                         const char **out,
                         size_t *out_len) NS_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif /* NS_XAPIAN_H */
