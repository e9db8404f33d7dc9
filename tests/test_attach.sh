#!/bin/sh
# test_attach.sh: sockopt attach on a redis-server that is already running: new connections get the spec, --pin holds against redis's tcp-keepalive and is counted in sockopt attached, --existing changes a connection made before; detach leaves no program, link or pin; refusals.
set -eu
: "${SOCKOPT:=build/sockopt}" "${SOCKOPT_BUILD:=build}"
# Valgrind does not know bpf(BPF_LINK_CREATE); as test_cgroup.sh, run natively under it.
[ -z "${SOCKOPT_WRAP:-}" ] || SOCKOPT=$SOCKOPT_BUILD/sockopt
. tests/lib.sh

cgroup_root_or_skip "sockopt attach"
root=$cg_root
command -v redis-server >/dev/null || { echo "FAIL redis-server is not installed"; exit 1; }

# Our own pins (the suite's directory when run.sh set one) and our own cgroup, both removed at the end.
own_pins=""
if [ -z "${SOCKOPT_BPF_PIN_DIR:-}" ]; then
	own_pins=/sys/fs/bpf/sockopt-test-attach-$$
	export SOCKOPT_BPF_PIN_DIR=$own_pins
fi
cg=sockopt-test-attach-$$
mkdir "$root/$cg"
cgid=$(stat -c %i "$root/$cg")
finish() {
	$SOCKOPT detach "$cg" >/dev/null 2>&1 || true
	cleanup
	for i in 1 2 3 4 5 6 7 8 9 10; do rmdir "$root/$cg" 2>/dev/null && break; sleep 0.2; done
	[ -z "$own_pins" ] || rm -rf "$own_pins"
}
trap finish EXIT INT TERM

# redis-server on a free loopback port (redis takes no port 0), started in the cgroup as systemd
# starts a service in its unit's cgroup.  A socket belongs to the cgroup its maker was in when it
# made it (and an accepted one to its listener's): a process moved in later keeps its old sockets
# outside, out of the programs' reach and of --existing.
port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$root/$cg" redis-server --port "$port" \
	--bind 127.0.0.1 --tcp-keepalive 300 --save '' --appendonly no --dir "$tmp" \
	--logfile "$tmp/redis.log" &
redis=$!
started $redis
# client FILE: a client that says PING, then holds its connection; its port, written to FILE
# once answered, goes into $cport.
client() {
	$PY -c 'import socket,sys,os,time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
c.sendall(b"PING\r\n"); assert c.recv(64).startswith(b"+PONG")
open(sys.argv[2] + ".tmp", "w").write(str(c.getsockname()[1])); os.rename(sys.argv[2] + ".tmp", sys.argv[2])
time.sleep(60)' "$port" "$1" </dev/null >/dev/null &
	started $!
	wait_for test -s "$1"
	cport=$(cat "$1")
}
wait_for $PY -c "import socket; socket.create_connection(('127.0.0.1', $port)).close()"
client "$tmp/before"
before=$cport
expect "before attach: redis set its own TCP_KEEPIDLE=300 on the connection" \
	"$(peek $redis "peer=127.0.0.1:$before")" "TCP_KEEPIDLE=300"

out=$($SOCKOPT attach "$cg" -o TCP_KEEPIDLE=30,TCP_NODELAY=on --pin TCP_KEEPIDLE --existing)
expect "attach says what it attached and changed the connection made before it" "$out" \
	"^attached TCP_KEEPIDLE=30,TCP_NODELAY=on to /$cg, pinned: TCP_KEEPIDLE" \
	"TCP_KEEPIDLE 5m -> 30s TCP_NODELAY on -> on" "TCP_KEEPIDLE 2h -> 30s TCP_NODELAY off -> on" \
	"of /$cg: 2 changed, 0 refused"
expect "--existing: the connection made before attach now has TCP_KEEPIDLE=30 (read from outside)" \
	"$(peek $redis "peer=127.0.0.1:$before")" "TCP_KEEPIDLE=30 " "TCP_NODELAY=1"

# sockopt has exited; the programs stay.  Three new connections: redis sets tcp-keepalive 300 on each.
new=""
for i in 1 2 3; do client "$tmp/new$i" && new="$new $cport"; done
for p in $new; do
	expect "new connection $p: TCP_KEEPIDLE=30 pinned against redis's tcp-keepalive 300" \
		"$(peek $redis "peer=127.0.0.1:$p")" "TCP_KEEPIDLE=30 " "TCP_NODELAY=1"
done
ss_out=$(ss -tnie "src 127.0.0.1:$port")
expect "ss -tie sees the sockets in the cgroup" "$ss_out" "cgroup:/$cg"
out=$($SOCKOPT attached "$cg")
expect "attached lists the cgroup, spec and pins" "$out" "^/$cg$" \
	"spec: TCP_KEEPIDLE=30,TCP_NODELAY=on" "pinned: TCP_KEEPIDLE" "pins in .*/cgroup-$cgid"
expect "attached counts redis-server's three attempts and says what was kept" "$out" \
	"redis-server tried to set TCP_KEEPIDLE=5m 3 times; kept 30s" \
	"TCP_KEEPIDLE=30s applied at accept 3"
json=$($SOCKOPT attached --json)
expect "attached --json is valid JSON with the attempts" \
	"$(printf '%s' "$json" | $PY -c 'import json,sys
for a in json.load(sys.stdin):
    for o in a["options"]:
        if a["cgroup"] == sys.argv[1] and "tried" in o: print(o["option"], o["tried"], o["tried_by"])' "/$cg")" \
	"^TCP_KEEPIDLE=30s 3 redis-server$"

# Attaching twice is refused; nothing changes.
out=$($SOCKOPT attach "$cg" -o TCP_NODELAY=on 2>&1) && status=0 || status=$?
expect "a second attach on the same cgroup: exit 1, one sentence" "$status:$out" \
	"^1:sockopt: The cgroup /$cg has sockopt's programs already"

# Detach: programs, links and pins go; the connections keep what they were given.
ids=$(bpftool cgroup show "$root/$cg" | awk '/sockopt_/ { print $1 }')
expect "the cgroup carries the two programs the spec needs: sockops and the pin" \
	"$(bpftool cgroup show "$root/$cg" | awk '/sockopt_/ { print $NF }' | sort | tr '\n' ' ')" \
	"^sockopt_pin sockopt_sockops $"
out=$($SOCKOPT detach "$cg")
expect "detach says so" "$out" "^detached from /$cg$"
left=""
for id in $ids; do bpftool prog show id "$id" >/dev/null 2>&1 && left="$left $id"; done
expect "no program of ours is left (bpftool prog show)" "none$left" "^none$"
expect "no link on the cgroup is left (bpftool link show)" \
	"none$(bpftool link show | grep -E "cgroup_id $cgid( |$)" || true)" "^none$"
expect "no pin is left" "none$(ls "$SOCKOPT_BPF_PIN_DIR" | grep -x "cgroup-$cgid" || true)" "^none$"
client "$tmp/after"
after=$cport
expect "after detach: redis's own TCP_KEEPIDLE=300 wins again" \
	"$(peek $redis "peer=127.0.0.1:$after")" "TCP_KEEPIDLE=300"
out=$($SOCKOPT attached "$cg" 2>&1) && status=0 || status=$?
expect "attached on a cgroup without programs: exit 1" "$status:$out" \
	"^1:sockopt: The cgroup /$cg has no sockopt programs attached"
out=$($SOCKOPT detach "$cg" 2>&1) && status=0 || status=$?
expect "detach again: exit 1, one sentence" "$status:$out" \
	"^1:sockopt: The cgroup /$cg has no sockopt programs attached"

# Refusals: one line on stderr, a documented exit code, nothing attached.
one_line() { # DESCRIPTION EXPECTED-STATUS PATTERN CMD…
	desc=$1 want=$2 pattern=$3
	shift 3
	out=$("$@" 2>"$tmp/err") && status=0 || status=$?
	expect "$desc" "$status:$(cat "$tmp/err")" "^$want:sockopt: $pattern"
	expect "$desc: one line on stderr, none on stdout" "$(wc -l <"$tmp/err"):$out" "^1:$"
}
one_line "a cgroup that does not exist: exit 2" 2 "The cgroup $root/$cg-none does not exist" \
	$SOCKOPT attach "$cg-none" -o TCP_NODELAY=on
one_line "a directory outside cgroup v2: exit 2" 2 "$tmp is not a cgroup v2 directory" \
	$SOCKOPT attach "$tmp" -o TCP_NODELAY=on
v1=$(awk '$0 ~ / - cgroup / { print $5; exit }' /proc/self/mountinfo)
if [ -n "$v1" ]; then
	one_line "a cgroup v1 directory ($v1): exit 2" 2 "$v1 is not a cgroup v2 directory \(cgroup v1" \
		$SOCKOPT attach "$v1" -o TCP_NODELAY=on
else
	echo "skip: no cgroup v1 hierarchy mounted here"
fi
one_line "an option the hooks cannot set: exit 2 before anything is attached" 2 \
	"TCP_CORK: the cgroup hook" $SOCKOPT attach "$cg" -o TCP_CORK=on
one_line "--existing with an option bpf_setsockopt does not take: exit 2" 2 \
	"--existing: SO_LINGER cannot be set on existing sockets" \
	$SOCKOPT attach "$cg" -o SO_LINGER=on:5 --existing
one_line "--pin of an option the spec does not set: exit 2" 2 \
	"--pin TCP_KEEPIDLE: the spec does not set it" $SOCKOPT attach "$cg" -o TCP_NODELAY=on --pin TCP_KEEPIDLE
one_line "unprivileged: exit 1, one sentence" 1 "sockopt attach needs root" \
	setpriv --reuid=65534 --regid=65534 --clear-groups $SOCKOPT attach "$cg" -o TCP_NODELAY=on
expect "nothing of ours is on the cgroup after the refusals" \
	"none$(bpftool cgroup show "$root/$cg" | grep sockopt_ || true)" "^none$"

[ $fails -eq 0 ]
