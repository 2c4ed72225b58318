/*
 * test_schema.c - id terms: short ids verbatim, long ones cut at a
 * character boundary plus a fixed hash, unique terms always under
 * Xapian's 245-byte limit.
 */
#include "schema.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static void test_short_ids(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(schema_id_term(out, sizeof out, PREFIX_STORY, "efe/x"),
			 6);
	assert_string_equal(out, "Gefe/x");
	assert_int_equal(schema_id_term(out, sizeof out, "", "abc"), 3);
	assert_string_equal(out, "abc");
	assert_int_equal(schema_id_term(out, sizeof out, NULL, "abc"), 3);
	assert_int_equal(schema_id_term(out, sizeof out, PREFIX_STORY, ""), 1);
	assert_string_equal(out, "G");
	assert_int_equal(schema_id_term(out, sizeof out, PREFIX_STORY, NULL),
			 0);
	assert_string_equal(out, "");
}

static void test_long_ids(void **state)
{
	char id[1024], out[256], out2[256];
	size_t n;

	(void)state;
	/* SCHEMA_MAX_ID_TERM bytes: kept; one more: hashed. */
	memset(id, 'a', SCHEMA_MAX_ID_TERM);
	id[SCHEMA_MAX_ID_TERM] = '\0';
	assert_int_equal(schema_id_term(out, sizeof out, "Q", id),
			 SCHEMA_MAX_ID_TERM + 1);
	assert_memory_equal(out + 1, id, SCHEMA_MAX_ID_TERM);
	id[SCHEMA_MAX_ID_TERM] = 'a';
	id[SCHEMA_MAX_ID_TERM + 1] = '\0';
	n = schema_id_term(out, sizeof out, "Q", id);
	assert_int_equal(n, 1 + 100 + 1 + 16);
	assert_int_equal(strlen(out), n);
	assert_int_equal(out[101], '~');

	/* The hash is FNV-1a 64 of the whole id, fixed forever. */
	snprintf(id, sizeof id, "reuters/%0200d", 0);
	memset(id + 8, 'x', 200);
	n = schema_id_term(out, sizeof out, "G", id);
	assert_string_equal(out + 1 + 100, "~215b3f4dad574e7c");
	assert_memory_equal(out + 1, id, 100);

	/* Ids differing only after the cut differ in the hash. */
	id[150] = 'y';
	assert_int_equal(schema_id_term(out2, sizeof out2, "G", id), n);
	assert_memory_equal(out, out2, 101);
	assert_string_not_equal(out, out2);
	/* ... and the same id always gives the same term. */
	assert_int_equal(schema_id_term(out, sizeof out, "G", id), n);
	assert_string_equal(out, out2);
}

static void test_utf8_boundary(void **state)
{
	char id[512], out[256];
	size_t i, n;

	(void)state;
	/* 100 x "é" (2 bytes): 100 bytes is a boundary; with a leading 'x'
	 * the cut at 100 falls inside a character and backs off one. */
	for (i = 0; i < 100; i++)
		memcpy(id + 2 * i, "\xc3\xa9", 2);
	id[200] = '\0';
	n = schema_id_term(out, sizeof out, "", id);
	assert_int_equal(n, 100 + 17);
	assert_string_equal(out + 100, "~b1c912a8e533f4b5");
	id[0] = 'x';
	id[1] = '\0';
	for (i = 0; i < 100; i++)
		memcpy(id + 1 + 2 * i, "\xc3\xa9", 2);
	id[201] = '\0';
	n = schema_id_term(out, sizeof out, "", id);
	assert_int_equal(n, 99 + 17);
	assert_int_equal(out[99], '~');
	/* 4-byte characters. */
	for (i = 0; i < 60; i++)
		memcpy(id + 1 + 4 * i, "\xf0\x9f\x93\xb0", 4);
	id[241] = '\0';
	n = schema_id_term(out, sizeof out, "", id);
	assert_int_equal(n, 97 + 17);
}

static void test_small_buffer(void **state)
{
	char out[8], big[300];

	(void)state;
	assert_int_equal(schema_id_term(out, sizeof out, "G", "1234567"), 0);
	assert_string_equal(out, "");
	assert_int_equal(schema_id_term(out, sizeof out, "G", "123456"), 7);
	assert_int_equal(schema_id_term(out, 0, "G", "1"), 0);
	assert_int_equal(schema_unique_term(out, sizeof out, "12345", 7), 0);
	assert_int_equal(schema_unique_term(out, sizeof out, "1234", 7), 7);
	assert_string_equal(out, "Q1234#7");
	memset(big, 'b', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(schema_id_term(out, sizeof out, "G", big), 0);
}

static void test_unique_term(void **state)
{
	char out[256], id[2048];
	size_t n;

	(void)state;
	n = schema_unique_term(out, sizeof out, "efe/x", 3);
	assert_string_equal(out, "Qefe/x#3");
	assert_int_equal(n, 8);
	/* Version 0 (none given) is the first version. */
	schema_unique_term(out, sizeof out, "efe/x", 0);
	assert_string_equal(out, "Qefe/x#1");
	schema_unique_term(out, sizeof out, "efe/x", 4294967295u);
	assert_string_equal(out, "Qefe/x#4294967295");
	/* The longest possible term stays under Xapian's limit. */
	memset(id, 'z', sizeof id - 1);
	id[sizeof id - 1] = '\0';
	n = schema_unique_term(out, sizeof out, id, 4294967295u);
	assert_true(n < 245);
	assert_int_equal(strlen(out), n);
	memset(id, 'z', SCHEMA_MAX_ID_TERM);
	id[SCHEMA_MAX_ID_TERM] = '\0';
	n = schema_unique_term(out, sizeof out, id, 4294967295u);
	assert_true(n < 245);
	assert_int_equal(n, 1 + SCHEMA_MAX_ID_TERM + 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_ids),
		cmocka_unit_test(test_long_ids),
		cmocka_unit_test(test_utf8_boundary),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_unique_term),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
