/*
 * fuzz_posmap.c: libFuzzer entry point for position maps (core/posmap.c).
 * The first byte chooses:
 *
 *   even: the rest is one part of a map, as an index could hold it after
 *         damage: ns__posmap_open, then ns__posmap_find of a few keys and
 *         every position of what it finds, must refuse it or read it
 *         within its bounds (ASan watches), and give positions below P in
 *         ascending order;
 *   odd:  the rest is an article: each byte a token (its low 5 bits the
 *         term, of 32; bit 5 a gap before it; bit 6 the title's end),
 *         built into a map that must read back every term's positions.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/posmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                    \
    do {                                                            \
        if (!(x)) {                                                 \
            fprintf(stderr, "fuzz_posmap: check failed: %s\n", #x); \
            abort();                                                \
        }                                                           \
    } while (0)

/* Read every position of l: ascending, below P. */
static void
read_list(const ns__posmap *m, const ns__posmap_list *l)
{
    if (l->n == NS_POSMAP_AMBIGUOUS)
        return;
    ns__posmap_iter it;
    ns__posmap_iter_init(&it, l);
    uint32_t pos, n = 0;
    int64_t last = -1;
    int r;
    while ((r = ns__posmap_next(m, &it, &pos)) == 1) {
        CHECK((int64_t)pos > last && pos < m->p_end);
        last = pos;
        n++;
    }
    CHECK(r == 0 ? n == l->n : n < l->n);
}

static void
damaged(const uint8_t *data, size_t size)
{
    ns__posmap m;
    if (ns__posmap_open(&m, data, size) != NS_OK)
        return;
    uint32_t keys[4] = { 0, 0x00010000u, 0x1FFF0000u, 0x12345678u };
    if (size >= 4)
        memcpy(&keys[3], data + size - 4, 4);
    ns__posmap_list l[4];
    if (ns__posmap_find(&m, keys, 4, l) != NS_OK)
        return;
    for (int i = 0; i < 4; i++)
        read_list(&m, &l[i]);
}

static void
built(const uint8_t *data, size_t size)
{
    static const char *const words[32] = {
        "a",  "b",  "c",  "d",  "e",  "f",  "g",  "h",  "i",  "j",  "k",
        "l",  "m",  "n",  "o",  "p",  "q",  "r",  "s",  "t",  "u",  "v",
        "w",  "x",  "y",  "z",  "aa", "bb", "cc", "dd", "ee", "ff",
    };
    uint32_t *pos = malloc((size ? size : 1) * sizeof *pos);
    CHECK(pos != NULL);
    ns__posmap_builder b = { 0 };
    ns__posmap_reset(&b);
    int title = 1;
    uint32_t p = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] & 0x40 && title) {
            title = 0;
            p += 100; /* the indexer's gap */
        }
        p += data[i] & 0x20 ? 3 : 0;
        pos[i] = p;
        const char *w = words[data[i] & 31];
        CHECK(ns__posmap_add(&b, title, p, w, strlen(w)) == NS_OK);
        p++;
    }
    ns_buf part[NS_POSMAP_PARTS];
    memset(part, 0, sizeof part);
    CHECK(ns__posmap_encode(&b, part) == NS_OK);
    for (int t = 0; t < 32; t++) {
        uint32_t key = ns__posmap_key(words[t], strlen(words[t]));
        const ns_buf *pb = &part[NS_POSMAP_PART(key)];
        size_t n = 0;
        for (size_t i = 0; i < size; i++)
            n += (data[i] & 31) == t;
        if (!n)
            continue;
        ns__posmap m;
        CHECK(pb->len && ns__posmap_open(&m, pb->data, pb->len) == NS_OK);
        ns__posmap_list l;
        CHECK(ns__posmap_find(&m, &key, 1, &l) == NS_OK);
        CHECK(l.n == n); /* (32 words: no two share 32 bits of key) */
        ns__posmap_iter it;
        ns__posmap_iter_init(&it, &l);
        for (size_t i = 0; i < size; i++) {
            if ((data[i] & 31) != t)
                continue;
            uint32_t got;
            CHECK(ns__posmap_next(&m, &it, &got) == 1 && got == pos[i]);
        }
    }
    for (int s = 0; s < NS_POSMAP_PARTS; s++)
        ns__buf_free(&part[s]);
    ns__posmap_builder_free(&b);
    free(pos);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1)
        built(data + 1, size - 1);
    else
        damaged(data + 1, size - 1);
    return 0;
}
