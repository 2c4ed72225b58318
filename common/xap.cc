/*
 * xap.cc - wiresearch's C bindings to Xapian (see xap.h).
 *
 * The only C++ of the project.  Every extern "C" function below has the same
 * shape: argument checks, then the Xapian calls inside try { } catch (...),
 * where classify() rethrows the exception in flight and maps it to an
 * xap_status, keeping its text on the handle (or in the thread-local slot
 * for handle-less calls).  Our own argument errors are thrown as Xapian
 * exceptions too, so that every failure takes that one path.
 *
 * Strings handed to C through `char **` come from std::malloc (the header
 * promises free()); a failed allocation of a handle gives NULL or XAP_NOMEM.
 */
#include "xap.h"

#include <xapian.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

/* Xapian's glass backend refuses terms longer than this (MAX_SAFE_TERM_LENGTH
 * in backends/glass); not exported by the public headers. */
static const size_t XAP_MAX_TERM = 245;

/* ---------------------------------------------------------------------
 * Handles.
 */
/* Where a database handle's parts came from, to open them anew. */
struct db_source {
	std::string path;    /* local database or stub; "" for remote */
	std::string host;
	unsigned port;
	unsigned timeout_ms;
};

struct xap_db {
	Xapian::Database db;
	std::vector<db_source> sources;
	/* The first database added, alone: what xap_db_revision() reports. */
	Xapian::Database first;
	bool have_first = false;
	bool first_remote = false;
	bool open = true;
	/* A view owned by a writer (xap_writer_db()): never freed by C. */
	bool view = false;
	std::string msg;
};

struct xap_doc {
	Xapian::Document doc;
	std::string buf; /* backs the borrowed data/value of the last call */
	std::string msg;
};

struct xap_writer {
	Xapian::WritableDatabase wdb;
	bool open = false;
	xap_db view;
	std::string msg;
};

struct xap_query {
	Xapian::Query q;
};

struct xap_stem {
	Xapian::Stem stem;
};

struct facet_spec {
	Xapian::valueno slot;
	int separator; /* < 0: the whole value is one item */
	bool distinct; /* only count the distinct values */
	int field_sep; /* >= 0: the value's field FIELD is counted */
	unsigned field;
};

typedef std::vector<std::pair<std::string, Xapian::doccount> > facet_counts;

/* The values of one slot of one database by document id: ids[docid] is 0
 * (no value) or 1 + the value's index in values. */
struct value_column {
	Xapian::rev revision = 0; /* of the database it was read from */
	std::vector<uint32_t> ids;
	std::vector<std::string> values;
	uint64_t used = 0;        /* the cache's tick when last used */
};

/* Columns by (database UUID, slot).  A process serving several indexes
 * keeps theirs side by side; the least recently used go first when there
 * are COLUMNS_MAX of them or their ids exceed COLUMN_IDS_FACTOR x
 * max_docs.  A run holds its columns by shared_ptr, so an eviction
 * during the run frees nothing it reads. */
enum { COLUMNS_MAX = 16, COLUMN_IDS_FACTOR = 4 };

struct xap_value_cache {
	uint32_t max_docs = 0;
	uint64_t builds = 0;
	uint64_t tick = 0;
	std::map<std::pair<std::string, Xapian::valueno>,
		 std::shared_ptr<value_column> > columns;
};

struct xap_enquire {
	explicit xap_enquire(const Xapian::Database &d) : db(d), enq(d) {}
	Xapian::Database db;
	Xapian::Enquire enq;
	Xapian::Query query;
	std::vector<facet_spec> facets;
	xap_value_cache *cache = nullptr;
	std::string msg;
};

struct xap_results {
	explicit xap_results(const Xapian::Database &d) : enq(d) {}
	Xapian::MSet mset;
	/* A private Enquire holding the query that was run, so that
	 * get_matching_terms_begin() answers for this result set even after
	 * the xap_enquire it came from is given another query or freed. */
	Xapian::Enquire enq;
	std::vector<facet_counts> facets;
	std::string msg;
};

/* ---------------------------------------------------------------------
 * Errors.
 */
static thread_local std::string last_msg;

/* Keep TEXT in SLOT; a failure to copy leaves SLOT empty rather than
 * throwing from inside an exception handler. */
static void keep(std::string &slot, const char *text) noexcept
{
	try {
		slot.assign(text);
	} catch (...) {
		slot.clear();
	}
}

static void keep_error(std::string &slot, const Xapian::Error &e) noexcept
{
	try {
		slot = e.get_description();
	} catch (...) {
		keep(slot, e.get_msg().c_str());
	}
}

/* ---------------------------------------------------------------------
 * std::terminate: the exception's description to the program's handler.
 */
static void (*fatal_handler)(const char *description);

[[noreturn]] static void on_terminate() noexcept
{
	int err = errno; /* the failed write's, when nothing else is known */
	std::string what;

	try {
		what = "Xapian stopped without an error to report";
		if (err) {
			what += " (the last system error: ";
			what += std::strerror(err);
			what += ")";
		}
		std::exception_ptr p = std::current_exception();
		if (p)
			std::rethrow_exception(p);
	} catch (const Xapian::Error &e) {
		keep_error(what, e);
	} catch (const std::exception &e) {
		keep(what, e.what());
	} catch (...) {
	}
	if (fatal_handler)
		fatal_handler(what.c_str());
	std::abort(); /* lint-ok: a terminate handler must not return */
}

void xap_set_fatal_handler(void (*fn)(const char *description))
{
	try {
		fatal_handler = fn;
		std::set_terminate(fn ? on_terminate : nullptr);
	} catch (...) {
		/* set_terminate() does not throw */
	}
}

const char *xap_version_string(void)
{
	return Xapian::version_string(); /* noexcept: a static string */
}

/* The one classifier: rethrow the exception being handled and map it.
 * Must only be called from inside a catch block.  Order matters: derived
 * classes before their bases (NotFound and Version are OpeningErrors, which
 * are DatabaseErrors; NetworkTimeoutError is a NetworkError). */
static xap_status classify(std::string &slot) noexcept
{
	try {
		throw;
	} catch (const Xapian::DatabaseNotFoundError &e) {
		keep_error(slot, e);
		return XAP_NOT_FOUND;
	} catch (const Xapian::DocNotFoundError &e) {
		keep_error(slot, e);
		return XAP_NOT_FOUND;
	} catch (const Xapian::DatabaseLockError &e) {
		keep_error(slot, e);
		return XAP_LOCKED;
	} catch (const Xapian::DatabaseModifiedError &e) {
		keep_error(slot, e);
		return XAP_MODIFIED;
	} catch (const Xapian::DatabaseCorruptError &e) {
		keep_error(slot, e);
		return XAP_CORRUPT;
	} catch (const Xapian::DatabaseVersionError &e) {
		keep_error(slot, e);
		return XAP_VERSION;
	} catch (const Xapian::DatabaseClosedError &e) {
		keep_error(slot, e);
		return XAP_INVALID;
	} catch (const Xapian::DatabaseError &e) {
		/* DatabaseOpeningError, DatabaseCreateError, plain I/O errors */
		keep_error(slot, e);
		return XAP_IO;
	} catch (const Xapian::QueryParserError &e) {
		keep_error(slot, e);
		return XAP_QUERY;
	} catch (const Xapian::UnimplementedError &e) {
		keep_error(slot, e);
		return XAP_QUERY;
	} catch (const Xapian::WildcardError &e) {
		keep_error(slot, e);
		return XAP_WILDCARD;
	} catch (const Xapian::NetworkError &e) {
		keep_error(slot, e);
		return XAP_NETWORK;
	} catch (const Xapian::InvalidArgumentError &e) {
		keep_error(slot, e);
		return XAP_INVALID;
	} catch (const Xapian::InvalidOperationError &e) {
		keep_error(slot, e);
		return XAP_INVALID;
	} catch (const Xapian::RangeError &e) {
		keep_error(slot, e);
		return XAP_INVALID;
	} catch (const Xapian::SerialisationError &e) {
		keep_error(slot, e);
		return XAP_INVALID;
	} catch (const Xapian::Error &e) {
		/* AssertionError, InternalError, FeatureUnavailableError */
		keep_error(slot, e);
		return XAP_INTERNAL;
	} catch (const std::bad_alloc &) {
		keep(slot, "out of memory");
		return XAP_NOMEM;
	} catch (const std::exception &e) {
		keep(slot, e.what());
		return XAP_INTERNAL;
	} catch (...) {
		keep(slot, "unknown exception");
		return XAP_INTERNAL;
	}
}

/* classify() for calls that read a database.  There a std::length_error
 * is a length read that makes no sense: from a damaged block, or from one
 * the writer has reused since this reader's revision (seen once in 8,733
 * searches of 064's commit storm).  It is XAP_CORRUPT, which a search
 * retries after reopening as it does Xapian's DatabaseCorruptError.
 * Elsewhere it stays XAP_INTERNAL: a caller's oversized argument. */
static xap_status classify_read(std::string &slot) noexcept
{
	try {
		throw;
	} catch (const std::length_error &e) {
		keep(slot, (std::string("inconsistent data read: ") + e.what()).c_str());
		return XAP_CORRUPT;
	} catch (...) {
		return classify(slot);
	}
}

/* Argument errors: thrown so that they reach classify() like the rest. */
static void invalid(const char *what)
{
	throw Xapian::InvalidArgumentError(what);
}

static void need(bool ok, const char *what)
{
	if (!ok)
		invalid(what);
}

/* A NULL handle: nowhere to keep the message but the thread-local slot. */
static xap_status null_handle(const char *what) noexcept
{
	keep(last_msg, what);
	return XAP_INVALID;
}

static void check_db(const xap_db *db)
{
	if (!db->open)
		throw Xapian::InvalidOperationError("database handle is closed");
}

static void check_writer(const xap_writer *w)
{
	if (!w->open)
		throw Xapian::InvalidOperationError("writer is not open");
}

static void check_term_length(const std::string &term)
{
	if (term.size() > XAP_MAX_TERM)
		throw Xapian::InvalidArgumentError("Term too long (> 245): " +
						   term);
}

/* Xapian checks term lengths while it applies a document, and when one is
 * too long it cancels every uncommitted change of the writer, not only
 * that document's.  Checking first keeps the promise that a bad document
 * changes nothing. */
static void check_doc_terms(const Xapian::Document &doc)
{
	for (Xapian::TermIterator t = doc.termlist_begin();
	     t != doc.termlist_end(); ++t)
		check_term_length(*t);
}

/* A malloc'd NUL-terminated copy for C, or bad_alloc. */
static char *c_string(const std::string &s)
{
	char *p = static_cast<char *>(std::malloc(s.size() + 1));

	if (!p)
		throw std::bad_alloc();
	std::memcpy(p, s.data(), s.size());
	p[s.size()] = '\0';
	return p;
}

/* Call FN for every term of [IT, END) starting with PREFIX (IT already
 * skipped to PREFIX).  FREQ gives the frequency reported for a term. */
template <typename Freq>
static void visit_terms(Xapian::TermIterator it, const std::string &prefix,
			xap_term_fn fn, void *ctx, Freq freq)
{
	for (; it != Xapian::TermIterator(); ++it) {
		const std::string term = *it;

		if (term.compare(0, prefix.size(), prefix) != 0)
			break;
		if (fn(ctx, term.c_str(), term.size(), freq(it, term)))
			break;
	}
}

/* The int inside an enum argument.  C may pass any int for one; in C++
 * loading an enum object outside its enumerators' range is undefined (UBSan
 * says so), so the bits are read, not the enum. */
template <typename E> static int enum_value(const E &e)
{
	int v;

	static_assert(sizeof(v) == sizeof(e), "C enums are ints");
	std::memcpy(&v, &e, sizeof(v));
	return v;
}

extern "C" {

const char *xap_status_name(xap_status st)
{
	switch (enum_value(st)) {
	case XAP_OK:
		return "ok";
	case XAP_NOT_FOUND:
		return "not found";
	case XAP_LOCKED:
		return "locked";
	case XAP_MODIFIED:
		return "modified";
	case XAP_CORRUPT:
		return "corrupt";
	case XAP_VERSION:
		return "version";
	case XAP_QUERY:
		return "query";
	case XAP_WILDCARD:
		return "wildcard";
	case XAP_IO:
		return "i/o";
	case XAP_NETWORK:
		return "network";
	case XAP_NOMEM:
		return "out of memory";
	case XAP_INVALID:
		return "invalid";
	case XAP_INTERNAL:
		return "internal";
	}
	return "internal";
}

const char *xap_last_message(void)
{
	return last_msg.c_str();
}

/* ---------------------------------------------------------------------
 * Read-only databases.
 */
xap_db *xap_db_new(void)
{
	try {
		return new (std::nothrow) xap_db;
	} catch (...) {
		classify(last_msg);
		return NULL;
	}
}

/* Record SUB as one more database of DB. */
static void db_append(xap_db *db, const Xapian::Database &sub, bool remote)
{
	db->db.add_database(sub);
	if (!db->have_first) {
		db->first = sub;
		db->have_first = true;
		db->first_remote = remote;
	}
}

xap_status xap_db_add(xap_db *db, const char *path)
{
	if (!db)
		return null_handle("xap_db_add: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		need(!db->view, "xap_db_add: cannot add to a writer's view");
		need(path && *path, "xap_db_add: empty path");
		/* Database(path) reads stub files (several local and remote
		 * databases) by itself. */
		db_append(db, Xapian::Database(path), false);
		db_source src = { path, "", 0, 0 };
		db->sources.push_back(src);
		return XAP_OK;
	} catch (...) {
		return classify(db->msg);
	}
}

xap_status xap_db_add_remote(xap_db *db, const char *host, unsigned port,
			     unsigned timeout_ms)
{
	if (!db)
		return null_handle("xap_db_add_remote: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		need(!db->view, "xap_db_add_remote: cannot add to a writer's view");
		need(host && *host, "xap_db_add_remote: empty host");
		need(port > 0 && port < 65536, "xap_db_add_remote: bad port");
		/* Remote timeouts are milliseconds, despite the useconds_t. */
		db_append(db,
			  Xapian::Remote::open(host, port, timeout_ms,
					       timeout_ms),
			  true);
		db_source src = { "", host, port, timeout_ms };
		db->sources.push_back(src);
		return XAP_OK;
	} catch (...) {
		return classify(db->msg);
	}
}

xap_status xap_db_reopen(xap_db *db)
{
	if (!db)
		return null_handle("xap_db_reopen: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		try {
			db->db.reopen();
			return XAP_OK;
		} catch (const Xapian::DatabaseModifiedError &) {
			throw;
		} catch (const Xapian::DatabaseError &) {
			/* A reader overtaken by a writer can read a reused
			 * block and come out of it broken (a "corrupt" or EOF
			 * error that reopen() meets again): open everything
			 * anew, which reads the latest revision from scratch. */
			if (db->view || db->sources.empty())
				throw;
		}
		Xapian::Database fresh, first;
		for (size_t i = 0; i < db->sources.size(); i++) {
			const db_source &src = db->sources[i];
			Xapian::Database sub = src.path.empty()
				? Xapian::Remote::open(src.host, src.port,
						       src.timeout_ms, src.timeout_ms)
				: Xapian::Database(src.path);
			fresh.add_database(sub);
			if (i == 0)
				first = sub;
		}
		db->db = fresh;
		db->first = first;
		return XAP_OK;
	} catch (...) {
		return classify(db->msg);
	}
}

void xap_db_close(xap_db *db)
{
	if (!db)
		return;
	try {
		/* A writer's view shares the writer's database: closing it
		 * would close the writer.  The view is only detached. */
		if (!db->view && db->open)
			db->db.close();
	} catch (...) {
		classify(db->msg);
	}
	try {
		db->db = Xapian::Database();
		db->first = Xapian::Database();
	} catch (...) {
		classify(db->msg);
	}
	db->have_first = false;
	db->open = false;
}

void xap_db_free(xap_db *db)
{
	if (!db || db->view)
		return; /* a view belongs to its writer */
	xap_db_close(db);
	delete db;
}

const char *xap_db_message(const xap_db *db)
{
	return db ? db->msg.c_str() : "";
}

xap_status xap_db_doccount(xap_db *db, uint32_t *out)
{
	if (!db)
		return null_handle("xap_db_doccount: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		need(out != NULL, "xap_db_doccount: NULL out");
		*out = db->db.get_doccount();
		return XAP_OK;
	} catch (...) {
		return classify_read(db->msg);
	}
}

xap_status xap_db_value_bounds(xap_db *db, unsigned slot, char **lo, char **hi)
{
	if (lo)
		*lo = NULL;
	if (hi)
		*hi = NULL;
	if (!db)
		return null_handle("xap_db_value_bounds: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		need(lo && hi, "xap_db_value_bounds: NULL out");
		need(slot != Xapian::BAD_VALUENO, "xap_db_value_bounds: bad slot");
		std::string l = db->db.get_value_lower_bound(slot);
		std::string h = db->db.get_value_upper_bound(slot);
		*lo = c_string(l);
		try {
			*hi = c_string(h);
		} catch (...) {
			std::free(*lo);
			*lo = NULL;
			throw;
		}
		return XAP_OK;
	} catch (...) {
		return classify_read(db->msg);
	}
}

xap_status xap_db_lastdocid(xap_db *db, xap_docid *out)
{
	if (!db)
		return null_handle("xap_db_lastdocid: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		need(out != NULL, "xap_db_lastdocid: NULL out");
		*out = db->db.get_lastdocid();
		return XAP_OK;
	} catch (...) {
		return classify_read(db->msg);
	}
}

xap_status xap_db_revision(xap_db *db, uint64_t *out)
{
	if (!db)
		return null_handle("xap_db_revision: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		need(out != NULL, "xap_db_revision: NULL out");
		/* 0 when there is no single revision to report: no database,
		 * a remote one, or a stub file naming several. */
		*out = 0;
		if (!db->have_first || db->first_remote || db->first.size() != 1)
			return XAP_OK;
		try {
			*out = db->first.get_revision();
		} catch (const Xapian::UnimplementedError &) {
			/* a remote database named by a stub file */
			*out = 0;
		}
		return XAP_OK;
	} catch (...) {
		return classify(db->msg);
	}
}

xap_status xap_db_termfreq(xap_db *db, const char *term, uint32_t *out)
{
	if (!db)
		return null_handle("xap_db_termfreq: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		need(term && out, "xap_db_termfreq: NULL argument");
		*out = db->db.get_termfreq(term);
		return XAP_OK;
	} catch (...) {
		return classify_read(db->msg);
	}
}

/* Match without weights, in whatever docid order is quickest. */
static void set_unweighted(Xapian::Enquire &enq)
{
	enq.set_weighting_scheme(Xapian::BoolWeight());
	enq.set_docid_order(Xapian::Enquire::DONT_CARE);
}

/* An unweighted, uncollapsed run of Q over every match: the count is then
 * exact, and no weight is computed.  SPY, if any, sees every match. */
static Xapian::doccount count_run(const Xapian::Database &d, const Xapian::Query &q,
				  Xapian::MatchSpy *spy)
{
	Xapian::Enquire enq(d);

	enq.set_query(q);
	set_unweighted(enq);
	if (spy)
		enq.add_matchspy(spy);
	Xapian::doccount all = d.get_doccount();
	Xapian::MSet m = enq.get_mset(0, 0, all ? all : 1);
	if (spy)
		enq.clear_matchspies();
	return m.get_matches_estimated();
}

/* Exact counts by set algebra, so that a query's commonest term is counted
 * from its term frequency instead of walked posting by posting:
 *
 *   |t OR rest|     = tf(t) + |rest AND_NOT t|   t: the commonest term of
 *                                                 the OR, rest the others
 *   |a AND_NOT b|   = |a| - |a AND b|            when |a| comes cheaply and
 *                                                 b is the smaller side
 *   |a AND_MAYBE b| = |a|
 *
 * "said" is (said OR Ssaid OR XDsaid) AND_NOT XW: tf(said), plus a walk of
 * the headline and dateline postings skipping to "said", minus a walk of
 * the few withdrawn documents; the plain run walks every posting of all
 * three.  Every other shape is an unweighted run (count_run()). */
static bool is_union(Xapian::Query::op t)
{
	return t == Xapian::Query::OP_OR || t == Xapian::Query::OP_SYNONYM ||
	       t == Xapian::Query::OP_MAX;
}

/* Q without its weight scaling (which changes no match). */
static Xapian::Query unscaled(Xapian::Query q)
{
	while (q.get_type() == Xapian::Query::OP_SCALE_WEIGHT)
		q = q.get_subquery(0);
	return q;
}

/* The term of a single-term query, or false. */
static bool single_term(const Xapian::Query &q, std::string &term)
{
	if (q.get_type() != Xapian::Query::LEAF_TERM)
		return false;
	Xapian::TermIterator t = q.get_terms_begin();
	if (t == q.get_terms_end())
		return false;
	term = *t;
	return true;
}

/* An upper bound on Q's matches, from term frequencies alone. */
static Xapian::doccount bound_of(const Xapian::Database &d, const Xapian::Query &q)
{
	Xapian::Query u = unscaled(q);
	Xapian::Query::op t = u.get_type();
	Xapian::doccount all = d.get_doccount(), n;
	std::string term;
	size_t k = u.get_num_subqueries();

	if (single_term(u, term))
		return d.get_termfreq(term);
	if (t == Xapian::Query::LEAF_MATCH_NOTHING)
		return 0;
	if (is_union(t)) {
		n = 0;
		for (size_t i = 0; i < k && n < all; i++)
			n += bound_of(d, u.get_subquery(i));
		return n < all ? n : all;
	}
	if (t == Xapian::Query::OP_AND || t == Xapian::Query::OP_FILTER ||
	    t == Xapian::Query::OP_PHRASE || t == Xapian::Query::OP_NEAR) {
		n = all;
		for (size_t i = 0; i < k; i++) {
			Xapian::doccount b = bound_of(d, u.get_subquery(i));
			if (b < n)
				n = b;
		}
		return n;
	}
	if ((t == Xapian::Query::OP_AND_NOT ||
	     t == Xapian::Query::OP_AND_MAYBE) && k > 0)
		return bound_of(d, u.get_subquery(0));
	return all; /* match-all, wildcards, value ranges, sources */
}

/* Whether counting Q exactly avoids walking its commonest term. */
static bool counts_cheaply(const Xapian::Query &q)
{
	Xapian::Query u = unscaled(q);
	Xapian::Query::op t = u.get_type();
	std::string term;

	if (t == Xapian::Query::LEAF_TERM ||
	    t == Xapian::Query::LEAF_MATCH_ALL ||
	    t == Xapian::Query::LEAF_MATCH_NOTHING)
		return true;
	if (t == Xapian::Query::OP_AND_NOT || t == Xapian::Query::OP_AND_MAYBE)
		return counts_cheaply(u.get_subquery(0));
	if (is_union(t))
		for (size_t i = 0; i < u.get_num_subqueries(); i++)
			if (single_term(unscaled(u.get_subquery(i)), term))
				return true;
	return false;
}

static Xapian::doccount count_exact(const Xapian::Database &d,
				    const Xapian::Query &q)
{
	Xapian::Query u = unscaled(q);
	Xapian::Query::op t = u.get_type();
	size_t k = u.get_num_subqueries();
	std::string term;

	if (single_term(u, term))
		return d.get_termfreq(term);
	if (t == Xapian::Query::LEAF_MATCH_ALL)
		return d.get_doccount();
	if (t == Xapian::Query::LEAF_MATCH_NOTHING)
		return 0;
	if (t == Xapian::Query::OP_AND_MAYBE && k > 0)
		return count_exact(d, u.get_subquery(0));
	if (t == Xapian::Query::OP_AND_NOT && k > 1 &&
	    counts_cheaply(u.get_subquery(0))) {
		Xapian::Query a = u.get_subquery(0);
		std::vector<Xapian::Query> bs;
		for (size_t i = 1; i < k; i++)
			bs.push_back(u.get_subquery(i));
		Xapian::Query b(Xapian::Query::OP_OR, bs.begin(), bs.end());
		if (bound_of(d, b) < bound_of(d, a) / 2)
			return count_exact(d, a) -
			       count_run(d, Xapian::Query(Xapian::Query::OP_AND,
							  a, b), NULL);
	}
	if (is_union(t)) {
		size_t pivot = k;
		Xapian::doccount most = 0;
		for (size_t i = 0; i < k; i++) {
			Xapian::doccount tf;
			if (!single_term(unscaled(u.get_subquery(i)), term))
				continue;
			tf = d.get_termfreq(term);
			if (pivot == k || tf > most) {
				pivot = i;
				most = tf;
			}
		}
		if (pivot < k) {
			std::vector<Xapian::Query> rest;
			for (size_t i = 0; i < k; i++)
				if (i != pivot)
					rest.push_back(u.get_subquery(i));
			if (rest.empty())
				return most;
			Xapian::Query others(Xapian::Query::OP_OR, rest.begin(),
					     rest.end());
			return most + count_exact(d, Xapian::Query(
				Xapian::Query::OP_AND_NOT, others,
				unscaled(u.get_subquery(pivot))));
		}
	}
	return count_run(d, u, NULL);
}

xap_status xap_db_count_matches(xap_db *db, const xap_query *q, uint32_t *out)
{
	if (!db)
		return null_handle("xap_db_count_matches: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		need(q && out, "xap_db_count_matches: NULL argument");
		*out = count_exact(db->db, q->q);
		return XAP_OK;
	} catch (...) {
		return classify_read(db->msg);
	}
}

/* How many distinct values SPY saw (its values are those distinct values). */
static Xapian::doccount values_seen(const Xapian::ValueCountMatchSpy &spy)
{
	Xapian::doccount n = 0;

	for (Xapian::TermIterator t = spy.values_begin(); t != spy.values_end();
	     ++t)
		n++;
	return n;
}

/* The distinct non-empty values of a slot over the matches, in a hash set
 * (ValueCountMatchSpy keeps a count per value in a tree: the string
 * compares and node allocations were a third of counting the stories of
 * a common word).  It has no serialise(): a remote database refuses it
 * with UnimplementedError, and the caller falls back to
 * ValueCountMatchSpy, which Xapian's remote servers know. */
class DistinctValues : public Xapian::MatchSpy {
	Xapian::valueno slot_;
	std::unordered_set<std::string> seen_;

      public:
	explicit DistinctValues(Xapian::valueno value_slot) : slot_(value_slot) {}

	void operator()(const Xapian::Document &doc, double) override
	{
		std::string v = doc.get_value(slot_);
		if (!v.empty())
			seen_.insert(std::move(v));
	}

	Xapian::doccount count() const { return (Xapian::doccount)seen_.size(); }
};

xap_status xap_db_count_distinct(xap_db *db, const xap_query *q, unsigned slot,
				 uint32_t *out, uint32_t *matches)
{
	if (!db)
		return null_handle("xap_db_count_distinct: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		need(q && out, "xap_db_count_distinct: NULL argument");
		need(slot != Xapian::BAD_VALUENO, "xap_db_count_distinct: bad slot");
		Xapian::doccount m, n;
		try {
			DistinctValues spy(slot);
			m = count_run(db->db, q->q, &spy);
			n = spy.count();
		} catch (const Xapian::UnimplementedError &) {
			Xapian::ValueCountMatchSpy spy(slot);
			m = count_run(db->db, q->q, &spy);
			n = values_seen(spy);
		}
		*out = n;
		if (matches)
			*matches = m;
		return XAP_OK;
	} catch (...) {
		return classify_read(db->msg);
	}
}

xap_status xap_db_values(xap_db *db, const xap_docid *ids, size_t n,
			 unsigned slot, xap_value_fn fn, void *ctx)
{
	if (!db)
		return null_handle("xap_db_values: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		need((ids || !n) && fn, "xap_db_values: NULL argument");
		need(slot != Xapian::BAD_VALUENO, "xap_db_values: bad slot");
		Xapian::ValueIterator v = db->db.valuestream_begin(slot);
		const Xapian::ValueIterator end = db->db.valuestream_end(slot);
		for (size_t i = 0; i < n; i++) {
			need(i == 0 || ids[i] > ids[i - 1],
			     "xap_db_values: ids not in ascending order");
			if (v != end && v.get_docid() < ids[i])
				v.skip_to(ids[i]);
			int stop;
			if (v != end && v.get_docid() == ids[i]) {
				const std::string val = *v;
				stop = fn(ctx, i, val.data(), val.size());
			} else {
				stop = fn(ctx, i, "", 0);
			}
			if (stop)
				break;
		}
		return XAP_OK;
	} catch (...) {
		return classify_read(db->msg);
	}
}

xap_status xap_db_collection_freq(xap_db *db, const char *term, uint64_t *out)
{
	if (!db)
		return null_handle("xap_db_collection_freq: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		need(term && out, "xap_db_collection_freq: NULL argument");
		*out = db->db.get_collection_freq(term);
		return XAP_OK;
	} catch (...) {
		return classify_read(db->msg);
	}
}

xap_status xap_db_postings(xap_db *db, const char *term, xap_docid_fn fn,
			   void *ctx)
{
	if (!db)
		return null_handle("xap_db_postings: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		need(term && fn, "xap_db_postings: NULL argument");
		const std::string t(term);
		for (Xapian::PostingIterator p = db->db.postlist_begin(t);
		     p != db->db.postlist_end(t); ++p)
			if (fn(ctx, *p))
				break;
		return XAP_OK;
	} catch (...) {
		return classify_read(db->msg);
	}
}

xap_status xap_db_allterms(xap_db *db, const char *prefix, xap_term_fn fn,
			   void *ctx)
{
	if (!db)
		return null_handle("xap_db_allterms: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		need(prefix && fn, "xap_db_allterms: NULL argument");
		const std::string p(prefix);
		visit_terms(db->db.allterms_begin(p), p, fn, ctx,
			    [](const Xapian::TermIterator &it,
			       const std::string &) {
				    return (uint32_t)it.get_termfreq();
			    });
		return XAP_OK;
	} catch (...) {
		return classify_read(db->msg);
	}
}

xap_status xap_db_get_metadata(xap_db *db, const char *key, char **out,
			       size_t *len)
{
	if (!db)
		return null_handle("xap_db_get_metadata: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		need(key && out, "xap_db_get_metadata: NULL argument");
		need(*key != '\0', "xap_db_get_metadata: empty key");
		*out = NULL;
		if (len)
			*len = 0;
		const std::string v = db->db.get_metadata(key);
		if (!v.empty()) {
			*out = c_string(v);
			if (len)
				*len = v.size();
		}
		return XAP_OK;
	} catch (...) {
		return classify_read(db->msg);
	}
}

xap_status xap_db_spelling_suggestion(xap_db *db, const char *word,
				      unsigned max_edit, char **out)
{
	if (!db)
		return null_handle(
			"xap_db_spelling_suggestion: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		need(word && out, "xap_db_spelling_suggestion: NULL argument");
		*out = NULL;
		const std::string s =
			db->db.get_spelling_suggestion(word, max_edit);
		if (!s.empty())
			*out = c_string(s);
		return XAP_OK;
	} catch (...) {
		return classify_read(db->msg);
	}
}

xap_status xap_db_synonyms(xap_db *db, const char *term, xap_term_fn fn,
			   void *ctx)
{
	if (!db)
		return null_handle("xap_db_synonyms: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		need(term && fn, "xap_db_synonyms: NULL argument");
		/* No frequency is recorded for a synonym: report 0. */
		visit_terms(db->db.synonyms_begin(term), std::string(), fn, ctx,
			    [](const Xapian::TermIterator &,
			       const std::string &) { return (uint32_t)0; });
		return XAP_OK;
	} catch (...) {
		return classify_read(db->msg);
	}
}

/* ---------------------------------------------------------------------
 * Documents.
 */
xap_doc *xap_doc_new(void)
{
	try {
		return new (std::nothrow) xap_doc;
	} catch (...) {
		classify(last_msg);
		return NULL;
	}
}

void xap_doc_free(xap_doc *doc)
{
	delete doc;
}

xap_status xap_doc_add_posting(xap_doc *doc, const char *term,
			       uint32_t position, uint32_t wdfinc)
{
	if (!doc)
		return null_handle("xap_doc_add_posting: NULL document");
	doc->msg.clear();
	try {
		need(term != NULL, "xap_doc_add_posting: NULL term");
		need(position > 0, "xap_doc_add_posting: position 0");
		doc->doc.add_posting(term, position, wdfinc);
		return XAP_OK;
	} catch (...) {
		return classify(doc->msg);
	}
}

xap_status xap_doc_add_term(xap_doc *doc, const char *term, uint32_t wdfinc)
{
	if (!doc)
		return null_handle("xap_doc_add_term: NULL document");
	doc->msg.clear();
	try {
		need(term != NULL, "xap_doc_add_term: NULL term");
		doc->doc.add_term(term, wdfinc);
		return XAP_OK;
	} catch (...) {
		return classify(doc->msg);
	}
}

xap_status xap_doc_add_boolean_term(xap_doc *doc, const char *term)
{
	if (!doc)
		return null_handle("xap_doc_add_boolean_term: NULL document");
	doc->msg.clear();
	try {
		need(term != NULL, "xap_doc_add_boolean_term: NULL term");
		doc->doc.add_boolean_term(term);
		return XAP_OK;
	} catch (...) {
		return classify(doc->msg);
	}
}

xap_status xap_doc_check(xap_doc *doc)
{
	if (!doc)
		return null_handle("xap_doc_check: NULL document");
	doc->msg.clear();
	try {
		check_doc_terms(doc->doc);
		return XAP_OK;
	} catch (...) {
		return classify(doc->msg);
	}
}

/* Whether DOC has TERM, without Xapian's exception for a missing one. */
static bool doc_has(const Xapian::Document &doc, const std::string &term)
{
	Xapian::TermIterator t = doc.termlist_begin();

	t.skip_to(term);
	return t != doc.termlist_end() && *t == term;
}

xap_status xap_doc_remove_term(xap_doc *doc, const char *term)
{
	if (!doc)
		return null_handle("xap_doc_remove_term: NULL document");
	doc->msg.clear();
	try {
		need(term != NULL, "xap_doc_remove_term: NULL term");
		const std::string t(term);
		if (!doc_has(doc->doc, t)) {
			keep(doc->msg, ("term '" + t +
					"' is not in the document").c_str());
			return XAP_NOT_FOUND;
		}
		doc->doc.remove_term(t);
		return XAP_OK;
	} catch (...) {
		return classify(doc->msg);
	}
}

xap_status xap_doc_has_term(xap_doc *doc, const char *term, int *out)
{
	if (!doc)
		return null_handle("xap_doc_has_term: NULL document");
	doc->msg.clear();
	try {
		need(term && out, "xap_doc_has_term: NULL argument");
		*out = doc_has(doc->doc, term) ? 1 : 0;
		return XAP_OK;
	} catch (...) {
		return classify_read(doc->msg);
	}
}

xap_status xap_doc_set_value(xap_doc *doc, unsigned slot, const void *data,
			     size_t len)
{
	if (!doc)
		return null_handle("xap_doc_set_value: NULL document");
	doc->msg.clear();
	try {
		need(data || !len, "xap_doc_set_value: NULL data");
		need(slot != Xapian::BAD_VALUENO, "xap_doc_set_value: bad slot");
		doc->doc.add_value(slot,
				   std::string(static_cast<const char *>(data),
					       len));
		return XAP_OK;
	} catch (...) {
		return classify(doc->msg);
	}
}

xap_status xap_doc_set_data(xap_doc *doc, const void *data, size_t len)
{
	if (!doc)
		return null_handle("xap_doc_set_data: NULL document");
	doc->msg.clear();
	try {
		need(data || !len, "xap_doc_set_data: NULL data");
		doc->doc.set_data(
			std::string(static_cast<const char *>(data), len));
		return XAP_OK;
	} catch (...) {
		return classify(doc->msg);
	}
}

xap_status xap_doc_get_data(xap_doc *doc, const void **data, size_t *len)
{
	if (!doc)
		return null_handle("xap_doc_get_data: NULL document");
	doc->msg.clear();
	try {
		need(data && len, "xap_doc_get_data: NULL argument");
		doc->buf = doc->doc.get_data();
		*data = doc->buf.data();
		*len = doc->buf.size();
		return XAP_OK;
	} catch (...) {
		return classify_read(doc->msg);
	}
}

xap_status xap_doc_get_value(xap_doc *doc, unsigned slot, const void **data,
			     size_t *len)
{
	if (!doc)
		return null_handle("xap_doc_get_value: NULL document");
	doc->msg.clear();
	try {
		need(data && len, "xap_doc_get_value: NULL argument");
		doc->buf = doc->doc.get_value(slot);
		*data = doc->buf.data();
		*len = doc->buf.size();
		return XAP_OK;
	} catch (...) {
		return classify_read(doc->msg);
	}
}

xap_status xap_doc_terms(xap_doc *doc, const char *prefix, xap_term_fn fn,
			 void *ctx)
{
	if (!doc)
		return null_handle("xap_doc_terms: NULL document");
	doc->msg.clear();
	try {
		need(prefix && fn, "xap_doc_terms: NULL argument");
		const std::string p(prefix);
		Xapian::TermIterator t = doc->doc.termlist_begin();
		t.skip_to(p);
		visit_terms(t, p, fn, ctx,
			    [](const Xapian::TermIterator &it,
			       const std::string &) {
				    return (uint32_t)it.get_wdf();
			    });
		return XAP_OK;
	} catch (...) {
		return classify_read(doc->msg);
	}
}

xap_docid xap_doc_id(const xap_doc *doc)
{
	if (!doc)
		return 0;
	try {
		return doc->doc.get_docid();
	} catch (...) {
		return 0;
	}
}

const char *xap_doc_message(const xap_doc *doc)
{
	return doc ? doc->msg.c_str() : "";
}

xap_status xap_db_get_document(xap_db *db, xap_docid id, xap_doc **out)
{
	if (!db)
		return null_handle("xap_db_get_document: NULL database handle");
	db->msg.clear();
	try {
		check_db(db);
		need(out != NULL, "xap_db_get_document: NULL out");
		*out = NULL;
		need(id != 0, "xap_db_get_document: document id 0");
		std::unique_ptr<xap_doc> d(new xap_doc);
		/* Not lazy: a missing document is NOT_FOUND now, not on the
		 * first read from the handle. */
		d->doc = db->db.get_document(id);
		*out = d.release();
		return XAP_OK;
	} catch (...) {
		return classify_read(db->msg);
	}
}

/* ---------------------------------------------------------------------
 * Writable databases.
 */
xap_writer *xap_writer_new(void)
{
	try {
		xap_writer *w = new (std::nothrow) xap_writer;
		if (w) {
			w->view.view = true;
			w->view.open = false;
		}
		return w;
	} catch (...) {
		classify(last_msg);
		return NULL;
	}
}

xap_status xap_writer_open(xap_writer *w, const char *path, int flags)
{
	if (!w)
		return null_handle("xap_writer_open: NULL writer");
	w->msg.clear();
	try {
		need(!w->open, "xap_writer_open: writer is already open");
		need(path && *path, "xap_writer_open: empty path");
		need((flags & ~(XAP_WRITER_CREATE | XAP_WRITER_WAIT_LOCK |
				XAP_WRITER_NO_SYNC | XAP_WRITER_DANGEROUS)) == 0,
		     "xap_writer_open: unknown flags");
		int xf = (flags & XAP_WRITER_CREATE)
				 ? Xapian::DB_CREATE_OR_OPEN |
					   Xapian::DB_BACKEND_GLASS
				 : Xapian::DB_OPEN;
		if (flags & XAP_WRITER_WAIT_LOCK)
			xf |= Xapian::DB_RETRY_LOCK;
		if (flags & XAP_WRITER_NO_SYNC)
			xf |= Xapian::DB_NO_SYNC;
		if (flags & XAP_WRITER_DANGEROUS)
			xf |= Xapian::DB_DANGEROUS;
		w->wdb = Xapian::WritableDatabase(path, xf);
		w->open = true;
		return XAP_OK;
	} catch (...) {
		return classify(w->msg);
	}
}

const char *xap_writer_message(const xap_writer *w)
{
	return w ? w->msg.c_str() : "";
}

xap_status xap_writer_begin(xap_writer *w)
{
	if (!w)
		return null_handle("xap_writer_begin: NULL writer");
	w->msg.clear();
	try {
		check_writer(w);
		w->wdb.begin_transaction(true);
		return XAP_OK;
	} catch (...) {
		return classify(w->msg);
	}
}

xap_status xap_writer_commit_transaction(xap_writer *w)
{
	if (!w)
		return null_handle("xap_writer_commit_transaction: NULL writer");
	w->msg.clear();
	try {
		check_writer(w);
		w->wdb.commit_transaction();
		return XAP_OK;
	} catch (...) {
		return classify(w->msg);
	}
}

xap_status xap_writer_cancel_transaction(xap_writer *w)
{
	if (!w)
		return null_handle("xap_writer_cancel_transaction: NULL writer");
	w->msg.clear();
	try {
		check_writer(w);
		w->wdb.cancel_transaction();
		return XAP_OK;
	} catch (...) {
		return classify(w->msg);
	}
}

xap_status xap_writer_commit(xap_writer *w)
{
	if (!w)
		return null_handle("xap_writer_commit: NULL writer");
	w->msg.clear();
	try {
		check_writer(w);
		w->wdb.commit();
		return XAP_OK;
	} catch (...) {
		return classify(w->msg);
	}
}

xap_status xap_writer_replace_by_term(xap_writer *w, const char *unique_term,
				      xap_doc *doc, xap_docid *id)
{
	if (!w)
		return null_handle("xap_writer_replace_by_term: NULL writer");
	w->msg.clear();
	try {
		check_writer(w);
		need(unique_term && *unique_term,
		     "xap_writer_replace_by_term: empty unique term");
		need(doc != NULL, "xap_writer_replace_by_term: NULL document");
		const std::string t(unique_term);
		check_term_length(t);
		check_doc_terms(doc->doc);
		Xapian::docid did = w->wdb.replace_document(t, doc->doc);
		if (id)
			*id = did;
		return XAP_OK;
	} catch (...) {
		return classify(w->msg);
	}
}

xap_status xap_writer_replace(xap_writer *w, xap_docid id, xap_doc *doc)
{
	if (!w)
		return null_handle("xap_writer_replace: NULL writer");
	w->msg.clear();
	try {
		check_writer(w);
		need(id != 0, "xap_writer_replace: document id 0");
		need(doc != NULL, "xap_writer_replace: NULL document");
		check_doc_terms(doc->doc);
		w->wdb.replace_document(id, doc->doc);
		return XAP_OK;
	} catch (...) {
		return classify(w->msg);
	}
}

xap_status xap_writer_add(xap_writer *w, xap_doc *doc, xap_docid *id)
{
	if (!w)
		return null_handle("xap_writer_add: NULL writer");
	w->msg.clear();
	try {
		check_writer(w);
		need(doc != NULL, "xap_writer_add: NULL document");
		check_doc_terms(doc->doc);
		Xapian::docid did = w->wdb.add_document(doc->doc);
		if (id)
			*id = did;
		return XAP_OK;
	} catch (...) {
		return classify(w->msg);
	}
}

xap_status xap_writer_delete_by_term(xap_writer *w, const char *term)
{
	if (!w)
		return null_handle("xap_writer_delete_by_term: NULL writer");
	w->msg.clear();
	try {
		check_writer(w);
		need(term && *term, "xap_writer_delete_by_term: empty term");
		w->wdb.delete_document(std::string(term));
		return XAP_OK;
	} catch (...) {
		return classify(w->msg);
	}
}

xap_status xap_writer_delete(xap_writer *w, xap_docid id)
{
	if (!w)
		return null_handle("xap_writer_delete: NULL writer");
	w->msg.clear();
	try {
		check_writer(w);
		need(id != 0, "xap_writer_delete: document id 0");
		w->wdb.delete_document(id);
		return XAP_OK;
	} catch (...) {
		return classify(w->msg);
	}
}

xap_status xap_writer_set_metadata(xap_writer *w, const char *key,
				   const void *value, size_t len)
{
	if (!w)
		return null_handle("xap_writer_set_metadata: NULL writer");
	w->msg.clear();
	try {
		check_writer(w);
		need(key && *key, "xap_writer_set_metadata: empty key");
		need(value || !len, "xap_writer_set_metadata: NULL value");
		w->wdb.set_metadata(
			key, std::string(static_cast<const char *>(value), len));
		return XAP_OK;
	} catch (...) {
		return classify(w->msg);
	}
}

xap_status xap_writer_add_spelling(xap_writer *w, const char *word,
				   uint32_t freq)
{
	if (!w)
		return null_handle("xap_writer_add_spelling: NULL writer");
	w->msg.clear();
	try {
		check_writer(w);
		need(word && *word, "xap_writer_add_spelling: empty word");
		/* Spelling changes are buffered: a word too long for a key
		 * would only fail at commit, half way through. */
		check_term_length(word);
		w->wdb.add_spelling(word, freq);
		return XAP_OK;
	} catch (...) {
		return classify(w->msg);
	}
}

xap_status xap_writer_add_synonym(xap_writer *w, const char *term,
				  const char *synonym)
{
	if (!w)
		return null_handle("xap_writer_add_synonym: NULL writer");
	w->msg.clear();
	try {
		check_writer(w);
		need(term && *term && synonym && *synonym,
		     "xap_writer_add_synonym: empty term or synonym");
		/* buffered like spellings: check now, not at commit */
		check_term_length(term);
		check_term_length(synonym);
		w->wdb.add_synonym(term, synonym);
		return XAP_OK;
	} catch (...) {
		return classify(w->msg);
	}
}

xap_status xap_writer_clear_synonyms(xap_writer *w, const char *term)
{
	if (!w)
		return null_handle("xap_writer_clear_synonyms: NULL writer");
	w->msg.clear();
	try {
		check_writer(w);
		need(term && *term, "xap_writer_clear_synonyms: empty term");
		w->wdb.clear_synonyms(term);
		return XAP_OK;
	} catch (...) {
		return classify(w->msg);
	}
}

xap_db *xap_writer_db(xap_writer *w)
{
	if (!w || !w->open)
		return NULL;
	try {
		if (!w->view.open) {
			/* A Database sharing the WritableDatabase's internals
			 * reads its uncommitted changes too. */
			w->view.db = w->wdb;
			w->view.first = w->wdb;
			w->view.have_first = true;
			w->view.first_remote = false;
			w->view.open = true;
		}
		return &w->view;
	} catch (...) {
		classify(w->msg);
		return NULL;
	}
}

xap_status xap_writer_close(xap_writer *w)
{
	if (!w)
		return null_handle("xap_writer_close: NULL writer");
	w->msg.clear();
	if (!w->open)
		return XAP_OK;
	xap_status st = XAP_OK;
	try {
		w->wdb.close();
	} catch (...) {
		st = classify(w->msg);
	}
	/* Closed either way: drop every handle on the database so that its
	 * lock goes with the last of them. */
	try {
		w->view.db = Xapian::Database();
		w->view.first = Xapian::Database();
		w->wdb = Xapian::WritableDatabase();
	} catch (...) {
		if (st == XAP_OK)
			st = classify(w->msg);
	}
	w->view.open = false;
	w->view.have_first = false;
	w->open = false;
	return st;
}

void xap_writer_free(xap_writer *w)
{
	if (!w)
		return;
	(void)xap_writer_close(w);
	delete w;
}

/* ---------------------------------------------------------------------
 * Queries.
 */

/* 2^-X for X >= 0.  Written out so that the bindings need no libm (the
 * programs link with the C++ driver, not always with -lm): an exact power
 * of two for the integer part, a Taylor series of e^(-f ln 2) for the
 * fraction f, where |f ln 2| < 0.7 makes 25 terms far more than enough. */
static double pow2_neg(double x)
{
	if (!(x < 1100))
		return 0; /* below the smallest double */
	unsigned n = (unsigned)x;
	const double y = -(x - n) * 0.69314718055994530942;
	double term = 1, sum = 1;

	for (int k = 1; k < 25; k++) {
		term *= y / k;
		sum += term;
	}
	for (; n >= 64; n -= 64)
		sum *= 5.42101086242752217004e-20; /* 2^-64 */
	for (; n > 0; n--)
		sum *= 0.5;
	return sum;
}

/* Weight max * 2^(-age / half_life) from a YYYYMMDDhhmmss value.  Reading
 * the value stream of the slot, it visits only documents with a date.
 *
 * No name()/serialise(): a remote server could not rebuild it anyway, so a
 * remote search with it fails with XAP_QUERY (UnimplementedError). */
class RecencySource : public Xapian::ValuePostingSource {
	int64_t now_;
	double half_life_;
	double max_;

      public:
	/* (no parameter may be named slot or db: ValuePostingSource has
	 * deprecated members of those names) */
	RecencySource(Xapian::valueno value_slot, int64_t now,
		      double half_life, double max)
		: Xapian::ValuePostingSource(value_slot), now_(now),
		  half_life_(half_life), max_(max)
	{
	}

	/* The matcher clones the source for each database it searches. */
	Xapian::PostingSource *clone() const override
	{
		return new RecencySource(get_slot(), now_, half_life_, max_);
	}

	void init(const Xapian::Database &database) override
	{
		Xapian::ValuePostingSource::init(database);
		set_maxweight(max_);
	}

	double get_weight() const override
	{
		int64_t t;

		if (!parse(get_value(), &t))
			return 0;
		double age_days = ((double)now_ - (double)t) / 86400.0;
		if (!(age_days > 0))
			age_days = 0; /* dated in the future */
		return max_ * pow2_neg(age_days / half_life_);
	}

	std::string get_description() const override
	{
		return "RecencySource(slot " + std::to_string(get_slot()) +
		       ", now " + std::to_string(now_) + ", half-life " +
		       std::to_string(half_life_) + " days, max " +
		       std::to_string(max_) + ")";
	}

      private:
	static int digits(const char *p, int n)
	{
		int v = 0;

		for (int i = 0; i < n; i++)
			v = v * 10 + (p[i] - '0');
		return v;
	}

	/* Seconds since the epoch of a UTC YYYYMMDDhhmmss text (later bytes
	 * ignored); false when it is not one. */
	static bool parse(const std::string &v, int64_t *out)
	{
		if (v.size() < 14)
			return false;
		for (size_t i = 0; i < 14; i++)
			if (v[i] < '0' || v[i] > '9')
				return false;
		const char *p = v.data();
		int64_t y = digits(p, 4);
		int m = digits(p + 4, 2), d = digits(p + 6, 2);
		int hh = digits(p + 8, 2), mm = digits(p + 10, 2);
		int ss = digits(p + 12, 2);
		if (m < 1 || m > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 ||
		    ss > 60)
			return false;
		/* days from civil (Howard Hinnant's algorithm) */
		y -= m <= 2;
		const int64_t era = y / 400;
		const int64_t yoe = y - era * 400;
		const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
		const int64_t days = era * 146097 + doe - 719468;
		*out = days * 86400 + hh * 3600 + mm * 60 + ss;
		return true;
	}
};

/* A new handle holding Q, into *OUT. */
static xap_status new_query(const Xapian::Query &q, xap_query **out)
{
	xap_query *h = new xap_query;
	h->q = q;
	*out = h;
	return XAP_OK;
}

xap_status xap_query_term(const char *term, uint32_t wqf, uint32_t pos,
			  xap_query **out)
{
	try {
		need(out != NULL, "xap_query_term: NULL out");
		*out = NULL;
		/* Query("") would match every document: never what a
		 * caller building a term query means. */
		need(term && *term, "xap_query_term: empty term");
		return new_query(Xapian::Query(term, wqf, pos), out);
	} catch (...) {
		return classify(last_msg);
	}
}

xap_status xap_query_combine(xap_op op, xap_query *const *subs, size_t n,
			     uint32_t window, xap_query **out)
{
	try {
		need(out != NULL, "xap_query_combine: NULL out");
		*out = NULL;
		need(subs || !n, "xap_query_combine: NULL subqueries");
		if (n == 0)
			return new_query(Xapian::Query::MatchNothing, out);
		std::vector<Xapian::Query> v;
		v.reserve(n);
		for (size_t i = 0; i < n; i++) {
			need(subs[i] != NULL, "xap_query_combine: NULL subquery");
			v.push_back(subs[i]->q);
		}
		Xapian::Query::op xop;
		switch (enum_value(op)) {
		case XAP_OP_AND:
			xop = Xapian::Query::OP_AND;
			break;
		case XAP_OP_OR:
			xop = Xapian::Query::OP_OR;
			break;
		case XAP_OP_AND_NOT:
			xop = Xapian::Query::OP_AND_NOT;
			break;
		case XAP_OP_AND_MAYBE:
			xop = Xapian::Query::OP_AND_MAYBE;
			break;
		case XAP_OP_FILTER:
			xop = Xapian::Query::OP_FILTER;
			break;
		case XAP_OP_PHRASE:
			xop = Xapian::Query::OP_PHRASE;
			break;
		case XAP_OP_NEAR:
			xop = Xapian::Query::OP_NEAR;
			break;
		case XAP_OP_SYNONYM:
			xop = Xapian::Query::OP_SYNONYM;
			break;
		case XAP_OP_ELITE_SET:
			xop = Xapian::Query::OP_ELITE_SET;
			break;
		default:
			invalid("xap_query_combine: unknown operator");
			return XAP_INVALID; /* not reached */
		}
		return new_query(Xapian::Query(xop, v.begin(), v.end(), window),
				 out);
	} catch (...) {
		return classify(last_msg);
	}
}

xap_status xap_query_wildcard(const char *prefix, uint32_t max_expansion,
			      xap_query **out)
{
	try {
		need(out != NULL, "xap_query_wildcard: NULL out");
		*out = NULL;
		need(prefix != NULL, "xap_query_wildcard: NULL prefix");
		/* With LIMIT_ERROR, expanding past the bound throws
		 * WildcardError when the query runs. */
		return new_query(Xapian::Query(Xapian::Query::OP_WILDCARD,
					       prefix, max_expansion,
					       Xapian::Query::WILDCARD_LIMIT_ERROR,
					       Xapian::Query::OP_SYNONYM),
				 out);
	} catch (...) {
		return classify(last_msg);
	}
}

xap_status xap_query_value_range(unsigned slot, const char *lo, const char *hi,
				 xap_query **out)
{
	try {
		need(out != NULL, "xap_query_value_range: NULL out");
		*out = NULL;
		need(slot != Xapian::BAD_VALUENO, "xap_query_value_range: bad slot");
		if (lo && hi)
			return new_query(
				Xapian::Query(Xapian::Query::OP_VALUE_RANGE,
					      slot, lo, hi),
				out);
		if (hi)
			return new_query(Xapian::Query(Xapian::Query::OP_VALUE_LE,
						       slot, hi),
					 out);
		/* no upper bound; no bound at all is >= "" */
		return new_query(Xapian::Query(Xapian::Query::OP_VALUE_GE, slot,
					       lo ? lo : ""),
				 out);
	} catch (...) {
		return classify(last_msg);
	}
}

xap_status xap_query_scale(const xap_query *q, double factor, xap_query **out)
{
	try {
		need(out != NULL, "xap_query_scale: NULL out");
		*out = NULL;
		need(q != NULL, "xap_query_scale: NULL query");
		need(factor >= 0 && std::isfinite(factor),
		     "xap_query_scale: factor must be finite and >= 0");
		return new_query(Xapian::Query(factor, q->q), out);
	} catch (...) {
		return classify(last_msg);
	}
}

xap_status xap_query_recency(unsigned slot, int64_t now, double half_life_days,
			     double max_weight, xap_query **out)
{
	try {
		need(out != NULL, "xap_query_recency: NULL out");
		*out = NULL;
		need(slot != Xapian::BAD_VALUENO, "xap_query_recency: bad slot");
		need(half_life_days > 0 && std::isfinite(half_life_days),
		     "xap_query_recency: half-life must be finite and > 0");
		need(max_weight >= 0 && std::isfinite(max_weight),
		     "xap_query_recency: weight must be finite and >= 0");
		/* Lifetime: release() hands the source to reference counting,
		 * so the Query (and every copy of it, e.g. inside a combined
		 * query or an Enquire) owns it and the last one deletes it.
		 * Until the Query holds it, the unique_ptr does. */
		std::unique_ptr<RecencySource> src(
			new RecencySource(slot, now, half_life_days, max_weight));
		Xapian::Query q(src->release());
		src.release();
		return new_query(q, out);
	} catch (...) {
		return classify(last_msg);
	}
}

xap_status xap_query_all(xap_query **out)
{
	try {
		need(out != NULL, "xap_query_all: NULL out");
		*out = NULL;
		return new_query(Xapian::Query::MatchAll, out);
	} catch (...) {
		return classify(last_msg);
	}
}

xap_status xap_query_none(xap_query **out)
{
	try {
		need(out != NULL, "xap_query_none: NULL out");
		*out = NULL;
		return new_query(Xapian::Query::MatchNothing, out);
	} catch (...) {
		return classify(last_msg);
	}
}

xap_status xap_query_describe(const xap_query *q, char **out)
{
	try {
		need(out != NULL, "xap_query_describe: NULL out");
		*out = NULL;
		need(q != NULL, "xap_query_describe: NULL query");
		*out = c_string(q->q.get_description());
		return XAP_OK;
	} catch (...) {
		return classify(last_msg);
	}
}

int xap_query_is_empty(const xap_query *q)
{
	/* A NULL query matches nothing either. */
	return !q || q->q.empty();
}

int xap_query_is_conjunction(const xap_query *q)
{
	try {
		if (!q)
			return 0;
		Xapian::Query u = unscaled(q->q);
		for (;;) {
			Xapian::Query::op t = u.get_type();
			if (t == Xapian::Query::OP_AND)
				return u.get_num_subqueries() > 1;
			if (t != Xapian::Query::OP_AND_NOT &&
			    t != Xapian::Query::OP_FILTER &&
			    t != Xapian::Query::OP_AND_MAYBE)
				return 0;
			u = unscaled(u.get_subquery(0));
		}
	} catch (...) {
		return 0;
	}
}

void xap_query_free(xap_query *q)
{
	delete q;
}

/* ---------------------------------------------------------------------
 * Stemmers.
 */
xap_status xap_stem_new(const char *language, xap_stem **out)
{
	try {
		need(out != NULL, "xap_stem_new: NULL out");
		*out = NULL;
		need(language != NULL, "xap_stem_new: NULL language");
		/* Xapian knows "en", "english"... in lowercase only. */
		std::string lang(language);
		for (size_t i = 0; i < lang.size(); i++)
			if (lang[i] >= 'A' && lang[i] <= 'Z')
				lang[i] = (char)(lang[i] - 'A' + 'a');
		std::unique_ptr<xap_stem> s(new xap_stem);
		try {
			s->stem = Xapian::Stem(lang);
		} catch (const Xapian::InvalidArgumentError &e) {
			/* the only argument error here: an unknown language */
			keep_error(last_msg, e);
			return XAP_NOT_FOUND;
		}
		*out = s.release();
		return XAP_OK;
	} catch (...) {
		return classify(last_msg);
	}
}

xap_status xap_stem_word(xap_stem *s, const char *word, char **out)
{
	try {
		need(s != NULL, "xap_stem_word: NULL stemmer");
		need(word && out, "xap_stem_word: NULL argument");
		*out = NULL;
		*out = c_string(s->stem(word));
		return XAP_OK;
	} catch (...) {
		return classify(last_msg);
	}
}

void xap_stem_free(xap_stem *s)
{
	delete s;
}

/* ---------------------------------------------------------------------
 * Matching and ranking.
 */
xap_enquire *xap_enquire_new(xap_db *db)
{
	if (!db || !db->open) {
		keep(last_msg, "xap_enquire_new: database is NULL or closed");
		return NULL;
	}
	try {
		return new xap_enquire(db->db);
	} catch (...) {
		classify(db->msg);
		return NULL;
	}
}

void xap_enquire_free(xap_enquire *e)
{
	delete e;
}

const char *xap_enquire_message(const xap_enquire *e)
{
	return e ? e->msg.c_str() : "";
}

xap_status xap_enquire_set_query(xap_enquire *e, const xap_query *q)
{
	if (!e)
		return null_handle("xap_enquire_set_query: NULL enquire");
	e->msg.clear();
	try {
		need(q != NULL, "xap_enquire_set_query: NULL query");
		e->enq.set_query(q->q);
		e->query = q->q;
		return XAP_OK;
	} catch (...) {
		return classify(e->msg);
	}
}

xap_status xap_enquire_set_bm25(xap_enquire *e, double k1, double k2,
				double k3, double b, double min_normlen)
{
	if (!e)
		return null_handle("xap_enquire_set_bm25: NULL enquire");
	e->msg.clear();
	try {
		/* BM25Weight would silently clamp these; say so instead. */
		need(k1 >= 0 && k2 >= 0 && k3 >= 0 && min_normlen >= 0 &&
			     std::isfinite(k1) && std::isfinite(k2) &&
			     std::isfinite(k3) && std::isfinite(min_normlen),
		     "xap_enquire_set_bm25: k1, k2, k3, min_normlen must be "
		     "finite and >= 0");
		need(b >= 0 && b <= 1, "xap_enquire_set_bm25: b must be in [0, 1]");
		e->enq.set_weighting_scheme(
			Xapian::BM25Weight(k1, k2, k3, b, min_normlen));
		return XAP_OK;
	} catch (...) {
		return classify(e->msg);
	}
}

xap_status xap_enquire_set_unweighted(xap_enquire *e)
{
	if (!e)
		return null_handle("xap_enquire_set_unweighted: NULL enquire");
	e->msg.clear();
	try {
		set_unweighted(e->enq);
		return XAP_OK;
	} catch (...) {
		return classify(e->msg);
	}
}

xap_status xap_enquire_sort_by_value(xap_enquire *e, unsigned slot,
				     int reverse, int then_relevance)
{
	if (!e)
		return null_handle("xap_enquire_sort_by_value: NULL enquire");
	e->msg.clear();
	try {
		need(slot != Xapian::BAD_VALUENO,
		     "xap_enquire_sort_by_value: bad slot");
		if (then_relevance)
			e->enq.set_sort_by_value_then_relevance(slot,
								reverse != 0);
		else
			e->enq.set_sort_by_value(slot, reverse != 0);
		return XAP_OK;
	} catch (...) {
		return classify(e->msg);
	}
}

xap_status xap_enquire_sort_by_relevance_then_value(xap_enquire *e,
						    unsigned slot, int reverse)
{
	if (!e)
		return null_handle(
			"xap_enquire_sort_by_relevance_then_value: NULL enquire");
	e->msg.clear();
	try {
		need(slot != Xapian::BAD_VALUENO,
		     "xap_enquire_sort_by_relevance_then_value: bad slot");
		e->enq.set_sort_by_relevance_then_value(slot, reverse != 0);
		return XAP_OK;
	} catch (...) {
		return classify(e->msg);
	}
}

xap_status xap_enquire_set_collapse_key(xap_enquire *e, unsigned slot,
					unsigned max)
{
	if (!e)
		return null_handle("xap_enquire_set_collapse_key: NULL enquire");
	e->msg.clear();
	try {
		/* MAX 0 (or BAD_VALUENO) turns collapsing off. */
		if (max == 0)
			e->enq.set_collapse_key(Xapian::BAD_VALUENO);
		else
			e->enq.set_collapse_key(slot, max);
		return XAP_OK;
	} catch (...) {
		return classify(e->msg);
	}
}

/* Add to E the facet of SLOT (items split on SEPARATOR, or only DISTINCT
 * values counted; FIELD of FIELD_SEP-joined values), its id into *ID. */
static void push_facet(xap_enquire *e, Xapian::valueno slot, int separator,
		       bool distinct, int field_sep, unsigned field, unsigned *id)
{
	facet_spec f;

	f.slot = slot;
	f.separator = separator < 0 ? -1 : separator;
	f.distinct = distinct;
	f.field_sep = field_sep;
	f.field = field;
	e->facets.push_back(f);
	*id = (unsigned)(e->facets.size() - 1);
}

xap_status xap_enquire_add_facet(xap_enquire *e, unsigned slot, int separator,
				 unsigned *id)
{
	if (!e)
		return null_handle("xap_enquire_add_facet: NULL enquire");
	e->msg.clear();
	try {
		need(id != NULL, "xap_enquire_add_facet: NULL id");
		need(slot != Xapian::BAD_VALUENO, "xap_enquire_add_facet: bad slot");
		need(separator < 256, "xap_enquire_add_facet: separator is a byte");
		push_facet(e, slot, separator, false, -1, 0, id);
		return XAP_OK;
	} catch (...) {
		return classify(e->msg);
	}
}

xap_status xap_enquire_add_facet_field(xap_enquire *e, unsigned slot,
				       int field_sep, unsigned field,
				       int separator, unsigned *id)
{
	if (!e)
		return null_handle("xap_enquire_add_facet_field: NULL enquire");
	e->msg.clear();
	try {
		need(id != NULL, "xap_enquire_add_facet_field: NULL id");
		need(slot != Xapian::BAD_VALUENO, "xap_enquire_add_facet_field: bad slot");
		need(separator < 256 && field_sep >= 0 && field_sep < 256,
		     "xap_enquire_add_facet_field: separators are bytes");
		push_facet(e, slot, separator, false, field_sep, field, id);
		return XAP_OK;
	} catch (...) {
		return classify(e->msg);
	}
}

xap_value_cache *xap_value_cache_new(uint32_t max_docs)
{
	try {
		xap_value_cache *c = new xap_value_cache;
		c->max_docs = max_docs;
		return c;
	} catch (...) {
		return nullptr;
	}
}

void xap_value_cache_free(xap_value_cache *c)
{
	delete c;
}

uint64_t xap_value_cache_builds(const xap_value_cache *c)
{
	return c ? c->builds : 0;
}

xap_status xap_enquire_set_value_cache(xap_enquire *e, xap_value_cache *c)
{
	if (!e)
		return null_handle("xap_enquire_set_value_cache: NULL enquire");
	e->msg.clear();
	e->cache = c;
	return XAP_OK;
}

xap_status xap_enquire_add_distinct(xap_enquire *e, unsigned slot, unsigned *id)
{
	if (!e)
		return null_handle("xap_enquire_add_distinct: NULL enquire");
	e->msg.clear();
	try {
		need(id != NULL, "xap_enquire_add_distinct: NULL id");
		need(slot != Xapian::BAD_VALUENO, "xap_enquire_add_distinct: bad slot");
		push_facet(e, slot, -1, true, -1, 0, id);
		return XAP_OK;
	} catch (...) {
		return classify(e->msg);
	}
}

/* Detaches the run's spies from the Enquire however the run ends, before
 * they are destroyed. */
struct spy_guard {
	Xapian::Enquire &enq;
	explicit spy_guard(Xapian::Enquire &en) : enq(en) {}
	~spy_guard()
	{
		try {
			enq.clear_matchspies();
		} catch (...) {
		}
	}
};

/* Whole values of a slot over the matches, and how many had each. */
typedef std::vector<std::pair<std::string, Xapian::doccount> > value_counts;

/* The whole values of one slot over the matches, counted in a hash table:
 * ValueCountMatchSpy keeps them in a tree of strings, whose compares cost
 * more than the value's read when a slot holds all four facets.  Like
 * DistinctValues it cannot be serialised: a remote database refuses it and
 * the run falls back to ValueCountMatchSpy. */
class WholeValueCounts : public Xapian::MatchSpy {
      public:
	virtual value_counts values() const = 0;
};

class ValueCounts : public WholeValueCounts {
	Xapian::valueno slot_;
	std::unordered_map<std::string, Xapian::doccount> counts_;

      public:
	explicit ValueCounts(Xapian::valueno value_slot) : slot_(value_slot) {}

	void operator()(const Xapian::Document &doc, double) override
	{
		std::string v = doc.get_value(slot_);
		if (!v.empty())
			counts_[std::move(v)]++;
	}

	value_counts values() const override
	{
		return value_counts(counts_.begin(), counts_.end());
	}
};

static value_counts spy_values(const Xapian::ValueCountMatchSpy &spy)
{
	value_counts out;

	for (Xapian::TermIterator t = spy.values_begin(); t != spy.values_end(); ++t)
		out.push_back(std::make_pair(*t, t.get_termfreq()));
	return out;
}

/* Make room in C for a column of N ids: drop the least recently used
 * columns while there are too many or they hold too many ids. */
static void make_room(xap_value_cache *c, size_t n)
{
	for (;;) {
		size_t ids = n;
		auto oldest = c->columns.end();
		for (auto it = c->columns.begin(); it != c->columns.end(); ++it) {
			ids += it->second->ids.size();
			if (oldest == c->columns.end() || it->second->used < oldest->second->used)
				oldest = it;
		}
		if (oldest == c->columns.end() ||
		    (c->columns.size() < COLUMNS_MAX &&
		     ids <= (size_t)COLUMN_IDS_FACTOR * c->max_docs + COLUMN_IDS_FACTOR))
			return;
		c->columns.erase(oldest);
	}
}

/* The column of SLOT for E's database, built or built again if E's cache
 * has none for that database as it is now; NULL without a cache, when the
 * database is not one local database, or has more document ids than the
 * cache takes. */
static std::shared_ptr<const value_column> column_of(const xap_enquire *e,
						     Xapian::valueno slot)
{
	xap_value_cache *c = e->cache;
	const Xapian::Database &d = e->db;

	if (!c || d.size() != 1) /* shards, through a stub or not */
		return nullptr;
	Xapian::docid last = d.get_lastdocid();
	if (last > c->max_docs)
		return nullptr;
	Xapian::rev rev;
	try {
		rev = d.get_revision();
	} catch (const Xapian::Error &) {
		return nullptr; /* not glass or chert: a remote database */
	}
	std::string uuid = d.get_uuid();
	if (uuid.empty())
		return nullptr;
	const auto key = std::make_pair(uuid, slot);
	auto found = c->columns.find(key);
	if (found != c->columns.end() && found->second->revision == rev &&
	    found->second->ids.size() == (size_t)last + 1) {
		found->second->used = ++c->tick;
		return found->second;
	}
	if (found != c->columns.end())
		c->columns.erase(found);
	auto col = std::make_shared<value_column>();
	value_column &fresh = *col;
	std::unordered_map<std::string, uint32_t> index;
	fresh.ids.assign((size_t)last + 1, 0);
	for (Xapian::ValueIterator v = d.valuestream_begin(slot);
	     v != d.valuestream_end(slot); ++v) {
		auto in = index.emplace(*v, (uint32_t)fresh.values.size() + 1);
		if (in.second)
			fresh.values.push_back(in.first->first);
		fresh.ids.at(v.get_docid()) = in.first->second;
	}
	fresh.revision = rev;
	fresh.used = ++c->tick;
	make_room(c, fresh.ids.size());
	c->columns[key] = col;
	c->builds++;
	return col;
}

/* ValueCounts from a column: a lookup by document id per match.  The
 * column was read from the very database handle the run matches, so it
 * has every docid the run can see (at() would say otherwise). */
class ColumnCounts : public WholeValueCounts {
	std::shared_ptr<const value_column> col_;
	std::vector<Xapian::doccount> counts_;

      public:
	explicit ColumnCounts(std::shared_ptr<const value_column> col)
		: col_(std::move(col)), counts_(col_->values.size() + 1, 0)
	{
	}

	void operator()(const Xapian::Document &doc, double) override
	{
		counts_[col_->ids.at(doc.get_docid())]++;
	}

	value_counts values() const override
	{
		value_counts out;
		for (size_t i = 1; i < counts_.size(); i++)
			if (counts_[i])
				out.push_back(std::make_pair(col_->values[i - 1], counts_[i]));
		return out;
	}
};

/* Field F.field of V (fields joined by F.field_sep) into *OUT: false when V
 * has fewer fields.  V itself when F has no fields. */
static bool value_field(const std::string &v, const facet_spec &f, std::string *out)
{
	size_t start = 0;

	if (f.field_sep < 0) {
		*out = v;
		return true;
	}
	for (unsigned k = 0; k < f.field; k++) {
		size_t sep = v.find((char)f.field_sep, start);
		if (sep == std::string::npos)
			return false;
		start = sep + 1;
	}
	size_t end = v.find((char)f.field_sep, start);
	*out = v.substr(start, end == std::string::npos ? std::string::npos : end - start);
	return true;
}

/* The item counts of facet F from the whole-value counts VALUES of its
 * slot.
 *
 * The values are counted whole, by our hash table or by Xapian's
 * ValueCountMatchSpy (which Xapian's remote servers know, so facets work
 * over remote databases too), rather than split as they are read.
 * Splitting afterwards gives the same counts: each document has one value,
 * and taking its field and splitting that once (duplicates removed)
 * counts each item once per document. */
static facet_counts facet_items(const value_counts &values, const facet_spec &f)
{
	std::vector<std::pair<std::string, Xapian::doccount> > raw;

	if (f.distinct) /* only how many: no copy of the values, no sort */
		return facet_counts(1, std::make_pair(std::string(),
						      (Xapian::doccount)values.size()));

	for (size_t i = 0; i < values.size(); i++) {
		std::string v;
		const Xapian::doccount n = values[i].second;

		if (!value_field(values[i].first, f, &v) || v.empty())
			continue;
		if (f.separator < 0) {
			raw.push_back(std::make_pair(v, n));
			continue;
		}
		std::vector<std::string> items;
		size_t start = 0;
		while (start <= v.size()) {
			size_t end = v.find((char)f.separator, start);
			if (end == std::string::npos)
				end = v.size();
			if (end > start)
				items.push_back(v.substr(start, end - start));
			start = end + 1;
		}
		std::sort(items.begin(), items.end());
		items.erase(std::unique(items.begin(), items.end()),
			    items.end());
		for (size_t k = 0; k < items.size(); k++)
			raw.push_back(std::make_pair(items[k], n));
	}

	/* merge the counts of an item found in several values */
	std::sort(raw.begin(), raw.end());
	facet_counts out;
	for (size_t i = 0; i < raw.size(); i++) {
		if (!out.empty() && out.back().first == raw[i].first)
			out.back().second += raw[i].second;
		else
			out.push_back(raw[i]);
	}
	std::stable_sort(out.begin(), out.end(),
			 [](const std::pair<std::string, Xapian::doccount> &a,
			    const std::pair<std::string, Xapian::doccount> &b) {
				 return a.second > b.second;
			 });
	return out;
}

/* One run of E into R, with fresh spies: a spy adds up everything it
 * sees, over runs too.  The facets of one slot share its spy.  HASHED:
 * our hash-table spies (DistinctValues, ValueCounts), which a remote
 * database refuses (UnimplementedError); else Xapian's ValueCountMatchSpy
 * for all. */
static void run_with_spies(xap_enquire *e, xap_results *r, uint32_t first,
			   uint32_t maxitems, uint32_t check_at_least, bool hashed)
{
	std::vector<std::unique_ptr<Xapian::MatchSpy> > spies;
	std::vector<size_t> spy_of(e->facets.size());
	std::vector<bool> distinct_spy;
	spy_guard guard(e->enq);

	e->enq.clear_matchspies();
	for (size_t i = 0; i < e->facets.size(); i++) {
		const facet_spec &f = e->facets[i];
		bool own = hashed && f.distinct;
		size_t k = spies.size();

		/* a counting spy already on this slot */
		for (size_t j = 0; j < i && !own; j++)
			if (e->facets[j].slot == f.slot && !distinct_spy[spy_of[j]]) {
				k = spy_of[j];
				break;
			}
		spy_of[i] = k;
		if (k < spies.size())
			continue;
		std::shared_ptr<const value_column> col;
		if (hashed && !own)
			col = column_of(e, f.slot);
		if (own)
			spies.emplace_back(new DistinctValues(f.slot));
		else if (col)
			spies.emplace_back(new ColumnCounts(col));
		else if (hashed)
			spies.emplace_back(new ValueCounts(f.slot));
		else
			spies.emplace_back(new Xapian::ValueCountMatchSpy(f.slot));
		distinct_spy.push_back(own);
		/* not released: the Enquire only borrows it until the
		 * guard's clear_matchspies() */
		e->enq.add_matchspy(spies.back().get());
	}
	r->mset = e->enq.get_mset(first, maxitems, check_at_least);
	/* each counting spy's whole values, once for the facets sharing it */
	std::vector<value_counts> values(spies.size());
	for (size_t k = 0; k < spies.size(); k++) {
		if (distinct_spy[k])
			continue;
		values[k] = hashed ? static_cast<WholeValueCounts &>(*spies[k]).values()
				   : spy_values(static_cast<Xapian::ValueCountMatchSpy &>(
					     *spies[k]));
	}
	r->facets.clear();
	for (size_t i = 0; i < e->facets.size(); i++) {
		size_t k = spy_of[i];

		if (distinct_spy[k])
			r->facets.push_back(facet_counts(
				1, std::make_pair(std::string(),
						  static_cast<DistinctValues &>(*spies[k])
							  .count())));
		else
			r->facets.push_back(facet_items(values[k], e->facets[i]));
	}
}

xap_status xap_enquire_run(xap_enquire *e, uint32_t first, uint32_t maxitems,
			   uint32_t check_at_least, xap_results **out)
{
	if (!e)
		return null_handle("xap_enquire_run: NULL enquire");
	e->msg.clear();
	try {
		need(out != NULL, "xap_enquire_run: NULL out");
		*out = NULL;
		std::unique_ptr<xap_results> r(new xap_results(e->db));
		r->enq.set_query(e->query);
		try {
			run_with_spies(e, r.get(), first, maxitems,
				       check_at_least, !e->facets.empty());
		} catch (const Xapian::UnimplementedError &) {
			if (e->facets.empty())
				throw;
			run_with_spies(e, r.get(), first, maxitems,
				       check_at_least, false);
		}
		*out = r.release();
		return XAP_OK;
	} catch (...) {
		return classify_read(e->msg);
	}
}

size_t xap_results_size(const xap_results *r)
{
	try {
		return r ? r->mset.size() : 0;
	} catch (...) {
		return 0;
	}
}

uint32_t xap_results_matches(const xap_results *r)
{
	try {
		return r ? r->mset.get_matches_estimated() : 0;
	} catch (...) {
		return 0;
	}
}

uint32_t xap_results_matches_lower(const xap_results *r)
{
	try {
		return r ? r->mset.get_matches_lower_bound() : 0;
	} catch (...) {
		return 0;
	}
}

uint32_t xap_results_matches_upper(const xap_results *r)
{
	try {
		return r ? r->mset.get_matches_upper_bound() : 0;
	} catch (...) {
		return 0;
	}
}

uint32_t xap_results_uncollapsed_matches(const xap_results *r)
{
	try {
		return r ? r->mset.get_uncollapsed_matches_estimated() : 0;
	} catch (...) {
		return 0;
	}
}

xap_status xap_results_hit(xap_results *r, size_t i, xap_hit *out)
{
	if (!r)
		return null_handle("xap_results_hit: NULL results");
	r->msg.clear();
	try {
		need(out != NULL, "xap_results_hit: NULL out");
		need(i < r->mset.size(), "xap_results_hit: index out of range");
		Xapian::MSetIterator it = r->mset[(Xapian::doccount)i];
		out->docid = *it;
		out->rank = it.get_rank();
		out->weight = it.get_weight();
		out->percent = it.get_percent();
		out->collapse_count = it.get_collapse_count();
		return XAP_OK;
	} catch (...) {
		return classify_read(r->msg);
	}
}

xap_status xap_results_document(xap_results *r, size_t i, xap_doc **out)
{
	if (!r)
		return null_handle("xap_results_document: NULL results");
	r->msg.clear();
	try {
		need(out != NULL, "xap_results_document: NULL out");
		*out = NULL;
		need(i < r->mset.size(), "xap_results_document: index out of range");
		std::unique_ptr<xap_doc> d(new xap_doc);
		d->doc = r->mset[(Xapian::doccount)i].get_document();
		*out = d.release();
		return XAP_OK;
	} catch (...) {
		return classify_read(r->msg);
	}
}

xap_status xap_results_matching_terms(xap_results *r, xap_docid docid,
				      xap_term_fn fn, void *ctx)
{
	if (!r)
		return null_handle("xap_results_matching_terms: NULL results");
	r->msg.clear();
	try {
		need(fn != NULL, "xap_results_matching_terms: NULL callback");
		need(docid != 0, "xap_results_matching_terms: document id 0");
		const Xapian::MSet &mset = r->mset;
		visit_terms(r->enq.get_matching_terms_begin(docid),
			    std::string(), fn, ctx,
			    [&mset](const Xapian::TermIterator &,
				    const std::string &term) {
				    return (uint32_t)mset.get_termfreq(term);
			    });
		return XAP_OK;
	} catch (...) {
		return classify_read(r->msg);
	}
}

xap_status xap_results_facets(xap_results *r, unsigned id, xap_term_fn fn,
			      void *ctx)
{
	if (!r)
		return null_handle("xap_results_facets: NULL results");
	r->msg.clear();
	try {
		need(fn != NULL, "xap_results_facets: NULL callback");
		need(id < r->facets.size(), "xap_results_facets: unknown facet id");
		const facet_counts &f = r->facets[id];
		for (size_t i = 0; i < f.size(); i++)
			if (fn(ctx, f[i].first.c_str(), f[i].first.size(),
			       f[i].second))
				break;
		return XAP_OK;
	} catch (...) {
		return classify_read(r->msg);
	}
}

xap_status xap_results_distinct(xap_results *r, unsigned id, uint32_t *n)
{
	if (!r)
		return null_handle("xap_results_distinct: NULL results");
	r->msg.clear();
	try {
		need(n != NULL, "xap_results_distinct: NULL out");
		need(id < r->facets.size() && r->facets[id].size() == 1,
		     "xap_results_distinct: unknown distinct-count id");
		*n = r->facets[id][0].second;
		return XAP_OK;
	} catch (...) {
		return classify(r->msg);
	}
}

const char *xap_results_message(const xap_results *r)
{
	return r ? r->msg.c_str() : "";
}

void xap_results_free(xap_results *r)
{
	delete r;
}

/* ---------------------------------------------------------------------
 * Maintenance.
 */
xap_status xap_compact(const char *const *sources, size_t n, const char *dest,
		       int multipass, int keep_ids)
{
	try {
		need(sources && n > 0, "xap_compact: no source database");
		need(dest && *dest, "xap_compact: empty destination");
		Xapian::Database db;
		for (size_t i = 0; i < n; i++) {
			need(sources[i] && *sources[i],
			     "xap_compact: empty source path");
			db.add_database(Xapian::Database(sources[i]));
		}
		int flags = 0;
		if (multipass)
			flags |= Xapian::DBCOMPACT_MULTIPASS;
		if (keep_ids)
			flags |= Xapian::DBCOMPACT_NO_RENUMBER;
		db.compact(dest, flags);
		return XAP_OK;
	} catch (...) {
		return classify(last_msg);
	}
}

xap_status xap_check(const char *path, size_t *errors)
{
	try {
		need(path && *path && errors, "xap_check: NULL argument");
		*errors = 0;
		try {
			*errors = Xapian::Database::check(path, 0, NULL);
		} catch (const Xapian::DatabaseError &e) {
			/* The checker gives up on a structural fault (a block
			 * out of order, a bad pointer) by throwing a plain
			 * DatabaseError, not DatabaseCorruptError: here that
			 * means corrupt, not an I/O failure. */
			if (std::strcmp(e.get_type(), "DatabaseError") != 0)
				throw;
			keep_error(last_msg, e);
			return XAP_CORRUPT;
		}
		return XAP_OK;
	} catch (...) {
		return classify(last_msg);
	}
}

} /* extern "C" */
