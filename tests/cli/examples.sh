#!/bin/bash
# The programs of examples/, as built in this tree (the install test builds
# them again against the installed library): index_dir indexes a file and
# reports a bad one, search prints ranked hits with the matches marked, and
# json_server answers searches and bad requests over HTTP on 127.0.0.1 only,
# then stops cleanly on SIGTERM.
. "$(dirname "$0")/lib.bash"
EX="$(dirname "$NSEARCH")/examples"
IDX="$TMP/idx"

cat >"$TMP/news.jsonl" <<'JSON'
{"id": "n1", "title": "Russia builds an airbase near Latakia", "date": "2015-09-18", "source": "Wire", "url": "https://news.example/n1", "text": "Satellite images show the airbase growing; the airbases of the coast are busy."}
{"id": "n2", "title": "Markets close higher", "date": "2015-09-19", "source": "Wire", "url": "https://news.example/n2", "text": "Stocks rose. A passing mention of Latakia and of \"quotes\" \\ here."}
{"id": "n3", "title": "Harvest report", "date": "2016-01-02", "source": "Farm News", "url": "https://news.example/n3", "text": "Wheat and barley yields were high."}
JSON
printf '{"id": "broken", "title": \n' >"$TMP/bad.jsonl"

"$EX/index_dir" "$IDX" "$TMP/news.jsonl" >"$TMP/out" 2>"$TMP/err"
rc=$?
expect_rc 0 "index_dir"
expect_out "^3 indexed, 0 rejected$" "index_dir counts"
"$EX/index_dir" "$IDX" "$TMP/bad.jsonl" >"$TMP/out" 2>"$TMP/err"
rc=$?
expect_rc 1 "index_dir with a bad input"
expect_err "bad\.jsonl" "index_dir names the bad input"
"$EX/index_dir" >"$TMP/out" 2>"$TMP/err"
rc=$?
expect_rc 2 "index_dir without arguments"
# Text that is not valid UTF-8, which the library keeps as it was given.
printf 'Title: Odd bytes\n\nA mention of a broken \376\377 byte pair.\n' \
    >"$TMP/odd.txt"
"$EX/index_dir" "$IDX" "$TMP/odd.txt" >"$TMP/out" 2>"$TMP/err"
rc=$?
expect_rc 0 "index_dir a text file"

"$EX/search" "$IDX" "latakia airbase" >"$TMP/out" 2>"$TMP/err"
rc=$?
expect_rc 0 "search"
expect_out "^1\. Russia builds an airbase near Latakia \(2015-09-18" "best first"
expect_out "^2\. Markets close higher" "second"
expect_out "\[airbases\]" "an inflection is marked"
"$EX/search" "$IDX" "zzyzx" >"$TMP/out" 2>"$TMP/err"
rc=$?
expect_rc 1 "search without a result"
"$EX/search" "$TMP/none" "x" >"$TMP/out" 2>"$TMP/err"
rc=$?
expect_rc 2 "search a missing index"
expect_err "none" "the missing index is named"

# The server on a free loopback port; wait (bounded) for its ready line.
"$EX/json_server" "$IDX" 0 >"$TMP/srv.out" 2>"$TMP/srv.err" &
pid=$!
port=
for _ in $(seq 100); do
    port=$(sed -nE 's|^listening on http://127\.0\.0\.1:([0-9]+)/$|\1|p' \
        "$TMP/srv.out")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$port" ]; then
    bad "json_server did not start: $(cat "$TMP/srv.err")"
    kill "$pid" 2>/dev/null
    finish
fi
ok
python3 - "$port" <<'PY' && ok || bad "json_server answers"
import json, socket, sys

port = int(sys.argv[1])

def ask(raw):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(raw)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    code = int(head.split()[1])
    return code, json.loads(body)

def get(target):
    return ask(b"GET " + target + b" HTTP/1.0\r\nHost: x\r\n\r\n")

code, d = get(b"/search?q=latakia+airbase&limit=5")
assert code == 200, (code, d)
assert d["query"] == "latakia airbase" and d["total"] == 2, d
hits = d["hits"]
assert [h["id"] for h in hits] == ["n1", "n2"], hits
assert hits[0]["rank"] == 1 and hits[0]["score"] > hits[1]["score"]
for h in hits:
    s = h["snippet"].encode("utf-8")
    assert h["highlights"], h
    for a, b in h["highlights"]:
        w = s[a:b].decode("utf-8").lower()
        assert w.startswith("latakia") or w.startswith("airbase"), w
# Escaped quotes and backslashes survive the JSON.
code, d = get(b"/search?q=passing")
assert code == 200 and '"quotes" \\' in d["hits"][0]["snippet"], d
code, d = get(b"/search?q=wheat&sort=newest&since=2016&until=2016-12")
assert code == 200 and [h["id"] for h in d["hits"]] == ["n3"], d
code, d = get(b"/search?q=latakia&limit=1&offset=1")
assert code == 200 and [h["rank"] for h in d["hits"]] == [2], d
# Invalid UTF-8 in an article still gives valid JSON (strict decoding
# above), and the highlights still point at the matched words.
code, d = get(b"/search?q=broken")
h = d["hits"][0]
s = h["snippet"].encode("utf-8")
assert code == 200 and [s[a:b] for a, b in h["highlights"]] == [b"broken"], d
code, d = get(b"/search?q=%22air%20base")  # percent-decoding
assert code == 200, d
# Bad requests get their status and a JSON error.
for target, want in ((b"/search?q=", 400), (b"/search", 400),
                     (b"/search?q=x&limit=ten", 400),
                     (b"/search?q=x&sort=sideways", 400),
                     (b"/search?q=x&since=never", 400), (b"/other", 404)):
    code, d = get(target)
    assert code == want and d["error"], (target, code, d)
code, d = ask(b"POST /search HTTP/1.0\r\n\r\n")
assert code == 405, code
code, d = ask(b"GET /search?q=" + b"a" * 9000 + b" HTTP/1.0\r\n\r\n")
assert code == 413, code
code, d = ask(b"garbage\r\n\r\n")
assert code == 400, code
PY

kill -TERM "$pid"
wait "$pid"
rc=$?
expect_rc 0 "json_server stops cleanly on SIGTERM"

finish
