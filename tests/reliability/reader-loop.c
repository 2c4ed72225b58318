/*
 * reader-loop.c - a long-lived reader for tests/e2e/064: queries the index
 * in a loop for SECONDS while a writer commits, and counts what happens.
 *
 *   reader-loop search DB SECONDS QUERY
 *       Open the index once (search_open) and run search_run() in a loop:
 *       the real searcher, which reopens and retries on "database
 *       modified".  Prints
 *         queries N failed F retries R max_retries X
 *   reader-loop raw DB SECONDS TERM...
 *       The control: the bindings alone (index_open once, xap_enquire_run
 *       on TERM OR TERM..., fetching each hit's document), never reopening.
 *       Prints
 *         queries N failed F modified M
 *       M > 0 proves the writer overtakes long-lived readers.
 *   reader-loop fresh DB SECONDS QUERY
 *       Open the index afresh for every query (as wire-search does), run it
 *       with count_only, and print the distinct totals seen:
 *         queries N failed F totals T1:n1,T2:n2...
 *
 * On failure the first few messages go to stderr.  Exit 0 unless the
 * arguments are wrong or the first open fails.
 */
#include "index.h"
#include "search.h"
#include "xap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long reported;

static void report(const char *what, const char *msg)
{
	if (reported++ < 5)
		fprintf(stderr, "reader-loop: %s: %s\n", what, msg);
}

static int run_search(const char *path, double seconds, const char *text)
{
	char err[1024];
	enum search_status ss;
	xap_db *db = search_open(path, &ss, err, sizeof(err));
	unsigned long queries = 0, failed = 0, retries = 0, max_retries = 0;
	double end = now() + seconds;

	if (!db) {
		fprintf(stderr, "reader-loop: %s\n", err);
		return 2;
	}
	while (now() < end) {
		search_request req;
		search_result res;

		search_request_init(&req);
		req.query = text;
		req.limit = 10;
		ss = search_run(db, &req, &res, err, sizeof(err));
		queries++;
		if (ss != SEARCH_OK) {
			failed++;
			report("search", err);
		}
		retries += res.retries;
		if (res.retries > max_retries)
			max_retries = res.retries;
		search_result_release(&res);
	}
	printf("queries %lu failed %lu retries %lu max_retries %lu\n", queries,
	       failed, retries, max_retries);
	xap_db_free(db);
	return 0;
}

static xap_status raw_query(xap_db *db, char **terms, int n)
{
	xap_query *subs[64], *q = NULL;
	xap_enquire *e = NULL;
	xap_results *r = NULL;
	xap_status st = XAP_OK;
	uint32_t docs = 0;
	int made = 0;

	for (; made < n && made < 64 && st == XAP_OK; made++)
		st = xap_query_term(terms[made], 1, 0, &subs[made]);
	if (st == XAP_OK)
		st = xap_query_combine(XAP_OP_OR, subs, (size_t)made, 0, &q);
	if (st == XAP_OK && !(e = xap_enquire_new(db)))
		st = XAP_NOMEM;
	if (st == XAP_OK)
		st = xap_enquire_set_query(e, q);
	if (st == XAP_OK)
		st = xap_db_doccount(db, &docs);
	if (st == XAP_OK)
		st = xap_enquire_run(e, 0, 10, docs ? docs : 1, &r);
	for (size_t i = 0; st == XAP_OK && i < xap_results_size(r); i++) {
		xap_doc *doc = NULL;
		const void *data;
		size_t len;

		st = xap_results_document(r, i, &doc);
		if (st == XAP_OK)
			st = xap_doc_get_data(doc, &data, &len);
		xap_doc_free(doc);
	}
	if (st != XAP_OK)
		report("raw", e && *xap_enquire_message(e) ? xap_enquire_message(e)
			      : r ? xap_results_message(r) : xap_db_message(db));
	xap_results_free(r);
	xap_enquire_free(e);
	xap_query_free(q);
	for (int i = 0; i < made; i++)
		xap_query_free(subs[i]);
	return st;
}

static int run_raw(const char *path, double seconds, char **terms, int n)
{
	unsigned long queries = 0, failed = 0, modified = 0;
	double end = now() + seconds;
	char err[512];
	xap_status st;
	/* The open is not what this mode tests: index_open() tries again when
	 * a commit overtook it; the queries then never reopen. */
	xap_db *db = index_open(path, &st, err, sizeof(err));

	if (!db) {
		fprintf(stderr, "reader-loop: %s\n", err);
		return 2;
	}
	while (now() < end) {
		st = raw_query(db, terms, n);
		queries++;
		if (st != XAP_OK)
			failed++;
		if (st == XAP_MODIFIED)
			modified++;
	}
	printf("queries %lu failed %lu modified %lu\n", queries, failed, modified);
	xap_db_free(db);
	return 0;
}

#define MAX_TOTALS 16

static int run_fresh(const char *path, double seconds, const char *text)
{
	unsigned long queries = 0, failed = 0, counts[MAX_TOTALS] = { 0 };
	uint32_t totals[MAX_TOTALS];
	size_t n_totals = 0, other = 0;
	double end = now() + seconds;

	while (now() < end) {
		char err[1024];
		enum search_status ss;
		xap_db *db = search_open(path, &ss, err, sizeof(err));
		search_request req;
		search_result res;
		size_t i;

		queries++;
		if (!db) {
			failed++;
			report("open", err);
			continue;
		}
		search_request_init(&req);
		req.query = text;
		req.count_only = 1;
		ss = search_run(db, &req, &res, err, sizeof(err));
		if (ss != SEARCH_OK) {
			failed++;
			report("search", err);
		} else {
			for (i = 0; i < n_totals && totals[i] != res.total; i++)
				;
			if (i == n_totals && n_totals < MAX_TOTALS)
				totals[n_totals++] = res.total;
			if (i < n_totals)
				counts[i]++;
			else
				other++;
		}
		search_result_release(&res);
		xap_db_free(db);
	}
	printf("queries %lu failed %lu totals ", queries, failed);
	for (size_t i = 0; i < n_totals; i++)
		printf("%s%u:%lu", i ? "," : "", (unsigned)totals[i], counts[i]);
	if (other)
		printf(",other:%zu", other);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	double seconds;

	if (argc < 5) {
		fprintf(stderr, "usage: reader-loop search|raw|fresh DB SECONDS QUERY|TERM...\n");
		return 2;
	}
	seconds = atof(argv[3]);
	if (!strcmp(argv[1], "search"))
		return run_search(argv[2], seconds, argv[4]);
	if (!strcmp(argv[1], "raw"))
		return run_raw(argv[2], seconds, argv + 4, argc - 4);
	if (!strcmp(argv[1], "fresh"))
		return run_fresh(argv[2], seconds, argv[4]);
	fprintf(stderr, "reader-loop: unknown mode '%s'\n", argv[1]);
	return 2;
}
