/*
 * snippet.c: the text shown under a result.  The stored article text is
 * analyzed again with the index's analyzer, so every inflection of a query
 * word (`airbases` for `airbase`) and every accent variant is found at its
 * exact bytes; the window with the most distinct query words (then the most
 * matches) is cut on word boundaries, preferring a sentence start.  Words of
 * a quoted phrase are marked only where the whole phrase occurs.
 */
#include "searcher/query.h"

#include <string.h>

typedef struct match {
    size_t start, end;
    uint32_t pos;
    int term;  /* index in q->terms */
    int keep;  /* to be highlighted */
} match;

typedef struct scan {
    const ns__query *q;
    match *m;
    size_t n, cap;
    size_t *sent; /* byte offsets of sentence starts */
    size_t n_sent, cap_sent;
    int oom;
} scan;

/* The query term that token t matches: an exact term, or a prefix of its
 * word; standalone terms first.  -1 if none. */
static int
find_term(const ns__query *q, const ns_token *t)
{
    int found = -1;
    for (size_t i = 0; i < q->n_terms; i++) {
        const ns__qterm *qt = &q->terms[i];
        int hit = qt->prefix
                      ? strncmp(t->word, qt->text, strlen(qt->text)) == 0
                      : strcmp(t->term, qt->text) == 0;
        if (hit && qt->phrase < 0)
            return (int)i;
        if (hit && found < 0)
            found = (int)i;
    }
    return found;
}

static int
on_token(const ns_token *t, void *payload)
{
    scan *s = payload;
    if (t->flags & NS_TOKEN_SENTENCE_START) {
        if (s->n_sent == s->cap_sent) {
            size_t c = s->cap_sent ? s->cap_sent * 2 : 32;
            size_t *a = ns__realloc(s->sent, c * sizeof *a);
            if (!a) {
                s->oom = 1;
                return 1;
            }
            s->sent = a;
            s->cap_sent = c;
        }
        s->sent[s->n_sent++] = t->start;
    }
    int i = find_term(s->q, t);
    if (i < 0)
        return 0;
    if (s->n == s->cap) {
        size_t c = s->cap ? s->cap * 2 : 32;
        match *a = ns__realloc(s->m, c * sizeof *a);
        if (!a) {
            s->oom = 1;
            return 1;
        }
        s->m = a;
        s->cap = c;
    }
    match *m = &s->m[s->n++];
    m->start = t->start;
    m->end = t->end;
    m->pos = t->pos;
    m->term = i;
    m->keep = s->q->terms[i].phrase < 0;
    return 0;
}

/* Mark the matches that form a whole occurrence of a phrase. */
static void
mark_phrases(scan *s)
{
    const ns__query *q = s->q;
    for (size_t p = 0; p < q->n_phrases; p++) {
        const ns__qphrase *ph = &q->phrases[p];
        for (size_t i = 0; i + ph->n <= s->n; i++) {
            size_t k;
            for (k = 0; k < ph->n; k++) {
                const match *m = &s->m[i + k];
                if (strcmp(q->terms[m->term].text,
                           q->terms[ph->first + k].text) != 0 ||
                    m->pos != s->m[i].pos + k)
                    break;
            }
            if (k == ph->n)
                for (k = 0; k < ph->n; k++)
                    s->m[i + k].keep = 1;
        }
    }
}

static int
is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Move back to the start of a UTF-8 character. */
static size_t
char_start(const char *t, size_t i)
{
    while (i > 0 && ((unsigned char)t[i] & 0xC0) == 0x80)
        i--;
    return i;
}

/* Skip a leading copy of the title (many archives repeat it). */
static size_t
skip_title(const char *text, size_t len, const char *title)
{
    size_t i = 0;
    while (i < len && is_ws((unsigned char)text[i]))
        i++;
    size_t tl = title ? strlen(title) : 0;
    if (tl && len - i >= tl && memcmp(text + i, title, tl) == 0) {
        i += tl;
        while (i < len && is_ws((unsigned char)text[i]))
            i++;
        return i;
    }
    return 0;
}

ns_status
ns__snippet_make(ns_analyzer *an,
                 const ns__query *q,
                 const char *text,
                 size_t len,
                 const char *title,
                 unsigned target,
                 ns_buf *out,
                 ns_highlight **hl_out,
                 size_t *n_hl_out)
{
    *hl_out = NULL;
    *n_hl_out = 0;
    ns__buf_reset(out);
    if (!target)
        target = 240;
    size_t base = skip_title(text, len, title);
    text += base;
    len -= base;

    ns_status st = NS_OK;
    scan s = { q, NULL, 0, 0, NULL, 0, 0, 0 };
    st = ns__analyzer_run(an, text, len, 0, NS_ANALYZE_DOCUMENT, on_token, &s,
                          NULL);
    if (s.oom)
        st = NS_ERR_NOMEM;
    if (st != NS_OK)
        goto out;
    /* Phrase terms were looked up by text: a phrase term found by
     * find_term maps to the first index with that text. */
    mark_phrases(&s);

    /* Keep only the matches to highlight. */
    size_t nk = 0;
    for (size_t i = 0; i < s.n; i++)
        if (s.m[i].keep)
            s.m[nk++] = s.m[i];
    s.n = nk;

    /* The window [ws, we) with the most distinct terms, then matches. */
    size_t ws = 0, we, cs = len;
    if (s.n) {
        size_t best = 0, best_score = 0, best_end = 0;
        unsigned char seen[64];
        for (size_t i = 0; i < s.n; i++) {
            memset(seen, 0, sizeof seen);
            size_t distinct = 0, count = 0, j = i;
            for (; j < s.n && s.m[j].end - s.m[i].start <= target; j++) {
                int t = s.m[j].term & 63;
                if (!seen[t]) {
                    seen[t] = 1;
                    distinct++;
                }
                count++;
            }
            size_t score = distinct * 1000 + count;
            if (score > best_score) {
                best_score = score;
                best = i;
                best_end = s.m[j - 1].end;
            }
        }
        size_t ce = best_end;
        cs = s.m[best].start;
        size_t slack = target > ce - cs ? target - (ce - cs) : 0;
        ws = cs > slack / 3 ? cs - slack / 3 : 0;
        /* Prefer the start of the cluster's sentence when it is close. */
        for (size_t k = s.n_sent; k-- > 0;) {
            if (s.sent[k] <= cs) {
                if (cs - s.sent[k] <= slack)
                    ws = s.sent[k];
                break;
            }
        }
    }
    /* Cut the start on a word boundary (unless at a sentence start). */
    if (ws > 0 && !is_ws((unsigned char)text[ws - 1])) {
        size_t k = ws;
        while (k < len && !is_ws((unsigned char)text[k]) &&
               k - ws < 32)
            k++;
        if (k < len && k <= cs && is_ws((unsigned char)text[k]))
            ws = k;
        ws = char_start(text, ws);
    }
    while (ws < len && is_ws((unsigned char)text[ws]))
        ws++;
    we = ws + target < len ? ws + target : len;
    if (we < len) {
        size_t k = we;
        while (k > ws && !is_ws((unsigned char)text[k]))
            k--;
        we = k > ws ? k : char_start(text, we);
    }
    /* Never cut a highlighted word: the window ends after it. */
    for (size_t i = 0; i < s.n; i++)
        if (s.m[i].start < we && s.m[i].end > we)
            we = s.m[i].end;

    ns_highlight *hl = NULL;
    size_t n_hl = 0;
    size_t mi = 0;
    while (mi < s.n && s.m[mi].start < ws)
        mi++;
    if (ws > 0)
        ns__buf_puts(out, "\xe2\x80\xa6 ");
    int pending_space = 0;
    for (size_t i = ws; i < we;) {
        if (mi < s.n && s.m[mi].start == i && s.m[mi].end <= we) {
            if (pending_space) {
                ns__buf_putc(out, ' ');
                pending_space = 0;
            }
            ns_highlight *a = ns__realloc(hl, (n_hl + 1) * sizeof *a);
            if (!a) {
                st = NS_ERR_NOMEM;
                break;
            }
            hl = a;
            hl[n_hl].start = out->len;
            ns__buf_append(out, text + i, s.m[mi].end - i);
            hl[n_hl].end = out->len;
            n_hl++;
            i = s.m[mi].end;
            mi++;
            continue;
        }
        unsigned char c = (unsigned char)text[i];
        if (is_ws(c) || c < 0x20 || c == 0x7f) {
            pending_space = out->len > 0;
            i++;
            continue;
        }
        if (pending_space) {
            ns__buf_putc(out, ' ');
            pending_space = 0;
        }
        ns__buf_putc(out, (char)c);
        i++;
    }
    if (st == NS_OK && we < len)
        ns__buf_puts(out, " \xe2\x80\xa6");
    if (st == NS_OK && out->oom)
        st = NS_ERR_NOMEM;
    if (st != NS_OK) {
        ns_free(hl);
        goto out;
    }
    *hl_out = hl;
    *n_hl_out = n_hl;
out:
    ns_free(s.m);
    ns_free(s.sent);
    return st;
}
