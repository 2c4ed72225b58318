#!/usr/bin/env bash
# check-corpus.sh - check that corpus/ still holds what the tests rely on
# (see corpus/README.md): counts, the header/no-header split, gzip files,
# dateline styles, the required phrases, the story versions and the other
# input formats.  Prints what it found; exits 1 when a requirement is missing.
#
#   corpus/check-corpus.sh            (from anywhere)
set -u
export LC_ALL=C.UTF-8 2>/dev/null || export LC_ALL=C
cd "$(dirname "$0")" || exit 2

fail=0
ok() { printf 'ok    %s\n' "$*"; }
bad() { printf 'FAIL  %s\n' "$*"; fail=1; }
# need WHAT HAVE MIN: HAVE >= MIN
need() { if [ "$2" -ge "$3" ]; then ok "$1: $2 (>= $3)"; else bad "$1: $2 (< $3)"; fi; }
# exact WHAT HAVE WANT
exact() { if [ "$2" -eq "$3" ]; then ok "$1: $2"; else bad "$1: $2 (want $3)"; fi; }
cat_any() { gzip -cdf -- "$1"; }

mapfile -t TXT < <(find . -type f \( -name '*.txt' -o -name '*.txt.gz' \) | sort)
mapfile -t ALL < <(find . -type f \( -name '*.txt' -o -name '*.txt.gz' -o -name '*.jsonl' \
	-o -name '*.jsonl.gz' -o -name '*.xml' -o -name '*.sgm' \) | sort)

# has_header FILE: the first line is "Key: value" with a known key.
KEYS='ID|Version|Date|First-Created|Agency|Headline|Language|Byline|Topics|Slugline|Urgency|Status|Located'
has_header() { cat_any "$1" | head -n 1 | grep -qE "^($KEYS): "; }
# header FILE: the header block (empty when there is none).
header() { has_header "$1" && cat_any "$1" | sed '/^$/q' | sed '/^$/d'; }
# hval FILE KEY: a header value.
hval() { header "$1" | sed -n "s/^$2: //p" | head -n 1; }
# first_para FILE: the first body line (after the header, if any).
first_para() {
	if has_header "$1"; then cat_any "$1" | sed '1,/^$/d' | sed '/./,$!d' | head -n 1
	else cat_any "$1" | sed '/./,$!d' | head -n 1; fi
}
# files_matching GREP-ARGS...: dispatch files (all formats) whose text matches.
files_matching() {
	local f
	for f in "${ALL[@]}"; do cat_any "$f" | grep -q "$@" && echo "$f"; done
}
count_matching() { files_matching "$@" | wc -l; }

echo "== files"
need "plain-text dispatches (.txt, .txt.gz)" "${#TXT[@]}" 45
for d in efe reuters ap afp dpa xinhua versions misc; do
	n=$(find "$d" -type f \( -name '*.txt' -o -name '*.txt.gz' \) 2>/dev/null | wc -l)
	need "  $d/" "$n" 1
done
gz=$(printf '%s\n' "${TXT[@]}" | grep -c '\.txt\.gz$')
need "gzip-compressed dispatches" "$gz" 4
h=0; nh=0; noname=()
for f in "${TXT[@]}"; do
	if has_header "$f"; then h=$((h + 1)); else
		nh=$((nh + 1))
		[[ $f =~ [0-9]{4}-[0-9]{2}-[0-9]{2} ]] || noname+=("$f")
	fi
done
need "with a header block" "$h" 15
need "without a header block" "$nh" 15
exact "header-less files without YYYY-MM-DD in the name" "${#noname[@]}" 0
bad_utf8=0
for f in "${ALL[@]}"; do cat_any "$f" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 || { bad_utf8=$((bad_utf8 + 1)); echo "      invalid UTF-8: $f"; }; done
exact "files with invalid UTF-8" "$bad_utf8" 0

echo "== datelines (first body paragraph)"
declare -A STYLE=(
	["EFE English 'Kabul/Islamabad, Apr 19 (EFE).—'"]='^[^ ].*, [A-Z][a-z]{2,4}\.? [0-9]{1,2} \(EFE\)\.— '
	["EFE Spanish 'Kabul, 19 abr (EFE).-'"]='^[^ ].*, [0-9]{1,2} (ene|feb|mar|abr|may|jun|jul|ago|sep|oct|nov|dic) \(EFE\)\.- '
	["Reuters 'KABUL (Reuters) -'"]='^[A-Z][A-Z .]+ \(Reuters\) - '
	["Reuters 'HOUSTON, Jan 27 (Reuters) -'"]='^[A-Z][A-Z .]+, [A-Z][a-z]+ [0-9]{1,2} \(Reuters\) - '
	["AP 'ISLAMABAD (AP) —'"]='^[A-Z][A-Z .]+ \(AP\) — '
	["AP 'BUENOS AIRES, Argentina (AP) _'"]='^[A-Z][A-Z .]+, [A-Z][A-Za-z -]+ \(AP\) _ '
	["AFP 'PARIS, Jan 1 (AFP) -'"]='^[A-Z][A-Z .]+, [A-Z][a-z]+ [0-9]{1,2} \(AFP\) - '
	["dpa 'Berlin (dpa) -'"]='^[A-Z][^ (]+ \(dpa\) - '
	["Xinhua 'GAZA, Dec. 1 (Xinhua) --'"]='^[A-Z][A-Z .]+, [A-Z][a-z]+\.? [0-9]{1,2} \(Xinhua\) -- '
	["no agency 'SALVADOR, Feb 26 -'"]='^[A-Z][A-Z .]+, [A-Z][a-z]+ [0-9]{1,2} - '
)
declare -A FIRST
for f in "${TXT[@]}"; do FIRST[$f]=$(first_para "$f"); done
for s in "${!STYLE[@]}"; do
	n=0
	for f in "${TXT[@]}"; do printf '%s\n' "${FIRST[$f]}" | grep -qE "${STYLE[$s]}" && n=$((n + 1)); done
	need "$s" "$n" 3
done | sort
es=0; for f in "${TXT[@]}"; do [ "$(hval "$f" Language)" = es ] && { es=$((es + 1)); continue; }; printf '%s\n' "${FIRST[$f]}" | grep -qE "${STYLE["EFE Spanish 'Kabul, 19 abr (EFE).-'"]}" && es=$((es + 1)); done
need "Spanish dispatches" "$es" 12
for dl in 'Bogotá, 19 abr (EFE).-' 'Madrid, 3 ene (EFE).-' 'Ciudad de México, ' 'São Paulo, ' 'Düsseldorf (dpa) - '; do
	n=$(count_matching -F -- "$dl"); need "dateline text '$dl'" "$n" 1
done
n=0; for f in "${TXT[@]}"; do printf '%s\n' "${FIRST[$f]}" | grep -qE '^[^ ,/]+/[^ ,/]+, ' && n=$((n + 1)); done
need "two-place datelines ('Islamabad/Kabul, ...')" "$n" 1

echo "== required items"
paks=$(files_matching -F "Pakistan's army")
exact "files with \"Pakistan's army\" (straight apostrophe)" "$(printf '%s' "$paks" | grep -c .)" 1
[ "$(printf '%s' "$paks" | grep -c .)" -eq 1 ] && { echo "      $paks"
	n=$(cat_any "$paks" | sed "s/Pakistan's army//g" | grep -c 'Pakistan')
	need "  other mentions of Pakistan in it" "$n" 1; }
pron=$(files_matching -wE 'us|Us')
exact "files with the pronoun 'us'" "$(printf '%s' "$pron" | grep -c .)" 1
[ -n "$pron" ] && printf '      %s\n' $pron
if [ "$(printf '%s' "$pron" | grep -c .)" -eq 1 ]; then
	n=$(cat_any "$pron" | grep -cwE 'US|U\.S\.?')
	exact "  acronym US/U.S. in the pronoun file" "$n" 0
	n=$(cat_any "$pron" | grep -ci 'beekeepers')
	need "  distinctive word 'beekeepers' in it" "$n" 1
	n=$(count_matching -i 'beekeeper')
	exact "  files with 'beekeeper' anywhere" "$n" 1
fi
n=$(count_matching -wE 'US'); need "files with the acronym US" "$n" 3
n=$(count_matching -F 'U.S.'); need "files with U.S." "$n" 3
n=0; for f in "${ALL[@]}"; do n=$((n + $(cat_any "$f" | grep -o 'Durand Line' | wc -l))); done
exact "occurrences of 'Durand Line' (the seed must stay the best match)" "$n" 1
n=$(count_matching -E '^Headline: .*Durand'); exact "headlines with 'Durand'" "$n" 0
n=$(count_matching -F 'Tehreek-e-Taliban Pakistan (TTP)'); need "'Tehreek-e-Taliban Pakistan (TTP)'" "$n" 2
for p in 'Muttaqī' 'Bogotá' 'Düsseldorf' 'São Paulo' 'Erdoğan' 'Gdańsk' 'Perú' 'ñ' \
	"Pakistan’s army" "the Taliban’s government" "the Taliban's government" \
	'U.N.' 'NATO' 'OPEC' 'IMF' 'T.T.P.' 'Al-Shabaab' 'Jaish-e-Mohammed' \
	'Guinea-Bissau' 'COVID-19' '84,000' '1,250,000' '2,640-kilometer' '84.000' \
	'3.5' '3,5 %' 'EE.UU.' '—' '“'; do
	n=$(count_matching -F -- "$p"); need "'$p'" "$n" 1
done
for w in UN EU TTP; do n=$(count_matching -w -- "$w"); need "'$w' (word)" "$n" 1; done
n=$(count_matching -E '^Byline: '); need "Byline headers" "$n" 1
n=$(count_matching -F 'Slugline: US-TRADE-DEFICIT/'); need "Slugline 'US-TRADE-DEFICIT/'" "$n" 1
for a in EFE Reuters AP AFP dpa Xinhua; do
	n=0; for f in "${TXT[@]}"; do [ "$(hval "$f" Agency)" = "$a" ] && [[ "$(hval "$f" Urgency)" =~ ^[123]$ ]] && n=$((n + 1)); done
	need "$a dispatches with Urgency 1-3" "$n" 1
done
for y in 2023 2024 2025; do
	n=$(printf '%s\n' "${TXT[@]}" | grep -c -- "-$y-"); need "dispatches dated $y (by name)" "$n" 5
done

echo "== versions/"
declare -A VERS
for f in versions/*; do id=$(hval "$f" ID); VERS[$id]+="$(hval "$f" Version):$(hval "$f" Date):$(hval "$f" Status) "; done
three=0; two=0; killed=0
for id in "${!VERS[@]}"; do
	v=$(printf '%s\n' ${VERS[$id]} | sort -n)
	nums=$(printf '%s\n' "$v" | cut -d: -f1 | tr '\n' ' ')
	dates=$(printf '%s\n' "$v" | cut -d: -f2- | sed 's/:[a-z]*$//')
	sorted=$(printf '%s\n' "$dates" | sort)
	[ "$dates" = "$sorted" ] || bad "  $id: dates do not increase with the version"
	echo "      $id: versions $nums"
	case "$nums" in "1 2 3 ") three=$((three + 1)) ;; "1 2 ") two=$((two + 1)) ;; esac
	if printf '%s\n' "$v" | grep -q ':canceled$' && printf '%s\n' "$v" | grep -q ':usable$'; then killed=$((killed + 1)); fi
done
need "stories with versions 1, 2, 3" "$three" 1
need "stories with versions 1, 2" "$two" 2
need "canceled stories with an earlier usable version" "$killed" 1

echo "== other formats"
if command -v python3 >/dev/null; then
	n=$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1], encoding="utf-8") if json.loads(l)))' jsonl/wire-2025-04.jsonl 2>/dev/null || echo 0)
	exact "jsonl/wire-2025-04.jsonl valid JSON lines" "$n" 8
else
	n=$(grep -c '^{' jsonl/wire-2025-04.jsonl); exact "jsonl/wire-2025-04.jsonl lines" "$n" 8
fi
n=$(grep -c '"pubstatus": "canceled"' jsonl/wire-2025-04.jsonl); need "  canceled objects" "$n" 1
n=$(grep -c '"body_html"' jsonl/wire-2025-04.jsonl); need "  objects with body_html" "$n" 1
n=$(grep -o '"uri": "[^"]*"' jsonl/wire-2025-04.jsonl | sort | uniq -d | wc -l); need "  stories with two versions" "$n" 1
n=$(gzip -cd jsonl/wire-2024-11.jsonl.gz 2>/dev/null | grep -c '^{'); need "jsonl/wire-2024-11.jsonl.gz lines" "$n" 1
n=$(ls newsml/*.xml 2>/dev/null | wc -l); exact "newsml/ files" "$n" 3
n=$(grep -l '<newsMessage' newsml/*.xml | wc -l); exact "  newsMessage files" "$n" 1
n=$(grep -c '<newsItem' newsml/newsmessage-*.xml); exact "  newsItems in the newsMessage" "$n" 2
if command -v xmllint >/dev/null; then
	n=0; for f in newsml/*.xml; do xmllint --noout "$f" 2>/dev/null || n=$((n + 1)); done
	exact "  malformed XML files" "$n" 0
fi
n=$(grep -c '<REUTERS ' sgml/wire-sample.sgm); exact "sgml/wire-sample.sgm records" "$n" 5
n=$(grep -c 'TYPE="BRIEF"' sgml/wire-sample.sgm); exact "  BRIEF records" "$n" 1

echo
if [ "$fail" -eq 0 ]; then echo "corpus OK"; else echo "corpus check FAILED"; fi
exit "$fail"
