/*
 * test_reader_newsml.c - the NewsML-G2 reader: every field of a newsItem,
 * located kept apart from the dateline places, a newsMessage with several
 * items (one without guid), NITF and inlineData bodies, no namespace or a
 * prefixed one, malformed XML, a root that is no NewsML, entities never
 * expanded, repairs, gzip (whole and truncated), and allocation failures.
 *
 * Fixtures: tests/fixtures/newsml/ and corpus/newsml/ (found through
 * $WIRE_TOP); small generated files go to a mkdtemp() directory.
 */
#include "reader_test_util.h"

#include <errno.h>
#include <time.h>

static int group_setup(void **state)
{
	(void)state;
	return rt_make_dir("newsml");
}

static int group_teardown(void **state)
{
	(void)state;
	return rt_remove_dir();
}

static const char *fixture(const char *name)
{
	return rt_fixture("newsml", name);
}

/* ------------------------------------------------------------------ */

static void check_full(const struct rt_got *g)
{
	const dispatch *d = &g->d[0];

	assert_int_equal(g->n, 1);
	assert_string_equal(d->id, "urn:newsml:wiresearch.example:20250610:"
				   "efe-cusco-tren");
	assert_int_equal(d->version, 4);
	assert_int_equal(d->first_created, date_from_ymd(2025, 6, 10, 12, 5, 0));
	assert_int_equal(d->version_created,
			 date_from_ymd(2025, 6, 10, 19, 30, 0));
	assert_int_equal(d->date_source, DATE_HEADER);
	assert_string_equal(d->pubstatus, "withheld");
	assert_int_equal(d->urgency, 3);
	assert_string_equal(d->agency, "EFE");
	assert_string_equal(d->language, "es");
	assert_string_equal(d->headline,
			    "Suspenden el tren a Machu Picchu por un derrumbe");
	assert_string_equal(d->slugline, "Per\xc3\xba-Turismo-Tren");
	assert_string_equal(d->byline, "Rosa Quispe");
	/* located is the desk; the places are the dateline's. */
	assert_string_equal(d->located, "Lima");
	assert_string_equal(d->dateline, "Cusco, 10 jun");
	assert_int_equal(d->n_places, 1);
	rt_check_place(d, 0, "Cusco");
	assert_int_equal(d->n_tags, 4);
	rt_check_tag(d, 0, TAG_TOPIC, "transporte ferroviario");
	rt_check_tag(d, 1, TAG_PLACE, "Per\xc3\xba");
	rt_check_tag(d, 2, TAG_PERSON, "Dina Boluarte");
	rt_check_tag(d, 3, TAG_ORG, "org:perurail");
	/* <h1> (the headline again) and <head> go; <br/> and <li> end
	 * paragraphs; the sign-off paragraph is taken off. */
	assert_int_equal(d->n_paragraphs, 5);
	assert_string_equal(d->paragraphs[0],
			    "Un derrumbe cort\xc3\xb3 la v\xc3\xad" "a "
			    "f\xc3\xa9rrea entre Ollantaytambo y Machu Picchu, "
			    "inform\xc3\xb3 la empresa.");
	assert_string_equal(d->paragraphs[1],
			    "Unos 1.200 turistas esperan en la estaci\xc3\xb3n "
			    "& las autoridades");
	assert_string_equal(d->paragraphs[2], "enviaron buses.");
	assert_string_equal(d->paragraphs[3], "Primer punto");
	assert_string_equal(d->paragraphs[4], "Segundo punto");
	assert_string_equal(d->signoff, "EFE");
	assert_string_equal(d->source_file, g->path);
	/* xmlGetLineNo(): the line where the start tag ends. */
	assert_int_equal(d->source_line, 6);
}

static void test_item_full(void **state)
{
	struct rt_got *g;

	(void)state;
	g = rt_read(fixture("item-full.xml"));
	assert_int_equal(g->last, 0);
	assert_int_equal(g->close_rc, 0);
	assert_string_equal(g->warnings, "");
	check_full(g);
	assert_int_equal(g->st.skipped, 0);
	assert_int_equal(g->st.utf8_repaired, 0);
	assert_int_equal(g->st.controls_removed, 0);
	rt_got_free(g);
}

static void test_gzip(void **state)
{
	struct rt_got *g;

	(void)state;
	g = rt_read(fixture("item-full.xml.gz"));
	assert_int_equal(g->last, 0);
	assert_int_equal(g->close_rc, 0);
	check_full(g);
	rt_got_free(g);
}

static void test_truncated_gzip(void **state)
{
	struct rt_got *g;

	(void)state;
	/* All or nothing: the XML is incomplete. */
	g = rt_read(fixture("truncated.xml.gz"));
	assert_int_equal(g->last, -1);
	assert_int_equal(g->n, 0);
	assert_string_equal(g->error,
			    rt_msg(g, 0, "truncated gzip stream (unexpected end "
				      "of file)"));
	assert_int_equal(g->close_rc, -1);
	assert_string_equal(g->close_err, g->error);
	rt_got_free(g);
}

static void test_item_alt(void **state)
{
	struct rt_got *g;
	const dispatch *d;

	(void)state;
	g = rt_read(fixture("item-alt.xml"));
	assert_int_equal(g->last, 0);
	assert_string_equal(g->warnings,
			    "2: invalid version 'x2': ignored\n"
			    "5: invalid versionCreated '2014-07-16T25:53:10Z': "
			    "ignored\n"
			    "10: invalid urgency 'high': ignored\n");
	assert_int_equal(g->n, 1);
	d = &g->d[0];
	assert_string_equal(d->id, "tag:wire.example,2014:KBN0FL0NN");
	assert_int_equal(d->version, 0);
	/* No valid versionCreated: firstCreated stands in. */
	assert_int_equal(d->version_created,
			 date_from_ymd(2014, 7, 16, 15, 53, 10));
	assert_int_equal(d->first_created, d->version_created);
	assert_string_equal(d->pubstatus, "canceled");
	assert_int_equal(d->urgency, 0);
	assert_string_equal(d->agency, "Reuters"); /* provider/@literal */
	assert_string_equal(d->language, "en");    /* @xml:lang */
	assert_string_equal(d->located, "Bangalore desk");
	rt_check_tag(d, 0, TAG_TOPIC, "N2:COM");
	/* The time stamp in <dateline> is no dateline: the body's is. */
	assert_string_equal(d->dateline, "LONDON, July 16 (Reuters)");
	rt_check_place(d, 0, "LONDON");
	/* NITF: body.head (hedline) is left out. */
	assert_int_equal(d->n_paragraphs, 2);
	assert_string_equal(d->paragraphs[0], "Copper rose on Wednesday.");
	assert_string_equal(d->paragraphs[1], "Aluminium followed.");
	rt_got_free(g);
}

static void test_message(void **state)
{
	struct rt_got *g;

	(void)state;
	g = rt_read(fixture("message-three.xml"));
	assert_int_equal(g->last, 0);
	assert_string_equal(g->warnings, "13: newsItem without guid [skipped]\n");
	assert_int_equal(g->st.skipped, 1);
	assert_int_equal(g->n, 2);
	assert_string_equal(g->d[0].id, "urn:wire:msg-1");
	assert_int_equal(g->d[0].source_line, 5);
	assert_string_equal(g->d[0].agency, "AFP"); /* infoSource/@literal */
	/* inlineData: plain text, blank lines between paragraphs. */
	assert_int_equal(g->d[0].n_paragraphs, 2);
	assert_string_equal(g->d[0].paragraphs[0], "The first item.");
	assert_string_equal(g->d[0].paragraphs[1], "Its second paragraph.");
	rt_check_place(&g->d[0], 0, "PARIS");
	assert_string_equal(g->d[1].id, "urn:wire:msg-3");
	assert_int_equal(g->d[1].version, 2);
	assert_int_equal(g->d[1].source_line, 16);
	assert_string_equal(g->d[1].agency, "ANSA"); /* from the dateline */
	assert_string_equal(g->d[1].paragraphs[0], "The third item.");
	rt_got_free(g);
}

/* The team's corpus files: two items, and located apart from the
 * dateline. */
static void test_corpus(void **state)
{
	struct rt_got *g;
	const dispatch *d;

	(void)state;
	g = rt_read(rt_project("corpus/newsml/newsmessage-2024-07-15-two-items.xml"));
	assert_int_equal(g->n, 2);
	assert_string_equal(g->warnings, "");
	assert_string_equal(g->d[0].id, "urn:newsml:wiresearch.example:"
					"20240715:afp-tour-de-france-stage");
	assert_string_equal(g->d[0].agency, "AFP");
	assert_string_equal(g->d[0].located, "Plateau de Beille");
	assert_string_equal(g->d[0].dateline,
			    "PLATEAU DE BEILLE, France, July 15");
	assert_int_equal(g->d[0].n_paragraphs, 4);
	assert_string_equal(g->d[1].id, "urn:newsml:wiresearch.example:"
					"20240715:dpa-bavaria-hailstorm");
	assert_int_equal(g->d[1].version, 2);
	assert_string_equal(g->d[1].agency, "dpa");
	/* "Munich" alone is no dateline; the body's "Munich (dpa)" is. */
	assert_string_equal(g->d[1].dateline, "Munich (dpa)");
	rt_check_place(&g->d[1], 0, "Munich");
	rt_got_free(g);

	g = rt_read(rt_project("corpus/newsml/reuters-2025-04-24-kabul-newsitem.xml"));
	assert_int_equal(g->n, 1);
	d = &g->d[0];
	assert_string_equal(d->located, "Islamabad");
	assert_int_equal(d->n_places, 1);
	rt_check_place(d, 0, "KABUL");
	assert_string_equal(d->dateline, "KABUL, April 24");
	assert_string_equal(d->agency, "Reuters");
	rt_check_tag(d, 1, TAG_PLACE, "Afghanistan");
	assert_int_equal(d->n_paragraphs, 5);
	rt_got_free(g);
}

static void test_malformed(void **state)
{
	struct rt_got *g;

	(void)state;
	g = rt_read(fixture("malformed.xml"));
	assert_int_equal(g->last, -1);
	assert_int_equal(g->n, 0);
	assert_string_equal(g->error,
			    rt_msg(g, 7, "malformed XML: Opening and ending tag "
				      "mismatch: p line 7 and body"));
	/* The file itself was read to its end. */
	assert_int_equal(g->close_rc, 0);
	rt_got_free(g);

	g = rt_read(fixture("not-newsml.xml"));
	assert_int_equal(g->last, -1);
	assert_string_equal(g->error,
			    rt_msg(g, 2, "not NewsML-G2: the root element is "
				      "<rss>, not <newsItem> or <newsMessage>"));
	rt_got_free(g);
}

static void test_entities(void **state)
{
	struct rt_got *g;
	time_t t0 = time(NULL);

	(void)state;
	/* Declared entities are never expanded, external ones never
	 * loaded; character references and the predefined ones are. */
	g = rt_read(fixture("entities.xml"));
	assert_int_equal(g->n, 1);
	assert_string_equal(g->d[0].headline, "Caf\xc3\xa9 & t\xc3\xa9" "a: "
					      "reports");
	assert_string_equal(g->d[0].paragraphs[0],
			    "Before after <tags> stay.");
	rt_got_free(g);
	/* Billion laughs: refused, fast. */
	g = rt_read(fixture("laughs.xml"));
	assert_int_equal(g->last, -1);
	assert_int_equal(g->n, 0);
	assert_non_null(strstr(g->error, ": malformed XML: "));
	assert_true(time(NULL) - t0 < 10);
	rt_got_free(g);
}

static void test_repairs(void **state)
{
	struct rt_got *g;

	(void)state;
	g = rt_read(fixture("raw-bytes.xml"));
	assert_int_equal(g->n, 1);
	assert_string_equal(g->d[0].headline, "Caf\xef\xbf\xbd prices rise");
	assert_string_equal(g->d[0].paragraphs[0],
			    "S\xef\xbf\xbdo Paulo coffee rose.");
	assert_int_equal(g->st.utf8_repaired, 2);
	assert_int_equal(g->st.controls_removed, 2);
	rt_got_free(g);
}

static void test_odd(void **state)
{
	static const struct {
		const char *xml;
		const char *error;     /* after "FILE:LINE: ", NULL: none */
		unsigned long line;
		size_t dispatches;
		const char *warnings;
		const char *headline;  /* of the first */
	} rows[] = {
		{ "", "malformed XML: the file is empty", 0, 0, "", NULL },
		{ "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
		  "<newsItem guid=\"l\"><contentMeta><headline>Caf\xe9"
		  "</headline></contentMeta></newsItem>",
		  NULL, 0, 1, "", "Caf\xc3\xa9" },
		{ "<nar:newsItem xmlns:nar=\"http://iptc.org/std/nar/"
		  "2006-10-01/\" guid=\"p\"><nar:contentMeta><x:headline "
		  "xmlns:x=\"urn:x\">Not this</x:headline><nar:headline>"
		  "Prefixed</nar:headline></nar:contentMeta></nar:newsItem>",
		  NULL, 0, 1, "", "Prefixed" },
		{ "<newsItem xmlns=\"urn:other\" guid=\"o\"/>",
		  "not NewsML-G2: the root element <newsItem> is in namespace "
		  "'urn:other'",
		  1, 0, "", NULL },
		{ "<newsItem guid=\"u\"><contentMeta><headline>x</headline>"
		  "</contentMeta><bad:x/></newsItem>",
		  NULL, 0, 1, "1: Namespace prefix bad on x is not defined\n",
		  "x" },
		{ "<newsItem guid=\"  \"/>", NULL, 0, 0,
		  "1: newsItem without guid [skipped]\n", NULL },
		{ "<newsMessage><itemSet/></newsMessage>", NULL, 0, 0, "",
		  NULL },
		{ "<newsItem guid=\"c\"><contentMeta><headline>A &#1;&#x1f;B"
		  "&#9;C</headline></contentMeta></newsItem>",
		  NULL, 0, 1, "", "A B C" },
		{ "<newsItem guid=\"s\"><itemMeta><pubStatus qcode=\"stat:"
		  "gone\"/></itemMeta></newsItem>",
		  NULL, 0, 1, "1: invalid pubStatus 'stat:gone': ignored\n",
		  NULL },
		{ "<newsItem guid=\"t\">\n<contentMeta><language tag=\"x\"/>"
		  "</contentMeta></newsItem>",
		  NULL, 0, 1, "2: invalid language 'x': ignored\n", NULL },
		{ "<newsItem guid=\"t\"><unclosed></newsItem>",
		  "malformed XML: Opening and ending tag mismatch: unclosed "
		  "line 1 and newsItem",
		  1, 0, "", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct rt_got *g;

		rt_write_text(rt_scratch("odd.xml"), rows[i].xml);
		g = rt_read(rt_scratch("odd.xml"));
		if (strcmp(g->warnings, rows[i].warnings) != 0)
			fail_msg("row %zu: warnings '%s', expected '%s'", i,
				 g->warnings, rows[i].warnings);
		if (rows[i].error) {
			assert_int_equal(g->last, -1);
			assert_string_equal(g->error,
					    rt_msg(g, rows[i].line, rows[i].error));
		} else {
			assert_int_equal(g->last, 0);
		}
		assert_int_equal(g->n, rows[i].dispatches);
		if (rows[i].headline)
			assert_string_equal(g->d[0].headline, rows[i].headline);
		if (i == 7)
			assert_int_equal(g->st.controls_removed, 2);
		rt_got_free(g);
	}
}

/* ------------------------------------------------- edges, one item each */

/* In a row: a string field expected absent (NULL: not checked), and a
 * number expected (0: not checked). */
#define NONE ((const char *)1)
#define V(x) ((x) + 1L)

struct edge_row {
	const char *xml;
	const char *warnings;
	const char *error;      /* after "FILE:LINE: "; NULL: none */
	unsigned long line;
	size_t n;
	const char *headline, *located, *agency, *language, *pubstatus,
		*dateline, *para0;
	long version, urgency, n_tags, controls; /* V(value) */
};

static void check_str(size_t row, const char *what, const char *got,
		      const char *want)
{
	if (!want || (want == NONE && !got))
		return;
	if (want == NONE || !got || strcmp(want, got) != 0)
		fail_msg("row %zu: %s '%s', expected '%s'", row, what,
			 got ? got : "(none)", want == NONE ? "(none)" : want);
}

static void check_num(size_t row, const char *what, long got, long want)
{
	if (want && got != want - 1)
		fail_msg("row %zu: %s %ld, expected %ld", row, what, got,
			 want - 1);
}

static void run_edge_rows(const struct edge_row *rows, size_t n_rows)
{
	size_t i;

	for (i = 0; i < n_rows; i++) {
		struct rt_got *g;
		const struct edge_row *w = &rows[i];

		rt_write_text(rt_scratch("edge.xml"), w->xml);
		g = rt_read(rt_scratch("edge.xml"));
		if (strcmp(g->warnings, w->warnings ? w->warnings : "") != 0)
			fail_msg("row %zu: warnings '%s', expected '%s'", i,
				 g->warnings, w->warnings ? w->warnings : "");
		if (w->error) {
			const char *want = rt_msg(g, w->line, w->error);
			size_t wl = strlen(want);

			assert_int_equal(g->last, -1);
			/* "...*": libxml2's wording varies after that. */
			if (want[wl - 1] == '*' ? strncmp(g->error, want, wl - 1) != 0
						: strcmp(g->error, want) != 0)
				fail_msg("row %zu: error '%s', expected '%s'", i,
					 g->error, rt_msg(g, w->line, w->error));
		} else {
			assert_int_equal(g->last, 0);
			assert_string_equal(g->error, "");
		}
		if (g->n != w->n)
			fail_msg("row %zu: %zu dispatches, expected %zu", i,
				 g->n, w->n);
		if (g->n) {
			const dispatch *d = &g->d[0];

			check_str(i, "headline", d->headline, w->headline);
			check_str(i, "located", d->located, w->located);
			check_str(i, "agency", d->agency, w->agency);
			check_str(i, "language", d->language, w->language);
			check_str(i, "pubstatus", d->pubstatus, w->pubstatus);
			check_str(i, "dateline", d->dateline, w->dateline);
			check_str(i, "paragraph",
				  d->n_paragraphs ? d->paragraphs[0] : NULL,
				  w->para0);
			check_num(i, "version", (long)d->version, w->version);
			check_num(i, "urgency", d->urgency, w->urgency);
			check_num(i, "tags", (long)d->n_tags, w->n_tags);
		}
		check_num(i, "controls removed", (long)g->st.controls_removed,
			  w->controls);
		rt_got_free(g);
	}
}

#define NI "<newsItem guid=\"e\">"
#define CM(x) NI "<contentMeta>" x "</contentMeta></newsItem>"
#define IM(x) NI "<itemMeta>" x "</itemMeta></newsItem>"

/* The fields of contentMeta and itemMeta: duplicates (the first wins),
 * fallbacks, and values that are reported and ignored. */
static void test_meta_edges(void **state)
{
	static const struct edge_row rows[] = {
		/* Duplicates: the first of each is kept. */
		{ .xml = CM("<headline>One</headline><headline>Two</headline>"
			    "<slugline>s1</slugline><slugline>s2</slugline>"
			    "<by>b1</by><by>b2</by>"
			    "<located><name>L1</name></located>"
			    "<located literal=\"L2\"/>"
			    "<urgency>2</urgency><urgency>7</urgency>"
			    "<language tag=\"fr\"/><language tag=\"de\"/>"
			    "<infoSource literal=\"dpa\"/>"
			    "<infoSource literal=\"AP\"/>"),
		  .n = 1, .headline = "One", .located = "L1", .agency = "dpa",
		  .language = "fr", .urgency = V(2), .n_tags = V(0),
		  .controls = V(0) },
		/* White space, comments and references inside text. */
		{ .xml = CM("<headline>  Rain <!-- note -->in\tthe&#13;east  "
			    "</headline>"),
		  .n = 1, .headline = "Rain in the east", .controls = V(0) },
		/* DEL and C1 controls go (counted); a no-break space stays. */
		{ .xml = CM("<headline>A&#127;B&#133;C&#160;D</headline>"),
		  .n = 1, .headline = "ABC\xc2\xa0" "D", .controls = V(2) },
		/* located: its own text when it has no name nor literal; an
		 * empty name falls back on literal. */
		{ .xml = CM("<located>  Port   Louis </located>"), .n = 1,
		  .located = "Port Louis" },
		{ .xml = CM("<located literal=\"Apia desk\"><name> </name>"
			    "</located>"),
		  .n = 1, .located = "Apia desk" },
		/* An infoSource with no name gives way to the provider. */
		{ .xml = NI "<itemMeta><provider literal=\"Kyodo News\"/>"
			 "</itemMeta><contentMeta><infoSource/></contentMeta>"
			 "</newsItem>",
		  .n = 1, .agency = "Kyodo" },
		{ .xml = NI "<itemMeta><provider><name>ANSA</name></provider>"
			 "</itemMeta></newsItem>",
		  .n = 1, .agency = "ANSA" },
		/* Urgency out of range or no number. */
		{ .xml = CM("<urgency></urgency>"),
		  .warnings = "1: invalid urgency '': ignored\n", .n = 1,
		  .urgency = V(0) },
		{ .xml = CM("<urgency>0</urgency>"),
		  .warnings = "1: invalid urgency '0': ignored\n", .n = 1,
		  .urgency = V(0) },
		{ .xml = CM("<urgency>10</urgency>"),
		  .warnings = "1: invalid urgency '10': ignored\n", .n = 1,
		  .urgency = V(0) },
		{ .xml = CM("<urgency>3rd</urgency>"),
		  .warnings = "1: invalid urgency '3rd': ignored\n", .n = 1,
		  .urgency = V(0) },
		{ .xml = CM("<urgency> 4 </urgency>"), .n = 1, .urgency = V(4) },
		/* Languages: a region is dropped; the rest is no code. */
		{ .xml = CM("<language tag=\"EN-gb\"/>"), .n = 1,
		  .language = "en" },
		{ .xml = CM("<language tag=\"pt_BR\"/>"), .n = 1,
		  .language = "pt" },
		{ .xml = CM("<language tag=\"spa\"/>"), .n = 1,
		  .language = "spa" },
		{ .xml = CM("<language tag=\"e\"/>"),
		  .warnings = "1: invalid language 'e': ignored\n", .n = 1,
		  .language = NONE },
		{ .xml = CM("<language tag=\"english\"/>"),
		  .warnings = "1: invalid language 'english': ignored\n",
		  .n = 1, .language = NONE },
		{ .xml = CM("<language tag=\"en1\"/>"),
		  .warnings = "1: invalid language 'en1': ignored\n", .n = 1,
		  .language = NONE },
		{ .xml = CM("<language tag=\"12\"/>"),
		  .warnings = "1: invalid language '12': ignored\n", .n = 1,
		  .language = NONE },
		/* An empty tag: xml:lang stands in; a bad xml:lang is
		 * reported at the item's line.  A lang attribute in no
		 * namespace or in another one is no xml:lang. */
		{ .xml = "<newsItem guid=\"e\" xml:lang=\"de\"><contentMeta>"
			 "<language tag=\"\"/></contentMeta></newsItem>",
		  .n = 1, .language = "de" },
		{ .xml = "<newsItem\n guid=\"e\" xml:lang=\"x-klingon\"/>",
		  .warnings = "2: invalid language 'x-klingon': ignored\n",
		  .n = 1, .language = NONE },
		{ .xml = "<newsItem guid=\"e\" lang=\"it\" y:lang=\"fi\" "
			 "xmlns:y=\"urn:y\"/>",
		  .n = 1, .language = NONE },
		/* A guid in another namespace is no guid. */
		{ .xml = "<newsItem y:guid=\"other\" guid=\"mine\" "
			 "xmlns:y=\"urn:y\"><contentMeta><headline>G"
			 "</headline></contentMeta></newsItem>",
		  .n = 1, .headline = "G" },
		/* Versions. */
		{ .xml = "<newsItem guid=\"e\" version=\"\"/>",
		  .warnings = "1: invalid version '': ignored\n", .n = 1,
		  .version = V(0) },
		{ .xml = "<newsItem guid=\"e\" version=\"-1\"/>",
		  .warnings = "1: invalid version '-1': ignored\n", .n = 1,
		  .version = V(0) },
		{ .xml = "<newsItem guid=\"e\" version=\"4294967296\"/>",
		  .warnings = "1: invalid version '4294967296': ignored\n",
		  .n = 1, .version = V(0) },
		{ .xml = "<newsItem guid=\"e\" version=\" 12 \"/>", .n = 1,
		  .version = V(12) },
		{ .xml = "<newsItem guid=\"e\" version=\"x1\"/>",
		  .warnings = "1: invalid version 'x1': ignored\n", .n = 1,
		  .version = V(0) },
		/* A date of blanks only; a language tag missing. */
		{ .xml = IM("<versionCreated>  </versionCreated>"),
		  .warnings = "1: invalid versionCreated '': ignored\n",
		  .n = 1 },
		{ .xml = "<newsItem guid=\"e\" xml:lang=\"sv\"><contentMeta>"
			 "<language/></contentMeta></newsItem>",
		  .n = 1, .language = "sv" },
		{ .xml = CM("<language tag=\"en{\"/>"),
		  .warnings = "1: invalid language 'en{': ignored\n", .n = 1,
		  .language = NONE },
		{ .xml = IM("<pubStatus qcode=\"stat:cancelles\"/>"),
		  .warnings = "1: invalid pubStatus 'stat:cancelles': "
			      "ignored\n",
		  .n = 1, .pubstatus = NONE },
		/* Statuses. */
		{ .xml = IM("<pubStatus qcode=\"usable\"/>"), .n = 1,
		  .pubstatus = "usable" },
		{ .xml = IM("<pubStatus qcode=\"stat:cancelled\"/>"), .n = 1,
		  .pubstatus = "canceled" },
		{ .xml = IM("<pubStatus qcode=\"stat:usabla\"/>"),
		  .warnings = "1: invalid pubStatus 'stat:usabla': ignored\n",
		  .n = 1, .pubstatus = NONE },
		{ .xml = IM("<pubStatus qcode=\"stat:withhelt\"/>"),
		  .warnings = "1: invalid pubStatus 'stat:withhelt': "
			      "ignored\n",
		  .n = 1, .pubstatus = NONE },
		{ .xml = IM("<pubStatus qcode=\"stat:\"/>"),
		  .warnings = "1: invalid pubStatus 'stat:': ignored\n",
		  .n = 1, .pubstatus = NONE },
		{ .xml = IM("<pubStatus/>"),
		  .warnings = "1: invalid pubStatus '': ignored\n", .n = 1,
		  .pubstatus = NONE },
		/* Dates with blanks around them; a bad firstCreated. */
		{ .xml = IM("<versionCreated>\n 2025-06-10T19:30:00Z\t"
			    "</versionCreated><firstCreated>soon"
			    "</firstCreated>"),
		  .warnings = "2: invalid firstCreated 'soon': ignored\n",
		  .n = 1 },
		/* Subjects: kinds by type, with or without a prefix; the name
		 * from <name>, @literal or @qcode. */
		{ .xml = CM("<subject type=\"person\" literal=\"Ana Reyes\"/>"
			    "<subject type=\"cpnat:organization\"><name>"
			    "UNICEF</name></subject><subject type=\"cpnat:poi\""
			    " qcode=\"poi:x1\"/><subject type=\"cpnat:event\" "
			    "qcode=\"ev:1\"/><subject qcode=\"medtop:1\"/>"),
		  .n = 1, .n_tags = V(5) },
		/* Entity references stay out of attribute values. */
		{ .xml = "<!DOCTYPE newsItem [<!ENTITY w \"wire\">]>\n"
			 "<newsItem guid=\"a&w;b\"><contentMeta><headline>H"
			 "</headline></contentMeta></newsItem>",
		  .n = 1, .headline = "H" },
	};

	(void)state;
	run_edge_rows(rows, sizeof rows / sizeof rows[0]);
}

/* The body, the dateline element, and the bytes of the file before the
 * parser sees them. */
static void test_body_edges(void **state)
{
	static const struct edge_row rows[] = {
		/* contentMeta/dateline gives the places when the body has
		 * no dateline; an empty one is none. */
		{ .xml = NI "<contentMeta><dateline/><dateline>HAVANA, "
			 "March 3</dateline></contentMeta><contentSet>"
			 "<inlineXML><html><body><p>No dateline here.</p>"
			 "</body></html></inlineXML></contentSet></newsItem>",
		  .n = 1, .dateline = "HAVANA, March 3",
		  .para0 = "No dateline here." },
		/* A dateline element with more than a dateline is none. */
		{ .xml = CM("<dateline>HAVANA, March 3 and more words of text"
			    "</dateline>"),
		  .n = 1, .dateline = NONE },
		/* An empty inlineXML gives way to the next; script, comment
		 * and processing instructions are no text. */
		{ .xml = NI "<contentSet><inlineXML/><inlineXML><div>One"
			 "<script>x</script><!-- c --><?pi x?> two<br/>three"
			 "</div></inlineXML></contentSet></newsItem>",
		  .n = 1, .para0 = "One two" },
		{ .xml = NI "<contentSet><inlineData>  Plain\n\ntext."
			 "</inlineData><inlineXML><p>not this</p></inlineXML>"
			 "</contentSet></newsItem>",
		  .n = 1, .para0 = "Plain" },
		/* Character references to controls are dropped before
		 * parsing, the rest kept. */
		{ .xml = CM("<headline>a&#x1F;b&#x1f;c&#2;d&#9;e&#10;f&#13;g"
			    "&#32;h&#xe9;i&#xC9;j&#65;k</headline>"),
		  .n = 1, .headline = "abcd e f g h\xc3\xa9i\xc3\x89jAk",
		  .controls = V(3) },
		{ .xml = CM("<headline>x&#123456789;y</headline>"),
		  .error = "malformed XML: *",
		  .line = 1 },
		{ .xml = CM("<headline>x&#;y</headline>"),
		  .error = "malformed XML: *",
		  .line = 1 },
		{ .xml = CM("<headline>x&#x1</headline>"),
		  .error = "malformed XML: *",
		  .line = 1 },
		/* A byte-order mark; declarations of UTF-8 or not. */
		{ .xml = "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf8\"?>"
			 "<newsItem guid=\"e\"><contentMeta><headline>caf\xe9"
			 "</headline></contentMeta></newsItem>",
		  .n = 1, .headline = "caf\xef\xbf\xbd", .controls = V(0) },
		{ .xml = "<?xml version=\"1.0\"?><newsItem guid=\"e\">"
			 "<contentMeta><headline>x\x01y</headline>"
			 "</contentMeta></newsItem>",
		  .n = 1, .headline = "xy", .controls = V(1) },
		{ .xml = "<?xml version=\"1.0\" encoding=\"latin1\"?><newsItem "
			 "guid=\"e\"><contentMeta><headline>Malm\xf6"
			 "</headline></contentMeta></newsItem>",
		  .n = 1, .headline = "Malm\xc3\xb6" },
		{ .xml = "<?xml version=\"1.0\" encoding=?><newsItem "
			 "guid=\"e\"/>",
		  .error = "malformed XML: String not started*",
		  .line = 1 },
		{ .xml = "<?xml version=\"1.0\" encoding='x'?><newsItem "
			 "guid=\"e\"/>",
		  .error = "malformed XML: Unsupported encoding*",
		  .line = 1 },
		{ .xml = "<?xml version=\"1.0\" <newsItem guid=\"e\"/>",
		  .error = "malformed XML: parsing XML declaration*",
		  .line = 1 },
		/* Bytes at the very end of the file, short files. */
		{ .xml = "<newsItem guid=\"e\"/>&#12", .error = "malformed "
			 "XML: *", .line = 1 },
		{ .xml = "<newsItem guid=\"e\"/>&#", .error = "malformed "
			 "XML: *", .line = 1 },
		{ .xml = "<newsItem guid=\"e\"/>\xc2", .error = "malformed "
			 "XML: *", .line = 1 },
		{ .xml = "<a/>", .error = "not NewsML-G2: the root element is "
			 "<a>, not <newsItem> or <newsMessage>", .line = 1 },
		{ .xml = "ab", .error = "malformed XML: *", .line = 1 },
		{ .xml = "x", .error = "malformed XML: *", .line = 1 },
		/* Hexadecimal references: too many digits for a control,
		 * letters that are no digits. */
		{ .xml = CM("<headline>&#x0000000041;&#xe9;</headline>"),
		  .n = 1, .headline = "A\xc3\xa9" },
		{ .xml = CM("<headline>&#xg;</headline>"),
		  .error = "malformed XML: *", .line = 1 },
		{ .xml = CM("<headline>&#xG;</headline>"),
		  .error = "malformed XML: *", .line = 1 },
		{ .xml = CM("<headline>&#65 </headline>"),
		  .error = "malformed XML: *", .line = 1 },
		/* libxml2's warnings are not reported. */
		{ .xml = "<?xml version=\"1.7\"?><newsItem guid=\"e\"/>",
		  .n = 1 },
		/* A lone lead byte of a two-byte sequence is repaired. */
		{ .xml = CM("<headline>x\xc2y</headline>"), .n = 1,
		  .headline = "x\xef\xbf\xbdy" },
		/* No "?>" in the first 512 bytes: read as UTF-8. */
		{ .xml = "<?xml version=\"1.0\"                             "
			 "                                                  "
			 "                                                  "
			 "                                                  "
			 "                                                  "
			 "                                                  "
			 "                                                  "
			 "                                                  "
			 "                                                  "
			 "                                                  "
			 "                                                  "
			 "?><newsItem guid=\"e\"><contentMeta><headline>"
			 "x\x01y</headline></contentMeta></newsItem>",
		  .n = 1, .headline = "xy", .controls = V(1) },
		/* Recoverable errors: the first is a warning; libxml2's
		 * warnings are not. */
		{ .xml = "<newsItem guid=\"e\" xmlns:r=\"relative\"><a:x/>"
			 "<b:y/></newsItem>",
		  .warnings = "1: Namespace prefix a on x is not defined\n",
		  .n = 1 },
	};
	char *big;
	struct edge_row last;
	char want[128];

	(void)state;
	run_edge_rows(rows, sizeof rows / sizeof rows[0]);
	/* A guid too long: skipped. */
	big = malloc(2200);
	assert_non_null(big);
	memcpy(big, "<newsItem guid=\"", 16);
	memset(big + 16, 'g', 1025);
	strcpy(big + 16 + 1025, "\"/>");
	snprintf(want, sizeof want,
		 "1: newsItem guid longer than 1024 bytes [skipped]\n");
	memset(&last, 0, sizeof last);
	last.xml = big;
	last.warnings = want;
	run_edge_rows(&last, 1);
	free(big);
}

/* UTF-16 files (with and without a byte-order mark) are parsed as they
 * are: no repair, no reference dropping. */
static void test_utf16(void **state)
{
	static const char doc[] =
		"<?xml version=\"1.0\" encoding=\"UTF-16\"?>"
		"<newsItem guid=\"u16\"><contentMeta><headline>Sixteen"
		"</headline></contentMeta></newsItem>";
	static const struct {
		int big_endian, bom;
	} kinds[] = { { 0, 1 }, { 1, 1 }, { 0, 0 }, { 1, 0 } };
	size_t k, i, n = sizeof doc - 1;

	(void)state;
	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		unsigned char *buf = malloc(2 * n + 2);
		size_t o = 0;
		struct rt_got *g;

		assert_non_null(buf);
		if (kinds[k].bom) {
			buf[o++] = kinds[k].big_endian ? 0xfe : 0xff;
			buf[o++] = kinds[k].big_endian ? 0xff : 0xfe;
		}
		for (i = 0; i < n; i++) {
			buf[o++] = kinds[k].big_endian ? 0 : (unsigned char)doc[i];
			buf[o++] = kinds[k].big_endian ? (unsigned char)doc[i] : 0;
		}
		rt_write_bytes(rt_scratch("u16.xml"), buf, o);
		free(buf);
		g = rt_read(rt_scratch("u16.xml"));
		assert_int_equal(g->last, 0);
		assert_int_equal(g->n, 1);
		assert_string_equal(g->d[0].id, "u16");
		assert_string_equal(g->d[0].headline, "Sixteen");
		rt_got_free(g);
	}
}

/* Errors of the input: a directory, an unreadable file, a file over
 * 64 MB. */
static void test_input_errors(void **state)
{
	reader_options o;
	char err[1024], want[4400];
	struct rt_got *g;
	FILE *f;

	(void)state;
	memset(&o, 0, sizeof o);
	o.format = FORMAT_NEWSML;
	assert_int_equal(mkdir(rt_scratch("dir.xml"), 0755), 0);
	assert_null(reader_open(rt_scratch("dir.xml"), &o, err, sizeof err));
	snprintf(want, sizeof want, "%s: %s", rt_scratch("dir.xml"),
		 strerror(EISDIR));
	assert_string_equal(err, want);
	assert_null(reader_open(rt_scratch("none.xml"), &o, err, sizeof err));
	snprintf(want, sizeof want, "%s: %s", rt_scratch("none.xml"),
		 strerror(ENOENT));
	assert_string_equal(err, want);

	/* 64 MB and one byte, sparse. */
	f = fopen(rt_scratch("huge.xml"), "wb");
	assert_non_null(f);
	assert_int_equal(fputs("<newsItem guid=\"h\">", f) >= 0, 1);
	assert_int_equal(fseek(f, (64L << 20), SEEK_SET), 0);
	assert_int_equal(fputc(' ', f), ' ');
	assert_int_equal(fclose(f), 0);
	g = rt_read(rt_scratch("huge.xml"));
	assert_int_equal(g->last, -1);
	assert_int_equal(g->n, 0);
	assert_string_equal(g->error, rt_msg(g, 0, "larger than 64 MB: not "
						   "read"));
	assert_int_equal(g->close_rc, 0);
	rt_got_free(g);
	unlink(rt_scratch("huge.xml"));
}

/* A rich newsMessage: every field of the format, two items, read with
 * each allocation failing in turn, once and from then on. */
static const char rich_message[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<newsMessage xmlns=\"http://iptc.org/std/nar/2006-10-01/\">\n"
	"<header><sent>2025-03-02T08:00:00Z</sent></header>\n"
	"<itemSet>\n"
	"<newsItem guid=\"urn:wire:rich-1\" version=\"3\" xml:lang=\"es\">\n"
	" <itemMeta><versionCreated>2025-03-02T07:40:00Z</versionCreated>\n"
	"  <firstCreated>2025-03-02T06:05:00Z</firstCreated>\n"
	"  <pubStatus qcode=\"stat:usable\"/>\n"
	"  <provider literal=\"EFE\"/></itemMeta>\n"
	" <contentMeta><urgency>2</urgency>\n"
	"  <located><name>Valpara\xc3\xadso</name></located>\n"
	"  <infoSource><name>Agencia EFE</name></infoSource>\n"
	"  <language tag=\"es-CL\"/>\n"
	"  <subject type=\"cpnat:geoArea\"><name>Chile</name></subject>\n"
	"  <subject type=\"cpnat:person\" literal=\"Marta Soler\"/>\n"
	"  <subject qcode=\"medtop:06000000\"/>\n"
	"  <slugline>Chile-Puerto</slugline>\n"
	"  <headline>El puerto\x01 reabre tras el temporal</headline>\n"
	"  <dateline>Valpara\xc3\xadso, 2 mar</dateline>\n"
	"  <by>Marta Soler</by></contentMeta>\n"
	" <contentSet><inlineXML><html><body>\n"
	"  <p>El puerto reabri\xc3\xb3 este domingo tras tres d\xc3\xad" "as "
	"cerrado por el temporal, &amp; las gr\xc3\xba" "as volvieron.</p>\n"
	"  <p>Unos 40 buques esperaban<br/>fuera de la bah\xc3\xad" "a.</p>\n"
	"  <ul><li>Uno</li><li>Dos</li></ul>\n"
	" </body></html></inlineXML></contentSet>\n"
	"</newsItem>\n"
	"<newsItem guid=\"urn:wire:rich-2\">\n"
	" <itemMeta><versionCreated>2025-03-02T09:00:00Z</versionCreated>"
	"</itemMeta>\n"
	" <contentMeta><headline>Second item</headline>\n"
	"  <infoSource literal=\"Kyodo News\"/></contentMeta>\n"
	" <contentSet><inlineData>OSAKA, March 2 (Kyodo) - A short one."
	"\n\nAnd a second paragraph.</inlineData></contentSet>\n"
	"</newsItem>\n"
	"<newsItem guid=\"urn:wire:rich-3\"/>\n"
	"</itemSet>\n"
	"</newsMessage>\n";

static void test_alloc_rich(void **state)
{
	struct rt_got *g;
	const dispatch *d;
	unsigned long runs;

	(void)state;
	rt_write_text(rt_scratch("rich.xml"), rich_message);
	g = rt_read(rt_scratch("rich.xml"));
	assert_int_equal(g->last, 0);
	assert_string_equal(g->warnings, "");
	assert_int_equal(g->n, 3);
	d = &g->d[0];
	assert_string_equal(d->id, "urn:wire:rich-1");
	assert_int_equal(d->version, 3);
	assert_int_equal(d->first_created, date_from_ymd(2025, 3, 2, 6, 5, 0));
	assert_int_equal(d->version_created,
			 date_from_ymd(2025, 3, 2, 7, 40, 0));
	assert_string_equal(d->pubstatus, "usable");
	assert_int_equal(d->urgency, 2);
	assert_string_equal(d->located, "Valpara\xc3\xadso");
	assert_string_equal(d->agency, "EFE");
	assert_string_equal(d->language, "es");
	assert_int_equal(d->n_tags, 3);
	rt_check_tag(d, 0, TAG_PLACE, "Chile");
	rt_check_tag(d, 1, TAG_PERSON, "Marta Soler");
	rt_check_tag(d, 2, TAG_TOPIC, "medtop:06000000");
	assert_string_equal(d->slugline, "Chile-Puerto");
	assert_string_equal(d->headline, "El puerto reabre tras el temporal");
	assert_string_equal(d->byline, "Marta Soler");
	assert_string_equal(d->dateline, "Valpara\xc3\xadso, 2 mar");
	rt_check_place(d, 0, "Valpara\xc3\xadso");
	assert_int_equal(d->n_paragraphs, 5);
	assert_string_equal(d->paragraphs[2], "fuera de la bah\xc3\xad" "a.");
	assert_int_equal(d->source_line, 5);
	assert_int_equal(g->st.controls_removed, 1);
	d = &g->d[1];
	assert_string_equal(d->agency, "Kyodo");
	assert_string_equal(d->dateline, "OSAKA, March 2 (Kyodo)");
	assert_int_equal(d->n_paragraphs, 2);
	assert_string_equal(g->d[2].id, "urn:wire:rich-3");
	rt_got_free(g);

	runs = rt_alloc_failures(rt_scratch("rich.xml"), NULL, 0);
	assert_true(runs > 60);
	rt_alloc_failures(rt_scratch("rich.xml"), NULL, 1);
	/* A lone newsItem. */
	rt_alloc_failures(fixture("item-full.xml"), NULL, 0);
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
		r = reader_open(fixture("message-three.xml"), &o, err,
				sizeof err);
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
	assert_true(n > 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_item_full),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_truncated_gzip),
		cmocka_unit_test(test_item_alt),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_repairs),
		cmocka_unit_test(test_odd),
		cmocka_unit_test(test_alloc_failures),
		cmocka_unit_test(test_meta_edges),
		cmocka_unit_test(test_body_edges),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_input_errors),
		cmocka_unit_test(test_alloc_rich),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
