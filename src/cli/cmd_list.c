/* cmd_list.c: `sockopt list`: the catalog as a table or JSON. */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "print.h"

/*
 * Whether E matches PATTERN: a glob, or else a substring of its name or
 * aliases, or a name of E in any spelling sockopt_catalog_find takes
 * (tcp.defer_accept).
 */
static bool matches(const sockopt_entry *e, const char *pattern)
{
	if (!pattern)
		return true;
	if (strpbrk(pattern, "*?["))
		return fnmatch(pattern, sockopt_entry_name(e), FNM_CASEFOLD) == 0;
	return strcasestr(sockopt_entry_name(e), pattern) ||
	       strcasestr(sockopt_entry_aliases(e), pattern) || sockopt_catalog_find(pattern) == e;
}

static void print_entry(const sockopt_entry *e)
{
	print_open_object(NULL);
	print_string(PRINT_ANY, "name", "%-28s ", sockopt_entry_name(e));
	print_string(PRINT_ANY, "level", "%-6s ", sockopt_level_name(sockopt_entry_level(e)));
	print_int(PRINT_JSON, "level_number", NULL, sockopt_entry_level(e));
	print_int(PRINT_JSON, "optname", NULL, sockopt_entry_optname(e));
	print_string(PRINT_ANY, "type", "%-12s ", sockopt_type_name(sockopt_entry_type(e)));
	print_string(PRINT_ANY, "access", "%-7s ", sockopt_access_name(sockopt_entry_access(e)));
	print_string(PRINT_ANY, "phase", "%-14s ", sockopt_phase_name(sockopt_entry_phase(e)));
	print_string(PRINT_ANY, "summary", "%s\n", sockopt_entry_summary(e));
	print_close_object();
}

static int cmd_list(int argc, char **argv)
{
	const char *pattern = NULL;
	bool json = false;
	int level = -1, c;
	bool shown = false;
	struct args a;

	args_start(&a, &list_command, argc, argv);
	while ((c = args_next(&a)) > 0) {
		if (c == 'j')
			json = true;
		else if (c == 'l' && sockopt_level_parse(a.value, &level) < 0)
			return fail(EXIT_USAGE, "--level: \"%s\" is not a level; use socket, ip, ipv6, tcp "
						"or udp.",
				    arg_short(a.value));
	}
	if (c < 0)
		return a.code;
	if (a.noperands)
		pattern = a.operands[0];
	for (size_t i = 0; i < sockopt_catalog_count() && !shown; i++) {
		const sockopt_entry *e = sockopt_catalog_at(i);

		shown = (level < 0 || sockopt_entry_level(e) == level) && matches(e, pattern);
	}
	if (!shown)
		return fail(EXIT_FAILED, "No option matches \"%s\"%s%s.",
			    arg_short(pattern ? pattern : ""), level < 0 ? "" : " at level ",
			    level < 0 ? "" : sockopt_level_name(level));
	print_start(json);
	print_text("%-28s %-6s %-12s %-7s %-14s %s\n", "NAME", "LEVEL", "TYPE", "ACCESS",
		   "PHASE", "SUMMARY");
	print_open_array(NULL);
	for (size_t i = 0; i < sockopt_catalog_count(); i++) {
		const sockopt_entry *e = sockopt_catalog_at(i);

		if ((level < 0 || sockopt_entry_level(e) == level) && matches(e, pattern))
			print_entry(e);
	}
	print_close_array();
	print_end();
	return EXIT_OK;
}

static const struct flag list_flags[] = {
	{ 'l', "level", "socket|ip|ipv6|tcp|udp", "only the options of one level", "every level",
	  0 },
	ARGS_FLAG_JSON,
	{ 0 },
};

const struct command list_command = {
	"list", cmd_list, "[PATTERN]", "the option catalog", list_flags, 0, 1, ARGS_FLAGS_ANYWHERE,
	"PATTERN with *, ? or [ is a glob on kernel names, ignoring case; any other PATTERN is a\n"
	"substring of a name or an alias, or a name in any spelling (tcp.defer_accept). Without\n"
	"PATTERN every option is listed; a PATTERN that matches nothing exits 1, printing nothing.",
	{ "sockopt list keepalive", "sockopt list 'TCP_*' --level tcp --json" },
};
