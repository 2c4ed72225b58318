#!/usr/bin/env bash
# 090-fuzz: replay every fuzz target's seeds and past crashers, then fuzz each
# briefly (make fuzz runs them longer).  The targets are built by make check.
. "$(dirname "$0")/../lib.sh"
if ! ls "$WIRE_TOP"/build-fuzz/fuzz/fuzz_* >/dev/null 2>&1; then
	skip "fuzz targets: build-fuzz/fuzz not built (make FUZZ=1 fuzzers)"
	exit 0
fi
"$WIRE_TOP/tests/fuzz/run.sh" "$WIRE_TOP/build-fuzz" short
