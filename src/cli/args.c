/* args.c: the one argument parser, usage line and --help of every sockopt subcommand (GNU style). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "msg.h"

/* Every subcommand answers --help and -h; the tables do not repeat it. */
static const struct flag help_flag = { 'h', "help", NULL, "print this help and exit", NULL, 0 };

void args_start(struct args *a, const struct command *cmd, int argc, char **argv)
{
	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	a->argc = argc;
	a->argv = argv;
	a->next = 1;
	a->operands = argv + 1;
}

/* A usage error about CMD: one line, the exit code 2. */
static int usage(struct args *a, const char *what, const char *arg)
{
	a->code = fail(EXIT_USAGE, "%s: %s \"%s\"; see 'sockopt %s --help'.", a->cmd->name, what,
		       arg_short(arg), a->cmd->name);
	return -1;
}

static const struct flag *find_long(const struct command *cmd, const char *name, size_t len)
{
	for (const struct flag *f = cmd->flags; f && f->name; f++)
		if (strlen(f->name) == len && strncmp(f->name, name, len) == 0)
			return f;
	return len == 4 && strncmp(name, "help", 4) == 0 ? &help_flag : NULL;
}

static const struct flag *find_short(const struct command *cmd, char c)
{
	for (const struct flag *f = cmd->flags; f && f->name; f++)
		if (f->key == (unsigned char)c && f->key < ARGS_LONG_ONLY)
			return f;
	return c == 'h' ? &help_flag : NULL;
}

/* The flag F as the user may have written it, for a sentence: "--json". */
static const char *spelled(const struct flag *f)
{
	static char name[2][64];
	static unsigned next;
	char *out = name[next++ % 2];

	snprintf(out, sizeof(name[0]), "--%s", f->name);
	return out;
}

/* F was given: refuse it when another flag of its group came first; its key, or -1. */
static int take(struct args *a, const struct flag *f)
{
	const struct flag **first;

	if (f == &help_flag) {
		args_help(a->cmd);
		a->code = EXIT_OK;
		return -1;
	}
	a->flag = f;
	if (f->group <= 0 || (size_t)f->group >= sizeof(a->group_flag) / sizeof(a->group_flag[0]))
		return f->key;
	first = &a->group_flag[f->group];
	if (*first && *first != f) {
		a->code = fail(EXIT_USAGE, "%s: %s and %s cannot be used together.", a->cmd->name,
			       spelled(*first), spelled(f));
		return -1;
	}
	*first = f;
	return f->key;
}

/* The value of F: the rest of its word (INLINE), else the next argument. */
static int take_value(struct args *a, const struct flag *f, char *inline_value)
{
	if (inline_value && *inline_value) {
		a->value = inline_value;
	} else if (a->next < a->argc) {
		a->value = a->argv[a->next++];
	} else {
		a->code = fail(EXIT_USAGE, "%s: %s needs a value (%s); see 'sockopt %s --help'.",
			       a->cmd->name, spelled(f), f->value, a->cmd->name);
		return -1;
	}
	return take(a, f);
}

/* "--name" or "--name=value". */
static int long_flag(struct args *a, char *word)
{
	char *eq = strchr(word, '=');
	const struct flag *f = find_long(a->cmd, word, eq ? (size_t)(eq - word) : strlen(word));

	if (!f)
		return usage(a, "unknown flag", word - 2);
	if (!f->value && eq)
		return usage(a, "this flag takes no value:", word - 2);
	if (!f->value)
		return take(a, f);
	return take_value(a, f, eq ? eq + 1 : NULL);
}

/* The next letter of a "-abc" cluster; a flag with a value takes the rest of the word. */
static int short_flag(struct args *a)
{
	char name[3] = { '-', *a->cluster, '\0' };
	const struct flag *f = find_short(a->cmd, *a->cluster++);

	if (!f)
		return usage(a, "unknown flag", name);
	if (!f->value)
		return take(a, f);
	if (*a->cluster) {
		char *rest = a->cluster;

		a->cluster = NULL;
		return take_value(a, f, rest);
	}
	a->cluster = NULL;
	return take_value(a, f, NULL);
}

/* Move the arguments from the current one on behind the operands gathered so far. */
static void rest_are_operands(struct args *a)
{
	while (a->next < a->argc)
		a->operands[a->noperands++] = a->argv[a->next++];
}

/* Every argument was read: check the operand count. */
static int finish(struct args *a)
{
	const struct command *c = a->cmd;

	a->operands[a->noperands] = NULL; /* argv was compacted: the operands end as argv ends */
	if (a->noperands >= c->min_operands && (c->max_operands < 0 || a->noperands <= c->max_operands))
		return 0;
	if (a->noperands < c->min_operands) {
		a->code = fail(EXIT_USAGE, "%s: %s is missing; usage: sockopt %s [FLAGS] %s", c->name,
			       c->operands, c->name, c->operands);
		return -1;
	}
	return usage(a, "unexpected argument", a->operands[c->max_operands]);
}

int args_next(struct args *a)
{
	char *word;

	if (a->cluster && *a->cluster)
		return short_flag(a);
	a->cluster = NULL;
	while (a->next < a->argc) {
		word = a->argv[a->next];
		if (strcmp(word, "--") == 0) {
			a->next++;
			rest_are_operands(a);
			break;
		}
		if (word[0] != '-' || word[1] == '\0') {
			if (a->cmd->order == ARGS_FLAGS_FIRST) {
				rest_are_operands(a);
				break;
			}
			a->operands[a->noperands++] = a->argv[a->next++];
			continue;
		}
		a->next++;
		if (word[1] == '-')
			return long_flag(a, word + 2);
		a->cluster = word + 1;
		return short_flag(a);
	}
	return finish(a);
}

/* "-j|--json" or "--threads N" (SEP between the two forms, INDENT instead of a missing short one). */
static void flag_form(const struct flag *f, const char *sep, int indent, char *buf, size_t size)
{
	const char *space = f->value ? " " : "", *value = f->value ? f->value : "";

	if (f->key < ARGS_LONG_ONLY)
		snprintf(buf, size, "-%c%s--%s%s%s", f->key, sep, f->name, space, value);
	else
		snprintf(buf, size, "%*s--%s%s%s", indent, "", f->name, space, value);
}

void args_usage(const struct command *cmd, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "usage: sockopt %s", cmd->name);

	for (const struct flag *f = cmd->flags; f && f->name && n < size; f++) {
		char form[128];

		flag_form(f, "|", 0, form, sizeof(form));
		n += (size_t)snprintf(buf + n, size - n, " [%s]", form);
	}
	if (n < size && cmd->operands && *cmd->operands)
		snprintf(buf + n, size - n, " %s", cmd->operands);
}

/* One line of the flag list: "  -p, --port N   meaning (default: …)". */
static void help_flag_line(const struct flag *f)
{
	char form[128];

	flag_form(f, ", ", 4, form, sizeof(form));
	/* A long form gets its meaning on the next line, in the same column. */
	if (strlen(form) > 24)
		printf("  %s\n%27s%s", form, "", f->help);
	else
		printf("  %-24s %s", form, f->help);
	if (f->fallback)
		printf(" (default: %s)", f->fallback);
	putchar('\n');
}

void args_help(const struct command *cmd)
{
	char line[2048];

	args_usage(cmd, line, sizeof(line));
	printf("%s\n\n%c%s.\n\nFlags:\n", line, toupper((unsigned char)cmd->summary[0]),
	       cmd->summary + 1);
	for (const struct flag *f = cmd->flags; f && f->name; f++)
		help_flag_line(f);
	help_flag_line(&help_flag);
	if (cmd->details)
		printf("\n%s\n", cmd->details);
	printf("\nExamples:\n");
	for (size_t i = 0; i < sizeof(cmd->examples) / sizeof(cmd->examples[0]); i++)
		if (cmd->examples[i])
			printf("  %s\n", cmd->examples[i]);
}
