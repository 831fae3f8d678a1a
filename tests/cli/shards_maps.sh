#!/bin/bash
# Local shards that keep position maps (indexes made the default way and
# listed with `nsearch shard add`): a phrase, NEAR or title phrase finds
# in the sharded index what it finds in each shard, whether it is the
# whole query (its check then runs as Xapian's MatchDecider, which names
# a shard's documents by their own ids) or a part of one; and the same
# articles as one index of everything with Xapian's positions.
. "$(dirname "$0")/lib.bash"
IDX="$TMP/idx"
zstd -dc "$NS_SOURCE_DIR/corpus/sample/whitehouse-sample.jsonl.zst" |
    head -n 400 >"$TMP/all.jsonl"
head -n 250 "$TMP/all.jsonl" >"$TMP/a.jsonl"
tail -n 150 "$TMP/all.jsonl" >"$TMP/b.jsonl"
mkdir -p "$IDX/shards"
run index --index "$IDX/shards/a" "$TMP/a.jsonl"
expect_rc 0 "shard a, the default way"
run index --index "$IDX/shards/b" "$TMP/b.jsonl"
expect_rc 0 "shard b, the default way"
run status --index "$IDX/shards/a"
expect_out "^positions: *kept, in position maps" "the shards keep maps"
run shard add --index "$IDX" a b
expect_rc 0 "shard add"
run index --index "$TMP/one" --positions "$TMP/all.jsonl"
expect_rc 0 "one index of everything, Xapian's positions"

ids() {
    "$NSEARCH" --index "$1" --all -n 5000 --no-snippets --format trec "$2" \
        2>/dev/null | cut -d' ' -f3 | sort
}
for q in '"white house"' 'white NEAR/0 house' 'title:"fact sheet"' \
    '"president biden"' 'president ADJ/2 biden' '"united states"' \
    '"white house" OR qqqq' '"the president"'; do
    all=$(ids "$IDX" "$q")
    parts=$( (ids "$IDX/shards/a" "$q"; ids "$IDX/shards/b" "$q") | sort)
    one=$(ids "$TMP/one" "$q")
    if [ -z "$one" ]; then
        bad "$q: no result in the one index"
    elif [ "$all" != "$parts" ]; then
        bad "$q: $(echo "$all" | grep -c .) results, the shards' own $(echo "$parts" | grep -c .)"
    elif [ "$all" != "$one" ]; then
        bad "$q: not the one index's $(echo "$one" | grep -c .) results"
    else
        ok
    fi
done

finish
