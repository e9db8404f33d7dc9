/* client.c: an example client: dial with a spec and a deadline, say a name, read the greeting, close gracefully. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sockopt.h>

int main(int argc, char **argv)
{
	const char *spec_text = argc > 4 ? argv[4] : "TCP_NODELAY=on,SO_KEEPALIVE=on,TCP_KEEPIDLE=30s";
	struct sockopt_dial_config cfg = { .timeout_ms = 2000 };
	struct sockopt_close_result res;
	struct sockopt_diag d;
	sockopt_spec *spec;
	char reply[256];
	ssize_t n, got = 0;
	int fd;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: client HOST PORT NAME [SPEC]\n");
		return 2;
	}
	if (sockopt_spec_parse(spec_text, &spec, &d) < 0) {
		fprintf(stderr, "client: %s\n", d.text);
		return 2;
	}
	cfg.spec = spec;
	fd = sockopt_dial(argv[1], argv[2], &cfg, &d);
	if (fd < 0) {
		fprintf(stderr, "client: %s\n", d.text);
		return 1;
	}
	dprintf(fd, "%s\n", argv[3]);
	/* The server answers, then shuts its side down: read to its EOF. */
	while (got + 1 < (ssize_t)sizeof(reply) &&
	       (n = read(fd, reply + got, sizeof(reply) - 1 - got)) > 0)
		got += n;
	reply[got] = '\0';
	printf("client: %s", reply);
	if (sockopt_close_graceful(fd, 2000, &res, &d) < 0) {
		fprintf(stderr, "client: %s\n", d.text);
		return 1;
	}
	printf("client: %s\n", res.text);
	sockopt_spec_free(spec);
	return 0;
}
