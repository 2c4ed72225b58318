/*
 * store.c - a dispatch as stored in the index (document data).
 *
 * Record, byte by byte, as written:
 *
 *   offset  bytes  what
 *   0       3      magic "WR2" (0x57 0x52 0x32)
 *   3       N      the field list (below), N <= STORE_MAX_RECORD
 *   3+N     4      CRC-32 (zlib's crc32()) of the field list, little-endian
 *
 * Xapian compresses document data with zlib itself (glass's docdata
 * table), so the record is stored compressed without compressing it here:
 * deflating it twice cost a sixth of a rebuild's time and saved nothing.
 * The CRC catches what zlib's Adler-32 caught in the first layout: any
 * damage, a cut record, a byte too many.
 *
 * Records of the first layout, still read:
 *
 *   offset  bytes  what
 *   0       3      magic "WR1" (0x57 0x52 0x31)
 *   3       1-10   N, the length of the uncompressed field list, as a
 *                  varint (below); 0 < N <= STORE_MAX_RECORD
 *   3+k     rest   a zlib stream (RFC 1950: 2-byte header, deflate data,
 *                  Adler-32), compress2() level 6, inflating to exactly
 *                  N bytes; nothing may follow it
 *
 * Varint: unsigned LEB128, 7 bits a byte, least significant group first,
 * high bit set on every byte but the last; at most 10 bytes (64 bits).
 * Signed integers (dates) are zigzag-mapped first: 0 -1 1 -2 ... become
 * 0 1 2 3 ..., so -1 ("no date") costs one byte.
 *
 * The field list is a sequence of fields, each:
 *
 *   1 byte   tag (below)
 *   varint   L, the length of the value
 *   L bytes  the value
 *
 * Values are either text (UTF-8 bytes, no NUL, no terminator; an empty
 * string is L = 0) or one varint filling exactly the L bytes.  A field
 * whose pointer is NULL is not written; integer fields are always written.
 * List items (places, paragraphs, tags) are one field each, in order.
 * A scalar field written twice keeps its last value.  Tags not listed are
 * skipped, so later versions can add fields that older readers ignore.
 *
 *   tag  field            value
 *   1    id               text
 *   2    version          varint
 *   3    first_created    zigzag varint (-1 = none)
 *   4    version_created  zigzag varint
 *   5    date_source      varint (enum date_source; unknown -> DATE_NONE)
 *   6    agency           text
 *   7    places[i]        text, repeated
 *   8    dateline         text
 *   9    located          text
 *   10   headline         text
 *   11   byline           text
 *   12   slugline         text
 *   13   paragraphs[i]    text, repeated
 *   14   signoff          text
 *   15   language         text
 *   16   urgency          zigzag varint
 *   17   pubstatus        text
 *   18   tags[i]          varint kind (enum tag_kind; unknown ->
 *                         TAG_OTHER), then the text to the end of L
 *   19   source_file      text
 *   20   source_line      varint
 *
 * Decoding trusts nothing: every length is checked against what is left,
 * the compressed size bounds the declared one (deflate cannot expand more
 * than ~1032 times), zlib checks the Adler-32, and a text value holding a
 * NUL byte makes the record damaged.
 */
#include "store.h"

#include "alloc.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define STORE_MAGIC "WR2"
#define STORE_MAGIC_ZLIB "WR1"
#define STORE_MAGIC_LEN 3
#define STORE_CRC_LEN 4
#define STORE_VARINT_MAX 10
/* deflate's best ratio is 1032:1; leave room for the header bytes. */
#define STORE_MAX_RATIO 1040u

enum store_tag {
	ST_ID = 1,
	ST_VERSION = 2,
	ST_FIRST_CREATED = 3,
	ST_VERSION_CREATED = 4,
	ST_DATE_SOURCE = 5,
	ST_AGENCY = 6,
	ST_PLACE = 7,
	ST_DATELINE = 8,
	ST_LOCATED = 9,
	ST_HEADLINE = 10,
	ST_BYLINE = 11,
	ST_SLUGLINE = 12,
	ST_PARAGRAPH = 13,
	ST_SIGNOFF = 14,
	ST_LANGUAGE = 15,
	ST_URGENCY = 16,
	ST_PUBSTATUS = 17,
	ST_TAG = 18,
	ST_SOURCE_FILE = 19,
	ST_SOURCE_LINE = 20
};

/* ---------------------------------------------------------------- encode */

static size_t store_put_varint(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

static uint64_t store_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t store_unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static int store_put_field(strbuf *sb, int tag, const void *a, size_t alen,
			   const void *b, size_t blen)
{
	unsigned char head[1 + STORE_VARINT_MAX];
	size_t n;

	head[0] = (unsigned char)tag;
	n = 1 + store_put_varint(head + 1, (uint64_t)alen + blen);
	if (strbuf_add(sb, head, n) || strbuf_add(sb, a, alen) ||
	    strbuf_add(sb, b, blen))
		return -1;
	return 0;
}

static int store_put_text(strbuf *sb, int tag, const char *s)
{
	if (!s)
		return 0;
	return store_put_field(sb, tag, s, strlen(s), NULL, 0);
}

static int store_put_uint(strbuf *sb, int tag, uint64_t v)
{
	unsigned char buf[STORE_VARINT_MAX];

	return store_put_field(sb, tag, buf, store_put_varint(buf, v), NULL,
			       0);
}

static int store_put_list(strbuf *sb, int tag, char *const *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (store_put_field(sb, tag, items[i] ? items[i] : "",
				    items[i] ? strlen(items[i]) : 0, NULL, 0))
			return -1;
	return 0;
}

static int store_fields(const dispatch *d, strbuf *sb)
{
	size_t i;

	if (store_put_text(sb, ST_ID, d->id) ||
	    store_put_uint(sb, ST_VERSION, d->version) ||
	    store_put_uint(sb, ST_FIRST_CREATED,
			   store_zigzag(d->first_created)) ||
	    store_put_uint(sb, ST_VERSION_CREATED,
			   store_zigzag(d->version_created)) ||
	    store_put_uint(sb, ST_DATE_SOURCE, (uint64_t)d->date_source) ||
	    store_put_text(sb, ST_AGENCY, d->agency) ||
	    store_put_list(sb, ST_PLACE, d->places, d->n_places) ||
	    store_put_text(sb, ST_DATELINE, d->dateline) ||
	    store_put_text(sb, ST_LOCATED, d->located) ||
	    store_put_text(sb, ST_HEADLINE, d->headline) ||
	    store_put_text(sb, ST_BYLINE, d->byline) ||
	    store_put_text(sb, ST_SLUGLINE, d->slugline) ||
	    store_put_list(sb, ST_PARAGRAPH, d->paragraphs, d->n_paragraphs) ||
	    store_put_text(sb, ST_SIGNOFF, d->signoff) ||
	    store_put_text(sb, ST_LANGUAGE, d->language) ||
	    store_put_uint(sb, ST_URGENCY,
			   store_zigzag((int64_t)d->urgency)) ||
	    store_put_text(sb, ST_PUBSTATUS, d->pubstatus))
		return -1;
	for (i = 0; i < d->n_tags; i++) {
		unsigned char kind[STORE_VARINT_MAX];
		const char *v = d->tags[i].value ? d->tags[i].value : "";

		if (store_put_field(sb, ST_TAG, kind,
				    store_put_varint(kind,
						     (uint64_t)d->tags[i].kind),
				    v, strlen(v)))
			return -1;
	}
	if (store_put_text(sb, ST_SOURCE_FILE, d->source_file) ||
	    store_put_uint(sb, ST_SOURCE_LINE, d->source_line))
		return -1;
	return 0;
}

int store_encode(const dispatch *d, strbuf *out)
{
	size_t old_len = out->len, start = old_len + STORE_MAGIC_LEN, n;
	unsigned char crc[STORE_CRC_LEN];
	int had_buffer = out->buf != NULL;
	uLong c;

	if (strbuf_add(out, STORE_MAGIC, STORE_MAGIC_LEN) || store_fields(d, out) ||
	    (n = out->len - start) > STORE_MAX_RECORD)
		goto fail;
	c = crc32(0L, (const Bytef *)out->buf + start, (uInt)n);
	for (int i = 0; i < STORE_CRC_LEN; i++)
		crc[i] = (unsigned char)(c >> (8 * i));
	if (strbuf_add(out, crc, sizeof crc))
		goto fail;
	return 0;
fail:
	/* OUT as it was: without a buffer if it had none. */
	if (!had_buffer) {
		strbuf_release(out);
		return -1;
	}
	strbuf_truncate(out, old_len);
	return -1;
}

/* ---------------------------------------------------------------- decode */

/* Read a varint from [*P, END).  0, or -1 when cut short or over 64 bits. */
static int store_get_varint(const unsigned char **p, const unsigned char *end,
			    uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (*p < end) {
		unsigned char c = *(*p)++;

		if (shift == 63 && (c & 0x7e))
			return -1; /* more than 64 bits */
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			return 0;
		}
		shift += 7;
		if (shift > 63)
			return -1;
	}
	return -1;
}

/* A value that is exactly one varint. */
static int store_value_uint(const unsigned char *v, size_t len, uint64_t *out)
{
	const unsigned char *p = v;

	if (store_get_varint(&p, v + len, out))
		return -1;
	return p == v + len ? 0 : -1;
}

static char *store_text(const unsigned char *v, size_t len)
{
	if (memchr(v, '\0', len))
		return NULL;
	return wire_strndup((const char *)v, len);
}

/* Replace *FIELD by a copy of the value: 0, -1 on damage or no memory. */
static int store_set_text(char **field, const unsigned char *v, size_t len)
{
	char *s = store_text(v, len);

	if (!s)
		return -1;
	free(*field);
	*field = s;
	return 0;
}

struct store_counts {
	size_t places, paragraphs, tags;
};

/* Walk the fields of RAW: with D NULL only check the framing and count the
 * list items; else fill D (whose lists have room for the counts). */
static int store_walk(const unsigned char *raw, size_t len, dispatch *d,
		      struct store_counts *counts)
{
	const unsigned char *p = raw, *end = raw + len;

	while (p < end) {
		int tag = *p++;
		uint64_t vlen, u;
		const unsigned char *v;
		size_t n;

		if (store_get_varint(&p, end, &vlen) ||
		    vlen > (uint64_t)(end - p))
			return -1;
		v = p;
		n = (size_t)vlen;
		p += n;
		if (!d) {
			if (tag == ST_PLACE)
				counts->places++;
			else if (tag == ST_PARAGRAPH)
				counts->paragraphs++;
			else if (tag == ST_TAG)
				counts->tags++;
			continue;
		}
		switch (tag) {
		case ST_ID:
			if (store_set_text(&d->id, v, n))
				return -1;
			break;
		case ST_VERSION:
			if (store_value_uint(v, n, &u) || u > UINT_MAX)
				return -1;
			d->version = (unsigned)u;
			break;
		case ST_FIRST_CREATED:
			if (store_value_uint(v, n, &u))
				return -1;
			d->first_created = store_unzigzag(u);
			break;
		case ST_VERSION_CREATED:
			if (store_value_uint(v, n, &u))
				return -1;
			d->version_created = store_unzigzag(u);
			break;
		case ST_DATE_SOURCE:
			if (store_value_uint(v, n, &u))
				return -1;
			d->date_source = u <= DATE_MTIME ? (enum date_source)u
							 : DATE_NONE;
			break;
		case ST_AGENCY:
			if (store_set_text(&d->agency, v, n))
				return -1;
			break;
		case ST_PLACE:
			if (d->n_places >= counts->places ||
			    !(d->places[d->n_places] = store_text(v, n)))
				return -1;
			d->n_places++;
			break;
		case ST_DATELINE:
			if (store_set_text(&d->dateline, v, n))
				return -1;
			break;
		case ST_LOCATED:
			if (store_set_text(&d->located, v, n))
				return -1;
			break;
		case ST_HEADLINE:
			if (store_set_text(&d->headline, v, n))
				return -1;
			break;
		case ST_BYLINE:
			if (store_set_text(&d->byline, v, n))
				return -1;
			break;
		case ST_SLUGLINE:
			if (store_set_text(&d->slugline, v, n))
				return -1;
			break;
		case ST_PARAGRAPH:
			if (d->n_paragraphs >= counts->paragraphs ||
			    !(d->paragraphs[d->n_paragraphs] = store_text(v, n)))
				return -1;
			d->n_paragraphs++;
			break;
		case ST_SIGNOFF:
			if (store_set_text(&d->signoff, v, n))
				return -1;
			break;
		case ST_LANGUAGE:
			if (store_set_text(&d->language, v, n))
				return -1;
			break;
		case ST_URGENCY: {
			int64_t s;

			if (store_value_uint(v, n, &u))
				return -1;
			s = store_unzigzag(u);
			if (s < INT_MIN || s > INT_MAX)
				return -1;
			d->urgency = (int)s;
			break;
		}
		case ST_PUBSTATUS:
			if (store_set_text(&d->pubstatus, v, n))
				return -1;
			break;
		case ST_TAG: {
			const unsigned char *q = v;
			dispatch_tag *t;

			if (d->n_tags >= counts->tags ||
			    store_get_varint(&q, v + n, &u))
				return -1;
			t = &d->tags[d->n_tags];
			t->kind = u <= TAG_OTHER ? (enum tag_kind)u : TAG_OTHER;
			t->value = store_text(q, (size_t)(v + n - q));
			if (!t->value)
				return -1;
			d->n_tags++;
			break;
		}
		case ST_SOURCE_FILE:
			if (store_set_text(&d->source_file, v, n))
				return -1;
			break;
		case ST_SOURCE_LINE:
			if (store_value_uint(v, n, &u) || u > UINT_MAX)
				return -1;
			d->source_line = (unsigned)u;
			break;
		default:
			break; /* a field from a later version */
		}
	}
	return 0;
}

/* Make room in *ARR (holding N items of SIZE bytes) for MORE items. */
static int store_reserve(void **arr, size_t n, size_t more, size_t size)
{
	void *p;

	if (!more)
		return 0;
	if (more > SIZE_MAX / size - n)
		return -1;
	p = wire_realloc(*arr, (n + more) * size);
	if (!p)
		return -1;
	*arr = p;
	return 0;
}

/* Read the field list of LEN bytes at RAW into D (twice over: once to
 * count the list items, once to fill them). */
static int store_read_fields(const unsigned char *raw, size_t len, dispatch *d)
{
	struct store_counts counts = { 0, 0, 0 };
	size_t places0, paragraphs0, tags0;
	void *arr;
	int ret;

	ret = store_walk(raw, len, NULL, &counts);
	if (ret == 0) {
		/* Lists are appended to whatever D already holds. */
		places0 = d->n_places;
		paragraphs0 = d->n_paragraphs;
		tags0 = d->n_tags;
		counts.places += places0;
		counts.paragraphs += paragraphs0;
		counts.tags += tags0;
		arr = d->places;
		ret = store_reserve(&arr, places0, counts.places - places0,
				    sizeof *d->places);
		d->places = arr;
		arr = d->paragraphs;
		if (!ret)
			ret = store_reserve(&arr, paragraphs0,
					    counts.paragraphs - paragraphs0,
					    sizeof *d->paragraphs);
		d->paragraphs = arr;
		arr = d->tags;
		if (!ret)
			ret = store_reserve(&arr, tags0, counts.tags - tags0,
					    sizeof *d->tags);
		d->tags = arr;
		if (!ret)
			ret = store_walk(raw, len, d, &counts);
	}
	return ret;
}

int store_decode(const void *data, size_t len, dispatch *d)
{
	const unsigned char *p = data, *end;
	unsigned char *raw;
	uint64_t rawlen;
	uLongf outlen;
	uLong inlen;
	size_t zlen;
	int ret;

	if (!data || len < STORE_MAGIC_LEN)
		return -1;
	if (!memcmp(p, STORE_MAGIC, STORE_MAGIC_LEN)) {
		size_t n = len - STORE_MAGIC_LEN;
		uLong c = 0;

		if (n < STORE_CRC_LEN || (n -= STORE_CRC_LEN) > STORE_MAX_RECORD)
			return -1;
		for (int i = STORE_CRC_LEN - 1; i >= 0; i--)
			c = (c << 8) | p[STORE_MAGIC_LEN + n + (size_t)i];
		if (c != crc32(0L, p + STORE_MAGIC_LEN, (uInt)n))
			return -1;
		return store_read_fields(p + STORE_MAGIC_LEN, n, d);
	}
	if (memcmp(p, STORE_MAGIC_ZLIB, STORE_MAGIC_LEN))
		return -1;
	end = p + len;
	p += STORE_MAGIC_LEN;
	if (store_get_varint(&p, end, &rawlen) || rawlen == 0 ||
	    rawlen > STORE_MAX_RECORD)
		return -1;
	zlen = (size_t)(end - p);
	if (zlen > (uLong)-1 || rawlen / STORE_MAX_RATIO > zlen)
		return -1;
	raw = wire_malloc((size_t)rawlen);
	if (!raw)
		return -1;
	outlen = (uLongf)rawlen;
	inlen = (uLong)zlen;
	if (uncompress2(raw, &outlen, p, &inlen) != Z_OK || outlen != rawlen ||
	    inlen != zlen) {
		free(raw);
		return -1;
	}
	ret = store_read_fields(raw, (size_t)rawlen, d);
	free(raw);
	return ret;
}
