/*
 * test_html.c - escaping in each HTML context against a list of XSS
 * payloads, and the pages built from hostile requests and dispatches.
 *
 * For text and attribute output: no raw < > " ' survives, every & starts
 * one of our entities, and unescaping gives the input back.  For URL
 * output: only unreserved characters and %XX, and decoding gives the
 * input back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "cgi_params.h"
#include "html.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct payload {
	const char *s;
	size_t len;   /* 0: strlen */
};

static const struct payload payloads[] = {
	{ "<script>alert(1)</script>", 0 },
	{ "\"><img src=x onerror=alert(1)>", 0 },
	{ "' onmouseover='alert(1)", 0 },
	{ "\" onmouseover=\"alert(1)", 0 },
	{ "</title><script>alert(1)</script>", 0 },
	{ "</textarea><script>alert(1)</script>", 0 },
	{ "</style><script>alert(1)</script>", 0 },
	{ "javascript:alert(1)", 0 },
	{ "JaVaScRiPt:alert(document.cookie)", 0 },
	{ "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", 0 },
	{ "+ADw-script+AD4-alert(1)+ADw-/script+AD4-", 0 },
	{ "%3Cscript%3Ealert(1)%3C/script%3E", 0 },
	{ "%C0%BCscript%C0%BE", 0 },
	{ "\xc0\xbcscript\xc0\xbe", 0 },
	{ "&lt;script&gt;alert(1)&lt;/script&gt;", 0 },
	{ "&#60;script&#62;", 0 },
	{ "&#x3C;script&#x3E;", 0 },
	{ "<svg onload=alert(1)>", 0 },
	{ "<svg><script>alert(1)</script></svg>", 0 },
	{ "<iframe src=\"javascript:alert(1)\"></iframe>", 0 },
	{ "<a href=\"javascript:alert(1)\">x</a>", 0 },
	{ "<body onload=alert(1)>", 0 },
	{ "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>", 0 },
	{ "`-alert(1)-`", 0 },
	{ "${alert(1)}", 0 },
	{ "{{constructor.constructor('alert(1)')()}}", 0 },
	{ "<!--<script>alert(1)//-->", 0 },
	{ "<![CDATA[<script>alert(1)</script>]]>", 0 },
	{ "\xe2\x80\xa8\xe2\x80\xa9<script>", 0 },
	{ "a\0<script>", 9 },
	{ "\r\nSet-Cookie: x=1\r\n\r\n<script>", 0 },
	{ "<scr<script>ipt>alert(1)</scr</script>ipt>", 0 },
	{ "'';!--\"<XSS>=&{()}", 0 },
	{ "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">", 0 },
	{ "<base href=\"//evil.example/\">", 0 },
	{ "<form action=\"//evil.example\"><button>x</button></form>", 0 },
	{ "&", 0 },
	{ "&amp;", 0 },
	{ "\xef\xbc\x9cscript\xef\xbc\x9e", 0 },
	{ "", 0 },
};

#define N_PAYLOADS (sizeof(payloads) / sizeof(payloads[0]))

static size_t plen(const struct payload *p)
{
	return p->len ? p->len : strlen(p->s);
}

/* The inverse of html_escape_text(): our five entities only; anything
 * else is kept as is. */
static char *unescape_html(const char *s, size_t len, size_t *out_len)
{
	static const struct {
		const char *e;
		char c;
	} ents[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		     { "&quot;", '"' }, { "&#39;", '\'' } };
	char *d = malloc(len + 1);
	size_t n = 0;

	assert_non_null(d);
	for (size_t i = 0; i < len;) {
		int done = 0;

		for (size_t k = 0; k < sizeof(ents) / sizeof(ents[0]) && !done; k++) {
			size_t el = strlen(ents[k].e);

			if (len - i >= el && !memcmp(s + i, ents[k].e, el)) {
				d[n++] = ents[k].c;
				i += el;
				done = 1;
			}
		}
		if (!done)
			d[n++] = s[i++];
	}
	d[n] = '\0';
	*out_len = n;
	return d;
}

static int hexv(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static char *unescape_url(const char *s, size_t len, size_t *out_len)
{
	char *d = malloc(len + 1);
	size_t n = 0;

	assert_non_null(d);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%') {
			assert_true(i + 2 < len);
			assert_true(hexv(s[i + 1]) >= 0 && hexv(s[i + 2]) >= 0);
			d[n++] = (char)(hexv(s[i + 1]) << 4 | hexv(s[i + 2]));
			i += 2;
		} else {
			d[n++] = s[i];
		}
	}
	d[n] = '\0';
	*out_len = n;
	return d;
}

/* No raw < > " ' and every & is one of our entities. */
static void assert_inert(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		assert_true(s[i] != '<' && s[i] != '>' && s[i] != '"' && s[i] != '\'');
		if (s[i] == '&')
			assert_true(!strncmp(s + i, "&amp;", 5) || !strncmp(s + i, "&lt;", 4) ||
				    !strncmp(s + i, "&gt;", 4) || !strncmp(s + i, "&quot;", 6) ||
				    !strncmp(s + i, "&#39;", 5));
	}
}

static void test_text_and_attr(void **state)
{
	(void)state;
	assert_true(N_PAYLOADS >= 25);
	for (int ctx = 0; ctx < 2; ctx++) {
		for (size_t i = 0; i < N_PAYLOADS; i++) {
			strbuf sb = STRBUF_INIT;
			size_t n;
			char *back;

			assert_int_equal((ctx ? html_escape_attr : html_escape_text)(
						 &sb, payloads[i].s, plen(&payloads[i])),
					 0);
			assert_inert(strbuf_str(&sb), sb.len);
			back = unescape_html(strbuf_str(&sb), sb.len, &n);
			assert_int_equal(n, plen(&payloads[i]));
			assert_memory_equal(back, payloads[i].s, n);
			free(back);
			strbuf_release(&sb);
		}
	}
}

static void test_url(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_PAYLOADS; i++) {
		strbuf sb = STRBUF_INIT;
		const char *s;
		size_t n;
		char *back;

		assert_int_equal(html_escape_url(&sb, payloads[i].s, plen(&payloads[i])), 0);
		s = strbuf_str(&sb);
		for (size_t k = 0; k < sb.len; k++)
			assert_true((s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= 'a' && s[k] <= 'z') ||
				    (s[k] >= '0' && s[k] <= '9') || strchr("-._~%", s[k]));
		/* A URL we build can never start a scheme: ':' is encoded. */
		assert_null(strchr(s, ':'));
		back = unescape_url(s, sb.len, &n);
		assert_int_equal(n, plen(&payloads[i]));
		assert_memory_equal(back, payloads[i].s, n);
		free(back);
		strbuf_release(&sb);
	}
}

static void test_exact_forms(void **state)
{
	strbuf sb = STRBUF_INIT;

	(void)state;
	assert_int_equal(html_escape_text(&sb, "a&b<c>d\"e'f", 11), 0);
	assert_string_equal(strbuf_str(&sb), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
	strbuf_reset(&sb);
	assert_int_equal(html_escape_url(&sb, "Durand Line/é~-._", 18), 0);
	assert_string_equal(strbuf_str(&sb), "Durand%20Line%2F%C3%A9~-._");
	strbuf_reset(&sb);
	assert_int_equal(html_escape_text(&sb, "plain", 5), 0);
	assert_string_equal(strbuf_str(&sb), "plain");
	strbuf_release(&sb);
}

static void test_marked(void **state)
{
	strbuf sb = STRBUF_INIT;
	const char *t = "<b>Durand Line</b> & more";
	snippet_mark m[2] = { { 3, 9 }, { 10, 14 } };
	snippet_mark bad[2] = { { 5, 100 }, { 3, 1 } };

	(void)state;
	assert_int_equal(html_marked(&sb, t, strlen(t), m, 2), 0);
	assert_string_equal(strbuf_str(&sb),
			    "&lt;b&gt;<mark>Durand Line</mark>&lt;/b&gt; &amp; more");
	strbuf_reset(&sb);
	/* Ranges outside the text are ignored, not followed. */
	assert_int_equal(html_marked(&sb, t, strlen(t), bad, 2), 0);
	assert_string_equal(strbuf_str(&sb), "&lt;b&gt;Durand Line&lt;/b&gt; &amp; more");
	strbuf_release(&sb);
}

/* Parameters full of payloads: links and the form stay inert. */
static void test_href_and_form(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_PAYLOADS; i++) {
		cgi_params p;
		strbuf sb = STRBUF_INIT;
		const char *why;
		size_t len = plen(&payloads[i]);

		if (!cgi_utf8_valid(payloads[i].s, len) || memchr(payloads[i].s, '\0', len))
			continue;
		assert_int_equal(cgi_params_init(&p), 0);
		assert_int_equal(cgi_params_set(&p, "q", payloads[i].s, len, &why), CGI_OK);
		cgi_params_set(&p, "place", payloads[i].s, len, &why);
		assert_int_equal(html_href(&sb, &p, "agency", payloads[i].s), 0);
		assert_int_equal(sb.buf[0], '?');
		assert_null(strpbrk(strbuf_str(&sb), "<>\"' :"));
		strbuf_reset(&sb);
		assert_int_equal(html_page_search(&sb, &p, NULL, NULL), 0);
		if (len > 3 && strpbrk(payloads[i].s, "<>\"'"))
			assert_null(strstr(strbuf_str(&sb), payloads[i].s));
		assert_null(strstr(strbuf_str(&sb), "<script"));
		assert_null(strstr(strbuf_str(&sb), "<img"));
		strbuf_reset(&sb);
		assert_int_equal(html_page_error(&sb, &p, 400, payloads[i].s), 0);
		assert_null(strstr(strbuf_str(&sb), "<script"));
		assert_null(strstr(strbuf_str(&sb), "<svg onload"));
		strbuf_release(&sb);
		cgi_params_release(&p);
	}
}

/* A result whose dispatches are hostile: nothing of theirs gets through
 * as markup. */
static void test_page_hostile_index(void **state)
{
	char *places[] = { (char *)"<svg onload=alert(1)>", (char *)"Kabul" };
	char *paras[] = { (char *)"<script>alert('p')</script>", (char *)"Durand Line \"x\"" };
	search_hit hits[2];
	search_facet_value agencies[] = { { (char *)"<b>EFE</b>", 3 }, { (char *)"AP", 1 } };
	search_facet_value months[] = { { (char *)"2025-04", 2 }, { (char *)"2024-<01>", 1 },
					{ (char *)"2023-12", 5 } };
	search_result res;
	search_request req;
	cgi_params p;
	strbuf sb = STRBUF_INIT;
	const char *why, *page;

	(void)state;
	memset(hits, 0, sizeof(hits));
	memset(&res, 0, sizeof(res));
	for (int i = 0; i < 2; i++) {
		hits[i].rank = (unsigned)i + 1;
		hits[i].d.id = (char *)"id\"><script>alert(1)</script>";
		hits[i].d.headline = (char *)"</title><script>alert('h')</script>";
		hits[i].d.agency = (char *)"<i>EFE</i>";
		hits[i].d.places = places;
		hits[i].d.n_places = 2;
		hits[i].d.paragraphs = paras;
		hits[i].d.n_paragraphs = 2;
		hits[i].d.byline = (char *)"By <u>x</u>";
		hits[i].d.dateline = (char *)"KABUL <x>";
		hits[i].d.version = 2;
		hits[i].n_versions = 3;
		hits[i].matched_version = 1;
		snprintf(hits[i].date, sizeof(hits[i].date), "2025-04-19T10:00:00Z");
		hits[i].snip.text = (char *)"a <mark>fake</mark> & <script>x</script>";
		hits[i].snip.len = strlen(hits[i].snip.text);
		hits[i].snip.cut_end = 1;
	}
	res.hits = hits;
	res.n_hits = 2;
	res.total = 42;
	res.suggestion = (char *)"\"><script>alert('s')</script>";
	res.facets[0].name = "agency";
	res.facets[0].values = agencies;
	res.facets[0].n = 2;
	res.facets[1].name = "month";
	res.facets[1].values = months;
	res.facets[1].n = 3;
	res.n_facets = 2;
	search_request_init(&req);
	req.limit = 10;
	assert_int_equal(cgi_params_init(&p), 0);
	assert_int_equal(cgi_params_set(&p, "q", "durand", 6, &why), CGI_OK);
	assert_int_equal(html_page_search(&sb, &p, &req, &res), 0);
	page = strbuf_str(&sb);
	assert_null(strstr(page, "<script"));
	assert_null(strstr(page, "<svg onload"));
	assert_null(strstr(page, "<b>EFE"));
	assert_null(strstr(page, "<i>"));
	assert_null(strstr(page, "<mark>fake"));
	assert_non_null(strstr(page, "42</strong> stories"));
	assert_non_null(strstr(page, "version 2 of 3"));
	assert_non_null(strstr(page, "matched in version 1 of 3"));
	assert_non_null(strstr(page, "<svg class=\"chart\""));
	/* Months in order in the chart: 2023-12 before 2025-04. */
	assert_true(strstr(page, "2023-12: 5") < strstr(page, "2025-04: 2"));
	assert_non_null(strstr(page, "<nav class=\"pages\""));
	assert_non_null(strstr(page, "Did you mean"));
	strbuf_reset(&sb);
	assert_int_equal(html_page_story(&sb, &p, &res, NULL), 0);
	page = strbuf_str(&sb);
	assert_null(strstr(page, "<script"));
	assert_null(strstr(page, "<svg onload"));
	assert_null(strstr(page, "<u>"));
	assert_null(strstr(page, "<x>"));
	assert_non_null(strstr(page, "Durand Line &quot;x&quot;"));
	strbuf_release(&sb);
	cgi_params_release(&p);
}

/* Out of memory at every allocation: -1, never a crash or a leak. */
static void test_alloc_failure(void **state)
{
	cgi_params p;
	const char *why;

	(void)state;
	assert_int_equal(cgi_params_init(&p), 0);
	assert_int_equal(cgi_params_set(&p, "q", "<durand>", 8, &why), CGI_OK);
	for (unsigned long n = 1; n < 30; n++) {
		strbuf sb = STRBUF_INIT;
		int r;

		wire_alloc_fail_at(n, 1);
		r = html_page_search(&sb, &p, NULL, NULL);
		wire_alloc_fail_at(0, 0);
		assert_true(r == 0 || r == -1);
		strbuf_release(&sb);
	}
	cgi_params_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_and_attr),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_exact_forms),
		cmocka_unit_test(test_marked),
		cmocka_unit_test(test_href_and_form),
		cmocka_unit_test(test_page_hostile_index),
		cmocka_unit_test(test_alloc_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
