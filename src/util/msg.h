/* msg.h: how every client of the command reports: exit codes, the one-line error, progress. */
#ifndef SOCKOPT_MSG_H
#define SOCKOPT_MSG_H

#include <stdbool.h>

/* Exit codes of every subcommand. */
enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

/*
 * Print "sockopt: " and the sentence on stderr as one line, control characters
 * and bytes that are not UTF-8 escaped (\n, \x1b) and cut at 512 bytes; returns CODE.
 */
int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * ARG cut to ARG_SHORT_MAX bytes with "…" when longer, for quoting a user's
 * argument in a fail() sentence (fail() itself escapes control characters).
 * The text lives until four more calls; call it only from the main thread.
 */
#define ARG_SHORT_MAX 64
const char *arg_short(const char *arg);
/* Whether long work should draw progress on stderr (a terminal). */
bool show_progress(void);

#endif /* SOCKOPT_MSG_H */
