/* run.h: what the parts of `sockopt run` share: the request the command line makes, and how a nested run merges into it. */
#ifndef SOCKOPT_RUN_H
#define SOCKOPT_RUN_H

#include <limits.h>
#include <stdbool.h>

#include "run_env.h"

/* What the command line asked for: one text per spec variable, the flag words, pins and log. */
struct run_request {
	char *text[RUN_VAR_COUNT]; /* repeated flags joined with commas; NULL when absent */
	char words[128];	   /* SOCKOPT_RUN_FLAGS */
	unsigned kinds, switches;
	char *pins;		   /* SOCKOPT_PIN: comma-separated option names, or NULL */
	char log[PATH_MAX];	   /* SOCKOPT_LOG: absolute, as the program may change directory */
};

/* Append ITEM to *TEXT with a comma; false when out of memory. */
bool run_append(char **text, const char *item);
/* Add WORD to the request's SOCKOPT_RUN_FLAGS words, once. */
void run_add_word(struct run_request *req, const char *word);

/*
 * Inside another `sockopt run` (run_leave_shim kept its environment under
 * SOCKOPT_OUTER_*): merge the outer request under REQ, entry by entry,
 * REQ's over the outer's, and say so in one line.  EXIT_OK, or the exit
 * code after one line.
 */
int run_nest_merge(struct run_request *req);
/* Keep the shim's variables under SOCKOPT_OUTER_* names, for a nested run to merge. */
void run_nest_keep(void);

#endif /* SOCKOPT_RUN_H */
