#!/bin/sh
# test_help.sh: `sockopt SUB --help` names every flag that sockopt(1) documents for SUB, for every subcommand the man page describes (new ones are checked as they are added).
set -eu
cd "$(dirname "$0")/.."
SOCKOPT=${SOCKOPT:-build/sockopt}
failed=0

# "SUB FLAG" for each flag written in the COMMANDS paragraph of SUB in man/sockopt.1.
man_flags() {
	awk '
		/^\.SH / { inside = ($0 == ".SH COMMANDS"); next }
		!inside { next }
		/^\.TP/ { head = 1; next }
		head { gsub(/"/, ""); cmd = $2; head = 0 }
		{
			line = $0
			gsub(/\\-/, "-", line)
			gsub(/\\f[BIRP]/, "", line)
			while (match(line, /(^|[ |(\[])--?[a-zA-Z0-9][a-z0-9-]*/)) {
				flag = substr(line, RSTART, RLENGTH)
				sub(/^[ |(\[]/, "", flag)
				if (flag != "--")
					print cmd, flag
				line = substr(line, RSTART + RLENGTH)
			}
		}' man/sockopt.1 | sort -u
}

checked=0
for c in $("$SOCKOPT" --help | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p'); do
	help=$("$SOCKOPT" "$c" --help) || { echo "FAIL: sockopt $c --help exits $?"; failed=1; continue; }
	for flag in $(man_flags | awk -v c="$c" '$1 == c { print $2 }'); do
		checked=$((checked + 1))
		# A flag is named in --help as "-x, --long" or "    --long" at the start of a flag line.
		if ! printf '%s\n' "$help" | grep -Eq -- "^ +(-[a-zA-Z0-9], )?$flag( |\$)|^  $flag, "; then
			echo "FAIL: sockopt(1) documents $flag for $c; sockopt $c --help does not name it"
			failed=1
		fi
	done
done
[ "$checked" -gt 20 ] || { echo "FAIL: only $checked flags found in man/sockopt.1"; failed=1; }
[ $failed = 0 ] && echo "ok: sockopt SUB --help names the $checked flags sockopt(1) documents"
exit $failed
