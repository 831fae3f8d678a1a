/*
 * store_ratio.c: what the stored texts of an index cost, and what its
 * trained zstd dictionary gains: every record is decoded and its text
 * compressed again at the same level without a dictionary.  For
 * bench/perf; built with the tests (it links the library's internals).
 *
 * usage: store_ratio INDEX
 * Prints one JSON object: articles, text_bytes (uncompressed), frame_bytes
 * (the texts as stored), plain_bytes (the texts compressed without the
 * dictionary), field_bytes (the records' other fields, as stored),
 * record_bytes, dict_bytes (the index's dictionary), ratio_dict and
 * ratio_plain (text_bytes / frame_bytes, text_bytes / plain_bytes).
 */
#include "core/db.h"
#include "core/schema.h"
#include "core/store.h"

#include <stdio.h>

typedef struct ctx {
    ns_db *db;
    ns__store_sizes sz;
    ns_status st;
    uint32_t bad;
} ctx;

static int
one(uint32_t docid, const char *data, size_t len, void *payload)
{
    ctx *c = payload;
    c->st = ns__store_measure(c->db->store, data, len, &c->sz);
    c->bad = docid;
    return c->st != NS_OK;
}

static double
ratio(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : 0;
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: store_ratio INDEX\n");
        return 2;
    }
    char *err = NULL;
    ctx c = { NULL, { 0 }, NS_OK, 0 };
    ns_status st = ns_db_open(argv[1], NS_OPEN_READ, &c.db, &err);
    if (st != NS_OK) {
        fprintf(stderr, "store_ratio: %s\n", err ? err : ns_strerror(st));
        ns_free(err);
        return 1;
    }
    ns_buf dict = { 0 };
    st = ns__xdb_get_metadata(c.db->x, NS_META_ZDICT, &dict);
    if (st == NS_OK)
        st = ns__xdb_each_data(c.db->x, one, &c);
    if (st == NS_ERR_ABORTED)
        fprintf(stderr, "store_ratio: %s: article %u: %s\n", argv[1],
                (unsigned)c.bad, ns_strerror(c.st));
    else if (st != NS_OK)
        fprintf(stderr, "store_ratio: %s: %s\n", argv[1],
                ns__xdb_errmsg(c.db->x));
    else
        printf("{\"articles\": %llu, \"text_bytes\": %llu, "
               "\"frame_bytes\": %llu, \"plain_bytes\": %llu, "
               "\"field_bytes\": %llu, \"record_bytes\": %llu, "
               "\"dict_bytes\": %zu, \"ratio_dict\": %.4f, "
               "\"ratio_plain\": %.4f}\n",
               (unsigned long long)c.sz.records,
               (unsigned long long)c.sz.text_bytes,
               (unsigned long long)c.sz.frame_bytes,
               (unsigned long long)c.sz.plain_bytes,
               (unsigned long long)c.sz.field_bytes,
               (unsigned long long)c.sz.record_bytes, dict.len,
               ratio(c.sz.text_bytes, c.sz.frame_bytes),
               ratio(c.sz.text_bytes, c.sz.plain_bytes));
    ns__buf_free(&dict);
    ns_db_close(c.db);
    return st == NS_OK ? 0 : 1;
}
