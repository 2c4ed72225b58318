/*
 * test_reader_jsonl.c - the JSON Lines (ninjs) reader: every field and
 * its alternatives, body_html made plain, bad lines in the middle (invalid
 * JSON, not an object, no id, impossible date, wrong types) with the lines
 * around them read, repairs, blank lines, a byte-order mark and CR LF, a
 * line over INPUT_MAX_LINE, gzip (whole and truncated), and allocation
 * failures.
 *
 * Fixtures: tests/fixtures/jsonl/ (found through $WIRE_TOP); generated
 * files go to a mkdtemp() directory.
 */
#include "reader_test_util.h"
#include "input.h"

#include <jansson.h>

#include <errno.h>

static int group_setup(void **state)
{
	(void)state;
	return rt_make_dir("jsonl");
}

static int group_teardown(void **state)
{
	(void)state;
	return rt_remove_dir();
}

static const char *fixture(const char *name)
{
	return rt_fixture("jsonl", name);
}

/* ------------------------------------------------------------------ */

static void check_fields(const struct rt_got *g)
{
	const dispatch *d = &g->d[0];

	assert_int_equal(g->n, 3);
	assert_string_equal(d->id,
			    "urn:newsml:wiresearch.example:20250302:"
			    "reuters-quito-ash");
	assert_int_equal(d->version, 3);
	assert_int_equal(d->first_created, date_from_ymd(2025, 3, 2, 7, 15, 0));
	assert_int_equal(d->version_created,
			 date_from_ymd(2025, 3, 2, 7, 40, 0));
	assert_int_equal(d->date_source, DATE_HEADER);
	assert_string_equal(d->headline,
			    "Volcano ash closes Quito airport for second day");
	assert_string_equal(d->language, "en");
	/* located is the desk, apart from the dateline places. */
	assert_string_equal(d->located, "Bogota");
	assert_string_equal(d->dateline, "QUITO, March 2 (Reuters)");
	assert_int_equal(d->n_places, 1);
	rt_check_place(d, 0, "QUITO");
	assert_string_equal(d->byline, "Maria Espinel");
	assert_string_equal(d->slugline, "ECUADOR-VOLCANO/");
	assert_int_equal(d->urgency, 2);
	assert_string_equal(d->pubstatus, "usable");
	assert_string_equal(d->agency, "Reuters");
	assert_int_equal(d->n_tags, 4);
	rt_check_tag(d, 0, TAG_TOPIC, "volcano");
	rt_check_tag(d, 1, TAG_TOPIC, "aviation");
	rt_check_tag(d, 2, TAG_PLACE, "Ecuador");
	rt_check_tag(d, 3, TAG_PLACE, "Quito");
	assert_int_equal(d->n_paragraphs, 2);
	assert_string_equal(d->paragraphs[0],
			    "Ash from the Sangay volcano kept Quito's airport "
			    "closed for a second day on Sunday, the civil "
			    "aviation authority said.");
	assert_string_equal(d->paragraphs[1],
			    "Airlines cancelled 84 flights. The authority said "
			    "it would review the situation at noon.");
	assert_string_equal(d->signoff, "Reuters");
	assert_string_equal(d->source_file, g->path);
	assert_int_equal(d->source_line, 1);

	/* The alternatives. */
	d = &g->d[1];
	assert_string_equal(d->id, "efe-2025-03-03-lima-huelga");
	assert_int_equal(d->version, 2);
	assert_int_equal(d->first_created, date_from_ymd(2025, 3, 3, 12, 0, 0));
	assert_int_equal(d->version_created, d->first_created);
	assert_string_equal(d->headline,
			    "Lima amanece sin buses por un paro de "
			    "transportistas");
	assert_string_equal(d->located, "Lima");
	assert_string_equal(d->byline, "Redacci\xc3\xb3n Lima");
	assert_string_equal(d->agency, "EFE");
	assert_string_equal(d->pubstatus, "canceled");
	assert_int_equal(d->urgency, 4);
	assert_string_equal(d->language, "es");
	assert_int_equal(d->n_tags, 3);
	rt_check_tag(d, 0, TAG_TOPIC, "transporte");
	rt_check_tag(d, 1, TAG_TOPIC, "seguridad");
	rt_check_tag(d, 2, TAG_PLACE, "Per\xc3\xba");
	assert_string_equal(d->dateline, "Lima, 3 mar (EFE)");
	rt_check_place(d, 0, "Lima");
	/* <head>, <style>, <script> and comments go; <p> and <br> end
	 * paragraphs; entities are decoded; the sign-off is taken off. */
	assert_int_equal(d->n_paragraphs, 4);
	assert_string_equal(d->paragraphs[0],
			    "Los transportistas de Lima paralizaron sus "
			    "unidades este lunes\xc2\xa0" "en protesta por la "
			    "inseguridad.");
	assert_string_equal(d->paragraphs[1],
			    "El Gobierno convoc\xc3\xb3 a una reuni\xc3\xb3n & "
			    "pidi\xc3\xb3 calma.");
	assert_string_equal(d->paragraphs[2],
			    "Los gremios dijeron \xe2\x80\x9cno\xe2\x80\x9d.");
	assert_string_equal(d->paragraphs[3], "Tarifa: 5 < 7 soles.");
	assert_string_equal(d->signoff, "EFE");
	assert_int_equal(d->source_line, 4);

	/* A number for an id; bodies[]; no dates, version or language. */
	d = &g->d[2];
	assert_string_equal(d->id, "20250304");
	assert_int_equal(d->version, 0);
	assert_int_equal(d->version_created, -1);
	assert_int_equal(d->first_created, -1);
	assert_int_equal(d->date_source, DATE_NONE);
	assert_null(d->language);
	assert_null(d->headline);
	assert_string_equal(d->agency, "dpa");
	assert_int_equal(d->n_paragraphs, 1);
	assert_string_equal(d->paragraphs[0],
			    "Markets were closed for the holiday.");
	assert_int_equal(d->source_line, 5);
}

static void test_fields(void **state)
{
	struct rt_got *g;

	(void)state;
	g = rt_read(fixture("fields.jsonl"));
	assert_int_equal(g->last, 0);
	assert_int_equal(g->close_rc, 0);
	assert_string_equal(g->warnings, "");
	check_fields(g);
	assert_int_equal(g->st.skipped, 0);
	assert_int_equal(g->st.utf8_repaired, 0);
	assert_int_equal(g->st.controls_removed, 0);
	rt_got_free(g);
}

static void test_gzip(void **state)
{
	struct rt_got *g;

	(void)state;
	g = rt_read(fixture("fields.jsonl.gz"));
	assert_int_equal(g->last, 0);
	assert_int_equal(g->close_rc, 0);
	check_fields(g);
	rt_got_free(g);
}

static void test_broken(void **state)
{
	struct rt_got *g;

	(void)state;
	g = rt_read(fixture("broken.jsonl"));
	assert_int_equal(g->last, 0);
	assert_int_equal(g->close_rc, 0);
	assert_string_equal(
		g->warnings,
		"2: invalid JSON at column 31: unexpected token near '}' "
		"[skipped]\n"
		"4: not a JSON object [skipped]\n"
		"5: no id (uri, guid or id) [skipped]\n"
		"6: invalid versioncreated '2025-02-30T10:00:00Z' [skipped]\n"
		"7: invalid JSON at column 7: '[' or '{' expected near "
		"'\"hello\"' [skipped]\n"
		"8: invalid version: ignored\n"
		"8: invalid urgency: ignored\n"
		"8: invalid pubstatus 'draft': ignored\n"
		"8: invalid language 'English': ignored\n"
		"8: 'located' has the wrong type: ignored\n"
		"8: 'headline' has the wrong type: ignored\n"
		"10: 'firstcreated' is not a date string [skipped]\n");
	assert_int_equal(g->st.skipped, 6);
	/* The lines before and after each bad one are all read. */
	assert_int_equal(g->n, 5);
	assert_string_equal(g->d[0].id, "wire-1");
	assert_int_equal(g->d[0].source_line, 1);
	assert_string_equal(g->d[1].id, "wire-3");
	assert_int_equal(g->d[1].source_line, 3);
	assert_string_equal(g->d[1].headline, "Third good line");
	/* Wrong types: the fields are left out, the line is kept. */
	assert_string_equal(g->d[2].id, "wire-8");
	assert_null(g->d[2].headline);
	assert_int_equal(g->d[2].version, 0);
	assert_int_equal(g->d[2].urgency, 0);
	assert_null(g->d[2].pubstatus);
	assert_null(g->d[2].language);
	assert_null(g->d[2].located);
	assert_string_equal(g->d[2].paragraphs[0], "Eight.");
	/* A raw 0xFC and a raw SOH, then escaped NUL and BEL. */
	assert_string_equal(g->d[3].id, "wire-9");
	assert_string_equal(g->d[3].headline,
			    "Caf\xef\xbf\xbd con leche");
	assert_string_equal(g->d[3].paragraphs[0], "Nine  and bell.");
	assert_int_equal(g->st.utf8_repaired, 1);
	assert_int_equal(g->st.controls_removed, 3);
	/* The last line has no newline. */
	assert_string_equal(g->d[4].id, "wire-11");
	assert_int_equal(g->d[4].source_line, 11);
	rt_got_free(g);
}

static void test_truncated_gzip(void **state)
{
	struct rt_got *g;
	char want[4400];
	size_t i;

	(void)state;
	/* 40 lines, the stream cut in the last one. */
	g = rt_read(fixture("truncated.jsonl.gz"));
	assert_int_equal(g->last, -1);
	snprintf(want, sizeof want,
		 "%s: truncated gzip stream (unexpected end of file)", g->path);
	assert_string_equal(g->error, want);
	assert_int_equal(g->close_rc, -1);
	assert_string_equal(g->close_err, want);
	assert_int_equal(g->n, 39);
	for (i = 0; i < g->n; i++) {
		char id[32];

		snprintf(id, sizeof id, "wire-t-%zu", i + 1);
		assert_string_equal(g->d[i].id, id);
		assert_int_equal(g->d[i].source_line, i + 1);
	}
	assert_string_equal(g->warnings, "");
	rt_got_free(g);
}

static void test_long_line(void **state)
{
	static const char l1[] = "{\"uri\": \"before\"}\n";
	static const char l3[] = "\n{\"uri\": \"after\"}\n";
	size_t big = INPUT_MAX_LINE + 100, n = sizeof l1 - 1 + big + sizeof l3;
	char *data = malloc(n);
	struct rt_got *g;
	char want[128];

	(void)state;
	assert_non_null(data);
	memcpy(data, l1, sizeof l1 - 1);
	memset(data + sizeof l1 - 1, ' ', big);
	memcpy(data + sizeof l1 - 1, "{\"uri\": \"big\", \"x\": \"", 21);
	memcpy(data + sizeof l1 - 1 + big - 2, "\"}", 2);
	memcpy(data + sizeof l1 - 1 + big, l3, sizeof l3);
	rt_write_bytes(rt_scratch("long.jsonl"), data, n - 1);
	free(data);
	g = rt_read(rt_scratch("long.jsonl"));
	snprintf(want, sizeof want, "2: line longer than %u bytes [skipped]\n",
		 INPUT_MAX_LINE);
	assert_string_equal(g->warnings, want);
	assert_int_equal(g->st.skipped, 1);
	assert_int_equal(g->n, 2);
	assert_string_equal(g->d[0].id, "before");
	assert_string_equal(g->d[1].id, "after");
	assert_int_equal(g->d[1].source_line, 3);
	rt_got_free(g);
	unlink(rt_scratch("long.jsonl"));
}

static void test_bom_crlf_blank(void **state)
{
	static const char doc[] =
		"\xef\xbb\xbf{\"uri\": \"a\", \"headline\": \"First\"}\r\n"
		"\r\n"
		"   \r\n"
		"{\"uri\": \"b\", \"body_text\": \"Line one\\r\\nline two\"}\r\n";
	struct rt_got *g;

	(void)state;
	rt_write_bytes(rt_scratch("crlf.ndjson"), doc, sizeof doc - 1);
	g = rt_read(rt_scratch("crlf.ndjson"));
	assert_string_equal(g->warnings, "");
	assert_int_equal(g->n, 2);
	assert_string_equal(g->d[0].headline, "First");
	assert_string_equal(g->d[1].id, "b");
	assert_int_equal(g->d[1].source_line, 4);
	assert_string_equal(g->d[1].paragraphs[0], "Line one line two");
	assert_int_equal(g->st.controls_removed, 0);
	rt_got_free(g);
}

/* One line each: what it gives, and what is said about it. */
static void test_lines(void **state)
{
	static const struct {
		const char *line;
		const char *warning;   /* "" for none */
		const char *id;        /* NULL: skipped */
		unsigned version;
		int urgency;
		const char *status;    /* NULL: none */
		const char *language;
		const char *headline;
		const char *agency;
		const char *first;     /* first paragraph, NULL: none */
	} rows[] = {
		{ "{\"uri\": \"\", \"guid\": \"g1\"}", "", "g1", 0, 0, NULL,
		  NULL, NULL, NULL, NULL },
		{ "{\"uri\": \"  \", \"id\": -5}", "", "-5", 0, 0, NULL, NULL,
		  NULL, NULL, NULL },
		{ "{\"uri\": 1.5}", "1: no id (uri, guid or id) [skipped]\n",
		  NULL, 0, 0, NULL, NULL, NULL, NULL, NULL },
		{ "{\"uri\": null, \"guid\": [1]}",
		  "1: no id (uri, guid or id) [skipped]\n", NULL, 0, 0, NULL,
		  NULL, NULL, NULL, NULL },
		{ "{\"uri\": \"u\", \"version\": 7, \"urgency\": \"9\"}", "",
		  "u", 7, 9, NULL, NULL, NULL, NULL, NULL },
		{ "{\"uri\": \"u\", \"version\": -1}",
		  "1: invalid version: ignored\n", "u", 0, 0, NULL, NULL, NULL,
		  NULL, NULL },
		{ "{\"uri\": \"u\", \"version\": 4294967296}",
		  "1: invalid version: ignored\n", "u", 0, 0, NULL, NULL, NULL,
		  NULL, NULL },
		{ "{\"uri\": \"u\", \"version\": \"4294967295\"}", "", "u",
		  4294967295u, 0, NULL, NULL, NULL, NULL, NULL },
		{ "{\"uri\": \"u\", \"urgency\": 0}",
		  "1: invalid urgency: ignored\n", "u", 0, 0, NULL, NULL, NULL,
		  NULL, NULL },
		{ "{\"uri\": \"u\", \"pubstatus\": \"Withheld\"}", "", "u", 0, 0,
		  "withheld", NULL, NULL, NULL, NULL },
		{ "{\"uri\": \"u\", \"pubstatus\": \"cancelled\"}", "", "u", 0,
		  0, "canceled", NULL, NULL, NULL, NULL },
		{ "{\"uri\": \"u\", \"pubstatus\": 3}",
		  "1: invalid pubstatus '(not a string)': ignored\n", "u", 0, 0,
		  NULL, NULL, NULL, NULL, NULL },
		{ "{\"uri\": \"u\", \"language\": \"pt_BR\"}", "", "u", 0, 0,
		  NULL, "pt", NULL, NULL, NULL },
		{ "{\"uri\": \"u\", \"headlines\": [{\"value\": \"Only\"}]}", "",
		  "u", 0, 0, NULL, NULL, "Only", NULL, NULL },
		{ "{\"uri\": \"u\", \"headline\": null, \"headlines\": "
		  "[{\"role\": \"main\", \"value\": \"Main\"}]}",
		  "", "u", 0, 0, NULL, NULL, "Main", NULL, NULL },
		{ "{\"uri\": \"u\", \"agency\": \"AGENCE FRANCE-PRESSE\"}", "",
		  "u", 0, 0, NULL, NULL, NULL, "AFP", NULL },
		{ "{\"uri\": \"u\", \"agency\": \"Local Wire\"}", "", "u", 0, 0,
		  NULL, NULL, NULL, "Local Wire", NULL },
		{ "{\"uri\": \"u\", \"infosources\": [{\"uri\": \"x\"}, "
		  "{\"name\": \"Kyodo News\"}]}",
		  "", "u", 0, 0, NULL, NULL, NULL, "Kyodo", NULL },
		{ "{\"uri\": \"u\", \"body_text\": 5, \"body_html\": "
		  "\"<p>A<br/>B</p>\"}",
		  "1: 'body_text' has the wrong type: ignored\n", "u", 0, 0,
		  NULL, NULL, NULL, NULL, "A" },
		{ "{\"uri\": \"u\", \"bodies\": [{\"contenttype\": "
		  "\"text/html\", \"value\": \"<div>x &amp; y</div>\"}]}",
		  "", "u", 0, 0, NULL, NULL, NULL, NULL, "x & y" },
		{ "{\"uri\": \"u\", \"body_html\": \"a <b>bold</b> 1<2 "
		  "&bogus; &#x41;&#66;<!-- c --> <span>z</span>\"}",
		  "", "u", 0, 0, NULL, NULL, NULL, NULL,
		  "a bold 1<2 &bogus; AB z" },
		{ "{\"uri\": \"u\", \"body_html\": \"<p>t&#1;x</p><p>\"}", "",
		  "u", 0, 0, NULL, NULL, NULL, NULL, "tx" },
		{ "{\"uri\": \"u\", \"versioncreated\": \"2025-04-19\"}", "",
		  "u", 0, 0, NULL, NULL, NULL, NULL, NULL },
		{ "{\"uri\": \"u\", \"firstcreated\": \"yesterday\"}",
		  "1: invalid firstcreated 'yesterday' [skipped]\n", NULL, 0, 0,
		  NULL, NULL, NULL, NULL, NULL },
		{ "{\"uri\": \"u\", \"x\": tru}",
		  "1: invalid JSON at column 21: invalid token near 'tru' "
		  "[skipped]\n",
		  NULL, 0, 0, NULL, NULL, NULL, NULL, NULL },
		{ "{\"uri\": \"u\"} trailing",
		  "1: invalid JSON at column 21: end of file expected near "
		  "'trailing' [skipped]\n",
		  NULL, 0, 0, NULL, NULL, NULL, NULL, NULL },
		{ "{\"uri\": \"u\", \"located\": {\"name\": \"Desk\"}, "
		  "\"subjects\": \"solo\", \"places\": {\"name\": \"Here\"}}",
		  "", "u", 0, 0, NULL, NULL, NULL, NULL, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct rt_got *g;
		const dispatch *d;

		rt_write_bytes(rt_scratch("line.jsonl"), rows[i].line,
			    strlen(rows[i].line));
		g = rt_read(rt_scratch("line.jsonl"));
		if (strcmp(g->warnings, rows[i].warning) != 0)
			fail_msg("row %zu: warnings '%s', expected '%s'", i,
				 g->warnings, rows[i].warning);
		if (!rows[i].id) {
			assert_int_equal(g->n, 0);
			assert_int_equal(g->st.skipped, 1);
			rt_got_free(g);
			continue;
		}
		assert_int_equal(g->n, 1);
		d = &g->d[0];
		assert_string_equal(d->id, rows[i].id);
		assert_int_equal(d->version, rows[i].version);
		assert_int_equal(d->urgency, rows[i].urgency);
		if (rows[i].status)
			assert_string_equal(d->pubstatus, rows[i].status);
		else
			assert_null(d->pubstatus);
		if (rows[i].language)
			assert_string_equal(d->language, rows[i].language);
		if (rows[i].headline)
			assert_string_equal(d->headline, rows[i].headline);
		if (rows[i].agency)
			assert_string_equal(d->agency, rows[i].agency);
		if (rows[i].first) {
			assert_true(d->n_paragraphs >= 1);
			assert_string_equal(d->paragraphs[0], rows[i].first);
		}
		if (i == 22) {
			assert_int_equal(d->version_created,
					 date_from_ymd(2025, 4, 19, 0, 0, 0));
			assert_int_equal(d->first_created, d->version_created);
		}
		if (i == 26) {
			assert_string_equal(d->located, "Desk");
			assert_int_equal(d->n_tags, 2);
			rt_check_tag(d, 0, TAG_TOPIC, "solo");
			rt_check_tag(d, 1, TAG_PLACE, "Here");
			assert_int_equal(d->n_places, 0);
		}
		rt_got_free(g);
	}
}

static void test_empty(void **state)
{
	struct rt_got *g;

	(void)state;
	rt_write_bytes(rt_scratch("empty.jsonl"), "", 0);
	g = rt_read(rt_scratch("empty.jsonl"));
	assert_int_equal(g->last, 0);
	assert_int_equal(g->n, 0);
	assert_string_equal(g->warnings, "");
	rt_got_free(g);
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
		r = reader_open(fixture("fields.jsonl"), &o, err, sizeof err);
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
			assert_int_equal(k, 3);
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

/* Every field of the format, in every form, on a few lines. */
static const char rich_jsonl[] =
	"{\"uri\": \"urn:wire:j-1\", \"version\": \"3\", \"urgency\": 2, "
	"\"firstcreated\": \"2025-05-04T06:00:00Z\", "
	"\"versioncreated\": \"2025-05-04T07:15:00Z\", "
	"\"pubstatus\": \"stat:withheld\", \"language\": \"es-AR\", "
	"\"located\": \"Rosario\", \"byline\": \"Luc\\u00eda Paz\", "
	"\"slugline\": \"Argentina-Rio\", \"headline\": \"Crece el r\\u00edo\","
	" \"subjects\": [\"clima\", {\"name\": \"r\\u00edos\"}, 7], "
	"\"places\": [{\"name\": \"Santa Fe\"}], "
	"\"infosources\": [{\"name\": \"Agencia EFE\"}], "
	"\"body_text\": \"Rosario (Argentina), 4 may (EFE).- El r\\u00edo "
	"Paran\\u00e1 creci\\u00f3 dos metros.\\n\\nLas autoridades "
	"vigilan.\"}\n"
	"{\"guid\": \"j-2\", \"headlines\": [{\"role\": \"sub\", \"value\": "
	"\"Sub\"}, {\"role\": \"main\", \"value\": \"Main &amp; more\"}], "
	"\"by\": \"Staff\", \"subject\": \"markets\", \"place\": \"Lagos\", "
	"\"infosource\": {\"name\": \"Reuters\"}, \"body_html\": \"<h1>Main"
	"</h1><p>LAGOS, May 4 (Reuters) - Shares &mdash; rose &#8364;5 "
	"&eacute;t&eacute;.</p><p>Second <b>one</b>.</p>\"}\n"
	"{\"id\": 42, \"agency\": \"dpa\", \"bodies\": [{\"value\": "
	"\"Plain body.\"}]}\n"
	"{\"id\": \"j-4\", \"bodies\": [{\"contenttype\": \"text/html\", "
	"\"value\": \"<div>Boxed</div>\"}]}\n"
	"[1, 2]\n"
	"{\"uri\": \"j-5\", \"headline\": \"Last\"}\n";

static void test_alloc_rich(void **state)
{
	struct rt_got *g;
	const dispatch *d;
	unsigned long runs;

	(void)state;
	rt_write_text(rt_scratch("rich.jsonl"), rich_jsonl);
	g = rt_read(rt_scratch("rich.jsonl"));
	assert_int_equal(g->last, 0);
	assert_string_equal(g->warnings, "5: not a JSON object [skipped]\n");
	assert_int_equal(g->n, 5);
	d = &g->d[0];
	assert_string_equal(d->id, "urn:wire:j-1");
	assert_int_equal(d->version, 3);
	assert_int_equal(d->urgency, 2);
	assert_string_equal(d->pubstatus, "withheld");
	assert_string_equal(d->language, "es");
	assert_string_equal(d->located, "Rosario");
	assert_string_equal(d->byline, "Luc\xc3\xad" "a Paz");
	assert_string_equal(d->agency, "EFE");
	assert_int_equal(d->n_tags, 3);
	rt_check_tag(d, 0, TAG_TOPIC, "clima");
	rt_check_tag(d, 1, TAG_TOPIC, "r\xc3\xados");
	rt_check_tag(d, 2, TAG_PLACE, "Santa Fe");
	assert_int_equal(d->n_paragraphs, 2);
	d = &g->d[1];
	assert_string_equal(d->headline, "Main &amp; more");
	assert_string_equal(d->byline, "Staff");
	assert_string_equal(d->agency, "Reuters");
	assert_int_equal(d->n_paragraphs, 2);
	assert_string_equal(d->paragraphs[0],
			    "Shares \xe2\x80\x94 rose \xe2\x82\xac" "5 "
			    "\xc3\xa9t\xc3\xa9.");
	assert_string_equal(d->dateline, "LAGOS, May 4 (Reuters)");
	assert_string_equal(g->d[2].id, "42");
	assert_string_equal(g->d[2].agency, "dpa");
	assert_string_equal(g->d[2].paragraphs[0], "Plain body.");
	assert_string_equal(g->d[3].paragraphs[0], "Boxed");
	assert_int_equal(g->d[4].source_line, 6);
	rt_got_free(g);

	/* Our allocations only: jansson reports some of its own failures
	 * as syntax errors ("string or '}' expected"), which no reader can
	 * tell from a bad line. */
	runs = rt_alloc_failures(rt_scratch("rich.jsonl"), NULL, 0);
	assert_true(runs > 60);
	rt_alloc_failures(rt_scratch("rich.jsonl"), NULL, 1);
}

/* The input's errors: a directory, a corrupt gzip stream. */
static void test_input_errors(void **state)
{
	static const char lines[] = "{\"uri\": \"a\"}\n{\"uri\": \"b\"}\n";
	char err[1024], want[4400];
	unsigned char *buf;
	size_t n;
	FILE *f;
	struct rt_got *g;

	(void)state;
	assert_int_equal(mkdir(rt_scratch("d.jsonl"), 0755), 0);
	assert_null(reader_open(rt_scratch("d.jsonl"), NULL, err, sizeof err));
	snprintf(want, sizeof want, "%s: %s", rt_scratch("d.jsonl"),
		 strerror(EISDIR));
	assert_string_equal(err, want);

	/* A gzip stream whose CRC is wrong: zlib finds it when the stream
	 * ends, here in the first read, and the file is an error. */
	rt_write_gz(rt_scratch("crc.jsonl.gz"), lines, sizeof lines - 1, 0);
	f = fopen(rt_scratch("crc.jsonl.gz"), "rb");
	assert_non_null(f);
	buf = malloc(4096);
	assert_non_null(buf);
	n = fread(buf, 1, 4096, f);
	fclose(f);
	buf[n - 8] ^= 0xff; /* the CRC32 */
	rt_write_bytes(rt_scratch("crc.jsonl.gz"), buf, n);
	free(buf);
	g = rt_read(rt_scratch("crc.jsonl.gz"));
	assert_int_equal(g->last, -1);
	assert_int_equal(g->n, 0);
	assert_string_equal(g->error, rt_msg(g, 0, "corrupt gzip stream "
						   "(incorrect data check)"));
	assert_int_equal(g->close_rc, -1);
	rt_got_free(g);
}

/* ------------------------------------------------------------------ */

/* The dispatches of a one-line file holding LINE. */
static struct rt_got *read_line(const char *line)
{
	rt_write_text(rt_scratch("one.jsonl"), line);
	return rt_read(rt_scratch("one.jsonl"));
}

/* The paragraphs of D joined by '|' (static). */
static const char *joined(const dispatch *d)
{
	static char buf[2048];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < d->n_paragraphs; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s",
				      i ? "|" : "", d->paragraphs[i]);
	return buf;
}

/* body_html made plain: tags, comments, skipped elements, entities. */
static void test_html_body(void **state)
{
	static const struct {
		const char *html;      /* JSON string contents */
		const char *text;      /* paragraphs joined by '|' */
		unsigned long controls, repaired;
	} rows[] = {
		/* Numeric references: decimal, hex either case, the code
		 * points of every UTF-8 length. */
		{ "A&#66;&#x43;&#X44;&#xe9;&#XC9;&#x20AC;&#x1F30D;!",
		  "ABCD\xc3\xa9\xc3\x89\xe2\x82\xac\xf0\x9f\x8c\x8d!", 0, 0 },
		/* Not references: no digits, a letter, too many digits, no
		 * ';', cut at the end. */
		{ "x &#; &#x; &#12a; &#xg; &#x4! &#123456789; &#65 y &#65",
		  "x &#; &#x; &#12a; &#xg; &#x4! &#123456789; &#65 y &#65",
		  0, 0 },
		/* Named: known, Latin-1 (with digits), upper case, unknown,
		 * too long, unterminated, a lone '&' at the end. */
		{ "&Eacute;t&eacute; &sup2; &frac34; &euro;&hellip; &bogus; "
		  "&abcdefghijkl; &amp x &; &#",
		  "\xc3\x89t\xc3\xa9 \xc2\xb2 \xc2\xbe \xe2\x82\xac\xe2\x80\xa6 "
		  "&bogus; &abcdefghijkl; &amp x &; &#", 0, 0 },
		{ "ends &amp", "ends &amp", 0, 0 },
		{ "ends &", "ends &", 0, 0 },
		/* Markup white space is a space, other controls go (C0, DEL,
		 * C1); U+00A0 stays; surrogates and code points beyond
		 * Unicode become U+FFFD. */
		{ "a&#9;b&#10;c&#13;d&#1;e&#127;f&#150;g&#160;h",
		  "a b c defg\xc2\xa0h", 3, 0 },
		{ "s&#xD800;t&#xDFFF;u&#x110000;v&#xD7FF;w",
		  "s\xef\xbf\xbdt\xef\xbf\xbdu\xef\xbf\xbdv\xed\x9f\xbfw", 0,
		  3 },
		/* Tags in upper case, with digits, declarations and
		 * processing instructions; "< p>" and "<1>" are text. */
		{ "<?xml version='1.0'?><!DOCTYPE html><P>One</P><H2>Two</H2>"
		  "< p> and <1> stay",
		  "One|Two|< p> and <1> stay", 0, 0 },
		/* A '<' with no '>' after it anywhere, and one at the end. */
		{ "<p>a < b</p>", "a < b", 0, 0 },
		{ "<b>x</b> y<", "x y<", 0, 0 },
		{ "1<2<b>3</b>", "1<2 3", 0, 0 },
		/* A comment never closed runs to the end. */
		{ "kept<!-- never closed <p>lost</p>", "kept", 0, 0 },
		/* Skipped elements: end tags with blanks, one never closed,
		 * one whose end tag has no '>', a self-closed one. */
		{ "<p>a</p><script>x</scripty>y</script\\t>b", "a|b", 0, 0 },
		{ "<p>c</p><style type='t'>p{}", "c", 0, 0 },
		{ "<p>d</p><title>x</title", "d", 0, 0 },
		{ "<p>e</p><script src='x'/><p>f</p>", "e|f", 0, 0 },
		/* <head> goes whole, and is no block. */
		{ "g<head><title>t</title></head>h", "g h", 0, 0 },
		/* Inline tags keep words apart; blocks end paragraphs. */
		{ "<td>one</td><td>two</td><hr><li>three</li>",
		  "one two|three", 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char line[1024];
		struct rt_got *g;

		snprintf(line, sizeof line,
			 "{\"uri\": \"h%zu\", \"body_html\": \"%s\"}\n", i,
			 rows[i].html);
		g = read_line(line);
		assert_string_equal(g->warnings, "");
		assert_int_equal(g->n, 1);
		if (strcmp(joined(&g->d[0]), rows[i].text) != 0)
			fail_msg("row %zu: '%s', expected '%s'", i,
				 joined(&g->d[0]), rows[i].text);
		if (g->st.controls_removed != rows[i].controls ||
		    g->st.utf8_repaired != rows[i].repaired)
			fail_msg("row %zu: %lu controls, %lu repaired", i,
				 g->st.controls_removed, g->st.utf8_repaired);
		rt_got_free(g);
	}
}

/* The fallbacks: headlines[], bodies[], infosources, null fields, wrong
 * types, numbers as strings. */
static void test_fallbacks(void **state)
{
	static const struct {
		const char *fields;    /* after "{\"uri\": \"f\", " */
		const char *warning;   /* "" for none */
		const char *headline;  /* NULL: none */
		const char *agency;
		const char *text;      /* paragraphs joined by '|' */
	} rows[] = {
		/* headlines[]: items without a value are passed over; the
		 * first wins when none is "main". */
		{ "\"headlines\": [{\"role\": \"main\"}, \"bare\", "
		  "{\"role\": \"sub\", \"value\": \"First\"}, "
		  "{\"role\": \"kicker\", \"value\": \"Second\"}]",
		  "", "First", NULL, "" },
		{ "\"headlines\": [{\"role\": \"MAIN\", \"value\": 3}]", "",
		  NULL, NULL, "" },
		{ "\"headlines\": []", "", NULL, NULL, "" },
		{ "\"headlines\": \"Not a list\"", "", NULL, NULL, "" },
		/* bodies[]: the first with a value; its contenttype decides
		 * whether it is markup. */
		{ "\"bodies\": [{\"contenttype\": \"text/html\"}, "
		  "{\"contenttype\": \"application/xml\", \"value\": "
		  "\"<p>X &amp; Y</p><p>Z</p>\"}, {\"value\": \"never\"}]",
		  "", NULL, NULL, "X & Y|Z" },
		{ "\"bodies\": [{\"contenttype\": \"text/plain\", \"value\": "
		  "\"<p> stays\"}]",
		  "", NULL, NULL, "<p> stays" },
		{ "\"bodies\": [{\"value\": 5}, 7]", "", NULL, NULL, "" },
		{ "\"bodies\": \"Plain\"",
		  "1: 'bodies' has the wrong type: ignored\n", NULL, NULL, "" },
		{ "\"bodies\": null, \"body_html\": null", "", NULL, NULL, "" },
		{ "\"body_html\": [\"x\"], \"bodies\": [{\"value\": \"B\"}]",
		  "1: 'body_html' has the wrong type: ignored\n", NULL, NULL,
		  "B" },
		/* The agency: a wrong "agency" falls back to infosources. */
		{ "\"agency\": 5, \"infosources\": [{\"name\": \"dpa\"}]",
		  "1: 'agency' has the wrong type: ignored\n", NULL, "dpa", "" },
		{ "\"infosource\": \"Agence France-Presse\"", "", NULL, "AFP",
		  "" },
		{ "\"infosources\": 12",
		  "1: 'infosources' has the wrong type: ignored\n", NULL, NULL,
		  "" },
		{ "\"infosources\": [1, {\"uri\": \"x\"}]", "", NULL, NULL, "" },
		/* Tags: a lone number is the wrong type. */
		{ "\"subjects\": 5, \"place\": [\"Quito\", null]",
		  "1: 'subjects' has the wrong type: ignored\n", NULL, NULL,
		  "" },
		/* null is the same as absent. */
		{ "\"version\": null, \"urgency\": null, \"pubstatus\": null, "
		  "\"language\": null, \"located\": null, \"firstcreated\": "
		  "null, \"versioncreated\": null, \"headline\": null, "
		  "\"byline\": null, \"by\": \"Desk\"",
		  "", NULL, NULL, "" },
		/* Numbers in strings. */
		{ "\"version\": \"\", \"urgency\": \"12\"",
		  "1: invalid version: ignored\n1: invalid urgency: ignored\n",
		  NULL, NULL, "" },
		{ "\"version\": \"12345678901\", \"urgency\": \"1a\"",
		  "1: invalid version: ignored\n1: invalid urgency: ignored\n",
		  NULL, NULL, "" },
		{ "\"version\": true, \"urgency\": [1]",
		  "1: invalid version: ignored\n1: invalid urgency: ignored\n",
		  NULL, NULL, "" },
		/* Languages. */
		{ "\"language\": \"english\"",
		  "1: invalid language 'english': ignored\n", NULL, NULL, "" },
		{ "\"language\": \"e\"", "1: invalid language 'e': ignored\n",
		  NULL, NULL, "" },
		{ "\"language\": \"en GB\"",
		  "1: invalid language 'en GB': ignored\n", NULL, NULL, "" },
		{ "\"language\": 7",
		  "1: invalid language '(not a string)': ignored\n", NULL, NULL,
		  "" },
		{ "\"located\": [\"x\"]",
		  "1: 'located' has the wrong type: ignored\n", NULL, NULL, "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char line[1024];
		struct rt_got *g;
		const dispatch *d;

		snprintf(line, sizeof line, "{\"uri\": \"f\", %s}\n",
			 rows[i].fields);
		g = read_line(line);
		if (strcmp(g->warnings, rows[i].warning) != 0)
			fail_msg("row %zu: warnings '%s', expected '%s'", i,
				 g->warnings, rows[i].warning);
		assert_int_equal(g->n, 1);
		d = &g->d[0];
		assert_string_equal(d->id, "f");
		if (rows[i].headline)
			assert_string_equal(d->headline, rows[i].headline);
		else
			assert_null(d->headline);
		if (rows[i].agency)
			assert_string_equal(d->agency, rows[i].agency);
		else
			assert_null(d->agency);
		if (strcmp(joined(d), rows[i].text) != 0)
			fail_msg("row %zu: '%s', expected '%s'", i, joined(d),
				 rows[i].text);
		rt_got_free(g);
	}
}

/* The other rows of the fallbacks table, checked field by field. */
static void test_field_details(void **state)
{
	struct rt_got *g;
	char *line;
	const dispatch *d;

	(void)state;
	/* null fields leave the dispatch as absent ones do; "by". */
	g = read_line("{\"uri\": \"n\", \"version\": null, \"urgency\": null, "
		      "\"pubstatus\": null, \"language\": null, \"located\": "
		      "null, \"firstcreated\": null, \"by\": \"Desk staff\", "
		      "\"place\": [\"Quito\", null, {\"name\": \"Loja\"}]}\n");
	d = &g->d[0];
	assert_int_equal(d->version, 0);
	assert_int_equal(d->urgency, 0);
	assert_null(d->pubstatus);
	assert_null(d->language);
	assert_null(d->located);
	assert_int_equal(d->first_created, -1);
	assert_int_equal(d->date_source, DATE_NONE);
	assert_string_equal(d->byline, "Desk staff");
	assert_int_equal(d->n_tags, 2);
	rt_check_tag(d, 0, TAG_PLACE, "Quito");
	rt_check_tag(d, 1, TAG_PLACE, "Loja");
	rt_got_free(g);

	/* An id over 1024 bytes skips the line. */
	line = malloc(1200);
	assert_non_null(line);
	memcpy(line, "{\"guid\": \"", 10);
	memset(line + 10, 'g', 1025);
	memcpy(line + 1035, "\"}\n{\"id\": \"next\"}\n", 19);
	g = read_line(line);
	free(line);
	assert_string_equal(g->warnings,
			    "1: guid longer than 1024 bytes [skipped]\n");
	assert_int_equal(g->st.skipped, 1);
	assert_int_equal(g->n, 1);
	assert_string_equal(g->d[0].id, "next");
	assert_int_equal(g->d[0].source_line, 2);
	rt_got_free(g);

	/* A short first line (no room for a byte-order mark), blank lines
	 * of tabs and a lone CR, invalid UTF-8 without control characters. */
	g = read_line("{}\n\t \t\n \r \n{\"uri\": \"caf\xe9\", \"headline\": "
		      "\"Caf\xe9 \xff\"}\n");
	assert_string_equal(g->warnings, "1: no id (uri, guid or id) "
					 "[skipped]\n");
	assert_int_equal(g->n, 1);
	assert_string_equal(g->d[0].id, "caf\xef\xbf\xbd");
	assert_string_equal(g->d[0].headline, "Caf\xef\xbf\xbd \xef\xbf\xbd");
	assert_int_equal(g->d[0].source_line, 4);
	assert_int_equal(g->st.utf8_repaired, 3);
	assert_int_equal(g->st.controls_removed, 0);
	rt_got_free(g);
}

/* jansson's own allocations failing, one after the other: each run reads
 * the file as a clean run does, or stops with "FILE:LINE: out of memory",
 * or (where jansson itself reports its failure as bad JSON) skips the line
 * with a jansson message -- never an empty one. */
static unsigned long jansson_fail_at, jansson_made;

static void *jansson_malloc(size_t n)
{
	if (++jansson_made == jansson_fail_at)
		return NULL;
	return malloc(n);
}

static void test_jansson_failures(void **state)
{
	static const char doc[] =
		"{\"uri\": \"a\", \"headline\": \"Alpha\", \"subjects\": "
		"[\"x\", {\"name\": \"y\"}], \"body_text\": \"One.\\n\\nTwo.\"}\n"
		"{\"uri\": \"b\", \"version\": 2}\n";
	unsigned long n, oom = 0, skipped = 0;
	int done = 0;

	(void)state;
	rt_write_text(rt_scratch("jansson.jsonl"), doc);
	for (n = 1; !done && n < 1000; n++) {
		struct rt_got *g;
		const char *e;

		jansson_fail_at = n;
		jansson_made = 0;
		json_set_alloc_funcs(jansson_malloc, free);
		g = rt_read(rt_scratch("jansson.jsonl"));
		json_set_alloc_funcs(malloc, free);
		if (g->last == 0 && g->n == 2 && jansson_made < n) {
			assert_string_equal(g->warnings, "");
			assert_string_equal(g->d[0].headline, "Alpha");
			assert_int_equal(g->d[0].n_tags, 2);
			assert_int_equal(g->d[1].version, 2);
			done = 1;
		} else if (g->last < 0) {
			e = g->error;
			if (strcmp(e, rt_msg(g, 1, "out of memory")) != 0 &&
			    strcmp(e, rt_msg(g, 2, "out of memory")) != 0)
				fail_msg("run %lu: '%s'", n, e);
			oom++;
		} else {
			/* Skipped as invalid JSON, with jansson's words. */
			assert_int_equal(g->st.skipped, 1);
			assert_int_equal(g->n, 1);
			if (!strstr(g->warnings, ": invalid JSON at column ") ||
			    strstr(g->warnings, ": [skipped]"))
				fail_msg("run %lu: '%s'", n, g->warnings);
			skipped++;
		}
		rt_got_free(g);
	}
	assert_true(done);
	assert_true(oom > 0);
	(void)skipped;
}

/* Allocation failures over markup, entities and repairs. */
static void test_alloc_html(void **state)
{
	static const char doc[] =
		"{\"uri\": \"m-1\", \"body_html\": \"<h1>Head</h1><p>Caf&eacute; "
		"&#x1F30D; &#150;<b>bold</b></p><script>x</script><p>Two "
		"&amp; three</p>\", \"subjects\": [\"a\", \"b\"], \"agency\": "
		"\"Reuters\"}\n"
		"{\"uri\": \"m-2\", \"headline\": \"Bad \xff byte\", "
		"\"bodies\": [{\"contenttype\": \"text/html\", \"value\": "
		"\"<div>x</div>\"}]}\n";

	(void)state;
	rt_write_text(rt_scratch("alloc-html.jsonl"), doc);
	assert_true(rt_alloc_failures(rt_scratch("alloc-html.jsonl"), NULL, 0) >
		    20);
	rt_alloc_failures(rt_scratch("alloc-html.jsonl"), NULL, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_truncated_gzip),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_bom_crlf_blank),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_alloc_failures),
		cmocka_unit_test(test_alloc_rich),
		cmocka_unit_test(test_input_errors),
		cmocka_unit_test(test_html_body),
		cmocka_unit_test(test_fallbacks),
		cmocka_unit_test(test_field_details),
		cmocka_unit_test(test_jansson_failures),
		cmocka_unit_test(test_alloc_html),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
