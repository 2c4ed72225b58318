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

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define WIRE_VERSION "0.6.0"

/* Print PROGRAM's version line (above) on standard output and flush it.
 * Returns 0, or -1 when it cannot be written, after saying
 * "PROGRAM: write error: REASON" on standard error. */
static inline int wire_print_version(const char *program)
{
	if (printf("%s %s (Xapian %s, index schema %d)\n", program,
		   WIRE_VERSION, xap_version_string(), META_SCHEMA_NUMBER) < 0 ||
	    fflush(stdout) != 0) {
		fprintf(stderr, "%s: write error: %s\n", program, strerror(errno));
		return -1;
	}
	return 0;
}

#endif
