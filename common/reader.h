/*
 * reader.h - streaming readers: one per input format, each yielding one
 * dispatch at a time from a file (gzip or not, see input.h), and reporting
 * the file and line of anything it cannot read.
 */
#ifndef WIRE_READER_H
#define WIRE_READER_H

#include "dispatch.h"

#include <stddef.h>
#include <stdint.h>

enum reader_format {
	FORMAT_AUTO = 0,   /* by extension (ignoring .gz) */
	FORMAT_TEXT,       /* .txt: one dispatch per file */
	FORMAT_REUTERS,    /* .sgm: Reuters-21578 SGML */
	FORMAT_JSONL,      /* .jsonl, .ndjson: ninjs fields, one per line */
	FORMAT_NEWSML      /* .xml: NewsML-G2 newsItem / newsMessage */
};

/* Counters a reader adds to as it reads. */
typedef struct reader_stats {
	unsigned long dispatches;     /* dispatches returned */
	unsigned long skipped;        /* records skipped (each reported) */
	unsigned long utf8_repaired;  /* invalid UTF-8 sequences replaced */
	unsigned long dates_repaired; /* dates with junk removed */
	unsigned long controls_removed; /* control characters stripped */
} reader_stats;

/* Called for each problem: FILE:LINE: MESSAGE.  SKIPPED says whether a
 * record was skipped because of it (else it was repaired). */
typedef void (*reader_warn_fn)(void *ctx, const char *file,
			       unsigned long line, const char *message,
			       int skipped);

typedef struct reader_options {
	enum reader_format format;
	const char *root;        /* ids of plain-text files are relative to it */
	reader_warn_fn warn;     /* may be NULL */
	void *warn_ctx;
} reader_options;

typedef struct reader reader;

/* The format of PATH by its extension ("x.txt.gz" -> FORMAT_TEXT), or
 * FORMAT_AUTO when unknown. */
enum reader_format reader_format_of(const char *path);
/* Parse "text", "reuters", "jsonl", "newsml" ("auto"): -1 when unknown. */
int reader_format_parse(const char *name);
const char *reader_format_name(enum reader_format f);

/* Open PATH for reading with OPTS.  NULL with a message in ERR (of ERRLEN
 * bytes, "FILE: reason") when it cannot be opened or its format is
 * unknown. */
reader *reader_open(const char *path, const reader_options *opts, char *err,
		    size_t errlen);
/* Read the next dispatch into D (which the caller has dispatch_init()ed
 * and must dispatch_release()).  Returns 1 for a dispatch, 0 at the end,
 * -1 on an error that ends the file (message from reader_error()).
 * Records that cannot be read are skipped, reported through warn and
 * counted; they do not end the file. */
int reader_next(reader *r, dispatch *d);
/* Message of the error that ended the file ("FILE:LINE: reason"), or NULL
 * when there was none. */
const char *reader_error(const reader *r);
/* Bytes read so far, for progress. */
uint64_t reader_bytes_read(const reader *r);
const reader_stats *reader_get_stats(const reader *r);
/* Close.  Returns 0, or -1 when the file turned out damaged at its end
 * (truncated gzip): the message is then in ERR.  Frees R. */
int reader_close(reader *r, char *err, size_t errlen);

#endif
