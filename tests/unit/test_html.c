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


/* ------------------------------------------------------------------ */
/* Exact output. */

static void set(cgi_params *p, const char *name, const char *value)
{
	const char *why;

	assert_int_equal(cgi_params_set(p, name, value, strlen(value), &why), CGI_OK);
}

static void expect_href(const cgi_params *p, const char *name, const char *value,
			const char *want)
{
	strbuf sb = STRBUF_INIT;

	assert_int_equal(html_href(&sb, p, name, value), 0);
	if (strcmp(strbuf_str(&sb), want))
		fail_msg("href %s=%s: got '%s', expected '%s'", name ? name : "(null)",
			 value ? value : "(null)", strbuf_str(&sb), want);
	strbuf_release(&sb);
}

/* Every parameter in its place; changing one goes back to page 1. */
static void test_href_keeps_every_parameter(void **state)
{
	cgi_params p;

	(void)state;
	assert_int_equal(cgi_params_init(&p), 0);
	expect_href(&p, NULL, NULL, "?");
	expect_href(&p, "id", NULL, "?");
	expect_href(&p, "id", "efe-1", "?id=efe-1");
	expect_href(&p, "page", "2", "?page=2");
	expect_href(&p, "agency", "", "?");
	set(&p, "q", "durand line");
	set(&p, "agency", "EFE");
	set(&p, "place", "Buenos Aires");
	set(&p, "lang", "es");
	set(&p, "from", "2025-04-01");
	set(&p, "to", "2025-04-30");
	set(&p, "sort", "-date");
	set(&p, "versions", "all");
	set(&p, "per_page", "20");
	set(&p, "page", "3");
	expect_href(&p, NULL, NULL,
		    "?q=durand%20line&amp;agency=EFE&amp;place=Buenos%20Aires&amp;lang=es"
		    "&amp;from=2025-04-01&amp;to=2025-04-30&amp;sort=-date&amp;versions=all"
		    "&amp;per_page=20&amp;page=3");
	expect_href(&p, "page", "4",
		    "?q=durand%20line&amp;agency=EFE&amp;place=Buenos%20Aires&amp;lang=es"
		    "&amp;from=2025-04-01&amp;to=2025-04-30&amp;sort=-date&amp;versions=all"
		    "&amp;per_page=20&amp;page=4");
	/* A filter removed: back to page 1. */
	expect_href(&p, "agency", NULL,
		    "?q=durand%20line&amp;place=Buenos%20Aires&amp;lang=es"
		    "&amp;from=2025-04-01&amp;to=2025-04-30&amp;sort=-date&amp;versions=all"
		    "&amp;per_page=20");
	expect_href(&p, "place", "Kabul",
		    "?q=durand%20line&amp;agency=EFE&amp;place=Kabul&amp;lang=es"
		    "&amp;from=2025-04-01&amp;to=2025-04-30&amp;sort=-date&amp;versions=all"
		    "&amp;per_page=20");
	/* The link to a dispatch keeps only q. */
	expect_href(&p, "id", "efe-1", "?id=efe-1&amp;q=durand%20line");
	expect_href(&p, "id", NULL, "?q=durand%20line");
	cgi_params_release(&p);
	assert_int_equal(cgi_params_init(&p), 0);
	set(&p, "sort", "date");
	expect_href(&p, NULL, NULL, "?sort=date");
	set(&p, "page", "2");
	expect_href(&p, "q", "x", "?q=x&amp;sort=date");
	cgi_params_release(&p);
}

static void expect_marked(const char *text, const snippet_mark *m, size_t n,
			  const char *want)
{
	strbuf sb = STRBUF_INIT;

	assert_int_equal(html_marked(&sb, text, strlen(text), m, n), 0);
	if (strcmp(strbuf_str(&sb), want))
		fail_msg("marked: got '%s', expected '%s'", strbuf_str(&sb), want);
	strbuf_release(&sb);
}

/* Marks apart by spaces only merge; anything else between keeps them
 * apart; overlapping, empty and outside ranges are dropped. */
static void test_marked_merging_rules(void **state)
{
	const char *t = "Durand  Line, Kabul";
	const snippet_mark two_spaces[] = { { 0, 6 }, { 8, 12 } };
	const snippet_mark comma[] = { { 8, 12 }, { 14, 19 } };
	const snippet_mark overlap[] = { { 0, 6 }, { 3, 12 }, { 14, 19 } };
	const snippet_mark bad_next[] = { { 0, 6 }, { 8, 40 }, { 8, 8 }, { 14, 19 } };
	const snippet_mark three[] = { { 0, 6 }, { 8, 12 }, { 12, 13 } };
	const snippet_mark empty_next[] = { { 0, 6 }, { 8, 8 }, { 14, 19 } };

	(void)state;
	expect_marked(t, NULL, 0, "Durand  Line, Kabul");
	expect_marked(t, two_spaces, 2, "<mark>Durand  Line</mark>, Kabul");
	expect_marked(t, comma, 2, "Durand  <mark>Line</mark>, <mark>Kabul</mark>");
	expect_marked(t, overlap, 3, "<mark>Durand</mark>  Line, <mark>Kabul</mark>");
	expect_marked(t, bad_next, 4, "<mark>Durand</mark>  Line, <mark>Kabul</mark>");
	expect_marked(t, empty_next, 3, "<mark>Durand</mark>  Line, <mark>Kabul</mark>");
	/* Adjacent with nothing between: one mark. */
	expect_marked(t, three, 3, "<mark>Durand  Line,</mark> Kabul");
	expect_marked("<a>", (const snippet_mark[]){ { 1, 2 } }, 1,
		      "&lt;<mark>a</mark>&gt;");
}

/* A whole result, every part of the page filled in. */
struct fixture {
	char *places[2];
	char *paras[2];
	char *empty[1];
	search_hit hits[4];
	search_facet_value agencies[14];
	search_facet_value places_f[1];
	search_facet_value langs[2];
	search_facet_value months[3];
	snippet_mark marks[2];
	search_result res;
	search_request req;
	cgi_params p;
};

static void fixture_init(struct fixture *f)
{
	static char *agency_names[14] = { "EFE", "AP", "AFP", "dpa", "Reuters", "Xinhua",
					  "ANSA", "Kyodo", "TASS", "PTI", "Yonhap", "APA",
					  "Belga", "CTK" };

	memset(f, 0, sizeof(*f));
	f->places[0] = (char *)"Kabul";
	f->places[1] = (char *)"Islamabad";
	f->paras[0] = (char *)"Durand Line talks resumed.";
	f->paras[1] = (char *)"More to follow.";
	/* 0: everything; 1: no id, no headline (first sentence), an agency
	 * but no date, one version; 2: empty texts, two versions; 3: withdrawn,
	 * places only. */
	f->hits[0].d.id = (char *)"efe-1";
	f->hits[0].d.headline = (char *)"Durand Line & Kabul";
	f->hits[0].d.agency = (char *)"EFE";
	f->hits[0].d.places = f->places;
	f->hits[0].d.n_places = 2;
	f->hits[0].d.version = 2;
	f->hits[0].n_versions = 3;
	f->hits[0].matched_version = 1;
	snprintf(f->hits[0].date, sizeof(f->hits[0].date), "2025-04-19T10:00:00Z");
	f->hits[0].snip.text = (char *)"talks on the Durand Line";
	f->hits[0].snip.len = strlen(f->hits[0].snip.text);
	f->marks[0] = (snippet_mark){ 13, 19 };
	f->marks[1] = (snippet_mark){ 20, 24 };
	f->hits[0].snip.marks = f->marks;
	f->hits[0].snip.n_marks = 2;
	f->hits[0].snip.cut_start = 1;
	f->hits[0].snip.cut_end = 1;
	f->hits[1].d.paragraphs = f->paras;
	f->hits[1].d.n_paragraphs = 2;
	f->hits[1].d.agency = (char *)"AP";
	f->hits[1].d.version = 4;
	f->hits[1].n_versions = 1;
	f->hits[1].snip.text = (char *)"More";
	f->hits[1].snip.len = 4;
	f->empty[0] = (char *)"";
	f->hits[2].d.headline = (char *)"";
	f->hits[2].d.paragraphs = f->empty;
	f->hits[2].d.n_paragraphs = 1;
	f->hits[2].n_versions = 2;
	f->hits[2].snip.text = (char *)"";
	f->hits[3].d.places = f->places;
	f->hits[3].d.n_places = 1;
	f->hits[3].withdrawn = 1;
	f->hits[3].n_versions = 2;
	f->hits[3].matched_version = 1;
	f->res.hits = f->hits;
	f->res.n_hits = 4;
	f->res.total = 1234;
	f->res.suggestion = (char *)"durand lime";
	for (size_t i = 0; i < 14; i++)
		f->agencies[i] = (search_facet_value){ agency_names[i], (uint32_t)(20 - i) };
	f->places_f[0] = (search_facet_value){ (char *)"Kabul", 7 };
	f->langs[0] = (search_facet_value){ (char *)"es", 3 };
	f->langs[1] = (search_facet_value){ (char *)"en", 2 };
	f->months[0] = (search_facet_value){ (char *)"2025-04", 2 };
	f->months[1] = (search_facet_value){ (char *)"2025-01", 5 };
	f->months[2] = (search_facet_value){ (char *)"2025-02", 0 };
	f->res.facets[0] = (search_facet){ "agency", f->agencies, 14 };
	f->res.facets[1] = (search_facet){ "place", f->places_f, 1 };
	f->res.facets[2] = (search_facet){ "language", f->langs, 2 };
	f->res.facets[3] = (search_facet){ "month", f->months, 3 };
	f->res.n_facets = 4;
	search_request_init(&f->req);
	f->req.offset = 20;
	assert_int_equal(cgi_params_init(&f->p), 0);
	set(&f->p, "q", "durand");
	set(&f->p, "agency", "EFE");
	set(&f->p, "lang", "es");
	set(&f->p, "to", "2025-04-30");
	set(&f->p, "page", "3");
}

static void fixture_release(struct fixture *f)
{
	cgi_params_release(&f->p);
}

static char *search_page(const cgi_params *p, const search_request *req,
			 const search_result *res)
{
	strbuf sb = STRBUF_INIT;

	assert_int_equal(html_page_search(&sb, p, req, res), 0);
	return strbuf_detach(&sb, NULL);
}

/* S holds A, and B after it. */
static void assert_in_order(const char *s, const char *a, const char *b)
{
	const char *x = strstr(s, a);

	if (!x || !strstr(x + strlen(a), b))
		fail_msg("expected '%s' then '%s' in:\n%s", a, b, s);
}

static void assert_has(const char *s, const char *want)
{
	if (!strstr(s, want))
		fail_msg("expected '%s' in:\n%s", want, s);
}

static void assert_lacks(const char *s, const char *unwanted)
{
	if (strstr(s, unwanted))
		fail_msg("did not expect '%s' in:\n%s", unwanted, s);
}

static void test_search_page_parts(void **state)
{
	struct fixture f;
	char *page;

	(void)state;
	fixture_init(&f);
	page = search_page(&f.p, &f.req, &f.res);
	assert_has(page, "<title>durand – wiresearch</title>");
	/* The form keeps the query and the filters. */
	assert_has(page, "name=\"q\" type=\"search\" maxlength=\"1000\" value=\"durand\"");
	assert_has(page, "<option value=\"relevance\" selected>");
	assert_has(page, "<option value=\"collapsed\" selected>");
	assert_has(page, "name=\"to\" type=\"date\" value=\"2025-04-30\"");
	assert_has(page, "<input type=\"hidden\" name=\"agency\" value=\"EFE\">");
	assert_has(page, "<input type=\"hidden\" name=\"lang\" value=\"es\">");
	assert_lacks(page, "name=\"place\"");
	assert_lacks(page, "name=\"per_page\"");
	/* The active filters, each with a link that removes it. */
	assert_has(page, "<p class=\"filters\">Filters: <a href=\"?q=durand&amp;lang=es&amp;"
			 "to=2025-04-30\" title=\"Remove this filter\">agency: EFE ✕</a>");
	assert_has(page, "<a href=\"?q=durand&amp;agency=EFE&amp;lang=es\" "
			 "title=\"Remove this filter\">to: 2025-04-30 ✕</a></p>");
	assert_has(page, "<p class=\"count\" role=\"status\"><strong>1234</strong> stories, "
			 "showing 21–24</p>");
	assert_has(page, "Did you mean <a href=\"?q=durand%20lime&amp;agency=EFE&amp;lang=es"
			 "&amp;to=2025-04-30\">durand lime</a>?");
	assert_has(page, "<ol class=\"hits\" start=\"21\">");
	/* Hit 0: linked headline, all the meta, a marked snippet cut both ends. */
	assert_has(page, "<li class=\"hit\"><h2><a href=\"?id=efe-1&amp;q=durand\">"
			 "Durand Line &amp; Kabul</a></h2>\n<p class=\"meta\"><time "
			 "datetime=\"2025-04-19T10:00:00Z\">2025-04-19</time> · EFE · Kabul, "
			 "Islamabad · version 2 of 3 · matched in version 1 of 3</p>\n"
			 "<p class=\"snippet\">… talks on the <mark>Durand Line</mark> …</p>");
	/* Hit 1: no id, the first sentence as headline, one version only. */
	assert_has(page, "<li class=\"hit\"><h2>Durand Line talks resumed.</h2>\n"
			 "<p class=\"meta\">AP</p>\n<p class=\"snippet\">More</p>");
	/* Hit 2: nothing to show but that; no number is version 1. */
	assert_has(page, "<li class=\"hit\"><h2>(no headline)</h2>\n<p class=\"meta\">"
			 "version 1 of 2</p>\n</li>");
	/* Hit 3: places first, withdrawn, the matched version is the shown one. */
	assert_has(page, "<p class=\"meta\">Kabul · version 1 of 2 · "
			 "<strong>withdrawn</strong></p>");
	/* Facets: the active agency is not a link, at most 12 values. */
	assert_has(page, "<li><strong>EFE</strong> <span class=\"n\">20</span></li>");
	assert_has(page, "<li><a href=\"?q=durand&amp;agency=AP&amp;lang=es&amp;"
			 "to=2025-04-30\">AP</a> <span class=\"n\">19</span></li>");
	assert_has(page, ">APA</a>");
	assert_lacks(page, ">Belga<");
	assert_has(page, "<h2>Place</h2><ul>\n<li><a href=\"?q=durand&amp;agency=EFE&amp;"
			 "place=Kabul&amp;lang=es&amp;to=2025-04-30\">Kabul</a>");
	assert_has(page, "<li><strong>es</strong> <span class=\"n\">3</span></li>");
	/* The chart: every month from January to April, empty ones included. */
	assert_has(page, "aria-label=\"Bar chart of hits per month from 2025-01 to 2025-04, "
			 "at most 5 in a month\"");
	assert_in_order(page, "2025-01: 5", "2025-02: 0");
	assert_in_order(page, "2025-02: 0", "2025-03: 0");
	assert_in_order(page, "2025-03: 0", "2025-04: 2");
	assert_has(page, "height=\"0.00\"><title>2025-02: 0");
	assert_has(page, "<figcaption>2025-01 to 2025-04</figcaption>");
	/* Pages: 124 of them at 10 a page, capped at 100; on page 3. */
	assert_has(page, "rel=\"prev\">← Previous</a>");
	assert_has(page, "<span aria-current=\"page\">3</span>");
	assert_has(page, ">6</a><span>…</span><a href=\"?q=durand&amp;agency=EFE&amp;"
			 "lang=es&amp;to=2025-04-30&amp;page=100\">100</a>");
	assert_has(page, "page=4\" rel=\"next\">Next →</a>");
	assert_lacks(page, "<script");
	free(page);
	fixture_release(&f);
}

/* The count's noun, the version shown with every version listed, and the
 * pages of a short result. */
static void test_search_page_variants(void **state)
{
	struct fixture f;
	char *page;

	(void)state;
	fixture_init(&f);
	f.req.all_versions = 1;
	f.req.offset = 0;
	f.res.total = 1;
	f.res.n_hits = 3;
	f.res.suggestion = NULL;
	f.res.facets[0].n = 0;
	f.res.facets[1] = (search_facet){ "month", f.months, 0 };
	f.res.n_facets = 2;
	cgi_params_release(&f.p);
	assert_int_equal(cgi_params_init(&f.p), 0);
	set(&f.p, "versions", "all");
	set(&f.p, "sort", "-date");
	set(&f.p, "per_page", "5");
	set(&f.p, "place", "Kabul");
	set(&f.p, "from", "2025-01-01");
	page = search_page(&f.p, &f.req, &f.res);
	assert_has(page, "<title>wiresearch</title>");
	assert_has(page, "<strong>1</strong> version, showing 1–3</p>");
	assert_has(page, "<option value=\"-date\" selected>");
	assert_has(page, "<option value=\"all\" selected>");
	assert_has(page, "<input type=\"hidden\" name=\"per_page\" value=\"5\">");
	assert_has(page, "Filters: <a href=\"?from=2025-01-01&amp;sort=-date&amp;versions=all&amp;per_page=5\" "
			 "title=\"Remove this filter\">place: Kabul ✕</a>");
	assert_has(page, "from: 2025-01-01 ✕</a></p>");
	/* Every version listed: the single version's number is shown. */
	assert_has(page, "<p class=\"meta\">AP · version 4</p>");
	assert_has(page, "<h2>(no headline)</h2>\n<p class=\"meta\">version 1 of 2</p>");
	assert_lacks(page, "Did you mean");
	assert_lacks(page, "<nav");
	/* An empty facet list and no month facet: an empty aside. */
	assert_has(page, "<aside class=\"facets\" aria-label=\"Refine the search\">\n</aside>");
	f.hits[1].d.agency = NULL;
	free(page);
	page = search_page(&f.p, &f.req, &f.res);
	assert_has(page, "<p class=\"meta\">version 4</p>");
	free(page);
	/* No number to show. */
	f.hits[1].d.version = 0;
	page = search_page(&f.p, &f.req, &f.res);
	assert_has(page, "<h2>Durand Line talks resumed.</h2>\n<p class=\"meta\"></p>");
	free(page);
	f.res.total = 2;
	page = search_page(&f.p, &f.req, &f.res);
	assert_has(page, "<strong>2</strong> versions");
	free(page);
	f.req.all_versions = 0;
	f.res.total = 1;
	f.res.n_hits = 0;
	f.res.n_facets = 1;
	page = search_page(&f.p, &f.req, &f.res);
	assert_has(page, "<strong>1</strong> story</p>");
	assert_has(page, "<p>No dispatch matches.");
	assert_lacks(page, "<figure");
	free(page);
	f.res.n_facets = 0;
	page = search_page(&f.p, &f.req, &f.res);
	assert_lacks(page, "<aside");
	free(page);
	f.res.total = 0;
	f.req.all_versions = 1;
	page = search_page(&f.p, &f.req, &f.res);
	assert_has(page, "<strong>0</strong> versions</p>");
	free(page);
	fixture_release(&f);
}

/* The title is the query cut at 60 bytes, never inside a character. */
static void test_search_page_title_cut(void **state)
{
	cgi_params p;
	char q[80];
	char *page;

	(void)state;
	/* 59 ASCII bytes then "é" across the cut. */
	memset(q, 'a', 59);
	memcpy(q + 59, "\xc3\xa9xyz", 6);
	assert_int_equal(cgi_params_init(&p), 0);
	set(&p, "q", q);
	page = search_page(&p, NULL, NULL);
	assert_has(page, "<title>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa… – "
			 "wiresearch</title>");
	assert_has(page, "Search news-agency dispatches: type words");
	free(page);
	cgi_params_release(&p);
	/* Exactly 60 bytes: whole, no ellipsis. */
	memset(q, 'b', 60);
	q[60] = '\0';
	assert_int_equal(cgi_params_init(&p), 0);
	set(&p, "q", q);
	page = search_page(&p, NULL, NULL);
	assert_has(page, "bbbbbbbbbb – wiresearch</title>");
	free(page);
	cgi_params_release(&p);
}

/* Bars: months in order, or when the values are not all months (or span
 * too many), the values as they are in byte order. */
static void test_month_chart_forms(void **state)
{
	search_facet_value one[] = { { (char *)"2025-04", 3 } };
	search_facet_value odd[] = { { (char *)"2025-13", 1 }, { (char *)"2025-00", 2 },
				     { (char *)"2025-4", 4 } };
	search_facet_value zero[] = { { (char *)"2025-00", 1 } };
	search_facet_value thirteen[] = { { (char *)"2025-01", 1 }, { (char *)"2025-13", 1 } };
	search_facet_value slash[] = { { (char *)"2025-01", 1 }, { (char *)"2025-/4", 1 } };
	search_facet_value none[] = { { (char *)"2025-01", 0 }, { (char *)"2025-03", 0 } };
	search_facet_value wide[] = { { (char *)"2025-04", 1 }, { (char *)"1990-01", 2 } };
	search_facet_value bad[] = { { (char *)"2025-04x", 1 }, { (char *)"20a5-04", 2 },
				     { (char *)"2025/04", 3 } };
	search_facet_value tiny[] = { { (char *)"2025-01", 1000 }, { (char *)"2025-02", 1 } };
	search_request req;
	search_result res;
	cgi_params p;
	char *page;

	(void)state;
	search_request_init(&req);
	memset(&res, 0, sizeof(res));
	res.n_facets = 1;
	assert_int_equal(cgi_params_init(&p), 0);
	res.facets[0] = (search_facet){ "month", one, 1 };
	page = search_page(&p, &req, &res);
	assert_has(page, "from 2025-04 to 2025-04, at most 3 in a month");
	assert_has(page, "<figcaption>2025-04</figcaption>");
	assert_lacks(page, "text-anchor=\"end\"");
	free(page);
	res.facets[0] = (search_facet){ "month", odd, 3 };
	page = search_page(&p, &req, &res);
	assert_in_order(page, "2025-00: 2", "2025-13: 1");
	assert_in_order(page, "2025-13: 1", "2025-4: 4");
	free(page);
	res.facets[0] = (search_facet){ "month", wide, 2 };
	page = search_page(&p, &req, &res);
	assert_has(page, "<figcaption>1990-01 to 2025-04</figcaption>");
	assert_lacks(page, "1990-02");
	free(page);
	res.facets[0] = (search_facet){ "month", bad, 3 };
	page = search_page(&p, &req, &res);
	assert_in_order(page, "2025-04x: 1", "2025/04: 3");
	assert_in_order(page, "2025/04: 3", "20a5-04: 2");
	free(page);
	/* Not months either. */
	res.facets[0] = (search_facet){ "month", zero, 1 };
	page = search_page(&p, &req, &res);
	assert_has(page, "<figcaption>2025-00</figcaption>");
	free(page);
	res.facets[0] = (search_facet){ "month", thirteen, 2 };
	page = search_page(&p, &req, &res);
	assert_has(page, "<figcaption>2025-01 to 2025-13</figcaption>");
	assert_lacks(page, "2025-02");
	free(page);
	res.facets[0] = (search_facet){ "month", slash, 2 };
	page = search_page(&p, &req, &res);
	assert_has(page, "<figcaption>2025-/4 to 2025-01</figcaption>");
	free(page);
	/* Nothing counted: no bar has any height. */
	res.facets[0] = (search_facet){ "month", none, 2 };
	page = search_page(&p, &req, &res);
	assert_has(page, "at most 0 in a month");
	assert_has(page, "height=\"0.00\"><title>2025-02: 0");
	assert_lacks(page, "height=\"1");
	free(page);
	/* A bar of 1 in 1000 is still drawn, one unit high. */
	res.facets[0] = (search_facet){ "month", tiny, 2 };
	page = search_page(&p, &req, &res);
	assert_has(page, "height=\"1.00\"><title>2025-02: 1");
	free(page);
	cgi_params_release(&p);
}

struct pages_row {
	unsigned total, per_page, page;
	const char *want;  /* the <nav>, "" when none */
};

/* The page links: previous, first, gap, a window of 3 each side, gap,
 * last, next; at most 1000 results deep. */
static void test_page_links(void **state)
{
	static const struct pages_row rows[] = {
		{ 10, 10, 1, "" },
		/* A page past the only one: the way back. */
		{ 5, 10, 2, "<a href=\"?page=1\" rel=\"prev\">← Previous</a>"
			    "<a href=\"?page=1\">1</a>\n</nav>" },
		{ 0, 10, 1, "" },
		{ 11, 10, 1, "<span aria-current=\"page\">1</span><a href=\"?page=2\">2</a>"
			     "<a href=\"?page=2\" rel=\"next\">Next →</a>" },
		{ 11, 10, 2, "<a href=\"?page=1\" rel=\"prev\">← Previous</a>"
			     "<a href=\"?page=1\">1</a><span aria-current=\"page\">2</span>" },
		{ 100, 10, 5, "<a href=\"?page=4\" rel=\"prev\">← Previous</a>"
			      "<a href=\"?page=1\">1</a><a href=\"?page=2\">2</a>"
			      "<a href=\"?page=3\">3</a><a href=\"?page=4\">4</a>"
			      "<span aria-current=\"page\">5</span><a href=\"?page=6\">6</a>"
			      "<a href=\"?page=7\">7</a><a href=\"?page=8\">8</a>"
			      "<span>…</span><a href=\"?page=10\">10</a>"
			      "<a href=\"?page=6\" rel=\"next\">Next →</a>" },
		{ 100, 10, 6, "<a href=\"?page=5\" rel=\"prev\">← Previous</a>"
			      "<a href=\"?page=1\">1</a><span>…</span><a href=\"?page=3\">3</a>"
			      "<a href=\"?page=4\">4</a><a href=\"?page=5\">5</a>"
			      "<span aria-current=\"page\">6</span><a href=\"?page=7\">7</a>"
			      "<a href=\"?page=8\">8</a><a href=\"?page=9\">9</a>"
			      "<a href=\"?page=10\">10</a>"
			      "<a href=\"?page=7\" rel=\"next\">Next →</a>" },
		{ 100, 10, 7, "<a href=\"?page=1\">1</a><span>…</span><a href=\"?page=4\">4</a>" },
		{ 100, 10, 10, "<a href=\"?page=9\">9</a><span aria-current=\"page\">10</span>\n" },
		/* Past the last page (a stale link): only the way back. */
		{ 20, 10, 9, "<a href=\"?page=8\" rel=\"prev\">← Previous</a>"
			     "<a href=\"?page=1\">1</a><span>…</span>\n</nav>" },
		/* Deeper than 1000 results: the last link is page 1000 / per_page. */
		{ 50000, 100, 1, "<a href=\"?per_page=100&amp;page=10\">10</a>"
				 "<a href=\"?per_page=100&amp;page=2\" rel=\"next\">" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		search_request req;
		search_result res;
		cgi_params p;
		char num[16];
		char *page;

		search_request_init(&req);
		memset(&res, 0, sizeof(res));
		res.total = rows[i].total;
		assert_int_equal(cgi_params_init(&p), 0);
		snprintf(num, sizeof(num), "%u", rows[i].per_page);
		set(&p, "per_page", num);
		snprintf(num, sizeof(num), "%u", rows[i].page);
		set(&p, "page", num);
		page = search_page(&p, &req, &res);
		if (!rows[i].want[0]) {
			assert_lacks(page, "<nav");
		} else if (!strstr(page, rows[i].want)) {
			fail_msg("pages row %zu: expected '%s' in:\n%s", i, rows[i].want,
				 strstr(page, "<nav") ? strstr(page, "<nav") : page);
		}
		free(page);
		cgi_params_release(&p);
	}
}

/* ------------------------------------------------------------------ */
/* The story page. */

static char *story_page(const cgi_params *p, const search_result *v,
			const query_highlight *hl)
{
	strbuf sb = STRBUF_INIT;

	assert_int_equal(html_page_story(&sb, p, v, hl), 0);
	return strbuf_detach(&sb, NULL);
}

struct story {
	char *places[2];
	char *paras[2];
	search_hit v[3];
	search_result res;
	const char *terms[1];
	const char *phrase[2];
	query_phrase phrases[1];
	query_highlight hl;
	cgi_params p;
};

static void story_init(struct story *s)
{
	memset(s, 0, sizeof(*s));
	s->places[0] = (char *)"Kabul";
	s->places[1] = (char *)"Islamabad";
	s->paras[0] = (char *)"Talks on the Durand Line <resumed>.";
	s->paras[1] = (char *)"Pakistan said so.";
	/* Version 1, then 3 (current), then an older copy without a number. */
	s->v[0].d.id = (char *)"efe-1";
	s->v[0].d.version = 1;
	s->v[0].d.headline = (char *)"Durand talks (first)";
	s->v[0].d.paragraphs = s->paras;
	s->v[0].d.n_paragraphs = 1;
	snprintf(s->v[0].date, sizeof(s->v[0].date), "2025-04-18T09:00:00Z");
	s->v[1].d.id = (char *)"efe-1";
	s->v[1].d.version = 3;
	s->v[1].d.headline = (char *)"Durand Line talks resume";
	s->v[1].d.agency = (char *)"EFE";
	s->v[1].d.places = s->places;
	s->v[1].d.n_places = 2;
	s->v[1].d.language = (char *)"en";
	s->v[1].d.byline = (char *)"By A. Writer";
	s->v[1].d.dateline = (char *)"KABUL, April 19";
	s->v[1].d.paragraphs = s->paras;
	s->v[1].d.n_paragraphs = 2;
	s->v[1].d.signoff = (char *)"EFE <ab>";
	s->v[1].withdrawn = 1;
	snprintf(s->v[1].date, sizeof(s->v[1].date), "2025-04-19T10:00:00Z");
	s->v[2].d.id = (char *)"efe-1";
	s->res.hits = s->v;
	s->res.n_hits = 3;
	s->terms[0] = "pakistan";
	s->phrase[0] = "durand";
	s->phrase[1] = "line";
	s->phrases[0] = (query_phrase){ s->phrase, 2 };
	s->hl = (query_highlight){ s->terms, 1, s->phrases, 1 };
	assert_int_equal(cgi_params_init(&s->p), 0);
	set(&s->p, "q", "\"durand line\" pakistan");
	set(&s->p, "agency", "EFE");
}

static void test_story_page(void **state)
{
	struct story s;
	char *page;

	(void)state;
	story_init(&s);
	page = story_page(&s.p, &s.res, &s.hl);
	assert_has(page, "<title>Durand Line talks resume</title>");
	assert_has(page, "<a href=\"?q=%22durand%20line%22%20pakistan&amp;agency=EFE\">"
			 "← Back to the search</a>");
	assert_has(page, "<article class=\"story\">\n<h1><mark>Durand Line</mark> talks "
			 "resume</h1>\n<p class=\"meta\"><time datetime=\"2025-04-19T10:00:00Z\">"
			 "2025-04-19</time> · EFE · Kabul, Islamabad · version 3 · language en"
			 " · <strong>withdrawn</strong></p>\n<p class=\"byline\">By A. Writer</p>\n"
			 "<p class=\"dateline\">KABUL, April 19</p>\n<p>Talks on the <mark>Durand "
			 "Line</mark> &lt;resumed&gt;.</p>\n<p><mark>Pakistan</mark> said so.</p>\n"
			 "<p class=\"meta\">EFE &lt;ab&gt;</p>\n</article>");
	assert_has(page, "<h2>Versions (3)</h2>");
	assert_has(page, "<li value=\"1\">2025-04-18 · Durand talks (first)<details><summary>"
			 "Read version 1</summary>\n<h3>Durand talks (first)</h3>\n"
			 "<p class=\"meta\"><time datetime=\"2025-04-18T09:00:00Z\">2025-04-18</time>"
			 " · version 1</p>\n<p>Talks on the <mark>Durand Line</mark> &lt;resumed&gt;."
			 "</p>\n</details></li>");
	assert_has(page, "<li value=\"3\"><strong>shown above</strong> · 2025-04-19 · "
			 "Durand Line talks resume</li>");
	/* No version number, no date, no text. */
	assert_has(page, "<li value=\"1\"><details><summary>Read version 1</summary>\n"
			 "<h3>(no headline)</h3>\n<p class=\"meta\">version 1</p>\n</details></li>");
	free(page);
	/* Without highlights, and with two versions numbered alike: the later
	 * one is current. */
	s.v[2].d.version = 3;
	s.v[2].d.headline = (char *)"Durand copy";
	page = story_page(&s.p, &s.res, NULL);
	assert_has(page, "<h1>Durand copy</h1>");
	assert_has(page, "<p>Talks on the Durand Line &lt;resumed&gt;.</p>");
	assert_has(page, "<li value=\"3\"><strong>shown above</strong> · Durand copy</li>");
	free(page);
	cgi_params_release(&s.p);
}

/* A story without any text is still a page; no versions at all is a 404. */
static void test_story_page_empty(void **state)
{
	search_hit h;
	search_result res;
	cgi_params p;
	char *no_text[1] = { NULL };
	char *page;
	strbuf sb = STRBUF_INIT;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.d.paragraphs = no_text;
	h.d.n_paragraphs = 1;
	memset(&res, 0, sizeof(res));
	res.hits = &h;
	res.n_hits = 1;
	assert_int_equal(cgi_params_init(&p), 0);
	page = story_page(&p, &res, NULL);
	assert_has(page, "<title>Dispatch</title>");
	assert_has(page, "<a href=\"?\">← Back to the search</a>");
	assert_has(page, "<h1>(no headline)</h1>\n<p class=\"meta\">version 1</p>\n<p></p>\n"
			 "</article>");
	free(page);
	res.n_hits = 0;
	assert_int_equal(html_page_story(&sb, &p, &res, NULL), 0);
	assert_has(strbuf_str(&sb), "<title>Error 404 – wiresearch</title>");
	assert_has(strbuf_str(&sb), "<p>There is no dispatch with this id.</p>");
	strbuf_release(&sb);
	cgi_params_release(&p);
}

/* Without parameters the error page has the default form; with them it
 * keeps the search. */
static void test_error_page(void **state)
{
	strbuf sb = STRBUF_INIT;
	cgi_params p;
	const char *page;

	(void)state;
	assert_int_equal(html_page_error(&sb, NULL, 500, "Out of <memory>."), 0);
	page = strbuf_str(&sb);
	assert_has(page, "<title>Error 500 – wiresearch</title>");
	assert_has(page, "maxlength=\"1000\" value=\"\">");
	assert_has(page, "<option value=\"relevance\" selected>");
	assert_has(page, "<option value=\"collapsed\" selected>");
	assert_has(page, "<div class=\"error\" role=\"alert\"><h1>Error 500</h1>\n"
			 "<p>Out of &lt;memory&gt;.</p></div>");
	assert_lacks(page, "Filters:");
	assert_has(page, "</footer>\n</body>\n</html>\n");
	strbuf_reset(&sb);
	assert_int_equal(cgi_params_init(&p), 0);
	set(&p, "q", "x");
	set(&p, "sort", "date");
	set(&p, "place", "Kabul");
	assert_int_equal(html_page_error(&sb, &p, 400, NULL), 0);
	page = strbuf_str(&sb);
	assert_has(page, "value=\"x\">");
	assert_has(page, "<option value=\"date\" selected>");
	assert_has(page, "<option value=\"relevance\">");
	assert_has(page, "<h1>Error 400</h1>\n<p></p>");
	assert_has(page, "place: Kabul ✕</a></p>");
	strbuf_release(&sb);
	cgi_params_release(&p);
}

/* ------------------------------------------------------------------ */
/* Running out of memory anywhere. */

typedef int (*render_fn)(strbuf *out, const void *ctx);

/* Render with OUT limited to CAP bytes (growing it allocates) and the
 * K-th allocation from now on failing, and every later one (none when K
 * is 0).  *MADE (may be NULL) gets the number of allocations tried. */
static int render_limited(render_fn fn, const void *ctx, size_t cap,
			  unsigned long k, strbuf *out, unsigned long *made)
{
	unsigned long n;
	int r;

	out->buf = malloc(cap + 1);
	assert_non_null(out->buf);
	out->buf[0] = '\0';
	out->len = 0;
	out->cap = cap + 1;
	wire_alloc_fail_at(k, 1);
	r = fn(out, ctx);
	n = wire_alloc_fail_at(0, 0);
	if (made)
		*made = n;
	return r;
}

/* Whatever allocation fails (the output growing at any byte, or any other
 * allocation on the way), FN returns -1 with a prefix of the whole page in
 * OUT, or succeeds with the whole page: never a different page, a crash or
 * a leak. */
static void assert_fails_cleanly(render_fn fn, const void *ctx)
{
	strbuf full = STRBUF_INIT, sb;
	unsigned long others;
	size_t failed = 0;

	wire_alloc_fail_at(0, 0);
	assert_int_equal(fn(&full, ctx), 0);
	/* The allocations other than the output's. */
	assert_int_equal(render_limited(fn, ctx, full.len, 0, &sb, &others), 0);
	assert_int_equal(sb.len, full.len);
	strbuf_release(&sb);
	for (size_t cap = 0; cap <= full.len; cap++) {
		for (unsigned long k = 1; k <= others + 1; k++) {
			int r = render_limited(fn, ctx, cap, k, &sb, NULL);

			if (r == 0) {
				assert_int_equal(sb.len, full.len);
				assert_memory_equal(sb.buf, full.buf, full.len);
			} else {
				assert_int_equal(r, -1);
				assert_true(sb.len <= full.len);
				assert_memory_equal(sb.buf, full.buf, sb.len);
				failed++;
			}
			strbuf_release(&sb);
		}
	}
	assert_true(failed >= full.len);
	strbuf_release(&full);
}

static int render_search(strbuf *out, const void *ctx)
{
	const struct fixture *f = ctx;

	return html_page_search(out, &f->p, &f->req, &f->res);
}

static int render_search_form(strbuf *out, const void *ctx)
{
	return html_page_search(out, ctx, NULL, NULL);
}

static int render_story(strbuf *out, const void *ctx)
{
	const struct story *s = ctx;

	return html_page_story(out, &s->p, &s->res, &s->hl);
}

static int render_error(strbuf *out, const void *ctx)
{
	return html_page_error(out, ctx, 404, "No <such> page.");
}

static int render_href_id(strbuf *out, const void *ctx)
{
	return html_href(out, ctx, "id", "efe 1");
}

static void test_out_of_memory_anywhere(void **state)
{
	struct fixture f;
	struct story s;
	cgi_params p;

	(void)state;
	fixture_init(&f);
	/* Every filter, so the filter line and hidden fields are built. */
	set(&f.p, "place", "Kabul");
	set(&f.p, "from", "2025-01-01");
	set(&f.p, "per_page", "20");
	set(&f.p, "sort", "date");
	set(&f.p, "versions", "all");
	assert_fails_cleanly(render_search, &f);
	/* Far into the pages, every version listed, a chart of values that
	 * are not months. */
	f.p.page = 7;
	f.req.all_versions = 1;
	f.months[1].value = (char *)"2025-1x";
	assert_fails_cleanly(render_search, &f);
	f.months[1].value = (char *)"2025-01";
	f.req.all_versions = 0;
	/* The no-hits message, and a chart of a single month. */
	f.res.n_hits = 0;
	f.res.facets[3].n = 1;
	assert_fails_cleanly(render_search, &f);
	assert_fails_cleanly(render_search_form, &f.p);
	assert_fails_cleanly(render_error, NULL);
	assert_fails_cleanly(render_error, &f.p);
	assert_fails_cleanly(render_href_id, &f.p);
	fixture_release(&f);
	story_init(&s);
	assert_fails_cleanly(render_story, &s);
	cgi_params_release(&s.p);
	assert_int_equal(cgi_params_init(&p), 0);
	assert_fails_cleanly(render_href_id, &p);
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
		cmocka_unit_test(test_href_keeps_every_parameter),
		cmocka_unit_test(test_marked_merging_rules),
		cmocka_unit_test(test_search_page_parts),
		cmocka_unit_test(test_search_page_variants),
		cmocka_unit_test(test_search_page_title_cut),
		cmocka_unit_test(test_month_chart_forms),
		cmocka_unit_test(test_page_links),
		cmocka_unit_test(test_story_page),
		cmocka_unit_test(test_story_page_empty),
		cmocka_unit_test(test_error_page),
		cmocka_unit_test(test_out_of_memory_anywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
