/*
 * test_snippet.c - snippets and match marking (searcher/snippet.h).
 *
 * The snippet code reads no further than it must: a paragraph that cannot
 * hold enough marks is not tokenized (text_count_bound()), and in a
 * single paragraph only the first mark is looked for.  Each shortcut is
 * checked against the long way on a few thousand generated texts: the
 * first mark against the first of snippet_mark_text()'s, and the chosen
 * paragraph and start against marking every paragraph in full.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "dispatch.h"
#include "snippet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Words of generated text: ASCII and not, hyphenated, dotted, numbers,
 * possessives, punctuation. */
static const char *const words[] = {
	"oil", "crude", "Crude", "OIL", "U.S.", "US", "us", "US-led",
	"Tehreek-e-Taliban", "Pakistan's", "84,000", "84000", "3.5", "Bogotá",
	"bogota", "the", "of", "bank", "Bank", "Japan", "japan", "O'Brien", "x",
	"y", "price", "prices", "(TTP)", "--", ",", ".", "said", "BANK OF JAPAN",
};
#define N_WORDS (sizeof words / sizeof words[0])

static const char *const terms[] = {
	"oil", "crude", "us", "^us", "usled", "tehreeketaliban", "taliban",
	"pakistan", "84000", "3.5", "bogota", "bank", "japan", "of", "obrien",
	"x", "ttp",
};
#define N_TERMS (sizeof terms / sizeof terms[0])

static const char *const p0[] = { "crude", "oil" };
static const char *const p1[] = { "bank", "of", "japan" };
static const char *const p2[] = { "tehreek", "e", "taliban" };
static const char *const p3[] = { "us", "led" };
static const char *const p4[] = { "x", "y", "x" };
static const query_phrase phrases[] = {
	{ p0, 2 }, { p1, 3 }, { p2, 3 }, { p3, 2 }, { p4, 3 },
};
#define N_PHRASES (sizeof phrases / sizeof phrases[0])

static unsigned long seed = 12345;

static unsigned rnd(unsigned n)
{
	seed = seed * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((seed >> 33) % n);
}

/* A text of N random words in BUF. */
static size_t make_text(char *buf, size_t cap, unsigned n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && len + 32 < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? " " : "",
					words[rnd(N_WORDS)]);
	return len;
}

/* A random highlight: some terms, some phrases (storage in the arrays
 * given). */
static void make_hl(query_highlight *hl, const char **t, query_phrase *ph)
{
	size_t nt = rnd(4), np = rnd(3);

	for (size_t i = 0; i < nt; i++)
		t[i] = terms[rnd(N_TERMS)];
	for (size_t i = 0; i < np; i++)
		ph[i] = phrases[rnd(N_PHRASES)];
	hl->terms = t;
	hl->n_terms = nt;
	hl->phrases = ph;
	hl->n_phrases = np;
}

/* snippet_first_mark() finds the first of snippet_mark_text()'s marks. */
static void test_first_mark(void **state)
{
	char text[2048];
	const char *t[4];
	query_phrase ph[3];
	query_highlight hl;
	size_t found_some = 0, shortcut = 0;

	(void)state;
	for (int round = 0; round < 4000; round++) {
		size_t len = make_text(text, sizeof text, 1 + rnd(60)), n = 0, first = 0;
		snippet_mark *marks = NULL;
		int r;

		make_hl(&hl, t, ph);
		assert_int_equal(snippet_mark_text(text, len, &hl, &marks, &n), 0);
		r = snippet_first_mark(text, len, &hl, &first);
		if (r != (n > 0) || (n && first != marks[0].start))
			fail_msg("\"%s\": first mark %d at %zu, marks %zu from %zu", text,
				 r, first, n, n ? marks[0].start : 0);
		found_some += n > 0;
		shortcut += n > 0 && marks[n - 1].end < len;
		free(marks);
	}
	/* The texts exercise both outcomes, and marks before the end. */
	assert_true(found_some > 1000 && found_some < 3900);
	assert_true(shortcut > 500);
	assert_int_equal(snippet_first_mark("oil", 3, NULL, &(size_t){ 0 }), 0);
}

/* The paragraph and start snippet_build() picks, the long way: mark every
 * paragraph, the most marks win, the lede wins ties. */
static const char *reference_start(const dispatch *d, const query_highlight *hl,
				   size_t max_bytes, size_t *para)
{
	long best_score = -1;
	size_t best = 0, start = 0;

	for (size_t i = 0; i < d->n_paragraphs; i++) {
		const char *p = d->paragraphs[i];
		snippet_mark *m = NULL;
		size_t n = 0;
		long score;

		assert_int_equal(snippet_mark_text(p, strlen(p), hl, &m, &n), 0);
		score = (long)n * 4 - (long)(i > 0);
		if (score > best_score) {
			best_score = score;
			best = i;
			start = 0;
			if (n && m[0].start > max_bytes / 3) {
				start = m[0].start - max_bytes / 4;
				while (start > 0 && p[start - 1] != ' ' &&
				       p[start - 1] != '\t' && p[start - 1] != '\n')
					start--;
			}
		}
		free(m);
	}
	*para = best;
	return d->paragraphs[best] + start;
}

static void test_build_picks(void **state)
{
	char text[1024], head[64];
	const char *t[4];
	query_phrase ph[3];
	query_highlight hl;
	size_t later = 0;

	(void)state;
	for (int round = 0; round < 1500; round++) {
		unsigned n_para = 1 + rnd(5);
		size_t max_bytes = 60 + rnd(240), para;
		const char *want;
		dispatch d;
		snippet s;

		dispatch_init(&d);
		for (unsigned i = 0; i < n_para; i++) {
			/* Each paragraph starts differently: a wrong pick shows. */
			size_t len = (size_t)snprintf(text, sizeof text, "P%u ", i);

			len += make_text(text + len, sizeof text - len, 1 + rnd(50));
			assert_int_equal(dispatch_add_paragraph(&d, text, len), 0);
		}
		make_hl(&hl, t, ph);
		want = reference_start(&d, &hl, max_bytes, &para);
		assert_int_equal(snippet_build(&d, &hl, max_bytes, &s), 0);
		snprintf(head, sizeof head, "%s", want);
		head[strcspn(head, " ")] = '\0';
		if (strncmp(s.text, want, strlen(head)) ||
		    s.cut_start != (para > 0 || want != d.paragraphs[para]))
			fail_msg("paragraph %zu from \"%s\": got \"%.40s\" (cut %d)",
				 para, head, s.text, s.cut_start);
		later += para > 0;
		snippet_release(&s);
		dispatch_release(&d);
	}
	assert_true(later > 100);
}

/* A phrase is marked only where its words are consecutive; with nothing
 * to mark the snippet is the start of the body; a long lede is cut before
 * its first mark. */
static void test_build_examples(void **state)
{
	static const char *const oil[] = { "crude", "oil" };
	static const query_phrase crude_oil = { oil, 2 };
	const char *body = "Oil rose. Crude prices and oil fell. Crude oil and crude oil.";
	query_highlight hl = { NULL, 0, &crude_oil, 1 };
	char lede[600];
	dispatch d;
	snippet s;

	(void)state;
	dispatch_init(&d);
	assert_int_equal(dispatch_add_paragraph(&d, body, strlen(body)), 0);
	assert_int_equal(snippet_build(&d, &hl, 240, &s), 0);
	assert_string_equal(s.text, body);
	assert_int_equal(s.n_marks, 2);
	assert_int_equal(s.marks[0].start, 37);
	assert_int_equal(s.marks[0].end, 46);
	assert_int_equal(s.marks[1].start, 51);
	assert_int_equal(s.marks[1].end, 60);
	snippet_release(&s);
	assert_int_equal(snippet_build(&d, NULL, 240, &s), 0);
	assert_string_equal(s.text, body);
	assert_int_equal(s.n_marks, 0);
	snippet_release(&s);
	dispatch_release(&d);

	dispatch_init(&d);
	memset(lede, 0, sizeof lede);
	for (size_t i = 0; i + 6 < 400; i += 5)
		memcpy(lede + i, "word ", 5);
	strcat(lede, "crude oil ends it.");
	assert_int_equal(dispatch_add_paragraph(&d, lede, strlen(lede)), 0);
	assert_int_equal(snippet_build(&d, &hl, 100, &s), 0);
	assert_int_equal(s.cut_start, 1);
	assert_non_null(strstr(s.text, "crude oil"));
	assert_true(s.len <= 100);
	snippet_release(&s);
	dispatch_release(&d);
}

/* Out of memory at any allocation: -1 and an empty snippet, or success. */
static void test_alloc_failure(void **state)
{
	static const char *const t[] = { "oil", "japan" };
	query_highlight hl = { t, 2, phrases, N_PHRASES };
	dispatch d;

	(void)state;
	for (int paras = 1; paras <= 3; paras += 2) {
		dispatch_init(&d);
		for (int i = 0; i < paras; i++) {
			const char *p = i ? "Bank of Japan said oil, oil." :
					"Crude oil and the Bank of Japan.";

			assert_int_equal(dispatch_add_paragraph(&d, p, strlen(p)), 0);
		}
		for (unsigned long k = 1;; k++) {
			unsigned long made;
			snippet s;
			int r;

			wire_alloc_fail_at(k, 1);
			r = snippet_build(&d, &hl, 240, &s);
			made = wire_alloc_fail_at(0, 0);
			if (made < k) {
				assert_int_equal(r, 0);
				assert_true(s.n_marks >= 2);
				snippet_release(&s);
				break;
			}
			assert_int_equal(r, -1);
			assert_null(s.text);
			assert_int_equal(s.n_marks, 0);
		}
		dispatch_release(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_mark),
		cmocka_unit_test(test_build_picks),
		cmocka_unit_test(test_build_examples),
		cmocka_unit_test(test_alloc_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
