/*
 * test_dispatch.c - the dispatch record: setters (cleaning, trimming),
 * dispatch_set_body() (paragraphs, dateline, sign-off, date), the display
 * headline, agency names, dates, and every allocation failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "dispatch.h"
#include "text.h"

/* The paragraphs of D joined with '|'.  Static buffer. */
static const char *paras(const dispatch *d)
{
	static char buf[8192];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < d->n_paragraphs; i++) {
		int w = snprintf(buf + o, sizeof buf - o, "%s%s", i ? "|" : "",
				 d->paragraphs[i]);

		assert_true(w >= 0 && (size_t)w < sizeof buf - o);
		o += (size_t)w;
	}
	return buf;
}

static const char *places(const dispatch *d)
{
	static char buf[1024];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < d->n_places; i++) {
		int w = snprintf(buf + o, sizeof buf - o, "%s%s", i ? ";" : "",
				 d->places[i]);

		assert_true(w >= 0 && (size_t)w < sizeof buf - o);
		o += (size_t)w;
	}
	return buf;
}

static void assert_str(const char *want, const char *got)
{
	if (!want) {
		if (got)
			print_error("want NULL, got '%s'\n", got);
		assert_null(got);
		return;
	}
	if (!got)
		print_error("want '%s', got NULL\n", want);
	assert_non_null(got);
	assert_string_equal(want, got);
}

static int64_t ymd(int y, int m, int d)
{
	return date_from_ymd(y, m, d, 0, 0, 0);
}

/* ------------------------------------------------------------------ */

static void test_init_release(void **state)
{
	dispatch d;

	(void)state;
	dispatch_init(&d);
	assert_null(d.id);
	assert_int_equal(d.first_created, -1);
	assert_int_equal(d.version_created, -1);
	assert_int_equal(d.date_source, DATE_NONE);
	assert_int_equal(d.n_places, 0);
	assert_int_equal(d.n_paragraphs, 0);
	assert_int_equal(d.n_tags, 0);
	assert_int_equal(dispatch_set(&d, &d.id, "x1", 2), 0);
	assert_int_equal(dispatch_set(&d, &d.source_file, "f.txt", 5), 0);
	assert_int_equal(dispatch_add_place(&d, "Kabul", 5), 0);
	assert_int_equal(dispatch_add_paragraph(&d, "Text.", 5), 0);
	assert_int_equal(dispatch_add_tag(&d, TAG_TOPIC, "politics", 8), 0);
	d.version_created = 5;
	dispatch_release(&d);
	assert_null(d.id);
	assert_null(d.source_file);
	assert_null(d.places);
	assert_null(d.tags);
	assert_int_equal(d.n_places + d.n_paragraphs + d.n_tags, 0);
	assert_int_equal(d.version_created, -1);
	/* Releasing twice is harmless. */
	dispatch_release(&d);
}

static const struct {
	const char *in;
	size_t len;     /* 0: strlen */
	const char *out; /* NULL: the field stays NULL */
} set_rows[] = {
	{ "Kabul", 0, "Kabul" },
	{ "  Kabul  ", 0, "Kabul" },
	{ "\n\tKabul\r\n", 0, "Kabul" },
	{ "New\tYork", 0, "New\tYork" },
	{ "line one\nline two", 0, "line one\nline two" },
	{ "Ka\x01" "bu\x1bl\x7f", 0, "Kabul" },
	{ "a\0b", 3, "a b" },
	{ "bad \xff byte", 0, "bad \xef\xbf\xbd byte" },
	{ "\xc3", 0, "\xef\xbf\xbd" },
	{ "\xc2\xa0" "Bogot\xc3\xa1\xc2\xa0", 0, "Bogot\xc3\xa1" },
	{ "", 0, NULL },
	{ "   \n\t ", 0, NULL },
	{ "\x01\x02", 0, NULL },
};

static void test_setters(void **state)
{
	size_t i;
	dispatch d;

	(void)state;
	dispatch_init(&d);
	for (i = 0; i < sizeof set_rows / sizeof set_rows[0]; i++) {
		size_t len = set_rows[i].len ? set_rows[i].len :
					       strlen(set_rows[i].in);

		assert_int_equal(dispatch_set(&d, &d.headline, set_rows[i].in,
					      len), 0);
		assert_str(set_rows[i].out, d.headline);
		if (d.headline)
			assert_true(text_is_utf8(d.headline,
						 strlen(d.headline)));
	}
	/* An empty value clears the field; NULL input is empty. */
	assert_int_equal(dispatch_set(&d, &d.byline, "By Someone", 10), 0);
	assert_str("By Someone", d.byline);
	assert_int_equal(dispatch_set(&d, &d.byline, "  ", 2), 0);
	assert_null(d.byline);
	assert_int_equal(dispatch_set(&d, &d.byline, NULL, 0), 0);
	assert_null(d.byline);
	/* Only LEN bytes are read. */
	assert_int_equal(dispatch_set(&d, &d.language, "esXX", 2), 0);
	assert_str("es", d.language);

	/* The adders skip empty values. */
	assert_int_equal(dispatch_add_place(&d, " Kabul ", 7), 0);
	assert_int_equal(dispatch_add_place(&d, "  ", 2), 0);
	assert_int_equal(dispatch_add_place(&d, "Islamabad", 9), 0);
	assert_string_equal(places(&d), "Kabul;Islamabad");
	assert_int_equal(dispatch_add_paragraph(&d, "\x01", 1), 0);
	assert_int_equal(dispatch_add_paragraph(&d, " One. ", 6), 0);
	assert_string_equal(paras(&d), "One.");
	assert_int_equal(dispatch_add_tag(&d, TAG_PERSON, " Dar ", 5), 0);
	assert_int_equal(dispatch_add_tag(&d, TAG_ORG, "", 0), 0);
	assert_int_equal(dispatch_add_tag(&d, TAG_EXCHANGE, "nyse", 4), 0);
	assert_int_equal(d.n_tags, 2);
	assert_int_equal(d.tags[0].kind, TAG_PERSON);
	assert_string_equal(d.tags[0].value, "Dar");
	assert_int_equal(d.tags[1].kind, TAG_EXCHANGE);
	dispatch_release(&d);
}

/* ------------------------------------------------------------------ */

/* Our own dispatch in the EFE English service's style: dateline with two
 * places and ".—", lines of a paragraph broken by single newlines, a
 * closing " EFE" and the editors' initials on a line of their own. */
static const char efe_body[] =
	"Quito/Lima, May 3 (EFE).\xe2\x80\x94 Ecuador and Peru agreed on "
	"Saturday to reopen\ntheir border crossing after a week of talks.\n"
	"Both ministers said the decision was final.\n"
	"\n"
	"Trade between the neighbours reached 84,000 tonnes last month. EFE\n"
	"ab-cd-efg-hi\n";

static void test_set_body_efe(void **state)
{
	dispatch d;
	char *h;

	(void)state;
	dispatch_init(&d);
	assert_int_equal(dispatch_set_body(&d, efe_body, sizeof efe_body - 1,
					   2025), 0);
	assert_string_equal(places(&d), "Quito;Lima");
	assert_str("Quito/Lima, May 3 (EFE)", d.dateline);
	assert_str("EFE", d.agency);
	assert_str("EFE ab-cd-efg-hi", d.signoff);
	assert_int_equal(d.version_created, ymd(2025, 5, 3));
	assert_int_equal(d.date_source, DATE_DATELINE);
	assert_string_equal(paras(&d),
			    "Ecuador and Peru agreed on Saturday to reopen "
			    "their border crossing after a week of talks. "
			    "Both ministers said the decision was final.|"
			    "Trade between the neighbours reached 84,000 "
			    "tonnes last month.");
	h = dispatch_display_headline(&d);
	assert_str("Ecuador and Peru agreed on Saturday to reopen their "
		   "border crossing after a week of talks.", h);
	free(h);
	dispatch_release(&d);
}

/* The real seed dispatch, when ../shared is there. */
static void test_set_body_seed(void **state)
{
	const char *shared = getenv("WIRE_SHARED");
	char path[4096];
	char buf[65536];
	size_t n;
	FILE *f;
	dispatch d;

	(void)state;
	snprintf(path, sizeof path,
		 "%s/corpus/seed/efe-2025-04-19-pakistan-afghanistan.txt",
		 shared && *shared ? shared : "../shared");
	f = fopen(path, "rb");
	if (!f) {
		print_message("skip - %s absent\n", path);
		skip();
	}
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	dispatch_init(&d);
	assert_int_equal(dispatch_set_body(&d, buf, n, 2025), 0);
	assert_string_equal(places(&d), "Kabul;Islamabad");
	assert_str("Kabul/Islamabad, Apr 19 (EFE)", d.dateline);
	assert_str("EFE", d.agency);
	assert_str("EFE lk-aa-jgv-sk", d.signoff);
	assert_int_equal(d.version_created, ymd(2025, 4, 19));
	assert_true(d.n_paragraphs >= 1);
	assert_true(!strncmp(d.paragraphs[0], "Pakistan stressed", 17));
	n = strlen(d.paragraphs[d.n_paragraphs - 1]);
	assert_true(n > 7);
	assert_string_equal(d.paragraphs[d.n_paragraphs - 1] + n - 7,
			    "regime.");
	dispatch_release(&d);
}

static const struct body_row {
	const char *body;
	int year;
	const char *paras;    /* joined with '|' */
	const char *signoff;
	const char *agency;
	const char *places;   /* joined with ';' */
	const char *dateline;
	int64_t date;         /* -1: none */
} body_rows[] = {
	/* Paragraphs. */
	{ "a\nb\n\nc", 0, "a b|c", NULL, NULL, "", NULL, -1 },
	{ "  a  \n  b  \n \t\n\n c \n\n\n", 0, "a b|c", NULL, NULL, "", NULL,
	  -1 },
	{ "a\r\nb\r\n\r\nc\r\n", 0, "a b|c", NULL, NULL, "", NULL, -1 },
	{ "", 0, "", NULL, NULL, "", NULL, -1 },
	{ "\n\n \n", 0, "", NULL, NULL, "", NULL, -1 },
	{ "one\x01 two\x7f", 0, "one two", NULL, NULL, "", NULL, -1 },
	/* Sign-offs. */
	{ "Text here. EFE", 0, "Text here.", "EFE", "EFE", "", NULL, -1 },
	{ "Text here.\n Reuter\n", 0, "Text here.", "Reuter", "Reuters", "",
	  NULL, -1 },
	{ "Text here.\n\nReuter\n\x03", 0, "Text here.", "Reuter", "Reuters",
	  "", NULL, -1 },
	{ "Text here. EFE\nlk-aa-jgv-sk", 0, "Text here.", "EFE lk-aa-jgv-sk",
	  "EFE", "", NULL, -1 },
	{ "Text here. EFE lk-aa-jgv-sk\n", 0, "Text here.",
	  "EFE lk-aa-jgv-sk", "EFE", "", NULL, -1 },
	{ "Text here.\n\ngr/bp", 0, "Text here.", "gr/bp", NULL, "", NULL,
	  -1 },
	{ "Text here.\nEFE\n\ngr/bp\n\n", 0, "Text here.", "EFE gr/bp", "EFE",
	  "", NULL, -1 },
	{ "Ends on \xe2\x80\x9cthe quote.\xe2\x80\x9d AFP", 0,
	  "Ends on \xe2\x80\x9cthe quote.\xe2\x80\x9d", "AFP", "AFP", "", NULL,
	  -1 },
	{ "Ends here. dpa", 0, "Ends here.", "dpa", "dpa", "", NULL, -1 },
	{ "EFE", 0, "", "EFE", "EFE", "", NULL, -1 },
	/* Not sign-offs: an agency inside a sentence, words with '/'. */
	{ "It was reported by AP", 0, "It was reported by AP", NULL, NULL, "",
	  NULL, -1 },
	{ "They spoke to EFE", 0, "They spoke to EFE", NULL, NULL, "", NULL,
	  -1 },
	{ "It was black/white", 0, "It was black/white", NULL, NULL, "", NULL,
	  -1 },
	{ "Text. TheAP", 0, "Text. TheAP", NULL, NULL, "", NULL, -1 },
	{ "Text. Lk-aa", 0, "Text. Lk-aa", NULL, NULL, "", NULL, -1 },
	/* Datelines. */
	{ "    SALVADOR, Feb 26 - Showers continued\nthroughout the week.\n"
	  " Reuter\n\x03", 1987, "Showers continued throughout the week.",
	  "Reuter", "Reuters", "Salvador", "SALVADOR, Feb 26", 541296000 },
	{ "KABUL (Reuters) -\n\nThe Taliban said.", 2025, "The Taliban said.",
	  NULL, "Reuters", "Kabul", "KABUL (Reuters)", -1 },
	{ "KABUL (Reuters) - ", 2025, "", NULL, "Reuters", "Kabul",
	  "KABUL (Reuters)", -1 },
	{ "Madrid (efe/afp).- Texto.", 2025, "Texto.", NULL, "EFE/AFP",
	  "Madrid", "Madrid (efe/afp)", -1 },
	{ "GAZA, Dec. 1 (Xinhua) -- Text.", 2024, "Text.", NULL, "Xinhua",
	  "Gaza", "GAZA, Dec. 1 (Xinhua)", 1733011200 },
	{ "SEOUL, Feb. 29 (Yonhap) -- Text.", 2024, "Text.", NULL, "Yonhap",
	  "Seoul", "SEOUL, Feb. 29 (Yonhap)", 1709164800 },
	/* Feb 29 in a common year: the dateline stands, the date does not. */
	{ "SEOUL, Feb. 29 (Yonhap) -- Text.", 2025, "Text.", NULL, "Yonhap",
	  "Seoul", "SEOUL, Feb. 29 (Yonhap)", -1 },
	/* No year, no date. */
	{ "GAZA, Dec. 1 (Xinhua) -- Text.", 0, "Text.", NULL, "Xinhua", "Gaza",
	  "GAZA, Dec. 1 (Xinhua)", -1 },
	{ "BUENOS AIRES, Argentina (AP) _ Text.", 2025, "Text.", NULL, "AP",
	  "Buenos Aires", "BUENOS AIRES, Argentina (AP)", -1 },
	/* Kept whole: not datelines, or not in the first paragraph. */
	{ "Apple Filing Protocol (AFP) - macOS shares files.", 2025,
	  "Apple Filing Protocol (AFP) - macOS shares files.", NULL, NULL, "",
	  NULL, -1 },
	{ "Lead.\n\nKABUL (Reuters) - Text.", 2025,
	  "Lead.|KABUL (Reuters) - Text.", NULL, NULL, "", NULL, -1 },
};

static void test_set_body_rows(void **state)
{
	size_t r;

	(void)state;
	for (r = 0; r < sizeof body_rows / sizeof body_rows[0]; r++) {
		const struct body_row *w = &body_rows[r];
		dispatch d;
		size_t i;

		print_message("body row %zu\n", r);
		dispatch_init(&d);
		assert_int_equal(dispatch_set_body(&d, w->body, strlen(w->body),
						   w->year), 0);
		assert_string_equal(paras(&d), w->paras);
		assert_str(w->signoff, d.signoff);
		assert_str(w->agency, d.agency);
		assert_string_equal(places(&d), w->places);
		assert_str(w->dateline, d.dateline);
		assert_int_equal(d.version_created, w->date);
		assert_int_equal(d.date_source,
				 w->date == -1 ? DATE_NONE : DATE_DATELINE);
		for (i = 0; i < d.n_paragraphs; i++)
			assert_true(d.paragraphs[i][0] != '\0');
		dispatch_release(&d);
	}
}

/* What the reader set from structured fields wins over the text. */
static void test_set_body_keeps(void **state)
{
	static const char body[] = "Kabul/Islamabad, Apr 19 (EFE).- Text.";
	dispatch d;

	(void)state;
	dispatch_init(&d);
	assert_int_equal(dispatch_set(&d, &d.agency, "AFP", 3), 0);
	assert_int_equal(dispatch_set(&d, &d.dateline, "KABUL", 5), 0);
	assert_int_equal(dispatch_add_place(&d, "Kabul", 5), 0);
	d.version_created = 1000;
	d.date_source = DATE_HEADER;
	assert_int_equal(dispatch_set_body(&d, body, sizeof body - 1, 2025), 0);
	assert_str("AFP", d.agency);
	assert_str("KABUL", d.dateline);
	assert_string_equal(places(&d), "Kabul;Islamabad");
	assert_int_equal(d.version_created, 1000);
	assert_int_equal(d.date_source, DATE_HEADER);
	assert_string_equal(paras(&d), "Text.");
	/* A second body appends; its dateline is its own. */
	assert_int_equal(dispatch_set_body(&d, "More.\n\nLast. EFE", 17, 2025),
			 0);
	assert_string_equal(paras(&d), "Text.|More.|Last.");
	assert_str("EFE", d.signoff);
	assert_int_equal(dispatch_set_body(&d, NULL, 0, 0), 0);
	assert_string_equal(paras(&d), "Text.|More.|Last.");
	dispatch_release(&d);
}

/* ------------------------------------------------------------------ */

static void test_display_headline(void **state)
{
	static const struct {
		const char *para;
		const char *want;
	} rows[] = {
		{ "Pakistan stressed the urgency. Second sentence.",
		  "Pakistan stressed the urgency." },
		{ "Short. Then a longer sentence follows here.",
		  "Short. Then a longer sentence follows here." },
		{ "The U.S. State Department said it would act. More.",
		  "The U.S. State Department said it would act." },
		{ "The delegation met Gen. Smith in Kabul. He said.",
		  "The delegation met Gen. Smith in Kabul." },
		{ "Is this the end of the talks? Nobody knows.",
		  "Is this the end of the talks?" },
		{ "It rose 3.5 percent on the day, a record. Then fell.",
		  "It rose 3.5 percent on the day, a record." },
		{ "A sentence ending with a dot.", "A sentence ending with a dot." },
		{ "No full stop here at all", "No full stop here at all" },
	};
	char long_words[400], long_chars[400], *h;
	size_t i;
	dispatch d;

	(void)state;
	dispatch_init(&d);
	assert_null(dispatch_display_headline(&d));
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_int_equal(dispatch_add_paragraph(&d, rows[i].para,
							strlen(rows[i].para)),
				 0);
		h = dispatch_display_headline(&d);
		assert_str(rows[i].want, h);
		free(h);
		dispatch_release(&d);
	}

	/* 300 bytes of words and no sentence: cut at a word, "…" added. */
	for (i = 0; i + 6 <= 300; i += 6)
		memcpy(long_words + i, "words ", 6);
	long_words[i] = '\0';
	assert_int_equal(dispatch_add_paragraph(&d, long_words, i), 0);
	h = dispatch_display_headline(&d);
	assert_non_null(h);
	assert_true(strlen(h) <= 200 + 3);
	assert_string_equal(h + strlen(h) - 8, "words\xe2\x80\xa6");
	free(h);
	dispatch_release(&d);

	/* 100 three-byte characters, no blank: never cut one in two. */
	for (i = 0; i < 100; i++)
		memcpy(long_chars + 3 * i, "\xe2\x82\xac", 3);
	assert_int_equal(dispatch_add_paragraph(&d, long_chars, 300), 0);
	h = dispatch_display_headline(&d);
	assert_non_null(h);
	assert_int_equal(strlen(h), 198 + 3);
	assert_true(text_is_utf8(h, strlen(h)));
	free(h);

	/* The headline when there is one. */
	assert_int_equal(dispatch_set(&d, &d.headline, "Headline", 8), 0);
	h = dispatch_display_headline(&d);
	assert_str("Headline", h);
	free(h);
	dispatch_release(&d);
}

static void test_agency_name(void **state)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
		{ "EFE", "EFE" }, { "efe", "EFE" }, { "Agencia EFE", "EFE" },
		{ "Reuters", "Reuters" }, { "REUTER", "Reuters" },
		{ "Reuter", "Reuters" }, { "reuters", "Reuters" },
		{ "AP", "AP" }, { "ap", "AP" }, { "Associated Press", "AP" },
		{ "The Associated Press", "AP" }, { "AFP", "AFP" },
		{ "Agence France-Presse", "AFP" }, { "dpa", "dpa" },
		{ "DPA", "dpa" }, { "Xinhua", "Xinhua" }, { "XINHUA", "Xinhua" },
		{ "ansa", "ANSA" }, { "Europa Press", "Europa Press" },
		{ " EFE ", "EFE" }, { "Bloomberg", "Bloomberg" },
		{ "EFE/AFP", "EFE/AFP" }, { "", "" },
	};
	size_t i;
	char own[] = "Bloomberg";

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		assert_string_equal(dispatch_agency_name(rows[i].in),
				    rows[i].want);
	/* Unknown names come back as the very pointer given. */
	assert_ptr_equal(dispatch_agency_name(own), own);
	assert_null(dispatch_agency_name(NULL));
}

/* ------------------------------------------------------------------ */

static void test_date_parse_iso(void **state)
{
	static const struct {
		const char *in;
		const char *want; /* NULL: rejected */
	} rows[] = {
		{ "2025-04-19", "2025-04-19T00:00:00Z" },
		{ "2025-04-19T10:20:30Z", "2025-04-19T10:20:30Z" },
		{ "2025-04-19T10:20:30.123Z", "2025-04-19T10:20:30Z" },
		{ "2025-04-19T10:20:30,5Z", "2025-04-19T10:20:30Z" },
		{ "2025-04-19 10:20:30", "2025-04-19T10:20:30Z" },
		{ "2025-04-19T10:20:30", "2025-04-19T10:20:30Z" },
		{ "2025-04-19T10:20Z", "2025-04-19T10:20:00Z" },
		{ "2025-04-19T10:20:30+05:00", "2025-04-19T05:20:30Z" },
		{ "2025-04-19T10:20:30-0300", "2025-04-19T13:20:30Z" },
		{ "2025-04-19T01:00:00+02", "2025-04-18T23:00:00Z" },
		{ "2025-12-31T23:30:00-01:00", "2026-01-01T00:30:00Z" },
		{ "20250419T102030Z", "2025-04-19T10:20:30Z" },
		{ "20250419T102030", "2025-04-19T10:20:30Z" },
		{ "20250419T102030+0100", "2025-04-19T09:20:30Z" },
		{ "20250419", "2025-04-19T00:00:00Z" },
		{ " 2025-04-19T10:20:30Z\n", "2025-04-19T10:20:30Z" },
		{ "2024-02-29", "2024-02-29T00:00:00Z" },
		{ "2000-02-29", "2000-02-29T00:00:00Z" },
		{ "1987-02-26", "1987-02-26T00:00:00Z" },
		{ "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z" },
		{ "1969-07-20T20:17:40Z", "1969-07-20T20:17:40Z" },
		{ "2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z" },
		{ "2025-02-30", NULL },
		{ "2023-02-29", NULL },
		{ "1900-02-29", NULL },
		{ "2025-04-31", NULL },
		{ "2025-13-01", NULL },
		{ "2025-00-10", NULL },
		{ "2025-04-00", NULL },
		{ "2025-04-19T24:00:00Z", NULL },
		{ "2025-04-19T23:60:00Z", NULL },
		{ "2025-04-19T23:00:61Z", NULL },
		{ "2025-04-19T10:20:30+25:00", NULL },
		{ "2025-04-19T10:20:30+05:7", NULL },
		{ "2025-04-19T10:20:30Q", NULL },
		{ "2025-04-19T10:20:30.Z", NULL },
		{ "2025-04-19T10", NULL },
		{ "2025-04-19X", NULL },
		{ "2025-04-190", NULL },
		{ "2025-04", NULL },
		{ "2025", NULL },
		{ "", NULL },
		{ "19/04/2025", NULL },
		{ "Apr 19, 2025", NULL },
		{ "2025-4-19", NULL },
		{ "0999-01-01", NULL },
	};
	size_t i;
	int64_t t;
	char iso[21];

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int r = date_parse_iso(rows[i].in, strlen(rows[i].in), &t);

		if ((r == 0) != (rows[i].want != NULL))
			print_error("'%s': got %d\n", rows[i].in, r);
		assert_int_equal(r, rows[i].want ? 0 : -1);
		if (rows[i].want) {
			date_format_iso(t, iso);
			assert_string_equal(iso, rows[i].want);
		}
	}
	/* LEN bounds the string. */
	assert_int_equal(date_parse_iso("2025-04-19T10:20:30Z", 10, &t), 0);
	assert_int_equal(t, ymd(2025, 4, 19));
	assert_int_equal(date_parse_iso(NULL, 0, &t), -1);
}

static void test_date_ymd_format(void **state)
{
	char c[15], iso[21];
	int64_t t;

	(void)state;
	assert_int_equal(date_from_ymd(1970, 1, 1, 0, 0, 0), 0);
	assert_int_equal(date_from_ymd(2025, 4, 19, 0, 0, 0), 1745020800);
	assert_int_equal(date_from_ymd(2025, 4, 19, 10, 20, 30),
			 1745020800 + 37230);
	assert_int_equal(date_from_ymd(1987, 2, 26, 0, 0, 0), 541296000);
	assert_int_equal(date_from_ymd(2024, 2, 29, 0, 0, 0), 1709164800);
	assert_int_equal(date_from_ymd(2038, 1, 19, 3, 14, 8), 2147483648LL);
	assert_int_equal(date_from_ymd(2025, 2, 29, 0, 0, 0), -1);
	assert_int_equal(date_from_ymd(2023, 2, 29, 0, 0, 0), -1);
	assert_int_equal(date_from_ymd(2100, 2, 29, 0, 0, 0), -1);
	assert_int_equal(date_from_ymd(2025, 2, 30, 0, 0, 0), -1);
	assert_int_equal(date_from_ymd(2025, 6, 31, 0, 0, 0), -1);
	assert_int_equal(date_from_ymd(2025, 4, 19, 24, 0, 0), -1);
	assert_int_equal(date_from_ymd(2025, 4, 19, -1, 0, 0), -1);
	assert_int_equal(date_from_ymd(2025, 4, 19, 0, 60, 0), -1);
	assert_int_equal(date_from_ymd(2025, 4, 19, 0, 0, 61), -1);
	assert_int_equal(date_from_ymd(2025, 0, 19, 0, 0, 0), -1);
	assert_int_equal(date_from_ymd(2025, 13, 19, 0, 0, 0), -1);
	assert_int_equal(date_from_ymd(10000, 1, 1, 0, 0, 0), -1);

	date_format_compact(1745020800 + 37230, c);
	assert_string_equal(c, "20250419102030");
	date_format_iso(1745020800 + 37230, iso);
	assert_string_equal(iso, "2025-04-19T10:20:30Z");
	date_format_iso(0, iso);
	assert_string_equal(iso, "1970-01-01T00:00:00Z");
	date_format_iso(-1, iso);
	assert_string_equal(iso, "1969-12-31T23:59:59Z");
	date_format_compact(INT64_MAX, c);
	assert_string_equal(c, "99991231235959");
	date_format_compact(INT64_MIN, c);
	assert_string_equal(c, "00000101000000");

	/* Every day of 1999..2001 and 2399..2401 goes round trip. */
	for (t = ymd(1999, 1, 1); t < ymd(2002, 1, 1); t += 86400 + 3661) {
		int64_t back;

		date_format_iso(t, iso);
		assert_int_equal(date_parse_iso(iso, strlen(iso), &back), 0);
		assert_int_equal(back, t);
	}
	for (t = ymd(2399, 1, 1); t < ymd(2402, 1, 1); t += 86400) {
		int64_t back;

		date_format_compact(t, c);
		assert_int_equal(date_parse_iso(c, 8, &back), 0);
		assert_int_equal(back, t);
	}
}

static void test_date_find_in_name(void **state)
{
	static const struct {
		const char *name;
		const char *want; /* NULL: none */
	} rows[] = {
		{ "efe-2025-04-19-pakistan-afghanistan.txt", "2025-04-19" },
		{ "corpus/seed/efe-2025-04-19-x.txt", "2025-04-19" },
		{ "2025-04-19.xml", "2025-04-19" },
		{ "/archive/2024-01-01/efe-2025-04-19.txt", "2025-04-19" },
		{ "/archive/2024-01-01/efe.txt", "2024-01-01" },
		{ "x-2025-02-30-y-2025-03-01.txt", "2025-03-01" },
		{ "x-12025-04-19.txt", NULL },
		{ "x-2025-04-190.txt", NULL },
		{ "x-2025-04.txt", NULL },
		{ "reut2-000.sgm", NULL },
		{ "", NULL },
	};
	size_t i;
	int64_t t;
	char iso[21];

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int r = date_find_in_name(rows[i].name, &t);

		assert_int_equal(r, rows[i].want ? 0 : -1);
		if (rows[i].want) {
			date_format_iso(t, iso);
			assert_memory_equal(iso, rows[i].want, 10);
			assert_string_equal(iso + 10, "T00:00:00Z");
		}
	}
	assert_int_equal(date_find_in_name(NULL, &t), -1);
}

/* ------------------------------------------------------------------ */

static int same_dispatch(const dispatch *a, const dispatch *b)
{
	size_t i;

#define SAME_STR(f) \
	((!a->f && !b->f) || (a->f && b->f && !strcmp(a->f, b->f)))
	if (!SAME_STR(agency) || !SAME_STR(dateline) || !SAME_STR(signoff) ||
	    a->n_places != b->n_places || a->n_paragraphs != b->n_paragraphs ||
	    a->version_created != b->version_created ||
	    a->date_source != b->date_source)
		return 0;
#undef SAME_STR
	for (i = 0; i < a->n_places; i++)
		if (strcmp(a->places[i], b->places[i]))
			return 0;
	for (i = 0; i < a->n_paragraphs; i++)
		if (strcmp(a->paragraphs[i], b->paragraphs[i]))
			return 0;
	return 1;
}

/* Fill D as a reader might have before the body. */
static void prefill(dispatch *d, int full)
{
	dispatch_init(d);
	if (!full)
		return;
	assert_int_equal(dispatch_add_place(d, "Lima", 4), 0);
	assert_int_equal(dispatch_add_paragraph(d, "Lead.", 5), 0);
	assert_int_equal(dispatch_set(d, &d->signoff, "xx", 2), 0);
}

/* Make the N-th allocation fail (and, with PERSIST, all later ones), for
 * N = 1, 2, ... until the call succeeds: every failure returns -1 and
 * leaves the dispatch as it was; ASan checks nothing leaks. */
static void test_alloc_failures(void **state)
{
	int persist, full;

	(void)state;
	for (persist = 0; persist <= 1; persist++) {
		for (full = 0; full <= 1; full++) {
			dispatch want, before, d;
			unsigned long n;
			int r = -1;

			prefill(&want, full);
			assert_int_equal(dispatch_set_body(&want, efe_body,
							   sizeof efe_body - 1,
							   2025), 0);
			prefill(&before, full);
			for (n = 1; r && n < 10000; n++) {
				prefill(&d, full);
				wire_alloc_fail_at(n, persist);
				r = dispatch_set_body(&d, efe_body,
						      sizeof efe_body - 1, 2025);
				wire_alloc_fail_at(0, 0);
				if (r) {
					assert_int_equal(r, -1);
					assert_true(same_dispatch(&d, &before));
				} else {
					assert_true(same_dispatch(&d, &want));
				}
				dispatch_release(&d);
			}
			print_message("set_body: %lu failure points "
				      "(persist=%d, prefilled=%d)\n", n - 2,
				      persist, full);
			assert_true(n > 5);
			dispatch_release(&want);
			dispatch_release(&before);
		}
	}
}

static void test_alloc_failures_small(void **state)
{
	unsigned long n;
	int r;
	dispatch d;
	char *h;

	(void)state;
	/* Setters: unchanged on failure. */
	dispatch_init(&d);
	assert_int_equal(dispatch_set(&d, &d.headline, "Old", 3), 0);
	assert_int_equal(dispatch_add_place(&d, "Kabul", 5), 0);
	assert_int_equal(dispatch_add_tag(&d, TAG_TOPIC, "a", 1), 0);
	for (n = 1, r = -1; r; n++) {
		wire_alloc_fail_at(n, 0);
		r = dispatch_set(&d, &d.headline, " New ", 5);
		wire_alloc_fail_at(0, 0);
		assert_str(r ? "Old" : "New", d.headline);
	}
	for (n = 1, r = -1; r; n++) {
		wire_alloc_fail_at(n, 0);
		r = dispatch_add_place(&d, "Islamabad", 9);
		wire_alloc_fail_at(0, 0);
		assert_int_equal(d.n_places, r ? 1 : 2);
	}
	for (n = 1, r = -1; r; n++) {
		wire_alloc_fail_at(n, 0);
		r = dispatch_add_tag(&d, TAG_ORG, "UN", 2);
		wire_alloc_fail_at(0, 0);
		assert_int_equal(d.n_tags, r ? 1 : 2);
	}
	for (n = 1, r = -1; r; n++) {
		wire_alloc_fail_at(n, 0);
		r = dispatch_add_paragraph(&d, "P.", 2);
		wire_alloc_fail_at(0, 0);
		assert_int_equal(d.n_paragraphs, r ? 0 : 1);
	}
	dispatch_release(&d);

	/* The display headline: NULL, then the text. */
	dispatch_init(&d);
	{
		char p[300];

		memset(p, 'x', sizeof p);
		p[150] = ' ';
		assert_int_equal(dispatch_add_paragraph(&d, p, sizeof p), 0);
	}
	for (n = 1, h = NULL; !h; n++) {
		wire_alloc_fail_at(n, 0);
		h = dispatch_display_headline(&d);
		wire_alloc_fail_at(0, 0);
		assert_true(n < 100);
	}
	assert_true(strlen(h) <= 203);
	free(h);
	dispatch_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_release),
		cmocka_unit_test(test_setters),
		cmocka_unit_test(test_set_body_efe),
		cmocka_unit_test(test_set_body_seed),
		cmocka_unit_test(test_set_body_rows),
		cmocka_unit_test(test_set_body_keeps),
		cmocka_unit_test(test_display_headline),
		cmocka_unit_test(test_agency_name),
		cmocka_unit_test(test_date_parse_iso),
		cmocka_unit_test(test_date_ymd_format),
		cmocka_unit_test(test_date_find_in_name),
		cmocka_unit_test(test_alloc_failures),
		cmocka_unit_test(test_alloc_failures_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
