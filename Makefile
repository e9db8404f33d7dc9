# Makefile: builds libsockopt, the sockopt command and the tests into build/.
BUILD ?= build
CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ifeq ($(SAN),1)
CFLAGS += $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)
endif
ALL_CFLAGS := $(WARN) -fPIC -fvisibility=hidden -Iinclude -Isrc/lib -Isrc/util -I$(BUILD)/gen $(CPPFLAGS) $(CFLAGS)

LIB_SRC := $(wildcard src/lib/*.c)
# Every client folder: the command, the lab, the bench and the floors they share (src/util),
# the BPF loaders (src/bpf/*.c; the programs, *.bpf.c, are built by mk/bpf.mk) and the policy.
CLI_SRC := $(filter-out %.bpf.c,$(wildcard src/cli/*.c src/lab/*.c src/bench/*.c src/util/*.c \
	src/bpf/*.c src/policy/*.c))
# Libraries the command links with; mk/*.mk add theirs.
CLI_LIBS := -lm -lmnl
TEST_SRC := $(wildcard tests/test_*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TESTS := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
# The soname follows the API version in the public header.
VERSION_MAJOR := $(shell sed -n 's/^\#define SOCKOPT_VERSION_MAJOR \([0-9]*\).*/\1/p' include/sockopt.h)
VERSION_MINOR := $(shell sed -n 's/^\#define SOCKOPT_VERSION_MINOR \([0-9]*\).*/\1/p' include/sockopt.h)
VERSION := $(VERSION_MAJOR).$(VERSION_MINOR)
SONAME := libsockopt.so.$(VERSION_MAJOR)

.PHONY: all run test check test-run deps deps-build clean bench
all: $(BUILD)/sockopt $(BUILD)/libsockopt.so $(BUILD)/libsockopt.a $(TESTS)

$(BUILD)/gen/optnames.h: src/lib/catalog.def src/lib/gen-optnames.sh
	@mkdir -p $(@D)
	sh src/lib/gen-optnames.sh $< > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c $(BUILD)/gen/optnames.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libsockopt.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libsockopt.so: $(LIB_OBJ) src/lib/libsockopt.map
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=src/lib/libsockopt.map \
		$(LDFLAGS) -o $@ $(LIB_OBJ)

$(BUILD)/sockopt: $(CLI_OBJ) $(BUILD)/libsockopt.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libsockopt.a $(CLI_LIBS)

$(BUILD)/tests/%: tests/%.c $(BUILD)/libsockopt.a tests/testutil.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests $(LDFLAGS) -o $@ $< $(BUILD)/libsockopt.a -lcmocka -lm -lpthread

run: deps-build
	$(MAKE) all
	$(BUILD)/sockopt lab

# sockopt bench beside sockperf and iperf3 on loopback, with the ratios (bench/compare.sh).
bench: deps $(BUILD)/sockopt
	sh bench/compare.sh $(BUILD)

deps:
	@sh tests/deps.sh test

deps-build:
	@sh tests/deps.sh build

test: deps
	$(MAKE) all
	sh tests/run.sh $(BUILD)

check: deps
	$(MAKE) BUILD=build/asan SAN=1 all
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/run.sh build/asan

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
# Packaging, documentation, fuzzing and checks live in mk/*.mk.
include $(wildcard mk/*.mk)
