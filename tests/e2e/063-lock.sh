#!/usr/bin/env bash
# 063-lock: one writer at a time (RELIABILITY.md T5).
#   (a) a second writer (add, delete, withdraw, rebuild) during a run exits
#       75 within 1 s, with one message naming the index;
#   (b) with --wait it succeeds after the first writer ends, and both
#       writers' dispatches are in the index;
#   (c) after kill -9 of the writer, the next writer gets the lock within
#       1 s (the lock dies with its holder: no stale lock);
#   (d) the lock file (DB/wire.lock, or Xapian's flintlock for a plain
#       database) still exists after every case;
#   readers are never blocked by the writer.
. "$(dirname "$0")/../lib.sh"
. "$WIRE_TOP/tests/reliability/common.sh"

db=$T/db
gen_corpus "$T/j" 1 probe 1 1
per=0
wire-index --db "$T/jsonl-probe" -q "$T/j" >/dev/null 2>&1 && per=100
gen_corpus "$T/long" 3000 long 1 $per
gen_corpus "$T/small" 5 small 1 $per
gen_corpus "$T/small2" 5 smalltwo 1 $per

# lock_file DB: the lock file that must survive.
lock_file() {
	if [ -e "$1/wire.lock" ]; then echo "$1/wire.lock"; else echo "$1/flintlock"; fi
}
lock_kept() {
	local f
	f=$(lock_file "$db")
	if [ -e "$f" ]; then ok "lock file ${f#$db/} still exists after $1"; else not_ok "lock file still exists after $1" "$(ls -la "$db")"; fi
}

# start_long: a writer that commits 3000 dispatches in batches of 10; sets
# $writer and waits until it holds the lock (its first batch committed).
start_long() {
	rm -rf "$db"
	wire-index --db "$db" --batch 10 -q "$T/long" 2>"$T/long.err" &
	writer=$!
	local i
	for ((i = 0; i < 200; i++)); do
		[ -n "$(db_docs "$db")" ] && [ "$(db_docs "$db")" -gt 0 ] && return 0
		sleep 0.02
	done
	return 1
}

# timed CMD...: run CMD, set $rc, $out (stdout+stderr) and $ms.
timed() {
	local t0
	t0=$(now_ms)
	out=$("$@" 2>&1)
	rc=$?
	ms=$(($(now_ms) - t0))
}

# (a) a second writer while the first runs.
if ! start_long; then
	not_ok "the first writer starts committing" "$(cat "$T/long.err")"
	exit 1
fi
worst=0
for what in add delete withdraw rebuild; do
	case $what in
	add) timed wire-index --db "$db" -q "$T/small" ;;
	delete) timed wire-index delete --db "$db" long-000001 ;;
	withdraw) timed wire-index withdraw --db "$db" long-000001 ;;
	rebuild)
		if ! have_rebuild; then skip "a rebuild during a run (wire-index rebuild not available)"; continue; fi
		timed wire-index rebuild --db "$db" -q "$T/small"
		;;
	esac
	[ $ms -gt $worst ] && worst=$ms
	if [ $rc -eq 75 ] && [ $ms -lt 1000 ] && [[ $out == *"$db"* ]] && [[ $out == *locked* ]] && [ "$(wc -l <<<"$out")" -eq 1 ]; then
		ok "second writer ($what) during a run exits 75 in $ms ms: ${out/$T\//}"
	else
		not_ok "second writer ($what) during a run exits 75 within 1 s with one line naming the index" "exit $rc after $ms ms" "$out"
	fi
done
if kill -0 $writer 2>/dev/null; then ok "the first writer was still running during the attempts"; else not_ok "the first writer was still running during the attempts (make its corpus bigger)"; fi
t0=$(now_ms)
n=$(wire-search --db "$db" --count 'agency:reuters' 2>&1)
rms=$(($(now_ms) - t0))
if [ "${n:-0}" -gt 0 ] 2>/dev/null; then ok "a reader is not blocked by the writer ($n stories, $rms ms)"; else not_ok "a reader is not blocked by the writer" "$n"; fi

# (b) --wait: starts during the run, succeeds after it.
wire-index --db "$db" --wait -q "$T/small2" 2>"$T/wait.err" &
waiter=$!
sleep 0.3
if kill -0 $waiter 2>/dev/null; then ok "a writer with --wait waits while the first runs"; else not_ok "a writer with --wait waits while the first runs" "$(cat "$T/wait.err")"; fi
wait $writer
rc1=$?
t_first=$(now_ms)
wait $waiter
rc2=$?
t_wait=$(now_ms)
docs=$(db_docs "$db")
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ "$docs" = 3005 ]; then
	ok "--wait succeeds after the first writer ends ($((t_wait - t_first)) ms after it; $docs documents)"
else
	not_ok "--wait succeeds after the first writer ends" "first exit $rc1, waiter exit $rc2, $docs documents (want 3005)" "$(cat "$T/long.err" "$T/wait.err")"
fi
lock_kept "a second writer and a --wait writer"

# (c) kill -9 of the holder: the next writer gets the lock at once.
if ! start_long; then
	not_ok "the first writer starts committing (again)" "$(cat "$T/long.err")"
	exit 1
fi
wire-index --db "$db" --wait -q "$T/small2" 2>"$T/wait2.err" &
waiter=$!
sleep 0.2
t0=$(now_ms)
kill -9 $writer
wait $writer 2>/dev/null
timed wire-index --db "$db" -q "$T/small"
if [ $rc -eq 75 ]; then
	# the waiter may have taken the lock first (it may even be done by
	# now): wait for it, then the next writer must get the lock
	wait $waiter
	timed wire-index --db "$db" -q "$T/small"
fi
took=$(($(now_ms) - t0))
wait $waiter 2>/dev/null
rcw=$?
if [ $rc -eq 0 ] && [ $took -lt 1000 ]; then
	ok "after kill -9 of the writer the next writers get the lock: $took ms to a completed run (waiter exit $rcw)"
else
	not_ok "after kill -9 of the writer the next writer gets the lock within 1 s" "exit $rc after $took ms: $out" "waiter exit $rcw: $(cat "$T/wait2.err")"
fi
if o=$(db_check "$db"); then ok "index passes xapian-check after the kill and the next writers"; else not_ok "index passes xapian-check after the kill" "$o"; fi
lock_kept "kill -9 of the holder"

# A finished run leaves the lock free.
timed wire-index --db "$db" -q "$T/small"
if [ $rc -eq 0 ]; then ok "a writer after a finished run gets the lock ($ms ms)"; else not_ok "a writer after a finished run gets the lock" "exit $rc: $out"; fi
lock_kept "every case"
