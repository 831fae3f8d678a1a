/*
 * verify.c: phrases, NEAR/n and ADJ/n matched against the stored text.
 * The index holds no word positions in Xapian's table (schema.h): the
 * query asks Xapian for the articles that hold all the words (their BM25
 * weights rank them) and filters them with ns__xq_verify, which calls
 * ns__qverify_cb on each candidate.  When the article has a position map
 * (posmap.h), the constraint is checked on it: the words' ids looked up
 * by their keys, then the ids read position by position.  Otherwise (an
 * index without maps, or a word whose key two of the article's terms
 * share) its record is decoded, its title and text analyzed again with
 * the index's analyzer (so the positions are the indexer's, the title's
 * from 0 and the body's NS_TITLE_GAP after the title's last), and the
 * constraint checked on the tokens that are query terms, as they come.
 * Either way the check stops at the first match, and a title-only
 * constraint reads no body.
 *
 * Matching, for terms t[0..n) and a window w (a match spans less than w
 * positions, as Xapian's OP_PHRASE and OP_NEAR count it):
 *   ordered (a phrase: w = n; ADJ/k: w = n + k): positions p[0] < ... <
 *     p[n-1] with p[n-1] - p[0] < w.  At each token of t[n-1], the latest
 *     token of t[n-2] before it, the latest of t[n-3] before that...: the
 *     latest choices leave the most room, so this finds a match ending
 *     there if there is one.
 *   unordered (NEAR/k: w = n + k): distinct positions, one for each term
 *     (a repeated term needs as many tokens), within w.  A sliding window
 *     of the last w positions counts the tokens of each distinct term.
 */
#include "searcher/query.h"
#include "core/posmap.h"
#include "core/schema.h"

#include <stdio.h>
#include <string.h>

typedef struct ns__qevent {
    uint32_t pos;
    size_t group; /* the distinct term (ns__qverify.group) it is */
} ns__qevent;

static void
constraint_free(ns__qverify *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++)
        ns_free(v->terms[i]);
    ns_free(v->terms);
    ns_free(v->group);
    ns_free(v->term_len);
    ns_free(v->key);
    ns_free(v->list);
    ns_free(v->maps);
    ns_free(v->it);
    ns_free(v->head);
    ns_free(v->ev);
    ns_free(v->count);
    ns_free(v->desc);
    ns_free(v->literal);
    ns__record_free(&v->rec);
    ns_free(v);
}

void
ns__qverify_free_all(ns__query *q)
{
    for (size_t i = 0; i < q->n_verify; i++)
        constraint_free(q->verify[i]);
    ns_free(q->verify);
    q->verify = NULL;
    q->n_verify = 0;
    q->top = NULL;
}

void
ns__qverify_drop(ns__query *q, size_t keep)
{
    while (q->n_verify > keep) {
        ns__qverify *v = q->verify[--q->n_verify];
        if (q->top == v)
            q->top = NULL;
        constraint_free(v);
    }
}

/* ---- exact phrases as written ------------------------------------------ */

/* An ASCII lower-case letter or a digit. */
static int
plain_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int
ascii_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* v->literal from the phrase's words, when each is plain (letters and
 * digits only: the analyzer gives such a word, written anywhere between
 * white space, exactly one token, of the term the query gave it).
 * Returns 0 when out of memory. */
static int
set_literal(ns__qverify *v, const char *const *words)
{
    ns_buf b = { 0 };
    for (size_t i = 0; i < v->n; i++) {
        if (!*words[i])
            return 1;
        for (const char *c = words[i]; *c; c++)
            if (!plain_char((unsigned char)*c)) {
                ns__buf_free(&b);
                return 1;
            }
        ns__buf_puts(&b, words[i]);
        ns__buf_putc(&b, ' ');
    }
    v->literal_len = b.len;
    v->literal = ns__buf_detach(&b);
    return v->literal != NULL;
}

/*
 * Whether text holds the phrase as written (ASCII case aside): its words
 * separated by white space, after the start, white space, `"` or `(`, and
 * before the end, white space, one of `,;:!?)"` before the end, white
 * space or other ASCII punctuation, or a period that ends a word of two
 * letters or more before white space or the end.  There the analyzer
 * gives consecutive tokens of the phrase's terms, so the phrase matches;
 * anywhere else (other inflections, punctuation, accents) only the
 * analysis can tell.
 */
static int
literal_in(const ns__qverify *v, const char *text, size_t len)
{
    const char *lit = v->literal;
    size_t ll = v->literal_len;
    unsigned char first = (unsigned char)lit[0];
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c | 0x20) != first && c != first)
            continue;
        if (i > 0) {
            unsigned char p = (unsigned char)text[i - 1];
            if (!ascii_ws(p) && p != '"' && p != '(')
                continue;
        }
        size_t k = 0, j = i;
        size_t word_len = 0;
        while (k < ll && j < len) {
            unsigned char t = (unsigned char)text[j];
            if (lit[k] == ' ') {
                if (k + 1 == ll)
                    break; /* the last word ended */
                if (!ascii_ws(t))
                    break;
                while (j < len && ascii_ws((unsigned char)text[j]))
                    j++;
                k++;
                word_len = 0;
                continue;
            }
            if (t >= 'A' && t <= 'Z')
                t |= 0x20;
            if (t != (unsigned char)lit[k])
                break;
            j++;
            k++;
            word_len++;
        }
        if (k + 1 != ll)
            continue;
        if (j == len)
            return 1;
        unsigned char e = (unsigned char)text[j];
        if (ascii_ws(e))
            return 1;
        /* Punctuation ends the word only before white space, the end or
         * more punctuation: "4,122,301" and "10:30" are one token each. */
        if (strchr(",;:!?)\"", e)) {
            unsigned char f = j + 1 < len ? (unsigned char)text[j + 1] : ' ';
            if (ascii_ws(f) || (f < 0x80 && !plain_char((unsigned char)(f | 0x20))))
                return 1;
        }
        if (e == '.' && word_len >= 2 &&
            (j + 1 == len || ascii_ws((unsigned char)text[j + 1])))
            return 1;
    }
    return 0;
}

ns__qverify *
ns__qverify_add(ns__query *q,
                ns_db *db,
                const char *const *terms,
                const char *const *words,
                size_t n,
                unsigned window,
                int ordered,
                int title)
{
    ns__qverify **a = ns__realloc(q->verify, (q->n_verify + 1) * sizeof *a);
    if (!a)
        return NULL;
    q->verify = a;
    ns__qverify *v = ns__calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->db = db;
    v->window = window;
    v->ordered = ordered;
    v->title = title;
    v->terms = ns__calloc(n ? n : 1, sizeof *v->terms);
    v->group = ns__calloc(n ? n : 1, sizeof *v->group);
    v->term_len = ns__calloc(n ? n : 1, sizeof *v->term_len);
    v->count = ns__calloc(n ? n : 1, sizeof *v->count);
    v->key = ns__calloc(n ? n : 1, sizeof *v->key);
    v->list = ns__calloc(n ? n : 1, sizeof *v->list);
    v->it = ns__calloc(n ? n : 1, sizeof *v->it);
    v->maps = ns__calloc(NS_POSMAP_PARTS, sizeof *v->maps);
    v->head = ns__calloc(n ? n : 1, sizeof *v->head);
    if (!v->terms || !v->group || !v->term_len || !v->count || !v->key ||
        !v->list || !v->it || !v->head || !v->maps) {
        constraint_free(v);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(v->terms[i] = ns__strdup(terms[i]))) {
            v->n = i;
            constraint_free(v);
            return NULL;
        }
        v->term_len[i] = strlen(terms[i]);
        v->key[i] = ns__posmap_key(terms[i], v->term_len[i]);
        size_t g = 0;
        while (g < i && strcmp(terms[g], terms[i]) != 0)
            g++;
        v->group[i] = g;
    }
    v->n = n;
    /* Described as Xapian describes its operators: "a PHRASE 2 b". */
    ns_buf d = { 0 };
    if (title)
        ns__buf_puts(&d, "title: ");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            ns__buf_printf(&d, " %s %u ", ordered ? "PHRASE" : "NEAR", window);
        ns__buf_puts(&d, terms[i]);
    }
    if (d.oom || !(v->desc = ns__buf_detach(&d))) {
        ns__buf_free(&d);
        constraint_free(v);
        return NULL;
    }
    if (words && ordered && window == n && !set_literal(v, words)) {
        constraint_free(v);
        return NULL;
    }
    q->verify[q->n_verify++] = v;
    return v;
}

/* Is there an ordered match that ends at the last event? */
static int
ordered_ends_here(const ns__qverify *v)
{
    const ns__qevent *ev = v->ev;
    size_t e = v->n_ev - 1;
    if (ev[e].group != v->group[v->n - 1])
        return 0;
    uint32_t p = ev[e].pos;
    size_t need = v->n - 1; /* terms[0, need) still to place */
    for (size_t j = e; need > 0 && j-- > 0 && p - ev[j].pos < v->window;)
        if (ev[j].group == v->group[need - 1])
            need--;
    return need == 0;
}

/* Is there an unordered match in the window that ends at the last event? */
static int
unordered_ends_here(ns__qverify *v)
{
    const ns__qevent *ev = v->ev;
    size_t e = v->n_ev - 1;
    v->count[ev[e].group]++;
    while (ev[e].pos - ev[v->win_start].pos >= v->window)
        v->count[ev[v->win_start++].group]--;
    for (size_t i = 0; i < v->n; i++) {
        if (v->group[i] != i)
            continue;
        size_t need = 0;
        for (size_t j = i; j < v->n; j++)
            need += v->group[j] == i;
        if (v->count[i] < need)
            return 0;
    }
    return 1;
}

/* Term group g is at pos: 1 when that completes a match (or memory ran
 * out: v->oom), else 0. */
static int
on_event(ns__qverify *v, uint32_t pos, size_t g)
{
    if (v->n_ev == v->cap_ev) {
        size_t c = v->cap_ev ? v->cap_ev * 2 : 64;
        ns__qevent *a = ns__realloc(v->ev, c * sizeof *a);
        if (!a) {
            v->oom = 1;
            return 1;
        }
        v->ev = a;
        v->cap_ev = c;
    }
    v->ev[v->n_ev].pos = pos;
    v->ev[v->n_ev].group = g;
    v->n_ev++;
    if (v->ordered ? ordered_ends_here(v) : unordered_ends_here(v)) {
        v->found = 1;
        return 1;
    }
    return 0;
}

static int
on_token(const ns_token *t, void *payload)
{
    ns__qverify *v = payload;
    size_t g = 0;
    /* Most tokens are no query word: compare lengths and first bytes
     * before the bytes. */
    while (g < v->n &&
           (t->term_len != v->term_len[g] || t->term[0] != v->terms[g][0] ||
            memcmp(t->term, v->terms[g], t->term_len) != 0))
        g++;
    if (g == v->n)
        return 0;
    return on_event(v, t->pos, v->group[g]);
}

/* The check on a position map (posmap.h): 1 or 0; NS__XVERIFY_NEED_DATA
 * when the article has none, or a word's key is ambiguous there; or a
 * negated status.  The words' position lists are merged in position
 * order, as the analysis would meet them. */
static int
check_map(ns__qverify *v, uint32_t docid, const ns__xvalues *vals,
          const char **why)
{
    unsigned opened = 0; /* a bit per part */
    for (size_t g = 0; g < v->n; g++) {
        if (v->group[g] != g)
            continue;
        unsigned s = NS_POSMAP_PART(v->key[g]);
        ns__posmap *m = &v->maps[s];
        if (!(opened >> s & 1)) {
            size_t len = 0;
            const char *map = vals->get(vals->ctx, NS_SLOT_POSMAP + s, &len);
            if (!map || !len)
                return NS__XVERIFY_NEED_DATA; /* no map: the text */
            if (ns__posmap_open(m, map, len) != NS_OK)
                goto damaged;
            opened |= 1u << s;
        }
        if (ns__posmap_find(m, &v->key[g], 1, &v->list[g]) != NS_OK)
            goto damaged;
        if (v->list[g].n == NS_POSMAP_AMBIGUOUS)
            return NS__XVERIFY_NEED_DATA;
        if (v->list[g].n == 0)
            return 0;
        ns__posmap_iter_init(&v->it[g], &v->list[g]);
        if (ns__posmap_next(m, &v->it[g], &v->head[g]) != 1)
            goto damaged;
    }
    /* (every part gives the title's end) */
    uint32_t limit = UINT32_MAX;
    if (v->title)
        limit = v->maps[NS_POSMAP_PART(v->key[0])].title_end;
    for (;;) {
        size_t best = v->n;
        for (size_t g = 0; g < v->n; g++)
            if (v->group[g] == g && v->head[g] != UINT32_MAX &&
                (best == v->n || v->head[g] < v->head[best]))
                best = g;
        if (best == v->n || v->head[best] >= limit)
            return 0;
        if (on_event(v, v->head[best], best)) {
            if (v->oom) {
                *why = NULL;
                return -(int)NS_ERR_NOMEM;
            }
            return 1;
        }
        const ns__posmap *m = &v->maps[NS_POSMAP_PART(v->key[best])];
        int r = ns__posmap_next(m, &v->it[best], &v->head[best]);
        if (r < 0)
            goto damaged;
        if (r == 0)
            v->head[best] = UINT32_MAX; /* this word's list ended */
    }
damaged:
    snprintf(v->why, sizeof v->why, "article %u: position map is damaged",
             (unsigned)docid);
    *why = v->why;
    return -(int)NS_ERR_INDEX_CORRUPT;
}

/* Counts the title's tokens and keeps its last position. */
typedef struct title_end {
    ns__qverify *v;
    uint32_t count, last;
} title_end;

static int
on_title_token(const ns_token *t, void *payload)
{
    title_end *te = payload;
    te->count++;
    te->last = t->pos;
    return on_token(t, te->v);
}

int
ns__qverify_cb(void *payload,
               uint32_t docid,
               const ns__xvalues *vals,
               const char *data,
               size_t len,
               const char **why)
{
    ns__qverify *v = payload;
    ns_db *db = v->db;
    v->n_ev = 0;
    v->win_start = 0;
    v->found = 0;
    v->oom = 0;
    memset(v->count, 0, v->n * sizeof *v->count);
    if (!data)
        return check_map(v, docid, vals, why);
    ns_status st = ns__store_decode(db->store, data, len, !v->title, &v->rec);
    if (st != NS_OK) {
        snprintf(v->why, sizeof v->why,
                 "article %u: stored record is damaged (%s)", (unsigned)docid,
                 ns_strerror(st));
        *why = v->why;
        return -(int)st;
    }
    /* Written as in the query: no need to analyze. */
    if (v->literal) {
        const char *title = v->rec.title;
        if ((title && literal_in(v, title, strlen(title))) ||
            (!v->title && v->rec.text &&
             literal_in(v, v->rec.text, v->rec.text_len)))
            return 1;
    }
    /* As the indexer numbers them (indexer/index.c, make_doc). */
    title_end te = { v, 0, 0 };
    const char *title = v->rec.title;
    if (title && *title)
        st = ns__analyzer_run(db->analyzer, title, strlen(title), 0,
                              NS_ANALYZE_DOCUMENT, on_title_token, &te, NULL);
    if (st == NS_OK && !v->title && v->rec.text_len) {
        /* The gap keeps phrases within the title or the body. */
        uint32_t body_pos = te.count ? te.last + NS_TITLE_GAP : 0;
        st = ns__analyzer_run(db->analyzer, v->rec.text, v->rec.text_len,
                              body_pos, NS_ANALYZE_DOCUMENT, on_token, v, NULL);
    }
    if (v->oom)
        st = NS_ERR_NOMEM;
    else if (st == NS_ERR_ABORTED && v->found)
        st = NS_OK;
    if (st != NS_OK) {
        snprintf(v->why, sizeof v->why, "article %u: %s", (unsigned)docid,
                 ns_strerror(st));
        *why = v->why;
        return -(int)st;
    }
    return v->found;
}
