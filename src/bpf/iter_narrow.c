/* iter_narrow.c: name to a pinned iterator the socket inodes this run wants, so its program skips the others before reading their options (narrow.h). */
#include <bpf/bpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfshow.h"
#include "iter.h"

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

/* This process's start time in clock ticks (field 22 of /proc/self/stat), or 0. */
static unsigned long long own_start_ticks(void)
{
	char buf[1024], *p;
	unsigned long long ticks = 0;
	FILE *f = fopen("/proc/self/stat", "re");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	/* The fields after the command name, which may hold spaces and parentheses. */
	if ((p = strrchr(buf, ')')) &&
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			  "%*d %*d %llu", &ticks) != 1)
		ticks = 0;
	return ticks;
}

/* Remove the entries of readers that exited without taking theirs back (killed mid-run). */
static void sweep(int map)
{
	__u32 key, next, dead[16];
	size_t n = 0;
	int r = bpf_map_get_next_key(map, NULL, &next);

	while (r == 0 && n < sizeof(dead) / sizeof(dead[0])) {
		key = next;
		if (kill((pid_t)key, 0) < 0 && errno == ESRCH)
			dead[n++] = key;
		r = bpf_map_get_next_key(map, &key, &next);
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(map, &dead[i]);
}

void bpf_narrow_end(int *map)
{
	__u32 me = (__u32)getpid();

	if (*map < 0)
		return;
	bpf_map_delete_elem(*map, &me);
	close(*map);
	*map = -1;
}

int bpf_narrow_begin(int link, const uint64_t *inodes, size_t n, int *map)
{
	long tick = sysconf(_SC_CLK_TCK);
	__u32 me = (__u32)getpid();
	struct iter_wanted *w;
	int r = -ENOMEM;

	*map = -1;
	if (tick <= 0 || !(w = calloc(1, sizeof(*w))))
		return -ENOMEM;
	w->start_ticks = own_start_ticks();
	w->ns_per_tick = 1000000000ULL / (unsigned long long)tick;
	for (size_t i = 0; i < n; i++) {
		__u32 bit = ITER_WANTED_BIT(inodes[i]);

		w->bits[bit / 64] |= 1ULL << (bit % 64);
	}
	if (w->start_ticks && (*map = link_map(link, "wanted")) >= 0) {
		sweep(*map);
		r = bpf_map_update_elem(*map, &me, w, BPF_ANY);
		if (r < 0) {
			close(*map);
			*map = -1;
		}
	}
	free(w);
	return r;
}
