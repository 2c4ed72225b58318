# wiresearch - build, test, install.
#
#   make              build the programs (into build/, or build-san/ with SAN=1)
#   make demo         install missing packages (as root), build, index corpus/,
#                     run sample searches
#   make check        build and run the whole test suite
#   make check SAN=1  the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make install      install programs and man pages (PREFIX, DESTDIR)
#   make style        clang-format the sources; make lint: project rules
#
# Knobs: DEVELOPER=1 (default) turns warnings into errors; SAN=1 sanitizers;
# CC / CXX pick the compilers (gcc and clang both build cleanly).

.DEFAULT_GOAL := all
SHELL := /bin/bash

DEVELOPER ?= 1
SAN ?=
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/wiresearch
CGIDIR ?= $(PREFIX)/lib/cgi-bin

FUZZ ?=
ifeq ($(FUZZ),1)
# libFuzzer targets: clang, with ASan and UBSan, in their own build dir.
O := build-fuzz
override CC := clang
override CXX := clang++
override SAN := 1
else
O := build$(if $(SAN),-san)
endif

PKGS := xapian-core libutf8proc zlib jansson libxml-2.0
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wpointer-arith -Wundef
CWARN := $(WARN) -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition
ifeq ($(DEVELOPER),1)
WARN += -Werror
CWARN += -Werror
endif

OPT ?= -O2 -g
SANITIZERS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SANFLAGS := $(if $(SAN),$(SANITIZERS))
ifeq ($(FUZZ),1)
SANFLAGS := $(SANITIZERS) -fsanitize=fuzzer-no-link
endif
CPPFLAGS += -D_GNU_SOURCE -Icommon -Isearcher -Iindexer
CFLAGS += -std=c11 $(OPT) $(CWARN) $(SANFLAGS) -MMD -MP
CXXFLAGS += -std=c++11 $(OPT) $(WARN) $(SANFLAGS) -MMD -MP
LDFLAGS += $(SANFLAGS)
# jansson and utf8proc go in statically when their archives are installed
# (Debian's -dev packages ship them): two shared objects fewer to map and
# relocate at every start of wire-search, a sixth of a short search's CPU
# (docs/PERFORMANCE.md).  Otherwise they are linked as usual.
comma := ,
STATIC_ARCHIVES := $(foreach l,jansson utf8proc,$(if $(filter /%,$(shell $(CC) -print-file-name=lib$(l).a)),$(l)))
LIBS = $(filter-out $(addprefix -l,$(STATIC_ARCHIVES)),$(PKG_LIBS)) \
	$(if $(STATIC_ARCHIVES),-Wl$(comma)-Bstatic $(addprefix -l,$(STATIC_ARCHIVES)) -Wl$(comma)-Bdynamic) \
	-lm -lpthread

COMMON_C := $(sort $(wildcard common/*.c common/readers/*.c))
COMMON_CXX := common/xap.cc
INDEXER_C := $(filter-out indexer/main.c,$(sort $(wildcard indexer/*.c)))
SEARCHER_C := $(filter-out searcher/cli.c searcher/cgi.c searcher/synonyms_compile.c,$(sort $(wildcard searcher/*.c)))
CORPUS_TOOLS := $(sort $(wildcard corpus/tools/*.c))

obj = $(patsubst %.cc,$(O)/%.o,$(patsubst %.c,$(O)/%.o,$(1)))

LIBWIRE := $(O)/libwire.a
LIBINDEXER := $(O)/libindexer.a
LIBSEARCHER := $(O)/libsearcher.a
PROGRAMS := $(O)/wire-index $(O)/wire-search $(O)/wire-search.cgi
UNIT_TESTS := $(patsubst tests/unit/%.c,$(O)/tests/%,$(sort $(wildcard tests/unit/test_*.c)))
TOOLS := $(patsubst corpus/tools/%.c,$(O)/%,$(CORPUS_TOOLS))
FUZZERS := $(patsubst tests/fuzz/%.c,$(O)/fuzz/%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))

all: $(PROGRAMS) $(TOOLS)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -c -o $@ $<

# The programs look for the shipped synonyms under DATADIR: rebuild them
# when PREFIX or DATADIR changes (the stamp holds the last value).
DATADIR_STAMP := $(O)/datadir.stamp
$(DATADIR_STAMP): FORCE
	@mkdir -p $(O)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' >$@
$(O)/searcher/cli.o $(O)/searcher/cgi.o: CPPFLAGS += -DWIRE_DATADIR='"$(DATADIR)"'
$(O)/searcher/cli.o $(O)/searcher/cgi.o: $(DATADIR_STAMP)
FORCE:

$(O)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(PKG_CFLAGS) $(CXXFLAGS) -c -o $@ $<

$(LIBWIRE): $(call obj,$(COMMON_C) $(COMMON_CXX))
	@rm -f $@
	$(AR) rcs $@ $^
$(LIBINDEXER): $(call obj,$(INDEXER_C))
	@rm -f $@
	$(AR) rcs $@ $^ $(if $^,,$(O)/common/alloc.o)
# The shipped synonyms, tokenized at build time into a table the programs
# carry (query.h: synonyms_compiled): a search then reads the file only to
# check that it is still the one compiled in.
SYNONYMS_COMPILE := $(O)/synonyms-compile
$(SYNONYMS_COMPILE): $(call obj,searcher/synonyms_compile.c searcher/synonyms.c) $(LIBWIRE)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LIBS)
$(O)/searcher/synonyms_default.c: common/synonyms.txt $(SYNONYMS_COMPILE)
	$(SYNONYMS_COMPILE) $< synonyms_default_compiled $@
$(O)/searcher/synonyms_default.o: $(O)/searcher/synonyms_default.c
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -c -o $@ $<

$(LIBSEARCHER): $(call obj,$(SEARCHER_C)) $(O)/searcher/synonyms_default.o
	@rm -f $@
	$(AR) rcs $@ $^ $(if $^,,$(O)/common/alloc.o)

# Everything links with the C++ driver: the bindings need libstdc++.
$(O)/wire-index: $(call obj,indexer/main.c) $(LIBINDEXER) $(LIBWIRE)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LIBS)
$(O)/wire-search: $(call obj,searcher/cli.c) $(LIBSEARCHER) $(LIBWIRE)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LIBS)
$(O)/wire-search.cgi: $(call obj,searcher/cgi.c) $(LIBSEARCHER) $(LIBWIRE)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LIBS)
$(O)/%: $(O)/corpus/tools/%.o $(LIBWIRE)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LIBS)

$(O)/tests/%: $(O)/tests/unit/%.o $(LIBSEARCHER) $(LIBINDEXER) $(LIBWIRE)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LIBS) $(CMOCKA_LIBS)

$(O)/fuzz/%: $(O)/tests/fuzz/%.o $(LIBSEARCHER) $(LIBINDEXER) $(LIBWIRE)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

fuzzers: $(FUZZERS)

-include $(shell find $(O) -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------------------
# Set-up: every Debian package the project needs is named in tools/deps.sh.
deps:
	@tools/deps.sh build
deps-check:
	@tools/deps.sh check

demo: deps
	@$(MAKE) --no-print-directory all
	@tools/demo.sh $(O)

check: deps-check
	@$(MAKE) --no-print-directory all tests
	@$(MAKE) --no-print-directory FUZZ=1 fuzzers
	@tests/run.sh $(O)

# The long forms of the reliability tests (tests/e2e/06*: more kills, crash
# points and reading time; see docs/RELIABILITY.md), with the whole suite.
check-long: deps-check
	@$(MAKE) --no-print-directory all tests
	@WIRE_LONG=1 tests/run.sh $(O)
.PHONY: check-long

# Run every fuzz target for FUZZ_SECONDS (default 60) on its seeds.
FUZZ_SECONDS ?= 60
fuzz: deps-check
	@$(MAKE) --no-print-directory FUZZ=1 fuzzers
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh build-fuzz long

# Benchmarks against SQLite FTS5, Xapian Omega and Groonga on the Reuters
# corpus (not part of check; under 20 minutes): see docs/PERFORMANCE.md.
bench: deps-bench all
	@bench/run.sh
deps-bench:
	@tools/deps.sh bench
.PHONY: bench deps-bench

# How rebuilds and queries scale: 10k, 100k and 1M dispatches from wire-gen
# (up to an hour; input and indexes under SCALE_DIR, default /tmp/wire-scale).
# Writes its section of docs/PERFORMANCE.md; docs/SCALING.md builds on it.
bench-scale: all
	bench/scale.sh $(O)
.PHONY: bench-scale

tests: $(UNIT_TESTS)

# Branch coverage of the whole suite (gcc --coverage, in build-cov/), with
# the modules the reliability issue names reported one by one.
COVERED := common/text.c common/dateline.c common/input.c common/reader.c \
	common/readers/ common/store.c common/xap.cc searcher/query.c \
	searcher/synonyms.c searcher/snippet.c searcher/cgi_params.c searcher/html.c \
	searcher/fastcgi.c
coverage:
	@tools/deps.sh coverage
	@$(MAKE) --no-print-directory O=build-cov OPT='-O0 -g --coverage' LDFLAGS=--coverage all tests
	@tests/run.sh build-cov || true
	@mkdir -p coverage
	gcovr -r . --object-directory build-cov --exclude-unreachable-branches \
		--exclude-throw-branches --print-summary --txt coverage/lines.txt \
		--html-details coverage/index.html $(addprefix --filter ,$(COVERED))
	gcovr -r . --object-directory build-cov --exclude-unreachable-branches \
		--exclude-throw-branches --branches --txt coverage/branches.txt \
		$(addprefix --filter ,$(COVERED))
	@cat coverage/branches.txt

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR) $(DESTDIR)$(CGIDIR)
	install -m 755 $(O)/wire-index $(O)/wire-search $(DESTDIR)$(BINDIR)/
	install -m 755 $(O)/wire-search.cgi $(DESTDIR)$(CGIDIR)/
	install -m 755 $(O)/wire-search.cgi $(DESTDIR)$(BINDIR)/
	install -m 644 man/wire-index.1 man/wire-search.1 man/wire-search.cgi.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 common/synonyms.txt $(DESTDIR)$(DATADIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/wire-index $(DESTDIR)$(BINDIR)/wire-search \
	      $(DESTDIR)$(BINDIR)/wire-search.cgi $(DESTDIR)$(CGIDIR)/wire-search.cgi \
	      $(DESTDIR)$(MANDIR)/man1/wire-index.1 $(DESTDIR)$(MANDIR)/man1/wire-search.1 \
	      $(DESTDIR)$(MANDIR)/man1/wire-search.cgi.1 $(DESTDIR)$(DATADIR)/synonyms.txt

style:
	clang-format -i common/*.[ch] common/*.cc indexer/*.[ch] searcher/*.[ch]

lint:
	@tools/lint.sh

clean:
	rm -rf build build-san tests/out demo.db


.PHONY: FORCE coverage all deps deps-check demo check tests fuzz fuzzers install uninstall style lint clean
