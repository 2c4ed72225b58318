/*
 * html.h - HTML for wire-search.cgi: escaping for each context, and the
 * pages (search results, one full dispatch, errors).
 *
 * Contexts and what each escape guarantees:
 *  - text (element content): & < > " ' become entities, so no markup can
 *    start or end;
 *  - attribute values: the same five, and every attribute we write is
 *    double-quoted, so no value can end its attribute or start another;
 *  - URL components (query parameters in href): everything but the
 *    unreserved characters A-Z a-z 0-9 - . _ ~ is percent-encoded, so the
 *    result is plain ASCII that is also safe in an attribute, and no
 *    "javascript:" or other scheme can be formed (our links all start
 *    with '?').
 * The pages contain no script at all, so the Content-Security-Policy
 * can forbid every script.
 *
 * Every function appends to OUT and returns 0, or -1 when out of memory
 * (OUT then holds a partial page: throw it away).
 */
#ifndef WIRE_HTML_H
#define WIRE_HTML_H

#include "cgi_params.h"
#include "query.h"
#include "search.h"
#include "snippet.h"
#include "strbuf.h"

#include <stddef.h>

/* LEN bytes at S as element text. */
int html_escape_text(strbuf *out, const char *s, size_t len);
/* LEN bytes at S as the value of a double-quoted attribute. */
int html_escape_attr(strbuf *out, const char *s, size_t len);
/* LEN bytes at S as a URL component (percent-encoding). */
int html_escape_url(strbuf *out, const char *s, size_t len);

/* LEN bytes of TEXT as element text, the byte ranges MARKS (N of them, in
 * order, not overlapping, within TEXT) wrapped in <mark>.  Marks apart by
 * spaces only become one ("<mark>Durand Line</mark>"); ranges outside
 * TEXT are ignored. */
int html_marked(strbuf *out, const char *text, size_t len,
		const snippet_mark *marks, size_t n);

/* The href value (starting with '?', attribute-escaped) of the search P
 * with parameter NAME set to VALUE, or removed when VALUE is NULL.  NAME
 * may be NULL (the search P itself).  Changing anything but "page" goes
 * back to page 1.  NAME "id" makes the link to a full dispatch, keeping
 * only q (for highlighting). */
int html_href(strbuf *out, const cgi_params *p, const char *name,
	      const char *value);

/* The search page for P: the form and, when RES is not NULL, the results
 * of REQ (count, suggestion, hits, facets, chart, pages). */
int html_page_search(strbuf *out, const cgi_params *p,
		     const search_request *req, const search_result *res);

/* The full-dispatch page: VERSIONS holds every version of the story as
 * hits (oldest first; the highest version number is shown whole, the others
 * in <details>), HL (may be NULL) what to mark. */
int html_page_story(strbuf *out, const cgi_params *p,
		    const search_result *versions, const query_highlight *hl);

/* An error page for HTTP STATUS with MESSAGE (a fixed text of ours, escaped
 * all the same) and the search form (P may be NULL). */
int html_page_error(strbuf *out, const cgi_params *p, int status,
		    const char *message);

#endif
