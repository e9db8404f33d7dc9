/* narrow.h: the socket inodes one reader of an iterator wants, so the programs skip the others before reading their options (BPF side only). */
#ifndef SOCKOPT_BPF_NARROW_H
#define SOCKOPT_BPF_NARROW_H

/*
 * A pinned iterator is shared by every sockopt run, so what one run wants
 * is kept in the task storage of the thread that read()s the iterator
 * (the current task while the program runs): other readers have none and
 * read every socket, and the kernel frees it with the thread, so a run
 * killed midway leaves nothing behind.  One bitmap per reader, written
 * with one system call and tested with one load: a hash entry per inode
 * cost 1 µs each to add and as much to delete (measured, 10,000 inodes,
 * Linux 6.18), more than skipping saved; and a map keyed by the reader's
 * process id needed its start time against a reused id and a sweep of the
 * entries of killed runs, which task storage does not.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct iter_wanted);
} wanted SEC(".maps");

/* Whether the reader named the sockets it wants and socket INODE (0: none, TIME_WAIT or request) is not one of them. */
static __always_inline int unwanted(__u64 inode)
{
	struct task_struct *me = bpf_get_current_task_btf();
	struct iter_wanted *w;
	__u32 bit = ITER_WANTED_BIT(inode);

	/* One load for a reader with no task storage at all, rather than the helper's locking. */
	if (!me->bpf_storage || !(w = bpf_task_storage_get(&wanted, me, 0, 0)))
		return 0;
	return !inode || !(w->bits[(bit / 64) % ITER_WANTED_WORDS] & (1ULL << (bit % 64)));
}

#endif /* SOCKOPT_BPF_NARROW_H */
