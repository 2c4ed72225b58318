/*
 * schema.c - the terms built from story ids.
 *
 * Xapian refuses terms longer than 245 bytes.  An id of up to
 * SCHEMA_MAX_ID_TERM bytes is kept verbatim; a longer one becomes its first
 * SCHEMA_ID_HEAD bytes (cut back to a UTF-8 character boundary), '~' and
 * the 16 lower-case hex digits of the 64-bit FNV-1a hash of the whole id:
 * at most 2 + 100 + 1 + 16 = 119 bytes with the longest prefix, so the
 * unique term, with "#" and a 10-digit version, stays far under the limit.
 * The hash is fixed forever: changing it would orphan every indexed story
 * with a long id.
 */
#include "schema.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SCHEMA_ID_HEAD 100

uint64_t schema_fnv1a(const char *s, size_t len)
{
	uint64_t h = UINT64_C(14695981039346656037);
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

/* Longest prefix of S of at most MAX bytes that does not end inside a
 * UTF-8 character (continuation bytes are 10xxxxxx). */
static size_t schema_utf8_cut(const char *s, size_t len, size_t max)
{
	size_t n = len < max ? len : max;
	size_t back = 0;

	while (n > 0 && n < len && ((unsigned char)s[n] & 0xc0) == 0x80 &&
	       back < 3) {
		n--;
		back++;
	}
	return n;
}

size_t schema_id_term(char *out, size_t out_size, const char *prefix,
		      const char *id)
{
	size_t plen, ilen, head, need;
	uint64_t h;

	if (!out || out_size == 0)
		return 0;
	out[0] = '\0';
	if (!id)
		return 0;
	if (!prefix)
		prefix = "";
	plen = strlen(prefix);
	ilen = strlen(id);
	if (ilen <= SCHEMA_MAX_ID_TERM) {
		need = plen + ilen;
		if (need >= out_size)
			return 0;
		memcpy(out, prefix, plen);
		memcpy(out + plen, id, ilen);
		out[need] = '\0';
		return need;
	}
	head = schema_utf8_cut(id, ilen, SCHEMA_ID_HEAD);
	need = plen + head + 1 + 16;
	if (need >= out_size)
		return 0;
	h = schema_fnv1a(id, ilen);
	memcpy(out, prefix, plen);
	memcpy(out + plen, id, head);
	snprintf(out + plen + head, out_size - plen - head, "~%016llx",
		 (unsigned long long)h);
	return need;
}

size_t schema_unique_term(char *out, size_t out_size, const char *id,
			  unsigned version)
{
	size_t n = schema_id_term(out, out_size, PREFIX_UNIQUE, id);
	int k;

	if (n == 0)
		return 0;
	/* Version 0 means the source gave none: it is the first version. */
	k = snprintf(out + n, out_size - n, "#%u", version ? version : 1u);
	if (k < 0 || (size_t)k >= out_size - n) {
		out[0] = '\0';
		return 0;
	}
	return n + (size_t)k;
}
