#!/bin/sh
# bench_run.sh: what the preload and the cgroup programs cost (make bench-run): a connect/close loop plain, under sockopt run, setting the option itself, and in a cgroup with and without sockopt attach's programs; syscalls of a send/recv loop under strace -c.
set -eu
build=${1:-build}
sockopt=$build/sockopt
progs=$build/tests/progs
cycles=${CYCLES:-20000}
rounds=${ROUNDS:-15}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# One round runs the variants back to back, so load on the machine hits each alike.
# connect_loop prints: cycles, wall seconds, CPU seconds (user + system, both threads).
# Three pairs, each making the same system calls on both sides: the shim applying TCP_NODELAY
# against a program that sets it itself ("shim" and "self"); the same with the program also
# setting SO_KEEPALIVE and dup'ing each socket (dup + close of the copy), so that its own
# setsockopt and its dup go through the shim's wrappers ("wrapped" against "selfdup"); and a
# program that sets the very option the spec sets ("both"): the shim set it at socket() and the
# program's value wins, one setsockopt more than a program alone makes ("selfdup1").
i=0
while [ $i -lt "$rounds" ]; do
	"$progs/connect_loop" "$cycles" >>"$tmp/plain"
	"$progs/connect_loop" "$cycles" --setsockopt >>"$tmp/self"
	"$sockopt" run -o TCP_NODELAY=1 -- "$progs/connect_loop" "$cycles" >>"$tmp/shim"
	"$progs/connect_loop" "$cycles" --setsockopt --keepalive --dup >>"$tmp/selfdup"
	"$sockopt" run -o TCP_NODELAY=1 -- "$progs/connect_loop" "$cycles" --keepalive --dup \
		>>"$tmp/wrapped"
	"$progs/connect_loop" "$cycles" --setsockopt --dup >>"$tmp/selfdup1"
	"$sockopt" run -o TCP_NODELAY=1 -- "$progs/connect_loop" "$cycles" --setsockopt --dup \
		>>"$tmp/both"
	i=$((i + 1))
done
# median FILE COLUMN: the middle round (the mean of the two middle ones for an even count)
median() {
	awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 }
		END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
echo "connect/close loop, $cycles cycles on 127.0.0.1, median of $rounds interleaved rounds (CPU is user + system):"
printf '  %-62s %9s %9s\n' "" "CPU s" "wall s"
for v in plain self shim selfdup wrapped selfdup1 both; do
	case $v in
	plain) label="plain" ;;
	self) label="program sets TCP_NODELAY itself" ;;
	shim) label="sockopt run -o TCP_NODELAY=1" ;;
	selfdup) label="program sets TCP_NODELAY, SO_KEEPALIVE itself, dup + close" ;;
	wrapped) label="sockopt run -o TCP_NODELAY=1, program SO_KEEPALIVE, dup" ;;
	selfdup1) label="program sets TCP_NODELAY itself, dup + close" ;;
	both) label="the same under sockopt run -o TCP_NODELAY=1" ;;
	esac
	printf '  %-62s %9.3f %9.3f\n' "$label" "$(median "$tmp/$v" 3)" "$(median "$tmp/$v" 2)"
done
# ratio A B COLUMN: the median over rounds of A's figure over B's in the same round (variants of
# one round ran seconds apart, so load that comes and goes hits both sides of each ratio alike)
ratio() {
	paste -d ' ' "$tmp/$1" "$tmp/$2" | awk -v c="$3" '{ print $c / $(c + 3) }' >"$tmp/ratio"
	median "$tmp/ratio" 1 | awk '{ printf "%.3f", $1 }'
}
echo "  ratio shim / self                                   CPU $(ratio shim self 3)  wall $(ratio shim self 2)  (goal <= 1.05)"
echo "  ratio wrapped / selfdup (interposed setsockopt, dup) CPU $(ratio wrapped selfdup 3)  wall $(ratio wrapped selfdup 2)  (goal <= 1.05)"
echo "  ratio both / selfdup1 (one setsockopt more)         CPU $(ratio both selfdup1 3)  wall $(ratio both selfdup1 2)"
echo "  ratio shim / plain                                  CPU $(ratio shim plain 3)"

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
	echo "connect/close loop in a cgroup, $cycles cycles, median of $rounds interleaved rounds:"
	printf '  %-36s %9s %9s\n' "" "CPU s" "wall s"
	printf '  %-36s %9.3f %9.3f\n' "cgroup without programs" "$(median "$tmp/cg-plain" 3)" \
		"$(median "$tmp/cg-plain" 2)"
	printf '  %-36s %9.3f %9.3f\n' "sockopt attach -o TCP_NODELAY=1" \
		"$(median "$tmp/cg-attached" 3)" "$(median "$tmp/cg-attached" 2)"
	echo "  the programs: TCP_NODELAY=on $applied"
	echo "  ratio attached / no programs        CPU $(ratio cg-attached cg-plain 3)  wall $(ratio cg-attached cg-plain 2)  (goal <= 1.05)"
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
