#!/usr/bin/env bash
# 036-synonyms: the shipped acronym table (compiled into wire-search at
# build time, used only while common/synonyms.txt is byte for byte the file
# it was compiled from), an edited copy of that file, a user's own file on
# top, and broken files, each named with its line.
. "$(dirname "$0")/../lib.sh"

db=$T/db
wire-index -q --db "$db" "$WIRE_TOP/corpus/efe" "$WIRE_TOP/corpus/ap" "$WIRE_TOP/corpus/reuters"
parsed() { wire-search --db "$db" --explain "$@" | sed -n 's/^parsed: //p'; }
count() { wire-search --db "$db" --count "$@"; }

# The shipped table: TTP expands to its name, and the name back to TTP.
shipped=$WIRE_TOP/common/synonyms.txt
expect_contains "TTP expands (shipped table)" "$(parsed TTP)" "PHRASE(tehreek e taliban pakistan)"
expect_contains "the name leads back to TTP" "$(parsed '"Tehreek-e-Taliban Pakistan"')" "WORD(ttp)"

# A copy edited in place, same length: the compiled table must not be used.
cp "$shipped" "$T/same-length.txt"
sed -i 's/^TTP = Tehreek-e-Taliban Pakistan/TTP = Tehreek-e-Taliban Pakistax/' "$T/same-length.txt"
expect_eq "the edit kept the length" "$(wc -c <"$shipped")" "$(wc -c <"$T/same-length.txt")"
out=$(WIRE_SYNONYMS=$T/same-length.txt parsed TTP)
expect_contains "an edited file is read, not the compiled table" "$out" "PHRASE(tehreek e taliban pakistax)"
expect_not_contains "the old expansion is gone" "$out" "PHRASE(tehreek e taliban pakistan)"

# A copy with a line added: the new key works.
{ cat "$shipped"; echo "DURAND = Durand Line"; } >"$T/longer.txt"
expect_contains "a key added to the file expands" \
	"$(WIRE_SYNONYMS=$T/longer.txt parsed DURAND)" "PHRASE(durand line)"
expect_eq "without it, DURAND is a word" "WORD(durand)" "$(parsed DURAND)"

# A user's file on top of the shipped table.
printf 'TTP = Pakistani Taliban\nKPK = Khyber Pakhtunkhwa\n' >"$T/mine.txt"
out=$(wire-search --db "$db" --explain --synonyms "$T/mine.txt" TTP | sed -n 's/^parsed: //p')
expect_contains "--synonyms adds expansions to a shipped key" "$out" "PHRASE(pakistani taliban)"
expect_contains "... and keeps the shipped ones" "$out" "PHRASE(tehreek e taliban pakistan)"
expect_contains "--synonyms adds keys" \
	"$(wire-search --db "$db" --explain --synonyms "$T/mine.txt" KPK)" "PHRASE(khyber pakhtunkhwa)"

# Broken files: the error names the file and line.
printf 'TTP = Pakistani Taliban\nno equals sign here\n' >"$T/broken.txt"
expect_status "a broken --synonyms file is an error" 2 wire-search --db "$db" --synonyms "$T/broken.txt" TTP
expect_contains "... naming file and line" \
	"$(wire-search --db "$db" --synonyms "$T/broken.txt" TTP 2>&1)" "broken.txt:2: expected"
err=$(WIRE_SYNONYMS=$T/broken.txt wire-search --db "$db" --count TTP 2>&1 >/dev/null)
expect_contains "a broken shipped file is reported with its line" "$err" "broken.txt:2: expected"
expect_contains "... and the search goes on without synonyms" "$err" "(synonyms not used)"
expect_eq "... finding what TTP alone finds" \
	"$(WIRE_SYNONYMS=/dev/null count TTP)" "$(WIRE_SYNONYMS=$T/broken.txt count TTP 2>/dev/null)"

# The build step itself: what it wrote into the build is what it writes
# for the shipped file now; its errors name the file and line, and a
# failed run leaves no file behind.
expect_status "synonyms-compile without arguments: usage, exit 1" 1 synonyms-compile
synonyms-compile "$shipped" synonyms_default_compiled "$T/default.c"
expect_eq "synonyms-compile writes what the build compiled" \
	"$(sed 1d "$WIRE_BUILD/searcher/synonyms_default.c")" "$(sed 1d "$T/default.c")"
err=$(synonyms-compile "$T/broken.txt" t "$T/broken.c" 2>&1)
expect_contains "synonyms-compile names the broken line" "$err" "broken.txt:2: expected"
expect_eq "... and writes nothing" "no" "$([ -e "$T/broken.c" ] && echo yes || echo no)"
err=$(synonyms-compile "$shipped" t "$T/no/such/dir/out.c" 2>&1)
expect_contains "synonyms-compile: an output it cannot create is named" "$err" "$T/no/such/dir/out.c.tmp"
expect_status "... exit 1" 1 synonyms-compile "$shipped" t "$T/no/such/dir/out.c"
