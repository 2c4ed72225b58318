/*
 * search.c - query string to ranked page.
 *
 * Versions: every version of a story is its own document.  Unless the
 * caller wants every version, the match collapses on the story id (value
 * SLOT_STORY), so each story is ranked by its best-matching version; the
 * hit then shows the story's current version and says which one matched.
 * The story count is exact, and counted apart from the ranking: the
 * ranked run stops as soon as its page is certain, and an unweighted run
 * counts the matches (see count_stories()).  Facets need every match
 * weighed by their spies, so a faceted search counts in the one run.
 *
 * A reader overtaken by the writer's commits gets XAP_MODIFIED: the whole
 * attempt is thrown away, the database reopened, and the search run again,
 * at most SEARCH_RETRIES times.
 */
#include "search.h"

#include "alloc.h"
#include "index.h"
#include "schema.h"
#include "store.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>

#define SEARCH_RETRIES 5
/* The freshness boost at age 0, in BM25 units: about what one good term
 * match scores, so freshness reorders close results without drowning
 * relevance. */
#define RECENCY_MAX_WEIGHT 8.0

void search_request_init(search_request *r)
{
	memset(r, 0, sizeof(*r));
	query_options_init(&r->qopts);
	r->limit = 10;
	r->snippets = 1;
	r->snippet_bytes = 240;
	r->bm25_k1 = -1;
	r->bm25_b = -1;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static enum search_status status_of(xap_status st)
{
	switch (st) {
	case XAP_OK:
		return SEARCH_OK;
	case XAP_NOT_FOUND:
	case XAP_CORRUPT:
	case XAP_VERSION:
		return SEARCH_NO_INDEX;
	case XAP_NETWORK:
		return SEARCH_UNREACHABLE;
	case XAP_QUERY:
	case XAP_WILDCARD:
		return SEARCH_BAD_QUERY;
	default:
		return SEARCH_FAILED;
	}
}

xap_db *search_open(const char *path, enum search_status *status, char *err,
		    size_t errlen)
{
	xap_status st;
	xap_db *db = index_open(path, &st, err, errlen);

	if (status)
		*status = db ? SEARCH_OK
			     : status_of(st) == SEARCH_OK ? SEARCH_FAILED : status_of(st);
	return db;
}

/* ------------------------------------------------------------------ */

static void facet_release(search_facet *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->values[i].value);
	free(f->values);
	f->values = NULL;
	f->n = 0;
}

void search_result_release(search_result *res)
{
	for (size_t i = 0; i < res->n_hits; i++) {
		dispatch_release(&res->hits[i].d);
		snippet_release(&res->hits[i].snip);
	}
	free(res->hits);
	for (size_t i = 0; i < res->n_facets; i++)
		facet_release(&res->facets[i]);
	free(res->suggestion);
	free(res->parsed);
	free(res->xapian);
	memset(res, 0, sizeof(*res));
}

/* Empty RES for a new attempt, keeping the explanation. */
static void result_reset(search_result *res)
{
	char *parsed = res->parsed, *xapian = res->xapian;
	unsigned retries = res->retries;

	res->parsed = res->xapian = NULL;
	search_result_release(res);
	res->parsed = parsed;
	res->xapian = xapian;
	res->retries = retries;
}

static int add_facet_value(void *ctx, const char *value, size_t len,
			   uint32_t count)
{
	search_facet *f = ctx;
	void *p = f->values;
	size_t cap = f->n;

	if (wire_grow(&p, &cap, f->n + 1, sizeof(*f->values)))
		return -1;
	f->values = p;
	f->values[f->n].value = wire_strndup(value, len);
	if (!f->values[f->n].value)
		return -1;
	f->values[f->n].count = count;
	f->n++;
	return 0;
}

/* The versions of a story: how many, and the current one. */
struct story_versions {
	xap_db *db;
	unsigned n;
	xap_docid current;
	unsigned current_version;
	xap_status st;
};

static unsigned doc_version(xap_doc *doc)
{
	const void *data;
	size_t len;
	char buf[16];

	if (xap_doc_get_value(doc, SLOT_VERSION, &data, &len) != XAP_OK ||
	    len >= sizeof(buf))
		return 0;
	memcpy(buf, data, len);
	buf[len] = '\0';
	return (unsigned)strtoul(buf, NULL, 10);
}

static int visit_version(void *ctx, xap_docid id)
{
	struct story_versions *sv = ctx;
	xap_doc *doc;
	int current = 0;

	sv->n++;
	sv->st = xap_db_get_document(sv->db, id, &doc);
	if (sv->st != XAP_OK)
		return 1;
	sv->st = xap_doc_has_term(doc, TERM_CURRENT, &current);
	if (sv->st == XAP_OK && current) {
		sv->current = id;
		sv->current_version = doc_version(doc);
	}
	xap_doc_free(doc);
	return sv->st != XAP_OK;
}

static xap_status decode_doc(xap_doc *doc, dispatch *d)
{
	const void *data;
	size_t len;
	xap_status st = xap_doc_get_data(doc, &data, &len);

	if (st != XAP_OK)
		return st;
	if (store_decode(data, len, d))
		return XAP_CORRUPT;
	return XAP_OK;
}

/* Fill HIT from the matched document DOC: its record, or its story's current
 * version's when that is another.  SINGLES: the index has no story of
 * several versions (none marked TERM_VERSIONED), so there is no other
 * version to look up. */
static xap_status fill_hit(xap_db *db, const search_request *req,
			   xap_doc *doc, int singles, search_hit *hit)
{
	struct story_versions sv;
	char story[256];
	int64_t t;
	xap_status st;
	int withdrawn = 0;

	memset(&sv, 0, sizeof(sv));
	sv.db = db;
	/* Withdrawn stories are filtered out unless asked for: only then is
	 * the mark worth reading (it means decompressing the termlist). */
	if (req->include_withdrawn &&
	    (st = xap_doc_has_term(doc, TERM_WITHDRAWN, &withdrawn)) != XAP_OK)
		return st;
	hit->withdrawn = withdrawn;
	if ((st = decode_doc(doc, &hit->d)) != XAP_OK)
		return st;
	/* as the indexer numbers it in SLOT_VERSION: a dispatch without a
	 * version is version 1 (the record says so without another read) */
	hit->matched_version = hit->d.version ? hit->d.version : 1;
	hit->n_versions = 1;
	if (!req->all_versions && !singles && hit->d.id &&
	    schema_id_term(story, sizeof(story), PREFIX_STORY, hit->d.id)) {
		uint32_t versions = 0;

		/* Most stories have one version: it is the one matched. */
		if ((st = xap_db_termfreq(db, story, &versions)) != XAP_OK)
			return st;
		if (versions <= 1)
			goto dated;
		st = xap_db_postings(db, story, visit_version, &sv);
		if (st == XAP_OK)
			st = sv.st;
		if (st != XAP_OK)
			return st;
		hit->n_versions = sv.n ? sv.n : 1;
		if (sv.current && sv.current != xap_doc_id(doc)) {
			xap_doc *cur;

			if ((st = xap_db_get_document(db, sv.current, &cur)) != XAP_OK)
				return st;
			dispatch_release(&hit->d);
			st = decode_doc(cur, &hit->d);
			xap_doc_free(cur);
			if (st != XAP_OK)
				return st;
		}
	}
dated:
	t = hit->d.version_created >= 0 ? hit->d.version_created : hit->d.first_created;
	if (t >= 0)
		date_format_iso(t, hit->date);
	return XAP_OK;
}

/* Add the "not withdrawn" and recency parts to the user's query. */
static xap_status finish_query(const search_request *req, xap_query *user,
			       xap_query **out)
{
	xap_query *q = user, *t = NULL, *next;
	xap_status st = XAP_OK;

	if (!req->include_withdrawn) {
		xap_query *subs[2];

		if ((st = xap_query_term(TERM_WITHDRAWN, 1, 0, &t)) != XAP_OK)
			return st;
		subs[0] = q;
		subs[1] = t;
		st = xap_query_combine(XAP_OP_AND_NOT, subs, 2, 0, &next);
		xap_query_free(t);
		if (st != XAP_OK)
			return st;
		q = next;
	}
	if (req->recency_days > 0) {
		xap_query *subs[2], *rec;

		st = xap_query_recency(SLOT_DATE, req->qopts.now, req->recency_days,
				       RECENCY_MAX_WEIGHT, &rec);
		if (st == XAP_OK) {
			subs[0] = q;
			subs[1] = rec;
			st = xap_query_combine(XAP_OP_AND_MAYBE, subs, 2, 0, &next);
			xap_query_free(rec);
		}
		if (q != user)
			xap_query_free(q);
		if (st != XAP_OK)
			return st;
		q = next;
	}
	if (q == user)
		return xap_query_scale(user, 1.0, out);
	*out = q;
	return XAP_OK;
}

/* The facets: their own slots up to schema 2, their fields of SLOT_FACETS
 * from schema 3. */
static const struct {
	const char *name;
	unsigned slot;
	enum schema_facet field;
	int separator;
} facet_slots[SEARCH_FACETS] = {
	{ "agency", SLOT_AGENCY, FACET_AGENCY, -1 },
	{ "place", SLOT_PLACES, FACET_PLACES, SCHEMA_LIST_SEP },
	{ "language", SLOT_LANGUAGE, FACET_LANGUAGE, -1 },
	{ "month", SLOT_MONTH, FACET_MONTH, -1 },
};

/* The schema the index was written to (META_SCHEMA; 1 when unmarked).
 * From 2 the indexer marks the versions of multi-version stories
 * (TERM_VERSIONED): then a story count is the plain count of the
 * single-version stories' matches plus the distinct stories among the few
 * versioned matches; an older index is counted by a spy over all.  From 3
 * the facets are the fields of SLOT_FACETS. */
static int index_schema(xap_db *db)
{
	char *v = NULL;
	size_t len;
	int schema = 1;

	if (xap_db_get_metadata(db, META_SCHEMA, &v, &len) == XAP_OK && v)
		schema = atoi(v);
	free(v);
	return schema;
}

/* Count facet F over E's matches: a field of SLOT_FACETS from schema 3,
 * its own slot before.  *ID as for xap_enquire_add_facet(). */
static xap_status add_facet(xap_enquire *e, int schema, size_t f, unsigned *id)
{
	if (schema >= 3)
		return xap_enquire_add_facet_field(e, SLOT_FACETS, SCHEMA_FIELD_SEP,
						   facet_slots[f].field, facet_slots[f].separator,
						   id);
	return xap_enquire_add_facet(e, facet_slots[f].slot, facet_slots[f].separator, id);
}

/* FULL restricted to the versions of multi-version stories, into *OUT. */
static xap_status versioned_only(const xap_query *full, xap_query **out)
{
	xap_query *marker, *subs[2];
	xap_status st = xap_query_term(TERM_VERSIONED, 1, 0, &marker);

	if (st != XAP_OK)
		return st;
	subs[0] = (xap_query *)full;
	subs[1] = marker;
	st = xap_query_combine(XAP_OP_FILTER, subs, 2, 0, out);
	xap_query_free(marker);
	return st;
}

/* The exact number of stories (or, ALL_VERSIONS, of documents) FULL
 * matches, into *TOTAL; N_VERSIONED is the number of documents marked
 * TERM_VERSIONED. */
static xap_status count_stories(xap_db *db, const xap_query *full,
				int all_versions, uint32_t n_versioned,
				uint32_t *total)
{
	xap_query *versioned = NULL;
	uint32_t stories = 0, versions = 0;
	xap_status st;

	if (all_versions || !n_versioned)
		return xap_db_count_matches(db, full, total);
	/* Every match, less the versions of multi-version stories, plus
	 * their distinct stories. */
	if ((st = versioned_only(full, &versioned)) == XAP_OK &&
	    (st = xap_db_count_matches(db, full, total)) == XAP_OK &&
	    (st = xap_db_count_distinct(db, versioned, SLOT_STORY, &stories,
					&versions)) == XAP_OK)
		*total = *total - versions + stories;
	xap_query_free(versioned);
	return st;
}

/* Facet counts by story.  The facet spies count documents; a story of
 * several versions (TERM_VERSIONED) can be counted once per matching
 * version.  Its matches are few: they are listed, and for every facet item
 * the documents counted are replaced by the distinct stories. */
struct tally {
	char *key;        /* "F\x1eITEM" or "F\x1eITEM\x1eSTORY" */
	size_t len;       /* of KEY */
	uint64_t hash;    /* of KEY: not computed again when the map grows */
	uint32_t docs, stories;
};

struct tally_map {
	struct tally *slot;
	size_t n, cap;    /* cap: a power of two */
};

static void tally_free(struct tally_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slot[i].key);
	free(m->slot);
	memset(m, 0, sizeof(*m));
}

/* The slot of the LEN bytes at K (hashed to HASH): theirs, or the empty
 * one where they would go. */
static struct tally *tally_find(struct tally *slot, size_t cap, const char *k,
				size_t len, uint64_t hash)
{
	size_t i = (size_t)hash & (cap - 1);

	while (slot[i].key && (slot[i].hash != hash || slot[i].len != len ||
			       memcmp(slot[i].key, k, len)))
		i = (i + 1) & (cap - 1);
	return &slot[i];
}

/* The entry for the LEN bytes at K, or NULL when there is none. */
static struct tally *tally_lookup(const struct tally_map *m, const char *k,
				  size_t len)
{
	struct tally *t = m->cap ? tally_find(m->slot, m->cap, k, len,
					      schema_fnv1a(k, len))
				 : NULL;

	return t && t->key ? t : NULL;
}

/* The entry for the LEN bytes at K, added (zeroed) if new; *ADDED says
 * which.  NULL when out of memory. */
static struct tally *tally_get(struct tally_map *m, const char *k, size_t len,
			       int *added)
{
	struct tally *t;
	uint64_t hash;

	if ((m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct tally *slot = wire_calloc(cap, sizeof(*slot));

		if (!slot)
			return NULL;
		for (size_t i = 0; i < m->cap; i++)
			if (m->slot[i].key)
				*tally_find(slot, cap, m->slot[i].key, m->slot[i].len,
					    m->slot[i].hash) = m->slot[i];
		free(m->slot);
		m->slot = slot;
		m->cap = cap;
	}
	hash = schema_fnv1a(k, len);
	t = tally_find(m->slot, m->cap, k, len, hash);
	*added = !t->key;
	if (!t->key) {
		if (!(t->key = wire_strndup(k, len)))
			return NULL;
		t->len = len;
		t->hash = hash;
		m->n++;
	}
	return t;
}

/* KEY = "F\x1eITEM" for item ITEM (LEN bytes) of facet F.  0, or -1 when
 * out of memory. */
static int facet_key(strbuf *key, size_t f, const char *item, size_t len)
{
	strbuf_reset(key);
	return strbuf_addch(key, (char)('0' + f)) || strbuf_addch(key, '\x1e') ||
	       strbuf_add(key, item, len) ? -1 : 0;
}

/* Count item ITEM (LEN bytes) of facet F for the versioned match of story
 * STORY: one more document, and one more story if the story is new. */
static int tally_item(struct tally_map *items, struct tally_map *pairs,
		      strbuf *key, size_t f, const char *item, size_t len,
		      const char *story, size_t story_len)
{
	struct tally *t;
	size_t item_end;
	int added;

	if (facet_key(key, f, item, len))
		return -1;
	item_end = key->len;
	if (!(t = tally_get(items, key->buf, item_end, &added)))
		return -1;
	t->docs++;
	if (strbuf_addch(key, '\x1e') || strbuf_add(key, story, story_len))
		return -1;
	if (!tally_get(pairs, key->buf, key->len, &added))
		return -1;
	if (added)
		t->stories++;
	return 0;
}

static int facet_value_cmp(const void *a, const void *b)
{
	const search_facet_value *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->value, y->value);
}

/* What the value visits of facets_by_story() share. */
struct facet_tally {
	struct tally_map items, pairs;
	strbuf key;
	char **story;       /* story id of each listed document */
	size_t f;           /* the facet being counted */
	int sep;
	int fields;         /* the values are SLOT_FACETS's: take field F */
	int oom;
};

static int keep_story(void *ctx, size_t i, const char *value, size_t len)
{
	struct facet_tally *ft = ctx;

	if (!(ft->story[i] = wire_strndup(value, len)))
		ft->oom = 1;
	return ft->oom;
}

/* One document's value of facet ft->f: each item once, as the spies
 * count. */
static int tally_value(void *ctx, size_t i, const char *value, size_t len)
{
	struct facet_tally *ft = ctx;
	const char *v = value, *end = value + len;

	if (ft->fields) {
		/* The facet's field of SLOT_FACETS: after that many
		 * separators, up to the next one. */
		const char *sep;

		for (size_t k = 0; k < facet_slots[ft->f].field; k++) {
			if (!(sep = memchr(v, SCHEMA_FIELD_SEP, (size_t)(end - v))))
				return 0;  /* fewer fields: nothing to count */
			v = sep + 1;
		}
		if ((sep = memchr(v, SCHEMA_FIELD_SEP, (size_t)(end - v))))
			end = sep;
		value = v;
	}

	while (v < end) {
		const char *e = ft->sep < 0 ? NULL : memchr(v, ft->sep, (size_t)(end - v));
		size_t n = (size_t)((e ? e : end) - v);
		int dup = 0;

		for (const char *w = value; !dup && w < v;) {
			const char *we = memchr(w, ft->sep, (size_t)(end - w));

			dup = (size_t)(we - w) == n && !memcmp(w, v, n);
			w = we + 1;
		}
		if (n && !dup &&
		    tally_item(&ft->items, &ft->pairs, &ft->key, ft->f, v, n,
			       ft->story[i], strlen(ft->story[i]))) {
			ft->oom = 1;
			return 1;
		}
		v += n + 1;
	}
	return 0;
}

static int docid_cmp(const void *a, const void *b)
{
	xap_docid x = *(const xap_docid *)a, y = *(const xap_docid *)b;

	return x < y ? -1 : x > y;
}

static xap_status facets_by_story(xap_db *db, int schema, const xap_query *full,
				  uint32_t n_versioned, search_result *res)
{
	struct facet_tally ft;
	xap_query *versioned = NULL;
	xap_enquire *e = NULL;
	xap_results *r = NULL;
	xap_docid *ids = NULL;
	size_t n = 0;
	xap_status st;

	memset(&ft, 0, sizeof(ft));
	strbuf_init(&ft.key);
	if ((st = versioned_only(full, &versioned)) != XAP_OK)
		goto out;
	if (!(e = xap_enquire_new(db))) {
		st = XAP_NOMEM;
		goto out;
	}
	/* The versioned matches, then their values slot by slot, each value
	 * stream read once in docid order. */
	if ((st = xap_enquire_set_query(e, versioned)) != XAP_OK ||
	    (st = xap_enquire_set_unweighted(e)) != XAP_OK ||
	    (st = xap_enquire_run(e, 0, n_versioned, n_versioned, &r)) != XAP_OK)
		goto out;
	n = xap_results_size(r);
	ids = wire_calloc(n + 1, sizeof(*ids));
	ft.story = wire_calloc(n + 1, sizeof(*ft.story));
	if (!ids || !ft.story) {
		st = XAP_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		xap_hit h;

		if ((st = xap_results_hit(r, i, &h)) != XAP_OK)
			goto out;
		ids[i] = h.docid;
	}
	qsort(ids, n, sizeof(*ids), docid_cmp);
	st = xap_db_values(db, ids, n, SLOT_STORY, keep_story, &ft);
	ft.fields = schema >= 3;
	for (size_t f = 0; st == XAP_OK && !ft.oom && f < SEARCH_FACETS; f++) {
		ft.f = f;
		ft.sep = facet_slots[f].separator;
		st = xap_db_values(db, ids, n, ft.fields ? SLOT_FACETS : facet_slots[f].slot,
				   tally_value, &ft);
	}
	if (st == XAP_OK && ft.oom)
		st = XAP_NOMEM;
	if (st != XAP_OK)
		goto out;
	/* Documents counted by the spies, minus the versioned ones, plus
	 * their stories. */
	for (size_t f = 0; f < res->n_facets; f++) {
		search_facet *fa = &res->facets[f];

		for (size_t k = 0; k < fa->n; k++) {
			struct tally *t;

			if (facet_key(&ft.key, f, fa->values[k].value,
				      strlen(fa->values[k].value))) {
				st = XAP_NOMEM;
				goto out;
			}
			t = tally_lookup(&ft.items, ft.key.buf, ft.key.len);
			if (t && t->docs <= fa->values[k].count)
				fa->values[k].count += t->stories - t->docs;
		}
		if (fa->n > 1)
			qsort(fa->values, fa->n, sizeof(*fa->values), facet_value_cmp);
	}
out:
	for (size_t i = 0; ft.story && i < n; i++)
		free(ft.story[i]);
	free(ft.story);
	free(ids);
	strbuf_release(&ft.key);
	tally_free(&ft.pairs);
	tally_free(&ft.items);
	xap_results_free(r);
	xap_enquire_free(e);
	xap_query_free(versioned);
	return st;
}

/* One attempt at the whole search. */
static xap_status attempt(xap_db *db, const search_request *req, query *q,
			  search_result *res, char *err, size_t errlen)
{
	xap_query *user = NULL, *full = NULL;
	xap_enquire *e = NULL, *fe = NULL, *spy_e;
	xap_results *r = NULL, *fr = NULL, *spied;
	query_highlight hl;
	unsigned facet_ids[SEARCH_FACETS], story_spy = 0;
	uint32_t doccount = 0, n_versioned = 0;
	unsigned limit = req->count_only ? 0 : req->limit;
	int schema, marked, versions, one_pass, apart, by_date;
	xap_status st;

	if (query_to_xapian(q, db, &req->qopts, &user, err, errlen))
		return XAP_QUERY;
	if ((st = finish_query(req, user, &full)) != XAP_OK)
		goto out;
	if (req->explain && !res->xapian) {
		if ((st = xap_query_describe(full, &res->xapian)) != XAP_OK)
			goto out;
	}
	if ((st = xap_db_doccount(db, &doccount)) != XAP_OK)
		goto out;
	e = xap_enquire_new(db);
	if (!e) {
		st = XAP_NOMEM;
		goto out;
	}
	if ((st = xap_enquire_set_query(e, full)) != XAP_OK)
		goto out;
	if (req->bm25_k1 >= 0 || req->bm25_b >= 0) {
		st = xap_enquire_set_bm25(e, req->bm25_k1 >= 0 ? req->bm25_k1 : 1.0,
					  0, 1, req->bm25_b >= 0 ? req->bm25_b : 0.5,
					  0.5);
		if (st != XAP_OK)
			goto out;
	}
	by_date = req->sort != SORT_RELEVANCE || (!query_ranks(q) && !req->recency_days);
	if (by_date &&
	    (st = xap_enquire_sort_by_value(e, SLOT_DATE, req->sort != SORT_DATE,
					    1)) != XAP_OK)
		goto out;
	/* Xapian's count of collapsed matches is an estimate.  The exact
	 * story count is counted apart (count_stories()).  Facets need every
	 * match seen: an unweighted run of the same query, beside the ranked
	 * one that stops once its page is certain, feeds their spies and a
	 * spy on the story ids, and computes no weight.  A run sorted by date
	 * sees every match anyway, a ranked run of an AND weighs nearly
	 * every match (xap_query_is_conjunction()), and an index that
	 * predates the version marks counts stories by that spy: there one
	 * run over every match counts and feeds the spies.  Without a story
	 * of several versions there is nothing to collapse: documents are
	 * stories. */
	schema = index_schema(db);
	marked = schema >= 2;
	if (marked &&
	    (st = xap_db_termfreq(db, TERM_VERSIONED, &n_versioned)) != XAP_OK)
		goto out;
	versions = !req->all_versions && (!marked || n_versioned);
	one_pass = !marked || (req->facets && by_date) ||
		   (!versions && xap_query_is_conjunction(full));
	apart = req->facets && !one_pass;
	if (versions &&
	    (st = xap_enquire_set_collapse_key(e, SLOT_STORY, 1)) != XAP_OK)
		goto out;
	spy_e = e;
	if (apart) {
		if (!(spy_e = fe = xap_enquire_new(db))) {
			st = XAP_NOMEM;
			goto out;
		}
		if ((st = xap_enquire_set_query(fe, full)) != XAP_OK ||
		    (st = xap_enquire_set_unweighted(fe)) != XAP_OK)
			goto out;
	}
	if (versions && (one_pass || apart) &&
	    (st = xap_enquire_add_distinct(spy_e, SLOT_STORY, &story_spy)) != XAP_OK)
		goto out;
	if (req->facets) {
		if ((st = xap_enquire_set_value_cache(spy_e, req->facet_cache)) != XAP_OK)
			goto out;
		for (size_t i = 0; i < SEARCH_FACETS; i++)
			if ((st = add_facet(spy_e, schema, i, &facet_ids[i])) != XAP_OK)
				goto out;
	}
	if (!doccount)
		doccount = 1;
	st = xap_enquire_run(e, req->offset, limit, one_pass ? doccount : 0, &r);
	if (st == XAP_OK && apart)
		st = xap_enquire_run(fe, 0, 0, doccount, &fr);
	if (st != XAP_OK)
		goto out;
	spied = apart ? fr : r;
	if ((one_pass || apart) && versions)
		st = xap_results_distinct(spied, story_spy, &res->total);
	else if (one_pass || apart || (!versions && xap_results_matches_lower(r) ==
							 xap_results_matches_upper(r)))
		res->total = xap_results_matches(spied); /* every match seen, uncollapsed */
	else
		st = count_stories(db, full, req->all_versions, n_versioned,
				   &res->total);
	if (st != XAP_OK)
		goto out;
	if (query_highlights(q, &hl)) {
		st = XAP_NOMEM;
		goto out;
	}
	res->hits = wire_calloc(xap_results_size(r) + 1, sizeof(*res->hits));
	if (!res->hits) {
		st = XAP_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < xap_results_size(r); i++) {
		search_hit *hit = &res->hits[i];
		xap_hit h;
		xap_doc *doc;

		dispatch_init(&hit->d);
		res->n_hits = i + 1;
		if ((st = xap_results_hit(r, i, &h)) != XAP_OK ||
		    (st = xap_results_document(r, i, &doc)) != XAP_OK)
			goto out;
		hit->rank = h.rank + 1;
		hit->score = h.weight;
		hit->percent = h.percent;
		st = fill_hit(db, req, doc, marked && !n_versioned, hit);
		xap_doc_free(doc);
		if (st != XAP_OK)
			goto out;
	}
	/* Snippets need no database: built after every read, they do not
	 * widen the window in which the writer can overtake this search. */
	for (size_t i = 0; req->snippets && i < res->n_hits; i++)
		if (snippet_build(&res->hits[i].d, &hl, req->snippet_bytes,
				  &res->hits[i].snip)) {
			st = XAP_NOMEM;
			goto out;
		}
	if (req->facets) {
		for (size_t i = 0; i < SEARCH_FACETS; i++) {
			search_facet *f = &res->facets[res->n_facets++];

			f->name = facet_slots[i].name;
			if ((st = xap_results_facets(spied, facet_ids[i], add_facet_value,
						     f)) != XAP_OK)
				goto out;
		}
		/* The spies counted versions; a story counts once (an index
		 * without the version marks keeps the versions' counts). */
		if (versions && marked &&
		    (st = facets_by_story(db, schema, full, n_versioned, res)) != XAP_OK)
			goto out;
	}
	if (!req->count_only && res->total < 5 && query_suggest(q, db, &res->suggestion))
		res->suggestion = NULL; /* a suggestion is a nicety, not a failure */
out:
	if (st != XAP_OK && st != XAP_QUERY && !*err) {
		const char *msg = r ? xap_results_message(r) : "";

		if (!*msg && fr)
			msg = xap_results_message(fr);
		if (!*msg && e)
			msg = xap_enquire_message(e);
		if (!*msg && fe)
			msg = xap_enquire_message(fe);
		if (!*msg)
			msg = xap_db_message(db);
		if (!*msg)
			msg = xap_last_message();
		set_err(err, errlen, "%s", msg);
	}
	xap_results_free(fr);
	xap_results_free(r);
	xap_enquire_free(fe);
	xap_enquire_free(e);
	xap_query_free(full);
	xap_query_free(user);
	return st;
}

/* Xapian says "Wildcard co* expands to more than 1000 terms": say it in
 * our words, naming the query's wildcards as the user wrote them. */
static void wildcard_message(char *err, size_t errlen, const char *text,
			     unsigned max)
{
	strbuf names = STRBUF_INIT;
	unsigned n = 0;

	if (!max)
		max = 1000;
	for (const char *star = text ? strchr(text, '*') : NULL; star;
	     star = strchr(star + 1, '*')) {
		const char *start = star;

		while (start > text && !strchr(" \t(\":", start[-1]))
			start--;
		if (start < star)
			strbuf_addf(&names, "%s'%.*s'", n++ ? ", " : "",
				    (int)(star - start + 1), start);
	}
	if (n == 1)
		set_err(err, errlen, "wildcard %s matches more than %u words: make it longer",
			strbuf_str(&names), max);
	else if (n > 1)
		set_err(err, errlen, "one of the wildcards %s matches more than %u words: make it longer",
			strbuf_str(&names), max);
	else
		set_err(err, errlen, "a wildcard in the query matches more than %u words: make it longer",
			max);
	strbuf_release(&names);
}

enum search_status search_run(xap_db *db, const search_request *req,
			      search_result *res, char *err, size_t errlen)
{
	struct timespec t0, t1;
	query *q = NULL;
	xap_status st;

	memset(res, 0, sizeof(*res));
	err[0] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (req->offset + (unsigned long)req->limit > SEARCH_MAX_DEPTH) {
		set_err(err, errlen, "results past %d are not available (offset %u, limit %u)",
			SEARCH_MAX_DEPTH, req->offset, req->limit);
		return SEARCH_BAD_QUERY;
	}
	if (query_parse(req->query ? req->query : "", &req->qopts, &q, err, errlen))
		return SEARCH_BAD_QUERY;
	if (req->explain) {
		strbuf sb = STRBUF_INIT;

		if (query_describe(q, &sb)) {
			strbuf_release(&sb);
			query_free(q);
			set_err(err, errlen, "out of memory");
			return SEARCH_FAILED;
		}
		res->parsed = strbuf_detach(&sb, NULL);
	}
	for (;;) {
		err[0] = '\0';
		st = attempt(db, req, q, res, err, errlen);
		/* A reader overtaken by the writer mostly hears "modified",
		 * but can also read a reused block and say "corrupt", fail to
		 * read, or miss a document its own match just returned ("not
		 * found"): the same cure, within the same bound. */
		if ((st != XAP_MODIFIED && st != XAP_CORRUPT && st != XAP_IO &&
		     st != XAP_NOT_FOUND) ||
		    res->retries >= SEARCH_RETRIES)
			break;
		/* The writer committed past our revision: start again.  The
		 * reopen itself can be overtaken too: that is one more round. */
		result_reset(res);
		res->retries++;
		st = xap_db_reopen(db);
		if (st == XAP_MODIFIED || st == XAP_CORRUPT || st == XAP_IO)
			continue;
		if (st != XAP_OK) {
			set_err(err, errlen, "cannot reopen the index: %s", xap_db_message(db));
			break;
		}
	}
	query_free(q);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->seconds = (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (st == XAP_WILDCARD)
		wildcard_message(err, errlen, req->query, req->qopts.max_wildcard);
	return st == XAP_QUERY ? SEARCH_BAD_QUERY : status_of(st);
}
