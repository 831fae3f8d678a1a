/*
 * test_searcher_dict_reopen.c: a reader that opened an index before it had
 * a compression dictionary, then moves to a revision whose articles need
 * one (a search retried after a writer's commits does this), loads the
 * dictionary and decodes the new articles.  Deterministic: the reader is
 * moved with ns__xdb_reopen, which is what the search retry calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/db.h"

static void
test_reader_loads_a_new_dictionary(void **state)
{
    (void)state;
    const char *src = getenv("NS_SOURCE_DIR");
    assert_non_null(src);
    char dir[] = "/tmp/nsdictXXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64], in[64], cmd[512];
    snprintf(path, sizeof path, "%s/idx", dir);
    snprintf(in, sizeof in, "%s/in.jsonl", dir);
    snprintf(cmd, sizeof cmd,
             "zstd -qdc %s/corpus/sample/whitehouse-sample.jsonl.zst | "
             "head -n 400 > %s",
             src, in);
    assert_int_equal(system(cmd), 0);

    ns_db *w = NULL;
    assert_int_equal(ns_db_open(path, NS_OPEN_WRITE | NS_OPEN_CREATE, &w,
                                NULL),
                     NS_OK);
    for (int i = 0; i < 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "t%d", i);
        ns_article a = NS_ARTICLE_INIT;
        a.id = id;
        a.title = "A tiny dispatch";
        a.text = "the president spoke";
        a.text_len = strlen(a.text);
        assert_int_equal(ns_db_add_article(w, &a), NS_OK);
    }
    assert_int_equal(ns_db_commit(w), NS_OK);
    assert_false(w->has_dict); /* three articles: no dictionary */

    ns_db *r = NULL;
    assert_int_equal(ns_db_open(path, NS_OPEN_READ, &r, NULL), NS_OK);
    assert_false(r->has_dict);

    assert_int_equal(ns_db_add_path(w, in, NULL, NULL), NS_OK);
    assert_true(w->has_dict); /* trained on the 400 articles */

    assert_int_equal(ns__xdb_reopen(r->x), NS_OK);
    assert_true(r->has_dict);
    ns_results *res = NULL;
    assert_int_equal(ns_db_search(r, "president", NULL, &res), NS_OK);
    assert_true(ns_results_count(res) > 3);
    for (size_t i = 0; i < ns_results_count(res); i++)
        assert_true(ns_results_get(res, i)->snippet_len > 0);
    ns_results_free(res);
    ns_db_close(r);
    ns_db_close(w);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_loads_a_new_dictionary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
