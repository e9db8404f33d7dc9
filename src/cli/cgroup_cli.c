/* cgroup_cli.c: a spec turned into entries for the cgroup programs, loaded and probed, and what they did told back. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgroup_cli.h"
#include "msg.h"

/* Append TEXT to the field DST of SIZE bytes, comma-separated; false when it does not fit. */
static bool info_append(char *dst, size_t size, const char *text)
{
	size_t len = strlen(dst);

	return snprintf(dst + len, size - len, "%s%s", len ? "," : "", text) < (int)(size - len);
}

int cg_request_add(struct cg_request *req, const char *flag, const char *text, int phase,
		   unsigned when)
{
	struct sockopt_diag d = { 0 };
	sockopt_spec *spec = sockopt_spec_new();
	int r;

	if (!spec)
		return fail(EXIT_FAILED, "Out of memory.");
	r = sockopt_spec_add(spec, text, phase, &d);
	if (r == 0)
		r = sockopt_spec_validate(spec, req->kinds, &d);
	for (size_t i = 0; r == 0 && i < sockopt_spec_count(spec); i++) {
		if (req->count == CG_MAX_ENTRIES) {
			snprintf(d.text, sizeof(d.text), "the cgroup programs carry at most %d options.",
				 CG_MAX_ENTRIES);
			r = -E2BIG;
		} else {
			r = cg_entry_from_spec(spec, i, req->kinds, when, &req->entry[req->count], &d);
			req->count += r == 0;
		}
	}
	sockopt_spec_free(spec);
	if (r == 0 && !info_append(req->info.spec, sizeof(req->info.spec), text))
		snprintf(d.text, sizeof(d.text), "the spec is longer than %zu bytes.",
			 sizeof(req->info.spec) - 1), r = -E2BIG;
	if (r < 0)
		return fail(r == -ENOMEM ? EXIT_FAILED : EXIT_USAGE, "%s: %s", flag, d.text);
	return EXIT_OK;
}

int cg_request_pin(struct cg_request *req, const char *names)
{
	struct sockopt_diag d = { 0 };
	char name[64];

	for (const char *p = names; *p; p += *p == ',') {
		size_t len = strcspn(p, ",");

		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		p += len;
		if (cg_entries_pin(req->entry, req->count, name, &d) < 0)
			return fail(EXIT_USAGE, "%s", d.text);
	}
	if (!info_append(req->info.pins, sizeof(req->info.pins), names))
		return fail(EXIT_USAGE, "--pin: the list is longer than %zu bytes.",
			    sizeof(req->info.pins) - 1);
	return EXIT_OK;
}

int cg_request_load(struct cg_request *req, const char *parent, struct cg_load **out)
{
	struct sockopt_diag d = { 0 };
	int r;

	/* The probe's own sockets are not the command's: verbose only after it. */
	req->info.verbose = false;
	r = cg_load_new(req->entry, req->count, &req->info, out, &d);
	if (r == 0)
		r = cg_load_probe(*out, parent, req->entry, req->count, &d);
	req->info.verbose = req->verbose;
	if (r == 0 && req->verbose)
		r = cg_load_set_info(*out, &req->info, &d);
	if (r == 0)
		return EXIT_OK;
	cg_load_free(*out);
	*out = NULL;
	return fail(r == -EOPNOTSUPP ? EXIT_USAGE : EXIT_FAILED, "%s", d.text);
}

void cg_entry_label(const struct cg_entry *e, char *buf, size_t size)
{
	const sockopt_entry *opt = sockopt_catalog_find_number(e->level, e->optname);
	sockopt_value v = { .len = e->len };
	char text[SOCKOPT_TEXT_MAX] = "?";

	memcpy(v.v.bytes, e->value, e->len < sizeof(v.v.bytes) ? e->len : sizeof(v.v.bytes));
	if (opt)
		sockopt_type_format(sockopt_entry_type(opt), &v, text, sizeof(text));
	snprintf(buf, size, "%s=%s", opt ? sockopt_entry_name(opt) : "?", text);
}

void cg_format_moments(const unsigned long long *count, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned w = 0; w < CG_WHEN_COUNT && len < size; w++)
		if (count[w])
			len += (size_t)snprintf(buf + len, size - len, "%s%s %llu", len ? ", " : "",
						cg_when_name(1u << w), count[w]);
}

void cg_format_tried(const struct cg_entry *e, const struct cg_stat *s, char *buf, size_t size)
{
	struct cg_entry tried = *e;
	char want[160], label[160];

	cg_entry_label(e, label, sizeof(label));
	tried.len = s->tried_len < sizeof(tried.value) ? s->tried_len : 0;
	memcpy(tried.value, s->tried_value, tried.len);
	if (tried.len)
		cg_entry_label(&tried, want, sizeof(want));
	else
		snprintf(want, sizeof(want), "%.*s", (int)strcspn(label, "="), label);
	snprintf(buf, size, "%.16s tried to set %s %llu time%s; kept %s",
		 s->tried_comm[0] ? s->tried_comm : "the program", want, s->tried,
		 s->tried == 1 ? "" : "s", strchr(label, '=') + 1);
}

void cg_format_applied(const struct cg_stat *s, char *buf, size_t size)
{
	char done[160], failed[160];

	cg_format_moments(s->applied, done, sizeof(done));
	cg_format_moments(s->failed, failed, sizeof(failed));
	snprintf(buf, size, "%s%s%s%s%s", *done ? "applied at " : "", done,
		 *done && *failed ? "; " : "", *failed ? "failed at " : "",
		 *done || *failed ? failed : "reached no socket");
}

void cg_request_report(const struct cg_entry *e, size_t n, struct cg_load *l)
{
	for (size_t i = 0; i < n; i++) {
		struct cg_stat s;
		char label[160], text[400];

		if (cg_load_stat(l, i, &s) < 0)
			continue;
		cg_entry_label(&e[i], label, sizeof(label));
		cg_format_applied(&s, text, sizeof(text));
		fprintf(stderr, "sockopt: %s %s\n", label, text);
		if (s.tried) {
			cg_format_tried(&e[i], &s, text, sizeof(text));
			fprintf(stderr, "sockopt: %s\n", text);
		}
	}
}

void cg_request_event(const struct cg_event *ev, void *ctx)
{
	const struct cg_request *req = ctx;
	char label[160];

	if (ev->entry >= req->count)
		return;
	cg_entry_label(&req->entry[ev->entry], label, sizeof(label));
	if (ev->pid)
		fprintf(stderr, "sockopt: pid %u (%.16s) socket %llu at %s: %s %s%s\n", ev->pid,
			ev->comm, ev->cookie, cg_when_name(ev->when), label,
			ev->error ? "failed: " : "applied", ev->error ? strerror(-ev->error) : "");
	else
		fprintf(stderr, "sockopt: socket %llu at %s: %s %s%s\n", ev->cookie,
			cg_when_name(ev->when), label, ev->error ? "failed: " : "applied",
			ev->error ? strerror(-ev->error) : "");
}
