/*
 * xapian_db.cc: databases, documents and searches of the C binding.  Every
 * function has the same shape: check arguments, try the Xapian calls, and
 * turn any exception into a status through ns__status_from_exception.
 */
#include "core/xapian_impl.h"
#include "core/schema.h"
#include "core/xapian_shards.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <map>
#include <memory>
#include <set>
#include <vector>

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
ns__xdb_has_positions(ns__xdb *db, int *out) noexcept
{
    if (!db || !out)
        return NS_ERR_INVALID_ARG;
    return read_retrying(db, [&] {
        *out = db->rdb->has_positions() ? 1 : 0;
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

extern "C" ns_status
ns__xdb_delete_by_prefix(ns__xdb *db,
                         const char *prefix,
                         uint64_t *n_out) noexcept
{
    if (!db || !db->wdb || !prefix || !*prefix)
        return NS_ERR_INVALID_ARG;
    NS_TRY
    /* The terms first: the iterator is not to outlive the deletions. */
    std::vector<std::string> terms;
    for (Xapian::TermIterator it = db->wdb->allterms_begin(prefix);
         it != db->wdb->allterms_end(prefix); ++it)
        terms.push_back(*it);
    uint64_t n = 0;
    for (const std::string &t : terms) {
        n += db->wdb->get_termfreq(t);
        db->wdb->delete_document(t);
    }
    if (n_out)
        *n_out = n;
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
    for (size_t i = 0; i < m->n; i++) {
        ns_free(m->hits[i].data);
        for (size_t s = 0; s < NS_XHIT_SLOTS; s++)
            ns_free(m->hits[i].val[s]);
    }
    ns_free(m->hits);
    m->hits = nullptr;
    m->n = 0;
    for (size_t f = 0; f < NS_XFACETS_MAX; f++) {
        for (size_t i = 0; i < m->n_facets[f]; i++)
            ns_free(m->facets[f][i].value);
        ns_free(m->facets[f]);
        m->facets[f] = nullptr;
        m->n_facets[f] = 0;
    }
}

/* Counts the matches by a value, cut to its first len bytes (0: whole):
 * the facets (a month is the first 6 bytes of the date).  Xapian's own
 * ValueCountMatchSpy counts, and the values are cut here: a remote shard's
 * server (xapian-tcpsrv) knows that spy, and counts its matches too. */
class value_spy : public Xapian::ValueCountMatchSpy {
  public:
    value_spy(Xapian::valueno slot, size_t len)
        : Xapian::ValueCountMatchSpy(slot), len_(len)
    {
    }
    std::map<std::string, Xapian::doccount>
    counts() const
    {
        std::map<std::string, Xapian::doccount> m;
        for (auto it = values_begin(); it != values_end(); ++it) {
            std::string v = *it;
            if (v.empty())
                continue;
            if (len_ && v.size() > len_)
                v.resize(len_);
            m[v] += it.get_termfreq();
        }
        return m;
    }

  private:
    size_t len_;
};

/* Copy a spy's counts into the MSet's facet f. */
static ns_status
take_facet(const value_spy &spy, ns__xmset *m, size_t f)
{
    const auto counts = spy.counts();
    if (counts.empty())
        return NS_OK;
    m->facets[f] = static_cast<ns__xfacet *>(
        ns__calloc(counts.size(), sizeof *m->facets[f]));
    if (!m->facets[f])
        return NS_ERR_NOMEM;
    for (const auto &kv : counts) {
        ns__xfacet *x = &m->facets[f][m->n_facets[f]];
        if (!(x->value = dup_string(kv.first)))
            return NS_ERR_NOMEM;
        x->count = kv.second;
        m->n_facets[f]++;
    }
    return NS_OK;
}

extern "C" void
ns__xmset_free(ns__xmset *m) noexcept
{
    if (!m)
        return;
    free_hits(m);
    ns_free(m);
}

/* Expansion terms: unprefixed (lower-case first byte) and not in the
 * query. */
class prf_decider : public Xapian::ExpandDecider {
  public:
    std::set<std::string> query_terms;
    bool
    operator()(const std::string &t) const override
    {
        return !t.empty() && !(t[0] >= 'A' && t[0] <= 'Z') &&
               query_terms.find(t) == query_terms.end();
    }
};

/* q, ranked again by the best terms of its top results (see prf_docs). */
static Xapian::Query
expand_query(Xapian::Enquire &enq,
             const ns__xdb *db,
             const Xapian::Query &q,
             const ns__xsearch_opts *o,
             const Xapian::MatchDecider *decider)
{
    Xapian::MSet top = enq.get_mset(0, o->prf_docs + 1, nullptr, decider);
    /* Results tied at the cut would be chosen by document number, which a
     * single index, its shards, a merge or a rebuild number each their own
     * way: the tied ones are left out, so that the feedback, and the
     * ranking, are the same whatever the layout. */
    Xapian::doccount n = top.size();
    if (n > o->prf_docs) {
        double cut = top[o->prf_docs].get_weight();
        for (n = o->prf_docs; n > 0 && top[n - 1].get_weight() == cut; n--)
            ;
    }
    if (n < 2)
        return q;
    Xapian::RSet rset;
    for (Xapian::doccount i = 0; i < n; i++)
        rset.add_document(*top[i]);
    prf_decider dec;
    for (auto t = q.get_terms_begin(); t != q.get_terms_end(); ++t)
        dec.query_terms.insert(*t);
    Xapian::termcount want = o->prf_terms ? o->prf_terms : 10;
    /* A sharded index's expansion: core/xapian_shards.cc. */
    Xapian::ESet eset = db->subs.size() > 1
                            ? ns__shards_eset(enq, db, top, n, dec, want)
                            : enq.get_eset(want, rset, &dec);
    if (eset.empty())
        return q;
    double best = eset.begin().get_weight();
    if (!(best > 0))
        return q;
    std::vector<Xapian::Query> v;
    for (auto it = eset.begin(); it != eset.end(); ++it)
        v.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(*it),
                       it.get_weight() / best);
    Xapian::Query more(Xapian::Query::OP_OR, v.begin(), v.end());
    return Xapian::Query(o->prf_or ? Xapian::Query::OP_OR
                                   : Xapian::Query::OP_AND_MAYBE,
                         q,
                         Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, more,
                                       o->prf_weight));
}

/* Days from 1970-01-01 of a date value "YYYYMMDDhhmmss" (H. Hinnant's
 * days_from_civil), or -1 when it is none. */
static double
value_days(const std::string &v)
{
    if (v.size() < 8)
        return -1;
    int n[7] = { 0 };
    static const int at[7] = { 0, 4, 6, 8, 10, 12, 14 };
    for (int k = 0; k < 6; k++) {
        int x = 0;
        for (int i = at[k]; i < at[k + 1] && i < static_cast<int>(v.size());
             i++) {
            if (v[i] < '0' || v[i] > '9')
                return -1;
            x = x * 10 + (v[i] - '0');
        }
        n[k] = x;
    }
    /* A month or a year alone (indexer/index.c's date_key): its start. */
    int y = n[0], m = n[1] ? n[1] : 1, d = n[2] ? n[2] : 1;
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097.0 + doe - 719468 + n[3] / 24.0;
}

/* The recency prior: a weight that halves every halflife days of age,
 * counted back from the newest date of the slot (an archive's "now"). */
class recency_source : public Xapian::ValuePostingSource {
  public:
    recency_source(Xapian::valueno value_slot, double weight, double halflife)
        : Xapian::ValuePostingSource(value_slot), weight_(weight),
          halflife_(halflife)
    {
    }
    void
    init(const Xapian::Database &database) override
    {
        Xapian::ValuePostingSource::init(database);
        newest_ = value_days(database.get_value_upper_bound(get_slot()));
        set_maxweight(weight_);
    }
    double
    get_weight() const override
    {
        double d = value_days(get_value());
        if (d < 0 || newest_ < 0)
            return 0;
        double age = newest_ > d ? newest_ - d : 0;
        return weight_ * std::exp2(-age / halflife_);
    }
    recency_source *
    clone() const override
    {
        return new recency_source(get_slot(), weight_, halflife_);
    }
    std::string
    name() const override
    {
        return "nsearch.recency";
    }

  private:
    double weight_, halflife_;
    double newest_ = -1;
};

/* ns__xsearch_opts.decider as Xapian's MatchDecider. */
class verify_decider : public Xapian::MatchDecider {
  public:
    verify_decider(ns__xverify_cb cb,
                   void *payload,
                   const Xapian::Database &db)
        : cb_(cb), payload_(payload)
    {
        maps_.reset(db);
    }
    bool
    operator()(const Xapian::Document &doc) const override
    {
        return ns__xverify_doc(cb_, payload_, maps_, doc);
    }

  private:
    ns__xverify_cb cb_;
    void *payload_;
    mutable ns__xmaps maps_;
};

/* One attempt; may throw DatabaseModifiedError, which the caller retries. */
/* The values in the slots of mask (below NS_XHIT_SLOTS) of m's hits.  On
 * one database, through a value stream per slot, in docid order: a
 * document's get_value() reads its value's chunk with a cursor of its own,
 * about 12,000 instructions each where the stream's skip_to() takes 2,000;
 * on several (shards), the document's. */
static ns_status
fetch_values(const Xapian::Database &db, uint32_t mask, ns__xmset *m)
{
    std::vector<size_t> order(m->n);
    for (size_t i = 0; i < m->n; i++)
        order[i] = i;
    std::sort(order.begin(), order.end(), [m](size_t a, size_t b) {
        return m->hits[a].docid < m->hits[b].docid;
    });
    bool single = db.size() == 1;
    for (unsigned s = 0; s < NS_XHIT_SLOTS; s++) {
        if (!(mask >> s & 1))
            continue;
        Xapian::ValueIterator it, end;
        if (single) {
            it = db.valuestream_begin(s);
            end = db.valuestream_end(s);
        }
        for (size_t i : order) {
            ns__xhit *h = &m->hits[i];
            std::string val;
            if (!single) {
                val = db.get_document(h->docid).get_value(s);
            } else {
                if (it != end && it.get_docid() < h->docid)
                    it.skip_to(h->docid);
                if (it != end && it.get_docid() == h->docid)
                    val = *it;
            }
            if (val.empty())
                continue;
            if (!(h->val[s] = dup_string(val)))
                return NS_ERR_NOMEM;
            h->val_len[s] = val.size();
        }
    }
    return NS_OK;
}

static ns_status
search_once(ns__xdb *db,
            const Xapian::Query &q,
            const ns__xsearch_opts *o,
            ns__xmset *m)
{
    Xapian::Enquire enq(*db->rdb);
    enq.set_query(q);
    std::unique_ptr<verify_decider> decider;
    if (o->decider)
        decider.reset(
            new verify_decider(o->decider, o->decider_payload, *db->rdb));
    double k1 = o->k1 > 0 ? o->k1 : 1.0;
    double b = o->b > 0 ? o->b : 0.5;
    /* k3 = 1000: a word repeated in a query counts (almost) as many times,
     * as FTS5 and Lucene count it; Xapian's default (1) made long topics
     * lose 0.04 MAP on CISI. */
    enq.set_weighting_scheme(Xapian::BM25Weight(k1, 0, 1000, b, 0.5));
    if (o->prf_docs && o->prf_weight > 0 && o->sort == 0)
        enq.set_query(expand_query(enq, db, q, o, decider.get()));
    if (o->recent_weight > 0 && o->recent_halflife > 0 && o->sort == 0) {
        Xapian::Query prior((new recency_source(o->recent_slot,
                                                o->recent_weight,
                                                o->recent_halflife))
                                ->release());
        enq.set_query(Xapian::Query(Xapian::Query::OP_AND_MAYBE,
                                    enq.get_query(), prior));
    }
    if (o->sort == 1 || o->sort == 2) {
        enq.set_sort_by_value_then_relevance(o->sort_slot, o->sort == 1);
        enq.set_docid_order(Xapian::Enquire::DONT_CARE);
    }
    if (o->collapse)
        enq.set_collapse_key(o->collapse_slot);
    std::vector<std::unique_ptr<value_spy>> spies;
    for (unsigned f = 0; f < o->n_facets && f < NS_XFACETS_MAX; f++) {
        spies.emplace_back(new value_spy(o->facet_slot[f], o->facet_len[f]));
        enq.add_matchspy(spies.back().get());
    }
    unsigned limit = o->limit ? o->limit : 10;
    /* Facets count every match, so every match is checked. */
    Xapian::MSet ms =
        enq.get_mset(o->offset, limit,
                     spies.empty() ? 0 : db->rdb->get_doccount(), nullptr,
                     decider.get());
    /* Every match checked (facets): the lower bound is the exact count.
     * The estimate is not, with near-duplicates collapsed: it can exceed
     * even the uncollapsed count. */
    m->estimate = spies.empty() ? ms.get_matches_estimated()
                                : ms.get_matches_lower_bound();
    for (size_t f = 0; f < spies.size(); f++) {
        ns_status fst = take_facet(*spies[f], m, f);
        if (fst != NS_OK)
            return fst;
    }
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
        h->collapsed = o->collapse ? it.get_collapse_count() : 0;
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
    if (o->fetch == NS_XFETCH_DATA && o->fetch_values)
        return fetch_values(*db->rdb, o->fetch_values, m);
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
     * Within a generation only; a rebuilt index needs a new handle.
     * Moving to it can itself meet a commit that discards the revision
     * being opened: that, like a search that meets one, is tried again. */
    int corrupt_retries = 0;
    for (int attempt = 0; attempt < 10; attempt++) {
        if (attempt > 0 || !db->wdb) {
            try {
                if (db->rdb->reopen())
                    reopened(db);
            } catch (const Xapian::DatabaseModifiedError &) {
                st = ns__status_from_exception(&db->errmsg);
                continue;
            } catch (...) {
                st = ns__status_from_exception(&db->errmsg);
                break;
            }
        }
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
         * new one (above) and run the search again. */
        free_hits(m);
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
ns__xdb_add(ns__xdb *db, const ns__xdoc *doc, uint32_t *docid_out) noexcept
{
    if (!db || !db->wdb || !doc)
        return NS_ERR_INVALID_ARG;
    NS_TRY
    Xapian::docid id = db->wdb->add_document(doc->doc);
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
ns__xdb_wdfs(ns__xdb *db,
             const char *const *terms,
             size_t n_terms,
             const uint32_t *docids,
             size_t n_docs,
             uint32_t *out) noexcept
{
    if (!db || (n_terms && !terms) || (n_docs && !docids) ||
        (n_terms && n_docs && !out))
        return NS_ERR_INVALID_ARG;
    NS_TRY
    std::vector<size_t> order(n_docs);
    for (size_t d = 0; d < n_docs; d++)
        order[d] = d;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return docids[a] < docids[b];
    });
    for (size_t t = 0; t < n_terms; t++) {
        Xapian::PostingIterator it = db->rdb->postlist_begin(terms[t]);
        Xapian::PostingIterator end = db->rdb->postlist_end(terms[t]);
        for (size_t d : order) {
            uint32_t *w = &out[d * n_terms + t];
            *w = 0;
            if (it == end)
                continue;
            it.skip_to(docids[d]);
            if (it != end && *it == docids[d])
                *w = it.get_wdf();
        }
    }
    return NS_OK;
    NS_CATCH(db)
}

extern "C" ns_status
ns__xdb_each_data(ns__xdb *db,
                  int (*cb)(uint32_t docid,
                            const char *data,
                            size_t len,
                            void *payload),
                  void *payload) noexcept
{
    if (!db || !cb)
        return NS_ERR_INVALID_ARG;
    NS_TRY
    for (Xapian::PostingIterator it = db->rdb->postlist_begin("");
         it != db->rdb->postlist_end(""); ++it) {
        std::string d = db->rdb->get_document(*it).get_data();
        if (cb(*it, d.data(), d.size(), payload))
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

/* ---- spelling ----------------------------------------------------------- */

extern "C" ns_status
ns__xdb_add_spelling(ns__xdb *db,
                     const char *word,
                     size_t len,
                     unsigned inc) noexcept
{
    if (!db || !db->wdb || !word || !len)
        return NS_ERR_INVALID_ARG;
    NS_TRY
    db->wdb->add_spelling(std::string(word, len), inc ? inc : 1);
    return NS_OK;
    NS_CATCH(db)
}

extern "C" ns_status
ns__xdb_spelling(ns__xdb *db,
                 const char *word,
                 unsigned max_edits,
                 ns_buf *out) noexcept
{
    if (!db || !word || !out)
        return NS_ERR_INVALID_ARG;
    ns__buf_reset(out);
    return read_retrying(db, [&]() {
        ns__buf_reset(out);
        std::string s = db->rdb->get_spelling_suggestion(word, max_edits);
        ns__buf_append(out, s.data(), s.size());
        return out->oom ? NS_ERR_NOMEM : NS_OK;
    });
}

/* Levenshtein distance of a and b if at most max, else max + 1. */
static unsigned
edit_distance(const std::string &a, const std::string &b, unsigned max)
{
    size_t n = a.size(), m = b.size();
    if ((n > m ? n - m : m - n) > max)
        return max + 1;
    std::vector<unsigned> prev(m + 1), cur(m + 1);
    for (size_t j = 0; j <= m; j++)
        prev[j] = static_cast<unsigned>(j);
    for (size_t i = 1; i <= n; i++) {
        cur[0] = static_cast<unsigned>(i);
        unsigned row_min = cur[0];
        for (size_t j = 1; j <= m; j++) {
            unsigned c = prev[j - 1] + (a[i - 1] != b[j - 1]);
            c = std::min(c, prev[j] + 1);
            c = std::min(c, cur[j - 1] + 1);
            cur[j] = c;
            row_min = std::min(row_min, c);
        }
        if (row_min > max)
            return max + 1;
        std::swap(prev, cur);
    }
    return prev[m];
}

extern "C" ns_status
ns__xdb_closest_term(ns__xdb *db,
                     const char *word,
                     size_t prefix_len,
                     unsigned max_edits,
                     ns_buf *out,
                     uint64_t *freq) noexcept
{
    if (!db || !word || !out || !freq)
        return NS_ERR_INVALID_ARG;
    return read_retrying(db, [&]() {
        ns__buf_reset(out);
        *freq = 0;
        std::string w(word);
        std::string prefix = w.substr(0, std::min(prefix_len, w.size()));
        unsigned best = max_edits + 1;
        size_t seen = 0;
        for (auto it = db->rdb->allterms_begin(prefix);
             it != db->rdb->allterms_end(prefix) && seen < NS_XCLOSEST_MAX;
             ++it, seen++) {
            const std::string &t = *it;
            if (t == w)
                continue;
            unsigned d = edit_distance(w, t, std::min(best, max_edits));
            if (d > max_edits || d > best)
                continue;
            uint64_t f = it.get_termfreq();
            if (d < best || f > *freq) {
                best = d;
                *freq = f;
                ns__buf_reset(out);
                ns__buf_append(out, t.data(), t.size());
            }
        }
        return out->oom ? NS_ERR_NOMEM : NS_OK;
    });
}
