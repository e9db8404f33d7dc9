#!/bin/sh
# test_proc_names.sh: a process whose name is not UTF-8 (prctl PR_SET_NAME "nc\xffname") trips none of the helpers that read /proc, and sockopt escapes its name in text, JSON and metrics.
set -eu
: "${SOCKOPT:=build/sockopt}"
. tests/lib.sh
# A parent named like that, holding a loopback listener, with a child (sleep).
$PY - "$tmp/ready" <<'PY' &
import ctypes, signal, socket, subprocess, sys, time
ctypes.CDLL(None).prctl(15, b"nc\xffname", 0, 0, 0)
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen()
child = subprocess.Popen(["sleep", "120"])
signal.signal(signal.SIGTERM, lambda *_: (child.kill(), sys.exit(0)))
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % listener.getsockname()[1])
time.sleep(120)
PY
parent=$!
started "$parent"
wait_for test -s "$tmp/ready" || { fail "the process named nc\\xffname did not start"; exit 1; }
port=$(cat "$tmp/ready")
hex() { od -An -tx1 <"$1" | tr -d ' \n'; }
[ "$(hex /proc/"$parent"/comm)" = 6e63ff6e616d650a ] &&
	pass "the parent's /proc/PID/comm holds the byte 0xff" || fail "the parent's comm is $(hex /proc/"$parent"/comm)"

# The shell and python helpers the other tests use.
if kid=$(child_of "$parent") && [ "$(cat /proc/"$kid"/comm)" = sleep ]; then
	pass "lib.sh child_of finds the child of a process with such a name"
else
	fail "lib.sh child_of: no child of $parent"
fi
expect "peek.py reads its listener from outside" "$(peek "$parent" "listening=1")" \
	"kind=tcp local=127.0.0.1:$port peer=- listening=1"

# sockopt itself, on that process and on the whole machine: valid UTF-8, the name escaped.
utf8() { $PY -c 'import sys; sys.stdin.buffer.read().decode("utf-8")'; }
out=$("$SOCKOPT" show "$parent")
expect "show PID prints the name escaped" "$out" "^$parent +nc\\\\xffname +[0-9]+ +tcp +LISTEN .*127.0.0.1:$port "
"$SOCKOPT" show --json "$parent" >"$tmp/show.json"
if $PY - "$tmp/show.json" "$parent" <<'PY'
import json, sys
sockets = json.load(open(sys.argv[1], encoding="utf-8"))["sockets"]
mine = [s for s in sockets if s["pid"] == int(sys.argv[2])]
assert mine and all(s["comm"] == "nc\ufffdname" and s["comm_hex"] == "6e63ff6e616d65" for s in mine), mine
PY
then pass "show --json: comm with U+FFFD and the exact bytes in comm_hex"; else fail "show --json: $(cat "$tmp/show.json")"; fi
for args in "show" "show --json" "show --all" "export"; do
	# The whole machine: other processes may refuse or vanish (exit 0 or 1); the bytes must be UTF-8.
	set +e
	"$SOCKOPT" $args >"$tmp/out" 2>"$tmp/err"
	code=$?
	set -e
	if [ $code -le 1 ] && utf8 <"$tmp/out" && utf8 <"$tmp/err" &&
		grep -Eq 'nc\\{1,2}xffname|"comm_hex": "6e63ff6e616d65"' "$tmp/out"; then
		pass "sockopt $args over every process: UTF-8 out and err, the name escaped"
	else
		fail "sockopt $args over every process: exit $code, $(head -c 300 "$tmp/err")"
	fi
done
printf 'tcp listen sport %s: SO_KEEPALIVE=on\n' "$port" >"$tmp/policy"
set +e
out=$("$SOCKOPT" check "$tmp/policy" "$parent" 2>&1)
code=$?
set -e
[ $code = 1 ] && expect "check names the process escaped in its violation" "$out" \
	"^nc\\\\xffname\\[$parent\\] fd [0-9]+ tcp 127.0.0.1:$port LISTEN: SO_KEEPALIVE expected =on, found off" ||
	fail "check: exit $code: $out"
[ $fails = 0 ]
