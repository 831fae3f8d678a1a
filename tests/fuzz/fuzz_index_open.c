/*
 * fuzz_index_open.c: libFuzzer entry point for opening and searching a
 * damaged index.  A small valid index is made once in a temporary
 * directory (removed at exit); each input damages a fresh copy of it, which
 * is then opened, searched (ranked with snippets, by date, a phrase, a
 * prefix, a filter) and described: every call must return one of the
 * statuses nsearch.h lists for it, never crash or hang.  The first byte
 * picks how the copy is damaged:
 *
 * - even: raw edits of its files, each
 *       op, offset (3 bytes, little-endian), n, n bytes of data
 *   where op % (number of files) picks the file and (op >> 5) & 3 the edit
 *   (0 overwrite at offset, 1 truncate at offset, 2 XOR at offset, 3
 *   overwrite with the offset counted from the end; offsets wrap at the
 *   file's size).  Xapian's glass backend has no checksums and trusts its
 *   files: some such edits crash inside libxapian (see bench/fuzz).
 * - odd: what nsearch itself reads back, written through Xapian so the
 *   files stay well-formed, each edit
 *       kind, n, n bytes
 *   where kind & 7 is 0-3 the metadata nsearch.schema, .analyzer, .zdict,
 *   .updated; 4 an article's stored record; 5 that record XORed from the
 *   offset in its first byte; 6 its date value; 7 its id value; and
 *   (kind >> 3) % 3 the article.
 *
 * An input with no edit must find every article, so the seeds prove the
 * index valid.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/db.h"
#include "core/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                        \
    do {                                                                \
        if (!(x)) {                                                     \
            fprintf(stderr, "fuzz_index_open: check failed: %s\n", #x); \
            abort();                                                    \
        }                                                               \
    } while (0)

/* A status check that names the status it got. */
#define CHECK_ST(st, x)                                              \
    do {                                                             \
        if (!(x)) {                                                  \
            fprintf(stderr, "fuzz_index_open: status %s (%d): %s\n", \
                    ns_strerror(st), (int)(st), #x);                 \
            abort();                                                 \
        }                                                            \
    } while (0)

#define FZ_MAX_FILES 16
#define FZ_MAX_EDITS 16

typedef struct fz_file {
    char name[64];
    unsigned char *data;
    size_t len;
} fz_file;

static char fz_root[256], fz_tpl[300], fz_work[300];
static fz_file fz_files[FZ_MAX_FILES];
static size_t fz_n_files;

static void
fz_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    char path[512];
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static void
fz_cleanup(void)
{
    fz_rmdir(fz_work);
    fz_rmdir(fz_tpl);
    rmdir(fz_root);
    for (size_t i = 0; i < fz_n_files; i++)
        free(fz_files[i].data);
    fz_n_files = 0;
}

static const char *const fz_articles[][4] = {
    { "a1", "Air strikes near Latakia", "2015-09-30",
      "Russian air strikes hit targets near Latakia airbase. The al-Assad "
      "government said the strikes were aimed at rebels." },
    { "a2", "Sanctions on Syria", "2014-03-01",
      "The sanctions, first imposed in 2011, were extended. Sanctions work, "
      "said Pérez. 東京 reported the news." },
    { "a3", "Earthquake", "2016-01-02",
      "Rescue teams arrived after the earthquake; air support followed." },
};

static int
fz_by_name(const void *a, const void *b)
{
    return strcmp(((const fz_file *)a)->name, ((const fz_file *)b)->name);
}

/* Makes the template index and keeps its files in memory. */
static void
fz_setup(void)
{
    if (fz_n_files)
        return;
    const char *tmp = getenv("TMPDIR");
    snprintf(fz_root, sizeof fz_root, "%s/ns-fuzz-index-open-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    CHECK(mkdtemp(fz_root));
    atexit(fz_cleanup);
    snprintf(fz_tpl, sizeof fz_tpl, "%s/tpl", fz_root);
    snprintf(fz_work, sizeof fz_work, "%s/work", fz_root);
    ns_db *w;
    CHECK(ns_db_open(fz_tpl, NS_OPEN_WRITE | NS_OPEN_CREATE, &w, NULL) ==
          NS_OK);
    for (size_t i = 0; i < sizeof fz_articles / sizeof fz_articles[0]; i++) {
        ns_article a = NS_ARTICLE_INIT;
        a.id = fz_articles[i][0];
        a.title = fz_articles[i][1];
        a.date = fz_articles[i][2];
        a.source = "Wire";
        a.url = "https://news.example.com/a";
        a.text = fz_articles[i][3];
        a.text_len = strlen(a.text);
        CHECK(ns_db_add_article(w, &a) == NS_OK);
    }
    CHECK(ns_db_commit(w) == NS_OK);
    /* The database files are in the generation the index's stub names
     * (core/db.h); a copy of them alone is an index too. */
    ns_db_info tinfo;
    CHECK(ns_db_stat_v2(w, NS_DB_INFO_VERSION, &tinfo) == NS_OK);
    char tpl_db[512];
    CHECK(strlen(tinfo.location) < sizeof tpl_db);
    strcpy(tpl_db, tinfo.location);
    ns_db_close(w);

    DIR *d = opendir(tpl_db);
    CHECK(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, NS_READERS_FILE) == 0)
            continue;
        CHECK(fz_n_files < FZ_MAX_FILES);
        CHECK(strlen(de->d_name) < sizeof fz_files[0].name);
        fz_file *f = &fz_files[fz_n_files++];
        strcpy(f->name, de->d_name);
        char path[512];
        int k = snprintf(path, sizeof path, "%s/%s", tpl_db, f->name);
        CHECK(k > 0 && (size_t)k < sizeof path);
        FILE *fp = fopen(path, "rb");
        CHECK(fp);
        struct stat sb;
        CHECK(fstat(fileno(fp), &sb) == 0);
        f->len = (size_t)sb.st_size;
        f->data = malloc(f->len ? f->len : 1);
        CHECK(f->data);
        CHECK(fread(f->data, 1, f->len, fp) == f->len);
        fclose(fp);
    }
    closedir(d);
    CHECK(fz_n_files > 0);
    qsort(fz_files, fz_n_files, sizeof *fz_files, fz_by_name);
}

/* Writes the template into fz_work with the raw edits of data applied;
 * returns how many edits were made. */
static int
fz_raw_copy(const uint8_t *data, size_t size)
{
    fz_rmdir(fz_work);
    CHECK(mkdir(fz_work, 0700) == 0);
    unsigned char *buf[FZ_MAX_FILES];
    size_t len[FZ_MAX_FILES];
    for (size_t i = 0; i < fz_n_files; i++) {
        len[i] = fz_files[i].len;
        buf[i] = malloc(len[i] ? len[i] : 1);
        CHECK(buf[i]);
        memcpy(buf[i], fz_files[i].data, len[i]);
    }
    static const uint8_t none[1];
    const uint8_t *p = data ? data : none, *end = p + (data ? size : 0);
    int e;
    for (e = 0; e < FZ_MAX_EDITS && end - p >= 5; e++) {
        size_t fi = p[0] % fz_n_files;
        unsigned kind = (p[0] >> 5) & 3;
        size_t off = p[1] | (size_t)p[2] << 8 | (size_t)p[3] << 16;
        size_t n = p[4];
        p += 5;
        if (n > (size_t)(end - p))
            n = (size_t)(end - p);
        size_t flen = len[fi];
        off = flen ? off % (flen + 1) : 0;
        if (kind == 3)
            off = flen - off;
        if (kind == 1) {
            len[fi] = off;
        } else {
            for (size_t k = 0; k < n && off + k < flen; k++)
                buf[fi][off + k] = kind == 2 ? buf[fi][off + k] ^ p[k] : p[k];
        }
        if (kind != 1)
            p += n;
    }
    for (size_t i = 0; i < fz_n_files; i++) {
        char path[512];
        int k = snprintf(path, sizeof path, "%s/%s", fz_work, fz_files[i].name);
        CHECK(k > 0 && (size_t)k < sizeof path);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        CHECK(fd >= 0);
        CHECK(len[i] == 0 || write(fd, buf[i], len[i]) == (ssize_t)len[i]);
        close(fd);
        free(buf[i]);
    }
    return e;
}

#define FZ_N_ARTICLES (sizeof fz_articles / sizeof fz_articles[0])

/* One article's document as the semantic edits leave it. */
typedef struct fz_doc {
    int touched;
    ns_buf data, date, id;
} fz_doc;

/* Replaces article i with a document carrying d's record and values and
 * the terms the searches look for. */
static void
fz_put_doc(ns_db *w, size_t i, const fz_doc *d)
{
    static const char *const words[] = { "air", "strike", "sanction",
                                         "earthquak" };
    ns__xdoc *doc = NULL;
    ns_buf idterm = { 0 };
    ns__buf_printf(&idterm, "%s%s", NS_PREFIX_ID, fz_articles[i][0]);
    CHECK(ns__xdoc_new(&doc) == NS_OK);
    CHECK(ns__xdoc_add_term(doc, idterm.data, idterm.len, 0) == NS_OK);
    CHECK(ns__xdoc_add_term(doc, "Hexample.com", 12, 0) == NS_OK);
    CHECK(ns__xdoc_add_term(doc, "Searthquak", 10, 0) == NS_OK);
    for (uint32_t k = 0; k < 4; k++)
        CHECK(ns__xdoc_add_posting(doc, words[k], strlen(words[k]), k + 1, 1) ==
              NS_OK);
    CHECK(ns__xdoc_set_value(doc, NS_SLOT_DATE, d->date.data, d->date.len) ==
          NS_OK);
    CHECK(ns__xdoc_set_value(doc, NS_SLOT_ID, d->id.data, d->id.len) == NS_OK);
    CHECK(ns__xdoc_set_data(doc, d->data.data, d->data.len) == NS_OK);
    CHECK(ns__xdb_replace(w->x, idterm.data, doc) == NS_OK);
    ns__xdoc_free(doc);
    ns__buf_free(&idterm);
}

/* Copies the template into fz_work and applies the semantic edits of data
 * through a writer; returns how many edits were made. */
static int
fz_semantic_copy(const uint8_t *data, size_t size)
{
    static const char *const keys[] = { NS_META_SCHEMA, NS_META_ANALYZER,
                                        NS_META_ZDICT, NS_META_UPDATED };
    fz_raw_copy(NULL, 0);
    ns_db *w = NULL;
    CHECK(ns_db_open(fz_work, NS_OPEN_WRITE, &w, NULL) == NS_OK);
    fz_doc docs[FZ_N_ARTICLES];
    memset(docs, 0, sizeof docs);
    for (size_t i = 0; i < FZ_N_ARTICLES; i++) {
        ns_article a = NS_ARTICLE_INIT;
        a.id = fz_articles[i][0];
        a.title = fz_articles[i][1];
        a.date = fz_articles[i][2];
        a.text = fz_articles[i][3];
        a.text_len = strlen(a.text);
        CHECK(ns__store_encode(w->store, &a, NULL, &docs[i].data) == NS_OK);
        const char *dt = fz_articles[i][2];
        ns__buf_printf(&docs[i].date, "%.4s%.2s%.2s000000", dt, dt + 5, dt + 8);
        ns__buf_puts(&docs[i].id, a.id);
    }
    const uint8_t *p = data, *end = data + size;
    int e;
    for (e = 0; e < FZ_MAX_EDITS && end - p >= 2; e++) {
        unsigned kind = p[0] & 7;
        fz_doc *d = &docs[(p[0] >> 3) % FZ_N_ARTICLES];
        size_t n = p[1];
        p += 2;
        if (n > (size_t)(end - p))
            n = (size_t)(end - p);
        switch (kind) {
        case 0:
        case 1:
        case 2:
        case 3:
            CHECK(ns__xdb_set_metadata(w->x, keys[kind], p, n) == NS_OK);
            break;
        case 4:
            ns__buf_reset(&d->data);
            ns__buf_append(&d->data, p, n);
            break;
        case 5:
            for (size_t k = 1; k < n; k++)
                if (p[0] + k - 1 < d->data.len)
                    d->data.data[p[0] + k - 1] ^= (char)p[k];
            break;
        case 6:
            ns__buf_reset(&d->date);
            ns__buf_append(&d->date, p, n);
            break;
        default:
            ns__buf_reset(&d->id);
            ns__buf_append(&d->id, p, n);
            break;
        }
        if (kind >= 4)
            d->touched = 1;
        p += n;
    }
    for (size_t i = 0; i < FZ_N_ARTICLES; i++) {
        CHECK(!docs[i].data.oom && !docs[i].date.oom && !docs[i].id.oom);
        if (docs[i].touched)
            fz_put_doc(w, i, &docs[i]);
        ns__buf_free(&docs[i].data);
        ns__buf_free(&docs[i].date);
        ns__buf_free(&docs[i].id);
    }
    CHECK(ns__xdb_commit(w->x) == NS_OK);
    ns_db_close(w);
    return e;
}

/* NS_ERR_NOMEM is not accepted: nothing runs out of memory here (ASan and
 * libFuzzer abort on a huge allocation), so it would be a damaged index
 * misreported. */
static int
fz_search_status_ok(ns_status st)
{
    return st == NS_OK || st == NS_ERR_INDEX_CORRUPT || st == NS_ERR_BACKEND ||
           st == NS_ERR_QUERY_EMPTY;
}

static void
fz_check_results(const ns_results *r)
{
    for (size_t i = 0; i < ns_results_count(r); i++) {
        const ns_hit *h = ns_results_get(r, i);
        CHECK(h);
        CHECK(h->id && h->title && h->date && h->source && h->url &&
              h->author && h->snippet);
        CHECK(strlen(h->snippet) == h->snippet_len);
        for (size_t k = 0; k < h->n_highlights; k++)
            CHECK(h->highlights[k].start < h->highlights[k].end &&
                  h->highlights[k].end <= h->snippet_len);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct {
        const char *q;
        ns_sort sort;
        const char *since;
    } searches[] = {
        { "air strikes", NS_SORT_RELEVANCE, NULL },
        { "\"air strikes\" OR sanctions", NS_SORT_NEWEST, NULL },
        { "stri* title:earthquake", NS_SORT_OLDEST, "2015" },
        { "site:example.com", NS_SORT_RELEVANCE, NULL },
    };
    fz_setup();
    int edits = 0;
    if (size > 0)
        edits = (data[0] & 1) ? fz_semantic_copy(data + 1, size - 1) :
                                fz_raw_copy(data + 1, size - 1);
    else
        fz_raw_copy(NULL, 0);

    ns_db *db = NULL;
    char *msg = NULL;
    ns_status st = ns_db_open(fz_work, NS_OPEN_READ, &db, &msg);
    if (getenv("NS_FUZZ_VERBOSE"))
        fprintf(stderr, "  open: %s (%s)\n", ns_strerror(st), msg ? msg : "");
    CHECK_ST(st, st == NS_OK || st == NS_ERR_INDEX_OPEN ||
                     st == NS_ERR_INDEX_CORRUPT || st == NS_ERR_INDEX_VERSION ||
                     st == NS_ERR_IO || st == NS_ERR_BACKEND);
    CHECK((st == NS_OK) == (db != NULL));
    if (st != NS_OK) {
        CHECK(edits > 0); /* the unedited index opens */
        CHECK(msg && msg[0] && !strchr(msg, '\n'));
        ns_free(msg);
        return 0;
    }
    CHECK(msg == NULL);
    size_t found = 0, searched_empty = 0;
    for (size_t i = 0; i < sizeof searches / sizeof searches[0]; i++) {
        ns_search_options o = NS_SEARCH_OPTIONS_INIT;
        o.sort = searches[i].sort;
        o.since = searches[i].since;
        ns_results *r = NULL;
        st = ns_db_search(db, searches[i].q, &o, &r);
        CHECK_ST(st, fz_search_status_ok(st));
        CHECK((st == NS_OK) == (r != NULL));
        if (getenv("NS_FUZZ_VERBOSE"))
            fprintf(stderr, "  search %zu: %s, %zu results (%s)\n", i,
                    ns_strerror(st), ns_results_count(r), ns_db_errmsg(db));
        if (st != NS_OK)
            CHECK(ns_db_errmsg(db) != NULL);
        fz_check_results(r);
        found += ns_results_count(r);
        searched_empty += st != NS_OK || ns_results_count(r) == 0;
        ns_results_free(r);
    }
    ns_db_info info;
    st = ns_db_stat_v2(db, NS_DB_INFO_VERSION, &info);
    CHECK_ST(st,
             st == NS_OK || st == NS_ERR_INDEX_CORRUPT || st == NS_ERR_BACKEND);
    if (st == NS_OK)
        CHECK(info.analyzer && info.updated);
    if (edits == 0) { /* no edit: everything is found */
        CHECK(st == NS_OK && info.articles == 3);
        /* Each search finds something (how much depends on the ranking's
         * feedback terms and near-duplicate collapsing). */
        CHECK(searched_empty == 0 && found <= 4 * 3);
    }
    ns_db_close(db);
    return 0;
}
