/*
 * search.c: running a query and materializing its results (ns_results):
 * the stored record of each hit decoded, and its snippet made from the
 * stored text.  Ranking is Xapian's BM25; this file only says which query,
 * which filters and which order.
 */
#include "searcher/query.h"
#include "core/posmap.h"
#include "core/schema.h"
#include "core/shards.h"

#include <stdlib.h>
#include <string.h>

/*
 * Ranking, chosen by measurement on the six judged collections of
 * ../shared/eval/relevance (mean MAP and every collection's MAP and
 * nDCG@10 against the best peer; tables in the commit messages and the
 * README): BM25 with k1 1.6 and b 0.8 (Xapian's 1.0 and 0.5 lost 0.02
 * mean MAP), title words at NS_TITLE_WDF (schema.h), and pseudo-relevance
 * feedback when asked for (batch does): the 20 best terms of the top 20
 * results, weighted 0.1 (mean MAP +3%, SciFact nDCG@10 up too; stronger
 * weights lose SciFact).  A boost
 * for query words close together (Xapian's NEAR of adjacent words, window
 * 3 or 8, weight 0.05 to 0.5) lost 1% to 17% and is not used.
 */
#define NS_BM25_K1      1.6
#define NS_BM25_B       0.8
#define NS_PRF_DOCS     20
#define NS_PRF_TERMS    20
#define NS_PRF_WEIGHT   0.1
/* The recency prior of opts->recent (not measured: the judged collections
 * have no dates; a nudge among similarly relevant articles). */
#define NS_RECENT_WEIGHT   2.5
#define NS_RECENT_HALFLIFE 90.0

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
    char *suggestion; /* "did you mean", or NULL */
    ns_facet_count *facets[NS_XFACETS_MAX]; /* ns_facet order */
    size_t n_facets[NS_XFACETS_MAX];
    ns_buf facet_values; /* the facets' strings */
    char *missing; /* shards left out, NUL after each name, or NULL */
    size_t missing_len;
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
    ns_free(res->suggestion);
    for (size_t f = 0; f < NS_XFACETS_MAX; f++)
        ns_free(res->facets[f]);
    ns__buf_free(&res->facet_values);
    ns_free(res->missing);
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

const char *
ns_results_missing(const ns_results *r, size_t i) NS_NOEXCEPT
{
    size_t at = 0;
    for (; r && at < r->missing_len; i--) {
        if (i == 0)
            return r->missing + at;
        at += strlen(r->missing + at) + 1;
    }
    return NULL;
}

const char *
ns_results_suggestion(const ns_results *r) NS_NOEXCEPT
{
    return r && r->suggestion ? r->suggestion : "";
}

size_t
ns_results_facet_count(const ns_results *r, ns_facet f) NS_NOEXCEPT
{
    return r && (unsigned)f < NS_XFACETS_MAX ? r->n_facets[f] : 0;
}

const ns_facet_count *
ns_results_facet(const ns_results *r, ns_facet f, size_t i) NS_NOEXCEPT
{
    if (!r || (unsigned)f >= NS_XFACETS_MAX || i >= r->n_facets[f])
        return NULL;
    return &r->facets[f][i];
}

/* Sources: most articles first, then by name. */
static int
by_count(const void *a, const void *b)
{
    const ns_facet_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->value, y->value);
}

/* Move the facet counts of ms into res: sources as stored, months
 * ("YYYYMM" of the date value) as "YYYY-MM". */
static ns_status
take_facets(ns_results *res, const ns__xmset *ms)
{
    ns_buf *b = &res->facet_values;
    size_t *offs[NS_XFACETS_MAX] = { NULL };
    ns_status st = NS_OK;
    for (size_t f = 0; f < NS_XFACETS_MAX && st == NS_OK; f++) {
        size_t n = ms->n_facets[f];
        if (n == 0)
            continue;
        res->facets[f] = ns__calloc(n, sizeof *res->facets[f]);
        offs[f] = ns__calloc(n, sizeof *offs[f]);
        if (!res->facets[f] || !offs[f]) {
            st = NS_ERR_NOMEM;
            break;
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            const char *v = ms->facets[f][i].value;
            if (f == NS_FACET_MONTH && strlen(v) == 6 &&
                memcmp(v + 4, "00", 2) == 0)
                continue; /* a year alone (index.c's date_key): no month */
            offs[f][k] = b->len;
            if (f == NS_FACET_MONTH && strlen(v) == 6)
                ns__buf_printf(b, "%.4s-%.2s", v, v + 4);
            else
                ns__buf_puts(b, v);
            ns__buf_putc(b, '\0');
            res->facets[f][k++].count = ms->facets[f][i].count;
        }
        res->n_facets[f] = k;
    }
    if (st == NS_OK && b->oom)
        st = NS_ERR_NOMEM;
    /* The strings are in place only now that the buffer is whole. */
    for (size_t f = 0; f < NS_XFACETS_MAX && st == NS_OK; f++) {
        for (size_t i = 0; i < res->n_facets[f]; i++)
            res->facets[f][i].value = b->data + offs[f][i];
        if (f == NS_FACET_SOURCE && res->n_facets[f] > 1)
            qsort(res->facets[f], res->n_facets[f], sizeof *res->facets[f],
                  by_count);
    }
    for (size_t f = 0; f < NS_XFACETS_MAX; f++)
        ns_free(offs[f]);
    if (st != NS_OK)
        for (size_t f = 0; f < NS_XFACETS_MAX; f++)
            res->n_facets[f] = 0;
    return st;
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

/*
 * How many times each query word occurs in each result's stored text, for
 * snippets (ns__snippet_counts), read from the index's posting lists when
 * a snippet first asks: a word's wdf is its count in the text plus
 * NS_TITLE_WDF times its count in the title (schema.h), which the title
 * term gives.  Not for a prefix (no one term) or a sharded index.
 */
typedef struct counts_ctx {
    ns_db *db;
    const ns__query *q;
    const ns__xmset *ms;
    uint32_t *counts; /* ms->n rows of q->n_terms */
    int state;        /* 0 not read yet, 1 read, -1 none */
} counts_ctx;

static void
read_counts(counts_ctx *c)
{
    size_t nt = c->q->n_terms, nd = c->ms->n;
    c->state = -1;
    if (c->db->shards || !nt || !nd || nt > SIZE_MAX / 2 / nd)
        return;
    for (size_t i = 0; i < nt; i++)
        if (c->q->terms[i].prefix)
            return;
    /* Each term, then its title term. */
    const char **terms = ns__calloc(2 * nt, sizeof *terms);
    char **titles = ns__calloc(nt, sizeof *titles);
    uint32_t *docids = ns__calloc(nd, sizeof *docids);
    uint32_t *wdf = ns__calloc(2 * nt * nd, sizeof *wdf);
    c->counts = ns__calloc(nt * nd, sizeof *c->counts);
    if (!terms || !titles || !docids || !wdf || !c->counts)
        goto out;
    for (size_t i = 0; i < nt; i++) {
        terms[2 * i] = c->q->terms[i].text;
        titles[i] = ns__sprintf(NS_PREFIX_TITLE "%s", c->q->terms[i].text);
        if (!(terms[2 * i + 1] = titles[i]))
            goto out;
    }
    for (size_t d = 0; d < nd; d++)
        docids[d] = c->ms->hits[d].docid;
    /* A writer's commit over the search's revision: no counts. */
    if (ns__xdb_wdfs(c->db->x, terms, 2 * nt, docids, nd, wdf) != NS_OK)
        goto out;
    for (size_t d = 0; d < nd; d++)
        for (size_t i = 0; i < nt; i++) {
            uint32_t w = wdf[(d * nt + i) * 2], t = wdf[(d * nt + i) * 2 + 1];
            c->counts[d * nt + i] = t <= (w / NS_TITLE_WDF)
                                        ? w - NS_TITLE_WDF * t
                                        : UINT32_MAX;
        }
    c->state = 1;
out:
    for (size_t i = 0; titles && i < nt; i++)
        ns_free(titles[i]);
    ns_free(titles);
    ns_free(terms);
    ns_free(docids);
    ns_free(wdf);
}

/* A result's stored text, decoded as its snippet reads it. */
typedef struct more_ctx {
    ns__store *store;
    ns__record *rec;
    counts_ctx *counts;
    size_t hit;
} more_ctx;

static ns_status
more_text(void *ctx, const char **text, size_t *len)
{
    more_ctx *m = ctx;
    ns_status st = ns__store_text_more(m->store, m->rec);
    *text = m->rec->text;
    *len = m->rec->text_len;
    return st;
}

/* A result's values (ns__xsearch_opts.fetch_values), for its snippet. */
static const char *
hit_value(void *ctx, unsigned slot, size_t *len)
{
    const ns__xhit *h = ctx;
    *len = slot < NS_XHIT_SLOTS ? h->val_len[slot] : 0;
    return slot < NS_XHIT_SLOTS ? h->val[slot] : NULL;
}

/* The values a snippet of q reads on an index with position maps: the
 * parts of its words' maps and the sentence index; 0 when it reads none
 * (ns__snippet_plans). */
static uint32_t
snippet_values(const ns__query *q)
{
    if (!ns__snippet_plans(q))
        return 0;
    uint32_t mask = (uint32_t)1 << NS_SLOT_SENTENCES;
    for (size_t i = 0; i < q->n_terms; i++) {
        const char *t = q->terms[i].text;
        mask |= (uint32_t)1 << (NS_SLOT_POSMAP +
                                NS_POSMAP_PART(ns__posmap_key(t, strlen(t))));
    }
    return mask;
}

static const uint32_t *
text_counts(void *ctx)
{
    more_ctx *m = ctx;
    if (m->counts->state == 0)
        read_counts(m->counts);
    if (m->counts->state < 0)
        return NULL;
    return m->counts->counts + m->hit * m->counts->q->n_terms;
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
    if (!db)
        return NS_ERR_INVALID_ARG;
    ns__db_clear_error(db);
    ns_search_options defaults = NS_SEARCH_OPTIONS_INIT;
    const ns_search_options *o = opts ? opts : &defaults;
    if (!query) {
        ns__db_errorf(db, "no query given");
        return NS_ERR_INVALID_ARG;
    }
    if (o->version < 1 || o->version > NS_SEARCH_OPTIONS_VERSION) {
        ns__db_errorf(db, "ns_search_options version %u is unknown to this "
                          "library (it knows 1 to %u)",
                      o->version, (unsigned)NS_SEARCH_OPTIONS_VERSION);
        return NS_ERR_INVALID_ARG;
    }
    if (o->sort != NS_SORT_RELEVANCE && o->sort != NS_SORT_NEWEST &&
        o->sort != NS_SORT_OLDEST) {
        ns__db_errorf(db, "unknown ns_sort %d", (int)o->sort);
        return NS_ERR_INVALID_ARG;
    }

    int plain = o->version >= 2 && o->plain;
    ns__query q;
    ns_status st = ns__query_parse(db, query, plain ? NS_QUERY_PLAIN : 0, &q);
    if (st != NS_OK)
        return st;
    ns__xmset *ms = NULL;
    ns_results *res = NULL;
    counts_ctx cc = { db, &q, NULL, NULL, 0 };
    ns__stem_only *words = NULL;
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
    xo.k1 = NS_BM25_K1;
    xo.b = NS_BM25_B;
    if (q.ranked && o->version >= 3 && o->feedback) {
        xo.prf_docs = NS_PRF_DOCS;
        xo.prf_terms = NS_PRF_TERMS;
        xo.prf_weight = NS_PRF_WEIGHT;
        /* Plain words (topics, batch) take the expansion's words as more
         * words to search (mean MAP +5.1% over FTS5, +4.3% without):
         * articles may match on them alone.  A query in the language only
         * has its matches ranked again, so every result holds a query
         * word, and a filter holds for all.  Feedback is an option: the
         * ESet reads the top articles' term lists, about 0.13 ms of CPU
         * each (2.7 ms a search on the White House sample, where a search
         * with snippets takes 0.7 ms), and fewer articles give less (the
         * README's table: 5 articles ranked again give +0.001 mean MAP). */
        xo.prf_or = plain && !o->since && !o->until;
    }
    if (q.ranked && o->version >= 3 && o->recent) {
        xo.recent_weight = NS_RECENT_WEIGHT;
        xo.recent_halflife = NS_RECENT_HALFLIFE;
        xo.recent_slot = NS_SLOT_DATE;
    }
    /* Near-duplicates are one result unless all are asked for. */
    xo.collapse = !(o->version >= 3 && o->all);
    xo.collapse_slot = NS_SLOT_DUPKEY;
    if (o->version >= 3 && o->facets) {
        xo.n_facets = 2;
        xo.facet_slot[NS_FACET_SOURCE] = NS_SLOT_SOURCE;
        xo.facet_slot[NS_FACET_MONTH] = NS_SLOT_DATE;
        xo.facet_len[NS_FACET_MONTH] = 6;
    }
    if (!o->no_snippets && ns__db_positions_kind(db) == NS_POSITIONS_MAP)
        xo.fetch_values = snippet_values(&q);
    if (q.top) {
        xo.decider = ns__qverify_cb;
        xo.decider_payload = q.top;
    }
    /* A sharded index's search keeps its remote shards connected. */
    st = db->shards ? ns__shards_search(db, q.xq, &xo, &ms)
                    : ns__xdb_search(db->x, q.xq, &xo, &ms);
    if (st != NS_OK)
        goto out;

    res = ns__calloc(1, sizeof *res);
    if (!res || !(res->r = ns__calloc(ms->n ? ms->n : 1, sizeof *res->r))) {
        st = NS_ERR_NOMEM;
        goto out;
    }
    res->total = ms->estimate;
    res->note = q.note;
    q.note = NULL;
    if ((st = take_facets(res, ms)) != NS_OK)
        goto out;
    if (!plain && (st = ns__query_suggest(db, &q, query,
                                          &res->suggestion)) != NS_OK)
        goto out;
    if (db->shards &&
        !(res->missing = ns__shards_missing(db, &res->missing_len)) &&
        res->missing_len) {
        st = NS_ERR_NOMEM;
        goto out;
    }
    if (!o->no_snippets && ms->n) {
        if (!(words = ns__malloc(sizeof *words))) {
            st = NS_ERR_NOMEM;
            goto out;
        }
        ns__snippet_words(&q, words);
    }
    cc.ms = ms;
    for (size_t i = 0; i < ms->n; i++) {
        result *r = &res->r[res->n++];
        st = ns__store_decode(db->store, ms->hits[i].data,
                              ms->hits[i].data_len,
                              o->no_snippets ? 0 : NS_STORE_TEXT_START,
                              &r->rec);
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
        h->duplicates = ms->hits[i].collapsed;
        h->snippet = "";
        if (!o->no_snippets) {
            more_ctx mc = { db->store, &r->rec, &cc, i };
            ns__xvalues vals = { hit_value, &ms->hits[i] };
            ns__snippet_text src = { r->rec.text, r->rec.text_len,
                                     r->rec.text_whole, r->rec.title,
                                     more_text, text_counts, &mc, words,
                                     xo.fetch_values ? &vals : NULL };
            st = ns__snippet_make_steps(db->analyzer, &q, &src,
                                        o->snippet_len, &r->snippet, &r->hl,
                                        &h->n_highlights);
            if (st == NS_ERR_INDEX_CORRUPT)
                ns__db_errorf(db, "article %u: stored record is damaged",
                              (unsigned)ms->hits[i].docid);
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
    ns_free(words);
    ns_free(cc.counts);
    ns__xmset_free(ms);
    ns__query_free(&q);
    if (st != NS_OK) {
        ns_results_free(res);
        return st;
    }
    *out = res;
    return NS_OK;
}
