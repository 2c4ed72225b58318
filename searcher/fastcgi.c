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
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
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
		strbuf_truncate(out, was);
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

		if (add_record(out, FCGI_STDOUT, id, response + off, n))
			goto fail;
		off += n;
	}
	if (add_record(out, FCGI_STDOUT, id, NULL, 0) ||
	    add_end_request(out, id, app_status, FCGI_REQUEST_COMPLETE))
		goto fail;
	return 0;
fail:
	strbuf_truncate(out, was);  /* OUT as it was */
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
	const unsigned char *p = data, *end;

	if (!len)
		return 0;  /* DATA may be NULL: no arithmetic on it */
	end = data + len;
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

/* Forget the request (its id, parameters and body).  KEEP_CONN stays:
 * it is the connection's until the next request sets it. */
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
	c->params_done = c->stdin_done = c->body_too_large = 0;
}

void fcgi_conn_release(fcgi_conn *c)
{
	end_request(c);
	strbuf_release(&c->in);
	strbuf_release(&c->out);
	c->in_off = 0;
	c->keep_conn = c->close_after = 0;
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
		snprintf(err, errlen,
			 "FastCGI protocol error: %s (record type %d, request %u)",
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
		if (role != ROLE_RESPONDER) {
			/* Refused: the server's request ends here, and with
			 * it the connection unless the server keeps it. */
			c->close_after = !(content[2] & FLAG_KEEP_CONN);
			return add_end_request(&c->out, id, 0, FCGI_UNKNOWN_ROLE)
				       ? FCGI_NO_MEMORY
				       : FCGI_NEED_MORE;
		}
		c->id = id;
		c->keep_conn = content[2] & FLAG_KEEP_CONN;
		return FCGI_NEED_MORE;
	}
	if (id != c->id)
		return FCGI_NEED_MORE;  /* not the open request: ignored */
	switch (type) {
	case FCGI_ABORT_REQUEST:
		end_request(c);
		c->close_after = !c->keep_conn;
		if (add_end_request(&c->out, id, 0, FCGI_REQUEST_COMPLETE))
			return FCGI_NO_MEMORY;
		return FCGI_NEED_MORE;
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

	end_request(c);
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
	else if (ss.ss_family == AF_INET6 &&
		 IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&ss)->sin6_addr)) {
		/* An IPv4 peer of a dual-stack socket: as the IPv4 address. */
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr[12];
		ss.ss_family = AF_INET;
	} else if (ss.ss_family == AF_INET6)
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

/* What fcgi_serve() serves with. */
struct server {
	size_t max_body;
	fcgi_handler handler;
	fcgi_log_fn log;
	void *ctx;
};

/* Tell SV's logger, if any, a line made of FMT. */
static void say(const struct server *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(const struct server *sv, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!sv->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sv->log(sv->ctx, line);
}

/* Send what C owes the server (without SIGPIPE should it have gone).
 * 0, or -1 when the connection broke or stayed full for the send
 * timeout, telling the logger. */
static int flush_out(const struct server *sv, fcgi_conn *c, int fd)
{
	size_t off = 0;

	while (off < c->out.len) {
		ssize_t n = send(fd, c->out.buf + off, c->out.len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			say(sv, "FastCGI: the answer could not be sent (%s): "
				"connection closed",
			    n < 0 ? (errno == EAGAIN || errno == EWOULDBLOCK
					     ? "the server took nothing for 30 s"
					     : strerror(errno))
				  : "nothing written");
			return -1;
		}
		off += (size_t)n;
	}
	strbuf_reset(&c->out);
	return 0;
}

/* The connections being served, each with its parser. */
struct open_conn {
	int fd;
	fcgi_conn c;
	unsigned long last_used;  /* a counter of activity, for eviction */
};

/* Connections held at once: one more than this and the longest idle one
 * is closed.  Servers open one or a few. */
#define MAX_OPEN 32
/* How long a write of an answer may block on a server that does not read
 * it before the connection is given up. */
#define SEND_TIMEOUT_SECONDS 30

static void close_conn(struct open_conn *oc)
{
	close(oc->fd);
	fcgi_conn_release(&oc->c);
	oc->fd = -1;
}

/* Read what connection OC has and answer every request it completes.
 * 1 to keep the connection, 0 to close it, -1 when the handler asks to
 * stop. */
static int serve_readable(const struct server *sv, struct open_conn *oc)
{
	char buf[65536], err[256];
	ssize_t n = read(oc->fd, buf, sizeof(buf));
	enum fcgi_event ev;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;  /* the server closed the connection */
	if (fcgi_conn_feed(&oc->c, buf, (size_t)n)) {
		say(sv, "FastCGI: out of memory");
		return 0;
	}
	while ((ev = fcgi_conn_next(&oc->c, err, sizeof(err))) == FCGI_REQUEST_READY) {
		strbuf response = STRBUF_INIT;
		int keep;

		if (sv->handler(&oc->c, oc->fd, &response, sv->ctx)) {
			strbuf_release(&response);
			return -1;
		}
		keep = fcgi_conn_respond(&oc->c, response.buf ? response.buf : "",
					 response.len) == 0;
		if (!keep)
			say(sv, "FastCGI: out of memory");
		strbuf_release(&response);
		if (flush_out(sv, &oc->c, oc->fd) || !keep || !oc->c.keep_conn)
			return 0;
	}
	if (ev == FCGI_PROTOCOL_ERROR) {
		say(sv, "%s", err);
		flush_out(sv, &oc->c, oc->fd);
		return 0;
	}
	if (ev == FCGI_NO_MEMORY) {
		say(sv, "FastCGI: out of memory");
		return 0;
	}
	return flush_out(sv, &oc->c, oc->fd) || oc->c.close_after ? 0 : 1;
}

/* Accept a connection on LISTEN_FD into a free slot of OPEN (N slots),
 * closing the longest idle one when none is free.  0, or -1 when
 * accepting fails for good. */
static int accept_conn(const struct server *sv, int listen_fd,
		       struct open_conn *open, size_t n, unsigned long now)
{
	struct timeval tv = { SEND_TIMEOUT_SECONDS, 0 };
	size_t slot = n;
	int fd = accept(listen_fd, NULL, NULL);

	if (fd < 0) {
		/* A connection that died before it was accepted, or one
		 * another process took first. */
		if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO ||
		    errno == EAGAIN)
			return 0;
		say(sv, "FastCGI: accepting a connection: %s", strerror(errno));
		return -1;
	}
	if (!peer_allowed(fd)) {
		say(sv, "FastCGI: a connection from an address not in "
			"FCGI_WEB_SERVER_ADDRS was closed");
		close(fd);
		return 0;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	for (size_t i = 0; i < n; i++)
		if (open[i].fd < 0) {
			slot = i;
			break;
		} else if (slot == n || open[i].last_used < open[slot].last_used) {
			slot = i;
		}
	if (open[slot].fd >= 0)
		close_conn(&open[slot]);  /* the longest idle */
	open[slot].fd = fd;
	open[slot].last_used = now;
	fcgi_conn_init(&open[slot].c, sv->max_body);
	return 0;
}

int fcgi_serve(int listen_fd, size_t max_body, fcgi_handler handler,
	       fcgi_log_fn log, void *ctx)
{
	const struct server sv = { max_body, handler, log, ctx };
	struct open_conn open[MAX_OPEN];
	struct pollfd pfd[MAX_OPEN + 1];
	unsigned long now = 0;
	int rc = 0, fl = fcntl(listen_fd, F_GETFL);

	for (size_t i = 0; i < MAX_OPEN; i++)
		open[i].fd = -1;
	/* Processes sharing the socket (spawn-fcgi -F) all wake for one
	 * connection: the ones that lose it must not block in accept(). */
	if (fl >= 0)
		fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK);
	/* Several connections can be open (a server keeping idle ones, or
	 * opening a second while the first waits): whichever has a request
	 * is served, so that no idle connection holds up the others. */
	while (!stop_requested && !rc) {
		int ready;

		pfd[0].fd = listen_fd;
		pfd[0].events = POLLIN;
		for (size_t i = 0; i < MAX_OPEN; i++) {
			pfd[i + 1].fd = open[i].fd;  /* negative: ignored */
			pfd[i + 1].events = POLLIN;
		}
		ready = poll(pfd, MAX_OPEN + 1, -1);
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			say(&sv, "FastCGI: poll: %s", strerror(errno));
			rc = -1;
			break;
		}
		for (size_t i = 0; i < MAX_OPEN && !rc; i++) {
			int keep;

			if (open[i].fd < 0 || !pfd[i + 1].revents)
				continue;
			open[i].last_used = ++now;
			keep = serve_readable(&sv, &open[i]);
			if (keep < 0)
				rc = -1;
			if (keep <= 0)
				close_conn(&open[i]);
		}
		if (!rc && (pfd[0].revents & POLLIN))
			rc = accept_conn(&sv, listen_fd, open, MAX_OPEN, ++now);
	}
	for (size_t i = 0; i < MAX_OPEN; i++)
		if (open[i].fd >= 0)
			close_conn(&open[i]);
	return rc;
}
