/*
 * schema.h - the index schema, written down once: term prefixes, value
 * slots and metadata keys.  docs/SCHEMA.md explains the choices; this file
 * is the authority and the only place the strings below may be spelled.
 *
 * Terms come from the shared tokenizer (text.h): lowercase, diacritics
 * stripped.  A case-marked acronym term starts with TEXT_ACRONYM_MARK ('^').
 *
 *   prefix  kind        what
 *   ------  ----------  ---------------------------------------------------
 *   (none)  positional  body words
 *   S       positional  headline words
 *   XD      positional  dateline text (places, date, agency as written)
 *   XB      positional  byline words
 *   XK      positional  slugline words
 *   Q       boolean     unique term of one version: Q<id>#<version>
 *   G       boolean     story (chain) id shared by every version: G<id>
 *   XA      boolean     agency, folded:           XAefe
 *   XP      boolean     dateline place, folded:   XPkabul, XPbuenos aires
 *   XL      boolean     located (NewsML/ninjs), folded
 *   L       boolean     language (ISO 639-1):     Len
 *   Y M D   boolean     year, month, day:         Y2025 M202504 D20250419
 *   XT      boolean     free tag (topic, person, organisation...), folded
 *   XU      boolean     urgency 1-9:              XU3
 *   XC      boolean     the current (newest) version of its story: XC
 *   XW      boolean     every version of a withdrawn (killed) story: XW
 *
 * Ids longer than SCHEMA_MAX_ID_TERM bytes are shortened by schema_id_term()
 * to a prefix plus a hash, so no unique term can exceed Xapian's limit.
 */
#ifndef WIRE_SCHEMA_H
#define WIRE_SCHEMA_H
#include <stdint.h>

#include <stddef.h>

#define PREFIX_BODY ""
#define PREFIX_HEADLINE "S"
#define PREFIX_DATELINE "XD"
#define PREFIX_BYLINE "XB"
#define PREFIX_SLUGLINE "XK"
#define PREFIX_UNIQUE "Q"
#define PREFIX_STORY "G"
#define PREFIX_AGENCY "XA"
#define PREFIX_PLACE "XP"
#define PREFIX_LOCATED "XL"
#define PREFIX_LANGUAGE "L"
#define PREFIX_YEAR "Y"
#define PREFIX_MONTH "M"
#define PREFIX_DAY "D"
#define PREFIX_TAG "XT"
#define PREFIX_URGENCY "XU"
#define TERM_CURRENT "XC"
#define TERM_WITHDRAWN "XW"
#define TERM_VERSIONED "XV"

/* Value slots. Dates are 14-byte UTC text "YYYYMMDDhhmmss", so bytewise
 * order is time order and value ranges need no decoding. */
enum schema_slot {
	SLOT_DATE = 0,       /* version created (falls back to first created) */
	SLOT_STORY = 1,      /* story id: the collapse key */
	SLOT_VERSION = 2,    /* version number, 10 digits zero-padded */
	/* Schema 2 and before: the facets, one slot each. */
	SLOT_AGENCY = 3,     /* agency, display form (facets) */
	SLOT_PLACES = 4,     /* dateline places, display form, joined by 0x1f */
	SLOT_LANGUAGE = 5,   /* ISO 639-1 code (facets) */
	SLOT_MONTH = 6,      /* YYYY-MM (facets: hits per month) */
	SLOT_FIRST_CREATED = 7,
	/* Schema 3 on: the four facets in one value, their fields joined by
	 * SCHEMA_FIELD_SEP in enum schema_facet order (one value to read per
	 * match instead of four). */
	SLOT_FACETS = 8
};

/* The fields of SLOT_FACETS, and the facets counted. */
enum schema_facet {
	FACET_AGENCY = 0,    /* as SLOT_AGENCY */
	FACET_PLACES = 1,    /* as SLOT_PLACES: a list joined by 0x1f */
	FACET_LANGUAGE = 2,  /* as SLOT_LANGUAGE */
	FACET_MONTH = 3,     /* as SLOT_MONTH */
	SCHEMA_FACETS = 4
};

/* Separator of multi-valued value slots. */
#define SCHEMA_LIST_SEP '\x1f'
/* Separator of the fields of SLOT_FACETS. */
#define SCHEMA_FIELD_SEP '\x1e'

/* Positions: each field starts on its own base so no phrase can span two
 * fields even if their prefixes were ever merged. */
#define POS_HEADLINE 1u
#define POS_DATELINE 1u
#define POS_BYLINE 1u
#define POS_SLUGLINE 1u
#define POS_BODY 1u
/* Gap left between paragraphs of the body, so a phrase cannot span them. */
#define POS_PARAGRAPH_GAP 8u

/* Metadata keys. */
#define META_SCHEMA "wire:schema"       /* schema version, "3" */
/* 2: every version of a story with more than one carries TERM_VERSIONED.
 * 3: the facets are in SLOT_FACETS, no longer in slots 3-6.  A database
 * is written to the current schema when it is empty; documents added to
 * a non-empty one follow the schema it has. */
#define META_SCHEMA_NUMBER 3
#define META_LAST_JOB "wire:last-job"   /* summary line of the last job */
#define META_FILE_PREFIX "wire:file:"   /* + path: "size mtime hash" */

/* Longest id kept verbatim in Q and G terms (bytes). */
#define SCHEMA_MAX_ID_TERM 160

/* The 64-bit FNV-1a hash of the LEN bytes at S: the hash of long ids in
 * their terms, fixed forever. */
uint64_t schema_fnv1a(const char *s, size_t len);

/* Write PREFIX followed by ID (shortened to a stable hash form when too
 * long) into OUT, of OUT_SIZE bytes.  Returns the length written, or 0 when
 * OUT_SIZE is too small (it never is for 256 bytes). */
size_t schema_id_term(char *out, size_t out_size, const char *prefix,
		      const char *id);

/* Write the unique term of version VERSION of story ID into OUT (256
 * bytes are always enough).  Returns its length. */
size_t schema_unique_term(char *out, size_t out_size, const char *id,
			  unsigned version);

#endif
