/* cmd_limits.c: `sockopt limits`: the sysctls that bound and default options, with their values. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "print.h"

int cmd_limits(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	bool json = false;
	int c, failed = 0;

	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'h')
			return usage_help("limits");
		else
			return usage_error("limits");
	}
	if (optind < argc)
		return usage_error("limits");
	print_start(json);
	print_text("%-32s %-22s %s\n", "SYSCTL", "VALUE", "MEANING");
	print_open_array(NULL);
	for (size_t i = 0; i < sockopt_limit_count(); i++) {
		struct sockopt_diag diag;
		char value[128];
		const char *name = sockopt_limit_name(i);
		int r = sockopt_sysctl_read(name, value, sizeof(value), &diag);

		print_open_object(NULL);
		print_string(PRINT_ANY, "name", "%-32s ", name);
		if (r < 0) {
			failed++;
			print_string(PRINT_ANY, "error", "%-22s ", diag.text);
		} else {
			print_string(PRINT_ANY, "value", "%-22s ", value);
		}
		print_string(PRINT_ANY, "meaning", "%s\n", sockopt_limit_meaning(i));
		print_close_object();
	}
	print_close_array();
	print_end();
	return failed ? EXIT_FAILED : EXIT_OK;
}
