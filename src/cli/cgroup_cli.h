/* cgroup_cli.h: what `sockopt run --cgroup` and `sockopt attach` share: the request, its entries, the report. */
#ifndef SOCKOPT_CGROUP_CLI_H
#define SOCKOPT_CGROUP_CLI_H

#include <stdbool.h>

#include "../bpf/cgroup.h"

/* A spec for the cgroup programs: the entries and what to tell. */
struct cg_request {
	struct cg_entry entry[CG_MAX_ENTRIES];
	size_t count;
	struct cg_info info;
	unsigned kinds; /* SOCKOPT_KIND_* the filter flags keep */
	bool verbose, report;
};

/* Add the spec TEXT given with FLAG ("-o", "--after-accept") at PHASE and WHEN; an exit code. */
int cg_request_add(struct cg_request *req, const char *flag, const char *text, int phase,
		   unsigned when);
/* Pin the options named in the comma-separated NAMES; an exit code. */
int cg_request_pin(struct cg_request *req, const char *names);
/* Load the programs and try the spec in a scratch cgroup under PARENT; an exit code. */
int cg_request_load(struct cg_request *req, const char *parent, struct cg_load **out);
/* "NAME=VALUE" of an entry, in the catalog's canonical form. */
void cg_entry_label(const struct cg_entry *e, char *buf, size_t size);
/* "connect 3, accept 2": the moments of COUNT (one per enum cg_when bit) that are not 0. */
void cg_format_moments(const unsigned long long *count, char *buf, size_t size);
/* "applied at connect 3; failed at accept 1", or "reached no socket". */
void cg_format_applied(const struct cg_stat *s, char *buf, size_t size);
/* "redis-server tried to set TCP_KEEPIDLE=5m 12 times; kept 30s" for pinned entry E. */
void cg_format_tried(const struct cg_entry *e, const struct cg_stat *s, char *buf, size_t size);
/* One line per entry: where it was applied, and what the programs kept out. */
void cg_request_report(const struct cg_entry *e, size_t n, struct cg_load *l);
/* Print one --verbose event (an application) on stderr. */
void cg_request_event(const struct cg_event *ev, void *req);

#endif /* SOCKOPT_CGROUP_CLI_H */
