#!/bin/sh
# test_run.sh: sockopt run sets options on unmodified programs (socat, python3, curl, C probes), read back from outside the program.
set -eu
: "${SOCKOPT:=build/sockopt}" "${SOCKOPT_BUILD:=build}"
case $SOCKOPT_BUILD in /*) ;; *) SOCKOPT_BUILD=$PWD/$SOCKOPT_BUILD ;; esac
progs=$SOCKOPT_BUILD/tests/progs
shim=$SOCKOPT_BUILD/libsockopt-preload.so
. tests/lib.sh
netpeer="$PY tests/progs/netpeer.py"
# port_of FILE: the port a netpeer wrote, waiting up to 10 s
port_of() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	cat "$1"
}
# listening_port PID: the port of the TCP listener of PID on 127.0.0.1 (it chose port 0), once it listens
listening_port() { peek "$1" "kind=tcp local=127.0.0.1:[0-9]+ peer=- listening=1" | sed -n 's/.*local=127.0.0.1:\([0-9]*\).*/\1/p'; }
# Another process whose name is not UTF-8: nothing below may trip over it (child_of once did).
$PY -c 'import ctypes, time; ctypes.CDLL(None).prctl(15, b"nc\xffname", 0, 0, 0); time.sleep(300)' &
started $!
# a plain python3 server (no shim) that the clients below connect to
$netpeer serve "$tmp/sink" &
started $!
sink=$(port_of "$tmp/sink")

# The acceptance case: keepalive on socat's connection, seen from outside.
"$SOCKOPT" run -o SO_KEEPALIVE=on,TCP_KEEPIDLE=30s -- socat -u TCP:127.0.0.1:"$sink" STDOUT &
pid=$!
started $pid
expect "socat as a client: keepalive on and 30 s idle on its connection" \
	"$(peek $pid "kind=tcp .*peer=127.0.0.1:$sink")" "SO_KEEPALIVE=1" "TCP_KEEPIDLE=30( |$)"
expect "socat as a client: sockopt show lists SO_KEEPALIVE and TCP_KEEPIDLE=30s among its non-default options" \
	"$("$SOCKOPT" show $pid | grep "127.0.0.1:$sink")" " SO_KEEPALIVE( |$)" " TCP_KEEPIDLE=30s( |$)"

# socat as a server: the accepted socket gets what it does not inherit after accept().
"$SOCKOPT" run -o SO_KEEPALIVE=on,TCP_KEEPIDLE=40s,TCP_NODELAY=on -- \
	socat -u TCP-LISTEN:0,bind=127.0.0.1,reuseaddr STDOUT &
pid=$!
started $pid
port=$(listening_port $pid)
$netpeer connect "$port" &
started $!
expect "socat as a server: its accepted socket has keepalive, 40 s idle and nodelay" \
	"$(peek $pid "local=127.0.0.1:$port peer=127")" "SO_KEEPALIVE=1" "TCP_KEEPIDLE=40( |$)" \
	"TCP_NODELAY=1"

# python3 as a client: SO_RCVBUF is a before-connect option; Linux stores twice the value.
"$SOCKOPT" run -o IP_TTL=7,SO_RCVBUF=64K -- $netpeer connect "$sink" &
pid=$!
started $pid
expect "python3 as a client: TTL 7 and a 64K receive buffer (stored doubled)" \
	"$(peek $pid "peer=127.0.0.1:$sink")" "IP_TTL=7( |$)" "SO_RCVBUF=131072( |$)"

# python3 as a server: before-bind on the listener; after-accept entries split by inheritance:
# what the catalog says accepted sockets copy goes on the listener before listen(), the rest after accept().
inherited() { "$SOCKOPT" explain "$1" --json | grep -q '"inherited": true'; }
on_listener() { if inherited "$1"; then echo "$2"; else echo "$3"; fi; }
"$SOCKOPT" run -o SO_REUSEADDR=on --after-accept TCP_NODELAY=on,SO_PRIORITY=3 \
	-- $netpeer serve "$tmp/server" &
pid=$!
started $pid
port=$(port_of "$tmp/server")
$netpeer connect "$port" &
started $!
expect "python3 as a server: the listener got SO_REUSEADDR, and before listen only the after-accept options accepted sockets inherit" \
	"$(peek $pid "local=127.0.0.1:$port peer=- listening=1")" "SO_REUSEADDR=1" \
	"TCP_NODELAY=$(on_listener TCP_NODELAY 1 0)" "SO_PRIORITY=$(on_listener SO_PRIORITY 3 0)"
expect "python3 as a server: its accepted socket has both after-accept options" \
	"$(peek $pid "local=127.0.0.1:$port peer=127")" "TCP_NODELAY=1" "SO_PRIORITY=3( |$)"

# curl against python3 -m http.server, held mid-request: the file it asks for is a FIFO
# nobody writes, so the server's handler waits in open() and curl's connection stays up.
mkdir "$tmp/www"
mkfifo "$tmp/www/held"
$PY -m http.server --bind 127.0.0.1 --directory "$tmp/www" 0 >/dev/null 2>&1 &
pid=$!
started $pid
port=$(listening_port $pid)
"$SOCKOPT" run -o IP_TTL=5,IP_TOS=CS1 -- curl -sS --max-time 30 -o /dev/null \
	"http://127.0.0.1:$port/held" 2>"$tmp/curl.err" &
pid=$!
started $pid
expect "curl: its connection to http.server has TTL 5 and TOS CS1 (32)" \
	"$(peek $pid "peer=127.0.0.1:$port")$(cat "$tmp/curl.err")" "IP_TTL=5( |$)" "IP_TOS=32( |$)"

# The program's own setsockopt meets sockopt's.  curl --keepalive-time 60 sets TCP_KEEPIDLE
# after socket(), where -o TCP_KEEPIDLE=30 was applied: the program's value wins and --verbose
# says so; with --pin TCP_KEEPIDLE the call succeeds and 30 stays.
for pin in "" "--pin TCP_KEEPIDLE"; do
	# shellcheck disable=SC2086
	"$SOCKOPT" run --verbose $pin -o TCP_KEEPIDLE=30 -- curl -sS --max-time 30 --keepalive-time 60 \
		-o /dev/null "http://127.0.0.1:$port/held" 2>"$tmp/curl.err" &
	pid=$!
	started $pid
	if [ -z "$pin" ]; then
		expect "curl --keepalive-time 60: its value wins over -o TCP_KEEPIDLE=30, and --verbose says so" \
			"$(peek $pid "peer=127.0.0.1:$port") $(cat "$tmp/curl.err")" "TCP_KEEPIDLE=60( |$)" \
			"the program set TCP_KEEPIDLE=1m after sockopt set 30s"
	else
		expect "curl --keepalive-time 60 under --pin TCP_KEEPIDLE: 30 stays, and --verbose says so" \
			"$(peek $pid "peer=127.0.0.1:$port") $(cat "$tmp/curl.err")" "TCP_KEEPIDLE=30( |$)" \
			"the program set TCP_KEEPIDLE=1m; pinned, so sockopt's 30s stays"
	fi
done

# redis-server with tcp-keepalive 300 sets SO_KEEPALIVE, TCP_KEEPIDLE=300 and TCP_NODELAY on each
# client after accept().  The issue's case: -o TCP_NODELAY=0,TCP_KEEPIDLE=30 --after-accept
# TCP_KEEPIDLE=20.  By default redis's values win, said per socket and in the --report line at
# exit; pinned, sockopt's stay.  Read from outside on the accepted socket.
free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
for pin in "" "--pin TCP_KEEPIDLE,TCP_NODELAY"; do
	rport=$(free_port)
	rm -f "$tmp/redis.shim"
	# shellcheck disable=SC2086
	"$SOCKOPT" run --verbose --report --log "$tmp/redis.shim" $pin -o TCP_NODELAY=0,TCP_KEEPIDLE=30 \
		--after-accept TCP_KEEPIDLE=20 -- redis-server --port "$rport" --bind 127.0.0.1 \
		--tcp-keepalive 300 --save "" --appendonly no --dir "$tmp" >/dev/null 2>&1 &
	rpid=$!
	started $rpid
	peek $rpid "local=127.0.0.1:$rport peer=- listening=1" >/dev/null
	$netpeer connect "$rport" &
	started $!
	sockets=$(peek $rpid "local=127.0.0.1:$rport peer=127")
	kill $rpid
	wait $rpid 2>/dev/null || true
	if [ -z "$pin" ]; then
		expect "redis-server tcp-keepalive 300: its own TCP_KEEPIDLE and TCP_NODELAY win, and the log says so" \
			"$sockets $(cat "$tmp/redis.shim")" "TCP_KEEPIDLE=300( |$)" "TCP_NODELAY=1" \
			"the program set TCP_KEEPIDLE=5m after sockopt set 20s" \
			"the program set TCP_NODELAY=on after sockopt set off" \
			"report: .*the program set TCP_KEEPIDLE=5m after sockopt set 20s \(1 time; its value stayed\)"
	else
		expect "redis-server under --pin TCP_KEEPIDLE,TCP_NODELAY: sockopt's 20 and off stay, and the log says so" \
			"$sockets $(cat "$tmp/redis.shim")" "TCP_KEEPIDLE=20( |$)" "TCP_NODELAY=0" \
			"the program set TCP_KEEPIDLE=5m; pinned, so sockopt's 20s stays" \
			"report: .*pinned, sockopt's value stayed"
	fi
done

# A program's own SO_RCVBUF set before connect stays: -o SO_RCVBUF=8K is a before-connect
# option, and the program set 64K (stored 131072) after socket().
out=$("$SOCKOPT" run -o SO_RCVBUF=8K -- $PY -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.connect(("127.0.0.1", int(sys.argv[1])))
print("rcvbuf", s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))' "$sink")
expect "the program's SO_RCVBUF set before connect is not overwritten at connect" "$out" "^rcvbuf 131072$"

# A UDP program that sends without bind or connect still gets the before-connect SO_SNDBUF.
$netpeer udp-serve "$tmp/udp" &
started $!
"$SOCKOPT" run --udp -o SO_SNDBUF=64K,IP_TTL=3 -- $netpeer udp-send "$(port_of "$tmp/udp")" &
pid=$!
started $pid
expect "a UDP sender: SO_SNDBUF 64K (stored doubled) and TTL 3" \
	"$(peek $pid "kind=udp")" "SO_SNDBUF=131072( |$)" "IP_TTL=3( |$)"

# A child after fork and exec loads the shim again from the environment it inherits.
"$SOCKOPT" run -o IP_TTL=11 -- sh -c "$netpeer connect $sink; true" &
pid=$!
started $pid
child=$(child_of $pid) || child=none
expect "a child of fork and exec is configured too" \
	"$(peek "$child" "peer=127.0.0.1:$sink")" "IP_TTL=11( |$)"

# Programs the preload cannot reach are named before they run: a static build of hold.c and
# Go binaries (static and cgo-linked, built now), beside the dynamic hold.c, which it reaches.
# The warning is checked against the truth: their sockets keep the kernel's TTL, which the
# cgroup method cannot set either, so it does not take over (test_cgroup.sh has it taking over).
# Deciding that probes the cgroup hooks, which valgrind cannot follow: under SOCKOPT_WRAP the
# plain binary runs these.
reach=$SOCKOPT
[ -z "${SOCKOPT_WRAP:-}" ] || reach=$SOCKOPT_BUILD/sockopt
ttl_default=$($PY -c 'import socket; print(socket.socket().getsockopt(socket.IPPROTO_IP, socket.IP_TTL))')
${CC:-cc} -static -O1 -o "$tmp/hold-static" tests/progs/hold.c
gobuild() { (cd tests/progs && HOME=$tmp GOCACHE=$tmp/gocache GOPATH=$tmp/gopath GOFLAGS= \
	CGO_ENABLED=$1 go build -o "$2" hold.go); }
gobuild 0 "$tmp/hold-go" && gobuild 1 "$tmp/hold-godyn"
for prog in "$progs/hold" "$tmp/hold-static" "$tmp/hold-go" "$tmp/hold-godyn"; do
	"$reach" run -o IP_TTL=9 -- "$prog" "$sink" 2>"$tmp/reach.err" &
	pid=$!
	started $pid
	sockets=$(peek $pid "peer=127.0.0.1:$sink")
	case $prog in
	*/hold) expect "reach: a dynamic C program gets TTL 9 and no warning" \
		"$sockets lines=$(wc -l <"$tmp/reach.err")" "IP_TTL=9( |$)" "lines=0$" ;;
	*static) expect "reach: a static program is named as out of reach, and its socket keeps TTL $ttl_default" \
		"$sockets $(cat "$tmp/reach.err")" "IP_TTL=$ttl_default( |$)" \
		"sockopt: .*hold-static is statically linked, .*cannot reach its sockets.* sockopt run --cgroup" ;;
	*) expect "reach: a Go binary (${prog##*/}) is named as out of reach, and its socket keeps TTL $ttl_default" \
		"$sockets $(cat "$tmp/reach.err")" "IP_TTL=$ttl_default( |$)" \
		"sockopt: .*${prog##*/} is a Go binary, .*cannot reach its sockets.* sockopt run --cgroup" ;;
	esac
done
# A set-user-ID program that changes the user: the loader would drop LD_PRELOAD.
cp "$progs/hold" "$tmp/hold-suid"
chown 65534 "$tmp/hold-suid" && chmod 4755 "$tmp/hold-suid"
err=$("$reach" run -o IP_TTL=9 -- "$tmp/hold-suid" 1 2>&1 || true)
expect "reach: a program set-user-ID to another user is named as out of reach" "$err" \
	"hold-suid is set-user-ID to uid 65534, so the loader ignores LD_PRELOAD"

# Scope: options reach TCP and UDP sockets; unix sockets only with --unix.  nginx (master and a
# worker, on a loopback port, as this test's own process) keeps its internal socketpairs as the
# kernel made them while its listener gets keepalive; its worker, whose stderr nginx moved onto
# its error log, still logs to the shim's copy of the stderr it started with.
nport=$(free_port)
mkdir "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	server { listen 127.0.0.1:$nport; location / { return 200 "ok\n"; } }
}
EOF
"$SOCKOPT" run --verbose -o SO_KEEPALIVE=on --after-accept SO_PRIORITY=3 -- \
	nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" 2>"$tmp/nginx.shim" &
npid=$!
started $npid
listener=$(peek $npid "local=127.0.0.1:$nport peer=- listening=1")
reply=$(curl -sS --max-time 10 "http://127.0.0.1:$nport/" 2>&1 || true)
expect "nginx: the listener has keepalive, its socketpairs keep the kernel's (off), and a worker logs" \
	"$listener $(peek $npid "kind=unix ") reply=$reply $(cat "$tmp/nginx.shim")" \
	"listening=1 SO_KEEPALIVE=1" "kind=unix .*SO_KEEPALIVE=0" "reply=ok" \
	"unix sockets are left alone: unix sockets only with --unix" \
	"^sockopt\[[0-9]+\]: fd [0-9]+ \(phase after-accept\) applied: SO_PRIORITY"
logger=$(sed -n 's/^sockopt\[\([0-9]*\)\]: .*phase after-accept.*/\1/p' "$tmp/nginx.shim" | head -1)
expect "nginx: the after-accept line comes from a worker (a child of the master $npid)" \
	"logger=$logger parent=$(awk '/^PPid:/ { print $2 }' "/proc/$logger/status" 2>&1)" \
	"parent=$npid$"
kill $npid
wait $npid 2>/dev/null || true

# socat's unix datagram socket: left alone by default, given the receive buffer with --unix.
unix_rcvbuf() {
	rm -f "$tmp/dgram.sock"
	"$SOCKOPT" run "$@" -o SO_RCVBUF=64K -- socat -u UNIX-RECV:"$tmp/dgram.sock" - >/dev/null &
	pid=$!
	started $pid
	peek $pid "kind=unix-dgram" | sed -n 's/.*SO_RCVBUF=\([0-9]*\).*/\1/p'
	kill $pid
}
dgram_default=$($PY -c 'import socket; print(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))')
expect "socat's unix-dgram socket keeps the kernel's receive buffer ($dgram_default) by default" \
	"rcvbuf=$(unix_rcvbuf)" "^rcvbuf=$dgram_default$"
expect "socat's unix-dgram socket gets SO_RCVBUF 64K (stored 131072) with --unix" \
	"rcvbuf=$(unix_rcvbuf --unix)" "^rcvbuf=131072$"

# A nested run merges the specs, inner over outer, and says so.
# (The inner sockopt starts under the outer shim: a sanitizer build must tolerate that order.
# Under SOCKOPT_WRAP the inner one is the plain binary: valgrind does not start under the shim.)
inner=$SOCKOPT
[ -z "${SOCKOPT_WRAP:-}" ] || inner=$SOCKOPT_BUILD/sockopt
out=$(ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
	"$SOCKOPT" run -o SO_KEEPALIVE=on,TCP_NODELAY=on -- "$inner" run -o TCP_NODELAY=off -- \
	$PY -c '
import socket
s = socket.socket()
print("keepalive", s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
      "nodelay", s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))' 2>&1) || true
expect "a nested run: the outer SO_KEEPALIVE stays, the inner TCP_NODELAY=off wins, and it says so" \
	"$out" "^keepalive 1 nodelay 0$" \
	"^sockopt: inside another sockopt run: .*merged.* -o SO_KEEPALIVE=on,TCP_NODELAY=off$"

# What the program must never see change: errno, accept4's flags, a refused connect's error.
out=$("$SOCKOPT" run -o TCP_NODELAY=on,SO_KEEPALIVE=on -- "$progs/errno_probe" 2>&1) || true
expect "errno is untouched after successful calls" "$out" \
	"^socket_errno=4242 ok" "^bind_errno=4242 ok" "^listen_errno=4242 ok" \
	"^connect_errno=4242 ok" "^accept4_errno=4242 ok" "^close_errno=4242 ok"
expect "accept4 with SOCK_NONBLOCK|SOCK_CLOEXEC: both flags hold and options are on" "$out" \
	"^accept4_nonblock=1 ok" "^accept4_cloexec=1 ok" "^accepted_nodelay=1" \
	"^accepted_keepalive=1" "^client_nodelay=1"
expect "a refused connect fails with ECONNREFUSED, a bad fd with EBADF" "$out" \
	"^refused_errno=ECONNREFUSED ok" "^badfd_errno=EBADF ok"
if printf '%s\n' "$out" | grep -q FAIL; then fail "errno_probe: $out"; fi

# 8 threads x 1,000 connects at once: no crash, every socket configured.
expect "8 threads x 1000 connects: all connected and configured" \
	"$("$SOCKOPT" run -o SO_KEEPALIVE=on -- "$progs/threads" 8 1000)" \
	"^connects=8000 configured=8000 failed=0$"

# AF_UNIX sockets: a TCP-only spec makes no call on them, and --tcp leaves them alone.
"$SOCKOPT" run -o TCP_NODELAY=on -- strace -f -e trace=setsockopt -o "$tmp/unix.strace" \
	$netpeer sockopts unix unix-pair tcp >/dev/null
expect "a TCP-only spec: one setsockopt, on the TCP socket only" \
	"$(grep -c setsockopt "$tmp/unix.strace")" "^1$"
default=$($netpeer sockopts unix | awk '{ print $3 }')
# (--on-socket: right after socket(), since these sockets never connect.)
out=$("$SOCKOPT" run --tcp --on-socket SO_SNDBUF=64K -- $netpeer sockopts unix unix-pair tcp)
expect "--tcp: unix sockets keep their default SO_SNDBUF ($default), the tcp one gets 64K" "$out" \
	"^unix [0-9]+ $default$" "^unix-pair [0-9]+ $default$" "^tcp [0-9]+ 131072$"

# An option that does not fit the socket is not applied, and --verbose says so once per kind.
err=$("$SOCKOPT" run --verbose -o UDP_CORK=on -- $netpeer sockopts tcp tcp 2>&1 >/dev/null)
expect "a not-applicable option is skipped and said once, with the pid" \
	"$err lines=$(printf '%s\n' "$err" | grep -c 'UDP_CORK does not apply')" \
	"sockopt\[[0-9]+\]: UDP_CORK does not apply to tcp sockets: not applied to them" "lines=1$"

# The shim's log never goes into the program's traffic.  fd2_probe closes its standard error
# and its socket takes fd 2; it sends 6 bytes, and a peer counts what arrives.  The shim logs
# to its own copy of the standard error it started with, or to --log FILE, never to fd 2.
# fd2 NAME PROBE-ARGS… -- RUN-ARGS…: run fd2_probe under sockopt run against a counting peer
fd2() {
	name=$1 mode=$2
	shift 2
	rm -f "$tmp/$name.port"
	if [ "$mode" = connect ]; then
		$netpeer count-serve "$tmp/$name.port" >"$tmp/$name.peer" &
		started $!
		peer=$!
		"$SOCKOPT" run "$@" -- "$progs/fd2_probe" connect "$(port_of "$tmp/$name.port")" \
			>"$tmp/$name.out" 2>"$tmp/$name.err"
		echo "exit=$?" >>"$tmp/$name.out"
	else
		"$SOCKOPT" run "$@" -- "$progs/fd2_probe" accept >"$tmp/$name.out" 2>"$tmp/$name.err" &
		started $!
		i=0
		while ! [ -s "$tmp/$name.out" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		$netpeer count-connect "$(head -1 "$tmp/$name.out")" >"$tmp/$name.peer" &
		peer=$!
	fi
	wait $peer || true
}
fd2 connect connect --verbose -o SO_KEEPALIVE=on
expect "log: a socket on fd 2 (the program closed stderr) gets no log line, and the log goes on" \
	"$(cat "$tmp/connect.out" "$tmp/connect.peer" "$tmp/connect.err")" "^fd=2 sent=6$" \
	"^exit=0$" "^received=6$" "fd 2 \(phase any\) applied: SO_KEEPALIVE"
fd2 closed connect --verbose -o SO_KEEPALIVE=on 2>&-
expect "log: stderr closed before the shim loads: no SIGPIPE from writing to the unconnected fd 2" \
	"$(cat "$tmp/closed.out" "$tmp/closed.peer")" "^fd=2 sent=6$" "^exit=0$" "^received=6$"
fd2 accepted accept --verbose --after-accept SO_PRIORITY=3 2>&-
expect "log: an accepted socket on fd 2 sends only the program's 6 bytes" \
	"$(cat "$tmp/accepted.out" "$tmp/accepted.peer")" "^fd=2 sent=6$" "^received=6$"
fd2 logged connect --verbose --log "$tmp/shim.log" -o SO_KEEPALIVE=on 2>&-
expect "log: --log FILE gets the lines, with the program's stderr closed" \
	"$(cat "$tmp/logged.out" "$tmp/logged.peer" "$tmp/shim.log")" "^received=6$" \
	"^sockopt\[[0-9]+\]: fd 2 \(phase any\) applied: SO_KEEPALIVE"

# A fresh socket put on another's number is the fresh socket: dup2, dup3 and F_DUPFD copy
# what the shim knows, close_range and closefrom forget it (then a raw dup the shim cannot
# see fills the number).  The spec's before-connect options must reach it as they reach a
# control socket, and a unix socket on a former TCP number connects under --strict.
for how in dup2 dup3 fcntl close_range closefrom; do
	out=$("$SOCKOPT" run --strict -o SO_RCVBUF=8K,TCP_SYNCNT=2 -- "$progs/dup_probe" $how connected)
	expect "descriptors: $how onto a connected socket's number: connects with SO_RCVBUF 16384 and TCP_SYNCNT 2" \
		"$out" "^control connect=ok rcvbuf=16384 syncnt=2$" "^placed connect=ok rcvbuf=16384 syncnt=2$"
	out=$("$SOCKOPT" run --strict -o SO_RCVBUF=8K,TCP_SYNCNT=2 -- "$progs/dup_probe" $how udp)
	expect "descriptors: $how, a TCP socket on a former UDP number gets its before-connect options" \
		"$out" "^placed connect=ok rcvbuf=16384 syncnt=2$"
	out=$("$SOCKOPT" run --strict -o TCP_SYNCNT=2 -- "$progs/dup_probe" $how unix)
	expect "descriptors: $how, a unix socket on a former TCP number connects under --strict" \
		"$out" "^placed connect=ok$"
done

# A spec set by hand that the shim cannot parse: one warning, and the program runs untouched.
out=$(SOCKOPT_SPEC='SO_LINGER=maybe' LD_PRELOAD="$shim" "$progs/errno_probe" 2>"$tmp/err") || true
expect "an unparsable spec in the environment: one warning" \
	"$(cat "$tmp/err"; echo "lines=$(wc -l <"$tmp/err")")" \
	"ignoring SOCKOPT_SPEC=\"SO_LINGER=maybe\"" "^lines=1$"
expect "an unparsable spec in the environment: the program runs as without the shim" "$out" \
	"^client_nodelay=0" "^refused_errno=ECONNREFUSED ok"

# A preload the user already has stays, in front of the shim.  (sockopt itself starts with
# it too; under make check that is an ASan build, which must be told not to mind.)
err=$(LD_PRELOAD="$progs/libmarker.so" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$SOCKOPT" run -o TCP_NODELAY=on -- \
	"$progs/errno_probe" 2>&1 >"$tmp/out") || true
expect "an existing LD_PRELOAD is kept and both wrappers run" \
	"$err$(cat "$tmp/out")" "marker: socket\(\) passed through libmarker" "client_nodelay=1"
expect "an existing LD_PRELOAD is kept in the environment, the shim after it" \
	"$(LD_PRELOAD=/nonexistent/libx.so "$SOCKOPT" run -o TCP_NODELAY=on -- sh -c 'echo "$LD_PRELOAD"' 2>/dev/null)" \
	"^/nonexistent/libx.so:/.*/libsockopt-preload.so$"
# The sockopt command never runs under its own shim: its fresh reference sockets stay as the
# kernel makes them, while the program beside it still gets the option.
expect "sockopt inside sockopt run reads fresh sockets the shim did not touch" \
	"$(ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$SOCKOPT" run -o TCP_NODELAY=on -- "$SOCKOPT_BUILD/sockopt" defaults tcp 2>&1)" \
	"TCP_NODELAY +off"
expect "sockopt inside sockopt run leaves the shim for the commands it does not run itself" \
	"$(ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$SOCKOPT" run -o TCP_NODELAY=on -- sh -c '"$1" defaults tcp >/dev/null; echo "$LD_PRELOAD"' sh "$SOCKOPT_BUILD/sockopt" 2>&1)" \
	"libsockopt-preload.so"

# --strict: a failing option fails the call with its errno; without it the program goes on.
err=$("$SOCKOPT" run --strict -o TCP_ULP=no-such-ulp -- $netpeer sockopts tcp 2>&1 || true)
expect "--strict: socket() fails with the option's errno (ENOENT)" "$err" "FileNotFoundError"
err=$("$SOCKOPT" run --verbose -o TCP_ULP=no-such-ulp -- $netpeer sockopts tcp 2>&1)
expect "without --strict: the option fails, is logged, and the program runs" "$err" \
	"failed: .*TCP_ULP" "^tcp [0-9]+ [0-9]+$"

# Bad input: nothing runs, one sentence, exit 2 (127 for a command that is not there).
# run_status CODE PATTERN ARGS…: sockopt run ARGS exits CODE with one line matching PATTERN
run_status() {
	code=$1 pattern=$2
	shift 2
	set +e
	"$SOCKOPT" run "$@" 2>"$tmp/err" >/dev/null
	got=$?
	set -e
	if [ "$got" = "$code" ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -Eq -- "$pattern" "$tmp/err" &&
		[ ! -e "$tmp/ran" ]; then
		pass "sockopt run $* -> exit $code"
	else
		fail "sockopt run $* -> exit $got (want $code), stderr: $(cat "$tmp/err")"
	fi
}
run_status 2 'SO_LINGER=maybe' -o SO_LINGER=maybe -- touch "$tmp/ran"
run_status 2 'applies to tcp, tcp6 sockets, not to udp or udp6' --udp -o TCP_NODELAY=on -- touch "$tmp/ran"
run_status 2 'after-accept: .*UDP_CORK' --after-accept UDP_CORK=on -- touch "$tmp/ran"
# Values out of the catalog's bounds are refused before the program runs (issue 11, item 10).
run_status 2 'IP_TTL: 300 is out of range; it takes 1 to 255, or -1' -o IP_TTL=300 -- touch "$tmp/ran"
run_status 2 'TCP_KEEPIDLE: 0 is out of range' -o TCP_KEEPIDLE=0 -- touch "$tmp/ran"
run_status 2 '"nosuch" is not one of .*tcp_available_congestion_control' -o TCP_CONGESTION=nosuch -- touch "$tmp/ran"
run_status 2 'No options to apply' --tcp -- touch "$tmp/ran"
run_status 2 'No command to run' -o TCP_NODELAY=on
run_status 2 'unknown flag' --bogus -o TCP_NODELAY=on -- touch "$tmp/ran"
# --strict: a program out of reach is not run (hold would print "Connection refused" too).
run_status 2 'hold-static is statically linked.*not run \(--strict\)' --strict -o IP_TTL=9 -- "$tmp/hold-static" 1
run_status 2 'hold-go is a Go binary.*not run \(--strict\)' --strict -o IP_TTL=9 -- "$tmp/hold-go" 1
run_status 127 'Cannot run no-such-command-here' -o TCP_NODELAY=on -- no-such-command-here
expect "sockopt run --help prints the usage and exits 0" \
	"$("$SOCKOPT" run --help 2>&1; echo "exit=$?")" "^usage: sockopt run " "^exit=0$"

[ $fails = 0 ] && echo "all sockopt run tests passed"
exit $fails
