#!/bin/bash
# bench/store_ratio (built next to nsearch): the stored texts' sizes and
# their zstd ratio with and without the index's dictionary, as bench/perf
# reports them.  The figures must add up and the dictionary must gain.
. "$(dirname "$0")/lib.bash"
TOOL="$(dirname "$NSEARCH")/store_ratio"
IDX="$TMP/idx"
zstd -dc "$NS_SOURCE_DIR/corpus/sample/whitehouse-sample.jsonl.zst" |
    head -n 300 >"$TMP/in.jsonl"
run index --index "$IDX" "$TMP/in.jsonl"
expect_rc 0 "index"
"$TOOL" "$IDX" >"$TMP/ratio" 2>"$TMP/rerr" && ok ||
    bad "store_ratio: $(cat "$TMP/rerr")"
python3 - "$TMP/ratio" <<'P' && ok || bad "store_ratio figures: $(cat "$TMP/ratio")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["articles"] == 300, r
assert r["record_bytes"] == r["field_bytes"] + r["frame_bytes"], r
assert 0 < r["frame_bytes"] < r["plain_bytes"] < r["text_bytes"], r
assert r["dict_bytes"] > 0, r
assert abs(r["ratio_dict"] - r["text_bytes"] / r["frame_bytes"]) < 1e-3, r
assert r["ratio_dict"] > r["ratio_plain"] > 1, r
P
"$TOOL" "$TMP/none" >/dev/null 2>"$TMP/rerr"
[ $? -eq 1 ] && grep -q "none" "$TMP/rerr" && ok ||
    bad "store_ratio on no index: $(cat "$TMP/rerr")"
finish
