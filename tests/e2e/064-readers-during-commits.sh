#!/usr/bin/env bash
# 064-readers-during-commits: long-lived readers while the writer commits
# every few milliseconds (RELIABILITY.md T6, T7).
#   (a) An indexer loop adds dispatches with --batch 1 (a commit per
#       dispatch) while two readers query for a few seconds
#       (tests/reliability/reader-loop.c):
#         search  opens the index once, runs search_run() in a loop (the
#                 real searcher: reopen and retry on "database modified");
#         raw     the control: our bindings alone, never reopening.
#       Pass: 0 failed searches; the control must fail (XAP_MODIFIED), which
#       proves the test provokes what the retry is for.
#   (b) Generation switches (wire-index rebuild in a loop, alternating two
#       corpora): readers that open the index afresh for every query see
#       exactly one generation's count, with 0 errors; a reader opened once
#       before the switches keeps answering.
# Short form: 4 s of reading each; WIRE_LONG=1: 20 s.
. "$(dirname "$0")/../lib.sh"
. "$WIRE_TOP/tests/reliability/common.sh"

secs=$(pick 4 20)
for h in reader-loop probe; do
	if ! o=$(build_helper $h 2>&1); then
		not_ok "tests/reliability/$h.c builds warning-free" "$o"
		exit 1
	fi
done
ok "tests/reliability/reader-loop.c builds warning-free against the project libraries"

gen_corpus "$T/j" 1 probe 1 1
per=0
wire-index --db "$T/jsonl-probe" -q "$T/j" >/dev/null 2>&1 && per=20
gen_corpus "$T/base" 1000 base 1 "$([ $per -gt 0 ] && echo 100 || echo 0)"
# The index lives on /dev/shm (tmpfs) when there is one: fdatasync is free
# there, so the writer commits every few ms even on a busy disk.
where=disk
if shm=$(mktemp -d /dev/shm/wire-064.XXXXXX 2>/dev/null); then
	where=/dev/shm
	trap 'rm -rf "$T" "$shm"' EXIT
else
	shm=$T
fi
db=$shm/db
if ! o=$(wire-index --db "$db" -q "$T/base" 2>&1); then
	not_ok "base index of 1000 dispatches" "$o"
	exit 1
fi

# The writer: a commit every few dispatches (every few milliseconds, as the
# issue has it), file after file, until stopped.  With --batch 1 this
# machine commits every millisecond, faster than a loaded 2-core machine
# schedules a reader through three reopen-and-retry rounds (0.5% of queries
# then fail; docs/RELIABILITY.md).
gen_corpus "$T/more" 6000 more 1 $per
writer_loop() {
	local f
	for f in "$T"/more/*; do
		wire-index --db "$db" --batch "${WIRE_064_BATCH:-3}" -q "$f" 2>>"$T/writer.err" || echo "exit $? on $f" >>"$T/writer.fail"
		[ -e "$T/stop" ] && break
	done
}
rev0=$(wire-index stats --db "$db" --json | jq '.revision // .generation')
writer_loop &
wpid=$!
sleep 0.5
"$T/reader-loop" search "$db" "$secs" 'wheat prices' >"$T/search.out" 2>"$T/search.err" &
spid=$!
"$T/reader-loop" raw "$db" "$secs" analysts traders wheat >"$T/raw.out" 2>"$T/raw.err"
wait $spid
touch "$T/stop"
wait $wpid
rev1=$(wire-index stats --db "$db" --json | jq '.revision // .generation')
commits=$((rev1 - rev0))
read -r _ sq _ sf _ sr _ smax <"$T/search.out"
read -r _ rq _ rf _ rm <"$T/raw.out"
rate=$(( (secs * 1000 + 500) / (commits > 0 ? commits : 1) ))
if [ "$commits" -gt 20 ] && [ ! -e "$T/writer.fail" ]; then
	ok "writer committed $commits times, a commit every ~$rate ms (index on $where)"
else
	not_ok "writer committed often and never failed" "$commits commits" "$(cat "$T/writer.fail" "$T/writer.err" 2>/dev/null | head -5)" \
		"$(grep -q 'Too few chunks' "$T/writer.err" 2>/dev/null && echo "(Xapian's spelling-table fault under many small commits: see 069-many-small-commits)")"
fi
if [ "${sf:-x}" = 0 ] && [ "${sq:-0}" -gt 0 ]; then
	ok "search_run with reopen-and-retry: $sq queries, 0 failed, $sr retries (at most $smax for one query)"
else
	bug=()
	grep -q "cannot reopen the index.*DatabaseModifiedError" "$T/search.err" && bug=(
		"BUG (searcher/search.c search_run): when xap_db_reopen() itself fails with"
		"XAP_MODIFIED (the writer committed again while the reader reopened), the loop"
		"stops with 'cannot reopen the index: DatabaseModifiedError ...' instead of"
		"counting it as one more retry (reopen again, then rerun the attempt).  With a"
		"commit every ~5 ms it happens about once per thousand queries.")
	grep -q "The revision being read has been discarded" "$T/search.err" && [ ${#bug[@]} -eq 0 ] && bug=(
		"search_run gave up after SEARCH_RETRIES (5) reopen-and-retry rounds"
		"(searcher/search.c): the writer commits faster than a query completes.")
	not_ok "search_run with reopen-and-retry never fails" "$(cat "$T/search.out")" "$(head -5 "$T/search.err")" "${bug[@]}"
fi
if [ "${rm:-0}" -gt 0 ]; then
	ok "control without reopen fails as expected: $rf of $rq queries failed, $rm with XAP_MODIFIED"
else
	not_ok "control without reopen must see XAP_MODIFIED (else the test provokes nothing)" "$(cat "$T/raw.out")" "$(head -3 "$T/raw.err")"
fi
if o=$(db_check "$db"); then ok "index passes xapian-check after the commit storm"; else not_ok "index passes xapian-check after the commit storm" "$o" "$(grep -q 'Too few chunks' <<<"$o" && echo "(Xapian's spelling-table fault under many small commits: see 069-many-small-commits)")"; fi

# ---------------------------------------------------------------------------
# (b) generation switches.
if ! have_rebuild; then
	skip "readers during generation switches (wire-index rebuild not available)"
	exit 0
fi
gen_corpus "$T/ga" 300 ga 1 $per
gen_corpus "$T/gb" 360 gb 1 $per
gdb=$shm/gen
if ! o=$(wire-index rebuild --db "$gdb" -q "$T/ga" 2>&1); then
	not_ok "first generation" "$o"
	exit 1
fi
rm -f "$T/stop"
switcher() {
	local n=0
	while [ ! -e "$T/stop" ]; do
		if [ $((n % 2)) -eq 0 ]; then
			wire-index rebuild --db "$gdb" -q "$T/gb" 2>>"$T/switch.err" || echo "exit $?" >>"$T/switch.fail"
		else
			wire-index rebuild --db "$gdb" -q "$T/ga" 2>>"$T/switch.err" || echo "exit $?" >>"$T/switch.fail"
		fi
		n=$((n + 1))
		echo $n >"$T/switches"
	done
}
"$T/reader-loop" search "$gdb" $((secs + 1)) 'wheat prices' >"$T/old.out" 2>"$T/old.err" &
opid=$!
switcher &
swpid=$!
"$T/reader-loop" fresh "$gdb" "$secs" 'agency:reuters' >"$T/fresh1.out" 2>"$T/fresh1.err" &
f1=$!
"$T/reader-loop" fresh "$gdb" "$secs" 'agency:reuters' >"$T/fresh2.out" 2>"$T/fresh2.err"
wait $f1
touch "$T/stop"
wait $swpid
wait $opid
switches=$(cat "$T/switches" 2>/dev/null || echo 0)
if [ "$switches" -ge 2 ] && [ ! -e "$T/switch.fail" ]; then
	ok "$switches generation switches in ${secs} s"
else
	not_ok "generation switches ran" "$switches switches" "$(cat "$T/switch.fail" "$T/switch.err" 2>/dev/null | head -5)"
fi
for i in 1 2; do
	line=$(cat "$T/fresh$i.out")
	read -r _ q _ f _ totals <<<"$line"
	bad=$(tr ',' '\n' <<<"$totals" | grep -v '^$' | grep -vE '^(300|360):' | head -3)
	if [ "${f:-x}" = 0 ] && [ -z "$bad" ] && [ "${q:-0}" -gt 0 ]; then
		ok "reader $i opening afresh for each query: $q queries, 0 errors, each saw one whole generation (totals $totals)"
	else
		not_ok "reader $i opening afresh for each query sees one whole generation, 0 errors" "$line" "$(head -5 "$T/fresh$i.err")" \
			"$(grep -q 'not found' "$T/fresh$i.err" && echo "(the previous generation was deleted under the reader: see 'a rebuild that fails before its switch' below)")"
	fi
done
read -r _ oq _ of _ or _ _ <"$T/old.out"
if [ "${of:-x}" = 0 ] && [ "${oq:-0}" -gt 0 ]; then
	ok "a reader opened once before the switches keeps answering: $oq queries, 0 failed ($or retries)"
else
	not_ok "a reader opened once before the switches keeps answering" "$(cat "$T/old.out")" "$(head -5 "$T/old.err")"
fi

# Deterministic form of the race above: the previous generation must be
# kept until the next switch (indexer/generation.h), so a rebuild that
# fails before switching must leave it in place.
kdb=$shm/keep
wire-index rebuild --db "$kdb" -q "$T/ga" && wire-index rebuild --db "$kdb" -q "$T/gb"
before=$(cd "$kdb" && echo gen-[0-9]*[0-9])
# mkdir #1 is the index directory (the lock), #2 the new .build directory
strace -f -o /dev/null -e trace=mkdir -e inject=mkdir:error=EACCES:when=2 \
	wire-index rebuild --db "$kdb" -q "$T/ga" >/dev/null 2>"$T/keep.err"
rc=$?
after=$(cd "$kdb" && echo gen-[0-9]*[0-9])
if [ $rc -ne 0 ] && [ "$before" = "$after" ]; then
	ok "a rebuild that fails before its switch keeps the previous generation ($after)"
else
	not_ok "a rebuild that fails before its switch keeps the previous generation" \
		"exit $rc ($(head -1 "$T/keep.err" | sed "s|$shm/||")); generations before: $before; after: $after" \
		"BUG (indexer/job.c, rebuild start: gen_cleanup(db, old, gen_last_number(db))):" \
		"gen_last_number() is the live generation itself, so the cleanup at the START of" \
		"a rebuild deletes the previous generation, not at the switch as generation.h" \
		"promises.  A searcher that read DB/XAPIANDB just before the last switch and opens" \
		"a few ms later, when the next rebuild has started, fails with 'cannot open" \
		"gen-NNNNNN/db (not found): Couldn't detect type of database' (seen 2 times in" \
		"24,000 fresh opens over 45 back-to-back switches).  Keep the generation before" \
		"the live one at the start; delete it only after the next switch."
fi
