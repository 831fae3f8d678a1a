#!/bin/bash
# Word positions are an index's choice (schema.h): kept by default; with
# --no-positions, phrases, NEAR and ADJ are checked on the stored text and
# must find exactly the same articles.  The choice is made when the index
# is created or rebuilt, recorded, and kept by later runs and rebuilds.
. "$(dirname "$0")/lib.bash"
POS="$TMP/pos"
NOPOS="$TMP/nopos"
SAMPLE="$NS_SOURCE_DIR/corpus/sample"

run index --index "$POS" "$SAMPLE"
expect_rc 0 "index with positions"
run index --index "$NOPOS" --no-positions "$SAMPLE"
expect_rc 0 "index without positions"
run status --index "$POS"
expect_out "^positions: *kept" "status: positions kept"
run status --index "$NOPOS"
expect_out "^positions: *none" "status: no positions"
a=$(du -sk "$POS" | cut -f1)
b=$(du -sk "$NOPOS" | cut -f1)
[ "$b" -lt "$a" ] && ok || bad "no smaller without positions: $b KB vs $a KB"

# The same articles, in the same order, for every positional query.
for q in '"white house"' '"the president said"' 'title:"fact sheet"' \
    'economy -"white house"' '"white house" OR inflation' \
    'president NEAR/3 economy' 'tariffs ADJ/2 trade' 'al-Assad' \
    '"forward airbase"' '("climate change" AND energy) OR "press briefing"'; do
    "$NSEARCH" --index "$POS" -n 50 --format trec "$q" >"$TMP/a" 2>/dev/null
    "$NSEARCH" --index "$NOPOS" -n 50 --format trec "$q" >"$TMP/b" 2>/dev/null
    if [ ! -s "$TMP/a" ] && [ "$q" != 'tariffs ADJ/2 trade' ]; then
        bad "$q: no result with positions"
    elif cmp -s <(cut -d' ' -f1-4 "$TMP/a") <(cut -d' ' -f1-4 "$TMP/b"); then
        ok
    else
        bad "$q: the results differ without positions"
    fi
done

# A later run keeps the index's choice; asking for the other one without
# --rebuild is refused, and the index is left as it was.
run index --index "$NOPOS" "$SAMPLE"
expect_rc 0 "update of an index without positions"
run index --index "$NOPOS" --positions "$SAMPLE"
expect_rc 2 "--positions on an index without them, no --rebuild"
expect_err "rebuild" "the message says to rebuild"
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
expect_out "^positions: *kept" "the rebuild switched to positions"

finish
