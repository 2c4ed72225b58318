/*
 * text.h - the one tokenizer, and text hygiene, on utf8proc.
 *
 * The indexer, the query parser and the snippet highlighter all call
 * text_tokenize(), each saying which it is (enum text_mode), so what is
 * indexed, what is asked and what is highlighted can never disagree.
 *
 * Rules (tests/unit/test_text.c has a table row for each):
 *  - Invalid UTF-8 is read as U+FFFD (counted in text_stats), never fatal.
 *  - Words are runs of letters, marks and digits in any script, normalised
 *    with NFKC, case folding and diacritic stripping: "Muttaqī" -> muttaqi,
 *    "Bogotá" -> bogota.  Pure ASCII words take a fast path.
 *  - Curly and straight apostrophes are the same; a trailing 's or s' is a
 *    possessive and is dropped: "Pakistan's" -> pakistan.  An apostrophe
 *    inside a word joins it: "O'Brien" -> obrien.
 *  - Hyphenated words give their parts at consecutive positions and the
 *    joined form at the first part's position (flag TEXT_TOKEN_JOINED):
 *    "Tehreek-e-Taliban" -> tehreek@p e@p+1 taliban@p+2 tehreeketaliban@p.
 *  - Digit groups joined by separators form one number: "84,000" and
 *    "84.000" -> 84000 (groups of exactly three digits after the first);
 *    "3.5" -> 3.5 and "3,5" -> 3.5 (a decimal).
 *  - Acronyms: "T.T.P.", "TTP" -> ttp.  When the lower-case form is an
 *    ordinary word ("US", "U.S.", "WHO", "IT"), a dotted acronym or a word
 *    of two or more letters all upper case also gives the case-marked term
 *    "^us" at the same position (TEXT_TOKEN_ACRONYM) when indexing.  When
 *    querying, such an acronym gives only the marked term, so `US` does
 *    not match the pronoun "us"; `us` gives the plain term and matches
 *    everything.  Other acronyms are plain terms: "TTP" = ttp.
 *  - Terms never exceed TEXT_MAX_TERM bytes: a longer word is cut at a
 *    character boundary and ends with '~' and a hash of the whole word.
 */
#ifndef WIRE_TEXT_H
#define WIRE_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Who is calling the tokenizer. */
enum text_mode {
	TEXT_FOR_INDEX,     /* all terms, including joined and marked forms */
	TEXT_FOR_QUERY,     /* the terms a query word should match */
	TEXT_FOR_HIGHLIGHT  /* as for indexing: every form, with offsets */
};

#define TEXT_ACRONYM_MARK '^'
/* Longest term the tokenizer emits, in bytes, leaving room for a prefix
 * under Xapian's 245-byte limit. */
#define TEXT_MAX_TERM 120

enum text_token_flags {
	TEXT_TOKEN_JOINED = 1 << 0,   /* joined form of a hyphenated word */
	TEXT_TOKEN_PART = 1 << 1,     /* a part of a hyphenated word */
	TEXT_TOKEN_ACRONYM = 1 << 2,  /* case-marked acronym term ("^us") */
	TEXT_TOKEN_NUMBER = 1 << 3,   /* a number ("84000", "3.5") */
	TEXT_TOKEN_CUT = 1 << 4       /* shortened to TEXT_MAX_TERM */
};

typedef struct text_token {
	const char *term;   /* NUL-terminated; borrowed for the callback only */
	size_t len;         /* bytes in term */
	uint32_t position;  /* word position */
	size_t start, end;  /* byte range of the word in the input text */
	uint32_t word;      /* index of the surface word (a hyphenated word's
			       parts and joined form share one) */
	unsigned flags;     /* enum text_token_flags */
} text_token;

typedef struct text_stats {
	size_t invalid_utf8;  /* invalid sequences read as U+FFFD */
	size_t tokens;        /* tokens emitted */
	size_t words;         /* surface words */
} text_stats;

/* Called for each token in text order (a word's forms together).  Return 0
 * to go on, nonzero to stop: text_tokenize() then returns that value. */
typedef int (*text_token_fn)(void *ctx, const text_token *tok);

/* Tokenize LEN bytes of TEXT (no NUL needed; NUL bytes separate words) for
 * MODE, numbering positions from FIRST_POSITION; *NEXT_POSITION (may be
 * NULL) gets the position after the last word.  STATS (may be NULL) is
 * added to.  Returns 0, FN's nonzero value, or -1 when out of memory. */
int text_tokenize(const char *text, size_t len, enum text_mode mode,
		  uint32_t first_position, text_token_fn fn, void *ctx,
		  uint32_t *next_position, text_stats *stats);

/* At least as many as the tokens whose term is one of the N TERMS that
 * text_tokenize() of LEN bytes of TEXT gives, in any mode; 0 only when it
 * certainly gives none, so a caller looking for those terms can skip
 * TEXT, or text that cannot beat a count it has.  Counted without
 * tokenizing for pure ASCII text, where every term is made of consecutive
 * letters and digits of the text, lower-cased, with the separators
 * between them dropped ("U.S." -> us, "84,000" -> 84000): the overlapping
 * occurrences of each term's letters and digits in the text's.  Other
 * text, a shortened term ('~') or no memory to work in give SIZE_MAX. */
size_t text_count_bound(const char *text, size_t len, const char *const *terms,
			size_t n);

/* Normalise one word or name the way the tokenizer does (NFKC, fold,
 * strip diacritics), keeping spaces between words collapsed to one:
 * "Buenos  Aires" -> "buenos aires".  Used for boolean terms such as
 * places and agencies.  Returns a malloc'd string, NULL when out of
 * memory. */
char *text_fold(const char *s, size_t len);

/* A name written all in capitals, as a name: "BUENOS AIRES" -> "Buenos
 * Aires", "CIUDAD DE MÉXICO" -> "Ciudad de México", "ST. LOUIS" -> "St.
 * Louis".  Text with any lowercase letter is returned unchanged, so
 * "dpa" or "New Delhi" stay as written.  Returns a malloc'd string, NULL
 * when out of memory. */
char *text_name_case(const char *s, size_t len);

/* Clean input text for storage: invalid UTF-8 becomes U+FFFD, control
 * characters other than tab and newline are removed (CR LF -> LF), NUL
 * bytes become spaces.  Returns a malloc'd NUL-terminated string (length in
 * *OUT_LEN when not NULL) and adds to *REPAIRED (may be NULL) the number of
 * invalid sequences replaced.  NULL when out of memory. */
char *text_clean(const char *s, size_t len, size_t *out_len, size_t *repaired);

/* Whether LEN bytes at S are valid UTF-8. */
int text_is_utf8(const char *s, size_t len);

/* Length of the longest prefix of S, at most MAX bytes, that does not cut
 * a UTF-8 character in two. */
size_t text_utf8_prefix(const char *s, size_t len, size_t max);

#endif
