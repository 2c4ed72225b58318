/*
 * probe.c - the per-batch oracle of the crash tests (tests/e2e/060, 061).
 *
 *   probe DB MANIFEST
 *
 * MANIFEST lists the corpus, one dispatch a line: "ID<TAB>FILE", FILE being
 * the absolute path of the file holding it (a file may hold many).  The
 * indexer writes a file's "seen" record (metadata wire:file:PATH) in the
 * batch transaction holding the file's last dispatch, so the seen records
 * are the index's own ack log of committed batches.  The probe asks, for
 * every dispatch, whether its story is in the index (term G<id>) and, for
 * every file, whether it is recorded as done, and prints one line:
 *
 *   docs D files F recorded R lost L unrecorded U dup Z doccount C
 *
 * D dispatches of the manifest are indexed, F files, R of them recorded as
 * done; L files are recorded as done but miss dispatches (they would never
 * be read again: lost data); U files have every dispatch indexed but are
 * not recorded (their record did not land with their last dispatch); Z
 * stories are indexed more than once; C is the index's document count.
 * Exit 0 when the index could be read, 2 otherwise.
 */
#include "schema.h"
#include "xap.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	unsigned long docs = 0, files = 0, recorded = 0, lost = 0,
		      unrecorded = 0, dup = 0, in_file = 0, present = 0;
	char line[8192], file[PATH_MAX] = "";
	xap_db *db;
	xap_status st;
	uint32_t doccount = 0;
	FILE *m;
	int rc = 0, more = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: probe DB MANIFEST\n");
		return 2;
	}
	m = fopen(argv[2], "r");
	if (!m) {
		perror(argv[2]);
		return 2;
	}
	db = xap_db_new();
	if (!db || (st = xap_db_add(db, argv[1])) != XAP_OK ||
	    (st = xap_db_doccount(db, &doccount)) != XAP_OK) {
		fprintf(stderr, "probe: %s: %s\n", argv[1], db ? xap_db_message(db) : "no memory");
		xap_db_free(db);
		fclose(m);
		return 2;
	}
	while (more) {
		char *tab = NULL, term[512];
		uint32_t freq = 0;

		more = fgets(line, sizeof(line), m) != NULL;
		if (more) {
			line[strcspn(line, "\n")] = '\0';
			tab = strchr(line, '\t');
			if (!tab)
				continue;
			*tab++ = '\0';
		}
		/* A new file (or the end): settle the one before. */
		if (file[0] && (!more || strcmp(tab, file) != 0)) {
			char key[PATH_MAX + 32], *meta = NULL;
			size_t len = 0;

			snprintf(key, sizeof(key), META_FILE_PREFIX "%s", file);
			if ((st = xap_db_get_metadata(db, key, &meta, &len)) != XAP_OK) {
				fprintf(stderr, "probe: %s: %s\n", argv[1], xap_db_message(db));
				rc = 2;
				break;
			}
			files++;
			if (meta) {
				recorded++;
				if (present < in_file)
					lost++;
			} else if (present == in_file) {
				unrecorded++;
			}
			free(meta);
			in_file = present = 0;
		}
		if (!more)
			break;
		snprintf(file, sizeof(file), "%s", tab);
		schema_id_term(term, sizeof(term), PREFIX_STORY, line);
		if ((st = xap_db_termfreq(db, term, &freq)) != XAP_OK) {
			fprintf(stderr, "probe: %s: %s\n", argv[1], xap_db_message(db));
			rc = 2;
			break;
		}
		in_file++;
		if (freq > 0) {
			present++;
			docs++;
		}
		if (freq > 1)
			dup++;
	}
	if (!rc)
		printf("docs %lu files %lu recorded %lu lost %lu unrecorded %lu dup %lu doccount %u\n",
		       docs, files, recorded, lost, unrecorded, dup, doccount);
	xap_db_free(db);
	fclose(m);
	return rc;
}
