#!/usr/bin/env bash
# bench/cgi-load.sh BUILD_DIR [SECONDS] - wire-search.cgi under load.
#
# lighttpd (mod_cgi) on a free loopback port serves the CGI over an index of
# corpus/ (plus the shared Reuters corpus when present); wrk rotates through a
# set of queries at 8 and then 32 connections for SECONDS each (default 10)
# while wire-index keeps adding dispatches to the live index every second.
# Prints requests per second, p50/p99 latency and errors; everything it
# started is stopped by pid.  Traffic goes to 127.0.0.1 only.
set -u
cd "$(dirname "$0")/.."
top=$PWD
build=$top/${1:-build}
secs=${2:-10}
for tool in lighttpd wrk curl; do
	command -v $tool >/dev/null || { echo "cgi-load: $tool is not installed (tools/deps.sh bench)"; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/wire-cgi-load.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT

inputs=("$top/corpus")
[ -d "$top/../shared/corpus/reuters21578" ] && inputs+=("$top/../shared/corpus/reuters21578")
"$build/wire-index" -q rebuild --db "$T/db" -j2 "${inputs[@]}" 2>/dev/null
echo "index: $("$build/wire-index" stats --db "$T/db" --json | jq -r '"\(.documents) documents"')"

# A port chosen by the kernel (one picked at random can be the local end
# of another connection, and then lighttpd cannot bind it).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
mkdir -p "$T/www"
cp "$build/wire-search.cgi" "$T/www/search.cgi"
cat >"$T/lighttpd.conf" <<EOF
server.modules = ("mod_cgi", "mod_setenv")
server.bind = "127.0.0.1"
server.port = $port
server.document-root = "$T/www"
server.pid-file = "$T/lighttpd.pid"
server.errorlog = "$T/lighttpd.error.log"
server.max-worker = 0
setenv.add-environment = ("WIRE_DB" => "$T/db", "WIRE_SYNONYMS" => "$top/common/synonyms.txt")
cgi.assign = (".cgi" => "")
EOF
lighttpd -D -f "$T/lighttpd.conf" >"$T/lighttpd.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/search.cgi?q=oil" && break; sleep 0.1; done

# wrk picks a query per request from this list.
cat >"$T/rotate.lua" <<'EOF'
local queries = { "oil+prices", "%22crude+oil%22", "%22trade+deficit%22", "cocoa",
  "OPEC", "%22Federal+Reserve%22", "agency%3AReuters+wheat", "%22Durand+Line%22",
  "TTP", "said", "bank+of+japan", "gold+-silver" }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/search.cgi?format=json&q=" .. queries[(i % #queries) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %.1f %.1f %.1f %d %d\n", summary.requests,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
EOF

# The index changes all the time: a new dispatch every second.
(
	i=0
	while :; do
		i=$((i + 1))
		printf 'ID: load-%d\nDate: 2025-04-19T10:00:00Z\nAgency: EFE\nHeadline: Oil prices move, take %d\n\nMADRID (EFE).- Oil prices moved again, take %d.\n' \
			$i $i $i >"$T/update-$i.txt"
		"$build/wire-index" -q --wait --db "$T/db" "$T/update-$i.txt" 2>/dev/null
		sleep 1
	done
) &
pids+=($!)

printf '%-12s %10s %10s %10s %10s %8s %8s\n' connections requests req/s p50_ms p99_ms errors non2xx
for c in 8 32; do
	out=$(wrk -t2 -c$c -d${secs}s --timeout 5s -s "$T/rotate.lua" "http://127.0.0.1:$port/" 2>&1)
	read -r _ n p50 p99 p999 err non2xx <<<"$(grep RESULT <<<"$out")"
	rps=$(grep -Eo 'Requests/sec: *[0-9.]+' <<<"$out" | grep -Eo '[0-9.]+$')
	printf '%-12s %10s %10s %10s %10s %8s %8s\n' "$c" "${n:-?}" "${rps:-?}" "${p50:-?}" "${p99:-?}" "${err:-?}" "${non2xx:-?}"
done
echo "index updated $(ls "$T"/update-*.txt 2>/dev/null | wc -l) times during the run"
