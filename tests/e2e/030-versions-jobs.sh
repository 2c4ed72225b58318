#!/usr/bin/env bash
# 030-versions-jobs: story versions and kills, idempotent re-runs, delete and
# withdraw, exit statuses of incremental jobs.
. "$(dirname "$0")/../lib.sh"

db=$T/db
quake=reuters-20250611-peru-quake
strike=afp-20231114-france-rail-strike
ids() { wire-search --db "$db" --json --limit 100 "$@" | jq -r 'select(.type=="hit") | .id'; }
hit() { wire-search --db "$db" --json "$@" | jq -c 'select(.type=="hit")' | head -1; }

# Versions arrive out of order: v3, then v1, then v2.
cp "$WIRE_TOP"/corpus/versions/* "$T/"
mkdir -p "$T/in"
for v in 3 1 2; do
	mv "$T/reuters-2025-06-11-peru-quake-v$v.txt" "$T/in/"
	wire-index -q --db "$db" "$T/in"
done
h=$(hit quake)
expect_eq "the story is one hit" 1 "$(ids quake | grep -cx $quake)"
expect_eq "the hit shows the newest version" 3 "$(jq .version <<<"$h")"
expect_eq "the hit knows the story has 3 versions" 3 "$(jq .versions <<<"$h")"
expect_eq "every version stays in the index" 3 "$(wire-search --db "$db" --all-versions --count "id:$quake")"
h=$(hit '"magnitude 7.1"')
expect_eq "a phrase only in version 1 still finds the story" "$quake" "$(jq -r .id <<<"$h")"
expect_eq "... and says which version matched" 1 "$(jq .matched_version <<<"$h")"
text=$(wire-search --db "$db" '"magnitude 7.1"')
expect_contains "text output says matched in version 1 of 3" "$text" "matched in version 1 of 3"
expect_eq "one current version" 1 "$(wire-search --db "$db" --all-versions --json quake | jq -r 'select(.type=="hit") | .id' | sort -u | wc -l)"

# A kill withdraws every version.
wire-index -q --db "$db" "$T/afp-2023-11-14-rail-strike-v1.txt"
expect_eq "before the kill the strike story is found" 1 "$(ids strike | grep -cx $strike)"
wire-index -q --db "$db" "$T/afp-2023-11-14-rail-strike-v2-canceled.txt"
expect_eq "after the kill it is gone" 0 "$(ids strike | grep -cx $strike)"
expect_eq "--include-withdrawn shows it" 1 "$(ids --include-withdrawn strike | grep -cx $strike)"
expect_eq "both versions are withdrawn" 2 "$(wire-index stats --db "$db" --json | jq .withdrawn)"

# Idempotent: the same input again changes nothing.
wire-index -q --db "$db" "$T/in" "$T"/*.txt
before=$(wire-index stats --db "$db" --json | jq .documents)
wire-index -q --db "$db" --force "$T/in" "$T"/*.txt
expect_eq "re-indexing the same input keeps the document count" "$before" "$(wire-index stats --db "$db" --json | jq .documents)"

# withdraw and delete by id.
expect_status "withdraw a story" 0 wire-index withdraw --db "$db" $quake
expect_eq "a withdrawn story is not found" 0 "$(ids quake | grep -cx $quake)"
expect_status "withdrawing an unknown id exits 3" 3 wire-index withdraw --db "$db" no-such-story
expect_status "delete a story" 0 wire-index delete --db "$db" $quake
expect_eq "a deleted story is gone even with --include-withdrawn" 0 "$(ids --include-withdrawn quake | grep -cx $quake)"

# Skipped input: exit 3, FILE:LINE messages, the rest lands.
mkdir -p "$T/mixed"
printf 'ID: good-one\nHeadline: Zanzibar ferry resumes\n\nZANZIBAR (Reuters) - The ferry resumed service.\n' >"$T/mixed/good.txt"
: >"$T/mixed/empty.txt"
printf 'not gzip at all' | gzip -c | head -c 10 >"$T/mixed/cut.txt.gz"
wire-index --db "$T/db2" "$T/mixed" 2>"$T/mixed.err"
rc=$?
expect_eq "a batch with broken files exits 3" 3 "$rc"
expect_contains "the empty file is named with its line" "$(cat "$T/mixed.err")" "empty.txt:1:"
expect_contains "the truncated gzip is named" "$(cat "$T/mixed.err")" "cut.txt.gz"
expect_contains "the summary counts the reasons" "$(tail -1 "$T/mixed.err")" "(damaged file 1, empty dispatch 1)"
expect_eq "the good file landed" good-one "$(wire-search --db "$T/db2" --json Zanzibar | jq -r 'select(.type=="hit") | .id')"

# A second writer is refused at once with 75.
wire-index -q --db "$T/db3" "$WIRE_TOP/corpus/efe"
exec 9>"$T/db3/wire.lock"
flock 9
expect_status "a second writer exits 75" 75 timeout 5 wire-index --db "$T/db3" "$WIRE_TOP/corpus/ap"
msg=$(timeout 5 wire-index --db "$T/db3" "$WIRE_TOP/corpus/ap" 2>&1)
expect_contains "the lock message names the index" "$msg" "$T/db3: the index is locked"
(sleep 1; flock -u 9) &
expect_status "--wait waits for the lock" 0 timeout 10 wire-index -q --wait --db "$T/db3" "$WIRE_TOP/corpus/ap"
exec 9>&-
