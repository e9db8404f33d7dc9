# bpf.mk: src/bpf/*.bpf.c -> $(BUILD)/bpf/NAME.bpf.o (clang, CO-RE) -> $(BUILD)/gen/NAME.skel.h (bpftool), linked into the command.
#
# A skeleton embeds its whole object file as bytes, so the command carries
# its BPF programs inside itself: nothing under $(BUILD)/bpf is installed
# or read at run time.  The loaders (src/bpf/*.c, compiled by the Makefile's
# CLI_SRC) include their skeletons, and wait for them below.
BPF_CLANG ?= clang
BPFTOOL ?= bpftool
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' \
	-e 's/s390x/s390/' -e 's/riscv64/riscv/' -e 's/loongarch64/loongarch/')
# The kernel's uapi headers (asm/types.h) live under the multiarch directory on Debian.
BPF_MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
BPF_CFLAGS := -target bpf -g -O2 -Wall -Werror -D__TARGET_ARCH_$(BPF_ARCH) -Isrc/bpf -I$(BUILD)/gen \
	$(if $(BPF_MULTIARCH),-I/usr/include/$(BPF_MULTIARCH))
BPF_SRC := $(wildcard src/bpf/*.bpf.c)
BPF_OBJ := $(BPF_SRC:src/bpf/%.bpf.c=$(BUILD)/bpf/%.bpf.o)
BPF_SKEL := $(BPF_SRC:src/bpf/%.bpf.c=$(BUILD)/gen/%.skel.h)
BPF_LOADER_OBJ := $(filter $(BUILD)/obj/src/bpf/%,$(CLI_OBJ))
CLI_LIBS += -lbpf -lelf -lz

# The programs are built without the sanitizers whatever SAN says: clang -target bpf takes none.
$(BUILD)/bpf/%.bpf.o: src/bpf/%.bpf.c src/bpf/kern.h src/bpf/iter.h src/bpf/sk_read.h src/bpf/tcp_read.h \
		src/bpf/file_read.h src/bpf/narrow.h $(BUILD)/gen/optnames.h
	@mkdir -p $(@D)
	$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/gen/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# Every loader may include any skeleton; order-only, since -MMD records the real dependencies.
$(BPF_LOADER_OBJ): | $(BPF_SKEL)

# cppcheck reads the programs as C: libbpf's section and map macros mean nothing to it.
BPF_LINT_FLAGS := -Isrc/bpf '-DSEC(name)=' '-D__uint(name,val)=int name' '-D__type(name,val)=val *name' \
	-D__kconfig= -D__weak=

# make bench-show also times the BPF backend (tests/bench_show_bpf.sh), before the pidfd figures.
.PHONY: bench-show-bpf
bench-show: bench-show-bpf
bench-show-bpf: $(BUILD)/sockopt $(BUILD)/bench_show
	sh tests/bench_show_bpf.sh $(BUILD)
