/*
 * fuzz_query.c: libFuzzer entry point for the query parser.  The first
 * byte picks the mode (odd: plain words), the rest up to a NUL is the
 * query.  Every query must parse to NS_OK or NS_ERR_QUERY_EMPTY, keep the
 * promises of query.h (terms non-empty, phrases inside the terms, words'
 * byte ranges inside the query), and run as a search with snippets whose
 * highlights are ordered, non-overlapping ranges inside the snippet.  The
 * index is a few articles made once in a temporary directory, removed at
 * exit.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "searcher/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                              \
    do {                                                                      \
        if (!(x))                                                             \
            abort();                                                          \
    } while (0)

static const char *const articles[][3] = {
    { "1", "Air strikes near Latakia",
      "Russian air strikes hit targets near Latakia. The al-Assad "
      "government said the strikes were aimed at rebels; U.S. officials "
      "disagreed." },
    { "2", "Sanctions on Syria",
      "The sanctions, first imposed in 2011, were extended. “Sanctions "
      "work,” said Pérez.  東京 reported the news.\n\nA second paragraph." },
    { "3", "Earthquake", "Rescue teams arrived after the earthquake." },
};

static char fq_dir[] = "/tmp/ns-fuzz-query-XXXXXX";
static ns_db *fq_db;

static void
fq_cleanup(void)
{
    ns_db_close(fq_db);
    fq_db = NULL;
    DIR *d = opendir(fq_dir);
    if (!d)
        return;
    struct dirent *de;
    char path[sizeof fq_dir + 300];
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", fq_dir, de->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(fq_dir);
}

static ns_db *
open_index(void)
{
    if (fq_db)
        return fq_db;
    CHECK(mkdtemp(fq_dir));
    atexit(fq_cleanup);
    ns_db *w;
    CHECK(ns_db_open(fq_dir, NS_OPEN_WRITE | NS_OPEN_CREATE, &w, NULL) ==
          NS_OK);
    for (size_t i = 0; i < sizeof articles / sizeof articles[0]; i++) {
        ns_article a = NS_ARTICLE_INIT;
        a.id = articles[i][0];
        a.title = articles[i][1];
        a.text = articles[i][2];
        a.text_len = strlen(a.text);
        a.date = "2015-09-30";
        a.source = "Wire";
        CHECK(ns_db_add_article(w, &a) == NS_OK);
    }
    CHECK(ns_db_commit(w) == NS_OK);
    ns_db_close(w);
    CHECK(ns_db_open(fq_dir, NS_OPEN_READ, &fq_db, NULL) == NS_OK);
    return fq_db;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    ns_db *db = open_index();
    int plain = data[0] & 1;
    char *text = malloc(size);
    CHECK(text);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    size_t len = strlen(text);

    ns__query q;
    ns_status st = ns__query_parse(db, text, plain ? NS_QUERY_PLAIN : 0, &q);
    CHECK(st == NS_OK || st == NS_ERR_QUERY_EMPTY);
    if (st == NS_OK) {
        CHECK(q.xq);
        char *d = ns__xq_describe(q.xq);
        CHECK(d);
        ns_free(d);
        for (size_t i = 0; i < q.n_terms; i++) {
            CHECK(q.terms[i].text && q.terms[i].text[0]);
            CHECK(q.terms[i].phrase < (int)q.n_phrases);
        }
        for (size_t i = 0; i < q.n_phrases; i++)
            CHECK(q.phrases[i].n >= 2 &&
                  q.phrases[i].first + q.phrases[i].n <= q.n_terms);
        for (size_t i = 0; i < q.n_words; i++)
            CHECK(q.words[i].start < q.words[i].end &&
                  q.words[i].end <= len && q.words[i].word[0]);
        ns__query_free(&q);
    }

    ns_search_options o = NS_SEARCH_OPTIONS_INIT;
    o.plain = plain;
    ns_results *r = NULL;
    st = ns_db_search(db, text, &o, &r);
    CHECK(st == NS_OK || st == NS_ERR_QUERY_EMPTY);
    for (size_t i = 0; i < ns_results_count(r); i++) {
        const ns_hit *h = ns_results_get(r, i);
        CHECK(strlen(h->snippet) == h->snippet_len);
        size_t at = 0;
        for (size_t k = 0; k < h->n_highlights; k++) {
            CHECK(h->highlights[k].start >= at);
            CHECK(h->highlights[k].start < h->highlights[k].end);
            CHECK(h->highlights[k].end <= h->snippet_len);
            at = h->highlights[k].end;
        }
    }
    ns_results_free(r);
    free(text);
    return 0;
}
