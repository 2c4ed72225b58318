/*
 * text.c - the one tokenizer, and text hygiene (rules in text.h).
 *
 * Scanning has three layers:
 *  - code points are decoded here (decode()), not by utf8proc_map(), which
 *    fails a whole string on one bad byte: an ill-formed sequence is one
 *    U+FFFD, a separator;
 *  - a "chunk" is a run of word runs (letters, marks, digits) glued by single
 *    joiners (apostrophe, hyphen, '.', ','), gathered into an atom array so
 *    the rules below can look ahead freely;
 *  - a chunk is parsed into compounds (parts joined by hyphens), each part
 *    being a dotted acronym, a number or a word (apostrophes inside joined).
 *    A joiner no rule takes is a separator.
 *
 * Folding is NFKC + case folding + mark stripping with utf8proc, done in a
 * buffer owned by the tokenizer (utf8proc_decompose_custom() then
 * utf8proc_reencode(), what utf8proc_map() does, minus its malloc per
 * call); pure ASCII words skip it and are lower-cased byte by byte, which is
 * what the slow path gives for [A-Za-z0-9].
 */
#include "text.h"

#include "alloc.h"
#include "strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#define FOLD_OPTIONS                                                     \
	((utf8proc_option_t)(UTF8PROC_STABLE | UTF8PROC_COMPAT |           \
			     UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |        \
			     UTF8PROC_STRIPMARK | UTF8PROC_IGNORE))

/* A cut term keeps at most this many bytes of the word, then '~' and 8 hex
 * digits: 119 bytes at most. */
#define CUT_KEEP 110

/* Classes of code points. */
enum cls {
	C_SEP,     /* separates words */
	C_WORD,    /* letter, mark or digit */
	C_APOS,    /* ' U+2018 U+2019 U+02BC */
	C_HYPHEN,  /* - U+2010 U+2011 */
	C_DOT,     /* . */
	C_COMMA,   /* , */
	C_IGN      /* invisible inside a word: soft hyphen, ZWNJ, ZWJ, WJ */
};

/* What a word code point is, for the acronym and number rules. */
enum { K_LETTER = 1, K_UPPER = 2, K_MARK = 4, K_DIGIT = 8 };

enum { ACRO_NONE, ACRO_CAPS, ACRO_DOTTED };

/* A word run, or one joiner character, of a chunk. */
struct atom {
	size_t start, end;         /* bytes in the input */
	size_t nletters, nupper, nmarks, ndigits;
	int32_t first, second, last;  /* code points, ignorables skipped */
	unsigned char type;        /* C_WORD for a run, else the joiner */
	unsigned char ascii;       /* the run's bytes are all ASCII */
	unsigned char digits;      /* the run's bytes are all ASCII digits */
};

/* One part of a compound (or a whole simple word). */
struct part {
	size_t start, end;  /* surface bytes, with a dropped possessive */
	size_t off, len;    /* folded term in tok.terms */
	unsigned flags;     /* TEXT_TOKEN_NUMBER */
	int acro;           /* ACRO_* */
};

struct tok {
	const unsigned char *s;
	size_t len;
	enum text_mode mode;
	text_token_fn fn;
	void *ctx;
	uint32_t pos;    /* next free position */
	uint32_t word;   /* next surface word index */
	size_t invalid, tokens, words;

	struct atom *atoms;
	size_t natoms, acap;
	size_t nogroup_end;  /* digit runs before this atom are not grouped */
	struct part *parts;
	size_t nparts, pcap;

	strbuf terms;  /* the parts' folded terms, each NUL-terminated */
	strbuf raw;    /* a word's bytes without its apostrophes */
	strbuf out;    /* marked and joined terms */
	utf8proc_int32_t *cps;  /* utf8proc's work buffer */
	size_t cpcap;
	char cut[TEXT_MAX_TERM + 1];
};

/* Ordinary words that, in capitals in a query, are taken as an acronym
 * ("US", "WHO", "IT"); folded forms, English and Spanish ("más" -> "mas"),
 * in byte order for bsearch(). */
static const char *const common_words[] = {
	"a", "about", "after", "al", "all", "also", "am", "an", "and", "ante",
	"any", "are", "as", "at", "bajo", "be", "been", "but", "by", "can",
	"como", "con", "contra", "could", "cual", "cuando", "de", "del", "desde",
	"did", "do", "does", "donde", "dos", "down", "durante", "e", "each", "el",
	"ella", "ellos", "en", "entre", "era", "es", "esa", "ese", "eso", "esta",
	"este", "esto", "for", "from", "fue", "go", "ha", "had", "han", "has",
	"hasta", "have", "hay", "he", "her", "here", "him", "his", "how", "i",
	"if", "in", "into", "is", "it", "its", "just", "la", "las", "le", "les",
	"lo", "los", "mas", "may", "me", "mi", "more", "most", "muy", "my", "new",
	"ni", "no", "nor", "nos", "not", "now", "o", "of", "off", "oh", "ok",
	"on", "one", "only", "or", "our", "out", "over", "para", "pero", "por",
	"que", "quien", "said", "says", "se", "see", "ser", "she", "si", "sin",
	"so", "sobre", "some", "son", "su", "such", "sus", "tambien", "te",
	"than", "that", "the", "their", "them", "then", "there", "these", "they",
	"this", "those", "to", "too", "tras", "tu", "two", "u", "un", "una",
	"unas", "uno", "unos", "up", "us", "very", "was", "way", "we", "well",
	"were", "what", "when", "where", "which", "while", "who", "why", "will",
	"with", "would", "y", "ya", "yes", "yet", "yo", "you", "your"
};

struct word_key {
	const char *w;
	size_t len;
};

static int word_cmp(const void *key, const void *entry)
{
	const struct word_key *k = key;
	const char *e = *(const char *const *)entry;
	int r = strncmp(k->w, e, k->len);

	return r ? r : -(e[k->len] != '\0');
}

static int is_common_word(const char *w, size_t len)
{
	struct word_key k = { w, len };

	return bsearch(&k, common_words, sizeof common_words / sizeof common_words[0],
		       sizeof common_words[0], word_cmp) != NULL;
}

/* Decode one code point at S (N > 0 bytes).  Returns its length; *CP is -1
 * for an ill-formed sequence, whose length is then that of its maximal
 * subpart (Unicode ch. 3, "U+FFFD substitution of maximal subparts"): "\xE2\x82x"
 * is one U+FFFD and an 'x'. */
static size_t decode(const unsigned char *s, size_t n, int32_t *cp)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;
	size_t need, i;
	int32_t v;

	if (c < 0x80) {
		*cp = (int32_t)c;
		return 1;
	}
	if (c < 0xC2 || c > 0xF4) {
		*cp = -1;
		return 1;
	}
	if (c < 0xE0) {
		need = 1;
		v = (int32_t)(c & 0x1F);
	} else if (c < 0xF0) {
		need = 2;
		v = (int32_t)(c & 0x0F);
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;  /* no surrogates */
	} else {
		need = 3;
		v = (int32_t)(c & 0x07);
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;  /* nothing above U+10FFFF */
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*cp = -1;
			return i;
		}
		v = (v << 6) | (int32_t)(s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return need + 1;
}

static enum cls classify_ascii(unsigned c, unsigned *kind)
{
	if ((c | 0x20) - 'a' < 26) {
		*kind = c < 'a' ? K_LETTER | K_UPPER : K_LETTER;
		return C_WORD;
	}
	if (c - '0' < 10) {
		*kind = K_DIGIT;
		return C_WORD;
	}
	*kind = 0;
	switch (c) {
	case '\'':
		return C_APOS;
	case '-':
		return C_HYPHEN;
	case '.':
		return C_DOT;
	case ',':
		return C_COMMA;
	default:
		return C_SEP;
	}
}

static enum cls classify(int32_t cp, unsigned *kind)
{
	*kind = 0;
	if (cp < 0)
		return C_SEP;
	if (cp < 0x80)
		return classify_ascii((unsigned)cp, kind);
	switch (cp) {
	case 0x2018:
	case 0x2019:
	case 0x02BC:  /* a letter (Lm) for Unicode, an apostrophe for us */
		return C_APOS;
	case 0x2010:
	case 0x2011:
		return C_HYPHEN;
	case 0x00AD:
	case 0x200C:
	case 0x200D:
	case 0x2060:
		return C_IGN;
	default:
		break;
	}
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU:
		*kind = K_LETTER | K_UPPER;
		return C_WORD;
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
		*kind = K_LETTER;
		return C_WORD;
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
		*kind = K_MARK;
		return C_WORD;
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		*kind = K_DIGIT;
		return C_WORD;
	default:
		return C_SEP;
	}
}

/* Class of the code point at byte POS of S (LEN bytes); *N gets its
 * length, *INVALID whether it was ill-formed. */
static enum cls class_at(const unsigned char *s, size_t len, size_t pos,
			 size_t *n, int *invalid)
{
	unsigned kind;
	int32_t cp;

	if (s[pos] < 0x80) {
		*n = 1;
		*invalid = 0;
		return classify_ascii(s[pos], &kind);
	}
	*n = decode(s + pos, len - pos, &cp);
	*invalid = cp < 0;
	return classify(cp, &kind);
}

/* Scan the word run starting at POS (a word character) into A, which the
 * caller zeroed.  Ignorables are part of it only between word characters. */
static void scan_run(const unsigned char *s, size_t len, size_t pos,
		     struct atom *a)
{
	size_t p = pos, q, n, upper, lower, digit;
	int ign = 0;
	unsigned kind;
	enum cls cl;
	int32_t cp;

	a->type = C_WORD;
	a->start = a->end = pos;
	a->first = a->second = a->last = -1;
	a->ascii = 1;
	for (;;) {
		/* ASCII letters and digits: the bulk of wire copy */
		q = p;
		upper = lower = digit = 0;
		for (; q < len; q++) {
			unsigned c = s[q];

			if (c - 'a' < 26)
				lower++;
			else if (c - 'A' < 26)
				upper++;
			else if (c - '0' < 10)
				digit++;
			else
				break;
		}
		if (q > p) {
			if (ign)
				a->ascii = 0;
			a->nletters += upper + lower;
			a->nupper += upper;
			a->ndigits += digit;
			if (a->first < 0) {
				a->first = s[p];
				if (q - p > 1)
					a->second = s[p + 1];
			} else if (a->second < 0) {
				a->second = s[p];
			}
			a->last = s[q - 1];
			a->end = p = q;
		}
		if (p >= len || s[p] < 0x80)
			break;
		n = decode(s + p, len - p, &cp);
		cl = classify(cp, &kind);
		if (cl == C_IGN) {
			ign = 1;
			p += n;
			continue;
		}
		if (cl != C_WORD)
			break;
		a->ascii = 0;
		if (kind & K_LETTER)
			a->nletters++;
		if (kind & K_UPPER)
			a->nupper++;
		if (kind & K_MARK)
			a->nmarks++;
		if (kind & K_DIGIT)
			a->ndigits++;
		if (a->first < 0)
			a->first = cp;
		else if (a->second < 0)
			a->second = cp;
		a->last = cp;
		p += n;
		a->end = p;
	}
	/* an ASCII run holds letters and digits only */
	a->digits = a->ascii && !a->nletters;
}

static struct atom *push_atom(struct tok *t)
{
	void *p = t->atoms;

	if (t->natoms == t->acap) {
		if (wire_grow(&p, &t->acap, t->natoms + 1, sizeof *t->atoms))
			return NULL;
		t->atoms = p;
	}
	memset(&t->atoms[t->natoms], 0, sizeof *t->atoms);
	return &t->atoms[t->natoms++];
}

/* Gather the chunk starting at POS (a word character) into t->atoms; *END
 * gets the byte after it.  Joiners are single characters, or "." then "-"
 * or "'" ("U.S.-led", "U.S.'s"); one joiner not followed by a word ends a
 * chunk ("U.S.", "countries'"). */
static int build_chunk(struct tok *t, size_t pos, size_t *end)
{
	const unsigned char *s = t->s;
	size_t len = t->len, n1, n2, n3;
	struct atom *a;
	enum cls c1, c2;
	int bad;

	t->natoms = 0;
	for (;;) {
		if (!(a = push_atom(t)))
			return -1;
		scan_run(s, len, pos, a);
		pos = a->end;
		if (pos >= len)
			break;
		c1 = class_at(s, len, pos, &n1, &bad);
		if (c1 != C_APOS && c1 != C_HYPHEN && c1 != C_DOT &&
		    c1 != C_COMMA)
			break;
		if (!(a = push_atom(t)))
			return -1;
		a->type = (unsigned char)c1;
		a->start = pos;
		a->end = pos + n1;
		pos += n1;
		if (pos >= len)
			break;
		c2 = class_at(s, len, pos, &n2, &bad);
		if (c2 == C_WORD)
			continue;
		if (c1 == C_DOT && (c2 == C_HYPHEN || c2 == C_APOS) &&
		    pos + n2 < len &&
		    class_at(s, len, pos + n2, &n3, &bad) == C_WORD) {
			if (!(a = push_atom(t)))
				return -1;
			a->type = (unsigned char)c2;
			a->start = pos;
			a->end = pos + n2;
			pos += n2;
			continue;
		}
		break;
	}
	*end = pos;
	return 0;
}

/* Append the folded form of N bytes at S (word characters and ignorables
 * only) to OUT. */
static int fold_slow(struct tok *t, const unsigned char *s, size_t n,
		     strbuf *out)
{
	utf8proc_ssize_t r, i, m;
	void *p = t->cps;

	/* one code point per byte is enough but for a few decompositions */
	if (wire_grow(&p, &t->cpcap, n + 1, sizeof *t->cps))
		return -1;
	t->cps = p;
	for (;;) {
		r = utf8proc_decompose_custom(s, (utf8proc_ssize_t)n, t->cps,
					      (utf8proc_ssize_t)t->cpcap,
					      FOLD_OPTIONS, NULL, NULL);
		if (r < 0)
			return -1;
		/* utf8proc_reencode() needs one more slot for its NUL */
		if ((size_t)r < t->cpcap)
			break;
		p = t->cps;
		if (wire_grow(&p, &t->cpcap, (size_t)r + 1, sizeof *t->cps))
			return -1;
		t->cps = p;
	}
	/* Compatibility decompositions can bring in spaces and punctuation
	 * ("⑴" -> "(1)", U+FDFA -> four words): keep letters and digits. */
	for (i = m = 0; i < r; i++) {
		switch (utf8proc_category(t->cps[i])) {
		case UTF8PROC_CATEGORY_LU:
		case UTF8PROC_CATEGORY_LL:
		case UTF8PROC_CATEGORY_LT:
		case UTF8PROC_CATEGORY_LM:
		case UTF8PROC_CATEGORY_LO:
		case UTF8PROC_CATEGORY_MN:
		case UTF8PROC_CATEGORY_MC:
		case UTF8PROC_CATEGORY_ME:
		case UTF8PROC_CATEGORY_ND:
		case UTF8PROC_CATEGORY_NL:
		case UTF8PROC_CATEGORY_NO:
			t->cps[m++] = t->cps[i];
			break;
		default:
			break;
		}
	}
	r = utf8proc_reencode(t->cps, m, FOLD_OPTIONS);
	if (r < 0)
		return -1;
	return strbuf_add(out, t->cps, (size_t)r);
}

static int fold_ascii(const unsigned char *s, size_t n, strbuf *out)
{
	size_t i;

	if (out->cap - out->len <= n && strbuf_grow(out, n))
		return -1;
	for (i = 0; i < n; i++)
		out->buf[out->len + i] =
			(char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	out->len += n;
	out->buf[out->len] = '\0';
	return 0;
}

/* Append to OUT the folded concatenation of the runs FIRST, FIRST+2, ...
 * LAST of the chunk (the atoms between them are joiners, left out). */
static int fold_runs(struct tok *t, size_t first, size_t last, strbuf *out)
{
	const struct atom *A = t->atoms;
	int ascii = 1;
	size_t i;

	for (i = first; i <= last; i += 2)
		ascii &= A[i].ascii;
	if (ascii) {
		for (i = first; i <= last; i += 2)
			if (fold_ascii(t->s + A[i].start, A[i].end - A[i].start,
				       out))
				return -1;
		return 0;
	}
	if (first == last)
		return fold_slow(t, t->s + A[first].start,
				 A[first].end - A[first].start, out);
	strbuf_reset(&t->raw);
	for (i = first; i <= last; i += 2)
		if (strbuf_add(&t->raw, t->s + A[i].start,
			       A[i].end - A[i].start))
			return -1;
	return fold_slow(t, (const unsigned char *)t->raw.buf, t->raw.len,
			 out);
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

/* A dotted acronym's segment: one letter ("U"), or two same capitals
 * (Spanish plurals: "EE.UU.", "FF.AA."). */
static int seg_single(const struct atom *a)
{
	return a->type == C_WORD && a->nletters == 1 && !a->ndigits;
}

static int seg_double(const struct atom *a)
{
	return a->type == C_WORD && a->nletters == 2 && a->nupper == 2 &&
	       !a->nmarks && !a->ndigits && a->first == a->second;
}

static int is_s(const struct atom *a)
{
	return a->type == C_WORD && a->nletters == 1 && !a->nmarks &&
	       !a->ndigits && (a->first == 's' || a->first == 'S');
}

/* After a number or an acronym, take a possessive "'s" at atom K. */
static size_t take_possessive(struct tok *t, size_t k, struct part *pt)
{
	if (k + 1 < t->natoms && t->atoms[k].type == C_APOS &&
	    is_s(&t->atoms[k + 1])) {
		pt->end = t->atoms[k + 1].end;
		return k + 2;
	}
	return k;
}

static int add_number_group(struct tok *t, size_t i)
{
	return strbuf_add(&t->terms, t->s + t->atoms[i].start,
			  t->atoms[i].end - t->atoms[i].start);
}

/* Whether groups J, J+2, ... LAST are thousands groups: a first group of one
 * to three digits not starting with 0, then groups of exactly three, all
 * separated by the same character. */
static int thousands(const struct tok *t, size_t j, size_t last)
{
	const struct atom *A = t->atoms;
	size_t g0 = A[j].end - A[j].start, i;

	if (g0 < 1 || g0 > 3 || t->s[A[j].start] == '0')
		return 0;
	for (i = j + 2; i <= last; i += 2)
		if (A[i].end - A[i].start != 3 ||
		    A[i - 1].type != A[j + 1].type)
			return 0;
	return 1;
}

/* A number at digit run J; *NEXT gets the atom after it. */
static int parse_number(struct tok *t, size_t j, struct part *pt, size_t *next)
{
	const struct atom *A = t->atoms;
	size_t k = j, i, ngroups;

	if (j >= t->nogroup_end)
		while (k + 2 < t->natoms &&
		       (A[k + 1].type == C_DOT || A[k + 1].type == C_COMMA) &&
		       A[k + 2].digits)
			k += 2;
	ngroups = (k - j) / 2 + 1;
	pt->flags = TEXT_TOKEN_NUMBER;
	if (ngroups == 1 || thousands(t, j, k)) {
		/* "2017", "84,000", "84.000", "1,250,000" */
		for (i = j; i <= k; i += 2)
			if (add_number_group(t, i))
				return -1;
	} else if (ngroups >= 3 && A[k - 1].type != A[j + 1].type &&
		   thousands(t, j, k - 2)) {
		/* "1,250,000.5", "1.250.000,5" */
		for (i = j; i <= k - 2; i += 2)
			if (add_number_group(t, i))
				return -1;
		if (strbuf_addch(&t->terms, '.') || add_number_group(t, k))
			return -1;
	} else if (ngroups == 2) {
		/* "3.5", "3,5" */
		if (add_number_group(t, j) || strbuf_addch(&t->terms, '.') ||
		    add_number_group(t, k))
			return -1;
	} else {
		/* "12.5.2024", "192.168.1.1": each group a number of its own */
		if (add_number_group(t, j))
			return -1;
		t->nogroup_end = k + 1;
		k = j;
	}
	pt->end = A[k].end;
	*next = take_possessive(t, k + 1, pt);
	return 0;
}

/* A dotted acronym at J ("U.S.", "T.T.P", "EE.UU.", "e.g."); *NEXT gets the
 * atom after it, or stays 0 when there is none. */
static int parse_dotted(struct tok *t, size_t j, struct part *pt,
			size_t *next)
{
	const struct atom *A = t->atoms;
	int dbl = seg_double(&A[j]);
	int upper = 1;
	size_t k = j, i;

	if (!dbl && !seg_single(&A[j]))
		return 0;
	while (k + 2 < t->natoms && A[k + 1].type == C_DOT &&
	       (dbl ? seg_double(&A[k + 2]) : seg_single(&A[k + 2])))
		k += 2;
	if (k == j)
		return 0;
	for (i = j; i <= k; i += 2)
		upper &= A[i].nupper == A[i].nletters;
	if (fold_runs(t, j, k, &t->terms))
		return -1;
	pt->end = A[k].end;
	k++;
	if (k < t->natoms && A[k].type == C_DOT)
		pt->end = A[k++].end;
	pt->acro = upper ? ACRO_DOTTED : ACRO_NONE;
	*next = take_possessive(t, k, pt);
	return 0;
}

/* A word at J: runs joined by apostrophes ("O'Brien"), less a possessive
 * ("Pakistan's", "countries'"). */
static int parse_word(struct tok *t, size_t j, struct part *pt, size_t *next)
{
	const struct atom *A = t->atoms;
	size_t k = j, last, i, nletters = 0, nupper = 0;

	while (k + 2 < t->natoms && A[k + 1].type == C_APOS &&
	       A[k + 2].type == C_WORD)
		k += 2;
	last = k;
	pt->end = A[k].end;
	*next = k + 1;
	if (last > j && is_s(&A[last])) {
		last -= 2;
	} else if (k + 1 < t->natoms && A[k + 1].type == C_APOS &&
		   (k + 2 == t->natoms || A[k + 2].type != C_WORD) &&
		   (A[k].last == 's' || A[k].last == 'S')) {
		pt->end = A[k + 1].end;
		*next = k + 2;
	}
	for (i = j; i <= last; i += 2) {
		nletters += A[i].nletters;
		nupper += A[i].nupper;
	}
	if (nletters >= 2 && nupper == nletters)
		pt->acro = ACRO_CAPS;
	if (fold_runs(t, j, last, &t->terms))
		return -1;
	if (all_digits(t->terms.buf + pt->off, t->terms.len - pt->off))
		pt->flags = TEXT_TOKEN_NUMBER;
	return 0;
}

/* Parse the part at run J into PT (its term appended to t->terms, then a
 * NUL); *NEXT gets the atom after it. */
static int parse_part(struct tok *t, size_t j, struct part *pt, size_t *next)
{
	int r;

	memset(pt, 0, sizeof *pt);
	pt->start = t->atoms[j].start;
	pt->off = t->terms.len;
	*next = 0;
	if (t->atoms[j].digits)
		r = parse_number(t, j, pt, next);
	else if ((r = parse_dotted(t, j, pt, next)) == 0 && !*next)
		r = parse_word(t, j, pt, next);
	if (r)
		return r;
	pt->len = t->terms.len - pt->off;
	if (t->terms.cap - t->terms.len <= 1 && strbuf_grow(&t->terms, 1))
		return -1;
	/* the NUL ending the term stays in, the next term starts after it */
	t->terms.buf[++t->terms.len] = '\0';
	return 0;
}

static uint32_t pos_add(uint32_t p, size_t i)
{
	return i > UINT32_MAX - p ? UINT32_MAX : p + (uint32_t)i;
}

static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 0x811c9dc5u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x01000193u;
	}
	return h;
}

/* Hand one token to the callback.  TERM is NUL-terminated. */
static int emit(struct tok *t, const char *term, size_t len, uint32_t pos,
		size_t start, size_t end, unsigned flags)
{
	static const char hex[] = "0123456789abcdef";
	text_token tk;

	if (len > TEXT_MAX_TERM) {
		size_t keep = text_utf8_prefix(term, len, CUT_KEEP);
		uint32_t h = fnv1a(term, len);
		int i;

		memcpy(t->cut, term, keep);
		t->cut[keep] = '~';
		for (i = 0; i < 8; i++)
			t->cut[keep + 1 + (size_t)i] =
				hex[(h >> (28 - 4 * i)) & 0xF];
		len = keep + 9;
		t->cut[len] = '\0';
		term = t->cut;
		flags |= TEXT_TOKEN_CUT;
	}
	tk.term = term;
	tk.len = len;
	tk.position = pos;
	tk.start = start;
	tk.end = end;
	tk.word = t->word;
	tk.flags = flags;
	t->tokens++;
	return t->fn(t->ctx, &tk);
}

/* A part's plain and/or case-marked terms. */
static int emit_part(struct tok *t, const struct part *pt, uint32_t pos,
		     unsigned extra)
{
	const char *term = t->terms.buf + pt->off;
	int mark = 0, plain = 1, r;

	/* Only an ordinary word has a marked form: "US" and "U.S." are not
	 * "us", but "TTP" and "T.T.P." can only be ttp. */
	if (pt->acro != ACRO_NONE && is_common_word(term, pt->len))
		mark = 1;
	if (t->mode == TEXT_FOR_QUERY)
		plain = !mark;
	if (plain && (r = emit(t, term, pt->len, pos, pt->start, pt->end,
			       extra | pt->flags)))
		return r;
	if (!mark)
		return 0;
	strbuf_reset(&t->out);
	if (strbuf_addch(&t->out, TEXT_ACRONYM_MARK) ||
	    strbuf_add(&t->out, term, pt->len))
		return -1;
	return emit(t, t->out.buf, t->out.len, pos, pt->start, pt->end,
		    extra | TEXT_TOKEN_ACRONYM);
}

/* The joined form of a hyphenated word: its parts' terms end to end. */
static int emit_joined(struct tok *t, uint32_t pos)
{
	const struct part *P = t->parts;
	size_t n = t->nparts, i;

	strbuf_reset(&t->out);
	for (i = 0; i < n; i++)
		if (strbuf_add(&t->out, t->terms.buf + P[i].off, P[i].len))
			return -1;
	return emit(t, t->out.buf, t->out.len, pos, P[0].start, P[n - 1].end,
		    TEXT_TOKEN_JOINED | (all_digits(t->out.buf, t->out.len)
					 ? TEXT_TOKEN_NUMBER : 0));
}

/* The tokens of the word in t->parts: its parts at consecutive positions,
 * the joined form with the first when there are several. */
static int emit_compound(struct tok *t)
{
	size_t n = t->nparts, i;
	uint32_t base = t->pos;
	int r = 0;

	if (!n)
		return 0;
	t->words++;
	if (n == 1) {
		r = emit_part(t, &t->parts[0], base, 0);
	} else {
		for (i = 0; i < n && !r; i++) {
			r = emit_part(t, &t->parts[i], pos_add(base, i),
				      TEXT_TOKEN_PART);
			if (!r && !i)
				r = emit_joined(t, base);
		}
	}
	t->pos = pos_add(base, n);
	if (t->word < UINT32_MAX)
		t->word++;
	return r;
}

/* A compound starting at run I: parts joined by hyphens. */
static int parse_compound(struct tok *t, size_t i, size_t *next)
{
	size_t j = i, k;
	void *p;

	t->nparts = 0;
	strbuf_reset(&t->terms);
	for (;;) {
		if (t->nparts == t->pcap) {
			p = t->parts;
			if (wire_grow(&p, &t->pcap, t->nparts + 1,
				      sizeof *t->parts))
				return -1;
			t->parts = p;
		}
		if (parse_part(t, j, &t->parts[t->nparts], &k))
			return -1;
		/* a run of marks alone folds to nothing: no word */
		if (t->parts[t->nparts].len)
			t->nparts++;
		if (k + 1 < t->natoms && t->atoms[k].type == C_HYPHEN &&
		    t->atoms[k + 1].type == C_WORD) {
			j = k + 1;
			continue;
		}
		break;
	}
	*next = k;
	return emit_compound(t);
}

static int tokenize_chunk(struct tok *t)
{
	size_t i = 0;
	int r;

	t->nogroup_end = 0;
	while (i < t->natoms) {
		if (t->atoms[i].type != C_WORD) {
			i++;  /* a joiner no rule took: a separator */
			continue;
		}
		if ((r = parse_compound(t, i, &i)))
			return r;
	}
	return 0;
}

static void tok_release(struct tok *t)
{
	free(t->atoms);
	free(t->parts);
	free(t->cps);
	strbuf_release(&t->terms);
	strbuf_release(&t->raw);
	strbuf_release(&t->out);
}

static void tok_init(struct tok *t, const char *text, size_t len)
{
	memset(t, 0, sizeof *t);
	t->s = (const unsigned char *)text;
	t->len = len;
	strbuf_init(&t->terms);
	strbuf_init(&t->raw);
	strbuf_init(&t->out);
}

int text_tokenize(const char *text, size_t len, enum text_mode mode,
		  uint32_t first_position, text_token_fn fn, void *ctx,
		  uint32_t *next_position, text_stats *stats)
{
	struct tok t;
	size_t pos = 0, n, end;
	int r = 0, bad;

	tok_init(&t, text, len);
	t.mode = mode;
	t.fn = fn;
	t.ctx = ctx;
	t.pos = first_position;
	while (pos < len) {
		unsigned c = t.s[pos];

		if (c < 0x80) {
			if (!((c | 0x20) - 'a' < 26 || c - '0' < 10)) {
				pos++;
				continue;
			}
		} else if (class_at(t.s, len, pos, &n, &bad) != C_WORD) {
			t.invalid += (size_t)bad;
			pos += n;
			continue;
		}
		if (build_chunk(&t, pos, &end)) {
			r = -1;
			break;
		}
		if ((r = tokenize_chunk(&t)))
			break;
		pos = end;
	}
	if (next_position)
		*next_position = t.pos;
	if (stats) {
		stats->invalid_utf8 += t.invalid;
		stats->tokens += t.tokens;
		stats->words += t.words;
	}
	tok_release(&t);
	return r;
}

static int ascii_alnum(unsigned char c)
{
	return (unsigned)(c | 0x20) - 'a' < 26 || (unsigned)c - '0' < 10;
}

size_t text_count_bound(const char *text, size_t len, const char *const *terms,
			size_t n)
{
	char *letters, term[TEXT_MAX_TERM + 1];
	size_t m = 0, count = 0;

	/* The text's letters and digits, lower case, in order. */
	if (!(letters = wire_malloc(len + 1)))
		return SIZE_MAX;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c >= 0x80) {
			free(letters);
			return SIZE_MAX;
		}
		if ((unsigned)c - 'A' < 26)
			letters[m++] = (char)(c | 0x20);
		else if ((unsigned)c - 'a' < 26 || (unsigned)c - '0' < 10)
			letters[m++] = (char)c;
	}
	for (size_t t = 0; t < n && count != SIZE_MAX; t++) {
		const unsigned char *p = (const unsigned char *)terms[t];
		const char *at = letters, *end = letters + m;
		size_t k = 0;
		int ascii = 1;

		for (; *p && k < sizeof(term); p++) {
			if (*p == '~')
				break;
			if (*p >= 0x80)
				ascii = 0;
			else if (ascii_alnum(*p))
				term[k++] = (char)*p;
		}
		if (*p || !k) { /* shortened (a hash follows '~'), long, or empty */
			count = SIZE_MAX;
			break;
		}
		if (!ascii)
			continue; /* ASCII text gives only ASCII terms */
		while ((at = memmem(at, (size_t)(end - at), term, k))) {
			count++;
			at++;
		}
	}
	free(letters);
	return count;
}

char *text_fold(const char *s, size_t len)
{
	struct tok t;
	strbuf out = STRBUF_INIT;
	size_t pos = 0, n, n2, before;
	struct atom *a;
	int bad;

	tok_init(&t, s, len);
	while (pos < len) {
		if (class_at(t.s, len, pos, &n, &bad) != C_WORD) {
			pos += n;
			continue;
		}
		/* runs joined by apostrophes: "d'Ivoire" -> "divoire" */
		t.natoms = 0;
		for (;;) {
			if (!(a = push_atom(&t)))
				goto fail;
			scan_run(t.s, len, pos, a);
			pos = a->end;
			if (pos < len &&
			    class_at(t.s, len, pos, &n, &bad) == C_APOS &&
			    pos + n < len &&
			    class_at(t.s, len, pos + n, &n2, &bad) == C_WORD) {
				if (!(a = push_atom(&t)))
					goto fail;
				a->type = C_APOS;
				pos += n;
				continue;
			}
			break;
		}
		before = out.len;
		if ((out.len && strbuf_addch(&out, ' ')) ||
		    fold_runs(&t, 0, t.natoms - 1, &out))
			goto fail;
		if (out.len == before + 1 && before) {
			/* the word folded to nothing: drop its space */
			out.len = before;
			out.buf[before] = '\0';
		}
	}
	tok_release(&t);
	return strbuf_detach(&out, NULL);
fail:
	tok_release(&t);
	strbuf_release(&out);
	return NULL;
}

char *text_clean(const char *s, size_t len, size_t *out_len, size_t *repaired)
{
	static const char fffd[] = "\xEF\xBF\xBD";
	const unsigned char *u = (const unsigned char *)s;
	strbuf out = STRBUF_INIT;
	size_t pos = 0, span = 0, n, fixed = 0;
	int32_t cp;
	char *r;

	if (strbuf_grow(&out, len))
		return NULL;
	while (pos < len) {
		unsigned c = u[pos];
		const char *put = NULL;
		size_t putlen = 0;

		if (c >= 0x20 && c < 0x7F) {
			pos++;
			continue;  /* the common case: keep, in the span */
		}
		if (c < 0x80) {
			n = 1;
			if (c == '\t' || c == '\n') {
				pos++;
				continue;
			}
			if (c == '\r') {
				put = "\n";
				putlen = 1;
				if (pos + 1 < len && u[pos + 1] == '\n')
					n = 2;
			} else if (c == 0) {
				put = " ";
				putlen = 1;
			}
		} else {
			n = decode(u + pos, len - pos, &cp);
			if (cp >= 0 && cp > 0x9F) {
				pos += n;
				continue;
			}
			if (cp < 0) {
				put = fffd;
				putlen = 3;
				fixed++;
			}
		}
		/* flush the clean span before POS, then the replacement */
		if (strbuf_add(&out, s + span, pos - span) ||
		    strbuf_add(&out, put ? put : "", putlen))
			goto fail;
		pos += n;
		span = pos;
	}
	if (strbuf_add(&out, s + span, pos - span))
		goto fail;
	if (!(r = strbuf_detach(&out, out_len)))
		return NULL;
	if (repaired)
		*repaired += fixed;
	return r;
fail:
	strbuf_release(&out);
	return NULL;
}

int text_is_utf8(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t pos = 0;
	int32_t cp;

	while (pos < len) {
		if (u[pos] < 0x80) {
			pos++;
			continue;
		}
		pos += decode(u + pos, len - pos, &cp);
		if (cp < 0)
			return 0;
	}
	return 1;
}

size_t text_utf8_prefix(const char *s, size_t len, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, n;
	int32_t cp;

	if (max >= len)
		return len;
	/* Only a well-formed character can be cut in two: look back at most
	 * three bytes for its first byte. */
	for (i = max; i + 3 >= max; i--) {
		if ((u[i] & 0xC0) != 0x80) {
			if (u[i] < 0x80 || i == max)
				return max;
			n = decode(u + i, len - i, &cp);
			return cp >= 0 && i + n > max ? i : max;
		}
		if (!i)
			break;
	}
	return max;
}

/* Short words that stay lowercase inside a name ("Ciudad de México").
 * W is the word as already written out, its first letter in capitals. */
static int is_name_particle(const char *w, size_t len)
{
	static const char *const particles[] = {
		"de", "del", "la", "las", "los", "el", "y", "of", "the", "and",
		"da", "do", "dos", "das", "di", "du", "le", "les", "von", "van",
		"der", "den", "am", "an", "al", "en", "upon", "on"
	};

	for (size_t i = 0; i < sizeof(particles) / sizeof(particles[0]); i++)
		if (strlen(particles[i]) == len && !strncasecmp(particles[i], w, len))
			return 1;
	return 0;
}

char *text_name_case(const char *s, size_t len)
{
	strbuf out = STRBUF_INIT;
	size_t i = 0, word_start = 0;
	int has_lower = 0, at_word_start = 1, words = 0;

	for (size_t j = 0; j < len;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + j,
						      (utf8proc_ssize_t)(len - j), &c);

		if (n <= 0)
			break;
		if (utf8proc_get_property(c)->category == UTF8PROC_CATEGORY_LL)
			has_lower = 1;
		j += (size_t)n;
	}
	if (has_lower)
		return wire_strndup(s, len);
	while (i < len) {
		utf8proc_int32_t c;
		utf8proc_uint8_t buf[4];
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
						      (utf8proc_ssize_t)(len - i), &c);
		int letter;

		if (n <= 0) {
			/* Not UTF-8 after all: leave the rest as it is. */
			if (strbuf_add(&out, s + i, len - i))
				goto oom;
			break;
		}
		letter = utf8proc_category(c) >= UTF8PROC_CATEGORY_LU &&
			 utf8proc_category(c) <= UTF8PROC_CATEGORY_LO;
		if (letter && at_word_start) {
			word_start = out.len;
			c = utf8proc_toupper(c);
			at_word_start = 0;
		} else if (letter) {
			c = utf8proc_tolower(c);
		} else if (!at_word_start) {
			/* A word ended: particles other than the first word go
			 * lowercase. */
			if (words++ > 0 && is_name_particle(out.buf + word_start,
							     out.len - word_start))
				out.buf[word_start] = (char)(out.buf[word_start] - 'A' + 'a');
			at_word_start = 1;
		}
		if (strbuf_add(&out, buf, (size_t)utf8proc_encode_char(c, buf)))
			goto oom;
		i += (size_t)n;
	}
	return strbuf_detach(&out, NULL);
oom:
	strbuf_release(&out);
	return NULL;
}
