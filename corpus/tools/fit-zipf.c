/*
 * fit-zipf - count the words of wire dispatches and fit Zipf's law to them.
 *
 *   fit-zipf [--top R] [--min-count C] [--out DIR] PATH...
 *
 * Reads every plain-text dispatch (.txt, .txt.gz) under the directories
 * named, and any file named directly in a format the readers know, through
 * the project's own readers: the header block, the dateline and the
 * sign-off are left out (and the trailers the readers leave in: Reuters'
 * "(Reporting by ...)", AP's contributor line, dpa's and Xinhua's
 * sign-offs); the headline and the body paragraphs are counted.
 * Dispatches are split by language: Spanish when the header says
 * "Language: es" or, without a header, when the dateline gives its date
 * day-first with a Spanish month ("Kabul, 19 abr (EFE).-"); English
 * otherwise.
 *
 * A word is a run of letters (and combining marks), with ' ’ - inside it
 * when a letter follows ("Pakistan's", "four-day").  Acronyms are left out
 * (words in capitals, "U.S."): the generator adds them itself, and the
 * capital datelines would swamp the counts.  Words are counted case-folded;
 * each is written in its most frequent form away from the start of a
 * sentence ("Pakistan", "the").
 *
 * The fit is a least-squares line through (log rank, log frequency) over
 * the top ranks: ranks 1..R, R = min(--top, the number of words seen at
 * least --min-count times).  s is minus its slope; r2 says how straight
 * the line is.  Printed on standard output, one line per language; with
 * --out DIR, written to DIR/words-en.tsv, DIR/words-es.tsv (word, count,
 * by rank) and DIR/zipf.tsv (the parameters), which wire-gen reads.
 *
 * Exit status: 0, 1 when a file could not be read, 2 on a usage error.
 */
#include "alloc.h"
#include "dispatch.h"
#include "input.h"
#include "reader.h"
#include "strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utf8proc.h>

enum { LANG_EN, LANG_ES, N_LANGS };
static const char *const lang_code[N_LANGS] = { "en", "es" };

/* ------------------------------------------------------------ hash table */

struct entry {
	char *key;           /* case-folded word, or a surface form */
	unsigned long count;
};

struct table {
	struct entry *e;
	size_t cap, n;
};

static uint64_t hash_str(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static int table_grow(struct table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 1024;
	struct entry *e = wire_calloc(cap, sizeof(*e));

	if (!e)
		return -1;
	for (size_t i = 0; i < t->cap; i++) {
		size_t j;

		if (!t->e[i].key)
			continue;
		j = hash_str(t->e[i].key, strlen(t->e[i].key)) & (cap - 1);
		while (e[j].key)
			j = (j + 1) & (cap - 1);
		e[j] = t->e[i];
	}
	free(t->e);
	t->e = e;
	t->cap = cap;
	return 0;
}

/* Add N to the count of S[0..LEN).  Returns 0, or -1 when out of memory. */
static int table_add(struct table *t, const char *s, size_t len,
		     unsigned long n)
{
	size_t j;

	if ((t->n + 1) * 2 > t->cap && table_grow(t))
		return -1;
	j = hash_str(s, len) & (t->cap - 1);
	while (t->e[j].key) {
		if (strlen(t->e[j].key) == len && !memcmp(t->e[j].key, s, len)) {
			t->e[j].count += n;
			return 0;
		}
		j = (j + 1) & (t->cap - 1);
	}
	if (!(t->e[j].key = wire_strndup(s, len)))
		return -1;
	t->e[j].count = n;
	t->n++;
	return 0;
}

static struct entry *table_find(const struct table *t, const char *s)
{
	size_t len = strlen(s), j;

	if (!t->cap)
		return NULL;
	j = hash_str(s, len) & (t->cap - 1);
	while (t->e[j].key) {
		if (!strcmp(t->e[j].key, s))
			return &t->e[j];
		j = (j + 1) & (t->cap - 1);
	}
	return NULL;
}

static void table_release(struct table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->e[i].key);
	free(t->e);
	memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------- counting */

struct lang_counts {
	struct table words;     /* folded word -> count */
	struct table surfaces;  /* surface form (not sentence-initial) -> count */
	unsigned long files, dispatches, tokens;
};

static int is_letter(utf8proc_int32_t c)
{
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
		return 1;
	default:
		return 0;
	}
}

static int is_mark(utf8proc_int32_t c)
{
	utf8proc_category_t k = utf8proc_category(c);

	return k == UTF8PROC_CATEGORY_MN || k == UTF8PROC_CATEGORY_MC;
}

/* The code point at S[I..N) in *C and its length; invalid bytes count as
 * one byte of U+FFFD. */
static size_t next_cp(const char *s, size_t i, size_t n, utf8proc_int32_t *c)
{
	utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
					      (utf8proc_ssize_t)(n - i), c);

	if (l <= 0) {
		*c = 0xFFFD;
		return 1;
	}
	return (size_t)l;
}

/* Count one word S[0..LEN); INITIAL: it starts a sentence. */
static int count_word(struct lang_counts *lc, const char *s, size_t len,
		      int initial)
{
	char folded[256];
	size_t i = 0, o = 0;
	int letters = 0, upper = 0;
	utf8proc_int32_t c;

	if (len >= sizeof(folded) / 2)
		return 0; /* no word is that long: a run of junk */
	while (i < len) {
		size_t l = next_cp(s, i, len, &c);
		utf8proc_uint8_t buf[4];
		utf8proc_ssize_t w;

		if (c == '.')
			return 0; /* an acronym: U.S, T.T.P */
		if (is_letter(c)) {
			letters++;
			if (utf8proc_category(c) == UTF8PROC_CATEGORY_LU)
				upper++;
		}
		w = utf8proc_encode_char(utf8proc_tolower(c), buf);
		if (o + (size_t)w >= sizeof(folded))
			return 0;
		memcpy(folded + o, buf, (size_t)w);
		o += (size_t)w;
		i += l;
	}
	if (letters >= 2 && upper == letters)
		return 0; /* NATO, KABUL, EFE */
	lc->tokens++;
	if (table_add(&lc->words, folded, o, 1))
		return -1;
	if (!initial && table_add(&lc->surfaces, s, len, 1))
		return -1;
	return 0;
}

/* Count the words of the text S[0..N). */
static int count_text(struct lang_counts *lc, const char *s, size_t n)
{
	size_t i = 0;
	int initial = 1; /* the first word, and any after . ! ? : */

	while (i < n) {
		utf8proc_int32_t c;
		size_t l = next_cp(s, i, n, &c), start, end;

		if (!is_letter(c)) {
			if (c == '.' || c == '!' || c == '?' || c == ':')
				initial = 1;
			else if (c >= '0' && c <= '9')
				initial = 0;
			i += l;
			continue;
		}
		start = i;
		end = i + l;
		i += l;
		for (;;) {
			utf8proc_int32_t d, e;
			size_t ld, le;

			if (i >= n)
				break;
			ld = next_cp(s, i, n, &d);
			if (is_letter(d) || is_mark(d)) {
				i += ld;
				end = i;
				continue;
			}
			if ((d == '\'' || d == 0x2019 || d == '-' || d == '.') &&
			    i + ld < n) {
				le = next_cp(s, i + ld, n, &e);
				if (is_letter(e)) {
					i += ld + le;
					end = i;
					continue;
				}
			}
			break;
		}
		if (count_word(lc, s + start, end - start, initial))
			return -1;
		initial = 0;
	}
	return 0;
}

/* "Language: xx" from the header block of the plain-text file PATH: 1 for
 * es, 0 for another language, -1 when there is no such line. */
static int header_language(const char *path)
{
	input *in = input_open(path);
	const char *line;
	size_t len;
	int r = -1;

	if (!in)
		return -1;
	while (input_getline(in, &line, &len) == 1) {
		const char *colon;

		if (len == 0)
			break;
		colon = memchr(line, ':', len);
		if (!colon || colon == line || (size_t)(colon - line) > 20 ||
		    memchr(line, ' ', (size_t)(colon - line)))
			break; /* not "Key: value": the body */
		if (len > 10 && !memcmp(line, "Language: ", 10)) {
			r = len - 10 >= 2 && !memcmp(line + 10, "es", 2) &&
			    (len == 12 || line[12] == '-');
			break;
		}
	}
	input_close(in, NULL);
	return r;
}

/* Whether dateline DL gives its date day-first with a lower-case Spanish
 * month: "Kabul, 19 abr (EFE)". */
static int dateline_spanish(const char *dl)
{
	for (const char *p = dl ? strstr(dl, ", ") : NULL; p;
	     p = strstr(p + 1, ", ")) {
		const char *q = p + 2, *m;

		if (*q < '0' || *q > '9')
			continue;
		while (*q >= '0' && *q <= '9')
			q++;
		if (*q++ != ' ')
			continue;
		if (!strncmp(q, "de ", 3))
			q += 3;
		m = q;
		while (*q >= 'a' && *q <= 'z')
			q++;
		if (q > m && dateline_month(m, (size_t)(q - m)))
			return 1;
	}
	return 0;
}

/* Whether paragraph P is an agency trailer, not prose: "(Reporting by ...;
 * Editing by ...)", AP's "___" and contributor line, dpa's "dpa ms xx".
 * (The readers take only the sign-offs they know off the body.) */
static int is_trailer(const char *p)
{
	static const char *const starts[] = {
		"(Reporting", "(Writing", "(Editing", "(Additional", "(Compiled",
		"___", "Associated Press writer", "Associated Press writers",
	};

	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (!strncmp(p, starts[i], strlen(starts[i])))
			return 1;
	return !strncmp(p, "dpa ", 4) && strlen(p) < 24;
}

/* Length of paragraph P without a final " Enditem" (Xinhua's sign-off). */
static size_t prose_len(const char *p)
{
	size_t n = strlen(p);

	if (n >= 8 && !strcmp(p + n - 8, " Enditem"))
		n -= 8;
	return n;
}

struct run {
	struct lang_counts lang[N_LANGS];
	int failed;
	int oom;
};

static void warn_cb(void *ctx, const char *file, unsigned long line,
		    const char *message, int skipped)
{
	(void)ctx;
	(void)skipped;
	fprintf(stderr, "fit-zipf: %s:%lu: %s\n", file, line, message);
}

static void read_file(struct run *run, const char *path)
{
	reader_options ro;
	reader *r;
	dispatch d;
	char err[1024];
	int rc, es_header = -1, counted[N_LANGS] = { 0, 0 };

	memset(&ro, 0, sizeof(ro));
	ro.format = FORMAT_AUTO;
	ro.warn = warn_cb;
	r = reader_open(path, &ro, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "fit-zipf: %s\n", err);
		run->failed = 1;
		return;
	}
	if (reader_format_of(path) == FORMAT_TEXT)
		es_header = header_language(path);
	dispatch_init(&d);
	while ((rc = reader_next(r, &d)) == 1) {
		int l;

		if (es_header >= 0)
			l = es_header ? LANG_ES : LANG_EN;
		else if (reader_format_of(path) == FORMAT_TEXT)
			l = dateline_spanish(d.dateline) ? LANG_ES : LANG_EN;
		else
			l = d.language && !strcmp(d.language, "es") ? LANG_ES
								   : LANG_EN;
		if (!counted[l]) {
			run->lang[l].files++;
			counted[l] = 1;
		}
		run->lang[l].dispatches++;
		if (d.headline && count_text(&run->lang[l], d.headline,
					     strlen(d.headline)))
			run->oom = 1;
		for (size_t i = 0; i < d.n_paragraphs; i++)
			if (!is_trailer(d.paragraphs[i]) &&
			    count_text(&run->lang[l], d.paragraphs[i],
				       prose_len(d.paragraphs[i])))
				run->oom = 1;
		dispatch_release(&d);
		dispatch_init(&d);
	}
	dispatch_release(&d);
	if (rc < 0) {
		fprintf(stderr, "fit-zipf: %s\n", reader_error(r));
		run->failed = 1;
	}
	if (reader_close(r, err, sizeof(err))) {
		fprintf(stderr, "fit-zipf: %s\n", err);
		run->failed = 1;
	}
}

static int is_text_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && !strcmp(name + n - 4, ".txt")) ||
	       (n > 7 && !strcmp(name + n - 7, ".txt.gz"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read PATH: a file, or a directory walked in name order for .txt[.gz]. */
static void walk(struct run *run, const char *path, int named)
{
	struct stat st;
	DIR *dir;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "fit-zipf: %s: %s\n", path, strerror(errno));
		run->failed = 1;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (named || is_text_name(path))
			read_file(run, path);
		return;
	}
	if (!(dir = opendir(path))) {
		fprintf(stderr, "fit-zipf: %s: %s\n", path, strerror(errno));
		run->failed = 1;
		return;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (wire_grow((void **)&names, &cap, n + 1, sizeof(*names)) ||
		    !(names[n] = wire_strdup(de->d_name))) {
			run->oom = 1;
			break;
		}
		n++;
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		strbuf sub = STRBUF_INIT;

		if (!strbuf_addf(&sub, "%s/%s", path, names[i]))
			walk(run, sub.buf, 0);
		else
			run->oom = 1;
		strbuf_release(&sub);
		free(names[i]);
	}
	free(names);
}

/* ------------------------------------------------------------------ fit */

struct ranked {
	const char *word;   /* the folded key */
	const char *form;   /* the form to write */
	unsigned long count;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->word, y->word);
}

struct fit {
	size_t ranks;   /* ranks fitted */
	double s, c, r2; /* log f = c - s log r */
};

static struct fit fit_zipf(const struct ranked *w, size_t n, size_t top,
			   unsigned long min_count)
{
	struct fit f = { 0, 0, 0, 0 };
	double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0, k;
	size_t r = 0;

	while (r < n && r < top && w[r].count >= min_count)
		r++;
	f.ranks = r;
	if (r < 3)
		return f;
	for (size_t i = 0; i < r; i++) {
		double x = log((double)(i + 1)), y = log((double)w[i].count);

		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
		syy += y * y;
	}
	k = (double)r;
	{
		double vx = sxx - sx * sx / k, vy = syy - sy * sy / k;
		double cxy = sxy - sx * sy / k, slope = cxy / vx;

		f.s = -slope;
		f.c = (sy - slope * sx) / k;
		f.r2 = vy > 0 ? cxy * cxy / (vx * vy) : 1;
	}
	return f;
}

/* The words of LC ranked, each with its written form.  NULL when out of
 * memory (or there is none: *N is then 0). */
static struct ranked *rank_words(struct lang_counts *lc, size_t *n,
				 struct table *forms)
{
	struct ranked *w;
	size_t k = 0;

	*n = 0;
	if (!lc->words.n)
		return NULL;
	w = wire_calloc(lc->words.n, sizeof(*w));
	if (!w)
		return NULL;
	/* The best form of each word: its most frequent non-initial surface
	 * (ties: the greater in byte order, so the choice does not depend on
	 * the hash order), else the word folded.  FORMS maps a folded word to
	 * 1 + the slot of its best surface in lc->surfaces (in its count). */
	for (size_t i = 0; i < lc->surfaces.cap; i++) {
		const struct entry *s = &lc->surfaces.e[i];
		char folded[256];
		size_t o = 0, j = 0, len;
		struct entry *best;

		if (!s->key)
			continue;
		len = strlen(s->key);
		while (j < len && o + 4 < sizeof(folded)) {
			utf8proc_int32_t c;

			j += next_cp(s->key, j, len, &c);
			o += (size_t)utf8proc_encode_char(
				utf8proc_tolower(c), (utf8proc_uint8_t *)folded + o);
		}
		folded[o] = '\0';
		best = table_find(forms, folded);
		if (!best) {
			if (table_add(forms, folded, o, i + 1)) {
				free(w);
				return NULL;
			}
			continue;
		}
		{
			const struct entry *cur = &lc->surfaces.e[best->count - 1];

			if (s->count > cur->count ||
			    (s->count == cur->count && strcmp(s->key, cur->key) > 0))
				best->count = i + 1;
		}
	}
	for (size_t i = 0; i < lc->words.cap; i++) {
		const struct entry *e = &lc->words.e[i];
		const struct entry *f;

		if (!e->key)
			continue;
		f = table_find(forms, e->key);
		w[k].word = e->key;
		w[k].form = f ? lc->surfaces.e[f->count - 1].key : e->key;
		w[k].count = e->count;
		k++;
	}
	qsort(w, k, sizeof(*w), cmp_ranked);
	*n = k;
	return w;
}

static void usage(FILE *to)
{
	fprintf(to,
		"usage: fit-zipf [--top R] [--min-count C] [--out DIR] PATH...\n"
		"\n"
		"  --top R        fit over at most the R most frequent words (default 1000)\n"
		"  --min-count C  ... seen at least C times (default 5)\n"
		"  --out DIR      write DIR/words-en.tsv, DIR/words-es.tsv and DIR/zipf.tsv\n");
}

int main(int argc, char **argv)
{
	struct run run;
	size_t top = 1000;
	unsigned long min_count = 5;
	const char *out = NULL;
	int i, status = 0;
	struct fit fits[N_LANGS];
	size_t nwords[N_LANGS];
	struct ranked *ranked[N_LANGS];
	struct table forms[N_LANGS];

	memset(&run, 0, sizeof(run));
	memset(forms, 0, sizeof(forms));
	for (i = 1; i < argc; i++) {
		char *end;

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--top") && i + 1 < argc) {
			unsigned long v = strtoul(argv[++i], &end, 10);

			if (*end || v < 3) {
				fprintf(stderr, "fit-zipf: --top wants a number >= 3, not '%s'\n", argv[i]);
				return 2;
			}
			top = v;
		} else if (!strcmp(argv[i], "--min-count") && i + 1 < argc) {
			min_count = strtoul(argv[++i], &end, 10);
			if (*end || !min_count) {
				fprintf(stderr, "fit-zipf: --min-count wants a number >= 1, not '%s'\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			out = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "fit-zipf: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		} else {
			break;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (; i < argc; i++)
		walk(&run, argv[i], 1);
	if (run.oom) {
		fprintf(stderr, "fit-zipf: out of memory\n");
		return 1;
	}
	printf("lang\tfiles\tdispatches\ttokens\twords\tranks\ts\tr2\n");
	for (int l = 0; l < N_LANGS; l++) {
		ranked[l] = rank_words(&run.lang[l], &nwords[l], &forms[l]);
		if (!ranked[l] && run.lang[l].words.n) {
			fprintf(stderr, "fit-zipf: out of memory\n");
			return 1;
		}
		fits[l] = fit_zipf(ranked[l], nwords[l], top, min_count);
		printf("%s\t%lu\t%lu\t%lu\t%zu\t%zu\t%.4f\t%.4f\n", lang_code[l],
		       run.lang[l].files, run.lang[l].dispatches,
		       run.lang[l].tokens, nwords[l], fits[l].ranks, fits[l].s,
		       fits[l].r2);
	}
	if (out) {
		strbuf p = STRBUF_INIT;
		FILE *f;

		mkdir(out, 0777);
		for (int l = 0; l < N_LANGS && !status; l++) {
			strbuf_reset(&p);
			if (strbuf_addf(&p, "%s/words-%s.tsv", out, lang_code[l]) ||
			    !(f = fopen(p.buf, "w"))) {
				fprintf(stderr, "fit-zipf: %s: %s\n", p.buf, strerror(errno));
				status = 1;
				break;
			}
			fprintf(f, "# words of the %s dispatches of corpus/ by rank: word, count\n"
				   "# (written by corpus/tools/fit-zipf; read by wire-gen)\n",
				l == LANG_ES ? "Spanish" : "English");
			for (size_t k = 0; k < nwords[l]; k++)
				fprintf(f, "%s\t%lu\n", ranked[l][k].form, ranked[l][k].count);
			if (fclose(f)) {
				fprintf(stderr, "fit-zipf: %s: %s\n", p.buf, strerror(errno));
				status = 1;
			}
		}
		strbuf_reset(&p);
		if (!status && (strbuf_addf(&p, "%s/zipf.tsv", out) ||
				!(f = fopen(p.buf, "w")))) {
			fprintf(stderr, "fit-zipf: %s: %s\n", p.buf, strerror(errno));
			status = 1;
		} else if (!status) {
			fprintf(f, "# Zipf's law fitted to the words of corpus/ by corpus/tools/fit-zipf:\n"
				   "# log(count) = c - s * log(rank), least squares over ranks 1..ranks\n"
				   "# (the words seen at least %lu times, at most %zu); r2: fit quality.\n"
				   "# wire-gen samples words-LANG.tsv by rank r with probability ~ r^-s.\n",
				min_count, top);
			fprintf(f, "lang\tfiles\tdispatches\ttokens\twords\tranks\ts\tc\tr2\n");
			for (int l = 0; l < N_LANGS; l++)
				fprintf(f, "%s\t%lu\t%lu\t%lu\t%zu\t%zu\t%.4f\t%.4f\t%.4f\n",
					lang_code[l], run.lang[l].files,
					run.lang[l].dispatches, run.lang[l].tokens,
					nwords[l], fits[l].ranks, fits[l].s, fits[l].c,
					fits[l].r2);
			if (fclose(f)) {
				fprintf(stderr, "fit-zipf: %s: %s\n", p.buf, strerror(errno));
				status = 1;
			}
		}
		strbuf_release(&p);
	}
	for (int l = 0; l < N_LANGS; l++) {
		free(ranked[l]);
		table_release(&forms[l]);
		table_release(&run.lang[l].words);
		table_release(&run.lang[l].surfaces);
	}
	return status ? status : run.failed;
}
