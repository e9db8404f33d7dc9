#!/bin/sh
# bench_run.sh: what the preload and the cgroup programs cost (make bench-run): a connect/close loop plain, under sockopt run, setting the option itself, and in a cgroup with and without sockopt attach's programs; syscalls of a send/recv loop under strace -c.
set -eu
build=${1:-build}
sockopt=$build/sockopt
progs=$build/tests/progs
cycles=${CYCLES:-20000}
rounds=${ROUNDS:-9}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# One round runs the three variants back to back, so load on the machine hits each alike.
# connect_loop prints: cycles, wall seconds, CPU seconds (user + system, both threads).
i=0
while [ $i -lt "$rounds" ]; do
	"$progs/connect_loop" "$cycles" >>"$tmp/plain"
	"$sockopt" run -o TCP_NODELAY=1 -- "$progs/connect_loop" "$cycles" >>"$tmp/shim"
	"$progs/connect_loop" "$cycles" --setsockopt >>"$tmp/self"
	i=$((i + 1))
done
# best FILE COLUMN: the fastest round, the one other load on the machine disturbed least
best() { awk -v c="$2" '{ print $c }' "$1" | sort -g | head -1; }
echo "connect/close loop, $cycles cycles on 127.0.0.1, best of $rounds rounds (CPU is user + system):"
printf '  %-36s %9s %9s\n' "" "CPU s" "wall s"
for v in plain self shim; do
	case $v in
	plain) label="plain" ;;
	self) label="program calls setsockopt itself" ;;
	shim) label="sockopt run -o TCP_NODELAY=1" ;;
	esac
	printf '  %-36s %9.3f %9.3f\n' "$label" "$(best "$tmp/$v" 3)" "$(best "$tmp/$v" 2)"
done
awk -v sc="$(best "$tmp/shim" 3)" -v fc="$(best "$tmp/self" 3)" -v pc="$(best "$tmp/plain" 3)" \
	-v sw="$(best "$tmp/shim" 2)" -v fw="$(best "$tmp/self" 2)" 'BEGIN {
	printf "  ratio shim / self-setsockopt        CPU %.3f  wall %.3f  (goal <= 1.05)\n", sc / fc, sw / fw
	printf "  ratio shim / plain                  CPU %.3f\n", sc / pc
}'

# The cgroup method (as root, with cgroup v2): the same loop in a cgroup with sockopt attach's
# programs against the loop in a twin cgroup with none, rounds interleaved, medians compared.
root=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
if [ "$(id -u)" = 0 ] && [ -n "$root" ]; then
	plain_cg=$root/sockopt-bench-plain-$$ attached_cg=$root/sockopt-bench-attached-$$
	[ -n "${SOCKOPT_BPF_PIN_DIR:-}" ] || export SOCKOPT_BPF_PIN_DIR=/sys/fs/bpf/sockopt-bench-$$
	pins=$SOCKOPT_BPF_PIN_DIR
	undo() {
		"$sockopt" detach "$attached_cg" >/dev/null 2>&1 || true
		rmdir "$plain_cg" "$attached_cg" 2>/dev/null || true
		case $pins in */sockopt-bench-$$) rm -rf "$pins" ;; esac
		rm -rf "$tmp"
	}
	trap undo EXIT INT TERM
	mkdir "$plain_cg" "$attached_cg"
	"$sockopt" attach "$attached_cg" -o TCP_NODELAY=1 >/dev/null
	# in_cgroup CGROUP CMD…: CMD run in CGROUP from its first instruction, as systemd starts a unit
	in_cgroup() { sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$@"; }
	i=0
	while [ $i -lt "$rounds" ]; do
		in_cgroup "$plain_cg" "$progs/connect_loop" "$cycles" >>"$tmp/cg-plain"
		in_cgroup "$attached_cg" "$progs/connect_loop" "$cycles" >>"$tmp/cg-attached"
		i=$((i + 1))
	done
	applied=$("$sockopt" attached "$attached_cg" | sed -n 's/^  TCP_NODELAY=on //p')
	"$sockopt" detach "$attached_cg" >/dev/null
	# median FILE COLUMN
	median() { awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 }
		END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
	echo "connect/close loop in a cgroup, $cycles cycles, median of $rounds interleaved rounds:"
	printf '  %-36s %9s %9s\n' "" "CPU s" "wall s"
	printf '  %-36s %9.3f %9.3f\n' "cgroup without programs" "$(median "$tmp/cg-plain" 3)" \
		"$(median "$tmp/cg-plain" 2)"
	printf '  %-36s %9.3f %9.3f\n' "sockopt attach -o TCP_NODELAY=1" \
		"$(median "$tmp/cg-attached" 3)" "$(median "$tmp/cg-attached" 2)"
	echo "  the programs: TCP_NODELAY=on $applied"
	awk -v ac="$(median "$tmp/cg-attached" 3)" -v pc="$(median "$tmp/cg-plain" 3)" \
		-v aw="$(median "$tmp/cg-attached" 2)" -v pw="$(median "$tmp/cg-plain" 2)" 'BEGIN {
		printf "  ratio attached / no programs        CPU %.3f  wall %.3f  (goal <= 1.05)\n", ac / pc, aw / pw
	}'
else
	echo "connect/close loop in a cgroup: skipped (needs root and a cgroup v2 hierarchy)"
fi

# strace -c counts every syscall; the shim's extra ones are all at setup, so they do not
# grow with the number of round trips: zero extra per send/recv.
if command -v strace >/dev/null 2>&1; then
	n=5000
	# total FILE: the total number of calls strace -c counted
	total() { awk '$NF == "total" { print $4 }' "$1"; }
	for k in 1 2; do
		strace -f -c -o "$tmp/plain.$k" "$progs/sendrecv_loop" $((n * k))
		"$sockopt" run -o TCP_NODELAY=1 -- strace -f -c -o "$tmp/shim.$k" \
			"$progs/sendrecv_loop" $((n * k))
	done
	echo "send/recv loop, syscalls counted by strace -f -c:"
	printf '  %-20s %8s %8s %8s\n' "round trips" plain shim extra
	for k in 1 2; do
		p=$(total "$tmp/plain.$k") s=$(total "$tmp/shim.$k")
		printf '  %-20s %8d %8d %8d\n' $((n * k)) "$p" "$s" $((s - p))
	done
	extra1=$(($(total "$tmp/shim.1") - $(total "$tmp/plain.1")))
	extra2=$(($(total "$tmp/shim.2") - $(total "$tmp/plain.2")))
	echo "  extra syscalls added by $n more round trips: $((extra2 - extra1))" \
		"(the $extra1 extra are loading the shim and setting options, once)"
fi
