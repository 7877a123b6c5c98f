# kdoctor. The README's two commands do everything on a fresh Debian 12
# machine (as root): `make demo` and `make test`. Both install what is
# missing first (`make deps`), then build.

# Linked: PCRE2 and libyaml, statically (their .a files come with the same
# -dev packages): each shared library costs every process its loading and
# relocation, and `kdoctor lint` on one file must start in about a
# millisecond. Nothing else is linked but glibc (no libm either).
PKGS_STATIC := libpcre2-8 yaml-0.1
# Loaded on first use (util/lazylib.h): only their headers are needed here,
# so that `kdoctor lint` does not pay for libcurl's start-up, nor for
# cJSON's unless it writes JSON.
PKGS_LAZY := libcurl libarchive libcrypto libisal ncursesw libcjson
PKGS      := $(PKGS_STATIC) $(PKGS_LAZY)
OUT     ?= out
OPT     ?= -O2
SAN     ?=
CC      ?= cc
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0)

# quiet by default; `make V=1` shows the commands
ifeq ($(V),1)
Q :=
say := @true
else
Q := @
say := @printf '  %-5s %s\n'
endif

# pkg-config runs when a rule needs it (deps must be installed by then)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = -Wl,-Bstatic $(shell pkg-config --libs $(PKGS_STATIC)) -Wl,-Bdynamic -ldl
KD_CFLAGS  = -std=c11 -Wall -Wextra -Werror -g $(OPT) -D_GNU_SOURCE -I. $(PKG_CFLAGS) \
             $(SAN) -MMD -MP $(CFLAGS)
KD_LDFLAGS = $(SAN) $(LDFLAGS)
KD_LIBS    = $(PKG_LIBS) -lpthread

LIB_DIRS  := util dockerfile shell lint rules rewrite build report tui
LIB_SRCS  := $(sort $(wildcard $(addsuffix /*.c,$(LIB_DIRS))))
CLI_SRCS  := $(sort $(wildcard cli/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))

# generated sources: the rule table (every KD_RULE( line of rules/*.c) and
# the rule documentation pages embedded for `kdoctor explain`
GEN_SRCS  := $(OUT)/gen/rules_table.c $(OUT)/gen/rule_docs.c
LIB_OBJS  := $(LIB_SRCS:%.c=$(OUT)/obj/%.o) $(GEN_SRCS:$(OUT)/gen/%.c=$(OUT)/obj/gen/%.o)
CLI_OBJS  := $(CLI_SRCS:%.c=$(OUT)/obj/%.o)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(OUT)/obj/%.o)

# out/kdoctor is the static front (cli/front.h): glibc's libc.a, PCRE2 and
# libyaml, no ld.so; it hands the commands that load libraries to
# kdoctor-full, the same program linked dynamically. Its relocations are
# packed (DT_RELR: 0.8 kB instead of 77 kB to read and apply at every
# start). A sanitizer build (SAN set) links the front dynamically too, as
# ASan needs.
KDOCTOR    := $(OUT)/kdoctor
KDOCTOR_FULL := $(OUT)/kdoctor-full
FRONT_OBJS := $(OUT)/obj/front/lazylib.o
ifeq ($(strip $(SAN)),)
FRONT_LINK = -static-pie -Wl,-z,pack-relative-relocs $(FRONT_OBJS) $(OUT)/libkdoctor.a \
             $(shell pkg-config --libs $(PKGS_STATIC)) -lpthread
else
FRONT_LINK = $(OUT)/libkdoctor.a $(KD_LIBS)
endif
UNIT_TESTS := $(OUT)/unit-tests
# test driver for the registry client, store and outputs (tests/registry)
FETCH_TOOL := $(OUT)/fetch-tool
# test and bench driver for build/layer.h (tests/layers, bench/layers.sh)
LAYER_TOOL := $(OUT)/layer-tool
# the corpus check of lint --fix (tests/fix)
FIX_CHECK  := $(OUT)/fix-check
# canonical image dumps for the builder's conformance tests (tests/build)
IMGDUMP    := $(OUT)/imgdump

.PHONY: all deps build demo test test-run test-long asan fuzz fuzz-build bench bench-build format format-check \
        clean install FORCE

all: build

deps:
	@scripts/install-deps.sh

build: $(KDOCTOR) $(KDOCTOR_FULL) $(UNIT_TESTS) $(FETCH_TOOL) $(LAYER_TOOL) $(FIX_CHECK) $(IMGDUMP)

$(OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(KD_CFLAGS) -c $< -o $@

# Generated files are rewritten only when their content changes, so that
# adding or removing a rule file is noticed without needless rebuilds.
$(OUT)/gen/rules_table.c: FORCE
	@mkdir -p $(dir $@)
	$(Q)scripts/gen-rules-table.sh $(sort $(wildcard rules/*.c)) >$@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(OUT)/gen/rule_docs.c: FORCE
	@mkdir -p $(dir $@)
	$(Q)scripts/embed-docs.sh $(sort $(wildcard docs/rules/*.md)) >$@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(OUT)/obj/gen/%.o: $(OUT)/gen/%.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(KD_CFLAGS) -c $< -o $@

# the version string goes only into this object, which is rebuilt each time
$(OUT)/obj/cli/cmd_version.o: KD_CFLAGS += -DKD_VERSION='"$(VERSION)"'
$(OUT)/obj/cli/cmd_version.o: FORCE

$(OUT)/libkdoctor.a: $(LIB_OBJS)
	@rm -f $@
	$(say) AR $@
	$(Q)ar rcs $@ $^

$(KDOCTOR): $(CLI_OBJS) $(FRONT_OBJS) $(OUT)/libkdoctor.a $(KDOCTOR_FULL)
	$(say) LINK $@
	$(Q)$(CC) $(KD_LDFLAGS) -o $@ $(CLI_OBJS) $(FRONT_LINK)

$(KDOCTOR_FULL): $(CLI_OBJS) $(OUT)/libkdoctor.a
	$(say) LINK $@
	$(Q)$(CC) $(KD_LDFLAGS) -o $@ $(CLI_OBJS) $(OUT)/libkdoctor.a $(KD_LIBS)

# the front's util/lazylib.c loads nothing (see util/lazylib.c)
$(OUT)/obj/front/lazylib.o: util/lazylib.c
	@mkdir -p $(dir $@)
	$(say) CC $< '(front)'
	$(Q)$(CC) $(KD_CFLAGS) -DKD_LAZY_FRONT -c $< -o $@

$(UNIT_TESTS): $(UNIT_OBJS) $(OUT)/libkdoctor.a
	$(say) LINK $@
	$(Q)$(CC) $(KD_LDFLAGS) -o $@ $(UNIT_OBJS) $(OUT)/libkdoctor.a $(KD_LIBS)

$(FETCH_TOOL): $(OUT)/obj/tests/registry/fetch_tool.o $(OUT)/libkdoctor.a
	$(say) LINK $@
	$(Q)$(CC) $(KD_LDFLAGS) -o $@ $< $(OUT)/libkdoctor.a $(KD_LIBS)

$(LAYER_TOOL): $(OUT)/obj/tests/layers/layer_tool.o $(OUT)/libkdoctor.a
	$(say) LINK $@
	$(Q)$(CC) $(KD_LDFLAGS) -o $@ $< $(OUT)/libkdoctor.a $(KD_LIBS)

$(FIX_CHECK): $(OUT)/obj/tests/fix/fix_check.o $(OUT)/libkdoctor.a
	$(say) LINK $@
	$(Q)$(CC) $(KD_LDFLAGS) -o $@ $< $(OUT)/libkdoctor.a $(KD_LIBS)

$(IMGDUMP): $(OUT)/obj/tests/build/imgdump.o $(OUT)/libkdoctor.a
	$(say) LINK $@
	$(Q)$(CC) $(KD_LDFLAGS) -o $@ $< $(OUT)/libkdoctor.a $(KD_LIBS)

demo: deps
	@$(MAKE) --no-print-directory build
	@scripts/demo.sh $(KDOCTOR)

test: deps
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory test-run

test-run:
	@KDOCTOR=$(abspath $(KDOCTOR)) UNIT_TESTS=$(abspath $(UNIT_TESTS)) \
	    FETCH_TOOL=$(abspath $(FETCH_TOOL)) LAYER_TOOL=$(abspath $(LAYER_TOOL)) \
	    FIX_CHECK=$(abspath $(FIX_CHECK)) IMGDUMP=$(abspath $(IMGDUMP)) tests/run.sh

# The slow suites (tests/long: faults, load, huge inputs; about 15 minutes).
test-long: deps
	@$(MAKE) --no-print-directory build
	@KD_TESTS_LONG=1 $(MAKE) --no-print-directory test-run

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer.
asan: deps
	@$(MAKE) --no-print-directory OUT=out-asan OPT=-O1 \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" build
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    $(MAKE) --no-print-directory OUT=out-asan test-run

# libFuzzer targets, built with clang; each runs FUZZ_SECONDS (default 20).
FUZZ_SECONDS ?= 20
FUZZ_OUT     := out-fuzz
FUZZ_FLAGS   := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_BINS    := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_OUT)/%)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

fuzz-build:
	@$(MAKE) --no-print-directory OUT=$(FUZZ_OUT) CC=clang OPT=-O1 SAN="$(FUZZ_FLAGS)" \
	    $(FUZZ_OUT)/libkdoctor.a $(FUZZ_BINS)

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OUT)/libkdoctor.a
	$(say) LINK $@
	$(Q)clang $(KD_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_OUT)/libkdoctor.a $(KD_LIBS) -o $@

bench: build
	@bench/parse.sh $(KDOCTOR)
	@bench/lint.sh $(KDOCTOR)
	@bench/layers.sh $(LAYER_TOOL)

# kdoctor build against buildah and BuildKit on a tiny and a 900 MB base
# (heavy: minutes, GBs of disk; run it on a quiet machine)
bench-build: build
	@bench/build.sh $(KDOCTOR)

format:
	clang-format -i $(LIB_SRCS) $(CLI_SRCS) $(UNIT_SRCS) $(FUZZ_SRCS) \
	    $(wildcard $(addsuffix /*.h,$(LIB_DIRS) cli tests/unit))

format-check:
	clang-format --dry-run --Werror $(LIB_SRCS) $(CLI_SRCS)

PREFIX ?= /usr/local
install: $(KDOCTOR) $(KDOCTOR_FULL)
	install -D -m 0755 $(KDOCTOR) $(DESTDIR)$(PREFIX)/bin/kdoctor
	install -D -m 0755 $(KDOCTOR_FULL) $(DESTDIR)$(PREFIX)/libexec/kdoctor/kdoctor-full

clean:
	rm -rf out out-asan out-fuzz

FORCE:

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(OUT)/obj/tests/registry/fetch_tool.d \
	$(OUT)/obj/tests/layers/layer_tool.d $(OUT)/obj/tests/fix/fix_check.d $(OUT)/obj/tests/build/imgdump.d
