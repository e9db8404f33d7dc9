/* pkgconfig-demo.c: dial with options from a spec, send a line, close gracefully; built against the installed libsockopt. */
/*
 * Build:  cc pkgconfig-demo.c $(pkg-config --cflags --libs sockopt)
 * Run:    ./a.out 127.0.0.1 8080 nodelay=on,sndbuf=64K
 * It prints one sentence per option (what the kernel stored and why), then
 * what the graceful close saw: whether the peer closed its side before the
 * deadline, and how many bytes of its reply were drained.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sockopt.h>

static void report(int fd, const struct sockopt_apply_result *r, void *ctx)
{
	(void)fd, (void)ctx;
	printf("%s\n", r->text);
}

int main(int argc, char **argv)
{
	struct sockopt_dial_config cfg = { .timeout_ms = 2000, .report = report };
	struct sockopt_close_result res;
	struct sockopt_diag diag;
	sockopt_spec *spec;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: pkgconfig-demo HOST PORT SPEC\n");
		return 2;
	}
	if (sockopt_spec_parse(argv[3], &spec, &diag) < 0) {
		fprintf(stderr, "%s\n", diag.text);
		return 2;
	}
	cfg.spec = spec;
	fd = sockopt_dial(argv[1], argv[2], &cfg, &diag);
	sockopt_spec_free(spec);
	if (fd < 0) {
		fprintf(stderr, "%s\n", diag.text);
		return 1;
	}
	if (write(fd, "hello\n", 6) != 6)
		perror("write");
	if (sockopt_close_graceful(fd, 2000, &res, &diag) < 0) {
		fprintf(stderr, "%s\n", diag.text);
		return 1;
	}
	printf("%s\npeer_closed=%d unread=%lld\n", res.text, res.peer_closed, res.unread);
	return 0;
}
