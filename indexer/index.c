/*
 * index.c: turning articles into index documents (schema.h), and adding
 * whole paths through the corpus readers, incrementally: track.c keeps a
 * record per input file, and a re-run reads only the files that changed.
 * The indexer owns the writer's batching: it commits every NS_COMMIT_EVERY
 * articles or NS_COMMIT_BYTES of text, and holds back the first articles of
 * an index until it has enough of them to train the zstd dictionary their
 * stored text is compressed with.  It never includes searcher headers.
 */
#include "indexer/indexer.h"
#include "core/posmap.h"
#include "core/schema.h"
#include "indexer/searchdata.h"
#include "corpus/corpus.h"
#include "corpus/loader/readers.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Articles, and bytes of text, per commit: a crash loses at most this
 * much, which the next run reads again; the text bound also bounds the
 * memory Xapian's inverter holds between commits. */
#define NS_COMMIT_EVERY 10000
#define NS_COMMIT_BYTES (48u << 20)
/* The dictionary is trained on the first articles, up to these limits. */
#define NS_TRAIN_MAX_ARTICLES 1000
#define NS_TRAIN_MAX_BYTES    (4u << 20)
/* A walk that ends with fewer articles held than the dictionary waits
 * for still builds in bulk when it has at least this many. */
#define NS_BULK_MIN_ARTICLES 256
/* Slots of a shard's id table (8 bytes each, at most half full: 2M ids,
 * 32 MB): past this, it looks for a document to replace every time. */
#define NS_IDSET_MAX (1u << 22)
/* Text per article used as a training sample. */
#define NS_TRAIN_SAMPLE_BYTES 1024
/* Ids of at most this many digits are local to their file (is_local_id);
 * the separator between such an id and its file's hash in the id term is
 * a tab, which no reader leaves in an id (corpus/reader.c makes every run
 * of white space one space), so a scoped term is never an id of its own. */
#define NS_LOCAL_ID_DIGITS 9
#define NS_LOCAL_ID_SEP    '\t'

/* A top-level input file being read, and what was met in it. */
typedef struct track_file {
    char *path;                /* absolute, as the walk gave it */
    ns__file_record rec;       /* its record, once read to its end */
    char fterm[18];            /* its articles' "F" term */
    int hashed;                /* rec.hash is known: the record may be kept */
    int has_old;               /* the index held articles of it before */
    int recorded;              /* it has a record in the index (or in
                                * this commit batch) */
    int complete;              /* read to its end */
    uint32_t *seen;            /* with has_old: documents met again */
    size_t n_seen, cap_seen;
    struct track_file *next;   /* in the queue of ended files */
} track_file;

/* An article held back until the dictionary is trained. */
typedef struct held_article {
    ns_article a;
    char *file;
    ns_buf strings; /* the article's strings, NUL-separated */
    track_file *tf; /* the file it came from, or NULL */
} held_article;

typedef struct indexer {
    ns__xdoc *doc;
    ns_buf record;  /* encoded stored record */
    ns_buf term;    /* prefixed term scratch */
    ns_buf idterm;
    ns_buf val;     /* value scratch */
    ns__posmap_builder posmap; /* the article's position map, when kept */
    ns_buf posmap_part[NS_POSMAP_PARTS];
    ns_buf sentences; /* its sentence index */
    held_article *held;
    size_t n_held, cap_held;
    size_t held_bytes;
    uint64_t since_commit;
    uint64_t bytes_since_commit;
    track_file *cur;     /* the file being read */
    track_file *ended;   /* files read while articles were held: their */
    track_file **ended_tail; /* records wait for those articles */
    ns_index_stats *stats; /* counters of the running add_path, or NULL */
    unsigned commit_every; /* articles per commit (NS_COMMIT_EVERY) */
    void *walk;            /* the running add_path's walk_ctx, or NULL */
    uint64_t writes;       /* articles written, for progress calls */
    size_t commit_bytes;   /* text per commit (NS_COMMIT_BYTES) */
    /* A bulk build (bulk.c) runs this add_path: the records wait in
     * `records` for the generation the shards are merged into. */
    int bulk_mode;
    ns__bulk *bulk;        /* the shards, once the dictionary is known */
    ns_buf dict;           /* the dictionary trained for them */
    ns_buf records;        /* deferred records: path NUL, then the record */
    /* A shard's writer (ns__index_write), whose database started empty:
     * the hashes of the ids written, so that an id new to it is added
     * without Xapian looking for a document to replace (ns__xdb_add).
     * ids_state 0: not known yet, 1: on, -1: off (replace always). */
    uint64_t *ids;         /* open addressing; 0 is a free slot */
    size_t n_ids, cap_ids; /* cap_ids: a power of 2 */
    int ids_state;
} indexer;

static void walk_progress(void *walk);

typedef struct doc_ctx {
    ns_db *db;
    indexer *ix;
    ns_status st;
    uint32_t last_pos;
    uint32_t count;
    int title; /* adding title words */
} doc_ctx;

static void
track_file_free(track_file *tf)
{
    if (!tf)
        return;
    ns_free(tf->path);
    ns_free(tf->seen);
    ns_free(tf);
}

static void
indexer_free(ns_db *db)
{
    indexer *ix = db->indexer;
    if (!ix)
        return;
    for (size_t i = 0; i < ix->n_held; i++) {
        ns__buf_free(&ix->held[i].strings);
        ns_free(ix->held[i].file);
    }
    ns_free(ix->held);
    while (ix->ended) {
        track_file *next = ix->ended->next;
        track_file_free(ix->ended);
        ix->ended = next;
    }
    track_file_free(ix->cur);
    ns__xdoc_free(ix->doc);
    ns__buf_free(&ix->record);
    ns__buf_free(&ix->term);
    ns__buf_free(&ix->idterm);
    ns__buf_free(&ix->val);
    ns__posmap_builder_free(&ix->posmap);
    ns__buf_free(&ix->sentences);
    for (int s = 0; s < NS_POSMAP_PARTS; s++)
        ns__buf_free(&ix->posmap_part[s]);
    ns__bulk_free(ix->bulk);
    ns__buf_free(&ix->dict);
    ns__buf_free(&ix->records);
    ns_free(ix->ids);
    ns_free(ix);
    db->indexer = NULL;
}

static ns_status flush_held(ns_db *db, int force);

/* Flushes held articles before the handle closes (ns_db_close commits). */
static void
indexer_close(ns_db *db)
{
    if (db->indexer && ((indexer *)db->indexer)->n_held)
        flush_held(db, 1);
    indexer_free(db);
}

static ns_status
get_indexer(ns_db *db, indexer **out)
{
    *out = db->indexer;
    if (*out)
        return NS_OK;
    if (!(db->flags & NS_OPEN_WRITE)) {
        ns__db_errorf(db, "%s: the index was opened read-only", db->path);
        return NS_ERR_INVALID_ARG;
    }
    indexer *ix = ns__calloc(1, sizeof *ix);
    if (!ix)
        return NS_ERR_NOMEM;
    ns_status st = ns__xdoc_new(&ix->doc);
    if (st != NS_OK) {
        ns_free(ix);
        return st;
    }
    ix->ended_tail = &ix->ended;
    ix->commit_every = NS_COMMIT_EVERY;
    ix->commit_bytes = NS_COMMIT_BYTES;
    db->indexer = ix;
    db->indexer_free = indexer_close;
    *out = ix;
    return NS_OK;
}

/* A word's term with wdf wdfinc, with its position when the index keeps
 * them in Xapian's table (schema.h). */
static ns_status
add_word_term(doc_ctx *c, const char *term, size_t len, uint32_t pos,
              unsigned wdfinc)
{
    return c->db->positions == NS_POSITIONS_XAPIAN
               ? ns__xdoc_add_posting(c->ix->doc, term, len, pos, wdfinc)
               : ns__xdoc_add_term(c->ix->doc, term, len, wdfinc);
}

static int
add_word(const ns_token *t, void *payload)
{
    doc_ctx *c = payload;
    ns_status st;
    if (c->title) {
        st = add_word_term(c, t->term, t->term_len, t->pos, NS_TITLE_WDF);
        if (st == NS_OK) {
            ns_buf *b = &c->ix->term;
            ns__buf_reset(b);
            ns__buf_puts(b, NS_PREFIX_TITLE);
            ns__buf_append(b, t->term, t->term_len);
            st = b->oom ? NS_ERR_NOMEM
                        : add_word_term(c, b->data, b->len, t->pos, 1);
        }
    } else {
        st = add_word_term(c, t->term, t->term_len, t->pos, 1);
    }
    if (st == NS_OK && c->db->positions == NS_POSITIONS_MAP)
        st = ns__posmap_add(&c->ix->posmap, c->title, t->pos, t->term,
                            t->term_len);
    if (st == NS_OK && c->db->positions == NS_POSITIONS_MAP && !c->title &&
        (t->flags & NS_TOKEN_SENTENCE_START))
        st = ns__posmap_sentence(&c->ix->posmap, t->pos, t->start);
    c->last_pos = t->pos;
    c->count++;
    if (st != NS_OK) {
        c->st = st;
        return 1;
    }
    return 0;
}

/* A boolean term prefix + word for each word of a field (source, author). */
static int
add_field_word(const ns_token *t, void *payload)
{
    doc_ctx *c = payload;
    ns_buf *b = &c->ix->term;
    const char *prefix = c->title ? NS_PREFIX_AUTHOR : NS_PREFIX_SOURCE;
    ns__buf_reset(b);
    ns__buf_puts(b, prefix);
    ns__buf_append(b, t->word, t->word_len);
    ns_status st = b->oom ? NS_ERR_NOMEM
                          : ns__xdoc_add_term(c->ix->doc, b->data, b->len, 0);
    if (st != NS_OK) {
        c->st = st;
        return 1;
    }
    return 0;
}

/* "H" terms for the URL's host and each parent domain. */
static ns_status
add_host_terms(indexer *ix, const char *url)
{
    const char *p = strstr(url, "://");
    if (!p)
        return NS_OK;
    p += 3;
    size_t n = strcspn(p, "/:?#");
    const char *at = memchr(p, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    if (n == 0 || n > 200)
        return NS_OK;
    char host[256];
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        host[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    host[n] = '\0';
    const char *h = host;
    if (strncmp(h, "www.", 4) == 0)
        h += 4;
    while (h && *h) {
        ns__buf_reset(&ix->term);
        ns__buf_puts(&ix->term, NS_PREFIX_HOST);
        ns__buf_puts(&ix->term, h);
        if (ix->term.oom)
            return NS_ERR_NOMEM;
        ns_status st =
            ns__xdoc_add_term(ix->doc, ix->term.data, ix->term.len, 0);
        if (st != NS_OK)
            return st;
        h = strchr(h, '.');
        if (h && strchr(h + 1, '.') == NULL)
            break; /* stop before the bare top-level domain */
        if (h)
            h++;
    }
    return NS_OK;
}

/* 64-bit FNV-1a, for ids derived from content and for hashing long ids. */
static uint64_t
hash64(const char *s, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* The id of a: its own, else its URL, else a hash of title and text. */
static const char *
article_id(const ns_article *a, char *tmp, size_t tmp_len)
{
    if (a->id && *a->id)
        return a->id;
    if (a->url && *a->url)
        return a->url;
    uint64_t h = 0xcbf29ce484222325ULL;
    if (a->title)
        h = hash64(a->title, strlen(a->title), h);
    h = hash64(a->text ? a->text : "", a->text_len, h);
    snprintf(tmp, tmp_len, "sha:%016llx", (unsigned long long)h);
    return tmp;
}

/*
 * Whether id is local: ASCII digits only, at most NS_LOCAL_ID_DIGITS of
 * them.  Such ids are record numbers, post ids and per-feed counters,
 * which many JSON exports, CMS dumps and feeds restart from 1 in every
 * file: unique within their file, not across an archive.
 */
static int
is_local_id(const char *id)
{
    size_t n = 0;
    while (n <= NS_LOCAL_ID_DIGITS && id[n] >= '0' && id[n] <= '9')
        n++;
    return n > 0 && n <= NS_LOCAL_ID_DIGITS && id[n] == '\0';
}

/*
 * The unique-id term: "Q" + id, long ids cut and suffixed with a hash.  A
 * local id met in a file (file not NULL) is scoped by it: "Q" + id +
 * NS_LOCAL_ID_SEP + a hash of file (the stored record's file, which names
 * an archive's member too), so that record 1 of one file does not replace
 * record 1 of another, while a file read again replaces its own.
 */
static ns_status
make_idterm(ns_buf *b, const char *id, const char *file)
{
    size_t n = strlen(id);
    ns__buf_reset(b);
    ns__buf_puts(b, NS_PREFIX_ID);
    if (file && is_local_id(id)) {
        char hex[17];
        ns__hex64(ns__hash64(file, strlen(file), NS_HASH_SEED), hex);
        ns__buf_append(b, id, n);
        ns__buf_putc(b, NS_LOCAL_ID_SEP);
        ns__buf_append(b, hex, 16);
    } else if (n <= NS_MAX_ID_TERM) {
        ns__buf_append(b, id, n);
    } else {
        ns__buf_append(b, id, NS_MAX_ID_TERM - 20);
        ns__buf_printf(b, "#%016llx",
                       (unsigned long long)hash64(id, n,
                                                  0xcbf29ce484222325ULL));
    }
    return b->oom ? NS_ERR_NOMEM : NS_OK;
}

/* "2015-09-18T10:20:30Z" -> "20150918102030" (shorter dates zero-filled:
 * a month alone, "2015-09", is "20150900000000", before its first day, and
 * a year alone "20150000000000"). */
static size_t
date_key(const char *date, char out[15])
{
    size_t n = 0;
    for (const char *p = date; *p && n < 14; p++)
        if (*p >= '0' && *p <= '9')
            out[n++] = *p;
    if (n < 4 || n == 5 || n == 7) {
        out[0] = '\0';
        return 0;
    }
    while (n < 14)
        out[n++] = '0';
    out[n] = '\0';
    return n;
}

/* A hash of everything stored of the article: equal hashes, same document. */
static uint64_t
article_hash(const ns_article *a, const char *id, const char *file)
{
    const char *f[8] = { id,        a->title,  a->date,     a->source,
                         a->url,    a->author, a->language, file };
    uint64_t h = NS_HASH_SEED;
    for (int i = 0; i < 8; i++) {
        size_t n = f[i] ? strlen(f[i]) + 1 : 0; /* NULL and "" differ */
        h = ns__hash64(f[i] ? f[i] : "", n, h);
    }
    return ns__hash64(a->text ? a->text : "", a->text_len, h);
}

/* The source as one boolean term, to count the distinct sources. */
static ns_status
add_source_name(ns_db *db, indexer *ix, const char *source)
{
    const char *folded = NULL;
    size_t n = ns__analyzer_fold(db->analyzer, source, strlen(source),
                                 &folded);
    if (!folded)
        return NS_ERR_NOMEM;
    if (n == 0)
        return NS_OK;
    if (n > NS_MAX_ID_TERM)
        n = NS_MAX_ID_TERM; /* (a cut may split a character: harmless) */
    ns__buf_reset(&ix->term);
    ns__buf_puts(&ix->term, NS_PREFIX_SOURCE_NAME);
    ns__buf_append(&ix->term, folded, n);
    return ix->term.oom ? NS_ERR_NOMEM
                        : ns__xdoc_add_term(ix->doc, ix->term.data,
                                            ix->term.len, 0);
}

/* Build the document of a in ix->doc (id and ix->idterm already made);
 * fterm and hex are the file's term and the article's hash, or NULL. */
static ns_status
make_doc(ns_db *db,
         indexer *ix,
         const ns_article *a,
         const char *id,
         const char *file,
         const char *fterm,
         const char *hex)
{
    ns_article copy = *a;
    copy.id = id;
    ns_status st;
    doc_ctx c = { db, ix, NS_OK, 0, 0, 1 };

    ns__xdoc_clear(ix->doc);
    ns__posmap_reset(&ix->posmap);
    if (a->title && *a->title) {
        st = ns__analyzer_run(db->analyzer, a->title, strlen(a->title), 0,
                              NS_ANALYZE_DOCUMENT, add_word, &c, NULL);
        if (st != NS_OK)
            return c.st != NS_OK ? c.st : st;
    }
    uint32_t body_pos = c.count ? c.last_pos + NS_TITLE_GAP : 0;
    c.title = 0;
    ns_analyze_stats body;
    memset(&body, 0, sizeof body);
    if (a->text_len) {
        st = ns__analyzer_run(db->analyzer, a->text, a->text_len, body_pos,
                              NS_ANALYZE_DOCUMENT, add_word, &c, &body);
        if (st != NS_OK)
            return c.st != NS_OK ? c.st : st;
    }
    /* A text that is not all UTF-8 (a library user's) gets no sentence
     * index: its snippets read it whole, which knows its invalid bytes. */
    if (body.invalid_bytes)
        ix->posmap.n_sent = 0;
    if (db->positions == NS_POSITIONS_MAP && ix->posmap.n_tok) {
        if ((st = ns__posmap_encode(&ix->posmap, ix->posmap_part)) != NS_OK)
            return st;
        for (unsigned s = 0; s < NS_POSMAP_PARTS; s++)
            if (ix->posmap_part[s].len &&
                (st = ns__xdoc_set_value(ix->doc, NS_SLOT_POSMAP + s,
                                         ix->posmap_part[s].data,
                                         ix->posmap_part[s].len)) != NS_OK)
                return st;
        if ((st = ns__posmap_encode_sentences(&ix->posmap,
                                              &ix->sentences)) != NS_OK ||
            (ix->sentences.len &&
             (st = ns__xdoc_set_value(ix->doc, NS_SLOT_SENTENCES,
                                      ix->sentences.data,
                                      ix->sentences.len)) != NS_OK))
            return st;
    }
    if (a->source && *a->source) {
        c.title = 0;
        st = ns__analyzer_run(db->analyzer, a->source, strlen(a->source), 0,
                              NS_ANALYZE_NOSTEM, add_field_word, &c, NULL);
        if (st != NS_OK)
            return c.st != NS_OK ? c.st : st;
        if ((st = add_source_name(db, ix, a->source)) != NS_OK)
            return st;
    }
    if (a->author && *a->author) {
        c.title = 1; /* add_field_word: author prefix */
        st = ns__analyzer_run(db->analyzer, a->author, strlen(a->author), 0,
                              NS_ANALYZE_NOSTEM, add_field_word, &c, NULL);
        if (st != NS_OK)
            return c.st != NS_OK ? c.st : st;
    }
    if (a->url && *a->url && (st = add_host_terms(ix, a->url)) != NS_OK)
        return st;
    if ((st = ns__xdoc_add_term(ix->doc, ix->idterm.data, ix->idterm.len,
                                0)) != NS_OK)
        return st;
    if (fterm &&
        (st = ns__xdoc_add_term(ix->doc, fterm, strlen(fterm), 0)) != NS_OK)
        return st;
    char dk[15];
    size_t dn = a->date ? date_key(a->date, dk) : 0;
    if (dn && (st = ns__xdoc_set_value(ix->doc, NS_SLOT_DATE, dk, dn)) != NS_OK)
        return st;
    if ((st = ns__xdoc_set_value(ix->doc, NS_SLOT_ID, id, strlen(id))) !=
        NS_OK)
        return st;
    if (hex && (st = ns__xdoc_set_value(ix->doc, NS_SLOT_HASH, hex, 16)) !=
                   NS_OK)
        return st;
    if ((st = ns__searchdata_add(db, ix->doc, a)) != NS_OK)
        return st;
    if ((st = ns__store_encode(db->store, &copy, file, &ix->record)) != NS_OK)
        return st;
    return ns__xdoc_set_data(ix->doc, ix->record.data, ix->record.len);
}

/* Put h into the id table of cap slots (a free slot is there). */
static int
ids_put(uint64_t *ids, size_t cap, uint64_t h)
{
    for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        if (ids[i] == h)
            return 0;
        if (!ids[i]) {
            ids[i] = h;
            return 1;
        }
    }
}

/*
 * Whether writing the article of ix->idterm must replace a document with
 * that id: not when the id table is on and the id is new to it (it is
 * noted then).  Two ids of one hash only cost a replace.
 */
static int
must_replace(indexer *ix)
{
    if (ix->ids_state <= 0)
        return 1;
    if (2 * (ix->n_ids + 1) > ix->cap_ids) {
        size_t cap = ix->cap_ids ? ix->cap_ids * 2 : 1024;
        uint64_t *n = cap <= NS_IDSET_MAX ? ns__calloc(cap, sizeof *n) : NULL;
        if (!n) { /* too many to remember: replace from now on */
            ns_free(ix->ids);
            ix->ids = NULL;
            ix->n_ids = ix->cap_ids = 0;
            ix->ids_state = -1;
            return 1;
        }
        for (size_t i = 0; i < ix->cap_ids; i++)
            if (ix->ids[i])
                ids_put(n, cap, ix->ids[i]);
        ns_free(ix->ids);
        ix->ids = n;
        ix->cap_ids = cap;
    }
    uint64_t h = ns__hash64(ix->idterm.data, ix->idterm.len, NS_HASH_SEED) | 1;
    if (!ids_put(ix->ids, ix->cap_ids, h))
        return 1;
    ix->n_ids++;
    return 0;
}

/* Note that the walk met document docid of tf again. */
static ns_status
seen_add(track_file *tf, uint32_t docid)
{
    if (!tf->has_old)
        return NS_OK;
    if (tf->n_seen == tf->cap_seen) {
        size_t cap = tf->cap_seen ? tf->cap_seen * 2 : 256;
        uint32_t *n = ns__realloc(tf->seen, cap * sizeof *n);
        if (!n)
            return NS_ERR_NOMEM;
        tf->seen = n;
        tf->cap_seen = cap;
    }
    tf->seen[tf->n_seen++] = docid;
    return NS_OK;
}

/* Write path's record now, or in a bulk build into the generation the
 * build ends with (ns_db_add_path). */
static ns_status
put_record(ns_db *db, indexer *ix, const char *path,
           const ns__file_record *rec)
{
    if (!ix->bulk_mode)
        return ns__track_put(db, path, rec);
    ns__buf_append(&ix->records, path, strlen(path) + 1);
    ns__buf_append(&ix->records, rec, sizeof *rec);
    return ix->records.oom ? NS_ERR_NOMEM : NS_OK;
}

/*
 * Write one article now (the dictionary question settled).  With tf (the
 * article comes from a tracked file), it carries the file's term and its
 * hash, and when the index already held articles of that file, an article
 * whose stored copy has the same hash is left as it is.
 */
static ns_status
write_article(ns_db *db,
              indexer *ix,
              const ns_article *a,
              const char *file,
              track_file *tf)
{
    char tmp[40], hex[17];
    const char *id = article_id(a, tmp, sizeof tmp);
    ns_status st = make_idterm(&ix->idterm, id, file);
    if (st != NS_OK)
        return st;
    if (tf && !tf->recorded) {
        /* A file's first article written carries a record that no file
         * matches, in the same commit batch: should the run stop before
         * the file's end (a kill, a read error), the next one reads it
         * again, and --prune knows its articles if it is gone by then.
         * Without it, the articles of a file removed after such a stop
         * stayed for ever.  finish_file() writes the real one. */
        ns__file_record pending = { NS_TRACK_PENDING_SIZE, 0, 0, 0 };
        if ((st = put_record(db, ix, tf->path, &pending)) != NS_OK)
            return st;
        tf->recorded = 1;
    }
    if (tf) {
        ns__hex64(article_hash(a, id, file), hex);
        tf->rec.articles++;
        if (tf->has_old) {
            uint32_t docid = 0;
            st = ns__xdb_find(db->x, ix->idterm.data, NS_SLOT_HASH, &docid,
                              &ix->val);
            if (st == NS_OK && ix->val.len == 16 &&
                memcmp(ix->val.data, hex, 16) == 0) {
                if (ix->stats)
                    ix->stats->articles_unchanged++;
                return seen_add(tf, docid);
            }
            if (st != NS_OK && st != NS_ERR_NOT_FOUND)
                return st;
        }
    }
    st = make_doc(db, ix, a, id, file, tf ? tf->fterm : NULL,
                  tf ? hex : NULL);
    uint32_t docid = 0;
    if (st == NS_OK && !must_replace(ix))
        st = ns__xdb_add(db->x, ix->doc, &docid);
    else if (st == NS_OK)
        st = ns__xdb_replace_id(db->x, ix->idterm.data, ix->doc, &docid);
    if (st != NS_OK)
        return st;
    db->dirty = 1;
    if (ix->stats)
        ix->stats->articles_indexed++;
    if (ix->walk && (++ix->writes & 255) == 0)
        walk_progress(ix->walk); /* also while held articles are written */
    if (tf && (st = seen_add(tf, docid)) != NS_OK)
        return st;
    ix->bytes_since_commit += a->text_len;
    if (++ix->since_commit >= ix->commit_every ||
        ix->bytes_since_commit >= ix->commit_bytes) {
        st = ns__db_commit(db);
        ix->since_commit = 0;
        ix->bytes_since_commit = 0;
    }
    return st;
}

/* Copy a's strings into h so it outlives the caller's buffers. */
static ns_status
hold_article(indexer *ix,
             const ns_article *a,
             const char *file,
             track_file *tf)
{
    if (ix->n_held == ix->cap_held) {
        size_t cap = ix->cap_held ? ix->cap_held * 2 : 256;
        held_article *n = ns__realloc(ix->held, cap * sizeof *n);
        if (!n)
            return NS_ERR_NOMEM;
        ix->held = n;
        ix->cap_held = cap;
    }
    held_article *h = &ix->held[ix->n_held];
    memset(h, 0, sizeof *h);
    const char *src[8] = { a->id,     a->title,  a->date,   a->source,
                           a->url,    a->author, a->language, file };
    size_t off[8];
    for (int i = 0; i < 8; i++) {
        off[i] = h->strings.len;
        if (src[i])
            ns__buf_append(&h->strings, src[i], strlen(src[i]) + 1);
    }
    size_t text_off = h->strings.len;
    ns__buf_append(&h->strings, a->text ? a->text : "", a->text_len);
    if (h->strings.oom) {
        ns__buf_free(&h->strings);
        return NS_ERR_NOMEM;
    }
    const char **dst[8] = { &h->a.id,     &h->a.title,  &h->a.date,
                            &h->a.source, &h->a.url,    &h->a.author,
                            &h->a.language, NULL };
    h->a.version = NS_ARTICLE_VERSION;
    for (int i = 0; i < 7; i++)
        *dst[i] = src[i] ? h->strings.data + off[i] : NULL;
    h->file = NULL;
    if (file && !(h->file = ns__strdup(h->strings.data + off[7]))) {
        ns__buf_free(&h->strings);
        return NS_ERR_NOMEM;
    }
    h->a.text = h->strings.data + text_off;
    h->a.text_len = a->text_len;
    h->tf = tf;
    ix->n_held++;
    ix->held_bytes += a->text_len;
    return NS_OK;
}

typedef struct unseen_ctx {
    const track_file *tf;
    uint32_t *del;
    size_t n, cap;
    int oom;
} unseen_ctx;

static int
cmp_docid(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int
collect_unseen(uint32_t docid, void *payload)
{
    unseen_ctx *u = payload;
    if (bsearch(&docid, u->tf->seen, u->tf->n_seen, sizeof docid,
                cmp_docid))
        return 0;
    if (u->n == u->cap) {
        size_t cap = u->cap ? u->cap * 2 : 64;
        uint32_t *n = ns__realloc(u->del, cap * sizeof *n);
        if (!n) {
            u->oom = 1;
            return 1;
        }
        u->del = n;
        u->cap = cap;
    }
    u->del[u->n++] = docid;
    return 0;
}

/*
 * A file's reading has ended and all its articles are written: if it was
 * read to its end, delete its articles that the reading did not meet, and
 * write its record (in this commit batch, after its articles).
 */
static ns_status
finish_file(ns_db *db, indexer *ix, track_file *tf)
{
    if (!tf->complete || !tf->hashed) {
        /* Read again next time; its articles so far stay, under a record
         * that no file matches (write_article's, or in a bulk build this
         * one), so that --prune finds them once the file is gone. */
        if (tf->recorded || !tf->rec.articles)
            return NS_OK;
        ns__file_record pending = { NS_TRACK_PENDING_SIZE, 0, 0, 0 };
        tf->recorded = 1;
        return put_record(db, ix, tf->path, &pending);
    }
    ns_status st = NS_OK;
    if (tf->has_old) {
        unseen_ctx u = { tf, NULL, 0, 0, 0 };
        qsort(tf->seen, tf->n_seen, sizeof *tf->seen, cmp_docid);
        st = ns__xdb_postlist(db->x, tf->fterm, collect_unseen, &u);
        if (u.oom)
            st = NS_ERR_NOMEM;
        for (size_t i = 0; i < u.n && st == NS_OK; i++) {
            st = ns__xdb_delete_docid(db->x, u.del[i]);
            db->dirty = 1;
            if (st == NS_OK && ix->stats)
                ix->stats->articles_deleted++;
        }
        ns_free(u.del);
    }
    return st == NS_OK ? put_record(db, ix, tf->path, &tf->rec) : st;
}

/* Finish the ended files whose held articles are now written. */
static ns_status
finish_ended(ns_db *db, indexer *ix)
{
    ns_status st = NS_OK;
    while (ix->ended) {
        track_file *tf = ix->ended;
        ix->ended = tf->next;
        if (st == NS_OK)
            st = finish_file(db, ix, tf);
        track_file_free(tf);
    }
    ix->ended_tail = &ix->ended;
    return st;
}

/*
 * Train the dictionary on the held articles (if there are enough, or if
 * force), record it in the metadata, and write them all, then the records
 * of the files they came from.
 */
static ns_status
train_dict(ns_db *db, indexer *ix)
{
    ns_status st = NS_OK;
    if (!db->has_dict && ix->n_held) {
        ns_buf samples = { 0 }, dict = { 0 };
        /* Two samples per article: the start of its text, and its
         * fields as the record holds them (store.h), which the same
         * dictionary compresses. */
        size_t *sizes = ns__calloc(2 * ix->n_held, sizeof *sizes);
        if (!sizes)
            return NS_ERR_NOMEM;
        for (size_t i = 0; i < ix->n_held; i++) {
            size_t n = ix->held[i].a.text_len, before = samples.len;
            if (n > NS_TRAIN_SAMPLE_BYTES)
                n = NS_TRAIN_SAMPLE_BYTES;
            ns__buf_append(&samples, ix->held[i].a.text, n);
            sizes[2 * i] = n;
            ns__store_fields(&ix->held[i].a, ix->held[i].file, &samples);
            sizes[2 * i + 1] = samples.len - before - n;
        }
        if (samples.oom)
            st = NS_ERR_NOMEM;
        else if (ns__store_train(samples.data, sizes,
                                 (unsigned)(2 * ix->n_held),
                                 &dict) == NS_OK) {
            st = ns__xdb_set_metadata(db->x, NS_META_ZDICT, dict.data,
                                      dict.len);
            if (st == NS_OK)
                st = ns__store_set_dict(db->store, dict.data, dict.len);
            if (st == NS_OK)
                db->has_dict = 1;
            ns__buf_reset(&ix->dict);
            ns__buf_append(&ix->dict, dict.data, dict.len);
            if (ix->dict.oom)
                st = NS_ERR_NOMEM;
        }
        ns__buf_free(&samples);
        ns__buf_free(&dict);
        ns_free(sizes);
    }
    return st;
}

/* Hand the held articles to the shards, which start now that the
 * dictionary is known; the files they came from are done with. */
static ns_status
start_bulk(ns_db *db, indexer *ix)
{
    ns_status st = ns__bulk_start(db, ns__bulk_shards(), ix->dict.data,
                                  ix->dict.len, ix->commit_every ==
                                  NS_COMMIT_EVERY ? 0 : ix->commit_every,
                                  &ix->bulk);
    for (size_t i = 0; i < ix->n_held; i++) {
        held_article *h = &ix->held[i];
        if (st == NS_OK)
            st = ns__bulk_put(ix->bulk, &h->a, h->file,
                              h->tf ? h->tf->fterm : NULL);
        if (st == NS_OK && h->tf)
            h->tf->rec.articles++;
        if (st == NS_OK && ix->stats)
            ix->stats->articles_indexed++;
        ns__buf_free(&h->strings);
        ns_free(h->file);
    }
    ix->n_held = 0;
    ix->held_bytes = 0;
    ns_status fst = finish_ended(db, ix);
    return st != NS_OK ? st : fst;
}

static ns_status
flush_held(ns_db *db, int force)
{
    indexer *ix = db->indexer;
    if (!force && ix->n_held < NS_TRAIN_MAX_ARTICLES &&
        ix->held_bytes < NS_TRAIN_MAX_BYTES)
        return NS_OK;
    ns_status st = train_dict(db, ix);
    if (st == NS_OK && ix->bulk_mode && !force)
        return start_bulk(db, ix);
    for (size_t i = 0; i < ix->n_held; i++) {
        if (st == NS_OK)
            st = write_article(db, ix, &ix->held[i].a, ix->held[i].file,
                               ix->held[i].tf);
        ns__buf_free(&ix->held[i].strings);
        ns_free(ix->held[i].file);
    }
    ix->n_held = 0;
    ix->held_bytes = 0;
    ns_status fst = finish_ended(db, ix);
    return st != NS_OK ? st : fst;
}

static ns_status
add_article(ns_db *db, const ns_article *a, const char *file, track_file *tf)
{
    indexer *ix;
    ns_status st = get_indexer(db, &ix);
    if (st != NS_OK)
        return st;
    if ((!a->title || !*a->title) && a->text_len == 0) {
        ns__db_errorf(db, "article has neither title nor text");
        return NS_ERR_INVALID_ARG;
    }
    if (a->text_len && !a->text)
        return NS_ERR_INVALID_ARG;
    if (ix->bulk) {
        /* Counted here: the shards have no stats and no files. */
        if (tf)
            tf->rec.articles++;
        if (ix->stats)
            ix->stats->articles_indexed++;
        return ns__bulk_put(ix->bulk, a, file, tf ? tf->fterm : NULL);
    }
    if (db->has_dict && !ix->bulk_mode)
        return write_article(db, ix, a, file, tf);
    if ((st = hold_article(ix, a, file, tf)) != NS_OK)
        return st;
    return flush_held(db, 0);
}

ns_status
ns__index_write(ns_db *db,
                const ns_article *a,
                const char *file,
                const char *fterm,
                unsigned commit_every,
                size_t commit_bytes)
{
    indexer *ix;
    ns_status st = get_indexer(db, &ix);
    if (st != NS_OK)
        return st;
    ix->commit_every = commit_every ? commit_every : NS_COMMIT_EVERY;
    ix->commit_bytes = commit_bytes;
    if (ix->ids_state == 0) {
        uint64_t n = 1; /* unknown: replace always */
        ix->ids_state =
            ns__xdb_doccount(db->x, &n) == NS_OK && n == 0 ? 1 : -1;
    }
    if (!fterm)
        return write_article(db, ix, a, file, NULL);
    track_file tf; /* the F term; the file itself (and its record) is the
                    * walk's business */
    memset(&tf, 0, sizeof tf);
    memcpy(tf.fterm, fterm, sizeof tf.fterm);
    tf.recorded = 1;
    return write_article(db, ix, a, file, &tf);
}

ns_status
ns_db_add_article(ns_db *db, const ns_article *article) NS_NOEXCEPT
{
    if (!db)
        return NS_ERR_INVALID_ARG;
    ns__db_clear_error(db);
    if (!article || article->version < 1 ||
        article->version > NS_ARTICLE_VERSION) {
        ns__db_errorf(db, article ? "ns_article version %u is unknown to "
                                    "this library (it knows 1)"
                                  : "no article given",
                      article ? article->version : 0);
        return NS_ERR_INVALID_ARG;
    }
    return add_article(db, article, NULL, NULL);
}

/* Write what is held and commit (a writer's handle). */
static ns_status
commit_all(ns_db *db)
{
    ns_status st = NS_OK;
    if (db->indexer) {
        st = flush_held(db, 1);
        ((indexer *)db->indexer)->since_commit = 0;
        ((indexer *)db->indexer)->bytes_since_commit = 0;
    }
    return st == NS_OK ? ns__db_commit(db) : st;
}

/* The start of the public calls that write: the message cleared, and a
 * read-only handle refused with one. */
static ns_status
writer_call(ns_db *db)
{
    if (!db)
        return NS_ERR_INVALID_ARG;
    ns__db_clear_error(db);
    if (!(db->flags & NS_OPEN_WRITE)) {
        ns__db_errorf(db, "%s: the index was opened read-only", db->path);
        return NS_ERR_INVALID_ARG;
    }
    return NS_OK;
}

ns_status
ns_db_commit(ns_db *db) NS_NOEXCEPT
{
    ns_status st = writer_call(db);
    return st == NS_OK ? commit_all(db) : st;
}

ns_status
ns_db_publish(ns_db *db) NS_NOEXCEPT
{
    ns_status st = writer_call(db);
    if (st != NS_OK)
        return st;
    if (!db->building) {
        ns__db_errorf(db, "%s: nothing to publish: the handle was not "
                          "opened with NS_OPEN_REBUILD, or was published",
                      db->path);
        return NS_ERR_INVALID_ARG;
    }
    st = commit_all(db);
    return st == NS_OK ? ns__db_publish(db) : st;
}

ns_status
ns_db_compact(ns_db *db) NS_NOEXCEPT
{
    ns_status st = writer_call(db);
    if (st == NS_OK)
        st = commit_all(db);
    return st == NS_OK ? ns__db_compact(db) : st;
}

ns_status
ns_db_delete(ns_db *db, const char *id) NS_NOEXCEPT
{
    ns_status wst = writer_call(db);
    if (wst != NS_OK)
        return wst;
    if (!id) {
        ns__db_errorf(db, "no id given");
        return NS_ERR_INVALID_ARG;
    }
    indexer *ix;
    ns_status st = get_indexer(db, &ix);
    if (st == NS_OK)
        st = flush_held(db, 1);
    if (st == NS_OK)
        st = make_idterm(&ix->idterm, id, NULL);
    uint64_t n = 0, scoped = 0;
    if (st == NS_OK)
        st = ns__xdb_delete_by_term(db->x, ix->idterm.data, &n);
    /* A local id names an article in each file that has it. */
    if (st == NS_OK && is_local_id(id)) {
        ns__buf_putc(&ix->idterm, NS_LOCAL_ID_SEP);
        st = ix->idterm.oom ? NS_ERR_NOMEM
                            : ns__xdb_delete_by_prefix(
                                  db->x, ns__buf_cstr(&ix->idterm), &scoped);
        n += scoped;
    }
    if (st == NS_OK && n == 0) {
        ns__db_errorf(db, "no article has the id '%s'", id);
        st = NS_ERR_NOT_FOUND;
    }
    if (st == NS_OK)
        db->dirty = 1;
    return st;
}

/* ---- adding paths ------------------------------------------------------- */

typedef struct walk_ctx {
    ns_db *db;
    indexer *ix;
    const ns_index_options *opts;
    ns_index_stats *stats;
    ns_status st;      /* a fatal status that stopped the walk */
    time_t last_progress;
    uint64_t met;      /* articles met */
    const ns__file_info *reading; /* the file being read, or NULL */
} walk_ctx;

static int
progress(walk_ctx *w)
{
    if (!w->opts || !w->opts->on_progress)
        return 0;
    time_t now = time(NULL);
    if (now == w->last_progress)
        return 0;
    w->last_progress = now;
    /* Inside a file, bytes_done counts how far its reading is: a single
     * big file (compressed or not) has progress, and an ETA. */
    uint64_t done = w->stats->bytes_done;
    off_t at = w->reading && w->reading->fd >= 0
                   ? lseek(w->reading->fd, 0, SEEK_CUR)
                   : -1;
    if (at > 0)
        w->stats->bytes_done +=
            (uint64_t)at < w->reading->size ? (uint64_t)at : w->reading->size;
    int r = w->opts->on_progress(w->stats, w->opts->payload);
    w->stats->bytes_done = done;
    return r;
}

/* Progress from the writing side; a stop asked for here waits for the
 * walk's next callback. */
static void
walk_progress(void *walk)
{
    walk_ctx *w = walk;
    if (progress(w) && w->st == NS_OK)
        w->st = NS_ERR_ABORTED;
}

/* Whether to read the file: not when its record says it is unchanged. */
static int
walk_file_begin(const ns__file_info *fi, void *payload)
{
    walk_ctx *w = payload;
    ns_db *db = w->db;
    if (w->st != NS_OK)
        return NS_CORPUS_STOP; /* a file's end failed */
    w->stats->files_seen++;
    if (progress(w)) {
        w->st = NS_ERR_ABORTED;
        return NS_CORPUS_STOP;
    }
    ns__file_record old;
    ns_status st = ns__track_get(db, fi->path, &old);
    int known = st == NS_OK;
    if (st != NS_OK && st != NS_ERR_NOT_FOUND) {
        w->st = st;
        return NS_CORPUS_STOP;
    }
    /* Same size and mtime: unchanged, not even opened. */
    if (known && old.size == fi->size && old.mtime_ns == fi->mtime_ns) {
        w->stats->files_unchanged++;
        w->stats->bytes_done += fi->size;
        return NS_CORPUS_SKIP;
    }
    uint64_t hash = 0;
    int hashed = ns__file_hash(fi->path, &hash) == NS_OK;
    /* Touched but the same bytes: only the record's mtime changes. */
    if (known && hashed && old.size == fi->size && old.hash == hash) {
        old.mtime_ns = fi->mtime_ns;
        if ((st = ns__track_put(db, fi->path, &old)) != NS_OK) {
            w->st = st;
            return NS_CORPUS_STOP;
        }
        w->stats->files_unchanged++;
        w->stats->bytes_done += fi->size;
        return NS_CORPUS_SKIP;
    }
    track_file *tf = ns__calloc(1, sizeof *tf);
    if (!tf || !(tf->path = ns__strdup(fi->path))) {
        ns_free(tf);
        w->st = NS_ERR_NOMEM;
        return NS_CORPUS_STOP;
    }
    tf->rec.size = fi->size;
    tf->rec.mtime_ns = fi->mtime_ns;
    tf->rec.hash = hash;
    tf->hashed = hashed;
    ns__track_fterm(fi->path, tf->fterm);
    uint64_t n = 0;
    if ((st = ns__xdb_termfreq(db->x, tf->fterm, &n)) != NS_OK) {
        track_file_free(tf);
        w->st = st;
        return NS_CORPUS_STOP;
    }
    tf->has_old = n > 0;
    tf->recorded = known;
    track_file_free(w->ix->cur);
    w->ix->cur = tf;
    w->reading = fi; /* valid until its file_end */
    return NS_CORPUS_READ;
}

static void
walk_file_end(const ns__file_info *fi, int complete, void *payload)
{
    walk_ctx *w = payload;
    indexer *ix = w->ix;
    track_file *tf = ix->cur;
    ix->cur = NULL;
    w->reading = NULL;
    w->stats->bytes_done += fi->size;
    if (!tf)
        return;
    tf->complete = complete && w->st == NS_OK;
    if (ix->n_held) {
        /* Its record waits for its held articles (flush_held). */
        tf->next = NULL;
        *ix->ended_tail = tf;
        ix->ended_tail = &tf->next;
        return;
    }
    ns_status st = finish_file(w->db, ix, tf);
    track_file_free(tf);
    if (st != NS_OK && w->st == NS_OK)
        w->st = st; /* the next file_begin stops the walk */
}

static int
walk_article(const ns_article *a, const ns__where *where, void *payload)
{
    walk_ctx *w = payload;
    ns_status st = add_article(w->db, a, where->file, w->ix->cur);
    if (st == NS_ERR_INVALID_ARG) {
        /* An article with nothing to index: a reject, not a failure. */
        w->stats->articles_rejected++;
        if (w->opts && w->opts->on_reject) {
            char loc[64] = "";
            if (where->record)
                snprintf(loc, sizeof loc, "record %llu",
                         (unsigned long long)where->record);
            ns_reject r = { where->file, loc, "article has no title and no text" };
            if (w->opts->on_reject(&r, w->opts->payload)) {
                w->st = NS_ERR_ABORTED;
                return 1;
            }
        }
        return 0;
    }
    if (st != NS_OK) {
        w->st = st;
        return 1;
    }
    w->stats->bytes_read += a->text_len;
    int slot = ns__format_slot(where->format);
    if (slot >= 0 && slot < NS_FORMAT_SLOTS)
        w->stats->articles_by_format[slot]++;
    if ((++w->met & 255) == 0 && progress(w)) {
        w->st = NS_ERR_ABORTED;
        return 1;
    }
    return 0;
}

static int
walk_reject(const ns__where *where, const char *reason, void *payload)
{
    walk_ctx *w = payload;
    char loc[64] = "";
    if (where->record)
        snprintf(loc, sizeof loc, "%s %llu",
                 strcmp(where->format, "jsonl") == 0 ? "line" : "record",
                 (unsigned long long)where->record);
    else if (where->offset)
        snprintf(loc, sizeof loc, "offset %llu",
                 (unsigned long long)where->offset);
    if (where->record || where->offset)
        w->stats->articles_rejected++;
    else
        w->stats->files_rejected++;
    if (w->opts && w->opts->on_reject) {
        ns_reject r = { where->file, loc, reason };
        if (w->opts->on_reject(&r, w->opts->payload)) {
            w->st = NS_ERR_ABORTED;
            return 1;
        }
    }
    return 0;
}

/*
 * Whether this add_path builds in bulk (bulk.c): on an empty index or
 * generation (a first build, a rebuild), with no file records and nothing
 * held.  NSEARCH_SHARDS=0 in the environment turns it off (for
 * measurements).
 */
static int
has_key(const char *key, void *payload)
{
    (void)key;
    *(int *)payload = 1;
    return 1;
}

static int
bulk_eligible(ns_db *db, indexer *ix)
{
    const char *env = getenv("NSEARCH_SHARDS");
    if ((env && atoi(env) <= 0 && *env) || ix->n_held || ix->ended)
        return 0;
    uint64_t n = 1;
    int records = 0;
    if (ns__xdb_doccount(db->x, &n) != NS_OK || n != 0)
        return 0;
    ns_status st = ns__xdb_metadata_keys(db->x, NS_META_FILE, has_key,
                                         &records);
    return (st == NS_OK || st == NS_ERR_ABORTED) && !records;
}

/*
 * The end of a bulk add_path: merge the shards into a new generation,
 * write into it the settings, the dictionary and the records, and make it
 * live (a rebuild's handle publishes later).  When the shards never
 * started (less input than a dictionary wants) the held articles are
 * written as usual.  walk_st: how the walk ended; on a failure the shards'
 * work is dropped and the index is as it was.
 */
static ns_status
end_bulk(ns_db *db, indexer *ix, ns_status walk_st)
{
    int was_building = db->building, merged = 0;
    ns_status st = NS_OK;
    /* Less input than the dictionary waits for, but enough to share: the
     * shards take the held articles now (one thread would write them
     * alone, and the merge is the compaction the build needs anyway). */
    if (!ix->bulk && (walk_st == NS_OK || walk_st == NS_ERR_NOT_FOUND) &&
        ix->n_held >= NS_BULK_MIN_ARTICLES && ns__bulk_shards() > 1) {
        st = train_dict(db, ix);
        if (st == NS_OK)
            st = start_bulk(db, ix);
        if (st != NS_OK)
            walk_st = st;
    }
    if (ix->bulk) {
        if (walk_st != NS_OK && walk_st != NS_ERR_NOT_FOUND) {
            ns__bulk_abort(ix->bulk, db);
            ix->bulk = NULL;
            ix->bulk_mode = 0;
            ns__buf_reset(&ix->records);
            return walk_st;
        }
        st = ns__bulk_finish(ix->bulk, db);
        ns__bulk_free(ix->bulk);
        ix->bulk = NULL;
        merged = st == NS_OK;
        if (st == NS_OK)
            st = ns__db_write_settings(db);
        if (st == NS_OK && ix->dict.len)
            st = ns__xdb_set_metadata(db->x, NS_META_ZDICT, ix->dict.data,
                                      ix->dict.len);
    }
    ix->bulk_mode = 0;
    /* The records deferred so far, then the held articles (if the shards
     * never started) and the records of their files. */
    for (size_t off = 0; st == NS_OK && off < ix->records.len;) {
        const char *p = ix->records.data + off;
        size_t n = strlen(p) + 1;
        ns__file_record rec;
        memcpy(&rec, p + n, sizeof rec);
        st = ns__track_put(db, p, &rec);
        off += n + sizeof rec;
    }
    ns__buf_reset(&ix->records);
    if (st == NS_OK)
        st = commit_all(db);
    if (st == NS_OK && merged && !was_building)
        st = ns__db_publish(db);
    if (st == NS_OK && merged)
        db->compacted = 1; /* the merge was a compaction */
    return st;
}

/* The fields of ns_index_stats a caller of options version v knows. */
static size_t
stats_size(const ns_index_options *opts)
{
    if (opts && opts->version >= 3)
        return sizeof(ns_index_stats);
    if (opts && opts->version == 2)
        return offsetof(ns_index_stats, articles_by_format);
    return offsetof(ns_index_stats, articles_unchanged);
}

static void
stats_add(ns_index_stats *to, const ns_index_stats *from, size_t size)
{
    uint64_t *t = (uint64_t *)to;
    const uint64_t *f = (const uint64_t *)from;
    for (size_t i = 0; i < size / sizeof(uint64_t); i++)
        t[i] += f[i];
}

ns_status
ns_db_add_path(ns_db *db,
               const char *path,
               const ns_index_options *opts,
               ns_index_stats *stats) NS_NOEXCEPT
{
    if (!db)
        return NS_ERR_INVALID_ARG;
    ns__db_clear_error(db);
    if (!path || (opts && (opts->version < 1 ||
                           opts->version > NS_INDEX_OPTIONS_VERSION))) {
        ns__db_errorf(db, path ? "ns_index_options version %u is unknown "
                                 "to this library (it knows 1 to %u)"
                               : "no path given",
                      opts ? opts->version : 0,
                      (unsigned)NS_INDEX_OPTIONS_VERSION);
        return NS_ERR_INVALID_ARG;
    }
    /* The shared library loads the readers now (corpus/loader/readers.h). */
    const char *lerr = ns__readers_load();
    if (lerr) {
        ns__db_errorf(db, "%s", lerr);
        return NS_ERR_IO;
    }
    indexer *ix;
    ns_status st = get_indexer(db, &ix);
    if (st != NS_OK)
        return st;
    /* The counters so far, in a whole struct whatever the caller's
     * version: progress callbacks see the totals. */
    size_t ssize = stats_size(opts);
    ns_index_stats run = { 0 };
    if (stats)
        stats_add(&run, stats, ssize);
    walk_ctx w = { db, ix, opts, &run, NS_OK, 0, 0, NULL };
    ix->stats = &run;
    ix->walk = &w;
    ix->commit_every = opts && opts->version >= 2 && opts->commit_every
                           ? opts->commit_every
                           : NS_COMMIT_EVERY;
    ix->bulk_mode = bulk_eligible(db, ix);
    const char *const *exclude =
        opts && opts->version >= 4 ? opts->exclude : NULL;
    ns__corpus_sink sink = { walk_file_begin, walk_article, walk_reject,
                             walk_file_end, &w, exclude };
    st = ns__corpus_walk_skip(path, &sink, db->path);
    if (w.st != NS_OK)
        st = w.st;
    track_file_free(ix->cur); /* a walk that stopped inside a file */
    ix->cur = NULL;
    if (st == NS_ERR_NOT_FOUND)
        ns__db_errorf(db, "%s: no such file or directory", path);
    if (ix->bulk_mode) {
        ns_status bst = end_bulk(db, ix, st);
        if (st == NS_OK || st == NS_ERR_NOT_FOUND)
            st = bst == NS_OK ? st : bst;
    }
    if (st == NS_OK && opts && opts->version >= 2 &&
        (opts->flags & NS_INDEX_PRUNE)) {
        char *root = ns__corpus_absolute_path(path);
        uint64_t files = 0, articles = 0;
        st = root ? ns__track_prune(db, root, exclude, &files, &articles)
                  : NS_ERR_NOMEM;
        run.files_pruned += files;
        run.articles_deleted += articles;
        ns_free(root);
    }
    ns_status cst = commit_all(db);
    if (st == NS_OK)
        st = cst;
    ix->stats = NULL;
    ix->walk = NULL;
    ix->commit_every = NS_COMMIT_EVERY;
    if (stats) {
        memset(stats, 0, ssize);
        stats_add(stats, &run, ssize);
    }
    return st;
}
