/*
 * test_core_store.c: stored records (core/store.h).  A record round-trips
 * with and without a dictionary; it holds nothing in plain (Xapian would
 * zlib-compress it, and every read would inflate it); records of version 1
 * still decode; damaged records are refused, never misread; long texts
 * decode in steps.
 */
#define _GNU_SOURCE 1 /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>
#include <zstd.h>

#include "core/store.h"

/* Words for made-up articles: varied enough that zstd codes them as
 * news text (Huffman-coded literals, short matches), not as repeats. */
static const char *const WORDS[] = {
    "the", "president", "minister", "met", "in", "Latakia", "on", "Tuesday",
    "airbase", "ceasefire", "reconstruction", "port", "talks", "Russian",
    "Syrian", "officials", "said", "a", "of", "to", "and", "forces",
    "government", "agreement", "week", "after", "before", "security",
    "council", "vote", "election", "economy", "prices", "oil", "markets",
    "reported", "statement", "spokesman", "Damascus", "Moscow", "Washington",
    "aid", "convoy", "border", "refugees", "strike", "was", "were", "by",
    "with", "that", "it", "its", "for", "from", "new", "first", "last",
};

static uint32_t
rnd(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 8;
}

static void
make_article(ns_article *a, ns_buf *text, int i)
{
    static char id[32], title[96];
    snprintf(id, sizeof id, "wire-%04d", i);
    snprintf(title, sizeof title, "Talks on the airbase, day %d", i);
    ns__buf_reset(text);
    uint32_t seed = (uint32_t)i * 7919u + 1;
    size_t words = 300 + rnd(&seed) % 700;
    for (size_t k = 0; k < words; k++) {
        ns__buf_puts(text, WORDS[rnd(&seed) % (sizeof WORDS / sizeof *WORDS)]);
        ns__buf_puts(text, k % 17 == 16 ? ". " : " ");
    }
    *a = (ns_article)NS_ARTICLE_INIT;
    a->id = id;
    a->title = title;
    a->date = "2015-09-30T10:00:00Z";
    a->source = "Example Wire";
    a->url = "https://news.example.org/2015/09/30/airbase";
    a->author = "A. Reporter";
    a->language = "en";
    a->text = text->data;
    a->text_len = text->len;
}

static void
check_roundtrip(ns__store *s, const ns_article *a, const char *file,
                const ns_buf *rec_bytes)
{
    ns__record rec;
    memset(&rec, 0, sizeof rec);
    assert_int_equal(ns__store_decode(s, rec_bytes->data, rec_bytes->len, 1,
                                      &rec),
                     NS_OK);
    assert_string_equal(rec.id, a->id);
    assert_string_equal(rec.title, a->title);
    assert_string_equal(rec.date, a->date);
    assert_string_equal(rec.source, a->source);
    assert_string_equal(rec.url, a->url);
    assert_string_equal(rec.author, a->author);
    assert_string_equal(rec.language, a->language);
    assert_string_equal(rec.file, file ? file : "");
    assert_int_equal(rec.text_len, a->text_len);
    assert_memory_equal(rec.text, a->text, a->text_len);
    /* Fields only: no text. */
    assert_int_equal(ns__store_decode(s, rec_bytes->data, rec_bytes->len, 0,
                                      &rec),
                     NS_OK);
    assert_string_equal(rec.title, a->title);
    assert_null(rec.text);
    ns__record_free(&rec);
}

/* Whether zlib's deflate (what Xapian's glass backend tries on document
 * data) would make data smaller. */
static int
deflate_shrinks(const char *data, size_t len)
{
    uLongf n = compressBound((uLong)len);
    Bytef *out = malloc(n);
    assert_non_null(out);
    assert_int_equal(compress2(out, &n, (const Bytef *)data, (uLong)len,
                               Z_DEFAULT_COMPRESSION),
                     Z_OK);
    free(out);
    return n - 6 < len; /* less the zlib header and trailer */
}

static void
test_roundtrip_without_and_with_dictionary(void **state)
{
    (void)state;
    ns__store *s = NULL;
    assert_int_equal(ns__store_new(&s), NS_OK);
    ns_buf text = { 0 }, rec = { 0 }, samples = { 0 }, dict = { 0 };
    ns_article a;

    make_article(&a, &text, 1);
    assert_int_equal(ns__store_encode(s, &a, "in/wire.jsonl", &rec), NS_OK);
    assert_int_equal((unsigned char)rec.data[0], 2);
    check_roundtrip(s, &a, "in/wire.jsonl", &rec);
    /* Neither the title nor the URL is in plain. */
    assert_null(memmem(rec.data, rec.len, a.title, strlen(a.title)));
    assert_null(memmem(rec.data, rec.len, "news.example.org", 16));

    /* Train a dictionary the way the indexer does (text and fields). */
    size_t sizes[400];
    for (int i = 0; i < 200; i++) {
        make_article(&a, &text, i);
        size_t before = samples.len;
        ns__buf_append(&samples, a.text, a.text_len > 1024 ? 1024
                                                           : a.text_len);
        sizes[2 * i] = samples.len - before;
        ns__store_fields(&a, "in/wire.jsonl", &samples);
        sizes[2 * i + 1] = samples.len - before - sizes[2 * i];
    }
    assert_false(samples.oom);
    assert_int_equal(ns__store_train(samples.data, sizes, 400, &dict), NS_OK);
    ns__store *d = NULL;
    assert_int_equal(ns__store_new(&d), NS_OK);
    assert_int_equal(ns__store_set_dict(d, dict.data, dict.len), NS_OK);
    int shrinks = 0;
    for (int i = 0; i < 200; i++) {
        make_article(&a, &text, i);
        assert_int_equal(ns__store_encode(d, &a, NULL, &rec), NS_OK);
        check_roundtrip(d, &a, NULL, &rec);
        shrinks += deflate_shrinks(rec.data, rec.len);
    }
    /* With the dictionary, zlib finds nothing left to take out. */
    assert_int_equal(shrinks, 0);
    /* A store without that dictionary refuses its records. */
    ns__record r;
    memset(&r, 0, sizeof r);
    assert_int_equal(ns__store_decode(s, rec.data, rec.len, 0, &r),
                     NS_ERR_INDEX_CORRUPT);
    ns__record_free(&r);

    ns__store_free(s);
    ns__store_free(d);
    ns__buf_free(&text);
    ns__buf_free(&rec);
    ns__buf_free(&samples);
    ns__buf_free(&dict);
}

/* A record of version 1, as nsearch wrote them before 2026-11-28: the
 * fields in plain, the text's length, the text's frame. */
static void
test_version_1_records_still_decode(void **state)
{
    (void)state;
    ns__store *s = NULL;
    assert_int_equal(ns__store_new(&s), NS_OK);
    ns_buf text = { 0 }, v1 = { 0 }, v2 = { 0 };
    ns_article a;
    make_article(&a, &text, 3);
    /* The text's frame is the same in both versions: take it from a
     * version 2 record (after the fields' frame). */
    assert_int_equal(ns__store_encode(s, &a, "old.jsonl", &v2), NS_OK);
    const unsigned char *p = (const unsigned char *)v2.data + 1;
    const unsigned char *end = (const unsigned char *)v2.data + v2.len;
    uint64_t flen;
    assert_true(ns__get_varint(&p, end, &flen));
    p += flen;
    ns__buf_putc(&v1, 1);
    ns__store_fields(&a, "old.jsonl", &v1);
    ns__buf_put_varint(&v1, a.text_len);
    ns__buf_append(&v1, p, (size_t)(end - p));
    assert_false(v1.oom);
    check_roundtrip(s, &a, "old.jsonl", &v1);

    /* A version 1 record whose stated length is not its text's. */
    ns_buf bad = { 0 };
    ns__buf_putc(&bad, 1);
    ns__store_fields(&a, "old.jsonl", &bad);
    ns__buf_put_varint(&bad, a.text_len + 1);
    ns__buf_append(&bad, p, (size_t)(end - p));
    ns__record rec;
    memset(&rec, 0, sizeof rec);
    assert_int_equal(ns__store_decode(s, bad.data, bad.len, 1, &rec),
                     NS_ERR_INDEX_CORRUPT);
    ns__record_free(&rec);
    ns__buf_free(&bad);
    ns__store_free(s);
    ns__buf_free(&text);
    ns__buf_free(&v1);
    ns__buf_free(&v2);
}

static void
test_damaged_records_are_refused(void **state)
{
    (void)state;
    ns__store *s = NULL;
    assert_int_equal(ns__store_new(&s), NS_OK);
    ns_buf text = { 0 }, good = { 0 }, bad = { 0 };
    ns_article a;
    make_article(&a, &text, 2);
    assert_int_equal(ns__store_encode(s, &a, NULL, &good), NS_OK);
    ns__record rec;
    memset(&rec, 0, sizeof rec);

    /* Empty, unknown version. */
    assert_int_equal(ns__store_decode(s, good.data, 0, 0, &rec),
                     NS_ERR_INDEX_CORRUPT);
    ns__buf_reset(&bad);
    ns__buf_append(&bad, good.data, good.len);
    bad.data[0] = 3;
    assert_int_equal(ns__store_decode(s, bad.data, bad.len, 0, &rec),
                     NS_ERR_INDEX_CORRUPT);
    /* Every truncation fails cleanly (the fields' frame or the text's). */
    for (size_t n = 1; n < good.len; n++) {
        ns_status st = ns__store_decode(s, good.data, n, 1, &rec);
        assert_int_equal(st, NS_ERR_INDEX_CORRUPT);
    }
    /* A flipped byte anywhere: refused or decoded, never a crash (the
     * sanitizers watch); the version byte and lengths are checked. */
    for (size_t i = 1; i < good.len; i++) {
        ns__buf_reset(&bad);
        ns__buf_append(&bad, good.data, good.len);
        bad.data[i] ^= 0x5a;
        (void)ns__store_decode(s, bad.data, bad.len, 1, &rec);
    }
    /* A fields' frame whose length runs past the record. */
    ns__buf_reset(&bad);
    ns__buf_putc(&bad, 2);
    ns__buf_put_varint(&bad, 1000);
    ns__buf_append(&bad, "xyz", 3);
    assert_int_equal(ns__store_decode(s, bad.data, bad.len, 0, &rec),
                     NS_ERR_INDEX_CORRUPT);
    ns__record_free(&rec);
    ns__store_free(s);
    ns__buf_free(&text);
    ns__buf_free(&good);
    ns__buf_free(&bad);
}

/* Decode rec_bytes' text with NS_STORE_TEXT_START and then in steps;
 * returns the status of the first failing step, NS_OK when the text came
 * out whole (into *whole_out, which it must equal when given). */
static ns_status
decode_in_steps(ns__store *s, const ns_buf *rec_bytes, ns__record *rec,
                size_t *steps)
{
    *steps = 0;
    ns_status st = ns__store_decode(s, rec_bytes->data, rec_bytes->len,
                                    NS_STORE_TEXT_START, rec);
    while (st == NS_OK && rec->text_len < rec->text_whole) {
        size_t before = rec->text_len;
        st = ns__store_text_more(s, rec);
        if (st == NS_OK)
            assert_true(rec->text_len > before);
        (*steps)++;
    }
    return st;
}

/* The blocks a text of len bytes is stored in, as store.h describes them:
 * NS_STORE_TEXT_FIRST bytes, then twice as many each up to
 * NS_STORE_TEXT_BLOCK. */
static size_t
blocks_of(size_t len)
{
    size_t n = 0, b = NS_STORE_TEXT_FIRST;
    for (size_t off = 0; off < len; off += b, n++)
        while (b < NS_STORE_TEXT_BLOCK && b <= off)
            b *= 2;
    return n;
}

/* Long texts are stored in blocks and decode in steps to the same bytes:
 * short ones in one, long ones a step per block after the first, which
 * the start gives alone; a store that decodes
 * another record in between still gives the whole text (decoded again);
 * a text with one block (records made before) decodes in steps too; every
 * truncation of a record in blocks is refused at some step, and a flipped
 * byte gives an error or, when the one-shot decoding accepts it too, the
 * same bytes. */
static void
test_text_in_steps(void **state)
{
    (void)state;
    ns__store *s = NULL;
    assert_int_equal(ns__store_new(&s), NS_OK);
    /* A dictionary trained on made-up articles, as an index has one. */
    ns_buf samples = { 0 }, text = { 0 }, dict = { 0 };
    size_t sizes[200];
    for (int i = 0; i < 200; i++) {
        ns_article a;
        make_article(&a, &text, 100 + i);
        sizes[i] = a.text_len;
        ns__buf_append(&samples, a.text, a.text_len);
    }
    assert_int_equal(ns__store_train(samples.data, sizes, 200, &dict), NS_OK);
    assert_int_equal(ns__store_set_dict(s, dict.data, dict.len), NS_OK);

    static const size_t lens[] = { 0,     1,     100,   511,   512,
                                   513,   1536,  1537,  3584,  3585,
                                   4096,  7680,  7681,  8192,  16384,
                                   16385, 50000, 200000, 1500000 };
    ns_buf big = { 0 }, rec_bytes = { 0 }, other = { 0 };
    ns_article a;
    make_article(&a, &text, 7);
    assert_int_equal(ns__store_encode(s, &a, NULL, &other), NS_OK);
    for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
        /* News words, then a stretch of one byte (RLE blocks) and bytes
         * zstd cannot compress (raw blocks). */
        ns__buf_reset(&big);
        uint32_t seed = (uint32_t)li + 1;
        while (big.len < lens[li]) {
            if (big.len > 30000 && big.len < 40000) {
                ns__buf_putc(&big, 'x');
            } else if (big.len > 60000 && big.len < 90000) {
                ns__buf_putc(&big, (char)(rnd(&seed) & 0xff));
            } else {
                ns__buf_puts(&big, WORDS[rnd(&seed) %
                                         (sizeof WORDS / sizeof *WORDS)]);
                ns__buf_putc(&big, ' ');
            }
        }
        big.len = lens[li];
        a.text = big.data;
        a.text_len = big.len;
        assert_int_equal(ns__store_encode(s, &a, NULL, &rec_bytes), NS_OK);

        ns__record rec;
        memset(&rec, 0, sizeof rec);
        size_t steps;
        assert_int_equal(decode_in_steps(s, &rec_bytes, &rec, &steps), NS_OK);
        assert_int_equal(rec.text_whole, big.len);
        assert_int_equal(rec.text_len, big.len);
        assert_memory_equal(rec.text, big.data, big.len);
        const size_t first = NS_STORE_TEXT_FIRST;
        assert_int_equal(steps, big.len ? blocks_of(big.len) - 1 : 0);
        /* The start is the first block alone. */
        assert_int_equal(ns__store_decode(s, rec_bytes.data, rec_bytes.len,
                                          NS_STORE_TEXT_START, &rec),
                         NS_OK);
        assert_int_equal(rec.text_len, big.len < first ? big.len : first);
        assert_memory_equal(rec.text, big.data, rec.text_len);

        /* Another decode between two steps: the rest comes out right. */
        if (big.len > first) {
            assert_int_equal(ns__store_decode(s, rec_bytes.data,
                                              rec_bytes.len,
                                              NS_STORE_TEXT_START, &rec),
                             NS_OK);
            assert_true(rec.text_len < big.len);
            ns__record r2;
            memset(&r2, 0, sizeof r2);
            assert_int_equal(ns__store_decode(s, other.data, other.len, 1,
                                              &r2),
                             NS_OK);
            ns__record_free(&r2);
            while (rec.text_len < rec.text_whole)
                assert_int_equal(ns__store_text_more(s, &rec), NS_OK);
            assert_memory_equal(rec.text, big.data, big.len);
        }

        if (big.len > first) {
            /* The same text in one block, as records made before blocks
             * were stored: it decodes in steps too. */
            const unsigned char *p = (const unsigned char *)rec_bytes.data + 1;
            const unsigned char *end = p + rec_bytes.len - 1;
            uint64_t flen;
            assert_true(ns__get_varint(&p, end, &flen));
            p += flen;
            ns_buf one_block = { 0 };
            ns__buf_append(&one_block, rec_bytes.data,
                           (size_t)(p - (const unsigned char *)rec_bytes.data));
            size_t bound = ZSTD_compressBound(big.len);
            assert_int_equal(ns__buf_reserve(&one_block, bound), 0);
            size_t r = ZSTD_compress(one_block.data + one_block.len, bound,
                                     big.data, big.len, 3);
            assert_false(ZSTD_isError(r));
            one_block.len += r;
            assert_int_equal(decode_in_steps(s, &one_block, &rec, &steps),
                             NS_OK);
            assert_int_equal(rec.text_len, big.len);
            assert_memory_equal(rec.text, big.data, big.len);
            ns__buf_free(&one_block);
        }

        if (big.len == 50000) {
            /* Cut anywhere in the text's frame: refused at some step. */
            ns_buf cut = { 0 };
            for (size_t n = rec_bytes.len - 1; n > rec_bytes.len - 3000;
                 n -= 7) {
                ns__buf_reset(&cut);
                ns__buf_append(&cut, rec_bytes.data, n);
                assert_int_equal(decode_in_steps(s, &cut, &rec, &steps),
                                 NS_ERR_INDEX_CORRUPT);
            }
            /* A flipped byte: an error, or what the one-shot gives. */
            ns__record one;
            memset(&one, 0, sizeof one);
            for (size_t i = 1; i < rec_bytes.len; i += 3) {
                ns__buf_reset(&cut);
                ns__buf_append(&cut, rec_bytes.data, rec_bytes.len);
                cut.data[i] ^= 0x21;
                ns_status st1 = ns__store_decode(s, cut.data, cut.len, 1,
                                                 &one);
                ns_status st2 = decode_in_steps(s, &cut, &rec, &steps);
                if (st1 == NS_OK && st2 == NS_OK) {
                    assert_int_equal(one.text_len, rec.text_len);
                    assert_memory_equal(one.text, rec.text, rec.text_len);
                }
            }
            ns__record_free(&one);
            ns__buf_free(&cut);
        }
        ns__record_free(&rec);
    }
    ns__store_free(s);
    ns__buf_free(&samples);
    ns__buf_free(&text);
    ns__buf_free(&dict);
    ns__buf_free(&big);
    ns__buf_free(&rec_bytes);
    ns__buf_free(&other);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_without_and_with_dictionary),
        cmocka_unit_test(test_version_1_records_still_decode),
        cmocka_unit_test(test_damaged_records_are_refused),
        cmocka_unit_test(test_text_in_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
