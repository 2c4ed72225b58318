/*
 * snippet.c - query-biased snippets and match marking.
 *
 * Marking tokenizes the text in TEXT_FOR_HIGHLIGHT mode, the same rules
 * the indexer used, and compares terms: so "Pakistan's" is marked for
 * `Pakistan`, "84,000" for `84000`, "U.S." for `US`, and a phrase is marked
 * only where its terms stand at consecutive positions.
 */
#include "snippet.h"

#include "alloc.h"
#include "strbuf.h"
#include "text.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct tok {
	size_t term;      /* offset of the term in the arena */
	uint32_t position;
	size_t start, end;
};

struct toks {
	struct tok *v;
	size_t n, cap;
	strbuf arena;     /* NUL-separated terms */
	int oom;
	/* Stopping early (snippet_first_mark()): with SPAN set, collecting
	 * stops at the first token at position STOP_AT or after, STOP_AT
	 * being SPAN positions past the first token that may start a mark. */
	const query_highlight *hl;
	uint32_t span;
	uint64_t stop_at;
	int stopped;
};

static int is_wanted(const query_highlight *hl, const char *term);

/* Whether TERM may start a mark of HL: a term to mark, or the first term
 * of a phrase. */
static int may_start(const query_highlight *hl, const char *term)
{
	if (is_wanted(hl, term))
		return 1;
	for (size_t p = 0; p < hl->n_phrases; p++)
		if (hl->phrases[p].n && !strcmp(hl->phrases[p].terms[0], term))
			return 1;
	return 0;
}

static int collect_token(void *ctx, const text_token *t)
{
	struct toks *k = ctx;
	void *p = k->v;

	/* Positions never go down from one token to the next: every token
	 * before STOP_AT has been seen. */
	if (k->span && k->stop_at && t->position >= k->stop_at) {
		k->stopped = 1;
		return 1;
	}
	if (wire_grow(&p, &k->cap, k->n + 1, sizeof(*k->v))) {
		k->oom = 1;
		return 1;
	}
	k->v = p;
	k->v[k->n].term = k->arena.len;
	k->v[k->n].position = t->position;
	k->v[k->n].start = t->start;
	k->v[k->n].end = t->end;
	if (strbuf_add(&k->arena, t->term, t->len + 1)) {
		k->oom = 1;
		return 1;
	}
	k->n++;
	if (k->span && !k->stop_at && may_start(k->hl, t->term))
		k->stop_at = (uint64_t)t->position + k->span;
	return 0;
}

static const char *tok_term(const struct toks *k, size_t i)
{
	return k->arena.buf + k->v[i].term;
}

static int is_wanted(const query_highlight *hl, const char *term)
{
	for (size_t i = 0; i < hl->n_terms; i++)
		if (!strcmp(hl->terms[i], term))
			return 1;
	return 0;
}

/* Whether some token at POSITION (searching from index FROM on) has
 * TERM; *END gets its end offset. */
static int term_at(const struct toks *k, size_t from, uint32_t position,
		   const char *term, size_t *end)
{
	for (size_t i = from; i < k->n && k->v[i].position <= position; i++) {
		if (k->v[i].position == position && !strcmp(tok_term(k, i), term)) {
			*end = k->v[i].end;
			return 1;
		}
	}
	return 0;
}

struct marks {
	snippet_mark *v;
	size_t n, cap;
};

static int add_mark(struct marks *m, size_t start, size_t end)
{
	void *p = m->v;

	if (wire_grow(&p, &m->cap, m->n + 1, sizeof(*m->v)))
		return -1;
	m->v = p;
	m->v[m->n].start = start;
	m->v[m->n].end = end;
	m->n++;
	return 0;
}

static int cmp_marks(const void *a, const void *b)
{
	const snippet_mark *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? 1 : (x->end > y->end ? -1 : 0);
}

/* Sort and merge overlapping marks. */
static void normalise_marks(struct marks *m)
{
	size_t out = 0;

	if (!m->n)
		return;
	qsort(m->v, m->n, sizeof(*m->v), cmp_marks);
	for (size_t i = 1; i < m->n; i++) {
		if (m->v[i].start < m->v[out].end) {
			if (m->v[i].end > m->v[out].end)
				m->v[out].end = m->v[i].end;
		} else {
			m->v[++out] = m->v[i];
		}
	}
	m->n = out + 1;
}

/* At least as many as the marks HL has in TEXT (text_count_bound() over
 * the terms to mark and the phrases' first terms): most paragraphs of a
 * hit hold none, or too few to be the snippet's, and are not tokenized. */
static size_t mark_bound(const char *text, size_t len, const query_highlight *hl)
{
	const char *cand[64];
	size_t n = 0;

	if (hl->n_terms + hl->n_phrases > sizeof(cand) / sizeof(cand[0]))
		return SIZE_MAX;
	for (size_t t = 0; t < hl->n_terms; t++)
		cand[n++] = hl->terms[t];
	for (size_t p = 0; p < hl->n_phrases; p++)
		if (hl->phrases[p].n)
			cand[n++] = hl->phrases[p].terms[0];
	return text_count_bound(text, len, cand, n);
}

/* Tokenize TEXT into K for HL: all of it, or with SPAN (the most terms of
 * a phrase) only up to SPAN positions past the first token that may start
 * a mark.  0, or -1 when out of memory. */
static int collect(const char *text, size_t len, const query_highlight *hl,
		   uint32_t span, struct toks *k)
{
	int r;

	memset(k, 0, sizeof(*k));
	k->hl = hl;
	k->span = span;
	r = text_tokenize(text, len, TEXT_FOR_HIGHLIGHT, 1, collect_token, k,
			  NULL, NULL);
	return r < 0 || k->oom ? -1 : 0;
}

static void toks_release(struct toks *k)
{
	free(k->v);
	strbuf_release(&k->arena);
}

/* The marks starting at token I of K: the term itself when HL marks it,
 * and each phrase of HL found there.  Each is passed to FN (start and end
 * offsets); FN's nonzero value stops and is returned. */
static int marks_at(const struct toks *k, size_t i, const query_highlight *hl,
		    int (*fn)(void *, size_t, size_t), void *ctx)
{
	const char *term = tok_term(k, i);
	int r;

	if (is_wanted(hl, term) && (r = fn(ctx, k->v[i].start, k->v[i].end)))
		return r;
	for (size_t p = 0; p < hl->n_phrases; p++) {
		const query_phrase *ph = &hl->phrases[p];
		size_t end = k->v[i].end, j;

		if (!ph->n || strcmp(ph->terms[0], term))
			continue;
		for (j = 1; j < ph->n; j++)
			if (!term_at(k, i, k->v[i].position + (uint32_t)j,
				     ph->terms[j], &end))
				break;
		if (j == ph->n && (r = fn(ctx, k->v[i].start, end)))
			return r;
	}
	return 0;
}

static int add_mark_cb(void *ctx, size_t start, size_t end)
{
	return add_mark(ctx, start, end) ? -1 : 0;
}

/* snippet_mark_text(), told whether mark_bound() was already found
 * nonzero (BOUND_KNOWN). */
static int mark_text(const char *text, size_t len, const query_highlight *hl,
		     int bound_known, snippet_mark **marks, size_t *n_marks)
{
	struct toks k;
	struct marks m = { NULL, 0, 0 };
	int r = 0;

	*marks = NULL;
	*n_marks = 0;
	if (!hl || (!hl->n_terms && !hl->n_phrases) || !len ||
	    (!bound_known && !mark_bound(text, len, hl)))
		return 0;
	r = collect(text, len, hl, 0, &k);
	for (size_t i = 0; !r && i < k.n; i++)
		r = marks_at(&k, i, hl, add_mark_cb, &m);
	toks_release(&k);
	if (r) {
		free(m.v);
		return -1;
	}
	normalise_marks(&m);
	*marks = m.v;
	*n_marks = m.n;
	return 0;
}

int snippet_mark_text(const char *text, size_t len, const query_highlight *hl,
		      snippet_mark **marks, size_t *n_marks)
{
	return mark_text(text, len, hl, 0, marks, n_marks);
}

static int first_cb(void *ctx, size_t start, size_t end)
{
	(void)end;
	*(size_t *)ctx = start;
	return 1;
}

int snippet_first_mark(const char *text, size_t len,
		       const query_highlight *hl, size_t *start)
{
	uint32_t span = 1;
	struct toks k;
	int r = 0;

	if (!hl || (!hl->n_terms && !hl->n_phrases) || !len ||
	    !mark_bound(text, len, hl))
		return 0;
	for (size_t p = 0; p < hl->n_phrases; p++)
		if (hl->phrases[p].n > span)
			span = hl->phrases[p].n > UINT32_MAX / 2
				       ? UINT32_MAX / 2 : (uint32_t)hl->phrases[p].n;
	/* Tokens are read until SPAN positions past the first that may start
	 * a mark.  The first mark found there, at position F, is the first
	 * of all when every token up to F + SPAN - 1 was read: a mark
	 * starting at or before F lies within those.  Otherwise (the first
	 * candidate was no mark, and none came soon after), read it all. */
	for (uint32_t want = span; !r; want = 0) {
		if (collect(text, len, hl, want, &k)) {
			toks_release(&k);
			return -1;
		}
		for (size_t i = 0; i < k.n && !r; i++) {
			if (!marks_at(&k, i, hl, first_cb, start))
				continue;
			if (!k.stopped || (uint64_t)k.v[i].position + span <= k.stop_at)
				r = 1;
			else
				break;
		}
		toks_release(&k);
		if (!want || !k.stopped)
			break;
	}
	return r;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Byte offset at or before POS in S that starts a word (after a space). */
static size_t word_start_before(const char *s, size_t pos)
{
	while (pos > 0 && !is_space(s[pos - 1]))
		pos--;
	return pos;
}

int snippet_build(const dispatch *d, const query_highlight *hl,
		  size_t max_bytes, snippet *out)
{
	size_t best = 0, start = 0;
	long best_score = -1;
	strbuf text = STRBUF_INIT;
	struct marks m = { NULL, 0, 0 };

	memset(out, 0, sizeof(*out));
	if (!d->n_paragraphs)
		return 0;
	if (!max_bytes)
		max_bytes = 240;

	/* Pick the paragraph with the most marks; the lede wins ties.  With
	 * one paragraph only where its first mark is matters. */
	if (d->n_paragraphs == 1) {
		const char *p = d->paragraphs[0];
		size_t first;
		int found = snippet_first_mark(p, strlen(p), hl, &first);

		if (found < 0)
			return -1;
		if (found && first > max_bytes / 3)
			start = word_start_before(p, first - max_bytes / 4);
	}
	for (size_t i = 0; d->n_paragraphs > 1 && i < d->n_paragraphs; i++) {
		const char *p = d->paragraphs[i];
		size_t len = strlen(p), n;
		snippet_mark *pm;
		long score;

		/* A paragraph that cannot beat the best so far, or holds no
		 * mark, is not read. */
		n = hl ? mark_bound(p, len, hl) : 0;
		if (best_score >= 0 && n < (size_t)LONG_MAX / 8 &&
		    (long)n * 4 - 1 <= best_score)
			continue;
		pm = NULL;
		if (n && mark_text(p, len, hl, 1, &pm, &n))
			return -1;
		score = (long)n * 4 - (long)(i > 0);
		if (score > best_score) {
			best_score = score;
			best = i;
			start = n && pm[0].start > max_bytes / 3
					? word_start_before(d->paragraphs[i],
							    pm[0].start - max_bytes / 4)
					: 0;
		}
		free(pm);
		if (!hl)
			break;
	}
	out->cut_start = best > 0 || start > 0;

	/* Take text from there on, paragraph after paragraph, to the size. */
	for (size_t i = best; i < d->n_paragraphs && text.len < max_bytes; i++) {
		const char *p = d->paragraphs[i] + (i == best ? start : 0);
		size_t len = strlen(p), room = max_bytes - text.len, base;
		snippet_mark *pm;
		size_t n;

		if (text.len && strbuf_addch(&text, ' '))
			goto oom;
		base = text.len;
		if (len > room) {
			size_t cut = text_utf8_prefix(p, len, room);

			while (cut > 0 && !is_space(p[cut]))
				cut--;
			if (cut == 0)
				cut = text_utf8_prefix(p, len, room);
			len = cut;
			while (len > 0 && is_space(p[len - 1]))
				len--;
			out->cut_end = 1;
		}
		if (strbuf_add(&text, p, len))
			goto oom;
		if (snippet_mark_text(text.buf + base, len, hl, &pm, &n))
			goto oom;
		for (size_t j = 0; j < n; j++)
			if (add_mark(&m, base + pm[j].start, base + pm[j].end)) {
				free(pm);
				goto oom;
			}
		free(pm);
		if (out->cut_end)
			break;
		if (i + 1 < d->n_paragraphs && text.len >= max_bytes)
			out->cut_end = 1;
	}
	out->text = strbuf_detach(&text, &out->len);
	if (!out->text)
		goto oom;
	out->marks = m.v;
	out->n_marks = m.n;
	return 0;
oom:
	strbuf_release(&text);
	free(m.v);
	memset(out, 0, sizeof(*out));
	return -1;
}

void snippet_release(snippet *s)
{
	free(s->text);
	free(s->marks);
	memset(s, 0, sizeof(*s));
}
