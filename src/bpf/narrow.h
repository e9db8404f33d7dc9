/* narrow.h: the socket inodes one reader of an iterator wants, so the programs skip the others before reading their options (BPF side only). */
#ifndef SOCKOPT_BPF_NARROW_H
#define SOCKOPT_BPF_NARROW_H

/*
 * A pinned iterator is shared by every sockopt run, so what one run wants
 * is keyed by the reader: the thread group that read()s the iterator is
 * the current task while the program runs.  The value carries the
 * reader's start time, so that an entry left by a reader killed mid-run is
 * not taken for that of a later process given the same id: such a process
 * reads every socket, as if it had named none.  One bitmap per reader,
 * written with one system call and tested with one load: a hash entry per
 * inode cost 1 µs each to add and as much to delete (measured, 10,000
 * inodes, Linux 6.18), more than skipping saved, and a sorted array of
 * 65,536 inodes (512 KiB) took up to 5 ms to store.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct iter_wanted);
} wanted SEC(".maps");

/* Whether the reader named the sockets it wants and socket INODE (0: none, TIME_WAIT or request) is not one of them. */
static __always_inline int unwanted(__u64 inode)
{
	__u32 me = (__u32)(bpf_get_current_pid_tgid() >> 32), bit = ITER_WANTED_BIT(inode);
	struct iter_wanted *w = bpf_map_lookup_elem(&wanted, &me);
	struct task_struct *task;

	if (!w || !w->ns_per_tick)
		return 0;
	task = bpf_get_current_task_btf();
	if (BPF_CORE_READ(task, group_leader, start_boottime) / w->ns_per_tick != w->start_ticks)
		return 0;
	return !inode || !(w->bits[(bit / 64) % ITER_WANTED_WORDS] & (1ULL << (bit % 64)));
}

#endif /* SOCKOPT_BPF_NARROW_H */
