/* fdflags.c: file status and descriptor flags changed with a read-modify-write that keeps the others. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* A pair of fcntl commands that read and write one flag word. */
struct flag_word {
	int get, set;
	const char *get_name, *set_name;
};

static const struct flag_word status_word = { F_GETFL, F_SETFL, "F_GETFL", "F_SETFL" };
static const struct flag_word descriptor_word = { F_GETFD, F_SETFD, "F_GETFD", "F_SETFD" };

/*
 * Turn the bits of MASK (named WHAT) on or off in word W of FD, keeping every
 * other bit: read, change, write back only when it differs.  Clearing is
 * flags & ~MASK; the seed's "flags &= O_NONBLOCK" keeps only O_NONBLOCK and
 * clears everything else (O_APPEND, O_ASYNC …), which is the bug this avoids.
 */
static int update_flags(int fd, const struct flag_word *w, int mask, const char *what, bool on,
			struct sockopt_diag *diag)
{
	int flags = fcntl(fd, w->get), want;

	if (flags < 0)
		return diag_set(diag, -errno, "fcntl(%d, %s): %s (%s).", fd, w->get_name,
				strerror(errno), errno_name(errno));
	want = on ? flags | mask : flags & ~mask;
	if (want != flags && fcntl(fd, w->set, want) < 0)
		return diag_set(diag, -errno, "fcntl(%d, %s) to turn %s %s: %s (%s).", fd,
				w->set_name, what, on ? "on" : "off", strerror(errno),
				errno_name(errno));
	return 0;
}

SOCKOPT_EXPORT int sockopt_fd_set_nonblocking(int fd, bool on, struct sockopt_diag *diag)
{
	return update_flags(fd, &status_word, O_NONBLOCK, "O_NONBLOCK", on, diag);
}

SOCKOPT_EXPORT int sockopt_fd_set_cloexec(int fd, bool on, struct sockopt_diag *diag)
{
	return update_flags(fd, &descriptor_word, FD_CLOEXEC, "FD_CLOEXEC", on, diag);
}

SOCKOPT_EXPORT int sockopt_fd_set_async(int fd, bool on, pid_t owner, struct sockopt_diag *diag)
{
	/* The owner is set first, so the first SIGIO already goes to the right process. */
	if (on && fcntl(fd, F_SETOWN, owner ? owner : getpid()) < 0)
		return diag_set(diag, -errno, "fcntl(%d, F_SETOWN, %d): %s (%s).", fd,
				owner ? owner : getpid(), strerror(errno), errno_name(errno));
	return update_flags(fd, &status_word, O_ASYNC, "O_ASYNC", on, diag);
}
