#!/bin/bash
# The bad-input matrix: each row of tests/bad-inputs.tsv runs the nsearch
# command on one bad query, option, index, environment or input file, and
# must end with its exit code and message.  Every row must also not crash,
# hang, or let a control character reach stderr or stdout.  Rows marked
# xfail are known bugs: they are reported, and fail the test once they pass.
. "$(dirname "$0")/lib.bash"
TSV="$NS_SOURCE_DIR/tests/bad-inputs.tsv"
DATA="$NS_TEST_DATA"
IDX="$TMP/idx"
IN="$TMP/in"
export TMP IDX IN DATA
chmod 755 "$TMP" # the unprivileged rows must reach the fixtures
mkdir -p "$TMP/pub" && chmod 1777 "$TMP/pub"

# Run as an unprivileged user: root drops to nobody; anyone else already is.
if [ "$(id -u)" -eq 0 ]; then
    if command -v setpriv >/dev/null &&
        setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
        AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
    else
        AS_NOBODY=()
    fi
else
    AS_NOBODY=(env)
fi

made=" "
fixture() { # fixture NAME: make it once
    case "$made" in *" $1 "*) return 0 ;; esac
    made="$made$1 "
    case "$1" in
    index)
        "$NSEARCH" index -q --index "$IDX" \
            "$DATA/corpus/jsonl/basic.jsonl" || bad "fixture index"
        ;;
    inputs)
        mkdir -p "$IN"
        cp "$DATA/corpus/jsonl/basic.jsonl" "$IN/basic.jsonl"
        : >"$IN/empty.jsonl"
        head -c 4096 /dev/zero >"$IN/zeros.jsonl"
        head -c 3000 /dev/urandom >"$IN/junk.bin"
        printf '{"id":"b1","title":"One","text":"first"}\n{"id": broken\n' \
            >"$IN/bad.jsonl"
        mkdir -p "$IN/fifo-dir"
        cp "$IN/basic.jsonl" "$IN/fifo-dir/"
        mkfifo "$IN/fifo-dir/fifo"
        mkdir -p "$IN/loop/a"
        cp "$IN/basic.jsonl" "$IN/loop/"
        ln -s .. "$IN/loop/a/up"
        mkdir -p "$IN/esc"
        cp "$IN/bad.jsonl" "$IN/esc/$(printf 'bad\033[31mname\nx.jsonl')"
        cp "$IN/basic.jsonl" "$IN/secret.jsonl"
        chmod 000 "$IN/secret.jsonl"
        mkdir -p "$IN/closed"
        cp "$IN/basic.jsonl" "$IN/closed/"
        chmod 000 "$IN/closed"
        chmod -R a+rX "$IN" 2>/dev/null
        chmod 000 "$IN/secret.jsonl" "$IN/closed"
        ;;
    afile) : >"$TMP/afile" ;;
    emptydir) mkdir -p "$TMP/emptydir" ;;
    junkidx)
        mkdir -p "$TMP/junkidx"
        head -c 5000 /dev/urandom >"$TMP/junkidx/iamglass"
        head -c 9000 /dev/urandom >"$TMP/junkidx/postlist.glass"
        ;;
    newer | noschema | badanalyzer | evilschema | evilupdated | truncidx | \
        dmgdocdata | badzdict | roidx)
        fixture index
        cp -r "$IDX" "$TMP/$1"
        case "$1" in
        newer) xapian-metadata set "$TMP/$1" nsearch.schema 999 ;;
        noschema) xapian-metadata set "$TMP/$1" nsearch.schema "" ;;
        badanalyzer)
            xapian-metadata set "$TMP/$1" nsearch.analyzer "lang=klingon"
            ;;
        evilschema) # terminal escapes: set the title, clear the screen
            xapian-metadata set "$TMP/$1" nsearch.schema \
                "$(printf '999\033]0;owned\007\033[2J')"
            ;;
        evilupdated)
            xapian-metadata set "$TMP/$1" nsearch.updated \
                "$(printf '\033]0;owned\007\033[2J')"
            ;;
        truncidx) # wherever the index keeps its tables
            find "$TMP/$1" -name postlist.glass -exec truncate -s 100 {} +
            ;;
        dmgdocdata) # Xapian reads it as a block of a discarded revision
            find "$TMP/$1" -name docdata.glass -exec sh -c \
                "printf '\\177\\177\\177\\177' | dd of={} conv=notrunc 2>/dev/null" \;
            ;;
        badzdict) # zstd's dictionary magic, then junk
            xapian-metadata set "$TMP/$1" nsearch.zdict \
                "$(printf '\067\244\060\354\001\002\003\004junk')"
            ;;
        roidx)
            find "$TMP/$1" -type f -exec chmod 444 {} +
            find "$TMP/$1" -type d -exec chmod 555 {} +
            ;;
        esac || bad "fixture $1"
        ;;
    roparent) mkdir -p "$TMP/roparent" && chmod 555 "$TMP/roparent" ;;
    gzbomb) head -c 200000000 /dev/zero | gzip -1 >"$TMP/bomb.jsonl.gz" ;;
    hugeline)
        { printf '{"id":"h","title":"t","text":"'
          head -c 70000000 /dev/zero | tr '\0' a
          printf '"}\n'; } >"$TMP/hugeline.jsonl"
        ;;
    *) bad "unknown fixture $1" ;;
    esac
}

has_control() { # has_control FILE: a C0 (but \n, \t), DEL or C1 character
    LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$1"
}

rows=0 xfails=0 skips=0
while IFS=$'\t' read -r name setup user envs args want rx xfail; do
    case "$name" in '' | '#'*) continue ;; esac
    rows=$((rows + 1))
    if [ "$user" = nobody ] && [ ${#AS_NOBODY[@]} -eq 0 ]; then
        echo "SKIP $name: cannot run as an unprivileged user" >&2
        skips=$((skips + 1))
        continue
    fi
    if [ "$setup" != - ]; then
        case "$setup" in *newer* | *noschema* | *badanalyzer* | *evil* | *badzdict*)
            if ! command -v xapian-metadata >/dev/null; then
                echo "SKIP $name: needs xapian-metadata (xapian-tools)" >&2
                skips=$((skips + 1))
                continue
            fi ;;
        esac
        IFS=, read -ra fx <<<"$setup"
        for f in "${fx[@]}"; do fixture "$f"; done
    fi
    unsets=() sets=()
    if [ "$envs" != - ]; then
        for e in $envs; do
            case "$e" in
            -*) unsets+=(-u "${e#-}") ;;
            *) sets+=("$(eval "printf %s \"$e\"")") ;;
            esac
        done
    fi
    eval "argv=( $args )"
    cmd=(env "${unsets[@]}" "${sets[@]}" "$NSEARCH" "${argv[@]}")
    [ "$user" = nobody ] && cmd=("${AS_NOBODY[@]}" "${cmd[@]}")
    t0=$SECONDS
    (cd "$TMP/pub" && timeout 60 "${cmd[@]}" </dev/null >"$TMP/out" 2>"$TMP/err")
    rc=$?
    [ $((SECONDS - t0)) -ge 3 ] && echo "note: $name took $((SECONDS - t0)) s" >&2
    why=""
    if [ "$rc" -ge 124 ]; then
        why="crashed or hung: exit $rc"
    elif [ "$rc" -ne "$want" ]; then
        why="exit $rc, expected $want"
    elif [ "$rx" = '^$' ] && [ -s "$TMP/err" ]; then
        why="stderr not empty"
    elif [ "$rx" != - ] && [ "$rx" != '^$' ] && ! grep -qE -- "$rx" "$TMP/err"; then
        why="stderr lacks /$rx/"
    elif has_control "$TMP/err"; then
        why="a control character on stderr"
    elif has_control "$TMP/out"; then
        why="a control character on stdout"
    fi
    if [ "$xfail" != - ] && [ -n "$xfail" ]; then
        xfails=$((xfails + 1))
        if [ -z "$why" ]; then
            bad "$name: XPASS: fixed? remove its xfail mark in tests/bad-inputs.tsv"
        else
            echo "XFAIL $name: $why (known: $xfail)" >&2
            ok
        fi
    elif [ -n "$why" ]; then
        bad "$name: $why; stderr: $(head -c 400 "$TMP/err" | cat -v)"
    else
        ok
    fi
done <"$TSV"
chmod -R u+rwX "$TMP" 2>/dev/null
echo "$rows rows ($xfails known failures, $skips skipped)"
[ "$rows" -ge 60 ] || bad "only $rows rows read from $TSV"
finish
