#!/bin/bash
# A shard replicated to a second server with Xapian's replication, on
# loopback only (127.0.0.1): xapian-replicate-server serves the master
# index's shards, xapian-replicate keeps a replica, `nsearch serve` serves
# the replica, and an index lists that server as a remote shard.  The
# remote search finds what the master holds; then the master takes new
# articles (incremental replication: changesets) and is compacted (a new
# database: a full copy), and searches running all along, each a new
# process, and one session (a batch) opened before, keep working: each
# sees the replica before or after an update, never an error.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/lib_servers.bash"
for t in xapian-replicate xapian-replicate-server xapian-tcpsrv; do
    command -v $t >/dev/null || { bad "no $t (xapian-tools)"; finish; }
done

MASTER="$TMP/master"
CLIENT="$TMP/client"
zstd -dc "$NS_SOURCE_DIR/corpus/sample/whitehouse-sample.jsonl.zst" |
    head -n 200 >"$TMP/all.jsonl"
head -n 120 "$TMP/all.jsonl" >"$TMP/a.jsonl"
tail -n 80 "$TMP/all.jsonl" >"$TMP/b.jsonl"
# Changesets (XAPIAN_MAX_CHANGESETS) let a replica follow each commit.
export XAPIAN_MAX_CHANGESETS=10
run index --index "$MASTER" --shard s0 "$TMP/a.jsonl"
expect_rc 0 "the master shard"

# count INDEX: the results of a query of every article (a filter).
count() {
    "$NSEARCH" --index "$1" --format trec --all -n 5000 "date:..2100" | wc -l
}
before=$(count "$MASTER")
[ "$before" -gt 50 ] && ok || bad "the master finds $before articles"

mkdir -p "$TMP/replicas"
READY=connect start rep xapian-replicate-server --interface 127.0.0.1 \
    --port PORT "$MASTER/shards" || finish
replicate() {
    timeout 60 xapian-replicate --host 127.0.0.1 --port "$rep_PORT" \
        --master s0 --one-shot --reader-time 1 --quiet "$TMP/replicas/s0"
}
replicate && ok || bad "the first replication"
start srv "$NSEARCH" serve --index "$TMP/replicas/s0" --port PORT || finish
run shard add --index "$CLIENT" "127.0.0.1:$srv_PORT"
expect_rc 0 "listing the replica's server as a shard"
[ "$(count "$CLIENT")" = "$before" ] && ok ||
    bad "the replica finds $(count "$CLIENT"), the master $before"
"$NSEARCH" --index "$MASTER" --format trec -n 50 president >"$TMP/m.trec"
"$NSEARCH" --index "$CLIENT" --format trec -n 50 president >"$TMP/c.trec"
[ -s "$TMP/m.trec" ] && cmp -s "$TMP/m.trec" "$TMP/c.trec" && ok ||
    bad "the replica ranks otherwise than the master"

# A session opened before the updates (a batch reading a FIFO).
mkfifo "$TMP/q"
seen=$(grep -c "Connection from" "$TMP/srv.log")
timeout 60 "$NSEARCH" batch --syntax -n 5000 --index "$CLIENT" "$TMP/q" \
    >"$TMP/session.out" 2>"$TMP/session.err" &
session=$!
exec 3<>"$TMP/q"
wait_for_more "$TMP/srv.log" "Connection from" "$seen" "$session" ||
    bad "the session did not connect"

# Searches all along, each a new process, while the master changes and the
# replica follows.
(
    for _ in $(seq 1000); do
        [ -f "$TMP/done" ] && break
        n=$("$NSEARCH" --index "$CLIENT" --format trec --all -n 5000 "date:..2100" \
            2>>"$TMP/loop.err" | wc -l)
        echo "$? $n"
    done >"$TMP/loop"
) &
loop=$!
run index --index "$MASTER" --shard s0 "$TMP/b.jsonl"
expect_rc 0 "new articles in the master shard"
after=$(count "$MASTER")
[ "$after" -gt "$before" ] && ok || bad "the master: $before, then $after"
replicate && ok || bad "replicating the changes"
[ "$(count "$CLIENT")" = "$after" ] && ok ||
    bad "after the update the replica finds $(count "$CLIENT"), not $after"
run compact --index "$MASTER"
expect_rc 0 "compacting the master's shards"
replicate && ok || bad "replicating the compacted master (a full copy)"
[ "$(count "$CLIENT")" = "$after" ] && ok ||
    bad "after the full copy the replica finds $(count "$CLIENT")"
touch "$TMP/done"
wait $loop

n=$(wc -l <"$TMP/loop")
[ "$n" -gt 0 ] && ok || bad "no search ran during the updates"
echo "$n searches during the updates: $(grep -c "^0 *$before$" "$TMP/loop")" \
    "saw the replica before, $(grep -c "^0 *$after$" "$TMP/loop") after"
odd=$(grep -vE "^0 +($before|$after)$" "$TMP/loop" | head -n 3)
[ -z "$odd" ] && ok || bad "a search during the updates: $odd $(head -c 300 "$TMP/loop.err")"

# The session: its connection was opened before; it still answers.
printf '1\tdate:..2100\n' >&3
exec 3>&-
wait "$session"
rc=$?
[ "$rc" = 0 ] && ok || bad "the session: exit $rc: $(cat "$TMP/session.err")"
n=$(wc -l <"$TMP/session.out")
[ "$n" = "$before" ] || [ "$n" = "$after" ] && ok ||
    bad "the session found $n articles"
finish
