/* fcntl.c: experiments on descriptor status flags: the seed's O_NONBLOCK code, FIONBIO, O_ASYNC, SIGIO, SIGURG and F_SETOWN. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
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

/*
 * The article's other idiom, as written: ioctl(sockfd, FIONBIO, (char
 * *)&one).  A recv on an empty bound UDP socket then returns at once; the
 * 500 ms SO_RCVTIMEO only bounds it if FIONBIO did nothing.
 */
static void fionbio(struct lab_result *r)
{
	int fd = labnet_udp_bound("127.0.0.1"), one = 1;
	long long t0;
	char b;

	if (fd < 0)
		return;
	lab_set(fd, "SO_RCVTIMEO", "500ms");
	if (ioctl(fd, FIONBIO, (char *)&one) == 0) {
		record_flags(r, fd, "fionbio");
		t0 = labnet_now_us();
		lab_errno(r, "fionbio_recv_errno", recv(fd, &b, 1, 0) < 0 ? errno : 0);
		lab_int(r, "fionbio_recv_us", labnet_now_us() - t0);
	}
	close(fd);
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
	fionbio(r);
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
	lab_observe_more(r, " ioctl(FIONBIO, &one) on a bound UDP socket left O_NONBLOCK %s; a recv "
			    "with nothing queued then returned %s after %lld us (SO_RCVTIMEO 500 ms "
			    "bounds it otherwise).",
			 lab_num(r, "fionbio_nonblock") ? "set" : "cleared",
			 lab_word(r, "fionbio_recv_errno"), lab_num(r, "fionbio_recv_us"));
}

static volatile sig_atomic_t sigios, sigurgs;

static void count_signal(int sig)
{
	if (sig == SIGURG)
		sigurgs++;
	else
		sigios++;
}

/* Wait up to 200 ms for COUNTER to move from BEFORE. */
static void await_signal(const volatile sig_atomic_t *counter, sig_atomic_t before)
{
	for (int i = 0; i < 20 && *counter == before; i++)
		labnet_sleep_ms(10);
}

/* Send a byte from C to S and return how many SIGIOs the process got within 200 ms. */
static int sigios_for_one_send(int c, int s)
{
	sig_atomic_t before = sigios;
	char b;

	if (send(c, "x", 1, 0) != 1)
		return -1;
	await_signal(&sigios, before);
	if (recv(s, &b, 1, MSG_DONTWAIT) < 0)
		return -1;
	return sigios - before;
}

/* Send an urgent byte from C to S and return how many SIGURGs the process got within 200 ms. */
static int sigurgs_for_one_urgent(int c, int s)
{
	sig_atomic_t before = sigurgs;
	char b;

	if (send(c, "u", 1, MSG_OOB) != 1)
		return -1;
	await_signal(&sigurgs, before);
	if (recv(s, &b, 1, MSG_OOB | MSG_DONTWAIT) < 0)
		return -1;
	return sigurgs - before;
}

/*
 * Another process of our process group: it counts the SIGIOs it gets for
 * 300 ms (the handler is inherited) and exits with the count.  We start
 * it, wait until it is counting, send a byte from C to S, and collect it.
 */
static int member_sigios(int c, int s)
{
	int ready[2], status = 0;
	pid_t pid;
	char b;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		sigios = 0;
		if (write(ready[1], "r", 1) != 1)
			_exit(0);
		for (int i = 0; i < 30 && !sigios; i++)
			labnet_sleep_ms(10);
		_exit(sigios > 100 ? 100 : sigios);
	}
	close(ready[1]);
	if (pid < 0 || read(ready[0], &b, 1) != 1) {
		close(ready[0]);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		return -1;
	}
	close(ready[0]);
	sigios_for_one_send(c, s);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * A negative F_SETOWN argument: the experiment's process becomes the
 * leader of a process group of its own (it is a child of the lab, so no
 * other process is in it) and a second member counts its signals.
 */
static void owner_group(struct lab_result *r, int c, int s)
{
	if (setpgid(0, 0) < 0)
		return;
	lab_int(r, "pgid", getpgrp());
	fcntl(s, F_SETOWN, getpid());
	lab_int(r, "member_sigio_pid_owner", member_sigios(c, s));
	fcntl(s, F_SETOWN, -getpgrp());
	lab_int(r, "group_owner", fcntl(s, F_GETOWN));
	lab_int(r, "member_sigio_group_owner", member_sigios(c, s));
}

static void run_setown(struct lab_result *r)
{
	struct sigaction sa = { .sa_handler = count_signal };
	int l = labnet_tcp_listener("127.0.0.1"), c = -1, s = -1;

	/* Each experiment runs in its own process, so the handlers end with it. */
	sigaction(SIGIO, &sa, NULL);
	sigaction(SIGURG, &sa, NULL);
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
	/* O_ASYNC without an owner, then with one; urgent data likewise. */
	fcntl(s, F_SETOWN, 0);
	fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_ASYNC);
	lab_int(r, "sigio_without_owner", sigios_for_one_send(c, s));
	lab_int(r, "sigurg_without_owner", sigurgs_for_one_urgent(c, s));
	sockopt_fd_set_async(s, true, getpid(), NULL);
	lab_int(r, "sigio_with_owner", sigios_for_one_send(c, s));
	lab_int(r, "sigurg_with_owner", sigurgs_for_one_urgent(c, s));
	owner_group(r, c, s);
	lab_observe(r, "A new socket's owner (F_GETOWN) is %lld. The listener's owner was set to our "
		       "pid %lld; the accepted socket's owner is %lld. With O_ASYNC and no owner one "
		       "arriving byte raised %lld SIGIO and an urgent byte %lld SIGURG; with F_SETOWN "
		       "to our pid, %lld SIGIO and %lld SIGURG. In a process group of our own (%lld), "
		       "F_SETOWN(-%lld) then F_GETOWN gave %lld; another member of the group got %lld "
		       "SIGIO for one byte with the group as owner, %lld with our pid as owner.",
		    lab_num(r, "fresh_owner"), lab_num(r, "pid"), lab_num(r, "accepted_owner"),
		    lab_num(r, "sigio_without_owner"), lab_num(r, "sigurg_without_owner"),
		    lab_num(r, "sigio_with_owner"), lab_num(r, "sigurg_with_owner"),
		    lab_num(r, "pgid"), lab_num(r, "pgid"), lab_num(r, "group_owner"),
		    lab_num(r, "member_sigio_group_owner"), lab_num(r, "member_sigio_pid_owner"));
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
		    "sockopt_fd_set_nonblocking(off). F_GETFL after each. Then ioctl(FIONBIO, (char "
		    "*)&one) on a bound UDP socket, F_GETFL, and a recv with nothing queued.",
	  .shows = "seed_off_nonblock", .run = run_fcntl_flags },
	{ .id = "fsetown-sigio", .title = "F_SETOWN: owners, SIGIO, inheritance",
	  .options = "",
	  .method = "F_GETOWN on a fresh listener; F_SETOWN to our pid on it; accept and F_GETOWN on the "
		    "new socket; O_ASYNC on it without an owner and then with one, counting SIGIO for a "
		    "byte and SIGURG for an urgent byte arriving each time. Then, in a process group of "
		    "its own, F_SETOWN to our pid and to minus the group, F_GETOWN, and the SIGIOs "
		    "another member of the group gets for a byte arriving.",
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
	{ "sigurg_without_owner", LAB_EQ, 0, .says = "no SIGURG for urgent data before F_SETOWN" },
	{ "sigurg_with_owner", LAB_GT, 0, .says = "with an owner, urgent data arriving raises SIGURG" },
};
static const struct lab_check setown_sigurg_parts[] = {
	{ "sigio_with_owner", LAB_GT, 0, .says = "the owner F_SETOWN names receives SIGIO" },
	{ "sigurg_with_owner", LAB_GT, 0, .says = "and SIGURG, raised when new out-of-band data arrives" },
	{ "group_owner", LAB_EQ, .other = "pgid", .num = -1, .says = "F_GETOWN returns the owner F_SETOWN set (minus the process group here)" },
};
static const struct lab_check fionbio_parts[] = {
	{ "fionbio_nonblock", LAB_EQ, 1, .says = "ioctl(sockfd, FIONBIO, (char *)&one) makes the socket non-blocking (O_NONBLOCK set)" },
	{ "fionbio_recv_errno", LAB_EQ, .str = "EAGAIN", .says = "a recv with nothing to read then fails with EAGAIN" },
	{ "fionbio_recv_us", LAB_LT, 100000, .says = "at once (under 100 ms, not after the 500 ms SO_RCVTIMEO)" },
};
static const struct lab_check setfl_nonblock_parts[] = {
	{ "setfl_alone_nonblock", LAB_EQ, 1, .says = "F_SETFL with O_NONBLOCK makes the socket non-blocking (F_GETFL shows the flag)" },
};
static const struct lab_check setfl_async_parts[] = {
	{ "sigio_with_owner", LAB_GT, 0, .says = "with O_ASYNC set by F_SETFL (and an owner, line 358) arriving data raises SIGIO" },
};
static const struct lab_check owner_parts[] = {
	{ "fresh_owner", LAB_EQ, 0, .says = "a new socket has no owner" },
	{ "accepted_owner", LAB_EQ, .other = "pid", .says = "an accepted socket inherits the listener's owner" },
};
static const struct lab_check pgid_parts[] = {
	{ "sigio_with_owner", LAB_GT, 0, .says = "a positive argument is a process ID, which then gets the signal" },
	{ "group_owner", LAB_EQ, .other = "pgid", .num = -1, .says = "a negative argument names a process group, which F_GETOWN returns as a negative number" },
	{ "group_owner", LAB_LT, -1, .says = "other than -1" },
};
static const struct lab_check group_signal_parts[] = {
	{ "member_sigio_pid_owner", LAB_EQ, 0, .says = "a process as owner: only that process gets the signal (not another member of its group)" },
	{ "member_sigio_group_owner", LAB_GT, 0, .says = "a process group as owner: every process of the group gets it" },
};

const struct lab_claim lab_fcntl_claims[] = {
	{ "unp-fcntl-nonblock", "fcntl-flags", "unp", 356, 0,
	  "Setting the O_NONBLOCK file status flag with F_SETFL makes a socket non-blocking.",
	  LAB_CHECKS(setfl_nonblock_parts) },
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
	{ "unp-fcntl-async", "fsetown-sigio", "unp", 357, 0,
	  "Setting the O_ASYNC file status flag with F_SETFL makes the kernel raise SIGIO whenever the socket's state changes.",
	  LAB_CHECKS(setfl_async_parts) },
	{ "unp-sigio-owner", "fsetown-sigio", "unp", 395, 0,
	  "SIGIO and SIGURG are generated for a socket only after F_SETOWN has given it an owner.",
	  LAB_CHECKS(owner_signal_parts) },
	{ "unp-owner-inherited", "fsetown-sigio", "unp", 403, 0,
	  "A socket made by socket() has no owner; a socket made from a listening socket inherits the listener's owner.",
	  LAB_CHECKS(owner_parts) },
	{ "unp-setown-pgid", "fsetown-sigio", "unp", 397, 399,
	  "F_SETOWN takes a positive process ID or a negative process group ID; F_GETOWN returns the owner, a negative number other than -1 for a group.",
	  LAB_CHECKS(pgid_parts) },
	{ "unp-setown-group-signal", "fsetown-sigio", "unp", 401, 0,
	  "With a process as owner only that process receives the signal; with a process group as owner every process in the group does.",
	  LAB_CHECKS(group_signal_parts) },
	{ "unp-setown-sigurg", "fsetown-sigio", "unp", 358, 0,
	  "F_SETOWN names the socket's owner, which receives SIGIO and SIGURG; SIGURG is generated when new out-of-band data arrives; F_GETOWN returns the current owner.",
	  LAB_CHECKS(setown_sigurg_parts) },
	{ "adv-fionbio", "fcntl-flags", "adv", 242, 0,
	  "ioctl(sockfd, FIONBIO, (char *)&one) enables non-blocking mode on a socket.",
	  LAB_CHECKS(fionbio_parts) },
};
const size_t lab_fcntl_claims_count = LAB_ARRAY_SIZE(lab_fcntl_claims);
