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
#include "core/shards.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#ifdef F_OFD_SETLK
#define NS_SETLK F_OFD_SETLK
#define NS_GETLK F_OFD_GETLK
#else /* POSIX process locks: one handle per process and index, then */
#define NS_SETLK F_SETLK
#define NS_GETLK F_GETLK
#endif

void
ns__db_clear_error(ns_db *db)
{
    if (db)
        ns__xdb_set_errmsg(db->x, "");
}

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

/* ---- generations ---------------------------------------------------------- */

static char *
join(const char *dir, const char *name)
{
    return ns__sprintf("%s/%s", dir, name);
}

/* 1 if dir/name exists, 0 if not, -1 out of memory. */
static int
exists(const char *dir, const char *name)
{
    char *p = join(dir, name);
    if (!p)
        return -1;
    struct stat sb;
    int r = stat(p, &sb) == 0;
    ns_free(p);
    return r;
}

unsigned
ns__db_gen_number(const char *name)
{
    size_t n = strlen(NS_GEN_PREFIX);
    if (strncmp(name, NS_GEN_PREFIX, n) != 0 || !name[n])
        return 0;
    unsigned long v = 0;
    for (const char *p = name + n; *p; p++) {
        if (*p < '0' || *p > '9' || v > 100000000UL)
            return 0;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    return (unsigned)v;
}

/*
 * The live generation named by path's stub: 1 with *gen set, 0 when there
 * is no stub, -1 when it cannot be read or names no generation of ours, -2
 * out of memory.
 */
static int
read_stub(const char *path, unsigned *gen)
{
    char *p = join(path, NS_STUB_FILE);
    if (!p)
        return -2;
    FILE *f = fopen(p, "re");
    int err = errno;
    ns_free(p);
    if (!f)
        return err == ENOENT ? 0 : -1;
    char line[256];
    int r = -1;
    if (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        const char *name = line;
        if (strncmp(name, "auto ", 5) == 0)
            name += 5;
        if (strncmp(name, "./", 2) == 0)
            name += 2;
        if ((*gen = ns__db_gen_number(name)) > 0)
            r = 1;
    }
    fclose(f);
    return r;
}

/*
 * Where the live database of index path is: *dir (ns_free it) and *gen
 * (0: path itself).  NS_ERR_NOT_FOUND when there is none yet.
 */
static ns_status
resolve(const char *path, char **dir, unsigned *gen)
{
    *dir = NULL;
    *gen = 0;
    int glass = exists(path, "iamglass"), chert = exists(path, "iamchert");
    if (glass < 0 || chert < 0)
        return NS_ERR_NOMEM;
    if (glass || chert) {
        *dir = ns__strdup(path); /* a database itself (legacy layout) */
        return *dir ? NS_OK : NS_ERR_NOMEM;
    }
    int r = read_stub(path, gen);
    if (r == -2)
        return NS_ERR_NOMEM;
    if (r == 0)
        return NS_ERR_NOT_FOUND;
    if (r < 0)
        return NS_ERR_INDEX_OPEN;
    *dir = ns__sprintf("%s/" NS_GEN_PREFIX "%u", path, *gen);
    return *dir ? NS_OK : NS_ERR_NOMEM;
}

/* The highest N of the gen-N entries of path (0 if none). */
static unsigned
max_gen(const char *path)
{
    unsigned best = 0;
    DIR *d = opendir(path);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        unsigned g = ns__db_gen_number(e->d_name);
        if (g > best)
            best = g;
    }
    closedir(d);
    return best;
}

static int
fsync_path(const char *p, int dir)
{
    int fd = open(p, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    int err = errno;
    close(fd);
    errno = err;
    return r;
}

/* fsync every file of dir, then dir: a generation built without syncs
 * (NS__XOPEN_BUILD) is on disk before any stub names it. */
static ns_status
sync_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return NS_ERR_IO;
    struct dirent *e;
    ns_status st = NS_OK;
    while ((e = readdir(d)) != NULL && st == NS_OK) {
        if (e->d_name[0] == '.')
            continue;
        char *p = join(dir, e->d_name);
        struct stat sb;
        if (!p)
            st = NS_ERR_NOMEM;
        else if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode) &&
                 fsync_path(p, 0) != 0)
            st = errno == ENOSPC ? NS_ERR_DISK_FULL : NS_ERR_IO;
        ns_free(p);
    }
    closedir(d);
    if (st == NS_OK && fsync_path(dir, 1) != 0)
        st = NS_ERR_IO;
    return st;
}

/* Create dir's readers file, which readers lock (shared) while they use
 * it, so that a generation is deleted only when no reader holds it. */
static ns_status
make_readers_file(const char *dir)
{
    char *p = join(dir, NS_READERS_FILE);
    if (!p)
        return NS_ERR_NOMEM;
    int fd = open(p, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
    ns_free(p);
    if (fd < 0)
        return errno == ENOSPC ? NS_ERR_DISK_FULL : NS_ERR_IO;
    close(fd);
    return NS_OK;
}

/*
 * A reader's shared lock on dir's readers file: the descriptor; -1 when
 * there is no such file (an index a writer of this version never touched:
 * read without a lock); -2 when a writer is deleting dir; -3 out of memory.
 */
static int
readers_lock(const char *dir)
{
    char *p = join(dir, NS_READERS_FILE);
    if (!p)
        return -3;
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    ns_free(p);
    if (fd < 0)
        return -1;
    struct flock fl;
    if (lock_op(fd, NS_SETLK, F_RDLCK, &fl) != 0) {
        close(fd);
        return errno == EAGAIN || errno == EACCES ? -2 : -1;
    }
    return fd;
}

/* Delete path and everything under it (no symlink is followed). */
static int
rm_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(sb.st_mode))
        return unlink(path);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *e;
    int r = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = join(path, e->d_name);
        if (!p || rm_tree(p) != 0)
            r = -1;
        ns_free(p);
    }
    closedir(d);
    return rmdir(path) == 0 ? r : -1;
}

/*
 * Delete dir if no reader holds it: the writer's exclusive lock on the
 * readers file keeps new readers out until dir is gone (they then open the
 * generation the stub names).  1 deleted, 0 kept, -1 error.
 */
static int
delete_unread(const char *dir, int whole)
{
    char *p = join(dir, NS_READERS_FILE);
    if (!p)
        return -1;
    int fd = open(p, O_RDWR | O_CLOEXEC);
    ns_free(p);
    struct flock fl;
    if (fd >= 0 && lock_op(fd, NS_SETLK, F_WRLCK, &fl) != 0) {
        close(fd);
        return 0; /* a reader holds it */
    }
    int r;
    if (whole) {
        r = rm_tree(dir);
    } else {
        /* The index directory itself was the database (legacy layout):
         * remove only Xapian's files. */
        static const char *const names[] = {
            "iamglass",      "postlist.glass", "termlist.glass",
            "position.glass", "docdata.glass", "spelling.glass",
            "synonym.glass", "flintlock",      NS_READERS_FILE,
            NS_ZDICT_FILE,   NS_ZDICT_FILE ".tmp",
        };
        r = 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            char *f = join(dir, names[i]);
            if (!f || (unlink(f) != 0 && errno != ENOENT))
                r = -1;
            ns_free(f);
        }
    }
    if (fd >= 0)
        close(fd);
    return r == 0 ? 1 : -1;
}

/*
 * With the writer lock held: delete every generation of path that is
 * neither live nor being built (db->gen when building), nor read by anyone.
 * Leftovers of a killed rebuild go too.  A generation some reader still
 * holds stays until a later writer finds it free.
 */
static void
cleanup_generations(ns_db *db, unsigned live, int live_flat)
{
    DIR *d = opendir(db->path);
    if (!d)
        return;
    unsigned *doomed = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        unsigned g = ns__db_gen_number(e->d_name);
        if (!g || (!live_flat && g == live) || g == db->gen)
            continue;
        if (n == cap) {
            size_t c = cap ? cap * 2 : 8;
            unsigned *m = ns__realloc(doomed, c * sizeof *m);
            if (!m)
                break;
            doomed = m;
            cap = c;
        }
        doomed[n++] = g;
    }
    closedir(d);
    for (size_t i = 0; i < n; i++) {
        char *dir = ns__sprintf("%s/" NS_GEN_PREFIX "%u", db->path, doomed[i]);
        if (dir)
            delete_unread(dir, 1);
        ns_free(dir);
    }
    ns_free(doomed);
    /* The tables of a legacy index once the stub has replaced it. */
    if (!live_flat && exists(db->path, "iamglass") == 0 &&
        exists(db->path, "postlist.glass") == 1)
        delete_unread(db->path, 0);
}

ns_status
ns__stub_write(const char *path, const char *text)
{
    char *tmp = ns__sprintf("%s/" NS_STUB_FILE ".tmp", path);
    char *dst = join(path, NS_STUB_FILE);
    ns_status st = NS_OK;
    if (!tmp || !dst) {
        st = NS_ERR_NOMEM;
        goto out;
    }
    ssize_t n = (ssize_t)strlen(text);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, text, (size_t)n) != n || fsync(fd) != 0) {
        st = errno == ENOSPC || errno == EFBIG ? NS_ERR_DISK_FULL : NS_ERR_IO;
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        goto out;
    }
    close(fd);
    if (rename(tmp, dst) != 0) {
        st = NS_ERR_IO;
        unlink(tmp);
        goto out;
    }
    fsync_path(path, 1);
out:
    ns_free(tmp);
    ns_free(dst);
    return st;
}

/* Point path's stub at generation gen, atomically, and sync it. */
static ns_status
write_stub(const char *path, unsigned gen)
{
    char text[64];
    snprintf(text, sizeof text, "auto " NS_GEN_PREFIX "%u\n", gen);
    return ns__stub_write(path, text);
}

/* ---- opening ------------------------------------------------------------- */

/*
 * The dictionary's file (NS_ZDICT_FILE, schema.h).  Xapian hands a 100 KB
 * metadata value over as a string it assembles from a dozen B-tree blocks,
 * which the store then copied: 0.15 ms and 85 page faults at every start
 * of a search, a sixth of the process.  A copy of the bytes beside the
 * tables is mapped instead (zstd then touches the pages it uses), when the
 * metadata NS_META_ZDICT_FILE, written by the same commit as the file's
 * rename, names its id and size.  Anything else (no file, another one, an
 * index of an older nsearch or copied without it) reads the metadata as
 * before.
 */

/* Map db's dictionary file into its store: 1 done, 0 not (read the
 * metadata). */
static int
map_dict_file(ns_db *db)
{
    ns_buf v = { 0 };
    unsigned id = 0;
    unsigned long long size = 0;
    int ok = ns__xdb_get_metadata(db->x, NS_META_ZDICT_FILE, &v) == NS_OK &&
             v.len && sscanf(ns__buf_cstr(&v), "%8x %llu", &id, &size) == 2 &&
             id && size;
    ns__buf_free(&v);
    char *p = ok ? join(db->dir, NS_ZDICT_FILE) : NULL;
    int fd = p ? open(p, O_RDONLY | O_CLOEXEC) : -1;
    ns_free(p);
    if (fd < 0)
        return 0;
    struct stat sb;
    void *map = MAP_FAILED;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
        (unsigned long long)sb.st_size == size)
        map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    return map != MAP_FAILED &&
           ns__store_map_dict(db->store, map, (size_t)size, id) == NS_OK;
}

/* Writer, before a commit, when the handle did not map a matching file:
 * write db's dictionary file from the dictionary (NS_META_ZDICT) and name
 * it in the metadata.  Best effort: when the file cannot be written the
 * metadata names none, and readers read the dictionary from Xapian. */
static ns_status
write_dict_file(ns_db *db)
{
    ns_buf dict = { 0 };
    ns_status st = ns__xdb_get_metadata(db->x, NS_META_ZDICT, &dict);
    if (st != NS_OK || !dict.len) {
        ns__buf_free(&dict);
        return st;
    }
    char want[48];
    snprintf(want, sizeof want, "%08x %zu",
             ns__store_dict_id(dict.data, dict.len), dict.len);
    char *path = join(db->dir, NS_ZDICT_FILE);
    char *tmp = ns__sprintf("%s/" NS_ZDICT_FILE ".tmp", db->dir);
    int ok = path && tmp;
    int fd = ok ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                : -1;
    ok = fd >= 0;
    for (size_t off = 0; ok && off < dict.len;) {
        ssize_t w = write(fd, dict.data + off, dict.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        off += ok ? (size_t)w : 0;
    }
    ok = ok && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    /* Renamed before the commit that names it: a reader of an earlier
     * revision finds a file its metadata does not name, and reads the
     * metadata. */
    ok = ok && rename(tmp, path) == 0;
    if (!ok && tmp)
        unlink(tmp);
    st = ns__xdb_set_metadata(db->x, NS_META_ZDICT_FILE, ok ? want : "",
                              ok ? strlen(want) : 0);
    if (st == NS_OK)
        db->dict_file_ok = 1;
    ns_free(path);
    ns_free(tmp);
    ns__buf_free(&dict);
    return st;
}

/* A reader moved to a newer revision: an index that had no dictionary when
 * it opened may have one now, and the new articles need it. */
static void
reload_dict(void *payload)
{
    ns_db *db = payload;
    if (db->has_dict || !db->store)
        return;
    ns_buf v = { 0 };
    ns__xdb_on_reopen(db->x, NULL, NULL); /* the read below may reopen */
    if (map_dict_file(db) ||
        (ns__xdb_get_metadata(db->x, NS_META_ZDICT, &v) == NS_OK && v.len &&
         ns__store_take_dict(db->store, &v) == NS_OK))
        db->has_dict = 1;
    ns__xdb_on_reopen(db->x, reload_dict, db);
    ns__buf_free(&v);
}

/*
 * Check one table of a database with Xapian's xapian-check (xapian-tools),
 * in a process of its own: Xapian's checker, like its reader, trusts the
 * files and can crash on a damaged one, which must not take the caller
 * down.  Returns 0 when it passes, 1 when it does not (*why: its last
 * line, or how it died), -1 when it cannot be run.
 */
static int
check_table(char *path, ns_buf *why)
{
    int fd[2];
    if (pipe2(fd, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0) {
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fd[1], 2);
    char prog[] = "xapian-check";
    char *argv[] = { prog, path, NULL };
    pid_t pid;
    int r = posix_spawnp(&pid, "xapian-check", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fd[1]);
    /* Its output, of which the last line says what is wrong: keep the
     * last 4 KB. */
    char out[4096];
    size_t len = 0;
    ssize_t k;
    while (r == 0 && ((k = read(fd[0], out + len, sizeof out - 1 - len)) > 0 ||
                      (k < 0 && errno == EINTR))) {
        len += k > 0 ? (size_t)k : 0;
        if (len == sizeof out - 1) {
            memmove(out, out + len / 2, len - len / 2);
            len -= len / 2;
        }
    }
    close(fd[0]);
    if (r != 0)
        return -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        return -1; /* the shell's "not found", should one be in between */
    out[len] = '\0';
    while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
        out[--len] = '\0';
    const char *last = strrchr(out, '\n');
    last = last ? last + 1 : out;
    if (strncmp(last, "xapian-check: ", 14) == 0)
        last += 14;
    ns__buf_reset(why);
    if (WIFSIGNALED(status))
        ns__buf_printf(why, "xapian-check died of signal %d on it",
                       WTERMSIG(status));
    else
        ns__buf_puts(why, *last ? last : "xapian-check found errors");
    return 1;
}

/*
 * Which file of the database in dir is damaged, and how ("docdata.glass:
 * DatabaseCorruptError: ..."; ns_free it), checking each table with
 * xapian-check; NULL when none is, or when it cannot tell (xapian-check
 * missing, out of memory).  Reads every table whole: for an open that
 * failed, not for each search.
 */
static char *
find_damage(const char *dir)
{
    static const char *const tables[] = { "postlist", "docdata",  "termlist",
                                          "position", "spelling", "synonym" };
    ns_buf path = { 0 }, why = { 0 }, first = { 0 };
    const char *first_table = NULL;
    int present = 0, bad = 0, same = 1, failed = 0;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        ns__buf_reset(&path);
        ns__buf_printf(&path, "%s/%s.glass", dir, tables[i]);
        if (path.oom || access(ns__buf_cstr(&path), F_OK) != 0)
            continue;
        present++;
        int r = check_table(path.data, &why); /* NUL-terminated above */
        if (r < 0) {
            failed = 1;
            break;
        }
        if (r == 0)
            continue;
        if (bad++ == 0) {
            first_table = tables[i];
            ns__buf_puts(&first, ns__buf_cstr(&why));
        } else if (strcmp(ns__buf_cstr(&why), ns__buf_cstr(&first)) != 0) {
            same = 0;
        }
    }
    char *what = NULL;
    /* Each table is checked at the revision the version file names: when
     * every one fails alike, the version file is what is bad. */
    if (!failed && bad && !first.oom)
        what = ns__sprintf(
            "%s%s: %s",
            present > 1 && bad == present && same ? "iamglass" : first_table,
            present > 1 && bad == present && same ? "" : ".glass",
            ns__buf_cstr(&first));
    ns__buf_free(&path);
    ns__buf_free(&why);
    ns__buf_free(&first);
    return what;
}

/* An open that failed in the database (st): when one of its files is
 * damaged, that is the status, and the message names the file.  Other
 * failures, and an index modified under a reader that passes the check (a
 * writer's commits outran it), keep st and *errmsg. */
static ns_status
name_damage(ns_db *db, ns_status st, char **errmsg)
{
    if (st != NS_ERR_INDEX_CORRUPT && st != NS_ERR_INDEX_MODIFIED &&
        st != NS_ERR_BACKEND)
        return st;
    char *what = find_damage(db->dir);
    if (!what)
        return st;
    if (errmsg) {
        ns_free(*errmsg);
        *errmsg = ns__sprintf("%s: the index is damaged: %s/%s (rebuild it "
                              "with 'nsearch index --rebuild')",
                              db->path, db->dir, what);
    }
    ns_free(what);
    return NS_ERR_INDEX_CORRUPT;
}

/* A message quoting the index's own bytes (its metadata) made one line:
 * control characters become spaces. */
static void
one_line(char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7F)
            *s = ' ';
}

/* How the index x, of format schema (-1: read it), keeps word positions
 * (NS_POSITIONS_*, schema.h): format 1 always in Xapian's table; format 2
 * and later say in NS_META_POSITIONS. */
static ns_status
positions_of(ns__xdb *x, int schema, int *out)
{
    ns_buf v = { 0 };
    ns_status st = NS_OK;
    if (schema < 0) {
        st = ns__xdb_get_metadata(x, NS_META_SCHEMA, &v);
        schema = st == NS_OK ? atoi(ns__buf_cstr(&v)) : 0;
    }
    if (st == NS_OK && schema < 2) {
        *out = NS_POSITIONS_XAPIAN;
    } else if (st == NS_OK) {
        st = ns__xdb_get_metadata(x, NS_META_POSITIONS, &v);
        const char *s = ns__buf_cstr(&v);
        *out = st != NS_OK            ? NS_POSITIONS_NONE
               : strcmp(s, "1") == 0 ? NS_POSITIONS_XAPIAN
               : strcmp(s, "2") == 0 ? NS_POSITIONS_MAP
                                     : NS_POSITIONS_NONE;
    }
    ns__buf_free(&v);
    return st;
}

/* The NS_POSITIONS_* a flag asks for; -1 for none. */
static int
wanted_positions(unsigned flags)
{
    if (flags & NS_OPEN_POSITIONS)
        return NS_POSITIONS_XAPIAN;
    if (flags & NS_OPEN_NO_POSITIONS)
        return NS_POSITIONS_NONE;
    if (flags & NS_OPEN_POSITION_MAPS)
        return NS_POSITIONS_MAP;
    return -1;
}

/* The choice of positions for a writer of a new (or rebuilt) index. */
static int
new_positions(const ns_db *db)
{
    int want = wanted_positions(db->flags);
    if (want >= 0)
        return want;
    return db->live_positions >= 0 ? db->live_positions : NS_POSITIONS_MAP;
}

/* NS_META_POSITIONS's value for p. */
static const char *
positions_meta(int p)
{
    return p == NS_POSITIONS_XAPIAN ? "1" : p == NS_POSITIONS_MAP ? "2" : "0";
}

/* What an index of positions p keeps, for messages. */
static const char *
positions_what(int p)
{
    return p == NS_POSITIONS_XAPIAN ? "word positions in Xapian's table"
           : p == NS_POSITIONS_MAP  ? "position maps"
                                    : "no word positions";
}

/* Check the schema and build the analyzer and store from the metadata. */
static ns_status
load_settings(ns_db *db, char **errmsg)
{
    ns_buf v = { 0 };
    ns_status st = ns__xdb_get_metadata(db->x, NS_META_SCHEMA, &v);
    if (st != NS_OK)
        goto out;
    db->positions = NS_POSITIONS_XAPIAN;
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
            db->positions = new_positions(db);
            st = ns__xdb_set_metadata(db->x, NS_META_SCHEMA, num,
                                      strlen(num));
            if (st == NS_OK)
                st = ns__xdb_set_metadata(db->x, NS_META_POSITIONS,
                                          positions_meta(db->positions), 1);
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
    } else {
        if ((st = positions_of(db->x, atoi(ns__buf_cstr(&v)),
                               &db->positions)) != NS_OK)
            goto out;
        int want = wanted_positions(db->flags);
        if ((db->flags & NS_OPEN_WRITE) && want >= 0 &&
            want != db->positions) {
            st = fail(errmsg, NS_ERR_INVALID_ARG,
                      "%s: the index keeps %s; to change that, rebuild it "
                      "(nsearch index --rebuild)",
                      db->path, positions_what(db->positions));
            goto out;
        }
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
    if (map_dict_file(db)) {
        db->has_dict = 1;
        db->dict_file_ok = 1;
        ns__buf_reset(&v);
    } else {
        st = ns__xdb_get_metadata(db->x, NS_META_ZDICT, &v);
    }
    if (st == NS_OK && v.len) {
        size_t len = v.len;
        st = ns__store_take_dict(db->store, &v);
        if (st == NS_ERR_INDEX_CORRUPT)
            fail(errmsg, st,
                 "%s: the index is damaged: its compression dictionary "
                 "(metadata %s, %zu bytes) is not a valid zstd dictionary "
                 "(rebuild it with 'nsearch index --rebuild')",
                 db->path, NS_META_ZDICT, len);
        db->has_dict = 1;
    }
    if (st == NS_OK)
        st = ns__shards_load_dicts(db); /* an index merged from shards */
out:
    if (st != NS_OK && (!errmsg || !*errmsg))
        st = name_damage(db, st, errmsg);
    if (errmsg)
        one_line(*errmsg);
    if (st != NS_OK && errmsg && !*errmsg)
        *errmsg = ns__sprintf("%s: %s", db->path,
                              ns__xdb_errmsg(db->x)[0]
                                  ? ns__xdb_errmsg(db->x)
                                  : ns_strerror(st));
    ns__buf_free(&v);
    return st;
}

static void
release_reader(ns_db *db)
{
    if (db->readers_fd >= 0)
        close(db->readers_fd); /* drops the shared lock */
    db->readers_fd = -1;
}

/* Open db->dir with Xapian; on failure the message, in the words of the
 * index. */
static ns_status
open_xapian(ns_db *db, unsigned xflags, char **errmsg)
{
    char *xmsg = NULL;
    ns_status st = ns__xdb_open(db->dir, xflags, &db->x, &xmsg);
    if (st == NS_ERR_INDEX_LOCKED)
        fail(errmsg, st, "%s: locked by another writer", db->path);
    else if (st == NS_ERR_INDEX_OPEN)
        fail(errmsg, st, "%s: not an nsearch index (%s)", db->path,
             xmsg ? xmsg : "cannot open");
    else if (st != NS_OK)
        fail(errmsg, st, "%s: %s", db->path, xmsg ? xmsg : ns_strerror(st));
    ns_free(xmsg);
    return name_damage(db, st, errmsg);
}

static ns_status
no_index(ns_db *db, ns_status st, char **errmsg)
{
    if (st == NS_ERR_NOT_FOUND)
        return fail(errmsg, NS_ERR_INDEX_OPEN,
                    "%s: no index here (create one with 'nsearch index')",
                    db->path);
    if (st == NS_ERR_INDEX_OPEN)
        return fail(errmsg, st, "%s: not an nsearch index (unreadable %s)",
                    db->path, NS_STUB_FILE);
    return fail(errmsg, st, "%s: %s", db->path, ns_strerror(st));
}

/*
 * A writer (the lock held) opens the live database, or, for a new index or
 * a rebuild, a new generation beside it; then deletes the generations that
 * no one needs any more.
 */
static ns_status
open_writer(ns_db *db, unsigned flags, char **errmsg)
{
    char *live = NULL;
    unsigned live_gen = 0;
    ns_status st = resolve(db->path, &live, &live_gen);
    int live_flat = st == NS_OK && live_gen == 0;
    if (st == NS_ERR_NOT_FOUND && (flags & NS_OPEN_CREATE))
        st = NS_OK; /* a new index */
    else if (st != NS_OK)
        return no_index(db, st, errmsg);
    unsigned xflags = NS_OPEN_WRITE;
    db->live_positions = -1;
    if (live && (flags & NS_OPEN_REBUILD)) {
        /* A rebuild keeps the live index's choice of positions unless told
         * (new_positions). */
        ns__xdb *lx = NULL;
        char *xmsg = NULL;
        int p = 1;
        if (ns__xdb_open(live, NS_OPEN_READ, &lx, &xmsg) == NS_OK &&
            positions_of(lx, -1, &p) == NS_OK)
            db->live_positions = p;
        ns__xdb_close(lx);
        ns_free(xmsg);
    }
    if (live && !(flags & NS_OPEN_REBUILD)) {
        db->dir = live;
        db->gen = live_gen;
        live = NULL;
    } else {
        db->gen = max_gen(db->path) + 1;
        db->dir = ns__sprintf("%s/" NS_GEN_PREFIX "%u", db->path, db->gen);
        if (!db->dir) {
            ns_free(live);
            return NS_ERR_NOMEM;
        }
        xflags |= NS_OPEN_CREATE;
        if (flags & NS_OPEN_REBUILD) {
            xflags |= NS__XOPEN_BUILD;
            db->building = 1;
        } else {
            db->fresh = 1;
        }
    }
    ns_free(live);
    cleanup_generations(db, live_gen, live_flat);
    if ((st = open_xapian(db, xflags, errmsg)) != NS_OK)
        return st;
    if ((st = make_readers_file(db->dir)) != NS_OK)
        return fail(errmsg, st, "%s: cannot create %s: %s", db->dir,
                    NS_READERS_FILE, strerror(errno));
    return NS_OK;
}

/*
 * A reader opens the live database, holding its readers file (shared) so
 * that no writer deletes it meanwhile.  Should a rebuild switch
 * generations and delete the one the stub named a moment ago, it opens the
 * new one.
 */
static ns_status
open_reader(ns_db *db, char **errmsg)
{
    ns_status st = NS_OK;
    for (int attempt = 0;; attempt++) {
        char *dir = NULL;
        unsigned gen = 0;
        st = resolve(db->path, &dir, &gen);
        if (st != NS_OK)
            return no_index(db, st, errmsg);
        int fd = readers_lock(dir);
        if (fd == -3) {
            ns_free(dir);
            return NS_ERR_NOMEM;
        }
        if (fd == -2 && attempt < 400) {
            /* A writer is deleting that generation, after a switch. */
            ns_free(dir);
            struct timespec ts = { 0, 5000000L };
            nanosleep(&ts, NULL);
            continue;
        }
        db->dir = dir;
        db->gen = gen;
        db->readers_fd = fd < 0 ? -1 : fd;
        char *msg = NULL;
        st = open_xapian(db, NS_OPEN_READ, attempt < 20 ? &msg : errmsg);
        if (st == NS_OK || attempt >= 20) {
            ns_free(msg);
            return st;
        }
        /* Gone under us?  Then the stub names another one by now. */
        char *now = NULL;
        unsigned now_gen = 0;
        int moved = resolve(db->path, &now, &now_gen) == NS_OK &&
                    strcmp(now, db->dir) != 0;
        ns_free(now);
        if (!moved) {
            if (errmsg)
                *errmsg = msg;
            else
                ns_free(msg);
            return st;
        }
        ns_free(msg);
        release_reader(db);
        ns_free(db->dir);
        db->dir = NULL;
    }
}

ns_status
ns_db_open(const char *path, unsigned flags, ns_db **out, char **errmsg)
    NS_NOEXCEPT
{
    ns_open_options o = NS_OPEN_OPTIONS_INIT;
    o.flags = flags;
    return ns_db_open_v2(path, &o, out, errmsg);
}

/* The caller's options, or the defaults, as a struct of this version.
 * An older caller's struct is shorter, and may be aligned only as its own
 * members need: its version is read bytewise and not a byte past its end
 * is read (version 1 ends with lock_timeout_ms). */
ns_status
ns__open_options(const ns_open_options *opts,
                 ns_open_options *o,
                 char **errmsg)
{
    ns_open_options def = NS_OPEN_OPTIONS_INIT;
    *o = def;
    if (!opts)
        return NS_OK;
    unsigned version;
    memcpy(&version, opts, sizeof version);
    if (version < 1 || version > NS_OPEN_OPTIONS_VERSION)
        return fail(errmsg, NS_ERR_INVALID_ARG,
                    "unknown ns_open_options version %u", version);
    memcpy(o, opts,
           version < 2 ?
               offsetof(ns_open_options, lock_timeout_ms) + sizeof(int) :
               sizeof *o);
    return NS_OK;
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
    ns_open_options own;
    ns_status ost = ns__open_options(opts, &own, errmsg);
    if (ost != NS_OK)
        return ost;
    opts = &own;
    unsigned flags = opts->flags;
    if (!path || !*path)
        return fail(errmsg, NS_ERR_INVALID_ARG, "no index path given");
    if (flags & ~(unsigned)(NS_OPEN_WRITE | NS_OPEN_CREATE | NS_OPEN_REBUILD |
                            NS_OPEN_PARTIAL | NS_OPEN_POSITIONS |
                            NS_OPEN_NO_POSITIONS | NS_OPEN_POSITION_MAPS))
        return fail(errmsg, NS_ERR_INVALID_ARG,
                    "unknown NS_OPEN_* flags 0x%x", flags);
    unsigned pflags =
        flags & (NS_OPEN_POSITIONS | NS_OPEN_NO_POSITIONS |
                 NS_OPEN_POSITION_MAPS);
    if (((flags & (NS_OPEN_CREATE | NS_OPEN_REBUILD)) || pflags) &&
        !(flags & NS_OPEN_WRITE))
        return fail(errmsg, NS_ERR_INVALID_ARG,
                    "NS_OPEN_CREATE, NS_OPEN_REBUILD and the positions "
                    "flags need NS_OPEN_WRITE");
    if (pflags & (pflags - 1))
        return fail(errmsg, NS_ERR_INVALID_ARG,
                    "more than one of NS_OPEN_POSITIONS, "
                    "NS_OPEN_NO_POSITIONS and NS_OPEN_POSITION_MAPS");
    /* A sharded index, or one of its shards: core/shards.c. */
    ns_status sst = ns__shards_open(path, opts, out, errmsg);
    if (sst != NS_ERR_NOT_FOUND)
        return sst;

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
    db->readers_fd = -1;
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
    st = (flags & NS_OPEN_WRITE) ? open_writer(db, flags, errmsg)
                                 : open_reader(db, errmsg);
    if (st == NS_OK)
        st = load_settings(db, errmsg);
    if (st == NS_OK && !(flags & NS_OPEN_WRITE))
        ns__xdb_on_reopen(db->x, reload_dict, db);
    if (st == NS_OK && db->fresh) {
        /* A new index: its first (empty) generation goes live at once, so
         * that readers find an index. */
        st = ns__db_commit(db);
        if (st == NS_OK)
            st = write_stub(db->path, db->gen);
        if (st != NS_OK)
            fail(errmsg, st, "%s: cannot create the index: %s", path,
                 *ns__xdb_errmsg(db->x) ? ns__xdb_errmsg(db->x)
                                        : ns_strerror(st));
        db->fresh = 0;
    }
    if (st != NS_OK) {
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
    if (db->shards_free)
        db->shards_free(db);
    ns__xdb_close(db->x);
    if (db->building && db->dir)
        rm_tree(db->dir); /* a rebuild never published: abandoned */
    ns__lock_release(db->lock_fd); /* after Xapian's commit and unlock */
    release_reader(db);
    ns__buf_free(&db->info_location);
    ns_free(db->dir);
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
    /* What this nsearch writes is of its format, which says whether the
     * index keeps positions (schema.h): a format 1 index updated now
     * becomes format 2 with positions. */
    char num[16];
    snprintf(num, sizeof num, "%d", NS_SCHEMA_VERSION);
    ns_status st =
        ns__xdb_set_metadata(db->x, NS_META_SCHEMA, num, strlen(num));
    if (st == NS_OK)
        st = ns__xdb_set_metadata(db->x, NS_META_POSITIONS,
                                  positions_meta(db->positions), 1);
    if (st == NS_OK)
        st = ns__xdb_set_metadata(db->x, NS_META_UPDATED, when, strlen(when));
    if (st == NS_OK && db->has_dict && !db->dict_file_ok)
        st = write_dict_file(db);
    if (st == NS_OK)
        st = ns__xdb_commit(db->x);
    if (st == NS_OK) {
        db->dirty = 0;
        db->compacted = 0;
    }
    return st;
}

/* After a switch to db->dir: the legacy database in db->path (if it was
 * the live one) stops being one, and the handle writes the new live
 * generation with Xapian's ordinary safety. */
static ns_status
after_switch(ns_db *db, int was_flat)
{
    ns_status st = NS_OK;
    if (was_flat) {
        /* Xapian prefers iamglass to the stub: without it, the stub rules. */
        char *p = join(db->path, "iamglass");
        if (!p || unlink(p) != 0)
            st = p ? NS_ERR_IO : NS_ERR_NOMEM;
        ns_free(p);
        fsync_path(db->path, 1);
    }
    ns__xdb_close(db->x);
    db->x = NULL;
    db->building = 0;
    char *xmsg = NULL;
    ns_status ost = ns__xdb_open(db->dir, NS_OPEN_WRITE, &db->x, &xmsg);
    ns_free(xmsg);
    if (st == NS_OK)
        st = ost;
    cleanup_generations(db, db->gen, 0);
    return st;
}

/* Whether the live database is db->path itself (legacy layout). */
static int
live_is_flat(const ns_db *db)
{
    return exists(db->path, "iamglass") == 1;
}

ns_status
ns__db_publish(ns_db *db)
{
    if (!(db->flags & NS_OPEN_WRITE) || !db->building || !db->x)
        return NS_ERR_INVALID_ARG;
    db->dirty = 1; /* a new generation gets its own commit time */
    ns_status st = ns__db_commit(db);
    if (st == NS_OK && (st = sync_dir(db->dir)) != NS_OK)
        ns__db_errorf(db, "%s: cannot sync: %s", db->dir, strerror(errno));
    int was_flat = live_is_flat(db);
    if (st == NS_OK && (st = write_stub(db->path, db->gen)) != NS_OK)
        ns__db_errorf(db, "%s: cannot write %s: %s", db->path, NS_STUB_FILE,
                      strerror(errno));
    if (st != NS_OK)
        return st;
    return after_switch(db, was_flat);
}

ns_status
ns__db_compact(ns_db *db)
{
    if (!(db->flags & NS_OPEN_WRITE) || !db->x)
        return NS_ERR_INVALID_ARG;
    ns_status st = ns__db_commit(db);
    if (st != NS_OK || db->compacted)
        return st; /* nothing written since the last compaction */
    unsigned gen = max_gen(db->path) + 1;
    char *dest = ns__sprintf("%s/" NS_GEN_PREFIX "%u", db->path, gen);
    if (!dest)
        return NS_ERR_NOMEM;
    char *xmsg = NULL;
    ns__xdb *src = db->x;
    st = ns__xdb_compact(&src, 1, dest, &xmsg);
    if (st != NS_OK)
        ns__db_errorf(db, "%s: compaction failed: %s", db->path,
                      xmsg ? xmsg : ns_strerror(st));
    ns_free(xmsg);
    if (st == NS_OK && (st = make_readers_file(dest)) != NS_OK)
        ns__db_errorf(db, "%s: cannot create %s", dest, NS_READERS_FILE);
    /* The copy has the metadata, so the dictionary's file goes along (a
     * link: it never changes in place). */
    int linked = 0;
    if (st == NS_OK && db->dict_file_ok) {
        char *from = join(db->dir, NS_ZDICT_FILE);
        char *to = join(dest, NS_ZDICT_FILE);
        linked = from && to && link(from, to) == 0;
        ns_free(from);
        ns_free(to);
    }
    if (st == NS_OK && (st = sync_dir(dest)) != NS_OK)
        ns__db_errorf(db, "%s: cannot sync: %s", dest, strerror(errno));
    if (st != NS_OK) {
        rm_tree(dest); /* the live index is as it was */
        ns_free(dest);
        return st;
    }
    char *old = db->dir;
    db->dir = dest;
    int old_file_ok = db->dict_file_ok;
    db->dict_file_ok = linked;
    unsigned old_gen = db->gen;
    db->gen = gen;
    db->compacted = 1;
    if (db->building) {
        /* A generation being built: the compact copy replaces it. */
        ns__xdb_close(db->x);
        db->x = NULL;
        rm_tree(old);
        ns_free(old);
        xmsg = NULL;
        st = ns__xdb_open(db->dir, NS_OPEN_WRITE | NS__XOPEN_BUILD, &db->x,
                          &xmsg);
        ns_free(xmsg);
        return st;
    }
    int was_flat = old_gen == 0;
    st = write_stub(db->path, gen);
    if (st != NS_OK) {
        ns__db_errorf(db, "%s: cannot write %s: %s", db->path, NS_STUB_FILE,
                      strerror(errno));
        db->dir = old;
        db->dict_file_ok = old_file_ok;
        db->gen = old_gen;
        rm_tree(dest);
        ns_free(dest);
        return st;
    }
    ns_free(old);
    return after_switch(db, was_flat);
}

ns_status
ns__db_open_shard(ns_db *parent,
                  const void *dict,
                  size_t dict_len,
                  ns_db **out)
{
    *out = NULL;
    ns_db *db = ns__calloc(1, sizeof *db);
    if (!db)
        return NS_ERR_NOMEM;
    db->flags = NS_OPEN_WRITE;
    db->lock_fd = -1;
    db->readers_fd = -1;
    db->building = 1; /* closing it deletes it */
    db->positions = parent->positions;
    db->path = ns__strdup(parent->path);
    db->gen = max_gen(parent->path) + 1;
    db->dir = ns__sprintf("%s/" NS_GEN_PREFIX "%u", parent->path, db->gen);
    ns_status st = db->path && db->dir ? NS_OK : NS_ERR_NOMEM;
    char *msg = NULL;
    if (st == NS_OK)
        st = ns__xdb_open(db->dir,
                          NS_OPEN_WRITE | NS_OPEN_CREATE | NS__XOPEN_BUILD,
                          &db->x, &msg);
    if (st != NS_OK && msg)
        ns__db_errorf(parent, "%s: %s", db->dir ? db->dir : "", msg);
    ns_free(msg);
    if (st == NS_OK)
        st = ns__analyzer_new(ns__analyzer_spec(parent->analyzer),
                              &db->analyzer, NULL);
    if (st == NS_OK)
        st = ns__store_new(&db->store);
    if (st == NS_OK && dict_len) {
        st = ns__store_set_dict(db->store, dict, dict_len);
        db->has_dict = st == NS_OK;
    }
    if (st != NS_OK) {
        ns_db_close(db);
        return st;
    }
    *out = db;
    return NS_OK;
}

ns_status
ns__db_merge(ns_db *db, ns_db *const *shards, size_t n)
{
    if (!(db->flags & NS_OPEN_WRITE) || !n)
        return NS_ERR_INVALID_ARG;
    ns__xdb **xs = ns__calloc(n, sizeof *xs);
    if (!xs)
        return NS_ERR_NOMEM;
    ns_status st = NS_OK;
    for (size_t i = 0; i < n && st == NS_OK; i++) {
        st = ns__db_commit(shards[i]);
        if (st == NS_OK)
            st = ns__xdb_commit(shards[i]->x);
        if (st != NS_OK)
            ns__db_errorf(db, "%s: %s", shards[i]->dir,
                          ns__xdb_errmsg(shards[i]->x));
        xs[i] = shards[i]->x;
    }
    unsigned gen = max_gen(db->path) + 1;
    char *dest = ns__sprintf("%s/" NS_GEN_PREFIX "%u", db->path, gen);
    if (st == NS_OK && !dest)
        st = NS_ERR_NOMEM;
    char *xmsg = NULL;
    if (st == NS_OK && (st = ns__xdb_compact(xs, n, dest, &xmsg)) != NS_OK)
        ns__db_errorf(db, "%s: merging the shards failed: %s", db->path,
                      xmsg ? xmsg : ns_strerror(st));
    ns_free(xmsg);
    ns_free(xs);
    if (st == NS_OK && (st = make_readers_file(dest)) != NS_OK)
        ns__db_errorf(db, "%s: cannot create %s", dest, NS_READERS_FILE);
    if (st != NS_OK) {
        if (dest)
            rm_tree(dest);
        ns_free(dest);
        return st;
    }
    /* Adopt it: the generation this handle built goes (a live one stays
     * live until the switch). */
    ns__xdb_close(db->x);
    db->x = NULL;
    if (db->building)
        rm_tree(db->dir);
    ns_free(db->dir);
    db->dir = dest;
    db->dict_file_ok = 0; /* written by the next commit */
    db->gen = gen;
    db->building = 1;
    xmsg = NULL;
    st = ns__xdb_open(db->dir, NS_OPEN_WRITE | NS__XOPEN_BUILD, &db->x,
                      &xmsg);
    ns_free(xmsg);
    return st;
}

ns_status
ns__db_write_settings(ns_db *db)
{
    char num[16];
    snprintf(num, sizeof num, "%d", NS_SCHEMA_VERSION);
    const char *spec = ns__analyzer_spec(db->analyzer);
    ns_status st = ns__xdb_set_metadata(db->x, NS_META_SCHEMA, num,
                                        strlen(num));
    if (st == NS_OK)
        st = ns__xdb_set_metadata(db->x, NS_META_POSITIONS,
                                  positions_meta(db->positions), 1);
    if (st == NS_OK)
        st = ns__xdb_set_metadata(db->x, NS_META_ANALYZER, spec,
                                  strlen(spec));
    if (st == NS_OK)
        db->dirty = 1;
    return st;
}

/* Bytes of the files directly in dir (a glass database is flat); with
 * only_tables, of Xapian's tables only. */
static uint64_t
dir_bytes_of(const char *dir, int only_tables)
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
        size_t n = strlen(e->d_name);
        if (only_tables && (n < 6 || strcmp(e->d_name + n - 6, ".glass")))
            continue;
        if (stat(ns__buf_cstr(&p), &sb) == 0 && S_ISREG(sb.st_mode))
            total += (uint64_t)sb.st_blocks * 512;
    }
    ns__buf_free(&p);
    closedir(d);
    return total;
}

static uint64_t
dir_bytes(const char *dir)
{
    return dir_bytes_of(dir, 0);
}

/* Bytes of what the index directory holds besides the open database:
 * older generations kept for their readers, leftovers. */
static uint64_t
other_bytes(const ns_db *db)
{
    uint64_t total = 0;
    if (strcmp(db->dir, db->path) != 0)
        total += dir_bytes_of(db->path, 1); /* a legacy database's tables */
    DIR *d = opendir(db->path);
    if (!d)
        return total;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        unsigned g = ns__db_gen_number(e->d_name);
        if (!g || g == db->gen)
            continue;
        char *p = join(db->path, e->d_name);
        if (p)
            total += dir_bytes(p);
        ns_free(p);
    }
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

/* Where version 1 of ns_db_info ends: what ns_db_stat() may write. */
#define NS_DB_INFO_V1_SIZE offsetof(ns_db_info, writer)
#define NS_DB_INFO_V2_SIZE offsetof(ns_db_info, positions)

/* Fill all of *info (a whole struct of this library's version), computing
 * the fields past version 1 only when the caller asked for them: counting
 * files reads every file record. */
static ns_status
db_stat(ns_db *db, unsigned version, ns_db_info *info)
{
    memset(info, 0, sizeof *info);
    ns_status st = ns__xdb_doccount(db->x, &info->articles);
    if (st == NS_OK)
        st = ns__xdb_get_metadata(db->x, NS_META_ANALYZER,
                                  &db->info_analyzer);
    if (st == NS_OK)
        st = ns__xdb_get_metadata(db->x, NS_META_UPDATED, &db->info_updated);
    if (st != NS_OK)
        return st;
    info->size_bytes = dir_bytes(db->dir);
    info->analyzer = ns__buf_cstr(&db->info_analyzer);
    info->positions = ns__db_positions_kind(db);
    info->updated = ns__buf_cstr(&db->info_updated);
    if (version >= 2) {
        info->other_bytes = other_bytes(db);
        ns__buf_reset(&db->info_location);
        ns__buf_puts(&db->info_location, db->dir);
        if (db->info_location.oom)
            return NS_ERR_NOMEM;
        info->location = ns__buf_cstr(&db->info_location);
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
    }
    if (st == NS_OK && db->shards)
        st = ns__shards_stat(db, info);
    return st;
}

ns_status
ns_db_stat_v2(ns_db *db, unsigned version, ns_db_info *info) NS_NOEXCEPT
{
    if (!db || !info)
        return NS_ERR_INVALID_ARG;
    ns__db_clear_error(db);
    if (version < 1 || version > NS_DB_INFO_VERSION) {
        ns__db_errorf(db,
                      "ns_db_info version %u is unknown to this library "
                      "(it knows 1 to %u)",
                      version, (unsigned)NS_DB_INFO_VERSION);
        return NS_ERR_INVALID_ARG;
    }
    /* A reader describes the latest commit, as its searches see it. */
    if (db->x && !ns__xdb_writable(db->x))
        (void)ns__xdb_reopen(db->x); /* a failure shows in the reads */
    ns_db_info all;
    ns_status st = db_stat(db, version, &all);
    /* The caller's struct ends with its version's fields. */
    memcpy(info, &all,
           version == 1   ? NS_DB_INFO_V1_SIZE
           : version == 2 ? NS_DB_INFO_V2_SIZE
                          : sizeof all);
    return st;
}

ns_status
ns_db_stat(ns_db *db, ns_db_info *info) NS_NOEXCEPT
{
    return ns_db_stat_v2(db, 1, info);
}

/* ---- for core/shards.c ------------------------------------------------- */

unsigned
ns__db_next_gen(const char *path)
{
    return max_gen(path) + 1;
}

ns_status
ns__db_seal_gen(const char *dir)
{
    ns_status st = make_readers_file(dir);
    return st == NS_OK ? sync_dir(dir) : st;
}

int
ns__db_delete_unread(const char *dir)
{
    return delete_unread(dir, 1);
}
