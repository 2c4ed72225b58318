/*
 * reader_fuzz.h - the harness shared by the libFuzzer targets of the
 * readers (plain text, JSON Lines, NewsML-G2, Reuters SGML).  A target
 * defines FUZZ_NAME (the file name the input is written to, whose
 * extension picks the reader) and check_format() (what that format
 * promises beyond every reader's common promises), then includes this.
 * FUZZ_ONE_PER_FILE (plain text) reads the file's directory as the root
 * of the ids and allows a file's name or time to date the dispatch, and
 * a file to hold one dispatch at most.
 *
 * The input goes to a file (in /dev/shm when there is one) read back with
 * reader_open/next/close; every dispatch is checked: an id of at most
 * ~1 KB, every string valid UTF-8 without control characters but tab and
 * newline, urgency 0-9, a known pubstatus, dates that agree with
 * date_source; warnings and errors name the file; the counts add up.
 */
#ifndef WIRE_READER_FUZZ_H
#define WIRE_READER_FUZZ_H

static void check_format(const dispatch *d);

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dispatch.h"
#include "reader.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static char fuzz_dir[256];
static char fuzz_path[512];

static void check_string(const char *s)
{
	size_t n, i;

	if (!s)
		return;
	n = strlen(s);
	CHECK(text_is_utf8(s, n));
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		CHECK(c >= 0x20 || c == '\t' || c == '\n');
		CHECK(c != 0x7f);
	}
}

/* What every reader promises of a dispatch. */
static void check_common(const dispatch *d)
{
	size_t i;

	CHECK(d->id && *d->id && strlen(d->id) <= 1100);
	check_string(d->id);
	check_string(d->agency);
	for (i = 0; i < d->n_places; i++) {
		CHECK(d->places[i] && *d->places[i]);
		check_string(d->places[i]);
	}
	check_string(d->dateline);
	check_string(d->located);
	check_string(d->headline);
	check_string(d->byline);
	check_string(d->slugline);
	for (i = 0; i < d->n_paragraphs; i++) {
		CHECK(d->paragraphs[i] && *d->paragraphs[i]);
		check_string(d->paragraphs[i]);
	}
	check_string(d->signoff);
	CHECK(!d->language || strlen(d->language) == 2 ||
	      strlen(d->language) == 3);
	check_string(d->language);
	CHECK(d->urgency >= 0 && d->urgency <= 9);
	CHECK(!d->pubstatus || !strcmp(d->pubstatus, "usable") ||
	      !strcmp(d->pubstatus, "withheld") ||
	      !strcmp(d->pubstatus, "canceled"));
	for (i = 0; i < d->n_tags; i++) {
		CHECK(d->tags[i].value && *d->tags[i].value);
		CHECK(d->tags[i].kind >= TAG_TOPIC && d->tags[i].kind <= TAG_OTHER);
		check_string(d->tags[i].value);
	}
	CHECK(d->source_file && strcmp(d->source_file, fuzz_path) == 0);
	CHECK(d->source_line >= 1);
#ifdef FUZZ_ONE_PER_FILE
	CHECK(d->source_line == 1);
	CHECK(d->date_source >= DATE_NONE && d->date_source <= DATE_MTIME);
	CHECK(d->date_source == DATE_NONE || d->version_created != -1 ||
	      d->first_created != -1);
#else
	CHECK(d->date_source == DATE_NONE || d->date_source == DATE_HEADER ||
	      d->date_source == DATE_DATELINE);
	CHECK(d->date_source == DATE_NONE || d->version_created != -1);
	CHECK((d->version_created == -1) == (d->first_created == -1) ||
	      d->date_source == DATE_DATELINE);
#endif
}

static void warn(void *ctx, const char *file, unsigned long line,
		 const char *message, int skipped)
{
	(void)skipped;
	CHECK(ctx == fuzz_path && strcmp(file, fuzz_path) == 0);
	CHECK(line >= 1);
	CHECK(message && *message);
	check_string(message);
}

static void fuzz_setup(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	snprintf(fuzz_dir, sizeof fuzz_dir, "%s/wire-fuzz-XXXXXX", base);
	CHECK(mkdtemp(fuzz_dir));
	snprintf(fuzz_path, sizeof fuzz_path, "%s/%s", fuzz_dir, FUZZ_NAME);
}

static void fuzz_cleanup(void)
{
	unlink(fuzz_path);
	rmdir(fuzz_dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	reader_options o;
	reader *r;
	dispatch d;
	FILE *f;
	char err[1024];
	int rc;
	unsigned long n = 0;
	const reader_stats *st;

	if (!fuzz_path[0]) {
		fuzz_setup();
		atexit(fuzz_cleanup);
	}
	f = fopen(fuzz_path, "wb");
	CHECK(f);
	CHECK(fwrite(data, 1, size, f) == size);
	CHECK(fclose(f) == 0);

	memset(&o, 0, sizeof o);
#ifdef FUZZ_ONE_PER_FILE
	o.root = fuzz_dir;
#endif
	o.warn = warn;
	o.warn_ctx = fuzz_path;
	r = reader_open(fuzz_path, &o, err, sizeof err);
	CHECK(r);
	dispatch_init(&d);
	while ((rc = reader_next(r, &d)) == 1) {
		check_common(&d);
		check_format(&d);
		dispatch_release(&d);
		n++;
	}
	if (rc < 0)
		CHECK(reader_error(r) &&
		      strncmp(reader_error(r), fuzz_path, strlen(fuzz_path)) == 0);
	else
		CHECK(!reader_error(r));
	/* A failed or finished call leaves the dispatch empty. */
	CHECK(d.id == NULL && d.n_paragraphs == 0 && d.n_tags == 0);
	CHECK(reader_next(r, &d) == rc);
	st = reader_get_stats(r);
	CHECK(st->dispatches == n);
#ifdef FUZZ_ONE_PER_FILE
	CHECK(n <= 1 && st->skipped + st->dispatches <= 1);
	CHECK(rc >= 0 || n == 0);
#endif
	dispatch_release(&d);
	rc = reader_close(r, err, sizeof err);
	CHECK(rc == 0 || strncmp(err, fuzz_path, strlen(fuzz_path)) == 0);
	return 0;
}

#endif
