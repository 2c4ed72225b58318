/*
 * job.h - an indexing job: input files are read by their format's reader,
 * each dispatch becomes a document (document.h) placed among its story's
 * versions (versions.h), and documents are committed in batches, each
 * inside a Xapian transaction, so a batch lands whole or not at all.
 */
#ifndef WIRE_JOB_H
#define WIRE_JOB_H

#include "reader.h"
#include "walk.h"
#include "xap.h"

#include <stddef.h>
#include <stdint.h>

/* How a job ended; the programs map these to exit codes. */
enum job_status {
	JOB_OK = 0,       /* everything was indexed */
	JOB_SKIPPED,      /* finished, but some input was skipped */
	JOB_FAILED,       /* stopped: nothing past the last batch landed */
	JOB_LOCKED        /* another writer holds the index */
};

typedef struct job_options {
	const char *db_path;
	enum reader_format format;   /* FORMAT_AUTO: by extension */
	int wait_lock;               /* wait for another writer to finish */
	int force;                   /* re-read files even when unchanged */
	unsigned batch_size;         /* dispatches per batch (0: 1000) */
	size_t memory_mb;            /* bound of a batch's text (0: 64 MB) */
	int no_sync;                 /* fresh generation: skip fsync */
	unsigned jobs;               /* rebuild: parallel workers (0: 1) */
	unsigned shards;             /* rebuild or new index: shards (0, 1:
					one database) */
} job_options;

typedef struct job_counts {
	unsigned long files;         /* files read */
	unsigned long read;          /* dispatches read */
	unsigned long added;
	unsigned long replaced;
	unsigned long unchanged;     /* files skipped as unchanged */
	unsigned long skipped;       /* records and files skipped */
	unsigned long errors;        /* files that ended in an error */
	unsigned long utf8_repaired;
	unsigned long dates_repaired;
	unsigned long batches;       /* batches committed */
	uint64_t bytes;              /* input bytes read */
	uint64_t total_bytes;        /* input bytes to read (for the ETA) */
	double seconds;
	/* Why input was skipped: the first JOB_REASONS reasons, counted
	 * (fixed size: rebuild workers send counts through a pipe). */
	struct {
		char reason[48];
		unsigned long n;
	} reasons[8];
	unsigned n_reasons;
} job_counts;

/* What the job tells its caller. */
typedef struct job_callbacks {
	/* A problem with the input: "FILE:LINE: reason" (already formatted). */
	void (*problem)(void *ctx, const char *message);
	/* Progress, called now and then (at most a few times a second). */
	void (*progress)(void *ctx, const job_counts *c);
	void *ctx;
} job_callbacks;

/* Index FILES into the database at OPTS->db_path (created if missing).
 * Counts go to *COUNTS; a failure's message to ERR (of ERRLEN bytes). */
enum job_status job_index(const job_options *opts, const walk_list *files,
			  const job_callbacks *cb, job_counts *counts,
			  char *err, size_t errlen);

/* Withdraw (WITHDRAW nonzero) or delete the stories IDS.  Unknown ids are
 * reported through CB and make the job JOB_SKIPPED. */
enum job_status job_remove(const job_options *opts, char *const *ids,
			   size_t n, int withdraw, const job_callbacks *cb,
			   job_counts *counts, char *err, size_t errlen);

/* Build a complete new generation of the index at OPTS->db_path from
 * FILES, with OPTS->jobs workers (each indexing the stories that hash to
 * its partitions, into a throwaway database), merge the partitions by
 * compaction into one database or OPTS->shards shards, check the result,
 * and switch to it atomically (generation.h).  If anything fails, or the
 * job dies, the live index is untouched; the next job removes the
 * leftovers. */
enum job_status job_rebuild(const job_options *opts, const walk_list *files,
			    const job_callbacks *cb, job_counts *counts,
			    char *err, size_t errlen);

/* A summary line of COUNTS: "read N, added N, replaced N, ...". */
void job_summary(const job_counts *c, char *out, size_t size);

#endif
