# faultline - GNU Makefile (make 4.3). Out-of-tree builds:
#   build/       release build (-O2 -g)
#   build-asan/  ASan + UBSan build: make BUILD=build-asan SAN=1
#   build-fuzz/  clang libFuzzer build of the fuzz targets
# `make test` runs everything a commit must pass; `make run` starts the engine.

BUILD    ?= build
CC       := gcc
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Wshadow -Wconversion -Wformat=2 -Wvla -Wundef \
            -Wstrict-prototypes -Wmissing-prototypes -Wimplicit-fallthrough
WARN     += $(if $(WERROR),-Werror)
CPPFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -I. -I$(BUILD)/grammar -MMD -MP
# libpq: the store on PostgreSQL (engine/store/store_pg.c)
CPPFLAGS += $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ifeq ($(SAN),1)
CFLAGS   += $(SANFLAGS) -DFL_DEBUG
LDFLAGS  += $(SANFLAGS)
endif
# Release builds optimise the engine across its files at link time: an
# event's path crosses a dozen of them (decode, prefilter, regex, keys,
# incidents, JSON), and gcc then inlines and lays out that path as one
# (docs/bench-peers.md, "Across files"). The objects keep their ordinary code
# too (fat), so the tests, fuzz replayers and benchmarks link them without
# the whole-program pass (NO_LTO) and build in a second, not half a minute.
# LTO=0 turns it off; sanitizer and fuzz builds never use it.
ifeq ($(SAN)$(FUZZ),)
LTO      ?= 1
endif
LTOFLAGS := $(if $(filter 1,$(LTO)),-flto=auto -ffat-lto-objects)
LTO_LINK := $(if $(filter 1,$(LTO)),-flto=auto)
NO_LTO   := $(if $(filter 1,$(LTO)),-fno-lto)
ifeq ($(FUZZ),1)
CFLAGS   += -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer
endif
LDLIBS   := -lpcre2-8 -lrelp -lgnutls -lsqlite3 -lpq -lcurl -lmicrohttpd -lnettle -lcrypt -ldl -lpthread -lm

FL_SHARED ?= $(abspath ../shared)
export FL_SHARED

# --- sources ---------------------------------------------------------------
GRAMMAR_Y := $(wildcard grammar/*.y)
GRAMMAR_L := $(wildcard grammar/*.l)
GEN_C     := $(GRAMMAR_Y:grammar/%.y=$(BUILD)/grammar/%.c) $(GRAMMAR_L:grammar/%.l=$(BUILD)/grammar/%.c)
GEN_H     := $(GEN_C:.c=.h)
SRC       := $(wildcard engine/*/*.c grammar/*.c)
OBJ       := $(SRC:%.c=$(BUILD)/%.o) $(GEN_C:.c=.o)
LIB_OBJ   := $(filter-out $(BUILD)/engine/cli/main.o,$(OBJ))
BIN       := $(BUILD)/faultline

TEST_SRC  := $(wildcard tests/unit/test_*.c)
TEST_OBJ  := $(TEST_SRC:%.c=$(BUILD)/%.o)
TEST_BIN  := $(BUILD)/tests/unit/unit_tests
TEST_WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wvla $(if $(WERROR),-Werror)

FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_TARGETS := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
REPLAY_BIN   := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay_%)

PLUGIN_SRC := $(wildcard plugins/*.c)
PLUGIN_SO  := $(PLUGIN_SRC:plugins/%.c=$(BUILD)/plugins/%.so)
# Engine sources compiled into every plugin (-fPIC) for the formatting they share.
PLUGIN_LIB := engine/lib/buf.c engine/lib/json.c engine/lib/utf8.c engine/notify/mime.c engine/notify/ucs2.c engine/notify/notify_util.c
TEST_PLUGIN_SO := $(patsubst tests/plugins/%.c,$(BUILD)/tests/plugins/%.so,$(wildcard tests/plugins/*.c))

BENCH_SRC := $(wildcard bench/bench_*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

FUZZ_SECONDS       ?= 300
FUZZ_SMOKE_SECONDS ?= 15

.PHONY: all deps deps-run run test unit pgtest diag layout golden e2e e2e-loaded clock fuzz fuzz-replay soak \
	fuzz-smoke fuzz-build bench install install-check package package-test clean
.DEFAULT_GOAL := all
# Keep bison/flex output: as intermediates make would delete it after each build
# and regenerate the grammar (and rebuild its objects) every time.
.SECONDARY: $(GEN_C) $(GEN_H)

all: $(BIN) $(PLUGIN_SO)

# scripts/deps.sh installs the Debian packages of the sets named: runtime,
# build, test, package. Running needs the first two; the tests all but package.
deps:
	@sh scripts/deps.sh runtime build test

deps-run:
	@sh scripts/deps.sh runtime build

# --- compile ---------------------------------------------------------------
$(BUILD)/%.o: %.c | $(GEN_H)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LTOFLAGS) $(WARN) -c -o $@ $<

$(BUILD)/grammar/%.o: $(BUILD)/grammar/%.c | $(GEN_H)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LTOFLAGS) $(WARN) -c -o $@ $<

$(BUILD)/grammar/%.c $(BUILD)/grammar/%.h: grammar/%.y
	@mkdir -p $(@D)
	bison -Wall -Werror --header=$(BUILD)/grammar/$*.h -o $(BUILD)/grammar/$*.c $<

$(BUILD)/grammar/%.c $(BUILD)/grammar/%.h: grammar/%.l
	@mkdir -p $(@D)
	flex --header-file=$(BUILD)/grammar/$*.h -o $(BUILD)/grammar/$*.c $<

# The board page is assembled into the API (engine/api/api_board.c: .incbin).
$(BUILD)/engine/api/api_board.o: dist/board/index.html

$(BIN): $(OBJ)
	$(CC) $(CFLAGS) $(LTO_LINK) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/plugins/%.so: plugins/%.c $(PLUGIN_LIB) $(PLUGIN_LIB:.c=.h) plugins/fl_plugin.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -fPIC -shared -fvisibility=hidden $(LDFLAGS) -o $@ $(filter %.c,$^) $(LDLIBS)

$(BUILD)/tests/plugins/%.so: tests/plugins/%.c plugins/fl_plugin.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -fPIC -shared -fvisibility=hidden $(LDFLAGS) -o $@ $< $(LDLIBS)

$(BUILD)/tests/%.o: tests/%.c | $(GEN_H)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TEST_WARN) -c -o $@ $<

$(TEST_BIN): $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(NO_LTO) $(LDFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

$(BUILD)/fuzz/replay_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay_main.o $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(NO_LTO) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(NO_LTO) $(LDFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS)

# --- run -------------------------------------------------------------------
# The bundled plan on the example network (examples/network), so a clone runs
# alone, with the options of dist/faultline-dev.conf (RUN_CONFIG). RUN_DATA=DIR
# runs it on another network's CSV files; RUN_ARGS adds options, which
# override the file's.
RUN_CONFIG ?= dist/faultline-dev.conf
RUN_ARGS ?=
RUN_DATA ?=
run: deps-run
	@$(MAKE) --no-print-directory all
	@mkdir -p var
	@echo "faultline: the bundled plan on $(or $(RUN_DATA),examples/network), live on loopback ($(RUN_CONFIG)); actions print below as JSON Lines."
	@echo "  tickets in var/faultline.db, notifications in var/notifications.jsonl; Ctrl-C stops."
	@echo "  send a test fibre cut (both ends of span MY-SK-R01-S02 lose light):"
	@echo "    unshare -r -u sh -c 'hostname MY-SK-HT-OSN01; logger -d -n 127.0.0.1 -P 5514 --rfc3164 -t OSN \"R_LOS raised port=1-8-1\"'"
	@echo "    unshare -r -u sh -c 'hostname MY-SK-SP-OSN01; logger -d -n 127.0.0.1 -P 5514 --rfc3164 -t OSN \"R_LOS raised port=1-7-1\"'"
	@echo "    (logger writes the machine's name as the device: unshare gives it the device's)"
	@echo "  its ticket, about 30 s later (the plan holds a cut that long):"
	@echo "    $(BIN) tickets --db var/faultline.db list"
	@echo "  send a trap:  snmptrap -v 2c -c public 127.0.0.1:16162 '' 1.3.6.1.6.3.1.1.5.3"
	@echo "  other inputs: TCP 127.0.0.1:5514, RELP 127.0.0.1:2514"
	@echo "  the duty room's board: http://127.0.0.1:8514/ (read-only without a users file: docs/api.md)"
	$(abspath $(BIN)) run -C $(RUN_CONFIG) $(if $(RUN_DATA),--data $(RUN_DATA)) $(RUN_ARGS)

# --- install and package ----------------------------------------------------
# make install PREFIX=/usr DESTDIR=/tmp/root: the binary, the plugins, the
# bundled rules and examples, the man pages, the systemd unit and the default
# config (never over one already there: an operator's edits stay).
PREFIX        ?= /usr/local
DESTDIR       ?=
BINDIR        ?= $(PREFIX)/bin
PKGLIBDIR     ?= $(PREFIX)/lib/faultline
PKGDATADIR    ?= $(PREFIX)/share/faultline
MANDIR        ?= $(PREFIX)/share/man
SYSCONFDIR    ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR       ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
LOCALSTATEDIR ?= /var
INSTALL       ?= install
SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@PKGLIBDIR@|$(PKGLIBDIR)|g' \
	-e 's|@PKGDATADIR@|$(PKGDATADIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	-e 's|@STATEDIR@|$(LOCALSTATEDIR)/lib/faultline|g'

install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGLIBDIR)/plugins $(DESTDIR)$(PKGDATADIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSCONFDIR)/faultline
	$(INSTALL) -m 755 $(BIN) $(DESTDIR)$(BINDIR)/faultline
	$(INSTALL) -m 644 $(PLUGIN_SO) $(DESTDIR)$(PKGLIBDIR)/plugins/
	@set -e; for f in $$(git ls-files rules examples 2>/dev/null || find rules examples -type f); do \
		$(INSTALL) -D -m 644 $$f $(DESTDIR)$(PKGDATADIR)/$$f; done
	$(INSTALL) -m 644 dist/man/faultline.1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 644 dist/man/faultline.conf.5 dist/man/faultline-plan.5 $(DESTDIR)$(MANDIR)/man5/
	$(SUBST) dist/faultline.service.in >$(DESTDIR)$(UNITDIR)/faultline.service
	chmod 644 $(DESTDIR)$(UNITDIR)/faultline.service
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/faultline/faultline.conf ]; then \
		echo "install: keeping $(DESTDIR)$(SYSCONFDIR)/faultline/faultline.conf"; \
	else \
		$(SUBST) dist/faultline.conf.in >$(DESTDIR)$(SYSCONFDIR)/faultline/faultline.conf; \
		chmod 640 $(DESTDIR)$(SYSCONFDIR)/faultline/faultline.conf; \
	fi

# The layout `make install DESTDIR=... PREFIX=/usr` gives (tests/install/run.sh).
install-check: all
	FL_BUILD=$(abspath $(BUILD)) sh tests/install/run.sh

# A Debian package from a clean copy of the tracked tree, built with
# dpkg-buildpackage; the .deb lands in $(BUILD)/package/ and its contents are
# checked (tests/package/run.sh). Minutes of compiling: not part of `make test`.
package:
	@sh scripts/deps.sh runtime build package
	FL_BUILD=$(abspath $(BUILD)) sh tests/package/run.sh

# The package installed, started, fed a fibre cut, reloaded, restarted and
# purged on a Debian whose PID 1 is systemd (debootstrap, systemd-nspawn; the
# root is cached in $(BUILD)/package/systemd/). Needs root; not in `make test`.
package-test: package
	FL_BUILD=$(abspath $(BUILD)) sh tests/package/systemd.sh

# --- tests -----------------------------------------------------------------
# The full gate: release and sanitizer builds warning-free, unit tests in both,
# fuzz corpus and regressions replayed under ASan, a short libFuzzer run of each
# target, the end-to-end tests against the sanitizer binary with every core
# kept busy, and the release build's tests again on a clock moved a year ahead
# and across a new year (tests/clock/run.sh).
test: deps
	@$(MAKE) --no-print-directory WERROR=1 all unit pgtest diag layout install-check
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 WERROR=1 all unit pgtest fuzz-replay diag
	@$(MAKE) --no-print-directory fuzz-smoke
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 WERROR=1 e2e-loaded
	@$(MAKE) --no-print-directory WERROR=1 clock

# Criterion's --timeout has been seen not to end a test stuck in a
# condition wait: the whole run also has an outer limit, so a hang fails.
unit: $(TEST_BIN) $(TEST_PLUGIN_SO)
	@echo "== unit tests ($(BUILD))"
	FL_ROOT=$(CURDIR) LSAN_OPTIONS=suppressions=$(CURDIR)/tests/unit/lsan.supp \
		timeout -k 10 1200 $(TEST_BIN) --jobs 2 --timeout 60

# The store's suites again on PostgreSQL (their _pg twins, skipped in
# `unit`), against a server started for them in a temporary directory.
pgtest: $(TEST_BIN) $(TEST_PLUGIN_SO)
	@echo "== the store on PostgreSQL ($(BUILD))"
	FL_ROOT=$(CURDIR) LSAN_OPTIONS=suppressions=$(CURDIR)/tests/unit/lsan.supp \
		timeout -k 10 900 sh tests/pg/with_pg.sh \
		$(TEST_BIN) --jobs 2 --timeout 60 --filter '*_pg*/*'

# Plan diagnostics (exact stderr of `faultline check`), dump golden files, and
# the bundled plans checked warning-free against the sample data.
diag: all
	@echo "== plan diagnostics and golden dumps ($(BUILD))"
	FAULTLINE=$(abspath $(BIN)) sh tests/diag/run.sh
	FAULTLINE=$(abspath $(BIN)) sh tests/golden/run.sh
	@set -e; for p in rules/*.plan; do [ -e "$$p" ] || continue; \
		$(BIN) check $$p --data $(FL_SHARED)/data --warnings-as-errors; done

# The tree's shape: wings import down the pipeline, no source over 1,200 lines.
layout:
	@echo "== layout"
	@sh tests/layout/run.sh

# Rewrites tests/diag/*.expected and tests/golden/*.dump: review the diff.
golden: all
	UPDATE=1 FAULTLINE=$(abspath $(BIN)) sh tests/diag/run.sh
	UPDATE=1 FAULTLINE=$(abspath $(BIN)) sh tests/golden/run.sh

e2e: all
	@echo "== end-to-end tests ($(BUILD))"
	FAULTLINE=$(abspath $(BIN)) FL_BUILD=$(abspath $(BUILD)) sh tests/e2e/run.sh

# The same on a loaded machine: stress-ng keeps every core busy meanwhile, so
# a test tuned to an idle machine fails here rather than on a busy CI host.
e2e-loaded: all
	@echo "== end-to-end tests ($(BUILD)), every core kept busy by stress-ng"
	@stress-ng --cpu $$(nproc) --timeout 3000s --quiet & load=$$!; \
	FAULTLINE=$(abspath $(BIN)) FL_BUILD=$(abspath $(BUILD)) sh tests/e2e/run.sh; rc=$$?; \
	kill $$load; wait $$load 2>/dev/null; exit $$rc

# The release build's tests with the clock a year ahead and across a new year.
clock: all $(TEST_BIN) $(TEST_PLUGIN_SO)
	@echo "== tests on a moved clock ($(BUILD))"
	FAULTLINE=$(abspath $(BIN)) FL_BUILD=$(abspath $(BUILD)) sh tests/clock/run.sh

fuzz-replay: $(REPLAY_BIN)
	@echo "== fuzz corpus and regression replay ($(BUILD))"
	@set -e; for t in $(FUZZ_TARGETS); do \
		$(BUILD)/fuzz/replay_$$t tests/fuzz/corpus/$$t tests/fuzz/regress/$$t; done

fuzz-build:
	$(if $(FUZZ_TARGETS),@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang FUZZ=1 \
		$(FUZZ_TARGETS:%=build-fuzz/fuzz/fuzz_%))

build-fuzz/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $^ $(LDLIBS)

# Runs each libFuzzer target on a scratch copy of its corpus, so new inputs
# never land in the repository unreviewed. A crash writes crash-* there.
fuzz-smoke fuzz: fuzz-build
	@set -e; secs=$(if $(filter fuzz,$@),$(FUZZ_SECONDS),$(FUZZ_SMOKE_SECONDS)); \
	for t in $(FUZZ_TARGETS); do \
		work=$$(mktemp -d); cp -r tests/fuzz/corpus/$$t/. $$work/ 2>/dev/null || true; \
		dict=""; if [ -f tests/fuzz/$$t.dict ]; then dict=-dict=tests/fuzz/$$t.dict; fi; \
		echo "== fuzz $$t for $${secs}s"; \
		build-fuzz/fuzz/fuzz_$$t $$dict -max_total_time=$$secs -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix=build-fuzz/ $$work 2>&1 | tail -n 12; \
		rm -rf $$work; \
	done; ! ls build-fuzz/crash-* build-fuzz/leak-* build-fuzz/timeout-* 2>/dev/null

# --- bench -----------------------------------------------------------------
bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	FAULTLINE=$(abspath $(BIN)) FL_BUILD=$(abspath $(BUILD)) sh bench/run.sh

# kill -9 of `faultline run` at random points of a storm of cuts (SOAK_KILLS
# times, default 100): tickets lost, notifications lost and delivered more
# than twice must all be 0; SOAK_SEED picks other kill moments. Minutes, so
# not part of `make test`.
SOAK_KILLS ?= 100
SOAK_SEED ?= 20261205
soak: deps all
	python3 tests/soak/soak.py $(abspath $(BIN)) $(abspath $(BUILD))/plugins $(SOAK_KILLS) $(SOAK_SEED)

clean:
	rm -rf build build-asan build-fuzz

-include $(OBJ:.o=.d) $(TEST_OBJ:.o=.d)
