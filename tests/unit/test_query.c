/*
 * test_query.c - the query language: a table of queries and their parsed
 * form (query_describe()) or error, then the Xapian side on a small
 * database built here as the indexer would build it: matches, ranking,
 * stemming, synonyms, wildcards, filters, highlights, spelling
 * suggestions; the synonym file loader; allocation failures.
 *
 * A table row gives a query, option flags (F_*), and what to expect:
 *   "AND(WORD(a) WORD(b))"  query_describe() exactly
 *   "~WORD(w0)"             query_describe() contains the rest
 *   "!too short"            query_parse() fails, the message contains
 *                           the rest
 * A row with F_GEN names a generated query (gen_query()): long or deeply
 * nested inputs.  Every row is run with opts.now fixed at
 * 2025-04-19 12:00:00 UTC.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "alloc.h"
#include "query.h"
#include "schema.h"
#include "strbuf.h"
#include "text.h"
#include "xap.h"

/* 2025-04-19 12:00:00 UTC */
#define NOW 1745064000

enum {
	F_OR = 1 << 0,      /* default_or */
	F_SYN = 1 << 1,     /* the test synonym table */
	F_BIG = 1 << 2,     /* max_length 1 MB */
	F_TERMS5 = 1 << 3,  /* max_terms 5 */
	F_DEPTH1 = 1 << 4,  /* max_depth 1 */
	F_GEN = 1 << 5      /* the query names a generated one (gen_query()) */
};

struct row {
	const char *query;
	unsigned flags;
	const char *expect;
};

static const struct row rows[] = {
	/* words, AND, OR */
	{ "pakistan", 0, "WORD(pakistan)" },
	{ "Pakistan Durand", 0, "AND(WORD(pakistan) WORD(durand))" },
	{ "pakistan \"durand line\" agency:EFE", 0,
	  "AND(WORD(pakistan) PHRASE(durand line) FILTER(agency:efe))" },
	{ "a b", F_OR, "OR(WORD(a) WORD(b))" },
	{ "a OR b", 0, "OR(WORD(a) WORD(b))" },
	{ "a AND b", F_OR, "AND(WORD(a) WORD(b))" },
	{ "a b OR c", 0, "OR(AND(WORD(a) WORD(b)) WORD(c))" },
	{ "a OR b c", 0, "OR(WORD(a) AND(WORD(b) WORD(c)))" },
	{ "a AND b c", F_OR, "OR(AND(WORD(a) WORD(b)) WORD(c))" },
	{ "(a OR b) c", 0, "AND(OR(WORD(a) WORD(b)) WORD(c))" },
	{ "a (b c) d", 0, "AND(WORD(a) WORD(b) WORD(c) WORD(d))" },
	{ "a OR (b OR c)", 0, "OR(WORD(a) WORD(b) WORD(c))" },
	{ "and or not", 0, "AND(WORD(and) WORD(or) WORD(not))" },
	{ "Not Or", 0, "AND(WORD(not) WORD(or))" },
	/* negation, + */
	{ "NOT x", 0, "NOT(WORD(x))" },
	{ "-x", 0, "NOT(WORD(x))" },
	{ "a -b", 0, "AND_NOT(WORD(a) WORD(b))" },
	{ "a NOT b", 0, "AND_NOT(WORD(a) WORD(b))" },
	{ "a AND NOT b", 0, "AND_NOT(WORD(a) WORD(b))" },
	{ "a -b -c", 0, "AND_NOT(WORD(a) WORD(b) WORD(c))" },
	{ "-a -b", 0, "NOT(WORD(a) WORD(b))" },
	{ "-(a b) c", 0, "AND_NOT(WORD(c) AND(WORD(a) WORD(b)))" },
	{ "-\"durand line\" kabul", 0,
	  "AND_NOT(WORD(kabul) PHRASE(durand line))" },
	{ "NOT NOT a", 0, "WORD(a)" },
	{ "a OR -b", 0, "OR(WORD(a) NOT(WORD(b)))" },
	{ "a b -c", F_OR, "AND_NOT(OR(WORD(a) WORD(b)) WORD(c))" },
	{ "a +b", 0, "AND(WORD(a) WORD(b))" },
	{ "a +b c", F_OR, "AND_MAYBE(WORD(b) OR(WORD(a) WORD(c)))" },
	{ "+a +b c", F_OR, "AND_MAYBE(AND(WORD(a) WORD(b)) WORD(c))" },
	{ "+a", F_OR, "WORD(a)" },
	/* NEAR, ADJ */
	{ "a NEAR/5 b", 0, "NEAR/5(WORD(a) WORD(b))" },
	{ "a NEAR b", 0, "NEAR/10(WORD(a) WORD(b))" },
	{ "a ADJ/2 b", 0, "ADJ/2(WORD(a) WORD(b))" },
	{ "a ADJ b", 0, "ADJ/10(WORD(a) WORD(b))" },
	{ "a NEAR b NEAR c", 0, "NEAR/10(WORD(a) WORD(b) WORD(c))" },
	{ "a NEAR/3 b NEAR/5 c", 0, "NEAR/5(WORD(a) WORD(b) WORD(c))" },
	{ "\"durand line\" NEAR/3 kabul", 0,
	  "NEAR/3(PHRASE(durand line) WORD(kabul))" },
	{ "(a OR b) NEAR c", 0, "NEAR/10(OR(WORD(a) WORD(b)) WORD(c))" },
	{ "headline:a NEAR b", 0, "NEAR/10(FIELD(headline WORD(a)) WORD(b))" },
	{ "deport* NEAR kabul", 0, "NEAR/10(WILDCARD(deport) WORD(kabul))" },
	{ "a NEAR -b", 0, "AND_NOT(WORD(a) WORD(b))" },
	{ "a NEAR agency:efe", 0, "AND(WORD(a) FILTER(agency:efe))" },
	{ "(a b) NEAR c", 0, "AND(WORD(a) WORD(b) WORD(c))" },
	{ "a NEAR/0 b", 0, "NEAR/1(WORD(a) WORD(b))" },
	{ "x NEAR", 0, "WORD(x)" },
	{ "NEAR x", 0, "WORD(x)" },
	{ "NEAR/3", 0, "EMPTY" },
	{ "a near b", 0, "AND(WORD(a) WORD(near) WORD(b))" },
	{ "a NEAR/x b", 0, "AND(WORD(a) PHRASE(near x) WORD(b))" },
	/* wildcards */
	{ "deport*", 0, "WILDCARD(deport)" },
	{ "Deport**", 0, "WILDCARD(deport)" },
	{ "a*", 0, "!wildcard 'a*' is too short (at least 2 letters)" },
	{ "kabul Ü*", 0, "!wildcard 'Ü*' is too short" },
	{ "headline:deport*", 0, "FIELD(headline WILDCARD(deport))" },
	{ "e-mail*", 0, "WILDCARD(email)" },
	{ "US*", 0, "WILDCARD(us)" },
	{ "*", 0, "EMPTY" },
	{ "*port", 0, "WORD(port)" },
	/* fields */
	{ "headline:kabul", 0, "FIELD(headline WORD(kabul))" },
	{ "HEADLINE:Kabul", 0, "FIELD(headline WORD(kabul))" },
	{ "headline:\"durand line\"", 0, "FIELD(headline PHRASE(durand line))" },
	{ "headline:(a OR b) c", 0,
	  "AND(FIELD(headline OR(WORD(a) WORD(b))) WORD(c))" },
	{ "body:a dateline:kabul byline:smith slugline:afghan", 0,
	  "AND(FIELD(body WORD(a)) FIELD(dateline WORD(kabul)) "
	  "FIELD(byline WORD(smith)) FIELD(slugline WORD(afghan)))" },
	{ "headline:Tehreek-e-Taliban", 0,
	  "FIELD(headline HYPHEN(tehreek e taliban|tehreeketaliban))" },
	{ "headline:-x", 0, "FIELD(headline WORD(x))" },
	{ "headline:AND", 0, "FIELD(headline WORD(^and))" },
	{ "headline: x", 0, "AND(WORD(headline) WORD(x))" },
	{ "headline:", 0, "WORD(headline)" },
	{ "lang:~a", 0, "!unknown language '~a' in 'lang:~a'" },
	{ "lang:a~", 0, "!unknown language 'a~' in 'lang:a~'" },
	{ "agency:\"\nEFE\t\"", 0, "FILTER(agency:efe)" },
	{ "agency:a agency:b agency:c agency:d agency:e agency:f", F_TERMS5,
	  "!query has more than 5 terms" },
	{ "a AND (b", 0, "AND(WORD(a) WORD(b))" },
	{ "a) b", 0, "AND(WORD(a) WORD(b))" },
	{ "\"a\" NEAR", 0, "PHRASE(a)" },
	{ "NEAR a", 0, "WORD(a)" },
	{ "a NEAR", 0, "WORD(a)" },
	{ "-(a b)", 0, "NOT(AND(WORD(a) WORD(b)))" },
	{ "a -(b)", 0, "AND_NOT(WORD(a) WORD(b))" },
	{ "(-a)", 0, "NOT(WORD(a))" },
	{ "a NOT", 0, "WORD(a)" },
	{ "+(a b) c", 0, "AND(WORD(a) WORD(b) WORD(c))" },
	{ "headline:(-a)", 0, "FIELD(headline NOT(WORD(a)))" },
	{ "headline:(a OR -b)", 0, "FIELD(headline OR(WORD(a) NOT(WORD(b))))" },
	{ "-a OR b", 0, "OR(NOT(WORD(a)) WORD(b))" },
	{ "(a OR b) -c", 0, "AND_NOT(OR(WORD(a) WORD(b)) WORD(c))" },
	{ "\"a\" \"\"", 0, "PHRASE(a)" },
	{ "headline:\"\"", 0, "EMPTY" },
	{ "date:2025..2024", 0, "!date range '2025..2024' in 'date:2025..2024' ends before it starts" },
	{ "agency:EFE -agency:AP", 0, "AND_NOT(FILTER(agency:efe) FILTER(agency:ap))" },
	{ "-agency:EFE -date:2025", 0,
	  "NOT(FILTER(agency:efe) FILTER(DATE(20250101000000..20251231235959)))" },
	{ "a ADJ/2", 0, "WORD(a)" },
	{ "(a NEAR b) NEAR c", 0, "NEAR/10(WORD(a) WORD(b) WORD(c))" },
	{ "(a AND b) NEAR c", 0, "AND(WORD(a) WORD(b) WORD(c))" },
	{ "-a NEAR b", 0, "AND_NOT(WORD(b) WORD(a))" },
	{ "agency:EFE NEAR a", 0, "AND(WORD(a) FILTER(agency:efe))" },
	{ "headline:a NEAR headline:b", 0,
	  "NEAR/10(FIELD(headline WORD(a)) FIELD(headline WORD(b)))" },
	{ "foo:bar", 0, "PHRASE(foo bar)" },
	{ "http://example.com", 0, "PHRASE(http example com)" },
	/* filters */
	{ "agency:EFE", 0, "FILTER(agency:efe)" },
	{ "AGENCY:efe", 0, "FILTER(agency:efe)" },
	{ "agency:EFE agency:AFP", 0, "FILTER(agency:efe agency:afp)" },
	{ "kabul agency:EFE lang:es agency:AFP", 0,
	  "AND(WORD(kabul) FILTER(agency:efe agency:afp lang:es))" },
	{ "place:\"Buenos Aires\"", 0, "FILTER(place:\"buenos aires\")" },
	{ "place:“Buenos Aires” kabul", 0,
	  "AND(WORD(kabul) FILTER(place:\"buenos aires\"))" },
	{ "place:\"Buenos Aires", 0, "FILTER(place:\"buenos aires\")" },
	{ "place:\"\" x", 0, "WORD(x)" },
	{ "located:Bogotá", 0, "FILTER(located:bogota)" },
	{ "(agency:EFE)", 0, "FILTER(agency:efe)" },
	{ "lang:EN", 0, "FILTER(lang:en)" },
	{ "lang:english", 0, "FILTER(lang:en)" },
	{ "lang:Español", 0, "FILTER(lang:es)" },
	{ "language:spanish", 0, "FILTER(lang:es)" },
	{ "lang:klingon", 0, "!unknown language 'klingon' in 'lang:klingon'" },
	{ "topic:Elections", 0, "FILTER(topic:elections)" },
	{ "id:AFP-2025-0419", 0, "FILTER(id:AFP-2025-0419)" },
	{ "urgency:1", 0, "FILTER(urgency:1)" },
	{ "urgency:0", 0, "!urgency must be a digit from 1 to 9 in 'urgency:0'" },
	{ "urgency:10", 0, "!in 'urgency:10'" },
	{ "place:" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0,
	  "!value too long in 'place:aaaa" },
	{ "-agency:EFE", 0, "NOT(FILTER(agency:efe))" },
	{ "pakistan -agency:EFE", 0,
	  "AND_NOT(WORD(pakistan) FILTER(agency:efe))" },
	{ "agency:EFE -lang:en", 0, "AND_NOT(FILTER(agency:efe) FILTER(lang:en))" },
	{ "agency:EFE OR agency:AFP", 0,
	  "OR(FILTER(agency:efe) FILTER(agency:afp))" },
	{ "(a agency:EFE) OR (b agency:AFP)", 0,
	  "OR(AND(WORD(a) FILTER(agency:efe)) AND(WORD(b) FILTER(agency:afp)))" },
	{ "a b agency:EFE", F_OR, "AND(OR(WORD(a) WORD(b)) FILTER(agency:efe))" },
	/* dates */
	{ "date:2025-04-19", 0, "FILTER(DATE(20250419000000..20250419235959))" },
	{ "date:2025-04", 0, "FILTER(DATE(20250401000000..20250430235959))" },
	{ "date:2025", 0, "FILTER(DATE(20250101000000..20251231235959))" },
	{ "date:2024-02", 0, "FILTER(DATE(20240201000000..20240229235959))" },
	{ "date:2024-02-29", 0, "FILTER(DATE(20240229000000..20240229235959))" },
	{ "date:2025-04-01..2025-04-30", 0,
	  "FILTER(DATE(20250401000000..20250430235959))" },
	{ "date:2025-03..2025-04", 0,
	  "FILTER(DATE(20250301000000..20250430235959))" },
	{ "date:..1987-03-01", 0, "FILTER(DATE(..19870301235959))" },
	{ "date:2025-01-01..", 0, "FILTER(DATE(20250101000000..))" },
	{ "date:today", 0, "FILTER(DATE(20250419000000..20250419235959))" },
	{ "date:Yesterday", 0, "FILTER(DATE(20250418000000..20250418235959))" },
	{ "date:7d", 0, "FILTER(DATE(20250413000000..20250419235959))" },
	{ "date:1d", 0, "FILTER(DATE(20250419000000..20250419235959))" },
	{ "date:2w", 0, "FILTER(DATE(20250406000000..20250419235959))" },
	{ "date:3m", 0, "FILTER(DATE(20250119000000..20250419235959))" },
	{ "date:1y", 0, "FILTER(DATE(20240419000000..20250419235959))" },
	{ "date:yesterday..today", 0,
	  "FILTER(DATE(20250418000000..20250419235959))" },
	{ "date:2025-02-30", 0,
	  "!impossible date '2025-02-30' in 'date:2025-02-30'" },
	{ "date:2023-02-29", 0, "!impossible date '2023-02-29'" },
	{ "date:2025-13", 0, "!impossible date '2025-13' in 'date:2025-13'" },
	{ "date:2025-04-01..2025-02-30", 0,
	  "!impossible date '2025-02-30' in 'date:2025-04-01..2025-02-30'" },
	{ "date:2025-05-01..2025-04-01", 0,
	  "!date range '2025-05-01..2025-04-01' in 'date:2025-05-01..2025-04-01' "
	  "ends before it starts" },
	{ "date:April", 0, "!invalid date 'April' in 'date:April'" },
	{ "date:..", 0, "!invalid date '..'" },
	{ "date:0d", 0, "!date '0d'" },
	{ "kabul date:2025-04 agency:EFE", 0,
	  "AND(WORD(kabul) FILTER(DATE(20250401000000..20250430235959) "
	  "agency:efe))" },
	{ "date:2025 date:2024", 0,
	  "FILTER(DATE(20250101000000..20251231235959) "
	  "DATE(20240101000000..20241231235959))" },
	{ "date: 2025", 0, "AND(WORD(date) WORD(2025))" },
	/* white space, quotes and operators at the edges of the lexer */
	{ "a\x0b" "b\xe2\x80\x83" "c\xe2\x80\xaf" "d\xe2\x81\x9f" "e\xe3\x80\x80" "f", 0,
	  "AND(WORD(a) WORD(b) WORD(c) WORD(d) WORD(e) WORD(f))" },
	{ "a\xe2\x80\x90" "b\xe2\x81\xa0" "c\xe3\x80\x81" "d\xe2\x80\x8c" "e", 0,
	  "PHRASE(a bc de)" },
	{ "\xe2\x80\x9e" "a b\xe2\x80\x9c c", 0, "AND(PHRASE(a b) WORD(c))" },
	{ "a NEAR/ b", 0, "AND(WORD(a) WORD(near) WORD(b))" },
	{ "a ADJ/ b", 0, "AND(WORD(a) WORD(adj) WORD(b))" },
	{ "a NEARx b", 0, "AND(WORD(a) WORD(nearx) WORD(b))" },
	{ "a NEAR/99999 b", 0, "NEAR/10000(WORD(a) WORD(b))" },
	{ "h1:x", 0, "PHRASE(h1 x)" },
	{ "headline:)", 0, "WORD(headline)" },
	{ "agency:efe)", 0, "FILTER(agency:efe)" },
	{ "-)", 0, "EMPTY" },
	{ "+-x", 0, "WORD(x)" },
	{ "-+x", 0, "WORD(x)" },
	{ "kabul/islam*", 0, "PHRASE(kabul islam)" },
	/* filter values */
	{ "place:\"  Kabul  \"", 0, "FILTER(place:kabul)" },
	{ "place:\"o'neil (jr)\"", 0, "FILTER(place:\"oneil jr\")" },
	{ "id:a\\b", 0, "FILTER(id:\"a\\\\b\")" },
	{ "id:a\"b", 0, "FILTER(id:\"a\\\"b\")" },
	{ "lang:e1", 0, "!unknown language 'e1' in 'lang:e1'" },
	{ "lang:1e", 0, "!unknown language '1e' in 'lang:1e'" },
	{ "lang:eng", 0, "!unknown language 'eng' in 'lang:eng'" },
	{ "lang:\"\" x", 0, "WORD(x)" },
	{ "id:\"\" x", 0, "WORD(x)" },
	{ "urgency:a", 0, "!urgency must be a digit from 1 to 9 in 'urgency:a'" },
	{ "urgency:12", 0, "!urgency must be a digit from 1 to 9 in 'urgency:12'" },
	/* error messages show the query safely: bad UTF-8 and controls as
	 * '?', well-formed sequences of every length as they are */
	{ "lang:\xc3\xa9\x01\x7f\xe0\x80\x80\xed\xa0\x80\xf0\x80\x80\x80"
	  "\xf4\x90\x80\x80\xf0\x9f\x98\x80\xe6\x97\xa5\xc3", 0,
	  "!unknown language '\xc3\xa9????????????????\xf0\x9f\x98\x80\xe6\x97\xa5?' "
	  "in 'lang:\xc3\xa9????????????????\xf0\x9f\x98\x80\xe6\x97\xa5?'" },
	{ "urgency:\xe2\x82\xac\xed\x9f\xbf\xf4\x8f\xbf\xbf\xf1\x80\x80\x80\xc3", 0,
	  "!urgency must be a digit from 1 to 9 in 'urgency:\xe2\x82\xac\xed\x9f\xbf"
	  "\xf4\x8f\xbf\xbf\xf1\x80\x80\x80?'" },
	{ "lang:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0,
	  "!unknown language 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' "
	  "in 'lang:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'" },
	/* NEAR with operands that vanish or have no positions */
	{ "(headline:a OR b) NEAR c", 0,
	  "NEAR/10(OR(FIELD(headline WORD(a)) WORD(b)) WORD(c))" },
	{ "(a OR \"b c\") NEAR d", 0, "AND(OR(WORD(a) PHRASE(b c)) WORD(d))" },
	{ "\"\" NEAR a", 0, "WORD(a)" },
	{ "a NEAR \"\"", 0, "WORD(a)" },
	{ "a NEAR b NEAR agency:efe", 0,
	  "AND(NEAR/10(WORD(a) WORD(b)) FILTER(agency:efe))" },
	/* required words, double negations */
	{ "a AND +b", 0, "AND(WORD(a) WORD(b))" },
	{ "-(-a) b", 0, "AND(WORD(a) WORD(b))" },
	{ "-(-a)", 0, "WORD(a)" },
	{ "a AND (+b +c)", F_OR, "AND(WORD(a) WORD(b) WORD(c))" },
	{ "a AND (+b agency:efe)", F_OR,
	  "AND(WORD(a) AND(WORD(b) FILTER(agency:efe)))" },
	{ "+a +b", F_OR, "AND(WORD(a) WORD(b))" },
	{ "-a -b", F_OR, "NOT(WORD(a) WORD(b))" },
	{ "a -agency:efe -lang:en", 0,
	  "AND_NOT(WORD(a) FILTER(agency:efe) FILTER(lang:en))" },
	/* dates that are not dates */
	{ "date:yesterdax", 0, "!invalid date 'yesterdax' in 'date:yesterdax'" },
	{ "date:abcd", 0, "!invalid date 'abcd'" },
	{ "date:2025x04", 0, "!invalid date '2025x04'" },
	{ "date:2025-0x", 0, "!invalid date '2025-0x'" },
	{ "date:2025-04x19", 0, "!invalid date '2025-04x19'" },
	{ "date:2025-04-1x", 0, "!invalid date '2025-04-1x'" },
	{ "date:0000", 0, "!impossible date '0000' in 'date:0000'" },
	{ "date:2025-00", 0, "!impossible date '2025-00'" },
	{ "date:2025-04-00", 0, "!impossible date '2025-04-00'" },
	{ "date:d", 0, "!invalid date 'd' in 'date:d'" },
	{ "date:12345678d", 0, "!invalid date '12345678d'" },
	{ "date:5x", 0, "!invalid date '5x'" },
	{ "date:xd", 0, "!invalid date 'xd'" },
	{ "date:9999y", 0, "!impossible date '9999y' in 'date:9999y'" },
	{ "date:11111111111111111111111111111111111111111111111111", 0,
	  "!invalid date '11111111111111111111111111111111111111111111111111'" },
	{ "date:2025.04", 0, "!invalid date '2025.04'" },
	{ "date:2025-02-30..2025-03-01", 0,
	  "!impossible date '2025-02-30' in 'date:2025-02-30..2025-03-01'" },
	{ "date:2000-02..2100-02", 0,
	  "FILTER(DATE(20000201000000..21000228235959))" },
	{ "date:1900-02-29", 0, "!impossible date '1900-02-29'" },
	/* ordinary wire text */
	{ "U.S.", 0, "WORD(^us)" },
	{ "US", 0, "WORD(^us)" },
	{ "us", 0, "WORD(us)" },
	{ "WHO", 0, "WORD(^who)" },
	{ "84,000", 0, "WORD(84000)" },
	{ "3.5%", 0, "WORD(3.5)" },
	{ "Pakistan's", 0, "WORD(pakistan)" },
	{ "Pakistan’s army", 0, "AND(WORD(pakistan) WORD(army))" },
	{ "Kabul/Islamabad", 0, "PHRASE(kabul islamabad)" },
	{ "Tehreek-e-Taliban", 0, "HYPHEN(tehreek e taliban|tehreeketaliban)" },
	{ "AT&T", 0, "PHRASE(^at t)" },
	{ "(AFP)", 0, "WORD(afp)" },
	{ "Kabul, Apr 19 (EFE).-", 0,
	  "AND(WORD(kabul) WORD(apr) WORD(19) WORD(efe))" },
	{ "-", 0, "EMPTY" },
	{ "- -", 0, "EMPTY" },
	{ "--foo", 0, "WORD(foo)" },
	{ "a - b", 0, "AND(WORD(a) WORD(b))" },
	{ "-5 degrees", 0, "AND(WORD(5) WORD(degrees))" },
	{ "+34 phone", 0, "AND(WORD(34) WORD(phone))" },
	{ "\"unbalanced", 0, "PHRASE(unbalanced)" },
	{ "\"unbalanced phrase", 0, "PHRASE(unbalanced phrase)" },
	{ "(unbalanced", 0, "WORD(unbalanced)" },
	{ "unbalanced)", 0, "WORD(unbalanced)" },
	{ "(a OR b", 0, "OR(WORD(a) WORD(b))" },
	{ "a) OR b", 0, "OR(WORD(a) WORD(b))" },
	{ "((a)", 0, "WORD(a)" },
	{ "AND", 0, "EMPTY" },
	{ "OR foo", 0, "WORD(foo)" },
	{ "foo AND", 0, "WORD(foo)" },
	{ "foo OR", 0, "WORD(foo)" },
	{ "foo NOT", 0, "WORD(foo)" },
	{ "NOT", 0, "EMPTY" },
	{ "a AND AND b", 0, "AND(WORD(a) WORD(b))" },
	{ "a OR OR b", 0, "OR(WORD(a) WORD(b))" },
	{ "a AND OR b", 0, "OR(WORD(a) WORD(b))" },
	{ "e-mail", 0, "HYPHEN(e mail|email)" },
	{ "12:30", 0, "PHRASE(12 30)" },
	{ "Note: x", 0, "AND(WORD(note) WORD(x))" },
	{ "C++", 0, "WORD(c)" },
	{ "#hashtag", 0, "WORD(hashtag)" },
	{ "@user", 0, "WORD(user)" },
	{ "50%", 0, "WORD(50)" },
	{ "$100", 0, "WORD(100)" },
	{ "Muttaqī", 0, "WORD(muttaqi)" },
	{ "Bogotá", 0, "WORD(bogota)" },
	{ "EE.UU.", 0, "WORD(eeuu)" },
	{ "el presidente Petro visitó Bogotá", 0,
	  "AND(WORD(el) WORD(presidente) WORD(petro) WORD(visito) WORD(bogota))" },
	{ "«elecciones» en España", 0,
	  "AND(WORD(elecciones) WORD(en) WORD(espana))" },
	{ "“curly quotes” too", 0, "AND(PHRASE(curly quotes) WORD(too))" },
	{ "\xF0\x9F\x98\x80", 0, "EMPTY" },
	{ "kabul \xF0\x9F\x98\x80 \xF0\x9F\x87\xA6\xF0\x9F\x87\xAB", 0,
	  "WORD(kabul)" },
	{ "kab\xFFul", 0, "PHRASE(kab ul)" },
	{ "\xFF\xFE \xC0\xAF", 0, "EMPTY" },
	{ "a\xC2\xA0" "b", 0, "AND(WORD(a) WORD(b))" },
	{ "", 0, "EMPTY" },
	{ " \t\n", 0, "EMPTY" },
	{ "()", 0, "EMPTY" },
	{ "\"\"", 0, "EMPTY" },
	{ "a\"b c\"d", 0, "AND(WORD(a) PHRASE(b c) WORD(d))" },
	/* synonyms */
	{ "TTP", F_SYN, "SYN(WORD(ttp) PHRASE(tehreek e taliban pakistan))" },
	{ "ttp attack", F_SYN,
	  "AND(SYN(WORD(ttp) PHRASE(tehreek e taliban pakistan)) WORD(attack))" },
	{ "\"Tehreek-e-Taliban Pakistan\"", F_SYN,
	  "SYN(PHRASE(tehreek e taliban pakistan) WORD(ttp))" },
	{ "US", F_SYN,
	  "SYN(WORD(^us) PHRASE(united states) PHRASE(estados unidos))" },
	{ "U.S.", F_SYN,
	  "SYN(WORD(^us) PHRASE(united states) PHRASE(estados unidos))" },
	{ "us", F_SYN, "WORD(us)" },
	{ "\"United States\"", F_SYN, "SYN(PHRASE(united states) WORD(^us))" },
	{ "\"naciones unidas\"", F_SYN, "SYN(PHRASE(naciones unidas) WORD(^un))" },
	{ "-TTP", F_SYN,
	  "NOT(SYN(WORD(ttp) PHRASE(tehreek e taliban pakistan)))" },
	{ "TTP NEAR kabul", F_SYN, "NEAR/10(WORD(ttp) WORD(kabul))" },
	{ "headline:TTP", F_SYN,
	  "FIELD(headline SYN(WORD(ttp) PHRASE(tehreek e taliban pakistan)))" },
	/* limits */
	{ "@10k", F_GEN, "!query is longer than 4096 bytes" },
	{ "@paren100", F_GEN, "!parentheses nested deeper than 32" },
	{ "@paren32", F_GEN, "WORD(a)" },
	{ "@or2000", F_GEN | F_BIG, "!query has more than 200 terms" },
	{ "@or200", F_GEN | F_BIG, "~OR(WORD(w0) WORD(w1) WORD(w2) " },
	{ "a b c d e f", F_TERMS5, "!query has more than 5 terms" },
	{ "Tehreek-e-Taliban x", F_TERMS5,
	  "AND(HYPHEN(tehreek e taliban|tehreeketaliban) WORD(x))" },
	{ "((a))", F_DEPTH1, "!parentheses nested deeper than 1" },
	{ "headline:(a) (b)", F_DEPTH1, "AND(FIELD(headline WORD(a)) WORD(b))" },	/* bytes that are not UTF-8 (truncated, overlong, surrogates, past
	 * U+10FFFF) and controls are dropped like punctuation */
	{ "a \xc3", 0, "WORD(a)" },
	{ "a \xc3(", 0, "WORD(a)" },
	{ "a \xe0\x80\x80", 0, "WORD(a)" },
	{ "a \xed\xa0\x80", 0, "WORD(a)" },
	{ "a \xe1\x80(", 0, "WORD(a)" },
	{ "a \xf0\x80\x80\x80", 0, "WORD(a)" },
	{ "a \xf4\x90\x80\x80", 0, "WORD(a)" },
	{ "a \xf1\x80\x80(", 0, "WORD(a)" },
	{ "a \xf0\x9f\x98", 0, "WORD(a)" },
	{ "a \xf5", 0, "WORD(a)" },
	{ "a \x01", 0, "WORD(a)" },
	/* Unicode spaces separate words; other symbols in their rows do not */
	{ "a\xc2\xa0" "b", 0, "AND(WORD(a) WORD(b))" },
	{ "a\xe2\x80\x8b" "b", 0, "AND(WORD(a) WORD(b))" },
	{ "a\xe2\x80\xaf" "b", 0, "AND(WORD(a) WORD(b))" },
	{ "a\xe2\x81\x9f" "b", 0, "AND(WORD(a) WORD(b))" },
	{ "a\xe3\x80\x80" "b", 0, "AND(WORD(a) WORD(b))" },
	{ "a\xe2\x80\x8c" "b", 0, "WORD(ab)" },
	{ "a\xe2\x81\x9e" "b", 0, "PHRASE(a b)" },
	{ "a\xe3\x80\x81" "b", 0, "PHRASE(a b)" },
	{ "a\xe3\x81\x80" "b", 0, "PHRASE(a b)" },
	{ "a\xe2\x82\x80" "b", 0, "WORD(a0b)" },
	{ "a\xc2\xa1" "b", 0, "PHRASE(a b)" },
	{ "a\xe2", 0, "WORD(a)" },
	{ "a\xe3\x80", 0, "WORD(a)" },
	/* NEAR distances: clamped, and not a distance at all */
	{ "a NEAR/99999999999 b", 0, "NEAR/10000(WORD(a) WORD(b))" },
	/* not field names */
	{ "a_b:c", 0, "PHRASE(a b c)" },
	{ "a[b:c", 0, "PHRASE(a b c)" },
	{ "agency:EFE)", 0, "FILTER(agency:efe)" },
	/* relative dates */
	{ "date:3w", 0, "FILTER(DATE(20250330000000..20250419235959))" },
	{ "date:2m", 0, "FILTER(DATE(20250219000000..20250419235959))" },
	{ "date:7x", 0, "!invalid date '7x' in 'date:7x'" },
	{ "date:x7d", 0, "!invalid date 'x7d'" },
	{ "date:7xd", 0, "!invalid date '7xd'" },
	{ "date:0d", 0, "!impossible date '0d' in 'date:0d'" },
	{ "date:99999y", 0, "!impossible date '99999y'" },
	/* filter values: spaces around them trimmed, languages by code or
	 * name */
	{ "agency:\"\tEFE\n\"", 0, "FILTER(agency:efe)" },
	{ "agency:\" EFE \"", 0, "FILTER(agency:efe)" },
	{ "lang:1a", 0, "!unknown language '1a' in 'lang:1a'" },
	{ "lang:a1", 0, "!unknown language 'a1' in 'lang:a1'" },
	{ "lang:a\xff", 0, "!unknown language 'a?' in 'lang:a?'" },
	{ "lang:\xc3\xa9s", 0, "FILTER(lang:es)" },
	{ "place:\"\"", 0, "EMPTY" },
	{ "\xef\xbb\xbf" "a", 0, "WORD(a)" },
	{ "a ORb", 0, "AND(WORD(a) WORD(orb))" },
	{ "\"a\"-b", 0, "AND_NOT(PHRASE(a) WORD(b))" },
};

/* --------------------------------------------------------------------
 * Helpers.
 */
static char tmpdir[256];
static char syn_path[300];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static const char test_synonyms[] =
	"# test table\n"
	"TTP = Tehreek-e-Taliban Pakistan\n"
	"US = United States | Estados Unidos\n"
	"\n"
	"UN = United Nations | Naciones Unidas\n";

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/test_query.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(syn_path, sizeof syn_path, "%s/syn.txt", tmpdir);
	write_file(syn_path, test_synonyms);
	return 0;
}

static int teardown_dir(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void options(query_options *o, unsigned flags, const synonyms *syn)
{
	query_options_init(o);
	o->now = NOW;
	o->default_or = !!(flags & F_OR);
	if (flags & F_SYN)
		o->syn = syn;
	if (flags & F_BIG)
		o->max_length = 1 << 20;
	if (flags & F_TERMS5)
		o->max_terms = 5;
	if (flags & F_DEPTH1)
		o->max_depth = 1;
}

/* The generated queries of the table ('@' rows); caller frees. */
static char *gen_query(const char *name)
{
	strbuf sb = STRBUF_INIT;
	int i;

	if (!strcmp(name, "@10k")) {
		while (sb.len < 10240)
			assert_int_equal(strbuf_addstr(&sb, "kabul "), 0);
	} else if (!strncmp(name, "@paren", 6)) {
		int n = atoi(name + 6);

		for (i = 0; i < n; i++)
			assert_int_equal(strbuf_addch(&sb, '('), 0);
		assert_int_equal(strbuf_addch(&sb, 'a'), 0);
		for (i = 0; i < n; i++)
			assert_int_equal(strbuf_addch(&sb, ')'), 0);
	} else if (!strncmp(name, "@or", 3)) {
		int n = atoi(name + 3);

		for (i = 0; i < n; i++)
			assert_int_equal(strbuf_addf(&sb, "%sw%d", i ? " OR " : "", i), 0);
	} else {
		fail_msg("unknown generated query %s", name);
	}
	return strbuf_detach(&sb, NULL);
}

static synonyms *load_test_synonyms(void)
{
	synonyms *syn = NULL;
	char err[256];

	if (synonyms_load(syn_path, &syn, err, sizeof err))
		fail_msg("synonyms_load: %s", err);
	return syn;
}

/* Parse Q and describe it; the description (or "!" and the error),
 * malloc'd. */
static char *parse_describe(const char *q, const query_options *o)
{
	query *pq = NULL;
	strbuf sb = STRBUF_INIT;
	char err[512];

	if (query_parse(q, o, &pq, err, sizeof err)) {
		assert_null(pq);
		assert_true(err[0] != '\0');
		assert_int_equal(strbuf_addf(&sb, "!%s", err), 0);
		return strbuf_detach(&sb, NULL);
	}
	assert_non_null(pq);
	assert_int_equal(query_describe(pq, &sb), 0);
	assert_true(text_is_utf8(sb.buf, sb.len));
	query_free(pq);
	return strbuf_detach(&sb, NULL);
}

/* --------------------------------------------------------------------
 * The table.
 */
static void test_table(void **state)
{
	synonyms *syn = load_test_synonyms();
	size_t bad = 0;

	(void)state;
	assert_true(sizeof rows / sizeof rows[0] >= 90);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *r = &rows[i];
		char *gen = r->flags & F_GEN ? gen_query(r->query) : NULL;
		const char *q = gen ? gen : r->query;
		query_options o;
		char *got;
		int ok;

		options(&o, r->flags, syn);
		got = parse_describe(q, &o);
		if (r->expect[0] == '!')
			ok = got[0] == '!' && strstr(got + 1, r->expect + 1);
		else if (r->expect[0] == '~')
			ok = got[0] != '!' && strstr(got, r->expect + 1);
		else
			ok = !strcmp(got, r->expect);
		if (!ok) {
			print_error("row %zu: query '%s' (flags %u)\n"
				    "   expected: %s\n   got:      %s\n",
				    i, r->query, r->flags, r->expect, got);
			bad++;
		}
		free(got);
		free(gen);
	}
	synonyms_free(syn);
	assert_int_equal(bad, 0);
}

/* query_to_xapian() without a database: exact forms only, and every row
 * that parses builds. */
static void test_to_xapian_no_db(void **state)
{
	static const struct {
		const char *q;
		const char *want;  /* in xap_query_describe() */
	} cases[] = {
		{ "kabul", "(kabul OR 2 * Skabul OR XDkabul)" },
		{ "\"durand line\"", "(durand PHRASE 2 line)" },
		{ "headline:\"durand line\"", "(Sdurand PHRASE 2 Sline)" },
		{ "a NEAR/3 b", "(a NEAR 4 b)" },
		{ "a ADJ/2 b", "(a PHRASE 3 b)" },
		{ "\"a b\" NEAR/3 c", "(a NEAR 5 b NEAR 5 c)" },
		{ "e-mail", "((e PHRASE 2 mail) OR email)" },
		{ "deport*", "WILDCARD SYNONYM deport" },
		{ "deport*", "WILDCARD SYNONYM Sdeport" },
		{ "pakistan agency:EFE", "FILTER XAefe" },
		{ "agency:EFE agency:AFP lang:es",
		  "FILTER (XAefe OR XAafp) FILTER Les" },
		{ "pakistan -agency:EFE", "AND_NOT XAefe" },
		{ "-kabul", "<alldocuments> AND_NOT" },
		{ "place:\"Buenos Aires\"", "XPbuenos aires" },
		/* whole days: the year, month and day terms covering them */
		{ "date:2025-04", "FILTER M202504)" },
		{ "date:2025", "FILTER Y2025)" },
		{ "date:2024-02-28..2024-03-01",
		  "FILTER (D20240228 OR D20240229 OR D20240301))" },
		{ "date:2024-12-30..2026-01-02",
		  "FILTER (D20241230 OR D20241231 OR Y2025 OR D20260101 OR "
		  "D20260102))" },
		{ "date:2025-01-31..2025-03",
		  "FILTER (D20250131 OR M202502 OR M202503))" },
		/* more than 400 terms, or an open end: the date value */
		{ "date:1000..2100", "VALUE_RANGE 0 10000101000000 21001231235959" },
		{ "date:..1987-03-01", "VALUE_LE 0 19870301235959" },
		{ "date:2025-01-01..", "VALUE_GE 0 20250101000000" },
		{ "id:abc", "Gabc" },
		{ "urgency:2", "XU2" },
		{ "a +b c", "AND_MAYBE" },
		{ "US", "^us" },
		/* without a database a wildcard in NEAR matches nothing */
		{ "deport* NEAR kabul", "Query()" },
	};
	query_options o;

	(void)state;
	options(&o, 0, NULL);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		query *q;
		xap_query *x;
		char err[256], *d;

		o.default_or = !strcmp(cases[i].q, "a +b c");
		assert_int_equal(query_parse(cases[i].q, &o, &q, err, sizeof err), 0);
		assert_int_equal(query_to_xapian(q, NULL, &o, &x, err, sizeof err), 0);
		assert_int_equal(xap_query_describe(x, &d), XAP_OK);
		if (!strstr(d, cases[i].want))
			fail_msg("'%s': '%s' not in %s", cases[i].q, cases[i].want, d);
		free(d);
		xap_query_free(x);
		query_free(q);
	}
	/* An empty query matches nothing. */
	{
		query *q;
		xap_query *x;
		char err[256];

		assert_int_equal(query_parse("  ", &o, &q, err, sizeof err), 0);
		assert_true(query_is_empty(q));
		assert_int_equal(query_to_xapian(q, NULL, &o, &x, err, sizeof err), 0);
		assert_true(xap_query_is_empty(x));
		xap_query_free(x);
		query_free(q);
		assert_int_equal(query_parse("agency:efe", &o, &q, err, sizeof err), 0);
		assert_false(query_is_empty(q));
		query_free(q);
	}
}


/* --------------------------------------------------------------------
 * Edges of the public calls: NULL arguments, default options, relative
 * dates near the ends of the calendar, query_ranks().
 */
static char *describe_now(const char *text, int64_t now)
{
	query_options o;

	options(&o, 0, NULL);
	o.now = now;
	return parse_describe(text, &o);
}

static void expect_now(const char *text, int64_t now, const char *want)
{
	char *got = describe_now(text, now);

	if (strcmp(got, want))
		fail_msg("'%s' at %lld: expected %s, got %s", text, (long long)now,
			 want, got);
	free(got);
}

static int ranks(const char *text, unsigned flags)
{
	query_options o;
	query *q;
	char err[256];
	int r;

	options(&o, flags, NULL);
	assert_int_equal(query_parse(text, &o, &q, err, sizeof err), 0);
	r = query_ranks(q);
	query_free(q);
	return r;
}

static void test_api_edges(void **state)
{
	query_options o;
	query *q = (query *)&q;
	strbuf sb = STRBUF_INIT;
	query_highlight h;
	xap_query *x = NULL;
	char err[256], *s = (char *)&s;

	(void)state;
	/* 2025-03-31: a month back is 28 February (clamped). */
	expect_now("date:1m", 1743379200,
		   "FILTER(DATE(20250228000000..20250331235959))");
	/* Before 1970 and before year 1; after 9999. */
	expect_now("date:today", -86400,
		   "FILTER(DATE(19691231000000..19691231235959))");
	expect_now("date:yesterday", -86400 * 366,
		   "FILTER(DATE(19681230000000..19681230235959))");
	expect_now("date:7d", -62200000000LL, "!impossible date '7d' in 'date:7d'");
	expect_now("date:today", 253402300800LL,
		   "!impossible date 'today' in 'date:today'");
	expect_now("date:1d", 253402300800LL, "!impossible date '1d' in 'date:1d'");

	/* No options: the defaults; no text: empty; no room for a message. */
	assert_int_equal(query_parse("kabul agency:EFE", NULL, &q, err, sizeof err), 0);
	assert_int_equal(query_describe(q, &sb), 0);
	assert_string_equal(sb.buf, "AND(WORD(kabul) FILTER(agency:efe))");
	strbuf_reset(&sb);
	assert_true(query_ranks(q));
	/* query_to_xapian() without options or database: exact forms. */
	assert_int_equal(query_to_xapian(q, NULL, NULL, &x, NULL, 0), 0);
	assert_non_null(x);
	xap_query_free(x);
	query_free(q);
	assert_int_equal(query_parse(NULL, NULL, &q, NULL, 0), 0);
	assert_true(query_is_empty(q));
	assert_false(query_ranks(q));
	query_free(q);
	assert_int_equal(query_parse("date:2025-02-30", NULL, &q, NULL, 0), -1);
	assert_null(q);
	err[0] = 'x';
	assert_int_equal(query_parse("date:2025-02-30", NULL, &q, err, 0), -1);
	assert_int_equal(err[0], 'x');
	/* A huge max_depth is capped, not trusted. */
	options(&o, 0, NULL);
	o.max_depth = 1u << 30;
	o.max_length = 1 << 20;
	{
		char *deep = gen_query("@paren1001");

		assert_int_equal(query_parse(deep, &o, &q, err, sizeof err), -1);
		assert_string_equal(err, "parentheses nested deeper than 1000");
		free(deep);
	}
	/* NULL queries. */
	assert_true(query_is_empty(NULL));
	assert_false(query_ranks(NULL));
	assert_int_equal(query_describe(NULL, &sb), 0);
	assert_string_equal(sb.buf, "EMPTY");
	strbuf_release(&sb);
	assert_int_equal(query_highlights(NULL, &h), 0);
	assert_int_equal(h.n_terms + h.n_phrases, 0);
	assert_int_equal(query_suggest(NULL, NULL, &s), 0);
	assert_null(s);
	assert_int_equal(query_to_xapian(NULL, NULL, &o, &x, err, sizeof err), 0);
	assert_true(xap_query_is_empty(x));
	xap_query_free(x);
	query_free(NULL);

	/* Only words outside negations and filters rank. */
	assert_true(ranks("kabul", 0));
	assert_true(ranks("a -b", 0));
	assert_true(ranks("a OR -b", 0));
	assert_true(ranks("headline:a agency:efe", 0));
	assert_true(ranks("a NEAR b", 0));
	assert_false(ranks("agency:efe date:2025", 0));
	assert_false(ranks("-a", 0));
	assert_false(ranks("-a -b", 0));
	assert_false(ranks("agency:efe -kabul", 0));
	assert_false(ranks("agency:efe OR lang:es", 0));
	assert_false(ranks("", 0));
}

/* The arena hands out 8 KB blocks: pad the query with white space (which
 * the arena copies first) so that a new block is needed at every point of
 * the parse in turn, and fail each allocation there.  Every run gives -1
 * and "out of memory", or the same tree as without failures. */
static void test_alloc_failures_arena(void **state)
{
	synonyms *syn = load_test_synonyms();
	static const char *const rich[] = {
		"pakistan \"durand line\" agency:EFE -kabul date:2025-04",
		"a +b c", "(a OR b) NEAR c d", "-(-a) b -c",
		"headline:(a OR b) body:\"c d\" byline:ea*",
		"TTP \"naciones unidas\" e-mail x OR y",
		"agency:EFE agency:AFP lang:es -lang:en place:x urgency:2 id:a",
		"a NEAR/3 b ADJ c NEAR \"d e\"", "+a +b c -agency:x",
	};
	size_t failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof rich / sizeof rich[0]; i++) {
		query_options o;
		char *want;

		options(&o, F_SYN | F_BIG | (i == 1 || i == 8 ? F_OR : 0), syn);
		want = parse_describe(rich[i], &o);
		assert_true(want[0] != '!');
		for (size_t pad = 8192 - 2048; pad < 8192; pad += 16) {
			strbuf text = STRBUF_INIT;

			for (size_t k = 0; k < pad; k++)
				assert_int_equal(strbuf_addch(&text, ' '), 0);
			assert_int_equal(strbuf_addstr(&text, rich[i]), 0);
			for (unsigned long n = 1;; n++) {
				query *q = (query *)&q;
				char err[256] = "";
				unsigned long made;
				int r;

				wire_alloc_fail_at(n, 0);
				r = query_parse(text.buf, &o, &q, err, sizeof err);
				made = wire_alloc_fail_at(0, 0);
				if (made < n) {
					strbuf sb = STRBUF_INIT;

					assert_int_equal(r, 0);
					assert_int_equal(query_describe(q, &sb), 0);
					assert_string_equal(sb.buf, want);
					strbuf_release(&sb);
					query_free(q);
					break;
				}
				if (r == 0) {
					/* the failed allocation was not needed */
					query_free(q);
					continue;
				}
				failures++;
				assert_null(q);
				assert_string_equal(err, "out of memory");
			}
			strbuf_release(&text);
		}
		free(want);
	}
	assert_true(failures > 1000);
	synonyms_free(syn);
}

/* query_describe() appends: with the buffer already holding 0..511
 * bytes its growth falls on every part of the description in turn. */
static void test_describe_failures(void **state)
{
	static const char *const texts[] = {
		("a OR (b \"c d\" e-mail) -f NEAR/3 g headline:hh* agency:EFE "
		 "date:2025-04 place:\"buenos aires\" id:x\\y ADJ/2 z"),
		"+a +b c -d", "a NEAR b NEAR c", "headline:(a OR b)",
	};
	query_options o;

	(void)state;
	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		query *q;
		char err[256];
		strbuf want = STRBUF_INIT;
		int failed = 0;

		options(&o, t == 1 ? F_OR : 0, NULL);
		assert_int_equal(query_parse(texts[t], &o, &q, err, sizeof err), 0);
		assert_int_equal(query_describe(q, &want), 0);
		for (size_t pre = 0; pre < 512; pre++) {
			strbuf sb = STRBUF_INIT;
			int r;

			for (size_t k = 0; k < pre; k++)
				assert_int_equal(strbuf_addch(&sb, '.'), 0);
			wire_alloc_fail_at(1, 1);
			r = query_describe(q, &sb);
			wire_alloc_fail_at(0, 0);
			if (r) {
				assert_int_equal(r, -1);
				failed++;
			} else {
				assert_int_equal(sb.len, pre + want.len);
				assert_string_equal(sb.buf + pre, want.buf);
			}
			strbuf_release(&sb);
		}
		assert_true(failed > 0);
		strbuf_release(&want);
		query_free(q);
	}
}

/* --------------------------------------------------------------------
 * A small database, indexed the way the indexer does it.
 */
struct tdoc {
	const char *headline, *body, *dateline, *agency, *place, *lang, *date;
};

static const struct tdoc tdocs[] = {
	/* 1 */ { "Pakistan expels Afghans",
		  "Pakistan deported thousands of Afghans across the Durand Line.",
		  "Kabul, Apr 19 (EFE)", "EFE", "Kabul", "en", "20250419100000" },
	/* 2 */ { "Refugees",
		  "The deportations of Afghan refugees continued near the border "
		  "line of Durand.",
		  "Islamabad, Apr 18 (AFP)", "AFP", "Islamabad", "en",
		  "20250418080000" },
	/* 3 */ { "Argentina expulsa migrantes",
		  "Las autoridades deportaron a cientos de migrantes.",
		  "Buenos Aires, 1 mar (EFE)", "EFE", "Buenos Aires", "es",
		  "20250301120000" },
	/* 4 */ { "Attack in Pakistan",
		  "The Tehreek-e-Taliban Pakistan claimed the attack in Pakistan.",
		  "Peshawar, Apr 10 (Reuters)", "Reuters", "Peshawar", "en",
		  "20250410090000" },
	/* 5 */ { "Attack claimed",
		  "The TTP claimed responsibility for the attack near Kabull.",
		  NULL, "AP", NULL, "en", "20250105000000" },
	/* 6 */ { "Alpha", "alpha one two beta gamma", NULL, "AFP", NULL, "en",
		  "20240101000000" },
	/* 7 */ { "Beta", "beta alpha", NULL, "AFP", NULL, "en", "20240102000000" },
	/* 8 */ { "Muttaqī en Kabul",
		  "El canciller Muttaqī visitó Kabul el sábado. Pakistan.",
		  "Kabul, 19 abr (EFE)", "EFE", "Kabul", "es", "20250419150000" },
};
#define N_TDOCS (sizeof tdocs / sizeof tdocs[0])

struct index_ctx {
	xap_doc *doc;
	const char *prefix;
	uint32_t wdf;
};

static int index_token(void *ctx, const text_token *t)
{
	struct index_ctx *c = ctx;
	char term[256];

	snprintf(term, sizeof term, "%s%s", c->prefix, t->term);
	assert_int_equal(xap_doc_add_posting(c->doc, term, t->position, c->wdf),
			 XAP_OK);
	return 0;
}

static void index_text(xap_doc *doc, const char *prefix, const char *text,
		       uint32_t wdf)
{
	struct index_ctx c = { doc, prefix, wdf };

	if (text)
		assert_int_equal(text_tokenize(text, strlen(text), TEXT_FOR_INDEX,
					       1, index_token, &c, NULL, NULL),
				 0);
}

static void bool_term(xap_doc *doc, const char *prefix, const char *value)
{
	char *f, term[256];

	if (!value)
		return;
	f = text_fold(value, strlen(value));
	assert_non_null(f);
	snprintf(term, sizeof term, "%s%s", prefix, f);
	assert_int_equal(xap_doc_add_boolean_term(doc, term), XAP_OK);
	free(f);
}

static int spell_token(void *ctx, const text_token *t)
{
	xap_writer *w = ctx;

	/* as indexer/document.c does */
	if (!(t->flags & (TEXT_TOKEN_ACRONYM | TEXT_TOKEN_NUMBER |
			  TEXT_TOKEN_CUT | TEXT_TOKEN_JOINED)) && t->len >= 3)
		assert_int_equal(xap_writer_add_spelling(w, t->term, 1), XAP_OK);
	return 0;
}

static char db_path[300];
static xap_db *tdb;
static synonyms *tsyn;

static int setup_db(void **state)
{
	xap_writer *w;

	if (setup_dir(state))
		return -1;
	snprintf(db_path, sizeof db_path, "%s/db", tmpdir);
	w = xap_writer_new();
	if (!w || xap_writer_open(w, db_path, XAP_WRITER_CREATE |
				  XAP_WRITER_NO_SYNC) != XAP_OK)
		return -1;
	for (size_t i = 0; i < N_TDOCS; i++) {
		const struct tdoc *d = &tdocs[i];
		xap_doc *doc = xap_doc_new();
		xap_docid id;
		char term[16];

		if (!doc)
			return -1;
		index_text(doc, PREFIX_BODY, d->body, 1);
		index_text(doc, PREFIX_HEADLINE, d->headline, 1);
		index_text(doc, PREFIX_DATELINE, d->dateline, 1);
		bool_term(doc, PREFIX_AGENCY, d->agency);
		bool_term(doc, PREFIX_PLACE, d->place);
		bool_term(doc, PREFIX_LANGUAGE, d->lang);
		/* the date as the indexer gives it: a value and the year,
		 * month and day terms */
		snprintf(term, sizeof term, "%.4s", d->date);
		bool_term(doc, PREFIX_YEAR, term);
		snprintf(term, sizeof term, "%.6s", d->date);
		bool_term(doc, PREFIX_MONTH, term);
		snprintf(term, sizeof term, "%.8s", d->date);
		bool_term(doc, PREFIX_DAY, term);
		if (xap_doc_set_value(doc, SLOT_DATE, d->date, 14) != XAP_OK ||
		    xap_writer_add(w, doc, &id) != XAP_OK || id != i + 1)
			return -1;
		xap_doc_free(doc);
		text_tokenize(d->body, strlen(d->body), TEXT_FOR_INDEX, 1,
			      spell_token, w, NULL, NULL);
		text_tokenize(d->headline, strlen(d->headline), TEXT_FOR_INDEX, 1,
			      spell_token, w, NULL, NULL);
	}
	/* Many words under one prefix, for the wildcard bound. */
	{
		xap_doc *doc = xap_doc_new();
		char term[32];

		for (int i = 0; i < 30; i++) {
			snprintf(term, sizeof term, "zyx%02d", i);
			xap_doc_add_posting(doc, term, (uint32_t)i + 1, 1);
		}
		xap_doc_set_value(doc, SLOT_DATE, "20200101000000", 14);
		bool_term(doc, PREFIX_YEAR, "2020");
		bool_term(doc, PREFIX_MONTH, "202001");
		bool_term(doc, PREFIX_DAY, "20200101");
		if (xap_writer_add(w, doc, NULL) != XAP_OK)
			return -1;
		xap_doc_free(doc);
	}
	if (xap_writer_commit(w) != XAP_OK)
		return -1;
	xap_writer_free(w);
	tdb = xap_db_new();
	if (!tdb || xap_db_add(tdb, db_path) != XAP_OK)
		return -1;
	if (synonyms_load(syn_path, &tsyn, NULL, 0))
		return -1;
	return 0;
}

static int teardown_db(void **state)
{
	xap_db_free(tdb);
	tdb = NULL;
	synonyms_free(tsyn);
	tsyn = NULL;
	return teardown_dir(state);
}

/* Run Q (with OPTS) and write the matching document ids in rank order,
 * as "1 2 5".  Returns the xap_status of the run. */
static xap_status search(const char *q, const query_options *opts,
			 char *out, size_t outlen)
{
	query *pq;
	xap_query *x;
	xap_enquire *e;
	xap_results *r;
	char err[256];
	xap_status st;
	size_t o = 0;

	out[0] = '\0';
	if (query_parse(q, opts, &pq, err, sizeof err))
		fail_msg("parse '%s': %s", q, err);
	if (query_to_xapian(pq, tdb, opts, &x, err, sizeof err))
		fail_msg("to_xapian '%s': %s", q, err);
	e = xap_enquire_new(tdb);
	assert_non_null(e);
	assert_int_equal(xap_enquire_set_query(e, x), XAP_OK);
	st = xap_enquire_run(e, 0, 20, 100, &r);
	if (st == XAP_OK) {
		for (size_t i = 0; i < xap_results_size(r); i++) {
			xap_hit h;

			assert_int_equal(xap_results_hit(r, i, &h), XAP_OK);
			o += (size_t)snprintf(out + o, outlen - o, "%s%u",
					      i ? " " : "", (unsigned)h.docid);
		}
		xap_results_free(r);
	}
	xap_enquire_free(e);
	xap_query_free(x);
	query_free(pq);
	return st;
}

static int cmp_id(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* "3 1 2" -> "1 2 3" */
static void sort_ids(const char *in, char *out, size_t outlen)
{
	unsigned v[64];
	size_t n = 0, o = 0;
	char *end;

	for (const char *p = in; *p && n < 64; p = end)
		v[n++] = (unsigned)strtoul(p, &end, 10);
	qsort(v, n, sizeof v[0], cmp_id);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%s%u", i ? " " : "", v[i]);
}

/* The documents Q finds, in rank order; or, when WANT starts with '{',
 * in any order ("{1 2 3"). */
static void expect_docs(const char *q, unsigned flags, const char *want)
{
	query_options o;
	char got[256], sorted[256];
	xap_status st;

	options(&o, flags, tsyn);
	st = search(q, &o, got, sizeof got);
	if (st != XAP_OK)
		fail_msg("'%s': %s", q, xap_status_name(st));
	if (want[0] == '{') {
		sort_ids(got, sorted, sizeof sorted);
		if (strcmp(sorted, want + 1))
			fail_msg("'%s': expected documents {%s}, got [%s]", q,
				 want + 1, got);
	} else if (strcmp(got, want)) {
		fail_msg("'%s': expected documents [%s], got [%s]", q, want, got);
	}
}

static void test_matches(void **state)
{
	(void)state;
	/* phrases: "durand line" only where the words are adjacent */
	expect_docs("\"durand line\"", 0, "1");
	expect_docs("durand line", 0, "{1 2");
	expect_docs("\"Durand Line\" -agency:EFE", 0, "");
	/* unfielded words search the dateline too */
	expect_docs("Peshawar", 0, "4");
	expect_docs("headline:pakistan", 0, "{1 4");
	expect_docs("body:expels", 0, "");
	expect_docs("dateline:islamabad", 0, "2");
	/* NEAR/n: within n positions, either order; ADJ/n: in order */
	expect_docs("alpha NEAR/3 beta", 0, "{6 7");
	expect_docs("alpha NEAR/2 beta", 0, "7");
	expect_docs("beta NEAR/1 alpha", 0, "7");
	expect_docs("alpha ADJ/3 beta", 0, "6");
	expect_docs("beta ADJ/1 alpha", 0, "7");
	expect_docs("alpha ADJ/1 beta", 0, "");
	expect_docs("alpha NEAR gamma", 0, "6");
	/* hyphenated words: the parts as a phrase, or the joined form */
	expect_docs("Tehreek-e-Taliban", 0, "4");
	expect_docs("tehreeketaliban", 0, "4");
	/* filters */
	expect_docs("agency:EFE", 0, "1 3 8");
	expect_docs("pakistan agency:efe", 0, "1 8");
	expect_docs("pakistan -agency:efe", 0, "4");
	expect_docs("agency:EFE agency:AFP lang:es", 0, "3 8");
	expect_docs("place:\"Buenos Aires\"", 0, "3");
	expect_docs("place:kabul lang:english", 0, "1");
	expect_docs("date:2025-04", 0, "1 2 4 8");
	expect_docs("date:2025-04-18..2025-04-19", 0, "1 2 8");
	expect_docs("date:..2024-12-31", 0, "6 7 9");
	expect_docs("date:2025-04-19..", 0, "1 8");
	expect_docs("date:today", 0, "1 8");
	expect_docs("date:2d", 0, "1 2 8");
	expect_docs("-date:2025", 0, "6 7 9");
	/* pure negation */
	expect_docs("-pakistan -alpha -zyx00", 0, "2 3 5");
	expect_docs("NOT agency:efe NOT agency:afp", 0, "4 5 9");
}

static void expect_first(const char *q, const char *first)
{
	query_options o;
	char got[256];
	size_t n = strlen(first);

	options(&o, 0, NULL);
	assert_int_equal(search(q, &o, got, sizeof got), XAP_OK);
	if (strncmp(got, first, n) || (got[n] && got[n] != ' '))
		fail_msg("'%s': expected document %s first, got [%s]", q, first, got);
}

static void test_ranking_and_stems(void **state)
{
	query_options o;
	char got[256];

	(void)state;
	/* "deported": the exact form first, then the English variant
	 * (deportations) and, by the Spanish stem, deportaron in the
	 * Spanish dispatch. */
	expect_docs("deported", 0, "{1 2 3");
	expect_first("deported", "1");
	/* No stemming: the exact form only. */
	options(&o, 0, NULL);
	o.stem = 0;
	assert_int_equal(search("deported", &o, got, sizeof got), XAP_OK);
	assert_string_equal(got, "1");
	/* Quoted: exact. */
	expect_docs("\"deported\"", 0, "1");
	expect_docs("deportations", 0, "2 1");
	/* A variant is kept for its language only: "deportaron" (es) finds
	 * the English dispatches' deported/deportations through neither
	 * stemmer (en: deportaron; es: deport, but they are English). */
	expect_docs("deportaron", 0, "3");
	/* Accents do not matter. */
	expect_docs("muttaqi", 0, "8");
	expect_docs("visito", 0, "8");
}

static void test_synonym_matches(void **state)
{
	(void)state;
	expect_docs("TTP", F_SYN, "{4 5");
	expect_docs("TTP", 0, "5");
	expect_docs("\"Tehreek-e-Taliban Pakistan\"", F_SYN, "{4 5");
	expect_docs("\"Tehreek-e-Taliban Pakistan\"", 0, "4");
	expect_docs("TTP -attack", F_SYN, "");
}

static void test_wildcards(void **state)
{
	query_options o;
	char got[256];

	(void)state;
	expect_docs("deport*", 0, "{1 2 3");
	expect_docs("headline:expel*", 0, "1");
	expect_docs("zyx0*", 0, "9");
	options(&o, 0, NULL);
	o.max_wildcard = 5;
	/* zyx* has 30 words: past the bound, Xapian refuses to run. */
	assert_int_equal(search("zyx*", &o, got, sizeof got), XAP_WILDCARD);
	assert_int_equal(search("zyx0*", &o, got, sizeof got), XAP_WILDCARD);
	assert_int_equal(search("zyx00*", &o, got, sizeof got), XAP_OK);
	assert_string_equal(got, "9");
	/* In NEAR and ADJ, wildcards are expanded by query_to_xapian() (Xapian
	 * 1.4 takes only terms there), under the same bound. */
	/* (afghans also finds its variant afghan, in document 2) */
	expect_docs("deport* NEAR/3 afghans", 0, "{1 2");
	expect_docs("deport* NEAR/2 afghans", 0, "2");
	expect_docs("deport* NEAR/1 afghans", 0, "");
	expect_docs("headline:(expel* ADJ/1 afghans)", 0, "1");
	expect_docs("(zyx00 OR zyx2*) NEAR/1 zyx01", 0, "9");
	{
		query *q;
		xap_query *x = NULL;
		char err[256];

		assert_int_equal(query_parse("zyx* NEAR zyx00", &o, &q, err,
					     sizeof err), 0);
		assert_int_equal(query_to_xapian(q, tdb, &o, &x, err, sizeof err), -1);
		assert_null(x);
		assert_string_equal(err, "wildcard 'zyx*' matches more than 5 words");
		query_free(q);
	}
}

static int has_term(const query_highlight *h, const char *t)
{
	for (size_t i = 0; i < h->n_terms; i++)
		if (!strcmp(h->terms[i], t))
			return 1;
	return 0;
}

static int has_phrase(const query_highlight *h, const char *words)
{
	for (size_t i = 0; i < h->n_phrases; i++) {
		strbuf sb = STRBUF_INIT;
		int eq;

		for (size_t j = 0; j < h->phrases[i].n; j++)
			assert_int_equal(strbuf_addf(&sb, "%s%s", j ? " " : "",
						     h->phrases[i].terms[j]), 0);
		eq = !strcmp(strbuf_str(&sb), words);
		strbuf_release(&sb);
		if (eq)
			return 1;
	}
	return 0;
}

static void test_highlights(void **state)
{
	query_options o;
	query *q;
	xap_query *x;
	query_highlight h;
	char err[256];

	(void)state;
	options(&o, F_SYN, tsyn);
	assert_int_equal(query_parse("deported \"durand line\" -kabul TTP "
				     "e-mail headline:(US) zyx0* -(secret words) "
				     "agency:EFE a NEAR \"b c\"",
				     &o, &q, err, sizeof err), 0);
	/* Before query_to_xapian(): what the query says. */
	assert_int_equal(query_highlights(q, &h), 0);
	assert_true(has_term(&h, "deported"));
	assert_false(has_term(&h, "deportations"));
	assert_true(has_phrase(&h, "durand line"));
	assert_false(has_term(&h, "kabul"));
	assert_false(has_term(&h, "secret"));
	assert_false(has_term(&h, "efe"));
	assert_true(has_term(&h, "ttp"));
	assert_true(has_phrase(&h, "tehreek e taliban pakistan"));
	assert_true(has_phrase(&h, "e mail"));
	assert_true(has_term(&h, "email"));
	assert_true(has_term(&h, "^us"));
	assert_true(has_phrase(&h, "united states"));
	assert_true(has_term(&h, "a"));
	assert_true(has_phrase(&h, "b c"));
	/* After: the stemmed variants and wildcard expansions it found. */
	assert_int_equal(query_to_xapian(q, tdb, &o, &x, err, sizeof err), 0);
	assert_int_equal(query_highlights(q, &h), 0);
	assert_true(has_term(&h, "deported"));
	assert_true(has_term(&h, "deportations"));
	assert_true(has_term(&h, "deportaron"));
	assert_true(has_term(&h, "zyx00"));
	assert_true(has_term(&h, "zyx09"));
	assert_false(has_term(&h, "zyx10"));
	assert_false(has_term(&h, "kabul"));
	for (size_t i = 0; i < h.n_terms; i++)
		for (size_t j = i + 1; j < h.n_terms; j++)
			assert_string_not_equal(h.terms[i], h.terms[j]);
	xap_query_free(x);
	query_free(q);
	/* An empty query highlights nothing. */
	assert_int_equal(query_parse("-x", &o, &q, err, sizeof err), 0);
	assert_int_equal(query_highlights(q, &h), 0);
	assert_int_equal(h.n_terms + h.n_phrases, 0);
	query_free(q);
}

static void expect_suggestion(const char *text, const char *want)
{
	query_options o;
	query *q;
	char err[256], *s = NULL;

	options(&o, 0, NULL);
	assert_int_equal(query_parse(text, &o, &q, err, sizeof err), 0);
	assert_int_equal(query_suggest(q, tdb, &s), 0);
	if (!want && s)
		fail_msg("'%s': no suggestion expected, got '%s'", text, s);
	if (want && (!s || strcmp(s, want)))
		fail_msg("'%s': expected '%s', got '%s'", text, want, s ? s : "(none)");
	free(s);
	query_free(q);
}

static void test_suggest(void **state)
{
	(void)state;
	expect_suggestion("pakistn", "pakistan");
	expect_suggestion("Pakistn deported", "Pakistan deported");
	expect_suggestion("PAKISTN", "PAKISTAN");
	expect_suggestion("headline:pakistn -agency:EFE",
			  "headline:pakistan -agency:EFE");
	expect_suggestion("\"durand lime\" pakistn", "\"durand lime\" pakistan");
	/* Found often enough: left alone. */
	expect_suggestion("pakistan", NULL);
	/* Diacritics are folded: Muttaqī is muttaqi, never "corrected". */
	expect_suggestion("Muttaqī", NULL);
	expect_suggestion("Muttaqi", NULL);
	/* "kabull" (1 document): "kabul" (2) is not 5 times more. */
	expect_suggestion("kabull", NULL);
	/* Nothing close. */
	expect_suggestion("xqzwv", NULL);
	expect_suggestion("", NULL);
	/* Mixed case: the suggestion as the tables give it. */
	expect_suggestion("pAKISTN", "pakistan");
	/* Numbers are not spelling; nothing is close to pkstn. */
	expect_suggestion("PKSTN 84,000", NULL);
}

/* --------------------------------------------------------------------
 * Synonym files.
 */
static void expect_load_error(const char *text, const char *want)
{
	char path[400], err[512];
	synonyms *syn = (synonyms *)&syn;  /* must be reset to NULL */

	snprintf(path, sizeof path, "%s/bad.txt", tmpdir);
	write_file(path, text);
	assert_int_equal(synonyms_load(path, &syn, err, sizeof err), -1);
	assert_null(syn);
	if (!strstr(err, want) || strncmp(err, path, strlen(path)))
		fail_msg("expected '%s: ...%s', got '%s'", path, want, err);
}

static void test_synonyms_load(void **state)
{
	char path[400], err[512];
	synonyms *syn;
	const query_phrase *e;
	const char *const *keys;
	const char *tt[] = { "tehreek", "e", "taliban", "pakistan" };
	const char *us[] = { "united", "states" };

	(void)state;
	expect_load_error("TTP = Tehreek-e-Taliban Pakistan\nno equals sign\n",
			  ":2: expected 'KEY = EXPANSION");
	expect_load_error("# c\n\n = United Nations\n", ":3: empty key");
	expect_load_error("UN = United Nations |\n", ":1: empty expansion");
	expect_load_error("UN =\n", ":1: empty expansion");
	expect_load_error("UN = ...\n", ":1: expansion '...' has no words");
	expect_load_error("A B = x\n", ":1: key 'A B' is not one word");
	expect_load_error("G-7 = Group of Seven\n", ":1: key 'G-7' is not one word");
	expect_load_error("# a\nb = c\nUN = \xff\xfe\n", ":3: invalid UTF-8");
	snprintf(path, sizeof path, "%s/missing.txt", tmpdir);
	syn = NULL;
	assert_int_equal(synonyms_load(path, &syn, err, sizeof err), -1);
	assert_non_null(strstr(err, "missing.txt: cannot open"));

	/* A good file, and more lines from another. */
	syn = NULL;
	assert_int_equal(synonyms_load(syn_path, &syn, err, sizeof err), 0);
	assert_int_equal(synonyms_expansions(syn, "ttp", &e), 1);
	assert_int_equal(e[0].n, 4);
	assert_int_equal(synonyms_expansions(syn, "TTP", &e), 0);
	assert_int_equal(synonyms_expansions(syn, "us", &e), 0);
	assert_int_equal(synonyms_expansions(syn, "^us", &e), 2);
	assert_int_equal(synonyms_keys(syn, tt, 4, &keys), 1);
	assert_string_equal(keys[0], "ttp");
	assert_int_equal(synonyms_keys(syn, tt, 3, &keys), 0);
	snprintf(path, sizeof path, "%s/more.txt", tmpdir);
	write_file(path, "\xEF\xBB\xBF# the user's own\r\n"
			 "USA = United States\r\n"
			 "TTP = Pakistani Taliban | Tehreek-e-Taliban Pakistan\r\n"
			 "  ISIS=Islamic State|Daesh  \r\n");
	assert_int_equal(synonyms_load_more(syn, path, err, sizeof err), 0);
	assert_int_equal(synonyms_expansions(syn, "ttp", &e), 2);
	assert_int_equal(synonyms_expansions(syn, "isis", &e), 2);
	assert_int_equal(synonyms_keys(syn, us, 2, &keys), 2);
	assert_string_equal(keys[0], "^us");
	assert_string_equal(keys[1], "usa");
	/* An error in the second file names it and its line. */
	write_file(path, "OK = fine\nbad line\n");
	assert_int_equal(synonyms_load_more(syn, path, err, sizeof err), -1);
	assert_non_null(strstr(err, "more.txt:2: "));
	synonyms_free(syn);
	synonyms_free(NULL);
}

/* The shipped table loads, and has the acronyms the wires use. */
static void test_shipped_synonyms(void **state)
{
	static const char *const where[] = { "common/synonyms.txt",
					     "../../common/synonyms.txt",
					     "../common/synonyms.txt" };
	static const char *const keys[] = {
		"ttp", "^un", "imf", "opec", "nato", "eu", "^us", "^who", "ecb",
		"fao", "unhcr", "wto", "icc", "iaea", "oas", "asean", "au", "g7",
		"g20", "fbi", "cia", "eln", "farc", "isis", "otan", "onu",
	};
	char path[600], err[512];
	synonyms *syn = NULL;
	const query_phrase *e;
	const char *top = getenv("WIRE_TOP");
	const char *nu[] = { "naciones", "unidas" };
	const char *const *k;

	(void)state;
	path[0] = '\0';
	if (top)
		snprintf(path, sizeof path, "%s/common/synonyms.txt", top);
	for (size_t i = 0; !path[0] || access(path, R_OK); i++) {
		if (i == sizeof where / sizeof where[0]) {
			skip();
			return;
		}
		snprintf(path, sizeof path, "%s", where[i]);
	}
	if (synonyms_load(path, &syn, err, sizeof err))
		fail_msg("%s", err);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!synonyms_expansions(syn, keys[i], &e))
			fail_msg("no key %s in %s", keys[i], path);
	assert_true(synonyms_keys(syn, nu, 2, &k) >= 1);
	synonyms_free(syn);
}

/* --------------------------------------------------------------------
 * Allocation failures: every one gives -1 and "out of memory", and
 * nothing leaks (ASan).
 */
static const char *const oom_queries[] = {
	"pakistan", "Pakistan Durand", "pakistan \"durand line\" agency:EFE",
	"a OR b c", "a -b -c", "-a -b", "a +b c", "a NEAR/5 b NEAR c",
	"\"durand line\" NEAR/3 kabul", "(a OR b) NEAR c", "a ADJ/2 b",
	"deport*", "headline:deport*", "headline:(a OR b) c",
	"body:a dateline:kabul byline:smith", "agency:EFE agency:AFP lang:es",
	"place:\"Buenos Aires\"", "lang:español", "id:AFP-1", "urgency:3",
	"-agency:EFE", "pakistan -agency:EFE", "date:2025-04",
	"date:2025-04-01..2025-04-30", "date:7d", "date:..1987-03-01",
	"date:2025-02-30", "U.S.", "84,000", "Pakistan's army",
	"Kabul/Islamabad", "Tehreek-e-Taliban", "AT&T", "(AFP)", "- -",
	"\"unbalanced", "(unbalanced", "unbalanced)", "a AND AND b", "e-mail",
	"12:30", "Note: x", "Muttaqī Bogotá", "TTP", "\"Tehreek-e-Taliban Pakistan\"",
	"US -us", "a*", "kab\xFFul", "((((a OR b) c) d) e)",
	"\"united states\" OR UN",
};

static void test_alloc_failures(void **state)
{
	synonyms *syn = load_test_synonyms();
	size_t failures = 0;

	(void)state;
	assert_int_equal(sizeof oom_queries / sizeof oom_queries[0], 50);
	for (size_t i = 0; i < sizeof oom_queries / sizeof oom_queries[0]; i++) {
		query_options o;
		char *want;

		options(&o, F_SYN, syn);
		want = parse_describe(oom_queries[i], &o);
		for (unsigned long n = 1;; n++) {
			query *q = (query *)&q;
			char err[256] = "";
			unsigned long made;
			int r;

			wire_alloc_fail_at(n, 0);
			r = query_parse(oom_queries[i], &o, &q, err, sizeof err);
			made = wire_alloc_fail_at(0, 0);
			if (made < n) {
				/* No allocation failed: the normal result. */
				char *got;

				if (!r)
					query_free(q);
				got = parse_describe(oom_queries[i], &o);
				assert_string_equal(got, want);
				free(got);
				break;
			}
			failures++;
			if (r != -1 || q || strcmp(err, "out of memory"))
				fail_msg("'%s': allocation %lu failed: r=%d err='%s'",
					 oom_queries[i], n, r, err);
		}
		free(want);
	}
	print_message("%zu allocation failures injected\n", failures);
	assert_true(failures > 200);
	/* The other allocating calls, on one query. */
	{
		query_options o;
		query *q;
		char err[256];

		options(&o, F_SYN, syn);
		assert_int_equal(query_parse("TTP \"durand line\" e-mail x OR y",
					     &o, &q, err, sizeof err), 0);
		for (unsigned long n = 1;; n++) {
			strbuf sb = STRBUF_INIT;
			query_highlight h;
			int r1, r2;
			unsigned long made;

			wire_alloc_fail_at(n, 0);
			r1 = query_describe(q, &sb);
			r2 = query_highlights(q, &h);
			made = wire_alloc_fail_at(0, 0);
			strbuf_release(&sb);
			if (made < n) {
				assert_int_equal(r1 | r2, 0);
				break;
			}
			assert_true(r1 == -1 || r2 == -1);
		}
		query_free(q);
	}
	/* Loading synonyms. */
	for (unsigned long n = 1;; n++) {
		synonyms *s = NULL;
		char err[256];
		unsigned long made;
		int r;

		wire_alloc_fail_at(n, 0);
		r = synonyms_load(syn_path, &s, err, sizeof err);
		made = wire_alloc_fail_at(0, 0);
		if (made < n) {
			assert_int_equal(r, 0);
			synonyms_free(s);
			break;
		}
		assert_int_equal(r, -1);
		assert_null(s);
		assert_string_equal(err, "out of memory");
	}
	synonyms_free(syn);
}

/* query_to_xapian() under allocation failures (ours; Xapian's own are
 * not injectable): -1 and "out of memory", or success. */
static void test_alloc_failures_xapian(void **state)
{
	/* wildcards expanded here (inside NEAR and ADJ), and a hyphenated
	 * word whose joined form is longer than term_q()'s buffer */
	static const char *const texts[] = {
		"deported TTP zyx0* agency:EFE -kabul",
		"zyx0* NEAR/3 deported headline:zyx0* ADJ b",
		"@hyphen",
	};
	query_options o;
	query *q;
	char err[256];

	(void)state;
	options(&o, F_SYN, tsyn);
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		strbuf long_word = STRBUF_INIT;
		const char *text = texts[i];

		if (!strcmp(text, "@hyphen")) {
			for (int part = 0; part < 3; part++) {
				if (part)
					assert_int_equal(strbuf_addch(&long_word, '-'), 0);
				for (int k = 0; k < 110; k++)
					assert_int_equal(strbuf_addch(&long_word,
								      (char)('a' + part)), 0);
			}
			text = long_word.buf;
		}
		assert_int_equal(query_parse(text, &o, &q, err, sizeof err), 0);
		for (unsigned long n = 1;; n++) {
			xap_query *x = NULL;
			unsigned long made;
			int r;

			wire_alloc_fail_at(n, 0);
			r = query_to_xapian(q, tdb, &o, &x, err, sizeof err);
			made = wire_alloc_fail_at(0, 0);
			if (made < n) {
				assert_int_equal(r, 0);
				if (long_word.len) {
					char *d;

					/* the parts as a phrase, or the joined
					 * form cut with its hash */
					assert_int_equal(xap_query_describe(x, &d), XAP_OK);
					assert_non_null(strstr(d, long_word.buf + 222));
					assert_non_null(strstr(d, " PHRASE 3 "));
					assert_non_null(strstr(d, "~"));
					free(d);
				}
				xap_query_free(x);
				break;
			}
			if (r == 0) {
				xap_query_free(x);
				continue;
			}
			assert_null(x);
			assert_string_equal(err, "out of memory");
		}
		query_free(q);
		strbuf_release(&long_word);
	}
}


/* query_to_xapian(), query_highlights() and query_suggest() under
 * allocation failures on rich queries, padded so that the arena and the
 * growing vectors run out at every step in turn: -1 and "out of memory"
 * (or success), never a crash or a leak. */
static void test_alloc_failures_xapian_sweep(void **state)
{
	static const char *const rich[] = {
		"deported deportations Pakistan's refugees claimed attack "
		"\"durand line\" e-mail headline:(deported OR attack) zyx0* "
		"headline:zyx0* a NEAR/3 b c ADJ d (x OR y) NEAR z TTP -kabul "
		"agency:EFE lang:es date:2025 date:2025-04-18.. -agency:AP -(alpha beta) "
		"(deported OR refugees OR attack OR claimed OR border OR line "
		"OR durand OR kabul OR afghans OR thousands)",
		"+deported +attack claimed refugees -kabul agency:EFE",
	};
	size_t failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof rich / sizeof rich[0]; i++) {
		query_options o;

		options(&o, F_SYN | F_BIG | (i == 1 ? F_OR : 0), tsyn);
		for (size_t pad = 8192 - 3072; pad < 8192; pad += 32) {
			strbuf text = STRBUF_INIT;
			query *q;
			char err[256];

			for (size_t k = 0; k < pad; k++)
				assert_int_equal(strbuf_addch(&text, ' '), 0);
			assert_int_equal(strbuf_addstr(&text, rich[i]), 0);
			assert_int_equal(query_parse(text.buf, &o, &q, err, sizeof err), 0);
			for (unsigned long n = 1;; n++) {
				xap_query *x = (xap_query *)&x;
				unsigned long made;
				int r;

				wire_alloc_fail_at(n, 0);
				r = query_to_xapian(q, tdb, &o, &x, err, sizeof err);
				made = wire_alloc_fail_at(0, 0);
				if (r == 0) {
					assert_non_null(x);
					xap_query_free(x);
					if (made < n)
						break;
					continue;
				}
				failures++;
				assert_null(x);
				assert_string_equal(err, "out of memory");
			}
			strbuf_release(&text);
			query_free(q);
		}
	}
	assert_true(failures > 100);

	/* Highlights: 0..20 words before the rest move the growth of the
	 * term and phrase lists onto every kind of node. */
	for (size_t words = 0; words <= 20; words++) {
		query_options o;
		strbuf text = STRBUF_INIT;
		query *q;
		xap_query *x;
		query_highlight want, h;
		char err[256];

		options(&o, F_SYN, tsyn);
		for (size_t k = 0; k < words; k++)
			assert_int_equal(strbuf_addf(&text, "w%zu \"p%zu q\" ", k, k), 0);
		assert_int_equal(strbuf_addstr(&text,
			"deported TTP e-mail \"durand line\" zyx0* headline:(US) "
			"\"a b\" NEAR headline:\"c d\" NEAR headline:e NEAR ff* "
			"(g OR h) NEAR i"), 0);
		assert_int_equal(query_parse(text.buf, &o, &q, err, sizeof err), 0);
		assert_int_equal(query_to_xapian(q, tdb, &o, &x, err, sizeof err), 0);
		xap_query_free(x);
		assert_int_equal(query_highlights(q, &want), 0);
		assert_true(want.n_terms > 10);
		assert_true(want.n_phrases > 3);
		for (unsigned long n = 1;; n++) {
			/* a fresh query: the lists keep their room */
			query *fresh;
			unsigned long made;
			int r;

			assert_int_equal(query_parse(text.buf, &o, &fresh, err,
						     sizeof err), 0);
			assert_int_equal(query_to_xapian(fresh, tdb, &o, &x, err,
							 sizeof err), 0);
			xap_query_free(x);
			wire_alloc_fail_at(n, 0);
			r = query_highlights(fresh, &h);
			made = wire_alloc_fail_at(0, 0);
			if (made < n) {
				assert_int_equal(r, 0);
				assert_int_equal(h.n_terms, want.n_terms);
				assert_int_equal(h.n_phrases, want.n_phrases);
				query_free(fresh);
				break;
			}
			assert_int_equal(r, -1);
			query_free(fresh);
		}
		strbuf_release(&text);
		query_free(q);
	}

	/* Suggestions. */
	{
		query_options o;
		query *q;
		char err[256], *s;

		options(&o, 0, NULL);
		assert_int_equal(query_parse("pakistn w1 w2 w3 w4 w5 w6 w7 w8 w9 "
					     "Pakistn deported PAKISTN end",
					     &o, &q, err, sizeof err), 0);
		for (unsigned long n = 1;; n++) {
			unsigned long made;
			int r;

			s = (char *)&s;
			wire_alloc_fail_at(n, 0);
			r = query_suggest(q, tdb, &s);
			made = wire_alloc_fail_at(0, 0);
			if (made < n) {
				assert_int_equal(r, 0);
				assert_string_equal(s, "pakistan w1 w2 w3 w4 w5 w6 w7 "
						    "w8 w9 Pakistan deported "
						    "PAKISTAN end");
				free(s);
				break;
			}
			assert_int_equal(r, -1);
			assert_null(s);
		}
		query_free(q);
	}
}

/* Highlights: repeated terms and phrases once each, a quoted word as a
 * term, and no more than the limit of either. */
static void test_highlight_limits(void **state)
{
	query_options o;
	query *q;
	query_highlight h;
	strbuf text = STRBUF_INIT;
	char err[256];

	(void)state;
	options(&o, 0, NULL);
	assert_int_equal(query_parse("a a \"b c\" \"b c\" \"b d\" \"kabul\" kabul",
				     &o, &q, err, sizeof err), 0);
	assert_int_equal(query_highlights(q, &h), 0);
	assert_int_equal(h.n_terms, 2);
	assert_string_equal(h.terms[0], "a");
	assert_string_equal(h.terms[1], "kabul");
	assert_int_equal(h.n_phrases, 2);
	assert_int_equal(h.phrases[0].n, 2);
	assert_string_equal(h.phrases[1].terms[1], "d");
	query_free(q);

	/* 1100 distinct words and phrases: 1000 of each kept. */
	for (int i = 0; i < 1100; i++)
		assert_int_equal(strbuf_addf(&text, "w%d OR \"x%d y\" OR ", i, i), 0);
	assert_int_equal(strbuf_addstr(&text, "end"), 0);
	o.max_length = 1 << 20;
	o.max_terms = 10000;
	assert_int_equal(query_parse(text.buf, &o, &q, err, sizeof err), 0);
	assert_int_equal(query_highlights(q, &h), 0);
	assert_int_equal(h.n_terms, 1000);
	assert_int_equal(h.n_phrases, 1000);
	query_free(q);
	strbuf_release(&text);
}

/* Xapian failing under query_to_xapian() and query_suggest(): a closed
 * database handle.  Stem and wildcard expansions are only lost (the query
 * still builds, matching the exact forms); a wildcard that must be
 * expanded here (inside NEAR) fails with Xapian's message; suggestions
 * fail. */
static void test_closed_db(void **state)
{
	query_options o;
	query *q;
	xap_query *x;
	xap_db *db = xap_db_new();
	char err[256], *s, *d;

	(void)state;
	assert_non_null(db);
	assert_int_equal(xap_db_add(db, db_path), XAP_OK);
	xap_db_close(db);
	options(&o, 0, NULL);

	assert_int_equal(query_parse("deportations zyx0*", &o, &q, err, sizeof err), 0);
	x = NULL;
	assert_int_equal(query_to_xapian(q, db, &o, &x, err, sizeof err), 0);
	assert_int_equal(xap_query_describe(x, &d), XAP_OK);
	assert_non_null(strstr(d, "deportations"));
	assert_null(strstr(d, "deported"));   /* no variant found */
	assert_non_null(strstr(d, "WILDCARD")); /* expanded when run */
	free(d);
	xap_query_free(x);
	s = (char *)1;
	assert_int_equal(query_suggest(q, db, &s), -1);
	assert_null(s);
	query_free(q);

	/* An open date range asks the database for its first or last day;
	 * a closed database (or one without dates, below) leaves it a value
	 * range. */
	assert_int_equal(query_parse("date:2025-04-18..", &o, &q, err, sizeof err), 0);
	assert_int_equal(query_to_xapian(q, db, &o, &x, err, sizeof err), 0);
	assert_int_equal(xap_query_describe(x, &d), XAP_OK);
	assert_non_null(strstr(d, "VALUE_GE 0 20250418000000"));
	free(d);
	xap_query_free(x);
	{
		char empty_path[512];
		xap_writer *w = xap_writer_new();
		xap_db *edb = xap_db_new();

		snprintf(empty_path, sizeof empty_path, "%s/undated", tmpdir);
		assert_non_null(w);
		assert_int_equal(xap_writer_open(w, empty_path, XAP_WRITER_CREATE |
						 XAP_WRITER_NO_SYNC), XAP_OK);
		assert_int_equal(xap_writer_commit(w), XAP_OK);
		xap_writer_free(w);
		assert_int_equal(xap_db_add(edb, empty_path), XAP_OK);
		assert_int_equal(query_to_xapian(q, edb, &o, &x, err, sizeof err), 0);
		assert_int_equal(xap_query_describe(x, &d), XAP_OK);
		assert_non_null(strstr(d, "VALUE_GE 0 20250418000000"));
		free(d);
		xap_query_free(x);
		xap_db_free(edb);
	}
	query_free(q);

	assert_int_equal(query_parse("zyx0* NEAR/3 b", &o, &q, err, sizeof err), 0);
	x = (xap_query *)1;
	err[0] = '\0';
	assert_int_equal(query_to_xapian(q, db, &o, &x, err, sizeof err), -1);
	assert_null(x);
	if (strncmp(err, "cannot build the query: ", 24) || !strstr(err, "closed"))
		fail_msg("unexpected message '%s'", err);
	/* no room for a message: still -1 */
	assert_int_equal(query_to_xapian(q, db, &o, &x, NULL, 0), -1);
	err[0] = 'x';
	assert_int_equal(query_to_xapian(q, db, &o, &x, err, 0), -1);
	assert_int_equal(err[0], 'x');
	query_free(q);

	/* a wildcard over its bound inside NEAR, without a message buffer */
	o.max_wildcard = 3;
	assert_int_equal(query_parse("zyx* NEAR/3 b", &o, &q, err, sizeof err), 0);
	assert_int_equal(query_to_xapian(q, tdb, &o, &x, err, sizeof err), -1);
	assert_non_null(strstr(err, "matches more than 3 words"));
	assert_int_equal(query_to_xapian(q, tdb, &o, &x, NULL, 0), -1);
	assert_null(x);
	query_free(q);
	xap_db_free(db);
}

/* Zero options mean the defaults, and a caller may pass none at all. */
static void test_default_options(void **state)
{
	query_options o, z;
	query *q;
	xap_query *x, *y;
	char err[256], *a, *b;

	(void)state;
	options(&o, 0, NULL);
	memset(&z, 0, sizeof z);
	z.now = NOW;
	assert_int_equal(query_parse("pakistan headline:kabul zyx0*", &z, &q, err,
				     sizeof err), 0);
	assert_int_equal(query_to_xapian(q, tdb, &z, &x, err, sizeof err), 0);
	assert_int_equal(query_to_xapian(q, tdb, &o, &y, err, sizeof err), 0);
	assert_int_equal(xap_query_describe(x, &a), XAP_OK);
	assert_int_equal(xap_query_describe(y, &b), XAP_OK);
	/* the same query (pakistan has no stemmed variant), same weights */
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "2 * Spakistan"));
	assert_non_null(strstr(a, "WILDCARD SYNONYM zyx0"));
	free(a);
	free(b);
	xap_query_free(x);
	xap_query_free(y);
	query_free(q);

	/* queries without plain words suggest nothing */
	assert_int_equal(query_parse("agency:EFE", &o, &q, err, sizeof err), 0);
	a = (char *)1;
	assert_int_equal(query_suggest(q, tdb, &a), 0);
	assert_null(a);
	assert_int_equal(query_suggest(q, NULL, &a), 0);
	assert_null(a);
	query_free(q);
	assert_int_equal(query_suggest(NULL, tdb, &a), 0);
	assert_null(a);
	/* a word with a diacritic corrected, cased as typed */
	assert_int_equal(query_parse("Pak\xc3\xadstn", &o, &q, err, sizeof err), 0);
	assert_int_equal(query_suggest(q, tdb, &a), 0);
	assert_non_null(a);
	assert_string_equal(a, "Pakistan");
	free(a);
	query_free(q);
}

int main(void)
{
	const struct CMUnitTest parse_tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_to_xapian_no_db),
		cmocka_unit_test(test_synonyms_load),
		cmocka_unit_test(test_shipped_synonyms),
		cmocka_unit_test(test_alloc_failures),
		cmocka_unit_test(test_api_edges),
		cmocka_unit_test(test_alloc_failures_arena),
		cmocka_unit_test(test_describe_failures),
	};
	const struct CMUnitTest db_tests[] = {
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_ranking_and_stems),
		cmocka_unit_test(test_synonym_matches),
		cmocka_unit_test(test_wildcards),
		cmocka_unit_test(test_highlights),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_alloc_failures_xapian),
		cmocka_unit_test(test_alloc_failures_xapian_sweep),
		cmocka_unit_test(test_highlight_limits),
		cmocka_unit_test(test_closed_db),
		cmocka_unit_test(test_default_options),
	};
	int r = cmocka_run_group_tests_name("query", parse_tests, setup_dir,
					    teardown_dir);

	return r + cmocka_run_group_tests_name("query_db", db_tests, setup_db,
					       teardown_db);
}
