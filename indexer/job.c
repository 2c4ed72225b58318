/*
 * job.c - the indexing pipeline: files -> readers -> dispatches ->
 * documents -> batches -> the index.
 *
 * A batch is a Xapian transaction: it lands whole or not at all, so a job
 * killed at any moment leaves the index at the end of its last committed
 * batch, and running it again finishes the work (every write is an upsert
 * by unique term).  A file's "seen" record (size, mtime, CRC-32) is written
 * in the batch that holds its last dispatch, so an unfinished file is read
 * again by the next run.
 */
#include "job.h"

#include "alloc.h"
#include "document.h"
#include "schema.h"
#include "strbuf.h"
#include "versions.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

struct job {
	const job_options *opts;
	const job_callbacks *cb;
	job_counts *counts;
	xap_writer *w;
	spelling_words *sw;
	strbuf pending_meta;     /* "key\0value\0" pairs for this batch */
	unsigned batch_docs;
	size_t batch_bytes;
	double started;
	double last_progress;
	char *err;
	size_t errlen;
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void problem(struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void problem(struct job *j, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (j->cb && j->cb->problem)
		j->cb->problem(j->cb->ctx, msg);
}

static void fail(struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail(struct job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(j->err, j->errlen, fmt, ap);
	va_end(ap);
}

static void reader_problem(void *ctx, const char *file, unsigned long line,
			   const char *message, int skipped)
{
	struct job *j = ctx;

	(void)skipped;
	problem(j, "%s:%lu: %s", file, line, message);
}

static void maybe_progress(struct job *j, int force)
{
	double t = now_seconds();

	j->counts->seconds = t - j->started;
	if (!j->cb || !j->cb->progress)
		return;
	if (!force && t - j->last_progress < 0.2)
		return;
	j->last_progress = t;
	j->cb->progress(j->cb->ctx, j->counts);
}

/* ------------------------------------------------------------------ */
/* Batches.                                                             */

static xap_status batch_begin(struct job *j)
{
	j->batch_docs = 0;
	j->batch_bytes = 0;
	strbuf_reset(&j->pending_meta);
	return xap_writer_begin(j->w);
}

static xap_status batch_commit(struct job *j)
{
	const char *p = j->pending_meta.buf, *end = p + j->pending_meta.len;
	xap_status st = spelling_words_flush(j->sw, j->w);

	while (st == XAP_OK && p && p < end) {
		const char *key = p, *value = key + strlen(key) + 1;

		p = value + strlen(value) + 1;
		st = xap_writer_set_metadata(j->w, key, value, strlen(value));
	}
	if (st == XAP_OK)
		st = xap_writer_commit_transaction(j->w);
	if (st == XAP_OK)
		j->counts->batches++;
	strbuf_reset(&j->pending_meta);
	return st;
}

static int batch_full(const struct job *j)
{
	unsigned size = j->opts->batch_size ? j->opts->batch_size : 1000;
	size_t mem = (j->opts->memory_mb ? j->opts->memory_mb : 64) << 20;

	/* Xapian holds a batch's postings in memory, several times the size
	 * of the text: keep the text to a fraction of the bound. */
	return j->batch_docs >= size || j->batch_bytes * 4 >= mem;
}

static xap_status batch_next_if_full(struct job *j)
{
	xap_status st;

	if (!batch_full(j))
		return XAP_OK;
	if ((st = batch_commit(j)) != XAP_OK)
		return st;
	return batch_begin(j);
}

/* ------------------------------------------------------------------ */
/* Files seen: skipping what has not changed.                           */

struct file_sig {
	char key[PATH_MAX + 32];
	unsigned long long size;
	long long mtime;
	unsigned long crc;
};

static int file_crc(const char *path, unsigned long *crc)
{
	unsigned char buf[1 << 16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	uLong c = crc32(0L, Z_NULL, 0);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		c = crc32(c, buf, (uInt)n);
	close(fd);
	if (n < 0)
		return -1;
	*crc = c;
	return 0;
}

static int file_signature(const char *path, struct file_sig *sig)
{
	char real[PATH_MAX];
	struct stat st;

	if (!strcmp(path, "-") || stat(path, &st) || !realpath(path, real))
		return -1;
	snprintf(sig->key, sizeof(sig->key), META_FILE_PREFIX "%s", real);
	sig->size = (unsigned long long)st.st_size;
	sig->mtime = (long long)st.st_mtime;
	sig->crc = 0;
	return 0;
}

/* Whether the file is as it was when last indexed.  SIG gets its CRC when
 * it had to be computed. */
static int file_unchanged(struct job *j, struct file_sig *sig, const char *path)
{
	char *old = NULL;
	size_t len;
	unsigned long long size;
	long long mtime;
	unsigned long crc;
	int same = 0;

	if (xap_db_get_metadata(xap_writer_db(j->w), sig->key, &old, &len) != XAP_OK || !old)
		return 0;
	if (sscanf(old, "%llu %lld %lx", &size, &mtime, &crc) == 3 && size == sig->size) {
		if (mtime == sig->mtime)
			same = 1;
		else if (!file_crc(path, &sig->crc) && sig->crc == crc)
			same = 1; /* touched, not changed */
	}
	free(old);
	return same;
}

static int remember_file(struct job *j, struct file_sig *sig, const char *path)
{
	char value[96];

	if (!sig->crc && file_crc(path, &sig->crc))
		return 0;
	snprintf(value, sizeof(value), "%llu %lld %lx", sig->size, sig->mtime,
		 sig->crc);
	if (strbuf_add(&j->pending_meta, sig->key, strlen(sig->key) + 1) ||
	    strbuf_add(&j->pending_meta, value, strlen(value) + 1))
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */

static size_t dispatch_text_bytes(const dispatch *d)
{
	size_t n = d->headline ? strlen(d->headline) : 0;

	for (size_t i = 0; i < d->n_paragraphs; i++)
		n += strlen(d->paragraphs[i]);
	return n;
}

/* Index one dispatch.  Returns XAP_OK also when the dispatch was skipped
 * (reported); another status ends the job. */
static xap_status index_one(struct job *j, const dispatch *d)
{
	xap_doc *doc;
	xap_status st;
	int replaced = 0;

	j->counts->read++;
	if (!d->id) {
		problem(j, "%s:%u: dispatch has no id, skipped",
			d->source_file ? d->source_file : "-", d->source_line);
		j->counts->skipped++;
		return XAP_OK;
	}
	doc = xap_doc_new();
	if (!doc)
		return XAP_NOMEM;
	st = document_build(d, doc, j->sw, NULL);
	if (st == XAP_OK)
		st = versions_upsert(j->w, d, doc, &replaced);
	if (st == XAP_INVALID) {
		/* Something in this dispatch Xapian refuses: skip it alone. */
		problem(j, "%s:%u: dispatch '%s' cannot be indexed: %s",
			d->source_file ? d->source_file : "-", d->source_line,
			d->id, *xap_writer_message(j->w) ? xap_writer_message(j->w)
							  : xap_doc_message(doc));
		j->counts->skipped++;
		st = XAP_OK;
	} else if (st == XAP_OK) {
		if (replaced)
			j->counts->replaced++;
		else
			j->counts->added++;
		j->batch_docs++;
		j->batch_bytes += dispatch_text_bytes(d);
	}
	xap_doc_free(doc);
	return st;
}

/* Read and index one file.  Returns XAP_OK unless the job must stop. */
static xap_status index_file(struct job *j, const walk_file *f)
{
	reader_options ro;
	char msg[1024];
	struct file_sig sig;
	int have_sig = !file_signature(f->path, &sig);
	const reader_stats *rs;
	xap_status st = XAP_OK;
	reader *r;
	int got, file_ok = 1;

	if (have_sig && !j->opts->force && file_unchanged(j, &sig, f->path)) {
		j->counts->unchanged++;
		return XAP_OK;
	}
	memset(&ro, 0, sizeof(ro));
	ro.format = j->opts->format;
	ro.root = f->root;
	ro.warn = reader_problem;
	ro.warn_ctx = j;
	r = reader_open(f->path, &ro, msg, sizeof(msg));
	if (!r) {
		problem(j, "%s", msg);
		j->counts->errors++;
		return XAP_OK;
	}
	j->counts->files++;
	for (;;) {
		dispatch d;
		uint64_t before = reader_bytes_read(r);

		dispatch_init(&d);
		got = reader_next(r, &d);
		j->counts->bytes += reader_bytes_read(r) - before;
		if (got == 1)
			st = index_one(j, &d);
		dispatch_release(&d);
		if (got != 1 || st != XAP_OK)
			break;
		if ((st = batch_next_if_full(j)) != XAP_OK)
			break;
		maybe_progress(j, 0);
	}
	if (got < 0) {
		problem(j, "%s", reader_error(r));
		file_ok = 0;
	}
	rs = reader_get_stats(r);
	j->counts->skipped += rs->skipped;
	j->counts->utf8_repaired += rs->utf8_repaired;
	j->counts->dates_repaired += rs->dates_repaired;
	/* A file with skipped records is read again next time. */
	if (rs->skipped)
		file_ok = 0;
	if (reader_close(r, msg, sizeof(msg))) {
		if (got >= 0)
			problem(j, "%s", msg);
		got = -1;
		file_ok = 0;
	}
	if (got < 0)
		j->counts->errors++;
	/* Only a file read cleanly to its end is remembered as done. */
	if (st == XAP_OK && file_ok && have_sig && remember_file(j, &sig, f->path))
		st = XAP_NOMEM;
	return st;
}

static uint64_t total_size(const walk_list *files)
{
	uint64_t total = 0;
	struct stat st;

	for (size_t i = 0; i < files->n; i++)
		if (!stat(files->files[i].path, &st))
			total += (uint64_t)st.st_size;
	return total;
}

static enum job_status job_open(struct job *j)
{
	int flags = XAP_WRITER_CREATE;
	xap_status st;

	if (j->opts->wait_lock)
		flags |= XAP_WRITER_WAIT_LOCK;
	if (j->opts->no_sync)
		flags |= XAP_WRITER_NO_SYNC;
	j->w = xap_writer_new();
	j->sw = spelling_words_new();
	if (!j->w || !j->sw) {
		fail(j, "out of memory");
		return JOB_FAILED;
	}
	st = xap_writer_open(j->w, j->opts->db_path, flags);
	if (st == XAP_LOCKED) {
		fail(j, "%s: the index is locked by another writer (use --wait to wait for it)",
		     j->opts->db_path);
		return JOB_LOCKED;
	}
	if (st != XAP_OK) {
		fail(j, "%s: cannot open the index for writing: %s",
		     j->opts->db_path, xap_writer_message(j->w));
		return JOB_FAILED;
	}
	return JOB_OK;
}

static void job_close(struct job *j)
{
	xap_writer_free(j->w);
	spelling_words_free(j->sw);
	strbuf_release(&j->pending_meta);
}

static enum job_status job_end(struct job *j, xap_status st, const char *what)
{
	enum job_status js = JOB_OK;

	if (st == XAP_OK) {
		char summary[512];

		job_summary(j->counts, summary, sizeof(summary));
		st = xap_writer_set_metadata(j->w, META_LAST_JOB, summary,
					     strlen(summary));
		if (st == XAP_OK)
			st = xap_writer_close(j->w);
	}
	if (st != XAP_OK) {
		if (!*j->err)
			fail(j, "%s: %s failed (%s): %s", j->opts->db_path, what,
			     xap_status_name(st), xap_writer_message(j->w));
		xap_writer_cancel_transaction(j->w);
		js = JOB_FAILED;
	} else if (j->counts->skipped || j->counts->errors) {
		js = JOB_SKIPPED;
	}
	maybe_progress(j, 1);
	job_close(j);
	return js;
}

enum job_status job_index(const job_options *opts, const walk_list *files,
			  const job_callbacks *cb, job_counts *counts,
			  char *err, size_t errlen)
{
	struct job j;
	enum job_status js;
	xap_status st;

	memset(&j, 0, sizeof(j));
	memset(counts, 0, sizeof(*counts));
	j.opts = opts;
	j.cb = cb;
	j.counts = counts;
	j.err = err;
	j.errlen = errlen;
	err[0] = '\0';
	j.started = now_seconds();
	counts->total_bytes = total_size(files);
	if ((js = job_open(&j)) != JOB_OK) {
		job_close(&j);
		return js;
	}
	st = batch_begin(&j);
	for (size_t i = 0; st == XAP_OK && i < files->n; i++)
		st = index_file(&j, &files->files[i]);
	if (st == XAP_OK)
		st = batch_commit(&j);
	return job_end(&j, st, "indexing");
}

enum job_status job_remove(const job_options *opts, char *const *ids,
			   size_t n, int withdraw, const job_callbacks *cb,
			   job_counts *counts, char *err, size_t errlen)
{
	struct job j;
	enum job_status js;
	xap_status st;

	memset(&j, 0, sizeof(j));
	memset(counts, 0, sizeof(*counts));
	j.opts = opts;
	j.cb = cb;
	j.counts = counts;
	j.err = err;
	j.errlen = errlen;
	err[0] = '\0';
	j.started = now_seconds();
	if ((js = job_open(&j)) != JOB_OK) {
		job_close(&j);
		return js;
	}
	st = batch_begin(&j);
	for (size_t i = 0; st == XAP_OK && i < n; i++) {
		unsigned count = 0;

		st = withdraw ? versions_withdraw(j.w, ids[i], &count)
			      : versions_delete(j.w, ids[i], &count);
		if (st == XAP_OK && !count) {
			problem(&j, "no story with id '%s'", ids[i]);
			counts->skipped++;
		}
		counts->read++;
		counts->replaced += count;
	}
	if (st == XAP_OK)
		st = batch_commit(&j);
	return job_end(&j, st, withdraw ? "withdrawing" : "deleting");
}

void job_summary(const job_counts *c, char *out, size_t size)
{
	double rate = c->seconds > 0 ? (double)c->read / c->seconds : 0;

	snprintf(out, size,
		 "read %lu, added %lu, replaced %lu, unchanged %lu, skipped %lu, "
		 "errors %lu, utf8 repaired %lu, dates repaired %lu, %.2f s, %.0f dispatches/s",
		 c->read, c->added, c->replaced, c->unchanged, c->skipped,
		 c->errors, c->utf8_repaired, c->dates_repaired, c->seconds, rate);
}
