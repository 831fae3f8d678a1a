#!/bin/bash
# Bad input to `nsearch index`: each is named on stderr with the reason,
# the rest is still indexed, and the exit code says what happened.  Inputs
# that are no articles but nothing wrong (a NewsML manifest) are passed
# over without a word.
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

# NewsML 1.2 (tests/data/xml/newsml/nml1-*): a picture and a manifest of
# NewsItemRefs are no articles but nothing wrong (exit 0); the text items
# are found with their fields; a text item with neither headline nor
# text is named with its file and record, the good item beside it kept.
N="$NS_TEST_DATA/xml/newsml"
run index --index "$TMP/nml" "$N/nml1-photo.xml" "$N/nml1-manifest.xml"
expect_rc 0 "newsml 1: a picture and a manifest are passed over quietly"
run index --index "$TMP/nml" "$N/nml1-two-items.xml" "$N/nml1-alert.xml" \
    "$N/nml1-latin1.xml"
expect_rc 0 "newsml 1: text items indexed"
run --index "$TMP/nml" --format json swing bridge
expect_rc 0 "newsml 1: search"
expect_out '"id":"urn:newsml:wire.example:20231126:TW0001:1".*"title":"Harbour bridge reopens after repairs","date":"2023-11-26T10:10:10Z","source":"TESTWIRE"' \
    "newsml 1: NITF item with its title, date and source"
run --index "$TMP/nml" --format json poissons
expect_out '"title":"Le marché aux poissons déménage","date":"2023-11-27T08:00:00\+01:00","source":"Dépêche Test"' \
    "newsml 1: XHTML item"
run --index "$TMP/nml" --format json praça
expect_out '"title":"Café na praça reabre","date":"2023-11-29T07:00:00Z","source":"wire.example"' \
    "newsml 1: Latin-1 item in UTF-8"
run --index "$TMP/nml" الميناء
expect_out "TESTWIRE \| urn:newsml:wire.example:20231126:TW0003:1" \
    "newsml 1: an alert without a headline, found by its Arabic text"
run index --index "$TMP/nml" "$N/nml1-empty.xml"
expect_rc 3 "newsml 1: an empty text item is a reject"
expect_err "nml1-empty\.xml: record 2: news item has no headline and no text" \
    "newsml 1: the empty item named with its file and record"
expect_err "1 indexed \(newsml 1\), 1 rejected" "newsml 1: its good item kept"

# An index path that is a file.
: >"$TMP/afile"
run index --index "$TMP/afile" "$D"
expect_rc 2 "index path is a file"
expect_err "afile" "names the path"

finish
