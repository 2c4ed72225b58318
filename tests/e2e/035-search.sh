#!/usr/bin/env bash
# 035-search: fields, filters, dates, stories, facets, counts, snippets and
# every output format on corpus/, against golden files in tests/golden/.
# WIRE_UPDATE_GOLDEN=1 rewrites the golden files (review the diff!).
. "$(dirname "$0")/../lib.sh"

db=$T/db
golden=$WIRE_TOP/tests/golden
wire-index -q --db "$db" "$WIRE_TOP/corpus/efe" "$WIRE_TOP/corpus/reuters" \
	"$WIRE_TOP/corpus/ap" "$WIRE_TOP/corpus/afp" "$WIRE_TOP/corpus/dpa" \
	"$WIRE_TOP/corpus/xinhua" "$WIRE_TOP/corpus/versions" "$WIRE_TOP/corpus/misc"
ids() { wire-search --db "$db" --json --limit 100 "$@" | jq -r 'select(.type=="hit") | .id'; }
count() { wire-search --db "$db" --count "$@"; }

# golden NAME ARGS...: the output of wire-search ARGS, timings removed.
golden() {
	local name=$1; shift
	local out
	out=$(wire-search --db "$db" "$@" 2>&1 | sed -E 's/\([0-9.]+ s\)/(T s)/; s/"seconds":[0-9.e+-]+/"seconds":T/' |
		sed "s#$WIRE_TOP/#TOP/#g")
	if [ "${WIRE_UPDATE_GOLDEN:-}" = 1 ]; then
		mkdir -p "$golden"
		printf '%s\n' "$out" >"$golden/$name"
		ok "golden $name rewritten"
	elif [ ! -f "$golden/$name" ]; then
		not_ok "golden $name exists" "run with WIRE_UPDATE_GOLDEN=1"
	elif diff <(printf '%s\n' "$out") "$golden/$name" >"$T/diff"; then
		ok "output of wire-search $* matches golden $name"
	else
		not_ok "output of wire-search $* matches golden $name" "$(head -30 "$T/diff")"
	fi
}

golden text-durand.txt --limit 3 '"Durand Line"'
golden json-quake.jsonl --json quake
golden tsv-pakistan.tsv --format tsv --limit 5 Pakistan
golden facets-kabul.txt --facets --limit 2 Kabul
golden sort-date-efe.txt --sort -date --limit 5 agency:EFE
golden page2-efe.txt --page 2 --limit 3 --sort date agency:EFE

# Fields.
expect_eq "headline: searches the headline alone" "$(count 'headline:Peru')" \
	"$(wire-search --db "$db" --json --limit 100 'headline:Peru' | jq -r 'select(.type=="hit") | .headline' | grep -ci peru)"
n_body=$(count 'body:Arequipa')
if [ "$n_body" -ge 1 ]; then ok "body: finds body words ($n_body)"; else not_ok "body:Arequipa"; fi
expect_eq "dateline: finds the dateline place" 1 "$(ids 'dateline:LIMA' | grep -c peru-quake)"
expect_eq "a phrase never spans headline and body" 0 "$(count '"roads lima"')"

# Filters.
expect_eq "lang:es keeps Spanish dispatches only" "" "$(wire-search --db "$db" --json --limit 100 'lang:es' | jq -r 'select(.type=="hit") | .language' | grep -v '^es$')"
expect_eq 'place:"Buenos Aires" (quoted value)' "$(count 'place:"Buenos Aires"')" "$(count 'place:"BUENOS AIRES"')"
if [ "$(count 'place:"Buenos Aires"')" -ge 1 ]; then ok "place:\"Buenos Aires\" finds the AP dispatch"; else not_ok 'place:"Buenos Aires"'; fi
expect_eq "agency filter is case-insensitive" "$(count agency:efe)" "$(count agency:EFE)"
expect_eq "-agency: excludes" 0 "$(wire-search --db "$db" --json --limit 100 'Pakistan -agency:EFE' | jq -r 'select(.type=="hit") | .agency' | grep -c '^EFE$')"
total=$(count 'Pakistan')
efe=$(count 'Pakistan agency:EFE')
notefe=$(count 'Pakistan -agency:EFE')
expect_eq "a filter and its negation partition the results" "$total" "$((efe + notefe))"

# Dates.
expect_eq "date:2024 keeps 2024 only" "" "$(wire-search --db "$db" --json --limit 100 'date:2024' | jq -r 'select(.type=="hit") | .date[0:4]' | grep -v '^2024$')"
y=$(count date:2024); m=0
for mm in 01 02 03 04 05 06 07 08 09 10 11 12; do m=$((m + $(count "date:2024-$mm"))); done
expect_eq "the months of 2024 add up to the year" "$y" "$m"
expect_eq "a range is the sum of its halves" "$(count 'date:2023-01-01..2025-12-31')" \
	"$(( $(count 'date:..2024-06-30') + $(count 'date:2024-07-01..') ))"
expect_status "an impossible date is an error" 2 wire-search --db "$db" 'date:2025-02-30'
expect_contains "the error names the date" "$(wire-search --db "$db" 'date:2025-02-30' 2>&1)" "2025-02-30"
expect_eq "date:7d relative to today finds nothing in an old corpus" 0 "$(count 'date:7d' || true)"

# Counts and pagination are exact and consistent.
all=$(ids --limit 100 agency:EFE | wc -l)
expect_eq "--count equals the number of hits listed" "$all" "$(count agency:EFE)"
p1=$(ids --limit 3 --page 1 --sort date agency:EFE); p2=$(ids --limit 3 --page 2 --sort date agency:EFE)
expect_eq "pages do not overlap" 0 "$(comm -12 <(sort <<<"$p1") <(sort <<<"$p2") | wc -l)"
expect_status "too deep a page is refused" 2 wire-search --db "$db" --offset 20000 Pakistan

# Stories, not copies.
expect_eq "three versions make one story" 1 "$(count 'id:reuters-20250611-peru-quake')"
expect_eq "--all-versions lists them" 3 "$(wire-search --db "$db" --all-versions --count 'id:reuters-20250611-peru-quake')"

# Snippets: marks, no dateline, UTF-8 intact.
j=$(wire-search --db "$db" --json --limit 20 Bogotá)
expect_contains "diacritics folded in the snippet marks" "$(jq -r 'select(.type=="hit") | .snippet_html' <<<"$j")" "<mark>Bogot"
expect_eq "snippets are valid UTF-8" "" "$(jq -r 'select(.type=="hit") | .snippet' <<<"$j" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 || echo bad)"
expect_not_contains "snippets leave the dateline out" "$(jq -r 'select(.type=="hit") | .snippet' <<<"$j")" "(EFE).-"
ph=$(wire-search --db "$db" --json '"Pakistan army"' | jq -r 'select(.type=="hit") | .snippet_html' | head -1)
expect_contains "a phrase is marked as one" "$ph" "<mark>Pakistan&#39;s army</mark>"
expect_not_contains "words of the phrase alone are not marked" "$(sed 's#<mark>Pakistan&\#39;s army</mark>##g' <<<"$ph")" "<mark>"

# Output formats.
s=$(wire-search --db "$db" --json Pakistan | tail -1)
expect_eq "the JSON summary comes last" summary "$(jq -r .type <<<"$s")"
expect_eq "the JSON summary has the total" "$(count Pakistan)" "$(jq .total <<<"$s")"
expect_eq "TSV has a header and one line per hit" 4 "$(wire-search --db "$db" --format tsv --limit 3 Pakistan | wc -l)"
expect_eq "NO_COLOR and a pipe: no escape codes" 0 "$(wire-search --db "$db" Pakistan | grep -c $'\033')"
script_out=$(script -qc "NO_COLOR= $WIRE_BUILD/wire-search --db $db --limit 1 Pakistan" /dev/null 2>/dev/null)
expect_contains "a terminal gets bold" "$script_out" $'\033[1m'
expect_contains "--explain shows the parsed tree" "$(wire-search --db "$db" --explain TTP)" "parsed: "

# Ordinary wire text never fails.
for q in 'U.S.' '84,000' "Pakistan's" 'Kabul/Islamabad' 'Tehreek-e-Taliban' 'AT&T' '(AFP)' '-' '"unbalanced' '(unbalanced' 'AND' 'foo AND' 'a OR' '12:30' 'C++' '50%'; do
	wire-search --db "$db" "$q" >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc -le 1 ]; then ok "query $q is read, not refused"; else not_ok "query $q is read, not refused" "$(cat "$T/err")"; fi
done

# Ranking: headline above body, exact form above stemmed, recency, BM25.
first=$(ids --limit 1 quake)
expect_eq "a headline match ranks first" reuters-20250611-peru-quake "$first"
mkdir -p "$T/rank"
printf 'ID: exact\nDate: 2024-01-01\nLanguage: en\n\nOfficials reported new deportations at the crossing on Monday.\n' >"$T/rank/a.txt"
printf 'ID: stemmed\nDate: 2024-01-01\nLanguage: en\n\nOfficials reported one deportation at the crossing on Monday.\n' >"$T/rank/b.txt"
wire-index -q --db "$T/rankdb" "$T/rank"
expect_eq "a stemmed form matches" 2 "$(wire-search --db "$T/rankdb" --count deportations)"
expect_eq "the exact form ranks above a stemmed one" exact "$(wire-search --db "$T/rankdb" --json deportations | jq -r 'select(.type=="hit") | .id' | head -1)"
expect_eq "a quoted word matches its exact form only" 1 "$(wire-search --db "$T/rankdb" --count '"deportations"')"
expect_eq "--no-stem matches the exact form only" 1 "$(wire-search --db "$T/rankdb" --no-stem --count deportations)"
plain=$(ids --limit 1 Pakistan)
fresh=$(wire-search --db "$db" --json --limit 1 --now 2025-06-15 --recency 30 Pakistan | jq -r 'select(.type=="hit") | .date[0:10]')
if [[ "$fresh" > "2025-04-30" ]]; then ok "--recency 30 as of 2025-06-15 puts a recent story first ($fresh; plain: $plain)"; else not_ok "--recency puts a recent story first" "first hit dated $fresh"; fi
expect_eq "date:7d as of a corpus day finds that week" "$(count 'date:2025-06-09..2025-06-15')" "$(wire-search --db "$db" --now 2025-06-15 --count 'date:7d')"
expect_status "--bm25 takes parameters" 0 wire-search --db "$db" --bm25 1.2,0.75 Pakistan
expect_status "--bm25 refuses nonsense" 2 wire-search --db "$db" --bm25 x Pakistan

# Stem variants are matched only in documents of the stemmer's language:
# "running" is an English form of "run", not a Spanish one.  With both
# languages in the index the English variants carry a language filter; an
# index of one language has no filter to apply and no other language's
# variants to look for.
mkdir -p "$T/langs"
printf 'ID: en-run\nDate: 2024-01-01\nLanguage: en\n\nOfficials said they would run the crossing jointly.\n' >"$T/langs/en.txt"
printf 'ID: en-running\nDate: 2024-01-02\nLanguage: en\n\nTraders said the crossing was running again.\n' >"$T/langs/en2.txt"
printf 'ID: es-running\nDate: 2024-01-03\nLanguage: es\n\nLa banda Running Wild actuó el sábado en Madrid ante miles de personas.\n' >"$T/langs/es.txt"
wire-index -q --db "$T/mixed" "$T/langs"
expect_eq "mixed index: an English variant does not match a Spanish document" \
	"en-run en-running" "$(wire-search --db "$T/mixed" --json run | jq -r 'select(.type=="hit") | .id' | sort | xargs)"
expect_contains "mixed index: the variants carry a language filter" \
	"$(wire-search --db "$T/mixed" --explain run)" "FILTER Len"
expect_eq "mixed index: the exact form matches in any language" \
	"en-run en-running es-running" "$(wire-search --db "$T/mixed" --json running | jq -r 'select(.type=="hit") | .id' | sort | xargs)"
rm "$T/langs/es.txt"
wire-index -q --db "$T/english" "$T/langs"
explained=$(wire-search --db "$T/english" --explain run)
expect_eq "English-only index: the same English matches" \
	"en-run en-running" "$(wire-search --db "$T/english" --json run | jq -r 'select(.type=="hit") | .id' | sort | xargs)"
expect_not_contains "English-only index: no language filter" "$explained" "FILTER"
