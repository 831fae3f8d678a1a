#!/bin/bash
# The README's first command, as a user runs it: index the bundled sample,
# then `nsearch "Latakia airbase"` must put the seed article first with
# both words highlighted; JSON output must be valid with every field.
. "$(dirname "$0")/lib.bash"
IDX="$TMP/idx"

run index --index "$IDX" "$NS_SOURCE_DIR/corpus/sample"
expect_rc 0 "index the sample"
expect_no_out "index is quiet when stdout is not a terminal"

run --index "$IDX" "Latakia airbase"
expect_rc 0 "search finds results"
first=$(head -n 1 "$TMP/out")
case "$first" in
"1. U.S., Russia Renew Syria Talks as Putin Mulls Sending Troops") ok ;;
*) bad "seed article is not first: $first" ;;
esac
expect_out '\*\*Latakia\*\*' "Latakia highlighted with plain markers"
expect_out '\*\*airbase\*\*' "airbase highlighted"

NO_COLOR=1 run --index "$IDX" "Latakia airbase"
if grep -q '\*\*' "$TMP/out"; then bad "NO_COLOR still marks"; else ok; fi

run --index "$IDX" --color always "Latakia"
if grep -q $'\x1b\[1;31mLatakia' "$TMP/out"; then ok; else bad "--color always"; fi

# Another inflection of the query word is found and highlighted.
run --index "$IDX" airbases
expect_rc 0 "airbases finds airbase"
expect_out '\*\*airbase\*\*' "the inflection is highlighted"

run --index "$IDX" --format json "Syria sanctions"
expect_rc 0 "json search"
python3 - "$TMP/out" <<'PY' && ok || bad "json output invalid"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
summary = json.loads(lines.pop())  # the last line: total and facets
assert "facets" in summary and "rank" not in summary, summary
assert len(lines) == 10, len(lines)
for i, l in enumerate(lines, 1):
    o = json.loads(l)
    for k in ("rank", "id", "score", "title", "date", "source", "url",
              "snippet", "highlights"):
        assert k in o, k
    assert o["rank"] == i
    s = o["snippet"].encode("utf-8")
    assert o["highlights"], "no highlight in %r" % o["snippet"]
    for a, b in o["highlights"]:
        w = s[a:b].decode("utf-8").lower()
        assert w.startswith("syria") or w.startswith("sanction"), w
scores = [json.loads(l)["score"] for l in lines]
assert scores == sorted(scores, reverse=True)
PY

run --index "$IDX" -n 3 Syria
expect_rc 0 "-n 3"
n=$(grep -cE '^[0-9]+\. ' "$TMP/out")
[ "$n" -eq 3 ] && ok || bad "-n 3 printed $n results"

run --index "$IDX" --format html '<b>Syria'
expect_out '<mark>Syria</mark>' "html marks"

run --index "$IDX" zzyzxnotaword
expect_rc 1 "no match exits 1"

run --index "$IDX" ""
expect_rc 2 "empty query"
expect_err "no word to search" "empty query message"

run --index "$IDX" "..."
expect_rc 2 "punctuation-only query"

run --index "$TMP/nothere" Syria
expect_rc 2 "missing index"
expect_err "nothere" "missing index names the path"

run --index "$IDX" --frobnicate Syria
expect_rc 2 "bad option"
expect_err "unknown option" "bad option message"

run --index "$IDX"
expect_rc 2 "no query"

run --help
expect_rc 0 "--help"
expect_out "usage: nsearch" "--help text"
run --version
expect_rc 0 "--version"
expect_out "^nsearch [0-9]+\.[0-9]+\.[0-9]+" "--version text"

# Indexing the same input again leaves one copy of each article.
run status --index "$IDX"
before=$(grep articles "$TMP/out")
run index --index "$IDX" "$NS_SOURCE_DIR/corpus/sample"
expect_rc 0 "re-index"
run status --index "$IDX"
after=$(grep articles "$TMP/out")
[ "$before" = "$after" ] && ok || bad "re-index changed counts: $before / $after"
case "$before" in *1001) ok ;; *) bad "sample count: $before" ;; esac
# The same figures as one JSON object, for scripts.
run status --index "$IDX" --format json
expect_rc 0 "status --format json"
python3 - "$TMP/out" "$IDX" <<'EOF' && ok || bad "status JSON: $out"
import json, sys
o = json.load(open(sys.argv[1], encoding="utf-8"))
assert o["index"] == sys.argv[2] and o["articles"] == 1001, o
assert o["sources"] == 1 and o["size_bytes"] > 0 and o["older_bytes"] == 0, o
assert o["positions"] == "maps" and o["writer"] is None, o
assert o["updated"].endswith("Z") and o["shards"] == [], o
EOF
run status --index "$IDX" --format yaml
expect_rc 2 "status --format yaml"
expect_err "unknown format 'yaml'" "status: an unknown format named"

# The default index location.
run index "$NS_SOURCE_DIR/corpus/sample/latakia-article.txt"
expect_rc 0 "index into the default location"
[ -d "$HOME/.local/share/nsearch/index" ] && ok || bad "default index dir"
NSEARCH_INDEX="$IDX" run Latakia
expect_rc 0 "NSEARCH_INDEX"

# The JSON total counts every story once, exactly (its facets check every
# match): as many as the whole list holds.  Xapian's estimate said 400 for
# these 291.
run --index "$IDX" --format json -n 1 "white house"
total=$(tail -n 1 "$TMP/out" | sed -n 's/^{"total":\([0-9]*\).*/\1/p')
run --index "$IDX" --format trec -n 100000 "white house"
rows=$(wc -l <"$TMP/out")
[ -n "$total" ] && [ "$total" -eq "$rows" ] && ok ||
    bad "json total $total, but $rows results"

finish
