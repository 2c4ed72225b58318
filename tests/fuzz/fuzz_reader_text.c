/*
 * fuzz_reader_text.c - libFuzzer target for the plain-text reader.
 *
 *   make FUZZ=1 fuzzers && build-fuzz/fuzz/fuzz_reader_text CORPUS tests/fuzz/reader_text
 *
 * Writes the input to a file (in /dev/shm when there is one: no disk I/O)
 * named like a dated .txt file, reads it with reader_open/next/close
 * (tests/fuzz/reader_fuzz.h), and checks every string of every dispatch is
 * valid UTF-8 without control characters but tab and newline, the id is
 * non-empty and at most ~1 KB, the file holds one dispatch at most, the
 * counts and warnings are sane.  Inputs starting with 1f 8b exercise the
 * gzip path, damaged streams included.
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
#define FUZZ_NAME "efe-2025-04-19-fuzz.txt"
#define FUZZ_ONE_PER_FILE 1

#include "reader_fuzz.h"

static void check_format(const dispatch *d)
{
	/* A plain-text dispatch always has a language (guessed if unsaid). */
	CHECK(d->language);
}
