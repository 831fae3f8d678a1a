#!/bin/bash
# Word positions are an index's choice (schema.h): kept in position maps
# by default, in Xapian's position table with --positions, not at all
# with --no-positions; phrases, NEAR and ADJ must find exactly the same
# articles every way.  The choice is made when the index is created or
# rebuilt, recorded, and kept by later runs and rebuilds.
. "$(dirname "$0")/lib.bash"
MAP="$TMP/map"
POS="$TMP/pos"
NOPOS="$TMP/nopos"
SAMPLE="$NS_SOURCE_DIR/corpus/sample"

run index --index "$MAP" "$SAMPLE"
expect_rc 0 "index with position maps (the default)"
run index --index "$POS" --positions "$SAMPLE"
expect_rc 0 "index with Xapian's positions"
run index --index "$NOPOS" --no-positions "$SAMPLE"
expect_rc 0 "index without positions"
run status --index "$MAP"
expect_out "^positions: *kept, in position maps" "status: maps"
run status --index "$POS"
expect_out "^positions: *kept, in Xapian's position table" "status: Xapian"
run status --index "$NOPOS"
expect_out "^positions: *none" "status: no positions"
m=$(du -sk "$MAP" | cut -f1)
a=$(du -sk "$POS" | cut -f1)
b=$(du -sk "$NOPOS" | cut -f1)
[ "$b" -lt "$m" ] && [ "$m" -lt "$a" ] && ok ||
    bad "sizes: none $b KB, maps $m KB, Xapian's $a KB"

# The same articles, in the same order, for every positional query.
for q in '"white house"' '"the president said"' 'title:"fact sheet"' \
    'economy -"white house"' '"white house" OR inflation' \
    'president NEAR/3 economy' 'tariffs ADJ/2 trade' 'al-Assad' \
    '"forward airbase"' '("climate change" AND energy) OR "press briefing"' \
    '"united states" "white house"' 'title:president NEAR/2 title:biden'; do
    "$NSEARCH" --index "$POS" -n 50 --format trec "$q" >"$TMP/a" 2>/dev/null
    if [ ! -s "$TMP/a" ] && [ "$q" != 'tariffs ADJ/2 trade' ]; then
        bad "$q: no result with Xapian's positions"
        continue
    fi
    for other in "$MAP" "$NOPOS"; do
        "$NSEARCH" --index "$other" -n 50 --format trec "$q" >"$TMP/b" \
            2>/dev/null
        if cmp -s <(cut -d' ' -f1-4 "$TMP/a") <(cut -d' ' -f1-4 "$TMP/b"); then
            ok
        else
            bad "$q: the results differ in $(basename "$other")"
        fi
    done
done

# A later run keeps the index's choice; asking for another one without
# --rebuild is refused, and the index is left as it was.
run index --index "$NOPOS" "$SAMPLE"
expect_rc 0 "update of an index without positions"
run index --index "$NOPOS" --positions "$SAMPLE"
expect_rc 2 "--positions on an index without them, no --rebuild"
expect_err "rebuild" "the message says to rebuild"
run index --index "$MAP" --no-positions "$SAMPLE"
expect_rc 2 "--no-positions on an index of maps, no --rebuild"
expect_err "keeps position maps" "the message says what it keeps"
run status --index "$NOPOS"
expect_out "^positions: *none" "still no positions"
# A rebuild keeps the choice unless told.
run index --index "$NOPOS" --rebuild "$SAMPLE"
expect_rc 0 "rebuild"
run status --index "$NOPOS"
expect_out "^positions: *none" "a rebuild keeps no positions"
run index --index "$NOPOS" --rebuild --positions "$SAMPLE"
expect_rc 0 "rebuild with positions"
run status --index "$NOPOS"
expect_out "^positions: *kept, in Xapian's" "the rebuild switched to positions"
run index --index "$NOPOS" --rebuild --position-maps "$SAMPLE"
expect_rc 0 "rebuild with maps"
run status --index "$NOPOS"
expect_out "^positions: *kept, in position maps" "the rebuild switched to maps"
"$NSEARCH" --index "$NOPOS" -n 50 --format trec '"white house"' >"$TMP/b"
"$NSEARCH" --index "$POS" -n 50 --format trec '"white house"' >"$TMP/a"
cmp -s <(cut -d' ' -f1-4 "$TMP/a") <(cut -d' ' -f1-4 "$TMP/b") && ok ||
    bad "after the rebuilds, the maps answer differently"

finish
