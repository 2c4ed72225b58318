/*
 * test_reader_text.c - the plain-text reader: header block, body with
 * dateline and sign-off, gzip, Spanish, warnings (bad date, unknown
 * header, empty file), ids relative to the root, the year from the file
 * name or mtime, damaged gzip, and the format table of reader.c.
 * Fixtures are written by the tests into a mkdtemp() directory.
 */
#include "reader_test_util.h"
#include "readers/readers.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/time.h>

/* Warnings, one "LINE: MESSAGE [skipped]" a line, file names checked. */
static char warnings[8192];
static unsigned n_warnings;

static int group_setup(void **state)
{
	(void)state;
	return rt_make_dir("reader");
}

static int group_teardown(void **state)
{
	(void)state;
	return rt_remove_dir();
}

static void warn_cb(void *ctx, const char *file, unsigned long line,
		    const char *message, int skipped)
{
	size_t n = strlen(warnings);

	assert_ptr_equal(ctx, &n_warnings);
	assert_non_null(strstr(file, rt_dir));
	snprintf(warnings + n, sizeof warnings - n, "%lu: %s%s\n", line, message,
		 skipped ? " [skipped]" : "");
	n_warnings++;
}

static void write_file(const char *name, const char *data)
{
	rt_write_text(rt_scratch(name), data);
}

static void write_gz(const char *name, const char *data, size_t cut)
{
	rt_write_gz(rt_scratch(name), data, strlen(data), cut);
}

static void set_mtime(const char *name, int64_t t)
{
	struct timeval tv[2];

	tv[0].tv_sec = tv[1].tv_sec = (time_t)t;
	tv[0].tv_usec = tv[1].tv_usec = 0;
	assert_int_equal(utimes(rt_scratch(name), tv), 0);
}

static void mkdir_in(const char *name)
{
	assert_int_equal(mkdir(rt_scratch(name), 0755), 0);
}

/* Read the one dispatch of NAME into D (dispatch_init()ed here); the
 * return of reader_next().  ROOT NULL means the test directory. */
static int read_one_root(const char *name, const char *root, dispatch *d,
			 reader_stats *stats)
{
	reader_options o;
	reader *r;
	char err[512];
	int rc;

	memset(&o, 0, sizeof o);
	o.root = root ? root : rt_dir;
	o.warn = warn_cb;
	o.warn_ctx = &n_warnings;
	warnings[0] = '\0';
	n_warnings = 0;
	dispatch_init(d);
	r = reader_open(rt_scratch(name), &o, err, sizeof err);
	assert_non_null(r);
	rc = reader_next(r, d);
	if (rc == 1) {
		dispatch extra;

		dispatch_init(&extra);
		assert_int_equal(reader_next(r, &extra), 0);
		dispatch_release(&extra);
	}
	if (stats)
		*stats = *reader_get_stats(r);
	assert_int_equal(reader_close(r, err, sizeof err), 0);
	assert_string_equal(err, "");
	return rc;
}

static int read_one(const char *name, dispatch *d)
{
	return read_one_root(name, NULL, d, NULL);
}

static const char header_doc[] =
	"ID: efe-20240926-mexico-banxico-tasa\n"
	"version: 2\n"
	"Date: 2024-09-26T19:47:00Z\n"
	"First-Created: 2024-09-26T19:02:00Z\n"
	"AGENCY: efe\n"
	"Headline: El Banco de M\xc3\xa9xico recorta su tasa\n"
	"Language: es-MX\n"
	"Byline: Redacci\xc3\xb3n Econom\xc3\xad" "a\n"
	"Topics: econom\xc3\xad" "a, bancos centrales,, tipos de inter\xc3\xa9s\n"
	"Slugline: MEXICO-BANXICO/\n"
	"Urgency: 3\n"
	"Status: usable\n"
	"Located: Ciudad de M\xc3\xa9xico\n"
	"\n"
	"M\xc3\xa9xico, 26 sep (EFE).- El Banco de M\xc3\xa9xico (Banxico) "
	"recort\xc3\xb3 este jueves su tasa de inter\xc3\xa9s.\n"
	"\n"
	"La decisi\xc3\xb3n fue un\xc3\xa1nime. EFE\n"
	"\n"
	"jcg/fpa\n";

static void test_header_block(void **state)
{
	dispatch d;
	reader_stats st;

	(void)state;
	write_file("banxico-v2.txt", header_doc);
	assert_int_equal(read_one_root("banxico-v2.txt", NULL, &d, &st), 1);
	assert_string_equal(warnings, "");
	assert_string_equal(d.id, "efe-20240926-mexico-banxico-tasa");
	assert_int_equal(d.version, 2);
	assert_int_equal(d.version_created,
			 date_from_ymd(2024, 9, 26, 19, 47, 0));
	assert_int_equal(d.first_created, date_from_ymd(2024, 9, 26, 19, 2, 0));
	assert_int_equal(d.date_source, DATE_HEADER);
	assert_string_equal(d.agency, "EFE");
	assert_string_equal(d.headline, "El Banco de M\xc3\xa9xico recorta su tasa");
	assert_string_equal(d.language, "es");
	assert_string_equal(d.byline, "Redacci\xc3\xb3n Econom\xc3\xad" "a");
	assert_int_equal(d.n_tags, 3);
	assert_int_equal(d.tags[0].kind, TAG_TOPIC);
	assert_string_equal(d.tags[0].value, "econom\xc3\xad" "a");
	assert_string_equal(d.tags[1].value, "bancos centrales");
	assert_string_equal(d.tags[2].value, "tipos de inter\xc3\xa9s");
	assert_string_equal(d.slugline, "MEXICO-BANXICO/");
	assert_int_equal(d.urgency, 3);
	assert_string_equal(d.pubstatus, "usable");
	assert_string_equal(d.located, "Ciudad de M\xc3\xa9xico");
	assert_int_equal(d.n_places, 1);
	assert_string_equal(d.places[0], "M\xc3\xa9xico");
	assert_non_null(d.dateline);
	assert_int_equal(d.n_paragraphs, 2);
	assert_string_equal(d.paragraphs[0],
			    "El Banco de M\xc3\xa9xico (Banxico) recort\xc3\xb3 "
			    "este jueves su tasa de inter\xc3\xa9s.");
	assert_string_equal(d.paragraphs[1], "La decisi\xc3\xb3n fue un\xc3\xa1nime.");
	assert_non_null(d.signoff);
	assert_non_null(strstr(d.signoff, "EFE"));
	assert_string_equal(d.source_file, rt_scratch("banxico-v2.txt"));
	assert_int_equal(d.source_line, 1);
	assert_int_equal(st.dispatches, 1);
	assert_int_equal(st.skipped, 0);
	assert_int_equal(st.utf8_repaired, 0);
	dispatch_release(&d);
}

/* Date without First-Created sets both; folded lines; Places header;
 * CRLF; a status QCode. */
static void test_header_details(void **state)
{
	dispatch d;

	(void)state;
	write_file("details.txt",
		   "Headline: Quake strikes\r\n"
		   "  southern Peru\r\n"
		   "Date: 2025-06-11T04:12:00+02:00\r\n"
		   "Places: Arequipa; Lima, Peru\r\n"
		   "Status: stat:CANCELLED\r\n"
		   "\r\n"
		   "LIMA, June 11 (Reuters) - A strong earthquake shook the "
		   "south of the country.\r\n");
	assert_int_equal(read_one("details.txt", &d), 1);
	assert_string_equal(warnings, "");
	assert_string_equal(d.headline, "Quake strikes southern Peru");
	assert_int_equal(d.version_created, date_from_ymd(2025, 6, 11, 2, 12, 0));
	assert_int_equal(d.first_created, d.version_created);
	assert_int_equal(d.date_source, DATE_HEADER);
	assert_int_equal(d.n_places, 2);
	assert_string_equal(d.places[0], "Arequipa");
	assert_string_equal(d.places[1], "Lima, Peru");
	assert_string_equal(d.pubstatus, "canceled");
	assert_string_equal(d.agency, "Reuters");
	assert_string_equal(d.language, "en");
	assert_int_equal(d.version, 0);
	assert_string_equal(d.id, "details");
	assert_int_equal(d.n_paragraphs, 1);
	assert_string_equal(d.paragraphs[0],
			    "A strong earthquake shook the south of the country.");
	dispatch_release(&d);
}

static const char kabul_doc[] =
	"Kabul, Apr 19 (EFE).\xe2\x80\x94 Pakistan and Afghanistan agreed on "
	"Saturday to reopen the main border crossing at Torkham, officials "
	"said, after a week of talks between the two governments.\n"
	"The crossing had been closed since clashes between border forces.\n"
	"\n"
	"Traders on both sides said the closure had cost them millions of "
	"dollars in spoiled goods. EFE\n";

static void check_kabul(const dispatch *d, const char *id)
{
	assert_string_equal(d->id, id);
	assert_int_equal(d->version, 0);
	assert_int_equal(d->version_created, date_from_ymd(2025, 4, 19, 0, 0, 0));
	assert_int_equal(d->date_source, DATE_DATELINE);
	assert_int_equal(d->first_created, -1);
	assert_string_equal(d->agency, "EFE");
	assert_int_equal(d->n_places, 1);
	assert_string_equal(d->places[0], "Kabul");
	assert_non_null(d->dateline);
	assert_non_null(strstr(d->dateline, "Apr 19"));
	assert_string_equal(d->signoff, "EFE");
	assert_string_equal(d->language, "en");
	assert_null(d->headline);
	assert_int_equal(d->n_paragraphs, 2);
	assert_true(strncmp(d->paragraphs[0], "Pakistan and Afghanistan", 24) == 0);
	assert_non_null(strstr(d->paragraphs[0], "governments. The crossing"));
	assert_string_equal(d->paragraphs[1],
			    "Traders on both sides said the closure had cost "
			    "them millions of dollars in spoiled goods.");
}

static void test_no_header(void **state)
{
	dispatch d;

	(void)state;
	write_file("efe-2025-04-19-kabul-torkham.txt", kabul_doc);
	set_mtime("efe-2025-04-19-kabul-torkham.txt", 946684800); /* 2000 */
	assert_int_equal(read_one("efe-2025-04-19-kabul-torkham.txt", &d), 1);
	assert_string_equal(warnings, "");
	check_kabul(&d, "efe-2025-04-19-kabul-torkham");
	dispatch_release(&d);

	/* A first line with a colon but no known key is body, not header. */
	write_file("note.txt", "Note: this is not a header.\n");
	assert_int_equal(read_one("note.txt", &d), 1);
	assert_string_equal(warnings, "");
	assert_int_equal(d.n_paragraphs, 1);
	assert_string_equal(d.paragraphs[0], "Note: this is not a header.");
	dispatch_release(&d);
}

static void test_gzip(void **state)
{
	dispatch d;
	reader_stats st;
	reader *r;
	char err[512];
	reader_options o;

	(void)state;
	write_gz("efe-2025-04-19-kabul-gz.txt.gz", kabul_doc, 0);
	assert_int_equal(read_one("efe-2025-04-19-kabul-gz.txt.gz", &d), 1);
	check_kabul(&d, "efe-2025-04-19-kabul-gz");
	assert_string_equal(d.source_file,
			    rt_scratch("efe-2025-04-19-kabul-gz.txt.gz"));
	dispatch_release(&d);

	/* Truncated: no dispatch, an error from next and from close. */
	write_gz("efe-2025-04-19-cut.txt.gz", kabul_doc, 12);
	memset(&o, 0, sizeof o);
	o.warn = warn_cb;
	o.warn_ctx = &n_warnings;
	r = reader_open(rt_scratch("efe-2025-04-19-cut.txt.gz"), &o, err,
			sizeof err);
	assert_non_null(r);
	dispatch_init(&d);
	assert_int_equal(reader_next(r, &d), -1);
	assert_null(d.id);
	snprintf(err, sizeof err,
		 "%s: truncated gzip stream (unexpected end of file)",
		 rt_scratch("efe-2025-04-19-cut.txt.gz"));
	assert_string_equal(reader_error(r), err);
	assert_int_equal(reader_next(r, &d), -1);
	st = *reader_get_stats(r);
	assert_int_equal(st.dispatches, 0);
	assert_true(reader_bytes_read(r) > 0);
	assert_int_equal(reader_close(r, err, sizeof err), -1);
	assert_non_null(strstr(err, ": truncated gzip stream (unexpected end "
				    "of file)"));
	dispatch_release(&d);
}

static void test_spanish(void **state)
{
	dispatch d;

	(void)state;
	write_file("efe-2023-03-12-murcia.txt",
		   "Murcia, 12 mar (EFE).- Las fuertes lluvias obligaron a "
		   "desalojar a unas 300 personas en la comarca.\n\n"
		   "Las autoridades no informaron de v\xc3\xad" "ctimas. EFE\n\n"
		   "jcg/fpa\n");
	assert_int_equal(read_one("efe-2023-03-12-murcia.txt", &d), 1);
	assert_string_equal(d.language, "es");
	assert_int_equal(d.version_created, date_from_ymd(2023, 3, 12, 0, 0, 0));
	assert_int_equal(d.date_source, DATE_DATELINE);
	assert_string_equal(d.places[0], "Murcia");
	assert_string_equal(d.agency, "EFE");
	dispatch_release(&d);

	/* No dateline: the function words decide. */
	write_file("sin-fecha.txt",
		   "El Gobierno de Colombia anunci\xc3\xb3 que los pasos de la "
		   "frontera se abrir\xc3\xa1n el lunes para las personas que "
		   "esperan en el lado venezolano.\n");
	assert_int_equal(read_one("sin-fecha.txt", &d), 1);
	assert_string_equal(d.language, "es");
	dispatch_release(&d);
	write_file("english.txt",
		   "The government said on Monday that the border would reopen "
		   "for people waiting on the Venezuelan side of the river.\n");
	assert_int_equal(read_one("english.txt", &d), 1);
	assert_string_equal(d.language, "en");
	dispatch_release(&d);
}

static void test_bad_date_header(void **state)
{
	dispatch d;

	(void)state;
	write_file("wire-2025-02-26-salvador.txt",
		   "ID: wire-salvador\n"
		   "Date: 2025-02-30\n"
		   "\n"
		   "The port of Salvador was closed by a strike on Wednesday.\n");
	set_mtime("wire-2025-02-26-salvador.txt", 946684800);
	assert_int_equal(read_one("wire-2025-02-26-salvador.txt", &d), 1);
	assert_string_equal(warnings, "2: invalid date '2025-02-30'\n");
	/* No dateline date: the file name's. */
	assert_int_equal(d.version_created, date_from_ymd(2025, 2, 26, 0, 0, 0));
	assert_int_equal(d.date_source, DATE_FILENAME);
	assert_int_equal(d.first_created, -1);
	assert_string_equal(d.id, "wire-salvador");
	dispatch_release(&d);
}

static void test_unknown_key(void **state)
{
	dispatch d;
	reader_stats st;

	(void)state;
	write_file("unknown.txt",
		   "Headline: Grain prices rise\n"
		   "Priority: high\n"
		   "  continued\n"
		   "Version: two\n"
		   "Urgency: 12\n"
		   "Language: English\n"
		   "Status: draft\n"
		   "Agency: Reuters\n"
		   "ROTTERDAM, Aug 3 (Reuters) - Grain prices rose.\n");
	assert_int_equal(read_one_root("unknown.txt", NULL, &d, &st), 1);
	assert_string_equal(warnings,
			    "2: unknown header 'Priority'\n"
			    "4: invalid version 'two'\n"
			    "5: invalid urgency '12'\n"
			    "6: invalid language 'English'\n"
			    "7: invalid status 'draft'\n"
			    "9: header block not ended by a blank line\n");
	assert_int_equal(st.skipped, 0);
	assert_string_equal(d.headline, "Grain prices rise");
	assert_string_equal(d.agency, "Reuters");
	assert_int_equal(d.version, 0);
	assert_int_equal(d.urgency, 0);
	assert_null(d.pubstatus);
	assert_string_equal(d.language, "en");
	assert_int_equal(d.n_places, 1);
	assert_string_equal(d.places[0], "Rotterdam");
	assert_int_equal(d.n_paragraphs, 1);
	assert_string_equal(d.paragraphs[0], "Grain prices rose.");
	dispatch_release(&d);
}

static void test_empty_files(void **state)
{
	static const char *const docs[] = { "", "  \n\t\r\n \n", "\xef\xbb\xbf\n" };
	dispatch d;
	reader_stats st;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		write_file("empty.txt", docs[i]);
		assert_int_equal(read_one_root("empty.txt", NULL, &d, &st), 0);
		assert_string_equal(warnings, "1: empty dispatch [skipped]\n");
		assert_int_equal(st.skipped, 1);
		assert_int_equal(st.dispatches, 0);
		assert_null(d.id);
		dispatch_release(&d);
	}
	write_gz("empty-gz.txt.gz", "\n\n   \n", 0);
	assert_int_equal(read_one_root("empty-gz.txt.gz", NULL, &d, &st), 0);
	assert_string_equal(warnings, "1: empty dispatch [skipped]\n");
	dispatch_release(&d);
}

static void test_too_large(void **state)
{
	size_t n = (16u << 20) + 1, i;
	char *big = malloc(n + 1);
	dispatch d;
	reader_stats st;

	(void)state;
	assert_non_null(big);
	for (i = 0; i < n; i++)
		big[i] = (i % 80 == 79) ? '\n' : 'w';
	big[n] = '\0';
	write_file("big.txt", big);
	assert_int_equal(read_one_root("big.txt", NULL, &d, &st), 0);
	assert_string_equal(warnings,
			    "1: dispatch larger than 16 MB [skipped]\n");
	assert_int_equal(st.skipped, 1);
	dispatch_release(&d);
	/* 16 MB exactly is fine. */
	big[n - 1] = '\0';
	write_file("big.txt", big);
	assert_int_equal(read_one_root("big.txt", NULL, &d, &st), 1);
	assert_string_equal(warnings, "");
	dispatch_release(&d);
	unlink(rt_scratch("big.txt"));
	free(big);
}

static void test_ids(void **state)
{
	char root[4200];
	dispatch d;

	(void)state;
	mkdir_in("corpus");
	mkdir_in("corpus/efe");
	write_gz("corpus/efe/x.txt.gz", "Some text.\n", 0);
	snprintf(root, sizeof root, "%s/corpus", rt_dir);
	assert_int_equal(read_one_root("corpus/efe/x.txt.gz", root, &d, NULL), 1);
	assert_string_equal(d.id, "efe/x");
	dispatch_release(&d);
	/* Root with a trailing slash, or given another way. */
	snprintf(root, sizeof root, "%s/corpus/", rt_dir);
	assert_int_equal(read_one_root("corpus/efe/x.txt.gz", root, &d, NULL), 1);
	assert_string_equal(d.id, "efe/x");
	dispatch_release(&d);
	snprintf(root, sizeof root, "%s/corpus/efe/../", rt_dir);
	assert_int_equal(read_one_root("corpus/efe/x.txt.gz", root, &d, NULL), 1);
	assert_string_equal(d.id, "efe/x");
	dispatch_release(&d);
	/* Not under the root: the whole path. */
	assert_int_equal(read_one_root("corpus/efe/x.txt.gz", "/nonexistent",
				       &d, NULL),
			 1);
	snprintf(root, sizeof root, "%s/corpus/efe/x", rt_dir);
	assert_string_equal(d.id, root);
	dispatch_release(&d);
	/* Other extensions stay. */
	write_file("corpus/efe/notes.text", "Some text.\n");
	{
		reader_options o;
		reader *r;
		char err[256];

		memset(&o, 0, sizeof o);
		o.format = FORMAT_TEXT;
		snprintf(root, sizeof root, "%s/corpus", rt_dir);
		o.root = root;
		r = reader_open(rt_scratch("corpus/efe/notes.text"), &o, err,
				sizeof err);
		assert_non_null(r);
		dispatch_init(&d);
		assert_int_equal(reader_next(r, &d), 1);
		assert_string_equal(d.id, "efe/notes.text");
		assert_int_equal(reader_close(r, err, sizeof err), 0);
		dispatch_release(&d);
	}
	/* An ID header wins; an over-long one is refused. */
	{
		char doc[1200];

		memcpy(doc, "ID: ", 4);
		memset(doc + 4, 'i', 1100);
		memcpy(doc + 1104, "\n\nText.\n", 9);
		write_file("corpus/long-id.txt", doc);
		assert_int_equal(read_one_root("corpus/long-id.txt", root, &d,
					       NULL),
				 1);
		assert_string_equal(warnings,
				    "1: id longer than 1024 bytes: ignored\n");
		assert_string_equal(d.id, "long-id");
		dispatch_release(&d);
	}
}

static void test_dates_fallback(void **state)
{
	dispatch d;
	int64_t mt = date_from_ymd(2021, 6, 1, 12, 30, 0);

	(void)state;
	/* Dateline month/day, year from the file name. */
	write_file("dpa-2024-03-20-berlin.txt",
		   "BERLIN, March 19 (dpa) - The Bundesbank said on Tuesday "
		   "that growth had stalled.\n");
	set_mtime("dpa-2024-03-20-berlin.txt", mt);
	assert_int_equal(read_one("dpa-2024-03-20-berlin.txt", &d), 1);
	assert_int_equal(d.version_created, date_from_ymd(2024, 3, 19, 0, 0, 0));
	assert_int_equal(d.date_source, DATE_DATELINE);
	dispatch_release(&d);
	/* ... from the mtime when the name has none. */
	write_file("berlin.txt",
		   "BERLIN, March 19 (dpa) - The Bundesbank said on Tuesday "
		   "that growth had stalled.\n");
	set_mtime("berlin.txt", mt);
	assert_int_equal(read_one("berlin.txt", &d), 1);
	assert_int_equal(d.version_created, date_from_ymd(2021, 3, 19, 0, 0, 0));
	assert_int_equal(d.date_source, DATE_DATELINE);
	dispatch_release(&d);
	/* No dateline date: the name's date, else the mtime itself. */
	write_file("note-2024-03-20.txt", "Growth stalled, the bank said.\n");
	set_mtime("note-2024-03-20.txt", mt);
	assert_int_equal(read_one("note-2024-03-20.txt", &d), 1);
	assert_int_equal(d.version_created, date_from_ymd(2024, 3, 20, 0, 0, 0));
	assert_int_equal(d.date_source, DATE_FILENAME);
	dispatch_release(&d);
	write_file("note.txt", "Growth stalled, the bank said.\n");
	set_mtime("note.txt", mt);
	assert_int_equal(read_one("note.txt", &d), 1);
	assert_int_equal(d.version_created, mt);
	assert_int_equal(d.date_source, DATE_MTIME);
	dispatch_release(&d);
	/* First-Created only: its year for the dateline. */
	write_file("fc.txt",
		   "First-Created: 2019-03-18T23:00:00Z\n\n"
		   "BERLIN, March 19 (dpa) - Growth stalled.\n");
	assert_int_equal(read_one("fc.txt", &d), 1);
	assert_int_equal(d.version_created, date_from_ymd(2019, 3, 19, 0, 0, 0));
	assert_int_equal(d.date_source, DATE_DATELINE);
	assert_int_equal(d.first_created, date_from_ymd(2019, 3, 18, 23, 0, 0));
	dispatch_release(&d);
	write_file("fc2.txt",
		   "First-Created: 2019-03-18T23:00:00Z\n\nGrowth stalled.\n");
	assert_int_equal(read_one("fc2.txt", &d), 1);
	assert_int_equal(d.version_created, d.first_created);
	assert_int_equal(d.date_source, DATE_HEADER);
	dispatch_release(&d);
}

static void test_repairs(void **state)
{
	dispatch d;
	reader_stats st;

	(void)state;
	write_file("bad-utf8.txt",
		   "Headline: Caf\xe9 prices\n\nPrices in S\xe3o Paulo rose\x01 "
		   "again.\n");
	assert_int_equal(read_one_root("bad-utf8.txt", NULL, &d, &st), 1);
	assert_int_equal(st.utf8_repaired, 2);
	assert_int_equal(st.controls_removed, 1);
	assert_string_equal(d.headline, "Caf\xef\xbf\xbd prices");
	assert_string_equal(d.paragraphs[0],
			    "Prices in S\xef\xbf\xbdo Paulo rose again.");
	dispatch_release(&d);
}

static void test_formats(void **state)
{
	static const struct {
		const char *path;
		enum reader_format f;
	} rows[] = {
		{ "a.txt", FORMAT_TEXT },
		{ "dir.x/a.TXT.gz", FORMAT_TEXT },
		{ "reut2-000.sgm", FORMAT_REUTERS },
		{ "reut2-000.sgm.gz", FORMAT_REUTERS },
		{ "x.jsonl", FORMAT_JSONL },
		{ "x.ndjson.gz", FORMAT_JSONL },
		{ "news.xml", FORMAT_NEWSML },
		{ "a.gz", FORMAT_AUTO },
		{ "a.json", FORMAT_AUTO },
		{ "txt", FORMAT_AUTO },
		{ "a.txt/b", FORMAT_AUTO },
		{ "-", FORMAT_AUTO },
	};
	size_t i;
	reader_options o;
	char err[512], want[512];

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		assert_int_equal(reader_format_of(rows[i].path), rows[i].f);
	assert_int_equal(reader_format_parse("text"), FORMAT_TEXT);
	assert_int_equal(reader_format_parse("Reuters"), FORMAT_REUTERS);
	assert_int_equal(reader_format_parse("jsonl"), FORMAT_JSONL);
	assert_int_equal(reader_format_parse("newsml"), FORMAT_NEWSML);
	assert_int_equal(reader_format_parse("auto"), FORMAT_AUTO);
	assert_int_equal(reader_format_parse("pdf"), -1);
	assert_string_equal(reader_format_name(FORMAT_TEXT), "text");
	assert_string_equal(reader_format_name(FORMAT_NEWSML), "newsml");
	assert_string_equal(reader_format_name((enum reader_format)42),
			    "unknown");

	memset(&o, 0, sizeof o);
	assert_null(reader_open("x/reut2-000.sgm", &o, err, sizeof err));
	snprintf(want, sizeof want, "x/reut2-000.sgm: %s", strerror(ENOENT));
	assert_string_equal(err, want);
	assert_null(reader_open("x/a.pdf", &o, err, sizeof err));
	assert_non_null(strstr(err, "x/a.pdf: unknown format"));
	assert_null(reader_open(rt_scratch("missing.txt"), &o, err, sizeof err));
	snprintf(want, sizeof want, "%s: %s", rt_scratch("missing.txt"),
		 strerror(ENOENT));
	assert_string_equal(err, want);
	/* An explicit format beats the extension. */
	o.format = FORMAT_JSONL;
	assert_null(reader_open("x/a.unknown", &o, err, sizeof err));
	snprintf(want, sizeof want, "x/a.unknown: %s", strerror(ENOENT));
	assert_string_equal(err, want);
	assert_null(reader_open("x/a.txt", NULL, NULL, 0));
	assert_int_equal(reader_close(NULL, NULL, 0), 0);
}

/* Every allocation failure while reading one dispatch ends cleanly. */
static void test_alloc_failures(void **state)
{
	reader_options o;
	unsigned long n;
	int done = 0;

	(void)state;
	write_file("alloc-2025-04-19.txt", header_doc);
	memset(&o, 0, sizeof o);
	o.root = rt_dir;
	for (n = 1; !done && n < 5000; n++) {
		reader *r;
		dispatch d;
		char err[512];
		int rc;

		dispatch_init(&d);
		wire_alloc_fail_at(n, 0);
		r = reader_open(rt_scratch("alloc-2025-04-19.txt"), &o, err,
				sizeof err);
		if (!r) {
			assert_non_null(strstr(err, "out of memory"));
			continue;
		}
		rc = reader_next(r, &d);
		if (rc == 1) {
			wire_alloc_fail_at(0, 0);
			assert_string_equal(d.id,
					    "efe-20240926-mexico-banxico-tasa");
			assert_int_equal(d.n_tags, 3);
			assert_int_equal(d.n_paragraphs, 2);
			done = 1;
		} else {
			assert_int_equal(rc, -1);
			assert_non_null(strstr(reader_error(r), "out of memory"));
		}
		reader_close(r, err, sizeof err);
		wire_alloc_fail_at(0, 0);
		dispatch_release(&d);
	}
	assert_true(done);
	assert_true(n > 20);
}

/* A header with every key (one folded, one unknown) and a body with a
 * dateline and a sign-off, read with each allocation failing in turn,
 * once and from then on; then the same without a header. */
static const char rich_text[] =
	"ID: efe-20250503-bolivia-litio\n"
	"Version: 2\n"
	"Date: 2025-05-03T12:00:00Z\n"
	"First-Created: 2025-05-03T10:30:00Z\n"
	"Agency: Agencia EFE\n"
	"Headline: Bolivia firma un acuerdo\n"
	"  por el litio del salar\n"
	"Language: es-BO\n"
	"Byline: Tom\xc3\xa1s Quiroga\n"
	"Topics: miner\xc3\xad" "a; econom\xc3\xad" "a\n"
	"Places: Uyuni, Potos\xc3\xad\n"
	"Slugline: Bolivia-Litio\n"
	"Urgency: 3\n"
	"Status: stat:usable\n"
	"Located: La Paz\n"
	"Desk: sur\n"
	"\n"
	"La Paz, 3 may (EFE).- Bolivia firm\xc3\xb3 este s\xc3\xa1" "bado "
	"un acuerdo para explotar el litio del salar de Uyuni.\n"
	"\n"
	"El Gobierno dijo que la planta estar\xc3\xa1 lista en 2027.\n"
	"EFE\n";

static void test_alloc_rich(void **state)
{
	reader_options o;
	dispatch d;
	unsigned long runs;

	(void)state;
	write_file("rich-2025-05-03.txt", rich_text);
	assert_int_equal(read_one("rich-2025-05-03.txt", &d), 1);
	assert_string_equal(warnings, "16: unknown header 'Desk'\n");
	assert_string_equal(d.id, "efe-20250503-bolivia-litio");
	assert_string_equal(d.headline,
			    "Bolivia firma un acuerdo por el litio del salar");
	assert_string_equal(d.agency, "EFE");
	assert_string_equal(d.language, "es");
	assert_string_equal(d.pubstatus, "usable");
	assert_int_equal(d.urgency, 3);
	assert_int_equal(d.n_tags, 2);
	assert_int_equal(d.n_places, 2);
	assert_string_equal(d.places[1], "Potos\xc3\xad");
	assert_int_equal(d.n_paragraphs, 2);
	dispatch_release(&d);

	memset(&o, 0, sizeof o);
	o.root = rt_dir;
	runs = rt_alloc_failures(rt_scratch("rich-2025-05-03.txt"), &o, 0);
	assert_true(runs > 30);
	rt_alloc_failures(rt_scratch("rich-2025-05-03.txt"), &o, 1);
	/* No header: the id from the path, the language guessed. */
	write_file("bare.txt", strchr(rich_text, '\n') ?
		   strstr(rich_text, "\n\n") + 2 : rich_text);
	rt_alloc_failures(rt_scratch("bare.txt"), &o, 0);
}

/* ------------------------------------------------------------------ */

/* What a test looks at in D, on one line. */
static const char *summary(const dispatch *d)
{
	static char buf[4096];
	size_t i, n;

	n = (size_t)snprintf(buf, sizeof buf,
			     "v=%u u=%d st=%s lang=%s hl=%s by=%s ag=%s tags=",
			     d->version, d->urgency,
			     d->pubstatus ? d->pubstatus : "-",
			     d->language ? d->language : "-",
			     d->headline ? d->headline : "-",
			     d->byline ? d->byline : "-",
			     d->agency ? d->agency : "-");
	for (i = 0; i < d->n_tags && n < sizeof buf; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s",
				      i ? "," : "", d->tags[i].value);
	for (i = 0; i < d->n_paragraphs && n < sizeof buf; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s",
				      i ? "|" : " body=", d->paragraphs[i]);
	return buf;
}

/* Read DOC as NAME (text format, root the scratch directory). */
static struct rt_got *read_doc(const char *name, const char *doc)
{
	reader_options o;

	memset(&o, 0, sizeof o);
	o.format = FORMAT_TEXT;
	o.root = rt_dir;
	rt_write_text(rt_scratch(name), doc);
	return rt_read_opts(rt_scratch(name), &o);
}

/* Header lines one by one: keys in any case with blanks before the colon,
 * values checked, folded, empty; what ends the block. */
static void test_header_lines(void **state)
{
	static const struct {
		const char *doc;
		const char *warnings;
		const char *summary;
	} rows[] = {
		/* Lower-case keys, blanks before the colon, an empty value. */
		{ "headline \t: Tabbed\nbyline:\nURGENCY : 9\n\nBody text.\n",
		  "", "v=0 u=9 st=- lang=en hl=Tabbed by=- ag=- tags= "
		  "body=Body text." },
		/* An unknown key with digits and '_', folded with a tab: the
		 * folded line goes with it. */
		{ "Headline: A\nX_Desk-2: night\n\tshift\nVersion: 4\n\nB.\n",
		  "2: unknown header 'X_Desk-2'\n",
		  "v=4 u=0 st=- lang=en hl=A by=- ag=- tags= body=B." },
		/* A line with no colon, or a key over 64 bytes, ends the
		 * block: it is body. */
		{ "Headline: H\nNo colon here\nMore body.\n",
		  "2: header block not ended by a blank line\n",
		  "v=0 u=0 st=- lang=en hl=H by=- ag=- tags= "
		  "body=No colon here More body." },
		{ "Headline: H\n"
		  "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: x\n",
		  "2: header block not ended by a blank line\n",
		  "v=0 u=0 st=- lang=en hl=H by=- ag=- tags= "
		  "body=Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: x" },
		{ "Headline: H\n- not a key: x\n",
		  "2: header block not ended by a blank line\n",
		  "v=0 u=0 st=- lang=en hl=H by=- ag=- tags= "
		  "body=- not a key: x" },
		/* The header is the whole file, without a final newline. */
		{ "Headline: Only a header\nTopics: a,b", "",
		  "v=0 u=0 st=- lang=en hl=Only a header by=- ag=- tags=a,b" },
		/* Blank lines made of no-break spaces and a byte-order mark
		 * end the block; a copyright sign does not. */
		{ "Headline: N\n\xc2\xa0 \xef\xbb\xbf\nBody.\n", "",
		  "v=0 u=0 st=- lang=en hl=N by=- ag=- tags= body=Body." },
		{ "Headline: N\n\xc2\xa9 2025\n",
		  "2: header block not ended by a blank line\n",
		  "v=0 u=0 st=- lang=en hl=N by=- ag=- tags= "
		  "body=\xc2\xa9 2025" },
		/* Versions, urgencies and statuses that are none. */
		{ "Version: 12345678901\nUrgency: 0\nStatus: draft\n\nx\n",
		  "1: invalid version '12345678901'\n2: invalid urgency '0'\n"
		  "3: invalid status 'draft'\n",
		  "v=0 u=0 st=- lang=en hl=- by=- ag=- tags= body=x" },
		{ "Version: 1x\nUrgency: 10\n"
		  "Status: usable-for-everyone-everywhere-always\n\nx\n",
		  "1: invalid version '1x'\n2: invalid urgency '10'\n"
		  "3: invalid status 'usable-for-everyone-everywhere-always'\n",
		  "v=0 u=0 st=- lang=en hl=- by=- ag=- tags= body=x" },
		{ "Urgency: x\nStatus: stat:\n\nx\n",
		  "1: invalid urgency 'x'\n2: invalid status 'stat:'\n",
		  "v=0 u=0 st=- lang=en hl=- by=- ag=- tags= body=x" },
		{ "Status: Withheld\n\nx\n", "",
		  "v=0 u=0 st=withheld lang=en hl=- by=- ag=- tags= body=x" },
		{ "Status: canceled\n\nx\n", "",
		  "v=0 u=0 st=canceled lang=en hl=- by=- ag=- tags= body=x" },
		/* Languages: a code in any case, with a region; else none
		 * (and the guess is used). */
		{ "Language: ES\n\nx\n", "",
		  "v=0 u=0 st=- lang=es hl=- by=- ag=- tags= body=x" },
		{ "Language: english\n\nx\n", "1: invalid language 'english'\n",
		  "v=0 u=0 st=- lang=en hl=- by=- ag=- tags= body=x" },
		{ "Language: e\n\nx\n", "1: invalid language 'e'\n",
		  "v=0 u=0 st=- lang=en hl=- by=- ag=- tags= body=x" },
		{ "Language: pt BR\n\nx\n", "1: invalid language 'pt BR'\n",
		  "v=0 u=0 st=- lang=en hl=- by=- ag=- tags= body=x" },
		{ "Language: 12\n\nx\n", "1: invalid language '12'\n",
		  "v=0 u=0 st=- lang=en hl=- by=- ag=- tags= body=x" },
		/* Not a header: a first line that starts with no letter, or
		 * a known key with no colon. */
		{ "1. Headline: x\n", "",
		  "v=0 u=0 st=- lang=en hl=- by=- ag=- tags= "
		  "body=1. Headline: x" },
		{ "Headline without colon\n", "",
		  "v=0 u=0 st=- lang=en hl=- by=- ag=- tags= "
		  "body=Headline without colon" },
		/* A sign-off that is no agency gives none. */
		{ "Headline: S\n\nText of the story.\n\njcg/fpa\n", "",
		  "v=0 u=0 st=- lang=en hl=S by=- ag=- tags= "
		  "body=Text of the story." },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct rt_got *g = read_doc("hdr.txt", rows[i].doc);

		if (strcmp(g->warnings, rows[i].warnings) != 0)
			fail_msg("row %zu: warnings '%s', expected '%s'", i,
				 g->warnings, rows[i].warnings);
		assert_int_equal(g->n, 1);
		if (strcmp(summary(&g->d[0]), rows[i].summary) != 0)
			fail_msg("row %zu: '%s', expected '%s'", i,
				 summary(&g->d[0]), rows[i].summary);
		assert_string_equal(g->d[0].id, "hdr");
		rt_got_free(g);
	}
}

/* The language guessed from the dateline and the function words. */
static void test_language_guess(void **state)
{
	static const struct {
		const char *doc;
		const char *language;
	} rows[] = {
		/* A day, then a lower-case month Spanish shares with
		 * English: Spanish; capitalised, it proves nothing. */
		{ "Lima, 3 sept (EFE).- Cifras.\n", "es" },
		{ "Lima, 3 Sept (EFE).- Cifras.\n", "en" },
		/* A year is no day; a very long word is passed over. */
		{ "Lima, 2025 sept (EFE).- Cifras.\n", "en" },
		{ "Lima, Supercalifragilistico 3 dic (EFE).- Cifras.\n", "es" },
		{ "Lima, 3 Nov. (EFE).- Cifras.\n", "en" },
		/* Function words: more Spanish than English, at least two. */
		{ "La ministra dijo que el plan sigue.\n", "es" },
		{ "La ministra.\n", "en" },
		{ "El plan of the minister and the board was \xc3\xbanico y "
		  "largo.\n", "en" },
		{ "Headline: El plan de la ministra\n\nTexto.\n", "es" },
		/* Words over eight bytes, non-ASCII letters. */
		{ "Extraordinariamente, las \xc3\xa1reas y los r\xc3\xados "
		  "crecieron.\n", "es" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct rt_got *g = read_doc("lang.txt", rows[i].doc);

		assert_int_equal(g->n, 1);
		if (strcmp(g->d[0].language, rows[i].language) != 0)
			fail_msg("row %zu: '%s', expected '%s'", i,
				 g->d[0].language, rows[i].language);
		rt_got_free(g);
	}
}

/* Only the first 64 KiB of the text are looked at for the language. */
static void test_language_budget(void **state)
{
	static const char en[] = "The board said that the plan was ready. ";
	static const char es[] = "La junta dijo que el plan de la ciudad y "
				 "del puerto sigue. ";
	size_t n = 0, cap = 200000;
	char *doc = malloc(cap);
	struct rt_got *g;

	(void)state;
	assert_non_null(doc);
	/* 70 KB of English in two paragraphs, then Spanish. */
	while (n < 40000) {
		memcpy(doc + n, en, sizeof en - 1);
		n += sizeof en - 1;
	}
	memcpy(doc + n, "\n\n", 2);
	n += 2;
	while (n < 70000) {
		memcpy(doc + n, en, sizeof en - 1);
		n += sizeof en - 1;
	}
	memcpy(doc + n, "\n\n", 2);
	n += 2;
	while (n < 190000) {
		memcpy(doc + n, es, sizeof es - 1);
		n += sizeof es - 1;
	}
	doc[n] = '\0';
	g = read_doc("budget.txt", doc);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->d[0].n_paragraphs, 3);
	assert_string_equal(g->d[0].language, "en");
	rt_got_free(g);
	free(doc);
}

/* Standard input ("-"): the id "stdin", no file date. */
static void test_stdin(void **state)
{
	static const char doc[] = "Headline: From a pipe\n\nPiped text.\n";
	reader_options o;
	struct rt_got *g;
	int saved = dup(STDIN_FILENO), fd;

	(void)state;
	assert_true(saved >= 0);
	rt_write_text(rt_scratch("stdin.txt"), doc);
	fd = open(rt_scratch("stdin.txt"), O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	memset(&o, 0, sizeof o);
	o.format = FORMAT_TEXT;
	o.root = rt_dir;
	g = rt_read_opts("-", &o);
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	assert_int_equal(g->last, 0);
	assert_int_equal(g->n, 1);
	assert_string_equal(g->d[0].id, "stdin");
	assert_string_equal(g->d[0].source_file, "-");
	assert_string_equal(g->d[0].headline, "From a pipe");
	assert_int_equal(g->d[0].version_created, -1);
	assert_int_equal(g->d[0].date_source, DATE_NONE);
	rt_got_free(g);
}

/* Read NAME (relative to the scratch directory when RELATIVE, as
 * "./NAME" when DOT) with ROOT: its id. */
static char *id_with_root(const char *name, const char *root, int relative,
			  int dot)
{
	reader_options o;
	struct rt_got *g;
	char cwd[4200], path[4200];
	char *id;

	memset(&o, 0, sizeof o);
	o.format = FORMAT_TEXT;
	o.root = root;
	assert_non_null(getcwd(cwd, sizeof cwd));
	if (relative) {
		assert_int_equal(chdir(rt_dir), 0);
		snprintf(path, sizeof path, "%s%s", dot ? "./" : "", name);
	} else {
		snprintf(path, sizeof path, "%s", rt_scratch(name));
	}
	g = rt_read_opts(path, &o);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(g->n, 1);
	id = strdup(g->d[0].id);
	assert_non_null(id);
	rt_got_free(g);
	return id;
}

static void check_id(char *id, const char *want)
{
	if (strcmp(id, want) != 0)
		fail_msg("id '%s', expected '%s'", id, want);
	free(id);
}

/* Ids relative to the root when it names the same directory another way
 * (resolved with realpath), "." and "./" roots, roots that only share a
 * prefix, and ids cut at 1024 bytes on a character boundary. */
static void test_ids_resolved(void **state)
{
	char root[4200], name[4200], want[4200], link[4200];
	char seg[201];
	size_t k;

	(void)state;
	mkdir_in("wire");
	mkdir_in("wire/afp");
	write_file("wire/afp/a.txt", "Text.\n");
	/* A root through a symbolic link: not lexically a prefix. */
	snprintf(link, sizeof link, "%s/wire-link", rt_dir);
	snprintf(root, sizeof root, "%s/wire", rt_dir);
	assert_int_equal(symlink(root, link), 0);
	check_id(id_with_root("wire/afp/a.txt", link, 0, 0), "afp/a");
	/* Relative paths and roots. */
	check_id(id_with_root("wire/afp/a.txt", "./wire", 1, 1), "afp/a");
	check_id(id_with_root("wire/afp/a.txt", "./", 1, 1), "wire/afp/a");
	check_id(id_with_root("wire/afp/a.txt", ".", 1, 0), "wire/afp/a");
	check_id(id_with_root("wire/afp/a.txt", "wire-link", 1, 0), "afp/a");
	/* A root that is only a prefix of the name is no parent. */
	snprintf(root, sizeof root, "%s/wi", rt_dir);
	mkdir_in("wi");
	snprintf(want, sizeof want, "%s/wire/afp/a", rt_dir);
	check_id(id_with_root("wire/afp/a.txt", root, 0, 0), want);
	/* The file itself as the root: not under it either. */
	snprintf(root, sizeof root, "%s/wire/afp/a.txt", rt_dir);
	check_id(id_with_root("wire/afp/a.txt", root, 0, 0), want);
	/* "/" as the root: the path less its first '/'. */
	check_id(id_with_root("wire/afp/a.txt", "/", 0, 0), want + 1);

	/* Over 1024 bytes: cut before a character that would not fit. */
	memset(seg, 'd', 200);
	seg[200] = '\0';
	snprintf(name, sizeof name, "long");
	mkdir_in(name);
	for (k = 0; k < 6; k++) {
		size_t n = strlen(name);

		snprintf(name + n, sizeof name - n, "/%s", seg);
		if (k == 5) /* a two-byte character at bytes 1023-1024 */
			memcpy(name + 1023, "\xc3\xa9", 2);
		mkdir_in(name);
	}
	{
		size_t n = strlen(name);

		snprintf(name + n, sizeof name - n, "/x.txt");
	}
	write_file(name, "Text.\n");
	{
		char *id = id_with_root(name, rt_dir, 0, 0);

		assert_int_equal(strlen(id), 1023);
		assert_memory_equal(id, name, 1023);
		free(id);
	}
}

/* More header shapes: keys cut by the end of the line or of the file,
 * values with characters no code has, a byte-order mark look-alike. */
static void test_header_edges(void **state)
{
	static const struct {
		const char *doc;
		const char *warnings;
		const char *summary;
	} rows[] = {
		/* One header line, no newline at all. */
		{ "Headline: Alone", "",
		  "v=0 u=0 st=- lang=en hl=Alone by=- ag=- tags=" },
		/* The blank line ending the block is the last, unended. */
		{ "Headline: B\n  ", "",
		  "v=0 u=0 st=- lang=en hl=B by=- ag=- tags=" },
		/* A key alone, or with blanks after it, is no header line. */
		{ "Headline: K\nByline",
		  "2: header block not ended by a blank line\n",
		  "v=0 u=0 st=- lang=en hl=K by=- ag=- tags= body=Byline" },
		{ "Headline: K\nByline   \n",
		  "2: header block not ended by a blank line\n",
		  "v=0 u=0 st=- lang=en hl=K by=- ag=- tags= body=Byline" },
		/* U+FF01 and U+FEC0 start like a byte-order mark. */
		{ "Headline: M\n\xef\xbc\x81\n",
		  "2: header block not ended by a blank line\n",
		  "v=0 u=0 st=- lang=en hl=M by=- ag=- tags= "
		  "body=\xef\xbc\x81" },
		{ "Headline: M\n\xef\xbb\x80\n",
		  "2: header block not ended by a blank line\n",
		  "v=0 u=0 st=- lang=en hl=M by=- ag=- tags= "
		  "body=\xef\xbb\x80" },
		/* Values: a version with a sign, a short status, languages
		 * with '~' or '_' in them, a region after '_'. */
		{ "Version: -1\nStatus: no\nLanguage: e~\n\nx\n",
		  "1: invalid version '-1'\n2: invalid status 'no'\n"
		  "3: invalid language 'e~'\n",
		  "v=0 u=0 st=- lang=en hl=- by=- ag=- tags= body=x" },
		{ "Language: _x\n\nx\n", "1: invalid language '_x'\n",
		  "v=0 u=0 st=- lang=en hl=- by=- ag=- tags= body=x" },
		{ "Language: pt_BR\n\nx\n", "",
		  "v=0 u=0 st=- lang=pt hl=- by=- ag=- tags= body=x" },
		/* Datelines with letters beyond ASCII, ending in a word or a
		 * number. */
		{ "Bogot\xc3\xa1, 3 sept (EFE).- Cifras.\n", "",
		  "v=0 u=0 st=- lang=es hl=- by=- ag=EFE tags= body=Cifras." },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct rt_got *g = read_doc("edge.txt", rows[i].doc);

		if (strcmp(g->warnings, rows[i].warnings) != 0)
			fail_msg("row %zu: warnings '%s', expected '%s'", i,
				 g->warnings, rows[i].warnings);
		assert_int_equal(g->n, 1);
		if (strcmp(summary(&g->d[0]), rows[i].summary) != 0)
			fail_msg("row %zu: '%s', expected '%s'", i,
				 summary(&g->d[0]), rows[i].summary);
		rt_got_free(g);
	}
}

/* Ids without a root, with an empty one, of short names, of names
 * starting with a dot; a root elsewhere; "/." as the root. */
static void test_ids_more(void **state)
{
	char root[4200], want[4200];
	reader_options o;
	struct rt_got *g;

	(void)state;
	mkdir_in("ids");
	write_file("ids/b", "Text.\n");
	write_file("ids/.hidden.txt", "Text.\n");
	memset(&o, 0, sizeof o);
	o.format = FORMAT_TEXT;
	/* No root, an empty one: the path as given. */
	g = rt_read_opts(rt_scratch("ids/b"), &o);
	assert_string_equal(g->d[0].id, rt_scratch("ids/b"));
	rt_got_free(g);
	o.root = "";
	g = rt_read_opts(rt_scratch("ids/b"), &o);
	assert_string_equal(g->d[0].id, rt_scratch("ids/b"));
	rt_got_free(g);
	/* A name of one byte. */
	snprintf(root, sizeof root, "%s/ids", rt_dir);
	check_id(id_with_root("ids/b", root, 0, 0), "b");
	/* A name that starts with a dot is not "./". */
	check_id(id_with_root("ids/.hidden.txt", "ids", 1, 0), ".hidden");
	/* A root that exists elsewhere. */
	snprintf(root, sizeof root, "%s/wire", rt_dir);
	snprintf(want, sizeof want, "%s/ids/b", rt_dir);
	check_id(id_with_root("ids/b", root, 0, 0), want);
	/* "/." is "/" once resolved: the real path less its first '/'. */
	{
		char real[4096];

		assert_non_null(realpath(rt_dir, real));
		snprintf(want, sizeof want, "%s/ids/b", real + 1);
		check_id(id_with_root("ids/b", "/.", 1, 0), want);
	}
}

/* A file gone between its opening and its reading: no mtime, and a root
 * that needs resolving leaves the whole path. */
static void test_file_gone(void **state)
{
	reader_options o;
	reader *r;
	dispatch d;
	char err[512], link[4200];

	(void)state;
	mkdir_in("gone");
	write_file("gone/story.txt", "The text of the story.\n");
	snprintf(link, sizeof link, "%s/gone-link", rt_dir);
	assert_int_equal(symlink(rt_scratch("gone"), link), 0);
	memset(&o, 0, sizeof o);
	o.root = link;
	r = reader_open(rt_scratch("gone/story.txt"), &o, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(unlink(rt_scratch("gone/story.txt")), 0);
	dispatch_init(&d);
	assert_int_equal(reader_next(r, &d), 1);
	assert_string_equal(d.id, rt_scratch("gone/story"));
	assert_int_equal(d.version_created, -1);
	assert_int_equal(d.date_source, DATE_NONE);
	assert_string_equal(d.paragraphs[0], "The text of the story.");
	dispatch_release(&d);
	assert_int_equal(reader_close(r, err, sizeof err), 0);
}

/* reader.c's own helpers: quoting, counting controls, opening with no
 * error buffer, errors longer than the buffer. */
static void test_reader_core(void **state)
{
	char out[64], err[64];
	reader_options o;
	reader *r;

	(void)state;
	assert_int_equal(reader_format_of(NULL), FORMAT_AUTO);
	assert_int_equal(reader_format_parse(NULL), -1);

	/* reader_quote(): nothing into no room; MAX shrunk to the room;
	 * never a piece of a character. */
	out[0] = 'x';
	reader_quote(out, 0, "abc", 3, 64);
	assert_int_equal(out[0], 'x');
	reader_quote(out, 8, "abcdefghij", 10, 64);
	assert_string_equal(out, "abcd...");
	reader_quote(out, 4, "abc", 3, 64);
	assert_string_equal(out, "...");
	reader_quote(out, sizeof out, "ab\xc3\xa9z", 5, 3);
	assert_string_equal(out, "ab...");
	reader_quote(out, sizeof out, "\xe2\x82\xac\xe2\x82\xac", 6, 4);
	assert_string_equal(out, "\xe2\x82\xac...");
	/* At most three bytes are given back. */
	reader_quote(out, sizeof out, "a\x80\x80\x80\x80\x80", 6, 5);
	assert_string_equal(out, "a\x80...");
	reader_quote(out, sizeof out, "\x80\x80", 2, 1);
	assert_string_equal(out, "...");
	reader_quote(out, sizeof out, "short", 5, 5);
	assert_string_equal(out, "short");

	/* reader_quote_raw(): one line, trailing blanks gone; "?" when
	 * out of memory. */
	reader_quote_raw(out, sizeof out, "a\tb\nc  \n", 8, 64);
	assert_string_equal(out, "a b c");
	wire_alloc_fail_at(1, 1);
	reader_quote_raw(out, sizeof out, "abc", 3, 64);
	wire_alloc_fail_at(0, 0);
	assert_string_equal(out, "?");

	/* reader_count_controls(): C0 but tab, newline and the CR of CR LF;
	 * DEL; C1 (as UTF-8), not U+00A0. */
	assert_int_equal(reader_count_controls("a\tb\nc\r\nd", 8), 0);
	assert_int_equal(reader_count_controls("a\rb\r", 4), 2);
	assert_int_equal(reader_count_controls("\x01\x1f\x7f", 3), 3);
	assert_int_equal(reader_count_controls("\xc2\x80\xc2\x9f", 4), 2);
	assert_int_equal(reader_count_controls("\xc2\xa0\xc2 \xc2", 5), 0);

	/* reader_open() without an error buffer, or with an empty one. */
	assert_null(reader_open(NULL, NULL, NULL, 0));
	assert_null(reader_open("", NULL, err, sizeof err));
	assert_string_equal(err, ": no file name");
	assert_null(reader_open(NULL, NULL, err, 0));
	memset(&o, 0, sizeof o);
	o.format = (enum reader_format)42;
	assert_null(reader_open("a.txt", &o, err, sizeof err));
	/* Cut to the 64 bytes of ERR. */
	assert_string_equal(err, "a.txt: unknown format (expected .txt, .sgm, "
				 ".jsonl, .ndjson or ");
	write_file("core.jsonl", "{\"uri\": \"c\"}\n");
	/* The format's own set-up failing (its first allocation is the
	 * fourth: reader, path, input, state). */
	wire_alloc_fail_at(4, 0);
	assert_null(reader_open(rt_scratch("core.jsonl"), NULL, NULL, 0));
	wire_alloc_fail_at(4, 0);
	assert_null(reader_open(rt_scratch("core.jsonl"), NULL, err, sizeof err));
	wire_alloc_fail_at(0, 0);
	assert_string_equal(err + strlen(err) - 15, ": out of memory");
	r = reader_open(rt_scratch("core.jsonl"), NULL, NULL, 0);
	assert_non_null(r);
	assert_int_equal(reader_close(r, NULL, 0), 0);
}

/* A damaged file whose name fills the error buffer: the message is the
 * name, cut; reader_close() with no buffer still says it failed. */
static void test_reader_long_name(void **state)
{
	char name[1400], seg[201];
	size_t k, n;
	struct rt_got *g;
	reader *r;
	dispatch d;
	char err[64];

	(void)state;
	memset(seg, 'n', 200);
	seg[200] = '\0';
	snprintf(name, sizeof name, "longname");
	mkdir_in(name);
	for (k = 0; k < 5; k++) {
		n = strlen(name);
		snprintf(name + n, sizeof name - n, "/%s", seg);
		mkdir_in(name);
	}
	n = strlen(name);
	snprintf(name + n, sizeof name - n, "/x.txt.gz");
	write_gz(name, "Some text of a story that is long enough.\n", 10);
	g = rt_read(rt_scratch(name));
	assert_int_equal(g->last, -1);
	assert_int_equal(strlen(g->error), 1023);
	assert_memory_equal(g->error, rt_scratch(name), 1023);
	rt_got_free(g);

	r = reader_open(rt_scratch(name), NULL, err, sizeof err);
	assert_non_null(r);
	dispatch_init(&d);
	assert_int_equal(reader_next(r, &d), -1);
	assert_int_equal(reader_close(r, NULL, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_block),
		cmocka_unit_test(test_header_details),
		cmocka_unit_test(test_no_header),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_spanish),
		cmocka_unit_test(test_bad_date_header),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_empty_files),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_dates_fallback),
		cmocka_unit_test(test_repairs),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_alloc_failures),
		cmocka_unit_test(test_alloc_rich),
		cmocka_unit_test(test_header_lines),
		cmocka_unit_test(test_language_guess),
		cmocka_unit_test(test_language_budget),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_ids_resolved),
		cmocka_unit_test(test_header_edges),
		cmocka_unit_test(test_ids_more),
		cmocka_unit_test(test_file_gone),
		cmocka_unit_test(test_reader_core),
		cmocka_unit_test(test_reader_long_name),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
