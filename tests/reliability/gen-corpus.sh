#!/usr/bin/env bash
# tests/reliability/gen-corpus.sh DIR N [PREFIX [FIRST [PER_FILE]]]
#
# Write N synthetic dispatches with ids PREFIX-NNNNNN (NNNNNN from FIRST,
# default 1) for the reliability tests:
#   PER_FILE 0 (default): plain text, one dispatch per DIR/PREFIX-NNNNNN.txt,
#                         each with an "ID:" header block;
#   PER_FILE K > 0:       JSON Lines (ninjs), K dispatches per file
#                         DIR/PREFIX-part-MMMM.jsonl (MMMM from 1).
# Deterministic: the same arguments give the same bytes.
set -eu
dir=$1 n=$2 prefix=${3:-rel} first=${4:-1} per=${5:-0}
mkdir -p "$dir"
awk -v dir="$dir" -v n="$n" -v prefix="$prefix" -v first="$first" -v per="$per" 'BEGIN {
	split("LONDON NEW-YORK TOKYO PARIS BERLIN MADRID ROME CAIRO LIMA DELHI", city, " ")
	split("wheat oil gold copper coffee sugar cotton rice steel tin", item, " ")
	split("prices exports output shipments reserves stocks demand supply talks tariffs", what, " ")
	split("rose fell steadied climbed slipped jumped eased firmed dropped recovered", verb, " ")
	for (i = first; i < first + n; i++) {
		id = sprintf("%s-%06d", prefix, i)
		c = city[i % 10 + 1]; gsub("-", " ", c)
		it = item[int(i / 10) % 10 + 1]; w = what[int(i / 100) % 10 + 1]; v = verb[i % 7 + 1]
		day = i % 28 + 1; mon = int(i / 28) % 12 + 1
		date = sprintf("2024-%02d-%02dT%02d:%02d:00Z", mon, day, i % 24, i % 60)
		head = sprintf("%s %s %s in %s, dispatch %d", it, w, v, c, i)
		body = sprintf("%s, %s %d (Reuters) - %s %s %s on %s, traders said, marking item%d in the series.", c, "March", day, it, w, v, c, i)
		for (p = 0; p < 3; p++)
			body = body sprintf("\n\nParagraph %d of dispatch %d: analysts in %s said %s %s could move again as %s %s %s, with marker%d and token%d.", p, i, c, it, w, item[(i + p) % 10 + 1], what[(i + 3 * p) % 10 + 1], verb[(i + p) % 10 + 1], i % 97, i % 13)
		if (per > 0) {
			f = sprintf("%s/%s-part-%04d.jsonl", dir, prefix, int((i - first) / per) + 1)
			if (f != last && last != "") close(last)
			last = f
			jb = body; gsub(/\n/, "\\n", jb)
			printf "{\"uri\": \"%s\", \"version\": \"1\", \"firstcreated\": \"%s\", \"versioncreated\": \"%s\", \"headline\": \"%s\", \"body_text\": \"%s\", \"language\": \"en\", \"infosources\": [{\"name\": \"Reuters\"}]}\n", id, date, date, head, jb >> f
		} else {
			f = dir "/" id ".txt"
			printf "ID: %s\nDate: %s\nAgency: Reuters\nHeadline: %s\n\n%s\n", id, date, head, body > f
			close(f)
		}
	}
}'
