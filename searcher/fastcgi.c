/*
 * fastcgi.c - the FastCGI 1.0 responder protocol (see fastcgi.h).
 *
 * A record is an 8-byte header (version 1, type, request id, content
 * length, padding length, a reserved byte), the content, then the
 * padding.  A request is FCGI_BEGIN_REQUEST, then its FCGI_PARAMS stream
 * and its FCGI_STDIN stream, each ended by an empty record; the answer is
 * an FCGI_STDOUT stream and FCGI_END_REQUEST.
 */
#include "fastcgi.h"

#include "alloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HEADER_LEN 8
#define VERSION_1 1
#define ROLE_RESPONDER 1
#define FLAG_KEEP_CONN 1

/* ------------------------------------------------------------------ */
/* Writing records. */

static void put_header(unsigned char h[HEADER_LEN], int type, unsigned id,
		       size_t content, size_t padding)
{
	h[0] = VERSION_1;
	h[1] = (unsigned char)type;
	h[2] = (unsigned char)(id >> 8);
	h[3] = (unsigned char)id;
	h[4] = (unsigned char)(content >> 8);
	h[5] = (unsigned char)content;
	h[6] = (unsigned char)padding;
	h[7] = 0;
}

/* Append one record of TYPE for ID with CONTENT (LEN <= FCGI_MAX_CONTENT
 * bytes), padded to a multiple of 8 as the specification recommends. */
static int add_record(strbuf *out, int type, unsigned id, const void *content,
		      size_t len)
{
	static const unsigned char zeros[8];
	unsigned char h[HEADER_LEN];
	size_t padding = (8 - len % 8) % 8, was = out->len;

	put_header(h, type, id, len, padding);
	if (strbuf_add(out, h, sizeof(h)) || (len && strbuf_add(out, content, len)) ||
	    (padding && strbuf_add(out, zeros, padding))) {
		out->len = was;
		if (out->buf)
			out->buf[was] = '\0';
		return -1;
	}
	return 0;
}

static int add_end_request(strbuf *out, unsigned id, uint32_t app_status,
			   int protocol_status)
{
	unsigned char b[8] = { (unsigned char)(app_status >> 24),
			       (unsigned char)(app_status >> 16),
			       (unsigned char)(app_status >> 8),
			       (unsigned char)app_status,
			       (unsigned char)protocol_status, 0, 0, 0 };

	return add_record(out, FCGI_END_REQUEST, id, b, sizeof(b));
}

int fcgi_frame_response(strbuf *out, unsigned id, const char *response,
			size_t len, uint32_t app_status)
{
	size_t was = out->len;

	for (size_t off = 0; off < len;) {
		size_t n = len - off < FCGI_MAX_CONTENT ? len - off : FCGI_MAX_CONTENT;

		/* Room for all of it at once, so a failure leaves OUT whole. */
		if (add_record(out, FCGI_STDOUT, id, response + off, n))
			goto fail;
		off += n;
	}
	if (add_record(out, FCGI_STDOUT, id, NULL, 0) ||
	    add_end_request(out, id, app_status, FCGI_REQUEST_COMPLETE))
		goto fail;
	return 0;
fail:
	out->len = was;
	if (out->buf)
		out->buf[was] = '\0';
	return -1;
}

/* ------------------------------------------------------------------ */
/* Name-value pairs (section 3.4): each length is one byte below 128, else
 * four bytes with the top bit set. */

/* Read one length at *P (before END) into *LEN.  0, or -1 when cut short. */
static int read_length(const unsigned char **p, const unsigned char *end, size_t *len)
{
	if (*p >= end)
		return -1;
	if (!(**p & 0x80)) {
		*len = *(*p)++;
		return 0;
	}
	if (end - *p < 4)
		return -1;
	*len = ((size_t)((*p)[0] & 0x7f) << 24) | ((size_t)(*p)[1] << 16) |
	       ((size_t)(*p)[2] << 8) | (*p)[3];
	*p += 4;
	return 0;
}

/* Append one name-value pair to OUT (for FCGI_GET_VALUES_RESULT). */
static int add_pair(strbuf *out, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value);

	/* Our own names and values are all shorter than 128 bytes. */
	return strbuf_addch(out, (int)nl) || strbuf_addch(out, (int)vl) ||
	       strbuf_add(out, name, nl) || strbuf_add(out, value, vl);
}

/* Walk the pairs in DATA (LEN bytes), calling FN on each.  0, -1 when the
 * pairs do not decode, or what FN returned when not 0. */
static int each_pair(const unsigned char *data, size_t len,
		     int (*fn)(void *ctx, const unsigned char *name, size_t nl,
			       const unsigned char *value, size_t vl),
		     void *ctx)
{
	const unsigned char *p = data, *end = data + len;

	while (p < end) {
		size_t nl, vl;
		int rc;

		if (read_length(&p, end, &nl) || read_length(&p, end, &vl) ||
		    nl > (size_t)(end - p) || vl > (size_t)(end - p) - nl)
			return -1;
		if ((rc = fn(ctx, p, nl, p + nl, vl)) != 0)
			return rc;
		p += nl + vl;
	}
	return 0;
}

static int count_pair(void *ctx, const unsigned char *name, size_t nl,
		      const unsigned char *value, size_t vl)
{
	(void)name, (void)nl, (void)value, (void)vl;
	++*(size_t *)ctx;
	return 0;
}

/* Keep a pair as two C strings; one with a NUL byte (which no CGI
 * variable can hold) or an empty name is dropped. */
static int keep_pair(void *ctx, const unsigned char *name, size_t nl,
		     const unsigned char *value, size_t vl)
{
	fcgi_conn *c = ctx;
	char *n, *v;

	if (!nl || memchr(name, '\0', nl) || memchr(value, '\0', vl))
		return 0;
	n = wire_strndup((const char *)name, nl);
	v = wire_strndup((const char *)value, vl);
	if (!n || !v) {
		free(n);
		free(v);
		return 1;
	}
	c->names[c->n_params] = n;
	c->values[c->n_params++] = v;
	return 0;
}

/* The values FCGI_GET_VALUES may ask for, and ours. */
static int answer_value(void *ctx, const unsigned char *name, size_t nl,
			const unsigned char *value, size_t vl)
{
	static const struct {
		const char *name, *value;
	} ours[] = { { "FCGI_MAX_CONNS", "1" },
		     { "FCGI_MAX_REQS", "1" },
		     { "FCGI_MPXS_CONNS", "0" } };
	strbuf *out = ctx;

	(void)value, (void)vl;
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (strlen(ours[i].name) == nl && !memcmp(ours[i].name, name, nl))
			return add_pair(out, ours[i].name, ours[i].value) ? 1 : 0;
	return 0;  /* a variable we do not know is left out of the answer */
}

/* ------------------------------------------------------------------ */
/* The connection. */

void fcgi_conn_init(fcgi_conn *c, size_t max_body)
{
	memset(c, 0, sizeof(*c));
	c->max_body = max_body;
}

/* Forget the request (its id, parameters and body). */
static void end_request(fcgi_conn *c)
{
	for (size_t i = 0; i < c->n_params; i++) {
		free(c->names[i]);
		free(c->values[i]);
	}
	free(c->names);
	free(c->values);
	c->names = c->values = NULL;
	c->n_params = 0;
	strbuf_release(&c->params);
	strbuf_release(&c->body);
	c->id = 0;
	c->keep_conn = c->params_done = c->stdin_done = c->body_too_large = 0;
}

void fcgi_conn_release(fcgi_conn *c)
{
	end_request(c);
	strbuf_release(&c->in);
	strbuf_release(&c->out);
	c->in_off = 0;
}

int fcgi_conn_feed(fcgi_conn *c, const void *data, size_t len)
{
	/* Drop what was parsed, so IN holds one request's worth at most. */
	if (c->in_off) {
		memmove(c->in.buf, c->in.buf + c->in_off, c->in.len - c->in_off);
		c->in.len -= c->in_off;
		c->in.buf[c->in.len] = '\0';
		c->in_off = 0;
	}
	return strbuf_add(&c->in, data, len);
}

static enum fcgi_event protocol_error(char *err, size_t errlen, const char *what,
				      int type, unsigned id)
{
	if (errlen)
		snprintf(err, errlen, "FastCGI protocol error: %s (record type %d, request %u)",
			 what, type, id);
	return FCGI_PROTOCOL_ERROR;
}

/* Decode the ended parameter stream into C's names and values. */
static enum fcgi_event decode_params(fcgi_conn *c, char *err, size_t errlen)
{
	const unsigned char *p = (const unsigned char *)c->params.buf;
	size_t n = 0;

	if (each_pair(p, c->params.len, count_pair, &n))
		return protocol_error(err, errlen, "the parameters do not decode",
				      FCGI_PARAMS, c->id);
	if (n) {
		c->names = wire_calloc(n, sizeof(*c->names));
		c->values = wire_calloc(n, sizeof(*c->values));
		if (!c->names || !c->values || each_pair(p, c->params.len, keep_pair, c))
			return FCGI_NO_MEMORY;
	}
	strbuf_release(&c->params);
	return FCGI_NEED_MORE;
}

/* Handle one record of TYPE for ID with CONTENT (LEN bytes).  Returns
 * FCGI_NEED_MORE to go on, or what fcgi_conn_next() returns. */
static enum fcgi_event on_record(fcgi_conn *c, int type, unsigned id,
				 const unsigned char *content, size_t len,
				 char *err, size_t errlen)
{
	if (id == 0) {
		/* A management record. */
		if (type == FCGI_GET_VALUES) {
			strbuf values = STRBUF_INIT;
			int rc = each_pair(content, len, answer_value, &values);

			if (rc < 0) {
				strbuf_release(&values);
				return protocol_error(err, errlen, "FCGI_GET_VALUES does not decode",
						      type, id);
			}
			rc = rc || add_record(&c->out, FCGI_GET_VALUES_RESULT, 0,
					      values.buf, values.len);
			strbuf_release(&values);
			return rc ? FCGI_NO_MEMORY : FCGI_NEED_MORE;
		} else {
			unsigned char body[8] = { (unsigned char)type };

			return add_record(&c->out, FCGI_UNKNOWN_TYPE, 0, body, sizeof(body))
				       ? FCGI_NO_MEMORY
				       : FCGI_NEED_MORE;
		}
	}
	if (type == FCGI_BEGIN_REQUEST) {
		unsigned role;

		if (len < 8)
			return protocol_error(err, errlen, "FCGI_BEGIN_REQUEST is too short",
					      type, id);
		role = (unsigned)content[0] << 8 | content[1];
		if (c->id)
			return add_end_request(&c->out, id, 0, FCGI_CANT_MPX_CONN)
				       ? FCGI_NO_MEMORY
				       : FCGI_NEED_MORE;
		if (role != ROLE_RESPONDER)
			return add_end_request(&c->out, id, 0, FCGI_UNKNOWN_ROLE)
				       ? FCGI_NO_MEMORY
				       : FCGI_NEED_MORE;
		c->id = id;
		c->keep_conn = content[2] & FLAG_KEEP_CONN;
		return FCGI_NEED_MORE;
	}
	if (id != c->id)
		return FCGI_NEED_MORE;  /* not the open request: ignored */
	switch (type) {
	case FCGI_ABORT_REQUEST: {
		int keep = c->keep_conn;

		end_request(c);
		c->keep_conn = keep;
		if (add_end_request(&c->out, id, 0, FCGI_REQUEST_COMPLETE))
			return FCGI_NO_MEMORY;
		return FCGI_NEED_MORE;
	}
	case FCGI_PARAMS:
		if (c->params_done)
			return protocol_error(err, errlen, "parameters after their end",
					      type, id);
		if (!len) {
			enum fcgi_event ev = decode_params(c, err, errlen);

			c->params_done = 1;
			if (ev != FCGI_NEED_MORE)
				return ev;
			break;
		}
		if (c->params.len + len > FCGI_MAX_PARAMS)
			return protocol_error(err, errlen, "the parameters are too long",
					      type, id);
		if (strbuf_add(&c->params, content, len))
			return FCGI_NO_MEMORY;
		return FCGI_NEED_MORE;
	case FCGI_STDIN:
		if (c->stdin_done)
			return protocol_error(err, errlen, "a body after its end", type, id);
		if (!len) {
			c->stdin_done = 1;
			break;
		}
		if (c->body_too_large || c->body.len + len > c->max_body) {
			c->body_too_large = 1;
			return FCGI_NEED_MORE;
		}
		if (strbuf_add(&c->body, content, len))
			return FCGI_NO_MEMORY;
		return FCGI_NEED_MORE;
	default:
		/* FCGI_DATA belongs to the filter role; anything else a
		 * server does not send.  Neither changes the request. */
		return FCGI_NEED_MORE;
	}
	return c->params_done && c->stdin_done ? FCGI_REQUEST_READY : FCGI_NEED_MORE;
}

enum fcgi_event fcgi_conn_next(fcgi_conn *c, char *err, size_t errlen)
{
	if (errlen)
		err[0] = '\0';
	if (c->id && c->params_done && c->stdin_done)
		return FCGI_REQUEST_READY;  /* not yet answered */
	while (c->in.len - c->in_off >= HEADER_LEN) {
		const unsigned char *h = (const unsigned char *)c->in.buf + c->in_off;
		unsigned id = (unsigned)h[2] << 8 | h[3];
		size_t len = (size_t)h[4] << 8 | h[5], total = HEADER_LEN + len + h[6];
		enum fcgi_event ev;

		if (h[0] != VERSION_1)
			return protocol_error(err, errlen, "not version 1", h[1], id);
		if (c->in.len - c->in_off < total)
			break;
		c->in_off += total;
		ev = on_record(c, h[1], id, h + HEADER_LEN, len, err, errlen);
		if (ev != FCGI_NEED_MORE)
			return ev;
	}
	return FCGI_NEED_MORE;
}

const char *fcgi_conn_param(const fcgi_conn *c, const char *name)
{
	for (size_t i = c->n_params; i-- > 0;)
		if (!strcmp(c->names[i], name))
			return c->values[i];
	return NULL;
}

int fcgi_conn_respond(fcgi_conn *c, const char *response, size_t len)
{
	int rc = fcgi_frame_response(&c->out, c->id, response, len, 0);
	int keep = c->keep_conn;

	end_request(c);
	c->keep_conn = keep;
	return rc;
}

int fcgi_is_listener(int fd)
{
	int yes = 0;
	socklen_t len = sizeof(yes);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &yes, &len) == 0 && yes;
}

/* ------------------------------------------------------------------ */
/* Serving. */

static volatile sig_atomic_t stop_requested;

void fcgi_stop(void)
{
	stop_requested = 1;
}

/* Whether a connection on FD may be served: any local one, and a TCP one
 * from an address in FCGI_WEB_SERVER_ADDRS when that is set. */
static int peer_allowed(int fd)
{
	const char *allowed = getenv("FCGI_WEB_SERVER_ADDRS");
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[INET6_ADDRSTRLEN];
	const void *a;

	if (!allowed || !*allowed)
		return 1;
	if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (ss.ss_family == AF_INET)
		a = &((struct sockaddr_in *)&ss)->sin_addr;
	else if (ss.ss_family == AF_INET6)
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	else
		return 1;  /* a Unix socket: only the server reaches it */
	if (!inet_ntop(ss.ss_family, a, addr, sizeof(addr)))
		return 0;
	for (const char *p = allowed; *p;) {
		size_t n = strcspn(p, ",");
		const char *s = p, *e = p + n;

		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if ((size_t)(e - s) == strlen(addr) && !memcmp(s, addr, (size_t)(e - s)))
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

/* Send what C owes the server.  0, or -1 when the connection broke. */
static int flush_out(fcgi_conn *c, int fd)
{
	size_t off = 0;

	while (off < c->out.len) {
		ssize_t n = write(fd, c->out.buf + off, c->out.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	strbuf_reset(&c->out);
	return 0;
}

/* Serve the requests of one connection.  0 when it ends, -1 when the
 * handler asks to stop. */
static int serve_connection(int fd, size_t max_body, fcgi_handler handler, void *ctx)
{
	fcgi_conn c;
	char buf[65536], err[256];
	int stop = 0, done = 0;

	fcgi_conn_init(&c, max_body);
	while (!done) {
		ssize_t n = read(fd, buf, sizeof(buf));
		enum fcgi_event ev;

		if (n < 0 && errno == EINTR && !stop_requested)
			continue;
		if (n <= 0)
			break;  /* the server closed the connection, or stop */
		if (fcgi_conn_feed(&c, buf, (size_t)n)) {
			fprintf(stderr, "wire-search.cgi: FastCGI: out of memory\n");
			break;
		}
		while ((ev = fcgi_conn_next(&c, err, sizeof(err))) == FCGI_REQUEST_READY) {
			strbuf response = STRBUF_INIT;

			if (handler(&c, fd, &response, ctx)) {
				stop = done = 1;
				strbuf_release(&response);
				break;
			}
			if (fcgi_conn_respond(&c, response.buf ? response.buf : "",
					      response.len)) {
				fprintf(stderr, "wire-search.cgi: FastCGI: out of memory\n");
				done = 1;
			}
			strbuf_release(&response);
			if (flush_out(&c, fd) || !c.keep_conn)
				done = 1;
			if (done)
				break;
		}
		if (ev == FCGI_PROTOCOL_ERROR) {
			fprintf(stderr, "wire-search.cgi: %s\n", err);
			done = 1;
		} else if (ev == FCGI_NO_MEMORY) {
			fprintf(stderr, "wire-search.cgi: FastCGI: out of memory\n");
			done = 1;
		}
		if (!done && flush_out(&c, fd))
			done = 1;
	}
	if (!stop)
		flush_out(&c, fd);
	fcgi_conn_release(&c);
	return stop ? -1 : 0;
}

int fcgi_serve(int listen_fd, size_t max_body, fcgi_handler handler, void *ctx)
{
	while (!stop_requested) {
		int fd = accept(listen_fd, NULL, NULL);
		int rc;

		if (fd < 0) {
			/* A connection that died before it was accepted. */
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
				continue;
			fprintf(stderr, "wire-search.cgi: FastCGI: accepting a connection: %s\n",
				strerror(errno));
			return -1;
		}
		if (!peer_allowed(fd)) {
			fprintf(stderr, "wire-search.cgi: FastCGI: a connection from an address "
					"not in FCGI_WEB_SERVER_ADDRS was closed\n");
			close(fd);
			continue;
		}
		rc = serve_connection(fd, max_body, handler, ctx);
		close(fd);
		if (rc)
			return -1;
	}
	return 0;
}
