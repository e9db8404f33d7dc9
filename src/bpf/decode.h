/* decode.h: the records of the iterator programs into sockopt_sock objects (bpf_decode.c), for the BPF backend's loaders. */
#ifndef SOCKOPT_BPF_DECODE_H
#define SOCKOPT_BPF_DECODE_H

#include <linux/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "sockopt.h"
#include "optnames.h"
#include "iter.h"

#define KINDS 9 /* the SOCKOPT_KIND_* bits */

/*
 * What decoding keeps from record to record: per kind of socket, found on
 * its first record, the slots its plan has, each with its option index,
 * and the index of SO_BINDTODEVICE (the index of an option is the same for
 * every socket of a kind in a scan).  Zeroed before the first record.
 */
struct bpf_decoder {
	struct slot_index {
		unsigned short slot, index;
		bool wide; /* not an int of V: one of the wider values, or one read only when empty */
	} map[KINDS][ITER_NSLOTS];
	size_t nmap[KINDS];
	long device[KINDS];
	bool known[KINDS];
};

/*
 * Describe S (made by sockopt_scan_sock_new) from record R: its namespace,
 * endpoints, state, queues, timer, and each option the program read; a
 * TIME_WAIT or request socket has no options.
 */
void bpf_decode_tcp(struct bpf_decoder *d, sockopt_sock *s, const struct iter_tcp_record *r);
void bpf_decode_sock(struct bpf_decoder *d, sockopt_sock *s, const struct iter_sock_record *r);

#endif /* SOCKOPT_BPF_DECODE_H */
