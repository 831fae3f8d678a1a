#!/usr/bin/env python3
"""nsearch's own TREC run scorer (stdlib only).

usage: trec_eval.py [--per-query] QRELS RUN

Prints MAP, nDCG@10, P@10 and recall@1000 of RUN (`<qid> Q0 <docid> <rank>
<score> <tag>` lines) against QRELS (`<qid> <iter> <docid> <rel>` lines),
with trec_eval's conventions:
- a document is relevant when rel >= 1;
- the run is ordered by score, descending, ties broken by docid, descending
  (trec_eval ignores the rank column); a docid repeated within a query
  counts once, at its best place;
- only the first 1000 documents of a query count;
- nDCG@10 uses linear gain (gain = rel) and log2(rank + 1) discount, the
  ideal ranking being all judged documents sorted by rel (trec_eval's
  ndcg_cut, as the BEIR tables report);
- the averages are over the judged queries (those with at least one
  relevant document); a judged query missing from the run scores 0
  (trec_eval -c).

Used as a module by bench/eval: score(qrels, run) -> (means, per_query).
"""
import math
import sys

METRICS = ("map", "ndcg@10", "p@10", "recall@1000")
DEPTH = 1000


def read_qrels(path):
    """{qid: {docid: rel}} from a qrels file."""
    qrels = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 4:
                raise ValueError(f"{path}:{lineno}: expected 4 fields")
            qid, _iter, docid, rel = fields
            qrels.setdefault(qid, {})[docid] = int(rel)
    return qrels


def read_run(path):
    """{qid: [(score, docid), ...]} from a run file, in file order."""
    run = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 6:
                raise ValueError(f"{path}:{lineno}: expected 6 fields")
            qid, _q0, docid, _rank, score, _tag = fields
            run.setdefault(qid, []).append((float(score), docid))
    return run


def ranking(rows):
    """The docids of one query's rows in trec_eval's order, deduplicated."""
    ordered = sorted(rows, key=lambda r: (r[0], r[1]), reverse=True)
    seen = set()
    docs = []
    for _score, docid in ordered:
        if docid not in seen:
            seen.add(docid)
            docs.append(docid)
    return docs[:DEPTH]


def query_metrics(docs, judged):
    """The metrics of one ranked list of docids against {docid: rel}."""
    nrel = sum(1 for rel in judged.values() if rel > 0)
    found = 0
    precision_sum = 0.0
    for rank, docid in enumerate(docs, 1):
        if judged.get(docid, 0) > 0:
            found += 1
            precision_sum += found / rank
    top10 = docs[:10]
    dcg = 0.0
    for rank, docid in enumerate(top10, 1):
        gain = judged.get(docid, 0)
        if gain > 0:
            dcg += gain / math.log2(rank + 1)
    gains = sorted((rel for rel in judged.values() if rel > 0), reverse=True)
    idcg = sum(g / math.log2(rank + 1) for rank, g in enumerate(gains[:10], 1))
    return {
        "map": precision_sum / nrel,
        "ndcg@10": dcg / idcg if idcg > 0 else 0.0,
        "p@10": sum(1 for d in top10 if judged.get(d, 0) > 0) / 10.0,
        "recall@1000": found / nrel,
    }


def score(qrels, run):
    """(means, per_query) over the judged queries; means has 'queries'."""
    per_query = {}
    for qid, judged in qrels.items():
        if not any(rel > 0 for rel in judged.values()):
            continue
        per_query[qid] = query_metrics(ranking(run.get(qid, [])), judged)
    n = len(per_query)
    means = {m: (sum(q[m] for q in per_query.values()) / n if n else 0.0)
             for m in METRICS}
    means["queries"] = n
    return means, per_query


def _qid_key(qid):
    return (0, int(qid), "") if qid.isdigit() else (1, 0, qid)


def main(argv):
    args = [a for a in argv[1:] if a != "--per-query"]
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    try:
        means, per_query = score(read_qrels(args[0]), read_run(args[1]))
    except (OSError, ValueError) as e:
        sys.stderr.write(f"trec_eval.py: {e}\n")
        return 2
    if "--per-query" in argv:
        for qid in sorted(per_query, key=_qid_key):
            m = per_query[qid]
            print(qid, " ".join(f"{k}={m[k]:.4f}" for k in METRICS))
    for k in METRICS:
        print(f"{k:<12} {means[k]:.4f}")
    print(f"{'queries':<12} {means['queries']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
