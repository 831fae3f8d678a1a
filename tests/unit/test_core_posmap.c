/*
 * test_core_posmap.c: position maps (core/posmap.c) read back what was
 * built: every term's positions, the title's end, gaps, one bucket or
 * many; absent and ambiguous keys; and a damaged map is refused, or read
 * within its bounds (this test runs under ASan too).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/posmap.h"

static unsigned rng = 2024;
static unsigned
rnd(unsigned n)
{
    rng = rng * 1103515245u + 12345u;
    return (rng >> 16) % n;
}

/* An article's map: its parts, and each read. */
typedef struct amap {
    ns_buf part[NS_POSMAP_PARTS];
    ns__posmap m[NS_POSMAP_PARTS];
    uint32_t v, n_coll, title_end;
} amap;

static void
amap_encode(ns__posmap_builder *b, amap *a)
{
    assert_int_equal(ns__posmap_encode(b, a->part), NS_OK);
    a->v = a->n_coll = 0;
    a->title_end = UINT32_MAX;
    for (int s = 0; s < NS_POSMAP_PARTS; s++) {
        if (!a->part[s].len)
            continue;
        assert_int_equal(
            ns__posmap_open(&a->m[s], a->part[s].data, a->part[s].len), NS_OK);
        a->v += a->m[s].v;
        a->n_coll += a->m[s].n_coll;
        /* every part says where the title ends */
        assert_true(a->title_end == UINT32_MAX ||
                    a->title_end == a->m[s].title_end);
        a->title_end = a->m[s].title_end;
    }
}

static void
amap_free(amap *a)
{
    for (int s = 0; s < NS_POSMAP_PARTS; s++)
        ns__buf_free(&a->part[s]);
}

/* The part of a term. */
static const ns__posmap *
part_of(const amap *a, const char *term)
{
    return &a->m[NS_POSMAP_PART(ns__posmap_key(term, strlen(term)))];
}

/* The list of term in a (ns__posmap_find of its key in its part). */
static ns__posmap_list
list_of(const amap *a, const char *term)
{
    uint32_t key = ns__posmap_key(term, strlen(term));
    ns__posmap_list l;
    memset(&l, 0, sizeof l);
    if (a->part[NS_POSMAP_PART(key)].len)
        assert_int_equal(ns__posmap_find(part_of(a, term), &key, 1, &l),
                         NS_OK);
    return l;
}

/* Position j of list l (read from the first). */
static uint32_t
pos_at(const ns__posmap *m, const ns__posmap_list *l, uint32_t j)
{
    ns__posmap_iter it;
    ns__posmap_iter_init(&it, l);
    uint32_t p = 0;
    for (uint32_t i = 0; i <= j; i++)
        assert_int_equal(ns__posmap_next(m, &it, &p), 1);
    return p;
}

/* Build a map of random tokens over vocab[0, nv), title then body, and
 * check that every term's positions read back. */
static void
roundtrip(size_t nv, size_t n_title, size_t n_body, uint32_t body_start,
          int gaps)
{
    char (*vocab)[24] = calloc(nv, sizeof *vocab);
    size_t total = n_title + n_body;
    size_t *tok = calloc(total ? total : 1, sizeof *tok);
    uint32_t *pos = calloc(total ? total : 1, sizeof *pos);
    assert_non_null(vocab);
    assert_non_null(tok);
    assert_non_null(pos);
    for (size_t i = 0; i < nv; i++)
        snprintf(vocab[i], sizeof vocab[i], "w%zu", i);
    ns__posmap_builder b = { 0 };
    ns__posmap_reset(&b);
    uint32_t p = 0;
    for (size_t i = 0; i < total; i++) {
        if (i == n_title)
            p = body_start;
        else if (i > 0)
            p += 1 + (gaps && rnd(5) == 0 ? rnd(3) : 0);
        tok[i] = rnd((unsigned)nv);
        pos[i] = p;
        assert_int_equal(ns__posmap_add(&b, i < n_title, p, vocab[tok[i]],
                                        strlen(vocab[tok[i]])),
                         NS_OK);
    }
    amap a = { 0 };
    amap_encode(&b, &a);
    assert_int_equal(a.title_end, n_title ? pos[n_title - 1] + 1 : 0);
    /* Each term's positions, as added. */
    size_t checked = 0, ambiguous = 0;
    for (size_t t = 0; t < nv; t++) {
        size_t occurs = 0;
        for (size_t i = 0; i < total; i++)
            occurs += tok[i] == t;
        if (!occurs)
            continue; /* (its key may be another term's: callers ask
                       * only for terms the article holds) */
        ns__posmap_list l = list_of(&a, vocab[t]);
        if (l.n == NS_POSMAP_AMBIGUOUS) {
            ambiguous++;
            continue;
        }
        uint32_t j = 0;
        for (size_t i = 0; i < total; i++) {
            if (tok[i] != t)
                continue;
            assert_true(j < l.n);
            assert_int_equal(pos_at(part_of(&a, vocab[t]), &l, j), pos[i]);
            j++;
        }
        assert_int_equal(j, l.n);
        checked += l.n;
    }
    assert_int_equal(ambiguous, 0); /* (32 bits: one in millions) */
    if (!ambiguous)
        assert_int_equal(checked, total);
    /* A key of no term of the article (in so small a one). */
    if (nv <= 5)
        assert_int_equal(list_of(&a, "absent-term").n, 0);

    /* Every shorter map is refused (the padding and the counts tell). */
    for (int s = 0; s < NS_POSMAP_PARTS; s++)
        for (size_t len = 0; a.part[s].len && len < a.part[s].len; len++) {
            char *cut = malloc(len ? len : 1);
            assert_non_null(cut);
            memcpy(cut, a.part[s].data, len);
            ns__posmap c;
            assert_int_equal(ns__posmap_open(&c, cut, len),
                             NS_ERR_INDEX_CORRUPT);
            free(cut);
        }
    amap_free(&a);
    ns__posmap_builder_free(&b);
    free(vocab);
    free(tok);
    free(pos);
}

static void
test_roundtrip(void **state)
{
    (void)state;
    roundtrip(1, 1, 0, 0, 0);       /* one word, title only */
    roundtrip(1, 0, 1, 0, 0);       /* one word, body only */
    roundtrip(5, 3, 40, 102, 0);    /* the indexer's title gap */
    roundtrip(60, 8, 500, 107, 1);  /* one bucket */
    roundtrip(300, 8, 2000, 107, 1); /* several */
    roundtrip(5000, 20, 30000, 119, 1); /* the most buckets */
}

/* Two numbers (as terms) whose keys agree in their top `bits` bits. */
static void
find_pair(unsigned bits, char *a, char *c)
{
    enum { CAP = 1 << 21 };
    uint32_t *key = calloc(CAP, sizeof *key), *num = calloc(CAP, sizeof *num);
    assert_non_null(key);
    assert_non_null(num);
    uint32_t mask = bits >= 32 ? ~0u : ~(~0u >> bits);
    *a = *c = '\0';
    for (uint32_t i = 1; i < 1000000 && !*a; i++) {
        char t[16];
        snprintf(t, sizeof t, "%u", i);
        uint32_t k = ns__posmap_key(t, strlen(t)) & mask;
        size_t j = (k * 2654435761u) & (CAP - 1);
        while (num[j] && key[j] != k)
            j = (j + 1) & (CAP - 1);
        if (num[j]) {
            snprintf(a, 16, "%u", num[j]);
            snprintf(c, 16, "%s", t);
        }
        key[j] = k;
        num[j] = i;
    }
    free(key);
    free(num);
    assert_true(*a && *c);
}

/* A map of alpha A bravo C alpha. */
static void
map_of(ns__posmap_builder *b, amap *m, const char *a, const char *c)
{
    ns__posmap_reset(b);
    const char *words[] = { "alpha", a, "bravo", c, "alpha" };
    for (uint32_t i = 0; i < 5; i++)
        assert_int_equal(
            ns__posmap_add(b, 0, i, words[i], strlen(words[i])), NS_OK);
    amap_encode(b, m);
    assert_int_equal(m->v, 4);
    ns__posmap_list alpha = list_of(m, "alpha");
    assert_int_equal(alpha.n, 2);
    assert_int_equal(pos_at(part_of(m, "alpha"), &alpha, 0), 0);
    assert_int_equal(pos_at(part_of(m, "alpha"), &alpha, 1), 4);
}

/* Two terms whose 16-bit keys agree are told apart by 16 more bits; two
 * whose 32 agree are ambiguous; the others are found as ever. */
static void
test_collisions(void **state)
{
    (void)state;
    char a[16], c[16];
    ns__posmap_builder b = { 0 };
    amap m = { 0 };
    find_pair(16, a, c);
    map_of(&b, &m, a, c);
    assert_int_equal(m.n_coll, 2);
    ns__posmap_list la = list_of(&m, a), lc = list_of(&m, c);
    assert_int_equal(la.n, 1);
    assert_int_equal(lc.n, 1);
    assert_int_equal(pos_at(part_of(&m, a), &la, 0), 1);
    assert_int_equal(pos_at(part_of(&m, c), &lc, 0), 3);
    assert_int_equal(list_of(&m, "bravo").n, 1);

    find_pair(32, a, c);
    map_of(&b, &m, a, c);
    assert_int_equal(list_of(&m, a).n, NS_POSMAP_AMBIGUOUS);
    assert_int_equal(list_of(&m, c).n, NS_POSMAP_AMBIGUOUS);

    /* The builder is reused: the next article knows nothing of these. */
    ns__posmap_reset(&b);
    assert_int_equal(ns__posmap_add(&b, 1, 0, "bravo", 5), NS_OK);
    amap_encode(&b, &m);
    assert_int_equal(m.v, 1);
    assert_int_equal(m.n_coll, 0);
    assert_int_equal(list_of(&m, "alpha").n, 0);
    assert_int_equal(list_of(&m, "bravo").n, 1);
    assert_int_equal(m.title_end, 1);
    amap_free(&m);
    ns__posmap_builder_free(&b);
}

/* Tokens out of order are refused, not stored wrongly. */
static void
test_order(void **state)
{
    (void)state;
    ns__posmap_builder b = { 0 };
    ns__posmap_reset(&b);
    /* (title 1: the title's; 0: the body's) */
    assert_int_equal(ns__posmap_add(&b, 1, 5, "x", 1), NS_OK);
    assert_int_equal(ns__posmap_add(&b, 1, 4, "y", 1), NS_ERR_INVALID_ARG);
    assert_int_equal(ns__posmap_add(&b, 0, 9, "y", 1), NS_OK);
    assert_int_equal(ns__posmap_add(&b, 0, 8, "y", 1), NS_ERR_INVALID_ARG);
    assert_int_equal(ns__posmap_add(&b, 0, 9, "y", 1), NS_ERR_INVALID_ARG);
    assert_int_equal(ns__posmap_add(&b, 1, 20, "z", 1), NS_ERR_INVALID_ARG);
    ns__posmap_builder_free(&b);
}

/* Random bytes, and maps with random bytes changed: refused or read
 * within their bounds (ASan watches), never a crash. */
static void
test_damage(void **state)
{
    (void)state;
    ns__posmap_builder b = { 0 };
    ns__posmap_reset(&b);
    for (uint32_t i = 0; i < 200; i++) {
        char t[8];
        snprintf(t, sizeof t, "t%u", rnd(60));
        assert_int_equal(ns__posmap_add(&b, i < 5, i < 5 ? i : i + 100, t,
                                        strlen(t)),
                         NS_OK);
    }
    amap a = { 0 };
    amap_encode(&b, &a);
    uint32_t keys[3] = { 1, 0x80000000u, 0xFFFFFFFFu };
    ns__posmap_list l[3];
    for (int round = 0; round < 3000; round++) {
        const ns_buf *part = &a.part[rnd(NS_POSMAP_PARTS)];
        if (!part->len)
            continue;
        size_t len = part->len;
        unsigned char *d = malloc(len);
        assert_non_null(d);
        memcpy(d, part->data, len);
        if (round % 3 == 0)
            for (size_t i = 0; i < len; i++)
                d[i] = (unsigned char)rnd(256);
        else
            for (unsigned k = 0; k < 1 + rnd(3); k++)
                d[rnd((unsigned)len)] = (unsigned char)rnd(256);
        ns__posmap m;
        if (ns__posmap_open(&m, d, len) == NS_OK) {
            if (ns__posmap_find(&m, keys, 3, l) == NS_OK)
                for (int k = 0; k < 3; k++)
                    if (l[k].n != NS_POSMAP_AMBIGUOUS) {
                        ns__posmap_iter it;
                        ns__posmap_iter_init(&it, &l[k]);
                        uint32_t p;
                        while (ns__posmap_next(&m, &it, &p) == 1)
                            ;
                    }
        }
        free(d);
    }
    amap_free(&a);
    ns__posmap_builder_free(&b);
}

/* Version 1 (indexes of 8f33a62 and before: each code whole, no low bits'
 * sizes) is still read: two parts of a map 8f33a62 wrote for the tokens
 * below, whose every term's positions read back. */
static const char *const v1_parts[] = {
    /* part 0 (139 bytes) */
    "\x01\x17\xee\x03\x06\x00\x08\x00\xb1\x02\x83\x05\x00\x52\xc6\xa8"
    "\xeb\x68\x75\x68\xba\xa3\x89\x79\x0b\x15\xd7\xba\x47\xd8\x93\x69"
    "\x14\x38\xd0\x46\x6c\x30\x2b\x35\xd2\xda\x8c\x02\x8b\x66\x04\x49"
    "\xf4\x10\xb6\xff\x03\x27\xc3\xcc\x50\xea\x15\x0f\xfd\x10\xe7\x82"
    "\x8d\xde\xbf\x68\x9f\xf8\x13\xe6\xb9\x98\xd6\x1d\x7c\x9b\xfb\xd0"
    "\xc4\xe6\x73\x87\xbf\xe6\xfd\x78\x12\xc2\x0e\x6e\xfc\x05\x38\xf2"
    "\xa3\xcc\x47\xcd\xfd\xff\x9c\x2b\x20\xed\x22\xb5\x77\x42\x72\x2e"
    "\xf0\xbe\xe4\x16\xf7\x0f\xad\x0f\x78\xe5\xdd\xd2\xfd\x9f\x4d\x86"
    "\x62\xeb\xa6\x09\x00\x00\x00\x00\x00\x00\x00",
    /* part 4 (78 bytes) */
    "\x01\x0c\xee\x03\x06\x00\x09\x00\xab\x01\xa2\x02\x00\xac\x8d\x1b"
    "\xb4\xec\x48\x94\xf8\x28\x05\xd5\x7a\x0c\x63\x68\x4a\x31\x72\x6d"
    "\x16\xca\x41\x3e\xfa\xc4\x6d\xe0\xf7\xae\x66\xaf\x7c\x08\x6d\x04"
    "\x85\x7b\xc5\x41\x87\xc7\xf4\xef\xbf\x99\xf6\x9c\x21\xb3\x0e\x3f"
    "\x4e\x7e\x8a\x1c\x7b\x87\x14\x00\x00\x00\x00\x00\x00\x00",
};
static const size_t v1_len[] = { 139, 78 };
static const unsigned v1_part[] = { 0, 4 };

static void
test_version1(void **state)
{
    (void)state;
    /* The tokens: 400 of 150 terms, the first 6 the title's. */
    uint32_t pos[150][400];
    size_t n[150] = { 0 };
    unsigned r = 7;
    for (unsigned i = 0; i < 400; i++) {
        r = r * 1103515245u + 12345u;
        unsigned t = (r >> 16) % 150;
        pos[t][n[t]++] = i < 6 ? i : i + 94;
    }
    size_t checked = 0;
    for (size_t j = 0; j < 2; j++) {
        ns__posmap m;
        assert_int_equal(ns__posmap_open(&m, v1_parts[j], v1_len[j]), NS_OK);
        assert_int_equal(m.version, 1);
        assert_int_equal(m.title_end, 6);
        for (unsigned t = 0; t < 150; t++) {
            char term[8];
            snprintf(term, sizeof term, "w%u", t);
            uint32_t key = ns__posmap_key(term, strlen(term));
            if (NS_POSMAP_PART(key) != v1_part[j])
                continue;
            ns__posmap_list l;
            assert_int_equal(ns__posmap_find(&m, &key, 1, &l), NS_OK);
            assert_int_equal(l.n, n[t]);
            for (uint32_t i = 0; i < l.n; i++)
                assert_int_equal(pos_at(&m, &l, i), pos[t][i]);
            checked++;
        }
    }
    assert_true(checked > 20);
}

/* The sentence index keeps a sentence start at least NS_POSMAP_SENT_WORDS
 * positions after the one kept before, reads back as kept, is emptied by
 * a reset, and a damaged or truncated one is refused or read within its
 * bounds, increasing. */
static void
test_sentences(void **state)
{
    (void)state;
    ns__posmap_builder b = { 0 };
    ns_buf out = { 0 };
    uint32_t *pairs = NULL;
    size_t cap = 0, n = 0;
    ns__posmap_reset(&b);
    assert_int_equal(ns__posmap_encode_sentences(&b, &out), NS_OK);
    assert_int_equal(out.len, 0); /* none: no value */
    uint32_t want[2 * 2000];
    size_t n_want = 0;
    uint32_t pos = 7, last = 0;
    size_t off = 3;
    for (int i = 0; i < 2000; i++) {
        assert_int_equal(ns__posmap_sentence(&b, pos, off), NS_OK);
        if (n_want == 0 || pos >= last + NS_POSMAP_SENT_WORDS) {
            assert_true(n_want < 2000);
            want[2 * n_want] = pos;
            want[2 * n_want + 1] = (uint32_t)off;
            n_want++;
            last = pos;
        }
        pos += 1 + rnd(30);
        off += 1 + rnd(400);
    }
    assert_int_equal(ns__posmap_encode_sentences(&b, &out), NS_OK);
    assert_int_equal(ns__posmap_read_sentences(out.data, out.len, &pairs,
                                               &cap, &n),
                     NS_OK);
    assert_int_equal(n, n_want);
    assert_memory_equal(pairs, want, 2 * n * sizeof *pairs);
    /* Truncated: refused. */
    for (size_t len = 0; len < out.len; len++)
        assert_int_equal(ns__posmap_read_sentences(out.data, len, &pairs,
                                                   &cap, &n),
                         NS_ERR_INDEX_CORRUPT);
    /* Damaged: refused, or read in bounds and increasing. */
    for (int round = 0; round < 3000; round++) {
        unsigned char *d = malloc(out.len);
        assert_non_null(d);
        memcpy(d, out.data, out.len);
        for (unsigned k = 0; k < 1 + rnd(3); k++)
            d[rnd((unsigned)out.len)] = (unsigned char)rnd(256);
        if (ns__posmap_read_sentences(d, out.len, &pairs, &cap, &n) ==
            NS_OK)
            for (size_t i = 1; i < n; i++)
                assert_true(pairs[2 * i] > pairs[2 * i - 2] &&
                            pairs[2 * i + 1] > pairs[2 * i - 1]);
        free(d);
    }
    ns__posmap_reset(&b);
    assert_int_equal(ns__posmap_encode_sentences(&b, &out), NS_OK);
    assert_int_equal(out.len, 0);
    free(pairs);
    ns__buf_free(&out);
    ns__posmap_builder_free(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_collisions),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_damage),
        cmocka_unit_test(test_sentences),
        cmocka_unit_test(test_version1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
