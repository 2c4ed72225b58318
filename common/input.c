/*
 * input.c - line input over zlib's gz* functions.
 *
 * zlib decides by itself whether a file is gzip: gz_look() checks for the
 * magic bytes 1f 8b and otherwise copies the bytes through unchanged
 * (gzdirect() says which), so a plain file named .gz and a gzip file named
 * .txt both read right, and an empty file is an empty plain file.
 *
 * zlib reports damage late:
 *  - a truncated stream shows as gzread() returning 0 (like the end of the
 *    file) with gzerror() == Z_BUF_ERROR ("unexpected end of file");
 *  - a corrupt one as gzread() returning -1 with Z_DATA_ERROR, often only
 *    at the end, when the CRC check fails;
 *  - gzclose() forgets Z_DATA_ERROR (it returns Z_OK), so the error is
 *    kept here and input_close() reports it.
 * Bytes after the last gzip member that do not start another member are
 * ignored, as gzip -d does (zlib gives no way to tell them apart).
 *
 * Memory: one buffer, grown on demand up to INPUT_MAX_LINE + 2 (to see a
 * "\r\n" after a line of exactly INPUT_MAX_LINE bytes) + INPUT_CHUNK, plus
 * zlib's own buffers (128 KiB in, 256 KiB out).  A longer line is handed out
 * in pieces of INPUT_MAX_LINE bytes, never held whole.
 */
#include "input.h"

#include "alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* zlib's input buffer (gzbuffer) and the least free room we read into. */
#define INPUT_GZBUFFER (128u << 10)
#define INPUT_CHUNK (128u << 10)
#define INPUT_BUF_MAX ((size_t)INPUT_MAX_LINE + 2 + INPUT_CHUNK)

_Static_assert(INPUT_BUF_MAX <= INT_MAX, "gzread() takes an int's worth");
_Static_assert(INPUT_BUF_MAX >= 2 * (size_t)INPUT_CHUNK,
	       "input_make_room() doubles from 2 * INPUT_CHUNK");

struct input {
	gzFile gz;
	char *buf;
	size_t cap;
	size_t pos;            /* first byte not yet returned */
	size_t end;            /* end of the bytes read into buf */
	size_t scanned;        /* bytes after pos known to hold no '\n' */
	int eof;               /* gzread() said there is no more */
	int failed;            /* an error ended the input */
	int is_gzip;
	int in_long_line;      /* the last piece returned did not end a line */
	unsigned long lineno;
	unsigned long long_lines;
	uint64_t plain_bytes;  /* bytes gzread() gave (for unseekable input) */
	char err[256];
};

/* The message of input_close(): the input is freed by then, so it is
 * copied here (valid until the next input_close() of this thread). */
static _Thread_local char close_message[256];

static void input_fail(input *in, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void input_fail(input *in, const char *fmt, ...)
{
	va_list ap;

	if (in->failed)
		return;
	in->failed = 1;
	va_start(ap, fmt);
	vsnprintf(in->err, sizeof in->err, fmt, ap);
	va_end(ap);
}

/* Turn zlib's error state after a read into our message.  zlib's own
 * message starts with "<fd:N>: " (we open by descriptor): drop that. */
static void input_fail_zlib(input *in, int gzret)
{
	int errnum = Z_OK;
	const char *msg = gzerror(in->gz, &errnum);
	const char *colon;

	if (msg && msg[0] == '<' && (colon = strstr(msg, ">: ")))
		msg = colon + 3;
	if (!msg || !*msg)
		msg = "unknown error";
	switch (errnum) {
	case Z_BUF_ERROR:
		input_fail(in, "truncated gzip stream (%s)", msg);
		break;
	case Z_DATA_ERROR:
		input_fail(in, "corrupt gzip stream (%s)", msg);
		break;
	case Z_MEM_ERROR:
		input_fail(in, "%s", "out of memory");
		break;
	case Z_ERRNO:
		input_fail(in, "read error: %s", strerror(errno));
		break;
	default:
		if (gzret < 0)
			input_fail(in, "read error: %s", msg);
		break;
	}
}

input *input_open(const char *path)
{
	input *in;
	struct stat st;
	int fd;

	if (!path) {
		errno = EINVAL;
		return NULL;
	}
	if (strcmp(path, "-") == 0)
		fd = dup(STDIN_FILENO); /* gzclose() closes it, not stdin */
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return NULL;
	}
	in = wire_calloc(1, sizeof *in);
	if (!in) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	in->gz = gzdopen(fd, "rb");
	if (!in->gz) {
		close(fd);
		free(in);
		errno = ENOMEM;
		return NULL;
	}
	if (gzbuffer(in->gz, INPUT_GZBUFFER) != 0) {
		gzclose(in->gz);
		free(in);
		errno = ENOMEM;
		return NULL;
	}
	/* Reads the first block: the magic bytes decide.  A read error here
	 * is left in zlib's state and reported by the first read. */
	in->is_gzip = !gzdirect(in->gz);
	return in;
}

/* Make room for at least INPUT_CHUNK more bytes after end, moving the
 * unreturned bytes to the front first.  Never beyond INPUT_BUF_MAX. */
static int input_make_room(input *in)
{
	size_t need, ncap;
	char *p;

	if (in->pos > 0) {
		if (in->end > in->pos)
			memmove(in->buf, in->buf + in->pos, in->end - in->pos);
		in->end -= in->pos;
		in->pos = 0;
	}
	need = in->end + INPUT_CHUNK;
	if (need <= in->cap)
		return 0;
	/* Doubling is always enough: end <= cap, and cap is 0 (end 0) or
	 * at least 2 * INPUT_CHUNK, so 2 * cap >= end + INPUT_CHUNK. */
	ncap = in->cap ? in->cap * 2 : 2 * (size_t)INPUT_CHUNK;
	if (ncap > INPUT_BUF_MAX)
		ncap = INPUT_BUF_MAX;
	p = wire_realloc(in->buf, ncap);
	if (!p)
		return -1;
	in->buf = p;
	in->cap = ncap;
	return 0;
}

/* Read more bytes into the buffer.  1 when some came, 0 at the end, -1 on
 * error (recorded). */
static int input_fill(input *in)
{
	size_t room;
	int n;

	if (in->failed)
		return -1;
	if (in->eof)
		return 0;
	if (input_make_room(in)) {
		input_fail(in, "%s", "out of memory");
		return -1;
	}
	room = in->cap - in->end; /* at most INPUT_BUF_MAX: fits an int */
	n = gzread(in->gz, in->buf + in->end, (unsigned)room);
	if (n > 0) {
		in->end += (size_t)n;
		in->plain_bytes += (uint64_t)n;
		return 1;
	}
	in->eof = 1;
	input_fail_zlib(in, n);
	return in->failed ? -1 : 0;
}

/* Hand out LEN bytes at pos as a line (or a piece of one), skipping SKIP
 * bytes of line end after them. */
static void input_take(input *in, size_t len, size_t skip, int whole,
		       const char **line, size_t *out_len)
{
	if (!in->in_long_line)
		in->lineno++;
	in->in_long_line = !whole;
	*line = in->buf + in->pos;
	*out_len = len;
	in->pos += len + skip;
	in->scanned = 0;
}

int input_getline(input *in, const char **line, size_t *len)
{
	*line = NULL;
	*len = 0;
	for (;;) {
		size_t avail = in->end - in->pos;
		size_t look = avail < INPUT_MAX_LINE + 2 ? avail
							 : INPUT_MAX_LINE + 2;
		const char *start = in->buf ? in->buf + in->pos : NULL;
		const char *nl = NULL;
		int r;

		if (look > in->scanned)
			nl = memchr(start + in->scanned, '\n',
				    look - in->scanned);
		if (nl) {
			size_t n = (size_t)(nl - start);
			size_t content = n;

			if (n > 0 && start[n - 1] == '\r')
				content--;
			if (content <= INPUT_MAX_LINE) {
				input_take(in, content, n + 1 - content, 1, line,
					   len);
				return 1;
			}
			/* n == INPUT_MAX_LINE + 1 without CR: cut below. */
		}
		if (nl || avail >= INPUT_MAX_LINE + 2) {
			if (!in->in_long_line)
				in->long_lines++;
			input_take(in, INPUT_MAX_LINE, 0, 0, line, len);
			return 1;
		}
		in->scanned = look;
		r = input_fill(in);
		if (r > 0)
			continue;
		if (r < 0)
			return -1; /* an unterminated tail is dropped: damaged */
		if (avail == 0) {
			in->in_long_line = 0;
			return 0;
		}
		if (avail > INPUT_MAX_LINE) {
			if (!in->in_long_line)
				in->long_lines++;
			input_take(in, INPUT_MAX_LINE, 0, 0, line, len);
			return 1;
		}
		/* Last line, without a final newline. */
		input_take(in, avail, 0, 1, line, len);
		return 1;
	}
}

int input_slurp(input *in, size_t max, char **data, size_t *len)
{
	/* Read up to one byte more than MAX, to know whether there is more. */
	size_t limit = max < SIZE_MAX - 1 ? max + 1 : SIZE_MAX - 1;
	size_t have = in->end - in->pos;
	size_t cap, n;
	char *out;

	*data = NULL;
	*len = 0;
	if (in->failed)
		return -1;
	/* What the line reader has buffered comes first. */
	if (have > limit)
		have = limit;
	cap = have < 4096 ? 4096 : have;
	if (cap > limit)
		cap = limit;
	out = wire_malloc(cap + 1);
	if (!out) {
		input_fail(in, "%s", "out of memory");
		return -1;
	}
	if (have)
		memcpy(out, in->buf + in->pos, have);
	n = have;
	in->pos += have;
	in->scanned = 0;
	while (n < limit && !in->eof) {
		size_t room;
		int r;

		if (n == cap) {
			size_t ncap = cap <= limit / 2 ? cap * 2 : limit;
			char *p = wire_realloc(out, ncap + 1);

			if (!p) {
				free(out);
				input_fail(in, "%s", "out of memory");
				return -1;
			}
			out = p;
			cap = ncap;
		}
		room = cap - n;
		if (room > INT_MAX)
			room = INT_MAX;
		r = gzread(in->gz, out + n, (unsigned)room);
		if (r > 0) {
			n += (size_t)r;
			in->plain_bytes += (uint64_t)r;
			continue;
		}
		in->eof = 1;
		input_fail_zlib(in, r);
		if (in->failed) {
			free(out);
			return -1;
		}
	}
	if (n > max) {
		out[max] = '\0';
		*data = out;
		*len = max;
		return 0;
	}
	out[n] = '\0';
	*data = out;
	*len = n;
	return 1;
}

unsigned long input_lineno(const input *in)
{
	return in->lineno;
}

int input_is_gzip(const input *in)
{
	return in->is_gzip;
}

uint64_t input_bytes_read(const input *in)
{
	z_off_t off = gzoffset(in->gz);

	/* gzoffset() needs lseek(): on a pipe, count what came out. */
	if (off < 0)
		return in->plain_bytes;
	return (uint64_t)off;
}

unsigned long input_long_lines(const input *in)
{
	return in->long_lines;
}

const char *input_error(const input *in)
{
	return in->failed ? in->err : NULL;
}

int input_close(input *in, const char **err)
{
	int ret = 0, zret;

	if (err)
		*err = NULL;
	if (!in)
		return 0;
	zret = gzclose_r(in->gz);
	if (!in->failed && zret == Z_BUF_ERROR)
		input_fail(in, "%s",
			   "truncated gzip stream (unexpected end of file)");
	if (in->failed) {
		snprintf(close_message, sizeof close_message, "%s", in->err);
		if (err)
			*err = close_message;
		ret = -1;
	}
	free(in->buf);
	free(in);
	return ret;
}
