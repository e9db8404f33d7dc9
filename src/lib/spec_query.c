/* spec_query.c: sub-specs picked by phase and catalog flag, for callers that split a spec once. */
#include <errno.h>
#include <stdio.h>

#include "internal.h"

/*
 * The entries are copied through their canonical text, which parses back
 * to the same value (the value syntax round-trips), so this file needs
 * nothing of the spec's representation beyond the public accessors.
 */
SOCKOPT_EXPORT int sockopt_spec_select(const sockopt_spec *spec, int phase, unsigned flags,
				       bool with, sockopt_spec **out, struct sockopt_diag *diag)
{
	char item[64 + 4 * SOCKOPT_VALUE_MAX];
	sockopt_spec *sub;

	if (!spec || phase < SOCKOPT_PHASE_CATALOG || phase >= SOCKOPT_PHASE_COUNT)
		return diag_set(diag, -EINVAL, "No spec or no such phase to select from.");
	sub = sockopt_spec_new();
	if (!sub)
		return diag_set(diag, -ENOMEM, "Out of memory while selecting from a spec.");
	for (size_t i = 0; i < sockopt_spec_count(spec); i++) {
		const sockopt_entry *e = sockopt_spec_entry(spec, i);
		enum sockopt_phase p = sockopt_spec_phase(spec, i);
		unsigned has = sockopt_entry_flags(e) & flags;
		int r;

		if ((phase != SOCKOPT_PHASE_CATALOG && (int)p != phase) ||
		    (with ? has != flags : has != 0))
			continue;
		snprintf(item, sizeof(item), "%s=%s", sockopt_entry_name(e),
			 sockopt_spec_text(spec, i));
		r = sockopt_spec_add(sub, item, (int)p, diag);
		if (r < 0) {
			sockopt_spec_free(sub);
			return r;
		}
	}
	*out = sub;
	return 0;
}
