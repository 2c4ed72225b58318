/*
 * store.h - the stored record: a whole dispatch, kept as the document data
 * of every indexed version (which Xapian compresses with zlib).
 *
 * Layout (store.c describes it byte by byte): the magic "WR2", fields, each
 * a one-byte tag, a varint length and the bytes, then a CRC-32 of them.
 * Records of the first layout ("WR1": the fields deflated by us) are still
 * read.  Unknown tags are skipped on reading, so fields can be added
 * without breaking older indexes.
 */
#ifndef WIRE_STORE_H
#define WIRE_STORE_H

#include "dispatch.h"
#include "strbuf.h"

#include <stddef.h>

/* Largest uncompressed record store_decode() accepts (bytes). */
#define STORE_MAX_RECORD (64u << 20)

/* Append the encoded form of D (a WR2 record: the fields and their CRC-32,
 * left for glass to compress) to OUT.  Returns 0, or -1 (OUT as it was)
 * when out of memory or the fields exceed STORE_MAX_RECORD bytes. */
int store_encode(const dispatch *d, strbuf *out);
/* Decode LEN bytes at DATA into D (dispatch_init()ed by the caller, who
 * releases it).  Returns 0, or -1 when the data is not a record or is
 * damaged (D then holds what could be read). */
int store_decode(const void *data, size_t len, dispatch *d);

#endif
