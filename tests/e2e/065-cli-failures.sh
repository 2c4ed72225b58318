#!/usr/bin/env bash
# 065-cli-failures: how the programs fail (RELIABILITY.md T18).
#   - output to /dev/full: a "write error" line and exit 2, never 0;
#   - a closed pipe (| head -1): no "Broken pipe" message; the exit status
#     is 141 (killed by SIGPIPE: searcher/cli.c keeps the default action),
#     or 0 when the output fitted in the pipe before head closed it;
#   - a missing, an unreadable (run as nobody) and a corrupted index: one
#     line naming the index and exit 2 (wire-search, wire-index stats),
#     never a crash ("Aborted", "Segmentation fault", "terminate called").
. "$(dirname "$0")/../lib.sh"
. "$WIRE_TOP/tests/reliability/common.sh"

db=$T/db
gen_corpus "$T/c" 1500 cli
if ! o=$(wire-index --db "$db" -q "$T/c" 2>&1); then
	not_ok "index of 1500 dispatches" "$o"
	exit 1
fi

crashed() { [[ $1 == *Abort* || $1 == *Segmentation* || $1 == *"terminate called"* || $1 == *"core dumped"* ]] || [ "$2" -ge 128 ]; }

# one_line_error WHAT WANT_IN_MESSAGE CMD...: exit 2, one line on stderr
# naming WANT, nothing on stdout, no crash.
one_line_error() {
	local what=$1 want=$2 rc err out
	shift 2
	out=$("$@" 2>"$T/err")
	rc=$?
	err=$(cat "$T/err")
	if crashed "$err" $rc; then
		not_ok "$what: no crash" "exit $rc" "$err"
	elif [ $rc -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && [[ $err == *"$want"* ]] && [ -z "$out" ]; then
		ok "$what: exit 2, one line: ${err//$T\//}"
	else
		not_ok "$what: exit 2 with one line naming $want" "exit $rc, $(wc -l <"$T/err") lines on stderr, $(wc -c <<<"$out") bytes on stdout" "${err:0:600}"
	fi
}

# --- /dev/full -------------------------------------------------------------
for args in "Paris" "--json Paris" "--count Paris" "--format tsv Paris"; do
	# shellcheck disable=SC2086
	wire-search --db "$db" $args >/dev/full 2>"$T/err"
	rc=$?
	err=$(cat "$T/err")
	if [ $rc -eq 2 ] && [[ $err == *"write error"* ]] && [ "$(wc -l <"$T/err")" -eq 1 ]; then
		ok "wire-search $args >/dev/full: exit 2, ${err}"
	else
		not_ok "wire-search $args >/dev/full: exit 2 with a write error" "exit $rc" "$err"
	fi
done
for args in "" "--json"; do
	# shellcheck disable=SC2086
	wire-index stats --db "$db" $args >/dev/full 2>"$T/err"
	rc=$?
	err=$(cat "$T/err")
	if [ $rc -eq 2 ] && [[ $err == *"write error"* ]]; then
		ok "wire-index stats $args >/dev/full: exit 2, ${err}"
	else
		not_ok "wire-index stats $args >/dev/full: exit 2 with a write error" "exit $rc" "$err"
	fi
done

# --- a closed pipe ---------------------------------------------------------
statuses=()
for args in "--limit 1000 --json analysts" "--limit 1000 analysts" "--limit 1000 --format tsv analysts"; do
	# shellcheck disable=SC2086
	wire-search --db "$db" $args 2>"$T/err" | head -1 >/dev/null
	rc=${PIPESTATUS[0]}
	err=$(cat "$T/err")
	statuses+=("$rc")
	if { [ "$rc" -eq 141 ] || [ "$rc" -eq 0 ]; } && [ -z "$err" ]; then
		ok "wire-search $args | head -1: quiet, exit $rc$([ "$rc" -eq 141 ] && echo ' (SIGPIPE)')"
	else
		not_ok "wire-search $args | head -1: quiet, exit 0 or 141" "exit $rc" "$err"
	fi
done
wire-index stats --db "$db" 2>"$T/err" | head -1 >/dev/null
rc=${PIPESTATUS[0]}
if { [ "$rc" -eq 141 ] || [ "$rc" -eq 0 ]; } && [ ! -s "$T/err" ]; then ok "wire-index stats | head -1: quiet, exit $rc"; else not_ok "wire-index stats | head -1: quiet" "exit $rc" "$(cat "$T/err")"; fi

# --- a missing index -------------------------------------------------------
one_line_error "wire-search on a missing index" "$T/nothing" wire-search --db "$T/nothing" Paris
one_line_error "wire-search --count on a missing index" "$T/nothing" wire-search --db "$T/nothing" --count Paris
one_line_error "wire-index stats on a missing index" "$T/nothing" wire-index stats --db "$T/nothing"
one_line_error "wire-search on an empty directory" "$T/empty" bash -c "mkdir -p '$T/empty' && exec wire-search --db '$T/empty' Paris"

# --- an unreadable index ---------------------------------------------------
as_nobody=()
if [ "$(id -u)" -ne 0 ]; then
	as_nobody=(env) # not root: chmod 000 is enough
elif setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
	as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
elif su nobody -s /bin/sh -c true 2>/dev/null; then
	su_nobody() { su nobody -s /bin/sh -c "$(printf '%q ' "$@")"; }
	as_nobody=(su_nobody)
fi
# In a coverage build (make coverage) nobody cannot write the profile
# counts beside the objects, and libgcov's complaints would be taken for
# the programs' output: give it a directory of its own (unused otherwise).
gcov_dir=$(mktemp -d /tmp/wire-gcov.XXXXXX)
chmod 1777 "$gcov_dir"
trap 'rm -rf "$T" "$gcov_dir"' EXIT
[ ${#as_nobody[@]} -gt 0 ] && as_nobody+=(env GCOV_PREFIX="$gcov_dir")
if [ ${#as_nobody[@]} -eq 0 ]; then
	skip "unreadable index: cannot run as nobody (no setpriv, no su)"
else
	chmod 755 "$T"
	cp -a "$db" "$T/locked"
	chmod -R a+rX "$T/locked"
	inner=$(db_dirs "$T/locked" | head -1)
	chmod 000 "$inner"
	unreadable() { # WHAT CMD...: one line naming the index AND saying why
		local what=$1
		shift
		one_line_error "$what" "$T/locked" "$@"
		if ! grep -qi "permission denied" "$T/err"; then
			not_ok "$what: the message says the index is unreadable (Permission denied), not missing" \
				"$(sed "s|$T/||g" "$T/err")" \
				"(searcher/search.c search_open maps every XAP_NOT_FOUND to 'no index there (create one" \
				"with wire-index)', indexer/main.c run_stats says '(not found)', and Xapian reports an unreadable database as DatabaseNotFoundError" \
				"'Couldn't detect type of database': check access(2) on the path to tell them apart)"
		fi
	}
	unreadable "wire-search on an unreadable database (chmod 000, as nobody)" \
		"${as_nobody[@]}" env PATH="$PATH" WIRE_SYNONYMS="$WIRE_SYNONYMS" wire-search --db "$T/locked" Paris
	unreadable "wire-index stats on an unreadable database (as nobody)" \
		"${as_nobody[@]}" env PATH="$PATH" wire-index stats --db "$T/locked"
	chmod 755 "$inner"
	chmod 000 "$T/locked"
	unreadable "wire-search on an unreadable index directory (as nobody)" \
		"${as_nobody[@]}" env PATH="$PATH" WIRE_SYNONYMS="$WIRE_SYNONYMS" wire-search --db "$T/locked" Paris
	chmod 755 "$T/locked"
fi

# --- a corrupted index -----------------------------------------------------
# corrupt NAME HOW: a copy of the index with its postlist table damaged in
# a block xapian-check then complains about (for the in-place damage).
corrupt() {
	local c=$T/corrupt-$1 d f size blocks b
	cp -a "$db" "$c"
	d=$(db_dirs "$c" | head -1)
	f=$d/postlist.glass
	size=$(stat -c %s "$f")
	blocks=$((size / 8192))
	case $2 in
	bytes7 | block)
		for ((b = 1; b < blocks; b += 3)); do
			cp "$f" "$T/postlist.save"
			if [ "$2" = bytes7 ]; then
				printf 'GARBAGE' | dd of="$f" bs=1 seek=$((b * 8192 + 700)) conv=notrunc status=none
			else
				head -c 8192 /dev/urandom | dd of="$f" bs=8192 seek=$b conv=notrunc status=none
			fi
			xapian-check "$d" >/dev/null 2>&1 || break
			cp "$T/postlist.save" "$f"
		done
		;;
	zero) dd if=/dev/zero of="$f" bs=8192 seek=1 count=2 conv=notrunc status=none ;;
	truncate) truncate -s $((size / 3)) "$f" ;;
	iamglass) printf 'not a version file at all' >"$d/iamglass" ;;
	esac
	echo "$c"
}
crashes=0 cases=0
for how in bytes7 block zero truncate iamglass; do
	c=$(corrupt "$how" "$how")
	check_rc=0
	xapian-check "$(db_dirs "$c" | head -1)" >/dev/null 2>&1 || check_rc=$?
	answered=0 refused=0 differ=0 bad=() msgs=()
	for q in Paris 'wheat prices' '"analysts in PARIS"' 'agency:reuters' 'oil OR gold' 'cli-000700' 'dispatch'; do
		cases=$((cases + 1))
		out=$(wire-search --db "$c" --limit 50 "$q" 2>"$T/err")
		rc=$?
		err=$(cat "$T/err")
		if crashed "$err" $rc; then
			crashes=$((crashes + 1))
			bad+=("'$q': CRASH, exit $rc: ${err:0:300}")
		elif [ $rc -eq 2 ]; then
			refused=$((refused + 1))
			msgs+=("${err//$T\//}")
			if [ "$(wc -l <"$T/err")" -ne 1 ]; then
				bad+=("'$q': exit 2 but $(wc -l <"$T/err") lines: ${err:0:300}")
			elif [[ $err != *"$c"* ]]; then
				bad+=("'$q': the message does not name the index: $err")
			fi
		elif [ $rc -le 1 ]; then
			answered=$((answered + 1)) # damage this query never reads?
			[ "$(wire-search --db "$c" --count "$q" 2>/dev/null)" != "$(wire-search --db "$db" --count "$q" 2>/dev/null)" ] &&
				differ=$((differ + 1))
		else
			bad+=("'$q': exit $rc: ${err:0:300}")
		fi
	done
	what="corrupted index ($how damage, xapian-check rc $check_rc): 7 searches, $answered answered ($differ counts differ from the intact index), $refused refused"
	if [ ${#bad[@]} -eq 0 ]; then
		ok "$what with one line naming the index, no crash$([ ${#msgs[@]} -gt 0 ] && echo ": ${msgs[0]}")"
	else
		extra=()
		printf '%s\n' "${bad[@]}" | grep -q "does not name the index" && extra=(
			"(searcher/search.c search_run / searcher/cli.c: an error met while the query runs,"
			"as opposed to while opening, is printed as Xapian's bare message, without the index)")
		not_ok "$what: each exit 2 with one line naming the index, no crash" "${bad[@]}" "${extra[@]}"
	fi
	out=$(wire-index stats --db "$c" 2>"$T/err")
	rc=$?
	err=$(cat "$T/err")
	if crashed "$err" $rc; then
		crashes=$((crashes + 1))
		not_ok "corrupted index ($how): wire-index stats does not crash" "exit $rc" "${err:0:500}"
	elif [ $rc -eq 0 ] || { [ $rc -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ]; }; then
		ok "corrupted index ($how): wire-index stats exit $rc${err:+, ${err//$T\//}}"
	else
		not_ok "corrupted index ($how): wire-index stats: exit 0, or 2 with one line" "exit $rc" "${err:0:500}"
	fi
done
ok "corrupted indexes: $cases searches, $crashes crashes"

# --- --version ---------------------------------------------------------------
# One line: the release, the Xapian library the process runs on (the one
# xapian-config names on Debian) and the index schema new indexes get; a
# failed write of it is an error like any other.
xapian=$(xapian-config --version | sed 's/.* //')
schema=$(sed -n 's/^#define META_SCHEMA_NUMBER \([0-9]*\).*/\1/p' "$WIRE_TOP/common/schema.h")
for prog in wire-search wire-index; do
	out=$("$prog" --version 2>"$T/err")
	rc=$?
	if [ $rc -eq 0 ] && [ ! -s "$T/err" ] &&
		[[ $out =~ ^$prog\ [0-9]+\.[0-9]+\.[0-9]+\ \(Xapian\ ${xapian//./\\.},\ index\ schema\ $schema\)$ ]]; then
		ok "$prog --version: $out"
	else
		not_ok "$prog --version: one line naming Xapian $xapian and schema $schema" "exit $rc" "$out" "$(cat "$T/err")"
	fi
	"$prog" --version >/dev/full 2>"$T/err"
	rc=$?
	if [ $rc -eq 2 ] && [[ $(cat "$T/err") == "$prog: write error: "* ]]; then
		ok "$prog --version >/dev/full: exit 2, $(cat "$T/err")"
	else
		not_ok "$prog --version >/dev/full: exit 2 with a write error" "exit $rc" "$(cat "$T/err")"
	fi
done
