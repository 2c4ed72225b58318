#!/usr/bin/env bash
# 052-cgi-fastcgi.sh - wire-search.cgi as a FastCGI program behind lighttpd
# (mod_fastcgi starts it with a listening socket), beside the same binary
# as a plain CGI on the same server: every answer of the resident process
# must be the CGI's, byte for byte; one process serves request after
# request; an index updated meanwhile is seen at once; the CPU limit per
# request answers our fixed 503 and the server starts a new process; a
# stopped server stops the program cleanly (no sanitizer report).
. "$(dirname "$0")/../lib.sh"

for tool in lighttpd curl; do
	if ! command -v $tool >/dev/null; then
		skip "$tool: not installed (tools/deps.sh check)"
		exit 0
	fi
done

wire-index --db "$T/db" "$WIRE_TOP/corpus" >"$T/index.log" 2>&1
if [ -d "$T/db" ]; then ok "index built"; else not_ok "index built" "$(tail -5 "$T/index.log")"; fi

port=$(free_port)

# The same binary three times: as a CGI, as a FastCGI program, and as a
# FastCGI program with a 1 ms CPU budget per request (for the limit).
mkdir -p "$T/www" "$T/bin"
cp "$(command -v wire-search.cgi)" "$T/www/search.cgi"
cp "$(command -v wire-search.cgi)" "$T/bin/fast-search"
cp "$(command -v wire-search.cgi)" "$T/bin/slow-search"
env_block="\"WIRE_DB\" => \"$T/db\", \"WIRE_SYNONYMS\" => \"$WIRE_SYNONYMS\",
		\"ASAN_OPTIONS\" => \"${ASAN_OPTIONS:-}\", \"UBSAN_OPTIONS\" => \"${UBSAN_OPTIONS:-}\""
cat >"$T/lighttpd.conf" <<EOF
server.modules = ("mod_cgi", "mod_setenv", "mod_fastcgi")
server.bind = "127.0.0.1"
server.port = $port
server.document-root = "$T/www"
server.pid-file = "$T/lighttpd.pid"
server.errorlog = "$T/lighttpd.error.log"
server.max-request-size = 8192
server.max-request-field-size = 32768
setenv.add-environment = ( $env_block )
cgi.assign = (".cgi" => "")
fastcgi.server = (
	"/fast" => ((
		"socket" => "$T/fast.sock",
		"bin-path" => "$T/bin/fast-search",
		"max-procs" => 1,
		"check-local" => "disable",
		"bin-environment" => ( $env_block )
	)),
	"/slow" => ((
		"socket" => "$T/slow.sock",
		"bin-path" => "$T/bin/slow-search",
		"max-procs" => 1,
		"check-local" => "disable",
		"bin-environment" => ( $env_block, "WIRE_CPU_LIMIT_MS" => "1" )
	))
)
EOF
start_lighttpd || exit 0
cgi=http://127.0.0.1:$port/search.cgi
fast=http://127.0.0.1:$port/fast

# fetch NAME URL CURL-ARGS...: $T/NAME.{head,body}; $st the status.  The
# headers kept are ours (the server's Date and Server are dropped).
fetch() {
	local name=$1 url=$2; shift 2
	st=$(curl -s --max-time 10 -D "$T/$name.head" -o "$T/$name.body" -w '%{http_code}' "$@" "$url")
	tr -d '\r' <"$T/$name.head" | grep -viE '^(date|server):' >"$T/$name.h"
	mv "$T/$name.h" "$T/$name.head"
}
# A JSON page without its "seconds" (the time the search took).
untimed() { sed -E 's/"seconds":[0-9.e-]+//' "$1"; }
fast_pid() { pgrep -f "^$T/bin/fast-search" | head -1; }

# ---------------------------------------------------------------------------
# The FastCGI answers are the CGI's, byte for byte, headers included.
etag=$(curl -s -D - -o /dev/null "$cgi?q=Durand+Line" | tr -d '\r' | sed -n 's/^ETag: //Ip')
head -c 200000 /dev/zero | tr '\0' 'a' >"$T/200k"
cases=(
	"page|?q=Durand+Line|"
	"bare|?|"
	"json|?q=Durand+Line&format=json|"
	"phrase|?q=%22Durand+Line%22&format=json&per_page=3|"
	"filters|?q=border&agency=EFE&format=json|"
	"facets-page|?q=Afghanistan&page=2&per_page=2|"
	"story|?id=efe-2024-11-07-islamabad-deportations&q=Durand|"
	"nostory|?id=no-such-story&format=json|"
	"gzip|?q=Durand+Line|-H|Accept-Encoding: gzip"
	"304|?q=Durand+Line|-H|If-None-Match: $etag"
	"head|?q=Durand+Line|-I"
	"post|?|--data|q=Durand+Line&format=json"
	"post-nosuch-type|?|-H|Content-Type: text/plain|--data|q=x"
	"post-200k|?|-H|Content-Type: application/x-www-form-urlencoded|--data-binary|@$T/200k"
	"put|?q=x|-X|PUT"
	"bad-page|?q=x&page=abc&format=json|"
	"bad-utf8|?q=%FF|"
	"long|?q=$(printf 'a%.0s' $(seq 1 8200))|"
	"syntax|?q=((((x&format=json|"
)
diffs=()
for c in "${cases[@]}"; do
	IFS='|' read -r -a parts <<<"$c"
	name=${parts[0]} qs=${parts[1]}
	args=("${parts[@]:2}")
	[ "${#args[@]}" -eq 1 ] && [ -z "${args[0]}" ] && args=()
	fetch "c-$name" "$cgi$qs" "${args[@]}"
	cst=$st
	fetch "f-$name" "$fast$qs" "${args[@]}"
	if [ "$cst" != "$st" ]; then
		diffs+=("$name: status CGI $cst, FastCGI $st")
	elif ! cmp -s <(grep -vi '^Content-Length:' "$T/c-$name.head") \
		<(grep -vi '^Content-Length:' "$T/f-$name.head"); then
		diffs+=("$name: headers differ: $(diff "$T/c-$name.head" "$T/f-$name.head" | head -3 | tr '\n' ' ')")
	elif ! cmp -s <(untimed "$T/c-$name.body") <(untimed "$T/f-$name.body"); then
		diffs+=("$name: bodies differ")
	fi
	len=$(sed -n 's/^Content-Length: //Ip' "$T/f-$name.head")
	if [ -n "$len" ] && [ "$name" != head ] && [ "$len" != "$(stat -c %s "$T/f-$name.body")" ]; then
		diffs+=("$name: Content-Length $len for $(stat -c %s "$T/f-$name.body") bytes")
	fi
done
expect_none "${#cases[@]} requests: FastCGI answers as CGI (all but the time taken)" "differs" "${diffs[@]:0:6}"
expect_eq "the JSON search: 200" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$fast?q=Durand+Line&format=json")"
expect_contains "the JSON search: hits" "$(cat "$T/f-json.body")" '"hits":[{"id":'
expect_contains "the story page by id" "$(cat "$T/f-story.body")" 'Durand'
expect_contains "a 200 KB form: our 413 page" "$(cat "$T/f-post-200k.body")" 'The form is too large'
expect_eq "gzip: compressed" gzip "$(sed -n 's/^Content-Encoding: //Ip' "$T/f-gzip.head")"
expect_eq "304 on the CGI's ETag" "304" "$(head -1 "$T/f-304.head" | awk '{print $2}')"

# ---------------------------------------------------------------------------
# One process answers request after request.
pid=$(fast_pid)
if [ -n "$pid" ]; then ok "the FastCGI program runs (pid $pid)"; else not_ok "the FastCGI program runs"; fi
fds_before=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
bad=()
for i in $(seq 1 60); do
	st=$(curl -s -o /dev/null -w '%{http_code}' "$fast?q=border+$i&format=json")
	[ "$st" = 200 ] || bad+=("request $i: $st")
done
expect_none "60 more requests: all 200" "requests" "${bad[@]:0:5}"
expect_eq "the same process served them all" "$pid" "$(fast_pid)"
expect_eq "no descriptor left open by a request" "$fds_before" "$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)"
n_procs=$(pgrep -fc "^$T/bin/fast-search")
expect_eq "one FastCGI process" 1 "$n_procs"

# Keep-alive: several requests on one connection, each answered.
out=$(curl -s -o /dev/null -o /dev/null -o /dev/null -w '%{http_code}:%{num_connects} ' \
	"$fast?q=Durand&format=json" "$fast?q=Line&format=json" "$fast?q=border&format=json")
expect_eq "three requests on one connection" "200:1 200:0 200:0 " "$out"

# ---------------------------------------------------------------------------
# The index changes under the running process: the next request sees it.
# Its facets too: the resident process keeps the facet values of the
# index's revision (xap_value_cache), which a commit or a rebuild retires.
# same_as_cgi NAME QUERY-STRING: the FastCGI's JSON page equals the CGI's.
same_as_cgi() {
	fetch "f-$1" "$fast$2"
	fetch "c-$1" "$cgi$2"
	if cmp -s <(untimed "$T/c-$1.body") <(untimed "$T/f-$1.body"); then
		ok "$1: FastCGI answers as CGI (facets included)"
	else
		not_ok "$1: FastCGI answers as CGI (facets included)" "$(diff <(untimed "$T/c-$1.body") <(untimed "$T/f-$1.body") | head -c 600)"
	fi
}
same_as_cgi said-before "?q=said&format=json"
same_as_cgi said-before-again "?q=said&format=json"
before=$(curl -s "$fast?q=Quetzalcoatlus&format=json")
expect_contains "before the update: no hit" "$before" '"total":0'
mkdir -p "$T/new"
cat >"$T/new/efe-2026-11-27-austin-quetzal.txt" <<'EOF'
Austin (Texas), Nov 27 (EFE).— Palaeontologists said on Friday they had found a nearly complete wing of a Quetzalcoatlus, the largest flying animal known, in the badlands of west Texas. EFE
EOF
wire-index --db "$T/db" "$T/new" >"$T/update.log" 2>&1 || not_ok "update indexed" "$(tail -3 "$T/update.log")"
after=$(curl -s "$fast?q=Quetzalcoatlus&format=json")
expect_contains "after the update: the new story, same process" "$after" '"id":"efe-2026-11-27-austin-quetzal"'
expect_eq "still the same process" "$pid" "$(fast_pid)"
same_as_cgi said-after-update "?q=said&format=json"
efe_count() { grep -o '"EFE":[0-9]*' "$1" | head -1 | cut -d: -f2; }
expect_eq "after the update: one more EFE story in the facets" \
	"$(($(efe_count "$T/f-said-before.body") + 1))" "$(efe_count "$T/f-said-after-update.body")"
# A whole rebuild: a new generation swapped in.
wire-index rebuild --db "$T/db" "$WIRE_TOP/corpus" >"$T/rebuild.log" 2>&1 || not_ok "rebuilt" "$(tail -3 "$T/rebuild.log")"
after=$(curl -s "$fast?q=Quetzalcoatlus&format=json")
expect_contains "after a rebuild without it: gone" "$after" '"total":0'
same_as_cgi durand-after-rebuild "?q=Durand+Line&format=json"
same_as_cgi said-after-rebuild "?q=said&format=json"
expect_eq "after the rebuild without it: the EFE count as before" \
	"$(efe_count "$T/f-said-before.body")" "$(efe_count "$T/f-said-after-rebuild.body")"

# ---------------------------------------------------------------------------
# The CPU limit: with 1 ms per request some searches run out; those get
# our fixed 503, and the server starts a new process for the next ones.
slow=http://127.0.0.1:$port/slow
got503=0 others=()
first_pid=
for i in $(seq 1 30); do
	fetch slow "$slow?q=border+OR+Afghanistan+OR+said+OR+the+OR+year+OR+government&format=json&per_page=50"
	[ -z "$first_pid" ] && first_pid=$(pgrep -f "^$T/bin/slow-search" | head -1)
	if [ "$st" = 503 ] && grep -q 'The search took too long' "$T/slow.body"; then
		got503=$((got503 + 1))
		[ "$got503" -ge 2 ] && break
	elif [ "$st" = 503 ] || [ "$st" = 200 ]; then
		: # the server's own 503 while it restarts the program, or in time
	else
		others+=("request $i: $st")
	fi
	sleep 0.2
done
if [ "$got503" -ge 1 ]; then ok "1 ms of CPU: our fixed 503 ($got503 seen)"; else not_ok "1 ms of CPU: our fixed 503" "none in 30 requests"; fi
expect_none "1 ms of CPU: nothing but 200 and 503" "statuses" "${others[@]:0:3}"
ok_back=
for _ in $(seq 1 50); do
	st=$(curl -s -o /dev/null -w '%{http_code}' "$slow?format=json&q=")
	[ "$st" = 200 ] && ok_back=1 && break
	sleep 0.2
done
if [ -n "$ok_back" ]; then ok "after the limit: a new process answers"; else not_ok "after the limit: a new process answers"; fi
now_pid=$(pgrep -f "^$T/bin/slow-search" | head -1)
if [ -n "$now_pid" ] && [ "$now_pid" != "$first_pid" ]; then ok "a new process ($first_pid, then $now_pid)"; else not_ok "a new process" "$first_pid then $now_pid"; fi
if grep -q 'The search took too long' "$T/lighttpd.error.log"; then
	not_ok "the 503's text is not in the server log"
else
	ok "the 503's text is not in the server log"
fi

# ---------------------------------------------------------------------------
# Stopping the server stops the programs (SIGTERM): they leave by the
# normal exit, where a sanitized build reports leaks.
kill "$server"
wait "$server" 2>/dev/null
gone=
for _ in $(seq 50); do
	if ! pgrep -f "^$T/bin/(fast|slow)-search" >/dev/null; then gone=1; break; fi
	sleep 0.1
done
if [ -n "$gone" ]; then ok "server stopped: the FastCGI programs ended"; else not_ok "server stopped: the FastCGI programs ended" "$(pgrep -af "$T/bin")"; fi
if grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$T/lighttpd.error.log" >/dev/null 2>&1; then
	not_ok "no sanitizer report in the server log" "$(grep -E 'Sanitizer|runtime error' "$T/lighttpd.error.log" | head -3)"
else
	ok "no sanitizer report in the server log"
fi
