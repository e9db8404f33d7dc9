#!/bin/sh
# test_examples.sh: the example server and client, built by make, talk to each other on loopback.
set -u
ex=${SOCKOPT_BUILD:-build}/examples
tmp=$(mktemp -d)
server_pid=""
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
fail() {
	echo "FAIL: $*"
	for f in "$tmp"/*; do echo "--- $f"; cat "$f"; done
	exit 1
}

[ -x "$ex/server" ] && [ -x "$ex/client" ] || fail "make did not build $ex/server and $ex/client"

# The server picks a free port and says which; wait for that line (at most 5 s).
"$ex/server" 127.0.0.1 0 2 >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
port=""
for _ in $(seq 50); do
	port=$(sed -n 's/^server: listening on 127.0.0.1 port \([0-9]*\)$/\1/p' "$tmp/server.out")
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || fail "the server did not say which port it listens on"

# Two clients: each is greeted, and each graceful close sees the server close.
for name in alice bob; do
	"$ex/client" 127.0.0.1 "$port" "$name" >"$tmp/client-$name.out" 2>&1 ||
		fail "client $name failed"
	grep -qx "client: hello, $name" "$tmp/client-$name.out" || fail "client $name was not greeted"
	grep -q '^client: peer closed after [0-9]* ms; drained 0 bytes; close returned 0\.$' \
		"$tmp/client-$name.out" || fail "client $name's graceful close did not see the server close"
done
wait "$server_pid" || fail "the server exited with an error"
server_pid=""
[ "$(grep -c '^server: peer closed after' "$tmp/server.out")" = 2 ] ||
	fail "the server did not close both connections gracefully"
# The server's report names what the spec did on the listener and on each connection.
grep -q 'SO_REUSEADDR: requested on, stored on' "$tmp/server.err" || fail "no SO_REUSEADDR readback"
grep -q 'SO_RCVBUF: requested 131072, stored 262144' "$tmp/server.err" || fail "no SO_RCVBUF readback"

# Nothing listens on the port now: the dial fails with the step and the errno.
"$ex/client" 127.0.0.1 "$port" carol >"$tmp/refused.out" 2>&1
[ $? = 1 ] || fail "a refused dial did not exit 1"
grep -qx "client: connect to 127.0.0.1:$port: Connection refused (ECONNREFUSED)." "$tmp/refused.out" ||
	fail "a refused dial did not say so"

# A bad spec is refused before any socket, naming the entry.
"$ex/client" 127.0.0.1 "$port" dave "SO_LINGER=maybe" >"$tmp/badspec.out" 2>&1
[ $? = 2 ] || fail "a bad spec did not exit 2"
grep -q '^client: "SO_LINGER=maybe": SO_LINGER: "maybe" is not valid' "$tmp/badspec.out" ||
	fail "a bad spec was not named"
echo "ok: example server and client greeted two clients and closed gracefully"
