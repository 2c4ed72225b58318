/*
 * readers/jsonl.c - FORMAT_JSONL: JSON Lines (.jsonl, .ndjson), one
 * dispatch per line, with the IPTC ninjs property names:
 *
 *   {"uri": "urn:...:ap-torkham", "version": "2",
 *    "firstcreated": "2025-04-23T06:10:00Z", "versioncreated": "...",
 *    "pubstatus": "usable", "urgency": 3, "headline": "...",
 *    "body_text": "ISLAMABAD (AP) — Pakistan and ...\n\nThe crossing ...",
 *    "language": "en", "located": "Islamabad", "byline": "...",
 *    "slugline": "...", "subjects": [{"name": "border"}],
 *    "places": [{"name": "Torkham"}], "infosources": [{"name": "AP"}]}
 *
 * Alternatives, first found wins: id from uri, guid or id; headline from
 * headline or headlines[] (the "main" one, else the first); body from
 * body_text, body_html (tags stripped, <p> and <br> end paragraphs, <h1>
 * the headline again, dropped) or
 * bodies[] (the first with a value); byline or by; subjects or subject;
 * places or place; agency or infosources[].name.  Lists hold strings or
 * objects with a "name".  The body's own dateline (dispatch_set_body())
 * gives the dateline places, apart from the subject places (TAG_PLACE) and
 * from located.
 *
 * A line that is no JSON object, has no id or has an impossible date is
 * reported as "FILE:LINE: reason" and skipped; the rest of the file is
 * read.  A field of the wrong type is reported and ignored.  Blank lines
 * are ignored; a line longer than INPUT_MAX_LINE is skipped.  Invalid
 * UTF-8 and raw control characters are repaired before parsing (counted),
 * "\u0000" and other escaped control characters when the text is stored.
 */
#include "readers.h"

#include "alloc.h"
#include "strbuf.h"
#include "text.h"

#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define JSONL_MAX_ID 1024u

struct jsonl_state {
	unsigned long last_line;   /* line of the last piece input gave */
	unsigned long long_lines;  /* input_long_lines() already reported */
};

/* ------------------------------------------------------------- helpers */

static int jsonl_is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The string of V, or NULL when V is no string. */
static const char *jsonl_str(const json_t *v, size_t *len)
{
	if (!json_is_string(v))
		return NULL;
	*len = json_string_length(v);
	return json_string_value(v);
}

/* The first of the keys (NULL-terminated list) O has; *KEY gets its name. */
static json_t *jsonl_get(json_t *o, const char *const *keys, const char **key)
{
	for (; *keys; keys++) {
		json_t *v = json_object_get(o, *keys);

		if (v && !json_is_null(v)) {
			*key = *keys;
			return v;
		}
	}
	return NULL;
}

/* The text of a string, or of the "name" of an object (other types:
 * NULL). */
static const char *jsonl_name(const json_t *v, size_t *len)
{
	if (json_is_object(v))
		v = json_object_get(v, "name");
	return jsonl_str(v, len);
}

/* Set *FIELD from S (counting the control characters it loses). */
static int jsonl_set(reader *r, dispatch *d, char **field, const char *s,
		     size_t len)
{
	r->stats.controls_removed += reader_count_controls(s, len);
	return dispatch_set(d, field, s, len);
}

static void jsonl_wrong_type(reader *r, unsigned long line, const char *key)
{
	reader_warnf(r, line, 0, "'%s' has the wrong type: ignored", key);
}

/* Set *FIELD from the string under one of KEYS (a wrong type is
 * reported).  0, or -1 when out of memory. */
static int jsonl_set_key(reader *r, dispatch *d, json_t *o,
			 const char *const *keys, char **field,
			 unsigned long line)
{
	const char *key, *s;
	json_t *v = jsonl_get(o, keys, &key);
	size_t len;

	if (!v)
		return 0;
	if (!(s = jsonl_str(v, &len))) {
		jsonl_wrong_type(r, line, key);
		return 0;
	}
	return jsonl_set(r, d, field, s, len);
}

/* A whole number in V (a JSON integer, or a string of digits) into *OUT,
 * at most MAX; -1 when it is none. */
static int jsonl_uint(const json_t *v, unsigned long max, unsigned long *out)
{
	const char *s;
	size_t len, i;
	unsigned long n = 0;

	if (json_is_integer(v)) {
		json_int_t k = json_integer_value(v);

		if (k < 0 || (unsigned long long)k > max)
			return -1;
		*out = (unsigned long)k;
		return 0;
	}
	if (!(s = jsonl_str(v, &len)) || len == 0 || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (unsigned long)(s[i] - '0');
	}
	if (n > max)
		return -1;
	*out = n;
	return 0;
}

static int jsonl_year(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((int64_t)tt != t || !gmtime_r(&tt, &tm))
		return 0;
	return tm.tm_year + 1900;
}

/* ------------------------------------------------------------- HTML */

/* Latin-1 entity names, U+00A0 to U+00FF in order. */
static const char *const jsonl_latin1[96] = {
	"nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect",
	"uml", "copy", "ordf", "laquo", "not", "shy", "reg", "macr", "deg",
	"plusmn", "sup2", "sup3", "acute", "micro", "para", "middot", "cedil",
	"sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest",
	"Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig",
	"Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute",
	"Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc",
	"Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc",
	"Uuml", "Yacute", "THORN", "szlig", "agrave", "aacute", "acirc",
	"atilde", "auml", "aring", "aelig", "ccedil", "egrave", "eacute",
	"ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde",
	"ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash",
	"ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
};

static const struct {
	const char *name;
	uint32_t cp;
} jsonl_entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "ndash", 0x2013 }, { "mdash", 0x2014 },
	{ "lsquo", 0x2018 }, { "rsquo", 0x2019 }, { "sbquo", 0x201a },
	{ "ldquo", 0x201c }, { "rdquo", 0x201d }, { "bdquo", 0x201e },
	{ "hellip", 0x2026 }, { "bull", 0x2022 }, { "euro", 0x20ac },
	{ "trade", 0x2122 }, { "thinsp", 0x2009 }, { "ensp", 0x2002 },
	{ "emsp", 0x2003 }, { "OElig", 0x152 }, { "oelig", 0x153 },
	{ "Scaron", 0x160 }, { "scaron", 0x161 }, { "Yuml", 0x178 },
	{ "dagger", 0x2020 }, { "Dagger", 0x2021 }, { "prime", 0x2032 },
	{ "minus", 0x2212 },
};

/* The entity at S ('&' first): its length and *CP, or 0. */
static size_t jsonl_entity(const char *s, size_t n, uint32_t *cp)
{
	size_t i = 1, k;

	if (n > 2 && s[1] == '#')
		return reader_numeric_ref(s, n, cp);
	while (i < n && i < 10 &&
	       ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		(s[i] >= '0' && s[i] <= '9')))
		i++;
	if (i == 1 || i >= n || s[i] != ';')
		return 0;
	for (k = 0; k < sizeof jsonl_entities / sizeof jsonl_entities[0]; k++)
		if (strlen(jsonl_entities[k].name) == i - 1 &&
		    memcmp(jsonl_entities[k].name, s + 1, i - 1) == 0) {
			*cp = jsonl_entities[k].cp;
			return i + 1;
		}
	for (k = 0; k < 96; k++)
		if (strlen(jsonl_latin1[k]) == i - 1 &&
		    memcmp(jsonl_latin1[k], s + 1, i - 1) == 0) {
			*cp = 0xa0 + (uint32_t)k;
			return i + 1;
		}
	return 0;
}

static int jsonl_put_cp(reader *r, strbuf *out, uint32_t cp)
{
	/* Markup white space is a space; other controls go. */
	if (cp == '\t' || cp == '\n' || cp == '\r')
		return strbuf_addch(out, ' ');
	return reader_put_code_point(r, out, cp);
}

static int jsonl_ci_eq(const char *s, size_t n, const char *name)
{
	size_t i;

	if (strlen(name) != n)
		return 0;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != name[i])
			return 0;
	}
	return 1;
}

/* Whether tag NAME (N bytes, any case) ends a paragraph. */
static int jsonl_block_tag(const char *name, size_t n)
{
	static const char *const blocks[] = {
		"p", "br", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li",
		"ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table",
		"tr", "hr", "section", "article", "header", "footer", "aside",
		"figure", "figcaption", "address", "caption", "nav", "main",
		"body", "html", "center",
	};
	size_t k;

	for (k = 0; k < sizeof blocks / sizeof blocks[0]; k++)
		if (jsonl_ci_eq(name, n, blocks[k]))
			return 1;
	return 0;
}

/* The end of the tag that starts at S[I] ('<'): the offset after the
 * next '>', or 0 when there is none.  *GT caches the offset of the last
 * '>' found (N: none left), so a whole text is scanned once: a '>' inside
 * a quoted attribute value ends the tag early, a small price for never
 * going quadratic on "<a<a<a...". */
static size_t jsonl_tag_end(const char *s, size_t n, size_t i, size_t *gt)
{
	if (*gt <= i) {
		const char *p = i + 1 < n ? memchr(s + i + 1, '>', n - i - 1)
					  : NULL;

		*gt = p ? (size_t)(p - s) : n;
	}
	return *gt < n ? *gt + 1 : 0;
}

/* Offset of the end tag "</NAME" at or after I, case ignored, or N. */
static size_t jsonl_find_end_tag(const char *s, size_t n, size_t i,
				 const char *name)
{
	size_t nl = strlen(name);

	for (; i + 2 + nl <= n; i++)
		if (s[i] == '<' && s[i + 1] == '/' &&
		    jsonl_ci_eq(s + i + 2, nl, name) &&
		    (i + 2 + nl == n || s[i + 2 + nl] == '>' ||
		     jsonl_is_blank((unsigned char)s[i + 2 + nl])))
			return i;
	return n;
}

/* The markup (comment, tag, or script/style element) at S[I] ('<'): the
 * offset after it, with *PARA set for a tag that starts or ends a block
 * and *SPACE for another; 0 when it is no markup but a literal '<'. */
static size_t jsonl_markup(const char *s, size_t n, size_t i, size_t *gt,
			   int *para, int *space)
{
	static const char *const skips[5] = { "head", "title", "script",
					      "style", "h1" };
	size_t a = i + 1, b, end, e, k;
	const char *skip = NULL;

	if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
		const char *c = memmem(s + i + 4, n - i - 4, "-->", 3);

		return c ? (size_t)(c - s) + 3 : n;
	}
	if (a < n && (s[a] == '/' || s[a] == '!' || s[a] == '?'))
		a++;
	b = a;
	/* A tag name starts with a letter: "1<2" is text. */
	while (b < n && ((s[b] >= 'a' && s[b] <= 'z') ||
			 (s[b] >= 'A' && s[b] <= 'Z') ||
			 (b > a && s[b] >= '0' && s[b] <= '9')))
		b++;
	end = jsonl_tag_end(s, n, i, gt);
	if (!end || b == a)
		return 0;
	if (jsonl_block_tag(s + a, b - a))
		*para = 1;
	else
		*space = 1; /* <td>, <span>: words stay apart */
	/* Elements whose text is no body text, skipped whole. */
	for (k = 0; s[i + 1] != '/' && s[end - 2] != '/' && k < 5; k++)
		if (jsonl_ci_eq(s + a, b - a, skips[k]))
			skip = skips[k];
	if (!skip)
		return end;
	e = jsonl_find_end_tag(s, n, end, skip);
	if (e >= n)
		return n;
	e = jsonl_tag_end(s, n, e, gt);
	return e ? e : n;
}

/* Plain text of HTML S[0..N) into OUT: tags dropped, entities decoded,
 * white space collapsed, a blank line where a block starts or ends. */
static int jsonl_html_text(reader *r, const char *s, size_t n, strbuf *out)
{
	size_t i = 0, gt = 0;
	int space = 0, para = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len = 0, next;
		uint32_t cp;

		if (c == '<' &&
		    (next = jsonl_markup(s, n, i, &gt, &para, &space))) {
			i = next;
			continue;
		}
		if (jsonl_is_blank(c)) {
			space = 1;
			i++;
			continue;
		}
		if (out->len && (para || space) &&
		    (para ? strbuf_add(out, "\n\n", 2) : strbuf_addch(out, ' ')))
			return -1;
		para = space = 0;
		if (c == '&' && (len = jsonl_entity(s + i, n - i, &cp))) {
			if (jsonl_put_cp(r, out, cp))
				return -1;
		} else {
			len = 1;
			if (strbuf_addch(out, c))
				return -1;
		}
		i += len;
	}
	return 0;
}

/* ------------------------------------------------------------- fields */

/* Add the names of the list under one of KEYS as tags of KIND. */
static int jsonl_tags(reader *r, dispatch *d, json_t *o,
		      const char *const *keys, enum tag_kind kind,
		      unsigned long line)
{
	const char *key, *s;
	json_t *v = jsonl_get(o, keys, &key), *item;
	size_t i, len;

	if (!v)
		return 0;
	if (!json_is_array(v)) {
		if (!(s = jsonl_name(v, &len))) {
			jsonl_wrong_type(r, line, key);
			return 0;
		}
		r->stats.controls_removed += reader_count_controls(s, len);
		return dispatch_add_tag(d, kind, s, len);
	}
	json_array_foreach(v, i, item) {
		if (!(s = jsonl_name(item, &len)))
			continue;
		r->stats.controls_removed += reader_count_controls(s, len);
		if (dispatch_add_tag(d, kind, s, len))
			return -1;
	}
	return 0;
}

/* A date field: 0 (set or absent), 1 when invalid (reported, skip the
 * line). */
static int jsonl_date(reader *r, json_t *o, const char *key, int64_t *t,
		      unsigned long line)
{
	json_t *v = json_object_get(o, key);
	const char *s;
	size_t len;
	char q[96];

	if (!v || json_is_null(v))
		return 0;
	if (!(s = jsonl_str(v, &len))) {
		reader_warnf(r, line, 1, "'%s' is not a date string", key);
		return 1;
	}
	if (date_parse_iso(s, len, t)) {
		reader_quote_raw(q, sizeof q, s, len, 64);
		reader_warnf(r, line, 1, "invalid %s '%s'", key, q);
		return 1;
	}
	return 0;
}

/* The story id into D: 0, 1 when there is none (reported), -1 on OOM. */
static int jsonl_id(reader *r, dispatch *d, json_t *o, unsigned long line)
{
	static const char *const keys[] = { "uri", "guid", "id", NULL };
	const char *const *k;

	for (k = keys; *k; k++) {
		json_t *v = json_object_get(o, *k);
		char num[32];
		const char *s = NULL;
		size_t len = 0;

		if (json_is_integer(v)) {
			snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
				 json_integer_value(v));
			s = num;
			len = strlen(num);
		} else if (!(s = jsonl_str(v, &len))) {
			continue;
		}
		if (len > JSONL_MAX_ID) {
			reader_warnf(r, line, 1, "%s longer than %u bytes", *k,
				     JSONL_MAX_ID);
			return 1;
		}
		if (jsonl_set(r, d, &d->id, s, len))
			return -1;
		if (d->id)
			return 0;
	}
	reader_warnf(r, line, 1, "no id (uri, guid or id)");
	return 1;
}

/* The body text (plain, or HTML made plain) into SB.  0 or -1 (OOM). */
static int jsonl_body(reader *r, json_t *o, strbuf *sb, unsigned long line)
{
	static const char *const text_keys[] = { "body_text", NULL };
	static const char *const html_keys[] = { "body_html", NULL };
	const char *key, *s;
	json_t *v;
	size_t len, i;

	if ((v = jsonl_get(o, text_keys, &key))) {
		if ((s = jsonl_str(v, &len)))
			return strbuf_add(sb, s, len);
		jsonl_wrong_type(r, line, key);
	}
	if ((v = jsonl_get(o, html_keys, &key))) {
		if ((s = jsonl_str(v, &len)))
			return jsonl_html_text(r, s, len, sb);
		jsonl_wrong_type(r, line, key);
	}
	v = json_object_get(o, "bodies");
	if (json_is_array(v)) {
		json_t *b;

		json_array_foreach(v, i, b) {
			const char *type;
			size_t tlen;

			if (!(s = jsonl_str(json_object_get(b, "value"), &len)))
				continue;
			type = jsonl_str(json_object_get(b, "contenttype"), &tlen);
			if (type && (memmem(type, tlen, "html", 4) ||
				     memmem(type, tlen, "xml", 3)))
				return jsonl_html_text(r, s, len, sb);
			return strbuf_add(sb, s, len);
		}
	} else if (v && !json_is_null(v)) {
		jsonl_wrong_type(r, line, "bodies");
	}
	return 0;
}

/* The headline: "headline", else the "main" one of headlines[], else its
 * first. */
static int jsonl_headline(reader *r, dispatch *d, json_t *o,
			  unsigned long line)
{
	static const char *const keys[] = { "headline", NULL };
	json_t *v = json_object_get(o, "headlines"), *h, *pick = NULL;
	size_t i, len;
	const char *s;

	h = json_object_get(o, "headline");
	if (h && !json_is_null(h))
		return jsonl_set_key(r, d, o, keys, &d->headline, line);
	if (!json_is_array(v))
		return 0;
	json_array_foreach(v, i, h) {
		const char *role;
		size_t rlen;

		if (!jsonl_str(json_object_get(h, "value"), &len))
			continue;
		role = jsonl_str(json_object_get(h, "role"), &rlen);
		if (role && jsonl_ci_eq(role, rlen, "main")) {
			pick = h;
			break;
		}
		if (!pick)
			pick = h;
	}
	if (!pick)
		return 0;
	s = jsonl_str(json_object_get(pick, "value"), &len);
	return jsonl_set(r, d, &d->headline, s, len);
}

/* The agency: "agency", else the first infosources[] name. */
static int jsonl_agency(reader *r, dispatch *d, json_t *o, unsigned long line)
{
	static const char *const keys[] = { "agency", NULL };
	static const char *const list_keys[] = { "infosources", "infosource",
						 NULL };
	const char *key, *s = NULL, *name;
	json_t *v = jsonl_get(o, keys, &key);
	size_t len = 0, i;
	char *c;
	int rc;

	if (v && !(s = jsonl_str(v, &len)))
		jsonl_wrong_type(r, line, key);
	if (!s && (v = jsonl_get(o, list_keys, &key))) {
		if (json_is_array(v)) {
			json_t *item;

			json_array_foreach(v, i, item)
				if ((s = jsonl_name(item, &len)))
					break;
		} else if (!(s = jsonl_name(v, &len))) {
			jsonl_wrong_type(r, line, key);
		}
	}
	if (!s)
		return 0;
	/* Clean it first: the alias table wants the name as it reads. */
	r->stats.controls_removed += reader_count_controls(s, len);
	if (!(c = text_clean(s, len, &len, NULL)))
		return -1;
	name = dispatch_agency_name(c);
	rc = dispatch_set(d, &d->agency, name, strlen(name));
	free(c);
	return rc;
}

/* Fill D from object O of line LINE.  1, 0 when skipped (reported), -1
 * when out of memory. */
static int jsonl_fill(reader *r, dispatch *d, json_t *o, unsigned long line)
{
	static const char *const by_keys[] = { "byline", "by", NULL };
	static const char *const slug_keys[] = { "slugline", NULL };
	static const char *const subj_keys[] = { "subjects", "subject", NULL };
	static const char *const place_keys[] = { "places", "place", NULL };
	strbuf body = STRBUF_INIT;
	int64_t fc = -1, vc = -1;
	unsigned long u;
	const char *s;
	json_t *v;
	size_t len;
	char q[96], code[4];
	int rc;

	if ((rc = jsonl_id(r, d, o, line)))
		return rc < 0 ? -1 : 0;
	if (jsonl_date(r, o, "firstcreated", &fc, line) ||
	    jsonl_date(r, o, "versioncreated", &vc, line))
		return 0;
	d->first_created = fc != -1 ? fc : vc;
	d->version_created = vc != -1 ? vc : fc;
	d->date_source = d->version_created != -1 ? DATE_HEADER : DATE_NONE;

	if ((v = json_object_get(o, "version")) && !json_is_null(v)) {
		if (jsonl_uint(v, UINT_MAX, &u))
			reader_warnf(r, line, 0, "invalid version: ignored");
		else
			d->version = (unsigned)u;
	}
	if ((v = json_object_get(o, "urgency")) && !json_is_null(v)) {
		if (jsonl_uint(v, 9, &u) || u == 0)
			reader_warnf(r, line, 0, "invalid urgency: ignored");
		else
			d->urgency = (int)u;
	}
	if ((v = json_object_get(o, "pubstatus")) && !json_is_null(v)) {
		s = jsonl_str(v, &len);
		if (s && len > 5 && strncasecmp(s, "stat:", 5) == 0) {
			s += 5;
			len -= 5;
		}
		if (s && (jsonl_ci_eq(s, len, "usable") ||
			  jsonl_ci_eq(s, len, "withheld") ||
			  jsonl_ci_eq(s, len, "canceled") ||
			  jsonl_ci_eq(s, len, "cancelled"))) {
			const char *st = (s[0] | 0x20) == 'u'	? "usable"
					 : (s[0] | 0x20) == 'w' ? "withheld"
								: "canceled";

			if (dispatch_set(d, &d->pubstatus, st, strlen(st)))
				return -1;
		} else {
			if (s)
				reader_quote_raw(q, sizeof q, s, len, 64);
			reader_warnf(r, line, 0, "invalid pubstatus '%s': ignored",
				     s ? q : "(not a string)");
		}
	}
	if ((v = json_object_get(o, "language")) && !json_is_null(v)) {
		s = jsonl_str(v, &len);
		if (s && !reader_language_code(s, len, code)) {
			if (dispatch_set(d, &d->language, code, strlen(code)))
				return -1;
		} else {
			if (s)
				reader_quote_raw(q, sizeof q, s, len, 64);
			reader_warnf(r, line, 0, "invalid language '%s': ignored",
				     s ? q : "(not a string)");
		}
	}
	if ((v = json_object_get(o, "located")) && !json_is_null(v)) {
		if ((s = jsonl_name(v, &len))) {
			if (jsonl_set(r, d, &d->located, s, len))
				return -1;
		} else {
			jsonl_wrong_type(r, line, "located");
		}
	}
	if (jsonl_headline(r, d, o, line) ||
	    jsonl_set_key(r, d, o, by_keys, &d->byline, line) ||
	    jsonl_set_key(r, d, o, slug_keys, &d->slugline, line) ||
	    jsonl_tags(r, d, o, subj_keys, TAG_TOPIC, line) ||
	    jsonl_tags(r, d, o, place_keys, TAG_PLACE, line) ||
	    jsonl_agency(r, d, o, line))
		return -1;
	if (jsonl_body(r, o, &body, line))
		goto oom;
	r->stats.controls_removed += reader_count_controls(strbuf_str(&body),
							  body.len);
	if (dispatch_set_body(d, strbuf_str(&body), body.len,
			      d->version_created != -1
				      ? jsonl_year(d->version_created)
				      : 0))
		goto oom;
	strbuf_release(&body);
	if (dispatch_set(d, &d->source_file, r->path, strlen(r->path)))
		return -1;
	d->source_line = line > UINT_MAX ? UINT_MAX : (unsigned)line;
	return 1;
oom:
	strbuf_release(&body);
	return -1;
}

/* ------------------------------------------------------------- reading */

/* Parse LINE (LEN bytes, clean) into D.  1, 0 when skipped, -1 on OOM. */
static int jsonl_parse(reader *r, dispatch *d, const char *line, size_t len,
		       unsigned long lineno)
{
	json_error_t err;
	json_t *o;
	char q[200];
	int rc;

	o = json_loadb(line, len, JSON_ALLOW_NUL, &err);
	if (!o) {
		/* Some of jansson's allocation failures come with no message
		 * and no code at all (the text as json_loadb() set it up). */
		if (!err.text[0] ||
		    json_error_code(&err) == json_error_out_of_memory)
			return -1;
		reader_quote_raw(q, sizeof q, err.text, strnlen(err.text, sizeof err.text),
			    160);
		reader_warnf(r, lineno, 1, "invalid JSON at column %d: %s",
			     err.column, q);
		return 0;
	}
	if (!json_is_object(o)) {
		reader_warnf(r, lineno, 1, "not a JSON object");
		json_decref(o);
		return 0;
	}
	rc = jsonl_fill(r, d, o, lineno);
	json_decref(o);
	return rc;
}

static int jsonl_open(reader *r)
{
	struct jsonl_state *st = wire_calloc(1, sizeof *st);

	if (!st)
		return reader_failf(r, 0, "out of memory");
	r->priv = st;
	return 0;
}

static int jsonl_next(reader *r, dispatch *d)
{
	struct jsonl_state *st = r->priv;

	for (;;) {
		const char *line;
		size_t len, i, repaired = 0;
		unsigned long lineno, controls;
		char *clean = NULL;
		int rc = input_getline(r->in, &line, &len);

		if (rc < 0)
			return reader_fail_input(r);
		if (rc == 0)
			return 0;
		lineno = input_lineno(r->in);
		if (lineno == st->last_line)
			continue; /* more of a line too long, already reported */
		st->last_line = lineno;
		if (input_long_lines(r->in) != st->long_lines) {
			st->long_lines = input_long_lines(r->in);
			reader_warnf(r, lineno, 1, "line longer than %u bytes",
				     INPUT_MAX_LINE);
			r->stats.skipped++;
			continue;
		}
		if (lineno == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			len -= 3;
		}
		for (i = 0; i < len && jsonl_is_blank((unsigned char)line[i]); i++)
			;
		if (i == len)
			continue;
		controls = reader_count_controls(line, len);
		if (controls || !text_is_utf8(line, len)) {
			clean = text_clean(line, len, &len, &repaired);
			if (!clean)
				return reader_failf(r, 0, "out of memory");
			r->stats.controls_removed += controls;
			r->stats.utf8_repaired += repaired;
			line = clean;
		}
		rc = jsonl_parse(r, d, line, len, lineno);
		free(clean);
		if (rc > 0)
			return 1;
		dispatch_release(d);
		if (rc < 0)
			return reader_failf(r, lineno, "out of memory");
		r->stats.skipped++;
	}
}

static void jsonl_close(reader *r)
{
	free(r->priv);
	r->priv = NULL;
}

const struct reader_ops reader_ops_jsonl = {
	"jsonl",
	jsonl_open,
	jsonl_next,
	jsonl_close,
};
