# cgroup.mk: what mk/bpf.mk's pattern rules do not know: the cgroup programs share their map layout with the loader.
$(BUILD)/bpf/cgroup.bpf.o: src/bpf/cgroup_spec.h
