/*
 * bench/wire-bench-queries.c - in-process query throughput of our searcher.
 *
 *   wire-bench-queries DB SECONDS [SYNONYMS] -- QUERY...
 *
 * Opens DB once (search_open), then runs the queries in turn through
 * search_run() (10 hits, snippets on, as wire-search does by default) until
 * SECONDS have passed, always finishing a whole round of the query set.
 * Prints one JSON object on stdout:
 *   {"queries": N, "seconds": S, "qps": Q, "per_query_ms": {QUERY: MS, ...}}
 * per_query_ms is the mean time of one run of that query.
 *
 * Built by bench/run.sh against build/lib*.a; not part of `make`.
 */
#include "search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

int main(int argc, char **argv)
{
	char err[1024];
	enum search_status ss;
	synonyms *syn = NULL;
	xap_db *db;
	double seconds, start, *spent;
	unsigned long *runs, total = 0;
	int first = 3, nq;

	if (argc < 5) {
		fprintf(stderr,
			"usage: wire-bench-queries DB SECONDS [SYNONYMS] -- QUERY...\n");
		return 2;
	}
	seconds = atof(argv[2]);
	if (strcmp(argv[3], "--") != 0) {
		if (synonyms_load(argv[3], &syn, err, sizeof(err))) {
			fprintf(stderr, "wire-bench-queries: %s\n", err);
			return 2;
		}
		first = 4;
		if (first >= argc || strcmp(argv[first], "--") != 0) {
			fprintf(stderr, "wire-bench-queries: -- QUERY... expected\n");
			return 2;
		}
	}
	first++;
	nq = argc - first;
	if (nq <= 0) {
		fprintf(stderr, "wire-bench-queries: no query\n");
		return 2;
	}
	db = search_open(argv[1], &ss, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "wire-bench-queries: %s\n", err);
		return 2;
	}
	spent = calloc(nq, sizeof(*spent));
	runs = calloc(nq, sizeof(*runs));
	if (!spent || !runs)
		return 2;
	start = now();
	do {
		for (int i = 0; i < nq; i++) {
			search_request req;
			search_result res;
			double t0 = now();

			search_request_init(&req);
			req.query = argv[first + i];
			req.limit = 10;
			req.qopts.syn = syn;
			memset(&res, 0, sizeof(res));
			if (search_run(db, &req, &res, err, sizeof(err)) != SEARCH_OK) {
				fprintf(stderr, "wire-bench-queries: %s: %s\n",
					req.query, err);
				search_result_release(&res);
				return 2;
			}
			search_result_release(&res);
			spent[i] += now() - t0;
			runs[i]++;
			total++;
		}
	} while (now() - start < seconds);
	seconds = now() - start;
	printf("{\"queries\": %lu, \"seconds\": %.6f, \"qps\": %.3f, "
	       "\"per_query_ms\": {",
	       total, seconds, total / seconds);
	for (int i = 0; i < nq; i++) {
		if (i)
			printf(", ");
		json_string(argv[first + i]);
		printf(": %.4f", 1000.0 * spent[i] / runs[i]);
	}
	printf("}}\n");
	free(spent);
	free(runs);
	synonyms_free(syn);
	xap_db_free(db);
	return 0;
}
