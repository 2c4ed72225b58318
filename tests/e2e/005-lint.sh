#!/usr/bin/env bash
# 005-lint: the project's own rules (tools/lint.sh).
. "$(dirname "$0")/../lib.sh"
out=$("$WIRE_TOP/tools/lint.sh" 2>&1)
if [ $? -eq 0 ]; then ok "$out"; else not_ok "tools/lint.sh" "$out"; fi
