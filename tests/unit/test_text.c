/*
 * test_text.c - the tokenizer's rules, one table row each, and text hygiene.
 *
 * A row gives a mode, an input and the expected tokens, written
 *
 *	term@position[flags]
 *
 * separated by one space, in the order text_tokenize() emits them; the
 * flag characters are '+' joined form, '-' part of a hyphenated word, '#'
 * number, '!' cut (TEXT_TOKEN_JOINED, _PART, _NUMBER, _CUT).  An acronym
 * term is the one starting with '^' (the collector checks that
 * TEXT_TOKEN_ACRONYM is set exactly then).  A cut term is shown as its
 * first four bytes, "...", and its last nine ("~" and the hash).  Positions
 * start at 1.  A row may also give the offsets and word index of each
 * token, "start-end/word", and the number of invalid UTF-8 sequences.
 *
 * Every row is also run through checks that hold for all inputs: the
 * highlighter sees what the indexer sees; the query tokens of a text are
 * among its index tokens (a query finds the text it was copied from); and
 * the slow (utf8proc) path folds ASCII as the fast path does (the input is
 * run again with a soft hyphen between adjacent ASCII letters, which sends
 * every word down the slow path and must change no term).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "alloc.h"
#include "text.h"

#define I TEXT_FOR_INDEX
#define Q TEXT_FOR_QUERY
#define H TEXT_FOR_HIGHLIGHT

struct row {
	enum text_mode mode;
	const char *in;
	const char *expect;
	const char *offsets;  /* NULL: not checked */
	size_t invalid;       /* expected stats.invalid_utf8 */
	size_t inlen;         /* 0: strlen(in) */
};

#define A10 "aaaaaaaaaa"
#define A130 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10
#define B10 "BBBBBBBBBB"
#define B120 B10 B10 B10 B10 B10 B10 B10 B10 B10 B10 B10 B10
#define b10 "bbbbbbbbbb"
#define X10 "xxxxxxxxxx"
#define Y10 "yyyyyyyyyy"

static const struct row rows[] = {
	/* Unicode: folding, diacritics, scripts */
	{ I, "Muttaqī met Bogotá officials",
	  "muttaqi@1 met@2 bogota@3 officials@4",
	  "0-8/0 9-12/1 13-20/2 21-30/3", 0, 0 },
	{ I, "España y Düsseldorf", "espana@1 y@2 dusseldorf@3",
	  "0-7/0 8-9/1 10-21/2", 0, 0 },
	{ I, "Año Nuevo en Bogotá", "ano@1 nuevo@2 en@3 bogota@4", NULL, 0, 0 },
	{ I, "Straße in İstanbul", "strasse@1 in@2 istanbul@3", NULL, 0, 0 },
	{ I, "Bogota\xcc\x81 (decomposed)", "bogota@1 decomposed@2",
	  "0-8/0 10-20/1", 0, 0 },
	{ I, "ＰＡＫＩＳＴＡＮ ﬁnal x²", "pakistan@1 final@2 x2@3",
	  "0-24/0 25-31/1 32-35/2", 0, 0 },
	{ I, "Αθήνα, Москва, كابول, 北京", "αθηνα@1 москва@2 كابول@3 北京@4",
	  NULL, 0, 0 },
	{ I, "ÁFRICA DEL SUR", "africa@1 del@2 ^del@2 sur@3",
	  NULL, 0, 0 },
	{ I, "Paki\xc2\xadstan", "pakistan@1", "0-10/0", 0, 0 },
	{ I, "a \xcc\x81 b", "a@1 b@2", NULL, 0, 0 },
	{ I, "kabul\0herat", "kabul@1 herat@2", "0-5/0 6-11/1", 0, 11 },
	{ I, "Kabul\xffHerat", "kabul@1 herat@2", "0-5/0 6-11/1", 1, 0 },
	{ I, "\xe2\x82x caf\xc3", "x@1 caf@2", "2-3/0 4-7/1", 2, 0 },
	{ I, "\xed\xa0\x80" "abc \xc0\xaf" "def", "abc@1 def@2", NULL, 5, 0 },
	{ I, "Espa\xf1" "a (Latin-1)", "espa@1 a@2 latin@3- latin1@3+ 1@4-#",
	  NULL, 1, 0 },

	/* apostrophes and possessives */
	{ I, "Pakistan's army", "pakistan@1 army@2", "0-10/0 11-15/1", 0, 0 },
	{ I, "Pakistan’s army", "pakistan@1 army@2", "0-12/0 13-17/1", 0, 0 },
	{ I, "Pakistanʼs army", "pakistan@1 army@2", "0-11/0 12-16/1", 0, 0 },
	{ Q, "Pakistan’s", "pakistan@1", NULL, 0, 0 },
	{ I, "the Taliban‘s rule", "the@1 taliban@2 rule@3", NULL, 0, 0 },
	{ I, "the countries' leaders", "the@1 countries@2 leaders@3",
	  "0-3/0 4-14/1 15-22/2", 0, 0 },
	{ I, "the boss’ car", "the@1 boss@2 car@3", "0-3/0 4-11/1 12-15/2",
	  0, 0 },
	{ I, "O'Brien and d'Ivoire", "obrien@1 and@2 divoire@3",
	  "0-7/0 8-11/1 12-20/2", 0, 0 },
	{ I, "Côte d’Ivoire", "cote@1 divoire@2", "0-5/0 6-16/1", 0, 0 },
	{ I, "rock'n'roll in the 1990's", "rocknroll@1 in@2 the@3 1990@4#",
	  NULL, 0, 0 },
	{ I, "'quoted' and ‘Taliban’", "quoted@1 and@2 taliban@3",
	  "1-7/0 9-12/1 16-23/2", 0, 0 },
	{ I, "la ‘movida’ madrileña", "la@1 movida@2 madrilena@3", NULL, 0, 0 },
	{ I, "l’Équipe de l'ONU", "lequipe@1 de@2 lonu@3", NULL, 0, 0 },
	{ I, "PAKISTAN'S ARMY", "pakistan@1 army@2",
	  NULL, 0, 0 },

	/* hyphens */
	{ I, "Tehreek-e-Taliban Pakistan",
	  "tehreek@1- tehreeketaliban@1+ e@2- taliban@3- pakistan@4",
	  "0-7/0 0-17/0 8-9/0 10-17/0 18-26/1", 0, 0 },
	{ Q, "Tehreek-e-Taliban Pakistan",
	  "tehreek@1- tehreeketaliban@1+ e@2- taliban@3- pakistan@4",
	  NULL, 0, 0 },
	{ H, "Tehreek-e-Taliban’s", "tehreek@1- tehreeketaliban@1+ e@2- "
	  "taliban@3-", "0-7/0 0-21/0 8-9/0 10-21/0", 0, 0 },
	{ I, "al‐Qaeda non‑stop", "al@1- alqaeda@1+ qaeda@2- non@3- "
	  "nonstop@3+ stop@4-", "0-2/0 0-10/0 5-10/0 11-14/1 11-21/1 17-21/1",
	  0, 0 },
	{ I, "Kabul–Herat guerra—paz", "kabul@1 herat@2 guerra@3 paz@4",
	  NULL, 0, 0 },
	{ I, "well--known -leading trailing-",
	  "well@1 known@2 leading@3 trailing@4", NULL, 0, 0 },
	{ I, "el eje franco-alemán", "el@1 eje@2 franco@3- francoaleman@3+ "
	  "aleman@4-", "0-2/0 3-6/1 7-13/2 7-21/2 14-21/2", 0, 0 },
	{ I, "F-16 y COVID-19", "f@1- f16@1+ 16@2-# y@3 covid@4- "
	  "covid19@4+ 19@5-#", NULL, 0, 0 },
	{ I, "U.S.-led talks", "us@1- ^us@1- usled@1+ led@2- talks@3",
	  "0-4/0 0-4/0 0-8/0 5-8/0 9-14/1", 0, 0 },
	{ Q, "U.S.-led talks", "^us@1- usled@1+ led@2- talks@3", NULL, 0, 0 },
	{ I, "the U.S.'s role, IT-based", "the@1 us@2 ^us@2 role@3 it@4- ^it@4- "
	  "itbased@4+ based@5-", "0-3/0 4-10/1 4-10/1 11-15/2 17-19/3 17-19/3 "
	  "17-25/3 20-25/3", 0, 0 },
	{ Q, "the U.S.'s role, IT-based", "the@1 ^us@2 role@3 ^it@4- itbased@4+ "
	  "based@5-", NULL, 0, 0 },

	/* numbers */
	{ I, "84,000 people", "84000@1# people@2", "0-6/0 7-13/1", 0, 0 },
	{ I, "1,250,000 dollars", "1250000@1# dollars@2", NULL, 0, 0 },
	{ I, "84.000 personas", "84000@1# personas@2", "0-6/0 7-15/1", 0, 0 },
	{ I, "1.250.000 euros", "1250000@1# euros@2", NULL, 0, 0 },
	{ I, "3.5 percent", "3.5@1# percent@2", NULL, 0, 0 },
	{ I, "3,5 por ciento", "3.5@1# por@2 ciento@3", NULL, 0, 0 },
	{ I, "el 84,5 %", "el@1 84.5@2#", NULL, 0, 0 },
	{ I, "1.7 million", "1.7@1# million@2", NULL, 0, 0 },
	{ I, "in 2017.", "in@1 2017@2#", "0-2/0 3-7/1", 0, 0 },
	{ I, "en 2017, dijo", "en@1 2017@2# dijo@3", NULL, 0, 0 },
	{ I, "at 12:30 GMT", "at@1 12@2# 30@3# gmt@4", NULL, 0, 0 },
	{ I, "a 2,640-kilometer border", "a@1 2640@2-# 2640kilometer@2+ "
	  "kilometer@3- border@4", "0-1/0 2-7/1 2-17/1 8-17/1 18-24/2", 0, 0 },
	{ I, "0.750 y 0,5", "0.750@1# y@2 0.5@3#", NULL, 0, 0 },
	{ I, "1,250,000.75 o 1.250.000,75", "1250000.75@1# o@2 1250000.75@3#",
	  NULL, 0, 0 },
	{ I, "12.5.2024", "12@1# 5@2# 2024@3#", "0-2/0 3-4/1 5-9/2", 0, 0 },
	{ I, "1990-2000", "1990@1-# 19902000@1+# 2000@2-#", NULL, 0, 0 },
	{ I, "12,34,567", "12@1# 34@2# 567@3#", NULL, 0, 0 },
	{ Q, "84.000", "84000@1#", NULL, 0, 0 },
	{ Q, "3,5", "3.5@1#", NULL, 0, 0 },

	/* acronyms */
	{ I, "T.T.P. fighters", "ttp@1 fighters@2",
	  "0-6/0 7-15/1", 0, 0 },
	{ I, "the U.S said", "the@1 us@2 ^us@2 said@3",
	  "0-3/0 4-7/1 4-7/1 8-12/2", 0, 0 },
	{ I, "U.N. and NATO", "un@1 ^un@1 and@2 nato@3", NULL, 0, 0 },
	{ I, "US told us", "us@1 ^us@1 told@2 us@3", NULL, 0, 0 },
	{ I, "OIL PRICES SOAR", "oil@1 prices@2 soar@3", NULL, 0, 0 },
	{ I, "EE.UU. y la ONU", "eeuu@1 y@2 la@3 onu@4",
	  "0-6/0 7-8/1 9-11/2 12-15/3", 0, 0 },
	{ I, "U.S.A. e.g. a.m.", "usa@1 eg@2 am@3", NULL, 0, 0 },
	{ I, "George W. Bush", "george@1 w@2 bush@3", NULL, 0, 0 },
	{ I, "A H1N1 Us", "a@1 h1n1@2 us@3", NULL, 0, 0 },
	{ I, "Grupo S.A.", "grupo@1 sa@2", NULL, 0, 0 },
	{ H, "US oil", "us@1 ^us@1 oil@2", "0-2/0 0-2/0 3-6/1", 0, 0 },
	{ H, "Pakistan’s T.T.P.", "pakistan@1 ttp@2",
	  "0-12/0 13-19/1", 0, 0 },
	{ Q, "US", "^us@1", NULL, 0, 0 },
	{ Q, "us Us", "us@1 us@2", NULL, 0, 0 },
	{ Q, "U.S.", "^us@1", NULL, 0, 0 },
	{ Q, "U.S", "^us@1", NULL, 0, 0 },
	{ Q, "WHO IT", "^who@1 ^it@2", NULL, 0, 0 },
	{ Q, "OPEC OIL TTP", "opec@1 oil@2 ttp@3", NULL, 0, 0 },
	{ Q, "T.T.P.", "ttp@1", NULL, 0, 0 },
	{ Q, "EE.UU. y la ONU", "eeuu@1 y@2 la@3 onu@4", NULL, 0, 0 },
	{ Q, "EL PAÍS", "^el@1 pais@2", NULL, 0, 0 },
	{ Q, "UNA DE MÁS", "^una@1 ^de@2 ^mas@3", NULL, 0, 0 },
	{ Q, "e.g.", "eg@1", NULL, 0, 0 },

	/* term cut */
	{ I, A130, "aaaa...~f9cdaab7@1!", "0-130/0", 0, 0 },
	{ Q, A130, "aaaa...~f9cdaab7@1!", NULL, 0, 0 },
	{ I, X10 X10 X10 X10 X10 X10 "-" Y10 Y10 Y10 Y10 Y10 Y10 Y10,
	  X10 X10 X10 X10 X10 X10 "@1- xxxx...~f56830bb@1+! "
	  Y10 Y10 Y10 Y10 Y10 Y10 Y10 "@2-", NULL, 0, 0 },
	{ I, B120, b10 b10 b10 b10 b10 b10 b10 b10 b10 b10 b10 b10 "@1",
	  NULL, 0, 0 },

	/* nothing */
	{ I, "", "", NULL, 0, 0 },
	{ I, " -- ... '' ’ , . \t\n", "", NULL, 0, 0 },
};

/* What the collector gathers: rendered tokens and offsets. */
struct collect {
	char terms[16384];
	size_t tlen;
	char offs[16384];
	size_t olen;
	int bad;          /* an invariant did not hold */
	size_t n;
	size_t stop_at;   /* return 7 at this token (0: never) */
};

static void put(char *buf, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < cap - *len ? (size_t)n : cap - *len - 1;
}

static int collect_cb(void *ctx, const text_token *tk)
{
	struct collect *c = ctx;
	const char *sp = c->n ? " " : "";

	if (tk->len != strlen(tk->term) || !tk->len ||
	    tk->len > TEXT_MAX_TERM || tk->start > tk->end ||
	    !(tk->flags & TEXT_TOKEN_ACRONYM) != (tk->term[0] != '^'))
		c->bad = 1;
	if (tk->flags & TEXT_TOKEN_CUT)
		put(c->terms, sizeof c->terms, &c->tlen, "%s%.4s...%s", sp,
		    tk->term, tk->term + tk->len - 9);
	else
		put(c->terms, sizeof c->terms, &c->tlen, "%s%s", sp, tk->term);
	put(c->terms, sizeof c->terms, &c->tlen, "@%u%s%s%s%s",
	    (unsigned)tk->position,
	    tk->flags & TEXT_TOKEN_JOINED ? "+" : "",
	    tk->flags & TEXT_TOKEN_PART ? "-" : "",
	    tk->flags & TEXT_TOKEN_NUMBER ? "#" : "",
	    tk->flags & TEXT_TOKEN_CUT ? "!" : "");
	put(c->offs, sizeof c->offs, &c->olen, "%s%zu-%zu/%u", sp, tk->start,
	    tk->end, (unsigned)tk->word);
	c->n++;
	return c->stop_at && c->n == c->stop_at ? 7 : 0;
}

static int run(enum text_mode mode, const char *in, size_t len, struct collect *c,
	       text_stats *st)
{
	memset(c, 0, sizeof *c);
	return text_tokenize(in, len, mode, 1, collect_cb, c,
			     NULL, st);
}

/* IN with a soft hyphen between each two adjacent ASCII letters. */
static size_t add_soft_hyphens(const char *in, size_t len, char *out,
			       size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 3 < cap; i++) {
		out[o++] = in[i];
		if (i + 1 < len && utf8proc_category((unsigned char)in[i]) &&
		    ((in[i] | 0x20) >= 'a' && (in[i] | 0x20) <= 'z') &&
		    ((in[i + 1] | 0x20) >= 'a' && (in[i + 1] | 0x20) <= 'z')) {
			out[o++] = '\xc2';
			out[o++] = '\xad';
		}
	}
	return o;
}

static int contains_token(const char *list, const char *t, size_t toklen)
{
	char tok[256];
	const char *p = list;

	snprintf(tok, sizeof tok, "%.*s", (int)toklen, t);
	while ((p = strstr(p, tok)) != NULL) {
		if ((p == list || p[-1] == ' ') &&
		    (p[toklen] == ' ' || p[toklen] == '\0'))
			return 1;
		p++;
	}
	return 0;
}

/* The terms of a text, for text_count_bound(). */
struct term_list {
	char terms[256][TEXT_MAX_TERM + 1];
	size_t n;
};

static int term_list_cb(void *ctx, const text_token *tk)
{
	struct term_list *t = ctx;

	if (t->n < sizeof t->terms / sizeof t->terms[0])
		memcpy(t->terms[t->n++], tk->term, tk->len + 1);
	return 0;
}

/* text_count_bound() of IN is never below the number of its tokens having
 * a term, for each term and for all of them; and it is 0 for a term the
 * text cannot give. */
static int bound_holds(const char *in, size_t len)
{
	static struct term_list t;
	const char *all[256], *absent = "zzqqzz";
	size_t total = 0;
	int ok = 1;

	t.n = 0;
	assert_int_equal(text_tokenize(in, len, H, 1, term_list_cb, &t, NULL, NULL), 0);
	for (size_t i = 0; i < t.n; i++) {
		const char *term = t.terms[i];
		size_t count = 0, b = text_count_bound(in, len, &term, 1);

		for (size_t j = 0; j < t.n; j++)
			count += !strcmp(t.terms[j], term);
		if (b < count) {
			print_error("\"%.*s\": bound %zu for %s, %zu tokens\n",
				    (int)len, in, b, term, count);
			ok = 0;
		}
		all[i] = term;
		total++;
	}
	if (text_count_bound(in, len, all, t.n) < total)
		ok = 0;
	if (!memmem(in, len, "zzqqzz", 6) && !memmem(in, len, "ZZQQZZ", 6) &&
	    text_count_bound(in, len, &absent, 1) != 0 &&
	    text_count_bound(in, len, &absent, 1) != SIZE_MAX)
		ok = 0;
	return ok;
}

/* The bound on a few texts: exact counts where the letters say so, an
 * upper bound where separators join words, "unknown" (SIZE_MAX) for text
 * that is not ASCII and for shortened terms. */
static void test_count_bound(void **state)
{
	const char *us[] = { "us" }, *marked[] = { "^us" }, *num[] = { "84000" };
	const char *two[] = { "oil", "crude" }, *accent[] = { "bogota" };
	const char *cut[] = { "abcd~0123abcd" }, *none[] = { "" };
	const char *t = "The U.S. and US-led crude oil, 84,000 bpd; us.";

	(void)state;
	assert_int_equal(text_count_bound(t, strlen(t), us, 1), 3);
	assert_int_equal(text_count_bound(t, strlen(t), marked, 1), 3);
	assert_int_equal(text_count_bound(t, strlen(t), num, 1), 1);
	assert_int_equal(text_count_bound(t, strlen(t), two, 2), 2);
	assert_int_equal(text_count_bound(t, strlen(t), accent, 1), 0);
	assert_int_equal(text_count_bound("Bogotá", 7, accent, 1), SIZE_MAX);
	assert_int_equal(text_count_bound(t, strlen(t), cut, 1), SIZE_MAX);
	assert_int_equal(text_count_bound(t, strlen(t), none, 1), SIZE_MAX);
	assert_int_equal(text_count_bound(t, strlen(t), NULL, 0), 0);
	/* Overlapping occurrences count: "aaa" holds "aa" twice. */
	{
		const char *aa[] = { "aa" };

		assert_int_equal(text_count_bound("a-a-a", 5, aa, 1), 2);
	}
	assert_true(bound_holds(t, strlen(t)));
	/* Running out of memory gives "unknown", never 0. */
	wire_alloc_fail_at(1, 1);
	assert_int_equal(text_count_bound(t, strlen(t), us, 1), SIZE_MAX);
	wire_alloc_fail_at(0, 0);
}

static void test_rows(void **state)
{
	static struct collect c, d;
	static char soft[8192];
	size_t i, failures = 0;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *r = &rows[i];
		size_t len = r->inlen ? r->inlen : strlen(r->in), n;
		text_stats st = { 0, 0, 0 };
		int ok = 1;

		assert_int_equal(run(r->mode, r->in, len, &c, &st), 0);
		if (strcmp(c.terms, r->expect)) {
			print_error("row %zu \"%s\":\n  want \"%s\"\n  got  \"%s\"\n",
				    i, r->in, r->expect, c.terms);
			ok = 0;
		}
		if (r->offsets && strcmp(c.offs, r->offsets)) {
			print_error("row %zu \"%s\": offsets\n  want \"%s\"\n  got  \"%s\"\n",
				    i, r->in, r->offsets, c.offs);
			ok = 0;
		}
		if (st.invalid_utf8 != r->invalid || st.tokens != c.n || c.bad) {
			print_error("row %zu \"%s\": invalid %zu (want %zu), "
				    "tokens %zu/%zu, bad %d\n", i, r->in,
				    st.invalid_utf8, r->invalid, st.tokens,
				    c.n, c.bad);
			ok = 0;
		}

		/* highlighting sees exactly what indexing sees */
		assert_int_equal(run(I, r->in, len, &c, NULL), 0);
		assert_int_equal(run(H, r->in, len, &d, NULL), 0);
		if (strcmp(c.terms, d.terms) || strcmp(c.offs, d.offs)) {
			print_error("row %zu: highlight differs from index\n", i);
			ok = 0;
		}

		/* a text's query tokens are among its index tokens */
		assert_int_equal(run(Q, r->in, len, &d, NULL), 0);
		for (char *p = d.terms; *p;) {
			size_t tl = strcspn(p, " ");

			if (!contains_token(c.terms, p, tl)) {
				print_error("row %zu: query token %.*s not "
					    "indexed\n", i, (int)tl, p);
				ok = 0;
			}
			p += tl + (p[tl] == ' ');
		}

		/* text_count_bound() covers every term's tokens */
		if (!bound_holds(r->in, len)) {
			print_error("row %zu: count bound too low\n", i);
			ok = 0;
		}

		/* the slow path folds ASCII as the fast path does */
		n = add_soft_hyphens(r->in, len, soft, sizeof soft);
		assert_int_equal(run(I, soft, n, &d, NULL), 0);
		if (strcmp(c.terms, d.terms)) {
			print_error("row %zu: slow path gives \"%s\"\n", i,
				    d.terms);
			ok = 0;
		}
		failures += !ok;
	}
	assert_true(i >= 60);
	assert_int_equal(failures, 0);
}


static char kept_term[TEXT_MAX_TERM + 1];
static unsigned kept_flags;

static int keep_cb(void *ctx, const text_token *tk)
{
	(void)ctx;
	memcpy(kept_term, tk->term, tk->len + 1);
	kept_flags = tk->flags;
	return 0;
}

/* A cut term: the word's first bytes up to a character boundary at most
 * 110 bytes in, '~', the FNV-1a hash of the whole folded word. */
static void test_cut(void **state)
{
	static char in[512], want[TEXT_MAX_TERM + 1];
	uint32_t h = 0x811c9dc5u;
	size_t i;
	int mode;

	(void)state;
	/* 50 CJK characters, 150 bytes: 36 of them fit in 110 bytes */
	for (i = 0; i < 50; i++)
		memcpy(in + 3 * i, "中", 3);
	for (i = 0; i < 150; i++) {
		h ^= (unsigned char)in[i];
		h *= 0x01000193u;
	}
	memcpy(want, in, 108);
	snprintf(want + 108, sizeof want - 108, "~%08x", (unsigned)h);
	for (mode = I; mode <= H; mode++) {
		assert_int_equal(text_tokenize(in, 150, (enum text_mode)mode,
					       1, keep_cb, NULL, NULL, NULL), 0);
		assert_string_equal(kept_term, want);
		assert_int_equal(kept_flags, TEXT_TOKEN_CUT);
	}
	/* a word of exactly TEXT_MAX_TERM bytes is not cut */
	memset(in, 'z', TEXT_MAX_TERM);
	assert_int_equal(text_tokenize(in, TEXT_MAX_TERM, I, 1, keep_cb, NULL,
				       NULL, NULL), 0);
	assert_int_equal(strlen(kept_term), TEXT_MAX_TERM);
	assert_int_equal(kept_flags, 0);
	/* a long number too */
	memset(in, '7', 300);
	assert_int_equal(text_tokenize(in, 300, Q, 1, keep_cb, NULL, NULL,
				       NULL), 0);
	assert_int_equal(strlen(kept_term), 119);
	assert_int_equal(kept_flags, TEXT_TOKEN_NUMBER | TEXT_TOKEN_CUT);
}

static void test_positions(void **state)
{
	static struct collect c;
	uint32_t next = 0;
	text_stats st = { 5, 6, 7 };

	(void)state;
	memset(&c, 0, sizeof c);
	assert_int_equal(text_tokenize("a b-c d", 7, I, 100, collect_cb, &c,
				       &next, &st), 0);
	assert_string_equal(c.terms, "a@100 b@101- bc@101+ c@102- d@103");
	assert_string_equal(c.offs, "0-1/0 2-3/1 2-5/1 4-5/1 6-7/2");
	assert_int_equal(next, 104);
	assert_int_equal(st.tokens, 6 + 5);
	assert_int_equal(st.words, 7 + 3);
	assert_int_equal(st.invalid_utf8, 5);

	/* positions saturate rather than wrap */
	memset(&c, 0, sizeof c);
	assert_int_equal(text_tokenize("a b c", 5, I, UINT32_MAX - 1,
				       collect_cb, &c, &next, NULL), 0);
	assert_string_equal(c.terms, "a@4294967294 b@4294967295 c@4294967295");
	assert_int_equal(next, UINT32_MAX);

	/* nothing to do */
	memset(&c, 0, sizeof c);
	next = 0;
	assert_int_equal(text_tokenize("", 0, Q, 42, collect_cb, &c, &next,
				       NULL), 0);
	assert_int_equal(next, 42);
	assert_int_equal(c.n, 0);
	assert_int_equal(text_tokenize(NULL, 0, Q, 1, collect_cb, &c, NULL,
				       NULL), 0);

	/* positions go on from one call to the next */
	memset(&c, 0, sizeof c);
	assert_int_equal(text_tokenize("Kabul, Herat", 12, I, 1, collect_cb,
				       &c, &next, NULL), 0);
	assert_int_equal(text_tokenize(" Pakistan’s", strlen(" Pakistan’s"), I, next,
				       collect_cb, &c, &next, NULL), 0);
	assert_string_equal(c.terms, "kabul@1 herat@2 pakistan@3");
	assert_int_equal(next, 4);
}

static void test_stop(void **state)
{
	static struct collect c;
	text_stats st = { 0, 0, 0 };
	uint32_t next = 0;

	(void)state;
	memset(&c, 0, sizeof c);
	c.stop_at = 2;
	assert_int_equal(text_tokenize("Tehreek-e-Taliban Pakistan", 26, I, 1,
				       collect_cb, &c, &next, &st), 7);
	assert_int_equal(c.n, 2);
	assert_int_equal(st.tokens, 2);
	assert_string_equal(c.terms, "tehreek@1- tehreeketaliban@1+");
}

struct fold_row {
	const char *in;
	size_t inlen;  /* 0: strlen(in) */
	const char *want;
};

static const struct fold_row fold_rows[] = {
	{ "Buenos  Aires", 0, "buenos aires" },
	{ "Kabul", 0, "kabul" },
	{ "Bogotá", 0, "bogota" },
	{ "  São Paulo \t", 0, "sao paulo" },
	{ "Muttaqī", 0, "muttaqi" },
	{ "Düsseldorf, ESPAÑA", 0, "dusseldorf espana" },
	{ "Côte d’Ivoire", 0, "cote divoire" },
	{ "Guinea-Bissau", 0, "guinea bissau" },
	{ "Washington, D.C.", 0, "washington d c" },
	{ "ＥＦＥ", 0, "efe" },
	{ "Pakistan's", 0, "pakistans" },
	{ "Kabul\xffHerat", 0, "kabul herat" },
	{ "a\0b", 3, "a b" },
	{ "x \xcc\x81 y", 0, "x y" },
	{ "\xcc\x81 y", 0, "y" },
	{ "Paki\xc2\xadstan", 0, "pakistan" },
	{ "", 0, "" },
	{ " --- ... ’ ", 0, "" },
};

static void test_fold(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof fold_rows / sizeof fold_rows[0]; i++) {
		const struct fold_row *r = &fold_rows[i];
		char *got = text_fold(r->in, r->inlen ? r->inlen
						      : strlen(r->in));

		assert_non_null(got);
		if (strcmp(got, r->want))
			print_error("fold row %zu \"%s\": got \"%s\"\n", i,
				    r->in, got);
		assert_string_equal(got, r->want);
		free(got);
	}
}

struct clean_row {
	const char *in;
	size_t inlen;  /* 0: strlen(in) */
	const char *want;
	size_t wantlen;  /* 0: strlen(want) */
	size_t repaired;
};

static const struct clean_row clean_rows[] = {
	{ "a\r\nb\rc\n", 0, "a\nb\nc\n", 0, 0 },
	{ "\r\r\n", 0, "\n\n", 0, 0 },
	{ "x\0y", 3, "x y", 0, 0 },
	{ "tab\there\x01\x1f\x7f!", 0, "tab\there!", 0, 0 },
	{ "C1\xc2\x85\xc2\x9f" "end", 0, "C1end", 0, 0 },
	{ "\xc2\xa0nbsp Bogotá’s", 0, "\xc2\xa0nbsp Bogotá’s", 0, 0 },
	{ "bad\xff", 0, "bad\xef\xbf\xbd", 0, 1 },
	{ "\xe2\x82x", 0, "\xef\xbf\xbdx", 0, 1 },
	{ "\xed\xa0\x80", 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 0, 3 },
	{ "\xf0\x9f\x98", 0, "\xef\xbf\xbd", 0, 1 },
	{ "\xf4\x90\x80\x80", 0,
	  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 0, 4 },
	{ "ok \xf0\x9f\x98\x80", 0, "ok \xf0\x9f\x98\x80", 0, 0 },
	{ "", 0, "", 0, 0 },
};

static void test_clean(void **state)
{
	size_t i, n, repaired;
	char *got;

	(void)state;
	for (i = 0; i < sizeof clean_rows / sizeof clean_rows[0]; i++) {
		const struct clean_row *r = &clean_rows[i];
		size_t wl = r->wantlen ? r->wantlen : strlen(r->want);

		repaired = 10;
		n = 999;
		got = text_clean(r->in, r->inlen ? r->inlen : strlen(r->in), &n,
				 &repaired);
		assert_non_null(got);
		if (n != wl || memcmp(got, r->want, wl))
			print_error("clean row %zu: got \"%s\"\n", i, got);
		assert_int_equal(n, wl);
		assert_memory_equal(got, r->want, wl);
		assert_int_equal(got[n], '\0');
		assert_int_equal(repaired, 10 + r->repaired);
		assert_true(text_is_utf8(got, n));
		free(got);
	}
	got = text_clean("a\rb", 3, NULL, NULL);
	assert_string_equal(got, "a\nb");
	free(got);
}

/* utf8proc's reading of LEN bytes at S, as a reference. */
static int ref_utf8(const unsigned char *s, size_t len)
{
	utf8proc_int32_t cp;
	size_t pos = 0;

	while (pos < len) {
		utf8proc_ssize_t r = utf8proc_iterate(s + pos,
						      (utf8proc_ssize_t)(len - pos),
						      &cp);
		if (r <= 0)
			return 0;
		pos += (size_t)r;
	}
	return 1;
}

static void test_is_utf8(void **state)
{
	static const struct {
		const char *s;
		int ok;
	} cases[] = {
		{ "", 1 }, { "plain ascii", 1 }, { "Bogotá España", 1 },
		{ "北京 😀 \xef\xbf\xbf", 1 }, { "\xc3", 0 }, { "\xc3(", 0 },
		{ "\xc0\xaf", 0 }, { "\xe0\x80\xaf", 0 }, { "\xed\xa0\x80", 0 },
		{ "\xf4\x90\x80\x80", 0 }, { "\xf5\x80\x80\x80", 0 },
		{ "\x80", 0 }, { "\xfe\xff", 0 }, { "\xf0\x9f\x98", 0 },
	};
	unsigned char b[4];
	unsigned x, y, z;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(text_is_utf8(cases[i].s, strlen(cases[i].s)),
				 cases[i].ok);
	assert_true(text_is_utf8("a\0b", 3));
	/* against utf8proc: every 1- and 2-byte string, every 3-byte one
	 * with a three-byte lead, 4-byte leads with chosen tails */
	for (x = 0; x < 256; x++) {
		b[0] = (unsigned char)x;
		assert_int_equal(text_is_utf8((char *)b, 1), ref_utf8(b, 1));
		for (y = 0; y < 256; y++) {
			b[1] = (unsigned char)y;
			assert_int_equal(text_is_utf8((char *)b, 2),
					 ref_utf8(b, 2));
		}
	}
	for (x = 0xE0; x < 0xF0; x++)
		for (y = 0; y < 256; y++)
			for (z = 0; z < 256; z++) {
				b[0] = (unsigned char)x;
				b[1] = (unsigned char)y;
				b[2] = (unsigned char)z;
				if (text_is_utf8((char *)b, 3) != ref_utf8(b, 3))
					fail_msg("%02x %02x %02x", x, y, z);
			}
	for (x = 0xF0; x < 0xF8; x++)
		for (y = 0; y < 256; y++)
			for (z = 0; z < 16; z++) {
				static const unsigned char t[4] = { 0x80, 0xBF,
								    0x41, 0xC0 };
				b[0] = (unsigned char)x;
				b[1] = (unsigned char)y;
				b[2] = t[z & 3];
				b[3] = t[z >> 2];
				if (text_is_utf8((char *)b, 4) != ref_utf8(b, 4))
					fail_msg("%02x %02x %02x %02x", x, y,
						 b[2], b[3]);
			}
}

static void test_utf8_prefix(void **state)
{
	(void)state;
	/* "Bogotá": the 'á' is bytes 5 and 6 */
	assert_int_equal(text_utf8_prefix("Bogotá", 7, 100), 7);
	assert_int_equal(text_utf8_prefix("Bogotá", 7, 7), 7);
	assert_int_equal(text_utf8_prefix("Bogotá", 7, 6), 5);
	assert_int_equal(text_utf8_prefix("Bogotá", 7, 5), 5);
	assert_int_equal(text_utf8_prefix("Bogotá", 7, 0), 0);
	assert_int_equal(text_utf8_prefix("中", 3, 1), 0);
	assert_int_equal(text_utf8_prefix("中", 3, 2), 0);
	assert_int_equal(text_utf8_prefix("a中b", 5, 3), 1);
	assert_int_equal(text_utf8_prefix("a中b", 5, 4), 4);
	assert_int_equal(text_utf8_prefix("😀x", 5, 3), 0);
	assert_int_equal(text_utf8_prefix("😀x", 5, 4), 4);
	assert_int_equal(text_utf8_prefix("x😀", 5, 2), 1);
	/* not characters, nothing to keep whole */
	assert_int_equal(text_utf8_prefix("\x80\x80\x80\x80\x80", 5, 3), 3);
	assert_int_equal(text_utf8_prefix("a\xe4\xb8", 3, 2), 2);
	assert_int_equal(text_utf8_prefix("\xe4\xb8(", 3, 1), 1);
	assert_int_equal(text_utf8_prefix("", 0, 5), 0);
}

/* The allocation-failure text: every buffer of the tokenizer grows. */
static const char alloc_text[] =
	"l’Équipe a-b-c-d-e-f-g-h-i-j-k-l Bogotá’s T.T.P. U.S.-led OIL "
	"84,000 Muttaqī ＰＡＫＩＳＴＡＮ ﷺ O’Brien’s d’Ivoire 3,5 "
	A130 " " B120;

static void test_alloc_failure(void **state)
{
	static struct collect want, got;
	unsigned long n;
	int persist, r;

	(void)state;
	assert_int_equal(run(I, alloc_text, strlen(alloc_text), &want, NULL),
			 0);
	for (persist = 0; persist <= 1; persist++) {
		for (n = 1;; n++) {
			wire_alloc_fail_at(n, persist);
			r = run(I, alloc_text, strlen(alloc_text), &got, NULL);
			wire_alloc_fail_at(0, 0);
			if (r == -1)
				continue;
			assert_int_equal(r, 0);
			assert_string_equal(got.terms, want.terms);
			break;
		}
		assert_true(n > 5);
	}
}

static void test_alloc_failure_fold_clean(void **state)
{
	static const char in[] = "Côte d’Ivoire \xff Düsseldorf\r\n\x01ﷺ";
	unsigned long n;
	size_t len;
	char *s;

	(void)state;
	for (n = 1;; n++) {
		wire_alloc_fail_at(n, 0);
		s = text_fold(in, sizeof in - 1);
		wire_alloc_fail_at(0, 0);
		if (s) {
			assert_string_equal(s, "cote divoire dusseldorf "
					       "صلىاللهعليهوسلم");
			free(s);
			break;
		}
	}
	assert_true(n > 1);
	for (n = 1;; n++) {
		wire_alloc_fail_at(n, 1);
		s = text_clean(in, sizeof in - 1, &len, NULL);
		wire_alloc_fail_at(0, 0);
		if (s) {
			assert_string_equal(s, "Côte d’Ivoire \xef\xbf\xbd "
					       "Düsseldorf\nﷺ");
			free(s);
			break;
		}
	}
	assert_true(n > 1);
}


/* Names in capitals written as names; anything with a lowercase letter,
 * or not UTF-8 from some point on, left as it is from there. */
static void test_name_case(void **state)
{
	static const struct {
		const char *in, *want;
	} names[] = {
		{ "BUENOS AIRES", "Buenos Aires" },
		{ "CIUDAD DE M\xc3\x89XICO", "Ciudad de M\xc3\xa9xico" },
		{ "RIO DE LA PLATA", "Rio de la Plata" },
		{ "ISLE OF MAN", "Isle of Man" },
		{ "DE LA RUA", "De la Rua" },      /* the first word keeps it */
		{ "ST. LOUIS", "St. Louis" },
		{ "\xc3\x89MIGR\xc3\x89", "\xc3\x89migr\xc3\xa9" },
		{ "1ST STREET", "1St Street" },
		{ "KABUL/ISLAMABAD", "Kabul/Islamabad" },
		{ "New Delhi", "New Delhi" },
		{ "dpa", "dpa" },
		{ "ABC \xff" "XYZ", "Abc \xff" "XYZ" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *got = text_name_case(names[i].in, strlen(names[i].in));

		assert_non_null(got);
		if (strcmp(got, names[i].want))
			fail_msg("'%s': expected '%s', got '%s'", names[i].in,
				 names[i].want, got);
		free(got);
	}
	/* Out of memory: NULL, at every allocation. */
	for (unsigned long n = 1;; n++) {
		static const char in[] = "CIUDAD DE LA NUEVA GUATEMALA DE LA "
					 "ASUNCI\xc3\x93N \xff END";
		unsigned long made;
		char *got;

		wire_alloc_fail_at(n, 0);
		got = text_name_case(in, sizeof in - 1);
		made = wire_alloc_fail_at(0, 0);
		if (made < n) {
			assert_string_equal(got, "Ciudad de la Nueva Guatemala de la "
						 "Asunci\xc3\xb3n \xff END");
			free(got);
			break;
		}
		assert_null(got);
	}
	for (unsigned long n = 1;; n++) {
		unsigned long made;
		char *got;

		wire_alloc_fail_at(n, 0);
		got = text_name_case("dpa", 3);
		made = wire_alloc_fail_at(0, 0);
		if (made < n) {
			assert_string_equal(got, "dpa");
			free(got);
			break;
		}
		assert_null(got);
	}
}


/* Allocation failures with 0..80 words in front of numbers, acronyms and
 * apostrophes, so that the growing buffers run out at each of them in
 * turn; and text_clean() with 0..300 clean bytes before what it repairs.
 * Each run fails with -1 (NULL) or gives the normal result. */
static void test_alloc_failure_everywhere(void **state)
{
	static struct collect want, got;
	static const char tail[] = "84,000 1.234.567,89 1,234.5 3.5 2.5.6 "
				   "U.S. T.T.P. Pakistan's O'Brien's s's "
				   "a-b-c l'x 12:30 10.000.000 x";
	static const char dirty[] = "a\r\nb\rc\x01\xff\x80 \xc2\x85z";
	size_t fails = 0;

	(void)state;
	for (size_t words = 0; words <= 80; words++) {
		char in[1024];
		size_t len = 0;

		for (size_t k = 0; k < words; k++)
			in[len++] = 'w', in[len++] = ' ';
		memcpy(in + len, tail, sizeof tail);
		len += sizeof tail - 1;
		assert_int_equal(run(I, in, len, &want, NULL), 0);
		for (unsigned long n = 1;; n++) {
			unsigned long made;
			int r;

			wire_alloc_fail_at(n, 0);
			r = run(I, in, len, &got, NULL);
			made = wire_alloc_fail_at(0, 0);
			if (made < n) {
				assert_int_equal(r, 0);
				assert_string_equal(got.terms, want.terms);
				break;
			}
			if (r == 0) {
				assert_string_equal(got.terms, want.terms);
				continue;
			}
			assert_int_equal(r, -1);
			fails++;
		}
	}
	for (size_t pre = 0; pre <= 300; pre++) {
		char in[512];
		size_t len, outlen;
		char *want_s, *got_s;

		memset(in, 'c', pre);
		memcpy(in + pre, dirty, sizeof dirty);
		want_s = text_clean(in, pre + sizeof dirty - 1, &len, NULL);
		assert_non_null(want_s);
		for (unsigned long n = 1;; n++) {
			unsigned long made;

			wire_alloc_fail_at(n, 0);
			got_s = text_clean(in, pre + sizeof dirty - 1, &outlen, NULL);
			made = wire_alloc_fail_at(0, 0);
			if (got_s) {
				assert_int_equal(outlen, len);
				assert_string_equal(got_s, want_s);
				free(got_s);
				if (made < n)
					break;
				continue;
			}
			fails++;
		}
		free(want_s);
	}
	assert_true(fails > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_is_utf8),
		cmocka_unit_test(test_utf8_prefix),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_alloc_failure_fold_clean),
		cmocka_unit_test(test_name_case),
		cmocka_unit_test(test_count_bound),
		cmocka_unit_test(test_alloc_failure_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
