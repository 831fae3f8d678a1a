/*
 * query.c: the query parser.  A query is words and "quoted phrases"; each
 * is analyzed by the index's analyzer, so `airbases` searches the term that
 * `airbase` was indexed as.  Words that the analyzer splits (`al-Assad`,
 * `U.S.-led`) become phrases.  The parts are ORed and BM25 ranks the
 * articles that have more of them higher.  An unbalanced quote is read as
 * if closed at the end, and said so in the note.
 */
#include "searcher/query.h"

#include <string.h>

typedef struct builder {
    ns_db *db;
    ns__query *q;
    ns__xq **parts; /* top-level ORed parts */
    size_t n_parts, cap_parts;
    ns__xq **cur;   /* the terms of the word or phrase being analyzed */
    size_t n_cur, cap_cur;
    size_t cur_first; /* index in q->terms of the first term of cur */
    int joined_run;   /* a JOINED token continued the previous one */
    ns_status st;
} builder;

static int
push(ns__xq ***arr, size_t *n, size_t *cap, ns__xq *x)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 8;
        ns__xq **a = ns__realloc(*arr, c * sizeof *a);
        if (!a)
            return -1;
        *arr = a;
        *cap = c;
    }
    (*arr)[(*n)++] = x;
    return 0;
}

static ns_status
add_term(ns__query *q, const char *t, size_t n)
{
    for (size_t i = 0; i < q->n_terms; i++)
        if (strlen(q->terms[i]) == n && memcmp(q->terms[i], t, n) == 0) {
            /* Keep duplicates inside phrases positional: append anyway. */
            break;
        }
    char **a = ns__realloc(q->terms, (q->n_terms + 1) * sizeof *a);
    if (!a)
        return NS_ERR_NOMEM;
    q->terms = a;
    if (!(a[q->n_terms] = ns__strndup(t, n)))
        return NS_ERR_NOMEM;
    q->n_terms++;
    return NS_OK;
}

static ns_status
add_phrase(ns__query *q, size_t first, size_t n)
{
    ns__qphrase *p = ns__realloc(q->phrases, (q->n_phrases + 1) * sizeof *p);
    if (!p)
        return NS_ERR_NOMEM;
    q->phrases = p;
    p[q->n_phrases].first = first;
    p[q->n_phrases].n = n;
    q->n_phrases++;
    return NS_OK;
}

static int
on_token(const ns_token *t, void *payload)
{
    builder *b = payload;
    ns__xq *x = ns__xq_term(t->term, t->term_len, 1, t->pos);
    if (!x || push(&b->cur, &b->n_cur, &b->cap_cur, x) != 0 ||
        add_term(b->q, t->term, t->term_len) != NS_OK) {
        ns__xq_free(x);
        b->st = NS_ERR_NOMEM;
        return 1;
    }
    return 0;
}

/* The terms analyzed from one word or phrase become one part: a term, or a
 * phrase of them. */
static ns_status
close_part(builder *b, int phrase)
{
    if (b->n_cur == 0)
        return NS_OK;
    ns__xq *x;
    if (b->n_cur == 1) {
        x = b->cur[0];
    } else {
        /* Several terms from one word (al-Assad) or from a quoted
         * phrase: they must be adjacent. */
        (void)phrase;
        ns_status st = add_phrase(b->q, b->cur_first, b->n_cur);
        if (st != NS_OK)
            return st;
        x = ns__xq_combine(NS_XQ_PHRASE, b->cur, b->n_cur, (unsigned)b->n_cur);
    }
    b->n_cur = 0;
    if (!x || push(&b->parts, &b->n_parts, &b->cap_parts, x) != 0) {
        ns__xq_free(x);
        return NS_ERR_NOMEM;
    }
    return NS_OK;
}

static ns_status
analyze_part(builder *b, const char *s, size_t n, int phrase)
{
    b->cur_first = b->q->n_terms;
    ns_status st = ns__analyzer_run(b->db->analyzer, s, n, 0,
                                    NS_ANALYZE_QUERY, on_token, b, NULL);
    if (st != NS_OK)
        return b->st != NS_OK ? b->st : st;
    return close_part(b, phrase);
}

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

ns_status
ns__query_parse(ns_db *db, const char *text, ns__query *q)
{
    memset(q, 0, sizeof *q);
    builder b = { 0 };
    b.db = db;
    b.q = q;
    ns_status st = NS_OK;
    const char *p = text;
    while (st == NS_OK && *p) {
        if (is_space(*p)) {
            p++;
            continue;
        }
        if (*p == '"') {
            const char *start = ++p;
            const char *end = strchr(start, '"');
            if (!end) {
                end = start + strlen(start);
                if (!q->note)
                    q->note = ns__strdup("unbalanced quote: read as closed "
                                         "at the end of the query");
            }
            st = analyze_part(&b, start, (size_t)(end - start), 1);
            p = *end ? end + 1 : end;
            continue;
        }
        const char *start = p;
        while (*p && !is_space(*p) && *p != '"')
            p++;
        st = analyze_part(&b, start, (size_t)(p - start), 0);
    }
    if (st == NS_OK && b.n_parts == 0) {
        ns__db_errorf(db, "the query has no word to search for");
        st = NS_ERR_QUERY_EMPTY;
    }
    if (st == NS_OK) {
        q->xq = ns__xq_combine(NS_XQ_OR, b.parts, b.n_parts, 0);
        b.n_parts = 0;
        if (!q->xq)
            st = NS_ERR_NOMEM;
    }
    for (size_t i = 0; i < b.n_parts; i++)
        ns__xq_free(b.parts[i]);
    for (size_t i = 0; i < b.n_cur; i++)
        ns__xq_free(b.cur[i]);
    ns_free(b.parts);
    ns_free(b.cur);
    if (st != NS_OK)
        ns__query_free(q);
    return st;
}

void
ns__query_free(ns__query *q)
{
    ns__xq_free(q->xq);
    for (size_t i = 0; i < q->n_terms; i++)
        ns_free(q->terms[i]);
    ns_free(q->terms);
    ns_free(q->phrases);
    ns_free(q->note);
    memset(q, 0, sizeof *q);
}
