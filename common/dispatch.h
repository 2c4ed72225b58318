/*
 * dispatch.h - the dispatch record every reader produces and the indexer
 * consumes, and the dateline parser.
 *
 * All strings in a dispatch are clean UTF-8 (text_clean()), NUL-terminated
 * and owned by the dispatch: dispatch_release() frees them.  A field not
 * given is NULL (strings), 0 (counts) or -1 (dates).
 */
#ifndef WIRE_DISPATCH_H
#define WIRE_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

/* Where the dispatch's date (and so its year) came from. */
enum date_source {
	DATE_NONE = 0,    /* no date at all */
	DATE_HEADER,      /* a header or metadata field of the dispatch */
	DATE_DATELINE,    /* dateline month/day, year from elsewhere */
	DATE_FILENAME,    /* a YYYY-MM-DD in the file name */
	DATE_MTIME        /* the file's modification time */
};

/* Kinds of free tags. */
enum tag_kind {
	TAG_TOPIC = 0,
	TAG_PERSON,
	TAG_ORG,
	TAG_EXCHANGE,
	TAG_PLACE,        /* subject places (not the dateline) */
	TAG_OTHER
};

typedef struct dispatch_tag {
	enum tag_kind kind;
	char *value;
} dispatch_tag;

typedef struct dispatch {
	char *id;               /* story id, stable across versions */
	unsigned version;       /* 1, 2, ...; 0 when the source gives none */
	int64_t first_created;  /* UTC seconds since the epoch, or -1 */
	int64_t version_created;
	enum date_source date_source;
	char *agency;           /* display form: "EFE", "Reuters", "AP", "dpa" */
	char **places;          /* dateline places, display form */
	size_t n_places;
	char *dateline;         /* the dateline as written, without the dash */
	char *located;          /* NewsML-G2 / ninjs located (desk), apart */
	char *headline;
	char *byline;
	char *slugline;
	char **paragraphs;      /* body paragraphs, dateline removed from the
				   first and sign-off from the last */
	size_t n_paragraphs;
	char *signoff;          /* "EFE", "Reuter", initials... */
	char *language;         /* ISO 639-1, lowercase: "en", "es" */
	int urgency;            /* 1 (flash) .. 9, or 0 */
	char *pubstatus;        /* "usable", "withheld", "canceled", or NULL */
	dispatch_tag *tags;
	size_t n_tags;
	char *source_file;      /* where it was read */
	unsigned source_line;   /* first line of it (1-based) */
} dispatch;

/* Zero a dispatch (all fields "not given"). */
void dispatch_init(dispatch *d);
/* Free everything the dispatch owns and zero it again. */
void dispatch_release(dispatch *d);

/* Setters copy their input after cleaning it with text_clean() and trimming
 * surrounding white space; an empty result leaves the field NULL.  Each
 * returns 0, or -1 when out of memory (the field is then unchanged).
 * *FIELD must be one of D's string fields. */
int dispatch_set(dispatch *d, char **field, const char *s, size_t len);
int dispatch_add_place(dispatch *d, const char *s, size_t len);
int dispatch_add_paragraph(dispatch *d, const char *s, size_t len);
int dispatch_add_tag(dispatch *d, enum tag_kind kind, const char *s,
		     size_t len);

/* Split BODY into paragraphs (blank lines separate paragraphs; single line
 * breaks inside one are joined with a space), parse the dateline at the
 * start of the first paragraph (filling places, dateline, agency when not
 * already set, and, when YEAR_HINT is given (> 0) and the dateline has a
 * month and day, version_created), and remove a trailing agency sign-off
 * (" EFE", " Reuter", initials line...) into signoff.  Returns 0 or -1
 * when out of memory. */
int dispatch_set_body(dispatch *d, const char *body, size_t len,
		      int year_hint);

/* The headline, or when there is none the first sentence of the body (at
 * most about 200 bytes, never cutting a character).  Malloc'd; NULL when
 * out of memory or there is no text at all. */
char *dispatch_display_headline(const dispatch *d);

/* Map a free-form agency name ("Reuters", "REUTER", "efe", "Agence
 * France-Presse", "AFP") to its display form; unknown names come back
 * as given.  Static string or S itself. */
const char *dispatch_agency_name(const char *s);

/* --------------------------------------------------------------------
 * Datelines: "Kabul/Islamabad, Apr 19 (EFE).—", "HOUSTON, Jan 27 (Reuters) -",
 * "BUENOS AIRES, Argentina (AP) _", "SALVADOR, Feb 26 -" ...
 * (docs/DATELINES.md lists every accepted style).
 */
#define DATELINE_MAX_PLACES 8

typedef struct dateline {
	size_t length;          /* bytes of the paragraph the dateline takes,
				   dash and following spaces included */
	size_t n_places;
	struct { size_t start, len; } places[DATELINE_MAX_PLACES];
				/* byte ranges in the input, surface form */
	size_t qualifier_start, qualifier_len; /* "Argentina"; len 0 if none */
	size_t agency_start, agency_len;       /* "EFE"; len 0 if none */
	size_t text_len;        /* bytes of the dateline without its dash */
	int month;              /* 1-12, or 0 when the dateline has no date */
	int day;                /* 1-31, or 0 */
} dateline;

/* Parse a dateline at the very start of PARA (LEN bytes).  Returns 1 and
 * fills *OUT when there is one, 0 when there is none (text such as "Apple
 * Filing Protocol (AFP) - macOS" is not a dateline).  Never fails. */
int dateline_parse(const char *para, size_t len, dateline *out);

/* Month number (1-12) of an English or Spanish month name or abbreviation
 * ("Apr", "April", "Sept.", "abr", "ene"), or 0. */
int dateline_month(const char *s, size_t len);

/* --------------------------------------------------------------------
 * Dates.
 */
/* Parse an ISO 8601 date or date-time ("2025-04-19", "2025-04-19T10:20:30Z",
 * "2025-04-19T10:20:30+05:00", "20250419T102030") into UTC seconds.
 * Returns 0, or -1 when S is not such a date or the date is impossible
 * (2025-02-30). */
int date_parse_iso(const char *s, size_t len, int64_t *out);
/* UTC seconds for Y-M-D h:m:s, or -1 when impossible. */
int64_t date_from_ymd(int y, int m, int d, int hh, int mm, int ss);
/* Write T as "YYYYMMDDhhmmss" (15 bytes with the NUL) into OUT. */
void date_format_compact(int64_t t, char out[15]);
/* Write T as "YYYY-MM-DDThh:mm:ssZ" (21 bytes with the NUL) into OUT. */
void date_format_iso(int64_t t, char out[21]);
/* Find "YYYY-MM-DD" anywhere in S (a file name); 0 and *OUT, or -1. */
int date_find_in_name(const char *s, int64_t *out);

#endif
