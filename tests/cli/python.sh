#!/bin/bash
# The Python module (python/nsearch.py, ctypes) on this build's library:
# python3 -m unittest test_nsearch, which indexes and searches, checks
# errors, threads, and every ctypes structure against nsearch.h's layout.
# In a sanitizer build the library needs its sanitizer runtimes loaded
# first, which an uninstrumented python3 does not do: they are preloaded
# (leak checking off: the interpreter's own allocations are not ours).
. "$(dirname "$0")/lib.bash"
lib="$(dirname "$NSEARCH")/libnsearch.so.0"
[ -e "$lib" ] || { bad "no $lib"; finish; }
preload=$(ldd "$lib" | awk '/lib(asan|ubsan)\.so/ { print $3 }' | tr '\n' ':')
cd "$NS_SOURCE_DIR/python" || exit 1
if NSEARCH_LIB="$lib" LD_PRELOAD="$preload" \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    python3 -B -m unittest -v test_nsearch >"$TMP/out" 2>&1; then
    ok
else
    bad "python3 -m unittest test_nsearch: $(tail -n 40 "$TMP/out")"
fi
# A test that is skipped tests nothing: the compiler is there in CI.
grep -q "skipped" "$TMP/out" && bad "tests skipped: $(grep skipped "$TMP/out")"
grep -qE "^Ran [1-9][0-9]* tests" "$TMP/out" && ok || bad "no test ran"
finish
