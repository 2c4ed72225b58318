/*
 * readers/readers.h - private to reader.c and the format readers
 * (readers/NAME.c): the state of an open reader and what each input format
 * provides.
 *
 * A format is one file, readers/NAME.c, defining
 *     const struct reader_ops reader_ops_NAME = { "NAME", open, next, close };
 * declared below and listed in reader_table[] in reader.c.  reader.c opens
 * the input (gzip or not) before ops->open() and closes it after
 * ops->close(); it counts the dispatches returned and turns an input error
 * at the end into the reader's error.
 */
#ifndef WIRE_READERS_H
#define WIRE_READERS_H

#include "dispatch.h"
#include "input.h"
#include "reader.h"
#include "strbuf.h"

#include <stddef.h>
#include <stdint.h>

struct reader {
	const struct reader_ops *ops;
	enum reader_format format;
	char *path;            /* as given to reader_open() */
	reader_options opts;   /* a copy; opts.root is borrowed */
	input *in;
	reader_stats stats;
	void *priv;            /* the format's own state (ops->close frees) */
	int state;             /* free for the format's use; 0 at open */
	int failed;            /* an error ended the file */
	int done;              /* ops->next() returned 0 */
	char error[1024];      /* "FILE: reason" or "FILE:LINE: reason" */
};

struct reader_ops {
	const char *name;
	/* Set up R->priv after the input is open.  0, or -1 after
	 * reader_failf() (the message becomes reader_open()'s). May be NULL. */
	int (*open)(reader *r);
	/* As reader_next(): 1 with a dispatch in D, 0 at the end, -1 after
	 * reader_failf().  Skipped records are warned about with
	 * reader_warnf(..., 1, ...) and counted in r->stats.skipped here;
	 * the dispatches returned are counted by reader.c. */
	int (*next)(reader *r, dispatch *d);
	/* Free R->priv.  May be NULL. */
	void (*close)(reader *r);
};

extern const struct reader_ops reader_ops_plaintext;
extern const struct reader_ops reader_ops_reuters;
extern const struct reader_ops reader_ops_jsonl;
extern const struct reader_ops reader_ops_newsml;

/* Report a problem at LINE of the file through r->opts.warn (when set);
 * SKIPPED says whether a record was dropped because of it. */
void reader_warnf(reader *r, unsigned long line, int skipped, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));
/* Record the error that ends the file: "FILE:LINE: reason", or "FILE:
 * reason" when LINE is 0.  Returns -1. */
int reader_failf(reader *r, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Record the input's error (input_error()) as the error that ends the
 * file: "FILE: reason".  Returns -1. */
int reader_fail_input(reader *r);

/* Quote at most MAX bytes of S (LEN bytes, clean UTF-8) for a message,
 * cut at a character boundary, with "..." when cut, into OUT (NUL-terminated,
 * OUT_SIZE > MAX + 3). */
void reader_quote(char *out, size_t out_size, const char *s, size_t len,
		  size_t max);

/* Control characters text_clean() will remove: C0 but tab and newline
 * (and the CR of CR LF), DEL, and C1 (U+0080-U+009F) -- for the
 * controls_removed count of what a record's text loses. */
unsigned long reader_count_controls(const char *s, size_t len);

/* Quote at most MAX bytes of raw input S (N bytes, any bytes) for a
 * message: cleaned to UTF-8 on one line, trailing blanks dropped, cut
 * with "..." like reader_quote(). */
void reader_quote_raw(char *out, size_t size, const char *s, size_t n,
		      size_t max);

/* "en", "EN", "en-GB", "es_ES" -> "en" / "es" in OUT (NUL-terminated);
 * -1 when the LEN bytes at V are not a language code (2 or 3 letters,
 * then nothing or a '-' or '_' subtag). */
int reader_language_code(const char *v, size_t len, char out[4]);

/* The numeric character reference at S (N bytes, '&' first: "&#233;",
 * "&#xE9;", at most 7 digits): its length with the ';', and *CP; 0 when S
 * holds none. */
size_t reader_numeric_ref(const char *s, size_t n, uint32_t *cp);

/* Append code point CP, decoded from an entity or escape, to OUT as UTF-8:
 * a control character (C0, DEL, C1) is dropped and counted in
 * r->stats.controls_removed, a surrogate or a value past U+10FFFF becomes
 * U+FFFD and is counted in r->stats.utf8_repaired.  The caller deals with
 * the white-space controls first.  Returns 0, or -1 when out of memory. */
int reader_put_code_point(reader *r, strbuf *out, uint32_t cp);

#endif
