/*
 * test_synonyms.c - the acronym/synonym table: what a file's lines become
 * (keys and expansions as query terms, and the way back from an expansion
 * to its keys), the file format and its errors, where the table is looked
 * for, and running out of memory while loading.
 *
 * Files are written to a temporary directory made for the run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static char tmpdir[256];

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* A file in the temporary directory holding TEXT; its path in PATH. */
static void make_file(char *path, size_t size, const char *name, const char *text)
{
	snprintf(path, size, "%s/%s", tmpdir, name);
	write_file(path, text, strlen(text));
}

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/test_synonyms.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The N terms of E, space-separated, in BUF. */
static const char *joined(const query_phrase *e, char *buf, size_t size)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < e->n && at < size; i++)
		at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? " " : "", e->terms[i]);
	return buf;
}

/* KEY's expansions are exactly WANT (N of them, terms space-separated). */
static void expect_expansions(const synonyms *syn, const char *key,
			      const char *const *want, size_t n)
{
	const query_phrase *e = (const query_phrase *)&e;
	char buf[512];
	size_t got = synonyms_expansions(syn, key, &e);

	if (got != n)
		fail_msg("key %s: %zu expansions, expected %zu", key, got, n);
	if (!n) {
		assert_null(e);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(joined(&e[i], buf, sizeof buf), want[i]))
			fail_msg("key %s, expansion %zu: '%s', expected '%s'", key, i, buf,
				 want[i]);
}

/* The keys having the expansion of words WORDS are exactly WANT. */
static void expect_keys(const synonyms *syn, const char *const *words, size_t n_words,
			const char *const *want, size_t n)
{
	const char *const *keys = (const char *const *)&keys;
	size_t got = synonyms_keys(syn, words, n_words, &keys);

	assert_int_equal(got, n);
	if (!n) {
		assert_null(keys);
		return;
	}
	for (size_t i = 0; i < n; i++)
		assert_string_equal(keys[i], want[i]);
}

static const char table[] =
	"# wire acronyms\n"
	"TTP = Tehreek-e-Taliban Pakistan | Pakistani Taliban\n"
	"US = United States | Estados Unidos\n"
	"USA = United States\n"
	"\n"
	"   # an indented comment\n"
	"ISIS = Islamic State | Islamic State | Daesh | ISIS\n"
	"ECB = ecb\n"
	"ttp = Pakistani Taliban | TTP movement\n"
	"\tUN\t=\tUnited Nations\f|\vNaciones Unidas\r\n"
	"UNSC = Security Council\n"
	"Isis = Daesh";

/* Keys and expansions are query terms; duplicates are dropped, and an
 * expansion that is the key itself is no expansion. */
static void test_table_contents(void **state)
{
	char path[400], err[512];
	synonyms *syn = NULL;
	const query_phrase *e;
	const char *const *keys;
	const char *ttp[] = { "tehreek e taliban pakistan", "pakistani taliban",
			      "ttp movement" };
	const char *us[] = { "united states", "estados unidos" };
	const char *isis[] = { "islamic state", "daesh" };
	const char *un[] = { "united nations", "naciones unidas" };
	const char *united_states[] = { "united", "states" };
	const char *daesh[] = { "daesh" };
	const char *pt[] = { "pakistani", "taliban" };
	const char *un_words[] = { "united", "nations" };

	(void)state;
	make_file(path, sizeof path, "table.txt", table);
	assert_int_equal(synonyms_load(path, &syn, err, sizeof err), 0);
	assert_non_null(syn);
	expect_expansions(syn, "ttp", ttp, 3);
	/* "US" is a marked acronym: found as "^us", never as "us". */
	expect_expansions(syn, "^us", us, 2);
	expect_expansions(syn, "us", NULL, 0);
	expect_expansions(syn, "usa", (const char *[]){ "united states" }, 1);
	expect_expansions(syn, "isis", isis, 2);
	expect_expansions(syn, "^un", un, 2);
	expect_expansions(syn, "unsc", (const char *[]){ "security council" }, 1);
	/* A key whose only expansion is itself: known, but nothing to add. */
	expect_expansions(syn, "ecb", NULL, 0);
	expect_expansions(syn, "nato", NULL, 0);
	/* The way back: every key of an expansion, in file order, once. */
	expect_keys(syn, united_states, 2, (const char *[]){ "^us", "usa" }, 2);
	expect_keys(syn, daesh, 1, (const char *[]){ "isis" }, 1);
	expect_keys(syn, pt, 2, (const char *[]){ "ttp" }, 1);
	expect_keys(syn, un_words, 2, (const char *[]){ "^un" }, 1);
	expect_keys(syn, un_words, 1, NULL, 0);
	expect_keys(syn, un_words, 0, NULL, 0);
	/* No table, no term. */
	assert_int_equal(synonyms_expansions(NULL, "ttp", &e), 0);
	assert_null(e);
	assert_int_equal(synonyms_expansions(syn, NULL, &e), 0);
	assert_null(e);
	assert_int_equal(synonyms_keys(NULL, pt, 2, &keys), 0);
	assert_null(keys);
	synonyms_free(syn);
}

/* Lines of any length, the last one without a newline, a byte-order mark
 * only at the very start, a first line too short for one. */
static void test_file_format(void **state)
{
	char path[400], err[512];
	synonyms *syn = NULL;
	const query_phrase *e;
	size_t n = 0, cap = 20000;
	char *text = malloc(cap);

	(void)state;
	assert_non_null(text);
	/* A 10 KB line: 1500 expansions "wN". */
	n += (size_t)snprintf(text + n, cap - n, "\n# long\nLONG = w0");
	for (int i = 1; i < 1500; i++)
		n += (size_t)snprintf(text + n, cap - n, " | w%d", i);
	n += (size_t)snprintf(text + n, cap - n, "\nLAST = final words");
	assert_true(n > 8192 && n < cap);
	snprintf(path, sizeof path, "%s/long.txt", tmpdir);
	write_file(path, text, n);
	free(text);
	assert_int_equal(synonyms_load(path, &syn, err, sizeof err), 0);
	assert_int_equal(synonyms_expansions(syn, "long", &e), 1500);
	assert_int_equal(e[1499].n, 1);
	assert_string_equal(e[1499].terms[0], "w1499");
	assert_int_equal(synonyms_expansions(syn, "last", &e), 1);
	assert_int_equal(e[0].n, 2);
	synonyms_free(syn);
	/* A first line too short to hold a byte-order mark. */
	make_file(path, sizeof path, "short.txt", "#\nA = b\n");
	assert_int_equal(synonyms_load(path, &syn, err, sizeof err), 0);
	assert_int_equal(synonyms_expansions(syn, "a", &e), 1);
	assert_string_equal(e[0].terms[0], "b");
	synonyms_free(syn);
	/* An empty file is an empty table. */
	make_file(path, sizeof path, "empty.txt", "");
	assert_int_equal(synonyms_load(path, &syn, err, sizeof err), 0);
	assert_non_null(syn);
	assert_int_equal(synonyms_expansions(syn, "a", &e), 0);
	synonyms_free(syn);
}

struct bad_file {
	const char *text;
	const char *want;  /* after "PATH:" */
};

static void test_load_errors(void **state)
{
	static const struct bad_file bad[] = {
		{ "A = b\nno equals sign\n", ":2: expected 'KEY = EXPANSION" },
		{ "\xEF\xBB\xBF = x\n", ":1: empty key" },
		{ "UN = United Nations |\n", ":1: empty expansion" },
		{ "UN = | United Nations\n", ":1: empty expansion" },
		{ "UN = ... | United Nations\n", ":1: expansion '...' has no words" },
		{ "UN = United Nations | ---\n", ":1: expansion '---' has no words" },
		{ "G-7 = Group of Seven\n", ":1: key 'G-7' is not one word" },
		{ "... = nothing\n", ":1: key '...' is not one word" },
		{ "A\xff = b\n", ":1: invalid UTF-8" },
		/* Long texts are cut in the message. */
		{ "one two three four five six seven eight nine ten eleven twelve "
		  "thirteen = x\n",
		  ":1: key 'one two three four five six seven eight nine ten eleven "
		  "twel' is not one word" },
		{ "X = ............................................................"
		  "..........\n",
		  ":1: expansion '............................................................' "
		  "has no words" },
	};
	char path[400], err[512], want[600];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		synonyms *syn = (synonyms *)&syn;

		make_file(path, sizeof path, "bad.txt", bad[i].text);
		assert_int_equal(synonyms_load(path, &syn, err, sizeof err), -1);
		assert_null(syn);
		snprintf(want, sizeof want, "%s%s", path, bad[i].want);
		if (strncmp(err, want, strlen(want)))
			fail_msg("row %zu: got '%s', expected '%s...'", i, err, want);
		/* No room for the message, or none asked for: the same failure. */
		err[0] = 'x';
		assert_int_equal(synonyms_load(path, &syn, err, 0), -1);
		assert_int_equal(err[0], 'x');
		assert_int_equal(synonyms_load(path, &syn, NULL, 0), -1);
		assert_int_equal(synonyms_load(path, &syn, NULL, sizeof err), -1);
		assert_null(syn);
		/* A short buffer gets the start of the message. */
		assert_int_equal(synonyms_load(path, &syn, err, 8), -1);
		assert_int_equal(strlen(err), 7);
		assert_memory_equal(err, path, 7);
	}
	/* A NUL byte is refused with its line, never taken for its end
	 * (which would glue "A" to the next line's key). */
	{
		static const char nul[] = "UN = United Nations\nA\0 = x\nB = c\n";
		synonyms *syn = NULL;

		make_file(path, sizeof path, "nul.txt", "");
		write_file(path, nul, sizeof nul - 1);
		assert_int_equal(synonyms_load(path, &syn, err, sizeof err), -1);
		assert_null(syn);
		snprintf(want, sizeof want, "%s:2: a NUL byte in the line", path);
		assert_string_equal(err, want);
	}
}

/* What cannot be read at all, and what a second file adds before its
 * faulty line. */
static void test_load_more(void **state)
{
	char path[400], err[512];
	synonyms *syn = NULL;
	const query_phrase *e;

	(void)state;
	snprintf(path, sizeof path, "%s/missing.txt", tmpdir);
	assert_int_equal(synonyms_load(path, &syn, err, sizeof err), -1);
	assert_null(syn);
	assert_non_null(strstr(err, "missing.txt: cannot open: "));
	/* A directory opens, but does not read. */
	assert_int_equal(synonyms_load(tmpdir, &syn, err, sizeof err), -1);
	assert_null(syn);
	assert_int_equal(strncmp(err, tmpdir, strlen(tmpdir)), 0);
	assert_non_null(strstr(err, ": read error: "));
	assert_int_equal(synonyms_load(NULL, &syn, err, sizeof err), -1);
	assert_string_equal(err, "synonyms: no table or no file");

	make_file(path, sizeof path, "first.txt", "TTP = Pakistani Taliban\n");
	assert_int_equal(synonyms_load(path, &syn, err, sizeof err), 0);
	assert_int_equal(synonyms_load_more(NULL, path, err, sizeof err), -1);
	assert_string_equal(err, "synonyms: no table or no file");
	assert_int_equal(synonyms_load_more(syn, NULL, NULL, 0), -1);
	make_file(path, sizeof path, "second.txt",
		  "TTP = Tehreek-e-Taliban Pakistan\nEU = European Union\nbroken\n"
		  "NATO = North Atlantic Treaty Organization\n");
	assert_int_equal(synonyms_load_more(syn, path, err, sizeof err), -1);
	assert_non_null(strstr(err, "second.txt:3: expected"));
	assert_int_equal(synonyms_expansions(syn, "ttp", &e), 2);
	assert_int_equal(synonyms_expansions(syn, "eu", &e), 1);
	assert_int_equal(synonyms_expansions(syn, "nato", &e), 0);
	/* A good file with no room for messages. */
	make_file(path, sizeof path, "third.txt", "NATO = OTAN\n");
	err[0] = 'x';
	assert_int_equal(synonyms_load_more(syn, path, err, 0), 0);
	assert_int_equal(err[0], 'x');
	assert_int_equal(synonyms_expansions(syn, "nato", &e), 1);
	synonyms_free(syn);
	synonyms_free(NULL);
}

/* A table of many keys, so its hash tables grow several times while it
 * loads: key kN has the expansions "word N" and "shared M" (M = N / 7,
 * shared by seven keys), and every lookup, both ways, still finds exactly
 * what the file says, with the keys in file order. */
static void test_many_keys(void **state)
{
	enum { KEYS = 700 };  /* a multiple of 7 */
	char path[400], err[512], key[32], want0[64], want1[64];
	const char *const *keys;
	const query_phrase *e;
	synonyms *syn = NULL;
	size_t cap = KEYS * 48, at = 0;
	char *text = malloc(cap);

	(void)state;
	assert_non_null(text);
	for (int i = 0; i < KEYS; i++)
		at += (size_t)snprintf(text + at, cap - at,
				       "K%d = word %d | shared %d\n", i, i, i / 7);
	snprintf(path, sizeof path, "%s/many.txt", tmpdir);
	write_file(path, text, at);
	free(text);
	assert_int_equal(synonyms_load(path, &syn, err, sizeof err), 0);
	for (int i = 0; i < KEYS; i++) {
		const char *pair[2], *const wants[2] = { want0, want1 };
		char n[16], m[16];

		snprintf(key, sizeof key, "k%d", i);
		snprintf(want0, sizeof want0, "word %d", i);
		snprintf(want1, sizeof want1, "shared %d", i / 7);
		expect_expansions(syn, key, wants, 2);
		snprintf(n, sizeof n, "%d", i);
		pair[0] = "word";
		pair[1] = n;
		assert_int_equal(synonyms_keys(syn, pair, 2, &keys), 1);
		assert_string_equal(keys[0], key);
		if (i % 7 == 0) {
			snprintf(m, sizeof m, "%d", i / 7);
			pair[0] = "shared";
			pair[1] = m;
			assert_int_equal(synonyms_keys(syn, pair, 2, &keys), 7);
			for (int j = 0; j < 7; j++) {
				snprintf(key, sizeof key, "k%d", i + j);
				assert_string_equal(keys[j], key);
			}
		}
	}
	/* Terms are compared whole: "word 1" is not "word1" nor "word 10". */
	{
		const char *one[] = { "word1" }, *three[] = { "word", "1", "0" };

		assert_int_equal(synonyms_keys(syn, one, 1, &keys), 0);
		assert_int_equal(synonyms_keys(syn, three, 3, &keys), 0);
	}
	assert_int_equal(synonyms_expansions(syn, "k700", &e), 0);
	assert_int_equal(synonyms_expansions(syn, "K1", &e), 0);
	synonyms_free(syn);
}

/* The source tree's common/synonyms.txt, found from this program's path
 * (BUILD/tests/test_synonyms), in PATH. */
static void shipped_file(char *path, size_t size)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	assert_true(n > 0);
	exe[n] = '\0';
	for (int up = 0; up < 2; up++) {
		assert_non_null(slash = strrchr(exe, '/'));
		*slash = '\0';
	}
	snprintf(path, size, "%s/../common/synonyms.txt", exe);
	assert_int_equal(access(path, R_OK), 0);
}

/* SYN written as C (synonyms_write_c()), malloc'd. */
static char *as_c(const synonyms *syn)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(synonyms_write_c(syn, "x", 1, 2, "t", f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The table compiled into the programs is the shipped file's: loading
 * the file with it takes the compiled table, and that table is, entry
 * for entry and in the same order, what reading the file line by line
 * gives. */
static void test_compiled_default(void **state)
{
	char path[4200], copy[400], err[512];
	synonyms *read = NULL, *compiled = NULL, *again = NULL;
	char *a, *b;

	(void)state;
	shipped_file(path, sizeof path);
	assert_int_equal(synonyms_load(path, &read, err, sizeof err), 0);
	assert_int_equal(synonyms_load_prebuilt(path, &synonyms_default_compiled,
						&compiled, err, sizeof err), 1);
	a = as_c(read);
	b = as_c(compiled);
	assert_string_equal(a, b);
	assert_true(synonyms_default_compiled.n_keys > 50);
	/* Changed by one byte, same length: the file is read line by line,
	 * and the change is in the table. */
	{
		FILE *f = fopen(path, "rb");
		char *text = malloc(synonyms_default_compiled.size + 1);
		size_t n;
		char *un;
		const query_phrase *e;
		const char *const words[] = { "united", "natqons" };
		const char *const *keys;

		assert_non_null(f);
		assert_non_null(text);
		n = fread(text, 1, synonyms_default_compiled.size + 1, f);
		fclose(f);
		assert_int_equal(n, synonyms_default_compiled.size);
		assert_non_null(un = strstr(text, "UN = United Nations"));
		un[15] = 'q';
		snprintf(copy, sizeof copy, "%s/edited.txt", tmpdir);
		write_file(copy, text, n);
		free(text);
		assert_int_equal(synonyms_load_prebuilt(copy, &synonyms_default_compiled,
							&again, err, sizeof err), 0);
		assert_int_equal(synonyms_keys(again, words, 2, &keys), 1);
		assert_string_equal(keys[0], "^un");
		assert_true(synonyms_expansions(again, "^un", &e) >= 1);
		synonyms_free(again);
		assert_int_equal(synonyms_keys(compiled, words, 2, &keys), 0);
	}
	free(a);
	free(b);
	synonyms_free(read);
	synonyms_free(compiled);
}

/* A compiled table of our own: its lookups both ways, a user's file
 * added on top of it (more expansions for its key, a new key), a bad
 * file, and running out of memory at each allocation of the load. */
static void test_compiled_table(void **state)
{
	static const char *const e0[] = { "tehreek", "e", "taliban", "pakistan" };
	static const char *const e1[] = { "pakistani", "taliban" };
	static const query_phrase x0[] = { { e0, 4 }, { e1, 2 } };
	static const query_phrase x1[] = { { e1, 2 } };
	static const struct synonyms_compiled_key keys[] = {
		{ "ttp", x0, 2 }, { "tehrik", x1, 1 }, { "lonely", NULL, 0 }
	};
	static const size_t k0[] = { 0 }, k1[] = { 0, 1 };
	static const struct synonyms_compiled_rev revs[] = {
		{ 0, 0, k0, 1 }, { 0, 1, k1, 2 }
	};
	const char file[] = "TTP = Tehreek-e-Taliban Pakistan | Pakistani Taliban\n";
	synonyms_compiled c = { 0, sizeof file - 1, keys, 3, revs, 2 };
	char path[400], more[400], err[512];
	const char *const *got;
	const query_phrase *e;
	synonyms *syn = NULL;

	(void)state;
	make_file(path, sizeof path, "compiled.txt", file);
	c.crc = (uint32_t)crc32(0L, (const unsigned char *)file, sizeof file - 1);
	assert_int_equal(synonyms_load_prebuilt(path, &c, &syn, err, sizeof err), 1);
	assert_int_equal(synonyms_expansions(syn, "ttp", &e), 2);
	assert_int_equal(synonyms_expansions(syn, "tehrik", &e), 1);
	assert_int_equal(synonyms_expansions(syn, "lonely", &e), 0);
	assert_int_equal(synonyms_keys(syn, e1, 2, &got), 2);
	assert_string_equal(got[0], "ttp");
	assert_string_equal(got[1], "tehrik");
	assert_int_equal(synonyms_keys(syn, e0, 4, &got), 1);
	make_file(more, sizeof more, "more.txt",
		  "TTP = TTP movement\nTehrik = Tehreek-e-Taliban Pakistan\nNew = x\n");
	assert_int_equal(synonyms_load_more(syn, more, err, sizeof err), 0);
	assert_int_equal(synonyms_expansions(syn, "ttp", &e), 3);
	assert_int_equal(synonyms_expansions(syn, "tehrik", &e), 2);
	assert_int_equal(synonyms_expansions(syn, "new", &e), 1);
	assert_int_equal(synonyms_keys(syn, e0, 4, &got), 2);
	assert_string_equal(got[1], "tehrik");
	synonyms_free(syn);
	/* Another file: read line by line, not taken for the compiled one. */
	make_file(path, sizeof path, "compiled.txt", "TTP = Pakistani Taliban\n");
	assert_int_equal(synonyms_load_prebuilt(path, &c, &syn, err, sizeof err), 0);
	assert_int_equal(synonyms_expansions(syn, "ttp", &e), 1);
	synonyms_free(syn);
	make_file(path, sizeof path, "compiled.txt", "broken\n");
	assert_int_equal(synonyms_load_prebuilt(path, &c, &syn, err, sizeof err), -1);
	assert_null(syn);
	assert_non_null(strstr(err, "compiled.txt:1: expected"));
	snprintf(more, sizeof more, "%s/absent.txt", tmpdir);
	assert_int_equal(synonyms_load_prebuilt(more, &c, &syn, err, sizeof err), -1);
	assert_non_null(strstr(err, "absent.txt: cannot open"));
	assert_int_equal(synonyms_load_prebuilt(NULL, &c, &syn, err, sizeof err), -1);
	make_file(path, sizeof path, "compiled.txt", file);
	for (unsigned long k = 1;; k++) {
		unsigned long made;
		int r;

		wire_alloc_fail_at(k, 1);
		r = synonyms_load_prebuilt(path, &c, &syn, err, sizeof err);
		made = wire_alloc_fail_at(0, 0);
		if (made < k) {
			assert_int_equal(r, 1);
			assert_int_equal(synonyms_keys(syn, e1, 2, &got), 2);
			synonyms_free(syn);
			break;
		}
		assert_int_equal(r, -1);
		assert_null(syn);
		assert_string_equal(err, "out of memory");
	}
}

/* The C that synonyms_write_c() writes: terms that are not ASCII as
 * octal escapes, a key without expansions, the CRC and size; a stream
 * that fails is an error.  An empty compiled table loads. */
static void test_write_c(void **state)
{
	char path[400], err[512];
	const char file[] = "ONU = Ηνωμένα Έθνη\nECB = ecb\n";
	synonyms_compiled empty = { 0, sizeof file - 1, NULL, 0, NULL, 0 };
	const query_phrase *e;
	synonyms *syn = NULL;
	char *c;
	FILE *ro;

	(void)state;
	make_file(path, sizeof path, "write.txt", file);
	assert_int_equal(synonyms_load(path, &syn, err, sizeof err), 0);
	assert_int_equal(synonyms_expansions(syn, "onu", &e), 1);
	c = as_c(syn);
	/* "ηνωμενα": eta is CE B7 (folded from capital eta) */
	assert_non_null(strstr(c, "\"\\316\\267"));
	assert_non_null(strstr(c, "{ \"ecb\", 0, 0 },"));
	assert_non_null(strstr(c, "const synonyms_compiled t = {\n\t0x00000001u, 2,\n"));
	free(c);
	ro = fopen(path, "r");
	assert_non_null(ro);
	assert_int_equal(synonyms_write_c(syn, "x", 1, 2, "t", ro), -1);
	fclose(ro);
	synonyms_free(syn);

	empty.crc = (uint32_t)crc32(0L, (const unsigned char *)file, sizeof file - 1);
	assert_int_equal(synonyms_load_prebuilt(path, &empty, &syn, err, sizeof err), 1);
	assert_int_equal(synonyms_expansions(syn, "onu", &e), 0);
	synonyms_free(syn);
}

/* $WIRE_SYNONYMS first, then DATADIR, then the tree the program was
 * built in. */
static void test_default_path(void **state)
{
	const char *saved = getenv("WIRE_SYNONYMS");
	char *keep = saved ? strdup(saved) : NULL;
	char buf[600], want[600], path[400];
	const char *got;

	(void)state;
	assert_int_equal(setenv("WIRE_SYNONYMS", "/somewhere/mine.txt", 1), 0);
	assert_ptr_equal(synonyms_default_path(tmpdir, buf, sizeof buf), buf);
	assert_string_equal(buf, "/somewhere/mine.txt");
	/* Empty is unset. */
	assert_int_equal(setenv("WIRE_SYNONYMS", "", 1), 0);
	make_file(path, sizeof path, "synonyms.txt", "A = b\n");
	assert_ptr_equal(synonyms_default_path(tmpdir, buf, sizeof buf), buf);
	assert_string_equal(buf, path);
	assert_int_equal(unsetenv("WIRE_SYNONYMS"), 0);
	assert_ptr_equal(synonyms_default_path(tmpdir, buf, sizeof buf), buf);
	assert_string_equal(buf, path);
	/* Not in DATADIR: beside the program, in its tree, if anywhere. */
	snprintf(want, sizeof want, "%s/nowhere", tmpdir);
	got = synonyms_default_path(want, buf, sizeof buf);
	if (got) {
		assert_ptr_equal(got, buf);
		assert_non_null(strstr(buf, "/../common/synonyms.txt"));
		assert_int_equal(access(buf, R_OK), 0);
	}
	if (keep)
		assert_int_equal(setenv("WIRE_SYNONYMS", keep, 1), 0);
	free(keep);
}

/* Out of memory at every allocation while loading, and while adding to a
 * table: -1 and "out of memory", the new table NULL, the old one intact
 * and freeable; or the whole table. */
static void test_alloc_failure(void **state)
{
	char path[400], more[400];
	char *text = malloc(8000);
	size_t n = 0;

	(void)state;
	assert_non_null(text);
	/* A line longer than the reader's 4 KiB pieces. */
	n += (size_t)snprintf(text + n, 8000 - n, "%s\n# ", table);
	memset(text + n, '-', 5000);
	n += 5000;
	n += (size_t)snprintf(text + n, 8000 - n, "\nLONG = x0 | x1\n");
	snprintf(path, sizeof path, "%s/oom.txt", tmpdir);
	write_file(path, text, n);
	free(text);
	make_file(more, sizeof more, "oom-more.txt",
		  "TTP = Tehreek-e-Taliban Pakistan | TTP group\nFresh = brand new key\n");
	for (unsigned long k = 1;; k++) {
		synonyms *syn = (synonyms *)&syn;
		const query_phrase *e;
		char err[256];
		unsigned long made;
		int r;

		wire_alloc_fail_at(k, 1);
		r = synonyms_load(path, &syn, err, sizeof err);
		made = wire_alloc_fail_at(0, 0);
		if (made < k) {
			assert_int_equal(r, 0);
			assert_int_equal(synonyms_expansions(syn, "long", &e), 2);
			assert_int_equal(synonyms_expansions(syn, "ttp", &e), 3);
			synonyms_free(syn);
			break;
		}
		assert_int_equal(r, -1);
		assert_null(syn);
		assert_string_equal(err, "out of memory");
	}
	for (unsigned long k = 1;; k++) {
		synonyms *syn = NULL;
		const query_phrase *e;
		char err[256];
		unsigned long made;
		int r;

		assert_int_equal(synonyms_load(path, &syn, err, sizeof err), 0);
		wire_alloc_fail_at(k, 1);
		r = synonyms_load_more(syn, more, err, sizeof err);
		made = wire_alloc_fail_at(0, 0);
		/* What was there before is still there. */
		assert_int_equal(synonyms_expansions(syn, "^us", &e), 2);
		assert_true(synonyms_expansions(syn, "ttp", &e) >= 3);
		if (made < k) {
			assert_int_equal(r, 0);
			assert_int_equal(synonyms_expansions(syn, "ttp", &e), 4);
			assert_int_equal(synonyms_expansions(syn, "fresh", &e), 1);
			synonyms_free(syn);
			break;
		}
		assert_int_equal(r, -1);
		assert_string_equal(err, "out of memory");
		synonyms_free(syn);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_contents),
		cmocka_unit_test(test_file_format),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_more),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_compiled_default),
		cmocka_unit_test(test_compiled_table),
		cmocka_unit_test(test_write_c),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_alloc_failure),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
