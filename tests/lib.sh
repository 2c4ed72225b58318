# tests/lib.sh - sourced by the end-to-end scripts in tests/e2e.
#
# Each check prints one line: "ok - what", "not ok - what" (with the detail
# on the following lines, indented) or "skip - what: why".  tests/run.sh
# counts them.  Every script works in its own scratch directory $T, removed
# at the end, and runs the programs built in $WIRE_BUILD.
set -u
: "${WIRE_BUILD:?run through tests/run.sh (make check)}"
: "${WIRE_TOP:?}"
WIRE_SHARED=${WIRE_SHARED:-$WIRE_TOP/../shared}
T=$(mktemp -d "${TMPDIR:-/tmp}/wire-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT
export PATH=$WIRE_BUILD:$PATH
export WIRE_SYNONYMS=$WIRE_TOP/common/synonyms.txt

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $1"; shift; [ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/    /'; return 0; }
skip() { echo "skip - $*"; }

# check WHAT CMD...: ok when CMD exits 0.
check() {
	local what=$1; shift
	local o
	if o=$("$@" 2>&1); then ok "$what"; else not_ok "$what" "command: $*" "$o"; fi
}

# expect_none OK_TEXT NOT_OK_TEXT [PROBLEM...]: ok OK_TEXT when no problem
# was collected, else not_ok NOT_OK_TEXT with the problems a line each.
expect_none() {
	if [ $# -eq 2 ]; then ok "$1"; else not_ok "${@:2}"; fi
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}

# expect_contains WHAT HAYSTACK NEEDLE
expect_contains() {
	if [[ "$2" == *"$3"* ]]; then ok "$1"; else not_ok "$1" "expected to find: $3" "in: ${2:0:2000}"; fi
}

# expect_not_contains WHAT HAYSTACK NEEDLE
expect_not_contains() {
	if [[ "$2" != *"$3"* ]]; then ok "$1"; else not_ok "$1" "did not expect: $3" "in: ${2:0:2000}"; fi
}

# expect_status WHAT CODE CMD...: CMD must exit with CODE.
expect_status() {
	local what=$1 code=$2; shift 2
	local o rc
	o=$("$@" 2>&1); rc=$?
	if [ "$rc" -eq "$code" ]; then ok "$what"; else not_ok "$what" "command: $*" "exit $rc, expected $code" "${o:0:2000}"; fi
}

# have_shared_corpus: whether ../shared/corpus is here (CI has it).
have_shared_corpus() { [ -d "$WIRE_SHARED/corpus" ]; }
# start_lighttpd: lighttpd on $T/lighttpd.conf (listening on $port) in the
# background, its pid in $server, stopped when the script exits (and $T
# removed unless KEEP is set); waits until it answers.  ok, or not_ok and
# status 1 when it does not start.
start_lighttpd() {
	lighttpd -D -f "$T/lighttpd.conf" >"$T/lighttpd.out" 2>&1 &
	server=$!
	trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
	for _ in $(seq 50); do
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && break
		sleep 0.1
	done
	if ! kill -0 "$server" 2>/dev/null; then
		not_ok "lighttpd started" "$(cat "$T/lighttpd.out" "$T/lighttpd.error.log" 2>/dev/null | tail -5)"
		return 1
	fi
	ok "lighttpd started on port $port"
}

# free_port: a loopback TCP port nothing uses, chosen by the kernel (a
# port picked at random can be the local end of some connection, and then
# a server cannot bind it).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
