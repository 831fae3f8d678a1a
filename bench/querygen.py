#!/usr/bin/env python3
"""Latency queries drawn from a corpus, deterministically (fixed seed).

usage: querygen.py CORPUS.jsonl [-n N] [--seed S] > queries.txt

Each query comes from one article picked at random: 1 to 4 of its content
words (drawn by their frequency in it, so common words come up as often as
users type them), or a phrase of 2 or 3 consecutive words of its text,
written in double quotes.  Of N queries, about 30% have one word, 25% two,
15% three, 10% four and 20% are phrases; duplicates are dropped.
bench/queries-whitehouse.txt is `querygen.py whitehouse-sample/docs.jsonl`.
"""
import json
import random
import re
import sys

SEED = 20260101
WORD = re.compile(r"[A-Za-z][a-z]{2,}")
# Runs of 2-3 words of letters joined by single spaces, not part of a longer
# token (hyphenated, with an apostrophe, or an abbreviation such as U.S.).
PHRASE = re.compile(r"(?<![\w'’.-])[A-Za-z]{2,}(?: [A-Za-z]{2,}){1,2}"
                    r"(?![\w'’-])(?!\.\w)")
STOP = set("""a about above after again against all also am an and any are as at
be because been before being below between both but by can could did do does
doing down during each few for from further had has have having he her here
hers herself him himself his how i if in into is it its itself just me more
most my myself no nor not now of off on once only or other our ours ourselves
out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up
very was we were what when where which while who whom why will with would
you your yours yourself yourselves mr ms said says one two new""".split())


def load(path):
    docs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                docs.append(d.get("title", "") + "\n" + d.get("text", ""))
    return docs


def words_query(rng, text, k):
    words = [w.lower() for w in WORD.findall(text)]
    words = [w for w in words if w not in STOP]
    if len(set(words)) < k:
        return None
    picked = []
    while len(picked) < k:
        w = rng.choice(words)
        if w not in picked:
            picked.append(w)
    return " ".join(picked)


def phrase_query(rng, text):
    spans = PHRASE.findall(text)
    rng.shuffle(spans)
    for span in spans[:50]:
        words = span.lower().split()
        n = rng.choice((2, 2, 3))
        words = words[:n]
        if len(words) >= 2 and any(w not in STOP and len(w) > 2 for w in words) \
                and words[0] not in STOP and words[-1] not in STOP:
            return '"' + " ".join(words) + '"'
    return None


def generate(docs, n, seed=SEED):
    rng = random.Random(seed)
    plan = ([1] * round(n * 0.30) + [2] * round(n * 0.25) +
            [3] * round(n * 0.15) + [4] * round(n * 0.10))
    plan += ["phrase"] * (n - len(plan))
    out, seen = [], set()
    for kind in plan:
        for _ in range(100):
            text = rng.choice(docs)
            q = (phrase_query(rng, text) if kind == "phrase"
                 else words_query(rng, text, kind))
            if q and q not in seen:
                seen.add(q)
                out.append(q)
                break
    return out


def main(argv):
    args = argv[1:]
    n, seed = 220, SEED
    if "-n" in args:
        i = args.index("-n")
        n = int(args[i + 1])
        del args[i:i + 2]
    if "--seed" in args:
        i = args.index("--seed")
        seed = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 2
    for q in generate(load(args[0]), n, seed):
        print(q)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
