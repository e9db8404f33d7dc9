/* fcntl.c: experiments on descriptor status flags: the seed's O_NONBLOCK code, O_ASYNC, SIGIO and F_SETOWN. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"

#define SEED_UNP "003_f012efc3bbbfde02.txt"
#define SEED_MAN "004_0de232be0c243d49.txt"

/*
 * These experiments call fcntl(2) themselves on purpose: what is being
 * measured is what the seed's own fcntl code does, right or wrong.
 */

/* Set FD's status flags to exactly O_ASYNC | O_NONBLOCK (the starting point of each step). */
static void start_flags(int fd)
{
	fcntl(fd, F_SETFL, O_ASYNC | O_NONBLOCK);
}

/* Record whether O_NONBLOCK and O_ASYNC are set on FD as PREFIX_nonblock, PREFIX_async. */
static void record_flags(struct lab_result *r, int fd, const char *prefix)
{
	int flags = fcntl(fd, F_GETFL);
	char field[LAB_NAME_MAX];

	snprintf(field, sizeof(field), "%s_nonblock", prefix);
	lab_bool(r, field, flags & O_NONBLOCK);
	snprintf(field, sizeof(field), "%s_async", prefix);
	lab_bool(r, field, flags & O_ASYNC);
}

static void run_fcntl_flags(struct lab_result *r)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), flags;

	if (fd < 0)
		return (void)lab_skip(r, "no socket");
	/* F_SETFL with O_NONBLOCK alone, on a socket that also has O_ASYNC. */
	start_flags(fd);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	record_flags(r, fd, "setfl_alone");
	/* The seed's way to turn non-blocking off: flags &= O_NONBLOCK. */
	start_flags(fd);
	flags = fcntl(fd, F_GETFL);
	flags &= O_NONBLOCK;
	fcntl(fd, F_SETFL, flags);
	record_flags(r, fd, "seed_off");
	/* The read-modify-write with the complement: flags &= ~O_NONBLOCK. */
	start_flags(fd);
	flags = fcntl(fd, F_GETFL);
	flags &= ~O_NONBLOCK;
	fcntl(fd, F_SETFL, flags);
	record_flags(r, fd, "complement_off");
	/* The library's helper. */
	start_flags(fd);
	sockopt_fd_set_nonblocking(fd, false, NULL);
	record_flags(r, fd, "library_off");
	fcntl(fd, F_SETFL, 0);
	close(fd);
	lab_observe(r, "Starting from O_NONBLOCK|O_ASYNC: F_SETFL(O_NONBLOCK) left O_ASYNC %s; the "
		       "seed's flags &= O_NONBLOCK left O_NONBLOCK %s and O_ASYNC %s; flags &= "
		       "~O_NONBLOCK left O_NONBLOCK %s and O_ASYNC %s; sockopt_fd_set_nonblocking(off) "
		       "left O_NONBLOCK %s and O_ASYNC %s.",
		    lab_num(r, "setfl_alone_async") ? "set" : "cleared",
		    lab_num(r, "seed_off_nonblock") ? "set" : "cleared",
		    lab_num(r, "seed_off_async") ? "set" : "cleared",
		    lab_num(r, "complement_off_nonblock") ? "set" : "cleared",
		    lab_num(r, "complement_off_async") ? "set" : "cleared",
		    lab_num(r, "library_off_nonblock") ? "set" : "cleared",
		    lab_num(r, "library_off_async") ? "set" : "cleared");
}

static volatile sig_atomic_t sigios;

static void count_sigio(int sig)
{
	(void)sig;
	sigios++;
}

/* Send a byte from C to S and return how many SIGIOs the process got within 200 ms. */
static int sigios_for_one_send(int c, int s)
{
	sig_atomic_t before = sigios;
	char b;

	if (send(c, "x", 1, 0) != 1)
		return -1;
	for (int i = 0; i < 20 && sigios == before; i++)
		labnet_sleep_ms(10);
	if (recv(s, &b, 1, MSG_DONTWAIT) < 0)
		return -1;
	return sigios - before;
}

static void run_setown(struct lab_result *r)
{
	struct sigaction sa = { .sa_handler = count_sigio };
	int l = labnet_tcp_listener("127.0.0.1"), c = -1, s = -1;

	/* Each experiment runs in its own process, so the handler ends with it. */
	sigaction(SIGIO, &sa, NULL);
	if (l < 0)
		return (void)lab_skip(r, "no listener");
	lab_int(r, "fresh_owner", fcntl(l, F_GETOWN));
	lab_int(r, "pid", getpid());
	fcntl(l, F_SETOWN, getpid());
	c = labnet_socket("127.0.0.1", SOCK_STREAM);
	if (c < 0 || (s = labnet_connect_accept(l, c)) < 0) {
		lab_skip(r, "no connection");
		goto out;
	}
	lab_int(r, "accepted_owner", fcntl(s, F_GETOWN));
	/* O_ASYNC without an owner, then with one. */
	fcntl(s, F_SETOWN, 0);
	fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_ASYNC);
	lab_int(r, "sigio_without_owner", sigios_for_one_send(c, s));
	sockopt_fd_set_async(s, true, getpid(), NULL);
	lab_int(r, "sigio_with_owner", sigios_for_one_send(c, s));
	lab_observe(r, "A new socket's owner (F_GETOWN) is %lld. The listener's owner was set to our "
		       "pid %lld; the accepted socket's owner is %lld. With O_ASYNC and no owner one "
		       "arriving byte raised %lld SIGIO; with F_SETOWN to our pid, %lld.",
		    lab_num(r, "fresh_owner"), lab_num(r, "pid"),
		    lab_num(r, "accepted_owner"), lab_num(r, "sigio_without_owner"),
		    lab_num(r, "sigio_with_owner"));
out:
	labnet_close(s);
	labnet_close(c);
	close(l);
}

static const struct lab_check fcntl_checks[] = {
	{ "setfl_alone_async", LAB_EQ, 0, .says = "F_SETFL with only O_NONBLOCK clears the other status flags" },
	{ "complement_off_async", LAB_EQ, 1, .says = "reading the flags first and changing one bit keeps the others" },
	{ "seed_off_nonblock", LAB_EQ, 0, .says = "the seed's flags &= O_NONBLOCK turns non-blocking off" },
};

static const struct lab_check setown_checks[] = {
	{ "fresh_owner", LAB_EQ, 0, .says = "a new socket has no owner" },
	{ "sigio_without_owner", LAB_EQ, 0, .says = "SIGIO is not generated before F_SETOWN assigns an owner" },
	{ "sigio_with_owner", LAB_GT, 0, .says = "with an owner and O_ASYNC, arriving data raises SIGIO" },
	{ "accepted_owner", LAB_EQ, .other = "pid", .says = "a socket from accept inherits the listener's owner" },
};

const struct lab_experiment lab_fcntl[] = {
	{ "fcntl-flags", "F_SETFL: only O_NONBLOCK clears the rest; the seed's way to turn it off",
	  SEED_UNP " " SEED_MAN, "",
	  "Setting F_SETFL to O_NONBLOCK alone clears the other file status flags, so read the flags, "
	  "change one and write them back. To turn non-blocking off the seed writes flags &= "
	  "O_NONBLOCK (the complement, flags &= ~O_NONBLOCK, is what clears the bit).",
	  "A TCP socket starts each step with O_NONBLOCK|O_ASYNC; then F_SETFL(O_NONBLOCK); the "
	  "seed's flags &= O_NONBLOCK; flags &= ~O_NONBLOCK; sockopt_fd_set_nonblocking(off). "
	  "F_GETFL after each.",
	  0, run_fcntl_flags, LAB_CHECKS(fcntl_checks) },
	{ "fsetown-sigio", "F_SETOWN: no owner, no SIGIO; accepted sockets inherit the owner",
	  SEED_UNP, "",
	  "SIGIO (and SIGURG) are generated only after F_SETOWN has given the socket an owner; a new "
	  "socket has none, and a socket created by accept inherits the listener's owner.",
	  "F_GETOWN on a fresh listener; F_SETOWN to our pid on it; accept and F_GETOWN on the new "
	  "socket; O_ASYNC on it without an owner and then with one, counting SIGIO for a byte "
	  "arriving each time.",
	  0, run_setown, LAB_CHECKS(setown_checks) },
};
const size_t lab_fcntl_count = LAB_ARRAY_SIZE(lab_fcntl);
