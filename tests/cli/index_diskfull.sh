#!/bin/bash
# The disk fills up during a run: a clear error (exit 2) and the index as
# its last commit left it: it opens, passes xapian-check, answers, and a
# later run on a roomier disk completes it.  Two ways: a small tmpfs (when
# this user may mount one: root, outside most containers) and a file size
# limit (ulimit -f: writes past it fail with EFBIG), which works anywhere.
# A rebuild and a compaction that run out of room leave the index as it
# was too.
. "$(dirname "$0")/lib.bash"
# Xapian 1.4 leaks its table objects when a write fails for want of room
# (inside libxapian, upstream: the writer and the compactor alike), which
# LeakSanitizer turns into an abort of a run that did the right thing; leak
# checking is off for this test's runs only.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
# Xapian leaks a little when a write fails (see diskfull_lsan.supp).
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$NS_SOURCE_DIR/tests/cli/diskfull_lsan.supp"
IN="$TMP/in"
LATER="$TMP/later.jsonl"
mkdir -p "$IN"
zstd -dc "$NS_SOURCE_DIR/corpus/sample/whitehouse-sample.jsonl.zst" >"$TMP/all"
head -n 150 "$TMP/all" >"$IN/a.jsonl"
tail -n +151 "$TMP/all" >"$LATER"

count() { "$NSEARCH" status --index "$1" 2>/dev/null | sed -n 's/^articles: *//p'; }
live() { echo "$1/$(sed -n 's/^auto //p' "$1/XAPIANDB")"; }

intact() { # intact IDX WHAT: the 150 articles of the last commit, whole
    [ "$(count "$1")" = 150 ] && ok || bad "$2: $(count "$1") articles, not 150"
    if command -v xapian-check >/dev/null; then
        xapian-check "$(live "$1")" >/dev/null 2>&1 && ok ||
            bad "$2: xapian-check fails"
    fi
    "$NSEARCH" --index "$1" -n 1 president >/dev/null 2>&1 && ok ||
        bad "$2: search fails"
}

# 1. A tmpfs with room for the first 150 articles, not for the rest.
FS="$TMP/fs"
mkdir -p "$FS"
if mount -t tmpfs -o size=5m tmpfs "$FS" 2>/dev/null; then
    trap 'umount "$FS" 2>/dev/null; rm -rf "$TMP"' EXIT
    IDX="$FS/idx"
    run index --index "$IDX" "$IN"
    expect_rc 0 "the first 150 articles fit"
    cp "$LATER" "$IN/b.jsonl"
    run index --index "$IDX" "$IN"
    expect_rc 2 "disk full: exit 2"
    expect_err "no space left on the index's device" "disk full: said so"
    intact "$IDX" "tmpfs, after the failed update"
    run index --index "$IDX" --rebuild "$IN/a.jsonl"
    expect_rc 2 "a rebuild without room"
    intact "$IDX" "tmpfs, after the failed rebuild"
    run compact --index "$IDX"
    expect_rc 2 "a compaction without room"
    intact "$IDX" "tmpfs, after the failed compaction"
    # Room again: the same run completes the index.
    cp -r "$IDX" "$TMP/roomy"
    umount "$FS"
    run index --index "$TMP/roomy" "$IN"
    expect_rc 0 "the next run, with room"
    [ "$(count "$TMP/roomy")" = 1000 ] && ok || bad "completed: $(count "$TMP/roomy")"
    rm -f "$IN/b.jsonl"
else
    echo "SKIP: cannot mount a tmpfs here; the file size limit case still runs"
fi

# 2. A file size limit: 1 MB per file (ulimit -f counts 512-byte blocks
# in bash's POSIX mode, 1024 in its default mode: -f 1024 is 1 MB here).
IDX="$TMP/idx"
run index --index "$IDX" "$IN"
expect_rc 0 "the first 150 articles"
cp "$LATER" "$IN/b.jsonl"
(ulimit -f 1024 && exec "$NSEARCH" index --index "$IDX" "$IN") \
    >"$TMP/out" 2>"$TMP/err"
rc=$?
err=$(cat "$TMP/err")
expect_rc 2 "file size limit: exit 2, not killed by SIGXFSZ"
expect_err "File too large|no space left" "file size limit: said so"
intact "$IDX" "ulimit, after the failed update"
(ulimit -f 1024 && exec "$NSEARCH" index --index "$IDX" --rebuild "$IN") \
    >"$TMP/out" 2>"$TMP/err"
rc=$?
expect_rc 2 "a rebuild past the limit"
intact "$IDX" "ulimit, after the failed rebuild"
run index --index "$IDX" "$IN"
expect_rc 0 "the next run, without the limit"
[ "$(count "$IDX")" = 1000 ] && ok || bad "completed: $(count "$IDX")"

finish
