/* fcntl.c: experiments on descriptor status flags: the seed's O_NONBLOCK code, O_ASYNC, SIGIO and F_SETOWN. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"


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

const struct lab_experiment lab_fcntl[] = {
	{ .id = "fcntl-flags", .title = "F_SETFL idioms run as the documents write them",
	  .options = "",
	  .method = "A TCP socket starts each step with O_NONBLOCK|O_ASYNC; then F_SETFL(O_NONBLOCK); "
		    "the document's flags &= O_NONBLOCK; flags &= ~O_NONBLOCK; "
		    "sockopt_fd_set_nonblocking(off). F_GETFL after each.",
	  .shows = "seed_off_nonblock", .run = run_fcntl_flags },
	{ .id = "fsetown-sigio", .title = "F_SETOWN: owners, SIGIO, inheritance",
	  .options = "",
	  .method = "F_GETOWN on a fresh listener; F_SETOWN to our pid on it; accept and F_GETOWN on the "
		    "new socket; O_ASYNC on it without an owner and then with one, counting SIGIO for a "
		    "byte arriving each time.",
	  .shows = "accepted_owner", .run = run_setown },
};
const size_t lab_fcntl_count = LAB_ARRAY_SIZE(lab_fcntl);

static const struct lab_check setfl_alone_parts[] = {
	{ "setfl_alone_async", LAB_EQ, 0, .says = "F_SETFL with O_NONBLOCK alone sets non-blocking but clears the other status flags (O_ASYNC here)" },
};
static const struct lab_check get_or_set_parts[] = {
	{ "complement_off_async", LAB_EQ, 1, .says = "reading the flags first and changing one bit keeps the others" },
};
static const struct lab_check off_idiom_parts[] = {
	{ "seed_off_nonblock", LAB_EQ, 0, .says = "flags &= O_NONBLOCK, then F_SETFL, turns non-blocking off" },
};
static const struct lab_check owner_signal_parts[] = {
	{ "sigio_without_owner", LAB_EQ, 0, .says = "no SIGIO before F_SETOWN gives the socket an owner" },
	{ "sigio_with_owner", LAB_GT, 0, .says = "with an owner (and O_ASYNC) arriving data raises SIGIO" },
	{ .says = "SIGURG likewise, when out-of-band data arrives", .unmeasured = "SIGURG is not counted" },
};
static const struct lab_check owner_parts[] = {
	{ "fresh_owner", LAB_EQ, 0, .says = "a new socket has no owner" },
	{ "accepted_owner", LAB_EQ, .other = "pid", .says = "an accepted socket inherits the listener's owner" },
};
static const struct lab_check pgid_parts[] = {
	{ .says = "a negative F_SETOWN argument names a process group, which F_GETOWN returns as a negative number", .unmeasured = "only a positive process ID is set" },
};

const struct lab_claim lab_fcntl_claims[] = {
	{ "unp-fcntl-setfl-alone", "fcntl-flags", "unp", 382, 385,
	  "fcntl(fd, F_SETFL, O_NONBLOCK) sets the non-blocking flag but also clears every other file status flag.",
	  LAB_CHECKS(setfl_alone_parts) },
	{ "unp-fcntl-get-or-set", "fcntl-flags", "unp", 373, 378,
	  "The right way: get the flags with F_GETFL, OR in O_NONBLOCK, set them with F_SETFL.",
	  LAB_CHECKS(get_or_set_parts) },
	{ "unp-fcntl-off", "fcntl-flags", "unp", 389, 393,
	  "To turn the non-blocking flag off: flags &= O_NONBLOCK; fcntl(fd, F_SETFL, flags).",
	  LAB_CHECKS(off_idiom_parts) },
	{ "adv-fcntl-nonblock", "fcntl-flags", "adv", 238, 239,
	  "Enable non-blocking: flags = fcntl(fd, F_GETFL, 0); fcntl(fd, F_SETFL, flags | O_NONBLOCK).",
	  LAB_CHECKS(get_or_set_parts) },
	{ "unp-sigio-owner", "fsetown-sigio", "unp", 395, 0,
	  "SIGIO and SIGURG are generated for a socket only after F_SETOWN has given it an owner.",
	  LAB_CHECKS(owner_signal_parts) },
	{ "unp-owner-inherited", "fsetown-sigio", "unp", 403, 0,
	  "A socket made by socket() has no owner; a socket made from a listening socket inherits the listener's owner.",
	  LAB_CHECKS(owner_parts) },
	{ "unp-setown-pgid", "fsetown-sigio", "unp", 397, 399,
	  "F_SETOWN takes a positive process ID or a negative process group ID; F_GETOWN returns the owner, a negative number other than -1 for a group.",
	  LAB_CHECKS(pgid_parts) },
};
const size_t lab_fcntl_claims_count = LAB_ARRAY_SIZE(lab_fcntl_claims);
