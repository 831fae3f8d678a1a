/*
 * db.c: opening, closing and describing an index (the ns_db handle).  A new
 * index records its schema version and analyzer spec; an existing one is
 * checked against them, and the analyzer and the stored-text dictionary are
 * rebuilt from its metadata, so every reader analyzes as the writer did.
 */
/* F_OFD_SETLK: locks owned by the open file, not the process, so closing
 * another handle of the same index cannot drop them. */
#define _GNU_SOURCE
#include "core/db.h"
#include "core/schema.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef F_OFD_SETLK
#define NS_SETLK F_OFD_SETLK
#define NS_GETLK F_OFD_GETLK
#else /* POSIX process locks: one handle per process and index, then */
#define NS_SETLK F_SETLK
#define NS_GETLK F_GETLK
#endif

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

/* ---- the writer lock ----------------------------------------------------- */

static int
lock_op(int fd, int cmd, short type, struct flock *fl)
{
    memset(fl, 0, sizeof *fl);
    fl->l_type = type;
    fl->l_whence = SEEK_SET; /* the whole file: l_start = l_len = 0 */
    int r;
    do {
        r = fcntl(fd, cmd, fl);
    } while (r != 0 && errno == EINTR);
    return r;
}

/* The holder's description from the lock file, control bytes dropped. */
static void
read_holder(int fd, ns_buf *holder)
{
    char text[256];
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    ns__buf_reset(holder);
    for (ssize_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n')
            break;
        if (c >= 0x20 && c != 0x7f)
            ns__buf_putc(holder, (char)c);
    }
}

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

ns_status
ns__lock_acquire(const char *dir, int timeout_ms, int *fd_out, ns_buf *holder)
{
    *fd_out = -1;
    ns__buf_reset(holder);
    char *p = ns__sprintf("%s/%s", dir, NS_LOCK_FILE);
    if (!p)
        return NS_ERR_NOMEM;
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    int err = errno;
    ns_free(p);
    if (fd < 0) {
        errno = err;
        return NS_ERR_IO;
    }
    struct flock fl;
    int64_t start = now_ms();
    int64_t delay = 5;
    while (lock_op(fd, NS_SETLK, F_WRLCK, &fl) != 0) {
        if (errno != EAGAIN && errno != EACCES) {
            err = errno;
            close(fd);
            errno = err;
            return NS_ERR_IO;
        }
        /* Polled rather than F_SETLKW: a library cannot use alarm(), and a
         * few wake-ups a second cost nothing next to an indexing run. */
        int64_t waited = now_ms() - start;
        if (timeout_ms >= 0 && waited >= timeout_ms) {
            read_holder(fd, holder);
            close(fd);
            return NS_ERR_INDEX_LOCKED;
        }
        int64_t nap = delay;
        if (timeout_ms >= 0 && nap > timeout_ms - waited)
            nap = timeout_ms - waited;
        struct timespec ts = { (time_t)(nap / 1000),
                               (long)(nap % 1000) * 1000000L };
        nanosleep(&ts, NULL);
        if (delay < 250)
            delay *= 2;
    }
    /* Say who we are, for the messages of writers that wait and for
     * `nsearch status`.  A killed writer leaves its text behind, but no
     * lock: readers of the text check the lock first. */
    char host[128] = "";
    if (gethostname(host, sizeof host - 1) != 0 || !*host)
        strcpy(host, "unknown host");
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char text[256];
    int n = snprintf(text, sizeof text, "pid %ld on %s since %s\n",
                     (long)getpid(), host, when);
    if (ftruncate(fd, 0) != 0 || n < 0 ||
        pwrite(fd, text, (size_t)n, 0) != (ssize_t)n) {
        /* The lock is held all the same; only the description is lost. */
    }
    *fd_out = fd;
    return NS_OK;
}

void
ns__lock_release(int fd)
{
    if (fd < 0)
        return;
    if (ftruncate(fd, 0) != 0) {
        /* A stale description is ignored: the lock itself goes. */
    }
    close(fd); /* releases the lock */
}

int
ns__lock_holder(const char *dir, ns_buf *holder)
{
    ns__buf_reset(holder);
    char *p = ns__sprintf("%s/%s", dir, NS_LOCK_FILE);
    if (!p)
        return -1;
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    ns_free(p);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    struct flock fl;
    int r = lock_op(fd, NS_GETLK, F_RDLCK, &fl);
    if (r == 0 && fl.l_type != F_UNLCK) {
        read_holder(fd, holder);
        r = 1;
    } else if (r != 0) {
        r = -1;
    }
    close(fd);
    return r;
}

/* ---- opening ------------------------------------------------------------- */

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
            db->dirty = 1;
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
    ns_open_options o = NS_OPEN_OPTIONS_INIT;
    o.flags = flags;
    return ns_db_open_v2(path, &o, out, errmsg);
}

ns_status
ns_db_open_v2(const char *path,
              const ns_open_options *opts,
              ns_db **out,
              char **errmsg) NS_NOEXCEPT
{
    if (errmsg)
        *errmsg = NULL;
    if (!out)
        return NS_ERR_INVALID_ARG;
    *out = NULL;
    ns_open_options defaults = NS_OPEN_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    if (opts->version < 1 || opts->version > NS_OPEN_OPTIONS_VERSION)
        return fail(errmsg, NS_ERR_INVALID_ARG,
                    "unknown ns_open_options version %u", opts->version);
    unsigned flags = opts->flags;
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
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return fail(errmsg, NS_ERR_IO, "%s: cannot create: %s", path,
                        strerror(errno));
    } else if (!S_ISDIR(sb.st_mode)) {
        return fail(errmsg, NS_ERR_INDEX_OPEN,
                    "%s: not an index (not a directory)", path);
    }

    ns_db *db = ns__calloc(1, sizeof *db);
    if (!db)
        return NS_ERR_NOMEM;
    db->flags = flags;
    db->lock_fd = -1;
    db->path = ns__strdup(path);
    if (!db->path) {
        ns_free(db);
        return NS_ERR_NOMEM;
    }
    ns_status st;
    if (flags & NS_OPEN_WRITE) {
        /* Ours before Xapian's: Xapian's own lock fails at once and says
         * nothing of its holder. */
        st = ns__lock_acquire(path, opts->lock_timeout_ms, &db->lock_fd,
                              &db->info_writer);
        if (st == NS_ERR_INDEX_LOCKED) {
            if (db->info_writer.len)
                fail(errmsg, st, "%s: locked by another writer (%s)", path,
                     ns__buf_cstr(&db->info_writer));
            else
                fail(errmsg, st, "%s: locked by another writer", path);
        } else if (st == NS_ERR_IO) {
            fail(errmsg, st, "%s: cannot lock: %s", path, strerror(errno));
        }
        if (st != NS_OK) {
            ns_db_close(db);
            return st;
        }
    }
    char *xmsg = NULL;
    st = ns__xdb_open(path, flags, &db->x, &xmsg);
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
    ns__lock_release(db->lock_fd); /* after Xapian's commit and unlock */
    ns__analyzer_free(db->analyzer);
    ns__store_free(db->store);
    ns__buf_free(&db->info_analyzer);
    ns__buf_free(&db->info_updated);
    ns__buf_free(&db->info_writer);
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
    if (!db->dirty)
        return NS_OK;
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    ns_status st =
        ns__xdb_set_metadata(db->x, NS_META_UPDATED, when, strlen(when));
    if (st == NS_OK)
        st = ns__xdb_commit(db->x);
    if (st == NS_OK)
        db->dirty = 0;
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

static int
count_key(const char *key, void *payload)
{
    (void)key;
    (*(uint64_t *)payload)++;
    return 0;
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
    int held = ns__lock_holder(db->path, &db->info_writer);
    if (held == 1 && db->info_writer.len == 0)
        ns__buf_puts(&db->info_writer, "a writer");
    else if (held != 1)
        ns__buf_reset(&db->info_writer);
    info->writer = ns__buf_cstr(&db->info_writer);
    st = ns__xdb_count_terms(db->x, NS_PREFIX_SOURCE_NAME, &info->sources);
    if (st == NS_OK)
        st = ns__xdb_metadata_keys(db->x, NS_META_FILE, count_key,
                                   &info->files);
    return st;
}
