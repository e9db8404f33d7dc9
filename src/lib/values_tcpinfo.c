/* values_tcpinfo.c: struct tcp_info as named fields, text and JSON. */
#include <errno.h>
#include <limits.h>
#include <linux/tcp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "values.h"

/* The kernel's TCP states (include/net/tcp_states.h), numbered from 1, as ss names them. */
static const char *const tcp_states[] = {
	NULL,	       "ESTABLISHED", "SYN-SENT",   "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2",
	"TIME-WAIT",   "CLOSE",	      "CLOSE-WAIT", "LAST-ACK", "LISTEN",     "CLOSING",
	"NEW-SYN-RECV",
};

const char *tcp_state_name(int state)
{
	return state > 0 && (size_t)state < ARRAY_SIZE(tcp_states) ? tcp_states[state] : NULL;
}

SOCKOPT_EXPORT const char *sockopt_tcp_state_name(int state)
{
	return tcp_state_name(state);
}

/* The fields shown, in order; wscale fields are bit-fields and handled apart. */
enum field_kind { U8, U32, U64, WSCALE_SND, WSCALE_RCV };

#define U8_FIELD(name) { #name, U8, offsetof(struct tcp_info, tcpi_##name) }
#define U32_FIELD(name) { #name, U32, offsetof(struct tcp_info, tcpi_##name) }
#define U64_FIELD(name) { #name, U64, offsetof(struct tcp_info, tcpi_##name) }
static const struct field {
	const char *name;
	enum field_kind kind;
	size_t offset;
} fields[] = {
	U8_FIELD(state), U8_FIELD(ca_state), U8_FIELD(retransmits), U8_FIELD(probes),
	U8_FIELD(backoff), U8_FIELD(options), { "snd_wscale", WSCALE_SND, 0 },
	{ "rcv_wscale", WSCALE_RCV, 0 }, U32_FIELD(rto), U32_FIELD(ato), U32_FIELD(snd_mss),
	U32_FIELD(rcv_mss), U32_FIELD(unacked), U32_FIELD(lost), U32_FIELD(retrans),
	U32_FIELD(pmtu), U32_FIELD(rtt), U32_FIELD(rttvar), U32_FIELD(snd_ssthresh),
	U32_FIELD(snd_cwnd), U32_FIELD(advmss), U32_FIELD(rcv_space), U32_FIELD(total_retrans),
	U64_FIELD(bytes_acked), U64_FIELD(bytes_received), U32_FIELD(segs_out),
	U32_FIELD(segs_in), U32_FIELD(notsent_bytes), U32_FIELD(min_rtt),
	U64_FIELD(delivery_rate),
	/* The rest of what ss -i prints (linux/tcp.h of Debian 12 has them all; Linux 6.18 fills them). */
	U32_FIELD(sacked), U32_FIELD(last_data_sent), U32_FIELD(last_data_recv),
	U32_FIELD(last_ack_recv), U32_FIELD(rcv_ssthresh), U32_FIELD(reordering),
	U32_FIELD(rcv_rtt), U64_FIELD(pacing_rate), U64_FIELD(max_pacing_rate),
	U32_FIELD(data_segs_in), U32_FIELD(data_segs_out), U64_FIELD(busy_time),
	U64_FIELD(rwnd_limited), U64_FIELD(sndbuf_limited), U32_FIELD(delivered),
	U32_FIELD(delivered_ce), U64_FIELD(bytes_sent), U64_FIELD(bytes_retrans),
	U32_FIELD(dsack_dups), U32_FIELD(reord_seen), U32_FIELD(rcv_ooopack), U32_FIELD(snd_wnd),
};

static struct tcp_info value_info(const sockopt_value *v)
{
	struct tcp_info ti;

	memset(&ti, 0, sizeof(ti));
	memcpy(&ti, v->v.bytes, v->len < sizeof(ti) ? v->len : sizeof(ti));
	return ti;
}

static unsigned long long field_get(const struct tcp_info *ti, const struct field *f)
{
	const unsigned char *base = (const unsigned char *)ti + f->offset;
	uint32_t u32;
	uint64_t u64;

	switch (f->kind) {
	case U8:
		return *base;
	case U32:
		memcpy(&u32, base, sizeof(u32));
		return u32;
	case U64:
		memcpy(&u64, base, sizeof(u64));
		return u64;
	case WSCALE_SND:
		return ti->tcpi_snd_wscale;
	case WSCALE_RCV:
		return ti->tcpi_rcv_wscale;
	}
	return 0;
}

/* Store N into field F of TI: 0, or -ERANGE when it does not fit. */
static int field_put(struct tcp_info *ti, const struct field *f, unsigned long long n)
{
	unsigned char *base = (unsigned char *)ti + f->offset;
	uint32_t u32 = (uint32_t)n;
	uint64_t u64 = n;

	switch (f->kind) {
	case U8:
		if (n > UCHAR_MAX)
			return -ERANGE;
		*base = (unsigned char)n;
		return 0;
	case U32:
		if (n > UINT32_MAX)
			return -ERANGE;
		memcpy(base, &u32, sizeof(u32));
		return 0;
	case U64:
		memcpy(base, &u64, sizeof(u64));
		return 0;
	case WSCALE_SND:
	case WSCALE_RCV:
		if (n > 15)
			return -ERANGE;
		if (f->kind == WSCALE_SND)
			ti->tcpi_snd_wscale = n & 15;
		else
			ti->tcpi_rcv_wscale = n & 15;
		return 0;
	}
	return -EINVAL;
}

static void format_field(const struct tcp_info *ti, const struct field *f, struct out *o,
			 bool json)
{
	unsigned long long n = field_get(ti, f);
	const char *state = f->offset == offsetof(struct tcp_info, tcpi_state) && f->kind == U8
				    ? tcp_state_name((int)n)
				    : NULL;

	/* out_puts and out_u64, not out_printf: sockopt show formats this for every TCP socket. */
	if (state && json) {
		out_puts(o, "\"");
		out_puts(o, state);
		out_puts(o, "\"");
	} else if (state) {
		out_puts(o, state);
	} else {
		out_u64(o, n);
	}
}

void format_tcpinfo(const sockopt_value *v, struct out *o)
{
	struct tcp_info ti = value_info(v);

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		out_puts(o, i ? " " : "");
		out_puts(o, fields[i].name);
		out_puts(o, "=");
		format_field(&ti, &fields[i], o, false);
	}
}

void json_tcpinfo(const sockopt_value *v, struct out *o)
{
	struct tcp_info ti = value_info(v);

	out_puts(o, "{");
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		out_puts(o, i ? ", \"" : "\"");
		out_puts(o, fields[i].name);
		out_puts(o, "\": ");
		format_field(&ti, &fields[i], o, true);
	}
	out_puts(o, "}");
}

/* Parse one KEY=VALUE word into TI. */
static int parse_word(struct tcp_info *ti, char *word, const char **problem)
{
	char *eq = strchr(word, '='), *end;
	unsigned long long n;
	size_t i;

	if (!eq) {
		*problem = "has a word without '='";
		return -EINVAL;
	}
	*eq++ = '\0';
	for (i = 0; i < ARRAY_SIZE(fields); i++)
		if (strcmp(word, fields[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(fields)) {
		*problem = "names a tcp_info field sockopt does not show";
		return -EINVAL;
	}
	if (i == 0) {
		for (int s = 1; s < (int)ARRAY_SIZE(tcp_states); s++) {
			if (strcasecmp(eq, tcp_states[s]) == 0) {
				ti->tcpi_state = (unsigned char)s;
				return 0;
			}
		}
	}
	if (*eq < '0' || *eq > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(eq, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	return field_put(ti, &fields[i], n);
}

int parse_tcpinfo(const char *text, sockopt_value *v, const char **problem)
{
	char copy[1024], *save = NULL;
	struct tcp_info ti;

	if (strlen(text) >= sizeof(copy))
		return -ERANGE;
	strcpy(copy, text);
	memset(&ti, 0, sizeof(ti));
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		int r = parse_word(&ti, w, problem);

		if (r)
			return r;
	}
	_Static_assert(sizeof(ti) <= SOCKOPT_VALUE_MAX, "tcp_info fits a value");
	memcpy(v->v.bytes, &ti, sizeof(ti));
	v->len = sizeof(ti);
	return 0;
}
