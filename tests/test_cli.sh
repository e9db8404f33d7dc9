#!/bin/sh
# test_cli.sh: list, explain, defaults and limits in text and JSON, checked against raw getsockopt, and bad input.
set -eu
: "${SOCKOPT:=build/sockopt}"
fails=0
check() { # check DESCRIPTION COMMAND…: the command must succeed
	desc=$1; shift
	if "$@"; then echo "ok   $desc"; else echo "FAIL $desc"; fails=$((fails + 1)); fi
}
# expect_exit CODE PATTERN ARGS…: exit code CODE and one line on stderr matching PATTERN
expect_exit() {
	code=$1 pattern=$2; shift 2
	set +e
	"$SOCKOPT" "$@" >/dev/null 2>/tmp/sockopt-cli-err.$$
	got=$?
	set -e
	lines=$(wc -l </tmp/sockopt-cli-err.$$)
	if [ "$got" = "$code" ] && [ "$lines" = 1 ] && grep -q -- "$pattern" /tmp/sockopt-cli-err.$$; then
		echo "ok   sockopt $* -> exit $code"
	else
		echo "FAIL sockopt $* -> exit $got (want $code), stderr: $(cat /tmp/sockopt-cli-err.$$)"
		fails=$((fails + 1))
	fi
	rm -f /tmp/sockopt-cli-err.$$
}

# list: the catalog as a table and as JSON with the documented fields.
check "list prints a header and TCP_NODELAY" sh -c "'$SOCKOPT' list | grep -q '^NAME' && '$SOCKOPT' list nodelay | grep -q TCP_NODELAY"
check "list --json has name, level, type, access, phase, summary" python3 - "$SOCKOPT" <<'PY'
import json, subprocess, sys
rows = json.loads(subprocess.check_output([sys.argv[1], "list", "--json"]))
assert len(rows) >= 17, len(rows)
for r in rows:
    for k in ("name", "level", "type", "access", "phase", "summary"):
        assert k in r and r[k], (r, k)
tcp = json.loads(subprocess.check_output([sys.argv[1], "list", "--level", "tcp", "--json"]))
assert tcp and all(r["level"] == "tcp" for r in tcp)
PY

# explain: one option with its live defaults and sysctls.
check "explain SO_SNDBUF shows sysctls and per-kind values" sh -c "'$SOCKOPT' explain so_sndbuf | grep -q 'net.core.wmem_max' && '$SOCKOPT' explain sndbuf | grep -q '^  tcp '"
check "explain --json carries defaults per kind" python3 - "$SOCKOPT" <<'PY'
import json, subprocess, sys
e = json.loads(subprocess.check_output([sys.argv[1], "explain", "TCP_KEEPIDLE", "--json"]))
assert e["name"] == "TCP_KEEPIDLE" and e["level"] == "tcp"
keep = int(open("/proc/sys/net/ipv4/tcp_keepalive_time").read())
assert any(d["kind"] == "tcp" and d["value"] == keep for d in e["defaults"]), e["defaults"]
assert any(s["name"] == "net.ipv4.tcp_keepalive_time" for s in e["sysctls"])
PY

# defaults: every value in `defaults tcp --json` equals what raw getsockopt returns.
check "defaults --json agrees with raw getsockopt" python3 - "$SOCKOPT" <<'PY'
import json, socket, struct, subprocess, sys
kinds = {"tcp": (socket.AF_INET, socket.SOCK_STREAM), "udp6": (socket.AF_INET6, socket.SOCK_DGRAM),
         "unix": (socket.AF_UNIX, socket.SOCK_STREAM)}
out = json.loads(subprocess.check_output([sys.argv[1], "defaults", "--json"] + list(kinds)))
types = {r["name"]: r["type"] for r in json.loads(subprocess.check_output([sys.argv[1], "list", "--json"]))}
compared = 0
for k in out:
    s = socket.socket(*kinds[k["kind"]])
    for o in k["options"]:
        if "error" in o:
            try:
                s.getsockopt(o["level_number"], o["optname"], 512)
            except OSError:
                continue
            raise AssertionError("sockopt says %s fails, python reads it" % o["name"])
        v = o["value"]
        # SO_COOKIE is per socket, TCP_INFO and TCP_TIMESTAMP move with the clock.
        if o["name"] in ("SO_COOKIE", "TCP_INFO", "TCP_TIMESTAMP") or isinstance(v, str) and o["name"] not in ("TCP_CONGESTION",):
            continue
        if types[o["name"]] == "u64":
            raw = struct.unpack("Q", s.getsockopt(o["level_number"], o["optname"], 8))[0]
            assert raw == v, (k["kind"], o, raw)
        elif isinstance(v, bool) or isinstance(v, int):
            raw = s.getsockopt(o["level_number"], o["optname"])
            if isinstance(v, bool):
                assert bool(raw) == v, (k["kind"], o, raw)
            elif v < 0 or v > 2**31:
                assert raw & 0xffffffff == v & 0xffffffff, (k["kind"], o, raw)
            else:
                assert raw == v, (k["kind"], o, raw)
        elif isinstance(v, dict) and "onoff" in v:
            assert struct.unpack("ii", s.getsockopt(o["level_number"], o["optname"], 8)) == (v["onoff"], v["linger"])
        elif isinstance(v, dict) and "usec" in v:
            assert struct.unpack("qq", s.getsockopt(o["level_number"], o["optname"], 16)) == (v["sec"], v["usec"])
        elif isinstance(v, str):
            assert s.getsockopt(o["level_number"], o["optname"], 64).rstrip(b"\0").decode() == v
        else:
            continue
        compared += 1
    s.close()
print("  compared %d values with raw getsockopt" % compared)
assert compared >= 20, compared
PY
check "defaults prints every kind by default" sh -c "'$SOCKOPT' defaults | grep -q '^unix-dgram'"

# limits: every sysctl with its current value.
check "limits --json matches /proc/sys" python3 - "$SOCKOPT" <<'PY'
import json, subprocess, sys
rows = json.loads(subprocess.check_output([sys.argv[1], "limits", "--json"]))
names = {r["name"]: r for r in rows}
for n in ("net.core.wmem_max", "net.core.somaxconn", "net.ipv4.tcp_keepalive_time", "net.ipv6.bindv6only"):
    raw = open("/proc/sys/" + n.replace(".", "/")).read().split()
    assert names[n]["value"].split() == raw, (n, names[n], raw)
    assert names[n]["meaning"]
PY

# Bad input: one sentence on stderr and the documented exit code.
expect_exit 2 'did you mean SO_LINGER' explain SO_LINGR
expect_exit 2 'no socket option named' explain no_such_thing_at_all
expect_exit 2 'not a socket kind' defaults tcp7
expect_exit 2 'not a level' list --level sctp
expect_exit 2 'not a sockopt command' frobnicate
expect_exit 2 'usage: sockopt explain' explain
expect_exit 2 'limits: unknown flag "--bogus"' limits --bogus
expect_exit 1 'No option matches' list zzzzzz

[ "$fails" = 0 ] || { echo "$fails CLI checks failed"; exit 1; }
