#!/usr/bin/env bash
# 025-reuters-phrases: on all of Reuters-21578, phrase queries return exactly
# the dispatches whose title, dateline or body (each on its own) hold the
# words consecutively, as found by an independent scan of the SGML files
# written for this test (tests/reuters_phrases.py).
. "$(dirname "$0")/../lib.sh"

src=$WIRE_SHARED/corpus/reuters21578
if [ ! -f "$src/reut2-000.sgm" ]; then
	skip "Reuters phrases: $src not present (CI has ../shared/corpus)"
	exit 0
fi
wire-index rebuild -q --db "$T/db" -j2 "$src"/reut2-*.sgm 2>"$T/index.err"
expect_eq "all of Reuters-21578 indexed" 21578 "$(wire-index stats --db "$T/db" --json | jq .documents)"

phrases=("crude oil" "trade deficit" "federal reserve" "west german" "bank of japan"
	"interest rates" "money supply" "stock exchange" "oil prices" "trade surplus"
	"central bank" "net loss" "common stock" "soybean meal" "against the yen"
	"prime rate" "tender offer")
printf '%s\n' "${phrases[@]}" >"$T/phrases"
python3 "$WIRE_TOP/tests/reuters_phrases.py" "$T/phrases" "$src"/reut2-*.sgm >"$T/expected" ||
	not_ok "the independent scan ran"

# Our ids for a phrase: every page, as the ids' NEWIDs sorted.
ours() {
	local q="\"$1\"" off=0 page
	while :; do
		page=$(wire-search --db "$T/db" --all-versions --json --limit 1000 --offset $off "$q" |
			jq -r 'select(.type=="hit") | .id' | sed 's/^reuters-//')
		[ -z "$page" ] && break
		printf '%s\n' "$page"
		off=$((off + 1000))
		[ $off -ge 10000 ] && break
	done | sort -n | tr '\n' ' '
}
same=0
for p in "${phrases[@]}"; do
	want=$(grep -F "$p	" "$T/expected" | cut -f2)
	want_n=$(wc -w <<<"$want")
	got=$(ours "$p")
	got_n=$(wire-search --db "$T/db" --all-versions --count "\"$p\"")
	if [ "$got_n" = "$want_n" ] && [ "$(tr -s ' ' <<<"$got" | sed 's/ $//')" = "$(tr -s ' ' <<<"$want" | sed 's/ $//')" ]; then
		same=$((same + 1))
		ok "\"$p\": $got_n dispatches, the same ids as the scan"
	else
		not_ok "\"$p\" matches the scan" "scan: $want_n, ours: $got_n" \
			"only in the scan: $(comm -23 <(tr ' ' '\n' <<<"$want" | sort) <(tr ' ' '\n' <<<"$got" | sort) | head -5 | tr '\n' ' ')" \
			"only ours: $(comm -13 <(tr ' ' '\n' <<<"$want" | sort) <(tr ' ' '\n' <<<"$got" | sort) | head -5 | tr '\n' ' ')"
	fi
done
expect_eq "phrases agreeing with the scan" "${#phrases[@]}" "$same"

# A wildcard past its bound is refused at once, naming it.
msg=$(wire-search --db "$T/db" 'oil co*' 2>&1)
expect_eq "a wildcard past its bound exits 2" 2 "$(wire-search --db "$T/db" 'oil co*' >/dev/null 2>&1; echo $?)"
expect_contains "the message names the wildcard" "$msg" "wildcard 'co*' matches more than 1000 words"
