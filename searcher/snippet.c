/*
 * snippet.c: the text shown under a result.  The stored article text is
 * analyzed again with the index's analyzer, so every inflection of a query
 * word (`airbases` for `airbase`) and every accent variant is found at its
 * exact bytes.  Words of a quoted phrase (or a hyphenated word) are marked
 * only where the whole phrase occurs; excluded words never are.
 *
 * Up to three fragments are chosen, joined by " … ": the fewest that show
 * the most distinct query words (a phrase counts as one), each starting at
 * a sentence start when one is close before its first match.  Cuts fall on
 * white space when there is some, and always on a grapheme boundary
 * (utf8proc), so no character and no accented letter is ever broken.  A
 * copy of the title at the start of the text is skipped: the title is
 * shown on its own and never repeated as a snippet.
 *
 * Speed: a query without phrases stops reading the text a target's length
 * after the first window that holds every query word the text holds (no
 * fragment can show more of them); long articles then cost a fraction of
 * their length.  Which words a text holds is known at its end, or sooner
 * from the index (ns__snippet_text.counts: how many times each occurs):
 * reading then also stops after the last occurrence of every word.  The
 * snippet is the same either way; the counts only save reading.
 */
#include "searcher/query.h"

#include "core/posmap.h"
#include "core/schema.h"

#include <string.h>
#include <utf8proc.h>

/* Fragments at most; and the separator between two of them. */
#define MAX_FRAGS 3
#define SEP       " \xe2\x80\xa6 "
#define SEP_LEN   5
#define ELLIPSIS  "\xe2\x80\xa6"
/* A fragment is cut inside a word (on a grapheme boundary) rather than
 * drop more than this many bytes of it. */
#define WORD_MAX 32
/* How far back a grapheme scan may start (see grapheme_floor). */
#define ANCHOR_MAX 4096
/* Fragments are at least this long: below, one fragment is shown. */
#define FRAG_MIN 40
/* Query terms a token is checked against as a bit set. */
#define MAX_TERMS 64

typedef struct match {
    size_t start, end; /* bytes in the text */
    uint32_t pos;
    uint64_t terms; /* bit i: matches q->terms[i] */
    int group;      /* distinct query word (or phrase) shown; -1: none */
    int cont;       /* continues the phrase occurrence of the one before */
} match;

typedef struct scan {
    const ns__query *q;
    const char *text;
    size_t base; /* where the analyzed piece starts in text */
    size_t n_terms; /* q->n_terms, at most MAX_TERMS */
    match *m;
    size_t n, cap;
    size_t *sent; /* byte offsets of sentence starts */
    size_t n_sent, cap_sent;
    int oom;
    /* Early stop (no phrase in the query): the groups (terms) the text may
     * hold, where each was last seen, which were, and where reading may
     * stop (stop_window: because one window holds every group wanted). */
    size_t target;
    uint64_t want, seen;
    size_t last_seen[MAX_TERMS];
    size_t stop_at; /* 0: not yet */
    int stop_window;
    /* Occurrences of each term read, and in the whole text (counted). */
    uint32_t read_n[MAX_TERMS];
    uint32_t total[MAX_TERMS];
    int counted;
    size_t n_left; /* terms with occurrences left to read (counted) */
    /* Only some sentences are analyzed (a plan): no early stop; and a
     * piece's first token starts a sentence from sent_from on. */
    int planned;
    size_t sent_from;
} scan;

typedef struct frag {
    size_t start, end; /* bytes of the text shown */
} frag;

static int
is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* White space or a control byte: written as (folded into) one space. */
static int
is_blank(unsigned char c)
{
    return c <= 0x20 || c == 0x7f;
}

static int
is_excluded(const ns__query *q, const char *term)
{
    for (size_t i = 0; i < q->n_excluded; i++)
        if (strcmp(q->excluded[i], term) == 0)
            return 1;
    return 0;
}

/* The earliest of the last places the groups of want were seen
 * (last_seen: offset + 1, 0 never: SIZE_MAX then). */
static size_t
first_of_last(const size_t *last_seen, uint64_t want)
{
    size_t first = SIZE_MAX;
    for (; want; want &= want - 1) {
        size_t g = (size_t)__builtin_ctzll(want);
        if (last_seen[g] - 1 < first)
            first = last_seen[g] - 1;
    }
    return first;
}

/* Whether the groups wanted have all been seen, within one window of
 * target bytes that ends at end. */
static int
window_done(const size_t *last_seen, uint64_t seen, uint64_t want,
            size_t end, size_t target)
{
    if (!want || (seen & want) != want)
        return 0;
    return end - first_of_last(last_seen, want) <= target;
}

/* After a match ending at end: stop when the counts say none is left. */
static void
all_read(scan *s, size_t end)
{
    if (s->counted && s->n_left == 0 && !s->stop_at)
        s->stop_at = end;
}

/* A new match at the end of s->m, or NULL (out of memory: s->oom). */
static match *
new_match(scan *s)
{
    if (ns__grow((void **)&s->m, &s->cap, s->n, sizeof *s->m) != 0) {
        s->oom = 1;
        return NULL;
    }
    return &s->m[s->n++];
}

static int
on_token(const ns_token *t, void *payload)
{
    scan *s = payload;
    const size_t t_start = t->start + s->base, t_end = t->end + s->base;
    int sentence = (t->flags & NS_TOKEN_SENTENCE_START) != 0;
    /* The analyzer starts a sentence at its first token; the text may have
     * begun with words it skipped (too long). */
    for (size_t i = s->sent_from; sentence && s->n_sent == 0 && i < t_start;
         i++) {
        unsigned char c = (unsigned char)s->text[i];
        if (c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' &&
                                                    (c | 0x20) <= 'z'))
            sentence = 0;
    }
    if (sentence) {
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
        s->sent[s->n_sent++] = t_start;
    }
    uint64_t bits = 0;
    for (size_t i = 0; i < s->n_terms; i++) {
        const ns__qterm *qt = &s->q->terms[i];
        /* Most words differ from every term at the first byte. */
        if (qt->text[0] &&
            (qt->prefix ? t->word[0] : t->term[0]) != qt->text[0])
            continue;
        if (qt->prefix ? strncmp(t->word, qt->text, strlen(qt->text)) == 0
                       : strcmp(t->term, qt->text) == 0)
            bits |= (uint64_t)1 << i;
    }
    if (s->stop_at && t_start > s->stop_at)
        return 1; /* every word shown already: see the top of the file */
    if (!bits)
        return 0;
    for (size_t i = 0; i < s->n_terms; i++)
        if ((bits >> i & 1) && ++s->read_n[i] == s->total[i] && s->counted)
            s->n_left--;
    if (is_excluded(s->q, t->term)) {
        all_read(s, t_end);
        return 0;
    }
    match *m = new_match(s);
    if (!m)
        return 1;
    m->start = t_start;
    m->end = t_end;
    m->pos = t->pos;
    m->terms = bits;
    m->group = -1;
    m->cont = 0;
    for (size_t i = 0; i < s->n_terms; i++)
        if ((bits >> i & 1) && s->q->terms[i].phrase < 0) {
            m->group = (int)i; /* standalone terms are not repeated */
            break;
        }
    if (m->group >= 0 && s->q->n_phrases == 0 && !s->stop_at && !s->planned) {
        size_t g = (size_t)m->group;
        s->last_seen[g] = t_start + 1; /* 0 means never */
        s->seen |= (uint64_t)1 << g;
        if (window_done(s->last_seen, s->seen, s->want, t_end, s->target)) {
            s->stop_at = t_end + s->target;
            s->stop_window = 1;
        }
    }
    all_read(s, t_end);
    return 0;
}

/* Replay the early stop over the matches so far, as if the groups wanted
 * had been want from the start: where it stops, the matches after are
 * dropped.  So a scan that learns what the text holds late (at its end,
 * or from counts) stops where one that knew it would have. */
static void
settle(scan *s, uint64_t want)
{
    s->want = want;
    if (s->q->n_phrases || s->stop_window)
        return;
    size_t last[MAX_TERMS] = { 0 };
    uint64_t seen = 0;
    for (size_t i = 0; i < s->n; i++) {
        const match *m = &s->m[i];
        if (m->group < 0 || m->group >= MAX_TERMS)
            continue;
        last[m->group] = m->start + 1;
        seen |= (uint64_t)1 << m->group;
        if (!window_done(last, seen, want, m->end, s->target))
            continue;
        s->stop_at = m->end + s->target;
        s->stop_window = 1;
        size_t n = i + 1;
        while (n < s->n && s->m[n].start <= s->stop_at)
            n++;
        s->n = n;
        return;
    }
}

/* Count the occurrences of each term in the skipped copy of the title. */
typedef struct copy_count {
    const scan *s;
    uint32_t n[MAX_TERMS];
} copy_count;

static int
on_copy_token(const ns_token *t, void *payload)
{
    copy_count *c = payload;
    for (size_t i = 0; i < c->s->n_terms; i++)
        if (strcmp(t->term, c->s->q->terms[i].text) == 0)
            c->n[i]++;
    return 0;
}

/* Take the text's counts (ns__snippet_counts) of its terms; copy[0, base)
 * is the title's copy, skipped.  Counts that disagree with what was read
 * are not used. */
static ns_status
take_counts(scan *s, ns_analyzer *an, const uint32_t *counts,
            const char *copy, size_t base)
{
    copy_count c;
    memset(&c, 0, sizeof c);
    c.s = s;
    if (base) {
        ns_status st = ns__analyzer_run(an, copy, base, 0,
                                        NS_ANALYZE_DOCUMENT, on_copy_token,
                                        &c, NULL);
        if (st != NS_OK)
            return st;
    }
    uint64_t want = 0;
    size_t n_left = 0;
    for (size_t i = 0; i < s->n_terms; i++) {
        if (counts[i] == UINT32_MAX || s->q->terms[i].prefix ||
            counts[i] < c.n[i] || counts[i] - c.n[i] < s->read_n[i])
            return NS_OK;
        s->total[i] = counts[i] - c.n[i];
        if (s->total[i] > s->read_n[i])
            n_left++;
        if (s->total[i])
            want |= (uint64_t)1 << i;
    }
    s->counted = 1;
    s->n_left = n_left;
    settle(s, s->want & want);
    if (!s->stop_at && n_left == 0)
        s->stop_at = s->n ? s->m[s->n - 1].end : 1;
    return NS_OK;
}

/* Give every whole occurrence of a phrase its group; then drop the matches
 * that have none (phrase words outside their phrase). */
static void
mark_phrases(scan *s)
{
    const ns__query *q = s->q;
    for (size_t p = 0; p < q->n_phrases; p++) {
        const ns__qphrase *ph = &q->phrases[p];
        if (ph->first + ph->n > s->n_terms)
            continue;
        for (size_t i = 0; i + ph->n <= s->n; i++) {
            size_t k = 0;
            while (k < ph->n && (s->m[i + k].terms >> (ph->first + k) & 1) &&
                   s->m[i + k].pos == s->m[i].pos + k)
                k++;
            if (k < ph->n)
                continue;
            for (k = 0; k < ph->n; k++) {
                s->m[i + k].group = (int)(MAX_TERMS + p);
                s->m[i + k].cont = k > 0;
            }
            i += ph->n - 1;
        }
    }
    size_t nk = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->m[i].group >= 0)
            s->m[nk++] = s->m[i];
    s->n = nk;
}

/* ---- grapheme boundaries ------------------------------------------------ */

/* Decode the code point at t[i] (< len): its length, or 0 if invalid. */
static size_t
decode(const char *t, size_t len, size_t i, utf8proc_int32_t *cp)
{
    utf8proc_ssize_t n =
        utf8proc_iterate((const utf8proc_uint8_t *)t + i,
                         (utf8proc_ssize_t)(len - i), cp);
    return n > 0 ? (size_t)n : 0;
}

/* Whether a code point of this grapheme break class is one after which,
 * and before which, a grapheme always breaks when the other side is one
 * too (UAX #29: no rule joins two of them; Hangul L, V and T, Prepend,
 * Extend, ZWJ, SpacingMark and regional indicators each have one). */
static int
plain_class(utf8proc_int32_t cp)
{
    int k = utf8proc_get_property(cp)->boundclass;
    return k == UTF8PROC_BOUNDCLASS_OTHER || k == UTF8PROC_BOUNDCLASS_LV ||
           k == UTF8PROC_BOUNDCLASS_LVT;
}

/* Whether a grapheme starts at t[a] (< len) for sure: an ASCII byte other
 * than LF (outside a run of regional indicators, whose pairs are counted
 * from the run's start) that does not follow a Prepend character (GB9b:
 * U+0600 ARABIC NUMBER SIGN and its kind are one grapheme with the letter
 * or digit after them); or a plain letter (plain_class) after another, as
 * most letters of a text without ASCII are (Chinese, Arabic, Russian). */
static int
anchor_at(const char *t, size_t len, size_t a)
{
    unsigned char c = (unsigned char)t[a];
    if (c == '\n' || (c & 0xC0) == 0x80)
        return 0;
    if (c < 0x80 && (a == 0 || (unsigned char)t[a - 1] < 0x80 || c < 0x20 ||
                     c == 0x7f))
        return 1; /* GB4/GB5 break before a control whatever comes before */
    if (a == 0)
        return 0;
    size_t b = a - 1;
    while (b > 0 && a - b < 4 && ((unsigned char)t[b] & 0xC0) == 0x80)
        b--;
    utf8proc_int32_t prev, cp;
    if (decode(t, a, b, &prev) != a - b)
        return c < 0x80; /* an invalid byte before it */
    if (c < 0x80)
        return utf8proc_get_property(prev)->boundclass !=
               UTF8PROC_BOUNDCLASS_PREPEND;
    return decode(t, len, a, &cp) && plain_class(cp) && plain_class(prev);
}

/* The last grapheme boundary at or before i.  Scanning starts at an anchor
 * (anchor_at) before i, at most ANCHOR_MAX bytes back; an invalid byte is
 * a boundary on both sides. */
static size_t
grapheme_floor(const char *t, size_t len, size_t i)
{
    if (i >= len)
        return len;
    size_t a = i;
    while (a > 0 && i - a < ANCHOR_MAX && !anchor_at(t, len, a))
        a--;
    while (a > 0 && ((unsigned char)t[a] & 0xC0) == 0x80)
        a--;
    utf8proc_int32_t state = 0, prev = -1, cp;
    size_t last = a, p = a;
    while (p <= i) {
        size_t n = decode(t, len, p, &cp);
        if (n == 0) {
            /* The next character starts afresh: utf8proc's state holds
             * the class of the one before this byte (a control's would
             * put a break between the next letter and its accent). */
            last = p;
            prev = -1;
            state = 0;
            p++;
            continue;
        }
        if (prev < 0 || utf8proc_grapheme_break_stateful(prev, cp, &state))
            last = p;
        prev = cp;
        p += n;
        if (p > i)
            break;
    }
    return last;
}

/* The first grapheme boundary at or after i. */
static size_t
grapheme_ceil(const char *t, size_t len, size_t i)
{
    if (i >= len)
        return len;
    size_t b = grapheme_floor(t, len, i);
    if (b == i)
        return i;
    /* No boundary in (b, i]: the next one after b is past i. */
    utf8proc_int32_t state = 0, prev = -1, cp;
    for (size_t p = b; p < len;) {
        size_t n = decode(t, len, p, &cp);
        if (n == 0)
            return p > b ? p : p + 1;
        if (prev >= 0 && utf8proc_grapheme_break_stateful(prev, cp, &state))
            return p;
        prev = cp;
        p += n;
    }
    return len;
}

/* ---- choosing the fragments --------------------------------------------- */

/* Skip a leading copy of the title (many archives repeat it), compared
 * ignoring ASCII case and folding white space: the bytes to skip. */
static size_t
skip_title(const char *text, size_t len, const char *title)
{
    size_t i = 0, j = 0, tl = title ? strlen(title) : 0;
    while (j < tl && is_ws((unsigned char)title[j]))
        j++;
    if (j == tl)
        return 0;
    while (i < len && is_ws((unsigned char)text[i]))
        i++;
    while (j < tl) {
        if (is_ws((unsigned char)title[j])) {
            if (i == len || !is_ws((unsigned char)text[i]))
                return 0;
            while (j < tl && is_ws((unsigned char)title[j]))
                j++;
            while (i < len && is_ws((unsigned char)text[i]))
                i++;
            continue;
        }
        unsigned char a = (unsigned char)title[j], b;
        if (i == len)
            return 0;
        b = (unsigned char)text[i];
        if (a >= 'A' && a <= 'Z')
            a |= 0x20;
        if (b >= 'A' && b <= 'Z')
            b |= 0x20;
        if (a != b)
            return 0;
        i++;
        j++;
    }
    /* The title must end a word in the text. */
    if (i < len && !is_ws((unsigned char)text[i]) &&
        ((unsigned char)text[i] >= 0x80 || (text[i] >= '0' && text[i] <= '9') ||
         ((text[i] | 0x20) >= 'a' && (text[i] | 0x20) <= 'z')))
        return 0;
    while (i < len && is_ws((unsigned char)text[i]))
        i++;
    return i;
}

/*
 * Choose k fragments of at most flen bytes greedily: each time the window
 * (starting at a match) with the most groups not shown yet, then the most
 * matches.  frags receive the clusters [first match start, last match
 * end); returns how many were found (fewer when nothing new is left) and
 * the groups they show in *shown.
 *
 * The matches are in text order, so a window's end only moves on as its
 * start does: each round slides one window over the matches, counting the
 * groups in it, instead of counting every window anew.
 */
static size_t
choose(const scan *s, size_t k, size_t flen, frag *frags, size_t *shown)
{
    unsigned char seen[2 * MAX_TERMS] = { 0 };
    unsigned char used[4096];
    size_t nf = 0;
    *shown = 0;
    memset(used, 0, s->n < sizeof used ? s->n : sizeof used);
#define USED(i) ((i) < sizeof used && used[i])
    while (nf < k) {
        size_t best = SIZE_MAX, best_score = 0, best_j = 0, best_new = 0;
        size_t in[2 * MAX_TERMS] = { 0 }; /* the window's matches by group */
        size_t fresh = 0;                 /* its groups not in seen */
        size_t j = 0;                     /* [i, j): the window */
        for (size_t i = 0; i < s->n; i++) {
            if (USED(i))
                continue; /* (a window stops before a used match) */
            if (j < i)
                j = i;
            while (j < s->n && s->m[j].end - s->m[i].start <= flen &&
                   !USED(j)) {
                int g = s->m[j++].group;
                if (in[g]++ == 0 && !seen[g])
                    fresh++;
            }
            if (j == i)
                continue;
            size_t count = j - i;
            size_t score = fresh * 100000 + (count < 99999 ? count : 99999);
            if (fresh && score > best_score) {
                best_score = score;
                best = i;
                best_j = j;
                best_new = fresh;
            }
            int g = s->m[i].group; /* i leaves the window */
            if (--in[g] == 0 && !seen[g])
                fresh--;
        }
        if (best == SIZE_MAX)
            break;
        for (size_t i = best; i < best_j; i++) {
            seen[s->m[i].group] = 1;
            if (i < sizeof used)
                used[i] = 1;
        }
        frags[nf].start = s->m[best].start;
        frags[nf].end = s->m[best_j - 1].end;
        nf++;
        *shown += best_new;
    }
#undef USED
    return nf;
}

/* The last sentence start at or before at, if it is within slack bytes. */
static size_t
sentence_before(const scan *s, size_t at, size_t slack, size_t fallback)
{
    size_t lo = 0, hi = s->n_sent;
    while (lo < hi) { /* the first sentence start after at */
        size_t mid = (lo + hi) / 2;
        if (s->sent[mid] <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && at - s->sent[lo - 1] <= slack)
        return s->sent[lo - 1];
    return fallback;
}

/*
 * Widen the cluster f to a fragment of at most flen bytes: from the start
 * of its sentence when that is close, else a little context before it,
 * cut after white space; to the last white space that fits.  A kept match
 * is never cut: the end moves before it (or, when it is the first one, to
 * its end).  A match's edges need not be grapheme boundaries (a token
 * leaves out a ZWJ after it, or a Prepend character before it): the cuts
 * they give move out to the next boundary, and the fragment grows by the
 * rest of those graphemes.
 */
static void
widen(const scan *s, const char *text, size_t len, size_t flen, frag *f)
{
    size_t cs = f->start, ce = f->end;
    size_t slack = flen > ce - cs ? flen - (ce - cs) : 0;
    size_t ws = cs > slack / 3 ? cs - slack / 3 : 0;
    ws = sentence_before(s, cs, slack, ws);
    if (ws > 0 && ws < cs && !is_ws((unsigned char)text[ws - 1])) {
        /* Start after the white space that ends the cut word, unless the
         * word is too long to drop. */
        size_t k = ws;
        while (k < cs && k - ws < WORD_MAX && !is_ws((unsigned char)text[k]))
            k++;
        if (k < cs && is_ws((unsigned char)text[k]))
            ws = k;
    }
    while (ws < cs && is_ws((unsigned char)text[ws]))
        ws++;
    ws = grapheme_ceil(text, len, ws);
    size_t lead = 0; /* a grapheme's bytes before the match, on top */
    if (ws > cs) {
        ws = grapheme_floor(text, len, cs);
        lead = cs - ws;
    }
    size_t we = ws + lead + flen < len ? ws + lead + flen : len;
    if (we < len) {
        /* End at white space, unless the cut word is too long to drop. */
        size_t k = we;
        while (k > ce && we - k < WORD_MAX && !is_ws((unsigned char)text[k]))
            k--;
        if (is_ws((unsigned char)text[k]))
            we = k;
        we = grapheme_floor(text, len, we);
        for (size_t i = 0; i < s->n; i++) {
            const match *m = &s->m[i];
            if (m->start < we && m->end > we) {
                size_t b = grapheme_floor(text, len, m->start);
                we = b > ws ? b : grapheme_ceil(text, len, m->end);
            }
        }
        if (we < ce && ce - ws <= lead + flen)
            we = grapheme_ceil(text, len, ce);
    }
    f->start = ws;
    f->end = we;
}

/* ---- writing ------------------------------------------------------------ */

/* Append text[from, to) to out with white space folded, control bytes
 * dropped and the kept matches highlighted (a phrase occurrence as one
 * highlight); *mi walks s->m. */
static int
emit(const scan *s, const char *text, size_t from, size_t to, ns_buf *out,
     ns_highlight **hl, size_t *n_hl, size_t *cap_hl, size_t *mi)
{
    int pending_space = 0;
    size_t last = SIZE_MAX; /* the match highlighted last */
    while (*mi < s->n && s->m[*mi].start < from)
        (*mi)++;
    for (size_t i = from; i < to;) {
        const match *m = *mi < s->n ? &s->m[*mi] : NULL;
        if (m && m->start == i && m->end <= to) {
            if (pending_space)
                ns__buf_putc(out, ' ');
            pending_space = 0;
            size_t gap = m->start - (last < s->n ? s->m[last].end : 0);
            if (m->cont && last == *mi - 1 && *n_hl > 0 &&
                out->len - (*hl)[*n_hl - 1].end == gap &&
                memcmp(out->data + (*hl)[*n_hl - 1].end,
                       text + s->m[last].end, gap) == 0) {
                /* The phrase goes on (and what lies between its words is
                 * shown as written): extend its highlight. */
                ns__buf_append(out, text + i, m->end - i);
                (*hl)[*n_hl - 1].end = out->len;
                last = *mi;
                i = m->end;
                (*mi)++;
                continue;
            }
            if (*n_hl == *cap_hl) {
                size_t c = *cap_hl ? *cap_hl * 2 : 8;
                ns_highlight *a = ns__realloc(*hl, c * sizeof *a);
                if (!a)
                    return -1;
                *hl = a;
                *cap_hl = c;
            }
            (*hl)[*n_hl].start = out->len;
            for (size_t k = i; k < m->end; k++) {
                unsigned char c = (unsigned char)text[k];
                ns__buf_putc(out, is_blank(c) ? ' ' : (char)c);
            }
            (*hl)[*n_hl].end = out->len;
            (*n_hl)++;
            last = *mi;
            i = m->end;
            (*mi)++;
            continue;
        }
        if (m && m->start < i) {
            (*mi)++; /* cut by the fragment's start */
            continue;
        }
        if (is_blank((unsigned char)text[i])) {
            pending_space = out->len > 0;
            i++;
            continue;
        }
        if (pending_space) {
            ns__buf_putc(out, ' ');
            pending_space = 0;
        }
        /* The bytes up to the next blank or match, as they are. */
        size_t stop = m && m->start < to ? m->start : to, j = i + 1;
        while (j < stop && !is_blank((unsigned char)text[j]))
            j++;
        ns__buf_append(out, text + i, j - i);
        i = j;
    }
    return 0;
}

/* The length of each of k fragments within target (with the separators
 * between them), or 0 when k of them would be shorter than FRAG_MIN. */
static size_t
frag_len(unsigned target, size_t k)
{
    if (k == 1)
        return target;
    if (target < SEP_LEN * k)
        return 0;
    size_t flen = (target - SEP_LEN * (k - 1)) / k;
    return flen < FRAG_MIN ? 0 : flen;
}

/* The fewest fragments that show the most distinct words of the matches
 * of s, into frags: each at least FRAG_MIN bytes, and all of them within
 * the target (a fragment grows to hold a long highlighted word: then one
 * is used); without a match, the text's beginning.  Returns how many. */
static size_t
pick(const scan *s, const char *text, size_t len, unsigned target,
     frag *frags, size_t *shown_out)
{
    size_t nf = 0, best_shown = 0;
    for (size_t k = 1; k <= MAX_FRAGS; k++) {
        size_t flen = frag_len(target, k);
        if (!flen)
            break;
        frag f[MAX_FRAGS];
        size_t shown, n = choose(s, k, flen, f, &shown), total = 0;
        for (size_t i = 0; i < n; i++) {
            widen(s, text, len, flen, &f[i]);
            total += f[i].end - f[i].start + SEP_LEN;
        }
        if (k == 1 || (shown > best_shown && total <= target + SEP_LEN)) {
            best_shown = shown;
            nf = n;
            memcpy(frags, f, n * sizeof *f);
        }
        if (n < k)
            break; /* nothing more to show */
    }
    if (nf == 0) {
        /* No match in the text: its beginning. */
        frags[0].start = frags[0].end = 0;
        widen(s, text, len, target, &frags[0]);
        nf = 1;
    }
    *shown_out = best_shown;
    return nf;
}

/* The last newline in t[lo, hi), or SIZE_MAX: eight bytes at a time
 * where there is none (a paragraph is a few hundred bytes). */
static size_t
last_newline(const char *t, size_t lo, size_t hi)
{
    const uint64_t ones = 0x0101010101010101u, nl = 0x0a * ones;
    while (hi - lo >= 8) {
        uint64_t x;
        memcpy(&x, t + hi - 8, 8);
        x ^= nl; /* a zero byte where there is a newline */
        if ((x - ones) & ~x & (ones << 7))
            break;
        hi -= 8;
    }
    while (hi > lo)
        if (t[--hi] == '\n')
            return hi;
    return SIZE_MAX;
}

/* The end of the last blank line ("\n\n") in text[from, to), or from:
 * a place where the analysis can stop and go on in a second run, which
 * starts a sentence there as one run does after a blank line.  The text
 * before scanned was looked at by the call before (and held none past
 * from): only what was decoded since is. */
static size_t
paragraph_cut(const char *text, size_t from, size_t scanned, size_t to)
{
    size_t lo = scanned > from + 1 ? scanned - 1 : from;
    if (lo + 2 > to)
        return from;
    for (size_t p = to; (p = last_newline(text, lo + 1, p)) != SIZE_MAX;)
        if (text[p - 1] == '\n')
            return p + 1;
    return from;
}

/* Decode more of the text: *start is the text from its start, *len the
 * bytes decoded past base (the skipped title's copy). */
static ns_status
more_text(ns__snippet_more more, void *ctx, const char **start, size_t base,
          size_t *len)
{
    const char *t = *start;
    size_t tl = *len + base;
    ns_status st = more(ctx, &t, &tl);
    if (st != NS_OK)
        return st;
    if (tl <= *len + base)
        return NS_ERR_INDEX_CORRUPT; /* no progress: cannot happen */
    *start = t;
    *len = tl - base;
    return NS_OK;
}

/* ---- only the sentences that hold the words ----------------------------- */

/*
 * With the article's position map and sentence index (posmap.h), the text
 * is not analyzed whole: the map says where each query word is (its
 * position), the index where sentences start (position and offset), which
 * gives each occurrence's offset within a few words.  The fragments are
 * chosen on those, their sentences analyzed (a run from a sentence start
 * gives the tokens a whole run gives there), and the fragments chosen
 * again on what that finds; a fragment that reaches a sentence not
 * analyzed has it analyzed, and the choice made again.
 */
/* Candidate windows at most; and the room for the estimates' error. */
#define PLAN_CANDS 8
#define PLAN_SLACK 32
/* All the sentences that hold a match are analyzed up to these bytes. */
#define PLAN_ALL_MAX 1024

typedef struct plan {
    uint32_t *cp; /* the sentence index: position, offset pairs */
    size_t cap_cp, n_cp;
    unsigned char *mark; /* per sentence: 1 to analyze; 2 holds a match;
                          * 4 analyzed */
    int dirty;           /* marked since the last analysis (or none yet) */
    size_t end;          /* the text's end (offsets of the index) */
    size_t base;         /* where the text shown starts (the title's copy) */
    uint64_t held;       /* the groups the text holds */
    frag cand[PLAN_CANDS]; /* windows that may show every group */
    size_t n_cand;
    frag frags[MAX_FRAGS]; /* the fragments chosen on the estimates */
    size_t n_frags, flen;
    size_t expect, expect_k; /* the groups they may show, in so many */
    match *raw;    /* the matches of the sentences analyzed */
    size_t n_raw, cap_raw;
    match *est;    /* the estimated matches (by position) */
    size_t n_est, cap_est;
    int off;       /* an estimate found off by more than half the slack */
} plan;

static void
plan_free(plan *pl)
{
    ns_free(pl->cp);
    ns_free(pl->mark);
    ns_free(pl->raw);
    ns_free(pl->est);
}

static int
by_start(const void *a, const void *b)
{
    size_t x = ((const match *)a)->start, y = ((const match *)b)->start;
    return (x > y) - (x < y);
}

static int
by_offset(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Mark the sentences that bytes [from, to) of the text (the index's
 * offsets) overlap: 1 if one was not marked. */
static int
plan_mark(plan *pl, size_t from, size_t to)
{
    int added = 0;
    for (size_t j = 0; j < pl->n_cp; j++) {
        size_t a = pl->cp[2 * j + 1];
        size_t b = j + 1 < pl->n_cp ? pl->cp[2 * j + 3] : pl->end;
        if (a < to && b > from && !(pl->mark[j] & 1)) {
            pl->mark[j] |= 1;
            added = 1;
        }
    }
    pl->dirty |= added;
    return added;
}

/* The bytes of the sentences that hold a match and are not analyzed. */
static size_t
plan_held_bytes(const plan *pl)
{
    size_t n = 0;
    for (size_t j = 0; j < pl->n_cp; j++)
        if (pl->mark[j] == 2)
            n += (j + 1 < pl->n_cp ? pl->cp[2 * j + 3] : pl->end) -
                 pl->cp[2 * j + 1];
    return n;
}

/* Mark every sentence that holds a match: 1 if one was not marked. */
static int
plan_mark_all(plan *pl)
{
    int added = 0;
    for (size_t j = 0; j < pl->n_cp; j++)
        if (pl->mark[j] == 2) {
            pl->mark[j] = 3;
            added = 1;
        }
    pl->dirty |= added;
    return added;
}

/* Mark the text's bytes [from, to) (past the title's copy, estimated: a
 * little more on either side). */
static void
plan_mark_text(plan *pl, size_t from, size_t to)
{
    plan_mark(pl, pl->base + (from > 32 ? from - 32 : 0), pl->base + to + 32);
}

typedef struct occ {
    uint32_t pos;
    uint64_t terms;
} occ;

/* Merge (*o)[0, mid) and (*o)[mid, n), each in order of position.  0; -1
 * when out of memory. */
static int
merge_occ(occ **o, size_t *cap, size_t mid, size_t n)
{
    if (ns__grow((void **)o, cap, n + mid - 1, sizeof **o) != 0)
        return -1;
    occ *a = *o + n, *v = *o; /* the first run moved past the end */
    memcpy(a, v, mid * sizeof *a);
    size_t i = 0, j = mid, k = 0;
    while (i < mid && j < n)
        v[k++] = a[i].pos <= v[j].pos ? a[i++] : v[j++];
    while (i < mid)
        v[k++] = a[i++];
    return 0;
}

/* The body positions of s's terms (none a prefix) in the map, as matches
 * of s at their estimated offsets (text coordinates: past base). */
static int
map_matches(scan *s, plan *pl, const ns__xvalues *vals, size_t base)
{
    ns__posmap parts[NS_POSMAP_PARTS];
    int state[NS_POSMAP_PARTS] = { 0 }; /* 1 read, -1 none */
    occ *o = NULL;
    size_t n_o = 0, cap_o = 0;
    uint64_t p_end = 0;
    int ok = 0;
    for (size_t i = 0; i < s->n_terms; i++) {
        const ns__qterm *qt = &s->q->terms[i];
        if (qt->prefix)
            goto out;
        if (is_excluded(s->q, qt->text))
            continue;
        uint32_t key = ns__posmap_key(qt->text, strlen(qt->text));
        unsigned part = NS_POSMAP_PART(key);
        if (!state[part]) {
            size_t len;
            const char *v = vals->get(vals->ctx, NS_SLOT_POSMAP + part, &len);
            state[part] = v ? 1 : -1;
            if (v && ns__posmap_open(&parts[part], v, len) != NS_OK)
                goto out;
        }
        if (state[part] < 0)
            continue;
        const ns__posmap *m = &parts[part];
        ns__posmap_list l;
        if (ns__posmap_find(m, &key, 1, &l) != NS_OK ||
            l.n == NS_POSMAP_AMBIGUOUS)
            goto out;
        if (!l.n)
            continue;
        if (ns__grow((void **)&o, &cap_o, n_o + l.n - 1, sizeof *o) != 0) {
            ok = -1;
            goto out;
        }
        size_t first = n_o; /* this term's, after the others' */
        ns__posmap_iter it;
        ns__posmap_iter_init(&it, &l);
        uint32_t p;
        int r;
        while ((r = ns__posmap_next(m, &it, &p)) == 1) {
            if (p < m->title_end)
                continue;
            if (p < pl->cp[0])
                goto out; /* not as the sentence index says */
            o[n_o].pos = p;
            o[n_o++].terms = (uint64_t)1 << i;
        }
        if (r < 0)
            goto out;
        p_end = m->p_end;
        if (first && first < n_o && merge_occ(&o, &cap_o, first, n_o) != 0) {
            ok = -1;
            goto out;
        }
    }
    size_t j = 0;
    for (size_t i = 0; i < n_o; i++) {
        uint64_t terms = o[i].terms;
        while (i + 1 < n_o && o[i + 1].pos == o[i].pos)
            terms |= o[++i].terms;
        uint32_t p = o[i].pos;
        while (j + 1 < pl->n_cp && pl->cp[2 * j + 2] <= p)
            j++;
        uint64_t pa = pl->cp[2 * j], oa = pl->cp[2 * j + 1];
        uint64_t pb = j + 1 < pl->n_cp ? pl->cp[2 * j + 2] : p_end;
        uint64_t ob = j + 1 < pl->n_cp ? pl->cp[2 * j + 3] : pl->end;
        if (pb <= p)
            pb = p + 1;
        uint64_t at = oa + (p - pa) * (ob - oa) / (pb - pa);
        if (at < base)
            continue; /* the title's copy, skipped */
        pl->mark[j] |= 2;
        match *m = new_match(s);
        if (!m) {
            ok = -1;
            goto out;
        }
        /* (a word's end unknown: the estimate is rather more than less) */
        m->start = (size_t)(at - base);
        m->end = m->start + 1;
        m->pos = p;
        m->terms = terms;
        m->group = -1;
        m->cont = 0;
        for (size_t t = 0; t < s->n_terms; t++)
            if ((terms >> t & 1) && s->q->terms[t].phrase < 0) {
                m->group = (int)t;
                break;
            }
    }
    ok = 1;
out:
    ns_free(o);
    return ok;
}

/* settle() on the matches analyzed: whether a window shows every group
 * of held (the matches after its reach then dropped). */
static int
settle_exact(scan *s, uint64_t held)
{
    s->stop_window = 0;
    s->stop_at = 0;
    settle(s, held);
    s->stop_at = 0;
    return s->stop_window;
}

/*
 * Plan the scan of a text from its values: 1 planned (the sentences to
 * analyze marked), 0 not possible (no map, a prefix: the whole text is
 * analyzed), -1 out of memory.  end: the text's length.
 */
static int
plan_open(plan *pl, scan *s, const ns__xvalues *vals, size_t base,
          size_t end)
{
    size_t len;
    const char *v = vals->get(vals->ctx, NS_SLOT_SENTENCES, &len);
    if (!v)
        return 0;
    ns_status st =
        ns__posmap_read_sentences(v, len, &pl->cp, &pl->cap_cp, &pl->n_cp);
    if (st == NS_ERR_NOMEM)
        return -1;
    if (st != NS_OK || !pl->n_cp || pl->cp[2 * pl->n_cp - 1] >= end)
        return 0;
    pl->end = end;
    pl->base = base;
    pl->dirty = 1; /* (analyzed once at least: the text decoded as far as
                    * a fragment reaches) */
    if (!(pl->mark = ns__calloc(pl->n_cp, 1)))
        return -1;
    int r = map_matches(s, pl, vals, base);
    if (r <= 0) {
        s->n = 0;
        return r;
    }
    if (s->n) {
        if (ns__grow((void **)&pl->est, &pl->cap_est, s->n - 1,
                     sizeof *pl->est) != 0)
            return -1;
        memcpy(pl->est, s->m, s->n * sizeof *s->m);
        pl->n_est = s->n;
    }
    mark_phrases(s);
    uint64_t held = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->m[i].group >= 0 && s->m[i].group < MAX_TERMS)
            held |= (uint64_t)1 << s->m[i].group;
    pl->held = s->want & held;
    /* Without a phrase, a scan of the whole text keeps the matches up to
     * a target's length past the first window that shows every word the
     * text holds (settle()): the windows that may be it, in text order,
     * with room for the estimates' error. */
    size_t last[MAX_TERMS] = { 0 };
    uint64_t seen = 0;
    for (size_t i = 0; !s->q->n_phrases && pl->held && i < s->n &&
                       pl->n_cand < PLAN_CANDS;
         i++) {
        const match *m = &s->m[i];
        if (m->group < 0 || m->group >= MAX_TERMS)
            continue;
        last[m->group] = m->start + 1;
        seen |= (uint64_t)1 << m->group;
        if ((seen & pl->held) != pl->held)
            continue;
        size_t first = first_of_last(last, pl->held);
        if (m->end - first > s->target + PLAN_SLACK)
            continue;
        if (pl->n_cand && pl->cand[pl->n_cand - 1].start == first)
            pl->cand[pl->n_cand - 1].end = m->end;
        else
            pl->cand[pl->n_cand++] = (frag){ first, m->end };
    }
    s->n = 0;
    return 1;
}

/*
 * Else (or if none is one), the fragments pick() would take on the
 * estimates: the fewest that show the most words (pl->frags), and what
 * the exact choice should show at least (pl->expect).  Wanted only when
 * no candidate window settles the choice, so made only then: 0; -1 when
 * out of memory.
 */
static int
plan_estimate(plan *pl, const scan *s)
{
    scan e = *s; /* (its matches: the estimates, as plan_open() had them) */
    e.m = NULL;
    e.n = e.cap = 0;
    if (pl->n_est) {
        if (!(e.m = ns__malloc(pl->n_est * sizeof *e.m)))
            return -1;
        memcpy(e.m, pl->est, pl->n_est * sizeof *e.m);
        e.n = e.cap = pl->n_est;
    }
    mark_phrases(&e);
    size_t best_shown = 0;
    for (size_t k = 1; k <= MAX_FRAGS; k++) {
        size_t flen = frag_len(e.target, k);
        if (!flen)
            break;
        frag f[MAX_FRAGS];
        size_t shown, n = choose(&e, k, flen, f, &shown);
        if (k == 1 || shown > best_shown) {
            best_shown = shown;
            pl->flen = flen;
            pl->n_frags = n;
            memcpy(pl->frags, f, n * sizeof *f);
        }
        /* What the exact choice should show at least: the most words
         * fragments of this number could show, were the estimates off
         * by their slack. */
        size_t most;
        choose(&e, k, flen + PLAN_SLACK, f, &most);
        if (most > pl->expect) {
            pl->expect = most;
            pl->expect_k = k;
        }
        if (n < k)
            break;
    }
    ns_free(e.m);
    return 0;
}

/* Analyze the marked sentences (a run of consecutive ones at once),
 * decoding the text as far as they and their fragments need. */
static ns_status
run_plan(scan *s, plan *pl, ns_analyzer *an,
         const ns__stem_only *stem_only, ns__snippet_more more, void *ctx,
         const char **start, size_t base, size_t *len, size_t whole)
{
    ns_status st = NS_OK;
    /* A fragment ends within the target's length of its first match (and
     * its cut looks a few bytes further). */
    size_t reach = (size_t)s->target + 2 * WORD_MAX;
    /* The matches of the sentences analyzed before, as on_token() gave
     * them (mark_phrases() drops some). */
    s->n = 0;
    for (size_t i = 0; i < pl->n_raw; i++) {
        match *m = new_match(s);
        if (!m)
            return NS_ERR_NOMEM;
        *m = pl->raw[i];
    }
    size_t before = s->n, sent_before = s->n_sent;
    pl->dirty = 0;
    while (st == NS_OK && *len < whole && *len < reach)
        st = more_text(more, ctx, start, base, len);
    for (size_t j = 0; st == NS_OK && j < pl->n_cp;) {
        if ((pl->mark[j] & 5) != 1) { /* not to analyze, or analyzed */
            j++;
            continue;
        }
        size_t k = j;
        while (k + 1 < pl->n_cp && (pl->mark[k + 1] & 5) == 1)
            k++;
        for (size_t x = j; x <= k; x++)
            pl->mark[x] |= 4;
        size_t a = pl->cp[2 * j + 1];
        size_t b = k + 1 < pl->n_cp ? pl->cp[2 * k + 3] : pl->end;
        uint32_t pos = pl->cp[2 * j];
        j = k + 1;
        if (b <= base)
            continue;
        size_t from = a > base ? a - base : 0, to = b - base;
        while (st == NS_OK && *len < whole && *len < to + reach)
            st = more_text(more, ctx, start, base, len);
        if (st != NS_OK)
            break;
        s->text = *start + base;
        /* A sentence starts on a character (and the text ends on one):
         * if not, the index is damaged, and the caller reads the text. */
        if (to > *len || (to < *len && ((unsigned char)s->text[to] & 0xC0) ==
                                           0x80) ||
            (a > base && ((unsigned char)s->text[from] & 0xC0) == 0x80))
            return NS_ERR_INDEX_CORRUPT;
        s->base = from;
        s->sent_from = a > base ? from : 0;
        ns_analyze_stats stats;
        memset(&stats, 0, sizeof stats);
        st = ns__analyzer_run_some(an, s->text + from, to - from, pos,
                                   NS_ANALYZE_DOCUMENT, stem_only, on_token,
                                   s, &stats);
        /* Bytes that are not UTF-8 (a text the indexer would have given
         * no sentence index): the caller reads the text, whose scan
         * knows them. */
        if (st == NS_OK && stats.invalid_bytes)
            return NS_ERR_INDEX_CORRUPT;
    }
    if (s->oom)
        return NS_ERR_NOMEM;
    if (st != NS_OK)
        return st;
    /* How far the estimates were off (positions of a run clipped to the
     * title's copy are not the map's). */
    for (size_t i = before; i < s->n && !pl->off; i++) {
        const match *m = &s->m[i];
        size_t lo = 0, hi = pl->n_est;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (pl->est[mid].pos < m->pos)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < pl->n_est && pl->est[lo].pos == m->pos &&
            (m->start > pl->est[lo].start + PLAN_SLACK / 2 ||
             pl->est[lo].start > m->start + PLAN_SLACK / 2))
            pl->off = 1;
    }
    /* In text order, with the sentence starts. */
    if (before && s->n > before)
        qsort(s->m, s->n, sizeof *s->m, by_start);
    if (sent_before && s->n_sent > sent_before)
        qsort(s->sent, s->n_sent, sizeof *s->sent, by_offset);
    if (s->n > pl->n_raw) {
        if (ns__grow((void **)&pl->raw, &pl->cap_raw, s->n - 1,
                     sizeof *pl->raw) != 0)
            return NS_ERR_NOMEM;
        memcpy(pl->raw, s->m, s->n * sizeof *s->m);
        pl->n_raw = s->n;
    }
    return NS_OK;
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
    ns__snippet_text src = { 0 };
    src.text = text;
    src.len = src.whole = len;
    src.title = title;
    return ns__snippet_make_steps(an, q, &src, target, out, hl_out,
                                  n_hl_out);
}

/* Only a word that can match a term, or an excluded one, needs its stem,
 * or on_token() at all (unless it starts a sentence): one that starts as a
 * term's stem would (a prefix's, matched on the word). */
void
ns__snippet_words(const ns__query *q, ns__stem_only *set)
{
    memset(set, 0, sizeof *set);
    for (size_t i = 0; i < q->n_terms && i < MAX_TERMS; i++) {
        if (q->terms[i].prefix)
            ns__stem_only_add_prefix(set, q->terms[i].text);
        else
            ns__stem_only_add(set, q->terms[i].text);
    }
    for (size_t i = 0; i < q->n_excluded; i++)
        ns__stem_only_add(set, q->excluded[i]);
}

/* The groups a text may hold: each term but a repeated or excluded one,
 * and a phrase's (which is not a group). */
static uint64_t
groups_wanted(const ns__query *q, size_t n_terms)
{
    uint64_t want = 0;
    for (size_t i = 0; i < n_terms; i++) {
        const ns__qterm *t = &q->terms[i];
        int group = t->phrase < 0 && (t->prefix || !is_excluded(q, t->text));
        for (size_t j = 0; group && j < i; j++)
            group = q->terms[j].prefix != t->prefix ||
                    strcmp(q->terms[j].text, t->text) != 0;
        if (group)
            want |= (uint64_t)1 << i;
    }
    return want;
}

int
ns__snippet_plans(const ns__query *q)
{
    size_t n = q->n_terms < MAX_TERMS ? q->n_terms : MAX_TERMS;
    for (size_t i = 0; i < n; i++)
        if (q->terms[i].prefix)
            return 0;
    /* One word: reading stops a target's length past its first
     * occurrence, sooner than a plan is made. */
    uint64_t want = groups_wanted(q, n);
    return n && (q->n_phrases || (want & (want - 1)));
}

ns_status
ns__snippet_make_steps(ns_analyzer *an,
                       const ns__query *q,
                       const ns__snippet_text *src,
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
    const char *text = src->text;
    size_t len = src->len, whole = src->whole;
    ns__snippet_more more = src->more;
    void *more_ctx = src->ctx;
    const char *title = src->title;
    if (!text)
        len = whole = 0;
    if (!more || whole < len)
        whole = len;
    ns_status st = NS_OK;
    /* The title's copy must be there whole to be skipped. */
    size_t tlen = title ? strlen(title) : 0;
    const char *start = text;
    while (st == NS_OK && tlen && len < whole && len < tlen + 256)
        st = more_text(more, more_ctx, &start, 0, &len);
    if (st != NS_OK)
        return st;
    text = start;
    size_t base = skip_title(text, len, title);
    text += base;
    len -= base;
    whole -= base;

    scan s = { 0 };
    s.q = q;
    s.text = text;
    s.target = target;
    s.n_terms = q->n_terms < MAX_TERMS ? q->n_terms : MAX_TERMS;
    s.want = groups_wanted(q, s.n_terms);
    ns__stem_only own;
    const ns__stem_only *stem_only = src->words;
    if (!stem_only) {
        ns__snippet_words(q, &own);
        stem_only = &own;
    }
    frag frags[MAX_FRAGS];
    size_t nf = 0;
    plan pl;
    memset(&pl, 0, sizeof pl);
    const scan fresh = s; /* (for a scan after a plan that did not fit) */
    int planned = src->values && ns__snippet_plans(q)
                      ? plan_open(&pl, &s, src->values, base, whole + base)
                      : 0;
    if (planned < 0) {
        st = NS_ERR_NOMEM;
        goto out;
    }
    if (planned) {
        s.planned = 1;
        /* The first window that shows every word, if one is: analyzed,
         * it is the one a scan of the whole text stops after. */
        int settled = 0;
        for (size_t c = 0; c < pl.n_cand && !settled; c++) {
            /* (the windows that hold it: a match before it may start one) */
            size_t e = pl.cand[c].end;
            plan_mark_text(&pl, e > target ? e - target : 0, e + target);
            st = run_plan(&s, &pl, an, stem_only, more, more_ctx, &start,
                          base, &len, whole);
            if (st == NS_ERR_INDEX_CORRUPT)
                goto scan;
            if (st != NS_OK)
                goto out;
            settled = settle_exact(&s, pl.held);
        }
        if (!settled && plan_estimate(&pl, &s) != 0) {
            st = NS_ERR_NOMEM;
            goto out;
        }
        /* Else the fragments are chosen among all the matches, as on the
         * whole text, when the sentences that hold them are short enough
         * to analyze; if not, on the estimates. */
        if (!settled && plan_held_bytes(&pl) <= PLAN_ALL_MAX) {
            plan_mark_all(&pl);
        } else if (!settled) {
            for (size_t i = 0; i < pl.n_frags; i++)
                plan_mark_text(&pl, pl.frags[i].start,
                               pl.frags[i].start + pl.flen);
        }
        for (int round = 0;; round++) {
            if (pl.dirty) {
                st = run_plan(&s, &pl, an, stem_only, more, more_ctx, &start,
                              base, &len, whole);
                if (st == NS_ERR_INDEX_CORRUPT)
                    goto scan;
                if (st != NS_OK)
                    goto out;
                if (settled)
                    settle_exact(&s, pl.held);
            }
            text = start + base;
            mark_phrases(&s);
            size_t shown;
            nf = pick(&s, text, len, target, frags, &shown);
            int grew = 0;
            for (size_t i = 0; i < nf; i++)
                grew |= plan_mark(&pl, base + frags[i].start,
                                  base + frags[i].end);
            /* Fewer words shown than the estimates promised, or in more
             * fragments (one a few bytes off; or a word of the query the
             * text does not hold, whose key in the map another of its
             * words has), an estimate off by more than their slack allows
             * for, or the fragments still reaching sentences not
             * analyzed: every sentence that holds a match is analyzed, as
             * a scan of the whole text would. */
            int short_of = shown < pl.expect || pl.off ||
                           (shown == pl.expect && nf > pl.expect_k);
            if ((round >= 2 || (!grew && !settled && short_of)) &&
                plan_mark_all(&pl))
                grew = 1;
            if (!grew)
                break;
        }
        goto show;
    }
scan:
    /* (a plan the sentence index does not fit: the text is read, by a
     * scan as it would have started, in the plan's memory) */
    if (planned) {
        match *m = s.m;
        size_t *sent = s.sent, cap = s.cap, cap_sent = s.cap_sent;
        s = fresh;
        s.m = m;
        s.cap = cap;
        s.sent = sent;
        s.cap_sent = cap_sent;
    }
    st = NS_OK;
    s.text = text = start + base;
    /* The text in pieces cut after blank lines, decoding more as needed:
     * positions go on from piece to piece, and a piece starts a sentence
     * as the text does after a blank line, so the tokens are the ones of
     * one run over the whole text. */
    size_t from = 0, scanned = 0;
    uint32_t pos = 0;
    int asked = 0;
    while (st == NS_OK && (s.n_terms || whole)) {
        int all = len == whole;
        size_t cut = all ? len : paragraph_cut(text, from, scanned, len);
        scanned = len;
        if (cut > from) {
            ns_analyze_stats stats;
            memset(&stats, 0, sizeof stats);
            s.base = from;
            st = ns__analyzer_run_some(an, text + from, cut - from, pos,
                                       NS_ANALYZE_DOCUMENT, stem_only,
                                       on_token, &s, &stats);
            pos += (uint32_t)stats.tokens;
            from = cut;
        }
        if (st != NS_OK || all || (s.stop_at && s.stop_at <= from))
            break;
        /* More to read: the counts may say how much (once). */
        if (!asked && src->counts && s.n_terms && !s.oom) {
            const uint32_t *counts = src->counts(src->ctx);
            asked = 1;
            if (counts && (st = take_counts(&s, an, counts, start, base)) !=
                              NS_OK)
                break;
            if (s.stop_at && s.stop_at <= from)
                break;
        }
        if ((st = more_text(more, more_ctx, &start, base, &len)) == NS_OK)
            s.text = text = start + base;
    }
    if (s.oom)
        st = NS_ERR_NOMEM;
    else if (st == NS_ERR_ABORTED && s.stop_at)
        st = NS_OK;
    /* A fragment may reach a target's length past where reading stopped
     * (and its cut looks a little further): that much more is decoded. */
    while (st == NS_OK && s.stop_at && len < whole &&
           len < s.stop_at + 2 * (size_t)target + 512)
        if ((st = more_text(more, more_ctx, &start, base, &len)) == NS_OK)
            s.text = text = start + base;
    if (st != NS_OK)
        goto out;
    if (!s.stop_window && !(s.counted && s.n_left == 0)) {
        /* Read to the end (or counts said more than it holds): what the
         * text holds is known now. */
        uint64_t held = 0;
        for (size_t i = 0; i < s.n; i++)
            if (s.m[i].group >= 0 && s.m[i].group < MAX_TERMS)
                held |= (uint64_t)1 << s.m[i].group;
        if ((held & s.want) != s.want)
            settle(&s, held & s.want);
    }
    mark_phrases(&s);
    size_t shown;
    nf = pick(&s, text, len, target, frags, &shown);
show:
    /* In text order, overlapping ones merged. */
    for (size_t i = 1; i < nf; i++)
        for (size_t j = i; j > 0 && frags[j].start < frags[j - 1].start; j--) {
            frag t = frags[j];
            frags[j] = frags[j - 1];
            frags[j - 1] = t;
        }
    size_t m = 0;
    for (size_t i = 1; i < nf; i++) {
        if (frags[i].start <= frags[m].end) {
            if (frags[i].end > frags[m].end)
                frags[m].end = frags[i].end;
        } else {
            frags[++m] = frags[i];
        }
    }
    nf = m + 1;

    ns_highlight *hl = NULL;
    size_t n_hl = 0, cap_hl = 0, mi = 0;
    for (size_t i = 0; i < nf && st == NS_OK; i++) {
        if (i > 0)
            ns__buf_puts(out, SEP);
        else if (frags[i].start > 0)
            ns__buf_puts(out, ELLIPSIS " ");
        if (emit(&s, text, frags[i].start, frags[i].end, out, &hl, &n_hl,
                 &cap_hl, &mi) != 0)
            st = NS_ERR_NOMEM;
    }
    if (st == NS_OK && frags[nf - 1].end < whole)
        ns__buf_puts(out, " " ELLIPSIS);
    if (st == NS_OK && out->oom)
        st = NS_ERR_NOMEM;
    if (st != NS_OK) {
        ns_free(hl);
        goto out;
    }
    *hl_out = hl;
    *n_hl_out = n_hl;
out:
    plan_free(&pl);
    ns_free(s.m);
    ns_free(s.sent);
    return st;
}
