#!/usr/bin/env bash
# tests/fuzz/run.sh BUILD_DIR [short|long] - run every fuzz target.
#
# short (make check): replay the committed seeds and past crashers of each
# target, then fuzz it for FUZZ_SECONDS (default 8).  long (make fuzz): fuzz
# each for FUZZ_SECONDS (default 60).  New inputs go to a scratch corpus, never
# into tests/fuzz.  Prints "ok - ..." / "not ok - ..." lines with exec/s.
set -u
cd "$(dirname "$0")/../.."
build=${1:-build-fuzz}
mode=${2:-short}
secs=${FUZZ_SECONDS:-$([ "$mode" = long ] && echo 60 || echo 8)}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/wire-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:abort_on_error=0
status=0
for bin in "$build"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin" | sed 's/^fuzz_//')
	seeds=tests/fuzz/$name
	dict=tests/fuzz/$name.dict
	dictarg=(); [ -f "$dict" ] && dictarg=(-dict="$dict")
	mkdir -p "$scratch/$name"
	if [ -d "$seeds" ] && ! "$bin" -runs=0 "$seeds" >"$scratch/$name.replay" 2>&1; then
		echo "not ok - fuzz $name: a seed or past crasher fails"
		tail -30 "$scratch/$name.replay" | sed 's/^/    /'
		status=1
		continue
	fi
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-artifact_prefix="$scratch/$name-" "${dictarg[@]}" "$scratch/$name" \
		$([ -d "$seeds" ] && echo "$seeds") >"$scratch/$name.log" 2>&1; then
		runs=$(grep -Eo '#[0-9]+[[:space:]]+DONE' "$scratch/$name.log" | grep -Eo '[0-9]+' | head -1)
		echo "ok - fuzz $name: ${runs:-?} runs in ${secs}s, $(( ${runs:-0} / secs )) exec/s, seeds replayed"
	else
		echo "not ok - fuzz $name: crashed (input saved as $scratch/$name-*)"
		grep -A25 -E 'ERROR|runtime error|==ERROR' "$scratch/$name.log" | head -40 | sed 's/^/    /'
		mkdir -p tests/out && cp "$scratch/$name"-* tests/out/ 2>/dev/null
		status=1
	fi
done
exit $status
