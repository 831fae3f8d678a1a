/*
 * corpus.h: reading news archives.  ns__corpus_walk() takes a path (a file,
 * a compressed file, an archive or a directory), finds every input in it,
 * detects each one's format by content, and hands the articles it reads to a
 * sink.  Bad input is reported to the sink, never fatal: the walk goes on.
 *
 * The corpus layer knows nothing of the index: it uses only core/util.h.
 * One file per format (jsonl.c, text.c, trec.c, ...) registers an
 * ns__format in reader.c's table.
 */
#ifndef NS_CORPUS_H
#define NS_CORPUS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nsearch.h"

/** What the walk knows about one top-level file (the unit of change). */
typedef struct ns__file_info {
    const char *path;  /* absolute, e.g. "/data/archive/2015/a.json.gz" */
    uint64_t size;     /* bytes on disk */
    int64_t mtime_ns;  /* modification time, ns since the epoch */
    /* While the file is read, the descriptor it is read from, else -1:
     * its offset (lseek(fd, 0, SEEK_CUR)) is how far the reading is, in
     * bytes on disk, compressed or not (progress of a single big file). */
    int fd;
} ns__file_info;

/** Where in a file an article or a problem is. */
typedef struct ns__where {
    const char *file;   /* path, or "path:member" inside an archive (and
                         * "path:member:inner" in a nested one); member
                         * names are labels only, never opened */
    const char *format; /* the format's name, e.g. "jsonl"; "" unknown */
    uint64_t record;    /* 1-based record (line for jsonl); 0 unknown */
    uint64_t offset;    /* byte offset of the record in the member */
} ns__where;

/* file_begin's answers. */
#define NS_CORPUS_READ 0
#define NS_CORPUS_SKIP 1  /* do not read this file (unchanged) */
#define NS_CORPUS_STOP -1 /* stop the walk: NS_ERR_ABORTED */

/**
 * The consumer of a walk.  Every callback may be NULL.  The strings and
 * articles passed are valid only during the call.
 */
typedef struct ns__corpus_sink {
    /* Before a top-level file is read.  Returns NS_CORPUS_*. */
    int (*file_begin)(const ns__file_info *fi, void *payload);
    /* One article.  Non-zero stops the walk (NS_ERR_ABORTED). */
    int (*article)(const ns_article *a, const ns__where *w, void *payload);
    /* One rejected input: a record, a member or a whole file.  `reason` is
     * lowercase, one line.  Non-zero stops the walk. */
    int (*reject)(const ns__where *w, const char *reason, void *payload);
    /* After a file was read; `complete` is 1 when all of it was examined
     * (even if some or all of it was rejected), 0 when reading stopped
     * early: truncated or corrupt data, an unreadable file, a callback
     * that stopped the walk (the articles before were delivered). */
    void (*file_end)(const ns__file_info *fi, int complete, void *payload);
    void *payload;
    /* Glob patterns (NULL-terminated; NULL: none) of the files and folders
     * not to read under a walked directory: see ns__path_excluded
     * (core/util.h). */
    const char *const *exclude;
} ns__corpus_sink;

/**
 * Walk path (made absolute first, lexically, so that the paths reported
 * and the ids made from them do not depend on the working directory): a
 * regular file (compressed and archive files are opened
 * through libarchive), or a directory (recursively, in sorted order,
 * following no symlink loop; hidden files and folders are skipped).
 * Returns NS_OK when the walk finished, even if inputs were rejected;
 * NS_ERR_NOT_FOUND when path does not exist (also reported to reject);
 * NS_ERR_ABORTED when a callback stopped it; NS_ERR_NOMEM.
 */
ns_status ns__corpus_walk(const char *path, const ns__corpus_sink *sink);

/**
 * The same, never reading the directory skip (NULL: none), the index's
 * own, which may lie under path: met inside the walk it is passed over
 * without a word; given as path itself, it is rejected.
 */
ns_status ns__corpus_walk_skip(const char *path,
                               const ns__corpus_sink *sink,
                               const char *skip);

/**
 * The absolute form of path that ns__corpus_walk() walks and reports (for
 * callers that match recorded paths against a walked root).  ns_free it;
 * NULL when out of memory or the working directory is unknown.
 */
char *ns__corpus_absolute_path(const char *path);

/**
 * Read one in-memory input (already decompressed) named name, detecting
 * its format; for tests and fuzzers.  Same returns as ns__corpus_walk.
 */
ns_status ns__corpus_read_buffer(const char *name,
                                 const char *data,
                                 size_t len,
                                 const ns__corpus_sink *sink);

/**
 * The slot of the format named name (an ns__where's format) in
 * ns_index_stats.articles_by_format (ns_format_name() is its inverse), or
 * -1 for an unknown name.
 */
int ns__format_slot(const char *name);

#endif /* NS_CORPUS_H */
