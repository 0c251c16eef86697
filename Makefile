# pstfix - build, test, demo.  GNU make.
#
#   make            build bin/pstfix (with -Wall -Wextra -Werror)
#   make setup      install the Debian packages the build and tests need
#   make check      setup, then every test: unit (Check), CLI and corpus
#                   tests, the same suite again under ASan+UBSan, and a
#                   short fuzz run
#   make demo       setup, build, scan a sample
#   make fuzz       build the libFuzzer harnesses (clang)
#   make fuzz-smoke run each harness for FUZZ_SECONDS on the corpus seeds
#   make samples    write the sample PSTs of samples/recipes
#   make bench      benchmarks beside pffinfo/readpst (bench/README.md)
#   make install    bin/pstfix, the man page, the bash completion and the
#                   docs under $(DESTDIR)$(PREFIX) (PREFIX=/usr/local)
#   make uninstall  remove what install put there

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Wformat=2
CPPFLAGS += -D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE -std=c11
LIBS    := -lz -lpff -lssl -lcrypto -lpthread

BUILD   ?= build
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer \
           -fno-sanitize-recover=all
FUZZ_SECONDS ?= 20

LIB_SRC  := $(sort $(wildcard formats/*/*.c pstfix/*/*.c))
LIB_SRC  := $(filter-out pstfix/cli/main.c,$(LIB_SRC))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))

# Debian packages: build, tests, oracles, the SMTP test server.
DEB_PKGS := build-essential pkg-config zlib1g-dev libpff-dev check \
            pff-tools pst-utils libssl-dev python3 python3-aiosmtpd \
            clang libclang-rt-dev bc time s-nail openssl swaks msmtp \
            valgrind man-db groff-base bash-completion parallel

define objs
$(patsubst %.c,$(1)/%.o,$(2))
endef

.PHONY: all setup check demo test unit clitest san fuzz fuzz-smoke fuzz-cov \
        bench clean pstfix samples install uninstall

all: bin/pstfix

# ---- the normal build ----
$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c $< -o $@

$(BUILD)/libpstfix.a: $(call objs,$(BUILD),$(LIB_SRC))
	@rm -f $@
	ar rcs $@ $^

# the binary lives in bin/: ./pstfix is the application's source folder
bin/pstfix: $(BUILD)/pstfix/cli/main.o $(BUILD)/libpstfix.a
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

pstfix: bin/pstfix

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/libpstfix.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS) $$(pkg-config --libs check)

UNIT_BIN := $(patsubst %.c,$(BUILD)/%,$(UNIT_SRC))

# ---- the sanitizer build: same sources, separate objects ----
SBUILD := build-san
$(SBUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -O1 -g $(SAN) $(WARN) -MMD -MP -c $< -o $@

$(SBUILD)/libpstfix.a: $(call objs,$(SBUILD),$(LIB_SRC))
	@rm -f $@
	ar rcs $@ $^

$(SBUILD)/bin/pstfix: $(SBUILD)/pstfix/cli/main.o $(SBUILD)/libpstfix.a
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -o $@ $^ $(LIBS)

$(SBUILD)/tests/unit/%: $(SBUILD)/tests/unit/%.o $(SBUILD)/libpstfix.a
	$(CC) $(SAN) -o $@ $^ $(LIBS) $$(pkg-config --libs check)

SUNIT_BIN := $(patsubst %.c,$(SBUILD)/%,$(UNIT_SRC))

# ---- set-up: say what runs, then run it ----
setup:
	@missing=$$(for p in $(DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
	    grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	    echo "setup: will run: $$sudo apt-get install -y $$missing"; \
	    $$sudo apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq \
	        $$missing; \
	else echo "setup: all Debian packages present"; fi
	@$(MAKE) --no-print-directory $(NPM_DIR)/node_modules/smtp-server

# npm's smtp-server, the XOAUTH2 test server (tests/smtp/xoauth2.js), in
# build/npm; skipped (and its test skips) when node/npm are absent.
NPM_DIR := $(BUILD)/npm
$(NPM_DIR)/node_modules/smtp-server:
	@if command -v npm >/dev/null 2>&1; then \
	    echo "setup: will run: npm install --prefix $(NPM_DIR)" \
	         "smtp-server@3"; \
	    mkdir -p $(NPM_DIR) && \
	    npm install --prefix $(NPM_DIR) --no-audit --no-fund \
	        smtp-server@3; \
	else echo "setup: npm absent, the XOAUTH2 test will skip"; fi

# ---- tests ----
# tests/tools/pstcorrupt: the image tests' corruption tool (not installed)
CORRUPT := $(BUILD)/tests/tools/pstcorrupt
$(CORRUPT): $(call objs,$(BUILD),$(wildcard tests/tools/pstcorrupt*.c)) \
            $(BUILD)/libpstfix.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

# tests/tools/smtpc: the SMTP tests' driver of pstfix/smtp (not installed)
SMTPC := $(BUILD)/tests/tools/smtpc
$(SMTPC): $(BUILD)/tests/tools/smtpc.o $(BUILD)/libpstfix.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

SSMTPC := $(SBUILD)/tests/tools/smtpc
$(SSMTPC): $(SBUILD)/tests/tools/smtpc.o $(SBUILD)/libpstfix.a
	$(CC) $(SAN) -o $@ $^ $(LIBS)

unit: $(UNIT_BIN)
	@tests/run-unit $(UNIT_BIN)

clitest: bin/pstfix $(CORRUPT) $(SMTPC)
	@PSTFIX=bin/pstfix tests/run-cli

san: $(SUNIT_BIN) $(SBUILD)/bin/pstfix $(CORRUPT) $(SSMTPC)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 tests/run-unit $(SUNIT_BIN)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
	 PSTFIX=$(SBUILD)/bin/pstfix SMTPC=$(SSMTPC) tests/run-cli

test: unit clitest

check: setup
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory san
	@$(MAKE) --no-print-directory fuzz-smoke

demo: setup
	@$(MAKE) --no-print-directory bin/pstfix
	@samples/demo

# ---- fuzzing (clang + libFuzzer) ----
FBUILD := build-fuzz
# undefined behaviour stops the run and leaves an artifact, as a crash does
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined \
              -fno-sanitize-recover=all -g -O1
$(FBUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) $(FUZZ_FLAGS) -Wall -Wextra -Werror -MMD -MP -c $< -o $@

$(FBUILD)/libpstfix.a: $(call objs,$(FBUILD),$(LIB_SRC))
	@rm -f $@
	ar rcs $@ $^

# fixcrc.c (the checksum-fixing mode, tests/fuzz/fixcrc.h) and fzread.c
# (read a PC or TC through) are linked into
# every harness; their names keep them out of the fuzz_*.c wildcard.
FUZZ_HELP := $(FBUILD)/tests/fuzz/fixcrc.o $(FBUILD)/tests/fuzz/fzread.o
$(FBUILD)/tests/fuzz/%: $(FBUILD)/tests/fuzz/%.o $(FUZZ_HELP) \
		$(FBUILD)/libpstfix.a
	clang -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)

# mkseeds: seeds for the harnesses that do not take a whole file
# (tests/fuzz/long); a tool, not a harness.
$(FBUILD)/tests/fuzz/mkseeds: $(FBUILD)/tests/fuzz/mkseeds.o \
		$(FBUILD)/libpstfix.a
	clang -fsanitize=address,undefined -o $@ $^ $(LIBS)

FUZZ_BIN := $(patsubst %.c,$(FBUILD)/%,$(FUZZ_SRC))
fuzz: $(FUZZ_BIN) $(FBUILD)/tests/fuzz/mkseeds

# Coverage build of the harnesses (tests/fuzz/coverage reads it with
# llvm-profdata/llvm-cov): no sanitizers, clang's source-based coverage.
FCBUILD := build-fuzzcov
FCOV_FLAGS := -fsanitize=fuzzer-no-link -fprofile-instr-generate \
              -fcoverage-mapping -g -O1
$(FCBUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) $(FCOV_FLAGS) -MMD -MP -c $< -o $@

$(FCBUILD)/libpstfix.a: $(call objs,$(FCBUILD),$(LIB_SRC))
	@rm -f $@
	ar rcs $@ $^

$(FCBUILD)/tests/fuzz/%: $(FCBUILD)/tests/fuzz/%.o \
		$(patsubst $(FBUILD)/%,$(FCBUILD)/%,$(FUZZ_HELP)) \
		$(FCBUILD)/libpstfix.a
	clang -fsanitize=fuzzer -fprofile-instr-generate -o $@ $^ $(LIBS)

fuzz-cov: $(patsubst %.c,$(FCBUILD)/%,$(FUZZ_SRC))

fuzz-smoke: fuzz
	@tests/fuzz/smoke $(FUZZ_SECONDS) $(FUZZ_BIN)

samples: bin/pstfix
	@samples/make-samples

bench: bin/pstfix
	@bench/run

# ---- install: one binary (it needs the runtime libraries of
# libpff1, zlib1g, libssl3), its manual, its completion and its docs ----
PREFIX  ?= /usr/local
DESTDIR ?=
INSTALL ?= install
BINDIR  := $(PREFIX)/bin
MAN1DIR := $(PREFIX)/share/man/man1
COMPDIR := $(PREFIX)/share/bash-completion/completions
DOCDIR  := $(PREFIX)/share/doc/pstfix
INSTALLED := $(BINDIR)/pstfix $(MAN1DIR)/pstfix.1 $(COMPDIR)/pstfix \
             $(DOCDIR)/README.md $(DOCDIR)/problems.md \
             $(DOCDIR)/examples/batch.sh

install: bin/pstfix
	$(INSTALL) -D -m 0755 bin/pstfix $(DESTDIR)$(BINDIR)/pstfix
	$(INSTALL) -D -m 0644 docs/pstfix.1 $(DESTDIR)$(MAN1DIR)/pstfix.1
	$(INSTALL) -D -m 0644 completion/pstfix.bash $(DESTDIR)$(COMPDIR)/pstfix
	$(INSTALL) -D -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	$(INSTALL) -D -m 0644 docs/problems.md $(DESTDIR)$(DOCDIR)/problems.md
	$(INSTALL) -D -m 0755 docs/examples/batch.sh \
	    $(DESTDIR)$(DOCDIR)/examples/batch.sh

# Removes the files install wrote, then pstfix's own doc folders if
# empty; shared folders (bin, man1, ...) stay.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null || true

clean:
	rm -rf $(BUILD) $(SBUILD) $(FBUILD) $(FCBUILD) bin

.SECONDARY:

-include $(shell find $(BUILD) $(SBUILD) $(FBUILD) $(FCBUILD) -name '*.d' 2>/dev/null)
