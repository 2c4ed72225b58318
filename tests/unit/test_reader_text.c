/*
 * test_reader_text.c - the plain-text reader: header block, body with
 * dateline and sign-off, gzip, Spanish, warnings (bad date, unknown
 * header, empty file), ids relative to the root, the year from the file
 * name or mtime, damaged gzip, and the format table of reader.c.
 * Fixtures are written by the tests into a mkdtemp() directory.
 */
#include "alloc.h"
#include "dispatch.h"
#include "reader.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

static char dir[4096];
/* Warnings, one "LINE: MESSAGE [skipped]" a line, file names checked. */
static char warnings[8192];
static unsigned n_warnings;

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
	snprintf(dir, sizeof dir, "%s/wire-reader-XXXXXX", tmp ? tmp : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *path_of(const char *name)
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
	size_t n = strlen(warnings);

	assert_ptr_equal(ctx, &n_warnings);
	assert_non_null(strstr(file, dir));
	snprintf(warnings + n, sizeof warnings - n, "%lu: %s%s\n", line, message,
		 skipped ? " [skipped]" : "");
	n_warnings++;
}

static void write_file(const char *name, const char *data)
{
	FILE *f = fopen(path_of(name), "wb");
	size_t len = strlen(data);

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void write_gz(const char *name, const char *data, size_t cut)
{
	z_stream zs;
	size_t len = strlen(data), cap = len + 1024;
	unsigned char *out = malloc(cap);
	FILE *f;

	assert_non_null(out);
	memset(&zs, 0, sizeof zs);
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8,
				      Z_DEFAULT_STRATEGY),
			 Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	f = fopen(path_of(name), "wb");
	assert_non_null(f);
	assert_true(zs.total_out > cut);
	fwrite(out, 1, zs.total_out - cut, f);
	assert_int_equal(fclose(f), 0);
	free(out);
}

static void set_mtime(const char *name, int64_t t)
{
	struct timeval tv[2];

	tv[0].tv_sec = tv[1].tv_sec = (time_t)t;
	tv[0].tv_usec = tv[1].tv_usec = 0;
	assert_int_equal(utimes(path_of(name), tv), 0);
}

static void mkdir_in(const char *name)
{
	assert_int_equal(mkdir(path_of(name), 0755), 0);
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
	o.root = root ? root : dir;
	o.warn = warn_cb;
	o.warn_ctx = &n_warnings;
	warnings[0] = '\0';
	n_warnings = 0;
	dispatch_init(d);
	r = reader_open(path_of(name), &o, err, sizeof err);
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
	assert_string_equal(d.source_file, path_of("banxico-v2.txt"));
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
			    path_of("efe-2025-04-19-kabul-gz.txt.gz"));
	dispatch_release(&d);

	/* Truncated: no dispatch, an error from next and from close. */
	write_gz("efe-2025-04-19-cut.txt.gz", kabul_doc, 12);
	memset(&o, 0, sizeof o);
	o.warn = warn_cb;
	o.warn_ctx = &n_warnings;
	r = reader_open(path_of("efe-2025-04-19-cut.txt.gz"), &o, err,
			sizeof err);
	assert_non_null(r);
	dispatch_init(&d);
	assert_int_equal(reader_next(r, &d), -1);
	assert_null(d.id);
	snprintf(err, sizeof err,
		 "%s: truncated gzip stream (unexpected end of file)",
		 path_of("efe-2025-04-19-cut.txt.gz"));
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
	unlink(path_of("big.txt"));
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
	snprintf(root, sizeof root, "%s/corpus", dir);
	assert_int_equal(read_one_root("corpus/efe/x.txt.gz", root, &d, NULL), 1);
	assert_string_equal(d.id, "efe/x");
	dispatch_release(&d);
	/* Root with a trailing slash, or given another way. */
	snprintf(root, sizeof root, "%s/corpus/", dir);
	assert_int_equal(read_one_root("corpus/efe/x.txt.gz", root, &d, NULL), 1);
	assert_string_equal(d.id, "efe/x");
	dispatch_release(&d);
	snprintf(root, sizeof root, "%s/corpus/efe/../", dir);
	assert_int_equal(read_one_root("corpus/efe/x.txt.gz", root, &d, NULL), 1);
	assert_string_equal(d.id, "efe/x");
	dispatch_release(&d);
	/* Not under the root: the whole path. */
	assert_int_equal(read_one_root("corpus/efe/x.txt.gz", "/nonexistent",
				       &d, NULL),
			 1);
	snprintf(root, sizeof root, "%s/corpus/efe/x", dir);
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
		snprintf(root, sizeof root, "%s/corpus", dir);
		o.root = root;
		r = reader_open(path_of("corpus/efe/notes.text"), &o, err,
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
	assert_null(reader_open(path_of("missing.txt"), &o, err, sizeof err));
	snprintf(want, sizeof want, "%s: %s", path_of("missing.txt"),
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
	o.root = dir;
	for (n = 1; !done && n < 5000; n++) {
		reader *r;
		dispatch d;
		char err[512];
		int rc;

		dispatch_init(&d);
		wire_alloc_fail_at(n, 0);
		r = reader_open(path_of("alloc-2025-04-19.txt"), &o, err,
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
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
