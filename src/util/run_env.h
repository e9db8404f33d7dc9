/* run_env.h: the environment variables through which `sockopt run` hands its spec to the preload shim. */
#ifndef SOCKOPT_RUN_ENV_H
#define SOCKOPT_RUN_ENV_H

#include <string.h>

#include "sockopt.h"

/* Which sockets the entries of one variable are for. */
enum run_slot {
	RUN_SLOT_COMMON,  /* every socket, each entry at its phase */
	RUN_SLOT_CONNECT, /* sockets that connect, before connect() */
	RUN_SLOT_LISTEN,  /* sockets that listen, before listen() */
	RUN_SLOT_ACCEPT,  /* accepted sockets (inherited options go on the listener) */
	RUN_SLOT_COUNT
};

/* The kinds that listen and accept. */
#define RUN_KINDS_ACCEPTING                                                                  \
	(SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6 | SOCKOPT_KIND_UNIX | SOCKOPT_KIND_UNIX_SEQPACKET)

/*
 * One spec variable: its name, the `sockopt run` flag that fills it, the
 * phase its entries get, its slot, and the kinds its sockets can be.
 */
static const struct run_var {
	const char *name;
	const char *flag;
	int phase;
	enum run_slot slot;
	unsigned kinds;
} run_vars[] = {
	{ "SOCKOPT_SPEC", "option", SOCKOPT_PHASE_CATALOG, RUN_SLOT_COMMON, SOCKOPT_KIND_ALL },
	{ "SOCKOPT_SPEC_SOCKET", "on-socket", SOCKOPT_PHASE_ANY, RUN_SLOT_COMMON,
	  SOCKOPT_KIND_ALL },
	{ "SOCKOPT_SPEC_BIND", "before-bind", SOCKOPT_PHASE_BEFORE_BIND, RUN_SLOT_COMMON,
	  SOCKOPT_KIND_ALL },
	{ "SOCKOPT_SPEC_CONNECT", "before-connect", SOCKOPT_PHASE_BEFORE_CONNECT,
	  RUN_SLOT_CONNECT, SOCKOPT_KIND_ALL },
	{ "SOCKOPT_SPEC_LISTEN", "before-listen", SOCKOPT_PHASE_BEFORE_CONNECT, RUN_SLOT_LISTEN,
	  RUN_KINDS_ACCEPTING },
	{ "SOCKOPT_SPEC_ACCEPT", "after-accept", SOCKOPT_PHASE_AFTER_ACCEPT, RUN_SLOT_ACCEPT,
	  RUN_KINDS_ACCEPTING },
};
#define RUN_VAR_COUNT (sizeof(run_vars) / sizeof(run_vars[0]))

/* The file the shim logs to (--log); without it, its copy of the standard error it starts with. */
#define RUN_LOG_VAR "SOCKOPT_LOG"

/* The variable of comma-separated words below: the socket filter and the switches. */
#define RUN_FLAGS_VAR "SOCKOPT_RUN_FLAGS"

enum run_switch {
	RUN_VERBOSE = 1u << 0, /* log every applied, skipped and failed entry on stderr */
	RUN_STRICT = 1u << 1,  /* a failed entry fails the program's call */
};

#define RUN_KINDS_TCP (SOCKOPT_KIND_TCP | SOCKOPT_KIND_TCP6)
#define RUN_KINDS_UDP (SOCKOPT_KIND_UDP | SOCKOPT_KIND_UDP6)
#define RUN_KINDS_V4 (SOCKOPT_KIND_TCP | SOCKOPT_KIND_UDP | SOCKOPT_KIND_RAW)
#define RUN_KINDS_V6 (SOCKOPT_KIND_TCP6 | SOCKOPT_KIND_UDP6 | SOCKOPT_KIND_RAW6)

/* One word of SOCKOPT_RUN_FLAGS: the kinds a protocol or family filter keeps, or a switch. */
static const struct run_word {
	const char *word;
	unsigned protocol_kinds;
	unsigned family_kinds;
	unsigned switches;
} run_words[] = {
	{ "tcp", RUN_KINDS_TCP, 0, 0 },
	{ "udp", RUN_KINDS_UDP, 0, 0 },
	{ "ipv4", 0, RUN_KINDS_V4, 0 },
	{ "ipv6", 0, RUN_KINDS_V6, 0 },
	{ "verbose", 0, 0, RUN_VERBOSE },
	{ "strict", 0, 0, RUN_STRICT },
};
#define RUN_WORD_COUNT (sizeof(run_words) / sizeof(run_words[0]))

/*
 * Parse the words of TEXT (NULL: none) into the kinds the shim touches
 * and the switches.  Protocol words add up, family words add up, and the
 * two filters intersect: "tcp,ipv6" keeps tcp6 only; without a word of a
 * filter it keeps every kind.  False on an unknown or empty word.
 */
static inline bool run_flags_parse(const char *text, unsigned *kinds, unsigned *switches)
{
	unsigned protocols = 0, families = 0;

	*switches = 0;
	for (const char *p = text; p && *p; p += *p == ',') {
		size_t len = strcspn(p, ","), i;

		for (i = 0; i < RUN_WORD_COUNT; i++)
			if (strlen(run_words[i].word) == len &&
			    strncmp(run_words[i].word, p, len) == 0)
				break;
		if (i == RUN_WORD_COUNT)
			return false;
		protocols |= run_words[i].protocol_kinds;
		families |= run_words[i].family_kinds;
		*switches |= run_words[i].switches;
		p += len;
	}
	*kinds = (protocols ? protocols : SOCKOPT_KIND_ALL) &
		 (families ? families : SOCKOPT_KIND_ALL);
	return true;
}

#endif /* SOCKOPT_RUN_ENV_H */
