/*
 * fuzz_dateline.c - libFuzzer target for dateline_parse() and
 * dispatch_set_body().
 *
 *   clang -fsanitize=fuzzer,address,undefined ... tests/fuzz/fuzz_dateline.c
 *   ./fuzz_dateline -dict=tests/fuzz/dateline.dict CORPUS tests/fuzz/dateline
 *
 * Checks that every range dateline_parse() gives lies inside the input and
 * its numbers are in range, and that every string of the dispatch built
 * from the input is valid UTF-8 without control characters but tab and
 * newline, with no empty paragraph.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void check_range(size_t start, size_t len, size_t size)
{
	CHECK(start <= size && len <= size - start);
}

static void check_string(const char *s)
{
	size_t n, i;

	if (!s)
		return;
	n = strlen(s);
	CHECK(text_is_utf8(s, n));
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		CHECK(c >= 0x20 || c == '\t' || c == '\n');
		CHECK(c != 0x7f);
	}
}

static void check_nonempty(const char *s)
{
	CHECK(s && *s);
	check_string(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	dateline dl;
	dispatch d;
	size_t i;
	char *h;

	if (dateline_parse(s, size, &dl)) {
		CHECK(dl.length <= size);
		CHECK(dl.text_len <= dl.length);
		CHECK(dl.n_places <= DATELINE_MAX_PLACES);
		for (i = 0; i < dl.n_places; i++) {
			check_range(dl.places[i].start, dl.places[i].len,
				    dl.text_len);
			CHECK(dl.places[i].len > 0);
		}
		check_range(dl.qualifier_start, dl.qualifier_len, dl.text_len);
		check_range(dl.agency_start, dl.agency_len, dl.text_len);
		CHECK(dl.n_places > 0 || dl.agency_len > 0);
		CHECK(dl.month >= 0 && dl.month <= 12);
		CHECK(dl.day >= 0 && dl.day <= 31);
		CHECK((dl.month == 0) == (dl.day == 0));
	} else {
		CHECK(dl.length == 0 && dl.n_places == 0 && dl.month == 0);
	}

	dispatch_init(&d);
	if (dispatch_set_body(&d, s, size, 2025) == 0) {
		check_string(d.agency);
		check_string(d.dateline);
		check_string(d.signoff);
		for (i = 0; i < d.n_places; i++)
			check_nonempty(d.places[i]);
		for (i = 0; i < d.n_paragraphs; i++)
			check_nonempty(d.paragraphs[i]);
		CHECK(d.version_created == -1 ||
		      d.date_source == DATE_DATELINE);
		h = dispatch_display_headline(&d);
		check_string(h);
		if (h)
			CHECK(strlen(h) <= 200 + 3);
		free(h);
	}
	dispatch_release(&d);
	return 0;
}
