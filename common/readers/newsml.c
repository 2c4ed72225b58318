/*
 * readers/newsml.c - FORMAT_NEWSML: NewsML-G2 (.xml) through libxml2, a
 * root <newsItem>, or a <newsMessage> with <itemSet><newsItem>...:
 *
 *   <newsItem guid="urn:..." version="2" xml:lang="en">
 *     <itemMeta><versionCreated>..</versionCreated><firstCreated>..
 *       <pubStatus qcode="stat:usable"/><provider literal="..."/></itemMeta>
 *     <contentMeta><urgency>3</urgency><located><name>Islamabad</name>
 *       <infoSource><name>Reuters</name></infoSource><language tag="en"/>
 *       <subject type="cpnat:abstract" qcode="medtop:04000000"><name>..
 *       <slugline>..<headline>..<dateline>KABUL, April 24</dateline><by>..
 *     </contentMeta>
 *     <contentSet><inlineXML><html><body><p>KABUL (Reuters) - ...</p>..
 *   </newsItem>
 *
 * Elements of the NewsML-G2 namespace (or of none) are matched by their
 * local name.  The body is the text of the block elements (<p>, <h1>, <li>,
 * ...; <br> too; not <h1>, the headline again) of the first inlineXML
 * with text (XHTML or NITF), or an
 * inlineData; its own dateline (dispatch_set_body()) gives the dateline
 * places, kept apart from located.  contentMeta/dateline is kept only when
 * it reads as a dateline (Reuters puts a time stamp there); it then gives
 * the places when the body has none.  Subjects are tags: geoArea and poi
 * subjects places, person and organisation ones people and organisations,
 * the rest topics.
 *
 * The file is read whole (at most NEWSML_MAX bytes; gzip through input.h)
 * and parsed with the network off, no DTD loading and no entity expansion
 * (an entity reference's text is never followed): a malformed file is
 * the error "FILE:LINE: malformed XML: ...", with no dispatch from it.  A
 * UTF-8 file with invalid bytes or control characters is repaired first,
 * and character references to control characters ("&#1;") are dropped
 * (counted), since XML forbids them all.  A newsItem without guid is
 * skipped.
 */
#include "readers.h"

#include "alloc.h"
#include "strbuf.h"
#include "text.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define NEWSML_MAX (64u << 20)
#define NEWSML_MAX_ID 1024u
#define NEWSML_NS "http://iptc.org/std/nar/2006-10-01/"

struct newsml_state {
	xmlDocPtr doc;
	xmlNodePtr *items;
	size_t n_items, cap, next;
	int parsed;
};

/* The first error libxml2 reports while parsing. */
struct newsml_error {
	int have;
	unsigned long line;
	char message[256];
};

/* ------------------------------------------------------------- helpers */

static int newsml_is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Control characters dispatch_set() and text_clean() remove (not the
 * white space of XML). */
static unsigned long newsml_count_controls(const char *s, size_t len)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c < 0x20 || c == 0x7f)
			n++;
		else if (c == 0xc2 && i + 1 < len &&
			 (unsigned char)s[i + 1] >= 0x80 &&
			 (unsigned char)s[i + 1] <= 0x9f)
			n++;
	}
	return n;
}

/* Runs of white space become one space, in place (the text of an
 * element on one line). */
static void newsml_collapse(strbuf *sb)
{
	size_t i, o = 0;
	int blank = 0;

	for (i = 0; i < sb->len; i++) {
		if (newsml_is_blank((unsigned char)sb->buf[i])) {
			blank = 1;
			continue;
		}
		if (blank && o)
			sb->buf[o++] = ' ';
		blank = 0;
		sb->buf[o++] = sb->buf[i];
	}
	sb->len = o;
	if (sb->buf)
		sb->buf[o] = '\0';
}

static int newsml_year(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((int64_t)tt != t || !gmtime_r(&tt, &tm))
		return 0;
	return tm.tm_year + 1900;
}

/* ------------------------------------------------------------ the tree */

/* Whether N is the NewsML-G2 element NAME (in the G2 namespace or none). */
static int newsml_is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       xmlStrcmp(n->name, BAD_CAST name) == 0 &&
	       (!n->ns || !n->ns->href ||
		xmlStrcmp(n->ns->href, BAD_CAST NEWSML_NS) == 0);
}

static xmlNodePtr newsml_child(const xmlNode *parent, const char *name)
{
	xmlNodePtr c;

	for (c = parent ? parent->children : NULL; c; c = c->next)
		if (newsml_is(c, name))
			return c;
	return NULL;
}

/* Append the text under N to SB: text and CDATA, through child elements;
 * entity references are not followed.  0 or -1 (out of memory). */
static int newsml_text(const xmlNode *n, strbuf *sb)
{
	const xmlNode *c;

	for (c = n->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			if (c->content &&
			    strbuf_addstr(sb, (const char *)c->content))
				return -1;
		} else if (c->type == XML_ELEMENT_NODE && newsml_text(c, sb)) {
			return -1;
		}
	}
	return 0;
}

/* Append the value of attribute NAME of N (in namespace NS, or in none) to
 * SB.  1 when N has it, 0 when not, -1 when out of memory. */
static int newsml_attr(const xmlNode *n, const char *name, const char *ns,
		       strbuf *sb)
{
	const xmlAttr *a;

	for (a = n->properties; a; a = a->next) {
		const xmlNode *c;

		if (xmlStrcmp(a->name, BAD_CAST name) != 0)
			continue;
		if (ns ? !a->ns || !a->ns->href ||
				 xmlStrcmp(a->ns->href, BAD_CAST ns) != 0
		       : a->ns != NULL)
			continue;
		for (c = a->children; c; c = c->next)
			if (c->type == XML_TEXT_NODE && c->content &&
			    strbuf_addstr(sb, (const char *)c->content))
				return -1;
		return 1;
	}
	return 0;
}

/* Set *FIELD from SB (on one line).  0 or -1. */
static int newsml_set(reader *r, dispatch *d, char **field, strbuf *sb)
{
	r->stats.controls_removed += newsml_count_controls(strbuf_str(sb),
							   sb->len);
	newsml_collapse(sb);
	return dispatch_set(d, field, strbuf_str(sb), sb->len);
}

/* Set *FIELD from the text of N (when there is N). */
static int newsml_set_text(reader *r, dispatch *d, char **field,
			   const xmlNode *n)
{
	strbuf sb = STRBUF_INIT;
	int rc;

	if (!n)
		return 0;
	rc = newsml_text(n, &sb) || newsml_set(r, d, field, &sb) ? -1 : 0;
	strbuf_release(&sb);
	return rc;
}

/* A name: the text of the first <name> child, else attribute @literal,
 * else ALT (an attribute name, may be NULL), else (OWN) N's own text.
 * Into SB, on one line; 0 or -1. */
static int newsml_name(const xmlNode *n, const char *alt, int own, strbuf *sb)
{
	xmlNodePtr name = newsml_child(n, "name");
	int rc;

	if (name) {
		if (newsml_text(name, sb))
			return -1;
		newsml_collapse(sb);
		if (sb->len)
			return 0;
	}
	strbuf_reset(sb);
	if ((rc = newsml_attr(n, "literal", NULL, sb)) < 0)
		return -1;
	newsml_collapse(sb);
	if (sb->len)
		return 0;
	strbuf_reset(sb);
	if (alt && newsml_attr(n, alt, NULL, sb) < 0)
		return -1;
	newsml_collapse(sb);
	if (sb->len || !own)
		return 0;
	strbuf_reset(sb);
	if (newsml_text(n, sb))
		return -1;
	newsml_collapse(sb);
	return 0;
}

/* --------------------------------------------------------------- body */

static int newsml_in(const xmlChar *name, const char *const *list)
{
	for (; *list; list++)
		if (xmlStrcasecmp(name, BAD_CAST * list) == 0)
			return 1;
	return 0;
}

/* Elements whose text is no body text (h1 and hl1: the headline again). */
static const char *const newsml_skip[] = {
	"head", "title", "script", "style", "body.head", "object", "h1",
	"hl1", NULL
};
/* Elements that start and end a paragraph (XHTML and NITF). */
static const char *const newsml_blocks[] = {
	"p", "br", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
	"ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td",
	"th", "hr", "section", "article", "header", "footer", "aside",
	"figure", "figcaption", "caption", "address", "body", "html",
	"body.content", "body.end", "block", "hl1", "hl2", "tagline", "nitf",
	NULL
};

struct newsml_body {
	strbuf *sb;
	int para, space;
};

static int newsml_body_text(struct newsml_body *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (newsml_is_blank(c)) {
			b->space = 1;
			continue;
		}
		if (b->sb->len && (b->para || b->space) &&
		    (b->para ? strbuf_add(b->sb, "\n\n", 2)
			     : strbuf_addch(b->sb, ' ')))
			return -1;
		b->para = b->space = 0;
		if (strbuf_addch(b->sb, c))
			return -1;
	}
	return 0;
}

/* The body text under N: a blank line around each block element. */
static int newsml_body_walk(struct newsml_body *b, const xmlNode *n)
{
	const xmlNode *c;

	for (c = n->children; c; c = c->next) {
		int block;

		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			if (c->content &&
			    newsml_body_text(b, (const char *)c->content))
				return -1;
			continue;
		}
		if (c->type != XML_ELEMENT_NODE || newsml_in(c->name, newsml_skip))
			continue;
		block = newsml_in(c->name, newsml_blocks);
		b->para |= block;
		if (newsml_body_walk(b, c))
			return -1;
		b->para |= block;
	}
	return 0;
}

/* The body of contentSet CS into SB: the first inlineXML or inlineData
 * with text.  0 or -1. */
static int newsml_content(const xmlNode *cs, strbuf *sb)
{
	const xmlNode *c;

	for (c = cs ? cs->children : NULL; c && !sb->len; c = c->next) {
		if (newsml_is(c, "inlineXML")) {
			struct newsml_body b = { sb, 0, 0 };

			if (newsml_body_walk(&b, c))
				return -1;
		} else if (newsml_is(c, "inlineData")) {
			if (newsml_text(c, sb))
				return -1;
		}
	}
	return 0;
}

/* --------------------------------------------------------------- items */

static unsigned long newsml_line(const xmlNode *n)
{
	long l = xmlGetLineNo(n);

	return l > 0 ? (unsigned long)l : 1;
}

/* A date element (when there is one) into *T; invalid ones are reported
 * and ignored. */
static int newsml_date(reader *r, const xmlNode *n, int64_t *t)
{
	strbuf sb = STRBUF_INIT;
	const char *s;
	size_t len;
	char q[96];

	if (!n)
		return 0;
	if (newsml_text(n, &sb)) {
		strbuf_release(&sb);
		return -1;
	}
	s = strbuf_str(&sb);
	len = sb.len;
	while (len && newsml_is_blank((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && newsml_is_blank((unsigned char)s[len - 1]))
		len--;
	if (date_parse_iso(s, len, t)) {
		reader_quote_raw(q, sizeof q, s, len, 64);
		reader_warnf(r, newsml_line(n), 0, "invalid %s '%s': ignored",
			     (const char *)n->name, q);
		*t = -1;
	}
	strbuf_release(&sb);
	return 0;
}

/* pubStatus/@qcode: "stat:usable" -> "usable". */
static int newsml_pubstatus(reader *r, dispatch *d, const xmlNode *n)
{
	strbuf sb = STRBUF_INIT;
	const char *s, *st = NULL;
	size_t len;
	char q[96];
	int rc = 0;

	if (!n)
		return 0;
	if (newsml_attr(n, "qcode", NULL, &sb) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	s = strbuf_str(&sb);
	len = sb.len;
	if (len > 5 && strncasecmp(s, "stat:", 5) == 0) {
		s += 5;
		len -= 5;
	}
	if (len == 6 && strncasecmp(s, "usable", 6) == 0)
		st = "usable";
	else if (len == 8 && strncasecmp(s, "withheld", 8) == 0)
		st = "withheld";
	else if ((len == 8 && strncasecmp(s, "canceled", 8) == 0) ||
		 (len == 9 && strncasecmp(s, "cancelled", 9) == 0))
		st = "canceled";
	if (st) {
		rc = dispatch_set(d, &d->pubstatus, st, strlen(st));
	} else {
		reader_quote_raw(q, sizeof q, strbuf_str(&sb), sb.len, 64);
		reader_warnf(r, newsml_line(n), 0,
			     "invalid pubStatus '%s': ignored", q);
	}
	strbuf_release(&sb);
	return rc;
}

/* The tag kind of a subject by its @type, or -1 when out of memory. */
static int newsml_subject_kind(const xmlNode *n, strbuf *tmp)
{
	static const struct {
		const char *type;
		enum tag_kind kind;
	} kinds[] = {
		{ "geoArea", TAG_PLACE }, { "poi", TAG_PLACE },
		{ "person", TAG_PERSON }, { "organisation", TAG_ORG },
		{ "organization", TAG_ORG },
	};
	const char *t, *colon;
	size_t k;
	int rc;

	strbuf_reset(tmp);
	if ((rc = newsml_attr(n, "type", NULL, tmp)) <= 0)
		return rc < 0 ? -1 : TAG_TOPIC;
	t = strbuf_str(tmp);
	colon = strchr(t, ':');
	if (colon)
		t = colon + 1;
	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (strcasecmp(t, kinds[k].type) == 0)
			return kinds[k].kind;
	return TAG_TOPIC;
}

/* contentMeta/dateline, kept only when it reads as a dateline ("KABUL,
 * April 24", not "2014-07-16 15:53:10 GMT+00:00"): 1 with the dateline
 * (its text into D, its places into *DL over *TEXT), else 0. */
static int newsml_dateline(reader *r, dispatch *d, const xmlNode *n,
			   strbuf *text, dateline *dl)
{
	size_t len;

	if (!n)
		return 0;
	if (newsml_text(n, text))
		return -1;
	r->stats.controls_removed += newsml_count_controls(strbuf_str(text),
							   text->len);
	newsml_collapse(text);
	len = text->len;
	/* The element holds the dateline without its dash. */
	if (!len || strbuf_add(text, " - ", 3))
		return len ? -1 : 0;
	if (!dateline_parse(text->buf, text->len, dl) || dl->length != text->len)
		return 0;
	return dispatch_set(d, &d->dateline, text->buf, dl->text_len) ? -1 : 1;
}

/* Fill D from newsItem ITEM.  1, 0 when skipped (reported), -1 on OOM. */
static int newsml_item(reader *r, dispatch *d, const xmlNode *item)
{
	strbuf sb = STRBUF_INIT, tmp = STRBUF_INIT, dltext = STRBUF_INIT;
	const xmlNode *meta = newsml_child(item, "itemMeta");
	const xmlNode *cm = newsml_child(item, "contentMeta");
	const xmlNode *c, *provider = NULL, *source = NULL, *lang = NULL;
	unsigned long line = newsml_line(item);
	int64_t fc = -1, vc = -1;
	dateline dl;
	char q[96], code[4];
	int rc = -1, got_dl = 0, i;

	if (newsml_attr(item, "guid", NULL, &sb) < 0)
		goto out;
	if (sb.len > NEWSML_MAX_ID) {
		reader_warnf(r, line, 1, "newsItem guid longer than %u bytes",
			     NEWSML_MAX_ID);
		rc = 0;
		goto out;
	}
	if (newsml_set(r, d, &d->id, &sb))
		goto out;
	if (!d->id) {
		reader_warnf(r, line, 1, "newsItem without guid");
		rc = 0;
		goto out;
	}
	strbuf_reset(&sb);
	if ((i = newsml_attr(item, "version", NULL, &sb)) < 0)
		goto out;
	if (i) {
		char *end;
		unsigned long v;

		newsml_collapse(&sb);
		v = strtoul(strbuf_str(&sb), &end, 10);
		if (!sb.len || *end || sb.buf[0] < '0' || sb.buf[0] > '9' ||
		    v > UINT_MAX) {
			reader_quote_raw(q, sizeof q, strbuf_str(&sb), sb.len, 64);
			reader_warnf(r, line, 0, "invalid version '%s': ignored",
				     q);
		} else {
			d->version = (unsigned)v;
		}
	}

	if (meta) {
		if (newsml_date(r, newsml_child(meta, "firstCreated"), &fc) ||
		    newsml_date(r, newsml_child(meta, "versionCreated"), &vc) ||
		    newsml_pubstatus(r, d, newsml_child(meta, "pubStatus")))
			goto out;
		provider = newsml_child(meta, "provider");
	}
	d->first_created = fc != -1 ? fc : vc;
	d->version_created = vc != -1 ? vc : fc;
	d->date_source = d->version_created != -1 ? DATE_HEADER : DATE_NONE;

	for (c = cm ? cm->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		strbuf_reset(&sb);
		if (newsml_is(c, "headline") && !d->headline) {
			if (newsml_set_text(r, d, &d->headline, c))
				goto out;
		} else if (newsml_is(c, "slugline") && !d->slugline) {
			if (newsml_set_text(r, d, &d->slugline, c))
				goto out;
		} else if (newsml_is(c, "by") && !d->byline) {
			if (newsml_set_text(r, d, &d->byline, c))
				goto out;
		} else if (newsml_is(c, "located") && !d->located) {
			if (newsml_name(c, NULL, 1, &sb) ||
			    newsml_set(r, d, &d->located, &sb))
				goto out;
		} else if (newsml_is(c, "dateline") && !got_dl && !d->dateline) {
			strbuf_reset(&dltext);
			if ((got_dl = newsml_dateline(r, d, c, &dltext, &dl)) < 0)
				goto out;
		} else if (newsml_is(c, "language") && !lang) {
			lang = c;
		} else if (newsml_is(c, "infoSource") && !source) {
			if (newsml_name(c, NULL, 0, &sb))
				goto out;
			if (sb.len)
				source = c;
		} else if (newsml_is(c, "urgency") && !d->urgency) {
			char *end;
			long u;

			if (newsml_text(c, &sb))
				goto out;
			newsml_collapse(&sb);
			u = strtol(strbuf_str(&sb), &end, 10);
			if (!sb.len || *end || u < 1 || u > 9) {
				reader_quote_raw(q, sizeof q, strbuf_str(&sb), sb.len,
					     64);
				reader_warnf(r, newsml_line(c), 0,
					     "invalid urgency '%s': ignored", q);
			} else {
				d->urgency = (int)u;
			}
		} else if (newsml_is(c, "subject")) {
			int kind;

			if (newsml_name(c, "qcode", 0, &sb))
				goto out;
			r->stats.controls_removed +=
				newsml_count_controls(strbuf_str(&sb), sb.len);
			if ((kind = newsml_subject_kind(c, &tmp)) < 0 ||
			    dispatch_add_tag(d, (enum tag_kind)kind,
					     strbuf_str(&sb), sb.len))
				goto out;
		}
	}

	/* Language: contentMeta/language/@tag, else the item's xml:lang. */
	strbuf_reset(&sb);
	if ((lang && newsml_attr(lang, "tag", NULL, &sb) < 0) ||
	    (!sb.len && newsml_attr(item, "lang",
				    (const char *)XML_XML_NAMESPACE, &sb) < 0))
		goto out;
	newsml_collapse(&sb);
	if (sb.len) {
		if (!reader_language_code(sb.buf, sb.len, code)) {
			if (dispatch_set(d, &d->language, code, strlen(code)))
				goto out;
		} else {
			reader_quote_raw(q, sizeof q, sb.buf, sb.len, 64);
			reader_warnf(r, lang ? newsml_line(lang) : line, 0,
				     "invalid language '%s': ignored", q);
		}
	}

	/* Agency: infoSource, else the provider. */
	strbuf_reset(&sb);
	if (!source && provider && newsml_name(provider, NULL, 0, &sb))
		goto out;
	if (source && newsml_name(source, NULL, 0, &sb))
		goto out;
	if (sb.len) {
		const char *name;

		r->stats.controls_removed +=
			newsml_count_controls(strbuf_str(&sb), sb.len);
		strbuf_reset(&tmp);
		/* The alias table wants the name as it will read. */
		{
			size_t n;
			char *cl = text_clean(sb.buf, sb.len, &n, NULL);

			if (!cl)
				goto out;
			name = dispatch_agency_name(cl);
			i = dispatch_set(d, &d->agency, name, strlen(name));
			free(cl);
			if (i)
				goto out;
		}
	}

	strbuf_reset(&sb);
	if (newsml_content(newsml_child(item, "contentSet"), &sb))
		goto out;
	r->stats.controls_removed += newsml_count_controls(strbuf_str(&sb),
							   sb.len);
	if (dispatch_set_body(d, strbuf_str(&sb), sb.len,
			      d->version_created != -1
				      ? newsml_year(d->version_created)
				      : 0))
		goto out;
	/* No dateline in the body: the places of contentMeta's. */
	if (got_dl > 0 && !d->n_places) {
		size_t k;

		for (k = 0; k < dl.n_places; k++)
			if (dispatch_add_place(d, dltext.buf + dl.places[k].start,
					       dl.places[k].len))
				goto out;
	}
	if (dispatch_set(d, &d->source_file, r->path, strlen(r->path)))
		goto out;
	d->source_line = line > UINT_MAX ? UINT_MAX : (unsigned)line;
	rc = 1;
out:
	strbuf_release(&sb);
	strbuf_release(&tmp);
	strbuf_release(&dltext);
	return rc;
}

/* --------------------------------------------------------------- file */

#if LIBXML_VERSION >= 21200
static void newsml_on_error(void *ctx, const xmlError *e)
#else
static void newsml_on_error(void *ctx, xmlErrorPtr e)
#endif
{
	struct newsml_error *err = ctx;
	size_t n;

	if (!e || e->level < XML_ERR_ERROR || err->have)
		return;
	err->have = 1;
	err->line = e->line > 0 ? (unsigned long)e->line : 0;
	reader_quote_raw(err->message, sizeof err->message,
		     e->message ? e->message : "unknown error",
		     e->message ? strlen(e->message) : 13, 200);
	n = strlen(err->message);
	while (n && (err->message[n - 1] == ' ' || err->message[n - 1] == '.'))
		err->message[--n] = '\0';
}

static void newsml_silent(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

/* Whether the document is in an encoding where ASCII is ASCII (not
 * UTF-16 or UCS-4). */
static int newsml_is_ascii_doc(const char *s, size_t n)
{
	return !(n >= 2 && ((unsigned char)s[0] == 0xfe ||
			    (unsigned char)s[0] == 0xff || s[0] == 0 ||
			    s[1] == 0));
}

/* Whether the document says (or implies) it is UTF-8. */
static int newsml_is_utf8_doc(const char *s, size_t n)
{
	const char *end, *enc;
	size_t i;

	if (!newsml_is_ascii_doc(s, n))
		return 0;
	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		n -= 3;
	}
	if (n < 5 || memcmp(s, "<?xml", 5) != 0)
		return 1;
	end = memmem(s, n < 512 ? n : 512, "?>", 2);
	if (!end)
		return 1;
	enc = memmem(s, (size_t)(end - s), "encoding", 8);
	if (!enc)
		return 1;
	for (i = (size_t)(enc - s) + 8; s + i < end && s[i] != '"' && s[i] != '\''; i++)
		;
	if (s + i + 6 > end)
		return 0;
	return strncasecmp(s + i + 1, "utf-8", 5) == 0 ||
	       strncasecmp(s + i + 1, "utf8", 4) == 0;
}

/* Remove the character references to C0 control characters ("&#1;",
 * "&#x1F;": XML forbids them, wire text has them) from BUF in place,
 * counting them.  The new length. */
static size_t newsml_drop_control_refs(reader *r, char *buf, size_t len)
{
	size_t i = 0, o = 0;

	while (i < len) {
		uint32_t cp;
		size_t n;

		/* XML writes a hex reference with a lower-case x only. */
		if (buf[i] == '&' && i + 2 < len && buf[i + 2] != 'X' &&
		    (n = reader_numeric_ref(buf + i, len - i, &cp)) &&
		    cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') {
			r->stats.controls_removed++;
			i += n;
			continue;
		}
		buf[o++] = buf[i++];
	}
	buf[o] = '\0';
	return o;
}

static int newsml_add_item(struct newsml_state *st, xmlNodePtr n)
{
	if (st->n_items == st->cap &&
	    wire_grow((void **)&st->items, &st->cap, st->n_items + 1,
		      sizeof *st->items))
		return -1;
	st->items[st->n_items++] = n;
	return 0;
}

/* Read and parse the file, and list its newsItems.  0 or -1 (failed). */
static int newsml_parse(reader *r, struct newsml_state *st)
{
	struct newsml_error err = { 0, 0, "" };
	char *buf = NULL;
	size_t len, repaired = 0;
	xmlNodePtr root, c, item;
	int rc;

	rc = input_slurp(r->in, NEWSML_MAX, &buf, &len);
	if (rc < 0)
		return reader_fail_input(r);
	if (rc == 0) {
		free(buf);
		return reader_failf(r, 0, "larger than 64 MB: not read");
	}
	if (len == 0) {
		free(buf);
		return reader_failf(r, 0, "malformed XML: the file is empty");
	}
	if (newsml_is_utf8_doc(buf, len)) {
		unsigned long controls = newsml_count_controls(buf, len);

		if (controls || !text_is_utf8(buf, len)) {
			char *clean = text_clean(buf, len, &len, &repaired);

			free(buf);
			if (!clean)
				return reader_failf(r, 0, "out of memory");
			buf = clean;
			r->stats.controls_removed += controls;
			r->stats.utf8_repaired += repaired;
		}
	}
	if (newsml_is_ascii_doc(buf, len))
		len = newsml_drop_control_refs(r, buf, len);
	xmlInitParser();
	xmlSetStructuredErrorFunc(&err, newsml_on_error);
	xmlSetGenericErrorFunc(NULL, newsml_silent);
	st->doc = xmlReadMemory(buf, (int)len, NULL, NULL,
				XML_PARSE_NONET | XML_PARSE_NOCDATA |
					XML_PARSE_COMPACT | XML_PARSE_BIG_LINES);
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlSetGenericErrorFunc(NULL, NULL);
	free(buf);
	if (!st->doc)
		return reader_failf(r, err.line, "malformed XML: %s",
				    err.have ? err.message : "cannot be parsed");
	if (err.have)
		reader_warnf(r, err.line ? err.line : 1, 0, "%s", err.message);
	root = xmlDocGetRootElement(st->doc);
	if (newsml_is(root, "newsItem"))
		return newsml_add_item(st, root) ? reader_failf(r, 0, "out of memory")
						 : 0;
	if (!newsml_is(root, "newsMessage")) {
		char q[96], ns[160];
		const char *name = root ? (const char *)root->name : "";

		reader_quote_raw(q, sizeof q, name, strlen(name), 64);
		if (root && root->ns && root->ns->href) {
			const char *h = (const char *)root->ns->href;

			reader_quote_raw(ns, sizeof ns, h, strlen(h), 120);
			return reader_failf(r, newsml_line(root),
					    "not NewsML-G2: the root element "
					    "<%s> is in namespace '%s'",
					    q, ns);
		}
		return reader_failf(r, root ? newsml_line(root) : 0,
				    "not NewsML-G2: the root element is <%s>, "
				    "not <newsItem> or <newsMessage>",
				    q);
	}
	for (c = root->children; c; c = c->next) {
		if (!newsml_is(c, "itemSet"))
			continue;
		for (item = c->children; item; item = item->next)
			if (newsml_is(item, "newsItem") && newsml_add_item(st, item))
				return reader_failf(r, 0, "out of memory");
	}
	return 0;
}

static int newsml_open(reader *r)
{
	struct newsml_state *st = wire_calloc(1, sizeof *st);

	if (!st)
		return reader_failf(r, 0, "out of memory");
	r->priv = st;
	return 0;
}

static int newsml_next(reader *r, dispatch *d)
{
	struct newsml_state *st = r->priv;

	if (!st->parsed) {
		st->parsed = 1;
		if (newsml_parse(r, st))
			return -1;
	}
	while (st->next < st->n_items) {
		const xmlNode *item = st->items[st->next++];
		int rc = newsml_item(r, d, item);

		if (rc > 0)
			return 1;
		dispatch_release(d);
		if (rc < 0)
			return reader_failf(r, newsml_line(item), "out of memory");
		r->stats.skipped++;
	}
	return 0;
}

static void newsml_close(reader *r)
{
	struct newsml_state *st = r->priv;

	if (!st)
		return;
	if (st->doc)
		xmlFreeDoc(st->doc);
	free(st->items);
	free(st);
	r->priv = NULL;
}

const struct reader_ops reader_ops_newsml = {
	"newsml",
	newsml_open,
	newsml_next,
	newsml_close,
};
