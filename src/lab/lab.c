/* lab.c: the registry of experiments, the recording of measured fields, the runner and the verdict. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <math.h>

#include "lab.h"
#include "labnet.h"

/* One file per topic, each with a table of experiments. */
#define TOPIC(name)                                                                \
	extern const struct lab_experiment lab_##name[];                           \
	extern const size_t lab_##name##_count;                                    \
	extern const struct lab_claim lab_##name##_claims[];                       \
	extern const size_t lab_##name##_claims_count;
TOPIC(linger)
TOPIC(shutdown)
TOPIC(buffers)
TOPIC(reuse)
TOPIC(timeouts)
TOPIC(lowat)
TOPIC(tcp)
TOPIC(mtu)
TOPIC(keepalive)
TOPIC(errors)
TOPIC(getset)
TOPIC(udp)
TOPIC(ip)
TOPIC(ipv6)
TOPIC(fcntl)
TOPIC(oob)
TOPIC(misc)
TOPIC(golang)
#undef TOPIC

#define ROW(name) { lab_##name, &lab_##name##_count, lab_##name##_claims, &lab_##name##_claims_count }
static const struct {
	const struct lab_experiment *list;
	const size_t *count;
	const struct lab_claim *claims;
	const size_t *nclaims;
} topics[] = {
	ROW(linger), ROW(shutdown), ROW(buffers), ROW(reuse),	 ROW(timeouts), ROW(lowat), ROW(tcp), ROW(mtu),  ROW(keepalive),
	ROW(errors), ROW(getset), ROW(udp),	   ROW(ip), ROW(ipv6),	 ROW(fcntl),	ROW(oob),   ROW(misc),  ROW(golang),
};
#undef ROW

/*
 * The five documents.  The summary names them by TAG, the verbose report
 * and JSON by NAME: as a reader holding them knows them, never by hash.
 */
static const struct lab_seed seeds[] = {
	{ "go-blog", "000_b4212af7d284b003.txt",
	  "Blog post on Go's SetWriteBuffer and Dialer.Control, with UNP's UDP send buffer quote "
	  "and the SO_LINGER cases (finclip.com / CSDN)" },
	{ "cnblogs", "001_b5b00f28f26c67e8.txt",
	  "Blog post \"setsockopt: SO_LINGER\" with the Windows closesocket notes (cnblogs.com, 2012)" },
	{ "csdn-wiki", "002_48b01fd0b13bff6e.txt",
	  "Zim wiki copy of the CSDN post \"setsockopt: SO_LINGER 选项设置\" (factor2000, 2009)" },
	{ "unp", "003_f012efc3bbbfde02.txt",
	  "Notes on UNIX Network Programming vol. 1, ch. 7 (socket options) and the fcntl section "
	  "(CSDN blog \"sockopt套接字选项操作\")" },
	{ "adv", "004_0de232be0c243d49.txt",
	  "\"Advanced topics about socket programming\" article quoting the BSD getsockopt(2) and "
	  "Linux socket(7) manual pages" },
};

/* An experiment that has not finished after this long is stopped. */
#define LAB_DEADLINE_MS 20000
/* The most runs of one timing experiment. */
#define LAB_REPEAT_MAX 9

size_t lab_count(void)
{
	size_t n = 0;

	for (size_t t = 0; t < LAB_ARRAY_SIZE(topics); t++)
		n += *topics[t].count;
	return n;
}

const struct lab_experiment *lab_at(size_t i)
{
	for (size_t t = 0; t < LAB_ARRAY_SIZE(topics); t++) {
		if (i < *topics[t].count)
			return &topics[t].list[i];
		i -= *topics[t].count;
	}
	return NULL;
}

const struct lab_experiment *lab_find(const char *id)
{
	for (size_t i = 0; i < lab_count(); i++)
		if (strcmp(lab_at(i)->id, id) == 0)
			return lab_at(i);
	return NULL;
}

bool lab_is_about(const struct lab_experiment *x, const char *name)
{
	const char *list = x->options;
	size_t len, n = strlen(name);

	for (const char *w; (w = sockopt_word_next(&list, &len));)
		if (len == n && strncasecmp(w, name, n) == 0)
			return true;
	return false;
}

size_t lab_claim_count(void)
{
	size_t n = 0;

	for (size_t t = 0; t < LAB_ARRAY_SIZE(topics); t++)
		n += *topics[t].nclaims;
	return n;
}

const struct lab_claim *lab_claim_at(size_t i)
{
	for (size_t t = 0; t < LAB_ARRAY_SIZE(topics); t++) {
		if (i < *topics[t].nclaims)
			return &topics[t].claims[i];
		i -= *topics[t].nclaims;
	}
	return NULL;
}

const struct lab_claim *lab_claim_find(const char *id)
{
	for (size_t i = 0; i < lab_claim_count(); i++)
		if (strcmp(lab_claim_at(i)->id, id) == 0)
			return lab_claim_at(i);
	return NULL;
}

size_t lab_seed_count(void)
{
	return LAB_ARRAY_SIZE(seeds);
}

const struct lab_seed *lab_seed_at(size_t i)
{
	return i < LAB_ARRAY_SIZE(seeds) ? &seeds[i] : NULL;
}

const struct lab_seed *lab_seed_find(const char *tag)
{
	for (size_t i = 0; i < LAB_ARRAY_SIZE(seeds); i++)
		if (strcmp(seeds[i].tag, tag) == 0)
			return &seeds[i];
	return NULL;
}

/* ---- recording ------------------------------------------------------- */

static struct lab_field *field_slot(struct lab_result *r, const char *name)
{
	for (size_t i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].name, name) == 0)
			return &r->fields[i];
	if (r->nfields == LAB_FIELDS_MAX)
		return NULL;
	struct lab_field *f = &r->fields[r->nfields++];

	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	return f;
}

void lab_int(struct lab_result *r, const char *name, long long v)
{
	struct lab_field *f = field_slot(r, name);

	if (f) {
		f->type = LAB_INT;
		f->i = v;
	}
}

void lab_bool(struct lab_result *r, const char *name, bool v)
{
	struct lab_field *f = field_slot(r, name);

	if (f) {
		f->type = LAB_BOOL;
		f->i = v;
	}
}

void lab_str(struct lab_result *r, const char *name, const char *s)
{
	struct lab_field *f = field_slot(r, name);

	if (f) {
		f->type = LAB_STR;
		snprintf(f->s, sizeof(f->s), "%s", s ? s : "");
	}
}

void lab_errno(struct lab_result *r, const char *name, int err)
{
	const char *n;

	if (err < 0)
		err = -err;
	n = err ? strerrorname_np(err) : "OK";
	lab_str(r, name, n ? n : "E?");
}

const struct lab_field *lab_field(const struct lab_result *r, const char *name)
{
	for (size_t i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].name, name) == 0)
			return &r->fields[i];
	return NULL;
}

long long lab_num(const struct lab_result *r, const char *name)
{
	const struct lab_field *f = lab_field(r, name);

	return f && f->type != LAB_STR ? f->i : -1;
}

const char *lab_word(const struct lab_result *r, const char *name)
{
	const struct lab_field *f = lab_field(r, name);

	return f && f->type == LAB_STR ? f->s : "-";
}

void lab_observe(struct lab_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->observed, sizeof(r->observed), fmt, ap);
	va_end(ap);
}

void lab_observe_more(struct lab_result *r, const char *fmt, ...)
{
	size_t len = strlen(r->observed);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->observed + len, sizeof(r->observed) - len, fmt, ap);
	va_end(ap);
}

bool lab_skip(struct lab_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->skipped, sizeof(r->skipped), fmt, ap);
	va_end(ap);
	return false;
}

/* ---- options through the library ------------------------------------- */

const sockopt_entry *lab_opt(struct lab_result *r, const char *name)
{
	const sockopt_entry *e = sockopt_catalog_find(name);

	if (!e && !r->skipped[0])
		lab_skip(r, "catalog lacks %s", name);
	return e;
}

int lab_set(int fd, const char *name, const char *text)
{
	const sockopt_entry *e = sockopt_catalog_find(name);

	return e ? sockopt_set_text(fd, e, text, NULL, NULL) : -ENOENT;
}

int lab_set_unchecked(int fd, const char *name, const char *text)
{
	const sockopt_entry *e = sockopt_catalog_find(name);
	sockopt_value v;
	int r;

	if (!e)
		return -ENOENT;
	r = sockopt_value_parse(e, text, &v, NULL);
	return r < 0 ? r : sockopt_set_unchecked(fd, e, &v, NULL);
}

/* Read option NAME on FD into V, and its entry into *E; 0 or -errno (-ENOENT: not in the catalog). */
static int get(int fd, const char *name, const sockopt_entry **e, sockopt_value *v)
{
	*e = sockopt_catalog_find(name);
	return *e ? sockopt_get(fd, *e, v, NULL) : -ENOENT;
}

int lab_get_int(int fd, const char *name, int *out)
{
	const sockopt_entry *e;
	sockopt_value v;
	int r = get(fd, name, &e, &v);

	if (r == 0)
		*out = v.v.i;
	return r;
}

int lab_get_text(int fd, const char *name, char *buf, size_t size)
{
	const sockopt_entry *e;
	sockopt_value v;
	int r = get(fd, name, &e, &v);

	if (r == 0)
		sockopt_type_format(sockopt_entry_type(e), &v, buf, size);
	return r;
}

/* Read option NAME on FD into the field named by FMT and AP. */
static bool record(struct lab_result *r, int fd, const char *name, const char *fmt, va_list ap)
{
	char field[LAB_NAME_MAX];
	int v;

	if (lab_get_int(fd, name, &v) < 0)
		return false;
	vsnprintf(field, sizeof(field), fmt, ap);
	lab_int(r, field, v);
	return true;
}

bool lab_record(struct lab_result *r, int fd, const char *name, const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = record(r, fd, name, fmt, ap);
	va_end(ap);
	return ok;
}

bool lab_record_fresh(struct lab_result *r, int family, int type, const char *name,
		      const char *fmt, ...)
{
	int fd = socket(family, type | SOCK_CLOEXEC, 0);
	va_list ap;
	bool ok;

	if (fd < 0)
		return false;
	va_start(ap, fmt);
	ok = record(r, fd, name, fmt, ap);
	va_end(ap);
	close(fd);
	return ok;
}

void lab_record_error(struct lab_result *r, int fd, const char *field)
{
	int err;

	if (lab_get_int(fd, "SO_ERROR", &err) == 0)
		lab_errno(r, field, err);
}

bool lab_tcp_info(int fd, void *ti, size_t size)
{
	const sockopt_entry *e = sockopt_catalog_find("TCP_INFO");
	sockopt_value v;

	if (!e || sockopt_get(fd, e, &v, NULL) < 0)
		return false;
	memset(ti, 0, size);
	memcpy(ti, v.v.bytes, v.len < size ? v.len : size);
	return true;
}

/*
 * Receive one datagram on FD within 500 ms and call FN for each control
 * message; the datagram's length or -1.
 */
ssize_t lab_recv_cmsgs(int fd, void (*fn)(struct lab_result *, const struct cmsghdr *),
		       struct lab_result *r)
{
	char buf[256], ctl[512];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	ssize_t n;

	if (!(labnet_wait(fd, POLLIN, 500) & POLLIN) || (n = recvmsg(fd, &mh, MSG_DONTWAIT)) < 0)
		return -1;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		fn(r, cm);
	return n;
}

/* ---- running --------------------------------------------------------- */

/* In the child: enter a namespace when needed, measure, send the result up the pipe. */
static void run_child(const struct lab_experiment *x, struct lab_result *r, int out)
{
	int err;

	if ((x->needs & LAB_NEEDS_NETNS) && (err = labnet_netns_enter()) < 0)
		lab_skip(r, "needs CAP_NET_ADMIN for a private network namespace (%s)",
			 strerrorname_np(-err));
	else
		x->run(r);
	labnet_write_all(out, r, sizeof(*r));
	_exit(0);
}

/* How reading a child's result ended. */
enum arrival { ARRIVED, CHILD_DIED, TIMED_OUT };

/* Read the child's result from IN until it is complete, EOF, or the deadline. */
static enum arrival read_result(int in, struct lab_result *r)
{
	char *p = (char *)r;
	size_t got = 0;
	long long deadline = labnet_now_us() + LAB_DEADLINE_MS * 1000LL;

	while (got < sizeof(*r)) {
		long long left = (deadline - labnet_now_us()) / 1000;
		ssize_t n;

		if (left <= 0 || !labnet_wait(in, POLLIN, (int)left))
			return TIMED_OUT;
		n = read(in, p + got, sizeof(*r) - got);
		if (n == 0)
			return CHILD_DIED;
		if (n > 0)
			got += (size_t)n;
	}
	return ARRIVED;
}

/* A started run: the child and the pipe its result comes through. */
struct started {
	pid_t pid;
	int in;
};

/* Start X in a child process; false (R says why) when it cannot start. */
static bool start_run(const struct lab_experiment *x, struct lab_result *r, struct started *s)
{
	int p[2];

	memset(r, 0, sizeof(*r));
	if (pipe2(p, O_CLOEXEC) < 0 || (s->pid = fork()) < 0) {
		lab_skip(r, "could not start the experiment (%s)", strerrorname_np(errno));
		return false;
	}
	if (s->pid == 0) {
		close(p[0]);
		run_child(x, r, p[1]);
	}
	close(p[1]);
	s->in = p[0];
	return true;
}

/* Collect the result of a started run into R. */
static void finish_run(struct lab_result *r, const struct started *s)
{
	enum arrival how = read_result(s->in, r);
	int status = 0;

	if (how == TIMED_OUT)
		kill(s->pid, SIGKILL);
	close(s->in);
	while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (how == ARRIVED)
		return;
	memset(r, 0, sizeof(*r));
	if (how == TIMED_OUT)
		lab_skip(r, "the experiment did not finish within %d s", LAB_DEADLINE_MS / 1000);
	else
		lab_skip(r, "the experiment's process died (%s)",
			 WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "no result");
}

static int compare_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/*
 * Timings (number fields ending in _us) of N runs become the median,
 * with NAME_min and NAME_max beside it; every other field keeps the
 * first run's value.
 */
static void merge_timings(struct lab_result *into, const struct lab_result *runs, int n)
{
	size_t nf = into->nfields;

	for (size_t i = 0; i < nf; i++) {
		struct lab_field f = into->fields[i];
		long long v[LAB_REPEAT_MAX];
		char name[LAB_NAME_MAX + 8];
		int k = 0;

		if (f.type != LAB_INT || !lab_field_unit(f.name) || strcmp(lab_field_unit(f.name), "us"))
			continue;
		for (int j = 0; j < n; j++) {
			const struct lab_field *g = lab_field(&runs[j], f.name);

			if (g && g->type == LAB_INT)
				v[k++] = g->i;
		}
		qsort(v, (size_t)k, sizeof(v[0]), compare_ll);
		lab_int(into, f.name, v[k / 2]);
		snprintf(name, sizeof(name), "%s_min", f.name);
		lab_int(into, name, v[0]);
		snprintf(name, sizeof(name), "%s_max", f.name);
		lab_int(into, name, v[k - 1]);
	}
}

/*
 * Every experiment runs in a child process: its signals (SIGPIPE, SIGIO),
 * its descriptors and its namespace stay there, a crash or a hang stays
 * there, and the result comes back as plain data.  A timing experiment
 * runs REPEAT times at once (the runs mostly wait: on a linger timer, a
 * keepalive probe; each has its own sockets or namespace) and reports
 * the medians.
 */
void lab_run(const struct lab_experiment *x, struct lab_result *r)
{
	static struct lab_result runs[LAB_REPEAT_MAX];
	struct started started[LAB_REPEAT_MAX];
	long long t0 = labnet_now_us();
	int want = x->repeat > 1 ? x->repeat : 1, n = 0, good = 0;

	if (want > LAB_REPEAT_MAX)
		want = LAB_REPEAT_MAX;
	while (n < want && start_run(x, &runs[n], &started[n]))
		n++;
	for (int i = 0; i < n; i++)
		finish_run(&runs[i], &started[i]);
	/* The runs that worked, first; a failed one says why when none did. */
	for (int i = 0; i < want; i++)
		if (i < n && !runs[i].skipped[0] && lab_setup_holds(x, &runs[i]))
			runs[good++] = runs[i];
	*r = runs[0];
	if (good > 1)
		merge_timings(r, runs, good);
	r->runs = good;
	r->elapsed_ms = (labnet_now_us() - t0) / 1000;
}

/* ---- the kernel's HZ ------------------------------------------------- */

/* The "jiffies: N" line of /proc/timer_list, or -1. */
static long long read_jiffies(void)
{
	FILE *f = fopen("/proc/timer_list", "re");
	char line[256];
	long long j = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "jiffies: %lld", &j) == 1)
			break;
	if (f)
		fclose(f);
	return j;
}

/* CONFIG_HZ from /boot/config-RELEASE, or -1. */
static int config_hz(void)
{
	char path[300], line[256];
	struct utsname u;
	FILE *f;
	int hz = -1;

	if (uname(&u) < 0)
		return -1;
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CONFIG_HZ=%d", &hz) == 1)
			break;
	if (f)
		fclose(f);
	return hz;
}

int lab_hz(char *how, size_t size)
{
	static const int common[] = { 100, 250, 300, 1000 };
	long long t0 = labnet_now_us(), j0 = read_jiffies(), j1, us;
	int best = -1;

	if (j0 >= 0) {
		labnet_sleep_ms(200);
		j1 = read_jiffies();
		us = labnet_now_us() - t0;
		/* The nearest of the values Kconfig offers: ±1 jiffy of reading jitter. */
		for (size_t i = 0; i < LAB_ARRAY_SIZE(common); i++) {
			double rate = (j1 - j0) * 1e6 / us;

			if (best < 0 || fabs(rate - common[i]) < fabs(rate - best))
				best = common[i];
		}
		snprintf(how, size, "measured: %lld jiffies in %.0f ms", j1 - j0, us / 1000.0);
		return best;
	}
	best = config_hz();
	snprintf(how, size, best > 0 ? "CONFIG_HZ of /boot/config" : "no /proc/timer_list, no /boot/config");
	return best;
}
