#!/usr/bin/env python3
"""SQLite FTS5, set up the way the relevance README measured it, as a peer.

Table: fts5(id UNINDEXED, title, text,
            tokenize='porter unicode61 remove_diacritics 2'), ranked by bm25()
with its defaults; the id column holds the article id and, being UNINDEXED,
does not enter bm25().  SQLite's default settings otherwise (rollback
journal, synchronous=FULL); each build or update is one transaction.

usage: fts5_tool.py build DB FILE.jsonl...     build DB afresh
       fts5_tool.py add DB FILE.jsonl...       add articles to DB
       fts5_tool.py optimize DB                merge b-trees, then VACUUM
       fts5_tool.py search DB QUERIES.txt [-n N] [--snippets] [--warmup W]
                           [--repeat R]
           after W unmeasured passes, R measured ones each print
           "<microseconds>\t<hits>\t<query>" per query
       fts5_tool.py trec DB QUERIES.tsv [-n N] writes a TREC run to stdout

Queries: bag_of_words() turns any text into its word tokens, each quoted as
an FTS5 string and ORed, so no FTS5 syntax can trigger (the relevance
setup).  Run scores are written with 6 decimals, as Anserini and the
relevance README do; the ties that rounding makes are then broken by docid.
perf_match() does the same but keeps "double-quoted phrases" as
FTS5 phrases (the latency query set).
"""
import json
import os
import re
import sqlite3
import sys
import time

TOKENIZE = "porter unicode61 remove_diacritics 2"
SCHEMA = ("CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, title, text, "
          f"tokenize='{TOKENIZE}')")
WORD = re.compile(r"\w+")
PHRASE_OR_WORD = re.compile(r'"([^"]*)"|(\w+)')


def bag_of_words(query):
    """FTS5 MATCH text: the query's words, each quoted, joined by OR."""
    words = WORD.findall(query)
    return " OR ".join(f'"{w}"' for w in words)


def perf_match(query):
    """FTS5 MATCH text: words ORed, "quoted phrases" kept as phrases."""
    parts = []
    for phrase, word in PHRASE_OR_WORD.findall(query):
        words = WORD.findall(phrase) if phrase else [word]
        if words:
            parts.append('"' + " ".join(words) + '"')
    return " OR ".join(parts)


def articles(paths):
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    d = json.loads(line)
                    yield (d.get("id", ""), d.get("title", ""),
                           d.get("text", ""))


def connect(db, create=False):
    if create and db != ":memory:" and os.path.exists(db):
        os.unlink(db)
    conn = sqlite3.connect(db, isolation_level=None)
    if create:
        conn.execute(SCHEMA)
    return conn


def load(conn, paths):
    """Inserts every article of paths in one transaction; returns the count."""
    conn.execute("BEGIN")
    cur = conn.executemany("INSERT INTO t(id, title, text) VALUES (?, ?, ?)",
                           articles(paths))
    conn.execute("COMMIT")
    return cur.rowcount


def optimize(conn):
    conn.execute("INSERT INTO t(t) VALUES('optimize')")
    conn.execute("VACUUM")


def run_query(conn, match, n, snippets=False):
    """[(id, score, ...)] of the top n, best first (score = -bm25)."""
    if not match:
        return []
    if snippets:
        sql = ("SELECT id, -bm25(t), title, snippet(t, 2, '[', ']', '...', 24) "
               "FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT ?")
    else:
        sql = ("SELECT id, -bm25(t), title FROM t WHERE t MATCH ? "
               "ORDER BY bm25(t) LIMIT ?")
    return conn.execute(sql, (match, n)).fetchall()


def trec_lines(conn, queries, n=1000, tag="fts5"):
    """TREC run lines for [(qid, query text)], queries as bags of words."""
    for qid, text in queries:
        for rank, row in enumerate(run_query(conn, bag_of_words(text), n), 1):
            yield f"{qid} Q0 {row[0]} {rank} {row[1]:.6f} {tag}\n"


def read_tsv(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if "\t" in line:
                out.append(tuple(line.split("\t", 1)))
    return out


def latencies(conn, queries, n=10, snippets=False, warmup=1, repeat=1):
    """[(microseconds, hits, query)]: after warmup unmeasured passes over
    the queries, repeat measured ones."""
    matches = [perf_match(q) for q in queries]
    for _ in range(warmup):
        for m in matches:
            run_query(conn, m, n, snippets)
    out = []
    for _ in range(repeat):
        for q, m in zip(queries, matches):
            t0 = time.perf_counter()
            rows = run_query(conn, m, n, snippets)
            out.append(((time.perf_counter() - t0) * 1e6, len(rows), q))
    return out


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    cmd, db, rest = argv[1], argv[2], argv[3:]
    n = 10 if cmd == "search" else 1000
    snippets, warmup, repeat, files = False, 1, 1, []
    i = 0
    while i < len(rest):
        a = rest[i]
        if a == "-n" and i + 1 < len(rest):
            n = int(rest[i + 1])
            i += 1
        elif a == "--warmup" and i + 1 < len(rest):
            warmup = int(rest[i + 1])
            i += 1
        elif a == "--repeat" and i + 1 < len(rest):
            repeat = int(rest[i + 1])
            i += 1
        elif a == "--snippets":
            snippets = True
        else:
            files.append(a)
        i += 1
    if cmd in ("build", "add"):
        conn = connect(db, create=cmd == "build")
        t0 = time.perf_counter()
        count = load(conn, files)
        conn.close()
        sys.stderr.write(f"# loaded {count} articles in "
                         f"{time.perf_counter() - t0:.3f} s\n")
    elif cmd == "optimize":
        conn = connect(db)
        optimize(conn)
        conn.close()
    elif cmd == "search" and len(files) == 1:
        with open(files[0], encoding="utf-8") as f:
            queries = [q.rstrip("\r\n") for q in f if q.strip()]
        for us, hits, q in latencies(connect(db), queries, n, snippets,
                                     warmup, repeat):
            print(f"{us:.1f}\t{hits}\t{q}")
    elif cmd == "trec" and len(files) == 1:
        sys.stdout.writelines(trec_lines(connect(db), read_tsv(files[0]), n))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
