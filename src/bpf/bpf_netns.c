/* bpf_netns.c: an iterator read from inside each network namespace the query's sockets live in, through a process of it (setns). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpfshow.h"

/* The inode of this process's network namespace, or 0. */
uint32_t bpf_own_netns(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) == 0 ? (uint32_t)st.st_ino : 0;
}

/* Enter network namespace NS through one of the N DOORS of it; false when none is left to. */
static bool enter_netns(const struct bpf_netns_door *doors, size_t n, uint32_t ns)
{
	char path[64];
	struct stat st;

	for (size_t i = 0; i < n; i++) {
		int fd;

		if (doors[i].netns != ns)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)doors[i].pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* The process may have moved since: enter only the namespace asked for. */
		if (fstat(fd, &st) == 0 && st.st_ino == ns && setns(fd, CLONE_NEWNET) == 0) {
			close(fd);
			return true;
		}
		close(fd);
	}
	return false;
}

/* The distinct namespaces of the N DOORS, this process's first (it also holds the sockets no process does). */
static size_t distinct_netns(const struct bpf_netns_door *doors, size_t n, uint32_t self,
			     uint32_t **out)
{
	uint32_t *ns = malloc((n + 1) * sizeof(*ns));
	size_t k = 0;

	if (!ns)
		return 0;
	ns[k++] = self;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < k && ns[j] != doors[i].netns)
			j++;
		if (j == k && doors[i].netns)
			ns[k++] = doors[i].netns;
	}
	*out = ns;
	return k;
}

/*
 * An iterator sees the network namespace of the process that starts it,
 * so each namespace other than ours is read from inside it (setns), and
 * we return to ours through HOME afterwards.
 */
int bpf_in_every_netns(const struct bpf_netns_door *doors, size_t ndoors, const char *what,
		       int (*here)(void *ctx, struct bpf_show_diag *diag), void *ctx,
		       struct bpf_show_diag *diag)
{
	uint32_t self = bpf_own_netns(), *ns = NULL;
	size_t n = distinct_netns(doors, ndoors, self, &ns);
	int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), r = 0;

	if (n == 0)
		return bpf_show_fail(diag, -ENOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (i > 0 && (home < 0 || !enter_netns(doors, ndoors, ns[i]))) {
			if (what)
				fprintf(stderr, "sockopt: the %s of network namespace %u were not "
						"reached: no process of it could be entered.\n", what, ns[i]);
			continue;
		}
		r = here(ctx, diag);
		if (i > 0 && setns(home, CLONE_NEWNET) < 0)
			r = bpf_show_fail(diag, -errno, "returning to our network namespace failed: %s",
					  strerror(errno));
	}
	if (home >= 0)
		close(home);
	free(ns);
	return r;
}
