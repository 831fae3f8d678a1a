/*
 * posmap.h: an article's word positions in compact values, its position
 * map (schema.h: values NS_SLOT_POSMAP to NS_SLOT_POSMAP + 7 of an index
 * whose positions are "2").  Phrases, NEAR/n and ADJ/n are checked on
 * the maps of the articles that hold all their words (searcher/verify.c)
 * instead of on Xapian's position table, which costs an entry of about
 * 19 bytes per distinct word of each article (0.8 bytes per byte of
 * text, where the maps take about 0.26).
 *
 * A map lists the article's distinct terms by key (ns__posmap_key: the
 * top 32 bits of ns__hash64 of the term, of which it keeps 16), each with
 * how often it occurs, then every term's positions.  It is cut in 8
 * parts by the keys' top 3 bits, each a value of its own, so that a
 * phrase reads only its words' parts: and the parts of neighbouring
 * articles share Xapian's blocks, which their whole maps would not.  The
 * terms whose 16-bit key another term of the article shares are listed
 * apart, with all 32 bits; two terms that share those (one article in
 * millions) cannot be told apart, and the caller then checks the stored
 * text.  A part's keys are cut into 2^nb buckets by their next nb bits,
 * and a lookup reads only its bucket's entries and the positions of the
 * entries before it there.
 *
 * Format of a part (version 2): varints (util.h) of
 *   version (2), V (its distinct terms), P (every position of the article
 *   is below it), E (the positions below E are the title's, the others
 *   the body's), nb, k (the keys' Rice parameter), C (its terms in the
 *   collisions' list),
 *   then for each bucket: the bits of its entries, of its positions, and
 *   of its positions' low bits;
 *   then the bits of the collisions' positions, and of their low bits;
 * then a bit stream (bit i is bit i % 8 of byte i / 8):
 *   each bucket's entries, by ascending key: the key's low 13 bits'
 *   difference from the one before in the bucket (the first's from the
 *   bucket's lowest, b << (13 - nb)) as a Rice code (d >> k one-bits, a
 *   zero-bit, d's k low bits), then the count c as an Elias gamma code
 *   (the bits of c less one, n, as n one-bits and a zero-bit, then c's n
 *   low bits);
 *   then the collisions' list: C entries of the 32-bit key and the count
 *   (gamma), ascending;
 *   then the positions of each bucket's entries, then the collisions':
 *   each entry's c positions, each the difference g from the one before,
 *   less one (the first: the position itself), in a Rice code of
 *   parameter kp (floor(log2(P / c)) less one, 0 at least) cut in two:
 *   the kp low bits of every g of the bucket's entries, in order, then
 *   the unary parts (g >> kp one-bits and a zero-bit) of every g.  So a
 *   lookup passes over the lists of the entries before its own in a
 *   bucket by adding their c * kp low bits and counting their c zero-bits
 *   (a popcount a word), not code by code;
 *   then zero bits to the byte's end and 7 zero bytes (so that a reader
 *   may load 8 bytes at any position).
 *
 * Version 1 (indexes of 8f33a62 and before) had no low bits' sizes, and
 * each g's Rice code whole, one after the other: still read.
 */
#ifndef NS_POSMAP_H
#define NS_POSMAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/util.h"

#define NS_POSMAP_VERSION 2
#define NS_POSMAP_MAX_NB  6
/* A map is kept in parts, one per value slot from NS_SLOT_POSMAP, by the
 * top 3 bits of the keys: a phrase reads the parts of its words, and
 * the parts of neighbouring articles share Xapian's blocks. */
#define NS_POSMAP_PARTS 8
#define NS_POSMAP_PART_KEY_BITS 13
/** The part of key (ns__posmap_key). */
#define NS_POSMAP_PART(key) ((unsigned)((key) >> 29))

/** The key of a term (its analyzer term, as indexed): 32 bits of its
 * hash, of which a map keeps the top 16, and the low 16 too for the terms
 * whose top 16 another term of the article shares. */
uint32_t ns__posmap_key(const char *term, size_t len) NS_NOEXCEPT;

/* ---- building (the indexer) ------------------------------------------- */

typedef struct ns__posmap_builder {
    uint32_t *tok_ix;  /* per token: its term (index in dist) */
    uint32_t *tok_pos; /* per token: its position */
    size_t n_tok, cap_tok;
    size_t n_title;    /* of the tokens, the title's (the first ones) */
    uint64_t *slot;    /* distinct terms: open addressing on the hash */
    uint32_t *slot_ix; /* their index in dist */
    size_t cap_slot;
    uint64_t *dist;    /* the distinct hashes, by first occurrence */
    uint32_t *count;   /* per distinct: its tokens */
    uint32_t *order;   /* scratch: dist's indexes by hash; then offsets */
    uint32_t *at;      /* scratch: per distinct, where its next goes */
    uint32_t *lists;   /* scratch: the positions, by term */
    size_t n_dist, cap_dist, cap_lists;
    uint32_t *sent;    /* the sentence index: position, offset pairs */
    size_t n_sent, cap_sent;
} ns__posmap_builder;

/** Forget the article before (keeps the memory). */
void ns__posmap_reset(ns__posmap_builder *b) NS_NOEXCEPT;
/**
 * The token at pos is term (in the title when title, else in the body).
 * Tokens come in the analyzer's order: the title's, then the body's,
 * their positions increasing.  Returns NS_OK, NS_ERR_NOMEM,
 * NS_ERR_INVALID_ARG (out of order).
 */
ns_status ns__posmap_add(ns__posmap_builder *b,
                         int title,
                         uint32_t pos,
                         const char *term,
                         size_t len) NS_NOEXCEPT;
/** The map of the tokens added, its part s into out[s] (reset first;
 * left empty when the article has no term of it).  NS_OK,
 * NS_ERR_NOMEM. */
ns_status ns__posmap_encode(ns__posmap_builder *b,
                            ns_buf out[NS_POSMAP_PARTS]) NS_NOEXCEPT;
void ns__posmap_builder_free(ns__posmap_builder *b) NS_NOEXCEPT;

/*
 * The sentence index of an article (value NS_SLOT_SENTENCES, beside its
 * map): the position and the byte offset in the text of a body token
 * that starts a sentence, at least NS_POSMAP_SENT_WORDS positions after
 * the one before.  The analyzer, run from such a token's offset with its
 * position first, gives the tokens of a run over the whole text from
 * there: so a snippet analyzes only the sentences that hold the query's
 * words, which the map says (searcher/snippet.c), not the whole text.
 *
 * Format (version 1): varints of the version (1), n, then n pairs: the
 * position's and the offset's difference from the pair before (the
 * first's from 0), both increasing.
 */
#define NS_POSMAP_SENT_VERSION 1
#define NS_POSMAP_SENT_WORDS   24
/** A body token at pos, at offset in the text, starts a sentence.  NS_OK,
 * NS_ERR_NOMEM. */
ns_status ns__posmap_sentence(ns__posmap_builder *b,
                              uint32_t pos,
                              size_t offset) NS_NOEXCEPT;
/** The sentence index into out (reset first; empty when none).  NS_OK,
 * NS_ERR_NOMEM. */
ns_status ns__posmap_encode_sentences(const ns__posmap_builder *b,
                                      ns_buf *out) NS_NOEXCEPT;
/**
 * Read a sentence index into (*pairs)[0, 2 * *n): position, offset,
 * grown with ns__grow (*cap: its size in elements; the caller frees
 * *pairs).  NS_OK;
 * NS_ERR_INDEX_CORRUPT (not increasing, truncated, of another version);
 * NS_ERR_NOMEM.
 */
ns_status ns__posmap_read_sentences(const void *data,
                                    size_t len,
                                    uint32_t **pairs,
                                    size_t *cap,
                                    size_t *n) NS_NOEXCEPT;

/* ---- reading (the searcher) ------------------------------------------- */

typedef struct ns__posmap {
    const unsigned char *p; /* the bit stream */
    size_t bits;            /* its length */
    uint64_t p_end;         /* P */
    uint32_t v, title_end, k, nb, n_coll;
    size_t coll_bit;        /* where the collisions' list starts */
    size_t pos_bit;         /* where the positions start */
    uint32_t version;
    /* Per bucket b: where its entries start, and its positions (from
     * pos_bit); [1 << nb]: the entries' end, the collisions' positions;
     * bucket_pbit[(1 << nb) + 1]: the positions' end.  bucket_lbit[b]:
     * the bits of bucket b's (or the collisions') low bits (version 2). */
    size_t bucket_bit[(1 << NS_POSMAP_MAX_NB) + 1];
    size_t bucket_pbit[(1 << NS_POSMAP_MAX_NB) + 2];
    size_t bucket_lbit[(1 << NS_POSMAP_MAX_NB) + 1];
} ns__posmap;

/** Where one term's positions are: n of them, in Rice codes of parameter
 * k, from bit (before end); in version 2 their low bits from bit (before
 * end) and their unary parts from ubit (before uend).  n 0 when the
 * article has no term of the key, NS_POSMAP_AMBIGUOUS when several. */
typedef struct ns__posmap_list {
    size_t bit, end, ubit, uend;
    uint32_t n, k;
    int split; /* version 2 */
} ns__posmap_list;
#define NS_POSMAP_AMBIGUOUS UINT32_MAX

/** Read a map's header.  NS_OK; NS_ERR_INDEX_CORRUPT when it is damaged
 * (or of a version this nsearch does not read). */
ns_status ns__posmap_open(ns__posmap *m,
                          const void *data,
                          size_t len) NS_NOEXCEPT;
/** The lists of n keys (ns__posmap_key) of m's part, into out.  NS_OK;
 * NS_ERR_INDEX_CORRUPT. */
ns_status ns__posmap_find(const ns__posmap *m,
                          const uint32_t *keys,
                          size_t n,
                          ns__posmap_list *out) NS_NOEXCEPT;

/* A list's positions, in order. */
typedef struct ns__posmap_iter {
    size_t bit, end, ubit, uend;
    uint32_t left, k;
    int split;
    int64_t last;
} ns__posmap_iter;

static inline void
ns__posmap_iter_init(ns__posmap_iter *it, const ns__posmap_list *l)
{
    it->bit = l->bit;
    it->end = l->end;
    it->ubit = l->ubit;
    it->uend = l->uend;
    it->split = l->split;
    it->left = l->n;
    it->k = l->k;
    it->last = -1;
}

/** The next position into *pos: 1; 0 at the end; -1 when the map is
 * damaged. */
int ns__posmap_next(const ns__posmap *m,
                    ns__posmap_iter *it,
                    uint32_t *pos) NS_NOEXCEPT;

/* 8 bytes at p, little-endian (the padding, checked by ns__posmap_open,
 * makes a read at any bit of the stream safe). */
static inline uint64_t
ns__posmap_load64(const unsigned char *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}

#endif
