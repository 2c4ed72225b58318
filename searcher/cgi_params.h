/*
 * cgi_params.h - the parameters of wire-search.cgi: decoding a query string
 * or a form body (application/x-www-form-urlencoded), checking every value,
 * and turning the filters into a query string the query parser cannot be
 * tricked by.
 *
 * Decoding rules (docs/CGI.md repeats them for users):
 *  - pairs are separated by '&' (';' is not a separator), NAME=VALUE; a
 *    pair without '=' has an empty value; empty pairs are skipped;
 *  - '+' is a space; %XX is the byte XX; a '%' not followed by two hex
 *    digits is an error (400);
 *  - a decoded value that is not valid UTF-8 (overlong forms, surrogates
 *    and code points past U+10FFFF included) or holds a NUL byte is an
 *    error (400); other control characters (CR, LF, TAB...) become spaces,
 *    so no decoded value ever holds a byte below 0x20 or 0x7f;
 *  - the first occurrence of a parameter wins, later ones are ignored
 *    (even when the first is empty);
 *  - an empty value is the same as an absent parameter (forms send their
 *    empty fields), except that it still counts as the first occurrence;
 *  - unknown parameters are ignored without looking at their values.
 *
 * Every failure comes with a fixed explanation (a static string that never
 * contains any of the input) for the error page.
 */
#ifndef WIRE_CGI_PARAMS_H
#define WIRE_CGI_PARAMS_H

#include "search.h"

#include <stddef.h>

/* Limits (bytes unless said otherwise). */
#define CGI_MAX_QUERY_STRING 8192   /* QUERY_STRING: longer is 414 */
#define CGI_MAX_BODY 65536          /* POST body (CONTENT_LENGTH): 413 */
#define CGI_MAX_Q 1000              /* decoded q */
#define CGI_MAX_FILTER 200          /* decoded agency, place, id */
#define CGI_MAX_PER_PAGE 100
#define CGI_DEFAULT_PER_PAGE 10
#define CGI_MAX_DEPTH 1000          /* page * per_page */

/* Outcomes of decoding and checking.  The values are HTTP status codes. */
enum cgi_status {
	CGI_OK = 200,
	CGI_BAD_REQUEST = 400,
	CGI_TOO_LARGE = 413,
	CGI_URI_TOO_LONG = 414,
	CGI_NO_MEMORY = 500
};

enum cgi_format { CGI_FORMAT_HTML = 0, CGI_FORMAT_JSON };

/* Which parameters were seen (bits of cgi_params.seen). */
enum cgi_param_bit {
	CGI_P_Q = 1 << 0,
	CGI_P_PAGE = 1 << 1,
	CGI_P_PER_PAGE = 1 << 2,
	CGI_P_SORT = 1 << 3,
	CGI_P_AGENCY = 1 << 4,
	CGI_P_PLACE = 1 << 5,
	CGI_P_LANG = 1 << 6,
	CGI_P_FROM = 1 << 7,
	CGI_P_TO = 1 << 8,
	CGI_P_VERSIONS = 1 << 9,
	CGI_P_FORMAT = 1 << 10,
	CGI_P_ID = 1 << 11,
	CGI_P_FACETS = 1 << 12
};

typedef struct cgi_params {
	char *q;                 /* the user's query; "" when absent */
	unsigned page;           /* 1-based */
	unsigned per_page;       /* 1 .. CGI_MAX_PER_PAGE */
	enum search_sort sort;
	char *agency;            /* filters: NULL when absent or empty */
	char *place;
	char *lang;              /* letters only: "es", "spanish" */
	char from[11], to[11];   /* "YYYY-MM-DD" or "" */
	int all_versions;        /* versions=all */
	int no_facets;           /* facets=0: no counts by agency, place... */
	enum cgi_format format;
	char *id;                /* full-dispatch view of this story, or NULL */
	unsigned seen;           /* cgi_param_bit of every parameter met */
} cgi_params;

/* Defaults: q "", page 1, per_page 10, relevance, collapsed, HTML.
 * Returns 0, or -1 when out of memory (P is then still releasable). */
int cgi_params_init(cgi_params *p);
/* Free what P owns. */
void cgi_params_release(cgi_params *p);

/* Percent-decode LEN bytes at S ('+' is a space) into a new NUL-terminated
 * string *OUT (length in *OUT_LEN, may be NULL), checking it as described
 * above.  Returns CGI_OK, CGI_BAD_REQUEST with a fixed reason in *WHY, or
 * CGI_NO_MEMORY.  *OUT is NULL unless CGI_OK; the caller frees it. */
enum cgi_status cgi_decode(const char *s, size_t len, char **out,
			   size_t *out_len, const char **why);

/* Whether LEN bytes at S are strict UTF-8 (no overlong forms, surrogates
 * or code points past U+10FFFF).  NUL bytes are valid UTF-8 here. */
int cgi_utf8_valid(const char *s, size_t len);

/* Set parameter NAME to the (already decoded) LEN bytes at VALUE, unless
 * it was set before (first wins).  Unknown names are ignored.  The value is
 * checked (UTF-8, NUL) and its control characters become spaces.  Returns
 * CGI_OK, CGI_BAD_REQUEST with a fixed reason in *WHY, or CGI_NO_MEMORY. */
enum cgi_status cgi_params_set(cgi_params *p, const char *name,
			       const char *value, size_t len, const char **why);

/* Decode the LEN bytes of a query string or form body at S into P (on top
 * of what P already holds: first wins across calls too).  Returns as
 * cgi_params_set(). */
enum cgi_status cgi_params_parse(cgi_params *p, const char *s, size_t len,
				 const char **why);

/* The checks that need every parameter: page depth, from <= to.  Call once
 * after the last cgi_params_parse() / cgi_params_set().  Returns CGI_OK or
 * CGI_BAD_REQUEST with a fixed reason in *WHY. */
enum cgi_status cgi_params_check(const cgi_params *p, const char **why);

/* The query string for the search layer: the user's q, made safe to embed
 * (unbalanced parentheses and quotes neutralised), in parentheses, ANDed
 * with the filters as agency:"..." place:"..." lang:"..." date:A..B, and
 * with id:"..." when WITH_ID.  Filter values never hold a quote (they are
 * rejected when decoded), so none can end its phrase early.  Malloc'd
 * (caller frees), NULL when out of memory. */
char *cgi_params_query(const cgi_params *p, int with_id);

/* Q rewritten so it can sit inside parentheses without reaching out of
 * them: a ')' closing nothing becomes a space, unclosed '(' are closed at
 * the end, an unpaired '"' becomes a space, and typographic double quotes
 * are read as '"'.  Malloc'd, NULL when out of memory. */
char *cgi_query_balance(const char *q);

#endif
