/*
 * fuzz_query.c - libFuzzer target for searcher/query.c and synonyms.c.
 *
 * The first input byte picks options (default_or, stemming, synonyms,
 * larger limits); the rest is the query.  Each input is parsed with a fixed
 * "now", and then:
 *  - a failure leaves *OUT NULL and says why in a non-empty message;
 *  - query_describe() succeeds, gives valid UTF-8 with balanced
 *    parentheses, and the same text when called twice;
 *  - query_highlights() gives non-empty valid UTF-8 terms and phrases;
 *  - query_to_xapian() (no database) builds a query that Xapian can
 *    describe, the same twice in a row, empty for an empty tree; and
 *    query_suggest() without a database suggests nothing.
 * Any violation aborts; ASan and UBSan catch the rest (leaks included).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "query.h"
#include "strbuf.h"
#include "text.h"
#include "xap.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2025-04-19 12:00:00 UTC */
#define NOW 1745064000

static synonyms *syn;

static void check(int ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char table[] =
		"TTP = Tehreek-e-Taliban Pakistan\n"
		"US = United States | Estados Unidos\n"
		"UN = United Nations | Naciones Unidas | ONU\n"
		"ONU = Naciones Unidas\n";
	char path[] = "/tmp/fuzz_query_syn.XXXXXX";
	char err[256];
	int fd = mkstemp(path);

	(void)argc;
	(void)argv;
	check(fd >= 0);
	check(write(fd, table, sizeof table - 1) == (ssize_t)(sizeof table - 1));
	close(fd);
	check(synonyms_load(path, &syn, err, sizeof err) == 0);
	unlink(path);
	return 0;
}

static void check_utf8_balanced(const char *s, size_t n)
{
	long depth = 0;
	int quoted = 0;

	check(text_is_utf8(s, n));
	check(strlen(s) == n);
	for (size_t i = 0; i < n; i++) {
		if (quoted) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				quoted = 0;
			continue;
		}
		if (s[i] == '"')
			quoted = 1;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')')
			check(--depth >= 0);
	}
	check(depth == 0 && !quoted);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	query_options o;
	query *q = (query *)&o;
	query_highlight h;
	strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	xap_query *x;
	char err[512], *text, *d1, *d2, *sugg = (char *)&o;
	unsigned flags;

	if (!size)
		return 0;
	flags = data[0];
	text = malloc(size);
	check(text != NULL);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';

	query_options_init(&o);
	o.now = NOW;
	o.default_or = flags & 1;
	o.stem = !!(flags & 2);
	o.syn = flags & 4 ? syn : NULL;
	if (flags & 8) {
		o.max_length = 1 << 20;
		o.max_terms = 5000;
		o.max_depth = 200;
	}
	if (flags & 16)
		o.max_wildcard = 3;
	err[0] = 'x';
	if (query_parse(text, &o, &q, err, sizeof err)) {
		check(q == NULL);
		check(err[0] != '\0');
		check(text_is_utf8(err, strlen(err)));
		free(text);
		return 0;
	}
	check(q != NULL);
	check(query_describe(q, &a) == 0);
	check_utf8_balanced(strbuf_str(&a), a.len);
	check(query_describe(q, &b) == 0);
	check(!strcmp(strbuf_str(&a), strbuf_str(&b)));
	check(query_is_empty(q) == !strcmp(strbuf_str(&a), "EMPTY"));

	check(query_highlights(q, &h) == 0);
	for (size_t i = 0; i < h.n_terms; i++)
		check(h.terms[i][0] && text_is_utf8(h.terms[i], strlen(h.terms[i])));
	for (size_t i = 0; i < h.n_phrases; i++) {
		check(h.phrases[i].n >= 2);
		for (size_t j = 0; j < h.phrases[i].n; j++)
			check(h.phrases[i].terms[j][0] &&
			      text_is_utf8(h.phrases[i].terms[j],
					   strlen(h.phrases[i].terms[j])));
	}

	check(query_to_xapian(q, NULL, &o, &x, err, sizeof err) == 0);
	check(xap_query_describe(x, &d1) == XAP_OK);
	xap_query_free(x);
	check(query_to_xapian(q, NULL, &o, &x, err, sizeof err) == 0);
	check(xap_query_describe(x, &d2) == XAP_OK);
	check(!strcmp(d1, d2));
	/* (not the converse: without a database, a wildcard in NEAR
	 * matches nothing) */
	if (query_is_empty(q))
		check(xap_query_is_empty(x));
	free(d1);
	free(d2);
	xap_query_free(x);

	check(query_suggest(q, NULL, &sugg) == 0 && sugg == NULL);

	strbuf_release(&a);
	strbuf_release(&b);
	query_free(q);
	free(text);
	return 0;
}
