/*
 * wire-index - put dispatches into the index, take them out, report on it.
 *
 *   wire-index [add] --db DB PATH...     index files and directories
 *   wire-index rebuild --db DB PATH...   build a new generation, switch to it
 *   wire-index delete --db DB ID...      delete stories (every version)
 *   wire-index withdraw --db DB ID...    mark stories withdrawn (a kill)
 *   wire-index stats --db DB [--json]    what the index holds
 *
 * Exit status: 0 everything indexed; 3 finished but some input skipped;
 * 2 failed (usage, or the index could not be written); 75 locked.
 */
#include "alloc.h"
#include "generation.h"
#include "index.h"
#include "job.h"
#include "schema.h"
#include "walk.h"
#include "version.h"
#include "xap.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_SKIPPED 3
#define EXIT_FAILED 2
#define EXIT_LOCKED 75

static const char usage_text[] =
	"usage: wire-index [add] [--db DB] [options] PATH...\n"
	"       wire-index rebuild [--db DB] [-j N] [--shards N] [options] PATH...\n"
	"       wire-index delete [--db DB] ID...\n"
	"       wire-index withdraw [--db DB] ID...\n"
	"       wire-index stats [--db DB] [--json]\n"
	"\n"
	"  --db DB          the index (default: $WIRE_DB, else ./wire.db)\n"
	"  --format FMT     input format: auto, text, reuters, jsonl, newsml\n"
	"  --wait           wait for another writer instead of exiting 75\n"
	"  --force          re-read files even when unchanged since the last run\n"
	"  --batch N        dispatches per committed batch (default 1000)\n"
	"  --memory MB      bound of a batch in memory (default 64)\n"
	"  -j, --jobs N     (rebuild) parallel workers (default: the number of cores)\n"
	"  --shards N       (rebuild, or a new index) split the index into N shards\n"
	"  -q, --quiet      no summary line\n"
	"  --json           (stats) one JSON object\n"
	"  -h, --help       this help; --version: the release\n";

struct cli {
	const char *db;
	job_options opts;
	int quiet;
	int json;
	int tty;
	int progress_shown;
};

static void die_usage(const char *fmt, const char *arg)
	__attribute__((format(printf, 1, 0), noreturn));
static void die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "wire-index: ");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	fprintf(stderr, fmt, arg);
#pragma GCC diagnostic pop
	fprintf(stderr, "\n%s", usage_text);
	exit(EXIT_FAILED);
}

static void clear_progress(struct cli *c)
{
	if (c->progress_shown) {
		fputs("\r\033[K", stderr);
		c->progress_shown = 0;
	}
}

static void on_problem(void *ctx, const char *message)
{
	struct cli *c = ctx;

	clear_progress(c);
	fprintf(stderr, "wire-index: %s\n", message);
}

static void on_progress(void *ctx, const job_counts *k)
{
	struct cli *c = ctx;
	double mb = (double)k->bytes / 1e6;
	double rate = k->seconds > 0 ? mb / k->seconds : 0;
	double eta = 0;

	if (!c->tty)
		return;
	if (rate > 0 && k->total_bytes > k->bytes)
		eta = ((double)(k->total_bytes - k->bytes) / 1e6) / rate;
	fprintf(stderr, "\r\033[K%lu files, %lu dispatches, %.1f MB/s, %.0f s elapsed, ETA %.0f s",
		k->files, k->read, rate, k->seconds, eta);
	c->progress_shown = 1;
}

static int exit_code(enum job_status js)
{
	switch (js) {
	case JOB_OK:
		return 0;
	case JOB_SKIPPED:
		return EXIT_SKIPPED;
	case JOB_LOCKED:
		return EXIT_LOCKED;
	case JOB_FAILED:
		break;
	}
	return EXIT_FAILED;
}

static void walk_problem(void *ctx, const char *path, const char *reason)
{
	struct cli *c = ctx;

	clear_progress(c);
	fprintf(stderr, "wire-index: %s: %s\n", path, reason);
}

/* Index PATHS incrementally (add), or into a new generation (rebuild). */
static int run_index(struct cli *c, char **paths, int n, int rebuild)
{
	walk_list files = { NULL, 0, 0 };
	job_callbacks cb = { on_problem, on_progress, c };
	job_counts counts;
	char err[1024], summary[1024];
	unsigned unreadable = 0;
	enum job_status js;

	if (n == 0)
		die_usage("%s", "no files or directories to index");
	for (int i = 0; i < n; i++) {
		if (walk_add(&files, paths[i], walk_problem, c, &unreadable)) {
			fprintf(stderr, "wire-index: out of memory\n");
			walk_release(&files);
			return EXIT_FAILED;
		}
	}
	if (rebuild && !c->opts.jobs) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);

		c->opts.jobs = cores > 0 && cores < 64 ? (unsigned)cores : 1;
	}
	js = rebuild ? job_rebuild(&c->opts, &files, &cb, &counts, err, sizeof(err))
		     : job_index(&c->opts, &files, &cb, &counts, err, sizeof(err));
	walk_release(&files);
	clear_progress(c);
	if (*err)
		fprintf(stderr, "wire-index: %s\n", err);
	counts.errors += unreadable;
	if (js == JOB_OK && unreadable)
		js = JOB_SKIPPED;
	if (js != JOB_LOCKED && !c->quiet) {
		job_summary(&counts, summary, sizeof(summary));
		fprintf(stderr, "wire-index: %s%s\n",
			rebuild && js == JOB_FAILED
				? "rebuild failed, the live index is unchanged: " : "",
			summary);
	}
	return exit_code(js);
}

static int run_remove(struct cli *c, char **ids, int n, int withdraw)
{
	job_callbacks cb = { on_problem, NULL, c };
	job_counts counts;
	char err[1024];
	enum job_status js;

	if (n == 0)
		die_usage("%s", "no story ids given");
	js = job_remove(&c->opts, ids, (size_t)n, withdraw, &cb, &counts, err,
			sizeof(err));
	if (*err)
		fprintf(stderr, "wire-index: %s\n", err);
	if (js != JOB_LOCKED && !c->quiet)
		fprintf(stderr, "wire-index: %s %lu versions of %lu stories\n",
			withdraw ? "withdrew" : "deleted", counts.replaced,
			counts.read - counts.skipped);
	return exit_code(js);
}

/* ------------------------------------------------------------------ */
/* stats                                                                */

struct stats {
	uint32_t documents;
	uint32_t stories;
	uint32_t withdrawn_versions;
	uint32_t withdrawn_stories;
	json_t *agencies;
	char first[16], last[16];
	unsigned generation;
};

static int count_term(void *ctx, const char *term, size_t len, uint32_t freq)
{
	uint32_t *n = ctx;

	(void)term;
	(void)len;
	(void)freq;
	(*n)++;
	return 0;
}

static int add_agency(void *ctx, const char *term, size_t len, uint32_t freq)
{
	struct stats *s = ctx;
	size_t plen = strlen(PREFIX_AGENCY);
	char name[256];

	if (len - plen >= sizeof(name))
		return 0;
	memcpy(name, term + plen, len - plen);
	name[len - plen] = '\0';
	json_object_set_new(s->agencies, name, json_integer(freq));
	return 0;
}

static int note_day(void *ctx, const char *term, size_t len, uint32_t freq)
{
	struct stats *s = ctx;

	(void)freq;
	if (len != 9)
		return 0;
	if (!s->first[0])
		memcpy(s->first, term + 1, 8);
	memcpy(s->last, term + 1, 8);
	return 0;
}

static uint64_t tree_bytes;

static int add_file_size(const char *path, const struct stat *st, int flag,
			 struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (flag == FTW_F)
		tree_bytes += (uint64_t)st->st_size;
	return 0;
}

/* Bytes on disk of the index: every file under PATH. */
static uint64_t dir_bytes(const char *path)
{
	tree_bytes = 0;
	if (nftw(path, add_file_size, 16, FTW_PHYS))
		return 0;
	return tree_bytes;
}

static int run_stats(struct cli *c)
{
	struct stats s;
	char err[1024];
	xap_db *db;
	xap_status st;
	char *last_job = NULL;
	size_t len;
	uint64_t revision = 0;
	json_t *o;

	memset(&s, 0, sizeof(s));
	db = index_open(c->db, &st, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "wire-index: %s\n", err);
		return EXIT_FAILED;
	}
	if (st == XAP_OK)
		st = xap_db_doccount(db, &s.documents);
	if (st == XAP_OK)
		st = xap_db_allterms(db, PREFIX_STORY, count_term, &s.stories);
	if (st == XAP_OK)
		st = xap_db_termfreq(db, TERM_WITHDRAWN, &s.withdrawn_versions);
	s.agencies = json_object();
	if (st == XAP_OK)
		st = xap_db_allterms(db, PREFIX_AGENCY, add_agency, &s);
	if (st == XAP_OK)
		st = xap_db_allterms(db, PREFIX_DAY, note_day, &s);
	if (st == XAP_OK)
		st = xap_db_get_metadata(db, META_LAST_JOB, &last_job, &len);
	if (st == XAP_OK)
		st = xap_db_revision(db, &revision);
	if (st != XAP_OK) {
		fprintf(stderr, "wire-index: %s: cannot read the index (%s): %s\n",
			c->db, xap_status_name(st), xap_db_message(db));
		json_decref(s.agencies);
		free(last_job);
		xap_db_free(db);
		return EXIT_FAILED;
	}
	{
		generation g;
		char gerr[256];

		if (!gen_read(c->db, &g, gerr, sizeof(gerr)) && g.layout == GEN_MANAGED)
			s.generation = g.number;
		gen_release(&g);
	}
	o = json_pack("{s:i, s:i, s:i, s:i, s:o, s:s?, s:s?, s:I, s:I, s:I, s:s?}",
		      "documents", (json_int_t)s.documents,
		      "stories", (json_int_t)s.stories,
		      "versions", (json_int_t)s.documents,
		      "withdrawn", (json_int_t)s.withdrawn_versions,
		      "agencies", s.agencies,
		      "first_day", s.first[0] ? s.first : NULL,
		      "last_day", s.last[0] ? s.last : NULL,
		      "bytes", (json_int_t)dir_bytes(c->db),
		      "generation", (json_int_t)s.generation,
		      "revision", (json_int_t)revision,
		      "last_job", last_job);
	if (c->json) {
		char *text = json_dumps(o, JSON_COMPACT);

		if (text)
			puts(text);
		free(text);
	} else {
		const char *key;
		json_t *v;

		printf("index:      %s\n", c->db);
		printf("documents:  %u (every indexed version)\n", s.documents);
		printf("stories:    %u\n", s.stories);
		printf("withdrawn:  %u versions\n", s.withdrawn_versions);
		printf("dates:      %s .. %s\n", s.first[0] ? s.first : "-",
		       s.last[0] ? s.last : "-");
		printf("agencies:  ");
		json_object_foreach(json_object_get(o, "agencies"), key, v)
			printf(" %s %lld", key, (long long)json_integer_value(v));
		printf("\nsize:       %llu bytes\n",
		       (unsigned long long)json_integer_value(json_object_get(o, "bytes")));
		printf("generation: %u\n", s.generation);
		printf("revision:   %llu\n", (unsigned long long)revision);
		printf("last job:   %s\n", last_job ? last_job : "-");
	}
	json_decref(o);
	free(last_job);
	xap_db_free(db);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "wire-index: write error: %s\n", strerror(errno));
		return EXIT_FAILED;
	}
	return 0;
}

/* The index a job writes, for on_xapian_fatal(). */
static const char *fatal_db;

/* xap_set_fatal_handler(): Xapian ended the process from inside a commit
 * (a write error where it cannot throw): the same message and exit status
 * as a write error it reports, instead of SIGABRT. */
static void on_xapian_fatal(const char *description)
{
	fprintf(stderr,
		"wire-index: %s: indexing failed (i/o): %s (the index keeps its last "
		"commit)\n",
		fatal_db ? fatal_db : "?", description);
	_exit(EXIT_FAILED);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "wait", no_argument, NULL, 'w' },
		{ "force", no_argument, NULL, 'F' },
		{ "batch", required_argument, NULL, 'b' },
		{ "memory", required_argument, NULL, 'm' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "shards", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli c;
	const char *cmd = "add";
	int opt;

	memset(&c, 0, sizeof(c));
	c.db = getenv("WIRE_DB");
	if (!c.db || !*c.db)
		c.db = "wire.db";
	c.tty = isatty(STDERR_FILENO);
	if (argc > 1 && argv[1][0] != '-') {
		if (!strcmp(argv[1], "add") || !strcmp(argv[1], "delete") ||
		    !strcmp(argv[1], "rebuild") ||
		    !strcmp(argv[1], "withdraw") || !strcmp(argv[1], "stats")) {
			cmd = argv[1];
			argv++;
			argc--;
		}
	}
	while ((opt = getopt_long(argc, argv, "qhj:", longopts, NULL)) != -1) {
		char *end;
		long v;

		switch (opt) {
		case 'd':
			c.db = optarg;
			break;
		case 'f': {
			int f = reader_format_parse(optarg);

			if (f < 0)
				die_usage("unknown format '%s' (auto, text, reuters, jsonl, newsml)",
					  optarg);
			c.opts.format = (enum reader_format)f;
			break;
		}
		case 'w':
			c.opts.wait_lock = 1;
			break;
		case 'F':
			c.opts.force = 1;
			break;
		case 'b':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 1000000)
				die_usage("--batch wants a number from 1 to 1000000, not '%s'", optarg);
			c.opts.batch_size = (unsigned)v;
			break;
		case 'm':
			v = strtol(optarg, &end, 10);
			if (*end || v < 8 || v > 65536)
				die_usage("--memory wants megabytes from 8 to 65536, not '%s'", optarg);
			c.opts.memory_mb = (size_t)v;
			break;
		case 'j':
		case 'J':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 64)
				die_usage("--jobs wants a number from 1 to 64, not '%s'", optarg);
			c.opts.jobs = (unsigned)v;
			break;
		case 's':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 1024)
				die_usage("--shards wants a number from 1 to 1024, not '%s'", optarg);
			c.opts.shards = (unsigned)v;
			break;
		case 'q':
			c.quiet = 1;
			break;
		case 'S':
			c.json = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V': {
			char line[160];

			wire_version_line(line, sizeof(line), "wire-index");
			if (fputs(line, stdout) == EOF || fflush(stdout)) {
				fprintf(stderr, "wire-index: write error: %s\n", strerror(errno));
				return EXIT_FAILED;
			}
			return 0;
		}
		default:
			fputs(usage_text, stderr);
			return EXIT_FAILED;
		}
	}
	c.opts.db_path = c.db;
	fatal_db = c.db;
	xap_set_fatal_handler(on_xapian_fatal);
	argv += optind;
	argc -= optind;
	if (!strcmp(cmd, "stats"))
		return run_stats(&c);
	if (!strcmp(cmd, "delete"))
		return run_remove(&c, argv, argc, 0);
	if (!strcmp(cmd, "withdraw"))
		return run_remove(&c, argv, argc, 1);
	return run_index(&c, argv, argc, !strcmp(cmd, "rebuild"));
}
