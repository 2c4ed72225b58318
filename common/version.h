/*
 * version.h - the release every program of wiresearch reports.
 *
 * `wire-index --version` and `wire-search --version` print one line:
 *
 *   wire-search 0.6.0 (Xapian 1.4.22, index schema 3)
 *
 * the release, the Xapian library the program runs on (which may differ
 * from the one it was built with), and the index layout a new index gets
 * (docs/SCHEMA.md; older layouts are still read).
 */
#ifndef WIRE_VERSION_H
#define WIRE_VERSION_H

#include "schema.h"
#include "xap.h"

#include <stdio.h>

#define WIRE_VERSION "0.6.0"

/* PROGRAM's version line (above, with its newline) into BUF of LEN bytes,
 * cut if BUF is too short.  Returns what snprintf returns. */
static inline int wire_version_line(char *buf, size_t len, const char *program)
{
	return snprintf(buf, len, "%s %s (Xapian %s, index schema %d)\n", program,
			WIRE_VERSION, xap_version_string(), META_SCHEMA_NUMBER);
}

#endif
