/* cmd_attach.c: `sockopt attach`, `detach` and `attached`: the cgroup programs put on a running service's cgroup, kept there by pins after sockopt exits. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../bpf/bpfshow.h"
#include "cgroup_cli.h"
#include "cli.h"
#include "print.h"
#include "run_env.h"

/* Keys of the flags without a letter. */
enum { ATTACH_PIN = ARGS_LONG_ONLY, ATTACH_EXISTING };

/* A cgroup as the command line named it, found in the v2 hierarchy. */
struct cgroup_ref {
	char dir[PATH_MAX]; /* its directory, resolved */
	char rel[PATH_MAX]; /* relative to the v2 mount, "/" for the root */
	unsigned long long id;
	unsigned level;
};

/*
 * Find CGROUP (an absolute path, or one relative to the cgroup v2 mount);
 * an exit code, after one sentence when it is not a cgroup v2 directory.
 */
static int resolve(const char *arg, struct cgroup_ref *cg)
{
	char root[PATH_MAX], path[2 * PATH_MAX];
	struct stat st;
	size_t n;
	int r;

	if (cg_v2_root(root, sizeof(root)) < 0)
		return fail(EXIT_FAILED, "No cgroup v2 hierarchy is mounted (none in /proc/self/mountinfo); "
					 "the cgroup method needs one.");
	snprintf(path, sizeof(path), "%s%s%s", *arg == '/' ? "" : root, *arg == '/' ? "" : "/", arg);
	r = cg_v2_check(path);
	if (r == -ENOENT)
		return fail(EXIT_USAGE, "The cgroup %s does not exist.", arg_short(path));
	if (r == -ENOTDIR || r == -EMEDIUMTYPE)
		return fail(EXIT_USAGE, "%s is not a cgroup v2 directory (cgroup v1, or not a cgroup); "
					"the cgroup v2 hierarchy is mounted on %s.", arg_short(path), root);
	if (r < 0 || !realpath(path, cg->dir) || stat(cg->dir, &st) < 0)
		return fail(EXIT_FAILED, "Cannot read the cgroup %s: %s.", arg_short(path),
			    strerror(r < 0 ? -r : errno));
	n = strlen(root);
	snprintf(cg->rel, sizeof(cg->rel), "%s",
		 strncmp(cg->dir, root, n) == 0 && cg->dir[n] == '/' ? cg->dir + n : "/");
	cg->id = (unsigned long long)st.st_ino;
	cg->level = 0;
	for (const char *p = cg->rel; *p; p++)
		cg->level += *p == '/' && p[1];
	return EXIT_OK;
}

/* Root, or one sentence saying that VERB needs it. */
static int need_root(const char *verb)
{
	if (geteuid() == 0)
		return EXIT_OK;
	return fail(EXIT_FAILED, "sockopt %s needs root: the attachments are BPF programs on a cgroup, "
				 "pinned in a root-only bpffs directory.", verb);
}

/* The directory that holds the pins of sockopt's attachments, into BUF; an exit code. */
static int pins_root(char *buf, size_t size)
{
	struct bpf_show_diag d = { 0 };

	if (bpf_pin_dir(buf, size, &d) < 0)
		return fail(EXIT_FAILED, "%s", d.text);
	return EXIT_OK;
}

/* The pins of the attachment on the cgroup with inode ID. */
static void attachment_dir(const char *pins, unsigned long long id, char *buf, size_t size)
{
	snprintf(buf, size, "%s/cgroup-%llu", pins, id);
}

/*
 * The options --existing sets with the BPF set iterator: the TCP entries,
 * each of which its bpf_setsockopt must take as an int; an exit code.
 */
static int existing_options(const struct cg_request *req, struct bpf_set_option *opts,
			    size_t *n)
{
	char label[160];

	*n = 0;
	for (size_t i = 0; i < req->count; i++) {
		const struct cg_entry *e = &req->entry[i];
		int value;

		if (!(e->socks & (CG_TCP4 | CG_TCP6)))
			continue;
		cg_entry_label(e, label, sizeof(label));
		if (e->len != sizeof(int) || !bpf_set_allowed(e->level, e->optname))
			return fail(EXIT_USAGE, "--existing: %.*s cannot be set on existing sockets "
						"(bpf_setsockopt in a TCP iterator does not take it); "
						"attach without --existing.",
				    (int)strcspn(label, "="), label);
		if (*n == 8)
			return fail(EXIT_USAGE, "--existing sets at most 8 options on existing sockets.");
		memcpy(&value, e->value, sizeof(value));
		opts[(*n)++] = (struct bpf_set_option){ e->level, e->optname, value };
	}
	return EXIT_OK;
}

/* What --existing did to one socket, one line. */
struct existing {
	const struct bpf_set_option *opts;
	size_t n, changed, refused;
};

static int on_existing(const struct bpf_set_result *r, void *ctx)
{
	struct existing *x = ctx;

	if (r->err < 0) {
		x->refused++;
		printf("existing socket %llu: not changed: %s\n", (unsigned long long)r->inode,
		       strerror(-r->err));
		return 0;
	}
	x->changed++;
	printf("existing socket %llu:", (unsigned long long)r->inode);
	for (size_t i = 0; i < x->n; i++) {
		const sockopt_entry *e = sockopt_catalog_find_number(x->opts[i].level,
								     x->opts[i].optname);
		char before[64] = "?", after[64] = "?";
		sockopt_value v;

		if (e && !r->read_err[i]) {
			sockopt_value_set_int(&v, r->before[i]);
			sockopt_type_format(sockopt_entry_type(e), &v, before, sizeof(before));
		}
		if (e) {
			sockopt_value_set_int(&v, r->after[i]);
			sockopt_type_format(sockopt_entry_type(e), &v, after, sizeof(after));
		}
		printf(" %s %s -> %s", e ? sockopt_entry_name(e) : "?", before, after);
	}
	printf("\n");
	return 0;
}

/* Set the spec on the TCP sockets the cgroup's processes made before it was attached; an exit code. */
static int set_existing(const struct cgroup_ref *cg, const struct bpf_set_option *opts, size_t n)
{
	struct existing x = { opts, n, 0, 0 };
	struct bpf_show_diag d = { 0 };
	int r;

	if (n == 0)
		return EXIT_OK;
	r = bpf_set_apply_cgroup(cg->id, cg->level, opts, n, on_existing, &x, &d);
	if (r < 0)
		return fail(EXIT_FAILED, "--existing: %s", d.text);
	printf("existing TCP sockets of %s: %zu changed, %zu refused\n", cg->rel, x.changed,
	       x.refused);
	return x.refused ? EXIT_FAILED : EXIT_OK;
}

/* Load, probe, attach and pin the request on CG, in the pin directory DIR; an exit code. */
static int attach_and_pin(struct cg_request *req, const struct cgroup_ref *cg, const char *dir)
{
	char root[PATH_MAX], self[PATH_MAX];
	struct sockopt_diag d = { 0 };
	struct cg_load *l = NULL;
	int code;

	if (cg_v2_root(root, sizeof(root)) < 0 || cg_v2_self(root, self, sizeof(self)) < 0)
		return fail(EXIT_FAILED, "Cannot find sockopt's own cgroup in /proc/self/cgroup.");
	code = cg_request_load(req, self, &l);
	if (code != EXIT_OK)
		return code;
	if (cg_load_attach(l, cg->dir, &d) < 0 || cg_load_pin(l, dir, &d) < 0)
		code = fail(EXIT_FAILED, "%s", d.text);
	/* The pins hold the links now: closing ours leaves the programs on the cgroup. */
	cg_load_free(l);
	return code;
}

static int cmd_attach(int argc, char **argv)
{
	static struct cg_request req;
	struct bpf_set_option opts[8];
	struct cgroup_ref cg;
	char pins[512], dir[700];
	const char *pin_names[CG_MAX_ENTRIES];
	size_t npins = 0, nopts = 0;
	bool existing = false;
	struct args a;
	int c, code = EXIT_OK;

	req.kinds = RUN_KINDS_TCP | RUN_KINDS_UDP;
	args_start(&a, &attach_command, argc, argv);
	while (code == EXIT_OK && (c = args_next(&a)) > 0) {
		if (c == 'o')
			code = cg_request_add(&req, "-o", a.value, SOCKOPT_PHASE_CATALOG, 0);
		else if (c == ATTACH_PIN && npins < CG_MAX_ENTRIES)
			pin_names[npins++] = a.value;
		else if (c == ATTACH_EXISTING)
			existing = true;
	}
	if (code != EXIT_OK)
		return code;
	if (c < 0)
		return a.code;
	if (req.count == 0)
		return fail(EXIT_USAGE, "attach: no options to apply; give at least one, e.g. -o "
					"TCP_KEEPIDLE=30.");
	/*
	 * A running service's listener is older than the attachment and has
	 * nothing to hand down, so what a listener would hand down goes on
	 * each accepted socket too.
	 */
	for (size_t i = 0; i < req.count; i++)
		if (req.entry[i].when & CG_LISTEN)
			req.entry[i].when |= CG_ACCEPT;
	for (size_t i = 0; i < npins && code == EXIT_OK; i++)
		code = cg_request_pin(&req, pin_names[i]);
	if (code == EXIT_OK && existing)
		code = existing_options(&req, opts, &nopts);
	if (code == EXIT_OK)
		code = resolve(a.operands[0], &cg);
	if (code == EXIT_OK)
		code = need_root("attach");
	if (code == EXIT_OK)
		code = pins_root(pins, sizeof(pins));
	if (code != EXIT_OK)
		return code;
	attachment_dir(pins, cg.id, dir, sizeof(dir));
	if (access(dir, F_OK) == 0)
		return fail(EXIT_FAILED, "The cgroup %s has sockopt's programs already (sockopt attached "
					 "lists them); sockopt detach it first.", cg.rel);
	if (strlen(cg.rel) >= sizeof(req.info.cgroup))
		return fail(EXIT_USAGE, "The cgroup path %s is longer than the %zu bytes an attachment "
					"records.", cg.rel, sizeof(req.info.cgroup) - 1);
	memcpy(req.info.cgroup, cg.rel, strlen(cg.rel) + 1);
	code = attach_and_pin(&req, &cg, dir);
	if (code != EXIT_OK)
		return code;
	printf("attached %s to %s%s%s (pins in %s)\n", req.info.spec, cg.rel,
	       *req.info.pins ? ", pinned: " : "", req.info.pins, dir);
	return existing ? set_existing(&cg, opts, nopts) : EXIT_OK;
}

static const struct flag attach_flags[] = {
	{ 'o', "option", "SPEC", "apply SPEC to every TCP and UDP socket the cgroup's processes make",
	  NULL, 0 },
	{ ATTACH_PIN, "pin", "NAME[,NAME…]",
	  "the spec's value of NAME stays: the program's own setsockopt of it succeeds, changes "
	  "nothing and is counted",
	  "the program's later value wins", 0 },
	{ ATTACH_EXISTING, "existing", NULL,
	  "also set the spec on the TCP sockets the cgroup's processes have already (BPF set "
	  "iterator)",
	  "only new sockets", 0 },
	{ 0 },
};

const struct command attach_command = {
	"attach", cmd_attach, "CGROUP",
	"put a spec on a running service's cgroup with BPF programs that stay after sockopt exits",
	attach_flags, 1, 1, ARGS_FLAGS_ANYWHERE,
	"CGROUP is a cgroup v2 directory: an absolute path, or a path under the cgroup v2 mount\n"
	"(system.slice/redis.service). The spec is tried in a scratch cgroup first; an option the\n"
	"hooks cannot set is refused (exit 2) before anything is attached. The programs stay, as\n"
	"links pinned under $SOCKOPT_BPF_PIN_DIR (default /sys/fs/bpf/sockopt), until sockopt detach.\n"
	"Needs root. docs/attach.md has the details.",
	{ "sockopt attach system.slice/redis.service -o TCP_KEEPIDLE=30 --pin TCP_KEEPIDLE",
	  "sockopt attach /sys/fs/cgroup/web -o SO_KEEPALIVE=on,TCP_KEEPIDLE=60 --existing" },
};

/* Call FN for each attachment's pin directory under PINS; FN's first nonzero result stops. */
static int each_attachment(const char *pins, int (*fn)(const char *dir, void *ctx), void *ctx)
{
	DIR *d = opendir(pins);
	struct dirent *e;
	char dir[1024];
	int r = 0;

	while (d && r == 0 && (e = readdir(d))) {
		if (strncmp(e->d_name, "cgroup-", 7) != 0)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", pins, e->d_name);
		r = fn(dir, ctx);
	}
	if (d)
		closedir(d);
	return r;
}

/* An attachment found by the cgroup path it recorded (its cgroup may be gone). */
struct by_path {
	const char *rel;
	char dir[1024];
};

static int match_path(const char *dir, void *ctx)
{
	struct by_path *b = ctx;
	struct cg_load *l;
	struct cg_info info;
	int hit;

	if (cg_load_open_pinned(dir, &l) < 0)
		return 0;
	hit = cg_load_info(l, &info) == 0 && strcmp(info.cgroup, b->rel) == 0;
	cg_load_free(l);
	if (hit)
		snprintf(b->dir, sizeof(b->dir), "%s", dir);
	return hit;
}

/* ARG as a path under the cgroup v2 mount, "/a/b", without resolving it (it may be gone). */
static void relative_path(const char *arg, char *buf, size_t size)
{
	char root[PATH_MAX] = "";
	size_t n;

	cg_v2_root(root, sizeof(root));
	n = strlen(root);
	if (n && strncmp(arg, root, n) == 0 && arg[n] == '/')
		arg += n;
	snprintf(buf, size, "%s%s", *arg == '/' ? "" : "/", arg);
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
}

static int cmd_detach(int argc, char **argv)
{
	struct cgroup_ref cg;
	struct by_path b = { cg.rel, "" };
	char pins[512];
	struct args a;
	int c, code, r;

	args_start(&a, &detach_command, argc, argv);
	while ((c = args_next(&a)) > 0)
		;
	if (c < 0)
		return a.code;
	code = need_root("detach");
	if (code == EXIT_OK)
		code = pins_root(pins, sizeof(pins));
	if (code != EXIT_OK)
		return code;
	/* A cgroup removed since its attach is found by the path it had. */
	relative_path(a.operands[0], cg.rel, sizeof(cg.rel));
	if (!each_attachment(pins, match_path, &b)) {
		code = resolve(a.operands[0], &cg);
		if (code != EXIT_OK)
			return code;
		attachment_dir(pins, cg.id, b.dir, sizeof(b.dir));
	}
	r = cg_unpin(b.dir);
	if (r == -ENOENT)
		return fail(EXIT_FAILED, "The cgroup %s has no sockopt programs attached (sockopt "
					 "attached lists those that have).", cg.rel);
	if (r < 0)
		return fail(EXIT_FAILED, "Cannot remove the pins in %s: %s.", b.dir, strerror(-r));
	printf("detached from %s\n", cg.rel);
	return EXIT_OK;
}

static const struct flag detach_flags[] = { { 0 } };

const struct command detach_command = {
	"detach", cmd_detach, "CGROUP", "remove what sockopt attach put on a cgroup", detach_flags, 1, 1,
	ARGS_FLAGS_ANYWHERE,
	"CGROUP as sockopt attach took it. The pins go, and with them the links and the programs;\n"
	"sockets already made keep the options they were given. Needs root.",
	{ "sockopt detach system.slice/redis.service", "sockopt detach /sys/fs/cgroup/web" },
};

/* In JSON only: KEY as an object of the moments of COUNT that are not 0. */
static void print_moments(const char *key, const unsigned long long *count)
{
	print_open_object(key);
	for (unsigned w = 0; w < CG_WHEN_COUNT; w++)
		if (count[w])
			print_int(PRINT_JSON, cg_when_name(1u << w), NULL, (long long)count[w]);
	print_close_object();
}

/* One attachment, in text or JSON, with what each entry did. */
static void print_attachment(struct cg_load *l, const struct cg_info *info, const char *dir)
{
	print_open_object(NULL);
	print_name(PRINT_ANY, "cgroup", "%s\n", info->cgroup);
	print_string(PRINT_ANY, "spec", "  spec: %s\n", info->spec);
	print_string(PRINT_ANY, "pinned", *info->pins ? "  pinned: %s\n" : NULL, info->pins);
	print_string(PRINT_ANY, "pins", "  pins in %s\n", dir);
	print_open_array("options");
	for (size_t i = 0; i < info->count && i < CG_MAX_ENTRIES; i++) {
		struct cg_entry e;
		struct cg_stat s;
		char label[160], text[400];

		if (cg_load_entry(l, i, &e) < 0 || cg_load_stat(l, i, &s) < 0)
			continue;
		cg_entry_label(&e, label, sizeof(label));
		cg_format_applied(&s, text, sizeof(text));
		print_open_object(NULL);
		print_string(PRINT_ANY, "option", "  %s ", label);
		print_string(PRINT_ANY, "applied", "%s\n", text);
		print_moments("applied_at", s.applied);
		print_moments("failed_at", s.failed);
		if (s.tried) {
			print_int(PRINT_JSON, "tried", NULL, (long long)s.tried);
			print_name(PRINT_JSON, "tried_by", NULL, s.tried_comm);
			cg_format_tried(&e, &s, text, sizeof(text));
			print_name(PRINT_ANY, "kept", "  %s\n", text);
		}
		print_close_object();
	}
	print_close_array();
	print_close_object();
}

/* What `attached` lists: every attachment, or the one of a cgroup. */
struct listing {
	const char *only; /* the pin directory of the one asked for, or NULL */
	size_t shown;
};

static int list_one(const char *dir, void *ctx)
{
	struct listing *li = ctx;
	struct cg_load *l;
	struct cg_info info;

	if (li->only && strcmp(li->only, dir) != 0)
		return 0;
	if (cg_load_open_pinned(dir, &l) < 0)
		return 0;
	if (cg_load_info(l, &info) == 0) {
		print_attachment(l, &info, dir);
		li->shown++;
	}
	cg_load_free(l);
	return 0;
}

static int cmd_attached(int argc, char **argv)
{
	struct listing li = { NULL, 0 };
	struct cgroup_ref cg;
	char pins[512], dir[700];
	bool json = false;
	struct args a;
	int c, code = EXIT_OK;

	args_start(&a, &attached_command, argc, argv);
	while ((c = args_next(&a)) > 0)
		json = true; /* --json is the only flag */
	if (c < 0)
		return a.code;
	if (a.noperands)
		code = resolve(a.operands[0], &cg);
	if (code == EXIT_OK)
		code = need_root("attached");
	if (code == EXIT_OK)
		code = pins_root(pins, sizeof(pins));
	if (code != EXIT_OK)
		return code;
	if (a.noperands) {
		attachment_dir(pins, cg.id, dir, sizeof(dir));
		li.only = dir;
	}
	print_start(json);
	print_open_array(NULL);
	each_attachment(pins, list_one, &li);
	print_close_array();
	print_end();
	if (a.noperands && li.shown == 0)
		return fail(EXIT_FAILED, "The cgroup %s has no sockopt programs attached.", cg.rel);
	return EXIT_OK;
}

static const struct flag attached_flags[] = { ARGS_FLAG_JSON, { 0 } };

const struct command attached_command = {
	"attached", cmd_attached, "[CGROUP]",
	"list the cgroups sockopt attach put programs on, with their specs and counts",
	attached_flags, 0, 1, ARGS_FLAGS_ANYWHERE,
	"For each attachment: the cgroup, the spec, the pinned options, where each option was\n"
	"applied and how often, and for a pinned option how many times the program tried to set it\n"
	"itself, to which value, and what was kept. Needs root.",
	{ "sockopt attached", "sockopt attached system.slice/redis.service --json" },
};
