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
check "bench rr runs" run rr
check "bench rr --plot writes an SVG" svg_ok "$tmp/rr.svg"
check "bench rr: Nagle x delayed ACK stalls, TCP_NODELAY does not" python3 - "$tmp/rr.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["mode"] == "rr" and d["size"] > 0, d
v = {x["name"]: x for x in d["variants"]}
assert set(v) == {"plain", "wwr-nagle", "wwr-nodelay", "wwr-cork", "wwr-quickack"}, v.keys()
for x in v.values():
    assert x["transactions"] > 0 and "error" not in x, x
    assert x["min_us"] <= x["p50_us"] <= x["p90_us"] <= x["p99_us"] <= x["max_us"], x
    assert x["explanation"].endswith("."), x
# The delayed-ACK timer is at least several milliseconds; an unloaded loopback round trip is well under one.
assert v["wwr-nagle"]["p50_us"] >= 5000, v["wwr-nagle"]
assert v["wwr-nodelay"]["p50_us"] < 1000, v["wwr-nodelay"]
assert v["wwr-nagle"]["p50_us"] > 10 * v["wwr-nodelay"]["p50_us"]
assert v["plain"]["transactions_per_s"] > v["wwr-nagle"]["transactions_per_s"]
# Corking the two writes into one segment, or an immediate ACK from the server, avoids the stall too.
for name in ("wwr-cork", "wwr-quickack"):
    assert v[name]["p50_us"] * 10 < v["wwr-nagle"]["p50_us"], v[name]
PY

# crr: whoever closes first keeps TIME_WAIT; SO_LINGER 0 sends RST and keeps none.
check "bench crr runs" run crr
check "bench crr --plot writes an SVG" svg_ok "$tmp/crr.svg"
check "bench crr: TIME_WAIT lands on the side that closes first, never after SO_LINGER 0" python3 - "$tmp/crr.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["mode"] == "crr" and d["kernel"]["ip_local_port_range"], d
v = {x["name"]: x for x in d["variants"]}
assert set(v) == {"server-close", "server-close-reuse", "client-close", "client-abort", "server-abort"}, v.keys()
for x in v.values():
    assert x["transactions"] > 0 and x["failed"] == 0 and x["eaddrnotavail"] >= 0, x
    assert x["transactions_per_s"] > 0 and x["explanation"].endswith("."), x
assert d["namespace"] in ("private", "host"), d
if any(x["time_wait_table_full"] for x in v.values()):
    print("  the TIME_WAIT table was full (a host namespace shared with others): counts not checked")
    sys.exit(0)
for name in ("server-close", "server-close-reuse"):
    assert v[name]["time_wait_server"] > 0 and v[name]["time_wait_client"] == 0, v[name]
assert v["client-close"]["time_wait_client"] > 0 and v["client-close"]["time_wait_server"] == 0
for name in ("client-abort", "server-abort"):
    assert v[name]["time_wait_client"] == 0 and v[name]["time_wait_server"] == 0, v[name]
# A port whose TIME_WAIT sockets came from a listener without SO_REUSEADDR cannot be bound again;
# with SO_REUSEADDR on both the old listener and the new one it can.
assert v["server-close"]["rebind_reuseaddr_off"] == "EADDRINUSE", v["server-close"]
assert v["server-close-reuse"]["rebind_reuseaddr_on"] == "ok", v["server-close-reuse"]
assert v["client-abort"]["rebind_reuseaddr_off"] == "ok", v["client-abort"]
PY

# stream: Linux stores twice the buffer size asked for (up to the sysctl maximum).
check "bench stream runs" run stream --buffers auto,64K,1M
check "bench stream --plot writes an SVG" svg_ok "$tmp/stream.svg"
check "bench stream: effective buffers are twice the requested ones" python3 - "$tmp/stream.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rmem = int(open("/proc/sys/net/core/rmem_max").read())
wmem = int(open("/proc/sys/net/core/wmem_max").read())
assert d["mode"] == "stream" and d["write_size"] > 0, d
b = {x["label"]: x for x in d["buffers"]}
assert list(b) == ["auto", "64K", "1M"], b.keys()
for x in b.values():
    assert x["bytes"] > 0 and x["gbit_per_s"] > 0 and "error" not in x, x
for label, req in (("64K", 65536), ("1M", 1048576)):
    x = b[label]
    assert x["requested"] == req, x
    assert x["sndbuf_set"] == 2 * min(req, wmem) == x["sndbuf_end"], x
    assert x["rcvbuf_set"] == 2 * min(req, rmem) == x["rcvbuf_end"], x
    assert "doubles" in x["readback"] or "capped" in x["readback"], x
assert b["auto"]["requested"] == 0 and b["auto"]["readback"] == ""
PY
# The table prints each set→end pair of buffer sizes in one unit (128K→512K, 131072→770588),
# never mixed as 128K→770588: autotuning leaves sizes that are no multiple of 1K.
"$SOCKOPT" bench stream --duration 0.2 --buffers auto,64K >"$tmp/stream.txt"
check "bench stream: both sides of each set→end pair are in one unit" python3 - "$tmp/stream.txt" <<'PY'
import re, sys
rows = [l for l in open(sys.argv[1], encoding="utf-8") if re.match(r"(auto|64K) .*→", l)]
assert len(rows) == 2, rows
for row in rows:
    pairs = re.findall(r"(\d+)([KM]?)→(\d+)([KM]?)", row)
    assert len(pairs) == 2, row
    for a, ua, b, ub in pairs:
        assert ua == ub, row
PY

# udp: every datagram sent is either received or counted as dropped by the receiving socket.
check "bench udp runs" run udp --buffers 16K,4M
check "bench udp --plot writes an SVG" svg_ok "$tmp/udp.svg"
check "bench udp: sent = received + dropped, and a bigger buffer loses less" python3 - "$tmp/udp.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["mode"] == "udp" and d["size"] > 0 and d["burst"] > 0, d
b = {x["label"]: x for x in d["buffers"]}
assert list(b) == ["16K", "4M"], b.keys()
for x in b.values():
    assert x["sent"] > 0 and "error" not in x, x
    assert x["sent"] == x["received"] + x["dropped"], x
    assert abs(x["loss_pct"] - 100.0 * x["dropped"] / x["sent"]) < 0.01, x
    assert x["rxq_ovfl"] <= x["dropped"], x
assert b["16K"]["rcvbuf"] == 2 * 16384
assert b["16K"]["loss_pct"] > b["4M"]["loss_pct"], b
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
