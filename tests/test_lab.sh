#!/bin/sh
# test_lab.sh: every claim of the lab is cited and judged from its parts; every check can fail (lab_judge); the summary fits a screen; flags and errors.
set -eu
SOCKOPT=${SOCKOPT:-build/sockopt}
BUILD=${SOCKOPT_BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Every part of every claim can fail: the judge fed the fields another kernel would give.
"$BUILD/tests/lab_judge"

# The whole lab, once, as JSON; --list names the same claims.
"$SOCKOPT" lab --json >"$tmp/lab.json"
"$SOCKOPT" lab --list --json >"$tmp/list.json"
seeds=../shared/seeds
[ -d "$seeds" ] || seeds=""
python3 - "$tmp/lab.json" "$tmp/list.json" "$seeds" "$(id -u)" <<'EOF'
import json, os, re, sys

claims = json.load(open(sys.argv[1]))
listed = [x["id"] for x in json.load(open(sys.argv[2]))]
seeds, root = sys.argv[3], sys.argv[4] == "0"
assert [c["id"] for c in claims] == listed, "lab --list names the claims lab judges"
assert len(set(listed)) == len(listed), "claim ids are unique"

VERDICTS = {"agrees", "differs", "partly", "not measured"}
for c in claims:
    i = c["id"]
    for key, kind in (("id", str), ("source", str), ("seed", str), ("statement", str),
                      ("parts", list), ("verdict", str), ("reason", str), ("experiment", str)):
        assert isinstance(c.get(key), kind), "%s: %s is a %s" % (i, key, kind.__name__)
    # Sources are named as a reader knows them, the file beside, never the hash alone.
    assert re.fullmatch(r"\d{3}_[0-9a-f]{16}\.txt", c["seed"]), c["seed"]
    assert c["seed"] not in c["source"] and len(c["source"]) > 20, c["source"]
    first, last = (c["line"], c["line"]) if "line" in c else tuple(c["lines"])
    assert 1 <= first <= last, (i, first, last)
    if seeds:
        text = open(os.path.join(seeds, c["seed"]), encoding="utf-8").read().split("\n")
        assert last <= len(text) and all(text[n - 1].strip() for n in (first, last)), (i, first, last)
    assert c["verdict"] in VERDICTS, c
    assert c["reason"], "%s: every verdict carries a reason" % i
    parts = c["parts"]
    assert parts, i
    for p in parts:
        assert p["verdict"] in ("holds", "fails", "not measured") and p["says"], (i, p)
        if p["verdict"] == "not measured":
            assert p["why"], (i, p)
        else:
            # A judged part shows the measured field's value, and the field is in "measured".
            m = c["measured"][p["field"]]
            shown = ("yes" if m["value"] else "no") if isinstance(m["value"], bool) else str(m["value"])
            assert p["measured"] == shown, (i, p, m)
    for name, m in c.get("measured", {}).items():
        assert set(m) <= {"value", "unit"} and "value" in m, (i, name, m)
    judged = [p for p in parts if p["verdict"] != "not measured"]
    holds = [p for p in judged if p["verdict"] == "holds"]
    expect = ("not measured" if not judged else "differs" if not holds else
              "agrees" if len(holds) == len(parts) else "partly")
    assert c["verdict"] == expect, "%s: %s with %d of %d parts holding, %d judged" % (
        i, c["verdict"], len(holds), len(parts), len(judged))
    # As root every experiment runs; a part left unmeasured says why in its own words
    # (a field the experiment never recorded would be a misspelt check), except the
    # fields only a kernel with that feature gives.
    if root:
        for p in parts:
            assert p.get("why") != "its field was not measured" or p["field"] in (
                "use_min_mtu_default", "raw_ttl", "wire_ttl", "wire_tos"), (i, p)

# The documents' own statements the audit found reversed are judged as written.
by_id = {c["id"]: c for c in claims}
assert by_id["adv-linger-no-time-wait-effect"]["statement"].startswith("SO_LINGER does not")
assert by_id["adv-rcvlowat"]["statement"].startswith("select and poll do not respect")
assert by_id["unp-lowat-multiplexing"]["statement"].find("used by select, poll and epoll") > 0
# SO_ERROR with data queued, SIGIO on an error, a write with an error pending and epoll
# with SO_RCVLOWAT are measured on every machine (loopback only), none left out.
for i in ("unp-so-error-get", "unp-so-error-read", "unp-so-error-write", "unp-lowat-multiplexing"):
    assert all(p["verdict"] != "not measured" for p in by_id[i]["parts"]), by_id[i]
# Timings come with their spread: a median of at least 5 runs, min and max beside it.
m = by_id["unp-linger-timeout"]["measured"]
if "close_us_min" in m:
    assert m["close_us_min"]["value"] <= m["close_us"]["value"] <= m["close_us_max"]["value"], m
print("lab: %d claims, cited, judged from their parts" % len(claims))
EOF

# The one-screen summary: a header naming the kernel, the architecture and HZ, one row
# per experiment, where to read more; with every experiment it stays under 60 lines.
"$SOCKOPT" lab --summary linger-abort keepalive-defaults >"$tmp/summary"
head -1 "$tmp/summary" | grep -q "judged on Linux .* HZ [0-9]"
grep -q "^linger-abort  *go-blog= .*peer_end=" "$tmp/summary"
tail -1 "$tmp/summary" | grep -q "sockopt lab --verbose.*sockopt lab ID.*docs/lab.md"
rows=$(python3 -c 'import json,sys; print(len({c["experiment"] for c in json.load(open(sys.argv[1]))}))' "$tmp/lab.json")
test $(( $(wc -l <"$tmp/summary") - 2 + rows )) -lt 60

# One claim, with its document's line(s) when the seeds are there (--seeds DIR).
mkdir "$tmp/seeds"
python3 -c 'import sys; open(sys.argv[1], "w").write("".join("line %d\n" % n for n in range(1, 300)))' \
	"$tmp/seeds/003_f012efc3bbbfde02.txt"
"$SOCKOPT" lab --seeds "$tmp/seeds" unp-linger-abort >"$tmp/one"
grep -q "| line 140$" "$tmp/one"
grep -q "^  [a-z ]* *unp-linger-abort  (unp:140)" "$tmp/one"
test "$(grep -c '^  [a-z ]* *unp-' "$tmp/one")" -eq 1

# Flags go anywhere; contradictory formats and unknown ids are usage errors.
"$SOCKOPT" lab linger-abort --json | python3 -c 'import json,sys; assert len(json.load(sys.stdin)) == 13'
if "$SOCKOPT" lab --json --markdown >"$tmp/out" 2>"$tmp/err"; then exit 1; else test $? -eq 2; fi
test ! -s "$tmp/out" && test "$(wc -l <"$tmp/err")" -eq 1
if "$SOCKOPT" lab no-such-claim 2>"$tmp/err"; then exit 1; else test $? -eq 2; fi
grep -q "no lab claim or experiment" "$tmp/err"
if "$SOCKOPT" lab --bogus 2>/dev/null; then exit 1; else test $? -eq 2; fi

# As nobody the privileged experiments are not measured, with the reason.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	cp "$SOCKOPT" "$tmp/sockopt" && chmod 755 "$tmp" "$tmp/sockopt"
	(cd "$tmp" && setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		./sockopt lab --json keepalive-dead-peer dontroute so-debug ttl-tos-defaults) >"$tmp/nobody.json"
	python3 - "$tmp/nobody.json" <<'EOF'
import json, sys
by_id = {c["id"]: c for c in json.load(open(sys.argv[1]))}
for i in ("unp-keepalive-timeout", "unp-dontroute"):
    assert by_id[i]["verdict"] == "not measured" and "CAP_NET_ADMIN" in by_id[i]["reason"], by_id[i]
ttl = by_id["unp-ip-ttl"]
assert ttl["verdict"] != "not measured" and "raw_ttl" not in ttl["measured"], ttl
print("lab without privileges: the privileged claims are not measured, with the reason")
EOF
fi

# explain lists the experiments about an option; the markdown report is a table.
"$SOCKOPT" explain SO_LINGER | grep -q "linger-abort"
"$SOCKOPT" lab --markdown linger-abort >"$tmp/lab.md"
head -1 "$tmp/lab.md" | grep -q '^| claim | cited |'
test "$(grep -c '^| [a-z-]* | [a-z-]*:[0-9-]* |' "$tmp/lab.md")" -eq 13
echo "test_lab: ok"
