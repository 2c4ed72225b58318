#!/usr/bin/env bash
# 010-core: index corpus/ and the shared seed dispatch, then ask the core
# issue's questions and expect exactly its answers.
. "$(dirname "$0")/../lib.sh"

db=$T/db
seed=$WIRE_SHARED/corpus/seed
seed_id=efe-2025-04-19-pakistan-afghanistan
inputs=("$WIRE_TOP/corpus")
have_seed=0
if [ -d "$seed" ]; then inputs+=("$seed"); have_seed=1; fi

wire-index --db "$db" "${inputs[@]}" 2>"$T/index.err"
rc=$?
if [ $rc -eq 0 ]; then ok "corpus indexed (exit 0)"; else not_ok "corpus indexed (exit $rc)" "$(cat "$T/index.err")"; fi
summary=$(tail -1 "$T/index.err")
expect_contains "summary line counts what was read" "$summary" "read "

# ids of the hits for a query, one per line
ids() { wire-search --db "$db" --json --limit "${LIMIT:-10}" "$@" | jq -r 'select(.type=="hit") | .id'; }
first_id() { ids "$@" | head -1; }

if [ $have_seed -eq 1 ]; then
	expect_eq '"Durand Line" ranks the EFE seed dispatch first' "$seed_id" "$(first_id '"Durand Line"')"
	for q in TTP '"Tehreek-e-Taliban Pakistan"' Tehreek-e-Taliban 84000 84,000 'Muttaqī' Muttaqi 'agency:EFE' 'place:Islamabad'; do
		found=$(LIMIT=100 ids "$q" | grep -cx "$seed_id")
		expect_eq "$q finds the seed dispatch" 1 "$found"
	done
	j=$(wire-search --db "$db" --json '"Durand Line"' | head -1)
	expect_eq "JSON hit has rank 1" 1 "$(jq -r .rank <<<"$j")"
	expect_eq "JSON hit date is ISO 8601" "2025-04-19" "$(jq -r '.date[0:10]' <<<"$j")"
	expect_eq "JSON hit agency" EFE "$(jq -r .agency <<<"$j")"
	expect_eq "JSON hit places from the dateline" '["Kabul","Islamabad"]' "$(jq -c .places <<<"$j")"
	expect_contains "JSON snippet marks the phrase" "$(jq -r .snippet_html <<<"$j")" "<mark>Durand Line</mark>"
	expect_contains "JSON score is a number" "$(jq -r '.score|type' <<<"$j")" number
	text=$(wire-search --db "$db" '"Durand Line"')
	expect_contains "text output marks the match with brackets off a terminal" "$text" "[Durand Line]"
	expect_not_contains "text snippet leaves the dateline out" "$(sed -n 3p <<<"$text")" "(EFE)"
else
	skip "seed dispatch checks: $seed not present"
fi

# "Pakistan army" finds "Pakistan's army" in a corpus dispatch.
pa_file=$(grep -rlE "Pakistan['’]s army" "$WIRE_TOP/corpus" --include='*.txt' | head -1)
if [ -n "$pa_file" ]; then
	n=$(wire-search --db "$db" --json --limit 50 '"Pakistan army"' | jq -r 'select(.type=="hit") | .snippet' | grep -cE "Pakistan['’]s army")
	if [ "$n" -ge 1 ]; then ok '"Pakistan army" finds "Pakistan'"'"'s army"'; else not_ok '"Pakistan army" finds "Pakistan'"'"'s army"' "in $pa_file"; fi
else
	not_ok "corpus has a dispatch with \"Pakistan's army\""
fi

# US is the country, not the pronoun.
pron=$(grep -rl 'beekeepers' "$WIRE_TOP/corpus" --include='*.txt' | head -1)
if [ -n "$pron" ]; then
	pron_id=$(wire-search --db "$db" --json beekeepers | jq -r 'select(.type=="hit") | .id' | head -1)
	expect_eq "lowercase us finds the pronoun dispatch" 1 "$(LIMIT=1000 ids 'us' | grep -cx "$pron_id")"
	expect_eq "US does not find the pronoun dispatch" 0 "$(LIMIT=1000 ids 'US' | grep -cx "$pron_id")"
	expect_eq "U.S. does not find the pronoun dispatch" 0 "$(LIMIT=1000 ids 'U.S.' | grep -cx "$pron_id")"
	us_n=$(wire-search --db "$db" --count US)
	if [ "${us_n:-0}" -ge 2 ]; then ok "US finds the U.S. dispatches ($us_n)"; else not_ok "US finds the U.S. dispatches" "count $us_n"; fi
else
	not_ok "corpus has the pronoun-us dispatch (beekeepers)"
fi

# Counts, exit codes, limits.
n=$(wire-search --db "$db" --count 'agency:EFE')
if [ "${n:-0}" -ge 3 ]; then ok "--count prints the number of stories ($n)"; else not_ok "--count agency:EFE" "$n"; fi
expect_eq "--limit 2 gives two hits" 2 "$(LIMIT=2 ids Pakistan | wc -l)"
expect_status "exit 1 with no hits" 1 wire-search --db "$db" zzyzxqqq
expect_status "exit 2 on a missing index" 2 wire-search --db "$T/nothing" Kabul
expect_status "exit 2 on a bad option value" 2 wire-search --db "$db" --limit -3 Kabul
err=$(wire-search --db "$T/nothing" Kabul 2>&1)
expect_contains "missing index message names the path" "$err" "$T/nothing"
expect_eq "one line for a missing index" 1 "$(wc -l <<<"$err")"
expect_status "WIRE_DB picks the index" 0 env WIRE_DB="$db" wire-search Kabul

# Re-indexing replaces, never duplicates.
before=$(wire-index stats --db "$db" --json | jq .documents)
wire-index --db "$db" --force "${inputs[@]}" 2>"$T/reindex.err"
after=$(wire-index stats --db "$db" --json | jq .documents)
expect_eq "re-indexing keeps the document count" "$before" "$after"
expect_contains "re-indexing replaces" "$(tail -1 "$T/reindex.err")" "added 0,"
wire-index --db "$db" "${inputs[@]}" 2>"$T/again.err"
expect_contains "unchanged files are skipped" "$(tail -1 "$T/again.err")" "read 0,"
