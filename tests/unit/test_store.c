/*
 * test_store.c - the stored record: round trips of full and empty
 * dispatches, and damaged or hostile input (truncated, flipped bits, huge
 * lengths, bad fields) rejected without crashing.
 */
#include "alloc.h"
#include "dispatch.h"
#include "store.h"
#include "strbuf.h"

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

static char *dup_str(const char *s)
{
	char *d = wire_strdup(s);

	assert_non_null(d);
	return d;
}

static char **dup_list(const char *const *items, size_t n)
{
	char **a = wire_calloc(n, sizeof *a);
	size_t i;

	assert_non_null(a);
	for (i = 0; i < n; i++)
		a[i] = dup_str(items[i]);
	return a;
}

/* A dispatch with every field set, built directly (no cleaning). */
static void full_dispatch(dispatch *d)
{
	static const char *const places[] = { "Kabul", "Islamabad" };
	static const char *const paras[] = {
		"Pakistan stressed the urgency of addressing border security.",
		("Dar met Amir Khan Muttaq\xc4\xab in Kabul \xe2\x80\x94 "
		 "\xe2\x80\x9cthe paramount importance\xe2\x80\x9d."),
		"",
		"Bogot\xc3\xa1, \xe6\x9d\xb1\xe4\xba\xac, \xf0\x9f\x93\xb0.",
	};

	dispatch_init(d);
	d->id = dup_str("efe/2025-04-19-pakistan-afghanistan");
	d->version = 4294967295u;
	d->first_created = 1745020800;
	d->version_created = -86400; /* before 1970: negative */
	d->date_source = DATE_DATELINE;
	d->agency = dup_str("EFE");
	d->places = dup_list(places, 2);
	d->n_places = 2;
	d->dateline = dup_str("Kabul/Islamabad, Apr 19 (EFE)");
	d->located = dup_str("Islamabad desk");
	d->headline = dup_str("Pakistan urges border talks");
	d->byline = dup_str("Mar\xc3\xad" "a L\xc3\xb3pez");
	d->slugline = dup_str("PAKISTAN-AFGHANISTAN/");
	d->paragraphs = dup_list(paras, 4);
	d->n_paragraphs = 4;
	d->signoff = dup_str("EFE");
	d->language = dup_str("en");
	d->urgency = 3;
	d->pubstatus = dup_str("usable");
	d->tags = wire_calloc(3, sizeof *d->tags);
	assert_non_null(d->tags);
	d->tags[0].kind = TAG_TOPIC;
	d->tags[0].value = dup_str("politics");
	d->tags[1].kind = TAG_PERSON;
	d->tags[1].value = dup_str("Ishaq Dar");
	d->tags[2].kind = TAG_OTHER;
	d->tags[2].value = dup_str("");
	d->n_tags = 3;
	d->source_file = dup_str("corpus/efe/x.txt.gz");
	d->source_line = 77;
}

static void assert_str_eq(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_same(const dispatch *a, const dispatch *b)
{
	size_t i;

	assert_str_eq(a->id, b->id);
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->first_created, b->first_created);
	assert_int_equal(a->version_created, b->version_created);
	assert_int_equal(a->date_source, b->date_source);
	assert_str_eq(a->agency, b->agency);
	assert_int_equal(a->n_places, b->n_places);
	for (i = 0; i < a->n_places; i++)
		assert_str_eq(a->places[i], b->places[i]);
	assert_str_eq(a->dateline, b->dateline);
	assert_str_eq(a->located, b->located);
	assert_str_eq(a->headline, b->headline);
	assert_str_eq(a->byline, b->byline);
	assert_str_eq(a->slugline, b->slugline);
	assert_int_equal(a->n_paragraphs, b->n_paragraphs);
	for (i = 0; i < a->n_paragraphs; i++)
		assert_str_eq(a->paragraphs[i], b->paragraphs[i]);
	assert_str_eq(a->signoff, b->signoff);
	assert_str_eq(a->language, b->language);
	assert_int_equal(a->urgency, b->urgency);
	assert_str_eq(a->pubstatus, b->pubstatus);
	assert_int_equal(a->n_tags, b->n_tags);
	for (i = 0; i < a->n_tags; i++) {
		assert_int_equal(a->tags[i].kind, b->tags[i].kind);
		assert_str_eq(a->tags[i].value, b->tags[i].value);
	}
	assert_str_eq(a->source_file, b->source_file);
	assert_int_equal(a->source_line, b->source_line);
}

static void test_round_trip_full(void **state)
{
	dispatch d, e;
	strbuf sb = STRBUF_INIT;

	(void)state;
	full_dispatch(&d);
	assert_int_equal(store_encode(&d, &sb), 0);
	assert_memory_equal(sb.buf, "WR2", 3);
	dispatch_init(&e);
	assert_int_equal(store_decode(sb.buf, sb.len, &e), 0);
	assert_same(&d, &e);
	dispatch_release(&e);
	dispatch_release(&d);
	strbuf_release(&sb);
}

static void test_round_trip_empty(void **state)
{
	dispatch d, e;
	strbuf sb = STRBUF_INIT;

	(void)state;
	dispatch_init(&d);
	assert_int_equal(store_encode(&d, &sb), 0);
	dispatch_init(&e);
	assert_int_equal(store_decode(sb.buf, sb.len, &e), 0);
	assert_same(&d, &e);
	assert_null(e.id);
	assert_null(e.places);
	assert_null(e.paragraphs);
	assert_null(e.tags);
	assert_int_equal(e.first_created, -1);
	assert_int_equal(e.version_created, -1);
	dispatch_release(&e);

	/* Empty (not NULL) strings stay empty strings. */
	d.headline = dup_str("");
	d.id = dup_str("x");
	strbuf_reset(&sb);
	assert_int_equal(store_encode(&d, &sb), 0);
	dispatch_init(&e);
	assert_int_equal(store_decode(sb.buf, sb.len, &e), 0);
	assert_same(&d, &e);
	dispatch_release(&e);
	dispatch_release(&d);
	strbuf_release(&sb);
}

/* Encoding appends; a large body is stored as it is (Xapian compresses
 * document data), with only its field headers and the CRC added. */
static void test_append_and_size(void **state)
{
	dispatch d, e;
	strbuf sb = STRBUF_INIT;
	char *big;
	size_t i;

	(void)state;
	assert_int_equal(strbuf_addstr(&sb, "prefix"), 0);
	full_dispatch(&d);
	big = wire_malloc(200001);
	assert_non_null(big);
	for (i = 0; i < 200000; i++)
		big[i] = "wire dispatch "[i % 14];
	big[200000] = '\0';
	free(d.paragraphs[2]);
	d.paragraphs[2] = big;
	assert_int_equal(store_encode(&d, &sb), 0);
	assert_memory_equal(sb.buf, "prefix", 6);
	assert_true(sb.len > 6 + 200000 && sb.len < 6 + 200000 + 2000);
	dispatch_init(&e);
	assert_int_equal(store_decode(sb.buf + 6, sb.len - 6, &e), 0);
	assert_same(&d, &e);
	dispatch_release(&e);
	dispatch_release(&d);
	strbuf_release(&sb);
}

static void test_truncated_and_flipped(void **state)
{
	dispatch d, e;
	strbuf sb = STRBUF_INIT;
	unsigned char *copy;
	size_t i;
	int bit;

	(void)state;
	full_dispatch(&d);
	assert_int_equal(store_encode(&d, &sb), 0);
	copy = malloc(sb.len);
	assert_non_null(copy);
	for (i = 0; i < sb.len; i++) {
		memcpy(copy, sb.buf, i);
		dispatch_init(&e);
		assert_int_equal(store_decode(copy, i, &e), -1);
		dispatch_release(&e);
	}
	/* Every single bit flip is caught (magic and CRC-32 checked). */
	for (i = 0; i < sb.len; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(copy, sb.buf, sb.len);
			copy[i] ^= (unsigned char)(1u << bit);
			dispatch_init(&e);
			assert_int_equal(store_decode(copy, sb.len, &e), -1);
			dispatch_release(&e);
		}
	/* A byte too many. */
	{
		unsigned char *longer = malloc(sb.len + 1);

		assert_non_null(longer);
		memcpy(longer, sb.buf, sb.len);
		longer[sb.len] = 0;
		dispatch_init(&e);
		assert_int_equal(store_decode(longer, sb.len + 1, &e), -1);
		dispatch_release(&e);
		free(longer);
	}
	assert_int_equal(store_decode(NULL, 0, &e), -1);
	free(copy);
	dispatch_release(&d);
	strbuf_release(&sb);
}

/* "WR1" + varint(LEN) + the zlib stream of RAW (RAWLEN bytes). */
static size_t make_record(unsigned char *out, size_t cap, uint64_t len,
			  const void *raw, size_t rawlen)
{
	size_t n = 3;
	uLongf zlen;

	memcpy(out, "WR1", 3);
	do {
		out[n++] = (unsigned char)((len & 0x7f) | (len > 0x7f ? 0x80 : 0));
		len >>= 7;
	} while (len);
	zlen = (uLongf)(cap - n);
	assert_int_equal(compress2(out + n, &zlen, raw, (uLong)rawlen, 6), Z_OK);
	return n + zlen;
}

static int decode_raw(const void *raw, size_t rawlen, dispatch *e)
{
	unsigned char rec[4096];
	size_t n = make_record(rec, sizeof rec, rawlen, raw, rawlen);

	dispatch_init(e);
	return store_decode(rec, n, e);
}

static void test_hostile(void **state)
{
	unsigned char rec[4096];
	dispatch e;
	size_t n;

	(void)state;
	/* Declared lengths beyond the limit, or absurd for the data. */
	n = make_record(rec, sizeof rec, STORE_MAX_RECORD + 1ull, "\x01\x01x", 3);
	dispatch_init(&e);
	assert_int_equal(store_decode(rec, n, &e), -1);
	n = make_record(rec, sizeof rec, UINT64_MAX, "\x01\x01x", 3);
	assert_int_equal(store_decode(rec, n, &e), -1);
	n = make_record(rec, sizeof rec, 60u << 20, "\x01\x01x", 3);
	assert_int_equal(store_decode(rec, n, &e), -1);
	/* Length says 2, stream gives 3; and the other way round. */
	n = make_record(rec, sizeof rec, 2, "\x01\x01x", 3);
	assert_int_equal(store_decode(rec, n, &e), -1);
	n = make_record(rec, sizeof rec, 4, "\x01\x01x", 3);
	assert_int_equal(store_decode(rec, n, &e), -1);
	/* An overlong varint. */
	memcpy(rec, "WR1\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 14);
	assert_int_equal(store_decode(rec, 14, &e), -1);
	assert_int_equal(store_decode("WR1", 3, &e), -1);
	assert_int_equal(store_decode("WR2\x03xyz", 7, &e), -1);
	dispatch_release(&e);

	/* Unknown tags are skipped. */
	assert_int_equal(decode_raw("\xc8\x03" "abc\x01\x02id\x63\x00", 11, &e),
			 0);
	assert_string_equal(e.id, "id");
	dispatch_release(&e);
	/* A field longer than the record. */
	assert_int_equal(decode_raw("\x01\x05id", 4, &e), -1);
	dispatch_release(&e);
	/* A field length varint cut short. */
	assert_int_equal(decode_raw("\x01\x80", 2, &e), -1);
	dispatch_release(&e);
	/* A NUL inside text. */
	assert_int_equal(decode_raw("\x0a\x03\x61\x00\x62", 5, &e), -1);
	dispatch_release(&e);
	/* Version beyond unsigned. */
	assert_int_equal(decode_raw("\x02\x05\x80\x80\x80\x80\x10", 7, &e),
			 -1);
	dispatch_release(&e);
	/* An integer field with bytes after its varint. */
	assert_int_equal(decode_raw("\x02\x02\x01\x01", 4, &e), -1);
	dispatch_release(&e);
	/* An empty integer field. */
	assert_int_equal(decode_raw("\x10\x00", 2, &e), -1);
	dispatch_release(&e);
	/* Unknown enum values are mapped, not refused. */
	assert_int_equal(decode_raw("\x05\x01\x63\x12\x03\x63zz", 8, &e), 0);
	assert_int_equal(e.date_source, DATE_NONE);
	assert_int_equal(e.n_tags, 1);
	assert_int_equal(e.tags[0].kind, TAG_OTHER);
	assert_string_equal(e.tags[0].value, "zz");
	dispatch_release(&e);
	/* A tag without its kind. */
	assert_int_equal(decode_raw("\x12\x00", 2, &e), -1);
	dispatch_release(&e);
	/* Repeated scalars: the last wins, no leak. */
	assert_int_equal(decode_raw("\x01\x01\x61\x01\x01\x62", 6, &e), 0);
	assert_string_equal(e.id, "b");
	dispatch_release(&e);
	/* Damage after some fields: -1, and what was read can be released. */
	assert_int_equal(decode_raw("\x01\x01\x61\x07\x01\x62\x0d\x09x", 9, &e),
			 -1);
	dispatch_release(&e);
}

/* Decoding appends list items to what D already holds. */
static void test_decode_appends(void **state)
{
	dispatch d, e;
	strbuf sb = STRBUF_INIT;

	(void)state;
	full_dispatch(&d);
	assert_int_equal(store_encode(&d, &sb), 0);
	dispatch_init(&e);
	assert_int_equal(store_decode(sb.buf, sb.len, &e), 0);
	assert_int_equal(store_decode(sb.buf, sb.len, &e), 0);
	assert_int_equal(e.n_places, 4);
	assert_int_equal(e.n_paragraphs, 8);
	assert_int_equal(e.n_tags, 6);
	assert_string_equal(e.places[3], "Islamabad");
	dispatch_release(&e);
	dispatch_release(&d);
	strbuf_release(&sb);
}

static void test_alloc_failures(void **state)
{
	dispatch d, e;
	unsigned long n;
	int done = 0;

	(void)state;
	full_dispatch(&d);
	for (n = 1; !done && n < 1000; n++) {
		strbuf sb = STRBUF_INIT;
		int rc;

		assert_int_equal(strbuf_addstr(&sb, "keep"), 0);
		wire_alloc_fail_at(n, 0);
		rc = store_encode(&d, &sb);
		if (rc == 0) {
			dispatch_init(&e);
			rc = store_decode(sb.buf + 4, sb.len - 4, &e);
			if (rc == 0) {
				wire_alloc_fail_at(0, 0);
				assert_same(&d, &e);
				done = 1;
			}
			dispatch_release(&e);
		} else {
			/* A failed encode leaves the buffer as it was. */
			assert_int_equal(sb.len, 4);
			assert_string_equal(sb.buf, "keep");
		}
		wire_alloc_fail_at(0, 0);
		strbuf_release(&sb);
	}
	assert_true(done);
	assert_true(n > 5);
	dispatch_release(&d);
}


/* Fields the decoder must refuse: integers that are not one varint or do
 * not fit, declared lengths of zero, varints past 64 bits. */
static void test_bad_integers(void **state)
{
	static const struct {
		const char *raw;
		size_t len;
	} bad[] = {
		{ "\x03\x01\x80", 3 },                  /* first_created cut */
		{ "\x04\x01\x80", 3 },                  /* version_created cut */
		{ "\x05\x02\x01\x01", 4 },              /* date_source + byte */
		{ "\x10\x05\x80\x80\x80\x80\x10", 7 },  /* urgency > INT_MAX */
		{ "\x10\x05\xff\xff\xff\xff\x1f", 7 },  /* urgency < INT_MIN */
		{ "\x10\x01\x80", 3 },                  /* urgency cut */
		{ "\x14\x05\x80\x80\x80\x80\x10", 7 },  /* source_line > UINT_MAX */
		{ "\x14\x00", 2 },                      /* source_line empty */
		{ "\x12\x01\x80", 3 },                  /* tag kind cut */
		/* a field length of 10 bytes whose last adds bits past 64 */
		{ "\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 11 },
		/* ... or does not end there */
		{ "\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x81\x00", 12 },
	};
	dispatch e;
	unsigned char rec[64];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (decode_raw(bad[i].raw, bad[i].len, &e) != -1)
			fail_msg("case %zu decoded", i);
		dispatch_release(&e);
	}
	/* The extremes that do fit. */
	assert_int_equal(decode_raw("\x10\x05\xfe\xff\xff\xff\x0f\x14\x05\xff\xff"
				    "\xff\xff\x0f", 14, &e), 0);
	assert_int_equal(e.urgency, INT_MAX);
	assert_int_equal(e.source_line, UINT_MAX);
	dispatch_release(&e);
	assert_int_equal(decode_raw("\x10\x05\xff\xff\xff\xff\x0f", 7, &e), 0);
	assert_int_equal(e.urgency, INT_MIN);
	dispatch_release(&e);
	/* A declared length of 0, and one over 64 bits. */
	dispatch_init(&e);
	memcpy(rec, "WR1\x00\x78\x9c\x03\x00\x00\x00\x00\x01", 12);
	assert_int_equal(store_decode(rec, 12, &e), -1);
	memcpy(rec, "WR1\xff\xff\xff\xff\xff\xff\xff\xff\xff\x81\x01", 14);
	assert_int_equal(store_decode(rec, 14, &e), -1);
	dispatch_release(&e);
}

/* NULL list items and tag values are stored as empty strings. */
static void test_null_items(void **state)
{
	dispatch d, e;
	strbuf sb = STRBUF_INIT;

	(void)state;
	dispatch_init(&d);
	d.places = wire_calloc(1, sizeof *d.places);
	d.n_places = 1;
	d.tags = wire_calloc(1, sizeof *d.tags);
	d.tags[0].kind = TAG_ORG;
	d.n_tags = 1;
	d.urgency = -5;
	assert_int_equal(store_encode(&d, &sb), 0);
	dispatch_init(&e);
	assert_int_equal(store_decode(sb.buf, sb.len, &e), 0);
	assert_int_equal(e.n_places, 1);
	assert_string_equal(e.places[0], "");
	assert_int_equal(e.tags[0].kind, TAG_ORG);
	assert_string_equal(e.tags[0].value, "");
	assert_int_equal(e.urgency, -5);
	dispatch_release(&e);
	dispatch_release(&d);
	strbuf_release(&sb);
}

/* A record over STORE_MAX_RECORD is refused, and OUT left as it was. */
static void test_too_big(void **state)
{
	dispatch d;
	strbuf sb = STRBUF_INIT;
	size_t n = STORE_MAX_RECORD + 1;
	char *big = malloc(n + 1);

	(void)state;
	assert_non_null(big);
	memset(big, 'x', n);
	big[n] = '\0';
	dispatch_init(&d);
	d.headline = big;
	assert_int_equal(store_encode(&d, &sb), -1);
	assert_null(sb.buf);
	assert_int_equal(strbuf_addstr(&sb, "kept"), 0);
	assert_int_equal(store_encode(&d, &sb), -1);
	assert_string_equal(sb.buf, "kept");
	dispatch_release(&d);
	strbuf_release(&sb);
}

/* Allocation failures while encoding, with the id 0..200 bytes long so
 * that the field buffer grows at every field in turn: -1 and OUT as it
 * was (NULL when it was empty), or a record that decodes back. */
static void test_encode_failures_everywhere(void **state)
{
	size_t failures = 0;

	(void)state;
	for (size_t idlen = 0; idlen <= 200; idlen++) {
		dispatch d, e;
		char *id;

		full_dispatch(&d);
		for (size_t i = 0; i < d.n_places; i++)
			d.places[i][1] = '\0';
		for (size_t i = 0; i < d.n_paragraphs; i++)
			if (d.paragraphs[i][0])
				d.paragraphs[i][2] = '\0';
		d.headline[3] = '\0';
		d.dateline[2] = '\0';
		d.tags[1].value[2] = '\0';
		id = wire_malloc(idlen + 1);
		assert_non_null(id);
		memset(id, 'i', idlen);
		id[idlen] = '\0';
		free(d.id);
		d.id = idlen ? id : NULL;
		if (!idlen)
			free(id);
		for (unsigned long n = 1;; n++) {
			strbuf sb = STRBUF_INIT;
			unsigned long made;
			int rc;

			wire_alloc_fail_at(n, 0);
			rc = store_encode(&d, &sb);
			made = wire_alloc_fail_at(0, 0);
			if (rc) {
				failures++;
				assert_int_equal(rc, -1);
				assert_int_equal(sb.len, 0);
				strbuf_release(&sb);
				continue;
			}
			dispatch_init(&e);
			assert_int_equal(store_decode(sb.buf, sb.len, &e), 0);
			assert_same(&d, &e);
			dispatch_release(&e);
			strbuf_release(&sb);
			if (made < n)
				break;
		}
		dispatch_release(&d);
	}
	assert_true(failures > 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_full),
		cmocka_unit_test(test_round_trip_empty),
		cmocka_unit_test(test_append_and_size),
		cmocka_unit_test(test_truncated_and_flipped),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_decode_appends),
		cmocka_unit_test(test_alloc_failures),
		cmocka_unit_test(test_bad_integers),
		cmocka_unit_test(test_null_items),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_encode_failures_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
