#!/bin/bash
# Bad input to `nsearch index`: each is named on stderr with the reason,
# the rest is still indexed, and the exit code says what happened.
. "$(dirname "$0")/lib.bash"
IDX="$TMP/idx"
D="$TMP/in"
mkdir -p "$D"
printf '{"id":"a1","title":"Alpha","text":"first good article about harbours"}\n{"id":"a2", broken\n{"id":"a3","title":"Gamma","text":"third article about harbours"}\n' >"$D/mixed.jsonl"
: >"$D/empty.jsonl"
head -c 3000 /dev/urandom >"$D/junk.bin"

run index --index "$IDX" "$D" "$TMP/does-not-exist"
expect_rc 2 "a missing path is an error, the rest indexed"
expect_err "mixed.jsonl: line 2" "the broken line is named"
expect_err "does-not-exist" "missing path named"
expect_err "2 indexed" "summary counts"
expect_no_out "no stdout when not a terminal"

run --index "$IDX" harbours
expect_rc 0 "the good articles are indexed"
n=$(grep -cE '^[0-9]+\. ' "$TMP/out")
[ "$n" -eq 2 ] && ok || bad "expected 2 results, got $n"

run index --index "$IDX"
expect_rc 2 "no path"
run index --index "$IDX" --bogus "$D"
expect_rc 2 "bad option"

# An index path that is a file.
: >"$TMP/afile"
run index --index "$TMP/afile" "$D"
expect_rc 2 "index path is a file"
expect_err "afile" "names the path"

finish
