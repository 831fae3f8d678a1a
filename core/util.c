/*
 * util.c: allocation through one hookable path, and ns_buf.  Every module
 * allocates with ns__malloc so that the out-of-memory tests can fail the Nth
 * allocation of a whole operation.
 */
#include "core/util.h"

#include <fnmatch.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic uint64_t alloc_countdown; /* 0: never fail */
static _Atomic uint64_t alloc_count;

static int
alloc_should_fail(void)
{
    atomic_fetch_add(&alloc_count, 1);
    uint64_t c = atomic_load(&alloc_countdown);
    if (c == 0)
        return 0;
    if (c == 1)
        return 1; /* stays at 1: every later allocation fails too */
    atomic_fetch_sub(&alloc_countdown, 1);
    return 0;
}

uint64_t
ns__alloc_fail_after(uint64_t countdown) NS_NOEXCEPT
{
    atomic_store(&alloc_countdown, countdown ? countdown + 1 : 0);
    return atomic_exchange(&alloc_count, 0);
}

void *
ns__malloc(size_t n) NS_NOEXCEPT
{
    return alloc_should_fail() ? NULL : malloc(n ? n : 1);
}

void *
ns__calloc(size_t count, size_t n) NS_NOEXCEPT
{
    return alloc_should_fail() ? NULL : calloc(count ? count : 1, n ? n : 1);
}

void *
ns__realloc(void *p, size_t n) NS_NOEXCEPT
{
    return alloc_should_fail() ? NULL : realloc(p, n ? n : 1);
}

void
ns_free(void *p) NS_NOEXCEPT
{
    free(p);
}

char *
ns__strndup(const char *s, size_t n) NS_NOEXCEPT
{
    char *d = ns__malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *
ns__strdup(const char *s) NS_NOEXCEPT
{
    return s ? ns__strndup(s, strlen(s)) : NULL;
}

char *
ns__sprintf(const char *fmt, ...) NS_NOEXCEPT
{
    ns_buf b = { 0 };
    va_list ap;
    va_start(ap, fmt);
    ns__buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (b.len == 0 && !b.oom)
        ns__buf_reserve(&b, 1);
    return ns__buf_detach(&b);
}

void
ns__buf_free(ns_buf *b) NS_NOEXCEPT
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

void
ns__buf_reset(ns_buf *b) NS_NOEXCEPT
{
    b->len = 0;
    b->oom = 0;
    if (b->data)
        b->data[0] = '\0';
}

int
ns__buf_reserve(ns_buf *b, size_t extra) NS_NOEXCEPT
{
    if (b->oom)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->oom = 1;
            return -1;
        }
        cap *= 2;
    }
    char *d = ns__realloc(b->data, cap);
    if (!d) {
        b->oom = 1;
        return -1;
    }
    b->data = d;
    b->cap = cap;
    b->data[b->len] = '\0';
    return 0;
}

void
ns__buf_append(ns_buf *b, const void *p, size_t n) NS_NOEXCEPT
{
    if (ns__buf_reserve(b, n) != 0)
        return;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void
ns__buf_puts(ns_buf *b, const char *s) NS_NOEXCEPT
{
    ns__buf_append(b, s, strlen(s));
}

void
ns__buf_putc(ns_buf *b, char c) NS_NOEXCEPT
{
    ns__buf_append(b, &c, 1);
}

void
ns__buf_put_utf8(ns_buf *b, uint32_t cp) NS_NOEXCEPT
{
    char u[4];
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        cp = 0xFFFD;
    if (cp < 0x80) {
        ns__buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        ns__buf_append(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        ns__buf_append(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        ns__buf_append(b, u, 4);
    }
}

void
ns__buf_vprintf(ns_buf *b, const char *fmt, va_list ap) NS_NOEXCEPT
{
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        ns__buf_append(b, small, (size_t)n);
        return;
    }
    if (ns__buf_reserve(b, (size_t)n) != 0)
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void
ns__buf_printf(ns_buf *b, const char *fmt, ...) NS_NOEXCEPT
{
    va_list ap;
    va_start(ap, fmt);
    ns__buf_vprintf(b, fmt, ap);
    va_end(ap);
}

const char *
ns__buf_cstr(ns_buf *b) NS_NOEXCEPT
{
    return b->data && !b->oom ? b->data : "";
}

char *
ns__buf_detach(ns_buf *b) NS_NOEXCEPT
{
    char *d = b->oom ? NULL : b->data;
    if (b->oom)
        free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
    return d;
}

void
ns__buf_put_varint(ns_buf *b, uint64_t v) NS_NOEXCEPT
{
    unsigned char tmp[10];
    size_t n = 0;
    do {
        unsigned char c = v & 0x7f;
        v >>= 7;
        tmp[n++] = c | (v ? 0x80 : 0);
    } while (v);
    ns__buf_append(b, tmp, n);
}

int
ns__get_varint(const unsigned char **p,
               const unsigned char *end,
               uint64_t *out) NS_NOEXCEPT
{
    uint64_t v = 0;
    unsigned shift = 0;
    const unsigned char *q = *p;
    while (q < end && shift < 64) {
        unsigned char c = *q++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *p = q;
            *out = v;
            return 1;
        }
        shift += 7;
    }
    return 0;
}

/* One pattern, trimmed of leading and trailing "/", against rel whose
 * parts are NUL-separated in buf (len bytes, slashes at the marks). */
static int
pattern_excludes(const char *pat, char *buf, size_t len)
{
    while (*pat == '/')
        pat++;
    size_t plen = strlen(pat);
    while (plen > 0 && pat[plen - 1] == '/')
        plen--;
    if (plen == 0)
        return 0;
    char *p = ns__strndup(pat, plen);
    if (!p)
        return -1;
    int slash = memchr(p, '/', plen) != NULL;
    int hit = 0;
    /* Each part ends at a '/' of rel or at its end: the part's name, or
     * everything up to it, is matched with the NUL put there. */
    size_t start = 0;
    for (size_t i = 0; i <= len && !hit; i++) {
        if (i < len && buf[i] != '/')
            continue;
        char save = buf[i];
        buf[i] = '\0';
        if (slash)
            hit = fnmatch(p, buf, FNM_PATHNAME) == 0;
        else
            hit = fnmatch(p, buf + start, 0) == 0;
        buf[i] = save;
        start = i + 1;
    }
    ns_free(p);
    return hit;
}

int
ns__path_excluded(const char *const *exclude, const char *rel)
{
    if (!exclude || !*exclude || !rel || !*rel)
        return 0;
    size_t len = strlen(rel);
    char *buf = ns__strndup(rel, len);
    if (!buf)
        return -1;
    int r = 0;
    for (size_t i = 0; exclude[i] && r == 0; i++)
        r = pattern_excludes(exclude[i], buf, len);
    ns_free(buf);
    return r;
}

int
ns__grow(void **arr, size_t *cap, size_t n, size_t size) NS_NOEXCEPT
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap : 8;
    while (c <= n) {
        if (c > SIZE_MAX / 2 / size)
            return -1;
        c *= 2;
    }
    void *a = ns__realloc(*arr, c * size);
    if (!a)
        return -1;
    *arr = a;
    *cap = c;
    return 0;
}

/* ---- hashing ------------------------------------------------------------ */

static uint64_t
read64le(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t
mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

uint64_t
ns__hash64(const void *p, size_t n, uint64_t seed) NS_NOEXCEPT
{
    const unsigned char *s = p;
    /* Two independent lanes keep the multiplier busy; the result depends
     * on the bytes' values, not on the machine's byte order. */
    uint64_t a = seed ^ 0x243f6a8885a308d3ULL;
    uint64_t b = seed ^ ((uint64_t)n * 0x9e3779b97f4a7c15ULL);
    while (n >= 16) {
        a = (a ^ read64le(s)) * 0x9fb21c651e98df25ULL;
        b = (b ^ read64le(s + 8)) * 0x9fb21c651e98df25ULL;
        a = (a << 29) | (a >> 35);
        b = (b << 31) | (b >> 33);
        s += 16;
        n -= 16;
    }
    unsigned char tail[16] = { 0 };
    memcpy(tail, s, n);
    tail[15] ^= (unsigned char)(n + 1);
    a = (a ^ read64le(tail)) * 0x9fb21c651e98df25ULL;
    b = (b ^ read64le(tail + 8)) * 0x9fb21c651e98df25ULL;
    return mix64(a ^ mix64(b));
}
