# fuzz.mk: make fuzz: libFuzzer targets (fuzz/fuzz_*.c) built with clang, ASan and UBSan, each run FUZZ_SECONDS.
FUZZ_BUILD := build/fuzz
FUZZ_CC ?= clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN)
FUZZ_COVERAGE := -fsanitize=fuzzer-no-link -fsanitize-coverage-ignorelist=fuzz/coverage-ignore.txt
FUZZ_SECONDS ?= 10
FUZZ_TARGETS := $(patsubst fuzz/%.c,$(FUZZ_BUILD)/%,$(wildcard fuzz/fuzz_*.c))

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_TARGETS)

# Each target runs from its committed seeds (fuzz/corpus/NAME) into a scratch corpus under
# build/fuzz, so the seeds stay small; fuzz/run.sh prints the executions and fails on a crash.
fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do sh fuzz/run.sh $$t $(FUZZ_SECONDS) || exit 1; done

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(FUZZ_BUILD)/libsockopt.a
	$(FUZZ_CC) $(WARN) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Iinclude -o $@ $< $(FUZZ_BUILD)/libsockopt.a

# The library itself is built by this Makefile with BUILD=build/fuzz, instrumented for coverage.
ifneq ($(BUILD),$(FUZZ_BUILD))
.PHONY: $(FUZZ_BUILD)/libsockopt.a
$(FUZZ_BUILD)/libsockopt.a:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) CFLAGS="$(FUZZ_CFLAGS) $(FUZZ_COVERAGE)" $@
endif
