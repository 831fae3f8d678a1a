#!/bin/sh
# The library under valgrind, as the sanitizers cannot see it: the API tests
# and the nsearch command (indexing, searching, and their error paths) under
# memcheck, every error and every definite or indirect leak failing the run;
# and the thread test under helgrind (data races).  Uses a plain build
# (RelWithDebInfo, no sanitizer) in BUILD_DIR, made if missing.
#
#     sh scripts/valgrind.sh [BUILD_DIR]      (default: build-valgrind)
#
# About 2 minutes on 2 cores once built.
set -eu
cd "$(dirname "$0")/.."
src=$(pwd)
build=${1:-build-valgrind}
jobs=$(nproc 2>/dev/null || echo 2)
command -v valgrind >/dev/null || {
    echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2
    exit 2
}
if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
if grep -q '^NS_SANITIZE:STRING=..*' "$build/CMakeCache.txt"; then
    echo "valgrind.sh: $build is a sanitizer build; give a plain one" >&2
    exit 2
fi
cmake --build "$build" -j"$jobs" >/dev/null
build=$(cd "$build" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NS_TEST_DATA="$src/tests/data" NS_SOURCE_DIR="$src"
export HOME="$tmp/home"
unset NSEARCH_INDEX XDG_DATA_HOME
fails=0
n=0

MEMCHECK="valgrind --quiet --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --num-callers=30"

# vg WANT_RC NAME CMD...: run CMD under memcheck; it must exit WANT_RC
# (99 is valgrind's: an error or a leak).
vg() {
    want=$1 name=$2
    shift 2
    n=$((n + 1))
    rc=0
    $MEMCHECK "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    if [ "$rc" -ne "$want" ]; then
        fails=$((fails + 1))
        echo "FAIL: $name: exit $rc, expected $want" >&2
        grep -E '^==[0-9]+==' "$tmp/err" | head -n 60 >&2 || true
        tail -n 5 "$tmp/err" >&2
    fi
}

echo "== memcheck: API tests" >&2
export NSEARCH="$build/nsearch" # as ctest sets it: some tests run it
for t in "$build"/tests/test_api_*; do
    [ -x "$t" ] || continue
    case "$(basename "$t")" in
    # 3,200 searches against a writer process: 2 min 39 s under memcheck
    # alone.  The same paths (readers across commits and the dictionary's
    # arrival) run here in test_api_threads, under memcheck and helgrind.
    test_api_readers_load) continue ;;
    esac
    NS_TEST_BATCHES=2 vg 0 "$(basename "$t")" "$t"
done

echo "== memcheck: fuzz seeds and past crashes (tests/fuzz/corpora)" >&2
for t in "$build"/tests/fuzz_*_replay; do
    [ -x "$t" ] || continue
    name=$(basename "$t" _replay)
    [ -d "$src/tests/fuzz/corpora/${name#fuzz_}" ] || continue
    vg 0 "$name" "$t" "$src/tests/fuzz/corpora/${name#fuzz_}"
done

echo "== memcheck: the nsearch command" >&2
ns="$build/nsearch"
idx="$tmp/idx"
# 150 articles of the sample: enough to train the stored-text dictionary,
# few enough for memcheck (the whole sample takes it 2 minutes).
zstd -dc "$src/corpus/sample/whitehouse-sample.jsonl.zst" | head -n 150 \
    >"$tmp/sample.jsonl"
vg 0 "index 150 articles" "$ns" index -q --index "$idx" "$tmp/sample.jsonl"
vg 3 "index with a rejected input" "$ns" index -q --index "$idx" \
    "$src/tests/data/corpus/jsonl"
# Every reader: all of tests/data (every format, compressed, archived and
# broken inputs; about 15 s under memcheck), then a search with snippets.
vg 3 "index all of tests/data" "$ns" index -q --index "$tmp/all" \
    "$src/tests/data"
vg 0 "search all formats, html" "$ns" --index "$tmp/all" --format html \
    -n 50 harbour
vg 0 "search" "$ns" --index "$idx" -n 20 "Syria sanctions"
vg 0 "search json, dates, sort, offset" "$ns" --index "$idx" --format json \
    --since 2020 --until 2024-06 --sort newest --offset 3 -n 5 president
vg 0 "search html, phrase" "$ns" --index "$idx" --format html \
    '"national security"'
printf '1\tclimate change\n2\teconomy\n' >"$tmp/queries.tsv"
vg 0 "batch" "$ns" batch --index "$idx" -n 50 "$tmp/queries.tsv"
vg 0 "status" "$ns" status --index "$idx"
vg 1 "no result" "$ns" --index "$idx" zzyzxnotaword
vg 2 "empty query" "$ns" --index "$idx" ""
vg 2 "missing index" "$ns" --index "$tmp/none" Syria
vg 2 "bad option" "$ns" --index "$idx" --frobnicate Syria

echo "== memcheck: examples" >&2
vg 0 "index_dir" "$build/examples/index_dir" "$tmp/ex" \
    "$src/tests/data/corpus/jsonl/basic.jsonl"
vg 0 "search example" "$build/examples/search" "$tmp/ex" "talks"

echo "== helgrind: test_api_threads" >&2
n=$((n + 1))
rc=0
NS_TEST_BATCHES=1 valgrind --tool=helgrind --quiet --error-exitcode=99 \
    "$build/tests/test_api_threads" >"$tmp/out" 2>"$tmp/err" || rc=$?
if [ "$rc" -ne 0 ]; then
    fails=$((fails + 1))
    echo "FAIL: helgrind test_api_threads: exit $rc" >&2
    grep -E '^==[0-9]+==' "$tmp/err" | head -n 80 >&2 || true
fi

echo "valgrind.sh: $n runs, $fails failed" >&2
[ "$fails" -eq 0 ]
