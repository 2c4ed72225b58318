/*
 * test_reader_reuters.c - the Reuters-21578 SGML reader: every field,
 * character references and control characters, the " Reuter" sign-off,
 * dates with junk, BRIEF and UNPROC records, records without NEWID or not
 * closed, records sharing a line, invalid UTF-8, gzip (whole and
 * truncated), a record over 16 MB, allocation failures, and the real
 * reut2-017.sgm when the shared corpus is there.
 *
 * Fixtures: tests/fixtures/reuters/ (found through $WIRE_TOP); large and
 * generated files go to a mkdtemp() directory.
 */
#include "alloc.h"
#include "dispatch.h"
#include "reader.h"

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define MAX_GOT 1100

static char dir[4096];

/* Everything one read of a file gave. */
struct got {
	dispatch *d;
	size_t n;
	reader_stats st;
	int last;              /* the last reader_next() */
	char error[1024];      /* reader_error() then, or "" */
	int close_rc;
	char close_err[1024];
	const char *path;
	char warnings[16384];  /* "LINE: MESSAGE[ skipped]\n" each */
	unsigned n_warnings;
};

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int group_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof dir, "%s/wire-reuters-XXXXXX", tmp ? tmp : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *fixture(const char *name)
{
	static char path[4][4200];
	static int k;
	const char *top = getenv("WIRE_TOP");
	struct stat st;

	if (!top || !*top)
		top = stat("tests/fixtures", &st) == 0 ? "." : "../..";
	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/tests/fixtures/reuters/%s", top,
		 name);
	return path[k];
}

static const char *scratch(const char *name)
{
	static char path[2][4200];
	static int k;

	k = !k;
	snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
	return path[k];
}

static void warn_cb(void *ctx, const char *file, unsigned long line,
		    const char *message, int skipped)
{
	struct got *g = ctx;
	size_t n = strlen(g->warnings);

	assert_string_equal(file, g->path);
	snprintf(g->warnings + n, sizeof g->warnings - n, "%lu: %s%s\n", line,
		 message, skipped ? " [skipped]" : "");
	g->n_warnings++;
}

static void read_file(const char *path, struct got *g)
{
	reader_options o;
	reader *r;
	char err[1024];
	int rc;

	memset(g, 0, sizeof *g);
	g->path = path;
	g->d = calloc(MAX_GOT, sizeof *g->d);
	assert_non_null(g->d);
	memset(&o, 0, sizeof o);
	o.warn = warn_cb;
	o.warn_ctx = g;
	r = reader_open(path, &o, err, sizeof err);
	if (!r)
		fail_msg("cannot open %s: %s", path, err);
	for (;;) {
		assert_true(g->n < MAX_GOT);
		dispatch_init(&g->d[g->n]);
		rc = reader_next(r, &g->d[g->n]);
		if (rc != 1)
			break;
		g->n++;
	}
	/* Nothing is left behind in the dispatch of a failed call. */
	assert_null(g->d[g->n].id);
	assert_int_equal(g->d[g->n].n_paragraphs, 0);
	dispatch_release(&g->d[g->n]);
	g->last = rc;
	if (reader_error(r))
		snprintf(g->error, sizeof g->error, "%s", reader_error(r));
	g->st = *reader_get_stats(r);
	assert_int_equal(g->st.dispatches, g->n);
	g->close_rc = reader_close(r, g->close_err, sizeof g->close_err);
}

static void got_release(struct got *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		dispatch_release(&g->d[i]);
	free(g->d);
	g->d = NULL;
}

static const dispatch *by_id(const struct got *g, const char *id)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->d[i].id && strcmp(g->d[i].id, id) == 0)
			return &g->d[i];
	fail_msg("no dispatch %s", id);
	return NULL;
}

static void check_tag(const dispatch *d, size_t i, enum tag_kind kind,
		      const char *value)
{
	assert_true(i < d->n_tags);
	assert_int_equal(d->tags[i].kind, kind);
	assert_string_equal(d->tags[i].value, value);
}

/* Places are compared ignoring case: their display form is dispatch.c's. */
static void check_place(const dispatch *d, size_t i, const char *place)
{
	assert_true(i < d->n_places);
	if (strcasecmp(d->places[i], place) != 0)
		fail_msg("place %zu: '%s', expected '%s'", i, d->places[i],
			 place);
}

static void write_bytes(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* ------------------------------------------------------------------ */

static void check_fields(const struct got *g)
{
	const dispatch *d = by_id(g, "reuters-501");

	assert_int_equal(d->version, 1);
	assert_int_equal(d->version_created,
			 date_from_ymd(1988, 3, 14, 9, 30, 12));
	assert_int_equal(d->first_created, d->version_created);
	assert_int_equal(d->date_source, DATE_HEADER);
	assert_string_equal(d->agency, "Reuters");
	assert_string_equal(d->language, "en");
	assert_string_equal(d->headline,
			    "ARGENTINE WHEAT <AWB> EXPORTS SEEN \"FIRM\" IN APRIL");
	assert_string_equal(d->byline, "By Ana Lucero, Reuters");
	assert_string_equal(d->dateline, "BUENOS AIRES, March 14");
	assert_int_equal(d->n_places, 1);
	check_place(d, 0, "BUENOS AIRES");
	assert_null(d->located);
	assert_int_equal(d->n_tags, 7);
	check_tag(d, 0, TAG_TOPIC, "grain");
	check_tag(d, 1, TAG_TOPIC, "wheat");
	check_tag(d, 2, TAG_PLACE, "argentina");
	check_tag(d, 3, TAG_PLACE, "brazil");
	check_tag(d, 4, TAG_PERSON, "alfonsin");
	check_tag(d, 5, TAG_ORG, "fao");
	check_tag(d, 6, TAG_EXCHANGE, "cbt");
	/* Indented lines start paragraphs; the sign-off is taken off. */
	assert_int_equal(d->n_paragraphs, 3);
	assert_string_equal(d->paragraphs[0],
			    "Argentine wheat exports should stay firm in April "
			    "as buyers in Brazil return to the market, grain "
			    "traders said.");
	assert_string_equal(d->paragraphs[1],
			    "Shipments from Bahia Blanca reached 310,000 tonnes "
			    "in the week, against 280,000 the week before & "
			    "more are booked.");
	assert_string_equal(d->paragraphs[2],
			    "Traders said Brazilian mills were short of stocks.");
	assert_string_equal(d->signoff, "Reuter");
	assert_null(d->slugline);
	assert_int_equal(d->urgency, 0);
	assert_null(d->pubstatus);
	assert_string_equal(d->source_file, g->path);
	assert_int_equal(d->source_line, 2);

	d = by_id(g, "reuters-502");
	/* A leading blank in the date is fine, and no repair. */
	assert_int_equal(d->version_created, date_from_ymd(1988, 4, 2, 17, 5, 0));
	assert_string_equal(d->headline, "HALVERSON TOOLS <HVT> SETS DIVIDEND");
	/* A dateline the parser does not take is kept as written. */
	assert_string_equal(d->dateline, "CLEVELAND");
	assert_int_equal(d->n_places, 0);
	assert_int_equal(d->n_tags, 1);
	check_tag(d, 0, TAG_PLACE, "usa");
	assert_int_equal(d->n_paragraphs, 1);
	assert_string_equal(d->signoff, "Reuter");
	assert_int_equal(d->source_line, 27);
}

static void test_fields(void **state)
{
	struct got g;

	(void)state;
	read_file(fixture("fields.sgm"), &g);
	assert_int_equal(g.last, 0);
	assert_int_equal(g.close_rc, 0);
	assert_string_equal(g.warnings, "");
	assert_int_equal(g.n, 2);
	check_fields(&g);
	assert_int_equal(g.st.skipped, 0);
	assert_int_equal(g.st.utf8_repaired, 0);
	assert_int_equal(g.st.dates_repaired, 0);
	/* Two ETX (&#3;) in the bodies; the UNKNOWN blocks count nothing. */
	assert_int_equal(g.st.controls_removed, 2);
	got_release(&g);
}

static void test_gzip(void **state)
{
	struct got g;

	(void)state;
	read_file(fixture("fields.sgm.gz"), &g);
	assert_int_equal(g.last, 0);
	assert_int_equal(g.close_rc, 0);
	assert_int_equal(g.n, 2);
	check_fields(&g);
	got_release(&g);
}

static void test_truncated_gzip(void **state)
{
	struct got g;
	char want[4400];
	size_t i;

	(void)state;
	/* Four records (501, 502, 511, 512), the stream cut in the last. */
	read_file(fixture("truncated.sgm.gz"), &g);
	assert_int_equal(g.last, -1);
	snprintf(want, sizeof want,
		 "%s: truncated gzip stream (unexpected end of file)", g.path);
	assert_string_equal(g.error, want);
	assert_int_equal(g.close_rc, -1);
	assert_string_equal(g.close_err, want);
	/* The records read before the damage are returned whole. */
	assert_true(g.n >= 1 && g.n < 4);
	for (i = 0; i < g.n; i++) {
		static const char *const ids[] = { "reuters-501", "reuters-502",
						   "reuters-511" };

		assert_string_equal(g.d[i].id, ids[i]);
		assert_string_equal(g.d[i].signoff, "Reuter");
	}
	assert_string_equal(g.warnings, "");
	got_release(&g);
}

static void test_entities_controls(void **state)
{
	struct got g;
	const dispatch *d;

	(void)state;
	read_file(fixture("entities.sgm"), &g);
	assert_int_equal(g.n, 1);
	d = &g.d[0];
	assert_string_equal(d->headline,
			    "A & B <AB.L> SAYS \"NO\" TO L'OREAL ABC &unknown; "
			    "OFFER");
	/* &#5; &#30; &#127; &#1; go; &#189; and &#8212; are characters. */
	assert_int_equal(d->n_paragraphs, 2);
	assert_string_equal(d->paragraphs[0],
			    "A&B Holdings said it rejected the offer.The board "
			    "met on Tuesday.");
	assert_string_equal(d->paragraphs[1],
			    "Shares rose 4\xc2\xbd pence to 212 \xe2\x80\x94 a "
			    "record.");
	assert_string_equal(d->signoff, "Reuter");
	assert_string_equal(d->dateline, "LONDON, June 1");
	check_place(d, 0, "LONDON");
	assert_int_equal(g.st.controls_removed, 5); /* 5 30 127 1 3 */
	assert_int_equal(g.st.utf8_repaired, 0);
	assert_string_equal(g.warnings, "");
	got_release(&g);
}

static void test_raw_bytes(void **state)
{
	struct got g;

	(void)state;
	/* "S\xe3o" and "Caf\xfc&#5;&#30;exports": as in reut2-017.sgm. */
	read_file(fixture("raw-bytes.sgm"), &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.d[0].n_paragraphs, 1);
	assert_string_equal(g.d[0].paragraphs[0],
			    "Prices rose in S\xef\xbf\xbdo Paulo. "
			    "Caf\xef\xbf\xbd" "exports fell.");
	assert_int_equal(g.st.utf8_repaired, 2);
	assert_int_equal(g.st.controls_removed, 4); /* \x01 5 30 3 */
	assert_string_equal(g.warnings, "");
	got_release(&g);
}

static void test_dates(void **state)
{
	struct got g;

	(void)state;
	read_file(fixture("dates.sgm"), &g);
	assert_int_equal(g.n, 6);
	assert_int_equal(g.st.skipped, 0);
	assert_string_equal(
		g.warnings,
		"2: junk '&#5;&#5;&#5;F' after date '27-MAR-1987 14:04:26.14' "
		"removed\n"
		"6: junk '605:12:19.12' after date '31-MAR-1987' removed\n"
		"14: invalid date '31-FEB-1987 10:00:00.00'\n"
		"18: junk '# date added as guesswork' after date '9-APR-1987 "
		"00:00:00.00' removed\n");
	assert_int_equal(g.st.dates_repaired, 3);
	assert_int_equal(g.d[0].version_created,
			 date_from_ymd(1987, 3, 27, 14, 4, 26));
	/* An hour that is none: the day is kept. */
	assert_int_equal(g.d[1].version_created,
			 date_from_ymd(1987, 3, 31, 0, 0, 0));
	assert_int_equal(g.d[1].date_source, DATE_HEADER);
	/* Blanks around and inside, one digit of fraction: no repair. */
	assert_int_equal(g.d[2].version_created,
			 date_from_ymd(1987, 3, 3, 13, 4, 18));
	assert_int_equal(g.d[3].version_created, -1);
	assert_int_equal(g.d[3].first_created, -1);
	assert_int_equal(g.d[3].date_source, DATE_NONE);
	assert_int_equal(g.d[4].version_created,
			 date_from_ymd(1987, 4, 9, 0, 0, 0));
	assert_int_equal(g.d[5].version_created, -1);
	assert_string_equal(g.d[5].headline, "NO DATE AT ALL");
	got_release(&g);
}

static void test_brief_unproc(void **state)
{
	struct got g;
	const dispatch *d;

	(void)state;
	read_file(fixture("brief-unproc.sgm"), &g);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.warnings, "");
	/* BRIEF: the title is the headline and the text; the filler goes. */
	d = by_id(&g, "reuters-601");
	assert_string_equal(d->headline,
			    "MAPLEFIELD MINES TO CLOSE YUKON SILVER PIT");
	assert_int_equal(d->n_paragraphs, 1);
	assert_string_equal(d->paragraphs[0], d->headline);
	assert_null(d->signoff);
	check_tag(d, 0, TAG_PLACE, "canada");
	/* UNPROC: the whole text, its table lines kept apart. */
	d = by_id(&g, "reuters-602");
	assert_null(d->headline);
	assert_int_equal(d->n_paragraphs, 4);
	assert_string_equal(d->paragraphs[0],
			    "CLEARING HOUSE WEEKLY TABLE - MAY 20");
	assert_string_equal(d->paragraphs[1],
			    "Week ended May 18            mlns of dlrs");
	assert_string_equal(d->paragraphs[3],
			    "Overnight balances..........212 vs.......198");
	assert_string_equal(d->signoff, "Reuter");
	assert_int_equal(d->version_created,
			 date_from_ymd(1988, 5, 20, 11, 2, 30));
	/* An empty UNPROC is still a dispatch, with no text. */
	d = by_id(&g, "reuters-603");
	assert_int_equal(d->n_paragraphs, 0);
	assert_null(d->headline);
	/* STX and ETX of the two UNPROC texts (the brief's text is its
	 * title). */
	assert_int_equal(g.st.controls_removed, 4);
	got_release(&g);
}

static void test_structure(void **state)
{
	struct got g;

	(void)state;
	read_file(fixture("structure.sgm"), &g);
	assert_int_equal(g.last, 0);
	assert_int_equal(g.close_rc, 0);
	assert_string_equal(g.warnings,
			    "5: <REUTERS> without NEWID [skipped]\n"
			    "11: <REUTERS> not closed before the next one "
			    "[skipped]\n"
			    "16: <REUTERS> with invalid NEWID '9 07' [skipped]\n"
			    "22: <REUTERS> not closed at the end of the file "
			    "[skipped]\n");
	assert_int_equal(g.st.skipped, 4);
	assert_int_equal(g.n, 5);
	assert_string_equal(g.d[0].id, "reuters-901");
	assert_int_equal(g.d[0].source_line, 2);
	assert_string_equal(g.d[1].id, "reuters-903");
	assert_int_equal(g.d[1].source_line, 8);
	/* A record on one line, and one starting after it on that line. */
	assert_string_equal(g.d[2].id, "reuters-905");
	assert_string_equal(g.d[2].paragraphs[0], "All on one line.");
	assert_int_equal(g.d[2].source_line, 13);
	assert_string_equal(g.d[3].id, "reuters-906");
	assert_string_equal(g.d[3].headline, "SAME LINE START");
	assert_int_equal(g.d[3].source_line, 13);
	/* Tags in any case; single quotes. */
	assert_string_equal(g.d[4].id, "reuters-908");
	assert_string_equal(g.d[4].headline, "LOWER CASE");
	assert_string_equal(g.d[4].paragraphs[0], "Tags in lower case.");
	got_release(&g);
}

static void test_too_large(void **state)
{
	static const char head[] = "<REUTERS NEWID=\"1\">\n<TEXT><BODY>";
	static const char tail[] =
		"</BODY></TEXT>\n</REUTERS>\n"
		"<REUTERS NEWID=\"2\"><TEXT><BODY>Small.</BODY></TEXT>"
		"</REUTERS>\n";
	size_t body = (16u << 20) + 10, n = sizeof head - 1 + body + sizeof tail;
	char *data = malloc(n);
	struct got g;
	size_t i;

	(void)state;
	assert_non_null(data);
	memcpy(data, head, sizeof head - 1);
	for (i = 0; i < body; i++)
		data[sizeof head - 1 + i] = i % 64 == 63 ? '\n' : 'x';
	memcpy(data + sizeof head - 1 + body, tail, sizeof tail);
	write_bytes(scratch("big.sgm"), data, n - 1);
	free(data);
	read_file(scratch("big.sgm"), &g);
	assert_string_equal(g.warnings, "1: record larger than 16 MB [skipped]\n");
	assert_int_equal(g.st.skipped, 1);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.d[0].id, "reuters-2");
	assert_int_equal(g.d[0].source_line, (unsigned)(4 + body / 64));
	got_release(&g);
	unlink(scratch("big.sgm"));
}

static void test_odd_input(void **state)
{
	static const struct {
		const char *data;
		size_t dispatches, skipped;
		const char *warnings;
	} rows[] = {
		{ "", 0, 0, "" },
		{ "no records here\n", 0, 0, "" },
		{ "<REUTERS", 0, 1,
		  "1: <REUTERS> not closed at the end of the file [skipped]\n" },
		{ "<REUTERS NEWID=\"7\"></REUTERS>", 1, 0, "" },
		{ "<REUTERSX NEWID=\"7\"></REUTERS>", 0, 0, "" },
		{ "<REUTERS NEWID=></REUTERS>\n", 0, 1,
		  "1: <REUTERS> without NEWID [skipped]\n" },
		{ "<REUTERS NEWID=\"7\n</REUTERS>\n", 0, 1,
		  "1: <REUTERS> without NEWID [skipped]\n" },
		{ "<REUTERS\nNEWID=8><TEXT><BODY>x</BODY></TEXT></REUTERS>", 1,
		  0, "" },
		{ "<REUTERS NEWID=\"9\"><DATE>1-JAN-1987</DATE><TEXT><TITLE>"
		  "T</TITLE><BODY>b\0c</BODY></TEXT></REUTERS>",
		  1, 0, "" },
		{ "<REUTERS NEWID=\"10\"><TEXT><BODY>&#0;&#xD800;&#99999999;"
		  "&#x110000;&#;&#x;&#65</BODY></TEXT></REUTERS>\n",
		  1, 0, "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct got g;
		size_t len = strlen(rows[i].data);

		/* Row 8 holds a NUL byte: write through it. */
		if (i == 8)
			len = strlen(rows[i].data) + 1 +
			      strlen(rows[i].data + strlen(rows[i].data) + 1);
		write_bytes(scratch("odd.sgm"), rows[i].data, len);
		read_file(scratch("odd.sgm"), &g);
		assert_int_equal(g.last, 0);
		assert_int_equal(g.n, rows[i].dispatches);
		assert_int_equal(g.st.skipped, rows[i].skipped);
		assert_string_equal(g.warnings, rows[i].warnings);
		if (i == 8) {
			assert_int_equal(g.d[0].version_created,
					 date_from_ymd(1987, 1, 1, 0, 0, 0));
			assert_string_equal(g.d[0].paragraphs[0], "bc");
			assert_int_equal(g.st.controls_removed, 1);
		}
		if (i == 9) {
			/* NUL goes; a surrogate or a code point beyond
			 * Unicode becomes U+FFFD; others stay as written. */
			assert_string_equal(g.d[0].paragraphs[0],
					    "\xef\xbf\xbd&#99999999;"
					    "\xef\xbf\xbd&#;&#x;&#65");
			assert_int_equal(g.st.controls_removed, 1);
			assert_int_equal(g.st.utf8_repaired, 2);
		}
		got_release(&g);
	}
}

/* Every allocation failure ends the file with "out of memory". */
static void test_alloc_failures(void **state)
{
	unsigned long n;
	int done = 0;

	(void)state;
	for (n = 1; !done && n < 20000; n++) {
		reader_options o;
		reader *r;
		dispatch d;
		char err[1024];
		int rc, k = 0;

		memset(&o, 0, sizeof o);
		dispatch_init(&d);
		wire_alloc_fail_at(n, 0);
		r = reader_open(fixture("fields.sgm"), &o, err, sizeof err);
		if (!r) {
			wire_alloc_fail_at(0, 0);
			assert_non_null(strstr(err, "out of memory"));
			continue;
		}
		while ((rc = reader_next(r, &d)) == 1) {
			k++;
			dispatch_release(&d);
		}
		wire_alloc_fail_at(0, 0);
		if (rc == 0) {
			assert_int_equal(k, 2);
			done = 1;
		} else {
			assert_non_null(strstr(reader_error(r), "out of memory"));
			assert_null(d.id);
		}
		dispatch_release(&d);
		reader_close(r, err, sizeof err);
	}
	assert_true(done);
	assert_true(n > 50);
}

/* ------------------------------------------------ the shared corpus */

static const char *shared_file(const char *name)
{
	static char path[4200];
	const char *sh = getenv("WIRE_SHARED");
	const char *top = getenv("WIRE_TOP");
	struct stat st;

	if (sh && *sh)
		snprintf(path, sizeof path, "%s/corpus/reuters21578/%s", sh,
			 name);
	else
		snprintf(path, sizeof path,
			 "%s/../shared/corpus/reuters21578/%s",
			 top && *top ? top : ".", name);
	return stat(path, &st) == 0 ? path : NULL;
}

static void test_real_017(void **state)
{
	const char *path = shared_file("reut2-017.sgm");
	struct got g;
	const dispatch *d;
	size_t i, n = 0;

	(void)state;
	if (!path) {
		printf("skip - reut2-017.sgm: no shared corpus "
		       "($WIRE_SHARED/corpus/reuters21578)\n");
		skip();
	}
	read_file(path, &g);
	assert_int_equal(g.last, 0);
	assert_int_equal(g.close_rc, 0);
	assert_int_equal(g.n, 1000);
	assert_int_equal(g.st.skipped, 0);
	/* The one 0xFC byte of the corpus (line 35578). */
	assert_int_equal(g.st.utf8_repaired, 1);
	/* Its one date with an hour of 605. */
	assert_int_equal(g.st.dates_repaired, 1);
	assert_non_null(strstr(g.warnings, ": junk '605:12:19.12' after date "
					   "'31-MAR-1987' removed\n"));
	for (i = 0; i < g.n; i++) {
		size_t k;

		for (k = 0; k < g.d[i].n_paragraphs; k++)
			if (strstr(g.d[i].paragraphs[k],
				   "growth.\xef\xbf\xbdside measures"))
				n++;
		assert_string_equal(g.d[i].agency, "Reuters");
		assert_true(strncmp(g.d[i].id, "reuters-", 8) == 0);
	}
	assert_int_equal(n, 1);
	d = by_id(&g, "reuters-17001");
	assert_int_equal(d->version, 1);
	got_release(&g);
}

static void test_real_000(void **state)
{
	const char *path = shared_file("reut2-000.sgm");
	struct got g;
	const dispatch *d;

	(void)state;
	if (!path) {
		printf("skip - reut2-000.sgm: no shared corpus\n");
		skip();
	}
	read_file(path, &g);
	assert_int_equal(g.n, 1000);
	assert_string_equal(g.warnings, "");
	d = by_id(&g, "reuters-1");
	assert_string_equal(d->headline, "BAHIA COCOA REVIEW");
	assert_string_equal(d->dateline, "SALVADOR, Feb 26");
	check_place(d, 0, "SALVADOR");
	assert_int_equal(d->version_created,
			 date_from_ymd(1987, 2, 26, 15, 1, 1));
	check_tag(d, 0, TAG_TOPIC, "cocoa");
	check_tag(d, 1, TAG_PLACE, "el-salvador");
	assert_string_equal(d->signoff, "Reuter");
	assert_true(d->n_paragraphs > 10);
	assert_true(strncmp(d->paragraphs[0], "Showers continued throughout",
			    28) == 0);
	assert_int_equal(d->source_line, 2);
	/* A BRIEF. */
	d = by_id(&g, "reuters-30");
	assert_int_equal(d->n_paragraphs, 1);
	assert_string_equal(d->paragraphs[0], d->headline);
	got_release(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_truncated_gzip),
		cmocka_unit_test(test_entities_controls),
		cmocka_unit_test(test_raw_bytes),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_brief_unproc),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_odd_input),
		cmocka_unit_test(test_alloc_failures),
		cmocka_unit_test(test_real_017),
		cmocka_unit_test(test_real_000),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
