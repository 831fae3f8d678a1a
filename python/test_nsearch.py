"""Tests of the nsearch Python module (python3 -m unittest test_nsearch).

The library is NSEARCH_LIB (or the loader's libnsearch.so.0), the header
whose layout the ctypes structures must match is NSEARCH_HEADER (or
../include/nsearch.h), compiled with $CC (or cc).
"""

import ctypes
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import nsearch

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = os.environ.get("NSEARCH_HEADER") or \
    os.path.join(HERE, "..", "include", "nsearch.h")

ARTICLES = [
    dict(id="a1", title="Russia builds an airbase near Latakia",
         date="2015-09-18T10:00:00Z", source="Wire", url="https://n.example/1",
         author="A. Writer",
         text="Satellite images show Russia expanding the airbase. The "
              "airbases of the coast are busy."),
    dict(id="a2", title="Markets close higher", date="2015-09-19",
         source="Wire", text="Stocks rose. A passing mention of Latakia."),
    dict(id="a3", title="Pérez wins the election", date="2016-01-02",
         source="Diario", text="José Pérez won; the count was close."),
]


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="nspy")
        self.path = os.path.join(self.dir, "idx")
        with nsearch.Index(self.path, create=True) as ix:
            for a in ARTICLES:
                a = dict(a)
                ix.add(a.pop("text"), **a)
            ix.commit()

    def tearDown(self):
        shutil.rmtree(self.dir)


class TestSearch(Base):
    def test_version(self):
        self.assertRegex(nsearch.version(), r"^\d+\.\d+\.\d+$")
        with open(HEADER, encoding="utf-8") as f:
            m = re.search(r'#define NS_VERSION_STRING\s+"([^"]+)"', f.read())
        self.assertEqual(nsearch.version(), m.group(1))

    def test_rank_fields_highlights(self):
        with nsearch.Index(self.path) as ix:
            r = ix.search("latakia airbase")
        self.assertEqual([h.id for h in r], ["a1", "a2"])
        self.assertEqual(r.total, 2)
        h = r[0]
        self.assertEqual((h.rank, h.title, h.date, h.source, h.url, h.author),
                         (1, ARTICLES[0]["title"], "2015-09-18T10:00:00Z",
                          "Wire", "https://n.example/1", "A. Writer"))
        self.assertGreater(h.score, r[1].score)
        words = [h.snippet[s:e].lower() for s, e in h.highlights]
        self.assertIn("airbases", words)
        for w in words:
            self.assertTrue(w.startswith(("airbase", "latakia")), w)
        self.assertIn("[airbases]", h.marked("[", "]"))
        self.assertEqual(r[1].author, "")  # unknown fields are ""

    def test_highlights_are_str_indices(self):
        with nsearch.Index(self.path) as ix:
            r = ix.search("perez")
        self.assertEqual(len(r), 1)
        h = r[0]
        # "José" before the match is multi-byte in UTF-8.
        self.assertEqual([h.snippet[s:e] for s, e in h.highlights][-1],
                         "Pérez")

    def test_options(self):
        with nsearch.Index(self.path) as ix:
            self.assertEqual(len(ix.search("latakia", limit=1)), 1)
            r = ix.search("latakia", limit=1, offset=1)
            self.assertEqual([(h.rank, h.id) for h in r], [(2, "a2")])
            self.assertEqual([h.id for h in ix.search("latakia",
                                                      sort="oldest")],
                             ["a1", "a2"])
            self.assertEqual([h.id for h in ix.search("latakia",
                                                      sort="newest")],
                             ["a2", "a1"])
            self.assertEqual([h.id for h in ix.search(
                "latakia", since="2015-09-19", until="2015-12")], ["a2"])
            h = ix.search("latakia", snippets=False)[0]
            self.assertEqual((h.snippet, h.highlights), ("", []))
            self.assertEqual(len(ix.search("zzyzx")), 0)

    def test_replace_and_delete(self):
        with nsearch.Index(self.path, write=True) as ix:
            ix.add("The airbase closed.", id="a1", title="Closed")
            ix.delete("a2")
            ix.commit()
            with self.assertRaises(nsearch.Error) as e:
                ix.delete("a2")
            self.assertEqual(e.exception.status, nsearch.ERR_NOT_FOUND)
            self.assertEqual(ix.stat().articles, 2)
        with nsearch.Index(self.path) as ix:
            self.assertEqual([h.title for h in ix.search("airbase")],
                             ["Closed"])
            self.assertEqual(len(ix.search("markets")), 0)

    def test_stat(self):
        with nsearch.Index(self.path) as ix:
            info = ix.stat()
        self.assertEqual(info.articles, 3)
        self.assertGreater(info.size_bytes, 0)
        self.assertTrue(info.analyzer)
        self.assertRegex(info.updated, r"^\d{4}-\d\d-\d\dT")
        self.assertEqual(info.writer, "")
        self.assertEqual(info.sources, 2)
        self.assertTrue(info.location.startswith(self.path))
        with nsearch.Index(self.path, write=True):
            with nsearch.Index(self.path) as ix:
                self.assertIn(str(os.getpid()), ix.stat().writer)

    def test_note(self):
        with nsearch.Index(self.path) as ix:
            self.assertEqual(ix.search("latakia").note, "")
            r = ix.search('"airbase near')  # read as a closed phrase
            self.assertTrue(r.note)
            self.assertTrue(len(r) >= 1)

    def test_duplicates_facets_suggestion(self):
        # Near-duplicates need 20 words or more.
        story = ("Russian aircraft were seen at the airbase near Latakia on "
                 "Friday, officials said, as talks on a ceasefire resumed "
                 "in Geneva and diplomats from both sides met for a third "
                 "day without an agreement.")
        with nsearch.Index(self.path, write=True) as ix:
            ix.add(story, id="d1", title="Jets at the airbase",
                   source="Wire One", date="2015-09-20")
            ix.add(story, id="d2", title="Jets at the airbase",
                   source="Wire Two", date="2015-09-20")
            ix.commit()
        with nsearch.Index(self.path) as ix:
            r = ix.search("jets airbase")
            self.assertEqual(len(r), 2)  # a1, and one of d1/d2
            dup = [h for h in r if h.id in ("d1", "d2")]
            self.assertEqual([h.duplicates for h in dup], [1])
            r = ix.search("jets airbase", all=True)
            self.assertEqual(sorted(h.id for h in r), ["a1", "d1", "d2"])
            self.assertEqual(r.facets, {})
            r = ix.search("airbase", facets=True)
            self.assertEqual(dict(r.facets["source"]),
                             {"Wire": 1, "Wire One": 1, "Wire Two": 1})
            self.assertEqual(r.facets["month"], [("2015-09", 3)])
            self.assertEqual(ix.search("airbase").suggestion, "")
            self.assertEqual(ix.search("latakai").suggestion, "latakia")
            for kw in ({"feedback": True}, {"recent": True},
                       {"plain": True}):
                self.assertIn("a1", [h.id for h in
                                     ix.search("latakia", **kw)])

    def test_lock_timeout(self):
        with nsearch.Index(self.path, write=True):
            with self.assertRaises(nsearch.Error) as e:
                nsearch.Index(self.path, write=True, lock_timeout=0.2)
            self.assertEqual(e.exception.status, nsearch.ERR_INDEX_LOCKED)
            self.assertIn(str(os.getpid()), str(e.exception))

    def test_rebuild_publish_compact(self):
        with nsearch.Index(self.path, rebuild=True) as ix:
            ix.add("Only this one about wheat.", id="r1", title="Rebuilt")
            with nsearch.Index(self.path) as r:  # the live index, untouched
                self.assertEqual(r.stat().articles, 3)
            ix.publish()
        with nsearch.Index(self.path) as r:
            self.assertEqual([h.id for h in r.search("wheat")], ["r1"])
            self.assertEqual(len(r.search("latakia")), 0)
        with nsearch.Index(self.path, write=True) as ix:
            ix.compact()
        with nsearch.Index(self.path) as r:
            self.assertEqual(r.stat().articles, 1)

    def test_errors(self):
        with self.assertRaises(nsearch.Error) as e:
            nsearch.Index(os.path.join(self.dir, "none"))
        self.assertEqual(e.exception.status, nsearch.ERR_INDEX_OPEN)
        self.assertIn("none", str(e.exception))
        with nsearch.Index(self.path, write=True):
            with self.assertRaises(nsearch.Error) as e:
                nsearch.Index(self.path, write=True)
            self.assertEqual(e.exception.status, nsearch.ERR_INDEX_LOCKED)
        with nsearch.Index(self.path) as ix:
            for q, st in (("", nsearch.ERR_QUERY_EMPTY),
                          ("...", nsearch.ERR_QUERY_EMPTY)):
                with self.assertRaises(nsearch.Error) as e:
                    ix.search(q)
                self.assertEqual(e.exception.status, st)
            with self.assertRaises(nsearch.Error) as e:
                ix.search("latakia", since="yesterday")
            self.assertEqual(e.exception.status, nsearch.ERR_INVALID_ARG)
            with self.assertRaises(ValueError):
                ix.search("latakia", sort="sideways")
            with self.assertRaises(nsearch.Error) as e:
                ix.add("read-only", id="x")
            self.assertEqual(e.exception.status, nsearch.ERR_INVALID_ARG)
        ix.close()  # twice is fine
        with self.assertRaises(ValueError):
            ix.search("latakia")
        self.assertEqual(nsearch.strerror(nsearch.OK) != "", True)


class TestAddPath(Base):
    def write(self, name, lines):
        p = os.path.join(self.dir, name)
        with open(p, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        return p

    def test_add_path_and_rejects(self):
        good = self.write("good.jsonl", [
            '{"id": "j1", "title": "Drought hits the wheat harvest", '
            '"date": "2020-07-01", "text": "Wheat yields fell."}',
            '{"id": "j2", "title": "Rain returns", "text": "Wheat grows."}'])
        bad = self.write("bad.jsonl", ['{"id": "broken", "title": '])
        rejects = []
        with nsearch.Index(self.path, write=True) as ix:
            st = ix.add_path(good, on_reject=rejects.append)
            self.assertEqual(st.articles_indexed, 2)
            self.assertEqual(rejects, [])
            st = ix.add_path(bad, on_reject=rejects.append)
            self.assertEqual(st.articles_indexed, 0)
            self.assertEqual(st.articles_rejected + st.files_rejected, 1)
            self.assertEqual(len(rejects), 1)
            self.assertTrue(rejects[0].file.endswith("bad.jsonl"))
            self.assertTrue(rejects[0].reason)
            with self.assertRaises(nsearch.Error) as e:
                ix.add_path(os.path.join(self.dir, "missing"))
            self.assertEqual(e.exception.status, nsearch.ERR_NOT_FOUND)
            ix.commit()
        with nsearch.Index(self.path) as ix:
            self.assertEqual([h.id for h in ix.search("wheat", sort="oldest")],
                             ["j2", "j1"])

    def test_incremental_and_prune(self):
        sub = os.path.join(self.dir, "archive")
        os.mkdir(sub)
        a = self.write("archive/a.jsonl", [
            '{"id": "p1", "title": "Wheat one", "text": "Wheat."}'])
        self.write("archive/b.jsonl", [
            '{"id": "p2", "title": "Wheat two", "text": "Wheat."}'])
        with nsearch.Index(self.path, write=True) as ix:
            st = ix.add_path(sub, commit_every=1)
            self.assertEqual(st.articles_indexed, 2)
            st = ix.add_path(sub)  # nothing changed: nothing read again
            self.assertEqual((st.articles_indexed, st.files_unchanged),
                             (0, 2))
            os.unlink(a)
            st = ix.add_path(sub, prune=True)
            self.assertEqual((st.files_pruned, st.articles_deleted), (1, 1))
            ix.commit()
            self.assertEqual([h.id for h in ix.search("wheat")], ["p2"])

    def test_exclude(self):
        sub = os.path.join(self.dir, "archive")
        os.mkdir(sub)
        self.write("archive/a.jsonl", [
            '{"id": "e1", "title": "Barley one", "text": "Barley."}'])
        self.write("archive/notes.jsonl", [
            '{"id": "e2", "title": "Barley two", "text": "Barley."}'])
        with nsearch.Index(self.path, write=True) as ix:
            st = ix.add_path(sub, exclude=["notes.*"])
            self.assertEqual(st.articles_indexed, 1)
            st = ix.add_path(sub)
            self.assertEqual(st.articles_indexed, 1)
            st = ix.add_path(sub, prune=True, exclude=["a.jsonl"])
            self.assertEqual((st.files_pruned, st.articles_deleted), (1, 1))
            ix.commit()
            self.assertEqual([h.id for h in ix.search("barley")], ["e2"])

    def test_callback_exception_stops_the_run(self):
        bad = self.write("bad.jsonl", ['{"id": "broken", "title": '])

        def stop(_reject):
            raise KeyError("stop here")
        with nsearch.Index(self.path, write=True) as ix:
            with self.assertRaises(KeyError):
                ix.add_path(bad, on_reject=stop)


class TestThreads(Base):
    def test_readers_and_a_writer(self):
        failures = []
        done = threading.Event()

        def reader():
            try:
                with nsearch.Index(self.path) as ix:
                    n = 0
                    while not done.is_set() or n < 20:
                        r = ix.search("latakia OR wheat", limit=5)
                        if not r or not all(h.title for h in r):
                            failures.append("bad results")
                        n += 1
            except Exception as e:  # reported below
                failures.append(repr(e))

        threads = [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        with nsearch.Index(self.path, write=True) as ix:
            for b in range(5):
                for i in range(10):
                    ix.add("Wheat report %d %d." % (b, i),
                           id="w%d-%d" % (b, i), title="Wheat %d" % i)
                ix.commit()
        done.set()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        with nsearch.Index(self.path) as ix:
            self.assertEqual(ix.stat().articles, 53)


class TestShards(unittest.TestCase):
    """A sharded index: two local shards search as the one index of the
    same articles; retire, add and merge; a remote shard served by
    xapian-tcpsrv on 127.0.0.1, then down: an error, or with partial=True
    the other shard's results naming it."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="nspysh")
        self.path = os.path.join(self.dir, "news")
        self.one = os.path.join(self.dir, "one")
        for shard, arts in (("s2015", ARTICLES[:2]), ("s2016", ARTICLES[2:])):
            with nsearch.Index(self.path, create=True, shard=shard) as ix:
                for a in arts:
                    a = dict(a)
                    ix.add(a.pop("text"), **a)
        with nsearch.Index(self.one, create=True) as ix:
            for a in ARTICLES:
                a = dict(a)
                ix.add(a.pop("text"), **a)
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.kill()
            self.server.wait()
        shutil.rmtree(self.dir)

    @staticmethod
    def ranked(ix, query):
        return [(h.id, "%.6f" % h.score) for h in ix.search(query)]

    def test_local_shards_retire_add_merge(self):
        queries = ["latakia", "election OR airbase", '"passing mention"']
        with nsearch.Index(self.one) as ix:
            want = [self.ranked(ix, q) for q in queries]
        with nsearch.Index(self.path) as ix:
            self.assertEqual(
                sorted((s.name, s.remote, s.available, s.articles)
                       for s in ix.shards()),
                [("s2015", False, True, 2), ("s2016", False, True, 1)])
            self.assertEqual([self.ranked(ix, q) for q in queries], want)
            self.assertEqual(ix.search("latakia").missing, [])
            self.assertEqual(ix.stat().articles, 3)
        nsearch.shards_retire(self.path, "s2016")
        with self.assertRaises(nsearch.Error) as e:
            nsearch.shards_retire(self.path, "s2016")
        self.assertEqual(e.exception.status, nsearch.ERR_NOT_FOUND)
        with nsearch.Index(self.path) as ix:
            self.assertEqual([s.name for s in ix.shards()], ["s2015"])
            self.assertEqual(len(ix.search("Pérez")), 0)
        nsearch.shards_add(self.path, "s2016")
        with self.assertRaises(nsearch.Error) as e:
            nsearch.shards_add(self.path, "nosuch")
        self.assertEqual(e.exception.status, nsearch.ERR_INDEX_OPEN)
        self.assertIn("nosuch", e.exception.message)
        nsearch.shards_merge(self.path)
        with nsearch.Index(self.path) as ix:
            self.assertEqual(ix.shards(), [])
            self.assertEqual([self.ranked(ix, q) for q in queries], want)

    def serve(self, shard):
        """xapian-tcpsrv serving shard on a free loopback port: the port."""
        tcpsrv = shutil.which("xapian-tcpsrv")
        self.assertTrue(tcpsrv, "no xapian-tcpsrv (Debian's xapian-tools)")
        for _ in range(20):
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            self.server = subprocess.Popen(
                [tcpsrv, "--interface", "127.0.0.1", "--port", str(port),
                 os.path.join(self.path, "shards", shard)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(200):
                if self.server.poll() is not None:
                    break  # the port was taken meanwhile: another
                try:
                    socket.create_connection(("127.0.0.1", port), 1).close()
                    return port
                except OSError:
                    time.sleep(0.05)
            self.server.kill()
            self.server.wait()
        self.fail("xapian-tcpsrv did not start")

    def test_remote_shard_down(self):
        port = self.serve("s2016")
        remote = "127.0.0.1:%d" % port
        rem = os.path.join(self.dir, "rem")
        os.makedirs(os.path.join(rem, "shards"))
        os.symlink(os.path.join(self.path, "shards", "s2015"),
                   os.path.join(rem, "shards", "s2015"))
        nsearch.shards_add(rem, "s2015")
        nsearch.shards_add(rem, remote, timeout=5, connect_timeout=5)
        with nsearch.Index(rem, timeout=5) as ix:
            self.assertEqual(
                sorted((s.name, s.remote, s.available, s.articles)
                       for s in ix.shards()),
                [(remote, True, True, 1), ("s2015", False, True, 2)])
            hits = ix.search("Pérez")
            self.assertEqual([h.id for h in hits], ["a3"])
            self.assertIn("Pérez", hits[0].marked())
        self.server.kill()
        self.server.wait()
        self.server = None
        with self.assertRaises(nsearch.Error) as e:
            with nsearch.Index(rem, connect_timeout=2) as ix:
                ix.search("latakia")
        self.assertEqual(e.exception.status, nsearch.ERR_SHARD_UNAVAILABLE)
        self.assertIn(remote, e.exception.message)
        with nsearch.Index(rem, partial=True, connect_timeout=2) as ix:
            r = ix.search("latakia OR Pérez")
            self.assertEqual(sorted(h.id for h in r), ["a1", "a2"])
            self.assertEqual(r.missing, [remote])
            down = [s for s in ix.shards() if s.remote]
            self.assertFalse(down[0].available)
            self.assertTrue(down[0].error)


def _header_structs(text):
    """{struct: [field, ...]} of the typedef'd structs of nsearch.h."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    structs = {}
    for name, body in re.findall(
            r"typedef struct (\w+) \{(.*?)\} \1;", text, flags=re.S):
        fields = []
        for decl in body.split(";"):
            decl = decl.strip()
            if not decl:
                continue
            m = re.search(r"\(\s*\*\s*(\w+)\s*\)", decl) or \
                re.search(r"(\w+)\s*(\[[^\]]*\])?$", decl)
            fields.append(m.group(1))
        structs[name] = fields
    return structs


class TestABI(unittest.TestCase):
    """The ctypes structures are nsearch.h's, byte for byte."""

    MIRRORS = {c.__name__: c for c in (
        nsearch.ns_article, nsearch.ns_reject, nsearch.ns_index_stats,
        nsearch.ns_index_options, nsearch.ns_search_options,
        nsearch.ns_highlight, nsearch.ns_hit, nsearch.ns_db_info,
        nsearch.ns_open_options, nsearch.ns_shard_info,
        nsearch.ns_facet_count)}
    # Read only by Python, never written by the library into Python's
    # memory, nor an array element: a prefix of the C struct will do.
    PREFIX_OK = {"ns_hit", "ns_reject"}

    @classmethod
    def setUpClass(cls):
        with open(HEADER, encoding="utf-8") as f:
            cls.header = f.read()
        cls.structs = _header_structs(cls.header)
        cc = os.environ.get("CC") or "cc"
        if not shutil.which(cc):
            raise unittest.SkipTest("no C compiler (%s)" % cc)
        lines = ['#include <stddef.h>', '#include <stdio.h>',
                 '#include "nsearch.h"', 'int main(void) {']
        for s, fields in cls.structs.items():
            lines.append('printf("%s - %%zu 0\\n", sizeof(%s));' % (s, s))
            for f in fields:
                lines.append('printf("%s %s %%zu %%zu\\n", offsetof(%s, %s), '
                             'sizeof(((%s *)0)->%s));' % (s, f, s, f, s, f))
        lines.append("return 0; }")
        tmp = tempfile.mkdtemp(prefix="nsabi")
        try:
            src = os.path.join(tmp, "layout.c")
            exe = os.path.join(tmp, "layout")
            with open(src, "w") as f:
                f.write("\n".join(lines) + "\n")
            subprocess.run([cc, "-std=c99", "-I",
                            os.path.dirname(os.path.abspath(HEADER)), src,
                            "-o", exe], check=True)
            out = subprocess.run([exe], check=True, stdout=subprocess.PIPE,
                                 env={}).stdout.decode()
        finally:
            shutil.rmtree(tmp)
        cls.layout = {}
        for line in out.splitlines():
            s, f, off, size = line.split()
            cls.layout[(s, f)] = (int(off), int(size))

    def test_every_struct_is_mirrored(self):
        self.assertGreaterEqual(len(self.structs), 8)
        self.assertEqual(sorted(self.structs), sorted(self.MIRRORS))

    def test_layouts(self):
        for name, cls in self.MIRRORS.items():
            with self.subTest(struct=name):
                c_fields = self.structs[name]
                py_fields = [f for f, _ in cls._fields_]
                self.assertEqual(py_fields, c_fields[:len(py_fields)],
                                 "fields differ or are out of order")
                for f in py_fields:
                    self.assertEqual(
                        (getattr(cls, f).offset, getattr(cls, f).size),
                        self.layout[(name, f)], "%s.%s" % (name, f))
                full = len(py_fields) == len(c_fields)
                if full:
                    self.assertEqual(ctypes.sizeof(cls),
                                     self.layout[(name, "-")][0])
                    continue
                # A shorter mirror is only sound for a versioned struct
                # passed with an older version, or for one Python reads.
                m = re.search(r"#define NS_%s_VERSION\s+(\d+)" %
                              name[3:].upper(), self.header)
                if m and hasattr(cls, "VERSION"):
                    self.assertLess(cls.VERSION, int(m.group(1)),
                                    "%s: mirrors version %d but not all its "
                                    "fields" % (name, cls.VERSION))
                else:
                    self.assertIn(name, self.PREFIX_OK,
                                  "%s: the library writes it whole" % name)

    def test_versions_are_the_headers(self):
        for name, cls in self.MIRRORS.items():
            m = re.search(r"#define NS_%s_VERSION\s+(\d+)" % name[3:].upper(),
                          self.header)
            self.assertEqual(hasattr(cls, "VERSION"), bool(m), name)
            if m:
                self.assertLessEqual(cls.VERSION, int(m.group(1)), name)

    def test_statuses(self):
        body = re.search(r"typedef enum ns_status \{(.*?)\} ns_status;",
                         self.header, flags=re.S).group(1)
        pinned = re.findall(r"NS_(\w+)\s*=\s*(\d+)", body)
        self.assertGreaterEqual(len(pinned), 16)
        for name, value in pinned:
            self.assertEqual(getattr(nsearch, name, None), int(value), name)
            self.assertTrue(nsearch.strerror(int(value)))


if __name__ == "__main__":
    unittest.main()
