/* server.c: an example server: listen with a spec, greet each client, close gracefully. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <unistd.h>

#include <sockopt.h>

/* Print what happened to each spec entry, as the library reports it. */
static void report(int fd, const struct sockopt_apply_result *r, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "server: fd %d: %s\n", fd, r->text);
}

/* Read one line from FD into BUF (without the newline); its length, or -1. */
static ssize_t read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;

	while (n + 1 < size && read(fd, buf + n, 1) == 1 && buf[n] != '\n')
		n++;
	buf[n] = '\0';
	return n ? (ssize_t)n : -1;
}

/* Greet one accepted client: "hello, NAME", then the graceful close. */
static void serve(int conn)
{
	struct sockopt_close_result res;
	char name[128], reply[160];

	if (read_line(conn, name, sizeof(name)) < 0)
		snprintf(name, sizeof(name), "stranger");
	snprintf(reply, sizeof(reply), "hello, %s\n", name);
	if (write(conn, reply, strlen(reply)) < 0)
		perror("server: write");
	sockopt_close_graceful(conn, 2000, &res, NULL);
	printf("server: %s\n", res.text);
}

/* Say where listener L is, so a script can find the port it picked. */
static void say_listening(int l)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[64] = "?", port[16] = "?";

	if (getsockname(l, (struct sockaddr *)&ss, &len) == 0)
		getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), port, sizeof(port),
			    NI_NUMERICHOST | NI_NUMERICSERV);
	printf("server: listening on %s port %s\n", host, port);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *spec_text = "SO_REUSEADDR=on,SO_RCVBUF=128K,TCP_NODELAY=on";
	struct sockopt_dial_config cfg = { .backlog = 16, .report = report };
	struct sockopt_diag d;
	sockopt_spec *spec;
	int clients, l;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: server HOST PORT [CLIENTS [SPEC]]\n");
		return 2;
	}
	clients = argc > 3 ? atoi(argv[3]) : 1;
	if (argc > 4)
		spec_text = argv[4];
	if (sockopt_spec_parse(spec_text, &spec, &d) < 0) {
		fprintf(stderr, "server: %s\n", d.text);
		return 2;
	}
	cfg.spec = spec;
	l = sockopt_listen(argv[1], argv[2], &cfg, &d);
	if (l < 0) {
		fprintf(stderr, "server: %s\n", d.text);
		return 1;
	}
	say_listening(l);
	for (int i = 0; i < clients; i++) {
		int conn = sockopt_accept(l, &cfg, NULL, NULL, &d);

		if (conn < 0) {
			fprintf(stderr, "server: %s\n", d.text);
			return 1;
		}
		serve(conn);
		fflush(stdout);
	}
	close(l);
	sockopt_spec_free(spec);
	return 0;
}
