/*
 * unpack.c: streaming gzip (ISA-L's igzip), xz (liblzma), bzip2 (libbz2)
 * and zstd (libzstd) decoding that hands on every decoded byte before it
 * reports a cut or corrupt data.  See unpack.h for why libarchive's own
 * filters are not used for these four.
 *
 * gzip is ISA-L's isal_inflate rather than zlib's inflate: the same
 * streaming interface (raw deflate, then the trailer's CRC-32 and length
 * checked; the member headers are read here), at about 2.5 times zlib's
 * speed on the per-record members of a WARC, where inflating was the
 * reader's largest cost.
 */
#include "corpus/unpack.h"

#include <bzlib.h>
#include <errno.h>
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getFrameHeader */
#include <zstd.h>

#define IN_SIZE  ((size_t)64 << 10)
#define OUT_SIZE ((size_t)64 << 10)

enum { IN_STREAM, BETWEEN, DONE, FAILED };

struct ns__unpack {
    int fd;                /* the file read, when src is NULL */
    ns__unpack_source src; /* else where the input comes from */
    void *cookie;
    int kind;
    int state;
    int in_eof;
    uint64_t file_off; /* bytes of the input read into in[] so far */
    size_t in_pos;     /* unread input: in[in_pos, in_len) */
    size_t in_len;
    int x_init, b_init;
    struct inflate_state *g; /* gzip (87 kB: allocated for gzip only) */
    lzma_stream x;
    bz_stream b;
    ZSTD_DStream *zs;
    int zs_pending;    /* inside a zstd frame (more input wanted) */
    uint64_t zs_frame; /* the byte where that frame starts */
    unsigned long long zs_size; /* its content size, if its header says */
    uint64_t zs_out;   /* bytes of it handed on */
    char err[256];
    unsigned char in[IN_SIZE];
    unsigned char out[OUT_SIZE];
};

int
ns__unpack_kind(const unsigned char *head, size_t len)
{
    if (len >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        return NS_UNPACK_GZIP;
    if (len >= 6 && memcmp(head, "\xFD" "7zXZ\0", 6) == 0)
        return NS_UNPACK_XZ;
    /* "BZh", the block size, then a block's magic or the end's (as
     * libarchive's bidder: "BZh" alone starts some text). */
    if (len >= 10 && memcmp(head, "BZh", 3) == 0 && head[3] >= '1' &&
        head[3] <= '9' &&
        (memcmp(head + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0 ||
         memcmp(head + 4, "\x17\x72\x45\x38\x50\x90", 6) == 0))
        return NS_UNPACK_BZIP2;
    if (len >= 4 && memcmp(head, "\x28\xB5\x2F\xFD", 4) == 0)
        return NS_UNPACK_ZSTD;
    return NS_UNPACK_NONE;
}

static ns__unpack *
unpack_new(int kind)
{
    if (kind != NS_UNPACK_GZIP && kind != NS_UNPACK_XZ &&
        kind != NS_UNPACK_BZIP2 && kind != NS_UNPACK_ZSTD)
        return NULL;
    ns__unpack *u = ns__calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->fd = -1;
    u->kind = kind;
    if (kind == NS_UNPACK_GZIP) {
        if (!(u->g = ns__calloc(1, sizeof *u->g))) {
            ns_free(u);
            return NULL;
        }
        isal_inflate_init(u->g);
        u->state = BETWEEN; /* the first member's header is looked at too */
    } else if (kind == NS_UNPACK_XZ) {
        lzma_stream init = LZMA_STREAM_INIT;
        u->x = init;
        if (lzma_stream_decoder(&u->x, UINT64_MAX, LZMA_CONCATENATED) !=
            LZMA_OK) {
            ns_free(u);
            return NULL;
        }
        u->x_init = 1;
    } else if (kind == NS_UNPACK_ZSTD) {
        /* zstd's default window limit (2^27, 128 MB) bounds the memory a
         * hostile frame header can ask for: a frame wanting more fails. */
        if (!(u->zs = ZSTD_createDStream())) {
            ns_free(u);
            return NULL;
        }
    } else {
        /* Not "small": about 3.6 MB for a 900 kB block, twice as fast. */
        if (BZ2_bzDecompressInit(&u->b, 0, 0) != BZ_OK) {
            ns_free(u);
            return NULL;
        }
        u->b_init = 1;
    }
    return u;
}

ns__unpack *
ns__unpack_open(int fd, int kind)
{
    ns__unpack *u = unpack_new(kind);
    if (u)
        u->fd = fd;
    return u;
}

ns__unpack *
ns__unpack_open_source(int kind, ns__unpack_source src, void *cookie)
{
    ns__unpack *u = unpack_new(kind);
    if (u) {
        u->src = src;
        u->cookie = cookie;
    }
    return u;
}

void
ns__unpack_close(ns__unpack *u)
{
    if (!u)
        return;
    ns_free(u->g);
    if (u->x_init)
        lzma_end(&u->x);
    if (u->b_init)
        BZ2_bzDecompressEnd(&u->b);
    ZSTD_freeDStream(u->zs);
    ns_free(u);
}

const char *
ns__unpack_error(const ns__unpack *u)
{
    return u->state == FAILED ? u->err : "";
}

static const char *
kind_name(const ns__unpack *u)
{
    return u->kind == NS_UNPACK_GZIP ? "gzip" :
           u->kind == NS_UNPACK_XZ   ? "xz" :
           u->kind == NS_UNPACK_ZSTD ? "zstd" :
                                       "bzip2";
}

/* The byte of the file the decoder has reached. */
static uint64_t
in_offset(const ns__unpack *u)
{
    return u->file_off - (u->in_len - u->in_pos);
}

static void
fail(ns__unpack *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
fail(ns__unpack *u, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->err, sizeof u->err, fmt, ap);
    va_end(ap);
    u->state = FAILED;
}

/* Read more of the file after the unread input.  Returns 0, or -1 on a
 * read error (failed). */
static int
read_more(ns__unpack *u)
{
    if (u->in_eof)
        return 0;
    if (u->in_pos > 0) {
        memmove(u->in, u->in + u->in_pos, u->in_len - u->in_pos);
        u->in_len -= u->in_pos;
        u->in_pos = 0;
    }
    if (u->src) {
        const char *why = NULL;
        ptrdiff_t r = u->src(u->cookie, u->in + u->in_len, IN_SIZE - u->in_len,
                             &why);
        if (r < 0) {
            fail(u, "%s", why && *why ? why : "read error");
            return -1;
        }
        if (r == 0)
            u->in_eof = 1;
        u->in_len += (size_t)r;
        u->file_off += (uint64_t)r;
        return 0;
    }
    for (;;) {
        ssize_t r = pread(u->fd, u->in + u->in_len, IN_SIZE - u->in_len,
                          (off_t)u->file_off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            fail(u, "read error at byte %llu: %s",
                 (unsigned long long)u->file_off, strerror(errno));
            return -1;
        }
        if (r == 0)
            u->in_eof = 1;
        u->in_len += (size_t)r;
        u->file_off += (uint64_t)r;
        return 0;
    }
}

static void
cut_short(ns__unpack *u)
{
    fail(u, "%s data cut short: the %s ends at byte %llu inside a "
         "compressed stream", kind_name(u), u->src ? "member" : "file",
         (unsigned long long)u->file_off);
}

/* Why isal_inflate failed with r, in zlib's words where it has them. */
static const char *
gzip_why(int r)
{
    switch (r) {
    case ISAL_INVALID_BLOCK:
        return "invalid block";
    case ISAL_INVALID_SYMBOL:
        return "invalid code";
    case ISAL_INVALID_LOOKBACK:
        return "invalid distance too far back";
    case ISAL_INCORRECT_CHECKSUM:
        return "incorrect data check (the trailer's crc or length)";
    default:
        return "inflate failed";
    }
}

/* Have n bytes of input unread (n <= IN_SIZE).  Returns 0, or -1 when the
 * input ends first (cut short) or cannot be read (failed). */
static int
gzip_need(ns__unpack *u, size_t n)
{
    while (u->in_len - u->in_pos < n) {
        if (u->in_eof) {
            cut_short(u);
            return -1;
        }
        if (read_more(u) < 0)
            return -1;
    }
    return 0;
}

/* Read past n bytes (or up to a NUL and the NUL, if n is SIZE_MAX) of a
 * header field, adding them to *crc.  Returns 0 or -1 (failed). */
static int
gzip_skip(ns__unpack *u, size_t n, uint32_t *crc)
{
    while (n > 0) {
        if (gzip_need(u, 1) < 0)
            return -1;
        const unsigned char *p = u->in + u->in_pos;
        size_t k = u->in_len - u->in_pos;
        if (n == SIZE_MAX) {
            const unsigned char *nul = memchr(p, 0, k);
            if (nul) {
                k = (size_t)(nul - p) + 1;
                n = k;
            }
        } else if (k > n) {
            k = n;
        }
        *crc = crc32_gzip_refl(*crc, p, k);
        u->in_pos += k;
        if (n != SIZE_MAX)
            n -= k;
    }
    return 0;
}

/*
 * Read past the header of the gzip member at the unread input (RFC 1952):
 * its fixed ten bytes, then the extra field, name, comment and header CRC
 * its flags announce, checked as zlib checks them.  Here and not in
 * isal_inflate, which loses the flags and the header CRC it has summed so
 * far when the header comes in pieces (fuzzing found that).  Returns 0,
 * or -1 (cut short or corrupt: failed).
 */
static int
gzip_header(ns__unpack *u)
{
    uint64_t at = in_offset(u);
    if (gzip_need(u, 10) < 0)
        return -1;
    const unsigned char *p = u->in + u->in_pos;
    int flags = p[3];
    if (p[2] != 8) {
        fail(u, "corrupt gzip data at byte %llu: unknown compression method",
             (unsigned long long)(at + 2));
        return -1;
    }
    if (flags & 0xE0) {
        fail(u, "corrupt gzip data at byte %llu: unknown header flags set",
             (unsigned long long)(at + 3));
        return -1;
    }
    uint32_t crc = crc32_gzip_refl(0, p, 10);
    u->in_pos += 10;
    if (flags & 4) { /* FEXTRA: a length, then that many bytes */
        if (gzip_need(u, 2) < 0)
            return -1;
        p = u->in + u->in_pos;
        size_t xlen = (size_t)p[0] | (size_t)p[1] << 8;
        crc = crc32_gzip_refl(crc, p, 2);
        u->in_pos += 2;
        if (gzip_skip(u, xlen, &crc) < 0)
            return -1;
    }
    if ((flags & 8) && gzip_skip(u, SIZE_MAX, &crc) < 0) /* FNAME */
        return -1;
    if ((flags & 16) && gzip_skip(u, SIZE_MAX, &crc) < 0) /* FCOMMENT */
        return -1;
    if (flags & 2) { /* FHCRC: the low 16 bits of the header's CRC-32 */
        if (gzip_need(u, 2) < 0)
            return -1;
        p = u->in + u->in_pos;
        if (((unsigned)p[0] | (unsigned)p[1] << 8) != (crc & 0xFFFF)) {
            fail(u, "corrupt gzip data at byte %llu: header crc mismatch",
                 (unsigned long long)in_offset(u));
            return -1;
        }
        u->in_pos += 2;
    }
    return 0;
}

static ptrdiff_t
gzip_read(ns__unpack *u, const void **out)
{
    struct inflate_state *g = u->g;
    for (;;) {
        if (u->state == BETWEEN) {
            /* Another member, or the end (what follows is ignored). */
            while (u->in_len - u->in_pos < 2 && !u->in_eof)
                if (read_more(u) < 0)
                    return -1;
            const unsigned char *p = u->in + u->in_pos;
            if (u->in_len - u->in_pos < 2 || p[0] != 0x1f || p[1] != 0x8b) {
                u->state = DONE;
                return 0;
            }
            if (gzip_header(u) < 0)
                return -1;
            isal_inflate_reset(g);
            /* Raw deflate, then the trailer's CRC-32 and length checked. */
            g->crc_flag = ISAL_GZIP_NO_HDR_VER;
            u->state = IN_STREAM;
        }
        if (u->in_pos == u->in_len) {
            if (read_more(u) < 0)
                return -1;
            if (u->in_pos == u->in_len) {
                cut_short(u);
                return -1;
            }
        }
        size_t avail = u->in_len - u->in_pos;
        g->next_in = u->in + u->in_pos;
        g->avail_in = avail > UINT32_MAX ? UINT32_MAX : (uint32_t)avail;
        g->next_out = u->out;
        g->avail_out = (uint32_t)OUT_SIZE;
        int r = isal_inflate(g);
        size_t used = (size_t)(g->next_in - (u->in + u->in_pos));
        u->in_pos += used;
        size_t got = OUT_SIZE - g->avail_out;
        *out = u->out;
        if (r < 0) {
            /* Where: the input read, less the whole bytes igzip holds in
             * its bit buffer and has not decoded yet. */
            uint64_t at = in_offset(u);
            uint64_t held = g->read_in_length > 0 ?
                                (uint64_t)g->read_in_length / 8 : 0;
            fail(u, "corrupt gzip data at byte %llu: %s",
                 (unsigned long long)(held <= at ? at - held : at),
                 gzip_why(r));
        } else if (g->block_state == ISAL_BLOCK_FINISH) {
            u->state = BETWEEN;
        } else if (got == 0 && used == 0) {
            /* No progress with input unread: never seen, but a loop
             * here must not spin. */
            fail(u, "corrupt gzip data at byte %llu: inflate made no "
                 "progress", (unsigned long long)in_offset(u));
        }
        if (got)
            return (ptrdiff_t)got; /* a failure waits for the next call */
        if (u->state == FAILED)
            return -1;
    }
}

static ptrdiff_t
xz_read(ns__unpack *u, const void **out)
{
    for (;;) {
        if (u->in_pos == u->in_len && read_more(u) < 0)
            return -1;
        size_t avail = u->in_len - u->in_pos;
        u->x.next_in = u->in + u->in_pos;
        u->x.avail_in = avail;
        u->x.next_out = u->out;
        u->x.avail_out = OUT_SIZE;
        lzma_ret r =
            lzma_code(&u->x, avail == 0 && u->in_eof ? LZMA_FINISH : LZMA_RUN);
        u->in_pos = (size_t)(u->x.next_in - u->in);
        size_t got = OUT_SIZE - u->x.avail_out;
        *out = u->out;
        if (r == LZMA_STREAM_END) {
            u->state = DONE;
        } else if (r == LZMA_BUF_ERROR && u->in_eof) {
            cut_short(u);
        } else if (r != LZMA_OK) {
            const char *why = r == LZMA_MEM_ERROR       ? "out of memory" :
                              r == LZMA_MEMLIMIT_ERROR  ? "out of memory" :
                              r == LZMA_OPTIONS_ERROR   ? "unsupported options" :
                              r == LZMA_FORMAT_ERROR    ? "not xz data" :
                                                          "invalid data";
            fail(u, "corrupt xz data at byte %llu: %s",
                 (unsigned long long)in_offset(u), why);
        }
        if (got)
            return (ptrdiff_t)got;
        if (u->state == FAILED)
            return -1;
        if (u->state == DONE)
            return 0;
    }
}

static ptrdiff_t
bzip2_read(ns__unpack *u, const void **out)
{
    for (;;) {
        if (u->state == BETWEEN) {
            /* Another stream (pbzip2 writes one per block), or the end. */
            while (u->in_len - u->in_pos < 10 && !u->in_eof)
                if (read_more(u) < 0)
                    return -1;
            if (ns__unpack_kind(u->in + u->in_pos, u->in_len - u->in_pos) !=
                NS_UNPACK_BZIP2) {
                u->state = DONE;
                return 0;
            }
            BZ2_bzDecompressEnd(&u->b);
            u->b_init = 0;
            memset(&u->b, 0, sizeof u->b);
            if (BZ2_bzDecompressInit(&u->b, 0, 0) != BZ_OK) {
                fail(u, "out of memory for bzip2 data at byte %llu",
                     (unsigned long long)in_offset(u));
                return -1;
            }
            u->b_init = 1;
            u->state = IN_STREAM;
        }
        if (u->in_pos == u->in_len) {
            if (read_more(u) < 0)
                return -1;
            if (u->in_pos == u->in_len) {
                cut_short(u);
                return -1;
            }
        }
        size_t avail = u->in_len - u->in_pos;
        u->b.next_in = (char *)(u->in + u->in_pos);
        u->b.avail_in = avail > UINT32_MAX ? UINT32_MAX : (unsigned)avail;
        u->b.next_out = (char *)u->out;
        u->b.avail_out = (unsigned)OUT_SIZE;
        int r = BZ2_bzDecompress(&u->b);
        u->in_pos = (size_t)((unsigned char *)u->b.next_in - u->in);
        size_t got = OUT_SIZE - u->b.avail_out;
        *out = u->out;
        if (r == BZ_STREAM_END)
            u->state = BETWEEN;
        else if (r != BZ_OK)
            fail(u, "corrupt bzip2 data at byte %llu: %s",
                 (unsigned long long)in_offset(u),
                 r == BZ_DATA_ERROR       ? "bad block or checksum" :
                 r == BZ_DATA_ERROR_MAGIC ? "not bzip2 data" :
                 r == BZ_MEM_ERROR        ? "out of memory" :
                                            "decoding failed");
        if (got)
            return (ptrdiff_t)got; /* a failure waits for the next call */
        if (u->state == FAILED)
            return -1;
    }
}

/* Does p[0, n) start a zstd frame (or a skippable one)?  Needs n >= 4. */
static int
zstd_frame_starts(const unsigned char *p, size_t n)
{
    if (n < 4)
        return 0;
    uint32_t m = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                 (uint32_t)p[3] << 24;
    return m == 0xFD2FB528u || (m & 0xFFFFFFF0u) == 0x184D2A50u;
}

static ptrdiff_t
zstd_read(ns__unpack *u, const void **out)
{
    for (;;) {
        if (!u->zs_pending) {
            /* Between frames: another, or the end (what follows is
             * ignored). */
            while (u->in_len - u->in_pos < 4 && !u->in_eof)
                if (read_more(u) < 0)
                    return -1;
            if (!zstd_frame_starts(u->in + u->in_pos, u->in_len - u->in_pos)) {
                u->state = DONE;
                return 0;
            }
            /* Its header, whole (zstd's streaming decoder does not
             * check the content size it states: a frame whose first
             * block is damaged can end with nothing decoded and no
             * error when its bytes come in small pieces). */
            /* ZSTD_getFrameHeader says how many bytes it still needs
             * (more than 4: the frame header descriptor comes first). */
            ZSTD_frameHeader fh;
            size_t need;
            while ((need = ZSTD_getFrameHeader(&fh, u->in + u->in_pos,
                                               u->in_len - u->in_pos)) > 0 &&
                   !ZSTD_isError(need) && !u->in_eof)
                if (read_more(u) < 0)
                    return -1;
            u->zs_size = need == 0 && fh.frameType == ZSTD_frame
                             ? fh.frameContentSize
                             : ZSTD_CONTENTSIZE_UNKNOWN;
            u->zs_frame = in_offset(u);
            u->zs_out = 0;
        }
        if (u->in_pos == u->in_len && read_more(u) < 0)
            return -1;
        int at_end = u->in_pos == u->in_len;
        ZSTD_inBuffer in = { u->in, u->in_len, u->in_pos };
        ZSTD_outBuffer o = { u->out, OUT_SIZE, 0 };
        size_t r = ZSTD_decompressStream(u->zs, &o, &in);
        u->in_pos = in.pos;
        *out = u->out;
        /* zstd checks a frame (its checksum) at its end, and says no
         * more of where: name the frame. */
        if (ZSTD_isError(r))
            fail(u, "corrupt zstd data in the frame at byte %llu: %s",
                 (unsigned long long)u->zs_frame, ZSTD_getErrorName(r));
        else
            u->zs_pending = r != 0; /* 0: a frame ended, all handed on */
        u->zs_out += o.pos;
        if (!ZSTD_isError(r) && r == 0 &&
            u->zs_size != ZSTD_CONTENTSIZE_UNKNOWN && u->zs_out != u->zs_size)
            fail(u, "corrupt zstd data in the frame at byte %llu: it "
                 "states %llu bytes and holds %llu",
                 (unsigned long long)u->zs_frame, u->zs_size,
                 (unsigned long long)u->zs_out);
        if (o.pos)
            return (ptrdiff_t)o.pos; /* a failure waits for the next call */
        if (u->state == FAILED)
            return -1;
        if (at_end && u->zs_pending) {
            cut_short(u);
            return -1;
        }
    }
}

ptrdiff_t
ns__unpack_read(ns__unpack *u, const void **out)
{
    *out = u->out;
    if (u->state == FAILED)
        return -1;
    if (u->state == DONE)
        return 0;
    switch (u->kind) {
    case NS_UNPACK_GZIP:
        return gzip_read(u, out);
    case NS_UNPACK_XZ:
        return xz_read(u, out);
    case NS_UNPACK_ZSTD:
        return zstd_read(u, out);
    default:
        return bzip2_read(u, out);
    }
}
