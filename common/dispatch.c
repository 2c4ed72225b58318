/*
 * dispatch.c - the dispatch record: setters, the body (paragraphs,
 * dateline, sign-off) and display helpers.
 *
 * The arrays of a dispatch carry no capacity, so they grow one realloc at a
 * time; dispatches have few places and tags, and dispatch_set_body() sizes
 * the paragraph array once.
 */
#include "dispatch.h"

#include "alloc.h"
#include "strbuf.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

#define HEADLINE_MAX 200      /* bytes of a headline taken from the body */
#define HEADLINE_MIN 20       /* a first "sentence" shorter than this is an
				 abbreviation or a fragment, not a sentence */
#define INITIALS_MAX 40

void dispatch_init(dispatch *d)
{
	memset(d, 0, sizeof *d);
	d->first_created = -1;
	d->version_created = -1;
	d->date_source = DATE_NONE;
}

static void free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void dispatch_release(dispatch *d)
{
	size_t i;

	free(d->id);
	free(d->agency);
	free_strings(d->places, d->n_places);
	free(d->dateline);
	free(d->located);
	free(d->headline);
	free(d->byline);
	free(d->slugline);
	free_strings(d->paragraphs, d->n_paragraphs);
	free(d->signoff);
	free(d->language);
	free(d->pubstatus);
	for (i = 0; i < d->n_tags; i++)
		free(d->tags[i].value);
	free(d->tags);
	free(d->source_file);
	dispatch_init(d);
}

/* ------------------------------------------------------------------ */

static int is_white(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Bytes of white space ending at S[END-1] (ASCII blanks and U+00A0). */
static size_t white_before(const char *s, size_t end)
{
	if (end && is_white(s[end - 1]))
		return 1;
	if (end >= 2 && (unsigned char)s[end - 2] == 0xC2 &&
	    (unsigned char)s[end - 1] == 0xA0)
		return 2;
	return 0;
}

static size_t white_at(const char *s, size_t len, size_t i)
{
	if (i < len && is_white(s[i]))
		return 1;
	if (i + 1 < len && (unsigned char)s[i] == 0xC2 &&
	    (unsigned char)s[i + 1] == 0xA0)
		return 2;
	return 0;
}

/* Trim S[*START..*END) of surrounding white space. */
static void trim(const char *s, size_t *start, size_t *end)
{
	size_t w;

	while (*start < *end && (w = white_at(s, *end, *start)))
		*start += w;
	while (*end > *start && (w = white_before(s, *end)))
		*end -= w;
}

/* A cleaned, trimmed copy of S into *OUT (NULL when nothing is left).
 * 0, or -1 when out of memory. */
static int clean_copy(const char *s, size_t len, char **out)
{
	size_t n, a = 0, b;
	char *c;

	*out = NULL;
	if (!s)
		len = 0;
	c = text_clean(s ? s : "", len, &n, NULL);
	if (!c)
		return -1;
	b = n;
	trim(c, &a, &b);
	if (a == b) {
		free(c);
		return 0;
	}
	memmove(c, c + a, b - a);
	c[b - a] = '\0';
	*out = c;
	return 0;
}

/* "KABUL" and "Kabul" are one place: a place written in capitals is kept
 * in name case, so facets and displays do not split it.  Replaces *S;
 * 0, or -1 when out of memory (*S unchanged). */
static int name_case(char **s)
{
	char *named = text_name_case(*s, strlen(*s));

	if (!named)
		return -1;
	free(*s);
	*s = named;
	return 0;
}

/* Append S to the array *V of *N strings. 0, or -1 (S not taken). */
static int push_string(char ***v, size_t *n, char *s)
{
	char **nv;

	if (*n >= ((size_t)-1) / sizeof **v - 1)
		return -1;
	nv = wire_realloc(*v, (*n + 1) * sizeof **v);
	if (!nv)
		return -1;
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

int dispatch_set(dispatch *d, char **field, const char *s, size_t len)
{
	char *c;

	(void)d;
	if (clean_copy(s, len, &c))
		return -1;
	free(*field);
	*field = c;
	return 0;
}

/* Clean S and append it to *V unless empty. */
static int add_string(char ***v, size_t *n, const char *s, size_t len)
{
	char *c;

	if (clean_copy(s, len, &c))
		return -1;
	if (!c)
		return 0;
	if (push_string(v, n, c)) {
		free(c);
		return -1;
	}
	return 0;
}

int dispatch_add_place(dispatch *d, const char *s, size_t len)
{
	char *named = text_name_case(s, len);
	int r;

	if (!named)
		return -1;
	r = add_string(&d->places, &d->n_places, named, strlen(named));
	free(named);
	return r;
}

int dispatch_add_paragraph(dispatch *d, const char *s, size_t len)
{
	return add_string(&d->paragraphs, &d->n_paragraphs, s, len);
}

int dispatch_add_tag(dispatch *d, enum tag_kind kind, const char *s,
		     size_t len)
{
	dispatch_tag *nt;
	char *c;

	if (clean_copy(s, len, &c))
		return -1;
	if (!c)
		return 0;
	nt = wire_realloc(d->tags, (d->n_tags + 1) * sizeof *nt);
	if (!nt) {
		free(c);
		return -1;
	}
	nt[d->n_tags].kind = kind;
	nt[d->n_tags].value = c;
	d->n_tags++;
	d->tags = nt;
	return 0;
}

/* ------------------------------------------------------------------ */

static const struct agency_alias {
	const char *alias;
	const char *name;
} agency_aliases[] = {
	{ "EFE", "EFE" },
	{ "Agencia EFE", "EFE" },
	{ "Reuters", "Reuters" },
	{ "Reuter", "Reuters" },
	{ "Thomson Reuters", "Reuters" },
	{ "AP", "AP" },
	{ "Associated Press", "AP" },
	{ "The Associated Press", "AP" },
	{ "AFP", "AFP" },
	{ "Agence France-Presse", "AFP" },
	{ "Agence France Presse", "AFP" },
	{ "France-Presse", "AFP" },
	{ "dpa", "dpa" },
	{ "Deutsche Presse-Agentur", "dpa" },
	{ "Xinhua", "Xinhua" },
	{ "Xinhua News Agency", "Xinhua" },
	{ "ANSA", "ANSA" },
	{ "Europa Press", "Europa Press" },
	{ "Kyodo", "Kyodo" },
	{ "Kyodo News", "Kyodo" },
	{ "Yonhap", "Yonhap" },
	{ "TASS", "TASS" },
	{ "UPI", "UPI" },
	{ "United Press International", "UPI" },
	{ "PTI", "PTI" },
	{ "IANS", "IANS" },
	{ "APA", "APA" },
	{ "Prensa Latina", "Prensa Latina" },
	{ "Notimex", "Notimex" },
	{ "Anadolu", "Anadolu" },
	{ "Anadolu Agency", "Anadolu" },
	{ "Lusa", "Lusa" },
};

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c;
}

static int same_ci(const char *a, size_t alen, const char *b)
{
	size_t i;

	if (strlen(b) != alen)
		return 0;
	for (i = 0; i < alen; i++)
		if (ascii_lower((unsigned char)a[i]) !=
		    ascii_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* Display form of the agency named by S[0..LEN), or NULL if unknown. */
static const char *agency_lookup(const char *s, size_t len)
{
	size_t a = 0, b = len, k;

	trim(s, &a, &b);
	for (k = 0; k < sizeof agency_aliases / sizeof agency_aliases[0]; k++)
		if (same_ci(s + a, b - a, agency_aliases[k].alias))
			return agency_aliases[k].name;
	return NULL;
}

const char *dispatch_agency_name(const char *s)
{
	const char *name;

	if (!s)
		return NULL;
	name = agency_lookup(s, strlen(s));
	return name ? name : s;
}

/* Display form of a dateline's agencies ("efe/afp" -> "EFE/AFP"):
 * malloc'd, NULL when out of memory. */
static char *agency_display(const char *s, size_t len)
{
	strbuf sb = STRBUF_INIT;
	size_t i = 0, j;

	while (i < len) {
		const char *name;

		j = i;
		while (j < len && s[j] != '/' && s[j] != '-')
			j++;
		name = agency_lookup(s + i, j - i);
		if (sb.len && strbuf_addch(&sb, '/'))
			goto fail;
		if (name ? strbuf_addstr(&sb, name) : strbuf_add(&sb, s + i, j - i))
			goto fail;
		i = j + 1;
	}
	{
		char *c;

		if (clean_copy(strbuf_str(&sb), sb.len, &c))
			goto fail;
		strbuf_release(&sb);
		return c;
	}
fail:
	strbuf_release(&sb);
	return NULL;
}

/* ------------------------------------------------------------------ */

/* EFE-style editors' initials: "lk-aa-jgv-sk", "gr/bp": two or more
 * groups of one to five lower-case letters joined by '-' or '/'. */
static int is_initials(const char *s, size_t len)
{
	size_t i = 0, groups = 0, g;

	if (len < 3 || len > INITIALS_MAX)
		return 0;
	for (;;) {
		g = 0;
		while (i < len && s[i] >= 'a' && s[i] <= 'z') {
			i++;
			g++;
		}
		if (g < 1 || g > 5)
			return 0;
		groups++;
		if (i == len)
			return groups >= 2;
		if (s[i] != '-' && s[i] != '/')
			return 0;
		i++;
	}
}

/* The agency names that sign a dispatch off. */
static const char *const signoff_names[] = {
	"EFE", "Reuter", "Reuters", "AP", "AFP", "dpa", "Xinhua", "ANSA",
	"Europa Press", "Kyodo", "Yonhap", "TASS", "UPI", "PTI", "IANS",
	"APA", "Prensa Latina", "Notimex", "Anadolu", "Lusa",
};

/* Whether T[0..END) ends with an agency sign-off: the name alone on its
 * line, or after the end of a sentence (". EFE", "” EFE").  Sets *START
 * to where the name begins. */
static int signoff_agency(const char *t, size_t end, size_t *start)
{
	size_t k, s, w;

	for (k = 0; k < sizeof signoff_names / sizeof signoff_names[0]; k++) {
		size_t l = strlen(signoff_names[k]);
		int newline = 0;
		unsigned char c;

		if (l > end || !same_ci(t + end - l, l, signoff_names[k]))
			continue;
		s = end - l;
		if (s == 0) {
			*start = 0;
			return 1;
		}
		if (!white_before(t, s))
			continue;
		while ((w = white_before(t, s))) {
			newline |= t[s - 1] == '\n';
			s -= w;
		}
		if (s == 0 || newline) {
			*start = end - l;
			return 1;
		}
		/* ASCII sentence ends, or the last byte of ” ’ » (UTF-8). */
		c = (unsigned char)t[s - 1];
		if (c == '.' || c == '!' || c == '?' || c == '"' ||
		    c == '\'' || c == ')' || c == ']' ||
		    (s >= 3 && (unsigned char)t[s - 3] == 0xE2 &&
		     (unsigned char)t[s - 2] == 0x80 &&
		     (c == 0x9D || c == 0x99)) ||
		    (s >= 2 && (unsigned char)t[s - 2] == 0xC2 && c == 0xBB)) {
			*start = end - l;
			return 1;
		}
	}
	return 0;
}

/* Find the sign-off at the end of T[0..*END): "... regime. EFE\n
 * lk-aa-jgv-sk", " Reuter", "EFE gr/bp".  Sets *END to the end of the
 * text before it, and the agency and initials ranges (length 0 when
 * absent). */
static void find_signoff(const char *t, size_t *end, size_t *ag_start,
			 size_t *ag_len, size_t *in_start, size_t *in_len)
{
	size_t e = *end, a = 0, ls, s;

	*ag_len = *in_len = 0;
	trim(t, &a, &e);
	if (a == e) {
		*end = e;
		return;
	}

	/* Initials alone on the last line, after the agency's sign-off or as
	 * a paragraph of their own: "dlrs/bbl" ending the last line of a
	 * Reuters story is text. */
	ls = e;
	while (ls > a && t[ls - 1] != '\n')
		ls--;
	s = ls;
	trim(t, &s, &e);
	{
		size_t before = ls, as;
		int own_paragraph;

		trim(t, &a, &before);
		own_paragraph = memchr(t + before, '\n', ls - before) &&
				memchr(t + before, '\n', ls - before) !=
					memrchr(t + before, '\n', ls - before);
		if (is_initials(t + s, e - s) && before > a &&
		    (own_paragraph || signoff_agency(t + a, before - a, &as))) {
			*in_start = s;
			*in_len = e - s;
			e = before;
			goto agency;
		}
	}
	{
		/* "... regime. EFE lk-aa-jgv-sk": initials after the agency
		 * on one line. */
		size_t ws = e, ae = e, as;

		while (ws > a && !white_before(t, ws))
			ws--;
		if (ws > a && is_initials(t + ws, e - ws)) {
			ae = ws;
			trim(t, &a, &ae);
			if (signoff_agency(t + a, ae - a, &as)) {
				*in_start = ws;
				*in_len = e - ws;
				e = ae;
			}
		}
	}
agency:
	if (e > a && signoff_agency(t + a, e - a, &s)) {
		*ag_start = a + s;
		*ag_len = e - (a + s);
		e = a + s;
		trim(t, &a, &e);
	}
	*end = e;
}

/* Split T[0..LEN) into paragraphs pushed onto *TMP: blank lines separate
 * them, line breaks inside one become a single space. */
static int split_paragraphs(dispatch *tmp, const char *t, size_t len)
{
	strbuf sb = STRBUF_INIT;
	size_t i = 0;

	while (i <= len) {
		size_t eol = i, a = i, b;
		char *p;

		while (eol < len && t[eol] != '\n')
			eol++;
		b = eol;
		trim(t, &a, &b);
		if (a < b) {
			if ((sb.len && strbuf_addch(&sb, ' ')) ||
			    strbuf_add(&sb, t + a, b - a))
				goto fail;
		}
		if ((a == b || eol >= len) && sb.len) {
			p = strbuf_detach(&sb, NULL);
			if (!p || push_string(&tmp->paragraphs,
					      &tmp->n_paragraphs, p)) {
				free(p);
				goto fail;
			}
		}
		i = eol + 1;
	}
	return 0;
fail:
	strbuf_release(&sb);
	return -1;
}

static int has_string(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

/* Take the dateline off the first paragraph of TMP into TMP's places,
 * dateline, agency and date (the date only when D has none). */
static int take_dateline(dispatch *tmp, const dispatch *d, int year_hint,
			 int *dated)
{
	char *p = tmp->paragraphs[0];
	size_t len = strlen(p), i;
	dateline dl;

	if (!dateline_parse(p, len, &dl))
		return 0;
	for (i = 0; i < dl.n_places; i++) {
		char *c;

		if (clean_copy(p + dl.places[i].start, dl.places[i].len, &c))
			return -1;
		if (!c)
			continue;
		if (name_case(&c)) {
			free(c);
			return -1;
		}
		if (has_string(d->places, d->n_places, c) ||
		    has_string(tmp->places, tmp->n_places, c)) {
			free(c);
			continue;
		}
		if (push_string(&tmp->places, &tmp->n_places, c)) {
			free(c);
			return -1;
		}
	}
	if (dispatch_set(tmp, &tmp->dateline, p, dl.text_len))
		return -1;
	if (dl.agency_len) {
		tmp->agency = agency_display(p + dl.agency_start, dl.agency_len);
		if (!tmp->agency)
			return -1;
	}
	if (year_hint > 0 && dl.month && dl.day && d->version_created < 0) {
		int64_t t = date_from_ymd(year_hint, dl.month, dl.day, 0, 0, 0);

		if (t != -1) {
			tmp->version_created = t;
			*dated = 1;
		}
	}
	/* The rest of the paragraph, after the dash. */
	memmove(p, p + dl.length, len - dl.length + 1);
	if (!*p) {
		free(p);
		tmp->n_paragraphs--;
		memmove(tmp->paragraphs, tmp->paragraphs + 1,
			tmp->n_paragraphs * sizeof *tmp->paragraphs);
	}
	return 0;
}

/* Move what TMP gathered into D; only the array growth can fail, and it
 * comes first, so D is either fully updated or unchanged. */
static int merge_body(dispatch *d, dispatch *tmp, int dated)
{
	size_t i;

	if (tmp->n_paragraphs) {
		char **v = wire_realloc(d->paragraphs,
					(d->n_paragraphs + tmp->n_paragraphs) *
						sizeof *v);

		if (!v)
			return -1;
		d->paragraphs = v;
	}
	if (tmp->n_places) {
		char **v = wire_realloc(d->places, (d->n_places + tmp->n_places) *
							   sizeof *v);

		if (!v)
			return -1;
		d->places = v;
	}
	for (i = 0; i < tmp->n_paragraphs; i++)
		d->paragraphs[d->n_paragraphs++] = tmp->paragraphs[i];
	tmp->n_paragraphs = 0;
	for (i = 0; i < tmp->n_places; i++)
		d->places[d->n_places++] = tmp->places[i];
	tmp->n_places = 0;
	/* A dateline or agency from structured fields is trusted more than
	 * the one in the text. */
	if (!d->dateline) {
		d->dateline = tmp->dateline;
		tmp->dateline = NULL;
	}
	if (!d->agency) {
		d->agency = tmp->agency;
		tmp->agency = NULL;
	}
	if (tmp->signoff) {
		free(d->signoff);
		d->signoff = tmp->signoff;
		tmp->signoff = NULL;
	}
	if (dated) {
		d->version_created = tmp->version_created;
		d->date_source = DATE_DATELINE;
	}
	return 0;
}

int dispatch_set_body(dispatch *d, const char *body, size_t len,
		      int year_hint)
{
	dispatch tmp;
	char *t;
	size_t n, end, ag_start = 0, ag_len, in_start = 0, in_len;
	int dated = 0;

	dispatch_init(&tmp);
	t = text_clean(body ? body : "", body ? len : 0, &n, NULL);
	if (!t)
		return -1;

	end = n;
	find_signoff(t, &end, &ag_start, &ag_len, &in_start, &in_len);
	if (ag_len || in_len) {
		strbuf sb = STRBUF_INIT;

		if ((ag_len && strbuf_add(&sb, t + ag_start, ag_len)) ||
		    (ag_len && in_len && strbuf_addch(&sb, ' ')) ||
		    (in_len && strbuf_add(&sb, t + in_start, in_len)) ||
		    !(tmp.signoff = strbuf_detach(&sb, NULL))) {
			strbuf_release(&sb);
			goto fail;
		}
	}
	if (split_paragraphs(&tmp, t, end))
		goto fail;
	if (tmp.n_paragraphs && take_dateline(&tmp, d, year_hint, &dated))
		goto fail;
	/* "... Reuter" with no "(Reuters)" in the dateline (Reuters-21578):
	 * the sign-off names the agency. */
	if (!tmp.agency && ag_len) {
		const char *name = agency_lookup(t + ag_start, ag_len);

		if (name && !(tmp.agency = wire_strdup(name)))
			goto fail;
	}
	if (merge_body(d, &tmp, dated))
		goto fail;
	free(t);
	dispatch_release(&tmp);
	return 0;
fail:
	free(t);
	dispatch_release(&tmp);
	return -1;
}

/* ------------------------------------------------------------------ */

/* Whether the '.' at P[I] ends a sentence rather than an abbreviation:
 * "U.S.", "Mr.", "St." do not. */
static int sentence_end(const char *p, size_t len, size_t i)
{
	static const char *const abbrev[] = {
		"Mr", "Mrs", "Ms", "Dr", "St", "Sr", "Sra", "Jr", "Gen", "Sen",
		"Rep", "Gov", "Lt", "Col", "Sgt", "Capt", "Inc", "Corp", "Co",
		"Ltd", "No", "vs", "Jan", "Feb", "Aug", "Sept", "Oct", "Nov",
		"Dec", "Calif", "Fla", "Ore", "Mass", "Wash",
	};
	size_t w = i, k;

	if (p[i] != '.' && p[i] != '!' && p[i] != '?')
		return 0;
	if (i + 1 < len && p[i + 1] != ' ')
		return 0;
	/* A lower-case word after it: still the same sentence. */
	if (i + 2 < len && p[i + 2] >= 'a' && p[i + 2] <= 'z')
		return 0;
	if (p[i] != '.')
		return 1;
	while (w > 0 && p[w - 1] != ' ')
		w--;
	if (memchr(p + w, '.', i - w) || i - w == 1)
		return 0;
	for (k = 0; k < sizeof abbrev / sizeof abbrev[0]; k++)
		if (strlen(abbrev[k]) == i - w &&
		    !memcmp(abbrev[k], p + w, i - w))
			return 0;
	return 1;
}

/* Bytes before MAX in S that end on a character boundary. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (max >= len)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

char *dispatch_display_headline(const dispatch *d)
{
	const char *p;
	size_t len, i, cut;
	strbuf sb = STRBUF_INIT;

	if (d->headline && *d->headline)
		return wire_strdup(d->headline);
	if (!d->n_paragraphs || !d->paragraphs[0])
		return NULL;
	p = d->paragraphs[0];
	len = strlen(p);
	if (!len)
		return NULL;
	for (i = HEADLINE_MIN - 1; i < len && i < HEADLINE_MAX; i++)
		if (sentence_end(p, len, i))
			return wire_strndup(p, i + 1);
	if (len <= HEADLINE_MAX)
		return wire_strndup(p, len);
	cut = utf8_cut(p, len, HEADLINE_MAX);
	/* Back to the last word boundary, unless the word is huge. */
	for (i = cut; i > HEADLINE_MAX / 2; i--)
		if (p[i] == ' ')
			break;
	if (i > HEADLINE_MAX / 2)
		cut = i;
	while (cut > 0 && (p[cut - 1] == ' ' || p[cut - 1] == ',' ||
			   p[cut - 1] == ';' || p[cut - 1] == ':'))
		cut--;
	if (strbuf_add(&sb, p, cut) || strbuf_addstr(&sb, "\xe2\x80\xa6")) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}
