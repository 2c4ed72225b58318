/*
 * reader.c - picks the format reader (readers/NAME.c) for a file, opens the
 * input for it, and keeps the counts and the error.
 */
#include "reader.h"

#include "alloc.h"
#include "input.h"
#include "readers/readers.h"
#include "text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The reader of each format. */
static const struct reader_ops *const reader_table[] = {
	[FORMAT_AUTO] = NULL,
	[FORMAT_TEXT] = &reader_ops_plaintext,
	[FORMAT_REUTERS] = &reader_ops_reuters,
	[FORMAT_JSONL] = &reader_ops_jsonl,
	[FORMAT_NEWSML] = &reader_ops_newsml,
};

static const char *const reader_names[] = {
	[FORMAT_AUTO] = "auto",
	[FORMAT_TEXT] = "text",
	[FORMAT_REUTERS] = "reuters",
	[FORMAT_JSONL] = "jsonl",
	[FORMAT_NEWSML] = "newsml",
};

#define READER_N_FORMATS (sizeof reader_names / sizeof reader_names[0])

static const struct {
	const char *ext;
	enum reader_format format;
} reader_extensions[] = {
	{ "txt", FORMAT_TEXT },
	{ "sgm", FORMAT_REUTERS },
	{ "jsonl", FORMAT_JSONL },
	{ "ndjson", FORMAT_JSONL },
	{ "xml", FORMAT_NEWSML },
};

/* Whether the LEN bytes at S end with SUFFIX, ignoring ASCII case. */
static int reader_ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && strncasecmp(s + len - n, suffix, n) == 0;
}

enum reader_format reader_format_of(const char *path)
{
	const char *base, *dot;
	size_t len, i;

	if (!path)
		return FORMAT_AUTO;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	len = strlen(base);
	if (reader_ends_with(base, len, ".gz"))
		len -= 3;
	dot = NULL;
	for (i = len; i > 0; i--)
		if (base[i - 1] == '.') {
			dot = base + i;
			break;
		}
	if (!dot)
		return FORMAT_AUTO;
	for (i = 0; i < sizeof reader_extensions / sizeof reader_extensions[0];
	     i++) {
		const char *ext = reader_extensions[i].ext;

		if ((size_t)(base + len - dot) == strlen(ext) &&
		    strncasecmp(dot, ext, strlen(ext)) == 0)
			return reader_extensions[i].format;
	}
	return FORMAT_AUTO;
}

int reader_format_parse(const char *name)
{
	size_t i;

	if (!name)
		return -1;
	for (i = 0; i < READER_N_FORMATS; i++)
		if (strcasecmp(name, reader_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *reader_format_name(enum reader_format f)
{
	if ((unsigned)f >= READER_N_FORMATS)
		return "unknown";
	return reader_names[f];
}

static void reader_vfail(reader *r, unsigned long line, const char *fmt,
			 va_list ap) __attribute__((format(printf, 3, 0)));

static void reader_vfail(reader *r, unsigned long line, const char *fmt,
			 va_list ap)
{
	int n;

	if (line)
		n = snprintf(r->error, sizeof r->error, "%s:%lu: ", r->path,
			     line);
	else
		n = snprintf(r->error, sizeof r->error, "%s: ", r->path);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof r->error)
		vsnprintf(r->error + n, sizeof r->error - (size_t)n, fmt, ap);
	r->failed = 1;
}

int reader_failf(reader *r, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reader_vfail(r, line, fmt, ap);
	va_end(ap);
	return -1;
}

int reader_fail_input(reader *r)
{
	const char *msg = input_error(r->in);

	return reader_failf(r, 0, "%s", msg ? msg : "read error");
}

void reader_warnf(reader *r, unsigned long line, int skipped, const char *fmt,
		  ...)
{
	char msg[512];
	va_list ap;

	if (!r->opts.warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	r->opts.warn(r->opts.warn_ctx, r->path, line, msg, skipped);
}

void reader_quote(char *out, size_t out_size, const char *s, size_t len,
		  size_t max)
{
	size_t n = len, back = 0;
	int cut = 0;

	if (out_size == 0)
		return;
	if (max + 4 > out_size)
		max = out_size > 4 ? out_size - 4 : 0;
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80 &&
		       back < 3) {
			n--;
			back++;
		}
		cut = 1;
	}
	memcpy(out, s, n);
	if (cut) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

/* Copy "PATH: " + MESSAGE into ERR (may be NULL or empty). */
static void reader_set_err(char *err, size_t errlen, const char *path,
			   const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", path ? path : "(null)", msg);
}

reader *reader_open(const char *path, const reader_options *opts, char *err,
		    size_t errlen)
{
	enum reader_format f = opts ? opts->format : FORMAT_AUTO;
	const struct reader_ops *ops;
	reader *r;

	if (err && errlen)
		err[0] = '\0';
	if (!path || !*path) {
		reader_set_err(err, errlen, "", "no file name");
		return NULL;
	}
	if (f == FORMAT_AUTO)
		f = reader_format_of(path);
	if (f == FORMAT_AUTO || (unsigned)f >= READER_N_FORMATS) {
		reader_set_err(err, errlen, path,
			       "unknown format (expected .txt, .sgm, .jsonl, "
			       ".ndjson or .xml, optionally .gz)");
		return NULL;
	}
	ops = reader_table[f];
	r = wire_calloc(1, sizeof *r);
	if (!r || !(r->path = wire_strdup(path))) {
		free(r);
		reader_set_err(err, errlen, path, "out of memory");
		return NULL;
	}
	r->ops = ops;
	r->format = f;
	if (opts)
		r->opts = *opts;
	r->opts.format = f;
	r->in = input_open(path);
	if (!r->in) {
		reader_set_err(err, errlen, path,
			       errno == ENOMEM ? "out of memory"
					       : strerror(errno));
		free(r->path);
		free(r);
		return NULL;
	}
	if (ops->open && ops->open(r)) {
		if (err && errlen)
			snprintf(err, errlen, "%s", r->error);
		if (ops->close)
			ops->close(r);
		input_close(r->in, NULL);
		free(r->path);
		free(r);
		return NULL;
	}
	return r;
}

int reader_next(reader *r, dispatch *d)
{
	int rc;

	if (r->failed)
		return -1;
	if (r->done)
		return 0;
	rc = r->ops->next(r, d);
	if (rc > 0) {
		r->stats.dispatches++;
		return 1;
	}
	if (rc < 0) {
		if (!r->failed)
			reader_failf(r, 0, "read error");
		return -1;
	}
	r->done = 1;
	/* A format that stopped early must not hide a damaged input. */
	if (input_error(r->in))
		return reader_fail_input(r);
	return 0;
}

const char *reader_error(const reader *r)
{
	return r->failed ? r->error : NULL;
}

uint64_t reader_bytes_read(const reader *r)
{
	return input_bytes_read(r->in);
}

const reader_stats *reader_get_stats(const reader *r)
{
	return &r->stats;
}

int reader_close(reader *r, char *err, size_t errlen)
{
	const char *msg = NULL;
	int ret = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!r)
		return 0;
	if (r->ops->close)
		r->ops->close(r);
	/* Damage found at the end is reported here even when reader_next()
	 * already returned it, so a caller can judge the file from this. */
	if (input_close(r->in, &msg) < 0) {
		reader_set_err(err, errlen, r->path,
			       msg ? msg : "read error");
		ret = -1;
	}
	free(r->path);
	free(r);
	return ret;
}

unsigned long reader_count_controls(const char *s, size_t len)
{
	unsigned long n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\t' || c == '\n')
			continue;
		if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
			continue;
		if (c < 0x20 || c == 0x7f)
			n++;
		else if (c == 0xc2 && i + 1 < len &&
			 (unsigned char)s[i + 1] >= 0x80 &&
			 (unsigned char)s[i + 1] <= 0x9f)
			n++;
	}
	return n;
}

void reader_quote_raw(char *out, size_t size, const char *s, size_t n,
		      size_t max)
{
	char *t = text_clean(s, n, &n, NULL);

	if (!t) {
		snprintf(out, size, "?");
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (t[i] == '\n' || t[i] == '\t')
			t[i] = ' ';
	while (n && t[n - 1] == ' ')
		n--;
	reader_quote(out, size, t, n, max);
	free(t);
}

int reader_language_code(const char *v, size_t len, char out[4])
{
	size_t i = 0;

	while (i < len && i < 4 &&
	       ((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z'))) {
		out[i] = (char)(v[i] | 0x20);
		i++;
	}
	if (i < 2 || i > 3 || (i < len && v[i] != '-' && v[i] != '_'))
		return -1;
	out[i] = '\0';
	return 0;
}

int reader_put_code_point(reader *r, strbuf *out, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
		r->stats.controls_removed++;
		return 0;
	}
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
		r->stats.utf8_repaired++;
		return strbuf_add(out, "\xef\xbf\xbd", 3);
	}
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return strbuf_add(out, u, n);
}

size_t reader_numeric_ref(const char *s, size_t n, uint32_t *cp)
{
	size_t i, digits = 0;
	uint32_t v = 0;
	int hex;

	if (n < 4 || s[0] != '&' || s[1] != '#')
		return 0;
	hex = s[2] == 'x' || s[2] == 'X';
	for (i = hex ? 3 : 2; i < n && digits < 8; i++, digits++) {
		int c = (unsigned char)s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (hex && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (hex && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		v = v * (hex ? 16u : 10u) + (uint32_t)d;
	}
	if (!digits || digits >= 8 || i >= n || s[i] != ';')
		return 0;
	*cp = v;
	return i + 1;
}
