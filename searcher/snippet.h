/*
 * snippet.h - query-biased snippets from the stored text, with the matches
 * marked, built with the shared tokenizer so what is marked is exactly what
 * was matched: every matched word, and for a phrase only its occurrences.
 *
 * The dateline, byline and sign-off are not part of the body paragraphs,
 * so they never appear in snippets.  Cuts fall between words and never
 * inside a UTF-8 character.
 */
#ifndef WIRE_SNIPPET_H
#define WIRE_SNIPPET_H

#include "dispatch.h"
#include "query.h"

#include <stddef.h>

typedef struct snippet_mark {
	size_t start, end;   /* byte range in snippet.text */
} snippet_mark;

typedef struct snippet {
	char *text;          /* malloc'd, NUL-terminated, or NULL */
	size_t len;
	snippet_mark *marks; /* in text order, not overlapping */
	size_t n_marks;
	int cut_start;       /* text was cut before the snippet... */
	int cut_end;         /* ...and after it (show an ellipsis) */
} snippet;

/* Build a snippet of about MAX_BYTES from D's body for HL: the window of
 * paragraphs text with the most distinct matches, preferring the lede.
 * With nothing to mark (or HL NULL) it is the start of the body.  Returns
 * 0, or -1 when out of memory (OUT then empty). */
int snippet_build(const dispatch *d, const query_highlight *hl,
		  size_t max_bytes, snippet *out);

/* Mark the matches of HL in the whole of TEXT (LEN bytes): the marks are
 * byte ranges of TEXT.  Used to mark a full dispatch.  Returns 0, or -1
 * when out of memory. */
int snippet_mark_text(const char *text, size_t len, const query_highlight *hl,
		      snippet_mark **marks, size_t *n_marks);

/* Where the first mark of HL in TEXT (LEN bytes) starts, the first of
 * snippet_mark_text()'s marks, found reading no further than needed:
 * returns 1 with its byte offset in *START, 0 when nothing is marked, -1
 * when out of memory. */
int snippet_first_mark(const char *text, size_t len,
		       const query_highlight *hl, size_t *start);

/* Free what S holds and empty it. */
void snippet_release(snippet *s);

#endif
