/* side.c: the two ends of a bench connection, made by the library's listen/dial/accept with a spec. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"
#include "labnet.h"

int side_init(struct bench_side *s, const char *spec_text, struct sockopt_diag *diag)
{
	memset(s, 0, sizeof(*s));
	if (!spec_text || !*spec_text)
		return 0;
	return sockopt_spec_parse(spec_text, &s->spec, diag);
}

void side_free(struct bench_side *s)
{
	sockopt_spec_free(s->spec);
	s->spec = NULL;
}

/* Keep each readback sentence ("SO_SNDBUF: requested 65536, stored 131072: …"). */
static void note_readback(int fd, const struct sockopt_apply_result *r, void *ctx)
{
	struct bench_side *s = ctx;
	size_t used = strlen(s->readback);

	(void)fd;
	if (r->outcome != SOCKOPT_APPLIED || !r->rb)
		return;
	/* Sentences past the end are cut: the JSON keeps every figure anyway. */
	if (used + strlen(r->rb->text) + 3 < sizeof(s->readback))
		sprintf(s->readback + used, "%s%s", used ? " " : "", r->rb->text);
}

static struct sockopt_dial_config side_config(struct bench_side *s, int type)
{
	return (struct sockopt_dial_config){
		.spec = s->spec,
		.family = AF_INET,
		.type = type,
		.report = note_readback,
		.report_ctx = s,
	};
}

int side_listen(struct bench_side *s, int type, int *port, struct sockopt_diag *diag)
{
	struct sockopt_dial_config cfg = side_config(s, type);
	int fd, p;

	s->readback[0] = '\0';
	fd = sockopt_listen("127.0.0.1", "0", &cfg, diag);
	if (fd < 0)
		return fd;
	p = labnet_port(fd);
	if (p < 0) {
		close(fd);
		return p;
	}
	*port = p;
	return fd;
}

int side_dial(struct bench_side *s, int type, int port, struct sockopt_diag *diag)
{
	struct sockopt_dial_config cfg = side_config(s, type);
	char service[16];

	s->readback[0] = '\0';
	snprintf(service, sizeof(service), "%d", port);
	return sockopt_dial("127.0.0.1", service, &cfg, diag);
}

int side_accept(struct bench_side *s, int listener, struct sockopt_diag *diag)
{
	struct sockopt_dial_config cfg = side_config(s, SOCK_STREAM);

	return sockopt_accept(listener, &cfg, NULL, NULL, diag);
}

int side_pair(struct bench_side *client_side, struct bench_side *server_side, int *client,
	      int *server, struct sockopt_diag *diag)
{
	int lfd, c = -1, s = -1, port;

	lfd = side_listen(server_side, SOCK_STREAM, &port, diag);
	if (lfd < 0)
		return lfd;
	c = side_dial(client_side, SOCK_STREAM, port, diag);
	if (c >= 0)
		s = side_accept(server_side, lfd, diag);
	close(lfd);
	if (c < 0 || s < 0) {
		if (c >= 0)
			close(c);
		return c < 0 ? c : s;
	}
	*client = c;
	*server = s;
	return 0;
}
