/* oob.c: experiments on TCP urgent (out-of-band) data and SO_OOBINLINE. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"


/* Send each piece of PIECES ("+X" urgent, else normal) from C; the receiver S then settles. */
static void send_pieces(int c, const char *const *pieces, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool urgent = pieces[i][0] == '+';
		const char *data = pieces[i] + urgent;

		if (send(c, data, strlen(data), urgent ? MSG_OOB : 0) < 0)
			return;
		labnet_sleep_ms(5); /* separate segments, so each urgent pointer arrives */
	}
	labnet_sleep_ms(20);
}

/* recv(MSG_OOB) on S: the byte as a string, or the errno name, as FIELD. */
static void read_urgent(struct lab_result *r, int s, const char *field)
{
	char b[2] = "";

	if (recv(s, b, 1, MSG_OOB | MSG_DONTWAIT) == 1)
		lab_str(r, field, b);
	else
		lab_errno(r, field, errno);
}

/* Everything in S's normal stream now, as FIELD. */
static void read_stream(struct lab_result *r, int s, const char *field)
{
	char buf[64] = "";
	size_t got = 0;

	while (got < sizeof(buf) - 1 && (labnet_wait(s, POLLIN, 50) & POLLIN)) {
		ssize_t n = recv(s, buf + got, sizeof(buf) - 1 - got, MSG_DONTWAIT);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	lab_str(r, field, buf);
}

/* A pair (receiver with SO_OOBINLINE as INLINE) that carries PIECES; fields under PREFIX. */
static void urgent_run(struct lab_result *r, const char *inl, const char *const *pieces, size_t n,
		       const char *prefix)
{
	char f1[LAB_NAME_MAX], f2[LAB_NAME_MAX];
	int c, s;

	if (labnet_tcp_pair("127.0.0.1", &c, &s) < 0)
		return;
	lab_set(s, "SO_OOBINLINE", inl);
	send_pieces(c, pieces, n);
	snprintf(f1, sizeof(f1), "%s_oob", prefix);
	snprintf(f2, sizeof(f2), "%s_stream", prefix);
	read_urgent(r, s, f1);
	read_stream(r, s, f2);
	close(c);
	close(s);
}

/*
 * sockatmark, POSIX's test for the out-of-band mark: "ab", urgent "X",
 * "cd" to a receiver with SO_OOBINLINE; the mark before any read, what
 * one read returns (TCP stops a read at the mark), and the mark after it.
 */
static void at_mark(struct lab_result *r)
{
	static const char *const pieces[] = { "ab", "+X", "cd" };
	char buf[16] = "";
	ssize_t n;
	int c, s;

	if (labnet_tcp_pair("127.0.0.1", &c, &s) < 0)
		return;
	lab_set(s, "SO_OOBINLINE", "on");
	send_pieces(c, pieces, 3);
	lab_int(r, "mark_before_read", sockatmark(s));
	n = recv(s, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	lab_str(r, "read_to_mark", buf);
	lab_int(r, "mark_after_read", sockatmark(s));
	close(c);
	close(s);
}

static void run_oobinline(struct lab_result *r)
{
	static const char *const pieces[] = { "ab", "+X", "cd" };

	if (!lab_opt(r, "SO_OOBINLINE"))
		return;
	urgent_run(r, "off", pieces, 3, "without");
	urgent_run(r, "on", pieces, 3, "with");
	lab_observe(r, "\"ab\", urgent \"X\", \"cd\": without SO_OOBINLINE recv(MSG_OOB) gave %s and "
		       "the stream read \"%s\"; with it recv(MSG_OOB) gave %s and the stream read "
		       "\"%s\".",
		    lab_word(r, "without_oob"), lab_word(r, "without_stream"),
		    lab_word(r, "with_oob"), lab_word(r, "with_stream"));
	at_mark(r);
	lab_observe_more(r, " sockatmark gave %lld before reading; a read returned \"%s\"; "
			    "sockatmark then gave %lld.",
			 lab_num(r, "mark_before_read"), lab_word(r, "read_to_mark"),
			 lab_num(r, "mark_after_read"));
}

static void run_oob_lost(struct lab_result *r)
{
	static const char *const pieces[] = { "ab", "+X", "cd", "+Y", "ef" };

	if (!lab_opt(r, "SO_OOBINLINE"))
		return;
	urgent_run(r, "off", pieces, 5, "two");
	lab_observe(r, "\"ab\", urgent \"X\", \"cd\", urgent \"Y\", \"ef\" before the receiver read "
		       "anything: recv(MSG_OOB) gave %s and the stream read \"%s\".",
		    lab_word(r, "two_oob"), lab_word(r, "two_stream"));
}

const struct lab_experiment lab_oob[] = {
	{ .id = "oobinline", .title = "SO_OOBINLINE: urgent data in the normal stream",
	  .options = "SO_OOBINLINE",
	  .method = "Loopback pair: \"ab\", one urgent byte \"X\", \"cd\"; the receiver tries "
		    "recv(MSG_OOB) and then reads the stream, with SO_OOBINLINE off and on; then, "
		    "inline, sockatmark before and after one read.",
	  .shows = "with_oob", .run = run_oobinline },
	{ .id = "oob-lost", .title = "Urgent data when the receiver does not keep up",
	  .options = "SO_OOBINLINE",
	  .method = "Two urgent bytes (\"X\", then \"Y\") arrive before the receiver reads anything; it "
		    "then reads the urgent byte and the stream.",
	  .shows = "two_stream", .run = run_oob_lost },
};
const size_t lab_oob_count = LAB_ARRAY_SIZE(lab_oob);

static const struct lab_check sockatmark_parts[] = {
	{ "mark_before_read", LAB_EQ, 0, .says = "sockatmark tells whether the socket is at the out-of-band mark: 0 with \"ab\" still before it" },
	{ "mark_after_read", LAB_EQ, 1, .says = "1 once a read has stopped at the mark" },
};
static const struct lab_check inline_parts[] = {
	{ "with_stream", LAB_EQ, .str = "abXcd", .says = "with SO_OOBINLINE the urgent byte stays in the normal input" },
	{ "with_oob", LAB_EQ, .str = "EINVAL", .says = "and MSG_OOB cannot read it" },
};
static const struct lab_check man_inline_parts[] = {
	{ "with_stream", LAB_EQ, .str = "abXcd", .says = "enabled, out-of-band data goes into the receive stream" },
	{ "without_oob", LAB_EQ, .str = "X", .says = "otherwise it is passed only to a receive with MSG_OOB" },
	{ "without_stream", LAB_EQ, .str = "abcd", .says = "(and not in the stream)" },
};
static const struct lab_check lost_parts[] = {
	{ "two_oob", LAB_EQ, .str = "Y", .says = "a receiver that did not keep up gets only the latest urgent byte as urgent" },
	{ "two_stream", LAB_EQ, .str = "abcdef", .says = "the earlier one is lost" },
};

const struct lab_claim lab_oob_claims[] = {
	{ "unp-sockatmark", "oobinline", "unp", 352, 0,
	  "POSIX provides sockatmark as the preferred way to test whether a socket is at the out-of-band mark.",
	  LAB_CHECKS(sockatmark_parts) },
	{ "unp-oobinline", "oobinline", "unp", 155, 0,
	  "With SO_OOBINLINE on, out-of-band data is left in the normal input queue, and MSG_OOB cannot be used to read it.",
	  LAB_CHECKS(inline_parts) },
	{ "adv-oobinline", "oobinline", "adv", 91, 0,
	  "With SO_OOBINLINE out-of-band data is placed directly into the receive stream; otherwise it is passed only when MSG_OOB is set on receive.",
	  LAB_CHECKS(man_inline_parts) },
	{ "adv-oob-lost", "oob-lost", "adv", 259, 0,
	  "Unlike the main stream, out-of-band data may be lost if the application cannot keep up with it.",
	  LAB_CHECKS(lost_parts) },
};
const size_t lab_oob_claims_count = LAB_ARRAY_SIZE(lab_oob_claims);
