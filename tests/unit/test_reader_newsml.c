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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define MAX_GOT 16

static char dir[4096];

struct got {
	dispatch d[MAX_GOT];
	size_t n;
	reader_stats st;
	int last;
	char error[1024];
	int close_rc;
	char close_err[1024];
	const char *path;
	char warnings[8192];
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
	snprintf(dir, sizeof dir, "%s/wire-newsml-XXXXXX", tmp ? tmp : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* FILE under the project: "tests/fixtures/newsml/x.xml", "corpus/...". */
static const char *project(const char *file)
{
	static char path[4][4200];
	static int k;
	const char *top = getenv("WIRE_TOP");
	struct stat st;

	if (!top || !*top)
		top = stat("tests/fixtures", &st) == 0 ? "." : "../..";
	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%s", top, file);
	return path[k];
}

static const char *fixture(const char *name)
{
	char file[512];

	snprintf(file, sizeof file, "tests/fixtures/newsml/%s", name);
	return project(file);
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

static struct got *read_file(const char *path)
{
	struct got *g = calloc(1, sizeof *g);
	reader_options o;
	reader *r;
	char err[1024];
	int rc;

	assert_non_null(g);
	g->path = path;
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
	assert_null(g->d[g->n].id);
	assert_int_equal(g->d[g->n].n_paragraphs, 0);
	dispatch_release(&g->d[g->n]);
	g->last = rc;
	/* A failed reader stays failed. */
	if (rc < 0) {
		dispatch extra;

		dispatch_init(&extra);
		assert_int_equal(reader_next(r, &extra), -1);
	}
	if (reader_error(r))
		snprintf(g->error, sizeof g->error, "%s", reader_error(r));
	g->st = *reader_get_stats(r);
	assert_int_equal(g->st.dispatches, g->n);
	g->close_rc = reader_close(r, g->close_err, sizeof g->close_err);
	return g;
}

static void got_free(struct got *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		dispatch_release(&g->d[i]);
	free(g);
}

static void write_text(const char *path, const char *data)
{
	FILE *f = fopen(path, "wb");
	size_t len = strlen(data);

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void check_tag(const dispatch *d, size_t i, enum tag_kind kind,
		      const char *value)
{
	assert_true(i < d->n_tags);
	assert_int_equal(d->tags[i].kind, kind);
	assert_string_equal(d->tags[i].value, value);
}

static void check_place(const dispatch *d, size_t i, const char *place)
{
	assert_true(i < d->n_places);
	if (strcasecmp(d->places[i], place) != 0)
		fail_msg("place %zu: '%s', expected '%s'", i, d->places[i],
			 place);
}

/* "FILE:LINE: TEXT" or "FILE: TEXT" (LINE 0) for G's file. */
static const char *msg(const struct got *g, unsigned long line,
		       const char *text)
{
	static char m[4400];

	if (line)
		snprintf(m, sizeof m, "%s:%lu: %s", g->path, line, text);
	else
		snprintf(m, sizeof m, "%s: %s", g->path, text);
	return m;
}

/* ------------------------------------------------------------------ */

static void check_full(const struct got *g)
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
	check_place(d, 0, "Cusco");
	assert_int_equal(d->n_tags, 4);
	check_tag(d, 0, TAG_TOPIC, "transporte ferroviario");
	check_tag(d, 1, TAG_PLACE, "Per\xc3\xba");
	check_tag(d, 2, TAG_PERSON, "Dina Boluarte");
	check_tag(d, 3, TAG_ORG, "org:perurail");
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
	struct got *g;

	(void)state;
	g = read_file(fixture("item-full.xml"));
	assert_int_equal(g->last, 0);
	assert_int_equal(g->close_rc, 0);
	assert_string_equal(g->warnings, "");
	check_full(g);
	assert_int_equal(g->st.skipped, 0);
	assert_int_equal(g->st.utf8_repaired, 0);
	assert_int_equal(g->st.controls_removed, 0);
	got_free(g);
}

static void test_gzip(void **state)
{
	struct got *g;

	(void)state;
	g = read_file(fixture("item-full.xml.gz"));
	assert_int_equal(g->last, 0);
	assert_int_equal(g->close_rc, 0);
	check_full(g);
	got_free(g);
}

static void test_truncated_gzip(void **state)
{
	struct got *g;

	(void)state;
	/* All or nothing: the XML is incomplete. */
	g = read_file(fixture("truncated.xml.gz"));
	assert_int_equal(g->last, -1);
	assert_int_equal(g->n, 0);
	assert_string_equal(g->error,
			    msg(g, 0, "truncated gzip stream (unexpected end "
				      "of file)"));
	assert_int_equal(g->close_rc, -1);
	assert_string_equal(g->close_err, g->error);
	got_free(g);
}

static void test_item_alt(void **state)
{
	struct got *g;
	const dispatch *d;

	(void)state;
	g = read_file(fixture("item-alt.xml"));
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
	check_tag(d, 0, TAG_TOPIC, "N2:COM");
	/* The time stamp in <dateline> is no dateline: the body's is. */
	assert_string_equal(d->dateline, "LONDON, July 16 (Reuters)");
	check_place(d, 0, "LONDON");
	/* NITF: body.head (hedline) is left out. */
	assert_int_equal(d->n_paragraphs, 2);
	assert_string_equal(d->paragraphs[0], "Copper rose on Wednesday.");
	assert_string_equal(d->paragraphs[1], "Aluminium followed.");
	got_free(g);
}

static void test_message(void **state)
{
	struct got *g;

	(void)state;
	g = read_file(fixture("message-three.xml"));
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
	check_place(&g->d[0], 0, "PARIS");
	assert_string_equal(g->d[1].id, "urn:wire:msg-3");
	assert_int_equal(g->d[1].version, 2);
	assert_int_equal(g->d[1].source_line, 16);
	assert_string_equal(g->d[1].agency, "ANSA"); /* from the dateline */
	assert_string_equal(g->d[1].paragraphs[0], "The third item.");
	got_free(g);
}

/* The team's corpus files: two items, and located apart from the
 * dateline. */
static void test_corpus(void **state)
{
	struct got *g;
	const dispatch *d;

	(void)state;
	g = read_file(project("corpus/newsml/newsmessage-2024-07-15-two-items.xml"));
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
	check_place(&g->d[1], 0, "Munich");
	got_free(g);

	g = read_file(project("corpus/newsml/reuters-2025-04-24-kabul-newsitem.xml"));
	assert_int_equal(g->n, 1);
	d = &g->d[0];
	assert_string_equal(d->located, "Islamabad");
	assert_int_equal(d->n_places, 1);
	check_place(d, 0, "KABUL");
	assert_string_equal(d->dateline, "KABUL, April 24");
	assert_string_equal(d->agency, "Reuters");
	check_tag(d, 1, TAG_PLACE, "Afghanistan");
	assert_int_equal(d->n_paragraphs, 5);
	got_free(g);
}

static void test_malformed(void **state)
{
	struct got *g;

	(void)state;
	g = read_file(fixture("malformed.xml"));
	assert_int_equal(g->last, -1);
	assert_int_equal(g->n, 0);
	assert_string_equal(g->error,
			    msg(g, 7, "malformed XML: Opening and ending tag "
				      "mismatch: p line 7 and body"));
	/* The file itself was read to its end. */
	assert_int_equal(g->close_rc, 0);
	got_free(g);

	g = read_file(fixture("not-newsml.xml"));
	assert_int_equal(g->last, -1);
	assert_string_equal(g->error,
			    msg(g, 2, "not NewsML-G2: the root element is "
				      "<rss>, not <newsItem> or <newsMessage>"));
	got_free(g);
}

static void test_entities(void **state)
{
	struct got *g;
	time_t t0 = time(NULL);

	(void)state;
	/* Declared entities are never expanded, external ones never
	 * loaded; character references and the predefined ones are. */
	g = read_file(fixture("entities.xml"));
	assert_int_equal(g->n, 1);
	assert_string_equal(g->d[0].headline, "Caf\xc3\xa9 & t\xc3\xa9" "a: "
					      "reports");
	assert_string_equal(g->d[0].paragraphs[0],
			    "Before after <tags> stay.");
	got_free(g);
	/* Billion laughs: refused, fast. */
	g = read_file(fixture("laughs.xml"));
	assert_int_equal(g->last, -1);
	assert_int_equal(g->n, 0);
	assert_non_null(strstr(g->error, ": malformed XML: "));
	assert_true(time(NULL) - t0 < 10);
	got_free(g);
}

static void test_repairs(void **state)
{
	struct got *g;

	(void)state;
	g = read_file(fixture("raw-bytes.xml"));
	assert_int_equal(g->n, 1);
	assert_string_equal(g->d[0].headline, "Caf\xef\xbf\xbd prices rise");
	assert_string_equal(g->d[0].paragraphs[0],
			    "S\xef\xbf\xbdo Paulo coffee rose.");
	assert_int_equal(g->st.utf8_repaired, 2);
	assert_int_equal(g->st.controls_removed, 2);
	got_free(g);
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
		struct got *g;

		write_text(scratch("odd.xml"), rows[i].xml);
		g = read_file(scratch("odd.xml"));
		if (strcmp(g->warnings, rows[i].warnings) != 0)
			fail_msg("row %zu: warnings '%s', expected '%s'", i,
				 g->warnings, rows[i].warnings);
		if (rows[i].error) {
			assert_int_equal(g->last, -1);
			assert_string_equal(g->error,
					    msg(g, rows[i].line, rows[i].error));
		} else {
			assert_int_equal(g->last, 0);
		}
		assert_int_equal(g->n, rows[i].dispatches);
		if (rows[i].headline)
			assert_string_equal(g->d[0].headline, rows[i].headline);
		if (i == 7)
			assert_int_equal(g->st.controls_removed, 2);
		got_free(g);
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
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
