#!/usr/bin/env bash
# bench/scale.sh BUILD_DIR [SIZES] - how wiresearch scales (make bench-scale).
#
# For each size (default "10000 100000 1000000" dispatches): generate the
# dispatches with wire-gen (gzip JSON Lines, files of 10,000), rebuild an
# index from them with -j1 and -j2, and measure
#   - rebuild wall time, CPU time (user+sys), dispatches per second,
#   - peak memory (GNU time %M: the largest process; -j2 runs two workers),
#   - index size per raw byte (du -sb of the index / bytes of headline+body),
#   - query latency, median and p99, of a fixed mix of 50 queries, each run
#     as its own wire-search process (as the CGI runs).
# Then the growth ratios between sizes are printed, and the table replaces
# the section "## Scale (make bench-scale)" of docs/PERFORMANCE.md.
#
# Everything generated lives under SCALE_DIR (default /tmp/wire-scale; about
# 1.2 GB of input and 10 GB of index at 1M), never in the repository.  The
# generated input is kept and reused by the next run (same size and seed).
#
# Knobs (environment):
#   SCALE_DIR       work directory (default /tmp/wire-scale)
#   SCALE_JOBS      rebuild worker counts to measure (default "1 2")
#   SCALE_BUDGET    seconds a size may take (default 3600): before a size,
#                   its time is extrapolated from the sizes measured; when
#                   all of SCALE_JOBS would not fit, only -j1 runs, and when
#                   that would not fit either the size is skipped (said so)
#   SCALE_RUNS      timed runs of each query (default 3, after a warm-up)
#   SCALE_SEED      wire-gen seed (default 1)
#   SCALE_GEN_ARGS  more wire-gen options, e.g. "--paragraphs 1-4" (~1 KB
#                   dispatches instead of ~3 KB)
#   SCALE_DOC       the document to write (default docs/PERFORMANCE.md;
#                   "-" writes nothing)
#   SCALE_KEEP=1    keep the indexes (default: removed once measured)
set -u
cd "$(dirname "$0")/.." || exit 2
top=$PWD
build=${1:-build}
sizes=${2:-${SCALE_SIZES:-10000 100000 1000000}}
work=${SCALE_DIR:-/tmp/wire-scale}
jobs_list=${SCALE_JOBS:-1 2}
budget=${SCALE_BUDGET:-3600}
runs=${SCALE_RUNS:-3}
seed=${SCALE_SEED:-1}
read -r -a gen_args <<<"${SCALE_GEN_ARGS:-}"
doc=${SCALE_DOC:-docs/PERFORMANCE.md}
gen=$top/$build/wire-gen
index=$top/$build/wire-index
search=$top/$build/wire-search
bin=$work/bin
export WIRE_SYNONYMS=$top/common/synonyms.txt
export WIRE_WORDLIST=$top/corpus/wordlist
export NO_COLOR=1
unset WIRE_DB

die() { echo "scale.sh: $*" >&2; exit 2; }
for p in "$gen" "$index" "$search"; do [ -x "$p" ] || die "$p is not built (make all)"; done
[ -x /usr/bin/time ] || die "GNU time is missing; as root: apt-get install -y time"
command -v jq >/dev/null || die "jq is missing; as root: apt-get install -y jq"
mkdir -p "$work" "$bin" || die "cannot create $work"
# Run copies: other work may relink $build/ while this runs for an hour.
cp -p "$gen" "$index" "$search" "$bin/" || die "cannot copy the programs to $bin"
gen=$bin/wire-gen index=$bin/wire-index search=$bin/wire-search
results=$work/results.tsv
log() { printf '%s\n' "$*" | tee -a "$work/scale.log" >&2; }
: >"$work/scale.log"
printf 'size\tjobs\tgen_s\traw_bytes\tinput_bytes\twall_s\tcpu_s\tdocs_per_s\tpeak_kb\tindex_bytes\tindex_per_raw\tq_median_ms\tq_p99_ms\tload\n' >"$results"

# The query mix: 50 queries over words of every frequency (the generator
# draws from corpus/wordlist), names, phrases, acronyms, numbers, filters,
# dates, wildcards, booleans; "F:" runs the query with --facets.
queries=(
	said government Pakistan inflation border ministry prices refugees
	earthquake drought Christmas Asia surged ensure tip-off
	inflación elecciones protesta petróleo
	'Muttaqī' Muttaqi '"Łukasz Wróblewski"' 'Erdoğlu'
	'"of the"' '"the government"' '"Nūrullah Muttaqī"' '"de la"'
	NATO U.S. OPEC TTP 84,000
	agency:EFE 'agency:Reuters oil' place:Kabul 'place:Bogotá' 'lang:es inflación'
	'date:2019-03' 'date:2016-01..2017-06 border' 'Pakistan date:2020'
	'prot*' 'minist*' 'deport*'
	'F:Pakistan' 'F:agency:EFE' 'F:lang:es' 'F:border date:2023'
	'oil OR gas' 'Kabul -Taliban' 'inflation NEAR/5 prices'
)
[ ${#queries[@]} -eq 50 ] || die "the query mix has ${#queries[@]} queries, not 50"

now() { date +%s.%N; }
# ms START END
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) * 1000 }'; }

# generate N DIR: the input of size N (reused when already there).
generate() {
	local n=$1 dir=$2 stamp=$2/.stamp want t0 t1 out
	want="n=$n seed=$seed args=${gen_args[*]} words=$(cat "$top"/corpus/wordlist/*.tsv | cksum | cut -d' ' -f1) gen=$(cksum <"$gen" | cut -d' ' -f1)"
	if [ -f "$stamp" ] && [ "$(head -1 "$stamp")" == "$want" ]; then
		log "  input: reusing $dir"
		return 0
	fi
	rm -rf "$dir"
	t0=$(now)
	out=$("$gen" --gzip --per-file 10000 --seed "$seed" "${gen_args[@]}" -n "$n" -o "$dir" 2>&1) || { log "$out"; return 1; }
	t1=$(now)
	printf '%s\n%s\ngen_s=%s\n' "$want" "$out" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" >"$stamp"
	log "  input: $out"
}

# percentile P FILE: the P-th percentile (nearest rank) of the numbers in FILE.
percentile() {
	sort -n "$2" | awk -v p="$1" '{ v[NR] = $1 } END { if (!NR) { print "-"; exit } i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; print v[i] }'
}

# query_latency DB N: "median p99" in ms over the mix, SCALE_RUNS runs each;
# every timing goes to $work/queries-N.tsv (ms, query).
query_latency() {
	local db=$1 f=$work/queries-$2.tsv q label args t0 t1 r
	: >"$f"
	for pass in warm $(seq 1 "$runs"); do
		for q in "${queries[@]}"; do
			args=(--db "$db" --json --limit 10)
			label=$q
			if [[ $q == F:* ]]; then args+=(--facets); q=${q#F:}; label="--facets $q"; fi
			t0=$(now)
			"$search" "${args[@]}" "$q" >/dev/null 2>"$work/search.err"
			r=$?
			t1=$(now)
			if [ $r -gt 1 ]; then log "  query '$q' failed (exit $r): $(head -1 "$work/search.err")"; fi
			[ "$pass" != warm ] && printf '%s\t%s\n' "$(ms "$t0" "$t1")" "$label" >>"$f"
		done
	done
	cut -f1 "$f" >"$work/latency.txt"
	echo "$(percentile 50 "$work/latency.txt") $(percentile 99 "$work/latency.txt")"
}

# slowest N FILE: the queries of FILE by median time, slowest first.
slowest() {
	sort -t$'\t' -k2,2 -k1,1n "$2" | awk -F'\t' '
		$2 != q { if (q != "") out(); q = $2; n = 0 } { v[++n] = $1 }
		END { out() }
		function out() { printf "%.0f\t%s\n", v[int((n + 1) / 2)], q }' | sort -rn | head -"$1"
}

machine="$(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo) RAM"
xapian=$(xapian-config --version 2>/dev/null | awk '{ print $NF }')
log "scale.sh: $machine, Xapian ${xapian:-?}; sizes: $sizes; jobs: $jobs_list; work dir: $work"

declare -A WALL CPU GEN QT
prev_n=0 prev2_n=0
notes=()
for n in $sizes; do
	dir=$work/data-$n
	log "== $n dispatches"
	run_jobs=$jobs_list
	# Extrapolate from the largest size measured: its time per dispatch,
	# times the growth of that figure between the two largest sizes, plus
	# the input's generation (linear) and 3 times its query time.
	if [ "$prev_n" -gt 0 ]; then
		est=$(awk -v n="$n" -v p="$prev_n" -v g="${GEN[$prev_n]:-0}" -v q="$prev2_n" -v qt="${QT[$prev_n]:-0}" \
			-v jobs="$jobs_list" -v w="$(for j in $jobs_list; do printf '%s:%s:%s ' "$j" "${WALL[$prev_n,$j]:-0}" "${WALL[$prev2_n,$j]:-0}"; done)" '
			BEGIN {
				split(w, a, " "); tot = g * n / p + 3 * qt; j1 = 3 * qt
				for (i in a) {
					split(a[i], f, ":")
					grow = 1
					if (q > 0 && f[3] > 0) { grow = (f[2] / p) / (f[3] / q); if (grow < 1) grow = 1 }
					t = f[2] * n / p * grow; tot += t; if (f[1] == 1) j1 += t
				}
				printf "%.0f %.0f", tot, g * n / p + j1
			}')
		read -r est_all est_j1 <<<"$est"
		log "  estimate: ${est_all}s for -j ${jobs_list// /,}, ${est_j1}s for -j1 alone (budget ${budget}s)"
		if [ "$est_all" -gt "$budget" ]; then
			if [ "$est_j1" -le "$budget" ] && [[ " $jobs_list " == *" 1 "* ]]; then
				run_jobs=1
				notes+=("$n dispatches: only -j1 was run, as -j ${jobs_list// /,} together were estimated at ${est_all} s, over the ${budget} s budget (-j1 alone: ${est_j1} s).")
				log "  over budget: running -j1 only"
			else
				notes+=("$n dispatches: skipped, estimated at ${est_j1} s for -j1 alone, over the ${budget} s budget.")
				log "  over budget: skipped"
				continue
			fi
		fi
	fi
	generate "$n" "$dir" || die "wire-gen failed"
	raw=$(sed -n 's/.* \([0-9]*\) bytes of text.*/\1/p' "$dir/.stamp")
	GEN[$n]=$(sed -n 's/^gen_s=//p' "$dir/.stamp")
	input=$(du -sb "$dir" | cut -f1)
	for j in $run_jobs; do
		db=$work/db-$n-j$j
		rm -rf "$db"
		load=$(cut -d' ' -f1 /proc/loadavg)
		log "  rebuild -j$j (load average $load) ..."
		/usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" \
			"$index" rebuild -q --db "$db" -j"$j" "$dir" 2>"$work/rebuild.err"
		rc=$?
		if [ $rc -ne 0 ]; then
			log "  rebuild -j$j failed (exit $rc): $(tail -3 "$work/rebuild.err")"
			notes+=("$n dispatches, -j$j: the rebuild failed (exit $rc).")
			continue
		fi
		read -r wall user sys peak <<<"$(tail -1 "$work/time.txt")"
		cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')
		docs=$("$index" stats --db "$db" --json | jq .documents)
		[ "$docs" == "$n" ] || notes+=("$n dispatches, -j$j: the index holds $docs documents.")
		size=$(du -sb "$db" | cut -f1)
		WALL[$n,$j]=$wall
		CPU[$n,$j]=$cpu
		if [ -z "${lat:-}" ] || [ "${lat_n:-}" != "$n" ]; then
			log "  queries: ${#queries[@]} x $runs runs ..."
			tq=$(now)
			lat=$(query_latency "$db" "$n")
			log "  slowest queries (median ms): $(slowest 5 "$work/queries-$n.tsv" | awk -F'\t' '{ printf "%s%s %s", (NR > 1 ? "; " : ""), $2, $1 }')"
			QT[$n]=$(awk -v a="$tq" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }')
			lat_n=$n
		fi
		read -r q50 q99 <<<"$lat"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$j" "${GEN[$n]}" "$raw" "$input" \
			"$wall" "$cpu" "$(awk -v n="$n" -v w="$wall" 'BEGIN { printf "%.0f", n / w }')" "$peak" "$size" \
			"$(awk -v a="$size" -v b="$raw" 'BEGIN { printf "%.2f", a / b }')" "$q50" "$q99" "$load" >>"$results"
		log "  -j$j: ${wall}s wall, ${cpu}s CPU, $(awk -v n="$n" -v w="$wall" 'BEGIN { printf "%.0f", n / w }') dispatches/s, peak ${peak} KB, index $size bytes; queries median ${q50} ms, p99 ${q99} ms"
		[ "${SCALE_KEEP:-0}" == 1 ] || [ "$j" == "$(echo $run_jobs | awk '{ print $NF }')" ] || rm -rf "$db"
	done
	[ "${SCALE_KEEP:-0}" == 1 ] || rm -rf "$work"/db-"$n"-j*
	prev2_n=$prev_n
	prev_n=$n
done

# ---------------------------------------------------------------- report
table=$(awk -F'\t' 'NR > 1 {
	printf "| %s | %.0f | %.0f | -j%s | %.1f | %.1f | %s | %.0f | %.0f | %.2f | %.1f | %.1f | %s |\n",
		$1, $4 / 1048576, $5 / 1048576, $2, $6, $7, $8, $9 / 1024, $10 / 1048576, $11, $12, $13, $14 }' "$results")
growth=$(awk -F'\t' 'NR > 1 { k = $2; n[k, ++c[k]] = $1; w[k, c[k]] = $6; u[k, c[k]] = $7; q[k, c[k]] = $12; p[k, c[k]] = $13; x[k, c[k]] = $11 }
	END {
		for (k = 1; k <= 64; k++) for (i = 2; i <= c[k]; i++) {
			a = i - 1
			printf "| %s → %s | -j%s | ×%.0f | ×%.2f | ×%.2f | ×%.2f | ×%.2f | ×%.2f |\n",
				n[k, a], n[k, i], k, n[k, i] / n[k, a],
				(w[k, i] / n[k, i]) / (w[k, a] / n[k, a]), (u[k, i] / n[k, i]) / (u[k, a] / n[k, a]),
				x[k, i] / x[k, a], q[k, i] / q[k, a], p[k, i] / p[k, a]
		}
	}' "$results")
echo
echo "results ($results):"
column -t -s $'\t' "$results"
echo
echo "growth between sizes (time per dispatch should stay flat, ×1; query latency should grow far slower than the size):"
echo "$growth"
for note in "${notes[@]}"; do echo "note: $note"; done

[ "$doc" == "-" ] && exit 0
# Did the median latency of -j1 grow about as fast as the size between the
# two largest sizes measured?
linear=$(awk -F'\t' 'NR > 1 && $2 == 1 { p = n; pq = q; n = $1; q = $12 }
	END { if (p > 0 && pq > 0 && (q / pq) >= 0.7 * (n / p)) printf "%s %s %.1f", p, n, q / pq }' "$results")
linear_line=
if [ -n "$linear" ]; then
	read -r a b x <<<"$linear"
	linear_line="Query latency grew about as fast as the index (median ×$x from $a to $b dispatches), not sub-linearly: \`docs/SCALING.md\` says why and what to change."
fi
last=$(awk -F'\t' 'NR > 1 { n = $1 } END { print n }' "$results")
slow_line=
if [ -n "$last" ] && [ -f "$work/queries-$last.tsv" ]; then
	slow_line="Slowest queries at $last dispatches (median ms): $(slowest 8 "$work/queries-$last.tsv" |
		awk -F'\t' -v q="\x60" '{ printf "%s%s%s%s %s", (NR > 1 ? ", " : ""), q, $2, q, $1 }')."
fi
section=$(cat <<EOF
## Scale (make bench-scale)

Measured by \`bench/scale.sh\` on $(date -u +%Y-%m-%d): $machine,
Xapian ${xapian:-?}, \`$build/\` binaries. Input: \`wire-gen --gzip --per-file 10000 --seed $seed${gen_args[*]:+ ${gen_args[*]}}\`
(synthetic dispatches: ~20% of the stories in Spanish, ~20% of the
dispatches later versions of a story; raw = bytes of headline + body).
Rebuild: \`wire-index rebuild -q --db DB -jJ DIR\`, timed by GNU time
(peak = the largest process's RSS). Queries: a fixed mix of 50 (common,
rare and Spanish words, names, phrases, acronyms, filters, date ranges,
wildcards, facets, booleans), each its own \`wire-search --json --limit 10\`
process, one warm-up pass then $runs timed passes. The machine was
shared with other work: the load average at the start of each rebuild is
given, and CPU time (user + sys) is steadier than wall time.

| dispatches | raw MB | input MB (gz) | jobs | rebuild s | CPU s | dispatches/s | peak MB | index MB | index / raw | query median ms | query p99 ms | load |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
$table

Growth between sizes (per-dispatch rebuild time, wall and CPU, should stay
×1; query latency should grow far slower than the size):

| sizes | jobs | size | wall s / dispatch | CPU s / dispatch | index / raw | query median | query p99 |
|---|---|---|---|---|---|---|---|
$growth
$(for note in "${notes[@]}"; do printf '\n- %s' "$note"; done)

$slow_line

$linear_line

The 100 M-dispatch sizing built on these figures is in \`docs/SCALING.md\`.
EOF
)
# Another engineer writes the rest of the document: re-read it now and
# replace only this section (up to the next "## " heading).
printf '%s\n' "$section" | cat -s >"$work/section.md"
if [ -f "$doc" ]; then
	awk -v secfile="$work/section.md" '
		function sec(l) { while ((getline l < secfile) > 0) print l; close(secfile) }
		/^## Scale \(make bench-scale\)/ { sec(); skip = 1; done = 1; next }
		skip && /^## / { skip = 0; print "" }
		!skip { print }
		END { if (!done) { print ""; sec() } }' "$doc" >"$doc.scale.tmp" && mv "$doc.scale.tmp" "$doc"
else
	printf '# Performance\n\n%s\n' "$section" >"$doc"
fi
echo "scale.sh: wrote the section \"## Scale (make bench-scale)\" of $doc"
