# shellcheck shell=bash disable=SC2034
# tests/reliability/common.sh - sourced by the reliability e2e scripts
# (tests/e2e/06*.sh), after tests/lib.sh.
#
# WIRE_LONG=1 (make check-long) selects the long form of each test.
REL=$WIRE_TOP/tests/reliability
LONG=${WIRE_LONG:-0}
[ "$LONG" = 1 ] || LONG=0

# pick SHORT LONG: the value for this form.
pick() { if [ "$LONG" = 1 ]; then echo "$2"; else echo "$1"; fi; }

# now_ms: wall clock in milliseconds.
now_ms() { date +%s%3N; }

# gen_corpus DIR N [PREFIX [FIRST [PER_FILE]]]: N dispatches, plain text
# with ID headers, or JSON Lines with PER_FILE a file (gen-corpus.sh).
gen_corpus() { "$REL/gen-corpus.sh" "$@"; }

# have_rebuild: whether this wire-index has the `rebuild` subcommand.
have_rebuild() { wire-index rebuild --help >/dev/null 2>&1; }

# db_dirs DB: the glass database directories that make up the index at DB,
# one a line: the databases the stub DB/XAPIANDB names (relative to DB), or
# DB itself.  Nothing (and status 1) when DB holds neither.
db_dirs() {
	local db=$1 kind path
	if [ -f "$db/XAPIANDB" ]; then
		while read -r kind path _; do
			[ -n "$kind" ] || continue
			[ -n "$path" ] || { path=$kind; kind=auto; }
			case $kind in \#*) continue ;; esac
			case $path in /*) echo "$path" ;; *) echo "$db/$path" ;; esac
		done <"$db/XAPIANDB"
	elif [ -f "$db/iamglass" ]; then
		echo "$db"
	else
		return 1
	fi
}

# db_check DB: xapian-check every database of the index at DB.  Status 0
# when all pass; the failing output goes to stdout.
db_check() {
	local d o rc=0 n=0
	while read -r d; do
		n=$((n + 1))
		if ! o=$(xapian-check "$d" 2>&1); then
			rc=1
			echo "xapian-check $d:"
			tail -5 <<<"$o"
		fi
	done < <(db_dirs "$1")
	if [ "$n" -eq 0 ]; then
		echo "no database at $1"
		return 1
	fi
	return $rc
}

# db_docs DB: the document count from wire-index stats --json (empty when
# the index cannot be opened).
db_docs() { wire-index stats --db "$1" --json 2>/dev/null | jq -r '.documents // empty' 2>/dev/null; }

# lib_flags: the sanitizer and coverage flags the project libraries in
# $WIRE_BUILD were built with (make SAN=1, make coverage), for linking.
lib_flags() {
	local syms
	syms=$(nm "$WIRE_BUILD/libwire.a" 2>/dev/null | grep -oE '__(asan|ubsan|gcov)_[a-z_]*' | sort -u)
	grep -q __asan_ <<<"$syms" && printf '%s ' -fsanitize=address,undefined -fno-omit-frame-pointer
	grep -q __ubsan_ <<<"$syms" && ! grep -q __asan_ <<<"$syms" && printf '%s ' -fsanitize=undefined
	grep -q __gcov_ <<<"$syms" && printf '%s ' --coverage
	return 0
}

# sanitized: whether the programs in $WIRE_BUILD carry AddressSanitizer
# (valgrind cannot run them).
sanitized() { nm "$WIRE_BUILD/wire-index" 2>/dev/null | grep -q __asan_init; }

# build_helper NAME: compile tests/reliability/NAME.c against the project's
# libraries into $T/NAME (the Makefile's warning flags, -Werror).  Prints
# the compiler's output and fails when it does not build.
build_helper() {
	local name=$1
	local pkgs="xapian-core libutf8proc zlib jansson libxml-2.0"
	# shellcheck disable=SC2046
	cc -std=c11 -O2 -g $(lib_flags) -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 -Wpointer-arith \
		-Wundef -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition -Werror \
		-I"$WIRE_TOP/common" -I"$WIRE_TOP/searcher" -I"$WIRE_TOP/indexer" \
		$(pkg-config --cflags $pkgs 2>/dev/null) \
		-o "$T/$name" "$REL/$name.c" \
		"$WIRE_BUILD/libsearcher.a" "$WIRE_BUILD/libindexer.a" "$WIRE_BUILD/libwire.a" \
		$(pkg-config --libs $pkgs) -lstdc++ -lm -lpthread
}

# corpus_kind: "reuters" when the Reuters reader indexes reut2-000.sgm
# cleanly (exit 0), else "text".
corpus_kind() {
	local sgm=$WIRE_SHARED/corpus/reuters21578/reut2-000.sgm
	if [ -f "$sgm" ] && wire-index --db "$T/.probe-reuters" -q "$sgm" >/dev/null 2>&1; then
		echo reuters
	else
		echo text
	fi
	rm -rf "$T/.probe-reuters"
}

# wait_for_pid_exit PID: reap a background child, ignoring its status.
reap() { wait "$1" 2>/dev/null; return 0; }

# manifest_text DIR PREFIX FIRST N: the probe's manifest (ID<TAB>FILE) of a
# gen_corpus directory.
manifest_text() {
	local dir prefix=$2 first=$3 n=$4
	dir=$(realpath "$1")
	awk -v d="$dir" -v p="$prefix" -v f="$first" -v n="$n" \
		'BEGIN { for (i = f; i < f + n; i++) printf "%s-%06d\t%s/%s-%06d.txt\n", p, i, d, p, i }'
}

# manifest_jsonl DIR PREFIX FIRST N PER_FILE: the same for a JSON Lines
# gen_corpus directory.
manifest_jsonl() {
	local dir prefix=$2 first=$3 n=$4 per=$5
	dir=$(realpath "$1")
	awk -v d="$dir" -v p="$prefix" -v f="$first" -v n="$n" -v k="$per" \
		'BEGIN { for (i = f; i < f + n; i++) printf "%s-%06d\t%s/%s-part-%04d.jsonl\n", p, i, d, p, int((i - f) / k) + 1 }'
}

# manifest_reuters FILE...: the probe's manifest of Reuters-21578 files (the
# reader's ids are reuters-NEWID).
manifest_reuters() {
	local f r
	for f in "$@"; do
		r=$(realpath "$f")
		grep -o 'NEWID="[0-9]*"' "$f" | tr -dc '0-9\n' | awk -v r="$r" '{ printf "reuters-%s\t%s\n", $1, r }'
	done
}

# probe DB MANIFEST: run the ack-log probe (tests/reliability/probe.c, built
# into $T/probe) and set P_DOCS P_FILES P_RECORDED P_LOST P_UNRECORDED P_DUP
# P_DOCCOUNT and P_LINE.  Status 2 when the index cannot be read.
probe() {
	P_LINE=$("$T/probe" "$1" "$2" 2>&1) || return 2
	read -r _ P_DOCS _ P_FILES _ P_RECORDED _ P_LOST _ P_UNRECORDED _ P_DUP _ P_DOCCOUNT <<<"$P_LINE"
}

# The job.c bug the probe's "unrecorded" count shows (see 060 and 061).
SEEN_BUG=(
	"BUG (indexer/job.c index_file): when a file's last dispatch fills the batch,"
	"batch_next_if_full() commits the batch before remember_file() queues the file's"
	"seen record, so the record lands in the NEXT batch (job.c's header says it is"
	"written in the batch that holds the file's last dispatch).  After a kill between"
	"the two commits the whole file is read and indexed again on resume ('replaced N'"
	"in the summary) and, with one-dispatch files, the resumed run's batches shift by one."
)

# The bug a kill while a new index is created shows (060, 061).
CREATE_BUG=(
	"BUG (indexer/generation.c gen_create, called from job.c when the index is new):"
	"the stub DB/XAPIANDB is switched to 'auto gen-000001/db' BEFORE that database"
	"exists; the writer then creates it in place under the live stub.  A kill before"
	"Xapian's first commit (no iamglass yet) leaves the stub naming a directory that"
	"is not a database, and every later 'wire-index' fails with 'cannot open the index"
	"for writing: ... iamglass: Failed to open glass revision file for reading' (exit 2):"
	"the index is wedged until someone deletes it.  Reproduce:"
	"  strace -f -e trace=fdatasync -e inject=fdatasync:signal=SIGKILL:when=1 wire-index --db X corpus/efe"
	"  wire-index --db X corpus/efe    # exit 2, forever"
)

# The abort 062 shows when a write fails inside a batch commit.
ABORT_BUG=(
	"BUG: wire-index aborts (SIGABRT, exit 134, 'terminate called ...') instead of exiting 2"
	"when a write fails with ENOSPC/EIO inside a batch commit: a second exception, thrown"
	"by Xapian's commit-failure recovery, unwinds through a noexcept frame inside libxapian"
	"under Xapian::WritableDatabase::commit_transaction() <- xap_writer_commit_transaction"
	"(common/xap.cc) <- batch_commit (indexer/job.c).  catch (...) in xap.cc cannot stop"
	"std::terminate.  A plain C++ program, and a C program on our bindings, committing the"
	"same kind of batches on the same full tmpfs get a clean DatabaseError, so something"
	"wire-index writes in the batch takes Xapian into the broken recovery path.  The"
	"committed state stays consistent and a re-run completes.  Reproduce (as root):"
	"  mount -t tmpfs -o size=8m tmpfs /mnt/s; tests/reliability/gen-corpus.sh /tmp/c 4000 big 1 100"
	"  build/wire-index --db /mnt/s/db --batch 100 /tmp/c   # exit 134"
	"  gdb -batch -ex 'catch throw' -ex run -ex bt -ex continue -ex bt --args build/wire-index ..."
)
