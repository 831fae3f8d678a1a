/*
 * xapian_db.cc: databases, documents and searches of the C binding.  Every
 * function has the same shape: check arguments, try the Xapian calls, and
 * turn any exception into a status through ns__status_from_exception.
 */
#include "core/xapian_impl.h"
#include "core/schema.h"

#include <cstdlib>
#include <cstring>
#include <new>

#define NS_TRY try {
#define NS_CATCH(db)                                                        \
    }                                                                       \
    catch (...)                                                             \
    {                                                                       \
        return ns__status_from_exception((db) ? &(db)->errmsg : nullptr);   \
    }

/* A reader moved to a newer revision: tell its owner (ns__xdb_on_reopen). */
static void
reopened(ns__xdb *db) noexcept
{
    if (db->on_reopen)
        db->on_reopen(db->on_reopen_payload);
}

static char *
dup_string(const std::string &s) noexcept
{
    return ns__strndup(s.data(), s.size());
}

extern "C" ns_status
ns__xdb_open(const char *path,
             unsigned flags,
             ns__xdb **out,
             char **errmsg) noexcept
{
    if (errmsg)
        *errmsg = nullptr;
    if (!out)
        return NS_ERR_INVALID_ARG;
    *out = nullptr;
    if (!path)
        return NS_ERR_INVALID_ARG;
    ns__xdb *db = new (std::nothrow) ns__xdb();
    if (!db)
        return NS_ERR_NOMEM;
    try {
        db->path = path;
        if (flags & NS_OPEN_WRITE) {
            int action = (flags & NS_OPEN_CREATE) ? Xapian::DB_CREATE_OR_OPEN
                                                  : Xapian::DB_OPEN;
            if (flags & NS__XOPEN_BUILD)
                action = ((flags & NS_OPEN_CREATE)
                              ? Xapian::DB_CREATE_OR_OVERWRITE
                              : Xapian::DB_OPEN) |
                         Xapian::DB_DANGEROUS | Xapian::DB_NO_SYNC;
            db->wdb = new Xapian::WritableDatabase(path, action);
            db->rdb = db->wdb;
        } else {
            /* A writer's commit can discard the revision being opened:
             * open again (at most 10 times), as searches retry. */
            for (int attempt = 0;; attempt++) {
                try {
                    db->rdb = new Xapian::Database(path);
                    break;
                } catch (const Xapian::DatabaseModifiedError &) {
                    if (attempt == 9)
                        throw;
                }
            }
        }
    } catch (...) {
        std::string msg;
        ns_status st = ns__status_from_exception(&msg);
        if (errmsg)
            *errmsg = dup_string(msg);
        delete db;
        return st;
    }
    *out = db;
    return NS_OK;
}

extern "C" void
ns__xdb_close(ns__xdb *db) noexcept
{
    if (!db)
        return;
    try {
        if (db->wdb)
            db->wdb->close(); /* commits pending changes */
    } catch (...) {
        /* The caller wanted the status: it should have committed. */
    }
    delete db->rdb;
    delete db;
}

extern "C" const char *
ns__xdb_errmsg(const ns__xdb *db) noexcept
{
    return db ? db->errmsg.c_str() : "";
}

extern "C" void
ns__xdb_set_errmsg(ns__xdb *db, const char *msg) noexcept
{
    if (!db)
        return;
    try {
        db->errmsg = msg ? msg : "";
    } catch (...) {
    }
}

extern "C" int
ns__xdb_writable(const ns__xdb *db) noexcept
{
    return db && db->wdb;
}

extern "C" ns_status
ns__xdb_reopen(ns__xdb *db) noexcept
{
    if (!db)
        return NS_ERR_INVALID_ARG;
    NS_TRY
    db->rdb->reopen();
    reopened(db);
    return NS_OK;
    NS_CATCH(db)
}

/*
 * Run a read on db.  A writer's commits can discard the revision a reader
 * reads (DatabaseModifiedError): then move to the latest revision and read
 * again, so that opening or describing an index never fails because a
 * writer committed, as ns__xdb_search does for searches.
 */
template <typename Read>
static ns_status
read_retrying(ns__xdb *db, Read read) noexcept
{
    for (int attempt = 0;; attempt++) {
        try {
            return read();
        } catch (const Xapian::DatabaseModifiedError &) {
            if (attempt == 9)
                return ns__status_from_exception(&db->errmsg);
        } catch (...) {
            return ns__status_from_exception(&db->errmsg);
        }
        try {
            db->rdb->reopen();
            reopened(db);
        } catch (...) {
            return ns__status_from_exception(&db->errmsg);
        }
    }
}

extern "C" ns_status
ns__xdb_doccount(ns__xdb *db, uint64_t *out) noexcept
{
    if (!db || !out)
        return NS_ERR_INVALID_ARG;
    return read_retrying(db, [&] {
        *out = db->rdb->get_doccount();
        return NS_OK;
    });
}

extern "C" ns_status
ns__xdb_termfreq(ns__xdb *db, const char *term, uint64_t *out) noexcept
{
    if (!db || !term || !out)
        return NS_ERR_INVALID_ARG;
    return read_retrying(db, [&] {
        *out = db->rdb->get_termfreq(term);
        return NS_OK;
    });
}

extern "C" ns_status
ns__xdb_get_metadata(ns__xdb *db, const char *key, ns_buf *out) noexcept
{
    if (!db || !key || !out)
        return NS_ERR_INVALID_ARG;
    return read_retrying(db, [&] {
        ns__buf_reset(out);
        std::string v = db->rdb->get_metadata(key);
        ns__buf_append(out, v.data(), v.size());
        return out->oom ? NS_ERR_NOMEM : NS_OK;
    });
}

extern "C" ns_status
ns__xdb_set_metadata(ns__xdb *db,
                     const char *key,
                     const void *val,
                     size_t len) noexcept
{
    if (!db || !key || (!val && len))
        return NS_ERR_INVALID_ARG;
    if (!db->wdb)
        return NS_ERR_INVALID_ARG;
    NS_TRY
    db->wdb->set_metadata(key,
                          std::string(static_cast<const char *>(val), len));
    return NS_OK;
    NS_CATCH(db)
}

extern "C" ns_status
ns__xdb_metadata_keys(ns__xdb *db,
                      const char *prefix,
                      int (*cb)(const char *key, void *payload),
                      void *payload) noexcept
{
    if (!db || !cb)
        return NS_ERR_INVALID_ARG;
    NS_TRY
    std::string p = prefix ? prefix : "";
    for (auto it = db->rdb->metadata_keys_begin(p);
         it != db->rdb->metadata_keys_end(p); ++it) {
        if (cb((*it).c_str(), payload))
            return NS_ERR_ABORTED;
    }
    return NS_OK;
    NS_CATCH(db)
}

extern "C" ns_status
ns__xdb_commit(ns__xdb *db) noexcept
{
    if (!db || !db->wdb)
        return NS_ERR_INVALID_ARG;
    NS_TRY
    db->wdb->commit();
    return NS_OK;
    NS_CATCH(db)
}

extern "C" ns_status
ns__xdb_delete_by_term(ns__xdb *db, const char *term, uint64_t *n_out) noexcept
{
    if (!db || !db->wdb || !term)
        return NS_ERR_INVALID_ARG;
    NS_TRY
    if (n_out)
        *n_out = db->wdb->get_termfreq(term);
    db->wdb->delete_document(term);
    return NS_OK;
    NS_CATCH(db)
}

/* ---- documents ---------------------------------------------------------- */

extern "C" ns_status
ns__xdoc_new(ns__xdoc **out) noexcept
{
    if (!out)
        return NS_ERR_INVALID_ARG;
    /* nothrow covers the allocation, not Xapian::Document's constructor,
     * which allocates too: a bad_alloc must not escape a noexcept. */
    try {
        *out = new ns__xdoc();
    } catch (...) {
        *out = nullptr;
        return ns__status_from_exception(nullptr);
    }
    return NS_OK;
}

extern "C" void
ns__xdoc_free(ns__xdoc *doc) noexcept
{
    delete doc;
}

extern "C" void
ns__xdoc_clear(ns__xdoc *doc) noexcept
{
    if (!doc)
        return;
    try {
        doc->doc = Xapian::Document();
    } catch (...) {
    }
}

extern "C" ns_status
ns__xdoc_add_posting(ns__xdoc *doc,
                     const char *term,
                     size_t len,
                     uint32_t pos,
                     unsigned wdfinc) noexcept
{
    if (!doc || !term || !len)
        return NS_ERR_INVALID_ARG;
    NS_TRY
    doc->doc.add_posting(std::string(term, len), pos + 1, wdfinc);
    return NS_OK;
    NS_CATCH(static_cast<ns__xdb *>(nullptr))
}

extern "C" ns_status
ns__xdoc_add_term(ns__xdoc *doc,
                  const char *term,
                  size_t len,
                  unsigned wdfinc) noexcept
{
    if (!doc || !term || !len)
        return NS_ERR_INVALID_ARG;
    NS_TRY
    if (wdfinc)
        doc->doc.add_term(std::string(term, len), wdfinc);
    else
        doc->doc.add_boolean_term(std::string(term, len));
    return NS_OK;
    NS_CATCH(static_cast<ns__xdb *>(nullptr))
}

extern "C" ns_status
ns__xdoc_set_value(ns__xdoc *doc,
                   unsigned slot,
                   const void *val,
                   size_t len) noexcept
{
    if (!doc || (!val && len))
        return NS_ERR_INVALID_ARG;
    NS_TRY
    doc->doc.add_value(slot, std::string(static_cast<const char *>(val), len));
    return NS_OK;
    NS_CATCH(static_cast<ns__xdb *>(nullptr))
}

extern "C" ns_status
ns__xdoc_set_data(ns__xdoc *doc, const void *data, size_t len) noexcept
{
    if (!doc || (!data && len))
        return NS_ERR_INVALID_ARG;
    NS_TRY
    doc->doc.set_data(std::string(static_cast<const char *>(data), len));
    return NS_OK;
    NS_CATCH(static_cast<ns__xdb *>(nullptr))
}

extern "C" ns_status
ns__xdb_replace(ns__xdb *db, const char *idterm, const ns__xdoc *doc) noexcept
{
    if (!db || !db->wdb || !idterm || !doc)
        return NS_ERR_INVALID_ARG;
    NS_TRY
    db->wdb->replace_document(idterm, doc->doc);
    return NS_OK;
    NS_CATCH(db)
}

/* ---- searching ---------------------------------------------------------- */

static void
free_hits(ns__xmset *m) noexcept
{
    for (size_t i = 0; i < m->n; i++)
        ns_free(m->hits[i].data);
    ns_free(m->hits);
    m->hits = nullptr;
    m->n = 0;
}

extern "C" void
ns__xmset_free(ns__xmset *m) noexcept
{
    if (!m)
        return;
    free_hits(m);
    ns_free(m);
}

/* One attempt; may throw DatabaseModifiedError, which the caller retries. */
static ns_status
search_once(ns__xdb *db,
            const Xapian::Query &q,
            const ns__xsearch_opts *o,
            ns__xmset *m)
{
    Xapian::Enquire enq(*db->rdb);
    enq.set_query(q);
    double k1 = o->k1 > 0 ? o->k1 : 1.0;
    double b = o->b > 0 ? o->b : 0.5;
    enq.set_weighting_scheme(Xapian::BM25Weight(k1, 0, 1, b, 0.5));
    if (o->sort == 1 || o->sort == 2) {
        enq.set_sort_by_value_then_relevance(o->sort_slot, o->sort == 1);
        enq.set_docid_order(Xapian::Enquire::DONT_CARE);
    }
    unsigned limit = o->limit ? o->limit : 10;
    Xapian::MSet ms = enq.get_mset(o->offset, limit);
    m->estimate = ms.get_matches_estimated();
    if (ms.empty())
        return NS_OK;
    m->hits = static_cast<ns__xhit *>(ns__calloc(ms.size(), sizeof *m->hits));
    if (!m->hits)
        return NS_ERR_NOMEM;
    /* The iterator form: Xapian 1.4.22's whole-MSet fetch() reads out of
     * bounds when the MSet starts at an offset (get_mset(1, 1) crashes). */
    if (o->fetch != NS_XFETCH_NONE)
        ms.fetch(ms.begin(), ms.end());
    for (auto it = ms.begin(); it != ms.end(); ++it) {
        ns__xhit *h = &m->hits[m->n++];
        h->docid = *it;
        h->weight = it.get_weight();
        if (o->fetch == NS_XFETCH_NONE)
            continue;
        Xapian::Document d = it.get_document();
        std::string v = o->fetch == NS_XFETCH_ID ? d.get_value(NS_SLOT_ID)
                                                 : d.get_data();
        h->data = dup_string(v);
        if (!h->data)
            return NS_ERR_NOMEM;
        h->data_len = v.size();
    }
    return NS_OK;
}

extern "C" ns_status
ns__xdb_search(ns__xdb *db,
               const ns__xq *q,
               const ns__xsearch_opts *opts,
               ns__xmset **out) noexcept
{
    if (!out)
        return NS_ERR_INVALID_ARG;
    *out = nullptr;
    if (!db || !q || !opts)
        return NS_ERR_INVALID_ARG;
    ns__xmset *m = static_cast<ns__xmset *>(ns__calloc(1, sizeof *m));
    if (!m)
        return NS_ERR_NOMEM;
    ns_status st = NS_ERR_BACKEND;
    /* A reader searches the latest commit, not the revision it opened:
     * a long-lived handle (a search service) must see new articles.
     * Within a generation only; a rebuilt index needs a new handle. */
    if (!db->wdb) {
        try {
            if (db->rdb->reopen())
                reopened(db);
        } catch (...) {
            st = ns__status_from_exception(&db->errmsg);
            ns__xmset_free(m);
            return st;
        }
    }
    int corrupt_retries = 0;
    for (int attempt = 0; attempt < 10; attempt++) {
        try {
            st = search_once(db, q->q, opts, m);
        } catch (...) {
            st = ns__status_from_exception(&db->errmsg);
        }
        /* A reader racing a writer's commit can also read a block the
         * writer just reused, which glass reports as corruption: retry
         * that on the latest revision once; real damage fails again. */
        if (st == NS_ERR_INDEX_CORRUPT && !db->wdb && corrupt_retries++ < 1)
            st = NS_ERR_INDEX_MODIFIED;
        if (st != NS_ERR_INDEX_MODIFIED)
            break;
        /* A writer committed over the revision we read: move on to the
         * new one and run the search again. */
        free_hits(m);
        try {
            db->rdb->reopen();
            reopened(db);
        } catch (...) {
            st = ns__status_from_exception(&db->errmsg);
            break;
        }
    }
    if (st != NS_OK) {
        ns__xmset_free(m);
        return st;
    }
    *out = m;
    return NS_OK;
}

/* ---- index maintenance -------------------------------------------------- */

extern "C" ns_status
ns__xdb_replace_id(ns__xdb *db,
                   const char *idterm,
                   const ns__xdoc *doc,
                   uint32_t *docid_out) noexcept
{
    if (!db || !db->wdb || !idterm || !doc)
        return NS_ERR_INVALID_ARG;
    NS_TRY
    Xapian::docid id = db->wdb->replace_document(idterm, doc->doc);
    if (docid_out)
        *docid_out = id;
    return NS_OK;
    NS_CATCH(db)
}

extern "C" ns_status
ns__xdb_find(ns__xdb *db,
             const char *term,
             unsigned slot,
             uint32_t *docid_out,
             ns_buf *value) noexcept
{
    if (!db || !term || !docid_out || !value)
        return NS_ERR_INVALID_ARG;
    ns__buf_reset(value);
    NS_TRY
    Xapian::PostingIterator it = db->rdb->postlist_begin(term);
    if (it == db->rdb->postlist_end(term))
        return NS_ERR_NOT_FOUND;
    *docid_out = *it;
    std::string v = db->rdb->get_document(*it).get_value(slot);
    ns__buf_append(value, v.data(), v.size());
    return value->oom ? NS_ERR_NOMEM : NS_OK;
    NS_CATCH(db)
}

extern "C" ns_status
ns__xdb_postlist(ns__xdb *db,
                 const char *term,
                 int (*cb)(uint32_t docid, void *payload),
                 void *payload) noexcept
{
    if (!db || !term || !cb)
        return NS_ERR_INVALID_ARG;
    NS_TRY
    for (Xapian::PostingIterator it = db->rdb->postlist_begin(term);
         it != db->rdb->postlist_end(term); ++it) {
        if (cb(*it, payload))
            return NS_ERR_ABORTED;
    }
    return NS_OK;
    NS_CATCH(db)
}

extern "C" ns_status
ns__xdb_delete_docid(ns__xdb *db, uint32_t docid) noexcept
{
    if (!db || !db->wdb || !docid)
        return NS_ERR_INVALID_ARG;
    NS_TRY
    db->wdb->delete_document(docid);
    return NS_OK;
    NS_CATCH(db)
}

extern "C" ns_status
ns__xdb_count_terms(ns__xdb *db, const char *prefix, uint64_t *out) noexcept
{
    if (!db || !prefix || !out)
        return NS_ERR_INVALID_ARG;
    NS_TRY
    uint64_t n = 0;
    for (Xapian::TermIterator it = db->rdb->allterms_begin(prefix);
         it != db->rdb->allterms_end(prefix); ++it)
        n++;
    *out = n;
    return NS_OK;
    NS_CATCH(db)
}

extern "C" ns_status
ns__xdb_revision(ns__xdb *db, uint64_t *out) noexcept
{
    if (!db || !out)
        return NS_ERR_INVALID_ARG;
    NS_TRY
    *out = db->rdb->get_revision();
    return NS_OK;
    NS_CATCH(db)
}

extern "C" ns_status
ns__xdb_compact(ns__xdb *const *srcs,
                size_t n,
                const char *dest,
                char **errmsg) noexcept
{
    if (errmsg)
        *errmsg = nullptr;
    if (!srcs || !n || !dest)
        return NS_ERR_INVALID_ARG;
    try {
        Xapian::Database all;
        for (size_t i = 0; i < n; i++) {
            if (!srcs[i])
                return NS_ERR_INVALID_ARG;
            all.add_database(*srcs[i]->rdb);
        }
        all.compact(dest, Xapian::Compactor::FULL);
        return NS_OK;
    } catch (...) {
        std::string msg;
        ns_status st = ns__status_from_exception(&msg);
        if (errmsg)
            *errmsg = dup_string(msg);
        return st;
    }
}

extern "C" void
ns__xdb_on_reopen(ns__xdb *db, void (*cb)(void *payload), void *payload) noexcept
{
    if (!db)
        return;
    db->on_reopen = cb;
    db->on_reopen_payload = payload;
}
