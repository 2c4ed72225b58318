/*
 * document.h - one dispatch becomes one Xapian document, following
 * common/schema.h: positional terms per field, boolean filter terms,
 * values for sorting, collapsing and facets, and the compressed record.
 */
#ifndef WIRE_DOCUMENT_H
#define WIRE_DOCUMENT_H

#include "dispatch.h"
#include "text.h"
#include "xap.h"

#include <stddef.h>

/* Words offered to the spelling table, counted across a batch. */
typedef struct spelling_words spelling_words;

/* A new empty word count, or NULL when out of memory. */
spelling_words *spelling_words_new(void);
/* Add every word of the table to W's spelling table and empty the table.
 * Returns the writer's status. */
xap_status spelling_words_flush(spelling_words *sw, xap_writer *w);
/* Distinct words held. */
size_t spelling_words_count(const spelling_words *sw);
void spelling_words_free(spelling_words *sw);

/* The version number a dispatch is stored under: its own, or 1 when the
 * source gave none. */
unsigned document_version(const dispatch *d);
/* The date a dispatch is filed under: version created, else first
 * created, else -1. */
int64_t document_date(const dispatch *d);

/* Fill the empty document DOC from D: terms, values and data, for a
 * database of SCHEMA (META_SCHEMA: 3, META_SCHEMA_NUMBER, puts the facets
 * in SLOT_FACETS; 2 and before in slots 3-6).  Words of
 * the headline and body are also counted into SW (may be NULL) for the
 * spelling table; tokenizer figures go to STATS (may be NULL).  Returns
 * XAP_OK, XAP_NOMEM, or the status of a failed binding call (message in
 * xap_doc_message(DOC)); XAP_INVALID when Xapian would refuse the
 * document (a term over its limit).  The current/withdrawn marks are not added here:
 * see versions.h. */
xap_status document_build(const dispatch *d, xap_doc *doc, spelling_words *sw,
			  text_stats *stats, int schema);

#endif
