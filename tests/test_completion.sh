#!/bin/sh
# test_completion.sh: the bash completion offers subcommands, their flags, flag values and catalog option names.
set -eu
completion=${SOCKOPT_BUILD:-build}/doc/sockopt.bash
[ -f "$completion" ] || { echo "FAIL: $completion was not built"; exit 1; }

# A process holding a listening socket, for PID:FD completion.
python3 -c 'import socket, time; s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); time.sleep(30)' &
holder=$!
trap 'kill $holder 2>/dev/null' EXIT
for _ in $(seq 100); do
	ls -l /proc/$holder/fd 2>/dev/null | grep -q socket: && break
	sleep 0.05
done

# complete LINE EXPECTED-WORD...: completing LINE (the cursor at its end) offers each word.
bash -s "$completion" "$holder" <<'BASH'
. "$1"
failed=0
complete_line() {
	local line=$1 want
	shift
	read -ra COMP_WORDS <<<"$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_sockopt
	for want in "$@"; do
		if [[ " ${COMPREPLY[*]} " != *" $want "* ]]; then
			echo "FAIL: completing \"$line\" offers \"${COMPREPLY[*]}\", not $want"
			failed=1
		fi
	done
}
complete_line "sockopt " list explain defaults limits --help
complete_line "sockopt li" list limits
complete_line "sockopt list --" --level --json --help
complete_line "sockopt list --level " socket ip ipv6 tcp udp
complete_line "sockopt explain TCP_NO" TCP_NODELAY
complete_line "sockopt explain nod" nodelay
complete_line "sockopt defaults tcp unix-" unix-dgram unix-seqpacket
# Specs: names with '=' for each comma-separated entry; a PID:FD names a socket of that process.
[[ -n ${_sockopt_usage_run+set} ]] && complete_line "sockopt run -o TCP_NO" TCP_NODELAY=
[[ -n ${_sockopt_usage_run+set} ]] && complete_line "sockopt run -o nodelay=on,SO_KEEP" nodelay=on,SO_KEEPALIVE=
[[ -n ${_sockopt_usage_run+set} ]] && complete_line "sockopt run -o nodelay=on -- ech" echo
if [[ -n ${_sockopt_usage_set+set} ]]; then
	socket_fd=$(for fd in /proc/$2/fd/*; do
		[[ $(readlink "$fd") == socket:* ]] && echo "${fd##*/}" && break
	done)
	complete_line "sockopt set $2" "$2:"
	complete_line "sockopt set $2:" "$2:$socket_fd"
	complete_line "sockopt set $2:0 SO_LING" SO_LINGER=
fi
[[ -n ${_sockopt_usage_lab+set} ]] && complete_line "sockopt lab linger-ab" linger-abort
[[ -n ${_sockopt_usage_bench+set} ]] && complete_line "sockopt bench " rr crr stream udp
# Every subcommand the command knows is offered.
for c in $_sockopt_commands; do
	complete_line "sockopt ${c:0:3}" "$c"
done
[[ $_sockopt_commands == *list*limits* ]] || { echo "FAIL: subcommands: $_sockopt_commands"; failed=1; }
((failed == 0)) && echo "ok: subcommands, flags, flag values and option names complete"
exit $failed
BASH
