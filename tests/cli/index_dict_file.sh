#!/bin/bash
# The compression dictionary's file (core/db.c, schema.h): a copy of the
# metadata nsearch.zdict beside the tables, which searches map.  Every way
# an index is written leaves a file that matches its metadata; a search
# whose file is missing, damaged or another index's reads the metadata and
# finds the same articles with the same snippets.
. "$(dirname "$0")/lib.bash"
IDX="$TMP/idx"
SAMPLE="$NS_SOURCE_DIR/corpus/sample"

# The generation the stub names.
live() { echo "$IDX/$(sed -n 's/^auto //p' "$IDX/XAPIANDB")"; }

# The file of the live generation holds nsearch.zdict, as named.
check_file() { # check_file what
    local gen meta
    gen=$(live)
    meta=$(xapian-metadata get "$IDX" nsearch.zdict.file)
    if [ ! -f "$gen/nsearch.zdict" ]; then
        bad "$1: no dictionary file in $gen"
        return
    fi
    xapian-metadata get "$IDX" nsearch.zdict >"$TMP/meta.dict"
    # xapian-metadata prints the value and a newline
    head -c "$(stat -c %s "$gen/nsearch.zdict")" "$TMP/meta.dict" >"$TMP/meta.bytes"
    if ! cmp -s "$TMP/meta.bytes" "$gen/nsearch.zdict"; then
        bad "$1: the file is not the metadata's dictionary"
    elif [ "${meta#* }" != "$(stat -c %s "$gen/nsearch.zdict")" ]; then
        bad "$1: nsearch.zdict.file says '$meta'"
    else
        ok
    fi
}

search() { "$NSEARCH" --index "$IDX" -n 20 --format json "$@" 2>&1; }

run index --index "$IDX" "$SAMPLE"
expect_rc 0 "first build (bulk)"
check_file "first build"
search 'Latakia airbase' >"$TMP/want1"
search '"white house" economy' >"$TMP/want2"
grep -q '"rank":1' "$TMP/want1" && ok || bad "no result to compare with"

same() { # same what: the searches give what they gave at first
    search 'Latakia airbase' >"$TMP/got1"
    search '"white house" economy' >"$TMP/got2"
    if cmp -s "$TMP/want1" "$TMP/got1" && cmp -s "$TMP/want2" "$TMP/got2"; then
        ok
    else
        bad "$1: results or snippets differ"
    fi
}

# Missing: the metadata is read.
gen=$(live)
mv "$gen/nsearch.zdict" "$TMP/saved.zdict"
same "file missing"
# Damaged (same size, other bytes) or truncated: ignored, not trusted.
head -c "$(stat -c %s "$TMP/saved.zdict")" /dev/urandom >"$gen/nsearch.zdict"
same "file of random bytes"
head -c 1000 "$TMP/saved.zdict" >"$gen/nsearch.zdict"
same "file truncated"
# Another index's dictionary, of the same size (the cap of 110 KB): its id
# differs.  Its articles are the sample's with other bytes.
zstd -dc "$SAMPLE/whitehouse-sample.jsonl.zst" | sed 's/the /THE /g; s/"id": *"/&other-/' \
    >"$TMP/other.jsonl"
"$NSEARCH" index --index "$TMP/other" "$TMP/other.jsonl" >/dev/null 2>&1
o=$(ls -d "$TMP"/other/gen-*/nsearch.zdict | head -1)
if [ -f "$o" ]; then
    cp "$o" "$gen/nsearch.zdict"
    same "another index's file"
else
    bad "the other index has no dictionary file"
fi

# The next commit puts the right file back.
printf '{"id":"dict-file-1","title":"A new article","text":"The airbase at Latakia, again, in a new dispatch."}\n' >"$TMP/new.jsonl"
run index --index "$IDX" "$TMP/new.jsonl"
expect_rc 0 "update"
check_file "after an update"

# Compaction and rebuild: the new generation has its file.
run compact --index "$IDX"
expect_rc 0 "compact"
check_file "after compact"
run index --index "$IDX" --rebuild "$SAMPLE"
expect_rc 0 "rebuild"
check_file "after rebuild"
same "after rebuild"

finish
