/* show.h: what the files of `sockopt show` share: the socket filters and the socket printer. */
#ifndef SOCKOPT_SHOW_H
#define SOCKOPT_SHOW_H

#include <stdbool.h>

#include "sockopt.h"

/* Which sockets to show, in the manner of ss: kinds, listening, port, state. */
struct show_filter {
	unsigned protocols; /* SOCKOPT_KIND_* chosen by --tcp --udp --unix --raw; 0: all */
	unsigned families;  /* SOCKOPT_KIND_* allowed by -4 / -6; 0: all */
	bool listening;
	int port;  /* -1: any */
	int state; /* -1: any */
};

void show_filter_init(struct show_filter *f);
/*
 * Take flag C (with ARG) when it is a filter: 1 when taken, 0 when
 * it is not a filter option, -1 with *CODE = EXIT_USAGE after a sentence.
 */
int show_filter_option(struct show_filter *f, int c, const char *arg, int *code);
/* Whether SOCK passes every filter. */
bool show_filter_match(const struct show_filter *f, const sockopt_sock *sock);

/* One formatted option and the value bytes it was formatted from. */
struct show_fragment {
	char *text;
	unsigned char *bytes;
	size_t text_size, bytes_size; /* allocated */
	socklen_t len;		      /* of the value in BYTES */
	int is_default;		      /* as sockopt_sock_option_is_default said */
};

/* The name last printed for an int-valued enum (family, type, protocol). */
struct show_name {
	bool known;
	int n;
	char text[64];
};

/* Per kind, the options a backend other than pidfd did not read on some socket of the run. */
struct show_not_read {
	const sockopt_entry **names[16];
	unsigned char *seen[16]; /* by option index */
	size_t counts[16];
};

/* Formatted options kept for reuse, per kind and option index (see fragment() in show_print.c). */
struct show_cache {
	struct show_fragment *slots[16];
	size_t counts[16];
	struct show_name family, type, protocol;
	struct show_not_read not_read;
};

/* The backend for a run: 1 BPF, 0 pidfd, -1 after a usage sentence (show_backend.c). */
int show_backend_choose(const char *arg, const struct show_filter *filter, bool verbose);

/* Before any socket is read: what the rows compare against (our network namespace). */
void show_print_start(void);
/* The column titles (text output only): before the first row, or alone when there is none. */
void show_print_header(void);
/* One socket: a table row, or a JSON object; ALL: every option, not only non-default ones. */
void show_print_socket(struct show_cache *cache, const sockopt_sock *sock, bool all);
void show_cache_free(struct show_cache *cache);
/* How many options the view (ALL or not) would print that SOCK's backend did not read (show_notread.c). */
size_t show_not_read(const sockopt_sock *sock, bool all);
/* Their count in SOCK's row or object ("not_read"), their names kept in NR for the summary. */
void show_print_not_read(struct show_not_read *nr, const sockopt_sock *sock, bool all);
/* The JSON member "not_read": {KIND: [NAME…]} of the names kept, when there are any. */
void show_print_not_read_summary(const struct show_not_read *nr);
void show_not_read_free(struct show_not_read *nr);

/* The key of --backend, and the --backend and --verbose rows that show, check and export share. */
#define SHOW_BACKEND_FLAG (ARGS_LONG_ONLY + 32)
#define SHOW_FLAGS_BACKEND                                                                    \
	{ SHOW_BACKEND_FLAG, "backend", "bpf|pidfd|auto",                                       \
	  "read through pinned BPF iterators (TCP, UDP, unix; root) or pidfd_getfd; auto "      \
	  "takes BPF when it may and only those kinds are asked for", "auto", 0 },               \
		{ 'v', "verbose", NULL, "say which backend read the sockets, and why", NULL, 0 }

#endif /* SOCKOPT_SHOW_H */
