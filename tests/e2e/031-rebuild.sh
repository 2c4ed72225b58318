#!/usr/bin/env bash
# 031-rebuild: a bulk rebuild beside the live generation, switched atomically
# while searches go on; killed rebuilds leave the live index untouched.
. "$(dirname "$0")/../lib.sh"

db=$T/db
small=("$WIRE_TOP/corpus/efe")
full=("$WIRE_TOP/corpus")
count() { wire-index stats --db "$db" --json | jq .documents; }

wire-index rebuild -q --db "$db" -j2 "${small[@]}"
expect_eq "first rebuild makes generation 1" 1 "$(wire-index stats --db "$db" --json | jq .generation)"
n_small=$(count)
check "generation 1 passes xapian-check" xapian-check "$db/gen-000001/db"

wire-index rebuild -q --db "$db" -j2 "${full[@]}"
n_full=$(count)
expect_eq "second rebuild switches to generation 2" 2 "$(wire-index stats --db "$db" --json | jq .generation)"
if [ "$n_full" -gt "$n_small" ]; then ok "generation 2 holds the whole corpus ($n_full > $n_small)"; else not_ok "generation 2 grew" "$n_small -> $n_full"; fi
expect_eq "the stub names the new generation" "auto gen-000002/db" "$(cat "$db/XAPIANDB")"
[ -d "$db/gen-000001" ] && ok "the previous generation is kept until the next switch" || not_ok "previous generation kept"

wire-index rebuild -q --db "$db" -j1 "${small[@]}"
[ ! -d "$db/gen-000001" ] && ok "the generation before is removed at the next switch" || not_ok "old generation removed"

# -j1 and -j2 build the same index.
wire-index rebuild -q --db "$T/j1" -j1 "${full[@]}"
wire-index rebuild -q --db "$T/j2" -j2 "${full[@]}"
for q in '"Durand Line"' quake 'agency:EFE' Pakistan 'place:Kabul'; do
	a=$(wire-search --db "$T/j1" --json --limit 50 "$q" | jq -r 'select(.type=="hit") | .id' | sort)
	b=$(wire-search --db "$T/j2" --json --limit 50 "$q" | jq -r 'select(.type=="hit") | .id' | sort)
	expect_eq "-j1 and -j2 find the same stories for $q" "$a" "$b"
done

# Searches during switches: zero failures, each sees exactly one generation.
wire-index rebuild -q --db "$db" -j2 "${small[@]}"
n_small=$(count)
(
	for i in $(seq 1 6); do
		wire-index rebuild -q --db "$db" -j2 "${full[@]}"
		wire-index rebuild -q --db "$db" -j2 "${small[@]}"
	done
) &
rebuilder=$!
searches=0 failures=0 odd=0
while kill -0 $rebuilder 2>/dev/null; do
	n=$(wire-search --db "$db" --count 'agency:EFE OR agency:Reuters OR agency:AP OR agency:AFP OR agency:dpa OR agency:Xinhua' 2>"$T/search.err")
	rc=$?
	searches=$((searches + 1))
	if [ $rc -gt 1 ]; then failures=$((failures + 1)); cp "$T/search.err" "$T/last-failure.err"; fi
	echo "$n" >>"$T/counts"
done
wait $rebuilder
kinds=$(sort -u "$T/counts" | wc -l)
expect_eq "searches during 12 switches never failed ($searches searches)" 0 "$failures"
if [ "$kinds" -le 2 ]; then ok "each search saw one whole generation ($kinds distinct counts)"; else not_ok "each search saw one generation" "$(sort "$T/counts" | uniq -c)"; fi

# A rebuild killed at random moments leaves the live index unchanged.
before=$(count)
gen=$(wire-index stats --db "$db" --json | jq .generation)
kills=0 intact=0
for i in $(seq 1 8); do
	wire-index rebuild -q --db "$db" -j2 "${full[@]}" &
	pid=$!
	sleep "0.0$((RANDOM % 9 + 1))"
	kill -9 $pid 2>/dev/null && kills=$((kills + 1))
	pkill -9 -P $pid 2>/dev/null
	wait $pid 2>/dev/null
	sleep 0.1
	# Killed before its switch, the old generation is live and whole; a
	# rebuild that finished before the kill has switched to the whole new.
	now_gen=$(wire-index stats --db "$db" --json | jq .generation)
	want=$before
	[ "$now_gen" != "$gen" ] && want=$n_full
	if [ "$(count)" = "$want" ] && [ "$(wire-search --db "$db" --count Pakistan)" -gt 0 ]; then intact=$((intact + 1)); fi
	before=$(count)
	gen=$now_gen
done
expect_eq "the live index survived every killed rebuild ($kills kills)" 8 "$intact"
wire-index rebuild -q --db "$db" -j2 "${small[@]}"
expect_eq "the next rebuild cleans the leftovers" 0 "$(ls -d "$db"/*.build 2>/dev/null | wc -l)"
check "the index after the kills passes xapian-check" xapian-check "$db/gen-$(printf %06d "$(wire-index stats --db "$db" --json | jq .generation)")/db"
