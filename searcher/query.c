/*
 * query.c: the query parser.  It reads the nsearch query language into a
 * tree, then builds the Xapian query from the tree, analyzing every word
 * with the index's own analyzer (so `airbases` searches the term `airbase`
 * was indexed as) and noting what the highlighter and the spelling
 * suggester need.  It never fails on a malformed query when a reading
 * exists: it reads it the most reasonable way and says so in q->note.
 *
 * The language (the README's "Searching" section is the user's version):
 *
 *   syria russia       words; articles with more of them rank higher (OR)
 *   "air strike"       a phrase: the words adjacent, in order
 *   +word  -word       required / excluded; `NOT word` is `-word`
 *   a AND b, a OR b    both / either (operators are uppercase words).  AND
 *                      binds tighter than OR, both tighter than the plain
 *                      sequence of clauses; an AND clause is required
 *   ( ... )            grouping (nested at most NS_QUERY_MAX_DEPTH deep)
 *   word*              the words that start with word (bounded expansion)
 *   a NEAR/n b         within n words of each other, in any order
 *   a ADJ/n b          within n words, in this order (NEAR, ADJ: n = 10)
 *   title:x            x (a word, "phrase", word* or (group)) in the title
 *   source:x author:x  the publisher's / byline's words (filters)
 *   site:x url:x       the URL's host or a parent domain (filters)
 *   date:2015 date:2015-09 date:2015-09-01..2015-10-15 date:..2016
 *
 * Stop words (ns__analyzer_is_stopword: the, of, what) among the plain
 * words of a sequence are left out, unless written in capitals (WHO, IT);
 * quoted, required, in a field or joined by an operator they are searched,
 * and so they are when the query has no other word to rank by (it is read
 * again keeping them).  Measured on the judged collections: mean MAP +2.2%,
 * every collection better (README).
 *
 * Only the first NS_QUERY_MAX_WORDS analyzed words are searched: a longer
 * query (a pasted article) is read that far, and the note says so.
 *
 * Filters (source:, author:, site:, date:) carry no weight; several of one
 * field are ORed, different fields ANDed.  A query of filters or exclusions
 * only matches every article that passes them (ranked = 0).  An unknown
 * `name:` is plain text.  Only hyphens join a written word's parts into a
 * phrase (`al-Assad`); other punctuation splits it into separate words.
 *
 * The index holds only stemmed terms, so `word*` expands against stems: the
 * terms that start with the folded word, the terms that start with its stem
 * when stemming only changed its last letter (`happy*`: `happi`), and the
 * stems that the word's longer forms reduce to (`president*`: `presid`, a
 * prefix of the word at most 3 letters shorter).  There is no search for an
 * exact written form.
 */
#include "searcher/query.h"
#include "core/schema.h"
#include "core/shards.h"

#include <stdio.h>
#include <string.h>

/* ---- tokens ------------------------------------------------------------- */

enum field { F_BODY, F_TITLE, F_SOURCE, F_AUTHOR, F_SITE, F_DATE };

static const struct {
    const char *name;
    int field;
} field_names[] = {
    { "title", F_TITLE }, { "source", F_SOURCE }, { "author", F_AUTHOR },
    { "url", F_SITE },    { "site", F_SITE },     { "date", F_DATE },
};

typedef enum tkind {
    T_END,
    T_WORD,   /* s, n: the word (or field value) */
    T_PHRASE, /* s, n: between the quotes */
    T_LPAREN,
    T_RPAREN,
    T_AND,
    T_OR,
    T_NOT,
    T_NEAR /* NEAR/n or ADJ/n */
} tkind;

typedef struct tok {
    tkind kind;
    char mod;        /* '+', '-' or 0 */
    int field;       /* F_* given with name: (F_BODY when none) */
    int star;        /* T_WORD: ended with '*' */
    const char *s;   /* text */
    size_t n;
    char lo[15];     /* date: bounds ("" when open) */
    char hi[15];
    unsigned window; /* T_NEAR */
    int ordered;     /* T_NEAR: ADJ */
} tok;

/* ---- the tree ----------------------------------------------------------- */

typedef enum nkind {
    N_TERMS,  /* a word or "phrase" of the body or title */
    N_PREFIX, /* word* */
    N_BOOL,   /* source:, author:, site: */
    N_DATE,   /* date: */
    N_AND,
    N_OR,
    N_NEAR,
    N_LIST /* clauses one after the other */
} nkind;

typedef struct node {
    nkind kind;
    char mod;   /* '+', '-' or 0 */
    int field;  /* F_* */
    int phrase; /* N_TERMS: quoted */
    const char *s;
    size_t n;
    char lo[15], hi[15]; /* N_DATE */
    unsigned window;     /* N_NEAR */
    int ordered;
    struct node **kids;
    size_t n_kids, cap_kids;
} node;

/* A token of the analyzer, kept while one span is built. */
typedef struct qtok {
    size_t term, term_len; /* offsets in the strs buffer */
    size_t word, word_len;
    size_t start, end; /* in the analyzed span */
    uint32_t pos;
    unsigned flags;
} qtok;

typedef struct parser {
    ns_db *db;
    ns__query *q;
    const char *text; /* the query */
    const char *p;    /* where the lexer is */
    tok cur;
    ns_buf note;
    ns_status st; /* sticky */
    node **nodes; /* every node, for freeing */
    size_t n_nodes, cap_nodes;
    unsigned filter_group; /* unique keys of compound filters */
    qtok *toks;            /* analyzer tokens of the current span */
    size_t n_toks, cap_toks;
    ns_buf strs; /* their terms and words */
    ns_buf scratch;
    size_t n_words; /* analyzed in the whole query, up to the cap */
    int capped;     /* words beyond NS_QUERY_MAX_WORDS were left out */
    /* The last positional constraint built (positional()): copies of the
     * query it returned and of the AND it filters. */
    ns__xq *last_pos;
    ns__xq *last_and;
    ns__qverify *last_verify;
    int keep_stops; /* search stop words too (is_stop()) */
    int may_drop;   /* the node built is a clause of a plain sequence */
    int dropped;    /* a stop word was left out */
} parser;

static void
oom(parser *ps)
{
    if (ps->st == NS_OK)
        ps->st = NS_ERR_NOMEM;
}

/* Add a note (once) saying how a malformed query was read. */
static void note(parser *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(parser *ps, const char *fmt, ...)
{
    ns_buf b = { 0 };
    va_list ap;
    va_start(ap, fmt);
    ns__buf_vprintf(&b, fmt, ap);
    va_end(ap);
    const char *m = ns__buf_cstr(&b);
    if (!b.oom && !strstr(ns__buf_cstr(&ps->note), m)) {
        if (ps->note.len)
            ns__buf_puts(&ps->note, "; ");
        ns__buf_puts(&ps->note, m);
    }
    if (b.oom || ps->note.oom)
        oom(ps);
    ns__buf_free(&b);
}

static node *
new_node(parser *ps, nkind kind)
{
    if (ps->st != NS_OK)
        return NULL;
    node *n = ns__calloc(1, sizeof *n);
    if (!n || ns__grow((void **)&ps->nodes, &ps->cap_nodes, ps->n_nodes,
                   sizeof *ps->nodes) != 0) {
        ns_free(n);
        oom(ps);
        return NULL;
    }
    ps->nodes[ps->n_nodes++] = n;
    n->kind = kind;
    return n;
}

static void
add_kid(parser *ps, node *parent, node *kid)
{
    if (!parent || !kid)
        return;
    if (ns__grow((void **)&parent->kids, &parent->cap_kids, parent->n_kids,
             sizeof *parent->kids) != 0) {
        oom(ps);
        return;
    }
    parent->kids[parent->n_kids++] = kid;
}

/* ---- the lexer ---------------------------------------------------------- */

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Bytes of a quote mark at p: " or the typographic U+201C, U+201D. */
static size_t
quote_len(const char *p)
{
    if (*p == '"')
        return 1;
    if ((unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80 &&
        ((unsigned char)p[2] == 0x9C || (unsigned char)p[2] == 0x9D))
        return 3;
    return 0;
}

/* Ends a word: white space, a quote or a parenthesis. */
static int
word_end(const char *p)
{
    return !*p || is_space(*p) || *p == '(' || *p == ')' || quote_len(p);
}

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int
ns__query_date_key(const char *d, size_t len, char pad, char out[15])
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = d[i];
        if (is_digit(c)) {
            if (n == 14)
                return -1;
            out[n++] = c;
        } else if (c != '-' && c != ':' && c != 'T' && c != 'Z' && c != ' ') {
            return -1;
        }
    }
    if (n < 4 || n % 2)
        return -1;
    if (n >= 6) {
        int month = (out[4] - '0') * 10 + (out[5] - '0');
        if (month < 1 || month > 12)
            return -1;
    }
    if (n >= 8) {
        static const int mdays[12] = { 31, 29, 31, 30, 31, 30,
                                       31, 31, 30, 31, 30, 31 };
        int year = (out[0] - '0') * 1000 + (out[1] - '0') * 100 +
                   (out[2] - '0') * 10 + (out[3] - '0');
        int month = (out[4] - '0') * 10 + (out[5] - '0');
        int day = (out[6] - '0') * 10 + (out[7] - '0');
        int leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        if (day < 1 || day > mdays[month - 1] ||
            (month == 2 && day == 29 && !leap))
            return -1;
    }
    while (n < 14)
        out[n++] = pad;
    out[14] = '\0';
    return 0;
}

/* Read `date:` value s[0,n) into t->lo, t->hi.  0, or -1 if it is none. */
static int
lex_date(parser *ps, tok *t, const char *s, size_t n)
{
    const char *dots = NULL;
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == '.' && s[i + 1] == '.') {
            dots = s + i;
            break;
        }
    t->lo[0] = t->hi[0] = '\0';
    if (!dots)
        return ns__query_date_key(s, n, '0', t->lo) == 0 &&
                       ns__query_date_key(s, n, '9', t->hi) == 0
                   ? 0
                   : -1;
    const char *b = dots + 2;
    size_t na = (size_t)(dots - s), nb = n - na - 2;
    if (na == 0 && nb == 0)
        return -1;
    if (na && ns__query_date_key(s, na, '0', t->lo) != 0)
        return -1;
    if (nb && ns__query_date_key(b, nb, '9', t->hi) != 0)
        return -1;
    if (na && nb && strcmp(t->lo, t->hi) > 0) {
        note(ps, "a date range from later to earlier: read the other way");
        ns__query_date_key(b, nb, '0', t->lo);
        ns__query_date_key(s, na, '9', t->hi);
    }
    return 0;
}

/* An operator word: AND, OR, NOT, NEAR[/n], ADJ[/n].  1 if it is one. */
static int
lex_operator(tok *t, const char *s, size_t n)
{
    if (n == 3 && memcmp(s, "AND", 3) == 0) {
        t->kind = T_AND;
        return 1;
    }
    if (n == 2 && memcmp(s, "OR", 2) == 0) {
        t->kind = T_OR;
        return 1;
    }
    if (n == 3 && memcmp(s, "NOT", 3) == 0) {
        t->kind = T_NOT;
        return 1;
    }
    size_t k;
    if (n >= 4 && memcmp(s, "NEAR", 4) == 0)
        k = 4;
    else if (n >= 3 && memcmp(s, "ADJ", 3) == 0)
        k = 3;
    else
        return 0;
    unsigned w = 10;
    if (k < n) {
        if (s[k] != '/' || k + 1 == n || n - k - 1 > 2)
            return 0;
        w = 0;
        for (size_t i = k + 1; i < n; i++) {
            if (!is_digit(s[i]))
                return 0;
            w = w * 10 + (unsigned)(s[i] - '0');
        }
    }
    t->kind = T_NEAR;
    t->window = w;
    t->ordered = k == 3;
    return 1;
}

/* A known field name and its colon at p, followed by a value: the field,
 * with *after just past the colon; -2 for a known name with no value
 * (`date:` at the end); -1 otherwise. */
static int
lex_field(const char *p, const char **after)
{
    size_t n = 0;
    while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z'))
        n++;
    if (n == 0 || p[n] != ':')
        return -1;
    char v = p[n + 1];
    int no_value = !v || is_space(v) || v == ')';
    for (size_t i = 0; i < sizeof field_names / sizeof field_names[0]; i++) {
        const char *name = field_names[i].name;
        if (strlen(name) != n)
            continue;
        size_t k = 0;
        while (k < n && (p[k] | 0x20) == name[k])
            k++;
        if (k == n) {
            *after = p + n + 1;
            return no_value ? -2 : field_names[i].field;
        }
    }
    return -1;
}

/* Read the next token into ps->cur. */
static void
lex(parser *ps)
{
    tok *t = &ps->cur;
    const char *p = ps->p;
    memset(t, 0, sizeof *t);
    while (is_space(*p))
        p++;
    if (!*p) {
        t->kind = T_END;
        ps->p = p;
        return;
    }
    const char *start = p;
    if ((*p == '+' || *p == '-') && p[1] && !is_space(p[1]) && p[1] != ')') {
        t->mod = *p;
        p++;
    }
    const char *after;
    int field = quote_len(p) || *p == '(' ? -1 : lex_field(p, &after);
    if (field == -2)
        note(ps, "'%.*s' has no value: searched as a word",
             (int)(after - start), start);
    if (field >= 0) {
        t->field = field;
        p = after;
        if (field == F_DATE && (quote_len(p) || *p == '(')) {
            /* A date is one value: read the name as a word. */
            t->field = F_BODY;
            p = start + (t->mod != 0);
            field = -1;
        }
    }
    size_t ql = quote_len(p);
    if (ql) {
        const char *s = p + ql, *e = s;
        while (*e && !quote_len(e))
            e++;
        t->kind = T_PHRASE;
        t->s = s;
        t->n = (size_t)(e - s);
        if (*e)
            p = e + quote_len(e);
        else {
            p = e;
            note(ps, "unbalanced quote: read as closed at the end of the "
                     "query");
        }
        ps->p = p;
        return;
    }
    if (*p == '(') {
        t->kind = T_LPAREN;
        ps->p = p + 1;
        return;
    }
    if (*p == ')') {
        t->kind = T_RPAREN;
        t->mod = 0;
        ps->p = p + 1;
        return;
    }
    const char *s = p;
    while (!word_end(p))
        p++;
    ps->p = p;
    t->kind = T_WORD;
    t->s = s;
    t->n = (size_t)(p - s);
    if (!t->mod && t->field == F_BODY && lex_operator(t, s, t->n))
        return;
    if (t->field == F_DATE) {
        if (lex_date(ps, t, s, t->n) == 0)
            return;
        note(ps, "'%.*s' is not a date (YYYY, YYYY-MM, YYYY-MM-DD or a "
                 "range FROM..TO): searched as words",
             (int)(p - start), start);
        t->field = F_BODY;
        t->s = start + (t->mod != 0);
        t->n = (size_t)(p - t->s);
        return;
    }
    while (t->n > 0 && t->s[t->n - 1] == '*') {
        t->n--;
        t->star = 1;
    }
}

/* ---- the parser --------------------------------------------------------- */

static node *parse_list(parser *ps, int field, int depth);

static int
starts_operand(const tok *t)
{
    return t->kind == T_WORD || t->kind == T_PHRASE || t->kind == T_LPAREN ||
           t->kind == T_NOT;
}

static const char *
op_name(const tok *t)
{
    switch (t->kind) {
    case T_AND:
        return "AND";
    case T_OR:
        return "OR";
    case T_NOT:
        return "NOT";
    case T_NEAR:
        return t->ordered ? "ADJ" : "NEAR";
    default:
        return "operator";
    }
}

static node *
parse_primary(parser *ps, int field, int depth)
{
    tok t = ps->cur;
    int f = t.field != F_BODY ? t.field : field;
    node *n;
    if (t.kind == T_LPAREN) {
        lex(ps);
        if (depth >= NS_QUERY_MAX_DEPTH) {
            note(ps, "parentheses nested too deep: read as plain text");
            return NULL;
        }
        n = parse_list(ps, f, depth + 1);
        if (ps->cur.kind == T_RPAREN)
            lex(ps);
        else
            note(ps, "missing ')': read as closed at the end of the query");
        if (!n || n->n_kids == 0)
            return NULL;
        if (n->n_kids == 1 && !(t.mod && n->kids[0]->mod)) {
            /* One clause in parentheses is that clause. */
            node *k = n->kids[0];
            if (t.mod)
                k->mod = t.mod;
            return k;
        }
        n->mod = t.mod;
        return n;
    }
    lex(ps);
    if (t.kind != T_WORD && t.kind != T_PHRASE)
        return NULL;
    if (f == F_DATE) {
        n = new_node(ps, N_DATE);
        if (n) {
            memcpy(n->lo, t.lo, sizeof n->lo);
            memcpy(n->hi, t.hi, sizeof n->hi);
        }
    } else if (f == F_SOURCE || f == F_AUTHOR || f == F_SITE) {
        n = new_node(ps, N_BOOL);
    } else if (t.star && t.kind == T_WORD) {
        n = new_node(ps, N_PREFIX);
    } else {
        n = new_node(ps, N_TERMS);
        if (n)
            n->phrase = t.kind == T_PHRASE;
    }
    if (n) {
        n->mod = t.mod;
        n->field = f;
        n->s = t.s;
        n->n = t.n;
    }
    return n;
}

static node *
parse_unary(parser *ps, int field, int depth)
{
    int neg = 0;
    while (ps->cur.kind == T_NOT) {
        lex(ps);
        neg = 1;
    }
    if (neg && !starts_operand(&ps->cur)) {
        note(ps, "ignored a stray NOT");
        return NULL;
    }
    node *n = parse_primary(ps, field, depth);
    if (n && neg)
        n->mod = '-';
    return n;
}

/* Join a and b under an operator node of kind (extending a when a is one
 * already, with the same window). */
static node *
join(parser *ps, nkind kind, node *a, node *b, const tok *op)
{
    if (!a)
        return b;
    if (!b)
        return a;
    if (a->kind != kind || a->mod ||
        (kind == N_NEAR &&
         (a->window != op->window || a->ordered != op->ordered))) {
        node *n = new_node(ps, kind);
        if (!n)
            return a;
        if (kind == N_NEAR) {
            n->window = op->window;
            n->ordered = op->ordered;
        }
        add_kid(ps, n, a);
        a = n;
    }
    add_kid(ps, a, b);
    return a;
}

static node *
parse_near(parser *ps, int field, int depth)
{
    node *a = parse_unary(ps, field, depth);
    while (ps->st == NS_OK && ps->cur.kind == T_NEAR) {
        tok op = ps->cur;
        lex(ps);
        if (!starts_operand(&ps->cur) || ps->cur.kind == T_NOT || !a) {
            note(ps, "ignored a stray %s", op_name(&op));
            continue;
        }
        a = join(ps, N_NEAR, a, parse_unary(ps, field, depth), &op);
    }
    return a;
}

static node *
parse_and(parser *ps, int field, int depth)
{
    node *a = parse_near(ps, field, depth);
    while (ps->st == NS_OK && ps->cur.kind == T_AND) {
        tok op = ps->cur;
        lex(ps);
        if (!starts_operand(&ps->cur) || !a) {
            note(ps, "ignored a stray AND");
            continue;
        }
        a = join(ps, N_AND, a, parse_near(ps, field, depth), &op);
    }
    return a;
}

static node *
parse_or(parser *ps, int field, int depth)
{
    node *a = parse_and(ps, field, depth);
    while (ps->st == NS_OK && ps->cur.kind == T_OR) {
        tok op = ps->cur;
        lex(ps);
        if (!starts_operand(&ps->cur) || !a) {
            note(ps, "ignored a stray OR");
            continue;
        }
        a = join(ps, N_OR, a, parse_and(ps, field, depth), &op);
    }
    return a;
}

/* Clauses up to a ')' (inside parentheses) or the end. */
static node *
parse_list(parser *ps, int field, int depth)
{
    node *list = new_node(ps, N_LIST);
    while (ps->st == NS_OK && ps->cur.kind != T_END) {
        tok *t = &ps->cur;
        if (t->kind == T_RPAREN) {
            if (depth > 0)
                break;
            note(ps, "ignored an unmatched ')'");
            lex(ps);
            continue;
        }
        if (!starts_operand(t)) {
            note(ps, "ignored a stray %s", op_name(t));
            lex(ps);
            continue;
        }
        add_kid(ps, list, parse_or(ps, field, depth));
    }
    return list;
}

/* ---- analysis of a span ------------------------------------------------- */

static int
on_token(const ns_token *t, void *payload)
{
    parser *ps = payload;
    if (ps->n_words >= NS_QUERY_MAX_WORDS) {
        ps->capped = 1;
        return 0;
    }
    ps->n_words++;
    if (ns__grow((void **)&ps->toks, &ps->cap_toks, ps->n_toks,
             sizeof *ps->toks) != 0) {
        oom(ps);
        return 1;
    }
    qtok *q = &ps->toks[ps->n_toks++];
    q->term = ps->strs.len;
    q->term_len = t->term_len;
    ns__buf_append(&ps->strs, t->term, t->term_len + 1);
    q->word = ps->strs.len;
    q->word_len = t->word_len;
    ns__buf_append(&ps->strs, t->word, t->word_len + 1);
    q->start = t->start;
    q->end = t->end;
    q->pos = t->pos;
    q->flags = t->flags;
    if (ps->strs.oom) {
        oom(ps);
        return 1;
    }
    return 0;
}

/* Analyze s[0,n) into ps->toks (mode NS_ANALYZE_*). */
static void
analyze(parser *ps, const char *s, size_t n, unsigned mode)
{
    ps->n_toks = 0;
    ns__buf_reset(&ps->strs);
    if (ps->st != NS_OK)
        return;
    ns_status st = ns__analyzer_run(ps->db->analyzer, s, n, 0, mode,
                                    on_token, ps, NULL);
    if (st != NS_OK && ps->st == NS_OK)
        ps->st = st;
}

static const char *
tok_term(const parser *ps, const qtok *t)
{
    return ps->strs.data + t->term;
}

static const char *
tok_word(const parser *ps, const qtok *t)
{
    return ps->strs.data + t->word;
}

/* Whether the toks of written[0, n), a plain word of the query, are all
 * stop words it does not search (ns__analyzer_is_stopword): unless the
 * query has no other word to rank by (ns__query_parse asks again), or the
 * word is written in capitals (`WHO`, `IT`: a name). */
static int
is_stop(parser *ps, const qtok *toks, size_t n_toks, const char *written,
        size_t n)
{
    if (ps->keep_stops || n_toks == 0)
        return 0;
    for (size_t i = 0; i < n_toks; i++)
        if (!ns__analyzer_is_stopword(ps->db->analyzer,
                                      tok_word(ps, &toks[i]),
                                      toks[i].word_len))
            return 0;
    size_t upper = 0, lower = 0;
    for (size_t i = 0; i < n; i++) {
        upper += written[i] >= 'A' && written[i] <= 'Z';
        lower += written[i] >= 'a' && written[i] <= 'z';
    }
    /* AND, OR, NOT in capitals are operators, or prose in plain text. */
    if ((n == 3 && (memcmp(written, "AND", 3) == 0 ||
                    memcmp(written, "NOT", 3) == 0)) ||
        (n == 2 && memcmp(written, "OR", 2) == 0))
        return 1;
    return !(upper >= 2 && lower == 0);
}

/* ---- what the highlighter and the suggester keep ------------------------ */

static void
hl_term(parser *ps, const char *text, size_t len, int prefix, int phrase)
{
    ns__query *q = ps->q;
    if (ps->st != NS_OK)
        return;
    for (size_t i = 0; phrase < 0 && i < q->n_terms; i++)
        if (q->terms[i].phrase < 0 && q->terms[i].prefix == prefix &&
            strlen(q->terms[i].text) == len &&
            memcmp(q->terms[i].text, text, len) == 0)
            return;
    ns__qterm *a = ns__realloc(q->terms, (q->n_terms + 1) * sizeof *a);
    if (!a) {
        oom(ps);
        return;
    }
    q->terms = a;
    a[q->n_terms].text = ns__strndup(text, len);
    a[q->n_terms].prefix = prefix;
    a[q->n_terms].phrase = phrase;
    if (!a[q->n_terms].text) {
        oom(ps);
        return;
    }
    q->n_terms++;
}

/* Terms toks[from, to) as a phrase to highlight. */
static void
hl_phrase(parser *ps, size_t from, size_t to)
{
    ns__query *q = ps->q;
    if (ps->st != NS_OK)
        return;
    ns__qphrase *a = ns__realloc(q->phrases, (q->n_phrases + 1) * sizeof *a);
    if (!a) {
        oom(ps);
        return;
    }
    q->phrases = a;
    a[q->n_phrases].first = q->n_terms;
    a[q->n_phrases].n = to - from;
    int idx = (int)q->n_phrases++;
    for (size_t i = from; i < to; i++)
        hl_term(ps, tok_term(ps, &ps->toks[i]), ps->toks[i].term_len, 0, idx);
}

static void
hl_excluded(parser *ps, const char *text, size_t len)
{
    ns__query *q = ps->q;
    if (ps->st != NS_OK)
        return;
    char **a = ns__realloc(q->excluded, (q->n_excluded + 1) * sizeof *a);
    if (!a) {
        oom(ps);
        return;
    }
    q->excluded = a;
    if (!(a[q->n_excluded] = ns__strndup(text, len))) {
        oom(ps);
        return;
    }
    q->n_excluded++;
}

/* A plain word of the query at text offset off (spelling). */
static void
add_qword(parser *ps, const qtok *t, size_t off)
{
    ns__query *q = ps->q;
    if (ps->st != NS_OK)
        return;
    ns__qword *a = ns__realloc(q->words, (q->n_words + 1) * sizeof *a);
    if (!a) {
        oom(ps);
        return;
    }
    q->words = a;
    ns__qword *w = &a[q->n_words];
    w->start = off + t->start;
    w->end = off + t->end;
    w->term = ns__strndup(tok_term(ps, t), t->term_len);
    w->word = ns__strndup(tok_word(ps, t), t->word_len);
    q->n_words++;
    if (!w->term || !w->word)
        oom(ps);
}

/* ---- building ----------------------------------------------------------- */

typedef struct built {
    ns__xq *q;    /* NULL: nothing to search for */
    int filter;   /* no weight: a filter, or every article */
    unsigned key; /* filters with the same key are ORed */
} built;

static ns__xq *
checked(parser *ps, ns__xq *x)
{
    if (!x)
        oom(ps);
    return x;
}

static const char *
field_prefix(int field)
{
    return field == F_TITLE ? NS_PREFIX_TITLE : "";
}

/* The term query of toks[i] under field's prefix. */
static ns__xq *
term_query(parser *ps, const qtok *t, int field, unsigned wqf)
{
    ns_buf *b = &ps->scratch;
    ns__buf_reset(b);
    ns__buf_puts(b, field_prefix(field));
    ns__buf_append(b, tok_term(ps, t), t->term_len);
    if (b->oom) {
        oom(ps);
        return NULL;
    }
    return checked(ps, ns__xq_term(b->data, b->len, wqf, t->pos));
}

/*
 * The term queries v[0, n) (taken) of terms[0, n) in field, within window
 * positions, in order when ordered (a phrase, ADJ) or not (NEAR).  An
 * index that keeps word positions in Xapian's table (schema.h; a sharded
 * index with a remote shard, whose shards keep them because
 * xapian-tcpsrv runs no nsearch code) gets Xapian's own positional
 * operator.  Otherwise (position maps, or no positions): the AND of the
 * terms (their BM25 weights rank) filtered by the constraint, checked on
 * the position maps or the stored text of the articles the AND matches
 * (verify.c).
 */
static ns__xq *
positional(parser *ps, ns__xq **v, const char *const *terms,
           const char *const *words, size_t n, unsigned window, int ordered,
           int field)
{
    if (ns__shards_has_remote(ps->db)) {
        const char *bare = ns__shards_without_positions(ps->db);
        if (bare && ps->st == NS_OK) {
            /* Xapian would match its words anywhere (an AND). */
            ns__db_errorf(ps->db,
                          "shard %s has no word positions, which phrases, "
                          "NEAR and ADJ need in an index with remote "
                          "shards: write it with 'nsearch index --shard'",
                          bare);
            ps->st = NS_ERR_INDEX_VERSION;
        }
        return checked(ps, ns__xq_combine(ordered ? NS_XQ_PHRASE : NS_XQ_NEAR,
                                          v, n, window));
    }
    if (ns__db_positions(ps->db))
        return checked(ps, ns__xq_combine(ordered ? NS_XQ_PHRASE : NS_XQ_NEAR,
                                          v, n, window));
    ns__qverify *c = ns__qverify_add(ps->q, ps->db, terms, words, n, window,
                                     ordered, field == F_TITLE);
    ns__xq *all = ns__xq_combine(NS_XQ_AND, v, n, 0);
    if (!c) {
        ns__xq_free(all);
        return checked(ps, NULL);
    }
    ns__xq_free(ps->last_and);
    ps->last_and = ns__xq_clone(all);
    ps->last_verify = c;
    ns__xq *parts[2] = { all, ns__xq_verify(ns__qverify_cb, c, c->desc) };
    ns__xq *x = checked(ps, ns__xq_combine(NS_XQ_FILTER, parts, 2, 0));
    ns__xq_free(ps->last_pos);
    ps->last_pos = ns__xq_clone(x);
    return x;
}

/* toks[from, to) as one query: a term, or a phrase of them. */
static ns__xq *
run_query(parser *ps, size_t from, size_t to, int field)
{
    if (to - from == 1)
        return term_query(ps, &ps->toks[from], field, 1);
    ns__xq **v = ns__calloc(to - from, sizeof *v);
    const char **terms = ns__calloc(to - from, sizeof *terms);
    const char **words = ns__calloc(to - from, sizeof *words);
    if (!v || !terms || !words) {
        ns_free(v);
        ns_free(terms);
        ns_free(words);
        oom(ps);
        return NULL;
    }
    for (size_t i = from; i < to; i++) {
        v[i - from] = term_query(ps, &ps->toks[i], field, 1);
        terms[i - from] = tok_term(ps, &ps->toks[i]);
        words[i - from] = tok_word(ps, &ps->toks[i]);
    }
    ns__xq *x = positional(ps, v, terms, words, to - from,
                           (unsigned)(to - from), 1, field);
    ns_free(v);
    ns_free(terms);
    ns_free(words);
    return x;
}

/* Register the analyzed toks of a word or phrase for highlighting (and, for
 * a plain word, for spelling), then return its query: a phrase when
 * quoted, else its runs of hyphen-joined parts (each a term or a phrase),
 * ORed. */
static ns__xq *
terms_query(parser *ps, const node *n, int neg)
{
    int body = n->field == F_BODY;
    size_t off = (size_t)(n->s - ps->text);
    ns__xq **runs = ns__calloc(ps->n_toks ? ps->n_toks : 1, sizeof *runs);
    size_t n_runs = 0;
    if (!runs) {
        oom(ps);
        return NULL;
    }
    for (size_t i = 0; i < ps->n_toks;) {
        size_t j = i + 1;
        while (j < ps->n_toks &&
               (n->phrase || (ps->toks[j].flags & NS_TOKEN_JOINED)))
            j++;
        if (body && neg) {
            /* An excluded word is never marked, even if searched too; an
             * excluded phrase's words may be marked elsewhere. */
            if (j - i == 1)
                hl_excluded(ps, tok_term(ps, &ps->toks[i]),
                            ps->toks[i].term_len);
        } else if (body && j - i > 1) {
            hl_phrase(ps, i, j);
        } else if (body) {
            hl_term(ps, tok_term(ps, &ps->toks[i]), ps->toks[i].term_len, 0,
                    -1);
            if (!n->phrase) /* a quoted word is meant as written */
                add_qword(ps, &ps->toks[i], off);
        }
        runs[n_runs++] = run_query(ps, i, j, n->field);
        i = j;
    }
    ns__xq *x = NULL;
    if (n_runs == 1)
        x = runs[0];
    else if (n_runs > 1)
        x = checked(ps, ns__xq_combine(NS_XQ_OR, runs, n_runs, 0));
    ns_free(runs);
    return x;
}

static built
build_terms(parser *ps, const node *n, int neg)
{
    built b = { 0 };
    size_t n_words = ps->n_words;
    int capped = ps->capped;
    analyze(ps, n->s, n->n, NS_ANALYZE_QUERY);
    if (ps->may_drop && !n->phrase && n->field == F_BODY &&
        is_stop(ps, ps->toks, ps->n_toks, n->s, n->n)) {
        /* Left out: no word counted against NS_QUERY_MAX_WORDS. */
        ps->n_words = n_words;
        ps->capped = capped;
        ps->dropped = 1;
        return b;
    }
    if (ps->n_toks)
        b.q = terms_query(ps, n, neg);
    return b;
}

/* word*: see the top of the file. */
static built
build_prefix(parser *ps, const node *n, int neg)
{
    built b = { 0 };
    analyze(ps, n->s, n->n, NS_ANALYZE_QUERY);
    if (ps->n_toks == 0 || ps->st != NS_OK)
        return b;
    /* The parts before the last one (`al-ass*`) are plain words. */
    ns__xq *head = NULL;
    qtok last = ps->toks[ps->n_toks - 1];
    if (ps->n_toks > 1) {
        node h = *n;
        h.n = last.start;
        h.phrase = 0;
        ps->n_toks--;
        head = terms_query(ps, &h, neg);
    }
    const char *word = tok_word(ps, &last), *stem = tok_term(ps, &last);
    const char *pfx = field_prefix(n->field);
    size_t wl = last.word_len, sl = last.term_len;
    ns__xq *subs[8];
    size_t n_subs = 0;
    ns_buf *t = &ps->scratch;
    ns__buf_reset(t);
    ns__buf_printf(t, "%s%s", pfx, word);
    if (t->oom) {
        oom(ps);
        ns__xq_free(head);
        return b;
    }
    subs[n_subs++] =
        checked(ps, ns__xq_wildcard_in(ps->db->x, t->data,
                                       NS_QUERY_MAX_EXPANSION));
    int stem_too = (sl != wl || memcmp(stem, word, wl) != 0) &&
                   sl + 1 >= wl && sl >= 2 &&
                   memcmp(stem, word, wl - 1) == 0;
    if (stem_too) {
        ns__buf_reset(t);
        ns__buf_printf(t, "%s%s", pfx, stem);
        subs[n_subs++] =
            checked(ps, ns__xq_wildcard_in(ps->db->x, t->data,
                                           NS_QUERY_MAX_EXPANSION));
    }
    /* The stems of longer forms: prefixes of the word, 1 to 3 bytes
     * shorter (at least 3), that are terms of the index. */
    for (size_t l = wl - 1; l + 3 >= wl && l >= 3 && n_subs < 8; l--) {
        if (((unsigned char)word[l] & 0xC0) == 0x80)
            continue; /* not on a character boundary */
        ns__buf_reset(t);
        ns__buf_puts(t, pfx);
        ns__buf_append(t, word, l);
        uint64_t freq = 0;
        if (t->oom ||
            ns__xdb_termfreq(ps->db->x, ns__buf_cstr(t), &freq) != NS_OK) {
            oom(ps);
            break;
        }
        if (freq)
            subs[n_subs++] = checked(ps, ns__xq_term(t->data, t->len, 1, 0));
    }
    ns__xq *x = ns__xq_combine(NS_XQ_SYNONYM, subs, n_subs, 0);
    if (!x)
        oom(ps);
    if (n->field == F_BODY && !neg) {
        hl_term(ps, word, wl, 1, -1);
        if (stem_too)
            hl_term(ps, stem, sl, 1, -1);
    }
    if (head && x) {
        ns__xq *both[2] = { head, x };
        x = checked(ps, ns__xq_combine(NS_XQ_AND, both, 2, 0));
    } else {
        ns__xq_free(head);
    }
    b.q = x;
    return b;
}

/* The host of a site: or url: value: no scheme, user, port or path, in
 * lower case, without a leading "www.". */
static void
site_host(const char *s, size_t n, ns_buf *out)
{
    const char *e = s + n;
    for (const char *p = s; p + 2 < e; p++)
        if (p[0] == ':' && p[1] == '/' && p[2] == '/') {
            s = p + 3;
            break;
        }
    const char *h = s;
    while (h < e && *h != '/' && *h != '?' && *h != '#')
        h++;
    e = h;
    for (const char *p = s; p < e; p++)
        if (*p == '@')
            s = p + 1;
    for (const char *p = s; p < e; p++)
        if (*p == ':') {
            e = p;
            break;
        }
    if (e - s > 4 && (s[0] | 0x20) == 'w' && (s[1] | 0x20) == 'w' &&
        (s[2] | 0x20) == 'w' && s[3] == '.')
        s += 4;
    while (e > s && e[-1] == '.')
        e--;
    for (const char *p = s; p < e; p++)
        ns__buf_putc(out, (*p >= 'A' && *p <= 'Z') ? (char)(*p | 0x20) : *p);
}

/* source:, author:, site:: boolean terms, ANDed (every word of the value). */
static built
build_bool(parser *ps, const node *n)
{
    built b = { 0 };
    b.filter = 1;
    b.key = (unsigned)n->field;
    ns_buf *t = &ps->scratch;
    if (n->field == F_SITE) {
        ns__buf_reset(t);
        ns__buf_puts(t, NS_PREFIX_HOST);
        site_host(n->s, n->n, t);
        if (t->oom)
            oom(ps);
        else if (t->len > 1)
            b.q = checked(ps, ns__xq_term(t->data, t->len, 1, 0));
        return b;
    }
    const char *pfx = n->field == F_AUTHOR ? NS_PREFIX_AUTHOR
                                           : NS_PREFIX_SOURCE;
    analyze(ps, n->s, n->n, NS_ANALYZE_NOSTEM);
    if (ps->n_toks == 0 || ps->st != NS_OK)
        return b;
    ns__xq **v = ns__calloc(ps->n_toks, sizeof *v);
    if (!v) {
        oom(ps);
        return b;
    }
    for (size_t i = 0; i < ps->n_toks; i++) {
        ns__buf_reset(t);
        ns__buf_puts(t, pfx);
        ns__buf_append(t, tok_word(ps, &ps->toks[i]), ps->toks[i].word_len);
        v[i] = t->oom ? NULL : ns__xq_term(t->data, t->len, 1, 0);
    }
    b.q = checked(ps, ns__xq_combine(NS_XQ_AND, v, ps->n_toks, 0));
    ns_free(v);
    return b;
}

static built
build_date(parser *ps, const node *n)
{
    built b = { 0 };
    b.filter = 1;
    b.key = F_DATE;
    b.q = checked(ps, ns__xq_value_range(NS_SLOT_DATE, n->lo[0] ? n->lo : NULL,
                                         n->hi[0] ? n->hi : NULL));
    return b;
}

static built build(parser *ps, const node *n, int neg);

/* Every article, with no weight (a query of exclusions only). */
static ns__xq *
match_all(parser *ps)
{
    return checked(ps, ns__xq_scale(ns__xq_match_all(), 0));
}

/* Push x on a growing array of queries. */
static void
push(parser *ps, ns__xq ***v, size_t *n, size_t *cap, ns__xq *x)
{
    if (!x)
        return;
    if (ns__grow((void **)v, cap, *n, sizeof **v) != 0) {
        ns__xq_free(x);
        oom(ps);
        return;
    }
    (*v)[(*n)++] = x;
}

/* a op b; either may be NULL after a failure (both are freed then). */
static ns__xq *
pair(parser *ps, ns__xq_op op, ns__xq *a, ns__xq *b)
{
    ns__xq *two[2] = { a, b };
    return checked(ps, ns__xq_combine(op, two, 2, 0));
}

static ns__xq *
combine(parser *ps, ns__xq_op op, ns__xq **v, size_t n)
{
    if (n == 0)
        return NULL;
    return checked(ps, ns__xq_combine(op, v, n, 0));
}

/*
 * Clauses (a list, or the operands of AND when all_required): required ones
 * ANDed, optional ones ORed (ranking only when some are required), filters
 * ORed by field and the fields ANDed, excluded ones taken away.
 */
static built
build_clauses(parser *ps, const node *n, int neg, int all_required)
{
    built r = { 0 };
    ns__xq **req = NULL, **opt = NULL, **excl = NULL;
    size_t n_req = 0, n_opt = 0, n_excl = 0, c_req = 0, c_opt = 0,
           c_excl = 0;
    /* Filters by key: keys[i] and its queries. */
    struct fgroup {
        unsigned key;
        ns__xq **v;
        size_t n, cap;
    } *groups = NULL;
    size_t n_groups = 0, c_groups = 0;

    for (size_t i = 0; i < n->n_kids && ps->st == NS_OK; i++) {
        const node *k = n->kids[i];
        /* A plain word of a sequence that is a stop word is left out
         * (build_terms). */
        ps->may_drop = k->kind == N_TERMS && !all_required && !neg &&
                       !k->mod;
        built b = build(ps, k, neg || k->mod == '-');
        ps->may_drop = 0;
        if (!b.q)
            continue;
        if (k->mod == '-') {
            push(ps, &excl, &n_excl, &c_excl, b.q);
        } else if (b.filter) {
            size_t g = 0;
            while (g < n_groups && groups[g].key != b.key)
                g++;
            if (g == n_groups) {
                if (ns__grow((void **)&groups, &c_groups, n_groups,
                         sizeof *groups) != 0) {
                    ns__xq_free(b.q);
                    oom(ps);
                    break;
                }
                memset(&groups[g], 0, sizeof groups[g]);
                groups[g].key = b.key;
                n_groups++;
            }
            push(ps, &groups[g].v, &groups[g].n, &groups[g].cap, b.q);
        } else if (k->mod == '+' || all_required || k->kind == N_AND) {
            push(ps, &req, &n_req, &c_req, b.q);
        } else {
            push(ps, &opt, &n_opt, &c_opt, b.q);
        }
    }

    ns__xq *main = NULL, *filter = NULL, *x;
    if (n_req && n_opt) {
        main = pair(ps, NS_XQ_AND_MAYBE, combine(ps, NS_XQ_AND, req, n_req),
                    combine(ps, NS_XQ_OR, opt, n_opt));
    } else if (n_req) {
        main = combine(ps, NS_XQ_AND, req, n_req);
    } else if (n_opt) {
        main = combine(ps, NS_XQ_OR, opt, n_opt);
    }
    n_req = n_opt = 0;
    if (n_groups) {
        ns__xq **f = ns__calloc(n_groups, sizeof *f);
        if (!f)
            oom(ps);
        for (size_t g = 0; g < n_groups; g++) {
            x = combine(ps, NS_XQ_OR, groups[g].v, groups[g].n);
            groups[g].n = 0;
            if (f)
                f[g] = x;
            else
                ns__xq_free(x);
        }
        if (f)
            filter = combine(ps, NS_XQ_AND, f, n_groups);
        ns_free(f);
    }
    if (main && filter) {
        x = pair(ps, NS_XQ_FILTER, main, filter);
    } else if (main) {
        x = main;
    } else if (filter) {
        x = filter;
        r.filter = 1;
        r.key = n_groups == 1 ? groups[0].key : 100 + ps->filter_group++;
    } else if (n_excl) {
        x = match_all(ps);
        r.filter = 1;
        r.key = 100 + ps->filter_group++;
    } else {
        x = NULL;
    }
    if (x && n_excl) {
        x = pair(ps, NS_XQ_AND_NOT, x, combine(ps, NS_XQ_OR, excl, n_excl));
        n_excl = 0;
    }
    r.q = ps->st == NS_OK ? x : (ns__xq_free(x), NULL);

    for (size_t i = 0; i < n_req; i++)
        ns__xq_free(req[i]);
    for (size_t i = 0; i < n_opt; i++)
        ns__xq_free(opt[i]);
    for (size_t i = 0; i < n_excl; i++)
        ns__xq_free(excl[i]);
    for (size_t g = 0; g < n_groups; g++) {
        for (size_t i = 0; i < groups[g].n; i++)
            ns__xq_free(groups[g].v[i]);
        ns_free(groups[g].v);
    }
    ns_free(groups);
    ns_free(req);
    ns_free(opt);
    ns_free(excl);
    return r;
}

static built
build_or(parser *ps, const node *n, int neg)
{
    built r = { 0 };
    ns__xq **v = NULL;
    size_t nv = 0, cap = 0;
    int all_filters = 1;
    for (size_t i = 0; i < n->n_kids && ps->st == NS_OK; i++) {
        const node *k = n->kids[i];
        built b = build(ps, k, neg || k->mod == '-');
        if (!b.q)
            continue;
        if (k->mod == '-') {
            /* `a OR -b`: a, or any article without b. */
            b.q = pair(ps, NS_XQ_AND_NOT, match_all(ps), b.q);
            b.filter = 1;
        }
        all_filters &= b.filter;
        push(ps, &v, &nv, &cap, b.q);
    }
    r.q = combine(ps, NS_XQ_OR, v, nv);
    if (r.q && all_filters) {
        r.filter = 1;
        r.key = 100 + ps->filter_group++;
    }
    ns_free(v);
    return r;
}

/* NEAR/ADJ of words and phrases of one field; anything else is read as
 * AND. */
static built
build_near(parser *ps, const node *n, int neg)
{
    int field = n->kids[0]->field;
    for (size_t i = 0; i < n->n_kids; i++) {
        const node *k = n->kids[i];
        if (k->kind != N_TERMS || k->mod || k->field != field ||
            (field != F_BODY && field != F_TITLE)) {
            note(ps, "%s joins plain words and phrases of one field: read "
                     "as AND",
                 n->ordered ? "ADJ" : "NEAR");
            return build_clauses(ps, n, neg, 1);
        }
    }
    ns__xq **v = NULL;
    size_t nv = 0, cap = 0;
    ns_buf terms = { 0 }; /* the terms, each followed by a NUL */
    for (size_t i = 0; i < n->n_kids && ps->st == NS_OK; i++) {
        const node *k = n->kids[i];
        analyze(ps, k->s, k->n, NS_ANALYZE_QUERY);
        /* Register the highlights as for a word or phrase; and drop the
         * constraints that query made (those of the NEAR include them). */
        size_t n_verify = ps->q->n_verify;
        ns__xq_free(terms_query(ps, k, neg));
        ns__qverify_drop(ps->q, n_verify);
        ns__xq_free(ps->last_pos);
        ps->last_pos = NULL;
        ps->last_verify = NULL;
        for (size_t t = 0; t < ps->n_toks; t++) {
            push(ps, &v, &nv, &cap, term_query(ps, &ps->toks[t], field, 1));
            ns__buf_append(&terms, tok_term(ps, &ps->toks[t]),
                           ps->toks[t].term_len);
            ns__buf_putc(&terms, '\0');
        }
    }
    built r = { 0 };
    const char **tv = nv >= 2 ? ns__calloc(nv, sizeof *tv) : NULL;
    if (terms.oom || (nv >= 2 && !tv)) {
        oom(ps);
    } else if (nv >= 2 && ps->st == NS_OK) {
        size_t at = 0;
        for (size_t i = 0; i < nv; i++) {
            tv[i] = terms.data + at;
            at += strlen(tv[i]) + 1;
        }
        r.q = positional(ps, v, tv, NULL, nv, n->window + (unsigned)nv,
                         n->ordered, field);
        nv = 0;
    } else {
        r.q = combine(ps, NS_XQ_OR, v, nv);
        nv = 0;
    }
    for (size_t i = 0; i < nv; i++)
        ns__xq_free(v[i]);
    ns_free(tv);
    ns__buf_free(&terms);
    ns_free(v);
    return r;
}

static built
build(parser *ps, const node *n, int neg)
{
    built none = { 0 };
    if (ps->st != NS_OK)
        return none;
    switch (n->kind) {
    case N_TERMS:
        return build_terms(ps, n, neg);
    case N_PREFIX:
        return build_prefix(ps, n, neg);
    case N_BOOL:
        return build_bool(ps, n);
    case N_DATE:
        return build_date(ps, n);
    case N_AND:
        return build_clauses(ps, n, neg, 1);
    case N_LIST:
        return build_clauses(ps, n, neg, 0);
    case N_OR:
        return build_or(ps, n, neg);
    case N_NEAR:
        return build_near(ps, n, neg);
    }
    return none;
}

/* Plain text: every analyzed term, ORed, repeated ones weighing more. */
static built
build_plain(parser *ps, const char *text)
{
    built r = { 0 };
    analyze(ps, text, strlen(text), NS_ANALYZE_QUERY);
    ns__xq **v = ns__calloc(ps->n_toks ? ps->n_toks : 1, sizeof *v);
    size_t nv = 0;
    if (!v) {
        oom(ps);
        return r;
    }
    for (size_t i = 0; i < ps->n_toks && ps->st == NS_OK; i++) {
        const qtok *t = &ps->toks[i];
        if (is_stop(ps, t, 1, text + t->start, t->end - t->start)) {
            ps->dropped = 1;
            continue;
        }
        unsigned wqf = 0;
        int seen = 0;
        for (size_t j = 0; j < ps->n_toks; j++) {
            const qtok *u = &ps->toks[j];
            if (u->term_len == t->term_len &&
                memcmp(tok_term(ps, u), tok_term(ps, t), t->term_len) == 0) {
                seen |= j < i;
                wqf++;
            }
        }
        add_qword(ps, t, 0);
        if (seen)
            continue;
        hl_term(ps, tok_term(ps, t), t->term_len, 0, -1);
        v[nv++] = term_query(ps, t, F_BODY, wqf);
    }
    r.q = combine(ps, NS_XQ_OR, v, nv);
    ns_free(v);
    return r;
}

static ns_status
parse_once(ns_db *db, const char *text, unsigned flags, int keep_stops,
           ns__query *q, int *dropped)
{
    memset(q, 0, sizeof *q);
    parser ps = { 0 };
    ps.db = db;
    ps.q = q;
    ps.text = text;
    ps.p = text;
    ps.keep_stops = keep_stops;
    built b;
    if (flags & NS_QUERY_PLAIN) {
        b = build_plain(&ps, text);
    } else {
        lex(&ps);
        node *root = parse_list(&ps, F_BODY, 0);
        b = root ? build(&ps, root, 0) : (built){ 0 };
    }
    if (ps.capped)
        note(&ps, "only the first %d words of the query were searched",
             NS_QUERY_MAX_WORDS);
    ns_status st = ps.st;
    if (st == NS_OK && !b.q) {
        ns__db_errorf(db, "the query has no word to search for");
        st = NS_ERR_QUERY_EMPTY;
    }
    if (st == NS_OK && ps.last_and && ns__xq_same(b.q, ps.last_pos)) {
        /* The query is one phrase (or NEAR, ADJ): every result must pass
         * its check, which the search asks then only about the matches
         * that would rank (ns__xsearch_opts.decider), not about every
         * article holding the words. */
        ns__xq_free(b.q);
        b.q = ps.last_and;
        ps.last_and = NULL;
        q->top = ps.last_verify;
    }
    ns__xq_free(ps.last_and);
    ns__xq_free(ps.last_pos);
    if (st == NS_OK) {
        q->xq = b.q;
        q->ranked = !b.filter;
        if (ps.note.len && !(q->note = ns__buf_detach(&ps.note)))
            st = NS_ERR_NOMEM;
    } else {
        ns__xq_free(b.q);
    }
    for (size_t i = 0; i < ps.n_nodes; i++) {
        ns_free(ps.nodes[i]->kids);
        ns_free(ps.nodes[i]);
    }
    ns_free(ps.nodes);
    ns_free(ps.toks);
    ns__buf_free(&ps.strs);
    ns__buf_free(&ps.scratch);
    ns__buf_free(&ps.note);
    if (st != NS_OK)
        ns__query_free(q);
    *dropped = ps.dropped;
    return st;
}

ns_status
ns__query_parse(ns_db *db, const char *text, unsigned flags, ns__query *q)
{
    int dropped = 0;
    ns_status st = parse_once(db, text, flags, 0, q, &dropped);
    /* Stop words were all it had to rank by (`the who`, `to be or not to
     * be`, `the source:AP`): they are searched then. */
    if (dropped && (st == NS_ERR_QUERY_EMPTY || (st == NS_OK && !q->ranked))) {
        if (st == NS_OK)
            ns__query_free(q);
        st = parse_once(db, text, flags, 1, q, &dropped);
        if (st == NS_OK)
            ns__db_clear_error(db); /* the first reading's complaint */
    }
    return st;
}

void
ns__query_free(ns__query *q)
{
    ns__xq_free(q->xq);
    for (size_t i = 0; i < q->n_terms; i++)
        ns_free(q->terms[i].text);
    ns_free(q->terms);
    ns_free(q->phrases);
    for (size_t i = 0; i < q->n_excluded; i++)
        ns_free(q->excluded[i]);
    ns_free(q->excluded);
    for (size_t i = 0; i < q->n_words; i++) {
        ns_free(q->words[i].term);
        ns_free(q->words[i].word);
    }
    ns_free(q->words);
    ns_free(q->note);
    ns__qverify_free_all(q);
    memset(q, 0, sizeof *q);
}
