/* iter_pin.c: the iterator programs loaded once, kept as links pinned in a root-only bpffs directory, and reopened on later runs. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpfshow.h"
#include "iter_task.skel.h"
#include "iter_tcp.skel.h"
#include "iter_tcp_fds.skel.h"
#include "iter_udp.skel.h"
#include "iter_unix.skel.h"

/* Each iterator and the object its skeleton embeds (so nothing is read from disk at run time). */
static const struct {
	const char *name;
	const void *(*elf)(size_t *size);
} iters[] = {
	[BPF_ITER_TCP] = { "tcp", iter_tcp_bpf__elf_bytes },
	[BPF_ITER_TASK_FILE] = { "task_file", iter_task_bpf__elf_bytes },
	[BPF_ITER_UDP] = { "udp", iter_udp_bpf__elf_bytes },
	[BPF_ITER_UNIX] = { "unix", iter_unix_bpf__elf_bytes },
	[BPF_ITER_TCP_FDS] = { "tcp_fds", iter_tcp_fds_bpf__elf_bytes },
};

/* FNV-1a of the object: a new build of a program gets a new pin name, so an upgrade replaces the old one. */
static unsigned long long object_hash(const void *bytes, size_t n)
{
	const unsigned char *p = bytes;
	unsigned long long h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* The mount point of a bpffs from /proc/self/mountinfo into BUF; false when none is mounted. */
static bool find_bpffs(char *buf, size_t size)
{
	char line[1024], mnt[384], fstype[64];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		if (sep && sscanf(sep, " - %63s", fstype) == 1 && strcmp(fstype, "bpf") == 0 &&
		    sscanf(line, "%*s %*s %*s %*s %383s", mnt) == 1) {
			snprintf(buf, size, "%s", mnt);
			found = true;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/*
 * Mode 0700: a pinned iterator shows every user's sockets to whoever can
 * open it, and a pinned cgroup map changes what a cgroup's sockets get,
 * so only root may.
 */
int bpf_pin_dir(char *buf, size_t size, struct bpf_show_diag *diag)
{
	const char *env = getenv("SOCKOPT_BPF_PIN_DIR");
	char mnt[400];

	if (!find_bpffs(mnt, sizeof(mnt))) {
		if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700") < 0)
			return bpf_show_fail(diag, -errno, "no bpffs is mounted and mounting one "
					     "on /sys/fs/bpf failed: %s", strerror(errno));
		snprintf(mnt, sizeof(mnt), "/sys/fs/bpf");
	}
	if (env && *env)
		snprintf(buf, size, "%s", env);
	else
		snprintf(buf, size, "%s/sockopt", mnt);
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return bpf_show_fail(diag, -errno, "cannot make %s: %s", buf, strerror(errno));
	if (chmod(buf, 0700) < 0)
		return bpf_show_fail(diag, -errno, "cannot make %s root-only: %s", buf,
				     strerror(errno));
	return 0;
}

/* Remove the pins of older builds of NAME in DIR ("tcp-HASH" but not KEEP). */
static void unpin_stale(const char *dir, const char *name, const char *keep)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = strlen(name);
	char path[1024];

	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, name, n) != 0 || e->d_name[n] != '-' ||
		    strcmp(e->d_name, keep) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

/* Load iterator WHICH, attach it and pin the link at PATH: the link's fd (kept unpinned when pinning fails). */
static int load_and_pin(int which, const char *dir, const char *file, const char *path,
			struct bpf_show_diag *diag)
{
	size_t size;
	const void *elf = iters[which].elf(&size);
	struct bpf_object *obj = bpf_object__open_mem(elf, size, NULL);
	struct bpf_program *prog;
	struct bpf_link *link = NULL;
	int fd = -1, err;

	err = libbpf_get_error(obj);
	if (err)
		return bpf_show_fail(diag, err, "opening the %s iterator failed", iters[which].name);
	if ((err = bpf_object__load(obj)) < 0) {
		bpf_object__close(obj);
		return bpf_show_fail(diag, err, "the kernel refused the %s iterator: %s",
				     iters[which].name, strerror(-err));
	}
	prog = bpf_object__next_program(obj, NULL);
	link = prog ? bpf_program__attach_iter(prog, NULL) : NULL;
	if (!link) {
		err = -errno;
		bpf_object__close(obj);
		return bpf_show_fail(diag, err, "attaching the %s iterator failed: %s",
				     iters[which].name, strerror(-err));
	}
	unpin_stale(dir, iters[which].name, file);
	if (bpf_link__pin(link, path) < 0)
		diag->unpinned = true;
	fd = dup(bpf_link__fd(link));
	bpf_link__destroy(link); /* the pin, or our dup, keeps the link */
	bpf_object__close(obj);
	return fd < 0 ? bpf_show_fail(diag, -errno, "dup: %s", strerror(errno)) : fd;
}

int bpf_iter_link(int which, struct bpf_show_diag *diag)
{
	char dir[512], file[128], path[700];
	size_t size;
	const void *elf = iters[which].elf(&size);
	int fd, r;

	libbpf_set_print(silent);
	if ((r = bpf_pin_dir(dir, sizeof(dir), diag)) < 0)
		return r;
	snprintf(file, sizeof(file), "%s-%016llx", iters[which].name, object_hash(elf, size));
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = bpf_obj_get(path);
	if (fd >= 0)
		return fd;
	diag->loaded++;
	return load_and_pin(which, dir, file, path, diag);
}

/*
 * A link of the task_file program limited to process PID (Linux 6.1
 * parameterized task iterators: the kernel walks only that process's fd
 * table), made from the program of the pinned link, so nothing is loaded
 * or verified again.  Where that fails (PID gone: ENOENT) the pinned link
 * itself, which walks every process; a kernel older than 6.1 ignores the
 * parameter and does the same.  The caller's own pid filter then gives
 * the same records, only slower.
 */
int bpf_iter_link_pid(int which, pid_t pid, struct bpf_show_diag *diag)
{
	union bpf_iter_link_info linfo = { .task = { .pid = (__u32)pid } };
	struct bpf_link_create_opts opts = { .sz = sizeof(opts), .iter_info = &linfo,
					     .iter_info_len = sizeof(linfo) };
	struct bpf_link_info info = { 0 };
	__u32 len = sizeof(info);
	int pinned = bpf_iter_link(which, diag), prog = -1, fd = -1;

	if (pinned < 0)
		return pinned;
	if (bpf_obj_get_info_by_fd(pinned, &info, &len) == 0)
		prog = bpf_prog_get_fd_by_id(info.prog_id);
	if (prog >= 0) {
		fd = bpf_link_create(prog, 0, BPF_TRACE_ITER, &opts);
		close(prog);
	}
	if (fd < 0)
		return pinned;
	close(pinned);
	return fd;
}
