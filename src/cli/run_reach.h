/* run_reach.h: whether the preload shim of `sockopt run` can reach a program, judged from its file before exec. */
#ifndef SOCKOPT_RUN_REACH_H
#define SOCKOPT_RUN_REACH_H

#include <stddef.h>

/*
 * Whether LD_PRELOAD reaches the sockets of the program CMD names (a path,
 * or a name looked up in PATH as execvp does; a script is judged by its
 * interpreter).  1 when it does; 0 when it cannot, with WHY (SIZE bytes)
 * saying why in a phrase that follows "CMD is" ("statically linked, so the
 * loader that reads LD_PRELOAD never runs", "a Go binary, whose runtime
 * makes raw system calls", "set-user-ID to uid 65534, so the loader
 * ignores LD_PRELOAD"); -errno when the file cannot be read (exec will
 * report it).  It reads the file only: nothing runs.
 */
int run_reach_check(const char *cmd, char *why, size_t size);

#endif /* SOCKOPT_RUN_REACH_H */
