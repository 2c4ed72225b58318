/*
 * dateline.c - the dateline at the head of a wire dispatch:
 *
 *   [indent] places [", " qualifier] [", " date] SP* "(" agencies ")" dash
 *   [indent] places [", " qualifier] ", " date [","] [SP agency] SP* dash
 *   [indent] agency ".-"
 *
 * docs/DATELINES.md lists the styles with examples and the rejection rules.
 * The parser is deliberately strict (research notes, rule R11: never
 * guess): a false dateline would turn a sentence into a place and drop
 * words from the body.
 */
#include "dispatch.h"

#include <string.h>
#include <utf8proc.h>

#define MAX_INDENT 16      /* leading blanks before the dateline */
#define MAX_NAME 60        /* bytes in one place or qualifier */
#define MAX_NAME_WORDS 5   /* words in one ("Santa Cruz de la Sierra") */
#define MAX_TEXT 200       /* bytes of the whole dateline, dash excluded */
#define MAX_AGENCIES 4     /* agencies in one "(EFE/AFP)" */
#define MAX_INITIALS 16

/* The agencies a dateline may name, matched case-insensitively as whole
 * words. */
static const char *const agencies[] = {
	"EFE", "Reuters", "Reuter", "AP", "AFP", "dpa", "Xinhua", "ANSA",
	"Europa Press", "Kyodo", "Yonhap", "TASS", "UPI", "PTI", "IANS",
	"APA", "Prensa Latina", "Notimex", "Anadolu", "Lusa",
};

/* Lower-case words allowed inside a place name ("Santa Cruz de la Sierra",
 * "Frankfurt am Main"), never first or last. */
static const char *const connectors[] = {
	"de", "del", "la", "las", "el", "los", "da", "das", "do", "dos", "di",
	"du", "des", "le", "les", "von", "van", "der", "den", "am", "im",
	"an", "sur", "al", "y", "e", "upon", "on",
};

static const struct month_name {
	const char *name; /* lower case, UTF-8 */
	int month;
} months[] = {
	/* English */
	{ "jan", 1 }, { "january", 1 }, { "feb", 2 }, { "february", 2 },
	{ "mar", 3 }, { "march", 3 }, { "apr", 4 }, { "april", 4 },
	{ "may", 5 }, { "jun", 6 }, { "june", 6 }, { "jul", 7 },
	{ "july", 7 }, { "aug", 8 }, { "august", 8 }, { "sep", 9 },
	{ "sept", 9 }, { "september", 9 }, { "oct", 10 }, { "october", 10 },
	{ "nov", 11 }, { "november", 11 }, { "dec", 12 }, { "december", 12 },
	/* Spanish */
	{ "ene", 1 }, { "enero", 1 }, { "febrero", 2 }, { "marzo", 3 },
	{ "abr", 4 }, { "abril", 4 }, { "mayo", 5 }, { "junio", 6 },
	{ "julio", 7 }, { "ago", 8 }, { "agosto", 8 }, { "set", 9 },
	{ "septiembre", 9 }, { "setiembre", 9 }, { "octubre", 10 },
	{ "noviembre", 11 }, { "dic", 12 }, { "diciembre", 12 },
	/* French, with and without accents */
	{ "janv", 1 }, { "janvier", 1 }, { "f\xc3\xa9v", 2 }, { "fev", 2 },
	{ "f\xc3\xa9vr", 2 }, { "fevr", 2 }, { "f\xc3\xa9vrier", 2 },
	{ "fevrier", 2 }, { "mars", 3 }, { "avr", 4 }, { "avril", 4 },
	{ "mai", 5 }, { "juin", 6 }, { "juil", 7 }, { "juillet", 7 },
	{ "ao\xc3\xbbt", 8 }, { "aout", 8 }, { "septembre", 9 },
	{ "octobre", 10 }, { "novembre", 11 }, { "d\xc3\xa9" "c", 12 },
	{ "d\xc3\xa9" "cembre", 12 }, { "decembre", 12 },
	/* Portuguese and German full names */
	{ "janeiro", 1 }, { "fevereiro", 2 }, { "mar\xc3\xa7o", 3 },
	{ "maio", 5 }, { "junho", 6 }, { "julho", 7 }, { "setembro", 9 },
	{ "outubro", 10 }, { "novembro", 11 }, { "dezembro", 12 },
	{ "januar", 1 }, { "februar", 2 }, { "m\xc3\xa4rz", 3 },
	{ "juni", 6 }, { "juli", 7 }, { "oktober", 10 }, { "dezember", 12 },
};

/* ------------------------------------------------------------------ */

/* The code point at P[I] into *CP; its length, or 0 at the end.  An
 * invalid byte reads as one byte of U+FFFD. */
static size_t cp_at(const char *p, size_t n, size_t i, int32_t *cp)
{
	utf8proc_ssize_t r;
	utf8proc_int32_t c;

	if (i >= n)
		return 0;
	if ((unsigned char)p[i] < 0x80) {
		*cp = (unsigned char)p[i];
		return 1;
	}
	r = utf8proc_iterate((const utf8proc_uint8_t *)p + i,
			     (utf8proc_ssize_t)(n - i), &c);
	if (r <= 0) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = c;
	return (size_t)r;
}

static int cp_is_upper(int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);

	return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}

/* Letters, marks and digits: what a word is made of. */
static int cp_is_alnum(int32_t cp)
{
	utf8proc_category_t c;

	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
		       (cp >= '0' && cp <= '9');
	c = utf8proc_category(cp);
	return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME) ||
	       c == UTF8PROC_CATEGORY_ND;
}

static int cp_is_letter(int32_t cp)
{
	utf8proc_category_t c;

	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
	c = utf8proc_category(cp);
	return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Bytes of a blank at P[I] (space, tab, no-break space), or 0. */
static size_t blank_at(const char *p, size_t n, size_t i)
{
	if (i >= n)
		return 0;
	if (p[i] == ' ' || p[i] == '\t')
		return 1;
	if (i + 1 < n && (unsigned char)p[i] == 0xC2 &&
	    (unsigned char)p[i + 1] == 0xA0)
		return 2;
	return 0;
}

static size_t skip_blanks(const char *p, size_t n, size_t i)
{
	size_t b;

	while ((b = blank_at(p, n, i)))
		i += b;
	return i;
}

/* Bytes of one dash at P[I]: "-", "_", U+2012..U+2015 (figure dash, en
 * dash, em dash, horizontal bar) or U+2212 (minus); 0 if none. */
static size_t dash_at(const char *p, size_t n, size_t i)
{
	const unsigned char *u = (const unsigned char *)p + i;

	if (i >= n)
		return 0;
	if (u[0] == '-' || u[0] == '_')
		return 1;
	if (i + 2 < n && u[0] == 0xE2 &&
	    ((u[1] == 0x80 && u[2] >= 0x92 && u[2] <= 0x95) ||
	     (u[1] == 0x88 && u[2] == 0x92)))
		return 3;
	return 0;
}

/* Whether the word at P[I] ends at J: nothing alphanumeric follows. */
static int word_ends(const char *p, size_t n, size_t j)
{
	int32_t cp;

	return !cp_at(p, n, j, &cp) || !cp_is_alnum(cp);
}

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c;
}

/* ------------------------------------------------------------------ */

int dateline_month(const char *s, size_t len)
{
	char low[16];
	size_t i, k;

	if (!s)
		return 0;
	if (len && s[len - 1] == '.')
		len--;
	if (len < 3 || len >= sizeof low)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* Latin-1 capitals (U+00C0..U+00DE but U+00D7) lower-case by
		 * adding 0x20 to their second byte: "AOÛT", "FÉVR". */
		if (c == 0xC3 && i + 1 < len) {
			unsigned char c2 = (unsigned char)s[i + 1];

			low[i] = (char)c;
			low[i + 1] = (char)(c2 >= 0x80 && c2 <= 0x9E &&
						    c2 != 0x97 ? c2 + 0x20 : c2);
			i++;
			continue;
		}
		low[i] = (char)ascii_lower(c);
	}
	for (k = 0; k < sizeof months / sizeof months[0]; k++)
		if (strlen(months[k].name) == len &&
		    !memcmp(months[k].name, low, len))
			return months[k].month;
	return 0;
}

/* End of a month word at P[I] (letters only, at most 15 bytes), or I. */
static size_t month_word(const char *p, size_t n, size_t i, int *month)
{
	size_t j = i, l;
	int32_t cp;

	while ((l = cp_at(p, n, j, &cp)) && cp_is_letter(cp) && j + l - i < 16)
		j += l;
	if (j == i || !word_ends(p, n, j))
		return i;
	*month = dateline_month(p + i, j - i);
	return *month ? j : i;
}

/* One or two digits at P[I] as a day, with an optional ordinal suffix
 * ("1st", "1er"); end or I. */
static size_t day_number(const char *p, size_t n, size_t i, int *day)
{
	static const char *const suffixes[] = { "st", "nd", "rd", "th", "er",
						"o", "\xc2\xba" };
	size_t j = i, k;

	*day = 0;
	while (j < n && is_digit(p[j]) && j - i < 3)
		*day = *day * 10 + (p[j++] - '0');
	if (j == i || j - i > 2)
		return i;
	for (k = 0; k < sizeof suffixes / sizeof suffixes[0]; k++) {
		size_t l = strlen(suffixes[k]);

		if (j + l <= n && !memcmp(p + j, suffixes[k], l) &&
		    word_ends(p, n, j + l)) {
			j += l;
			break;
		}
	}
	return word_ends(p, n, j) ? j : i;
}

static int day_valid(int month, int day)
{
	static const int dim[12] = { 31, 29, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };

	return month >= 1 && month <= 12 && day >= 1 && day <= dim[month - 1];
}

/* A date at P[I]: "Apr 19", "Dec. 1", "19 abr", "10 août", "1er mai",
 * "19 de abril".  Returns its end, or I when there is none.  An
 * impossible date ("Apr 31") still ends there but gives month 0. */
static size_t date_at(const char *p, size_t n, size_t i, int *month, int *day)
{
	size_t j, k;

	*month = *day = 0;
	if (i < n && is_digit(p[i])) {
		j = day_number(p, n, i, day);
		if (j == i || !blank_at(p, n, j))
			return i;
		j = skip_blanks(p, n, j);
		if (j + 3 <= n && !memcmp(p + j, "de", 2) && blank_at(p, n, j + 2))
			j = skip_blanks(p, n, j + 2);
		k = month_word(p, n, j, month);
		if (k == j)
			return i;
		if (k < n && p[k] == '.')
			k++;
	} else {
		j = month_word(p, n, i, month);
		if (j == i)
			return i;
		if (j < n && p[j] == '.')
			j++;
		if (!blank_at(p, n, j))
			return i;
		j = skip_blanks(p, n, j);
		k = day_number(p, n, j, day);
		if (k == j)
			return i;
	}
	if (!day_valid(*month, *day))
		*month = *day = 0;
	return k;
}

/* ------------------------------------------------------------------ */

/* One agency of the lexicon at P[I]; its end, or I. */
static size_t agency_at(const char *p, size_t n, size_t i)
{
	size_t k;

	for (k = 0; k < sizeof agencies / sizeof agencies[0]; k++) {
		size_t l = strlen(agencies[k]), m;

		if (i + l > n)
			continue;
		for (m = 0; m < l; m++)
			if (ascii_lower((unsigned char)p[i + m]) !=
			    ascii_lower((unsigned char)agencies[k][m]))
				break;
		if (m == l && word_ends(p, n, i + l))
			return i + l;
	}
	return i;
}

struct agency_list {
	size_t n;
	struct { size_t start, len; } item[MAX_AGENCIES];
};

/* Agencies joined by '/' or '-' at P[I] ("EFE/AFP", "Reuters - AP"); the
 * end of the last one, or I. */
static size_t agency_list_at(const char *p, size_t n, size_t i,
			     struct agency_list *al)
{
	size_t end = i, j = i, e;

	al->n = 0;
	for (;;) {
		e = agency_at(p, n, j);
		if (e == j || al->n == MAX_AGENCIES)
			break;
		al->item[al->n].start = j;
		al->item[al->n].len = e - j;
		al->n++;
		end = e;
		j = skip_blanks(p, n, e);
		if (j >= n || (p[j] != '/' && p[j] != '-'))
			break;
		j = skip_blanks(p, n, j + 1);
	}
	return end;
}

/* ------------------------------------------------------------------ */

static int is_connector(const char *p, size_t len)
{
	size_t k;

	for (k = 0; k < sizeof connectors / sizeof connectors[0]; k++)
		if (strlen(connectors[k]) == len &&
		    !memcmp(connectors[k], p, len))
			return 1;
	return 0;
}

struct initials {
	char c[MAX_INITIALS];
	size_t n;
};

static void initials_add(struct initials *in, int32_t cp)
{
	if (in->n < MAX_INITIALS)
		in->c[in->n++] = cp < 0x80 ? (char)cp : '?';
}

enum word_kind { WORD_NONE, WORD_CAPITAL, WORD_CONNECTOR };

/* A word of a place name at P[I]: a capital letter then letters, marks,
 * digits, dots, and apostrophes or hyphens between letters ("ST.",
 * "D.C.", "O'Hare", "Winston-Salem", "Bogotá"); or a connector.  Sets
 * *END; records the initials of a capital word (hyphen parts too). */
static enum word_kind place_word(const char *p, size_t n, size_t i,
				 size_t *end, struct initials *in)
{
	size_t j = i, l, l2;
	int32_t cp, next;
	struct initials mine = { { 0 }, 0 };

	l = cp_at(p, n, j, &cp);
	if (!l)
		return WORD_NONE;
	if (!cp_is_upper(cp)) {
		/* A connector: lower-case ASCII letters, then a blank. */
		while (j < n && p[j] >= 'a' && p[j] <= 'z')
			j++;
		if (j == i || !blank_at(p, n, j) || !is_connector(p + i, j - i))
			return WORD_NONE;
		*end = j;
		return WORD_CONNECTOR;
	}
	initials_add(&mine, cp);
	j += l;
	while ((l = cp_at(p, n, j, &cp))) {
		if (cp_is_alnum(cp)) {
			j += l;
			continue;
		}
		l2 = cp_at(p, n, j + l, &next);
		if ((cp == '\'' || cp == 0x2019 || cp == '-') && l2 &&
		    cp_is_letter(next)) {
			if (cp == '-' && cp_is_upper(next))
				initials_add(&mine, next);
			j += l;
			continue;
		}
		/* A dot belongs to the word ("ST.", "D.C.", "Calif."), but not
		 * the one of an EFE ".-" dash. */
		if (cp == '.' && !dash_at(p, n, j + 1) &&
		    !(j + 1 < n && p[j + 1] == '.')) {
			j += l;
			continue;
		}
		break;
	}
	*end = j;
	for (l = 0; l < mine.n; l++)
		initials_add(in, (unsigned char)mine.c[l]);
	return WORD_CAPITAL;
}

/* A name (place or qualifier) at P[I]: capital words and connectors
 * separated by single blanks, starting and ending with a capital word,
 * stopping before a date ("JOHANNESBURG March 13").  Returns its end, or
 * I when there is none. */
static size_t name_at(const char *p, size_t n, size_t i, struct initials *in)
{
	size_t j, end, b, w;
	struct initials all = *in;
	struct initials upto = *in;
	int m, d, words = 1;

	if (place_word(p, n, i, &end, &all) != WORD_CAPITAL)
		return i;
	upto = all;
	j = end;
	while ((b = blank_at(p, n, j))) {
		enum word_kind k;

		if (date_at(p, n, j + b, &m, &d) != j + b)
			break;
		k = place_word(p, n, j + b, &w, &all);
		if (k == WORD_NONE)
			break;
		/* "Santa Cruz de la Sierra" has five words; more is a headline
		 * run into the dateline ("MAIZE HARVEST LOWER ... HARARE"). */
		if (++words > MAX_NAME_WORDS)
			return i;
		j = w;
		if (k == WORD_CAPITAL) {
			end = w;
			upto = all;
		}
	}
	*in = upto;
	return end;
}

/* Whether AL names one agency spelled by the initials IN: "Apple Filing
 * Protocol (AFP)" is an abbreviation being defined, not a dateline. */
static int is_abbreviation(const char *p, const struct agency_list *al,
			   const struct initials *in)
{
	size_t k, m;

	if (in->n < 2)
		return 0;
	for (k = 0; k < al->n; k++) {
		if (al->item[k].len != in->n)
			continue;
		for (m = 0; m < in->n; m++)
			if (ascii_lower((unsigned char)p[al->item[k].start + m]) !=
			    ascii_lower((unsigned char)in->c[m]))
				break;
		if (m == in->n)
			return 1;
	}
	return 0;
}

/* A dash at P[I] ("-", "--", "—", ".-", ".—", "_", "- –"): its end, or I.
 * A leading dot is taken when DOT is allowed.  *PLAIN tells whether the
 * dash is a single ASCII '-' or '_'. */
static size_t dash_run(const char *p, size_t n, size_t i, int dot, int *plain)
{
	size_t j = i, t, tokens = 0, b;

	if (dot && j < n && p[j] == '.' && dash_at(p, n, j + 1))
		j++;
	while (tokens < 4 && (t = dash_at(p, n, j))) {
		j += t;
		tokens++;
		/* "- –": a second, typographic dash after one blank. */
		b = blank_at(p, n, j);
		if (b && tokens < 4 && dash_at(p, n, j + b) == 3)
			j += b;
	}
	*plain = j - i == 1;
	return tokens ? j : i;
}

/* End of the blanks and line breaks at P[I]. */
static size_t skip_white(const char *p, size_t n, size_t i)
{
	size_t b;

	while (i < n) {
		b = blank_at(p, n, i);
		if (!b && p[i] != '\n' && p[i] != '\r')
			break;
		i += b ? b : 1;
	}
	return i;
}

int dateline_parse(const char *para, size_t len, dateline *out)
{
	const char *p = para;
	size_t n = len, i, j, k, e, text_end;
	struct initials in = { { 0 }, 0 };
	struct agency_list al = { 0, { { 0, 0 } } };
	int month = 0, day = 0, has_date = 0, has_qualifier = 0, paren = 0;
	int plain;
	size_t np = 0;

	memset(out, 0, sizeof *out);
	if (!p)
		return 0;
	i = 0;
	while (i < n && i < MAX_INDENT && (p[i] == ' ' || p[i] == '\t'))
		i++;

	/* An agency-only lead: "EFE.- Sube el precio". */
	e = agency_list_at(p, n, i, &al);
	if (e > i && e < n && p[e] == '.' && dash_at(p, n, e + 1)) {
		k = dash_run(p, n, e, 1, &plain);
		out->agency_start = i;
		out->agency_len = e - i;
		out->text_len = e;
		out->length = skip_white(p, n, k);
		return 1;
	}

	/* Places, split on '/'. */
	for (;;) {
		e = name_at(p, n, i, &in);
		if (e == i || e - i > MAX_NAME || np == DATELINE_MAX_PLACES)
			goto none;
		out->places[np].start = i;
		out->places[np].len = e - i;
		np++;
		j = skip_blanks(p, n, e);
		if (j < n && p[j] == '/') {
			i = skip_blanks(p, n, j + 1);
			continue;
		}
		i = e;
		break;
	}
	/* "Bruselas. (EFE).-": the period ends the sentence, not an
	 * abbreviation as in "ST." or "D.C.". */
	{
		size_t s = out->places[np - 1].start, l = out->places[np - 1].len;
		size_t w = l;

		while (w > 0 && p[s + w - 1] != ' ')
			w--;
		/* W: start of the last word, relative to S. */
		if (l - w >= 5 && p[s + l - 1] == '.' &&
		    !memchr(p + s + w, '.', l - w - 1))
			out->places[np - 1].len--;
	}

	/* ", qualifier" and ", date", in that order. */
	for (;;) {
		int comma = 0;
		int m, d;

		k = i;
		if (k < n && p[k] == ',') {
			comma = 1;
			k = skip_blanks(p, n, k + 1);
		} else if (blank_at(p, n, k)) {
			k = skip_blanks(p, n, k);
		} else {
			break;
		}
		if (!has_date && (e = date_at(p, n, k, &m, &d)) != k) {
			has_date = 1;
			month = m;
			day = d;
			i = e;
			continue;
		}
		if (comma && !has_date && !has_qualifier &&
		    (e = name_at(p, n, k, &in)) != k) {
			if (e - k > MAX_NAME)
				goto none;
			has_qualifier = 1;
			out->qualifier_start = k;
			out->qualifier_len = e - k;
			i = e;
			continue;
		}
		break;
	}
	text_end = i;

	/* The agency: "(EFE)", or after a date ", Reuter" (Reuters-21578). */
	k = skip_blanks(p, n, i);
	al.n = 0;
	if (k < n && p[k] == '(') {
		e = agency_list_at(p, n, k + 1, &al);
		if (e == k + 1 || e >= n || p[e] != ')')
			goto none;
		out->agency_start = k + 1;
		out->agency_len = e - (k + 1);
		paren = 1;
		text_end = e + 1;
		k = e + 1;
	} else if (has_date && k < n && p[k] == ',') {
		j = skip_blanks(p, n, k + 1);
		e = agency_list_at(p, n, j, &al);
		if (e != j) {
			out->agency_start = j;
			out->agency_len = e - j;
			text_end = e;
			k = e;
		} else {
			k = j;
		}
	}
	if (!out->agency_len && !month)
		goto none;
	if (out->agency_len && is_abbreviation(p, &al, &in))
		goto none;
	if (text_end > MAX_TEXT)
		goto none;

	/* The dash, then the blanks after it. */
	k = skip_blanks(p, n, k);
	e = dash_run(p, n, k, paren, &plain);
	if (e == k)
		goto none;
	/* "SALVADOR, Feb 26 -" needs a blank after a plain hyphen; after
	 * "(EFE).-" or an em dash text may follow at once. */
	if (!paren && plain && e < n && skip_white(p, n, e) == e)
		goto none;
	e = skip_white(p, n, e);

	out->n_places = np;
	out->text_len = text_end;
	out->length = e;
	out->month = month;
	out->day = month ? day : 0;
	return 1;
none:
	memset(out, 0, sizeof *out);
	return 0;
}
