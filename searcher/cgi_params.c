/*
 * cgi_params.c - decoding and checking the CGI's parameters.
 *
 * Everything here is strict on purpose: a value that is not what a form of
 * ours could have sent gets a 400 with a fixed reason rather than a guess,
 * because a guess is where injection bugs live.
 */
#include "cgi_params.h"

#include "alloc.h"
#include "dispatch.h"
#include "strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int cgi_params_init(cgi_params *p)
{
	memset(p, 0, sizeof(*p));
	p->page = 1;
	p->per_page = CGI_DEFAULT_PER_PAGE;
	p->sort = SORT_RELEVANCE;
	p->format = CGI_FORMAT_HTML;
	p->q = wire_strdup("");
	return p->q ? 0 : -1;
}

void cgi_params_release(cgi_params *p)
{
	free(p->q);
	free(p->agency);
	free(p->place);
	free(p->lang);
	free(p->id);
	memset(p, 0, sizeof(*p));
}

int cgi_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		size_t n;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1, cp = c & 0x1f, min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2, cp = c & 0x0f, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return 0; /* continuation byte, 0xc0/0xc1, 0xf5.. */
		}
		if (len - i <= n)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum cgi_status cgi_decode(const char *s, size_t len, char **out,
			   size_t *out_len, const char **why)
{
	char *d = wire_malloc(len + 1);
	size_t n = 0;

	*out = NULL;
	if (!d)
		return CGI_NO_MEMORY;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			d[n++] = ' ';
		} else if (s[i] == '%') {
			int hi = i + 1 < len ? hexval((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < len ? hexval((unsigned char)s[i + 2]) : -1;

			if (hi < 0 || lo < 0) {
				free(d);
				*why = "A parameter holds an invalid percent escape.";
				return CGI_BAD_REQUEST;
			}
			d[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			d[n++] = s[i];
		}
	}
	d[n] = '\0';
	if (memchr(d, '\0', n)) {
		free(d);
		*why = "A parameter holds a NUL byte.";
		return CGI_BAD_REQUEST;
	}
	if (!cgi_utf8_valid(d, n)) {
		free(d);
		*why = "A parameter is not valid UTF-8 text.";
		return CGI_BAD_REQUEST;
	}
	*out = d;
	if (out_len)
		*out_len = n;
	return CGI_OK;
}

/* ------------------------------------------------------------------ */

/* Digits only, 1 .. MAX; anything else (sign, exponent, overflow) fails. */
static int parse_count(const char *s, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return -1;
	}
	if (v < 1)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_date(const char *s, char out[11])
{
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	/* -1 is date_from_ymd()'s only error: days before 1970 are negative. */
	if (y < 1000 || date_from_ymd(y, m, d, 0, 0, 0) == -1)
		return -1;
	memcpy(out, s, 11);
	return 0;
}

/* Whether S holds a character that could end a quoted filter value in the
 * query language: '"', a backslash, or a typographic double quote. */
static int has_quote(const char *s)
{
	for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
		if (*u == '"' || *u == '\\')
			return 1;
		/* U+201C..U+201F: E2 80 9C..9F; U+00AB, U+00BB: C2 AB/BB;
		 * U+FF02: EF BC 82; U+2033 (double prime): E2 80 B3. */
		if (u[0] == 0xe2 && u[1] == 0x80 &&
		    ((u[2] >= 0x9c && u[2] <= 0x9f) || u[2] == 0xb3))
			return 1;
		if (u[0] == 0xc2 && (u[1] == 0xab || u[1] == 0xbb))
			return 1;
		if (u[0] == 0xef && u[1] == 0xbc && u[2] == 0x82)
			return 1;
	}
	return 0;
}

static int only_blanks(const char *s)
{
	for (; *s; s++)
		if (*s != ' ')
			return 0;
	return 1;
}

/* A filter value: at most CGI_MAX_FILTER bytes and no quote. */
static enum cgi_status set_filter(char **field, char *v, const char *too_long,
				  const char *quoted, const char **why)
{
	if (strlen(v) > CGI_MAX_FILTER) {
		*why = too_long;
		return CGI_BAD_REQUEST;
	}
	if (has_quote(v)) {
		*why = quoted;
		return CGI_BAD_REQUEST;
	}
	if (only_blanks(v))
		return CGI_OK;
	*field = wire_strdup(v);
	return *field ? CGI_OK : CGI_NO_MEMORY;
}

static const struct {
	const char *name;
	unsigned bit;
} known[] = {
	{ "q", CGI_P_Q },
	{ "page", CGI_P_PAGE },
	{ "per_page", CGI_P_PER_PAGE },
	{ "sort", CGI_P_SORT },
	{ "agency", CGI_P_AGENCY },
	{ "place", CGI_P_PLACE },
	{ "lang", CGI_P_LANG },
	{ "from", CGI_P_FROM },
	{ "to", CGI_P_TO },
	{ "versions", CGI_P_VERSIONS },
	{ "format", CGI_P_FORMAT },
	{ "id", CGI_P_ID },
	{ "facets", CGI_P_FACETS },
};

static enum cgi_status set_known(cgi_params *p, unsigned bit, char *v,
				 const char **why)
{
	size_t len = strlen(v);

	switch (bit) {
	case CGI_P_Q:
		if (len > CGI_MAX_Q) {
			*why = "The query is too long (at most 1000 bytes).";
			return CGI_BAD_REQUEST;
		}
		free(p->q);
		p->q = wire_strdup(v);
		return p->q ? CGI_OK : CGI_NO_MEMORY;
	case CGI_P_PAGE:
		if (parse_count(v, CGI_MAX_DEPTH, &p->page)) {
			*why = "The parameter page must be a whole number from 1 to 1000.";
			return CGI_BAD_REQUEST;
		}
		return CGI_OK;
	case CGI_P_PER_PAGE:
		if (parse_count(v, CGI_MAX_PER_PAGE, &p->per_page)) {
			*why = "The parameter per_page must be a whole number from 1 to 100.";
			return CGI_BAD_REQUEST;
		}
		return CGI_OK;
	case CGI_P_SORT:
		if (!strcmp(v, "relevance"))
			p->sort = SORT_RELEVANCE;
		else if (!strcmp(v, "date"))
			p->sort = SORT_DATE;
		else if (!strcmp(v, "-date"))
			p->sort = SORT_DATE_DESC;
		else {
			*why = "The parameter sort must be relevance, date or -date.";
			return CGI_BAD_REQUEST;
		}
		return CGI_OK;
	case CGI_P_AGENCY:
		return set_filter(&p->agency, v,
				  "The parameter agency is too long.",
				  "The parameter agency may not contain quotes.", why);
	case CGI_P_PLACE:
		return set_filter(&p->place, v,
				  "The parameter place is too long.",
				  "The parameter place may not contain quotes.", why);
	case CGI_P_ID:
		return set_filter(&p->id, v, "The parameter id is too long.",
				  "The parameter id may not contain quotes.", why);
	case CGI_P_LANG:
		/* A two-letter code or a language name: letters only. */
		if (len > 20) {
			*why = "The parameter lang must be a language code such as en or es.";
			return CGI_BAD_REQUEST;
		}
		for (size_t i = 0; i < len; i++) {
			char c = v[i];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
				*why = "The parameter lang must be a language code such as en or es.";
				return CGI_BAD_REQUEST;
			}
		}
		p->lang = wire_strdup(v);
		return p->lang ? CGI_OK : CGI_NO_MEMORY;
	case CGI_P_FROM:
	case CGI_P_TO:
		if (parse_date(v, bit == CGI_P_FROM ? p->from : p->to)) {
			*why = bit == CGI_P_FROM
				       ? "The parameter from must be a date written YYYY-MM-DD."
				       : "The parameter to must be a date written YYYY-MM-DD.";
			return CGI_BAD_REQUEST;
		}
		return CGI_OK;
	case CGI_P_VERSIONS:
		if (!strcmp(v, "collapsed"))
			p->all_versions = 0;
		else if (!strcmp(v, "all"))
			p->all_versions = 1;
		else {
			*why = "The parameter versions must be collapsed or all.";
			return CGI_BAD_REQUEST;
		}
		return CGI_OK;
	case CGI_P_FACETS:
		if (!strcmp(v, "1"))
			p->no_facets = 0;
		else if (!strcmp(v, "0"))
			p->no_facets = 1;
		else {
			*why = "The parameter facets must be 0 or 1.";
			return CGI_BAD_REQUEST;
		}
		return CGI_OK;
	case CGI_P_FORMAT:
		if (!strcmp(v, "html"))
			p->format = CGI_FORMAT_HTML;
		else if (!strcmp(v, "json"))
			p->format = CGI_FORMAT_JSON;
		else {
			*why = "The parameter format must be html or json.";
			return CGI_BAD_REQUEST;
		}
		return CGI_OK;
	default:
		return CGI_OK;
	}
}

enum cgi_status cgi_params_set(cgi_params *p, const char *name,
			       const char *value, size_t len, const char **why)
{
	unsigned bit = 0;
	enum cgi_status st;
	char *v;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(name, known[i].name))
			bit = known[i].bit;
	if (!bit || (p->seen & bit))
		return CGI_OK;
	if (memchr(value, '\0', len)) {
		*why = "A parameter holds a NUL byte.";
		return CGI_BAD_REQUEST;
	}
	if (!cgi_utf8_valid(value, len)) {
		*why = "A parameter is not valid UTF-8 text.";
		return CGI_BAD_REQUEST;
	}
	p->seen |= bit;
	if (!len)
		return CGI_OK; /* an empty field: the default */
	v = wire_strndup(value, len);
	if (!v)
		return CGI_NO_MEMORY;
	/* No control character survives: they become spaces. */
	for (char *c = v; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	st = set_known(p, bit, v, why);
	free(v);
	return st;
}

enum cgi_status cgi_params_parse(cgi_params *p, const char *s, size_t len,
				 const char **why)
{
	size_t at = 0;

	while (at < len) {
		const char *pair = s + at, *amp = memchr(pair, '&', len - at);
		size_t plen = amp ? (size_t)(amp - pair) : len - at;
		const char *eq = memchr(pair, '=', plen);
		size_t nlen = eq ? (size_t)(eq - pair) : plen;
		char *name = NULL, *value = NULL;
		size_t vlen = 0;
		enum cgi_status st;
		const char *ignored;

		at += plen + 1;
		if (!plen)
			continue;
		/* A name that does not decode is no name of ours: ignored. */
		st = cgi_decode(pair, nlen, &name, NULL, &ignored);
		if (st == CGI_NO_MEMORY)
			return st;
		if (st != CGI_OK)
			continue;
		{
			int ours = 0;

			for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
				if (!strcmp(name, known[i].name) && !(p->seen & known[i].bit))
					ours = 1;
			if (!ours) {
				free(name);
				continue;
			}
		}
		if (eq) {
			st = cgi_decode(eq + 1, plen - nlen - 1, &value, &vlen, why);
			if (st != CGI_OK) {
				free(name);
				return st;
			}
		}
		st = cgi_params_set(p, name, value ? value : "", vlen, why);
		free(name);
		free(value);
		if (st != CGI_OK)
			return st;
	}
	return CGI_OK;
}

enum cgi_status cgi_params_check(const cgi_params *p, const char **why)
{
	if ((unsigned long)p->page * p->per_page > CGI_MAX_DEPTH) {
		*why = "Results past the 1000th are not available: narrow the search.";
		return CGI_BAD_REQUEST;
	}
	if (p->from[0] && p->to[0] && strcmp(p->from, p->to) > 0) {
		*why = "The date from must not be after the date to.";
		return CGI_BAD_REQUEST;
	}
	return CGI_OK;
}

/* ------------------------------------------------------------------ */

char *cgi_query_balance(const char *q)
{
	strbuf sb = STRBUF_INIT;
	size_t len = strlen(q), last_quote = 0;
	int in_quote = 0;
	unsigned depth = 0;

	if (strbuf_grow(&sb, len + 8))
		return NULL;
	for (size_t i = 0; i < len; i++) {
		const unsigned char *u = (const unsigned char *)q + i;
		char c = q[i];

		/* Typographic and full-width double quotes count as '"'. */
		if (u[0] == 0xe2 && i + 2 < len && u[1] == 0x80 &&
		    ((u[2] >= 0x9c && u[2] <= 0x9f) || u[2] == 0xb3)) {
			c = '"';
			i += 2;
		} else if (u[0] == 0xc2 && i + 1 < len && (u[1] == 0xab || u[1] == 0xbb)) {
			c = '"';
			i += 1;
		} else if (u[0] == 0xef && i + 2 < len && u[1] == 0xbc && u[2] == 0x82) {
			c = '"';
			i += 2;
		}
		if (c == '\\' || (unsigned char)c < 0x20 || c == 0x7f)
			c = ' ';
		if (c == '"') {
			in_quote = !in_quote;
			if (in_quote)
				last_quote = sb.len;
		} else if (!in_quote && c == '(') {
			depth++;
		} else if (!in_quote && c == ')') {
			if (!depth)
				c = ' ';
			else
				depth--;
		}
		if (strbuf_addch(&sb, c))
			goto oom;
	}
	if (in_quote) {
		/* An unpaired quote: drop it, and re-count the parentheses
		 * that followed it, which were read as phrase text. */
		char *rest;

		sb.buf[last_quote] = ' ';
		rest = wire_strdup(sb.buf + last_quote);
		if (!rest)
			goto oom;
		for (char *r = rest; *r; r++) {
			if (*r == '(')
				depth++;
			else if (*r == ')') {
				if (!depth)
					sb.buf[last_quote + (size_t)(r - rest)] = ' ';
				else
					depth--;
			}
		}
		free(rest);
	}
	while (depth--)
		if (strbuf_addch(&sb, ')'))
			goto oom;
	return strbuf_detach(&sb, NULL);
oom:
	strbuf_release(&sb);
	return NULL;
}

char *cgi_params_query(const cgi_params *p, int with_id)
{
	strbuf sb = STRBUF_INIT;
	char *q = cgi_query_balance(p->q ? p->q : "");
	int r = 0;

	if (!q)
		return NULL;
	if (!only_blanks(q))
		r = strbuf_addf(&sb, "(%s)", q);
	free(q);
	if (!r && p->agency)
		r = strbuf_addf(&sb, " agency:\"%s\"", p->agency);
	if (!r && p->place)
		r = strbuf_addf(&sb, " place:\"%s\"", p->place);
	if (!r && p->lang)
		r = strbuf_addf(&sb, " lang:%s", p->lang);
	if (!r && (p->from[0] || p->to[0]))
		r = strbuf_addf(&sb, " date:%s..%s", p->from, p->to);
	if (!r && with_id && p->id)
		r = strbuf_addf(&sb, " id:\"%s\"", p->id);
	if (!r && !sb.buf)
		r = strbuf_addstr(&sb, "");
	if (r) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}
