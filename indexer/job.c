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
#include "generation.h"
#include "schema.h"
#include "strbuf.h"
#include "text.h"
#include "versions.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* One database written by the job: the index itself, one of its shards,
 * or one partition of a rebuild. */
struct part {
	char *path;
	xap_writer *w;
	spelling_words *sw;
	int unmarked;  /* empty when opened: META_SCHEMA is yet to be set */
	int schema;    /* what its documents are written to (META_SCHEMA) */
	versions_seen *seen; /* empty when opened: the stories written since */
};

struct job {
	const job_options *opts;
	const job_callbacks *cb;
	job_counts *counts;
	/* Routing: a dispatch belongs to partition p = shard_of(id, n_routes);
	 * this job writes the partitions p with p % stride == offset, the
	 * k-th of them into parts[k] (p = offset + k * stride). */
	struct part *parts;
	size_t n_parts;
	unsigned n_routes, stride, offset;
	int quiet_input;         /* another worker reports input problems */
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

/* Count REASON_LEN bytes of REASON as a reason for skipping, N times. */
static void count_reason_n(job_counts *c, const char *reason, size_t len,
			   unsigned long n)
{
	const size_t max = sizeof(c->reasons[0].reason) - 1;
	unsigned i;

	if (len > max)
		len = text_utf8_prefix(reason, len, max);
	for (i = 0; i < c->n_reasons; i++)
		if (strlen(c->reasons[i].reason) == len &&
		    !memcmp(c->reasons[i].reason, reason, len))
			break;
	if (i == c->n_reasons) {
		if (i == sizeof(c->reasons) / sizeof(c->reasons[0]))
			return; /* enough kinds to say what went wrong */
		memcpy(c->reasons[i].reason, reason, len);
		c->reasons[i].reason[len] = '\0';
		c->n_reasons++;
	}
	c->reasons[i].n += n;
}

/* The reason of a problem message: its words up to the first detail
 * (a colon, a parenthesis, a quote or a number). */
static void count_reason(job_counts *c, const char *message)
{
	static const char *const where[] = { " at", " in", " on", " column",
					     " line", " byte", " offset" };
	size_t len = strcspn(message, ":('\"0123456789");
	int trimmed = 1;

	/* "invalid JSON at column 17" is counted as "invalid JSON". */
	while (trimmed) {
		trimmed = 0;
		while (len && (message[len - 1] == ' ' || message[len - 1] == ','))
			len--;
		for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
			size_t w = strlen(where[i]);

			if (len > w && !memcmp(message + len - w, where[i], w)) {
				len -= w;
				trimmed = 1;
			}
		}
	}
	if (!len)
		count_reason_n(c, "other", 5, 1);
	else
		count_reason_n(c, message, len, 1);
}

static void reader_problem(void *ctx, const char *file, unsigned long line,
			   const char *message, int skipped)
{
	struct job *j = ctx;

	if (j->quiet_input)
		return;
	problem(j, "%s:%lu: %s", file, line, message);
	if (skipped)
		count_reason(j->counts, message);
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
/* Batches: one transaction on every database the job writes.           */

/* The part that holds the job's metadata (file records, last job), or
 * NULL when another worker of a rebuild owns partition 0. */
static struct part *meta_part(struct job *j)
{
	return j->offset == 0 && j->n_parts ? &j->parts[0] : NULL;
}

static xap_status batch_begin(struct job *j)
{
	xap_status st = XAP_OK;

	j->batch_docs = 0;
	j->batch_bytes = 0;
	strbuf_reset(&j->pending_meta);
	for (size_t i = 0; st == XAP_OK && i < j->n_parts; i++)
		st = xap_writer_begin(j->parts[i].w);
	return st;
}

/* The spelling table is written once per job, in its last batch, and
 * before that only when the words held grow past SPELLING_FLUSH_WORDS; a
 * job of fewer than SPELLING_MIN_DOCS dispatches leaves it alone (rebuild
 * refreshes it).  Xapian 1.4.22 damages its spelling table after a few
 * thousand small commits that write to it ("Too few chunks of compressed
 * data"): a feed committing each story on its own would otherwise break
 * the index (tests/e2e/069). */
#define SPELLING_FLUSH_WORDS 200000
#define SPELLING_MIN_DOCS 20

static int spelling_due(const struct job *j, const struct part *p, int last)
{
	if (spelling_words_count(p->sw) >= SPELLING_FLUSH_WORDS)
		return 1;
	return last && (j->stride > 1 || j->n_routes > 1 || j->opts->force ||
			j->counts->added + j->counts->replaced >= SPELLING_MIN_DOCS);
}

static xap_status batch_commit(struct job *j, int last)
{
	const char *p = j->pending_meta.buf, *end = p + j->pending_meta.len;
	struct part *meta = meta_part(j);
	xap_status st = XAP_OK;

	for (size_t i = 0; st == XAP_OK && i < j->n_parts; i++)
		if (spelling_due(j, &j->parts[i], last))
			st = spelling_words_flush(j->parts[i].sw, j->parts[i].w);
	while (st == XAP_OK && meta && p && p < end) {
		const char *key = p, *value = key + strlen(key) + 1;

		p = value + strlen(value) + 1;
		st = xap_writer_set_metadata(meta->w, key, value, strlen(value));
	}
	/* The job's summary goes in with its last batch: one commit for a
	 * small job, so readers are overtaken as seldom as can be. */
	if (st == XAP_OK && meta && last) {
		char summary[1024];

		j->counts->seconds = now_seconds() - j->started;
		job_summary(j->counts, summary, sizeof(summary));
		st = xap_writer_set_metadata(meta->w, META_LAST_JOB, summary,
					     strlen(summary));
	}
	/* A database that starts empty gets every mark of this schema, and
	 * says so; an older one is never claimed to have them. */
	for (size_t i = 0; st == XAP_OK && i < j->n_parts; i++)
		if (j->parts[i].unmarked) {
			char v[16];

			snprintf(v, sizeof(v), "%d", j->parts[i].schema);
			st = xap_writer_set_metadata(j->parts[i].w, META_SCHEMA, v,
						     strlen(v));
		}
	for (size_t i = 0; st == XAP_OK && i < j->n_parts; i++)
		st = xap_writer_commit_transaction(j->parts[i].w);
	if (st == XAP_OK) {
		j->counts->batches++;
		for (size_t i = 0; i < j->n_parts; i++)
			j->parts[i].unmarked = 0;
	}
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
	if ((st = batch_commit(j, 0)) != XAP_OK)
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

	if (!meta_part(j) ||
	    xap_db_get_metadata(xap_writer_db(meta_part(j)->w), sig->key, &old,
				&len) != XAP_OK || !old)
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

/* The part dispatch D goes to, or NULL when another worker has it. */
static struct part *route(struct job *j, const dispatch *d)
{
	unsigned p = gen_shard_of(d->id, j->n_routes);

	if (p % j->stride != j->offset)
		return NULL;
	return &j->parts[p / j->stride];
}

/* Index one dispatch.  Returns XAP_OK also when the dispatch was skipped
 * (reported); another status ends the job. */
static xap_status index_one(struct job *j, const dispatch *d)
{
	struct part *part;
	xap_doc *doc;
	xap_status st;
	int replaced = 0;

	if (!d->id) {
		if (!j->quiet_input) {
			problem(j, "%s:%u: dispatch has no id, skipped",
				d->source_file ? d->source_file : "-", d->source_line);
			count_reason(j->counts, "dispatch has no id");
			j->counts->read++;
			j->counts->skipped++;
		}
		return XAP_OK;
	}
	part = route(j, d);
	if (!part)
		return XAP_OK;
	j->counts->read++;
	doc = xap_doc_new();
	if (!doc)
		return XAP_NOMEM;
	st = document_build(d, doc, part->sw, NULL, part->schema);
	if (st == XAP_INVALID) {
		/* Something in this dispatch Xapian refuses: skip it alone.
		 * Any failure of the writer itself (below) ends the job. */
		problem(j, "%s:%u: dispatch '%s' cannot be indexed: %s",
			d->source_file ? d->source_file : "-", d->source_line,
			d->id, xap_doc_message(doc));
		j->counts->skipped++;
		count_reason(j->counts, "refused by Xapian");
		xap_doc_free(doc);
		return XAP_OK;
	}
	if (st == XAP_OK)
		st = versions_upsert(part->w, d, doc, part->seen, &replaced);
	if (st == XAP_OK) {
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
		if (!j->quiet_input) {
			problem(j, "%s", msg);
			j->counts->errors++;
			count_reason(j->counts, "unreadable file");
		}
		return XAP_OK;
	}
	j->counts->files++;
	for (;;) {
		dispatch d;
		uint64_t before = reader_bytes_read(r);

		dispatch_init(&d);
		got = reader_next(r, &d);
		j->counts->bytes += reader_bytes_read(r) - before;
		/* A full batch is committed only when another dispatch is
		 * there to start the next one, so a file's last dispatch and
		 * the record that the file is done land in the same batch. */
		if (got == 1 && (st = batch_next_if_full(j)) == XAP_OK)
			st = index_one(j, &d);
		dispatch_release(&d);
		if (got != 1 || st != XAP_OK)
			break;
		maybe_progress(j, 0);
	}
	if (got < 0) {
		if (!j->quiet_input)
			problem(j, "%s", reader_error(r));
		file_ok = 0;
	}
	rs = reader_get_stats(r);
	if (!j->quiet_input) {
		j->counts->skipped += rs->skipped;
		j->counts->utf8_repaired += rs->utf8_repaired;
		j->counts->dates_repaired += rs->dates_repaired;
	}
	/* A file with skipped records is read again next time. */
	if (rs->skipped)
		file_ok = 0;
	if (reader_close(r, msg, sizeof(msg))) {
		if (got >= 0 && !j->quiet_input)
			problem(j, "%s", msg);
		got = -1;
		file_ok = 0;
	}
	if (got < 0 && !j->quiet_input) {
		j->counts->errors++;
		count_reason(j->counts, "damaged file");
	}
	/* Only a file read cleanly to its end is remembered as done. */
	if (st == XAP_OK && file_ok && have_sig && meta_part(j) &&
	    remember_file(j, &sig, f->path))
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

/* The schema an empty database is written to: the current one, or
 * WIRE_INDEX_SCHEMA=2 (the layout of indexes written before schema 3, for
 * the tests that check the searcher still reads them). */
static int new_schema(void)
{
	const char *v = getenv("WIRE_INDEX_SCHEMA");

	return v && !strcmp(v, "2") ? 2 : META_SCHEMA_NUMBER;
}

/* Note whether P's database is empty: one that is (new, or every story
 * deleted) is written wholly to the current schema, and its stories are
 * tracked so that new ones are added without a lookup.  A database with
 * documents keeps the schema it has (no mark: schema 1). */
static xap_status mark_if_empty(struct part *p)
{
	char *schema = NULL;
	size_t len;
	uint32_t n = 0;
	xap_status st = xap_db_doccount(xap_writer_db(p->w), &n);

	if (st == XAP_OK)
		st = xap_db_get_metadata(xap_writer_db(p->w), META_SCHEMA, &schema, &len);
	p->schema = !n ? new_schema() : schema ? atoi(schema) : 1;
	p->unmarked = st == XAP_OK && !n && (!schema || atoi(schema) != p->schema);
	free(schema);
	if (st == XAP_OK && !n && !(p->seen = versions_seen_new()))
		st = XAP_NOMEM;
	return st;
}

/* Open a writer on each of the N_PATHS databases, with FLAGS. */
static enum job_status open_parts(struct job *j, char *const *paths,
				  size_t n_paths, int flags)
{
	j->parts = wire_calloc(n_paths, sizeof(*j->parts));
	if (!j->parts) {
		fail(j, "out of memory");
		return JOB_FAILED;
	}
	for (size_t i = 0; i < n_paths; i++) {
		struct part *p = &j->parts[j->n_parts++];
		xap_status st;

		p->path = wire_strdup(paths[i]);
		p->w = xap_writer_new();
		p->sw = spelling_words_new();
		if (!p->path || !p->w || !p->sw) {
			fail(j, "out of memory");
			return JOB_FAILED;
		}
		st = xap_writer_open(p->w, paths[i], flags);
		if (st == XAP_LOCKED) {
			fail(j, "%s: the index is locked by another writer (use --wait to wait for it)",
			     j->opts->db_path);
			return JOB_LOCKED;
		}
		if (st != XAP_OK) {
			fail(j, "%s: cannot open the index for writing: %s", paths[i],
			     xap_writer_message(p->w));
			return JOB_FAILED;
		}
		if ((st = mark_if_empty(p)) != XAP_OK) {
			fail(j, "%s: cannot read the index: %s", paths[i],
			     st == XAP_NOMEM ? "out of memory" : xap_writer_message(p->w));
			return JOB_FAILED;
		}
	}
	return JOB_OK;
}

static void close_parts(struct job *j)
{
	for (size_t i = 0; i < j->n_parts; i++) {
		xap_writer_free(j->parts[i].w);
		spelling_words_free(j->parts[i].sw);
		versions_seen_free(j->parts[i].seen);
		free(j->parts[i].path);
	}
	free(j->parts);
	j->parts = NULL;
	j->n_parts = 0;
	strbuf_release(&j->pending_meta);
}

static void job_init(struct job *j, const job_options *opts,
		     const job_callbacks *cb, job_counts *counts, char *err,
		     size_t errlen)
{
	memset(j, 0, sizeof(*j));
	memset(counts, 0, sizeof(*counts));
	j->opts = opts;
	j->cb = cb;
	j->counts = counts;
	j->err = err;
	j->errlen = errlen;
	j->n_routes = 1;
	j->stride = 1;
	err[0] = '\0';
	j->started = now_seconds();
}

/* Finish: commit the summary and close every writer, or undo the open
 * batch after a failure. */
static enum job_status job_end(struct job *j, xap_status st, const char *what)
{
	enum job_status js = JOB_OK;
	struct part *failed = NULL;

	for (size_t i = 0; st == XAP_OK && i < j->n_parts; i++)
		if ((st = xap_writer_close(j->parts[i].w)) != XAP_OK)
			failed = &j->parts[i];
	if (st != XAP_OK) {
		if (!failed)
			for (size_t i = 0; i < j->n_parts && !failed; i++)
				if (*xap_writer_message(j->parts[i].w))
					failed = &j->parts[i];
		if (!*j->err)
			fail(j, "%s: %s failed (%s): %s",
			     failed ? failed->path : j->opts->db_path, what,
			     xap_status_name(st),
			     failed ? xap_writer_message(failed->w) : xap_last_message());
		for (size_t i = 0; i < j->n_parts; i++)
			xap_writer_cancel_transaction(j->parts[i].w);
		js = JOB_FAILED;
	} else if (j->counts->skipped || j->counts->errors) {
		js = JOB_SKIPPED;
	}
	maybe_progress(j, 1);
	close_parts(j);
	return js;
}

/* Run the file loop over every input, in batches. */
static xap_status run_files(struct job *j, const walk_list *files)
{
	xap_status st = batch_begin(j);

	for (size_t i = 0; st == XAP_OK && i < files->n; i++)
		st = index_file(j, &files->files[i]);
	if (st == XAP_OK)
		st = batch_commit(j, 1);
	return st;
}

static int writer_flags(const job_options *opts)
{
	int flags = XAP_WRITER_CREATE;

	if (opts->wait_lock)
		flags |= XAP_WRITER_WAIT_LOCK;
	if (opts->no_sync)
		flags |= XAP_WRITER_NO_SYNC;
	return flags;
}

/* Take the job lock and find the databases of DB (making DB a managed
 * index when it is new).  Returns the lock fd (>= 0) or a job status. */
static int open_index(struct job *j, generation *g, int *lock_fd)
{
	const char *db = j->opts->db_path;
	int fd = gen_lock(db, j->opts->wait_lock, j->err, j->errlen);

	*lock_fd = -1;
	if (fd == -2) {
		fail(j, "%s: the index is locked by another job (use --wait to wait for it)", db);
		return JOB_LOCKED;
	}
	if (fd < 0)
		return JOB_FAILED;
	*lock_fd = fd;
	if (gen_read(db, g, j->err, j->errlen))
		return JOB_FAILED;
	if (g->layout == GEN_NONE &&
	    gen_create(db, j->opts->shards, g, j->err, j->errlen))
		return JOB_FAILED;
	return JOB_OK;
}

enum job_status job_index(const job_options *opts, const walk_list *files,
			  const job_callbacks *cb, job_counts *counts,
			  char *err, size_t errlen)
{
	struct job j;
	generation g;
	enum job_status js;
	int lock_fd;

	job_init(&j, opts, cb, counts, err, errlen);
	memset(&g, 0, sizeof(g));
	counts->total_bytes = total_size(files);
	js = open_index(&j, &g, &lock_fd);
	if (js == JOB_OK) {
		j.n_routes = (unsigned)g.n_dbs;
		js = open_parts(&j, g.dbs, g.n_dbs, writer_flags(opts));
	}
	gen_release(&g);
	if (js != JOB_OK) {
		close_parts(&j);
		if (lock_fd >= 0)
			close(lock_fd);
		return js;
	}
	js = job_end(&j, run_files(&j, files), "indexing");
	close(lock_fd);
	return js;
}

enum job_status job_remove(const job_options *opts, char *const *ids,
			   size_t n, int withdraw, const job_callbacks *cb,
			   job_counts *counts, char *err, size_t errlen)
{
	struct job j;
	generation g;
	enum job_status js;
	xap_status st;
	int lock_fd;

	job_init(&j, opts, cb, counts, err, errlen);
	memset(&g, 0, sizeof(g));
	js = open_index(&j, &g, &lock_fd);
	if (js == JOB_OK) {
		j.n_routes = (unsigned)g.n_dbs;
		js = open_parts(&j, g.dbs, g.n_dbs, writer_flags(opts));
	}
	gen_release(&g);
	if (js != JOB_OK) {
		close_parts(&j);
		if (lock_fd >= 0)
			close(lock_fd);
		return js;
	}
	st = batch_begin(&j);
	for (size_t i = 0; st == XAP_OK && i < n; i++) {
		struct part *part = &j.parts[gen_shard_of(ids[i], j.n_routes)];
		unsigned count = 0;

		st = withdraw ? versions_withdraw(part->w, ids[i], &count)
			      : versions_delete(part->w, ids[i], &count);
		if (st == XAP_OK && !count) {
			problem(&j, "no story with id '%s'", ids[i]);
			counts->skipped++;
		}
		counts->read++;
		counts->replaced += count;
	}
	if (st == XAP_OK)
		st = batch_commit(&j, 1);
	js = job_end(&j, st, withdraw ? "withdrawing" : "deleting");
	close(lock_fd);
	return js;
}

/* ------------------------------------------------------------------ */
/* Rebuild: a new generation built beside the live one, in parallel.    */

/* One worker of a rebuild: index its partitions into BUILD/part-P. */
static enum job_status rebuild_worker(const job_options *opts,
				      const walk_list *files,
				      const job_callbacks *cb, const char *build,
				      unsigned parts, unsigned workers,
				      unsigned w, job_counts *counts, char *err,
				      size_t errlen)
{
	struct job j;
	char **paths = NULL;
	size_t n = 0;
	enum job_status js = JOB_FAILED;
	job_options wopts = *opts;

	/* A throwaway generation: no fsync; a crash only loses the .build
	 * directory, which the next job removes. */
	wopts.no_sync = 1;
	wopts.force = 1;
	job_init(&j, &wopts, cb, counts, err, errlen);
	j.n_routes = parts;
	j.stride = workers;
	j.offset = w;
	j.quiet_input = w != 0;
	counts->total_bytes = total_size(files);
	paths = wire_calloc(parts, sizeof(*paths));
	if (!paths) {
		fail(&j, "out of memory");
		return JOB_FAILED;
	}
	for (unsigned p = w; p < parts; p += workers) {
		char name[32];

		snprintf(name, sizeof(name), "part-%u", p);
		if (!(paths[n++] = gen_path_join(build, name))) {
			fail(&j, "out of memory");
			goto out;
		}
	}
	/* No DB_DANGEROUS: with it a failed write (a full disk) surfaces as
	 * "cancel() not supported" instead of the write's own error. */
	js = open_parts(&j, paths, n, XAP_WRITER_CREATE | XAP_WRITER_NO_SYNC);
	if (js == JOB_OK)
		js = job_end(&j, run_files(&j, files), "indexing");
	else
		close_parts(&j);
out:
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return js;
}

/* What a worker sends its parent through a pipe. */
struct worker_report {
	int status;
	job_counts counts;
	char err[1024];
};

static void add_counts(job_counts *to, const job_counts *c)
{
	to->files = to->files > c->files ? to->files : c->files;
	to->read += c->read;
	to->added += c->added;
	to->replaced += c->replaced;
	to->unchanged += c->unchanged;
	to->skipped += c->skipped;
	to->errors += c->errors;
	to->utf8_repaired += c->utf8_repaired;
	to->dates_repaired += c->dates_repaired;
	to->batches += c->batches;
	to->bytes = to->bytes > c->bytes ? to->bytes : c->bytes;
	for (unsigned i = 0; i < c->n_reasons; i++)
		count_reason_n(to, c->reasons[i].reason, strlen(c->reasons[i].reason),
			       c->reasons[i].n);
}

/* Merge the partitions into the generation's databases and check them. */
static int rebuild_merge(const char *build, unsigned parts, unsigned shards,
			 char *err, size_t errlen)
{
	char **srcs = wire_calloc(parts, sizeof(*srcs));
	int r = -1;

	if (!srcs)
		goto oom;
	for (unsigned p = 0; p < parts; p++) {
		char name[32];

		snprintf(name, sizeof(name), "part-%u", p);
		if (!(srcs[p] = gen_path_join(build, name)))
			goto oom;
	}
	for (unsigned s = 0; s < (shards ? shards : 1); s++) {
		char name[32], *dest;
		size_t errors = 0;
		xap_status st;

		if (shards)
			snprintf(name, sizeof(name), "shard-%u", s);
		else
			snprintf(name, sizeof(name), "db");
		if (!(dest = gen_path_join(build, name)))
			goto oom;
		st = xap_compact((const char *const *)(shards ? srcs + s : srcs),
				 shards ? 1 : parts, dest, 1, 0);
		if (st == XAP_OK)
			st = xap_check(dest, &errors);
		if (st != XAP_OK || errors) {
			snprintf(err, errlen, "%s: the new generation %s (%s): %s", dest,
				 st != XAP_OK ? "could not be merged" : "failed its check",
				 xap_status_name(st), errors ? "errors found" : xap_last_message());
			free(dest);
			goto out;
		}
		free(dest);
	}
	for (unsigned p = 0; p < parts; p++)
		gen_remove_tree(srcs[p]);
	r = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	if (srcs)
		for (unsigned p = 0; p < parts; p++)
			free(srcs[p]);
	free(srcs);
	return r;
}

enum job_status job_rebuild(const job_options *opts, const walk_list *files,
			    const job_callbacks *cb, job_counts *counts,
			    char *err, size_t errlen)
{
	struct job j;
	generation g;
	unsigned workers = opts->jobs ? opts->jobs : 1;
	unsigned shards = opts->shards > 1 ? opts->shards : 0;
	unsigned parts = shards ? shards : workers, number, old;
	pid_t *pids = NULL;
	int *fds = NULL, lock_fd = -1, failed = 0, locked = 0;
	char *build = NULL;
	enum job_status js;

	job_init(&j, opts, cb, counts, err, errlen);
	memset(&g, 0, sizeof(g));
	if (workers > parts)
		workers = parts;
	lock_fd = gen_lock(opts->db_path, opts->wait_lock, err, errlen);
	if (lock_fd == -2) {
		fail(&j, "%s: the index is locked by another job (use --wait to wait for it)",
		     opts->db_path);
		return JOB_LOCKED;
	}
	if (lock_fd < 0)
		return JOB_FAILED;
	if (gen_read(opts->db_path, &g, err, errlen))
		goto fail;
	if (g.layout == GEN_PLAIN) {
		fail(&j, "%s: a single Xapian database, not an index wire-index manages: rebuild into a new --db",
		     opts->db_path);
		goto fail;
	}
	old = g.number;
	/* Leftovers of a job that died: unfinished .build directories.  The
	 * generation before the live one stays until this job's switch. */
	gen_cleanup(opts->db_path, old, gen_number_before(opts->db_path, old));
	number = gen_last_number(opts->db_path) + 1;
	build = gen_dir(opts->db_path, number, 1);
	pids = wire_calloc(workers, sizeof(*pids));
	fds = wire_calloc(workers, sizeof(*fds));
	if (!build || !pids || !fds) {
		fail(&j, "out of memory");
		goto fail;
	}
	if (mkdir(build, 0777)) {
		fail(&j, "%s: cannot create: %s", build, strerror(errno));
		goto fail;
	}
	counts->total_bytes = total_size(files);
	fflush(NULL);
	for (unsigned w = 0; w < workers; w++) {
		int pipefd[2];

		if (pipe(pipefd)) {
			fail(&j, "cannot start workers: %s", strerror(errno));
			goto fail_workers;
		}
		pids[w] = fork();
		if (pids[w] < 0) {
			fail(&j, "cannot start workers: %s", strerror(errno));
			close(pipefd[0]);
			close(pipefd[1]);
			goto fail_workers;
		}
		if (pids[w] == 0) {
			struct worker_report rep;

			/* A worker must not outlive a killed job: it would keep
			 * the job lock (inherited) held. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(2); /* lint-ok: the job died already */
			close(pipefd[0]);
			memset(&rep, 0, sizeof(rep));
			rep.status = rebuild_worker(opts, files, cb, build, parts,
						    workers, w, &rep.counts, rep.err,
						    sizeof(rep.err));
			if (write(pipefd[1], &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
				_exit(2); /* lint-ok: a worker process ends here */
			_exit(0); /* lint-ok: a worker process ends here */
		}
		close(pipefd[1]);
		fds[w] = pipefd[0];
	}
	for (unsigned w = 0; w < workers; w++) {
		struct worker_report rep;
		size_t got = 0;
		ssize_t n;
		int wst;

		while (got < sizeof(rep) &&
		       (n = read(fds[w], (char *)&rep + got, sizeof(rep) - got)) > 0)
			got += (size_t)n;
		close(fds[w]);
		waitpid(pids[w], &wst, 0);
		pids[w] = 0;
		if (got != sizeof(rep) || !WIFEXITED(wst) || WEXITSTATUS(wst)) {
			if (!*err)
				fail(&j, "%s: a rebuild worker died", opts->db_path);
			failed = 1;
			continue;
		}
		add_counts(counts, &rep.counts);
		if (rep.status == JOB_LOCKED)
			locked = 1;
		if (rep.status == JOB_FAILED || rep.status == JOB_LOCKED) {
			failed = 1;
			if (!*err)
				fail(&j, "%s", rep.err);
		}
	}
	if (failed)
		goto fail;
	if (rebuild_merge(build, parts, shards, err, errlen) ||
	    gen_switch(opts->db_path, number, shards, err, errlen))
		goto fail;
	/* Keep the generation just replaced: searchers may still use it. */
	gen_cleanup(opts->db_path, number, old);
	gen_release(&g);
	free(build);
	free(pids);
	free(fds);
	close(lock_fd);
	counts->seconds = now_seconds() - j.started;
	js = counts->skipped || counts->errors ? JOB_SKIPPED : JOB_OK;
	return js;

fail_workers:
	for (unsigned w = 0; w < workers; w++) {
		if (pids[w] > 0) {
			int wst;

			kill(pids[w], SIGKILL);
			waitpid(pids[w], &wst, 0);
		}
		if (fds[w] > 0)
			close(fds[w]);
	}
fail:
	if (build)
		gen_remove_tree(build);
	gen_release(&g);
	free(build);
	free(pids);
	free(fds);
	close(lock_fd);
	counts->seconds = now_seconds() - j.started;
	return locked ? JOB_LOCKED : JOB_FAILED;
}

void job_summary(const job_counts *c, char *out, size_t size)
{
	double rate = c->seconds > 0 ? (double)c->read / c->seconds : 0;
	strbuf why = STRBUF_INIT;

	for (unsigned i = 0; i < c->n_reasons; i++)
		strbuf_addf(&why, "%s%s %lu", i ? ", " : " (", c->reasons[i].reason,
			    c->reasons[i].n);
	if (c->n_reasons)
		strbuf_addch(&why, ')');
	snprintf(out, size,
		 "read %lu, added %lu, replaced %lu, unchanged %lu, skipped %lu, "
		 "errors %lu%s, utf8 repaired %lu, dates repaired %lu, %.2f s, %.0f dispatches/s",
		 c->read, c->added, c->replaced, c->unchanged, c->skipped,
		 c->errors, strbuf_str(&why), c->utf8_repaired, c->dates_repaired,
		 c->seconds, rate);
	strbuf_release(&why);
}
