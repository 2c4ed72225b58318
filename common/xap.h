/*
 * xap.h - wiresearch's C bindings to Xapian.
 *
 * This header is the whole surface through which C code reaches Xapian.
 * It is implemented by xap.cc, the only C++ file of the project.
 *
 * Rules that hold for every function below:
 *  - Every entry point catches every exception (Xapian::Error, std::bad_alloc,
 *    any other std::exception, and `...`) and maps it through one classifier
 *    to an xap_status.  No exception, C++ type or std::string crosses into C.
 *  - A function that can fail returns xap_status; values come back through
 *    out-parameters, never in the return slot.
 *  - On failure a message is kept on the handle the call was made on, until
 *    the next call on that handle: read it with xap_db_message(),
 *    xap_writer_message(), xap_enquire_message().  Calls that have no handle
 *    (query constructors, xap_compact, xap_check, xap_stem_new) keep their
 *    message in a thread-local slot read with xap_last_message().
 *  - A NULL handle or a handle that has been closed gives XAP_INVALID, never
 *    a crash.  Every *_free(NULL) is a no-op.
 *  - Strings returned through `char **` are malloc'd and owned by the caller
 *    (free()).  Strings returned through `const char **` are borrowed: they
 *    stay valid until the next call on the same handle or its free.
 */
#ifndef WIRE_XAP_H
#define WIRE_XAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What went wrong, whatever Xapian threw. */
typedef enum xap_status {
	XAP_OK = 0,
	XAP_NOT_FOUND,  /* database, document or term does not exist */
	XAP_LOCKED,     /* another writer holds the database's lock */
	XAP_MODIFIED,   /* the revision being read was discarded: reopen, retry */
	XAP_CORRUPT,    /* the database read is damaged, or a reader read a block
			 * the writer has reused since (it makes no sense) */
	XAP_VERSION,    /* the database format is not supported */
	XAP_QUERY,      /* the query cannot be run (unimplemented or bad shape) */
	XAP_WILDCARD,   /* a wildcard expanded past its bound */
	XAP_IO,         /* reading or writing files failed (disk full, EIO...) */
	XAP_NETWORK,    /* a remote database could not be reached or timed out */
	XAP_NOMEM,      /* out of memory */
	XAP_INVALID,    /* invalid argument, closed handle, term too long... */
	XAP_INTERNAL    /* anything else: a bug in us or in Xapian */
} xap_status;

/* A short lowercase name for a status ("locked", "modified"...).  Static. */
const char *xap_status_name(xap_status st);

/* Message of the last failed handle-less call on this thread ("" if none).
 * Borrowed: valid until the next handle-less call on this thread. */
const char *xap_last_message(void);

/* What to do, instead of the bare abort, when an exception meets a frame
 * that cannot pass it and C++ must end the process (std::terminate).
 * Xapian 1.4.22 writes the last value chunk of a commit from a destructor:
 * a write that fails there (ENOSPC, EIO) ends the process so.  FN gets the
 * exception's description (e.g. "DatabaseError: Error writing block 48
 * (No space left on device)") and must end the process itself; what was
 * committed before stays (Xapian's commit is atomic).  If FN returns, or
 * with FN NULL, the process aborts as before.  Cannot fail. */
void xap_set_fatal_handler(void (*fn)(const char *description));

/* The version of the Xapian library this process runs on ("1.4.22"), which
 * may be newer than the headers it was built with.  Static storage; cannot
 * fail. */
const char *xap_version_string(void);

typedef uint32_t xap_docid;

/* ---------------------------------------------------------------------
 * Read-only databases.
 * A path may name a glass database directory or a stub file listing
 * several databases (local paths and `remote` lines); xap_db_add() adds
 * more.  Searching several databases merges their statistics.
 */
typedef struct xap_db xap_db;

/* A new, empty handle.  NULL only when out of memory. */
xap_db *xap_db_new(void);
/* Add the database (or stub) at PATH to the handle.  NOT_FOUND when nothing
 * is there, VERSION, CORRUPT, IO, NETWORK otherwise. */
xap_status xap_db_add(xap_db *db, const char *path);
/* Add a remote database served by xapian-tcpsrv at HOST:PORT, giving up
 * after TIMEOUT_MS on connect and on each exchange (NETWORK). */
xap_status xap_db_add_remote(xap_db *db, const char *host, unsigned port,
			     unsigned timeout_ms);
/* Move to the latest committed revision.  Call after XAP_MODIFIED.  When
 * the handle was left broken by a revision the writer overwrote under it
 * (CORRUPT or I/O errors that a plain reopen meets again), its databases
 * are opened anew from the paths and servers they were added from; a stub
 * file is read again only then. */
xap_status xap_db_reopen(xap_db *db);
/* Close the databases; later calls give XAP_INVALID. */
void xap_db_close(xap_db *db);
/* Release the handle.  Must not be called on a view from xap_writer_db(). */
void xap_db_free(xap_db *db);
/* Message of the last failed call on DB (borrowed; "" when none). */
const char *xap_db_message(const xap_db *db);

/* Number of documents. */
xap_status xap_db_doccount(xap_db *db, uint32_t *out);
/* Highest document id in use. */
xap_status xap_db_lastdocid(xap_db *db, xap_docid *out);
/* Bounds on the values of slot SLOT over every document (every value lies
 * between them; after deletions they may be wider than the values left):
 * malloc'd copies in *LO and *HI, both "" when no document has the value.
 * On failure both are NULL. */
xap_status xap_db_value_bounds(xap_db *db, unsigned slot, char **lo, char **hi);
/* Revision of the (first) database, for ETags.  Remote: 0. */
xap_status xap_db_revision(xap_db *db, uint64_t *out);
/* Number of documents indexed by TERM (0 when absent). */
xap_status xap_db_termfreq(xap_db *db, const char *term, uint32_t *out);
/* Total occurrences of TERM over all documents. */
xap_status xap_db_collection_freq(xap_db *db, const char *term, uint64_t *out);

/* Visit value slot SLOT of each of the N documents IDS (in ascending
 * order), reading the slot's value stream once from start to end, which is
 * far cheaper than reading document after document: FN(CTX, I, VALUE, LEN)
 * for IDS[I] (LEN 0 when the document has no such value; VALUE borrowed
 * for the call).  FN returns nonzero to stop (not an error). */
typedef int (*xap_value_fn)(void *ctx, size_t i, const char *value, size_t len);
xap_status xap_db_values(xap_db *db, const xap_docid *ids, size_t n,
			 unsigned slot, xap_value_fn fn, void *ctx);

/* Visit the documents indexed by TERM in docid order.  FN returns 0 to go
 * on, nonzero to stop early (not an error). */
typedef int (*xap_docid_fn)(void *ctx, xap_docid id);
xap_status xap_db_postings(xap_db *db, const char *term, xap_docid_fn fn,
			   void *ctx);

/* Visit every term starting with PREFIX in byte order, with its document
 * frequency.  TERM is borrowed for the duration of the call. */
typedef int (*xap_term_fn)(void *ctx, const char *term, size_t len,
			   uint32_t termfreq);
xap_status xap_db_allterms(xap_db *db, const char *prefix, xap_term_fn fn,
			   void *ctx);

/* Metadata value for KEY; *OUT is malloc'd (NUL-terminated, length in
 * *LEN), or NULL when the key is not set (still XAP_OK). */
xap_status xap_db_get_metadata(xap_db *db, const char *key, char **out,
			       size_t *len);
/* Best spelling correction of WORD within MAX_EDIT edits, or NULL in *OUT
 * when there is none.  Caller frees. */
xap_status xap_db_spelling_suggestion(xap_db *db, const char *word,
				      unsigned max_edit, char **out);
/* Visit the synonyms recorded for TERM. */
xap_status xap_db_synonyms(xap_db *db, const char *term, xap_term_fn fn,
			   void *ctx);

/* ---------------------------------------------------------------------
 * Documents: a bag of terms (with positions), values and data.
 */
typedef struct xap_doc xap_doc;

/* A new empty document, or NULL when out of memory. */
xap_doc *xap_doc_new(void);
void xap_doc_free(xap_doc *doc);
/* Add TERM at POSITION (positions start at 1), raising its wdf by WDFINC. */
xap_status xap_doc_add_posting(xap_doc *doc, const char *term,
			       uint32_t position, uint32_t wdfinc);
/* Add TERM without a position, raising its wdf by WDFINC. */
xap_status xap_doc_add_term(xap_doc *doc, const char *term, uint32_t wdfinc);
/* Add a boolean (filter) term: no wdf, no position, no effect on ranking. */
xap_status xap_doc_add_boolean_term(xap_doc *doc, const char *term);
/* Whether a writer would take DOC: XAP_INVALID (with the term in the
 * message) when a term is over Xapian's 245-byte limit. */
xap_status xap_doc_check(xap_doc *doc);
/* Remove TERM and its positions (NOT_FOUND when the document lacks it). */
xap_status xap_doc_remove_term(xap_doc *doc, const char *term);
/* Whether the document has TERM (*OUT 1 or 0). */
xap_status xap_doc_has_term(xap_doc *doc, const char *term, int *out);
/* Set value SLOT to the LEN bytes at DATA. */
xap_status xap_doc_set_value(xap_doc *doc, unsigned slot, const void *data,
			     size_t len);
/* Set the document data (our stored record). */
xap_status xap_doc_set_data(xap_doc *doc, const void *data, size_t len);
/* The document data, borrowed until the next call on DOC. */
xap_status xap_doc_get_data(xap_doc *doc, const void **data, size_t *len);
/* Value SLOT (empty when unset), borrowed until the next call on DOC. */
xap_status xap_doc_get_value(xap_doc *doc, unsigned slot, const void **data,
			     size_t *len);
/* Visit the document's terms starting with PREFIX, with their wdf in place
 * of the term frequency. */
xap_status xap_doc_terms(xap_doc *doc, const char *prefix, xap_term_fn fn,
			 void *ctx);
/* Id of a document read from a database (0 for a new one). */
xap_docid xap_doc_id(const xap_doc *doc);
/* Message of the last failed call on DOC (borrowed). */
const char *xap_doc_message(const xap_doc *doc);

/* Read document ID from DB into a new handle (NOT_FOUND when absent). */
xap_status xap_db_get_document(xap_db *db, xap_docid id, xap_doc **out);

/* ---------------------------------------------------------------------
 * Writable databases.  One writer at a time per database (LOCKED).
 */
typedef struct xap_writer xap_writer;

enum {
	XAP_WRITER_CREATE = 1 << 0,     /* create the database if missing */
	XAP_WRITER_WAIT_LOCK = 1 << 1,  /* wait for the lock, not LOCKED */
	XAP_WRITER_NO_SYNC = 1 << 2,    /* no fsync: for throwaway builds */
	XAP_WRITER_DANGEROUS = 1 << 3   /* update in place: throwaway builds */
};

/* A new handle, not yet open.  NULL only when out of memory. */
xap_writer *xap_writer_new(void);
/* Open the glass database at PATH for writing with XAP_WRITER_* FLAGS. */
xap_status xap_writer_open(xap_writer *w, const char *path, int flags);
/* Message of the last failed call on W (borrowed). */
const char *xap_writer_message(const xap_writer *w);
/* Start a transaction: nothing is visible or durable until committed. */
xap_status xap_writer_begin(xap_writer *w);
/* Commit the transaction atomically (durably, unless NO_SYNC). */
xap_status xap_writer_commit_transaction(xap_writer *w);
/* Throw away the transaction's changes. */
xap_status xap_writer_cancel_transaction(xap_writer *w);
/* Commit pending changes made outside a transaction. */
xap_status xap_writer_commit(xap_writer *w);
/* Replace the document indexed by UNIQUE_TERM (or add it when none is),
 * returning its id in *ID (may be NULL).  A term over Xapian's limit gives
 * XAP_INVALID and changes nothing. */
xap_status xap_writer_replace_by_term(xap_writer *w, const char *unique_term,
				      xap_doc *doc, xap_docid *id);
/* Replace document ID (adding it under that id when missing). */
xap_status xap_writer_replace(xap_writer *w, xap_docid id, xap_doc *doc);
/* Add DOC under a new id. */
xap_status xap_writer_add(xap_writer *w, xap_doc *doc, xap_docid *id);
/* Delete every document indexed by TERM. */
xap_status xap_writer_delete_by_term(xap_writer *w, const char *term);
/* Delete document ID (NOT_FOUND when absent). */
xap_status xap_writer_delete(xap_writer *w, xap_docid id);
/* Set metadata KEY to LEN bytes at VALUE (LEN 0 deletes the key). */
xap_status xap_writer_set_metadata(xap_writer *w, const char *key,
				   const void *value, size_t len);
/* Add FREQ to WORD's frequency in the spelling table. */
xap_status xap_writer_add_spelling(xap_writer *w, const char *word,
				   uint32_t freq);
/* Record SYNONYM as a synonym of TERM. */
xap_status xap_writer_add_synonym(xap_writer *w, const char *term,
				  const char *synonym);
/* Forget every synonym of TERM. */
xap_status xap_writer_clear_synonyms(xap_writer *w, const char *term);
/* A read view of the writer's database, seeing its uncommitted changes.
 * Borrowed: valid until xap_writer_free(); never pass it to xap_db_free().
 * NULL when W is not open. */
xap_db *xap_writer_db(xap_writer *w);
/* Close: commits pending changes outside a transaction, releases the lock. */
xap_status xap_writer_close(xap_writer *w);
/* Release the handle (closing it first; a pending transaction is lost). */
void xap_writer_free(xap_writer *w);

/* ---------------------------------------------------------------------
 * Queries.  Handles are immutable values; combining copies the subqueries
 * (cheaply), so the caller still owns and frees every handle it made.
 * Failures (out of memory, invalid argument) set xap_last_message().
 */
typedef struct xap_query xap_query;

typedef enum xap_op {
	XAP_OP_AND,
	XAP_OP_OR,
	XAP_OP_AND_NOT,      /* first AND NOT (second OR third ...) */
	XAP_OP_AND_MAYBE,    /* first, weighted up by the others */
	XAP_OP_FILTER,       /* first, restricted by the others, unweighted */
	XAP_OP_PHRASE,       /* in order within WINDOW positions */
	XAP_OP_NEAR,         /* any order within WINDOW positions */
	XAP_OP_SYNONYM,      /* like OR, weighted as one term */
	XAP_OP_ELITE_SET
} xap_op;

/* A single term: WQF is its within-query frequency (1 usually), POS its
 * position in the query (0 when none). */
xap_status xap_query_term(const char *term, uint32_t wqf, uint32_t pos,
			  xap_query **out);
/* SUBS combined with OP.  WINDOW is for PHRASE and NEAR (0: the number of
 * subqueries) and the set size for ELITE_SET.  N == 0 gives MatchNothing. */
xap_status xap_query_combine(xap_op op, xap_query *const *subs, size_t n,
			     uint32_t window, xap_query **out);
/* Every term starting with PREFIX, ORed as a synonym.  With MAX_EXPANSION
 * > 0, running a query that expands to more terms fails with XAP_WILDCARD
 * instead of slowing down. */
xap_status xap_query_wildcard(const char *prefix, uint32_t max_expansion,
			      xap_query **out);
/* Documents whose value SLOT lies between LO and HI (bytewise, inclusive).
 * LO NULL: no lower bound; HI NULL: no upper bound. */
xap_status xap_query_value_range(unsigned slot, const char *lo, const char *hi,
				 xap_query **out);
/* Q with its weight multiplied by FACTOR (>= 0). */
xap_status xap_query_scale(const xap_query *q, double factor, xap_query **out);
/* Weight rising with the date in value SLOT (YYYYMMDDhhmmss text), MAX at
 * NOW and halving every HALF_LIFE_DAYS.  Use with AND_MAYBE. */
xap_status xap_query_recency(unsigned slot, int64_t now, double half_life_days,
			     double max_weight, xap_query **out);
/* Match every document / no document. */
xap_status xap_query_all(xap_query **out);
xap_status xap_query_none(xap_query **out);
/* Xapian's description of Q (malloc'd). */
xap_status xap_query_describe(const xap_query *q, char **out);
/* Whether Q matches nothing by construction. */
int xap_query_is_empty(const xap_query *q);
/* Whether Q's weighted part is an AND of several subqueries (looking
 * through AND_NOT, FILTER and AND_MAYBE to their first side, and through
 * weight scaling).  A ranked run of such a query weighs nearly every match
 * before its first page is certain, so one run over every match costs
 * less than a ranked run plus a separate count.  0 for NULL. */
int xap_query_is_conjunction(const xap_query *q);
void xap_query_free(xap_query *q);

/* Exactly how many documents Q matches in DB, into *OUT.  A single term
 * is its term frequency; an OR counts its commonest term so and walks only
 * the others' postings; "A AND_NOT B" with a small B is |A| minus
 * |A AND B|; anything else is an unweighted, uncollapsed run over every
 * match, which still costs far less than a ranked run that checks them
 * all.  Fails with the status of the error (message: xap_db_message()). */
xap_status xap_db_count_matches(xap_db *db, const xap_query *q, uint32_t *out);
/* Exactly how many distinct values value slot SLOT holds over the
 * documents Q matches (a document without the value is not counted), into
 * *OUT, and when MATCHES is not NULL the number of those documents into
 * *MATCHES (one unweighted run gives both).  Fails as
 * xap_db_count_matches(). */
xap_status xap_db_count_distinct(xap_db *db, const xap_query *q, unsigned slot,
				 uint32_t *out, uint32_t *matches);

/* ---------------------------------------------------------------------
 * Stemmers (Snowball, through Xapian).
 */
typedef struct xap_stem xap_stem;
/* A stemmer for LANGUAGE ("en", "english", "es"...): NOT_FOUND when Xapian
 * has none. */
xap_status xap_stem_new(const char *language, xap_stem **out);
/* The stem of WORD (malloc'd). */
xap_status xap_stem_word(xap_stem *s, const char *word, char **out);
void xap_stem_free(xap_stem *s);

/* ---------------------------------------------------------------------
 * Matching and ranking.
 */
typedef struct xap_enquire xap_enquire;
typedef struct xap_results xap_results;

/* A search over DB (borrowed: it must outlive the enquire).  NULL when out
 * of memory or DB is not open. */
xap_enquire *xap_enquire_new(xap_db *db);
void xap_enquire_free(xap_enquire *e);
const char *xap_enquire_message(const xap_enquire *e);
xap_status xap_enquire_set_query(xap_enquire *e, const xap_query *q);
/* BM25 with Xapian's parameter names (defaults 1, 0, 1, 0.5, 0.5). */
xap_status xap_enquire_set_bm25(xap_enquire *e, double k1, double k2,
				double k3, double b, double min_normlen);
/* Match without weights, in whatever docid order is quickest: for runs
 * that list or count matches, not rank them. */
xap_status xap_enquire_set_unweighted(xap_enquire *e);
/* Sort by value SLOT (bytewise), descending when REVERSE; ties by
 * relevance when THEN_RELEVANCE. */
xap_status xap_enquire_sort_by_value(xap_enquire *e, unsigned slot,
				     int reverse, int then_relevance);
/* Sort by relevance, ties broken by value SLOT. */
xap_status xap_enquire_sort_by_relevance_then_value(xap_enquire *e,
						    unsigned slot, int reverse);
/* Keep at most MAX documents per distinct value of SLOT (empty values are
 * never collapsed). */
xap_status xap_enquire_set_collapse_key(xap_enquire *e, unsigned slot,
					unsigned max);
/* Count, over every matching document (not only the page), the values of
 * SLOT.  With SEPARATOR >= 0 a value is a list split on that byte and each
 * item is counted.  *ID identifies the spy for xap_results_facets(). */
xap_status xap_enquire_add_facet(xap_enquire *e, unsigned slot, int separator,
				 unsigned *id);
/* Count, as xap_enquire_add_facet(), the items of field FIELD (from 0) of
 * the values of SLOT, whose fields are joined by the byte FIELD_SEP; a
 * value with fewer fields counts nothing here.  The facets of one slot
 * share one read of it per match.  *ID as for xap_enquire_add_facet(). */
xap_status xap_enquire_add_facet_field(xap_enquire *e, unsigned slot,
				       int field_sep, unsigned field,
				       int separator, unsigned *id);
/* Count the distinct values of SLOT over every matching document (the
 * exact number of stories when SLOT is the story id); read it with
 * xap_results_distinct(). */
xap_status xap_enquire_add_distinct(xap_enquire *e, unsigned slot,
				    unsigned *id);
/* Value columns kept across searches by a resident process (the FastCGI
 * searcher).  A faceted search given one (xap_enquire_set_value_cache())
 * counts the values of its facet slots by document id from the column of
 * each slot, instead of reading each match's value: a fifth of the time
 * on a common word.  A slot's column is built on the first faceted search
 * that needs it, from the slot's value stream, and built again when the
 * database is no longer the one it was built for (its UUID and revision:
 * a commit or a new generation).  Only a handle on one local database
 * (one generation, whether opened through a stub or not) uses it; shards,
 * remote databases and databases with more than MAX_DOCS document ids
 * count as without it.  The counts are the same either way.  Columns of
 * several databases are kept side by side (a process serving several
 * indexes); the least recently used are dropped beyond 16 columns or
 * 4 x MAX_DOCS document ids in all. */
typedef struct xap_value_cache xap_value_cache;
/* A cache of no columns yet, for databases of at most MAX_DOCS document ids
 * (4 bytes each per slot, plus each distinct value once).  NULL when out of
 * memory. */
xap_value_cache *xap_value_cache_new(uint32_t max_docs);
/* Free C and its columns.  NULL is a no-op. */
void xap_value_cache_free(xap_value_cache *c);
/* How many times a column of C has been built (for tests and logs). */
uint64_t xap_value_cache_builds(const xap_value_cache *c);
/* Count E's facets (not its distinct counts) through C from now on; NULL
 * stops.  C must outlive E's runs. */
xap_status xap_enquire_set_value_cache(xap_enquire *e, xap_value_cache *c);
/* Run the search: results FIRST .. FIRST+MAXITEMS-1, counting at least
 * CHECK_AT_LEAST matches (pass the document count for exact counts). */
xap_status xap_enquire_run(xap_enquire *e, uint32_t first, uint32_t maxitems,
			   uint32_t check_at_least, xap_results **out);

/* One hit of a result page. */
typedef struct xap_hit {
	xap_docid docid;
	uint32_t rank;          /* 0-based rank over the whole result set */
	double weight;
	int percent;
	uint32_t collapse_count; /* documents collapsed into this one */
} xap_hit;

/* Number of hits on this page. */
size_t xap_results_size(const xap_results *r);
/* Matches: exact when the search checked every match without collapsing
 * (then lower == upper), else estimated; with collapsing even a run over
 * every match only estimates.  xap_db_count_matches() and
 * xap_db_count_distinct() count exactly. */
uint32_t xap_results_matches(const xap_results *r);
uint32_t xap_results_matches_lower(const xap_results *r);
uint32_t xap_results_matches_upper(const xap_results *r);
/* Matches before collapsing: an estimate when collapsing, even over every
 * match (use xap_db_count_matches() for an exact count). */
uint32_t xap_results_uncollapsed_matches(const xap_results *r);
/* Hit I of the page. */
xap_status xap_results_hit(xap_results *r, size_t i, xap_hit *out);
/* The document of hit I (caller frees). */
xap_status xap_results_document(xap_results *r, size_t i, xap_doc **out);
/* The query terms that document DOCID matched. */
xap_status xap_results_matching_terms(xap_results *r, xap_docid docid,
				      xap_term_fn fn, void *ctx);
/* The counts gathered by facet spy ID, most frequent first. */
xap_status xap_results_facets(xap_results *r, unsigned id, xap_term_fn fn,
			      void *ctx);
/* The number counted by distinct-count spy ID. */
xap_status xap_results_distinct(xap_results *r, unsigned id, uint32_t *n);
const char *xap_results_message(const xap_results *r);
void xap_results_free(xap_results *r);

/* ---------------------------------------------------------------------
 * Maintenance.
 */
/* Merge the N databases at SOURCES into a new compacted database at DEST.
 * MULTIPASS trades time for a smaller result; document ids are renumbered
 * unless KEEP_IDS. */
xap_status xap_compact(const char *const *sources, size_t n, const char *dest,
		       int multipass, int keep_ids);
/* Check the database at PATH; *ERRORS gets the number of problems found
 * (0 for a sound database).  CORRUPT etc. when it cannot even be read. */
xap_status xap_check(const char *path, size_t *errors);

#ifdef __cplusplus
}
#endif
#endif
