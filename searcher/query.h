/*
 * query.h: a parsed query: the Xapian query to run, and what the snippet
 * highlighter and the spelling suggester need to know about it (the terms
 * to mark, the phrases whose words are marked only where the whole phrase
 * occurs, the excluded terms that are never marked, and the plain words as
 * written).  The parser analyzes every word with the index's own analyzer.
 * The language is described at the top of query.c.
 */
#ifndef NS_QUERY_H
#define NS_QUERY_H

#include "core/db.h"

/* One term to highlight. */
typedef struct ns__qterm {
    char *text; /* the analyzer term; for a prefix, the folded prefix */
    int prefix; /* match every token whose folded word starts with text */
    int phrase; /* index in ns__query.phrases, or -1 (marked anywhere) */
} ns__qterm;

/* A run of terms (in ns__query.terms) that must occur at consecutive
 * positions to be highlighted. */
typedef struct ns__qphrase {
    size_t first; /* index of its first term */
    size_t n;     /* number of terms */
} ns__qphrase;

/* A plain query word as written: what a spelling suggestion replaces. */
typedef struct ns__qword {
    size_t start, end; /* byte range in the query text */
    char *term;        /* its analyzer term (stemmed) */
    char *word;        /* folded, unstemmed */
} ns__qword;

/* A positional constraint (a phrase, a hyphenated word, NEAR/n, ADJ/n),
 * checked on an article's position map or its stored text (verify.c):
 * the index holds no positions in Xapian's table.  Its terms occur within window positions (the last minus the
 * first is less than window), in query order when ordered; in the title
 * only when title.  Positions are the indexer's: the title's from 0, the
 * body's NS_TITLE_GAP after the title's last (schema.h). */
typedef struct ns__qverify {
    ns_db *db;
    char **terms;      /* analyzer terms, in query order, owned */
    size_t n;
    size_t *group;     /* group[i]: the first j with terms[j] = terms[i] */
    size_t *term_len;  /* strlen(terms[i]) */
    uint32_t *key;     /* ns__posmap_key(terms[i]) */
    struct ns__posmap_list *list; /* scratch: terms[i]'s positions in a
                                   * position map */
    struct ns__posmap *maps;    /* scratch: the parts of a map */
    struct ns__posmap_iter *it; /* scratch: reading list[i] */
    uint32_t *head;    /* scratch: it[i]'s current position, or
                        * UINT32_MAX after its last */
    unsigned window;
    int ordered;
    int title;
    /* Scratch of one check, kept for the next. */
    ns__record rec;
    struct ns__qevent *ev; /* the tokens that are query terms, in order */
    size_t n_ev, cap_ev;
    size_t *count;     /* unordered: per group, the tokens in the window */
    size_t win_start;  /* unordered: the first event in the window */
    char *desc;        /* "a PHRASE 2 b", as Xapian describes its own */
    /* An exact phrase of plain ASCII words (letters and digits): the
     * words, each followed by a space (the last one too), else NULL. */
    char *literal;
    size_t literal_len;
    int found;
    int oom;
    char why[96];
} ns__qverify;

typedef struct ns__query {
    ns__xq *xq;           /* owned */
    ns__qterm *terms;     /* positive terms to highlight, owned */
    size_t n_terms;
    ns__qphrase *phrases; /* owned */
    size_t n_phrases;
    char **excluded;      /* terms of excluded words: never highlighted */
    size_t n_excluded;
    ns__qword *words;     /* plain positive words (spelling), owned */
    size_t n_words;
    ns__qverify **verify; /* the constraints q->xq checks, owned */
    size_t n_verify;
    ns__qverify *top;     /* NULL, or the one constraint (in verify) that
                           * every result must pass, the query being it
                           * alone: xq is its AND of words, and the search
                           * checks it (ns__xsearch_opts.decider) */
    char *note;           /* how the parser read a malformed query, or NULL */
    int ranked;           /* some word carries weight (else only filters) */
} ns__query;

/* ns__query_parse flags. */
#define NS_QUERY_PLAIN 1u /* text is plain words: no operator, no field */

/* At most this many index terms for one `word*`, the most frequent. */
#define NS_QUERY_MAX_EXPANSION 100
/* Parentheses nested deeper than this are read as plain text. */
#define NS_QUERY_MAX_DEPTH 32
/* Words of a query beyond this many are not searched (q->note says so):
 * each is a posting list to merge for every match and a term to look for
 * in every snippet.  The judged collections' longest topic has 342. */
#define NS_QUERY_MAX_WORDS 512

/**
 * Parse text (flags: NS_QUERY_*).  Returns NS_OK; NS_ERR_QUERY_EMPTY (no
 * searchable word, with a message on db); NS_ERR_NOMEM.  A malformed query
 * is read the most reasonable way and q->note says how.  *q is filled on
 * NS_OK and empty otherwise; free it with ns__query_free.
 */
ns_status ns__query_parse(ns_db *db,
                          const char *text,
                          unsigned flags,
                          ns__query *q);
void ns__query_free(ns__query *q);

/** A date bound as a value key (schema.h): the digits of YYYY[-MM[-DD]]
 * padded with pad ('0' for a lower bound, '9' for an upper one) to 14.
 * Returns 0, or -1 when d is not such a date. */
int ns__query_date_key(const char *d, size_t len, char pad, char out[15]);

/**
 * "Did you mean" (suggest.c): text, the query q was parsed from, with each
 * plain word that the index holds rarely replaced by a much more frequent
 * word of its spelling data within two edits, into *out (ns_free it); NULL
 * when no word needs it.  Returns NS_OK; NS_ERR_NOMEM; NS_ERR_BACKEND.
 */
ns_status ns__query_suggest(ns_db *db,
                            const ns__query *q,
                            const char *text,
                            char **out);

/**
 * New constraint (see ns__qverify) on terms[0, n) (copied), added to q;
 * words (NULL, or the query's folded words the terms came from) let an
 * exact phrase be found as written (verify.c);
 * NULL when out of memory.  Its check is ns__qverify_cb (an
 * ns__xverify_cb, payload the constraint).
 */
ns__qverify *ns__qverify_add(ns__query *q,
                             ns_db *db,
                             const char *const *terms,
                             const char *const *words,
                             size_t n,
                             unsigned window,
                             int ordered,
                             int title);
int ns__qverify_cb(void *payload,
                   uint32_t docid,
                   const ns__xvalues *vals,
                   const char *data,
                   size_t len,
                   const char **why);
/** Free q's constraints; those after the first keep. */
void ns__qverify_free_all(ns__query *q);
void ns__qverify_drop(ns__query *q, size_t keep);

/**
 * Make a snippet of text for q: up to three fragments (joined by " … ")
 * chosen for the most distinct query words, preferring sentence starts,
 * cut on word and grapheme boundaries, whitespace folded.  Highlights are
 * byte ranges in the snippet.  title (may be NULL) is skipped when the text
 * repeats it at its start.  target is the snippet's size in bytes (0: 240).
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

/**
 * Decode more of a text (ns__snippet_text.more): on NS_OK, *text and *len
 * are the text decoded so far, longer than before unless whole.
 */
typedef ns_status (*ns__snippet_more)(void *ctx, const char **text,
                                      size_t *len);

/**
 * How many times each query term (ns__query.terms[i]) occurs in the whole
 * text, as the indexer analyzed it (a leading copy of the title included);
 * UINT32_MAX where not known.  NULL when none is known.
 */
typedef const uint32_t *(*ns__snippet_counts)(void *ctx);

/* A text for ns__snippet_make_steps, decoded as the scan needs it. */
typedef struct ns__snippet_text {
    const char *text; /* text[0, len) is there, of whole bytes */
    size_t len, whole;
    const char *title; /* skipped where the text repeats it; may be NULL */
    ns__snippet_more more; /* decodes more; NULL when len is whole */
    /* Asked at most once, when the text at hand does not settle the
     * snippet; NULL: never.  The counts only save reading: a snippet made
     * with them is the one made without. */
    ns__snippet_counts counts;
    void *ctx; /* for more and counts */
    /* ns__snippet_words(q), made once for many texts; NULL: made here */
    const ns__stem_only *words;
    /* The article's position map and sentence index (posmap.h: values
     * NS_SLOT_POSMAP + part and NS_SLOT_SENTENCES), when the index keeps
     * them: only the sentences that hold the query's words are then
     * analyzed.  NULL: none. */
    const ns__xvalues *values;
} ns__snippet_text;

/** Whether a snippet of q reads the position map and sentence index
 * (ns__snippet_text.values) when there are some: a query of several words
 * or a phrase, none a prefix. */
int ns__snippet_plans(const ns__query *q);

/** The words a snippet of q stems (the others cannot match): the set
 * ns__snippet_text.words takes. */
void ns__snippet_words(const ns__query *q, ns__stem_only *set);

/**
 * ns__snippet_make() on a text decoded in steps (core/store.h).  A scan
 * that stops reading early (snippet.c) leaves the end of a long text
 * undecoded.  Without values, the snippet is the one the whole text gives;
 * with them, the one its sentences that hold the query's words give.
 */
ns_status ns__snippet_make_steps(ns_analyzer *an,
                                 const ns__query *q,
                                 const ns__snippet_text *src,
                                 unsigned target,
                                 ns_buf *out,
                                 ns_highlight **hl,
                                 size_t *n_hl);

#endif /* NS_QUERY_H */
