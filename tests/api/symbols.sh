#!/bin/bash
# The library's interface is exactly nsearch.h (notmuch's T360):
# - libnsearch.so exports the functions the header declares, no more, no
#   fewer, and its SONAME carries the header's major version;
# - every strong global of libnsearch.a starts with ns_ (nothing else can
#   clash with a static user's names);
# - the nsearch command and examples/ are clients like any other: they
#   include only nsearch.h (and their own files), and the command's own
#   objects call only the header's functions.
# Run by ctest (tests/api/packaging.cmake sets NS_LIB, NS_STATIC).
set -u
: "${NS_LIB:?} ${NS_STATIC:?} ${NS_SOURCE_DIR:?} ${NSEARCH:?}"
HEADER="$NS_SOURCE_DIR/include/nsearch.h"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# The functions the header declares: the first ns_name( of each NS_API
# declaration, comments and preprocessor lines removed.
perl -0777 -ne '
    s{/\*.*?\*/}{ }gs; s{//[^\n]*}{}g; s{^[ \t]*#(?:[^\n]*\\\n)*[^\n]*}{}mg;
    while (/\bNS_API\b([^;]*);/g) {
        print "$1\n" if $1 =~ /\b(ns_[a-z0-9_]+)\s*\(/;
    }' "$HEADER" | sort -u >"$TMP/header"
n=$(wc -l <"$TMP/header")
[ "$n" -ge 10 ] || bad "found only $n NS_API declarations in nsearch.h"

nm -D --defined-only "$NS_LIB" | awk 'NF == 3 { print $3 }' | sort -u \
    >"$TMP/exported"
comm -13 "$TMP/header" "$TMP/exported" >"$TMP/extra"
comm -23 "$TMP/header" "$TMP/exported" >"$TMP/missing"
[ -s "$TMP/extra" ] && bad "exported but not in nsearch.h:" $(cat "$TMP/extra")
[ -s "$TMP/missing" ] && bad "in nsearch.h but not exported:" $(cat "$TMP/missing")

major=$(sed -nE 's/^#define NS_VERSION_MAJOR[ \t]+([0-9]+).*/\1/p' "$HEADER")
soname=$(objdump -p "$NS_LIB" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = "libnsearch.so.$major" ] ||
    bad "SONAME is '$soname', expected libnsearch.so.$major"

nm -C -g --defined-only "$NS_STATIC" 2>/dev/null |
    awk '$2 ~ /^[TDBRG]$/ { $1 = ""; $2 = ""; sub(/^ +/, ""); print }' |
    grep -v '^ns_' | grep -v '^__odr_asan' | sort -u >"$TMP/static_extra"
[ -s "$TMP/static_extra" ] &&
    bad "libnsearch.a defines globals outside ns_:" $(head -5 "$TMP/static_extra")

# The command's own code calls only the header's API (the command links
# the library's search objects in; cli/CMakeLists.txt says why).
[ -n "${NS_CLI_OBJECTS:-}" ] || bad "NS_CLI_OBJECTS is not set"
IFS=: read -r -a cli_objects <<<"${NS_CLI_OBJECTS:-}"
nm --undefined-only "${cli_objects[@]}" 2>/dev/null | awk '{ print $NF }' |
    grep '^ns_' | sort -u >"$TMP/cli_uses"
comm -23 "$TMP/cli_uses" "$TMP/header" >"$TMP/cli_extra"
[ -s "$TMP/cli_extra" ] && bad "nsearch calls non-API:" $(cat "$TMP/cli_extra")
[ -s "$TMP/cli_uses" ] || bad "nsearch's objects call no ns_ function"
# ... and a search process maps no libnsearch.so.
objdump -p "$NSEARCH" | grep -q "NEEDED *libnsearch" &&
    bad "nsearch links libnsearch.so (it links the search objects itself)"

# Sources of the clients include nsearch.h, their own headers, and system
# headers that are not files of this tree.
for f in "$NS_SOURCE_DIR"/cli/*.[ch] "$NS_SOURCE_DIR"/examples/*.c; do
    dir=$(dirname "$f")
    sed -nE 's/^[ \t]*#[ \t]*include[ \t]*([<"][^>"]+)[>"].*/\1/p' "$f" |
    while read -r inc; do
        name=${inc:1}
        case "$inc" in
        '"nsearch.h' | '<nsearch.h') continue ;;
        '"'*) [ -e "$dir/$name" ] && [ "${name#*/}" = "$name" ] && continue ;;
        '<'*) [ -e "$NS_SOURCE_DIR/$name" ] || continue ;;
        esac
        echo "${f#"$NS_SOURCE_DIR"/} includes $name"
    done
done >"$TMP/includes"
[ -s "$TMP/includes" ] && bad "clients include internals:" "$(cat "$TMP/includes")"

# The header tests use every _INIT macro (each must fill its struct in C99
# and C++).
for m in $(sed -nE 's/^#define (NS_[A-Z_]+_INIT)\b.*/\1/p' "$HEADER"); do
    for t in headertest.c headertest_cxx.cc; do
        grep -q "\b$m\b" "$(dirname "$0")/$t" ||
            bad "tests/api/$t does not use $m"
    done
done

echo "$(wc -l <"$TMP/exported") exported symbols, $n in nsearch.h; $fails failed"
[ "$fails" -eq 0 ]
