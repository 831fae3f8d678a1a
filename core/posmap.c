/*
 * posmap.c: position maps (posmap.h): built by the indexer, read by the
 * phrase checks.
 */
#include "core/posmap.h"

#include <stdlib.h>
#include <string.h>

/* Keys are the top 16 bits of the term's hash; distinct terms are told
 * apart by the whole hash (two terms of one article with one 64-bit hash
 * would be taken for one: about 1e-14 of a chance per article). */
static uint64_t
term_hash(const char *term, size_t len)
{
    return ns__hash64(term, len, NS_HASH_SEED) | 1;
}

uint32_t
ns__posmap_key(const char *term, size_t len) NS_NOEXCEPT
{
    return (uint32_t)(term_hash(term, len) >> 32);
}

/* The bits needed for x (0 for 0). */
static inline unsigned
bit_width(uint64_t x)
{
    return x ? 64 - (unsigned)__builtin_clzll(x) : 0;
}

/* The Rice parameter for v keys spread over a part's keys: about the log
 * of their mean gap. */
static unsigned
rice_k(size_t v)
{
    unsigned k = 0;
    while (k < NS_POSMAP_PART_KEY_BITS - 1 &&
           ((size_t)1 << (k + 1)) * v <= (1u << NS_POSMAP_PART_KEY_BITS))
        k++;
    return k;
}

/* The bucket bits for v terms: buckets of 32 to 64 entries. */
static unsigned
bucket_bits(size_t v)
{
    unsigned nb = 0;
    while (nb < NS_POSMAP_MAX_NB && ((size_t)64 << nb) <= v)
        nb++;
    return nb;
}

/* ---- building ----------------------------------------------------------- */

void
ns__posmap_reset(ns__posmap_builder *b) NS_NOEXCEPT
{
    b->n_tok = 0;
    b->n_title = 0;
    b->n_sent = 0;
    if (b->n_dist && b->slot)
        memset(b->slot, 0, b->cap_slot * sizeof *b->slot);
    b->n_dist = 0;
}

void
ns__posmap_builder_free(ns__posmap_builder *b) NS_NOEXCEPT
{
    ns_free(b->tok_ix);
    ns_free(b->tok_pos);
    ns_free(b->slot);
    ns_free(b->slot_ix);
    ns_free(b->dist);
    ns_free(b->count);
    ns_free(b->order);
    ns_free(b->at);
    ns_free(b->lists);
    ns_free(b->sent);
    memset(b, 0, sizeof *b);
}

/* The index of h among the distinct terms (added if new), or -1 when out
 * of memory. */
static int64_t
distinct(ns__posmap_builder *b, uint64_t h)
{
    if (2 * (b->n_dist + 1) > b->cap_slot) {
        size_t c = b->cap_slot ? b->cap_slot * 2 : 1024;
        uint64_t *s = ns__calloc(c, sizeof *s);
        uint32_t *ix = ns__malloc(c * sizeof *ix);
        if (!s || !ix) {
            ns_free(s);
            ns_free(ix);
            return -1;
        }
        for (size_t i = 0; i < b->cap_slot; i++) {
            uint64_t x = b->slot[i];
            if (!x)
                continue;
            size_t j = (size_t)(x >> 7) & (c - 1);
            while (s[j])
                j = (j + 1) & (c - 1);
            s[j] = x;
            ix[j] = b->slot_ix[i];
        }
        ns_free(b->slot);
        ns_free(b->slot_ix);
        b->slot = s;
        b->slot_ix = ix;
        b->cap_slot = c;
    }
    size_t j = (size_t)(h >> 7) & (b->cap_slot - 1);
    while (b->slot[j]) {
        if (b->slot[j] == h)
            return b->slot_ix[j];
        j = (j + 1) & (b->cap_slot - 1);
    }
    size_t cap = b->cap_dist;
    if (ns__grow((void **)&b->dist, &cap, b->n_dist, sizeof *b->dist) != 0)
        return -1;
    cap = b->cap_dist;
    if (ns__grow((void **)&b->count, &cap, b->n_dist, sizeof *b->count) != 0)
        return -1;
    b->cap_dist = cap;
    b->slot[j] = h;
    b->slot_ix[j] = (uint32_t)b->n_dist;
    b->dist[b->n_dist] = h;
    b->count[b->n_dist] = 0;
    return (int64_t)b->n_dist++;
}

ns_status
ns__posmap_add(ns__posmap_builder *b,
               int title,
               uint32_t pos,
               const char *term,
               size_t len) NS_NOEXCEPT
{
    if (title && b->n_tok > b->n_title)
        return NS_ERR_INVALID_ARG; /* a title token after the body's */
    if (b->n_tok && pos <= b->tok_pos[b->n_tok - 1])
        return NS_ERR_INVALID_ARG; /* out of order */
    size_t cap = b->cap_tok;
    if (ns__grow((void **)&b->tok_ix, &cap, b->n_tok, sizeof *b->tok_ix) != 0)
        return NS_ERR_NOMEM;
    cap = b->cap_tok;
    if (ns__grow((void **)&b->tok_pos, &cap, b->n_tok, sizeof *b->tok_pos) != 0)
        return NS_ERR_NOMEM;
    b->cap_tok = cap;
    uint64_t h = term_hash(term, len);
    int64_t ix = distinct(b, h);
    if (ix < 0)
        return NS_ERR_NOMEM;
    b->count[ix]++;
    b->tok_ix[b->n_tok] = (uint32_t)ix;
    b->tok_pos[b->n_tok] = pos;
    b->n_tok++;
    if (title)
        b->n_title = b->n_tok;
    return NS_OK;
}

ns_status
ns__posmap_sentence(ns__posmap_builder *b, uint32_t pos, size_t offset)
    NS_NOEXCEPT
{
    if (offset > UINT32_MAX)
        return NS_OK; /* (no article is that long: 32 MiB at most) */
    if (b->n_sent && (pos < b->sent[2 * b->n_sent - 2] +
                                NS_POSMAP_SENT_WORDS ||
                      offset <= b->sent[2 * b->n_sent - 1]))
        return NS_OK;
    size_t cap = b->cap_sent;
    if (ns__grow((void **)&b->sent, &cap, 2 * b->n_sent + 1,
                 sizeof *b->sent) != 0)
        return NS_ERR_NOMEM;
    b->cap_sent = cap;
    b->sent[2 * b->n_sent] = pos;
    b->sent[2 * b->n_sent + 1] = (uint32_t)offset;
    b->n_sent++;
    return NS_OK;
}

ns_status
ns__posmap_encode_sentences(const ns__posmap_builder *b, ns_buf *out)
    NS_NOEXCEPT
{
    ns__buf_reset(out);
    if (!b->n_sent)
        return NS_OK;
    ns__buf_put_varint(out, NS_POSMAP_SENT_VERSION);
    ns__buf_put_varint(out, b->n_sent);
    uint32_t pos = 0, off = 0;
    for (size_t i = 0; i < b->n_sent; i++) {
        ns__buf_put_varint(out, b->sent[2 * i] - pos);
        ns__buf_put_varint(out, b->sent[2 * i + 1] - off);
        pos = b->sent[2 * i];
        off = b->sent[2 * i + 1];
    }
    return out->oom ? NS_ERR_NOMEM : NS_OK;
}

ns_status
ns__posmap_read_sentences(const void *data,
                          size_t len,
                          uint32_t **pairs,
                          size_t *cap,
                          size_t *n) NS_NOEXCEPT
{
    const unsigned char *p = data, *end = p + len;
    uint64_t v, count;
    *n = 0;
    if (!ns__get_varint(&p, end, &v) || v != NS_POSMAP_SENT_VERSION ||
        !ns__get_varint(&p, end, &count) || count > len)
        return NS_ERR_INDEX_CORRUPT;
    if (count && ns__grow((void **)pairs, cap, 2 * (size_t)count - 1,
                          sizeof **pairs) != 0)
        return NS_ERR_NOMEM;
    uint64_t pos = 0, off = 0;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t dp, doff;
        if (!ns__get_varint(&p, end, &dp) || !ns__get_varint(&p, end, &doff) ||
            (i > 0 && (dp == 0 || doff == 0)))
            return NS_ERR_INDEX_CORRUPT;
        pos += dp;
        off += doff;
        if (pos > UINT32_MAX || off > UINT32_MAX)
            return NS_ERR_INDEX_CORRUPT;
        (*pairs)[2 * i] = (uint32_t)pos;
        (*pairs)[2 * i + 1] = (uint32_t)off;
    }
    if (p != end)
        return NS_ERR_INDEX_CORRUPT;
    *n = (size_t)count;
    return NS_OK;
}

/* Bits appended to a buffer, least significant first. */
typedef struct bitw {
    ns_buf *b;
    uint64_t acc;
    unsigned n;
} bitw;

static void
put_bits(bitw *w, uint64_t v, unsigned n)
{
    while (n) {
        unsigned take = n < 32 ? n : 32;
        w->acc |= (v & ((1ULL << take) - 1)) << w->n;
        w->n += take;
        v >>= take;
        n -= take;
        while (w->n >= 8) {
            ns__buf_putc(w->b, (char)(w->acc & 0xFF));
            w->acc >>= 8;
            w->n -= 8;
        }
    }
}

/* q one-bits and a zero-bit. */
static void
put_unary(bitw *w, uint64_t q)
{
    for (; q >= 32; q -= 32)
        put_bits(w, 0xFFFFFFFFULL, 32);
    put_bits(w, (1ULL << q) - 1, (unsigned)q + 1);
}

static size_t
gamma_bits(uint32_t c)
{
    return 2 * (size_t)(bit_width(c) - 1) + 1;
}

static void
put_gamma(bitw *w, uint32_t c)
{
    unsigned n = bit_width(c) - 1;
    put_unary(w, n);
    put_bits(w, c, n);
}

/* The Rice parameter of a list of c positions below p_end: about the
 * log of their mean gap, less one: floor(log2(p_end / c)) less one, 0 at
 * least.  That logarithm is the largest t with c << t <= p_end, which
 * the bit widths give within one, without a division: a lookup computes
 * this for each entry it passes, and a 64-bit division takes 40 cycles
 * or more. */
static inline unsigned
list_k(uint64_t c, uint64_t p_end)
{
    if (!c || p_end < c)
        return 0;
    unsigned k = bit_width(p_end) - bit_width(c);
    if ((c << k) > p_end)
        k--;
    return k > 1 ? (k - 1 > 31 ? 31 : k - 1) : 0;
}

/* The bits of a list's Rice codes. */
static uint64_t
list_bits(const uint32_t *list, uint32_t c, uint64_t p_end)
{
    unsigned kp = list_k(c, p_end);
    uint64_t bits = 0;
    int64_t last = -1;
    for (uint32_t i = 0; i < c; i++) {
        bits += ((uint64_t)((int64_t)list[i] - last - 1) >> kp) + 1 + kp;
        last = list[i];
    }
    return bits;
}

/* A term's key within its part: the 16-bit key's low bits. */
static inline uint32_t
part_key(uint64_t h)
{
    return (uint32_t)(h >> 48) & ((1u << NS_POSMAP_PART_KEY_BITS) - 1);
}

static int
by_hash(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* One part's map, of the terms order[0, n) (its first n_main in key
 * order, then its collisions), whose positions are at list. */
static void
encode_part(const ns__posmap_builder *b,
            const uint32_t *order,
            size_t n,
            size_t n_main,
            const uint32_t *list,
            uint64_t p_end,
            uint64_t e,
            ns_buf *out)
{
    unsigned nb = bucket_bits(n_main), k = rice_k(n_main);
    unsigned shift = NS_POSMAP_PART_KEY_BITS - nb;
    ns__buf_put_varint(out, NS_POSMAP_VERSION);
    ns__buf_put_varint(out, n);
    ns__buf_put_varint(out, p_end);
    ns__buf_put_varint(out, e);
    ns__buf_put_varint(out, nb);
    ns__buf_put_varint(out, k);
    ns__buf_put_varint(out, n - n_main);
    /* Each bucket's bits of entries and of positions, then the
     * collisions' bits of positions. */
    size_t r = 0;
    const uint32_t *l = list;
    size_t group_end[(1 << NS_POSMAP_MAX_NB) + 1];
    for (uint32_t bk = 0; bk <= (1u << nb); bk++) {
        uint64_t bits = 0, pbits = 0, lbits = 0;
        uint32_t prev = bk << shift;
        for (; r < n && (bk == (1u << nb) ||
                         (r < n_main && part_key(b->dist[order[r]]) >> shift ==
                                            bk));
             r++) {
            uint32_t key = part_key(b->dist[order[r]]);
            uint32_t c = b->count[order[r]];
            if (r < n_main)
                bits += ((key - prev) >> k) + 1 + k + gamma_bits(c);
            pbits += list_bits(l, c, p_end);
            lbits += (uint64_t)c * list_k(c, p_end);
            l += c;
            prev = key;
        }
        group_end[bk] = r;
        if (bk < (1u << nb))
            ns__buf_put_varint(out, bits);
        ns__buf_put_varint(out, pbits);
        ns__buf_put_varint(out, lbits);
    }
    bitw bw = { out, 0, 0 };
    r = 0;
    for (uint32_t bk = 0; bk < (1u << nb); bk++) {
        uint32_t prev = bk << shift;
        for (; r < n_main && part_key(b->dist[order[r]]) >> shift == bk;
             r++) {
            uint32_t key = part_key(b->dist[order[r]]);
            uint32_t d = key - prev;
            put_unary(&bw, d >> k);
            put_bits(&bw, d, k);
            put_gamma(&bw, b->count[order[r]]);
            prev = key;
        }
    }
    for (; r < n; r++) {
        put_bits(&bw, b->dist[order[r]] >> 32, 32);
        put_gamma(&bw, b->count[order[r]]);
    }
    /* Each group's (bucket's, the collisions') low bits, then its unary
     * parts. */
    l = list;
    r = 0;
    for (uint32_t bk = 0; bk <= (1u << nb); bk++) {
        for (int unary = 0; unary < 2; unary++) {
            const uint32_t *gl = l;
            for (size_t x = r; x < group_end[bk]; x++) {
                uint32_t c = b->count[order[x]];
                unsigned kp = list_k(c, p_end);
                int64_t last = -1;
                for (uint32_t i = 0; i < c; i++) {
                    uint64_t g = (uint64_t)((int64_t)gl[i] - last - 1);
                    if (unary)
                        put_unary(&bw, g >> kp);
                    else
                        put_bits(&bw, g, kp);
                    last = gl[i];
                }
                gl += c;
            }
            if (unary)
                l = gl;
        }
        r = group_end[bk];
    }
    if (bw.n)
        ns__buf_putc(out, (char)(bw.acc & 0xFF));
    ns__buf_append(out, "\0\0\0\0\0\0\0", 7);
}

ns_status
ns__posmap_encode(ns__posmap_builder *b,
                  ns_buf out[NS_POSMAP_PARTS]) NS_NOEXCEPT
{
    for (int s = 0; s < NS_POSMAP_PARTS; s++)
        ns__buf_reset(&out[s]);
    size_t v = b->n_dist;
    if (!v)
        return NS_OK;
    /* The distinct terms in key order: their hashes sorted, each's index
     * found again through the table. */
    size_t cap = b->cap_lists;
    if (ns__grow((void **)&b->lists, &cap, b->n_tok, sizeof *b->lists) != 0)
        return NS_ERR_NOMEM;
    b->cap_lists = cap;
    uint64_t *sorted = ns__malloc(v * sizeof *sorted);
    uint32_t *order = ns__realloc(b->order, v * sizeof *order);
    if (order)
        b->order = order;
    uint32_t *at = ns__realloc(b->at, v * sizeof *at);
    if (at)
        b->at = at;
    uint32_t *moved = ns__malloc(v * sizeof *moved);
    if (!sorted || !order || !at || !moved) {
        ns_free(sorted);
        ns_free(moved);
        return NS_ERR_NOMEM;
    }
    memcpy(sorted, b->dist, v * sizeof *sorted);
    qsort(sorted, v, sizeof *sorted, by_hash);
    for (size_t r = 0; r < v; r++) {
        uint64_t h = sorted[r];
        size_t j = (size_t)(h >> 7) & (b->cap_slot - 1);
        while (b->slot[j] != h)
            j = (j + 1) & (b->cap_slot - 1);
        order[r] = b->slot_ix[j];
    }
    ns_free(sorted);
    /* Per part (a run of order), the terms whose 16-bit key another of
     * the article's terms has go after the others, to its collisions'
     * list. */
    size_t start[NS_POSMAP_PARTS + 1], n_main[NS_POSMAP_PARTS];
    size_t r = 0;
    for (int s = 0; s < NS_POSMAP_PARTS; s++) {
        start[s] = r;
        size_t main_n = 0, coll_n = 0;
        for (; r < v && (int)(b->dist[order[r]] >> 61) == s; r++) {
            uint64_t key = b->dist[order[r]] >> 48;
            int coll = (r > 0 && b->dist[order[r - 1]] >> 48 == key) ||
                       (r + 1 < v && b->dist[order[r + 1]] >> 48 == key);
            if (coll)
                moved[coll_n++] = order[r];
            else
                at[start[s] + main_n++] = order[r];
        }
        memcpy(at + start[s] + main_n, moved, coll_n * sizeof *moved);
        n_main[s] = main_n;
    }
    start[NS_POSMAP_PARTS] = v;
    ns_free(moved);
    memcpy(order, at, v * sizeof *order);
    /* Each term's positions, gathered in that order. */
    uint32_t off = 0;
    for (r = 0; r < v; r++) {
        at[order[r]] = off;
        off += b->count[order[r]];
    }
    for (size_t t = 0; t < b->n_tok; t++)
        b->lists[at[b->tok_ix[t]]++] = b->tok_pos[t];

    uint64_t p_end = (uint64_t)b->tok_pos[b->n_tok - 1] + 1;
    uint64_t e = b->n_title ? (uint64_t)b->tok_pos[b->n_title - 1] + 1 : 0;
    const uint32_t *list = b->lists;
    for (int s = 0; s < NS_POSMAP_PARTS; s++) {
        size_t n = start[s + 1] - start[s];
        if (!n)
            continue;
        encode_part(b, order + start[s], n, n_main[s], list, p_end, e,
                    &out[s]);
        for (r = start[s]; r < start[s + 1]; r++)
            list += b->count[order[r]];
        if (out[s].oom)
            return NS_ERR_NOMEM;
    }
    return NS_OK;
}

/* ---- reading ------------------------------------------------------------ */

/* A unary code then n low bits at *bit (< end): the count of ones, with
 * the n bits in *low.  0 when it runs past end or is over max. */
static inline __attribute__((always_inline)) int
read_code(const unsigned char *p,
          size_t *bit,
          size_t end,
          unsigned n_low_fixed,
          int gamma,
          uint32_t max_q,
          uint32_t *q_out,
          uint32_t *low)
{
    size_t b = *bit;
    if (b >= end)
        return 0;
    uint64_t x = ns__posmap_load64(p + (b >> 3)) >> (b & 7);
    unsigned ones = x == ~0ULL ? 64 : (unsigned)__builtin_ctzll(~x);
    unsigned n = gamma ? ones : n_low_fixed;
    if (ones <= max_q && ones + 1 + n <= 57) {
        *q_out = ones;
        *low = (uint32_t)((x >> (ones + 1)) & ((1ULL << n) - 1));
        b += ones + 1 + n;
    } else { /* a long run: bit by bit */
        uint32_t q = 0;
        while (b < end && (p[b >> 3] >> (b & 7) & 1)) {
            if (++q > max_q)
                return 0;
            b++;
        }
        n = gamma ? q : n_low_fixed;
        if (b + 1 + n > end || n > 32)
            return 0;
        b++;
        uint64_t y = n ? ns__posmap_load64(p + (b >> 3)) >> (b & 7) : 0;
        *q_out = q;
        *low = (uint32_t)(y & ((1ULL << n) - 1));
        b += n;
    }
    if (b > end)
        return 0;
    *bit = b;
    return 1;
}

ns_status
ns__posmap_open(ns__posmap *m, const void *data, size_t len) NS_NOEXCEPT
{
    const unsigned char *p = data, *end = p + len;
    uint64_t f[7];
    for (int i = 0; i < 7; i++)
        if (!ns__get_varint(&p, end, &f[i]))
            return NS_ERR_INDEX_CORRUPT;
    if ((f[0] != 1 && f[0] != NS_POSMAP_VERSION) || f[1] > UINT32_MAX ||
        f[2] > (uint64_t)UINT32_MAX + 1 || f[3] > f[2] ||
        f[4] > NS_POSMAP_MAX_NB || f[5] >= NS_POSMAP_PART_KEY_BITS ||
        f[6] > f[1])
        return NS_ERR_INDEX_CORRUPT;
    m->v = (uint32_t)f[1];
    m->p_end = f[2];
    m->title_end = (uint32_t)(f[3] > UINT32_MAX ? UINT32_MAX : f[3]);
    m->nb = (uint32_t)f[4];
    m->k = (uint32_t)f[5];
    m->n_coll = (uint32_t)f[6];
    m->version = (uint32_t)f[0];
    uint64_t max = (uint64_t)len * 8, vbit = 0, pbit = 0;
    uint32_t nbk = 1u << m->nb;
    /* (pbit: relative to where the positions start, known below) */
    for (uint32_t bk = 0; bk <= nbk; bk++) {
        uint64_t bits = 0, pbits, lbits = 0;
        if ((bk < nbk && !ns__get_varint(&p, end, &bits)) ||
            !ns__get_varint(&p, end, &pbits) || bits > max || pbits > max ||
            (m->version >= 2 &&
             (!ns__get_varint(&p, end, &lbits) || lbits > pbits)))
            return NS_ERR_INDEX_CORRUPT;
        m->bucket_bit[bk] = (size_t)vbit;
        m->bucket_pbit[bk] = (size_t)pbit;
        m->bucket_lbit[bk] = (size_t)lbits;
        vbit += bits;
        pbit += pbits;
        if (vbit > max || pbit > max)
            return NS_ERR_INDEX_CORRUPT;
    }
    m->bucket_pbit[nbk + 1] = (size_t)pbit;
    m->p = p;
    m->bits = (size_t)(end - p) * 8;
    if (vbit + 56 > m->bits)
        return NS_ERR_INDEX_CORRUPT;
    /* The collisions' list: 32 bits and a count each. */
    size_t bit = (size_t)vbit;
    m->coll_bit = bit;
    for (uint32_t i = 0; i < m->n_coll; i++) {
        uint32_t q, c;
        if (bit + 32 + 56 > m->bits)
            return NS_ERR_INDEX_CORRUPT;
        bit += 32;
        if (!read_code(m->p, &bit, m->bits - 56, 0, 1, 31, &q, &c))
            return NS_ERR_INDEX_CORRUPT;
    }
    m->pos_bit = bit;
    /* The positions and the padding fit in what is left. */
    if ((uint64_t)bit + pbit + 56 > m->bits)
        return NS_ERR_INDEX_CORRUPT;
    return NS_OK;
}

/* Past the first n zero-bits from bit (before end): where the bit after
 * the n-th is, or SIZE_MAX when there are fewer. */
static size_t
skip_zeros(const unsigned char *p, size_t bit, size_t end, uint64_t n)
{
    while (n) {
        if (bit >= end)
            return SIZE_MAX;
        uint64_t x = ns__posmap_load64(p + (bit >> 3)) >> (bit & 7);
        size_t w = end - bit < 57 ? end - bit : 57;
        uint64_t z = ~x & ((1ULL << w) - 1);
        uint64_t pc = (uint64_t)__builtin_popcountll(z);
        if (pc < n) {
            n -= pc;
            bit += w;
            continue;
        }
        while (--n)
            z &= z - 1;
        return bit + (size_t)__builtin_ctzll(z) + 1;
    }
    return bit;
}

/* Where group g's list of an entry is (version 2): past the l low bits
 * and the z unary codes of the entries before it there. */
static int
split_list(const ns__posmap *m, uint32_t g, uint64_t l, uint64_t z,
           uint64_t c, ns__posmap_list *out)
{
    size_t start = m->pos_bit + m->bucket_pbit[g];
    size_t uend = m->pos_bit + m->bucket_pbit[g + 1];
    size_t lend = start + m->bucket_lbit[g];
    out->k = list_k(c, m->p_end);
    if (l + c * out->k > m->bucket_lbit[g])
        return 0;
    out->bit = start + (size_t)l;
    out->end = lend;
    out->ubit = skip_zeros(m->p, lend, uend, z);
    out->uend = uend;
    out->n = (uint32_t)c;
    out->split = 1;
    return out->ubit != SIZE_MAX;
}

/* Skip n lists of the counts at cnt (c each, from *bit, before end). */
static int
skip_list(const ns__posmap *m, size_t *bit, size_t end, uint64_t c)
{
    unsigned kp = list_k(c, m->p_end);
    for (uint64_t i = 0; i < c; i++) {
        uint32_t q, low;
        if (!read_code(m->p, bit, end, kp, 0, UINT32_MAX, &q, &low))
            return 0;
    }
    return 1;
}

ns_status
ns__posmap_find(const ns__posmap *m,
                const uint32_t *keys,
                size_t n,
                ns__posmap_list *out) NS_NOEXCEPT
{
    unsigned shift = NS_POSMAP_PART_KEY_BITS - m->nb;
    uint32_t nbk = 1u << m->nb;
    for (size_t i = 0; i < n; i++) {
        uint32_t want = (keys[i] >> 16) & ((1u << NS_POSMAP_PART_KEY_BITS) - 1);
        uint32_t bk = want >> shift;
        memset(&out[i], 0, sizeof out[i]);
        uint64_t lacc = 0, zacc = 0; /* (version 2) */
        /* A key two terms share: only in the collisions' list (open
         * checked that it reads). */
        int collided = 0;
        size_t bit = m->coll_bit;
        size_t pbit = m->pos_bit + m->bucket_pbit[nbk];
        size_t pend = m->pos_bit + m->bucket_pbit[nbk + 1];
        for (uint32_t j = 0; j < m->n_coll; j++) {
            uint32_t full = (uint32_t)(ns__posmap_load64(m->p + (bit >> 3)) >>
                                       (bit & 7));
            bit += 32;
            uint32_t q, cl;
            if (!read_code(m->p, &bit, m->pos_bit, 0, 1, 31, &q, &cl))
                return NS_ERR_INDEX_CORRUPT;
            uint64_t c = ((uint64_t)1 << q) | cl;
            if (c > m->p_end)
                return NS_ERR_INDEX_CORRUPT;
            if (full >> 16 == keys[i] >> 16) {
                collided = 1;
                if (full == keys[i]) {
                    if (out[i].n) {
                        out[i].n = NS_POSMAP_AMBIGUOUS;
                        break;
                    }
                    if (m->version >= 2) {
                        if (!split_list(m, nbk, lacc, zacc, c, &out[i]))
                            return NS_ERR_INDEX_CORRUPT;
                    } else {
                        out[i].bit = pbit;
                        out[i].end = pend;
                        out[i].n = (uint32_t)c;
                        out[i].k = list_k(c, m->p_end);
                    }
                }
            }
            if (m->version >= 2) {
                lacc += c * list_k(c, m->p_end);
                zacc += c;
            } else if (!skip_list(m, &pbit, pend, c)) {
                return NS_ERR_INDEX_CORRUPT;
            }
        }
        if (collided)
            continue;
        lacc = zacc = 0;
        bit = m->bucket_bit[bk];
        size_t end = m->bucket_bit[bk + 1];
        pbit = m->pos_bit + m->bucket_pbit[bk];
        pend = m->pos_bit + m->bucket_pbit[bk + 1];
        uint32_t key = bk << shift;
        while (bit < end) {
            uint32_t q, low, nc, cl;
            if (!read_code(m->p, &bit, end, m->k, 0, 0xFFFF, &q, &low) ||
                !read_code(m->p, &bit, end, 0, 1, 31, &nc, &cl))
                return NS_ERR_INDEX_CORRUPT;
            key += (q << m->k) | low;
            uint64_t c = ((uint64_t)1 << nc) | cl;
            if ((key >> shift) != bk || c > m->p_end)
                return NS_ERR_INDEX_CORRUPT;
            if (key > want)
                break;
            if (key == want) {
                /* (two terms of one key are in the collisions' list) */
                if (m->version >= 2) {
                    if (!split_list(m, bk, lacc, zacc, c, &out[i]))
                        return NS_ERR_INDEX_CORRUPT;
                    break;
                }
                out[i].bit = pbit;
                out[i].end = pend;
                out[i].n = (uint32_t)c;
                out[i].k = list_k(c, m->p_end);
                break;
            }
            if (m->version >= 2) {
                lacc += c * list_k(c, m->p_end);
                zacc += c;
            } else if (!skip_list(m, &pbit, pend, c)) {
                return NS_ERR_INDEX_CORRUPT;
            }
        }
    }
    return NS_OK;
}

int
ns__posmap_next(const ns__posmap *m, ns__posmap_iter *it, uint32_t *pos)
    NS_NOEXCEPT
{
    if (!it->left)
        return 0;
    uint32_t q, low;
    if (it->split) {
        /* (a unary code with no low bits, then the low bits) */
        if (!read_code(m->p, &it->ubit, it->uend, 0, 0, UINT32_MAX, &q,
                       &low) ||
            it->bit + it->k > it->end)
            return -1;
        low = it->k ? (uint32_t)((ns__posmap_load64(m->p + (it->bit >> 3)) >>
                                  (it->bit & 7)) &
                                 ((1ULL << it->k) - 1))
                    : 0;
        it->bit += it->k;
    } else if (!read_code(m->p, &it->bit, it->end, it->k, 0, UINT32_MAX, &q,
                          &low)) {
        return -1;
    }
    uint64_t p = (uint64_t)(it->last + 1) + (((uint64_t)q << it->k) | low);
    if (p >= m->p_end)
        return -1;
    it->last = (int64_t)p;
    it->left--;
    *pos = (uint32_t)p;
    return 1;
}
