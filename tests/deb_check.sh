#!/bin/sh
# deb_check.sh: build the Debian packages from the committed tree, check them with lintian (no
# errors, no warnings), install them with apt, run the autopkgtest against the installed
# packages, and remove them again.  Needs root; CI runs it after make test.
set -eu
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "deb_check.sh: needs root (it installs the packages)" >&2; exit 1; }
lock="-o DPkg::Lock::Timeout=600"
tmp=$(mktemp -d)
installed=""
cleanup() {
	[ -n "$installed" ] && DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $lock $installed >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

# The tracked files only, so a build directory or stray files cannot reach the package.
mkdir "$tmp/src"
git ls-files | tar -cf - -T - | tar -xf - -C "$tmp/src"
(cd "$tmp/src" && dpkg-buildpackage -us -uc -b >"$tmp/build.log" 2>&1) ||
	{ tail -40 "$tmp/build.log"; echo "FAIL: dpkg-buildpackage"; exit 1; }
echo "ok   dpkg-buildpackage -us -uc -b: $(cd "$tmp" && ls *.deb | tr '\n' ' ')"

lintian --fail-on error,warning "$tmp"/*.changes >"$tmp/lintian.log" 2>&1 ||
	{ grep -v '^running with root' "$tmp/lintian.log"; echo "FAIL: lintian found errors or warnings"; exit 1; }
echo "ok   lintian: no errors, no warnings"

installed="sockopt libsockopt0 libsockopt-dev"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $lock "$tmp"/sockopt_*.deb \
	"$tmp"/libsockopt0_*.deb "$tmp"/libsockopt-dev_*.deb >"$tmp/apt.log" 2>&1 ||
	{ cat "$tmp/apt.log"; echo "FAIL: apt-get install"; exit 1; }
echo "ok   installed with apt-get install ./*.deb"

# The development package builds the example with pkg-config alone; it dials a python3 server
# that reads to EOF and closes, and links to the installed shared library.
cc -o "$tmp/demo" examples/pkgconfig-demo.c $(pkg-config --cflags --libs sockopt)
ldd "$tmp/demo" | grep -q "=> /\(usr/\)\?lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/libsockopt.so.0 " ||
	{ ldd "$tmp/demo"; echo "FAIL: the example does not link to the packaged libsockopt.so.0"; exit 1; }
timeout 20 python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
while c.recv(4096):
    pass
c.close()
' >"$tmp/port" &
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
"$tmp/demo" 127.0.0.1 "$(cat "$tmp/port")" nodelay=on >"$tmp/demo.out" 2>&1 ||
	{ cat "$tmp/demo.out"; echo "FAIL: the example linked against the packaged libsockopt failed"; exit 1; }
grep -q '^TCP_NODELAY: ' "$tmp/demo.out" || { cat "$tmp/demo.out"; echo "FAIL: the example did not report TCP_NODELAY"; exit 1; }
wait
echo "ok   examples/pkgconfig-demo.c builds with pkg-config against libsockopt-dev and dials"

# -B: test the installed packages, do not build.  Exit 0: all passed.
autopkgtest -B "$tmp/src" -- null >"$tmp/autopkgtest.log" 2>&1 ||
	{ cat "$tmp/autopkgtest.log"; echo "FAIL: autopkgtest"; exit 1; }
grep -E '^smoke +PASS' "$tmp/autopkgtest.log" || { cat "$tmp/autopkgtest.log"; echo "FAIL: smoke did not pass"; exit 1; }
echo "ok   autopkgtest -B . -- null: smoke PASS"

DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $lock $installed >"$tmp/apt.log" 2>&1 ||
	{ cat "$tmp/apt.log"; echo "FAIL: apt-get purge"; exit 1; }
installed=""
for f in /usr/bin/sockopt /usr/include/sockopt.h; do
	[ ! -e "$f" ] || { echo "FAIL: $f is still there after apt-get purge"; exit 1; }
done
left=$(dpkg -l sockopt libsockopt0 libsockopt-dev 2>/dev/null | grep '^[a-z]i' || true)
[ -z "$left" ] || { echo "FAIL: still installed: $left"; exit 1; }
echo "ok   apt-get purge removed the three packages and their files"
