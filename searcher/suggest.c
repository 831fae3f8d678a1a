/*
 * suggest.c: "did you mean".  For each plain word of a query that the
 * index does not know or knows only rarely, the most frequent word of the
 * index's spelling data (the titles' words, schema.h) within two edits is
 * proposed; failing that, the closest frequent term of the index with the
 * same first two letters, if it is its own stem (a name, such as
 * `latakia`: a stem like `govern` is no word to show).  It is proposed for
 * an unknown word when the index holds its term, for a rare one when
 * NS_SUGGEST_RATIO times more articles hold it and it is one edit away (a
 * swap of two letters is one): a rare word the index holds is more often
 * a rare name spelled right (`Latakia`) than a frequent one misspelled
 * (`Latvia`, two edits away).  The
 * suggestion is the query text with those words replaced, in the case the
 * user typed them (`Latakai` -> `Latakia`).  Phrases, prefixes and fields
 * are left as written.  Only words the index holds at most
 * NS_SUGGEST_RARE times are looked up, so a query of common words costs
 * one term frequency lookup per word.
 */
#include "searcher/query.h"

#include <string.h>

/* A word is rare when at most this many articles hold its term. */
#define NS_SUGGEST_RARE 5
/* A correction must be held by this many times more articles. */
#define NS_SUGGEST_RATIO 10
/* Edits (Xapian's Levenshtein distance) a correction may be away. */
#define NS_SUGGEST_EDITS 2

typedef struct first_term {
    ns_buf *out;
    int n;
} first_term;

static int
on_token(const ns_token *t, void *payload)
{
    first_term *f = payload;
    if (f->n++ == 0)
        ns__buf_append(f->out, t->term, t->term_len);
    return 0;
}

/* Articles that hold the term of word (one word: else 0). */
static ns_status
word_freq(ns_db *db, const char *word, size_t len, ns_buf *scratch,
          uint64_t *freq)
{
    first_term f = { scratch, 0 };
    *freq = 0;
    ns__buf_reset(scratch);
    ns_status st = ns__analyzer_run(db->analyzer, word, len, 0,
                                    NS_ANALYZE_QUERY, on_token, &f, NULL);
    if (st != NS_OK)
        return st;
    if (scratch->oom)
        return NS_ERR_NOMEM;
    if (f.n != 1)
        return NS_OK;
    return ns__xdb_termfreq(db->x, ns__buf_cstr(scratch), freq);
}

/* The closest term of the index to word that can be shown as a word (the
 * analyzer gives it back as its own term) into cand, or cand empty. */
static ns_status
closest_word(ns_db *db, const char *word, ns_buf *cand, ns_buf *scratch)
{
    uint64_t f = 0;
    ns_status st = ns__xdb_closest_term(db->x, word, 2, NS_SUGGEST_EDITS,
                                        cand, &f);
    if (st != NS_OK || cand->len == 0)
        return st;
    first_term t = { scratch, 0 };
    ns__buf_reset(scratch);
    st = ns__analyzer_run(db->analyzer, cand->data, cand->len, 0,
                          NS_ANALYZE_QUERY, on_token, &t, NULL);
    if (st == NS_OK && scratch->oom)
        st = NS_ERR_NOMEM;
    if (st == NS_OK && (t.n != 1 || scratch->len != cand->len ||
                        memcmp(scratch->data, cand->data, cand->len) != 0))
        ns__buf_reset(cand);
    return st;
}

/* Whether a and b are at most one edit apart: an insertion, a deletion,
 * a substitution, or the swap of two adjacent bytes. */
static int
one_edit(const char *a, size_t n, const char *b, size_t m)
{
    if (n < m) {
        const char *t = a;
        a = b;
        b = t;
        size_t k = n;
        n = m;
        m = k;
    }
    if (n - m > 1)
        return 0;
    size_t i = 0;
    while (i < m && a[i] == b[i])
        i++;
    if (i == m)
        return 1;
    if (n > m) /* a deletion from a at i */
        return memcmp(a + i + 1, b + i, m - i) == 0;
    if (memcmp(a + i + 1, b + i + 1, n - i - 1) == 0)
        return 1; /* a substitution */
    return i + 1 < n && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           memcmp(a + i + 2, b + i + 2, n - i - 2) == 0;
}

/* Append word as the user wrote its first letter(s): "Latakia" for a
 * written "Latakai", "LATAKIA" for "LATAKAI". */
static void
put_cased(ns_buf *out, const char *word, size_t n, const char *as, size_t an)
{
    int upper_first = an && as[0] >= 'A' && as[0] <= 'Z';
    int all_upper = an > 1 && upper_first;
    for (size_t i = 0; i < an && all_upper; i++)
        if (as[i] >= 'a' && as[i] <= 'z')
            all_upper = 0;
    for (size_t i = 0; i < n; i++) {
        char c = word[i];
        if ((all_upper || (i == 0 && upper_first)) && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        ns__buf_putc(out, c);
    }
}

ns_status
ns__query_suggest(ns_db *db, const ns__query *q, const char *text,
                  char **out)
{
    *out = NULL;
    ns_buf res = { 0 }, cand = { 0 }, scratch = { 0 };
    ns_status st = NS_OK;
    size_t at = 0;
    int changed = 0;
    for (size_t i = 0; i < q->n_words && st == NS_OK; i++) {
        const ns__qword *w = &q->words[i];
        uint64_t tf = 0, ctf = 0;
        if ((st = ns__xdb_termfreq(db->x, w->term, &tf)) != NS_OK)
            break;
        if (tf > NS_SUGGEST_RARE)
            continue;
        st = ns__xdb_spelling(db->x, w->word, NS_SUGGEST_EDITS, &cand);
        if (st == NS_OK &&
            (cand.len == 0 || strcmp(ns__buf_cstr(&cand), w->word) == 0))
            st = closest_word(db, w->word, &cand, &scratch);
        if (st != NS_OK || cand.len == 0 ||
            strcmp(ns__buf_cstr(&cand), w->word) == 0)
            continue;
        if (tf > 0 && !one_edit(w->word, strlen(w->word), cand.data,
                                cand.len))
            continue;
        st = word_freq(db, cand.data, cand.len, &scratch, &ctf);
        if (st != NS_OK || ctf == 0 || ctf < NS_SUGGEST_RATIO * tf)
            continue;
        ns__buf_append(&res, text + at, w->start - at);
        put_cased(&res, cand.data, cand.len, text + w->start,
                  w->end - w->start);
        at = w->end;
        changed = 1;
    }
    if (st == NS_OK && changed) {
        ns__buf_puts(&res, text + at);
        if (res.oom)
            st = NS_ERR_NOMEM;
        else
            *out = ns__buf_detach(&res);
    }
    ns__buf_free(&res);
    ns__buf_free(&cand);
    ns__buf_free(&scratch);
    return st;
}
