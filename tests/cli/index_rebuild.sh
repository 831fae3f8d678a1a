#!/bin/bash
# `nsearch index --rebuild` and `nsearch compact`: a new generation is built
# beside the live one and switched to atomically; searches running
# meanwhile see the old index or the new one, whole; a rebuild that fails
# leaves the index as it was; an index made as a single Xapian database (by
# an older nsearch) is converted on the way.
. "$(dirname "$0")/lib.bash"
IDX="$TMP/idx"
SEED="$NS_SOURCE_DIR/corpus/sample/latakia-article.txt"
# 300 of the sample's articles and the seed: enough for a rebuild to take a
# while, little enough to keep the test quick.
SAMPLE="$TMP/sample"
mkdir -p "$SAMPLE"
zstd -dc "$NS_SOURCE_DIR/corpus/sample/whitehouse-sample.jsonl.zst" |
    head -n 300 >"$SAMPLE/wh.jsonl"
cp "$SEED" "$SAMPLE/"

status() { "$NSEARCH" status --index "$1" | sed -n "s/^$2: *//p"; }
hits() { "$NSEARCH" --index "$IDX" --format trec -n 5000 --no-snippets "$1" | wc -l; }
live() { echo "$IDX/$(sed -n 's/^auto //p' "$IDX/XAPIANDB")"; }

run index --index "$IDX" "$SAMPLE"
expect_rc 0 "first build"
[ -f "$IDX/XAPIANDB" ] && ok || bad "no XAPIANDB stub"
[ "$(status "$IDX" location)" = "$(live)" ] && ok || bad "location is not the live generation"
old=$(hits president)
[ "$old" -gt 1 ] && ok || bad "president: $old hits"

# Compact: same articles, new generation, old one gone, not bigger.
size0=$(du -sk "$(live)" | cut -f1)
gen0=$(live)
run compact --index "$IDX"
expect_rc 0 "compact"
expect_no_out "compact is quiet when stdout is not a terminal"
[ "$(live)" != "$gen0" ] && ok || bad "compact did not switch generations"
[ ! -e "$gen0" ] && ok || bad "the old generation is still there"
[ "$(du -sk "$(live)" | cut -f1)" -le "$size0" ] && ok || bad "compact grew the index"
[ "$(status "$IDX" articles)" = 301 ] && ok || bad "compact lost articles"
if command -v xapian-check >/dev/null; then
    xapian-check "$(live)" >/dev/null && ok || bad "xapian-check after compact"
fi
[ "$(hits president)" = "$old" ] && ok || bad "compact changed results"

# A rebuild from the seed article alone, with searches running all along:
# each sees the whole old index or the whole new one.
new=1
(
    while [ ! -f "$TMP/done" ]; do
        "$NSEARCH" --index "$IDX" --format trec -n 5000 --no-snippets \
            president >"$TMP/r.out" 2>"$TMP/r.err"
        echo "$? $(wc -l <"$TMP/r.out")"
    done >"$TMP/searches"
) &
loop=$!
sleep 0.3
run index --index "$IDX" --rebuild --commit-every 50 "$SEED" "$SAMPLE/wh.jsonl"
expect_rc 0 "rebuild from the same files"
run index --index "$IDX" --rebuild "$SEED"
expect_rc 0 "rebuild from the seed only"
touch "$TMP/done"
wait $loop
n=$(wc -l <"$TMP/searches")
[ "$n" -gt 0 ] && ok || bad "no search ran during the rebuilds"
echo "$n searches during the rebuilds: $(grep -c "^0 $old$" "$TMP/searches")" \
    "saw the old index, $(grep -c "^0 $new$" "$TMP/searches") the new"
odd=$(grep -vE "^0 ($old|$new)$" "$TMP/searches" | head -n 3)
[ -z "$odd" ] && ok || bad "a search during a rebuild: $odd"
[ "$(status "$IDX" articles)" = 1 ] && ok || bad "rebuilt index: $(status "$IDX" articles)"
[ "$(hits president)" = "$new" ] && ok || bad "the rebuilt index answers"
# A search may have held the old generation at the switch; the next writer
# deletes it.
run index --index "$IDX" "$SEED"
expect_rc 0 "a writer after the rebuilds"
n=$(ls -d "$IDX"/gen-* | wc -l)
[ "$n" = 1 ] && ok || bad "old generations left: $(echo "$IDX"/gen-*)"

# A rebuild with a missing PATH is abandoned: the index stays as it was.
run index --index "$IDX" --rebuild "$SAMPLE" "$TMP/no-such-dir"
expect_rc 2 "rebuild with a missing path"
expect_err "rebuild abandoned" "says the rebuild was abandoned"
[ "$(status "$IDX" articles)" = 1 ] && ok || bad "abandoned rebuild changed the index"
n=$(ls -d "$IDX"/gen-* | wc -l)
[ "$n" = 1 ] && ok || bad "abandoned generation left: $(echo "$IDX"/gen-*)"

# An index that is a single Xapian database (an older nsearch's layout):
# read and updated in place, converted by a compaction.
OLD="$TMP/old"
mkdir "$OLD"
cp "$(live)"/*.glass "$(live)"/iamglass "$OLD"/
run --index "$OLD" Latakia
expect_rc 0 "search a single-database index"
run index --index "$OLD" "$SAMPLE"
expect_rc 0 "update a single-database index in place"
[ ! -f "$OLD/XAPIANDB" ] && ok || bad "an update converted the index"
# The seed (id from its path, as the text format has none) plus the copy of
# it and the 300 articles in $SAMPLE.
[ "$(status "$OLD" articles)" = 302 ] && ok || bad "update in place: $(status "$OLD" articles)"
run compact --index "$OLD"
expect_rc 0 "compact converts it"
[ -f "$OLD/XAPIANDB" ] && [ ! -f "$OLD/iamglass" ] && ok || bad "not converted: $(ls "$OLD")"
[ -z "$(ls "$OLD"/*.glass 2>/dev/null)" ] && ok || bad "old tables left: $(ls "$OLD")"
[ "$(status "$OLD" articles)" = 302 ] && ok || bad "conversion lost articles"
run --index "$OLD" Latakia
expect_rc 0 "search after the conversion"

run compact --index "$TMP/nothing-here"
expect_rc 2 "compact without an index"
expect_err "no index here" "says there is no index"
run compact --index "$IDX" extra
expect_rc 2 "compact takes no PATH"

finish
