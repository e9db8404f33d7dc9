/* cmd_export.c: `sockopt export`: the sockets as Prometheus metrics, on stdout, in a textfile, or served over HTTP. */
#include <dlfcn.h>
#include <errno.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../policy/metrics.h"
#include "cli.h"
#include "show.h"

/* What every scrape reads: the policy (or NULL) and the processes (none: every process). */
struct source {
	const struct policy *policy;
	policy_backend_fn backend;
	const pid_t *pids;
	size_t npids;
};

/* One scrape into a new string *TEXT of *LEN bytes; the exit code it deserves, said on stderr. */
static int scrape(const struct source *src, char **text, size_t *len)
{
	struct metrics_result res;
	struct sockopt_diag diag;
	FILE *f = open_memstream(text, len);
	int r;

	if (!f)
		return fail(EXIT_FAILED, "Out of memory.");
	r = metrics_scrape(src->policy, src->backend, src->pids, src->npids, f, &res, &diag);
	fclose(f);
	if (r < 0)
		return fail(EXIT_FAILED, "%s", diag.text);
	if (res.failed_processes + res.failed_sockets)
		return fail(EXIT_FAILED,
			    "%zu process%s and %zu socket%s could not be read (counted in "
			    "sockopt_unreadable_*); the first: %s",
			    res.failed_processes, res.failed_processes == 1 ? "" : "es",
			    res.failed_sockets, res.failed_sockets == 1 ? "" : "s", res.first_failure);
	return EXIT_OK;
}

/* Write TEXT to PATH atomically: a temporary file in the same folder, then rename(2). */
static int write_textfile(const char *path, const char *text, size_t len)
{
	char tmp[4096];
	FILE *f;
	int err = 0;

	/* node_exporter reads only *.prom, so the temporary name is never read half-written. */
	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof(tmp))
		return fail(EXIT_USAGE, "The textfile path is too long.");
	if (!(f = fopen(tmp, "we")))
		return fail(EXIT_FAILED, "Cannot write %s: %s.", path, strerror(errno));
	if (fwrite(text, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) != 0)
		err = errno ? errno : EIO;
	if (fclose(f) != 0 && !err)
		err = errno;
	if (!err && rename(tmp, path) != 0)
		err = errno;
	if (err) {
		unlink(tmp);
		return fail(EXIT_FAILED, "Cannot write %s: %s.", path, strerror(err));
	}
	return EXIT_OK;
}

/*
 * libmicrohttpd, opened by --listen alone: linked into the command, its
 * chain (gnutls, p11-kit, nettle, gmp …) cost every sockopt run its
 * relocations before main, measured here as 3.7 million instructions and
 * 1.2 ms (an empty program linked with it: 1.88 ms of CPU, without: 0.71).
 */
#define MHD_SONAME "libmicrohttpd.so.12"
#define MHD_FUNCTIONS(X)                                                                        \
	X(MHD_start_daemon)                                                                     \
	X(MHD_stop_daemon)                                                                      \
	X(MHD_get_daemon_info)                                                                  \
	X(MHD_create_response_from_buffer)                                                      \
	X(MHD_add_response_header)                                                              \
	X(MHD_queue_response)                                                                   \
	X(MHD_destroy_response)

static struct {
#define MHD_FIELD(f) __typeof__(&f) f;
	MHD_FUNCTIONS(MHD_FIELD)
#undef MHD_FIELD
} mhd;

/* Open libmicrohttpd into MHD: NULL, or what dlopen or dlsym said. */
static const char *mhd_open(void)
{
	void *lib = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!lib)
		return dlerror();
#define MHD_LOAD(f)                                                                             \
	if (!(*(void **)&mhd.f = dlsym(lib, #f)))                                               \
		return dlerror();
	MHD_FUNCTIONS(MHD_LOAD)
#undef MHD_LOAD
	return NULL;
}

/* The HTTP handler: GET /metrics scrapes; anything else is 404. */
static enum MHD_Result serve(void *cls, struct MHD_Connection *conn, const char *url,
			     const char *method, const char *version, const char *data,
			     size_t *data_size, void **state)
{
	static const char not_found[] = "sockopt export serves /metrics\n";
	const struct source *src = cls;
	struct MHD_Response *resp;
	enum MHD_Result r;
	unsigned status = MHD_HTTP_OK;
	char *text = NULL;
	size_t len = 0;

	(void)version, (void)data, (void)data_size, (void)state;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return MHD_NO;
	if (strcmp(url, "/metrics") == 0) {
		scrape(src, &text, &len); /* partial readings are counted in the metrics themselves */
		resp = mhd.MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
		mhd.MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					"text/plain; version=0.0.4; charset=utf-8");
	} else {
		status = MHD_HTTP_NOT_FOUND;
		resp = mhd.MHD_create_response_from_buffer(sizeof(not_found) - 1, (void *)not_found,
						       MHD_RESPMEM_PERSISTENT);
	}
	if (!resp)
		return MHD_NO;
	r = mhd.MHD_queue_response(conn, status, resp);
	mhd.MHD_destroy_response(resp);
	return r;
}

/* Split "HOST:PORT" or "[V6]:PORT" in place; false when there is no port. */
static bool split_address(char *arg, char **host, char **port)
{
	char *colon = strrchr(arg, ':');

	if (!colon || !colon[1])
		return false;
	*colon = '\0';
	*port = colon + 1;
	*host = arg;
	if (arg[0] == '[' && colon > arg && colon[-1] == ']') {
		colon[-1] = '\0';
		*host = arg + 1;
	}
	return **host != '\0';
}

/* Serve /metrics on ARG ("HOST:PORT") until SIGINT or SIGTERM. */
static int listen_and_serve(const struct source *src, const char *arg)
{
	char address[256];
	struct sockopt_dial_config cfg = { 0 };
	struct sockopt_diag diag;
	struct MHD_Daemon *d;
	sigset_t stop;
	const char *why;
	char *host, *port;
	int fd, sig;

	snprintf(address, sizeof(address), "%s", arg);
	if (!split_address(address, &host, &port))
		return fail(EXIT_USAGE, "--listen takes HOST:PORT, such as 127.0.0.1:9465.");
	/* The workers MHD starts inherit the mask, so the signals reach sigwait below. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	cfg.backlog = 16;
	if ((why = mhd_open()))
		return fail(EXIT_FAILED, "The HTTP server needs libmicrohttpd (%s).", why);
	if ((fd = sockopt_listen(host, port, &cfg, &diag)) < 0)
		return fail(EXIT_FAILED, "%s", diag.text);
	d = mhd.MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, serve, (void *)src,
			     MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
			     MHD_OPTION_END);
	if (!d) {
		close(fd);
		return fail(EXIT_FAILED, "The HTTP server could not start on %s:%s.", host, port);
	}
	printf("sockopt export: serving http://%s%s%s:%u/metrics\n", strchr(host, ':') ? "[" : "",
	       host, strchr(host, ':') ? "]" : "",
	       (unsigned)mhd.MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
	fflush(stdout);
	sigwait(&stop, &sig);
	mhd.MHD_stop_daemon(d); /* closes the listening socket too */
	return EXIT_OK;
}

/* The PID arguments into SRC; false after a sentence on a bad one. */
static bool parse_pids(int argc, char **argv, pid_t *pids, struct source *src)
{
	for (int i = 0; i < argc; i++) {
		char *end;
		long pid = strtol(argv[i], &end, 10);

		if (end == argv[i] || *end || pid <= 0 || pid > 0x3fffffff) {
			fail(EXIT_USAGE, "\"%s\" is not a process id.", arg_short(argv[i]));
			return false;
		}
		pids[i] = (pid_t)pid;
	}
	src->pids = pids;
	src->npids = (size_t)argc;
	return true;
}

/* Run the export the way asked: one scrape to stdout or a textfile, or a server. */
static int export(const struct source *src, const char *textfile, const char *listen)
{
	char *text = NULL;
	size_t len = 0;
	int code, written;

	if (listen)
		return listen_and_serve(src, listen);
	code = scrape(src, &text, &len);
	written = textfile ? write_textfile(textfile, text, len)
			   : (fwrite(text, 1, len, stdout) == len ? EXIT_OK : EXIT_FAILED);
	free(text);
	return written != EXIT_OK ? written : code;
}

/* Keys of the flags without a letter. */
enum { EXPORT_POLICY = SHOW_BACKEND_FLAG + 1, EXPORT_TEXTFILE, EXPORT_LISTEN };

static int cmd_export(int argc, char **argv)
{
	struct source src = { NULL, NULL, NULL, 0 };
	struct policy policy;
	struct sockopt_diag diag;
	const char *policy_path = NULL, *textfile = NULL, *backend_arg = NULL, *listen = NULL;
	bool verbose = false;
	pid_t *pids;
	int c, code;
	struct args a;

	args_start(&a, &export_command, argc, argv);
	while ((c = args_next(&a)) > 0) {
		if (c == SHOW_BACKEND_FLAG)
			backend_arg = a.value;
		else if (c == 'v')
			verbose = true;
		else if (c == EXPORT_POLICY)
			policy_path = a.value;
		else if (c == EXPORT_TEXTFILE)
			textfile = a.value;
		else
			listen = a.value;
	}
	if (c < 0)
		return a.code;
	if (policy_path && policy_load(policy_path, &policy, &diag) < 0)
		return fail(EXIT_USAGE, "%s", diag.text);
	src.policy = policy_path ? &policy : NULL;
	/* Through BPF, a TCP listener is read again through pidfd_getfd: its options are published. */
	if (check_backend(backend_arg, src.policy, true, verbose, &src.backend) < 0) {
		if (policy_path)
			policy_free(&policy);
		return EXIT_USAGE;
	}
	pids = calloc((size_t)a.noperands + 1, sizeof(*pids));
	if (!pids)
		code = fail(EXIT_FAILED, "Out of memory.");
	else if (!parse_pids(a.noperands, a.operands, pids, &src))
		code = EXIT_USAGE;
	else
		code = export(&src, textfile, listen);
	free(pids);
	check_backend_free();
	if (policy_path)
		policy_free(&policy);
	return code;
}

/* --textfile and --listen are two ways out: one at a time. */
enum { EXPORT_GROUP_OUT = 1 };

static const struct flag export_flags[] = {
	{ EXPORT_POLICY, "policy", "FILE", "also count the violations of the policy in FILE per rule",
	  NULL, 0 },
	{ EXPORT_TEXTFILE, "textfile", "FILE",
	  "write one scrape to FILE atomically, for node_exporter's textfile collector", "stdout",
	  EXPORT_GROUP_OUT },
	{ EXPORT_LISTEN, "listen", "HOST:PORT", "serve the metrics on http://HOST:PORT/metrics until "
						"stopped", NULL, EXPORT_GROUP_OUT },
	SHOW_FLAGS_BACKEND,
	{ 0 },
};

const struct command export_command = {
	"export", cmd_export, "[PID…]",
	"the sockets as Prometheus metrics: on stdout, in a textfile, or served on /metrics",
	export_flags, 0, -1, ARGS_FLAGS_ANYWHERE,
	"Without PID, every process this user may read. docs/export.md describes the metrics.",
	{ "sockopt export --policy examples/redis.policy", "sockopt export --listen 127.0.0.1:9477" },
};
