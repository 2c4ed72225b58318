#!/usr/bin/env bash
# bench/run.sh - `make bench`: wiresearch against SQLite FTS5, Xapian Omega
# (scriptindex, quest, the omega CGI, python3-xapian) and Groonga on the
# Reuters-21578 dispatches, at 1x and 10x.  See docs/PERFORMANCE.md and the
# knobs at the top of bench/bench.py (BENCH_DIR, default /tmp/wire-bench).
#
# Expects `make all` and `tools/deps.sh bench` to have run (make bench does
# both).  Builds bench/wire-bench-queries.c (the in-process loop) into
# BENCH_DIR against build/lib*.a, then runs bench/bench.py.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BENCH_DIR:-/tmp/wire-bench}
mkdir -p "$B"
for f in build/wire-index build/wire-search build/libsearcher.a; do
	[ -e "$f" ] || { echo "bench: $f missing: run make first" >&2; exit 2; }
done
pkgs=(xapian-core libutf8proc zlib jansson libxml-2.0)
read -ra cflags <<<"$(pkg-config --cflags "${pkgs[@]}")"
read -ra libs <<<"$(pkg-config --libs "${pkgs[@]}")"
${CC:-cc} -std=c11 -O2 -g -D_GNU_SOURCE -Icommon -Isearcher "${cflags[@]}" \
	-Wall -Wextra -o "$B/wire-bench-queries" bench/wire-bench-queries.c \
	build/libsearcher.a build/libindexer.a build/libwire.a \
	"${libs[@]}" -lstdc++ -lm -lpthread
BENCH_DIR=$B /usr/bin/python3 bench/bench.py
# The CGI under load (issue: a wrk run at 8 and 32 connections while the
# index is updated), bounded in time, on loopback only.
echo
echo "== wire-search.cgi behind lighttpd, wrk on 127.0.0.1 (bench/cgi-load.sh)"
bench/cgi-load.sh build "${CGI_LOAD_SECONDS:-10}"
