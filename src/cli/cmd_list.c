/* cmd_list.c: `sockopt list`: the catalog as a table or JSON. */
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "print.h"

/* Whether E matches PATTERN: a glob, or else a substring of its name or aliases. */
static bool matches(const sockopt_entry *e, const char *pattern)
{
	if (!pattern)
		return true;
	if (strpbrk(pattern, "*?["))
		return fnmatch(pattern, sockopt_entry_name(e), FNM_CASEFOLD) == 0;
	return strcasestr(sockopt_entry_name(e), pattern) ||
	       strcasestr(sockopt_entry_aliases(e), pattern);
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

int cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "level", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *pattern = NULL;
	bool json = false;
	int level = -1, c;
	size_t shown = 0;

	while ((c = getopt_long(argc, argv, "l:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (sockopt_level_parse(optarg, &level) < 0)
				return fail(EXIT_USAGE,
					    "\"%s\" is not a level; use socket, ip, ipv6, tcp or udp.",
					    optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return usage_help("list");
		default:
			return usage_error("list");
		}
	}
	if (argc - optind > 1)
		return usage_error("list");
	if (optind < argc)
		pattern = argv[optind];
	print_start(json);
	print_text("%-28s %-6s %-12s %-7s %-14s %s\n", "NAME", "LEVEL", "TYPE", "ACCESS",
		   "PHASE", "SUMMARY");
	print_open_array(NULL);
	for (size_t i = 0; i < sockopt_catalog_count(); i++) {
		const sockopt_entry *e = sockopt_catalog_at(i);

		if ((level < 0 || sockopt_entry_level(e) == level) && matches(e, pattern)) {
			print_entry(e);
			shown++;
		}
	}
	print_close_array();
	print_end();
	if (shown == 0 && pattern)
		return fail(EXIT_FAILED, "No option matches \"%s\".", pattern);
	return EXIT_OK;
}
