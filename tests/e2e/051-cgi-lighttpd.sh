#!/usr/bin/env bash
# 051-cgi-lighttpd.sh - wire-search.cgi behind a real web server (lighttpd
# with mod_cgi on a free loopback port), spoken to with curl, then looked
# at with headless Chromium: the rendered page, its console, a screenshot
# (tests/out/cgi-durand-line.png).  The server is stopped by its pid.
. "$(dirname "$0")/../lib.sh"

if ! command -v lighttpd >/dev/null; then
	skip "lighttpd: not installed (tools/deps.sh check)"
	exit 0
fi
if ! command -v curl >/dev/null; then
	skip "curl: not installed (tools/deps.sh check)"
	exit 0
fi

seed=
if have_shared_corpus && [ -d "$WIRE_SHARED/corpus/seed" ]; then
	seed=$WIRE_SHARED/corpus/seed
fi
wire-index --db "$T/db" "$WIRE_TOP/corpus" $seed >"$T/index.log" 2>&1
if [ -d "$T/db" ]; then ok "index built"; else not_ok "index built" "$(tail -5 "$T/index.log")"; fi

# A free port on the loopback, chosen by the kernel.
port=$(free_port)

mkdir -p "$T/www"
cp "$(command -v wire-search.cgi)" "$T/www/search.cgi"
cat >"$T/lighttpd.conf" <<EOF
server.modules = ("mod_cgi", "mod_setenv")
server.bind = "127.0.0.1"
server.port = $port
server.document-root = "$T/www"
server.pid-file = "$T/lighttpd.pid"
server.errorlog = "$T/lighttpd.error.log"
server.max-request-size = 8192
server.max-request-field-size = 32768
setenv.add-environment = (
	"WIRE_DB" => "$T/db",
	"WIRE_SYNONYMS" => "$WIRE_SYNONYMS",
	"ASAN_OPTIONS" => "${ASAN_OPTIONS:-}",
	"UBSAN_OPTIONS" => "${UBSAN_OPTIONS:-}"
)
cgi.assign = (".cgi" => "")
EOF
# server.max-request-size is in KB: 8 MB, so a 5 MB body reaches the CGI,
# which must refuse it itself; a 32 KB request line lets the CGI judge
# long query strings (lighttpd's own limit is 8 KB of headers: 431).

start_lighttpd || exit 0
base=http://127.0.0.1:$port/search.cgi

# get NAME CURL-ARGS...: $T/NAME.{head,body}, $st the HTTP status.
get() {
	local name=$1; shift
	st=$(curl -s --max-time 10 -D "$T/$name.head" -o "$T/$name.body" -w '%{http_code}' "$@")
	tr -d '\r' <"$T/$name.head" >"$T/$name.h" && mv "$T/$name.h" "$T/$name.head"
	body=$(tr -d '\0' <"$T/$name.body")
}
header() { sed -n "s/^$2: //Ip" "$T/$1.head" | tail -1; }

# ---------------------------------------------------------------------------
get page "$base?q=Durand+Line"
expect_eq "search page: 200" 200 "$st"
expect_eq "search page: content type" "text/html; charset=utf-8" "$(header page Content-Type)"
expect_contains "search page: marked matches" "$body" '<mark>Durand'
expect_contains "search page: CSP without script" "$(header page Content-Security-Policy)" "default-src 'none'"
expect_eq "search page: nosniff" nosniff "$(header page X-Content-Type-Options)"

get json "$base?q=Durand+Line&format=json"
expect_eq "json: 200" 200 "$st"
expect_eq "json: content type" "application/json; charset=utf-8" "$(header json Content-Type)"
expect_contains "json: hits" "$body" '"hits":[{"id":'
if [ -n "$seed" ]; then
	expect_contains "json: the seed dispatch first" "$body" '"hits":[{"id":"efe-2025-04-19-pakistan-afghanistan"'
else
	skip "json: the seed dispatch first: no shared corpus"
fi

get gz "$base?q=Durand+Line" -H 'Accept-Encoding: gzip'
expect_eq "gzip: Content-Encoding" gzip "$(header gz Content-Encoding)"
if gzip -dc "$T/gz.body" 2>/dev/null | cmp -s - "$T/page.body"; then ok "gzip: same page"; else not_ok "gzip: same page"; fi
get gzc "$base?q=Durand+Line" --compressed
expect_contains "gzip: curl --compressed reads it" "$body" '<mark>Durand'

etag=$(header page ETag)
get c304 "$base?q=Durand+Line" -H "If-None-Match: $etag"
expect_eq "304 on a matching ETag" 304 "$st"
if [ -s "$T/c304.body" ]; then not_ok "304: no body"; else ok "304: no body"; fi

get head "$base?q=Durand+Line" -I
expect_eq "HEAD: 200" 200 "$st"
# curl -I writes the headers where the body would go: only headers there.
expect_not_contains "HEAD: no body" "$body" '<!DOCTYPE'
expect_eq "HEAD: Content-Length of the GET" "$(header page Content-Length)" "$(header head Content-Length)"

get post "$base" --data 'q=Durand+Line&format=json'
expect_eq "POST form: 200" 200 "$st"
expect_contains "POST form: searched" "$body" '"query":"Durand Line"'

head -c 5242880 /dev/zero | tr '\0' 'a' >"$T/5mb"
get big "$base" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "@$T/5mb"
expect_eq "5 MB POST: the CGI answers 413" 413 "$st"
expect_contains "5 MB POST: our page, not the server's" "$body" 'The form is too large'

get put "$base?q=x" -X PUT
expect_eq "PUT: 405" 405 "$st"
expect_eq "PUT: Allow" "GET, HEAD, POST" "$(header put Allow)"
get del "$base?q=x" -X DELETE
expect_eq "DELETE: 405" 405 "$st"

long=$(printf 'a%.0s' $(seq 1 8200))
get l414 "$base?q=$long"
expect_eq "query string over 8 KB: 414" 414 "$st"

get missing "$base?q=x" -H 'Host: example'
expect_eq "a Host header changes nothing" 200 "$st"

# ---------------------------------------------------------------------------
# CR/LF injection in every parameter: never a header of theirs.
bad=()
for param in q page per_page sort agency place lang from to versions format id zz; do
	for inj in '%0d%0aSet-Cookie:%20evil=1' '%0aSet-Cookie:%20evil=1' '%0d%0a%0d%0a<script>alert(1)</script>' \
		'x%0d%0aLocation:%20http://evil.example/' '%E5%98%8A%E5%98%8DSet-Cookie:%20evil=1'; do
		resp=$(curl -si --max-time 10 "$base?$param=$inj")
		code=$(printf '%s' "$resp" | head -1 | awk '{print $2}')
		if printf '%s' "$resp" | tr -d '\r' | sed '/^$/q' | grep -qiE '^(Set-Cookie|Location|X-Injected):'; then
			bad+=("header injected with $param=$inj")
		fi
		case $code in 200 | 400 | 404) ;; *) bad+=("status '$code' for $param=$inj") ;; esac
	done
done
expect_none "CR/LF injection in 13 parameters: no header injected" \
	"CR/LF injection" "${bad[@]:0:5}"

# ---------------------------------------------------------------------------
# More probes: never a 500, never a hang, never raw markup back.
probes=(
	'q=%3Cscript%3Ealert(1)%3C/script%3E' 'q=%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E'
	"q=%27%20onmouseover=%27alert(1)" 'q=%3C/title%3E%3Cscript%3E' 'q=javascript:alert(1)'
	'q=%2BADw-script%2BAD4-' 'q=%C0%BCscript%C0%BE' 'q=%00' 'q=%zz' 'q=%4' 'q=%' 'q=%%'
	'q=%FF' 'q=%ED%A0%80' 'q=%F4%90%80%80' 'q=(((((((((((((((((((((((((((((((((((((x'
	'q=)))))))' 'q=%22%22%22' 'q=%E2%80%9C' 'q=AND' 'q=OR%20OR%20OR' 'q=NOT' 'q=-' 'q=*'
	'q=a*' 'q=NEAR/99999999999%20x' 'q=x%20NEAR/0%20y' 'q=date:9999-99-99' 'q=date:..'
	'q=date:2025-02-30' 'q=agency:' 'q=id:' 'q=lang:xx' 'q=headline:' 'q=urgency:99999999999'
	'q=%F0%9F%98%80' 'q=%E2%80%A8' 'q=%EF%BB%BF' 'q=+++' 'q=&&&' 'q=%26%26' 'q==' 'q=%3D%3D'
	'page=0' 'page=-1' 'page=1e9' 'page=18446744073709551616' 'page=abc' 'page=%20' 'page=1.5'
	'page=0x10' 'page=2147483648' 'page=1000' 'per_page=0' 'per_page=101' 'per_page=-5'
	'per_page=100&page=11' 'per_page=1&page=1000' 'sort=x' 'sort=-date' 'sort=date'
	'sort=%3Cx%3E' 'versions=x' 'versions=all' 'format=x' 'format=json&format=xml'
	'format=%3Cscript%3E' 'agency=%22' 'agency=%E2%80%9D' 'agency=EFE' 'agency=x%5C'
	'place=Kabul' 'place=%22)%20OR%20(x' 'lang=es' 'lang=1' 'lang=%3Cx%3E' 'from=2025-01-01'
	'from=2025-13-01' 'to=2025-02-29' 'to=0000-01-01' 'from=2025-05-01&to=2025-04-01'
	'id=x' 'id=%22' 'id=efe-2025-04-19-pakistan-afghanistan' 'id=../../etc/passwd'
	'db=/etc&q=x' 'WIRE_DB=/etc&q=x' 'q[]=x' 'q=x&q=y' '=x' '&' '%3D' 'q' 'a=b=c'
	'q=x;page=0' 'q=x#frag' 'q=%0d%0a' 'q=%09' 'q=%7F' 'q=%C2%A0' 'q=%E3%80%80'
)
bad=()
n=0
for pr in "${probes[@]}"; do
	for fmt in "" "&format=json"; do
		get probe "$base?$pr$fmt"
		n=$((n + 1))
		case $st in 200 | 400 | 404) ;; *) bad+=("status '$st' for $pr$fmt") ;; esac
		if grep -qiE '<script|<img|<iframe|<svg onload' "$T/probe.body"; then
			bad+=("markup back for $pr$fmt")
		fi
	done
done
expect_none "$n probes: only 200/400/404, no markup back, no hang" \
	"$n probes" "${bad[@]:0:8}"
[ "$n" -ge 100 ] && ok "at least 100 probes ($n)" || not_ok "at least 100 probes ($n)"
if grep -q 'ERROR' "$T/lighttpd.error.log" 2>/dev/null && grep -E 'AddressSanitizer|runtime error' "$T/lighttpd.error.log" >/dev/null; then
	not_ok "no sanitizer report in the server log" "$(grep -E 'AddressSanitizer|runtime error' "$T/lighttpd.error.log" | head -3)"
else
	ok "no sanitizer report in the server log"
fi

# ---------------------------------------------------------------------------
# Headless Chromium: the DOM, the console, a screenshot.
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$chrome" ]; then
	skip "chromium: not installed (tools/deps.sh check)"
	exit 0
fi
chrome_run() {
	timeout 60 "$chrome" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$T/chrome" --enable-logging=stderr --v=0 "$@"
}
chrome_run --dump-dom "$base?q=Durand+Line" >"$T/dom.html" 2>"$T/chrome.log"
dom=$(cat "$T/dom.html")
expect_contains "chromium: results rendered" "$dom" '<li class="hit">'
expect_contains "chromium: <mark> present" "$dom" '<mark>Durand'
expect_contains "chromium: facets present" "$dom" '<aside class="facets"'
expect_contains "chromium: svg chart present" "$dom" '<svg class="chart"'
if grep -E 'Uncaught|Refused to|ERROR:CONSOLE' "$T/chrome.log" >"$T/console.log"; then
	not_ok "chromium: no console errors or CSP violations" "$(head -5 "$T/console.log")"
else
	ok "chromium: no console errors or CSP violations"
fi
if [ -n "$seed" ]; then
	chrome_run --dump-dom "$base?id=efe-2025-04-19-pakistan-afghanistan&q=Durand+Line" >"$T/story.html" 2>"$T/chrome2.log"
	expect_contains "chromium: full dispatch with the match marked" "$(cat "$T/story.html")" '<mark>Durand Line</mark>'
	if grep -qE 'Uncaught|Refused to|ERROR:CONSOLE' "$T/chrome2.log"; then
		not_ok "chromium: full dispatch, clean console" "$(grep -E 'Uncaught|Refused to|ERROR:CONSOLE' "$T/chrome2.log" | head -3)"
	else
		ok "chromium: full dispatch, clean console"
	fi
fi
mkdir -p "$WIRE_TOP/tests/out"
rm -f "$WIRE_TOP/tests/out/cgi-durand-line.png"
chrome_run --screenshot="$WIRE_TOP/tests/out/cgi-durand-line.png" --window-size=1280,1600 \
	"$base?q=Durand+Line" >/dev/null 2>"$T/chrome3.log"
if [ -s "$WIRE_TOP/tests/out/cgi-durand-line.png" ]; then
	ok "chromium: screenshot tests/out/cgi-durand-line.png"
else
	not_ok "chromium: screenshot" "$(tail -3 "$T/chrome3.log")"
fi
chrome_run --screenshot="$WIRE_TOP/tests/out/cgi-durand-line-phone.png" --window-size=390,1400 \
	"$base?q=Durand+Line" >/dev/null 2>&1
[ -s "$WIRE_TOP/tests/out/cgi-durand-line-phone.png" ] && ok "chromium: phone-width screenshot" ||
	not_ok "chromium: phone-width screenshot"
