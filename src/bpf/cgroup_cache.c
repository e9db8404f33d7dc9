/* cgroup_cache.c: which options the cgroup method can set on this kernel, probed once each and kept in a root-only file per kernel release and program build. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cgroup.h"

/* The kinds the hooks see, in the order a probe value is read from a fresh socket. */
static const unsigned probe_kinds[] = { SOCKOPT_KIND_TCP, SOCKOPT_KIND_TCP6, SOCKOPT_KIND_UDP,
					SOCKOPT_KIND_UDP6 };
#define HOOK_KINDS (SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6 | SOCKOPT_KIND_UDP | SOCKOPT_KIND_UDP6)

/*
 * The cache file: /run/sockopt/cgroup-can-RELEASE-HASH, root-only (the
 * bpffs of the pins holds no plain files).  A new kernel or a new build
 * of the programs starts a new file.
 */
static int cache_path(char *buf, size_t size, char *why, size_t wsize)
{
	struct utsname u;

	if ((mkdir(CG_CACHE_DIR, 0700) < 0 && errno != EEXIST) || chmod(CG_CACHE_DIR, 0700) < 0) {
		snprintf(why, wsize, "cannot make %s: %s.", CG_CACHE_DIR, strerror(errno));
		return -errno;
	}
	if (uname(&u) < 0)
		return -errno;
	snprintf(buf, size, "%s/cgroup-can-%s-%016llx", CG_CACHE_DIR, u.release, cg_object_hash());
	return 0;
}

/* The answer recorded for NAME: 1 or 0 (WHY filled), or -ENOENT when there is none. */
static int cache_lookup(const char *path, const char *name, char *why, size_t size)
{
	FILE *f = fopen(path, "re");
	char line[1024];
	size_t n = strlen(name);
	int r = -ENOENT;

	/* Lines: "NAME yes WHY" or "NAME no WHY". */
	while (f && r == -ENOENT && fgets(line, sizeof(line), f)) {
		const char *answer = line + n + 1, *text;

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, name, n) != 0 || line[n] != ' ')
			continue;
		r = strncmp(answer, "yes ", 4) == 0;
		text = strchr(answer, ' ');
		snprintf(why, size, "%s", text ? text + 1 : "");
	}
	if (f)
		fclose(f);
	return r;
}

/* Append the answer for NAME in one write, so that two sockopt commands can record at once. */
static void cache_record(const char *path, const char *name, int can, const char *why)
{
	char line[1024];
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	int n = snprintf(line, sizeof(line), "%s %s %s\n", name, can ? "yes" : "no", why);

	if (fd < 0)
		return;
	if (n > 0 && n < (int)sizeof(line) && write(fd, line, (size_t)n) < 0)
		unlink(path); /* a torn cache is worse than none */
	close(fd);
}

/*
 * The entry a probe of E sets: E at the value a fresh socket of the first
 * kind the hooks see has.  1 with OUT, 0 when the method cannot carry E
 * at all, -errno when there is nothing to probe with; WHY says why.
 */
static int probe_entry(const sockopt_entry *e, struct cg_entry *out, char *why, size_t size)
{
	unsigned kinds = sockopt_entry_kinds(e) & HOOK_KINDS;
	struct sockopt_diag d = { 0 };
	char text[SOCKOPT_TEXT_MAX + 64], value[SOCKOPT_TEXT_MAX];
	sockopt_spec *spec;
	sockopt_value v;
	int r = -ENOENT;

	if (!kinds)
		return snprintf(why, size, "it is not for TCP or UDP sockets, the only ones the cgroup "
					   "hooks see."), 0;
	if (!(sockopt_entry_access(e) & SOCKOPT_ACCESS_SET))
		return snprintf(why, size, "it cannot be set."), 0;
	for (size_t i = 0; r < 0 && i < sizeof(probe_kinds) / sizeof(probe_kinds[0]); i++) {
		int fd = kinds & probe_kinds[i] ? sockopt_kind_socket(probe_kinds[i], NULL) : -1;

		if (fd >= 0) {
			r = sockopt_get(fd, e, &v, NULL);
			close(fd);
		}
	}
	if (r < 0 || sockopt_type_format(sockopt_entry_type(e), &v, value, sizeof(value)) < 0)
		return snprintf(why, size, "a fresh socket gives no value of it to probe with."),
		       -EOPNOTSUPP;
	snprintf(text, sizeof(text), "%s=%s", sockopt_entry_name(e), value);
	spec = sockopt_spec_new();
	if (!spec)
		return -ENOMEM;
	r = sockopt_spec_add(spec, text, SOCKOPT_PHASE_CATALOG, &d);
	if (r == 0)
		r = cg_entry_from_spec(spec, 0, kinds, 0, out, &d);
	sockopt_spec_free(spec);
	snprintf(why, size, "%s", d.text);
	if (r == -EOPNOTSUPP || r == -ERANGE)
		return 0;
	return r < 0 ? r : 1;
}

/* Probe ENTRY in a scratch cgroup beside sockopt's own: 1, 0 (WHY filled), or -errno. */
static int probe(const struct cg_entry *entry, struct cg_load **l, char *why, size_t size)
{
	struct sockopt_diag d = { 0 };
	struct cg_info info = { 0 };
	char root[PATH_MAX], self[PATH_MAX];
	int r;

	if (cg_v2_root(root, sizeof(root)) < 0 || cg_v2_self(root, self, sizeof(self)) < 0)
		return snprintf(why, size, "no cgroup v2 hierarchy is mounted to probe in."), -ENOENT;
	r = *l ? cg_load_set_entries(*l, entry, 1, &info) : cg_load_new(entry, 1, &info, l, &d);
	if (r == 0)
		r = cg_load_probe(*l, self, entry, 1, &d);
	snprintf(why, size, "%s", r == 0 ? "the cgroup hooks set it on this kernel (probed)." : d.text);
	if (r == -EOPNOTSUPP)
		return 0;
	return r < 0 ? r : 1;
}

int cg_can_set(const sockopt_entry *e, struct cg_load **l, char *why, size_t size)
{
	char path[1024];
	struct cg_entry entry;
	int r;

	if (geteuid() != 0)
		return snprintf(why, size, "probing the cgroup hooks needs root."), -EPERM;
	r = cache_path(path, sizeof(path), why, size);
	if (r < 0)
		return r;
	r = cache_lookup(path, sockopt_entry_name(e), why, size);
	if (r >= 0)
		return r;
	r = probe_entry(e, &entry, why, size);
	if (r > 0)
		r = probe(&entry, l, why, size);
	/* What the kernel answered is kept; a probe that could not run is tried again next time. */
	if (r >= 0)
		cache_record(path, sockopt_entry_name(e), r, why);
	return r;
}
