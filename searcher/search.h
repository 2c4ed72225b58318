/*
 * search.h - from a query string to a ranked page of stories.
 *
 * search_run() parses the query (query.h), runs it through Xapian with
 * BM25, collapses the versions of each story into one hit ranked by its
 * best-matching version while showing the newest, counts the matching
 * stories exactly, gathers facets over the whole result set, builds a
 * snippet for each hit (snippet.h), and retries on "database modified".
 * The result is plain C data; rendering is the caller's (render.h).
 */
#ifndef WIRE_SEARCH_H
#define WIRE_SEARCH_H

#include "dispatch.h"
#include "query.h"
#include "snippet.h"
#include "xap.h"

#include <stddef.h>
#include <stdint.h>

/* A query of filters alone has no relevance to rank by: it is shown
 * newest first unless another order is asked for. */
enum search_sort {
	SORT_RELEVANCE = 0,
	SORT_DATE,          /* oldest first */
	SORT_DATE_DESC      /* newest first */
};

/* Deepest result a search may reach (offset + limit). */
#define SEARCH_MAX_DEPTH 10000
#define SEARCH_MAX_LIMIT 1000

typedef struct search_request {
	const char *query;
	query_options qopts;
	unsigned offset;         /* first hit, 0-based */
	unsigned limit;          /* hits per page (default 10) */
	enum search_sort sort;
	double recency_days;     /* half-life of the freshness boost; 0: off */
	int all_versions;        /* list every matching version */
	int include_withdrawn;   /* show killed stories too */
	int facets;              /* count agencies, places, languages, months */
	int count_only;          /* only the number of matching stories */
	int snippets;            /* build snippets (default on) */
	size_t snippet_bytes;    /* snippet length (default 240) */
	int explain;             /* fill the explanation strings */
	double bm25_k1, bm25_b;  /* < 0: Xapian's defaults */
	/* A resident process's value columns (xap_value_cache_new()), which
	 * make facet counts cheaper from the second search of an index
	 * revision on; NULL (the default): none.  Borrowed. */
	xap_value_cache *facet_cache;
} search_request;

/* Defaults for everything; the caller sets query. */
void search_request_init(search_request *r);

typedef struct search_hit {
	unsigned rank;           /* 1-based over the whole result */
	double score;
	int percent;
	dispatch d;              /* the version shown: the newest usable one */
	char date[21];           /* ISO 8601, "" when unknown */
	unsigned matched_version; /* the version that matched best */
	unsigned n_versions;     /* versions the story has */
	int withdrawn;
	snippet snip;
} search_hit;

typedef struct search_facet_value {
	char *value;
	uint32_t count;
} search_facet_value;

typedef struct search_facet {
	const char *name;        /* "agency", "place", "language", "month" */
	search_facet_value *values;
	size_t n;
} search_facet;

#define SEARCH_FACETS 4

typedef struct search_result {
	uint32_t total;          /* matching stories (versions with
				    all_versions), exact */
	search_hit *hits;
	size_t n_hits;
	search_facet facets[SEARCH_FACETS];
	size_t n_facets;
	char *suggestion;        /* did-you-mean query, or NULL */
	char *parsed;            /* explain: the parsed tree in words */
	char *xapian;            /* explain: Xapian's description */
	unsigned retries;        /* reopen-and-retry rounds needed */
	double seconds;
} search_result;

/* Status of a search; the programs map them to exit codes. */
enum search_status {
	SEARCH_OK = 0,
	SEARCH_BAD_QUERY,        /* the user's query (message says which part) */
	SEARCH_NO_INDEX,         /* index missing or unreadable */
	SEARCH_UNREACHABLE,      /* a remote shard could not be reached */
	SEARCH_FAILED            /* anything else */
};

/* Run REQ on DB into *RES (which the caller search_result_release()s,
 * also after a failure).  ERR gets a one-line message on failure. */
enum search_status search_run(xap_db *db, const search_request *req,
			      search_result *res, char *err, size_t errlen);

void search_result_release(search_result *res);

/* Open the index at PATH (a database, or a stub listing several).  NULL
 * with a message in ERR when it cannot be opened; *STATUS (may be NULL)
 * says why. */
xap_db *search_open(const char *path, enum search_status *status, char *err,
		    size_t errlen);

#endif
