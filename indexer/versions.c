/*
 * versions.c - keeping a story's versions consistent as they arrive in
 * any order: which one is current, and whether the story was killed.
 */
#include "versions.h"

#include "alloc.h"
#include "document.h"
#include "schema.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What we need to know of one stored version. */
struct version_info {
	xap_docid id;
	unsigned version;
	char date[15];
	int current;
	int withdrawn;
	int versioned; /* carries TERM_VERSIONED */
	int same;     /* the version being written now */
};

struct version_list {
	struct version_info *v;
	size_t n, cap;
};

static int collect_docid(void *ctx, xap_docid id)
{
	struct version_list *l = ctx;
	void *p = l->v;

	if (wire_grow(&p, &l->cap, l->n + 1, sizeof(*l->v)))
		return -1;
	l->v = p;
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	l->v[l->n++].id = id;
	return 0;
}

static void copy_value(xap_doc *doc, unsigned slot, char *out, size_t size)
{
	const void *data;
	size_t len;

	out[0] = '\0';
	if (xap_doc_get_value(doc, slot, &data, &len) != XAP_OK)
		return;
	if (len >= size)
		len = size - 1;
	memcpy(out, data, len);
	out[len] = '\0';
}

/* An open-addressing set of 64-bit story-term hashes (0 marks a free
 * slot; a hash of 0 is stored as 1).  A hash seen means "maybe written":
 * the caller then looks the story up; a hash not seen means "never
 * written", which is certain. */
struct versions_seen {
	uint64_t *slot;
	size_t n, cap; /* cap: a power of two */
};

versions_seen *versions_seen_new(void)
{
	versions_seen *s = wire_calloc(1, sizeof(*s));

	if (s && !(s->slot = wire_calloc(s->cap = 1024, sizeof(*s->slot)))) {
		free(s);
		s = NULL;
	}
	return s;
}

void versions_seen_free(versions_seen *s)
{
	if (!s)
		return;
	free(s->slot);
	free(s);
}

static uint64_t *seen_find(uint64_t *slot, size_t cap, uint64_t h)
{
	size_t i = (size_t)(h ^ (h >> 29)) & (cap - 1);

	while (slot[i] && slot[i] != h)
		i = (i + 1) & (cap - 1);
	return &slot[i];
}

/* Add H; *WAS gets whether it was there.  Returns -1 when out of memory. */
static int seen_add(versions_seen *s, uint64_t h, int *was)
{
	uint64_t *p;

	h = h ? h : 1;
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap * 2;
		uint64_t *slot = wire_calloc(cap, sizeof(*slot));

		if (!slot)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				*seen_find(slot, cap, s->slot[i]) = s->slot[i];
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	}
	p = seen_find(s->slot, s->cap, h);
	*was = *p != 0;
	if (!*was) {
		*p = h;
		s->n++;
	}
	return 0;
}

/* Read the versions of the story whose story term is STORY_TERM. */
static xap_status load_versions(xap_db *db, const char *story_term,
				const char *unique_term, struct version_list *l)
{
	xap_status st = xap_db_postings(db, story_term, collect_docid, l);

	if (st != XAP_OK)
		return st;
	for (size_t i = 0; i < l->n; i++) {
		xap_doc *doc;
		char version[16];

		if ((st = xap_db_get_document(db, l->v[i].id, &doc)) != XAP_OK)
			return st;
		copy_value(doc, SLOT_VERSION, version, sizeof(version));
		l->v[i].version = (unsigned)strtoul(version, NULL, 10);
		copy_value(doc, SLOT_DATE, l->v[i].date, sizeof(l->v[i].date));
		if ((st = xap_doc_has_term(doc, TERM_CURRENT, &l->v[i].current)) ||
		    (st = xap_doc_has_term(doc, TERM_WITHDRAWN, &l->v[i].withdrawn)) ||
		    (st = xap_doc_has_term(doc, TERM_VERSIONED, &l->v[i].versioned)) ||
		    (st = xap_doc_has_term(doc, unique_term, &l->v[i].same))) {
			xap_doc_free(doc);
			return st;
		}
		xap_doc_free(doc);
	}
	return XAP_OK;
}

/* Whether version A (number, date) is newer than B. */
static int newer(unsigned va, const char *da, unsigned vb, const char *db)
{
	if (va != vb)
		return va > vb;
	return strcmp(da, db) > 0;
}

/* Rewrite stored version V: without TERM_CURRENT if UNCURRENT, with
 * TERM_WITHDRAWN if WITHDRAW, with TERM_VERSIONED if VERSIONED.  Nothing is
 * written when nothing changes. */
static xap_status retag(xap_writer *w, const struct version_info *v,
			int uncurrent, int withdraw, int versioned)
{
	xap_doc *doc;
	xap_status st;

	uncurrent = uncurrent && v->current;
	withdraw = withdraw && !v->withdrawn;
	versioned = versioned && !v->versioned;
	if (!uncurrent && !withdraw && !versioned)
		return XAP_OK;
	if ((st = xap_db_get_document(xap_writer_db(w), v->id, &doc)) != XAP_OK)
		return st;
	if (uncurrent)
		st = xap_doc_remove_term(doc, TERM_CURRENT);
	if (st == XAP_OK && withdraw)
		st = xap_doc_add_boolean_term(doc, TERM_WITHDRAWN);
	if (st == XAP_OK && versioned)
		st = xap_doc_add_boolean_term(doc, TERM_VERSIONED);
	if (st == XAP_OK)
		st = xap_writer_replace(w, v->id, doc);
	xap_doc_free(doc);
	return st;
}

xap_status versions_upsert(xap_writer *w, const dispatch *d, xap_doc *doc,
			   versions_seen *seen, int *replaced)
{
	struct version_list l = { NULL, 0, 0 };
	char story[256], unique[256], date[15] = "";
	unsigned version = document_version(d);
	int current = 1, withdrawn = 0, others = 0, killed, was = 1;
	int64_t t = document_date(d);
	xap_docid same = 0;
	xap_status st;

	*replaced = 0;
	if (!schema_id_term(story, sizeof(story), PREFIX_STORY, d->id) ||
	    !schema_unique_term(unique, sizeof(unique), d->id, version))
		return XAP_INVALID;
	if (t >= 0)
		date_format_compact(t, date);
	killed = d->pubstatus && !strcmp(d->pubstatus, "canceled");

	/* A story SEEN has not met has no stored version: nothing to look
	 * up, the list stays empty and the version is added as current. */
	if (seen && seen_add(seen, schema_fnv1a(story, strlen(story)), &was))
		return XAP_NOMEM;
	st = was ? load_versions(xap_writer_db(w), story, unique, &l) : XAP_OK;
	for (size_t i = 0; st == XAP_OK && i < l.n; i++) {
		if (l.v[i].same) {
			*replaced = 1;
			same = l.v[i].id;
			continue;
		}
		others++;
		if (!newer(version, date, l.v[i].version, l.v[i].date) &&
		    (version != l.v[i].version || strcmp(date, l.v[i].date)))
			current = 0;
		withdrawn |= l.v[i].withdrawn;
	}
	if (st == XAP_OK && current)
		st = xap_doc_add_boolean_term(doc, TERM_CURRENT);
	if (st == XAP_OK && (withdrawn || killed))
		st = xap_doc_add_boolean_term(doc, TERM_WITHDRAWN);
	/* Every version of a story with several carries TERM_VERSIONED, so a
	 * search counts stories exactly by counting only those apart. */
	if (st == XAP_OK && others)
		st = xap_doc_add_boolean_term(doc, TERM_VERSIONED);
	for (size_t i = 0; st == XAP_OK && i < l.n; i++)
		if (!l.v[i].same)
			st = retag(w, &l.v[i], current, killed, 1);
	/* Every version carries the story term, so the list holds this
	 * version too if it is stored: replace it, or add it. */
	if (st == XAP_OK)
		st = *replaced ? xap_writer_replace(w, same, doc)
			       : xap_writer_add(w, doc, NULL);
	free(l.v);
	return st;
}

xap_status versions_withdraw(xap_writer *w, const char *id, unsigned *count)
{
	struct version_list l = { NULL, 0, 0 };
	char story[256];
	xap_status st;

	*count = 0;
	if (!schema_id_term(story, sizeof(story), PREFIX_STORY, id))
		return XAP_INVALID;
	st = load_versions(xap_writer_db(w), story, "", &l);
	for (size_t i = 0; st == XAP_OK && i < l.n; i++)
		st = retag(w, &l.v[i], 0, 1, 0);
	if (st == XAP_OK)
		*count = (unsigned)l.n;
	free(l.v);
	return st;
}

xap_status versions_delete(xap_writer *w, const char *id, unsigned *count)
{
	char story[256];
	uint32_t n = 0;
	xap_status st;

	*count = 0;
	if (!schema_id_term(story, sizeof(story), PREFIX_STORY, id))
		return XAP_INVALID;
	st = xap_db_termfreq(xap_writer_db(w), story, &n);
	if (st == XAP_OK && n)
		st = xap_writer_delete_by_term(w, story);
	if (st == XAP_OK)
		*count = n;
	return st;
}
