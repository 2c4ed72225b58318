#!/usr/bin/env bash
# tools/deps.sh GROUP - make sure the Debian packages GROUP needs are there.
#
#   build   what `make` and `make demo` need
#   check   build + what `make check` needs (test tools, servers, browser)
#   bench   check + the peers `make bench` measures against
#   coverage  check + gcovr, for `make coverage`
#
# As root, missing packages are installed with apt-get (non-interactively);
# otherwise the one apt-get line needed is printed and the script fails.
set -euo pipefail

build=(gcc g++ make pkg-config libxapian-dev libutf8proc-dev zlib1g-dev
       libjansson-dev libxml2-dev)
check=("${build[@]}" libcmocka-dev xapian-tools clang libclang-rt-14-dev
       strace curl valgrind jq lighttpd tidy chromium time util-linux)
bench=("${check[@]}" sqlite3 wrk xapian-omega groonga-bin python3-xapian time
       linux-perf)

coverage=("${check[@]}" gcovr)

group=${1:-build}
case $group in
coverage) want=("${coverage[@]}") ;;
build) want=("${build[@]}") ;;
check) want=("${check[@]}") ;;
bench) want=("${bench[@]}") ;;
*) echo "deps.sh: unknown group '$group' (build, check, bench)" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "wiresearch needs these Debian packages; as root, run:" >&2
	echo "  apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet: update once, then install.
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
