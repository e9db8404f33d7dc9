# policy.mk: the policy parser's unit test links the policy objects too; export serves HTTP with libmicrohttpd.
POLICY_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard src/policy/*.c))

$(BUILD)/tests/test_policy: tests/test_policy.c $(POLICY_OBJ) $(BUILD)/libsockopt.a tests/testutil.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -Isrc/policy $(LDFLAGS) -o $@ $< $(POLICY_OBJ) $(BUILD)/libsockopt.a \
		-lcmocka -lm -lpthread

# The policy fuzz target is built with its sources instrumented like the library (mk/fuzz.mk).
$(FUZZ_BUILD)/fuzz_policy: fuzz/fuzz_policy.c fuzz/fuzz.h $(wildcard src/policy/*.[ch]) \
		$(FUZZ_BUILD)/libsockopt.a
	$(FUZZ_CC) $(WARN) $(FUZZ_CFLAGS) $(FUZZ_COVERAGE) -fsanitize=fuzzer -Iinclude -Isrc/policy -o $@ $< \
		$(wildcard src/policy/*.c) $(FUZZ_BUILD)/libsockopt.a

# sockopt export --listen serves /metrics with libmicrohttpd, which it opens with dlopen
# (src/cli/cmd_export.c): the command is not linked with it.
