/*
 * document.c - one dispatch becomes one Xapian document.
 *
 * Field text goes in under its own prefix (schema.h), so a phrase can never
 * run from the headline into the body and `headline:` can search the
 * headline alone; the searcher ORs the prefixes for an unfielded word and
 * weights the headline up.  Only unstemmed terms are indexed: stems are
 * expanded at query time, which keeps the index small.
 */
#include "document.h"

#include "alloc.h"
#include "schema.h"
#include "store.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Spelling words: an open-addressing hash table of word -> count.      */

struct spelling_words {
	char **words;
	unsigned *counts;
	size_t cap;   /* power of two */
	size_t n;
};

spelling_words *spelling_words_new(void)
{
	spelling_words *sw = wire_calloc(1, sizeof(*sw));

	if (!sw)
		return NULL;
	sw->cap = 1024;
	sw->words = wire_calloc(sw->cap, sizeof(*sw->words));
	sw->counts = wire_calloc(sw->cap, sizeof(*sw->counts));
	if (!sw->words || !sw->counts) {
		spelling_words_free(sw);
		return NULL;
	}
	return sw;
}

static size_t word_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return (size_t)h;
}

static int spelling_grow(spelling_words *sw)
{
	size_t cap = sw->cap * 2;
	char **words = wire_calloc(cap, sizeof(*words));
	unsigned *counts = wire_calloc(cap, sizeof(*counts));

	if (!words || !counts) {
		free(words);
		free(counts);
		return -1;
	}
	for (size_t i = 0; i < sw->cap; i++) {
		size_t j;

		if (!sw->words[i])
			continue;
		j = word_hash(sw->words[i], strlen(sw->words[i])) & (cap - 1);
		while (words[j])
			j = (j + 1) & (cap - 1);
		words[j] = sw->words[i];
		counts[j] = sw->counts[i];
	}
	free(sw->words);
	free(sw->counts);
	sw->words = words;
	sw->counts = counts;
	sw->cap = cap;
	return 0;
}

static int spelling_add(spelling_words *sw, const char *word, size_t len)
{
	size_t i;

	if (sw->n * 2 >= sw->cap && spelling_grow(sw))
		return -1;
	i = word_hash(word, len) & (sw->cap - 1);
	while (sw->words[i]) {
		if (strlen(sw->words[i]) == len && !memcmp(sw->words[i], word, len)) {
			sw->counts[i]++;
			return 0;
		}
		i = (i + 1) & (sw->cap - 1);
	}
	sw->words[i] = wire_strndup(word, len);
	if (!sw->words[i])
		return -1;
	sw->counts[i] = 1;
	sw->n++;
	return 0;
}

xap_status spelling_words_flush(spelling_words *sw, xap_writer *w)
{
	for (size_t i = 0; i < sw->cap; i++) {
		xap_status st;

		if (!sw->words[i])
			continue;
		st = xap_writer_add_spelling(w, sw->words[i], sw->counts[i]);
		if (st != XAP_OK)
			return st;
		free(sw->words[i]);
		sw->words[i] = NULL;
		sw->counts[i] = 0;
	}
	sw->n = 0;
	return XAP_OK;
}

size_t spelling_words_count(const spelling_words *sw)
{
	return sw->n;
}

void spelling_words_free(spelling_words *sw)
{
	if (!sw)
		return;
	if (sw->words)
		for (size_t i = 0; i < sw->cap; i++)
			free(sw->words[i]);
	free(sw->words);
	free(sw->counts);
	free(sw);
}

/* ------------------------------------------------------------------ */

unsigned document_version(const dispatch *d)
{
	return d->version ? d->version : 1;
}

int64_t document_date(const dispatch *d)
{
	if (d->version_created >= 0)
		return d->version_created;
	return d->first_created;
}

/* State shared with the tokenizer callback while one field is indexed. */
struct field_ctx {
	xap_doc *doc;
	const char *prefix;
	size_t prefix_len;
	uint32_t wdf;
	spelling_words *sw;
	char term[TEXT_MAX_TERM + 16];
	xap_status st;
};

static int field_token(void *vctx, const text_token *tok)
{
	struct field_ctx *c = vctx;

	if (c->prefix_len + tok->len >= sizeof(c->term))
		return 0; /* cannot happen: tokens are capped */
	memcpy(c->term, c->prefix, c->prefix_len);
	memcpy(c->term + c->prefix_len, tok->term, tok->len);
	c->term[c->prefix_len + tok->len] = '\0';
	c->st = xap_doc_add_posting(c->doc, c->term, tok->position, c->wdf);
	if (c->st != XAP_OK)
		return 1;
	/* The spelling table learns plain words people may mistype. */
	if (c->sw && !(tok->flags & (TEXT_TOKEN_ACRONYM | TEXT_TOKEN_NUMBER |
				     TEXT_TOKEN_CUT | TEXT_TOKEN_JOINED)) &&
	    tok->len >= 3 && spelling_add(c->sw, tok->term, tok->len)) {
		c->st = XAP_NOMEM;
		return 1;
	}
	return 0;
}

/* Index TEXT under PREFIX starting at *POS; *POS moves past it. */
static xap_status index_field(xap_doc *doc, const char *prefix, uint32_t wdf,
			      const char *text, uint32_t *pos,
			      spelling_words *sw, text_stats *stats)
{
	struct field_ctx c;
	int r;

	if (!text || !*text)
		return XAP_OK;
	c.doc = doc;
	c.prefix = prefix;
	c.prefix_len = strlen(prefix);
	c.wdf = wdf;
	c.sw = sw;
	c.st = XAP_OK;
	r = text_tokenize(text, strlen(text), TEXT_FOR_INDEX, *pos, field_token,
			  &c, pos, stats);
	if (r < 0)
		return XAP_NOMEM;
	return c.st;
}

/* Add PREFIX + folded VALUE as a boolean term. */
static xap_status add_folded_term(xap_doc *doc, const char *prefix,
				  const char *value)
{
	char *folded, term[256];
	xap_status st;

	if (!value || !*value)
		return XAP_OK;
	folded = text_fold(value, strlen(value));
	if (!folded)
		return XAP_NOMEM;
	if (*folded) {
		/* Long values are shortened the same way as ids, so the term
		 * stays under Xapian's limit and queries find it. */
		if (!schema_id_term(term, sizeof(term), prefix, folded)) {
			free(folded);
			return XAP_INVALID;
		}
		st = xap_doc_add_boolean_term(doc, term);
	} else {
		st = XAP_OK;
	}
	free(folded);
	return st;
}

static xap_status add_value_str(xap_doc *doc, unsigned slot, const char *s)
{
	if (!s || !*s)
		return XAP_OK;
	return xap_doc_set_value(doc, slot, s, strlen(s));
}

/* The date's value and terms; its month ("YYYY-MM", a facet) into MONTH,
 * left "" without a date. */
static xap_status add_date(xap_doc *doc, const dispatch *d, char month[8])
{
	int64_t t = document_date(d);
	char compact[15], term[16];
	xap_status st;

	if (t < 0)
		return XAP_OK;
	date_format_compact(t, compact);
	if ((st = xap_doc_set_value(doc, SLOT_DATE, compact, 14)) != XAP_OK)
		return st;
	snprintf(term, sizeof(term), PREFIX_YEAR "%.4s", compact);
	if ((st = xap_doc_add_boolean_term(doc, term)) != XAP_OK)
		return st;
	snprintf(term, sizeof(term), PREFIX_MONTH "%.6s", compact);
	if ((st = xap_doc_add_boolean_term(doc, term)) != XAP_OK)
		return st;
	snprintf(term, sizeof(term), PREFIX_DAY "%.8s", compact);
	if ((st = xap_doc_add_boolean_term(doc, term)) != XAP_OK)
		return st;
	snprintf(month, 8, "%.4s-%.2s", compact, compact + 4);
	if (d->first_created >= 0) {
		date_format_compact(d->first_created, compact);
		st = xap_doc_set_value(doc, SLOT_FIRST_CREATED, compact, 14);
	}
	return st;
}

/* Append S to SB without the bytes that separate fields and items. */
static int add_facet_text(strbuf *sb, const char *s)
{
	for (; s && *s; s++)
		if (*s != SCHEMA_FIELD_SEP && *s != SCHEMA_LIST_SEP && strbuf_addch(sb, *s))
			return -1;
	return 0;
}

/* The facets of D in one value (schema 3): agency, places, language and
 * MONTH, joined by SCHEMA_FIELD_SEP; nothing when all four are empty. */
static xap_status add_facets(xap_doc *doc, const dispatch *d, const char *month)
{
	strbuf v = STRBUF_INIT;
	xap_status st = XAP_NOMEM;

	if (add_facet_text(&v, d->agency) || strbuf_addch(&v, SCHEMA_FIELD_SEP))
		goto out;
	for (size_t i = 0; i < d->n_places; i++)
		if ((i && strbuf_addch(&v, SCHEMA_LIST_SEP)) ||
		    add_facet_text(&v, d->places[i]))
			goto out;
	if (strbuf_addch(&v, SCHEMA_FIELD_SEP) || add_facet_text(&v, d->language) ||
	    strbuf_addch(&v, SCHEMA_FIELD_SEP) || strbuf_addstr(&v, month))
		goto out;
	/* more than the three separators */
	st = v.len > 3 ? xap_doc_set_value(doc, SLOT_FACETS, v.buf, v.len) : XAP_OK;
out:
	strbuf_release(&v);
	return st;
}

/* The values; the facets (MONTH among them, from add_date()) as SCHEMA
 * keeps them. */
static xap_status add_values(xap_doc *doc, const dispatch *d, int schema,
			     const char *month)
{
	char version[16];
	strbuf places = STRBUF_INIT;
	xap_status st;

	snprintf(version, sizeof(version), "%010u", document_version(d));
	if ((st = xap_doc_set_value(doc, SLOT_VERSION, version, 10)) != XAP_OK)
		return st;
	if ((st = add_value_str(doc, SLOT_STORY, d->id)) != XAP_OK)
		return st;
	if (schema >= 3)
		return add_facets(doc, d, month);
	if ((st = add_value_str(doc, SLOT_MONTH, month)) != XAP_OK ||
	    (st = add_value_str(doc, SLOT_AGENCY, d->agency)) != XAP_OK ||
	    (st = add_value_str(doc, SLOT_LANGUAGE, d->language)) != XAP_OK)
		return st;
	for (size_t i = 0; i < d->n_places; i++) {
		if ((i && strbuf_addch(&places, SCHEMA_LIST_SEP)) ||
		    strbuf_addstr(&places, d->places[i])) {
			strbuf_release(&places);
			return XAP_NOMEM;
		}
	}
	st = add_value_str(doc, SLOT_PLACES, strbuf_str(&places));
	strbuf_release(&places);
	return st;
}

static xap_status add_filters(xap_doc *doc, const dispatch *d, char month[8])
{
	char term[256];
	xap_status st;

	if (!schema_id_term(term, sizeof(term), PREFIX_STORY, d->id))
		return XAP_INVALID;
	if ((st = xap_doc_add_boolean_term(doc, term)) != XAP_OK)
		return st;
	/* The version's own term: replace_by_term() finds it again. */
	if (!schema_unique_term(term, sizeof(term), d->id, document_version(d)))
		return XAP_INVALID;
	if ((st = xap_doc_add_boolean_term(doc, term)) != XAP_OK)
		return st;
	if ((st = add_folded_term(doc, PREFIX_AGENCY, d->agency)) != XAP_OK ||
	    (st = add_folded_term(doc, PREFIX_LOCATED, d->located)) != XAP_OK ||
	    (st = add_folded_term(doc, PREFIX_LANGUAGE, d->language)) != XAP_OK)
		return st;
	for (size_t i = 0; i < d->n_places; i++)
		if ((st = add_folded_term(doc, PREFIX_PLACE, d->places[i])) != XAP_OK)
			return st;
	for (size_t i = 0; i < d->n_tags; i++)
		if ((st = add_folded_term(doc, PREFIX_TAG, d->tags[i].value)) != XAP_OK)
			return st;
	if (d->urgency >= 1 && d->urgency <= 9) {
		snprintf(term, sizeof(term), PREFIX_URGENCY "%d", d->urgency);
		if ((st = xap_doc_add_boolean_term(doc, term)) != XAP_OK)
			return st;
	}
	return add_date(doc, d, month);
}

xap_status document_build(const dispatch *d, xap_doc *doc, spelling_words *sw,
			  text_stats *stats, int schema)
{
	strbuf record = STRBUF_INIT;
	char month[8] = "";
	uint32_t pos;
	xap_status st;

	if (!d->id)
		return XAP_INVALID;
	pos = POS_HEADLINE;
	st = index_field(doc, PREFIX_HEADLINE, 1, d->headline, &pos, sw, stats);
	if (st != XAP_OK)
		return st;
	pos = POS_DATELINE;
	if ((st = index_field(doc, PREFIX_DATELINE, 1, d->dateline, &pos, NULL,
			      stats)) != XAP_OK)
		return st;
	pos = POS_BYLINE;
	if ((st = index_field(doc, PREFIX_BYLINE, 1, d->byline, &pos, NULL,
			      stats)) != XAP_OK)
		return st;
	pos = POS_SLUGLINE;
	if ((st = index_field(doc, PREFIX_SLUGLINE, 1, d->slugline, &pos, NULL,
			      stats)) != XAP_OK)
		return st;
	pos = POS_BODY;
	for (size_t i = 0; i < d->n_paragraphs; i++) {
		st = index_field(doc, PREFIX_BODY, 1, d->paragraphs[i], &pos, sw,
				 stats);
		if (st != XAP_OK)
			return st;
		pos += POS_PARAGRAPH_GAP;
	}
	if ((st = add_filters(doc, d, month)) != XAP_OK ||
	    (st = add_values(doc, d, schema, month)) != XAP_OK)
		return st;
	if (store_encode(d, &record)) {
		strbuf_release(&record);
		return XAP_NOMEM;
	}
	st = xap_doc_set_data(doc, record.buf, record.len);
	strbuf_release(&record);
	if (st == XAP_OK)
		st = xap_doc_check(doc);
	return st;
}
