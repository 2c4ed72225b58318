#!/usr/bin/env bash
# 040-generator: wire-gen (corpus/tools/wire-gen.c) writes the same bytes for
# the same seed, in every format wire-index reads without a skip, with the
# counts asked for, words that follow the Zipf law fitted to our corpus
# (corpus/wordlist/zipf.tsv, by corpus/tools/fit-zipf.c), and the shares of
# versions, kills, Spanish and named people the generator promises.
. "$(dirname "$0")/../lib.sh"

for p in wire-gen fit-zipf; do
	if [ ! -x "$WIRE_BUILD/$p" ]; then not_ok "$p is built" "missing: $WIRE_BUILD/$p"; exit 0; fi
done
export WIRE_WORDLIST=$WIRE_TOP/corpus/wordlist

# ---------------------------------------------------------------- determinism
wire-gen -q -n 1500 -o "$T/a.jsonl" --seed 42
wire-gen -q -n 1500 -o "$T/b.jsonl" --seed 42
wire-gen -q -n 1500 -o "$T/c.jsonl" --seed 43
check "same seed, same bytes (jsonl)" cmp "$T/a.jsonl" "$T/b.jsonl"
if cmp -s "$T/a.jsonl" "$T/c.jsonl"; then not_ok "another seed, other bytes"; else ok "another seed, other bytes"; fi
wire-gen -q -n 1500 --gzip --per-file 400 -o "$T/gz1" --seed 42
wire-gen -q -n 1500 --gzip --per-file 400 -o "$T/gz2" --seed 42
check "same seed, same bytes (gzip, 4 files)" diff -r "$T/gz1" "$T/gz2"
expect_eq "--per-file 400 splits 1500 dispatches into 4 files" 4 "$(ls "$T/gz1" | grep -c '^wire-0000[0-9][0-9]\.jsonl\.gz$')"
check "--gzip output decompresses" gzip -t "$T"/gz1/*.gz
check "split gzip files hold the same dispatches as one plain file" cmp <(gzip -dc "$T"/gz1/*.gz) "$T/a.jsonl"
wire-gen -q -n 200 --format text --seed 5 -o "$T/t1"
wire-gen -q -n 200 --format text --seed 5 -o "$T/t2"
check "same seed, same bytes (text tree)" diff -r "$T/t1" "$T/t2"
expect_eq "every jsonl line is a JSON object" 1500 "$(jq -c 'select(type=="object")' "$T/a.jsonl" | wc -l)"

# ---------------------------------------------------------------- formats
# index FORMAT N DIR-OR-FILE: wire-index exits 0 and holds N documents.
n_fmt=300
index_format() {
	local what=$1 n=$2 src=$3 db=$T/db-${1//[^a-z0-9]/_} err rc
	err=$(wire-index --db "$db" "$src" 2>&1 >/dev/null)
	rc=$?
	if grep -q 'reader is not available yet' <<<"$err"; then
		skip "$what: $(grep -m1 -o 'the [a-z]* reader is not available yet' <<<"$err")"
		return
	fi
	if [ $rc -eq 0 ]; then ok "$what: indexed without a skip (exit 0)"; else not_ok "$what: indexed (exit $rc)" "${err:0:2000}"; return; fi
	expect_eq "$what: $n dispatches written, $n documents indexed (versions included)" "$n" \
		"$(wire-index stats --db "$db" --json | jq .documents)"
}
wire-gen -q -n $n_fmt --seed 7 -o "$T/f.jsonl"
index_format "jsonl" $n_fmt "$T/f.jsonl"
wire-gen -q -n $n_fmt --seed 7 --gzip --per-file 100 -o "$T/fgz"
index_format "jsonl --gzip --per-file" $n_fmt "$T/fgz"
wire-gen -q -n $n_fmt --seed 7 --format text -o "$T/ftext"
index_format "text (header block)" $n_fmt "$T/ftext"
wire-gen -q -n $n_fmt --seed 7 --format text --no-header --gzip -o "$T/fbare"
index_format "text (no header, gzip)" $n_fmt "$T/fbare"
wire-gen -q -n $n_fmt --seed 7 --format sgml -o "$T/f.sgm"
index_format "sgml" $n_fmt "$T/f.sgm"
wire-gen -q -n $n_fmt --seed 7 --format newsml -o "$T/fxml"
index_format "newsml (one newsItem per file)" $n_fmt "$T/fxml"
wire-gen -q -n $n_fmt --seed 7 --format newsml --per-file 100 -o "$T/fmsg"
index_format "newsml (newsMessage of 100 items)" $n_fmt "$T/fmsg"
bad=$(find "$T/fbare" -type f | grep -cvE '/[a-z]+-[0-9]{4}-[0-9]{2}-[0-9]{2}-[^/]*\.txt\.gz$')
expect_eq "header-less text files carry their date in their names" 0 "$bad"
if command -v xmllint >/dev/null; then
	check "NewsML output is well-formed XML" xmllint --noout "$T"/fmsg/*.xml
fi
n=$(grep -c '^<REUTERS ' "$T/f.sgm"); expect_eq "sgml: one <REUTERS> record per dispatch" $n_fmt "$n"

# ---------------------------------------------------------------- shares
# On the 1500 dispatches of a.jsonl: per story (uri) its last usable version
# and whether it was withdrawn, its language.
shares=$(jq -rs '
	group_by(.uri) | map({
		v: ([.[] | select(.pubstatus == "usable") | (.version | tonumber)] | max),
		k: (any(.[]; .pubstatus == "canceled")),
		es: (.[0].language == "es"),
		up: ([.[] | .versioncreated] as $t | $t == ($t | sort)),
		fc: ([.[] | .firstcreated] | unique | length == 1)
	}) | {n: length, two: map(select(.v == 2)) | length, three: map(select(.v == 3)) | length,
		k: map(select(.k)) | length, es: map(select(.es)) | length,
		bad: map(select((.up and .fc) | not)) | length}
	| "\(.n) \(.two) \(.three) \(.k) \(.es) \(.bad)"' "$T/a.jsonl")
read -r stories two three killed spanish badv <<<"$shares"
# in_range WHAT PART WHOLE LO HI: PART/WHOLE (percent) within [LO, HI].
in_range() {
	local pct
	pct=$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.2f", 100 * a / b }')
	if awk -v p="$pct" -v lo="$4" -v hi="$5" 'BEGIN { exit !(p >= lo && p <= hi) }'; then
		ok "$1: $pct% (want $4-$5%)"
	else
		not_ok "$1: $pct%, want $4-$5%" "$2 of $3"
	fi
}
in_range "stories in 2 versions (~15%)" "$two" "$stories" 11 19
in_range "stories in 3 versions (~5%)" "$three" "$stories" 3 7.5
in_range "stories withdrawn by a canceled version (~0.5%)" "$killed" "$stories" 0.05 1.5
in_range "stories in Spanish (~20%)" "$spanish" "$stories" 16 24
expect_eq "versions share uri and firstcreated, versioncreated increases" 0 "$badv"
expect_eq "withdrawals are the last version, headed WITHDRAWN/ANULADA" "$killed" \
	"$(jq -r 'select(.pubstatus == "canceled") | .headline' "$T/a.jsonl" | grep -cE '^(WITHDRAWN|ANULADA): ')"

wire-gen --names >"$T/names"
expect_eq "most quoted names are non-ASCII" 1 "$(LC_ALL=C grep -c '[^ -~]' "$T/names" | awk '{ print ($1 >= 30) }')"
jq -r '.body_text' "$T/a.jsonl" >"$T/bodies"
named=$(grep -oF -f "$T/names" "$T/bodies" | wc -l)
# A sentence ends with a period before a blank, a line end or a closing quote
# (datelines such as "(EFE).— " and "U.S. " add a few).
sentences=$(grep -oE '\.(”|"|,”)?( |$)' "$T/bodies" | wc -l)
in_range "sentences naming a person from the list (~5%)" "$named" "$sentences" 3.5 6.5

years=$(jq -r '.firstcreated[0:4]' "$T/a.jsonl" | sort -u)
expect_eq "dates spread from 2015 to 2025 (default --from/--to)" "2015 2025" "$(head -1 <<<"$years") $(tail -1 <<<"$years")"
expect_eq "stories are filed in time order" "$(jq -r .firstcreated "$T/a.jsonl" | sort -c 2>&1 | wc -l)" 0

# ---------------------------------------------------------------- style
declare -A STYLE=(
	["EFE English 'Kabul, Apr 19 (EFE).—'"]='^[^ ].*, [A-Z][a-z]{2} [0-9]{1,2} \(EFE\)\.— '
	["EFE two places 'Kabul/Islamabad, ...'"]='^[^ ,/]+( [^ ,/]+)*/[^,/]+, [^(]+ \(EFE\)\.'
	["EFE Spanish 'Kabul, 19 abr (EFE).-'"]='^[^ ].*, [0-9]{1,2} (ene|feb|mar|abr|may|jun|jul|ago|sep|oct|nov|dic) \(EFE\)\.- '
	["Reuters 'KABUL (Reuters) -'"]='^[^ a-z,]+ \(Reuters\) - '
	["Reuters 'HOUSTON, Jan 27 (Reuters) -'"]='^[^a-z,]+, [A-Z][a-z]+ [0-9]{1,2} \(Reuters\) - '
	["AP 'ISLAMABAD (AP) —'"]='^[^a-z,]+ \(AP\) — '
	["AP 'BUENOS AIRES, Argentina (AP) _'"]='^[^a-z,]+, [A-Z][A-Za-z -]+ \(AP\) _ '
	["AFP 'PARIS, Jan 1 (AFP) -'"]='^[^a-z,]+, [A-Z][a-z]+ [0-9]{1,2} \(AFP\) - '
	["dpa 'Berlin (dpa) -'"]='^[A-Z][^(]+ \(dpa\) - '
	["Xinhua 'GAZA, Dec. 1 (Xinhua) --'"]='^[^a-z,]+, [A-Z][a-z]+\.? [0-9]{1,2} \(Xinhua\) -- '
)
jq -r '.body_text | split("\n")[0]' "$T/a.jsonl" >"$T/firsts"
for s in "${!STYLE[@]}"; do
	n=$(grep -cE "${STYLE[$s]}" "$T/firsts")
	if [ "$n" -ge 3 ]; then ok "dateline style $s: $n"; else not_ok "dateline style $s: $n (< 3)"; fi
done
n=$(LC_ALL=C grep -c '^[^(]*[^ -~][^(]*(' "$T/firsts")
if [ "$n" -ge 20 ]; then ok "datelines with non-ASCII places (Bogotá, Gdańsk...): $n"; else not_ok "datelines with non-ASCII places: $n"; fi
n=$(grep -cE ' EFE$' <(jq -r 'select(.agency == "EFE") | .body_text | split("\n\n") | map(select(test("^[a-z]+([-/][a-z]+)+$") | not)) | .[-1] | split("\n")[0]' "$T/a.jsonl"))
expect_eq "every EFE dispatch signs off ' EFE' before its initials" \
	"$(jq -r 'select(.agency == "EFE") | .uri' "$T/a.jsonl" | wc -l)" "$n"
for w in US U.S. UN NATO OPEC TTP EE.UU. OTAN; do
	n=$(grep -cF " $w " "$T/bodies")
	if [ "$n" -ge 1 ]; then ok "acronym $w appears ($n dispatches)"; else not_ok "acronym $w appears"; fi
done
n=$(jq -r 'select(.language == "en") | .body_text' "$T/a.jsonl" | grep -cE '[0-9],[0-9]{3}')
if [ "$n" -ge 10 ]; then ok "English numbers with thousands commas (84,000): $n"; else not_ok "English numbers with commas: $n"; fi
n=$(jq -r 'select(.language == "es") | .body_text' "$T/a.jsonl" | grep -cE '[0-9]\.[0-9]{3}\.[0-9]{3}|[0-9]\.[0-9]{3}')
if [ "$n" -ge 10 ]; then ok "Spanish numbers with thousands points (1.250.000): $n"; else not_ok "Spanish numbers with points: $n"; fi

# ---------------------------------------------------------------- Zipf
# Fit the law again on generated plain text: the exponents must come back.
wire-gen -q -n 1500 --format text --seed 42 -o "$T/zipf"
fit=$(fit-zipf "$T/zipf")
for lang in en es; do
	want=$(awk -v l=$lang '$1 == l { print $7 }' "$WIRE_TOP/corpus/wordlist/zipf.tsv")
	got=$(awk -v l=$lang '$1 == l { print $7 }' <<<"$fit")
	if [ -n "$want" ] && [ -n "$got" ] && awk -v a="$want" -v b="$got" 'BEGIN { d = a - b; exit !(d <= 0.15 && d >= -0.15) }'; then
		ok "Zipf exponent of the generated $lang text: $got (corpus: $want, +-0.15)"
	else
		not_ok "Zipf exponent of the generated $lang text: '$got' (corpus: '$want', +-0.15)" "$fit"
	fi
done
top=$(awk -F'\t' '!/^#/ { print $1; exit }' "$WIRE_TOP/corpus/wordlist/words-en.tsv")
fit-zipf --out "$T/refit" "$T/zipf" >/dev/null
expect_eq "the most frequent generated English word is the corpus's" "$top" \
	"$(awk -F'\t' '!/^#/ { print $1; exit }' "$T/refit/words-en.tsv")"

# ---------------------------------------------------------------- usage
expect_status "no -n: usage error (exit 2)" 2 wire-gen -o "$T/x.jsonl"
expect_status "unknown format: usage error (exit 2)" 2 wire-gen --format pdf -n 1 -o "$T/x"
expect_status "missing word lists: exit 1" 1 wire-gen --words "$T/nowhere" -n 1 -o "$T/x.jsonl"
