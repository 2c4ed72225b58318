/*
 * fuzz_reader_reuters.c - libFuzzer target for the Reuters-21578 SGML
 * reader.
 *
 *   make FUZZ=1 fuzzers && build-fuzz/fuzz/fuzz_reader_reuters \
 *       -dict=tests/fuzz/reader_reuters.dict CORPUS tests/fuzz/reader_reuters
 *
 * Writes the input to a .sgm file (in /dev/shm when there is one), reads
 * every dispatch with reader_open/next/close and checks each: clean UTF-8
 * strings without control characters, an id "reuters-NEWID", version 1,
 * agency Reuters, language en, a source line; warnings with a line; a
 * failed reader stays failed; the counts add up.  Inputs starting with
 * 1f 8b exercise the gzip path, damaged streams included.
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
#define FUZZ_NAME "fuzz.sgm"

#include "reader_fuzz.h"

static void check_format(const dispatch *d)
{
	CHECK(strncmp(d->id, "reuters-", 8) == 0 && d->id[8]);
	CHECK(d->version == 1);
	CHECK(d->agency && strcmp(d->agency, "Reuters") == 0);
	CHECK(d->language && strcmp(d->language, "en") == 0);
	CHECK(!d->pubstatus && !d->located && d->urgency == 0);
}
