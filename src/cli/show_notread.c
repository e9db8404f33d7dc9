/* show_notread.c: the options a BPF reading of `sockopt show` left unread, counted per socket and named per kind, so none is silently absent. */
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "print.h"
#include "show.h"

#define NAMES_MAX 512 /* more than the catalog holds (235 entries) */

/*
 * The options the view (ALL or not) would print that SOCK's backend did
 * not read: their count, and the first ROOM of their option indexes into INDEX.
 * Another reader than pidfd leaves an option it has no value for at
 * -ENODATA (libsockopt(3)).  A TIME_WAIT or request socket has no options
 * to read: none is missing there.
 */
static size_t collect(const sockopt_sock *sock, bool all, size_t *index, size_t room)
{
	int state = sockopt_sock_state(sock);

	if (strcmp(sockopt_sock_backend(sock), "pidfd") == 0 ||
	    ((sockopt_sock_kind(sock) & (SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6)) &&
	     (state == TCP_TIME_WAIT || state == TCP_SYN_RECV)))
		return 0;
	return sockopt_sock_not_read(sock, !all, index, room);
}

size_t show_not_read(const sockopt_sock *sock, bool all)
{
	return collect(sock, all, NULL, 0);
}

/*
 * Add the options of SOCK at the N indexes of INDEX that its kind's list
 * lacks; an option index names the same option for every socket of a kind
 * in a scan (sockopt_sock_read_options), so SEEN is kept by index.
 */
static void keep(struct show_not_read *nr, const sockopt_sock *sock, const size_t *index, size_t n)
{
	size_t k = (size_t)__builtin_ctz(sockopt_sock_kind(sock));

	if (!nr->names[k]) {
		nr->names[k] = calloc(NAMES_MAX, sizeof(*nr->names[k]));
		nr->seen[k] = calloc(NAMES_MAX, 1);
		if (!nr->names[k] || !nr->seen[k])
			return;
	}
	for (size_t i = 0; i < n; i++) {
		const sockopt_entry *e;
		const sockopt_value *v;

		if (index[i] >= NAMES_MAX || nr->seen[k][index[i]])
			continue;
		nr->seen[k][index[i]] = 1;
		sockopt_sock_option(sock, index[i], &e, &v);
		nr->names[k][nr->counts[k]++] = e;
	}
}

void show_print_not_read(struct show_not_read *nr, const sockopt_sock *sock, bool all)
{
	size_t index[NAMES_MAX], n = collect(sock, all, index, NAMES_MAX);

	if (!n)
		return;
	keep(nr, sock, index, n < NAMES_MAX ? n : NAMES_MAX);
	print_int(PRINT_JSON, "not_read", NULL, (long long)n);
	print_text(" not-read=%zu", n);
}

void show_print_not_read_summary(const struct show_not_read *nr)
{
	bool any = false;

	for (size_t k = 0; k < 16; k++)
		any |= nr->counts[k] > 0;
	if (!any)
		return;
	print_open_object("not_read");
	for (size_t k = 0; k < 16; k++) {
		if (!nr->counts[k])
			continue;
		print_open_array(sockopt_kind_name(1u << k));
		for (size_t i = 0; i < nr->counts[k]; i++)
			print_string(PRINT_JSON, NULL, NULL, sockopt_entry_name(nr->names[k][i]));
		print_close_array();
	}
	print_close_object();
}

void show_not_read_free(struct show_not_read *nr)
{
	for (size_t k = 0; k < 16; k++) {
		free(nr->names[k]);
		free(nr->seen[k]);
	}
	memset(nr, 0, sizeof(*nr));
}
