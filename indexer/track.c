/*
 * track.c: the per-file records of incremental updates (schema.h,
 * "Incremental updates"): their keys, their encoding, the hash of a file's
 * bytes, and pruning the files that are gone.  It decides nothing about
 * when to read a file; index.c does, and writes the records in the same
 * commit batch as the articles they describe.
 */
#include "indexer/indexer.h"
#include "core/schema.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- hashing ------------------------------------------------------------ */

void
ns__hex64(uint64_t h, char out[17])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--) {
        out[i] = hex[h & 15];
        h >>= 4;
    }
    out[16] = '\0';
}

ns_status
ns__file_hash(const char *path, uint64_t *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NS_ERR_IO;
    size_t cap = 1u << 20;
    unsigned char *buf = ns__malloc(cap);
    if (!buf) {
        close(fd);
        return NS_ERR_NOMEM;
    }
    /* Each block hashed, the block hashes chained: the result depends on
     * every byte and on the block boundaries, which are fixed. */
    uint64_t h = NS_HASH_SEED;
    ns_status st = NS_OK;
    for (;;) {
        size_t got = 0;
        while (got < cap) {
            ssize_t r = read(fd, buf + got, cap - got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0) {
                st = NS_ERR_IO;
                break;
            }
            if (r == 0)
                break;
            got += (size_t)r;
        }
        if (st != NS_OK || got == 0)
            break;
        h = ns__hash64(buf, got, h);
        if (got < cap)
            break;
    }
    int err = errno;
    ns_free(buf);
    close(fd);
    errno = err;
    *out = h;
    return st;
}

/* ---- records --------------------------------------------------------------
 */

void
ns__track_key(const char *path, ns_buf *key)
{
    size_t n = strlen(path);
    ns__buf_reset(key);
    ns__buf_puts(key, NS_META_FILE);
    if (n <= NS_MAX_FILE_KEY) {
        ns__buf_append(key, path, n);
    } else {
        char hex[17];
        ns__hex64(ns__hash64(path, n, NS_HASH_SEED), hex);
        ns__buf_putc(key, '#');
        ns__buf_puts(key, hex);
    }
}

void
ns__track_fterm(const char *path, char term[18])
{
    term[0] = NS_PREFIX_FILE[0];
    ns__hex64(ns__hash64(path, strlen(path), NS_HASH_SEED), term + 1);
}

ns_status
ns__track_get(ns_db *db, const char *path, ns__file_record *rec)
{
    ns_buf key = { 0 }, val = { 0 };
    ns__track_key(path, &key);
    ns_status st = key.oom ?
                       NS_ERR_NOMEM :
                       ns__xdb_get_metadata(db->x, ns__buf_cstr(&key), &val);
    if (st == NS_OK) {
        const char *v = ns__buf_cstr(&val);
        const char *nl = strchr(v, '\n');
        unsigned long long size, hash, articles;
        long long mtime;
        /* Format 1; a hashed key must name the same path (no collision). */
        if (val.len == 0 || !nl || strcmp(nl + 1, path) != 0 ||
            sscanf(v, "1 %llu %lld %16llx %llu", &size, &mtime, &hash,
                   &articles) != 4) {
            st = NS_ERR_NOT_FOUND;
        } else {
            rec->size = size;
            rec->mtime_ns = mtime;
            rec->hash = hash;
            rec->articles = articles;
        }
    }
    ns__buf_free(&key);
    ns__buf_free(&val);
    return st;
}

ns_status
ns__track_put(ns_db *db, const char *path, const ns__file_record *rec)
{
    ns_buf key = { 0 }, val = { 0 };
    char hex[17];
    ns__hex64(rec->hash, hex);
    ns__track_key(path, &key);
    ns__buf_printf(&val, "1 %" PRIu64 " %" PRId64 " %s %" PRIu64 "\n%s",
                   rec->size, rec->mtime_ns, hex, rec->articles, path);
    ns_status st =
        key.oom || val.oom ?
            NS_ERR_NOMEM :
            ns__xdb_set_metadata(db->x, ns__buf_cstr(&key), val.data, val.len);
    if (st == NS_OK)
        db->dirty = 1;
    ns__buf_free(&key);
    ns__buf_free(&val);
    return st;
}

/* ---- pruning --------------------------------------------------------------
 */

typedef struct prune_ctx {
    ns_db *db;
    const char *root;
    size_t root_len;
    const char *const *exclude;
    ns_buf val;
    char **gone; /* paths of vanished files */
    size_t n, cap;
    ns_status st;
} prune_ctx;

static int
under_root(const prune_ctx *p, const char *path)
{
    if (strncmp(path, p->root, p->root_len) != 0)
        return 0;
    /* "/a/b" is under "/a" and "/a/", not under "/a/b2"'s sibling "/a/b" */
    return path[p->root_len] == '\0' || path[p->root_len] == '/' ||
           (p->root_len > 0 && p->root[p->root_len - 1] == '/');
}

static int
prune_key(const char *key, void *payload)
{
    prune_ctx *p = payload;
    p->st = ns__xdb_get_metadata(p->db->x, key, &p->val);
    if (p->st != NS_OK)
        return 1;
    const char *nl = strchr(ns__buf_cstr(&p->val), '\n');
    if (!nl || !under_root(p, nl + 1))
        return 0;
    const char *rel = nl + 1 + p->root_len;
    while (*rel == '/')
        rel++;
    int ex = ns__path_excluded(p->exclude, rel);
    if (ex < 0) {
        p->st = NS_ERR_NOMEM;
        return 1;
    }
    struct stat sb;
    if (!ex && (lstat(nl + 1, &sb) == 0 || errno != ENOENT))
        return 0; /* still there, or unknown: keep it */
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        char **g = ns__realloc(p->gone, cap * sizeof *g);
        if (!g) {
            p->st = NS_ERR_NOMEM;
            return 1;
        }
        p->gone = g;
        p->cap = cap;
    }
    if (!(p->gone[p->n] = ns__strdup(nl + 1))) {
        p->st = NS_ERR_NOMEM;
        return 1;
    }
    p->n++;
    return 0;
}

ns_status
ns__track_prune(ns_db *db,
                const char *root,
                const char *const *exclude,
                uint64_t *files_out,
                uint64_t *articles_out)
{
    *files_out = *articles_out = 0;
    prune_ctx p = { db, root, strlen(root), exclude, { 0 }, NULL, 0, 0, NS_OK };
    /* Collect first: the keys cannot change while they are iterated. */
    ns_status st = ns__xdb_metadata_keys(db->x, NS_META_FILE, prune_key, &p);
    if (st == NS_ERR_ABORTED || st == NS_OK)
        st = p.st;
    ns_buf key = { 0 };
    for (size_t i = 0; i < p.n && st == NS_OK; i++) {
        char fterm[18];
        uint64_t n = 0;
        ns__track_fterm(p.gone[i], fterm);
        st = ns__xdb_delete_by_term(db->x, fterm, &n);
        ns__track_key(p.gone[i], &key);
        if (st == NS_OK)
            st = key.oom ?
                     NS_ERR_NOMEM :
                     ns__xdb_set_metadata(db->x, ns__buf_cstr(&key), NULL, 0);
        if (st == NS_OK) {
            db->dirty = 1;
            (*files_out)++;
            *articles_out += n;
        }
    }
    for (size_t i = 0; i < p.n; i++)
        ns_free(p.gone[i]);
    ns_free(p.gone);
    ns__buf_free(&p.val);
    ns__buf_free(&key);
    return st;
}
