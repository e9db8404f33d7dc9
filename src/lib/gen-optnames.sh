#!/bin/sh
# gen-optnames.sh: from catalog.def, define each option missing from the
# system headers as its fallback number and check the others against it.
set -eu
printf '/* Generated from %s by gen-optnames.sh; do not edit. */\n' "$1"
sed -n 's/^OPT(\([A-Z0-9_]*\), *\([0-9]*\),.*/\1 \2/p' "$1" | while read -r name num; do
	printf '#ifdef %s\n_Static_assert(%s == %s, "catalog fallback for %s differs from the header");\n#else\n#define %s %s\n#endif\n' \
		"$name" "$name" "$num" "$name" "$name" "$num"
done
