/*
 * versions.c - keeping a story's versions consistent as they arrive in
 * any order: which one is current, and whether the story was killed.
 */
#include "versions.h"

#include "alloc.h"
#include "document.h"
#include "schema.h"

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

/* Rewrite stored version V with TERM added (ADD) or removed. */
static xap_status retag(xap_writer *w, struct version_info *v,
			const char *term, int add)
{
	xap_doc *doc;
	xap_status st = xap_db_get_document(xap_writer_db(w), v->id, &doc);

	if (st != XAP_OK)
		return st;
	st = add ? xap_doc_add_boolean_term(doc, term)
		 : xap_doc_remove_term(doc, term);
	if (st == XAP_OK)
		st = xap_writer_replace(w, v->id, doc);
	xap_doc_free(doc);
	return st;
}

xap_status versions_upsert(xap_writer *w, const dispatch *d, xap_doc *doc,
			   int *replaced)
{
	struct version_list l = { NULL, 0, 0 };
	char story[256], unique[256], date[15] = "";
	unsigned version = document_version(d);
	int current = 1, withdrawn = 0, killed;
	int64_t t = document_date(d);
	xap_status st;

	*replaced = 0;
	if (!schema_id_term(story, sizeof(story), PREFIX_STORY, d->id) ||
	    !schema_unique_term(unique, sizeof(unique), d->id, version))
		return XAP_INVALID;
	if (t >= 0)
		date_format_compact(t, date);
	killed = d->pubstatus && !strcmp(d->pubstatus, "canceled");

	st = load_versions(xap_writer_db(w), story, unique, &l);
	for (size_t i = 0; st == XAP_OK && i < l.n; i++) {
		if (l.v[i].same) {
			*replaced = 1;
			continue;
		}
		if (!newer(version, date, l.v[i].version, l.v[i].date) &&
		    (version != l.v[i].version || strcmp(date, l.v[i].date)))
			current = 0;
		withdrawn |= l.v[i].withdrawn;
	}
	if (st == XAP_OK && current)
		st = xap_doc_add_boolean_term(doc, TERM_CURRENT);
	if (st == XAP_OK && (withdrawn || killed))
		st = xap_doc_add_boolean_term(doc, TERM_WITHDRAWN);
	for (size_t i = 0; st == XAP_OK && i < l.n; i++) {
		if (l.v[i].same)
			continue;
		if (current && l.v[i].current)
			st = retag(w, &l.v[i], TERM_CURRENT, 0);
		if (st == XAP_OK && killed && !l.v[i].withdrawn)
			st = retag(w, &l.v[i], TERM_WITHDRAWN, 1);
	}
	if (st == XAP_OK)
		st = xap_writer_replace_by_term(w, unique, doc, NULL);
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
		if (!l.v[i].withdrawn)
			st = retag(w, &l.v[i], TERM_WITHDRAWN, 1);
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
