/*
 * shards.c: sharded indexes (see "Shards" in nsearch.h and shards.h).  It
 * reads and changes the list of shards in the index's stub (under the
 * index's writer lock, written by db.c's one stub writer), opens every
 * shard and combines them into one Xapian database for the searcher, and
 * keeps the remote shards connected: one that stops answering is connected
 * again, or left out with NS_OPEN_PARTIAL.  It never writes articles: each
 * local shard is an ordinary index, opened through ns_db_open_v2.
 */
#include "core/shards.h"
#include "core/schema.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zstd.h>

/* The first line of the stubs this file writes: a list, even empty. */
#define LIST_MARK "# nsearch: the shards of this index"
#define LIST_HEAD LIST_MARK ", one a line (Xapian's stub format)\n"
/* The largest stub read: a list of some thousands of shards. */
#define MAX_STUB (1u << 20)
#define MAX_NAME 100

static ns_status fail(char **errmsg, ns_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static ns_status
fail(char **errmsg, ns_status st, const char *fmt, ...)
{
    if (errmsg && !*errmsg) {
        ns_buf b = { 0 };
        va_list ap;
        va_start(ap, fmt);
        ns__buf_vprintf(&b, fmt, ap);
        va_end(ap);
        *errmsg = ns__buf_detach(&b);
    }
    return st;
}

/* ---- the list -------------------------------------------------------------
 */

typedef struct entry {
    int remote;
    char *text;     /* after the type, as written: "shards/x", "h:p" */
    char *name;     /* "x" for shards/x, else text */
    char *location; /* the directory (text resolved), or "h:p" */
    char *host;     /* remote: the host, and the port */
    unsigned port;
} entry;

typedef struct list {
    entry *e;
    size_t n;
    int plain; /* a single index's stub ("auto gen-N"): db.c's */
    char *raw; /* the stub's bytes, to tell whether it changed */
} list;

static void
entry_free(entry *e)
{
    ns_free(e->text);
    ns_free(e->name);
    ns_free(e->location);
    ns_free(e->host);
    memset(e, 0, sizeof *e);
}

static void
list_free(list *l)
{
    for (size_t i = 0; i < l->n; i++)
        entry_free(&l->e[i]);
    ns_free(l->e);
    ns_free(l->raw);
    memset(l, 0, sizeof *l);
}

/* A shard name: letters, digits, '.', '_', '-', not first '.' or '-'. */
static int
valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MAX_NAME || s[0] == '.' || s[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* "host:port" into its parts (*host: ns_free it).  0 if it is not one:
 * Xapian's stub reader splits at the first colon, so the host has none. */
static int
parse_remote(const char *s, char **host, unsigned *port)
{
    const char *colon = strchr(s, ':');
    *host = NULL;
    if (!colon || colon == s || strchr(colon + 1, ':'))
        return 0;
    for (const char *p = s; p < colon; p++)
        if ((unsigned char)*p <= ' ' || *p == '#')
            return 0;
    unsigned long v = 0;
    const char *p = colon + 1;
    if (!*p)
        return 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || v > 65535)
            return 0;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v == 0 || v > 65535)
        return 0;
    *host = ns__strndup(s, (size_t)(colon - s));
    *port = (unsigned)v;
    return *host != NULL;
}

/* Fill e for a local entry text (relative to the index dir) or a remote
 * one.  0 when it is not one nsearch opens, -1 out of memory. */
static int
make_entry(entry *e, const char *dir, const char *text, int remote)
{
    memset(e, 0, sizeof *e);
    e->remote = remote;
    if (!(e->text = ns__strdup(text)))
        return -1;
    if (remote) {
        if (!parse_remote(text, &e->host, &e->port))
            return 0;
        e->name = ns__strdup(text);
        e->location = ns__strdup(text);
    } else {
        size_t n = strlen(NS_SHARDS_DIR "/");
        if (!*text)
            return 0;
        if (strncmp(text, NS_SHARDS_DIR "/", n) == 0 && valid_name(text + n))
            e->name = ns__strdup(text + n);
        else
            e->name = ns__strdup(text);
        e->location =
            text[0] == '/' ? ns__strdup(text) : ns__sprintf("%s/%s", dir, text);
    }
    return e->name && e->location ? 1 : -1;
}

static int
list_push(list *l, entry *e)
{
    entry *m = ns__realloc(l->e, (l->n + 1) * sizeof *m);
    if (!m)
        return -1;
    l->e = m;
    l->e[l->n++] = *e;
    return 0;
}

/* "gen-N" or "./gen-N": db.c's stub of a single index. */
static int
is_gen(const char *text)
{
    if (strncmp(text, "./", 2) == 0)
        text += 2;
    return ns__db_gen_number(text) != 0;
}

static int
file_exists(const char *dir, const char *name)
{
    char *p = ns__sprintf("%s/%s", dir, name);
    struct stat sb;
    int r = p && stat(p, &sb) == 0;
    ns_free(p);
    return r;
}

/*
 * Read the list of shards of the index at dir into l.  NS_ERR_NOT_FOUND
 * when dir is not a sharded index (no stub, a database itself, or a stub
 * nsearch does not read as a list: db.c then says what it makes of it);
 * l->plain for db.c's stub of a single index.
 */
static ns_status
read_list(const char *dir, list *l)
{
    memset(l, 0, sizeof *l);
    if (file_exists(dir, "iamglass") || file_exists(dir, "iamchert"))
        return NS_ERR_NOT_FOUND;
    char *p = ns__sprintf("%s/%s", dir, NS_STUB_FILE);
    if (!p)
        return NS_ERR_NOMEM;
    FILE *f = fopen(p, "re");
    ns_free(p);
    if (!f) /* none, or unreadable: db.c says what it makes of that */
        return errno == ENOMEM ? NS_ERR_NOMEM : NS_ERR_NOT_FOUND;
    ns_buf raw = { 0 };
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && raw.len <= MAX_STUB)
        ns__buf_append(&raw, chunk, got);
    int err = ferror(f);
    fclose(f);
    if (raw.oom) {
        ns__buf_free(&raw);
        return NS_ERR_NOMEM;
    }
    if (err || raw.len > MAX_STUB || memchr(raw.data, '\0', raw.len)) {
        ns__buf_free(&raw);
        return NS_ERR_NOT_FOUND;
    }
    l->raw = ns__strdup(ns__buf_cstr(&raw));
    ns__buf_free(&raw);
    if (!l->raw)
        return NS_ERR_NOMEM;
    ns_status st = NS_OK;
    int marked = strncmp(l->raw, LIST_MARK, strlen(LIST_MARK)) == 0;
    for (char *line = l->raw; line && st == NS_OK;) {
        char *next = strchr(line, '\n');
        size_t len = next ? (size_t)(next - line) : strlen(line);
        char *copy = ns__strndup(line, len);
        line = next ? next + 1 : NULL;
        if (!copy) {
            st = NS_ERR_NOMEM;
            break;
        }
        copy[strcspn(copy, "\r")] = '\0';
        char *sp = strchr(copy, ' ');
        entry e = { 0 };
        int r = 1, pushed = 0;
        if (!*copy || copy[0] == '#') {
            ns_free(copy);
            continue;
        }
        if (!sp)
            r = 0;
        else if ((*sp = '\0', strcmp(copy, "auto") == 0) ||
                 strcmp(copy, "glass") == 0)
            r = make_entry(&e, dir, sp + 1, 0);
        else if (strcmp(copy, "remote") == 0)
            r = make_entry(&e, dir, sp + 1, 1);
        else
            r = 0;
        if (r == 1 && list_push(l, &e) == 0)
            pushed = 1;
        else if (r == 1)
            r = -1;
        if (!pushed)
            entry_free(&e);
        ns_free(copy);
        if (r < 0)
            st = NS_ERR_NOMEM;
        else if (r == 0)
            st = NS_ERR_NOT_FOUND; /* a line we do not read: db.c's */
    }
    if (st == NS_OK && l->n == 1 && !l->e[0].remote && is_gen(l->e[0].text))
        l->plain = 1;
    else if (st == NS_OK && l->n == 0 && !marked)
        st = NS_ERR_NOT_FOUND; /* an empty stub nsearch did not write */
    if (st != NS_OK)
        list_free(l);
    return st;
}

static ssize_t
list_find(const list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->e[i].name, name) == 0)
            return (ssize_t)i;
    return -1;
}

/* Write l as dir's stub, atomically. */
static ns_status
write_list(const char *dir, const list *l)
{
    ns_buf b = { 0 };
    ns__buf_puts(&b, LIST_HEAD);
    for (size_t i = 0; i < l->n; i++)
        ns__buf_printf(&b, "%s %s\n", l->e[i].remote ? "remote" : "auto",
                       l->e[i].text);
    ns_status st = b.oom ? NS_ERR_NOMEM : ns__stub_write(dir, b.data);
    ns__buf_free(&b);
    return st;
}

/* ---- the shards of an open handle -----------------------------------------
 */

typedef struct shard {
    char *name, *location, *host;
    unsigned port;
    int remote;
    ns_db *db;    /* a local shard's own read handle */
    ns__xdb *rx;  /* a remote shard's connection; NULL while it is down */
    int dicts;    /* its dictionaries are in the combined store */
    ns_buf error; /* why it is down */
} shard;

typedef struct shards {
    shard *s;
    size_t n;
    int partial;    /* NS_OPEN_PARTIAL */
    int timeout_ms; /* remote: each answer */
    int connect_ms; /* remote: connecting */
    char *spec;     /* the analyzer spec of every shard */
    int stale;      /* db->x no longer matches the shards up */
    int broken;     /* a search failed: connect every remote again */
    ns_buf missing; /* the names the last search left out, NUL after each */
    ns_buf errtext; /* the message being built */
} shards;

static void
shards_free(ns_db *db)
{
    shards *sh = db->shards;
    if (!sh)
        return;
    for (size_t i = 0; i < sh->n; i++) {
        shard *s = &sh->s[i];
        ns_db_close(s->db);
        ns__xdb_close(s->rx);
        ns_free(s->name);
        ns_free(s->location);
        ns_free(s->host);
        ns__buf_free(&s->error);
    }
    ns_free(sh->s);
    ns_free(sh->spec);
    ns__buf_free(&sh->missing);
    ns__buf_free(&sh->errtext);
    ns_free(sh);
    db->shards = NULL;
}

/* The database of shard s, or NULL while it is down. */
static ns__xdb *
shard_x(const shard *s)
{
    return s->remote ? s->rx : s->db ? s->db->x : NULL;
}

static void
set_error(shard *s, const char *msg)
{
    ns__buf_reset(&s->error);
    ns__buf_puts(&s->error, msg && *msg ? msg : "no answer");
}

/*
 * Check that shard s is an nsearch index made like the others (its schema
 * and analyzer), the first one setting sh->spec.  NS_ERR_INDEX_OPEN or
 * NS_ERR_INDEX_VERSION with the reason in s->error; or an error reading.
 */
static ns_status
check_shard(shards *sh, shard *s)
{
    ns__xdb *x = shard_x(s);
    ns_buf v = { 0 };
    ns_status st = ns__xdb_get_metadata(x, NS_META_SCHEMA, &v);
    uint64_t n = 0;
    if (st == NS_OK && v.len == 0 && (st = ns__xdb_doccount(x, &n)) == NS_OK &&
        n > 0) {
        set_error(s, "a Xapian database, but not an nsearch index");
        st = NS_ERR_INDEX_OPEN;
    } else if (st == NS_OK && atoi(ns__buf_cstr(&v)) > NS_SCHEMA_VERSION) {
        set_error(s, "made by a newer nsearch (index format too new)");
        st = NS_ERR_INDEX_VERSION;
    }
    if (st == NS_OK)
        st = ns__xdb_get_metadata(x, NS_META_ANALYZER, &v);
    if (st == NS_OK) {
        const char *spec = v.len ? ns__buf_cstr(&v) : NS_ANALYZER_DEFAULT_SPEC;
        if (!sh->spec) {
            if (!(sh->spec = ns__strdup(spec)))
                st = NS_ERR_NOMEM;
        } else if (strcmp(sh->spec, spec) != 0) {
            ns__buf_reset(&s->error);
            ns__buf_printf(&s->error,
                           "indexed with analyzer '%s', not '%s' as the "
                           "other shards: the shards of an index are made "
                           "alike",
                           spec, sh->spec);
            st = NS_ERR_INDEX_OPEN;
        }
    } else if (st != NS_ERR_NOMEM) {
        set_error(s, ns__xdb_errmsg(x));
    }
    ns__buf_free(&v);
    return st;
}

typedef struct dict_walk {
    ns__xdb *x;
    ns__store *store;
    ns_status st;
} dict_walk;

static int
add_more_dict(const char *key, void *payload)
{
    dict_walk *w = payload;
    ns_buf v = { 0 };
    w->st = ns__xdb_get_metadata(w->x, key, &v);
    if (w->st == NS_OK && v.len)
        w->st = ns__store_add_dict(w->store, v.data, v.len);
    ns__buf_free(&v);
    return w->st != NS_OK;
}

/* Add the dictionaries of x (NS_META_ZDICT and NS_META_ZDICT_MORE) to
 * store; *has (optional) says whether it has its own. */
static ns_status
add_dicts(ns__xdb *x, ns__store *store, int *has)
{
    ns_buf v = { 0 };
    ns_status st = ns__xdb_get_metadata(x, NS_META_ZDICT, &v);
    if (st == NS_OK && v.len)
        st = ns__store_add_dict(store, v.data, v.len);
    if (has)
        *has = st == NS_OK && v.len;
    ns__buf_free(&v);
    dict_walk w = { x, store, NS_OK };
    if (st == NS_OK) {
        st = ns__xdb_metadata_keys(x, NS_META_ZDICT_MORE, add_more_dict, &w);
        if (st == NS_ERR_ABORTED)
            st = w.st;
    }
    return st;
}

ns_status
ns__shards_load_dicts(ns_db *db)
{
    /* db.c has read the index's own dictionary: only the shards' ones,
     * without reading its 100 KB a second time. */
    dict_walk w = { db->x, db->store, NS_OK };
    ns_status st =
        ns__xdb_metadata_keys(db->x, NS_META_ZDICT_MORE, add_more_dict, &w);
    if (st == NS_ERR_ABORTED)
        st = w.st;
    return st == NS_ERR_NOMEM ? NS_ERR_NOMEM : NS_OK;
}

/* A handle moved to a newer revision: a shard that had no dictionary may
 * have one now (db.c does the same for a single index). */
static void
on_reopen(void *payload)
{
    ns_db *db = payload;
    shards *sh = db->shards;
    for (size_t i = 0; i < sh->n; i++) {
        shard *s = &sh->s[i];
        if (!s->dicts && shard_x(s))
            add_dicts(shard_x(s), db->store, &s->dicts);
    }
}

/* Make db->x search the shards that are up, in the order of the list. */
static ns_status
rebuild(ns_db *db)
{
    shards *sh = db->shards;
    ns__xdb **subs = ns__calloc(sh->n ? sh->n : 1, sizeof *subs);
    if (!subs)
        return NS_ERR_NOMEM;
    size_t n = 0;
    for (size_t i = 0; i < sh->n; i++)
        if (shard_x(&sh->s[i]))
            subs[n++] = shard_x(&sh->s[i]);
    ns__xdb *x = NULL;
    ns_status st = ns__xdb_combine(subs, n, &x);
    ns_free(subs);
    if (st != NS_OK)
        return st;
    ns__xdb_close(db->x);
    db->x = x;
    ns__xdb_on_reopen(db->x, on_reopen, db);
    sh->stale = 0;
    return NS_OK;
}

/* Connect remote shard s (again), check it and load its dictionaries.
 * NS_OK, or the status with s down and the reason in s->error. */
static ns_status
connect_shard(ns_db *db, shard *s)
{
    shards *sh = db->shards;
    ns__xdb_close(s->rx);
    s->rx = NULL;
    sh->stale = 1;
    char *msg = NULL;
    ns_status st = ns__xdb_open_remote(s->host, s->port, sh->timeout_ms,
                                       sh->connect_ms, &s->rx, &msg);
    if (st != NS_OK) {
        set_error(s, msg);
        ns_free(msg);
        return st;
    }
    ns__buf_reset(&s->error);
    if ((st = check_shard(sh, s)) == NS_OK &&
        (st = add_dicts(s->rx, db->store, &s->dicts)) == NS_ERR_INDEX_CORRUPT) {
        set_error(s, "its compression dictionary has the id of another "
                     "shard's (compact one of them again)");
        st = NS_ERR_INDEX_OPEN;
    }
    if (st != NS_OK) {
        if (!s->error.len)
            set_error(s, ns__xdb_errmsg(s->rx));
        ns__xdb_close(s->rx);
        s->rx = NULL;
    }
    return st;
}

/*
 * The message for the shards that are down: "shard X does not answer:
 * why" (or "shards X, Y do not answer; X: why"), into sh->errtext.
 * Returns the number of shards down.
 */
static size_t
describe_down(shards *sh)
{
    size_t down = 0;
    shard *first = NULL;
    ns__buf_reset(&sh->errtext);
    for (size_t i = 0; i < sh->n; i++) {
        if (shard_x(&sh->s[i]))
            continue;
        if (!first)
            first = &sh->s[i];
        ns__buf_printf(&sh->errtext, "%s%s", down ? ", " : "", sh->s[i].name);
        down++;
    }
    if (down == 1)
        ns__buf_printf(&sh->errtext, " does not answer: %s",
                       ns__buf_cstr(&first->error));
    else if (down > 1)
        ns__buf_printf(&sh->errtext, " do not answer; %s: %s", first->name,
                       ns__buf_cstr(&first->error));
    return down;
}

/* NS_OK when the search can go on: every shard up, or NS_OPEN_PARTIAL and
 * one up at least; else NS_ERR_SHARD_UNAVAILABLE, the message on db. */
static ns_status
check_down(ns_db *db)
{
    shards *sh = db->shards;
    size_t down = describe_down(sh);
    if (down == 0 || (sh->partial && down < sh->n))
        return NS_OK;
    if (sh->errtext.oom)
        return NS_ERR_NOMEM;
    ns__db_errorf(db, "shard%s %s", down > 1 ? "s" : "",
                  ns__buf_cstr(&sh->errtext));
    return NS_ERR_SHARD_UNAVAILABLE;
}

/* Open local shard s with its own read handle (its generations, locks and
 * settings are db.c's business). */
static ns_status
open_local(shard *s, char **errmsg)
{
    list inner;
    ns_status st = read_list(s->location, &inner);
    int nested = st == NS_OK && !inner.plain;
    list_free(&inner);
    if (st == NS_ERR_NOMEM)
        return st;
    if (nested)
        return fail(errmsg, NS_ERR_INDEX_OPEN,
                    "shard %s: %s is itself a sharded index (list its "
                    "shards instead)",
                    s->name, s->location);
    ns_open_options o = NS_OPEN_OPTIONS_INIT;
    char *msg = NULL;
    st = ns_db_open_v2(s->location, &o, &s->db, &msg);
    if (st != NS_OK) {
        set_error(s, msg);
        fail(errmsg, st, "shard %s: %s", s->name, msg ? msg : ns_strerror(st));
    }
    ns_free(msg);
    return st;
}

/*
 * Open the shards of list l (the index at path) as one read-only handle.
 * NS_ERR_INDEX_OPEN with *moved set when a local shard is gone and the
 * stub changed meanwhile (a merge): the caller reads the list again.
 */
static ns_status
open_list(const char *path,
          const list *l,
          const ns_open_options *o,
          ns_db **out,
          char **errmsg,
          int *moved)
{
    *out = NULL;
    *moved = 0;
    ns_db *db = ns__calloc(1, sizeof *db);
    shards *sh = ns__calloc(1, sizeof *sh);
    if (db) {
        db->lock_fd = -1;
        db->readers_fd = -1;
        db->flags = o->flags & NS_OPEN_PARTIAL;
        db->shards = sh;
        db->shards_free = shards_free;
        db->path = ns__strdup(path);
        db->dir = ns__strdup(path);
        db->has_dict = 1; /* the shards' dictionaries: on_reopen */
    }
    if (!db || !sh || !db->path || !db->dir ||
        !(sh->s = ns__calloc(l->n ? l->n : 1, sizeof *sh->s))) {
        if (!db)
            ns_free(sh);
        ns_db_close(db);
        return NS_ERR_NOMEM;
    }
    sh->partial = (o->flags & NS_OPEN_PARTIAL) != 0;
    sh->timeout_ms = o->version >= 2 ? o->remote_timeout_ms : 0;
    sh->connect_ms = o->version >= 2 ? o->connect_timeout_ms : 0;
    ns_status st = NS_OK;
    for (size_t i = 0; i < l->n && st == NS_OK; i++) {
        shard *s = &sh->s[sh->n++];
        const entry *e = &l->e[i];
        s->remote = e->remote;
        s->port = e->port;
        s->name = ns__strdup(e->name);
        s->location = ns__strdup(e->location);
        s->host = e->host ? ns__strdup(e->host) : NULL;
        if (!s->name || !s->location || (e->host && !s->host))
            st = NS_ERR_NOMEM;
    }
    /* The shards' dictionaries, for decoding what each stored: a remote
     * shard's are read as it connects. */
    if (st == NS_OK)
        st = ns__store_new(&db->store);
    /* Local shards first: a local one missing is an error, whatever
     * NS_OPEN_PARTIAL says (or the index changed under us). */
    for (size_t i = 0; i < sh->n && st == NS_OK; i++) {
        shard *s = &sh->s[i];
        if (s->remote)
            continue;
        if ((st = open_local(s, errmsg)) == NS_ERR_INDEX_OPEN) {
            list now;
            if (read_list(path, &now) != NS_OK || strcmp(now.raw, l->raw) != 0)
                *moved = 1;
            list_free(&now);
        }
        if (st == NS_OK && (st = check_shard(sh, s)) != NS_OK &&
            st != NS_ERR_NOMEM)
            fail(errmsg, st, "%s: shard %s: %s", path, s->name,
                 ns__buf_cstr(&s->error));
    }
    for (size_t i = 0; i < sh->n && st == NS_OK; i++) {
        shard *s = &sh->s[i];
        if (!s->remote)
            continue;
        ns_status cst = connect_shard(db, s);
        if (cst == NS_ERR_NOMEM || cst == NS_ERR_INDEX_OPEN ||
            cst == NS_ERR_INDEX_VERSION) {
            st = fail(errmsg, cst, "%s: shard %s: %s", path, s->name,
                      ns__buf_cstr(&s->error));
        }
    }
    size_t down = st == NS_OK ? describe_down(sh) : 0;
    if (down && (!sh->partial || down == sh->n)) {
        st = sh->errtext.oom ?
                 NS_ERR_NOMEM :
                 fail(errmsg, NS_ERR_SHARD_UNAVAILABLE, "%s: shard%s %s", path,
                      down > 1 ? "s" : "", sh->errtext.data);
    }
    char *amsg = NULL;
    if (st == NS_OK &&
        (st = ns__analyzer_new(sh->spec, &db->analyzer, &amsg)) != NS_OK) {
        if (st == NS_ERR_INVALID_ARG)
            st = NS_ERR_INDEX_VERSION;
        fail(errmsg, st, "%s: %s", path, amsg ? amsg : ns_strerror(st));
    }
    ns_free(amsg);
    for (size_t i = 0; i < sh->n && st == NS_OK; i++)
        if (!sh->s[i].remote && shard_x(&sh->s[i]) &&
            (st = add_dicts(shard_x(&sh->s[i]), db->store, &sh->s[i].dicts)) !=
                NS_OK)
            fail(errmsg, st == NS_ERR_INDEX_CORRUPT ? NS_ERR_INDEX_OPEN : st,
                 "%s: shard %s: %s", path, sh->s[i].name,
                 st == NS_ERR_INDEX_CORRUPT ?
                     "its compression dictionary has the id of another "
                     "shard's (compact one of them again)" :
                     ns_strerror(st));
    if (st == NS_ERR_INDEX_CORRUPT)
        st = NS_ERR_INDEX_OPEN;
    if (st == NS_OK)
        st = rebuild(db);
    if (st != NS_OK) {
        if (st == NS_ERR_NOMEM)
            fail(errmsg, st, "%s: %s", path, ns_strerror(st));
        ns_db_close(db);
        return st;
    }
    *out = db;
    return NS_OK;
}

/* Open the sharded index at path, its list in l (read again if a merge
 * moves its shards meanwhile). */
static ns_status
open_sharded(const char *path,
             list *l,
             const ns_open_options *o,
             ns_db **out,
             char **errmsg)
{
    for (int attempt = 0;; attempt++) {
        int moved = 0;
        char *msg = NULL;
        ns_status st = open_list(path, l, o, out, &msg, &moved);
        if (st == NS_OK || !moved || attempt == 20) {
            if (errmsg)
                *errmsg = msg;
            else
                ns_free(msg);
            return st;
        }
        ns_free(msg);
        list_free(l);
        /* The index changed: read it as it is now, whatever it is. */
        st = read_list(path, l);
        if (st == NS_ERR_NOT_FOUND || (st == NS_OK && l->plain)) {
            list_free(l);
            ns_open_options plain = *o;
            plain.version = 1;
            return ns_db_open_v2(path, &plain, out, errmsg);
        }
        if (st != NS_OK)
            return fail(errmsg, st, "%s: %s", path, ns_strerror(st));
    }
}

/* ---- the writer lock of a sharded index ---------------------------------- */

static ns_status
lock_index(const char *path, int timeout_ms, int *fd, char **errmsg)
{
    ns_buf holder = { 0 };
    ns_status st = ns__lock_acquire(path, timeout_ms, fd, &holder);
    if (st == NS_ERR_INDEX_LOCKED && holder.len)
        fail(errmsg, st, "%s: locked by another writer (%s)", path,
             ns__buf_cstr(&holder));
    else if (st == NS_ERR_INDEX_LOCKED)
        fail(errmsg, st, "%s: locked by another writer", path);
    else if (st == NS_ERR_IO)
        fail(errmsg, st, "%s: cannot lock: %s", path, strerror(errno));
    ns__buf_free(&holder);
    return st;
}

static ns_status
make_dir(const char *dir, char **errmsg)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return fail(errmsg, NS_ERR_IO, "%s: cannot create: %s", dir,
                    strerror(errno));
    return NS_OK;
}

/* An index (or a database) is at dir. */
static int
is_index(const char *dir)
{
    return file_exists(dir, NS_STUB_FILE) || file_exists(dir, "iamglass");
}

static ns_status
not_sharded(const char *path, char **errmsg)
{
    return fail(errmsg, NS_ERR_INVALID_ARG,
                "%s: a single index, not a sharded one (shards go in a "
                "new directory; this index can be one of them, moved to "
                "DIR/" NS_SHARDS_DIR "/NAME)",
                path);
}

/* ---- opening --------------------------------------------------------------
 */

/* Open shard o->shard of the index at path (see ns_open_options.shard). */
static ns_status
open_one(const char *path, const ns_open_options *o, ns_db **out, char **errmsg)
{
    const char *name = o->shard;
    if (!valid_name(name))
        return fail(errmsg, NS_ERR_INVALID_ARG,
                    "'%s' is not a shard name (letters, digits, '.', '_' "
                    "and '-', not first '.' or '-')",
                    name);
    ns_open_options co = *o;
    co.version = 1;
    co.flags &= ~NS_OPEN_PARTIAL;
    char *top = ns__sprintf("%s/" NS_SHARDS_DIR, path);
    char *dir = ns__sprintf("%s/" NS_SHARDS_DIR "/%s", path, name);
    ns_status st = top && dir ? NS_OK : NS_ERR_NOMEM;
    list l = { 0 };
    int fd = -1;
    if (st != NS_OK)
        goto out;
    if (!(o->flags & NS_OPEN_WRITE)) {
        st = ns_db_open_v2(dir, &co, out, errmsg);
        goto out;
    }
    if (o->flags & (NS_OPEN_NO_POSITIONS | NS_OPEN_POSITION_MAPS)) {
        /* A shard may be served by xapian-tcpsrv, where phrases can only
         * be matched on Xapian's positions (schema.h). */
        st = fail(errmsg, NS_ERR_INVALID_ARG,
                  "%s: a shard keeps word positions in Xapian's table (a "
                  "remote shard can match phrases only on them)",
                  path);
        goto out;
    }
    co.flags |= NS_OPEN_POSITIONS;
    st = read_list(path, &l);
    if (st == NS_OK && l.plain) {
        st = not_sharded(path, errmsg);
        goto out;
    }
    if (st != NS_OK && st != NS_ERR_NOT_FOUND)
        goto out;
    if (st == NS_OK && list_find(&l, name) >= 0 && is_index(dir)) {
        /* Listed: write it.  Holding its lock, a merge cannot take it
         * away now; check that none did before. */
        if ((st = ns_db_open_v2(dir, &co, out, errmsg)) != NS_OK)
            goto out;
        list_free(&l);
        if (read_list(path, &l) == NS_OK && list_find(&l, name) >= 0)
            goto out;
        ns_db_close(*out);
        *out = NULL;
    }
    list_free(&l);
    if (!is_index(dir) && !(o->flags & NS_OPEN_CREATE)) {
        st = fail(errmsg, NS_ERR_INDEX_OPEN,
                  "%s: no shard %s (create it with NS_OPEN_CREATE, or "
                  "'nsearch index --shard %s')",
                  path, name, name);
        goto out;
    }
    /* Create the shard and list it, under the index's lock (taken before
     * a shard's, always, as ns_shards_merge does). */
    if ((st = make_dir(path, errmsg)) != NS_OK ||
        (st = lock_index(path, o->lock_timeout_ms, &fd, errmsg)) != NS_OK ||
        (st = make_dir(top, errmsg)) != NS_OK)
        goto out;
    st = read_list(path, &l);
    if (st == NS_OK && l.plain) {
        st = not_sharded(path, errmsg);
        goto out;
    }
    if (st == NS_ERR_NOT_FOUND) {
        if (is_index(path)) { /* a database of another kind */
            st = not_sharded(path, errmsg);
            goto out;
        }
        list_free(&l);
        st = NS_OK;
    }
    if (st != NS_OK)
        goto out;
    if (!is_index(dir)) {
        /* A new shard: its first (empty) generation goes live at once, so
         * that readers of the index find it. */
        ns_open_options c = co;
        c.flags = NS_OPEN_WRITE | NS_OPEN_CREATE | NS_OPEN_POSITIONS;
        if ((st = ns_db_open_v2(dir, &c, out, errmsg)) != NS_OK)
            goto out;
        if (o->flags & NS_OPEN_REBUILD) {
            ns_db_close(*out);
            *out = NULL;
        }
    }
    if (list_find(&l, name) < 0) {
        char *text = ns__sprintf(NS_SHARDS_DIR "/%s", name);
        entry e = { 0 };
        int r = text ? make_entry(&e, path, text, 0) : -1;
        ns_free(text);
        if (r != 1 || list_push(&l, &e) != 0) {
            entry_free(&e);
            st = NS_ERR_NOMEM;
            goto out;
        }
        if ((st = write_list(path, &l)) != NS_OK) {
            fail(errmsg, st, "%s: cannot write %s: %s", path, NS_STUB_FILE,
                 strerror(errno));
            goto out;
        }
    }
    if (!*out)
        st = ns_db_open_v2(dir, &co, out, errmsg);
out:
    ns__lock_release(fd);
    if (st != NS_OK) {
        ns_db_close(*out);
        *out = NULL;
        if (st == NS_ERR_NOMEM)
            fail(errmsg, st, "%s", ns_strerror(st));
    }
    list_free(&l);
    ns_free(top);
    ns_free(dir);
    return st;
}

ns_status
ns__shards_open(const char *path,
                const ns_open_options *opts,
                ns_db **out,
                char **errmsg)
{
    ns_open_options o;
    ns_status ost = ns__open_options(opts, &o, errmsg);
    if (ost != NS_OK)
        return ost;
    if (o.version >= 2 && o.shard)
        return open_one(path, &o, out, errmsg);
    list l;
    ns_status st = read_list(path, &l);
    if (st == NS_ERR_NOT_FOUND || (st == NS_OK && l.plain)) {
        list_free(&l);
        return NS_ERR_NOT_FOUND; /* db.c's */
    }
    if (st != NS_OK)
        return fail(errmsg, st, "%s: %s", path, ns_strerror(st));
    if (o.flags & NS_OPEN_WRITE) {
        st = fail(errmsg, NS_ERR_INVALID_ARG,
                  "%s: a sharded index (%zu shard%s): write one of its "
                  "shards (ns_open_options.shard, 'nsearch index --shard "
                  "NAME')",
                  path, l.n, l.n == 1 ? "" : "s");
        list_free(&l);
        return st;
    }
    st = open_sharded(path, &l, &o, out, errmsg);
    list_free(&l);
    return st;
}

/* ---- searching ------------------------------------------------------------
 */

/* After a search failed: the shard whose address Xapian's message names
 * (its context, "remote:tcp(host:port)") is down. */
static void
blame(shards *sh, const char *msg)
{
    for (size_t i = 0; i < sh->n; i++) {
        shard *s = &sh->s[i];
        if (s->remote && s->rx && strstr(msg, s->location)) {
            set_error(s, msg);
            ns__xdb_close(s->rx);
            s->rx = NULL;
            sh->stale = 1;
        }
    }
}

static int
has_remote(const shards *sh)
{
    for (size_t i = 0; i < sh->n; i++)
        if (sh->s[i].remote)
            return 1;
    return 0;
}

int
ns__shards_has_remote(const ns_db *db)
{
    return db && db->shards && has_remote(db->shards);
}

int
ns__db_positions(const ns_db *db)
{
    return ns__db_positions_kind(db) == NS_POSITIONS_XAPIAN;
}

int
ns__db_positions_kind(const ns_db *db)
{
    if (!db)
        return NS_POSITIONS_NONE;
    if (!db->shards)
        return db->positions;
    const shards *sh = db->shards;
    if (has_remote(sh))
        return NS_POSITIONS_XAPIAN;
    int all = -1;
    for (size_t i = 0; i < sh->n; i++) {
        if (!sh->s[i].db)
            continue;
        int p = sh->s[i].db->positions;
        if (p == NS_POSITIONS_NONE)
            return NS_POSITIONS_NONE;
        all = all < 0 || all == p ? p : NS_POSITIONS_MAP;
    }
    return all < 0 ? NS_POSITIONS_XAPIAN : all;
}

const char *
ns__shards_without_positions(ns_db *db)
{
    shards *sh = db ? db->shards : NULL;
    for (size_t i = 0; sh && i < sh->n; i++) {
        ns__xdb *x = shard_x(&sh->s[i]);
        uint64_t n = 0;
        int has = 1;
        if (x && ns__xdb_doccount(x, &n) == NS_OK && n > 0 &&
            ns__xdb_has_positions(x, &has) == NS_OK && !has)
            return sh->s[i].name;
    }
    return NULL;
}

ns_status
ns__shards_search(ns_db *db,
                  const ns__xq *q,
                  const ns__xsearch_opts *opts,
                  ns__xmset **out)
{
    shards *sh = db->shards;
    *out = NULL;
    ns__buf_reset(&sh->missing);
    ns_status st = NS_OK;
    for (int round = 0; round < 2; round++) {
        /* The shards down before, or every remote one after a failure
         * (which leaves each connection of the search in doubt), are
         * connected again. */
        for (size_t i = 0; i < sh->n; i++) {
            shard *s = &sh->s[i];
            if (s->remote && (!s->rx || sh->broken) &&
                connect_shard(db, s) == NS_ERR_NOMEM)
                return NS_ERR_NOMEM;
        }
        sh->broken = 0;
        if (sh->stale && (st = rebuild(db)) != NS_OK)
            return st;
        if ((st = check_down(db)) != NS_OK)
            return st;
        st = ns__xdb_search(db->x, q, opts, out);
        if (st == NS_OK || st == NS_ERR_NOMEM || st == NS_ERR_INVALID_ARG ||
            !has_remote(sh))
            break;
        /* A remote shard failed: it stopped answering, or its server's
         * connection lost the database it had open (a rebuild of that
         * shard deleted it).  Every connection of the search is in doubt:
         * connect them again, and search once more. */
        sh->broken = 1;
        if (st == NS_ERR_SHARD_UNAVAILABLE)
            blame(sh, ns_db_errmsg(db));
    }
    if (st == NS_ERR_SHARD_UNAVAILABLE) {
        /* Twice: name the shard, if Xapian's message says which. */
        ns_buf m = { 0 };
        ns__buf_puts(&m, ns_db_errmsg(db));
        describe_down(sh);
        if (sh->errtext.len)
            ns__db_errorf(db, "shard %s", ns__buf_cstr(&sh->errtext));
        else
            ns__db_errorf(db, "a remote shard does not answer: %s",
                          ns__buf_cstr(&m));
        ns__buf_free(&m);
    }
    if (st == NS_OK)
        for (size_t i = 0; i < sh->n; i++)
            if (!shard_x(&sh->s[i])) {
                ns__buf_puts(&sh->missing, sh->s[i].name);
                ns__buf_putc(&sh->missing, '\0');
            }
    return st;
}

char *
ns__shards_missing(ns_db *db, size_t *len)
{
    shards *sh = db->shards;
    *len = 0;
    if (!sh || !sh->missing.len)
        return NULL;
    char *m = ns__malloc(sh->missing.len);
    *len = m ? sh->missing.len : 1;
    if (m)
        memcpy(m, sh->missing.data, sh->missing.len);
    return m;
}

/* ---- describing ------------------------------------------------------------
 */

static int
count_key(const char *key, void *payload)
{
    (void)key;
    (*(uint64_t *)payload)++;
    return 0;
}

ns_status
ns__shards_stat(ns_db *db, ns_db_info *info)
{
    shards *sh = db->shards;
    uint64_t size = 0, other = 0, files = 0;
    ns_buf when = { 0 }, v = { 0 };
    ns_status st = NS_OK;
    for (size_t i = 0; i < sh->n && st == NS_OK; i++) {
        shard *s = &sh->s[i];
        ns_db_info si;
        if (s->db) {
            if ((st = ns_db_stat_v2(s->db, NS_DB_INFO_VERSION, &si)) != NS_OK)
                break;
            size += si.size_bytes;
            other += si.other_bytes;
            files += si.files;
            if (strcmp(si.updated, ns__buf_cstr(&when)) > 0) {
                ns__buf_reset(&when);
                ns__buf_puts(&when, si.updated);
            }
        } else if (s->rx) {
            /* A remote shard's size on disk is its server's business. */
            if (ns__xdb_metadata_keys(s->rx, NS_META_FILE, count_key, &files) ==
                    NS_OK &&
                ns__xdb_get_metadata(s->rx, NS_META_UPDATED, &v) == NS_OK &&
                strcmp(ns__buf_cstr(&v), ns__buf_cstr(&when)) > 0) {
                ns__buf_reset(&when);
                ns__buf_puts(&when, ns__buf_cstr(&v));
            }
        }
    }
    if (st == NS_OK) {
        info->size_bytes = size;
        info->other_bytes = other;
        info->files = files;
        ns__buf_reset(&db->info_updated);
        ns__buf_puts(&db->info_updated, ns__buf_cstr(&when));
        info->updated = ns__buf_cstr(&db->info_updated);
        if (db->info_updated.oom || when.oom)
            st = NS_ERR_NOMEM;
    }
    ns__buf_free(&when);
    ns__buf_free(&v);
    return st;
}

size_t
ns_db_shard_count(const ns_db *db) NS_NOEXCEPT
{
    return db && db->shards ? ((const shards *)db->shards)->n : 0;
}

ns_status
ns_db_shard_info(ns_db *db, size_t i, ns_shard_info *info) NS_NOEXCEPT
{
    if (!db)
        return NS_ERR_INVALID_ARG;
    ns__db_clear_error(db);
    if (!info || i >= ns_db_shard_count(db)) {
        ns__db_errorf(db, "no shard %zu (the index has %zu)", i,
                      ns_db_shard_count(db));
        return NS_ERR_INVALID_ARG;
    }
    shards *sh = db->shards;
    shard *s = &sh->s[i];
    memset(info, 0, sizeof *info);
    uint64_t n = 0;
    ns__xdb *x = shard_x(s);
    if (x && ns__xdb_doccount(x, &n) != NS_OK && s->remote) {
        /* It stopped answering: the next search connects again. */
        set_error(s, ns__xdb_errmsg(x));
        ns__xdb_close(s->rx);
        s->rx = NULL;
        sh->stale = 1;
        x = NULL;
    }
    if (s->error.oom)
        return NS_ERR_NOMEM;
    info->name = s->name;
    info->location = s->location;
    info->remote = s->remote;
    info->available = x != NULL;
    info->error = x ? "" : ns__buf_cstr(&s->error);
    info->articles = x ? n : 0;
    return NS_OK;
}

/* ---- changing the list ----------------------------------------------------
 */

/* Lock the index at path and read its list: l->n == 0 for a directory
 * that is no index yet.  *fd holds the lock on success. */
static ns_status
lock_and_read(const char *path,
              const ns_open_options *o,
              int create,
              int *fd,
              list *l,
              char **errmsg)
{
    *fd = -1;
    memset(l, 0, sizeof *l);
    ns_status st = create ? make_dir(path, errmsg) : NS_OK;
    if (st == NS_OK && !create && !is_index(path))
        st = fail(errmsg, NS_ERR_INVALID_ARG, "%s: not a sharded index", path);
    if (st == NS_OK)
        st = lock_index(path, o->lock_timeout_ms, fd, errmsg);
    if (st != NS_OK)
        return st;
    st = read_list(path, l);
    if (st == NS_ERR_NOT_FOUND && !is_index(path))
        st = NS_OK; /* an empty directory: a new sharded index */
    else if (st == NS_ERR_NOT_FOUND || (st == NS_OK && l->plain))
        st = not_sharded(path, errmsg);
    else if (st != NS_OK)
        fail(errmsg, st, "%s: %s", path, ns_strerror(st));
    if (st != NS_OK) {
        list_free(l);
        ns__lock_release(*fd);
        *fd = -1;
    }
    return st;
}

ns_status
ns_shards_add(const char *path,
              const char *shard_name,
              const ns_open_options *opts,
              char **errmsg) NS_NOEXCEPT
{
    if (errmsg)
        *errmsg = NULL;
    if (!path || !*path || !shard_name)
        return fail(errmsg, NS_ERR_INVALID_ARG, "no index or shard given");
    ns_open_options o;
    ns_status ost = ns__open_options(opts, &o, errmsg);
    if (ost != NS_OK)
        return ost;
    int remote = strchr(shard_name, ':') != NULL;
    char *host = NULL;
    unsigned port = 0;
    if (remote && !parse_remote(shard_name, &host, &port))
        return fail(errmsg, NS_ERR_INVALID_ARG,
                    "'%s' is not HOST:PORT (a port from 1 to 65535)",
                    shard_name);
    ns_free(host);
    if (!remote && !valid_name(shard_name))
        return fail(errmsg, NS_ERR_INVALID_ARG,
                    "'%s' is not a shard name (letters, digits, '.', '_' "
                    "and '-', not first '.' or '-'), nor HOST:PORT",
                    shard_name);
    int fd;
    list l;
    ns_status st = lock_and_read(path, &o, 1, &fd, &l, errmsg);
    if (st != NS_OK)
        return st;
    char *text = remote ? ns__strdup(shard_name) :
                          ns__sprintf(NS_SHARDS_DIR "/%s", shard_name);
    entry e = { 0 };
    int r = text ? make_entry(&e, path, text, remote) : -1;
    ns_free(text);
    if (r != 1) {
        entry_free(&e);
        st = NS_ERR_NOMEM;
        goto out;
    }
    if (list_find(&l, e.name) >= 0) {
        entry_free(&e);
        goto out; /* listed already */
    }
    if (!remote && !is_index(e.location)) {
        st = fail(errmsg, NS_ERR_INDEX_OPEN,
                  "%s: no index (make one with 'nsearch index --shard %s')",
                  e.location, shard_name);
        entry_free(&e);
        goto out;
    }
    if (list_push(&l, &e) != 0) {
        entry_free(&e);
        st = NS_ERR_NOMEM;
        goto out;
    }
    /* Open the index as it would be, the others as they may: the new
     * shard must answer and be made like them. */
    ns_open_options co = o;
    co.flags = NS_OPEN_PARTIAL;
    ns_db *db = NULL;
    char *msg = NULL;
    int moved;
    st = open_list(path, &l, &co, &db, &msg, &moved);
    if (st == NS_OK) {
        shards *sh = db->shards;
        shard *s = &sh->s[sh->n - 1];
        if (!shard_x(s))
            st = fail(errmsg, NS_ERR_SHARD_UNAVAILABLE,
                      "shard %s does not answer: %s", s->name,
                      ns__buf_cstr(&s->error));
    } else if (errmsg) {
        *errmsg = msg;
        msg = NULL;
    }
    ns_free(msg);
    ns_db_close(db);
    if (st == NS_OK && (st = write_list(path, &l)) != NS_OK)
        fail(errmsg, st, "%s: cannot write %s: %s", path, NS_STUB_FILE,
             strerror(errno));
out:
    list_free(&l);
    ns__lock_release(fd);
    if (st == NS_ERR_NOMEM)
        fail(errmsg, st, "%s", ns_strerror(st));
    return st;
}

ns_status
ns_shards_retire(const char *path,
                 const char *shard_name,
                 const ns_open_options *opts,
                 char **errmsg) NS_NOEXCEPT
{
    if (errmsg)
        *errmsg = NULL;
    if (!path || !*path || !shard_name)
        return fail(errmsg, NS_ERR_INVALID_ARG, "no index or shard given");
    ns_open_options o;
    ns_status ost = ns__open_options(opts, &o, errmsg);
    if (ost != NS_OK)
        return ost;
    int fd;
    list l;
    ns_status st = lock_and_read(path, &o, 0, &fd, &l, errmsg);
    if (st != NS_OK)
        return st;
    ssize_t at = list_find(&l, shard_name);
    if (at < 0) {
        st = fail(errmsg, NS_ERR_NOT_FOUND, "%s: no shard %s is listed", path,
                  shard_name);
    } else {
        entry gone = l.e[at];
        memmove(&l.e[at], &l.e[at + 1], (l.n - (size_t)at - 1) * sizeof *l.e);
        l.n--;
        if ((st = write_list(path, &l)) != NS_OK)
            fail(errmsg, st, "%s: cannot write %s: %s", path, NS_STUB_FILE,
                 strerror(errno));
        entry_free(&gone);
    }
    list_free(&l);
    ns__lock_release(fd);
    return st;
}

/* ---- merging ---------------------------------------------------------------
 */

/* Delete what dir holds (generations, and the files beside them) but the
 * generations a reader holds; dir too when nothing is left.  1 when it is
 * gone. */
static int
delete_shard_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT;
    int kept = 0;
    struct dirent *e;
    ns_buf p = { 0 };
    while ((e = readdir(d)) != NULL) {
        struct stat sb;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        ns__buf_reset(&p);
        ns__buf_printf(&p, "%s/%s", dir, e->d_name);
        if (p.oom || lstat(p.data, &sb) != 0)
            kept = 1;
        else if (S_ISDIR(sb.st_mode) && ns__db_delete_unread(p.data) != 1)
            kept = 1;
    }
    closedir(d);
    ns__buf_free(&p);
    /* No generation left: the stub and lock files go with dir. */
    return !kept && ns__db_delete_unread(dir) == 1;
}

/* Delete the shards a merge left in path/shards (those it marked), as far
 * as no reader holds them: their readers may still open files by name (a
 * table opened when first needed, a reopen), so nothing is moved. */
static void
sweep_merged(const char *path)
{
    char *top = ns__sprintf("%s/" NS_SHARDS_DIR, path);
    DIR *d = top ? opendir(top) : NULL;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char *p = ns__sprintf("%s/%s", top, e->d_name);
            if (p && file_exists(p, NS_MERGED_MARK))
                delete_shard_dir(p);
            ns_free(p);
        }
        closedir(d);
        rmdir(top); /* fails while something is left */
    }
    ns_free(top);
}

typedef struct merge {
    ns_db **dbs;
    size_t n;
    char *dest;
} merge;

/* Record in dest the dictionaries of the shards but the one dest uses
 * (compaction keeps the first shard's metadata), and the update time. */
static ns_status
note_dicts(const merge *m, char **errmsg)
{
    ns__xdb *x = NULL;
    char *msg = NULL;
    ns_status st = ns__xdb_open(m->dest, NS_OPEN_WRITE, &x, &msg);
    ns_buf main_dict = { 0 }, v = { 0 };
    if (st == NS_OK)
        st = ns__xdb_get_metadata(x, NS_META_ZDICT, &main_dict);
    unsigned main_id =
        main_dict.len ? ZSTD_getDictID_fromDict(main_dict.data, main_dict.len) :
                        0;
    for (size_t i = 0; i < m->n && st == NS_OK; i++) {
        st = ns__xdb_get_metadata(m->dbs[i]->x, NS_META_ZDICT, &v);
        unsigned id = v.len ? ZSTD_getDictID_fromDict(v.data, v.len) : 0;
        if (st != NS_OK || !id || id == main_id)
            continue;
        char key[64];
        snprintf(key, sizeof key, NS_META_ZDICT_MORE "%08x", id);
        st = ns__xdb_set_metadata(x, key, v.data, v.len);
    }
    if (st == NS_OK) {
        char when[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        st = ns__xdb_set_metadata(x, NS_META_UPDATED, when, strlen(when));
    }
    if (st == NS_OK)
        st = ns__xdb_commit(x);
    if (st != NS_OK)
        fail(errmsg, st, "%s: %s", m->dest,
             msg ? msg :
             x   ? ns__xdb_errmsg(x) :
                   ns_strerror(st));
    ns__xdb_close(x);
    ns_free(msg);
    ns__buf_free(&main_dict);
    ns__buf_free(&v);
    return st;
}

ns_status
ns_shards_merge(const char *path,
                const ns_open_options *opts,
                char **errmsg) NS_NOEXCEPT
{
    if (errmsg)
        *errmsg = NULL;
    if (!path || !*path)
        return fail(errmsg, NS_ERR_INVALID_ARG, "no index given");
    ns_open_options o;
    ns_status ost = ns__open_options(opts, &o, errmsg);
    if (ost != NS_OK)
        return ost;
    int fd = -1;
    list l = { 0 };
    merge m = { 0 };
    ns__xdb **srcs = NULL;
    ns_status st = is_index(path) ? NS_OK :
                                    fail(errmsg, NS_ERR_INVALID_ARG,
                                         "%s: not a sharded index", path);
    if (st == NS_OK)
        st = lock_index(path, o.lock_timeout_ms, &fd, errmsg);
    if (st != NS_OK)
        return st;
    st = read_list(path, &l);
    if (st == NS_ERR_NOT_FOUND || (st == NS_OK && l.plain)) {
        /* One index already (merged before?): delete what is left. */
        sweep_merged(path);
        st = NS_OK;
        goto out;
    }
    if (st != NS_OK) {
        fail(errmsg, st, "%s: %s", path, ns_strerror(st));
        goto out;
    }
    if (l.n == 0) {
        st = fail(errmsg, NS_ERR_INVALID_ARG, "%s: no shard to merge", path);
        goto out;
    }
    for (size_t i = 0; i < l.n; i++)
        if (l.e[i].remote) {
            st = fail(errmsg, NS_ERR_INVALID_ARG,
                      "%s: shard %s is remote: only local shards merge", path,
                      l.e[i].name);
            goto out;
        }
    m.dbs = ns__calloc(l.n, sizeof *m.dbs);
    srcs = ns__calloc(l.n, sizeof *srcs);
    if (!m.dbs || !srcs) {
        st = NS_ERR_NOMEM;
        goto out;
    }
    /* Every shard's writer lock: no article is added while they merge. */
    for (size_t i = 0; i < l.n; i++) {
        ns_open_options w = NS_OPEN_OPTIONS_INIT;
        w.flags = NS_OPEN_WRITE;
        w.lock_timeout_ms = o.lock_timeout_ms;
        char *msg = NULL;
        st = ns_db_open_v2(l.e[i].location, &w, &m.dbs[m.n], &msg);
        if (st != NS_OK) {
            fail(errmsg, st, "shard %s: %s", l.e[i].name,
                 msg ? msg : ns_strerror(st));
            ns_free(msg);
            goto out;
        }
        srcs[m.n] = m.dbs[m.n]->x;
        m.n++;
    }
    m.dest = ns__sprintf("%s/" NS_GEN_PREFIX "%u", path, ns__db_next_gen(path));
    if (!m.dest) {
        st = NS_ERR_NOMEM;
        goto out;
    }
    char *xmsg = NULL;
    st = ns__xdb_compact(srcs, m.n, m.dest, &xmsg);
    if (st != NS_OK)
        fail(errmsg, st, "%s: merging the shards failed: %s", path,
             xmsg ? xmsg : ns_strerror(st));
    ns_free(xmsg);
    if (st == NS_OK)
        st = note_dicts(&m, errmsg);
    if (st == NS_OK && (st = ns__db_seal_gen(m.dest)) != NS_OK)
        fail(errmsg, st, "%s: cannot sync: %s", m.dest, strerror(errno));
    char stub[64];
    snprintf(stub, sizeof stub, "auto %s\n", strrchr(m.dest, '/') + 1);
    if (st == NS_OK && (st = ns__stub_write(path, stub)) != NS_OK)
        fail(errmsg, st, "%s: cannot write %s: %s", path, NS_STUB_FILE,
             strerror(errno));
    if (st != NS_OK) {
        ns__db_delete_unread(m.dest); /* the index is as it was */
        goto out;
    }
    /* Live.  The shards go, but for what readers hold; each is marked
     * first, so that a later call deletes the rest (and knows it from a
     * shard that was retired, not merged, which it leaves alone). */
    for (size_t i = 0; i < m.n; i++) {
        ns_db_close(m.dbs[i]);
        m.dbs[i] = NULL;
    }
    for (size_t i = 0; i < l.n; i++) {
        if (strcmp(l.e[i].name, l.e[i].text) == 0)
            continue; /* not in shards/: not ours to delete */
        char *mark = ns__sprintf("%s/%s", l.e[i].location, NS_MERGED_MARK);
        FILE *f = mark ? fopen(mark, "we") : NULL;
        if (f) {
            fprintf(f, "merged into %s\n", m.dest);
            fclose(f);
        }
        ns_free(mark);
    }
    sweep_merged(path);
out:
    for (size_t i = 0; i < m.n; i++)
        ns_db_close(m.dbs[i]);
    ns_free(m.dbs);
    ns_free(m.dest);
    ns_free(srcs);
    list_free(&l);
    ns__lock_release(fd);
    if (st == NS_ERR_NOMEM)
        fail(errmsg, st, "%s", ns_strerror(st));
    return st;
}
