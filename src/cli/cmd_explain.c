/* cmd_explain.c: `sockopt explain`: everything known about one option, with live values from this kernel. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_cli.h"
#include "cli.h"
#include "print.h"

/* The option's value on a fresh socket of every kind it applies to. */
static void print_fresh_values(const sockopt_entry *e)
{
	print_text("\nOn a fresh socket of each kind (this kernel):\n");
	print_open_array("defaults");
	for (unsigned kind = 1; kind & SOCKOPT_KIND_ALL; kind <<= 1) {
		struct sockopt_diag diag;
		sockopt_value v;
		int fd;

		if (!(sockopt_entry_kinds(e) & kind))
			continue;
		print_open_object(NULL);
		print_string(PRINT_ANY, "kind", "  %-15s ", sockopt_kind_name(kind));
		fd = sockopt_kind_socket(kind, &diag);
		if (fd < 0) {
			print_string(PRINT_ANY, "skipped", "skipped: %s\n", diag.text);
		} else if (!(sockopt_entry_access(e) & SOCKOPT_ACCESS_GET)) {
			print_string(PRINT_ANY, "skipped", "%s\n", "set-only, cannot be read");
		} else {
			print_option_value(e, &v, sockopt_get(fd, e, &v, NULL));
			print_text("\n");
		}
		if (fd >= 0)
			close(fd);
		print_close_object();
	}
	print_close_array();
}

/* The values the kernel accepts for E, and where that bound comes from (one line; JSON "bound"). */
static void print_bound(const sockopt_entry *e)
{
	static const char *const sources[] = {
		[SOCKOPT_BOUND_NONE] = "none",
		[SOCKOPT_BOUND_KERNEL] = "kernel",
		[SOCKOPT_BOUND_MEASURED] = "measured",
		[SOCKOPT_BOUND_SYSCTL] = "sysctl",
	};
	struct sockopt_bound b;
	char text[512];

	if (sockopt_entry_bound(e, &b) < 0 || sockopt_entry_bound_text(e, text, sizeof(text)) < 0)
		return;
	print_open_object("bound");
	print_string(PRINT_ANY, "text", "  bound      %s\n", text);
	print_string(PRINT_JSON, "source", NULL, sources[b.source]);
	print_string(PRINT_JSON, "where", NULL, b.where);
	if (b.source != SOCKOPT_BOUND_SYSCTL) {
		print_int(PRINT_JSON, "min", NULL, b.min);
		print_int(PRINT_JSON, "max", NULL, b.max);
		if (b.has_also)
			print_int(PRINT_JSON, "also", NULL, b.also);
	}
	print_close_object();
}

static void print_sysctls(const char *list)
{
	char name[128];
	size_t len;

	if (!*list)
		return;
	print_text("\nRelated sysctls:\n");
	print_open_array("sysctls");
	for (const char *w; (w = sockopt_word_next(&list, &len));) {
		char value[128];

		snprintf(name, sizeof(name), "%.*s", (int)len, w);
		print_open_object(NULL);
		print_string(PRINT_ANY, "name", "  %-34s ", name);
		if (sockopt_sysctl_read(name, value, sizeof(value), NULL) == 0)
			print_string(PRINT_ANY, "value", "%s\n", value);
		else
			print_string(PRINT_ANY, "value", "%s\n", NULL);
		print_close_object();
	}
	print_close_array();
}

static void print_kinds(unsigned kinds)
{
	print_text("  %-10s ", "kinds");
	print_open_array("kinds");
	for (unsigned kind = 1; kind & SOCKOPT_KIND_ALL; kind <<= 1)
		if (kinds & kind)
			print_string(PRINT_ANY, NULL, "%s ", sockopt_kind_name(kind));
	print_close_array();
	print_text("\n");
}

/* Whether sockopt's cgroup method (run --cgroup, attach) can set E on this kernel: cached, or probed now. */
static void print_cgroup_method(const sockopt_entry *e)
{
	struct cg_load *l = NULL;
	char why[SOCKOPT_TEXT_MAX];
	int r = cg_can_set(e, &l, why, sizeof(why));

	cg_load_free(l);
	print_open_object("cgroup_method");
	print_text("  %-10s ", "cgroup");
	if (r >= 0) {
		print_bool(PRINT_ANY, "can", "%s: ", r);
	} else {
		print_string(PRINT_JSON, "can", NULL, NULL); /* null: not known */
		print_text("unknown: ");
	}
	print_string(PRINT_ANY, "why", "%s\n", why);
	print_close_object();
}

static int cmd_explain(int argc, char **argv)
{
	const sockopt_entry *e;
	unsigned flags;
	bool json = false;
	int c, code;
	struct args a;

	args_start(&a, &explain_command, argc, argv);
	while ((c = args_next(&a)) > 0)
		json = true; /* --json is the only flag */
	if (c < 0)
		return a.code;
	e = find_option_or_fail(a.operands[0], &code);
	if (!e)
		return code;
	flags = sockopt_entry_flags(e);
	print_start(json);
	print_open_object(NULL);
	print_string(PRINT_ANY, "name", "%s", sockopt_entry_name(e));
	print_string(PRINT_ANY, "summary", ": %s\n\n", sockopt_entry_summary(e));
	print_string(PRINT_ANY, "aliases", "  aliases    %s\n", sockopt_entry_aliases(e));
	print_string(PRINT_ANY, "level", "  level      %s", sockopt_level_name(sockopt_entry_level(e)));
	print_int(PRINT_JSON, "level_number", NULL, sockopt_entry_level(e));
	print_int(PRINT_ANY, "optname", " (optname %lld)\n", sockopt_entry_optname(e));
	print_string(PRINT_ANY, "type", "  type       %s\n", sockopt_type_name(sockopt_entry_type(e)));
	print_string(PRINT_ANY, "access", "  access     %s\n", sockopt_access_name(sockopt_entry_access(e)));
	print_string(PRINT_ANY, "phase", "  phase      %s\n", sockopt_phase_name(sockopt_entry_phase(e)));
	print_bool(PRINT_ANY, "inherited", "  inherited  %s (by accepted sockets)\n",
		   flags & SOCKOPT_FLAG_INHERITED);
	print_bool(PRINT_ANY, "side_effect", "  side effect on read  %s\n",
		   flags & SOCKOPT_FLAG_SIDE_EFFECT);
	print_bool(PRINT_ANY, "privileged", "  privileged %s\n", flags & SOCKOPT_FLAG_PRIVILEGED);
	print_bound(e);
	print_kinds(sockopt_entry_kinds(e));
	print_cgroup_method(e);
	print_text("\n");
	print_string(PRINT_JSON, "explanation", NULL, sockopt_entry_explanation(e));
	if (!json)
		print_wrapped(sockopt_entry_explanation(e), 2, 0);
	print_fresh_values(e);
	print_sysctls(sockopt_entry_sysctls(e));
	print_lab_experiments(sockopt_entry_name(e));
	print_close_object();
	print_end();
	return EXIT_OK;
}

static const struct flag explain_flags[] = { ARGS_FLAG_JSON, { 0 } };

const struct command explain_command = {
	"explain", cmd_explain, "OPTION",
	"one option: semantics, Linux facts, defaults per socket kind, sysctls", explain_flags, 1, 1,
	ARGS_FLAGS_ANYWHERE,
	"OPTION is a kernel name in any case (TCP_KEEPIDLE) or an alias (keepidle); an unknown name\n"
	"gets up to three close ones. 'sockopt help values' gives the syntax of values.",
	{ "sockopt explain SO_LINGER", "sockopt explain keepidle --json" },
};
