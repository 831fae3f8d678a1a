"""nsearch: full-text search for news archives, from Python.

A ctypes binding to libnsearch (no compiled extension): index articles
from files or from memory, search, and read ranked results with their
highlighted snippets.

    import nsearch

    with nsearch.Index("news-index", write=True, create=True) as ix:
        ix.add("Satellite images show the airbase.", id="a1",
               title="Russia builds an airbase", date="2015-09-18")
        stats = ix.add_path("archive.jsonl.zst")
        ix.commit()

    with nsearch.Index("news-index") as ix:
        for hit in ix.search("airbase", limit=5):
            print(hit.rank, hit.title, hit.marked("[", "]"))

A sharded index (shards local or served by xapian-tcpsrv) searches as
one: Index(path, shard=NAME) opens one shard, shards_add(),
shards_retire() and shards_merge() change the list, Index.shards()
describes it, and Index(path, partial=True) searches without the shards
that do not answer (Results.missing names them).

The library is libnsearch.so.0, found by the system's loader, or the
file named by the NSEARCH_LIB environment variable.

Threads: an Index is used by one thread at a time.  Many threads may
search one index at once, each with its own Index, while one writer
updates it; the calls release the GIL.  Each search of a read-only Index
sees the latest commit; a rebuild or compaction made live after it
opened (publish(), compact()) is seen by the Index objects opened since.

The structures below mirror nsearch.h field for field: their layout is
part of libnsearch's ABI (the header appends fields and bumps a struct's
version, never moves one), and python/test_nsearch.py checks every
offset and size against the C compiler's.
"""

import ctypes
import os
from collections import namedtuple

__all__ = ["Index", "Hit", "Results", "IndexStats", "Reject", "Error",
           "ShardInfo", "shards_add", "shards_retire", "shards_merge",
           "version", "strerror"]

# ---------------------------------------------------------------------------
# The library and its ABI

_ABI_MAJOR = 0  # the NS_VERSION_MAJOR this module mirrors


def _load():
    path = os.environ.get("NSEARCH_LIB") or "libnsearch.so.0"
    try:
        return ctypes.CDLL(path)
    except OSError as e:
        raise ImportError("nsearch: cannot load %s (set NSEARCH_LIB to the "
                          "path of libnsearch.so.0): %s" % (path, e)) from e


_lib = _load()

# ns_status values, as pinned in nsearch.h.
OK = 0
ERR_INVALID_ARG = 1
ERR_NOMEM = 2
ERR_IO = 3
ERR_INDEX_OPEN = 4
ERR_INDEX_LOCKED = 5
ERR_INDEX_CORRUPT = 6
ERR_INDEX_MODIFIED = 7
ERR_INDEX_VERSION = 8
ERR_QUERY_SYNTAX = 9
ERR_QUERY_EMPTY = 10
ERR_BACKEND = 11
ERR_ABORTED = 12
ERR_FORMAT = 13
ERR_NOT_FOUND = 14
ERR_DISK_FULL = 15
ERR_SHARD_UNAVAILABLE = 16

OPEN_READ = 0
OPEN_WRITE = 1
OPEN_CREATE = 2
OPEN_REBUILD = 4
OPEN_PARTIAL = 8

INDEX_PRUNE = 1

SORT_RELEVANCE = 0
SORT_NEWEST = 1
SORT_OLDEST = 2
_SORTS = {"relevance": SORT_RELEVANCE, "newest": SORT_NEWEST,
          "oldest": SORT_OLDEST}


class ns_article(ctypes.Structure):
    VERSION = 1
    _fields_ = [("version", ctypes.c_uint),
                ("id", ctypes.c_char_p),
                ("title", ctypes.c_char_p),
                ("date", ctypes.c_char_p),
                ("source", ctypes.c_char_p),
                ("url", ctypes.c_char_p),
                ("author", ctypes.c_char_p),
                ("language", ctypes.c_char_p),
                ("text", ctypes.c_char_p),
                ("text_len", ctypes.c_size_t)]


class ns_reject(ctypes.Structure):
    _fields_ = [("file", ctypes.c_char_p),
                ("where", ctypes.c_char_p),
                ("reason", ctypes.c_char_p)]


class ns_index_stats(ctypes.Structure):
    _fields_ = [("files_seen", ctypes.c_uint64),
                ("files_unchanged", ctypes.c_uint64),
                ("articles_indexed", ctypes.c_uint64),
                ("articles_rejected", ctypes.c_uint64),
                ("files_rejected", ctypes.c_uint64),
                ("bytes_read", ctypes.c_uint64),
                ("articles_unchanged", ctypes.c_uint64),
                ("articles_deleted", ctypes.c_uint64),
                ("files_pruned", ctypes.c_uint64),
                ("bytes_done", ctypes.c_uint64),
                ("articles_by_format", ctypes.c_uint64 * 16)]  # version 3


_REJECT_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ns_reject),
                              ctypes.c_void_p)
_PROGRESS_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ns_index_stats),
                                ctypes.c_void_p)


class ns_index_options(ctypes.Structure):
    VERSION = 4
    _fields_ = [("version", ctypes.c_uint),
                ("on_reject", _REJECT_CB),
                ("on_progress", _PROGRESS_CB),
                ("payload", ctypes.c_void_p),
                ("flags", ctypes.c_uint),
                ("commit_every", ctypes.c_uint),
                ("exclude", ctypes.POINTER(ctypes.c_char_p))]


class ns_search_options(ctypes.Structure):
    VERSION = 3
    _fields_ = [("version", ctypes.c_uint),
                ("limit", ctypes.c_uint),
                ("offset", ctypes.c_uint),
                ("sort", ctypes.c_int),
                ("since", ctypes.c_char_p),
                ("until", ctypes.c_char_p),
                ("no_snippets", ctypes.c_int),
                ("snippet_len", ctypes.c_uint),
                ("plain", ctypes.c_int),  # version 2
                ("feedback", ctypes.c_int),  # version 3
                ("all", ctypes.c_int),
                ("facets", ctypes.c_int),
                ("recent", ctypes.c_int)]


class ns_highlight(ctypes.Structure):
    _fields_ = [("start", ctypes.c_size_t),
                ("end", ctypes.c_size_t)]


class ns_hit(ctypes.Structure):
    _fields_ = [("rank", ctypes.c_uint),
                ("score", ctypes.c_double),
                ("id", ctypes.c_char_p),
                ("title", ctypes.c_char_p),
                ("date", ctypes.c_char_p),
                ("source", ctypes.c_char_p),
                ("url", ctypes.c_char_p),
                ("author", ctypes.c_char_p),
                ("snippet", ctypes.c_void_p),  # bytes with snippet_len
                ("snippet_len", ctypes.c_size_t),
                ("highlights", ctypes.POINTER(ns_highlight)),
                ("n_highlights", ctypes.c_size_t),
                ("duplicates", ctypes.c_uint)]


class ns_facet_count(ctypes.Structure):
    _fields_ = [("value", ctypes.c_char_p),
                ("count", ctypes.c_uint64)]


class ns_db_info(ctypes.Structure):
    VERSION = 2
    _fields_ = [("articles", ctypes.c_uint64),
                ("size_bytes", ctypes.c_uint64),
                ("analyzer", ctypes.c_char_p),
                ("updated", ctypes.c_char_p),
                ("writer", ctypes.c_char_p),
                ("sources", ctypes.c_uint64),
                ("files", ctypes.c_uint64),
                ("location", ctypes.c_char_p),
                ("other_bytes", ctypes.c_uint64)]


class ns_open_options(ctypes.Structure):
    VERSION = 2
    _fields_ = [("version", ctypes.c_uint),
                ("flags", ctypes.c_uint),
                ("lock_timeout_ms", ctypes.c_int),
                ("shard", ctypes.c_char_p),  # version 2
                ("remote_timeout_ms", ctypes.c_int),
                ("connect_timeout_ms", ctypes.c_int)]


class ns_shard_info(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p),
                ("location", ctypes.c_char_p),
                ("remote", ctypes.c_int),
                ("available", ctypes.c_int),
                ("error", ctypes.c_char_p),
                ("articles", ctypes.c_uint64)]


_p = ctypes.c_void_p  # opaque handles: ns_db *, ns_results *


def _fn(name, restype, *argtypes):
    f = getattr(_lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


_strerror = _fn("ns_strerror", ctypes.c_char_p, ctypes.c_int)
_version_string = _fn("ns_version_string", ctypes.c_char_p)
_version_number = _fn("ns_version_number", ctypes.c_uint)
_format_name = _fn("ns_format_name", ctypes.c_char_p, ctypes.c_uint)
_free = _fn("ns_free", None, ctypes.c_void_p)
_db_open_v2 = _fn("ns_db_open_v2", ctypes.c_int, ctypes.c_char_p,
                  ctypes.POINTER(ns_open_options), ctypes.POINTER(_p),
                  ctypes.POINTER(ctypes.c_void_p))
_db_close = _fn("ns_db_close", None, _p)
_db_errmsg = _fn("ns_db_errmsg", ctypes.c_char_p, _p)
_db_add_article = _fn("ns_db_add_article", ctypes.c_int, _p,
                      ctypes.POINTER(ns_article))
_db_delete = _fn("ns_db_delete", ctypes.c_int, _p, ctypes.c_char_p)
_db_commit = _fn("ns_db_commit", ctypes.c_int, _p)
_db_publish = _fn("ns_db_publish", ctypes.c_int, _p)
_db_compact = _fn("ns_db_compact", ctypes.c_int, _p)
_db_add_path = _fn("ns_db_add_path", ctypes.c_int, _p, ctypes.c_char_p,
                   ctypes.POINTER(ns_index_options),
                   ctypes.POINTER(ns_index_stats))
_db_search = _fn("ns_db_search", ctypes.c_int, _p, ctypes.c_char_p,
                 ctypes.POINTER(ns_search_options), ctypes.POINTER(_p))
_results_count = _fn("ns_results_count", ctypes.c_size_t, _p)
_results_total = _fn("ns_results_total", ctypes.c_uint64, _p)
_results_get = _fn("ns_results_get", ctypes.POINTER(ns_hit), _p,
                   ctypes.c_size_t)
_results_note = _fn("ns_results_note", ctypes.c_char_p, _p)
_results_suggestion = _fn("ns_results_suggestion", ctypes.c_char_p, _p)
_results_facet_count = _fn("ns_results_facet_count", ctypes.c_size_t, _p,
                           ctypes.c_int)
_results_facet = _fn("ns_results_facet", ctypes.POINTER(ns_facet_count), _p,
                     ctypes.c_int, ctypes.c_size_t)
_results_free = _fn("ns_results_free", None, _p)
_results_missing = _fn("ns_results_missing", ctypes.c_char_p, _p,
                       ctypes.c_size_t)
_db_shard_count = _fn("ns_db_shard_count", ctypes.c_size_t, _p)
_db_shard_info = _fn("ns_db_shard_info", ctypes.c_int, _p, ctypes.c_size_t,
                     ctypes.POINTER(ns_shard_info))
_shards_add = _fn("ns_shards_add", ctypes.c_int, ctypes.c_char_p,
                  ctypes.c_char_p, ctypes.POINTER(ns_open_options),
                  ctypes.POINTER(ctypes.c_void_p))
_shards_retire = _fn("ns_shards_retire", ctypes.c_int, ctypes.c_char_p,
                     ctypes.c_char_p, ctypes.POINTER(ns_open_options),
                     ctypes.POINTER(ctypes.c_void_p))
_shards_merge = _fn("ns_shards_merge", ctypes.c_int, ctypes.c_char_p,
                    ctypes.POINTER(ns_open_options),
                    ctypes.POINTER(ctypes.c_void_p))
_db_stat_v2 = _fn("ns_db_stat_v2", ctypes.c_int, _p, ctypes.c_uint,
                  ctypes.POINTER(ns_db_info))

if _version_number() // 10000 != _ABI_MAJOR:
    raise ImportError("nsearch: libnsearch %s has another ABI than this "
                      "module (major %d)" % (_version_string().decode(),
                                             _ABI_MAJOR))

# ---------------------------------------------------------------------------
# The Python face


def version():
    """The linked libnsearch's version, e.g. "0.1.0"."""
    return _version_string().decode()


def strerror(status):
    """The library's text for a status code."""
    return _strerror(status).decode()


class Error(Exception):
    """A libnsearch failure: .status is the ns_status code (nsearch.ERR_*),
    .message the detail."""

    def __init__(self, status, message=""):
        self.status = status
        self.message = message or strerror(status)
        super().__init__("%s (%s)" % (self.message, strerror(status))
                         if message else self.message)


def _enc(s):
    if s is None:
        return None
    if isinstance(s, bytes):
        return s
    return str(s).encode("utf-8")


def _dec(b):
    return b.decode("utf-8", "replace") if b is not None else ""


Reject = namedtuple("Reject", "file where reason")
Reject.__doc__ = "An input add_path() could not read, and why."

IndexStats = namedtuple("IndexStats", [f for f, _ in ns_index_stats._fields_])
IndexStats.__doc__ = ("The counters of an add_path() run; "
                      "articles_by_format: {format name: articles read}.")


def _index_stats(s):
    """An IndexStats of the ns_index_stats s (copied: s may go away)."""
    values = []
    for f in IndexStats._fields:
        v = getattr(s, f)
        if f == "articles_by_format":
            v = {_format_name(i).decode(): v[i] for i in range(len(v))
                 if v[i] and _format_name(i)}
        values.append(v)
    return IndexStats(*values)

Info = namedtuple("Info", [f for f, _ in ns_db_info._fields_])
Info.__doc__ = "What Index.stat() reports (the fields of ns_db_info)."


class Hit:
    """One result: rank (1-based, counting the offset), score, id, title,
    date, source, url, author, snippet, highlights, the (start, end)
    ranges of the matched words within snippet (as str indices), and
    duplicates, the near-duplicates of it left out of the results."""

    __slots__ = ("rank", "score", "id", "title", "date", "source", "url",
                 "author", "snippet", "highlights", "duplicates")

    def __init__(self, h):
        self.rank = h.rank
        self.score = h.score
        self.id = _dec(h.id)
        self.title = _dec(h.title)
        self.date = _dec(h.date)
        self.source = _dec(h.source)
        self.url = _dec(h.url)
        self.author = _dec(h.author)
        self.duplicates = h.duplicates
        raw = ctypes.string_at(h.snippet, h.snippet_len) if h.snippet else b""
        self.snippet = raw.decode("utf-8", "replace")
        # The library gives byte offsets into the UTF-8 snippet.
        self.highlights = []
        for i in range(h.n_highlights):
            hl = h.highlights[i]
            start = len(raw[:hl.start].decode("utf-8", "replace"))
            end = start + len(raw[hl.start:hl.end].decode("utf-8", "replace"))
            self.highlights.append((start, end))

    def marked(self, left="**", right="**"):
        """The snippet with each highlighted range between left and right."""
        out, at = [], 0
        for start, end in self.highlights:
            out += [self.snippet[at:start], left, self.snippet[start:end],
                    right]
            at = end
        out.append(self.snippet[at:])
        return "".join(out)

    def __repr__(self):
        return "<Hit %d %r %s>" % (self.rank, self.title, self.id)


class Results(list):
    """The hits of a search (a list); .total, the estimated number of
    matching articles in the whole index; .note, how a malformed query was
    read ("" when it was read as written); .suggestion, "did you mean"
    ("" when no word needs it); .facets, with search(facets=True),
    {"source": [(source, count), ...] most first, "month": [("YYYY-MM",
    count), ...] oldest first}, counting every match; .missing, the names
    of the shards this search left out because they did not answer (an
    Index opened with partial=True), else []."""

    def __init__(self, hits, total, note="", suggestion="", facets=None,
                 missing=None):
        super().__init__(hits)
        self.total = total
        self.note = note
        self.suggestion = suggestion
        self.facets = facets or {}
        self.missing = missing or []


class Index:
    """An open index: Index(path) to search it, Index(path, write=True)
    to add and delete articles (taking the writer's lock), with
    create=True to create it if missing.  A writer waits up to
    lock_timeout seconds for another writer to finish (0: fail at once
    with ERR_INDEX_LOCKED; None: wait as long as it takes).
    rebuild=True builds a new index beside the live one, which publish()
    makes live.  Close it with close() or use it in a with block; pending
    changes are committed on close.

    A sharded index (see nsearch.h, "Shards"): shard="NAME" opens that
    one shard of the index at path (a writer with create=True creates it
    and lists it); without it, a reader searches every shard as one
    index.  timeout and connect_timeout bound each wait for a remote
    shard, in seconds (None: 10; negative: forever); a shard that does
    not answer raises Error(ERR_SHARD_UNAVAILABLE), or with partial=True
    the searches go on without it and name it in Results.missing."""

    def __init__(self, path, write=False, create=False, rebuild=False,
                 lock_timeout=0, *, shard=None, partial=False, timeout=None,
                 connect_timeout=None):
        opts = _open_options(lock_timeout, shard, timeout, connect_timeout)
        opts.flags = (OPEN_WRITE if write or create or rebuild else 0) | \
            (OPEN_CREATE if create else 0) | \
            (OPEN_REBUILD if rebuild else 0) | (OPEN_PARTIAL if partial else 0)
        self._db = _p()
        msg = ctypes.c_void_p()
        st = _db_open_v2(_enc(os.fspath(path)), ctypes.byref(opts),
                         ctypes.byref(self._db), ctypes.byref(msg))
        _raise_with(st, msg)
        self.path = os.fspath(path)

    def close(self):
        """Close the index (committing a writer's pending changes)."""
        if getattr(self, "_db", None):
            _db_close(self._db)
            self._db = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def _handle(self):
        if not self._db:
            raise ValueError("nsearch: the index is closed")
        return self._db

    def _check(self, st):
        if st != OK:
            raise Error(st, _dec(_db_errmsg(self._db)))

    def add(self, text="", *, id=None, title=None, date=None, source=None,
            url=None, author=None, language=None):
        """Add (or, by id, replace) one article given in memory.  date is
        RFC 3339 on the publisher's clock ("2015-09-18",
        "2015-09-18T10:00:00Z" or "2015-09-18T06:00:00-04:00"): date ranges
        use its clock time as written.  Visible to searches after
        commit()."""
        db = self._handle()
        body = _enc(text or "")
        a = ns_article(ns_article.VERSION, _enc(id), _enc(title), _enc(date),
                       _enc(source), _enc(url), _enc(author), _enc(language),
                       body, len(body))
        self._check(_db_add_article(db, ctypes.byref(a)))

    def add_path(self, path, on_reject=None, on_progress=None, prune=False,
                 commit_every=0, exclude=()):
        """Add every article under path (file, archive or directory; formats
        detected by content), skipping the files unchanged since they were
        indexed.  on_reject(Reject) is called for each input that cannot be
        read, on_progress(IndexStats) now and then; either may raise to
        stop the run (the exception propagates).  prune=True removes the
        articles of files indexed before under path and gone since.
        commit_every: articles per commit (0: the library's default).
        exclude: glob patterns of files and folders under path not to read
        (as `nsearch index --exclude`); with prune=True, the articles of
        files now excluded are removed too.
        Returns the IndexStats."""
        db = self._handle()
        raised = []

        def guard(fn, arg):
            try:
                fn(arg)
                return 0
            except BaseException as e:  # stop the run, re-raise below
                raised.append(e)
                return 1

        def reject_cb(r, _payload):
            r = r.contents
            return guard(on_reject, Reject(_dec(r.file), _dec(r.where),
                                           _dec(r.reason)))

        def progress_cb(s, _payload):
            s = s.contents
            return guard(on_progress, _index_stats(s))

        opts = ns_index_options(ns_index_options.VERSION)
        opts.flags = INDEX_PRUNE if prune else 0
        opts.commit_every = commit_every
        patterns = [_enc(p) for p in exclude]
        if patterns:  # NULL-terminated; kept alive in a local
            pats = (ctypes.c_char_p * (len(patterns) + 1))(*patterns, None)
            opts.exclude = ctypes.cast(pats, ctypes.POINTER(ctypes.c_char_p))
        # The callbacks must outlive the call: keep them in locals.
        rcb = _REJECT_CB(reject_cb) if on_reject else _REJECT_CB()
        pcb = _PROGRESS_CB(progress_cb) if on_progress else _PROGRESS_CB()
        opts.on_reject = rcb
        opts.on_progress = pcb
        stats = ns_index_stats()
        st = _db_add_path(db, _enc(os.fspath(path)), ctypes.byref(opts),
                          ctypes.byref(stats))
        if raised:
            raise raised[0]
        self._check(st)
        return _index_stats(stats)

    def delete(self, id):
        """Delete the article with this id (Error ERR_NOT_FOUND if none)."""
        self._check(_db_delete(self._handle(), _enc(id)))

    def commit(self):
        """Make the changes so far durable and visible to new searches."""
        self._check(_db_commit(self._handle()))

    def publish(self):
        """Make the index a rebuild=True Index built the live one,
        atomically (searches see the old index or the new one, whole)."""
        self._check(_db_publish(self._handle()))

    def compact(self):
        """Compact the index (smaller, faster to search), atomically."""
        self._check(_db_compact(self._handle()))

    def search(self, query, *, limit=10, offset=0, sort="relevance",
               since=None, until=None, snippets=True, snippet_len=0,
               plain=False, feedback=False, all=False, facets=False,
               recent=False):
        """Search: query in the nsearch query language (plain=True: plain
        words); sort is "relevance", "newest" or "oldest"; since and until
        are dates (YYYY, YYYY-MM or YYYY-MM-DD), inclusive.  feedback:
        pseudo-relevance feedback; all: near-duplicates as results of
        their own; facets: count matches by source and month; recent:
        newer articles rank higher.  Returns Results."""
        db = self._handle()
        if sort not in _SORTS:
            raise ValueError("sort is relevance, newest or oldest")
        o = ns_search_options(ns_search_options.VERSION, limit, offset,
                              _SORTS[sort], _enc(since), _enc(until),
                              0 if snippets else 1, snippet_len, bool(plain),
                              bool(feedback), bool(all), bool(facets),
                              bool(recent))
        res = _p()
        self._check(_db_search(db, _enc(query), ctypes.byref(o),
                               ctypes.byref(res)))
        try:
            hits = [Hit(_results_get(res, i).contents)
                    for i in range(_results_count(res))]
            counts = {}
            for name, f in (("source", 0), ("month", 1)):
                n = _results_facet_count(res, f)
                if n:
                    counts[name] = [(_dec(c.value), c.count) for c in (
                        _results_facet(res, f, i).contents
                        for i in range(n))]
            missing = []
            while _results_missing(res, len(missing)) is not None:
                missing.append(_dec(_results_missing(res, len(missing))))
            return Results(hits, _results_total(res),
                           _dec(_results_note(res)),
                           _dec(_results_suggestion(res)), counts, missing)
        finally:
            _results_free(res)

    def stat(self):
        """What the index holds: an Info (articles, size_bytes, analyzer,
        updated, writer, sources, files, location, other_bytes)."""
        info = ns_db_info()
        self._check(_db_stat_v2(self._handle(), ns_db_info.VERSION,
                                ctypes.byref(info)))
        return Info(*(_dec(getattr(info, f)) if t is ctypes.c_char_p
                      else getattr(info, f) for f, t in ns_db_info._fields_))

    def shards(self):
        """The shards of a sharded index, as listed when it opened: a list
        of ShardInfo (name, location, remote, available, error, articles);
        [] for an index that is not sharded.  Asks each remote shard for
        its number of articles."""
        db = self._handle()
        out = []
        for i in range(_db_shard_count(db)):
            info = ns_shard_info()
            self._check(_db_shard_info(db, i, ctypes.byref(info)))
            out.append(ShardInfo(
                _dec(info.name), _dec(info.location), bool(info.remote),
                bool(info.available), _dec(info.error), info.articles))
        return out


ShardInfo = namedtuple("ShardInfo", ["name", "location", "remote",
                                     "available", "error", "articles"])
ShardInfo.__doc__ = "One shard of a sharded index (ns_shard_info)."


def _open_options(lock_timeout=0, shard=None, timeout=None,
                  connect_timeout=None):
    def ms(t):
        return 0 if t is None else -1 if t < 0 else max(1, int(t * 1000))
    opts = ns_open_options(ns_open_options.VERSION)
    opts.lock_timeout_ms = -1 if lock_timeout is None else \
        int(lock_timeout * 1000)
    opts.shard = _enc(shard)
    opts.remote_timeout_ms = ms(timeout)
    opts.connect_timeout_ms = ms(connect_timeout)
    return opts


def _raise_with(st, msg):
    """Raise Error(st) with the detail message msg (a char * the library
    allocated, freed here) unless st is OK."""
    detail = ctypes.string_at(msg.value).decode("utf-8", "replace") \
        if msg.value else ""
    _free(msg)
    if st != OK:
        raise Error(st, detail)


def shards_add(path, shard, *, lock_timeout=0, timeout=None,
               connect_timeout=None):
    """List a shard in the sharded index at path (a new, empty directory
    becomes one): a name, for the index in path/shards/NAME (create it
    with Index(path, create=True, shard=NAME)), or "host:port", a remote
    shard served by xapian-tcpsrv or `nsearch serve`, which must answer.
    The list changes atomically; listing a listed shard does nothing."""
    msg = ctypes.c_void_p()
    opts = _open_options(lock_timeout, None, timeout, connect_timeout)
    _raise_with(_shards_add(_enc(os.fspath(path)), _enc(shard),
                            ctypes.byref(opts), ctypes.byref(msg)), msg)


def shards_retire(path, shard, *, lock_timeout=0):
    """Take a shard out of the list of the sharded index at path (its data
    stays; shards_add() lists it again).  Error ERR_NOT_FOUND if it is
    not listed."""
    msg = ctypes.c_void_p()
    opts = _open_options(lock_timeout)
    _raise_with(_shards_retire(_enc(os.fspath(path)), _enc(shard),
                               ctypes.byref(opts), ctypes.byref(msg)), msg)


def shards_merge(path, *, lock_timeout=0):
    """Merge the local shards of the sharded index at path into one index,
    in place, atomically (Xapian's compaction)."""
    msg = ctypes.c_void_p()
    opts = _open_options(lock_timeout)
    _raise_with(_shards_merge(_enc(os.fspath(path)), ctypes.byref(opts),
                              ctypes.byref(msg)), msg)