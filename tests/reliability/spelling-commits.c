/*
 * spelling-commits.c - the spelling table under many small commits, with
 * nothing of wiresearch but the bindings (tests/e2e/069).
 *
 *   spelling-commits DB COMMITS WORDS_PER_COMMIT
 *
 * Adds distinct words ("bazq", "cazq", ... : every one ends in "zq", so
 * they share spelling fragments, as wire words like item1, item2... do)
 * to the spelling table of a new database at DB, committing after every
 * WORDS_PER_COMMIT words.  Prints "words N commits C" and exits 0 when all
 * commits succeed, or prints the failure and exits 2.  With Xapian 1.4.22
 * about 1,600 words one to three a commit are enough to corrupt the table
 * ("DatabaseCorruptError: Too few chunks of compressed data").
 */
#include "xap.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	xap_writer *w;
	xap_status st;
	long commits, per, words = 0, c;

	if (argc != 4) {
		fprintf(stderr, "usage: spelling-commits DB COMMITS WORDS_PER_COMMIT\n");
		return 2;
	}
	commits = strtol(argv[2], NULL, 10);
	per = strtol(argv[3], NULL, 10);
	w = xap_writer_new();
	if (!w || (st = xap_writer_open(w, argv[1], XAP_WRITER_CREATE)) != XAP_OK) {
		fprintf(stderr, "spelling-commits: %s: %s\n", argv[1], w ? xap_writer_message(w) : "no memory");
		xap_writer_free(w);
		return 2;
	}
	for (c = 1; c <= commits; c++) {
		for (long i = 0; i < per; i++) {
			char word[32];
			size_t n = 0;
			long k = ++words;

			do {
				word[n++] = (char)('a' + k % 26);
				k /= 26;
			} while (k && n < sizeof(word) - 3);
			word[n++] = 'z';
			word[n++] = 'q';
			word[n] = '\0';
			if ((st = xap_writer_add_spelling(w, word, 1)) != XAP_OK)
				break;
		}
		if (st == XAP_OK)
			st = xap_writer_commit(w);
		if (st != XAP_OK) {
			printf("words %ld commits %ld failed: %s\n", words, c - 1, xap_writer_message(w));
			xap_writer_free(w);
			return 2;
		}
	}
	st = xap_writer_close(w);
	printf("words %ld commits %ld%s%s\n", words, commits, st == XAP_OK ? "" : " close failed: ",
	       st == XAP_OK ? "" : xap_writer_message(w));
	xap_writer_free(w);
	return st == XAP_OK ? 0 : 2;
}
