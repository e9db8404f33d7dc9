/* cgroup.c: the loader of the cgroup programs: spec entries in, programs loaded, attached as links, probed, counted. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "cgroup.h"
#include "cgroup.skel.h"

#define CG_MAX_LINKS 16

struct cg_load {
	struct cgroup_bpf *skel; /* NULL when opened from the pins of an attachment */
	int entries_fd, stats_fd, info_fd;
	struct bpf_link *links[CG_MAX_LINKS];
	const char *link_names[CG_MAX_LINKS]; /* the program of each link */
	size_t nlinks, nentries;
	unsigned needed; /* the programs the entries need, as bits of enum cg_prog */
	struct ring_buffer *events;
	void (*event_fn)(const struct cg_event *ev, void *ctx);
	void *event_ctx;
};

static void cg_close_fds(struct cg_load *l);

static const char *const when_names[CG_WHEN_COUNT] = { "create", "bind",   "connect",
						       "listen", "accept", "send" };

const char *cg_when_name(unsigned int when_bit)
{
	for (unsigned i = 0; i < CG_WHEN_COUNT; i++)
		if (when_bit == 1u << i)
			return when_names[i];
	return "?";
}

static int diag_set(struct sockopt_diag *d, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int diag_set(struct sockopt_diag *d, int error, const char *fmt, ...)
{
	va_list ap;

	if (d) {
		d->error = error;
		va_start(ap, fmt);
		vsnprintf(d->text, sizeof(d->text), fmt, ap);
		va_end(ap);
	}
	return error;
}

int cg_v2_root(char *root, size_t size)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int r = -ENOENT;

	if (!f)
		return -errno;
	/* Fields: id parent major:minor root mountpoint options… - fstype source options. */
	while (r == -ENOENT && fgets(line, sizeof(line), f)) {
		char mnt[4096], fstype[64];
		const char *dash = strstr(line, " - ");

		if (dash && sscanf(dash, " - %63s", fstype) == 1 && strcmp(fstype, "cgroup2") == 0 &&
		    sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1)
			r = snprintf(root, size, "%s", mnt) < (int)size ? 0 : -ENAMETOOLONG;
	}
	fclose(f);
	return r;
}

int cg_v2_self(const char *root, char *dir, size_t size)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];
	int r = -ENOENT;

	if (!f)
		return -errno;
	while (r == -ENOENT && fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			r = snprintf(dir, size, "%s%s", root, strcmp(line + 3, "/") ? line + 3 : "") <
				    (int)size
				    ? 0
				    : -ENAMETOOLONG;
		}
	fclose(f);
	return r;
}

int cg_v2_check(const char *dir)
{
	struct statfs fs;
	struct stat st;

	if (stat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (statfs(dir, &fs) < 0)
		return -errno;
	return fs.f_type == CGROUP2_SUPER_MAGIC ? 0 : -EMEDIUMTYPE;
}

/* The socket kinds the hooks see, as the programs name them. */
static const struct {
	unsigned kind, socks;
} kind_socks[] = {
	{ SOCKOPT_KIND_TCP, CG_TCP4 },
	{ SOCKOPT_KIND_TCP6, CG_TCP6 },
	{ SOCKOPT_KIND_UDP, CG_UDP4 },
	{ SOCKOPT_KIND_UDP6, CG_UDP6 },
};

static unsigned socks_of_kinds(unsigned kinds)
{
	unsigned socks = 0;

	for (size_t i = 0; i < sizeof(kind_socks) / sizeof(kind_socks[0]); i++)
		if (kinds & kind_socks[i].kind)
			socks |= kind_socks[i].socks;
	return socks;
}

/* The socket field cgroup/sock_create writes for E, or CG_FIELD_NONE. */
static unsigned field_of(const sockopt_entry *e)
{
	if (sockopt_entry_level(e) != SOL_SOCKET)
		return CG_FIELD_NONE;
	switch (sockopt_entry_optname(e)) {
	case SO_MARK:
		return CG_FIELD_MARK;
	case SO_PRIORITY:
		return CG_FIELD_PRIORITY;
	case SO_BINDTOIFINDEX:
		return CG_FIELD_BOUND_DEV_IF;
	}
	return CG_FIELD_NONE;
}

/*
 * The moments an entry of PHASE is applied at, the nearest the hooks come
 * to the preload's: none can call setsockopt right after socket(), so an
 * entry for "any time" goes on before connect and right after listen;
 * accepted sockets get what the listener does not hand down to them.
 */
static unsigned when_of_phase(const sockopt_entry *e, enum sockopt_phase phase)
{
	unsigned when;

	if (phase == SOCKOPT_PHASE_AFTER_ACCEPT)
		return CG_ACCEPT;
	when = phase == SOCKOPT_PHASE_BEFORE_BIND ? CG_BIND | CG_CONNECT : CG_CONNECT | CG_LISTEN;
	if (!(sockopt_entry_flags(e) & SOCKOPT_FLAG_INHERITED))
		when |= CG_ACCEPT;
	return when;
}

int cg_entry_from_spec(const sockopt_spec *spec, size_t i, unsigned kinds, unsigned when,
		       struct cg_entry *out, struct sockopt_diag *diag)
{
	const sockopt_entry *e = sockopt_spec_entry(spec, i);
	const sockopt_value *v = sockopt_spec_value(spec, i);
	const char *name = sockopt_entry_name(e);

	memset(out, 0, sizeof(*out));
	out->socks = socks_of_kinds(kinds & sockopt_entry_kinds(e));
	if (!out->socks)
		return diag_set(diag, -EOPNOTSUPP,
				"%s is not for TCP or UDP sockets, the only ones the cgroup hooks see.",
				name);
	if (v->len > CG_VALUE_MAX)
		return diag_set(diag, -ERANGE,
				"%s: a value of %u bytes is longer than the %d the cgroup programs carry.",
				name, (unsigned)v->len, CG_VALUE_MAX);
	out->level = sockopt_entry_level(e);
	out->optname = sockopt_entry_optname(e);
	out->len = v->len;
	memcpy(out->value, v->v.bytes, v->len);
	out->field = when ? CG_FIELD_NONE : field_of(e);
	/*
	 * A field is written at creation; accepted sockets are not created
	 * through that hook, and on 6.18 an accepted socket had priority 0
	 * under a listener with 3, so it is set on them again.
	 */
	if (out->field != CG_FIELD_NONE && sockopt_spec_phase(spec, i) != SOCKOPT_PHASE_AFTER_ACCEPT)
		out->when = CG_CREATE | CG_ACCEPT;
	else
		out->when = when ? when : when_of_phase(e, sockopt_spec_phase(spec, i));
	if (!(out->when & CG_CREATE))
		out->field = CG_FIELD_NONE;
	if (out->socks & (CG_UDP4 | CG_UDP6) && out->when != CG_ACCEPT)
		out->when |= CG_SEND;
	return 0;
}

int cg_entries_pin(struct cg_entry *e, size_t n, const char *name, struct sockopt_diag *diag)
{
	const sockopt_entry *want = sockopt_catalog_find(name);
	int found = -ENOENT;

	for (size_t i = 0; want && i < n; i++)
		if (e[i].level == sockopt_entry_level(want) &&
		    e[i].optname == sockopt_entry_optname(want)) {
			e[i].pinned = 1;
			found = 0;
		}
	if (found < 0)
		return diag_set(diag, found, "--pin %s: %s", name,
				want ? "the spec does not set it, so there is no value to keep."
				     : "there is no socket option by that name.");
	return 0;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static int write_info(struct cg_load *l, const struct cg_info *info)
{
	struct cg_info in = *info;
	__u32 zero = 0;

	in.count = (unsigned)l->nentries;
	return bpf_map_update_elem(l->info_fd, &zero, &in, 0) < 0 ? -errno : 0;
}

/* The programs, by the name of their function in cgroup.bpf.c. */
static const char *const prog_names[] = { "sockopt_create", "sockopt_sockops", "sockopt_bind4",
					  "sockopt_bind6",  "sockopt_connect4", "sockopt_connect6",
					  "sockopt_sendmsg4", "sockopt_sendmsg6", "sockopt_pin" };

/*
 * The programs that have something to do for the entries: a hook is
 * attached only when some entry needs it, since every hook attached costs
 * each socket of the cgroup a program run (cgroup/setsockopt even every
 * setsockopt call of the program), whether it acts or not.
 */
static unsigned programs_needed(const struct cg_entry *e, size_t n)
{
	enum { CREATE = 1u << 0, SOCKOPS = 1u << 1, BIND = 3u << 2, CONNECT = 3u << 4,
	       SENDMSG = 3u << 6, PIN = 1u << 8 };
	unsigned needed = 0;

	for (size_t i = 0; i < n; i++) {
		bool udp = e[i].socks & (CG_UDP4 | CG_UDP6), tcp = e[i].socks & (CG_TCP4 | CG_TCP6);

		needed |= e[i].when & CG_CREATE ? CREATE : 0;
		needed |= tcp && e[i].when & (CG_CONNECT | CG_LISTEN | CG_ACCEPT) ? SOCKOPS : 0;
		needed |= e[i].when & CG_BIND || udp ? BIND : 0;
		needed |= udp ? CONNECT | SENDMSG : 0;
		needed |= e[i].pinned ? PIN : 0;
	}
	return needed;
}

static bool program_needed(const struct cg_load *l, const struct bpf_program *prog)
{
	for (size_t i = 0; i < sizeof(prog_names) / sizeof(prog_names[0]); i++)
		if (strcmp(bpf_program__name(prog), prog_names[i]) == 0)
			return l->needed & (1u << i);
	return true;
}

static int fill_maps(struct cg_load *l, const struct cg_entry *e, size_t n,
		     const struct cg_info *info)
{
	l->needed = programs_needed(e, n);
	for (__u32 i = 0; i < n; i++)
		if (bpf_map_update_elem(l->entries_fd, &i, &e[i], 0) < 0)
			return -errno;
	l->nentries = n;
	return write_info(l, info);
}

int cg_load_set_entries(struct cg_load *l, const struct cg_entry *e, size_t n,
			const struct cg_info *info)
{
	return n > CG_MAX_ENTRIES ? -E2BIG : fill_maps(l, e, n, info);
}

unsigned long long cg_object_hash(void)
{
	size_t n;
	const unsigned char *p = cgroup_bpf__elf_bytes(&n);
	unsigned long long h = 0xcbf29ce484222325ULL; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

int cg_load_set_info(struct cg_load *l, const struct cg_info *info, struct sockopt_diag *diag)
{
	int r = write_info(l, info);

	return r < 0 ? diag_set(diag, r, "Cannot update the cgroup programs' map: %s.", strerror(-r))
		     : 0;
}

int cg_load_new(const struct cg_entry *e, size_t n, const struct cg_info *info,
		struct cg_load **out, struct sockopt_diag *diag)
{
	struct cg_load *l;
	int r;

	if (n > CG_MAX_ENTRIES)
		return diag_set(diag, -E2BIG, "The cgroup programs carry at most %d options; the spec has %zu.",
				CG_MAX_ENTRIES, n);
	l = calloc(1, sizeof(*l));
	if (!l)
		return diag_set(diag, -ENOMEM, "Out of memory.");
	libbpf_set_print(silent);
	l->skel = cgroup_bpf__open_and_load();
	if (l->skel) {
		l->entries_fd = bpf_map__fd(l->skel->maps.cg_entries);
		l->stats_fd = bpf_map__fd(l->skel->maps.cg_stats);
		l->info_fd = bpf_map__fd(l->skel->maps.cg_info);
	}
	r = l->skel ? fill_maps(l, e, n, info) : -errno;
	if (r < 0) {
		cg_load_free(l);
		if (r == -EPERM || r == -EACCES)
			return diag_set(diag, -EPERM,
					"Loading BPF programs needs root (CAP_BPF, CAP_NET_ADMIN and "
					"CAP_PERFMON); run this as root.");
		return diag_set(diag, r, "Cannot load the cgroup BPF programs: %s.", strerror(-r));
	}
	*out = l;
	return 0;
}

void cg_load_detach(struct cg_load *l)
{
	while (l->nlinks)
		bpf_link__destroy(l->links[--l->nlinks]);
}

void cg_load_free(struct cg_load *l)
{
	if (!l)
		return;
	cg_load_detach(l);
	ring_buffer__free(l->events);
	if (l->skel)
		cgroup_bpf__destroy(l->skel);
	else
		cg_close_fds(l);
	free(l);
}

int cg_load_attach(struct cg_load *l, const char *dir, struct sockopt_diag *diag)
{
	struct bpf_program *prog;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return diag_set(diag, -errno, "Cannot open the cgroup %.400s: %s.", dir, strerror(errno));
	bpf_object__for_each_program(prog, l->skel->obj)
	{
		struct bpf_link *link;

		if (!program_needed(l, prog))
			continue;
		link = bpf_program__attach_cgroup(prog, fd);
		if (!link || l->nlinks == CG_MAX_LINKS) {
			r = link ? -E2BIG : -errno;
			bpf_link__destroy(link);
			diag_set(diag, r, "Cannot attach %s to the cgroup %.400s: %s.",
				 bpf_program__name(prog), dir, strerror(-r));
			break;
		}
		l->link_names[l->nlinks] = bpf_program__name(prog);
		l->links[l->nlinks++] = link;
	}
	close(fd);
	if (r < 0)
		cg_load_detach(l);
	return r;
}

int cg_load_stat(struct cg_load *l, size_t i, struct cg_stat *out)
{
	__u32 key = (__u32)i;

	return bpf_map_lookup_elem(l->stats_fd, &key, out) < 0 ? -errno : 0;
}

/* The maps an attachment pins beside its links, and the names of their pins. */
static int *pinned_map(struct cg_load *l, size_t i, const char **name)
{
	static const char *const names[] = { "map-info", "map-entries", "map-stats" };
	if (i >= sizeof(names) / sizeof(names[0]))
		return NULL;
	*name = names[i];
	return i == 0 ? &l->info_fd : i == 1 ? &l->entries_fd : &l->stats_fd;
}

static void cg_close_fds(struct cg_load *l)
{
	const char *name;
	int *fd;

	for (size_t i = 0; (fd = pinned_map(l, i, &name)); i++)
		if (*fd > 0)
			close(*fd);
}

int cg_unpin(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && unlinkat(dirfd(d), e->d_name, 0) < 0)
			r = -errno;
	closedir(d);
	return rmdir(dir) < 0 && r == 0 ? -errno : r;
}

int cg_load_pin(struct cg_load *l, const char *dir, struct sockopt_diag *diag)
{
	char path[PATH_MAX];
	const char *name;
	int *fd, r = 0;

	if (mkdir(dir, 0700) < 0)
		return diag_set(diag, -errno, "Cannot make %.400s: %s.", dir, strerror(errno));
	for (size_t i = 0; r == 0 && (fd = pinned_map(l, i, &name)); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		r = bpf_obj_pin(*fd, path) < 0 ? -errno : 0;
	}
	for (size_t i = 0; r == 0 && i < l->nlinks; i++) {
		snprintf(path, sizeof(path), "%s/link-%s", dir, l->link_names[i]);
		r = bpf_link__pin(l->links[i], path);
	}
	if (r < 0) {
		cg_unpin(dir);
		return diag_set(diag, r, "Cannot pin the cgroup programs in %.400s: %s.", dir,
				strerror(-r));
	}
	return 0;
}

int cg_load_open_pinned(const char *dir, struct cg_load **out)
{
	struct cg_load *l = calloc(1, sizeof(*l));
	char path[PATH_MAX];
	const char *name;
	struct cg_info info;
	int *fd, r = 0;

	if (!l)
		return -ENOMEM;
	for (size_t i = 0; (fd = pinned_map(l, i, &name)); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		*fd = bpf_obj_get(path);
		if (*fd < 0 && r == 0)
			r = -errno;
	}
	if (r == 0)
		r = cg_load_info(l, &info);
	if (r < 0) {
		cg_load_free(l);
		return r;
	}
	l->nentries = info.count < CG_MAX_ENTRIES ? info.count : CG_MAX_ENTRIES;
	*out = l;
	return 0;
}

int cg_load_info(struct cg_load *l, struct cg_info *out)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(l->info_fd, &zero, out) < 0 ? -errno : 0;
}

int cg_load_entry(struct cg_load *l, size_t i, struct cg_entry *out)
{
	__u32 key = (__u32)i;

	return bpf_map_lookup_elem(l->entries_fd, &key, out) < 0 ? -errno : 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct cg_load *l = ctx;

	if (size >= sizeof(struct cg_event))
		l->event_fn(data, l->event_ctx);
	return 0;
}

int cg_load_poll(struct cg_load *l, int timeout_ms,
		 void (*fn)(const struct cg_event *ev, void *ctx), void *ctx)
{
	l->event_fn = fn;
	l->event_ctx = ctx;
	if (!l->events)
		l->events = ring_buffer__new(bpf_map__fd(l->skel->maps.cg_events), on_event, l, NULL);
	if (!l->events)
		return -errno;
	return ring_buffer__poll(l->events, timeout_ms);
}

int cg_load_reset(struct cg_load *l)
{
	struct cg_stat zero = { 0 };

	for (__u32 i = 0; i < l->nentries; i++)
		if (bpf_map_update_elem(l->stats_fd, &i, &zero, 0) < 0)
			return -errno;
	return 0;
}
