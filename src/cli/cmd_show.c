/* cmd_show.c: `sockopt show`: the sockets of running processes with addresses, state and option values. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../bpf/bpfshow.h"
#include "cli.h"
#include "print.h"
#include "show.h"

/* One PID given on the command line, with the fds named after it (none: every fd). */
struct target {
	pid_t pid;
	int *fds;
	size_t nfds;
};

/* Everything one run of show needs while sockets arrive. */
struct show {
	struct show_filter filter;
	bool all;
	bool per_process;	 /* one entry per process fd, not one per socket */
	struct show_users users; /* who holds each socket, read before the scan */
	struct show_timers timers; /* TCP timers from sock_diag, for the pidfd backend */
	sockopt_scan *scan;
	sockopt_scan *complete; /* --complete: rereads through pidfd what BPF could not read */
	struct show_cache cache;
	bool whole_machine;
	size_t sockets;
	size_t failed_sockets;
	size_t failed_processes;
	size_t read_processes; /* processes of which something was read */
	bool header_printed;
	struct failure {
		pid_t pid;
		int fd;
		int error;
		char text[SOCKOPT_TEXT_MAX];
	} *failures;
	size_t nfailures;
};

/* Remember a failure for the JSON "errors" array and the closing sentence. */
static void note_failure(struct show *sh, pid_t pid, int fd, int err, const char *text)
{
	struct failure *grown = realloc(sh->failures, (sh->nfailures + 1) * sizeof(*grown));

	if (!grown)
		return;
	sh->failures = grown;
	grown[sh->nfailures].pid = pid;
	grown[sh->nfailures].fd = fd;
	grown[sh->nfailures].error = err;
	snprintf(grown[sh->nfailures++].text, sizeof(grown->text), "%s", text);
}

static void print_failures(const struct show *sh)
{
	print_open_array("errors");
	for (size_t i = 0; i < sh->nfailures; i++) {
		const struct failure *f = &sh->failures[i];
		const char *name = strerrorname_np(-f->error);

		print_open_object(NULL);
		print_int(PRINT_JSON, "pid", NULL, f->pid);
		if (f->fd >= 0)
			print_int(PRINT_JSON, "fd", NULL, f->fd);
		print_string(PRINT_JSON, "error", NULL, name ? name : "unknown");
		print_string(PRINT_JSON, "text", NULL, f->text);
		print_close_object();
	}
	print_close_array();
}

/* One fd that could not be shown: counted, and said once at the end (summarise). */
static int socket_failed(struct show *sh, const sockopt_sock *sock, int err, const char *text)
{
	sh->failed_sockets++;
	note_failure(sh, sockopt_sock_pid(sock), sockopt_sock_fd(sock), err, text);
	return 0; /* the scan goes on with the next fd */
}

/*
 * A socket held by several process fds (nginx's listener in its master
 * and workers, a forked child's inherited fd) is shown once, the first
 * time the scan meets it, with all its holders; later meetings pass.
 */
static int on_socket(sockopt_sock *sock, void *ctx)
{
	struct show *sh = ctx;
	struct sockopt_diag diag;
	struct show_user *users = NULL;
	size_t n = 0;
	long long ms;
	const char *timer;
	int r;

	if ((r = sockopt_sock_error(sock)) < 0)
		return socket_failed(sh, sock, r, sockopt_sock_error_text(sock));
	if (!sh->per_process && (users = show_users_of(&sh->users, sockopt_sock_inode(sock), &n))) {
		if (users->printed)
			return 0;
		users->printed = true;
	}
	if ((r = sockopt_sock_read_options(sock, &diag)) < 0)
		return socket_failed(sh, sock, r, diag.text);
	/* Read whole through pidfd_getfd instead; if that is refused, shown with what BPF read. */
	if (sh->complete && sockopt_sock_pid(sock) > 0 && show_not_read(sock, sh->all)) {
		if (users)
			users->printed = false; /* the reread is this socket's first showing */
		if (sockopt_scan_pid(sh->complete, sockopt_sock_pid(sock),
				     (int[]){ sockopt_sock_fd(sock) }, 1, on_socket, sh, &diag) == 1)
			return 0;
		if (users)
			users->printed = true;
	}
	if (!sockopt_sock_timer(sock, &ms) &&
	    (timer = show_timer_of(&sh->timers, sockopt_sock_inode(sock), &ms)))
		sockopt_sock_set_timer(sock, timer, ms);
	/*
	 * Through the fd, a unix listener's queues cannot be read (SIOCINQ is
	 * EINVAL) and SIOCINQ leaves a received FIN out (a CLOSE-WAIT socket
	 * says 0 where ss says 1): take ss's numbers from sock_diag.
	 */
	if (strcmp(sockopt_sock_backend(sock), "pidfd") == 0) {
		long long rq, sq = sockopt_sock_send_q(sock);

		if (show_queues_of(&sh->timers, sockopt_sock_inode(sock), &rq, &sq))
			sockopt_sock_set_queues(sock, rq, sq);
	}
	sh->sockets++;
	if (!sh->header_printed) {
		show_print_header();
		sh->header_printed = true;
	}
	show_print_socket(&sh->cache, sock, sh->all, sh->per_process ? NULL : users, n);
	return 0;
}

/* Who holds the sockets of the TARGETS (none: of every process), for on_socket. */
static int collect_users(struct show *sh, const struct target *targets, size_t ntargets)
{
	pid_t *pids = ntargets ? calloc(ntargets, sizeof(*pids)) : NULL;
	bool ok;

	if (ntargets && !pids)
		return fail(EXIT_FAILED, "show: out of memory.");
	for (size_t i = 0; i < ntargets; i++)
		pids[i] = targets[i].pid;
	ok = show_users_collect(&sh->users, pids, ntargets);
	free(pids);
	return ok ? 0 : fail(EXIT_FAILED, "show: out of memory.");
}

/* The filters, as the scan asks for them (on its worker threads too: show_filter_match only reads). */
static bool passes_filter(const sockopt_sock *sock, void *filter)
{
	return show_filter_match(filter, sock);
}

/*
 * Fds the process closed between the listing and the reading: not an
 * error of the scan, but sockets that are not shown, so said.  A program
 * that is exiting closes its fds one by one (python3 frees its sockets)
 * before its pidfd says it has exited: measured here, a python3 with 8,001
 * UDP sockets that exited 1.0 s into the scan had 3,863 shown and 4,138
 * closed under the scan, and no error was reported before this.
 */
static void note_vanished(struct show *sh, pid_t pid, size_t vanished)
{
	char text[160];

	snprintf(text, sizeof(text),
		 "%zu fd%s of process %d %s closed while it was read, and %s not shown.", vanished,
		 vanished == 1 ? "" : "s", (int)pid, vanished == 1 ? "was" : "were",
		 vanished == 1 ? "is" : "are");
	note_failure(sh, pid, -1, -EBADF, text);
}

/*
 * Scan one process; failures are remembered, not fatal.  In a
 * whole-machine scan a process that was gone before anything of it was
 * read (listed in /proc, exited before it was opened) is not reported:
 * nothing of it is missing.  One that exited while it was read is.
 */
static void show_pid(struct show *sh, const struct target *t)
{
	size_t before = sh->sockets + sh->failed_sockets, vanished;
	struct sockopt_diag diag;
	bool something;
	int r;

	/* Fds named on purpose are shown whatever the filters say. */
	sockopt_scan_set_filter(sh->scan, t->nfds ? NULL : passes_filter, &sh->filter);
	r = sockopt_scan_pid(sh->scan, t->pid, t->fds, t->nfds, on_socket, sh, &diag);
	vanished = sockopt_scan_vanished(sh->scan);
	something = r >= 0 || sh->sockets + sh->failed_sockets > before || vanished;
	if (something)
		sh->read_processes++;
	if (vanished)
		note_vanished(sh, t->pid, vanished);
	if (r >= 0 || (sh->whole_machine && r == -ESRCH && !something))
		return;
	sh->failed_processes++;
	note_failure(sh, t->pid, -1, r, diag.text);
}

/* A process whose sockets the BPF backend handed to pidfd_getfd, which refused. */
static void bpf_process_failed(pid_t pid, int err, const char *text, void *ctx)
{
	struct show *sh = ctx;

	sh->failed_processes++;
	note_failure(sh, pid, -1, err, text);
}

/* One holder of a socket as the task_file iterator found it. */
static int bpf_owner(uint64_t inode, pid_t pid, int fd, const char *comm, void *ctx)
{
	struct show *sh = ctx;

	return show_users_add(&sh->users, inode, pid, fd, comm) ? 0 : -ENOMEM;
}

/* Whether PID is a process (pidfd_open takes no thread but a group's leader, and no dead one). */
static bool is_process(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool process_exists(pid_t pid)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return access(path, F_OK) == 0;
}

/*
 * A process that exits during a BPF pass closes its sockets before the
 * iterators meet them, and those are not shown.  As the pidfd path says
 * the fds closed under its scan, a process of which something was shown,
 * whose holders the pass listed but some sockets never came, and which is
 * gone now, is said.
 */
static void note_exited(struct show *sh)
{
	struct seen {
		pid_t pid;
		bool shown, missing;
	} *procs = NULL;
	size_t nprocs = 0;
	const struct show_user *first = NULL;

	for (size_t i = 0; i < sh->users.n; i++) {
		const struct show_user *u = &sh->users.v[i];
		size_t j;
		bool shown;

		if (!first || first->inode != u->inode) /* sorted by inode: a socket's holders are together */
			first = u;
		shown = first->printed;
		for (j = 0; j < nprocs && procs[j].pid != u->pid; j++)
			;
		if (j == nprocs) {
			struct seen *grown = realloc(procs, (nprocs + 1) * sizeof(*grown));

			if (!grown)
				break;
			procs = grown;
			procs[nprocs++] = (struct seen){ u->pid, false, false };
		}
		procs[j].shown |= shown;
		procs[j].missing |= !shown;
	}
	for (size_t j = 0; j < nprocs; j++) {
		char text[160];

		if (!procs[j].shown || !procs[j].missing || process_exists(procs[j].pid))
			continue;
		snprintf(text, sizeof(text),
			 "Process %d exited while it was read: the sockets it closed meanwhile are "
			 "not shown.", (int)procs[j].pid);
		note_failure(sh, procs[j].pid, -1, -ESRCH, text);
		if (!sh->whole_machine)
			sh->failed_processes++;
	}
	free(procs);
}

/*
 * The sockets of the targets (none: of the machine, with the ones no
 * process holds) through the BPF iterators, in one pass per target.  On
 * the whole machine, and for one process, the holders of each socket come
 * from the task_file iterator of the same pass (reading /proc for them
 * cost more than the pass itself: 100 ms on 10,000 sockets here, one
 * readlink per fd).  Several processes keep /proc's list, taken before
 * the first pass: a socket two of them share lists both holders from the
 * first row on.
 */
static int show_bpf(struct show *sh, const struct target *targets, size_t ntargets)
{
	struct bpf_show_query q = { .filter = passes_filter, .filter_ctx = &sh->filter,
				    .kinds = sh->filter.protocols, .failed = bpf_process_failed };
	struct bpf_show_diag diag = { 0 };
	int r = 0;

	if (ntargets <= 1 && !sh->per_process) {
		q.owner = bpf_owner;
		q.owner_ctx = sh;
	}
	for (size_t i = 0; r >= 0 && i < (ntargets ? ntargets : 1); i++) {
		/* No such process, or a thread: the pidfd path says which, as without BPF. */
		if (ntargets && !is_process(targets[i].pid)) {
			show_pid(sh, &targets[i]);
			continue;
		}
		if (ntargets) {
			q.pid = targets[i].pid;
			q.fds = targets[i].fds;
			q.nfds = targets[i].nfds;
			/* Named fds are shown whatever their kind, as through pidfd. */
			q.filter = q.nfds ? NULL : passes_filter;
			q.kinds = q.nfds ? 0 : sh->filter.protocols;
		}
		r = bpf_show_scan(sh->scan, &q, on_socket, sh, &diag);
	}
	/* Said once, by summarise, with the other failures. */
	if (r < 0) {
		note_failure(sh, q.pid, -1, r, diag.text);
		return -1;
	}
	note_exited(sh);
	if (getenv("SOCKOPT_BPF_REPORT"))
		fprintf(stderr, "sockopt: BPF programs loaded this run: %d%s; socket records read: %lu\n",
			diag.loaded, diag.unpinned ? " (not pinned)" : "", diag.records);
	return 0;
}

/* Every process on the machine, in /proc order. */
static void show_every_process(struct show *sh)
{
	bool progress = show_progress();
	size_t seen = 0;
	struct dirent *d;
	DIR *dir = opendir("/proc");

	if (!dir) {
		int err = -errno;
		char text[128];

		snprintf(text, sizeof(text), "Cannot list /proc: %s.", strerror(-err));
		sh->failed_processes++;
		note_failure(sh, 0, -1, err, text);
		fail(EXIT_FAILED, "%s", text);
		return;
	}
	while ((d = readdir(dir))) {
		struct target t = { 0, NULL, 0 };

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		t.pid = (pid_t)atoi(d->d_name);
		if (progress && ++seen % 64 == 0)
			fprintf(stderr, "\rsockopt: reading process %d…", (int)t.pid);
		show_pid(sh, &t);
	}
	if (progress)
		fprintf(stderr, "\r\033[K");
	closedir(dir);
}

/* Parse "PID" or "PID:FD" into TARGETS, merging fds of one PID; false on a bad one. */
static bool add_target(struct target **targets, size_t *n, const char *arg)
{
	char *end;
	long pid = strtol(arg, &end, 10), fd = -1;
	struct target *t = NULL;

	if (end == arg || pid <= 0 || pid > 0x3fffffff || (*end && *end != ':'))
		return false;
	if (*end == ':') {
		char *fd_end;

		fd = strtol(end + 1, &fd_end, 10);
		if (fd_end == end + 1 || *fd_end || fd < 0 || fd > 0x3fffffff)
			return false;
	}
	for (size_t i = 0; i < *n; i++)
		if ((*targets)[i].pid == pid)
			t = &(*targets)[i];
	if (!t) {
		struct target *grown = realloc(*targets, (*n + 1) * sizeof(**targets));

		if (!grown)
			return false;
		*targets = grown;
		t = &grown[(*n)++];
		*t = (struct target){ (pid_t)pid, NULL, 0 };
	} else if (t->nfds == 0 && fd >= 0) {
		return true; /* PID alone already asks for every fd */
	}
	if (fd >= 0) {
		int *grown = realloc(t->fds, (t->nfds + 1) * sizeof(*t->fds));

		if (!grown)
			return false;
		t->fds = grown;
		t->fds[t->nfds++] = (int)fd;
	}
	return true;
}

/*
 * Whether the run failed (exit 1).  Processes and fds named on the command
 * line must all be read.  A whole-machine scan fails only when no process
 * at all could be read: a process that refuses (PID 1 refuses pidfd_getfd
 * even to root in some containers), exits under the scan or closes fds
 * under it is a warning (exit 0).
 */
static bool show_failed(const struct show *sh)
{
	size_t total = sh->failed_processes + sh->failed_sockets;

	return sh->whole_machine ? sh->failed_processes && !sh->read_processes : total > 0;
}

/*
 * The closing sentence and exit code.  Every failure is in the JSON
 * "errors" array; stderr gets one line: the failure, or how many there
 * were and the first.
 */
static int summarise(const struct show *sh)
{
	size_t total = sh->failed_processes + sh->failed_sockets;
	const char *first = sh->nfailures ? sh->failures[0].text : "(out of memory)";
	bool failed = show_failed(sh);
	const char *prefix = failed ? "" : "warning: ";

	if (sh->nfailures == 0 && total == 0)
		return EXIT_OK;
	if (sh->nfailures <= 1)
		return fail(failed ? EXIT_FAILED : EXIT_OK, "%s%s", prefix, first);
	if (!sh->whole_machine)
		return fail(failed ? EXIT_FAILED : EXIT_OK,
			    "%s%zu of the processes and fds asked for could not be read; the first: %s",
			    prefix, sh->nfailures, first);
	return fail(failed ? EXIT_FAILED : EXIT_OK,
		    "%s%zu process%s and %zu socket%s could not be read (%zu socket%s shown); "
		    "the first refusal: %s",
		    prefix, sh->failed_processes, sh->failed_processes == 1 ? "" : "es",
		    sh->failed_sockets, sh->failed_sockets == 1 ? "" : "s", sh->sockets,
		    sh->sockets == 1 ? " was" : "s were", first);
}

/* Keys of the flags without a letter. */
enum { SHOW_SIDE_EFFECTS = ARGS_LONG_ONLY, SHOW_THREADS, SHOW_COMPLETE, SHOW_PER_PROCESS };

/* At most this many threads read sockets unless asked: 2 already outrun ss here, and a scan is short. */
#define THREADS_DEFAULT_MAX 4

/*
 * How many threads read sockets: --threads N, else $SOCKOPT_THREADS, else
 * the CPUs this process may run on, at most THREADS_DEFAULT_MAX.  1 reads
 * every socket on the main thread, as before threads were used.
 */
static int thread_count(const char *arg, unsigned *out)
{
	const char *text = arg ? arg : getenv("SOCKOPT_THREADS");
	cpu_set_t cpus;
	char *end;
	long n;

	if (!text || !*text) {
		n = sched_getaffinity(0, sizeof(cpus), &cpus) == 0 ? CPU_COUNT(&cpus) : 1;
		*out = (unsigned)(n < 1 ? 1 : n > THREADS_DEFAULT_MAX ? THREADS_DEFAULT_MAX : n);
		return 0;
	}
	n = strtol(text, &end, 10);
	if (end == text || *end || n < 1 || n > 16)
		return fail(EXIT_USAGE, "%s \"%s\" is not a thread count from 1 to 16.",
			    arg ? "--threads" : "SOCKOPT_THREADS", arg_short(text));
	*out = (unsigned)n;
	return 0;
}

static int cmd_show(int argc, char **argv)
{
	struct show sh;
	struct target *targets = NULL;
	struct sockopt_diag diag;
	size_t ntargets = 0;
	unsigned flags = 0, threads = 1;
	const char *threads_arg = NULL, *backend_arg = NULL;
	bool json = false, verbose = false, complete = false;
	int c, code, bpf;
	struct args a;

	memset(&sh, 0, sizeof(sh));
	show_filter_init(&sh.filter);
	args_start(&a, &show_command, argc, argv);
	while ((c = args_next(&a)) > 0) {
		if (c == 'a')
			sh.all = true;
		else if (c == 'j')
			json = true;
		else if (c == SHOW_SIDE_EFFECTS)
			flags |= SOCKOPT_SCAN_SIDE_EFFECTS;
		else if (c == SHOW_THREADS)
			threads_arg = a.value;
		else if (c == SHOW_PER_PROCESS)
			sh.per_process = true;
		else if (c == SHOW_BACKEND_FLAG)
			backend_arg = a.value;
		else if (c == SHOW_COMPLETE)
			complete = true;
		else if (c == 'v')
			verbose = true;
		else if (show_filter_option(&sh.filter, c, a.value, &code) != 1)
			return code;
	}
	if (c < 0)
		return a.code;
	if (thread_count(threads_arg, &threads) != 0)
		return EXIT_USAGE;
	/* The iterators read no option whose reading changes it (SO_ERROR clears the error). */
	if ((bpf = show_backend_choose(backend_arg,
				       flags & SOCKOPT_SCAN_SIDE_EFFECTS
					       ? "--side-effects asks for SO_ERROR and TCP_QUICKACK, "
						 "which the BPF backend does not read"
					       : NULL,
				       verbose)) < 0)
		return EXIT_USAGE;
	for (int i = 0; i < a.noperands; i++)
		if (!add_target(&targets, &ntargets, a.operands[i]))
			return fail(EXIT_USAGE, "show: \"%s\" is not PID or PID:FD.",
				    arg_short(a.operands[i]));
	/* Read-only options never differ in a settable way, so the default view skips reading them. */
	if (!sh.all)
		flags |= SOCKOPT_SCAN_SETTABLE_ONLY;
	/* The pidfd path learns TCP timers as ss -o does: one sock_diag dump (BPF reads its own). */
	if (!bpf)
		show_timers_collect(&sh.timers,
				    !sh.filter.protocols ||
					    sh.filter.protocols & (SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6),
				    !sh.filter.protocols ||
					    sh.filter.protocols & (SOCKOPT_KIND_UNIX | SOCKOPT_KIND_UNIX_SEQPACKET));
	/* BPF on the whole machine or one process learns the holders in its own pass (show_bpf). */
	if (!sh.per_process && !(bpf && ntargets <= 1) && collect_users(&sh, targets, ntargets) != 0)
		return EXIT_FAILED;
	if (sockopt_scan_new(flags, &sh.scan, &diag) < 0)
		return fail(EXIT_FAILED, "%s", diag.text);
	sockopt_scan_set_threads(sh.scan, threads);
	if (bpf && complete && sockopt_scan_new(flags, &sh.complete, &diag) < 0)
		return fail(EXIT_FAILED, "%s", diag.text);
	/* A JSON scan of 10,000 sockets is 85 MB: gathered by the printer, written in 64 KiB blocks. */
	print_start(json);
	print_buffer_stdout();
	print_open_object(NULL);
	show_print_start();
	print_open_array("sockets");
	sh.whole_machine = ntargets == 0;
	if (bpf && show_bpf(&sh, targets, ntargets) != 0)
		sh.failed_processes++;
	for (size_t i = 0; !bpf && i < ntargets; i++)
		show_pid(&sh, &targets[i]);
	if (!bpf && ntargets == 0)
		show_every_process(&sh);
	/* Titles over no rows only when that is the answer: a failure prints nothing on stdout. */
	if (!sh.header_printed && !show_failed(&sh))
		show_print_header();
	print_close_array();
	show_print_not_read_summary(&sh.cache.not_read);
	print_failures(&sh);
	print_int(PRINT_JSON, "skipped_processes", NULL, (long long)sh.failed_processes);
	print_int(PRINT_JSON, "skipped_sockets", NULL, (long long)sh.failed_sockets);
	print_close_object();
	print_end();
	code = summarise(&sh);
	show_not_read_free(&sh.cache.not_read);
	show_cache_free(&sh.cache);
	show_users_free(&sh.users);
	show_timers_free(&sh.timers);
	sockopt_scan_free(sh.scan);
	if (sh.complete)
		sockopt_scan_free(sh.complete);
	for (size_t i = 0; i < ntargets; i++)
		free(targets[i].fds);
	free(targets);
	free(sh.failures);
	return code;
}

static const struct flag show_flags[] = {
	{ 'a', "all", NULL, "every option read, not only those that differ from a fresh socket", NULL,
	  0 },
	ARGS_FLAG_JSON,
	{ 't', "tcp", NULL, "TCP sockets (the protocol flags add up)", NULL, 0 },
	{ 'u', "udp", NULL, "UDP sockets", NULL, 0 },
	{ 'x', "unix", NULL, "Unix sockets", NULL, 0 },
	{ 'w', "raw", NULL, "raw sockets", NULL, 0 },
	{ '4', "ipv4", NULL, "IPv4 sockets only", NULL, 0 },
	{ '6', "ipv6", NULL, "IPv6 sockets only", NULL, 0 },
	{ 'l', "listening", NULL, "listeners and unconnected datagram sockets, as ss -l", NULL, 0 },
	{ 'p', "port", "N", "sockets whose local or peer port is N", "every port", 0 },
	{ 's', "state", "S", "sockets in state S, as ss names it: established, listen, time-wait…",
	  "every state", 0 },
	{ SHOW_SIDE_EFFECTS, "side-effects", NULL,
	  "also read options whose reading changes them (SO_ERROR, TCP_QUICKACK)", NULL, 0 },
	SHOW_FLAGS_BACKEND,
	{ SHOW_COMPLETE, "complete", NULL,
	  "read through pidfd_getfd the sockets of which BPF could not read every option shown",
	  NULL, 0 },
	{ SHOW_PER_PROCESS, "per-process", NULL,
	  "one entry per process fd: a socket several processes hold appears once for each "
	  "(by default once, with all its users)", NULL, 0 },
	{ SHOW_THREADS, "threads", "N",
	  "read sockets on N threads, 1 to 16", "$SOCKOPT_THREADS, else the CPUs, at most 4", 0 },
	{ 0 },
};

const struct command show_command = {
	"show", cmd_show, "[PID[:FD]…]",
	"the sockets of running processes: addresses, state, non-default options", show_flags, 0, -1,
	ARGS_FLAGS_ANYWHERE,
	"Without PID, every process this user may read; PID:FD is one socket (shown whatever the\n"
	"filters say). Sockets are read through BPF iterators when this user may load them, else\n"
	"through pidfd_getfd(2) (--backend): nothing in the process changes.\n"
	"Filters of one kind add up (-t -u), kinds and families intersect (-t -6: TCP over IPv6).",
	{ "sockopt show $(pgrep -o nginx)", "sockopt show -tl --port 6379 --json" },
};
