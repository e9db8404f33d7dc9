/* show_print.c: one socket of `sockopt show` as an ss-like table row or a JSON object. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "print.h"
#include "show.h"

#define FRAGMENT_MAX (8 * SOCKOPT_VALUE_MAX)

/*
 * The inode of our network namespace, read before any socket: the BPF
 * backend prints the sockets of another namespace from inside it.
 */
static unsigned long long own_netns;

void show_print_start(void)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st) == 0)
		own_netns = st.st_ino;
}

void show_print_header(void)
{
	print_text("%-7s %-15s %-5s %-10s %-11s %6s %6s %-25s %-25s %s\n", "PID", "COMMAND", "FD",
		   "PROTO", "STATE", "RECV-Q", "SEND-Q", "LOCAL", "PEER", "OPTIONS");
}

/* Whether E is LEVEL/OPTNAME. */
static bool is(const sockopt_entry *e, int level, int optname)
{
	return sockopt_entry_level(e) == level && sockopt_entry_optname(e) == optname;
}

/* Whether V is SO_MAX_PACING_RATE's "no limit", ~0 (what a fresh socket holds), said "unlimited" as ss does. */
static bool unlimited(const sockopt_entry *e, const sockopt_value *v)
{
	return is(e, SOL_SOCKET, SO_MAX_PACING_RATE) && v->len == sizeof(uint64_t) &&
	       v->v.u64 == UINT64_MAX;
}

/* Append the N hex digits of the LEN bytes at S to BUF (room for 2 * LEN + 1 assumed). */
static void hex_into(char *buf, const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sprintf(buf + 2 * i, "%02x", s[i]);
	buf[2 * len] = '\0';
}

/*
 * The JSON members "text": TEXT and, when TEXT is not UTF-8 (an interface
 * or congestion control name with any bytes), "text_hex": its exact bytes.
 */
static void json_text_members(char *buf, size_t size, const char *text)
{
	size_t len = strlen(text), replaced = 0, n;
	int q;

	snprintf(buf, size, "\"text\": ");
	n = strlen(buf);
	q = sockopt_json_string(text, len, buf + n, size - n, &replaced);
	if (q < 0 || !replaced || (n += (size_t)q) + 2 * len + 16 > size)
		return;
	n += (size_t)snprintf(buf + n, size - n, ",\"text_hex\": \"");
	hex_into(buf + n, (const unsigned char *)text, len);
	strcat(buf + n, "\"");
}

/*
 * Option E = V as text: "NAME=value" by its kernel name, "NAME" alone for
 * a boolean that is on, "NAME=-" for an empty value (no device bound, no
 * filter).  Names in values (interfaces, congestion control) may hold any
 * byte and are escaped to one line; addresses come escaped already.
 */
static void format_option_text(char *buf, size_t size, const sockopt_entry *e,
			       const sockopt_value *v)
{
	char raw[2 * SOCKOPT_VALUE_MAX], text[4 * SOCKOPT_VALUE_MAX];
	const char *name = sockopt_entry_name(e);
	enum sockopt_type t = sockopt_entry_type(e);

	sockopt_type_format(t, v, raw, sizeof(raw));
	if (unlimited(e, v))
		snprintf(raw, sizeof(raw), "unlimited");
	if (t == SOCKOPT_TYPE_SOCKADDR)
		snprintf(text, sizeof(text), "%s", raw);
	else
		sockopt_text_escape(raw, strlen(raw), text, sizeof(text));
	if (t == SOCKOPT_TYPE_BOOL && v->v.i)
		snprintf(buf, size, "%s", name);
	else if (!text[0])
		snprintf(buf, size, "%s=-", name);
	else if (strchr(text, ' ')) /* keep a struct in one column: info={state=LISTEN …} */
		snprintf(buf, size, "%s={%s}", name, text);
	else
		snprintf(buf, size, "%s=%s", name, text);
}

/*
 * Format option E = V into BUF: for JSON the object {"name", "value",
 * "text", "default"} with the encoding of `sockopt defaults --json` (an
 * empty value is null in both "value" and "text"); for
 * text as format_option_text.
 */
static void format_option(char *buf, size_t size, const sockopt_entry *e, const sockopt_value *v,
			  int is_default, bool json)
{
	char text[2 * SOCKOPT_VALUE_MAX], value[2 * SOCKOPT_VALUE_MAX], members[8 * SOCKOPT_VALUE_MAX];
	enum sockopt_type t = sockopt_entry_type(e);

	if (!json) {
		format_option_text(buf, size, e, v);
		return;
	}
	sockopt_type_format(t, v, text, sizeof(text));
	sockopt_type_format_json(t, v, value, sizeof(value));
	if (unlimited(e, v))
		snprintf(text, sizeof(text), "unlimited");
	if (is(e, SOL_SOCKET, SO_MEMINFO) && show_ss_skmem(v, false, text, sizeof(text)))
		show_ss_skmem(v, true, value, sizeof(value));
	if (text[0]) {
		json_text_members(members, sizeof(members), text);
	} else { /* an empty value (no device bound, no filter) is null, as in print_option_value */
		snprintf(value, sizeof(value), "null");
		snprintf(members, sizeof(members), "\"text\": null");
	}
	snprintf(buf, size, "{\"name\": \"%s\",\"value\": %s,%s,\"default\": %s}",
		 sockopt_entry_name(e), value, members,
		 is_default > 0 ? "true" : is_default == 0 ? "false" : "null");
}

/* Slot I of KIND in C (two per option: its default value, the last other value), grown on demand. */
static struct show_fragment *slot(struct show_cache *c, unsigned kind, size_t i)
{
	size_t k = (size_t)__builtin_ctz(kind);

	if (k >= sizeof(c->counts) / sizeof(c->counts[0]))
		return NULL;
	if (i >= c->counts[k]) {
		size_t n = i + 16;
		struct show_fragment *grown = realloc(c->slots[k], n * sizeof(*grown));

		if (!grown)
			return NULL;
		memset(grown + c->counts[k], 0, (n - c->counts[k]) * sizeof(*grown));
		c->slots[k] = grown;
		c->counts[k] = n;
	}
	return &c->slots[k][i];
}

/* P grown to NEED bytes when *SIZE is smaller (*SIZE updated), or NULL when out of memory. */
static void *grow(void *p, size_t *size, size_t need)
{
	void *grown;

	if (need <= *size)
		return p;
	grown = realloc(p, need);
	if (grown)
		*size = need;
	return grown;
}

/* Keep TEXT and the value V it was made from in F (nothing is kept when out of memory). */
static void keep(struct show_fragment *f, const char *text, const sockopt_value *v, int is_default)
{
	size_t n = strlen(text) + 1;
	char *t = grow(f->text, &f->text_size, n);
	unsigned char *b;

	if (t)
		f->text = t;
	b = grow(f->bytes, &f->bytes_size, v->len ? v->len : 1);
	if (b)
		f->bytes = b;
	if (!t || !b) {
		f->is_default = -2; /* matches no socket until kept again */
		return;
	}
	memcpy(f->text, text, n);
	memcpy(f->bytes, v->v.bytes, v->len);
	f->len = v->len;
	f->is_default = is_default;
}

/*
 * Option E = V of KIND, index I, formatted: most options of a kind hold
 * the same value on socket after socket (their default, or what the
 * program sets on all of them), so the text of the default and of the
 * last other value is kept and reused while the value bytes are the same;
 * only values that change (TCP_INFO, timestamps) are formatted each time.
 */
static const char *fragment(struct show_cache *c, unsigned kind, size_t i, const sockopt_entry *e,
			    const sockopt_value *v, int is_default, bool json, char *buf,
			    size_t size)
{
	struct show_fragment *f = slot(c, kind, 2 * i + (is_default != 1));

	if (f && f->text && f->is_default == is_default && f->len == v->len &&
	    memcmp(f->bytes, v->v.bytes, v->len) == 0)
		return f->text;
	format_option(buf, size, e, v, is_default, json);
	if (f)
		keep(f, buf, v, is_default);
	return buf;
}

void show_cache_free(struct show_cache *c)
{
	for (size_t k = 0; k < sizeof(c->counts) / sizeof(c->counts[0]); k++) {
		for (size_t i = 0; i < c->counts[k]; i++) {
			free(c->slots[k][i].text);
			free(c->slots[k][i].bytes);
		}
		free(c->slots[k]);
	}
	free(c->group);
	free(c->index);
}

/* Append TEXT and a space to the level group being gathered in C; false when out of memory. */
static bool group_add(struct show_cache *c, size_t *len, const char *text)
{
	size_t n = strlen(text);
	char *g = grow(c->group, &c->group_size, *len + n + 2);

	if (!g)
		return false;
	c->group = g;
	memcpy(g + *len, text, n);
	*len += n;
	g[(*len)++] = ' ';
	g[*len] = '\0';
	return true;
}

/* Print the gathered group of LEVEL as "    socket   SO_DEBUG=off …", wrapped under its label. */
static void group_flush(struct show_cache *c, size_t *len, const char *label)
{
	if (!*len)
		return;
	c->group[*len - 1] = '\0';
	print_text("    %-8s ", label);
	print_wrapped(c->group, 13, 13);
	*len = 0;
}

/* The values ss prints in words of its own, kept while the options go by. */
struct ss_values {
	const sockopt_value *info, *cc_info, *meminfo;
	char cong[32];
};

/* Note V when E is one of the options the ss line is made from; true when it goes only there. */
static bool ss_value(struct ss_values *ss, const sockopt_entry *e, const sockopt_value *v)
{
	if (is(e, IPPROTO_TCP, TCP_CONGESTION))
		snprintf(ss->cong, sizeof(ss->cong), "%.*s",
			 (int)strnlen((const char *)v->v.bytes, v->len), (const char *)v->v.bytes);
	if (is(e, IPPROTO_TCP, TCP_INFO))
		ss->info = v;
	else if (is(e, IPPROTO_TCP, TCP_CC_INFO))
		ss->cc_info = v;
	else if (is(e, SOL_SOCKET, SO_MEMINFO))
		ss->meminfo = v;
	else
		return false;
	return true;
}

/*
 * TCP_CC_INFO = V of SOCK as the JSON option object, its value decoded for
 * the socket's congestion control; false when it is not that algorithm's
 * struct.  Not kept in the fragment cache, which knows the value bytes but
 * not the algorithm.
 */
static bool cc_info_json(char *buf, size_t size, const sockopt_sock *sock, const sockopt_value *v,
			 int is_default)
{
	long i = sockopt_sock_option_index(sock, IPPROTO_TCP, TCP_CONGESTION);
	const sockopt_entry *e;
	const sockopt_value *name;
	char text[256], value[512], cong[32];

	if (i < 0 || sockopt_sock_option(sock, (size_t)i, &e, &name) < 0)
		return false;
	snprintf(cong, sizeof(cong), "%.*s", (int)strnlen((const char *)name->v.bytes, name->len),
		 (const char *)name->v.bytes);
	/* Both are made of ASCII words and numbers only: nothing to escape. */
	if (!show_ss_cc_info(cong, v, false, text, sizeof(text)) ||
	    !show_ss_cc_info(cong, v, true, value, sizeof(value)))
		return false;
	return snprintf(buf, size, "{\"name\": \"TCP_CC_INFO\",\"value\": %s,\"text\": \"%s\",\"default\": %s}",
			value, text, is_default > 0 ? "true" : is_default == 0 ? "false" : "null") <
	       (int)size;
}

/* The ss line of --all text: "    ss       skmem:(…) ts sack bbr wscale:10,10 rto:204 …". */
static void print_ss_line(struct show_cache *c, const struct ss_values *ss)
{
	char info[2048], skmem[160] = "";
	size_t len = 0;

	if (ss->meminfo && show_ss_skmem(ss->meminfo, false, skmem, sizeof(skmem)))
		group_add(c, &len, skmem);
	if (ss->info) {
		show_ss_tcp_info(ss->info, ss->cong, ss->cc_info, info, sizeof(info));
		if (info[0])
			group_add(c, &len, info);
	}
	group_flush(c, &len, "ss");
}

/*
 * TEXT of an option the kernel records SET (1) or not (0) the program set
 * (sockopt_sock_option_set_by_program): in JSON the member
 * "set_by_program"; in text "(set)" after a value equal to the default
 * (IS_DEFAULT), which would otherwise pass for one never set.  Added after
 * the fragment cache, which knows the value but not the lock bits.
 */
static const char *mark_set_by_program(char *buf, size_t size, const char *text, bool json,
				       int set, int is_default)
{
	/* memcpy, not snprintf: with --all --json this is two options of every socket. */
	static const char member[] = ",\"set_by_program\": ";
	const char *word = json ? (set ? "true}" : "false}") : "(set)";
	size_t n = strlen(text), w = strlen(word);

	if (json ? !n || text[n - 1] != '}' : set != 1 || is_default != 1)
		return text;
	if (json)
		n--; /* the closing brace, put back after the member */
	if (n + sizeof(member) + w > size)
		return text;
	memcpy(buf, text, n);
	if (json) {
		memcpy(buf + n, member, sizeof(member) - 1);
		n += sizeof(member) - 1;
	}
	memcpy(buf + n, word, w + 1);
	return buf;
}

/*
 * The indexes of the options of SOCK to print into C->index: every one
 * read with ALL, otherwise those a program changed (sockopt_sock_changed);
 * their count (none when out of memory).
 */
static size_t options_to_print(struct show_cache *c, const sockopt_sock *sock, bool all)
{
	size_t count = sockopt_sock_option_count(sock), n = 0;
	size_t *index = grow(c->index, &c->index_room, (count ? count : 1) * sizeof(*index));

	if (!index)
		return 0;
	c->index = index;
	if (!all)
		return sockopt_sock_changed(sock, index, count);
	for (size_t i = 0; i < count; i++) {
		const sockopt_entry *e;
		const sockopt_value *v;

		if (sockopt_sock_option(sock, i, &e, &v) >= 0)
			index[n++] = i;
	}
	return n;
}

/*
 * Print the options of SOCK: every one read with ALL, otherwise the
 * settable ones whose value differs from a fresh socket of the same kind
 * (read-only ones describe the socket, and the other columns show that),
 * or that the kernel records were set to it.
 * The text of --all puts them under the socket's row, one group per
 * level, then TCP_INFO and SO_MEMINFO in the words of ss -tiem.
 */
static void print_options(struct show_cache *c, const sockopt_sock *sock, bool all)
{
	bool json = print_is_json(), first = true, grouped = all && !json;
	char buf[FRAGMENT_MAX], cc[1024], marked[FRAGMENT_MAX + 32];
	struct ss_values ss = { NULL, NULL, NULL, "" };
	size_t len = 0, n = options_to_print(c, sock, all);
	int level = -1;

	print_open_array("options");
	for (size_t k = 0; k < n; k++) {
		size_t i = c->index[k];
		const sockopt_entry *e;
		const sockopt_value *v;
		const char *text;
		int d, set;

		sockopt_sock_option(sock, i, &e, &v);
		d = sockopt_sock_option_is_default(sock, i);
		set = sockopt_sock_option_set_by_program(sock, i);
		if (grouped && ss_value(&ss, e, v))
			continue;
		if (json && is(e, IPPROTO_TCP, TCP_CC_INFO) &&
		    cc_info_json(cc, sizeof(cc), sock, v, d))
			text = cc;
		else
			text = fragment(c, sockopt_sock_kind(sock), i, e, v, d, json, buf, sizeof(buf));
		if (set >= 0)
			text = mark_set_by_program(marked, sizeof(marked), text, json, set, d);
		if (json) {
			print_json_value(NULL, text);
		} else if (grouped) {
			if (sockopt_entry_level(e) != level)
				group_flush(c, &len, sockopt_level_name(level));
			level = sockopt_entry_level(e);
			group_add(c, &len, text);
		} else {
			print_text("%s%s", first ? "" : " ", text);
		}
		first = false;
	}
	if (grouped) {
		group_flush(c, &len, sockopt_level_name(level));
		print_ss_line(c, &ss);
	}
	print_close_array();
}

/*
 * The name of a unix socket address as bytes into BUF: "@" and the
 * abstract name with its NULs, or the path up to its NUL; -1 when V is
 * not a named unix address.
 */
static ssize_t unix_name(const sockopt_value *v, char *buf, size_t size)
{
	size_t base = offsetof(struct sockaddr_un, sun_path), n;
	struct sockaddr_un sun;

	if (v->len <= base || v->len > sizeof(sun) || size < sizeof(sun.sun_path) + 1)
		return -1;
	memcpy(&sun, v->v.bytes, v->len);
	if (sun.sun_family != AF_UNIX)
		return -1;
	n = v->len - base;
	if (sun.sun_path[0] != '\0') {
		n = strnlen(sun.sun_path, n);
		memcpy(buf, sun.sun_path, n);
		return (ssize_t)n;
	}
	buf[0] = '@';
	memcpy(buf + 1, sun.sun_path + 1, n - 1);
	return (ssize_t)n;
}

/*
 * An address, or "*" (JSON null) when there is none.  Text takes the
 * library's form, in which a unix name is escaped to one line; JSON takes
 * a unix name's exact bytes (print_bytes).
 */
static void print_address(const char *key, const sockopt_value *v)
{
	char text[2 * SOCKOPT_VALUE_MAX];
	ssize_t n;

	if (v->len == 0) {
		print_string(PRINT_JSON, key, NULL, NULL);
		print_text("%-25s ", "*");
		return;
	}
	if (print_is_json() && (n = unix_name(v, text, sizeof(text))) >= 0) {
		print_bytes(PRINT_JSON, key, NULL, text, (size_t)n);
		return;
	}
	sockopt_type_format(SOCKOPT_TYPE_SOCKADDR, v, text, sizeof(text));
	print_string(PRINT_ANY, key, "%-25s ", text);
}

/* A queue length, or "-" (JSON null) when it is unknown. */
static void print_queue(const char *key, long long n)
{
	if (n >= 0)
		print_int(PRINT_ANY, key, "%6lld ", n);
	else
		print_string(PRINT_ANY, key, "%6s ", NULL);
}

/* An int-valued enum (family, type, protocol) by its kernel name, formatted when it changes. */
static void print_enum(struct show_name *last, const char *key, enum sockopt_type t, int n)
{
	if (!last->known || last->n != n) {
		sockopt_value v;

		sockopt_value_set_int(&v, n);
		sockopt_type_format(t, &v, last->text, sizeof(last->text));
		last->n = n;
		last->known = true;
	}
	print_string(PRINT_JSON, key, NULL, last->text);
}

/* The socket's network namespace when the backend learnt it: always in JSON, in text when it is not ours. */
static void print_netns(const sockopt_sock *sock)
{
	unsigned long long ns = sockopt_sock_netns(sock);

	if (!ns)
		return;
	print_int(PRINT_JSON, "netns", NULL, (long long)ns);
	if (ns != own_netns)
		print_text("netns=%llu ", ns);
}

/* MS as ss prints a timer's expiry: "4min50sec", "59sec", "1.200ms" (print_ms_timer in ss.c). */
static void ss_ms(long long ms, char *buf, size_t size)
{
	long long secs = ms / 1000 % 60, minutes = ms / 60000, msecs = ms % 1000;
	size_t n = 0;

	buf[0] = '\0';
	if (minutes) {
		msecs = 0;
		n += (size_t)snprintf(buf, size, "%lldmin", minutes);
		if (minutes > 9)
			secs = 0;
	}
	if (secs && n < size) {
		if (secs > 9)
			msecs = 0;
		n += (size_t)snprintf(buf + n, size - n, "%lld%s", secs, msecs ? "." : "sec");
	}
	if (msecs && n < size)
		snprintf(buf + n, size - n, "%03lldms", msecs);
}

/*
 * The kernel's timer, when the backend learnt it: JSON {"name", "ms"},
 * text as ss words it without the retransmit count, which the backend
 * does not read: "timer:(keepalive,4min50sec)".
 */
static void print_timer(const sockopt_sock *sock)
{
	long long ms = 0;
	const char *name = sockopt_sock_timer(sock, &ms);

	if (!name)
		return;
	print_open_object("timer");
	print_string(PRINT_JSON, "name", NULL, name);
	print_int(PRINT_JSON, "ms", NULL, ms);
	print_close_object();
	if (strcmp(name, "off") != 0) {
		char when[48];

		ss_ms(ms, when, sizeof(when));
		print_text("timer:(%s,%s) ", name, when);
	}
}

/* One holder: JSON {"comm", "pid", "fd"}, text ("comm",pid=P,fd=F) as ss -p prints it. */
static void print_user(const char *comm, pid_t pid, int fd, bool first)
{
	char text[4 * sizeof(((struct show_user *)0)->comm)];

	print_open_object(NULL);
	print_name(PRINT_JSON, "comm", NULL, comm);
	print_int(PRINT_JSON, "pid", NULL, pid);
	print_int(PRINT_JSON, "fd", NULL, fd);
	print_close_object();
	if (print_is_json())
		return;
	sockopt_text_escape(comm, strlen(comm), text, sizeof(text));
	print_text("%s(\"%s\",pid=%d,fd=%d)", first ? "" : ",", text, (int)pid, fd);
}

/*
 * Every process fd that holds SOCK: in JSON always (empty for a socket no
 * process holds), in text only when there is more than the row's own,
 * as users:(("nginx",pid=1,fd=6),("nginx",pid=2,fd=6)).  The fd SOCK was
 * read through comes first when the list taken before the scan lacks it
 * (a process that dup'ed it since).
 */
static void print_users(const sockopt_sock *sock, const struct show_user *users, size_t n)
{
	pid_t pid = sockopt_sock_pid(sock);
	int fd = sockopt_sock_fd(sock);
	bool listed = false, text = !print_is_json();

	for (size_t i = 0; i < n; i++)
		listed |= users[i].pid == pid && users[i].fd == fd;
	if (text && n + !listed <= 1)
		return;
	print_open_array("users");
	if (text)
		print_text("users:(");
	if (!listed && pid > 0)
		print_user(sockopt_sock_comm(sock), pid, fd, true);
	for (size_t i = 0; i < n; i++)
		print_user(users[i].comm, users[i].pid, users[i].fd,
			   i == 0 && (listed || pid <= 0));
	if (text)
		print_text(") ");
	print_close_array();
}

void show_print_socket(struct show_cache *c, const sockopt_sock *sock, bool all,
		       const struct show_user *users, size_t n)
{
	const char *state = sockopt_sock_state_name(sock);

	print_open_object(NULL);
	print_int(PRINT_ANY, "pid", "%-7lld ", sockopt_sock_pid(sock));
	print_name(PRINT_ANY, "comm", "%-15s ", sockopt_sock_comm(sock));
	print_int(PRINT_ANY, "fd", "%-5lld ", sockopt_sock_fd(sock));
	print_int(PRINT_JSON, "inode", NULL, (long long)sockopt_sock_inode(sock));
	print_enum(&c->family, "family", SOCKOPT_TYPE_FAMILY, sockopt_sock_family(sock));
	print_enum(&c->type, "type", SOCKOPT_TYPE_SOCKTYPE, sockopt_sock_type(sock));
	print_enum(&c->protocol, "protocol", SOCKOPT_TYPE_PROTOCOL, sockopt_sock_protocol(sock));
	print_string(PRINT_ANY, "kind", "%-10s ", sockopt_sock_proto_name(sock));
	print_string(PRINT_ANY, "state", "%-11s ", state ? state : "-");
	print_queue("recv_q", sockopt_sock_recv_q(sock));
	print_queue("send_q", sockopt_sock_send_q(sock));
	print_address("local", sockopt_sock_local(sock));
	print_address("peer", sockopt_sock_peer(sock));
	print_string(PRINT_JSON, "backend", NULL, sockopt_sock_backend(sock));
	print_netns(sock);
	print_timer(sock);
	print_users(sock, users, n);
	if (all) { /* the options follow under the row, grouped by level */
		show_print_not_read(&c->not_read, sock, all);
		print_text("\n");
	}
	print_options(c, sock, all);
	if (!all) { /* the count closes the row; with --all it is on the row above the groups */
		show_print_not_read(&c->not_read, sock, all);
		print_text("\n");
	}
	print_close_object();
}
