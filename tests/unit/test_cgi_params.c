/*
 * test_cgi_params.c - decoding and checking the CGI's parameters, as a
 * table: each row is a query string and what must come of it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "cgi_params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* NULL in a string column: "don't care". */
struct row {
	const char *in;
	int status;
	const char *q;
	unsigned page, per_page;   /* 0: don't care */
	const char *agency, *place, *lang, *from, *to, *id;
};

#define OK CGI_OK
#define BAD CGI_BAD_REQUEST

static const struct row rows[] = {
	/* valid, '+', %20, case of hex digits */
	{ "q=durand", OK, "durand", 1, 10, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=Durand+Line", OK, "Durand Line", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=Durand%20Line", OK, "Durand Line", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=a%2Bb", OK, "a+b", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=a%2bb%3d%26", OK, "a+b=&", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=caf%C3%A9", OK, "café", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=%E2%80%9Cx%E2%80%9D", OK, "“x”", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=%F0%9F%98%80", OK, "😀", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=a=b", OK, "a=b", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=x;page=2", OK, "x;page=2", 1, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	/* invalid escapes */
	{ "q=%zz", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=%4", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=%", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=abc%", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=%g0", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=%%41", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=%zz", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	/* invalid UTF-8: lone continuation, overlong '<', surrogate, past
	 * U+10FFFF, truncated sequence, 0xff */
	{ "q=%80", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=%C0%BC", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=%E0%80%BC", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=%ED%A0%80", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=%F4%90%80%80", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=%C3", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=%E2%80", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=%FF", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "agency=%FE", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	/* NUL */
	{ "q=a%00b", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "place=%00", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	/* control characters become spaces */
	{ "q=a%0D%0ASet-Cookie:x", OK, "a  Set-Cookie:x", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=a%09b%7Fc", OK, "a b c", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	/* oversized */
	{ "q=" "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789",
	  BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	/* repeated: the first wins, even when empty */
	{ "q=first&q=second", OK, "first", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=&q=second", OK, "", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=2&page=3", OK, "", 2, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=2&page=abc", OK, "", 2, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "agency=EFE&agency=AP", OK, NULL, 0, 0, "EFE", NULL, NULL, NULL, NULL, NULL },
	{ "q=a&q=%zz", OK, "a", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	/* a name that does not decode is no name of ours */
	{ "%zz=x&q=y", OK, "y", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q%=x&q=y", OK, "y", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	/* empty values and pairs */
	{ "", OK, "", 1, 10, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "&&&", OK, "", 1, 10, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q=", OK, "", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "q", OK, "", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "=x&q=y", OK, "y", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=&per_page=&from=&to=&agency=&lang=", OK, "", 1, 10, NULL, NULL, NULL, "", "", NULL },
	{ "agency=+++", OK, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	/* unknown parameters are ignored, bad values and all */
	{ "foo=bar&q=x", OK, "x", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "utm=%zz&x=%00&y=%C0%BC&q=ok", OK, "ok", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "Q=upper&q=lower", OK, "lower", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "%71=encoded-name", OK, "encoded-name", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "db=/etc&q=x", OK, "x", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	/* numbers */
	{ "page=1", OK, NULL, 1, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=007", OK, NULL, 7, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=100", OK, NULL, 100, 10, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=-1", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=0", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=1e9", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=1000000000", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=18446744073709551616", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=4294967297", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=abc", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=+1", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=%2B1", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=1.0", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=0x10", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=1%20", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "per_page=0", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "per_page=101", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "per_page=100", OK, NULL, 1, 100, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "per_page=1", OK, NULL, 1, 1, NULL, NULL, NULL, NULL, NULL, NULL },
	/* page depth: page * per_page <= 1000 */
	{ "page=10&per_page=100", OK, NULL, 10, 100, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=11&per_page=100", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=101", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "page=1000&per_page=1", OK, NULL, 1000, 1, NULL, NULL, NULL, NULL, NULL, NULL },
	/* enumerations */
	{ "sort=relevance&versions=all&format=json", OK, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "sort=-date", OK, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "sort=date&versions=collapsed&format=html", OK, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "sort=DATE", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "sort=date%00", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "versions=some", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "format=xml", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "format=<script>", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	/* filters */
	{ "agency=EFE&place=Buenos+Aires&lang=es", OK, NULL, 0, 0, "EFE", "Buenos Aires", "es", NULL, NULL, NULL },
	{ "agency=E%22FE", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "place=%E2%80%9Dx", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "place=a%5Cb", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "id=abc%22)+OR+(x", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "id=efe-2025-04-19", OK, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, "efe-2025-04-19" },
	{ "lang=e+s", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "lang=en:x", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "lang=pt-BR", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "lang=Spanish", OK, NULL, 0, 0, NULL, NULL, "Spanish", NULL, NULL, NULL },
	{ "lang=abcdefghijklmnopqrst", OK, NULL, 0, 0, NULL, NULL, "abcdefghijklmnopqrst", NULL, NULL, NULL },
	{ "lang=abcdefghijklmnopqrstu", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "lang=a%5Bb", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "lang=a%7B", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "lang=%40", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "lang=ZZ", OK, NULL, 0, 0, NULL, NULL, "ZZ", NULL, NULL, NULL },
	/* every double quote a query could read as one: "«»“”„‟″＂ */
	{ "agency=%C2%AB", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "agency=x%C2%BB", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "place=%E2%80%9C", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "place=%E2%80%9E", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "place=%E2%80%9F", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "place=%E2%80%B3", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "id=%EF%BC%82", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	/* and their neighbours, which are text: nbsp, – … ‛ € ！ � */
	{ "agency=a%C2%A0b", OK, NULL, 0, 0, "a\xc2\xa0" "b", NULL, NULL, NULL, NULL, NULL },
	{ "place=a%E2%80%93b", OK, NULL, 0, 0, NULL, "a\xe2\x80\x93" "b", NULL, NULL, NULL, NULL },
	{ "place=a%E2%80%A6", OK, NULL, 0, 0, NULL, "a\xe2\x80\xa6", NULL, NULL, NULL, NULL },
	{ "place=%E2%80%9B", OK, NULL, 0, 0, NULL, "\xe2\x80\x9b", NULL, NULL, NULL, NULL },
	{ "place=%E2%82%AC1", OK, NULL, 0, 0, NULL, "\xe2\x82\xac" "1", NULL, NULL, NULL, NULL },
	{ "id=%EF%BC%81", OK, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, "\xef\xbc\x81" },
	{ "id=%EF%BF%BD", OK, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, "\xef\xbf\xbd" },
	/* dates */
	{ "from=2025-04-01&to=2025-04-30", OK, NULL, 0, 0, NULL, NULL, NULL, "2025-04-01", "2025-04-30", NULL },
	{ "from=2024-02-29", OK, NULL, 0, 0, NULL, NULL, NULL, "2024-02-29", "", NULL },
	{ "from=2025-02-29", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "from=2025-13-01", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "from=2025-4-1", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "to=20250401", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "to=2025-04-01T00", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "from=2025x04-01", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "from=2025-04x01", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "from=2025-0a-01", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "to=2025-0%2F-01", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "from=0999-01-01", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	/* before 1970 too, as in the query language */
	{ "from=1000-01-01&to=1969-12-31", OK, NULL, 0, 0, NULL, NULL, NULL, "1000-01-01", "1969-12-31", NULL },
	{ "from=1969-02-29", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "from=2025-05-01&to=2025-04-01", BAD, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL },
};

static int eq_or_null(const char *want, const char *got)
{
	if (!want)
		return 1;
	return !strcmp(want, got ? got : "");
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		cgi_params p;
		const char *why = NULL;
		enum cgi_status st;

		assert_int_equal(cgi_params_init(&p), 0);
		st = cgi_params_parse(&p, r->in, strlen(r->in), &why);
		if (st == CGI_OK)
			st = cgi_params_check(&p, &why);
		if ((int)st != r->status) {
			fprintf(stderr, "row %zu '%.60s': status %d, expected %d\n", i,
				r->in, st, r->status);
			fail();
		}
		if (st != CGI_OK) {
			/* A fixed reason that never repeats the input. */
			assert_non_null(why);
			assert_true(strlen(why) > 10);
			assert_null(strchr(why, '<'));
			assert_null(strchr(why, '%'));
		} else {
			if (!eq_or_null(r->q, p.q) || !eq_or_null(r->agency, p.agency) ||
			    !eq_or_null(r->place, p.place) || !eq_or_null(r->lang, p.lang) ||
			    !eq_or_null(r->from, p.from) || !eq_or_null(r->to, p.to) ||
			    !eq_or_null(r->id, p.id) || (r->page && r->page != p.page) ||
			    (r->per_page && r->per_page != p.per_page)) {
				fprintf(stderr, "row %zu '%.60s': got q='%s' page=%u per_page=%u "
					"agency=%s place=%s lang=%s from=%s to=%s id=%s\n",
					i, r->in, p.q, p.page, p.per_page,
					p.agency ? p.agency : "(null)", p.place ? p.place : "(null)",
					p.lang ? p.lang : "(null)", p.from, p.to,
					p.id ? p.id : "(null)");
				fail();
			}
			for (const char *c = p.q; *c; c++)
				assert_true((unsigned char)*c >= 0x20 && *c != 0x7f);
		}
		cgi_params_release(&p);
	}
}

static void test_enums(void **state)
{
	cgi_params p;
	const char *why;
	const char *in = "sort=-date&versions=all&format=json&page=3&per_page=20";

	(void)state;
	assert_int_equal(cgi_params_init(&p), 0);
	assert_int_equal(cgi_params_parse(&p, in, strlen(in), &why), CGI_OK);
	assert_int_equal(p.sort, SORT_DATE_DESC);
	assert_int_equal(p.all_versions, 1);
	assert_int_equal(p.format, CGI_FORMAT_JSON);
	assert_int_equal(p.page, 3);
	assert_int_equal(p.per_page, 20);
	assert_true(p.seen & CGI_P_SORT);
	assert_false(p.seen & CGI_P_Q);
	cgi_params_release(&p);
}

/* facets=0 turns the counts off, facets=1 (the default) on; anything
 * else is refused with a reason. */
static void test_facets(void **state)
{
	static const struct {
		const char *in;
		enum cgi_status status;
		int no_facets;
	} cases[] = {
		{ "q=x", CGI_OK, 0 },
		{ "q=x&facets=0", CGI_OK, 1 },
		{ "q=x&facets=1", CGI_OK, 0 },
		{ "facets=0&facets=1", CGI_OK, 1 },  /* the first wins */
		{ "facets=1&facets=0", CGI_OK, 0 },
		{ "facets=", CGI_OK, 0 },  /* empty: as if absent */
		{ "facets=no", CGI_BAD_REQUEST, 0 },
		{ "facets=00", CGI_BAD_REQUEST, 0 },
		{ "facets=%30", CGI_OK, 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cgi_params p;
		const char *why = NULL;

		assert_int_equal(cgi_params_init(&p), 0);
		assert_int_equal(cgi_params_parse(&p, cases[i].in, strlen(cases[i].in), &why),
				 cases[i].status);
		if (cases[i].status == CGI_OK) {
			assert_int_equal(p.no_facets, cases[i].no_facets);
			if (strstr(cases[i].in, "facets"))
				assert_true(p.seen & CGI_P_FACETS);
		} else {
			assert_non_null(why);
			assert_non_null(strstr(why, "facets"));
		}
		cgi_params_release(&p);
	}
}

/* The exact boundary of the q limit: 1000 bytes pass, 1001 fail. */
static void test_q_limit(void **state)
{
	char buf[1100];
	cgi_params p;
	const char *why;

	(void)state;
	memcpy(buf, "q=", 2);
	memset(buf + 2, 'a', 1001);
	assert_int_equal(cgi_params_init(&p), 0);
	assert_int_equal(cgi_params_parse(&p, buf, 2 + 1000, &why), CGI_OK);
	assert_int_equal(strlen(p.q), 1000);
	cgi_params_release(&p);
	assert_int_equal(cgi_params_init(&p), 0);
	assert_int_equal(cgi_params_parse(&p, buf, 2 + 1001, &why), CGI_BAD_REQUEST);
	cgi_params_release(&p);
}

/* A value with an embedded NUL byte given raw (shell mode). */
static void test_set_raw(void **state)
{
	cgi_params p;
	const char *why;

	(void)state;
	assert_int_equal(cgi_params_init(&p), 0);
	assert_int_equal(cgi_params_set(&p, "q", "a\0b", 3, &why), CGI_BAD_REQUEST);
	assert_int_equal(cgi_params_set(&p, "q", "\xc0\xbc", 2, &why), CGI_BAD_REQUEST);
	assert_int_equal(cgi_params_set(&p, "q", "Durand Line", 11, &why), CGI_OK);
	assert_string_equal(p.q, "Durand Line");
	assert_int_equal(cgi_params_set(&p, "q", "later", 5, &why), CGI_OK);
	assert_string_equal(p.q, "Durand Line");
	assert_int_equal(cgi_params_set(&p, "nonsense", "\xff", 1, &why), CGI_OK);
	cgi_params_release(&p);
}

static void test_decode(void **state)
{
	char *out;
	size_t len;
	const char *why;

	(void)state;
	assert_int_equal(cgi_decode("a+b%41%62", 9, &out, &len, &why), CGI_OK);
	assert_string_equal(out, "a bAb");
	assert_int_equal(len, 5);
	free(out);
	assert_int_equal(cgi_decode("", 0, &out, &len, &why), CGI_OK);
	assert_string_equal(out, "");
	free(out);
	/* LEN bounds the input: the '%' at the edge has no digits. */
	assert_int_equal(cgi_decode("%41", 2, &out, &len, &why), CGI_BAD_REQUEST);
	assert_null(out);
}

static void test_utf8(void **state)
{
	static const struct {
		const char *s;
		int valid;
	} t[] = {
		{ "plain", 1 }, { "caf\xc3\xa9", 1 }, { "\xe2\x82\xac", 1 },
		{ "\xf0\x9f\x98\x80", 1 }, { "\xef\xbf\xbf", 1 }, { "\xf4\x8f\xbf\xbf", 1 },
		{ "\xc0\xbc", 0 }, { "\xc1\xbf", 0 }, { "\xe0\x80\xbc", 0 },
		{ "\xf0\x80\x80\xbc", 0 }, { "\xed\xa0\x80", 0 }, { "\xed\xbf\xbf", 0 },
		{ "\xf4\x90\x80\x80", 0 }, { "\xf5\x80\x80\x80", 0 }, { "\xff", 0 },
		{ "\x80", 0 }, { "a\xc3", 0 }, { "\xe2\x82", 0 }, { "\xc3\x28", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (cgi_utf8_valid(t[i].s, strlen(t[i].s)) != t[i].valid) {
			fprintf(stderr, "utf8 row %zu\n", i);
			fail();
		}
}

/* The query handed to the search layer: the user's text cannot reach out
 * of its parentheses, and the filters are quoted. */
static void test_query(void **state)
{
	static const struct {
		const char *qs;
		const char *want;
	} t[] = {
		{ "q=durand+line", "(durand line)" },
		{ "q=durand&agency=EFE&place=Buenos+Aires&lang=es",
		  "(durand) agency:\"EFE\" place:\"Buenos Aires\" lang:es" },
		{ "agency=EFE", " agency:\"EFE\"" },
		{ "q=x&from=2025-01-01", "(x) date:2025-01-01.." },
		{ "q=x&to=2025-01-31", "(x) date:..2025-01-31" },
		{ "q=x&from=2025-01-01&to=2025-01-31", "(x) date:2025-01-01..2025-01-31" },
		{ "q=a)+OR+(b&agency=EFE", "(a  OR (b)) agency:\"EFE\"" },
		{ "q=a)))&agency=EFE", "(a   ) agency:\"EFE\"" },
		{ "q=((a&agency=EFE", "(((a))) agency:\"EFE\"" },
		{ "q=%22durand+line%22&agency=EFE", "(\"durand line\") agency:\"EFE\"" },
		{ "q=durand+%22line&agency=EFE", "(durand  line) agency:\"EFE\"" },
		{ "q=%22a%22+%22b&agency=EFE", "(\"a\"  b) agency:\"EFE\"" },
		{ "q=%22(%22+)&lang=en", "(\"(\"  ) lang:en" },
		{ "q=%22a+)+b+(&lang=en", "( a   b ()) lang:en" },
		{ "q=%E2%80%9Cdurand+line%E2%80%9D", "(\"durand line\")" },
		{ "q=%E2%80%9Cdurand+line", "( durand line)" },
		{ "q=a%5C%22b", "(a  b)" },
		{ "q=+++", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		cgi_params p;
		const char *why;
		char *q;

		assert_int_equal(cgi_params_init(&p), 0);
		assert_int_equal(cgi_params_parse(&p, t[i].qs, strlen(t[i].qs), &why), CGI_OK);
		q = cgi_params_query(&p, 0);
		assert_non_null(q);
		if (strcmp(q, t[i].want)) {
			fprintf(stderr, "query row %zu: got '%s', expected '%s'\n", i, q, t[i].want);
			fail();
		}
		free(q);
		cgi_params_release(&p);
	}
}

static void test_query_id(void **state)
{
	cgi_params p;
	const char *why;
	const char *qs = "id=efe-2025-04-19-x&q=durand";
	char *q;

	(void)state;
	assert_int_equal(cgi_params_init(&p), 0);
	assert_int_equal(cgi_params_parse(&p, qs, strlen(qs), &why), CGI_OK);
	q = cgi_params_query(&p, 1);
	assert_string_equal(q, "(durand) id:\"efe-2025-04-19-x\"");
	free(q);
	q = cgi_params_query(&p, 0);
	assert_string_equal(q, "(durand)");
	free(q);
	cgi_params_release(&p);
}

/* Filter values: 200 bytes at most, each one with its own reason. */
static void test_filter_limits(void **state)
{
	static const char *const names[] = { "agency", "place", "id" };
	char value[202];

	(void)state;
	memset(value, 'x', sizeof(value));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		cgi_params p;
		const char *why = NULL;

		assert_int_equal(cgi_params_init(&p), 0);
		assert_int_equal(cgi_params_set(&p, names[i], value, 201, &why),
				 CGI_BAD_REQUEST);
		assert_non_null(strstr(why, names[i]));
		assert_non_null(strstr(why, "too long"));
		cgi_params_release(&p);
		assert_int_equal(cgi_params_init(&p), 0);
		assert_int_equal(cgi_params_set(&p, names[i], value, 200, &why), CGI_OK);
		assert_int_equal(strlen(i == 0 ? p.agency : i == 1 ? p.place : p.id), 200);
		cgi_params_release(&p);
	}
}

/* cgi_query_balance() on raw text: typographic quotes, broken sequences
 * at the end of the text (which are not quotes), control characters. */
static void test_balance_raw(void **state)
{
	static const struct {
		const char *q;
		const char *want;
	} t[] = {
		{ "", "" },
		{ "(a)", "(a)" },
		{ "(a) b)", "(a) b " },
		{ "\xc2\xab" "durand line" "\xc2\xbb", "\"durand line\"" },
		{ "\xef\xbc\x82x\xef\xbc\x82", "\"x\"" },
		{ "\xe2\x80\x9ex\xe2\x80\x9f", "\"x\"" },
		{ "\xe2\x80\xb3x\xe2\x80\x9d", "\"x\"" },
		/* Not quotes: en dash, ellipsis, euro, nbsp, fullwidth '!', U+FFFD. */
		{ "a\xe2\x80\x93" "b", "a\xe2\x80\x93" "b" },
		{ "\xe2\x80\xa6", "\xe2\x80\xa6" },
		{ "\xe2\x82\xac", "\xe2\x82\xac" },
		{ "\xc2\xa0", "\xc2\xa0" },
		{ "\xef\xbc\x81", "\xef\xbc\x81" },
		{ "\xef\xbf\xbd", "\xef\xbf\xbd" },
		/* Cut sequences are copied as they are. */
		{ "a\xe2\x80", "a\xe2\x80" },
		{ "a\xc2", "a\xc2" },
		{ "a\xef\xbc", "a\xef\xbc" },
		/* Backslashes and control characters become spaces. */
		{ "a\\\"b\"", "a \"b\"" },
		{ "a\tb\x7f" "c\x01", "a b c " },
		/* An unpaired quote: its parentheses count again. */
		{ "\"(a)", " (a)" },
		{ "\"a)", " a " },
		{ "(\"a) (b", "( a) (b)" },
		{ "((((((((((a", "((((((((((a))))))))))" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *got = cgi_query_balance(t[i].q);

		assert_non_null(got);
		if (strcmp(got, t[i].want)) {
			fprintf(stderr, "balance row %zu: got '%s', expected '%s'\n", i, got,
				t[i].want);
			fail();
		}
		free(got);
	}
}

/* A zeroed struct (released, or never initialised through us): no q, no
 * filters, the empty query. */
static void test_query_without_q(void **state)
{
	cgi_params p;
	char *q;

	(void)state;
	assert_int_equal(cgi_params_init(&p), 0);
	cgi_params_release(&p);
	assert_null(p.q);
	q = cgi_params_query(&p, 1);
	assert_string_equal(q, "");
	free(q);
	p.place = (char *)"Kabul";
	q = cgi_params_query(&p, 1);
	assert_string_equal(q, " place:\"Kabul\"");
	free(q);
}

/* Every allocation failing in turn, and all the later ones with it: NULL
 * (never a partial query), or the whole result. */
static void test_query_alloc_failure(void **state)
{
	static const char *const balance[] = { "((((((((((a \"b", "\"(a)", "x" };
	const char *qs = "q=((((((((((durand+%22line&agency=EFE&place=Kabul&lang=en"
			 "&from=2025-01-01&to=2025-02-01&id=efe-1";
	cgi_params p;
	const char *why;
	char *want;

	(void)state;
	for (size_t i = 0; i < sizeof(balance) / sizeof(balance[0]); i++) {
		want = cgi_query_balance(balance[i]);
		assert_non_null(want);
		for (unsigned long n = 1;; n++) {
			char *got;
			unsigned long made;

			wire_alloc_fail_at(n, 1);
			got = cgi_query_balance(balance[i]);
			made = wire_alloc_fail_at(0, 0);
			if (made < n) {
				assert_string_equal(got, want);
				free(got);
				break;
			}
			assert_null(got);
		}
		free(want);
	}
	assert_int_equal(cgi_params_init(&p), 0);
	assert_int_equal(cgi_params_parse(&p, qs, strlen(qs), &why), CGI_OK);
	want = cgi_params_query(&p, 1);
	assert_string_equal(want, "(((((((((((durand  line))))))))))) agency:\"EFE\" "
				  "place:\"Kabul\" lang:en date:2025-01-01..2025-02-01 "
				  "id:\"efe-1\"");
	for (unsigned long n = 1;; n++) {
		char *got;
		unsigned long made;

		wire_alloc_fail_at(n, 1);
		got = cgi_params_query(&p, 1);
		made = wire_alloc_fail_at(0, 0);
		if (made < n) {
			assert_string_equal(got, want);
			free(got);
			break;
		}
		assert_null(got);
	}
	free(want);
	cgi_params_release(&p);
}

/* Every allocation failing in turn: a clean CGI_NO_MEMORY, never a crash
 * or a leak (the sanitizer build checks the leaks). */
static void test_alloc_failure(void **state)
{
	const char *qs = "q=durand+line&agency=EFE&place=Kabul&lang=en&id=x";

	(void)state;
	for (unsigned long n = 1; n < 40; n++) {
		cgi_params p;
		const char *why;
		enum cgi_status st;
		char *q = NULL;

		wire_alloc_fail_at(n, 0);
		if (cgi_params_init(&p)) {
			wire_alloc_fail_at(0, 0);
			cgi_params_release(&p);
			continue;
		}
		st = cgi_params_parse(&p, qs, strlen(qs), &why);
		assert_true(st == CGI_OK || st == CGI_NO_MEMORY);
		if (st == CGI_OK)
			q = cgi_params_query(&p, 1);
		wire_alloc_fail_at(0, 0);
		free(q);
		cgi_params_release(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_facets),
		cmocka_unit_test(test_q_limit),
		cmocka_unit_test(test_set_raw),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_query_id),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_filter_limits),
		cmocka_unit_test(test_balance_raw),
		cmocka_unit_test(test_query_without_q),
		cmocka_unit_test(test_query_alloc_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
