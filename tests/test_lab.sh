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
print("required ids present: %d of %d%s" % (len(present), len(required),
      (" (missing: %s)" % " ".join(missing)) if missing else ""))

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
    expect = ("agrees" if len(holds) == len(judged) else
              "differs" if not holds else "partly")
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
