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

/* Write DOC, built from D, as its version of the story, moving the current
 * mark and spreading a kill as needed.  *REPLACED is set to 1 when that
 * version was already indexed (and is now replaced), else 0.  Returns the
 * writer's status (message in xap_writer_message()). */
xap_status versions_upsert(xap_writer *w, const dispatch *d, xap_doc *doc,
			   int *replaced);

/* Mark every version of story ID withdrawn; *COUNT gets how many versions
 * the story has (0: no such story, nothing changed). */
xap_status versions_withdraw(xap_writer *w, const char *id, unsigned *count);

/* Delete every version of story ID; *COUNT gets how many there were. */
xap_status versions_delete(xap_writer *w, const char *id, unsigned *count);

#endif
