#!/bin/sh
# test_cgroup.sh: sockopt run --cgroup sets options on programs the preload cannot reach (static Go, python3), pinned against the program's own setsockopt, read back from outside; refusals and cleanup.
set -eu
: "${SOCKOPT:=build/sockopt}" "${SOCKOPT_BUILD:=build}"
# Valgrind 3.19 does not know bpf(BPF_LINK_CREATE) (command 28) and takes libbpf's bpf_attr
# for uninitialised bytes, so under make check-valgrind the cgroup method runs natively
# (make check runs it under ASan and UBSan).
[ -z "${SOCKOPT_WRAP:-}" ] || SOCKOPT=$SOCKOPT_BUILD/sockopt
. tests/lib.sh

cgroup_root_or_skip "the cgroup method"
root=$cg_root

# Go programs, built now with Debian's golang-go, stdlib only, in a scratch GOCACHE and HOME.
gobuild() {
	(cd tests/progs && env HOME="$tmp/go" GOCACHE="$tmp/go/cache" GOPATH="$tmp/go/path" \
		GOFLAGS=-mod=mod CGO_ENABLED="$1" go build -o "$2" cgnet.go)
}
gobuild 0 "$tmp/cgnet-static"
file_out=$(od -An -c -N 4 "$tmp/cgnet-static" | tr -d ' ')
[ "$file_out" = 177ELF ] || fail "the static Go program was built"

# A static Go server: its listener and accepted sockets get the spec; Go sets TCP_KEEPIDLE=15
# on every accepted connection itself, and the pin keeps 33.
$SOCKOPT run --cgroup --report -o SO_KEEPALIVE=on,TCP_KEEPIDLE=33,SO_PRIORITY=3 \
	--pin TCP_KEEPIDLE -- "$tmp/cgnet-static" serve "$tmp/port" 2>"$tmp/serve.err" &
runner=$!
started $runner
wait_for test -s "$tmp/port"
port=$(cat "$tmp/port")
server=$(child_of $runner)
# A static Go client without a pin: its own net.Dialer KeepAlive (15 s) wins over 44.
$SOCKOPT run --cgroup -o SO_KEEPALIVE=on,TCP_KEEPIDLE=44 -- "$tmp/cgnet-static" dial "$port" &
client_runner=$!
started $client_runner
client=$(child_of $client_runner)
expect "static Go server: listener gets the spec" \
	"$(peek "$server" "listening=1")" "SO_KEEPALIVE=1" "TCP_KEEPIDLE=33" "SO_PRIORITY=3"
expect "static Go server: accepted socket keeps the pinned TCP_KEEPIDLE=33 against Go's 15" \
	"$(peek "$server" "peer=127.0.0.1")" "SO_KEEPALIVE=1" "TCP_KEEPIDLE=33" "SO_PRIORITY=3"
expect "static Go client, not pinned: Go's own TCP_KEEPIDLE=15 replaces 44" \
	"$(peek "$client" "peer=127.0.0.1:$port")" "SO_KEEPALIVE=1" "TCP_KEEPIDLE=15"
# Pinned, the client keeps 44.
$SOCKOPT run --cgroup -o TCP_KEEPIDLE=44 --pin TCP_KEEPIDLE -- "$tmp/cgnet-static" dial "$port" &
pinned_runner=$!
started $pinned_runner
pinned=$(child_of $pinned_runner)
expect "static Go client, pinned: TCP_KEEPIDLE=44 holds against Go's Dialer" \
	"$(peek "$pinned" "peer=127.0.0.1:$port")" "TCP_KEEPIDLE=44"
ss_out=$(ss -tnie "dst 127.0.0.1:$port")
expect "ss sees the keepalive timer of the pinned client" "$ss_out" "timer:\(keepalive"
kill "$client" "$pinned" 2>/dev/null || true
wait "$client_runner" "$pinned_runner" 2>/dev/null || true
kill "$server"
status=0
wait $runner || status=$?
expect "sockopt's exit status is the command's (killed by SIGTERM: 143)" "$status" "^143$"
expect "--report counts Go's attempts and says what was kept" "$(cat "$tmp/serve.err")" \
	"cgnet-static tried to set TCP_KEEPIDLE=15s [0-9]+ times?; kept 33s" \
	"SO_PRIORITY=3 applied at create"

# python3 as a client: mark and priority at creation, congestion control before the SYN.
$PY -c 'import socket,sys
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
open(sys.argv[1] + ".tmp", "w").write(str(l.getsockname()[1])); __import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
c = l.accept()[0]; c.recv(1)' "$tmp/pyport" &
started $!
wait_for test -s "$tmp/pyport"
pyport=$(cat "$tmp/pyport")
$SOCKOPT run --cgroup -o SO_MARK=42,TCP_CONGESTION=reno,SO_KEEPALIVE=on -- \
	$PY -c 'import socket,sys,time; s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); time.sleep(30)' \
	"$pyport" &
pyrunner=$!
started $pyrunner
pyclient=$(child_of $pyrunner)
wait_for sh -c "ss -tnie 'dst 127.0.0.1:$pyport' | grep -q reno"
expect "python3: ss shows mark 42 and reno from outside" "$(ss -tnie "dst 127.0.0.1:$pyport")" \
	"fwmark:0x2a" "reno"
expect "python3: SO_KEEPALIVE read through pidfd_getfd" \
	"$(peek "$pyclient" "peer=127.0.0.1:$pyport")" "SO_KEEPALIVE=1"
kill "$pyclient"
wait $pyrunner 2>/dev/null || true

# Without --cgroup, a program the preload cannot reach gets the cgroup method when every
# option is one the hooks set (probed once and cached), said in one line; else only a warning.
$PY -c 'import socket,sys,os
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
open(sys.argv[1] + ".tmp", "w").write(str(l.getsockname()[1])); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
c = [l.accept()[0] for i in range(2)]; c[0].recv(1)' "$tmp/autoport" &
started $!
wait_for test -s "$tmp/autoport"
autoport=$(cat "$tmp/autoport")
$SOCKOPT run -o SO_PRIORITY=5 -- "$tmp/cgnet-static" dial "$autoport" 2>"$tmp/auto.err" &
autorunner=$!
started $autorunner
auto=$(child_of $autorunner)
expect "auto: a static Go client out of the preload's reach gets SO_PRIORITY=5 through the cgroup" \
	"$(peek "$auto" "peer=127.0.0.1:$autoport")" "SO_PRIORITY=5"
expect "auto: one line says the cgroup method took over" \
	"$(wc -l <"$tmp/auto.err"):$(cat "$tmp/auto.err")" \
	"^1:sockopt: .*cgnet-static is a Go binary.*so cgroup BPF programs apply the options"
out=$($SOCKOPT run -o IP_TTL=9 -- "$tmp/cgnet-static" dial "$autoport" 2>&1 &
	sleep 1; kill $! 2>/dev/null) || true
expect "auto: with IP_TTL, which the hooks cannot set, only the warning" "$out" \
	"cannot reach its sockets, which keep the kernel's options; sockopt run --cgroup cannot set IP_TTL either"
kill "$auto" 2>/dev/null || true
wait $autorunner 2>/dev/null || true

# explain says whether the cgroup method can set an option, from a probe recorded per kernel
# release and program build in /run/sockopt (root-only), or from that record.
expect "explain: TCP_KEEPIDLE can be set by the cgroup method" \
	"$($SOCKOPT explain TCP_KEEPIDLE)" "^  cgroup     yes: "
expect "explain: IP_TTL cannot, with the hook and the kernel's answer" \
	"$($SOCKOPT explain IP_TTL)" \
	"^  cgroup     no: IP_TTL: the cgroup hook at [a-z]+ cannot set it on this kernel \(bpf_setsockopt: "
expect "explain: the answers are recorded in a root-only file" \
	"$(stat -c %a /run/sockopt; cat /run/sockopt/cgroup-can-"$(uname -r)"-*)" \
	"^700$" "^TCP_KEEPIDLE yes " "^IP_TTL no IP_TTL: the cgroup hook"
expect "explain --json: cgroup_method.can is false for IP_TTL" \
	"$($SOCKOPT explain IP_TTL --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["cgroup_method"]["can"])')" \
	"^False$"
expect "explain: an option for no socket the hooks see" "$($SOCKOPT explain SO_PASSCRED)" \
	"^  cgroup     no: it is not for TCP or UDP sockets"
expect "explain, unprivileged: unknown, and why" \
	"$(setpriv --reuid=65534 --regid=65534 --clear-groups $SOCKOPT explain IP_TTL)" \
	"^  cgroup     unknown: probing the cgroup hooks needs root"

# The command's exit status is its own; the programs and links leave with the cgroup.
out=$($SOCKOPT run --cgroup -o TCP_NODELAY=on -- sh -c '
	cg=$(sed -n "s/^0:://p" /proc/self/cgroup)
	echo "$cg" > "$2.cgroup"
	bpftool cgroup show "$1$cg" | awk "/sockopt_/ { print \$1 }" > "$2"
	exit 7' sh "$root" "$tmp/ids" 2>&1) && status=0 || status=$?
expect "exit status 7 of the command comes back" "$status" "^7$"
ids=$(cat "$tmp/ids")
expect "the command's cgroup carried the one program TCP_NODELAY needs (sockops)" \
	"$(echo $ids | wc -w)" "^1$"
left=""
for id in $ids; do bpftool prog show id "$id" >/dev/null 2>&1 && left="$left $id"; done
expect "no program of ours is left after exit" "none$left" "^none$"
# Only this test's runs: another sockopt run --cgroup may be running on the machine.
left=""
for p in $runner $client_runner $pinned_runner $pyrunner $autorunner; do
	[ -d "$root/sockopt-run-$p" ] && left="$left sockopt-run-$p"
done
[ -d "$root$(cat "$tmp/ids.cgroup")" ] && left="$left $(cat "$tmp/ids.cgroup")"
expect "no cgroup of this test's runs is left" "none$left" "^none$"

# A spec the hooks cannot set is refused with exit 2 before anything runs.
out=$($SOCKOPT run --cgroup -o TCP_CORK=on -- sh -c 'echo ran' 2>"$tmp/err") && status=0 || status=$?
expect "TCP_CORK is refused with exit 2, naming the option" "$status:$(cat "$tmp/err")" \
	"^2:sockopt: TCP_CORK: the cgroup hook at (connect|listen|accept) cannot set it"
expect "nothing ran and nothing was printed on stdout" "none$out" "^none$"
expect "one line on stderr" "$(wc -l <"$tmp/err")" "^1$"
out=$($SOCKOPT run --cgroup -o TCP_NODELAY=on --pin TCP_KEEPIDLE -- true 2>&1) && status=0 || status=$?
expect "--pin of an option the spec does not set is a usage error" "$status:$out" \
	"^2:sockopt: --pin TCP_KEEPIDLE: the spec does not set it"

# An unprivileged caller gets one sentence.
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups $SOCKOPT run --cgroup \
	-o TCP_NODELAY=on -- true 2>&1) && status=0 || status=$?
expect "unprivileged: one line" "$(printf '%s\n' "$out" | wc -l)" "^1$"
expect "unprivileged: exit 1 and one sentence saying root is needed" "$status:$out" \
	"^1:sockopt: .*needs root"

[ $fails -eq 0 ]
