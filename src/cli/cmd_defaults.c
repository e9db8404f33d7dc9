/* cmd_defaults.c: `sockopt defaults`: every readable option's value on a fresh socket of each kind. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "print.h"

static const unsigned all_kinds[] = {
	SOCKOPT_KIND_TCP,  SOCKOPT_KIND_TCP6,	    SOCKOPT_KIND_UDP,
	SOCKOPT_KIND_UDP6, SOCKOPT_KIND_UNIX,	    SOCKOPT_KIND_UNIX_DGRAM,
	SOCKOPT_KIND_RAW,  SOCKOPT_KIND_RAW6,	    SOCKOPT_KIND_UNIX_SEQPACKET,
};

/* Print every readable option of a fresh socket of KIND; false when it could not be made. */
static bool print_kind(unsigned kind)
{
	struct sockopt_diag diag;
	int fd = sockopt_kind_socket(kind, &diag);

	print_open_object(NULL);
	print_string(PRINT_ANY, "kind", "%s\n", sockopt_kind_name(kind));
	if (fd < 0) {
		print_string(PRINT_JSON, "skipped", NULL, diag.text);
		print_text("  skipped: %s\n\n", diag.text);
		print_close_object();
		return fd == -EPERM || fd == -EACCES;
	}
	print_open_array("options");
	for (size_t i = 0; i < sockopt_catalog_count(); i++) {
		const sockopt_entry *e = sockopt_catalog_at(i);
		sockopt_value v;

		if (!(sockopt_entry_kinds(e) & kind) ||
		    !(sockopt_entry_access(e) & SOCKOPT_ACCESS_GET))
			continue;
		print_open_object(NULL);
		print_string(PRINT_ANY, "name", "  %-28s ", sockopt_entry_name(e));
		print_string(PRINT_JSON, "level", NULL, sockopt_level_name(sockopt_entry_level(e)));
		print_int(PRINT_JSON, "level_number", NULL, sockopt_entry_level(e));
		print_int(PRINT_JSON, "optname", NULL, sockopt_entry_optname(e));
		print_option_value(e, &v, sockopt_get(fd, e, &v, NULL));
		print_text("\n");
		print_close_object();
	}
	print_close_array();
	print_text("\n");
	print_close_object();
	close(fd);
	return true;
}

static int cmd_defaults(int argc, char **argv)
{
	unsigned chosen[sizeof(all_kinds) / sizeof(all_kinds[0]) * 2];
	size_t n = 0;
	bool json = false, ok = true;
	int c;
	struct args a;

	args_start(&a, &defaults_command, argc, argv);
	while ((c = args_next(&a)) > 0)
		json = true; /* --json is the only flag */
	if (c < 0)
		return a.code;
	for (int i = 0; i < a.noperands; i++) {
		if (n == sizeof(chosen) / sizeof(chosen[0]))
			return fail(EXIT_USAGE, "defaults: too many socket kinds (at most %zu).", n);
		if (sockopt_kind_parse(a.operands[i], &chosen[n++]) < 0)
			return fail(EXIT_USAGE,
				    "\"%s\" is not a socket kind; use tcp, tcp6, udp, udp6, raw, "
				    "raw6, unix, unix-dgram or unix-seqpacket.",
				    arg_short(a.operands[i]));
	}
	if (n == 0)
		for (; n < sizeof(all_kinds) / sizeof(all_kinds[0]); n++)
			chosen[n] = all_kinds[n];
	print_start(json);
	print_open_array(NULL);
	for (size_t i = 0; i < n; i++)
		ok &= print_kind(chosen[i]);
	print_close_array();
	print_end();
	return ok ? EXIT_OK : EXIT_FAILED;
}

static const struct flag defaults_flags[] = { ARGS_FLAG_JSON, { 0 } };

const struct command defaults_command = {
	"defaults", cmd_defaults,
	"[tcp|tcp6|udp|udp6|raw|raw6|unix|unix-dgram|unix-seqpacket …]", "every option's value on a fresh socket of each kind",
	defaults_flags, 0, -1, ARGS_FLAGS_ANYWHERE,
	"Without a kind, every kind. Options a kind cannot read show the error name. raw and raw6 need CAP_NET_RAW:\n"
	"a kind whose socket cannot be made is shown as skipped, with the reason, and exits 1.",
	{ "sockopt defaults tcp", "sockopt defaults udp6 unix --json" },
};
