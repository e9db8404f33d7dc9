#!/bin/sh
# test_lab.sh: every lab experiment runs, its JSON has the documented shape, and each verdict is consistent with its own measured fields.
set -eu
SOCKOPT=${SOCKOPT:-build/sockopt}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# The whole lab, once, as JSON; --list names the same experiments.
"$SOCKOPT" lab --json >"$tmp/lab.json"
"$SOCKOPT" lab --list --json >"$tmp/list.json"
python3 - "$tmp/lab.json" "$tmp/list.json" <<'EOF'
import json, sys

results = json.load(open(sys.argv[1]))
listed = [x["id"] for x in json.load(open(sys.argv[2]))]
assert [r["id"] for r in results] == listed, "lab --list names the experiments lab runs"

# The ids the issue asks for must all be there.
required = """linger-default linger-abort linger-timeout-blocking linger-timeout-nonblocking
linger-units sndbuf-doubling udp-datagram-over-sndbuf accept-inherits rcvbuf-before-listen
rcvlowat-poll sndlowat-set rcvtimeo reuseaddr-timewait reuseaddr-distinct-ip
reuseaddr-udp-duplicate reuseport-balance so-error-connect broadcast-eacces ttl-tos-defaults
nodelay-delayed-ack maxseg keepalive-defaults keepalive-dead-peer sigpipe-after-rst fcntl-flags
oobinline v6only-default""".split()
by_id = {r["id"]: r for r in results}
present = [i for i in required if i in by_id]
missing = [i for i in required if i not in by_id]
assert not missing, "the lab lacks the required experiments: " + " ".join(missing)

VERDICTS = {"agrees", "differs", "partly", "skipped"}
for r in results:
    for key, kind in (("id", str), ("title", str), ("source", list), ("options", list),
                      ("claim", str), ("method", str), ("observed", dict), ("checks", list),
                      ("verdict", str), ("reason", str), ("elapsed_ms", int)):
        assert isinstance(r.get(key), kind), "%s: %s is a %s" % (r["id"], key, kind.__name__)
    assert r["verdict"] in VERDICTS, r
    assert r["reason"], "%s: every verdict carries a reason" % r["id"]
    assert r["source"] and all(s.endswith(".txt") for s in r["source"]), r["id"]
    assert isinstance(r["observed"]["fields"], dict) and isinstance(r["observed"]["text"], str)
    if r["verdict"] == "skipped":
        continue
    # A verdict that is not "skipped" rests on measured fields and a sentence.
    assert r["observed"]["fields"], "%s: measured fields" % r["id"]
    assert r["observed"]["text"], "%s: an observed sentence" % r["id"]
    claim = [c for c in r["checks"] if not c["setup"]]
    judged = [c for c in claim if c["outcome"] != "not measured"]
    holds = [c for c in judged if c["outcome"] == "holds"]
    assert judged, "%s: at least one part of the claim was measured" % r["id"]
    assert all(c["outcome"] == "holds" for c in r["checks"] if c["setup"]), r["id"]
    # Each check's measured text is the field's value: the verdict is computed from the fields.
    for c in judged:
        v = r["observed"]["fields"][c["field"]]
        shown = ("yes" if v else "no") if isinstance(v, bool) else str(v)
        assert c["measured"] == shown, (r["id"], c)
    unmeasured = [c for c in claim if c["outcome"] == "not measured"]
    expect = ("differs" if not holds else
              "agrees" if len(holds) == len(judged) and not unmeasured else "partly")
    assert r["verdict"] == expect, "%s: %s with %d of %d parts holding" % (
        r["id"], r["verdict"], len(holds), len(judged))


def fields(i):
    return by_id[i]["observed"]["fields"] if i in by_id else {}


def ran(i):
    return i in by_id and by_id[i]["verdict"] != "skipped"


# Consistency of particular experiments: what a verdict may say given what was measured.
if ran("linger-abort") and by_id["linger-abort"]["verdict"] == "agrees":
    f = fields("linger-abort")
    assert f["peer_end"] == "ECONNRESET" and f["time_wait"] == 0, f
if ran("linger-default") and by_id["linger-default"]["verdict"] == "agrees":
    f = fields("linger-default")
    assert f["bytes_received"] == f["bytes_sent"] and f["time_wait"] == 1, f
for i in ("linger-timeout-blocking", "linger-units"):
    if ran(i) and by_id[i]["verdict"] in ("agrees", "partly"):
        f = fields(i)
        assert f["close_us"] >= 900000, f  # it blocked for about the linger second
if ran("sndbuf-doubling") and by_id["sndbuf-doubling"]["verdict"] == "agrees":
    f = fields("sndbuf-doubling")
    assert f["sndbuf_readback"] == 2 * f["sndbuf_requested"], f
print("lab: %d experiments, verdicts consistent with their fields" % len(results))
EOF

# As root (here and in CI) the privileged experiments run; as nobody without
# capabilities they say why they were skipped, and nothing crashes.
privileged="keepalive-dead-peer keepalive-unreachable keepalive-peer-reboot peer-host-crash dontroute"
if [ "$(id -u)" = 0 ]; then
	python3 - "$tmp/lab.json" $privileged <<'EOF'
import json, sys
by_id = {r["id"]: r for r in json.load(open(sys.argv[1]))}
for i in sys.argv[2:]:
    assert by_id[i]["verdict"] != "skipped", (i, by_id[i]["reason"])
EOF
	if command -v setpriv >/dev/null 2>&1; then
		cp "$SOCKOPT" "$tmp/sockopt" && chmod 755 "$tmp" "$tmp/sockopt"
		(cd "$tmp" && setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
			./sockopt lab --json $privileged so-debug sndbuf-doubling ttl-tos-defaults \
			broadcast-eacces tw-sysctls) >"$tmp/nobody.json"
		nobody="$tmp/nobody.json"
	fi
else
	nobody="$tmp/lab.json"
fi
if [ -n "${nobody:-}" ]; then
	python3 - "$nobody" $privileged <<'EOF'
import json, sys
by_id = {r["id"]: r for r in json.load(open(sys.argv[1]))}
for i in sys.argv[2:]:
    assert by_id[i]["verdict"] == "skipped", (i, by_id[i]["verdict"])
    assert "CAP_NET_ADMIN" in by_id[i]["reason"], by_id[i]["reason"]
if "so-debug" in by_id:
    r = by_id["so-debug"]
    assert r["verdict"] == "skipped" and "CAP_NET_ADMIN" in r["reason"], r
# Unprivileged parts of mixed experiments still run; the privileged part is "not measured".
if "sndbuf-doubling" in by_id:
    r = by_id["sndbuf-doubling"]
    assert r["verdict"] != "skipped" and "sndbufforce_readback" not in r["observed"]["fields"], r
    assert r["observed"]["fields"]["sndbufforce_errno"] == "EPERM", r["observed"]["fields"]
if "ttl-tos-defaults" in by_id:
    f = by_id["ttl-tos-defaults"]["observed"]["fields"]
    assert f["raw_socket"] == "EPERM" and "raw_ttl" not in f, f
if "broadcast-eacces" in by_id:
    r = by_id["broadcast-eacces"]
    assert r["observed"]["fields"]["namespace"] == "host loopback" and r["verdict"] != "skipped", r
print("lab without privileges: %d experiments, the privileged ones skipped with a reason" % len(by_id))
EOF
fi

# Unknown experiments and flags are usage errors.
if "$SOCKOPT" lab no-such-experiment 2>"$tmp/err"; then exit 1; else test $? -eq 2; fi
grep -q "no lab experiment" "$tmp/err"
if "$SOCKOPT" lab --bogus 2>/dev/null; then exit 1; else test $? -eq 2; fi

# explain lists the experiments about an option.
"$SOCKOPT" explain SO_LINGER | grep -q "linger-abort"
"$SOCKOPT" explain --json SO_LINGER | python3 -c 'import json,sys; assert "linger-abort" in json.load(sys.stdin)["lab"]'

# The markdown report is a table with one row per experiment.
"$SOCKOPT" lab --markdown linger-abort >"$tmp/lab.md"
head -1 "$tmp/lab.md" | grep -q '^| id | claim |'
test "$(grep -c '^| linger-abort |' "$tmp/lab.md")" -eq 1
echo "test_lab: ok"
