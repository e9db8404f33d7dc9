/* test_spec_query.c: kinds from socket(2)'s arguments, sub-specs split by the inheritance fact, apply with a known kind. */
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "testutil.h"

/* socket(2) arguments and the kind they make (0: not covered). */
static const struct {
	int family, type, protocol;
	unsigned kind;
} triples[] = {
	{ AF_INET, SOCK_STREAM, 0, SOCKOPT_KIND_TCP },
	{ AF_INET, SOCK_STREAM, IPPROTO_TCP, SOCKOPT_KIND_TCP },
	/* The flags that ride in the type say nothing about the kind. */
	{ AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, SOCKOPT_KIND_TCP6 },
	{ AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP, SOCKOPT_KIND_UDP },
	{ AF_INET6, SOCK_DGRAM, 0, SOCKOPT_KIND_UDP6 },
	{ AF_INET, SOCK_RAW, IPPROTO_RAW, SOCKOPT_KIND_RAW },
	{ AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, SOCKOPT_KIND_RAW6 },
	{ AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, SOCKOPT_KIND_UNIX },
	{ AF_UNIX, SOCK_DGRAM, 0, SOCKOPT_KIND_UNIX_DGRAM },
	{ AF_UNIX, SOCK_SEQPACKET, 0, SOCKOPT_KIND_UNIX_SEQPACKET },
	/* TCP's and UDP's options do not fit other protocols of the same type. */
	{ AF_INET, SOCK_STREAM, IPPROTO_MPTCP, 0 },
	{ AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE, 0 },
	{ AF_NETLINK, SOCK_RAW, 0, 0 },
	{ AF_PACKET, SOCK_DGRAM, 0, 0 },
};

static void the_kind_of_socket_arguments_masks_the_type_flags(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(triples) / sizeof(triples[0]); i++) {
		unsigned kind = 0;
		int r = sockopt_kind_of_triple(triples[i].family, triples[i].type,
					       triples[i].protocol, &kind);

		if (triples[i].kind == 0) {
			assert_int_equal(r, -EAFNOSUPPORT);
			assert_int_equal(kind, 0); /* nothing written on failure */
		} else {
			assert_int_equal(r, 0);
			if (kind != triples[i].kind)
				fail_msg("triple %zu: kind %#x, want %#x", i, kind, triples[i].kind);
		}
	}
}

/* The kind of a real socket agrees with the kind of the arguments that made it. */
static void the_kind_of_arguments_matches_the_kind_of_the_socket(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(triples) / sizeof(triples[0]); i++) {
		unsigned from_fd, from_args;
		int fd;

		if (!triples[i].kind || triples[i].type == SOCK_RAW)
			continue; /* raw sockets need CAP_NET_RAW */
		fd = socket(triples[i].family, triples[i].type, triples[i].protocol);
		assert_true(fd >= 0);
		assert_int_equal(sockopt_kind_of_fd(fd, &from_fd, NULL), 0);
		assert_int_equal(sockopt_kind_of_triple(triples[i].family, triples[i].type,
							triples[i].protocol, &from_args),
				 0);
		assert_int_equal(from_fd, from_args);
		close(fd);
	}
}

static void select_splits_by_the_inherited_flag_and_keeps_values_and_phases(void **state)
{
	sockopt_spec *spec = sockopt_spec_new(), *inherited = NULL, *own = NULL;
	struct sockopt_diag d;

	(void)state;
	/* TCP_NODELAY and SO_RCVBUF are copied to accepted sockets; TCP_KEEPIDLE, IP_TTL are not. */
	assert_int_equal(sockopt_spec_add(spec, "TCP_NODELAY=on,TCP_KEEPIDLE=75s,SO_LINGER=on:5,"
						"SO_RCVBUF=256K,IP_TTL=9",
					  SOCKOPT_PHASE_AFTER_ACCEPT, &d),
			 0);
	assert_int_equal(sockopt_spec_add(spec, "SO_SNDBUF=64K", SOCKOPT_PHASE_CATALOG, &d), 0);
	assert_int_equal(sockopt_spec_select(spec, SOCKOPT_PHASE_AFTER_ACCEPT,
					     SOCKOPT_FLAG_INHERITED, true, &inherited, &d),
			 0);
	assert_int_equal(sockopt_spec_select(spec, SOCKOPT_PHASE_AFTER_ACCEPT,
					     SOCKOPT_FLAG_INHERITED, false, &own, &d),
			 0);
	for (size_t i = 0; i < sockopt_spec_count(inherited); i++)
		assert_true(sockopt_entry_flags(sockopt_spec_entry(inherited, i)) &
			    SOCKOPT_FLAG_INHERITED);
	for (size_t i = 0; i < sockopt_spec_count(own); i++)
		assert_false(sockopt_entry_flags(sockopt_spec_entry(own, i)) &
			     SOCKOPT_FLAG_INHERITED);
	/* Every after-accept entry lands in exactly one side; SO_SNDBUF's phase is not selected. */
	assert_int_equal(sockopt_spec_count(inherited) + sockopt_spec_count(own), 5);
	for (size_t i = 0; i < sockopt_spec_count(spec); i++) {
		const sockopt_entry *e = sockopt_spec_entry(spec, i);
		const sockopt_spec *side =
			(sockopt_entry_flags(e) & SOCKOPT_FLAG_INHERITED) ? inherited : own;
		bool found = false;

		for (size_t j = 0; j < sockopt_spec_count(side); j++) {
			if (sockopt_spec_entry(side, j) != e)
				continue;
			found = true;
			assert_int_equal(sockopt_spec_phase(side, j), SOCKOPT_PHASE_AFTER_ACCEPT);
			assert_true(sockopt_value_equal(sockopt_entry_type(e),
							sockopt_spec_value(side, j),
							sockopt_spec_value(spec, i)));
		}
		assert_true(found == (sockopt_spec_phase(spec, i) == SOCKOPT_PHASE_AFTER_ACCEPT));
	}
	sockopt_spec_free(inherited);
	sockopt_spec_free(own);
	sockopt_spec_free(spec);
}

static void select_of_every_phase_with_no_flags_copies_the_spec(void **state)
{
	sockopt_spec *spec = NULL, *copy = NULL;

	(void)state;
	assert_int_equal(sockopt_spec_parse("SO_REUSEADDR=1,SO_RCVBUF=1M,TCP_NODELAY=1", &spec, NULL), 0);
	assert_int_equal(sockopt_spec_select(spec, SOCKOPT_PHASE_CATALOG, 0, true, &copy, NULL), 0);
	assert_int_equal(sockopt_spec_count(copy), sockopt_spec_count(spec));
	for (size_t i = 0; i < sockopt_spec_count(spec); i++) {
		assert_ptr_equal(sockopt_spec_entry(copy, i), sockopt_spec_entry(spec, i));
		assert_int_equal(sockopt_spec_phase(copy, i), sockopt_spec_phase(spec, i));
		assert_string_equal(sockopt_spec_text(copy, i), sockopt_spec_text(spec, i));
	}
	assert_int_equal(sockopt_spec_select(spec, SOCKOPT_PHASE_COUNT, 0, true, &copy, NULL),
			 -EINVAL);
	sockopt_spec_free(copy);
	sockopt_spec_free(spec);
}

/* Count the outcomes an apply reports. */
static void count_outcomes(int fd, const struct sockopt_apply_result *r, void *ctx)
{
	(void)fd;
	((int *)ctx)[r->outcome]++;
}

static void apply_kind_trusts_the_kind_it_is_given(void **state)
{
	sockopt_spec *spec = NULL;
	int fd = socket(AF_INET, SOCK_STREAM, 0), seen[3] = { 0 }, v;
	socklen_t len = sizeof(v);

	(void)state;
	assert_int_equal(sockopt_spec_parse("TCP_NODELAY=on,UDP_CORK=on", &spec, NULL), 0);
	/* The tcp kind: TCP_NODELAY applied, UDP_CORK skipped without a call. */
	errno = 4242;
	assert_int_equal(sockopt_spec_apply_kind(fd, spec, SOCKOPT_PHASE_ANY, SOCKOPT_KIND_TCP,
						 count_outcomes, seen),
			 0);
	assert_int_equal(errno, 4242);
	assert_int_equal(seen[SOCKOPT_APPLIED], 1);
	assert_int_equal(seen[SOCKOPT_SKIPPED], 1);
	assert_int_equal(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len), 0);
	assert_true(v);
	/* Kind 0, a socket sockopt leaves alone: every entry skipped. */
	memset(seen, 0, sizeof(seen));
	assert_int_equal(sockopt_spec_apply_kind(fd, spec, SOCKOPT_PHASE_ANY, 0, count_outcomes,
						 seen),
			 0);
	assert_int_equal(seen[SOCKOPT_SKIPPED], 2);
	/* Told udp on a tcp socket, it tries UDP_CORK and the kernel refuses: one failure. */
	assert_int_equal(sockopt_spec_apply_kind(fd, spec, SOCKOPT_PHASE_ANY, SOCKOPT_KIND_UDP,
						 NULL, NULL),
			 1);
	sockopt_spec_free(spec);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_kind_of_socket_arguments_masks_the_type_flags),
		cmocka_unit_test(the_kind_of_arguments_matches_the_kind_of_the_socket),
		cmocka_unit_test(select_splits_by_the_inherited_flag_and_keeps_values_and_phases),
		cmocka_unit_test(select_of_every_phase_with_no_flags_copies_the_spec),
		cmocka_unit_test(apply_kind_trusts_the_kind_it_is_given),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
