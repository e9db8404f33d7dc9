/* hold.c: hold PORT: a TCP client that connects to 127.0.0.1:PORT and reads until EOF, setting no option itself (the reach tests build it static too). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char buf[4096];
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: hold PORT\n");
		return 2;
	}
	sin.sin_port = htons((unsigned short)atoi(argv[1]));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		perror("hold");
		return 1;
	}
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return 0;
}
