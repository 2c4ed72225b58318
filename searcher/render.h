/*
 * render.h - search results as text for people, JSON Lines and TSV for
 * programs.  One table of renderers; the programs pick one by name.
 * (The CGI's HTML page is in cgi.c: it needs the request's parameters.)
 */
#ifndef WIRE_RENDER_H
#define WIRE_RENDER_H

#include "search.h"

#include <jansson.h>
#include <stdio.h>

typedef struct render_options {
	int color;        /* bold and colour (a terminal without NO_COLOR) */
	const char *mark_open, *mark_close; /* around matches without colour */
} render_options;

typedef struct renderer {
	const char *name;   /* "text", "json", "tsv" */
	/* Write the page RES of REQ to OUT.  Returns 0, or -1 on a write
	 * error (errno set). */
	int (*page)(FILE *out, const search_request *req,
		    const search_result *res, const render_options *o);
} renderer;

/* The renderer called NAME, or NULL. */
const renderer *renderer_find(const char *name);

/* One hit as a JSON object (new reference, NULL when out of memory), the
 * same for the CLI and the CGI.  Fields are documented in docs/JSON.md. */
json_t *render_hit_json(const search_hit *hit);
/* The summary object: total, facets, suggestion, timing (new reference). */
json_t *render_summary_json(const search_request *req, const search_result *res);
/* The snippet with its matches wrapped in OPEN and CLOSE (malloc'd). */
char *render_marked(const snippet *s, const char *open, const char *close);

#endif
