/*
 * query.c - the query language (query.h; docs/QUERY.md has the grammar).
 *
 * A query string goes through four stages:
 *  1. the lexer cuts it into tokens: parentheses, quoted phrases, operators
 *     (AND OR NOT NEAR[/n] ADJ[/n], a leading - or +), field prefixes,
 *     filters with their value, and "chunks": runs of other characters,
 *     which the shared tokenizer (text.h, TEXT_FOR_QUERY) turns into terms;
 *  2. a recursive-descent parser builds a raw tree (R_* nodes);
 *  3. finalize() normalises it: negations become AND_NOT / NOT, filters are
 *     gathered into one FILTER per group, synonyms are added;
 *  4. query_to_xapian() builds the Xapian query, expanding stems (and
 *     recording what it found for the highlighter).
 * Everything a tree holds lives in one arena freed by query_free().
 *
 * query_describe() forms (stable: the unit tests and --explain use them):
 *   EMPTY                    nothing to search for
 *   WORD(t)                  a plain word, tokenizer term t ("^us" marked)
 *   PHRASE(t1 t2 ...)        quoted words, or one chunk giving several words
 *                            ("Kabul/Islamabad", "12:30"); PHRASE(t) is a
 *                            quoted single word: exact, never stemmed
 *   HYPHEN(p1 p2 ...|joined) a hyphenated word: the parts as a phrase, or
 *                            the joined form
 *   WILDCARD(t)              t*
 *   FIELD(name X)            X searched in one field only
 *   NEAR/n(A B ...)          within n positions, any order
 *   ADJ/n(A B ...)           within n positions, in this order
 *   SYN(X Y ...)             X or any of its synonyms Y ...
 *   AND(A B ...)  OR(A B ...)
 *   AND_MAYBE(A B)           A, ranked up by B (default_or with +words)
 *   AND_NOT(A B ...)         A but neither B nor C ...
 *   NOT(A ...)               everything but A ... (pure negation)
 *   FILTER(f:v ... DATE(..)) boolean filters: values of one field ORed,
 *                            fields ANDed; as the last child of an AND it
 *                            restricts the AND's other children
 *   f:v                      a filter value: agency:efe, lang:es, urgency:3,
 *                            place:"buenos aires" (quoted when it has a
 *                            space, a quote, a parenthesis or a backslash)
 *   DATE(lo..hi)             SLOT_DATE between lo and hi (14-digit UTC
 *                            times); an open end is left empty
 * Children are separated by one space.
 */
#include "query.h"

#include "alloc.h"
#include "schema.h"
#include "strbuf.h"
#include "text.h"
#include "xap.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_MAX_WILDCARD 1000u
#define DEFAULT_MAX_LENGTH 4096u
#define DEFAULT_MAX_TERMS 200u
#define DEFAULT_MAX_DEPTH 32u
/* Whatever the caller asks, the parser recurses no deeper than this. */
#define HARD_MAX_DEPTH 1000u
#define DEFAULT_HEADLINE_WEIGHT 2.0
#define DEFAULT_NEAR 10u
#define MAX_NEAR 10000u
/* Stem expansion: terms looked at and variants kept per word and language;
 * the weight of a stemmed match against an exact one. */
#define STEM_SCAN 2000u
#define STEM_KEEP 50u
#define STEM_MIN_PREFIX 3u
#define STEM_WEIGHT 0.7
/* Wildcard expansions remembered for the highlighter, and the most terms
 * and phrases it is given (it compares each word of a text with each). */
#define WILDCARD_HIGHLIGHT 100u
#define HIGHLIGHT_MAX 1000u
/* Longest filter term (prefix and value), under Xapian's 245 bytes. */
#define MAX_FILTER_TERM 240u
/* Most bytes of the user's text quoted in an error message. */
#define QUOTE_MAX 80u

/* --------------------------------------------------------------------
 * Fields.
 */
enum ftype {
	FT_TEXT,     /* positional: scopes words, phrases, groups */
	FT_TERM,     /* boolean: prefix + folded value */
	FT_LANG,     /* boolean: L + ISO 639-1 code */
	FT_ID,       /* boolean: G + story id */
	FT_URGENCY,  /* boolean: XU + digit */
	FT_DATE      /* value range on SLOT_DATE */
};

struct field {
	const char *name;   /* as typed (case-insensitive) */
	const char *canon;  /* as described; one name per field */
	enum ftype type;
	const char *prefix;
};

static const struct field fields[] = {
	{ "headline", "headline", FT_TEXT, PREFIX_HEADLINE },
	{ "body", "body", FT_TEXT, PREFIX_BODY },
	{ "dateline", "dateline", FT_TEXT, PREFIX_DATELINE },
	{ "byline", "byline", FT_TEXT, PREFIX_BYLINE },
	{ "slugline", "slugline", FT_TEXT, PREFIX_SLUGLINE },
	{ "agency", "agency", FT_TERM, PREFIX_AGENCY },
	{ "place", "place", FT_TERM, PREFIX_PLACE },
	{ "located", "located", FT_TERM, PREFIX_LOCATED },
	{ "lang", "lang", FT_LANG, PREFIX_LANGUAGE },
	{ "language", "lang", FT_LANG, PREFIX_LANGUAGE },
	{ "topic", "topic", FT_TERM, PREFIX_TAG },
	{ "id", "id", FT_ID, PREFIX_STORY },
	{ "urgency", "urgency", FT_URGENCY, PREFIX_URGENCY },
	{ "date", "date", FT_DATE, NULL },
};

static const struct field *field_find(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *f = fields[i].name;
		size_t j;

		if (strlen(f) != n)
			continue;
		for (j = 0; j < n; j++) {
			char c = s[j];

			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (c != f[j])
				break;
		}
		if (j == n)
			return &fields[i];
	}
	return NULL;
}

/* Language names accepted by lang: besides two-letter codes (folded). */
static const struct {
	const char *name, *code;
} languages[] = {
	{ "english", "en" }, { "ingles", "en" },
	{ "spanish", "es" }, { "espanol", "es" }, { "castellano", "es" },
	{ "french", "fr" }, { "francais", "fr" }, { "frances", "fr" },
	{ "german", "de" }, { "deutsch", "de" }, { "aleman", "de" },
	{ "portuguese", "pt" }, { "portugues", "pt" },
	{ "italian", "it" }, { "italiano", "it" },
	{ "arabic", "ar" }, { "arabe", "ar" },
	{ "russian", "ru" }, { "ruso", "ru" },
	{ "chinese", "zh" }, { "chino", "zh" },
};

/* --------------------------------------------------------------------
 * The tree.
 */
enum qkind {
	Q_WORD, Q_PHRASE, Q_HYPHEN, Q_WILDCARD, Q_FIELD, Q_NEAR, Q_ADJ, Q_SYN,
	Q_AND, Q_OR, Q_AND_MAYBE, Q_AND_NOT, Q_NOT, Q_FILTER, Q_FVAL, Q_DATE,
	/* raw forms, only between parsing and finalize() */
	R_AND,   /* explicit AND, or juxtaposition when words are ANDed */
	R_IOR,   /* juxtaposition with default_or: +words required */
	R_OR,    /* explicit OR */
	R_NOT    /* NOT x, -x */
};

enum qflag {
	QF_REQUIRED = 1 << 0,  /* +word */
	QF_PLAIN = 1 << 1,     /* one typed word: spelling may correct it */
	QF_NOSTEM = 1 << 2,    /* exact form only (acronyms, numbers, keys) */
	QF_SYNONYM = 1 << 3    /* added by the synonym table */
};

typedef struct qnode qnode;
struct qnode {
	enum qkind kind;
	unsigned flags;
	qnode *kids, *last, *next;  /* children in order; next sibling */
	const char **terms;  /* WORD, WILDCARD: 1; PHRASE, HYPHEN: the parts */
	size_t n_terms;
	const char *joined;  /* HYPHEN */
	const struct field *field;  /* FIELD, FVAL */
	const char *value;   /* FVAL: the folded value, as described */
	const char *term;    /* FVAL: the Xapian term */
	char lo[15], hi[15]; /* DATE: "" for an open end */
	unsigned distance;   /* NEAR, ADJ */
	size_t src, src_len; /* WORD with QF_PLAIN: its bytes in the query */
	/* Filled by query_to_xapian(): WORD: stemmed variants per language
	 * (en, es); WILDCARD: some expansions, in var[0]. */
	const char **var[2];
	size_t n_var[2];
};

struct query {
	wire_arena *arena;
	qnode *root;          /* NULL: nothing to search for */
	const char *text;     /* the query as given (arena copy) */
	size_t len;
	/* query_highlights() output, rebuilt on each call */
	const char **hl_terms;
	size_t n_hl_terms, cap_hl_terms;
	query_phrase *hl_phrases;
	size_t n_hl_phrases, cap_hl_phrases;
};

static void add_kid(qnode *parent, qnode *kid)
{
	kid->next = NULL;
	if (parent->last)
		parent->last->next = kid;
	else
		parent->kids = kid;
	parent->last = kid;
}

/* --------------------------------------------------------------------
 * UTF-8 helpers.
 */
/* Length of the well-formed UTF-8 sequence at S (N > 0 bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80;
		unsigned char hi = c == 0xed ? 0x9f : 0xbf;

		return n >= 3 && s[1] >= lo && s[1] <= hi &&
		       (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xf4 ? 0x8f : 0xbf;

		return n >= 4 && s[1] >= lo && s[1] <= hi &&
		       (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Copy N bytes at S into BUF (of SIZE bytes) for an error message: at most
 * QUOTE_MAX bytes ("..." after a cut), invalid UTF-8 and control
 * characters as '?'. */
static const char *show(char *buf, size_t size, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0;

	while (i < n) {
		size_t k = utf8_seq(u + i, n - i);

		if (o >= QUOTE_MAX) {
			if (o + 4 <= size) {
				memcpy(buf + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (!k || (k == 1 && (u[i] < 0x20 || u[i] == 0x7f))) {
			if (o + 1 >= size)
				break;
			buf[o++] = '?';
			i += k ? k : 1;
			continue;
		}
		if (o + k >= size)
			break;
		memcpy(buf + o, s + i, k);
		o += k;
		i += k;
	}
	buf[o] = '\0';
	return buf;
}

/* --------------------------------------------------------------------
 * Lexer.
 */
enum tkind {
	T_END, T_LPAREN, T_RPAREN, T_PHRASE, T_CHUNK, T_AND, T_OR, T_NOT,
	T_MINUS, T_PLUS, T_NEAR, T_ADJ, T_FIELD, T_FILTER
};

struct tok {
	enum tkind kind;
	size_t start, len;    /* the token's bytes (PHRASE: its contents) */
	size_t vstart, vlen;  /* FILTER: the value, without quotes */
	const struct field *field;  /* FIELD, FILTER */
	unsigned n;           /* NEAR, ADJ: the distance */
};

struct parser {
	query *q;
	const query_options *o;
	const char *text;
	size_t len;
	struct tok *toks;
	size_t n_toks, cap_toks, pos;
	unsigned terms, max_terms, max_depth;
	int64_t now;
	char *err;
	size_t errlen;
	int failed;
};

static void perr(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = 1;
	if (!p->err || !p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
}

static void oom(struct parser *p)
{
	perr(p, "out of memory");
}

/* Length of the white-space character at S (N > 0 bytes), or 0: ASCII
 * space and controls, no-break and other Unicode spaces. */
static size_t space_len(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] == ' ' || (u[0] >= '\t' && u[0] <= '\r'))
		return 1;
	if (u[0] == 0xc2 && n >= 2 && u[1] == 0xa0)
		return 2;
	if (u[0] == 0xe2 && n >= 3) {
		if (u[1] == 0x80 && ((u[2] >= 0x80 && u[2] <= 0x8b) ||
				     u[2] == 0xaf))
			return 3;
		if (u[1] == 0x81 && u[2] == 0x9f)
			return 3;
	}
	if (u[0] == 0xe3 && n >= 3 && u[1] == 0x80 && u[2] == 0x80)
		return 3;
	return 0;
}

/* Length of the quotation mark at S: " and the curly “ ” „, or 0. */
static size_t quote_len(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] == '"')
		return 1;
	if (n >= 3 && u[0] == 0xe2 && u[1] == 0x80 &&
	    (u[2] == 0x9c || u[2] == 0x9d || u[2] == 0x9e))
		return 3;
	return 0;
}

/* End of the chunk starting at I: white space, a parenthesis or a quote
 * ends it. */
static size_t chunk_end(const char *s, size_t i, size_t n)
{
	while (i < n && s[i] != '(' && s[i] != ')' &&
	       !space_len(s + i, n - i) && !quote_len(s + i, n - i))
		i++;
	return i;
}

/* Find the closing quote from I on: *CLOSE_AT gets where it is (N when
 * there is none: the phrase runs to the end); returns where lexing goes
 * on. */
static size_t closing_quote(const char *s, size_t i, size_t n, size_t *close_at)
{
	for (; i < n; i++) {
		size_t k = quote_len(s + i, n - i);

		if (k) {
			*close_at = i;
			return i + k;
		}
	}
	*close_at = n;
	return n;
}

static int push(struct parser *p, enum tkind kind, size_t start, size_t len)
{
	void *v = p->toks;
	struct tok *t;

	if (wire_grow(&v, &p->cap_toks, p->n_toks + 1, sizeof(*p->toks))) {
		oom(p);
		return -1;
	}
	p->toks = v;
	t = &p->toks[p->n_toks++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->start = start;
	t->len = len;
	return 0;
}

/* NEAR, NEAR/n, ADJ, ADJ/n: the operator, with its distance in *N. */
static enum tkind near_op(const char *s, size_t n, unsigned *dist)
{
	enum tkind k;
	size_t i;
	unsigned long v = 0;

	if (n >= 4 && !memcmp(s, "NEAR", 4)) {
		k = T_NEAR;
		i = 4;
	} else if (n >= 3 && !memcmp(s, "ADJ", 3)) {
		k = T_ADJ;
		i = 3;
	} else {
		return T_END;
	}
	if (i == n) {
		*dist = DEFAULT_NEAR;
		return k;
	}
	if (s[i] != '/' || i + 1 == n)
		return T_END;
	for (i++; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return T_END;
		if (v < MAX_NEAR)
			v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1)
		v = 1;
	if (v > MAX_NEAR)
		v = MAX_NEAR;
	*dist = (unsigned)v;
	return k;
}

/* Lex the chunk at I (a field, a filter, an operator or words); returns
 * where lexing goes on. */
static size_t lex_chunk(struct parser *p, size_t i)
{
	const char *s = p->text;
	size_t n = p->len, e = chunk_end(s, i, n), k = i;
	const struct field *f;
	enum tkind op;
	unsigned dist = 0;

	while (k < e && ((s[k] >= 'a' && s[k] <= 'z') ||
			 (s[k] >= 'A' && s[k] <= 'Z')))
		k++;
	if (k > i && k < e && s[k] == ':' && (f = field_find(s + i, k - i)) &&
	    k + 1 < n && !space_len(s + k + 1, n - k - 1) && s[k + 1] != ')') {
		size_t v = k + 1, q, ve, end;

		if (f->type == FT_TEXT) {
			if (push(p, T_FIELD, i, v - i))
				return n;
			p->toks[p->n_toks - 1].field = f;
			if (s[v] == '(' || quote_len(s + v, n - v))
				return v;
			ve = chunk_end(s, v, n);
			if (push(p, T_CHUNK, v, ve - v))
				return n;
			return ve;
		}
		if ((q = quote_len(s + v, n - v))) {
			end = closing_quote(s, v + q, n, &ve);
			v += q;
		} else {
			for (ve = v; ve < n && s[ve] != '(' && s[ve] != ')' &&
				     !space_len(s + ve, n - ve); ve++)
				;
			end = ve;
		}
		if (push(p, T_FILTER, i, end - i))
			return n;
		p->toks[p->n_toks - 1].field = f;
		p->toks[p->n_toks - 1].vstart = v;
		p->toks[p->n_toks - 1].vlen = ve - v;
		return end;
	}
	if (e - i == 3 && !memcmp(s + i, "AND", 3))
		op = T_AND;
	else if (e - i == 2 && !memcmp(s + i, "OR", 2))
		op = T_OR;
	else if (e - i == 3 && !memcmp(s + i, "NOT", 3))
		op = T_NOT;
	else if ((op = near_op(s + i, e - i, &dist)) == T_END)
		op = T_CHUNK;
	if (push(p, op, i, e - i))
		return n;
	p->toks[p->n_toks - 1].n = dist;
	return e;
}

static int lex(struct parser *p)
{
	const char *s = p->text;
	size_t n = p->len, i = 0, k;
	unsigned depth = 0;

	while (i < n && !p->failed) {
		char c = s[i];

		if ((k = space_len(s + i, n - i))) {
			i += k;
		} else if (c == '(') {
			if (++depth > p->max_depth) {
				perr(p, "parentheses nested deeper than %u",
				     p->max_depth);
				break;
			}
			push(p, T_LPAREN, i++, 1);
		} else if (c == ')') {
			/* A stray ')' is dropped here, so the parser
			 * never sees one. */
			if (depth) {
				depth--;
				push(p, T_RPAREN, i, 1);
			}
			i++;
		} else if ((k = quote_len(s + i, n - i))) {
			size_t close;
			size_t next = closing_quote(s, i + k, n, &close);

			push(p, T_PHRASE, i + k, close - (i + k));
			i = next;
		} else if ((c == '-' || c == '+') && i + 1 < n &&
			   !space_len(s + i + 1, n - i - 1) && s[i + 1] != ')' &&
			   s[i + 1] != '-' && s[i + 1] != '+' &&
			   !(s[i + 1] >= '0' && s[i + 1] <= '9')) {
			/* "-5" and "+34" are numbers; "--", "- " and a
			 * lone "-" are read as words (and so vanish). */
			push(p, c == '-' ? T_MINUS : T_PLUS, i++, 1);
		} else {
			i = lex_chunk(p, i);
		}
	}
	if (!p->failed)
		push(p, T_END, n, 0);
	return p->failed ? -1 : 0;
}

/* --------------------------------------------------------------------
 * Words: the tokenizer's view of a chunk or a phrase.
 */
struct ctok {
	const char *term;
	uint32_t pos, word;
	unsigned flags;
	size_t start, end;
};

struct collect {
	struct parser *p;
	struct ctok *v;
	size_t n, cap;
};

static int collect_tok(void *ctx, const text_token *t)
{
	struct collect *c = ctx;
	void *v = c->v;
	char *term;

	if (wire_grow(&v, &c->cap, c->n + 1, sizeof(*c->v)))
		return 1;
	c->v = v;
	term = wire_arena_strndup(&c->p->q->arena, t->term, t->len);
	if (!term)
		return 1;
	c->v[c->n].term = term;
	c->v[c->n].pos = t->position;
	c->v[c->n].word = t->word;
	c->v[c->n].flags = t->flags;
	c->v[c->n].start = t->start;
	c->v[c->n].end = t->end;
	c->n++;
	return 0;
}

/* The words of a chunk or phrase: the parts in position order (one term
 * per position, joined forms left out), the joined form of a hyphenated
 * word, whether every token belongs to one surface word. */
struct words {
	struct collect c;
	const char **parts;
	size_t n_parts;
	const struct ctok *first;  /* the first part's token */
	const char *joined;
	int one_word;
};

static void words_release(struct words *w)
{
	free(w->c.v);
}

static int words_of(struct parser *p, size_t start, size_t len, struct words *w)
{
	memset(w, 0, sizeof(*w));
	w->c.p = p;
	if (text_tokenize(p->text + start, len, TEXT_FOR_QUERY, 1, collect_tok,
			  &w->c, NULL, NULL)) {
		oom(p);
		return -1;
	}
	if (!w->c.n)
		return 0;
	w->parts = wire_arena_alloc(&p->q->arena, w->c.n * sizeof(*w->parts));
	if (!w->parts) {
		oom(p);
		return -1;
	}
	w->one_word = 1;
	{
		uint32_t last_pos = 0;
		int have = 0;

		for (size_t i = 0; i < w->c.n; i++) {
			const struct ctok *t = &w->c.v[i];

			if (t->word != w->c.v[0].word)
				w->one_word = 0;
			if (t->flags & TEXT_TOKEN_JOINED) {
				if (!w->joined)
					w->joined = t->term;
				continue;
			}
			if (have && t->pos == last_pos)
				continue;
			if (!have)
				w->first = t;
			w->parts[w->n_parts++] = t->term;
			last_pos = t->pos;
			have = 1;
		}
	}
	p->terms += (unsigned)(w->n_parts + (w->joined ? 1 : 0));
	if (p->terms > p->max_terms) {
		perr(p, "query has more than %u terms", p->max_terms);
		return -1;
	}
	return 0;
}

static qnode *new_node(struct parser *p, enum qkind kind)
{
	qnode *n = wire_arena_alloc(&p->q->arena, sizeof(*n));

	if (!n) {
		oom(p);
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	return n;
}

static qnode *node1(struct parser *p, enum qkind kind, const char *term)
{
	qnode *n = new_node(p, kind);

	if (!n)
		return NULL;
	n->terms = wire_arena_alloc(&p->q->arena, sizeof(*n->terms));
	if (!n->terms) {
		oom(p);
		return NULL;
	}
	n->terms[0] = term;
	n->n_terms = 1;
	return n;
}

/* A chunk: a word, a hyphenated word, a phrase, a wildcard, or nothing
 * (punctuation, emoji). */
static qnode *chunk_node(struct parser *p, size_t start, size_t len)
{
	size_t raw_len = len;
	int wild = 0;
	struct words w;
	qnode *n = NULL;

	while (len && p->text[start + len - 1] == '*') {
		len--;
		wild = 1;
	}
	if (words_of(p, start, len, &w) || !w.n_parts)
		goto out;
	if (wild && (w.joined || w.n_parts == 1)) {
		const char *base = w.joined ? w.joined : w.parts[0];
		char buf[QUOTE_MAX * 2];

		if (*base == TEXT_ACRONYM_MARK)
			base++;
		if (utf8_chars(base) < 2) {
			perr(p, "wildcard '%s' is too short (at least 2 letters)",
			     show(buf, sizeof buf, p->text + start, raw_len));
			goto out;
		}
		n = node1(p, Q_WILDCARD, base);
		goto out;
	}
	if (w.n_parts == 1) {
		n = node1(p, Q_WORD, w.parts[0]);
		if (!n)
			goto out;
		if (w.first->flags & (TEXT_TOKEN_ACRONYM | TEXT_TOKEN_NUMBER |
				      TEXT_TOKEN_CUT)) {
			n->flags |= QF_NOSTEM;
		} else {
			n->flags |= QF_PLAIN;
			n->src = start + w.first->start;
			n->src_len = w.first->end - w.first->start;
		}
		goto out;
	}
	n = new_node(p, w.joined && w.one_word ? Q_HYPHEN : Q_PHRASE);
	if (!n)
		goto out;
	n->terms = w.parts;
	n->n_terms = w.n_parts;
	if (n->kind == Q_HYPHEN)
		n->joined = w.joined;
out:
	words_release(&w);
	return p->failed ? NULL : n;
}

static qnode *phrase_node(struct parser *p, size_t start, size_t len)
{
	struct words w;
	qnode *n = NULL;

	if (!words_of(p, start, len, &w) && w.n_parts &&
	    (n = new_node(p, Q_PHRASE))) {
		n->terms = w.parts;
		n->n_terms = w.n_parts;
	}
	words_release(&w);
	return p->failed ? NULL : n;
}

/* --------------------------------------------------------------------
 * Dates.
 */
static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 of a civil date, and back (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

struct day {
	int64_t y;
	int m, d;
};

static int day_ok(const struct day *d)
{
	return d->y >= 1 && d->y <= 9999;
}

static void day_text(const struct day *d, const char *hms, char out[15])
{
	snprintf(out, 15, "%04d%02d%02d%s", (int)d->y, d->m, d->d, hms);
}

static int64_t digits_val(const char *s, size_t n)
{
	int64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return n ? v : -1;
}

static struct day today_of(int64_t now)
{
	int64_t days = now >= 0 ? now / 86400 : -((-now + 86399) / 86400);
	struct day d;

	civil_from_days(days, &d.y, &d.m, &d.d);
	return d;
}

static struct day add_days(struct day d, int64_t n)
{
	struct day r;

	civil_from_days(days_from_civil(d.y, d.m, d.d) + n, &r.y, &r.m, &r.d);
	return r;
}

enum { DATE_OK = 0, DATE_IMPOSSIBLE = -1, DATE_INVALID = -2 };

/* One end of a date: YYYY, YYYY-MM, YYYY-MM-DD, today, yesterday; *LO and
 * *HI get its first and last day. */
static int date_end(struct parser *p, const char *s, size_t n, struct day *lo,
		    struct day *hi)
{
	int64_t y, m = 0, d = 0;

	if ((n == 5 && !memcmp(s, "today", 5)) ||
	    (n == 9 && !memcmp(s, "yesterday", 9))) {
		*lo = today_of(p->now);
		if (n == 9)
			*lo = add_days(*lo, -1);
		*hi = *lo;
		return day_ok(lo) ? DATE_OK : DATE_IMPOSSIBLE;
	}
	if (n != 4 && n != 7 && n != 10)
		return DATE_INVALID;
	if ((y = digits_val(s, 4)) < 0)
		return DATE_INVALID;
	if (n >= 7 && (s[4] != '-' || (m = digits_val(s + 5, 2)) < 0))
		return DATE_INVALID;
	if (n == 10 && (s[7] != '-' || (d = digits_val(s + 8, 2)) < 0))
		return DATE_INVALID;
	if (y < 1 || (n >= 7 && (m < 1 || m > 12)) ||
	    (n == 10 && (d < 1 || d > days_in_month(y, (int)m))))
		return DATE_IMPOSSIBLE;
	lo->y = hi->y = y;
	lo->m = n >= 7 ? (int)m : 1;
	hi->m = n >= 7 ? (int)m : 12;
	lo->d = n == 10 ? (int)d : 1;
	hi->d = n == 10 ? (int)d : days_in_month(y, hi->m);
	return DATE_OK;
}

/* Nd, Nw, Nm, Ny: the last N days, weeks, months or years, today
 * included. */
static int date_relative(struct parser *p, const char *s, size_t n,
			 struct day *lo, struct day *hi)
{
	int64_t v;
	char unit;

	if (n < 2 || n > 7)
		return DATE_INVALID;
	unit = s[n - 1];
	if (!unit || !strchr("dwmy", unit) || (v = digits_val(s, n - 1)) < 0)
		return DATE_INVALID;
	if (v < 1)
		return DATE_IMPOSSIBLE;
	*hi = today_of(p->now);
	switch (unit) {
	case 'd':
	case 'w':
		*lo = add_days(*hi, -(v * (unit == 'w' ? 7 : 1) - 1));
		break;
	default: {
		int64_t months = hi->y * 12 + (hi->m - 1) -
				 v * (unit == 'y' ? 12 : 1);

		lo->y = months >= 0 ? months / 12 : -((-months + 11) / 12);
		lo->m = (int)(months - lo->y * 12) + 1;
		lo->d = hi->d;
		if (lo->y >= 1 && lo->d > days_in_month(lo->y, lo->m))
			lo->d = days_in_month(lo->y, lo->m);
		break;
	}
	}
	return day_ok(lo) && day_ok(hi) ? DATE_OK : DATE_IMPOSSIBLE;
}

static qnode *date_node(struct parser *p, const struct tok *t)
{
	const char *raw = p->text + t->vstart;
	size_t n = t->vlen, a = n, b = 0, bad_at = 0, bad_len = n;
	char shown[QUOTE_MAX * 2], part[QUOTE_MAX * 2], v[48];
	struct day lo, hi, l2, h2;
	int r = DATE_INVALID, have_lo = 0, have_hi = 0, dots = 0;
	qnode *node;

	show(shown, sizeof shown, p->text + t->start, t->len);
	if (n < sizeof v) {
		/* Case does not matter: date:Today, date:7D. */
		for (size_t i = 0; i < n; i++)
			v[i] = (char)(raw[i] >= 'A' && raw[i] <= 'Z'
				      ? raw[i] - 'A' + 'a' : raw[i]);
		v[n] = '\0';
		for (size_t i = 0; i + 1 < n; i++)
			if (v[i] == '.' && v[i + 1] == '.') {
				dots = 1;
				a = i;
				b = n - i - 2;
				break;
			}
		if (!dots) {
			r = date_end(p, v, n, &lo, &hi);
			if (r == DATE_INVALID)
				r = date_relative(p, v, n, &lo, &hi);
			have_lo = have_hi = r == DATE_OK;
		} else if (a || b) {
			r = DATE_OK;
			if (a) {
				r = date_end(p, v, a, &lo, &h2);
				bad_len = a;
				have_lo = 1;
			}
			if (r == DATE_OK && b) {
				r = date_end(p, v + a + 2, b, &l2, &hi);
				bad_at = a + 2;
				bad_len = b;
				have_hi = 1;
			}
		}
	}
	if (r == DATE_IMPOSSIBLE) {
		perr(p, "impossible date '%s' in '%s'",
		     show(part, sizeof part, raw + bad_at, bad_len), shown);
		return NULL;
	}
	if (r == DATE_INVALID) {
		perr(p, "invalid date '%s' in '%s' (use YYYY-MM-DD, YYYY-MM, "
		     "YYYY, A..B, ..B, A.., today, yesterday or 7d)",
		     show(part, sizeof part, raw, n), shown);
		return NULL;
	}
	if (!(node = new_node(p, Q_DATE)))
		return NULL;
	if (have_lo)
		day_text(&lo, "000000", node->lo);
	if (have_hi)
		day_text(&hi, "235959", node->hi);
	if (have_lo && have_hi && strcmp(node->lo, node->hi) > 0) {
		perr(p, "date range '%s' in '%s' ends before it starts",
		     show(part, sizeof part, raw, n), shown);
		return NULL;
	}
	return node;
}

/* --------------------------------------------------------------------
 * Filters.
 */
static qnode *filter_node(struct parser *p, const struct tok *t)
{
	const struct field *f = t->field;
	char shown[QUOTE_MAX * 2], part[QUOTE_MAX * 2];
	char *clean = NULL, *folded = NULL;
	const char *value = NULL;
	char term[512];
	size_t cl, len = 0;
	qnode *n = NULL;

	if (++p->terms > p->max_terms) {
		perr(p, "query has more than %u terms", p->max_terms);
		return NULL;
	}
	if (f->type == FT_DATE)
		return date_node(p, t);
	show(shown, sizeof shown, p->text + t->start, t->len);
	clean = text_clean(p->text + t->vstart, t->vlen, &cl, NULL);
	if (!clean) {
		oom(p);
		return NULL;
	}
	/* Trim: place:" Kabul " is place:Kabul. */
	{
		size_t a = 0, b = cl;

		while (a < b && (clean[a] == ' ' || clean[a] == '\t' ||
				 clean[a] == '\n'))
			a++;
		while (b > a && (clean[b - 1] == ' ' || clean[b - 1] == '\t' ||
				 clean[b - 1] == '\n'))
			b--;
		memmove(clean, clean + a, b - a);
		clean[b - a] = '\0';
		cl = b - a;
	}
	if (f->type != FT_ID) {
		folded = text_fold(clean, cl);
		if (!folded) {
			oom(p);
			goto out;
		}
	}
	switch (f->type) {
	case FT_TERM:
		value = folded;
		break;
	case FT_LANG:
		if (strlen(folded) == 2 && folded[0] >= 'a' && folded[0] <= 'z' &&
		    folded[1] >= 'a' && folded[1] <= 'z') {
			value = folded;
			break;
		}
		for (size_t i = 0; i < sizeof languages / sizeof languages[0]; i++)
			if (!strcmp(folded, languages[i].name))
				value = languages[i].code;
		if (!value && *folded) {
			perr(p, "unknown language '%s' in '%s' (use a two-letter "
			     "code such as en or es)",
			     show(part, sizeof part, p->text + t->vstart, t->vlen),
			     shown);
			goto out;
		}
		break;
	case FT_URGENCY:
		if (strlen(folded) != 1 || folded[0] < '1' || folded[0] > '9') {
			perr(p, "urgency must be a digit from 1 to 9 in '%s'", shown);
			goto out;
		}
		value = folded;
		break;
	case FT_ID:
		value = clean;
		break;
	default:
		goto out;
	}
	if (!value || !*value) {
		/* agency:"" asks for nothing. */
		p->terms--;
		goto out;
	}
	if (f->type == FT_ID) {
		len = schema_id_term(term, sizeof term, f->prefix, value);
	} else {
		int k = snprintf(term, sizeof term, "%s%s", f->prefix, value);

		len = k > 0 && (size_t)k < sizeof term ? (size_t)k : 0;
	}
	/* Xapian refuses terms over 245 bytes; the indexer never wrote one. */
	if (!len || len > MAX_FILTER_TERM) {
		perr(p, "value too long in '%s'", shown);
		goto out;
	}
	if (!(n = new_node(p, Q_FVAL)))
		goto out;
	n->field = f;
	n->term = wire_arena_strndup(&p->q->arena, term, len);
	n->value = wire_arena_strndup(&p->q->arena, value, strlen(value));
	if (!n->term || !n->value) {
		oom(p);
		n = NULL;
	}
out:
	free(clean);
	free(folded);
	return p->failed ? NULL : n;
}

/* --------------------------------------------------------------------
 * Parser.
 */
static enum tkind peek(const struct parser *p)
{
	return p->toks[p->pos].kind;
}

static int starts_primary(enum tkind k)
{
	return k == T_LPAREN || k == T_PHRASE || k == T_CHUNK || k == T_FIELD ||
	       k == T_FILTER;
}

static int starts_operand(enum tkind k)
{
	return starts_primary(k) || k == T_NOT || k == T_MINUS || k == T_PLUS;
}

static qnode *parse_or(struct parser *p);

static qnode *group(struct parser *p, enum qkind kind, qnode *a, qnode *b)
{
	qnode *g;

	if (!a)
		return b;
	if (!b)
		return a;
	if (a->kind == kind && kind != R_IOR) {
		add_kid(a, b);
		return a;
	}
	if (!(g = new_node(p, kind)))
		return NULL;
	add_kid(g, a);
	add_kid(g, b);
	return g;
}

static qnode *parse_primary(struct parser *p)
{
	const struct tok *t = &p->toks[p->pos];
	qnode *n, *f;

	switch (t->kind) {
	case T_LPAREN:
		p->pos++;
		n = parse_or(p);
		if (!p->failed && peek(p) == T_RPAREN)
			p->pos++;
		return n;
	case T_PHRASE:
		p->pos++;
		return phrase_node(p, t->start, t->len);
	case T_CHUNK:
		p->pos++;
		return chunk_node(p, t->start, t->len);
	case T_FILTER:
		p->pos++;
		return filter_node(p, t);
	case T_FIELD:
		p->pos++;
		/* The lexer puts a value right after a field. */
		if (peek(p) != T_LPAREN && peek(p) != T_PHRASE &&
		    peek(p) != T_CHUNK)
			return NULL;
		n = parse_primary(p);
		if (!n)
			return NULL;
		if (!(f = new_node(p, Q_FIELD)))
			return NULL;
		f->field = t->field;
		add_kid(f, n);
		return f;
	default:
		p->pos++;
		return NULL;
	}
}

static qnode *parse_unary(struct parser *p)
{
	int neg = 0, req = 0;
	qnode *n;

	for (;;) {
		enum tkind k = peek(p);

		if (k == T_NOT || k == T_MINUS)
			neg = !neg;
		else if (k == T_PLUS)
			req = 1;
		else
			break;
		p->pos++;
	}
	if (!starts_primary(peek(p)))
		return NULL;
	if (!(n = parse_primary(p)))
		return NULL;
	if (neg) {
		qnode *x = new_node(p, R_NOT);

		if (!x)
			return NULL;
		add_kid(x, n);
		n = x;
	}
	if (req)
		n->flags |= QF_REQUIRED;
	return n;
}

/* Whether N can be an operand of NEAR or ADJ: something with positions. */
static int positional(const qnode *n)
{
	switch (n->kind) {
	case Q_WORD:
	case Q_PHRASE:
	case Q_HYPHEN:
	case Q_WILDCARD:
		return 1;
	case Q_FIELD:
		return positional(n->kids);
	case R_OR:
		for (const qnode *k = n->kids; k; k = k->next) {
			const qnode *x = k->kind == Q_FIELD ? k->kids : k;

			if (x->kind != Q_WORD && x->kind != Q_WILDCARD)
				return 0;
		}
		return 1;
	default:
		return 0;
	}
}

static qnode *parse_near(struct parser *p)
{
	qnode *x = parse_unary(p);

	while (!p->failed && (peek(p) == T_NEAR || peek(p) == T_ADJ)) {
		const struct tok *op = &p->toks[p->pos];
		enum qkind kind = op->kind == T_NEAR ? Q_NEAR : Q_ADJ;
		qnode *y;

		p->pos++;
		if (!starts_operand(peek(p)))
			break;
		y = parse_unary(p);
		if (p->failed)
			return NULL;
		if (!x || !y) {
			x = x ? x : y;
			continue;
		}
		if (x->kind == kind && positional(y)) {
			if (op->n > x->distance)
				x->distance = op->n;
			add_kid(x, y);
		} else if (positional(x) && positional(y)) {
			qnode *g = new_node(p, kind);

			if (!g)
				return NULL;
			g->distance = op->n;
			add_kid(g, x);
			add_kid(g, y);
			x = g;
		} else {
			/* NEAR between things without positions: AND. */
			x = group(p, R_AND, x, y);
		}
	}
	return p->failed ? NULL : x;
}

static qnode *parse_and(struct parser *p)
{
	qnode *x = parse_near(p);

	while (!p->failed && peek(p) == T_AND) {
		qnode *y;

		while (peek(p) == T_AND)
			p->pos++;
		if (!starts_operand(peek(p)))
			break;
		y = parse_near(p);
		if (p->failed)
			return NULL;
		if (y && (y->flags & QF_REQUIRED) && x)
			x->flags |= QF_REQUIRED;
		x = group(p, R_AND, x, y);
	}
	return p->failed ? NULL : x;
}

/* Juxtaposed operands: ANDed, or ORed with default_or. */
static qnode *parse_implicit(struct parser *p)
{
	qnode *g = NULL, *first = NULL;
	enum qkind kind = p->o->default_or ? R_IOR : R_AND;

	for (;;) {
		enum tkind k = peek(p);
		size_t at = p->pos;
		qnode *x;

		if (k == T_END || k == T_RPAREN || k == T_OR)
			break;
		if (!starts_operand(k)) {
			/* a stray AND, NEAR or ADJ */
			p->pos++;
			continue;
		}
		x = parse_and(p);
		if (p->failed)
			return NULL;
		if (p->pos == at)
			p->pos++;
		if (!x)
			continue;
		if (!first) {
			first = x;
			continue;
		}
		if (!g) {
			if (!(g = new_node(p, kind)))
				return NULL;
			add_kid(g, first);
		}
		add_kid(g, x);
	}
	return g ? g : first;
}

static qnode *parse_or(struct parser *p)
{
	qnode *x = NULL;

	for (;;) {
		qnode *y;

		/* leading, trailing and doubled operators */
		while (peek(p) == T_OR || peek(p) == T_AND)
			p->pos++;
		y = parse_implicit(p);
		if (p->failed)
			return NULL;
		x = group(p, R_OR, x, y);
		if (p->failed)
			return NULL;
		if (peek(p) != T_OR)
			break;
	}
	return x;
}

/* --------------------------------------------------------------------
 * Finalizing: raw tree to the final one.
 */
static qnode *finalize(struct parser *p, qnode *n, int in_near);

static int is_filter_item(const qnode *n)
{
	return n->kind == Q_FVAL || n->kind == Q_DATE;
}

static const char *filter_field(const qnode *n)
{
	return n->kind == Q_DATE ? "date" : n->field->canon;
}

/* Wrap filter items in one FILTER, values of one field together, fields in
 * the order they first appear.  ITEMS is a list linked through next. */
static qnode *make_filter(struct parser *p, qnode *items)
{
	qnode *f = new_node(p, Q_FILTER);

	if (!f)
		return NULL;
	while (items) {
		const char *field = filter_field(items);
		qnode **pp = &items;

		while (*pp) {
			qnode *it = *pp;

			if (!strcmp(filter_field(it), field)) {
				*pp = it->next;
				add_kid(f, it);
			} else {
				pp = &it->next;
			}
		}
	}
	return f;
}

static qnode *wrap(struct parser *p, enum qkind kind, qnode *list)
{
	qnode *g;

	if (!list)
		return NULL;
	if (!list->next && kind != Q_NOT && kind != Q_FILTER)
		return list;
	if (!(g = new_node(p, kind)))
		return NULL;
	while (list) {
		qnode *next = list->next;

		add_kid(g, list);
		list = next;
	}
	return g;
}

struct list {
	qnode *head, *tail;
	size_t n;
};

static void list_add(struct list *l, qnode *n)
{
	n->next = NULL;
	if (l->tail)
		l->tail->next = n;
	else
		l->head = n;
	l->tail = n;
	l->n++;
}

struct sorted {
	struct list pos, req, filters, neg;
};

/* Sort the members of an AND (flattening nested ANDs) or of an IOR. */
static void sort_members(struct parser *p, const qnode *g, struct sorted *s)
{
	for (qnode *k = g->kids, *next; k && !p->failed; k = next) {
		qnode *x;

		next = k->next;
		if (g->kind == R_AND && k->kind == R_AND) {
			sort_members(p, k, s);
			continue;
		}
		if (k->kind == R_NOT) {
			qnode *inner = k->kids;
			int neg = 1;

			while (inner->kind == R_NOT) {
				inner = inner->kids;
				neg = !neg;
			}
			if (!neg) {
				if ((x = finalize(p, inner, 0)))
					list_add(&s->pos, x);
				continue;
			}
			if (is_filter_item(inner)) {
				inner->next = NULL;
				x = make_filter(p, inner);
			} else {
				x = finalize(p, inner, 0);
			}
			if (x)
				list_add(&s->neg, x);
			continue;
		}
		if (is_filter_item(k)) {
			list_add(&s->filters, k);
			continue;
		}
		x = finalize(p, k, 0);
		if (!x)
			continue;
		if (g->kind == R_IOR && (k->flags & QF_REQUIRED))
			list_add(&s->req, x);
		else if (g->kind == R_AND && x->kind == Q_AND &&
			 !(x->last && x->last->kind == Q_FILTER)) {
			for (qnode *y = x->kids, *yn; y; y = yn) {
				yn = y->next;
				list_add(&s->pos, y);
			}
		} else {
			list_add(&s->pos, x);
		}
	}
}

static qnode *finalize_group(struct parser *p, qnode *g)
{
	struct sorted s;
	qnode *base = NULL, *f = NULL, *r;

	memset(&s, 0, sizeof(s));
	sort_members(p, g, &s);
	if (p->failed)
		return NULL;
	if (g->kind == R_IOR) {
		qnode *req = wrap(p, Q_AND, s.req.head);
		qnode *opt = wrap(p, Q_OR, s.pos.head);

		if (p->failed)
			return NULL;
		if (req && opt) {
			if (!(base = new_node(p, Q_AND_MAYBE)))
				return NULL;
			add_kid(base, req);
			add_kid(base, opt);
		} else {
			base = req ? req : opt;
		}
		memset(&s.pos, 0, sizeof(s.pos));
		if (base)
			list_add(&s.pos, base);
	}
	if (s.filters.head && !(f = make_filter(p, s.filters.head)))
		return NULL;
	if (s.pos.n && f) {
		if (!(base = new_node(p, Q_AND)))
			return NULL;
		for (qnode *k = s.pos.head, *kn; k; k = kn) {
			kn = k->next;
			add_kid(base, k);
		}
		add_kid(base, f);
	} else if (s.pos.n) {
		base = wrap(p, Q_AND, s.pos.head);
	} else {
		base = f;
	}
	if (!s.neg.n || p->failed)
		return base;
	if (!(r = new_node(p, base ? Q_AND_NOT : Q_NOT)))
		return NULL;
	if (base)
		add_kid(r, base);
	for (qnode *k = s.neg.head, *kn; k; k = kn) {
		kn = k->next;
		add_kid(r, k);
	}
	return r;
}

static qnode *copy_phrase_node(struct parser *p, const char *const *terms,
			       size_t n, enum qkind kind)
{
	qnode *x = new_node(p, kind);

	if (!x)
		return NULL;
	x->terms = wire_arena_alloc(&p->q->arena, n * sizeof(*x->terms));
	if (!x->terms) {
		oom(p);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (!(x->terms[i] = wire_arena_strndup(&p->q->arena, terms[i],
						  strlen(terms[i])))) {
			oom(p);
			return NULL;
		}
	x->n_terms = n;
	x->flags = QF_SYNONYM | QF_NOSTEM;
	return x;
}

/* A word that is a synonym key, or a phrase that is an expansion: the
 * node ORed with the other side. */
static qnode *add_synonyms(struct parser *p, qnode *n)
{
	const synonyms *syn = p->o->syn;
	const query_phrase *exps;
	const char *const *keys;
	size_t c;
	qnode *s;

	if (!syn || (n->flags & QF_SYNONYM))
		return n;
	if (n->kind == Q_WORD) {
		c = synonyms_expansions(syn, n->terms[0], &exps);
		if (!c)
			return n;
		if (!(s = new_node(p, Q_SYN)))
			return NULL;
		add_kid(s, n);
		for (size_t i = 0; i < c; i++) {
			qnode *x = copy_phrase_node(p, exps[i].terms, exps[i].n,
						    Q_PHRASE);

			if (!x)
				return NULL;
			add_kid(s, x);
		}
		return s;
	}
	c = synonyms_keys(syn, n->terms, n->n_terms, &keys);
	if (!c)
		return n;
	if (!(s = new_node(p, Q_SYN)))
		return NULL;
	add_kid(s, n);
	for (size_t i = 0; i < c; i++) {
		qnode *x = copy_phrase_node(p, &keys[i], 1, Q_WORD);

		if (!x)
			return NULL;
		add_kid(s, x);
	}
	return s;
}

static qnode *finalize(struct parser *p, qnode *n, int in_near)
{
	qnode *x, *kids, *k, *kn;

	if (p->failed || !n)
		return NULL;
	switch (n->kind) {
	case Q_WORD:
	case Q_PHRASE:
		return in_near ? n : add_synonyms(p, n);
	case Q_FVAL:
	case Q_DATE:
		n->next = NULL;
		return make_filter(p, n);
	case Q_FIELD:
		if (!(x = finalize(p, n->kids, in_near)))
			return NULL;
		n->kids = n->last = NULL;
		add_kid(n, x);
		return n;
	case Q_NEAR:
	case Q_ADJ:
	case R_OR:
		kids = n->kids;
		n->kids = n->last = NULL;
		for (k = kids; k; k = kn) {
			kn = k->next;
			if (!(x = finalize(p, k, in_near || n->kind != R_OR)))
				continue;
			if (n->kind == R_OR && x->kind == Q_OR) {
				for (qnode *y = x->kids, *yn; y; y = yn) {
					yn = y->next;
					add_kid(n, y);
				}
			} else {
				add_kid(n, x);
			}
		}
		if (p->failed)
			return NULL;
		if (n->kind == R_OR) {
			n->kind = Q_OR;
			if (n->kids && !n->kids->next)
				return n->kids;
		}
		return n->kids ? n : NULL;
	case R_NOT: {
		qnode *inner = n->kids;
		int neg = 1;

		while (inner->kind == R_NOT) {
			inner = inner->kids;
			neg = !neg;
		}
		if (!(x = finalize(p, inner, 0)) || !neg)
			return x;
		n->kind = Q_NOT;
		n->kids = n->last = NULL;
		add_kid(n, x);
		return n;
	}
	case R_AND:
	case R_IOR:
		return finalize_group(p, n);
	default:
		return n;
	}
}

/* --------------------------------------------------------------------
 * Public: parse, describe, free.
 */
void query_options_init(query_options *o)
{
	memset(o, 0, sizeof(*o));
	o->default_or = 0;
	o->max_wildcard = DEFAULT_MAX_WILDCARD;
	o->max_length = DEFAULT_MAX_LENGTH;
	o->max_terms = DEFAULT_MAX_TERMS;
	o->max_depth = DEFAULT_MAX_DEPTH;
	o->now = (int64_t)time(NULL);
	o->stem = 1;
	o->headline_weight = DEFAULT_HEADLINE_WEIGHT;
	o->syn = NULL;
}

int query_parse(const char *text, const query_options *opts, query **out,
		char *err, size_t errlen)
{
	query_options defaults;
	struct parser p;
	size_t max_length;
	query *q;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!opts) {
		query_options_init(&defaults);
		opts = &defaults;
	}
	if (!text)
		text = "";
	memset(&p, 0, sizeof(p));
	p.o = opts;
	p.err = err;
	p.errlen = errlen;
	p.len = strlen(text);
	max_length = opts->max_length ? opts->max_length : DEFAULT_MAX_LENGTH;
	if (p.len > max_length) {
		perr(&p, "query is longer than %zu bytes", max_length);
		return -1;
	}
	p.max_terms = opts->max_terms ? opts->max_terms : DEFAULT_MAX_TERMS;
	p.max_depth = opts->max_depth ? opts->max_depth : DEFAULT_MAX_DEPTH;
	if (p.max_depth > HARD_MAX_DEPTH)
		p.max_depth = HARD_MAX_DEPTH;
	p.now = opts->now;
	q = wire_calloc(1, sizeof(*q));
	if (!q) {
		oom(&p);
		return -1;
	}
	p.q = q;
	q->len = p.len;
	q->text = wire_arena_strndup(&q->arena, text, p.len);
	if (!q->text) {
		oom(&p);
	} else if ((p.text = q->text), !lex(&p)) {
		{
			qnode *raw = NULL;

			/* The lexer drops stray ')', so one pass reads all. */
			while (!p.failed && peek(&p) != T_END) {
				qnode *x = parse_or(&p);

				if (!p.failed)
					raw = group(&p, p.o->default_or ? R_IOR : R_AND,
						    raw, x);
				if (!p.failed && peek(&p) != T_END)
					p.pos++;
			}
			if (!p.failed)
				q->root = finalize(&p, raw, 0);
		}
	}
	free(p.toks);
	if (p.failed) {
		query_free(q);
		return -1;
	}
	*out = q;
	return 0;
}

int query_is_empty(const query *q)
{
	return !q || !q->root;
}

/* Whether N or a node below it, outside a negation, weighs documents. */
static int node_ranks(const qnode *n)
{
	if (n->kind == Q_FILTER || n->kind == Q_FVAL || n->kind == Q_DATE ||
	    n->kind == Q_NOT)
		return 0;
	if (n->kind == Q_AND_NOT)
		return n->kids && node_ranks(n->kids);
	if (!n->kids)
		return 1;
	for (const qnode *k = n->kids; k; k = k->next)
		if (node_ranks(k))
			return 1;
	return 0;
}

int query_ranks(const query *q)
{
	return q && q->root && node_ranks(q->root);
}

/* A filter value as described: quoted when it would be ambiguous. */
static int describe_value(strbuf *sb, const char *v)
{
	if (*v && !strpbrk(v, " \t\n\"()\\"))
		return strbuf_addstr(sb, v);
	if (strbuf_addch(sb, '"'))
		return -1;
	for (; *v; v++)
		if (((*v == '"' || *v == '\\') && strbuf_addch(sb, '\\')) ||
		    strbuf_addch(sb, *v))
			return -1;
	return strbuf_addch(sb, '"');
}

static int describe_terms(strbuf *sb, const qnode *n)
{
	for (size_t i = 0; i < n->n_terms; i++)
		if ((i && strbuf_addch(sb, ' ')) || strbuf_addstr(sb, n->terms[i]))
			return -1;
	return 0;
}

static int describe(const qnode *n, strbuf *sb)
{
	static const char *const names[] = {
		[Q_SYN] = "SYN", [Q_AND] = "AND", [Q_OR] = "OR",
		[Q_AND_MAYBE] = "AND_MAYBE", [Q_AND_NOT] = "AND_NOT",
		[Q_NOT] = "NOT", [Q_FILTER] = "FILTER",
	};
	int r = 0;

	switch (n->kind) {
	case Q_WORD:
		return strbuf_addf(sb, "WORD(%s)", n->terms[0]);
	case Q_WILDCARD:
		return strbuf_addf(sb, "WILDCARD(%s)", n->terms[0]);
	case Q_PHRASE:
	case Q_HYPHEN:
		r = strbuf_addstr(sb, n->kind == Q_PHRASE ? "PHRASE(" : "HYPHEN(");
		r = r || describe_terms(sb, n);
		if (n->kind == Q_HYPHEN)
			r = r || strbuf_addch(sb, '|') ||
			    strbuf_addstr(sb, n->joined);
		return r || strbuf_addch(sb, ')') ? -1 : 0;
	case Q_FVAL:
		return strbuf_addf(sb, "%s:", n->field->canon) ||
		       describe_value(sb, n->value) ? -1 : 0;
	case Q_DATE:
		return strbuf_addf(sb, "DATE(%s..%s)", n->lo, n->hi);
	case Q_FIELD:
		r = strbuf_addf(sb, "FIELD(%s ", n->field->canon);
		break;
	case Q_NEAR:
	case Q_ADJ:
		r = strbuf_addf(sb, "%s/%u(", n->kind == Q_NEAR ? "NEAR" : "ADJ",
				n->distance);
		break;
	default:
		r = strbuf_addf(sb, "%s(",
				(size_t)n->kind < sizeof names / sizeof names[0] &&
				names[n->kind] ? names[n->kind] : "?");
		break;
	}
	for (const qnode *k = n->kids; k && !r; k = k->next)
		r = (k != n->kids && strbuf_addch(sb, ' ')) || describe(k, sb);
	return r || strbuf_addch(sb, ')') ? -1 : 0;
}

int query_describe(const query *q, strbuf *out)
{
	if (!q || !q->root)
		return strbuf_addstr(out, "EMPTY");
	return describe(q->root, out);
}

void query_free(query *q)
{
	if (!q)
		return;
	free(q->hl_terms);
	free(q->hl_phrases);
	wire_arena_free(q->arena);
	free(q);
}

/* --------------------------------------------------------------------
 * Xapian queries.
 */
struct xb {
	query *q;
	xap_db *db;
	xap_stem *stem[2];
	int every_doc[2];  /* every document is in that language */
	double hw;
	unsigned max_wildcard;
	int do_stem;
	char *err;
	size_t errlen;
	int failed;
};

static const char *const stem_langs[2] = { "en", "es" };

static int xfail(struct xb *b, xap_status st, const char *msg)
{
	if (!b->failed && b->err && b->errlen) {
		if (st == XAP_NOMEM)
			snprintf(b->err, b->errlen, "out of memory");
		else
			snprintf(b->err, b->errlen, "cannot build the query: %s",
				 msg && *msg ? msg : xap_status_name(st));
	}
	b->failed = 1;
	return -1;
}

static int xoom(struct xb *b)
{
	return xfail(b, XAP_NOMEM, NULL);
}

static void free_all(xap_query **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		xap_query_free(v[i]);
}

/* Combine the N queries at V with OP into *OUT, freeing them whatever
 * happens.  One query under AND or OR is itself. */
static int comb(struct xb *b, xap_op op, xap_query **v, size_t n,
		uint32_t window, xap_query **out)
{
	xap_status st;

	*out = NULL;
	if (n == 1 && (op == XAP_OP_AND || op == XAP_OP_OR)) {
		*out = v[0];
		return 0;
	}
	st = xap_query_combine(op, v, n, window, out);
	free_all(v, n);
	if (st != XAP_OK)
		return xfail(b, st, xap_last_message());
	return 0;
}

static int scale(struct xb *b, xap_query **q, double factor)
{
	xap_query *s;
	xap_status st;

	if (factor == 1.0)
		return 0;
	st = xap_query_scale(*q, factor, &s);
	xap_query_free(*q);
	*q = NULL;
	if (st != XAP_OK)
		return xfail(b, st, xap_last_message());
	*q = s;
	return 0;
}

static int term_q(struct xb *b, const char *prefix, const char *term,
		  xap_query **out)
{
	char buf[300];
	size_t pl = strlen(prefix), tl = strlen(term);
	char *t = buf;
	xap_status st;

	*out = NULL;
	if (pl + tl >= sizeof buf && !(t = wire_malloc(pl + tl + 1)))
		return xoom(b);
	memcpy(t, prefix, pl);
	memcpy(t + pl, term, tl + 1);
	st = xap_query_term(t, 1, 0, out);
	if (t != buf)
		free(t);
	if (st != XAP_OK)
		return xfail(b, st, xap_last_message());
	return 0;
}

static int special_q(struct xb *b, int all, xap_query **out)
{
	xap_status st = all ? xap_query_all(out) : xap_query_none(out);

	return st == XAP_OK ? 0 : xfail(b, st, xap_last_message());
}

/* A growable vector of queries. */
struct qv {
	xap_query **v;
	size_t n, cap;
};

static int qv_add(struct xb *b, struct qv *v, xap_query *q)
{
	void *p = v->v;

	if (wire_grow(&p, &v->cap, v->n + 1, sizeof(*v->v))) {
		xap_query_free(q);
		return xoom(b);
	}
	v->v = p;
	v->v[v->n++] = q;
	return 0;
}

static void qv_release(struct qv *v)
{
	free_all(v->v, v->n);
	free(v->v);
	memset(v, 0, sizeof(*v));
}

/* Combine and release the vector. */
static int qv_comb(struct xb *b, struct qv *v, xap_op op, uint32_t window,
		   xap_query **out)
{
	int r;

	if (!v->n) {
		free(v->v);
		memset(v, 0, sizeof(*v));
		return special_q(b, 0, out);
	}
	r = comb(b, op, v->v, v->n, window, out);
	free(v->v);
	memset(v, 0, sizeof(*v));
	return r;
}

/* Stemmed variants. */
struct scan {
	struct xb *b;
	xap_stem *stem;
	const char *stemmed, *word;
	size_t prefix_len;
	unsigned seen;
	const char **keep;
	size_t n_keep;
	int oom;
	xap_status st;
};

static int scan_term(void *ctx, const char *term, size_t len, uint32_t tf)
{
	struct scan *s = ctx;
	const char *t = term + s->prefix_len;
	char *st = NULL;
	int stop = 0;

	(void)tf;
	if (++s->seen > STEM_SCAN)
		return 1;
	if (len < s->prefix_len || !strcmp(t, s->word) ||
	    memchr(t, TEXT_ACRONYM_MARK, len - s->prefix_len))
		return 0;
	if ((s->st = xap_stem_word(s->stem, t, &st)) != XAP_OK)
		return 1;
	if (!strcmp(st, s->stemmed)) {
		char *c = wire_arena_strndup(&s->b->q->arena, t, len - s->prefix_len);

		if (!c) {
			s->oom = 1;
			stop = 1;
		} else {
			s->keep[s->n_keep++] = c;
			stop = s->n_keep >= STEM_KEEP;
		}
	}
	free(st);
	return stop;
}

/* Find the variants of word N in the database (terms under PREFIX) and
 * keep them on N. */
static int find_variants(struct xb *b, qnode *n, const char *prefix)
{
	const char *w = n->terms[0];
	size_t wl = strlen(w), pl = strlen(prefix);

	n->n_var[0] = n->n_var[1] = 0;
	if (!b->do_stem || !b->db || (n->flags & QF_NOSTEM))
		return 0;
	for (int l = 0; l < 2; l++) {
		struct scan s;
		char *stemmed = NULL, *scanp;
		size_t cp = 0;
		xap_status st;

		if (!b->stem[l])
			continue;
		if ((st = xap_stem_word(b->stem[l], w, &stemmed)) != XAP_OK)
			return xfail(b, st, xap_last_message());
		while (cp < wl && stemmed[cp] && stemmed[cp] == w[cp])
			cp++;
		cp = text_utf8_prefix(w, wl, cp);
		{
			char tmp[TEXT_MAX_TERM * 2 + 8];
			size_t chars;

			if (cp >= sizeof tmp)
				cp = text_utf8_prefix(w, wl, sizeof tmp - 1);
			memcpy(tmp, w, cp);
			tmp[cp] = '\0';
			chars = utf8_chars(tmp);
			if (chars < STEM_MIN_PREFIX) {
				free(stemmed);
				continue;
			}
		}
		scanp = wire_malloc(pl + cp + 1);
		memset(&s, 0, sizeof(s));
		s.keep = wire_arena_alloc(&b->q->arena, STEM_KEEP * sizeof(*s.keep));
		if (!scanp || !s.keep) {
			free(scanp);
			free(stemmed);
			return xoom(b);
		}
		memcpy(scanp, prefix, pl);
		memcpy(scanp + pl, w, cp);
		scanp[pl + cp] = '\0';
		s.b = b;
		s.stem = b->stem[l];
		s.stemmed = stemmed;
		s.word = w;
		s.prefix_len = pl;
		st = xap_db_allterms(b->db, scanp, scan_term, &s);
		free(scanp);
		free(stemmed);
		if (st == XAP_OK)
			st = s.st;
		if (s.oom || st == XAP_NOMEM)
			return xoom(b);
		/* A database error (a writer moved the revision on: MODIFIED)
		 * costs the expansion, not the query: running it meets the
		 * same error, and the caller reopens and tries again. */
		if (st != XAP_OK)
			continue;
		n->var[l] = s.keep;
		n->n_var[l] = s.n_keep;
	}
	return 0;
}

/* Word N in the field with PREFIX: the exact form, or stemmed variants
 * restricted to documents of their language and weighted down. */
static int word_q(struct xb *b, const qnode *n, const char *prefix,
		  xap_query **out)
{
	struct qv v = { NULL, 0, 0 };
	xap_query *q;

	if (term_q(b, prefix, n->terms[0], &q) || qv_add(b, &v, q))
		goto fail;
	for (int l = 0; l < 2; l++) {
		struct qv syn = { NULL, 0, 0 };
		xap_query *f[2];

		if (!n->n_var[l])
			continue;
		for (size_t i = 0; i < n->n_var[l]; i++)
			if (term_q(b, prefix, n->var[l][i], &q) ||
			    qv_add(b, &syn, q)) {
				qv_release(&syn);
				goto fail;
			}
		if (qv_comb(b, &syn, XAP_OP_SYNONYM, 0, &f[0]))
			goto fail;
		if (b->every_doc[l]) {
			/* A filter every document passes: none. */
			q = f[0];
		} else {
			if (term_q(b, PREFIX_LANGUAGE, stem_langs[l], &f[1])) {
				xap_query_free(f[0]);
				goto fail;
			}
			if (comb(b, XAP_OP_FILTER, f, 2, 0, &q))
				goto fail;
		}
		if (scale(b, &q, STEM_WEIGHT) || qv_add(b, &v, q))
			goto fail;
	}
	return qv_comb(b, &v, XAP_OP_OR, 0, out);
fail:
	qv_release(&v);
	return -1;
}

static int wildcard_seen(void *ctx, const char *term, size_t len, uint32_t tf)
{
	struct scan *s = ctx;

	(void)tf;
	if (len <= s->prefix_len)
		return 0;
	s->keep[s->n_keep] = wire_arena_strndup(&s->b->q->arena, term + s->prefix_len,
					   len - s->prefix_len);
	if (!s->keep[s->n_keep]) {
		s->oom = 1;
		return 1;
	}
	return ++s->n_keep >= WILDCARD_HIGHLIGHT;
}

/* Remember some expansions of wildcard N, for the highlighter. */
static int find_expansions(struct xb *b, qnode *n, const char *prefix)
{
	struct scan s;
	strbuf sb = STRBUF_INIT;
	xap_status st;

	n->n_var[0] = 0;
	if (!b->db)
		return 0;
	memset(&s, 0, sizeof(s));
	s.b = b;
	s.prefix_len = strlen(prefix);
	s.keep = wire_arena_alloc(&b->q->arena, WILDCARD_HIGHLIGHT * sizeof(*s.keep));
	if (!s.keep || strbuf_addstr(&sb, prefix) ||
	    strbuf_addstr(&sb, n->terms[0])) {
		strbuf_release(&sb);
		return xoom(b);
	}
	st = xap_db_allterms(b->db, sb.buf, wildcard_seen, &s);
	strbuf_release(&sb);
	if (s.oom || st == XAP_NOMEM)
		return xoom(b);
	if (st != XAP_OK)
		return 0;  /* as in find_variants() */
	n->var[0] = s.keep;
	n->n_var[0] = s.n_keep;
	return 0;
}

static int wildcard_q(struct xb *b, const qnode *n, const char *prefix,
		      xap_query **out)
{
	strbuf sb = STRBUF_INIT;
	xap_status st;

	*out = NULL;
	if (strbuf_addstr(&sb, prefix) || strbuf_addstr(&sb, n->terms[0])) {
		strbuf_release(&sb);
		return xoom(b);
	}
	st = xap_query_wildcard(sb.buf, b->max_wildcard, out);
	strbuf_release(&sb);
	return st == XAP_OK ? 0 : xfail(b, st, xap_last_message());
}

static int phrase_q(struct xb *b, const char *const *terms, size_t n,
		    const char *prefix, xap_query **out)
{
	struct qv v = { NULL, 0, 0 };

	for (size_t i = 0; i < n; i++) {
		xap_query *t;

		if (term_q(b, prefix, terms[i], &t) || qv_add(b, &v, t)) {
			qv_release(&v);
			return -1;
		}
	}
	if (n == 1)
		return qv_comb(b, &v, XAP_OP_OR, 0, out);
	return qv_comb(b, &v, XAP_OP_PHRASE, (uint32_t)n, out);
}

struct expand {
	struct xb *b;
	struct qv v;
	unsigned n;
	int failed, over;
};

static int expand_term(void *ctx, const char *term, size_t len, uint32_t tf)
{
	struct expand *e = ctx;
	xap_query *q;
	xap_status st;

	(void)len;
	(void)tf;
	if (++e->n > e->b->max_wildcard) {
		e->over = 1;
		return 1;
	}
	if ((st = xap_query_term(term, 1, 0, &q)) != XAP_OK) {
		xfail(e->b, st, xap_last_message());
		e->failed = 1;
		return 1;
	}
	if (qv_add(e->b, &e->v, q)) {
		e->failed = 1;
		return 1;
	}
	return 0;
}

/* A wildcard inside NEAR or ADJ: Xapian 1.4 takes only terms (or an OR of
 * terms) there, so the wildcard is expanded here, with the same bound.
 * Without a database it matches nothing. */
static int wildcard_atom(struct xb *b, const qnode *n, const char *prefix,
			 xap_query **out)
{
	struct expand e;
	strbuf sb = STRBUF_INIT;
	xap_status st;

	*out = NULL;
	if (!b->db)
		return special_q(b, 0, out);
	memset(&e, 0, sizeof(e));
	e.b = b;
	if (strbuf_addstr(&sb, prefix) || strbuf_addstr(&sb, n->terms[0])) {
		strbuf_release(&sb);
		return xoom(b);
	}
	st = xap_db_allterms(b->db, sb.buf, expand_term, &e);
	strbuf_release(&sb);
	if (e.failed) {
		qv_release(&e.v);
		return -1;
	}
	if (st != XAP_OK) {
		qv_release(&e.v);
		return xfail(b, st, xap_db_message(b->db));
	}
	if (e.over) {
		qv_release(&e.v);
		if (b->err && b->errlen)
			snprintf(b->err, b->errlen,
				 "wildcard '%s*' matches more than %u words",
				 n->terms[0], b->max_wildcard);
		b->failed = 1;
		return -1;
	}
	return qv_comb(b, &e.v, XAP_OP_OR, 0, out);
}

/* The atoms of a NEAR or ADJ operand: one query per position. */
static int near_atoms(struct xb *b, qnode *n, const char *prefix,
		      struct qv *atoms)
{
	xap_query *q;

	switch (n->kind) {
	case Q_WORD: {
		struct qv v = { NULL, 0, 0 };

		if (term_q(b, prefix, n->terms[0], &q) || qv_add(b, &v, q))
			goto word_fail;
		for (int l = 0; l < 2; l++)
			for (size_t i = 0; i < n->n_var[l]; i++)
				if (term_q(b, prefix, n->var[l][i], &q) ||
				    qv_add(b, &v, q))
					goto word_fail;
		if (qv_comb(b, &v, XAP_OP_OR, 0, &q))
			return -1;
		return qv_add(b, atoms, q);
word_fail:
		qv_release(&v);
		return -1;
	}
	case Q_PHRASE:
	case Q_HYPHEN:
		for (size_t i = 0; i < n->n_terms; i++)
			if (term_q(b, prefix, n->terms[i], &q) ||
			    qv_add(b, atoms, q))
				return -1;
		return 0;
	case Q_WILDCARD:
		if (wildcard_atom(b, n, prefix, &q))
			return -1;
		return qv_add(b, atoms, q);
	case Q_FIELD:
		return near_atoms(b, n->kids, n->field->prefix, atoms);
	case Q_OR: {
		struct qv v = { NULL, 0, 0 };

		for (qnode *k = n->kids; k; k = k->next)
			if (near_atoms(b, k, prefix, &v)) {
				qv_release(&v);
				return -1;
			}
		if (qv_comb(b, &v, XAP_OP_OR, 0, &q))
			return -1;
		return qv_add(b, atoms, q);
	}
	default:
		return 0;
	}
}

static int near_q(struct xb *b, qnode *n, const char *prefix, xap_query **out)
{
	struct qv atoms = { NULL, 0, 0 };
	uint32_t window;

	for (qnode *k = n->kids; k; k = k->next)
		if (near_atoms(b, k, prefix, &atoms)) {
			qv_release(&atoms);
			return -1;
		}
	window = n->distance + (uint32_t)atoms.n - 1;
	return qv_comb(b, &atoms, n->kind == Q_NEAR ? XAP_OP_NEAR : XAP_OP_PHRASE,
		       window, out);
}

/* Prepare N for building: find stem variants and wildcard expansions
 * (once per node, whatever the number of fields it is built for). */
static int prepare(struct xb *b, qnode *n, const char *prefix)
{
	const char *scan = prefix ? prefix : PREFIX_BODY;

	switch (n->kind) {
	case Q_WORD:
		return find_variants(b, n, scan);
	case Q_WILDCARD:
		return find_expansions(b, n, scan);
	case Q_FIELD:
		return prepare(b, n->kids, n->field->prefix);
	default:
		for (qnode *k = n->kids; k; k = k->next)
			if (prepare(b, k, prefix))
				return -1;
		return 0;
	}
}

static int build(struct xb *b, qnode *n, const char *prefix, xap_query **out);

/* A positional node in one field. */
static int build_in(struct xb *b, qnode *n, const char *prefix,
		    xap_query **out)
{
	switch (n->kind) {
	case Q_WORD:
		return word_q(b, n, prefix, out);
	case Q_PHRASE:
		return phrase_q(b, n->terms, n->n_terms, prefix, out);
	case Q_HYPHEN: {
		xap_query *v[2];

		if (phrase_q(b, n->terms, n->n_terms, prefix, &v[0]))
			return -1;
		if (term_q(b, prefix, n->joined, &v[1])) {
			xap_query_free(v[0]);
			return -1;
		}
		return comb(b, XAP_OP_OR, v, 2, 0, out);
	}
	case Q_WILDCARD:
		return wildcard_q(b, n, prefix, out);
	default:
		return near_q(b, n, prefix, out);
	}
}

/* A positional node in its field, or when unfielded in the body, the
 * headline (weighted up) and the dateline. */
static int build_fields(struct xb *b, qnode *n, const char *prefix,
			xap_query **out)
{
	static const char *const dflt[] = { PREFIX_BODY, PREFIX_HEADLINE,
					    PREFIX_DATELINE };
	xap_query *v[3];

	if (prefix)
		return build_in(b, n, prefix, out);
	for (size_t i = 0; i < 3; i++)
		if (build_in(b, n, dflt[i], &v[i]) ||
		    (i == 1 && scale(b, &v[i], b->hw))) {
			free_all(v, i);
			return -1;
		}
	return comb(b, XAP_OP_OR, v, 3, 0, out);
}

/* The day of T, a 14-digit time, into *D when T's time of day is TAIL:
 * 0, or -1 when T is something else. */
static int whole_day(const char *t, const char *tail, struct day *d)
{
	int64_t m, dd;

	if (strlen(t) != 14 || strcmp(t + 8, tail) ||
	    (d->y = digits_val(t, 4)) < 1 || (m = digits_val(t + 4, 2)) < 1 ||
	    m > 12 || (dd = digits_val(t + 6, 2)) < 1 ||
	    dd > days_in_month(d->y, (int)m))
		return -1;
	d->m = (int)m;
	d->d = (int)dd;
	return 0;
}

/* Whether the day Y-M-D is E or before it. */
static int day_until(int64_t y, int m, int d, const struct day *e)
{
	return y != e->y ? y < e->y : m != e->m ? m < e->m : d <= e->d;
}

#define MAX_DATE_TERMS 400

/* The whole days LO..HI as the OR of the year, month and day terms that
 * cover them exactly: whole years, whole months, then single days.  The
 * terms and the value on SLOT_DATE come from the same UTC date, so they
 * match the same documents; a filter of terms merges posting lists where
 * a value range reads the value of every candidate (three times faster on
 * a month of 215,780 dispatches).  Returns 0 with the query in *OUT; 1
 * when LO..HI are not whole days or need more than MAX_DATE_TERMS terms
 * (the caller uses the value range); -1 on error. */
static int date_terms(struct xb *b, const char *lo, const char *hi,
		      xap_query **out)
{
	struct day c, e;
	struct qv v = { NULL, 0, 0 };
	char term[24];
	xap_query *q;
	xap_status st;

	if (whole_day(lo, "000000", &c) || whole_day(hi, "235959", &e))
		return 1;
	while (day_until(c.y, c.m, c.d, &e)) {
		int last = days_in_month(c.y, c.m);

		if (v.n == MAX_DATE_TERMS) {
			qv_release(&v);
			return 1;
		}
		if (c.m == 1 && c.d == 1 && day_until(c.y, 12, 31, &e)) {
			snprintf(term, sizeof(term), PREFIX_YEAR "%04d", (int)c.y);
			c.y++;
		} else if (c.d == 1 && day_until(c.y, c.m, last, &e)) {
			snprintf(term, sizeof(term), PREFIX_MONTH "%04d%02d",
				 (int)c.y, c.m);
			c.d = last;
			c = add_days(c, 1);
		} else {
			snprintf(term, sizeof(term), PREFIX_DAY "%04d%02d%02d",
				 (int)c.y, c.m, c.d);
			c = add_days(c, 1);
		}
		if ((st = xap_query_term(term, 1, 0, &q)) != XAP_OK) {
			qv_release(&v);
			return xfail(b, st, xap_last_message());
		}
		if (qv_add(b, &v, q)) {
			qv_release(&v);
			return -1;
		}
	}
	return qv_comb(b, &v, XAP_OP_OR, 0, out);
}

/* A filter for the dates LO..HI (14-digit times, "" for an open end) by
 * date_terms(), an open end closed at the first or last day the index
 * holds (Xapian's bounds on the date slot: every date lies within them).
 * Returns as date_terms(); 1 also when there is no database to ask. */
static int date_filter(struct xb *b, const char *lo, const char *hi,
		       xap_query **out)
{
	char *first = NULL, *last = NULL, l[16], h[16];
	int r = 1;

	if ((!*lo || !*hi) &&
	    (!b->db ||
	     xap_db_value_bounds(b->db, SLOT_DATE, &first, &last) != XAP_OK ||
	     strlen(first) != 14 || strlen(last) != 14))
		goto out;
	if (*lo)
		snprintf(l, sizeof(l), "%s", lo);
	else
		snprintf(l, sizeof(l), "%.8s000000", first);
	if (*hi)
		snprintf(h, sizeof(h), "%s", hi);
	else
		snprintf(h, sizeof(h), "%.8s235959", last);
	r = date_terms(b, l, h, out);
out:
	free(first);
	free(last);
	return r;
}

/* The boolean part of a FILTER: one query per field (its values ORed), to
 * be ANDed. */
static int filter_parts(struct xb *b, const qnode *f, struct qv *parts)
{
	for (const qnode *k = f->kids; k;) {
		const char *field = filter_field(k);
		struct qv v = { NULL, 0, 0 };
		xap_query *q;

		for (; k && !strcmp(filter_field(k), field); k = k->next) {
			xap_status st = XAP_OK;
			int r;

			if (k->kind == Q_FVAL) {
				st = xap_query_term(k->term, 1, 0, &q);
			} else if ((r = date_filter(b, k->lo, k->hi, &q)) < 0) {
				qv_release(&v);
				return -1;
			} else if (r) { /* not whole days, or too many of them */
				st = xap_query_value_range(SLOT_DATE,
							   *k->lo ? k->lo : NULL,
							   *k->hi ? k->hi : NULL,
							   &q);
			}
			if (st != XAP_OK) {
				qv_release(&v);
				return xfail(b, st, xap_last_message());
			}
			if (qv_add(b, &v, q)) {
				qv_release(&v);
				return -1;
			}
		}
		if (qv_comb(b, &v, XAP_OP_OR, 0, &q) || qv_add(b, parts, q))
			return -1;
	}
	return 0;
}

/* FIRST (taken) restricted by filter F. */
static int apply_filter(struct xb *b, xap_query *first, const qnode *f,
			xap_query **out)
{
	struct qv v = { NULL, 0, 0 };

	if (qv_add(b, &v, first) || filter_parts(b, f, &v)) {
		qv_release(&v);
		return -1;
	}
	return qv_comb(b, &v, XAP_OP_FILTER, 0, out);
}

static int build(struct xb *b, qnode *n, const char *prefix, xap_query **out)
{
	struct qv v = { NULL, 0, 0 };
	xap_query *q;
	qnode *k;

	*out = NULL;
	switch (n->kind) {
	case Q_WORD:
	case Q_PHRASE:
	case Q_HYPHEN:
	case Q_WILDCARD:
	case Q_NEAR:
	case Q_ADJ:
		return build_fields(b, n, prefix, out);
	case Q_FIELD:
		return build(b, n->kids, n->field->prefix, out);
	case Q_FILTER:
		if (special_q(b, 1, &q))
			return -1;
		return apply_filter(b, q, n, out);
	case Q_NOT:
		if (special_q(b, 1, &q) || qv_add(b, &v, q))
			goto fail;
		break;
	default:
		break;
	}
	for (k = n->kids; k; k = k->next) {
		if (n->kind == Q_AND && k->kind == Q_FILTER && !k->next)
			break;
		if ((n->kind == Q_AND_NOT || n->kind == Q_NOT) && k != n->kids &&
		    k->kind == Q_FILTER) {
			/* An excluded filter needs no weight. */
			struct qv parts = { NULL, 0, 0 };

			if (filter_parts(b, k, &parts) ||
			    qv_comb(b, &parts, XAP_OP_AND, 0, &q))
				goto fail;
		} else if (n->kind == Q_NOT && k->kind == Q_FILTER) {
			struct qv parts = { NULL, 0, 0 };

			if (filter_parts(b, k, &parts) ||
			    qv_comb(b, &parts, XAP_OP_AND, 0, &q))
				goto fail;
		} else if (build(b, k, prefix, &q)) {
			goto fail;
		}
		if (qv_add(b, &v, q))
			goto fail;
	}
	switch (n->kind) {
	case Q_AND:
		if (k) {
			if (qv_comb(b, &v, XAP_OP_AND, 0, &q))
				return -1;
			return apply_filter(b, q, k, out);
		}
		return qv_comb(b, &v, XAP_OP_AND, 0, out);
	case Q_OR:
	case Q_SYN:
		return qv_comb(b, &v, XAP_OP_OR, 0, out);
	case Q_AND_MAYBE:
		return qv_comb(b, &v, XAP_OP_AND_MAYBE, 0, out);
	case Q_AND_NOT:
	case Q_NOT:
		return qv_comb(b, &v, XAP_OP_AND_NOT, 0, out);
	default:
		qv_release(&v);
		return special_q(b, 0, out);
	}
fail:
	qv_release(&v);
	return -1;
}

int query_to_xapian(query *q, xap_db *db, const query_options *opts,
		    xap_query **out, char *err, size_t errlen)
{
	query_options defaults;
	struct xb b;
	uint32_t docs = 0;
	int r = 0;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!opts) {
		query_options_init(&defaults);
		opts = &defaults;
	}
	memset(&b, 0, sizeof(b));
	b.q = q;
	b.db = db;
	b.err = err;
	b.errlen = errlen;
	b.hw = opts->headline_weight > 0 ? opts->headline_weight
					 : DEFAULT_HEADLINE_WEIGHT;
	b.max_wildcard = opts->max_wildcard ? opts->max_wildcard
					    : DEFAULT_MAX_WILDCARD;
	b.do_stem = opts->stem && db;
	if (!q || !q->root)
		return special_q(&b, 0, out);
	/* An index without documents in a stemmer's language needs none of
	 * its variants; one with only such documents no filter on them.  (On
	 * an error, both as usual.) */
	if (b.do_stem && xap_db_doccount(db, &docs) != XAP_OK)
		docs = 0;
	if (b.do_stem)
		for (int l = 0; l < 2; l++) {
			xap_status st;
			uint32_t in_lang = 0;
			char term[8];

			snprintf(term, sizeof(term), "%s%s", PREFIX_LANGUAGE, stem_langs[l]);
			if (docs && xap_db_termfreq(db, term, &in_lang) == XAP_OK) {
				if (!in_lang)
					continue;
				b.every_doc[l] = in_lang == docs;
			}
			st = xap_stem_new(stem_langs[l], &b.stem[l]);
			if (st == XAP_NOMEM) {
				r = xoom(&b);
				goto out;
			}
			/* A Xapian without that language: no stemming. */
			if (st != XAP_OK)
				b.stem[l] = NULL;
		}
	r = prepare(&b, q->root, NULL);
	if (!r)
		r = build(&b, q->root, NULL, out);
out:
	xap_stem_free(b.stem[0]);
	xap_stem_free(b.stem[1]);
	return r;
}

/* --------------------------------------------------------------------
 * Highlights.
 */
static int hl_term(query *q, const char *t)
{
	void *p = q->hl_terms;

	for (size_t i = 0; i < q->n_hl_terms; i++)
		if (!strcmp(q->hl_terms[i], t))
			return 0;
	if (q->n_hl_terms >= HIGHLIGHT_MAX)
		return 0;
	if (wire_grow(&p, &q->cap_hl_terms, q->n_hl_terms + 1,
		      sizeof(*q->hl_terms)))
		return -1;
	q->hl_terms = p;
	q->hl_terms[q->n_hl_terms++] = t;
	return 0;
}

static int hl_phrase(query *q, const char **terms, size_t n)
{
	void *p = q->hl_phrases;

	if (n == 1)
		return hl_term(q, terms[0]);
	for (size_t i = 0; i < q->n_hl_phrases; i++) {
		const query_phrase *ph = &q->hl_phrases[i];
		size_t j;

		if (ph->n != n)
			continue;
		for (j = 0; j < n && !strcmp(ph->terms[j], terms[j]); j++)
			;
		if (j == n)
			return 0;
	}
	if (q->n_hl_phrases >= HIGHLIGHT_MAX)
		return 0;
	if (wire_grow(&p, &q->cap_hl_phrases, q->n_hl_phrases + 1,
		      sizeof(*q->hl_phrases)))
		return -1;
	q->hl_phrases = p;
	q->hl_phrases[q->n_hl_phrases].terms = terms;
	q->hl_phrases[q->n_hl_phrases].n = n;
	q->n_hl_phrases++;
	return 0;
}

static int highlight(query *q, const qnode *n)
{
	switch (n->kind) {
	case Q_WORD:
		if (hl_term(q, n->terms[0]))
			return -1;
		for (int l = 0; l < 2; l++)
			for (size_t i = 0; i < n->n_var[l]; i++)
				if (hl_term(q, n->var[l][i]))
					return -1;
		return 0;
	case Q_WILDCARD:
		for (size_t i = 0; i < n->n_var[0]; i++)
			if (hl_term(q, n->var[0][i]))
				return -1;
		return 0;
	case Q_PHRASE:
		return hl_phrase(q, n->terms, n->n_terms);
	case Q_HYPHEN:
		return hl_phrase(q, n->terms, n->n_terms) || hl_term(q, n->joined)
		       ? -1 : 0;
	case Q_NEAR:
	case Q_ADJ:
		/* Each word of a NEAR is marked on its own. */
		for (const qnode *k = n->kids; k; k = k->next) {
			const qnode *x = k->kind == Q_FIELD ? k->kids : k;

			if (x->kind == Q_PHRASE || x->kind == Q_HYPHEN) {
				if (hl_phrase(q, x->terms, x->n_terms))
					return -1;
			} else if (highlight(q, x)) {
				return -1;
			}
		}
		return 0;
	case Q_NOT:
	case Q_FILTER:
	case Q_FVAL:
	case Q_DATE:
		return 0;
	case Q_AND_NOT:
		return highlight(q, n->kids);
	default:
		for (const qnode *k = n->kids; k; k = k->next)
			if (highlight(q, k))
				return -1;
		return 0;
	}
}

int query_highlights(query *q, query_highlight *out)
{
	memset(out, 0, sizeof(*out));
	if (!q)
		return 0;
	q->n_hl_terms = 0;
	q->n_hl_phrases = 0;
	if (q->root && highlight(q, q->root))
		return -1;
	out->terms = q->hl_terms;
	out->n_terms = q->n_hl_terms;
	out->phrases = q->hl_phrases;
	out->n_phrases = q->n_hl_phrases;
	return 0;
}

/* --------------------------------------------------------------------
 * Spelling suggestions.
 */
struct plain {
	const qnode **v;
	size_t n, cap;
};

static int collect_plain(const qnode *n, struct plain *pl)
{
	if (n->kind == Q_WORD && (n->flags & QF_PLAIN)) {
		void *p = pl->v;

		if (wire_grow(&p, &pl->cap, pl->n + 1, sizeof(*pl->v)))
			return -1;
		pl->v = p;
		pl->v[pl->n++] = n;
		return 0;
	}
	for (const qnode *k = n->kids; k; k = k->next)
		if (collect_plain(k, pl))
			return -1;
	return 0;
}

static int cmp_src(const void *a, const void *b)
{
	const qnode *x = *(const qnode *const *)a, *y = *(const qnode *const *)b;

	return x->src < y->src ? -1 : x->src > y->src;
}

/* Documents with WORD in the body or the headline (the larger count). */
static xap_status word_freq(xap_db *db, const char *word, uint32_t *out)
{
	char buf[TEXT_MAX_TERM * 2 + 8];
	uint32_t a = 0, h = 0;
	xap_status st;
	int k = snprintf(buf, sizeof buf, "%s%s", PREFIX_HEADLINE, word);

	*out = 0;
	if (k < 0 || (size_t)k >= sizeof buf)
		return XAP_OK;
	if ((st = xap_db_termfreq(db, word, &a)) != XAP_OK ||
	    (st = xap_db_termfreq(db, buf, &h)) != XAP_OK)
		return st;
	*out = a > h ? a : h;
	return XAP_OK;
}

/* The suggestion S in the case the user typed ORIG in: all capitals, a
 * capital first, or as is (ASCII letters only). */
static int add_cased(strbuf *sb, const char *orig, size_t olen, const char *s)
{
	size_t upper = 0, lower = 0;
	size_t at = sb->len;

	for (size_t i = 0; i < olen; i++) {
		if (orig[i] >= 'A' && orig[i] <= 'Z')
			upper++;
		else if (orig[i] >= 'a' && orig[i] <= 'z')
			lower++;
	}
	if (strbuf_addstr(sb, s))
		return -1;
	if (upper && !lower && olen > 1) {
		for (size_t i = at; i < sb->len; i++)
			if (sb->buf[i] >= 'a' && sb->buf[i] <= 'z')
				sb->buf[i] = (char)(sb->buf[i] - 'a' + 'A');
	} else if (olen && orig[0] >= 'A' && orig[0] <= 'Z' &&
		   sb->buf[at] >= 'a' && sb->buf[at] <= 'z') {
		sb->buf[at] = (char)(sb->buf[at] - 'a' + 'A');
	}
	return 0;
}

int query_suggest(query *q, xap_db *db, char **out)
{
	struct plain pl = { NULL, 0, 0 };
	strbuf sb = STRBUF_INIT;
	size_t at = 0;
	int changed = 0, r = -1;

	*out = NULL;
	if (!q || !q->root || !db)
		return 0;
	if (collect_plain(q->root, &pl))
		goto out;
	if (pl.n)
		qsort(pl.v, pl.n, sizeof(*pl.v), cmp_src);
	for (size_t i = 0; i < pl.n; i++) {
		const qnode *n = pl.v[i];
		const char *w = n->terms[0];
		uint32_t tf, stf;
		char *s = NULL;

		if (n->src < at)
			continue;
		if (word_freq(db, w, &tf) != XAP_OK)
			goto out;
		if (tf >= 3)
			continue;
		if (xap_db_spelling_suggestion(db, w, 2, &s) != XAP_OK)
			goto out;
		if (!s)
			continue;
		if (!strcmp(s, w) || word_freq(db, s, &stf) != XAP_OK ||
		    !stf || stf < 5 * (uint64_t)tf) {
			free(s);
			continue;
		}
		if (strbuf_add(&sb, q->text + at, n->src - at) ||
		    add_cased(&sb, q->text + n->src, n->src_len, s)) {
			free(s);
			goto out;
		}
		free(s);
		at = n->src + n->src_len;
		changed = 1;
	}
	if (changed) {
		if (strbuf_add(&sb, q->text + at, q->len - at))
			goto out;
		*out = strbuf_detach(&sb, NULL);
		if (!*out)
			goto out;
	}
	r = 0;
out:
	strbuf_release(&sb);
	free(pl.v);
	return r;
}
