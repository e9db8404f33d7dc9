/* show_ss.c: TCP_INFO, TCP_CC_INFO and SO_MEMINFO of `sockopt show --all` in the words and units ss -tie prints them. */
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "show.h"

/* Text appended to a buffer that stops growing when full (it is cut, never overrun). */
struct line {
	char *buf;
	size_t size, len;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len + 1 >= l->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, l->size - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n < l->size - l->len ? (size_t)n : l->size - l->len - 1;
}

/* A rate in bits per second as ss -n prints it: "%.0f". */
static void add_bps(struct line *l, const char *before, double bps)
{
	add(l, "%s%.0fbps", before, bps);
}

/* "bbr:(bw:…bps,mrtt:…,pacing_gain:…,cwnd_gain:…)" from TCP_CC_INFO of a bbr socket (struct tcp_bbr_info). */
static void add_bbr(struct line *l, const sockopt_value *cc)
{
	struct tcp_bbr_info b;

	if (!cc || cc->len < sizeof(b))
		return;
	memcpy(&b, cc->v.bytes, sizeof(b));
	add_bps(l, " bbr:(bw:", (double)((uint64_t)b.bbr_bw_hi << 32 | b.bbr_bw_lo) * 8.0);
	add(l, ",mrtt:%g", b.bbr_min_rtt / 1000.0);
	if (b.bbr_pacing_gain)
		add(l, ",pacing_gain:%g", b.bbr_pacing_gain / 256.0);
	if (b.bbr_cwnd_gain)
		add(l, ",cwnd_gain:%g", b.bbr_cwnd_gain / 256.0);
	add(l, ")");
}

/* The flags, window scales and times of TI, as the first half of ss -i's line. */
static void add_tcp_flags_and_times(struct line *l, const struct tcp_info *ti, const char *cong)
{
	if (ti->tcpi_options & TCPI_OPT_TIMESTAMPS)
		add(l, " ts");
	if (ti->tcpi_options & TCPI_OPT_SACK)
		add(l, " sack");
	if (ti->tcpi_options & TCPI_OPT_ECN)
		add(l, " ecn");
	if (ti->tcpi_options & TCPI_OPT_ECN_SEEN)
		add(l, " ecnseen");
	if (ti->tcpi_options & TCPI_OPT_SYN_DATA)
		add(l, " fastopen");
	if (cong && *cong)
		add(l, " %s", cong);
	if (ti->tcpi_options & TCPI_OPT_WSCALE)
		add(l, " wscale:%u,%u", ti->tcpi_snd_wscale, ti->tcpi_rcv_wscale);
	if (ti->tcpi_rto && ti->tcpi_rto != 3000000)
		add(l, " rto:%g", ti->tcpi_rto / 1000.0);
	if (ti->tcpi_backoff)
		add(l, " backoff:%u", ti->tcpi_backoff);
	if (ti->tcpi_rtt)
		add(l, " rtt:%g/%g", ti->tcpi_rtt / 1000.0, ti->tcpi_rttvar / 1000.0);
	if (ti->tcpi_ato)
		add(l, " ato:%g", ti->tcpi_ato / 1000.0);
}

/* The sizes and counters of TI, as the middle of ss -i's line. */
static void add_tcp_counters(struct line *l, const struct tcp_info *ti)
{
	static const struct {
		const char *name;
		size_t offset;
		bool wide;
	} counters[] = {
		{ "mss", offsetof(struct tcp_info, tcpi_snd_mss), false },
		{ "pmtu", offsetof(struct tcp_info, tcpi_pmtu), false },
		{ "rcvmss", offsetof(struct tcp_info, tcpi_rcv_mss), false },
		{ "advmss", offsetof(struct tcp_info, tcpi_advmss), false },
		{ "cwnd", offsetof(struct tcp_info, tcpi_snd_cwnd), false },
		{ NULL, 0, false }, /* ssthresh, below 0xFFFF only */
		{ "bytes_sent", offsetof(struct tcp_info, tcpi_bytes_sent), true },
		{ "bytes_retrans", offsetof(struct tcp_info, tcpi_bytes_retrans), true },
		{ "bytes_acked", offsetof(struct tcp_info, tcpi_bytes_acked), true },
		{ "bytes_received", offsetof(struct tcp_info, tcpi_bytes_received), true },
		{ "segs_out", offsetof(struct tcp_info, tcpi_segs_out), false },
		{ "segs_in", offsetof(struct tcp_info, tcpi_segs_in), false },
		{ "data_segs_out", offsetof(struct tcp_info, tcpi_data_segs_out), false },
		{ "data_segs_in", offsetof(struct tcp_info, tcpi_data_segs_in), false },
	};
	const unsigned char *base = (const unsigned char *)ti;

	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		uint64_t n = 0;
		uint32_t n32;

		if (!counters[i].name) {
			if (ti->tcpi_snd_ssthresh < 0xFFFF)
				add(l, " ssthresh:%u", ti->tcpi_snd_ssthresh);
			continue;
		}
		if (counters[i].wide) {
			memcpy(&n, base + counters[i].offset, sizeof(n));
		} else {
			memcpy(&n32, base + counters[i].offset, sizeof(n32));
			n = n32;
		}
		if (n)
			add(l, " %s:%llu", counters[i].name, (unsigned long long)n);
	}
}

/* The time share of LIMITED in BUSY, as ss prints rwnd_limited and sndbuf_limited. */
static void add_limited(struct line *l, const char *name, uint64_t limited, uint64_t busy)
{
	if (limited)
		add(l, " %s:%llums(%.1f%%)", name, (unsigned long long)(limited / 1000),
		    100.0 * (double)limited / (double)busy);
}

/* Rates, last-activity times and the rest of TI, as the end of ss -i's line. */
static void add_tcp_rates(struct line *l, const struct tcp_info *ti)
{
	if (ti->tcpi_rtt && ti->tcpi_snd_mss && ti->tcpi_snd_cwnd)
		add_bps(l, " send ",
			(double)ti->tcpi_snd_cwnd * ti->tcpi_snd_mss * 8000000.0 / ti->tcpi_rtt);
	if (ti->tcpi_last_data_sent)
		add(l, " lastsnd:%u", ti->tcpi_last_data_sent);
	if (ti->tcpi_last_data_recv)
		add(l, " lastrcv:%u", ti->tcpi_last_data_recv);
	if (ti->tcpi_last_ack_recv)
		add(l, " lastack:%u", ti->tcpi_last_ack_recv);
	if (ti->tcpi_pacing_rate && ti->tcpi_pacing_rate != UINT64_MAX) {
		add_bps(l, " pacing_rate ", (double)ti->tcpi_pacing_rate * 8.0);
		if (ti->tcpi_max_pacing_rate && ti->tcpi_max_pacing_rate != UINT64_MAX)
			add_bps(l, "/", (double)ti->tcpi_max_pacing_rate * 8.0);
	}
	if (ti->tcpi_delivery_rate)
		add_bps(l, " delivery_rate ", (double)ti->tcpi_delivery_rate * 8.0);
	if (ti->tcpi_delivered)
		add(l, " delivered:%u", ti->tcpi_delivered);
	if (ti->tcpi_delivered_ce)
		add(l, " delivered_ce:%u", ti->tcpi_delivered_ce);
	if (ti->tcpi_delivery_rate_app_limited)
		add(l, " app_limited");
	if (ti->tcpi_busy_time) {
		add(l, " busy:%llums", (unsigned long long)(ti->tcpi_busy_time / 1000));
		add_limited(l, "rwnd_limited", ti->tcpi_rwnd_limited, ti->tcpi_busy_time);
		add_limited(l, "sndbuf_limited", ti->tcpi_sndbuf_limited, ti->tcpi_busy_time);
	}
	if (ti->tcpi_unacked)
		add(l, " unacked:%u", ti->tcpi_unacked);
	if (ti->tcpi_retrans || ti->tcpi_total_retrans)
		add(l, " retrans:%u/%u", ti->tcpi_retrans, ti->tcpi_total_retrans);
	if (ti->tcpi_lost)
		add(l, " lost:%u", ti->tcpi_lost);
	if (ti->tcpi_sacked && ti->tcpi_state != 10) /* TCP_LISTEN */
		add(l, " sacked:%u", ti->tcpi_sacked);
	if (ti->tcpi_dsack_dups)
		add(l, " dsack_dups:%u", ti->tcpi_dsack_dups);
	if (ti->tcpi_reordering != 3)
		add(l, " reordering:%u", ti->tcpi_reordering);
	if (ti->tcpi_reord_seen)
		add(l, " reord_seen:%u", ti->tcpi_reord_seen);
	if (ti->tcpi_rcv_rtt)
		add(l, " rcv_rtt:%g", ti->tcpi_rcv_rtt / 1000.0);
	if (ti->tcpi_rcv_space)
		add(l, " rcv_space:%u", ti->tcpi_rcv_space);
	if (ti->tcpi_rcv_ssthresh)
		add(l, " rcv_ssthresh:%u", ti->tcpi_rcv_ssthresh);
	if (ti->tcpi_notsent_bytes)
		add(l, " notsent:%u", ti->tcpi_notsent_bytes);
	if (ti->tcpi_min_rtt)
		add(l, " minrtt:%g", ti->tcpi_min_rtt / 1000.0);
	if (ti->tcpi_rcv_ooopack)
		add(l, " rcv_ooopack:%u", ti->tcpi_rcv_ooopack);
	if (ti->tcpi_snd_wnd)
		add(l, " snd_wnd:%u", ti->tcpi_snd_wnd);
}

void show_ss_tcp_info(const sockopt_value *info, const char *cong, const sockopt_value *cc_info,
		      char *buf, size_t size)
{
	struct line l = { buf, size, 0 };
	struct tcp_info ti;

	memset(&ti, 0, sizeof(ti));
	memcpy(&ti, info->v.bytes, info->len < sizeof(ti) ? info->len : sizeof(ti));
	buf[0] = '\0';
	add_tcp_flags_and_times(&l, &ti, cong);
	add_tcp_counters(&l, &ti);
	if (cong && strcmp(cong, "bbr") == 0)
		add_bbr(&l, cc_info);
	add_tcp_rates(&l, &ti);
	/* Without the leading space of each field. */
	memmove(buf, buf + (buf[0] == ' '), strlen(buf) + 1 - (buf[0] == ' '));
}

bool show_ss_skmem(const sockopt_value *meminfo, bool json, char *buf, size_t size)
{
	uint32_t m[SK_MEMINFO_VARS];

	if (meminfo->len < sizeof(m))
		return false;
	memcpy(m, meminfo->v.bytes, sizeof(m));
	snprintf(buf, size,
		 json ? "{\"rmem_alloc\": %u, \"rcvbuf\": %u, \"wmem_alloc\": %u, \"sndbuf\": %u, "
			"\"fwd_alloc\": %u, \"wmem_queued\": %u, \"optmem\": %u, \"backlog\": %u, "
			"\"drops\": %u}"
		      : "skmem:(r%u,rb%u,t%u,tb%u,f%u,w%u,o%u,bl%u,d%u)",
		 m[SK_MEMINFO_RMEM_ALLOC], m[SK_MEMINFO_RCVBUF], m[SK_MEMINFO_WMEM_ALLOC],
		 m[SK_MEMINFO_SNDBUF], m[SK_MEMINFO_FWD_ALLOC], m[SK_MEMINFO_WMEM_QUEUED],
		 m[SK_MEMINFO_OPTMEM], m[SK_MEMINFO_BACKLOG], m[SK_MEMINFO_DROPS]);
	return true;
}
