/*
 * fuzz_reader_jsonl.c - libFuzzer target for the JSON Lines (ninjs)
 * reader.
 *
 *   make FUZZ=1 fuzzers && build-fuzz/fuzz/fuzz_reader_jsonl \
 *       -dict=tests/fuzz/reader_jsonl.dict CORPUS tests/fuzz/reader_jsonl
 *
 * Writes the input to a .jsonl file (in /dev/shm when there is one), reads
 * every dispatch and checks each: clean UTF-8 strings without control
 * characters, an id of at most 1 KB, a language of 2 or 3 letters, an
 * urgency 0-9, a known pubstatus, dates that agree with date_source;
 * warnings with a line; the counts add up.  Inputs starting with 1f 8b
 * exercise the gzip path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dispatch.h"
#include "reader.h"
#include "text.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define FUZZ_NAME "fuzz.jsonl"

#include "reader_fuzz.h"

static void check_format(const dispatch *d)
{
	CHECK(strlen(d->id) <= 1024);
}
