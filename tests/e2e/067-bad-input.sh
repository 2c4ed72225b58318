#!/usr/bin/env bash
# 067-bad-input: hostile and broken input files (RELIABILITY.md T13).  The
# fixtures are written here into $T/bad; each has an expected outcome:
#   indexed   - the dispatch is searchable by its words;
#   repaired  - indexed, the damage replaced (invalid UTF-8 -> U+FFFD,
#               control characters removed, an invalid date reported);
#   skipped   - not indexed, reported as "FILE:LINE: reason";
#   failed    - the file ends in an error, reported as "FILE[:LINE]: reason".
# All of them go through one wire-index run (--batch 3, so duplicates fall
# within and across batches): it must exit 3 (some input skipped), index
# the good file of the same run, pass xapian-check, and stay under 256 MB
# of peak memory (/usr/bin/time -f %M); the gzip bomb (1 GB of zeros), the
# 100 MB line and the 10 MB body are also measured alone.
. "$(dirname "$0")/../lib.sh"
. "$WIRE_TOP/tests/reliability/common.sh"

max_kb=$((256 * 1024))
# AddressSanitizer's shadow memory and quarantine inflate the peak: the
# bound then only catches runaway growth.
sanitized && max_kb=$((1024 * 1024))
b=$T/bad
mkdir -p "$b"
cd "$b" || exit 1
if [ ! -x /usr/bin/time ]; then
	skip "067: /usr/bin/time is missing (Debian package time, in tools/deps.sh check)"
	exit 0
fi

hdr() { printf 'ID: %s\nDate: 2024-03-01T10:00:00Z\nAgency: Reuters\nHeadline: %s\n\n' "$1" "$2"; }
body() { printf 'LONDON, March 1 (Reuters) - %s\n' "$1"; }

# name ~ outcome ~ message (ERE after "wire-index: ", empty: none) ~ words found ~ words not found
fixtures=()
fx() { fixtures+=("$1~$2~$3~$4~$5"); }

{ hdr bad-overlong "overlong"; body $'overlongword before \xc0\xaf after overlongtail.'; } >utf8-overlong.txt
fx utf8-overlong.txt repaired "" "overlongword overlongtail" ""
{ hdr bad-surrogate "surrogate"; body $'surrogateword \xed\xa0\x80 surrogatetail.'; } >utf8-surrogate.txt
fx utf8-surrogate.txt repaired "" "surrogateword surrogatetail" ""
{ hdr bad-trunc4 "truncated sequence"; body $'truncword \xf0\x9f\x98 trunctail.'; } >utf8-truncated4.txt
fx utf8-truncated4.txt repaired "" "truncword trunctail" ""
{ hdr bad-trunc4end "truncated at the end"; printf 'LONDON - truncendword\xf0\x9f'; } >utf8-truncated-end.txt
fx utf8-truncated-end.txt repaired "" "truncendword" ""
{ hdr bad-lone "lone continuation"; body $'loneword \x80\xbf lonetail.'; } >utf8-lone.txt
fx utf8-lone.txt repaired "" "loneword lonetail" ""
{ hdr bad-nul "nul"; printf 'LONDON - nulbefore\0nulafter and more.\n'; } >nul.txt
fx nul.txt indexed "" "nulbefore nulafter" ""
{ hdr bad-ctl "controls"; body $'\x01\x02ctlone \x03\x1f ctltwo\x1b[31m ctlthree\x7f end.'; } >controls.txt
fx controls.txt repaired "" "ctlone ctltwo ctlthree" ""
: >empty.txt
fx empty.txt skipped "[^ ]*empty\.txt:1: .+" "" ""
printf '  \n\t\n   \n' >blank.txt
fx blank.txt skipped "[^ ]*blank\.txt:1: .+" "" ""
: >empty.txt.gz
fx empty.txt.gz skipped "[^ ]*empty\.txt\.gz:1: .+" "" ""
{ hdr bad-trgz "truncated gzip"; for i in $(seq 1 3000); do printf 'truncgzword line %d of filler text.\n' "$i"; done; } | gzip -9 >"$T/full.gz"
head -c -100 "$T/full.gz" >truncated.txt.gz
fx truncated.txt.gz failed "[^ ]*truncated\.txt\.gz(:[0-9]+)?: .*(truncated|unexpected end).*" "" "truncgzword"
{ hdr bad-plaingz "plain text named .gz"; body "plaingzword here."; } >plain.txt.gz
fx plain.txt.gz indexed "" "plaingzword" ""
{ { hdr bad-junkgz "junk after gzip"; body "junkgzword here."; } | gzip; printf 'JUNKJUNKJUNK'; } >junk.txt.gz
fx junk.txt.gz indexed "" "junkgzword" ""
# 1 GB of zeros: 16 gzip members of 64 MB (gzip reads them as one stream).
head -c 64M /dev/zero | gzip -1 >"$T/member.gz"
for i in $(seq 1 16); do cat "$T/member.gz"; done >bomb.txt.gz
fx bomb.txt.gz skipped "[^ ]*bomb\.txt\.gz:1: .+" "" ""
{ printf 'ID: bad-line100\n\n'; head -c 100M /dev/zero | tr '\0' 'a'; } >line100m.txt
fx line100m.txt skipped "[^ ]*line100m\.txt:1: .+" "" ""
{ printf 'ID: bad-body10\nHeadline: ten megabytes\n\n'; yes 'LONDON traders said bodyword prices rose again in heavy trading today and analysts expect more.' | head -c 10M; } >body10m.txt
fx body10m.txt indexed "" "bodyword" ""
id300=$(printf 'x%.0s' $(seq 1 300))
{ hdr "$id300" "a 300-byte id"; body "longidword here."; } >id300.txt
fx id300.txt indexed "" "longidword" ""
printf 'ID: bad-date\nDate: 2025-02-30T10:00:00Z\nHeadline: impossible date\n\nLONDON - baddateword here.\n' >date.txt
fx date.txt repaired "[^ ]*date\.txt:2: .*date.*" "baddateword" ""
printf 'ID: bad-date0\nDate: 0000-00-00\nHeadline: year zero\n\nLONDON - yearzeroword here.\n' >date0.txt
fx date0.txt repaired "[^ ]*date0\.txt:2: .*date.*" "yearzeroword" ""
printf 'ID: bad-date9\nDate: 9999-12-31T23:59:59Z\nHeadline: year 9999\n\nLONDON - yearninesword here.\n' >date9999.txt
fx date9999.txt indexed "" "yearninesword" ""
{ hdr bad-dupfile "first copy"; body "dupfileone here."; } >dup-a.txt
{ hdr bad-dupfile "second copy"; body "dupfiletwo here."; } >dup-b.txt
fx dup-b.txt indexed "" "dupfiletwo" "dupfileone"
# JSON Lines: missing id, duplicate ids in and across batches (of 3),
# impossible date, escaped controls, a line that is no JSON.
cat >lines.jsonl <<'EOF'
{"uri": "j-1", "headline": "first", "body_text": "jsononeword here"}
{"headline": "no id", "body_text": "noidword here"}
{"uri": "j-1", "headline": "dup in batch", "body_text": "jsondupword here"}
{"uri": "j-2", "versioncreated": "2025-13-45T99:00:00Z", "headline": "bad date", "body_text": "jsonbaddateword here"}
{"uri": "j-3", "headline": "ctl", "body_text": "jsonctlword \u0001\u0002 here \u0000 nulescapeword"}
not json at all
{"uri": "j-4", "headline": "ok", "body_text": "jsonfourword here"}
{"uri": "j-1", "headline": "dup across batches", "body_text": "jsonlastword here"}
{"uri": "", "headline": "empty id", "body_text": "emptyidword here"}
EOF
fx lines.jsonl mixed "[^ ]*lines\.jsonl:2: .*id.*" "jsonctlword nulescapeword jsonfourword jsonlastword" "jsononeword noidword jsondupword"
fx lines.jsonl mixed "[^ ]*lines\.jsonl:4: .*(date|versioncreated).*" "" "jsonbaddateword"
fx lines.jsonl mixed "[^ ]*lines\.jsonl:6: .*JSON.*" "" ""
fx lines.jsonl mixed "[^ ]*lines\.jsonl:9: .*id.*" "" "emptyidword"
if [ "$(corpus_kind)" = reuters ]; then
	cat >entities.sgm <<'EOF'
<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="1" NEWID="90001">
<DATE>31-FEB-1987 15:01:01.79&#9;&#9;&#9;F</DATE>
<TOPICS><D>cocoa</D></TOPICS>
<UNKNOWN> 
&#5;&#5;&#5;C T
&#22;&#22;&#1;f0704&#31;reute
u f BC-TEST   02-26 0105</UNKNOWN>
<TEXT>&#2;
<TITLE>SGML ENTITY TEST</TITLE>
<DATELINE>    NEW YORK, Feb 26 - </DATELINE><BODY>sgmlword &#1;&#31;&#127;sgmlctlword &#27;[0m sgmltailword
growth.BADBYTE&#5;&#30;side measures.
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
<REUTERS TOPICS="NO" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="2" NEWID="90002">
<DATE>99-XYZ-0000 99:99:99.99</DATE>
<TEXT>&#2;
<TITLE>IMPOSSIBLE DATE</TITLE>
<BODY>sgmlbaddateword here.
&#3;</BODY></TEXT>
</REUTERS>
<REUTERS TOPICS="NO" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="3">
<DATE>26-FEB-1987 15:01:01.79</DATE>
<TEXT>&#2;
<TITLE>NO NEWID</TITLE>
<BODY>sgmlnoidword here.
&#3;</BODY></TEXT>
</REUTERS>
EOF
	sed -i 's/BADBYTE/\xfc/' entities.sgm
	fx entities.sgm repaired "[^ ]*entities\.sgm:3: .*date.*" "sgmlword sgmlctlword sgmltailword" ""
	fx entities.sgm repaired "[^ ]*entities\.sgm:17: .*date.*" "sgmlbaddateword" ""
	fx entities.sgm skipped "[^ ]*entities\.sgm:2[2-4]: .*NEWID.*" "" "sgmlnoidword"
else
	skip "entity-coded control characters in Reuters SGML (the Reuters reader does not work)"
fi
{ hdr bad-good "the good one"; body "goodword is here."; } >good.txt
fx good.txt indexed "" "goodword" ""

# --- the run ---------------------------------------------------------------
db=$T/db
t0=$(now_ms)
/usr/bin/time -o "$T/time" -f %M wire-index --db "$db" --batch 3 "$b" 2>"$T/err"
rc=$?
ms=$(($(now_ms) - t0))
rss=$(tail -1 "$T/time")
summary=$(grep 'wire-index: read ' "$T/err" | tail -1)
if [ $rc -eq 3 ]; then ok "one run over $(ls "$b" | wc -l) fixtures: exit 3 (input skipped) in $ms ms: ${summary#wire-index: }"; else not_ok "one run over the fixtures exits 3" "exit $rc" "$(head -20 "$T/err")"; fi
if grep -qE 'Abort|Segmentation|terminate called' "$T/err"; then not_ok "no crash" "$(cat "$T/err")"; fi
if [ "${rss:-999999999}" -lt $max_kb ]; then ok "peak memory of the whole run: $((rss / 1024)) MB (< $((max_kb / 1024)) MB)"; else not_ok "peak memory of the whole run under $((max_kb / 1024)) MB" "$rss KB"; fi
if o=$(db_check "$db"); then ok "the index passes xapian-check"; else not_ok "the index passes xapian-check" "$o"; fi

found() { [ "$(wire-search --db "$db" --count "$1" 2>/dev/null)" -ge 1 ] 2>/dev/null; }
sed 's/^wire-index: //' "$T/err" | grep -v '^read [0-9]' >"$T/messages"
for f in "${fixtures[@]}"; do
	IFS="~" read -r name outcome msg want unwanted <<<"$f"
	problems=()
	if [ -n "$msg" ]; then
		grep -qE "^$msg\$" "$T/messages" || problems+=("no message matching: $msg")
	elif grep -q "/${name}:" "$T/messages"; then
		[ "$outcome" = indexed ] || [ "$outcome" = repaired ] && problems+=("unexpected message: $(grep "/${name}:" "$T/messages" | head -2)")
	fi
	for w in $want; do found "$w" || problems+=("'$w' is not searchable"); done
	for w in $unwanted; do found "$w" && problems+=("'$w' should not be in the index"); done
	label="$name: $outcome${msg:+ ($(grep -E "^$msg\$" "$T/messages" | head -1 | sed "s|^$b/||" | cut -c1-100))}"
	expect_none "$label" "$name: $outcome" "${problems[@]}"
done

# Every message is "FILE:LINE: reason", or "FILE: reason" for a whole file.
odd=$(grep -vE "^$b/[^:]+(:[0-9]+)?: .+" "$T/messages")
n_msg=$(wc -l <"$T/messages")
if [ -z "$odd" ]; then ok "all $n_msg messages are FILE:LINE: reason (or FILE: reason for a whole file)"; else not_ok "every message is FILE:LINE: reason" "$odd"; fi
no_line=$(grep -cvE "^$b/[^:]+:[0-9]+: " "$T/messages")

# Repairs are counted; nothing was silently truncated (both sides of a NUL).
rep=$(sed -n 's/.*utf8 repaired \([0-9]*\).*/\1/p' <<<"$summary")
if [ "${rep:-0}" -ge 5 ]; then ok "utf8 repairs are counted ($rep)"; else not_ok "utf8 repairs are counted (at least 5)" "$summary"; fi
# What comes out is clean: valid UTF-8, no control characters but newline.
wire-search --db "$db" --json --limit 100 --default-op or \
	'overlongword surrogateword truncword truncendword loneword nulbefore ctlone jsonctlword sgmlword goodword' >"$T/out.json" 2>/dev/null
hits=$(grep -c '"type": *"hit"' "$T/out.json")
if iconv -f UTF-8 -t UTF-8 "$T/out.json" >/dev/null 2>&1 && ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$T/out.json" &&
	! jq -r 'select(.type=="hit") | .headline, .snippet' "$T/out.json" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]'; then
	ok "the repaired dispatches come out as valid UTF-8 without control characters ($hits hits)"
else
	not_ok "the repaired dispatches come out as valid UTF-8 without control characters" "$(jq -c 'select(.type=="hit") | {id, snippet}' "$T/out.json" | cat -v | head -10)"
fi
id=$(wire-search --db "$db" --json longidword 2>/dev/null | jq -r 'select(.type=="hit") | .id' | head -1)
expect_eq "the 300-byte id is kept whole" 300 "${#id}"
expect_eq "duplicate ids across files: one story" 1 "$(wire-search --db "$db" --count 'id:bad-dupfile' 2>/dev/null)"
expect_eq "duplicate ids within and across batches: one story" 1 "$(wire-search --db "$db" --count 'id:j-1' 2>/dev/null)"

# --- the big ones alone: bounded memory ---------------------------------------
worst=0
for f in bomb.txt.gz line100m.txt body10m.txt; do
	rm -rf "$T/one"
	t0=$(now_ms)
	/usr/bin/time -o "$T/time" -f %M wire-index --db "$T/one" "$b/$f" >/dev/null 2>"$T/one.err"
	rc=$?
	ms=$(($(now_ms) - t0))
	kb=$(tail -1 "$T/time")
	[ "$kb" -gt $worst ] && worst=$kb
	if [ "$kb" -lt $max_kb ] && { [ $rc -eq 0 ] || [ $rc -eq 3 ]; }; then
		ok "$f alone: exit $rc, peak $((kb / 1024)) MB, $ms ms"
	else
		not_ok "$f alone: exit 0 or 3 under $((max_kb / 1024)) MB" "exit $rc, $kb KB" "$(head -3 "$T/one.err")"
	fi
done
if [ "$LONG" = 1 ]; then
	# The same bomb as one endless JSON line.
	for i in $(seq 1 16); do cat "$T/member.gz"; done >"$T/bomb.jsonl.gz"
	rm -rf "$T/one"
	/usr/bin/time -o "$T/time" -f %M wire-index --db "$T/one" "$T/bomb.jsonl.gz" >/dev/null 2>"$T/one.err"
	rc=$?
	kb=$(tail -1 "$T/time")
	if [ "$kb" -lt $max_kb ] && [ $rc -eq 3 ]; then ok "bomb.jsonl.gz (1 GB line): exit 3, peak $((kb / 1024)) MB"; else not_ok "bomb.jsonl.gz: exit 3 under $((max_kb / 1024)) MB" "exit $rc, $kb KB" "$(head -3 "$T/one.err")"; fi
fi
ok "067: ${#fixtures[@]} fixture checks, $n_msg messages ($no_line without a line number), peak memory $((rss / 1024)) MB for the whole run, $((worst / 1024)) MB for the worst file alone"
