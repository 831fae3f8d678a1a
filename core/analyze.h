/*
 * analyze.h: the one analyzer.  It turns UTF-8 text into tokens (a normalized
 * term, its unstemmed form, its position and the byte range it came from).
 * The indexer, the query parser and the snippet highlighter all call it, so a
 * query word always meets the indexed term and the highlighted bytes
 * (SQLite FTS5 shares one tokenizer the same way).
 *
 * It is configured by a spec string that the index records in its metadata
 * (schema.h): the searcher rebuilds the same analyzer from it.  It owns no
 * Xapian state and calls no Xapian code.
 */
#ifndef NS_ANALYZE_H
#define NS_ANALYZE_H

#include <stddef.h>
#include <stdint.h>

#include "nsearch.h"

typedef struct ns_analyzer ns_analyzer;

/** One token.  Every pointer is valid only during the callback. */
typedef struct ns_token {
    const char *term; /* the index term: folded, then stemmed */
    size_t term_len;
    const char *word; /* folded, unstemmed (for prefixes and spelling) */
    size_t word_len;
    size_t start; /* byte range [start, end) in the input text */
    size_t end;
    uint32_t pos;   /* word position, 0-based, in this call's text */
    unsigned flags; /* NS_TOKEN_* */
} ns_token;

#define NS_TOKEN_NUMBER 1u /* a number: not stemmed */
/* The token follows its predecessor inside one written word (`al-Assad`
 * gives `al` then `assad` with this flag): a query treats the run as a
 * phrase. */
#define NS_TOKEN_JOINED 2u
/* A sentence ends before this token (after . ! ? or a paragraph break). */
#define NS_TOKEN_SENTENCE_START 4u

/* Modes of ns__analyzer_run(). */
#define NS_ANALYZE_DOCUMENT 0u
#define NS_ANALYZE_QUERY    1u /* same terms; the text is a query's words */
#define NS_ANALYZE_NOSTEM   2u /* term = word (e.g. for prefix queries) */

/** Counters a caller may ask for; added to, never reset. */
typedef struct ns_analyze_stats {
    uint64_t invalid_bytes; /* bytes of invalid UTF-8 skipped */
    uint64_t tokens;
} ns_analyze_stats;

/** Returns non-zero to stop; ns__analyzer_run() then returns NS_ERR_ABORTED. */
typedef int (*ns_token_cb)(const ns_token *tok, void *payload);

/* The spec of a new index's analyzer (English, Porter2, version 1). */
#define NS_ANALYZER_DEFAULT_SPEC "lang=en;stem=english;norm=nfkc_cf_nomark;v=1"

/**
 * Build an analyzer from a spec ("lang=en;stem=english;norm=...;v=1").
 * NULL spec means NS_ANALYZER_DEFAULT_SPEC.  stem=none turns stemming off;
 * other languages are Snowball's names (french, german, ...).
 * Returns NS_OK; NS_ERR_INVALID_ARG (unknown language or version: message
 * in *errmsg if errmsg is not NULL, free with ns_free()); NS_ERR_NOMEM.
 * One analyzer is used by one thread at a time.
 */
ns_status ns__analyzer_new(const char *spec, ns_analyzer **out, char **errmsg);
void ns__analyzer_free(ns_analyzer *a);

/** The canonical spec string of a (valid while a lives). */
const char *ns__analyzer_spec(const ns_analyzer *a);

/**
 * Tokenize text[0, len).  Invalid UTF-8 never crashes it and never reaches a
 * term: invalid bytes are skipped (counted in stats) and act as separators.
 * Positions start at first_pos.  stats may be NULL.
 * Returns NS_OK; NS_ERR_ABORTED (cb returned non-zero); NS_ERR_NOMEM.
 */
ns_status ns__analyzer_run(ns_analyzer *a,
                           const char *text,
                           size_t len,
                           uint32_t first_pos,
                           unsigned mode,
                           ns_token_cb cb,
                           void *payload,
                           ns_analyze_stats *stats);

/**
 * Fold one word the way terms are folded, without stemming, into a buffer
 * the analyzer owns (valid until the next call on a).  For callers that
 * need a single normalized word (a field value, a spelling candidate).
 * Returns the folded length; *out points at the bytes.
 */
size_t ns__analyzer_fold(ns_analyzer *a,
                         const char *word,
                         size_t len,
                         const char **out);

#endif /* NS_ANALYZE_H */
