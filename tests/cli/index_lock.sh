#!/bin/bash
# Two writers: the second waits for the lock up to --lock-timeout, then
# exits with 75 naming the holder; with a longer timeout it gets the lock
# once the first is gone (even killed).  `nsearch status` names the writer
# at work, and searches never wait for it.
. "$(dirname "$0")/lib.bash"
IDX="$TMP/idx"
BIG="${NS_SHARED:-$NS_SOURCE_DIR/../shared}/news/whitehouse-briefing-room/docs.jsonl.zst"
SAMPLE="$NS_SOURCE_DIR/corpus/sample"
[ -f "$BIG" ] || { echo "SKIP: $BIG not found"; exit 0; }

run index --index "$IDX" "$SAMPLE"
expect_rc 0 "first index"

# wait_writer PID: until `nsearch status` shows PID holding the lock (the
# bound only keeps a broken build from hanging the suite).
wait_writer() {
    for _ in $(seq 1 400); do
        "$NSEARCH" status --index "$IDX" 2>/dev/null | grep -q "writer: *pid $1 " &&
            return 0
        kill -0 "$1" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# A long writer: the large corpus takes far longer than this test.
"$NSEARCH" index --index "$IDX" "$BIG" >/dev/null 2>&1 &
W1=$!
if wait_writer $W1; then ok; else bad "status never showed the first writer"; fi

run status --index "$IDX"
expect_rc 0 "status during a write"
expect_out "^writer: *pid $W1 on .* since [0-9]{4}-" "status names the writer"

# Searches do not wait for the writer.
run --index "$IDX" Latakia
expect_rc 0 "search during a write"

run index --index "$IDX" --lock-timeout 0 "$SAMPLE"
expect_rc 75 "second writer, no wait"
expect_err "locked by another writer \(pid $W1 on " "the message names the holder"
expect_err "gave up after 0 s" "the message says how long it waited"
expect_no_out "nothing on stdout"

run index --index "$IDX" --lock-timeout 0.3 "$SAMPLE"
expect_rc 75 "second writer, short wait"

run index --index "$IDX" --lock-timeout -1 "$SAMPLE"
expect_rc 2 "a negative timeout is a usage error"
run index --index "$IDX" --lock-timeout soon "$SAMPLE"
expect_rc 2 "a timeout that is no number"

# A patient second writer gets the lock when the first dies, even by
# SIGKILL: the kernel drops the lock with the process.
"$NSEARCH" index --index "$IDX" --lock-timeout 600 \
    "$SAMPLE/latakia-article.txt" >"$TMP/w2.out" 2>"$TMP/w2.err" &
W2=$!
sleep 0.3
if kill -0 $W2 2>/dev/null; then ok; else bad "second writer did not wait"; fi
kill -9 $W1
wait $W1 2>/dev/null
wait $W2
rc=$?
err=$(cat "$TMP/w2.err")
expect_rc 0 "second writer ran once the first was gone"

run status --index "$IDX"
expect_out "^writer: *none" "no writer after both are done"
n=$(sed -n 's/^articles: *//p' "$TMP/out")
[ "${n:-0}" -ge 1001 ] && ok || bad "articles after a killed writer: $n"

run --index "$IDX" Latakia
expect_rc 0 "search after the killed writer"

finish
