#!/bin/bash
# What a search adds to the list of results, as a user sees it: the same
# wire story from several outlets shown once with a count (--all shows
# each), the JSON summary line with the facets (counts by source and by
# month, for a timeline), and "did you mean" for a misspelt word.
. "$(dirname "$0")/lib.bash"
IDX="$TMP/idx"
story='Russian warplanes struck targets near the coastal city of Latakia on Tuesday, officials said, in the first strikes since Moscow moved aircraft and troops to an airbase in the region. The United States said it was seeking talks with Russia on how to avoid clashes over Syria.'
cat >"$TMP/news.jsonl" <<EOF
{"id":"w1","title":"Russian jets strike near Latakia","date":"2015-09-30T10:00:00Z","source":"AP","text":"$story"}
{"id":"w2","title":"Russia launches strikes in Syria","date":"2015-09-30T12:00:00Z","source":"Daily Mail","text":"$story"}
{"id":"w3","title":"Russia strikes Syria, U.S. seeks talks","date":"2015-10-01T08:00:00Z","source":"AP","text":"$story (AP)"}
{"id":"t1","title":"Talks on Syria resume in Geneva","date":"2015-10-02T09:00:00Z","source":"Reuters","text":"Diplomats met in Geneva on Friday to resume talks on the future of Syria, with envoys from Russia, the United States and the Gulf states, and agreed to meet again within a month."}
EOF
run index --index "$IDX" "$TMP/news.jsonl"
expect_rc 0 "index"

# The three copies of the story are one result with a count.
run --index "$IDX" latakia
expect_rc 0 "collapsed search"
n=$(grep -cE '^[0-9]+\. ' "$TMP/out")
[ "$n" -eq 1 ] && ok || bad "collapsed: $n results, want 1"
expect_out '\+2 similar' "the count of near-duplicates"
run --index "$IDX" --all latakia
n=$(grep -cE '^[0-9]+\. ' "$TMP/out")
[ "$n" -eq 3 ] && ok || bad "--all: $n results, want 3"
if grep -q similar "$TMP/out"; then bad "--all still counts"; else ok; fi
# A TREC run (batch) ranks every copy; sorted by date, its scores fall
# with the rank, so that trec_eval keeps the order.
printf 'q\tlatakia\n' | "$NSEARCH" batch --index "$IDX" - >"$TMP/run"
[ "$(wc -l <"$TMP/run")" -eq 3 ] && ok || bad "batch collapsed near-duplicates"
printf 'q\tlatakia\n' | "$NSEARCH" batch --index "$IDX" --sort oldest - >"$TMP/run"
awk '{print $3}' "$TMP/run" | tr '\n' ' ' | grep -qx 'w1 w2 w3 ' && ok ||
    bad "batch --sort oldest: $(tr '\n' ' ' <"$TMP/run")"
sort -s -k5,5gr "$TMP/run" | cmp -s - "$TMP/run" && ok ||
    bad "batch --sort oldest: the scores do not fall with the rank"

# JSON: one object per result, then the summary with the facets, which
# count every match (near-duplicates included).
run --index "$IDX" --format json syria
expect_rc 0 "json"
python3 - "$TMP/out" <<'PY' && ok || bad "json summary and facets"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
hits, summary = lines[:-1], lines[-1]
assert len(hits) == 2, hits
assert sorted(h["duplicates"] for h in hits) == [0, 2], hits
assert summary["total"] == 2, summary
assert summary["facets"]["source"] == {"AP": 2, "Daily Mail": 1,
                                       "Reuters": 1}, summary
assert list(summary["facets"]["source"])[0] == "AP"
assert summary["facets"]["month"] == {"2015-09": 2, "2015-10": 2}, summary
assert "suggestion" not in summary and "note" not in summary
PY

# "Did you mean" from the index's own words, in the case typed.
run --index "$IDX" Latakai
expect_rc 1 "an unknown word finds nothing"
expect_err "did you mean: Latakia" "suggestion on stderr"
run --index "$IDX" --format json 'Latakai talks "geneva'
expect_rc 0 "json with suggestion and note"
tail -n 1 "$TMP/out" | grep -q '"note":"unbalanced quote' && ok ||
    bad "note in the summary: $(tail -n 1 "$TMP/out")"
tail -n 1 "$TMP/out" | grep -q '"suggestion":"Latakia talks \\"geneva"' &&
    ok || bad "suggestion in the summary: $(tail -n 1 "$TMP/out")"
run --index "$IDX" latakia
if grep -q "did you mean" "$TMP/err"; then bad "a known word got a suggestion"
else ok; fi

finish
