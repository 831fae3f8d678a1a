/*
 * xapian_shards.cc: the binding's part for sharded indexes (core/shards.c):
 * connecting to a remote database served by xapian-tcpsrv, and combining
 * several databases into one for searching, which is all Xapian needs to
 * rank across shards with their combined statistics.  Same shape as
 * xapian_db.cc: every exception becomes a status at the boundary.
 */
#include "core/xapian_impl.h"
#include "core/shards.h"
#include "core/xapian_shards.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <new>
#include <set>
#include <string>
#include <utility>
#include <vector>

/* Xapian's remote timeouts are in milliseconds; 0 there means none. */
static unsigned
remote_ms(int ms)
{
    if (ms == 0)
        return 10000;
    return ms < 0 ? 0u : static_cast<unsigned>(ms);
}

extern "C" ns_status
ns__xdb_open_remote(const char *host,
                    unsigned port,
                    int timeout_ms,
                    int connect_timeout_ms,
                    ns__xdb **out,
                    char **errmsg) noexcept
{
    if (errmsg)
        *errmsg = nullptr;
    if (!out)
        return NS_ERR_INVALID_ARG;
    *out = nullptr;
    if (!host || !port || port > 65535)
        return NS_ERR_INVALID_ARG;
    ns__xdb *db = new (std::nothrow) ns__xdb();
    if (!db)
        return NS_ERR_NOMEM;
    try {
        db->path = std::string(host) + ":" + std::to_string(port);
        db->rdb = new Xapian::Database(Xapian::Remote::open(
            host, port, remote_ms(timeout_ms), remote_ms(connect_timeout_ms)));
    } catch (...) {
        std::string msg;
        ns_status st = ns__status_from_exception(&msg);
        if (errmsg)
            *errmsg = ns__strndup(msg.data(), msg.size());
        delete db;
        return st;
    }
    *out = db;
    return NS_OK;
}

extern "C" ns_status
ns__xdb_combine(ns__xdb *const *subs, size_t n, ns__xdb **out) noexcept
{
    if (!out)
        return NS_ERR_INVALID_ARG;
    *out = nullptr;
    for (size_t i = 0; i < n; i++)
        if (!subs || !subs[i] || !subs[i]->rdb)
            return NS_ERR_INVALID_ARG;
    ns__xdb *db = new (std::nothrow) ns__xdb();
    if (!db)
        return NS_ERR_NOMEM;
    try {
        db->rdb = new Xapian::Database();
        /* The combined database shares each one's internals: a reopen of
         * it reopens them, and they live as long as either handle. */
        for (size_t i = 0; i < n; i++) {
            db->rdb->add_database(*subs[i]->rdb);
            db->subs.push_back(*subs[i]->rdb);
        }
    } catch (...) {
        ns_status st = ns__status_from_exception(nullptr);
        delete db->rdb;
        delete db;
        return st;
    }
    *out = db;
    return NS_OK;
}

extern "C" ns__xq *
ns__xq_wildcard_in(ns__xdb *db,
                   const char *prefix,
                   unsigned max_expansion) noexcept
{
    if (!prefix || !*prefix)
        return nullptr;
    try {
        Xapian::Query w(Xapian::Query::OP_WILDCARD, prefix, max_expansion,
                        Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
        if (!db || !db->rdb || db->rdb->size() < 2)
            return new ns__xq{ w };
        /* Xapian expands OP_WILDCARD in each sub-database of a sharded
         * index and weighs the terms with that one's statistics alone.
         * Expanded here, over them all, the terms are those of one index,
         * and their weights too (an explicit OP_SYNONYM gets the combined
         * statistics; on one database, the weights of OP_WILDCARD).  One
         * difference stays: pseudo-relevance feedback leaves the query's
         * own terms out of its expansion, and sees these ones. */
        try {
            std::vector<std::pair<Xapian::doccount, std::string>> terms;
            for (auto it = db->rdb->allterms_begin(prefix);
                 it != db->rdb->allterms_end(prefix); ++it)
                terms.emplace_back(it.get_termfreq(), *it);
            /* The most frequent first; among equals, in term order. */
            std::stable_sort(
                terms.begin(), terms.end(),
                [](const auto &a, const auto &b) { return a.first > b.first; });
            if (max_expansion && terms.size() > max_expansion)
                terms.resize(max_expansion);
            if (terms.empty())
                return new ns__xq{ Xapian::Query::MatchNothing };
            std::vector<Xapian::Query> v;
            for (const auto &t : terms)
                v.emplace_back(t.second);
            return new ns__xq{ Xapian::Query(Xapian::Query::OP_SYNONYM,
                                             v.begin(), v.end()) };
        } catch (const Xapian::Error &) {
            /* A shard that does not answer: the search will say so. */
            return new ns__xq{ w };
        }
    } catch (...) {
        return nullptr;
    }
}

namespace {
/* Keeps the candidates only. */
class candidate_decider : public Xapian::ExpandDecider {
  public:
    std::set<std::string> keep;
    bool
    operator()(const std::string &t) const override
    {
        return keep.find(t) != keep.end();
    }
};
} // namespace

Xapian::ESet
ns__shards_eset(Xapian::Enquire &enq,
                const ns__xdb *db,
                const Xapian::MSet &top,
                Xapian::doccount n,
                const Xapian::ExpandDecider &dec,
                Xapian::termcount want)
{
    /* Each feedback article's termlist, from its own shard (one message
     * from a remote one), gives its terms, their wdf, and their frequency
     * in that shard: enough to bound each term's weight as Xapian's
     * expansion (TradEWeight, k = 1) computes it.  The weight falls as the
     * term's frequency in the index grows, and that frequency is at least
     * its sum over the shards seen: with that sum, a term's bound is its
     * weight, exactly so when every shard was seen.  (The combined
     * database's termlist would ask every shard for every term's
     * frequency.) */
    struct est {
        unsigned r = 0;         /* feedback articles with the term */
        double mult = 0;        /* TradEWeight's multiplier */
        double freq = 0;        /* its frequency in the shards seen */
        std::vector<bool> seen; /* the shards seen */
    };
    const Xapian::doccount shards = Xapian::doccount(db->subs.size());
    const double all = db->rdb->get_doccount();
    const double avlen = std::max(db->rdb->get_avlength(), 1.0);
    std::map<std::string, est> seen;
    Xapian::RSet rset;
    for (Xapian::doccount i = 0; i < n; i++) {
        Xapian::docid d = *top[i];
        rset.add_document(d);
        /* Xapian's numbering: document d is (d - 1) / shards + 1 of
         * database (d - 1) % shards. */
        Xapian::doccount k = (d - 1) % shards;
        const Xapian::Database &sub = db->subs[k];
        Xapian::docid sd = (d - 1) / shards + 1;
        double len = sub.get_doclength(sd);
        for (auto t = sub.termlist_begin(sd); t != sub.termlist_end(sd); ++t) {
            if (!dec(*t))
                continue;
            est &e = seen[*t];
            double wdf = std::max(1u, t.get_wdf());
            e.r++;
            e.mult += 2 * wdf / (len / avlen + wdf);
            if (e.seen.empty())
                e.seen.resize(shards);
            if (!e.seen[k]) {
                e.seen[k] = true;
                e.freq += t.get_termfreq();
            }
        }
    }
    std::vector<std::pair<double, std::string>> bound;
    bound.reserve(seen.size());
    const double rsize = n;
    for (const auto &kv : seen) {
        const est &e = kv.second;
        double without = rsize - e.r;
        double freq = std::min(std::max(e.freq, double(e.r)), all - without);
        double tw = std::log((e.r + 0.5) * (all - freq - without + 0.5) /
                             ((freq - e.r + 0.5) * (without + 0.5)));
        bound.emplace_back(e.mult * tw, kv.first);
    }
    std::sort(bound.begin(), bound.end(), [](const auto &a, const auto &b) {
        return a.first > b.first || (a.first == b.first && a.second < b.second);
    });
    /* Weigh exactly (Xapian, asking the shards for the frequencies) the
     * terms of the highest bounds, three times as many as wanted; then, as
     * long as a term left out has a bound above the last weight kept, those
     * terms too.  What is left out then weighs less: the ESet is the one
     * the whole index gives. */
    size_t m = std::min(bound.size(), 3 * size_t(want));
    for (int round = 0;; round++) {
        candidate_decider only;
        for (size_t i = 0; i < m; i++)
            only.keep.insert(bound[i].second);
        Xapian::ESet eset = enq.get_eset(
            want, rset, Xapian::Enquire::USE_EXACT_TERMFREQ, &only);
        double cut = 0; /* Xapian keeps weights above 0 only */
        if (eset.size() >= want)
            cut = std::max(cut, eset[want - 1].get_weight());
        size_t more = m;
        while (more < bound.size() &&
               bound[more].first >= cut - 1e-9 * std::fabs(cut))
            more++;
        if (more == m || round == 4)
            return eset;
        m = more;
    }
}
