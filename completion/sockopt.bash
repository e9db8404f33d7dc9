# sockopt.bash: the hand-written half of sockopt's bash completion; the tables above it are generated.

# Complete CUR as an argument described by the usage placeholder $1.
_sockopt_placeholder()
{
	local cur=$2
	case $1 in
	*'|'*)
		COMPREPLY=($(compgen -W "${1//|/ }" -- "$cur")) ;;
	OPTION | PATTERN)
		COMPREPLY=($(compgen -W "$_sockopt_names" -- "$cur")) ;;
	SPEC | NAME=VALUE | *=*)
		# The value part is free text; the name of each comma-separated entry comes
		# from the catalog.
		if [[ ${cur##*,} != *=* ]]; then
			COMPREPLY=($(compgen -S = -W "$_sockopt_names" -- "${cur##*,}"))
			[[ $cur == *,* ]] && COMPREPLY=("${COMPREPLY[@]/#/${cur%,*},}")
			compopt -o nospace 2>/dev/null
		fi ;;
	PID:FD)
		# PID first, then the descriptors of that process that are sockets.
		if [[ $cur == *:* ]]; then
			local pid=${cur%%:*} fd fds=
			for fd in /proc/"$pid"/fd/*; do
				[[ $(readlink "$fd" 2>/dev/null) == socket:* ]] && fds+=" $pid:${fd##*/}"
			done
			COMPREPLY=($(compgen -W "$fds" -- "$cur"))
		else
			COMPREPLY=($(compgen -S : -W "$(cd /proc && printf '%s ' [0-9]*)" -- "$cur"))
			compopt -o nospace 2>/dev/null
		fi ;;
	PID)
		COMPREPLY=($(compgen -W "$(cd /proc && printf '%s ' [0-9]*)" -- "$cur")) ;;
	ID)
		COMPREPLY=($(compgen -W "$_sockopt_lab_ids" -- "$cur")) ;;
	CGROUP)
		# A directory under the cgroup v2 mount, relative to it.
		local root
		root=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo 2>/dev/null)
		[[ -n $root ]] && COMPREPLY=($(cd "$root" && compgen -d -S / -- "$cur"))
		compopt -o nospace 2>/dev/null ;;
	CMD | COMMAND)
		COMPREPLY=($(compgen -c -- "$cur")) ;;
	esac
}

_sockopt()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion -n =: || return
	else
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
		cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi
	if ((cword == 1)); then
		COMPREPLY=($(compgen -W "$_sockopt_commands --help --version" -- "$cur"))
		return
	fi
	local table="_sockopt_usage_${words[1]//[!a-zA-Z0-9]/_}"
	[[ -n ${!table+set} ]] || return
	local -n usage=$table
	local flags=" ${usage[0]} " args=" ${usage[1]} " pos=(${usage[2]}) i n=0 arg
	# After "--" (sockopt run) the rest is another program's command line.
	for ((i = 2; i < cword; i++)); do
		if [[ ${words[i]} == -- ]]; then
			if declare -F _command_offset >/dev/null; then
				_command_offset $((i + 1))
			elif ((cword == i + 1)); then
				COMPREPLY=($(compgen -c -- "$cur" | sort -u))
			fi
			return
		fi
	done
	# The argument of a flag that takes one.
	if [[ $prev == -* && $args == *" $prev="* ]]; then
		arg=${args#*" $prev="}
		_sockopt_placeholder "${arg%% *}" "$cur"
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "${usage[0]} --help" -- "$cur"))
		return
	fi
	# Count the positional words before this one; the last placeholder repeats.
	for ((i = 2; i < cword; i++)); do
		if [[ ${words[i]} == -* ]]; then
			[[ $args == *" ${words[i]}="* ]] && ((i++))
		else
			((n++))
		fi
	done
	((${#pos[@]} > 0)) || return
	((n < ${#pos[@]})) || n=$((${#pos[@]} - 1))
	_sockopt_placeholder "${pos[n]}" "$cur"
}
complete -F _sockopt sockopt
