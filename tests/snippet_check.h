/*
 * snippet_check.h: an independent check of a snippet's promises (README's
 * snippet section, searcher/snippet.c), for tests that cannot compare a
 * snippet byte for byte with another: a snippet made from an article's
 * position map and sentence index (the "planned" path) may choose other
 * fragments than a scan of the whole text, so only what both must keep
 * can be compared.
 *
 * Each fragment of the snippet is found in the text again (white space
 * and control bytes folded as snippets fold them) and analyzed again with
 * the index's analyzer: every token of a query word must lie in a
 * highlight, a phrase's words only where the whole phrase is shown (or
 * where the fragment's edge cuts it), an excluded word never; each
 * highlight covers whole tokens; each fragment starts and ends on a
 * grapheme boundary of the text; the snippet is valid UTF-8 when the text
 * is.  It also gives the distinct query words highlighted (a phrase
 * counts as one), of which a planned snippet must show as many as the
 * whole text's scan does.
 *
 * Static functions only, for tests/unit and tests/fuzz alike.
 */
#ifndef NS_TESTS_SNIPPET_CHECK_H
#define NS_TESTS_SNIPPET_CHECK_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "searcher/query.h"

#define SC_SEP      " \xe2\x80\xa6 "
#define SC_SEP_LEN  5
#define SC_LEAD     "\xe2\x80\xa6 "
#define SC_TRAIL    " \xe2\x80\xa6"
#define SC_MARK_LEN 4
#define SC_TERMS    64

/* A text made ready for many checks: folded as snippets fold it, and its
 * grapheme boundaries. */
typedef struct sc_text {
    const char *text;
    size_t len;
    char *fold;    /* white space and control runs as one space */
    size_t *fmap;  /* fold[i] is text[fmap[i]] (a run: its first byte) */
    size_t n_fold;
    unsigned char *bnd; /* [0, len]: 1 at a grapheme boundary */
    int valid;     /* the text is valid UTF-8 */
} sc_text;

static int
sc_is_fold(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || c < 0x20 || c == 0x7f;
}

/* The first needle[0, k) in hay[0, n), or NULL (memmem is GNU's). */
static const char *
sc_memmem(const char *hay, size_t n, const char *needle, size_t k)
{
    for (size_t i = 0; k && k <= n && i <= n - k; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, k) == 0)
            return hay + i;
    return NULL;
}

/* 0; -1 out of memory. */
static int
sc_text_init(sc_text *t, const char *text, size_t len)
{
    memset(t, 0, sizeof *t);
    t->text = text;
    t->len = len;
    t->fold = malloc(len + 1);
    t->fmap = malloc((len + 1) * sizeof *t->fmap);
    t->bnd = calloc(len + 1, 1);
    if (!t->fold || !t->fmap || !t->bnd)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (sc_is_fold((unsigned char)text[i])) {
            if (t->n_fold && t->fold[t->n_fold - 1] == ' ' &&
                sc_is_fold((unsigned char)text[i - 1]))
                continue;
            t->fold[t->n_fold] = ' ';
        } else {
            t->fold[t->n_fold] = text[i];
        }
        t->fmap[t->n_fold++] = i;
    }
    t->fold[t->n_fold] = '\0';
    /* Boundaries by utf8proc's rules from the text's start; an invalid
     * byte is a boundary on both sides (as snippet.c takes it). */
    utf8proc_int32_t state = 0, prev = -1, cp;
    t->valid = 1;
    t->bnd[0] = t->bnd[len] = 1;
    for (size_t p = 0; p < len;) {
        utf8proc_ssize_t n = utf8proc_iterate(
            (const utf8proc_uint8_t *)text + p, (utf8proc_ssize_t)(len - p),
            &cp);
        if (n <= 0) {
            t->valid = 0;
            t->bnd[p] = t->bnd[p + 1] = 1;
            prev = -1;
            state = 0;
            p++;
            continue;
        }
        if (prev < 0 || utf8proc_grapheme_break_stateful(prev, cp, &state))
            t->bnd[p] = 1;
        prev = cp;
        p += (size_t)n;
    }
    return 0;
}

static void
sc_text_free(sc_text *t)
{
    free(t->fold);
    free(t->fmap);
    free(t->bnd);
    memset(t, 0, sizeof *t);
}

typedef struct sc_tok {
    size_t start, end; /* in the snippet */
    uint32_t pos;
    uint64_t terms; /* bit i: the token is q->terms[i]'s term */
    int excluded;
    int word;   /* the group of a standalone query word, or -1 */
    int phrase; /* a phrase shown whole (or cut by the edge), or -1 */
    int must;   /* must be highlighted */
    int may;    /* may be highlighted */
} sc_tok;

typedef struct snip_check {
    /* In. */
    ns_analyzer *an;
    const ns__query *q;
    const sc_text *t;
    const char *snip;
    size_t snip_len;
    const ns_highlight *hl;
    size_t n_hl;
    /* Only the snippet's form: its bytes, highlights in range, fragments
     * of the text cut on grapheme boundaries; not which words are marked
     * (a damaged index may start an analysis inside a word). */
    int form_only;
    /* Out: the groups highlighted (bit: a standalone word, by its first
     * term; a phrase), and what failed. */
    uint64_t words, phrases;
    char why[1024];
    /* Scratch. */
    sc_tok *tok;
    size_t n_tok, cap_tok;
    size_t base; /* the fragment analyzed starts here in the snippet */
    int oom;
} snip_check;

static int
sc_fail(snip_check *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
    return -1;
}

static int
sc_excluded(const ns__query *q, const char *term)
{
    for (size_t i = 0; i < q->n_excluded; i++)
        if (strcmp(q->excluded[i], term) == 0)
            return 1;
    return 0;
}

static int
sc_on_token(const ns_token *t, void *payload)
{
    snip_check *c = payload;
    const ns__query *q = c->q;
    if (c->n_tok == c->cap_tok) {
        size_t cap = c->cap_tok ? 2 * c->cap_tok : 64;
        sc_tok *a = realloc(c->tok, cap * sizeof *a);
        if (!a) {
            c->oom = 1;
            return 1;
        }
        c->tok = a;
        c->cap_tok = cap;
    }
    sc_tok *k = &c->tok[c->n_tok++];
    memset(k, 0, sizeof *k);
    k->start = c->base + t->start;
    k->end = c->base + t->end;
    k->pos = t->pos;
    k->word = k->phrase = -1;
    k->excluded = sc_excluded(q, t->term);
    for (size_t i = 0; i < q->n_terms && i < SC_TERMS; i++) {
        const ns__qterm *qt = &q->terms[i];
        if (qt->prefix ? strncmp(t->word, qt->text, strlen(qt->text)) == 0
                       : strcmp(t->term, qt->text) == 0)
            k->terms |= (uint64_t)1 << i;
    }
    for (size_t i = 0; i < q->n_terms && i < SC_TERMS && !k->excluded; i++)
        if ((k->terms >> i & 1) && q->terms[i].phrase < 0) {
            /* A repeated word is one group: its first term's. */
            size_t g = i;
            for (size_t j = 0; j < i; j++)
                if (q->terms[j].phrase < 0 &&
                    q->terms[j].prefix == q->terms[i].prefix &&
                    strcmp(q->terms[j].text, q->terms[i].text) == 0) {
                    g = j;
                    break;
                }
            k->word = (int)g;
            break;
        }
    return 0;
}

/* Whether tokens [i, i + n) are phrase p's terms [from, from + n), at
 * consecutive positions, none excluded. */
static int
sc_phrase_at(const snip_check *c, size_t i, const ns__qphrase *ph,
             size_t from, size_t n)
{
    if (i + n > c->n_tok)
        return 0;
    for (size_t k = 0; k < n; k++) {
        const sc_tok *t = &c->tok[i + k];
        size_t term = ph->first + from + k;
        if (term >= SC_TERMS || !(t->terms >> term & 1) || t->excluded ||
            t->pos != c->tok[i].pos + k)
            return 0;
    }
    return 1;
}

/* Analyze the fragment snip[a, b) (found at the text's bytes [ta, tb)) and
 * set what its tokens must and may be.  0; -1 out of memory. */
static int
sc_fragment(snip_check *c, size_t a, size_t b, size_t ta, size_t tb)
{
    const sc_text *tx = c->t;
    const ns__query *q = c->q;
    size_t first = c->n_tok;
    c->base = a;
    ns_status st = ns__analyzer_run(c->an, c->snip + a, b - a, 0,
                                    NS_ANALYZE_DOCUMENT, sc_on_token, c,
                                    NULL);
    if (c->oom || st == NS_ERR_NOMEM)
        return -1;
    size_t n = c->n_tok - first;
    if (!n)
        return 0;
    sc_tok *tok = c->tok + first;
    for (size_t i = 0; i < n; i++)
        tok[i].must = tok[i].may = tok[i].word >= 0;
    /* Whole phrases, left to right as snippet.c's mark_phrases() takes
     * them; and the ones the fragment's edges cut. */
    sc_tok *save = c->tok;
    size_t save_n = c->n_tok;
    c->tok = tok;
    c->n_tok = n;
    for (size_t p = 0; p < q->n_phrases; p++) {
        const ns__qphrase *ph = &q->phrases[p];
        for (size_t i = 0; i < n; i++) {
            if (!sc_phrase_at(c, i, ph, 0, ph->n))
                continue;
            for (size_t k = 0; k < ph->n; k++) {
                tok[i + k].must = tok[i + k].may = 1;
                tok[i + k].phrase = (int)p;
            }
            i += ph->n - 1;
        }
        for (size_t k = 1; k < ph->n && ta > 0; k++)
            if (sc_phrase_at(c, 0, ph, k, ph->n - k))
                for (size_t j = 0; j < ph->n - k; j++) {
                    tok[j].may = 1;
                    if (tok[j].phrase < 0)
                        tok[j].phrase = (int)p;
                }
        for (size_t k = 1; k < ph->n && tb < tx->len && k <= n; k++)
            if (sc_phrase_at(c, n - k, ph, 0, k))
                for (size_t j = n - k; j < n; j++) {
                    tok[j].may = 1;
                    if (tok[j].phrase < 0)
                        tok[j].phrase = (int)p;
                }
    }
    c->tok = save;
    c->n_tok = save_n;
    /* A cut inside a word (one too long to drop) leaves a piece of it,
     * which may read as a query word: it need not be marked. */
    if (n && tok[0].start == a && ta > 0 &&
        !sc_is_fold((unsigned char)tx->text[ta - 1]))
        tok[0].must = 0;
    if (n && tok[n - 1].end == b && tb < tx->len &&
        !sc_is_fold((unsigned char)tx->text[tb]))
        tok[n - 1].must = 0;
    for (size_t i = 0; i < n; i++)
        if (tok[i].excluded)
            tok[i].must = tok[i].may = 0;
    return 0;
}

/* Where snip[a, b) is in the text, with both ends on grapheme
 * boundaries: 1 (*ta, *tb), 0 found only cutting a grapheme, -1 not
 * found. */
static int
sc_find(const snip_check *c, size_t a, size_t b, size_t *ta, size_t *tb)
{
    const sc_text *tx = c->t;
    const char *s = c->snip + a;
    size_t n = b - a;
    int found = -1;
    for (const char *f = tx->fold;
         n && (f = sc_memmem(f, tx->n_fold - (size_t)(f - tx->fold), s, n));
         f++) {
        size_t i = (size_t)(f - tx->fold);
        size_t x = tx->fmap[i], y = tx->fmap[i + n - 1] + 1;
        found = 0;
        if (tx->bnd[x] && tx->bnd[y]) {
            *ta = x;
            *tb = y;
            return 1;
        }
    }
    return found;
}

/* Whether snip[p, e), its spaces trimmed, is a fragment of the text (or
 * nothing): 1 on grapheme boundaries, 0 cutting one, -1 not in it. */
static int
sc_piece(const snip_check *c, size_t p, size_t e)
{
    size_t ta, tb;
    while (p < e && c->snip[p] == ' ')
        p++;
    while (e > p && c->snip[e - 1] == ' ')
        e--;
    return p == e ? 1 : sc_find(c, p, e, &ta, &tb);
}

/*
 * Split snip[from, to) into fragments at separators, into [fa[i], fb[i]).
 * A text may hold " … " of its own, inside a fragment or at its edge next
 * to a separator (" … … ": which of the two is the text's?), so the split
 * is the one with the fewest fragments of which each is in the text on
 * grapheme boundaries; when there is none, at the first separator each
 * time (the caller then finds the fragment that fails).  0; -1 out of
 * memory; -2 more than max fragments.
 */
static int
sc_split(const snip_check *c, size_t from, size_t to, size_t *fa, size_t *fb,
         size_t *nf_out, size_t max)
{
    const char *s = c->snip;
    size_t m = 0, nf = 0;
    for (size_t i = from; i + SC_SEP_LEN <= to; i++)
        m += memcmp(s + i, SC_SEP, SC_SEP_LEN) == 0;
    /* State 0 starts at from, state k + 1 after separator k; cost[j]: the
     * fewest fragments from state j to the end, next[j]: the separator
     * that ends its first one (m: none, the fragment runs to the end). */
    size_t *sep = malloc((m + 1) * sizeof *sep);
    size_t *cost = malloc((m + 1) * sizeof *cost);
    size_t *next = malloc((m + 1) * sizeof *next);
    if (!sep || !cost || !next) {
        free(sep);
        free(cost);
        free(next);
        return -1;
    }
    m = 0;
    for (size_t i = from; i + SC_SEP_LEN <= to; i++)
        if (memcmp(s + i, SC_SEP, SC_SEP_LEN) == 0)
            sep[m++] = i;
    for (size_t j = m + 1; j-- > 0;) {
        size_t p = j ? sep[j - 1] + SC_SEP_LEN : from;
        cost[j] = SIZE_MAX;
        next[j] = m;
        for (size_t k = j; k <= m; k++) {
            if (k < m && sep[k] < p)
                continue;
            if (k < m && cost[k + 1] == SIZE_MAX)
                continue;
            int r = sc_piece(c, p, k < m ? sep[k] : to);
            if (r < 0)
                break; /* a longer fragment from p is not in it either */
            size_t n = k < m ? cost[k + 1] + 1 : 1;
            if (r == 1 && n < cost[j]) {
                cost[j] = n;
                next[j] = k;
            }
        }
    }
    if (cost[0] != SIZE_MAX) {
        for (size_t j = 0, p = from;; j = next[j] + 1) {
            if (nf == max)
                goto many;
            fa[nf] = p;
            fb[nf++] = next[j] < m ? sep[next[j]] : to;
            if (next[j] == m)
                break;
            p = sep[next[j]] + SC_SEP_LEN;
        }
    } else {
        for (size_t p = from, k = 0;;) {
            while (k < m && sep[k] < p)
                k++;
            if (nf == max)
                goto many;
            fa[nf] = p;
            fb[nf++] = k < m ? sep[k] : to;
            if (k == m)
                break;
            p = sep[k] + SC_SEP_LEN;
        }
    }
    free(sep);
    free(cost);
    free(next);
    *nf_out = nf;
    return 0;
many:
    free(sep);
    free(cost);
    free(next);
    return -2;
}

/*
 * Check c's snippet: 0, or -1 with c->why (c->why starting "oom" when out
 * of memory).  c->words and c->phrases receive the groups highlighted.
 */
static int
snip_check_run(snip_check *c)
{
    const char *s = c->snip;
    size_t len = c->snip_len;
    c->words = c->phrases = 0;
    c->n_tok = 0;
    c->why[0] = '\0';
    if (memchr(s, '\0', len))
        return sc_fail(c, "a NUL in the snippet");
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
            return sc_fail(c, "control byte 0x%02x at %zu", s[i], i);
    if (c->t->valid) {
        utf8proc_int32_t cp;
        for (size_t p = 0; p < len;) {
            utf8proc_ssize_t n = utf8proc_iterate(
                (const utf8proc_uint8_t *)s + p, (utf8proc_ssize_t)(len - p),
                &cp);
            if (n <= 0)
                return sc_fail(c, "(c) invalid UTF-8 at %zu of a valid "
                                  "text's snippet", p);
            p += (size_t)n;
        }
    }
    size_t at = 0;
    for (size_t i = 0; i < c->n_hl; i++) {
        if (c->hl[i].start < at || c->hl[i].start >= c->hl[i].end ||
            c->hl[i].end > len)
            return sc_fail(c, "(c) highlight %zu [%zu, %zu) out of order or "
                              "outside the snippet of %zu bytes",
                           i, c->hl[i].start, c->hl[i].end, len);
        at = c->hl[i].end;
    }
    /* The fragments: the marks of a cut text's ends stripped, split at
     * the separators (see sc_split). */
    size_t from = 0, to = len;
    if (to - from >= SC_MARK_LEN && memcmp(s, SC_LEAD, SC_MARK_LEN) == 0)
        from += SC_MARK_LEN;
    if (to - from >= SC_MARK_LEN &&
        memcmp(s + to - SC_MARK_LEN, SC_TRAIL, SC_MARK_LEN) == 0)
        to -= SC_MARK_LEN;
    size_t fa[64], fb[64], nf = 0;
    int split = sc_split(c, from, to, fa, fb, &nf, 64);
    if (split == -1)
        return sc_fail(c, "oom");
    if (split == -2)
        return sc_fail(c, "more than 64 fragments");
    for (size_t f = 0; f < nf; f++) {
        size_t a = fa[f], b = fb[f], ta = 0, tb = 0;
        while (a < b && s[a] == ' ')
            a++;
        while (b > a && s[b - 1] == ' ')
            b--;
        if (a == b)
            continue;
        int r = sc_find(c, a, b, &ta, &tb);
        if (r < 0)
            return sc_fail(c, "fragment %zu \"%.*s\" is not in the text", f,
                           (int)(b - a), s + a);
        if (r == 0)
            return sc_fail(c, "(c) fragment %zu \"%.*s\" cuts a grapheme",
                           f, (int)(b - a), s + a);
        if (c->form_only)
            continue;
        size_t t0 = c->n_tok;
        if (sc_fragment(c, a, b, ta, tb) != 0)
            return sc_fail(c, "oom");
        /* Each highlight of the fragment: whole tokens, each one that may
         * be marked, from a token's start to one's end. */
        for (size_t h = 0; h < c->n_hl; h++) {
            size_t hs = c->hl[h].start, he = c->hl[h].end;
            if (he <= a || hs >= b)
                continue;
            if (hs < a || he > b)
                return sc_fail(c, "(c) highlight \"%.*s\" crosses fragment "
                                  "\"%.*s\"'s edge",
                               (int)(he - hs), s + hs, (int)(b - a), s + a);
            size_t inside = 0, lo = SIZE_MAX, hi = 0;
            for (size_t k = t0; k < c->n_tok; k++) {
                const sc_tok *t = &c->tok[k];
                if (t->end <= hs || t->start >= he)
                    continue;
                if (t->start < hs || t->end > he)
                    return sc_fail(c, "(c) highlight \"%.*s\" cuts word "
                                      "\"%.*s\"",
                                   (int)(he - hs), s + hs,
                                   (int)(t->end - t->start), s + t->start);
                if (!t->may)
                    return sc_fail(c, "(a) \"%.*s\" highlighted (in \"%.*s\"%s)",
                                   (int)(t->end - t->start), s + t->start,
                                   (int)(he - hs), s + hs,
                                   t->excluded ? ", an excluded word" : "");
                if (t->word >= 0)
                    c->words |= (uint64_t)1 << t->word;
                else if (t->phrase >= 0 && t->phrase < 64)
                    c->phrases |= (uint64_t)1 << t->phrase;
                inside++;
                if (t->start < lo)
                    lo = t->start;
                if (t->end > hi)
                    hi = t->end;
            }
            if (!inside || lo != hs || hi != he)
                return sc_fail(c, "(c) highlight \"%.*s\" is not on words",
                               (int)(he - hs), s + hs);
        }
        for (size_t k = t0; k < c->n_tok; k++) {
            const sc_tok *t = &c->tok[k];
            if (!t->must)
                continue;
            int marked = 0;
            for (size_t h = 0; h < c->n_hl && !marked; h++)
                marked = c->hl[h].start <= t->start && t->end <= c->hl[h].end;
            if (!marked)
                return sc_fail(c, "(a) \"%.*s\" not highlighted in fragment "
                                  "\"%.*s\"",
                               (int)(t->end - t->start), s + t->start,
                               (int)(b - a), s + a);
        }
    }
    /* Every highlight lies in a fragment. */
    for (size_t h = 0; h < c->n_hl; h++) {
        int in = 0;
        for (size_t f = 0; f < nf && !in; f++)
            in = fa[f] <= c->hl[h].start && c->hl[h].end <= fb[f];
        if (!in)
            return sc_fail(c, "(c) highlight [%zu, %zu) in no fragment",
                           c->hl[h].start, c->hl[h].end);
    }
    return 0;
}

/* The distinct query words (a phrase as one) c's last run found
 * highlighted. */
static unsigned
snip_check_shown(const snip_check *c)
{
    return (unsigned)(__builtin_popcountll(c->words) +
                      __builtin_popcountll(c->phrases));
}

static void
snip_check_free(snip_check *c)
{
    free(c->tok);
    c->tok = NULL;
    c->n_tok = c->cap_tok = 0;
}

#endif
