/*
 * util.h: the C helpers every module uses: hookable allocation (so tests can
 * fail the Nth allocation, as SQLite's faultsim does) and a growable byte
 * buffer with a sticky error.  Nothing here knows about Xapian or articles.
 */
#ifndef NS_UTIL_H
#define NS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "nsearch.h"

#ifdef __cplusplus
extern "C" {
#endif

void *ns__malloc(size_t n) NS_NOEXCEPT;
void *ns__calloc(size_t count, size_t n) NS_NOEXCEPT;
void *ns__realloc(void *p, size_t n) NS_NOEXCEPT;
char *ns__strdup(const char *s) NS_NOEXCEPT;
char *ns__strndup(const char *s, size_t n) NS_NOEXCEPT;
/** printf into a new string (ns_free it); NULL when out of memory. */
char *ns__sprintf(const char *fmt, ...) NS_NOEXCEPT
    __attribute__((format(printf, 1, 2)));

/**
 * Fault injection for tests: after `countdown` more successful allocations,
 * every allocation fails (0 disables).  Returns how many allocations were
 * made since the last call, so a loop can tell when it went past the end.
 */
uint64_t ns__alloc_fail_after(uint64_t countdown) NS_NOEXCEPT;

/** A growable byte buffer.  Zero-initialize; free with ns__buf_free. */
typedef struct ns_buf {
    char *data;   /* NUL-terminated when len > 0 or after ns__buf_cstr */
    size_t len;   /* bytes used */
    size_t cap;   /* bytes allocated */
    int oom;      /* sticky: an append failed, the contents are short */
} ns_buf;

void ns__buf_free(ns_buf *b) NS_NOEXCEPT;
void ns__buf_reset(ns_buf *b) NS_NOEXCEPT;
int ns__buf_reserve(ns_buf *b, size_t extra) NS_NOEXCEPT;
void ns__buf_append(ns_buf *b, const void *p, size_t n) NS_NOEXCEPT;
void ns__buf_puts(ns_buf *b, const char *s) NS_NOEXCEPT;
void ns__buf_putc(ns_buf *b, char c) NS_NOEXCEPT;
/** Code point cp as UTF-8; a surrogate or a value past U+10FFFF as U+FFFD. */
void ns__buf_put_utf8(ns_buf *b, uint32_t cp) NS_NOEXCEPT;
void ns__buf_printf(ns_buf *b, const char *fmt, ...) NS_NOEXCEPT
    __attribute__((format(printf, 2, 3)));
void ns__buf_vprintf(ns_buf *b, const char *fmt, va_list ap) NS_NOEXCEPT;
/** The contents as a C string ("" when empty); never NULL. */
const char *ns__buf_cstr(ns_buf *b) NS_NOEXCEPT;
/** Hand the data to the caller (ns_free it) and reset b.  NULL on oom. */
char *ns__buf_detach(ns_buf *b) NS_NOEXCEPT;

/** Room in *arr, an array of *cap elements of size bytes, for element n:
 * it doubles (from 8) until n < *cap.  0; -1 when out of memory (*arr and
 * *cap as they were). */
int ns__grow(void **arr, size_t *cap, size_t n, size_t size) NS_NOEXCEPT;

/** A fast 64-bit hash of p[0, n), continuing from seed (not
 * cryptographic: it detects change, it does not resist attack).  Its
 * values are in indexes (schema.h): never change it. */
uint64_t ns__hash64(const void *p, size_t n, uint64_t seed) NS_NOEXCEPT;
#define NS_HASH_SEED 0x9e3779b97f4a7c15ULL

/* Little-endian varint encoding, for compact stored records. */
void ns__buf_put_varint(ns_buf *b, uint64_t v) NS_NOEXCEPT;
/** Read a varint at *p (< end); advances *p.  Returns 0 on truncation. */
int ns__get_varint(const unsigned char **p,
                   const unsigned char *end,
                   uint64_t *out) NS_NOEXCEPT;

/**
 * Whether rel, a path relative to a walked directory (no leading "/"), is
 * excluded by one of the NULL-terminated glob
 * patterns (fnmatch(3); exclude may be NULL): a pattern without "/"
 * matches the name of any part of rel ("SOURCE.md", "*.txt", or "drafts"
 * for everything under a folder of that name); one with "/" matches
 * leading parts of rel as a whole, "*" not crossing "/"
 * ("raw/page-*.html", "2019/drafts").  A pattern's leading and trailing "/"
 * are ignored.
 * 1 excluded, 0 not, -1 out of memory.
 */
int ns__path_excluded(const char *const *exclude,
                      const char *rel) NS_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif /* NS_UTIL_H */
