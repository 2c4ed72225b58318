/*
 * fuzz_cgi_params.c - libFuzzer target: arbitrary bytes as a query string.
 *
 * Whatever the input, decoding either fails with a fixed reason or gives
 * values that are valid UTF-8 without NUL, CR, LF or any other control
 * character; each value escaped for HTML text keeps no raw < > " ' and
 * unescapes back to itself; each value percent-encoded decodes back to
 * itself; the query built for the search layer has balanced quotes; and
 * a link built from the values is plain ASCII without quotes or brackets.
 *
 * Build and run (clang, from the top of the tree, after `make`):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -Icommon -Isearcher $(pkg-config --cflags jansson) \
 *     tests/fuzz/fuzz_cgi_params.c build/libsearcher.a build/libwire.a \
 *     $(pkg-config --libs xapian-core libutf8proc zlib jansson libxml-2.0) \
 *     -lstdc++ -lm -o build/fuzz_cgi_params
 *   build/fuzz_cgi_params -dict=tests/fuzz/cgi_params.dict \
 *     -max_len=9000 tests/fuzz/cgi_params
 */
#include "cgi_params.h"
#include "html.h"
#include "strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_value(const char *v)
{
	strbuf sb = STRBUF_INIT;
	size_t len, n = 0;
	char *back;

	if (!v)
		return;
	len = strlen(v);
	if (!cgi_utf8_valid(v, len))
		abort();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			abort(); /* NUL cannot even be seen here; CR, LF, TAB... */
	if (html_escape_text(&sb, v, len))
		goto out;
	if (strpbrk(strbuf_str(&sb), "<>\"'"))
		abort();
	back = malloc(sb.len + 1);
	if (!back)
		goto out;
	for (size_t i = 0; i < sb.len;) {
		static const struct {
			const char *e;
			char c;
		} ents[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
			     { "&quot;", '"' }, { "&#39;", '\'' } };
		size_t k;

		for (k = 0; k < 5; k++) {
			size_t el = strlen(ents[k].e);

			if (!strncmp(sb.buf + i, ents[k].e, el)) {
				back[n++] = ents[k].c;
				i += el;
				break;
			}
		}
		if (k == 5) {
			if (sb.buf[i] == '&')
				abort(); /* a bare '&' left unescaped */
			back[n++] = sb.buf[i++];
		}
	}
	if (n != len || memcmp(back, v, len))
		abort();
	free(back);
	strbuf_reset(&sb);
	if (html_escape_url(&sb, v, len) == 0) {
		char *dec = NULL;
		size_t dlen = 0;
		const char *why;

		for (size_t i = 0; i < sb.len; i++) {
			char c = sb.buf[i];

			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			      (c >= '0' && c <= '9') || strchr("-._~%", c)))
				abort();
		}
		if (cgi_decode(sb.buf, sb.len, &dec, &dlen, &why) == CGI_OK &&
		    (dlen != len || memcmp(dec, v, len)))
			abort();
		free(dec);
	}
out:
	strbuf_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cgi_params p;
	const char *why = NULL;
	enum cgi_status st;

	if (cgi_params_init(&p))
		return 0;
	st = cgi_params_parse(&p, (const char *)data, size, &why);
	if (st == CGI_OK)
		st = cgi_params_check(&p, &why);
	if (st == CGI_BAD_REQUEST && (!why || strchr(why, '<')))
		abort();
	if (st == CGI_OK) {
		char *q = cgi_params_query(&p, 1);
		strbuf href = STRBUF_INIT;

		check_value(p.q);
		check_value(p.agency);
		check_value(p.place);
		check_value(p.lang);
		check_value(p.id);
		check_value(p.from);
		check_value(p.to);
		if (p.page < 1 || p.per_page < 1 || p.per_page > CGI_MAX_PER_PAGE ||
		    (unsigned long)p.page * p.per_page > CGI_MAX_DEPTH)
			abort();
		if (q) {
			size_t quotes = 0;

			if (!cgi_utf8_valid(q, strlen(q)) || strpbrk(q, "\r\n"))
				abort();
			for (const char *c = q; *c; c++)
				quotes += *c == '"';
			if (quotes % 2)
				abort();
			free(q);
		}
		if (html_href(&href, &p, "agency", p.place) == 0 &&
		    strpbrk(strbuf_str(&href), "<>\"' \r\n"))
			abort();
		strbuf_release(&href);
	}
	cgi_params_release(&p);
	return 0;
}
