/*
 * test_indexer_ids.c: the id term of an article whose id is local (digits
 * only: a record number) is scoped by its file, which earlier indexes did
 * not do.  An index written before holds such an article under the plain
 * "Q" + id term: when its file changes and is read again, the articles of
 * the old term go (by the file's "F" term) and the scoped ones take their
 * place; none is left twice.  The old layout is written here with
 * ns__index_write and no file, which gives the plain term and the F term
 * as the old indexer did.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "core/db.h"
#include "indexer/indexer.h"

static uint64_t
termfreq(ns_db *db, const char *term)
{
    uint64_t n = 0;
    assert_int_equal(ns__xdb_termfreq(db->x, term, &n), NS_OK);
    return n;
}

static uint64_t
doccount(ns_db *db)
{
    uint64_t n = 0;
    assert_int_equal(ns__xdb_doccount(db->x, &n), NS_OK);
    return n;
}

static void
test_old_plain_terms_replaced(void **state)
{
    (void)state;
    char dir[] = "/tmp/nsidsXXXXXX";
    assert_non_null(mkdtemp(dir));
    char idx[64], in[64], file[80];
    snprintf(idx, sizeof idx, "%s/idx", dir);
    snprintf(in, sizeof in, "%s/in", dir);
    snprintf(file, sizeof file, "%s/a.jsonl", in);
    assert_int_equal(mkdir(in, 0777), 0);

    /* The old layout: records 1 and 2 of a.jsonl under "Q1" and "Q2". */
    ns_db *db = NULL;
    assert_int_equal(ns_db_open(idx, NS_OPEN_WRITE | NS_OPEN_CREATE, &db, NULL),
                     NS_OK);
    char fterm[18];
    ns__track_fterm(file, fterm);
    static const char *const ids[] = { "1", "2" };
    for (int i = 0; i < 2; i++) {
        ns_article a = NS_ARTICLE_INIT;
        a.id = ids[i];
        a.title = "Old";
        a.text = "zqold before";
        a.text_len = strlen(a.text);
        assert_int_equal(ns__index_write(db, &a, NULL, fterm, 0, 1u << 30),
                         NS_OK);
    }
    assert_int_equal(ns_db_commit(db), NS_OK);
    ns_db_close(db);

    /* a.jsonl read now: record 1 changed, record 2 the same. */
    FILE *fp = fopen(file, "w");
    assert_non_null(fp);
    fputs("{\"id\":1,\"title\":\"New\",\"text\":\"zqnew after\"}\n"
          "{\"id\":2,\"title\":\"Old\",\"text\":\"zqold before\"}\n",
          fp);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(ns_db_open(idx, NS_OPEN_WRITE, &db, NULL), NS_OK);
    assert_int_equal(termfreq(db, "Q1"), 1);
    ns_index_options o = NS_INDEX_OPTIONS_INIT;
    ns_index_stats st;
    memset(&st, 0, sizeof st);
    assert_int_equal(ns_db_add_path(db, in, &o, &st), NS_OK);
    assert_int_equal(st.articles_indexed, 2);
    assert_int_equal(st.articles_deleted, 2);
    assert_int_equal(doccount(db), 2);
    assert_int_equal(termfreq(db, "Q1"), 0);
    assert_int_equal(termfreq(db, "Q2"), 0);
    assert_int_equal(termfreq(db, fterm), 2);
    assert_int_equal(termfreq(db, "zqold"), 1);
    assert_int_equal(termfreq(db, "zqnew"), 1);
    uint64_t n = 0;
    assert_int_equal(ns__xdb_count_terms(db->x, "Q1\t", &n), NS_OK);
    assert_int_equal(n, 1);

    /* Read again after a touch: the scoped terms find them unchanged. */
    fp = fopen(file, "a");
    assert_non_null(fp);
    fputs("\n", fp);
    assert_int_equal(fclose(fp), 0);
    memset(&st, 0, sizeof st);
    assert_int_equal(ns_db_add_path(db, in, &o, &st), NS_OK);
    assert_int_equal(st.articles_unchanged, 2);
    assert_int_equal(st.articles_indexed, 0);
    assert_int_equal(st.articles_deleted, 0);
    assert_int_equal(doccount(db), 2);
    ns_db_close(db);

    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_old_plain_terms_replaced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
