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
#include "alloc.h"
#include "dispatch.h"
#include "input.h"
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

#define MAX_GOT 64

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
	snprintf(dir, sizeof dir, "%s/wire-jsonl-XXXXXX", tmp ? tmp : "/tmp");
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
	snprintf(path[k], sizeof path[k], "%s/tests/fixtures/jsonl/%s", top,
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

static void write_bytes(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

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

/* ------------------------------------------------------------------ */

static void check_fields(const struct got *g)
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
	check_place(d, 0, "QUITO");
	assert_string_equal(d->byline, "Maria Espinel");
	assert_string_equal(d->slugline, "ECUADOR-VOLCANO/");
	assert_int_equal(d->urgency, 2);
	assert_string_equal(d->pubstatus, "usable");
	assert_string_equal(d->agency, "Reuters");
	assert_int_equal(d->n_tags, 4);
	check_tag(d, 0, TAG_TOPIC, "volcano");
	check_tag(d, 1, TAG_TOPIC, "aviation");
	check_tag(d, 2, TAG_PLACE, "Ecuador");
	check_tag(d, 3, TAG_PLACE, "Quito");
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
	check_tag(d, 0, TAG_TOPIC, "transporte");
	check_tag(d, 1, TAG_TOPIC, "seguridad");
	check_tag(d, 2, TAG_PLACE, "Per\xc3\xba");
	assert_string_equal(d->dateline, "Lima, 3 mar (EFE)");
	check_place(d, 0, "Lima");
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
	struct got *g;

	(void)state;
	g = read_file(fixture("fields.jsonl"));
	assert_int_equal(g->last, 0);
	assert_int_equal(g->close_rc, 0);
	assert_string_equal(g->warnings, "");
	check_fields(g);
	assert_int_equal(g->st.skipped, 0);
	assert_int_equal(g->st.utf8_repaired, 0);
	assert_int_equal(g->st.controls_removed, 0);
	got_free(g);
}

static void test_gzip(void **state)
{
	struct got *g;

	(void)state;
	g = read_file(fixture("fields.jsonl.gz"));
	assert_int_equal(g->last, 0);
	assert_int_equal(g->close_rc, 0);
	check_fields(g);
	got_free(g);
}

static void test_broken(void **state)
{
	struct got *g;

	(void)state;
	g = read_file(fixture("broken.jsonl"));
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
	got_free(g);
}

static void test_truncated_gzip(void **state)
{
	struct got *g;
	char want[4400];
	size_t i;

	(void)state;
	/* 40 lines, the stream cut in the last one. */
	g = read_file(fixture("truncated.jsonl.gz"));
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
	got_free(g);
}

static void test_long_line(void **state)
{
	static const char l1[] = "{\"uri\": \"before\"}\n";
	static const char l3[] = "\n{\"uri\": \"after\"}\n";
	size_t big = INPUT_MAX_LINE + 100, n = sizeof l1 - 1 + big + sizeof l3;
	char *data = malloc(n);
	struct got *g;
	char want[128];

	(void)state;
	assert_non_null(data);
	memcpy(data, l1, sizeof l1 - 1);
	memset(data + sizeof l1 - 1, ' ', big);
	memcpy(data + sizeof l1 - 1, "{\"uri\": \"big\", \"x\": \"", 21);
	memcpy(data + sizeof l1 - 1 + big - 2, "\"}", 2);
	memcpy(data + sizeof l1 - 1 + big, l3, sizeof l3);
	write_bytes(scratch("long.jsonl"), data, n - 1);
	free(data);
	g = read_file(scratch("long.jsonl"));
	snprintf(want, sizeof want, "2: line longer than %u bytes [skipped]\n",
		 INPUT_MAX_LINE);
	assert_string_equal(g->warnings, want);
	assert_int_equal(g->st.skipped, 1);
	assert_int_equal(g->n, 2);
	assert_string_equal(g->d[0].id, "before");
	assert_string_equal(g->d[1].id, "after");
	assert_int_equal(g->d[1].source_line, 3);
	got_free(g);
	unlink(scratch("long.jsonl"));
}

static void test_bom_crlf_blank(void **state)
{
	static const char doc[] =
		"\xef\xbb\xbf{\"uri\": \"a\", \"headline\": \"First\"}\r\n"
		"\r\n"
		"   \r\n"
		"{\"uri\": \"b\", \"body_text\": \"Line one\\r\\nline two\"}\r\n";
	struct got *g;

	(void)state;
	write_bytes(scratch("crlf.ndjson"), doc, sizeof doc - 1);
	g = read_file(scratch("crlf.ndjson"));
	assert_string_equal(g->warnings, "");
	assert_int_equal(g->n, 2);
	assert_string_equal(g->d[0].headline, "First");
	assert_string_equal(g->d[1].id, "b");
	assert_int_equal(g->d[1].source_line, 4);
	assert_string_equal(g->d[1].paragraphs[0], "Line one line two");
	assert_int_equal(g->st.controls_removed, 0);
	got_free(g);
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
		struct got *g;
		const dispatch *d;

		write_bytes(scratch("line.jsonl"), rows[i].line,
			    strlen(rows[i].line));
		g = read_file(scratch("line.jsonl"));
		if (strcmp(g->warnings, rows[i].warning) != 0)
			fail_msg("row %zu: warnings '%s', expected '%s'", i,
				 g->warnings, rows[i].warning);
		if (!rows[i].id) {
			assert_int_equal(g->n, 0);
			assert_int_equal(g->st.skipped, 1);
			got_free(g);
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
			check_tag(d, 0, TAG_TOPIC, "solo");
			check_tag(d, 1, TAG_PLACE, "Here");
			assert_int_equal(d->n_places, 0);
		}
		got_free(g);
	}
}

static void test_empty(void **state)
{
	struct got *g;

	(void)state;
	write_bytes(scratch("empty.jsonl"), "", 0);
	g = read_file(scratch("empty.jsonl"));
	assert_int_equal(g->last, 0);
	assert_int_equal(g->n, 0);
	assert_string_equal(g->warnings, "");
	got_free(g);
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
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
