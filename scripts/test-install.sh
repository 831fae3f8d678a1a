#!/bin/sh
# What a user of libnsearch meets: install a build into a fresh prefix,
# check what landed there, then build examples/ out of the tree against it
# five ways (pkg-config and find_package(nsearch), each shared and static,
# and `pkg-config --static --libs` where only the static library is),
# run every build, and run the Python module's tests on the installed
# library.  Called by scripts/test.sh; on its own:
#
#     sh scripts/test-install.sh BUILD_DIR
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?usage: test-install.sh BUILD_DIR}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:[A-Z]*=//p' "$build/CMakeCache.txt")
for f in bin/nsearch include/nsearch.h "$libdir/libnsearch.so.0" \
    "$libdir/nsearch/nsearch-readers.so" \
    "$libdir/libnsearch.a" "$libdir/pkgconfig/nsearch.pc" \
    "$libdir/cmake/nsearch/nsearchConfig.cmake" \
    "$libdir/cmake/nsearch/nsearchConfigVersion.cmake" \
    share/man/man1/nsearch.1; do
    [ -e "$prefix/$f" ] || fail "not installed: $f"
done
# The installed command runs, and (it links the search objects itself:
# cli/CMakeLists.txt) loads no libnsearch.so and carries no run path.
"$prefix/bin/nsearch" --version >/dev/null || fail "installed nsearch does not run"
ldd "$prefix/bin/nsearch" | grep -q "libnsearch" &&
    fail "installed nsearch loads a libnsearch: $(ldd "$prefix/bin/nsearch" | grep nsearch)"
objdump -p "$prefix/bin/nsearch" | grep -Eq "^ *(RPATH|RUNPATH) " &&
    fail "installed nsearch has a run path: $(objdump -p "$prefix/bin/nsearch" | grep -E "PATH ")"

# A tiny archive for the examples to index and search.
cat >"$tmp/news.jsonl" <<'EOF'
{"id": "i1", "title": "Russia builds an airbase near Latakia", "date": "2015-09-18", "source": "Wire", "text": "Satellite images show the airbase growing near the coast."}
{"id": "i2", "title": "Harvest report", "date": "2016-01-02", "source": "Farm News", "text": "Wheat and barley yields were high."}
EOF

# The installed command indexes (it loads the installed readers module,
# $libdir/nsearch/nsearch-readers.so) and searches.
if "$prefix/bin/nsearch" index --index "$tmp/cli-idx" -q "$tmp/news.jsonl" \
    >"$tmp/cli.out" 2>&1 &&
    "$prefix/bin/nsearch" --index "$tmp/cli-idx" airbases >"$tmp/cli.out" 2>&1 &&
    grep -q "Russia builds an airbase near Latakia" "$tmp/cli.out"; then :; else
    fail "installed nsearch index and search: $(cat "$tmp/cli.out")"
fi

export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
export CMAKE_PREFIX_PATH="$prefix"
# The shared builds find the library at run time through this (pkg-config
# builds carry no rpath); the static ones must not need it at all.
run_examples() { # run_examples DIR what
    d=$1
    if ! "$d/index_dir" "$d/idx" "$tmp/news.jsonl" >"$d/out" 2>&1 ||
        ! grep -q "^2 indexed, 0 rejected" "$d/out"; then
        fail "$2: index_dir: $(cat "$d/out")"
        return
    fi
    "$d/search" "$d/idx" "airbases" >"$d/out" 2>&1 &&
        grep -q "^1\. Russia builds an airbase near Latakia" "$d/out" &&
        grep -q "\[airbase\]" "$d/out" || fail "$2: search: $(cat "$d/out")"
}
uses_installed() { # uses_installed BINARY what
    ldd "$1" | grep -q "libnsearch.so.0 => $prefix/" ||
        fail "$2: not linked to the installed library: $(ldd "$1" | grep nsearch)"
}

mkdir "$tmp/pc" "$tmp/pc-static"
make -s -C "$tmp/pc" -f "$src/examples/Makefile" VPATH="$src/examples" ||
    fail "pkg-config build"
make -s -C "$tmp/pc-static" -f "$src/examples/Makefile" \
    VPATH="$src/examples" STATIC=1 || fail "pkg-config static build"
cmake -S "$src/examples" -B "$tmp/cm" >/dev/null &&
    cmake --build "$tmp/cm" >/dev/null || fail "find_package build"
cmake -S "$src/examples" -B "$tmp/cm-static" -DNSEARCH_STATIC=ON >/dev/null &&
    cmake --build "$tmp/cm-static" >/dev/null ||
    fail "find_package static build"

# `pkg-config --static --libs nsearch` alone, in a prefix holding only the
# static library (so that -lnsearch can only be libnsearch.a): its
# Requires.private and Libs.private must name everything the archive needs.
sprefix="$tmp/static-prefix"
mkdir -p "$sprefix/$libdir" "$tmp/pc-only-static"
cp -R "$prefix/include" "$sprefix/"
cp -R "$prefix/$libdir/pkgconfig" "$prefix/$libdir/libnsearch.a" \
    "$sprefix/$libdir/"
PKG_CONFIG_PATH="$sprefix/$libdir/pkgconfig" make -s -C "$tmp/pc-only-static" \
    -f "$src/examples/Makefile" VPATH="$src/examples" \
    LDLIBS="$(PKG_CONFIG_PATH="$sprefix/$libdir/pkgconfig" \
        pkg-config --static --libs nsearch)" ||
    fail "pkg-config --static --libs build: $(PKG_CONFIG_PATH="$sprefix/$libdir/pkgconfig" pkg-config --static --libs nsearch)"

LD_LIBRARY_PATH="$prefix/$libdir" uses_installed "$tmp/pc/search" "pkg-config"
LD_LIBRARY_PATH="$prefix/$libdir" run_examples "$tmp/pc" "pkg-config"
uses_installed "$tmp/cm/search" "find_package"
run_examples "$tmp/cm" "find_package"
for d in pc-static cm-static pc-only-static; do
    if objdump -p "$tmp/$d/search" | grep -q "NEEDED.*libnsearch"; then
        fail "$d: needs libnsearch.so"
    fi
    run_examples "$tmp/$d" "$d"
done

# The program of docs/embedding.md, as a reader would paste it.
sed -n '/^```c$/,/^```$/p' "$src/docs/embedding.md" | sed '1d;$d' \
    >"$tmp/guide.c"
if cc -std=c99 -Wall -Wextra -Werror -o "$tmp/guide" "$tmp/guide.c" \
    $(pkg-config --cflags --libs nsearch) 2>"$tmp/guide.out" &&
    LD_LIBRARY_PATH="$prefix/$libdir" "$tmp/guide" "$tmp/guide-idx" \
        >"$tmp/guide.out" 2>&1 &&
    grep -q "^1\. Russia builds an airbase near Latakia (2015-09-18)" \
        "$tmp/guide.out" && grep -q "matched 'airbase'" "$tmp/guide.out"
then :; else
    fail "docs/embedding.md's program: $(cat "$tmp/guide.out")"
fi

# The Python module, on the installed library and header, with the
# system's python3 (the one a distribution user has), else the first in PATH.
py=/usr/bin/python3
[ -x "$py" ] || py=python3
(cd "$src/python" && NSEARCH_LIB="$prefix/$libdir/libnsearch.so.0" \
    NSEARCH_HEADER="$prefix/include/nsearch.h" \
    "$py" -B -m unittest -q test_nsearch) >"$tmp/py.out" 2>&1 ||
    fail "python tests on the installed library: $(tail -n 30 "$tmp/py.out")"

if [ "$fails" -ne 0 ]; then
    echo "test-install: $fails failed" >&2
    exit 1
fi
echo "test-install: installed; 5 builds of examples/ and python/ OK" >&2
