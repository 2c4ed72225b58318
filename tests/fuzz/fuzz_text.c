/*
 * fuzz_text.c - libFuzzer target for common/text.c.
 *
 * The input is tokenized in the three modes and each token checked (valid,
 * non-empty UTF-8 of at most TEXT_MAX_TERM bytes without controls, offsets
 * inside the input, positions and word indexes never going back); then:
 *  - highlighting gives exactly the index tokens;
 *  - every query token is an index token (term, position, flags): a query
 *    finds the text it was copied from;
 *  - the text with a soft hyphen between adjacent ASCII letters, which
 *    sends every word down the utf8proc path, gives the same terms: the
 *    ASCII fast path folds as utf8proc does;
 *  - invalid UTF-8 is counted the same by the tokenizer, text_clean() and
 *    text_is_utf8();
 *  - text_clean() output is valid UTF-8 without controls but tab and
 *    newline, and cleaning it again changes nothing;
 *  - text_fold() output is valid UTF-8, single-spaced, trimmed;
 *  - text_utf8_prefix() never cuts a character.
 * Any violation aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tok {
	uint32_t position, word;
	unsigned flags;
	size_t start, end, off, len;
};

struct toks {
	struct tok *v;
	size_t n, cap;
	char *terms;
	size_t tlen, tcap;
	size_t size;  /* input size */
	uint32_t first;
};

static void check(int ok)
{
	if (!ok)
		abort();
}

/* Whether N bytes at S are UTF-8 without control characters. */
static int clean_utf8(const char *s, size_t n, int allow_tab_nl)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	if (!text_is_utf8(s, n))
		return 0;
	for (i = 0; i < n; i++) {
		if (u[i] < 0x20 && !(allow_tab_nl && (u[i] == '\t' ||
						      u[i] == '\n')))
			return 0;
		if (u[i] == 0x7F)
			return 0;
		/* C1 controls are U+0080..U+009F: C2 80..C2 9F */
		if (u[i] == 0xC2 && i + 1 < n && u[i + 1] < 0xA0)
			return 0;
	}
	return 1;
}

static int collect(void *ctx, const text_token *tk)
{
	struct toks *t = ctx;
	struct tok *last = t->n ? &t->v[t->n - 1] : NULL;
	void *p;

	check(tk->term != NULL && tk->len > 0 && tk->len <= TEXT_MAX_TERM);
	check(strlen(tk->term) == tk->len);
	check(clean_utf8(tk->term, tk->len, 0));
	check(tk->start <= tk->end && tk->end <= t->size);
	check(tk->position >= t->first);
	check(!(tk->flags & TEXT_TOKEN_ACRONYM) ==
	      (tk->term[0] != TEXT_ACRONYM_MARK));
	check(!!(tk->flags & TEXT_TOKEN_CUT) == (tk->len > 110 &&
		  tk->term[tk->len - 9] == '~'));
	check(!(tk->flags & TEXT_TOKEN_JOINED) ||
	      !(tk->flags & TEXT_TOKEN_PART));
	if (last) {
		check(tk->position >= last->position);
		check(tk->word >= last->word);
	}
	p = t->v;
	if (wire_grow(&p, &t->cap, t->n + 1, sizeof *t->v))
		abort();
	t->v = p;
	p = t->terms;
	if (wire_grow(&p, &t->tcap, t->tlen + tk->len + 1, 1))
		abort();
	t->terms = p;
	memcpy(t->terms + t->tlen, tk->term, tk->len + 1);
	t->v[t->n].position = tk->position;
	t->v[t->n].word = tk->word;
	t->v[t->n].flags = tk->flags;
	t->v[t->n].start = tk->start;
	t->v[t->n].end = tk->end;
	t->v[t->n].off = t->tlen;
	t->v[t->n].len = tk->len;
	t->n++;
	t->tlen += tk->len + 1;
	return 0;
}

static void tokenize(const char *s, size_t n, enum text_mode mode,
		     struct toks *t, text_stats *st)
{
	uint32_t next = 0;

	memset(t, 0, sizeof *t);
	t->size = n;
	t->first = 1;
	memset(st, 0, sizeof *st);
	check(text_tokenize(s, n, mode, 1, collect, t, &next, st) == 0);
	check(st->tokens == t->n);
	check(st->words <= t->n);
	check(t->n == 0 || next > t->v[t->n - 1].position);
	check(next - 1 <= n);
}

static void toks_free(struct toks *t)
{
	free(t->v);
	free(t->terms);
}

static int same_token(const struct toks *a, size_t i, const struct toks *b,
		      size_t j, int offsets)
{
	const struct tok *x = &a->v[i], *y = &b->v[j];

	return x->position == y->position && x->flags == y->flags &&
	       x->len == y->len && x->word == y->word &&
	       !memcmp(a->terms + x->off, b->terms + y->off, x->len) &&
	       (!offsets || (x->start == y->start && x->end == y->end));
}

/* Every query token is an index token.  Both come in position order. */
static void check_query(const struct toks *ix, const struct toks *q)
{
	size_t i, j = 0, k;

	for (i = 0; i < q->n; i++) {
		while (j < ix->n && ix->v[j].position < q->v[i].position)
			j++;
		for (k = j; k < ix->n &&
			    ix->v[k].position == q->v[i].position; k++)
			if (same_token(ix, k, q, i, 1))
				break;
		check(k < ix->n && ix->v[k].position == q->v[i].position);
	}
}

static int ascii_letter(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* text_count_bound() is never below the number of tokens having a term:
 * for the first few distinct terms of T, alone and together. */
static void check_count_bound(const char *s, size_t size, const struct toks *t)
{
	const char *terms[8];
	size_t n_terms = 0, total = 0;

	for (size_t i = 0; i < t->n && n_terms < 8; i++) {
		const char *term = t->terms + t->v[i].off;
		size_t count = 0, j;

		for (j = 0; j < n_terms && strcmp(terms[j], term); j++)
			;
		if (j < n_terms)
			continue;
		for (j = 0; j < t->n; j++)
			count += !strcmp(t->terms + t->v[j].off, term);
		check(text_count_bound(s, size, &term, 1) >= count);
		terms[n_terms++] = term;
		total += count;
	}
	check(text_count_bound(s, size, terms, n_terms) >= total);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct toks ix, hl, q, soft;
	text_stats st, st2;
	size_t i, n, len, repaired = 0, repaired2 = 0;
	char *buf, *c, *c2, *f;

	if (size > 1 << 16)
		return 0;

	tokenize(s, size, TEXT_FOR_INDEX, &ix, &st);
	check((st.invalid_utf8 == 0) == text_is_utf8(s, size));

	tokenize(s, size, TEXT_FOR_HIGHLIGHT, &hl, &st2);
	check(hl.n == ix.n);
	for (i = 0; i < ix.n; i++)
		check(same_token(&ix, i, &hl, i, 1));
	check_count_bound(s, size, &hl);
	toks_free(&hl);

	tokenize(s, size, TEXT_FOR_QUERY, &q, &st2);
	check(st2.words == st.words);
	check_query(&ix, &q);
	toks_free(&q);

	buf = malloc(3 * size + 1);
	if (!buf)
		abort();
	for (i = n = 0; i < size; i++) {
		buf[n++] = s[i];
		if (i + 1 < size && ascii_letter(data[i]) &&
		    ascii_letter(data[i + 1])) {
			buf[n++] = '\xc2';
			buf[n++] = '\xad';
		}
	}
	tokenize(buf, n, TEXT_FOR_INDEX, &soft, &st2);
	check(soft.n == ix.n);
	for (i = 0; i < ix.n; i++)
		check(same_token(&ix, i, &soft, i, 0));
	toks_free(&soft);
	free(buf);
	toks_free(&ix);

	c = text_clean(s, size, &len, &repaired);
	check(c != NULL);
	check(repaired == st.invalid_utf8);
	check(strlen(c) == len && clean_utf8(c, len, 1));
	c2 = text_clean(c, len, &n, &repaired2);
	check(c2 != NULL && n == len && !memcmp(c, c2, len) && !repaired2);
	free(c2);
	free(c);

	f = text_fold(s, size);
	check(f != NULL);
	len = strlen(f);
	check(text_is_utf8(f, len));
	check(!len || (f[0] != ' ' && f[len - 1] != ' '));
	check(!strstr(f, "  "));
	free(f);

	for (i = 0; i < 8 && size; i++) {
		size_t max = (size_t)data[i % size] * size / 255, p;

		p = text_utf8_prefix(s, size, max);
		check(p <= max && p <= size && (max > size || p + 3 >= max));
		if (text_is_utf8(s, size))
			check(text_is_utf8(s, p));
	}
	return 0;
}
