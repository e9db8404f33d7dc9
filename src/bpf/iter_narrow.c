/* iter_narrow.c: name to a pinned iterator the socket inodes this run wants, so its program skips the others before reading their options (narrow.h). */
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfshow.h"
#include "iter.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* linux/pidfd.h, Linux 6.9 */
#endif

/* The fd of the map called NAME of the program behind iterator link LINK, or -1. */
static int link_map(int link, const char *name)
{
	struct bpf_link_info link_info = { 0 };
	struct bpf_prog_info prog_info = { 0 };
	__u32 ids[8], len = sizeof(link_info);
	int prog, found = -1;

	if (bpf_obj_get_info_by_fd(link, &link_info, &len) < 0 ||
	    (prog = bpf_prog_get_fd_by_id(link_info.prog_id)) < 0)
		return -1;
	prog_info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	prog_info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(prog_info);
	if (bpf_obj_get_info_by_fd(prog, &prog_info, &len) < 0)
		prog_info.nr_map_ids = 0;
	close(prog);
	for (__u32 i = 0; found < 0 && i < prog_info.nr_map_ids && i < 8; i++) {
		struct bpf_map_info map_info = { 0 };
		int fd = bpf_map_get_fd_by_id(ids[i]);

		len = sizeof(map_info);
		if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &map_info, &len) == 0 &&
		    strcmp(map_info.name, name) == 0)
			found = fd;
		else if (fd >= 0)
			close(fd);
	}
	return found;
}

void bpf_narrow_end(struct bpf_narrow *nw)
{
	if (nw->map >= 0 && nw->pidfd >= 0)
		bpf_map_delete_elem(nw->map, &nw->pidfd);
	if (nw->map >= 0)
		close(nw->map);
	if (nw->pidfd >= 0)
		close(nw->pidfd);
	*nw = (struct bpf_narrow)BPF_NARROW_NONE;
}

int bpf_narrow_begin(int link, pid_t tid, const uint64_t *inodes, size_t n, struct bpf_narrow *nw)
{
	struct iter_wanted *w;
	int r;

	*nw = (struct bpf_narrow)BPF_NARROW_NONE;
	if (!(w = calloc(1, sizeof(*w))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		__u32 bit = ITER_WANTED_BIT(inodes[i]);

		w->bits[bit / 64] |= 1ULL << (bit % 64);
	}
	/* The storage belongs to the task the pidfd names: the main thread's, or with PIDFD_THREAD another's. */
	if ((nw->map = link_map(link, "wanted")) < 0)
		r = -ENOENT;
	else if ((nw->pidfd = (int)syscall(SYS_pidfd_open, tid, tid == getpid() ? 0 : PIDFD_THREAD)) < 0)
		r = -errno;
	else
		r = bpf_map_update_elem(nw->map, &nw->pidfd, w, BPF_ANY);
	free(w);
	if (r < 0)
		bpf_narrow_end(nw);
	return r;
}
