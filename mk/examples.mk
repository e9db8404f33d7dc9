# examples.mk: the example client and server, built by `make` into build/examples/.
EXAMPLE_SRC := $(wildcard examples/*.c)
EXAMPLES := $(EXAMPLE_SRC:examples/%.c=$(BUILD)/examples/%)

all: $(EXAMPLES)

$(BUILD)/examples/%: examples/%.c $(BUILD)/libsockopt.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libsockopt.a
