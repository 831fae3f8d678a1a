/*
 * bulk.c: building an index fast, when ns_db_add_path starts on an empty
 * one (a first build, a rebuild).  Xapian's inverter runs on one thread per
 * database, and it is most of the cost of indexing: so the walk (the
 * caller's thread) hands each article to one of several shard threads,
 * each with its own analyzer, zstd context and private Xapian database
 * (core/db.c, ns__db_open_shard), chosen by a hash of the article's id, so
 * that an article met twice goes to the same shard, which keeps one copy.
 * At the end Xapian's compaction merges the shards into a new generation
 * (ns__db_merge): the merge is the compaction a rebuild wanted anyway.
 *
 * Memory is bounded whatever the archive's size: each queue holds at most
 * NS_BULK_QUEUE_BYTES of articles (the walk waits when it is full), and
 * each shard commits every NS_BULK_COMMIT_BYTES of text.  It knows nothing
 * of files and records: index.c keeps those.
 */
#include "indexer/indexer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Text a queue may hold before the walk waits for its shard. */
#define NS_BULK_QUEUE_BYTES (16u << 20)
/* Text a shard writes between commits: what its inverter holds.  Xapian's
 * inverter keeps its changes in maps by term, and they grow slower to
 * search and add to as they fill: on 6,000 briefing-room articles (90 MB)
 * a build took 12.5 s with 32 MB, 10.1 s with 8 MB, 7.9 s with 1 MB and
 * 8.5 s with 256 KB (the shards' commits do not sync: DB_NO_SYNC), and the
 * merged index is the same size. */
#define NS_BULK_COMMIT_BYTES (1u << 20)
#define NS_BULK_MAX_SHARDS   16

/* One article on its way to a shard, its strings in buf. */
typedef struct item {
    struct item *next;
    ns_article a;
    const char *file;
    char fterm[18];
    size_t bytes;
    char buf[];
} item;

typedef struct shard {
    pthread_t thread;
    int started;
    ns_db *db; /* the shard's private writer */
    pthread_mutex_t mu;
    pthread_cond_t can_put, can_get;
    item *head, **tail;
    size_t bytes; /* of the items queued */
    int closed;   /* no more items will come */
    ns_status st; /* the shard's first failure */
    unsigned commit_every;
} shard;

struct ns__bulk {
    shard sh[NS_BULK_MAX_SHARDS];
    size_t n;
};

unsigned
ns__bulk_shards(void)
{
    const char *env = getenv("NSEARCH_SHARDS"); /* for measurements */
    long n = env && atoi(env) > 0 ? atol(env) : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    return n > NS_BULK_MAX_SHARDS ? NS_BULK_MAX_SHARDS : (unsigned)n;
}

static void *
shard_main(void *arg)
{
    shard *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!s->head && !s->closed)
            pthread_cond_wait(&s->can_get, &s->mu);
        item *it = s->head;
        if (it) {
            s->head = it->next;
            if (!s->head)
                s->tail = &s->head;
            s->bytes -= it->bytes;
            pthread_cond_signal(&s->can_put);
        }
        pthread_mutex_unlock(&s->mu);
        if (!it) {
            /* Closed and empty: flush the inverter here, in parallel with
             * the other shards, rather than in the merge, one by one. */
            pthread_mutex_lock(&s->mu);
            ns_status st = s->st;
            pthread_mutex_unlock(&s->mu);
            if (st == NS_OK && (st = ns__db_commit(s->db)) != NS_OK) {
                pthread_mutex_lock(&s->mu);
                s->st = st;
                pthread_mutex_unlock(&s->mu);
            }
            break;
        }
        pthread_mutex_lock(&s->mu);
        ns_status st = s->st;
        pthread_mutex_unlock(&s->mu);
        if (st == NS_OK) {
            st = ns__index_write(s->db, &it->a, it->file, it->fterm,
                                 s->commit_every, NS_BULK_COMMIT_BYTES);
            if (st != NS_OK) {
                pthread_mutex_lock(&s->mu);
                s->st = st;
                pthread_cond_signal(&s->can_put);
                pthread_mutex_unlock(&s->mu);
            }
        }
        ns_free(it);
    }
    return NULL;
}

/* Stop the threads (they finish their queues) and join them: every queue
 * is closed first, so that the shards' last commits run at once rather
 * than one after the other. */
static void
stop_all(ns__bulk *b)
{
    for (size_t i = 0; i < b->n; i++) {
        shard *s = &b->sh[i];
        if (!s->started)
            continue;
        pthread_mutex_lock(&s->mu);
        s->closed = 1;
        pthread_cond_signal(&s->can_get);
        pthread_mutex_unlock(&s->mu);
    }
    for (size_t i = 0; i < b->n; i++) {
        shard *s = &b->sh[i];
        if (!s->started)
            continue;
        pthread_join(s->thread, NULL);
        s->started = 0;
    }
}

void
ns__bulk_free(ns__bulk *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++) {
        /* Abandoned: the queued articles are dropped, then the shard's
         * directory goes with its handle. */
        pthread_mutex_lock(&b->sh[i].mu);
        if (b->sh[i].st == NS_OK)
            b->sh[i].st = NS_ERR_ABORTED;
        pthread_mutex_unlock(&b->sh[i].mu);
    }
    stop_all(b);
    for (size_t i = 0; i < b->n; i++) {
        ns_db_close(b->sh[i].db);
        pthread_mutex_destroy(&b->sh[i].mu);
        pthread_cond_destroy(&b->sh[i].can_put);
        pthread_cond_destroy(&b->sh[i].can_get);
    }
    ns_free(b);
}

ns_status
ns__bulk_start(ns_db *db,
               unsigned n,
               const void *dict,
               size_t dict_len,
               unsigned commit_every,
               ns__bulk **out)
{
    *out = NULL;
    if (n < 1)
        n = 1;
    if (n > NS_BULK_MAX_SHARDS)
        n = NS_BULK_MAX_SHARDS;
    ns__bulk *b = ns__calloc(1, sizeof *b);
    if (!b)
        return NS_ERR_NOMEM;
    ns_status st = NS_OK;
    for (unsigned i = 0; i < n && st == NS_OK; i++) {
        shard *s = &b->sh[i];
        pthread_mutex_init(&s->mu, NULL);
        pthread_cond_init(&s->can_put, NULL);
        pthread_cond_init(&s->can_get, NULL);
        s->tail = &s->head;
        s->commit_every = commit_every;
        b->n++;
        st = ns__db_open_shard(db, dict, dict_len, &s->db);
        if (st == NS_OK && pthread_create(&s->thread, NULL, shard_main, s))
            st = NS_ERR_NOMEM;
        else if (st == NS_OK)
            s->started = 1;
    }
    if (st != NS_OK) {
        ns__bulk_free(b);
        return st;
    }
    *out = b;
    return NS_OK;
}

/* A stable shard for an article: by its id (index.c gives every article
 * of a walk one). */
static size_t
route(const ns__bulk *b, const ns_article *a)
{
    const char *key = a->id ? a->id : a->url ? a->url : a->title;
    if (!key)
        key = "";
    return (size_t)(ns__hash64(key, strlen(key), NS_HASH_SEED) % b->n);
}

ns_status
ns__bulk_put(ns__bulk *b,
             const ns_article *a,
             const char *file,
             const char *fterm)
{
    const char *src[8] = { a->id,  a->title,  a->date,     a->source,
                           a->url, a->author, a->language, file };
    size_t need = a->text_len + 1;
    for (int i = 0; i < 8; i++)
        need += src[i] ? strlen(src[i]) + 1 : 0;
    item *it = ns__malloc(sizeof *it + need);
    if (!it)
        return NS_ERR_NOMEM;
    memset(it, 0, sizeof *it);
    const char **dst[8] = { &it->a.id,       &it->a.title, &it->a.date,
                            &it->a.source,   &it->a.url,   &it->a.author,
                            &it->a.language, &it->file };
    char *p = it->buf;
    for (int i = 0; i < 8; i++) {
        if (!src[i])
            continue;
        size_t n = strlen(src[i]) + 1;
        memcpy(p, src[i], n);
        *dst[i] = p;
        p += n;
    }
    if (a->text_len)
        memcpy(p, a->text, a->text_len);
    p[a->text_len] = '\0';
    it->a.version = NS_ARTICLE_VERSION;
    it->a.text = p;
    it->a.text_len = a->text_len;
    if (fterm)
        memcpy(it->fterm, fterm, sizeof it->fterm);
    it->bytes = a->text_len + 256;

    shard *s = &b->sh[route(b, a)];
    pthread_mutex_lock(&s->mu);
    while (s->bytes > NS_BULK_QUEUE_BYTES && s->st == NS_OK)
        pthread_cond_wait(&s->can_put, &s->mu);
    ns_status st = s->st;
    if (st == NS_OK) {
        *s->tail = it;
        s->tail = &it->next;
        s->bytes += it->bytes;
        pthread_cond_signal(&s->can_get);
    }
    pthread_mutex_unlock(&s->mu);
    if (st != NS_OK)
        ns_free(it); /* the caller ends the build: ns__bulk_abort */
    return st;
}

void
ns__bulk_abort(ns__bulk *b, ns_db *db)
{
    if (!b)
        return;
    stop_all(b);
    for (size_t i = 0; i < b->n; i++) {
        if (b->sh[i].st != NS_OK && b->sh[i].st != NS_ERR_ABORTED &&
            b->sh[i].db) {
            ns__db_errorf(db, "%s", ns__xdb_errmsg(b->sh[i].db->x));
            break;
        }
    }
    ns__bulk_free(b);
}

ns_status
ns__bulk_finish(ns__bulk *b, ns_db *db)
{
    stop_all(b);
    ns_status st = NS_OK;
    for (size_t i = 0; i < b->n && st == NS_OK; i++) {
        st = b->sh[i].st;
        if (st != NS_OK)
            ns__db_errorf(db, "%s", ns__xdb_errmsg(b->sh[i].db->x));
    }
    if (st != NS_OK)
        return st;
    ns_db *dbs[NS_BULK_MAX_SHARDS];
    for (size_t i = 0; i < b->n; i++)
        dbs[i] = b->sh[i].db;
    return ns__db_merge(db, dbs, b->n);
}
