/* shutdown.c: experiments on shutdown(SHUT_RD), shutdown(SHUT_WR), and close with received data left unread. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab.h"
#include "labnet.h"

#define WR_BYTES 32768

/*
 * One read on FD within MS as a word field: the bytes read ("abc", the
 * experiments send short ASCII words), "EOF", an errno name, or "nothing"
 * when nothing came.
 */
static void read_word(struct lab_result *r, const char *field, int fd, int ms)
{
	char buf[LAB_STR_MAX];
	ssize_t n;

	if (!labnet_wait(fd, POLLIN, ms)) {
		lab_str(r, field, "nothing");
		return;
	}
	n = recv(fd, buf, 16, MSG_DONTWAIT);
	if (n > 0) {
		buf[n] = '\0';
		lab_str(r, field, buf);
	} else if (n == 0) {
		lab_str(r, field, "EOF");
	} else {
		lab_errno(r, field, errno);
	}
}

/* Send the word S from FD; its errno as FIELD when FIELD is not NULL. */
static void send_word(struct lab_result *r, const char *field, int fd, const char *s)
{
	ssize_t n = send(fd, s, strlen(s), MSG_NOSIGNAL);

	if (field)
		lab_errno(r, field, n < 0 ? errno : 0);
}

/* SHUT_RD on A with "abc" queued, then data arriving, then A sending. */
static void shut_rd(struct lab_result *r)
{
	int a, b;

	if (labnet_tcp_pair("127.0.0.1", &a, &b) < 0)
		return;
	send_word(r, NULL, b, "abc");
	labnet_wait(a, POLLIN, 500);
	lab_errno(r, "shutrd_errno", shutdown(a, SHUT_RD) < 0 ? errno : 0);
	read_word(r, "shutrd_queued", a, 200);
	read_word(r, "shutrd_next", a, 200);
	send_word(r, NULL, b, "def");
	labnet_sleep_ms(50);
	read_word(r, "shutrd_later", a, 200);
	send_word(r, "shutrd_send_errno", a, "x");
	read_word(r, "shutrd_peer_got", b, 500);
	close(a);
	close(b);
}

/* SHUT_WR on A with "pre" queued to read and WR_BYTES unread by the peer; then A sends and reads. */
static void shut_wr(struct lab_result *r)
{
	static char buf[WR_BYTES];
	int a, b, end;
	ssize_t n;

	if (labnet_tcp_pair("127.0.0.1", &a, &b) < 0)
		return;
	send_word(r, NULL, b, "pre");
	labnet_wait(a, POLLIN, 500);
	n = send(a, buf, sizeof(buf), MSG_NOSIGNAL | MSG_DONTWAIT);
	lab_int(r, "shutwr_sent_bytes", n);
	lab_errno(r, "shutwr_errno", shutdown(a, SHUT_WR) < 0 ? errno : 0);
	send_word(r, "shutwr_send_errno", a, "x");
	read_word(r, "shutwr_queued", a, 200);
	lab_int(r, "shutwr_peer_bytes", labnet_drain(b, 500, &end));
	lab_str(r, "shutwr_peer_end", end == 0 ? "EOF" : strerrorname_np(end));
	send_word(r, NULL, b, "late");
	read_word(r, "shutwr_later", a, 500);
	close(a);
	close(b);
}

/* A sends "bye" and closes, with WORD ("" for none) sent to it first and left unread. */
static void close_after(struct lab_result *r, const char *word, const char *prefix)
{
	char first[LAB_NAME_MAX], second[LAB_NAME_MAX];
	int a, b;

	if (labnet_tcp_pair("127.0.0.1", &a, &b) < 0)
		return;
	if (*word) {
		send_word(r, NULL, b, word);
		labnet_wait(a, POLLIN, 500);
	}
	send_word(r, NULL, a, "bye");
	labnet_sleep_ms(20);
	close(a);
	labnet_sleep_ms(20);
	snprintf(first, sizeof(first), "%s_peer_first", prefix);
	snprintf(second, sizeof(second), "%s_peer_end", prefix);
	read_word(r, first, b, 500);
	read_word(r, second, b, 500);
	close(b);
}


static void run_shutdown(struct lab_result *r)
{
	shut_rd(r);
	shut_wr(r);
	close_after(r, "", "clean");
	close_after(r, "unread", "unread");
	lab_observe(r, "SHUT_RD with \"abc\" queued: the next reads returned %s, then %s; \"def\" "
		       "sent afterwards read as %s; sending still gave %s and the peer read %s. "
		       "SHUT_WR with \"pre\" queued to read and %lld bytes unread by the peer: a send "
		       "then failed with %s; the queued read returned %s; the peer read %lld bytes, then "
		       "%s; \"late\" sent by the peer read as %s.",
		    lab_word(r, "shutrd_queued"), lab_word(r, "shutrd_next"),
		    lab_word(r, "shutrd_later"), lab_word(r, "shutrd_send_errno"),
		    lab_word(r, "shutrd_peer_got"), lab_num(r, "shutwr_sent_bytes"),
		    lab_word(r, "shutwr_send_errno"), lab_word(r, "shutwr_queued"),
		    lab_num(r, "shutwr_peer_bytes"), lab_word(r, "shutwr_peer_end"),
		    lab_word(r, "shutwr_later"));
	lab_observe_more(r, " A default close after sending \"bye\": the peer read %s, then %s. The "
			    "same close with \"unread\" received and never read: the peer read %s, "
			    "then %s.",
			 lab_word(r, "clean_peer_first"), lab_word(r, "clean_peer_end"),
			 lab_word(r, "unread_peer_first"), lab_word(r, "unread_peer_end"));
}

static const struct lab_check shutdown_setup[] = {
	{ "shutrd_errno", LAB_EQ, .str = "OK", .says = "shutdown(SHUT_RD) succeeded", .setup = true },
	{ "shutwr_errno", LAB_EQ, .str = "OK", .says = "shutdown(SHUT_WR) succeeded", .setup = true },
	{ "shutwr_sent_bytes", LAB_EQ, WR_BYTES, .says = "the 32 KiB went into the send buffer", .setup = true },
};

const struct lab_experiment lab_shutdown[] = {
	{ .id = "shutdown-close", .title = "shutdown(SHUT_RD), shutdown(SHUT_WR), and close with data left unread",
	  .options = "SO_LINGER",
	  .method = "Loopback pairs. SHUT_RD with \"abc\" queued: read twice, the peer sends \"def\", "
		    "read, then send \"x\". SHUT_WR with \"pre\" queued to read and 32 KiB sent that "
		    "the peer has not read: send again, read, the peer drains to the end, the peer "
		    "sends \"late\", read. A default close after sending \"bye\", without and with "
		    "\"unread\" received and never read; the peer reads twice after each.",
	  .shows = "unread_peer_end", .run = run_shutdown, .checks = LAB_CHECKS(shutdown_setup) },
};
const size_t lab_shutdown_count = LAB_ARRAY_SIZE(lab_shutdown);

static const struct lab_check shut_rd_parts[] = {
	{ "shutrd_next", LAB_EQ, .str = "EOF", .says = "no more receive requests: a read returns end of file" },
	{ "shutrd_peer_got", LAB_EQ, .str = "x", .says = "the process can still send" },
	{ "shutrd_queued", LAB_EQ, .str = "EOF", .says = "the data in the receive buffer is discarded" },
	{ "shutrd_later", LAB_EQ, .str = "EOF", .says = "data arriving later is discarded by TCP" },
};
static const struct lab_check shut_wr_parts[] = {
	{ "shutwr_send_errno", LAB_NE, .str = "OK", .says = "no more send requests: a send fails" },
	{ "shutwr_later", LAB_EQ, .str = "late", .says = "the process can still receive" },
	{ "shutwr_peer_bytes", LAB_EQ, .other = "shutwr_sent_bytes", .says = "the send buffer's contents are sent to the peer" },
	{ "shutwr_peer_end", LAB_EQ, .str = "EOF", .says = "followed by the normal termination (FIN: the peer reads end of file)" },
	{ "shutwr_queued", LAB_EQ, .str = "pre", .says = "the receive buffer is not affected" },
};
static const struct lab_check close_default_parts[] = {
	{ "clean_peer_first", LAB_EQ, .str = "bye", .says = "the send buffer's contents are sent to the peer" },
	{ "clean_peer_end", LAB_EQ, .str = "EOF", .says = "followed by the normal termination (FIN: the peer reads end of file)" },
	{ "unread_peer_end", LAB_EQ, .str = "EOF", .says = "also when received data is left unread: it is discarded and the close still ends with FIN" },
	{ "unread_peer_first", LAB_EQ, .str = "bye", .says = "(and the data sent before that close still reaches the peer)" },
};

const struct lab_claim lab_shutdown_claims[] = {
	{ "unp-shut-rd", "shutdown-close", "unp", 147, 0,
	  "shutdown(SHUT_RD): no more receive requests can be issued on the socket; the process can still send; all data in the receive buffer is discarded; any data received later is discarded by TCP; the send buffer is not affected.",
	  LAB_CHECKS(shut_rd_parts) },
	{ "unp-shut-wr", "shutdown-close", "unp", 148, 0,
	  "shutdown(SHUT_WR): no more send requests can be issued; the process can still receive; the send buffer's contents are sent to the peer followed by the normal TCP termination (FIN); the receive buffer is not affected.",
	  LAB_CHECKS(shut_wr_parts) },
	{ "unp-close-default-table", "shutdown-close", "unp", 149, 0,
	  "close with l_onoff = 0 (the default): no more send or receive requests; the send buffer's contents are sent to the peer and, once the descriptor count reaches 0, followed by the normal TCP termination (FIN); the receive buffer's contents are discarded.",
	  LAB_CHECKS(close_default_parts) },
};
const size_t lab_shutdown_claims_count = LAB_ARRAY_SIZE(lab_shutdown_claims);
