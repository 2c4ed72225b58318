/*
 * reader_test_util.h - what the reader tests (test_reader_*.c) share: a
 * mkdtemp() scratch directory, the project's fixtures (through $WIRE_TOP),
 * writing plain and gzip files, reading a whole file into a list of
 * dispatches with its warnings, error and counts, and a loop making each
 * allocation fail in turn.
 *
 * Everything is static (inline): include it once, from one test program.
 */
#ifndef READER_TEST_UTIL_H
#define READER_TEST_UTIL_H

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
#include <zlib.h>

#include <cmocka.h>

/* The scratch directory of the test program. */
static char rt_dir[4096];

static inline int rt_rm_entry(const char *path, const struct stat *st,
			      int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Make the scratch directory, "$TMPDIR/wire-TAG-XXXXXX": 0 or -1. */
static inline int rt_make_dir(const char *tag)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(rt_dir, sizeof rt_dir, "%s/wire-%s-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp", tag);
	return mkdtemp(rt_dir) ? 0 : -1;
}

/* Remove it with all it holds (made writable again first by the tests
 * that take permissions away). */
static inline int rt_remove_dir(void)
{
	return nftw(rt_dir, rt_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* FILE under the project ("tests/fixtures/...", "corpus/..."): from
 * $WIRE_TOP, else the current directory or ../.. (a build dir). */
static inline const char *rt_project(const char *file)
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

/* tests/fixtures/FORMAT/NAME. */
static inline const char *rt_fixture(const char *format, const char *name)
{
	char file[512];

	snprintf(file, sizeof file, "tests/fixtures/%s/%s", format, name);
	return rt_project(file);
}

/* NAME in the scratch directory (the last four results stay valid). */
static inline const char *rt_scratch(const char *name)
{
	static char path[4][4200];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%s", rt_dir, name);
	return path[k];
}

static inline void rt_write_bytes(const char *path, const void *data,
				  size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static inline void rt_write_text(const char *path, const char *text)
{
	rt_write_bytes(path, text, strlen(text));
}

/* DATA gzip-compressed into PATH, less its last CUT bytes (a truncated
 * stream when CUT > 0). */
static inline void rt_write_gz(const char *path, const void *data,
			       size_t len, size_t cut)
{
	z_stream zs;
	size_t cap = len + len / 10 + 1024;
	unsigned char *out = malloc(cap);

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
	assert_true(zs.total_out > cut);
	rt_write_bytes(path, out, zs.total_out - cut);
	free(out);
}

/* ---------------------------------------------------------- reading */

/* A file read to its end (or its error). */
struct rt_got {
	dispatch *d;           /* d[0..n) */
	size_t n, cap;
	reader_stats st;
	int last;              /* the last reader_next() */
	char error[1024];      /* reader_error(), "" when none */
	int close_rc;
	char close_err[1024];
	const char *path;
	char warnings[8192];   /* "LINE: MESSAGE[ [skipped]]\n" each */
	unsigned n_warnings;
};

static inline void rt_warn_cb(void *ctx, const char *file,
			      unsigned long line, const char *message,
			      int skipped)
{
	struct rt_got *g = ctx;
	size_t n = strlen(g->warnings);

	assert_string_equal(file, g->path);
	snprintf(g->warnings + n, sizeof g->warnings - n, "%lu: %s%s\n", line,
		 message, skipped ? " [skipped]" : "");
	g->n_warnings++;
}

/* Read PATH whole into G with options BASE (may be NULL; its warn is
 * replaced), checking what every read must: nothing is left in the
 * dispatch of a call that returned no dispatch, a failed reader stays
 * failed, and the count of dispatches is right. */
static inline void rt_read_into(const char *path, const reader_options *base,
				struct rt_got *g)
{
	reader_options o;
	reader *r;
	char err[1024];
	int rc;

	memset(g, 0, sizeof *g);
	g->path = path;
	if (base)
		o = *base;
	else
		memset(&o, 0, sizeof o);
	o.warn = rt_warn_cb;
	o.warn_ctx = g;
	r = reader_open(path, &o, err, sizeof err);
	if (!r)
		fail_msg("cannot open %s: %s", path, err);
	for (;;) {
		if (g->n == g->cap) {
			size_t cap = g->cap ? 2 * g->cap : 16;
			dispatch *p = realloc(g->d, cap * sizeof *p);

			assert_non_null(p);
			g->d = p;
			g->cap = cap;
		}
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
	if (rc < 0) {
		dispatch extra;

		dispatch_init(&extra);
		assert_int_equal(reader_next(r, &extra), -1);
		dispatch_release(&extra);
	} else {
		dispatch extra;

		dispatch_init(&extra);
		assert_int_equal(reader_next(r, &extra), 0);
		dispatch_release(&extra);
	}
	if (reader_error(r))
		snprintf(g->error, sizeof g->error, "%s", reader_error(r));
	g->st = *reader_get_stats(r);
	assert_int_equal(g->st.dispatches, g->n);
	g->close_rc = reader_close(r, g->close_err, sizeof g->close_err);
}

static inline struct rt_got *rt_read_opts(const char *path,
					  const reader_options *base)
{
	struct rt_got *g = malloc(sizeof *g);

	assert_non_null(g);
	rt_read_into(path, base, g);
	return g;
}

static inline struct rt_got *rt_read(const char *path)
{
	return rt_read_opts(path, NULL);
}

static inline void rt_got_release(struct rt_got *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		dispatch_release(&g->d[i]);
	free(g->d);
	g->d = NULL;
	g->n = g->cap = 0;
}

static inline void rt_got_free(struct rt_got *g)
{
	rt_got_release(g);
	free(g);
}

static inline const dispatch *rt_by_id(const struct rt_got *g,
				       const char *id)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->d[i].id && strcmp(g->d[i].id, id) == 0)
			return &g->d[i];
	fail_msg("no dispatch %s", id);
	return NULL;
}

static inline void rt_check_tag(const dispatch *d, size_t i,
				enum tag_kind kind, const char *value)
{
	assert_true(i < d->n_tags);
	assert_int_equal(d->tags[i].kind, kind);
	assert_string_equal(d->tags[i].value, value);
}

/* Places are compared ignoring case: their display form is dispatch.c's. */
static inline void rt_check_place(const dispatch *d, size_t i,
				  const char *place)
{
	assert_true(i < d->n_places);
	if (strcasecmp(d->places[i], place) != 0)
		fail_msg("place %zu: '%s', expected '%s'", i, d->places[i],
			 place);
}

/* "FILE:LINE: TEXT", or "FILE: TEXT" when LINE is 0, for G's file. */
static inline const char *rt_msg(const struct rt_got *g, unsigned long line,
				 const char *text)
{
	static char m[2][4400];
	static int k;

	k = !k;
	if (line)
		snprintf(m[k], sizeof m[k], "%s:%lu: %s", g->path, line, text);
	else
		snprintf(m[k], sizeof m[k], "%s: %s", g->path, text);
	return m[k];
}

/* ----------------------------------------------- allocation failures */

static inline int rt_str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Whether two dispatches read the same in what the tests look at. */
static inline void rt_check_same(const dispatch *a, const dispatch *b)
{
	size_t i;

	assert_string_equal(a->id, b->id);
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->urgency, b->urgency);
	assert_int_equal(a->version_created, b->version_created);
	assert_int_equal(a->first_created, b->first_created);
	assert_int_equal(a->date_source, b->date_source);
	assert_true(rt_str_eq(a->headline, b->headline));
	assert_true(rt_str_eq(a->slugline, b->slugline));
	assert_true(rt_str_eq(a->byline, b->byline));
	assert_true(rt_str_eq(a->agency, b->agency));
	assert_true(rt_str_eq(a->pubstatus, b->pubstatus));
	assert_true(rt_str_eq(a->located, b->located));
	assert_true(rt_str_eq(a->dateline, b->dateline));
	assert_true(rt_str_eq(a->language, b->language));
	assert_true(rt_str_eq(a->signoff, b->signoff));
	assert_true(rt_str_eq(a->source_file, b->source_file));
	assert_int_equal(a->source_line, b->source_line);
	assert_int_equal(a->n_tags, b->n_tags);
	for (i = 0; i < a->n_tags; i++) {
		assert_int_equal(a->tags[i].kind, b->tags[i].kind);
		assert_string_equal(a->tags[i].value, b->tags[i].value);
	}
	assert_int_equal(a->n_places, b->n_places);
	for (i = 0; i < a->n_places; i++)
		assert_string_equal(a->places[i], b->places[i]);
	assert_int_equal(a->n_paragraphs, b->n_paragraphs);
	for (i = 0; i < a->n_paragraphs; i++)
		assert_string_equal(a->paragraphs[i], b->paragraphs[i]);
}

/* Read PATH (options O, may be NULL) with the N-th allocation failing,
 * for N = 1, 2, ... until a run has no failure; with PERSIST, every
 * allocation from the N-th on fails.  Each run must either read the file
 * as a clean run does or stop with "FILE: out of memory" /
 * "FILE:LINE: out of memory" from reader_open() or reader_next(), the
 * dispatches before it read right, nothing left in the dispatch of the
 * failed call.  Returns the number of runs. */
static inline unsigned long rt_alloc_failures(const char *path,
					      const reader_options *o,
					      int persist)
{
	struct rt_got *ref = rt_read_opts(path, o);
	size_t plen = strlen(path);
	unsigned long n;
	int done = 0;

	assert_true(ref->last == 0);
	for (n = 1; !done && n < 100000; n++) {
		reader_options opts;
		reader *r;
		dispatch d;
		char err[1024];
		size_t k = 0;
		unsigned long made;
		int rc;

		if (o)
			opts = *o;
		else
			memset(&opts, 0, sizeof opts);
		opts.warn = NULL;
		wire_alloc_fail_at(n, persist);
		r = reader_open(path, &opts, err, sizeof err);
		if (!r) {
			wire_alloc_fail_at(0, 0);
			if (strncmp(err, path, plen) != 0 ||
			    !strstr(err + plen, "out of memory"))
				fail_msg("run %lu: open: '%s'", n, err);
			continue;
		}
		for (;;) {
			dispatch_init(&d);
			rc = reader_next(r, &d);
			if (rc != 1)
				break;
			assert_true(k < ref->n);
			rt_check_same(&d, &ref->d[k]);
			dispatch_release(&d);
			k++;
		}
		made = wire_alloc_fail_at(0, 0);
		assert_null(d.id);
		assert_int_equal(d.n_paragraphs, 0);
		dispatch_release(&d);
		if (rc == 0) {
			/* No allocation failed unnoticed. */
			if (made >= n)
				fail_msg("run %lu: allocation %lu failed, yet "
					 "the file was read", n, n);
			assert_int_equal(k, ref->n);
			done = 1;
		} else {
			const char *e = reader_error(r);
			const char *m = e ? strstr(e, ": out of memory") : NULL;

			/* "FILE: out of memory" or "FILE:LINE: out of
			 * memory", and nothing after it. */
			if (!e || strncmp(e, path, plen) != 0 || !m ||
			    strcmp(m, ": out of memory") != 0 ||
			    (m != e + plen && e[plen] != ':'))
				fail_msg("run %lu: '%s'", n, e ? e : "(null)");
		}
		/* An input that ran out of memory stays failed to its
		 * close. */
		if (reader_close(r, err, sizeof err) != 0 &&
		    (strncmp(err, path, plen) != 0 ||
		     strcmp(err + plen, ": out of memory") != 0))
			fail_msg("run %lu: close: '%s'", n, err);
	}
	rt_got_free(ref);
	assert_true(done);
	return n;
}

#endif
