#!/usr/bin/env bash
# tools/lint.sh - the project's own rules, checked (make lint; make check
# runs it too through tests/e2e/005-lint.sh).
#   - only common/xap.cc includes xapian.h, and it is the only C++ file;
#   - every extern "C" function of xap.cc catches everything;
#   - library code (common/, and indexer/ and searcher/ outside the program
#     mains) never prints to the terminal or exits;
#   - no banned string functions (strcpy, strcat, sprintf, vsprintf, gets);
#   - allocation goes through common/alloc.h.
set -u
cd "$(dirname "$0")/.."
fail=0
bad() { echo "lint: $*"; fail=1; }

for f in $(git ls-files '*.c' '*.h' '*.cc' '*.cpp' 2>/dev/null || find common indexer searcher -name '*.[ch]*'); do
	case $f in
	common/xap.cc) ;;
	*.cc|*.cpp) bad "$f: C++ outside common/xap.cc" ;;
	esac
	if [ "$f" != common/xap.cc ] && grep -q '#include <xapian' "$f"; then
		bad "$f: includes xapian.h (only common/xap.cc may)"
	fi
	case $f in tests/*|corpus/*|bench/*) continue ;; esac
	grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets)\s*\(' "$f" | grep -v '^\s*//' | while read -r l; do
		echo "lint: $f:$l: banned function (use snprintf, memcpy with lengths, strbuf)"
	done | grep . && fail=1
	case $f in
	indexer/main.c|searcher/cli.c|searcher/cgi.c|searcher/synonyms_compile.c|corpus/*) ;;
	common/*|indexer/*|searcher/*)
		grep -nE '\b(printf|puts|exit|_exit|abort)\s*\(|\bf?printf\s*\(\s*std(out|err)' "$f" | grep -vE '^\s*[0-9]+:\s*(\*|/\*)' |
			grep -v 'snprintf\|vsnprintf\|lint-ok' | while read -r l; do
			echo "lint: $f:$l: library code prints or exits"
		done | grep . && fail=1
		if [ "$f" != common/alloc.c ] && [ "$f" != common/xap.cc ]; then
			grep -nE '(^|[^_a-z])(malloc|calloc|realloc|strdup|strndup)\s*\(' "$f" | while read -r l; do
				echo "lint: $f:$l: allocate with wire_malloc & co (common/alloc.h)"
			done | grep . && fail=1
		fi
		;;
	esac
done

# Every exported binding catches everything: count extern "C" definitions
# against try blocks that end in catch (...).
defs=$(grep -cE '^(xap_status|xap_[a-z_]+ \*|const char \*|void|int|size_t|uint32_t|xap_docid) xap_[a-z_]+\(' common/xap.cc)
catches=$(grep -c 'catch (\.\.\.)' common/xap.cc)
if [ "$catches" -lt $((defs - 8)) ]; then
	bad "common/xap.cc: $defs exported functions but only $catches catch (...) blocks"
fi
[ $fail -eq 0 ] && echo "lint: ok ($defs binding entry points, $catches catch-all handlers)"
exit $fail
