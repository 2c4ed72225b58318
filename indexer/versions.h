/*
 * versions.h - stories and their versions in the index.
 *
 * Every version of a story is kept as its own document (unique term
 * Q<id>#<version>); they share the story term G<id>.  The newest one, by
 * version number then by date, carries TERM_CURRENT.  A kill (pubstatus
 * "canceled") marks every version of the story TERM_WITHDRAWN, and a
 * version arriving after the kill is withdrawn too.
 */
#ifndef WIRE_VERSIONS_H
#define WIRE_VERSIONS_H

#include "dispatch.h"
#include "xap.h"

/* The stories a job has written into a database that was empty when the
 * job opened it.  A story not among them cannot be in that database, so its
 * first version is added without a lookup: what makes a rebuild's
 * partitions cheap to write.  Holds 16 bytes a story at most. */
typedef struct versions_seen versions_seen;
/* A new, empty set, or NULL when out of memory.  Free with
 * versions_seen_free() (NULL is fine). */
versions_seen *versions_seen_new(void);
void versions_seen_free(versions_seen *s);

/* Write DOC, built from D, as its version of the story, moving the current
 * mark and spreading a kill as needed.  SEEN, when not NULL, must have been
 * made when W's database was empty and been passed to every write since.
 * *REPLACED is set to 1 when that version was already indexed (and is now
 * replaced), else 0.  Returns the writer's status (message in
 * xap_writer_message()), or XAP_NOMEM. */
xap_status versions_upsert(xap_writer *w, const dispatch *d, xap_doc *doc,
			   versions_seen *seen, int *replaced);
/* Mark every version of story ID withdrawn; *COUNT gets how many versions
 * the story has (0: no such story, nothing changed). */
xap_status versions_withdraw(xap_writer *w, const char *id, unsigned *count);

/* Delete every version of story ID; *COUNT gets how many there were. */
xap_status versions_delete(xap_writer *w, const char *id, unsigned *count);

#endif
