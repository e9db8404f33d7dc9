/* catalog-doc.c: print the catalog for the build: option names for completion, or a roff listing for sockopt(1). */
#include <stdio.h>
#include <string.h>

#include "sockopt.h"

/*
 * Write TEXT as roff body text: backslashes escaped, a leading dot or quote
 * protected, and every non-ASCII UTF-8 character as a \[uXXXX] escape so the
 * page renders the same with or without preconv.
 */
static void roff_text(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;

	if (*p == '.' || *p == '\'')
		fputs("\\&", stdout);
	while (*p) {
		unsigned cp = *p, extra = 0;

		if (cp >= 0xf0)
			cp &= 0x07, extra = 3;
		else if (cp >= 0xe0)
			cp &= 0x0f, extra = 2;
		else if (cp >= 0xc0)
			cp &= 0x1f, extra = 1;
		p++;
		for (; extra > 0 && (*p & 0xc0) == 0x80; extra--, p++)
			cp = cp << 6 | (*p & 0x3f);
		if (cp == '\\')
			fputs("\\e", stdout);
		else if (cp == '-')
			fputs("\\-", stdout);
		else if (cp < 0x80)
			putchar((int)cp);
		else
			printf("\\[u%04X]", cp);
	}
}

/* One .TP paragraph per option of LEVEL: name, facts, summary. */
static void roff_level(int level)
{
	printf(".SS %s\n", sockopt_level_name(level));
	for (size_t i = 0; i < sockopt_catalog_count(); i++) {
		const sockopt_entry *e = sockopt_catalog_at(i);

		if (sockopt_entry_level(e) != level)
			continue;
		printf(".TP\n.B ");
		roff_text(sockopt_entry_name(e));
		printf("\n%s, %s, phase %s", sockopt_type_name(sockopt_entry_type(e)),
		       sockopt_access_name(sockopt_entry_access(e)),
		       sockopt_phase_name(sockopt_entry_phase(e)));
		if (*sockopt_entry_aliases(e)) {
			printf("; aliases ");
			roff_text(sockopt_entry_aliases(e));
		}
		printf(".\n.br\n");
		roff_text(sockopt_entry_summary(e));
		putchar('\n');
	}
}

/* Every level that has options, in the order the catalog first names them, left-adjusted. */
static void roff_catalog(void)
{
	int seen[16];
	size_t nseen = 0;

	printf(".ad l\n");

	for (size_t i = 0; i < sockopt_catalog_count(); i++) {
		int level = sockopt_entry_level(sockopt_catalog_at(i));
		size_t j = 0;

		while (j < nseen && seen[j] != level)
			j++;
		if (j < nseen || nseen == sizeof(seen) / sizeof(seen[0]))
			continue;
		seen[nseen++] = level;
		roff_level(level);
	}
	printf(".ad b\n");
}

/* Kernel names and aliases, one per line. */
static void names(void)
{
	for (size_t i = 0; i < sockopt_catalog_count(); i++) {
		const sockopt_entry *e = sockopt_catalog_at(i);
		const char *a = sockopt_entry_aliases(e);

		printf("%s\n", sockopt_entry_name(e));
		while (*a) {
			size_t n = strcspn(a, " ");

			if (n > 0)
				printf("%.*s\n", (int)n, a);
			a += n + (a[n] == ' ');
		}
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "names") == 0)
		names();
	else if (argc == 2 && strcmp(argv[1], "roff") == 0)
		roff_catalog();
	else {
		fputs("usage: catalog-doc names|roff\n", stderr);
		return 2;
	}
	return 0;
}
