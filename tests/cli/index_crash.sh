#!/bin/bash
# kill -9 at random points, again and again: of a first build, then of
# updates that add, change and remove files.  After every kill the index
# opens, passes xapian-check and answers searches; the run after the last
# kill completes it, and it then holds exactly the articles and file
# records of an index built from the final files in one go: none lost,
# none doubled.  A bulk build (indexer/bulk.c: shards merged at the end) is
# killed too: it is all or nothing.  (Random kill times, not timing
# assertions: whenever the kill lands, the same checks hold.)
. "$(dirname "$0")/lib.bash"
IDX="$TMP/idx"
REF="$TMP/ref"
IN="$TMP/in"
command -v xapian-check >/dev/null || { echo "SKIP: no xapian-check"; exit 0; }
KILLS=${NS_TEST_KILLS:-6}
RANDOM=${NS_TEST_SEED:-$$}
echo "seed $RANDOM"

# The sample's 1000 articles in 20 files of 50, so that runs commit, and
# get killed, between files and inside them.
mkdir -p "$IN"
zstd -dc "$NS_SOURCE_DIR/corpus/sample/whitehouse-sample.jsonl.zst" |
    split -l 50 -d -a 2 --additional-suffix=.jsonl - "$IN/part-"
cp "$NS_SOURCE_DIR/corpus/sample/latakia-article.txt" "$IN/"

# The database directory (the index itself, or the generation its
# XAPIANDB stub names).
dbdir() {
    if [ -f "$1/XAPIANDB" ] && [ ! -f "$1/iamglass" ]; then
        echo "$1/$(sed -n 's/^auto //p' "$1/XAPIANDB" | head -n 1)"
    else
        echo "$1"
    fi
}

check_index() { # check_index WHAT
    local d
    d=$(dbdir "$IDX")
    if [ ! -f "$d/iamglass" ]; then
        ok # killed before the first commit: no database yet
        return
    fi
    if xapian-check "$d" >"$TMP/check" 2>&1; then ok; else
        bad "$1: xapian-check: $(tail -n 3 "$TMP/check")"; fi
    run status --index "$IDX"
    expect_rc 0 "$1: status"
    run --index "$IDX" --no-snippets -n 3 president
    [ "$rc" -le 1 ] && ok || bad "$1: search exit $rc: $err"
}

kill_run() { # kill_run WHAT ARGS...: start a run, kill -9 it at random
    local what=$1
    shift
    "$NSEARCH" index --index "$IDX" "$@" >/dev/null 2>"$TMP/kerr" &
    local pid=$!
    # 0 to 2.5 s: with small batches the runs take longer than that.
    sleep "$((RANDOM % 26 / 10)).$((RANDOM % 10))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    check_index "$what"
    echo "$what: $("$NSEARCH" status --index "$IDX" 2>/dev/null |
        sed -n 's/^articles: *//p') articles"
}

# 1. A first build, killed.
for i in $(seq 1 $((KILLS / 2))); do
    kill_run "first build, kill $i" --commit-every 37 "$IN"
done

# 2. Updates, killed: files changed, added and removed between the kills.
run index --index "$IDX" --commit-every 37 "$IN/part-0"*.jsonl
expect_rc 0 "part of the archive, whole"
for i in $(seq 1 $((KILLS - KILLS / 2))); do
    f="$IN/part-1$((RANDOM % 9)).jsonl" # not part-19, removed below
    case $((i % 3)) in
    0) sed -i '1d' "$f" ;;                 # an article removed
    1) sed -i '2s/"text": *"/&Zebrafish /' "$f" ;; # one changed
    2) head -n 5 "$IN/part-00.jsonl" | sed 's/"id": *"/&copy-/' \
           >"$IN/extra-$i.jsonl" ;;        # a new file
    esac
    [ "$i" -eq 2 ] && rm -f "$IN/part-19.jsonl"   # a file gone
    kill_run "update, kill $i" --commit-every 37 --prune "$IN"
done

# 3. A bulk build (shard threads merged at the end: enough articles for a
# dictionary), killed: the index stays as it was (empty), the next writer
# deletes the shards, and a run to the end gives every article once.
BULK="$TMP/bulk-in"
mkdir -p "$BULK"
python3 - "$BULK/b.jsonl" <<'PY'
import json, random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    for i in range(4500):
        words = " ".join("w%d" % random.randrange(20000) for _ in range(60))
        f.write(json.dumps({"id": "b%d" % i, "title": "Bulk %d" % i,
                            "text": words}) + "\n")
PY
BIDX="$TMP/bidx"
for i in 1 2; do
    NSEARCH_SHARDS=2 "$NSEARCH" index --index "$BIDX" "$BULK" >/dev/null 2>&1 &
    pid=$!
    sleep "$((RANDOM % 3)).$((RANDOM % 10))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    n=$("$NSEARCH" status --index "$BIDX" 2>/dev/null | sed -n 's/^articles: *//p')
    case "$n" in "" | 0 | 4500) ok ;; *) bad "bulk build, kill $i: $n articles" ;; esac
done
export NSEARCH_SHARDS=2
run index --index "$BIDX" "$BULK"
unset NSEARCH_SHARDS
expect_rc 0 "the bulk build after the kills"
n=$("$NSEARCH" status --index "$BIDX" | sed -n 's/^articles: *//p')
[ "$n" = 4500 ] && ok || bad "bulk build after the kills: $n articles"
gens=$(ls -d "$BIDX"/gen-* | wc -l)
[ "$gens" = 1 ] && ok || bad "leftovers of the killed bulk builds: $(ls "$BIDX")"
if command -v xapian-check >/dev/null; then
    xapian-check "$(dbdir "$BIDX")" >/dev/null && ok || bad "xapian-check, bulk"
fi

# 4. The run that completes it, and an index built in one go to compare.
run index --index "$IDX" --prune "$IN"
expect_rc 0 "the completing run"
check_index "after the completing run"
run index --index "$REF" "$IN"
expect_rc 0 "the reference build"

"$NSEARCH" status --index "$IDX" >"$TMP/st1"
"$NSEARCH" status --index "$REF" >"$TMP/st2"
for k in articles files sources; do
    a=$(sed -n "s/^$k: *//p" "$TMP/st1")
    b=$(sed -n "s/^$k: *//p" "$TMP/st2")
    [ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "$k: $a after kills, $b built in one go"
done
# Every match, near-duplicates included (which copy of a near-duplicate
# stands for the others depends on document order, which differs).
all=
"$NSEARCH" search --help | grep -q -- '--all' && all=--all
for q in president zebrafish Latakia "health care" economy; do
    a=$("$NSEARCH" --index "$IDX" --format trec -n 2000 --no-snippets $all "$q" |
        awk '{print $3}' | sort)
    b=$("$NSEARCH" --index "$REF" --format trec -n 2000 --no-snippets $all "$q" |
        awk '{print $3}' | sort)
    [ "$a" = "$b" ] && ok || bad "'$q': different articles after the kills"
    dups=$(printf '%s\n' "$a" | uniq -d | head -n 3)
    [ -z "$dups" ] && ok || bad "'$q': doubled articles: $dups"
done

finish
