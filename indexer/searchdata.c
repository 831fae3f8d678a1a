/*
 * searchdata.c: the search data of an article (searchdata.h).  It reads
 * only the article and writes only its document and the spelling data;
 * index.c calls it once for each document it builds.
 *
 * The near-duplicate key collapses the same wire story in several outlets,
 * or several updates of one story, into one result (Xapian's collapse key
 * needs equal values).  It is a MinHash of the word 5-shingles of the
 * body's first DUP_LEAD words: two articles whose shingle sets have Jaccard
 * similarity J get one MinHash equal with probability J; the key joins
 * DUP_HASHES of them, so they get the same key with probability J^3 (J 0.9:
 * 73%, J 0.5: 13%, J 0.3: 3%).  Measured on the White House and
 * Reuters-21578 collections (commit message of this file): 874 and 612
 * articles collapsed, of which 54 and 16 with a lead Jaccard under 0.3
 * (mostly templates: earnings reports, nomination lists).  Words are runs
 * of ASCII letters and digits (lower-cased) and of other characters but the
 * General Punctuation block; this cheap reading of the text costs a small
 * fraction of the analyzer's and is all a fingerprint needs.  Bodies of
 * fewer than DUP_MIN words get no key and are never collapsed.
 *
 * Spelling data: the folded words of the title (the analyzer's word), each
 * once per article.  Measured by instructions (callgrind, 500 White House
 * articles): none 3.69 G, titles 3.90 G (+6%), titles and the capitalized
 * words of bodies 4.48 G (+21%, most of it Xapian writing the spelling
 * table at commit), every distinct body word more still (+14% to +22% CPU
 * on all 14,396 articles, +2% index size).  Words found only in bodies are
 * suggested from the index's terms at query time (searcher/suggest.c).
 */
#include "indexer/searchdata.h"
#include "core/schema.h"

#include <string.h>

#define DUP_SHINGLE 5
#define DUP_LEAD    100
#define DUP_MIN     20
#define DUP_HASHES  3
/* A source name longer than this is cut (on a character boundary). */
#define SOURCE_MAX 200

/* The finalizer of splitmix64: a good 64-bit mix. */
static uint64_t
mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* Bytes of a separator at t[i] that is not ASCII: U+2000..U+206F (quotes,
 * dashes, ellipsis) and U+00A0; 0 otherwise. */
static size_t
utf8_separator(const unsigned char *t, size_t len, size_t i)
{
    if (t[i] == 0xE2 && i + 2 < len && (t[i + 1] == 0x80 || t[i + 1] == 0x81))
        return 3;
    if (t[i] == 0xC2 && i + 1 < len && t[i + 1] == 0xA0)
        return 2;
    return 0;
}

int
ns__dupkey(const char *text, size_t len, char out[17])
{
    const unsigned char *t = (const unsigned char *)text;
    uint64_t ring[DUP_SHINGLE], mins[DUP_HASHES];
    size_t nw = 0, i = 0;
    for (size_t k = 0; k < DUP_HASHES; k++)
        mins[k] = UINT64_MAX;
    while (i < len && nw < DUP_LEAD) {
        size_t sep = 0;
        unsigned char c = t[i];
        int ascii_word = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' &&
                                                    (c | 0x20) <= 'z');
        if (!ascii_word && (c < 0x80 || (sep = utf8_separator(t, len, i)))) {
            i += c < 0x80 ? 1 : sep;
            continue;
        }
        uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
        while (i < len) {
            c = t[i];
            if (c < 0x80 && !((c >= '0' && c <= '9') ||
                              ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
                break;
            if (c >= 0x80 && utf8_separator(t, len, i))
                break;
            if (c >= 'A' && c <= 'Z')
                c |= 0x20;
            h = (h ^ c) * 0x100000001b3ULL;
            i++;
        }
        ring[nw % DUP_SHINGLE] = h;
        nw++;
        if (nw < DUP_SHINGLE)
            continue;
        uint64_t sh = 0;
        for (size_t j = nw - DUP_SHINGLE; j < nw; j++)
            sh = mix64(sh ^ ring[j % DUP_SHINGLE]);
        for (size_t k = 0; k < DUP_HASHES; k++) {
            uint64_t v = mix64(sh + 0x9e3779b97f4a7c15ULL * (k + 1));
            if (v < mins[k])
                mins[k] = v;
        }
    }
    if (nw < DUP_MIN)
        return 0;
    uint64_t key = 0;
    for (size_t k = 0; k < DUP_HASHES; k++)
        key = mix64(key ^ mins[k]);
    static const char hex[] = "0123456789abcdef";
    for (int d = 0; d < 16; d++)
        out[d] = hex[(key >> (60 - 4 * d)) & 15];
    out[16] = '\0';
    return 1;
}

/* A set of word hashes: what an article added to the spelling data. */
#define SEEN_BITS 10

typedef struct spell_ctx {
    ns_db *db;
    ns_status st;
    uint64_t seen[1u << SEEN_BITS]; /* hashes of words added (0: free) */
    size_t n_seen;
} spell_ctx;

/* Add word to the spelling data unless this article did already. */
static ns_status
add_spelling_once(spell_ctx *c, const char *w, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)w[i]) * 0x100000001b3ULL;
    h |= 1;
    size_t mask = (1u << SEEN_BITS) - 1, k = h & mask;
    while (c->seen[k] && c->seen[k] != h)
        k = (k + 1) & mask;
    if (c->seen[k])
        return NS_OK;
    if (c->n_seen >= mask / 2)
        return NS_OK; /* enough words from one article */
    c->seen[k] = h;
    c->n_seen++;
    return ns__xdb_add_spelling(c->db->x, w, n, 1);
}

static int
on_title_word(const ns_token *t, void *payload)
{
    spell_ctx *c = payload;
    if ((t->flags & NS_TOKEN_NUMBER) || t->word_len < 2)
        return 0;
    c->st = add_spelling_once(c, t->word, t->word_len);
    return c->st != NS_OK;
}

ns_status
ns__searchdata_add(ns_db *db, ns__xdoc *doc, const ns_article *a)
{
    ns_status st;
    char key[17];
    if (a->text_len && ns__dupkey(a->text, a->text_len, key) &&
        (st = ns__xdoc_set_value(doc, NS_SLOT_DUPKEY, key, 16)) != NS_OK)
        return st;
    if (a->source) {
        const char *s = a->source;
        size_t n = strlen(s);
        while (n && (*s == ' ' || *s == '\t'))
            s++, n--;
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if (n > SOURCE_MAX) {
            n = SOURCE_MAX;
            while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
                n--;
        }
        if (n && (st = ns__xdoc_set_value(doc, NS_SLOT_SOURCE, s, n)) !=
                     NS_OK)
            return st;
    }
    spell_ctx *c = ns__calloc(1, sizeof *c);
    if (!c)
        return NS_ERR_NOMEM;
    c->db = db;
    st = NS_OK;
    if (a->title && *a->title) {
        st = ns__analyzer_run(db->analyzer, a->title, strlen(a->title), 0,
                              NS_ANALYZE_NOSTEM, on_title_word, c, NULL);
        if (c->st != NS_OK)
            st = c->st;
    }
    ns_free(c);
    return st;
}
