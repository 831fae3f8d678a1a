#!/bin/bash
# Hostile input cannot reach outside the index or the terminal, nor take
# unbounded memory:
# - archives (tar, zip) with ../ members, absolute paths, symlinks, a hard
#   link, a device and a FIFO: nothing is written outside the index,
#   nothing outside the archive is read (no /etc/passwd in the index), the
#   plain members are still indexed, and each member skipped is named with
#   the reason on stderr;
# - directories with symlinks: one that leaves the given path is not
#   followed (and named on stderr), one inside it is, and a path named on
#   the command line is followed wherever it leads;
# - HTML and terminal escapes in an article's title, source, author, URL
#   and text: HTML output escapes them, text output (also in colour) lets
#   no control character through but its own colour codes, JSON stays valid;
# - a hostile WARC or feed (a huge declared length, a huge body, deep
#   nesting, millions of tags, entity expansion, deep JSON): each is
#   indexed or rejected within a bounded peak RSS (not checked under ASan,
#   whose shadow memory and quarantine inflate it).
. "$(dirname "$0")/lib.bash"
IDX="$TMP/idx"
WORK="$TMP/work/a/b"
mkdir -p "$WORK"
ABS="$TMP-abs-$$.jsonl" # outside $TMP, so an escape is easy to see
trap 'rm -rf "$TMP" "$ABS" "$ABS.z" /tmp/ns-escape-deep-$$.jsonl' EXIT

has_control() { # C0 (but \n, \t), DEL or C1
    LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$1"
}

# ---- archives ----------------------------------------------------------------
python3 - "$TMP/evil" "$ABS" "/tmp/ns-escape-deep-$$.jsonl" <<'EOF'
import io, sys, tarfile, zipfile
out, absname, deep = sys.argv[1:4]
def art(i, word):
    return ('{"id":"%s","title":"Member %s","text":"harbour %s"}\n'
            % (i, i, word)).encode()
def add(t, name, data):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    t.addfile(ti, io.BytesIO(data))
def special(t, name, kind, link=''):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.linkname = link
    ti.devmajor, ti.devminor = 1, 5
    t.addfile(ti)
with tarfile.open(out + '.tar', 'w', format=tarfile.GNU_FORMAT) as t:
    add(t, 'ok.jsonl', art('ok', 'plainword'))
    add(t, '../escape-up.jsonl', art('up', 'upword'))
    add(t, '../' * 12 + deep.lstrip('/'), art('deep', 'deepword'))
    add(t, absname, art('abs', 'absword'))
    add(t, 'sub/../../escape-two.jsonl', art('two', 'twoword'))
    special(t, 'passwd.jsonl', tarfile.SYMTYPE, '/etc/passwd')
    special(t, 'passwd2.txt', tarfile.SYMTYPE, '../' * 8 + 'etc/passwd')
    special(t, 'hard.txt', tarfile.LNKTYPE, '/etc/passwd')
    special(t, 'linkdir', tarfile.SYMTYPE, '..')
    add(t, 'linkdir/escape-link.jsonl', art('link', 'linkword'))
    special(t, 'zero.jsonl', tarfile.CHRTYPE)
    special(t, 'fifo.jsonl', tarfile.FIFOTYPE)
with zipfile.ZipFile(out + '.zip', 'w') as z:
    z.writestr('ok.jsonl', art('zok', 'zipword'))
    z.writestr('../zip-up.jsonl', art('zup', 'zipupword'))
    z.writestr(absname + '.z', art('zabs', 'zipabsword'))
EOF
[ -s "$TMP/evil.tar" ] && [ -s "$TMP/evil.zip" ] && ok || bad "archives not made"

# Everything under $TMP but the index, before and after.
META="$TMP/meta"
mkdir -p "$META"
: >"$TMP/out"
: >"$TMP/err"
listing() {
    (cd "$TMP" && find . -path ./idx -prune -o -path ./meta -prune -o -print |
        sort)
}
listing >"$META/before"
: >"$META/allerr"
for a in evil.tar evil.zip; do
    (cd "$WORK" && "$NSEARCH" index -q --index "$IDX" "$TMP/$a") \
        >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ "$rc" -eq 3 ] && ok || bad "index $a: exit $rc: $(cat "$TMP/err")"
    cat "$TMP/err" >>"$META/allerr"
done
# Each member skipped is named, one line each, with the reason.
while IFS='|' read -r member why; do
    grep -qF -- "$member: $why" "$META/allerr" && ok ||
        bad "no warning '$member: $why' in: $(cat "$META/allerr")"
done <<EOF
evil.tar:../escape-up.jsonl|not read: its path leads out of the archive ('..')
evil.tar:sub/../../escape-two.jsonl|not read: its path leads out of the archive
evil.tar:passwd.jsonl|not followed: a symlink to /etc/passwd
evil.tar:passwd2.txt|not followed: a symlink to ../../../../../../../../etc/passwd
evil.tar:hard.txt|not read: a hard link to /etc/passwd
evil.tar:linkdir|not followed: a symlink to ..
evil.tar:zero.jsonl|not read: not a regular file
evil.tar:fifo.jsonl|not read: not a regular file
evil.zip:../zip-up.jsonl|not read: its path leads out of the archive
EOF
# and the one 12 levels up.
[ "$(grep -c 'evil\.\(tar\|zip\):' "$META/allerr")" -eq 10 ] && ok ||
    bad "expected 10 members named: $(cat "$META/allerr")"
listing >"$META/after"
if diff "$META/before" "$META/after" >"$META/diff"; then ok
else bad "files appeared outside the index: $(cat "$META/diff")"; fi
for f in "$ABS" "$ABS.z" "/tmp/ns-escape-deep-$$.jsonl" "$TMP/work/a/escape-up.jsonl" \
    "$TMP/work/escape-two.jsonl" "$TMP/work/a/escape-link.jsonl" \
    "$TMP/work/a/zip-up.jsonl"; do
    [ ! -e "$f" ] && ok || bad "an archive member was written to $f"
done
# The plain members are indexed; the link targets are not read.
for w in plainword absword zipword zipabsword; do
    run --index "$IDX" "$w"
    expect_rc 0 "member with '$w' indexed"
done
for w in root daemon nologin; do
    run --index "$IDX" "$w"
    expect_rc 1 "/etc/passwd not indexed through a link ('$w' found)"
done

# ---- symlinks in directories -------------------------------------------------
# tree/ holds an article, a symlink to a file inside it, symlinks to a file
# and a directory outside it; out/ holds an article that must not be read
# through them.
SL="$TMP/sl"
mkdir -p "$SL/tree/sub" "$SL/out/deep"
printf '{"id":"in1","title":"Inside","text":"insideword"}\n' \
    >"$SL/tree/in.jsonl"
printf '{"id":"out1","title":"Outside","text":"outsideword"}\n' \
    >"$SL/out/deep/out.jsonl"
ln -s in.jsonl "$SL/tree/alias.jsonl"         # inside: followed
ln -s ../../out "$SL/tree/sub/outdir"         # a directory outside
ln -s "$SL/out/deep/out.jsonl" "$SL/tree/outfile.jsonl"  # a file outside
ln -s tree "$SL/treelink"                     # the given path itself
run index -q --index "$TMP/slidx" "$SL/tree"
expect_rc 3 "index a tree with symlinks out of it"
expect_err "$SL/tree/sub/outdir: not followed: a symlink to $SL/out, outside the given path $SL/tree\$" \
    "the directory symlink is named"
expect_err "$SL/tree/outfile.jsonl: not followed: a symlink to $SL/out/deep/out.jsonl, outside" \
    "the file symlink is named"
[ "$(grep -c 'not followed' "$TMP/err")" -eq 2 ] && ok ||
    bad "two warnings expected: $err"
run --index "$TMP/slidx" outsideword
expect_rc 1 "nothing outside the given path is indexed"
run --index "$TMP/slidx" --format trec insideword
expect_rc 0 "the article inside is indexed"
expect_out 'alias\.jsonl|in1' "found"
# Named on the command line: followed, wherever it leads.
run index -q --index "$TMP/slidx2" "$SL/treelink" "$SL/tree/outfile.jsonl"
expect_rc 3 "index through a given symlink"
expect_err "treelink/sub/outdir: not followed" "inside a given symlink too"
run --index "$TMP/slidx2" outsideword
expect_rc 0 "a symlink named on the command line is followed"

# ---- escapes in articles ---------------------------------------------------
python3 - "$TMP/escapes.jsonl" <<'EOF'
import json, sys
# The JSON reader reads HTML (and drops control characters with it): markup
# written as references is stored as text, for the printers to escape.
a = {"id": "x1<b>", "date": "2015-09-30",
     "title": "&lt;script&gt;alert(1)&lt;/script&gt; title",
     "source": "Evil <i>Source</i>", "author": "A\u009b31mB",
     "url": "http://e.com/?a=<x>&b=\"q\"'",
     "text": "Harbour news &lt;img src=x onerror=alert(1)&gt; with"
             " \u009b2J and\ttabs\r\nand &amp;amp; entities harbour."}
# C0 controls (ESC sequences) where there is no markup, so they are kept.
c = {"id": "x3", "date": "2015-09-29",
     "title": "\u001b[31mRed\u001b]0;owned\u0007 title",
     "source": "Evil \u001b[2JSource",
     "text": "Harbour news with \u001b[31mcolour"
             "\u001b[0m and \u001b]8;;http://evil\u0007link\u001b]8;;\u0007 "
             "and \u009b2J and\ttabs\r\nand &amp entities harbour."}
# C1 controls (U+0080..U+009F: U+009B is CSI, U+009D OSC, U+0085 NEL) in
# every field, an id with escapes (TREC output prints ids).
b = {"id": "x2\u001b[31m\u009b1m id", "date": "2015-10-01",
     "title": "C1 \u009b31mquay\u009d0;owned\u009c title",
     "source": "S\u0085ource", "author": "\u0090q\u009c",
     "url": "http://e.com/\u009b",
     "text": "Harbour quay \u009b2J\u009b31m and \u0085 next \u009downed"
             " and bidi \u202edesrever\u202c \u2067isolate\u2069 here"}
# A script URL: never a link of the page.
d = {"id": "x4", "date": "2015-10-02", "title": "Scripted harbour link",
     "url": "JavaScript:alert(1)\" onmouseover=\"alert(2)",
     "text": "Harbour pier with a script for a link."}
with open(sys.argv[1], "w") as f:
    f.write("".join(json.dumps(x) + "\n" for x in (a, b, c, d)))
EOF
# Raw C1 bytes (not UTF-8) in a text file's title and text.
printf 'Raw \233[31m quay \235 title\n\nHarbour wharf \233[2J bytes \205 here.\n' \
    >"$TMP/rawc1.txt"
"$NSEARCH" index -q --index "$TMP/eidx" "$TMP/escapes.jsonl" "$TMP/rawc1.txt" &&
    ok || bad "index escapes.jsonl, rawc1.txt"

run --index "$TMP/eidx" --color never harbour
expect_rc 0 "text search"
expect_out '<script>alert' "the title is shown (as text)"
has_control "$TMP/out" && bad "text: a control character reached stdout" || ok
# Bidirectional overrides and isolates would reorder the terminal's line.
LC_ALL=C grep -qP '\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$TMP/out" &&
    bad "text: a bidirectional control reached stdout" || ok
expect_out 'bidi  desrever  ' "text: bidi controls blank, the text kept"

run --index "$TMP/eidx" --color always harbour
expect_rc 0 "colour search"
# Only nsearch's own SGR codes may remain.
LC_ALL=C sed 's/\x1b\[[0-9;]*m//g' "$TMP/out" >"$TMP/stripped"
has_control "$TMP/stripped" &&
    bad "colour: a control character other than nsearch's colours" || ok
grep -q $'\x1b\\[1;31mHarbour' "$TMP/out" && ok || bad "colour: no highlight"

run --index "$TMP/eidx" --format html harbour
expect_rc 0 "html search"
expect_out '&lt;script&gt;alert\(1\)&lt;/script&gt;' "html: title escaped"
expect_out '&lt;img src=x onerror=alert\(1\)&gt;' "html: text escaped"
expect_out 'href="http://e.com/\?a=&lt;x&gt;&amp;b=&quot;q&quot;&#39;"' \
    "html: URL attribute escaped"
grep -qi 'href="javascript' "$TMP/out" && bad "html: a javascript: link" || ok
expect_out '<h3>Scripted harbour link</h3>' "html: the title without a link"
# Every tag is one of nsearch's own.
LC_ALL=C grep -oE '<[/a-zA-Z][^>]*>' "$TMP/out" | sed -E 's/^<\/?([a-z0-9]+).*/\1/' |
    sort -u >"$TMP/tags"
if grep -qvxE 'div|h3|a|p|mark|span|b|strong|em|ol|li|ul' "$TMP/tags"; then
    bad "html: unexpected tags: $(tr '\n' ' ' <"$TMP/tags")"
else ok; fi
LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$TMP/out" &&
    bad "html: a C0 control character" || ok
has_control "$TMP/out" && bad "html: a C1 control character" || ok
iconv -f UTF-8 -t UTF-8 "$TMP/out" >/dev/null 2>&1 && ok ||
    bad "html: invalid UTF-8 (raw C1 bytes?)"
expect_out 'C1  31mquay 0;owned  title' "html: C1 title shown, controls blank"
# not UTF-8, so read as windows-1252: 0x9B is U+203A, 0x9D (no character
# there) U+FFFD; neither is a control
expect_out $'Raw \xe2\x80\xba\\[31m quay \xef\xbf\xbd title' \
    "html: raw C1 bytes read as windows-1252, none left a control"

run --index "$TMP/eidx" --format json harbour
expect_rc 0 "json search"
if python3 -c '
import json, sys
hits = 0
for line in open(sys.argv[1]):
    o = json.loads(line)  # every line is JSON, results and trailers alike
    if "rank" in o:
        hits += 1
    if o.get("id") == "x1<b>":
        assert o["title"].startswith("<script>"), o["title"]
    if o.get("id") == "x3":
        assert "\x1b" in o["title"]  # kept, escaped as \u001b
    if o.get("id", "").startswith("x2"):
        assert "\x9b" in o["title"]  # kept, escaped as \u009b
        hits += 10
assert hits == 15
' "$TMP/out"; then ok; else bad "json: not valid or not the title"; fi
LC_ALL=C grep -qP '[\x00-\x1f\x7f]' "$TMP/out" &&
    bad "json: a raw C0 control character" || ok
has_control "$TMP/out" && bad "json: a raw C1 control character" || ok
expect_out 'C1 \\u009b31mquay' "json: C1 as a \\u escape"

run --index "$TMP/eidx" --format trec harbour
expect_rc 0 "trec search"
has_control "$TMP/out" && bad "trec: a control character" || ok
expect_out ' Q0 x2_\[31m_1m_id ' "trec: the id as one word, no escape"
run status --index "$TMP/eidx"
expect_rc 0 "status"
has_control "$TMP/out" && bad "status: a control character" || ok

# ---- hostile WARC and feeds: bounded memory --------------------------------
python3 - "$TMP/hostile" <<'EOF'
import os, sys
d = sys.argv[1]
os.makedirs(d)
def rec(block, length=None):
    h = (b'WARC/1.0\r\nWARC-Type: response\r\n'
         b'WARC-Target-URI: http://example.com/a\r\n'
         b'WARC-Date: 2024-03-05T10:00:00Z\r\n'
         b'WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n'
         b'Content-Type: application/http; msgtype=response\r\n')
    h += b'Content-Length: %d\r\n' % (len(block) if length is None else length)
    return h + b'\r\n' + block + b'\r\n\r\n'
def http(body, length=None):
    return (b'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n'
            b'Content-Length: %d\r\n\r\n' % (len(body) if length is None
                                            else length)) + body
page = (b'<html><head><title>Ok</title></head><body><article><p>' +
        b'Plain words about harbours. ' * 20 + b'</p></article></body></html>')
def w(name, data):
    open(os.path.join(d, name), 'wb').write(data)
w('warc-length-1e15.warc', rec(http(page), length=10**15))
w('http-length-1e15.warc', rec(http(page, length=10**15)))
w('body-70mb.warc', rec(http(b'<html><body><p>' + b'word ' * (14 << 20) +
                             b'</p></body></html>')))
w('nested-300k.warc', rec(http(b'<html><body>' + b'<div>' * 300000 + b'deep' +
                               b'</div>' * 300000 + b'</body></html>')))
w('tags-2m.warc', rec(http(b'<html><body>' + b'<b>x</b>' * 2000000 +
                           b'</body></html>')))
w('entities.xml', b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "' +
  b'a' * 50000 + b'">]>\n<rss version="2.0"><channel><title>t</title><item>'
  b'<title>x</title><description>' + b'&a;' * 20000 +
  b'</description></item></channel></rss>\n')
w('nested-1m.xml', b'<?xml version="1.0"?>\n<rss version="2.0"><channel>'
  b'<item><title>x</title><description>' + b'<x>' * 1000000 +
  b'</x>' * 1000000 + b'</description></item></channel></rss>\n')
w('nested-1m.json', b'[' * 1000000 + b']' * 1000000)
w('nested-500k.jsonl', b'{"id":"x","title":"t","text":"a","e":' +
  b'{"a":' * 500000 + b'1' + b'}' * 500000 + b'}\n')
EOF
cp "$NS_TEST_DATA/xml/billion-laughs.xml" "$TMP/hostile/"
asan=0
LC_ALL=C grep -q __asan_init "$NSEARCH" && asan=1
for f in "$TMP"/hostile/*; do
    name=$(basename "$f")
    out=$(python3 - "$NSEARCH" index -q --index "$TMP/h-$name" "$f" <<'EOF'
import resource, subprocess, sys
try:
    p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=120)
    rc, err = p.returncode, p.stderr.decode(errors="replace")
except subprocess.TimeoutExpired:
    rc, err = 124, "timed out"
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(rc, kb // 1024, err.replace("\n", " | ")[:300])
EOF
    )
    read -r rc mb msg <<<"$out"
    echo "$name: exit $rc, peak RSS $mb MB: $msg"
    [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] && ok || bad "$name: exit $rc: $msg"
    if [ "$asan" -eq 0 ]; then
        [ "$mb" -le 300 ] && ok || bad "$name: peak RSS $mb MB (over 300)"
    fi
done
finish
