#!/bin/bash
# What `nsearch index` prints, for cron and for people: nothing on success
# when stdout is not a terminal or with --quiet; on a terminal a progress
# bar and one summary line; rejects and their summary on stderr; the exit
# codes in --help.  A terminal is made with script(1).
. "$(dirname "$0")/lib.bash"
IDX="$TMP/idx"
IN="$TMP/in"
mkdir -p "$IN"
zstd -dc "$NS_SOURCE_DIR/corpus/sample/whitehouse-sample.jsonl.zst" |
    head -n 400 | split -l 100 -d --additional-suffix=.jsonl - "$IN/part-"

run index --index "$IDX" "$IN"
expect_rc 0 "index, stdout not a terminal"
expect_no_out "nothing on stdout"
[ -z "$err" ] && ok || bad "stderr on success: $err"

if command -v script >/dev/null; then
    # On a terminal: the summary line (and progress lines before it).
    script -qec "'$NSEARCH' index --index '$TMP/idx2' '$IN'" /dev/null \
        >"$TMP/tty" 2>&1
    rc=$?
    expect_rc 0 "index on a terminal"
    last=$(tr '\r' '\n' <"$TMP/tty" | sed 's/\x1b\[K//g' | grep -v '^$' | tail -n 1)
    case "$last" in
    "400 indexed (jsonl 400), 0 rejected; 4 files (0 unchanged) in "[0-9]*:[0-9][0-9]*) ok ;;
    *) bad "summary line on a terminal: '$last'" ;;
    esac
    # The re-run: every file unchanged.
    script -qec "'$NSEARCH' index --index '$TMP/idx2' '$IN'" /dev/null \
        >"$TMP/tty" 2>&1
    last=$(tr '\r' '\n' <"$TMP/tty" | sed 's/\x1b\[K//g' | grep -v '^$' | tail -n 1)
    case "$last" in
    "0 indexed, 0 rejected; 4 files (4 unchanged) in "*) ok ;;
    *) bad "summary of a re-run: '$last'" ;;
    esac
    script -qec "'$NSEARCH' index -q --index '$TMP/idx3' '$IN'" /dev/null \
        >"$TMP/tty" 2>&1
    [ ! -s "$TMP/tty" ] && ok || bad "--quiet on a terminal printed: $(head -c 200 "$TMP/tty")"
else
    echo "SKIP: no script(1) for the terminal cases"
fi

# Rejects: each on stderr, then the summary there too; exit 3.
printf '{"id":"z1","title":"Zed","text":"zed"}\n{"id":"z2", broken\n' >"$IN/bad.jsonl"
run index --index "$IDX" "$IN"
expect_rc 3 "done with a reject"
expect_no_out "no stdout with rejects either"
expect_err "bad.jsonl: line 2: " "the reject is named with its line"
expect_err "^nsearch: 1 indexed \(jsonl 1\), 1 rejected; 5 files \(4 unchanged\) in " \
    "the summary on stderr, with the articles per format"

# A file changed but for one article: the formats count every article read
# (indexed or unchanged), after the unchanged count.
printf '{"id":"z1","title":"Zed","text":"zed"}\n{"id":"z3","title":"Three","text":"three"}\n' >"$IN/bad.jsonl"
cp "$IN/part-00.jsonl" "$TMP/p0" && head -n 99 "$TMP/p0" >"$IN/part-00.jsonl" &&
    echo '{"id":"y1","title":"Why","text":"why"}' >>"$IN/part-00.jsonl"
printf '{"id": broken\n' >"$IN/zz-bad.jsonl"
run index --index "$IDX" "$IN"
expect_rc 3 "a changed file and a reject"
expect_err "^nsearch: 2 indexed, 1 rejected; 100 unchanged, 1 deleted; 102 read \(jsonl 102\); 6 files \(3 unchanged\) in " \
    "the articles per format after the unchanged ones"

run index --help
expect_rc 0 "index --help"
for code in 0 3 75 2; do
    expect_out "(^|[ ;])$code " "--help documents exit code $code"
done

finish
