#!/usr/bin/env bash
# tools/demo.sh BUILD_DIR - index corpus/ (and the shared seed dispatch when it
# is there) into demo.db, then run a few sample searches.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
db=demo.db
export WIRE_SYNONYMS=$PWD/common/synonyms.txt
inputs=(corpus)
[ -d ../shared/corpus/seed ] && inputs+=(../shared/corpus/seed)

rm -rf "$db"
echo "== wire-index --db $db ${inputs[*]}"
"$build/wire-index" --db "$db" "${inputs[@]}" || [ $? -eq 3 ]
for q in '"Durand Line"' 'TTP' 'agency:EFE'; do
	echo
	echo "== wire-search --db $db --limit 5 $q"
	"$build/wire-search" --db "$db" --limit 5 "$q" || true
done
echo
echo "Try it yourself: $build/wire-search --db $db 'your query'   (see man/wire-search.1)"
