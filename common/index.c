/*
 * index.c - opening an index for reading: a database directory, a stub file,
 * or a managed index (a directory holding the stub XAPIANDB).
 *
 * Stubs are read here rather than by Xapian so that a remote shard gets a
 * timeout of our choosing (Xapian would wait 10 s on a dead server) and so
 * that a failure names the line and the shard at fault.
 */
#include "index.h"

#include "alloc.h"
#include "strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Why Xapian found no database at PATH when something is there: it says
 * "not found" for a directory it may not read.  NULL when nothing is. */
static const char *unreadable(const char *path)
{
	if (access(path, F_OK) == 0 && access(path, R_OK | X_OK) && errno == EACCES)
		return strerror(EACCES);
	return NULL;
}

/* Milliseconds a remote shard may take to connect or answer. */
static unsigned remote_timeout_ms(void)
{
	const char *s = getenv("WIRE_REMOTE_TIMEOUT_MS");
	long v = s ? strtol(s, NULL, 10) : 0;

	return v > 0 && v < 600000 ? (unsigned)v : 5000;
}

/* The stub file to read ourselves at PATH (a file, or a directory holding
 * XAPIANDB), malloc'd, or NULL for a plain database. */
static char *stub_file(const char *path)
{
	struct stat st;
	strbuf sb = STRBUF_INIT;

	if (stat(path, &st))
		return NULL;
	if (S_ISREG(st.st_mode))
		return wire_strdup(path);
	if (strbuf_addstr(&sb, path) || strbuf_addstr(&sb, "/XAPIANDB") ||
	    stat(sb.buf, &st) || !S_ISREG(st.st_mode)) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

/* Open the databases a stub lists.  Remote shards get our timeout (a stub
 * read by Xapian itself would wait 10 s on a dead server). */
static xap_status add_stub(xap_db *db, const char *stub, char *err,
			   size_t errlen)
{
	char line[4096], *dir = wire_strdup(stub), *slash;
	unsigned long lineno = 0;
	xap_status st = XAP_OK;
	FILE *f = fopen(stub, "re");

	if (!dir || !f) {
		free(dir);
		if (f)
			fclose(f);
		return xap_db_add(db, stub);
	}
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
	} else {
		dir[0] = '.'; /* a stub in the current directory */
		dir[1] = '\0';
	}
	while (st == XAP_OK && fgets(line, sizeof(line), f)) {
		char *p = line, host[256];
		unsigned port;

		lineno++;
		p[strcspn(p, "\r\n")] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		if (!strncmp(p, "remote ", 7) &&
		    sscanf(p + 7, " %255[^:]:%u", host, &port) == 2) {
			st = xap_db_add_remote(db, host, port, remote_timeout_ms());
			if (st != XAP_OK)
				set_err(err, errlen, "%s:%lu: shard remote %s:%u is unreachable: %s",
					stub, lineno, host, port, xap_db_message(db));
			continue;
		}
		if (!strncmp(p, "auto ", 5) || !strncmp(p, "glass ", 6))
			p = strchr(p, ' ') + 1;
		{
			strbuf sb = STRBUF_INIT;

			if ((p[0] != '/' && (strbuf_addstr(&sb, dir) || strbuf_addch(&sb, '/'))) ||
			    strbuf_addstr(&sb, p)) {
				strbuf_release(&sb);
				st = XAP_NOMEM;
				break;
			}
			st = xap_db_add(db, sb.buf);
			if (st == XAP_NOT_FOUND && unreadable(sb.buf))
				set_err(err, errlen, "%s:%lu: cannot read %s: %s", stub,
					lineno, sb.buf, unreadable(sb.buf));
			else if (st != XAP_OK)
				set_err(err, errlen, "%s:%lu: cannot open %s (%s): %s", stub,
					lineno, sb.buf, xap_status_name(st), xap_db_message(db));
			strbuf_release(&sb);
		}
	}
	fclose(f);
	free(dir);
	return st;
}

/* Opening reads a revision too: a writer committing twice meanwhile makes
 * it fail with XAP_MODIFIED or, when a block it was about to read has
 * been reused, XAP_CORRUPT ("Expected block 213 to be level 1, not 0",
 * 064); opening again is the cure.  A database that is really damaged
 * fails every try and is reported as corrupt. */
#define OPEN_RETRIES 3

static int overtaken(xap_status st)
{
	return st == XAP_MODIFIED || st == XAP_CORRUPT;
}

xap_db *index_open(const char *path, xap_status *status, char *err,
		   size_t errlen)
{
	char *stub = stub_file(path);
	xap_db *db = NULL;
	xap_status st = XAP_MODIFIED;

	for (int tries = 0; overtaken(st) && tries <= OPEN_RETRIES; tries++) {
		xap_db_free(db);
		*err = '\0';
		db = xap_db_new();
		if (!db) {
			set_err(err, errlen, "out of memory");
			free(stub);
			*status = XAP_NOMEM;
			return NULL;
		}
		st = stub ? add_stub(db, stub, err, errlen) : xap_db_add(db, path);
	}
	free(stub);
	*status = st;
	if (st == XAP_OK)
		return db;
	if (*err)
		; /* add_stub named the line and the database */
	else if (st == XAP_NOT_FOUND && unreadable(path))
		set_err(err, errlen, "%s: cannot read the index: %s", path,
			unreadable(path));
	else if (st == XAP_NOT_FOUND)
		set_err(err, errlen, "%s: no index there (create one with wire-index)", path);
	else
		set_err(err, errlen, "%s: cannot open the index (%s): %s", path,
			xap_status_name(st), xap_db_message(db));
	xap_db_free(db);
	return NULL;
}
