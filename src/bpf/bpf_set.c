/* bpf_set.c: options set with bpf_setsockopt on chosen TCP sockets, in one pass of iter_set.bpf.c per network namespace. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bpfshow.h"
#include "optnames.h"
#include "iter.h"
#include "iter_set.skel.h"

static const struct {
	int level, name;
} allowed[] = {
#define ROW(l, n) { l, n },
	ITER_TCP_GETSOCKOPT(ROW)
#undef ROW
};

_Static_assert(ITER_SET_MAX == sizeof(((struct bpf_set_result *)0)->before) / sizeof(int),
	       "bpf_set_result holds ITER_SET_MAX options");

bool bpf_set_allowed(int level, int optname)
{
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (allowed[i].level == level && allowed[i].name == optname)
			return true;
	return false;
}

/* What one pass carries: the caller's callback and the sockets seen. */
struct set_pass {
	int (*each)(const struct bpf_set_result *r, void *ctx);
	void *ctx;
	int count;
	int link; /* the set iterator */
};

static int on_result(const void *rec, void *ctx)
{
	const struct iter_set_record *r = rec;
	struct set_pass *p = ctx;
	struct bpf_set_result out = { r->inode, r->err, r->failed, { 0 }, { 0 }, { 0 } };

	memcpy(out.before, r->before, sizeof(out.before));
	memcpy(out.after, r->after, sizeof(out.after));
	memcpy(out.read_err, r->read_err, sizeof(out.read_err));
	p->count++;
	return p->each(&out, p->ctx);
}

/* Fill the program's map of target inodes. */
static int fill_targets(struct iter_set_bpf *skel, const uint64_t *inodes, size_t n,
			struct bpf_show_diag *diag)
{
	int fd = bpf_map__fd(skel->maps.targets);
	__u8 one = 1;

	for (size_t i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, &inodes[i], &one, BPF_ANY) < 0)
			return bpf_show_fail(diag, -errno, "cannot name %zu sockets to the program: %s",
					     n, strerror(errno));
	return 0;
}

/* One pass of the set iterator in the current network namespace. */
static int set_here(void *ctx, struct bpf_show_diag *diag)
{
	struct set_pass *p = ctx;

	return bpf_read_records(p->link, sizeof(struct iter_set_record), on_result, p, diag);
}

/*
 * One pass over the sockets FILL named to the program (a set of inodes,
 * or a cgroup), in this network namespace and in each of the NDOORS DOORS'.
 */
static int set_pass(const struct bpf_set_option *opts, size_t n,
		    int (*fill)(struct iter_set_bpf *skel, const void *arg, struct bpf_show_diag *diag),
		    const void *arg, const struct bpf_netns_door *doors, size_t ndoors,
		    int (*each)(const struct bpf_set_result *r, void *ctx), void *ctx,
		    struct bpf_show_diag *diag)
{
	struct set_pass pass = { each, ctx, 0, -1 };
	struct iter_set_bpf *skel;
	struct bpf_link *link;
	int r;

	if (n > ITER_SET_MAX)
		return bpf_show_fail(diag, -E2BIG, "at most %d options are set in one pass",
				     ITER_SET_MAX);
	skel = iter_set_bpf__open_and_load();
	if (!skel)
		return bpf_show_fail(diag, -errno, "the kernel refused the set iterator: %s",
				     strerror(errno));
	skel->bss->noptions = (__u32)n;
	for (size_t i = 0; i < n; i++)
		skel->bss->options[i] =
			(struct iter_set_option){ opts[i].level, opts[i].optname, opts[i].value };
	r = fill(skel, arg, diag);
	link = r == 0 ? bpf_program__attach_iter(skel->progs.sockopt_set, NULL) : NULL;
	if (r == 0 && !link)
		r = bpf_show_fail(diag, -errno, "attaching the set iterator failed: %s",
				  strerror(errno));
	if (r == 0) {
		pass.link = bpf_link__fd(link);
		r = bpf_in_every_netns(doors, ndoors, "TCP sockets", set_here, &pass, diag);
	}
	bpf_link__destroy(link);
	iter_set_bpf__destroy(skel);
	return r < 0 ? r : pass.count;
}

/* The inodes to fill the program's map with. */
struct inode_list {
	const uint64_t *inodes;
	size_t n;
};

static int fill_inodes(struct iter_set_bpf *skel, const void *arg, struct bpf_show_diag *diag)
{
	const struct inode_list *list = arg;

	return fill_targets(skel, list->inodes, list->n, diag);
}

int bpf_set_apply(const uint64_t *inodes, const struct bpf_netns_door *doors, size_t ninodes,
		  const struct bpf_set_option *opts, size_t n,
		  int (*each)(const struct bpf_set_result *r, void *ctx), void *ctx,
		  struct bpf_show_diag *diag)
{
	struct inode_list list = { inodes, ninodes };

	return set_pass(opts, n, fill_inodes, &list, doors, ninodes, each, ctx, diag);
}

/* A cgroup by id and level. */
struct cgroup_ref {
	uint64_t id;
	unsigned level;
};

static int fill_cgroup(struct iter_set_bpf *skel, const void *arg, struct bpf_show_diag *diag)
{
	const struct cgroup_ref *cg = arg;

	(void)diag;
	skel->bss->cgroup_id = cg->id;
	skel->bss->cgroup_level = cg->level;
	return 0;
}

int bpf_set_apply_cgroup(uint64_t cgroup_id, unsigned level, const struct bpf_set_option *opts,
			 size_t n, int (*each)(const struct bpf_set_result *r, void *ctx),
			 void *ctx, struct bpf_show_diag *diag)
{
	struct cgroup_ref cg = { cgroup_id, level };

	/* The cgroup's sockets in sockopt's own network namespace. */
	return set_pass(opts, n, fill_cgroup, &cg, NULL, 0, each, ctx, diag);
}
