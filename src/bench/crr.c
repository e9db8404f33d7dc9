/* crr.c: `sockopt bench crr`: connect/request/response/close rate, who closes first, and the TIME_WAIT left behind. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "msg.h"
#include "print.h"
#include "labnet.h"
#include "sockdiag.h"
#include "bench.h"
#include "svg.h"

/* How a connection ends: who closes first, and how. */
enum crr_close { SERVER_FIRST, CLIENT_FIRST, CLIENT_ABORT, SERVER_ABORT };

struct crr_variant {
	const char *name;
	const char *listen_opts; /* the listener's spec */
	enum crr_close close;
	const char *why;
};

static const struct crr_variant variants[] = {
	{ "server-close", "SO_REUSEADDR=off", SERVER_FIRST,
	  "The server closes first, so the server's end of every connection waits in TIME_WAIT "
	  "on the listening port; restarting the server on that port needs SO_REUSEADDR." },
	{ "server-close-reuse", "SO_REUSEADDR=on", SERVER_FIRST,
	  "The same with SO_REUSEADDR on the listener: its TIME_WAIT sockets no longer block a "
	  "new listener with SO_REUSEADDR on the same port." },
	{ "client-close", "SO_REUSEADDR=off", CLIENT_FIRST,
	  "The client closes first, so TIME_WAIT lands on the client and holds an ephemeral port "
	  "per connection; on loopback tcp_tw_reuse=2 lets connect reuse ports after "
	  "tcp_tw_reuse_delay." },
	{ "client-abort", "SO_REUSEADDR=off", CLIENT_ABORT,
	  "The client closes with SO_LINGER 0: an RST instead of a FIN, so no side keeps a "
	  "TIME_WAIT socket." },
	{ "server-abort", "SO_REUSEADDR=off", SERVER_ABORT,
	  "The server closes with SO_LINGER 0 right after its response: RST, no TIME_WAIT on "
	  "either side." },
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

/* What one variant measured. */
struct crr_result {
	const struct crr_variant *v;
	long ok, failed, addrnotavail;
	double elapsed;
	long tw_client, tw_server; /* TIME_WAIT sockets this variant left on its port */
	long tw_client_before, tw_server_before; /* left on the same port number by earlier runs */
	int rebind_off, rebind_on; /* restarting a listener on the port: 0 or -errno */
	bool tw_full;		   /* the namespace's TIME_WAIT table was full afterwards */
	char error[SOCKOPT_TEXT_MAX];
};

/* The answering side, in shared memory: accept, read the request, answer, end the connection its way. */
struct crr_server {
	int listener;
	size_t size;
	enum crr_close close;
	atomic_bool stop;
};

/* Wait for the peer's FIN (or RST), so the other side is the one closing first. */
static void wait_peer_close(int fd)
{
	char c;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, 1000) > 0 && recv(fd, &c, 1, 0) > 0)
		;
}

/* Close FD abortively: SO_LINGER {on, 0} makes close send RST and skip TIME_WAIT. */
static void abort_close(int fd)
{
	sockopt_close_abortive(fd, NULL, NULL);
}

static void crr_answer(struct crr_server *s, int fd, char *buf)
{
	if (recv_all(fd, buf, s->size) == 0 && send_all(fd, buf, s->size) == 0) {
		if (s->close == SERVER_ABORT) {
			abort_close(fd);
			return;
		}
		if (s->close != SERVER_FIRST)
			wait_peer_close(fd);
	}
	close(fd);
}

static void crr_serve(void *arg)
{
	struct crr_server *s = arg;
	struct pollfd p = { .fd = s->listener, .events = POLLIN };
	struct bench_side plain = { 0 };
	char *buf = malloc(s->size);

	while (buf && !atomic_load(&s->stop)) {
		int fd;

		if (poll(&p, 1, 50) <= 0)
			continue;
		fd = side_accept(&plain, s->listener, NULL);
		if (fd >= 0)
			crr_answer(s, fd, buf);
	}
	free(buf);
}

/* One client transaction; a negative errno when it failed. */
static int crr_transaction(struct bench_side *side, int port, const struct crr_variant *v,
			   char *buf, size_t size, struct sockopt_diag *diag)
{
	int fd = side_dial(side, SOCK_STREAM, port, diag), err;

	if (fd < 0)
		return fd;
	err = send_all(fd, buf, size);
	if (err == 0)
		err = recv_all(fd, buf, size);
	if (err < 0)
		snprintf(diag->text, sizeof(diag->text), "request/response: %s.", strerror(-err));
	if (err == 0 && v->close == CLIENT_ABORT) {
		abort_close(fd);
		return 0;
	}
	if (v->close == SERVER_FIRST)
		wait_peer_close(fd);
	close(fd);
	return err;
}

/* Transactions until the time or count runs out, counting failures by kind. */
static void crr_loop(struct crr_result *r, int port, size_t size, const struct bench_args *a)
{
	struct bench_side side = { 0 };
	struct sockopt_diag diag = { 0 };
	char *buf = calloc(1, size);
	uint64_t start = now_ns(), end = start + (uint64_t)(a->duration * 1e9), t = start;
	struct progress p = { "crr", r->v->name, a->duration, start, start };

	while (buf && t < end && (a->count == 0 || r->ok + r->failed < a->count)) {
		int err = crr_transaction(&side, port, r->v, buf, size, &diag);

		if (err == 0)
			r->ok++;
		else if (err == -EADDRNOTAVAIL)
			r->addrnotavail++;
		else if (r->failed++ == 0)
			snprintf(r->error, sizeof(r->error), "%s", diag.text);
		t = now_ns();
		progress(&p, t);
	}
	r->elapsed = (double)(t - start) / 1e9;
	free(buf);
}

/* Try to start a new listener on PORT with SO_REUSEADDR as REUSE: 0 or -errno. */
static int try_rebind(int port, const char *reuse)
{
	int fd = labnet_socket("127.0.0.1", SOCK_STREAM), err;

	if (fd < 0)
		return fd;
	err = opt_set(fd, "SO_REUSEADDR", reuse, NULL, NULL);
	if (err == 0)
		err = labnet_listen(fd, "127.0.0.1", port);
	close(fd);
	return err < 0 ? err : 0;
}

/* The TIME_WAIT sockets whose local (server) or remote (client) port is PORT, per side. */
static void count_time_wait(int port, long *client, long *server)
{
	struct diag_filter s = { IPPROTO_TCP, 1u << TCP_TIME_WAIT, port, -1 };
	struct diag_filter c = { IPPROTO_TCP, 1u << TCP_TIME_WAIT, -1, port };
	struct diag_count n;

	*server = diag_count(&s, &n) == 0 ? n.sockets : -1;
	*client = diag_count(&c, &n) == 0 ? n.sockets : -1;
}

/*
 * Whether the namespace holds tcp_max_tw_buckets TIME_WAIT sockets: then the
 * kernel destroys each new one at once and the counts above say nothing.
 */
static bool time_wait_table_full(void)
{
	struct diag_filter all = { IPPROTO_TCP, 1u << TCP_TIME_WAIT, -1, -1 };
	struct diag_count n;
	long long max = sysctl_or("net.ipv4.tcp_max_tw_buckets");

	return max >= 0 && diag_count(&all, &n) == 0 && n.sockets >= max;
}

static int crr_run(struct crr_result *r, const struct bench_args *a, size_t size)
{
	struct crr_server *srv = peer_shared(sizeof(*srv));
	struct bench_side side = { 0 };
	struct sockopt_diag diag = { 0 };
	int port, pid = -1, err = srv ? 0 : -ENOMEM;

	if (err == 0)
		err = side_init(&side, r->v->listen_opts, &diag);
	if (err == 0)
		err = srv->listener = side_listen(&side, SOCK_STREAM, &port, &diag);
	side_free(&side);
	if (err >= 0) {
		srv->size = size;
		srv->close = r->v->close;
		pid = err = peer_start(crr_serve, srv);
	}
	if (err >= 0) {
		/*
		 * An earlier run's clients may still hold TIME_WAIT sockets towards
		 * this port number (their remote port), so count those first.
		 */
		count_time_wait(port, &r->tw_client_before, &r->tw_server_before);
		crr_loop(r, port, size, a);
		atomic_store(&srv->stop, true);
		peer_wait(pid);
		count_time_wait(port, &r->tw_client, &r->tw_server);
		r->tw_full = time_wait_table_full();
		r->tw_client = r->tw_client > r->tw_client_before ? r->tw_client - r->tw_client_before : 0;
		r->tw_server = r->tw_server > r->tw_server_before ? r->tw_server - r->tw_server_before : 0;
		close(srv->listener);
		r->rebind_off = try_rebind(port, "off");
		r->rebind_on = try_rebind(port, "on");
	} else {
		snprintf(r->error, sizeof(r->error), "%s", diag.text[0] ? diag.text : strerror(-err));
		if (srv && srv->listener > 0)
			close(srv->listener);
	}
	peer_shared_free(srv, sizeof(*srv));
	return err < 0 ? err : r->failed ? -EIO : 0;
}

static const char *result_name(int err)
{
	const char *name = err ? strerrorname_np(-err) : "ok";

	return name ? name : "error";
}

static void crr_print_kernel(int netns)
{
	char range[64] = "";

	sockopt_sysctl_read("net.ipv4.ip_local_port_range", range, sizeof(range), NULL);
	print_open_object("kernel");
	print_int(PRINT_JSON, "tcp_tw_reuse", NULL, sysctl_or("net.ipv4.tcp_tw_reuse"));
	print_int(PRINT_JSON, "tcp_tw_reuse_delay_ms", NULL,
		  sysctl_or("net.ipv4.tcp_tw_reuse_delay"));
	print_int(PRINT_JSON, "tcp_max_tw_buckets", NULL, sysctl_or("net.ipv4.tcp_max_tw_buckets"));
	print_string(PRINT_JSON, "ip_local_port_range", NULL, range);
	print_close_object();
	print_string(PRINT_JSON, "namespace", NULL, netns == 0 ? "private" : "host");
	if (netns == 0)
		print_text("in a private network namespace, which takes its TIME_WAIT sockets "
			   "with it when the bench exits\n");
	else
		print_text("in the host's network namespace (a private one needs CAP_SYS_ADMIN: "
			   "%s); its TIME_WAIT sockets stay for 60 s\n",
			   strerror(-netns));
	print_text("net.ipv4: tcp_tw_reuse = %lld, tcp_tw_reuse_delay = %lld ms, "
		   "tcp_max_tw_buckets = %lld, ip_local_port_range = %s\n\n",
		   sysctl_or("net.ipv4.tcp_tw_reuse"), sysctl_or("net.ipv4.tcp_tw_reuse_delay"),
		   sysctl_or("net.ipv4.tcp_max_tw_buckets"), range);
}

static void crr_print(const struct crr_result *r, size_t n, size_t size, double duration,
		      int netns)
{
	print_mode_start("crr", duration, "size", (long long)size);
	print_text("connect, %zu-byte request and response, close, on 127.0.0.1, %.1f s per "
		   "variant; TIME_WAIT counted through sock_diag right after\n",
		   size, duration);
	crr_print_kernel(netns);
	print_text("%-19s %8s %9s %9s %13s %6s  %s\n", "VARIANT", "TRANS/S", "TW-CLIENT",
		   "TW-SERVER", "EADDRNOTAVAIL", "FAILED", "REBIND REUSEADDR off/on");
	print_open_array("variants");
	for (size_t i = 0; i < n; i++) {
		print_open_object(NULL);
		print_string(PRINT_ANY, "name", "%-19s ", r[i].v->name);
		print_string(PRINT_JSON, "listener_options", NULL, r[i].v->listen_opts);
		print_double(PRINT_ANY, "transactions_per_s", "%8.0f ",
			     r[i].elapsed > 0 ? (double)r[i].ok / r[i].elapsed : 0);
		print_int(PRINT_ANY, "time_wait_client", "%9lld ", r[i].tw_client);
		print_int(PRINT_ANY, "time_wait_server", "%9lld ", r[i].tw_server);
		print_int(PRINT_ANY, "eaddrnotavail", "%13lld ", r[i].addrnotavail);
		print_int(PRINT_ANY, "failed", "%6lld  ", r[i].failed);
		print_string(PRINT_ANY, "rebind_reuseaddr_off", "%s/", result_name(r[i].rebind_off));
		print_string(PRINT_ANY, "rebind_reuseaddr_on", "%s\n", result_name(r[i].rebind_on));
		print_bool(PRINT_JSON, "time_wait_table_full", NULL, r[i].tw_full);
		print_int(PRINT_JSON, "time_wait_client_before", NULL, r[i].tw_client_before);
		print_int(PRINT_JSON, "time_wait_server_before", NULL, r[i].tw_server_before);
		print_int(PRINT_JSON, "transactions", NULL, r[i].ok);
		print_double(PRINT_JSON, "elapsed_s", NULL, r[i].elapsed);
		print_string(PRINT_JSON, "explanation", NULL, r[i].v->why);
		print_result_end(r[i].error);
	}
	print_close_array();
	print_text("\n");
	for (size_t i = 0; i < n; i++)
		print_text("%-19s %s%s%s%s\n", r[i].v->name, r[i].v->why,
			   r[i].tw_full ? " The TIME_WAIT table was full (tcp_max_tw_buckets), so "
					  "the kernel dropped new TIME_WAIT sockets at once." : "",
			   r[i].error[0] ? " First failure: " : "", r[i].error);
	print_close_object();
}

/* Two panels of bars: the rate, and the TIME_WAIT sockets each side kept. */
static int crr_plot(const char *path, const struct crr_result *r, size_t n, double duration)
{
	static const char *const rate[] = { "transactions/s" };
	static const char *const sides[] = { "client", "server" };
	const char *names[NVARIANTS];
	double tps[NVARIANTS], tw[2 * NVARIANTS];
	char subtitle[160];

	for (size_t i = 0; i < n; i++) {
		names[i] = r[i].v->name;
		tps[i] = r[i].elapsed > 0 ? (double)r[i].ok / r[i].elapsed : 0;
		tw[2 * i] = (double)r[i].tw_client;
		tw[2 * i + 1] = (double)r[i].tw_server;
	}
	snprintf(subtitle, sizeof(subtitle),
		 "connect, request, response, close on 127.0.0.1 for %.1f s per variant; "
		 "TIME_WAIT counted right after",
		 duration);
	return svg_write_bars(path, &(struct svg_bars){
					    .title = "Connection rate and TIME_WAIT by close order",
					    .subtitle = subtitle,
					    .categories = names,
					    .ncategories = n,
					    .panels = (struct svg_panel[]){
						    { "transactions per second", rate, 1, tps, svg_format_count },
						    { "TIME_WAIT sockets left", sides, 2, tw, svg_format_count },
					    },
					    .npanels = 2,
				    });
}

int bench_crr(const struct bench_args *a)
{
	struct crr_result r[NVARIANTS];
	size_t n = 0, size = a->size > 0 ? (size_t)a->size : 64;
	int status = EXIT_OK, err, netns;

	/*
	 * Tens of thousands of TIME_WAIT sockets would fill the machine's table
	 * (tcp_max_tw_buckets) and hold ports for 60 s; a namespace of our own
	 * keeps them away from everyone else and ends with the bench.
	 */
	netns = labnet_netns_enter();
	memset(r, 0, sizeof(r));
	for (size_t i = 0; i < NVARIANTS; i++) {
		if (!list_has(a->variants, variants[i].name))
			continue;
		r[n].v = &variants[i];
		if (crr_run(&r[n++], a, size) < 0)
			status = EXIT_FAILED;
	}
	progress_clear();
	if (n == 0)
		return fail(EXIT_USAGE, "No crr variant is named in \"%s\"; the variants are "
					"server-close, server-close-reuse, client-close, client-abort "
					"and server-abort.",
			    arg_short(a->variants));
	print_start(a->json);
	crr_print(r, n, size, a->duration, netns);
	print_end();
	if (a->plot && (err = crr_plot(a->plot, r, n, a->duration)) < 0)
		status = plot_failed(a->plot, err);
	return status;
}
