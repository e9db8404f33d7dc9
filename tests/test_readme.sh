#!/bin/bash
# test_readme.sh: every command of the README's Quick start runs as shown: exit 0, and the first
# line of output the README shows appears in its output (spaces folded).  The lab's summary is
# left to test_lab.sh, which runs the same command.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
cd "$(dirname "$0")/.."
build=${SOCKOPT_BUILD:-build}
tmp=$(mktemp -d)
bg=""
cleanup() {
	[ -n "$bg" ] && kill "$bg" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# The Quick start's commands ("$ CMD", with "\" continuations), each followed by the first line
# the README shows for it (empty when none), one pair per line, separated by a tab.
python3 - README.md >"$tmp/cases" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
lines = quick.split("\n")
i = 0
while i < len(lines):
    m = re.match(r"    \$ (.*)", lines[i])
    i += 1
    if not m:
        continue
    cmd = m.group(1)
    while cmd.endswith("\\"):
        cmd = cmd[:-1] + " " + lines[i].strip()
        i += 1
    shown = lines[i].strip() if i < len(lines) and lines[i].startswith("    ") and not lines[i].startswith("    $ ") else ""
    print(cmd + "\t" + (shown if shown != "…" else ""))
PY
[ -s "$tmp/cases" ] || { echo "FAIL: no commands found in the README's Quick start"; exit 1; }

failed=0 count=0
while IFS=$'\t' read -r cmd shown; do
	case "$cmd" in *" lab"*) continue ;; esac
	count=$((count + 1))
	run=${cmd//build\//$build/}
	run=${run//\$!/$bg}
	case "$run" in
	*"&")
		eval "${run%&} >/dev/null 2>&1 &"
		bg=$!
		# Wait (bounded) until the server holds its socket.
		for _ in $(seq 100); do
			ls -l /proc/"$bg"/fd 2>/dev/null | grep -q socket && break
			sleep 0.1
		done
		continue ;;
	esac
	if ! out=$(eval "$run" 2>&1); then
		echo "FAIL: README command failed: $cmd"
		echo "$out" | sed 's/^/  /'
		failed=1
		continue
	fi
	want=$(echo "$shown" | tr -s ' ' | sed 's/PID .*/PID COMMAND/')
	if [ -n "$want" ] && ! echo "$out" | tr -s ' ' | grep -qF -- "$want"; then
		echo "FAIL: \"$cmd\" does not print the README's \"$shown\""
		echo "$out" | head -5 | sed 's/^/  /'
		failed=1
		continue
	fi
	echo "ok   $cmd"
done <"$tmp/cases"
[ "$count" -ge 5 ] || { echo "FAIL: only $count Quick start commands were run"; failed=1; }
# A README read top to bottom: short, with real output near the top (the reference is in docs/).
lines=$(wc -l <README.md)
quick=$(grep -n '^## Quick start' README.md | cut -d: -f1)
if [ "$lines" -lt 250 ] && [ -n "$quick" ] && [ "$quick" -lt 60 ]; then
	echo "ok   the README has $lines lines (under 250) and its Quick start starts at line $quick"
else
	echo "FAIL: the README has $lines lines (250 at most) and its Quick start starts at line ${quick:-none} (before 60)"
	failed=1
fi

# What the README and docs say about inheritance is what explain says (and test_catalog measures
# that the catalog's flag is what the kernel does): every line of the README's explain excerpts,
# and the option docs/run.md names as one an accepted socket does not inherit.
if python3 - "$build/sockopt" README.md docs/run.md <<'PY'
import json, re, subprocess, sys
sockopt, readme, run_md = sys.argv[1:]
fold = lambda s: " ".join(s.split())
bad = 0
blocks = re.findall(r"\n    \$ build/sockopt explain (\S+)\n((?:    (?!\$).*\n)+)", open(readme, encoding="utf-8").read())
for name, block in blocks:
    out = fold(subprocess.run([sockopt, "explain", name], capture_output=True, text=True).stdout)
    for line in block.splitlines():
        if line.strip() != "…" and fold(line) not in out:
            print("FAIL: the README shows \"%s\" for explain %s; explain prints otherwise" % (line.strip(), name))
            bad += 1
text = fold(open(run_md, encoding="utf-8").read())
named = re.findall(r"does not inherit from its listener \(`(\w+)`", text)
for name in named:
    if json.loads(subprocess.run([sockopt, "explain", name, "--json"], capture_output=True).stdout)["inherited"]:
        print("FAIL: docs/run.md names %s as not inherited; explain says it is" % name)
        bad += 1
if not blocks or not named:
    print("FAIL: found no explain excerpt in the README or no example in docs/run.md")
    bad += 1
sys.exit(bad > 0)
PY
then echo "ok   the README's explain excerpts and docs/run.md say of inheritance what explain says"; else failed=1; fi
[ $failed = 0 ] && echo "ok: the README's Quick start runs as shown ($count commands)"
exit $failed
