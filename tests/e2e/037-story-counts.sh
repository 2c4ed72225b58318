#!/usr/bin/env bash
# 037-story-counts: the exact story count, however it is reached.
#
# A search counts stories apart from ranking them: matches of single-version
# stories are counted plainly, and the versions of multi-version stories
# (marked XV by the indexer) by their distinct story ids.  A faceted search
# counts in its one run, and an index without the schema mark by a spy on
# every match.  Each count must equal the number of distinct story ids in
# the full --all-versions listing, on an index built by rebuild (new stories
# added without a lookup) and one built by incremental jobs (every story
# looked up), with versions arriving out of order and kills.
. "$(dirname "$0")/../lib.sh"

gen=$T/gen.jsonl
wire-gen -q --seed 37 --paragraphs 1-3 -n 3000 -o "$gen"
# Three incremental jobs, the newest third first, so that versions arrive
# before the ones they replace.
split -n l/3 -d "$gen" "$T/part-"
mkdir -p "$T/a" "$T/b" "$T/c"
mv "$T/part-00" "$T/c/p.jsonl"
mv "$T/part-01" "$T/b/p.jsonl"
mv "$T/part-02" "$T/a/p.jsonl"
inc=$T/inc
for d in a b c; do
	wire-index -q --db "$inc" "$T/$d" || not_ok "incremental job $d exits 0"
done
reb=$T/reb
wire-index rebuild -q --db "$reb" -j2 "$T/a" "$T/b" "$T/c" ||
	not_ok "the rebuild exits 0"

# listed FILTER DB ARGS...: the jq FILTER of every version listed, a line
# each (objects compact), page by page.
listed() {
	local filter=$1 db=$2 off=0 page; shift 2
	while :; do
		page=$(wire-search --db "$db" --all-versions --json --limit 1000 --offset $off "$@" |
			jq -rc "select(.type==\"hit\") | $filter")
		[ -n "$page" ] && printf '%s\n' "$page"
		[ "$(printf '%s' "$page" | grep -c .)" -lt 1000 ] && break
		off=$((off + 1000))
	done
}
ids() { listed .id "$@"; } # DB ARGS...: the id of every version listed
gendb() { echo "$1/gen-$(printf %06d "$(wire-index stats --db "$1" --json | jq .generation)")/db"; }
marks() { # DB TERM: how many documents carry TERM
	xapian-delve -t "$2" "$(gendb "$1")" 2>/dev/null | sed -n '1s/.*termfreq \([0-9]*\).*/\1/p'
}

docs=$(wire-index stats --db "$reb" --json | jq .documents)
expect_eq "both indexes hold every version" "$docs" "$(wire-index stats --db "$inc" --json | jq .documents)"
# Versioned documents: those whose story id appears more than once.
listed=$(ids "$reb" --include-withdrawn 'date:1900..2100' | sort | uniq -c | awk '$1 > 1 {n += $1} END {print n + 0}')
if [ "$listed" -lt 100 ]; then
	not_ok "the generated corpus has versioned stories" "only $listed versioned documents"
else
	ok "the generated corpus has $listed documents in multi-version stories"
fi
expect_eq "rebuild marks exactly the versioned documents XV" "$listed" "$(marks "$reb" XV)"
expect_eq "incremental jobs mark the same documents XV" "$listed" "$(marks "$inc" XV)"
expect_eq "rebuild and incremental jobs agree on the current versions" \
	"$(marks "$reb" XC)" "$(marks "$inc" XC)"
expect_eq "... and on the withdrawn ones" "$(marks "$reb" XW)" "$(marks "$inc" XW)"

# A copy of the rebuilt index without its schema mark: counted by the spy.
old=$T/old
cp -r "$(gendb "$reb")" "$old"
xapian-metadata set "$old" wire:schema "" 2>/dev/null ||
	not_ok "clearing the schema mark of the copy"

distinct() { ids "$@" | sort -u | wc -l; } # DB ARGS...: distinct story ids listed
total() { wire-search --db "$1" --json --limit 1 "${@:2}" | jq 'select(.type=="summary") | .total'; }

bad=()
n=0
for q in said the Afghanistan '"port staff"' 'TTP OR glaciers' 'ministry NOT state' \
	'agency:AP' 'agency:Reuters said' 'lang:es' 'date:2016..2018' 'Tehreek-e-Taliban' \
	'banks AND eurozone' 'potatoes'; do
	for args in "" "--include-withdrawn"; do
		# shellcheck disable=SC2086  # ARGS is zero or one word
		want=$(distinct "$reb" $args "$q")
		for got in "reb --count:$(wire-search --db "$reb" --count $args "$q")" \
			"inc --count:$(wire-search --db "$inc" --count $args "$q")" \
			"reb page:$(total "$reb" $args "$q")" \
			"reb facets:$(total "$reb" --facets $args "$q")" \
			"old schema:$(wire-search --db "$old" --count $args "$q")" \
			"inc listing:$(distinct "$inc" $args "$q")"; do
			n=$((n + 1))
			[ "${got##*:}" = "$want" ] || bad+=("$q $args: ${got%%:*} gives ${got##*:}, the listing $want")
		done
	done
done
expect_none "$n story counts (13 queries, with and without withdrawn, 6 ways) equal the distinct ids listed" \
	"story counts equal the distinct ids listed" "${bad[@]}"
# Documents (--all-versions: nothing to collapse) of an AND are counted in
# the ranked run itself, over every match (xap_query_is_conjunction()).
cbad=()
for q in 'banks AND eurozone' 'ministry state' 'said AND the NOT Afghanistan' \
	'agency:AP said the' '"port staff" OR (TTP AND glaciers)'; do
	want=$(ids "$reb" --include-withdrawn "$q" | wc -l)
	for got in "count:$(wire-search --db "$reb" --all-versions --include-withdrawn --count "$q")" \
		"page:$(total "$reb" --all-versions --include-withdrawn "$q")" \
		"facets:$(total "$reb" --all-versions --include-withdrawn --facets "$q")"; do
		[ "${got##*:}" = "$want" ] || cbad+=("$q: ${got%%:*} gives ${got##*:}, the listing $want")
	done
done
expect_none "document counts of ANDs (5 queries, 3 ways) equal the documents listed" \
	"document counts of ANDs equal the documents listed" "${cbad[@]}"

# A date range of whole days is a filter of the year, month and day terms
# covering it (an open end closed at the index's first or last day); one
# that would need more than 400 terms reads the date value.  Each count
# must equal the documents of the full listing (by the value: 1000..2100
# is 1,101 years) whose date lies in the range.
dbad=()
dn=0
for db in "$reb" "$inc"; do
	all=$(listed .date "$db" --include-withdrawn 'date:1000..2100')
	[ "$(grep -c . <<<"$all")" = "$docs" ] || dbad+=("the value range 1000..2100 lists $(grep -c . <<<"$all") of $docs documents")
	for r in 2016..2018 2017-03-15..2019-11-02 2016-02 2017-03-28 2016-12-31..2017-01-01 \
		2020-02-01..2020-02-29 2015-01-01..2025-12-31 2019-12-15..2021-01-20 \
		2021-06-10.. ..2016-03-03 2010.. ..2030 2026..; do
		lo=${r%%..*} hi=${r##*..}
		case $lo in ????) lo=$lo-01-01 ;; ????-??) lo=$lo-01 ;; esac
		case $hi in ????) hi=$hi-12-31 ;; ????-??) hi=$(date -u -d "$hi-01 +1 month -1 day" +%F) ;; esac
		[ -n "$lo" ] || lo=0000-00-00
		next=9999-99-99
		[ -z "$hi" ] || next=$(date -u -d "$hi +1 day" +%F)
		want=$(awk -v lo="$lo" -v nx="$next" '$0 >= lo && $0 < nx' <<<"$all" | grep -c .)
		got=$(wire-search --db "$db" --all-versions --include-withdrawn --count "date:$r")
		dn=$((dn + 1))
		[ "$got" = "$want" ] || dbad+=("date:$r ($(basename "$db")): $got, the listing's dates $want")
	done
done
expect_none "$dn date ranges (terms, open ends closed) count the documents dated in them" \
	"date ranges count the documents dated in them" "${dbad[@]}"
expect_eq "--all-versions --count counts documents" "$docs" \
	"$(wire-search --db "$reb" --all-versions --include-withdrawn --count 'date:1900..2100')"

# Facets count stories too: each value's count is the number of distinct
# stories with a matching version that has it (--all-versions: versions).
facet_listing() { # DB FIELD ARGS...: "value<TAB>count" from the listing
	local db=$1 field=$2; shift 2
	listed . "$db" "$@" | jq -r --arg f "$field" '. as $h |
		(if $f == "place" then ($h.places // [])[] elif $f == "agency" then $h.agency
		 else $h.language end) | select(. != null and . != "") | [., $h.id] | @tsv' | sort -u | cut -f1 | sort | uniq -c | awk '{c=$1; $1=""; sub(/^ /, ""); print $0 "\t" c}' | sort
}
facet_search() { # DB FIELD ARGS...: "value<TAB>count" from --facets
	local db=$1 field=$2; shift 2
	wire-search --db "$db" --json --facets --limit 1 "$@" |
		jq -r --arg f "$field" 'select(.type=="summary") | .facets[(if $f == "place" then "place" elif $f == "agency" then "agency" else "language" end)] | to_entries[] | "\(.key)\t\(.value)"' | sort
}
fbad=()
fn=0
for q in said Afghanistan 'TTP OR glaciers' 'agency:AP'; do
	for field in agency language place; do
		for db in "$reb" "$inc"; do
			want=$(facet_listing "$db" "$field" "$q")
			got=$(facet_search "$db" "$field" "$q")
			fn=$((fn + 1))
			[ "$want" = "$got" ] || fbad+=("$q $field ($(basename "$db")): $(diff <(echo "$want") <(echo "$got") | head -4 | tr '\n' ' ')")
		done
	done
done
expect_none "$fn facet tables (4 queries, agency/language/place, both indexes) count distinct stories" \
	"facet counts are distinct stories per value" "${fbad[@]}"

# Schema 3 keeps the four facets in one value (SLOT_FACETS); an index
# written before (schema 2: one slot each, here written by
# WIRE_INDEX_SCHEMA=2) must give the same facets, and jobs that add to it
# keep its layout.
schema_of() { xapian-metadata get "$(gendb "$1")" wire:schema 2>/dev/null; }
facets_of() { wire-search --db "$1" --json --facets --limit 3 "${@:2}" | jq -c 'select(.type=="summary") | [.total, .facets]'; }
old2=$T/schema2
WIRE_INDEX_SCHEMA=2 wire-index rebuild -q --db "$old2" -j2 "$T/a" "$T/b" || not_ok "schema 2 rebuild exits 0"
inc2=$T/schema2-inc
WIRE_INDEX_SCHEMA=2 wire-index -q --db "$inc2" "$T/a" || not_ok "schema 2 job exits 0"
wire-index -q --db "$old2" "$T/c" || not_ok "a job of today's indexer on the schema 2 index exits 0"
wire-index -q --db "$inc2" "$T/b" "$T/c" || not_ok "today's jobs on the schema 2 incremental index exit 0"
expect_eq "the rebuilt index is schema 3" 3 "$(schema_of "$reb")"
expect_eq "the old index stays schema 2 after today's job" 2 "$(schema_of "$old2")"
expect_eq "... and so does the old incremental one" 2 "$(schema_of "$inc2")"
sbad=()
sn=0
for q in said Afghanistan 'TTP OR glaciers' 'agency:AP' 'lang:es' 'date:2016..2018'; do
	for args in "" "--all-versions" "--include-withdrawn"; do
		# shellcheck disable=SC2086  # ARGS is zero or one word
		want=$(facets_of "$reb" $args "$q")
		for db in "$old2" "$inc2"; do
			# shellcheck disable=SC2086
			got=$(facets_of "$db" $args "$q")
			sn=$((sn + 1))
			[ "$want" = "$got" ] || sbad+=("$q $args ($(basename "$db")): ${want:0:120} / ${got:0:120}")
		done
	done
done
expect_none "$sn faceted searches: schema 2 indexes (one written in part by today's jobs) give schema 3's facets" \
	"schema 2 and 3 facets agree" "${sbad[@]:0:5}"
if [ "$(facets_of "$reb" said | jq '.[1].month | length')" -gt 0 ]; then ok "the month facet is filled"; else not_ok "the month facet is filled"; fi
