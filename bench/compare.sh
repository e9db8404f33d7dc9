#!/bin/sh
# compare.sh: sockopt bench beside sockperf (rr) and iperf3 (stream), interleaved on loopback, with the ratios.
#
# Usage: sh bench/compare.sh [BUILD_DIR]   (make bench runs it)
# Environment: ROUNDS (default 5), SECONDS_PER_RUN (default 2, whole seconds:
# iperf3 -t takes whole seconds), RR_SIZE (default 64), BUFFERS (default
# "auto 64K 256K 1M 4M").
#
# The reference tool and sockopt run back to back for every figure, in
# alternating order from round to round, so drift on a shared machine
# touches both; the ratios of each pair are summarised by their median.
set -eu
build=${1:-build}
sockopt="$build/sockopt"
rounds=${ROUNDS:-5}
secs=${SECONDS_PER_RUN:-2}
size=${RR_SIZE:-64}
buffers=${BUFFERS:-auto 64K 256K 1M 4M}
for tool in sockperf iperf3 python3; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "compare.sh: $tool is missing; run 'make deps' (Debian package $tool)." >&2; exit 1; }
done
[ -x "$sockopt" ] || { echo "compare.sh: $sockopt is missing; run make first." >&2; exit 1; }

tmp=$(mktemp -d)
server_pid=""
stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=""
	fi
}
trap 'stop_server; rm -rf "$tmp"' EXIT INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_port PORT: until a socket listens on PORT (at most 5 s), without connecting to it:
# iperf3 -s -1 would take a probe connection for its one client.
wait_port() {
	python3 - "$1" <<'PY'
import sys, time
port = "%04X" % int(sys.argv[1])
for _ in range(100):
    for line in open("/proc/net/tcp").readlines()[1:]:
        f = line.split()
        if f[1].endswith(":" + port) and f[3] == "0A":
            sys.exit(0)
    time.sleep(0.05)
sys.exit(1)
PY
}
# record KIND SETTING TOOL VALUE: one measured figure for the summary
record() { echo "$1 $2 $3 $4" >>"$tmp/figures"; }

# sockperf ping-pong over TCP; --full-rtt reports whole round trips like sockopt does.
sockperf_rr() { # sockperf_rr SETTING [EXTRA-FLAG]
	out=$(sockperf ping-pong -i 127.0.0.1 -p "$rr_port" --tcp -m "$size" -t "$secs" --full-rtt ${2:-} 2>&1)
	p50=$(echo "$out" | sed -n 's/.*percentile 50.000 = *\([0-9.]*\).*/\1/p')
	[ -n "$p50" ] || { echo "compare.sh: sockperf printed no median:" >&2; echo "$out" >&2; exit 1; }
	record rr "$1" sockperf "$p50"
}
sockopt_rr() {
	"$sockopt" bench rr --variants plain --size "$size" --duration "$secs" --json >"$tmp/rr.json"
	record rr nagle sockopt "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["variants"][0]["p50_us"])' "$tmp/rr.json")"
}
iperf3_stream() { # iperf3_stream SIZE
	port=$(free_port)
	iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
	server_pid=$!
	wait_port "$port"
	if [ "$1" = auto ]; then w=""; else w="-w $1"; fi
	# shellcheck disable=SC2086
	iperf3 -c 127.0.0.1 -p "$port" -t "$secs" $w -J >"$tmp/iperf3.json"
	stop_server
	record stream "$1" iperf3 "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9)' "$tmp/iperf3.json")"
}
sockopt_stream() { # sockopt_stream SIZE
	"$sockopt" bench stream --buffers "$1" --duration "$secs" --json >"$tmp/stream.json"
	record stream "$1" sockopt "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["buffers"][0]["gbit_per_s"])' "$tmp/stream.json")"
}

echo "sockopt bench against sockperf and iperf3: $rounds rounds of ${secs} s runs, $(nproc) CPUs, Linux $(uname -r), $(date -u +%Y-%m-%d)"
rr_port=$(free_port)
sockperf server -i 127.0.0.1 -p "$rr_port" --tcp >/dev/null 2>&1 &
server_pid=$!
wait_port "$rr_port"
round=1
while [ "$round" -le "$rounds" ]; do
	printf 'round %d/%d: rr' "$round" "$rounds" >&2
	if [ $((round % 2)) = 1 ]; then
		sockperf_rr nodelay; sockopt_rr; sockperf_rr nagle --tcp-avoid-nodelay
	else
		sockperf_rr nagle --tcp-avoid-nodelay; sockopt_rr; sockperf_rr nodelay
	fi
	round=$((round + 1))
	echo >&2
done
stop_server
round=1
while [ "$round" -le "$rounds" ]; do
	printf 'round %d/%d: stream' "$round" "$rounds" >&2
	for b in $buffers; do
		printf ' %s' "$b" >&2
		if [ $((round % 2)) = 1 ]; then iperf3_stream "$b"; sockopt_stream "$b"
		else sockopt_stream "$b"; iperf3_stream "$b"; fi
	done
	round=$((round + 1))
	echo >&2
done

python3 - "$tmp/figures" "$size" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def figures(kind, setting, tool):
    return [float(r[3]) for r in rows if r[0] == kind and r[1] == setting and r[2] == tool]
med = statistics.median
def each(ratios):
    return " ".join("%.2f" % r for r in ratios)
print()
print("rr: %s-byte ping-pong over TCP, median of the per-run p50 round trip (us)" % sys.argv[2])
print("%-38s %9s %9s %6s  %-7s %s" % ("pair", "reference", "sockopt", "ratio", "0.9-1.1", "ratio of each pair"))
mine = figures("rr", "nagle", "sockopt")
for setting, flag in (("nodelay", ""), ("nagle", " --tcp-avoid-nodelay")):
    ref = figures("rr", setting, "sockperf")
    ratios = [m / r for m, r in zip(mine, ref)]
    verdict = "met" if 0.9 <= med(ratios) <= 1.1 else "missed"
    print("%-38s %9.1f %9.1f %6.2f  %-7s %s" % ("sockperf ping-pong" + flag, med(ref), med(mine), med(ratios), verdict, each(ratios)))
print()
print("stream: one TCP connection, median Gbit/s, the same buffer size asked of both")
print("%-38s %9s %9s %6s  %-7s %s" % ("iperf3 -w SIZE / bench stream", "iperf3", "sockopt", "ratio", ">= 0.9", "ratio of each pair"))
for setting in dict.fromkeys(r[1] for r in rows if r[0] == "stream"):
    ref, mine_s = figures("stream", setting, "iperf3"), figures("stream", setting, "sockopt")
    ratios = [m / r for m, r in zip(mine_s, ref)]
    verdict = "met" if med(ratios) >= 0.9 else "missed"
    print("%-38s %9.2f %9.2f %6.2f  %-7s %s" % ("-w " + setting if setting != "auto" else "no -w (autotuning)", med(ref), med(mine_s), med(ratios), verdict, each(ratios)))
print()
print("ratio: sockopt / reference for each back-to-back pair (order alternating by round), then their median")
print("load average at the end: %s" % open("/proc/loadavg").read().split()[0])
PY
