#!/bin/sh
# test_show_threads.sh: sockopt show prints the same sockets, in the same order, on one thread and on several (--threads, SOCKOPT_THREADS).
set -eu
SOCKOPT=${SOCKOPT:-build/sockopt}
work=$(mktemp -d)
holder=""
cleanup() {
	if [ -n "$holder" ]; then kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
failed=0
fail() {
	echo "FAIL: $*"
	failed=1
}

# A process with 150 loopback TCP connections (300 sockets, nodelay on every 3rd client)
# and a few UDP and unix sockets: several chunks of fds for each worker.
python3 - "$work/ready" <<'EOF' &
import os, socket, sys, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(200)
keep = [l]
for i in range(150):
    c = socket.create_connection(l.getsockname())
    if i % 3 == 0:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    keep += [c, l.accept()[0]]
for i in range(4):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
    keep += [u, *socket.socketpair()]
open(sys.argv[1], "w").write(str(os.getpid()))
time.sleep(60)
EOF
holder=$!
tries=0
until [ -s "$work/ready" ]; do
	tries=$((tries + 1))
	[ "$tries" -lt 100 ] || { echo "FAIL: the python3 holder did not start"; exit 1; }
	sleep 0.1
done
pid=$(cat "$work/ready")

# Values the kernel changes by itself between two reads are masked (in --all text the "ss" group,
# TCP_INFO and SO_MEMINFO in the words of ss, goes whole); everything else must match.
masked() {
	"$SOCKOPT" show "$pid" "$@" | awk '/^    ss / { ss = 1; next } ss && /^             / { next } { ss = 0; print }' | sed -E \
		's/"(TCP_INFO|TCP_TIMESTAMP|SO_MEMINFO|TCP_CC_INFO|SO_INCOMING_CPU)","value": ([^{][^,]*|\{[^}]*\}),"text": "[^"]*"/"\1"/g;
		 s/(TCP_INFO|TCP_TIMESTAMP|SO_MEMINFO|TCP_CC_INFO|SO_INCOMING_CPU)=(\{[^}]*\}|[0-9a-f]*)/\1/g;
		 s/"ms": [0-9]+/"ms"/g; s/timer:\(([a-z]+),[^)]*\)/timer:(\1)/g'
}
for view in "--all --json" "--all" "" "--tcp --state established"; do
	# shellcheck disable=SC2086 # VIEW is a list of flags
	masked $view --threads 1 >"$work/one"
	# shellcheck disable=SC2086
	SOCKOPT_THREADS=2 masked $view >"$work/two"
	# shellcheck disable=SC2086
	masked $view --threads 4 >"$work/four"
	sockets=$(grep -o 'ESTABLISHED' "$work/one" | wc -l)
	if ! cmp -s "$work/one" "$work/two"; then
		fail "show $view: 2 threads print other than 1 thread"
	elif ! cmp -s "$work/one" "$work/four"; then
		fail "show $view: 4 threads print other than 1 thread"
	elif [ "$sockets" -lt 300 ]; then
		fail "show $view: $sockets established sockets, fewer than the holder's 300"
	else
		echo "ok   show $view: the same $sockets established sockets, byte for byte, on 1, 2 and 4 threads"
	fi
done

# A bad count is a usage error with a sentence.
for bad in 0 17 x; do
	if "$SOCKOPT" show "$pid" --threads "$bad" >/dev/null 2>"$work/err"; then
		fail "--threads $bad was accepted"
	else
		[ $? = 2 ] || fail "--threads $bad: exit code is not 2"
	fi
	grep -q "is not a thread count from 1 to 16" "$work/err" || fail "--threads $bad: no sentence"
done
SOCKOPT_THREADS=x "$SOCKOPT" show "$pid" >/dev/null 2>"$work/err" && fail "SOCKOPT_THREADS=x was accepted"
grep -q "SOCKOPT_THREADS \"x\"" "$work/err" || fail "SOCKOPT_THREADS=x: the sentence does not name it"
[ $failed = 0 ] && echo "ok   --threads 0, 17, x and SOCKOPT_THREADS=x are usage errors with a sentence"
exit $failed
