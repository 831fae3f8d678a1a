#!/usr/bin/env python3
"""Tests of the bench tools' logic (no timings): python3 bench/test_bench.py

- trec_eval.py on hand-computed cases (ties, duplicates, graded nDCG,
  unjudged and missing queries);
- the FTS5 query builders never emit FTS5 syntax from user text;
- gen and querygen are deterministic, and gen's first N articles do not
  depend on how many follow (bench/scale relies on it);
- xapian_raw's JSON reader decodes escapes and surrogate pairs (when the
  binary is built).
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchlib as bl  # noqa: E402
import fts5_tool  # noqa: E402
import querygen  # noqa: E402
import trec_eval  # noqa: E402

SAMPLE = os.path.join(bl.SHARED, "news", "whitehouse-sample", "docs.jsonl")
# ctest builds its own xapian_raw and names it here
XAPIAN_RAW = os.environ.get("NS_XAPIAN_RAW") or bl.XAPIAN_RAW


def load_gen():
    import importlib.machinery
    import importlib.util
    loader = importlib.machinery.SourceFileLoader("gen", os.path.join(HERE, "gen"))
    spec = importlib.util.spec_from_loader("gen", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


class TrecEval(unittest.TestCase):
    def test_hand_computed(self):
        qrels = {"1": {"a": 2, "b": 1, "c": 0, "d": 1},
                 "2": {"x": 0},                 # no relevant doc: not averaged
                 "3": {"z": 1}}                 # missing from the run: zeros
        # ties at 0.5: docid descending puts "d" before "c"; "a" repeated
        run = {"1": [(0.9, "a"), (0.5, "c"), (0.5, "d"), (0.1, "b"),
                     (0.05, "a")]}
        means, per = trec_eval.score(qrels, run)
        self.assertEqual(means["queries"], 2)
        q = per["1"]                            # ranking a, d, c, b
        self.assertAlmostEqual(q["map"], (1 / 1 + 2 / 2 + 3 / 4) / 3)
        self.assertAlmostEqual(q["p@10"], 0.3)
        self.assertAlmostEqual(q["recall@1000"], 1.0)
        dcg = 2 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(5)
        idcg = 2 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
        self.assertAlmostEqual(q["ndcg@10"], dcg / idcg)
        self.assertEqual(per["3"], {"map": 0.0, "ndcg@10": 0.0, "p@10": 0.0,
                                    "recall@1000": 0.0})
        self.assertAlmostEqual(means["map"], q["map"] / 2)

    def test_depth_1000(self):
        qrels = {"1": {"rel": 1}}
        run = {"1": [(2000 - i, f"d{i}") for i in range(1000)] + [(0, "rel")]}
        means, _ = trec_eval.score(qrels, run)
        self.assertEqual(means["recall@1000"], 0.0)


class Fts5Queries(unittest.TestCase):
    def test_bag_of_words_quotes_every_word(self):
        self.assertEqual(fts5_tool.bag_of_words('NOT (a* AND "b") OR c:d -e'),
                         '"NOT" OR "a" OR "AND" OR "b" OR "OR" OR "c" OR "d" OR "e"')
        self.assertEqual(fts5_tool.bag_of_words("?!"), "")

    def test_perf_match_keeps_phrases(self):
        self.assertEqual(fts5_tool.perf_match('"white house" ukraine'),
                         '"white house" OR "ukraine"')

    def test_fts5_runs_hostile_queries(self):
        conn = fts5_tool.connect(":memory:", create=True)
        conn.execute("INSERT INTO t(id, title, text) VALUES ('1', 'a', "
                     "'NOT near OR and')")
        for q in ('NOT', 'NEAR(a b)', '"unbalanced', 'a AND OR', '*', "x'y"):
            fts5_tool.run_query(conn, fts5_tool.bag_of_words(q), 10)


@unittest.skipUnless(os.path.exists(SAMPLE), "no shared White House sample")
class Generators(unittest.TestCase):
    def test_gen_deterministic_and_prefix_stable(self):
        gen = load_gen()
        pool = gen.Pool([SAMPLE])
        five = list(gen.generate(pool, 5, seed=3))
        self.assertEqual(five, list(gen.generate(pool, 5, seed=3)))
        self.assertEqual(five[:2], list(gen.generate(pool, 2, seed=3)))
        self.assertNotEqual(five, list(gen.generate(pool, 5, seed=4)))
        self.assertEqual(len({d["id"] for d in five}), 5)
        self.assertTrue(all(d["text"] for d in five))

    def test_querygen_deterministic(self):
        docs = querygen.load(SAMPLE)
        a = querygen.generate(docs, 50)
        self.assertEqual(a, querygen.generate(docs, 50))
        self.assertEqual(len(a), 50)
        with open(os.path.join(HERE, "queries-whitehouse.txt"),
                  encoding="utf-8") as f:
            committed = [l.rstrip("\n") for l in f]
        self.assertEqual(committed, querygen.generate(docs, 220))


@unittest.skipUnless(os.access(XAPIAN_RAW, os.X_OK), "xapian_raw not built")
class XapianRawJson(unittest.TestCase):
    def test_escapes(self):
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "a.jsonl")
            with open(src, "w", encoding="utf-8") as f:
                f.write(json.dumps({"id": "caf\u00e9-\U0001F600",
                                    "title": 'say "hi" \\ there',
                                    "text": "tab\there\nnaïve", "n": [1, {}]})
                        + "\n")
                f.write('{"id": "broken", "title": "x\n')
            db = os.path.join(d, "db")
            p = subprocess.run([XAPIAN_RAW, "index", db, src],
                               capture_output=True)
            self.assertEqual(p.returncode, 3)       # one line rejected
            q = os.path.join(d, "q.tsv")
            with open(q, "w", encoding="utf-8") as f:
                f.write("1\tnaive\n2\thi\n")
            out = subprocess.run([XAPIAN_RAW, "trec", db, q],
                                 capture_output=True, text=True).stdout
            ids = {line.split()[2] for line in out.splitlines()}
            self.assertEqual(ids, {"caf\u00e9-\U0001F600"})


if __name__ == "__main__":
    unittest.main()
