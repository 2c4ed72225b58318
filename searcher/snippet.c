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
};

static int collect_token(void *ctx, const text_token *t)
{
	struct toks *k = ctx;
	void *p = k->v;

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

int snippet_mark_text(const char *text, size_t len, const query_highlight *hl,
		      snippet_mark **marks, size_t *n_marks)
{
	struct toks k;
	struct marks m = { NULL, 0, 0 };
	int r = 0;

	*marks = NULL;
	*n_marks = 0;
	if (!hl || (!hl->n_terms && !hl->n_phrases) || !len)
		return 0;
	memset(&k, 0, sizeof(k));
	if (text_tokenize(text, len, TEXT_FOR_HIGHLIGHT, 1, collect_token, &k,
			  NULL, NULL) < 0 || k.oom)
		r = -1;
	for (size_t i = 0; !r && i < k.n; i++) {
		const char *term = tok_term(&k, i);

		if (is_wanted(hl, term) && add_mark(&m, k.v[i].start, k.v[i].end))
			r = -1;
		for (size_t p = 0; !r && p < hl->n_phrases; p++) {
			const query_phrase *ph = &hl->phrases[p];
			size_t end = k.v[i].end, j;

			if (!ph->n || strcmp(ph->terms[0], term))
				continue;
			for (j = 1; j < ph->n; j++)
				if (!term_at(&k, i, k.v[i].position + (uint32_t)j,
					     ph->terms[j], &end))
					break;
			if (j == ph->n && add_mark(&m, k.v[i].start, end))
				r = -1;
		}
	}
	free(k.v);
	strbuf_release(&k.arena);
	if (r) {
		free(m.v);
		return -1;
	}
	normalise_marks(&m);
	*marks = m.v;
	*n_marks = m.n;
	return 0;
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

	/* Pick the paragraph with the most marks; the lede wins ties. */
	for (size_t i = 0; i < d->n_paragraphs; i++) {
		snippet_mark *pm;
		size_t n;
		long score;

		if (snippet_mark_text(d->paragraphs[i], strlen(d->paragraphs[i]),
				      hl, &pm, &n))
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
