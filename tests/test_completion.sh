#!/bin/sh
# test_completion.sh: the bash completion offers subcommands, their flags, flag values and catalog option names.
set -eu
completion=${SOCKOPT_BUILD:-build}/doc/sockopt.bash
[ -f "$completion" ] || { echo "FAIL: $completion was not built"; exit 1; }

# complete LINE EXPECTED-WORD...: completing LINE (the cursor at its end) offers each word.
bash -s "$completion" <<'BASH'
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
# Every subcommand the command knows is offered.
for c in $_sockopt_commands; do
	complete_line "sockopt ${c:0:3}" "$c"
done
[[ $_sockopt_commands == *list*limits* ]] || { echo "FAIL: subcommands: $_sockopt_commands"; failed=1; }
((failed == 0)) && echo "ok: subcommands, flags, flag values and option names complete"
exit $failed
BASH
