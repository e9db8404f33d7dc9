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

/* "bbr:(bw:…bps,mrtt:…,pacing_gain:…,cwnd_gain:…)" as ss prints struct tcp_bbr_info, or its JSON object. */
static void add_bbr(struct line *l, const struct tcp_bbr_info *b, bool json)
{
	uint64_t bw = (uint64_t)b->bbr_bw_hi << 32 | b->bbr_bw_lo;

	if (json) {
		add(l, "{\"algorithm\": \"bbr\", \"bw\": %llu, \"min_rtt\": %u, \"pacing_gain\": %u, "
		       "\"cwnd_gain\": %u}",
		    (unsigned long long)bw, b->bbr_min_rtt, b->bbr_pacing_gain, b->bbr_cwnd_gain);
		return;
	}
	add_bps(l, "bbr:(bw:", (double)bw * 8.0);
	add(l, ",mrtt:%g", b->bbr_min_rtt / 1000.0);
	if (b->bbr_pacing_gain)
		add(l, ",pacing_gain:%g", b->bbr_pacing_gain / 256.0);
	if (b->bbr_cwnd_gain)
		add(l, ",cwnd_gain:%g", b->bbr_cwnd_gain / 256.0);
	add(l, ")");
}

/* "dctcp:(ce_state:…,alpha:…,ab_ecn:…,ab_tot:…)" or "dctcp:fallback_mode" as ss prints struct tcp_dctcp_info. */
static void add_dctcp(struct line *l, const struct tcp_dctcp_info *d, bool json)
{
	if (json)
		add(l, "{\"algorithm\": \"dctcp\", \"enabled\": %s, \"ce_state\": %u, \"alpha\": %u, "
		       "\"ab_ecn\": %u, \"ab_tot\": %u}",
		    d->dctcp_enabled ? "true" : "false", d->dctcp_ce_state, d->dctcp_alpha,
		    d->dctcp_ab_ecn, d->dctcp_ab_tot);
	else if (d->dctcp_enabled)
		add(l, "dctcp:(ce_state:%u,alpha:%u,ab_ecn:%u,ab_tot:%u)", d->dctcp_ce_state,
		    d->dctcp_alpha, d->dctcp_ab_ecn, d->dctcp_ab_tot);
	else
		add(l, "dctcp:fallback_mode");
}

/*
 * struct tcpvegas_info: ss prints no group for it (it takes vegas's rtt
 * for its "send" rate), so the text is ours, in ss's manner and units:
 * "vegas:(rttcnt:…,rtt:…,minrtt:…)", times in ms; "vegas:off" when disabled.
 */
static void add_vegas(struct line *l, const struct tcpvegas_info *v, bool json)
{
	if (json)
		add(l, "{\"algorithm\": \"vegas\", \"enabled\": %s, \"rttcnt\": %u, \"rtt\": %u, "
		       "\"minrtt\": %u}",
		    v->tcpv_enabled ? "true" : "false", v->tcpv_rttcnt, v->tcpv_rtt, v->tcpv_minrtt);
	else if (v->tcpv_enabled)
		add(l, "vegas:(rttcnt:%u,rtt:%g,minrtt:%g)", v->tcpv_rttcnt, v->tcpv_rtt / 1000.0,
		    v->tcpv_minrtt / 1000.0);
	else
		add(l, "vegas:off");
}

bool show_ss_cc_info(const char *cong, const sockopt_value *cc, bool json, char *buf, size_t size)
{
	union tcp_cc_info u;
	struct line l = { buf, size, 0 };

	buf[0] = '\0';
	if (!cong || !cc)
		return false;
	memset(&u, 0, sizeof(u));
	memcpy(&u, cc->v.bytes, cc->len < sizeof(u) ? cc->len : sizeof(u));
	/* Each algorithm's get_info writes exactly its struct: a shorter value is not that struct. */
	if (strcmp(cong, "bbr") == 0 && cc->len == sizeof(u.bbr))
		add_bbr(&l, &u.bbr, json);
	else if (strcmp(cong, "dctcp") == 0 && cc->len == sizeof(u.dctcp))
		add_dctcp(&l, &u.dctcp, json);
	else if (strcmp(cong, "vegas") == 0 && cc->len == sizeof(u.vegas))
		add_vegas(&l, &u.vegas, json);
	else
		return false;
	return true;
}

/* Vegas's own rtt in µs when it has one: ss computes "send" from it instead of tcpi_rtt. */
static uint32_t vegas_rtt(const char *cong, const sockopt_value *cc)
{
	struct tcpvegas_info v;

	if (!cong || !cc || strcmp(cong, "vegas") != 0 || cc->len != sizeof(v))
		return 0;
	memcpy(&v, cc->v.bytes, sizeof(v));
	return v.tcpv_enabled && v.tcpv_rtt != 0x7fffffff ? v.tcpv_rtt : 0;
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

/* Rates, last-activity times and the rest of TI, as the end of ss -i's line; RTT in µs for "send". */
static void add_tcp_rates(struct line *l, const struct tcp_info *ti, uint32_t rtt)
{
	if (rtt && ti->tcpi_snd_mss && ti->tcpi_snd_cwnd)
		add_bps(l, " send ", (double)ti->tcpi_snd_cwnd * ti->tcpi_snd_mss * 8000000.0 / rtt);
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
	char cc[256];
	struct tcp_info ti;
	uint32_t rtt;

	memset(&ti, 0, sizeof(ti));
	memcpy(&ti, info->v.bytes, info->len < sizeof(ti) ? info->len : sizeof(ti));
	buf[0] = '\0';
	add_tcp_flags_and_times(&l, &ti, cong);
	add_tcp_counters(&l, &ti);
	if (show_ss_cc_info(cong, cc_info, false, cc, sizeof(cc)))
		add(&l, " %s", cc);
	rtt = vegas_rtt(cong, cc_info);
	add_tcp_rates(&l, &ti, rtt ? rtt : ti.tcpi_rtt);
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
