/*
 * test_xap.c - the C bindings to Xapian (common/xap.h), on real glass
 * databases made under a mkdtemp() directory that is removed at the end.
 *
 * Every entry point is called, and every error path we can provoke is:
 * a missing database, a second writer, a reader overtaken by two commits,
 * a term over Xapian's limit, closed and NULL handles, a wildcard past its
 * bound, a corrupted file, an unreachable remote.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h> /* NAN */
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xap.h"

extern char **environ;

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifdef TEST_ASAN
/* Xapian 1.4's Database::check() deletes a GlassTableCheck through a
 * GlassTable pointer, a class without a virtual destructor: harmless (the
 * derived class adds only plain members) but ASan reports it as a
 * new-delete-type-mismatch, so xap_check() needs this under ASan. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "new_delete_type_mismatch=0";
}
#endif

/* Check a status, naming the call and the message on failure. */
#define OK(call)                                                            \
	do {                                                                \
		xap_status ok_st_ = (call);                                 \
		if (ok_st_ != XAP_OK)                                       \
			fail_msg("%s: %s (%s)", #call,                      \
				 xap_status_name(ok_st_), xap_last_message()); \
	} while (0)

#define EXPECT(want, call)                                                  \
	do {                                                                \
		xap_status ex_st_ = (call);                                 \
		if (ex_st_ != (want))                                       \
			fail_msg("%s: got %s, want %s", #call,              \
				 xap_status_name(ex_st_),                   \
				 xap_status_name(want));                    \
	} while (0)

#define SLOT_DATE 0
#define SLOT_STORY 1
#define SLOT_AGENCY 3
#define SLOT_PLACES 4
#define SEP '\x1f'
#define SLOT_FACETS 8
#define SCHEMA_FIELD_SEP '\x1e'

static char tmpdir[64];

/* DIR/NAME into BUF. */
static const char *path_of(char *buf, size_t size, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", tmpdir, name);

	assert_true(n > 0 && (size_t)n < size);
	return buf;
}

static int rm_entry(const char *p, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_xap.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---------------------------------------------------------------------
 * Collectors: callbacks only record (a failed assertion would longjmp
 * through the C++ frames); the test checks afterwards.
 */
struct terms {
	size_t n;
	size_t stop_after; /* 0: never stop */
	char term[64][256];
	uint32_t freq[64];
};

static int collect_term(void *ctx, const char *term, size_t len,
			uint32_t freq)
{
	struct terms *t = ctx;

	if (t->n < 64) {
		if (len > 255)
			len = 255;
		memcpy(t->term[t->n], term, len);
		t->term[t->n][len] = '\0';
		t->freq[t->n] = freq;
	}
	t->n++;
	return t->stop_after && t->n >= t->stop_after;
}

struct ids {
	size_t n;
	size_t stop_after;
	xap_docid id[4096];
};

static int collect_id(void *ctx, xap_docid id)
{
	struct ids *l = ctx;

	if (l->n < 4096)
		l->id[l->n] = id;
	l->n++;
	return l->stop_after && l->n >= l->stop_after;
}

/* ---------------------------------------------------------------------
 * Fixtures.
 */

/* Seconds since the epoch of a UTC date. */
static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm);
}

/* The YYYYMMDDhhmmss text of T. */
static void date_text(int64_t t, char out[15])
{
	time_t tt = (time_t)t;
	struct tm tm;

	assert_non_null(gmtime_r(&tt, &tm));
	assert_int_equal(strftime(out, 15, "%Y%m%d%H%M%S", &tm), 14);
}

struct fixture_doc {
	const char *id;    /* unique term is "Q" + id */
	const char *words; /* body, space separated */
	const char *date;  /* slot 0 */
	const char *story; /* slot 1 */
	const char *agency;
	const char *places; /* joined by SEP */
};

/* A document with positional body words, values and data "doc ID". */
static xap_doc *make_doc(const struct fixture_doc *f)
{
	xap_doc *doc = xap_doc_new();
	char buf[512];
	uint32_t pos = 1;
	const char *p = f->words;

	assert_non_null(doc);
	while (p && *p) {
		size_t len = strcspn(p, " ");

		assert_true(len < sizeof(buf));
		memcpy(buf, p, len);
		buf[len] = '\0';
		OK(xap_doc_add_posting(doc, buf, pos++, 1));
		p += len;
		p += strspn(p, " ");
	}
	snprintf(buf, sizeof(buf), "Q%s", f->id);
	OK(xap_doc_add_boolean_term(doc, buf));
	if (f->date)
		OK(xap_doc_set_value(doc, SLOT_DATE, f->date, strlen(f->date)));
	if (f->story)
		OK(xap_doc_set_value(doc, SLOT_STORY, f->story,
				     strlen(f->story)));
	if (f->agency)
		OK(xap_doc_set_value(doc, SLOT_AGENCY, f->agency,
				     strlen(f->agency)));
	if (f->places)
		OK(xap_doc_set_value(doc, SLOT_PLACES, f->places,
				     strlen(f->places)));
	/* the same two in one value, as fields (schema 3's SLOT_FACETS) */
	if (f->agency || f->places) {
		snprintf(buf, sizeof(buf), "%s%c%s", f->agency ? f->agency : "",
			 SCHEMA_FIELD_SEP, f->places ? f->places : "");
		OK(xap_doc_set_value(doc, SLOT_FACETS, buf, strlen(buf)));
	}
	snprintf(buf, sizeof(buf), "doc %s", f->id);
	OK(xap_doc_set_data(doc, buf, strlen(buf)));
	return doc;
}

static xap_writer *open_writer(const char *name)
{
	char p[256];
	xap_writer *w = xap_writer_new();

	assert_non_null(w);
	EXPECT(XAP_OK, xap_writer_open(w, path_of(p, sizeof(p), name),
				       XAP_WRITER_CREATE | XAP_WRITER_NO_SYNC));
	return w;
}

/* Write DOCS (by unique term) and commit. */
static void write_docs(xap_writer *w, const struct fixture_doc *docs,
		       size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char q[64];
		xap_doc *doc = make_doc(&docs[i]);

		snprintf(q, sizeof(q), "Q%s", docs[i].id);
		OK(xap_writer_replace_by_term(w, q, doc, NULL));
		xap_doc_free(doc);
	}
	OK(xap_writer_commit(w));
}

static xap_db *open_reader(const char *name)
{
	char p[256];
	xap_db *db = xap_db_new();

	assert_non_null(db);
	EXPECT(XAP_OK, xap_db_add(db, path_of(p, sizeof(p), name)));
	return db;
}

/* A wire-like collection: stories, agencies, places, dates. */
static const struct fixture_doc news[] = {
	{ "1", "storm hits kabul", "20250419100000", "s1", "AFP",
	  "Kabul\x1fParis" },
	{ "2", "storm over paris", "20250418100000", "s1", "AFP", "Paris" },
	{ "3", "storm warning paris again", "20250417100000", "s2", "EFE",
	  "Paris\x1fParis" },
	{ "4", "quiet day in madrid", "20250416100000", "s1", "Reuters",
	  NULL },
	{ "5", "storm storm storm", "20250415100000", NULL, "Reuters",
	  "Lima" },
};
#define NEWS_N (sizeof(news) / sizeof(news[0]))

static xap_db *news_db(const char *name)
{
	xap_writer *w = open_writer(name);

	write_docs(w, news, NEWS_N);
	OK(xap_writer_close(w));
	xap_writer_free(w);
	return open_reader(name);
}

static xap_query *term_query(const char *term)
{
	xap_query *q = NULL;

	OK(xap_query_term(term, 1, 0, &q));
	return q;
}

/* Run Q over DB: every match, in order. */
static xap_results *run(xap_enquire *e, const xap_query *q, uint32_t first,
			uint32_t max)
{
	xap_results *r = NULL;

	if (q)
		OK(xap_enquire_set_query(e, q));
	if (xap_enquire_run(e, first, max, 1000, &r) != XAP_OK)
		fail_msg("xap_enquire_run: %s", xap_enquire_message(e));
	assert_non_null(r);
	return r;
}

static xap_docid hit_id(xap_results *r, size_t i)
{
	xap_hit h;

	OK(xap_results_hit(r, i, &h));
	return h.docid;
}

/* ---------------------------------------------------------------------
 * Tests.
 */
static void test_status_names(void **state)
{
	static const char *const names[] = {
		"ok",	   "not found", "locked", "modified",	   "corrupt",
		"version", "query",	"wildcard", "i/o",	   "network",
		"out of memory", "invalid", "internal",
	};

	(void)state;
	for (int st = XAP_OK; st <= XAP_INTERNAL; st++)
		assert_string_equal(xap_status_name((xap_status)st), names[st]);
	assert_string_equal(xap_status_name((xap_status)99), "internal");
	assert_non_null(xap_last_message());
}

static void test_null_handles(void **state)
{
	const void *data;
	size_t len;
	uint32_t u32;
	uint64_t u64;
	xap_docid id;
	char *s;
	int b;
	unsigned fid;
	xap_doc *doc;
	xap_hit hit;
	xap_results *res;
	struct terms t = { 0 };

	(void)state;
	EXPECT(XAP_INVALID, xap_db_add(NULL, "x"));
	assert_true(strlen(xap_last_message()) > 0);
	EXPECT(XAP_INVALID, xap_db_add_remote(NULL, "localhost", 1, 1));
	EXPECT(XAP_INVALID, xap_db_reopen(NULL));
	EXPECT(XAP_INVALID, xap_db_doccount(NULL, &u32));
	EXPECT(XAP_INVALID, xap_db_lastdocid(NULL, &id));
	EXPECT(XAP_INVALID, xap_db_revision(NULL, &u64));
	EXPECT(XAP_INVALID, xap_db_termfreq(NULL, "a", &u32));
	EXPECT(XAP_INVALID, xap_db_collection_freq(NULL, "a", &u64));
	EXPECT(XAP_INVALID, xap_db_postings(NULL, "a", collect_id, NULL));
	EXPECT(XAP_INVALID, xap_db_allterms(NULL, "", collect_term, &t));
	EXPECT(XAP_INVALID, xap_db_get_metadata(NULL, "k", &s, &len));
	EXPECT(XAP_INVALID, xap_db_spelling_suggestion(NULL, "w", 2, &s));
	EXPECT(XAP_INVALID, xap_db_synonyms(NULL, "a", collect_term, &t));
	EXPECT(XAP_INVALID, xap_db_get_document(NULL, 1, &doc));
	assert_string_equal(xap_db_message(NULL), "");
	xap_db_close(NULL);
	xap_db_free(NULL);

	EXPECT(XAP_INVALID, xap_doc_add_posting(NULL, "a", 1, 1));
	EXPECT(XAP_INVALID, xap_doc_add_term(NULL, "a", 1));
	EXPECT(XAP_INVALID, xap_doc_add_boolean_term(NULL, "a"));
	EXPECT(XAP_INVALID, xap_doc_remove_term(NULL, "a"));
	EXPECT(XAP_INVALID, xap_doc_has_term(NULL, "a", &b));
	EXPECT(XAP_INVALID, xap_doc_set_value(NULL, 0, "a", 1));
	EXPECT(XAP_INVALID, xap_doc_set_data(NULL, "a", 1));
	EXPECT(XAP_INVALID, xap_doc_get_data(NULL, &data, &len));
	EXPECT(XAP_INVALID, xap_doc_get_value(NULL, 0, &data, &len));
	EXPECT(XAP_INVALID, xap_doc_terms(NULL, "", collect_term, &t));
	assert_int_equal(xap_doc_id(NULL), 0);
	assert_string_equal(xap_doc_message(NULL), "");
	xap_doc_free(NULL);

	EXPECT(XAP_INVALID, xap_writer_open(NULL, "x", 0));
	EXPECT(XAP_INVALID, xap_writer_begin(NULL));
	EXPECT(XAP_INVALID, xap_writer_commit_transaction(NULL));
	EXPECT(XAP_INVALID, xap_writer_cancel_transaction(NULL));
	EXPECT(XAP_INVALID, xap_writer_commit(NULL));
	EXPECT(XAP_INVALID, xap_writer_replace_by_term(NULL, "Q", NULL, &id));
	EXPECT(XAP_INVALID, xap_writer_replace(NULL, 1, NULL));
	EXPECT(XAP_INVALID, xap_writer_add(NULL, NULL, &id));
	EXPECT(XAP_INVALID, xap_writer_delete_by_term(NULL, "a"));
	EXPECT(XAP_INVALID, xap_writer_delete(NULL, 1));
	EXPECT(XAP_INVALID, xap_writer_set_metadata(NULL, "k", "v", 1));
	EXPECT(XAP_INVALID, xap_writer_add_spelling(NULL, "w", 1));
	EXPECT(XAP_INVALID, xap_writer_add_synonym(NULL, "a", "b"));
	EXPECT(XAP_INVALID, xap_writer_clear_synonyms(NULL, "a"));
	EXPECT(XAP_INVALID, xap_writer_close(NULL));
	assert_null(xap_writer_db(NULL));
	assert_string_equal(xap_writer_message(NULL), "");
	xap_writer_free(NULL);

	EXPECT(XAP_INVALID, xap_query_scale(NULL, 1.0, NULL));
	EXPECT(XAP_INVALID, xap_query_describe(NULL, &s));
	assert_true(xap_query_is_empty(NULL));
	xap_query_free(NULL);

	EXPECT(XAP_INVALID, xap_stem_word(NULL, "running", &s));
	xap_stem_free(NULL);

	assert_null(xap_enquire_new(NULL));
	EXPECT(XAP_INVALID, xap_enquire_set_query(NULL, NULL));
	EXPECT(XAP_INVALID, xap_enquire_set_bm25(NULL, 1, 0, 1, .5, .5));
	EXPECT(XAP_INVALID, xap_enquire_sort_by_value(NULL, 0, 0, 0));
	EXPECT(XAP_INVALID, xap_enquire_sort_by_relevance_then_value(NULL, 0, 0));
	EXPECT(XAP_INVALID, xap_enquire_set_collapse_key(NULL, 0, 1));
	EXPECT(XAP_INVALID, xap_enquire_add_facet(NULL, 0, -1, &fid));
	EXPECT(XAP_INVALID, xap_enquire_run(NULL, 0, 10, 0, &res));
	assert_string_equal(xap_enquire_message(NULL), "");
	xap_enquire_free(NULL);

	assert_int_equal(xap_results_size(NULL), 0);
	assert_int_equal(xap_results_matches(NULL), 0);
	assert_int_equal(xap_results_matches_lower(NULL), 0);
	assert_int_equal(xap_results_matches_upper(NULL), 0);
	assert_int_equal(xap_results_uncollapsed_matches(NULL), 0);
	EXPECT(XAP_INVALID, xap_results_hit(NULL, 0, &hit));
	EXPECT(XAP_INVALID, xap_results_document(NULL, 0, &doc));
	EXPECT(XAP_INVALID, xap_results_matching_terms(NULL, 1, collect_term, &t));
	EXPECT(XAP_INVALID, xap_results_facets(NULL, 0, collect_term, &t));
	assert_string_equal(xap_results_message(NULL), "");
	xap_results_free(NULL);

	EXPECT(XAP_INVALID, xap_compact(NULL, 0, "x", 0, 0));
	EXPECT(XAP_INVALID, xap_check(NULL, NULL));
	assert_int_equal(t.n, 0);
}

static void test_missing_database(void **state)
{
	char p[256], dest[256];
	const char *src[1];
	size_t errors;
	xap_db *db = xap_db_new();
	xap_writer *w = xap_writer_new();

	(void)state;
	assert_non_null(db);
	assert_non_null(w);
	path_of(p, sizeof(p), "no-such-db");
	EXPECT(XAP_NOT_FOUND, xap_db_add(db, p));
	assert_non_null(strstr(xap_db_message(db), "no-such-db"));
	/* the handle is still usable: no database, no documents */
	uint32_t n = 99;
	OK(xap_db_doccount(db, &n));
	assert_int_equal(n, 0);
	assert_string_equal(xap_db_message(db), "");

	EXPECT(XAP_NOT_FOUND, xap_writer_open(w, p, 0));
	assert_true(strlen(xap_writer_message(w)) > 0);
	assert_null(xap_writer_db(w));
	EXPECT(XAP_INVALID, xap_writer_commit(w)); /* never opened */

	src[0] = p;
	EXPECT(XAP_NOT_FOUND,
	       xap_compact(src, 1, path_of(dest, sizeof(dest), "x"), 0, 0));
	assert_non_null(strstr(xap_last_message(), "no-such-db"));
	xap_status st = xap_check(p, &errors);
	assert_true(st == XAP_NOT_FOUND || st == XAP_IO);
	xap_writer_free(w);
	xap_db_free(db);
}

static void test_documents(void **state)
{
	xap_doc *doc = xap_doc_new();
	const void *data;
	size_t len;
	int has;
	struct terms t = { 0 };

	(void)state;
	assert_non_null(doc);
	assert_int_equal(xap_doc_id(doc), 0);
	OK(xap_doc_add_posting(doc, "storm", 1, 1));
	OK(xap_doc_add_posting(doc, "storm", 5, 1));
	OK(xap_doc_add_term(doc, "Sstorm", 3));
	OK(xap_doc_add_boolean_term(doc, "XAafp"));
	OK(xap_doc_add_boolean_term(doc, "XAefe"));
	EXPECT(XAP_INVALID, xap_doc_add_posting(doc, "x", 0, 1));
	assert_true(strlen(xap_doc_message(doc)) > 0);
	EXPECT(XAP_INVALID, xap_doc_add_term(doc, "", 1));
	EXPECT(XAP_INVALID, xap_doc_add_boolean_term(doc, NULL));

	OK(xap_doc_has_term(doc, "storm", &has));
	assert_int_equal(has, 1);
	OK(xap_doc_has_term(doc, "stor", &has));
	assert_int_equal(has, 0);
	OK(xap_doc_remove_term(doc, "XAefe"));
	OK(xap_doc_has_term(doc, "XAefe", &has));
	assert_int_equal(has, 0);
	EXPECT(XAP_NOT_FOUND, xap_doc_remove_term(doc, "XAefe"));
	assert_non_null(strstr(xap_doc_message(doc), "XAefe"));

	/* prefix listing, with wdf */
	OK(xap_doc_terms(doc, "", collect_term, &t));
	assert_int_equal(t.n, 3);
	assert_string_equal(t.term[0], "Sstorm");
	assert_int_equal(t.freq[0], 3);
	assert_string_equal(t.term[1], "XAafp");
	assert_int_equal(t.freq[1], 0);
	assert_string_equal(t.term[2], "storm");
	assert_int_equal(t.freq[2], 2);
	memset(&t, 0, sizeof(t));
	OK(xap_doc_terms(doc, "X", collect_term, &t));
	assert_int_equal(t.n, 1);
	memset(&t, 0, sizeof(t));
	t.stop_after = 1;
	OK(xap_doc_terms(doc, "", collect_term, &t));
	assert_int_equal(t.n, 1);

	/* values and data, binary-safe */
	OK(xap_doc_set_value(doc, 3, "a\0b", 3));
	OK(xap_doc_get_value(doc, 3, &data, &len));
	assert_int_equal(len, 3);
	assert_memory_equal(data, "a\0b", 3);
	OK(xap_doc_get_value(doc, 7, &data, &len));
	assert_int_equal(len, 0);
	OK(xap_doc_set_value(doc, 3, NULL, 0)); /* removes it */
	OK(xap_doc_get_value(doc, 3, &data, &len));
	assert_int_equal(len, 0);
	EXPECT(XAP_INVALID, xap_doc_set_value(doc, 3, NULL, 2));
	OK(xap_doc_set_data(doc, "rec\0ord", 7));
	OK(xap_doc_get_data(doc, &data, &len));
	assert_int_equal(len, 7);
	assert_memory_equal(data, "rec\0ord", 7);
	EXPECT(XAP_INVALID, xap_doc_get_data(doc, NULL, &len));
	xap_doc_free(doc);
}

static void test_write_and_read(void **state)
{
	char p[256];
	xap_writer *w = open_writer("rw");
	xap_db *view = xap_writer_db(w);
	xap_db *db;
	xap_doc *doc;
	xap_docid id = 0, id2 = 0;
	uint32_t n;
	uint64_t u64, rev0, rev1;
	char *s;
	size_t len;
	const void *data;
	struct ids l = { 0 };
	struct terms t = { 0 };

	(void)state;
	assert_non_null(view);
	assert_ptr_equal(xap_writer_db(w), view);
	OK(xap_db_revision(view, &rev0));
	EXPECT(XAP_INVALID, xap_db_add(view, "x")); /* a view takes no more */
	EXPECT(XAP_INVALID, xap_writer_open(w, "x", 0)); /* already open */

	/* add, replace by term, replace by id */
	doc = make_doc(&news[0]);
	OK(xap_writer_add(w, doc, &id));
	assert_int_equal(id, 1);
	xap_doc_free(doc);
	doc = make_doc(&news[1]);
	OK(xap_writer_replace_by_term(w, "Q2", doc, &id2));
	assert_int_equal(id2, 2);
	OK(xap_writer_replace_by_term(w, "Q2", doc, &id2)); /* same doc */
	assert_int_equal(id2, 2);
	xap_doc_free(doc);
	doc = make_doc(&news[2]);
	OK(xap_writer_replace(w, 7, doc));
	xap_doc_free(doc);

	/* the view sees uncommitted changes; a reader does not */
	OK(xap_db_doccount(view, &n));
	assert_int_equal(n, 3);
	OK(xap_db_lastdocid(view, &id));
	assert_int_equal(id, 7);
	db = xap_db_new();
	assert_non_null(db);
	OK(xap_db_add(db, path_of(p, sizeof(p), "rw")));
	OK(xap_db_doccount(db, &n));
	assert_int_equal(n, 0);
	OK(xap_writer_set_metadata(w, "schema", "v1\0x", 4));
	OK(xap_writer_set_metadata(w, "gone", "v", 1));
	OK(xap_writer_commit(w));
	OK(xap_writer_set_metadata(w, "gone", NULL, 0));
	OK(xap_writer_commit(w));
	OK(xap_db_revision(view, &rev1));
	assert_true(rev1 > rev0);
	OK(xap_db_reopen(db));
	OK(xap_db_doccount(db, &n));
	assert_int_equal(n, 3);
	OK(xap_db_revision(db, &u64));
	assert_int_equal(u64, rev1);

	/* frequencies */
	OK(xap_db_termfreq(db, "storm", &n));
	assert_int_equal(n, 3);
	OK(xap_db_termfreq(db, "absent", &n));
	assert_int_equal(n, 0);
	OK(xap_db_collection_freq(db, "paris", &u64));
	assert_int_equal(u64, 2);
	EXPECT(XAP_INVALID, xap_db_termfreq(db, NULL, &n));

	/* postings in docid order, stopping early */
	OK(xap_db_postings(db, "storm", collect_id, &l));
	assert_int_equal(l.n, 3);
	assert_int_equal(l.id[0], 1);
	assert_int_equal(l.id[1], 2);
	assert_int_equal(l.id[2], 7);
	memset(&l, 0, sizeof(l));
	l.stop_after = 2;
	OK(xap_db_postings(db, "storm", collect_id, &l));
	assert_int_equal(l.n, 2);
	EXPECT(XAP_INVALID, xap_db_postings(db, "storm", NULL, NULL));

	/* all terms by prefix, with termfreq */
	OK(xap_db_allterms(db, "Q", collect_term, &t));
	assert_int_equal(t.n, 3);
	assert_string_equal(t.term[0], "Q1");
	assert_string_equal(t.term[2], "Q3");
	assert_int_equal(t.freq[0], 1);
	memset(&t, 0, sizeof(t));
	OK(xap_db_allterms(db, "p", collect_term, &t));
	assert_int_equal(t.n, 1);
	assert_string_equal(t.term[0], "paris");
	assert_int_equal(t.freq[0], 2);

	/* metadata */
	OK(xap_db_get_metadata(db, "schema", &s, &len));
	assert_non_null(s);
	assert_int_equal(len, 4);
	assert_memory_equal(s, "v1\0x", 5);
	free(s);
	OK(xap_db_get_metadata(db, "gone", &s, &len));
	assert_null(s);
	assert_int_equal(len, 0);
	OK(xap_db_get_metadata(db, "never", &s, NULL));
	assert_null(s);
	EXPECT(XAP_INVALID, xap_db_get_metadata(db, "", &s, &len));
	EXPECT(XAP_INVALID, xap_writer_set_metadata(w, "", "v", 1));

	/* documents */
	OK(xap_db_get_document(db, 7, &doc));
	assert_int_equal(xap_doc_id(doc), 7);
	OK(xap_doc_get_data(doc, &data, &len));
	assert_int_equal(len, 5);
	assert_memory_equal(data, "doc 3", 5);
	OK(xap_doc_get_value(doc, SLOT_DATE, &data, &len));
	assert_int_equal(len, 14);
	assert_memory_equal(data, news[2].date, 14);
	xap_doc_free(doc);
	doc = (xap_doc *)1;
	EXPECT(XAP_NOT_FOUND, xap_db_get_document(db, 5, &doc));
	assert_null(doc);
	assert_true(strlen(xap_db_message(db)) > 0);
	EXPECT(XAP_INVALID, xap_db_get_document(db, 0, &doc));

	/* read, modify, write back through the view */
	OK(xap_db_get_document(view, 1, &doc));
	OK(xap_doc_add_boolean_term(doc, "XC"));
	OK(xap_writer_replace(w, 1, doc));
	xap_doc_free(doc);
	OK(xap_db_termfreq(view, "XC", &n));
	assert_int_equal(n, 1);

	/* deletes: a failed one keeps the pending changes */
	EXPECT(XAP_NOT_FOUND, xap_writer_delete(w, 99));
	assert_non_null(strstr(xap_writer_message(w), "99"));
	OK(xap_db_termfreq(view, "XC", &n));
	assert_int_equal(n, 1);
	OK(xap_writer_delete(w, 2));
	OK(xap_writer_delete_by_term(w, "Q3"));
	OK(xap_writer_delete_by_term(w, "Qnone"));
	EXPECT(XAP_INVALID, xap_writer_delete(w, 0));
	OK(xap_db_doccount(view, &n));
	assert_int_equal(n, 1);

	/* close commits */
	OK(xap_writer_close(w));
	OK(xap_writer_close(w)); /* twice is fine */
	assert_null(xap_writer_db(w));
	OK(xap_db_reopen(db));
	OK(xap_db_doccount(db, &n));
	assert_int_equal(n, 1);
	OK(xap_db_termfreq(db, "XC", &n));
	assert_int_equal(n, 1);
	xap_writer_free(w);
	xap_db_free(db);
}

static void test_writer_lock(void **state)
{
	char p[256];
	xap_writer *w = open_writer("lock");
	xap_writer *w2 = xap_writer_new();

	(void)state;
	assert_non_null(w2);
	path_of(p, sizeof(p), "lock");
	EXPECT(XAP_LOCKED, xap_writer_open(w2, p, 0));
	assert_non_null(strstr(xap_writer_message(w2), "lock"));
	EXPECT(XAP_LOCKED, xap_writer_open(w2, p, XAP_WRITER_CREATE));
	/* the lock goes with the first writer's close, even while a search
	 * on its view still holds the database */
	xap_enquire *e = xap_enquire_new(xap_writer_db(w));
	xap_query *q = term_query("a");
	xap_results *r = NULL;
	assert_non_null(e);
	OK(xap_enquire_set_query(e, q));
	xap_query_free(q);
	OK(xap_writer_close(w));
	OK(xap_writer_open(w2, p, XAP_WRITER_WAIT_LOCK | XAP_WRITER_NO_SYNC));
	EXPECT(XAP_INVALID, xap_enquire_run(e, 0, 10, 0, &r));
	assert_null(r);
	xap_enquire_free(e);
	EXPECT(XAP_INVALID, xap_writer_open(w2, p, 0));
	OK(xap_writer_close(w2));
	/* flags: DANGEROUS works on a free database, junk flags do not */
	OK(xap_writer_open(w2, p, XAP_WRITER_DANGEROUS | XAP_WRITER_NO_SYNC));
	OK(xap_writer_close(w2));
	EXPECT(XAP_INVALID, xap_writer_open(w2, p, 1 << 9));
	xap_writer_free(w2);
	xap_writer_free(w);
}

static void test_term_too_long(void **state)
{
	char longterm[300];
	xap_writer *w = open_writer("long");
	xap_db *view = xap_writer_db(w);
	xap_doc *doc;
	uint32_t n;
	int has;

	(void)state;
	memset(longterm, 'x', sizeof(longterm));
	longterm[246] = '\0';

	/* an uncommitted document, which the failure must not take away */
	doc = make_doc(&news[0]);
	OK(xap_writer_add(w, doc, NULL));
	xap_doc_free(doc);

	doc = make_doc(&news[1]);
	OK(xap_doc_add_term(doc, longterm, 1));
	EXPECT(XAP_INVALID, xap_writer_add(w, doc, NULL));
	assert_non_null(strstr(xap_writer_message(w), "too long"));
	EXPECT(XAP_INVALID, xap_writer_replace_by_term(w, "Q2", doc, NULL));
	assert_non_null(strstr(xap_writer_message(w), "too long"));
	EXPECT(XAP_INVALID, xap_writer_replace(w, 1, doc));
	OK(xap_doc_remove_term(doc, longterm));
	EXPECT(XAP_INVALID, xap_writer_replace_by_term(w, longterm, doc, NULL));
	xap_doc_free(doc);
	EXPECT(XAP_INVALID, xap_writer_add_spelling(w, longterm, 1));
	EXPECT(XAP_INVALID, xap_writer_add_synonym(w, longterm, "a"));
	EXPECT(XAP_INVALID, xap_writer_add_synonym(w, "a", longterm));

	/* 245 bytes is still fine */
	longterm[245] = '\0';
	doc = xap_doc_new();
	assert_non_null(doc);
	OK(xap_doc_add_term(doc, longterm, 1));
	OK(xap_writer_add(w, doc, NULL));
	xap_doc_free(doc);

	OK(xap_writer_commit(w));
	OK(xap_db_doccount(view, &n));
	assert_int_equal(n, 2);
	OK(xap_db_termfreq(view, "Q1", &n));
	assert_int_equal(n, 1);
	OK(xap_db_termfreq(view, "Q2", &n));
	assert_int_equal(n, 0);
	OK(xap_db_termfreq(view, longterm, &n));
	assert_int_equal(n, 1);
	OK(xap_db_get_document(view, 1, &doc));
	OK(xap_doc_has_term(doc, "kabul", &has));
	assert_int_equal(has, 1);
	xap_doc_free(doc);
	xap_writer_free(w);
}

static void test_closed_handles(void **state)
{
	xap_db *db = news_db("closed");
	xap_writer *w = open_writer("closed-w");
	xap_db *view = xap_writer_db(w);
	xap_enquire *e = xap_enquire_new(db);
	xap_query *q = term_query("storm");
	xap_results *r = NULL;
	xap_doc *doc = xap_doc_new();
	uint32_t n;

	(void)state;
	assert_non_null(e);
	OK(xap_enquire_set_query(e, q));
	xap_db_close(db);
	EXPECT(XAP_INVALID, xap_db_doccount(db, &n));
	assert_true(strlen(xap_db_message(db)) > 0);
	EXPECT(XAP_INVALID, xap_db_add(db, "x"));
	EXPECT(XAP_INVALID, xap_db_reopen(db));
	EXPECT(XAP_INVALID, xap_db_get_document(db, 1, &doc));
	assert_null(xap_enquire_new(db));
	/* an enquire made before reads the closed database: INVALID too */
	EXPECT(XAP_INVALID, xap_enquire_run(e, 0, 10, 0, &r));
	assert_null(r);
	assert_true(strlen(xap_enquire_message(e)) > 0);
	xap_db_close(db); /* twice is fine */

	/* closing a writer's view detaches it, the writer goes on */
	xap_db_close(view);
	EXPECT(XAP_INVALID, xap_db_doccount(view, &n));
	xap_db_free(view); /* a view is not freed: no-op */
	OK(xap_doc_add_term(doc, "a", 1));
	OK(xap_writer_add(w, doc, NULL));
	view = xap_writer_db(w);
	OK(xap_db_doccount(view, &n));
	assert_int_equal(n, 1);

	OK(xap_writer_close(w));
	EXPECT(XAP_INVALID, xap_writer_add(w, doc, NULL));
	EXPECT(XAP_INVALID, xap_writer_commit(w));
	EXPECT(XAP_INVALID, xap_writer_begin(w));
	EXPECT(XAP_INVALID, xap_writer_set_metadata(w, "k", "v", 1));
	assert_null(xap_writer_db(w));
	xap_doc_free(doc);
	xap_query_free(q);
	xap_enquire_free(e);
	xap_writer_free(w);
	xap_db_free(db);
}

static void test_transactions(void **state)
{
	xap_writer *w = open_writer("txn");
	xap_db *view = xap_writer_db(w);
	xap_doc *doc;
	uint32_t n;

	(void)state;
	EXPECT(XAP_INVALID, xap_writer_commit_transaction(w)); /* none */
	EXPECT(XAP_INVALID, xap_writer_cancel_transaction(w));

	OK(xap_writer_begin(w));
	EXPECT(XAP_INVALID, xap_writer_begin(w)); /* no nesting */
	doc = make_doc(&news[0]);
	OK(xap_writer_add(w, doc, NULL));
	xap_doc_free(doc);
	OK(xap_writer_set_metadata(w, "k", "v", 1));
	EXPECT(XAP_INVALID, xap_writer_commit(w)); /* inside a transaction */
	OK(xap_writer_cancel_transaction(w));
	OK(xap_db_doccount(view, &n));
	assert_int_equal(n, 0);

	OK(xap_writer_begin(w));
	doc = make_doc(&news[1]);
	OK(xap_writer_add(w, doc, NULL));
	xap_doc_free(doc);
	OK(xap_writer_commit_transaction(w));
	OK(xap_db_doccount(view, &n));
	assert_int_equal(n, 1);

	/* a transaction still open at free is lost */
	OK(xap_writer_begin(w));
	doc = make_doc(&news[2]);
	OK(xap_writer_add(w, doc, NULL));
	xap_doc_free(doc);
	xap_writer_free(w);

	xap_db *db = open_reader("txn");
	char *s;
	OK(xap_db_doccount(db, &n));
	assert_int_equal(n, 1);
	OK(xap_db_termfreq(db, "Q2", &n));
	assert_int_equal(n, 1);
	OK(xap_db_get_metadata(db, "k", &s, NULL));
	assert_null(s);
	xap_db_free(db);
}

/* Xapian's databasemodified1: a reader on revision R whose blocks the
 * writer reuses after two more commits gets DatabaseModifiedError. */
static void test_modified(void **state)
{
	enum { N = 2000 };
	xap_writer *w = open_writer("mod");
	xap_db *db = NULL;
	xap_doc *doc;
	xap_enquire *e;
	xap_query *q = term_query("common");
	xap_results *r = NULL;
	struct ids l = { 0 };
	char term[160], q_id[32];
	const void *data;
	size_t len;

	(void)state;
	for (int gen = 0; gen < 3; gen++) {
		for (int i = 1; i <= N; i++) {
			doc = xap_doc_new();
			assert_non_null(doc);
			snprintf(q_id, sizeof(q_id), "Q%d", i);
			snprintf(term, sizeof(term), "%0120d%c", i, 'a' + gen);
			OK(xap_doc_add_term(doc, "common", 1));
			OK(xap_doc_add_term(doc, term, 1));
			OK(xap_doc_add_boolean_term(doc, q_id));
			OK(xap_doc_set_data(doc, term, strlen(term)));
			OK(xap_writer_replace_by_term(w, q_id, doc, NULL));
			xap_doc_free(doc);
		}
		OK(xap_writer_commit(w));
		if (gen == 0)
			db = open_reader("mod"); /* on the first revision */
	}
	e = xap_enquire_new(db);
	assert_non_null(e);
	OK(xap_enquire_set_query(e, q));

	EXPECT(XAP_MODIFIED, xap_db_postings(db, "common", collect_id, &l));
	assert_non_null(strstr(xap_db_message(db), "DatabaseModified"));
	EXPECT(XAP_MODIFIED, xap_enquire_run(e, 0, 10, 0, &r));
	assert_null(r);
	EXPECT(XAP_MODIFIED, xap_db_get_document(db, N / 2, &doc));

	/* reopen and retry */
	OK(xap_db_reopen(db));
	memset(&l, 0, sizeof(l));
	OK(xap_db_postings(db, "common", collect_id, &l));
	assert_int_equal(l.n, N);
	r = run(e, NULL, 0, 10);
	assert_int_equal(xap_results_size(r), 10);
	xap_results_free(r);
	OK(xap_db_get_document(db, N / 2, &doc));
	OK(xap_doc_get_data(doc, &data, &len));
	assert_int_equal(len, 121);
	assert_int_equal(((const char *)data)[120], 'c');
	xap_doc_free(doc);

	xap_enquire_free(e);
	xap_query_free(q);
	xap_db_free(db);
	xap_writer_free(w);
}

static void test_spelling_synonyms(void **state)
{
	xap_writer *w = open_writer("spell");
	xap_db *db;
	char *s;
	struct terms t = { 0 };

	(void)state;
	OK(xap_writer_add_spelling(w, "kabul", 3));
	OK(xap_writer_add_spelling(w, "kabuki", 1));
	OK(xap_writer_add_synonym(w, "un", "united nations"));
	OK(xap_writer_add_synonym(w, "un", "onu"));
	OK(xap_writer_add_synonym(w, "eu", "european union"));
	EXPECT(XAP_INVALID, xap_writer_add_spelling(w, "", 1));
	EXPECT(XAP_INVALID, xap_writer_add_synonym(w, "un", ""));
	OK(xap_writer_commit(w));
	db = open_reader("spell");

	OK(xap_db_spelling_suggestion(db, "kabol", 2, &s));
	assert_non_null(s);
	assert_string_equal(s, "kabul");
	free(s);
	OK(xap_db_spelling_suggestion(db, "kabul", 2, &s)); /* known word */
	assert_null(s);
	OK(xap_db_spelling_suggestion(db, "zzzzzz", 1, &s));
	assert_null(s);

	OK(xap_db_synonyms(db, "un", collect_term, &t));
	assert_int_equal(t.n, 2);
	assert_string_equal(t.term[0], "onu");
	assert_string_equal(t.term[1], "united nations");
	memset(&t, 0, sizeof(t));
	OK(xap_db_synonyms(db, "none", collect_term, &t));
	assert_int_equal(t.n, 0);

	OK(xap_writer_clear_synonyms(w, "un"));
	OK(xap_writer_commit(w));
	OK(xap_db_reopen(db));
	OK(xap_db_synonyms(db, "un", collect_term, &t));
	assert_int_equal(t.n, 0);
	OK(xap_db_synonyms(db, "eu", collect_term, &t));
	assert_int_equal(t.n, 1);
	xap_db_free(db);
	xap_writer_free(w);
}

static void test_queries(void **state)
{
	static const struct {
		xap_op op;
		const char *word;
		uint32_t window;
	} ops[] = {
		{ XAP_OP_AND, "AND", 0 },
		{ XAP_OP_OR, "OR", 0 },
		{ XAP_OP_AND_NOT, "AND_NOT", 0 },
		{ XAP_OP_AND_MAYBE, "AND_MAYBE", 0 },
		{ XAP_OP_FILTER, "FILTER", 0 },
		{ XAP_OP_PHRASE, "PHRASE 2", 0 },
		{ XAP_OP_NEAR, "NEAR 5", 5 },
		{ XAP_OP_SYNONYM, "SYNONYM", 0 },
		{ XAP_OP_ELITE_SET, "ELITE_SET 1", 1 },
	};
	xap_db *db = news_db("queries");
	xap_enquire *e = xap_enquire_new(db);
	xap_query *subs[3], *q, *q2;
	xap_results *r;
	char *s;

	(void)state;
	assert_non_null(e);
	subs[0] = term_query("storm");
	subs[1] = term_query("paris");
	OK(xap_query_describe(subs[0], &s));
	assert_string_equal(s, "Query(storm)");
	free(s);
	assert_false(xap_query_is_empty(subs[0]));

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		OK(xap_query_combine(ops[i].op, subs, 2, ops[i].window, &q));
		OK(xap_query_describe(q, &s));
		if (!strstr(s, ops[i].word))
			fail_msg("%s lacks %s", s, ops[i].word);
		free(s);
		xap_query_free(q);
	}
	q = (xap_query *)1;
	EXPECT(XAP_INVALID, xap_query_combine((xap_op)42, subs, 2, 0, &q));
	assert_null(q);
	assert_non_null(strstr(xap_last_message(), "operator"));
	subs[2] = NULL;
	EXPECT(XAP_INVALID, xap_query_combine(XAP_OP_OR, subs, 3, 0, &q));
	OK(xap_query_combine(XAP_OP_OR, NULL, 0, 0, &q));
	assert_true(xap_query_is_empty(q));
	xap_query_free(q);
	EXPECT(XAP_INVALID, xap_query_term("", 1, 0, &q));
	EXPECT(XAP_INVALID, xap_query_term(NULL, 1, 0, &q));

	/* running them */
	OK(xap_query_combine(XAP_OP_AND, subs, 2, 0, &q));
	r = run(e, q, 0, 10);
	assert_int_equal(xap_results_size(r), 2); /* docs 2 and 3 */
	xap_results_free(r);
	xap_query_free(q);
	OK(xap_query_combine(XAP_OP_AND_NOT, subs, 2, 0, &q));
	r = run(e, q, 0, 10);
	assert_int_equal(xap_results_size(r), 2); /* docs 1 and 5 */
	xap_results_free(r);
	xap_query_free(q);
	q = term_query("over");
	subs[2] = q;
	OK(xap_query_combine(XAP_OP_PHRASE, subs + 2, 1, 0, &q2));
	xap_query_free(q2);
	xap_query_free(q);
	subs[2] = term_query("hits");
	OK(xap_query_combine(XAP_OP_PHRASE, subs, 3, 0, &q)); /* storm paris hits */
	r = run(e, q, 0, 10);
	assert_int_equal(xap_results_size(r), 0);
	xap_results_free(r);
	xap_query_free(q);
	{
		xap_query *ph[2] = { subs[0], subs[2] }; /* "storm hits" */
		OK(xap_query_combine(XAP_OP_PHRASE, ph, 2, 0, &q));
		r = run(e, q, 0, 10);
		assert_int_equal(xap_results_size(r), 1);
		assert_int_equal(hit_id(r, 0), 1);
		xap_results_free(r);
		xap_query_free(q);
	}

	/* scale */
	OK(xap_query_scale(subs[0], 2.5, &q));
	OK(xap_query_describe(q, &s));
	assert_non_null(strstr(s, "2.5"));
	free(s);
	xap_query_free(q);
	EXPECT(XAP_INVALID, xap_query_scale(subs[0], -1, &q));
	EXPECT(XAP_INVALID, xap_query_scale(subs[0], NAN, &q));

	/* all / none */
	OK(xap_query_all(&q));
	assert_false(xap_query_is_empty(q));
	r = run(e, q, 0, 10);
	assert_int_equal(xap_results_size(r), NEWS_N);
	xap_results_free(r);
	xap_query_free(q);
	OK(xap_query_none(&q));
	assert_true(xap_query_is_empty(q));
	r = run(e, q, 0, 10);
	assert_int_equal(xap_results_size(r), 0);
	xap_results_free(r);
	xap_query_free(q);

	/* value ranges, bytewise, inclusive */
	OK(xap_query_value_range(SLOT_DATE, "20250416100000", "20250418100000",
				 &q));
	r = run(e, q, 0, 10);
	assert_int_equal(xap_results_size(r), 3);
	xap_results_free(r);
	xap_query_free(q);
	OK(xap_query_value_range(SLOT_DATE, "20250418", NULL, &q));
	r = run(e, q, 0, 10);
	assert_int_equal(xap_results_size(r), 2);
	xap_results_free(r);
	xap_query_free(q);
	OK(xap_query_value_range(SLOT_DATE, NULL, "20250415999999", &q));
	r = run(e, q, 0, 10);
	assert_int_equal(xap_results_size(r), 1);
	assert_int_equal(hit_id(r, 0), 5);
	xap_results_free(r);
	xap_query_free(q);
	OK(xap_query_value_range(SLOT_DATE, NULL, NULL, &q));
	xap_query_free(q);

	for (int i = 0; i < 3; i++)
		xap_query_free(subs[i]);
	xap_enquire_free(e);
	xap_db_free(db);
}

static void test_wildcard(void **state)
{
	xap_db *db = news_db("wild");
	xap_enquire *e = xap_enquire_new(db);
	xap_query *q;
	xap_results *r = NULL;
	char *s;

	(void)state;
	/* Q1 .. Q5: five terms */
	OK(xap_query_wildcard("Q", 5, &q));
	OK(xap_query_describe(q, &s));
	assert_non_null(strstr(s, "WILDCARD"));
	free(s);
	r = run(e, q, 0, 10);
	assert_int_equal(xap_results_size(r), NEWS_N);
	xap_results_free(r);
	xap_query_free(q);

	OK(xap_query_wildcard("Q", 4, &q));
	OK(xap_enquire_set_query(e, q));
	r = NULL;
	EXPECT(XAP_WILDCARD, xap_enquire_run(e, 0, 10, 0, &r));
	assert_null(r);
	assert_true(strlen(xap_enquire_message(e)) > 0);
	xap_query_free(q);

	OK(xap_query_wildcard("Q", 0, &q)); /* no bound */
	r = run(e, q, 0, 10);
	assert_int_equal(xap_results_size(r), NEWS_N);
	xap_results_free(r);
	xap_query_free(q);
	EXPECT(XAP_INVALID, xap_query_wildcard(NULL, 0, &q));
	xap_enquire_free(e);
	xap_db_free(db);
}

static void test_ranking(void **state)
{
	xap_db *db = news_db("rank");
	xap_enquire *e = xap_enquire_new(db);
	xap_query *storm = term_query("storm"), *kabul = term_query("kabul");
	xap_query *subs[2] = { storm, kabul }, *q;
	xap_results *r;
	xap_hit h;
	xap_doc *doc;
	const void *data;
	size_t len;
	struct terms t = { 0 };

	(void)state;
	assert_non_null(e);
	EXPECT(XAP_INVALID, xap_enquire_set_query(e, NULL));
	/* no query yet: nothing */
	r = run(e, NULL, 0, 10);
	assert_int_equal(xap_results_size(r), 0);
	xap_results_free(r);

	/* relevance: doc 5 says storm three times */
	r = run(e, storm, 0, 10);
	assert_int_equal(xap_results_size(r), 4);
	assert_int_equal(xap_results_matches(r), 4);
	assert_int_equal(xap_results_matches_lower(r), 4);
	assert_int_equal(xap_results_matches_upper(r), 4);
	assert_int_equal(xap_results_uncollapsed_matches(r), 4);
	OK(xap_results_hit(r, 0, &h));
	assert_int_equal(h.docid, 5);
	assert_int_equal(h.rank, 0);
	assert_int_equal(h.percent, 100);
	assert_true(h.weight > 0);
	assert_int_equal(h.collapse_count, 0);
	EXPECT(XAP_INVALID, xap_results_hit(r, 4, &h));
	assert_true(strlen(xap_results_message(r)) > 0);
	OK(xap_results_document(r, 0, &doc));
	OK(xap_doc_get_data(doc, &data, &len));
	assert_int_equal(len, 5);
	assert_memory_equal(data, "doc 5", 5);
	xap_doc_free(doc);
	EXPECT(XAP_INVALID, xap_results_document(r, 9, &doc));
	xap_results_free(r);

	/* a page further down: ranks count from the whole set */
	r = run(e, NULL, 2, 10);
	assert_int_equal(xap_results_size(r), 2);
	OK(xap_results_hit(r, 0, &h));
	assert_int_equal(h.rank, 2);
	xap_results_free(r);

	/* matching terms of a hit; the results outlive a new query */
	OK(xap_query_combine(XAP_OP_OR, subs, 2, 0, &q));
	r = run(e, q, 0, 10);
	OK(xap_enquire_set_query(e, kabul));
	OK(xap_results_matching_terms(r, 1, collect_term, &t));
	assert_int_equal(t.n, 2);
	assert_string_equal(t.term[0], "kabul");
	assert_int_equal(t.freq[0], 1);
	assert_string_equal(t.term[1], "storm");
	assert_int_equal(t.freq[1], 4);
	memset(&t, 0, sizeof(t));
	OK(xap_results_matching_terms(r, 4, collect_term, &t));
	assert_int_equal(t.n, 0);
	EXPECT(XAP_INVALID, xap_results_matching_terms(r, 1, NULL, NULL));
	xap_results_free(r);
	xap_query_free(q);

	/* BM25 parameters: k1 = 0 makes wdf irrelevant, then ties by docid */
	OK(xap_enquire_set_bm25(e, 0, 0, 1, 0.5, 0.5));
	r = run(e, storm, 0, 10);
	OK(xap_results_hit(r, 0, &h));
	assert_int_equal(h.docid, 1);
	xap_results_free(r);
	EXPECT(XAP_INVALID, xap_enquire_set_bm25(e, -1, 0, 1, 0.5, 0.5));
	EXPECT(XAP_INVALID, xap_enquire_set_bm25(e, 1, 0, 1, 1.5, 0.5));
	OK(xap_enquire_set_bm25(e, 1, 0, 1, 0.5, 0.5));

	/* sort by date, both ways */
	OK(xap_enquire_sort_by_value(e, SLOT_DATE, 0, 0));
	r = run(e, storm, 0, 10);
	assert_int_equal(hit_id(r, 0), 5);
	assert_int_equal(hit_id(r, 3), 1);
	xap_results_free(r);
	OK(xap_enquire_sort_by_value(e, SLOT_DATE, 1, 1));
	r = run(e, storm, 0, 10);
	assert_int_equal(hit_id(r, 0), 1);
	assert_int_equal(hit_id(r, 1), 2);
	assert_int_equal(hit_id(r, 3), 5);
	xap_results_free(r);
	/* relevance, ties by agency descending: 1 and 2 tie (AFP), 3 EFE */
	OK(xap_enquire_set_bm25(e, 0, 0, 1, 0.5, 0.5));
	OK(xap_enquire_sort_by_relevance_then_value(e, SLOT_AGENCY, 1));
	r = run(e, storm, 0, 10);
	assert_int_equal(hit_id(r, 0), 5); /* Reuters */
	assert_int_equal(hit_id(r, 1), 3); /* EFE */
	xap_results_free(r);
	EXPECT(XAP_INVALID, xap_enquire_sort_by_value(e, 0xffffffffu, 0, 0));

	xap_query_free(storm);
	xap_query_free(kabul);
	xap_enquire_free(e);
	xap_db_free(db);
}

static void test_collapse(void **state)
{
	xap_db *db = news_db("collapse");
	xap_enquire *e = xap_enquire_new(db);
	xap_query *all;
	xap_results *r;
	xap_hit h;
	uint32_t collapsed = 0;

	(void)state;
	OK(xap_query_all(&all));
	/* stories: s1 = {1, 2, 4}, s2 = {3}, none = {5} */
	OK(xap_enquire_set_collapse_key(e, SLOT_STORY, 1));
	r = run(e, all, 0, 10);
	assert_int_equal(xap_results_size(r), 3);
	assert_int_equal(xap_results_matches(r), 3);
	assert_int_equal(xap_results_uncollapsed_matches(r), 5);
	for (size_t i = 0; i < xap_results_size(r); i++) {
		OK(xap_results_hit(r, i, &h));
		if (h.docid == 1 || h.docid == 2 || h.docid == 4)
			collapsed = h.collapse_count;
	}
	assert_int_equal(collapsed, 2);
	xap_results_free(r);

	OK(xap_enquire_set_collapse_key(e, SLOT_STORY, 2));
	r = run(e, all, 0, 10);
	assert_int_equal(xap_results_size(r), 4);
	xap_results_free(r);
	OK(xap_enquire_set_collapse_key(e, SLOT_STORY, 0)); /* off */
	r = run(e, all, 0, 10);
	assert_int_equal(xap_results_size(r), 5);
	xap_results_free(r);
	xap_query_free(all);
	xap_enquire_free(e);
	xap_db_free(db);
}

/* A and B hold the same items with the same counts, in the same order. */
static void same_terms(const struct terms *a, const struct terms *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_string_equal(a->term[i], b->term[i]);
		assert_int_equal(a->freq[i], b->freq[i]);
	}
}

/* The counts of facets A and B of R are the same, item for item. */
static void same_facets(xap_results *r, unsigned a, unsigned b)
{
	static struct terms ta, tb;

	memset(&ta, 0, sizeof(ta));
	memset(&tb, 0, sizeof(tb));
	OK(xap_results_facets(r, a, collect_term, &ta));
	OK(xap_results_facets(r, b, collect_term, &tb));
	same_terms(&ta, &tb);
}

static void test_facets(void **state)
{
	xap_db *db = news_db("facets");
	xap_enquire *e = xap_enquire_new(db);
	xap_query *q = term_query("storm");
	xap_results *r;
	unsigned agency, places, missing, agency_f, places_f, third_f, whole_f;
	struct terms t = { 0 };

	(void)state;
	OK(xap_enquire_add_facet(e, SLOT_AGENCY, -1, &agency));
	OK(xap_enquire_add_facet(e, SLOT_PLACES, SEP, &places));
	OK(xap_enquire_add_facet(e, 9, -1, &missing));
	assert_int_equal(agency, 0);
	assert_int_equal(places, 1);
	EXPECT(XAP_INVALID, xap_enquire_add_facet(e, 1, 300, &missing));
	/* the same facets as fields of one slot, a field no value has, and
	 * the whole value beside them on the same slot */
	OK(xap_enquire_add_facet_field(e, SLOT_FACETS, SCHEMA_FIELD_SEP, 0, -1, &agency_f));
	OK(xap_enquire_add_facet_field(e, SLOT_FACETS, SCHEMA_FIELD_SEP, 1, SEP, &places_f));
	OK(xap_enquire_add_facet_field(e, SLOT_FACETS, SCHEMA_FIELD_SEP, 2, -1, &third_f));
	OK(xap_enquire_add_facet(e, SLOT_FACETS, -1, &whole_f));
	EXPECT(XAP_INVALID, xap_enquire_add_facet_field(e, SLOT_FACETS, -1, 0, -1, &third_f));
	EXPECT(XAP_INVALID, xap_enquire_add_facet_field(e, SLOT_FACETS, 256, 0, -1, &third_f));
	EXPECT(XAP_INVALID, xap_enquire_add_facet_field(e, SLOT_FACETS, 30, 0, 300, &third_f));
	EXPECT(XAP_INVALID, xap_enquire_add_facet_field(e, SLOT_FACETS, 30, 0, -1, NULL));
	EXPECT(XAP_INVALID, xap_enquire_add_facet_field(NULL, SLOT_FACETS, 30, 0, -1, &third_f));

	/* a page of one, counts over the four matches */
	OK(xap_enquire_set_query(e, q));
	for (int pass = 0; pass < 2; pass++) { /* a rerun counts afresh */
		r = NULL;
		OK(xap_enquire_run(e, 0, 1, 5, &r));
		assert_int_equal(xap_results_size(r), 1);

		memset(&t, 0, sizeof(t));
		OK(xap_results_facets(r, agency, collect_term, &t));
		assert_int_equal(t.n, 3);
		assert_string_equal(t.term[0], "AFP");
		assert_int_equal(t.freq[0], 2);
		assert_string_equal(t.term[1], "EFE");
		assert_int_equal(t.freq[1], 1);
		assert_string_equal(t.term[2], "Reuters");
		assert_int_equal(t.freq[2], 1);

		/* Paris thrice (once in "Paris\x1fParis"), then ties by name */
		memset(&t, 0, sizeof(t));
		OK(xap_results_facets(r, places, collect_term, &t));
		assert_int_equal(t.n, 3);
		assert_string_equal(t.term[0], "Paris");
		assert_int_equal(t.freq[0], 3);
		assert_string_equal(t.term[1], "Kabul");
		assert_int_equal(t.freq[1], 1);
		assert_string_equal(t.term[2], "Lima");
		assert_int_equal(t.freq[2], 1);

		/* fields of one value count as their own slots */
		same_facets(r, agency, agency_f);
		same_facets(r, places, places_f);
		memset(&t, 0, sizeof(t));
		OK(xap_results_facets(r, third_f, collect_term, &t));
		assert_int_equal(t.n, 0);
		/* the whole values: AFP with Kabul and Paris, AFP with Paris,
		 * EFE with Paris twice, Reuters with Lima */
		memset(&t, 0, sizeof(t));
		OK(xap_results_facets(r, whole_f, collect_term, &t));
		assert_int_equal(t.n, 4);
		for (size_t i = 0; i < t.n; i++)
			assert_int_equal(t.freq[i], 1);

		memset(&t, 0, sizeof(t));
		OK(xap_results_facets(r, missing, collect_term, &t));
		assert_int_equal(t.n, 0);
		t.stop_after = 1;
		OK(xap_results_facets(r, agency, collect_term, &t));
		assert_int_equal(t.n, 1);
		EXPECT(XAP_INVALID, xap_results_facets(r, 7, collect_term, &t));
		xap_results_free(r);
	}
	xap_query_free(q);
	xap_enquire_free(e);
	xap_db_free(db);
}

/* The facets of Q over DB, counted through CACHE (or not, NULL): agency
 * and places from their own slots and as fields of SLOT_FACETS, into
 * OUT[0..3]. */
static void facets_through(xap_db *db, xap_value_cache *cache, const xap_query *q,
			   struct terms out[4])
{
	xap_enquire *e = xap_enquire_new(db);
	xap_results *r;
	unsigned id[4];

	assert_non_null(e);
	OK(xap_enquire_set_value_cache(e, cache));
	OK(xap_enquire_add_facet(e, SLOT_AGENCY, -1, &id[0]));
	OK(xap_enquire_add_facet(e, SLOT_PLACES, SEP, &id[1]));
	OK(xap_enquire_add_facet_field(e, SLOT_FACETS, SCHEMA_FIELD_SEP, 0, -1, &id[2]));
	OK(xap_enquire_add_facet_field(e, SLOT_FACETS, SCHEMA_FIELD_SEP, 1, SEP, &id[3]));
	r = run(e, q, 0, 1);
	for (int i = 0; i < 4; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		OK(xap_results_facets(r, id[i], collect_term, &out[i]));
	}
	xap_results_free(r);
	xap_enquire_free(e);
}

/* Facets counted through CACHE over DB equal those counted without it,
 * for every query of the news collection's words; the agency counts of
 * "storm" go into STORM. */
static void cached_facets_equal(xap_db *db, xap_value_cache *cache,
				struct terms *storm)
{
	static const char *const words[] = { "storm", "paris", "quiet", "kabul" };
	struct terms with[4], without[4];

	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		xap_query *q = term_query(words[w]);

		facets_through(db, cache, q, with);
		facets_through(db, NULL, q, without);
		for (int i = 0; i < 4; i++)
			same_terms(&with[i], &without[i]);
		if (w == 0)
			*storm = with[0];
		xap_query_free(q);
	}
}

/* Value columns: the same counts as reading each match's value; built
 * once per slot and database revision; built again after a commit; never
 * for shards, remote databases (test_remote) or more documents than the
 * cache takes. */
static void test_value_cache(void **state)
{
	static const struct fixture_doc more[] = {
		{ "6", "storm again", "20250420100000", "s3", "AP", "Quito" },
		{ "1", "storm hits kabul", "20250419100000", "s1", "EFE", "Kabul" },
	};
	xap_value_cache *cache = xap_value_cache_new(1000), *tiny;
	xap_db *db = news_db("vcache"), *shards, *other;
	xap_writer *w;
	struct terms storm;
	char p[256];

	(void)state;
	assert_non_null(cache);
	assert_int_equal(xap_value_cache_builds(cache), 0);
	assert_int_equal(xap_value_cache_builds(NULL), 0);
	EXPECT(XAP_INVALID, xap_enquire_set_value_cache(NULL, cache));
	cached_facets_equal(db, cache, &storm);
	/* one column per slot (agency, places, facets), used by every query */
	assert_int_equal(xap_value_cache_builds(cache), 3);
	assert_int_equal(storm.n, 3);
	assert_string_equal(storm.term[0], "AFP");
	assert_int_equal(storm.freq[0], 2);
	cached_facets_equal(db, cache, &storm);
	assert_int_equal(xap_value_cache_builds(cache), 3);

	/* a commit: a new story, and story 1 moved to EFE (its document
	 * replaced under the same id): the columns are built again */
	w = xap_writer_new();
	assert_non_null(w);
	OK(xap_writer_open(w, path_of(p, sizeof(p), "vcache"), XAP_WRITER_NO_SYNC));
	write_docs(w, more, 2);
	OK(xap_writer_close(w));
	xap_writer_free(w);
	xap_db_free(db);
	db = open_reader("vcache");
	cached_facets_equal(db, cache, &storm);
	assert_int_equal(xap_value_cache_builds(cache), 6);
	/* storm: AFP 1 (doc 2), EFE 2 (docs 1, 3), AP 1, Reuters 1 */
	assert_int_equal(storm.n, 4);
	assert_string_equal(storm.term[0], "EFE");
	assert_int_equal(storm.freq[0], 2);

	/* too many documents for the cache: counted as without it */
	tiny = xap_value_cache_new(3);
	assert_non_null(tiny);
	cached_facets_equal(db, tiny, &storm);
	assert_int_equal(xap_value_cache_builds(tiny), 0);
	xap_value_cache_free(tiny);

	/* two indexes served in turn: each keeps its columns */
	xap_db_free(news_db("vcache2"));
	other = open_reader("vcache2");
	cached_facets_equal(other, cache, &storm);
	assert_int_equal(xap_value_cache_builds(cache), 9);
	cached_facets_equal(db, cache, &storm);
	cached_facets_equal(other, cache, &storm);
	assert_int_equal(xap_value_cache_builds(cache), 9);
	/* a cache with room for about one index's columns: the older go,
	 * the counts stay right (and a column dropped during a run is still
	 * read by that run: ASan) */
	tiny = xap_value_cache_new(7);
	assert_non_null(tiny);
	for (int round = 0; round < 3; round++) {
		cached_facets_equal(db, tiny, &storm);
		cached_facets_equal(other, tiny, &storm);
	}
	assert_true(xap_value_cache_builds(tiny) > 6);
	xap_value_cache_free(tiny);
	xap_db_free(other);

	/* two databases in one handle: no columns */
	shards = open_reader("vcache");
	OK(xap_db_add(shards, path_of(p, sizeof(p), "vcache2")));
	cached_facets_equal(shards, cache, &storm);
	assert_int_equal(xap_value_cache_builds(cache), 9);
	xap_db_free(shards);

	xap_value_cache_free(cache);
	xap_value_cache_free(NULL);
	xap_db_free(db);
}

static void test_recency(void **state)
{
	const int64_t now = utc(2025, 4, 19, 12, 0, 0);
	static const int ages[] = { 100, 1, 10, -3 }; /* days; -3: future */
	char dates[4][15];
	struct fixture_doc docs[5];
	xap_writer *w = open_writer("recency");
	xap_db *db;
	xap_enquire *e;
	xap_query *storm = term_query("storm"), *rec, *q, *subs[2];
	xap_results *r;
	xap_hit h[4];
	char *s;

	(void)state;
	memset(docs, 0, sizeof(docs));
	for (int i = 0; i < 4; i++) {
		date_text(now - (int64_t)ages[i] * 86400, dates[i]);
		docs[i].id = i == 0 ? "a" : i == 1 ? "b" : i == 2 ? "c" : "d";
		docs[i].words = "storm news";
		docs[i].date = dates[i];
	}
	docs[4].id = "e"; /* no date: no boost, still matched */
	docs[4].words = "storm news";
	docs[4].date = "garbage";
	write_docs(w, docs, 5);
	xap_writer_free(w);
	db = open_reader("recency");
	e = xap_enquire_new(db);

	OK(xap_query_recency(SLOT_DATE, now, 7.0, 10.0, &rec));
	OK(xap_query_describe(rec, &s));
	assert_non_null(strstr(s, "RecencySource"));
	free(s);
	subs[0] = storm;
	subs[1] = rec;
	OK(xap_query_combine(XAP_OP_AND_MAYBE, subs, 2, 0, &q));
	r = run(e, q, 0, 10);
	assert_int_equal(xap_results_size(r), 5);
	for (int i = 0; i < 4; i++)
		OK(xap_results_hit(r, (size_t)i, &h[i]));
	/* future (clamped to now), 1 day, 10 days, 100 days */
	assert_int_equal(h[0].docid, 4);
	assert_int_equal(h[1].docid, 2);
	assert_int_equal(h[2].docid, 3);
	assert_int_equal(h[3].docid, 1);
	assert_int_equal(hit_id(r, 4), 5);
	{
		xap_hit last;
		double base;

		OK(xap_results_hit(r, 4, &last));
		base = last.weight;
		assert_float_equal(h[0].weight - base, 10.0, 1e-6);
		/* 10 * 2^(-1/7), 10 * 2^(-10/7), 10 * 2^(-100/7) */
		assert_float_equal(h[1].weight - base, 9.057236642639067, 1e-6);
		assert_float_equal(h[2].weight - base, 3.7149857228423713, 1e-6);
		assert_float_equal(h[3].weight - base, 0.0005006929663132553,
				   1e-6);
	}
	xap_results_free(r);
	/* the Query owns the source: freeing the handles in any order */
	xap_query_free(rec);
	r = run(e, q, 0, 10);
	assert_int_equal(hit_id(r, 0), 4);
	xap_results_free(r);
	xap_query_free(q);

	EXPECT(XAP_INVALID, xap_query_recency(SLOT_DATE, now, 0, 1, &rec));
	EXPECT(XAP_INVALID, xap_query_recency(SLOT_DATE, now, 7, -1, &rec));
	assert_non_null(strstr(xap_last_message(), "weight"));
	xap_query_free(storm);
	xap_enquire_free(e);
	xap_db_free(db);
}

static void test_stem(void **state)
{
	static const struct {
		const char *lang, *word, *stem;
	} cases[] = {
		{ "en", "running", "run" },	{ "english", "storms", "storm" },
		{ "English", "flooding", "flood" }, { "es", "tormentas", "torment" },
		{ "fr", "inondations", "inond" }, { "de", "überschwemmungen", "uberschwemm" },
		{ "pt", "tempestades", "tempestad" }, { "it", "tempeste", "tempest" },
		{ "none", "running", "running" },
	};
	xap_stem *st;
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		OK(xap_stem_new(cases[i].lang, &st));
		OK(xap_stem_word(st, cases[i].word, &s));
		if (strcmp(s, cases[i].stem) != 0)
			fail_msg("%s: %s -> %s, want %s", cases[i].lang,
				 cases[i].word, s, cases[i].stem);
		free(s);
		xap_stem_free(st);
	}
	st = (xap_stem *)1;
	EXPECT(XAP_NOT_FOUND, xap_stem_new("klingon", &st));
	assert_null(st);
	assert_non_null(strstr(xap_last_message(), "klingon"));
	EXPECT(XAP_INVALID, xap_stem_new(NULL, &st));
	OK(xap_stem_new("en", &st));
	EXPECT(XAP_INVALID, xap_stem_word(st, NULL, &s));
	xap_stem_free(st);
}

static void test_stub_and_remote_failure(void **state)
{
	char stub[256], a[256];
	FILE *f;
	xap_db *db;
	xap_db *a_db, *b_db;
	uint32_t n;
	uint64_t rev;
	int sock;
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);

	(void)state;
	a_db = news_db("stub-a");
	b_db = news_db("stub-b");
	xap_db_free(a_db);
	xap_db_free(b_db);
	f = fopen(path_of(stub, sizeof(stub), "stub"), "w");
	assert_non_null(f);
	fputs("auto stub-a\nauto stub-b\n", f);
	assert_int_equal(fclose(f), 0);

	db = xap_db_new();
	OK(xap_db_add(db, stub));
	OK(xap_db_doccount(db, &n));
	assert_int_equal(n, 2 * NEWS_N);
	OK(xap_db_revision(db, &rev)); /* a stub of two: no one revision */
	assert_int_equal(rev, 0);
	/* xap_db_add() merges too: the first database gives the revision */
	xap_db_free(db);
	db = xap_db_new();
	OK(xap_db_add(db, path_of(a, sizeof(a), "stub-a")));
	OK(xap_db_add(db, stub));
	OK(xap_db_doccount(db, &n));
	assert_int_equal(n, 3 * NEWS_N);
	OK(xap_db_revision(db, &rev));
	assert_true(rev > 0);
	OK(xap_db_termfreq(db, "kabul", &n));
	assert_int_equal(n, 3);

	/* a port nobody listens on */
	sock = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(sock >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(sock, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(sock, (struct sockaddr *)&sin, &slen), 0);
	close(sock);
	EXPECT(XAP_NETWORK,
	       xap_db_add_remote(db, "127.0.0.1", ntohs(sin.sin_port), 500));
	assert_true(strlen(xap_db_message(db)) > 0);
	EXPECT(XAP_INVALID, xap_db_add_remote(db, "127.0.0.1", 0, 500));
	OK(xap_db_doccount(db, &n)); /* unchanged */
	assert_int_equal(n, 3 * NEWS_N);
	xap_db_free(db);
}

/* A free TCP port on the loopback interface (racy, fine for a test). */
static unsigned free_port(void)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int sock = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(sock >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(sock, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(sock, (struct sockaddr *)&sin, &slen), 0);
	close(sock);
	return ntohs(sin.sin_port);
}

/* Search through xapian-tcpsrv: facets must work remotely (the spy is
 * Xapian's own), recency cannot (XAP_QUERY). */
static void test_remote(void **state)
{
	char p[256], port_s[16];
	char *argv[10];
	pid_t pid;
	unsigned port = free_port();
	xap_db *db, *local;
	xap_enquire *e;
	xap_query *storm = term_query("storm"), *rec, *q, *subs[2];
	xap_results *r;
	xap_value_cache *cache;
	unsigned places, places_f;
	uint32_t n;
	uint64_t rev;
	struct terms t = { 0 };
	xap_status st = XAP_NETWORK;
	int status;

	(void)state;
	if (access("/usr/bin/xapian-tcpsrv", X_OK) != 0) {
		xap_query_free(storm);
		skip();
	}
	local = news_db("remote");
	xap_db_free(local);
	snprintf(port_s, sizeof(port_s), "%u", port);
	argv[0] = (char *)"xapian-tcpsrv";
	argv[1] = (char *)"--one-shot";
	argv[2] = (char *)"--quiet";
	argv[3] = (char *)"--interface";
	argv[4] = (char *)"127.0.0.1";
	argv[5] = (char *)"--port";
	argv[6] = port_s;
	argv[7] = (char *)path_of(p, sizeof(p), "remote");
	argv[8] = NULL;
	assert_int_equal(posix_spawn(&pid, "/usr/bin/xapian-tcpsrv", NULL,
				     NULL, argv, environ),
			 0);

	db = xap_db_new();
	for (int i = 0; i < 100 && st == XAP_NETWORK; i++) {
		st = xap_db_add_remote(db, "127.0.0.1", port, 2000);
		if (st == XAP_NETWORK)
			usleep(20000);
	}
	if (st != XAP_OK) {
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
		fail_msg("remote: %s", xap_db_message(db));
	}
	OK(xap_db_doccount(db, &n));
	assert_int_equal(n, NEWS_N);
	OK(xap_db_revision(db, &rev));
	assert_int_equal(rev, 0);

	e = xap_enquire_new(db);
	/* value columns are for local databases: counted as without */
	cache = xap_value_cache_new(1000);
	OK(xap_enquire_set_value_cache(e, cache));
	OK(xap_enquire_add_facet(e, SLOT_PLACES, SEP, &places));
	/* a field of a value: Xapian's spy, whose values are then split */
	OK(xap_enquire_add_facet_field(e, SLOT_FACETS, SCHEMA_FIELD_SEP, 1, SEP, &places_f));
	r = run(e, storm, 0, 1);
	OK(xap_results_facets(r, places, collect_term, &t));
	assert_int_equal(t.n, 3);
	assert_string_equal(t.term[0], "Paris");
	assert_int_equal(t.freq[0], 3);
	same_facets(r, places, places_f);
	xap_results_free(r);
	assert_int_equal(xap_value_cache_builds(cache), 0);

	OK(xap_query_recency(SLOT_DATE, 0, 7, 1, &rec));
	subs[0] = storm;
	subs[1] = rec;
	OK(xap_query_combine(XAP_OP_AND_MAYBE, subs, 2, 0, &q));
	OK(xap_enquire_set_query(e, q));
	r = NULL;
	EXPECT(XAP_QUERY, xap_enquire_run(e, 0, 10, 0, &r));
	assert_null(r);

	xap_query_free(q);
	xap_query_free(rec);
	xap_query_free(storm);
	xap_enquire_free(e);
	xap_value_cache_free(cache); /* after E, whose runs it must outlive */
	xap_db_free(db); /* closes the connection: the one-shot server exits */
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	size_t n;
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	assert_int_equal(fclose(in), 0);
	assert_int_equal(fclose(out), 0);
}

/* A database big enough for several blocks per table. */
static void bulk_db(const char *name, int first, int n)
{
	xap_writer *w = open_writer(name);
	char term[64];

	for (int i = first; i < first + n; i++) {
		xap_doc *doc = xap_doc_new();

		assert_non_null(doc);
		snprintf(term, sizeof(term), "Q%d", i);
		OK(xap_doc_add_boolean_term(doc, term));
		snprintf(term, sizeof(term), "word%d", i % 97);
		OK(xap_doc_add_posting(doc, term, 1, 1));
		OK(xap_doc_add_posting(doc, "common", 2, 1));
		OK(xap_doc_set_data(doc, term, strlen(term)));
		OK(xap_writer_add(w, doc, NULL));
		xap_doc_free(doc);
	}
	OK(xap_writer_close(w));
	xap_writer_free(w);
}

static void test_compact_and_check(void **state)
{
	char a[256], b[256], dest[256], dest2[256];
	const char *src[2];
	size_t errors = 99;
	uint32_t n;
	xap_docid last;
	xap_db *db;

	(void)state;
	bulk_db("cmp-a", 0, 300);
	bulk_db("cmp-b", 300, 200);
	src[0] = path_of(a, sizeof(a), "cmp-a");
	src[1] = path_of(b, sizeof(b), "cmp-b");

	OK(xap_check(a, &errors));
	assert_int_equal(errors, 0);

	OK(xap_compact(src, 2, path_of(dest, sizeof(dest), "cmp-out"), 1, 0));
	OK(xap_check(dest, &errors));
	assert_int_equal(errors, 0);
	db = open_reader("cmp-out");
	OK(xap_db_doccount(db, &n));
	assert_int_equal(n, 500);
	OK(xap_db_termfreq(db, "common", &n));
	assert_int_equal(n, 500);
	xap_db_free(db);

	/* keeping ids: one source keeps its ids; two overlapping cannot */
	OK(xap_compact(src + 1, 1, path_of(dest2, sizeof(dest2), "cmp-keep"),
		       0, 1));
	db = open_reader("cmp-keep");
	OK(xap_db_lastdocid(db, &last));
	assert_int_equal(last, 200);
	xap_db_free(db);
	EXPECT(XAP_INVALID,
	       xap_compact(src, 2, path_of(dest2, sizeof(dest2), "cmp-bad"),
			   0, 1));
	assert_true(strlen(xap_last_message()) > 0);
	EXPECT(XAP_INVALID, xap_compact(src, 0, dest2, 0, 0));
}

static void test_check_corrupt(void **state)
{
	static const char *const files[] = { "docdata.glass", "iamglass",
					     "postlist.glass", "termlist.glass",
					     "position.glass", "flintlock" };
	char from[512], to[512], dir[256];
	size_t errors = 0;
	struct stat sb;
	int fd;
	char junk[2048];
	xap_status st;

	(void)state;
	bulk_db("sound", 0, 2000);
	path_of(dir, sizeof(dir), "corrupt");
	assert_int_equal(mkdir(dir, 0700), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(from, sizeof(from), "%s/sound/%s", tmpdir, files[i]);
		snprintf(to, sizeof(to), "%s/%s", dir, files[i]);
		if (stat(from, &sb) == 0)
			copy_file(from, to);
	}
	OK(xap_check(dir, &errors)); /* the copy is sound */
	assert_int_equal(errors, 0);

	/* scribble over the postlist table past its first block */
	snprintf(to, sizeof(to), "%s/postlist.glass", dir);
	assert_int_equal(stat(to, &sb), 0);
	assert_true(sb.st_size > 8192);
	memset(junk, 0xa5, sizeof(junk));
	fd = open(to, O_WRONLY);
	assert_true(fd >= 0);
	for (off_t off = 100; off + (off_t)sizeof(junk) <= sb.st_size;
	     off += 8192)
		assert_int_equal(pwrite(fd, junk, sizeof(junk), off),
				 (ssize_t)sizeof(junk));
	assert_int_equal(close(fd), 0);

	errors = 0;
	st = xap_check(dir, &errors);
	if (!(st == XAP_CORRUPT || (st == XAP_OK && errors > 0)))
		fail_msg("check of a corrupt database: %s, %zu errors (%s)",
			 xap_status_name(st), errors, xap_last_message());
}

/* ---------------------------------------------------------------------
 * Exact counts: xap_db_count_matches() and xap_db_count_distinct() against
 * a brute-force pass over every document of a small database.
 */
#define COUNT_N 240
#define COUNT_QUERIES 14 /* count_query()'s last */

/* Doc I (1-based): "wI%7", "vI%11", "even" for even I; story "sI%13"
 * except every fifth doc (none); agency one of three. */
static void count_db(const char *name)
{
	xap_writer *w = open_writer(name);
	char term[32];
	static const char *const agencies[] = { "AFP", "EFE", "Reuters" };

	for (int i = 1; i <= COUNT_N; i++) {
		xap_doc *doc = xap_doc_new();

		assert_non_null(doc);
		snprintf(term, sizeof(term), "w%d", i % 7);
		OK(xap_doc_add_posting(doc, term, 1, 1));
		snprintf(term, sizeof(term), "v%d", i % 11);
		OK(xap_doc_add_posting(doc, term, 2, 1));
		if (i % 2 == 0)
			OK(xap_doc_add_term(doc, "even", 1));
		if (i % 5 != 0) {
			snprintf(term, sizeof(term), "s%d", i % 13);
			OK(xap_doc_set_value(doc, SLOT_STORY, term,
					     strlen(term)));
		}
		OK(xap_doc_set_value(doc, SLOT_AGENCY, agencies[i % 3],
				     strlen(agencies[i % 3])));
		OK(xap_writer_add(w, doc, NULL));
		xap_doc_free(doc);
	}
	OK(xap_writer_close(w));
	xap_writer_free(w);
}

/* What a query of the table below matches, by hand. */
static int brute_match(xap_doc *doc, int which)
{
	int w3, v4, even, w0, v0;

	OK(xap_doc_has_term(doc, "w3", &w3));
	OK(xap_doc_has_term(doc, "v4", &v4));
	OK(xap_doc_has_term(doc, "even", &even));
	OK(xap_doc_has_term(doc, "w0", &w0));
	OK(xap_doc_has_term(doc, "v0", &v0));
	switch (which) {
	case 0: return w3;
	case 1: return w3 && v4;
	case 2: return w3 || v4;
	case 3: return even && !w0;
	case 4: return 1;
	case 5: return 0;
	case 6: return (w3 || w0) && even;
	case 7: return w3 || v4 || even;
	case 8: return (w3 || v4 || even) && !w0;
	case 9: return (even || (w3 && v4)) && !(w0 || v0);
	case 10: return w3 || v4;
	case 11: return w3 || w0;
	case 12: return even && !(w3 || v4 || w0);
	case 13: return w3 && !even;
	default: return 1;
	}
}

/* OP over the N queries after it, which it frees. */
static xap_query *combined(xap_op op, size_t n, ...)
{
	xap_query *subs[4], *q = NULL;
	va_list ap;

	assert_true(n <= 4);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		subs[i] = va_arg(ap, xap_query *);
	va_end(ap);
	OK(xap_query_combine(op, subs, n, 0, &q));
	for (size_t i = 0; i < n; i++)
		xap_query_free(subs[i]);
	return q;
}

static xap_query *scaled(xap_query *sub, double factor)
{
	xap_query *q = NULL;

	OK(xap_query_scale(sub, factor, &q));
	xap_query_free(sub);
	return q;
}

/* The shapes xap_db_count_matches() counts by set algebra (7-14): an OR
 * counted from its commonest term, AND_NOT by subtraction or by a run, OR
 * with a child that is no term, AND_MAYBE, SYNONYM, match-all in an OR. */
static xap_query *algebra_query(int which)
{
	xap_query *q = NULL;

	switch (which) {
	case 7:
		return combined(XAP_OP_OR, 3, term_query("w3"),
				scaled(term_query("v4"), 2), term_query("even"));
	case 8:
		return combined(XAP_OP_AND_NOT, 2, algebra_query(7),
				term_query("w0"));
	case 9:
		return combined(XAP_OP_AND_NOT, 3,
				combined(XAP_OP_OR, 2, term_query("even"),
					 combined(XAP_OP_FILTER, 2,
						  term_query("w3"),
						  term_query("v4"))),
				term_query("w0"), term_query("v0"));
	case 10:
		return combined(XAP_OP_AND_MAYBE, 2,
				combined(XAP_OP_OR, 2, term_query("w3"),
					 term_query("v4")),
				term_query("even"));
	case 11:
		return combined(XAP_OP_SYNONYM, 3, term_query("w3"),
				term_query("w0"), term_query("absent"));
	case 12: /* the side taken away is the bigger: counted by a run */
		return combined(XAP_OP_AND_NOT, 2, term_query("even"),
				combined(XAP_OP_OR, 3, term_query("w3"),
					 term_query("v4"), term_query("w0")));
	case 13:
		return combined(XAP_OP_AND_NOT, 2,
				combined(XAP_OP_OR, 2, term_query("w3"),
					 term_query("absent")),
				term_query("even"));
	default:
		OK(xap_query_all(&q));
		return combined(XAP_OP_OR, 2, q, term_query("w3"));
	}
}

static xap_query *count_query(int which)
{
	xap_query *q = NULL, *subs[2], *or2;

	if (which >= 7)
		return algebra_query(which);
	switch (which) {
	case 0:
		return term_query("w3");
	case 1:
	case 2:
	case 3:
		subs[0] = term_query(which == 3 ? "even" : "w3");
		subs[1] = term_query(which == 3 ? "w0" : "v4");
		OK(xap_query_combine(which == 1	  ? XAP_OP_AND
				     : which == 2 ? XAP_OP_OR
						  : XAP_OP_AND_NOT,
				     subs, 2, 0, &q));
		xap_query_free(subs[0]);
		xap_query_free(subs[1]);
		return q;
	case 4:
		OK(xap_query_all(&q));
		return q;
	case 5:
		OK(xap_query_none(&q));
		return q;
	default:
		subs[0] = term_query("w3");
		subs[1] = term_query("w0");
		OK(xap_query_combine(XAP_OP_OR, subs, 2, 0, &or2));
		xap_query_free(subs[0]);
		xap_query_free(subs[1]);
		subs[0] = or2;
		subs[1] = term_query("even");
		OK(xap_query_combine(XAP_OP_FILTER, subs, 2, 0, &q));
		xap_query_free(subs[0]);
		xap_query_free(subs[1]);
		return q;
	}
}

/* Brute force: the matches of query WHICH and the distinct values of SLOT
 * over them (values are short). */
static void brute_counts(xap_db *db, int which, unsigned slot,
			 uint32_t *matches, uint32_t *distinct)
{
	static char seen[COUNT_N][16];
	size_t nseen = 0;
	xap_docid last;

	*matches = 0;
	OK(xap_db_lastdocid(db, &last));
	for (xap_docid id = 1; id <= last; id++) {
		xap_doc *doc = NULL;
		const void *data;
		size_t len, k;

		OK(xap_db_get_document(db, id, &doc));
		if (brute_match(doc, which)) {
			++*matches;
			OK(xap_doc_get_value(doc, slot, &data, &len));
			assert_true(len < 16);
			for (k = 0; k < nseen; k++)
				if (strlen(seen[k]) == len &&
				    memcmp(seen[k], data, len) == 0)
					break;
			if (len > 0 && k == nseen) {
				memcpy(seen[nseen], data, len);
				seen[nseen++][len] = '\0';
			}
		}
		xap_doc_free(doc);
	}
	*distinct = (uint32_t)nseen;
}

static void test_count_matches(void **state)
{
	xap_db *db, *empty;
	xap_query *q;
	uint32_t n, want, distinct;
	xap_writer *w;

	(void)state;
	count_db("count");
	db = open_reader("count");
	for (int which = 0; which <= COUNT_QUERIES; which++) {
		brute_counts(db, which, SLOT_STORY, &want, &distinct);
		q = count_query(which);
		n = 12345;
		OK(xap_db_count_matches(db, q, &n));
		if (n != want)
			fail_msg("query %d: %u matches, brute force %u", which,
				 n, want);
		xap_query_free(q);
	}
	/* two shards (here the same database twice): term frequencies and
	 * runs both add up */
	{
		xap_db *two = open_reader("count");
		char p[256];

		OK(xap_db_add(two, path_of(p, sizeof(p), "count")));
		for (int which = 0; which <= COUNT_QUERIES; which++) {
			brute_counts(db, which, SLOT_STORY, &want, &distinct);
			q = count_query(which);
			OK(xap_db_count_matches(two, q, &n));
			if (n != 2 * want)
				fail_msg("query %d over two shards: %u matches, "
					 "brute force 2 x %u", which, n, want);
			xap_query_free(q);
		}
		xap_db_free(two);
	}
	/* the hand-made expectations of a few: 240 docs */
	q = term_query("w3"); /* i % 7 == 3: 3, 10, ..., 234 */
	OK(xap_db_count_matches(db, q, &n));
	assert_int_equal(n, 34);
	xap_query_free(q);
	q = term_query("absent");
	OK(xap_db_count_matches(db, q, &n));
	assert_int_equal(n, 0);
	xap_query_free(q);

	/* the empty database: no match (and no division by a zero doccount) */
	w = open_writer("count-empty");
	OK(xap_writer_close(w));
	xap_writer_free(w);
	empty = open_reader("count-empty");
	OK(xap_query_all(&q));
	n = 7;
	OK(xap_db_count_matches(empty, q, &n));
	assert_int_equal(n, 0);
	n = 7;
	OK(xap_db_count_distinct(empty, q, SLOT_STORY, &n, NULL));
	assert_int_equal(n, 0);
	xap_db_free(empty);

	/* argument and handle errors */
	EXPECT(XAP_INVALID, xap_db_count_matches(NULL, q, &n));
	assert_non_null(strstr(xap_last_message(), "xap_db_count_matches"));
	EXPECT(XAP_INVALID, xap_db_count_matches(db, NULL, &n));
	assert_non_null(strstr(xap_db_message(db), "NULL argument"));
	EXPECT(XAP_INVALID, xap_db_count_matches(db, q, NULL));
	xap_query_free(q);

	/* a wildcard past its bound fails as it does in a ranked run */
	OK(xap_query_wildcard("w", 3, &q));
	EXPECT(XAP_WILDCARD, xap_db_count_matches(db, q, &n));
	assert_true(strlen(xap_db_message(db)) > 0);
	EXPECT(XAP_WILDCARD, xap_db_count_distinct(db, q, SLOT_STORY, &n, NULL));
	xap_query_free(q);
	OK(xap_query_wildcard("w", 0, &q)); /* unbounded: all seven terms */
	OK(xap_db_count_matches(db, q, &n));
	assert_int_equal(n, COUNT_N);
	xap_query_free(q);

	xap_db_close(db);
	OK(xap_query_all(&q));
	EXPECT(XAP_INVALID, xap_db_count_matches(db, q, &n));
	EXPECT(XAP_INVALID, xap_db_count_distinct(db, q, SLOT_STORY, &n, NULL));
	xap_query_free(q);
	xap_db_free(db);
}

/* Which queries search.c counts in their ranked run: an AND under
 * AND_NOT, FILTER, AND_MAYBE and scaling; not an OR, a term, a phrase. */
static void test_is_conjunction(void **state)
{
	xap_query *q;

	(void)state;
	q = combined(XAP_OP_AND, 2, term_query("a"), term_query("b"));
	assert_true(xap_query_is_conjunction(q));
	q = combined(XAP_OP_AND_NOT, 2, scaled(q, 2), term_query("c"));
	assert_true(xap_query_is_conjunction(q));
	q = combined(XAP_OP_FILTER, 2, q, term_query("f"));
	assert_true(xap_query_is_conjunction(q));
	q = combined(XAP_OP_AND_MAYBE, 2, q, term_query("g"));
	assert_true(xap_query_is_conjunction(q));
	xap_query_free(q);
	q = combined(XAP_OP_AND_NOT, 2,
		     combined(XAP_OP_OR, 2, term_query("a"), term_query("b")),
		     combined(XAP_OP_AND, 2, term_query("c"), term_query("d")));
	assert_false(xap_query_is_conjunction(q));
	xap_query_free(q);
	q = combined(XAP_OP_PHRASE, 2, term_query("a"), term_query("b"));
	assert_false(xap_query_is_conjunction(q));
	xap_query_free(q);
	q = term_query("a");
	assert_false(xap_query_is_conjunction(q));
	xap_query_free(q);
	assert_false(xap_query_is_conjunction(NULL));
}

/* xap_db_value_bounds(): every value of the slot lies between them; "" and
 * "" for a slot nobody sets. */
static void test_value_bounds(void **state)
{
	xap_db *db;
	char *lo, *hi;

	(void)state;
	count_db("bounds");
	db = open_reader("bounds");
	OK(xap_db_value_bounds(db, SLOT_AGENCY, &lo, &hi));
	assert_string_equal(lo, "AFP");
	assert_string_equal(hi, "Reuters");
	free(lo);
	free(hi);
	OK(xap_db_value_bounds(db, 9, &lo, &hi));
	assert_string_equal(lo, "");
	assert_string_equal(hi, "");
	free(lo);
	free(hi);
	EXPECT(XAP_INVALID, xap_db_value_bounds(db, 0xffffffffu, &lo, &hi));
	assert_null(lo);
	assert_null(hi);
	EXPECT(XAP_INVALID, xap_db_value_bounds(db, SLOT_AGENCY, NULL, &hi));
	EXPECT(XAP_INVALID, xap_db_value_bounds(NULL, SLOT_AGENCY, &lo, &hi));
	assert_null(lo);
	xap_db_free(db);
}

struct seen_values {
	const xap_docid *ids;
	xap_db *db;
	unsigned slot;
	size_t calls, stop_at;
};

/* Each value from the stream must be what the document itself says. */
static int check_value(void *ctx, size_t i, const char *value, size_t len)
{
	struct seen_values *sv = ctx;
	xap_doc *doc = NULL;
	const void *data;
	size_t dlen;

	assert_int_equal(i, sv->calls);
	sv->calls++;
	OK(xap_db_get_document(sv->db, sv->ids[i], &doc));
	OK(xap_doc_get_value(doc, sv->slot, &data, &dlen));
	assert_int_equal(len, dlen);
	assert_memory_equal(value, data, len);
	xap_doc_free(doc);
	return sv->calls == sv->stop_at;
}

/* xap_db_values() reads a slot's stream in docid order and gives every
 * listed document its value, or "" when it has none (every fifth has no
 * story); it stops when asked, and refuses ids out of order. */
static void test_values_stream(void **state)
{
	xap_db *db;
	xap_docid ids[COUNT_N];
	struct seen_values sv;
	size_t n = 0;

	(void)state;
	count_db("values");
	db = open_reader("values");
	for (xap_docid id = 3; id <= COUNT_N; id += 7)
		ids[n++] = id;
	for (unsigned slot = SLOT_STORY; slot <= SLOT_AGENCY; slot += 2) {
		memset(&sv, 0, sizeof(sv));
		sv.ids = ids;
		sv.db = db;
		sv.slot = slot;
		OK(xap_db_values(db, ids, n, slot, check_value, &sv));
		assert_int_equal(sv.calls, n);
	}
	memset(&sv, 0, sizeof(sv));
	sv.ids = ids;
	sv.db = db;
	sv.slot = SLOT_STORY;
	sv.stop_at = 3;
	OK(xap_db_values(db, ids, n, SLOT_STORY, check_value, &sv));
	assert_int_equal(sv.calls, 3);
	OK(xap_db_values(db, ids, 0, SLOT_STORY, check_value, &sv));
	assert_int_equal(sv.calls, 3);
	sv.calls = 0;
	sv.stop_at = 0;
	ids[1] = ids[0];
	EXPECT(XAP_INVALID, xap_db_values(db, ids, n, SLOT_STORY, check_value, &sv));
	assert_non_null(strstr(xap_db_message(db), "ascending"));
	assert_int_equal(sv.calls, 1); /* the first id was visited */
	EXPECT(XAP_INVALID, xap_db_values(db, ids, n, 0xffffffffu, check_value, &sv));
	EXPECT(XAP_INVALID, xap_db_values(db, NULL, n, SLOT_STORY, check_value, &sv));
	EXPECT(XAP_INVALID, xap_db_values(db, ids, n, SLOT_STORY, NULL, &sv));
	EXPECT(XAP_INVALID, xap_db_values(NULL, ids, n, SLOT_STORY, check_value, &sv));

	/* An unweighted run lists every match, with weight 0. */
	{
		xap_enquire *e = xap_enquire_new(db);
		xap_results *r = NULL;
		xap_query *q;
		xap_hit h;
		uint32_t count = 0;

		assert_non_null(e);
		OK(xap_query_term("even", 1, 0, &q));
		OK(xap_enquire_set_query(e, q));
		OK(xap_enquire_set_unweighted(e));
		OK(xap_enquire_run(e, 0, COUNT_N, COUNT_N, &r));
		OK(xap_db_count_matches(db, q, &count));
		assert_int_equal(xap_results_size(r), count);
		assert_int_equal(count, COUNT_N / 2);
		OK(xap_results_hit(r, 0, &h));
		assert_true(h.weight == 0);
		xap_results_free(r);
		xap_query_free(q);
		xap_enquire_free(e);
		EXPECT(XAP_INVALID, xap_enquire_set_unweighted(NULL));
	}
	xap_db_free(db);
}

static void test_count_distinct(void **state)
{
	xap_db *db;
	xap_enquire *e;
	xap_query *q;
	xap_results *r;
	uint32_t n, m, want, distinct, via_spy;
	unsigned did, fid;
	struct terms t = { 0 };

	(void)state;
	count_db("distinct");
	db = open_reader("distinct");
	for (int which = 0; which <= COUNT_QUERIES; which++) {
		for (unsigned slot = SLOT_STORY; slot <= SLOT_AGENCY; slot += 2) {
			brute_counts(db, which, slot, &want, &distinct);
			q = count_query(which);
			n = m = 12345;
			OK(xap_db_count_distinct(db, q, slot, &n, &m));
			if (n != distinct || m != want)
				fail_msg("query %d slot %u: %u distinct in %u "
					 "matches, brute force %u in %u",
					 which, slot, n, m, distinct, want);
			xap_query_free(q);
		}
	}
	/* by hand: 13 stories, docs without one (every fifth) not counted */
	OK(xap_query_all(&q));
	OK(xap_db_count_distinct(db, q, SLOT_STORY, &n, NULL));
	assert_int_equal(n, 13);
	OK(xap_db_count_distinct(db, q, SLOT_AGENCY, &n, NULL));
	assert_int_equal(n, 3);
	OK(xap_db_count_distinct(db, q, 9, &n, NULL)); /* a slot nobody sets */
	assert_int_equal(n, 0);
	EXPECT(XAP_INVALID, xap_db_count_distinct(db, q, 0xffffffffu, &n, NULL));
	assert_non_null(strstr(xap_db_message(db), "bad slot"));
	EXPECT(XAP_INVALID, xap_db_count_distinct(db, NULL, 1, &n, NULL));
	EXPECT(XAP_INVALID, xap_db_count_distinct(db, q, 1, NULL, &m));
	EXPECT(XAP_INVALID, xap_db_count_distinct(NULL, q, 1, &n, NULL));

	/* Collapsing: several docs share a story.  The distinct count of a
	 * ranked run (its spy sees every match before collapsing) and the
	 * number of collapsed hits agree with xap_db_count_distinct(), plus
	 * one hit per document that has no story (never collapsed). */
	e = xap_enquire_new(db);
	assert_non_null(e);
	OK(xap_enquire_add_distinct(e, SLOT_STORY, &did));
	OK(xap_enquire_add_facet(e, SLOT_AGENCY, -1, &fid));
	assert_int_equal(did, 0);
	assert_int_equal(fid, 1);
	OK(xap_enquire_set_collapse_key(e, SLOT_STORY, 1));
	for (int which = 0; which <= 6; which++) {
		uint32_t nostory, all;
		xap_query *has_story, *sub[2], *without;

		xap_query_free(q);
		q = count_query(which);
		OK(xap_enquire_set_query(e, q));
		r = NULL;
		OK(xap_enquire_run(e, 0, COUNT_N, COUNT_N, &r));
		OK(xap_results_distinct(r, did, &via_spy));
		OK(xap_db_count_distinct(db, q, SLOT_STORY, &n, NULL));
		assert_int_equal(via_spy, n);
		/* matches without a story, counted exactly */
		OK(xap_query_value_range(SLOT_STORY, "\x01", NULL, &has_story));
		sub[0] = q;
		sub[1] = has_story;
		OK(xap_query_combine(XAP_OP_AND_NOT, sub, 2, 0, &without));
		OK(xap_db_count_matches(db, without, &nostory));
		OK(xap_db_count_matches(db, q, &all));
		brute_counts(db, which, SLOT_STORY, &want, &distinct);
		assert_int_equal(all, want);
		assert_int_equal(n, distinct);
		assert_int_equal(xap_results_size(r), n + nostory);
		/* the collapsed count is exact when every match is checked;
		 * the uncollapsed one is not always (Xapian 1.4.22 gives 32
		 * for the 34 matches of query 6): count_matches() is */
		assert_int_equal(xap_results_matches(r), n + nostory);
		xap_query_free(without);
		xap_query_free(has_story);
		/* the distinct id is not a facet list, nor the facet a count */
		EXPECT(XAP_INVALID, xap_results_distinct(r, fid, &n));
		assert_non_null(strstr(xap_results_message(r), "distinct"));
		EXPECT(XAP_INVALID, xap_results_distinct(r, 5, &n));
		EXPECT(XAP_INVALID, xap_results_distinct(r, did, NULL));
		memset(&t, 0, sizeof(t));
		OK(xap_results_facets(r, did, collect_term, &t));
		assert_int_equal(t.n, 1); /* one entry: "" and the count */
		assert_int_equal(t.freq[0], via_spy);
		xap_results_free(r);
	}
	EXPECT(XAP_INVALID, xap_results_distinct(NULL, 0, &n));
	EXPECT(XAP_INVALID, xap_enquire_add_distinct(NULL, SLOT_STORY, &did));
	EXPECT(XAP_INVALID, xap_enquire_add_distinct(e, SLOT_STORY, NULL));
	EXPECT(XAP_INVALID, xap_enquire_add_distinct(e, 0xffffffffu, &did));
	assert_non_null(strstr(xap_enquire_message(e), "bad slot"));
	xap_query_free(q);
	xap_enquire_free(e);
	xap_db_free(db);
}

/* Every argument check a caller can trip, with its message. */
static void test_argument_checks(void **state)
{
	xap_db *db = news_db("args"), *empty = xap_db_new();
	xap_writer *w = open_writer("args-w");
	xap_doc *doc = xap_doc_new(), *got;
	xap_query *q = term_query("storm"), *out, *subs[1];
	xap_enquire *e = xap_enquire_new(db);
	xap_stem *st;
	xap_results *r;
	char *s, big[300];
	const void *data;
	size_t len, errors;
	uint32_t n;
	uint64_t u64;
	unsigned fid;
	int b;
	struct terms t = { 0 };
	const char *src[1] = { NULL };

	(void)state;
	subs[0] = q;
	memset(big, 'x', sizeof(big));
	assert_non_null(empty);
	assert_non_null(doc);
	assert_non_null(e);
	/* databases */
	EXPECT(XAP_INVALID, xap_db_add(empty, NULL));
	assert_non_null(strstr(xap_db_message(empty), "empty path"));
	EXPECT(XAP_INVALID, xap_db_add(empty, ""));
	EXPECT(XAP_INVALID, xap_db_add_remote(empty, NULL, 1, 1));
	assert_non_null(strstr(xap_db_message(empty), "empty host"));
	EXPECT(XAP_INVALID, xap_db_add_remote(empty, "", 1, 1));
	EXPECT(XAP_INVALID, xap_db_add_remote(empty, "localhost", 65536, 1));
	assert_non_null(strstr(xap_db_message(empty), "bad port"));
	/* no database yet: no revision, nothing to reopen */
	u64 = 9;
	OK(xap_db_revision(empty, &u64));
	assert_int_equal(u64, 0);
	OK(xap_db_reopen(empty));
	EXPECT(XAP_INVALID, xap_db_doccount(db, NULL));
	EXPECT(XAP_INVALID, xap_db_lastdocid(db, NULL));
	EXPECT(XAP_INVALID, xap_db_revision(db, NULL));
	EXPECT(XAP_INVALID, xap_db_termfreq(db, NULL, &n));
	EXPECT(XAP_INVALID, xap_db_termfreq(db, "storm", NULL));
	EXPECT(XAP_INVALID, xap_db_collection_freq(db, NULL, &u64));
	EXPECT(XAP_INVALID, xap_db_collection_freq(db, "storm", NULL));
	EXPECT(XAP_INVALID, xap_db_postings(db, NULL, collect_id, NULL));
	EXPECT(XAP_INVALID, xap_db_postings(db, "storm", NULL, NULL));
	EXPECT(XAP_INVALID, xap_db_allterms(db, NULL, collect_term, &t));
	EXPECT(XAP_INVALID, xap_db_allterms(db, "", NULL, &t));
	EXPECT(XAP_INVALID, xap_db_get_metadata(db, NULL, &s, &len));
	EXPECT(XAP_INVALID, xap_db_get_metadata(db, "k", NULL, &len));
	EXPECT(XAP_INVALID, xap_db_get_metadata(db, "", &s, &len));
	assert_non_null(strstr(xap_db_message(db), "empty key"));
	EXPECT(XAP_INVALID, xap_db_spelling_suggestion(db, NULL, 2, &s));
	EXPECT(XAP_INVALID, xap_db_spelling_suggestion(db, "w", 2, NULL));
	EXPECT(XAP_INVALID, xap_db_synonyms(db, NULL, collect_term, &t));
	EXPECT(XAP_INVALID, xap_db_synonyms(db, "a", NULL, &t));
	EXPECT(XAP_INVALID, xap_db_get_document(db, 1, NULL));
	got = (xap_doc *)1;
	EXPECT(XAP_INVALID, xap_db_get_document(db, 0, &got));
	assert_null(got);
	assert_non_null(strstr(xap_db_message(db), "id 0"));
	assert_int_equal(t.n, 0);

	/* documents */
	EXPECT(XAP_INVALID, xap_doc_add_posting(doc, NULL, 1, 1));
	EXPECT(XAP_INVALID, xap_doc_remove_term(doc, NULL));
	EXPECT(XAP_INVALID, xap_doc_has_term(doc, NULL, &b));
	EXPECT(XAP_INVALID, xap_doc_has_term(doc, "a", NULL));
	EXPECT(XAP_INVALID, xap_doc_set_value(doc, 0xffffffffu, "a", 1));
	assert_non_null(strstr(xap_doc_message(doc), "bad slot"));
	EXPECT(XAP_INVALID, xap_doc_set_data(doc, NULL, 3));
	OK(xap_doc_set_data(doc, NULL, 0));
	EXPECT(XAP_INVALID, xap_doc_get_data(doc, &data, NULL));
	EXPECT(XAP_INVALID, xap_doc_get_value(doc, 0, NULL, &len));
	EXPECT(XAP_INVALID, xap_doc_get_value(doc, 0, &data, NULL));
	EXPECT(XAP_INVALID, xap_doc_terms(doc, NULL, collect_term, &t));
	EXPECT(XAP_INVALID, xap_doc_terms(doc, "", NULL, &t));
	/* a length no string can have: the C++ error comes back as a status */
	EXPECT(XAP_INTERNAL, xap_doc_set_data(doc, big, (size_t)1 << 62));
	assert_true(strlen(xap_doc_message(doc)) > 0);
	/* xap_doc_check(): over the limit names the term, and nothing else */
	EXPECT(XAP_INVALID, xap_doc_check(NULL));
	OK(xap_doc_add_term(doc, "short", 1));
	OK(xap_doc_check(doc));
	assert_string_equal(xap_doc_message(doc), "");
	big[246] = '\0';
	OK(xap_doc_add_term(doc, big, 1));
	EXPECT(XAP_INVALID, xap_doc_check(doc));
	assert_non_null(strstr(xap_doc_message(doc), "Term too long"));
	assert_non_null(strstr(xap_doc_message(doc), big));
	OK(xap_doc_remove_term(doc, big));
	big[245] = '\0'; /* exactly the limit is fine */
	OK(xap_doc_add_term(doc, big, 1));
	OK(xap_doc_check(doc));

	/* writers */
	{
		xap_writer *nw = xap_writer_new();

		assert_non_null(nw);
		EXPECT(XAP_INVALID, xap_writer_open(nw, NULL, 0));
		EXPECT(XAP_INVALID, xap_writer_open(nw, "", 0));
		assert_non_null(strstr(xap_writer_message(nw), "empty path"));
		EXPECT(XAP_INVALID, xap_writer_open(nw, "x", 1 << 9));
		assert_non_null(strstr(xap_writer_message(nw), "flags"));
		OK(xap_writer_close(nw)); /* never opened: nothing to do */
		xap_writer_free(nw);
	}
	EXPECT(XAP_INVALID, xap_writer_open(w, "x", 0));
	assert_non_null(strstr(xap_writer_message(w), "already open"));
	EXPECT(XAP_INVALID, xap_writer_replace_by_term(w, NULL, doc, NULL));
	EXPECT(XAP_INVALID, xap_writer_replace_by_term(w, "", doc, NULL));
	EXPECT(XAP_INVALID, xap_writer_replace_by_term(w, "Q1", NULL, NULL));
	EXPECT(XAP_INVALID, xap_writer_replace(w, 0, doc));
	EXPECT(XAP_INVALID, xap_writer_replace(w, 1, NULL));
	EXPECT(XAP_INVALID, xap_writer_add(w, NULL, NULL));
	EXPECT(XAP_INVALID, xap_writer_delete_by_term(w, NULL));
	EXPECT(XAP_INVALID, xap_writer_delete_by_term(w, ""));
	EXPECT(XAP_INVALID, xap_writer_delete(w, 0));
	EXPECT(XAP_INVALID, xap_writer_set_metadata(w, NULL, "v", 1));
	EXPECT(XAP_INVALID, xap_writer_set_metadata(w, "", "v", 1));
	EXPECT(XAP_INVALID, xap_writer_set_metadata(w, "k", NULL, 1));
	EXPECT(XAP_INVALID, xap_writer_add_spelling(w, NULL, 1));
	EXPECT(XAP_INVALID, xap_writer_add_spelling(w, "", 1));
	EXPECT(XAP_INVALID, xap_writer_add_synonym(w, NULL, "b"));
	EXPECT(XAP_INVALID, xap_writer_add_synonym(w, "", "b"));
	EXPECT(XAP_INVALID, xap_writer_add_synonym(w, "a", NULL));
	EXPECT(XAP_INVALID, xap_writer_add_synonym(w, "a", ""));
	big[245] = 'x'; /* 246 bytes */
	EXPECT(XAP_INVALID, xap_writer_add_synonym(w, "a", big));
	assert_non_null(strstr(xap_writer_message(w), "Term too long"));
	EXPECT(XAP_INVALID, xap_writer_clear_synonyms(w, NULL));
	EXPECT(XAP_INVALID, xap_writer_clear_synonyms(w, ""));
	/* metadata read back whole, with or without its length */
	OK(xap_writer_set_metadata(w, "k", "value", 5));
	{
		xap_db *view = xap_writer_db(w);

		assert_non_null(view);
		OK(xap_db_get_metadata(view, "k", &s, NULL));
		assert_string_equal(s, "value");
		free(s);
		OK(xap_db_get_metadata(view, "k", &s, &len));
		assert_int_equal(len, 5);
		free(s);
		EXPECT(XAP_INVALID, xap_db_add(view, "x"));
		assert_non_null(strstr(xap_db_message(view), "view"));
		EXPECT(XAP_INVALID, xap_db_add_remote(view, "localhost", 1, 1));
		OK(xap_db_revision(view, &u64));
		OK(xap_db_reopen(view));
	}

	/* queries */
	EXPECT(XAP_INVALID, xap_query_term("a", 1, 0, NULL));
	EXPECT(XAP_INVALID, xap_query_combine(XAP_OP_OR, NULL, 1, 0, &out));
	assert_non_null(strstr(xap_last_message(), "NULL subqueries"));
	EXPECT(XAP_INVALID, xap_query_combine(XAP_OP_OR, subs, 1, 0, NULL));
	EXPECT(XAP_INVALID, xap_query_wildcard("a", 0, NULL));
	EXPECT(XAP_INVALID, xap_query_wildcard(NULL, 0, &out));
	EXPECT(XAP_INVALID, xap_query_value_range(0, "a", "b", NULL));
	EXPECT(XAP_INVALID, xap_query_value_range(0xffffffffu, "a", "b", &out));
	EXPECT(XAP_INVALID, xap_query_scale(q, 1, NULL));
	EXPECT(XAP_INVALID, xap_query_scale(q, INFINITY, &out));
	EXPECT(XAP_INVALID, xap_query_recency(0, 0, 1, 1, NULL));
	EXPECT(XAP_INVALID, xap_query_recency(0xffffffffu, 0, 1, 1, &out));
	EXPECT(XAP_INVALID, xap_query_recency(0, 0, INFINITY, 1, &out));
	EXPECT(XAP_INVALID, xap_query_recency(0, 0, NAN, 1, &out));
	EXPECT(XAP_INVALID, xap_query_recency(0, 0, 1, INFINITY, &out));
	assert_non_null(strstr(xap_last_message(), "weight"));
	EXPECT(XAP_INVALID, xap_query_recency(0, 0, 1, NAN, &out));
	EXPECT(XAP_INVALID, xap_query_all(NULL));
	EXPECT(XAP_INVALID, xap_query_none(NULL));
	EXPECT(XAP_INVALID, xap_query_describe(q, NULL));
	EXPECT(XAP_INVALID, xap_stem_new("en", NULL));
	OK(xap_stem_new("EN", &st));
	EXPECT(XAP_INVALID, xap_stem_word(st, "running", NULL));
	xap_stem_free(st);
	EXPECT(XAP_NOT_FOUND, xap_stem_new("Z1z", &st));

	/* enquire */
	EXPECT(XAP_INVALID, xap_enquire_set_query(e, NULL));
	{
		static const double bad[][5] = {
			{ -1, 0, 1, .5, .5 },	    { 1, -1, 1, .5, .5 },
			{ 1, 0, -1, .5, .5 },	    { 1, 0, 1, .5, -1 },
			{ INFINITY, 0, 1, .5, .5 }, { 1, INFINITY, 1, .5, .5 },
			{ 1, 0, INFINITY, .5, .5 }, { 1, 0, 1, .5, INFINITY },
			{ NAN, 0, 1, .5, .5 },	    { 1, 0, 1, -0.1, .5 },
			{ 1, 0, 1, 1.1, .5 },	    { 1, 0, 1, NAN, .5 },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			xap_status got_st = xap_enquire_set_bm25(
				e, bad[i][0], bad[i][1], bad[i][2], bad[i][3],
				bad[i][4]);
			if (got_st != XAP_INVALID)
				fail_msg("bm25 case %zu: %s", i,
					 xap_status_name(got_st));
			assert_non_null(strstr(xap_enquire_message(e), "bm25"));
		}
		OK(xap_enquire_set_bm25(e, 0, 0, 0, 0, 0));
		OK(xap_enquire_set_bm25(e, 1, 0, 1, 1, 0));
	}
	EXPECT(XAP_INVALID, xap_enquire_sort_by_value(e, 0xffffffffu, 0, 0));
	EXPECT(XAP_INVALID,
	       xap_enquire_sort_by_relevance_then_value(e, 0xffffffffu, 0));
	EXPECT(XAP_INVALID, xap_enquire_add_facet(e, 0, -1, NULL));
	EXPECT(XAP_INVALID, xap_enquire_add_facet(e, 0xffffffffu, -1, &fid));
	EXPECT(XAP_INVALID, xap_enquire_run(e, 0, 10, 0, NULL));
	OK(xap_enquire_set_query(e, q));
	r = run(e, NULL, 0, 10);
	EXPECT(XAP_INVALID, xap_results_hit(r, 0, NULL));
	EXPECT(XAP_INVALID, xap_results_document(r, 0, NULL));
	got = (xap_doc *)1;
	EXPECT(XAP_INVALID, xap_results_document(r, 99, &got));
	assert_null(got);
	assert_non_null(strstr(xap_results_message(r), "out of range"));
	EXPECT(XAP_INVALID, xap_results_matching_terms(r, 1, NULL, &t));
	EXPECT(XAP_INVALID, xap_results_matching_terms(r, 0, collect_term, &t));
	EXPECT(XAP_INVALID, xap_results_facets(r, 0, NULL, &t));
	xap_results_free(r);

	/* maintenance */
	EXPECT(XAP_INVALID, xap_compact(src, 1, NULL, 0, 0));
	EXPECT(XAP_INVALID, xap_compact(src, 1, "", 0, 0));
	assert_non_null(strstr(xap_last_message(), "destination"));
	EXPECT(XAP_INVALID, xap_compact(src, 1, "x", 0, 0));
	assert_non_null(strstr(xap_last_message(), "source path"));
	src[0] = "";
	EXPECT(XAP_INVALID, xap_compact(src, 1, "x", 0, 0));
	EXPECT(XAP_INVALID, xap_check("", &errors));
	EXPECT(XAP_INVALID, xap_check("x", NULL));
	assert_int_equal(t.n, 0);

	xap_query_free(q);
	xap_enquire_free(e);
	xap_doc_free(doc);
	xap_writer_free(w);
	xap_db_free(empty);
	xap_db_free(db);
}

/* A copy of database FROM under NAME (the glass files only). */
static void copy_db(const char *from, const char *name)
{
	static const char *const files[] = { "docdata.glass", "iamglass",
					     "postlist.glass", "termlist.glass",
					     "position.glass", "flintlock" };
	char src[512], dst[512], dir[256];
	struct stat sb;

	path_of(dir, sizeof(dir), name);
	assert_int_equal(mkdir(dir, 0700), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(src, sizeof(src), "%s/%s/%s", tmpdir, from, files[i]);
		snprintf(dst, sizeof(dst), "%s/%s", dir, files[i]);
		if (stat(src, &sb) == 0)
			copy_file(src, dst);
	}
}

/* Overwrite LEN bytes at OFF of DB/FILE with BYTES. */
static void scribble(const char *db, const char *file, off_t off,
		     const void *bytes, size_t len)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s/%s", tmpdir, db, file);
	fd = open(p, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, len, off), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static xap_status add_status(const char *name, xap_db **out)
{
	char p[256];
	xap_db *db = xap_db_new();
	xap_status st;

	assert_non_null(db);
	st = xap_db_add(db, path_of(p, sizeof(p), name));
	*out = db;
	return st;
}

/* Damaged and foreign databases map to their statuses. */
static void test_open_errors(void **state)
{
	char p[256];
	xap_db *db, *tmp;
	FILE *f;
	uint64_t rev;
	uint32_t n;
	unsigned char byte;

	(void)state;
	tmp = news_db("orig");
	xap_db_free(tmp);

	copy_db("orig", "bad-magic");
	scribble("bad-magic", "iamglass", 0, "X", 1);
	EXPECT(XAP_CORRUPT, add_status("bad-magic", &db));
	assert_non_null(strstr(xap_db_message(db), "DatabaseCorruptError"));
	xap_db_free(db);

	/* the format version follows the 14-byte magic */
	copy_db("orig", "bad-version");
	byte = 0x09;
	scribble("bad-version", "iamglass", 14, &byte, 1);
	EXPECT(XAP_VERSION, add_status("bad-version", &db));
	assert_non_null(strstr(xap_db_message(db), "format version"));
	xap_db_free(db);

	/* a backend this Xapian no longer has: FeatureUnavailableError */
	path_of(p, sizeof(p), "flint");
	assert_int_equal(mkdir(p, 0700), 0);
	path_of(p, sizeof(p), "flint/iamflint");
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("x", f);
	assert_int_equal(fclose(f), 0);
	EXPECT(XAP_INTERNAL, add_status("flint", &db));
	assert_non_null(strstr(xap_db_message(db), "Flint"));
	xap_db_free(db);

	/* a stub naming a line it cannot parse: an opening error (I/O) */
	path_of(p, sizeof(p), "bad-stub");
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("bogus orig\n", f);
	assert_int_equal(fclose(f), 0);
	EXPECT(XAP_IO, add_status("bad-stub", &db));
	assert_non_null(strstr(xap_db_message(db), "Bad line"));
	xap_db_free(db);

	/* a stub naming an in-memory database: no revision to report */
	path_of(p, sizeof(p), "mem-stub");
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("inmemory\n", f);
	assert_int_equal(fclose(f), 0);
	OK(add_status("mem-stub", &db));
	rev = 9;
	OK(xap_db_revision(db, &rev));
	assert_int_equal(rev, 0);
	OK(xap_db_doccount(db, &n));
	assert_int_equal(n, 0);
	xap_db_free(db);
}

/* Reopen after the database was replaced or broken under the reader: the
 * handle opens its sources anew. */
static void test_reopen_anew(void **state)
{
	char p[256], stub[256];
	xap_db *db;
	uint32_t n;
	FILE *f;

	(void)state;
	bulk_db("swap", 0, 100);
	db = open_reader("swap");
	OK(xap_db_doccount(db, &n));
	assert_int_equal(n, 100);
	/* the database gone: the reopen fails, so does opening it anew */
	snprintf(p, sizeof(p), "%s/swap/iamglass", tmpdir);
	assert_int_equal(unlink(p), 0);
	EXPECT(XAP_NOT_FOUND, xap_db_reopen(db));
	assert_non_null(strstr(xap_db_message(db), "detect type"));
	EXPECT(XAP_NOT_FOUND, xap_db_reopen(db)); /* again */
	xap_db_free(db);

	/* Through a stub: its database breaks, the stub is pointed at a new
	 * one.  The plain reopen fails on the broken database; opening the
	 * sources anew reads the stub again and finds the new one. */
	bulk_db("stubbed-a", 0, 10);
	bulk_db("stubbed-b", 0, 20);
	xap_db_free(news_db("reopen-news"));
	path_of(stub, sizeof(stub), "reopen-stub");
	f = fopen(stub, "w");
	assert_non_null(f);
	fputs("auto stubbed-a\n", f);
	assert_int_equal(fclose(f), 0);
	db = xap_db_new();
	assert_non_null(db);
	OK(xap_db_add(db, stub));
	OK(xap_db_add(db, path_of(p, sizeof(p), "reopen-news")));
	OK(xap_db_doccount(db, &n));
	assert_int_equal(n, 10 + NEWS_N);
	f = fopen(stub, "w");
	assert_non_null(f);
	fputs("auto stubbed-b\n", f);
	assert_int_equal(fclose(f), 0);
	OK(xap_db_reopen(db)); /* nothing wrong: the stub is not reread */
	OK(xap_db_doccount(db, &n));
	assert_int_equal(n, 10 + NEWS_N);
	snprintf(p, sizeof(p), "%s/stubbed-a/iamglass", tmpdir);
	assert_int_equal(unlink(p), 0);
	OK(xap_db_reopen(db));
	assert_string_equal(xap_db_message(db), "");
	OK(xap_db_doccount(db, &n));
	assert_int_equal(n, 20 + NEWS_N);
	OK(xap_db_termfreq(db, "kabul", &n));
	assert_int_equal(n, 1);
	xap_db_free(db);
}

/* Recency over dates it cannot read and ages past every double. */
static void test_recency_edges(void **state)
{
	static const char *const dates[] = {
		"2025041912000x", "20251319120000", "20250019120000",
		"20250432120000", "20250400120000", "20250419250000",
		"20250419126000", "20250419120061", "2025-04-19 12:0",
		"short",
	};
	enum { N = sizeof(dates) / sizeof(dates[0]) };
	struct fixture_doc docs[N + 2];
	char ids[N + 2][8], very_old[15], old[15];
	const int64_t now = utc(2025, 4, 19, 12, 0, 0);
	xap_writer *w = open_writer("recency-edges");
	xap_db *db;
	xap_enquire *e;
	xap_query *rec;
	xap_results *r;
	xap_hit h;

	(void)state;
	memset(docs, 0, sizeof(docs));
	for (size_t i = 0; i < N + 2; i++) {
		snprintf(ids[i], sizeof(ids[i]), "%zu", i);
		docs[i].id = ids[i];
		docs[i].words = "storm";
		docs[i].date = i < N ? dates[i] : NULL;
	}
	/* 100 and 2000 half-lives of one day old */
	date_text(now - 100 * 86400, old);
	date_text(now - 2000 * (int64_t)86400, very_old);
	docs[N].date = old;
	docs[N + 1].date = very_old;
	write_docs(w, docs, N + 2);
	xap_writer_free(w);
	db = open_reader("recency-edges");
	e = xap_enquire_new(db);
	assert_non_null(e);

	/* the source alone: every document with a value matches, weighted
	 * 0 unless its date reads; 2^-100 is tiny, 2^-2000 is 0 */
	OK(xap_query_recency(SLOT_DATE, now, 1.0, 1.0, &rec));
	r = run(e, rec, 0, 20);
	assert_int_equal(xap_results_size(r), N + 2);
	for (size_t i = 0; i < xap_results_size(r); i++) {
		OK(xap_results_hit(r, i, &h));
		if (h.docid == N + 1) {
			assert_true(h.weight > 0);
			assert_float_equal(h.weight, 7.888609052210118e-31,
					   1e-40);
		} else {
			assert_float_equal(h.weight, 0.0, 0.0);
		}
	}
	xap_results_free(r);
	xap_query_free(rec);
	xap_enquire_free(e);
	xap_db_free(db);
}

/* A list value with empty items (doubled or trailing separators): the
 * empty items are not counted. */
static void test_facet_empty_items(void **state)
{
	static const struct fixture_doc docs[] = {
		{ "1", "storm", NULL, NULL, NULL, "Kabul\x1f\x1fParis\x1f" },
		{ "2", "storm", NULL, NULL, NULL, "\x1fParis" },
		{ "3", "storm", NULL, NULL, NULL, "\x1f" },
	};
	xap_writer *w = open_writer("facet-empty");
	xap_db *db;
	xap_enquire *e;
	xap_query *q = term_query("storm");
	xap_results *r;
	unsigned places;
	struct terms t = { 0 };

	(void)state;
	write_docs(w, docs, 3);
	xap_writer_free(w);
	db = open_reader("facet-empty");
	e = xap_enquire_new(db);
	assert_non_null(e);
	OK(xap_enquire_add_facet(e, SLOT_PLACES, SEP, &places));
	r = run(e, q, 0, 10);
	OK(xap_results_facets(r, places, collect_term, &t));
	assert_int_equal(t.n, 2);
	assert_string_equal(t.term[0], "Paris");
	assert_int_equal(t.freq[0], 2);
	assert_string_equal(t.term[1], "Kabul");
	assert_int_equal(t.freq[1], 1);
	xap_results_free(r);
	xap_query_free(q);
	xap_enquire_free(e);
	xap_db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_null_handles),
		cmocka_unit_test(test_missing_database),
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_write_and_read),
		cmocka_unit_test(test_writer_lock),
		cmocka_unit_test(test_term_too_long),
		cmocka_unit_test(test_closed_handles),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_modified),
		cmocka_unit_test(test_spelling_synonyms),
		cmocka_unit_test(test_queries),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_ranking),
		cmocka_unit_test(test_collapse),
		cmocka_unit_test(test_facets),
		cmocka_unit_test(test_value_cache),
		cmocka_unit_test(test_recency),
		cmocka_unit_test(test_stem),
		cmocka_unit_test(test_stub_and_remote_failure),
		cmocka_unit_test(test_remote),
		cmocka_unit_test(test_compact_and_check),
		cmocka_unit_test(test_check_corrupt),
		cmocka_unit_test(test_count_matches),
		cmocka_unit_test(test_is_conjunction),
		cmocka_unit_test(test_value_bounds),
		cmocka_unit_test(test_count_distinct),
		cmocka_unit_test(test_values_stream),
		cmocka_unit_test(test_argument_checks),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_reopen_anew),
		cmocka_unit_test(test_recency_edges),
		cmocka_unit_test(test_facet_empty_items),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
