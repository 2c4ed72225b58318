/*
 * wire-gen - write N synthetic wire dispatches, for tests and benchmarks.
 *
 *   wire-gen [--format jsonl|text|sgml|newsml] [--gzip] [--seed S]
 *            [--per-file K] [--from YEAR] [--to YEAR] [--no-header]
 *            [--paragraphs A-B] [--words DIR] [-q] -n N -o OUT
 *
 * The same seed gives the same bytes on every run (own PRNG: xoshiro256**
 * seeded by splitmix64; no clock, no rand()), whatever --per-file is.  (The
 * Zipf table is built with the C library's pow(): another libm could, in
 * principle, round a boundary differently.)
 *
 * What a dispatch looks like (see docs/SCALING.md and corpus/README.md):
 *
 *   - words drawn by Zipf rank from corpus/wordlist/words-LANG.tsv with the
 *     exponent fitted in corpus/wordlist/zipf.tsv (corpus/tools/fit-zipf):
 *     P(rank r) ~ r^-s, by binary search in a cumulative table;
 *   - sentences of 8-30 words, paragraphs of 2-5 sentences, 3-12
 *     paragraphs, headlines of 6-12 words; ~5% of sentences quote or name
 *     a person from a list of mostly non-ASCII invented names (Muttaqī, Łukasz,
 *     Nguyễn...), ~8% carry an acronym (US, U.S., UN, NATO, OPEC, TTP...),
 *     ~10% a number with separators (84,000; Spanish 1.250.000; 3,5 %);
 *   - a dateline in the agency's own style at the start of the first
 *     paragraph (EFE English and Spanish, Reuters, AP with — and _, AFP,
 *     dpa, Xinhua) naming one of 71 cities (Bogotá, São Paulo, Gdańsk...)
 *     and the agency's sign-off at the end;
 *   - ~20% of the stories in Spanish (EFE), dated uniformly from --from to
 *     --to (default 2015-2025) in time order;
 *   - about 15% of the stories in 2 versions and 5% in 3 (same id, later
 *     versioncreated, one paragraph changed), 0.5% withdrawn by a final
 *     canceled version.
 *
 * N counts dispatches, every version included.  Formats that cannot say
 * that two dispatches are versions of one story (sgml, text --no-header)
 * get one version per story; sgml dispatches are all Reuters, in English,
 * as Reuters-21578 is.
 *
 * Output: jsonl and sgml write the file OUT; text and newsml a directory
 * OUT/YYYY/MM/ with one file per dispatch.  With --per-file K every format
 * writes into the directory OUT: files of K dispatches (text: directories
 * of K files).  --gzip compresses every file (zlib).
 */
#include "alloc.h"
#include "dispatch.h"
#include "strbuf.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>
#include <zlib.h>

/* ------------------------------------------------------------------ PRNG */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s, result = rotl64(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

/* Uniform in [0, 1). */
static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, N), N > 0. */
static unsigned rng_below(struct rng *r, unsigned n)
{
	return (unsigned)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [A, B]. */
static unsigned rng_range(struct rng *r, unsigned a, unsigned b)
{
	return a + rng_below(r, b - a + 1);
}

static int rng_chance(struct rng *r, double p)
{
	return rng_unit(r) < p;
}

#define PICK(r, table) ((table)[rng_below((r), sizeof(table) / sizeof((table)[0]))])

/* ---------------------------------------------------------------- tables */

enum lang { EN, ES, N_LANGS };
static const char *const lang_code[N_LANGS] = { "en", "es" };

enum agency { EFE, REUTERS, AP, AFP, DPA, XINHUA, N_AGENCIES };
static const char *const agency_name[N_AGENCIES] = {
	"EFE", "Reuters", "AP", "AFP", "dpa", "Xinhua"
};
static const char *const agency_slug[N_AGENCIES] = {
	"efe", "reuters", "ap", "afp", "dpa", "xinhua"
};
/* Shares of the English stories, per thousand. */
static const unsigned agency_weight[N_AGENCIES] = { 150, 250, 200, 200, 100, 100 };

/* A dateline city: English and Spanish names, country, and the qualifier
 * AP puts after a city the reader may not place ("PESHAWAR, Pakistan"). */
struct place {
	const char *en, *es, *country_en, *country_es, *qual;
};

static const struct place places[] = {
	{ "Kabul", "Kabul", "Afghanistan", "Afganistán", NULL },
	{ "Islamabad", "Islamabad", "Pakistan", "Pakistán", NULL },
	{ "Peshawar", "Peshawar", "Pakistan", "Pakistán", "Pakistan" },
	{ "Karachi", "Karachi", "Pakistan", "Pakistán", "Pakistan" },
	{ "New Delhi", "Nueva Delhi", "India", "India", NULL },
	{ "Mumbai", "Bombay", "India", "India", "India" },
	{ "Dhaka", "Daca", "Bangladesh", "Bangladés", NULL },
	{ "Kathmandu", "Katmandú", "Nepal", "Nepal", NULL },
	{ "Beijing", "Pekín", "China", "China", NULL },
	{ "Shanghai", "Shanghái", "China", "China", "China" },
	{ "Tokyo", "Tokio", "Japan", "Japón", NULL },
	{ "Seoul", "Seúl", "South Korea", "Corea del Sur", NULL },
	{ "Hanoi", "Hanói", "Vietnam", "Vietnam", NULL },
	{ "Bangkok", "Bangkok", "Thailand", "Tailandia", NULL },
	{ "Jakarta", "Yakarta", "Indonesia", "Indonesia", NULL },
	{ "Manila", "Manila", "Philippines", "Filipinas", NULL },
	{ "Sydney", "Sídney", "Australia", "Australia", "Australia" },
	{ "Tehran", "Teherán", "Iran", "Irán", NULL },
	{ "Baghdad", "Bagdad", "Iraq", "Irak", NULL },
	{ "Erbil", "Erbil", "Iraq", "Irak", "Iraq" },
	{ "Beirut", "Beirut", "Lebanon", "Líbano", NULL },
	{ "Gaza", "Gaza", "Palestinian Territories", "Territorios Palestinos", "Gaza Strip" },
	{ "Jerusalem", "Jerusalén", "Israel", "Israel", NULL },
	{ "Ankara", "Ankara", "Turkey", "Turquía", NULL },
	{ "Istanbul", "Estambul", "Turkey", "Turquía", "Turkey" },
	{ "Cairo", "El Cairo", "Egypt", "Egipto", NULL },
	{ "Nairobi", "Nairobi", "Kenya", "Kenia", "Kenya" },
	{ "Mogadishu", "Mogadiscio", "Somalia", "Somalia", "Somalia" },
	{ "Lagos", "Lagos", "Nigeria", "Nigeria", "Nigeria" },
	{ "Johannesburg", "Johannesburgo", "South Africa", "Sudáfrica", "South Africa" },
	{ "Dakar", "Dakar", "Senegal", "Senegal", "Senegal" },
	{ "Bissau", "Bisáu", "Guinea-Bissau", "Guinea-Bisáu", "Guinea-Bissau" },
	{ "London", "Londres", "Britain", "Reino Unido", NULL },
	{ "Paris", "París", "France", "Francia", NULL },
	{ "Berlin", "Berlín", "Germany", "Alemania", NULL },
	{ "Düsseldorf", "Düsseldorf", "Germany", "Alemania", "Germany" },
	{ "Frankfurt am Main", "Fráncfort", "Germany", "Alemania", "Germany" },
	{ "Munich", "Múnich", "Germany", "Alemania", "Germany" },
	{ "Zürich", "Zúrich", "Switzerland", "Suiza", "Switzerland" },
	{ "Geneva", "Ginebra", "Switzerland", "Suiza", "Switzerland" },
	{ "Vienna", "Viena", "Austria", "Austria", NULL },
	{ "Brussels", "Bruselas", "Belgium", "Bélgica", NULL },
	{ "Madrid", "Madrid", "Spain", "España", NULL },
	{ "Seville", "Sevilla", "Spain", "España", "Spain" },
	{ "Lisbon", "Lisboa", "Portugal", "Portugal", NULL },
	{ "Rome", "Roma", "Italy", "Italia", NULL },
	{ "Warsaw", "Varsovia", "Poland", "Polonia", NULL },
	{ "Gdańsk", "Gdansk", "Poland", "Polonia", "Poland" },
	{ "Kraków", "Cracovia", "Poland", "Polonia", "Poland" },
	{ "Malmö", "Malmö", "Sweden", "Suecia", "Sweden" },
	{ "Reykjavík", "Reikiavik", "Iceland", "Islandia", NULL },
	{ "Kyiv", "Kiev", "Ukraine", "Ucrania", NULL },
	{ "Moscow", "Moscú", "Russia", "Rusia", NULL },
	{ "Washington", "Washington", "United States", "Estados Unidos", NULL },
	{ "New York", "Nueva York", "United States", "Estados Unidos", NULL },
	{ "Houston", "Houston", "United States", "Estados Unidos", "Texas" },
	{ "Mexico City", "Ciudad de México", "Mexico", "México", NULL },
	{ "Bogotá", "Bogotá", "Colombia", "Colombia", "Colombia" },
	{ "Caracas", "Caracas", "Venezuela", "Venezuela", "Venezuela" },
	{ "Lima", "Lima", "Peru", "Perú", "Peru" },
	{ "Quito", "Quito", "Ecuador", "Ecuador", "Ecuador" },
	{ "La Paz", "La Paz", "Bolivia", "Bolivia", "Bolivia" },
	{ "Santiago", "Santiago de Chile", "Chile", "Chile", "Chile" },
	{ "Buenos Aires", "Buenos Aires", "Argentina", "Argentina", "Argentina" },
	{ "Montevideo", "Montevideo", "Uruguay", "Uruguay", "Uruguay" },
	{ "São Paulo", "São Paulo", "Brazil", "Brasil", "Brazil" },
	{ "Brasília", "Brasilia", "Brazil", "Brasil", "Brazil" },
	{ "Havana", "La Habana", "Cuba", "Cuba", "Cuba" },
	{ "Panama City", "Ciudad de Panamá", "Panama", "Panamá", "Panama" },
	{ "San José", "San José", "Costa Rica", "Costa Rica", "Costa Rica" },
	{ "Ottawa", "Ottawa", "Canada", "Canadá", NULL },
};
#define N_PLACES (sizeof(places) / sizeof(places[0]))

/* People quoted or named in ~5% of the sentences: invented, mostly
 * non-ASCII (the tokenizer and the highlighter must cope), and never a real
 * office holder, since the generated sentences are put in their mouths. */
static const char *const people[] = {
	"Mawlawi Nūrullah Muttaqī", "Selim Erdoğlu", "Łukasz Wróblewski",
	"Nguyễn Thị Lan",
	"José Ramón Núñez", "Søren Kjærsgaard", "Þórdís Sigurðardóttir", "Ayşe Yıldırım",
	"François Lefèvre", "Małgorzata Kowalczyk", "Đorđe Petrović", "Jürgen Großmann",
	"Mehmet Öztürk", "Chloé Dubois", "Ángela Muñoz", "Iñaki Etxeberría",
	"João Gonçalves", "Antônio Araújo", "Jiřina Dvořáčková", "Oğuz Çelik",
	"Şebnem Kaya", "Ólöf Bergþórsdóttir", "Agnieszka Żółkowska", "Håkon Ødegård",
	"Zsófia Szőke", "Trần Văn Hùng", "Phạm Minh Châu", "Gülnara Sadıqova",
	"Kateřina Nováková", "Milena Vukašinović", "Sébastien Leclère", "Ramón Peña",
	"Cristóbal Ibáñez", "Hüseyin Aydın", "Zarghona Niazī", "Bärbel Schütz",
	"Märta Ekström", "Dagnė Žukauskaitė", "Tadeusz Wąsik", "Noor Ahmad Rahimī",
};

/* Reporters and editors: bylines and sign-offs (invented too). */
static const char *const reporters[] = {
	"Renata Solís", "Owen Thackeray", "Hamid Rahmani", "Nadia Soomro",
	"Elena Castañeda", "Julien Marchetti", "Stefanie Brandl", "Li Wen",
	"Zhang Hao", "Karim Haidari", "Sofía Beltrán", "Martin Kühne",
	"Priya Raman", "Tom Ellery", "Inés Albarrán", "Daniel Okafor",
	"Mariam Yusufzai", "Paulo Sérgio Lima", "Katarzyna Lis", "Ahmed Farouk",
	"Bernadette Kuhn", "Marta Quintana", "Peter Halloway", "Ines Ferrante",
};

static const char *const topics[][N_LANGS] = {
	{ "politics", "política" }, { "economy", "economía" },
	{ "conflict", "conflicto" }, { "sport", "deportes" },
	{ "culture", "cultura" }, { "weather", "clima" },
	{ "migration", "migración" }, { "energy", "energía" },
	{ "health", "salud" }, { "trade", "comercio" },
	{ "elections", "elecciones" }, { "disaster", "desastre" },
	{ "environment", "medio ambiente" }, { "technology", "tecnología" },
	{ "justice", "justicia" }, { "agriculture", "agricultura" },
	{ "finance", "finanzas" }, { "transport", "transporte" },
	{ "education", "educación" }, { "security", "seguridad" },
};
#define N_TOPICS (sizeof(topics) / sizeof(topics[0]))

static const char *const acronyms_en[] = {
	"US", "U.S.", "UN", "U.N.", "NATO", "OPEC", "TTP", "IMF", "EU",
};
static const char *const acronyms_es[] = {
	"EE.UU.", "ONU", "OTAN", "OPEP", "TTP", "FMI", "UE", "EE.UU.",
};

/* Month names as each agency writes them in a dateline. */
static const char *const month_efe[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};
static const char *const month_es[12] = {
	"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"
};
static const char *const month_reuters[12] = {
	"Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec"
};
static const char *const month_xinhua[12] = {
	"Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."
};
static const char *const month_sgml[12] = {
	"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"
};

/* ------------------------------------------------------------ vocabulary */

struct vocab {
	char **words;    /* by rank */
	double *cum;     /* cum[i]: sum of r^-s for r = 1..i+1 */
	size_t n;
	double s;
};

static void vocab_release(struct vocab *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->words[i]);
	free(v->words);
	free(v->cum);
	memset(v, 0, sizeof(*v));
}

/* Read the words of PATH ("word<TAB>count" by rank, # comments).  0, or -1
 * with a message in ERR. */
static int vocab_load(struct vocab *v, const char *path, double s, char *err,
		      size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	size_t cap = 0;
	double total = 0;

	memset(v, 0, sizeof(*v));
	v->s = s;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');

		if (line[0] == '#' || !tab || tab == line)
			continue;
		if (wire_grow((void **)&v->words, &cap, v->n + 1, sizeof(*v->words)) ||
		    !(v->words[v->n] = wire_strndup(line, (size_t)(tab - line)))) {
			snprintf(err, errlen, "%s: out of memory", path);
			fclose(f);
			return -1;
		}
		v->n++;
	}
	fclose(f);
	if (v->n < 10) {
		snprintf(err, errlen, "%s: fewer than 10 words", path);
		return -1;
	}
	if (!(v->cum = wire_calloc(v->n, sizeof(*v->cum)))) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	for (size_t i = 0; i < v->n; i++) {
		total += pow((double)(i + 1), -s);
		v->cum[i] = total;
	}
	return 0;
}

static const char *vocab_pick(const struct vocab *v, struct rng *r)
{
	double u = rng_unit(r) * v->cum[v->n - 1];
	size_t lo = 0, hi = v->n - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v->cum[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return v->words[lo];
}

/* Read the exponent of LANG from zipf.tsv ("lang files dispatches tokens
 * words ranks s c r2").  0, or -1 with ERR. */
static int zipf_exponent(const char *path, const char *lang, double *s,
			 char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char code[8];
		unsigned long a, b, c, d, e;
		double x;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%7s %lu %lu %lu %lu %lu %lf", code, &a, &b, &c, &d,
			   &e, &x) == 7 && !strcmp(code, lang)) {
			fclose(f);
			if (!(x > 0.1 && x < 5)) {
				snprintf(err, errlen, "%s: exponent %g for %s out of range",
					 path, x, lang);
				return -1;
			}
			*s = x;
			return 0;
		}
	}
	fclose(f);
	snprintf(err, errlen, "%s: no line for language '%s'", path, lang);
	return -1;
}

/* ------------------------------------------------------------- dates */

struct ymdhms {
	int y, mo, d, h, mi, s;
};

/* UTC calendar fields of T (seconds since the epoch). */
static struct ymdhms civil(int64_t t)
{
	struct ymdhms c;
	int64_t days = t / 86400, rem = t % 86400, era, z;
	unsigned doe, yoe, doy, mp;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	c.h = (int)(rem / 3600);
	c.mi = (int)(rem / 60 % 60);
	c.s = (int)(rem % 60);
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	c.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	c.mo = (int)(mp < 10 ? mp + 3 : mp - 9);
	c.y = (int)(yoe + era * 400 + (c.mo <= 2));
	return c;
}

static void iso(int64_t t, char out[40])
{
	struct ymdhms c = civil(t);

	snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.y % 10000, c.mo, c.d,
		 c.h, c.mi, c.s);
}

/* ------------------------------------------------------------- text */

/* Append S upper-cased (Unicode). */
static int add_upper(strbuf *sb, const char *s)
{
	size_t n = strlen(s), i = 0;

	while (i < n) {
		utf8proc_int32_t c;
		utf8proc_uint8_t buf[4];
		utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
						      (utf8proc_ssize_t)(n - i), &c);

		if (l <= 0)
			return strbuf_add(sb, s + i, n - i);
		if (strbuf_add(sb, buf, (size_t)utf8proc_encode_char(utf8proc_toupper(c), buf)))
			return -1;
		i += (size_t)l;
	}
	return 0;
}

/* Append S with its first letter upper-cased. */
static int add_capitalised(strbuf *sb, const char *s)
{
	utf8proc_int32_t c;
	utf8proc_uint8_t buf[4];
	size_t n = strlen(s);
	utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s,
					      (utf8proc_ssize_t)n, &c);

	if (l <= 0)
		return strbuf_addstr(sb, s);
	if (strbuf_add(sb, buf, (size_t)utf8proc_encode_char(utf8proc_toupper(c), buf)))
		return -1;
	return strbuf_add(sb, s + l, n - (size_t)l);
}

/* Append V with thousands separators SEP. */
static int add_grouped(strbuf *sb, unsigned long v, char sep)
{
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%lu", v);

	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0 && strbuf_addch(sb, sep))
			return -1;
		if (strbuf_addch(sb, digits[i]))
			return -1;
	}
	return 0;
}

/* A number as the language writes it: 84,000 / 84.000; 3.5 / 3,5. */
static int add_number(strbuf *sb, struct rng *r, enum lang lang)
{
	unsigned kind = rng_below(r, 10);

	if (kind < 6) {
		unsigned digits = rng_range(r, 2, 7);
		unsigned long lo = 1, v;

		for (unsigned i = 1; i < digits; i++)
			lo *= 10;
		v = lo + (unsigned long)(rng_unit(r) * (double)(lo * 9));
		if (digits >= 4 && rng_chance(r, 0.5))
			v -= v % (lo / 10); /* round figures: 84,000 */
		return add_grouped(sb, v, lang == ES ? '.' : ',');
	}
	if (kind < 9) {
		unsigned whole = rng_below(r, 40), tenth = rng_below(r, 10);

		if (lang == ES)
			return strbuf_addf(sb, "%u,%u %%", whole, tenth);
		return strbuf_addf(sb, rng_chance(r, 0.5) ? "%u.%u percent" : "%u.%u%%",
				   whole, tenth);
	}
	return strbuf_addf(sb, "%u", rng_range(r, 1990, 2030));
}

struct gen {
	struct vocab vocab[N_LANGS];
	struct rng rng;
};

/* One sentence, ended by a period, appended to SB. */
static int add_sentence(struct gen *g, strbuf *sb, enum lang lang)
{
	struct rng *r = &g->rng;
	unsigned n = rng_range(r, 8, 30), comma = 0, acro = 0, num = 0;
	int named = rng_chance(r, 0.05), quoted = 0;
	const char *person = NULL;
	strbuf s = STRBUF_INIT;
	int rc = 0;

	if (rng_chance(r, 0.3))
		comma = rng_range(r, 3, n - 2);
	if (rng_chance(r, 0.08))
		acro = rng_range(r, 1, n - 1);
	if (rng_chance(r, 0.10))
		num = rng_range(r, 1, n - 1);
	if (named) {
		person = PICK(r, people);
		quoted = rng_chance(r, 0.5);
	}
	for (unsigned i = 0; i < n && !rc; i++) {
		if (i && strbuf_addch(&s, ' '))
			rc = -1;
		if (i == acro && acro)
			rc |= strbuf_addstr(&s, lang == ES ? PICK(r, acronyms_es) : PICK(r, acronyms_en));
		else if (i == num && num)
			rc |= add_number(&s, r, lang);
		else
			rc |= strbuf_addstr(&s, vocab_pick(&g->vocab[lang], r));
		if (i + 1 == comma)
			rc |= strbuf_addch(&s, ',');
	}
	if (rc)
		goto out;
	if (!named) {
		rc = add_capitalised(sb, s.buf) || strbuf_addch(sb, '.');
	} else if (quoted) {
		rc = strbuf_addstr(sb, "“") || add_capitalised(sb, s.buf) ||
		     strbuf_addstr(sb, lang == ES ? "”, dijo " : ",” said ") ||
		     strbuf_addstr(sb, person) || strbuf_addch(sb, '.');
	} else {
		rc = strbuf_addstr(sb, person) ||
		     strbuf_addstr(sb, lang == ES ? " dijo que " : " said ") ||
		     strbuf_addstr(sb, s.buf) || strbuf_addch(sb, '.');
	}
out:
	strbuf_release(&s);
	return rc ? -1 : 0;
}

static int make_paragraph(struct gen *g, strbuf *p, enum lang lang)
{
	unsigned n = rng_range(&g->rng, 2, 5);

	strbuf_reset(p);
	for (unsigned i = 0; i < n; i++)
		if ((i && strbuf_addch(p, ' ')) || add_sentence(g, p, lang))
			return -1;
	return 0;
}

static int make_headline(struct gen *g, strbuf *h, enum lang lang,
			 const char *city)
{
	unsigned n = rng_range(&g->rng, 6, 12), at = n;
	strbuf s = STRBUF_INIT;
	int rc = 0;

	if (rng_chance(&g->rng, 0.3))
		at = rng_below(&g->rng, n);
	for (unsigned i = 0; i < n && !rc; i++) {
		if (i)
			rc |= strbuf_addch(&s, ' ');
		rc |= strbuf_addstr(&s, i == at ? city : vocab_pick(&g->vocab[lang], &g->rng));
	}
	strbuf_reset(h);
	if (!rc)
		rc = add_capitalised(h, s.buf);
	strbuf_release(&s);
	return rc;
}

/* EFE/AFP editors' initials: "lk-aa-jgv-sk", "str-mw/rox/pt". */
static int add_initials(strbuf *sb, struct rng *r)
{
	unsigned groups = rng_range(r, 2, 4);
	char sep = rng_chance(r, 0.5) ? '-' : '/';

	for (unsigned i = 0; i < groups; i++) {
		unsigned len = rng_range(r, 2, 3);

		if (i && strbuf_addch(sb, sep))
			return -1;
		for (unsigned k = 0; k < len; k++)
			if (strbuf_addch(sb, (char)('a' + rng_below(r, 26))))
				return -1;
	}
	return 0;
}

/* ------------------------------------------------------------- stories */

#define MAX_PARAS 16

struct story {
	unsigned long seq;        /* 1, 2, ... */
	enum lang lang;
	enum agency agency;
	const struct place *place, *place2;
	unsigned style;           /* dateline variant of the agency */
	int64_t first;            /* first created */
	unsigned urgency;
	unsigned topic[3], n_topics;
	const char *byline;
	char id[96];              /* uri (jsonl, newsml) and ID (text) */
	char slugline[80];
	char text_id[96];         /* ID header: agency-YYYYMMDD-gSEED-SEQ */
	char file_stem[96];       /* agency-YYYY-MM-DD-gSEED-SEQ */
	strbuf headline_base, headline;
	strbuf para[MAX_PARAS];
	unsigned n_para;
	strbuf dateline;          /* as in the body, with its dash and space */
	strbuf dateline_plain;    /* NewsML <dateline>: no agency, no dash */
	strbuf signoff;           /* appended to the last paragraph: " EFE" */
	strbuf signoff_line;      /* the line after it: initials, "(Reporting...)" */
	int signoff_glued;        /* that line follows without a blank line */
	int ap_trailer;           /* AP: "___" and a contributor line */
	strbuf trailer;
};

/* What one dispatch (a version of a story) is. */
struct doc {
	struct story *st;
	unsigned version;
	int64_t created;
	int canceled;
	const char *headline;
	strbuf par[MAX_PARAS + 4];   /* rendered: dateline + first paragraph ... */
	unsigned char glued[MAX_PARAS + 4]; /* joined to the previous by "\n" */
	unsigned n_par;
	unsigned long newid;         /* sgml NEWID */
};

static const char *place_name(const struct place *p, enum lang l)
{
	return l == ES ? p->es : p->en;
}

/* The dateline of ST in its agency's style (the style drawn in story_new()). */
static int make_dateline(struct story *st)
{
	strbuf *dl = &st->dateline, *pl = &st->dateline_plain;
	struct ymdhms c = civil(st->first);
	const struct place *p = st->place;
	int rc = 0;

	strbuf_reset(dl);
	strbuf_reset(pl);
	switch (st->agency) {
	case EFE:
		rc |= strbuf_addstr(pl, place_name(p, st->lang));
		if (st->place2)
			rc |= strbuf_addch(pl, '/') ||
			      strbuf_addstr(pl, place_name(st->place2, st->lang));
		if (st->lang == ES)
			rc |= strbuf_addf(pl, ", %d %s", c.d, month_es[c.mo - 1]);
		else
			rc |= strbuf_addf(pl, ", %s %d", month_efe[c.mo - 1], c.d);
		rc |= strbuf_addstr(dl, pl->buf) ||
		      strbuf_addstr(dl, st->lang == ES ? " (EFE).- " : " (EFE).— ");
		break;
	case REUTERS:
		rc |= add_upper(pl, p->en);
		if (st->style)
			rc |= strbuf_addf(pl, ", %s %d", month_reuters[c.mo - 1], c.d);
		rc |= strbuf_addstr(dl, pl->buf) || strbuf_addstr(dl, " (Reuters) - ");
		break;
	case AP:
		rc |= add_upper(pl, p->en);
		if (st->style && p->qual)
			rc |= strbuf_addstr(pl, ", ") || strbuf_addstr(pl, p->qual);
		rc |= strbuf_addstr(dl, pl->buf) ||
		      strbuf_addstr(dl, st->style == 2 && p->qual ? " (AP) _ " : " (AP) — ");
		break;
	case AFP:
		rc |= add_upper(pl, p->en) ||
		      strbuf_addf(pl, ", %s %d", month_reuters[c.mo - 1], c.d);
		rc |= strbuf_addstr(dl, pl->buf) || strbuf_addstr(dl, " (AFP) - ");
		break;
	case DPA:
		rc |= strbuf_addstr(pl, p->en);
		rc |= strbuf_addstr(dl, pl->buf) || strbuf_addstr(dl, " (dpa) - ");
		break;
	default:
		rc |= add_upper(pl, p->en) ||
		      strbuf_addf(pl, ", %s %d", month_xinhua[c.mo - 1], c.d);
		rc |= strbuf_addstr(dl, pl->buf) || strbuf_addstr(dl, " (Xinhua) -- ");
		break;
	}
	return rc ? -1 : 0;
}

static int make_signoff(struct story *st, struct rng *r)
{
	int rc = 0;

	strbuf_reset(&st->signoff);
	strbuf_reset(&st->signoff_line);
	strbuf_reset(&st->trailer);
	st->signoff_glued = 0;
	st->ap_trailer = 0;
	switch (st->agency) {
	case EFE:
		rc |= strbuf_addstr(&st->signoff, " EFE") || add_initials(&st->signoff_line, r);
		st->signoff_glued = rng_chance(r, 0.5);
		break;
	case REUTERS:
		if (rng_chance(r, 0.25)) {
			rc |= strbuf_addstr(&st->signoff, " Reuter");
		} else {
			rc |= strbuf_addf(&st->signoff_line, "(Reporting by %s", PICK(r, reporters));
			if (rng_chance(r, 0.3))
				rc |= strbuf_addf(&st->signoff_line,
						  "; Additional reporting by %s in %s",
						  PICK(r, reporters), PICK(r, places).en);
			rc |= strbuf_addf(&st->signoff_line, "; Editing by %s)", PICK(r, reporters));
		}
		break;
	case AP:
		st->ap_trailer = 1;
		rc |= strbuf_addf(&st->trailer,
				  "Associated Press writer %s in %s contributed to this report.",
				  PICK(r, reporters), PICK(r, places).en);
		break;
	case AFP:
		rc |= add_initials(&st->signoff_line, r);
		break;
	case DPA:
		rc |= strbuf_addstr(&st->signoff_line, "dpa ") || add_initials(&st->signoff_line, r);
		break;
	default:
		rc |= strbuf_addstr(&st->signoff, " Enditem");
		break;
	}
	return rc ? -1 : 0;
}

static enum agency pick_agency(struct rng *r)
{
	unsigned v = rng_below(r, 1000), acc = 0;

	for (int a = 0; a < N_AGENCIES; a++) {
		acc += agency_weight[a];
		if (v < acc)
			return (enum agency)a;
	}
	return REUTERS;
}

static unsigned pick_urgency(struct rng *r)
{
	unsigned v = rng_below(r, 100);

	return v < 3 ? 1 : v < 10 ? 2 : v < 35 ? 3 : v < 85 ? 4 : 5;
}

struct options {
	enum { F_JSONL, F_TEXT, F_SGML, F_NEWSML } format;
	int gzip, header, quiet;
	uint64_t seed;
	unsigned long n, per_file;
	unsigned para_min, para_max; /* paragraphs per dispatch (3-12) */
	int from, to;
	const char *out, *words;
};

/* A new story: everything but its times, drawn from G's generator. */
static int story_new(struct gen *g, struct story *st, const struct options *o,
		     unsigned long seq, int64_t first)
{
	struct rng *r = &g->rng;
	struct ymdhms c;
	int rc = 0;

	st->seq = seq;
	st->first = first;
	c = civil(first);
	if (o->format == F_SGML) {
		st->lang = EN;
		st->agency = REUTERS;
	} else {
		st->lang = rng_chance(r, 0.20) ? ES : EN;
		st->agency = st->lang == ES ? EFE : pick_agency(r);
	}
	st->place = &places[rng_below(r, N_PLACES)];
	st->place2 = NULL;
	if (st->agency == EFE && rng_chance(r, 0.12)) {
		st->place2 = &places[rng_below(r, N_PLACES)];
		if (st->place2 == st->place)
			st->place2 = NULL;
	}
	switch (st->agency) {
	case REUTERS:
		st->style = rng_chance(r, 0.3) ? 0 : 1;
		break;
	case AP:
		st->style = rng_below(r, 10);
		st->style = st->style < 6 ? 0 : st->style < 8 ? 1 : 2;
		break;
	default:
		st->style = 0;
	}
	if (o->format == F_SGML)
		st->style = 1; /* Reuters-21578 datelines carry the date */
	st->urgency = pick_urgency(r);
	st->n_topics = rng_range(r, 1, 3);
	for (unsigned i = 0; i < st->n_topics; i++)
		st->topic[i] = rng_below(r, N_TOPICS);
	st->byline = rng_chance(r, 0.3) ? PICK(r, reporters) : NULL;
	snprintf(st->id, sizeof(st->id), "urn:newsml:wiresearch.example:%04d%02d%02d:%s-g%llu-%08lu",
		 c.y, c.mo, c.d, agency_slug[st->agency], (unsigned long long)o->seed, seq);
	snprintf(st->text_id, sizeof(st->text_id), "%s-%04d%02d%02d-g%llu-%08lu",
		 agency_slug[st->agency], c.y, c.mo, c.d, (unsigned long long)o->seed, seq);
	snprintf(st->file_stem, sizeof(st->file_stem), "%s-%04d-%02d-%02d-g%llu-%08lu",
		 agency_slug[st->agency], c.y, c.mo, c.d, (unsigned long long)o->seed, seq);
	st->slugline[0] = '\0';
	if ((st->agency == REUTERS || st->agency == AFP || st->agency == DPA) &&
	    rng_chance(r, 0.6)) {
		strbuf sl = STRBUF_INIT;

		rc |= add_upper(&sl, st->place->country_en);
		if (!rc) {
			for (char *p = sl.buf; *p; p++)
				if (*p == ' ')
					*p = '-';
			snprintf(st->slugline, sizeof(st->slugline), "%s-%s/", sl.buf,
				 topics[st->topic[0]][EN]);
			for (char *p = st->slugline; *p; p++)
				if (*p >= 'a' && *p <= 'z')
					*p = (char)(*p - 'a' + 'A');
		}
		strbuf_release(&sl);
	}
	rc |= make_dateline(st);
	rc |= make_signoff(st, r);
	rc |= make_headline(g, &st->headline_base, st->lang, place_name(st->place, st->lang));
	strbuf_reset(&st->headline);
	rc |= strbuf_addstr(&st->headline, st->headline_base.buf);
	st->n_para = rng_range(r, o->para_min, o->para_max);
	for (unsigned i = 0; i < st->n_para && !rc; i++)
		rc |= make_paragraph(g, &st->para[i], st->lang);
	return rc ? -1 : 0;
}

/* The next version of ST: one paragraph rewritten, maybe one added, maybe
 * a new headline (Reuters: "UPDATE 1-"). */
static int story_update(struct gen *g, struct story *st, unsigned version)
{
	struct rng *r = &g->rng;
	int rc = 0;

	if (st->n_para > 1)
		rc |= make_paragraph(g, &st->para[rng_range(r, 1, st->n_para - 1)], st->lang);
	if (st->n_para < MAX_PARAS && rng_chance(r, 0.5))
		rc |= make_paragraph(g, &st->para[st->n_para++], st->lang);
	if (st->agency == REUTERS) {
		strbuf_reset(&st->headline);
		rc |= strbuf_addf(&st->headline, "UPDATE %u-%s", version - 1,
				  st->headline_base.buf);
	} else if (rng_chance(r, 0.4)) {
		rc |= make_headline(g, &st->headline_base, st->lang,
				    place_name(st->place, st->lang));
		strbuf_reset(&st->headline);
		rc |= strbuf_addstr(&st->headline, st->headline_base.buf);
	}
	if (st->urgency > 1 && rng_chance(r, 0.3))
		st->urgency++;
	return rc ? -1 : 0;
}

/* Fill D with version VERSION of ST (a withdrawal when CANCELED). */
static int doc_render(struct gen *g, struct doc *d, struct story *st,
		      unsigned version, int64_t created, int canceled,
		      const struct options *o)
{
	int rc = 0;
	unsigned n = 0;

	d->st = st;
	d->version = version;
	d->created = created;
	d->canceled = canceled;
	for (unsigned i = 0; i < MAX_PARAS + 4; i++) {
		strbuf_reset(&d->par[i]);
		d->glued[i] = 0;
	}
	if (canceled) {
		struct ymdhms c = civil(st->first);
		strbuf *p = &d->par[n++];

		rc |= strbuf_addstr(p, st->dateline.buf);
		if (st->lang == ES)
			rc |= strbuf_addf(p, "EFE anula la noticia titulada «%s», transmitida a las %02d.%02d GMT. ",
					  st->headline.buf, c.h, c.mi);
		else
			rc |= strbuf_addf(p, "%s is withdrawing its story headlined \"%s\", sent at %02d%02d GMT. ",
					  agency_name[st->agency], st->headline.buf, c.h, c.mi);
		rc |= add_sentence(g, p, st->lang);
		rc |= strbuf_addstr(p, st->lang == ES ? " No habrá noticia sustitutiva."
						      : " There will be no substitute story.");
	} else {
		for (unsigned i = 0; i < st->n_para; i++) {
			strbuf *p = &d->par[n++];

			if (i == 0 && o->format != F_SGML)
				rc |= strbuf_addstr(p, st->dateline.buf);
			rc |= strbuf_add(p, st->para[i].buf, st->para[i].len);
		}
	}
	if (o->format == F_SGML) {
		d->n_par = n;
		d->headline = st->headline.buf;
		return rc ? -1 : 0;
	}
	rc |= strbuf_add(&d->par[n - 1], st->signoff.buf, st->signoff.len);
	if (st->signoff_line.len) {
		d->glued[n] = (unsigned char)st->signoff_glued;
		rc |= strbuf_add(&d->par[n++], st->signoff_line.buf, st->signoff_line.len);
	}
	if (st->ap_trailer) {
		rc |= strbuf_addstr(&d->par[n++], "___");
		rc |= strbuf_add(&d->par[n++], st->trailer.buf, st->trailer.len);
	}
	d->n_par = n;
	if (canceled) {
		strbuf_reset(&st->headline_base);
		rc |= strbuf_addstr(&st->headline_base, st->lang == ES ? "ANULADA: " : "WITHDRAWN: ");
		rc |= strbuf_add(&st->headline_base, st->headline.buf, st->headline.len);
		d->headline = st->headline_base.buf;
	} else {
		d->headline = st->headline.buf;
	}
	return rc ? -1 : 0;
}

/* The body of D as in plain text and ninjs body_text. */
static int doc_body(const struct doc *d, strbuf *sb)
{
	for (unsigned i = 0; i < d->n_par; i++) {
		if (i && strbuf_addstr(sb, d->glued[i] ? "\n" : "\n\n"))
			return -1;
		if (strbuf_add(sb, d->par[i].buf, d->par[i].len))
			return -1;
	}
	return 0;
}

/* Bytes of headline and body: the raw text an index is measured against. */
static size_t doc_text_bytes(const struct doc *d)
{
	size_t n = strlen(d->headline);

	for (unsigned i = 0; i < d->n_par; i++)
		n += d->par[i].len + (i ? 2 : 0);
	return n;
}

/* ------------------------------------------------------------- escaping */

static int add_json(strbuf *sb, const char *s, size_t n)
{
	int rc = strbuf_addch(sb, '"');

	for (size_t i = 0; i < n && !rc; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			rc = strbuf_addch(sb, '\\') || strbuf_addch(sb, (char)c);
		else if (c == '\n')
			rc = strbuf_addstr(sb, "\\n");
		else if (c < 0x20)
			rc = strbuf_addf(sb, "\\u%04x", c);
		else
			rc = strbuf_addch(sb, (char)c);
	}
	return rc || strbuf_addch(sb, '"');
}

static int add_xml(strbuf *sb, const char *s, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		switch (s[i]) {
		case '&':
			rc = strbuf_addstr(sb, "&amp;");
			break;
		case '<':
			rc = strbuf_addstr(sb, "&lt;");
			break;
		case '>':
			rc = strbuf_addstr(sb, "&gt;");
			break;
		case '"':
			rc = strbuf_addstr(sb, "&quot;");
			break;
		default:
			rc = strbuf_addch(sb, s[i]);
		}
	}
	return rc;
}

static int add_xmls(strbuf *sb, const char *s)
{
	return add_xml(sb, s, strlen(s));
}

/* ------------------------------------------------------------- formats */

static int fmt_jsonl(const struct doc *d, strbuf *sb)
{
	const struct story *st = d->st;
	char first[40], created[40];
	strbuf body = STRBUF_INIT;
	int rc;

	iso(st->first, first);
	iso(d->created, created);
	rc = strbuf_addstr(sb, "{\"uri\": ") || add_json(sb, st->id, strlen(st->id)) ||
	     strbuf_addf(sb, ", \"version\": \"%u\", \"firstcreated\": \"%s\", "
			     "\"versioncreated\": \"%s\", \"pubstatus\": \"%s\", \"urgency\": %u, "
			     "\"headline\": ",
			 d->version, first, created, d->canceled ? "canceled" : "usable",
			 st->urgency) ||
	     add_json(sb, d->headline, strlen(d->headline));
	if (!rc && st->byline)
		rc = strbuf_addstr(sb, ", \"byline\": ") ||
		     add_json(sb, st->byline, strlen(st->byline));
	if (!rc && st->slugline[0])
		rc = strbuf_addstr(sb, ", \"slugline\": ") ||
		     add_json(sb, st->slugline, strlen(st->slugline));
	rc = rc || doc_body(d, &body) || strbuf_addstr(sb, ", \"body_text\": ") ||
	     add_json(sb, body.buf, body.len) ||
	     strbuf_addf(sb, ", \"language\": \"%s\", \"located\": ", lang_code[st->lang]);
	if (!rc) {
		const char *loc = place_name(st->place, st->lang);

		rc = add_json(sb, loc, strlen(loc)) || strbuf_addstr(sb, ", \"subjects\": [");
	}
	for (unsigned i = 0; i < st->n_topics && !rc; i++) {
		const char *t = topics[st->topic[i]][st->lang];

		rc = strbuf_addstr(sb, i ? ", {\"name\": " : "{\"name\": ") ||
		     add_json(sb, t, strlen(t)) || strbuf_addch(sb, '}');
	}
	if (!rc) {
		const char *city = place_name(st->place, st->lang);
		const char *country = st->lang == ES ? st->place->country_es : st->place->country_en;

		rc = strbuf_addstr(sb, "], \"places\": [{\"name\": ") ||
		     add_json(sb, city, strlen(city)) || strbuf_addstr(sb, "}, {\"name\": ") ||
		     add_json(sb, country, strlen(country)) ||
		     strbuf_addf(sb, "}], \"agency\": \"%s\"}\n", agency_name[st->agency]);
	}
	strbuf_release(&body);
	return rc ? -1 : 0;
}

static int fmt_text(const struct doc *d, strbuf *sb, int header)
{
	const struct story *st = d->st;
	char first[40], created[40];
	int rc = 0;

	if (header) {
		iso(st->first, first);
		iso(d->created, created);
		rc = strbuf_addf(sb, "ID: %s\nVersion: %u\nDate: %s\nFirst-Created: %s\n"
				     "Agency: %s\nHeadline: %s\nLanguage: %s\n",
				 st->text_id, d->version, created, first, agency_name[st->agency],
				 d->headline, lang_code[st->lang]);
		if (!rc && st->byline)
			rc = strbuf_addf(sb, "Byline: %s\n", st->byline);
		if (!rc)
			rc = strbuf_addstr(sb, "Topics: ");
		for (unsigned i = 0; i < st->n_topics && !rc; i++)
			rc = strbuf_addf(sb, "%s%s", i ? ", " : "", topics[st->topic[i]][st->lang]);
		if (!rc && st->slugline[0])
			rc = strbuf_addf(sb, "\nSlugline: %s", st->slugline);
		if (!rc)
			rc = strbuf_addf(sb, "\nUrgency: %u\nStatus: %s\nLocated: %s\n\n", st->urgency,
					 d->canceled ? "canceled" : "usable",
					 place_name(st->place, st->lang));
	}
	return rc || doc_body(d, sb) || strbuf_addch(sb, '\n') ? -1 : 0;
}

/* Append the words of S wrapped at about 65 columns, the first line
 * indented by INDENT blanks (Reuters-21578 indents every paragraph but the
 * first). */
static int add_wrapped(strbuf *sb, const char *s, size_t n, unsigned indent)
{
	size_t col = indent, i = 0;
	int rc = 0, line_start = 1;

	for (unsigned k = 0; k < indent; k++)
		rc |= strbuf_addch(sb, ' ');
	while (i < n && !rc) {
		size_t j = i;

		while (j < n && s[j] != ' ')
			j++;
		if (!line_start && col + 1 + (j - i) > 65) {
			rc |= strbuf_addch(sb, '\n');
			col = 0;
		} else if (!line_start) {
			rc |= strbuf_addch(sb, ' ');
			col++;
		}
		rc |= add_xml(sb, s + i, j - i);
		col += j - i;
		line_start = 0;
		i = j < n ? j + 1 : j;
	}
	return rc;
}

static int fmt_sgml(const struct doc *d, strbuf *sb)
{
	const struct story *st = d->st;
	struct ymdhms c = civil(d->created);
	strbuf title = STRBUF_INIT, country = STRBUF_INIT;
	int rc;

	rc = add_upper(&title, d->headline) || strbuf_addstr(&country, st->place->country_en);
	for (size_t i = 0; !rc && i < country.len; i++) {
		char ch = country.buf[i];

		country.buf[i] = ch == ' ' ? '-' : (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
	}
	rc = rc ||
	     strbuf_addf(sb, "<REUTERS TOPICS=\"YES\" LEWISSPLIT=\"TRAIN\" CGISPLIT=\"TRAINING-SET\" "
			     "OLDID=\"%lu\" NEWID=\"%lu\">\n"
			     "<DATE>%02d-%s-%04d %02d:%02d:%02d.%02u</DATE>\n<TOPICS>",
			 d->newid + 100000, d->newid, c.d, month_sgml[c.mo - 1], c.y, c.h, c.mi,
			 c.s, (unsigned)(st->seq % 100));
	for (unsigned i = 0; i < st->n_topics && !rc; i++)
		rc = strbuf_addf(sb, "<D>%s</D>", topics[st->topic[i]][EN]);
	rc = rc ||
	     strbuf_addf(sb, "</TOPICS>\n<PLACES><D>%s</D></PLACES>\n<PEOPLE></PEOPLE>\n"
			     "<ORGS></ORGS>\n<EXCHANGES></EXCHANGES>\n<COMPANIES></COMPANIES>\n"
			     "<UNKNOWN> \n&#5;&#5;&#5;F\n&#22;&#22;&#1;f%04lu&#31;reute\n"
			     "r f BC-%s   %02d-%02d 0%03u</UNKNOWN>\n<TEXT>&#2;\n<TITLE>",
			 country.buf, d->newid % 10000, st->slugline[0] ? st->slugline : "WIRE",
			 c.mo, c.d, (unsigned)(doc_text_bytes(d) / 6 % 1000)) ||
	     add_xml(sb, title.buf, title.len) || strbuf_addstr(sb, "</TITLE>\n<DATELINE>    ") ||
	     add_xml(sb, st->dateline_plain.buf, st->dateline_plain.len) ||
	     strbuf_addstr(sb, " - </DATELINE><BODY>");
	for (unsigned i = 0; i < d->n_par && !rc; i++)
		rc = (i && strbuf_addch(sb, '\n')) ||
		     add_wrapped(sb, d->par[i].buf, d->par[i].len, i ? 4 : 0);
	rc = rc || strbuf_addstr(sb, "\n Reuter\n&#3;</BODY></TEXT>\n</REUTERS>\n");
	strbuf_release(&title);
	strbuf_release(&country);
	return rc ? -1 : 0;
}

/* One newsItem; NS: with the namespace (a file of its own). */
static int fmt_newsml_item(const struct doc *d, strbuf *sb, int ns, const char *ind)
{
	const struct story *st = d->st;
	const char *an = agency_name[st->agency];
	char first[40], created[40];
	int rc;

	iso(st->first, first);
	iso(d->created, created);
	rc = strbuf_addf(sb, "%s<newsItem%s guid=\"", ind,
			 ns ? " xmlns=\"http://iptc.org/std/nar/2006-10-01/\"" : "") ||
	     add_xmls(sb, st->id) ||
	     strbuf_addf(sb, "\"\n%s          version=\"%u\" standard=\"NewsML-G2\" standardversion=\"2.33\"\n"
			     "%s          conformance=\"power\" xml:lang=\"%s\">\n"
			     "%s  <catalogRef href=\"http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_38.xml\"/>\n"
			     "%s  <itemMeta>\n%s    <itemClass qcode=\"ninat:text\"/>\n"
			     "%s    <provider qcode=\"nprov:%s\"><name>%s</name></provider>\n"
			     "%s    <versionCreated>%s</versionCreated>\n"
			     "%s    <firstCreated>%s</firstCreated>\n"
			     "%s    <pubStatus qcode=\"stat:%s\"/>\n%s  </itemMeta>\n"
			     "%s  <contentMeta>\n%s    <urgency>%u</urgency>\n"
			     "%s    <located type=\"loctype:city\"><name>",
			 ind, d->version, ind, lang_code[st->lang], ind, ind, ind, ind, an, an, ind,
			 created, ind, first, ind, d->canceled ? "canceled" : "usable", ind, ind, ind,
			 st->urgency, ind) ||
	     add_xmls(sb, place_name(st->place, st->lang)) ||
	     strbuf_addf(sb, "</name></located>\n"
			     "%s    <infoSource role=\"infosrc:originfo\" qcode=\"nprov:%s\"><name>%s</name></infoSource>\n"
			     "%s    <language tag=\"%s\"/>\n",
			 ind, an, an, ind, lang_code[st->lang]);
	for (unsigned i = 0; i < st->n_topics && !rc; i++)
		rc = strbuf_addf(sb, "%s    <subject type=\"cpnat:abstract\"><name xml:lang=\"%s\">", ind,
				 lang_code[st->lang]) ||
		     add_xmls(sb, topics[st->topic[i]][st->lang]) || strbuf_addstr(sb, "</name></subject>\n");
	if (!rc && st->slugline[0])
		rc = strbuf_addf(sb, "%s    <slugline>", ind) || add_xmls(sb, st->slugline) ||
		     strbuf_addstr(sb, "</slugline>\n");
	rc = rc || strbuf_addf(sb, "%s    <headline>", ind) || add_xmls(sb, d->headline) ||
	     strbuf_addf(sb, "</headline>\n%s    <dateline>", ind) ||
	     add_xml(sb, st->dateline_plain.buf, st->dateline_plain.len) ||
	     strbuf_addstr(sb, "</dateline>\n");
	if (!rc && st->byline)
		rc = strbuf_addf(sb, "%s    <by>", ind) || add_xmls(sb, st->byline) ||
		     strbuf_addstr(sb, "</by>\n");
	rc = rc ||
	     strbuf_addf(sb, "%s  </contentMeta>\n%s  <contentSet>\n"
			     "%s    <inlineXML contenttype=\"application/xhtml+xml\">\n"
			     "%s      <html xmlns=\"http://www.w3.org/1999/xhtml\">\n"
			     "%s        <head><title>",
			 ind, ind, ind, ind, ind) ||
	     add_xmls(sb, d->headline) || strbuf_addf(sb, "</title></head>\n%s        <body>\n", ind);
	for (unsigned i = 0; i < d->n_par && !rc; i++)
		rc = strbuf_addf(sb, "%s          <p>", ind) ||
		     add_xml(sb, d->par[i].buf, d->par[i].len) || strbuf_addstr(sb, "</p>\n");
	rc = rc ||
	     strbuf_addf(sb, "%s        </body>\n%s      </html>\n%s    </inlineXML>\n"
			     "%s  </contentSet>\n%s</newsItem>\n",
			 ind, ind, ind, ind, ind);
	return rc ? -1 : 0;
}

/* ------------------------------------------------------------- output */

struct out {
	FILE *f;
	gzFile gz;
	char *path;
	uint64_t bytes;
};

static int mkdirs(const char *path)
{
	char *p = wire_strdup(path);

	if (!p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0777) && errno != EEXIST) {
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

/* Make the directory that will hold PATH. */
static int mkdirs_for(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int r;

	if (!slash || slash == path)
		return 0;
	if (!(dir = wire_strndup(path, (size_t)(slash - path))))
		return -1;
	r = mkdirs(dir);
	free(dir);
	return r;
}

static int out_open(struct out *o, const char *path, int gzip)
{
	memset(o, 0, sizeof(*o));
	if (mkdirs_for(path)) {
		fprintf(stderr, "wire-gen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!(o->path = wire_strdup(path))) {
		fprintf(stderr, "wire-gen: out of memory\n");
		return -1;
	}
	/* zlib writes a fixed header: no name, no time, so the bytes only
	 * depend on the text. */
	if (gzip) {
		o->gz = gzopen(path, "wb6");
		if (o->gz)
			gzbuffer(o->gz, 1u << 17);
	} else {
		o->f = fopen(path, "wb");
	}
	if (!o->gz && !o->f) {
		fprintf(stderr, "wire-gen: %s: %s\n", path, strerror(errno ? errno : ENOMEM));
		free(o->path);
		o->path = NULL;
		return -1;
	}
	return 0;
}

static int out_write(struct out *o, const char *s, size_t n)
{
	if (!n)
		return 0;
	o->bytes += n;
	if (o->gz ? gzwrite(o->gz, s, (unsigned)n) != (int)n : fwrite(s, 1, n, o->f) != n) {
		fprintf(stderr, "wire-gen: %s: write error: %s\n", o->path, strerror(errno));
		return -1;
	}
	return 0;
}

static int out_close(struct out *o)
{
	int r = 0;

	if (o->gz)
		r = gzclose(o->gz) != Z_OK;
	else if (o->f)
		r = fclose(o->f) != 0;
	if (r)
		fprintf(stderr, "wire-gen: %s: %s\n", o->path, strerror(errno));
	free(o->path);
	memset(o, 0, sizeof(*o));
	return r ? -1 : 0;
}

/* ------------------------------------------------------------- the run */

struct counts {
	unsigned long docs, stories, two, three, killed, spanish, files;
	uint64_t text_bytes, out_bytes;
};

struct writer {
	const struct options *o;
	struct out out;
	int open;
	unsigned long in_file;   /* dispatches in the open file */
	unsigned long file_no;   /* files (or text directories) started */
	strbuf rec, path;
	struct counts *counts;
};

static const char *format_ext[] = { ".jsonl", ".txt", ".sgm", ".xml" };

static int writer_close(struct writer *w)
{
	int r = 0;

	if (!w->open)
		return 0;
	if (w->o->format == F_NEWSML && w->o->per_file)
		r = out_write(&w->out, "  </itemSet>\n</newsMessage>\n", 28);
	w->counts->out_bytes += w->out.bytes;
	r |= out_close(&w->out);
	w->open = 0;
	return r;
}

/* Open the next file of a stream format (jsonl, sgml, newsml --per-file). */
static int writer_open_stream(struct writer *w, const struct doc *d)
{
	const struct options *o = w->o;
	int r;

	strbuf_reset(&w->path);
	if (o->per_file)
		r = strbuf_addf(&w->path, "%s/wire-%06lu%s%s", o->out, w->file_no + 1,
				format_ext[o->format], o->gzip ? ".gz" : "");
	else
		r = strbuf_addstr(&w->path, o->out);
	if (r)
		fprintf(stderr, "wire-gen: out of memory\n");
	if (r || out_open(&w->out, w->path.buf, o->gzip))
		return -1;
	w->open = 1;
	w->file_no++;
	w->in_file = 0;
	w->counts->files++;
	if (o->format == F_SGML)
		return out_write(&w->out, "<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n", 36);
	if (o->format == F_NEWSML) {
		char sent[40];
		strbuf h = STRBUF_INIT;

		iso(d->created, sent);
		if (strbuf_addf(&h, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				    "<newsMessage xmlns=\"http://iptc.org/std/nar/2006-10-01/\">\n"
				    "  <header>\n    <sent>%s</sent>\n    <sender>wiresearch.example</sender>\n"
				    "    <transmitId>wire-gen-g%llu-%06lu</transmitId>\n  </header>\n"
				    "  <itemSet>\n",
				sent, (unsigned long long)o->seed, w->file_no)) {
			fprintf(stderr, "wire-gen: out of memory\n");
			r = -1;
		} else {
			r = out_write(&w->out, h.buf, h.len);
		}
		strbuf_release(&h);
		return r;
	}
	return 0;
}

static int writer_put(struct writer *w, const struct doc *d)
{
	const struct options *o = w->o;
	int r = 0;

	strbuf_reset(&w->rec);
	if (o->format == F_TEXT || (o->format == F_NEWSML && !o->per_file)) {
		/* One file per dispatch. */
		struct ymdhms c = civil(d->st->first);
		char ver[16] = "";

		if (o->format == F_TEXT && o->per_file && w->in_file % o->per_file == 0)
			w->file_no++;
		w->in_file++;
		if (o->format == F_NEWSML || o->header)
			snprintf(ver, sizeof(ver), "-v%u", d->version);
		strbuf_reset(&w->path);
		if (o->per_file)
			r = strbuf_addf(&w->path, "%s/part-%06lu/%s%s", o->out, w->file_no,
					d->st->file_stem, ver);
		else
			r = strbuf_addf(&w->path, "%s/%04d/%02d/%s%s", o->out, c.y, c.mo,
					d->st->file_stem, ver);
		r = r || strbuf_addstr(&w->path, format_ext[o->format]) ||
		    (o->gzip && strbuf_addstr(&w->path, ".gz"));
		if (r) {
			fprintf(stderr, "wire-gen: out of memory\n");
			return -1;
		}
		if (o->format == F_TEXT)
			r = fmt_text(d, &w->rec, o->header);
		else
			r = strbuf_addstr(&w->rec, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n") ||
			    fmt_newsml_item(d, &w->rec, 1, "");
		if (r) {
			fprintf(stderr, "wire-gen: out of memory\n");
			return -1;
		}
		if (out_open(&w->out, w->path.buf, o->gzip))
			return -1;
		r = out_write(&w->out, w->rec.buf, w->rec.len);
		w->counts->out_bytes += w->out.bytes;
		w->counts->files++;
		return out_close(&w->out) || r ? -1 : 0;
	}
	if (w->open && o->per_file && w->in_file >= o->per_file && writer_close(w))
		return -1;
	if (!w->open && writer_open_stream(w, d))
		return -1;
	switch (o->format) {
	case F_JSONL:
		r = fmt_jsonl(d, &w->rec);
		break;
	case F_SGML:
		r = fmt_sgml(d, &w->rec);
		break;
	default:
		r = fmt_newsml_item(d, &w->rec, 0, "    ");
	}
	w->in_file++;
	if (r) {
		fprintf(stderr, "wire-gen: out of memory\n");
		return -1;
	}
	return out_write(&w->out, w->rec.buf, w->rec.len);
}

/* How many dispatches a story takes: its versions and its kill.  The plan
 * is drawn from its own generator, so the stories can be counted before
 * they are written (to spread them evenly over the years). */
static void plan_story(struct rng *plan, const struct options *o,
		       unsigned long left, unsigned *versions, int *killed)
{
	double u = rng_unit(plan), k = rng_unit(plan);
	int multi = o->format != F_SGML && !(o->format == F_TEXT && !o->header);

	*versions = !multi ? 1 : u < 0.05 ? 3 : u < 0.20 ? 2 : 1;
	*killed = multi && k < 0.005;
	if (*versions > left)
		*versions = (unsigned)left;
	if (*killed && *versions + 1 > left)
		*killed = 0;
}

static int run(const struct options *o, struct gen *g, struct counts *counts)
{
	struct rng plan;
	unsigned long stories = 0, left, seq = 0;
	int64_t start = date_from_ymd(o->from, 1, 1, 0, 0, 0);
	int64_t end = date_from_ymd(o->to + 1, 1, 1, 0, 0, 0) - 86400;
	struct story st;
	struct doc d;
	struct writer w;
	int rc = 0;

	/* Count the stories first. */
	rng_seed(&plan, o->seed ^ 0x5ca1ab1e0ddba11ull);
	for (left = o->n; left;) {
		unsigned v;
		int k;

		plan_story(&plan, o, left, &v, &k);
		left -= v + (unsigned)k;
		stories++;
	}
	rng_seed(&plan, o->seed ^ 0x5ca1ab1e0ddba11ull);
	rng_seed(&g->rng, o->seed);
	memset(&st, 0, sizeof(st));
	memset(&d, 0, sizeof(d));
	memset(&w, 0, sizeof(w));
	w.o = o;
	w.counts = counts;
	if (o->per_file && mkdirs(o->out)) {
		fprintf(stderr, "wire-gen: %s: %s\n", o->out, strerror(errno));
		return -1;
	}
	for (left = o->n; left && !rc; seq++) {
		unsigned versions;
		int killed;
		/* Story SEQ is filed in the SEQ-th slice of the period. */
		double slice = (double)(end - start) / (double)stories;
		int64_t t = start + (int64_t)(slice * ((double)seq + rng_unit(&g->rng)));

		plan_story(&plan, o, left, &versions, &killed);
		left -= versions + (unsigned)killed;
		if (story_new(g, &st, o, seq + 1, t)) {
			fprintf(stderr, "wire-gen: out of memory\n");
			rc = -1;
			break;
		}
		counts->stories++;
		counts->two += versions == 2;
		counts->three += versions == 3;
		counts->killed += (unsigned long)killed;
		counts->spanish += st.lang == ES;
		for (unsigned v = 1; v <= versions + (unsigned)killed && !rc; v++) {
			int canceled = v > versions;

			if (v > 1) {
				t += 60 * (int64_t)rng_range(&g->rng, canceled ? 20 : 10,
							     canceled ? 600 : 360);
				if (!canceled)
					rc = story_update(g, &st, v);
			}
			d.newid = counts->docs + 1;
			if (rc || doc_render(g, &d, &st, v, t, canceled, o)) {
				fprintf(stderr, "wire-gen: out of memory\n");
				rc = -1;
				break;
			}
			/* writer_put() reports its own failures. */
			rc = writer_put(&w, &d);
			counts->docs++;
			counts->text_bytes += doc_text_bytes(&d);
		}
	}
	if (writer_close(&w))
		rc = -1;
	strbuf_release(&w.rec);
	strbuf_release(&w.path);
	strbuf_release(&st.headline_base);
	strbuf_release(&st.headline);
	strbuf_release(&st.dateline);
	strbuf_release(&st.dateline_plain);
	strbuf_release(&st.signoff);
	strbuf_release(&st.signoff_line);
	strbuf_release(&st.trailer);
	for (unsigned i = 0; i < MAX_PARAS; i++)
		strbuf_release(&st.para[i]);
	for (unsigned i = 0; i < MAX_PARAS + 4; i++)
		strbuf_release(&d.par[i]);
	return rc;
}

/* ------------------------------------------------------------- main */

/* The word lists: --words, else $WIRE_WORDLIST, else corpus/wordlist
 * beside the program's build directory, else ./corpus/wordlist. */
static char *wordlist_dir(const char *opt)
{
	char exe[4096];
	ssize_t n;
	struct stat sb;

	if (opt)
		return wire_strdup(opt);
	if (getenv("WIRE_WORDLIST") && *getenv("WIRE_WORDLIST"))
		return wire_strdup(getenv("WIRE_WORDLIST"));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;
		strbuf p = STRBUF_INIT;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if (!strbuf_addf(&p, "%s/../corpus/wordlist/zipf.tsv", exe) &&
			    !stat(p.buf, &sb)) {
				p.buf[p.len - strlen("/zipf.tsv")] = '\0';
				return strbuf_detach(&p, NULL);
			}
		}
		strbuf_release(&p);
	}
	return wire_strdup("corpus/wordlist");
}

static void usage(FILE *to)
{
	fprintf(to,
		"usage: wire-gen [--format jsonl|text|sgml|newsml] [--gzip] [--seed S]\n"
		"                [--per-file K] [--from YEAR] [--to YEAR] [--no-header]\n"
		"                [--paragraphs A-B] [--words DIR] [-q] -n N -o OUT\n"
		"\n"
		"  -n N            dispatches to write, every version counted\n"
		"  -o OUT          the file (jsonl, sgml) or directory (text, newsml, --per-file)\n"
		"  --format FMT    jsonl (default), text (one file per dispatch, header block),\n"
		"                  sgml (Reuters-21578), newsml (NewsML-G2)\n"
		"  --gzip          gzip-compress every file\n"
		"  --seed S        the same seed gives the same bytes (default 1)\n"
		"  --per-file K    K dispatches per file in the directory OUT (text: per directory)\n"
		"  --from, --to    years the dispatches are dated in (default 2015, 2025)\n"
		"  --no-header     text: no header block; the date is in the file name\n"
		"  --paragraphs A-B paragraphs per dispatch (default 3-12; 1-4: ~1 KB each)\n"
		"  --words DIR     the word lists and zipf.tsv (default: corpus/wordlist)\n"
		"  -q              no summary line\n"
		"  --names         print the names quoted in the text, one a line, and exit\n");
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!s || *s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = (unsigned long)v;
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct gen g;
	struct counts counts;
	char err[1024];
	char *dir;
	int have_n = 0, rc;

	memset(&o, 0, sizeof(o));
	memset(&g, 0, sizeof(g));
	memset(&counts, 0, sizeof(counts));
	o.format = F_JSONL;
	o.header = 1;
	o.seed = 1;
	o.from = 2015;
	o.to = 2025;
	o.para_min = 3;
	o.para_max = 12;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned long x;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--names")) {
			for (size_t k = 0; k < sizeof(people) / sizeof(people[0]); k++)
				printf("%s\n", people[k]);
			return 0;
		} else if (!strcmp(a, "--gzip")) {
			o.gzip = 1;
		} else if (!strcmp(a, "--no-header")) {
			o.header = 0;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			o.quiet = 1;
		} else if (!strcmp(a, "--format") && v) {
			i++;
			if (!strcmp(v, "jsonl"))
				o.format = F_JSONL;
			else if (!strcmp(v, "text"))
				o.format = F_TEXT;
			else if (!strcmp(v, "sgml"))
				o.format = F_SGML;
			else if (!strcmp(v, "newsml"))
				o.format = F_NEWSML;
			else {
				fprintf(stderr, "wire-gen: unknown format '%s' (jsonl, text, sgml, newsml)\n", v);
				return 2;
			}
		} else if (!strcmp(a, "--seed") && v) {
			char *end;

			i++;
			errno = 0;
			o.seed = strtoull(v, &end, 10);
			if (errno || *end || *v < '0' || *v > '9') {
				fprintf(stderr, "wire-gen: --seed wants a number, not '%s'\n", v);
				return 2;
			}
		} else if ((!strcmp(a, "--per-file") || !strcmp(a, "-n")) && v) {
			i++;
			if (parse_ulong(v, 4000000000ul, &x) || !x) {
				fprintf(stderr, "wire-gen: %s wants a number from 1, not '%s'\n", a, v);
				return 2;
			}
			if (a[1] == 'n') {
				o.n = x;
				have_n = 1;
			} else {
				o.per_file = x;
			}
		} else if ((!strcmp(a, "--from") || !strcmp(a, "--to")) && v) {
			i++;
			if (parse_ulong(v, 9998, &x) || x < 1970) {
				fprintf(stderr, "wire-gen: %s wants a year from 1970, not '%s'\n", a, v);
				return 2;
			}
			if (a[2] == 'f')
				o.from = (int)x;
			else
				o.to = (int)x;
		} else if (!strcmp(a, "--paragraphs") && v) {
			unsigned lo, hi;
			char junk;

			i++;
			if (sscanf(v, "%u-%u%c", &lo, &hi, &junk) != 2 || lo < 1 || hi < lo ||
			    hi > MAX_PARAS - 2) {
				fprintf(stderr, "wire-gen: --paragraphs wants A-B, 1 <= A <= B <= %d, not '%s'\n",
					MAX_PARAS - 2, v);
				return 2;
			}
			o.para_min = lo;
			o.para_max = hi;
		} else if (!strcmp(a, "-o") && v) {
			o.out = argv[++i];
		} else if (!strcmp(a, "--words") && v) {
			o.words = argv[++i];
		} else {
			fprintf(stderr, "wire-gen: unknown option or missing value '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (!have_n || !o.out || !*o.out) {
		fprintf(stderr, "wire-gen: -n N and -o OUT are required\n");
		usage(stderr);
		return 2;
	}
	if (o.from > o.to) {
		fprintf(stderr, "wire-gen: --from %d is after --to %d\n", o.from, o.to);
		return 2;
	}
	if (!(dir = wordlist_dir(o.words))) {
		fprintf(stderr, "wire-gen: out of memory\n");
		return 1;
	}
	for (int l = 0; l < N_LANGS; l++) {
		strbuf p = STRBUF_INIT, z = STRBUF_INIT;
		double s = 1;

		rc = strbuf_addf(&z, "%s/zipf.tsv", dir) ||
		     strbuf_addf(&p, "%s/words-%s.tsv", dir, lang_code[l]);
		if (rc)
			snprintf(err, sizeof(err), "out of memory");
		rc = rc || zipf_exponent(z.buf, lang_code[l], &s, err, sizeof(err)) ||
		     vocab_load(&g.vocab[l], p.buf, s, err, sizeof(err));
		strbuf_release(&p);
		strbuf_release(&z);
		if (rc) {
			fprintf(stderr, "wire-gen: %s (--words DIR names the word lists)\n", err);
			free(dir);
			return 1;
		}
	}
	free(dir);
	rc = run(&o, &g, &counts);
	for (int l = 0; l < N_LANGS; l++)
		vocab_release(&g.vocab[l]);
	if (!o.quiet)
		fprintf(stderr,
			"wire-gen: %lu dispatches, %lu stories (%lu in 2 versions, %lu in 3, "
			"%lu withdrawn, %lu in Spanish), %lu files, %llu bytes of text "
			"(headline+body), %llu bytes written\n",
			counts.docs, counts.stories, counts.two, counts.three, counts.killed,
			counts.spanish, counts.files, (unsigned long long)counts.text_bytes,
			(unsigned long long)counts.out_bytes);
	return rc ? 1 : 0;
}
