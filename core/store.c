/*
 * store.c: encoding and decoding of stored records (store.h), and the zstd
 * dictionary they are compressed with.  News articles are short and share
 * much of their wording (datelines, boilerplate, names), so a dictionary
 * trained on the archive compresses them far better than zstd alone.
 */
#include "core/store.h"

#include <string.h>
#include <sys/mman.h>

#define ZSTD_STATIC_LINKING_ONLY
#define ZDICT_STATIC_LINKING_ONLY
#include <zdict.h>
#include <zstd.h>

/* Compression level: the stored text is read for snippets only, so a
 * medium level keeps indexing fast while the dictionary does most of the
 * work. */
#define NS_ZSTD_LEVEL 6

/* A dictionary of another index, for decoding only (ns__store_add_dict). */
typedef struct more_dict {
    unsigned id;
    ZSTD_DDict *ddict; /* refers to bytes */
    ns_buf bytes;
} more_dict;

/* A search opens an index, decodes a few records and exits: the decoding
 * dictionaries refer to the store's copy of their bytes (no second copy),
 * and what only writing needs (the compression context and the
 * dictionary's compression tables, half a millisecond to build) is made
 * when the first record is encoded. */
struct ns__store {
    ZSTD_CCtx *cctx;   /* made by the first encode */
    ZSTD_DCtx *dctx;
    ZSTD_CDict *cdict; /* made by the first encode with a dictionary */
    ZSTD_DDict *ddict; /* refers to dict */
    ns_buf dict;       /* the dictionary, unless mapped */
    void *map;         /* or the dictionary's file, mapped (munmap) */
    size_t map_len;
    ns_buf fields, frame; /* encoding's scratch: the fields, their frame */
    more_dict *more; /* sorted by nothing: a few, one per shard */
    size_t n_more;
    /* Bumped by every use of dctx: a text decoded in steps (store.h) goes
     * on from where it stopped only while dctx still holds its frame. */
    unsigned session;
};

ns_status
ns__store_new(ns__store **out)
{
    *out = NULL;
    ns__store *s = ns__calloc(1, sizeof *s);
    if (!s)
        return NS_ERR_NOMEM;
    s->dctx = ZSTD_createDCtx();
    if (!s->dctx) {
        ns__store_free(s);
        return NS_ERR_NOMEM;
    }
    *out = s;
    return NS_OK;
}

void
ns__store_free(ns__store *s)
{
    if (!s)
        return;
    ZSTD_freeCCtx(s->cctx);
    ZSTD_freeDCtx(s->dctx);
    ZSTD_freeCDict(s->cdict);
    ZSTD_freeDDict(s->ddict);
    ns__buf_free(&s->dict);
    if (s->map)
        munmap(s->map, s->map_len);
    ns__buf_free(&s->fields);
    ns__buf_free(&s->frame);
    for (size_t i = 0; i < s->n_more; i++) {
        ZSTD_freeDDict(s->more[i].ddict);
        ns__buf_free(&s->more[i].bytes);
    }
    ns_free(s->more);
    ns_free(s);
}

/* zstd returns NULL alike for a dictionary it cannot parse and for no
 * memory: its allocations for a decoding dictionary go through these,
 * which note a failed one (and let the allocation-failure tests reach
 * them). */
static void *
dict_alloc(void *oom, size_t n)
{
    void *p = ns__malloc(n);
    if (!p)
        *(int *)oom = 1;
    return p;
}

static void
dict_free(void *oom, void *p)
{
    (void)oom;
    ns_free(p);
}

/* A decoding dictionary referring to dict (kept by the caller):
 * NS_ERR_INDEX_CORRUPT when zstd cannot parse it. */
static ns_status
new_ddict(const void *dict, size_t len, ZSTD_DDict **out)
{
    int oom = 0;
    ZSTD_customMem mem = { dict_alloc, dict_free, &oom };
    *out = ZSTD_createDDict_advanced(dict, len, ZSTD_dlm_byRef, ZSTD_dct_auto,
                                     mem);
    if (*out)
        return NS_OK;
    return oom ? NS_ERR_NOMEM : NS_ERR_INDEX_CORRUPT;
}

/* The dictionary's bytes, in the buffer or the mapping. */
static const void *
dict_bytes(const ns__store *s, size_t *len)
{
    *len = s->map ? s->map_len : s->dict.len;
    return s->map ? (const void *)s->map : (const void *)s->dict.data;
}

/* Forget the dictionary (and the tables made from it). */
static void
drop_dict(ns__store *s)
{
    ZSTD_freeCDict(s->cdict);
    ZSTD_freeDDict(s->ddict);
    s->cdict = NULL;
    s->ddict = NULL;
    ns__buf_free(&s->dict);
    if (s->map)
        munmap(s->map, s->map_len);
    s->map = NULL;
    s->map_len = 0;
}

ns_status
ns__store_take_dict(ns__store *s, ns_buf *dict)
{
    drop_dict(s);
    s->dict = *dict;
    memset(dict, 0, sizeof *dict);
    if (s->dict.oom) {
        ns__buf_free(&s->dict);
        return NS_ERR_NOMEM;
    }
    if (!s->dict.len)
        return NS_OK;
    ns_status st = new_ddict(s->dict.data, s->dict.len, &s->ddict);
    if (st != NS_OK)
        ns__buf_reset(&s->dict); /* nor encode with it */
    return st;
}

ns_status
ns__store_map_dict(ns__store *s, void *map, size_t len, unsigned id)
{
    drop_dict(s);
    s->map = map;
    s->map_len = len;
    ns_status st = ZSTD_getDictID_fromDict(map, len) == id
                       ? new_ddict(map, len, &s->ddict)
                       : NS_ERR_INDEX_CORRUPT;
    if (st != NS_OK)
        drop_dict(s);
    return st;
}

unsigned
ns__store_dict_id(const void *dict, size_t len)
{
    return ZSTD_getDictID_fromDict(dict, len);
}

ns_status
ns__store_set_dict(ns__store *s, const void *dict, size_t len)
{
    ns_buf b = { 0 };
    ns__buf_append(&b, dict, len);
    return ns__store_take_dict(s, &b);
}

static int
same_bytes(const void *a, size_t alen, const void *b, size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

ns_status
ns__store_add_dict(ns__store *s, const void *dict, size_t len)
{
    unsigned id = ZSTD_getDictID_fromDict(dict, len);
    if (!len || !id)
        return NS_ERR_INDEX_CORRUPT;
    /* The index's own dictionary, again (an index merged from shards
     * lists it among theirs). */
    size_t own_len;
    const void *own = dict_bytes(s, &own_len);
    if (s->ddict && ZSTD_getDictID_fromDDict(s->ddict) == id &&
        same_bytes(own, own_len, dict, len))
        return NS_OK;
    for (size_t i = 0; i < s->n_more; i++)
        if (s->more[i].id == id)
            return same_bytes(s->more[i].bytes.data, s->more[i].bytes.len,
                              dict, len) ?
                       NS_OK :
                       NS_ERR_INDEX_CORRUPT;
    more_dict *m = ns__realloc(s->more, (s->n_more + 1) * sizeof *m);
    if (!m)
        return NS_ERR_NOMEM;
    s->more = m;
    m = &s->more[s->n_more];
    memset(m, 0, sizeof *m);
    ns__buf_append(&m->bytes, dict, len);
    ns_status st = m->bytes.oom ? NS_ERR_NOMEM :
                                  new_ddict(m->bytes.data, len, &m->ddict);
    if (st != NS_OK) {
        ns__buf_free(&m->bytes);
        return st;
    }
    m->id = id;
    s->n_more++;
    return NS_OK;
}

/* The dictionary to decode a frame with: the one it names, when known. */
static const ZSTD_DDict *
frame_dict(const ns__store *s, const void *frame, size_t len)
{
    unsigned id = ZSTD_getDictID_fromFrame(frame, len);
    if (!id || (s->ddict && ZSTD_getDictID_fromDDict(s->ddict) == id))
        return s->ddict;
    for (size_t i = 0; i < s->n_more; i++)
        if (s->more[i].id == id)
            return s->more[i].ddict;
    return s->ddict; /* zstd then says the dictionary is wrong */
}

ns_status
ns__store_train(const void *samples,
                const size_t *sizes,
                unsigned n,
                ns_buf *out)
{
    ns__buf_reset(out);
    size_t total = 0;
    for (unsigned i = 0; i < n; i++)
        total += sizes[i];
    /* Below a few dozen articles a dictionary would only fit them. */
    if (n < 32 || total < 64 * 1024)
        return NS_ERR_INVALID_ARG;
    /* Chosen by measurement on the White House sample (1,000 articles,
     * the first 1 KB of each as samples, level 6): 110 KB of dictionary
     * compress the texts 3.37 times (64 KB: 3.28; none: 2.49), and
     * fastCover with fixed parameters (k 200, d 8) trains in a third of
     * the time of ZDICT_trainFromBuffer's search over them (0.03 s against
     * 0.10 s), with a better dictionary (3.37 against 3.26).  Up to an
     * eighth of the samples: a small archive gets a small dictionary. */
    size_t cap = total / 8;
    if (cap > 110 * 1024)
        cap = 110 * 1024;
    if (ns__buf_reserve(out, cap) != 0)
        return NS_ERR_NOMEM;
    ZDICT_fastCover_params_t p;
    memset(&p, 0, sizeof p);
    p.k = 200;
    p.d = 8;
    p.f = 20;
    p.accel = 1;
    p.zParams.compressionLevel = NS_ZSTD_LEVEL;
    size_t r = ZDICT_trainFromBuffer_fastCover(out->data, cap, samples, sizes,
                                               n, p);
    if (ZDICT_isError(r)) {
        ns__buf_reset(out);
        return NS_ERR_INVALID_ARG;
    }
    out->len = r;
    return NS_OK;
}

static void
put_str(ns_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    ns__buf_put_varint(b, n);
    ns__buf_append(b, s ? s : "", n);
}

void
ns__store_fields(const ns_article *a, const char *file, ns_buf *out)
{
    put_str(out, a->id);
    put_str(out, a->title);
    put_str(out, a->date);
    put_str(out, a->source);
    put_str(out, a->url);
    put_str(out, a->author);
    put_str(out, a->language);
    put_str(out, file);
}

/* Append src compressed (one zstd frame, with the dictionary if any). */
static ns_status
put_frame(ns__store *s, const void *src, size_t len, ns_buf *out)
{
    size_t bound = ZSTD_compressBound(len);
    if (ns__buf_reserve(out, bound) != 0)
        return NS_ERR_NOMEM;
    size_t r;
    if (s->cdict)
        r = ZSTD_compress_usingCDict(s->cctx, out->data + out->len, bound,
                                     src, len, s->cdict);
    else
        r = ZSTD_compressCCtx(s->cctx, out->data + out->len, bound, src, len,
                              NS_ZSTD_LEVEL);
    if (ZSTD_isError(r))
        return NS_ERR_NOMEM;
    out->len += r;
    return NS_OK;
}

/* The size of the text's block that starts at byte off: see
 * NS_STORE_TEXT_FIRST. */
static size_t
text_block_at(size_t off)
{
    size_t b = NS_STORE_TEXT_FIRST;
    while (b < NS_STORE_TEXT_BLOCK && b <= off)
        b *= 2;
    return b;
}

/* Append the text compressed as put_frame() does, in blocks of
 * text_block_at() bytes: one frame, its size in its header. */
static ns_status
put_text_frame(ns__store *s, const char *text, size_t len, ns_buf *out)
{
    if (len <= NS_STORE_TEXT_FIRST)
        return put_frame(s, text, len, out);
    size_t bound =
        ZSTD_compressBound(len) + 64 * (len / NS_STORE_TEXT_FIRST + 1);
    if (ns__buf_reserve(out, bound) != 0)
        return NS_ERR_NOMEM;
    ZSTD_CCtx *c = s->cctx;
    size_t r = ZSTD_CCtx_reset(c, ZSTD_reset_session_and_parameters);
    if (!ZSTD_isError(r))
        r = s->cdict ? ZSTD_CCtx_refCDict(c, s->cdict)
                     : ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel,
                                              NS_ZSTD_LEVEL);
    if (!ZSTD_isError(r))
        r = ZSTD_CCtx_setPledgedSrcSize(c, len);
    ZSTD_outBuffer ob = { out->data + out->len, bound, 0 };
    for (size_t off = 0; !ZSTD_isError(r) && off < len;) {
        size_t k = text_block_at(off);
        if (k > len - off)
            k = len - off;
        ZSTD_inBuffer ib = { text + off, k, 0 };
        ZSTD_EndDirective e = off + k == len ? ZSTD_e_end : ZSTD_e_flush;
        do
            r = ZSTD_compressStream2(c, &ob, &ib, e);
        while (!ZSTD_isError(r) && r != 0 && ob.pos < ob.size);
        if (!ZSTD_isError(r) && (r != 0 || ib.pos != ib.size))
            r = (size_t)-1; /* the bound was too small: cannot happen */
        off += k;
    }
    ZSTD_CCtx_reset(c, ZSTD_reset_session_and_parameters);
    if (ZSTD_isError(r))
        return NS_ERR_NOMEM;
    out->len += ob.pos;
    return NS_OK;
}

ns_status
ns__store_encode(ns__store *s,
                 const ns_article *a,
                 const char *file,
                 ns_buf *out)
{
    ns__buf_reset(out);
    if (!s->cctx && !(s->cctx = ZSTD_createCCtx()))
        return NS_ERR_NOMEM;
    size_t dlen;
    const void *d = dict_bytes(s, &dlen);
    if (dlen && !s->cdict &&
        !(s->cdict = ZSTD_createCDict(d, dlen, NS_ZSTD_LEVEL)))
        return NS_ERR_NOMEM;
    ns__buf_reset(&s->fields);
    ns__store_fields(a, file, &s->fields);
    if (s->fields.oom)
        return NS_ERR_NOMEM;
    /* The fields' frame comes first, after its length: a listing of
     * results decodes only it. */
    ns__buf_reset(&s->frame);
    ns_status st = put_frame(s, s->fields.data, s->fields.len, &s->frame);
    if (st != NS_OK)
        return st;
    ns__buf_putc(out, 2);
    ns__buf_put_varint(out, s->frame.len);
    ns__buf_append(out, s->frame.data, s->frame.len);
    if (out->oom)
        return NS_ERR_NOMEM;
    if ((st = put_text_frame(s, a->text, a->text_len, out)) != NS_OK)
        return st;
    return out->oom ? NS_ERR_NOMEM : NS_OK;
}

void
ns__record_free(ns__record *rec)
{
    ns__buf_free(&rec->fields_);
    ns__buf_free(&rec->text_);
}

/* Decompress the frame [p, end) into b (reset), NUL-terminated; its size
 * is in the frame's header, at most max. */
static ns_status
get_frame(ns__store *s, const unsigned char *p, const unsigned char *end,
          uint64_t max, ns_buf *b)
{
    size_t len = (size_t)(end - p);
    unsigned long long n = ZSTD_getFrameContentSize(p, len);
    if (n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR ||
        n > max)
        return NS_ERR_INDEX_CORRUPT;
    ns__buf_reset(b);
    if (ns__buf_reserve(b, (size_t)n + 1) != 0)
        return NS_ERR_NOMEM;
    const ZSTD_DDict *dd = frame_dict(s, p, len);
    s->session++;
    /* Without a dictionary: drop the one a decoding in steps referenced
     * (ZSTD_decompressDCtx would use it). */
    if (!dd)
        ZSTD_DCtx_reset(s->dctx, ZSTD_reset_session_and_parameters);
    size_t r = dd ? ZSTD_decompress_usingDDict(s->dctx, b->data, (size_t)n, p,
                                               len, dd)
                  : ZSTD_decompressDCtx(s->dctx, b->data, (size_t)n, p, len);
    if (ZSTD_isError(r) || r != n)
        return NS_ERR_INDEX_CORRUPT;
    b->len = r;
    b->data[r] = '\0';
    return NS_OK;
}

/* Point rec's fields at the 8 varint-prefixed strings of [p, end), copied
 * NUL-terminated into rec->fields_ (appended to it); *pp is left after
 * them. */
static ns_status
split_fields(const unsigned char **pp, const unsigned char *end,
             ns__record *rec)
{
    const char **fields[] = { &rec->id,     &rec->title,  &rec->date,
                              &rec->source, &rec->url,    &rec->author,
                              &rec->language, &rec->file };
    const unsigned char *p = *pp;
    size_t offs[8];
    ns_buf *b = &rec->fields_;
    for (size_t i = 0; i < 8; i++) {
        uint64_t n;
        if (!ns__get_varint(&p, end, &n) || n > (uint64_t)(end - p))
            return NS_ERR_INDEX_CORRUPT;
        offs[i] = b->len;
        ns__buf_append(b, p, (size_t)n);
        ns__buf_putc(b, '\0');
        p += n;
    }
    if (b->oom)
        return NS_ERR_NOMEM;
    for (size_t i = 0; i < 8; i++)
        *fields[i] = b->data + offs[i];
    *pp = p;
    return NS_OK;
}

/* The end of the frame block that starts at p[at] (the frame is n bytes):
 * the offset just past it, or 0 when the block header is damaged; *last
 * is set when it is the frame's last block (RFC 8878, 3.1.1.2). */
static size_t
block_end(const unsigned char *p, size_t n, size_t at, int *last)
{
    if (at > n || n - at < 3)
        return 0;
    uint32_t h = (uint32_t)p[at] | (uint32_t)p[at + 1] << 8 |
                 (uint32_t)p[at + 2] << 16;
    size_t size = h >> 3, type = h >> 1 & 3;
    *last = (int)(h & 1);
    if (type == 3 || size > ZSTD_BLOCKSIZE_MAX)
        return 0;
    size_t stored = type == 1 ? 1 : size; /* RLE: one byte */
    return n - at - 3 < stored ? 0 : at + 3 + stored;
}

/* Decode rec's text on by one block of its frame (or to its end: see
 * ns__store_text_more).  zstd's stream decoder is handed the frame one
 * block at a time: given more, it would decode a block ahead of the
 * output asked for.  It writes into the text's buffer itself
 * (ZSTD_d_stableOutBuffer, set by get_text): no copy, and no output
 * buffer of the text's size kept in the context. */
static ns_status
text_step(ns__store *s, ns__record *rec)
{
    ns_buf *b = &rec->text_;
    size_t want = b->len + 1;
    ZSTD_inBuffer in = { rec->tp_, rec->tfeed_, rec->tin_ };
    ZSTD_outBuffer out = { b->data, rec->text_whole, b->len };
    size_t r = 1;
    while (out.pos < want || (out.pos == rec->text_whole && r != 0)) {
        if (in.pos == in.size) { /* all fed is read: the next block */
            if (rec->tfeed_ == rec->tn_)
                return NS_ERR_INDEX_CORRUPT; /* the frame is cut short */
            int last = 0;
            size_t e = rec->tlast_ ? rec->tn_
                                   : block_end(rec->tp_, rec->tn_,
                                               rec->tfeed_, &last);
            if (!e)
                return NS_ERR_INDEX_CORRUPT;
            if (last)
                rec->tlast_ = 1; /* the checksum and the rest after it */
            rec->tfeed_ = in.size = e;
        }
        size_t before = in.pos + out.pos;
        r = ZSTD_decompressStream(s->dctx, &out, &in);
        if (ZSTD_isError(r))
            return NS_ERR_INDEX_CORRUPT;
        if (r == 0 && out.pos < rec->text_whole)
            return NS_ERR_INDEX_CORRUPT; /* fewer bytes than stated */
        if (r == 0 && in.pos == in.size && rec->tlast_ &&
            rec->tfeed_ < rec->tn_) {
            rec->tfeed_ = in.size = rec->tn_; /* bytes after the frame */
            continue;
        }
        if (r == 0)
            break;
        if (in.pos + out.pos == before && in.pos < in.size)
            return NS_ERR_INDEX_CORRUPT; /* no progress */
    }
    if (out.pos == rec->text_whole && (r != 0 || in.pos != rec->tn_))
        return NS_ERR_INDEX_CORRUPT; /* more in the frame than stated */
    rec->tin_ = in.pos;
    b->len = out.pos;
    b->data[b->len] = '\0';
    rec->text = b->data;
    rec->text_len = b->len;
    return NS_OK;
}

/* Decode the text's frame [p, end) into rec (its length, when stated
 * apart, must be len; UINT64_MAX: not stated): whole, or (in_steps) its
 * first block, the rest left to ns__store_text_more(). */
static ns_status
get_text(ns__store *s, const unsigned char *p, const unsigned char *end,
         uint64_t len, int in_steps, ns__record *rec)
{
    unsigned long long n = ZSTD_getFrameContentSize(p, (size_t)(end - p));
    if (n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR ||
        n > (uint64_t)1 << 31 || (len != UINT64_MAX && n != len))
        return NS_ERR_INDEX_CORRUPT;
    rec->text_whole = (size_t)n;
    if (!in_steps || n <= NS_STORE_TEXT_FIRST) {
        ns_status st = get_frame(s, p, end, n, &rec->text_);
        if (st != NS_OK)
            return st;
        rec->text = rec->text_.data;
        rec->text_len = rec->text_.len;
        return NS_OK;
    }
    ns__buf_reset(&rec->text_);
    if (ns__buf_reserve(&rec->text_, (size_t)n + 1) != 0)
        return NS_ERR_NOMEM;
    const ZSTD_DDict *dd = frame_dict(s, p, (size_t)(end - p));
    size_t r = ZSTD_DCtx_reset(s->dctx, ZSTD_reset_session_only);
    if (!ZSTD_isError(r))
        r = ZSTD_DCtx_refDDict(s->dctx, dd);
    if (!ZSTD_isError(r))
        r = ZSTD_DCtx_setParameter(s->dctx, ZSTD_d_stableOutBuffer, 1);
    if (ZSTD_isError(r))
        return NS_ERR_NOMEM;
    ZSTD_frameHeader fh;
    if (ZSTD_getFrameHeader(&fh, p, (size_t)(end - p)) != 0)
        return NS_ERR_INDEX_CORRUPT;
    rec->tp_ = p;
    rec->tn_ = (size_t)(end - p);
    rec->tin_ = 0;
    rec->tfeed_ = fh.headerSize; /* the header, then block by block */
    rec->tlast_ = 0;
    rec->tsession_ = ++s->session;
    return text_step(s, rec);
}

ns_status
ns__store_text_more(ns__store *s, ns__record *rec)
{
    if (!rec->text || rec->text_len >= rec->text_whole)
        return NS_OK;
    if (rec->tsession_ != s->session) {
        /* The context has decoded other frames since: again, whole. */
        ns_status st = get_frame(s, rec->tp_, rec->tp_ + rec->tn_,
                                 rec->text_whole, &rec->text_);
        if (st != NS_OK)
            return st;
        rec->text = rec->text_.data;
        rec->text_len = rec->text_.len;
        return NS_OK;
    }
    return text_step(s, rec);
}

/* Records of version 1 (written before 2026-11-28): the fields in plain,
 * the text's length, the text's frame.  Xapian compresses the document
 * data with zlib when that makes it smaller, which fields in plain always
 * did: every read of a record then inflated it whole. */
static ns_status
decode_v1(ns__store *s, const unsigned char *p, const unsigned char *end,
          int want_text, ns__record *rec)
{
    ns_status st = split_fields(&p, end, rec);
    uint64_t tlen;
    if (st != NS_OK)
        return st;
    if (!ns__get_varint(&p, end, &tlen))
        return NS_ERR_INDEX_CORRUPT;
    return want_text ? get_text(s, p, end, tlen, want_text == NS_STORE_TEXT_START,
                                rec)
                     : NS_OK;
}

ns_status
ns__store_decode(ns__store *s,
                 const char *data,
                 size_t len,
                 int want_text,
                 ns__record *rec)
{
    const unsigned char *p = (const unsigned char *)data;
    const unsigned char *end = p + len;
    ns__buf_reset(&rec->fields_);
    rec->text = NULL;
    rec->text_len = 0;
    rec->text_whole = 0;
    if (len < 1 || (*p != 1 && *p != 2))
        return NS_ERR_INDEX_CORRUPT;
    if (*p++ == 1)
        return decode_v1(s, p, end, want_text, rec);
    uint64_t flen;
    if (!ns__get_varint(&p, end, &flen) || flen > (uint64_t)(end - p))
        return NS_ERR_INDEX_CORRUPT;
    /* The fields are decompressed into text_, then split into fields_. */
    ns_status st = get_frame(s, p, p + flen, (uint64_t)1 << 24, &rec->text_);
    if (st != NS_OK)
        return st;
    const unsigned char *f = (const unsigned char *)rec->text_.data;
    const unsigned char *fend = f + rec->text_.len;
    if ((st = split_fields(&f, fend, rec)) != NS_OK)
        return st;
    if (f != fend)
        return NS_ERR_INDEX_CORRUPT;
    return want_text ? get_text(s, p + flen, end, UINT64_MAX,
                                want_text == NS_STORE_TEXT_START, rec)
                     : NS_OK;
}

ns_status
ns__store_measure(ns__store *s,
                  const char *data,
                  size_t len,
                  ns__store_sizes *sz)
{
    ns__record rec;
    memset(&rec, 0, sizeof rec);
    ns_status st = ns__store_decode(s, data, len, 1, &rec);
    /* The text's frame is what follows the fields (version 1: and the
     * text's length; version 2: the fields' frame and its length). */
    const unsigned char *p = (const unsigned char *)data + 1;
    const unsigned char *end = (const unsigned char *)data + len;
    int skip = st == NS_OK && data[0] == 1 ? 9 : 1;
    for (int i = 0; i < skip && st == NS_OK; i++) {
        uint64_t n;
        if (!ns__get_varint(&p, end, &n) ||
            (i < 8 && n > (uint64_t)(end - p)))
            st = NS_ERR_INDEX_CORRUPT;
        else if (i < 8)
            p += n;
    }
    if (st == NS_OK && !s->cctx && !(s->cctx = ZSTD_createCCtx()))
        st = NS_ERR_NOMEM;
    ns_buf plain = { 0 };
    size_t bound = ZSTD_compressBound(rec.text_len);
    if (st == NS_OK && ns__buf_reserve(&plain, bound) != 0)
        st = NS_ERR_NOMEM;
    if (st == NS_OK) {
        size_t r = ZSTD_compressCCtx(s->cctx, plain.data, bound, rec.text,
                                     rec.text_len, NS_ZSTD_LEVEL);
        if (ZSTD_isError(r))
            st = NS_ERR_NOMEM;
        else {
            sz->records++;
            sz->record_bytes += len;
            sz->field_bytes += (uint64_t)(p - (const unsigned char *)data);
            sz->text_bytes += rec.text_len;
            sz->frame_bytes += (uint64_t)(end - p);
            sz->plain_bytes += r;
        }
    }
    ns__buf_free(&plain);
    ns__record_free(&rec);
    return st;
}
