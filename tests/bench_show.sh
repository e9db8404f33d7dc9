#!/bin/sh
# bench_show.sh: `make bench-show`: sockopt show on a process holding 10,000 loopback TCP sockets, timed against ss -tanpie and a raw getsockopt loop in the same run.
set -eu
build=${1:-build}
connections=${CONNECTIONS:-5000}
runs=${RUNS:-5}
# Threads for show and the threaded raw loop: show's own default (the CPUs, at most 4).
threads=${THREADS:-$(nproc)}
[ "$threads" -le 4 ] || threads=4
helper="$build/bench_show"
work=$(mktemp -d)
holder=""
cleanup() {
	exec 3>&- 2>/dev/null || true
	[ -n "$holder" ] && wait "$holder" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

mkfifo "$work/stdin"
"$helper" hold "$connections" <"$work/stdin" >"$work/ready" &
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
echo "process $pid holds $((connections * 2)) loopback TCP sockets ($connections connections;"
echo "TCP_NODELAY on every 3rd client, SO_KEEPALIVE on every 5th); $runs runs each, medians;"
echo "show and the raw loop on $threads threads (the CPUs, at most 4) and on 1; ss has one:"

# One timing of each command per round, interleaved so that all see the same machine.
i=0
while [ "$i" -lt "$runs" ]; do
	"$helper" time "$build/sockopt" show "$pid" --all --json --threads "$threads" >>"$work/show"
	"$helper" time "$build/sockopt" show "$pid" --all --json --threads 1 >>"$work/show1"
	"$helper" time ss -tanpie >>"$work/ss"
	"$helper" time "$helper" raw "$pid" "$threads" >>"$work/raw"
	"$helper" time "$helper" raw "$pid" 1 >>"$work/raw1"
	i=$((i + 1))
done
if awk '$3 != 0 { bad = 1 } END { exit !bad }' "$work/show" "$work/show1"; then
	echo "bench-show: sockopt show failed during the benchmark" >&2
	exit 1
fi
median() { sort -n -k"$2" "$1" | awk -v col="$2" '{ v[NR] = $col } END { print v[int((NR + 1) / 2)] }'; }
show_ms=$(median "$work/show" 1) ss_ms=$(median "$work/ss" 1) raw_ms=$(median "$work/raw" 1)
show1_ms=$(median "$work/show1" 1) raw1_ms=$(median "$work/raw1" 1)
show_rss=$(median "$work/show" 2) ss_rss=$(median "$work/ss" 2) raw_rss=$(median "$work/raw" 2)
show1_rss=$(median "$work/show1" 2) raw1_rss=$(median "$work/raw1" 2)
# ss lists every TCP socket of the machine, so say how many that was besides the holder's.
echo "ss printed $(($(ss -tan | wc -l) - 1)) TCP sockets; load average $(cut -d' ' -f1 /proc/loadavg)"
row() { printf '  %-52s %9s %12s\n' "$@"; }
row "command" "wall ms" "peak RSS KiB"
row "sockopt show PID --all --json >/dev/null, $threads threads" "$show_ms" "$show_rss"
row "sockopt show PID --all --json >/dev/null, 1 thread" "$show1_ms" "$show1_rss"
row "ss -tanpie >/dev/null" "$ss_ms" "$ss_rss"
row "raw pidfd_getfd + getsockopt loop, $threads threads" "$raw_ms" "$raw_rss"
row "raw pidfd_getfd + getsockopt loop, 1 thread" "$raw1_ms" "$raw1_rss"
awk -v s="$show_ms" -v s1="$show1_ms" -v ss="$ss_ms" -v r="$raw_ms" -v r1="$raw1_ms" \
	-v rss="$show_rss" -v n="$threads" 'BEGIN {
	printf "show / ss -tanpie         = %.2f on %d threads, %.2f on 1 (goal <= 1.0)\n", s / ss, n, s1 / ss
	printf "show / raw loop           = %.2f on %d threads each, %.2f on 1 each (goal <= 2.0)\n", s / r, n, s1 / r1
	printf "raw loop / ss -tanpie     = %.2f on %d threads, %.2f on 1 (the floor of show / ss)\n", r / ss, n, r1 / ss
	printf "show peak RSS             = %.1f MiB on %d threads (goal <= 64)\n", rss / 1024, n
}'

# The exporter's cost for one Prometheus scrape of the same sockets (sockopt export, issue 17),
# timed after the rounds above and set beside their ss median.
bench_export() {
	i=0
	while [ "$i" -lt "$runs" ]; do
		"$helper" time "$build/sockopt" export "$pid" >>"$work/export"
		i=$((i + 1))
	done
	if awk '$3 != 0 { bad = 1 } END { exit !bad }' "$work/export"; then
		echo "bench-show: sockopt export failed during the benchmark" >&2
		exit 1
	fi
	export_ms=$(median "$work/export" 1) export_rss=$(median "$work/export" 2)
	row "sockopt export PID >/dev/null (one scrape)" "$export_ms" "$export_rss"
	awk -v e="$export_ms" -v ss="$ss_ms" 'BEGIN {
		printf "export / ss -tanpie       = %.2f (a scrape of the same sockets, 1 thread)\n", e / ss }'
}
bench_export
