#!/usr/bin/env bash
# 068-valgrind: memcheck over a small real run and three unit tests
# (RELIABILITY.md T11): index 10 corpus files, 5 searches (text, JSON,
# facets, phrase, count), stats, a withdraw; and the unit tests
# test_dateline, test_schema and test_text.  Each must end with zero
# memcheck errors (definite leaks count as errors) and leave no file
# descriptor open at exit that it did not inherit (--track-fds=yes).
. "$(dirname "$0")/../lib.sh"
. "$WIRE_TOP/tests/reliability/common.sh"

if ! command -v valgrind >/dev/null; then
	skip "068: valgrind is not installed (Debian package valgrind, in tools/deps.sh check)"
	exit 0
fi
if sanitized; then
	skip "068: the programs in $WIRE_BUILD are built with AddressSanitizer, which valgrind cannot run"
	exit 0
fi
t_start=$(now_ms)
vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-fds=yes)
db=$T/db
runs=0 errors=0 leaked_fds=0

# memcheck WHAT EXPECTED_RC CMD...: run CMD under memcheck, log in $T/vg.N.
memcheck() {
	local what=$1 want=$2 rc log fds t0 ms
	shift 2
	runs=$((runs + 1))
	log=$T/vg.$runs
	t0=$(now_ms)
	"${vg[@]}" --log-file="$log" "$@" >"$log.out" 2>"$log.err" </dev/null
	rc=$?
	ms=$(($(now_ms) - t0))
	# descriptors open at exit that were not inherited
	fds=$(awk '/Open (file|AF_UNIX socket|AF_INET socket) descriptor/ { d = $0; getline; if ($0 !~ /inherited from parent/) n++ } END { print n + 0 }' "$log")
	leaked_fds=$((leaked_fds + fds))
	if [ $rc -eq 99 ] || grep -qE '== (Invalid|Conditional|Use of uninit|Syscall param|Mismatched|Source and destination|.*definitely lost)' "$log"; then
		errors=$((errors + 1))
		not_ok "$what: memcheck errors" "$(grep -vE '^==[0-9]+== *$' "$log" | head -30)"
	elif [ $rc -ne "$want" ]; then
		not_ok "$what: exit $want under valgrind" "exit $rc" "$(head -5 "$log.err")"
	elif [ "$fds" -ne 0 ]; then
		not_ok "$what: no descriptor left open at exit" "$(grep -A2 'Open .*descriptor' "$log" | head -20)"
	else
		ok "$what: 0 memcheck errors, 0 leaked fds ($ms ms)"
	fi
}

files=()
while IFS= read -r f; do files+=("$f"); done < <(find "$WIRE_TOP/corpus" -name '*.txt' | sort | head -10)
memcheck "wire-index of ${#files[@]} corpus files" 0 wire-index --db "$db" "${files[@]}"
if [ "$(db_docs "$db")" != "${#files[@]}" ]; then not_ok "the valgrind run indexed ${#files[@]} dispatches" "$(db_docs "$db")"; fi
memcheck "wire-search Pakistan" 0 wire-search --db "$db" Pakistan
memcheck "wire-search --json --facets" 0 wire-search --db "$db" --json --facets 'agency:AP OR agency:AFP OR Pakistan'
memcheck "wire-search phrase" 0 wire-search --db "$db" '"heat wave"'
memcheck "wire-search --count" 0 wire-search --db "$db" --count 'date:2024'
memcheck "wire-search with no hits" 1 wire-search --db "$db" zzyzxqqq
memcheck "wire-index stats --json" 0 wire-index stats --db "$db" --json
id=$(wire-search --db "$db" --json Pakistan 2>/dev/null | jq -r 'select(.type=="hit") | .id' | head -1)
memcheck "wire-index withdraw" 0 wire-index withdraw --db "$db" "$id"
memcheck "wire-index re-run (unchanged files)" 0 wire-index --db "$db" "${files[@]}"

cd "$T" || exit 1
export CMOCKA_MESSAGE_OUTPUT=stdout
for t in test_dateline test_schema test_text; do
	if [ -x "$WIRE_BUILD/tests/$t" ]; then
		memcheck "unit test $t" 0 "$WIRE_BUILD/tests/$t"
	else
		skip "unit test $t under valgrind: $WIRE_BUILD/tests/$t not built"
	fi
done
ok "068: $runs programs under memcheck, $errors with errors, $leaked_fds leaked fds, $(( ($(now_ms) - t_start) / 1000 )) s"
