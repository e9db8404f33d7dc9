/* rr.c: `sockopt bench rr`: request/response latency over one loopback connection, one option at a time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "msg.h"
#include "print.h"
#include "bench.h"
#include "svg.h"

/* How one variant sends its request and which options each side sets. */
struct rr_variant {
	const char *name;
	const char *client_opts; /* applied to the requesting socket */
	bool split;		 /* the request goes out in two writes */
	bool cork;		 /* TCP_CORK on around the two writes, off to send */
	bool quickack;		 /* the server sets TCP_QUICKACK after every read */
	const char *why;
};

static const struct rr_variant variants[] = {
	{ "plain", "", false, false, false,
	  "One write each way: nothing waits, so this is the loopback round trip "
	  "(what sockperf ping-pong measures)." },
	{ "wwr-nagle", "", true, false, false,
	  "Nagle holds the second write until the first is ACKed, and the server delays that "
	  "ACK because it has nothing to send yet: every request stalls for the delayed-ACK "
	  "timer." },
	{ "wwr-nodelay", "TCP_NODELAY=on", true, false, false,
	  "TCP_NODELAY sends the second write at once, so the request arrives in two segments "
	  "and nothing waits for an ACK." },
	{ "wwr-cork", "", true, true, false,
	  "TCP_CORK holds both writes and clearing it sends them as one segment: no stall, at "
	  "the cost of two setsockopt calls per request." },
	{ "wwr-quickack", "", true, false, true,
	  "The server sets TCP_QUICKACK after each read, so it ACKs the first segment at once "
	  "and Nagle releases the second after one round trip instead of the timer." },
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

/* What one variant measured. */
struct rr_result {
	const struct rr_variant *v;
	struct samples lat;
	double elapsed; /* seconds of the measured part */
	char error[SOCKOPT_TEXT_MAX];
};

/* The answering side: read each request (re-arming TCP_QUICKACK when asked), send the response. */
struct rr_server {
	int fd;
	int client; /* the bench's end, closed in the peer so that its close ends the peer */
	size_t size;
	bool quickack;
};

static void rr_serve(void *arg)
{
	struct rr_server *s = arg;
	char *buf = calloc(1, s->size);

	close(s->client);

	while (buf) {
		size_t got = 0;
		ssize_t n = 0;

		while (got < s->size) {
			n = recv(s->fd, buf + got, s->size - got, 0);
			if (n <= 0)
				break;
			got += (size_t)n;
			/* TCP_QUICKACK is transient: the kernel drops back to delayed ACKs on its own. */
			if (s->quickack)
				opt_set(s->fd, "TCP_QUICKACK", "on", NULL, NULL);
		}
		if (n <= 0 || send_all(s->fd, buf, s->size) < 0)
			break;
	}
	free(buf);
}

/* Send one request the way variant V does. */
static int rr_request(int fd, const struct rr_variant *v, const char *buf, size_t size)
{
	size_t first = v->split ? size / 2 : size;
	int err;

	if (v->cork && (err = opt_set(fd, "TCP_CORK", "on", NULL, NULL)) < 0)
		return err;
	if ((err = send_all(fd, buf, first)) < 0)
		return err;
	if (first < size && (err = send_all(fd, buf + first, size - first)) < 0)
		return err;
	return v->cork ? opt_set(fd, "TCP_CORK", "off", NULL, NULL) : 0;
}

/* Run transactions for the variant's time; samples after the warm-up are kept. */
static int rr_loop(int fd, struct rr_result *r, size_t size, double duration)
{
	char *buf = calloc(1, size);
	/* The first tenth (at most 0.2 s) is warm-up: connection start-up acks every segment at once. */
	double warm = duration / 10 < 0.2 ? duration / 10 : 0.2;
	uint64_t start = now_ns(), measure = start + (uint64_t)(warm * 1e9);
	uint64_t end = measure + (uint64_t)(duration * 1e9), t0 = start, t1 = start;
	struct progress p = { "rr", r->v->name, duration + warm, start, 0 };
	int err = buf ? 0 : -ENOMEM;

	while (err == 0 && t1 < end) {
		t0 = now_ns();
		err = rr_request(fd, r->v, buf, size);
		if (err == 0)
			err = recv_all(fd, buf, size);
		t1 = now_ns();
		if (err == 0 && t0 >= measure)
			err = samples_add(&r->lat, t1 - t0);
		progress(&p, t1);
	}
	r->elapsed = (double)(t1 - measure) / 1e9;
	free(buf);
	return err;
}

static int rr_run(struct rr_result *r, size_t size, double duration)
{
	struct rr_server srv = { .size = size, .quickack = r->v->quickack };
	struct sockopt_diag diag = { 0 };
	struct bench_side cside, sside = { 0 };
	int client, pid, err;

	err = side_init(&cside, r->v->client_opts, &diag);
	if (err == 0 && r->v->cork)
		err = opt_need("TCP_CORK", &diag);
	if (err == 0 && r->v->quickack)
		err = opt_need("TCP_QUICKACK", &diag);
	if (err == 0)
		err = side_pair(&cside, &sside, &client, &srv.fd, &diag);
	side_free(&cside);
	if (err < 0) {
		snprintf(r->error, sizeof(r->error), "%s", diag.text);
		return err;
	}
	srv.client = client;
	pid = err = peer_start(rr_serve, &srv);
	close(srv.fd);
	if (err >= 0)
		err = rr_loop(client, r, size, duration);
	close(client);
	if (pid >= 0)
		peer_wait(pid);
	if (err < 0)
		snprintf(r->error, sizeof(r->error), "transaction failed: %s", strerror(-err));
	samples_sort(&r->lat);
	return err;
}

static void print_us(const char *key, const char *fmt, uint64_t ns)
{
	print_double(PRINT_ANY, key, fmt, (double)ns / 1e3);
}

static void rr_print(const struct rr_result *r, size_t n, size_t size, double duration)
{
	print_mode_start("rr", duration, "size", (long long)size);
	print_text("request and response of %zu bytes on 127.0.0.1, %.1f s per variant; "
		   "latency is the round trip in microseconds\n\n",
		   size, duration);
	print_text("%-14s %10s %9s %9s %9s %9s %9s\n", "VARIANT", "TRANS/S", "P50", "P90", "P99",
		   "MAX", "COUNT");
	print_open_array("variants");
	for (size_t i = 0; i < n; i++) {
		const struct samples *s = &r[i].lat;

		print_open_object(NULL);
		print_string(PRINT_ANY, "name", "%-14s ", r[i].v->name);
		print_string(PRINT_JSON, "client_options", NULL, r[i].v->client_opts);
		print_bool(PRINT_JSON, "split", NULL, r[i].v->split);
		print_bool(PRINT_JSON, "cork", NULL, r[i].v->cork);
		print_bool(PRINT_JSON, "server_quickack", NULL, r[i].v->quickack);
		print_double(PRINT_ANY, "transactions_per_s", "%10.0f ",
			     r[i].elapsed > 0 ? (double)s->n / r[i].elapsed : 0);
		print_us("p50_us", "%9.1f ", samples_percentile(s, 50));
		print_us("p90_us", "%9.1f ", samples_percentile(s, 90));
		print_us("p99_us", "%9.1f ", samples_percentile(s, 99));
		print_us("max_us", "%9.1f ", samples_percentile(s, 100));
		print_int(PRINT_ANY, "transactions", "%9lld\n", (long long)s->n);
		print_us("min_us", NULL, samples_percentile(s, 0));
		print_us("p999_us", NULL, samples_percentile(s, 99.9));
		print_double(PRINT_JSON, "mean_us", NULL, samples_mean(s) / 1e3);
		print_double(PRINT_JSON, "elapsed_s", NULL, r[i].elapsed);
		print_string(PRINT_JSON, "explanation", NULL, r[i].v->why);
		print_result_end(r[i].error);
	}
	print_close_array();
	print_text("\n");
	for (size_t i = 0; i < n; i++)
		print_text("%-14s %s%s%s\n", r[i].v->name, r[i].v->why, r[i].error[0] ? " Error: " : "",
			   r[i].error);
	print_close_object();
}

/* Latency distribution: one cumulative curve per variant on a log time axis. */
static int rr_plot(const char *path, const struct rr_result *r, size_t n, size_t size)
{
	enum { POINTS = 201 };
	static const double pct[] = { 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100 };
	struct svg_series series[NVARIANTS];
	size_t drawn = 0;
	double (*xy)[2][POINTS] = calloc(n, sizeof(*xy));
	char labels[NVARIANTS][64], subtitle[160];
	int err;

	if (!xy)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char p50[16];

		if (r[i].lat.n == 0)
			continue;
		for (size_t k = 0; k < POINTS; k++) {
			xy[i][1][k] = 100.0 * (double)k / (POINTS - 1);
			xy[i][0][k] = (double)samples_percentile(&r[i].lat, xy[i][1][k]);
		}
		svg_format_ns((double)samples_percentile(&r[i].lat, 50), p50, sizeof(p50));
		snprintf(labels[i], sizeof(labels[i]), "%s (p50 %s)", r[i].v->name, p50);
		series[drawn++] = (struct svg_series){ labels[i], xy[i][0], xy[i][1], POINTS, false };
	}
	snprintf(subtitle, sizeof(subtitle),
		 "round trip of a %zu-byte request and response on 127.0.0.1; "
		 "curves further left are faster",
		 size);
	err = svg_write_xy(path, &(struct svg_xy){
					 .title = "Request/response latency by variant",
					 .subtitle = subtitle,
					 .x = { "round-trip latency (log scale)", 0, 0, true, NULL, 0,
						svg_format_ns },
					 .y = { "transactions at or below (%)", 0, 100, false, pct,
						sizeof(pct) / sizeof(pct[0]), NULL },
					 .series = series,
					 .nseries = drawn,
				 });
	free(xy);
	return err;
}

int bench_rr(const struct bench_args *a)
{
	struct rr_result r[NVARIANTS];
	size_t n = 0, size = a->size > 0 ? (size_t)a->size : 64;
	int status = EXIT_OK, err;

	memset(r, 0, sizeof(r));
	for (size_t i = 0; i < NVARIANTS; i++) {
		if (!list_has(a->variants, variants[i].name))
			continue;
		r[n].v = &variants[i];
		if (rr_run(&r[n++], size, a->duration) < 0)
			status = EXIT_FAILED;
	}
	progress_clear();
	if (n == 0)
		return fail(EXIT_USAGE, "No rr variant is named in \"%s\"; the variants are plain, "
					"wwr-nagle, wwr-nodelay, wwr-cork and wwr-quickack.",
			    arg_short(a->variants));
	print_start(a->json);
	rr_print(r, n, size, a->duration);
	print_end();
	if (a->plot && (err = rr_plot(a->plot, r, n, size)) < 0)
		status = plot_failed(a->plot, err);
	for (size_t i = 0; i < n; i++)
		samples_free(&r[i].lat);
	return status;
}
