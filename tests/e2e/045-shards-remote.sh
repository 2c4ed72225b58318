#!/usr/bin/env bash
# 045-shards-remote: an index split into shards, searched locally through its
# stub and remotely through two xapian-tcpsrv servers, answers exactly as one
# database holding the same dispatches; a dead server is named, not waited on.
. "$(dirname "$0")/../lib.sh"

if ! command -v xapian-tcpsrv >/dev/null; then
	skip "remote shards: xapian-tcpsrv not installed (xapian-tools)"
	exit 0
fi
inputs=("$WIRE_TOP/corpus")
[ -d "$WIRE_SHARED/corpus/seed" ] && inputs+=("$WIRE_SHARED/corpus/seed")
wire-index rebuild -q --db "$T/single" -j2 "${inputs[@]}"
wire-index rebuild -q --db "$T/sharded" -j2 --shards 2 "${inputs[@]}"
expect_eq "the sharded index has two shards" 2 "$(grep -c shard- "$T/sharded/XAPIANDB")"
expect_eq "shards hold every dispatch" "$(wire-index stats --db "$T/single" --json | jq .documents)" \
	"$(wire-index stats --db "$T/sharded" --json | jq .documents)"

# Every version of a story lives in one shard.
gen=$T/sharded/gen-$(printf %06d "$(wire-index stats --db "$T/sharded" --json | jq .generation)")
a=$(xapian-delve -t Greuters-20250611-peru-quake "$gen/shard-0" 2>/dev/null | grep -c 'termfreq 3')
b=$(xapian-delve -t Greuters-20250611-peru-quake "$gen/shard-1" 2>/dev/null | grep -c 'termfreq 3')
expect_eq "the three versions of one story share a shard" 1 "$((a + b))"

p0=$(free_port); p1=$(free_port)
while [ "$p1" = "$p0" ]; do p1=$(free_port); done
# The server signals its whole process group when it stops: give it its own.
setsid xapian-tcpsrv --quiet --interface 127.0.0.1 --port "$p0" "$gen/shard-0" >"$T/srv0.log" 2>&1 &
s0=$!
setsid xapian-tcpsrv --quiet --interface 127.0.0.1 --port "$p1" "$gen/shard-1" >"$T/srv1.log" 2>&1 &
s1=$!
trap 'kill $s0 $s1 2>/dev/null; wait $s0 $s1 2>/dev/null; rm -rf "$T"' EXIT
for i in $(seq 1 50); do
	(exec 3<>/dev/tcp/127.0.0.1/$p0) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/$p1) 2>/dev/null && break
	sleep 0.1
done
printf 'remote 127.0.0.1:%s\nremote 127.0.0.1:%s\n' "$p0" "$p1" >"$T/remote.stub"

# id, rank-independent score and version data of every hit, ties ordered by id.
answer() {
	wire-search --db "$1" --json --limit 100 "${@:2}" |
		jq -r 'if .type=="hit" then "\(.score*1000|round) \(.id) v\(.version)/\(.versions) m\(.matched_version)" else "total \(.total) \(.facets|tostring)" end' |
		sort -k1,1nr -k2
}
ordered() { # for date sorting the order itself must match
	wire-search --db "$1" --json --limit 100 "${@:2}" | jq -r 'select(.type=="hit") | .id'
}
queries=('"Durand Line"' TTP Pakistan 'agency:EFE' 'place:Kabul' '"Pakistan army"' quake 'strike'
	'oil OR gas' 'Kabul -Taliban' 'lang:es' 'deport*' 'date:2024' 'date:2025-01-01..2025-06-30'
	'"Tehreek-e-Taliban Pakistan"' US 'Muttaqi' 'headline:Peru' 'inflation OR inflación' '84,000'
	'agency:Reuters Pakistan' 'NATO NEAR/5 summit')
same=0
for q in "${queries[@]}"; do
	how=answer
	# Xapian expands a wildcard shard by shard, so its weights (not its
	# hits, counts or order) differ from one database's.
	[[ $q == *'*'* ]] && how=ordered
	want=$($how "$T/single" --facets "$q")
	local_=$($how "$T/sharded" --facets "$q")
	remote=$($how "$T/remote.stub" --facets "$q")
	if [ "$want" == "$local_" ] && [ "$want" == "$remote" ]; then
		same=$((same + 1))
	else
		not_ok "shards answer $q as one database" "single: $want" "local shards: $local_" "remote: $remote"
	fi
done
expect_eq "local and remote shards answer ${#queries[@]} queries exactly as one database (facets and versions included)" "${#queries[@]}" "$same"
for sort in -date date; do
	expect_eq "date sort ($sort) gives the same order through remote shards" \
		"$(ordered "$T/single" --sort $sort 'agency:EFE OR agency:Reuters')" \
		"$(ordered "$T/remote.stub" --sort $sort 'agency:EFE OR agency:Reuters')"
done
expect_eq "all-versions counts agree" "$(wire-search --db "$T/single" --all-versions --count quake)" \
	"$(wire-search --db "$T/remote.stub" --all-versions --count quake)"
# Story counts without facets: the distinct-story count a remote server
# cannot run as ours falls back to Xapian's own spy.
for q in quake 'quake OR Pakistan' 'agency:EFE'; do
	expect_eq "story count of '$q' agrees through remote shards" \
		"$(wire-search --db "$T/single" --count "$q")" \
		"$(wire-search --db "$T/remote.stub" --count "$q")"
done

# A server stopped mid-run: one clear line naming it, exit 4, no hang.
kill $s1
wait $s1 2>/dev/null
start=$(date +%s%N)
out=$(timeout 30 wire-search --db "$T/remote.stub" Pakistan 2>&1)
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "an unreachable shard exits 4" 4 "$rc"
expect_eq "one line of message" 1 "$(wc -l <<<"$out")"
expect_contains "the message names the shard" "$out" "127.0.0.1:$p1"
if [ "$ms" -lt 10000 ]; then ok "no hang: answered in $ms ms"; else not_ok "no hang" "$ms ms"; fi

# A server that accepts but never answers (stopped): the timeout ends it.
kill -STOP $s0
start=$(date +%s%N)
out=$(WIRE_REMOTE_TIMEOUT_MS=1500 timeout 30 wire-search --db "$T/remote.stub" Pakistan 2>&1)
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill -CONT $s0
expect_eq "a frozen shard exits 4" 4 "$rc"
if [ "$ms" -lt 8000 ]; then ok "a frozen shard times out in $ms ms"; else not_ok "frozen shard timeout" "$ms ms: $out"; fi
