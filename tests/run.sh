#!/usr/bin/env bash
# tests/run.sh BUILD_DIR [PATTERN] - run the whole suite and count.
#
# Unit tests are cmocka binaries in BUILD_DIR/tests; end-to-end tests are the
# numbered scripts in tests/e2e, which print "ok - ...", "not ok - ..." and
# "skip - ..." lines (tests/lib.sh).  Each program's output goes to
# tests/out/NAME.log and is shown when something in it failed.  The last line
# is "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
top=$PWD
build=${1:-build}
pattern=${2:-}
out=$top/tests/out
mkdir -p "$out"

export WIRE_BUILD=$top/$build
export WIRE_TOP=$top
export WIRE_SHARED=${WIRE_SHARED:-$top/../shared}
export CMOCKA_MESSAGE_OUTPUT=stdout
# Xapian 1.4.22's Database::check() trips a harmless new/delete size mismatch.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:new_delete_type_mismatch=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export NO_COLOR=1
unset WIRE_DB

passed=0 failed=0 skipped=0
failed_names=()

report() { # name log rc p f s
	local name=$1 log=$2 rc=$3 p=$4 f=$5 s=$6
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed or exited badly without saying which check failed
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ "$f" -gt 0 ]; then
		printf 'FAIL %-40s %d passed, %d failed (log: %s)\n' "$name" "$p" "$f" "${log#$top/}"
		grep -E '^(not ok|\[  (FAILED|ERROR)|.*(ERROR|Sanitizer|runtime error))' "$log" | head -20 | sed 's/^/     /'
		tail -5 "$log" | sed 's/^/     | /'
		failed_names+=("$name")
	else
		printf 'ok   %-40s %d passed%s\n' "$name" "$p" "$([ "$s" -gt 0 ] && echo ", $s skipped")"
	fi
}

for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	name=unit/$(basename "$t")
	[ -n "$pattern" ] && [[ $name != *$pattern* ]] && continue
	log=$out/$(basename "$t").log
	(cd "$out" && timeout 600 "$top/$t") >"$log" 2>&1
	rc=$?
	p=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$log" | awk '{s+=$4} END {print s+0}')
	f=$(grep -Eo '^\[  FAILED  \] [0-9]+' "$log" | awk '{s+=$4} END {print s+0}')
	s=$(grep -Ec '^\[  SKIPPED \]' "$log")
	report "$name" "$log" "$rc" "$p" "$f" "$s"
done

for t in tests/e2e/[0-9]*.sh; do
	[ -f "$t" ] || continue
	name=e2e/$(basename "$t" .sh)
	[ -n "$pattern" ] && [[ $name != *$pattern* ]] && continue
	log=$out/$(basename "$t" .sh).log
	timeout 900 bash "$t" >"$log" 2>&1 </dev/null
	rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	s=$(grep -c '^skip ' "$log")
	report "$name" "$log" "$rc" "$p" "$f" "$s"
done

echo
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
