/* golang.c: Go's socket API as the Go blog post uses it, run as a real Go program built at lab time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"

/* Where the Go source is: the build tree's src/lab/go (mk/lab.mk defines it). */
#ifndef LAB_GO_DIR
#define LAB_GO_DIR "src/lab/go"
#endif

/* Record one "name=value" line of the Go program: a number when it is one, else a word. */
static void record_line(struct lab_result *r, char *line)
{
	char *eq = strchr(line, '='), *end;
	long long v;

	if (!eq)
		return;
	*eq = '\0';
	line[strcspn(line, "\n")] = '\0';
	eq[1 + strcspn(eq + 1, "\n")] = '\0';
	errno = 0;
	v = strtoll(eq + 1, &end, 10);
	if (eq[1] && !*end && !errno)
		lab_int(r, line, v);
	else
		lab_str(r, line, eq + 1);
}

/* Run BIN and record its fields; false when it did not run. */
static bool run_program(struct lab_result *r, const char *bin)
{
	char line[256];
	FILE *p = popen(bin, "re");
	int status;

	if (!p)
		return false;
	while (fgets(line, sizeof(line), p))
		record_line(r, line);
	status = pclose(p);
	return status == 0;
}

/* What a C program gets for setsockopt(SO_SNDBUF, BYTES) on a UDP socket, as field NAME. */
static void c_sndbuf(struct lab_result *r, const char *name, const char *bytes)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), v;

	if (fd < 0)
		return;
	if (lab_set(fd, "SO_SNDBUF", bytes) == 0 && lab_get_int(fd, "SO_SNDBUF", &v) == 0)
		lab_int(r, name, v);
	close(fd);
}

/*
 * Build sockapi.go with Debian's go into a private directory (HOME and
 * GOCACHE there too, so nothing outside it is touched), run it, and
 * remove the directory.
 */
static void run_go_api(struct lab_result *r)
{
	char dir[] = "/tmp/sockopt-lab-go-XXXXXX", bin[64], cache[64];
	const char *src = LAB_GO_DIR "/sockapi.go";
	int built;

	if (!labnet_have("go"))
		return (void)lab_skip(r, "the go command is not installed (Debian: apt-get install golang-go)");
	if (access(src, R_OK) < 0)
		return (void)lab_skip(r, "the Go source %s is not there (run the lab from the build tree)", src);
	if (!mkdtemp(dir))
		return (void)lab_skip(r, "no temporary directory (%s)", strerrorname_np(errno));
	snprintf(bin, sizeof(bin), "%s/sockapi", dir);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	setenv("HOME", dir, 1);
	setenv("GOCACHE", cache, 1);
	setenv("GO111MODULE", "off", 1);
	setenv("CGO_ENABLED", "0", 1);
	built = labnet_spawn((const char *const[]){ "go", "build", "-o", bin, src, NULL }, NULL);
	if (built != 0)
		lab_skip(r, "go build %s failed (exit %d)", src, built);
	else if (!run_program(r, bin))
		lab_skip(r, "the Go program %s failed", bin);
	labnet_spawn((const char *const[]){ "rm", "-rf", dir, NULL }, NULL);
	c_sndbuf(r, "c_sndbuf_bytes", "4194304");
	c_sndbuf(r, "c_sndbuf_64m_bytes", "67108864");
	lab_observe(r, "SetWriteBuffer(4 MiB) returned %s and the socket then held %lld bytes (C's "
		       "setsockopt(SO_SNDBUF, 4 MiB): %lld); SetWriteBuffer(64 MiB) returned %s and it held "
		       "%lld; SetReadBuffer(4 MiB) returned %s, SO_RCVBUF %lld. Dialer.Control ran with "
		       "getpeername %s; the connection's IP_TTL %lld, IP_TOS %lld.",
		    lab_word(r, "setwritebuffer_err"), lab_num(r, "sndbuf_after_bytes"),
		    lab_num(r, "c_sndbuf_bytes"), lab_word(r, "setwritebuffer_64m_err"),
		    lab_num(r, "sndbuf_64m_after_bytes"), lab_word(r, "setreadbuffer_err"),
		    lab_num(r, "rcvbuf_after_bytes"), lab_word(r, "control_getpeername"),
		    lab_num(r, "conn_ttl"), lab_num(r, "conn_tos"));
}

const struct lab_experiment lab_golang[] = {
	{ .id = "go-socket-api", .title = "Go's SetWriteBuffer, SetReadBuffer and Dialer.Control, run in Go",
	  .options = "SO_SNDBUF SO_RCVBUF IP_TTL IP_TOS",
	  .method = "Build src/lab/go/sockapi.go with go build (GOCACHE in a temporary directory) and "
		    "run it: on a UDP conn SetWriteBuffer(4 MiB), SetWriteBuffer(64 MiB), "
		    "SetReadBuffer(4 MiB), each read back with getsockopt through SyscallConn; a "
		    "net.Dialer whose Control sets IP_TTL 33 and IP_TOS 0x10 and calls getpeername, "
		    "then the connection's IP_TTL and IP_TOS. Beside it C's setsockopt(SO_SNDBUF) with "
		    "the same sizes.",
	  .shows = "sndbuf_after_bytes", .run = run_go_api },
};
const size_t lab_golang_count = LAB_ARRAY_SIZE(lab_golang);

static const struct lab_check doc_comment_parts[] = {
	{ "setwritebuffer_err", LAB_EQ, .str = "OK", .says = "SetWriteBuffer(4 MiB) succeeds" },
	{ "sndbuf_after_bytes", LAB_EQ, .other = "sndbuf_requested_bytes", .says = "the operating system's transmit buffer is then the size given (4 MiB)" },
};
static const struct lab_check is_sndbuf_parts[] = {
	{ "sndbuf_after_bytes", LAB_EQ, .other = "c_sndbuf_bytes", .says = "SetWriteBuffer(4 MiB) leaves what setsockopt(SO_SNDBUF, 4 MiB) leaves" },
	{ "sndbuf_64m_after_bytes", LAB_EQ, .other = "c_sndbuf_64m_bytes", .says = "and so does SetWriteBuffer(64 MiB)" },
};
static const struct lab_check err_check_parts[] = {
	{ "setwritebuffer_64m_err", LAB_NE, .str = "OK", .says = "a size the kernel does not grant (64 MiB, above net.core.wmem_max) makes SetWriteBuffer return an error" },
};
static const struct lab_check control_parts[] = {
	{ "control_dial", LAB_EQ, .str = "OK", .says = "the Dialer with Control connects" },
	{ "control_getpeername", LAB_EQ, .str = "ENOTCONN", .says = "Control runs on the descriptor before it is connected" },
	{ "conn_ttl", LAB_EQ, 33, .says = "the TTL set in Control is the connection's" },
	{ "conn_tos", LAB_EQ, 16, .says = "the TOS set in Control is the connection's" },
};

const struct lab_claim lab_golang_claims[] = {
	{ "go-blog-setwritebuffer-size", "go-socket-api", "go-blog", 18, 19,
	  "Go's SetWriteBuffer sets the size of the operating system's transmit buffer associated with the connection.",
	  LAB_CHECKS(doc_comment_parts) },
	{ "go-blog-setwritebuffer-sndbuf", "go-socket-api", "go-blog", 26, 29,
	  "SetWriteBuffer ends in setsockopt(SOL_SOCKET, SO_SNDBUF, bytes): it configures the system's SO_SNDBUF option.",
	  LAB_CHECKS(is_sndbuf_parts) },
	{ "go-blog-setwritebuffer-error", "go-socket-api", "go-blog", 52, 54,
	  "The post calls udpconn.SetWriteBuffer(4 * 1024 * 1024) and reports a failure when it returns an error.",
	  LAB_CHECKS(err_check_parts) },
	{ "go-blog-dialer-control", "go-socket-api", "go-blog", 37, 44,
	  "A net.Dialer's Control function gets the raw descriptor before the dial, and TTL and TOS set there apply to the connection Dial returns.",
	  LAB_CHECKS(control_parts) },
};
const size_t lab_golang_claims_count = LAB_ARRAY_SIZE(lab_golang_claims);
