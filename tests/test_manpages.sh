#!/bin/sh
# test_manpages.sh: the man pages render without warnings and keep up with the code: every
# subcommand in sockopt(1), every header function in libsockopt(3), every option in the listing.
set -eu
cd "$(dirname "$0")/.."
SOCKOPT=${SOCKOPT:-build/sockopt}
generated=${SOCKOPT_BUILD:-build}/doc/sockopt.1
failed=0
fail() {
	echo "FAIL: $*"
	failed=1
}

for page in man/sockopt.1 man/libsockopt.3 man/sockopt-policy.5 "$generated"; do
	warnings=$(MANWIDTH=80 man -l "$page" 2>&1 >/dev/null; groff -man -ww -z "$page" 2>&1)
	[ -z "$warnings" ] || fail "$page renders with warnings: $warnings"
done

# The .TP paragraph heads of section SECTION of PAGE: the first word of the line after each .TP.
section_heads() { # PAGE SECTION
	awk -v section="$2" '
		/^\.SH / { inside = ($0 == ".SH " section) }
		inside && tp { print $2; tp = 0; next }
		inside && /^\.TP/ { tp = 1 }' "$1"
}
commands=$("$SOCKOPT" --help | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p')
described=$(section_heads man/sockopt.1 COMMANDS)
schemas=$(section_heads man/sockopt.1 "JSON OUTPUT")
for c in $commands; do
	echo "$described" | grep -qx "$c" ||
		fail "sockopt $c is not described under COMMANDS in man/sockopt.1"
	if "$SOCKOPT" "$c" --help 2>/dev/null | grep -q -- '--json'; then
		echo "$schemas" | grep -qx "$c" ||
			fail "the --json schema of sockopt $c is not under JSON OUTPUT in man/sockopt.1"
	fi
done

for name in $(grep -o '[ *]sockopt_[a-z0-9_]*(' include/sockopt.h | tr -d ' *(' | sort -u); do
	grep -q "$name" man/libsockopt.3 || fail "$name (include/sockopt.h) is not in man/libsockopt.3"
done

# The source page read on its own lists the options (man -l man/sockopt.1 on a clone), and its
# listing is the one the catalog makes now (make man-catalog rewrites it).
MANWIDTH=80 man -l man/sockopt.1 2>/dev/null | sed -n '/^OPTIONS/,/^FILES/p' | grep -q '^ *TCP_DEFER_ACCEPT$' ||
	fail "man -l man/sockopt.1: the OPTIONS section lists no options"
catalog_doc=${SOCKOPT_BUILD:-build}/tools/catalog-doc
if [ -x "$catalog_doc" ]; then
	"$catalog_doc" roff | sh tools/man-catalog.sh man/sockopt.1 /dev/stdin | cmp -s - man/sockopt.1 ||
		fail "man/sockopt.1: the OPTIONS listing differs from the catalog; run make man-catalog"
else
	fail "$catalog_doc is not built (make all builds it)"
fi

# The generated listing names every option of the catalog.
for name in $("$SOCKOPT" list | awk 'NR > 1 { print $1 }'); do
	grep -qx "\.B $name" "$generated" || fail "$generated does not list $name"
done

[ $failed = 0 ] && echo "ok: the man pages render and cover $(echo $commands | wc -w) subcommands," \
	"the header's functions and the catalog"
exit $failed
