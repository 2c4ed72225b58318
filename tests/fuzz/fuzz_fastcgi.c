/*
 * fuzz_fastcgi.c - libFuzzer target: arbitrary bytes as what a web server
 * sends on one FastCGI connection (searcher/fastcgi.h).
 *
 * The first byte says how the rest is cut into feeds (its low 6 bits: 1 to
 * 63 bytes a piece, 0 all at once), the body limit (bit 6: 16 bytes, else
 * 64 KB) and, with bit 7, which allocation fails (the second byte + 1), so
 * the out-of-memory paths are walked too.  After each feed
 * fcgi_conn_next() is called until it needs more:
 *
 *   - FCGI_NEED_MORE leaves no whole record unparsed;
 *   - a ready request has an id, names that are non-empty C strings, each
 *     found by fcgi_conn_param() with the value of its last occurrence,
 *     and a body within the limit; it is answered with a response whose
 *     length comes from the request (0, 65535, 65536, ~70000 bytes or a
 *     few hundred), and what that appends to c.out is exactly the answer:
 *     non-empty FCGI_STDOUT records making up the response, the empty
 *     one, FCGI_END_REQUEST complete; the request is forgotten;
 *   - every record the parser writes is whole, of version 1, of a type it
 *     may send, padded to a multiple of 8 (and c.out is then emptied, as
 *     if sent);
 *   - a protocol error has a reason naming FastCGI, and ends the
 *     connection, as running out of memory does.
 *
 * Nothing may leak (fcgi_conn_release() at the end).
 *
 *   make FUZZ=1 build-fuzz/fuzz/fuzz_fastcgi
 *   build-fuzz/fuzz/fuzz_fastcgi -dict=tests/fuzz/fastcgi.dict tests/fuzz/fastcgi
 */
#include "alloc.h"
#include "fastcgi.h"
#include "strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

#define RESPONSE_MAX 70000
static char response[RESPONSE_MAX];

static size_t record_total(const unsigned char *h)
{
	return 8 + ((size_t)h[4] << 8 | h[5]) + h[6];
}

/* Check the record of OUT at OFF: whole, version 1, padded to a multiple
 * of 8.  The offset after it. */
static size_t check_record(const strbuf *out, size_t off, int *type, unsigned *id,
			   const unsigned char **content, size_t *len)
{
	const unsigned char *h = (const unsigned char *)out->buf + off;
	size_t total;

	CHECK(out->len - off >= 8);
	CHECK(h[0] == 1);
	total = record_total(h);
	CHECK(total % 8 == 0);
	CHECK(out->len - off >= total);
	*type = h[1];
	*id = (unsigned)h[2] << 8 | h[3];
	*content = h + 8;
	*len = (size_t)h[4] << 8 | h[5];
	return off + total;
}

/* Every record of OUT from OFF is one the parser may send of its own. */
static void check_out(const strbuf *out, size_t off)
{
	while (off < out->len) {
		const unsigned char *content;
		unsigned id;
		size_t len, p = 0;
		int type;

		off = check_record(out, off, &type, &id, &content, &len);
		switch (type) {
		case FCGI_GET_VALUES_RESULT:
			CHECK(id == 0);
			while (p < len) {
				size_t nl, vl;

				CHECK(len - p >= 2);
				nl = content[p];
				vl = content[p + 1];
				p += 2;
				CHECK(nl + vl <= len - p && vl == 1);
				CHECK((nl == 14 && !memcmp(content + p, "FCGI_MAX_CONNS1", 15)) ||
				      (nl == 13 && !memcmp(content + p, "FCGI_MAX_REQS1", 14)) ||
				      (nl == 15 && !memcmp(content + p, "FCGI_MPXS_CONNS0", 16)));
				p += nl + vl;
			}
			break;
		case FCGI_UNKNOWN_TYPE:
			CHECK(id == 0 && len == 8);
			break;
		case FCGI_END_REQUEST:
			CHECK(id != 0 && len == 8);
			CHECK(content[4] == FCGI_REQUEST_COMPLETE || content[4] == FCGI_CANT_MPX_CONN ||
			      content[4] == FCGI_UNKNOWN_ROLE);
			break;
		default:
			abort(); /* the parser writes no FCGI_STDOUT of its own */
		}
	}
}

/* The records of OUT from OFF answer ID with RESP (LEN bytes) and end
 * OUT. */
static void check_answer(const strbuf *out, size_t off, unsigned id, const char *resp,
			 size_t len)
{
	const unsigned char *content;
	size_t got = 0, n;
	unsigned rid;
	int type;

	for (;;) {
		off = check_record(out, off, &type, &rid, &content, &n);
		CHECK(type == FCGI_STDOUT && rid == id);
		if (!n)
			break;
		CHECK(n <= len - got && !memcmp(content, resp + got, n));
		got += n;
	}
	CHECK(got == len);
	off = check_record(out, off, &type, &rid, &content, &n);
	CHECK(type == FCGI_END_REQUEST && rid == id && n == 8);
	CHECK(!content[0] && !content[1] && !content[2] && !content[3]);
	CHECK(content[4] == FCGI_REQUEST_COMPLETE);
	CHECK(off == out->len);
}

/* A ready request: check it, answer it.  0, or -1 when out of memory. */
static int ready(fcgi_conn *c)
{
	size_t len, was = c->out.len;
	unsigned id = c->id;

	CHECK(id != 0 && id <= 0xffff);
	CHECK(c->body.len <= c->max_body);
	CHECK(!c->body.len || c->body.buf);
	for (size_t i = 0; i < c->n_params; i++) {
		const char *v = fcgi_conn_param(c, c->names[i]);
		size_t last = i;

		CHECK(c->names[i] && c->values[i] && c->names[i][0]);
		for (size_t j = i + 1; j < c->n_params; j++)
			if (!strcmp(c->names[j], c->names[i]))
				last = j;
		CHECK(v == c->values[last]);
	}
	switch ((id + c->body.len + c->n_params) % 8) {
	case 0: len = 0; break;
	case 1: len = 65535; break;
	case 2: len = 65536; break;
	case 3: len = RESPONSE_MAX; break;
	default: len = (id * 31 + c->body.len) % 1000; break;
	}
	if (fcgi_conn_respond(c, response, len)) {
		CHECK(c->out.len == was);
		CHECK(c->id == 0);
		return -1;
	}
	CHECK(c->id == 0 && c->n_params == 0);
	check_answer(&c->out, was, id, response, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t chunk, off = 0;
	char err[256];
	fcgi_conn c;
	int done = 0;

	if (!response[1])
		for (size_t i = 0; i < RESPONSE_MAX; i++)
			response[i] = (char)(i * 7 + i / 65535 + 1);
	if (size < 2)
		return 0;
	chunk = data[0] & 63;
	fcgi_conn_init(&c, data[0] & 64 ? 16 : 65536);
	if (data[0] & 128)
		wire_alloc_fail_at((unsigned long)data[1] + 1, 0);
	data += 2;
	size -= 2;
	if (!chunk)
		chunk = size ? size : 1;
	while (!done && off < size) {
		size_t n = size - off < chunk ? size - off : chunk;
		enum fcgi_event ev;

		if (fcgi_conn_feed(&c, data + off, n))
			break;
		off += n;
		for (;;) {
			ev = fcgi_conn_next(&c, err, sizeof(err));
			check_out(&c.out, 0);
			if (ev != FCGI_REQUEST_READY)
				break;
			strbuf_reset(&c.out);
			if (ready(&c)) {
				done = 1;
				break;
			}
			strbuf_reset(&c.out);
		}
		strbuf_reset(&c.out);
		if (ev == FCGI_NEED_MORE) {
			/* Every whole record was parsed. */
			size_t left = c.in.len - c.in_off;

			if (left >= 8) {
				const unsigned char *h = (const unsigned char *)c.in.buf + c.in_off;

				CHECK(h[0] == 1 && record_total(h) > left);
			}
		} else if (ev == FCGI_PROTOCOL_ERROR) {
			CHECK(strstr(err, "FastCGI"));
			done = 1;
		} else if (ev == FCGI_NO_MEMORY) {
			done = 1;
		}
	}
	wire_alloc_fail_at(0, 0);
	fcgi_conn_release(&c);
	return 0;
}
