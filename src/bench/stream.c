/* stream.c: `sockopt bench stream`: bulk TCP throughput on loopback against SO_SNDBUF/SO_RCVBUF sizes. */
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

#define MAX_BUFFERS 16
#define DEFAULT_BUFFERS "auto,64K,256K,1M,4M"
/* iperf3's default TCP write (and read) size, so the two are comparable. */
#define DEFAULT_WRITE (128 * 1024)

/* What one buffer size measured. */
struct stream_result {
	struct buffer_size buf;	     /* bytes asked for SO_SNDBUF and SO_RCVBUF; 0: autotuning */
	int snd_set, rcv_set; /* sender's SO_SNDBUF and receiver's SO_RCVBUF once connected */
	int snd_end, rcv_end; /* the same at the end of the transfer */
	long long bytes;
	double seconds;
	char readback[SOCKOPT_TEXT_MAX];
	char error[SOCKOPT_TEXT_MAX];
};

/* The receiving end (in shared memory): read until EOF, counting bytes and noting when the last came. */
struct stream_sink {
	int fd;
	int sender; /* the bench's end, closed in the peer so that its close means EOF */
	size_t size;
	long long bytes;
	uint64_t last;
	int rcvbuf_end;
};

static void stream_drain(void *arg)
{
	struct stream_sink *k = arg;
	char *buf = malloc(k->size);
	ssize_t n;

	close(k->sender);
	while (buf && (n = recv(k->fd, buf, k->size, 0)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		k->bytes += n;
		k->last = now_ns();
	}
	opt_get_int(k->fd, "SO_RCVBUF", &k->rcvbuf_end, NULL);
	free(buf);
}

/* Send WRITE-byte chunks on FD for DURATION seconds; the start time in *START. */
static int stream_send(int fd, const struct stream_result *r, size_t write, double duration,
		       uint64_t *start)
{
	char *buf = calloc(1, write);
	uint64_t t = now_ns(), end = t + (uint64_t)(duration * 1e9);
	struct progress p = { "stream", r->buf.label, duration, t, t };
	int err = buf ? 0 : -ENOMEM;

	*start = t;
	while (err == 0 && (t = now_ns()) < end) {
		err = send_all(fd, buf, write);
		progress(&p, t);
	}
	free(buf);
	return err;
}

/* Connect a pair with the buffer spec on both ends, then send for the duration. */
static int stream_run(struct stream_result *r, size_t write, double duration)
{
	struct bench_side side = { 0 };
	struct stream_sink *sink = peer_shared(sizeof(*sink));
	struct sockopt_diag diag = { 0 };
	char spec[96] = "";
	int fd = -1, pid = -1, err = sink ? 0 : -ENOMEM;
	uint64_t start = 0;

	/* Like iperf3 -w: both buffers on both ends; the listener's pass to accepted sockets. */
	if (r->buf.bytes)
		snprintf(spec, sizeof(spec), "SO_SNDBUF=%ld,SO_RCVBUF=%ld", r->buf.bytes, r->buf.bytes);
	if (err == 0)
		err = side_init(&side, spec, &diag);
	if (err == 0)
		err = side_pair(&side, &side, &fd, &sink->fd, &diag);
	if (err >= 0) {
		snprintf(r->readback, sizeof(r->readback), "%s", side.readback);
		opt_get_int(fd, "SO_SNDBUF", &r->snd_set, NULL);
		opt_get_int(sink->fd, "SO_RCVBUF", &r->rcv_set, NULL);
		sink->size = write;
		sink->sender = fd;
		pid = err = peer_start(stream_drain, sink);
		close(sink->fd);
	}
	if (err >= 0) {
		err = stream_send(fd, r, write, duration, &start);
		opt_get_int(fd, "SO_SNDBUF", &r->snd_end, NULL);
	}
	if (fd >= 0)
		close(fd);
	if (pid >= 0) {
		peer_wait(pid);
		r->bytes = sink->bytes;
		r->rcv_end = sink->rcvbuf_end;
		r->seconds = sink->last > start ? (double)(sink->last - start) / 1e9 : 0;
	}
	if (err < 0 && !diag.text[0])
		snprintf(diag.text, sizeof(diag.text), "%s.", strerror(-err));
	if (err < 0)
		snprintf(r->error, sizeof(r->error), "%s", diag.text);
	side_free(&side);
	peer_shared_free(sink, sizeof(*sink));
	return err < 0 ? err : 0;
}

static double gbits(const struct stream_result *r)
{
	return r->seconds > 0 ? (double)r->bytes * 8 / r->seconds / 1e9 : 0;
}

static void stream_print(const struct stream_result *r, size_t n, size_t write, double duration)
{
	char set[2][16], end[2][16];

	print_mode_start("stream", duration, "write_size", (long long)write);
	print_text("one TCP connection on 127.0.0.1, %zu-byte writes, %.1f s per size; SO_SNDBUF "
		   "and SO_RCVBUF set on both ends (like iperf3 -w)\n\n",
		   write, duration);
	print_text("%-9s %17s %17s %10s\n", "REQUESTED", "SNDBUF set→end", "RCVBUF set→end",
		   "GBIT/S");
	print_open_array("buffers");
	for (size_t i = 0; i < n; i++) {
		format_size_pair(r[i].snd_set, r[i].snd_end, set[0], end[0], sizeof(set[0]));
		format_size_pair(r[i].rcv_set, r[i].rcv_end, set[1], end[1], sizeof(set[1]));
		print_open_object(NULL);
		print_string(PRINT_ANY, "label", "%-9s ", r[i].buf.label);
		print_int(PRINT_JSON, "requested", NULL, r[i].buf.bytes);
		print_text("%8s→%-8s %8s→%-8s ", set[0], end[0], set[1], end[1]);
		print_int(PRINT_JSON, "sndbuf_set", NULL, r[i].snd_set);
		print_int(PRINT_JSON, "sndbuf_end", NULL, r[i].snd_end);
		print_int(PRINT_JSON, "rcvbuf_set", NULL, r[i].rcv_set);
		print_int(PRINT_JSON, "rcvbuf_end", NULL, r[i].rcv_end);
		print_double(PRINT_ANY, "gbit_per_s", "%10.2f\n", gbits(&r[i]));
		print_int(PRINT_JSON, "bytes", NULL, r[i].bytes);
		print_double(PRINT_JSON, "seconds", NULL, r[i].seconds);
		print_string(PRINT_JSON, "readback", NULL, r[i].readback);
		print_result_end(r[i].error);
	}
	print_close_array();
	print_text("\nWithout a request the kernel autotunes both buffers (net.ipv4.tcp_wmem, "
		   "tcp_rmem); setting either turns autotuning off for that socket.\n");
	for (size_t i = 0; i < n; i++)
		if (r[i].readback[0] || r[i].error[0])
			print_text("%-9s %s%s\n", r[i].buf.label, r[i].readback, r[i].error);
	print_close_object();
}

/* Throughput against requested buffer size, with autotuning as a dashed line. */
static int stream_plot(const char *path, const struct stream_result *r, size_t n, size_t write)
{
	long bytes[MAX_BUFFERS];
	double gbps[MAX_BUFFERS];
	char reflabel[64] = "", subtitle[160];
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		if (r[i].error[0])
			continue;
		bytes[m] = r[i].buf.bytes;
		gbps[m++] = gbits(&r[i]);
		if (r[i].buf.bytes == 0)
			snprintf(reflabel, sizeof(reflabel), "kernel autotuning: %.1f Gbit/s",
				 gbits(&r[i]));
	}
	snprintf(subtitle, sizeof(subtitle),
		 "one TCP connection on 127.0.0.1, %zu-byte writes; the same size asked for "
		 "SO_SNDBUF and SO_RCVBUF on both ends",
		 write);
	return svg_write_buffers(path,
				 (struct svg_xy){
					 .title = "Throughput against socket buffer size",
					 .subtitle = subtitle,
					 .y = { "Gbit/s", 0, 0, false, NULL, 0, NULL },
				 },
				 "requested SO_SNDBUF = SO_RCVBUF (the kernel stores twice this)",
				 "fixed buffers", bytes, gbps, m, reflabel);
}

int bench_stream(const struct bench_args *a)
{
	struct stream_result r[MAX_BUFFERS];
	size_t write = a->size > 0 ? (size_t)a->size : DEFAULT_WRITE;
	struct buffer_size b[MAX_BUFFERS];
	size_t n = buffer_list(a->buffers ? a->buffers : DEFAULT_BUFFERS, b, MAX_BUFFERS);
	int status = EXIT_OK, err;

	memset(r, 0, sizeof(r));
	for (size_t i = 0; i < n; i++) {
		r[i].buf = b[i];
		if (stream_run(&r[i], write, a->duration) < 0)
			status = EXIT_FAILED;
	}
	progress_clear();
	print_start(a->json);
	stream_print(r, n, write, a->duration);
	print_end();
	if (a->plot && (err = stream_plot(a->plot, r, n, write)) < 0)
		status = plot_failed(a->plot, err);
	return status;
}
