# cgroup.mk: the cgroup BPF programs (src/bpf/cgroup.bpf.c) compiled for the BPF target and turned into the skeleton their loader includes.
BPF_CLANG ?= clang
CGROUP_BPF_CFLAGS := -g -O2 -target bpf -I/usr/include/$(shell $(CC) -dumpmachine) -Isrc/bpf

$(BUILD)/bpf/cgroup.bpf.o: src/bpf/cgroup.bpf.c src/bpf/cgroup_spec.h
	@mkdir -p $(@D)
	$(BPF_CLANG) $(CGROUP_BPF_CFLAGS) -c $< -o $@

$(BUILD)/gen/cgroup.skel.h: $(BUILD)/bpf/cgroup.bpf.o
	@mkdir -p $(@D)
	bpftool gen skeleton $< > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/src/bpf/cgroup.o: $(BUILD)/gen/cgroup.skel.h
CLI_LIBS += -lbpf -lelf -lz
