/*
 * readers/reuters.c - FORMAT_REUTERS: Reuters-21578 SGML (.sgm), one
 * dispatch per <REUTERS> element.
 *
 *   <REUTERS TOPICS="YES" ... OLDID="5544" NEWID="1">
 *   <DATE>26-FEB-1987 15:01:01.79</DATE>
 *   <TOPICS><D>cocoa</D></TOPICS> <PLACES>..</PLACES> <PEOPLE> <ORGS> <EXCHANGES>
 *   <UNKNOWN> teletype header, ignored </UNKNOWN>
 *   <TEXT>&#2;
 *   <TITLE>BAHIA COCOA REVIEW</TITLE>
 *   <DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued ...
 *       The dry period means ...
 *    Reuter
 *   &#3;</BODY></TEXT>
 *   </REUTERS>
 *
 * The file is read line by line and each record gathered whole (at most
 * REUTERS_MAX bytes) from its "<REUTERS" to its "</REUTERS>"; text outside
 * records (the DOCTYPE) is ignored.  A record that is not closed before the
 * next "<REUTERS" or the end of the file, has no NEWID, or is too large is
 * reported at the line of its "<REUTERS" and skipped.
 *
 * Text: character references are decoded (&lt; &gt; &amp; &quot; &apos;
 * &#NN; &#xNN;), then the teletype control characters they and the raw
 * bytes give (STX, ETX, SOH, SYN, ...) are dropped and counted, and invalid
 * UTF-8 becomes U+FFFD (counted).  Only the text a dispatch keeps is
 * looked at, so the <UNKNOWN> block counts for nothing.
 *
 * Body: <BODY>; else, for TYPE="UNPROC" or a text without title, the
 * whole of <TEXT>; else (TYPE="BRIEF", whose text after the title is a
 * "Blah blah blah." filler) the title.  <AUTHOR> is the byline.  A body line indented with blanks starts a paragraph, as on the
 * wire.  The dateline is in <DATELINE>, not in the body, so it is parsed
 * on its own; dispatch_set_body() takes the " Reuter" sign-off off.
 *
 * <DATE> gives version_created and first_created (UTC); trailing junk after
 * the time ("14:04:26.14&#5;&#5;&#5;F"), or a time that cannot be one, is
 * dropped with a warning and counted in dates_repaired.
 */
#include "readers.h"

#include "alloc.h"
#include "strbuf.h"
#include "text.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REUTERS_MAX (16u << 20)
#define REUTERS_MAX_ID 64u

struct reuters_state {
	strbuf rec;              /* the record being gathered */
	unsigned long rec_line;  /* line of its "<REUTERS"; 0 outside one */
	int oversize;            /* it passed REUTERS_MAX: dropped at its end */
	strbuf rest;             /* what followed a "</REUTERS>" on its line */
	size_t rest_pos;         /* where in it to go on */
	unsigned long rest_line;
	int have_rest;
};

struct span {
	size_t a, b; /* [a, b) in the record */
};

/* ---------------------------------------------------------- scanning */

static int reuters_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c;
}

/* Whether the N bytes at S are NAME, ignoring ASCII case. */
static int reuters_ci_eq(const char *s, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (reuters_lower((unsigned char)s[i]) !=
		    reuters_lower((unsigned char)name[i]))
			return 0;
	return 1;
}

static int reuters_is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Offset of the first "<NAME" in S[FROM..TO) that is a whole tag name
 * (followed by a blank, '>' or the end of the span), or TO. */
static size_t reuters_find_open(const char *s, size_t from, size_t to,
				const char *name)
{
	size_t nl = strlen(name), i = from;

	while (i < to) {
		const char *p = memchr(s + i, '<', to - i);
		size_t o, e;

		if (!p)
			return to;
		o = (size_t)(p - s);
		e = o + 1 + nl;
		if (e <= to && reuters_ci_eq(s + o + 1, name, nl) &&
		    (e == to || s[e] == '>' || reuters_is_blank((unsigned char)s[e])))
			return o;
		i = o + 1;
	}
	return to;
}

/* Offset of the first "</NAME>" (blanks allowed before '>') in S[FROM..TO),
 * or TO; *END gets the offset after its '>'. */
static size_t reuters_find_close(const char *s, size_t from, size_t to,
				 const char *name, size_t *end)
{
	size_t nl = strlen(name), i = from;

	*end = to;
	while (i < to) {
		const char *p = memchr(s + i, '<', to - i);
		size_t o, e;

		if (!p)
			return to;
		o = (size_t)(p - s);
		e = o + 2 + nl;
		if (e <= to && s[o + 1] == '/' &&
		    reuters_ci_eq(s + o + 2, name, nl)) {
			while (e < to && reuters_is_blank((unsigned char)s[e]))
				e++;
			if (e < to && s[e] == '>') {
				*end = e + 1;
				return o;
			}
		}
		i = o + 1;
	}
	return to;
}

/* The first element NAME in S[FROM..TO): its attributes and content (up
 * to its end tag, or TO when it has none).  1, or 0 when there is none. */
static int reuters_element(const char *s, size_t from, size_t to,
			   const char *name, struct span *attrs,
			   struct span *content)
{
	size_t o = reuters_find_open(s, from, to, name), a, end;
	const char *gt;

	if (o >= to)
		return 0;
	a = o + 1 + strlen(name);
	gt = memchr(s + a, '>', to - a);
	if (!gt)
		return 0;
	if (attrs) {
		attrs->a = a;
		attrs->b = (size_t)(gt - s);
	}
	content->a = (size_t)(gt - s) + 1;
	content->b = reuters_find_close(s, content->a, to, name, &end);
	return 1;
}

/* The value of attribute NAME in S[SP): 1 with its span, or 0. */
static int reuters_attr(const char *s, struct span sp, const char *name,
			struct span *value)
{
	size_t nl = strlen(name), i;

	for (i = sp.a; i + nl <= sp.b; i++) {
		size_t j = i + nl;

		if ((i > sp.a && !reuters_is_blank((unsigned char)s[i - 1])) ||
		    !reuters_ci_eq(s + i, name, nl))
			continue;
		while (j < sp.b && reuters_is_blank((unsigned char)s[j]))
			j++;
		if (j >= sp.b || s[j] != '=')
			continue;
		j++;
		while (j < sp.b && reuters_is_blank((unsigned char)s[j]))
			j++;
		if (j < sp.b && (s[j] == '"' || s[j] == '\'')) {
			const char *q = memchr(s + j + 1, s[j], sp.b - j - 1);

			if (!q)
				return 0;
			value->a = j + 1;
			value->b = (size_t)(q - s);
		} else {
			value->a = j;
			while (j < sp.b && !reuters_is_blank((unsigned char)s[j]))
				j++;
			value->b = j;
		}
		return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- text */

/* Append code point CP as UTF-8, dropping control characters (counted)
 * and turning what is no character into U+FFFD (counted). */
static int reuters_put_cp(reader *r, strbuf *out, uint32_t cp)
{
	if (cp == '\t' || cp == '\n')
		return strbuf_addch(out, (int)cp);
	if (cp == '\r')
		return strbuf_addch(out, '\n');
	return reader_put_code_point(r, out, cp);
}

/* The character reference at S (which starts with '&'): its length and
 * *CP, or 0 when it is none we know (then it stays as written). */
static size_t reuters_entity(const char *s, size_t n, uint32_t *cp)
{
	static const struct {
		const char *name;
		uint32_t cp;
	} named[] = {
		{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' },
		{ "&quot;", '"' }, { "&apos;", '\'' },
	};
	size_t k;

	for (k = 0; k < sizeof named / sizeof named[0]; k++) {
		size_t l = strlen(named[k].name);

		if (n >= l && memcmp(s, named[k].name, l) == 0) {
			*cp = named[k].cp;
			return l;
		}
	}
	return reader_numeric_ref(s, n, cp);
}

/* Append S[0..N) to OUT with references decoded and control characters
 * dropped.  0, or -1 when out of memory. */
static int reuters_decode(reader *r, const char *s, size_t n, strbuf *out)
{
	size_t i = 0, span = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len = 0;
		uint32_t cp = 0;

		if (c == '&')
			len = reuters_entity(s + i, n - i, &cp);
		else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
			len = 1;
			cp = c;
		} else if (c == 0xc2 && i + 1 < n &&
			   (unsigned char)s[i + 1] >= 0x80 &&
			   (unsigned char)s[i + 1] <= 0x9f) {
			len = 2;
			cp = (unsigned char)s[i + 1];
		}
		if (!len) {
			i++;
			continue;
		}
		if (strbuf_add(out, s + span, i - span) ||
		    reuters_put_cp(r, out, cp))
			return -1;
		i += len;
		span = i;
	}
	return strbuf_add(out, s + span, i - span);
}

/* The clean text of S[SP] (decoded, valid UTF-8): malloc'd, length in
 * *LEN; NULL when out of memory. */
static char *reuters_text(reader *r, const char *s, struct span sp,
			  size_t *len)
{
	strbuf sb = STRBUF_INIT;
	size_t repaired = 0;
	char *t;

	if (reuters_decode(r, s + sp.a, sp.b - sp.a, &sb)) {
		strbuf_release(&sb);
		return NULL;
	}
	t = text_clean(strbuf_str(&sb), sb.len, len, &repaired);
	strbuf_release(&sb);
	if (t)
		r->stats.utf8_repaired += repaired;
	return t;
}

/* Runs of blanks in T (LEN bytes) become one space, in place. */
static size_t reuters_collapse(char *t, size_t len)
{
	size_t i, o = 0;
	int blank = 0;

	for (i = 0; i < len; i++) {
		if (reuters_is_blank((unsigned char)t[i])) {
			blank = 1;
			continue;
		}
		if (blank && o)
			t[o++] = ' ';
		blank = 0;
		t[o++] = t[i];
	}
	t[o] = '\0';
	return o;
}

/* Set *FIELD from S[SP], on one line.  0, or -1 when out of memory. */
static int reuters_set_line(reader *r, dispatch *d, char **field,
			    const char *s, struct span sp)
{
	size_t n;
	char *t = reuters_text(r, s, sp, &n);
	int rc;

	if (!t)
		return -1;
	n = reuters_collapse(t, n);
	rc = dispatch_set(d, field, t, n);
	free(t);
	return rc;
}

/* A message-safe quote of S[0..N) (clean UTF-8, one line). */
static void reuters_quote(char *out, size_t size, const char *s, size_t n)
{
	char *t = text_clean(s, n, &n, NULL);
	size_t i;

	if (!t) {
		snprintf(out, size, "?");
		return;
	}
	for (i = 0; i < n; i++)
		if (t[i] == '\n' || t[i] == '\t')
			t[i] = ' ';
	reader_quote(out, size, t, n, 64);
	free(t);
}

/* ---------------------------------------------------------------- dates */

static int reuters_digits(const char *s, size_t n, size_t *i, size_t min,
			  size_t max, int *v)
{
	size_t k = 0;

	*v = 0;
	while (*i < n && k < max && s[*i] >= '0' && s[*i] <= '9') {
		*v = *v * 10 + (s[*i] - '0');
		(*i)++;
		k++;
	}
	return k >= min && !(*i < n && s[*i] >= '0' && s[*i] <= '9') ? 0 : -1;
}

/* Parse "26-FEB-1987 15:01:01.79" at the start of S (blanks first are
 * fine) into *T: 2 with the time, 1 with the day alone (no time, or one
 * that is none: then it is 00:00 UTC), 0 when there is no valid day.
 * *END gets the offset after what was used, *YEAR the year. */
static int reuters_parse_date(const char *s, size_t n, int64_t *t,
			      size_t *end, int *year)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	size_t i = 0, j;
	int day, mon = 0, y, hh, mm, ss, k;
	int64_t v;

	while (i < n && reuters_is_blank((unsigned char)s[i]))
		i++;
	if (reuters_digits(s, n, &i, 1, 2, &day) || i >= n || s[i] != '-' ||
	    i + 5 > n)
		return 0;
	i++;
	for (k = 0; k < 12; k++)
		if (reuters_ci_eq(s + i, months + 3 * k, 3))
			mon = k + 1;
	if (!mon || s[i + 3] != '-')
		return 0;
	i += 4;
	if (reuters_digits(s, n, &i, 4, 4, &y))
		return 0;
	v = date_from_ymd(y, mon, day, 0, 0, 0);
	if (v == -1)
		return 0;
	*t = v;
	*end = i;
	*year = y;
	j = i;
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j == i || reuters_digits(s, n, &j, 1, 2, &hh) || j >= n ||
	    s[j++] != ':' || reuters_digits(s, n, &j, 2, 2, &mm) || j >= n ||
	    s[j++] != ':' || reuters_digits(s, n, &j, 2, 2, &ss))
		return 1;
	if (j < n && s[j] == '.') {
		size_t f = j + 1;

		while (f < n && s[f] >= '0' && s[f] <= '9')
			f++;
		if (f > j + 1)
			j = f;
	}
	v = date_from_ymd(y, mon, day, hh, mm, ss);
	if (v == -1)
		return 1;
	*t = v;
	*end = j;
	return 2;
}

/* --------------------------------------------------------------- record */

/* Line of offset OFF of the record that starts at line LINE0. */
static unsigned long reuters_line_at(const char *s, size_t off,
				     unsigned long line0)
{
	const char *p = s, *e = s + off;

	while (p < e && (p = memchr(p, '\n', (size_t)(e - p)))) {
		line0++;
		p++;
	}
	return line0;
}

static int reuters_date(reader *r, dispatch *d, const char *s,
			struct span sp, unsigned long line, int *year)
{
	char q[96], j[96];
	size_t end = 0, k;
	int64_t t = -1;
	int got = reuters_parse_date(s + sp.a, sp.b - sp.a, &t, &end, year);

	if (!got) {
		reuters_quote(q, sizeof q, s + sp.a, sp.b - sp.a);
		reader_warnf(r, line, 0, "invalid date '%s'", q);
		*year = 0;
		return 0;
	}
	d->version_created = d->first_created = t;
	d->date_source = DATE_HEADER;
	k = end;
	while (sp.a + k < sp.b && reuters_is_blank((unsigned char)s[sp.a + k]))
		k++;
	while (sp.b > sp.a + k &&
	       reuters_is_blank((unsigned char)s[sp.b - 1]))
		sp.b--;
	if (sp.a + k < sp.b) {
		size_t b = 0;

		while (b < end && reuters_is_blank((unsigned char)s[sp.a + b]))
			b++;
		reuters_quote(q, sizeof q, s + sp.a + b, end - b);
		reuters_quote(j, sizeof j, s + sp.a + k, sp.b - sp.a - k);
		reader_warnf(r, line, 0, "junk '%s' after date '%s' removed", j,
			     q);
		r->stats.dates_repaired++;
	}
	return 0;
}

/* Add the <D> items of element NAME as tags of KIND. */
static int reuters_tags(reader *r, dispatch *d, const char *s, struct span sp,
			const char *name, enum tag_kind kind)
{
	struct span list, item;
	size_t from;

	if (!reuters_element(s, sp.a, sp.b, name, NULL, &list))
		return 0;
	from = list.a;
	while (reuters_element(s, from, list.b, "D", NULL, &item)) {
		size_t n, end;
		char *t = reuters_text(r, s, item, &n);
		int rc;

		if (!t)
			return -1;
		n = reuters_collapse(t, n);
		rc = dispatch_add_tag(d, kind, t, n);
		free(t);
		if (rc)
			return -1;
		reuters_find_close(s, item.b, list.b, "D", &end);
		from = end > item.b ? end : item.b + 1;
		if (from >= list.b)
			break;
	}
	return 0;
}

/* <DATELINE>: places through dateline_parse(), else the text as it is. */
static int reuters_dateline(reader *r, dispatch *d, const char *s,
			    struct span sp)
{
	dateline dl;
	size_t n, i;
	char *t = reuters_text(r, s, sp, &n);
	int rc = 0;

	if (!t)
		return -1;
	if (dateline_parse(t, n, &dl)) {
		rc = dispatch_set(d, &d->dateline, t, dl.text_len);
		for (i = 0; !rc && i < dl.n_places; i++)
			rc = dispatch_add_place(d, t + dl.places[i].start,
						dl.places[i].len);
	} else {
		while (n && (reuters_is_blank((unsigned char)t[n - 1]) ||
			     t[n - 1] == '-'))
			n--;
		n = reuters_collapse(t, n);
		rc = dispatch_set(d, &d->dateline, t, n);
	}
	free(t);
	return rc;
}

/* The body: the text of S[SP] with each line indented with blanks
 * starting a paragraph. */
static int reuters_body(reader *r, dispatch *d, const char *s, struct span sp,
			int year)
{
	strbuf sb = STRBUF_INIT;
	size_t n, i, line = 0;
	char *t = reuters_text(r, s, sp, &n);
	int rc;

	if (!t)
		return -1;
	for (i = 0; i <= n; i++) {
		if (i < n && t[i] != '\n')
			continue;
		if (line > 0 && line < i &&
		    (t[line] == ' ' || t[line] == '\t') &&
		    strbuf_addch(&sb, '\n'))
			goto fail;
		if (strbuf_add(&sb, t + line, i - line) ||
		    (i < n && strbuf_addch(&sb, '\n')))
			goto fail;
		line = i + 1;
	}
	free(t);
	rc = dispatch_set_body(d, strbuf_str(&sb), sb.len, year);
	strbuf_release(&sb);
	return rc;
fail:
	free(t);
	strbuf_release(&sb);
	return -1;
}

/* Fill D from the record S[0..N) (from "<REUTERS" to after "</REUTERS>").
 * 1 for a dispatch, 0 when it was skipped (reported), -1 when out of
 * memory. */
static int reuters_record(reader *r, dispatch *d, const char *s, size_t n,
			  unsigned long line0)
{
	static const struct {
		const char *name;
		enum tag_kind kind;
	} lists[] = {
		{ "TOPICS", TAG_TOPIC }, { "PLACES", TAG_PLACE },
		{ "PEOPLE", TAG_PERSON }, { "ORGS", TAG_ORG },
		{ "EXCHANGES", TAG_EXCHANGE },
	};
	struct span open, all, head, id, text, type, sp;
	const char *gt = memchr(s, '>', n);
	char buf[REUTERS_MAX_ID + 16], q[96];
	size_t i, end;
	int year = 0, unproc = 0;

	open.a = 8; /* strlen("<REUTERS") */
	open.b = gt ? (size_t)(gt - s) : n;
	if (!reuters_attr(s, open, "NEWID", &id) || id.a == id.b) {
		reader_warnf(r, line0, 1, "<REUTERS> without NEWID");
		r->stats.skipped++;
		return 0;
	}
	for (i = id.a; i < id.b; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.'))
			break;
	}
	if (i < id.b || id.b - id.a > REUTERS_MAX_ID) {
		reuters_quote(q, sizeof q, s + id.a, id.b - id.a);
		reader_warnf(r, line0, 1, "<REUTERS> with invalid NEWID '%s'",
			     q);
		r->stats.skipped++;
		return 0;
	}
	snprintf(buf, sizeof buf, "reuters-%.*s", (int)(id.b - id.a), s + id.a);
	all.a = open.b < n ? open.b + 1 : n;
	all.b = reuters_find_close(s, all.a, n, "REUTERS", &end);

	if (dispatch_set(d, &d->id, buf, strlen(buf)) ||
	    dispatch_set(d, &d->agency, "Reuters", 7) ||
	    dispatch_set(d, &d->language, "en", 2) ||
	    dispatch_set(d, &d->source_file, r->path, strlen(r->path)))
		return -1;
	d->version = 1;
	d->source_line = line0 > UINT_MAX ? UINT_MAX : (unsigned)line0;

	/* DATE and the lists come before TEXT; the teletype header between
	 * them (UNKNOWN) is never looked at. */
	if (reuters_element(s, all.a, all.b, "TEXT", &type, &text)) {
		struct span v;

		head.a = all.a;
		head.b = reuters_find_open(s, all.a, all.b, "TEXT");
		unproc = reuters_attr(s, type, "TYPE", &v) &&
			 v.b - v.a == 6 && reuters_ci_eq(s + v.a, "UNPROC", 6);
	} else {
		head = text = all;
	}
	if (reuters_element(s, head.a, head.b, "DATE", NULL, &sp) &&
	    reuters_date(r, d, s, sp, reuters_line_at(s, sp.a, line0), &year))
		return -1;
	for (i = 0; i < sizeof lists / sizeof lists[0]; i++)
		if (reuters_tags(r, d, s, head, lists[i].name, lists[i].kind))
			return -1;
	if (reuters_element(s, text.a, text.b, "TITLE", NULL, &sp) &&
	    reuters_set_line(r, d, &d->headline, s, sp))
		return -1;
	if (reuters_element(s, text.a, text.b, "AUTHOR", NULL, &sp) &&
	    reuters_set_line(r, d, &d->byline, s, sp))
		return -1;
	if (reuters_element(s, text.a, text.b, "DATELINE", NULL, &sp) &&
	    reuters_dateline(r, d, s, sp))
		return -1;
	if (reuters_element(s, text.a, text.b, "BODY", NULL, &sp))
		return reuters_body(r, d, s, sp, year) ? -1 : 1;
	if (unproc || !d->headline)
		return reuters_body(r, d, s, text, year) ? -1 : 1;
	/* A brief: the title is all the text there is. */
	return dispatch_add_paragraph(d, d->headline, strlen(d->headline)) ? -1
									    : 1;
}

/* -------------------------------------------------------------- reading */

/* Add S[0..N) to the record, or drop the record when it grows too large. */
static int reuters_gather(struct reuters_state *st, const char *s, size_t n,
			  int newline)
{
	if (st->oversize)
		return 0;
	if (st->rec.len + n + 1 > REUTERS_MAX) {
		st->oversize = 1;
		strbuf_release(&st->rec);
		return 0;
	}
	if (strbuf_add(&st->rec, s, n) || (newline && strbuf_addch(&st->rec, '\n')))
		return -1;
	return 0;
}

/* Report the record being gathered as skipped: WHY, or "too large". */
static void reuters_drop(reader *r, struct reuters_state *st, const char *why)
{
	reader_warnf(r, st->rec_line, 1, "%s",
		     st->oversize ? "record larger than 16 MB" : why);
	r->stats.skipped++;
	strbuf_reset(&st->rec);
	st->rec_line = 0;
	st->oversize = 0;
}

/* Take line S[0..N) (line LINE of the file).  1 when it completed a record
 * (left in st->rec; *STOP gets the offset after it), 0 when more lines are
 * needed, -1 when out of memory.  The next "<REUTERS" and "</REUTERS>" are
 * searched once each and the results kept while they are still ahead, so
 * a line is scanned in linear time however many records it holds. */
static int reuters_line(reader *r, struct reuters_state *st, const char *s,
			size_t n, unsigned long line, size_t *stop)
{
	size_t pos = 0, open = 0, close = 0, end = 0;
	int have_open = 0, have_close = 0;

	while (pos < n) {
		if (!have_open || (open < pos && open < n)) {
			open = reuters_find_open(s, pos, n, "REUTERS");
			have_open = 1;
		}
		if (!st->rec_line) {
			if (open >= n)
				return 0;
			st->rec_line = line;
			st->oversize = 0;
			strbuf_reset(&st->rec);
			if (reuters_gather(st, s + open, 8, 0))
				return -1;
			pos = open + 8;
			continue;
		}
		if (!have_close || (close < pos && close < n)) {
			close = reuters_find_close(s, pos, n, "REUTERS", &end);
			have_close = 1;
		}
		if (open < close) {
			/* A new record before this one ended. */
			reuters_drop(r, st, "<REUTERS> not closed before the "
					    "next one");
			pos = open;
			continue;
		}
		if (close < n) {
			if (reuters_gather(st, s + pos, end - pos, 0))
				return -1;
			*stop = end;
			return 1;
		}
		return reuters_gather(st, s + pos, n - pos, 1);
	}
	if (st->rec_line)
		return reuters_gather(st, "", 0, 1);
	return 0;
}

static int reuters_open(reader *r)
{
	struct reuters_state *st = wire_calloc(1, sizeof *st);

	if (!st)
		return reader_failf(r, 0, "out of memory");
	r->priv = st;
	return 0;
}

static int reuters_next(reader *r, dispatch *d)
{
	struct reuters_state *st = r->priv;

	for (;;) {
		const char *line;
		size_t len, stop = 0;
		unsigned long lineno;
		int rc;

		if (st->have_rest) {
			/* What followed the last record on its line. */
			lineno = st->rest_line;
			rc = reuters_line(r, st, st->rest.buf + st->rest_pos,
					  st->rest.len - st->rest_pos, lineno,
					  &stop);
			if (rc > 0 && st->rest_pos + stop < st->rest.len)
				st->rest_pos += stop;
			else
				st->have_rest = 0;
		} else {
			rc = input_getline(r->in, &line, &len);
			if (rc < 0) {
				/* The record cut by the damage is lost with
				 * it; the error says why. */
				return reader_fail_input(r);
			}
			if (rc == 0) {
				if (st->rec_line)
					reuters_drop(r, st,
						     "<REUTERS> not closed at "
						     "the end of the file");
				return 0;
			}
			lineno = input_lineno(r->in);
			rc = reuters_line(r, st, line, len, lineno, &stop);
			if (rc > 0 && stop < len) {
				/* Kept once: the input's buffer is only
				 * borrowed until the next line. */
				strbuf_reset(&st->rest);
				if (strbuf_add(&st->rest, line + stop,
					       len - stop))
					rc = -1;
				st->rest_pos = 0;
				st->rest_line = lineno;
				st->have_rest = 1;
			}
		}
		if (rc < 0)
			return reader_failf(r, 0, "out of memory");
		if (rc == 0)
			continue;
		if (st->oversize) {
			reuters_drop(r, st, "");
			continue;
		}
		rc = reuters_record(r, d, strbuf_str(&st->rec), st->rec.len,
				    st->rec_line);
		strbuf_reset(&st->rec);
		st->rec_line = 0;
		if (rc < 0) {
			dispatch_release(d);
			return reader_failf(r, 0, "out of memory");
		}
		if (rc > 0)
			return 1;
		dispatch_release(d);
	}
}

static void reuters_close(reader *r)
{
	struct reuters_state *st = r->priv;

	if (!st)
		return;
	strbuf_release(&st->rec);
	strbuf_release(&st->rest);
	free(st);
	r->priv = NULL;
}

const struct reader_ops reader_ops_reuters = {
	"reuters",
	reuters_open,
	reuters_next,
	reuters_close,
};
