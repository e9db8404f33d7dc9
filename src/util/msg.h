/* msg.h: how every client of the command reports: exit codes, the one-line error, progress. */
#ifndef SOCKOPT_MSG_H
#define SOCKOPT_MSG_H

#include <stdbool.h>

/* Exit codes of every subcommand. */
enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

/* Print "sockopt: " and the sentence on stderr as one line; returns CODE. */
int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether long work should draw progress on stderr (a terminal). */
bool show_progress(void);

#endif /* SOCKOPT_MSG_H */
