/*
 * nsearch.h: the public interface of libnsearch, full-text search for news
 * archives.  This header is the manual: every function says what it takes,
 * what it returns, who owns what, and which statuses it can return.
 *
 * Conventions:
 * - All text is UTF-8.  Names and paths are NUL-terminated.
 * - Every function returns an ns_status (NS_OK is 0) unless stated.
 * - `**out` parameters receive objects the caller owns; they are set to NULL
 *   on failure.  Each ns_x_free()/ns_x_close() accepts NULL.
 * - Strings returned as `const char *` are borrowed: each says how long it
 *   stays valid.  Strings the library allocates for the caller are freed with
 *   ns_free(); do not mix allocators.
 * - Threads.  A handle (ns_db, ns_results) is used by one thread at a
 *   time.  There is no library-wide init or cleanup call.
 *   Many threads may search one index at once, each with its own ns_db
 *   handle, while one writer (in this process or another) updates it
 *   (tests/api/test_api_threads.c).  An ns_results is finished when
 *   ns_db_search() returns: it may be handed to another thread, and its
 *   accessors, which only read, may run in several threads at once.
 *   ns_strerror(), ns_version_*(), ns_free(), ns_db_open*() and
 *   ns_shards_*() may be called from any thread at any time.  Two writers
 *   of one index exclude each other through its lock file (see
 *   ns_db_open_v2()), across threads and processes alike.
 * - Errors.  The detail of a handle's last failure is ns_db_errmsg(); a
 *   function without a handle (ns_db_open*(), ns_shards_*()) gives it
 *   through an optional `char **errmsg`.  There is no global or
 *   thread-local last error.
 * - Each search of a read-only handle sees the latest commit.  A rebuild or
 *   compaction made live after the handle opened (ns_db_publish()) is seen
 *   by the handles opened since.
 * - ABI: the structs the caller fills carry a version and grow only at
 *   their end, and the library touches no field past the version a caller
 *   passes, so a program built against an older header keeps working
 *   (tests/api/test_api_abi.c).  The SONAME is libnsearch.so.MAJOR, and
 *   only the functions declared here are exported.
 *
 * Copyright (C) 2026 the nsearch developers.  GPL-2.0-or-later.
 */
#ifndef NSEARCH_H
#define NSEARCH_H

#include <stddef.h>
#include <stdint.h>

#if defined(__cplusplus) && __cplusplus >= 201103L
extern "C" {
#define NS_NOEXCEPT noexcept
#elif defined(__cplusplus)
extern "C" {
#define NS_NOEXCEPT throw()
#else
#define NS_NOEXCEPT
#endif

#if defined(NS_BUILDING_LIBRARY) && defined(__GNUC__)
#define NS_API __attribute__((visibility("default")))
#else
#define NS_API
#endif

#define NS_VERSION_MAJOR  0
#define NS_VERSION_MINOR  1
#define NS_VERSION_PATCH  0
#define NS_VERSION_NUMBER                                                   \
    (NS_VERSION_MAJOR * 10000 + NS_VERSION_MINOR * 100 + NS_VERSION_PATCH)
#define NS_VERSION_STRING "0.1.0"
/** True when the header is at least version maj.min.pat. */
#define NS_CHECK_VERSION(maj, min, pat)                                     \
    (NS_VERSION_NUMBER >= (maj) * 10000 + (min) * 100 + (pat))

/**
 * Status codes.  The values are fixed; new codes are only appended before
 * NS_STATUS_COUNT_.
 */
typedef enum ns_status {
    NS_OK = 0,
    NS_ERR_INVALID_ARG = 1,   /* a NULL or out-of-range argument */
    NS_ERR_NOMEM = 2,         /* out of memory */
    NS_ERR_IO = 3,            /* a file could not be read or written */
    NS_ERR_INDEX_OPEN = 4,    /* no index at that path, or it cannot open */
    NS_ERR_INDEX_LOCKED = 5,  /* another writer holds the index lock */
    NS_ERR_INDEX_CORRUPT = 6, /* the index is damaged */
    NS_ERR_INDEX_MODIFIED = 7, /* changed under a reader; already retried */
    NS_ERR_INDEX_VERSION = 8, /* made by an incompatible nsearch version */
    NS_ERR_QUERY_SYNTAX = 9,  /* the query cannot be read */
    NS_ERR_QUERY_EMPTY = 10,  /* the query has no searchable word */
    NS_ERR_BACKEND = 11,      /* any other failure of the index backend */
    NS_ERR_ABORTED = 12,      /* a callback asked to stop */
    NS_ERR_FORMAT = 13,       /* input that is not a readable article */
    NS_ERR_NOT_FOUND = 14,    /* no such article, file or key */
    NS_ERR_DISK_FULL = 15,    /* no space left on the index's device */
    NS_ERR_SHARD_UNAVAILABLE = 16, /* a shard of the index does not answer */
    NS_STATUS_COUNT_
} ns_status;

/**
 * Static text for a status, e.g. "another writer holds the index lock";
 * never NULL ("unknown status" for a value this library does not know).
 * Ownership: static, never freed.
 * @since 0.1
 */
NS_API const char *ns_strerror(ns_status st) NS_NOEXCEPT;

/** The library's version, e.g. "0.1.0" (static).  @since 0.1 */
NS_API const char *ns_version_string(void) NS_NOEXCEPT;
/** NS_VERSION_NUMBER of the library actually linked.  @since 0.1 */
NS_API unsigned ns_version_number(void) NS_NOEXCEPT;

/**
 * Frees memory the library allocated for the caller (the errmsg of
 * ns_db_open*() and ns_shards_*()).  NULL is a no-op.  Do not pass it
 * memory from malloc(), nor give library memory to free().
 * @since 0.1
 */
NS_API void ns_free(void *p) NS_NOEXCEPT;

/* ------------------------------------------------------------------------ */
/* Articles                                                                  */

/**
 * One article, as given to ns_db_add_article() or produced by the corpus
 * readers.  Start from NS_ARTICLE_INIT: fields added in later versions are
 * appended (with a higher NS_ARTICLE_VERSION) and keep their defaults.
 *
 * Every field may be NULL (unknown), but an article needs a title or some
 * text.  text is text_len bytes and need not be NUL-terminated; the other
 * strings are.  All should be UTF-8: the library stores them as given
 * (invalid bytes are not repaired), and searches give them back so.
 *
 * Ownership: the strings stay the caller's and need only outlive the call;
 * the library copies what it keeps.
 *
 * - id: stable unique id; adding an article with an id already in the index
 *   replaces it.  NULL or "": the url, else "sha:" and a hash of the title
 *   and text, so that adding the same article twice keeps one copy.
 * - date: RFC 3339 on the publisher's clock, "YYYY-MM-DDThh:mm:ss+hh:mm"
 *   or "YYYY-MM-DDThh:mm:ssZ" (or a prefix: "YYYY-MM-DD", or "YYYY-MM"
 *   and "YYYY" when only the month or the year is known: such an article
 *   is filed at the start of its month or year); NULL when unknown.  Date ranges and sorting use its clock time as written, so an
 *   article is of the day its publisher gave it.  A date in another form
 *   is kept as given, but the article then falls outside every date
 *   range.  (ns_db_add_path normalizes what the readers find to this.)
 * @since 0.1
 */
typedef struct ns_article {
    unsigned version;     /* NS_ARTICLE_VERSION */
    const char *id;       /* stable unique id (ns_db_add_path: digits only
                           * are unique within their file) */
    const char *title;    /* headline */
    const char *date;     /* RFC 3339, the publisher's clock */
    const char *source;   /* publisher or feed name */
    const char *url;      /* canonical URL */
    const char *author;   /* byline */
    const char *language; /* BCP 47 code if stated, e.g. "en" */
    const char *text;     /* body text */
    size_t text_len;      /* bytes of text */
} ns_article;
#define NS_ARTICLE_VERSION 1
#define NS_ARTICLE_INIT    {NS_ARTICLE_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/* ------------------------------------------------------------------------ */
/* Opening an index                                                          */

typedef struct ns_db ns_db;

#define NS_OPEN_READ   0u /* read-only; never waits for a writer */
#define NS_OPEN_WRITE  1u /* take the writer lock */
#define NS_OPEN_CREATE 2u /* with NS_OPEN_WRITE: create if missing */
/* With NS_OPEN_WRITE: build a new, empty index beside the live one (which
 * searches keep using), made live by ns_db_publish(); see there. */
#define NS_OPEN_REBUILD 4u
/* A sharded index: go on without the shards that do not answer (see
 * "Shards" below). */
#define NS_OPEN_PARTIAL 8u
/* With NS_OPEN_WRITE, when the index is created or rebuilt, how it keeps
 * word positions, which phrase, NEAR and ADJ are matched on:
 * NS_OPEN_POSITION_MAPS (the default): a compact map of each article's
 * words (an index about 0.9 times its text; those queries check the maps
 * of the articles holding their words); NS_OPEN_POSITIONS: in Xapian's
 * position table (about 1.5 times the text; what a remote shard needs);
 * NS_OPEN_NO_POSITIONS: none (about 0.7 times the text, built fastest;
 * those queries then analyze again the stored text of every article
 * holding their words, which grows slow with the archive).  None of
 * them: a new index keeps maps, a rebuild keeps the live index's choice.
 * Asking an existing index, without NS_OPEN_REBUILD, for another choice
 * is NS_ERR_INVALID_ARG; so is more than one.  @since 0.1 */
#define NS_OPEN_POSITIONS     16u
#define NS_OPEN_NO_POSITIONS  32u
#define NS_OPEN_POSITION_MAPS 64u

/**
 * Open an index directory.
 *
 * @param path    index directory
 * @param flags   NS_OPEN_* bits; 0 opens read-only
 * @param out     receives the handle; NULL on failure
 * @param errmsg  optional; on failure a detail message, free with ns_free()
 *
 * Ownership: the caller owns *out and closes it with ns_db_close().
 * Returns: NS_OK; NS_ERR_INVALID_ARG (also an unknown flag, or CREATE,
 * REBUILD or a positions flag without NS_OPEN_WRITE); NS_ERR_INDEX_OPEN
 * (no index there);
 * NS_ERR_INDEX_LOCKED (NS_OPEN_WRITE and another writer holds the lock);
 * NS_ERR_INDEX_CORRUPT; NS_ERR_INDEX_VERSION; NS_ERR_IO; NS_ERR_NOMEM;
 * NS_ERR_BACKEND.
 * @since 0.1
 */
NS_API ns_status ns_db_open(const char *path,
                            unsigned flags,
                            ns_db **out,
                            char **errmsg) NS_NOEXCEPT;

/**
 * Options of ns_db_open_v2().  Initialize with NS_OPEN_OPTIONS_INIT; new
 * fields are appended and default to zero.
 */
typedef struct ns_open_options {
    unsigned version;    /* NS_OPEN_OPTIONS_VERSION */
    unsigned flags;      /* NS_OPEN_* bits; 0 opens read-only */
    /* With NS_OPEN_WRITE: how long to wait for another writer to finish,
     * in milliseconds; 0 fails at once, a negative value waits forever. */
    int lock_timeout_ms;
    /* Version 2: sharded indexes (see "Shards" below). */
    /* Open only this shard of the sharded index at path, by name.  A
     * writer with NS_OPEN_CREATE creates the shard if need be, and lists
     * it among the index's shards.  NULL: the whole index. */
    const char *shard;
    /* Remote shards: how long to wait for each answer, and for a
     * connection, in milliseconds; 0 means 10000, a negative value waits
     * forever. */
    int remote_timeout_ms;
    int connect_timeout_ms;
} ns_open_options;
#define NS_OPEN_OPTIONS_VERSION 2
#define NS_OPEN_OPTIONS_INIT    {NS_OPEN_OPTIONS_VERSION, 0, 0, 0, 0, 0}

/**
 * Open an index directory, as ns_db_open() does, with options.
 *
 * The writer lock: every writer holds the lock file `nsearch.lock` in the
 * index directory from open to close (an fcntl lock: the kernel releases it
 * when the process dies, so a killed writer never leaves the index locked).
 * The file names the holder (pid, host, start time), which the
 * NS_ERR_INDEX_LOCKED message and ns_db_stat() repeat.  Readers take no
 * lock and never wait for a writer.
 *
 * @param path    index directory
 * @param opts    the options; NULL means NS_OPEN_OPTIONS_INIT (read-only)
 * @param out     receives the handle; NULL on failure
 * @param errmsg  optional; on failure a detail message, free with ns_free()
 *
 * Ownership: the caller owns *out and closes it with ns_db_close().
 * Returns: as ns_db_open(); NS_ERR_INDEX_LOCKED once lock_timeout_ms has
 * passed with another writer holding the lock (*errmsg names it when the
 * lock file says who it is); NS_ERR_INVALID_ARG also for an unknown
 * options version, and for a writer of a sharded index without
 * opts->shard; NS_ERR_SHARD_UNAVAILABLE (a remote shard does not answer,
 * without NS_OPEN_PARTIAL).
 * @since 0.1
 */
NS_API ns_status ns_db_open_v2(const char *path,
                               const ns_open_options *opts,
                               ns_db **out,
                               char **errmsg) NS_NOEXCEPT;

/**
 * Close an index, committing pending changes of a writer first, and
 * release its lock; remote shards' connections close.  A failed commit is
 * lost; call ns_db_commit() first to see its status.  NULL is a no-op.
 * Ownership: db is freed; free its ns_results first.  Strings it lent
 * (ns_db_errmsg(), ns_db_stat_v2(), ns_db_shard_info()) go with it.
 * @since 0.1
 */
NS_API void ns_db_close(ns_db *db) NS_NOEXCEPT;

/**
 * The detail message of the last call on db that failed, "" when that call
 * succeeded (and for db NULL); lowercase, no trailing newline.  For a sharded index it names
 * the shard that failed.  Valid until the next call on db.
 * @since 0.1
 */
NS_API const char *ns_db_errmsg(const ns_db *db) NS_NOEXCEPT;

/* ------------------------------------------------------------------------ */
/* Indexing                                                                  */

/**
 * Add (or replace, by id) one article.  The change is visible to searches
 * after ns_db_commit().  The db must be open with NS_OPEN_WRITE (for a
 * sharded index: on one shard, ns_open_options.shard).
 * Ownership: article and its strings stay the caller's and need only
 * outlive the call.
 * @since 0.1
 *
 * Returns: NS_OK; NS_ERR_INVALID_ARG (not a writer, no text and no
 * title, or a version this library does not know: 0, or newer than its
 * NS_ARTICLE_VERSION); NS_ERR_NOMEM; NS_ERR_DISK_FULL; NS_ERR_IO;
 * NS_ERR_BACKEND.
 */
NS_API ns_status ns_db_add_article(ns_db *db,
                                   const ns_article *article) NS_NOEXCEPT;

/**
 * Delete the article with this id; visible to searches after
 * ns_db_commit().  The db must be open with NS_OPEN_WRITE.  id is the
 * caller's, read during the call only.  An id of 1 to 9 digits only is a
 * record number that each input file keeps apart (ns_db_add_path): every
 * article with that id goes, whatever file it came from.
 * @since 0.1
 * Returns: NS_OK; NS_ERR_NOT_FOUND (no article has that id);
 * NS_ERR_INVALID_ARG (db or id NULL, or not a writer); NS_ERR_BACKEND.
 */
NS_API ns_status ns_db_delete(ns_db *db, const char *id) NS_NOEXCEPT;

/**
 * Make every change so far durable and visible to new searches.
 * Returns: NS_OK; NS_ERR_INVALID_ARG (db NULL or not a writer);
 * NS_ERR_DISK_FULL; NS_ERR_IO; NS_ERR_BACKEND.
 * @since 0.1
 */
NS_API ns_status ns_db_commit(ns_db *db) NS_NOEXCEPT;

/**
 * Make the index built by a handle opened with NS_OPEN_REBUILD the live
 * one, atomically: flush and commit everything, sync it to disk, and point
 * the index's stub file (XAPIANDB, "auto gen-N") at it with rename(2).  A
 * search opened at any moment sees either the old index or the new one,
 * whole, never a part.  The handle then writes the live index.
 *
 * The index directory holds generations (gen-N/); the stub names the live
 * one.  A reader holds a shared lock on the generation it opened until it
 * closes; a writer deletes a generation that is not live as soon as no
 * reader holds it (at this switch, or at a later writer's open).  A handle
 * opened before the switch keeps reading its generation: open a new handle
 * to see the new one.  An index made as a single Xapian database (by an older
 * nsearch) becomes a stub directory at its first rebuild or compaction.
 *
 * Closing a NS_OPEN_REBUILD handle without publishing discards what it
 * built; a killed rebuild leaves a generation that the next writer deletes.
 *
 * Returns: NS_OK; NS_ERR_INVALID_ARG (not a handle opened with
 * NS_OPEN_REBUILD, or already published); NS_ERR_DISK_FULL and NS_ERR_IO
 * (the live index is unchanged); NS_ERR_NOMEM; NS_ERR_BACKEND.
 * @since 0.1
 */
NS_API ns_status ns_db_publish(ns_db *db) NS_NOEXCEPT;

/**
 * Compact the index (Xapian's full compaction: smaller, faster to search)
 * into a new generation and make it live the way ns_db_publish() does; a
 * NS_OPEN_REBUILD handle compacts the index it builds, still unpublished.
 * Needs the space of a second copy meanwhile.  db must be a writer.
 *
 * Returns: NS_OK; NS_ERR_INVALID_ARG (not a writer); NS_ERR_DISK_FULL and
 * NS_ERR_IO (the index is as it was); NS_ERR_NOMEM; NS_ERR_BACKEND.
 * @since 0.1
 */
NS_API ns_status ns_db_compact(ns_db *db) NS_NOEXCEPT;

/**
 * Exit with exit_code, after a message on standard error, where Xapian
 * fails in a way it cannot report: libxapian 1.4 throws from a
 * destructor when a write of value data fails (a full disk, a file size
 * limit), which terminates the process.  By default the process then
 * aborts (and prints only the exception's type); after this call it
 * prints "nsearch: fatal: " and Xapian's message, and exits.  Either way
 * the index on disk keeps its last commit (commits are atomic), and the
 * next run completes it.  For programs: it sets the process's C++
 * terminate handler.  The nsearch command passes 2.  @since 0.1
 */
NS_API void ns_set_fatal_exit(int exit_code) NS_NOEXCEPT;

/** What ns_db_add_path() reports about one problem input. */
typedef struct ns_reject {
    const char *file;   /* the file (or "archive:member") that failed */
    const char *where;  /* "line 12", "record 3", "offset 4096", or "" */
    const char *reason; /* lowercase, no trailing newline */
} ns_reject;

/* The slots of ns_index_stats.articles_by_format (version 3). */
#define NS_FORMAT_SLOTS 16

/**
 * Counters of ns_db_add_path(); the caller's struct, zeroed before use.
 * The fields after bytes_read are filled only when the options passed have
 * version 2 or more (older callers' structs end at bytes_read), and
 * articles_by_format only with version 3 or more (version 2's structs end
 * at bytes_done).
 */
typedef struct ns_index_stats {
    uint64_t files_seen;       /* files read or skipped */
    uint64_t files_unchanged;  /* skipped: unchanged since the last run */
    uint64_t articles_indexed; /* articles added or replaced */
    uint64_t articles_rejected; /* records that could not be read */
    uint64_t files_rejected;   /* files that could not be read at all */
    uint64_t bytes_read;       /* bytes of article text read */
    uint64_t articles_unchanged; /* met again, unchanged: not rewritten */
    uint64_t articles_deleted; /* removed: gone from a changed file, or
                                * of a pruned file */
    uint64_t files_pruned;     /* gone from disk; articles removed */
    uint64_t bytes_done;       /* bytes on disk of the files finished or
                                * skipped, for progress; in a progress
                                * call also of the file being read, as
                                * far as it is read (its compressed bytes
                                * when it is compressed) */
    /* Version 3: the articles read from inputs of each format (indexed,
     * or met again unchanged), slot i for the format ns_format_name(i)
     * names; a slot no format uses stays 0. */
    uint64_t articles_by_format[NS_FORMAT_SLOTS];
} ns_index_stats;

/**
 * The name of format slot i of ns_index_stats.articles_by_format: "jsonl"
 * (JSON lines), "json" (arrays and objects), "text", "markdown" (front
 * matter), "trec" (TREC SGML), "reuters" (Reuters-21578 SGML), "xmlfeed"
 * (RSS and Atom), "newsml" (NewsML and NITF), "warc", "html"; NULL for a
 * slot no format uses.  A format keeps its slot in later versions; new
 * formats take new slots.  Any thread, any time (the shared library loads
 * its readers module for it, as ns_db_add_path() does, and gives NULL for
 * every slot when that module cannot be loaded).
 * Ownership: static, never freed.
 * @since 0.1
 */
NS_API const char *ns_format_name(unsigned slot) NS_NOEXCEPT;

/**
 * Options of ns_db_add_path().  Initialize with NS_INDEX_OPTIONS_INIT; new
 * fields are appended and default to zero.
 */
typedef struct ns_index_options {
    unsigned version; /* NS_INDEX_OPTIONS_VERSION */
    /* Called for each rejected input; may be NULL.  Non-zero return stops
     * the run with NS_ERR_ABORTED. */
    int (*on_reject)(const ns_reject *r, void *payload);
    /* Called now and then with the counters so far; may be NULL. */
    int (*on_progress)(const ns_index_stats *st, void *payload);
    void *payload;
    unsigned flags; /* NS_INDEX_* bits (version 2) */
    /* Commit after this many articles written (version 2); 0: after 10,000
     * articles or 48 MB of text, whichever comes first.  A killed run
     * loses at most one batch, which the next run reads again. */
    unsigned commit_every;
    /* Glob patterns, NULL-terminated (version 4; NULL: none), of the files
     * and folders not to read under a directory path: a pattern without
     * "/" matches the name of a file or folder met in the walk
     * ("SOURCE.md", "*.txt", "drafts"); one with "/" matches its path
     * from path, "*" not crossing "/" ("raw/page-*.html").  Path itself,
     * and an archive's members, are always read (a file's record says
     * what it gave, whatever the patterns).  With NS_INDEX_PRUNE, the articles of recorded files
     * that are now excluded are deleted too. */
    const char *const *exclude;
} ns_index_options;
#define NS_INDEX_OPTIONS_VERSION 4 /* 3: stats with articles_by_format;
                                      4: exclude */
#define NS_INDEX_OPTIONS_INIT    {NS_INDEX_OPTIONS_VERSION, 0, 0, 0, 0, 0, 0}

/* After the walk, delete the articles (and the records) of the files at or
 * under path that were indexed before and no longer exist (or, with
 * opts->exclude, are now excluded). */
#define NS_INDEX_PRUNE 1u

/**
 * Read every article under path (a file, an archive, a compressed file or a
 * directory, walked recursively; formats are detected by content) and add
 * them.  Inputs that cannot be read are reported through on_reject and
 * counted; the others are still indexed.  Commits as it goes, and at the
 * end.
 *
 * Incremental: the index keeps a record of each input file read to its end
 * (its size, mtime and content hash).  A file whose size and mtime, or
 * size and content, match its record is not read again; a changed file is
 * read again: its articles that changed are replaced, the unchanged ones
 * are left alone, and those no longer in it are deleted.  An article met
 * twice (same id) is stored once; an id of 1 to 9 digits only is a record
 * number within its file (or archive member), so two files' record 1 are
 * two articles.  A run that changes nothing writes
 * nothing.  A killed run leaves the index as of its last commit, and the
 * next run completes it: a file is recorded only in the commit that holds
 * all its articles.
 *
 * The callbacks run on the calling thread, during the call.  The ns_reject
 * and the counters they are given, and their strings, are valid only until
 * the callback returns.
 *
 * @param db     a handle opened with NS_OPEN_WRITE
 * @param path   a file or directory (NUL-terminated, UTF-8 or as the file
 *               system has it)
 * @param opts   may be NULL: the defaults, no callback; with NS_INDEX_PRUNE
 *               in opts->flags, the files recorded under path that no
 *               longer exist lose their articles
 * @param stats  optional, the caller's; receives the counters, added to
 *               what it holds: only the fields of the struct of
 *               opts->version (version 1's when opts is NULL), so that a
 *               caller built against an older header gets no more
 *
 * Returns: NS_OK (possibly with rejects: see stats); NS_ERR_INVALID_ARG (db
 * or path NULL, opts->version 0 or newer than this library's
 * NS_INDEX_OPTIONS_VERSION, or db not a writer); NS_ERR_NOT_FOUND
 * (path does not exist; ns_db_errmsg() names it); NS_ERR_IO (also: the
 * shared library could not load its readers module, nsearch-readers.so;
 * ns_db_errmsg() names the paths tried and why);
 * NS_ERR_ABORTED (a callback returned non-zero); NS_ERR_DISK_FULL;
 * NS_ERR_NOMEM; NS_ERR_BACKEND.
 * @since 0.1
 */
NS_API ns_status ns_db_add_path(ns_db *db,
                                const char *path,
                                const ns_index_options *opts,
                                ns_index_stats *stats) NS_NOEXCEPT;

/* ------------------------------------------------------------------------ */
/* Searching                                                                 */

typedef enum ns_sort {
    NS_SORT_RELEVANCE = 0,
    NS_SORT_NEWEST = 1,
    NS_SORT_OLDEST = 2
} ns_sort;

/**
 * Options of ns_db_search().  Initialize with NS_SEARCH_OPTIONS_INIT; new
 * fields are appended and default to zero.
 */
typedef struct ns_search_options {
    unsigned version;     /* NS_SEARCH_OPTIONS_VERSION */
    unsigned limit;       /* results wanted; 0 means 10 */
    unsigned offset;      /* results to skip */
    ns_sort sort;         /* NS_SORT_RELEVANCE by default */
    const char *since;    /* date lower bound (inclusive), or NULL */
    const char *until;    /* date upper bound (inclusive), or NULL */
    int no_snippets;      /* non-zero: skip snippets (faster) */
    unsigned snippet_len; /* target snippet bytes; 0 means 240 */
    /* Version 2. */
    int plain;    /* non-zero: the query is plain words (no operator, field,
                     phrase or prefix), e.g. a test collection's topics */
    /* Version 3. */
    int feedback; /* non-zero: pseudo-relevance feedback: the best words
                     of the top results refine the ranking (test
                     collections' mean MAP +3%; a search then takes a few
                     milliseconds more); plain queries only add articles */
    int all;      /* non-zero: near-duplicates (the same story in several
                     outlets, or several updates of one) are results of
                     their own; by default each shows once
                     (ns_hit.duplicates) */
    int facets;   /* non-zero: count the matches by source and by month
                     (ns_results_facet()); every match is then checked */
    int recent;   /* non-zero: newer articles rank higher (a prior that
                     halves every 90 days back from the index's newest
                     article, worth up to 2.5 BM25 points) */
} ns_search_options;
#define NS_SEARCH_OPTIONS_VERSION 3
#define NS_SEARCH_OPTIONS_INIT                                              \
    {NS_SEARCH_OPTIONS_VERSION, 0, 0, NS_SORT_RELEVANCE, 0, 0, 0, 0, 0, 0,   \
     0, 0, 0}

/** A highlighted byte range [start, end) within a snippet. */
typedef struct ns_highlight {
    size_t start;
    size_t end;
} ns_highlight;

/**
 * One result.  Owned by its ns_results; valid until ns_results_free().
 * Fields are only appended in later versions.  Strings are never NULL
 * ("" when unknown).
 */
typedef struct ns_hit {
    unsigned rank; /* 1-based, counting the offset */
    double score;  /* BM25 score, whatever the sort order */
    const char *id;
    const char *title;
    const char *date; /* RFC 3339 (the publisher's clock) or "" */
    const char *source;
    const char *url;
    const char *author;
    const char *snippet; /* plain text, UTF-8; "" with no_snippets */
    size_t snippet_len;
    const ns_highlight *highlights; /* sorted, non-overlapping */
    size_t n_highlights;
    /* @since 0.1, appended: near-duplicates of this article left out of
     * the results (at least this many; 0 with opts->all). */
    unsigned duplicates;
} ns_hit;

typedef struct ns_results ns_results;

/**
 * Run a query in the nsearch query language:
 *
 *     syria russia          words; articles with more of them rank higher
 *     "air strike"          a phrase
 *     +word -word NOT word  required, excluded, excluded
 *     a AND b, a OR b, ( )  (AND binds tighter than OR, both tighter than
 *                           plain clauses; an AND clause is required)
 *     word*                 words starting with word (the 100 most
 *                           frequent index terms)
 *     a NEAR/n b, a ADJ/n b within n words, in any order / in this order
 *     title:x source:x author:x site:x url:x   fields (x a word, "phrase"
 *                           or (group)); source, author, site are filters
 *     date:2015 date:2015-09 date:2015-09-01..2015-10-15 date:..2016
 *
 * Words are analyzed as the articles were (inflections and accents
 * match).  A malformed query (an unbalanced quote or parenthesis, a stray
 * operator) is read the most reasonable way, and ns_results_note() says
 * how.  A query of filters or exclusions only matches every article that
 * passes them, newest first unless opts->sort says otherwise.  With
 * opts->plain the query is plain words, ORed.
 *
 * @param opts  may be NULL for the defaults
 * @param out   receives the results; NULL on failure
 *
 * A search never waits for a writer, and sees its latest commit (one that
 * lands during the search makes it run again on the new revision).  On a
 * sharded index it ranks every shard's articles as one index would, and
 * with NS_OPEN_PARTIAL ns_results_missing() names the shards left out.
 * Ownership: query and opts (and its strings) are the caller's, read
 * during the call only; the caller frees *out with ns_results_free(),
 * before closing db.
 * Returns: NS_OK (possibly with no result); NS_ERR_QUERY_EMPTY (no word to
 * search for); NS_ERR_INVALID_ARG (also a bad opts->since or opts->until,
 * an opts->sort that is no ns_sort, or opts->version 0 or newer than this
 * library's NS_SEARCH_OPTIONS_VERSION);
 * NS_ERR_NOMEM; NS_ERR_INDEX_CORRUPT; NS_ERR_SHARD_UNAVAILABLE (a sharded
 * index: a shard did not answer, and db was not opened with
 * NS_OPEN_PARTIAL, or none did); NS_ERR_BACKEND.  Details in
 * ns_db_errmsg().
 * @since 0.1
 */
NS_API ns_status ns_db_search(ns_db *db,
                              const char *query,
                              const ns_search_options *opts,
                              ns_results **out) NS_NOEXCEPT;

/** Number of results held (at most the limit); 0 for r NULL.  @since 0.1 */
NS_API size_t ns_results_count(const ns_results *r) NS_NOEXCEPT;

/**
 * Number of matching articles in the index (each group of near-duplicates
 * once, unless opts->all): exact with opts->facets (every match is checked
 * then), else Xapian's estimate; 0 for r NULL.
 * @since 0.1
 */
NS_API uint64_t ns_results_total(const ns_results *r) NS_NOEXCEPT;

/**
 * Result i (0-based), or NULL if i is out of range or r is NULL.  Valid
 * until ns_results_free().
 * @since 0.1
 *
 *     for (size_t i = 0; i < ns_results_count(r); i++) {
 *         const ns_hit *h = ns_results_get(r, i);
 *         printf("%u %s\n", h->rank, h->title);
 *     }
 */
NS_API const ns_hit *ns_results_get(const ns_results *r,
                                    size_t i) NS_NOEXCEPT;

/**
 * How a malformed query was read ("unbalanced quote: read as closed at the
 * end of the query"), or "" when it was read as written.  Never NULL (""
 * for r NULL).  Valid until ns_results_free().
 * @since 0.1
 */
NS_API const char *ns_results_note(const ns_results *r) NS_NOEXCEPT;

/**
 * "Did you mean": the query with each word that the index holds rarely
 * (or not at all) replaced by a much more frequent word of the index's
 * titles within two edits, in the case it was typed ("Latakai airbase" ->
 * "Latakia airbase"); "" when no word needs it, for opts->plain, and for
 * r NULL.  Never NULL.  Valid until ns_results_free().
 * @since 0.1
 */
NS_API const char *ns_results_suggestion(const ns_results *r) NS_NOEXCEPT;

/** The facets ns_db_search() counts with opts->facets. */
typedef enum ns_facet {
    NS_FACET_SOURCE = 0, /* the article's source, as indexed */
    NS_FACET_MONTH = 1   /* "YYYY-MM" of its date (articles with one) */
} ns_facet;

/** One value of a facet and the number of matching articles with it. */
typedef struct ns_facet_count {
    const char *value;
    uint64_t count;
} ns_facet_count;

/**
 * Number of values counted for facet f: 0 unless the search had
 * opts->facets (and for an unknown f, or r NULL).  The counts cover every
 * match (near-duplicates included), not only the results returned.
 * @since 0.1
 */
NS_API size_t ns_results_facet_count(const ns_results *r,
                                     ns_facet f) NS_NOEXCEPT;

/**
 * Value i (0-based) of facet f, or NULL if out of range (or r NULL):
 * sources by count, most first (then by name); months oldest first.  The
 * struct and its value are valid until ns_results_free().
 *
 *     for (size_t i = 0; i < ns_results_facet_count(r, NS_FACET_MONTH);
 *          i++) {
 *         const ns_facet_count *c = ns_results_facet(r, NS_FACET_MONTH, i);
 *         printf("%s %llu\n", c->value, (unsigned long long)c->count);
 *     }
 * @since 0.1
 */
NS_API const ns_facet_count *ns_results_facet(const ns_results *r,
                                              ns_facet f,
                                              size_t i) NS_NOEXCEPT;

/**
 * The name of the i-th shard (0-based) that this search left out because it
 * did not answer (a handle opened with NS_OPEN_PARTIAL), or NULL past the
 * last one.  Never anything but NULL for an index that is not sharded.
 * Valid until ns_results_free().
 *
 *     for (size_t i = 0; ns_results_missing(r, i); i++)
 *         fprintf(stderr, "missing: %s\n", ns_results_missing(r, i));
 * @since 0.1
 */
NS_API const char *ns_results_missing(const ns_results *r,
                                      size_t i) NS_NOEXCEPT;

/**
 * Free results, and every hit, string and highlight they lent.  NULL is a
 * no-op.
 * @since 0.1
 */
NS_API void ns_results_free(ns_results *r) NS_NOEXCEPT;

/* ------------------------------------------------------------------------ */
/* Status                                                                    */

/**
 * What ns_db_stat_v2() reports.  The library fills it, and it grows at its
 * end, so the caller says which version of it it has (the
 * NS_DB_INFO_VERSION of the header it was built with) and the library
 * writes no field past that version's last: a program built against an
 * older header gets what it asked for, never more than it allocated.
 *
 * Version 1 (what ns_db_stat() fills): articles, size_bytes, analyzer,
 * updated.  Version 2: writer, sources, files, location, other_bytes.
 */
typedef struct ns_db_info {
    uint64_t articles;     /* articles in the index */
    uint64_t size_bytes;   /* bytes on disk */
    const char *analyzer;  /* analyzer spec, e.g. "en;v1" */
    const char *updated;   /* UTC ISO 8601 of the last commit, or "" */
    /* Version 2. */
    /* The writer holding the index lock, e.g. "pid 4242 on host1 since
     * 2026-05-01T03:00:00Z", "a writer" when it did not say, or "" when
     * no writer is at work. */
    const char *writer;
    uint64_t sources;      /* distinct sources (publishers) */
    uint64_t files;        /* input files recorded for incremental updates */
    /* The database directory the handle uses: the index directory, or the
     * generation in it that was live when the handle opened. */
    const char *location;
    /* Bytes on disk of older generations kept for the readers that still
     * use them, and of other leftovers; not counted in size_bytes. */
    uint64_t other_bytes;
    /* Version 3: how the index keeps word positions, which phrase, NEAR
     * and ADJ are matched on: 1 in Xapian's position table, 2 in position
     * maps, 0 none (they are checked on the stored text); see
     * NS_OPEN_POSITION_MAPS. */
    int positions;
} ns_db_info;
#define NS_DB_INFO_VERSION 3

/**
 * Fill the fields of version 1 of info (articles, size_bytes, analyzer,
 * updated) for db, and nothing past them: the struct as the first header
 * declared it.  New programs call ns_db_stat_v2(), which fills the rest.
 * Strings in info are valid until the next call on db.
 * Returns: NS_OK; NS_ERR_INVALID_ARG (db or info NULL); NS_ERR_NOMEM;
 * NS_ERR_SHARD_UNAVAILABLE (a sharded index whose remote shard does not
 * answer); NS_ERR_BACKEND.
 * @since 0.1
 */
NS_API ns_status ns_db_stat(ns_db *db, ns_db_info *info) NS_NOEXCEPT;

/**
 * Fill info for db, up to the fields of the given version of ns_db_info:
 *
 *     ns_db_info info;
 *     if (ns_db_stat_v2(db, NS_DB_INFO_VERSION, &info) == NS_OK)
 *         printf("%llu articles\n", (unsigned long long)info.articles);
 *
 * Fields past that version are not written.  A reader describes the
 * latest commit, as its next search would see it.  For a sharded index the
 * figures cover every shard that answers (the sizes: the local shards
 * only; updated: the latest shard's commit).
 * Counting the files reads every file record: for status, not for loops.
 *
 * @param db       an open handle, reader or writer
 * @param version  NS_DB_INFO_VERSION (or an older version's number)
 * @param info     the caller's struct, of that version
 *
 * Ownership: strings in info are borrowed from db, valid until the next
 * call on db.
 * Returns: NS_OK; NS_ERR_INVALID_ARG (db or info NULL, or a version this
 * library does not know: 0, or newer than its NS_DB_INFO_VERSION;
 * ns_db_errmsg() says which); NS_ERR_NOMEM; NS_ERR_SHARD_UNAVAILABLE;
 * NS_ERR_BACKEND.
 * @since 0.1
 */
NS_API ns_status ns_db_stat_v2(ns_db *db,
                               unsigned version,
                               ns_db_info *info) NS_NOEXCEPT;

/* ------------------------------------------------------------------------ */
/* Shards                                                                    */

/*
 * An index may be a set of shards: a directory whose stub file (XAPIANDB,
 * in Xapian's stub format) lists other indexes instead of naming a
 * generation of its own:
 *
 *     auto shards/2015        a local shard: the index in shards/2015
 *     remote 10.0.0.7:7000    a remote shard, served by Xapian's
 *                             xapian-tcpsrv (or `nsearch serve`) there
 *
 * Each local shard is a whole index, with its own generations and writer
 * lock, so that several writers can fill several shards at once
 * (ns_open_options.shard).  Opened read-only, a sharded index searches
 * every shard as one: Xapian combines their statistics, so the ranking
 * and the scores are those of one index holding all their articles.
 * Snippets of remote results come from the stored text fetched over
 * Xapian's remote protocol.  Every shard must have been made with the same
 * analyzer; an article should be in one shard only (one in two is found
 * twice).
 *
 * A remote shard that does not answer (its server down, or silent for
 * remote_timeout_ms) makes ns_db_open_v2() and ns_db_search() fail with
 * NS_ERR_SHARD_UNAVAILABLE, and the message names it.  With
 * NS_OPEN_PARTIAL they go on with the other shards and ns_results_missing()
 * names those a search left out; each search tries them again.
 *
 * The list changes atomically, under the index's writer lock: a new stub
 * is renamed over the old one, and a search sees either list, whole.  A
 * handle keeps the shards it opened; open it again to see a new list.
 */

/**
 * What ns_db_shard_info() reports about one shard.  The library fills it
 * whole; fields added later will come with a call that takes the
 * caller's version, as ns_db_stat_v2() does.
 * @since 0.1
 */
typedef struct ns_shard_info {
    const char *name;     /* "2015" (the index in shards/2015), or
                           * "host:port" for a remote shard */
    const char *location; /* the shard's directory, or "host:port" */
    int remote;           /* non-zero: a remote shard */
    int available;        /* non-zero: it answered when last asked */
    const char *error;    /* why it is not available, or "" */
    uint64_t articles;    /* its articles (0 when not available) */
} ns_shard_info;

/**
 * The number of shards of db, as listed when it opened (those that did
 * not answer included): 0 for an index that is not sharded, for a handle
 * opened on one shard, and for db NULL.
 * @since 0.1
 */
NS_API size_t ns_db_shard_count(const ns_db *db) NS_NOEXCEPT;

/**
 * Describe shard i (0-based, in the order of the list) of db, asking a
 * remote shard for its number of articles (a shard that does not answer
 * is described, not an error: available 0 and error set).
 *
 *     for (size_t i = 0; i < ns_db_shard_count(db); i++) {
 *         ns_shard_info s;
 *         if (ns_db_shard_info(db, i, &s) == NS_OK)
 *             printf("%s %s\n", s.name, s.available ? "up" : s.error);
 *     }
 *
 * Ownership: strings in info are borrowed from db, valid until the next
 * call on db.
 * Returns: NS_OK; NS_ERR_INVALID_ARG (db or info NULL, or i out of range);
 * NS_ERR_NOMEM.
 * @since 0.1
 */
NS_API ns_status ns_db_shard_info(ns_db *db,
                                  size_t i,
                                  ns_shard_info *info) NS_NOEXCEPT;

/**
 * List a shard in the sharded index at path (a new, empty directory is
 * made one): a name, for the index in path/shards/NAME, which must exist
 * (see ns_open_options.shard to create one), or "host:port", a remote
 * shard, which must answer.  Either must have the analyzer of the shards
 * listed already.  Listing a shard listed already changes nothing.
 *
 * @param path    the sharded index's directory
 * @param shard   a name (letters, digits, '.', '_', '-'; not starting with
 *                '.' or '-'), or "host:port"
 * @param opts    lock_timeout_ms and the remote timeouts; NULL means
 *                NS_OPEN_OPTIONS_INIT (the flags are not used)
 * @param errmsg  optional; on failure a detail message, free with ns_free()
 *                (set to NULL on success)
 *
 * Takes the index's writer lock for the change (waiting as
 * opts->lock_timeout_ms says); searches opened meanwhile see the old list
 * or the new one, whole.
 * Returns: NS_OK; NS_ERR_INVALID_ARG (a bad name, or path is an index that
 * is not sharded); NS_ERR_INDEX_OPEN (no index at path/shards/NAME, or a
 * different analyzer); NS_ERR_SHARD_UNAVAILABLE (the remote shard does not
 * answer); NS_ERR_INDEX_LOCKED; NS_ERR_IO; NS_ERR_NOMEM.
 * @since 0.1
 */
NS_API ns_status ns_shards_add(const char *path,
                               const char *shard,
                               const ns_open_options *opts,
                               char **errmsg) NS_NOEXCEPT;

/**
 * Take a shard out of the list of the sharded index at path, by name (or
 * "host:port"), atomically, under the index's writer lock.  Its data stays
 * where it is (ns_shards_add() lists it again).  Handles open already keep
 * searching it until they close.
 * @param opts    lock_timeout_ms; NULL means NS_OPEN_OPTIONS_INIT
 * @param errmsg  optional; on failure a detail message, free with ns_free()
 * Returns: NS_OK; NS_ERR_NOT_FOUND (no such shard listed);
 * NS_ERR_INVALID_ARG (path is not a sharded index); NS_ERR_INDEX_LOCKED;
 * NS_ERR_IO; NS_ERR_NOMEM.
 * @since 0.1
 */
NS_API ns_status ns_shards_retire(const char *path,
                                  const char *shard,
                                  const ns_open_options *opts,
                                  char **errmsg) NS_NOEXCEPT;

/**
 * Merge the shards of the sharded index at path into one index, in place:
 * Xapian's compaction of every shard into a new generation of path, made
 * live atomically (the stub then names it instead of the shards).  Holds
 * the writer lock of the index and of every shard meanwhile, and needs
 * the space of a second copy.  The shards' directories are then deleted,
 * but for the generations a reader still holds: those go when
 * ns_shards_merge() is called again (on what is then a single index, it
 * does nothing else).  Every shard must be local.
 * @param opts    lock_timeout_ms; NULL means NS_OPEN_OPTIONS_INIT
 * @param errmsg  optional; on failure a detail message, free with ns_free()
 * Returns: NS_OK; NS_ERR_INVALID_ARG (not a sharded index, no shard, or a
 * remote one); NS_ERR_INDEX_LOCKED; NS_ERR_INDEX_OPEN; NS_ERR_DISK_FULL and
 * NS_ERR_IO (the index is as it was); NS_ERR_NOMEM; NS_ERR_BACKEND.
 * @since 0.1
 */
NS_API ns_status ns_shards_merge(const char *path,
                                 const ns_open_options *opts,
                                 char **errmsg) NS_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif /* NSEARCH_H */
