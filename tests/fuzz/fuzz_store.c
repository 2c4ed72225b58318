/*
 * fuzz_store.c - libFuzzer target for the stored record.
 *
 *   clang -fsanitize=fuzzer,address,undefined ... tests/fuzz/fuzz_store.c
 *   ./fuzz_store CORPUS tests/fuzz/store
 *
 * 1. store_decode() of the raw input must not crash or leak; when it
 *    accepts, encoding what it decoded and decoding again gives the same.
 * 2. The same bytes compressed and wrapped as a record ("WR1", length,
 *    zlib) reach the field parser, which mutations of a real record rarely
 *    do (the Adler-32 check stops them): same rules as 1.
 * 3. A dispatch built from the input (split at 0xff bytes into fields, set
 *    through the dispatch setters) survives store_encode() then
 *    store_decode() unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "dispatch.h"
#include "store.h"
#include "strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void check_str(const char *a, const char *b)
{
	CHECK((a == NULL) == (b == NULL));
	CHECK(!a || strcmp(a, b) == 0);
}

static void check_same(const dispatch *a, const dispatch *b)
{
	size_t i;

	check_str(a->id, b->id);
	CHECK(a->version == b->version);
	CHECK(a->first_created == b->first_created);
	CHECK(a->version_created == b->version_created);
	CHECK(a->date_source == b->date_source);
	check_str(a->agency, b->agency);
	CHECK(a->n_places == b->n_places);
	for (i = 0; i < a->n_places; i++)
		check_str(a->places[i], b->places[i]);
	check_str(a->dateline, b->dateline);
	check_str(a->located, b->located);
	check_str(a->headline, b->headline);
	check_str(a->byline, b->byline);
	check_str(a->slugline, b->slugline);
	CHECK(a->n_paragraphs == b->n_paragraphs);
	for (i = 0; i < a->n_paragraphs; i++)
		check_str(a->paragraphs[i], b->paragraphs[i]);
	check_str(a->signoff, b->signoff);
	check_str(a->language, b->language);
	CHECK(a->urgency == b->urgency);
	check_str(a->pubstatus, b->pubstatus);
	CHECK(a->n_tags == b->n_tags);
	for (i = 0; i < a->n_tags; i++) {
		CHECK(a->tags[i].kind == b->tags[i].kind);
		check_str(a->tags[i].value, b->tags[i].value);
	}
	check_str(a->source_file, b->source_file);
	CHECK(a->source_line == b->source_line);
}

static void round_trip(const dispatch *d)
{
	strbuf sb = STRBUF_INIT;
	dispatch e;

	CHECK(store_encode(d, &sb) == 0);
	dispatch_init(&e);
	CHECK(store_decode(sb.buf, sb.len, &e) == 0);
	check_same(d, &e);
	dispatch_release(&e);
	strbuf_release(&sb);
}

static uint64_t take_u64(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n && i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Build a dispatch from fields of the input separated by 0xff. */
static void build(const uint8_t *data, size_t size, dispatch *d)
{
	size_t start = 0, field = 0, i;

	for (i = 0; i <= size; i++) {
		const char *s = (const char *)data + start;
		size_t n;

		if (i < size && data[i] != 0xff)
			continue;
		n = i - start;
		switch (field % 16) {
		case 0: dispatch_set(d, &d->id, s, n); break;
		case 1: d->version = (unsigned)take_u64(data + start, n); break;
		case 2: d->first_created = (int64_t)take_u64(data + start, n); break;
		case 3: d->version_created = (int64_t)take_u64(data + start, n);
			d->date_source = (enum date_source)(n % 5);
			break;
		case 4: dispatch_set(d, &d->agency, s, n); break;
		case 5: dispatch_add_place(d, s, n); break;
		case 6: dispatch_set(d, &d->dateline, s, n); break;
		case 7: dispatch_set(d, &d->headline, s, n); break;
		case 8: dispatch_add_paragraph(d, s, n); break;
		case 9: dispatch_add_tag(d, (enum tag_kind)(n % 6), s, n); break;
		case 10: dispatch_set(d, &d->byline, s, n);
			d->urgency = (int)(n % 10);
			break;
		case 11: dispatch_set(d, &d->slugline, s, n); break;
		case 12: dispatch_set(d, &d->located, s, n); break;
		case 13: dispatch_set(d, &d->pubstatus, s, n); break;
		case 14: dispatch_set(d, &d->signoff, s, n);
			dispatch_set(d, &d->language, s, n < 3 ? n : 3);
			break;
		default: dispatch_set(d, &d->source_file, s, n);
			d->source_line = (unsigned)n;
			break;
		}
		field++;
		start = i + 1;
	}
}

static void decode_wrapped(const uint8_t *data, size_t size)
{
	uLongf zlen = compressBound((uLong)size);
	unsigned char *rec = malloc(3 + 10 + zlen);
	size_t n = 3, v = size;
	dispatch d;

	CHECK(rec);
	memcpy(rec, "WR1", 3);
	do {
		rec[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	CHECK(compress2(rec + n, &zlen, data, (uLong)size, 1) == Z_OK);
	dispatch_init(&d);
	if (store_decode(rec, n + zlen, &d) == 0)
		round_trip(&d);
	dispatch_release(&d);
	free(rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dispatch d;

	dispatch_init(&d);
	if (store_decode(data, size, &d) == 0)
		round_trip(&d);
	dispatch_release(&d);

	if (size)
		decode_wrapped(data, size);

	dispatch_init(&d);
	build(data, size, &d);
	round_trip(&d);
	dispatch_release(&d);
	return 0;
}
