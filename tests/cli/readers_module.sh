#!/bin/bash
# The corpus readers are a module that the nsearch command (and
# libnsearch.so) loads only to index (corpus/loader/readers.h): a search
# loads neither it nor the libraries only the readers need (libxml2,
# libarchive, json-c, bzip2, lzma, ISA-L, brotli), nor libstemmer, nor
# libnsearch.so (the command links the search objects itself); an index run
# loads it from beside the program; without the module, indexing fails
# with a message naming where it was looked for, and searching works.
. "$(dirname "$0")/lib.bash"
IDX="$TMP/idx"
SAMPLE="$NS_SOURCE_DIR/corpus/sample"

# loaded OUTFILE: the files the dynamic loader opened (LD_DEBUG=files).
loaded() { cat "$1".* 2>/dev/null | sed -n 's/.*file=\([^ ]*\) .*generating link map.*/\1/p'; }

LD_DEBUG=files LD_DEBUG_OUTPUT="$TMP/ld-index" run index --index "$IDX" "$SAMPLE"
expect_rc 0 "index with the module"
if loaded "$TMP/ld-index" | grep -q "nsearch-readers\.so"; then ok; else
    bad "indexing did not load nsearch-readers.so: $(loaded "$TMP/ld-index" | tr '\n' ' ')"; fi

LD_DEBUG=files LD_DEBUG_OUTPUT="$TMP/ld-search" run --index "$IDX" "Latakia airbase"
expect_rc 0 "search"
expect_out "Latakia" "search finds the sample"
files=$(loaded "$TMP/ld-search")
if [ -n "$files" ]; then ok; else bad "LD_DEBUG=files showed nothing"; fi
for l in nsearch-readers libxml2 libarchive libjson-c libbz2 liblzma libisal libbrotlidec libstemmer libnsearch; do
    if echo "$files" | grep -q "$l"; then
        bad "a search loaded $l: $(echo "$files" | tr '\n' ' ')"; else ok; fi
done

# The program alone in a directory, without the module beside it or in
# the installed place.
mkdir -p "$TMP/bin"
cp "$NSEARCH" "$TMP/bin/nsearch"
NSEARCH="$TMP/bin/nsearch" run --index "$IDX" "Latakia airbase"
expect_rc 0 "search without the module"
expect_out "Latakia" "search without the module finds the sample"
NSEARCH="$TMP/bin/nsearch" run index --index "$TMP/idx2" "$SAMPLE"
expect_rc 2 "index without the module"
expect_err "cannot load the readers module that indexing needs: $TMP/bin/[^:;]*nsearch/nsearch-readers\.so: .*No such file" \
    "the error names the installed path"
expect_err "; $TMP/bin/nsearch-readers\.so: " "the error names the build-tree path"

# A file there that is not the module: the reason, not a crash.
echo "not a library" >"$TMP/bin/nsearch-readers.so"
NSEARCH="$TMP/bin/nsearch" run index --index "$TMP/idx2" "$SAMPLE"
expect_rc 2 "index with a broken module"
expect_err "$TMP/bin/nsearch-readers\.so: .*(invalid ELF|too short)" "the broken module's reason"
finish
