/*
 * readers/plaintext.c - FORMAT_TEXT: one dispatch per file.
 *
 *   ID: efe-20250419-pak
 *   Date: 2025-04-19T10:20:00Z
 *   Headline: Pakistan urges border security talks
 *   Topics: politics, migration
 *
 *   Kabul/Islamabad, Apr 19 (EFE).- Pakistan stressed ...
 *   ... EFE
 *
 * The header block is optional and recognised only when the first line is
 * "Key: value" with a key listed in plaintext_keys[] (in any case); it ends
 * at the first blank line.  Inside it, a line starting with a space or tab
 * continues the value above; an unknown key is reported and ignored; a
 * line that is not "Key: value" at all ends the block (reported) and
 * starts the body.  Without a header the whole file is the body, whose
 * dateline (dispatch_set_body()) gives places, agency and month/day.
 *
 * The year of a dateline date comes from, in order: the Date header (then
 * the dateline date is not used), First-Created, a YYYY-MM-DD in the path,
 * the file's mtime.  When nothing gave version_created, it becomes
 * First-Created, else the path's date, else the mtime; date_source says
 * which.
 *
 * The file is read whole (input_slurp()) and cleaned once (text_clean())
 * before parsing, so line numbers count the "\n" of the file.
 */
#include "readers.h"

#include "alloc.h"
#include "strbuf.h"
#include "text.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define PLAINTEXT_MAX (16u << 20)
#define PLAINTEXT_MAX_ID 1024u
/* Bytes of the text looked at to guess the language. */
#define PLAINTEXT_GUESS_BYTES (64u << 10)

enum plaintext_key {
	KEY_NONE = -1,
	KEY_ID,
	KEY_VERSION,
	KEY_DATE,
	KEY_FIRST_CREATED,
	KEY_AGENCY,
	KEY_HEADLINE,
	KEY_LANGUAGE,
	KEY_BYLINE,
	KEY_TOPICS,
	KEY_PLACES,
	KEY_SLUGLINE,
	KEY_URGENCY,
	KEY_STATUS,
	KEY_LOCATED
};

static const char *const plaintext_keys[] = {
	[KEY_ID] = "id",
	[KEY_VERSION] = "version",
	[KEY_DATE] = "date",
	[KEY_FIRST_CREATED] = "first-created",
	[KEY_AGENCY] = "agency",
	[KEY_HEADLINE] = "headline",
	[KEY_LANGUAGE] = "language",
	[KEY_BYLINE] = "byline",
	[KEY_TOPICS] = "topics",
	[KEY_PLACES] = "places",
	[KEY_SLUGLINE] = "slugline",
	[KEY_URGENCY] = "urgency",
	[KEY_STATUS] = "status",
	[KEY_LOCATED] = "located",
};

#define PLAINTEXT_N_KEYS (sizeof plaintext_keys / sizeof plaintext_keys[0])

/* What the header block gave besides the dispatch fields. */
struct plaintext_header {
	int has_date;        /* a valid Date header */
	strbuf places;       /* the Places header value, if any */
	int has_places;
	int has_language;
};

static int plaintext_is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static void plaintext_trim(const char **s, size_t *len)
{
	while (*len && plaintext_is_blank((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && plaintext_is_blank((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* Whether the text holds anything but white space (ASCII, no-break
 * spaces and a byte-order mark count as white). */
static int plaintext_is_empty(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		if (plaintext_is_blank(c)) {
			i++;
		} else if (c == 0xc2 && i + 1 < len &&
			   (unsigned char)s[i + 1] == 0xa0) {
			i += 2;
		} else if (c == 0xef && i + 2 < len &&
			   (unsigned char)s[i + 1] == 0xbb &&
			   (unsigned char)s[i + 2] == 0xbf) {
			i += 3;
		} else {
			return 0;
		}
	}
	return 1;
}

/* Parse "Key: value" in LINE: the key's index in plaintext_keys (KEY_NONE
 * when unknown) and 1, or 0 when LINE does not have that shape at all. */
static int plaintext_key_line(const char *line, size_t len, int *key,
			      const char **name, size_t *name_len,
			      const char **value, size_t *value_len)
{
	size_t i = 0, k, n;

	if (!len || !((line[0] >= 'A' && line[0] <= 'Z') ||
		      (line[0] >= 'a' && line[0] <= 'z')))
		return 0;
	while (i < len && i < 64 &&
	       ((line[i] >= 'A' && line[i] <= 'Z') ||
		(line[i] >= 'a' && line[i] <= 'z') ||
		(line[i] >= '0' && line[i] <= '9') || line[i] == '-' ||
		line[i] == '_'))
		i++;
	n = i;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i >= len || line[i] != ':')
		return 0;
	*name = line;
	*name_len = n;
	*value = line + i + 1;
	*value_len = len - i - 1;
	plaintext_trim(value, value_len);
	*key = KEY_NONE;
	for (k = 0; k < PLAINTEXT_N_KEYS; k++)
		if (strlen(plaintext_keys[k]) == n &&
		    strncasecmp(line, plaintext_keys[k], n) == 0)
			*key = (int)k;
	return 1;
}

/* Call FN for each item of a list separated by ';' when there is one, else
 * by ','.  Returns 0, or -1 when FN fails. */
static int plaintext_split(dispatch *d, const char *s, size_t len,
			   int (*fn)(dispatch *, const char *, size_t))
{
	char sep = memchr(s, ';', len) ? ';' : ',';
	size_t i = 0;

	while (i <= len) {
		size_t j = i;
		const char *item;
		size_t n;

		while (j < len && s[j] != sep)
			j++;
		item = s + i;
		n = j - i;
		plaintext_trim(&item, &n);
		if (n && fn(d, item, n))
			return -1;
		i = j + 1;
	}
	return 0;
}

static int plaintext_add_topic(dispatch *d, const char *s, size_t len)
{
	return dispatch_add_tag(d, TAG_TOPIC, s, len);
}

static int plaintext_parse_uint(const char *s, size_t len, unsigned long max,
				unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (!len || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* Apply one header.  0, or -1 when out of memory. */
static int plaintext_apply(reader *r, dispatch *d, struct plaintext_header *h,
			   int key, unsigned long line, const char *v,
			   size_t len)
{
	char q[96], code[4], tmp[32];
	unsigned long u;
	int64_t t;
	const char *name;
	size_t i;

	if (!len)
		return 0;
	reader_quote(q, sizeof q, v, len, 64);
	switch (key) {
	case KEY_ID:
		if (len > PLAINTEXT_MAX_ID) {
			reader_warnf(r, line,
				     0, "id longer than %u bytes: ignored",
				     PLAINTEXT_MAX_ID);
			return 0;
		}
		return dispatch_set(d, &d->id, v, len);
	case KEY_VERSION:
		if (plaintext_parse_uint(v, len, UINT_MAX, &u)) {
			reader_warnf(r, line, 0, "invalid version '%s'", q);
			return 0;
		}
		d->version = (unsigned)u;
		return 0;
	case KEY_DATE:
	case KEY_FIRST_CREATED:
		if (date_parse_iso(v, len, &t)) {
			reader_warnf(r, line, 0, "invalid date '%s'", q);
			return 0;
		}
		if (key == KEY_DATE) {
			d->version_created = t;
			d->date_source = DATE_HEADER;
			h->has_date = 1;
		} else {
			d->first_created = t;
		}
		return 0;
	case KEY_AGENCY: {
		char *s = wire_strndup(v, len);
		int rc;

		if (!s)
			return -1;
		name = dispatch_agency_name(s);
		rc = dispatch_set(d, &d->agency, name, strlen(name));
		free(s);
		return rc;
	}
	case KEY_HEADLINE:
		return dispatch_set(d, &d->headline, v, len);
	case KEY_BYLINE:
		return dispatch_set(d, &d->byline, v, len);
	case KEY_SLUGLINE:
		return dispatch_set(d, &d->slugline, v, len);
	case KEY_LOCATED:
		return dispatch_set(d, &d->located, v, len);
	case KEY_LANGUAGE:
		if (reader_language_code(v, len, code)) {
			reader_warnf(r, line, 0, "invalid language '%s'", q);
			return 0;
		}
		h->has_language = 1;
		return dispatch_set(d, &d->language, code, strlen(code));
	case KEY_TOPICS:
		return plaintext_split(d, v, len, plaintext_add_topic);
	case KEY_PLACES:
		h->has_places = 1;
		strbuf_reset(&h->places);
		return strbuf_add(&h->places, v, len);
	case KEY_URGENCY:
		if (plaintext_parse_uint(v, len, 9, &u) || u == 0) {
			reader_warnf(r, line, 0, "invalid urgency '%s'", q);
			return 0;
		}
		d->urgency = (int)u;
		return 0;
	case KEY_STATUS:
		if (len >= 5 && strncasecmp(v, "stat:", 5) == 0) {
			v += 5;
			len -= 5;
		}
		for (i = 0; i < len && i + 1 < sizeof tmp; i++)
			tmp[i] = (char)((v[i] >= 'A' && v[i] <= 'Z') ? v[i] | 0x20
								 : v[i]);
		tmp[i] = '\0';
		if (i != len || (strcmp(tmp, "usable") &&
				 strcmp(tmp, "withheld") &&
				 strcmp(tmp, "canceled") &&
				 strcmp(tmp, "cancelled"))) {
			reader_warnf(r, line, 0, "invalid status '%s'", q);
			return 0;
		}
		if (strcmp(tmp, "cancelled") == 0)
			memcpy(tmp, "canceled", sizeof "canceled");
		return dispatch_set(d, &d->pubstatus, tmp, strlen(tmp));
	default:
		return 0;
	}
}

/* Read the header block at the start of TEXT, if any.  *BODY gets the
 * offset where the body starts.  0, or -1 when out of memory. */
static int plaintext_header(reader *r, dispatch *d, struct plaintext_header *h,
			    const char *text, size_t len, size_t *body)
{
	strbuf value = STRBUF_INIT;
	const char *name, *v;
	size_t pos = 0, name_len, vlen;
	unsigned long line = 1, key_line = 0;
	int key = KEY_NONE, k, rc = 0;
	const char *eol;

	*body = 0;
	eol = memchr(text, '\n', len);
	if (!plaintext_key_line(text, eol ? (size_t)(eol - text) : len, &k,
				&name, &name_len, &v, &vlen) ||
	    k == KEY_NONE)
		return 0;
	while (pos < len) {
		const char *s = text + pos;
		size_t n;

		eol = memchr(s, '\n', len - pos);
		n = eol ? (size_t)(eol - s) : len - pos;
		if (plaintext_is_empty(s, n)) {
			pos += n + (eol ? 1 : 0);
			line++;
			break;
		}
		if ((s[0] == ' ' || s[0] == '\t') && key_line) {
			/* A folded value goes on. */
			v = s;
			vlen = n;
			plaintext_trim(&v, &vlen);
			if (key != KEY_NONE &&
			    (strbuf_addch(&value, ' ') ||
			     strbuf_add(&value, v, vlen))) {
				rc = -1;
				break;
			}
		} else if (plaintext_key_line(s, n, &k, &name, &name_len, &v,
					      &vlen)) {
			if (key != KEY_NONE &&
			    plaintext_apply(r, d, h, key, key_line, value.buf,
					    value.len)) {
				rc = -1;
				break;
			}
			strbuf_reset(&value);
			key = k;
			key_line = line;
			if (k == KEY_NONE)
				reader_warnf(r, line, 0, "unknown header '%.*s'",
					     (int)name_len, name);
			else if (strbuf_add(&value, v, vlen)) {
				rc = -1;
				break;
			}
		} else {
			reader_warnf(r, line, 0,
				     "header block not ended by a blank line");
			break;
		}
		pos += n + (eol ? 1 : 0);
		line++;
	}
	if (!rc && key != KEY_NONE &&
	    plaintext_apply(r, d, h, key, key_line, value.buf, value.len))
		rc = -1;
	strbuf_release(&value);
	*body = pos;
	return rc;
}

/* --------------------------------------------------------- language */

static int plaintext_in(const char *w, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && memcmp(w, *list, n) == 0)
			return 1;
	return 0;
}

static const char *const plaintext_es_months[] = {
	"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep",
	"sept", "set", "oct", "nov", "dic", "enero", "febrero", "marzo",
	"abril", "mayo", "junio", "julio", "agosto", "septiembre",
	"setiembre", "octubre", "noviembre", "diciembre", NULL
};
/* Spanish month names that are not English ones, matched in any case. */
static const char *const plaintext_es_only_months[] = {
	"ene", "abr", "ago", "dic", "enero", "febrero", "marzo", "abril",
	"mayo", "junio", "julio", "agosto", "septiembre", "setiembre",
	"octubre", "noviembre", "diciembre", NULL
};
static const char *const plaintext_es_words[] = {
	"el", "los", "las", "la", "de", "del", "que", "y", "en", "por",
	"con", "para", "una", "se", "al", "su", "sus", "es", "como", "pero",
	"m\xc3\xa1s", "fue", "este", "esta", NULL
};
static const char *const plaintext_en_words[] = {
	"the", "of", "and", "to", "that", "is", "was", "for", "with",
	"said", "from", "by", "has", "have", "are", "were", "on", "it",
	"its", "which", "this", NULL
};

/* Whether a dateline reads Spanish: "Madrid, 19 abr (EFE)" (a day, then
 * a lower-case Spanish month) or a month name only Spanish has. */
static int plaintext_dateline_is_spanish(const char *s)
{
	size_t i = 0, len = strlen(s);
	int after_day = 0;

	while (i < len) {
		char w[16];
		size_t a = i, n = 0;
		int lower = 1;

		if (s[i] >= '0' && s[i] <= '9') {
			while (i < len && s[i] >= '0' && s[i] <= '9')
				i++;
			after_day = i - a <= 2;
			continue;
		}
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z'))) {
			if (s[i] != ' ' && s[i] != '.')
				after_day = 0;
			i++;
			continue;
		}
		while (i < len && ((s[i] >= 'a' && s[i] <= 'z') ||
				   (s[i] >= 'A' && s[i] <= 'Z'))) {
			if (s[i] < 'a')
				lower = 0;
			if (n < sizeof w)
				w[n++] = (char)(s[i] | 0x20);
			i++;
		}
		if (i - a < sizeof w) {
			if (plaintext_in(w, n, plaintext_es_only_months))
				return 1;
			if (after_day && lower &&
			    plaintext_in(w, n, plaintext_es_months))
				return 1;
		}
		after_day = 0;
	}
	return 0;
}

/* Add to *ES and *EN the Spanish and English function words of S. */
static void plaintext_count_words(const char *s, size_t len,
				  unsigned long *es, unsigned long *en)
{
	size_t i = 0;

	while (i < len) {
		char w[8];
		size_t a, n = 0;

		while (i < len && !((s[i] >= 'a' && s[i] <= 'z') ||
				    (s[i] >= 'A' && s[i] <= 'Z') ||
				    (unsigned char)s[i] >= 0x80))
			i++;
		a = i;
		while (i < len && ((s[i] >= 'a' && s[i] <= 'z') ||
				   (s[i] >= 'A' && s[i] <= 'Z') ||
				   (unsigned char)s[i] >= 0x80)) {
			if (n < sizeof w)
				w[n] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] | 0x20)
								 : s[i];
			n++;
			i++;
		}
		if (i == a || n > sizeof w)
			continue;
		if (plaintext_in(w, n, plaintext_es_words))
			(*es)++;
		else if (plaintext_in(w, n, plaintext_en_words))
			(*en)++;
	}
}

static const char *plaintext_guess_language(const dispatch *d)
{
	unsigned long es = 0, en = 0;
	size_t i, budget = PLAINTEXT_GUESS_BYTES;

	if (d->dateline && plaintext_dateline_is_spanish(d->dateline))
		return "es";
	if (d->headline)
		plaintext_count_words(d->headline, strlen(d->headline), &es,
				      &en);
	for (i = 0; i < d->n_paragraphs && budget; i++) {
		size_t n = strlen(d->paragraphs[i]);

		if (n > budget)
			n = budget;
		plaintext_count_words(d->paragraphs[i], n, &es, &en);
		budget -= n;
	}
	return es >= 2 && es > en ? "es" : "en";
}

/* ---------------------------------------------------------------- id */

static int plaintext_has_suffix(const char *s, size_t len, const char *suf)
{
	size_t n = strlen(suf);

	return len > n && strncasecmp(s + len - n, suf, n) == 0;
}

/* PATH relative to ROOT (lexically, or else after resolving both), or
 * NULL when it is not under ROOT. */
static const char *plaintext_under(const char *path, const char *root,
				   char *buf, size_t size)
{
	size_t rl;
	char rreal[PATH_MAX], preal[PATH_MAX];

	while (root[0] == '.' && root[1] == '/')
		root += 2;
	rl = strlen(root);
	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	if (rl == 0 || (rl == 1 && root[0] == '.'))
		return path;
	if (strncmp(path, root, rl) == 0 &&
	    (path[rl] == '/' || root[rl - 1] == '/'))
		return path + rl;
	if (!realpath(root, rreal) || !realpath(path, preal))
		return NULL;
	rl = strlen(rreal);
	if (strncmp(preal, rreal, rl) != 0 ||
	    (preal[rl] != '/' && strcmp(rreal, "/") != 0))
		return NULL;
	snprintf(buf, size, "%s", preal + rl);
	return buf;
}

/* The id of a file without an ID header: its path relative to the root,
 * without .gz and .txt.  0, or -1 when out of memory. */
static int plaintext_id_from_path(reader *r, dispatch *d)
{
	char buf[PATH_MAX];
	const char *p = r->path, *rel;
	size_t len;

	if (strcmp(p, "-") == 0)
		return dispatch_set(d, &d->id, "stdin", 5);
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	if (r->opts.root && *r->opts.root) {
		rel = plaintext_under(p, r->opts.root, buf, sizeof buf);
		if (rel) {
			p = rel;
			while (*p == '/' && p[1])
				p++;
		}
	}
	len = strlen(p);
	if (plaintext_has_suffix(p, len, ".gz"))
		len -= 3;
	if (plaintext_has_suffix(p, len, ".txt"))
		len -= 4;
	if (len > PLAINTEXT_MAX_ID) {
		len = PLAINTEXT_MAX_ID;
		while (len > 0 && ((unsigned char)p[len] & 0xc0) == 0x80)
			len--;
	}
	return dispatch_set(d, &d->id, p, len);
}

/* ------------------------------------------------------------- dates */

static int plaintext_year(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((int64_t)tt != t || !gmtime_r(&tt, &tm))
		return 0;
	return tm.tm_year + 1900;
}

/* Replace the dateline places by those of the Places header. */
static int plaintext_set_places(dispatch *d, const strbuf *places)
{
	size_t i;

	for (i = 0; i < d->n_places; i++)
		free(d->places[i]);
	free(d->places);
	d->places = NULL;
	d->n_places = 0;
	return plaintext_split(d, places->buf, places->len, dispatch_add_place);
}

/* Fill D from the clean TEXT of the file.  0, or -1 when out of memory. */
static int plaintext_parse(reader *r, dispatch *d, const char *text,
			   size_t len)
{
	struct plaintext_header h = { 0, STRBUF_INIT, 0, 0 };
	size_t body;
	int64_t name_date = -1, mtime = -1;
	int year_hint = 0, have_name_date, rc = -1;
	int64_t before;
	struct stat st;

	if (plaintext_header(r, d, &h, text, len, &body))
		goto out;

	have_name_date = date_find_in_name(r->path, &name_date) == 0;
	if (strcmp(r->path, "-") != 0 && stat(r->path, &st) == 0)
		mtime = (int64_t)st.st_mtime;
	if (h.has_date)
		year_hint = 0; /* the header date wins over the dateline */
	else if (d->first_created != -1)
		year_hint = plaintext_year(d->first_created);
	else if (have_name_date)
		year_hint = plaintext_year(name_date);
	else if (mtime != -1)
		year_hint = plaintext_year(mtime);

	before = d->version_created;
	if (dispatch_set_body(d, text + body, len - body, year_hint))
		goto out;
	if (h.has_date) {
		if (d->first_created == -1)
			d->first_created = d->version_created;
	} else if (before == -1 && d->version_created != -1) {
		d->date_source = DATE_DATELINE;
	} else if (d->first_created != -1) {
		d->version_created = d->first_created;
		d->date_source = DATE_HEADER;
	} else if (have_name_date) {
		d->version_created = name_date;
		d->date_source = DATE_FILENAME;
	} else if (mtime != -1) {
		d->version_created = mtime;
		d->date_source = DATE_MTIME;
	} else {
		d->date_source = DATE_NONE;
	}

	if (h.has_places && plaintext_set_places(d, &h.places))
		goto out;
	/* No agency anywhere else: a known agency's sign-off ("EFE"). */
	if (!d->agency && d->signoff) {
		const char *name = dispatch_agency_name(d->signoff);

		if (name != d->signoff &&
		    dispatch_set(d, &d->agency, name, strlen(name)))
			goto out;
	}
	if (!h.has_language) {
		const char *lang = plaintext_guess_language(d);

		if (dispatch_set(d, &d->language, lang, strlen(lang)))
			goto out;
	}
	if (!d->id && plaintext_id_from_path(r, d))
		goto out;
	if (dispatch_set(d, &d->source_file, r->path, strlen(r->path)))
		goto out;
	d->source_line = 1;
	rc = 0;
out:
	strbuf_release(&h.places);
	return rc;
}

static int plaintext_next(reader *r, dispatch *d)
{
	char *raw = NULL, *text;
	const char *start;
	size_t rawlen, tlen, repaired = 0;
	int rc;

	if (r->state)
		return 0;
	r->state = 1;
	rc = input_slurp(r->in, PLAINTEXT_MAX, &raw, &rawlen);
	if (rc < 0)
		return reader_fail_input(r);
	if (rc == 0) {
		free(raw);
		r->stats.skipped++;
		reader_warnf(r, 1, 1, "dispatch larger than 16 MB");
		return 0;
	}
	start = raw;
	if (rawlen >= 3 && memcmp(raw, "\xef\xbb\xbf", 3) == 0) {
		start += 3; /* a byte-order mark is no text */
		rawlen -= 3;
	}
	r->stats.controls_removed += reader_count_controls(start, rawlen);
	text = text_clean(start, rawlen, &tlen, &repaired);
	free(raw);
	if (!text)
		return reader_failf(r, 0, "out of memory");
	r->stats.utf8_repaired += repaired;
	if (plaintext_is_empty(text, tlen)) {
		free(text);
		r->stats.skipped++;
		reader_warnf(r, 1, 1, "empty dispatch");
		return 0;
	}
	rc = plaintext_parse(r, d, text, tlen);
	free(text);
	if (rc) {
		/* As the other formats: nothing left of a failed dispatch. */
		dispatch_release(d);
		return reader_failf(r, 0, "out of memory");
	}
	return 1;
}

const struct reader_ops reader_ops_plaintext = {
	"text",
	NULL,
	plaintext_next,
	NULL,
};
