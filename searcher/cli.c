/*
 * wire-search - ranked search of the dispatch index from the command line.
 *
 * Exit status: 0 with hits, 1 with none, 2 on an error (usage, bad query,
 * unreadable index, write error), 4 when a remote shard is unreachable.
 */
#include "alloc.h"
#include "query.h"
#include "render.h"
#include "search.h"
#include "strbuf.h"
#include "version.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_HITS 0
#define EXIT_NO_HITS 1
#define EXIT_ERROR 2
#define EXIT_UNREACHABLE 4

static const char usage_text[] =
	"usage: wire-search [--db DB] [options] QUERY...\n"
	"\n"
	"  --db DB             the index (default: $WIRE_DB, else ./wire.db)\n"
	"  -n, --limit N       hits per page (default 10)\n"
	"  --offset N          skip the first N hits; --page N: page N (from 1)\n"
	"  --count             print only the number of matching stories\n"
	"  --json              JSON Lines: one object per hit, then a summary\n"
	"  --format FMT        text, json or tsv\n"
	"  --sort ORDER        relevance (default), date (oldest first), -date\n"
	"  --recency DAYS      blend relevance with freshness (half-life in days)\n"
	"  --now DATE          evaluate date:today, date:7d and --recency as of DATE\n"
	"  --default-op OP     and (default) or or: how plain words combine\n"
	"  --all-versions      list every matching version, not one per story\n"
	"  --include-withdrawn show withdrawn (killed) stories too\n"
	"  --facets            counts by agency, place, language and month\n"
	"  --explain           show how the query was understood\n"
	"  --no-stem           match words exactly, without their stems\n"
	"  --synonyms FILE     more acronyms and synonyms (KEY = EXPANSION)\n"
	"  --bm25 K1,B         BM25 parameters (default 1,0.5)\n"
	"  -h, --help          this help; --version: the release\n";

static void usage_error(const char *msg, const char *arg)
	__attribute__((noreturn));
static void usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "wire-search: %s '%s'\n%s", msg, arg, usage_text);
	exit(EXIT_ERROR);
}

static unsigned parse_uint(const char *opt, const char *s, unsigned max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max || s[0] == '-') {
		char msg[128];

		snprintf(msg, sizeof(msg), "%s wants a number from 0 to %u, not", opt, max);
		usage_error(msg, s);
	}
	return (unsigned)v;
}

/* The synonyms shipped with the program, or the file WIRE_SYNONYMS names. */
static synonyms *load_synonyms(const char *extra)
{
	char buf[4096], err[512];
	const char *path = synonyms_default_path(WIRE_DATADIR, buf, sizeof(buf));
	synonyms *syn = NULL;

	if (path && synonyms_load_prebuilt(path, &synonyms_default_compiled, &syn,
					   err, sizeof(err)) < 0)
		fprintf(stderr, "wire-search: %s (synonyms not used)\n", err);
	if (extra) {
		if (!syn && synonyms_load(extra, &syn, err, sizeof(err))) {
			fprintf(stderr, "wire-search: %s\n", err);
			exit(EXIT_ERROR);
		} else if (syn && synonyms_load_more(syn, extra, err, sizeof(err))) {
			fprintf(stderr, "wire-search: %s\n", err);
			synonyms_free(syn);
			exit(EXIT_ERROR);
		}
	}
	return syn;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "limit", required_argument, NULL, 'n' },
		{ "offset", required_argument, NULL, 'o' },
		{ "page", required_argument, NULL, 'p' },
		{ "count", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'f' },
		{ "sort", required_argument, NULL, 's' },
		{ "recency", required_argument, NULL, 'r' },
		{ "now", required_argument, NULL, 'N' },
		{ "default-op", required_argument, NULL, 'O' },
		{ "all-versions", no_argument, NULL, 'A' },
		{ "include-withdrawn", no_argument, NULL, 'W' },
		{ "facets", no_argument, NULL, 'F' },
		{ "explain", no_argument, NULL, 'e' },
		{ "no-stem", no_argument, NULL, 'S' },
		{ "synonyms", required_argument, NULL, 'y' },
		{ "bm25", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	search_request req;
	search_result res;
	const char *db_path = getenv("WIRE_DB");
	const char *format = "text", *extra_synonyms = NULL;
	const renderer *rd;
	render_options ro;
	strbuf q = STRBUF_INIT;
	enum search_status ss;
	synonyms *syn;
	unsigned page = 0;
	char err[1024];
	xap_db *db;
	int opt, rc;

	/* A closed pipe (wire-search ... | head) ends us quietly. */
	signal(SIGPIPE, SIG_DFL);
	search_request_init(&req);
	if (!db_path || !*db_path)
		db_path = "wire.db";
	while ((opt = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			db_path = optarg;
			break;
		case 'n':
			req.limit = parse_uint("--limit", optarg, SEARCH_MAX_LIMIT);
			break;
		case 'o':
			req.offset = parse_uint("--offset", optarg, SEARCH_MAX_DEPTH);
			break;
		case 'p':
			page = parse_uint("--page", optarg, SEARCH_MAX_DEPTH);
			if (!page)
				usage_error("--page counts from 1, not", optarg);
			break;
		case 'c':
			req.count_only = 1;
			break;
		case 'j':
			format = "json";
			break;
		case 'f':
			format = optarg;
			if (!renderer_find(format))
				usage_error("unknown --format (text, json, tsv):", optarg);
			break;
		case 's':
			if (!strcmp(optarg, "relevance"))
				req.sort = SORT_RELEVANCE;
			else if (!strcmp(optarg, "date"))
				req.sort = SORT_DATE;
			else if (!strcmp(optarg, "-date"))
				req.sort = SORT_DATE_DESC;
			else
				usage_error("unknown --sort (relevance, date, -date):", optarg);
			break;
		case 'r': {
			char *end;

			req.recency_days = strtod(optarg, &end);
			if (*end || end == optarg || !(req.recency_days > 0) ||
			    req.recency_days > 100000)
				usage_error("--recency wants a half-life in days, not", optarg);
			break;
		}
		case 'N': {
			int64_t t;

			if (date_parse_iso(optarg, strlen(optarg), &t))
				usage_error("--now wants a date like 2025-04-19, not", optarg);
			/* The end of that day: "today" includes all of it. */
			req.qopts.now = t % 86400 ? t : t + 86399;
			break;
		}
		case 'O':
			if (!strcmp(optarg, "or"))
				req.qopts.default_or = 1;
			else if (!strcmp(optarg, "and"))
				req.qopts.default_or = 0;
			else
				usage_error("unknown --default-op (and, or):", optarg);
			break;
		case 'A':
			req.all_versions = 1;
			break;
		case 'W':
			req.include_withdrawn = 1;
			break;
		case 'F':
			req.facets = 1;
			break;
		case 'e':
			req.explain = 1;
			break;
		case 'S':
			req.qopts.stem = 0;
			break;
		case 'y':
			extra_synonyms = optarg;
			break;
		case 'b': {
			char *end;

			req.bm25_k1 = strtod(optarg, &end);
			if (*end != ',' || req.bm25_k1 < 0 || req.bm25_k1 > 100)
				usage_error("--bm25 wants K1,B (for example 1.2,0.75), not", optarg);
			req.bm25_b = strtod(end + 1, &end);
			if (*end || req.bm25_b < 0 || req.bm25_b > 1)
				usage_error("--bm25 wants K1,B with B from 0 to 1, not", optarg);
			break;
		}
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V': {
			char line[160];

			wire_version_line(line, sizeof(line), "wire-search");
			if (fputs(line, stdout) == EOF || fflush(stdout)) {
				fprintf(stderr, "wire-search: write error: %s\n", strerror(errno));
				return EXIT_ERROR;
			}
			return 0;
		}
		default:
			fputs(usage_text, stderr);
			return EXIT_ERROR;
		}
	}
	if (page)
		req.offset = (page - 1) * req.limit;
	for (int i = optind; i < argc; i++)
		if ((i > optind && strbuf_addch(&q, ' ')) || strbuf_addstr(&q, argv[i])) {
			fprintf(stderr, "wire-search: out of memory\n");
			return EXIT_ERROR;
		}
	if (optind >= argc) {
		fprintf(stderr, "wire-search: no query given\n%s", usage_text);
		return EXIT_ERROR;
	}
	req.query = strbuf_str(&q);

	db = search_open(db_path, &ss, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "wire-search: %s\n", err);
		strbuf_release(&q);
		return ss == SEARCH_UNREACHABLE ? EXIT_UNREACHABLE : EXIT_ERROR;
	}
	syn = load_synonyms(extra_synonyms);
	req.qopts.syn = syn;

	ss = search_run(db, &req, &res, err, sizeof(err));
	if (ss != SEARCH_OK) {
		/* A problem of the index (not of the query) names the index. */
		if (ss == SEARCH_BAD_QUERY || !strncmp(err, db_path, strlen(db_path)))
			fprintf(stderr, "wire-search: %s\n", err);
		else
			fprintf(stderr, "wire-search: %s: %s\n", db_path, err);
		rc = ss == SEARCH_UNREACHABLE ? EXIT_UNREACHABLE : EXIT_ERROR;
	} else {
		const char *no_color = getenv("NO_COLOR");

		if (req.explain && strcmp(format, "json")) {
			printf("query:  %s\nparsed: %s\nxapian: %s\n\n", req.query,
			       res.parsed ? res.parsed : "", res.xapian ? res.xapian : "");
		}
		memset(&ro, 0, sizeof(ro));
		ro.color = isatty(STDOUT_FILENO) && !(no_color && *no_color);
		rd = renderer_find(format);
		rc = res.total ? EXIT_HITS : EXIT_NO_HITS;
		if (rd->page(stdout, &req, &res, &ro) || fflush(stdout) ||
		    ferror(stdout)) {
			fprintf(stderr, "wire-search: write error: %s\n", strerror(errno));
			rc = EXIT_ERROR;
		}
	}
	search_result_release(&res);
	synonyms_free(syn);
	xap_db_free(db);
	strbuf_release(&q);
	return rc;
}
