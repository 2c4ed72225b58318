#!/usr/bin/env bash
# 060-kill-random: SIGKILL the indexer at random moments during incremental
# indexing (RELIABILITY.md T1).  ~3,000 dispatches, --batch 100; the runs
# are chained: after each kill the next run resumes the same index, and a
# run that finishes before its kill must give exactly the full count (then
# the index starts over).  After every kill:
#   - the index opens (wire-index stats) and passes xapian-check;
#   - no partial batch: the document count is a multiple of the batch size
#     or the full count;
#   - the ack log agrees: every file the index records as done ("seen"
#     metadata, written in the batch transaction) has its dispatch, and
#     every indexed dispatch's file is recorded (plain-text corpus only);
#   - no story is indexed twice.
# Short form: 30 kills; WIRE_LONG=1: 100.
. "$(dirname "$0")/../lib.sh"
. "$WIRE_TOP/tests/reliability/common.sh"

target=$(pick 30 100)
batch=100
db=$T/db
t_start=$(now_ms)

kind=$(corpus_kind)
if [ "$kind" = reuters ]; then
	r=$WIRE_SHARED/corpus/reuters21578
	inputs=("$r/reut2-000.sgm" "$r/reut2-001.sgm" "$r/reut2-002.sgm")
	manifest_reuters "${inputs[@]}" >"$T/manifest"
else
	gen_corpus "$T/c" 3000 rel
	inputs=("$T/c")
	manifest_text "$T/c" rel 1 3000 >"$T/manifest"
fi
if ! o=$(build_helper probe 2>&1); then
	not_ok "tests/reliability/probe.c builds" "$o"
	exit 1
fi

# Reference: one clean run gives the full count and the time it takes.
t0=$(now_ms)
wire-index --db "$T/ref" --batch $batch -q "${inputs[@]}" 2>"$T/ref.err"
rc=$?
t_full=$(($(now_ms) - t0))
full=$(db_docs "$T/ref")
if [ $rc -ne 0 ] || [ -z "$full" ] || [ "$full" -eq 0 ]; then
	not_ok "reference run of the $kind corpus" "exit $rc, documents '${full}'" "$(head -5 "$T/ref.err")"
	exit 1
fi
[ "$kind" = text ] && [ "$full" -ne 3000 ] && not_ok "reference run indexes the 3000 generated dispatches" "documents $full"
ok "reference run: $full dispatches of the $kind corpus in ${t_full} ms (--batch $batch)"
# The ack-log checks need the manifest to be what the reader indexes.
ack=1
if ! probe "$T/ref" "$T/manifest" || [ "$P_DOCS" != "$full" ] || [ "$P_DOCCOUNT" != "$full" ] ||
	[ "$P_RECORDED" != "$P_FILES" ]; then
	ack=0
	skip "ack-log checks: the manifest does not match the reference index ($P_LINE; $full documents)"
fi

# The kill comes after U(0, max_delay) ms; runs resume, so short delays
# still walk the whole corpus.
max_delay=$(( t_full * $(pick 1 3) / 3 ))
[ $max_delay -lt 200 ] && max_delay=200

kills=0 completed=0 iterations=0 resumes=0 unborn=0
bad_open=0 bad_check=0 bad_count=0 bad_ack=0 bad_seen=0 bad_dup=0 bad_complete=0
# note CHECK WHAT: a failure detail of CHECK (the first 10 are shown).
note() { echo "$2" >>"$T/details.$1"; }
details() { [ -f "$T/details.$1" ] && head -10 "$T/details.$1"; }
fresh=1
while [ $kills -lt "$target" ] && [ $iterations -lt $((target * 4)) ]; do
	iterations=$((iterations + 1))
	if [ $fresh -eq 1 ]; then rm -rf "$db"; fresh=0; else resumes=$((resumes + 1)); fi
	delay=$((RANDOM * 32768 + RANDOM))
	delay=$((delay % max_delay))
	wire-index --db "$db" --batch $batch -q "${inputs[@]}" 2>"$T/run.err" &
	pid=$!
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	if kill -9 $pid 2>/dev/null; then
		wait $pid 2>/dev/null
		rc=$?
		if [ $rc -ne 137 ]; then
			# it ended on its own between the sleep and the kill
			rc_done=$rc
		else
			kills=$((kills + 1))
			rc_done=
		fi
	else
		wait $pid
		rc_done=$?
	fi
	what="iteration $iterations (kill after ${delay} ms)"

	# The oracle.
	if [ -e "$db/iamglass" ] || [ -e "$db/XAPIANDB" ]; then
		docs=$(db_docs "$db")
		if [ -z "$docs" ]; then
			# Acceptable only when killed before the first commit of a new
			# index, if the next run completes it.
			err=$(wire-index stats --db "$db" 2>&1 | head -1)
			wire-index --db "$db" --batch $batch -q "${inputs[@]}" 2>"$T/unborn.err"
			rc=$?
			if [ $rc -eq 0 ] && [ "$(db_docs "$db")" = "$full" ]; then
				unborn=$((unborn + 1))
			else
				bad_open=$((bad_open + 1))
				note open "$what: the index does not open ($err) and the next run fails: exit $rc: $(head -1 "$T/unborn.err")"
			fi
			fresh=1
			continue
		fi
		if ! o=$(db_check "$db"); then
			bad_check=$((bad_check + 1))
			note check "$what: xapian-check fails: $o"
			fresh=1
			continue
		fi
	else
		docs=0 # killed before the database was created
	fi
	if [ "$docs" -ne "$full" ] && [ $((docs % batch)) -ne 0 ]; then
		bad_count=$((bad_count + 1))
		note count "$what: $docs documents: not a multiple of $batch nor $full"
	fi
	if [ "$docs" -gt 0 ] && [ "$ack" = 1 ]; then
		if ! probe "$db" "$T/manifest"; then
			bad_ack=$((bad_ack + 1))
			note ack "$what: the probe cannot read the index: $P_LINE"
		else
			if [ "$P_LOST" != 0 ] || [ "$P_DOCS" != "$P_DOCCOUNT" ]; then
				bad_ack=$((bad_ack + 1))
				note ack "$what: ack log disagrees (a file recorded as done misses dispatches, or foreign documents): $P_LINE"
			fi
			if [ "$P_UNRECORDED" != 0 ]; then
				bad_seen=$((bad_seen + 1))
				note seen "$what: $P_UNRECORDED file(s) fully indexed but not recorded as done: $P_LINE"
			fi
			if [ "$P_DUP" != 0 ]; then
				bad_dup=$((bad_dup + 1))
				note dup "$what: stories indexed twice: $P_LINE"
			fi
		fi
	fi
	if [ -n "$rc_done" ]; then
		completed=$((completed + 1))
		if [ "$rc_done" -ne 0 ] || [ "$docs" -ne "$full" ]; then
			bad_complete=$((bad_complete + 1))
			note complete "$what: the run ended by itself with exit $rc_done and $docs documents (want 0 and $full): $(tail -2 "$T/run.err")"
		fi
		fresh=1
	fi
done

# Finally resume whatever state the last kill left, to the end.
wire-index --db "$db" --batch $batch -q "${inputs[@]}" 2>"$T/final.err"
rc=$?
final=$(db_docs "$db")
t_total=$(( ($(now_ms) - t_start) / 1000 ))

summary="$kills kills in $iterations runs ($resumes resumed a killed index, $completed finished before the kill), delay U(0, ${max_delay} ms), ${t_total} s"
if [ $kills -ge "$target" ]; then ok "060: $summary"; else not_ok "060: at least $target kills" "$summary"; fi
passes=$((kills - bad_open - bad_check))
if [ $bad_open -eq 0 ]; then
	ok "index opens after every kill ($((kills - unborn))/$kills; $unborn before the first commit of a new index, completed by the next run)"
else
	not_ok "index opens after every kill, or is completed by the next run ($passes/$kills)" "$(details open)" "${CREATE_BUG[@]}"
fi
if [ $bad_check -eq 0 ]; then ok "xapian-check passes after every kill ($kills/$kills)"; else not_ok "xapian-check passes after every kill" "$(details check)"; fi
if [ $bad_count -eq 0 ]; then
	ok "no partial batch: document count a multiple of $batch or $full after every kill ($kills/$kills)"
else
	not_ok "no partial batch: document count a multiple of $batch or $full after every kill ($((kills - bad_count))/$kills)" \
		"$(details count)" \
		"(resumed runs drift by one document per resume: the re-indexed file of the job.c bug reported below)"
fi
if [ "$ack" = 1 ]; then
	if [ $bad_ack -eq 0 ]; then ok "ack log: every file recorded as done has all its dispatches, no foreign documents ($kills/$kills)"; else not_ok "ack log agrees after every kill" "$(details ack)"; fi
	if [ $bad_dup -eq 0 ]; then ok "no story indexed twice after any kill"; else not_ok "no story indexed twice after any kill" "$(details dup)"; fi
	if [ $bad_seen -eq 0 ]; then
		ok "every fully indexed file is recorded as done in the same batch ($kills/$kills)"
	else
		not_ok "every fully indexed file is recorded as done in the same batch ($((kills - bad_seen))/$kills kills)" \
			"${SEEN_BUG[@]}" "$(details seen)"
	fi
fi
if [ $bad_complete -eq 0 ]; then ok "every run that finished gave exactly $full ($completed runs)"; else not_ok "every run that finished gave exactly $full" "$(details complete)"; fi
if [ $rc -eq 0 ] && [ "$final" = "$full" ]; then
	ok "resumed run after the last kill ends with exactly $full documents"
else
	not_ok "resumed run after the last kill ends with exactly $full documents" "exit $rc, documents '$final'" "$(tail -3 "$T/final.err")"
fi
if o=$(db_check "$db"); then ok "final index passes xapian-check"; else not_ok "final index passes xapian-check" "$o"; fi
