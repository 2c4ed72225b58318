/*
 * test_input.c - line input: plain and gzip (detected by content, not by
 * name), damaged streams reported at the end, CRLF, NUL bytes, lines cut
 * into pieces, slurping, allocation failures.
 */
#include "alloc.h"
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

static char dir[4096];

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
	snprintf(dir, sizeof dir, "%s/wire-input-XXXXXX", tmp ? tmp : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *path_of(const char *name)
{
	static char path[4200];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

static void write_file(const char *name, const void *data, size_t len)
{
	FILE *f = fopen(path_of(name), "wb");

	assert_non_null(f);
	if (len)
		assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Gzip LEN bytes of DATA into memory (malloc'd, size in *OUT_LEN). */
static unsigned char *gzip_bytes(const void *data, size_t len, size_t *out_len)
{
	z_stream zs;
	size_t cap = len + len / 100 + 1024;
	unsigned char *out = malloc(cap);

	assert_non_null(out);
	memset(&zs, 0, sizeof zs);
	assert_int_equal(deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8,
				      Z_DEFAULT_STRATEGY),
			 Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*out_len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static size_t write_gz(const char *name, const void *data, size_t len)
{
	size_t zlen;
	unsigned char *z = gzip_bytes(data, len, &zlen);

	write_file(name, z, zlen);
	free(z);
	return zlen;
}

static off_t file_size(const char *name)
{
	struct stat st;

	assert_int_equal(stat(path_of(name), &st), 0);
	return st.st_size;
}

/* Read every line of NAME, joined by '|', into OUT. */
static int read_all(const char *name, char *out, size_t size,
		    const char **err)
{
	input *in = input_open(path_of(name));
	const char *line;
	size_t len, n = 0;
	int rc;

	assert_non_null(in);
	out[0] = '\0';
	while ((rc = input_getline(in, &line, &len)) == 1) {
		assert_true(n + len + 2 < size);
		if (n)
			out[n++] = '|';
		memcpy(out + n, line, len);
		n += len;
		out[n] = '\0';
	}
	if (rc < 0)
		assert_non_null(input_error(in));
	else
		assert_null(input_error(in));
	return input_close(in, err) < 0 ? -1 : rc;
}

static const char sample[] = "first line\nsecond\n\nlast, no newline";

static void test_plain(void **state)
{
	input *in;
	const char *line;
	size_t len;
	char buf[256];
	const char *err = "x";

	(void)state;
	write_file("plain.txt", sample, strlen(sample));
	assert_int_equal(read_all("plain.txt", buf, sizeof buf, &err), 0);
	assert_null(err);
	assert_string_equal(buf, "first line|second||last, no newline");

	in = input_open(path_of("plain.txt"));
	assert_non_null(in);
	assert_int_equal(input_is_gzip(in), 0);
	assert_int_equal(input_getline(in, &line, &len), 1);
	assert_int_equal(len, 10);
	assert_memory_equal(line, "first line", 10);
	assert_int_equal(input_lineno(in), 1);
	assert_int_equal(input_getline(in, &line, &len), 1);
	assert_int_equal(input_getline(in, &line, &len), 1);
	assert_int_equal(len, 0);
	assert_int_equal(input_lineno(in), 3);
	assert_int_equal(input_getline(in, &line, &len), 1);
	assert_int_equal(input_lineno(in), 4);
	assert_int_equal(input_getline(in, &line, &len), 0);
	assert_int_equal(input_getline(in, &line, &len), 0);
	assert_int_equal(input_bytes_read(in), (uint64_t)strlen(sample));
	assert_int_equal(input_long_lines(in), 0);
	assert_int_equal(input_close(in, NULL), 0);
}

static void test_gzip(void **state)
{
	char buf[256];
	const char *err = "x";
	input *in;
	const char *line;
	size_t len;

	(void)state;
	write_gz("sample.txt.gz", sample, strlen(sample));
	assert_int_equal(read_all("sample.txt.gz", buf, sizeof buf, &err), 0);
	assert_null(err);
	assert_string_equal(buf, "first line|second||last, no newline");

	in = input_open(path_of("sample.txt.gz"));
	assert_non_null(in);
	assert_int_equal(input_is_gzip(in), 1);
	while (input_getline(in, &line, &len) == 1)
		;
	assert_int_equal(input_lineno(in), 4);
	assert_int_equal(input_bytes_read(in),
			 (uint64_t)file_size("sample.txt.gz"));
	assert_int_equal(input_close(in, NULL), 0);
}

static void test_gzip_named_txt(void **state)
{
	char buf[256];
	input *in;

	(void)state;
	write_gz("really-gzip.txt", sample, strlen(sample));
	assert_int_equal(read_all("really-gzip.txt", buf, sizeof buf, NULL), 0);
	assert_string_equal(buf, "first line|second||last, no newline");
	in = input_open(path_of("really-gzip.txt"));
	assert_int_equal(input_is_gzip(in), 1);
	assert_int_equal(input_close(in, NULL), 0);
}

static void test_plain_named_gz(void **state)
{
	char buf[256];
	input *in;

	(void)state;
	write_file("not-gzip.txt.gz", sample, strlen(sample));
	assert_int_equal(read_all("not-gzip.txt.gz", buf, sizeof buf, NULL), 0);
	assert_string_equal(buf, "first line|second||last, no newline");
	in = input_open(path_of("not-gzip.txt.gz"));
	assert_int_equal(input_is_gzip(in), 0);
	assert_int_equal(input_close(in, NULL), 0);
	/* A lone 0x1f is not the gzip magic either. */
	write_file("one-byte.gz", "\x1f", 1);
	assert_int_equal(read_all("one-byte.gz", buf, sizeof buf, NULL), 0);
	assert_string_equal(buf, "\x1f");
}

static void test_empty(void **state)
{
	const char *names[] = { "empty.txt", "empty.gz" };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		input *in;
		const char *line = "x", *err = "x";
		size_t len = 1;

		write_file(names[i], "", 0);
		in = input_open(path_of(names[i]));
		assert_non_null(in);
		assert_int_equal(input_getline(in, &line, &len), 0);
		assert_int_equal(len, 0);
		assert_int_equal(input_is_gzip(in), 0);
		assert_int_equal(input_lineno(in), 0);
		assert_null(input_error(in));
		assert_int_equal(input_close(in, &err), 0);
		assert_null(err);
	}
}

/* "line 0\nline 1\n..." */
static char *numbered_lines(unsigned n, size_t *len)
{
	char *s = malloc((size_t)n * 16 + 1);
	size_t k = 0;
	unsigned i;

	assert_non_null(s);
	for (i = 0; i < n; i++)
		k += (size_t)snprintf(s + k, 17, "line %u\n", i);
	*len = k;
	return s;
}

/* Read NAME, checking (when CHECK) the lines are "line 0", "line 1"...;
 * returns how many came before the end or the error. */
static unsigned read_lines(const char *name, int check, int *rc,
			   const char **err)
{
	input *in = input_open(path_of(name));
	const char *line;
	size_t len;
	unsigned i = 0;
	char want[32];

	assert_non_null(in);
	while ((*rc = input_getline(in, &line, &len)) == 1) {
		if (check) {
			snprintf(want, sizeof want, "line %u", i);
			assert_int_equal(len, strlen(want));
			assert_memory_equal(line, want, len);
		}
		i++;
	}
	if (*rc < 0) {
		assert_non_null(input_error(in));
		/* The error stays. */
		assert_int_equal(input_getline(in, &line, &len), -1);
	}
	assert_int_equal(input_close(in, err), *rc < 0 ? -1 : 0);
	return i;
}

static unsigned read_numbered(const char *name, int *rc, const char **err)
{
	return read_lines(name, 1, rc, err);
}

static void test_truncated_gzip(void **state)
{
	size_t len, zlen;
	char *s = numbered_lines(100000, &len);
	unsigned char *z = gzip_bytes(s, len, &zlen);
	const char *err = NULL;
	unsigned got;
	int rc;

	(void)state;
	write_file("truncated.txt.gz", z, zlen / 2);
	got = read_numbered("truncated.txt.gz", &rc, &err);
	assert_int_equal(rc, -1);
	assert_true(got > 1000);
	assert_true(got < 100000);
	assert_non_null(err);
	assert_string_equal(err,
			    "truncated gzip stream (unexpected end of file)");

	/* Cut inside the 8-byte trailer: every line is there, yet damaged. */
	write_file("trailer.txt.gz", z, zlen - 3);
	got = read_numbered("trailer.txt.gz", &rc, &err);
	assert_int_equal(rc, -1);
	assert_int_equal(got, 100000);
	assert_string_equal(err,
			    "truncated gzip stream (unexpected end of file)");

	/* Just the magic. */
	write_file("magic.gz", "\x1f\x8b", 2);
	got = read_numbered("magic.gz", &rc, &err);
	assert_int_equal(rc, -1);
	assert_int_equal(got, 0);
	free(z);
	free(s);
}

static void test_corrupt_gzip(void **state)
{
	size_t len, zlen;
	char *s = numbered_lines(50000, &len);
	unsigned char *z = gzip_bytes(s, len, &zlen);
	const char *err = NULL;
	unsigned got;
	int rc;

	(void)state;
	/* A wrong CRC: found only at the very end. */
	z[zlen - 8] ^= 0x55;
	write_file("badcrc.gz", z, zlen);
	got = read_numbered("badcrc.gz", &rc, &err);
	assert_int_equal(rc, -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "corrupt gzip stream"));
	assert_true(got > 0);
	z[zlen - 8] ^= 0x55;

	/* An unknown compression method in the header. */
	z[2] = 7;
	write_file("badmethod.gz", z, zlen);
	got = read_numbered("badmethod.gz", &rc, &err);
	assert_int_equal(rc, -1);
	assert_int_equal(got, 0);
	assert_non_null(strstr(err, "corrupt gzip stream"));
	z[2] = 8;

	/* Garbage in the middle of the deflate data. */
	memset(z + zlen / 2, 0xa5, 64);
	write_file("garbage.gz", z, zlen);
	(void)read_lines("garbage.gz", 0, &rc, &err);
	assert_int_equal(rc, -1);
	assert_non_null(err);
	assert_true(strstr(err, "corrupt gzip stream") ||
		    strstr(err, "truncated gzip stream"));
	free(z);
	free(s);
}

static void test_gzip_then_junk(void **state)
{
	size_t len, zlen;
	char *s = numbered_lines(1000, &len);
	unsigned char *z = gzip_bytes(s, len, &zlen);
	unsigned char *both = malloc(zlen * 2 + 64);
	const char *err = "x";
	unsigned got;
	int rc;

	(void)state;
	assert_non_null(both);
	/* Two members read as one stream. */
	memcpy(both, z, zlen);
	memcpy(both + zlen, z, zlen);
	write_file("two-members.gz", both, 2 * zlen);
	{
		input *in = input_open(path_of("two-members.gz"));
		const char *line;
		size_t n;
		unsigned lines = 0;

		while (input_getline(in, &line, &n) == 1)
			lines++;
		assert_int_equal(lines, 2000);
		assert_int_equal(input_close(in, NULL), 0);
	}
	/* Bytes after the last member that are no gzip member are ignored,
	 * as by gzip -d (zlib cannot tell them from the end). */
	memcpy(both + zlen, "this is not gzip\n", 17);
	write_file("junk.gz", both, zlen + 17);
	got = read_numbered("junk.gz", &rc, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(got, 1000);
	assert_null(err);
	free(both);
	free(z);
	free(s);
}

static void test_crlf_and_nul(void **state)
{
	static const char crlf[] = "a\r\nb\r\n\r\nx\ry\r\nlast\r";
	static const char nul[] = "ab\0cd\n\0\nend";
	input *in;
	const char *line;
	size_t len;

	(void)state;
	write_file("crlf.txt", crlf, sizeof crlf - 1);
	in = input_open(path_of("crlf.txt"));
	assert_int_equal(input_getline(in, &line, &len), 1);
	assert_int_equal(len, 1);
	assert_memory_equal(line, "a", 1);
	assert_int_equal(input_getline(in, &line, &len), 1);
	assert_int_equal(len, 1);
	assert_int_equal(input_getline(in, &line, &len), 1);
	assert_int_equal(len, 0);
	assert_int_equal(input_getline(in, &line, &len), 1);
	assert_int_equal(len, 3); /* a lone CR is kept */
	assert_memory_equal(line, "x\ry", 3);
	/* "\r" at the very end, with no "\n", is not a line end. */
	assert_int_equal(input_getline(in, &line, &len), 1);
	assert_int_equal(len, 5);
	assert_memory_equal(line, "last\r", 5);
	assert_int_equal(input_getline(in, &line, &len), 0);
	assert_int_equal(input_close(in, NULL), 0);

	write_gz("nul.gz", nul, sizeof nul - 1);
	in = input_open(path_of("nul.gz"));
	assert_int_equal(input_getline(in, &line, &len), 1);
	assert_int_equal(len, 5);
	assert_memory_equal(line, "ab\0cd", 5);
	assert_int_equal(input_getline(in, &line, &len), 1);
	assert_int_equal(len, 1);
	assert_int_equal(line[0], '\0');
	assert_int_equal(input_getline(in, &line, &len), 1);
	assert_int_equal(len, 3);
	assert_int_equal(input_getline(in, &line, &len), 0);
	assert_int_equal(input_close(in, NULL), 0);
}

/* Lines of LEN1 and LEN2 bytes of 'x' ('y'), each ended by END, then
 * "short\n". */
static size_t write_long(const char *name, size_t len1, size_t len2,
			 const char *end, int gz)
{
	size_t e = strlen(end), n = len1 + e + len2 + e + 6;
	char *s = malloc(n);
	size_t k = 0;

	assert_non_null(s);
	memset(s, 'x', len1);
	k = len1;
	memcpy(s + k, end, e);
	k += e;
	memset(s + k, 'y', len2);
	k += len2;
	memcpy(s + k, end, e);
	k += e;
	memcpy(s + k, "short\n", 6);
	if (gz)
		write_gz(name, s, n);
	else
		write_file(name, s, n);
	free(s);
	return n;
}

static void expect_piece(input *in, size_t len, char c, unsigned long lineno)
{
	const char *line;
	size_t n, i;

	assert_int_equal(input_getline(in, &line, &n), 1);
	assert_int_equal(n, len);
	for (i = 0; i < n; i += 4093)
		assert_int_equal(line[i], c);
	if (n)
		assert_int_equal(line[n - 1], c);
	assert_int_equal(input_lineno(in), lineno);
}

static void expect_short(input *in, unsigned long lineno)
{
	const char *line;
	size_t n;

	assert_int_equal(input_getline(in, &line, &n), 1);
	assert_int_equal(n, 5);
	assert_memory_equal(line, "short", 5);
	assert_int_equal(input_lineno(in), lineno);
	assert_int_equal(input_getline(in, &line, &n), 0);
}

static void test_long_lines(void **state)
{
	const size_t max = INPUT_MAX_LINE;
	input *in;
	int gz;

	(void)state;
	for (gz = 0; gz < 2; gz++) {
		const char *name = gz ? "long.gz" : "long.txt";

		/* 2 * max + 100 bytes, then exactly max bytes. */
		write_long(name, 2 * max + 100, max, "\n", gz);
		in = input_open(path_of(name));
		assert_non_null(in);
		expect_piece(in, max, 'x', 1);
		assert_int_equal(input_long_lines(in), 1);
		expect_piece(in, max, 'x', 1);
		expect_piece(in, 100, 'x', 1);
		assert_int_equal(input_long_lines(in), 1);
		expect_piece(in, max, 'y', 2);
		assert_int_equal(input_long_lines(in), 1);
		expect_short(in, 3);
		assert_int_equal(input_close(in, NULL), 0);
	}

	/* max + 1 bytes: a piece of max and one of 1; max + CRLF: whole. */
	write_long("edge.txt", max + 1, max, "\r\n", 0);
	in = input_open(path_of("edge.txt"));
	expect_piece(in, max, 'x', 1);
	expect_piece(in, 1, 'x', 1);
	expect_piece(in, max, 'y', 2);
	assert_int_equal(input_long_lines(in), 1);
	expect_short(in, 3);
	assert_int_equal(input_close(in, NULL), 0);

	/* A long last line without a newline. */
	{
		char *s = malloc(max + 10);

		assert_non_null(s);
		memset(s, 'z', max + 10);
		write_file("tail.txt", s, max + 10);
		free(s);
	}
	in = input_open(path_of("tail.txt"));
	expect_piece(in, max, 'z', 1);
	expect_piece(in, 10, 'z', 1);
	{
		const char *line;
		size_t n;

		assert_int_equal(input_getline(in, &line, &n), 0);
	}
	assert_int_equal(input_long_lines(in), 1);
	assert_int_equal(input_close(in, NULL), 0);
	unlink(path_of("long.txt"));
	unlink(path_of("long.gz"));
	unlink(path_of("edge.txt"));
	unlink(path_of("tail.txt"));
}

static void test_slurp(void **state)
{
	input *in;
	const char *line;
	char *data;
	size_t len, zlen;
	char *s = numbered_lines(1000, &len);
	unsigned char *z;

	(void)state;
	write_gz("slurp.gz", s, len);
	in = input_open(path_of("slurp.gz"));
	assert_int_equal(input_getline(in, &line, &zlen), 1);
	assert_int_equal(input_slurp(in, (size_t)-1, &data, &zlen), 1);
	assert_int_equal(zlen, len - 7);
	assert_memory_equal(data, s + 7, zlen);
	assert_int_equal(data[zlen], '\0');
	free(data);
	assert_int_equal(input_getline(in, &line, &zlen), 0);
	assert_int_equal(input_close(in, NULL), 0);

	/* Longer than MAX: the first MAX bytes and 0. */
	in = input_open(path_of("slurp.gz"));
	assert_int_equal(input_slurp(in, 100, &data, &zlen), 0);
	assert_int_equal(zlen, 100);
	assert_memory_equal(data, s, 100);
	assert_int_equal(data[100], '\0');
	free(data);
	assert_int_equal(input_close(in, NULL), 0);

	/* Exactly MAX: all of it. */
	in = input_open(path_of("slurp.gz"));
	assert_int_equal(input_slurp(in, len, &data, &zlen), 1);
	assert_int_equal(zlen, len);
	free(data);
	assert_int_equal(input_close(in, NULL), 0);

	/* Empty. */
	write_file("slurp-empty", "", 0);
	in = input_open(path_of("slurp-empty"));
	assert_int_equal(input_slurp(in, 10, &data, &zlen), 1);
	assert_int_equal(zlen, 0);
	assert_string_equal(data, "");
	free(data);
	assert_int_equal(input_close(in, NULL), 0);

	/* Truncated: -1, nothing returned, and close says so too. */
	z = gzip_bytes(s, len, &zlen);
	write_file("slurp-trunc.gz", z, zlen - 10);
	in = input_open(path_of("slurp-trunc.gz"));
	assert_int_equal(input_slurp(in, 1u << 20, &data, &len), -1);
	assert_null(data);
	assert_string_equal(input_error(in),
			    "truncated gzip stream (unexpected end of file)");
	{
		const char *err = NULL;

		assert_int_equal(input_close(in, &err), -1);
		assert_string_equal(
			err, "truncated gzip stream (unexpected end of file)");
	}
	free(z);
	free(s);
}

static void test_open_errors(void **state)
{
	(void)state;
	errno = 0;
	assert_null(input_open(path_of("no-such-file")));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(input_open(dir));
	assert_int_equal(errno, EISDIR);
	assert_int_equal(input_close(NULL, NULL), 0);
}

/* Close early: not reading to the end is not an error. */
static void test_close_early(void **state)
{
	size_t len;
	char *s = numbered_lines(100000, &len);
	input *in;
	const char *line;
	const char *err = "x";

	(void)state;
	write_gz("early.gz", s, len);
	in = input_open(path_of("early.gz"));
	assert_int_equal(input_getline(in, &line, &len), 1);
	assert_true(input_bytes_read(in) > 0);
	assert_int_equal(input_close(in, &err), 0);
	assert_null(err);
	free(s);
}

static void test_alloc_failures(void **state)
{
	size_t len;
	char *s = numbered_lines(20000, &len);
	unsigned long n;
	int clean = 0;

	(void)state;
	write_gz("alloc.gz", s, len);
	for (n = 1; n < 100 && !clean; n++) {
		input *in;
		const char *line;
		char *data;
		size_t l;
		unsigned lines = 0;
		int rc;

		wire_alloc_fail_at(n, 0);
		in = input_open(path_of("alloc.gz"));
		if (!in) {
			assert_int_equal(errno, ENOMEM);
			continue;
		}
		while ((rc = input_getline(in, &line, &l)) == 1)
			if (++lines == 10)
				break;
		if (rc == 1) {
			rc = input_slurp(in, (size_t)-1, &data, &l);
			if (rc == 1)
				free(data);
		}
		if (rc < 0)
			assert_string_equal(input_error(in), "out of memory");
		assert_int_equal(input_close(in, NULL), rc < 0 ? -1 : 0);
		clean = rc >= 0;
		/* Persistent failures too. */
		wire_alloc_fail_at(n, 1);
		in = input_open(path_of("alloc.gz"));
		if (in) {
			while (input_getline(in, &line, &l) == 1)
				;
			input_close(in, NULL);
		}
	}
	wire_alloc_fail_at(0, 0);
	assert_true(clean);
	free(s);
}

static void test_open_null(void **state)
{
	(void)state;
	errno = 0;
	assert_null(input_open(NULL));
	assert_int_equal(errno, EINVAL);
}

/* Standard input ("-"): a pipe, whose size zlib cannot seek to, so the
 * bytes read are counted as they come. */
static void test_stdin_pipe(void **state)
{
	static const char data[] = "from the pipe\nsecond\n";
	int saved = dup(STDIN_FILENO), p[2];
	input *in;
	const char *line;
	size_t len;

	(void)state;
	assert_true(saved >= 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], data, sizeof data - 1),
			 (ssize_t)(sizeof data - 1));
	close(p[1]);
	assert_int_equal(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
	close(p[0]);
	in = input_open("-");
	assert_non_null(in);
	assert_int_equal(input_is_gzip(in), 0);
	assert_int_equal(input_getline(in, &line, &len), 1);
	assert_int_equal(len, 13);
	assert_memory_equal(line, "from the pipe", 13);
	assert_int_equal(input_getline(in, &line, &len), 1);
	assert_int_equal(input_getline(in, &line, &len), 0);
	assert_int_equal(input_bytes_read(in), (uint64_t)(sizeof data - 1));
	assert_int_equal(input_close(in, NULL), 0);
	/* Standard input itself stays open. */
	assert_int_equal(fcntl(STDIN_FILENO, F_GETFD), 0);

	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
}

/* A standard input that cannot be read (open for writing only): zlib's
 * Z_ERRNO, reported with the system's message. */
static void test_stdin_unreadable(void **state)
{
	int saved = dup(STDIN_FILENO), fd;
	input *in;
	const char *line, *err = NULL;
	size_t len;
	char want[256];

	(void)state;
	assert_true(saved >= 0);
	fd = open(path_of("write-only"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	in = input_open("-");
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	assert_non_null(in);
	assert_int_equal(input_getline(in, &line, &len), -1);
	snprintf(want, sizeof want, "read error: %s", strerror(EBADF));
	assert_string_equal(input_error(in), want);
	/* A failed input gives nothing more, slurped or not. */
	{
		char *data = (char *)"x";

		assert_int_equal(input_slurp(in, 100, &data, &len), -1);
		assert_null(data);
	}
	assert_int_equal(input_close(in, &err), -1);
	assert_string_equal(err, want);
}

/* The exact boundaries of a long line: max + 1 bytes then "\n", max + 1
 * bytes at the end of the file, 2 * max + 1 bytes at the end. */
static void test_long_line_edges(void **state)
{
	const size_t max = INPUT_MAX_LINE;
	char *s = malloc(2 * max + 8);
	input *in;
	const char *line;
	size_t n;

	(void)state;
	assert_non_null(s);
	memset(s, 'a', max + 1);
	memcpy(s + max + 1, "\nshort\n", 7);
	write_file("edge-nl.txt", s, max + 8);
	in = input_open(path_of("edge-nl.txt"));
	expect_piece(in, max, 'a', 1);
	expect_piece(in, 1, 'a', 1);
	assert_int_equal(input_long_lines(in), 1);
	expect_short(in, 2);
	assert_int_equal(input_close(in, NULL), 0);

	memset(s, 'b', max + 1);
	write_file("edge-eof.txt", s, max + 1);
	in = input_open(path_of("edge-eof.txt"));
	expect_piece(in, max, 'b', 1);
	expect_piece(in, 1, 'b', 1);
	assert_int_equal(input_getline(in, &line, &n), 0);
	assert_int_equal(input_long_lines(in), 1);
	assert_int_equal(input_close(in, NULL), 0);

	memset(s, 'c', 2 * max + 1);
	write_file("edge-eof2.txt", s, 2 * max + 1);
	in = input_open(path_of("edge-eof2.txt"));
	expect_piece(in, max, 'c', 1);
	expect_piece(in, max, 'c', 1);
	expect_piece(in, 1, 'c', 1);
	assert_int_equal(input_getline(in, &line, &n), 0);
	assert_int_equal(input_long_lines(in), 1);
	assert_int_equal(input_close(in, NULL), 0);
	free(s);
	unlink(path_of("edge-nl.txt"));
	unlink(path_of("edge-eof.txt"));
	unlink(path_of("edge-eof2.txt"));
}

/* A stream found truncated while a read still gave bytes: closing before
 * reading on reports it. */
static void test_close_truncated(void **state)
{
	size_t len, zlen;
	char *s = numbered_lines(100, &len);
	unsigned char *z = gzip_bytes(s, len, &zlen);
	input *in;
	const char *line, *err = NULL;
	size_t n;

	(void)state;
	write_file("short-trunc.gz", z, zlen - 12);
	in = input_open(path_of("short-trunc.gz"));
	assert_non_null(in);
	assert_int_equal(input_getline(in, &line, &n), 1);
	assert_int_equal(n, 6);
	assert_memory_equal(line, "line 0", 6);
	assert_null(input_error(in));
	assert_int_equal(input_close(in, &err), -1);
	assert_string_equal(err,
			    "truncated gzip stream (unexpected end of file)");
	free(z);
	free(s);
}

/* Slurping less than the line reader already holds. */
static void test_slurp_buffered(void **state)
{
	size_t len;
	char *s = numbered_lines(1000, &len);
	input *in;
	const char *line;
	char *data;
	size_t n;

	(void)state;
	write_file("buffered.txt", s, len);
	in = input_open(path_of("buffered.txt"));
	assert_int_equal(input_getline(in, &line, &n), 1);
	assert_int_equal(input_slurp(in, 10, &data, &n), 0);
	assert_int_equal(n, 10);
	assert_string_equal(data, "line 1\nlin");
	free(data);
	assert_int_equal(input_close(in, NULL), 0);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_gzip_named_txt),
		cmocka_unit_test(test_plain_named_gz),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_truncated_gzip),
		cmocka_unit_test(test_corrupt_gzip),
		cmocka_unit_test(test_gzip_then_junk),
		cmocka_unit_test(test_crlf_and_nul),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_slurp),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_close_early),
		cmocka_unit_test(test_alloc_failures),
		cmocka_unit_test(test_open_null),
		cmocka_unit_test(test_stdin_pipe),
		cmocka_unit_test(test_stdin_unreadable),
		cmocka_unit_test(test_long_line_edges),
		cmocka_unit_test(test_slurp_buffered),
		cmocka_unit_test(test_close_truncated),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
