/*
 * synonyms.c - the acronym/synonym table (query.h): "KEY = EXPANSION |
 * EXPANSION" lines, common/synonyms.txt and the user's own file.
 *
 * Keys and expansions are kept as the tokenizer gives them for a query
 * (TEXT_FOR_QUERY), so that matching them against a parsed query is a
 * comparison of terms: "US" is the key "^us" (an ordinary word in
 * capitals, so a marked acronym) and is found for the query word "US" or
 * "U.S." but not "us"; "TTP" is "ttp" whatever its case.  An expansion
 * is its parts in order: "Tehreek-e-Taliban Pakistan" is tehreek e taliban
 * pakistan, as a query phrase of those words gives.
 *
 * Every term lives in one arena; keys and expansions are found through
 * hash tables, so loading N lines is O(N).  The shipped file is also
 * compiled into the programs (synonyms_write_c(), run at build time by
 * synonyms_compile.c): a search process, which loads the table at each
 * start, then only checks that the file is still the one compiled.
 */
#include "query.h"

#include "alloc.h"
#include "schema.h"
#include "strbuf.h"
#include "text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

struct syn_key {
	const char *term;     /* the key as a query term (arena) */
	query_phrase *exps;   /* its expansions; their terms in the arena */
	size_t n, cap;
	uint32_t hash;
};

/* An expansion and the keys it leads back to. */
struct syn_rev {
	const char *const *terms;  /* the first key's expansion's (arena) */
	size_t n;
	const char **keys;         /* the keys' terms (arena) */
	size_t n_keys, cap;
	uint32_t hash;
};

/* Open addressing: slot i holds an index + 1 into keys or revs, 0 when
 * empty; at most half full. */
struct slots {
	uint32_t *v;
	size_t mask;  /* size - 1; size a power of two, or 0 before use */
};

struct synonyms {
	wire_arena *arena;
	struct syn_key *keys;
	size_t n_keys, cap_keys;
	struct syn_rev *revs;
	size_t n_revs, cap_revs;
	struct slots key_slots, rev_slots;
};

/* The terms of one key or expansion as the tokenizer gives them: each
 * NUL-terminated in TEXT, at the offsets OFF.  Reused line after line. */
struct terms {
	strbuf text;
	size_t *off;
	size_t n, cap;
	int joined;  /* a hyphenated word's joined form was seen */
	uint32_t last_pos;
	int oom;
};

static uint32_t hash_term(const char *term)
{
	return (uint32_t)schema_fnv1a(term, strlen(term));
}

/* Each term hashed with its NUL, the hashes mixed in order, so ("a b"),
 * ("b a") and ("ab") differ. */
static uint32_t hash_terms(const char *const *terms, size_t n)
{
	uint64_t h = 0;

	for (size_t i = 0; i < n; i++)
		h = h * UINT64_C(1099511628211) ^
		    schema_fnv1a(terms[i], strlen(terms[i]) + 1);
	return (uint32_t)(h ^ (h >> 32));
}

static int add_term(void *ctx, const text_token *tok)
{
	struct terms *t = ctx;
	void *p = t->off;

	if (tok->flags & TEXT_TOKEN_JOINED) {
		t->joined = 1;
		return 0;
	}
	/* One term per position, as the query parser takes them. */
	if (t->n && tok->position == t->last_pos)
		return 0;
	if (wire_grow(&p, &t->cap, t->n + 1, sizeof(*t->off))) {
		t->oom = 1;
		return 1;
	}
	t->off = p;
	t->off[t->n] = t->text.len;
	if (strbuf_add(&t->text, tok->term, tok->len) ||
	    strbuf_add(&t->text, "", 1)) {
		t->oom = 1;
		return 1;
	}
	t->n++;
	t->last_pos = tok->position;
	return 0;
}

static int tokenize(const char *s, size_t len, struct terms *t)
{
	t->text.len = 0;
	t->n = 0;
	t->joined = 0;
	t->last_pos = 0;
	t->oom = 0;
	if (text_tokenize(s, len, TEXT_FOR_QUERY, 1, add_term, t, NULL, NULL) ||
	    t->oom)
		return -1;
	return 0;
}

static const char *term_at(const struct terms *t, size_t i)
{
	return t->text.buf + t->off[i];
}

static void terms_release(struct terms *t)
{
	strbuf_release(&t->text);
	free(t->off);
}

static int same(const char *const *a, size_t na, const char *const *b,
		size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]))
			return 0;
	return 1;
}

/* Whether T's terms are those of the N TERMS. */
static int same_terms(const struct terms *t, const char *const *terms,
		      size_t n)
{
	if (t->n != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(term_at(t, i), terms[i]))
			return 0;
	return 1;
}

static struct syn_key *find_key(const synonyms *syn, const char *term,
				uint32_t h)
{
	const struct slots *sl = &syn->key_slots;

	if (!sl->v)
		return NULL;
	for (size_t i = h & sl->mask; sl->v[i]; i = (i + 1) & sl->mask) {
		struct syn_key *k = &syn->keys[sl->v[i] - 1];

		if (k->hash == h && !strcmp(k->term, term))
			return k;
	}
	return NULL;
}

static struct syn_rev *find_rev(const synonyms *syn, const char *const *terms,
				size_t n, uint32_t h)
{
	const struct slots *sl = &syn->rev_slots;

	if (!sl->v)
		return NULL;
	for (size_t i = h & sl->mask; sl->v[i]; i = (i + 1) & sl->mask) {
		struct syn_rev *r = &syn->revs[sl->v[i] - 1];

		if (r->hash == h && same(r->terms, r->n, terms, n))
			return r;
	}
	return NULL;
}

/* Make room in SL for COUNT entries, putting back the first FILLED (whose
 * hashes HASH_OF gives) when it grows; 0, or -1 when out of memory. */
static int slots_reserve(struct slots *sl, size_t count, size_t filled,
			 uint32_t (*hash_of)(const synonyms *, size_t),
			 const synonyms *syn)
{
	size_t size = sl->v ? sl->mask + 1 : 0, want = 64;
	uint32_t *v;

	if (count * 2 <= size)
		return 0;
	while (want < count * 2)
		want *= 2;
	if (count > UINT32_MAX / 2 || !(v = wire_calloc(want, sizeof(*v))))
		return -1;
	free(sl->v);
	sl->v = v;
	sl->mask = want - 1;
	for (size_t e = 0; e < filled; e++) {
		size_t i = hash_of(syn, e) & sl->mask;

		while (sl->v[i])
			i = (i + 1) & sl->mask;
		sl->v[i] = (uint32_t)e + 1;
	}
	return 0;
}

static uint32_t key_hash_of(const synonyms *syn, size_t e)
{
	return syn->keys[e].hash;
}

static uint32_t rev_hash_of(const synonyms *syn, size_t e)
{
	return syn->revs[e].hash;
}

/* Put entry E (its hash H) in SL, which has room. */
static void slots_put(struct slots *sl, size_t e, uint32_t h)
{
	size_t i = h & sl->mask;

	while (sl->v[i])
		i = (i + 1) & sl->mask;
	sl->v[i] = (uint32_t)e + 1;
}

/* Record that expansion E (its terms in the arena) leads back to KEY. */
static int add_rev(synonyms *syn, const query_phrase *e, const char *key)
{
	uint32_t h = hash_terms(e->terms, e->n);
	struct syn_rev *r = find_rev(syn, e->terms, e->n, h);
	void *p;

	if (!r) {
		p = syn->revs;
		if (wire_grow(&p, &syn->cap_revs, syn->n_revs + 1,
			      sizeof(*syn->revs)))
			return -1;
		syn->revs = p;
		r = &syn->revs[syn->n_revs];
		memset(r, 0, sizeof(*r));
		r->terms = e->terms;
		r->n = e->n;
		r->hash = h;
		if (slots_reserve(&syn->rev_slots, syn->n_revs + 1,
				  syn->n_revs, rev_hash_of, syn))
			return -1;
		slots_put(&syn->rev_slots, syn->n_revs, h);
		syn->n_revs++;
	}
	for (size_t i = 0; i < r->n_keys; i++)
		if (!strcmp(r->keys[i], key))
			return 0;
	p = r->keys;
	if (wire_grow(&p, &r->cap, r->n_keys + 1, sizeof(*r->keys)))
		return -1;
	r->keys = p;
	r->keys[r->n_keys++] = key;
	return 0;
}

/* The key KEY_TERM, added when new; NULL when out of memory. */
static struct syn_key *get_key(synonyms *syn, const char *key_term)
{
	uint32_t h = hash_term(key_term);
	struct syn_key *k = find_key(syn, key_term, h);
	void *p;

	if (k)
		return k;
	p = syn->keys;
	if (wire_grow(&p, &syn->cap_keys, syn->n_keys + 1, sizeof(*syn->keys)))
		return NULL;
	syn->keys = p;
	k = &syn->keys[syn->n_keys];
	memset(k, 0, sizeof(*k));
	k->hash = h;
	if (!(k->term = wire_arena_strndup(&syn->arena, key_term,
					   strlen(key_term))) ||
	    slots_reserve(&syn->key_slots, syn->n_keys + 1, syn->n_keys,
			  key_hash_of, syn))
		return NULL;
	slots_put(&syn->key_slots, syn->n_keys, h);
	syn->n_keys++;
	return k;
}

/* Add the expansion T (copied into the arena) to the key KEY_TERM. */
static int add_expansion(synonyms *syn, const char *key_term,
			 const struct terms *t)
{
	struct syn_key *k = get_key(syn, key_term);
	query_phrase *e;
	const char **v;
	char *text;
	void *p;

	if (!k)
		return -1;
	/* An expansion that is the key itself, or one already known. */
	if (t->n == 1 && !strcmp(term_at(t, 0), key_term))
		return 0;
	for (size_t i = 0; i < k->n; i++)
		if (same_terms(t, k->exps[i].terms, k->exps[i].n))
			return 0;
	p = k->exps;
	if (wire_grow(&p, &k->cap, k->n + 1, sizeof(*k->exps)))
		return -1;
	k->exps = p;
	v = wire_arena_alloc(&syn->arena, t->n * sizeof(*v));
	text = wire_arena_alloc(&syn->arena, t->text.len);
	if (!v || !text)
		return -1;
	memcpy(text, t->text.buf, t->text.len);
	for (size_t i = 0; i < t->n; i++)
		v[i] = text + t->off[i];
	e = &k->exps[k->n++];
	e->terms = v;
	e->n = t->n;
	return add_rev(syn, e, k->term);
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	       c == '\v';
}

/* S..E without surrounding white space. */
static void trim(const char **s, const char **e)
{
	while (*s < *e && is_blank(**s))
		(*s)++;
	while (*e > *s && is_blank((*e)[-1]))
		(*e)--;
}

/* Largest synonyms file read (bytes). */
#define SYNONYMS_MAX_FILE (64u << 20)

enum { LINE_OK = 0, LINE_OOM = -1, LINE_BAD = -2 };

/* The token vectors a load reuses line after line. */
struct workspace {
	struct terms key, exp;
};

/* One line; on LINE_BAD, WHY says what is wrong. */
static int load_line(synonyms *syn, struct workspace *w, const char *line,
		     size_t len, char *why, size_t whylen)
{
	const char *s = line, *e = line + len, *eq, *ks, *ke;
	struct terms *key = &w->key, *t = &w->exp;

	trim(&s, &e);
	if (s == e || *s == '#')
		return LINE_OK;
	if (!text_is_utf8(line, len)) {
		snprintf(why, whylen, "invalid UTF-8");
		return LINE_BAD;
	}
	if (!(eq = memchr(s, '=', (size_t)(e - s)))) {
		snprintf(why, whylen, "expected 'KEY = EXPANSION [| EXPANSION...]'");
		return LINE_BAD;
	}
	ks = s;
	ke = eq;
	trim(&ks, &ke);
	if (ks == ke) {
		snprintf(why, whylen, "empty key");
		return LINE_BAD;
	}
	if (tokenize(ks, (size_t)(ke - ks), key))
		return LINE_OOM;
	if (key->n != 1 || key->joined) {
		snprintf(why, whylen, "key '%.*s' is not one word",
			 (int)(ke - ks > 60 ? 60 : ke - ks), ks);
		return LINE_BAD;
	}
	for (const char *a = eq + 1; a <= e;) {
		const char *b = memchr(a, '|', (size_t)(e - a));
		const char *xs = a, *xe = b ? b : e;

		trim(&xs, &xe);
		if (xs == xe) {
			snprintf(why, whylen, "empty expansion");
			return LINE_BAD;
		}
		if (tokenize(xs, (size_t)(xe - xs), t))
			return LINE_OOM;
		if (!t->n) {
			snprintf(why, whylen, "expansion '%.*s' has no words",
				 (int)(xe - xs > 60 ? 60 : xe - xs), xs);
			return LINE_BAD;
		}
		if (add_expansion(syn, term_at(key, 0), t))
			return LINE_OOM;
		if (!b)
			break;
		a = b + 1;
	}
	return LINE_OK;
}

/* Read the whole of F into SB.  0, -1 on a read error (errno set), -2 when
 * out of memory, -3 past SYNONYMS_MAX_FILE. */
static int read_all(FILE *f, strbuf *sb)
{
	for (;;) {
		size_t got;

		if (sb->len > SYNONYMS_MAX_FILE)
			return -3;
		if (strbuf_grow(sb, 4096))
			return -2;
		got = fread(sb->buf + sb->len, 1, 4096, f);
		sb->len += got;
		sb->buf[sb->len] = '\0';
		if (got < 4096)
			return ferror(f) ? -1 : 0;
	}
}

/* The file at PATH into TEXT (it is small).  0, or -1 with ERR set. */
static int read_file(const char *path, strbuf *text, char *err, size_t errlen)
{
	int r = -1;
	FILE *f;

	if (!(f = fopen(path, "r"))) {
		set_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	switch (read_all(f, text)) {
	case 0:
		r = 0;
		break;
	case -1:
		set_err(err, errlen, "%s: read error: %s", path, strerror(errno));
		break;
	case -2:
		set_err(err, errlen, "out of memory");
		break;
	default:
		set_err(err, errlen, "%s: larger than %u MB", path,
			SYNONYMS_MAX_FILE >> 20);
		break;
	}
	fclose(f);
	return r;
}

/* Whether TEXT is the file C was compiled from: its length and CRC-32. */
static int is_compiled_text(const strbuf *text, const synonyms_compiled *c)
{
	return text->len == c->size &&
	       crc32(0L, (const Bytef *)text->buf, (uInt)text->len) == c->crc;
}

int synonyms_checksum(const char *path, uint32_t *crc, size_t *size,
		      char *err, size_t errlen)
{
	strbuf text = STRBUF_INIT;

	if (read_file(path, &text, err, errlen)) {
		strbuf_release(&text);
		return -1;
	}
	*crc = (uint32_t)crc32(0L, (const Bytef *)text.buf, (uInt)text.len);
	*size = text.len;
	strbuf_release(&text);
	return 0;
}

/* Add the lines of TEXT (the file PATH, for messages) to SYN, line by
 * line: a line of any length, NUL bytes and all (a NUL is refused, never
 * taken for the end of the line).  0, or -1 with ERR set. */
static int load_text(synonyms *syn, const char *path, strbuf *text, char *err,
		     size_t errlen)
{
	struct workspace w;
	char why[160];
	unsigned long lineno = 0;
	const char *p = text->buf, *end = text->buf + text->len;
	int r = 0, c;

	memset(&w, 0, sizeof(w));
	strbuf_init(&w.key.text);
	strbuf_init(&w.exp.text);
	while (!r && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		char *line = (char *)p;

		p += n;
		lineno++;
		if (lineno == 1 && n >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3))
			memset(line, ' ', 3);  /* a byte-order mark */
		if (memchr(line, '\0', n)) {
			set_err(err, errlen, "%s:%lu: a NUL byte in the line", path, lineno);
			r = -1;
			break;
		}
		c = load_line(syn, &w, line, n, why, sizeof why);
		if (c == LINE_OOM) {
			set_err(err, errlen, "out of memory");
			r = -1;
		} else if (c == LINE_BAD) {
			set_err(err, errlen, "%s:%lu: %s", path, lineno, why);
			r = -1;
		}
	}
	terms_release(&w.key);
	terms_release(&w.exp);
	return r;
}

int synonyms_load_more(synonyms *syn, const char *path, char *err,
		       size_t errlen)
{
	strbuf text = STRBUF_INIT;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (!syn || !path) {
		set_err(err, errlen, "synonyms: no table or no file");
		return -1;
	}
	r = read_file(path, &text, err, errlen);
	if (!r)
		r = load_text(syn, path, &text, err, errlen);
	strbuf_release(&text);
	return r;
}

/* SYN (empty) made the table C describes: its strings and term arrays
 * borrowed, the arrays a later load may grow copied.  0, or -1 when out
 * of memory. */
static int from_compiled(synonyms *syn, const synonyms_compiled *c)
{
	void *p = NULL;

	if (c->n_keys && wire_grow(&p, &syn->cap_keys, c->n_keys,
				   sizeof(*syn->keys)))
		return -1;
	syn->keys = p;
	p = NULL;
	if (c->n_revs && wire_grow(&p, &syn->cap_revs, c->n_revs,
				   sizeof(*syn->revs)))
		return -1;
	syn->revs = p;
	if (slots_reserve(&syn->key_slots, c->n_keys, 0, key_hash_of, syn) ||
	    slots_reserve(&syn->rev_slots, c->n_revs, 0, rev_hash_of, syn))
		return -1;
	for (size_t i = 0; i < c->n_keys; i++) {
		const struct synonyms_compiled_key *ck = &c->keys[i];
		struct syn_key *k = &syn->keys[i];

		memset(k, 0, sizeof(*k));
		k->term = ck->term;
		k->hash = hash_term(ck->term);
		syn->n_keys++;
		p = NULL;
		if (ck->n && wire_grow(&p, &k->cap, ck->n, sizeof(*k->exps)))
			return -1;
		k->exps = p;
		if (ck->n)
			memcpy(k->exps, ck->exps, ck->n * sizeof(*k->exps));
		k->n = ck->n;
		slots_put(&syn->key_slots, i, k->hash);
	}
	for (size_t i = 0; i < c->n_revs; i++) {
		const struct synonyms_compiled_rev *cr = &c->revs[i];
		const query_phrase *e = &c->keys[cr->key].exps[cr->exp];
		struct syn_rev *r = &syn->revs[i];

		memset(r, 0, sizeof(*r));
		r->terms = e->terms;
		r->n = e->n;
		r->hash = hash_terms(e->terms, e->n);
		syn->n_revs++;
		p = NULL;
		if (wire_grow(&p, &r->cap, cr->n_keys, sizeof(*r->keys)))
			return -1;
		r->keys = p;
		for (size_t j = 0; j < cr->n_keys; j++)
			r->keys[j] = c->keys[cr->keys[j]].term;
		r->n_keys = cr->n_keys;
		slots_put(&syn->rev_slots, i, r->hash);
	}
	return 0;
}

int synonyms_load_prebuilt(const char *path, const synonyms_compiled *c,
			   synonyms **out, char *err, size_t errlen)
{
	synonyms *syn = wire_calloc(1, sizeof(*syn));
	strbuf text = STRBUF_INIT;
	int r;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!syn || !path) {
		set_err(err, errlen, !syn ? "out of memory" :
			"synonyms: no table or no file");
		free(syn);
		return -1;
	}
	r = read_file(path, &text, err, errlen);
	if (!r && c && is_compiled_text(&text, c)) {
		r = from_compiled(syn, c) ? -1 : 1;
		if (r < 0)
			set_err(err, errlen, "out of memory");
	} else if (!r) {
		r = load_text(syn, path, &text, err, errlen);
	}
	strbuf_release(&text);
	if (r < 0) {
		synonyms_free(syn);
		return -1;
	}
	*out = syn;
	return r;
}

/* S as a C string literal: non-ASCII and control bytes as octal escapes
 * (always three digits, so a digit after one is never taken into it). */
static void put_c_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == '?')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(out, "\\%03o", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* Index of the key whose term is TERM (a pointer SYN holds). */
static size_t key_index(const synonyms *syn, const char *term)
{
	size_t i = 0;

	while (i < syn->n_keys && syn->keys[i].term != term)
		i++;
	return i;
}

int synonyms_write_c(const synonyms *syn, const char *source, uint32_t crc,
		     size_t size, const char *name, FILE *out)
{
	fprintf(out, "/* Generated from %s by synonyms-compile: do not edit. */\n"
		"#include \"query.h\"\n\n", source);
	for (size_t i = 0; i < syn->n_keys; i++) {
		const struct syn_key *k = &syn->keys[i];

		for (size_t j = 0; j < k->n; j++) {
			fprintf(out, "static const char *const t%zu_%zu[] = {", i, j);
			for (size_t m = 0; m < k->exps[j].n; m++) {
				fputs(m ? ", " : " ", out);
				put_c_string(out, k->exps[j].terms[m]);
			}
			fputs(" };\n", out);
		}
		if (k->n) {
			fprintf(out, "static const query_phrase x%zu[] = {", i);
			for (size_t j = 0; j < k->n; j++)
				fprintf(out, "%s{ t%zu_%zu, %zu }", j ? ", " : " ",
					i, j, k->exps[j].n);
			fputs(" };\n", out);
		}
	}
	fputs("static const struct synonyms_compiled_key keys[] = {\n", out);
	for (size_t i = 0; i < syn->n_keys; i++) {
		fputs("\t{ ", out);
		put_c_string(out, syn->keys[i].term);
		if (syn->keys[i].n)
			fprintf(out, ", x%zu, %zu },\n", i, syn->keys[i].n);
		else
			fputs(", 0, 0 },\n", out);
	}
	fputs("\t{ 0, 0, 0 }\n};\n", out);
	for (size_t i = 0; i < syn->n_revs; i++) {
		fprintf(out, "static const size_t k%zu[] = {", i);
		for (size_t j = 0; j < syn->revs[i].n_keys; j++)
			fprintf(out, "%s%zu", j ? ", " : " ",
				key_index(syn, syn->revs[i].keys[j]));
		fputs(" };\n", out);
	}
	fputs("static const struct synonyms_compiled_rev revs[] = {\n", out);
	for (size_t i = 0; i < syn->n_revs; i++) {
		const struct syn_rev *r = &syn->revs[i];
		size_t key = syn->n_keys, exp = 0;

		/* The expansion whose terms the entry borrows. */
		for (size_t k = 0; k < syn->n_keys && key == syn->n_keys; k++)
			for (size_t j = 0; j < syn->keys[k].n; j++)
				if (syn->keys[k].exps[j].terms == r->terms) {
					key = k;
					exp = j;
					break;
				}
		if (key == syn->n_keys)
			return -1;
		fprintf(out, "\t{ %zu, %zu, k%zu, %zu },\n", key, exp, i,
			r->n_keys);
	}
	fputs("\t{ 0, 0, 0, 0 }\n};\n", out);
	fprintf(out, "const synonyms_compiled %s = {\n\t0x%08lxu, %zu,\n"
		"\tkeys, %zu, revs, %zu\n};\n", name, (unsigned long)crc, size,
		syn->n_keys, syn->n_revs);
	return ferror(out) ? -1 : 0;
}

int synonyms_load(const char *path, synonyms **out, char *err, size_t errlen)
{
	return synonyms_load_prebuilt(path, NULL, out, err, errlen) < 0 ? -1 : 0;
}

void synonyms_free(synonyms *syn)
{
	if (!syn)
		return;
	for (size_t i = 0; i < syn->n_keys; i++)
		free(syn->keys[i].exps);
	for (size_t i = 0; i < syn->n_revs; i++)
		free(syn->revs[i].keys);
	free(syn->keys);
	free(syn->revs);
	free(syn->key_slots.v);
	free(syn->rev_slots.v);
	wire_arena_free(syn->arena);
	free(syn);
}

size_t synonyms_expansions(const synonyms *syn, const char *term,
			   const query_phrase **out)
{
	const struct syn_key *k =
		syn && term ? find_key(syn, term, hash_term(term)) : NULL;

	*out = k && k->n ? k->exps : NULL;
	return k ? k->n : 0;
}

size_t synonyms_keys(const synonyms *syn, const char *const *terms, size_t n,
		     const char *const **out)
{
	const struct syn_rev *r =
		syn && n ? find_rev(syn, terms, n, hash_terms(terms, n)) : NULL;

	*out = r ? r->keys : NULL;
	return r ? r->n_keys : 0;
}

const char *synonyms_default_path(const char *datadir, char *buf, size_t size)
{
	const char *env = getenv("WIRE_SYNONYMS");
	char exe[4096];
	ssize_t n;
	char *slash;

	if (env && *env) {
		snprintf(buf, size, "%s", env);
		return buf;
	}
	snprintf(buf, size, "%s/synonyms.txt", datadir);
	if (access(buf, R_OK) == 0)
		return buf;
	/* build/wire-search -> common/synonyms.txt of the same tree. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if (!(slash = strrchr(exe, '/')))
		return NULL;
	*slash = '\0';
	snprintf(buf, size, "%s/../common/synonyms.txt", exe);
	return access(buf, R_OK) == 0 ? buf : NULL;
}
