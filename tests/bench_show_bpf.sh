#!/bin/sh
# bench_show_bpf.sh: `make bench-show`, BPF part: show through BPF (cold and warm), with the default backend (auto: BPF as root, every kind) and through pidfd against ss -tanpie and ss -tanie, at 1,000 and 10,000 sockets.
set -eu
build=${1:-build}
sizes=${BPF_BENCH_CONNECTIONS:-500 5000 50000} # connections; each is two sockets
# One process holds at most this many: two fds each under the fd limit a process may raise itself
# to (without CAP_SYS_RESOURCE, its hard limit); more are spread over several holders.
hard=$(ulimit -Hn)
case "$hard" in unlimited) per=$((1 << 20)) ;; *) per=$(((hard - 128) / 2)) ;; esac
runs=${RUNS:-5}
helper="$build/bench_show"
sockopt="$build/sockopt"
work=$(mktemp -d)
pins=/sys/fs/bpf/sockopt-bench-$$
holders=""
cleanup() {
	exec 3>&- 2>/dev/null || true
	for h in $holders; do wait "$h" 2>/dev/null || true; done
	rm -rf "$work" "$pins"
}
trap cleanup EXIT INT TERM
if [ "$(id -u)" != 0 ] || [ ! -e /sys/kernel/btf/vmlinux ]; then
	echo "bench-show (BPF): skipped, it needs root and kernel BTF"
	exit 0
fi
grep -q ' - bpf ' /proc/self/mountinfo || mount -t bpf bpf /sys/fs/bpf
export SOCKOPT_BPF_PIN_DIR="$pins"

# start_holders N: processes holding N loopback connections (both ends), at most $per each, all
# reading one pipe (fd 3) to know when to close; sets $pid to the first of them.
start_holders() {
	rm -f "$work/stdin" "$work"/ready.*
	mkfifo "$work/stdin"
	left=$1 k=0
	while [ "$left" -gt 0 ]; do
		this=$((left < per ? left : per))
		"$helper" hold "$this" <"$work/stdin" >"$work/ready.$k" &
		holders="$holders $!"
		left=$((left - this)) k=$((k + 1))
	done
	exec 3>"$work/stdin"
	tries=0
	until [ "$(cat "$work"/ready.* 2>/dev/null | grep -c ready)" -eq "$k" ]; do
		tries=$((tries + 1))
		[ "$tries" -lt 1200 ] || { echo "bench-show: the holders did not start" >&2; exit 1; }
		for h in $holders; do
			kill -0 "$h" 2>/dev/null || { echo "bench-show: a holder failed" >&2; exit 1; }
		done
		sleep 0.1
	done
	pid=$(awk '{print $2}' "$work/ready.0")
	nholders=$k
}
stop_holders() {
	exec 3>&-
	for h in $holders; do wait "$h" 2>/dev/null || true; done
	holders=""
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
	start_holders "$n"
	rm -f "$work"/t.*
	i=0
	while [ "$i" -lt "$runs" ]; do
		commands | while IFS='	' read -r name cmd; do
			cold=false
			case "$cmd" in COLD*) rm -rf "$pins"; cmd=${cmd#COLD } cold=true ;; esac
			# shellcheck disable=SC2086
			"$helper" time $cmd >>"$work/t.$name"
			# Load again, untimed, what a cold run did not, so that the warm runs after it are warm.
			if $cold; then
				"$sockopt" show --json >/dev/null
				"$sockopt" show "$pid" --json >/dev/null
			fi
		done
		i=$((i + 1))
	done
	if awk '$3 != 0 { bad = 1 } END { exit !bad }' "$work"/t.*; then
		echo "bench-show: a command failed during the benchmark" >&2
		exit 1
	fi
	ss=$(median "$work/t.ss_tanpie" 1)
	total=$(($(ss -tan | wc -l) - 1))
	echo "$nholders process(es) hold $((n * 2)) loopback TCP sockets, process $pid (PID below) $(($(awk '{print $3}' "$work/ready.0") * 2));" \
		"ss printed $total TCP sockets; load average $(cut -d' ' -f1 /proc/loadavg); $runs runs, medians"
	row "command" "wall ms" "peak RSS KiB" "/ ss -tanpie"
	commands | while IFS='	' read -r name cmd; do
		ms=$(median "$work/t.$name" 1)
		row "$(echo "$cmd" | sed -e "s|$sockopt|sockopt|" -e 's/^COLD /(cold) /')" "$ms" \
			"$(median "$work/t.$name" 2)" "$(awk -v a="$ms" -v b="$ss" 'BEGIN { printf "%.2f", a / b }')"
	done
	echo "  per socket of the machine: ss -tanpie $(awk -v a="$ss" -v n="$total" 'BEGIN { printf "%.1f", a * 1000 / n }') us," \
		"whole machine via BPF $(awk -v a="$(median "$work/t.bpf_machine" 1)" -v n="$total" 'BEGIN { printf "%.1f", a * 1000 / n }') us"
	stop_holders
done
echo "goals: default view warm <= 0.25, --all warm <= 0.5, cold <= 1.0, whole machine warm <= 0.5, RSS <= 64 MiB at 10,000"
