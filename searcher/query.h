/*
 * query.h: a parsed query: the Xapian query to run, and what the snippet
 * highlighter needs to know about it (the terms to mark, and the phrases
 * whose words are marked only where the whole phrase occurs).  The parser
 * analyzes every word with the index's own analyzer.
 */
#ifndef NS_QUERY_H
#define NS_QUERY_H

#include "core/db.h"

/* A run of terms that must occur consecutively to be highlighted. */
typedef struct ns__qphrase {
    size_t first; /* index of its first term in ns__query.terms */
    size_t n;     /* number of terms */
} ns__qphrase;

typedef struct ns__query {
    ns__xq *xq;         /* owned */
    char **terms;       /* positive terms (analyzer terms), owned */
    size_t n_terms;
    ns__qphrase *phrases; /* owned */
    size_t n_phrases;
    char *note;         /* what the parser changed ("unbalanced quote..."), or NULL */
} ns__query;

/**
 * Parse text.  Returns NS_OK; NS_ERR_QUERY_EMPTY (no searchable word, with
 * a message on db); NS_ERR_QUERY_SYNTAX; NS_ERR_NOMEM.  *q is filled on
 * NS_OK and empty otherwise; free it with ns__query_free.
 */
ns_status ns__query_parse(ns_db *db, const char *text, ns__query *q);
void ns__query_free(ns__query *q);

/**
 * Make a snippet of text for q: the window of about target bytes around the
 * densest cluster of matched words, cut on word boundaries, whitespace
 * folded.  Highlights are byte ranges in the snippet.  title (may be NULL)
 * is skipped when the text repeats it at its start.
 */
ns_status ns__snippet_make(ns_analyzer *an,
                           const ns__query *q,
                           const char *text,
                           size_t len,
                           const char *title,
                           unsigned target,
                           ns_buf *out,
                           ns_highlight **hl,
                           size_t *n_hl);

#endif /* NS_QUERY_H */
