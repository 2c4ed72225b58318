/*
 * synonyms_compile.c - the build step that compiles a synonyms file into
 * the programs (query.h: synonyms_compiled).
 *
 *   synonyms-compile FILE NAME OUT.c
 *
 * reads FILE with the searcher's own loader and tokenizer and writes C
 * source defining "const synonyms_compiled NAME" to OUT.c (through a
 * temporary file renamed into place, so a failed run leaves no half
 * file for make to take as done).  Exit status 0, or 1 with a message
 * naming the file and line.
 */
#include "query.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	char err[512], tmp[4096];
	synonyms *syn = NULL;
	uint32_t crc;
	size_t size;
	FILE *out;
	int bad;

	if (argc != 4) {
		fprintf(stderr, "usage: synonyms-compile FILE NAME OUT.c\n");
		return 1;
	}
	if (synonyms_load(argv[1], &syn, err, sizeof err)) {
		fprintf(stderr, "synonyms-compile: %s\n", err);
		return 1;
	}
	if (synonyms_checksum(argv[1], &crc, &size, err, sizeof err)) {
		fprintf(stderr, "synonyms-compile: %s\n", err);
		synonyms_free(syn);
		return 1;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[3]);
	if (!(out = fopen(tmp, "w"))) {
		fprintf(stderr, "synonyms-compile: %s: %s\n", tmp, strerror(errno));
		synonyms_free(syn);
		return 1;
	}
	bad = synonyms_write_c(syn, argv[1], crc, size, argv[2], out);
	bad |= fclose(out) != 0;
	synonyms_free(syn);
	if (bad || rename(tmp, argv[3])) {
		fprintf(stderr, "synonyms-compile: cannot write %s\n", argv[3]);
		remove(tmp);
		return 1;
	}
	return 0;
}
