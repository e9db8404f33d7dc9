# lib.sh: what the shell tests that start processes share (sourced): a scratch directory and the
# processes to kill at the end, ok/FAIL lines and their count, bounded waits, and child lookup.
# The interpreter itself, not a wrapper script that would load the shim once more.
PY=$(python3 -c 'import sys; print(sys.executable)')
tmp=$(mktemp -d)
pids=""
fails=0
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }
# expect DESCRIPTION TEXT PATTERN…: every pattern (a grep -E) matches TEXT
expect() {
	desc=$1 text=$2
	shift 2
	for pattern in "$@"; do
		if ! printf '%s\n' "$text" | grep -Eq -- "$pattern"; then
			fail "$desc: no \"$pattern\" in: $text"
			return
		fi
	done
	pass "$desc"
}
# started PID: remember a background process to kill at the end
started() { pids="$pids $1"; }
# wait_for COMMAND…: until it succeeds, up to 20 s
wait_for() {
	i=0
	until "$@" >/dev/null 2>&1; do
		[ $i -lt 200 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}
# child_of PID: the first live child of PID that is not a copy of PID itself (sockopt run --cgroup
# forks probes before the command), waiting up to 20 s for one, or fail.  Read from PID's own
# /proc/PID/task/*/children, never from other processes' /proc/*/stat, whose names may hold
# any bytes.
child_of() {
	i=0
	self=$(readlink /proc/"$1"/exe 2>/dev/null) || self=""
	while [ $i -lt 200 ]; do
		for kid in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
			# A zombie (a probe that has just exited) has no exe: not the command either.
			exe=$(readlink /proc/"$kid"/exe 2>/dev/null) || continue
			if [ "$exe" != "$self" ]; then
				echo "$kid"
				return 0
			fi
		done
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# peek PID PATTERN: the socket lines of PID (read from outside with pidfd_getfd) matching PATTERN, waiting up to 10 s
peek() {
	i=0
	while [ $i -lt 100 ]; do
		if out=$($PY tests/progs/peek.py "$1" 2>/dev/null | grep -E -- "$2"); then
			printf '%s\n' "$out"
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "(no socket of pid $1 matches $2)"
}
# cgroup_root_or_skip WHAT: the cgroup v2 mount point (from /proc/self/mountinfo), or a skip
# line naming WHAT and exit 0 when not root or when no cgroup v2 hierarchy is mounted.
cgroup_root_or_skip() {
	if [ "$(id -u)" != 0 ]; then
		echo "skip: $1 needs root (CI runs as root)"
		exit 0
	fi
	cg_root=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
	if [ -z "$cg_root" ]; then
		echo "skip: no cgroup v2 hierarchy mounted"
		exit 0
	fi
}
