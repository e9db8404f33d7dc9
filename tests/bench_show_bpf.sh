#!/bin/sh
# bench_show_bpf.sh: `make bench-show`, BPF part: show through BPF (cold and warm), with the default backend (auto: BPF as root, every kind) and through pidfd against ss -tanpie and ss -tanie, at 1,000 and 10,000 sockets.
set -eu
build=${1:-build}
sizes=${BPF_BENCH_CONNECTIONS:-500 5000} # connections; each is two sockets
runs=${RUNS:-5}
helper="$build/bench_show"
sockopt="$build/sockopt"
work=$(mktemp -d)
pins=/sys/fs/bpf/sockopt-bench-$$
holder=""
cleanup() {
	exec 3>&- 2>/dev/null || true
	[ -n "$holder" ] && wait "$holder" 2>/dev/null || true
	rm -rf "$work" "$pins"
}
trap cleanup EXIT INT TERM
if [ "$(id -u)" != 0 ] || [ ! -e /sys/kernel/btf/vmlinux ]; then
	echo "bench-show (BPF): skipped, it needs root and kernel BTF"
	exit 0
fi
grep -q ' - bpf ' /proc/self/mountinfo || mount -t bpf bpf /sys/fs/bpf
export SOCKOPT_BPF_PIN_DIR="$pins"

# start_holder N: a process holding N loopback connections (both ends); sets $pid.
start_holder() {
	rm -f "$work/stdin" "$work/ready"
	mkfifo "$work/stdin"
	"$helper" hold "$1" <"$work/stdin" >"$work/ready" &
	holder=$!
	exec 3>"$work/stdin"
	tries=0
	until grep -q ready "$work/ready" 2>/dev/null; do
		tries=$((tries + 1))
		[ "$tries" -lt 600 ] || { echo "bench-show: the holder did not start" >&2; exit 1; }
		kill -0 "$holder" 2>/dev/null || { echo "bench-show: the holder failed" >&2; exit 1; }
		sleep 0.1
	done
	pid=$(awk '{print $2}' "$work/ready")
}
stop_holder() {
	exec 3>&-
	wait "$holder" 2>/dev/null || true
	holder=""
}
median() { sort -n -k"$2" "$1" | awk -v col="$2" '{ v[NR] = $col } END { print v[int((NR + 1) / 2)] }'; }
row() { printf '  %-48s %9s %12s %7s\n' "$@"; }

# The commands timed, one per line: a name, then the command (cold runs remove the pins first).
commands() {
	cat <<CMDS
ss_tanpie	ss -tanpie
ss_tanie	ss -tanie
pidfd	$sockopt show $pid --json --backend pidfd
bpf_cold	COLD $sockopt show $pid --json --tcp --backend bpf
bpf_warm	$sockopt show $pid --json --tcp --backend bpf
bpf_all_warm	$sockopt show $pid --all --json --tcp --backend bpf
bpf_machine	$sockopt show --json --tcp --backend bpf
auto_cold	COLD $sockopt show $pid --json
auto_warm	$sockopt show $pid --json
CMDS
}

for n in $sizes; do
	start_holder "$n"
	rm -f "$work"/t.*
	i=0
	while [ "$i" -lt "$runs" ]; do
		commands | while IFS='	' read -r name cmd; do
			case "$cmd" in COLD*) rm -rf "$pins"; cmd=${cmd#COLD } ;; esac
			# shellcheck disable=SC2086
			"$helper" time $cmd >>"$work/t.$name"
		done
		i=$((i + 1))
	done
	if awk '$3 != 0 { bad = 1 } END { exit !bad }' "$work"/t.*; then
		echo "bench-show: a command failed during the benchmark" >&2
		exit 1
	fi
	ss=$(median "$work/t.ss_tanpie" 1)
	echo "process $pid holds $((n * 2)) loopback TCP sockets; ss printed $(($(ss -tan | wc -l) - 1)) TCP sockets;" \
		"load average $(cut -d' ' -f1 /proc/loadavg); $runs runs, medians"
	row "command" "wall ms" "peak RSS KiB" "/ ss -tanpie"
	commands | while IFS='	' read -r name cmd; do
		ms=$(median "$work/t.$name" 1)
		row "$(echo "$cmd" | sed -e "s|$sockopt|sockopt|" -e 's/^COLD /(cold) /')" "$ms" \
			"$(median "$work/t.$name" 2)" "$(awk -v a="$ms" -v b="$ss" 'BEGIN { printf "%.2f", a / b }')"
	done
	stop_holder
done
echo "goals: default view warm <= 0.25, --all warm <= 0.5, cold <= 1.0, whole machine warm <= 0.5, RSS <= 64 MiB at 10,000"
