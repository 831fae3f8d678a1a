#!/bin/bash
# The query language as a user types it: operators, fields, dates at the
# edges of their ranges, --since/--until, the note on a malformed query,
# exit 2 for a query with nothing to search, --plain and batch's plain
# words.
. "$(dirname "$0")/lib.bash"
IDX="$TMP/idx"
cat >"$TMP/news.jsonl" <<'EOF'
{"id":"a1","title":"Air strikes near Latakia","date":"2015-08-31T23:59:59Z","source":"Wire One","url":"https://www.example.com/a1","author":"Ann Lee","text":"Russian air strikes hit targets near Latakia, officials said."}
{"id":"a2","title":"Talks in Geneva","date":"2015-09-01T00:00:00Z","source":"Daily Two","url":"https://news.example.org/a2","author":"Bo Kim","text":"Diplomats met in Geneva to discuss the air campaign and sanctions."}
{"id":"a3","title":"Sanctions extended","date":"2015-10-15T23:59:59Z","source":"Wire One","url":"https://example.com/a3","author":"Ann Lee","text":"The sanctions on Syria were extended; the strikes went on."}
{"id":"a4","title":"Earthquake relief","date":"2015-10-16T00:00:00Z","source":"Daily Two","url":"https://example.net/a4","author":"Cy Ode","text":"Relief teams arrived after the earthquake; no strike was reported."}
{"id":"a5","title":"Evening bulletin","date":"2015-10-15T23:30:00-05:00","source":"Wire Three","text":"The harbour bulletin of the evening."}
EOF
run index --index "$IDX" "$TMP/news.jsonl"
expect_rc 0 "index"

# ids: the ids of the results, in order, on one line.
ids() {
    run --index "$IDX" --format json --no-snippets "$@"
    got=$(sed -n 's/^{"rank":[0-9]*,"id":"\([^"]*\)".*/\1/p' "$TMP/out" |
        tr '\n' ' ' | sed 's/ $//')
}
# expect_ids "IDS" QUERY...: the results are exactly IDS (in any order).
expect_ids() {
    local want=$1
    shift
    ids "$@"
    local a b
    a=$(tr ' ' '\n' <<<"$got" | sort | tr '\n' ' ')
    b=$(tr ' ' '\n' <<<"$want" | sort | tr '\n' ' ')
    if [ "$a" = "$b" ]; then ok; else bad "$*: got '$got', want '$want'"; fi
}

expect_ids "a1 a3 a4" strike
expect_ids "a1" '"air strikes"'
expect_ids "a1" air -sanctions
expect_ids "a1" air NOT sanctions
expect_ids "a3" strike AND sanctions
expect_ids "a2 a3" sanctions OR geneva
expect_ids "a3" '(air OR syria) AND extended'
expect_ids "a1" 'strike NEAR/2 latakia'
expect_ids "" 'latakia ADJ/3 strike'
expect_ids "a2 a3" 'sanction*'
expect_ids "a3" 'title:sanctions'
expect_ids "a1" 'title:"air strikes"'
expect_ids "a1 a3" 'source:"wire one"'
expect_ids "a1 a3" 'author:lee'
expect_ids "a2" 'site:example.org'
expect_ids "a1 a3" 'url:https://www.example.com/x strike'
expect_ids "a2 a3 a5" 'date:2015-09-01..2015-10-15'
expect_ids "a1" 'date:2015-08'
expect_ids "a3 a5" 'date:2015-10-15'
expect_ids "a1 a2" 'date:..2015-09-01'
expect_ids "a4" 'date:2015-10-16..'
expect_ids "a2 a3" --since 2015-09-01 --until 2015-10-15 'strike OR sanctions OR geneva'
expect_ids "a3 a4" --since 2015-10 strike
expect_ids "a1" --until 2015-08-31 strike
# An article's day is its publisher's: 11:30 pm at -05:00 on October 15
# is of October 15 (UTC's October 16), and is shown so.
expect_ids "a5" 'date:2015-10-15 bulletin'
expect_ids "a5" --until 2015-10-15 bulletin
run --index "$IDX" 'date:2015-10-16 bulletin'
expect_rc 1 "the evening article is not of the next day"
run --index "$IDX" --format json bulletin
expect_out '"date":"2015-10-15T23:30:00-05:00"' "its date as published"
run --index "$IDX" bulletin
expect_out '2015-10-15' "its day shown"
# A month or a year alone is kept as such, filed at its start: found by
# its month or year and by ranges that hold that start, not by a range of
# days within it, and counted in no month when only its year is known.
# (An index of its own: the articles above keep their statistics.)
cat >"$TMP/partial.jsonl" <<'EOF'
{"id":"a6","title":"Monthly almanac","date":"September 2015","text":"The almanac of the month."}
{"id":"a7","title":"Yearly almanac","date":2015,"text":"The almanac of the year."}
{"id":"a8","title":"Daily almanac","date":"2015-09-01","text":"The almanac of the day."}
EOF
run index --index "$TMP/idx-partial" "$TMP/partial.jsonl"
expect_rc 0 "index with partial dates"
IDX_MAIN=$IDX
IDX="$TMP/idx-partial"
expect_ids "a6 a8" 'almanac date:2015-09'
expect_ids "a6 a7 a8" 'almanac date:2015'
expect_ids "a8" 'almanac date:2015-09-01..2015-09-30'
expect_ids "a6 a8" --since 2015-09 --until 2015-09 almanac
expect_ids "a6 a7 a8" --until 2015-09-01 almanac
expect_ids "a8" --since 2015-09-01 almanac
run --index "$IDX" --format json almanac
expect_out '"id":"a6".*"date":"2015-09"' "a month shown as a month"
expect_out '"id":"a7".*"date":"2015"' "a year shown as a year"
expect_out '"month":\{"2015-09":2\}' "a year alone in no month's count"
run --index "$IDX" --sort oldest almanac
expect_out '^1\. Yearly almanac' "a year sorts before its months"
IDX=$IDX_MAIN

# Past the last result: said so, not "no article matches".
run --index "$IDX" --offset 99 strike
expect_rc 1 "nothing past the last result"
expect_err "no result past the first 99 of about [0-9]+" "offset past the end"

# Filters only: every article that passes, newest first.
ids 'source:"daily two"'
[ "$got" = "a4 a2" ] && ok || bad "filters only, newest first: $got"
ids -- -strike
[ "$got" = "a5 a2" ] && ok || bad "exclusion only: $got"

# A malformed query is read anyway, with a note on stderr.
run --index "$IDX" '"air strikes'
expect_rc 0 "unbalanced quote"
expect_err "note: unbalanced quote" "unbalanced quote note"
run --index "$IDX" 'AND latakia'
expect_rc 0 "stray AND"
expect_err "note: ignored a stray AND" "stray AND note"
run --index "$IDX" '(latakia OR geneva'
expect_rc 0 "missing paren"
expect_err "missing '\)'" "missing paren note"
run --index "$IDX" 'date:someday strike'
expect_rc 0 "bad date read as words"
expect_err "is not a date" "bad date note"

# Nothing to search for: exit 2 with a clear message.
for q in "AND OR" "()" '""' "-"; do
    run --index "$IDX" -- "$q"
    expect_rc 2 "empty query '$q'"
    expect_err "no word to search for" "empty query '$q' message"
done
run --index "$IDX" --since 2015-13 strike
expect_rc 2 "bad --since"
expect_err "bad date" "bad --since message"

# --plain: operators are words.
expect_ids "a1 a3 a4" --plain 'strike NOT -latakia'
run --index "$IDX" --syntax strike
expect_rc 2 "--syntax is for batch"

# batch reads plain words by default, the query language with --syntax.
printf 'q1\tstrike -latakia\nq2\t"air strikes" AND\n' >"$TMP/q.tsv"
run batch --index "$IDX" "$TMP/q.tsv"
expect_rc 0 "batch"
n1=$(grep -c '^q1 ' "$TMP/out")
[ "$n1" -eq 3 ] && ok || bad "batch plain: q1 has $n1 results, want 3"
run batch --index "$IDX" --syntax "$TMP/q.tsv"
expect_rc 0 "batch --syntax"
n1=$(grep -c '^q1 ' "$TMP/out")
n2=$(grep -c '^q2 ' "$TMP/out")
[ "$n1" -eq 2 ] && [ "$n2" -eq 1 ] && ok ||
    bad "batch --syntax: q1 $n1 (want 2), q2 $n2 (want 1)"

finish
