/* bench.h: what the modes of `sockopt bench` share: arguments, clocks, samples, options by name, progress. */
#ifndef SOCKOPT_BENCH_H
#define SOCKOPT_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockopt.h"

/* The command line of one bench run, as parsed by cmd_bench.c. */
struct bench_args {
	double duration;      /* seconds per variant */
	bool json;
	const char *plot;     /* SVG file to write, or NULL */
	const char *variants; /* comma-separated variant names, or NULL for all */
	long size;	      /* message, write or datagram size; 0: the mode's default */
	const char *buffers;  /* comma-separated buffer sizes (stream, udp), or NULL */
	long count;	      /* crr: most transactions per variant; 0: no limit */
	long burst;	      /* udp: datagrams per burst; 0: send without pause */
};

/* One mode: its name and its runner (`sockopt bench --help` says what each measures). */
struct bench_mode {
	const char *name;
	int (*run)(const struct bench_args *a);
};

int bench_rr(const struct bench_args *a);
int bench_crr(const struct bench_args *a);
int bench_stream(const struct bench_args *a);
int bench_udp(const struct bench_args *a);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);
/* Whether NAME is in the comma-separated LIST (a NULL list holds every name). */
bool list_has(const char *list, const char *name);

/* A growing array of latencies in nanoseconds, sorted before reading percentiles. */
struct samples {
	uint64_t *ns;
	size_t n, cap;
};
int samples_add(struct samples *s, uint64_t ns);
void samples_sort(struct samples *s);
/* The P-th percentile (0..100) of sorted samples, nearest rank; 0 when empty. */
uint64_t samples_percentile(const struct samples *s, double p);
double samples_mean(const struct samples *s);
void samples_free(struct samples *s);

/*
 * Set the catalog option NAME to TEXT on FD (through sockopt_set_text, with
 * readback in RB, which may be NULL).  -ENOENT with a sentence when the
 * catalog has no such option.
 */
int opt_set(int fd, const char *name, const char *text, struct sockopt_readback *rb,
	    struct sockopt_diag *diag);
/* 0 when the catalog has option NAME, else -ENOENT with the sentence opt_set would give. */
int opt_need(const char *name, struct sockopt_diag *diag);
/* Read an int-valued catalog option NAME on FD. */
int opt_get_int(int fd, const char *name, int *out, struct sockopt_diag *diag);
/* Read the first number of a sysctl, or -1 when it cannot be read. */
long long sysctl_or(const char *name);

/*
 * One side of a bench connection: the options it asks for, parsed once as a
 * library spec and applied by sockopt_listen/sockopt_dial/sockopt_accept at
 * each option's phase, and the readback sentences of the last apply.
 */
struct bench_side {
	sockopt_spec *spec; /* NULL: the kernel's defaults */
	char readback[SOCKOPT_TEXT_MAX];
};
/* Parse SPEC_TEXT ("SO_SNDBUF=64K,SO_RCVBUF=64K"; NULL or "" for none) into S. */
int side_init(struct bench_side *s, const char *spec_text, struct sockopt_diag *diag);
void side_free(struct bench_side *s);
/* A TYPE socket bound to 127.0.0.1 on any port (listening for TCP); its fd, and *PORT. */
int side_listen(struct bench_side *s, int type, int *port, struct sockopt_diag *diag);
/* A TYPE socket connected to 127.0.0.1:PORT. */
int side_dial(struct bench_side *s, int type, int port, struct sockopt_diag *diag);
/* Accept one connection on LISTENER. */
int side_accept(struct bench_side *s, int listener, struct sockopt_diag *diag);
/* A connected TCP pair: *CLIENT dialled with CLIENT_SIDE's options, *SERVER accepted from a
 * listener with SERVER_SIDE's (which may be the same side). */
int side_pair(struct bench_side *client_side, struct bench_side *server_side, int *client,
	      int *server, struct sockopt_diag *diag);

/*
 * The peer (server or receiver) runs in a forked child process, as the
 * peers of sockperf and iperf3 do: a thread would share the address space
 * and make every wake-up cheaper than between two programs (4.2 against
 * 4.8 us per loopback round trip here).  What the peer measures lives in
 * memory from peer_shared, which both processes see.
 */
/* SIZE zeroed bytes shared with peers forked later, or NULL. */
void *peer_shared(size_t size);
void peer_shared_free(void *p, size_t size);
/* Run FN(ARG) in a child process that exits when FN returns; its pid or -errno. */
int peer_start(void (*fn)(void *), void *arg);
/* Wait for the child PID; 0 when it exited with status 0. */
int peer_wait(int pid);

/* Write all of LEN bytes (send with MSG_NOSIGNAL); 0 or -errno. */
int send_all(int fd, const void *buf, size_t len);
/* Read exactly LEN bytes; 0, -EPIPE at EOF, or -errno. */
int recv_all(int fd, void *buf, size_t len);

/* Open a mode's JSON object with the fields every mode has: "mode", "duration_s" and SIZE_KEY. */
void print_mode_start(const char *mode, double duration, const char *size_key, long long size);
/* End one result's JSON object, with its "error" field when ERROR is not empty. */
void print_result_end(const char *error);

/* The progress line of one running variant: "MODE VARIANT DONE/TOTAL s". */
struct progress {
	const char *mode, *variant;
	double total;	       /* seconds */
	uint64_t start, shown; /* now_ns() at the start and when last drawn */
};
/* Redraw P's line on a terminal's stderr as of NOW (now_ns()), at most every 100 ms. */
void progress(struct progress *p, uint64_t now);
/* Erase the progress line. */
void progress_clear(void);
/* The exit status after the plot PATH could not be written (ERR), with the sentence on stderr. */
int plot_failed(const char *path, int err);

/* One entry of a --buffers list: as written, and in bytes (0 for "auto"). */
struct buffer_size {
	char label[16];
	long bytes;
};
/* Split a comma-separated LIST of sizes and "auto" into OUT (at most MAX); the count. */
size_t buffer_list(const char *list, struct buffer_size *out, size_t max);

/* Parse a size such as "64K" or "4M" as the library does; -EINVAL when it is not one. */
int parse_size(const char *text, long *out);
/* Format BYTES as "64K", "1M" or "212992" (exact binary units only). */
void format_size(long bytes, char *buf, size_t size);
/*
 * Format A and B in one unit, the largest that both are whole multiples of
 * ("128K→512K", "131072→770588"), so that a pair never mixes units.
 */
void format_size_pair(long a, long b, char *abuf, char *bbuf, size_t size);

#endif /* SOCKOPT_BENCH_H */
