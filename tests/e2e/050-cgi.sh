#!/usr/bin/env bash
# 050-cgi.sh - wire-search.cgi run directly, the way a web server runs it:
# a clean environment with REQUEST_METHOD, QUERY_STRING, CONTENT_LENGTH and
# the HTTP_* headers, the form body on stdin.  Checks statuses, headers,
# JSON and HTML content, caching (304), gzip, the limits (400, 405, 413,
# 414, 415), the CPU-limit handler, shell-debug mode, and a few hundred
# hostile inputs that must never come back unescaped or as a header.
. "$(dirname "$0")/../lib.sh"

# A copy, so that a rebuild while the test runs cannot pull it away.
cp "$(command -v wire-search.cgi)" "$T/wire-search.cgi"
CGI=$T/wire-search.cgi

# ---------------------------------------------------------------------------
# The index: our corpus, plus the EFE seed dispatch when the shared corpus
# is here.
seed=
if have_shared_corpus && [ -d "$WIRE_SHARED/corpus/seed" ]; then
	seed=$WIRE_SHARED/corpus/seed
fi
wire-index --db "$T/db" "$WIRE_TOP/corpus" $seed >"$T/index.log" 2>&1
if [ -d "$T/db" ]; then ok "index built"; else not_ok "index built" "$(tail -5 "$T/index.log")"; fi

# ---------------------------------------------------------------------------
# Helpers.

# urlencode S: percent-encode every byte but the unreserved ones.
urlencode() {
	local LC_ALL=C s=$1 i c out=
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9._~-]) out+=$c ;;
		*) printf -v c '%%%02X' "'$c"; out+=$c ;;
		esac
	done
	printf '%s' "$out"
}

# split_response FILE PREFIX: PREFIX.head (CR removed) and PREFIX.body.
split_response() {
	local n size
	n=$(grep -n -m1 -a $'^\r$' "$1" | cut -d: -f1)
	if [ -z "$n" ]; then
		tr -d '\r' <"$1" >"$2.head"
		: >"$2.body"
		return
	fi
	size=$(head -n "$n" "$1" | wc -c)
	head -n $((n - 1)) "$1" | tr -d '\r' >"$2.head"
	tail -c +$((size + 1)) "$1" >"$2.body"
}

# cgi NAME [VAR=VALUE...]: run the CGI as a server would (GET, no query
# unless given), stdin from $CGI_STDIN (default /dev/null).  Leaves
# $T/NAME.{out,head,body,err}, the exit status in $rc, the HTTP status in
# $st, the body in $body (text).
cgi() {
	local name=$1; shift
	env -i PATH="$PATH" WIRE_DB="$T/db" WIRE_SYNONYMS="$WIRE_SYNONYMS" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
		GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
		REQUEST_METHOD=GET QUERY_STRING= "$@" \
		"$CGI" <"${CGI_STDIN:-/dev/null}" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	split_response "$T/$name.out" "$T/$name"
	st=$(sed -n 's/^Status: \([0-9]*\).*/\1/p' "$T/$name.head" | head -1)
	body=$(tr -d '\0' <"$T/$name.body")
	# JSON writes < > & as \u escapes: read them back for the checks.
	if [[ $(header "$name" Content-Type) == application/json* ]]; then
		body=$(printf '%s' "$body" | sed -e 's/\\u003c/</g; s/\\u003e/>/g; s/\\u0026/\&/g'"; s/\\\\u0027/'/g")
	fi
}

# jget FILE FILTER: a value of the JSON in FILE (jq syntax; python3 is the
# fallback for the simple .a[0].b paths used here).
jget() {
	if command -v jq >/dev/null; then
		jq -r "$2" "$1"
	else
		python3 - "$1" "$2" <<'PY'
import json, re, sys
v = json.load(open(sys.argv[1]))
for key, idx in re.findall(r'\.(\w+)|\[(\d+)\]', sys.argv[2]):
    v = v[key] if key else v[int(idx)]
print(v)
PY
	fi
}

header() { # NAME HEADER: the value of HEADER in response NAME
	sed -n "s/^$2: //Ip" "$T/$1.head" | head -1
}

# Every header line is one we write: no injected header can exist.
allowed_headers='^(Status|Content-Type|X-Content-Type-Options|Content-Security-Policy|Referrer-Policy|X-Frame-Options|Cache-Control|Vary|ETag|Last-Modified|Content-Encoding|Content-Length|Allow|Retry-After): '
foreign_headers() { grep -Ev "$allowed_headers" "$T/$1.head" || true; }

json_ok() { # FILE: valid JSON (when a JSON tool is here)
	if command -v jq >/dev/null; then jq -e . "$1" >/dev/null 2>&1
	elif command -v python3 >/dev/null; then python3 -m json.tool "$1" >/dev/null 2>&1
	else true; fi
}

csp="default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

# ---------------------------------------------------------------------------
# The JSON API.
cgi json QUERY_STRING='q=Durand+Line&format=json'
expect_eq "json: status 200" 200 "$st"
expect_eq "json: exit status 0" 0 "$rc"
expect_eq "json: content type" "application/json; charset=utf-8" "$(header json Content-Type)"
check "json: valid JSON" json_ok "$T/json.body"
expect_contains "json: query echoed as data" "$body" '"query":"Durand Line"'
expect_contains "json: total" "$body" '"total":'
expect_contains "json: page and per_page" "$body" '"page":1,"per_page":10'
expect_contains "json: facets" "$body" '"facets":{"agency":{'
expect_contains "json: seconds" "$body" '"seconds":'
expect_contains "json: snippet_html marks the phrase" "$body" '<mark>Durand Line</mark>'
expect_not_contains "json: no server path" "$body" '"source"'
expect_not_contains "json: < > & escaped as \\u00XX" "$(cat "$T/json.body")" '<mark>'
if [ -n "$seed" ]; then
	expect_contains "json: the EFE seed dispatch ranks first" "$body" \
		'"hits":[{"id":"efe-2025-04-19-pakistan-afghanistan"'
	first=$(jget "$T/json.body" '.hits[0].snippet_html' 2>&1)
	expect_contains "json: first hit's snippet_html has <mark>Durand Line</mark>" "$first" '<mark>Durand Line</mark>'
else
	skip "json: the EFE seed dispatch ranks first: no shared corpus"
fi
if command -v jq >/dev/null; then
	expect_eq "json: top-level fields" \
		"facets,filters,hits,page,per_page,query,seconds,sort,suggestion,total,versions" \
		"$(jq -r 'keys | join(",")' "$T/json.body")"
	expect_eq "json: month facet present" "true" "$(jq '.facets | has("month")' "$T/json.body")"
fi

# facets=0: the same hits and total, no counts (null, not empty), and
# the HTML page without its facet column, keeping facets=0 in its links.
cgi nofacets QUERY_STRING='q=border&format=json&facets=0&per_page=3'
expect_eq "facets=0: status 200" 200 "$st"
cgi withfacets QUERY_STRING='q=border&format=json&per_page=3'
if command -v jq >/dev/null; then
	expect_eq "facets=0: facets is null" null "$(jq -c .facets "$T/nofacets.body")"
	expect_eq "facets=0: the same total" "$(jq .total "$T/withfacets.body")" "$(jq .total "$T/nofacets.body")"
	expect_eq "facets=0: the same hits" "$(jq -c '[.hits[].id]' "$T/withfacets.body")" "$(jq -c '[.hits[].id]' "$T/nofacets.body")"
	expect_eq "facets=1 (default): counts by agency" true "$(jq '.facets.agency | length > 0' "$T/withfacets.body")"
fi
cgi nofacets_html QUERY_STRING='q=border&facets=0&per_page=2'
expect_not_contains "facets=0, HTML: no facet column" "$body" '<aside class="facets"'
expect_contains "facets=0, HTML: the next page keeps facets=0" "$body" 'facets=0&amp;per_page=2&amp;page=2'
expect_contains "facets=0, HTML: the form keeps facets=0" "$body" '<input type="hidden" name="facets" value="0">'
cgi facets_bad QUERY_STRING='q=border&facets=no&format=json'
expect_eq "facets=no: 400" 400 "$st"
expect_contains "facets=no: the reason" "$body" 'The parameter facets must be 0 or 1.'

# ---------------------------------------------------------------------------
# The HTML page.
cgi html QUERY_STRING='q=Durand+Line'
expect_eq "html: status 200" 200 "$st"
expect_eq "html: content type" "text/html; charset=utf-8" "$(header html Content-Type)"
expect_eq "html: nosniff" nosniff "$(header html X-Content-Type-Options)"
expect_eq "html: content security policy" "$csp" "$(header html Content-Security-Policy)"
expect_eq "html: referrer policy" no-referrer "$(header html Referrer-Policy)"
expect_eq "html: vary" Accept-Encoding "$(header html Vary)"
expect_contains "html: weak ETag" "$(header html ETag)" 'W/"'
expect_contains "html: Last-Modified is an HTTP date" "$(header html Last-Modified)" ' GMT'
expect_eq "html: content length" "$(wc -c <"$T/html.body" | tr -d ' ')" "$(header html Content-Length)"
if [[ $body == *'<mark>Durand Line</mark>'* || $body == *'<mark>Durand</mark>'* ]]; then
	ok "html: matches marked"
else
	not_ok "html: matches marked" "${body:0:2000}"
fi
expect_contains "html: the box keeps the query" "$body" 'name="q" type="search" maxlength="1000" value="Durand Line"'
expect_contains "html: the box has a label" "$body" '<label for="q">'
expect_contains "html: viewport" "$body" '<meta name="viewport" content="width=device-width, initial-scale=1">'
expect_contains "html: result count" "$body" 'class="count"'
expect_contains "html: headline links to the full dispatch" "$body" '<h2><a href="?id='
expect_contains "html: agency facet adds a filter" "$body" '&amp;agency=EFE">EFE</a>'
expect_contains "html: month chart" "$body" '<svg class="chart"'
if grep -qi '<script' "$T/html.body"; then not_ok "html: no script at all"; else ok "html: no script at all"; fi
if grep -qiE ' on[a-z]+="' "$T/html.body"; then not_ok "html: no event handler attributes"; else ok "html: no event handler attributes"; fi

cgi quake QUERY_STRING='q=quake'
expect_contains "html: version note" "$body" 'version 3 of 3'
expect_contains "html: matched-in note" "$body" 'matched in version 2 of 3'

cgi pages QUERY_STRING='lang=en&per_page=2&page=2'
expect_eq "pages: status 200" 200 "$st"
expect_contains "pages: pagination" "$body" '<nav class="pages"'
expect_contains "pages: previous link" "$body" 'rel="prev"'
expect_contains "pages: current page" "$body" '<span aria-current="page">2</span>'
expect_contains "pages: filter shown with a remove link" "$body" 'lang: en'

cgi home
expect_eq "home: status 200" 200 "$st"
expect_contains "home: a search form" "$body" '<form class="search" method="get" role="search">'

cgi typo QUERY_STRING='q=pakistn&format=json'
expect_contains "json: did-you-mean" "$body" '"suggestion":"pakistan"'
cgi typoh QUERY_STRING='q=pakistn'
expect_contains "html: did-you-mean link" "$body" 'Did you mean <a href="?q=pakistan">pakistan</a>'

# ---------------------------------------------------------------------------
# The full-dispatch view.
if [ -n "$seed" ]; then
	cgi story QUERY_STRING='id=efe-2025-04-19-pakistan-afghanistan&q=Durand+Line'
	expect_eq "story: status 200" 200 "$st"
	expect_contains "story: whole text with the match marked" "$body" '<mark>Durand Line</mark> border, which Kabul'
	expect_contains "story: dateline" "$body" '<p class="dateline">Kabul/Islamabad, Apr 19 (EFE)</p>'
	expect_contains "story: last paragraph" "$body" 'fearing persecution under the new regime.'
	expect_contains "story: versions listed" "$body" 'Versions (1)'
	cgi storyj QUERY_STRING='id=efe-2025-04-19-pakistan-afghanistan&format=json'
	check "story json: valid JSON" json_ok "$T/storyj.body"
	expect_contains "story json: paragraphs" "$body" '"paragraphs":["Pakistan stressed'
else
	skip "story: the seed dispatch: no shared corpus"
fi
cgi story3 QUERY_STRING='id=reuters-20250611-peru-quake&q=quake'
expect_eq "story: versions of a story" 200 "$st"
expect_contains "story: three versions" "$body" 'Versions (3)'
expect_contains "story: older versions readable without script" "$body" '<details><summary>Read version 1</summary>'
cgi nostory QUERY_STRING='id=no-such-story'
expect_eq "story: unknown id is 404" 404 "$st"
expect_contains "story: 404 page" "$body" 'There is no dispatch with this id.'

# ---------------------------------------------------------------------------
# Caching: ETag and If-None-Match.
etag=$(header html ETag)
cgi c304 QUERY_STRING='q=Durand+Line' HTTP_IF_NONE_MATCH="$etag"
expect_eq "304 on a matching ETag" 304 "$st"
expect_eq "304: no body" 0 "$(wc -c <"$T/c304.body" | tr -d ' ')"
expect_eq "304: exit status 0" 0 "$rc"
expect_eq "304: ETag repeated" "$etag" "$(header c304 ETag)"
cgi c304b QUERY_STRING='q=Durand+Line' HTTP_IF_NONE_MATCH="\"other\", $etag"
expect_eq "304 on a list holding the ETag" 304 "$st"
cgi c304c QUERY_STRING='q=Durand+Line' HTTP_IF_NONE_MATCH='*'
expect_eq "304 on If-None-Match: *" 304 "$st"
cgi c200 QUERY_STRING='q=Durand+Line' HTTP_IF_NONE_MATCH='W/"wire1-0-0"'
expect_eq "200 on another ETag" 200 "$st"
cgi c400 QUERY_STRING='q=x&page=0' HTTP_IF_NONE_MATCH="$etag"
expect_eq "a bad request is never 304" 400 "$st"

# ---------------------------------------------------------------------------
# gzip.
cgi gz QUERY_STRING='q=Durand+Line' HTTP_ACCEPT_ENCODING='gzip, deflate, br'
expect_eq "gzip: Content-Encoding" gzip "$(header gz Content-Encoding)"
expect_eq "gzip: Vary" Accept-Encoding "$(header gz Vary)"
if gzip -dc "$T/gz.body" >"$T/gz.html" 2>"$T/gz.log" && cmp -s "$T/gz.html" "$T/html.body"; then
	ok "gzip: decodes to the same page"
else
	not_ok "gzip: decodes to the same page" "$(cat "$T/gz.log")"
fi
expect_eq "gzip: content length is the compressed size" "$(wc -c <"$T/gz.body" | tr -d ' ')" "$(header gz Content-Length)"
for ae in 'gzip;q=0' 'gzip;q=0.000, deflate' 'identity' 'br, gzip;q=0, *;q=1' 'deflate'; do
	cgi gz0 QUERY_STRING='q=Durand+Line' HTTP_ACCEPT_ENCODING="$ae"
	expect_eq "gzip: not for '$ae'" "" "$(header gz0 Content-Encoding)"
done
for ae in 'GZIP' 'x-gzip' '*' 'deflate;q=1, gzip;q=0.5' 'gzip ; q=1.0'; do
	cgi gz1 QUERY_STRING='q=Durand+Line' HTTP_ACCEPT_ENCODING="$ae"
	expect_eq "gzip: for '$ae'" gzip "$(header gz1 Content-Encoding)"
done
cgi gzj QUERY_STRING='q=Durand+Line&format=json' HTTP_ACCEPT_ENCODING=gzip
if gzip -dc "$T/gzj.body" 2>/dev/null | grep -q '"total":'; then ok "gzip: JSON too"; else not_ok "gzip: JSON too"; fi

# ---------------------------------------------------------------------------
# Methods.
cgi head REQUEST_METHOD=HEAD QUERY_STRING='q=Durand+Line'
expect_eq "HEAD: status 200" 200 "$st"
expect_eq "HEAD: no body" 0 "$(wc -c <"$T/head.body" | tr -d ' ')"
expect_eq "HEAD: same Content-Length as GET" "$(header html Content-Length)" "$(header head Content-Length)"
for m in PUT DELETE OPTIONS TRACE PATCH CONNECT 'GET<script>'; do
	cgi m405 REQUEST_METHOD="$m" QUERY_STRING='q=x'
	expect_eq "method $m: 405" 405 "$st"
	expect_eq "method $m: Allow header" "GET, HEAD, POST" "$(header m405 Allow)"
done
expect_not_contains "405: the method is not echoed" "$body" '<script>'

printf 'q=Durand+Line&format=json' >"$T/form"
CGI_STDIN=$T/form cgi post REQUEST_METHOD=POST CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=25
expect_eq "POST form: status 200" 200 "$st"
expect_contains "POST form: searched" "$body" '"query":"Durand Line"'
CGI_STDIN=$T/form cgi postc REQUEST_METHOD=POST CONTENT_TYPE='application/x-www-form-urlencoded; charset=UTF-8' CONTENT_LENGTH=25
expect_eq "POST form with a charset: 200" 200 "$st"
CGI_STDIN=$T/form cgi post415 REQUEST_METHOD=POST CONTENT_TYPE=text/plain CONTENT_LENGTH=25
expect_eq "POST of another type: 415" 415 "$st"
CGI_STDIN=$T/form cgi post413 REQUEST_METHOD=POST CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=70000
expect_eq "POST over 64 KB: 413" 413 "$st"
expect_eq "413: exit status 0" 0 "$rc"
CGI_STDIN=$T/form cgi post413b REQUEST_METHOD=POST CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=99999999999999999999999
expect_eq "POST with a huge Content-Length: 413" 413 "$st"
CGI_STDIN=$T/form cgi post400 REQUEST_METHOD=POST CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=-5
expect_eq "POST with a negative Content-Length: 400" 400 "$st"
CGI_STDIN=$T/form cgi postshort REQUEST_METHOD=POST CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=500
expect_eq "POST shorter than its Content-Length: 400" 400 "$st"
head -c 65536 /dev/zero | tr '\0' 'a' | sed 's/^/q=/' | head -c 65536 >"$T/bigform"
CGI_STDIN=$T/bigform cgi post64k REQUEST_METHOD=POST CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=65536
expect_eq "POST of exactly 64 KB is read (then q is too long: 400)" 400 "$st"

# ---------------------------------------------------------------------------
# Limits and bad values: a 400 with a fixed explanation, never an echo.
long=$(printf 'a%.0s' $(seq 1 9000))
cgi l414 QUERY_STRING="q=$long"
expect_eq "query string over 8 KB: 414" 414 "$st"
q1001=$(printf 'b%.0s' $(seq 1 1001))
cgi l400 QUERY_STRING="q=$q1001"
expect_eq "q over 1000 bytes: 400" 400 "$st"
expect_not_contains "q over 1000 bytes: not echoed" "$body" "$q1001"
q1000=$(printf 'c%.0s' $(seq 1 1000))
cgi l200 QUERY_STRING="q=$q1000"
expect_eq "q of 1000 bytes: 200" 200 "$st"

while IFS='|' read -r qs needle; do
	cgi bad QUERY_STRING="$qs"
	expect_eq "400 for $qs" 400 "$st"
	expect_eq "exit status 0 for $qs" 0 "$rc"
	[ -n "$needle" ] && expect_not_contains "no echo for $qs" "$body" "$needle"
done <<'EOF'
q=x&page=-1|
q=x&page=0|
q=x&page=1e9|1e9
q=x&page=18446744073709551616|18446744073709551616
q=x&page=abc|abc
q=x&page=101|
q=x&page=11&per_page=100|
q=x&per_page=0|
q=x&per_page=101|
q=%zz|%zz
q=%4|
q=abc%|
q=%C0%BCscript%C0%BE|script
q=%FF%FE|
q=%ED%A0%80|
q=a%00b|
sort=sideways|sideways
versions=none|
format=xml|xml
from=2025-02-30|2025-02-30
to=yesterday|yesterday
from=2025-05-01&to=2025-04-01|
lang=e1|
agency=E%22FE|
place=%E2%80%9CKabul|
id=x%22%20OR%20y|
EOF
cgi badj QUERY_STRING='format=json&page=0'
expect_eq "a 400 in JSON is a JSON error object" '{"error":"The parameter page must be a whole number from 1 to 1000.","status":400}' "$body"
cgi badj2 QUERY_STRING='page=0&format=json'
expect_contains "a 400 before format=json is read still answers JSON" "$body" '{"error":'
cgi badq QUERY_STRING='q=date:2025-02-30'
expect_eq "an impossible date in q: 400" 400 "$st"
expect_contains "query error: a fixed explanation" "$body" 'The query could not be understood.'
expect_not_contains "query error: the parser's message goes to the log" "$body" 'impossible date'
expect_contains "query error: logged on stderr" "$(cat "$T/badq.err")" "impossible date"
cgi unknown QUERY_STRING='q=Durand&utm_source=%zz&db=/etc&WIRE_DB=/etc'
expect_eq "unknown parameters ignored" 200 "$st"
cgi first QUERY_STRING='q=Durand+Line&q=nothing&format=json'
expect_contains "repeated parameter: the first wins" "$body" '"query":"Durand Line"'

# ---------------------------------------------------------------------------
# The index: only from WIRE_DB; missing -> 503 with a friendly page, the
# path only in the server's log.
cgi noidx WIRE_DB="$T/no-index-here" QUERY_STRING='q=x'
expect_eq "missing index: 503" 503 "$st"
expect_contains "missing index: friendly page" "$body" 'The search index is not available.'
expect_not_contains "missing index: no path to the client" "$body" "$T"
expect_contains "missing index: path in the log" "$(cat "$T/noidx.err")" "$T/no-index-here"
expect_eq "missing index: exit status 0" 0 "$rc"
cgi noidxj WIRE_DB="$T/no-index-here" QUERY_STRING='q=x&format=json'
expect_eq "missing index, JSON: error object" '{"error":"The search index is not available.","status":503}' "$body"

# ---------------------------------------------------------------------------
# The CPU limit: SIGXCPU before the headers gives the fixed 503.  The CGI
# is held reading a POST body from a FIFO nobody writes to.
mkfifo "$T/fifo"
exec 7<>"$T/fifo"
env -i PATH="$PATH" WIRE_DB="$T/db" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST \
	CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=10 \
	"$CGI" <"$T/fifo" >"$T/xcpu.out" 2>/dev/null &
pid=$!
sleep 0.3
kill -XCPU "$pid"
wait "$pid"
rc=$?
exec 7>&-
split_response "$T/xcpu.out" "$T/xcpu"
expect_eq "SIGXCPU: fixed 503" "Status: 503 Service Unavailable" "$(head -1 "$T/xcpu.head")"
expect_eq "SIGXCPU: exit status 0" 0 "$rc"
expect_contains "SIGXCPU: short text" "$(cat "$T/xcpu.body")" 'The search took too long.'

# ---------------------------------------------------------------------------
# Shell-debug mode: NAME=VALUE arguments print the same response.
(cd "$T" && env -i PATH="$PATH" WIRE_DB="$T/db" WIRE_SYNONYMS="$WIRE_SYNONYMS" \
	ASAN_OPTIONS="${ASAN_OPTIONS:-}" "$CGI" 'q=Durand Line') >"$T/shell.out" 2>"$T/shell.err"
split_response "$T/shell.out" "$T/shell"
if cmp -s "$T/shell.body" "$T/html.body"; then ok "shell mode: same body as CGI mode"; else
	not_ok "shell mode: same body as CGI mode" "$(diff "$T/shell.body" "$T/html.body" | head -10)"; fi
if cmp -s "$T/shell.head" "$T/html.head"; then ok "shell mode: same headers as CGI mode"; else
	not_ok "shell mode: same headers as CGI mode" "$(diff "$T/shell.head" "$T/html.head" | head -10)"; fi
env -i PATH="$PATH" WIRE_DB="$T/db" "$CGI" 'q=Durand Line' format=json >"$T/shellj.out" 2>/dev/null
split_response "$T/shellj.out" "$T/shellj"
sed 's/"seconds":[^}]*}$/"seconds":0}/' "$T/shellj.body" >"$T/a.json"
sed 's/"seconds":[^}]*}$/"seconds":0}/' "$T/json.body" >"$T/b.json"
if cmp -s "$T/a.json" "$T/b.json"; then ok "shell mode: same JSON (timing aside)"; else
	not_ok "shell mode: same JSON (timing aside)" "$(diff "$T/a.json" "$T/b.json" | head -5)"; fi
expect_status "shell mode: no arguments prints usage (exit 2)" 2 env -i PATH="$PATH" "$CGI"
expect_contains "shell mode: usage text" "$(env -i PATH="$PATH" "$CGI" 2>&1)" 'usage: wire-search.cgi'
expect_status "shell mode: --help" 0 env -i PATH="$PATH" "$CGI" --help
expect_status "shell mode: a bare word is a usage error" 2 env -i PATH="$PATH" "$CGI" Durand
env -i PATH="$PATH" WIRE_DB="$T/db" "$CGI" 'page=0' >"$T/shellbad.out" 2>/dev/null
expect_eq "shell mode: bad value is a 400 response, exit 0" "0 Status: 400 Bad Request" "$? $(head -1 "$T/shellbad.out" | tr -d '\r')"
# A CGI request never reads arguments (some servers pass ISINDEX words).
env -i PATH="$PATH" WIRE_DB="$T/db" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
	QUERY_STRING='format=json' "$CGI" 'q=Durand' >"$T/isindex.out" 2>/dev/null
expect_contains "CGI mode ignores arguments" "$(cat "$T/isindex.out")" '"query":""'

# ---------------------------------------------------------------------------
# Hostile input in every parameter, in the name, and in error paths:
# status 200/400/404 only, no header of theirs, no raw payload back.
payloads=(
	'<script>alert(1)</script>'
	'"><img src=x onerror=alert(1)>'
	"' onmouseover='alert(1)"
	'</title><script>alert(1)</script>'
	'</textarea><svg onload=alert(1)>'
	'javascript:alert(1)//"'
	'+ADw-script+AD4-alert(1)+ADw-/script+AD4-<'
	$'\r\nSet-Cookie: evil=1\r\n\r\n<script>'
	$'\nX-Injected: 1'
	'<iframe src="data:text/html,<script>alert(1)</script>">'
	'{{7*7}}"><b>bold</b>'
	'&lt;script&gt;<x>'
	'"onfocus="alert(1)" autofocus="'
	'<a href="javascript:alert(1)">click</a>'
)
params=(q agency place lang id page per_page sort from to versions format 'x<y>')
probes=0
for param in "${params[@]}"; do
	bad=()
	for fmt in html json; do
		for pl in "${payloads[@]}"; do
			enc=$(urlencode "$pl")
			cgi probe QUERY_STRING="$(urlencode "$param")=$enc&format=$fmt"
			probes=$((probes + 1))
			case $st in 200 | 400 | 404) ;; *) bad+=("status $st for $param=$enc") ;; esac
			[ "$rc" -eq 0 ] || bad+=("exit $rc for $param=$enc")
			f=$(foreign_headers probe)
			[ -z "$f" ] || bad+=("header '$f' for $param=$enc")
			if [[ $pl == *[\<\>\"\']* ]] && grep -qF -- "$pl" "$T/probe.body"; then
				bad+=("raw payload back for $param=$enc")
			fi
			if grep -qiE '<script|<img|<iframe|<svg onload|<b>bold|onfocus="alert' "$T/probe.body"; then
				bad+=("markup injected for $param=$enc")
			fi
			if [ "$fmt" = json ] && ! json_ok "$T/probe.body"; then
				bad+=("invalid JSON for $param=$enc")
			fi
		done
	done
	expect_none "hostile input in '$param' (${#payloads[@]} payloads, HTML and JSON)" \
		"hostile input in '$param'" "${bad[@]:0:5}"
done
# The payload as a parameter name, raw (unencoded) bytes, and in the
# headers the CGI reads.
bad=()
for pl in "${payloads[@]}"; do
	for qs in "$(urlencode "$pl")=1&q=x" "q=$pl" "q=x&page=$pl" "id=$pl&q=$(urlencode "$pl")"; do
		cgi raw QUERY_STRING="$qs"
		probes=$((probes + 1))
		case $st in 200 | 400 | 404) ;; *) bad+=("status $st for $qs") ;; esac
		f=$(foreign_headers raw)
		[ -z "$f" ] || bad+=("header '$f' for $qs")
		grep -qiE '<script|<img|<iframe|<svg onload|<b>bold' "$T/raw.body" && bad+=("markup for $qs")
	done
	for var in HTTP_ACCEPT_ENCODING HTTP_IF_NONE_MATCH CONTENT_TYPE; do
		cgi hdr QUERY_STRING='q=x' "$var=$pl"
		probes=$((probes + 1))
		case $st in 200 | 304) ;; *) bad+=("status $st for $var") ;; esac
		f=$(foreign_headers hdr)
		[ -z "$f" ] || bad+=("header '$f' for $var")
	done
done
expect_none "hostile names, raw bytes and request headers" \
	"hostile names, raw bytes and request headers" "${bad[@]:0:5}"
if [ "$probes" -ge 60 ]; then ok "hostile probes: $probes"; else not_ok "hostile probes: only $probes"; fi
cgi crlf QUERY_STRING='q=%0d%0aSet-Cookie:%20a=b&agency=%0d%0aLocation:%20http://evil/'
expect_eq "CR/LF in values: no header injected" "" "$(foreign_headers crlf)"

# ---------------------------------------------------------------------------
# HTML validity (tidy, when installed): errors fail, warnings do not.
if command -v tidy >/dev/null; then
	cgi errpage QUERY_STRING='q=x&page=0'
	for page in html story3 pages home errpage nostory quake; do
		[ -s "$T/$page.body" ] || continue
		if tidy -q -e "$T/$page.body" >"$T/tidy.log" 2>&1 || [ $? -eq 1 ]; then
			ok "tidy: $page page has no errors"
		else
			not_ok "tidy: $page page has no errors" "$(head -10 "$T/tidy.log")"
		fi
	done
else
	skip "tidy: not installed (apt-get install tidy)"
fi
