/* common.c: clocks, latency samples, options by name, whole reads and writes, and progress for the bench modes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "msg.h"
#include "print.h"
#include "bench.h"

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (!list)
		return true;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

int samples_add(struct samples *s, uint64_t ns)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		uint64_t *p = realloc(s->ns, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->ns = p;
		s->cap = cap;
	}
	s->ns[s->n++] = ns;
	return 0;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

void samples_sort(struct samples *s)
{
	if (s->n)
		qsort(s->ns, s->n, sizeof(*s->ns), compare_u64);
}

uint64_t samples_percentile(const struct samples *s, double p)
{
	size_t rank;

	if (s->n == 0)
		return 0;
	/* Nearest rank: the smallest sample with at least P% of samples at or below it. */
	rank = (size_t)(p / 100.0 * (double)s->n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > s->n)
		rank = s->n;
	return s->ns[rank - 1];
}

double samples_mean(const struct samples *s)
{
	double sum = 0;

	for (size_t i = 0; i < s->n; i++)
		sum += (double)s->ns[i];
	return s->n ? sum / (double)s->n : 0;
}

void samples_free(struct samples *s)
{
	free(s->ns);
	memset(s, 0, sizeof(*s));
}

/* The catalog entry NAME, or -ENOENT in DIAG. */
static const sockopt_entry *find(const char *name, struct sockopt_diag *diag)
{
	const sockopt_entry *e = sockopt_catalog_find(name);

	if (!e && diag) {
		diag->error = -ENOENT;
		snprintf(diag->text, sizeof(diag->text),
			 "The option catalog of this build has no %s, which this bench needs.", name);
	}
	return e;
}

int opt_need(const char *name, struct sockopt_diag *diag)
{
	return find(name, diag) ? 0 : -ENOENT;
}

int opt_set(int fd, const char *name, const char *text, struct sockopt_readback *rb,
	    struct sockopt_diag *diag)
{
	const sockopt_entry *e = find(name, diag);

	return e ? sockopt_set_text(fd, e, text, rb, diag) : -ENOENT;
}

int opt_get_int(int fd, const char *name, int *out, struct sockopt_diag *diag)
{
	const sockopt_entry *e = find(name, diag);
	sockopt_value v;
	int err;

	if (!e)
		return -ENOENT;
	err = sockopt_get(fd, e, &v, diag);
	if (err == 0)
		*out = v.v.i;
	return err;
}

long long sysctl_or(const char *name)
{
	long long v;

	return sockopt_sysctl_read_long(name, &v, NULL) < 0 ? -1 : v;
}

int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int recv_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void print_mode_start(const char *mode, double duration, const char *size_key, long long size)
{
	print_open_object(NULL);
	print_string(PRINT_JSON, "mode", NULL, mode);
	print_double(PRINT_JSON, "duration_s", NULL, duration);
	print_int(PRINT_JSON, size_key, NULL, size);
}

void print_result_end(const char *error)
{
	if (error[0])
		print_string(PRINT_JSON, "error", NULL, error);
	print_close_object();
}

void progress(struct progress *p, uint64_t now)
{
	double done = (double)(now - p->start) / 1e9;

	if (now - p->shown <= 100000000 || !show_progress())
		return;
	p->shown = now;
	if (done > p->total)
		done = p->total;
	fprintf(stderr, "\r\033[K%s %s %.1f/%.1f s", p->mode, p->variant, done, p->total);
}

void progress_clear(void)
{
	if (show_progress())
		fputs("\r\033[K", stderr);
}

int plot_failed(const char *path, int err)
{
	return fail(EXIT_FAILED, "Could not write the plot %s: %s.", path, strerror(-err));
}

int parse_size(const char *text, long *out)
{
	sockopt_value v;
	int err = sockopt_type_parse(SOCKOPT_TYPE_BYTES, text, &v, NULL);

	if (err == 0)
		*out = v.v.i;
	return err;
}

void format_size(long bytes, char *buf, size_t size)
{
	if (bytes >= 1 << 20 && bytes % (1 << 20) == 0)
		snprintf(buf, size, "%ldM", bytes >> 20);
	else if (bytes >= 1 << 10 && bytes % (1 << 10) == 0)
		snprintf(buf, size, "%ldK", bytes >> 10);
	else
		snprintf(buf, size, "%ld", bytes);
}

void format_size_pair(long a, long b, char *abuf, char *bbuf, size_t size)
{
	static const struct {
		long unit;
		const char *suffix;
	} units[] = { { 1 << 20, "M" }, { 1 << 10, "K" } };

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		long u = units[i].unit;

		if (a >= u && b >= u && a % u == 0 && b % u == 0) {
			snprintf(abuf, size, "%ld%s", a / u, units[i].suffix);
			snprintf(bbuf, size, "%ld%s", b / u, units[i].suffix);
			return;
		}
	}
	snprintf(abuf, size, "%ld", a);
	snprintf(bbuf, size, "%ld", b);
}

size_t buffer_list(const char *list, struct buffer_size *out, size_t max)
{
	char buf[256], *save = NULL;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *s = strtok_r(buf, ",", &save); s && n < max; s = strtok_r(NULL, ",", &save)) {
		snprintf(out[n].label, sizeof(out[n].label), "%s", s);
		out[n].bytes = 0;
		if (strcmp(s, "auto") != 0 && parse_size(s, &out[n].bytes) < 0)
			continue;
		n++;
	}
	return n;
}
