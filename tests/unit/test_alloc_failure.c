/*
 * test_alloc_failure.c - SQLite-style allocation-failure loop over a whole
 * indexing job: for every N, the N-th allocation of our code fails (once,
 * then from N on), and the job must end cleanly (an error, no crash, no
 * leak under ASan) with the index consistent: it opens, passes the
 * integrity check, and holds whole batches only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "generation.h"
#include "job.h"
#include "walk.h"
#include "xap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define N_FILES 20

static void quiet(void *ctx, const char *message)
{
	(void)ctx;
	(void)message;
}

static void walk_err(void *ctx, const char *path, const char *reason)
{
	(void)ctx;
	(void)path;
	(void)reason;
}

/* Write N_FILES small dispatches into DIR. */
static void write_inputs(const char *dir)
{
	for (int i = 0; i < N_FILES; i++) {
		char path[700];
		FILE *f;

		snprintf(path, sizeof(path), "%s/d%02d.txt", dir, i);
		f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "ID: story-%d\nVersion: %d\nDate: 2025-04-%02dT10:00:00Z\n"
			   "Agency: EFE\nHeadline: Pakistan's army and the Durand Line, take %d\n\n"
			   "Kabul/Islamabad, Apr %d (EFE).- Islamabad reported over 84,000 "
			   "deportations; the Tehreek-e-Taliban Pakistan (TTP) denied it. "
			   "Muttaqī met U.S. envoys.\n\nA second paragraph with Bogotá. EFE\n",
			i % 15, 1 + i / 15, 1 + i, i, 1 + i);
		fclose(f);
	}
}

/* The index at DB opens, checks clean, and holds at most N_FILES
 * documents; returns the count (-1 when there is no index at all). */
static long index_state(const char *db)
{
	generation g;
	char err[512];
	uint32_t n = 0;
	xap_db *x;

	if (gen_read(db, &g, err, sizeof(err)) || g.layout == GEN_NONE) {
		gen_release(&g);
		return -1;
	}
	for (size_t i = 0; i < g.n_dbs; i++) {
		size_t errors = 0;
		xap_status st = xap_check(g.dbs[i], &errors);

		/* A first batch that never committed leaves no database. */
		if (st == XAP_NOT_FOUND || st == XAP_IO)
			continue;
		assert_int_equal(st, XAP_OK);
		assert_int_equal(errors, 0);
	}
	x = xap_db_new();
	assert_non_null(x);
	if (xap_db_add(x, db) == XAP_OK)
		assert_int_equal(xap_db_doccount(x, &n), XAP_OK);
	xap_db_free(x);
	gen_release(&g);
	assert_true(n <= N_FILES); /* every version is a document */
	return n;
}

static void run_loop(int persist)
{
	/* Thousands of tiny jobs: on tmpfs their fsyncs cost nothing. */
	char tmpl[] = "/dev/shm/wire-allocfail.XXXXXX", tmpl2[] = "/tmp/wire-allocfail.XXXXXX";
	char *dir = mkdtemp(tmpl), db[600], in[600];
	walk_list files = { NULL, 0, 0 };
	job_callbacks cb = { quiet, NULL, NULL };
	job_options opts;
	unsigned unreadable = 0;
	unsigned long total, n;
	unsigned failures = 0, successes = 0;

	if (!dir)
		dir = mkdtemp(tmpl2);
	assert_non_null(dir);
	snprintf(in, sizeof(in), "%s/in", dir);
	assert_int_equal(mkdir(in, 0777), 0);
	write_inputs(in);
	assert_int_equal(walk_add(&files, in, walk_err, NULL, &unreadable), 0);
	assert_int_equal(files.n, N_FILES);
	memset(&opts, 0, sizeof(opts));
	opts.batch_size = 4;
	opts.force = 1;
	opts.no_sync = 1; /* thousands of tiny jobs: fsync would dominate */

	/* A run without failures counts the allocations. */
	{
		job_counts c;
		char err[1024];

		snprintf(db, sizeof(db), "%s/ref", dir);
		opts.db_path = db;
		wire_alloc_fail_at(0, 0);
		assert_int_equal(job_index(&opts, &files, &cb, &c, err, sizeof(err)), JOB_OK);
		total = wire_alloc_fail_at(0, 0);
		assert_int_equal(index_state(db), N_FILES);
	}
	for (n = 1; n <= total + 1; n++) {
		job_counts c;
		char err[1024];
		enum job_status js;
		long docs;

		snprintf(db, sizeof(db), "%s/db-%lu", dir, n);
		opts.db_path = db;
		wire_alloc_fail_at(n, persist);
		js = job_index(&opts, &files, &cb, &c, err, sizeof(err));
		wire_alloc_fail_at(0, 0);
		if (js == JOB_OK)
			successes++;
		else
			failures++;
		docs = index_state(db);
		/* Whole batches of 4 (and the story versions they replaced) or
		 * everything: never a batch in part. */
		if (js == JOB_OK && !persist)
			assert_int_equal(docs, N_FILES);
		gen_remove_tree(db);
	}
	print_message("allocation failures (%s): %lu allocations, %u runs failed cleanly, %u completed\n",
		      persist ? "from N on" : "once", total, failures, successes);
	assert_true(failures > 0);
	walk_release(&files);
	gen_remove_tree(dir);
}

static void test_once(void **state)
{
	(void)state;
	run_loop(0);
}

static void test_persistent(void **state)
{
	(void)state;
	run_loop(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_once),
		cmocka_unit_test(test_persistent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
