#!/bin/bash
# `nsearch index` run again and again, as cron does: over an unchanged
# archive it writes nothing to the index; a changed file is read again; a
# deleted file's articles go with --prune; the status counts files and
# sources; ids that are numbers count within their file.
. "$(dirname "$0")/lib.bash"
IDX="$TMP/idx"
IN="$TMP/in"
mkdir -p "$IN/sub"
cp "$NS_SOURCE_DIR/corpus/sample/"* "$IN/"
printf '{"id":"x1","title":"Harbour news","source":"Port Gazette","text":"the cranes of the harbour"}\n' >"$IN/sub/x.jsonl"

count_in() { "$NSEARCH" status --index "$1" | sed -n 's/^articles: *//p'; }
count() { count_in "$IDX"; }

run index --index "$IDX" "$IN"
expect_rc 0 "first run"
expect_no_out "quiet when stdout is not a terminal"
[ "$(count)" = 1002 ] && ok || bad "first run count: $(count)"
run status --index "$IDX"
expect_out "^files: *3$" "three files recorded"
# The sample's White House source, the seed's, and the Port Gazette.
n=$(sed -n 's/^sources: *//p' "$TMP/out")
[ "${n:-0}" -ge 2 ] && ok || bad "sources: $n"

# Re-run over the unchanged archive: no file of the index is written (the
# lock files aside: nsearch.lock and Xapian's flintlock).
sleep 1.1 # mtimes on coarse filesystems
touch "$TMP/marker"
run index --index "$IDX" "$IN"
expect_rc 0 "re-run"
expect_no_out "re-run is quiet"
changed=$(find "$IDX" -type f ! -name nsearch.lock ! -name flintlock \
    -newer "$TMP/marker")
[ -z "$changed" ] && ok || bad "re-run wrote: $changed"

# A changed file is read again; its other articles stay as they were.
printf '{"id":"x1","title":"Harbour news","source":"Port Gazette","text":"the cranes and the zeppelins of the harbour"}\n{"id":"x2","title":"More","text":"tugboats"}\n' >"$IN/sub/x.jsonl"
run index --index "$IDX" "$IN"
expect_rc 0 "changed file"
run --index "$IDX" zeppelins
expect_rc 0 "the changed article is searchable"
run --index "$IDX" tugboats
expect_rc 0 "the new article is searchable"
[ "$(count)" = 1003 ] && ok || bad "count after change: $(count)"

# A deleted file keeps its articles until --prune.
rm "$IN/sub/x.jsonl"
run index --index "$IDX" "$IN"
expect_rc 0 "run after delete"
[ "$(count)" = 1003 ] && ok || bad "without --prune: $(count)"
run index --index "$IDX" --prune "$IN"
expect_rc 0 "--prune"
[ "$(count)" = 1001 ] && ok || bad "after --prune: $(count)"
run --index "$IDX" tugboats
expect_rc 1 "the pruned article is gone"
run status --index "$IDX"
expect_out "^files: *2$" "two files recorded after --prune"

# Relative paths and another working directory name the same files.
(cd "$TMP" && "$NSEARCH" index --index "$IDX" in) >"$TMP/out" 2>"$TMP/err"
rc=$?
expect_rc 0 "run from another directory"
[ "$(count)" = 1001 ] && ok || bad "relative path doubled articles: $(count)"

# --exclude: a README beside the articles and a drafts folder are not
# read, an archive is read whole; --prune then removes what is now
# excluded.
mkdir -p "$IN/drafts" "$TMP/tar/wire"
printf 'About this archive\n\nThe quokkas here are mirrored nightly.\n' >"$IN/README.md"
printf '{"id":"d1","title":"Draft","text":"unpublished marmalade"}\n' >"$IN/drafts/d.jsonl"
printf '{"id":"t1","title":"Wire","text":"telegraph kestrels"}\n' >"$TMP/tar/wire/a.jsonl"
printf '{"id":"t2","title":"Wire notes","text":"telegraph ospreys"}\n' >"$TMP/tar/wire/notes.jsonl"
tar -C "$TMP/tar" -cf "$IN/wire.tar" wire
run index --index "$IDX" --exclude README.md --exclude drafts \
    --exclude 'wire/*' "$IN"
expect_rc 0 "--exclude run"
[ "$(count)" = 1003 ] && ok || bad "with --exclude: $(count)"
run --index "$IDX" ospreys
expect_rc 0 "archive members are not excluded"
run --index "$IDX" marmalade
expect_rc 1 "an excluded folder is not read"
run --index "$IDX" quokkas
expect_rc 1 "an excluded file is not read"
run index --index "$IDX" "$IN"
expect_rc 0 "the same without --exclude"
[ "$(count)" = 1005 ] && ok || bad "without --exclude: $(count)"
run --index "$IDX" quokkas
expect_rc 0 "the file is read when not excluded"
run index --index "$IDX" --prune --exclude '*.md' --exclude /drafts/ "$IN"
expect_rc 0 "--prune --exclude"
[ "$(count)" = 1003 ] && ok || bad "--prune of excluded files: $(count)"
run --index "$IDX" marmalade
expect_rc 1 "--prune removed the excluded folder's article"
run --index "$IDX" quokkas
expect_rc 1 "--prune removed the excluded file's article"
run --index "$IDX" latakia
expect_rc 0 "--prune kept what is not excluded"
run index --index "$IDX" --exclude ''
expect_rc 2 "an empty pattern is a usage error"

# An index inside the walked folder is not read as input; named as the
# path itself, it is rejected.
mkdir -p "$TMP/self"
cp "$NS_SOURCE_DIR/corpus/sample/latakia-article.txt" "$TMP/self/"
run index --index "$TMP/self/idx" "$TMP/self"
expect_rc 0 "an index under the path"
run index --index "$TMP/self/idx" "$TMP/self"
expect_rc 0 "an index under the path, again"
expect_no_out "nothing said about the index's own files"
[ "$(count_in "$TMP/self/idx")" = 1 ] && ok ||
    bad "the index read itself: $(count_in "$TMP/self/idx") articles"
run index --index "$TMP/self/idx" "$TMP/self/idx"
expect_rc 3 "the index as the path"
expect_err "the index's own directory" "named as its own directory"

# Ids that are numbers (up to 9 digits) count within their file: two
# exports numbering their records from 1, two feeds with the same
# non-permalink guid, two members of one archive, all kept; a DOCNO met in
# two files is still one article.
L="$TMP/local"
mkdir -p "$L/in" "$L/tar/m"
printf '{"id":1,"title":"File A zqo01","text":"zqo01"}\n' >"$L/in/a.jsonl"
printf '{"id":1,"title":"File B zqo03","text":"zqo03"}\n' >"$L/in/b.jsonl"
for x in a b; do
    printf '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed %s</title><item><title>Item zqf%s</title><guid isPermaLink="false">1001</guid><description>zqf%s</description></item></channel></rss>\n' \
        $x $x $x >"$L/in/$x.xml"
    printf '{"id":"7","title":"Member %s","text":"zqm%s"}\n' $x $x >"$L/tar/m/$x.jsonl"
    printf '{"id":"AP890101-0001","title":"Docno","text":"zqd%s"}\n' $x >"$L/in/d$x.jsonl"
done
tar -C "$L/tar" -cf "$L/in/m.tar" m
run index --index "$L/idx" "$L/in"
expect_rc 0 "local ids run"
for w in zqo01 zqo03 zqfa zqfb zqma zqmb; do
    run --index "$L/idx" "$w"
    expect_rc 0 "$w kept beside the article of the same number"
done
run --index "$L/idx" --format json zqo01
expect_out '"id":"1"' "the id shown is the file's own"
run --index "$L/idx" zqda
expect_rc 1 "a DOCNO met again replaces the article"
[ "$("$NSEARCH" status --index "$L/idx" | sed -n 's/^articles: *//p')" = 7 ] &&
    ok || bad "local ids: wrong count"

# A file whose reading stops before its end (here a gzip stream cut short;
# a kill, in cli_index_crash) keeps the articles read so far, is read
# again at every run, and, once removed, loses them to --prune: in a first
# build (bulk: records written as the build ends) and in an update.
C="$TMP/cut"
mkdir -p "$C/in"
python3 - "$C/whole.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(300):
        f.write(json.dumps({"id": "c%d" % i, "title": "Cut %d" % i,
                            "text": "zqcut census %d " % i * 20}) + "\n")
PY
gzip -c "$C/whole.jsonl" >"$C/whole.jsonl.gz"
cut_copy() { # cut_copy DEST: the gzip stream's first three quarters
    head -c $(($(stat -c %s "$C/whole.jsonl.gz") * 3 / 4)) \
        "$C/whole.jsonl.gz" >"$1"
}
quokkas() {
    "$NSEARCH" --index "$1" --format trec -n 1000 --no-snippets zqcut |
        wc -l
}
for way in build update; do
    CI="$C/idx-$way"
    if [ $way = update ]; then
        run index --index "$CI" "$IN" # an index with articles already
        expect_rc 0 "cut file: the index before"
    fi
    cut_copy "$C/in/cut.jsonl.gz"
    run index --index "$CI" --commit-every 10 "$C/in"
    expect_rc 3 "cut file ($way): rejected in part"
    n=$(quokkas "$CI")
    [ "$n" -gt 0 ] && [ "$n" -lt 300 ] && ok ||
        bad "cut file ($way): $n of its articles"
    run index --index "$CI" --commit-every 10 "$C/in"
    expect_rc 3 "cut file ($way): read again"
    [ "$(quokkas "$CI")" = "$n" ] && ok || bad "cut file ($way): read again"
    rm "$C/in/cut.jsonl.gz"
    run index --index "$CI" --prune "$C/in"
    expect_rc 0 "cut file ($way): --prune"
    [ "$(quokkas "$CI")" = 0 ] && ok ||
        bad "cut file ($way): $(quokkas "$CI") articles left after --prune"
done

finish
