#!/bin/sh
# test_bench.sh: short runs of each bench mode: the JSON shape, the SVG, and the relations the kernel's mechanisms promise.
set -eu
: "${SOCKOPT:=build/sockopt}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
check() { # check DESCRIPTION COMMAND…: the command must succeed
	desc=$1; shift
	if "$@"; then echo "ok   $desc"; else echo "FAIL $desc"; fails=$((fails + 1)); fi
}
# run MODE ARGS…: a short run with --json into $tmp/MODE.json and --plot into $tmp/MODE.svg
run() {
	mode=$1; shift
	"$SOCKOPT" bench "$mode" --duration 0.3 --json --plot "$tmp/$mode.svg" "$@" >"$tmp/$mode.json"
}
# svg_ok FILE: a complete SVG document with at least one drawn shape
svg_ok() {
	head -c 200 "$1" | grep -q '<svg' && tail -n 1 "$1" | grep -q '</svg>' &&
		grep -Eq '<(polyline|rect) ' "$1"
}

# rr: write-write-read with Nagle waits for the peer's delayed ACK (tens of ms on
# Linux); with TCP_NODELAY the same request pattern costs a loopback round trip.
check "bench rr runs" run rr --variants plain,wwr-nagle,wwr-nodelay
check "bench rr --plot writes an SVG" svg_ok "$tmp/rr.svg"
check "bench rr: Nagle x delayed ACK stalls, TCP_NODELAY does not" python3 - "$tmp/rr.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["mode"] == "rr" and d["size"] > 0, d
v = {x["name"]: x for x in d["variants"]}
assert set(v) == {"plain", "wwr-nagle", "wwr-nodelay"}, v.keys()
for x in v.values():
    assert x["transactions"] > 0 and "error" not in x, x
    assert x["min_us"] <= x["p50_us"] <= x["p90_us"] <= x["p99_us"] <= x["max_us"], x
    assert x["explanation"].endswith("."), x
# The delayed-ACK timer is at least several milliseconds; an unloaded loopback round trip is well under one.
assert v["wwr-nagle"]["p50_us"] >= 5000, v["wwr-nagle"]
assert v["wwr-nodelay"]["p50_us"] < 1000, v["wwr-nodelay"]
assert v["wwr-nagle"]["p50_us"] > 10 * v["wwr-nodelay"]["p50_us"]
assert v["plain"]["transactions_per_s"] > v["wwr-nagle"]["transactions_per_s"]
PY

# Usage errors: one sentence, exit 2.
check "bench with an unknown mode exits 2" sh -c "'$SOCKOPT' bench nosuch 2>/dev/null; test \$? = 2"
check "bench --duration 0 exits 2" sh -c "'$SOCKOPT' bench rr --duration 0 2>/dev/null; test \$? = 2"
check "bench rr --variants nosuch exits 2" sh -c "'$SOCKOPT' bench rr --variants nosuch 2>/dev/null; test \$? = 2"

if [ "$fails" -ne 0 ]; then
	echo "$fails bench checks failed"
	exit 1
fi
echo "all bench checks passed"
