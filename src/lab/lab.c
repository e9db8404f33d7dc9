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
#include <unistd.h>

#include "lab.h"
#include "labnet.h"

/* One file per topic, each with a table of experiments. */
#define TOPIC(name) extern const struct lab_experiment lab_##name[]; extern const size_t lab_##name##_count;
TOPIC(linger)
TOPIC(buffers)
TOPIC(reuse)
TOPIC(timeouts)
TOPIC(lowat)
TOPIC(tcp)
TOPIC(keepalive)
TOPIC(errors)
TOPIC(udp)
TOPIC(ip)
TOPIC(fcntl)
TOPIC(oob)
TOPIC(misc)
#undef TOPIC

static const struct {
	const struct lab_experiment *list;
	const size_t *count;
} topics[] = {
	{ lab_linger, &lab_linger_count },   { lab_buffers, &lab_buffers_count },
	{ lab_reuse, &lab_reuse_count },     { lab_timeouts, &lab_timeouts_count },
	{ lab_lowat, &lab_lowat_count },     { lab_tcp, &lab_tcp_count },
	{ lab_keepalive, &lab_keepalive_count }, { lab_errors, &lab_errors_count },
	{ lab_udp, &lab_udp_count },	     { lab_ip, &lab_ip_count },
	{ lab_fcntl, &lab_fcntl_count },     { lab_oob, &lab_oob_count },
	{ lab_misc, &lab_misc_count },
};

/* An experiment that has not finished after this long is stopped. */
#define LAB_DEADLINE_MS 20000

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

const char *lab_verdict_name(enum lab_verdict v)
{
	static const char *const names[] = { "agrees", "differs", "partly", "skipped" };

	return names[v];
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

/*
 * Every experiment runs in a child process: its signals (SIGPIPE, SIGIO),
 * its descriptors and its namespace stay there, a crash or a hang stays
 * there, and the result comes back as plain data.
 */
void lab_run(const struct lab_experiment *x, struct lab_result *r)
{
	long long t0 = labnet_now_us();
	enum arrival how;
	int p[2], status = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		lab_skip(r, "could not start the experiment (%s)", strerrorname_np(errno));
		lab_judge(x, r);
		return;
	}
	if (pid == 0) {
		close(p[0]);
		run_child(x, r, p[1]);
	}
	close(p[1]);
	how = read_result(p[0], r);
	if (how == TIMED_OUT)
		kill(pid, SIGKILL);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (how != ARRIVED) {
		memset(r, 0, sizeof(*r));
		if (how == TIMED_OUT)
			lab_skip(r, "the experiment did not finish within %d s", LAB_DEADLINE_MS / 1000);
		else
			lab_skip(r, "the experiment's process died (%s)",
				 WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "no result");
	}
	r->elapsed_ms = (labnet_now_us() - t0) / 1000;
	lab_judge(x, r);
}
