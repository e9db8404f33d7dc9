#!/bin/sh
# test_catalog_coverage.sh: check src/lib/catalog.def for duplicates and measure how
# much of the reference option list (tests/data/strace-option-names.txt) it covers.
#
# Usage: sh tests/test_catalog_coverage.sh [CATALOG [REFERENCE]]
#
# A reference name is covered when it is the NAME or one of the aliases of some
# catalog entry, ignoring case; the time64 names SO_*_OLD and SO_*_NEW count as
# their plain name.  Prints "level covered/total" per level, the missing names,
# and the total.  Exits 1 when a (level, optname) pair or a name/alias appears
# twice, or when total coverage is below 95%.  Sysctls named by the catalog
# that this machine lacks under /proc/sys are reported as warnings only.
set -eu

here=$(dirname "$0")
catalog=${1:-src/lib/catalog.def}
reference=${2:-$here/data/strace-option-names.txt}

for f in "$catalog" "$reference"; do
	if [ ! -r "$f" ]; then
		echo "catalog_coverage: cannot read $f" >&2
		exit 2
	fi
done

awk -v catalog="$catalog" '
# Plain name for the time64 variants: SO_RCVTIMEO_OLD -> SO_RCVTIMEO.
function plain(n) {
	if (n ~ /^SO_(RCVTIMEO|SNDTIMEO|TIMESTAMP|TIMESTAMPNS|TIMESTAMPING)_(OLD|NEW)$/)
		sub(/_(OLD|NEW)$/, "", n)
	return n
}

# Pass 1: the catalog.  The fields before the first quote are
# NAME, FALLBACK, LEVEL, TYPE, ACCESS, KINDS, PHASE, FLAGS; the first quoted
# string is the alias list.
FNR == NR {
	if ($0 !~ /^OPT\(/)
		next
	head = $0
	sub(/^OPT\(/, "", head)
	sub(/".*/, "", head)
	nf = split(head, f, ",")
	for (i = 1; i <= nf; i++)
		gsub(/^[ \t]+|[ \t]+$/, "", f[i])
	name = f[1]; num = f[2]; level = tolower(f[3])
	rest = $0
	sub(/^[^"]*"/, "", rest)
	aliases = rest
	sub(/".*/, "", aliases)
	entries++

	pair = level " " num
	if (pair in pairs) {
		printf "duplicate (level, optname) %s %s: %s and %s\n", level, num, pairs[pair], name
		bad++
	}
	pairs[pair] = name

	n = split(name " " aliases, words, " ")
	for (i = 1; i <= n; i++) {
		if (words[i] == "")
			continue
		key = toupper(words[i])
		if ((key in owner) && owner[key] != name) {
			printf "duplicate name or alias %s: %s and %s\n", words[i], owner[key], name
			bad++
		} else if (key in seen_in_entry && seen_in_entry[key] == entries) {
			printf "name or alias %s repeated within %s\n", words[i], name
			bad++
		}
		owner[key] = name
		owner_level[key] = level
		seen_in_entry[key] = entries
	}
	count[level]++
	next
}

# Pass 2: the reference list.
/^[ \t]*(#|$)/ { next }
{
	level = tolower($1)
	name = plain($2)
	if ((level SUBSEP name) in ref)
		next
	ref[level, name] = 1
	total[level]++
	alltotal++
	key = toupper(name)
	if (key in owner) {
		covered[level]++
		allcovered++
		if (owner_level[key] != level)
			note[level] = note[level] " " name "(at " owner_level[key] ")"
	} else {
		missing[level] = missing[level] " " name
	}
	if (!(level in order)) {
		order[level] = ++nlevels
		levels[nlevels] = level
	}
}

END {
	printf "catalog: %d entries in %s\n", entries, catalog
	for (i = 1; i <= nlevels; i++) {
		l = levels[i]
		printf "%s %d/%d (catalog entries at this level: %d)\n", l, covered[l], total[l], count[l]
		if (missing[l] != "")
			printf "  missing:%s\n", missing[l]
		if (note[l] != "")
			printf "  covered by an entry at another level:%s\n", note[l]
	}
	pct = alltotal ? 100 * allcovered / alltotal : 0
	printf "total %d/%d (%.1f%%)\n", allcovered, alltotal, pct
	if (bad) {
		printf "FAIL: %d duplicate(s)\n", bad
		exit 1
	}
	if (allcovered * 100 < alltotal * 95) {
		print "FAIL: coverage below 95%"
		exit 1
	}
	print "ok"
}
' "$catalog" "$reference"

# The sysctls column is the third quoted string of each line; names this
# machine lacks are warnings, since /proc/sys differs between kernels.
if [ -d /proc/sys/net ]; then
	sed -n 's/^OPT([^"]*"[^"]*", *"\([^"]*\)".*/\1/p' "$catalog" | tr ' ' '\n' | sort -u |
		while read -r name; do
			[ -n "$name" ] || continue
			path=/proc/sys/$(printf '%s' "$name" | tr . /)
			[ -e "$path" ] || echo "warning: sysctl $name not found under /proc/sys"
		done
fi
