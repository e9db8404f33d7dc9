/* udp.c: `sockopt bench udp`: datagrams a fast sender loses against the receiver's SO_RCVBUF. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "print.h"
#include "sockdiag.h"
#include "bench.h"
#include "svg.h"

#define MAX_BUFFERS 16
#define DEFAULT_BUFFERS "auto,16K,64K,256K,1M,4M"
#define DEFAULT_SIZE 1024
#define DEFAULT_BURST 2000
#define BATCH 32 /* datagrams per sendmmsg */

/* What one receive buffer size measured. */
struct udp_result {
	struct buffer_size buf;	     /* SO_RCVBUF asked for; 0: the default */
	int rcvbuf;	     /* SO_RCVBUF read back on the receiver */
	long long sent, received, dropped;
	long long rxq_ovfl;  /* the last SO_RXQ_OVFL count delivered, -1: not available */
	double seconds;
	char readback[SOCKOPT_TEXT_MAX];
	char error[SOCKOPT_TEXT_MAX];
};

/* The receiving end, in shared memory: reads every datagram one recvmsg at a time, as most programs do. */
struct udp_sink {
	int fd;
	size_t size;
	atomic_bool stop;
	atomic_llong received;
	long long rxq_ovfl;
};

/* The SO_RXQ_OVFL count carried by MSG's control data, or -1. */
static long long rxq_ovfl(struct msghdr *msg)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
			uint32_t v;

			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v;
		}
	return -1;
}

static void udp_drain(void *arg)
{
	struct udp_sink *k = arg;
	char *buf = malloc(k->size), control[CMSG_SPACE(sizeof(uint32_t))];
	struct pollfd p = { .fd = k->fd, .events = POLLIN };

	while (buf) {
		struct iovec iov = { buf, k->size };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
				      .msg_controllen = sizeof(control) };
		long long ovfl;

		if (recvmsg(k->fd, &msg, MSG_DONTWAIT) >= 0) {
			atomic_fetch_add(&k->received, 1);
			if ((ovfl = rxq_ovfl(&msg)) >= 0)
				k->rxq_ovfl = ovfl;
			continue;
		}
		/* Empty: wait; once the sender is done, a quiet 50 ms means everything is read. */
		if (poll(&p, 1, 50) == 0 && atomic_load(&k->stop))
			break;
	}
	free(buf);
}

/* Sleep until the receiver stops taking datagrams (its queue is empty), at most 200 ms. */
static void wait_drained(struct udp_sink *k)
{
	struct timespec ms = { 0, 1000000 };
	long long before;

	for (int i = 0; i < 200; i++) {
		before = atomic_load(&k->received);
		nanosleep(&ms, NULL);
		if (atomic_load(&k->received) == before)
			return;
	}
}

/* Send datagrams on FD for DURATION: in bursts of BURST with a drain between, or nonstop (0). */
static int udp_send(int fd, struct udp_result *r, struct udp_sink *k, size_t size, long burst,
		    double duration)
{
	char *buf = calloc(1, size);
	struct mmsghdr msgs[BATCH];
	struct iovec iov = { buf, size };
	uint64_t start = now_ns(), end = start + (uint64_t)(duration * 1e9), t;
	struct progress p = { "udp", r->buf.label, duration, start, start };
	long in_burst = 0;

	if (!buf)
		return -ENOMEM;
	for (int i = 0; i < BATCH; i++)
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 } };
	while ((t = now_ns()) < end) {
		int want = burst > 0 && burst - in_burst < BATCH ? (int)(burst - in_burst) : BATCH;
		int n = sendmmsg(fd, msgs, (unsigned)want, 0);

		if (n < 0 && errno != EINTR && errno != ENOBUFS)
			break;
		r->sent += n > 0 ? n : 0;
		in_burst += n > 0 ? n : 0;
		if (burst > 0 && in_burst >= burst) {
			wait_drained(k);
			in_burst = 0;
		}
		progress(&p, t);
	}
	r->seconds = (double)(t - start) / 1e9;
	free(buf);
	return t < end ? -errno : 0;
}

/* The receiver's drops as the kernel counts them (SK_MEMINFO_DROPS through sock_diag). */
static long long drops_of(int port)
{
	struct diag_filter f = { IPPROTO_UDP, 0, port, -1 };
	struct diag_count c;

	return diag_count(&f, &c) == 0 ? c.drops : -1;
}

static int udp_run(struct udp_result *r, size_t size, long burst, double duration)
{
	struct bench_side rx = { 0 }, tx = { 0 };
	struct udp_sink *sink = peer_shared(sizeof(*sink));
	struct sockopt_diag diag = { 0 };
	char spec[64] = "";
	int fd = -1, pid = -1, port, err = sink ? 0 : -ENOMEM;

	if (r->buf.bytes)
		snprintf(spec, sizeof(spec), "SO_RCVBUF=%ld", r->buf.bytes);
	if (err == 0)
		err = side_init(&rx, spec, &diag);
	if (err == 0)
		err = sink->fd = side_listen(&rx, SOCK_DGRAM, &port, &diag);
	if (err >= 0) {
		snprintf(r->readback, sizeof(r->readback), "%s", rx.readback);
		opt_get_int(sink->fd, "SO_RCVBUF", &r->rcvbuf, NULL);
		/* The drop counter in every datagram's control data. */
		sink->rxq_ovfl = opt_set(sink->fd, "SO_RXQ_OVFL", "on", NULL, NULL) == 0 ? 0 : -1;
		sink->size = size;
		pid = err = peer_start(udp_drain, sink);
	}
	if (err >= 0)
		err = fd = side_dial(&tx, SOCK_DGRAM, port, &diag);
	if (err >= 0) {
		err = udp_send(fd, r, sink, size, burst, duration);
		if (err < 0)
			snprintf(diag.text, sizeof(diag.text), "send: %s.", strerror(-err));
	}
	if (pid >= 0) {
		atomic_store(&sink->stop, true);
		peer_wait(pid);
		r->received = atomic_load(&sink->received);
		r->rxq_ovfl = sink->rxq_ovfl;
		r->dropped = drops_of(port);
	}
	if (err < 0)
		snprintf(r->error, sizeof(r->error), "%s", diag.text[0] ? diag.text : strerror(-err));
	if (fd >= 0)
		close(fd);
	if (sink && sink->fd > 0)
		close(sink->fd);
	side_free(&rx);
	peer_shared_free(sink, sizeof(*sink));
	return err < 0 ? err : 0;
}

static double loss_pct(const struct udp_result *r)
{
	return r->sent > 0 ? 100.0 * (double)(r->sent - r->received) / (double)r->sent : 0;
}

static void udp_print(const struct udp_result *r, size_t n, size_t size, long burst,
		      double duration)
{
	char rcvbuf[16];

	print_mode_start("udp", duration, "size", (long long)size);
	print_int(PRINT_JSON, "burst", NULL, burst);
	if (burst > 0)
		print_text("%zu-byte datagrams on 127.0.0.1 in bursts of %ld, each drained before "
			   "the next, %.1f s per size\n\n",
			   size, burst, duration);
	else
		print_text("%zu-byte datagrams on 127.0.0.1 sent nonstop, %.1f s per size\n\n", size,
			   duration);
	print_text("%-9s %9s %10s %10s %10s %8s\n", "REQUESTED", "RCVBUF", "SENT", "RECEIVED",
		   "DROPPED", "LOSS %");
	print_open_array("buffers");
	for (size_t i = 0; i < n; i++) {
		format_size(r[i].rcvbuf, rcvbuf, sizeof(rcvbuf));
		print_open_object(NULL);
		print_string(PRINT_ANY, "label", "%-9s ", r[i].buf.label);
		print_int(PRINT_JSON, "requested", NULL, r[i].buf.bytes);
		print_int(PRINT_JSON, "rcvbuf", NULL, r[i].rcvbuf);
		print_text("%9s ", rcvbuf);
		print_int(PRINT_ANY, "sent", "%10lld ", r[i].sent);
		print_int(PRINT_ANY, "received", "%10lld ", r[i].received);
		print_int(PRINT_ANY, "dropped", "%10lld ", r[i].dropped);
		print_double(PRINT_ANY, "loss_pct", "%8.2f\n", loss_pct(&r[i]));
		print_int(PRINT_JSON, "rxq_ovfl", NULL, r[i].rxq_ovfl);
		print_double(PRINT_JSON, "seconds", NULL, r[i].seconds);
		print_string(PRINT_JSON, "readback", NULL, r[i].readback);
		print_result_end(r[i].error);
	}
	print_close_array();
	print_text("\nDROPPED is the socket's drop counter (sock_diag SK_MEMINFO_DROPS, the "
		   "count SO_RXQ_OVFL reports): datagrams that found the receive buffer full.\n");
	for (size_t i = 0; i < n; i++)
		if (r[i].readback[0] || r[i].error[0])
			print_text("%-9s %s%s\n", r[i].buf.label, r[i].readback, r[i].error);
	print_close_object();
}

/* Loss against the buffer size asked for, with the default as a dashed line. */
static int udp_plot(const char *path, const struct udp_result *r, size_t n, size_t size,
		    long burst)
{
	long bytes[MAX_BUFFERS];
	double loss[MAX_BUFFERS];
	char reflabel[80] = "", subtitle[160];
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		if (r[i].error[0])
			continue;
		bytes[m] = r[i].buf.bytes;
		loss[m++] = loss_pct(&r[i]);
		if (r[i].buf.bytes == 0)
			snprintf(reflabel, sizeof(reflabel), "default SO_RCVBUF (%d): %.1f%% lost",
				 r[i].rcvbuf, loss_pct(&r[i]));
	}
	if (burst > 0)
		snprintf(subtitle, sizeof(subtitle),
			 "%zu-byte datagrams on 127.0.0.1 in bursts of %ld; the receiver reads "
			 "one datagram per recvmsg",
			 size, burst);
	else
		snprintf(subtitle, sizeof(subtitle),
			 "%zu-byte datagrams on 127.0.0.1 sent nonstop; the receiver reads one "
			 "datagram per recvmsg",
			 size);
	return svg_write_buffers(path,
				 (struct svg_xy){
					 .title = "UDP loss against receive buffer size",
					 .subtitle = subtitle,
					 .y = { "datagrams lost (%)", 0, 100, false, NULL, 0,
						svg_format_percent },
				 },
				 "requested SO_RCVBUF (the kernel stores twice this)", "loss", bytes,
				 loss, m, reflabel);
}

int bench_udp(const struct bench_args *a)
{
	struct udp_result r[MAX_BUFFERS];
	size_t size = a->size > 0 ? (size_t)a->size : DEFAULT_SIZE;
	struct buffer_size b[MAX_BUFFERS];
	size_t n = buffer_list(a->buffers ? a->buffers : DEFAULT_BUFFERS, b, MAX_BUFFERS);
	long burst = a->burst >= 0 ? a->burst : DEFAULT_BURST;
	int status = EXIT_OK, err;

	if (size > 65507)
		return fail(EXIT_USAGE, "A UDP datagram on IPv4 carries at most 65507 bytes, not %zu.",
			    size);
	memset(r, 0, sizeof(r));
	for (size_t i = 0; i < n; i++) {
		r[i].buf = b[i];
		if (udp_run(&r[i], size, burst, a->duration) < 0)
			status = EXIT_FAILED;
	}
	progress_clear();
	print_start(a->json);
	udp_print(r, n, size, burst, a->duration);
	print_end();
	if (a->plot && (err = udp_plot(a->plot, r, n, size, burst)) < 0)
		status = plot_failed(a->plot, err);
	return status;
}
