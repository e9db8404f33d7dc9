/* cmd_limits.c: `sockopt limits`: the sysctls that bound and default options, with their values. */
#include <stdio.h>

#include "cli.h"
#include "print.h"

static int cmd_limits(int argc, char **argv)
{
	bool json = false;
	int c, failed = 0;
	char first[SOCKOPT_TEXT_MAX] = "";
	struct args a;

	args_start(&a, &limits_command, argc, argv);
	while ((c = args_next(&a)) > 0)
		json = true; /* --json is the only flag */
	if (c < 0)
		return a.code;
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
			if (failed++ == 0)
				snprintf(first, sizeof(first), "%s", diag.text);
			print_string(PRINT_ANY, "error", "%-22s ", diag.text);
		} else {
			print_string(PRINT_ANY, "value", "%-22s ", value);
		}
		print_string(PRINT_ANY, "meaning", "%s\n", sockopt_limit_meaning(i));
		print_close_object();
	}
	print_close_array();
	print_end();
	if (failed)
		return fail(EXIT_FAILED, "%d sysctl%s could not be read; the first: %s", failed,
			    failed == 1 ? "" : "s", first);
	return EXIT_OK;
}

static const struct flag limits_flags[] = { ARGS_FLAG_JSON, { 0 } };

const struct command limits_command = {
	"limits", cmd_limits, "", "the kernel tunables that bound options", limits_flags, 0, 0,
	ARGS_FLAGS_ANYWHERE,
	"Each sysctl under /proc/sys/net that gives an option its default or its bound, with its\n"
	"value on this machine and what it means; 'sockopt explain NAME' shows the ones of one option.",
	{ "sockopt limits", "sockopt limits --json" },
};
