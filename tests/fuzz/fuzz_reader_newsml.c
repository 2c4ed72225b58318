/*
 * fuzz_reader_newsml.c - libFuzzer target for the NewsML-G2 reader
 * (libxml2 underneath).
 *
 *   make FUZZ=1 fuzzers && build-fuzz/fuzz/fuzz_reader_newsml \
 *       -dict=tests/fuzz/reader_newsml.dict CORPUS tests/fuzz/reader_newsml
 *
 * Writes the input to a .xml file (in /dev/shm when there is one), reads
 * every dispatch and checks each: clean UTF-8 strings without control
 * characters, an id of at most 1 KB, a language of 2 or 3 letters, an
 * urgency 0-9, a known pubstatus; warnings and errors naming the file; the
 * counts add up.  Malformed XML must end as an error, never a crash or a
 * leak; entity expansion must stay off.
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
#define FUZZ_NAME "fuzz.xml"

#include "reader_fuzz.h"

static void check_format(const dispatch *d)
{
	CHECK(strlen(d->id) <= 1024);
}
