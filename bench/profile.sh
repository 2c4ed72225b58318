#!/usr/bin/env bash
# bench/profile.sh - where our indexer and searcher spend their time, with
# perf (software clock: this VM has no hardware counters; Debian's
# libxapian is stripped, so its time shows as "(libxapian...)" and is also
# charged to the innermost function of ours that called it).
#
#   bench/profile.sh            after a `make bench` (uses its converted 1x
#                               corpus and its 1x index under BENCH_DIR)
#
# Prints the top functions of: wire-index rebuild -j1 on the 1x corpus;
# the in-process query loop (bench/wire-bench-queries); 60 wire-search
# processes.  Not part of `make bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BENCH_DIR:-/tmp/wire-bench}
TOP=${TOP:-15}
P=$B/profile
if [ ! -d "$B/c1/sgm" ] || [ ! -x "$B/wire-bench-queries" ]; then
	echo "profile.sh: run make bench first (no $B/c1/sgm)" >&2
	exit 2
fi
db=$B/idx1/ours-j2
[ -d "$db" ] || db=$B/idx1/ours
rm -rf "$P" && mkdir -p "$P"
export WIRE_SYNONYMS=$PWD/common/synonyms.txt
queries=('"crude oil"' '"trade deficit"' '"Federal Reserve"' '"West German"'
	cocoa OPEC 'oil AND prices NOT gold' '"bank of japan"' beryllium said)
rec() { perf record -q -e cpu-clock -F "$1" --call-graph dwarf,16384 -o "$2" -- "${@:3}" >/dev/null 2>&1; }
sum() { perf script -i "$1" 2>/dev/null | /usr/bin/python3 bench/perf_summary.py "$2" "$TOP"; }

echo "== wire-index rebuild -j1, 1x corpus"
rec 499 "$P/index.data" build/wire-index rebuild --db "$P/db" -j1 -q "$B/c1/sgm" || true
sum "$P/index.data" wire-index

echo; echo "== in-process queries (wire-bench-queries, 4 s)"
rec 999 "$P/queries.data" "$B/wire-bench-queries" "$db" 4 common/synonyms.txt -- "${queries[@]}"
sum "$P/queries.data" wire-bench-queries

echo; echo "== 60 wire-search processes ('\"crude oil\"', --json)"
# shellcheck disable=SC2016  # $0 and $(seq) belong to the inner shell
rec 4999 "$P/process.data" sh -c 'for i in $(seq 60); do build/wire-search --db "$0" --json --limit 10 "\"crude oil\"" >/dev/null; done' "$db"
sum "$P/process.data" wire-search
