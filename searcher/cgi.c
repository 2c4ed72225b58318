/*
 * wire-search.cgi - the search page and JSON API, as a CGI/1.1 program.
 *
 * One request, one process: read the parameters (QUERY_STRING, or a form
 * body on stdin for POST), open the index named by WIRE_DB (never by the
 * request), search, render HTML (html.h) or JSON, and write the whole
 * response at once, gzip-compressed when the client takes it.
 *
 * Started by a web server as a FastCGI program (descriptor 0 a listening
 * socket, fastcgi.h), the same program stays and answers request after
 * request the same way, each with its variables from the request's
 * FastCGI parameters: the process start, a good part of a short search's
 * cost (docs/PERFORMANCE.md), is paid once.  The index is opened anew for
 * each request, so a rebuilt index is seen at once, as in CGI mode.
 *
 * Run from a shell with NAME=VALUE arguments (not percent-encoded) it
 * prints the same response, for debugging:
 *     wire-search.cgi 'q=Durand Line' format=json
 *
 * Nothing from the request reaches a header: every header value is one of
 * ours or made of numbers.  Error details go to stderr (the server's log);
 * the client gets a fixed sentence and a status code.
 *
 * Exit status: 0 when a response was written, 1 when writing it failed,
 * 2 for a usage error in shell mode.
 */
#include "alloc.h"
#include "cgi_params.h"
#include "fastcgi.h"
#include "html.h"
#include "query.h"
#include "render.h"
#include "schema.h"
#include "search.h"
#include "store.h"
#include "strbuf.h"
#include "xap.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define CPU_SECONDS 5
/* Bumped when the pages change shape, so cached copies are not reused. */
#define OUTPUT_VERSION "1"

static const char usage_text[] =
	"usage: wire-search.cgi NAME=VALUE...\n"
	"\n"
	"A CGI program: a web server runs it with REQUEST_METHOD, QUERY_STRING\n"
	"(and a form body on stdin for POST).  Run from a shell, each argument\n"
	"is one parameter, not percent-encoded, and the response (headers and\n"
	"body) is printed:\n"
	"\n"
	"    WIRE_DB=wire.db wire-search.cgi 'q=Durand Line' format=json\n"
	"\n"
	"Parameters: q, page, per_page, sort (relevance, date, -date), agency,\n"
	"place, lang, from, to (YYYY-MM-DD), versions (collapsed, all),\n"
	"format (html, json), id (one whole dispatch).  The index is $WIRE_DB\n"
	"(default ./wire.db).  See wire-search.cgi(1) and docs/CGI.md.\n";

/* ------------------------------------------------------------------ */
/* The CPU limit: a fixed 503 from the signal handler.  In CGI mode the
 * process has RLIMIT_CPU (SIGXCPU); in FastCGI mode each request has a
 * CPU timer of its own (SIGXCPU as well), and the handler sends the 503
 * framed for that request before the process ends (the web server starts
 * another). */

static volatile sig_atomic_t headers_sent;
/* FastCGI: the connection of the request being answered (-1: none) and
 * the 503 framed for it. */
static volatile sig_atomic_t xcpu_fd = -1;
static strbuf xcpu_frame = STRBUF_INIT;

static const char xcpu_response[] =
	"Status: 503 Service Unavailable\r\n"
	"Content-Type: text/plain; charset=utf-8\r\n"
	"X-Content-Type-Options: nosniff\r\n"
	"Cache-Control: no-store\r\n"
	"Retry-After: 30\r\n"
	"\r\n"
	"The search took too long. Try a narrower query.\n";

static const char oom_response[] =
	"Status: 500 Internal Server Error\r\n"
	"Content-Type: text/plain; charset=utf-8\r\n"
	"X-Content-Type-Options: nosniff\r\n"
	"Cache-Control: no-store\r\n"
	"\r\n"
	"The server is out of memory.\n";

/* Write N bytes at P to FD from the signal handler, then end the process:
 * 0 when all went, else 1. */
static void write_and_exit(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			_exit(1);
		p += w;
		n -= (size_t)w;
	}
	_exit(0);
}

static void on_xcpu(int sig)
{
	(void)sig;
	if (xcpu_fd >= 0)
		write_and_exit(xcpu_fd, xcpu_frame.buf, xcpu_frame.len);
	if (!headers_sent) {
		headers_sent = 1;
		write_and_exit(STDOUT_FILENO, xcpu_response, sizeof(xcpu_response) - 1);
	}
	_exit(1);
}

static void catch_xcpu(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_xcpu;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGXCPU, &sa, NULL);
}

static void limit_cpu(void)
{
	struct rlimit rl;

	catch_xcpu();
	if (getrlimit(RLIMIT_CPU, &rl) == 0) {
		/* Only ever lower the limits; the hard one kills for good. */
		rlim_t soft = CPU_SECONDS, hard = CPU_SECONDS * 2;

		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < hard)
			hard = rl.rlim_max;
		if (soft > hard)
			soft = hard;
		if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < soft)
			soft = rl.rlim_cur;
		rl.rlim_cur = soft;
		rl.rlim_max = hard;
		setrlimit(RLIMIT_CPU, &rl);
	}
}

/* ------------------------------------------------------------------ */
/* Logging: one line on stderr, control characters made visible. */

static void log_line(const char *what, const char *detail)
{
	fputs("wire-search.cgi: ", stderr);
	fputs(what, stderr);
	if (detail) {
		fputs(": ", stderr);
		for (const char *c = detail; *c; c++)
			fputc((unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c, stderr);
	}
	fputc('\n', stderr);
}

/* ------------------------------------------------------------------ */
/* The response. */

typedef struct response {
	int status;
	const char *content_type;  /* NULL: no body (304) */
	strbuf body;
	char etag[96];             /* "" when none */
	char last_modified[40];
	int cacheable;             /* a 200 or 304 from the index */
	int allow;                 /* 405: send Allow */
	int gzip;                  /* the client takes gzip */
	int head;                  /* HEAD: headers only */
} response;

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

static void *z_alloc(void *opaque, unsigned items, unsigned size)
{
	(void)opaque;
	return wire_calloc(items, size);
}

static void z_free(void *opaque, void *p)
{
	(void)opaque;
	free(p);
}

/* LEN bytes at IN as a gzip stream into OUT.  0, or -1 (OUT released). */
static int gzip_body(const char *in, size_t len, strbuf *out)
{
	z_stream zs;
	int zr;

	memset(&zs, 0, sizeof(zs));
	zs.zalloc = z_alloc;
	zs.zfree = z_free;
	if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	if (strbuf_grow(out, deflateBound(&zs, len) + 64)) {
		deflateEnd(&zs);
		return -1;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out->buf;
	zs.avail_out = (uInt)(out->cap - 1);
	zr = deflate(&zs, Z_FINISH);
	out->len = zs.total_out;
	deflateEnd(&zs);
	if (zr != Z_STREAM_END) {
		strbuf_release(out);
		return -1;
	}
	out->buf[out->len] = '\0';
	return 0;
}

/* Write N bytes at P on stdout.  0 or -1. */
static int write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* R as CGI output into OUT: headers, then the body unless HEAD or 304.
 * 0, or -1 when out of memory. */
static int format_response(response *r, strbuf *out)
{
	strbuf h = STRBUF_INIT, gz = STRBUF_INIT;
	const char *body = r->body.buf ? r->body.buf : "";
	size_t len = r->body.len;
	int with_body = r->content_type != NULL, rc;

	if (with_body && r->gzip && len) {
		if (gzip_body(body, len, &gz) == 0) {
			body = gz.buf;
			len = gz.len;
		} else {
			r->gzip = 0;
			log_line("gzip failed, sending the body uncompressed", NULL);
		}
	}
	rc = strbuf_addf(&h, "Status: %d %s\r\n", r->status, reason(r->status));
	if (!rc && with_body)
		rc = strbuf_addf(&h, "Content-Type: %s\r\n", r->content_type);
	if (!rc)
		rc = strbuf_addstr(&h,
			"X-Content-Type-Options: nosniff\r\n"
			"Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; "
			"img-src 'self' data:; form-action 'self'; base-uri 'none'; "
			"frame-ancestors 'none'\r\n"
			"Referrer-Policy: no-referrer\r\n"
			"X-Frame-Options: DENY\r\n");
	if (!rc && r->allow)
		rc = strbuf_addstr(&h, "Allow: GET, HEAD, POST\r\n");
	if (!rc && r->cacheable) {
		rc = strbuf_addstr(&h, "Cache-Control: no-cache\r\nVary: Accept-Encoding\r\n");
		if (!rc && r->etag[0])
			rc = strbuf_addf(&h, "ETag: %s\r\n", r->etag);
		if (!rc && r->last_modified[0])
			rc = strbuf_addf(&h, "Last-Modified: %s\r\n", r->last_modified);
	} else if (!rc) {
		rc = strbuf_addstr(&h, "Cache-Control: no-store\r\n");
	}
	if (!rc && r->status == 503)
		rc = strbuf_addstr(&h, "Retry-After: 30\r\n");
	if (!rc && with_body && r->gzip)
		rc = strbuf_addstr(&h, "Content-Encoding: gzip\r\n");
	if (!rc && with_body)
		rc = strbuf_addf(&h, "Content-Length: %zu\r\n", len);
	if (!rc)
		rc = strbuf_addstr(&h, "\r\n");
	if (!rc && with_body && !r->head)
		rc = strbuf_add(&h, body, len);
	strbuf_release(out);
	if (!rc)
		*out = h;
	else
		strbuf_release(&h);
	strbuf_release(&gz);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Where a request's variables come from: the environment in CGI mode,
 * the request's parameters in FastCGI mode. */

static const fcgi_conn *fastcgi_request;

/* A CGI variable of the request (REQUEST_METHOD, QUERY_STRING...). */
static const char *request_var(const char *name)
{
	return fastcgi_request ? fcgi_conn_param(fastcgi_request, name) : getenv(name);
}

/* A setting of the server's (WIRE_DB, WIRE_SYNONYMS): given to a CGI
 * program in its environment; to a FastCGI program in its environment
 * or, from a server that adds variables to every request, in the
 * request's parameters.  Never from the client. */
static const char *server_var(const char *name)
{
	const char *v = fastcgi_request ? fcgi_conn_param(fastcgi_request, name) : NULL;

	return v && *v ? v : getenv(name);
}

/* ------------------------------------------------------------------ */
/* Request headers. */

/* Whether the Accept-Encoding value AE accepts gzip: "gzip", "x-gzip" or
 * "*" with a q-value above 0 ("gzip;q=0" refuses it even with "*"). */
static int accepts_gzip(const char *ae)
{
	int gzip_q = -1, star_q = -1;

	if (!ae)
		return 0;
	while (*ae) {
		const char *end = strchr(ae, ',');
		size_t n = end ? (size_t)(end - ae) : strlen(ae);
		char item[128];
		char *semi, *tok, *t;
		int q = 1;

		if (n < sizeof(item)) {
			memcpy(item, ae, n);
			item[n] = '\0';
			semi = strchr(item, ';');
			if (semi) {
				*semi = '\0';
				/* q=0, q=0.0, q=0.000 refuse; any other value takes. */
				for (char *prm = semi + 1; prm && *prm;) {
					char *next = strchr(prm, ';');

					if (next)
						*next++ = '\0';
					prm += strspn(prm, " \t");
					if ((prm[0] == 'q' || prm[0] == 'Q') && prm[1] == '=') {
						char *v = prm + 2;

						q = 0;
						for (; *v && *v != ' ' && *v != '\t'; v++)
							if (*v >= '1' && *v <= '9')
								q = 1;
					}
					prm = next;
				}
			}
			tok = item + strspn(item, " \t");
			for (t = tok + strlen(tok); t > tok && (t[-1] == ' ' || t[-1] == '\t');)
				*--t = '\0';
			if (!strcasecmp(tok, "gzip") || !strcasecmp(tok, "x-gzip"))
				gzip_q = q;
			else if (!strcmp(tok, "*"))
				star_q = q;
		}
		if (!end)
			break;
		ae = end + 1;
	}
	if (gzip_q >= 0)
		return gzip_q > 0;
	return star_q > 0;
}

/* Whether If-None-Match value INM names ETAG (weak comparison). */
static int etag_matches(const char *inm, const char *etag)
{
	const char *mine = etag;

	if (!inm || !*etag)
		return 0;
	if (!strncmp(mine, "W/", 2))
		mine += 2;
	while (*inm) {
		const char *t, *end;
		size_t n;

		inm += strspn(inm, " \t,");
		if (!*inm)
			break;
		if (*inm == '*')
			return 1;
		t = inm;
		if (!strncmp(t, "W/", 2))
			t += 2;
		if (*t != '"')
			return 0;
		end = strchr(t + 1, '"');
		if (!end)
			return 0;
		n = (size_t)(end + 1 - t);
		if (n == strlen(mine) && !memcmp(t, mine, n))
			return 1;
		inm = end + 1;
	}
	return 0;
}

static void http_date(time_t t, char out[40])
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		out[0] = '\0';
		return;
	}
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
		 tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
}

/* ETag and Last-Modified from the index revision and the modification
 * time of the index directory (or stub file) and its version file. */
static void validators(xap_db *db, const char *path, response *r)
{
	uint64_t rev = 0;
	time_t mtime = 0;
	struct stat st;
	char file[4096];

	if (xap_db_revision(db, &rev) != XAP_OK)
		rev = 0;
	if (stat(path, &st) == 0)
		mtime = st.st_mtime;
	if (snprintf(file, sizeof(file), "%s/iamglass", path) < (int)sizeof(file) &&
	    stat(file, &st) == 0 && st.st_mtime > mtime)
		mtime = st.st_mtime;
	snprintf(r->etag, sizeof(r->etag), "W/\"wire" OUTPUT_VERSION "-%llx-%llx\"",
		 (unsigned long long)rev, (unsigned long long)mtime);
	if (mtime > 0)
		http_date(mtime, r->last_modified);
}

/* ------------------------------------------------------------------ */
/* Error responses. */

static int dump_json(json_t *o, strbuf *out);

static void error_page(response *r, const cgi_params *p, int status,
		       const char *message)
{
	strbuf_reset(&r->body);
	r->status = status;
	r->cacheable = 0;
	r->etag[0] = r->last_modified[0] = '\0';
	if (p && p->format == CGI_FORMAT_JSON) {
		json_t *o = json_pack("{s:s,s:i}", "error", message, "status", status);

		r->content_type = "application/json; charset=utf-8";
		if (dump_json(o, &r->body)) {
			strbuf_reset(&r->body);
			strbuf_addstr(&r->body, "{\"error\":\"Out of memory.\"}\n");
		}
		return;
	}
	r->content_type = "text/html; charset=utf-8";
	if (html_page_error(&r->body, p, status, message)) {
		strbuf_reset(&r->body);
		r->content_type = "text/plain; charset=utf-8";
		strbuf_addstr(&r->body, "The server is out of memory.\n");
	}
}

/* ------------------------------------------------------------------ */
/* JSON. */

/* The hit object of render.c, less where the dispatch was read: a path on
 * the indexing machine. */
static json_t *hit_json(const search_hit *h)
{
	json_t *o = render_hit_json(h);

	if (o)
		json_object_del(o, "source");
	return o;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static const char *sort_name(enum search_sort s)
{
	return s == SORT_DATE ? "date" : s == SORT_DATE_DESC ? "-date" : "relevance";
}

static json_t *filters_json(const cgi_params *p)
{
	json_t *f = json_object();

	if (!f)
		return NULL;
	json_object_set_new(f, "agency", str_or_null(p->agency));
	json_object_set_new(f, "place", str_or_null(p->place));
	json_object_set_new(f, "lang", str_or_null(p->lang));
	json_object_set_new(f, "from", str_or_null(p->from));
	json_object_set_new(f, "to", str_or_null(p->to));
	return f;
}

/* Append the JSON text S with < > & ' and U+2028/U+2029 written as \u
 * escapes.  They can only occur inside strings, so the document means
 * the same, and no byte of it can be read as markup by anything that
 * mistakes it for HTML. */
static int add_json_text(strbuf *out, const char *s)
{
	for (; *s; s++) {
		const char *e = NULL;
		int skip = 0;

		if (*s == '<')
			e = "\\u003c";
		else if (*s == '>')
			e = "\\u003e";
		else if (*s == '&')
			e = "\\u0026";
		else if (*s == '\'')
			e = "\\u0027";
		else if ((unsigned char)s[0] == 0xe2 && (unsigned char)s[1] == 0x80 &&
			 ((unsigned char)s[2] == 0xa8 || (unsigned char)s[2] == 0xa9)) {
			e = (unsigned char)s[2] == 0xa8 ? "\\u2028" : "\\u2029";
			skip = 2;
		}
		if (e ? strbuf_addstr(out, e) : strbuf_addch(out, *s))
			return -1;
		s += skip;
	}
	return 0;
}

static int dump_json(json_t *o, strbuf *out)
{
	char *s;
	int r;

	if (!o)
		return -1;
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!s)
		return -1;
	r = add_json_text(out, s) || strbuf_addch(out, '\n') ? -1 : 0;
	free(s);
	return r;
}

static int search_json(const cgi_params *p, const search_request *req,
		       const search_result *res, strbuf *out)
{
	json_t *o = json_object(), *hits = json_array();
	json_t *summary = render_summary_json(req, res);
	json_t *facets;

	if (!o || !hits || !summary) {
		json_decref(o);
		json_decref(hits);
		json_decref(summary);
		return -1;
	}
	for (size_t i = 0; i < res->n_hits; i++) {
		json_t *h = hit_json(&res->hits[i]);

		if (!h || json_array_append_new(hits, h)) {
			json_decref(o);
			json_decref(hits);
			json_decref(summary);
			return -1;
		}
	}
	facets = json_object_get(summary, "facets");
	json_object_set_new(o, "query", json_string(p->q));
	json_object_set_new(o, "filters", filters_json(p));
	json_object_set_new(o, "sort", json_string(sort_name(p->sort)));
	json_object_set_new(o, "versions", json_string(p->all_versions ? "all" : "collapsed"));
	json_object_set_new(o, "total", json_integer(res->total));
	json_object_set_new(o, "page", json_integer(p->page));
	json_object_set_new(o, "per_page", json_integer(p->per_page));
	json_object_set_new(o, "hits", hits);
	/* null when not asked for (facets=0), so that no client takes the
	 * missing counts for counts of nothing. */
	json_object_set_new(o, "facets", p->no_facets ? json_null()
				: facets ? json_incref(facets) : json_object());
	json_object_set_new(o, "suggestion", res->suggestion ? json_string(res->suggestion)
							     : json_null());
	json_object_set_new(o, "seconds", json_real(res->seconds));
	json_decref(summary);
	return dump_json(o, out);
}

static json_t *version_json(const search_hit *h)
{
	const dispatch *d = &h->d;
	json_t *o = render_hit_json(h), *paras = json_array();

	if (!o || !paras) {
		json_decref(o);
		json_decref(paras);
		return NULL;
	}
	/* A version is not a hit: no rank, score or snippet. */
	json_object_del(o, "rank");
	json_object_del(o, "score");
	json_object_del(o, "percent");
	json_object_del(o, "snippet");
	json_object_del(o, "snippet_html");
	json_object_del(o, "marks");
	json_object_del(o, "versions");
	json_object_del(o, "matched_version");
	json_object_del(o, "source");
	for (size_t i = 0; i < d->n_paragraphs; i++)
		json_array_append_new(paras, json_string(d->paragraphs[i]));
	json_object_set_new(o, "dateline", str_or_null(d->dateline));
	json_object_set_new(o, "byline", str_or_null(d->byline));
	json_object_set_new(o, "paragraphs", paras);
	json_object_set_new(o, "signoff", str_or_null(d->signoff));
	return o;
}

static int story_json(const cgi_params *p, const search_result *res, strbuf *out)
{
	json_t *o = json_object(), *versions = json_array();

	if (!o || !versions) {
		json_decref(o);
		json_decref(versions);
		return -1;
	}
	for (size_t i = 0; i < res->n_hits; i++) {
		json_t *v = version_json(&res->hits[i]);

		if (!v || json_array_append_new(versions, v)) {
			json_decref(o);
			json_decref(versions);
			return -1;
		}
	}
	json_object_set_new(o, "id", json_string(p->id));
	json_object_set_new(o, "query", json_string(p->q));
	json_object_set_new(o, "versions", versions);
	return dump_json(o, out);
}

/* ------------------------------------------------------------------ */

/* FastCGI only: the facet slots' value columns, kept from one request to
 * the next while the index stays the same revision (xap_value_cache).
 * NULL in a CGI process, which answers one request. */
static xap_value_cache *facet_cache;

/* The synonyms: loaded once per process from the file the server names
 * (server_var()), and again only if a request names another file. */
static synonyms *loaded_synonyms;
static char *loaded_synonyms_path;

/* The synonyms shipped with the program, or the file WIRE_SYNONYMS names
 * (from the server, never from the request).  Borrowed: they stay loaded
 * for the next request (free_synonyms() at the end). */
static synonyms *load_synonyms(void)
{
	const char *path = server_var("WIRE_SYNONYMS");
	synonyms *syn = NULL;
	char err[512];

	if (!path || !*path)
		path = WIRE_DATADIR "/synonyms.txt";
	if (loaded_synonyms_path && !strcmp(loaded_synonyms_path, path))
		return loaded_synonyms;
	if (access(path, R_OK) == 0 &&
	    synonyms_load_prebuilt(path, &synonyms_default_compiled, &syn, err,
				   sizeof(err)) < 0) {
		log_line("synonyms not used", err);
		syn = NULL;
	}
	synonyms_free(loaded_synonyms);
	free(loaded_synonyms_path);
	loaded_synonyms = syn;
	loaded_synonyms_path = wire_strdup(path); /* NULL: loaded again next time */
	return syn;
}

static void free_synonyms(void)
{
	synonyms_free(loaded_synonyms);
	free(loaded_synonyms_path);
	loaded_synonyms = NULL;
	loaded_synonyms_path = NULL;
}

static int status_of(enum search_status ss, const char **message)
{
	switch (ss) {
	case SEARCH_BAD_QUERY:
		*message = "The query could not be understood. Check its dates, "
			   "quotes and wildcards (a wildcard needs a few letters).";
		return 400;
	case SEARCH_NO_INDEX:
		*message = "The search index is not available.";
		return 503;
	case SEARCH_UNREACHABLE:
		*message = "Part of the search index cannot be reached. Try again later.";
		return 503;
	default:
		*message = "The search failed. Try again later.";
		return 500;
	}
}

/* What to mark in a full dispatch: the words of the user's query. */
struct marks {
	query *q;
	xap_query *xq;
	query_highlight hl;
	int ok;
};

static void marks_build(struct marks *m, const char *text, xap_db *db,
			const query_options *opts)
{
	char err[256];

	memset(m, 0, sizeof(*m));
	if (!text[0] || query_parse(text, opts, &m->q, err, sizeof(err)))
		return;
	/* Building the Xapian query finds the stems to mark as well. */
	if (query_to_xapian(m->q, db, opts, &m->xq, err, sizeof(err)))
		return;
	m->ok = query_highlights(m->q, &m->hl) == 0;
}

static void marks_release(struct marks *m)
{
	xap_query_free(m->xq);
	query_free(m->q);
	memset(m, 0, sizeof(*m));
}

/* A did-you-mean for the user's query Q alone, or NULL. */
static char *suggest(const char *q, xap_db *db, const query_options *opts)
{
	char *balanced = cgi_query_balance(q), *out = NULL;
	query *parsed = NULL;
	char err[256];

	if (balanced && !query_parse(balanced, opts, &parsed, err, sizeof(err)) &&
	    query_suggest(parsed, db, &out))
		out = NULL;
	query_free(parsed);
	free(balanced);
	return out;
}

/* ------------------------------------------------------------------ */
/* One story, every version, read straight from the index: the documents
 * indexed by its story term (G + id), decoded from their stored records.
 * No query is parsed, so nothing in the id can be read as query syntax. */

#define STORY_MAX_VERSIONS 1000

struct story_ids {
	xap_docid *ids;
	size_t n, cap;
};

static int add_story_id(void *ctx, xap_docid id)
{
	struct story_ids *s = ctx;
	void *p = s->ids;

	if (s->n >= STORY_MAX_VERSIONS)
		return 1;
	if (wire_grow(&p, &s->cap, s->n + 1, sizeof(*s->ids)))
		return -1;
	s->ids = p;
	s->ids[s->n++] = id;
	return 0;
}

static int cmp_version(const void *a, const void *b)
{
	const search_hit *x = a, *y = b;
	int c = strcmp(x->date, y->date);

	if (c)
		return c;
	return (x->d.version > y->d.version) - (x->d.version < y->d.version);
}

static xap_status story_attempt(xap_db *db, const char *id, search_result *res)
{
	struct story_ids s = { NULL, 0, 0 };
	char term[256];
	xap_status st;

	if (!schema_id_term(term, sizeof(term), PREFIX_STORY, id))
		return XAP_OK; /* cannot be a story id: no versions */
	st = xap_db_postings(db, term, add_story_id, &s);
	if (st == XAP_OK && s.n) {
		res->hits = wire_calloc(s.n, sizeof(*res->hits));
		if (!res->hits)
			st = XAP_NOMEM;
	}
	for (size_t i = 0; st == XAP_OK && i < s.n; i++) {
		search_hit *h = &res->hits[i];
		xap_doc *doc = NULL;
		const void *data;
		size_t len;
		int withdrawn = 0;
		int64_t t;

		dispatch_init(&h->d);
		res->n_hits = i + 1;
		st = xap_db_get_document(db, s.ids[i], &doc);
		if (st == XAP_OK)
			st = xap_doc_get_data(doc, &data, &len);
		if (st == XAP_OK && store_decode(data, len, &h->d))
			st = XAP_CORRUPT;
		if (st == XAP_OK)
			st = xap_doc_has_term(doc, TERM_WITHDRAWN, &withdrawn);
		xap_doc_free(doc);
		h->withdrawn = withdrawn;
		h->rank = (unsigned)i + 1;
		h->n_versions = (unsigned)s.n;
		h->matched_version = h->d.version;
		t = h->d.version_created >= 0 ? h->d.version_created : h->d.first_created;
		if (t >= 0)
			date_format_iso(t, h->date);
	}
	free(s.ids);
	if (st == XAP_OK) {
		if (res->n_hits)
			qsort(res->hits, res->n_hits, sizeof(*res->hits), cmp_version);
		for (size_t i = 0; i < res->n_hits; i++)
			res->hits[i].rank = (unsigned)i + 1;
		res->total = (uint32_t)res->n_hits;
	}
	return st;
}

/* Every version of story ID into RES, oldest first (retrying when a
 * writer overtakes us).  SEARCH_OK with no hits: no such story. */
static enum search_status story_fetch(xap_db *db, const char *id,
				      search_result *res, char *err, size_t errlen)
{
	xap_status st;

	for (int round = 0;; round++) {
		memset(res, 0, sizeof(*res));
		st = story_attempt(db, id, res);
		if (st != XAP_MODIFIED || round >= 3)
			break;
		search_result_release(res);
		if (xap_db_reopen(db) != XAP_OK)
			break;
	}
	if (st == XAP_OK)
		return SEARCH_OK;
	snprintf(err, errlen, "reading story %s: %s (%s)", id, xap_status_name(st),
		 xap_db_message(db));
	return st == XAP_NOT_FOUND || st == XAP_CORRUPT || st == XAP_VERSION
		       ? SEARCH_NO_INDEX
		       : SEARCH_FAILED;
}

/* Run the request P on the index at DB_PATH into R. */
static void run(response *r, const cgi_params *p, const char *db_path,
		const char *if_none_match)
{
	search_request req;
	search_result res;
	enum search_status ss;
	const char *message;
	char err[1024];
	char *qtext;
	synonyms *syn;
	xap_db *db;
	int rc;

	memset(&res, 0, sizeof(res));
	db = search_open(db_path, &ss, err, sizeof(err));
	if (!db) {
		log_line("cannot open the index", err);
		error_page(r, p, 503, ss == SEARCH_UNREACHABLE
					      ? "Part of the search index cannot be reached. Try again later."
					      : "The search index is not available.");
		return;
	}
	r->status = 200;
	r->cacheable = 1;
	validators(db, db_path, r);
	if (etag_matches(if_none_match, r->etag)) {
		r->status = 304;
		r->content_type = NULL;
		xap_db_free(db);
		return;
	}
	r->content_type = p->format == CGI_FORMAT_JSON ? "application/json; charset=utf-8"
						       : "text/html; charset=utf-8";
	if (p->format == CGI_FORMAT_HTML && !p->id && !p->q[0] && !p->agency &&
	    !p->place && !p->lang && !p->from[0] && !p->to[0]) {
		/* The bare page: a search form. */
		if (html_page_search(&r->body, p, NULL, NULL))
			error_page(r, p, 500, "The server is out of memory.");
		xap_db_free(db);
		return;
	}
	syn = load_synonyms();
	search_request_init(&req);
	req.qopts.syn = syn;
	req.facet_cache = facet_cache;
	req.qopts.max_length = 2 * CGI_MAX_Q + 4 * CGI_MAX_FILTER + 64;
	if (p->id) {
		/* Every version of the story, oldest first, whatever q says. */
		qtext = NULL;
		ss = story_fetch(db, p->id, &res, err, sizeof(err));
		goto searched;
	} else {
		qtext = cgi_params_query(p, 0);
		req.offset = (p->page - 1) * p->per_page;
		req.limit = p->per_page;
		req.sort = p->sort;
		req.all_versions = p->all_versions;
		req.facets = !p->no_facets;
	}
	if (!qtext) {
		error_page(r, p, 500, "The server is out of memory.");
		goto out;
	}
	req.query = qtext;
	ss = search_run(db, &req, &res, err, sizeof(err));
searched:
	if (ss != SEARCH_OK) {
		log_line("search failed", err);
		rc = status_of(ss, &message);
		error_page(r, p, rc, message);
	} else if (p->id && !res.n_hits) {
		error_page(r, p, 404, "There is no dispatch with this id.");
	} else if (p->id) {
		struct marks m;

		marks_build(&m, p->q, db, &req.qopts);
		rc = p->format == CGI_FORMAT_JSON
			     ? story_json(p, &res, &r->body)
			     : html_page_story(&r->body, p, &res, m.ok ? &m.hl : NULL);
		marks_release(&m);
		if (rc)
			error_page(r, p, 500, "The server is out of memory.");
	} else {
		if (res.suggestion) {
			/* The search suggested on the whole query, filters and
			 * all; the page offers the user's own words, corrected. */
			free(res.suggestion);
			res.suggestion = suggest(p->q, db, &req.qopts);
		}
		rc = p->format == CGI_FORMAT_JSON ? search_json(p, &req, &res, &r->body)
						  : html_page_search(&r->body, p, &req, &res);
		if (rc)
			error_page(r, p, 500, "The server is out of memory.");
	}
out:
	search_result_release(&res);
	free(qtext);
	xap_db_free(db);
}

/* ------------------------------------------------------------------ */

/* Whether the raw query string QS has the pair format=json, so that an
 * error found before that pair was decoded is still answered in JSON. */
static int wants_json(const char *qs)
{
	const char *at = qs;

	while (at && (at = strstr(at, "format=json"))) {
		if ((at == qs || at[-1] == '&') && (!at[11] || at[11] == '&'))
			return 1;
		at += 11;
	}
	return 0;
}

/* Read the form body of a POST into *OUT.  Returns CGI_OK or an error
 * status with a fixed reason. */
static int read_body(strbuf *out, const char **why)
{
	static const char form_too_large[] = "The form is too large (at most 64 KB).";
	const char *type = request_var("CONTENT_TYPE");
	const char *cl = request_var("CONTENT_LENGTH");
	unsigned long len = 0;
	size_t type_len = strlen("application/x-www-form-urlencoded");

	if (!type || strncasecmp(type, "application/x-www-form-urlencoded", type_len) ||
	    (type[type_len] && type[type_len] != ';' && type[type_len] != ' ')) {
		*why = "A POST must send a form (application/x-www-form-urlencoded).";
		return 415;
	}
	if (cl && *cl) {
		for (const char *c = cl; *c; c++) {
			if (*c < '0' || *c > '9' || len > CGI_MAX_BODY) {
				*why = *c >= '0' && *c <= '9'
					       ? form_too_large
					       : "The request has an invalid Content-Length.";
				return *c >= '0' && *c <= '9' ? 413 : 400;
			}
			len = len * 10 + (unsigned long)(*c - '0');
		}
	}
	if (len > CGI_MAX_BODY) {
		*why = form_too_large;
		return 413;
	}
	if (fastcgi_request) {
		/* The server sent the body with the request. */
		if (fastcgi_request->body_too_large) {
			*why = form_too_large;
			return 413;
		}
		if (fastcgi_request->body.len < len) {
			*why = "The form arrived incomplete.";
			return 400;
		}
		if (strbuf_add(out, fastcgi_request->body.buf ? fastcgi_request->body.buf : "",
			       len)) {
			*why = "The server is out of memory.";
			return 500;
		}
		return 200;
	}
	if (strbuf_grow(out, len)) {
		*why = "The server is out of memory.";
		return 500;
	}
	while (out->len < len) {
		ssize_t n = read(STDIN_FILENO, out->buf + out->len, len - out->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*why = "The form arrived incomplete.";
			return 400;
		}
		out->len += (size_t)n;
		out->buf[out->len] = '\0'; /* a strbuf, even when cut short */
	}
	return 200;
}

/* Answer one request into R.  SHELL: its parameters are ARGV's
 * NAME=VALUE arguments; else they come from request_var().  Returns 2
 * for a usage error in shell mode (nothing to send), else 0. */
static int answer(int shell, int argc, char **argv, response *r)
{
	const char *method = request_var("REQUEST_METHOD");
	const char *db_path = server_var("WIRE_DB");
	const char *why = NULL;
	cgi_params p;
	int status = 200;

	if (shell || !method || !*method)
		method = "GET";
	if (!db_path || !*db_path)
		db_path = "wire.db";
	r->gzip = accepts_gzip(request_var("HTTP_ACCEPT_ENCODING"));
	r->head = !strcmp(method, "HEAD");
	if (cgi_params_init(&p)) {
		error_page(r, NULL, 500, "The server is out of memory.");
		return 0;
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "POST")) {
		r->allow = 1;
		error_page(r, &p, 405, "This address answers GET, HEAD and POST only.");
		goto out;
	}
	if (shell) {
		for (int i = 1; i < argc && status == 200; i++) {
			const char *eq = strchr(argv[i], '=');
			char *name;

			if (!eq || eq == argv[i]) {
				fprintf(stderr, "wire-search.cgi: arguments are NAME=VALUE, not '%s'\n%s",
					argv[i], usage_text);
				cgi_params_release(&p);
				return 2;
			}
			name = wire_strndup(argv[i], (size_t)(eq - argv[i]));
			if (!name) {
				status = 500;
				why = "The server is out of memory.";
				break;
			}
			status = cgi_params_set(&p, name, eq + 1, strlen(eq + 1), &why);
			free(name);
		}
	} else {
		const char *qs = request_var("QUERY_STRING");
		strbuf body = STRBUF_INIT;

		if (qs && strlen(qs) > CGI_MAX_QUERY_STRING) {
			status = 414;
			why = "The address is too long.";
		}
		if (status == 200 && !strcmp(method, "POST"))
			status = read_body(&body, &why);
		if (status == 200 && body.len)
			status = cgi_params_parse(&p, body.buf, body.len, &why);
		if (status == 200 && qs)
			status = cgi_params_parse(&p, qs, strlen(qs), &why);
		if (status != 200 && (wants_json(qs) || wants_json(body.buf)))
			p.format = CGI_FORMAT_JSON;
		strbuf_release(&body);
	}
	if (status == 200)
		status = cgi_params_check(&p, &why);
	else if (shell)
		for (int i = 1; i < argc; i++)
			if (!strcmp(argv[i], "format=json"))
				p.format = CGI_FORMAT_JSON;
	if (status != 200) {
		error_page(r, &p, status, why ? why : "The request is not valid.");
		goto out;
	}
	run(r, &p, db_path, request_var("HTTP_IF_NONE_MATCH"));
out:
	cgi_params_release(&p);
	return 0;
}

/* ------------------------------------------------------------------ */
/* FastCGI mode. */

/* The CPU each request may spend: WIRE_CPU_LIMIT_MS from the server's
 * environment, else CPU_SECONDS. */
static struct itimerspec cpu_budget(void)
{
	const char *ms = getenv("WIRE_CPU_LIMIT_MS");
	struct itimerspec t;
	long v = ms && *ms ? strtol(ms, NULL, 10) : 0;

	memset(&t, 0, sizeof(t));
	if (v > 0) {
		t.it_value.tv_sec = v / 1000;
		t.it_value.tv_nsec = (v % 1000) * 1000000L;
	} else {
		t.it_value.tv_sec = CPU_SECONDS;
	}
	return t;
}

/* Indexes of more document ids than this get no facet columns: building
 * one costs about 70 ns a document, and must stay well inside a request's
 * CPU budget.  WIRE_FACET_CACHE_DOCS from the server's environment; 0: no
 * columns. */
#define FACET_CACHE_DOCS 5000000

static uint32_t facet_cache_docs(void)
{
	const char *v = getenv("WIRE_FACET_CACHE_DOCS");
	char *end;
	unsigned long n;

	if (!v || !*v)
		return FACET_CACHE_DOCS;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || v[0] == '-' || n > UINT32_MAX) {
		log_line("WIRE_FACET_CACHE_DOCS is not a number of documents, "
			 "the default is used", v);
		return FACET_CACHE_DOCS;
	}
	return (uint32_t)n;
}

struct fastcgi_state {
	timer_t timer;
	int have_timer;
	struct itimerspec budget;
};

/* fcgi_handler: answer request C (on connection FD) into OUT. */
static int answer_fastcgi(fcgi_conn *c, int fd, strbuf *out, void *ctx)
{
	struct fastcgi_state *fs = ctx;
	struct itimerspec off;
	response r;

	/* The 503 for this request, ready for the CPU timer's handler. */
	strbuf_reset(&xcpu_frame);
	if (fs->have_timer &&
	    fcgi_frame_response(&xcpu_frame, c->id, xcpu_response,
				sizeof(xcpu_response) - 1, 0) == 0) {
		xcpu_fd = fd;
		timer_settime(fs->timer, 0, &fs->budget, NULL);
	}
	fastcgi_request = c;
	memset(&r, 0, sizeof(r));
	answer(0, 0, NULL, &r);
	if (format_response(&r, out)) {
		strbuf_reset(out);
		if (strbuf_add(out, oom_response, sizeof(oom_response) - 1))
			strbuf_release(out); /* nothing to say: the server answers 502 */
	}
	memset(&off, 0, sizeof(off));
	if (fs->have_timer)
		timer_settime(fs->timer, 0, &off, NULL);
	xcpu_fd = -1;
	fastcgi_request = NULL;
	strbuf_release(&r.body);
	return 0;
}

/* fcgi_log_fn: a connection that went wrong, in the server's log. */
static void log_connection(void *ctx, const char *line)
{
	(void)ctx;
	log_line(line, NULL);
}

static void on_term(int sig)
{
	(void)sig;
	fcgi_stop();
}

/* Serve the web server's requests on the listening socket LISTEN_FD,
 * until the server stops the program (SIGTERM; SIGINT from a terminal):
 * the request being answered is finished first. */
static int serve_fastcgi(int listen_fd)
{
	struct fastcgi_state fs;
	struct sigaction sa;
	struct sigevent ev;
	uint32_t max_docs;
	int rc;

	memset(&fs, 0, sizeof(fs));
	memset(&ev, 0, sizeof(ev));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term; /* no SA_RESTART: the wait is interrupted */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	catch_xcpu();
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGXCPU;
	fs.budget = cpu_budget();
	max_docs = facet_cache_docs();
	if (max_docs > 0 && !(facet_cache = xap_value_cache_new(max_docs)))
		log_line("FastCGI: out of memory, facets are counted without columns", NULL);
	fs.have_timer = timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &fs.timer) == 0;
	if (!fs.have_timer)
		log_line("FastCGI: no CPU timer, requests run without a CPU limit",
			 strerror(errno));
	rc = fcgi_serve(listen_fd, CGI_MAX_BODY, answer_fastcgi, log_connection, &fs);
	if (fs.have_timer)
		timer_delete(fs.timer);
	strbuf_release(&xcpu_frame);
	free_synonyms();
	xap_value_cache_free(facet_cache);
	facet_cache = NULL;
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	int shell = !getenv("REQUEST_METHOD") && !getenv("GATEWAY_INTERFACE");
	strbuf out = STRBUF_INIT;
	response r;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	if (fcgi_is_listener(STDIN_FILENO))
		return serve_fastcgi(STDIN_FILENO);
	limit_cpu();
	if (shell && (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	memset(&r, 0, sizeof(r));
	if (answer(shell, argc, argv, &r) == 2) {
		free_synonyms();
		return 2;
	}
	if (format_response(&r, &out) == 0) {
		headers_sent = 1;
		rc = write_all(out.buf, out.len);
	} else { /* out of memory for a few headers: the fixed answer */
		headers_sent = 1;
		rc = write_all(oom_response, sizeof(oom_response) - 1);
	}
	strbuf_release(&out);
	strbuf_release(&r.body);
	free_synonyms();
	return rc ? 1 : 0;
}
