/* libmarker.c: a preload library of someone else's, which sockopt run must keep: it wraps socket() too and says so. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

__attribute__((visibility("default"))) int socket(int family, int type, int protocol)
{
	static int (*next)(int, int, int);
	static const char line[] = "marker: socket() passed through libmarker\n";

	if (!next)
		next = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	if (write(STDERR_FILENO, line, strlen(line)) < 0)
		return -1;
	return next(family, type, protocol);
}
