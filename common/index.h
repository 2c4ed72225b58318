/*
 * index.h - opening an index for reading, whatever its shape: one Xapian
 * database, a stub file naming several (local paths and "remote HOST:PORT"
 * lines served by xapian-tcpsrv), or an index managed by wire-index (a
 * directory whose XAPIANDB stub names the live generation).
 */
#ifndef WIRE_INDEX_H
#define WIRE_INDEX_H

#include "xap.h"

#include <stddef.h>

/* Open the index at PATH.  Remote shards get WIRE_REMOTE_TIMEOUT_MS
 * (default 5000) to connect and to answer each request.  Returns a handle
 * (xap_db_free() it), or NULL with *STATUS saying why (NOT_FOUND: nothing
 * there; NETWORK: a remote shard is unreachable...) and a one-line message
 * naming the path, and the stub line at fault, in ERR. */
xap_db *index_open(const char *path, xap_status *status, char *err,
		   size_t errlen);

#endif
