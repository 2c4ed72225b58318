/*
 * test_dateline.c - dateline_parse() and dateline_month(), table-driven:
 * one row per dateline style of docs/DATELINES.md, and one per rejection
 * rule.  With ../shared/corpus present, every Reuters-21578 <DATELINE>
 * field is parsed too, and no body line but a real dateline may parse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dispatch.h"

struct row {
	const char *in;
	int ok;
	const char *places;    /* ";" between places */
	const char *qualifier; /* "" when none */
	const char *agency;    /* "" when none */
	int month, day;
	const char *text;      /* para[0, text_len) */
	const char *rest;      /* para + length */
};

#define NO(s) { s, 0, "", "", "", 0, 0, "", s }

static const struct row rows[] = {
	/* impossible days: the dateline stands, without its date */
	{ "Kabul, 31 Apr (EFE).- Texto", 1, "Kabul", "", "EFE", 0, 0,
	  "Kabul, 31 Apr (EFE)", "Texto" },
	{ "Kabul, 30 Feb (EFE).- Texto", 1, "Kabul", "", "EFE", 0, 0,
	  "Kabul, 30 Feb (EFE)", "Texto" },
	{ "Kabul, 0 Apr (EFE).- Texto", 1, "Kabul", "", "EFE", 0, 0,
	  "Kabul, 0 Apr (EFE)", "Texto" },
	{ "KABUL, April 19th (Reuters) - Text", 1, "KABUL", "", "Reuters", 4,
	  19, "KABUL, April 19th (Reuters)", "Text" },
	{ "Kabul, Apr 19 (EFE)\xc2\xa0- Text", 1, "Kabul", "", "EFE", 4, 19,
	  "Kabul, Apr 19 (EFE)", "Text" },
	{ "M\xc3\x9cNCHEN (dpa) - Text", 1, "M\xc3\x9cNCHEN", "", "dpa", 0, 0,
	  "M\xc3\x9cNCHEN (dpa)", "Text" },
	{ "O'HARE, Apr 2 (AP) - Text", 1, "O'HARE", "", "AP", 4, 2,
	  "O'HARE, Apr 2 (AP)", "Text" },
	{ "ST. LOUIS (AP) - Text", 1, "ST. LOUIS", "", "AP", 0, 0,
	  "ST. LOUIS (AP)", "Text" },
	NO("Madrid, 19 deabril (EFE).- Texto"),
	NO("Kabul \xe2\x80\x93 Text"),
	NO("kabul (EFE).- Texto"),
	/* EFE */
	{ "Kabul/Islamabad, Apr 19 (EFE).\xe2\x80\x94 Pakistan stressed", 1,
	  "Kabul;Islamabad", "", "EFE", 4, 19,
	  "Kabul/Islamabad, Apr 19 (EFE)", "Pakistan stressed" },
	{ "Kabul, 19 abr (EFE).- Texto", 1, "Kabul", "", "EFE", 4, 19,
	  "Kabul, 19 abr (EFE)", "Texto" },
	{ "Tegucigalpa, Jan 2 (EFE).- Test body.", 1, "Tegucigalpa", "",
	  "EFE", 1, 2, "Tegucigalpa, Jan 2 (EFE)", "Test body." },
	{ "Bruselas. (EFE).- La Comisi\xc3\xb3n", 1, "Bruselas", "", "EFE",
	  0, 0, "Bruselas. (EFE)", "La Comisi\xc3\xb3n" },
	{ "Madrid, 3 ene (EFE).- El Gobierno", 1, "Madrid", "", "EFE", 1, 3,
	  "Madrid, 3 ene (EFE)", "El Gobierno" },
	{ "R\xc3\x8dO SALADO, 2 feb (EFE).- Los vecinos", 1,
	  "R\xc3\x8dO SALADO", "", "EFE", 2, 2, "R\xc3\x8dO SALADO, 2 feb (EFE)",
	  "Los vecinos" },
	{ "Bogot\xc3\xa1, 19 abr (EFE).- El presidente", 1, "Bogot\xc3\xa1",
	  "", "EFE", 4, 19, "Bogot\xc3\xa1, 19 abr (EFE)", "El presidente" },
	{ "Santa Cruz de la Sierra, 3 ene (EFE).- Texto", 1,
	  "Santa Cruz de la Sierra", "", "EFE", 1, 3,
	  "Santa Cruz de la Sierra, 3 ene (EFE)", "Texto" },
	{ "Madrid, 19 de abril (EFE).- Texto", 1, "Madrid", "", "EFE", 4, 19,
	  "Madrid, 19 de abril (EFE)", "Texto" },
	{ "Madrid, 31 dic (EFE).- Texto", 1, "Madrid", "", "EFE", 12, 31,
	  "Madrid, 31 dic (EFE)", "Texto" },
	{ "Madrid (EFE/AFP).- Texto", 1, "Madrid", "", "EFE/AFP", 0, 0,
	  "Madrid (EFE/AFP)", "Texto" },
	{ "Kabul, 19 abr (EFE).-El texto", 1, "Kabul", "", "EFE", 4, 19,
	  "Kabul, 19 abr (EFE)", "El texto" },
	{ "EFE.- Sube el precio", 1, "", "", "EFE", 0, 0, "EFE",
	  "Sube el precio" },
	{ "Kabul, 19 abr (EFE).\xe2\x80\x94", 1, "Kabul", "", "EFE", 4, 19,
	  "Kabul, 19 abr (EFE)", "" },
	/* Reuters */
	{ "KABUL (Reuters) - The Taliban", 1, "KABUL", "", "Reuters", 0, 0,
	  "KABUL (Reuters)", "The Taliban" },
	{ "HOUSTON, Jan 27 (Reuters) - Oil", 1, "HOUSTON", "", "Reuters", 1,
	  27, "HOUSTON, Jan 27 (Reuters)", "Oil" },
	{ "SHANGHAI, Oct 13 (Reuters) - China", 1, "SHANGHAI", "", "Reuters",
	  10, 13, "SHANGHAI, Oct 13 (Reuters)", "China" },
	{ "ST. LOUIS, March 5 (Reuters) - Shares", 1, "ST. LOUIS", "",
	  "Reuters", 3, 5, "ST. LOUIS, March 5 (Reuters)", "Shares" },
	{ "LONDON (Reuters/AP) - Both", 1, "LONDON", "", "Reuters/AP", 0, 0,
	  "LONDON (Reuters/AP)", "Both" },
	{ "KABUL(Reuters)-The", 1, "KABUL", "", "Reuters", 0, 0,
	  "KABUL(Reuters)", "The" },
	/* Reuters-21578: no agency, a date and a hyphen. */
	{ "SALVADOR, Feb 26 - Showers continued", 1, "SALVADOR", "", "", 2,
	  26, "SALVADOR, Feb 26", "Showers continued" },
	{ "    SALVADOR, Feb 26 - ", 1, "SALVADOR", "", "", 2, 26,
	  "    SALVADOR, Feb 26", "" },
	{ "    NEW YORK, Oct 20 -", 1, "NEW YORK", "", "", 10, 20,
	  "    NEW YORK, Oct 20", "" },
	{ "    PORTLAND, Ore., Feb 26 - Red Lion", 1, "PORTLAND", "Ore.", "",
	  2, 26, "    PORTLAND, Ore., Feb 26", "Red Lion" },
	{ "    TAUPO, New Zealand, March 23 - ", 1, "TAUPO", "New Zealand", "",
	  3, 23, "    TAUPO, New Zealand, March 23", "" },
	{ "    NEW YORK, MARCH 20 - ", 1, "NEW YORK", "", "", 3, 20,
	  "    NEW YORK, MARCH 20", "" },
	{ "    COEUR D'ALENE, Idaho, March 24 - ", 1, "COEUR D'ALENE", "Idaho",
	  "", 3, 24, "    COEUR D'ALENE, Idaho, March 24", "" },
	{ "    JOHANNESBURG March 13 -", 1, "JOHANNESBURG", "", "", 3, 13,
	  "    JOHANNESBURG March 13", "" },
	{ "    WASHINGTON, D.C. March 18 - ", 1, "WASHINGTON", "D.C.", "", 3,
	  18, "    WASHINGTON, D.C. March 18", "" },
	{ "    SAN DIEGO, Calif.,March 17 -", 1, "SAN DIEGO", "Calif.", "", 3,
	  17, "    SAN DIEGO, Calif.,March 17", "" },
	{ "    WASHINGTON, March 25, Reuter - ", 1, "WASHINGTON", "", "Reuter",
	  3, 25, "    WASHINGTON, March 25, Reuter", "" },
	{ "    WASHINGTON, June 19, - ", 1, "WASHINGTON", "", "", 6, 19,
	  "    WASHINGTON, June 19", "" },
	{ "   Ottawa, Apr 7- ", 1, "Ottawa", "", "", 4, 7, "   Ottawa, Apr 7",
	  "" },
	/* AP */
	{ "ISLAMABAD (AP) \xe2\x80\x94 Pakistan", 1, "ISLAMABAD", "", "AP", 0,
	  0, "ISLAMABAD (AP)", "Pakistan" },
	{ "BUENOS AIRES, Argentina (AP) _ The", 1, "BUENOS AIRES",
	  "Argentina", "AP", 0, 0, "BUENOS AIRES, Argentina (AP)", "The" },
	{ "WASHINGTON, D.C. (AP) \xe2\x80\x94 The", 1, "WASHINGTON", "D.C.",
	  "AP", 0, 0, "WASHINGTON, D.C. (AP)", "The" },
	{ "WASHINGTON, Sept. 3 (AP) \xe2\x80\x94 The", 1, "WASHINGTON", "",
	  "AP", 9, 3, "WASHINGTON, Sept. 3 (AP)", "The" },
	{ "WASHINGTON, September 3 (AP) \xe2\x80\x94 The", 1, "WASHINGTON", "",
	  "AP", 9, 3, "WASHINGTON, September 3 (AP)", "The" },
	{ "CHICAGO, Sep 3 (AP) \xe2\x80\x94The", 1, "CHICAGO", "", "AP", 9, 3,
	  "CHICAGO, Sep 3 (AP)", "The" },
	{ "WINSTON-SALEM, N.C. (AP) \xe2\x80\x94 A", 1, "WINSTON-SALEM",
	  "N.C.", "AP", 0, 0, "WINSTON-SALEM, N.C. (AP)", "A" },
	/* Xinhua */
	{ "GAZA, Dec. 1 (Xinhua) -- Israeli", 1, "GAZA", "", "Xinhua", 12, 1,
	  "GAZA, Dec. 1 (Xinhua)", "Israeli" },
	{ "BEIJING, 10 ao\xc3\xbbt (Xinhua) -- La Chine", 1, "BEIJING", "",
	  "Xinhua", 8, 10, "BEIJING, 10 ao\xc3\xbbt (Xinhua)", "La Chine" },
	{ "BEIJING, 10 AO\xc3\x9bT (XINHUA) -- X", 1, "BEIJING", "", "XINHUA",
	  8, 10, "BEIJING, 10 AO\xc3\x9bT (XINHUA)", "X" },
	/* dpa */
	{ "Berlin (dpa) - Negotiations", 1, "Berlin", "", "dpa", 0, 0,
	  "Berlin (dpa)", "Negotiations" },
	{ "   Berlin (dpa) - Negotiations", 1, "Berlin", "", "dpa", 0, 0,
	  "   Berlin (dpa)", "Negotiations" },
	{ "Frankfurt am Main (DPA) - Die", 1, "Frankfurt am Main", "", "DPA",
	  0, 0, "Frankfurt am Main (DPA)", "Die" },
	/* AFP */
	{ "PARIS, Jan 1 (AFP) - France", 1, "PARIS", "", "AFP", 1, 1,
	  "PARIS, Jan 1 (AFP)", "France" },
	{ "New Delhi (AFP) - India", 1, "New Delhi", "", "AFP", 0, 0,
	  "New Delhi (AFP)", "India" },
	{ "PARIS (AFP) - \xe2\x80\x93 Le", 1, "PARIS", "", "AFP", 0, 0,
	  "PARIS (AFP)", "Le" },
	{ "Kaboul, 1er mai (AFP) - Les", 1, "Kaboul", "", "AFP", 5, 1,
	  "Kaboul, 1er mai (AFP)", "Les" },
	{ "Montr\xc3\xa9" "al, 3 f\xc3\xa9vr. (AFP) - Le", 1,
	  "Montr\xc3\xa9" "al", "", "AFP", 2, 3,
	  "Montr\xc3\xa9" "al, 3 f\xc3\xa9vr. (AFP)", "Le" },
	/* Other agencies */
	{ "Madrid (Europa Press) - El", 1, "Madrid", "", "Europa Press", 0, 0,
	  "Madrid (Europa Press)", "El" },
	{ "Roma (ANSA) - Il", 1, "Roma", "", "ANSA", 0, 0, "Roma (ANSA)",
	  "Il" },
	{ "La Habana, 5 mar (Prensa Latina) - Cuba", 1, "La Habana", "",
	  "Prensa Latina", 3, 5, "La Habana, 5 mar (Prensa Latina)", "Cuba" },
	{ "TOKYO, Jan 5 (Kyodo) - Japan", 1, "TOKYO", "", "Kyodo", 1, 5,
	  "TOKYO, Jan 5 (Kyodo)", "Japan" },
	{ "SEOUL, Feb. 29 (Yonhap) -- North", 1, "SEOUL", "", "Yonhap", 2, 29,
	  "SEOUL, Feb. 29 (Yonhap)", "North" },
	{ "Lisboa (Lusa) - O", 1, "Lisboa", "", "Lusa", 0, 0, "Lisboa (Lusa)",
	  "O" },
	{ "MOSCOW (TASS) - Russia", 1, "MOSCOW", "", "TASS", 0, 0,
	  "MOSCOW (TASS)", "Russia" },
	{ "Ankara (Anadolu-AFP) - T", 1, "Ankara", "", "Anadolu-AFP", 0, 0,
	  "Ankara (Anadolu-AFP)", "T" },
	/* Blanks: no-break spaces, tabs, a line break after the dash. */
	{ "Kabul,\xc2\xa0" "19\xc2\xa0" "abr (EFE).-\xc2\xa0Texto", 1, "Kabul",
	  "", "EFE", 4, 19, "Kabul,\xc2\xa0" "19\xc2\xa0" "abr (EFE)", "Texto" },
	{ "\tKABUL (Reuters) -\nThe", 1, "KABUL", "", "Reuters", 0, 0,
	  "\tKABUL (Reuters)", "The" },
	/* An impossible date is no date; with an agency the rest stands. */
	{ "WASHINGTON, Apr 31 (AP) \xe2\x80\x94 X", 1, "WASHINGTON", "", "AP",
	  0, 0, "WASHINGTON, Apr 31 (AP)", "X" },
	NO("WASHINGTON, Apr 31 - X"),

	/* R1: an abbreviation being defined, not a dateline. */
	NO("Apple Filing Protocol (AFP) - macOS lets you share files"),
	NO("Acute Flaccid Paralysis (AFP) - ICD-10 code G61.0"),
	NO("Associated Press (AP) - The news agency"),
	NO("Agence France-Presse (AFP) - The agency"),
	/* Ordinary sentences. */
	NO("Pakistan stressed the urgency (see below) - and more"),
	NO("Pakistan stressed the urgency of it (AP) - and more"),
	NO("The minister said (EFE) - nothing"),
	NO("Kabul is a city (EFE).- Texto"),
	NO("Kabul, a city (EFE).- Texto"),
	NO("kabul (EFE).- Texto"),
	/* No dash, no agency, unknown agency. */
	NO("KABUL (Reuters) The Taliban"),
	NO("KABUL (Reuters). The Taliban"),
	NO("KABUL - The Taliban"),
	NO("KABUL (Bloomberg) - The Taliban"),
	NO("KABUL (EFEX) - X"),
	NO("KABUL (APA) X"),
	/* No agency: a date is required, and a blank after a plain dash. */
	NO("    WASHINGTON - "),
	NO("    FOB RIVER - "),
	NO("    SAN JOSE, Calif., - "),
	NO("SALVADOR, Feb 26 -Showers"),
	NO("    APRIL 7  - "),
	NO("    NEW YORK, March 119 - "),
	NO("    omaha, april 7 - "),
	NO("    SYDNEY, April - "),
	/* Too far: the agency after 200 bytes; a place over 60 bytes. */
	NO("Kabul, Kabul, Kabul Kabul Kabul Kabul Kabul Kabul Kabul Kabul "
	   "Kabul Kabul Kabul Kabul Kabul Kabul Kabul Kabul Kabul Kabul "
	   "Kabul Kabul Kabul Kabul Kabul Kabul Kabul Kabul Kabul Kabul "
	   "Kabul Kabul Kabul Kabul (EFE).- X"),
	NO("Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/"
	   "Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/"
	   "Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/"
	   "Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/Kabul/Kabul (EFE).- X"),
	NO("Llanfairpwllgwyngyll Gogerychwyrndrobwll Llantysiliogogogoch "
	   "Town (EFE).- X"),
	NO("A/B/C/D/E/F/G/H/I (EFE).- X"),
	/* Nothing there. */
	NO(""),
	NO("   "),
	NO("(EFE).- Texto"),
	NO("- Texto"),
};

static void join_places(const char *s, const dateline *dl, char *out,
			size_t cap)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < dl->n_places; i++) {
		int w = snprintf(out + o, cap - o, "%s%.*s", i ? ";" : "",
				 (int)dl->places[i].len, s + dl->places[i].start);

		if (w < 0 || (size_t)w >= cap - o)
			return;
		o += (size_t)w;
	}
}

static int same(const char *what, size_t row, const char *want,
		const char *got, size_t got_len)
{
	if (strlen(want) == got_len && !memcmp(want, got, got_len))
		return 1;
	print_error("row %zu: %s: want '%s', got '%.*s'\n", row, what, want,
		    (int)got_len, got);
	return 0;
}

static void test_rows(void **state)
{
	size_t r, bad = 0;

	(void)state;
	for (r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		const struct row *w = &rows[r];
		size_t len = strlen(w->in);
		/* An exact-size copy, so reading past the end is an ASan
		 * error. */
		char *in = malloc(len ? len : 1);
		char places[512];
		dateline dl;
		int ok, good = 1;

		assert_non_null(in);
		memcpy(in, w->in, len);
		ok = dateline_parse(in, len, &dl);
		if (ok != w->ok) {
			print_error("row %zu: '%s': want %d, got %d\n", r, w->in,
				    w->ok, ok);
			good = 0;
		} else if (ok) {
			join_places(in, &dl, places, sizeof places);
			good &= same("places", r, w->places, places,
				     strlen(places));
			good &= same("qualifier", r, w->qualifier,
				     in + dl.qualifier_start, dl.qualifier_len);
			good &= same("agency", r, w->agency,
				     in + dl.agency_start, dl.agency_len);
			good &= same("text", r, w->text, in, dl.text_len);
			good &= same("rest", r, w->rest, in + dl.length,
				     len - dl.length);
			if (dl.month != w->month || dl.day != w->day) {
				print_error("row %zu: date: want %d/%d, got "
					    "%d/%d\n", r, w->month, w->day,
					    dl.month, dl.day);
				good = 0;
			}
		} else {
			/* A refusal leaves everything zero. */
			if (dl.length || dl.n_places || dl.agency_len ||
			    dl.text_len || dl.month || dl.day) {
				print_error("row %zu: refusal not zeroed\n", r);
				good = 0;
			}
		}
		bad += !good;
		free(in);
	}
	print_message("%zu dateline rows\n", sizeof rows / sizeof rows[0]);
	assert_int_equal(bad, 0);
}

/* Every prefix of every row: ranges stay inside what was given. */
static void test_prefixes(void **state)
{
	size_t r, n, i;

	(void)state;
	for (r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		size_t len = strlen(rows[r].in);

		for (n = 0; n <= len; n++) {
			char *in = malloc(n ? n : 1);
			dateline dl;

			assert_non_null(in);
			memcpy(in, rows[r].in, n);
			if (dateline_parse(in, n, &dl)) {
				assert_true(dl.length <= n);
				assert_true(dl.text_len <= dl.length);
				assert_true(dl.n_places <= DATELINE_MAX_PLACES);
				for (i = 0; i < dl.n_places; i++)
					assert_true(dl.places[i].start +
							    dl.places[i].len <=
						    dl.text_len);
				assert_true(dl.agency_start + dl.agency_len <=
					    dl.text_len);
				assert_true(dl.qualifier_start +
						    dl.qualifier_len <=
					    dl.text_len);
				assert_true(dl.month >= 0 && dl.month <= 12);
				assert_true(dl.day >= 0 && dl.day <= 31);
			}
			free(in);
		}
	}
	assert_int_equal(dateline_parse(NULL, 0, &(dateline){ 0 }), 0);
}

static const struct {
	const char *s;
	int month;
} month_rows[] = {
	{ "Jan", 1 }, { "jan.", 1 }, { "January", 1 }, { "ene", 1 },
	{ "enero", 1 }, { "janvier", 1 }, { "Feb.", 2 }, { "febrero", 2 },
	{ "f\xc3\xa9vr.", 2 }, { "F\xc3\x89VRIER", 2 }, { "Mar", 3 },
	{ "March", 3 }, { "MARZO", 3 }, { "mars", 3 }, { "M\xc3\x84RZ", 3 },
	{ "Apr", 4 }, { "abr", 4 }, { "avril", 4 }, { "May", 5 },
	{ "mayo", 5 }, { "mai", 5 }, { "June", 6 }, { "jun", 6 },
	{ "juin", 6 }, { "July", 7 }, { "jul.", 7 }, { "juil.", 7 },
	{ "Aug.", 8 }, { "ago", 8 }, { "ao\xc3\xbbt", 8 }, { "AO\xc3\x9bT", 8 },
	{ "aout", 8 }, { "Sep", 9 }, { "Sept.", 9 }, { "SEPT", 9 },
	{ "September", 9 }, { "septiembre", 9 }, { "setiembre", 9 },
	{ "Oct.", 10 }, { "octubre", 10 }, { "Nov", 11 }, { "noviembre", 11 },
	{ "Dec.", 12 }, { "dic", 12 }, { "diciembre", 12 },
	{ "d\xc3\xa9" "c.", 12 },
	{ "", 0 }, { ".", 0 }, { "Ma", 0 }, { "Marc", 0 }, { "Septem", 0 },
	{ "Kabul", 0 }, { "Mayday", 0 }, { "abrilx", 0 }, { "out", 0 },
	{ "Apr..", 0 }, { "averyveryverylongword", 0 },
};

static void test_month(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof month_rows / sizeof month_rows[0]; i++) {
		int m = dateline_month(month_rows[i].s,
				       strlen(month_rows[i].s));

		if (m != month_rows[i].month)
			print_error("month '%s': want %d, got %d\n",
				    month_rows[i].s, month_rows[i].month, m);
		assert_int_equal(m, month_rows[i].month);
	}
	assert_int_equal(dateline_month(NULL, 0), 0);
}

/* ------------------------------------------------------------------ */

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 65536 > cap) {
			char *nb = realloc(buf, cap = (n + 65536) * 2);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		if (!r)
			break;
		n += r;
	}
	fclose(f);
	*len = n;
	return buf;
}

static const char *shared_dir(void)
{
	const char *s = getenv("WIRE_SHARED");

	return s && *s ? s : "../shared";
}

/* Reuters-21578: the <DATELINE> fields parse (but for garbage and
 * lower-case places, about 1%), and body lines other than the first
 * almost never do (those that do are real second datelines). */
static void test_reuters21578(void **state)
{
	char path[4096];
	size_t fields = 0, parsed = 0, lines = 0, false_hits = 0;
	int file;

	(void)state;
	snprintf(path, sizeof path, "%s/corpus/reuters21578/reut2-000.sgm",
		 shared_dir());
	if (access(path, R_OK)) {
		print_message("skip - %s absent\n", path);
		skip();
	}
	for (file = 0; file <= 21; file++) {
		size_t len = 0;
		char *buf, *p, *end;

		snprintf(path, sizeof path,
			 "%s/corpus/reuters21578/reut2-%03d.sgm", shared_dir(),
			 file);
		buf = read_all(path, &len);
		assert_non_null(buf);
		end = buf + len;
		for (p = buf; (p = memmem(p, (size_t)(end - p), "<DATELINE>",
					   10));) {
			char *e = memmem(p, (size_t)(end - p), "</DATELINE>", 11);
			dateline dl;

			assert_non_null(e);
			p += 10;
			fields++;
			parsed += dateline_parse(p, (size_t)(e - p), &dl);
			p = e;
		}
		for (p = buf; (p = memmem(p, (size_t)(end - p), "<BODY>", 6));) {
			char *e = memmem(p, (size_t)(end - p), "</BODY>", 7);
			char *l = memchr(p, '\n', (size_t)(e - p));

			assert_non_null(e);
			while (l && l < e) {
				char *nl = memchr(l + 1, '\n', (size_t)(e - l - 1));
				char *le = nl ? nl : e;
				dateline dl;

				lines++;
				false_hits += dateline_parse(l + 1,
							     (size_t)(le - l - 1),
							     &dl);
				l = nl;
			}
			p = e;
		}
		free(buf);
	}
	print_message("reuters21578: %zu/%zu datelines parsed, %zu of %zu "
		      "body lines parsed\n", parsed, fields, false_hits, lines);
	assert_true(fields > 19000);
	assert_true(parsed * 1000 >= fields * 985);
	assert_true(false_hits <= 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_month),
		cmocka_unit_test(test_reuters21578),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
