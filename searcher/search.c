/*
 * search.c: running a query and materializing its results (ns_results):
 * the stored record of each hit decoded, and its snippet made from the
 * stored text.  Ranking is Xapian's BM25; this file only says which query,
 * which filters and which order.
 */
#include "searcher/query.h"
#include "core/schema.h"

#include <string.h>

typedef struct result {
    ns_hit hit;
    ns__record rec;
    ns_buf snippet;
    ns_highlight *hl;
} result;

struct ns_results {
    result *r;
    size_t n;
    uint64_t total;
    char *note; /* how the query was read, or NULL */
};

void
ns_results_free(ns_results *res) NS_NOEXCEPT
{
    if (!res)
        return;
    for (size_t i = 0; i < res->n; i++) {
        ns__record_free(&res->r[i].rec);
        ns__buf_free(&res->r[i].snippet);
        ns_free(res->r[i].hl);
    }
    ns_free(res->r);
    ns_free(res->note);
    ns_free(res);
}

size_t
ns_results_count(const ns_results *r) NS_NOEXCEPT
{
    return r ? r->n : 0;
}

uint64_t
ns_results_total(const ns_results *r) NS_NOEXCEPT
{
    return r ? r->total : 0;
}

const char *
ns_results_note(const ns_results *r) NS_NOEXCEPT
{
    return r && r->note ? r->note : "";
}

const ns_hit *
ns_results_get(const ns_results *r, size_t i) NS_NOEXCEPT
{
    return r && i < r->n ? &r->r[i].hit : NULL;
}

/* Wrap q in the date filter of opts, if any. */
static ns_status
apply_dates(ns_db *db, const ns_search_options *o, ns__xq **q)
{
    if (!o->since && !o->until)
        return NS_OK;
    char lo[15], hi[15];
    if (o->since && ns__query_date_key(o->since, strlen(o->since), '0', lo)) {
        ns__db_errorf(db, "bad date '%s' (use YYYY, YYYY-MM or YYYY-MM-DD)",
                      o->since);
        return NS_ERR_INVALID_ARG;
    }
    if (o->until && ns__query_date_key(o->until, strlen(o->until), '9', hi)) {
        ns__db_errorf(db, "bad date '%s' (use YYYY, YYYY-MM or YYYY-MM-DD)",
                      o->until);
        return NS_ERR_INVALID_ARG;
    }
    ns__xq *range = ns__xq_value_range(NS_SLOT_DATE, o->since ? lo : NULL,
                                       o->until ? hi : NULL);
    ns__xq *parts[2] = { *q, range };
    *q = ns__xq_combine(NS_XQ_FILTER, parts, 2, 0);
    return *q ? NS_OK : NS_ERR_NOMEM;
}

ns_status
ns_db_search(ns_db *db,
             const char *query,
             const ns_search_options *opts,
             ns_results **out) NS_NOEXCEPT
{
    if (!out)
        return NS_ERR_INVALID_ARG;
    *out = NULL;
    if (!db || !query)
        return NS_ERR_INVALID_ARG;
    ns_search_options defaults = NS_SEARCH_OPTIONS_INIT;
    const ns_search_options *o = opts ? opts : &defaults;
    if (o->version < 1)
        return NS_ERR_INVALID_ARG;

    int plain = o->version >= 2 && o->plain;
    ns__query q;
    ns_status st = ns__query_parse(db, query, plain ? NS_QUERY_PLAIN : 0, &q);
    if (st != NS_OK)
        return st;
    ns__xmset *ms = NULL;
    ns_results *res = NULL;
    if ((st = apply_dates(db, o, &q.xq)) != NS_OK)
        goto out;

    ns__xsearch_opts xo = { 0 };
    xo.offset = o->offset;
    xo.limit = o->limit ? o->limit : 10;
    xo.sort = o->sort == NS_SORT_NEWEST ? 1 : o->sort == NS_SORT_OLDEST ? 2 : 0;
    if (!q.ranked && o->sort == NS_SORT_RELEVANCE)
        xo.sort = 1; /* filters only: no relevance to rank by */
    xo.sort_slot = NS_SLOT_DATE;
    xo.fetch = NS_XFETCH_DATA;
    if ((st = ns__xdb_search(db->x, q.xq, &xo, &ms)) != NS_OK)
        goto out;

    res = ns__calloc(1, sizeof *res);
    if (!res || !(res->r = ns__calloc(ms->n ? ms->n : 1, sizeof *res->r))) {
        st = NS_ERR_NOMEM;
        goto out;
    }
    res->total = ms->estimate;
    res->note = q.note;
    q.note = NULL;
    for (size_t i = 0; i < ms->n; i++) {
        result *r = &res->r[res->n++];
        st = ns__store_decode(db->store, ms->hits[i].data,
                              ms->hits[i].data_len, !o->no_snippets, &r->rec);
        if (st != NS_OK) {
            ns__db_errorf(db, "article %u: stored record is damaged",
                          (unsigned)ms->hits[i].docid);
            goto out;
        }
        ns_hit *h = &r->hit;
        h->rank = o->offset + (unsigned)i + 1;
        h->score = ms->hits[i].weight;
        h->id = r->rec.id;
        h->title = r->rec.title;
        h->date = r->rec.date;
        h->source = r->rec.source;
        h->url = r->rec.url;
        h->author = r->rec.author;
        h->snippet = "";
        if (!o->no_snippets) {
            st = ns__snippet_make(db->analyzer, &q, r->rec.text,
                                  r->rec.text_len, r->rec.title,
                                  o->snippet_len, &r->snippet, &r->hl,
                                  &h->n_highlights);
            if (st != NS_OK)
                goto out;
            h->snippet = ns__buf_cstr(&r->snippet);
            h->snippet_len = r->snippet.len;
            h->highlights = r->hl;
            /* The text is no longer needed once the snippet is made. */
            ns__buf_free(&r->rec.text_);
            r->rec.text = NULL;
        }
    }
out:
    ns__xmset_free(ms);
    ns__query_free(&q);
    if (st != NS_OK) {
        ns_results_free(res);
        return st;
    }
    *out = res;
    return NS_OK;
}
