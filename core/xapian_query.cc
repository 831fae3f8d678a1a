/*
 * xapian_query.cc: building Xapian queries from C.  Constructors take
 * ownership of their sub-queries and return NULL when out of memory (or
 * when a sub-query is NULL), so builders check once at the top.
 */
#include "core/xapian_impl.h"
#include "core/schema.h"

#include <new>
#include <vector>

static ns__xq *
wrap(const Xapian::Query &q) noexcept
{
    try {
        return new ns__xq{ q };
    } catch (...) {
        return nullptr;
    }
}

extern "C" ns__xq *
ns__xq_term(const char *term, size_t len, unsigned wqf, uint32_t pos) noexcept
{
    if (!term || !len)
        return nullptr;
    try {
        return wrap(Xapian::Query(std::string(term, len), wqf ? wqf : 1,
                                  pos + 1));
    } catch (...) {
        return nullptr;
    }
}

static Xapian::Query::op
map_op(ns__xq_op op) noexcept
{
    switch (op) {
    case NS_XQ_AND:
        return Xapian::Query::OP_AND;
    case NS_XQ_OR:
        return Xapian::Query::OP_OR;
    case NS_XQ_AND_NOT:
        return Xapian::Query::OP_AND_NOT;
    case NS_XQ_AND_MAYBE:
        return Xapian::Query::OP_AND_MAYBE;
    case NS_XQ_FILTER:
        return Xapian::Query::OP_FILTER;
    case NS_XQ_PHRASE:
        return Xapian::Query::OP_PHRASE;
    case NS_XQ_NEAR:
        return Xapian::Query::OP_NEAR;
    case NS_XQ_SYNONYM:
        return Xapian::Query::OP_SYNONYM;
    case NS_XQ_ELITE_SET:
        return Xapian::Query::OP_ELITE_SET;
    }
    return Xapian::Query::OP_OR;
}

extern "C" ns__xq *
ns__xq_combine(ns__xq_op op, ns__xq **subs, size_t n, unsigned window) noexcept
{
    bool ok = subs != nullptr && n > 0;
    for (size_t i = 0; ok && i < n; i++)
        ok = subs[i] != nullptr;
    ns__xq *res = nullptr;
    if (ok) {
        try {
            std::vector<Xapian::Query> v;
            v.reserve(n);
            for (size_t i = 0; i < n; i++)
                v.push_back(subs[i]->q);
            Xapian::Query q;
            if ((op == NS_XQ_AND_NOT || op == NS_XQ_AND_MAYBE ||
                 op == NS_XQ_FILTER) &&
                n > 2) {
                /* Binary operators: first OP (rest ORed). */
                Xapian::Query rest(Xapian::Query::OP_OR, v.begin() + 1,
                                   v.end());
                q = Xapian::Query(map_op(op), v[0], rest);
            } else if (n == 1 && op != NS_XQ_PHRASE && op != NS_XQ_NEAR) {
                q = v[0];
            } else {
                q = Xapian::Query(map_op(op), v.begin(), v.end(), window);
            }
            res = wrap(q);
        } catch (...) {
            res = nullptr;
        }
    }
    for (size_t i = 0; subs && i < n; i++)
        delete subs[i];
    return res;
}

extern "C" ns__xq *
ns__xq_value_range(unsigned slot, const char *lo, const char *hi) noexcept
{
    try {
        if (lo && hi)
            return wrap(
                Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, lo, hi));
        if (lo)
            return wrap(Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, lo));
        if (hi)
            return wrap(Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, hi));
        return wrap(Xapian::Query::MatchAll);
    } catch (...) {
        return nullptr;
    }
}

extern "C" ns__xq *
ns__xq_wildcard(const char *prefix, unsigned max_expansion) noexcept
{
    if (!prefix || !*prefix)
        return nullptr;
    try {
        return wrap(Xapian::Query(Xapian::Query::OP_WILDCARD, prefix,
                                  max_expansion,
                                  Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT));
    } catch (...) {
        return nullptr;
    }
}

extern "C" ns__xq *
ns__xq_scale(ns__xq *q, double factor) noexcept
{
    if (!q)
        return nullptr;
    ns__xq *res = nullptr;
    try {
        res = wrap(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor));
    } catch (...) {
    }
    delete q;
    return res;
}

extern "C" ns__xq *
ns__xq_clone(const ns__xq *q) noexcept
{
    return q ? wrap(q->q) : nullptr;
}

extern "C" int
ns__xq_same(const ns__xq *a, const ns__xq *b) noexcept
{
    return a && b && a->q.internal.get() == b->q.internal.get();
}

extern "C" ns__xq *
ns__xq_match_all(void) noexcept
{
    try {
        return wrap(Xapian::Query::MatchAll);
    } catch (...) {
        return nullptr;
    }
}

extern "C" void
ns__xq_free(ns__xq *q) noexcept
{
    delete q;
}

extern "C" char *
ns__xq_describe(const ns__xq *q) noexcept
{
    if (!q)
        return nullptr;
    try {
        std::string d = q->q.get_description();
        return ns__strndup(d.data(), d.size());
    } catch (...) {
        return nullptr;
    }
}

void
ns__xverify_throw(int r, const char *why)
{
    std::string msg = why ? why : ns_strerror(static_cast<ns_status>(-r));
    switch (-r) {
    case NS_ERR_NOMEM:
        throw std::bad_alloc();
    case NS_ERR_INDEX_CORRUPT:
        throw Xapian::DatabaseCorruptError(msg);
    default:
        throw Xapian::InternalError(msg);
    }
}

/* ns__xq_verify's leaf.  Xapian clones it for each database it searches
 * (each shard) and calls init() with that database, so document ids are
 * the shard's own.  It reports every document as a possible match (its
 * termfreq estimate is the document count): in an AND, the terms' posting
 * lists, all shorter, drive the match and this leaf is only check()ed on
 * their common documents.  next() and skip_to() are exact too (a scan of
 * the ids), for a match that would drive with it anyway. */
class verify_source : public Xapian::PostingSource {
  public:
    verify_source(ns__xverify_cb cb, void *payload, const std::string &desc)
        : cb_(cb), payload_(payload), desc_(desc)
    {
    }
    void
    init(const Xapian::Database &db) override
    {
        db_ = db;
        maps_.reset(db);
        cur_ = 0;
        last_ = db.get_lastdocid();
        count_ = db.get_doccount();
    }
    Xapian::doccount
    get_termfreq_min() const override
    {
        return 0;
    }
    Xapian::doccount
    get_termfreq_est() const override
    {
        return count_;
    }
    Xapian::doccount
    get_termfreq_max() const override
    {
        return count_;
    }
    void
    next(double) override
    {
        scan(cur_ + 1);
    }
    void
    skip_to(Xapian::docid did, double) override
    {
        if (did > cur_)
            scan(did);
    }
    /* Xapian promises did exists.  false leaves the position "between"
     * did and the next match, as the API allows: next() scans from
     * did + 1. */
    bool
    check(Xapian::docid did, double) override
    {
        cur_ = did;
        return accepts(db_.get_document(did, Xapian::DOC_ASSUME_VALID));
    }
    bool
    at_end() const override
    {
        return cur_ > last_;
    }
    Xapian::docid
    get_docid() const override
    {
        return cur_;
    }
    verify_source *
    clone() const override
    {
        return new verify_source(cb_, payload_, desc_);
    }
    std::string
    name() const override
    {
        return "nsearch.verify";
    }
    std::string
    get_description() const override
    {
        return "nsearch.verify " + desc_;
    }

  private:
    bool
    accepts(const Xapian::Document &doc)
    {
        return ns__xverify_doc(cb_, payload_, maps_, doc);
    }
    void
    scan(Xapian::docid from)
    {
        for (cur_ = from; cur_ <= last_; cur_++) {
            Xapian::Document doc;
            try {
                doc = db_.get_document(cur_);
            } catch (const Xapian::DocNotFoundError &) {
                continue; /* a deleted id */
            }
            if (accepts(doc))
                return;
        }
    }

    ns__xverify_cb cb_;
    void *payload_;
    std::string desc_;
    Xapian::Database db_;
    ns__xmaps maps_;
    Xapian::docid cur_ = 0, last_ = 0;
    Xapian::doccount count_ = 0;
};

const char *
ns__xmaps::get(unsigned slot, size_t *len)
{
    *len = 0;
    if (slot < NS_SLOT_POSMAP || slot - NS_SLOT_POSMAP >= 16)
        return nullptr;
    stream &s = slots_[slot - NS_SLOT_POSMAP];
    if (!single_) {
        s.value = doc_->get_value(slot);
        *len = s.value.size();
        return s.value.empty() ? nullptr : s.value.data();
    }
    if (s.open && did_ == s.last) { /* (another constraint's check) */
        *len = s.found ? s.value.size() : 0;
        return s.found ? s.value.data() : nullptr;
    }
    if (!s.open || did_ < s.last) { /* (a second pass starts again) */
        s.it = db_.valuestream_begin(slot);
        s.open = true;
    }
    s.last = did_;
    s.found = false;
    Xapian::ValueIterator end = db_.valuestream_end(slot);
    if (s.it != end && s.it.get_docid() < did_)
        s.it.skip_to(did_);
    if (s.it == end || s.it.get_docid() != did_)
        return nullptr;
    s.value = *s.it;
    s.found = true;
    *len = s.value.size();
    return s.value.data();
}

extern "C" {
static const char *
xmaps_get(void *ctx, unsigned slot, size_t *len)
{
    /* Called from C through ns__xvalues: no exception may cross it;
     * ns__xverify_doc throws it again. */
    ns__xmaps *maps = static_cast<ns__xmaps *>(ctx);
    try {
        return maps->get(slot, len);
    } catch (...) {
        maps->error = std::current_exception();
        *len = 0;
        return nullptr;
    }
}
}

bool
ns__xverify_doc(ns__xverify_cb cb,
                void *payload,
                ns__xmaps &maps,
                const Xapian::Document &doc)
{
    maps.at(doc);
    ns__xvalues vals = { xmaps_get, &maps };
    const char *why = nullptr;
    int r = cb(payload, doc.get_docid(), &vals, nullptr, 0, &why);
    if (maps.error) {
        std::exception_ptr e = maps.error;
        maps.error = nullptr;
        std::rethrow_exception(e);
    }
    if (r == NS__XVERIFY_NEED_DATA) {
        std::string data = doc.get_data();
        r = cb(payload, doc.get_docid(), &vals, data.data(), data.size(),
               &why);
    }
    if (r < 0)
        ns__xverify_throw(r, why);
    return r == 1;
}

extern "C" ns__xq *
ns__xq_verify(ns__xverify_cb cb, void *payload, const char *desc) noexcept
{
    if (!cb)
        return nullptr;
    try {
        return wrap(Xapian::Query(
            (new verify_source(cb, payload, desc ? desc : ""))->release()));
    } catch (...) {
        return nullptr;
    }
}
