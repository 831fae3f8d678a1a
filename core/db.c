/*
 * db.c: opening, closing and describing an index (the ns_db handle).  A new
 * index records its schema version and analyzer spec; an existing one is
 * checked against them, and the analyzer and the stored-text dictionary are
 * rebuilt from its metadata, so every reader analyzes as the writer did.
 */
#include "core/db.h"
#include "core/schema.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void
ns__db_errorf(ns_db *db, const char *fmt, ...)
{
    ns_buf b = { 0 };
    va_list ap;
    va_start(ap, fmt);
    ns__buf_vprintf(&b, fmt, ap);
    va_end(ap);
    ns__xdb_set_errmsg(db->x, ns__buf_cstr(&b));
    ns__buf_free(&b);
}

static ns_status
fail(char **errmsg, ns_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static ns_status
fail(char **errmsg, ns_status st, const char *fmt, ...)
{
    if (errmsg) {
        ns_buf b = { 0 };
        va_list ap;
        va_start(ap, fmt);
        ns__buf_vprintf(&b, fmt, ap);
        va_end(ap);
        *errmsg = ns__buf_detach(&b);
    }
    return st;
}

/* Check the schema and build the analyzer and store from the metadata. */
static ns_status
load_settings(ns_db *db, char **errmsg)
{
    ns_buf v = { 0 };
    ns_status st = ns__xdb_get_metadata(db->x, NS_META_SCHEMA, &v);
    if (st != NS_OK)
        goto out;
    if (v.len == 0) {
        uint64_t n = 0;
        st = ns__xdb_doccount(db->x, &n);
        if (st != NS_OK)
            goto out;
        if (n > 0) {
            st = fail(errmsg, NS_ERR_INDEX_OPEN,
                      "%s: a Xapian database, but not an nsearch index",
                      db->path);
            goto out;
        }
        if (db->flags & NS_OPEN_WRITE) {
            char num[16];
            snprintf(num, sizeof num, "%d", NS_SCHEMA_VERSION);
            st = ns__xdb_set_metadata(db->x, NS_META_SCHEMA, num,
                                      strlen(num));
            if (st == NS_OK)
                st = ns__xdb_set_metadata(db->x, NS_META_ANALYZER,
                                          NS_ANALYZER_DEFAULT_SPEC,
                                          strlen(NS_ANALYZER_DEFAULT_SPEC));
            if (st != NS_OK)
                goto out;
        }
    } else if (atoi(ns__buf_cstr(&v)) > NS_SCHEMA_VERSION) {
        st = fail(errmsg, NS_ERR_INDEX_VERSION,
                  "%s: index format %s is newer than this nsearch reads "
                  "(%d); upgrade nsearch",
                  db->path, ns__buf_cstr(&v), NS_SCHEMA_VERSION);
        goto out;
    }
    st = ns__xdb_get_metadata(db->x, NS_META_ANALYZER, &v);
    if (st != NS_OK)
        goto out;
    char *amsg = NULL;
    st = ns__analyzer_new(v.len ? ns__buf_cstr(&v) : NULL, &db->analyzer,
                          &amsg);
    if (st != NS_OK) {
        if (st == NS_ERR_INVALID_ARG)
            st = NS_ERR_INDEX_VERSION;
        fail(errmsg, st, "%s: %s", db->path, amsg ? amsg : ns_strerror(st));
        ns_free(amsg);
        goto out;
    }
    if ((st = ns__store_new(&db->store)) != NS_OK)
        goto out;
    st = ns__xdb_get_metadata(db->x, NS_META_ZDICT, &v);
    if (st == NS_OK && v.len) {
        st = ns__store_set_dict(db->store, v.data, v.len);
        db->has_dict = 1;
    }
out:
    if (st != NS_OK && errmsg && !*errmsg)
        *errmsg = ns__sprintf("%s: %s", db->path,
                              ns__xdb_errmsg(db->x)[0]
                                  ? ns__xdb_errmsg(db->x)
                                  : ns_strerror(st));
    ns__buf_free(&v);
    return st;
}

ns_status
ns_db_open(const char *path, unsigned flags, ns_db **out, char **errmsg)
    NS_NOEXCEPT
{
    if (errmsg)
        *errmsg = NULL;
    if (!out)
        return NS_ERR_INVALID_ARG;
    *out = NULL;
    if (!path || !*path)
        return fail(errmsg, NS_ERR_INVALID_ARG, "no index path given");
    if ((flags & NS_OPEN_CREATE) && !(flags & NS_OPEN_WRITE))
        return fail(errmsg, NS_ERR_INVALID_ARG,
                    "NS_OPEN_CREATE needs NS_OPEN_WRITE");

    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno != ENOENT || !(flags & NS_OPEN_CREATE))
            return fail(errmsg, errno == ENOENT ? NS_ERR_INDEX_OPEN
                                                : NS_ERR_IO,
                        "%s: %s", path,
                        errno == ENOENT ? "no index here (create one with "
                                          "'nsearch index')"
                                        : strerror(errno));
    } else if (!S_ISDIR(sb.st_mode)) {
        return fail(errmsg, NS_ERR_INDEX_OPEN,
                    "%s: not an index (not a directory)", path);
    }

    ns_db *db = ns__calloc(1, sizeof *db);
    if (!db)
        return NS_ERR_NOMEM;
    db->flags = flags;
    db->path = ns__strdup(path);
    if (!db->path) {
        ns_free(db);
        return NS_ERR_NOMEM;
    }
    char *xmsg = NULL;
    ns_status st = ns__xdb_open(path, flags, &db->x, &xmsg);
    if (st != NS_OK) {
        if (st == NS_ERR_INDEX_LOCKED)
            fail(errmsg, st, "%s: locked by another writer", path);
        else if (st == NS_ERR_INDEX_OPEN)
            fail(errmsg, st, "%s: not an nsearch index (%s)", path,
                 xmsg ? xmsg : "cannot open");
        else
            fail(errmsg, st, "%s: %s", path, xmsg ? xmsg : ns_strerror(st));
        ns_free(xmsg);
        ns_db_close(db);
        return st;
    }
    if ((st = load_settings(db, errmsg)) != NS_OK) {
        ns_db_close(db);
        return st;
    }
    *out = db;
    return NS_OK;
}

void
ns_db_close(ns_db *db) NS_NOEXCEPT
{
    if (!db)
        return;
    if (db->indexer_free)
        db->indexer_free(db);
    if (db->searcher_free)
        db->searcher_free(db);
    ns__xdb_close(db->x);
    ns__analyzer_free(db->analyzer);
    ns__store_free(db->store);
    ns__buf_free(&db->info_analyzer);
    ns__buf_free(&db->info_updated);
    ns_free(db->path);
    ns_free(db);
}

const char *
ns_db_errmsg(const ns_db *db) NS_NOEXCEPT
{
    return db ? ns__xdb_errmsg(db->x) : "";
}

ns_status
ns__db_commit(ns_db *db)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    ns_status st =
        ns__xdb_set_metadata(db->x, NS_META_UPDATED, when, strlen(when));
    if (st == NS_OK)
        st = ns__xdb_commit(db->x);
    return st;
}

/* Bytes of the files directly in dir (a glass database is flat). */
static uint64_t
dir_bytes(const char *dir)
{
    uint64_t total = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    ns_buf p = { 0 };
    while ((e = readdir(d)) != NULL) {
        struct stat sb;
        ns__buf_reset(&p);
        ns__buf_printf(&p, "%s/%s", dir, e->d_name);
        if (stat(ns__buf_cstr(&p), &sb) == 0 && S_ISREG(sb.st_mode))
            total += (uint64_t)sb.st_blocks * 512;
    }
    ns__buf_free(&p);
    closedir(d);
    return total;
}

ns_status
ns_db_stat(ns_db *db, ns_db_info *info) NS_NOEXCEPT
{
    if (!db || !info)
        return NS_ERR_INVALID_ARG;
    memset(info, 0, sizeof *info);
    ns_status st = ns__xdb_doccount(db->x, &info->articles);
    if (st == NS_OK)
        st = ns__xdb_get_metadata(db->x, NS_META_ANALYZER,
                                  &db->info_analyzer);
    if (st == NS_OK)
        st = ns__xdb_get_metadata(db->x, NS_META_UPDATED, &db->info_updated);
    if (st != NS_OK)
        return st;
    info->size_bytes = dir_bytes(db->path);
    info->analyzer = ns__buf_cstr(&db->info_analyzer);
    info->updated = ns__buf_cstr(&db->info_updated);
    return NS_OK;
}
