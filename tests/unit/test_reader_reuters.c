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
#include "reader_test_util.h"

#include <time.h>

static int group_setup(void **state)
{
	(void)state;
	return rt_make_dir("reuters");
}

static int group_teardown(void **state)
{
	(void)state;
	return rt_remove_dir();
}

static const char *fixture(const char *name)
{
	return rt_fixture("reuters", name);
}

/* ------------------------------------------------------------------ */

static void check_fields(const struct rt_got *g)
{
	const dispatch *d = rt_by_id(g, "reuters-501");

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
	rt_check_place(d, 0, "BUENOS AIRES");
	assert_null(d->located);
	assert_int_equal(d->n_tags, 7);
	rt_check_tag(d, 0, TAG_TOPIC, "grain");
	rt_check_tag(d, 1, TAG_TOPIC, "wheat");
	rt_check_tag(d, 2, TAG_PLACE, "argentina");
	rt_check_tag(d, 3, TAG_PLACE, "brazil");
	rt_check_tag(d, 4, TAG_PERSON, "alfonsin");
	rt_check_tag(d, 5, TAG_ORG, "fao");
	rt_check_tag(d, 6, TAG_EXCHANGE, "cbt");
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

	d = rt_by_id(g, "reuters-502");
	/* A leading blank in the date is fine, and no repair. */
	assert_int_equal(d->version_created, date_from_ymd(1988, 4, 2, 17, 5, 0));
	assert_string_equal(d->headline, "HALVERSON TOOLS <HVT> SETS DIVIDEND");
	/* A dateline the parser does not take is kept as written. */
	assert_string_equal(d->dateline, "CLEVELAND");
	assert_int_equal(d->n_places, 0);
	assert_int_equal(d->n_tags, 1);
	rt_check_tag(d, 0, TAG_PLACE, "usa");
	assert_int_equal(d->n_paragraphs, 1);
	assert_string_equal(d->signoff, "Reuter");
	assert_int_equal(d->source_line, 27);
}

static void test_fields(void **state)
{
	struct rt_got g;

	(void)state;
	rt_read_into(fixture("fields.sgm"), NULL, &g);
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
	rt_got_release(&g);
}

static void test_gzip(void **state)
{
	struct rt_got g;

	(void)state;
	rt_read_into(fixture("fields.sgm.gz"), NULL, &g);
	assert_int_equal(g.last, 0);
	assert_int_equal(g.close_rc, 0);
	assert_int_equal(g.n, 2);
	check_fields(&g);
	rt_got_release(&g);
}

static void test_truncated_gzip(void **state)
{
	struct rt_got g;
	char want[4400];
	size_t i;

	(void)state;
	/* Four records (501, 502, 511, 512), the stream cut in the last. */
	rt_read_into(fixture("truncated.sgm.gz"), NULL, &g);
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
	rt_got_release(&g);
}

static void test_entities_controls(void **state)
{
	struct rt_got g;
	const dispatch *d;

	(void)state;
	rt_read_into(fixture("entities.sgm"), NULL, &g);
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
	rt_check_place(d, 0, "LONDON");
	assert_int_equal(g.st.controls_removed, 5); /* 5 30 127 1 3 */
	assert_int_equal(g.st.utf8_repaired, 0);
	assert_string_equal(g.warnings, "");
	rt_got_release(&g);
}

static void test_raw_bytes(void **state)
{
	struct rt_got g;

	(void)state;
	/* "S\xe3o" and "Caf\xfc&#5;&#30;exports": as in reut2-017.sgm. */
	rt_read_into(fixture("raw-bytes.sgm"), NULL, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.d[0].n_paragraphs, 1);
	assert_string_equal(g.d[0].paragraphs[0],
			    "Prices rose in S\xef\xbf\xbdo Paulo. "
			    "Caf\xef\xbf\xbd" "exports fell.");
	assert_int_equal(g.st.utf8_repaired, 2);
	assert_int_equal(g.st.controls_removed, 4); /* \x01 5 30 3 */
	assert_string_equal(g.warnings, "");
	rt_got_release(&g);
}

static void test_dates(void **state)
{
	struct rt_got g;

	(void)state;
	rt_read_into(fixture("dates.sgm"), NULL, &g);
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
	rt_got_release(&g);
}

static void test_brief_unproc(void **state)
{
	struct rt_got g;
	const dispatch *d;

	(void)state;
	rt_read_into(fixture("brief-unproc.sgm"), NULL, &g);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.warnings, "");
	/* BRIEF: the title is the headline and the text; the filler goes. */
	d = rt_by_id(&g, "reuters-601");
	assert_string_equal(d->headline,
			    "MAPLEFIELD MINES TO CLOSE YUKON SILVER PIT");
	assert_int_equal(d->n_paragraphs, 1);
	assert_string_equal(d->paragraphs[0], d->headline);
	assert_null(d->signoff);
	rt_check_tag(d, 0, TAG_PLACE, "canada");
	/* UNPROC: the whole text, its table lines kept apart. */
	d = rt_by_id(&g, "reuters-602");
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
	d = rt_by_id(&g, "reuters-603");
	assert_int_equal(d->n_paragraphs, 0);
	assert_null(d->headline);
	/* STX and ETX of the two UNPROC texts (the brief's text is its
	 * title). */
	assert_int_equal(g.st.controls_removed, 4);
	rt_got_release(&g);
}

static void test_structure(void **state)
{
	struct rt_got g;

	(void)state;
	rt_read_into(fixture("structure.sgm"), NULL, &g);
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
	rt_got_release(&g);
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
	struct rt_got g;
	size_t i;

	(void)state;
	assert_non_null(data);
	memcpy(data, head, sizeof head - 1);
	for (i = 0; i < body; i++)
		data[sizeof head - 1 + i] = i % 64 == 63 ? '\n' : 'x';
	memcpy(data + sizeof head - 1 + body, tail, sizeof tail);
	rt_write_bytes(rt_scratch("big.sgm"), data, n - 1);
	free(data);
	rt_read_into(rt_scratch("big.sgm"), NULL, &g);
	assert_string_equal(g.warnings, "1: record larger than 16 MB [skipped]\n");
	assert_int_equal(g.st.skipped, 1);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.d[0].id, "reuters-2");
	assert_int_equal(g.d[0].source_line, (unsigned)(4 + body / 64));
	rt_got_release(&g);
	unlink(rt_scratch("big.sgm"));
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
		struct rt_got g;
		size_t len = strlen(rows[i].data);

		/* Row 8 holds a NUL byte: write through it. */
		if (i == 8)
			len = strlen(rows[i].data) + 1 +
			      strlen(rows[i].data + strlen(rows[i].data) + 1);
		rt_write_bytes(rt_scratch("odd.sgm"), rows[i].data, len);
		rt_read_into(rt_scratch("odd.sgm"), NULL, &g);
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
		rt_got_release(&g);
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
	struct rt_got g;
	const dispatch *d;
	size_t i, n = 0;

	(void)state;
	if (!path) {
		printf("skip - reut2-017.sgm: no shared corpus "
		       "($WIRE_SHARED/corpus/reuters21578)\n");
		skip();
	}
	rt_read_into(path, NULL, &g);
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
	d = rt_by_id(&g, "reuters-17001");
	assert_int_equal(d->version, 1);
	rt_got_release(&g);
}

static void test_real_000(void **state)
{
	const char *path = shared_file("reut2-000.sgm");
	struct rt_got g;
	const dispatch *d;

	(void)state;
	if (!path) {
		printf("skip - reut2-000.sgm: no shared corpus\n");
		skip();
	}
	rt_read_into(path, NULL, &g);
	assert_int_equal(g.n, 1000);
	assert_string_equal(g.warnings, "");
	d = rt_by_id(&g, "reuters-1");
	assert_string_equal(d->headline, "BAHIA COCOA REVIEW");
	assert_string_equal(d->dateline, "SALVADOR, Feb 26");
	rt_check_place(d, 0, "SALVADOR");
	assert_int_equal(d->version_created,
			 date_from_ymd(1987, 2, 26, 15, 1, 1));
	rt_check_tag(d, 0, TAG_TOPIC, "cocoa");
	rt_check_tag(d, 1, TAG_PLACE, "el-salvador");
	assert_string_equal(d->signoff, "Reuter");
	assert_true(d->n_paragraphs > 10);
	assert_true(strncmp(d->paragraphs[0], "Showers continued throughout",
			    28) == 0);
	assert_int_equal(d->source_line, 2);
	/* A BRIEF. */
	d = rt_by_id(&g, "reuters-30");
	assert_int_equal(d->n_paragraphs, 1);
	assert_string_equal(d->paragraphs[0], d->headline);
	rt_got_release(&g);
}

/* Records with every element, sharing lines, one not closed, read with
 * each allocation failing in turn, once and from then on. */
static const char rich_sgm[] =
	"<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n"
	"<REUTERS TOPICS=\"YES\" NEWID=\"71\">\n"
	"<DATE> 3-MAR-1987 09:12:44.10</DATE>\n"
	"<TOPICS><D>grain</D><D>wheat</D></TOPICS>\n"
	"<PLACES><D>canada</D></PLACES><PEOPLE><D>doe</D></PEOPLE>\n"
	"<ORGS><D>ec</D></ORGS><EXCHANGES><D>cbt</D></EXCHANGES>\n"
	"<UNKNOWN>&#5;&#5;&#5;C T</UNKNOWN>\n"
	"<TEXT>&#2;\n"
	"<TITLE>WHEAT &amp; BARLEY STOCKS RISE</TITLE>\n"
	"<AUTHOR>    by Jane Roe</AUTHOR>\n"
	"<DATELINE>    WINNIPEG, March 3 - </DATELINE><BODY>Stocks rose "
	"&lt;10 pct&gt; in the week.\n"
	"    Traders said demand was firm.\n"
	" Reuter\n"
	"&#3;</BODY></TEXT>\n"
	"</REUTERS>\n"
	"<REUTERS NEWID=\"72\"><DATE>4-MAR-1987</DATE><TEXT TYPE=\"BRIEF\">"
	"<TITLE>SHORT ONE</TITLE>Blah blah blah.</TEXT></REUTERS><REUTERS "
	"NEWID=\"73\"><TEXT TYPE=\"UNPROC\">Unprocessed text\n    here"
	"</TEXT></REUTERS>\n"
	"<REUTERS NEWID=\"74\">\n"
	"<REUTERS NEWID=\"75\"><TEXT><TITLE>T</TITLE><BODY>B</BODY></TEXT>"
	"</REUTERS>\n";

static void test_alloc_rich(void **state)
{
	struct rt_got g;
	const dispatch *d;
	unsigned long runs;

	(void)state;
	rt_write_text(rt_scratch("rich.sgm"), rich_sgm);
	rt_read_into(rt_scratch("rich.sgm"), NULL, &g);
	assert_int_equal(g.last, 0);
	assert_string_equal(g.warnings, "18: <REUTERS> not closed before the "
					"next one [skipped]\n");
	assert_int_equal(g.n, 4);
	d = rt_by_id(&g, "reuters-71");
	assert_string_equal(d->headline, "WHEAT & BARLEY STOCKS RISE");
	assert_string_equal(d->byline, "by Jane Roe");
	assert_int_equal(d->n_tags, 6);
	rt_check_place(d, 0, "WINNIPEG");
	assert_int_equal(d->n_paragraphs, 2);
	assert_string_equal(d->paragraphs[0], "Stocks rose <10 pct> in the "
					      "week.");
	d = rt_by_id(&g, "reuters-72");
	assert_string_equal(d->paragraphs[0], "SHORT ONE");
	d = rt_by_id(&g, "reuters-73");
	assert_int_equal(d->n_paragraphs, 2);
	rt_got_release(&g);

	runs = rt_alloc_failures(rt_scratch("rich.sgm"), NULL, 0);
	assert_true(runs > 60);
	rt_alloc_failures(rt_scratch("rich.sgm"), NULL, 1);
}

/* ------------------------------------------------------------------ */

/* What a test looks at in D, on one line: id, date (UTC), headline,
 * dateline, tags, paragraphs. */
static const char *summary(const dispatch *d)
{
	static char buf[4096];
	char date[32] = "-";
	size_t i, n;

	if (d->version_created != -1) {
		time_t t = (time_t)d->version_created;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
	}
	n = (size_t)snprintf(buf, sizeof buf, "%s|%s|%s|%s|", d->id, date,
			     d->headline ? d->headline : "-",
			     d->dateline ? d->dateline : "-");
	for (i = 0; i < d->n_tags && n < sizeof buf; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s",
				      i ? "," : "", d->tags[i].value);
	for (i = 0; i < d->n_paragraphs && n < sizeof buf; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s",
				      i ? "/" : "|", d->paragraphs[i]);
	return buf;
}

struct reut_row {
	const char *data;
	const char *warnings;
	const char *first;     /* summary of the first dispatch, NULL: none */
	size_t n;
};

static void check_rows(const struct reut_row *rows, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		struct rt_got g;

		rt_write_text(rt_scratch("rows.sgm"), rows[i].data);
		rt_read_into(rt_scratch("rows.sgm"), NULL, &g);
		assert_int_equal(g.last, 0);
		if (strcmp(g.warnings, rows[i].warnings) != 0)
			fail_msg("row %zu: warnings '%s', expected '%s'", i,
				 g.warnings, rows[i].warnings);
		if (g.n != rows[i].n)
			fail_msg("row %zu: %zu dispatches, expected %zu", i, g.n,
				 rows[i].n);
		if (rows[i].first && strcmp(summary(&g.d[0]), rows[i].first))
			fail_msg("row %zu: '%s', expected '%s'", i,
				 summary(&g.d[0]), rows[i].first);
		rt_got_release(&g);
	}
}

/* Dates: fractions, impossible times, days that are none, junk. */
static void test_date_forms(void **state)
{
#define R(date) "<REUTERS NEWID=\"1\"><DATE>" date "</DATE><TEXT><BODY>b" \
		"</BODY></TEXT></REUTERS>\n"
	static const struct reut_row rows[] = {
		{ R("26-FEB-1987 15:01:01"), "",
		  "reuters-1|1987-02-26 15:01:01|-|-||b", 1 },
		{ R("26-feb-1987\t9:01:01.5"), "",
		  "reuters-1|1987-02-26 09:01:01|-|-||b", 1 },
		/* A dot with no digits after it is junk. */
		{ R("26-FEB-1987 15:01:01."),
		  "1: junk '.' after date '26-FEB-1987 15:01:01' removed\n",
		  "reuters-1|1987-02-26 15:01:01|-|-||b", 1 },
		/* A time that cannot be one: the day alone. */
		{ R("26-FEB-1987 25:61:99.10"),
		  "1: junk '25:61:99.10' after date '26-FEB-1987' removed\n",
		  "reuters-1|1987-02-26 00:00:00|-|-||b", 1 },
		{ R("26-FEB-1987 15:1:01"),
		  "1: junk '15:1:01' after date '26-FEB-1987' removed\n",
		  "reuters-1|1987-02-26 00:00:00|-|-||b", 1 },
		{ R("26-FEB-1987 15-01"),
		  "1: junk '15-01' after date '26-FEB-1987' removed\n",
		  "reuters-1|1987-02-26 00:00:00|-|-||b", 1 },
		{ R("26-FEB-1987 15:01"),
		  "1: junk '15:01' after date '26-FEB-1987' removed\n",
		  "reuters-1|1987-02-26 00:00:00|-|-||b", 1 },
		{ R("26-FEB-1987 15:01:"),
		  "1: junk '15:01:' after date '26-FEB-1987' removed\n",
		  "reuters-1|1987-02-26 00:00:00|-|-||b", 1 },
		{ R("26-FEB-1987 15"),
		  "1: junk '15' after date '26-FEB-1987' removed\n",
		  "reuters-1|1987-02-26 00:00:00|-|-||b", 1 },
		/* Blanks before, junk after (quoted without the blanks). */
		{ R("  3-MAR-1987 10:00:00 \tEDT"),
		  "1: junk 'EDT' after date '3-MAR-1987 10:00:00' removed\n",
		  "reuters-1|1987-03-03 10:00:00|-|-||b", 1 },
		/* No day at all. */
		{ R("126-FEB-1987"), "1: invalid date '126-FEB-1987'\n",
		  "reuters-1|-|-|-||b", 1 },
		{ R("26/FEB/1987"), "1: invalid date '26/FEB/1987'\n",
		  "reuters-1|-|-|-||b", 1 },
		{ R("26-FEX-1987"), "1: invalid date '26-FEX-1987'\n",
		  "reuters-1|-|-|-||b", 1 },
		{ R("26-FEB/1987"), "1: invalid date '26-FEB/1987'\n",
		  "reuters-1|-|-|-||b", 1 },
		{ R("26-FEB-87"), "1: invalid date '26-FEB-87'\n",
		  "reuters-1|-|-|-||b", 1 },
		{ R("26-FEB-19870"), "1: invalid date '26-FEB-19870'\n",
		  "reuters-1|-|-|-||b", 1 },
		{ R("31-FEB-1987"), "1: invalid date '31-FEB-1987'\n",
		  "reuters-1|-|-|-||b", 1 },
		{ R("26-FE"), "1: invalid date '26-FE'\n",
		  "reuters-1|-|-|-||b", 1 },
		{ R("26"), "1: invalid date '26'\n", "reuters-1|-|-|-||b", 1 },
		{ R("   "), "1: invalid date '   '\n", "reuters-1|-|-|-||b", 1 },
		{ R("bad\tdate"), "1: invalid date 'bad date'\n",
		  "reuters-1|-|-|-||b", 1 },
	};
#undef R

	(void)state;
	check_rows(rows, sizeof rows / sizeof rows[0]);
}

/* Attributes and tags: quoting, blanks, names inside other names; end
 * tags with blanks; elements never closed. */
static void test_markup_forms(void **state)
{
	static const struct reut_row rows[] = {
		{ "<REUTERS NEWID = '6' OLDID=\"1\"><TEXT><BODY>b</BODY></TEXT>"
		  "</REUTERS >\n",
		  "", "reuters-6|-|-|-||b", 1 },
		{ "<REUTERS NEWID=7 OLDID=1><TEXT><BODY>b</BODY></TEXT>"
		  "</REUTERS>\n",
		  "", "reuters-7|-|-|-||b", 1 },
		{ "<REUTERS XNEWID=\"1\" NEWID NEWID=\"Ab-c_d.9\"><TEXT><BODY>b"
		  "</BODY></TEXT></REUTERS>\n",
		  "", "reuters-Ab-c_d.9|-|-|-||b", 1 },
		{ "<REUTERS NEWID><TEXT><BODY>b</BODY></TEXT></REUTERS>\n",
		  "1: <REUTERS> without NEWID [skipped]\n", NULL, 0 },
		{ "<REUTERS NEWID=\"x/y\"></REUTERS>\n",
		  "1: <REUTERS> with invalid NEWID 'x/y' [skipped]\n", NULL, 0 },
		{ "<REUTERS NEWID=\"12345678901234567890123456789012345678901234"
		  "567890123456789012345678\"></REUTERS>\n",
		  "1: <REUTERS> with invalid NEWID '1234567890123456789012345678"
		  "901234567890123456789012345678901234...' [skipped]\n",
		  NULL, 0 },
		/* TYPE: only UNPROC takes the whole text. */
		{ "<REUTERS NEWID=\"8\"><TEXT TYPE=UNPROCX><TITLE>T</TITLE>"
		  "filler</TEXT></REUTERS>\n",
		  "", "reuters-8|-|T|-||T", 1 },
		{ "<REUTERS NEWID=\"8\"><TEXT TYPE=\"UNPRO1\"><TITLE>T</TITLE>"
		  "filler</TEXT></REUTERS>\n",
		  "", "reuters-8|-|T|-||T", 1 },
		{ "<REUTERS NEWID=\"8\"><TEXT type='unproc'>\n   All of it.\n"
		  "</TEXT></REUTERS>\n",
		  "", "reuters-8|-|-|-||All of it.", 1 },
		/* End tags with blanks, or something else, before '>'. */
		{ "<REUTERS NEWID=\"9\"><TEXT><TITLE>A</TITLE\n></TEXT>"
		  "</REUTERS>\n",
		  "", "reuters-9|-|A|-||A", 1 },
		{ "<REUTERS NEWID=\"9\"><TEXT><TITLE>A</TITLE x></TITLE>"
		  "</TEXT></REUTERS>\n",
		  "", "reuters-9|-|A</TITLE x>|-||A</TITLE x>", 1 },
		/* An element whose start tag has no '>' is none. */
		{ "<REUTERS NEWID=\"9\"><TEXT><BODY>b</BODY></TEXT></REUTERS>"
		  "<REUTERS NEWID=\"10\"><TITLE</REUTERS>\n",
		  "", "reuters-9|-|-|-||b", 2 },
		/* <D> items not closed. */
		{ "<REUTERS NEWID=\"11\"><TOPICS><D>gold<D>silver</TOPICS>"
		  "<TEXT><BODY>b</BODY></TEXT></REUTERS>\n",
		  "", "reuters-11|-|-|-|gold<D>silver|b", 1 },
		/* Three records on a line, an empty line first, blanks after
		 * them. */
		{ "\n<REUTERS NEWID=\"1\"></REUTERS><REUTERS NEWID=\"2\">"
		  "</REUTERS><REUTERS NEWID=\"3\"><TEXT><BODY>c</BODY></TEXT>"
		  "</REUTERS>  \n",
		  "", "reuters-1|-|-|-|", 3 },
	};

	(void)state;
	check_rows(rows, sizeof rows / sizeof rows[0]);
}

/* References and raw control characters in the text. */
static void test_text_forms(void **state)
{
	static const struct {
		const char *body;
		const char *text;      /* paragraphs joined by '/' */
		unsigned long controls, repaired;
	} rows[] = {
		{ "&#X41;&#x62;&#xC9;&#xe9;&#x20AC;&#x1F30D;&#65;",
		  "Ab\xc3\x89\xc3\xa9\xe2\x82\xac\xf0\x9f\x8c\x8d" "A", 0, 0 },
		{ "x &#12a; &#xg; &#65 y &#123456789; &#x4! &q &#",
		  "x &#12a; &#xg; &#65 y &#123456789; &#x4! &q &#", 0, 0 },
		/* A tab stays, a newline or CR joins the lines; the C1 NEL
		 * and DEL, raw or referenced, go. */
		{ "a&#9;b&#10;c&#13;d\xc2\x85" "e\x7f" "f&#133;g\xc2\xa9h",
		  "a\tb c defg\xc2\xa9h", 3, 0 },
		/* An indented line starts a paragraph, with a tab too. */
		{ "First line\n\tSecond para\n  Third para",
		  "First line/Second para/Third para", 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char data[1024];
		struct rt_got g;
		char text[1024];
		size_t k, n = 0;

		snprintf(data, sizeof data,
			 "<REUTERS NEWID=\"1\"><TEXT><BODY>%s</BODY></TEXT>"
			 "</REUTERS>\n", rows[i].body);
		rt_write_text(rt_scratch("text.sgm"), data);
		rt_read_into(rt_scratch("text.sgm"), NULL, &g);
		assert_int_equal(g.n, 1);
		assert_string_equal(g.warnings, "");
		text[0] = '\0';
		for (k = 0; k < g.d[0].n_paragraphs; k++)
			n += (size_t)snprintf(text + n, sizeof text - n, "%s%s",
					      k ? "/" : "",
					      g.d[0].paragraphs[k]);
		if (strcmp(text, rows[i].text) != 0)
			fail_msg("row %zu: '%s', expected '%s'", i, text,
				 rows[i].text);
		if (g.st.controls_removed != rows[i].controls ||
		    g.st.utf8_repaired != rows[i].repaired)
			fail_msg("row %zu: %lu controls, %lu repaired", i,
				 g.st.controls_removed, g.st.utf8_repaired);
		rt_got_release(&g);
	}
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
		cmocka_unit_test(test_alloc_rich),
		cmocka_unit_test(test_date_forms),
		cmocka_unit_test(test_markup_forms),
		cmocka_unit_test(test_text_forms),
		cmocka_unit_test(test_real_017),
		cmocka_unit_test(test_real_000),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
