/*
 * query.h - the query language: a query string becomes a parsed tree
 * (query_parse), then a Xapian query (query_to_xapian), and tells the
 * snippet highlighter what to mark (query_highlights).
 *
 * The language (docs/QUERY.md has the full grammar):
 *   words                 implicit AND (OR with default_or)
 *   a OR b, a AND b, NOT a, a AND NOT b, -a, +a, ( ... )
 *   "exact phrase"        unstemmed, positional
 *   a NEAR/n b            within n words, any order; a ADJ/n b: in order
 *   deport*               trailing wildcard, bounded expansion
 *   headline: body: dateline: byline: slugline:   field-scoped words/phrases
 *   agency: place: located: lang: topic: id: urgency:   exact filters
 *   date:2025-04-19 date:2025-04 date:2025 date:A..B date:..B date:A..
 *   date:today date:yesterday date:7d
 * It never fails on ordinary wire text (U.S., 84,000, Pakistan's,
 * Kabul/Islamabad, Tehreek-e-Taliban, AT&T, a lone '-', unbalanced quotes or
 * parentheses, a stray AND): such input is read as words or a phrase.  Only a
 * real problem is an error (an impossible date, a query over the limits),
 * and the message names the part of the query at fault.
 */
#ifndef WIRE_QUERY_H
#define WIRE_QUERY_H

#include "strbuf.h"
#include "xap.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct synonyms synonyms;

typedef struct query_options {
	int default_or;          /* words are ORed rather than ANDed */
	unsigned max_wildcard;   /* expansion bound of a wildcard (0: 1000) */
	size_t max_length;       /* longest query in bytes (0: 4096) */
	unsigned max_terms;      /* most words/terms in a query (0: 200) */
	unsigned max_depth;      /* deepest parenthesis nesting (0: 32) */
	int64_t now;             /* "today" for relative dates (UTC seconds) */
	int stem;                /* expand plain words by stemming (en, es) */
	double headline_weight;  /* headline matches count this much more (0: 2) */
	const synonyms *syn;     /* acronym/synonym table, or NULL */
} query_options;

/* Default options: AND, stemming on, limits as above, now = time(NULL). */
void query_options_init(query_options *o);

typedef struct query query;

/* Parse TEXT with OPTS.  Returns 0 and a tree in *OUT (caller frees with
 * query_free()), or -1 with a message naming the part at fault in ERR (of
 * ERRLEN bytes) and *OUT NULL.  Out of memory is -1 with "out of memory".
 * An empty query is not an error: it parses to a tree matching nothing
 * (query_is_empty()), or everything when it has only filters. */
int query_parse(const char *text, const query_options *opts, query **out,
		char *err, size_t errlen);

/* Whether the query has nothing to search for (no words, no filters). */
int query_is_empty(const query *q);

/* Whether the query has words that rank documents (not only filters,
 * dates and negations): a query that does not is best shown by date. */
int query_ranks(const query *q);

/* Append the parsed tree in words to OUT, in a stable compact form used by
 * the table tests and --explain, e.g.
 *   AND(WORD(pakistan) PHRASE(durand line) FILTER(agency:efe))
 * Returns 0, or -1 when out of memory. */
int query_describe(const query *q, strbuf *out);

/* Build the Xapian query for Q.  DB (may be NULL) is used to expand stems
 * and wildcards and to look up nothing else; with NULL, words match their
 * exact form only.  Returns 0, or -1 with a message in ERR (a wildcard past
 * its bound names the wildcard). */
int query_to_xapian(query *q, xap_db *db, const query_options *opts,
		    xap_query **out, char *err, size_t errlen);

/* What the snippet highlighter marks: single terms (tokenizer terms, as
 * emitted in TEXT_FOR_HIGHLIGHT mode, including stemmed forms that
 * query_to_xapian() found) and phrases (term sequences, marked only where
 * they occur consecutively).  Terms of NOT branches are not included.
 * Valid until query_free(). */
typedef struct query_phrase {
	const char *const *terms;
	size_t n;
} query_phrase;

typedef struct query_highlight {
	const char *const *terms;
	size_t n_terms;
	const query_phrase *phrases;
	size_t n_phrases;
} query_highlight;

/* Fill *OUT with what to highlight (borrowed from Q).  Returns 0, or -1
 * when out of memory. */
int query_highlights(query *q, query_highlight *out);

/* A "did you mean" for Q: for each plain word with few or no matches in
 * DB, the spelling table's correction when that has many more; the whole
 * query rewritten with the corrections (malloc'd) in *OUT, or NULL when
 * nothing needs correcting.  Diacritics are folded before comparing, so a
 * word is never "corrected" to itself.  Returns 0, or -1 on error. */
int query_suggest(query *q, xap_db *db, char **out);

void query_free(query *q);

/* --------------------------------------------------------------------
 * Synonyms: "TTP = Tehreek-e-Taliban Pakistan" lines (see
 * common/synonyms.txt).  A query word equal to a key expands to each
 * expansion as a phrase; a phrase equal to an expansion expands back to
 * the key.
 */
/* Load the file at PATH.  Returns 0 and the table in *OUT, or -1 with
 * "PATH:LINE: reason" in ERR.  Lines: "KEY = EXPANSION [| EXPANSION...]",
 * '#' comments, blank lines. */
int synonyms_load(const char *path, synonyms **out, char *err, size_t errlen);
/* Add the lines of another file (the user's own) to SYN: new keys, and
 * more expansions for known ones.  Returns 0, or -1 with "PATH:LINE:
 * reason" in ERR (the lines before the faulty one stay added). */
int synonyms_load_more(synonyms *syn, const char *path, char *err,
		       size_t errlen);
/* Free SYN and everything it holds; NULL is a no-op. */
void synonyms_free(synonyms *syn);

/* A table compiled into the program at build time (synonyms-compile
 * writes it as C with synonyms_write_c()), so that a search process does
 * not tokenize the shipped file at each start.  It stands for the file
 * whose bytes have length SIZE and CRC-32 (zlib's crc32()) CRC. */
struct synonyms_compiled_key {
	const char *term;           /* the key as a query term */
	const query_phrase *exps;   /* its expansions, in file order */
	size_t n;
};
struct synonyms_compiled_rev {
	size_t key, exp;     /* the expansion: keys[key].exps[exp] */
	const size_t *keys;  /* indexes in keys[] of the keys it leads to */
	size_t n_keys;
};
typedef struct synonyms_compiled {
	uint32_t crc;
	size_t size;
	const struct synonyms_compiled_key *keys;
	size_t n_keys;
	const struct synonyms_compiled_rev *revs;
	size_t n_revs;
} synonyms_compiled;

/* The table of common/synonyms.txt as it was when the program was built
 * (the generated searcher/synonyms_default.c in the build directory). */
extern const synonyms_compiled synonyms_default_compiled;

/* Load the file at PATH as synonyms_load() does, except that when its
 * bytes are those COMPILED (which may be NULL) was made from, the table
 * is COMPILED's, without reading a line.  Returns 1 when COMPILED was
 * used, 0 when the file was read line by line (the table in *OUT either
 * way, to synonyms_free()), or -1 with "PATH:LINE: reason" in ERR. */
int synonyms_load_prebuilt(const char *path, const synonyms_compiled *compiled,
			   synonyms **out, char *err, size_t errlen);
/* The length and CRC-32 of the file at PATH, read as the loaders read it
 * (what synonyms_load_prebuilt() compares with a compiled table's).
 * Returns 0, or -1 with "PATH: reason" in ERR. */
int synonyms_checksum(const char *path, uint32_t *crc, size_t *size,
		      char *err, size_t errlen);
/* Write SYN to OUT as C source defining "const synonyms_compiled NAME",
 * for the file SOURCE of SIZE bytes and CRC-32 CRC.  Returns 0, or -1 on
 * a write error (OUT's error flag) or an inconsistent table. */
int synonyms_write_c(const synonyms *syn, const char *source, uint32_t crc,
		     size_t size, const char *name, FILE *out);

/* The synonyms file to load: $WIRE_SYNONYMS when set, else DATADIR's
 * synonyms.txt when it is there (an installed program), else the one in
 * the source tree beside a program run from its build directory.  Returns
 * the path in BUF (of SIZE bytes), or NULL when there is none. */
const char *synonyms_default_path(const char *datadir, char *buf, size_t size);
/* For the query parser.  The expansions of TERM, a key as the tokenizer
 * gives it in TEXT_FOR_QUERY mode ("ttp", "^us"), each a sequence of
 * query terms: their number, and the array in *OUT (borrowed from SYN, valid
 * until the next load into SYN or its free; 0 and NULL when TERM is no
 * key). */
size_t synonyms_expansions(const synonyms *syn, const char *term,
			   const query_phrase **out);
/* The keys (query terms) having the N TERMS as an expansion: their
 * number, and the array in *OUT (borrowed as above). */
size_t synonyms_keys(const synonyms *syn, const char *const *terms, size_t n,
		     const char *const **out);

#endif
