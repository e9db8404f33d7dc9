#!/bin/sh
# bench_run.sh: what the preload costs (make bench-run): a connect/close loop plain, under sockopt run, and setting the option itself; syscalls of a send/recv loop under strace -c.
set -eu
build=${1:-build}
sockopt=$build/sockopt
progs=$build/tests/progs
cycles=${CYCLES:-20000}
rounds=${ROUNDS:-7}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# One round runs the three variants back to back, so load on the machine hits each alike.
i=0
while [ $i -lt "$rounds" ]; do
	"$progs/connect_loop" "$cycles" | awk '{ print $2 }' >>"$tmp/plain"
	"$sockopt" run -o TCP_NODELAY=1 -- "$progs/connect_loop" "$cycles" | awk '{ print $2 }' >>"$tmp/shim"
	"$progs/connect_loop" "$cycles" --setsockopt | awk '{ print $2 }' >>"$tmp/self"
	i=$((i + 1))
done
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
plain=$(median "$tmp/plain") shim=$(median "$tmp/shim") self=$(median "$tmp/self")
echo "connect/close loop, $cycles cycles on 127.0.0.1, median of $rounds rounds:"
awk -v p="$plain" -v s="$shim" -v f="$self" -v n="$cycles" 'BEGIN {
	printf "  plain                               %.3f s  %.1f us/cycle\n", p, p / n * 1e6
	printf "  program calls setsockopt itself     %.3f s  %.1f us/cycle\n", f, f / n * 1e6
	printf "  sockopt run -o TCP_NODELAY=1        %.3f s  %.1f us/cycle\n", s, s / n * 1e6
	printf "  ratio shim / self-setsockopt        %.3f  (goal <= 1.05)\n", s / f
	printf "  ratio shim / plain                  %.3f\n", s / p
}'

# strace -c counts every syscall of the loop; under the shim the send/recv lines must not move.
if command -v strace >/dev/null 2>&1; then
	n=10000
	strace -f -c -o "$tmp/plain.strace" "$progs/sendrecv_loop" $n
	"$sockopt" run -o TCP_NODELAY=1 -- strace -f -c -o "$tmp/shim.strace" "$progs/sendrecv_loop" $n
	calls() { awk -v name="$2" '$NF == name { print ($4 ~ /^[0-9]+$/) ? $4 : $5 }' "$1"; }
	total() { awk '$NF == "total" { print $3 }' "$1"; }
	echo "send/recv loop, $n round trips, syscalls counted by strace -f -c:"
	for name in sendto recvfrom setsockopt getsockopt; do
		printf "  %-12s plain %6s  under the shim %6s\n" "$name" \
			"$(calls "$tmp/plain.strace" $name)" "$(calls "$tmp/shim.strace" $name)"
	done
	printf "  %-12s plain %6s  under the shim %6s\n" total "$(total "$tmp/plain.strace")" \
		"$(total "$tmp/shim.strace")"
fi
