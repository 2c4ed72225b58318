/*
 * test_fastcgi.c - the FastCGI 1.0 responder protocol (searcher/fastcgi.h).
 *
 * What a web server sends is built here byte by byte (8-byte record
 * headers, contents, padding; name-value pairs with 1- and 4-byte
 * lengths) and fed to the parser whole, a byte at a time and split at
 * every offset; what the parser owes the server (c.out) is decoded here
 * again, record by record.  Then: pairs that are dropped, streams that are
 * protocol errors, bodies over the limit, management records, refused
 * roles and second requests, aborts, responses of 0 to 200,000 bytes,
 * pipelined requests, every allocation failing in turn, fcgi_is_listener()
 * on sockets, pipes and files, and fcgi_serve() end to end with the server
 * in a child process: on a Unix socket (kept connections, a protocol
 * error, broken connections, refused requests closing the connection,
 * an idle connection never holding up another, the longest idle one
 * closed beyond 32, a handler that stops it, fcgi_stop() from SIGTERM)
 * and on TCP for FCGI_WEB_SERVER_ADDRS.  Every wait on the server
 * is bounded (poll, WNOHANG, and alarm() in the child).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "fastcgi.h"
#include "strbuf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KEEP_CONN 1
#define ROLE_RESPONDER 1
#define ROLE_AUTHORIZER 2
/* How long a test waits for the server child before it fails. */
#define WAIT_MS 10000

static char tmpdir[256];
static pid_t server_pid; /* a fcgi_serve() child still running, or 0 */

/* ------------------------------------------------------------------ */
/* What a web server sends. */

/* Append one record: VERSION, TYPE, ID, LEN bytes of CONTENT, then
 * PADDING bytes of 0x01 (that look like the start of a record). */
static void record_v(strbuf *s, int version, int type, unsigned id,
		     const void *content, size_t len, size_t padding)
{
	unsigned char h[8] = { (unsigned char)version, (unsigned char)type,
			       (unsigned char)(id >> 8), (unsigned char)id,
			       (unsigned char)(len >> 8), (unsigned char)len,
			       (unsigned char)padding, 0 };

	assert_true(len <= FCGI_MAX_CONTENT);
	assert_true(padding <= 255);
	assert_int_equal(strbuf_add(s, h, sizeof(h)), 0);
	if (len)
		assert_int_equal(strbuf_add(s, content, len), 0);
	for (size_t i = 0; i < padding; i++)
		assert_int_equal(strbuf_addch(s, 0x01), 0);
}

static void record_pad(strbuf *s, int type, unsigned id, const void *content,
		       size_t len, size_t padding)
{
	record_v(s, 1, type, id, content, len, padding);
}

static void record(strbuf *s, int type, unsigned id, const void *content, size_t len)
{
	record_v(s, 1, type, id, content, len, 0);
}

static void record_str(strbuf *s, int type, unsigned id, const char *content)
{
	record(s, type, id, content, strlen(content));
}

/* Append the length N of a name or value: one byte below 128 unless
 * LONG_FORM, else four bytes with the top bit set. */
static void nv_length(strbuf *s, size_t n, int long_form)
{
	unsigned char b[4] = { (unsigned char)(0x80 | (n >> 24)), (unsigned char)(n >> 16),
			       (unsigned char)(n >> 8), (unsigned char)n };

	if (n < 128 && !long_form)
		assert_int_equal(strbuf_addch(s, (int)n), 0);
	else
		assert_int_equal(strbuf_add(s, b, sizeof(b)), 0);
}

static void pair_n(strbuf *s, const char *name, size_t nl, const char *value,
		   size_t vl, int long_form)
{
	nv_length(s, nl, long_form);
	nv_length(s, vl, long_form);
	assert_int_equal(strbuf_add(s, name, nl), 0);
	assert_int_equal(strbuf_add(s, value, vl), 0);
}

static void pair(strbuf *s, const char *name, const char *value)
{
	pair_n(s, name, strlen(name), value, strlen(value), 0);
}

static void begin(strbuf *s, unsigned id, unsigned role, int flags)
{
	unsigned char b[8] = { (unsigned char)(role >> 8), (unsigned char)role,
			       (unsigned char)flags, 0, 0, 0, 0, 0 };

	record(s, FCGI_BEGIN_REQUEST, id, b, sizeof(b));
}

/* Append DATA (LEN bytes) as records of TYPE in pieces of at most PIECE
 * bytes, then the empty record that ends the stream. */
static void stream(strbuf *s, int type, unsigned id, const void *data, size_t len,
		   size_t piece)
{
	for (size_t off = 0; off < len; off += piece)
		record(s, type, id, (const char *)data + off,
		       len - off < piece ? len - off : piece);
	record(s, type, id, NULL, 0);
}

/* A whole request ID with FLAGS: the pairs in PARAMS (may be empty), the
 * body BODY (LEN bytes, may be none), each stream in one record and its
 * end. */
static void request(strbuf *s, unsigned id, int flags, const strbuf *params,
		    const char *body, size_t len)
{
	begin(s, id, ROLE_RESPONDER, flags);
	stream(s, FCGI_PARAMS, id, params->buf, params->len, FCGI_MAX_CONTENT);
	stream(s, FCGI_STDIN, id, body, len, FCGI_MAX_CONTENT);
}

/* A request whose only parameter is Q, with BODY. */
static void simple_request(strbuf *s, unsigned id, int flags, const char *q,
			   const char *body)
{
	strbuf p = STRBUF_INIT;

	pair(&p, "REQUEST_METHOD", *body ? "POST" : "GET");
	pair(&p, "Q", q);
	request(s, id, flags, &p, body, strlen(body));
	strbuf_release(&p);
}

/* ------------------------------------------------------------------ */
/* What the program sends back. */

struct rec {
	int type;
	unsigned id;
	const unsigned char *content;
	size_t len;
};

/* Decode the record of OUT (LEN bytes) at OFF into R, checking that it is
 * whole, of version 1 and padded to a multiple of 8.  The offset after it. */
static size_t rec_at(const char *out, size_t len, size_t off, struct rec *r)
{
	const unsigned char *h = (const unsigned char *)out + off;
	size_t total;

	assert_true(off < len);
	assert_true(len - off >= 8);
	assert_int_equal(h[0], 1);
	r->type = h[1];
	r->id = (unsigned)h[2] << 8 | h[3];
	r->len = (size_t)h[4] << 8 | h[5];
	r->content = h + 8;
	total = 8 + r->len + h[6];
	assert_int_equal(total % 8, 0);
	assert_true(len - off >= total);
	return off + total;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Check that the records of OUT (LEN bytes) from OFF answer request ID
 * with RESPONSE (RLEN bytes): non-empty FCGI_STDOUT records that make it
 * up, the empty one, FCGI_END_REQUEST with APP_STATUS and
 * FCGI_REQUEST_COMPLETE.  The offset after them. */
static size_t check_answer_at(const char *out, size_t len, size_t off, unsigned id,
			      const void *response, size_t rlen, uint32_t app_status)
{
	size_t got = 0;
	struct rec r;

	for (;;) {
		off = rec_at(out, len, off, &r);
		assert_int_equal(r.type, FCGI_STDOUT);
		assert_int_equal(r.id, id);
		assert_true(r.len <= FCGI_MAX_CONTENT);
		if (!r.len)
			break;
		assert_true(r.len <= rlen - got);
		assert_memory_equal(r.content, (const char *)response + got, r.len);
		got += r.len;
	}
	assert_int_equal(got, rlen);
	off = rec_at(out, len, off, &r);
	assert_int_equal(r.type, FCGI_END_REQUEST);
	assert_int_equal(r.id, id);
	assert_int_equal(r.len, 8);
	assert_int_equal(be32(r.content), app_status);
	assert_int_equal(r.content[4], FCGI_REQUEST_COMPLETE);
	return off;
}

static size_t check_answer(const strbuf *out, size_t off, unsigned id,
			   const void *response, size_t rlen, uint32_t app_status)
{
	return check_answer_at(out->buf, out->len, off, id, response, rlen, app_status);
}

/* Check that OUT from OFF holds exactly one FCGI_END_REQUEST for ID with
 * PROTOCOL_STATUS (and application status 0) and return the offset after. */
static size_t check_end_request(const strbuf *out, size_t off, unsigned id,
				int protocol_status)
{
	struct rec r;

	off = rec_at(out->buf, out->len, off, &r);
	assert_int_equal(r.type, FCGI_END_REQUEST);
	assert_int_equal(r.id, id);
	assert_int_equal(r.len, 8);
	assert_int_equal(be32(r.content), 0);
	assert_int_equal(r.content[4], protocol_status);
	return off;
}

/* Check that R (an FCGI_GET_VALUES_RESULT) holds exactly our three
 * values, in any order. */
static void check_values_result(const struct rec *r)
{
	static const char *const want[][2] = {
		{ "FCGI_MAX_CONNS", "1" }, { "FCGI_MAX_REQS", "1" }, { "FCGI_MPXS_CONNS", "0" }
	};
	int seen[3] = { 0, 0, 0 };
	size_t off = 0;

	assert_int_equal(r->type, FCGI_GET_VALUES_RESULT);
	assert_int_equal(r->id, 0);
	while (off < r->len) {
		size_t nl, vl;
		int found = 0;

		/* Our names and values are short: one-byte lengths. */
		assert_true(r->len - off >= 2);
		nl = r->content[off];
		vl = r->content[off + 1];
		assert_true(nl < 128 && vl < 128);
		off += 2;
		assert_true(nl + vl <= r->len - off);
		for (size_t i = 0; i < 3; i++)
			if (strlen(want[i][0]) == nl && !memcmp(want[i][0], r->content + off, nl)) {
				assert_false(seen[i]);
				assert_int_equal(vl, 1);
				assert_memory_equal(r->content + off + nl, want[i][1], 1);
				seen[i] = found = 1;
			}
		assert_true(found);
		off += nl + vl;
	}
	assert_true(seen[0] && seen[1] && seen[2]);
}

/* ------------------------------------------------------------------ */
/* A request with everything in it. */

#define RICH_ID 0x1234u
#define LONG_NAME_LEN 130
#define LONG_VALUE_LEN 200

static char long_name[LONG_NAME_LEN + 1], long_value[LONG_VALUE_LEN + 1];
static const char rich_body[] = "field=1&other=2 - the body of a POST, in three records";

static void make_long_strings(void)
{
	for (size_t i = 0; i < LONG_NAME_LEN; i++)
		long_name[i] = (char)('A' + i % 26);
	long_name[LONG_NAME_LEN] = '\0';
	for (size_t i = 0; i < LONG_VALUE_LEN; i++)
		long_value[i] = (char)('a' + i % 26);
	long_value[LONG_VALUE_LEN] = '\0';
}

/* The parameter stream of the rich request; *CUT is an offset inside the
 * 4-byte length of the long name. */
static void rich_params(strbuf *p, size_t *cut)
{
	make_long_strings();
	pair(p, "SCRIPT_NAME", "/cgi-bin/wire-search.cgi");
	pair(p, "QUERY_STRING", "q=durand+line&page=2");
	pair(p, "Q", "first");
	*cut = p->len + 2;
	pair_n(p, long_name, LONG_NAME_LEN, "long-name", 9, 0);
	pair_n(p, "LONG_VALUE", 10, long_value, LONG_VALUE_LEN, 0);
	pair(p, "Q", "second");
	pair_n(p, "SHORT_IN_LONG_FORM", 18, "x", 1, 1);
	pair(p, "EMPTY", "");
}

/* Request RICH_ID with KEEP_CONN: its parameters in three PARAMS records
 * that cut a name and a 4-byte length in two, a management record and a
 * record of another request in the middle, padding on most records, the
 * body in three STDIN records. */
static void rich_stream(strbuf *s)
{
	strbuf p = STRBUF_INIT, gv = STRBUF_INIT;
	size_t cut, third;

	rich_params(&p, &cut);
	assert_true(cut > 7 && cut < p.len);
	begin(s, RICH_ID, ROLE_RESPONDER, KEEP_CONN);
	record_pad(s, FCGI_PARAMS, RICH_ID, p.buf, 7, 3);
	record_pad(s, FCGI_PARAMS, RICH_ID, p.buf + 7, cut - 7, 0);
	pair(&gv, "FCGI_MPXS_CONNS", "");
	record_pad(s, FCGI_GET_VALUES, 0, gv.buf, gv.len, 7);
	pair(&gv, "Q", "other request");
	record(s, FCGI_PARAMS, 99, gv.buf, gv.len);
	record_pad(s, FCGI_PARAMS, RICH_ID, p.buf + cut, p.len - cut, 255);
	record_pad(s, FCGI_PARAMS, RICH_ID, NULL, 0, 2);
	third = sizeof(rich_body) / 3;
	record(s, FCGI_STDIN, RICH_ID, rich_body, third);
	record_pad(s, FCGI_STDIN, RICH_ID, rich_body + third, third, 5);
	record_pad(s, FCGI_STDIN, RICH_ID, rich_body + 2 * third,
		   sizeof(rich_body) - 1 - 2 * third, 1);
	record(s, FCGI_STDIN, 99, "not ours", 8);
	record(s, FCGI_STDIN, RICH_ID, NULL, 0);
	strbuf_release(&p);
	strbuf_release(&gv);
}

/* Check that C holds the rich request, and c.out its one answer to the
 * management record. */
static void check_rich(const fcgi_conn *c)
{
	struct rec r;
	const char *v;

	assert_int_equal(c->id, RICH_ID);
	assert_true(c->keep_conn);
	assert_string_equal(fcgi_conn_param(c, "SCRIPT_NAME"), "/cgi-bin/wire-search.cgi");
	assert_string_equal(fcgi_conn_param(c, "QUERY_STRING"), "q=durand+line&page=2");
	assert_string_equal(fcgi_conn_param(c, "Q"), "second");
	assert_string_equal(fcgi_conn_param(c, long_name), "long-name");
	v = fcgi_conn_param(c, "LONG_VALUE");
	assert_non_null(v);
	assert_int_equal(strlen(v), LONG_VALUE_LEN);
	assert_string_equal(v, long_value);
	assert_string_equal(fcgi_conn_param(c, "SHORT_IN_LONG_FORM"), "x");
	assert_string_equal(fcgi_conn_param(c, "EMPTY"), "");
	assert_null(fcgi_conn_param(c, "MISSING"));
	assert_null(fcgi_conn_param(c, "q"));
	assert_int_equal(c->body.len, sizeof(rich_body) - 1);
	assert_memory_equal(c->body.buf, rich_body, c->body.len);
	assert_int_equal(c->body_too_large, 0);
	/* The answer to FCGI_GET_VALUES asking only FCGI_MPXS_CONNS. */
	assert_int_equal(rec_at(c->out.buf, c->out.len, 0, &r), c->out.len);
	assert_int_equal(r.type, FCGI_GET_VALUES_RESULT);
	assert_int_equal(r.id, 0);
	assert_int_equal(r.len, 2 + 15 + 1);
	assert_memory_equal(r.content, "\x0f\x01" "FCGI_MPXS_CONNS0", r.len);
}

/* Feed S (LEN bytes) to C in one piece and return what fcgi_conn_next()
 * says. */
static enum fcgi_event feed_all(fcgi_conn *c, const void *s, size_t len)
{
	char err[256];
	enum fcgi_event ev;

	assert_int_equal(fcgi_conn_feed(c, s, len), 0);
	ev = fcgi_conn_next(c, err, sizeof(err));
	if (ev == FCGI_PROTOCOL_ERROR)
		fprintf(stderr, "unexpected: %s\n", err);
	return ev;
}

/* ------------------------------------------------------------------ */
/* Whole requests. */

/* A plain request, with and without FCGI_KEEP_CONN: every parameter, the
 * last of a name sent twice, no answer owed until it is answered. */
static void test_whole_request(void **state)
{
	(void)state;
	for (int flags = 0; flags <= KEEP_CONN; flags++) {
		strbuf s = STRBUF_INIT, p = STRBUF_INIT;
		fcgi_conn c;

		pair(&p, "REQUEST_METHOD", "POST");
		pair(&p, "QUERY_STRING", "q=oil");
		pair(&p, "CONTENT_LENGTH", "11");
		pair(&p, "HTTP_X", "one");
		pair(&p, "HTTP_X", "two");
		pair(&p, "EMPTY_VALUE", "");
		begin(&s, 0x0102, ROLE_RESPONDER, flags | 0x80); /* unknown flag bits */
		/* The pairs in two records, the cut between two pairs. */
		record(&s, FCGI_PARAMS, 0x0102, p.buf, 20);
		record(&s, FCGI_PARAMS, 0x0102, p.buf + 20, p.len - 20);
		record(&s, FCGI_PARAMS, 0x0102, NULL, 0);
		record_str(&s, FCGI_STDIN, 0x0102, "hello");
		record_str(&s, FCGI_STDIN, 0x0102, " world");
		record(&s, FCGI_STDIN, 0x0102, NULL, 0);
		fcgi_conn_init(&c, 1000);
		assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_REQUEST_READY);
		assert_int_equal(c.id, 0x0102);
		assert_int_equal(c.keep_conn != 0, flags);
		assert_string_equal(fcgi_conn_param(&c, "REQUEST_METHOD"), "POST");
		assert_string_equal(fcgi_conn_param(&c, "QUERY_STRING"), "q=oil");
		assert_string_equal(fcgi_conn_param(&c, "CONTENT_LENGTH"), "11");
		assert_string_equal(fcgi_conn_param(&c, "HTTP_X"), "two");
		assert_string_equal(fcgi_conn_param(&c, "EMPTY_VALUE"), "");
		assert_null(fcgi_conn_param(&c, "HTTP_Y"));
		assert_null(fcgi_conn_param(&c, "QUERY"));
		assert_null(fcgi_conn_param(&c, ""));
		assert_int_equal(c.body.len, 11);
		assert_memory_equal(c.body.buf, "hello world", 11);
		assert_int_equal(c.body_too_large, 0);
		assert_int_equal(c.out.len, 0);
		fcgi_conn_release(&c);
		strbuf_release(&s);
		strbuf_release(&p);
	}
}

/* No parameters at all (only the empty PARAMS record) and no body (only
 * the empty STDIN record), the streams ending in either order. */
static void test_empty_streams(void **state)
{
	(void)state;
	for (int order = 0; order < 2; order++) {
		strbuf s = STRBUF_INIT;
		fcgi_conn c;

		begin(&s, 1, ROLE_RESPONDER, 0);
		record(&s, order ? FCGI_STDIN : FCGI_PARAMS, 1, NULL, 0);
		fcgi_conn_init(&c, 1000);
		/* One stream ended is not a request. */
		assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_NEED_MORE);
		strbuf_reset(&s);
		record(&s, order ? FCGI_PARAMS : FCGI_STDIN, 1, NULL, 0);
		assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_REQUEST_READY);
		assert_int_equal(c.id, 1);
		assert_false(c.keep_conn);
		assert_int_equal(c.n_params, 0);
		assert_null(fcgi_conn_param(&c, "QUERY_STRING"));
		assert_int_equal(c.body.len, 0);
		assert_int_equal(c.body_too_large, 0);
		fcgi_conn_release(&c);
		strbuf_release(&s);
	}
}

/* The rich request fed whole. */
static void test_rich_request(void **state)
{
	strbuf s = STRBUF_INIT;
	fcgi_conn c;

	(void)state;
	rich_stream(&s);
	fcgi_conn_init(&c, 1000);
	assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_REQUEST_READY);
	check_rich(&c);
	fcgi_conn_release(&c);
	strbuf_release(&s);
}

/* The rich request a byte at a time, and cut in two at every offset: no
 * request before its last byte, the same request after it. */
static void test_split_feeds(void **state)
{
	strbuf s = STRBUF_INIT;
	char err[256];
	fcgi_conn c;

	(void)state;
	rich_stream(&s);
	fcgi_conn_init(&c, 1000);
	for (size_t i = 0; i < s.len; i++) {
		assert_int_equal(fcgi_conn_feed(&c, s.buf + i, 1), 0);
		if (fcgi_conn_next(&c, err, sizeof(err)) !=
		    (i + 1 < s.len ? FCGI_NEED_MORE : FCGI_REQUEST_READY)) {
			fprintf(stderr, "a byte at a time: wrong event after byte %zu of %zu\n",
				i + 1, s.len);
			fail();
		}
	}
	check_rich(&c);
	fcgi_conn_release(&c);
	for (size_t k = 0; k <= s.len; k++) {
		fcgi_conn_init(&c, 1000);
		assert_int_equal(fcgi_conn_feed(&c, s.buf, k), 0);
		if (fcgi_conn_next(&c, err, sizeof(err)) !=
		    (k < s.len ? FCGI_NEED_MORE : FCGI_REQUEST_READY)) {
			fprintf(stderr, "cut at %zu of %zu: wrong event after the first part\n",
				k, s.len);
			fail();
		}
		assert_int_equal(feed_all(&c, s.buf + k, s.len - k), FCGI_REQUEST_READY);
		check_rich(&c);
		fcgi_conn_release(&c);
	}
	strbuf_release(&s);
}

/* A parameter stream cut into two PARAMS records at every offset: inside
 * 1-byte and 4-byte lengths, names and values. */
static void test_pairs_across_records(void **state)
{
	strbuf p = STRBUF_INIT;
	size_t cut;

	(void)state;
	rich_params(&p, &cut);
	for (size_t k = 1; k < p.len; k++) {
		strbuf s = STRBUF_INIT;
		fcgi_conn c;

		begin(&s, 7, ROLE_RESPONDER, 0);
		record(&s, FCGI_PARAMS, 7, p.buf, k);
		record(&s, FCGI_PARAMS, 7, p.buf + k, p.len - k);
		record(&s, FCGI_PARAMS, 7, NULL, 0);
		record(&s, FCGI_STDIN, 7, NULL, 0);
		fcgi_conn_init(&c, 1000);
		assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_REQUEST_READY);
		assert_string_equal(fcgi_conn_param(&c, "QUERY_STRING"), "q=durand+line&page=2");
		assert_string_equal(fcgi_conn_param(&c, "Q"), "second");
		assert_string_equal(fcgi_conn_param(&c, long_name), "long-name");
		assert_string_equal(fcgi_conn_param(&c, "LONG_VALUE"), long_value);
		assert_string_equal(fcgi_conn_param(&c, "SHORT_IN_LONG_FORM"), "x");
		assert_string_equal(fcgi_conn_param(&c, "EMPTY"), "");
		fcgi_conn_release(&c);
		strbuf_release(&s);
	}
	strbuf_release(&p);
}

/* Padding of every length from 1 to 255 on every record of a request. */
static void test_padding(void **state)
{
	(void)state;
	for (size_t pad = 1; pad <= 255; pad++) {
		strbuf s = STRBUF_INIT, p = STRBUF_INIT;
		unsigned char b[8] = { 0, ROLE_RESPONDER, KEEP_CONN, 0, 0, 0, 0, 0 };
		fcgi_conn c;

		pair(&p, "QUERY_STRING", "q=pad");
		record_pad(&s, FCGI_BEGIN_REQUEST, 3, b, sizeof(b), pad);
		record_pad(&s, FCGI_PARAMS, 3, p.buf, p.len, pad);
		record_pad(&s, FCGI_PARAMS, 3, NULL, 0, pad);
		record_pad(&s, FCGI_STDIN, 3, "body", 4, pad);
		record_pad(&s, FCGI_STDIN, 3, NULL, 0, pad);
		fcgi_conn_init(&c, 1000);
		/* Not ready before the last padding byte. */
		assert_int_equal(feed_all(&c, s.buf, s.len - 1), FCGI_NEED_MORE);
		assert_int_equal(feed_all(&c, s.buf + s.len - 1, 1), FCGI_REQUEST_READY);
		assert_int_equal(c.id, 3);
		assert_true(c.keep_conn);
		assert_string_equal(fcgi_conn_param(&c, "QUERY_STRING"), "q=pad");
		assert_int_equal(c.body.len, 4);
		assert_memory_equal(c.body.buf, "body", 4);
		fcgi_conn_release(&c);
		strbuf_release(&s);
		strbuf_release(&p);
	}
}

/* A pair with a NUL byte in its name or value, or with an empty name, is
 * dropped; the others are kept. */
static void test_pairs_dropped(void **state)
{
	strbuf s = STRBUF_INIT, p = STRBUF_INIT;
	fcgi_conn c;

	(void)state;
	pair(&p, "GOOD", "1");
	pair_n(&p, "A\0B", 3, "x", 1, 0);
	pair_n(&p, "V", 1, "a\0b", 3, 0);
	pair_n(&p, "", 0, "empty name", 10, 0);
	pair_n(&p, "T", 1, "trailing\0", 9, 0);
	pair_n(&p, "\0", 1, "", 0, 1);
	pair(&p, "ALSO", "2");
	request(&s, 1, 0, &p, "", 0);
	fcgi_conn_init(&c, 1000);
	assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_REQUEST_READY);
	assert_int_equal(c.n_params, 2);
	assert_string_equal(fcgi_conn_param(&c, "GOOD"), "1");
	assert_string_equal(fcgi_conn_param(&c, "ALSO"), "2");
	assert_null(fcgi_conn_param(&c, "A"));
	assert_null(fcgi_conn_param(&c, "V"));
	assert_null(fcgi_conn_param(&c, "T"));
	assert_null(fcgi_conn_param(&c, ""));
	for (size_t i = 0; i < c.n_params; i++)
		assert_true(c.names[i][0] != '\0');
	fcgi_conn_release(&c);
	strbuf_release(&s);
	strbuf_release(&p);
}

/* ------------------------------------------------------------------ */
/* Protocol errors. */

/* S must be a protocol error, fed whole (with and without room for the
 * reason, and with too little) and a byte at a time. */
static void expect_protocol_error(const strbuf *s, const char *what)
{
	char err[256], small[8];
	enum fcgi_event ev;
	fcgi_conn c;

	fcgi_conn_init(&c, 1000);
	assert_int_equal(fcgi_conn_feed(&c, s->buf, s->len), 0);
	ev = fcgi_conn_next(&c, err, sizeof(err));
	if (ev != FCGI_PROTOCOL_ERROR) {
		fprintf(stderr, "%s: event %d, not a protocol error\n", what, (int)ev);
		fail();
	}
	if (!strstr(err, "FastCGI")) {
		fprintf(stderr, "%s: reason '%s' does not name FastCGI\n", what, err);
		fail();
	}
	fcgi_conn_release(&c);

	fcgi_conn_init(&c, 1000);
	assert_int_equal(fcgi_conn_feed(&c, s->buf, s->len), 0);
	assert_int_equal(fcgi_conn_next(&c, NULL, 0), FCGI_PROTOCOL_ERROR);
	fcgi_conn_release(&c);

	fcgi_conn_init(&c, 1000);
	memset(small, 'x', sizeof(small));
	assert_int_equal(fcgi_conn_feed(&c, s->buf, s->len), 0);
	assert_int_equal(fcgi_conn_next(&c, small, sizeof(small)), FCGI_PROTOCOL_ERROR);
	assert_non_null(memchr(small, '\0', sizeof(small)));
	fcgi_conn_release(&c);

	fcgi_conn_init(&c, 1000);
	ev = FCGI_NEED_MORE;
	for (size_t i = 0; i < s->len && ev == FCGI_NEED_MORE; i++) {
		assert_int_equal(fcgi_conn_feed(&c, s->buf + i, 1), 0);
		ev = fcgi_conn_next(&c, err, sizeof(err));
	}
	if (ev != FCGI_PROTOCOL_ERROR) {
		fprintf(stderr, "%s, a byte at a time: event %d\n", what, (int)ev);
		fail();
	}
	fcgi_conn_release(&c);
}

/* A request whose parameter stream is the LEN bytes of PARAMS. */
static void expect_bad_params(const char *params, size_t len, const char *what)
{
	strbuf s = STRBUF_INIT;

	begin(&s, 1, ROLE_RESPONDER, 0);
	record(&s, FCGI_STDIN, 1, NULL, 0);
	record(&s, FCGI_PARAMS, 1, params, len);
	record(&s, FCGI_PARAMS, 1, NULL, 0);
	expect_protocol_error(&s, what);
	strbuf_release(&s);
}

static void test_bad_params(void **state)
{
	(void)state;
	expect_bad_params("\x80", 1, "a 4-byte name length cut after 1 byte");
	expect_bad_params("\x80\x00\x00", 3, "a 4-byte name length cut after 3 bytes");
	expect_bad_params("\x01", 1, "no value length");
	expect_bad_params("\x01\x80\x00\x00", 4, "a 4-byte value length cut short");
	expect_bad_params("\x05\x01" "ab", 4, "a name past the end");
	expect_bad_params("\x01\x7f" "Ab", 4, "a value past the end");
	expect_bad_params("\x01\x01" "AbX", 5, "a trailing byte");
	expect_bad_params("\xff\xff\xff\xff\x00" "x", 6, "a name of 2^31-1 bytes");
	expect_bad_params("\x01\xff\xff\xff\xff" "x", 6, "a value of 2^31-1 bytes");
	expect_bad_params("\x02\x02" "OKok" "\x03\x09" "BADx", 12,
			  "a good pair then a bad one");
}

static void test_protocol_errors(void **state)
{
	strbuf s = STRBUF_INIT, p = STRBUF_INIT;
	unsigned char b[8] = { 0, ROLE_RESPONDER, 0, 0, 0, 0, 0, 0 };

	(void)state;
	pair(&p, "Q", "x");
	/* Another version, on the first record or a later one. */
	for (int v = 0; v < 256; v++) {
		if (v == 1)
			continue;
		strbuf_reset(&s);
		record_v(&s, v, FCGI_BEGIN_REQUEST, 1, b, sizeof(b), 0);
		expect_protocol_error(&s, "a version other than 1");
	}
	strbuf_reset(&s);
	begin(&s, 1, ROLE_RESPONDER, 0);
	record_v(&s, 2, FCGI_PARAMS, 1, p.buf, p.len, 0);
	expect_protocol_error(&s, "version 2 on PARAMS");
	strbuf_reset(&s);
	record_v(&s, 3, FCGI_GET_VALUES, 0, NULL, 0, 0);
	expect_protocol_error(&s, "version 3 on a management record");

	/* PARAMS after the empty PARAMS (the body still open). */
	strbuf_reset(&s);
	begin(&s, 1, ROLE_RESPONDER, 0);
	record(&s, FCGI_PARAMS, 1, p.buf, p.len);
	record(&s, FCGI_PARAMS, 1, NULL, 0);
	record(&s, FCGI_PARAMS, 1, p.buf, p.len);
	expect_protocol_error(&s, "PARAMS after their end");
	strbuf_reset(&s);
	begin(&s, 1, ROLE_RESPONDER, 0);
	record(&s, FCGI_PARAMS, 1, NULL, 0);
	record(&s, FCGI_PARAMS, 1, NULL, 0);
	expect_protocol_error(&s, "a second empty PARAMS");

	/* STDIN after the empty STDIN (the parameters still open). */
	strbuf_reset(&s);
	begin(&s, 1, ROLE_RESPONDER, 0);
	record_str(&s, FCGI_STDIN, 1, "a");
	record(&s, FCGI_STDIN, 1, NULL, 0);
	record_str(&s, FCGI_STDIN, 1, "b");
	expect_protocol_error(&s, "STDIN after its end");

	/* FCGI_BEGIN_REQUEST shorter than its 8 bytes. */
	for (size_t len = 0; len < 8; len++) {
		strbuf_reset(&s);
		record(&s, FCGI_BEGIN_REQUEST, 1, b, len);
		expect_protocol_error(&s, "a short BEGIN_REQUEST");
	}

	/* FCGI_GET_VALUES whose pairs do not decode. */
	strbuf_reset(&s);
	record(&s, FCGI_GET_VALUES, 0, "\x0e\x00" "FCGI_MAX", 10);
	expect_protocol_error(&s, "GET_VALUES that does not decode");
	strbuf_release(&s);
	strbuf_release(&p);
}

/* A parameter stream of FCGI_MAX_PARAMS bytes is read, one byte more is a
 * protocol error. */
static void test_params_limit(void **state)
{
	size_t vl = FCGI_MAX_PARAMS - 1 - 4 - 3;
	char *value = malloc(vl + 2);

	(void)state;
	assert_non_null(value);
	memset(value, 'v', vl + 1);
	value[vl + 1] = '\0';
	for (size_t extra = 0; extra < 2; extra++) {
		strbuf s = STRBUF_INIT, p = STRBUF_INIT;
		fcgi_conn c;
		char err[256];
		enum fcgi_event ev;

		pair_n(&p, "BIG", 3, value, vl + extra, 0);
		assert_int_equal(p.len, FCGI_MAX_PARAMS + extra);
		begin(&s, 1, ROLE_RESPONDER, 0);
		stream(&s, FCGI_PARAMS, 1, p.buf, p.len, FCGI_MAX_CONTENT);
		record(&s, FCGI_STDIN, 1, NULL, 0);
		fcgi_conn_init(&c, 1000);
		assert_int_equal(fcgi_conn_feed(&c, s.buf, s.len), 0);
		ev = fcgi_conn_next(&c, err, sizeof(err));
		if (!extra) {
			assert_int_equal(ev, FCGI_REQUEST_READY);
			assert_int_equal(strlen(fcgi_conn_param(&c, "BIG")), vl);
		} else {
			assert_int_equal(ev, FCGI_PROTOCOL_ERROR);
			assert_non_null(strstr(err, "FastCGI"));
		}
		fcgi_conn_release(&c);
		strbuf_release(&s);
		strbuf_release(&p);
	}
	/* Far more than the limit, in full records of garbage: an error
	 * before the stream even ends. */
	{
		strbuf s = STRBUF_INIT;
		fcgi_conn c;
		char err[256];

		begin(&s, 1, ROLE_RESPONDER, 0);
		for (int i = 0; i < 5; i++) {
			memset(value, 0x80 | i, FCGI_MAX_CONTENT);
			record(&s, FCGI_PARAMS, 1, value, FCGI_MAX_CONTENT);
		}
		fcgi_conn_init(&c, 1000);
		assert_int_equal(fcgi_conn_feed(&c, s.buf, s.len), 0);
		assert_int_equal(fcgi_conn_next(&c, err, sizeof(err)), FCGI_PROTOCOL_ERROR);
		assert_non_null(strstr(err, "FastCGI"));
		fcgi_conn_release(&c);
		strbuf_release(&s);
	}
	free(value);
}

/* ------------------------------------------------------------------ */
/* The body. */

static void test_body_limit(void **state)
{
	static const char body[] = "0123456789abcdefghij";
	/* Bodies of 10 bytes (at the limit) and 11, 12, 20 bytes (over it), in
	 * records of 1, 3, 7 and 20 bytes. */
	static const size_t lens[] = { 10, 11, 12, 20 };
	static const size_t pieces[] = { 1, 3, 7, 20 };

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (size_t j = 0; j < sizeof(pieces) / sizeof(pieces[0]); j++) {
			strbuf s = STRBUF_INIT, p = STRBUF_INIT;
			fcgi_conn c;

			pair(&p, "Q", "body");
			begin(&s, 2, ROLE_RESPONDER, 0);
			stream(&s, FCGI_PARAMS, 2, p.buf, p.len, 100);
			stream(&s, FCGI_STDIN, 2, body, lens[i], pieces[j]);
			fcgi_conn_init(&c, 10);
			assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_REQUEST_READY);
			assert_string_equal(fcgi_conn_param(&c, "Q"), "body");
			assert_true(c.body.len <= 10);
			if (lens[i] <= 10) {
				assert_int_equal(c.body_too_large, 0);
				assert_int_equal(c.body.len, lens[i]);
				assert_memory_equal(c.body.buf, body, lens[i]);
			} else {
				assert_int_equal(c.body_too_large, 1);
				/* What is kept is the start of the body. */
				if (c.body.len)
					assert_memory_equal(c.body.buf, body, c.body.len);
			}
			fcgi_conn_release(&c);
			strbuf_release(&s);
			strbuf_release(&p);
		}
}

/* No body allowed at all: any byte of one is too much. */
static void test_body_limit_zero(void **state)
{
	strbuf s = STRBUF_INIT;
	fcgi_conn c;

	(void)state;
	simple_request(&s, 4, 0, "x", "");
	fcgi_conn_init(&c, 0);
	assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_REQUEST_READY);
	assert_int_equal(c.body_too_large, 0);
	assert_int_equal(c.body.len, 0);
	fcgi_conn_release(&c);
	strbuf_reset(&s);
	simple_request(&s, 4, 0, "x", "y");
	fcgi_conn_init(&c, 0);
	assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_REQUEST_READY);
	assert_int_equal(c.body_too_large, 1);
	assert_int_equal(c.body.len, 0);
	fcgi_conn_release(&c);
	strbuf_release(&s);
}

/* ------------------------------------------------------------------ */
/* Management records, roles, more than one request. */

static void test_get_values(void **state)
{
	strbuf s = STRBUF_INIT, p = STRBUF_INIT;
	struct rec r;
	fcgi_conn c;
	size_t off;

	(void)state;
	pair(&p, "FCGI_MAX_CONNS", "");
	pair(&p, "FCGI_MAX_REQS", "");
	pair(&p, "FCGI_UNKNOWN_VARIABLE", "");
	pair_n(&p, "FCGI_MPXS_CONNS", 15, "", 0, 1);
	record(&s, FCGI_GET_VALUES, 0, p.buf, p.len);
	fcgi_conn_init(&c, 1000);
	assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_NEED_MORE);
	assert_int_equal(c.id, 0);
	off = rec_at(c.out.buf, c.out.len, 0, &r);
	assert_int_equal(off, c.out.len);
	check_values_result(&r);

	/* Asking for nothing we know: an empty answer. */
	strbuf_reset(&c.out);
	strbuf_reset(&p);
	strbuf_reset(&s);
	pair(&p, "SOMETHING_ELSE", "");
	record(&s, FCGI_GET_VALUES, 0, p.buf, p.len);
	record(&s, FCGI_GET_VALUES, 0, NULL, 0);
	assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_NEED_MORE);
	off = rec_at(c.out.buf, c.out.len, 0, &r);
	assert_int_equal(r.type, FCGI_GET_VALUES_RESULT);
	assert_int_equal(r.id, 0);
	assert_int_equal(r.len, 0);
	off = rec_at(c.out.buf, c.out.len, off, &r);
	assert_int_equal(r.type, FCGI_GET_VALUES_RESULT);
	assert_int_equal(r.len, 0);
	assert_int_equal(off, c.out.len);
	fcgi_conn_release(&c);
	strbuf_release(&s);
	strbuf_release(&p);
}

/* Management records of a type we do not know, also between the records
 * of a request (which goes on). */
static void test_unknown_type(void **state)
{
	static const int types[] = { 42, 0, 255, FCGI_GET_VALUES_RESULT, FCGI_STDOUT };
	strbuf s = STRBUF_INIT;
	struct rec r;
	fcgi_conn c;
	size_t off = 0;

	(void)state;
	begin(&s, 9, ROLE_RESPONDER, 0);
	record(&s, FCGI_PARAMS, 9, "\x01\x05" "Qafter", 8);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		record_pad(&s, types[i], 0, "some content", 12, i);
	record(&s, FCGI_PARAMS, 9, NULL, 0);
	record(&s, FCGI_STDIN, 9, NULL, 0);
	fcgi_conn_init(&c, 1000);
	assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_REQUEST_READY);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		off = rec_at(c.out.buf, c.out.len, off, &r);
		assert_int_equal(r.type, FCGI_UNKNOWN_TYPE);
		assert_int_equal(r.id, 0);
		assert_int_equal(r.len, 8);
		assert_int_equal(r.content[0], types[i]);
		for (int k = 1; k < 8; k++)
			assert_int_equal(r.content[k], 0);
	}
	assert_int_equal(off, c.out.len);
	assert_int_equal(c.id, 9);
	assert_string_equal(fcgi_conn_param(&c, "Q"), "after");
	fcgi_conn_release(&c);

	/* A lone unknown management record. */
	strbuf_reset(&s);
	record(&s, 42, 0, NULL, 0);
	fcgi_conn_init(&c, 1000);
	assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_NEED_MORE);
	assert_int_equal(rec_at(c.out.buf, c.out.len, 0, &r), c.out.len);
	assert_int_equal(r.type, FCGI_UNKNOWN_TYPE);
	assert_int_equal(r.content[0], 42);
	fcgi_conn_release(&c);
	strbuf_release(&s);
}

/* Roles other than the responder are refused, the connection goes on. */
static void test_unknown_role(void **state)
{
	static const unsigned roles[] = { ROLE_AUTHORIZER, 3, 0, 0x0101, 0xffff };
	strbuf s = STRBUF_INIT;
	fcgi_conn c;

	(void)state;
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		size_t off;

		strbuf_reset(&s);
		begin(&s, 5, roles[i], KEEP_CONN);
		fcgi_conn_init(&c, 1000);
		assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_NEED_MORE);
		assert_int_equal(c.id, 0);
		assert_int_equal(check_end_request(&c.out, 0, 5, FCGI_UNKNOWN_ROLE), c.out.len);
		/* The refused request's records are ignored; another request is
		 * served. */
		strbuf_reset(&s);
		record(&s, FCGI_PARAMS, 5, "\x01\x01" "Qr", 4);
		record(&s, FCGI_PARAMS, 5, NULL, 0);
		record(&s, FCGI_STDIN, 5, NULL, 0);
		assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_NEED_MORE);
		assert_int_equal(c.id, 0);
		off = c.out.len;
		strbuf_reset(&s);
		simple_request(&s, 6, 0, "served", "");
		assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_REQUEST_READY);
		assert_int_equal(c.id, 6);
		assert_string_equal(fcgi_conn_param(&c, "Q"), "served");
		assert_int_equal(c.out.len, off);
		fcgi_conn_release(&c);
	}
	strbuf_release(&s);
}

/* A second request while one is open is refused; its records are ignored
 * and the first completes. */
static void test_cant_mpx(void **state)
{
	strbuf s = STRBUF_INIT, p1 = STRBUF_INIT, p2 = STRBUF_INIT;
	fcgi_conn c;
	size_t off;

	(void)state;
	pair(&p1, "Q", "first");
	pair(&p2, "Q", "second");
	pair(&p2, "ONLY_SECOND", "1");
	begin(&s, 1, ROLE_RESPONDER, 0);
	record(&s, FCGI_PARAMS, 1, p1.buf, p1.len);
	begin(&s, 2, ROLE_RESPONDER, KEEP_CONN);
	record(&s, FCGI_PARAMS, 2, p2.buf, p2.len);
	record(&s, FCGI_PARAMS, 2, NULL, 0);
	record_str(&s, FCGI_STDIN, 2, "second body");
	record(&s, FCGI_STDIN, 2, NULL, 0);
	record(&s, FCGI_PARAMS, 1, NULL, 0);
	record_str(&s, FCGI_STDIN, 1, "first body");
	record(&s, FCGI_ABORT_REQUEST, 2, NULL, 0);
	record(&s, FCGI_STDIN, 1, NULL, 0);
	fcgi_conn_init(&c, 1000);
	assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_REQUEST_READY);
	assert_int_equal(c.id, 1);
	assert_false(c.keep_conn);
	assert_string_equal(fcgi_conn_param(&c, "Q"), "first");
	assert_null(fcgi_conn_param(&c, "ONLY_SECOND"));
	assert_int_equal(c.body.len, 10);
	assert_memory_equal(c.body.buf, "first body", 10);
	/* Only the refusal: the abort of request 2 was not ours. */
	off = check_end_request(&c.out, 0, 2, FCGI_CANT_MPX_CONN);
	assert_int_equal(off, c.out.len);
	assert_int_equal(fcgi_conn_respond(&c, "ok", 2), 0);
	assert_int_equal(check_answer(&c.out, off, 1, "ok", 2, 0), c.out.len);
	fcgi_conn_release(&c);
	strbuf_release(&s);
	strbuf_release(&p1);
	strbuf_release(&p2);
}

/* FCGI_ABORT_REQUEST for the open request ends it; a new one then works. */
static void test_abort(void **state)
{
	strbuf s = STRBUF_INIT, p = STRBUF_INIT;
	fcgi_conn c;
	size_t off;

	(void)state;
	fcgi_conn_init(&c, 1000);
	/* An abort with no request open is ignored. */
	record(&s, FCGI_ABORT_REQUEST, 3, NULL, 0);
	assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_NEED_MORE);
	assert_int_equal(c.out.len, 0);

	strbuf_reset(&s);
	pair(&p, "OLD", "1");
	begin(&s, 3, ROLE_RESPONDER, KEEP_CONN);
	record(&s, FCGI_PARAMS, 3, p.buf, p.len);
	record_str(&s, FCGI_STDIN, 3, "old body");
	record(&s, FCGI_ABORT_REQUEST, 3, NULL, 0);
	/* What is left of the aborted request is ignored. */
	record(&s, FCGI_PARAMS, 3, NULL, 0);
	record(&s, FCGI_STDIN, 3, NULL, 0);
	assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_NEED_MORE);
	assert_int_equal(c.id, 0);
	off = check_end_request(&c.out, 0, 3, FCGI_REQUEST_COMPLETE);
	assert_int_equal(off, c.out.len);

	/* The same id again, and the new request knows nothing of the old. */
	strbuf_reset(&s);
	simple_request(&s, 3, KEEP_CONN, "new", "new body");
	assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_REQUEST_READY);
	assert_int_equal(c.id, 3);
	assert_string_equal(fcgi_conn_param(&c, "Q"), "new");
	assert_null(fcgi_conn_param(&c, "OLD"));
	assert_int_equal(c.body.len, 8);
	assert_memory_equal(c.body.buf, "new body", 8);
	assert_int_equal(c.out.len, off);
	fcgi_conn_release(&c);
	strbuf_release(&s);
	strbuf_release(&p);
}

/* ------------------------------------------------------------------ */
/* Answers. */

static char *pattern(size_t len)
{
	char *r = malloc(len ? len : 1);

	assert_non_null(r);
	for (size_t i = 0; i < len; i++)
		r[i] = (char)(i * 31 + i / 65535 + 7);
	return r;
}

static void test_respond(void **state)
{
	static const size_t sizes[] = { 0, 10, 65535, 65536, 200000 };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *resp = pattern(sizes[i]);
		strbuf s = STRBUF_INIT, out = STRBUF_INIT;
		fcgi_conn c;

		simple_request(&s, 0x4321, KEEP_CONN, "answer me", "");
		fcgi_conn_init(&c, 1000);
		assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_REQUEST_READY);
		assert_int_equal(fcgi_conn_respond(&c, resp, sizes[i]), 0);
		assert_int_equal(check_answer(&c.out, 0, 0x4321, resp, sizes[i], 0), c.out.len);
		/* The request is forgotten, the connection's flag kept. */
		assert_int_equal(c.id, 0);
		assert_int_equal(c.n_params, 0);
		assert_null(fcgi_conn_param(&c, "Q"));
		assert_true(c.keep_conn);
		assert_int_equal(fcgi_conn_next(&c, NULL, 0), FCGI_NEED_MORE);

		/* fcgi_frame_response() itself: after what OUT held, with the
		 * application's status. */
		assert_int_equal(strbuf_addstr(&out, "earlier"), 0);
		assert_int_equal(fcgi_frame_response(&out, 0xfedc, resp, sizes[i], 0x01020304), 0);
		assert_memory_equal(out.buf, "earlier", 7);
		assert_int_equal(check_answer_at(out.buf + 7, out.len - 7, 0, 0xfedc, resp,
						 sizes[i], 0x01020304),
				 out.len - 7);
		fcgi_conn_release(&c);
		strbuf_release(&s);
		strbuf_release(&out);
		free(resp);
	}
}

/* Two requests in one feed (and the second cut short): each in turn. */
static void test_pipelined(void **state)
{
	strbuf s = STRBUF_INIT;
	size_t first, off;
	fcgi_conn c;

	(void)state;
	simple_request(&s, 1, KEEP_CONN, "one", "body one");
	first = s.len;
	simple_request(&s, 2, 0, "two", "body two");
	fcgi_conn_init(&c, 1000);
	assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_REQUEST_READY);
	assert_int_equal(c.id, 1);
	assert_true(c.keep_conn);
	assert_string_equal(fcgi_conn_param(&c, "Q"), "one");
	assert_int_equal(fcgi_conn_respond(&c, "answer one", 10), 0);
	assert_int_equal(fcgi_conn_next(&c, NULL, 0), FCGI_REQUEST_READY);
	assert_int_equal(c.id, 2);
	assert_false(c.keep_conn);
	assert_string_equal(fcgi_conn_param(&c, "Q"), "two");
	assert_int_equal(c.body.len, 8);
	assert_memory_equal(c.body.buf, "body two", 8);
	assert_int_equal(fcgi_conn_respond(&c, "answer two", 10), 0);
	off = check_answer(&c.out, 0, 1, "answer one", 10, 0);
	assert_int_equal(check_answer(&c.out, off, 2, "answer two", 10, 0), c.out.len);
	assert_int_equal(fcgi_conn_next(&c, NULL, 0), FCGI_NEED_MORE);
	fcgi_conn_release(&c);

	/* The second request arrives in pieces after the first is answered
	 * (what was parsed is dropped from the input meanwhile). */
	for (size_t k = first; k < s.len; k += 7) {
		fcgi_conn_init(&c, 1000);
		assert_int_equal(feed_all(&c, s.buf, k), FCGI_REQUEST_READY);
		assert_int_equal(c.id, 1);
		assert_int_equal(fcgi_conn_respond(&c, "answer one", 10), 0);
		assert_int_equal(fcgi_conn_next(&c, NULL, 0), FCGI_NEED_MORE);
		assert_int_equal(feed_all(&c, s.buf + k, (s.len - k) / 2), FCGI_NEED_MORE);
		assert_int_equal(feed_all(&c, s.buf + k + (s.len - k) / 2,
					  s.len - k - (s.len - k) / 2),
				 FCGI_REQUEST_READY);
		assert_int_equal(c.id, 2);
		assert_string_equal(fcgi_conn_param(&c, "Q"), "two");
		assert_memory_equal(c.body.buf, "body two", 8);
		fcgi_conn_release(&c);
	}
	strbuf_release(&s);
}

/* ------------------------------------------------------------------ */
/* Allocation failures. */

/* Every allocation of feed, next and respond failing in turn (alone, or
 * with every later one): a feed that fails leaves the input as it was (and
 * a retry goes on as if nothing happened), a parse that fails says
 * FCGI_NO_MEMORY, an answer that fails leaves OUT as it was and the request
 * forgotten.  With no failure, the whole answer.  (SAN=1 checks the
 * leaks.) */
static void test_alloc_failure(void **state)
{
	strbuf s = STRBUF_INIT, p = STRBUF_INIT, gv = STRBUF_INIT, want = STRBUF_INIT;
	size_t resp_len = 200000, body_len = 300, cut;
	char *resp = pattern(resp_len), *body = pattern(body_len), *unparsed;
	fcgi_conn c;

	(void)state;
	make_long_strings();
	pair(&gv, "FCGI_MAX_CONNS", "");
	pair(&gv, "FCGI_MPXS_CONNS", "");
	record(&s, FCGI_GET_VALUES, 0, gv.buf, gv.len);
	pair(&p, "QUERY_STRING", "q=oil");
	pair(&p, "LONG_VALUE", long_value);
	pair(&p, long_name, "x");
	pair_n(&p, "NUL", 3, "a\0b", 3, 0);
	begin(&s, 7, ROLE_RESPONDER, KEEP_CONN);
	stream(&s, FCGI_PARAMS, 7, p.buf, p.len, 100);
	stream(&s, FCGI_STDIN, 7, body, body_len, 128);
	/* A small first feed, so that the second must grow the input. */
	cut = s.len / 5;
	unparsed = malloc(s.len);
	assert_non_null(unparsed);

	/* The answer with no failure. */
	fcgi_conn_init(&c, 4096);
	assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_REQUEST_READY);
	assert_int_equal(fcgi_conn_respond(&c, resp, resp_len), 0);
	assert_int_equal(strbuf_add(&want, c.out.buf, c.out.len), 0);
	fcgi_conn_release(&c);

	for (int persist = 0; persist < 2; persist++) {
		for (unsigned long k = 1;; k++) {
			int reported = 0, alive = 1, rc = -1;
			unsigned long made;

			fcgi_conn_init(&c, 4096);
			wire_alloc_fail_at(k, persist);
			for (int part = 0; part < 2 && alive; part++) {
				const char *from = part ? s.buf + cut : s.buf;
				size_t len = part ? s.len - cut : cut;
				size_t was = c.in.len - c.in_off;
				enum fcgi_event ev;

				if (was)
					memcpy(unparsed, c.in.buf + c.in_off, was);
				if (fcgi_conn_feed(&c, from, len)) {
					reported = 1;
					assert_int_equal(c.in.len - c.in_off, was);
					if (was)
						assert_memory_equal(c.in.buf + c.in_off, unparsed, was);
					if (persist) {
						alive = 0;
						break;
					}
					assert_int_equal(fcgi_conn_feed(&c, from, len), 0);
				}
				ev = fcgi_conn_next(&c, NULL, 0);
				if (ev == FCGI_NO_MEMORY) {
					reported = 1;
					alive = 0;
					break;
				}
				assert_int_equal(ev, part ? FCGI_REQUEST_READY : FCGI_NEED_MORE);
			}
			if (alive) {
				size_t out_was = c.out.len;

				assert_string_equal(fcgi_conn_param(&c, "QUERY_STRING"), "q=oil");
				assert_string_equal(fcgi_conn_param(&c, "LONG_VALUE"), long_value);
				assert_string_equal(fcgi_conn_param(&c, long_name), "x");
				assert_null(fcgi_conn_param(&c, "NUL"));
				assert_int_equal(c.body.len, body_len);
				assert_memory_equal(c.body.buf, body, body_len);
				rc = fcgi_conn_respond(&c, resp, resp_len);
				assert_int_equal(c.id, 0);
				if (rc) {
					reported = 1;
					assert_int_equal(rc, -1);
					assert_int_equal(c.out.len, out_was);
				} else {
					assert_int_equal(c.out.len, want.len);
					assert_memory_equal(c.out.buf, want.buf, want.len);
				}
			}
			made = wire_alloc_fail_at(0, 0);
			fcgi_conn_release(&c);
			if (made < k) {
				assert_false(reported);
				assert_true(alive);
				assert_int_equal(rc, 0);
				break;
			}
			if (!reported) {
				fprintf(stderr, "allocation %lu (persist %d) failed unreported\n", k,
					persist);
				fail();
			}
		}
	}

	/* fcgi_frame_response() alone: OUT keeps what it had. */
	for (unsigned long k = 1;; k++) {
		strbuf out = STRBUF_INIT;
		unsigned long made;
		int rc;

		assert_int_equal(strbuf_addstr(&out, "kept"), 0);
		wire_alloc_fail_at(k, 1);
		rc = fcgi_frame_response(&out, 9, resp, resp_len, 5);
		made = wire_alloc_fail_at(0, 0);
		if (made < k) {
			assert_int_equal(rc, 0);
			assert_int_equal(check_answer_at(out.buf + 4, out.len - 4, 0, 9, resp,
							 resp_len, 5),
					 out.len - 4);
			strbuf_release(&out);
			break;
		}
		assert_int_equal(rc, -1);
		assert_int_equal(out.len, 4);
		assert_string_equal(out.buf, "kept");
		strbuf_release(&out);
	}
	strbuf_release(&s);
	strbuf_release(&p);
	strbuf_release(&gv);
	strbuf_release(&want);
	free(resp);
	free(body);
	free(unparsed);
}

/* ------------------------------------------------------------------ */
/* Sockets. */

/* A Unix socket bound to NAME in the temporary directory (its address in
 * *ADDR), listening when LISTENING. */
static int unix_socket(const char *name, int listening, struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	assert_true((size_t)snprintf(addr->sun_path, sizeof(addr->sun_path), "%s/%s",
				     tmpdir, name) < sizeof(addr->sun_path));
	unlink(addr->sun_path);
	assert_int_equal(bind(fd, (struct sockaddr *)addr, sizeof(*addr)), 0);
	if (listening)
		assert_int_equal(listen(fd, 64), 0);
	return fd;
}

static void test_is_listener(void **state)
{
	struct sockaddr_un addr;
	char path[300];
	int sv[2], pfd[2], fd;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fcgi_is_listener(sv[0]), 0);
	assert_int_equal(fcgi_is_listener(sv[1]), 0);
	close(sv[0]);
	close(sv[1]);

	fd = unix_socket("listening.sock", 1, &addr);
	assert_int_equal(fcgi_is_listener(fd), 1);
	close(fd);
	fd = unix_socket("bound.sock", 0, &addr);
	assert_int_equal(fcgi_is_listener(fd), 0);
	close(fd);

	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(fcgi_is_listener(pfd[0]), 0);
	assert_int_equal(fcgi_is_listener(pfd[1]), 0);
	close(pfd[0]);
	close(pfd[1]);

	snprintf(path, sizeof(path), "%s/plain-file", tmpdir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(fcgi_is_listener(fd), 0);
	close(fd);
	assert_int_equal(fcgi_is_listener(-1), 0);
}

static void pause_ms(long ms)
{
	nanosleep(&(struct timespec){ ms / 1000, ms % 1000 * 1000000L }, NULL);
}

/* How the server child exits: fcgi_serve() returned 0, or -1. */
#define SERVE_RETURNED_0 4
#define SERVE_RETURNED_MINUS_1 3

/* The handler of the served tests: the value of Q, '|', the body; Q=stop
 * stops the server, Q=term sends it SIGTERM (as the web server does)
 * while it answers, Q=slow takes 300 ms. */
static int echo_handler(fcgi_conn *c, int fd, strbuf *response, void *ctx)
{
	const char *q = fcgi_conn_param(c, "Q");

	(void)fd;
	(void)ctx;
	if (q && !strcmp(q, "stop"))
		return -1;
	if (q && !strcmp(q, "term"))
		raise(SIGTERM);
	if (q && !strcmp(q, "slow"))
		pause_ms(300);
	if (strbuf_addstr(response, "Status: 200 OK\r\n\r\n") ||
	    strbuf_addstr(response, q ? q : "(no Q)") || strbuf_addch(response, '|') ||
	    strbuf_add(response, c->body.buf, c->body.len))
		return -1;
	return 0;
}

static void on_term(int sig)
{
	(void)sig;
	fcgi_stop();
}

/* fcgi_log_fn: the line on stderr (the file the test reads back). */
static void log_stderr(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s\n", line);
}

/* Start fcgi_serve() on LISTEN_FD in a child (which closes it in the
 * parent), with FCGI_WEB_SERVER_ADDRS set to ADDRS when not NULL, its
 * stderr in ERR_PATH, SIGTERM calling fcgi_stop() (without SA_RESTART, as
 * fastcgi.h asks) and SIGPIPE ignored (as wire-search.cgi does). */
static void start_server(int listen_fd, const char *addrs, const char *err_path)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int efd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		struct sigaction sa;
		int rc;

		alarm(60); /* never outlive a test that went wrong */
		if (efd < 0 || dup2(efd, 2) < 0)
			_exit(5);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_term;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGTERM, &sa, NULL))
			_exit(5);
		signal(SIGPIPE, SIG_IGN);
		if (addrs)
			setenv("FCGI_WEB_SERVER_ADDRS", addrs, 1);
		else
			unsetenv("FCGI_WEB_SERVER_ADDRS");
		rc = fcgi_serve(listen_fd, 1000, echo_handler, log_stderr, NULL);
		/* exit(), not _exit(): a coverage build writes the child's
		 * counts at exit. */
		exit(rc == -1 ? SERVE_RETURNED_MINUS_1 : rc == 0 ? SERVE_RETURNED_0 : 5);
	}
	server_pid = pid;
	close(listen_fd);
}

/* Wait up to WAIT_MS for the server to exit; its status, or -1 when it
 * is still running. */
static int wait_server(void)
{
	for (int i = 0; i < WAIT_MS / 10; i++) {
		int status;
		pid_t r = waitpid(server_pid, &status, WNOHANG);

		if (r == server_pid) {
			server_pid = 0;
			return status;
		}
		assert_int_equal(r, 0);
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	return -1;
}

static void stop_server(void)
{
	if (server_pid > 0) {
		/* SIGTERM first: fcgi_serve() returns and the child leaves
		 * the normal way (a coverage build writes its counts). */
		kill(server_pid, SIGTERM);
		for (int i = 0; i < 200; i++) {
			if (waitpid(server_pid, NULL, WNOHANG) == server_pid) {
				server_pid = 0;
				return;
			}
			nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
		}
		kill(server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
		server_pid = 0;
	}
}

static int connect_unix(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (const struct sockaddr *)addr, sizeof(*addr)), 0);
	return fd;
}

static void send_all(int fd, const strbuf *s)
{
	for (size_t off = 0; off < s->len;) {
		ssize_t n = send(fd, s->buf + off, s->len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n > 0);
		off += (size_t)n;
	}
}

/* Read what FD has within WAIT_MS into GOT: the byte count, 0 at the
 * end. */
static size_t read_some(int fd, strbuf *got)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char buf[65536];
	ssize_t n;

	if (poll(&pfd, 1, WAIT_MS) != 1) {
		fprintf(stderr, "the server did not answer within %d ms\n", WAIT_MS);
		fail();
	}
	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		fprintf(stderr, "reading the server's answer: %s\n", strerror(errno));
		fail();
	}
	assert_int_equal(strbuf_add(got, buf, (size_t)n), 0);
	return (size_t)n;
}

/* Read from FD into GOT until a whole record starts at OFF: decoded into
 * R, the offset after it. */
static size_t read_record(int fd, strbuf *got, size_t off, struct rec *r)
{
	for (;;) {
		if (got->len - off >= 8) {
			const unsigned char *h = (const unsigned char *)got->buf + off;
			size_t total = 8 + ((size_t)h[4] << 8 | h[5]) + h[6];

			if (got->len - off >= total)
				return rec_at(got->buf, got->len, off, r);
		}
		if (!read_some(fd, got)) {
			fprintf(stderr, "the connection ended in the middle of the answer\n");
			fail();
		}
	}
}

/* Read from FD into GOT the records from OFF up to an FCGI_END_REQUEST
 * for ID. */
static void read_answer(int fd, strbuf *got, size_t off, unsigned id)
{
	struct rec r;

	do
		off = read_record(fd, got, off, &r);
	while (r.type != FCGI_END_REQUEST || r.id != id);
}

/* FD must be closed by the server with nothing more said. */
static void expect_closed(int fd)
{
	strbuf got = STRBUF_INIT;

	assert_int_equal(read_some(fd, &got), 0);
	assert_int_equal(got.len, 0);
	strbuf_release(&got);
}

#define STATUS "Status: 200 OK\r\n\r\n"

/* A served request's answer, from OFF in GOT: STATUS, Q, '|', BODY. */
static size_t check_served(const strbuf *got, size_t off, unsigned id, const char *q,
			   const char *body)
{
	char want[512];
	int n = snprintf(want, sizeof(want), STATUS "%s|%s", q, body);

	assert_true(n > 0 && (size_t)n < sizeof(want));
	return check_answer(got, off, id, want, (size_t)n, 0);
}

static void read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* A refused or aborted request ends the connection unless the server
 * asked to keep it (close_after); a served one leaves that to keep_conn;
 * fcgi_serve() then closes it once the refusal is sent. */
static void test_close_after(void **state)
{
	struct sockaddr_un addr;
	strbuf s = STRBUF_INIT, got = STRBUF_INIT;
	char err_path[300];
	struct rec r;
	fcgi_conn c;
	int fd;

	(void)state;
	for (int keep = 0; keep <= 1; keep++) {
		strbuf_reset(&s);
		fcgi_conn_init(&c, 1000);
		begin(&s, 5, ROLE_AUTHORIZER, keep ? KEEP_CONN : 0);
		assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_NEED_MORE);
		assert_int_equal(c.close_after, !keep);
		fcgi_conn_release(&c);

		strbuf_reset(&s);
		fcgi_conn_init(&c, 1000);
		begin(&s, 7, ROLE_RESPONDER, keep ? KEEP_CONN : 0);
		record(&s, FCGI_ABORT_REQUEST, 7, NULL, 0);
		assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_NEED_MORE);
		assert_int_equal(c.close_after, !keep);
		fcgi_conn_release(&c);

		strbuf_reset(&s);
		fcgi_conn_init(&c, 1000);
		simple_request(&s, 8, keep ? KEEP_CONN : 0, "q", "");
		assert_int_equal(feed_all(&c, s.buf, s.len), FCGI_REQUEST_READY);
		assert_int_equal(c.close_after, 0);
		assert_int_equal(c.keep_conn, keep);
		fcgi_conn_release(&c);
	}

	snprintf(err_path, sizeof(err_path), "%s/close-after.err", tmpdir);
	start_server(unix_socket("close-after.sock", 1, &addr), NULL, err_path);
	/* Refused without KEEP_CONN: the refusal, then the end. */
	fd = connect_unix(&addr);
	strbuf_reset(&s);
	begin(&s, 5, ROLE_AUTHORIZER, 0);
	send_all(fd, &s);
	read_record(fd, &got, 0, &r);
	assert_int_equal(check_end_request(&got, 0, 5, FCGI_UNKNOWN_ROLE), got.len);
	expect_closed(fd);
	close(fd);
	/* Refused with KEEP_CONN: the connection serves the next request. */
	fd = connect_unix(&addr);
	strbuf_reset(&s);
	strbuf_reset(&got);
	begin(&s, 5, ROLE_AUTHORIZER, KEEP_CONN);
	simple_request(&s, 6, 0, "after", "");
	send_all(fd, &s);
	read_answer(fd, &got, 0, 6);
	assert_int_equal(check_served(&got, check_end_request(&got, 0, 5, FCGI_UNKNOWN_ROLE),
				      6, "after", ""),
			 got.len);
	expect_closed(fd);
	close(fd);
	stop_server();
	strbuf_release(&s);
	strbuf_release(&got);
}

/* fcgi_serve() on a Unix socket: requests kept on one connection, a
 * protocol error that closes one, GET_VALUES, a connection closed after
 * its request, a handler that stops the server. */
static void test_serve(void **state)
{
	struct sockaddr_un addr;
	strbuf s = STRBUF_INIT, got = STRBUF_INIT, p = STRBUF_INIT;
	char err_path[300], errors[4096];
	size_t off;
	struct rec r;
	int fd;

	(void)state;
	snprintf(err_path, sizeof(err_path), "%s/server.err", tmpdir);
	start_server(unix_socket("serve.sock", 1, &addr), NULL, err_path);

	/* Two requests kept on one connection, one after the other, then two
	 * in one write, the last without FCGI_KEEP_CONN: closed after it. */
	fd = connect_unix(&addr);
	simple_request(&s, 1, KEEP_CONN, "durand line", "");
	send_all(fd, &s);
	read_answer(fd, &got, 0, 1);
	off = check_served(&got, 0, 1, "durand line", "");
	assert_int_equal(off, got.len);
	strbuf_reset(&s);
	simple_request(&s, 2, KEEP_CONN, "second", "a body");
	send_all(fd, &s);
	read_answer(fd, &got, off, 2);
	off = check_served(&got, off, 2, "second", "a body");
	assert_int_equal(off, got.len);
	strbuf_reset(&s);
	simple_request(&s, 3, KEEP_CONN, "third", "3");
	simple_request(&s, 4, 0, "fourth", "4");
	send_all(fd, &s);
	read_answer(fd, &got, off, 4);
	off = check_served(&got, off, 3, "third", "3");
	off = check_served(&got, off, 4, "fourth", "4");
	assert_int_equal(off, got.len);
	expect_closed(fd);
	close(fd);

	/* A record of version 2: closed unanswered. */
	fd = connect_unix(&addr);
	strbuf_reset(&s);
	record_v(&s, 2, FCGI_BEGIN_REQUEST, 1, NULL, 0, 0);
	send_all(fd, &s);
	expect_closed(fd);
	close(fd);

	/* The next connection is served: GET_VALUES answered on its own,
	 * then a request without FCGI_KEEP_CONN. */
	fd = connect_unix(&addr);
	strbuf_reset(&s);
	pair(&p, "FCGI_MAX_CONNS", "");
	pair(&p, "FCGI_MAX_REQS", "");
	pair(&p, "FCGI_MPXS_CONNS", "");
	record(&s, FCGI_GET_VALUES, 0, p.buf, p.len);
	send_all(fd, &s);
	strbuf_reset(&got);
	off = read_record(fd, &got, 0, &r);
	assert_int_equal(off, got.len);
	check_values_result(&r);
	strbuf_reset(&got);
	strbuf_reset(&s);
	simple_request(&s, 0xbeef, 0, "after the error", "x=1");
	send_all(fd, &s);
	read_answer(fd, &got, 0, 0xbeef);
	assert_int_equal(check_served(&got, 0, 0xbeef, "after the error", "x=1"), got.len);
	expect_closed(fd);
	close(fd);

	/* The handler asks to stop: no answer, fcgi_serve() returns -1. */
	fd = connect_unix(&addr);
	strbuf_reset(&s);
	simple_request(&s, 1, KEEP_CONN, "stop", "");
	send_all(fd, &s);
	expect_closed(fd);
	close(fd);
	{
		int status = wait_server();

		stop_server();
		assert_true(status != -1);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), SERVE_RETURNED_MINUS_1);
	}
	read_file(err_path, errors, sizeof(errors));
	assert_non_null(strstr(errors, "FastCGI"));
	strbuf_release(&s);
	strbuf_release(&got);
	strbuf_release(&p);
}

/* Connections that break: the server goes away in the middle of a
 * request, or before its answer is written.  Each is closed and the next
 * connection served; the answer that could not be written leaves a line
 * on stderr (fastcgi.h: "A connection that breaks ... is closed, with a
 * line on stderr"). */
static void test_serve_broken(void **state)
{
	struct sockaddr_un addr;
	strbuf s = STRBUF_INIT, got = STRBUF_INIT;
	char err_path[300], errors[4096];
	int fd;

	(void)state;
	snprintf(err_path, sizeof(err_path), "%s/server-broken.err", tmpdir);
	start_server(unix_socket("broken.sock", 1, &addr), NULL, err_path);
	for (int i = 0; i < 3; i++) {
		strbuf_reset(&s);
		strbuf_reset(&got);
		simple_request(&s, 1, KEEP_CONN, i == 1 ? "slow" : "cut short", "body");
		if (i == 0)
			s.len -= 9; /* the end of the body stream cut */
		fd = connect_unix(&addr);
		if (i < 2) {
			send_all(fd, &s);
			close(fd); /* before (or while) the server answers */
			continue;
		}
		/* The next connection is served. */
		strbuf_reset(&s);
		simple_request(&s, 2, 0, "still here", "");
		send_all(fd, &s);
		read_answer(fd, &got, 0, 2);
		assert_int_equal(check_served(&got, 0, 2, "still here", ""), got.len);
		expect_closed(fd);
		close(fd);
	}
	assert_int_equal(kill(server_pid, 0), 0);
	stop_server();
	strbuf_release(&s);
	strbuf_release(&got);
	/* Nothing else was wrong: a line about the failed write. */
	read_file(err_path, errors, sizeof(errors));
	if (!strstr(errors, "FastCGI")) {
		fprintf(stderr, "no line on stderr for the answer that could not be "
				"written (stderr: '%s')\n", errors);
		fail();
	}
}

/* Several connections at once: one the server keeps idle does not hold up
 * another, requests arriving in pieces on two connections are each
 * answered when complete, and a 33rd connection closes the longest idle
 * one (32 are kept). */
static void test_serve_many(void **state)
{
	struct sockaddr_un addr;
	strbuf s = STRBUF_INIT, got = STRBUF_INIT;
	char err_path[300];
	int a, b, c[33];
	size_t cut;

	(void)state;
	snprintf(err_path, sizeof(err_path), "%s/server-many.err", tmpdir);
	start_server(unix_socket("many.sock", 1, &addr), NULL, err_path);
	a = connect_unix(&addr);
	simple_request(&s, 1, KEEP_CONN, "a1", "");
	send_all(a, &s);
	read_answer(a, &got, 0, 1);
	assert_int_equal(check_served(&got, 0, 1, "a1", ""), got.len);
	/* A stays open and idle; B is served. */
	b = connect_unix(&addr);
	strbuf_reset(&s);
	strbuf_reset(&got);
	simple_request(&s, 1, KEEP_CONN, "b1", "");
	send_all(b, &s);
	read_answer(b, &got, 0, 1);
	assert_int_equal(check_served(&got, 0, 1, "b1", ""), got.len);
	/* Half a request on A, a whole one on B, the rest on A. */
	strbuf_reset(&s);
	simple_request(&s, 2, KEEP_CONN, "a2", "body a2");
	cut = s.len / 2;
	{
		strbuf half = { s.buf, cut, 0 };

		send_all(a, &half);
	}
	strbuf_reset(&got);
	{
		strbuf sb = STRBUF_INIT;

		simple_request(&sb, 2, KEEP_CONN, "b2", "body b2");
		send_all(b, &sb);
		strbuf_release(&sb);
	}
	read_answer(b, &got, 0, 2);
	assert_int_equal(check_served(&got, 0, 2, "b2", "body b2"), got.len);
	{
		strbuf rest = { s.buf + cut, s.len - cut, 0 };

		send_all(a, &rest);
	}
	strbuf_reset(&got);
	read_answer(a, &got, 0, 2);
	assert_int_equal(check_served(&got, 0, 2, "a2", "body a2"), got.len);
	close(a);
	close(b);
	stop_server();

	/* 33 connections, none used: the first is closed, the others served. */
	start_server(unix_socket("many.sock", 1, &addr), NULL, err_path);
	for (int i = 0; i < 33; i++)
		c[i] = connect_unix(&addr);
	for (int i = 32; i > 0; i -= 31) {
		strbuf_reset(&s);
		strbuf_reset(&got);
		simple_request(&s, 1, KEEP_CONN, i == 32 ? "last" : "second", "");
		send_all(c[i], &s);
		read_answer(c[i], &got, 0, 1);
		assert_int_equal(check_served(&got, 0, 1, i == 32 ? "last" : "second", ""),
				 got.len);
	}
	expect_closed(c[0]);
	for (int i = 0; i < 33; i++)
		close(c[i]);
	stop_server();
	strbuf_release(&s);
	strbuf_release(&got);
}

/* The server must exit within WAIT_MS, fcgi_serve() having returned 0. */
static void expect_serve_returned_0(const char *when)
{
	int status = wait_server();

	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != SERVE_RETURNED_0) {
		fprintf(stderr, "fcgi_stop() %s: server status %d, not a return of 0\n", when,
			status);
		fail();
	}
}

/* fcgi_stop() from a SIGTERM handler: fcgi_serve() returns 0 when it
 * waits for a connection, when it waits for the next request of a kept
 * connection, and after answering the request during which it came,
 * closing that connection even when the server asked to keep it. */
static void test_serve_stop(void **state)
{
	static const char *const when[] = {
		"waiting for a connection",
		"waiting on a kept connection",
		"during a request",
		"during a request with FCGI_KEEP_CONN",
	};
	char err_path[300];

	(void)state;
	snprintf(err_path, sizeof(err_path), "%s/server-stop.err", tmpdir);
	for (int i = 0; i < 4; i++) {
		struct sockaddr_un addr;
		strbuf s = STRBUF_INIT, got = STRBUF_INIT;
		int fd;

		start_server(unix_socket("stop.sock", 1, &addr), NULL, err_path);
		fd = connect_unix(&addr);
		simple_request(&s, 1, i == 1 || i == 3 ? KEEP_CONN : 0, i >= 2 ? "term" : "ready",
			       "");
		send_all(fd, &s);
		read_answer(fd, &got, 0, 1);
		assert_int_equal(check_served(&got, 0, 1, i >= 2 ? "term" : "ready", ""), got.len);
		if (i == 0) {
			expect_closed(fd);
			pause_ms(100); /* back in accept() */
			assert_int_equal(kill(server_pid, SIGTERM), 0);
		} else if (i == 1) {
			pause_ms(100); /* back in read() */
			assert_int_equal(kill(server_pid, SIGTERM), 0);
			expect_closed(fd);
		} else {
			expect_closed(fd);
		}
		expect_serve_returned_0(when[i]);
		close(fd);
		strbuf_release(&s);
		strbuf_release(&got);
	}
}

/* A TCP socket on 127.0.0.1 listening on a free port (in *ADDR), or -1. */
static int tcp_listener(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)) || listen(fd, 8) ||
	    getsockname(fd, (struct sockaddr *)addr, &len)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* FCGI_WEB_SERVER_ADDRS: a TCP connection from an address not in it is
 * closed unanswered, from one in it (among spaces and others) served. */
static void test_serve_addrs(void **state)
{
	static const struct {
		const char *addrs;
		int served;
	} cases[] = {
		{ "10.0.0.1,192.0.2.7", 0 },
		{ "127.0.0.10", 0 },
		{ "127.0.0.", 0 },
		{ "27.0.0.1", 0 },
		{ "10.0.0.1 ,  127.0.0.1 ,192.0.2.7", 1 },
		{ "127.0.0.1", 1 },
	};
	char err_path[300];

	(void)state;
	snprintf(err_path, sizeof(err_path), "%s/server-tcp.err", tmpdir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sockaddr_in addr;
		strbuf s = STRBUF_INIT, got = STRBUF_INIT;
		int lfd = tcp_listener(&addr), fd;

		if (lfd < 0) {
			skip();
			return;
		}
		start_server(lfd, cases[i].addrs, err_path);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(fd >= 0);
		assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
		if (!cases[i].served) {
			char errors[4096];

			expect_closed(fd);
			stop_server();
			read_file(err_path, errors, sizeof(errors));
			assert_non_null(strstr(errors, "FCGI_WEB_SERVER_ADDRS"));
		} else {
			simple_request(&s, 1, 0, cases[i].addrs, "tcp");
			send_all(fd, &s);
			read_answer(fd, &got, 0, 1);
			assert_int_equal(check_served(&got, 0, 1, cases[i].addrs, "tcp"), got.len);
			expect_closed(fd);
			stop_server();
		}
		close(fd);
		strbuf_release(&s);
		strbuf_release(&got);
	}
}

/* ------------------------------------------------------------------ */

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/test_fastcgi.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char cmd[600];

	(void)state;
	stop_server();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A test that failed with the server still running stops it. */
static int teardown_server(void **state)
{
	(void)state;
	stop_server();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_request),
		cmocka_unit_test(test_empty_streams),
		cmocka_unit_test(test_rich_request),
		cmocka_unit_test(test_split_feeds),
		cmocka_unit_test(test_pairs_across_records),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_pairs_dropped),
		cmocka_unit_test(test_bad_params),
		cmocka_unit_test(test_protocol_errors),
		cmocka_unit_test(test_params_limit),
		cmocka_unit_test(test_body_limit),
		cmocka_unit_test(test_body_limit_zero),
		cmocka_unit_test(test_get_values),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_unknown_role),
		cmocka_unit_test(test_cant_mpx),
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_respond),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_is_listener),
		cmocka_unit_test_teardown(test_serve, teardown_server),
		cmocka_unit_test_teardown(test_close_after, teardown_server),
		cmocka_unit_test_teardown(test_serve_addrs, teardown_server),
		cmocka_unit_test_teardown(test_serve_broken, teardown_server),
		cmocka_unit_test_teardown(test_serve_many, teardown_server),
		cmocka_unit_test_teardown(test_serve_stop, teardown_server),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
