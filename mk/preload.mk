# preload.mk: libsockopt-preload.so (src/preload/ and the library, linked statically), the programs the preload tests run, make bench-run.
PREFIX ?= /usr/local
PKGLIBDIR ?= $(PREFIX)/lib/sockopt

# The shim is loaded into programs built without sanitizers, so it never carries them, nor
# does its copy of the library (an instrumented shim would need the ASan runtime loaded first).
PRELOAD_CFLAGS := $(filter-out $(SAN_FLAGS),$(ALL_CFLAGS))
ifeq ($(SAN),1)
PRELOAD_OBJDIR := $(BUILD)/obj-nosan
else
PRELOAD_OBJDIR := $(BUILD)/obj
endif
PRELOAD_SRC := $(wildcard src/preload/*.c)
PRELOAD_OBJ := $(PRELOAD_SRC:%.c=$(PRELOAD_OBJDIR)/%.o) $(LIB_SRC:%.c=$(PRELOAD_OBJDIR)/%.o)

# Test programs: tests/progs/NAME.c is a program, tests/progs/libNAME.c a preload library.
PROG_SRC := $(wildcard tests/progs/*.c)
PROG_LIBS := $(patsubst tests/progs/%.c,$(BUILD)/tests/progs/%.so,$(filter tests/progs/lib%,$(PROG_SRC)))
PROGS := $(patsubst tests/progs/%.c,$(BUILD)/tests/progs/%,$(filter-out tests/progs/lib%,$(PROG_SRC)))

.PHONY: bench-run
all: $(BUILD)/libsockopt-preload.so $(PROGS) $(PROG_LIBS)

$(BUILD)/obj-nosan/%.o: %.c $(BUILD)/gen/optnames.h
	@mkdir -p $(@D)
	$(CC) $(PRELOAD_CFLAGS) -MMD -MP -c $< -o $@

# Only the wrapped libc names are exported (check with nm -D --defined-only).
$(BUILD)/libsockopt-preload.so: $(PRELOAD_OBJ) src/preload/preload.map
	$(CC) -shared -Wl,--version-script=src/preload/preload.map -Wl,-z,defs \
		$(filter-out $(SAN_FLAGS),$(LDFLAGS)) -o $@ $(PRELOAD_OBJ) -lm -ldl -lpthread

# sockopt run looks for the shim beside itself, then in the installed PKGLIBDIR.
$(BUILD)/obj/src/cli/cmd_run.o: ALL_CFLAGS += -DSOCKOPT_LIBDIR='"$(PKGLIBDIR)"'

$(BUILD)/tests/progs/%: tests/progs/%.c
	@mkdir -p $(@D)
	$(CC) $(PRELOAD_CFLAGS) -o $@ $< -lpthread

$(BUILD)/tests/progs/%.so: tests/progs/%.c
	@mkdir -p $(@D)
	$(CC) $(PRELOAD_CFLAGS) -shared -o $@ $< -ldl

bench-run: all
	sh tests/bench_run.sh $(BUILD)

-include $(PRELOAD_OBJ:.o=.d)
