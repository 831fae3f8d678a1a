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

/**
 * One token.  Every pointer is valid only during the callback; term and
 * word are NUL-terminated, never empty and valid UTF-8; word is at most
 * NS_ANALYZER_MAX_WORD bytes.
 */
typedef struct ns_token {
    const char *term; /* the index term: folded, then stemmed */
    size_t term_len;
    const char *word; /* folded, unstemmed (for prefixes and spelling) */
    size_t word_len;
    size_t start;   /* byte range [start, end) in the input text: on UTF-8 */
    size_t end;     /* boundaries; covers `'s`, an acronym's final period */
    uint32_t pos;   /* first_pos + the number of tokens before this one */
    unsigned flags; /* NS_TOKEN_* */
} ns_token;

/* Words longer than this after folding give no token and use no position
 * (counted in ns_analyze_stats.skipped_long). */
#define NS_ANALYZER_MAX_WORD 64

/* Only decimal digits, with the points of `3.5` (`1,000` gives `1000`):
 * not stemmed.  `mp3` and `90s` are words, not numbers. */
#define NS_TOKEN_NUMBER 1u
/* The token follows its predecessor inside one written word (`al-Assad`
 * gives `al` then `assad` with this flag; so do `U.S.-led`, `2015-09-18`,
 * `F-16`, and each CJK character after the first of a run): a query treats
 * the run as a phrase.  Only hyphens join; `/` and the en dash split. */
#define NS_TOKEN_JOINED 2u
/* A sentence starts at this token: the first of a call, or after . ! ?
 * and white space, a blank line, or 。！？.  Not after an acronym's period
 * (`U.S.`), an initial (`F.`), or, for lang=en, `Dr.`, `Sen.`, `Jan.`... */
#define NS_TOKEN_SENTENCE_START 4u

/* Modes of ns__analyzer_run(). */
#define NS_ANALYZE_DOCUMENT 0u
#define NS_ANALYZE_QUERY    1u /* same terms; the text is a query's words */
#define NS_ANALYZE_NOSTEM   2u /* term = word (e.g. for prefix queries) */

/** Counters a caller may ask for; added to, never reset. */
typedef struct ns_analyze_stats {
    uint64_t invalid_bytes; /* bytes of invalid UTF-8 skipped */
    uint64_t tokens;        /* tokens handed to the callback */
    uint64_t skipped_long;  /* words skipped as too long */
} ns_analyze_stats;

/** Returns non-zero to stop; ns__analyzer_run() then returns NS_ERR_ABORTED. */
typedef int (*ns_token_cb)(const ns_token *tok, void *payload);

/* The spec of a new index's analyzer (English, Porter2, version 1). */
#define NS_ANALYZER_DEFAULT_SPEC "lang=en;stem=english;norm=nfkc_cf_nomark;v=1"

/**
 * Build an analyzer from a spec ("lang=en;stem=english;norm=...;v=1").
 * NULL spec means NS_ANALYZER_DEFAULT_SPEC.  Keys, each at most once and in
 * any order (a missing one takes its default):
 *   lang  ISO 639-1 code of a Snowball language, or zh, ja, ko, und
 *         (default en);
 *   stem  a name from Xapian's Snowball stemmers, ns__xstem_list()
 *         (english, french, porter, ...) or none (default: lang's stemmer,
 *         none for zh...); not greek, hindi, serbian or yiddish, which
 *         Xapian 1.4 lacks, and not finnish, french, portuguese or russian
 *         with norm=nfkc_cf (their stems changed, see analyze.c);
 *   norm  nfkc_cf_nomark (NFKC, case folded, diacritics removed) or nfkc_cf
 *         (diacritics kept) (default nfkc_cf_nomark);
 *   v     1, the version of the rules (default 1).
 *
 * @param spec    the spec, or NULL
 * @param out     receives the analyzer; set to NULL on failure
 * @param errmsg  optional; on NS_ERR_INVALID_ARG a message, free with
 *                ns_free(); otherwise set to NULL
 *
 * Ownership: the caller owns *out and frees it with ns__analyzer_free()
 * (NULL is a no-op).  One analyzer is used by one thread at a time
 * (Snowball stemmers are not thread-safe); there is no global state.
 * Returns: NS_OK; NS_ERR_INVALID_ARG (out NULL; unknown key, language,
 * stemmer, normalization or version; a key given twice); NS_ERR_NOMEM.
 */
ns_status ns__analyzer_new(const char *spec, ns_analyzer **out, char **errmsg);
void ns__analyzer_free(ns_analyzer *a);

/** The canonical spec of a, all four keys in the order lang, stem, norm,
 * v: the string to record in the index (valid while a lives). */
const char *ns__analyzer_spec(const ns_analyzer *a);

/**
 * Tokenize text[0, len), calling cb for each token in order.  Invalid UTF-8
 * never crashes it and never reaches a term: invalid bytes are skipped
 * (counted in stats) and act as separators.  Positions start at first_pos
 * and are consecutive.  mode is NS_ANALYZE_DOCUMENT or NS_ANALYZE_QUERY
 * (the same terms for now), optionally | NS_ANALYZE_NOSTEM.  stats may be
 * NULL.  The rules (apostrophes, acronyms, hyphens, numbers, CJK) are
 * described at the top of analyze.c.
 *
 * Returns: NS_OK; NS_ERR_INVALID_ARG (a or cb NULL, text NULL with len > 0,
 * unknown mode bits); NS_ERR_ABORTED (cb returned non-zero); NS_ERR_NOMEM.
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
 * ns__analyzer_run() for callers that only compare terms with a few known
 * ones (snippets): with a stemmer whose stems keep their word's start
 * (english), a word that cannot stem to any term of stem_only (filled with
 * ns__stem_only_add) is not stemmed, and cb is not called for it unless it
 * starts a sentence (then its term is its folded word); it still takes its
 * position.  With another stemmer, or stem_only NULL, the same as
 * ns__analyzer_run().
 *
 * Porter2 rewrites at most the last two bytes of what it keeps of a word:
 * a stem of L >= 4 bytes starts with its word's first L - 2 bytes, a
 * shorter one with its first two (of the 329,605 distinct words of
 * ../shared/news and ../shared/eval, only "dying", "lying" and "tying",
 * to "die", "lie" and "tie", differ in their second byte; the set allows
 * for them).  A set keeps those starts for NS_STEM_ONLY_TERMS terms, and
 * only their first two bytes for more.
 */
#define NS_STEM_ONLY_TERMS 32
#define NS_STEM_ONLY_START 16 /* bytes of a term's start compared, at most */

typedef struct ns__stem_only {
    unsigned char first2[8192]; /* a bit per first two bytes of a term */
    unsigned n;                 /* terms[] used */
    int open;                   /* more terms than fit: first2 decides */
    struct {
        uint16_t first2;  /* the term's first two bytes */
        unsigned char need; /* a word must start with start[0, need) */
        char start[NS_STEM_ONLY_START];
    } terms[NS_STEM_ONLY_TERMS];
} ns__stem_only;

/** Add the words that may stem to term to the set (zeroed at first). */
void ns__stem_only_add(ns__stem_only *set, const char *term);
/** Add the words a prefix term matches (they start with prefix). */
void ns__stem_only_add_prefix(ns__stem_only *set, const char *prefix);
/** Whether word[0, len) may stem to a term of the set. */
int ns__stem_only_has(const ns__stem_only *set, const char *word, size_t len);

ns_status ns__analyzer_run_some(ns_analyzer *a,
                                const char *text,
                                size_t len,
                                uint32_t first_pos,
                                unsigned mode,
                                const ns__stem_only *stem_only,
                                ns_token_cb cb,
                                void *payload,
                                ns_analyze_stats *stats);

/**
 * Whether word[0, len), a token's folded word, is one of the language's
 * stop words (only lang=en has a list: "the", "of", "what", ...): words a
 * query searches only when it has no others (searcher/query.c).  The index
 * keeps every word, so phrases hold them.
 */
int ns__analyzer_is_stopword(const ns_analyzer *a, const char *word,
                             size_t len);

/**
 * Fold one word the way terms are folded, without stemming, into a buffer
 * the analyzer owns (valid until the next call on a).  For callers that
 * need a single normalized word (a field value, a spelling candidate).
 * Only characters are folded: `Pérez` gives `perez`, `don’t` gives `don't`,
 * invalid bytes are dropped, and spaces and punctuation are kept; no word
 * rule applies (no possessive, acronym or hyphen split, no length limit).
 * For a plain word the result equals the token's word.
 * Returns the folded length; *out points at the bytes (NUL-terminated).  On
 * allocation failure (or a or out NULL) returns 0 with *out NULL; an empty
 * result is 0 with *out non-NULL.
 */
size_t ns__analyzer_fold(ns_analyzer *a,
                         const char *word,
                         size_t len,
                         const char **out);

/* Tests only: nonzero makes every word take the general scanning path, so
 * that a test can check the fast one gives the same tokens. */
extern int ns__analyzer_general_only;

#endif /* NS_ANALYZE_H */
