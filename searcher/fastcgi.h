/*
 * fastcgi.h - the FastCGI 1.0 responder protocol, so that a web server
 * can keep wire-search.cgi running and hand it request after request.
 *
 * A web server that starts a FastCGI program gives it a listening socket
 * as file descriptor 0 (fcgi_is_listener()).  fcgi_serve() accepts the
 * server's connections from it and reads each request's records: its
 * parameters (what a CGI program finds in its environment) and its body
 * (what it reads on stdin).  The handler gets the complete
 * request and returns the whole CGI response (headers, blank line, body);
 * fcgi_serve() sends it back as FCGI_STDOUT records and ends the request.
 *
 * One request at a time per process: the program says so to a server that
 * asks (FCGI_GET_VALUES: FCGI_MAX_CONNS and FCGI_MAX_REQS 1,
 * FCGI_MPXS_CONNS 0, though it serves more connections one request after
 * the other) and refuses a second request on a connection while one is
 * open (FCGI_CANT_MPX_CONN).  Roles other than the responder are refused
 * (FCGI_UNKNOWN_ROLE), unknown management records answered with
 * FCGI_UNKNOWN_TYPE, records of other request ids ignored, as the
 * specification asks; a refused or aborted request whose server did not
 * ask to keep the connection has it closed once the refusal is sent.  A record of another protocol version, a
 * parameter stream that does not decode or that passes FCGI_MAX_PARAMS
 * bytes is a protocol error: the connection is closed.
 *
 * The parser (fcgi_conn_feed(), fcgi_conn_next()) does no I/O, so tests
 * and the fuzz target drive it from memory; fcgi_serve() is the loop that
 * reads and writes the sockets.
 */
#ifndef WIRE_FASTCGI_H
#define WIRE_FASTCGI_H

#include "strbuf.h"

#include <stddef.h>
#include <stdint.h>

/* The largest parameter stream a request may send (lighttpd sends a few
 * kilobytes: the CGI variables and the HTTP headers). */
#define FCGI_MAX_PARAMS (256u * 1024u)
/* The longest record content (the 16-bit contentLength). */
#define FCGI_MAX_CONTENT 65535u

/* Record types (FastCGI 1.0, section 8). */
enum fcgi_type {
	FCGI_BEGIN_REQUEST = 1,
	FCGI_ABORT_REQUEST = 2,
	FCGI_END_REQUEST = 3,
	FCGI_PARAMS = 4,
	FCGI_STDIN = 5,
	FCGI_STDOUT = 6,
	FCGI_STDERR = 7,
	FCGI_DATA = 8,
	FCGI_GET_VALUES = 9,
	FCGI_GET_VALUES_RESULT = 10,
	FCGI_UNKNOWN_TYPE = 11
};

/* protocolStatus of FCGI_END_REQUEST. */
enum fcgi_end {
	FCGI_REQUEST_COMPLETE = 0,
	FCGI_CANT_MPX_CONN = 1,
	FCGI_OVERLOADED = 2,
	FCGI_UNKNOWN_ROLE = 3
};

/* What fcgi_conn_next() found. */
enum fcgi_event {
	FCGI_NEED_MORE,       /* every complete record is consumed */
	FCGI_REQUEST_READY,   /* a request's parameters and body are complete */
	FCGI_PROTOCOL_ERROR,  /* the reason is in ERR: close the connection */
	FCGI_NO_MEMORY        /* as an error: close the connection */
};

/* One connection from the web server, and the request it is sending. */
typedef struct fcgi_conn {
	strbuf in;          /* bytes received and not yet parsed (from IN_OFF) */
	size_t in_off;
	strbuf out;         /* records owed to the server, to send in order */
	/* The request: id 0 when none is open. */
	unsigned id;
	int keep_conn;      /* the server keeps the connection after it */
	int params_done, stdin_done;
	strbuf params;      /* the raw FCGI_PARAMS stream */
	char **names, **values;  /* decoded once the stream has ended */
	size_t n_params;
	strbuf body;        /* FCGI_STDIN, up to MAX_BODY bytes */
	size_t max_body;
	int body_too_large; /* the server sent more than MAX_BODY bytes */
	int close_after;    /* close the connection once OUT is sent */
} fcgi_conn;

/* Start C empty, keeping at most MAX_BODY bytes of a request body (the
 * rest is read and dropped, and BODY_TOO_LARGE set).  Cannot fail. */
void fcgi_conn_init(fcgi_conn *c, size_t max_body);

/* Free everything C holds; C can be initialised again. */
void fcgi_conn_release(fcgi_conn *c);

/* Append LEN bytes read from the connection.  0, or -1 when out of
 * memory (C is unchanged). */
int fcgi_conn_feed(fcgi_conn *c, const void *data, size_t len);

/* Parse the complete records fed so far, answering management records
 * and refused requests into C->out, until a request is complete
 * (FCGI_REQUEST_READY: its parameters and body are in C until
 * fcgi_conn_respond()), the bytes run out (FCGI_NEED_MORE), or an error.
 * On FCGI_PROTOCOL_ERROR a reason naming the record goes to ERR (ERRLEN
 * bytes, may be 0). */
enum fcgi_event fcgi_conn_next(fcgi_conn *c, char *err, size_t errlen);

/* The value of parameter NAME of the ready request (the last one when it
 * was sent twice), or NULL.  Borrowed from C, valid until
 * fcgi_conn_respond(). */
const char *fcgi_conn_param(const fcgi_conn *c, const char *name);

/* Answer the ready request with the CGI response RESPONSE (LEN bytes):
 * appends its FCGI_STDOUT records, the empty one that ends the stream
 * and FCGI_END_REQUEST to C->out, and forgets the request.  0, or -1
 * when out of memory (the request is forgotten all the same). */
int fcgi_conn_respond(fcgi_conn *c, const char *response, size_t len);

/* Append to OUT the records that answer request ID with RESPONSE (LEN
 * bytes) and end it with APP_STATUS.  0, or -1 when out of memory (OUT
 * keeps what it had). */
int fcgi_frame_response(strbuf *out, unsigned id, const char *response,
			size_t len, uint32_t app_status);

/* Whether FD is a listening socket: how a web server starts a FastCGI
 * program (on descriptor 0). */
int fcgi_is_listener(int fd);

/* Called with each complete request of connection C (read from socket
 * FD): put the whole CGI response into RESPONSE.  Returns 0, or -1 to
 * stop serving (fcgi_serve() then returns -1). */
typedef int (*fcgi_handler)(fcgi_conn *c, int fd, strbuf *response, void *ctx);

/* Told one line (no newline) about a connection that went wrong. */
typedef void (*fcgi_log_fn)(void *ctx, const char *line);

/* Serve the server's connections on LISTEN_FD with HANDLER, one request
 * at a time, keeping bodies of up to MAX_BODY bytes.  Several connections
 * may be open at once (up to 32; beyond, the longest idle is closed):
 * each request is answered as soon as it is complete, so a connection the
 * server keeps idle never holds up another.  When the environment has
 * FCGI_WEB_SERVER_ADDRS (comma-separated addresses) a TCP connection from
 * any other address is closed unanswered.  A connection that breaks,
 * speaks wrongly, or does not take an answer within 30 s is closed, and
 * LOG (if not NULL) told why, with CTX as for the handler.  Returns 0
 * once fcgi_stop() was called (after the request being answered, if
 * any), or -1 when accepting fails for good (LOG told why) or the handler
 * asks to stop. */
int fcgi_serve(int listen_fd, size_t max_body, fcgi_handler handler,
	       fcgi_log_fn log, void *ctx);

/* Ask fcgi_serve() to return: safe in a signal handler (the web server
 * stops its FastCGI programs with SIGTERM).  A signal installed without
 * SA_RESTART interrupts a wait for the next connection or request. */
void fcgi_stop(void);

#endif
