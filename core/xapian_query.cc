/*
 * xapian_query.cc: building Xapian queries from C.  Constructors take
 * ownership of their sub-queries and return NULL when out of memory (or
 * when a sub-query is NULL), so builders check once at the top.
 */
#include "core/xapian_impl.h"

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
