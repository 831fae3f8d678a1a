# Helpers for the CLI tests: each test is a bash script that runs the
# nsearch command ($NSEARCH, set by ctest) as a user would and checks its
# output and exit code.  Sourced, not run.
set -u
: "${NSEARCH:?run under ctest (NSEARCH is the nsearch binary)}"
: "${NS_SOURCE_DIR:?run under ctest}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
unset NSEARCH_INDEX XDG_DATA_HOME NO_COLOR
export HOME="$TMP/home"
fails=0
passes=0

ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# run ARGS...: run nsearch, capturing out, err and rc.
run() {
    "$NSEARCH" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    out=$(cat "$TMP/out")
    err=$(cat "$TMP/err")
}

expect_rc() { # expect_rc N what
    if [ "$rc" -eq "$1" ]; then ok; else
        bad "$2: exit $rc, expected $1; stderr: $err"; fi
}
expect_out() { # expect_out PATTERN what  (grep -E on stdout)
    if grep -qE -- "$1" "$TMP/out"; then ok; else
        bad "$2: stdout lacks /$1/: $(head -c 600 "$TMP/out")"; fi
}
expect_err() {
    if grep -qE -- "$1" "$TMP/err"; then ok; else
        bad "$2: stderr lacks /$1/: $err"; fi
}
expect_no_out() {
    if [ ! -s "$TMP/out" ]; then ok; else
        bad "$1: stdout not empty: $(head -c 300 "$TMP/out")"; fi
}

finish() {
    echo "$passes passed, $fails failed"
    [ "$fails" -eq 0 ]
    exit $?
}
