/* cgroup.h: sockopt's cgroup method: a spec applied, and options pinned, by BPF programs on a cgroup v2. */
#ifndef SOCKOPT_BPF_CGROUP_H
#define SOCKOPT_BPF_CGROUP_H

#include <stdbool.h>
#include <stddef.h>

#include "cgroup_spec.h"
#include "sockopt.h"

/* The programs loaded with one spec, and their links while attached.  Opaque. */
struct cg_load;

/* The moments of enum cg_when, in bit order, as words ("create", "bind" …). */
const char *cg_when_name(unsigned int when_bit);

/*
 * The cgroup v2 mount point, from /proc/self/mountinfo, into ROOT.
 * -ENOENT when no cgroup2 file system is mounted.
 */
int cg_v2_root(char *root, size_t size);
/* The cgroup v2 directory sockopt itself runs in, under ROOT. */
int cg_v2_self(const char *root, char *dir, size_t size);
/*
 * Whether DIR is a directory of a cgroup v2 hierarchy: 0, -ENOENT when it
 * does not exist, -ENOTDIR, or -EMEDIUMTYPE when it is on another file
 * system (cgroup v1, or not a cgroup at all).
 */
int cg_v2_check(const char *dir);

/*
 * Add entry I of SPEC for sockets of KINDS (SOCKOPT_KIND_* bits) at the
 * moments WHEN (0: from the entry's phase): the entry as the programs
 * read it, or -EOPNOTSUPP / -ERANGE with a sentence naming the option
 * and why the hooks cannot set it.
 */
int cg_entry_from_spec(const sockopt_spec *spec, size_t i, unsigned kinds, unsigned when,
		       struct cg_entry *out, struct sockopt_diag *diag);
/* Mark the entries whose option is NAME pinned; -ENOENT when the spec has none. */
int cg_entries_pin(struct cg_entry *e, size_t n, const char *name, struct sockopt_diag *diag);

/*
 * Load the programs with the N entries E; INFO carries the texts shown by
 * `sockopt attached`.  -EPERM with a sentence when the caller may not
 * load BPF programs.
 */
int cg_load_new(const struct cg_entry *e, size_t n, const struct cg_info *info,
		struct cg_load **out, struct sockopt_diag *diag);
void cg_load_free(struct cg_load *l);
/* Replace the entries with the N of E (a loaded set reused for another probe); -errno. */
int cg_load_set_entries(struct cg_load *l, const struct cg_entry *e, size_t n,
			const struct cg_info *info);
/* A hash of the programs' object: a new build has a new one. */
unsigned long long cg_object_hash(void);

/* Where cg_can_set keeps what it probed. */
#define CG_CACHE_DIR "/run/sockopt"

/*
 * Whether the cgroup method can set option E on this kernel: 1 yes, 0 no
 * (WHY says why), or -errno when it cannot tell (WHY says why: not root,
 * no cgroup v2 …).  The answer comes from a root-only cache file in
 * CG_CACHE_DIR, one per kernel release and program build, or from a
 * probe (the option set, at the value a fresh socket has, through the
 * hooks in a scratch cgroup), which is then recorded.  *L keeps the
 * programs loaded between calls; cg_load_free it at the end.
 */
int cg_can_set(const sockopt_entry *e, struct cg_load **l, char *why, size_t size);

/* Replace the attachment's texts and switches (the entry count stays). */
int cg_load_set_info(struct cg_load *l, const struct cg_info *info, struct sockopt_diag *diag);
/* Attach every program to the cgroup directory DIR as BPF links. */
int cg_load_attach(struct cg_load *l, const char *dir, struct sockopt_diag *diag);
/* Close the links (the programs leave the cgroup). */
void cg_load_detach(struct cg_load *l);

/*
 * Try the entries on this kernel before they reach anyone: attach in a
 * scratch cgroup under PARENT, make a TCP connection and a UDP exchange
 * on loopback inside it, and refuse (-EOPNOTSUPP, the entry named in
 * DIAG) the first entry a hook could not set.  Leaves the programs
 * detached and the counters zero.
 */
int cg_load_probe(struct cg_load *l, const char *parent, const struct cg_entry *e, size_t n,
		  struct sockopt_diag *diag);
/* Zero every counter. */
int cg_load_reset(struct cg_load *l);
/* Write TEXT into the cgroup file DIR/NAME ("cgroup.procs" …); -errno. */
int cg_write(const char *dir, const char *name, const char *text);

/*
 * Pin the maps and the links of L, attached, in the new directory DIR
 * (mode 0700): they then outlive sockopt, until cg_unpin(DIR).
 */
int cg_load_pin(struct cg_load *l, const char *dir, struct sockopt_diag *diag);
/* Open the maps an attachment pinned in DIR, to read them; -errno. */
int cg_load_open_pinned(const char *dir, struct cg_load **out);
/* Remove the pins in DIR and DIR itself: the links close and the programs go; -errno. */
int cg_unpin(const char *dir);
/* The attachment's texts, and its entry I as the programs read it. */
int cg_load_info(struct cg_load *l, struct cg_info *out);
int cg_load_entry(struct cg_load *l, size_t i, struct cg_entry *out);

/* The counters of entry I. */
int cg_load_stat(struct cg_load *l, size_t i, struct cg_stat *out);
/* Call FN for every --verbose event until TIMEOUT_MS pass; the count or -errno. */
int cg_load_poll(struct cg_load *l, int timeout_ms,
		 void (*fn)(const struct cg_event *ev, void *ctx), void *ctx);

#endif /* SOCKOPT_BPF_CGROUP_H */
