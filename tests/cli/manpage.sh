#!/bin/bash
# The man page (docs/nsearch.1) keeps up with the command: every option that
# a command's --help lists is documented there, the page names the version
# the command reports, and it renders without a warning.
. "$(dirname "$0")/lib.bash"
MAN="$NS_SOURCE_DIR/docs/nsearch.1"

for cmd in "" search index batch status compact shard serve; do
    run $cmd --help
    expect_rc 0 "nsearch $cmd --help"
    # Long options (--name) and short ones (-x) as the help lists them.
    opts=$(grep -oE -- '(^|[ ,[])--?[a-zA-Z][a-zA-Z-]*' "$TMP/out" |
        sed 's/^[ ,[]*//' | sort -u)
    for o in $opts; do
        # In troff source each dash of an option is written \-.
        if grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$MAN"; then ok
        else bad "nsearch $cmd: option $o is not in docs/nsearch.1"; fi
    done
done

run --version
ver=$(sed -nE 's/^nsearch ([0-9]+\.[0-9]+).*/\1/p' "$TMP/out")
if grep -qE "^\.TH NSEARCH 1 .*\"nsearch $ver\"" "$MAN"; then ok
else bad "docs/nsearch.1 .TH does not name nsearch $ver"; fi

if command -v groff >/dev/null; then
    warn=$(groff -man -ww -z "$MAN" 2>&1)
    [ -z "$warn" ] && ok || bad "groff warns: $warn"
    groff -man -Tascii -P-cbou "$MAN" 2>/dev/null >"$TMP/page"
    grep -q "EXIT STATUS" "$TMP/page" && ok || bad "the page does not render"
fi

finish
