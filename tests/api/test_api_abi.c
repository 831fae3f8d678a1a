/*
 * test_api_abi.c: a program built against an older nsearch.h keeps
 * working.  Its options structs are shorter (they end with the fields of
 * the version it passes) and its ns_index_stats ends with version 1's
 * counters, its ns_db_info with version 1's fields: the library must read
 * and write no byte past them.  Each such
 * struct is put at the very end of a page followed by an inaccessible one,
 * so that a byte too far faults; the padding a shorter struct may end with
 * is filled with garbage, which must change nothing (compared with the same
 * call made with the _INIT defaults).  The boundaries of the versions are
 * written here once, from the header's history; later versions only add
 * their own.  Uses only nsearch.h.
 *
 * A "Segmentation fault" here means that the library touched a field past
 * the version the caller passed: read a field added in version N only when
 * opts->version >= N, and give new fields a new version (and _INIT).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "nsearch.h"

/* Where each older version of a struct ends (what its users allocate). */
#define ALIGN8(n)           (((n) + 7) & ~(size_t)7)
#define SEARCH_OPTS_V1_SIZE offsetof(ns_search_options, plain)
#define SEARCH_OPTS_V2_SIZE \
    ALIGN8(offsetof(ns_search_options, plain) + sizeof(int))
#define INDEX_OPTS_V1_SIZE offsetof(ns_index_options, flags)
#define OPEN_OPTS_V1_SIZE \
    (offsetof(ns_open_options, lock_timeout_ms) + sizeof(int))
#define INDEX_STATS_V1_SIZE offsetof(ns_index_stats, articles_unchanged)
#define INDEX_STATS_V2_SIZE offsetof(ns_index_stats, articles_by_format)
#define DB_INFO_V1_SIZE     offsetof(ns_db_info, writer)
#define DB_INFO_V2_SIZE     offsetof(ns_db_info, positions)

typedef struct fixture {
    char dir[64];
    char path[96];
    char file[128]; /* a JSON lines file of two articles */
    ns_db *db;      /* a reader */
    long page;
    char *pages; /* four: pages 1 and 3 inaccessible */
} fixture;

/* size bytes ending where inaccessible page 1 (or 3, for area 1) begins,
 * filled with garbage. */
static void *
at_page_end(fixture *f, int area, size_t size)
{
    char *p = f->pages + (2 * area + 1) * f->page - size;
    memset(p, 0xA5, size);
    return p;
}

static void
rmrf(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

static void
add(ns_db *db,
    const char *id,
    const char *source,
    const char *date,
    const char *title,
    const char *text)
{
    ns_article a = NS_ARTICLE_INIT;
    a.id = id;
    a.source = source;
    a.date = date;
    a.title = title;
    a.text = text;
    a.text_len = strlen(text);
    assert_int_equal(ns_db_add_article(db, &a), NS_OK);
}

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/nsabiXXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/idx", f->dir);
    snprintf(f->file, sizeof f->file, "%s/two.jsonl", f->dir);
    FILE *fp = fopen(f->file, "w");
    assert_non_null(fp);
    fputs("{\"id\": \"j1\", \"title\": \"Harvest report\", \"text\": "
          "\"Wheat yields were high.\"}\n"
          "{\"id\": \"j2\", \"title\": \"Drought\", \"text\": \"Wheat "
          "fields dried.\"}\n",
          fp);
    fclose(fp);

    ns_db *w = NULL;
    assert_int_equal(
        ns_db_open(f->path, NS_OPEN_WRITE | NS_OPEN_CREATE, &w, NULL), NS_OK);
    /* The same story from two outlets, and others. */
    const char *story = "Russian aircraft were seen at the airbase near "
                        "Latakia on Friday, officials said, as talks on "
                        "the ceasefire resumed in Geneva.";
    add(w, "s1", "Wire One", "2015-09-18", "Jets at Latakia airbase", story);
    add(w, "s2", "Wire Two", "2015-09-18", "Jets at Latakia airbase", story);
    add(w, "s3", "Wire One", "2015-10-02", "Talks resume in Geneva",
        "Diplomats met in Geneva; the airbase was not discussed.");
    add(w, "s4", "Daily", "2016-01-05", "Airbase expanded",
        "The airbase grew, with new hangars and a longer runway.");
    assert_int_equal(ns_db_commit(w), NS_OK);
    ns_db_close(w);
    assert_int_equal(ns_db_open(f->path, NS_OPEN_READ, &f->db, NULL), NS_OK);

    f->page = sysconf(_SC_PAGESIZE);
    f->pages = mmap(NULL, 4 * (size_t)f->page, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(f->pages != MAP_FAILED);
    for (int i = 1; i < 4; i += 2)
        assert_int_equal(
            mprotect(f->pages + i * f->page, (size_t)f->page, PROT_NONE), 0);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;
    ns_db_close(f->db);
    munmap(f->pages, 4 * (size_t)f->page);
    rmrf(f->dir);
    free(f);
    return 0;
}

/* The ids and scores of a search, as one string. */
static void
run_search(ns_db *db, const ns_search_options *o, char *out, size_t cap)
{
    ns_results *r = NULL;
    ns_status st = ns_db_search(db, "latakia airbase", o, &r);
    if (st != NS_OK)
        fail_msg("search: %s: %s", ns_strerror(st), ns_db_errmsg(db));
    size_t len = (size_t)snprintf(out, cap, "%zu:", ns_results_count(r));
    for (size_t i = 0; i < ns_results_count(r) && len < cap; i++) {
        const ns_hit *h = ns_results_get(r, i);
        len += (size_t)snprintf(out + len, cap - len, " %s/%.6f/%zu", h->id,
                                h->score, h->n_highlights);
    }
    ns_results_free(r);
}

static void
test_search_options_v1_v2(void **state)
{
    fixture *f = *state;
    char want[1024], got[1024];
    ns_search_options def = NS_SEARCH_OPTIONS_INIT;
    def.limit = 5;
    def.sort = NS_SORT_RELEVANCE;
    run_search(f->db, &def, want, sizeof want);

    /* Version 1: the struct ends with snippet_len. */
    ns_search_options *o = at_page_end(f, 0, SEARCH_OPTS_V1_SIZE);
    o->version = 1;
    o->limit = 5;
    o->offset = 0;
    o->sort = NS_SORT_RELEVANCE;
    o->since = NULL;
    o->until = NULL;
    o->no_snippets = 0;
    o->snippet_len = 0;
    run_search(f->db, o, got, sizeof got);
    assert_string_equal(got, want);

    /* Version 2: plain, then (in a version 2 program) padding. */
    o = at_page_end(f, 0, SEARCH_OPTS_V2_SIZE);
    o->version = 2;
    o->limit = 5;
    o->offset = 0;
    o->sort = NS_SORT_RELEVANCE;
    o->since = NULL;
    o->until = NULL;
    o->no_snippets = 0;
    o->snippet_len = 0;
    o->plain = 0;
    run_search(f->db, o, got, sizeof got);
    assert_string_equal(got, want);
}

static void
test_index_options_and_stats_v1(void **state)
{
    fixture *f = *state;
    ns_db *w = NULL;
    assert_int_equal(ns_db_open(f->path, NS_OPEN_WRITE, &w, NULL), NS_OK);

    /* A version 1 caller without options: only version 1's counters. */
    ns_index_stats *st = at_page_end(f, 1, INDEX_STATS_V1_SIZE);
    memset(st, 0, INDEX_STATS_V1_SIZE);
    assert_int_equal(ns_db_add_path(w, f->file, NULL, st), NS_OK);
    assert_int_equal(st->articles_indexed, 2);
    assert_int_equal(st->files_seen, 1);

    /* With version 1 options (ending with payload) and stats. */
    ns_index_options *o = at_page_end(f, 0, ALIGN8(INDEX_OPTS_V1_SIZE));
    o->version = 1;
    o->on_reject = NULL;
    o->on_progress = NULL;
    o->payload = NULL;
    memset(st, 0, INDEX_STATS_V1_SIZE);
    assert_int_equal(ns_db_add_path(w, f->file, o, st), NS_OK);
    assert_int_equal(st->files_seen, 1);
    ns_db_close(w);

    /* Both runs kept both articles (nothing pruned by garbage flags). */
    ns_results *r = NULL;
    ns_db *rd = NULL;
    assert_int_equal(ns_db_open(f->path, NS_OPEN_READ, &rd, NULL), NS_OK);
    assert_int_equal(ns_db_search(rd, "wheat", NULL, &r), NS_OK);
    assert_int_equal(ns_results_count(r), 2);
    ns_results_free(r);
    ns_db_close(rd);
}

/* Version 2 options: the stats end at bytes_done, no articles_by_format;
 * version 3 gets the articles per format. */
static void
test_index_stats_v2_v3(void **state)
{
    fixture *f = *state;
    ns_db *w = NULL;
    char idx[128];
    snprintf(idx, sizeof idx, "%s/idx3", f->dir);
    assert_int_equal(ns_db_open(idx, NS_OPEN_WRITE | NS_OPEN_CREATE, &w,
                                NULL),
                     NS_OK);
    ns_index_options o = NS_INDEX_OPTIONS_INIT;
    o.version = 2;
    ns_index_stats *st = at_page_end(f, 1, INDEX_STATS_V2_SIZE);
    memset(st, 0, INDEX_STATS_V2_SIZE);
    assert_int_equal(ns_db_add_path(w, f->file, &o, st), NS_OK);
    assert_int_equal(st->articles_indexed, 2);
    assert_int_equal(st->files_seen, 1);
    ns_db_close(w);

    rmrf(idx);
    assert_int_equal(ns_db_open(idx, NS_OPEN_WRITE | NS_OPEN_CREATE, &w,
                                NULL),
                     NS_OK);
    ns_index_options o3 = NS_INDEX_OPTIONS_INIT;
    ns_index_stats s3;
    memset(&s3, 0, sizeof s3);
    assert_int_equal(ns_db_add_path(w, f->file, &o3, &s3), NS_OK);
    assert_int_equal(s3.articles_indexed, 2);
    assert_string_equal(ns_format_name(0), "jsonl");
    assert_int_equal(s3.articles_by_format[0], 2);
    for (unsigned i = 1; i < NS_FORMAT_SLOTS; i++)
        assert_int_equal(s3.articles_by_format[i], 0);
    assert_null(ns_format_name(NS_FORMAT_SLOTS));
    ns_db_close(w);
    rmrf(idx);
}

static void
test_open_options_v1(void **state)
{
    fixture *f = *state;
    /* The struct as version 1's header declared it: 12 bytes, aligned to
     * 4 only, so placed where a pointer member could not be. */
    struct open_options_v1 {
        unsigned version, flags;
        int lock_timeout_ms;
    } *o1 = at_page_end(f, 0, OPEN_OPTS_V1_SIZE);
    assert_int_equal(sizeof *o1, OPEN_OPTS_V1_SIZE);
    o1->version = 1;
    o1->flags = NS_OPEN_READ;
    o1->lock_timeout_ms = 0;
    const ns_open_options *o = (const ns_open_options *)(void *)o1;
    ns_db *db = NULL;
    char *msg = NULL;
    ns_status st = ns_db_open_v2(f->path, o, &db, &msg);
    if (st != NS_OK)
        fail_msg("open v1: %s: %s", ns_strerror(st), msg ? msg : "");
    ns_db_info *info = at_page_end(f, 1, DB_INFO_V1_SIZE);
    assert_int_equal(ns_db_stat(db, info), NS_OK);
    assert_int_equal(info->articles, 4);
    ns_db_close(db);

    o1->flags = NS_OPEN_WRITE;
    assert_int_equal(ns_db_open_v2(f->path, o, &db, NULL), NS_OK);
    ns_db_close(db);
}

/* ns_db_info is the library's to fill: ns_db_stat() writes version 1's
 * fields only (the struct a program built against the first header has),
 * ns_db_stat_v2() those of the version it is given. */
static void
test_db_info_versions(void **state)
{
    fixture *f = *state;
    ns_db_info want;
    memset(&want, 0, sizeof want);
    assert_int_equal(ns_db_stat_v2(f->db, NS_DB_INFO_VERSION, &want), NS_OK);
    assert_int_equal(want.articles, 4);
    assert_int_equal(want.sources, 3);
    assert_true(want.size_bytes > 0);
    assert_string_not_equal(want.analyzer, "");
    assert_string_not_equal(want.location, "");

    /* Version 1, through both calls: at a page's end, so that a write of
     * a version 2 field faults. */
    for (int call = 0; call < 2; call++) {
        ns_db_info *v1 = at_page_end(f, 1, DB_INFO_V1_SIZE);
        assert_int_equal(
            call ? ns_db_stat_v2(f->db, 1, v1) : ns_db_stat(f->db, v1), NS_OK);
        assert_int_equal(v1->articles, want.articles);
        assert_int_equal(v1->size_bytes, want.size_bytes);
        assert_string_equal(v1->analyzer, want.analyzer);
        assert_string_equal(v1->updated, want.updated);
    }

    /* Version 2, at a page's end: a write of a version 3 field faults. */
    ns_db_info *v2 = at_page_end(f, 1, DB_INFO_V2_SIZE);
    assert_int_equal(ns_db_stat_v2(f->db, 2, v2), NS_OK);
    assert_int_equal(v2->articles, want.articles);
    assert_int_equal(v2->sources, want.sources);
    assert_int_equal(v2->files, want.files);
    assert_string_equal(v2->writer, "");
    assert_string_equal(v2->location, want.location);

    /* Version 3 fills all of today's struct, and no byte more. */
    ns_db_info *v3 = at_page_end(f, 1, sizeof(ns_db_info));
    assert_int_equal(ns_db_stat_v2(f->db, 3, v3), NS_OK);
    assert_int_equal(v3->articles, want.articles);
    assert_int_equal(v3->positions, 2); /* the default: position maps */

    /* A version the library does not know is refused, the struct left
     * alone, and the message says why. */
    ns_db_info *o = at_page_end(f, 1, sizeof(ns_db_info));
    unsigned char before[sizeof(ns_db_info)];
    memcpy(before, o, sizeof before);
    assert_int_equal(ns_db_stat_v2(f->db, 0, o), NS_ERR_INVALID_ARG);
    assert_int_equal(ns_db_stat_v2(f->db, NS_DB_INFO_VERSION + 1, o),
                     NS_ERR_INVALID_ARG);
    assert_non_null(strstr(ns_db_errmsg(f->db), "ns_db_info version"));
    assert_memory_equal(o, before, sizeof before);
    assert_int_equal(ns_db_stat_v2(NULL, 1, o), NS_ERR_INVALID_ARG);
    assert_int_equal(ns_db_stat_v2(f->db, 1, NULL), NS_ERR_INVALID_ARG);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_search_options_v1_v2, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_index_options_and_stats_v1, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_index_stats_v2_v3, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_open_options_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_db_info_versions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
