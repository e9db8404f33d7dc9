#!/bin/sh
# test_deps.sh: tests/deps.sh, as a user who cannot install, prints the one apt-get line to run and nothing else (make run and make test start with it); as root it waits for the dpkg lock another process holds.
set -eu
cd "$(dirname "$0")/.."
# make run on a fresh clone: first the build dependencies (deps.sh build), then everything,
# the preload included, then the lab (make -n -B: what it would run, into a build dir of no one).
plan=$(make -s -n -B run BUILD=/nonexistent/sockopt-deps-$$ 2>&1 | grep -nE \
	'^sh tests/deps.sh build$|-o /nonexistent/sockopt-deps-[0-9]+/libsockopt-preload.so |^/nonexistent/sockopt-deps-[0-9]+/sockopt lab$' |
	cut -d: -f1 | tr '\n' ' ')
set -- $plan
if [ $# = 3 ] && [ "$1" -lt "$2" ] && [ "$2" -lt "$3" ]; then
	echo "ok   make run installs the build dependencies, builds the preload, then runs the lab"
else
	echo "FAIL make run's plan (lines of deps.sh build, the preload, the lab): $plan"
	exit 1
fi
# Every apt-get that deps.sh runs waits for the dpkg lock instead of failing at once.
calls=$(grep -o 'apt-get [a-z]*[^|;&]*' tests/deps.sh | grep -v '^apt-get install\$missing' | grep -E '^apt-get (install|update)')
if [ -n "$calls" ] && ! printf '%s\n' "$calls" | grep -qv 'DPkg::Lock::Timeout\|\$lock' &&
	grep -q '^[[:space:]]*lock="-o DPkg::Lock::Timeout=[0-9]*"$' tests/deps.sh; then
	echo "ok   every apt-get call of deps.sh passes DPkg::Lock::Timeout ($(printf '%s\n' "$calls" | wc -l) calls)"
else
	echo "FAIL deps.sh runs apt-get without DPkg::Lock::Timeout: $calls"
	exit 1
fi
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	echo "skipped: needs root and setpriv to run deps.sh as nobody"
	exit 0
fi
tmp=$(mktemp -d /tmp/sockopt-deps.$$.XXXXXX)
holder=""
trap 'kill "$holder" 2>/dev/null || true; rm -rf "$tmp"' EXIT
# A PATH that holds only id: every package deps.sh finds by a command is missing.
mkdir "$tmp/bin"
ln -s "$(command -v id)" "$tmp/bin/id"
chmod 755 "$tmp" "$tmp/bin"
failed=0
for what in build test; do
	set +e
	setpriv --reuid=65534 --regid=65534 --clear-groups env PATH="$tmp/bin" /bin/sh -s "$what" \
		<tests/deps.sh >"$tmp/out" 2>"$tmp/err"
	code=$?
	set -e
	line=$(cat "$tmp/err")
	if [ $code = 1 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
		printf '%s' "$line" | grep -q '^sockopt needs these Debian packages: .*; run: sudo apt-get install ' &&
		printf '%s' "$line" | grep -q ' make .* clang ' &&
		{ [ $what = build ] || printf '%s' "$line" | grep -q ' socat '; }; then
		echo "ok   deps.sh $what as nobody without the commands: exit 1 and the one apt-get line"
	else
		echo "FAIL deps.sh $what as nobody: exit $code, stdout $(cat "$tmp/out"), stderr $line"
		failed=1
	fi
done
# Nothing missing: silent, exit 0, whoever runs it.
if setpriv --reuid=65534 --regid=65534 --clear-groups /bin/sh -s build <tests/deps.sh >"$tmp/out" 2>&1 &&
	[ ! -s "$tmp/out" ]; then
	echo "ok   deps.sh build as nobody with everything installed: silent, exit 0"
else
	echo "FAIL deps.sh build as nobody with everything installed: $(cat "$tmp/out")"
	failed=1
fi

# Another process holds the dpkg frontend lock for 20 s, as apt does (an fcntl write lock on
# /var/lib/dpkg/lock-frontend), while deps.sh believes an installed package is missing: its
# command is left out of PATH.  apt-get install of a package installed at its candidate version
# changes nothing and needs no network, but takes the lock first: deps.sh must wait for it
# (DPkg::Lock::Timeout) and exit 0, not give up at once.
pkg=""
for p in make pkg-config bpftool; do
	policy=$(apt-cache policy "$p" 2>/dev/null)
	installed=$(printf '%s\n' "$policy" | sed -n 's/^ *Installed: //p')
	candidate=$(printf '%s\n' "$policy" | sed -n 's/^ *Candidate: //p')
	if [ -n "$installed" ] && [ "$installed" != "(none)" ] && [ "$installed" = "$candidate" ]; then
		pkg=$p
		break
	fi
done
if [ -z "$pkg" ] || ! command -v apt-get >/dev/null; then
	echo "skipped: no build package installed at its candidate version (apt-get install would change it)"
	exit $failed
fi
# PATH: everything in /usr/bin and /usr/sbin but the package's command (make, pkg-config, bpftool).
mkdir "$tmp/path"
for f in /usr/bin/* /usr/sbin/*; do
	[ "${f##*/}" = "$pkg" ] || ln -sf "$f" "$tmp/path/"
done
python3 - "$tmp/locked" <<'PY' &
import fcntl, os, sys, time
fd = os.open("/var/lib/dpkg/lock-frontend", os.O_RDWR | os.O_CREAT, 0o640)
try:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except OSError:
    sys.exit(3)  # an apt of this machine holds it now
open(sys.argv[1], "w").close()
time.sleep(20)
PY
holder=$!
for _ in $(seq 100); do
	[ -e "$tmp/locked" ] || ! kill -0 "$holder" 2>/dev/null && break
	sleep 0.1
done
if [ ! -e "$tmp/locked" ]; then
	echo "skipped: another apt or dpkg holds /var/lib/dpkg/lock-frontend now"
	exit $failed
fi
start=$(date +%s)
set +e
timeout 120 env PATH="$tmp/path" /bin/sh tests/deps.sh build >"$tmp/out" 2>"$tmp/err"
code=$?
set -e
took=$(($(date +%s) - start))
if [ $code = 0 ] && [ $took -ge 15 ] && grep -q "^tests/deps.sh: installing $pkg\$" "$tmp/out"; then
	echo "ok   deps.sh as root waits for the dpkg lock held for 20 s (took $took s) and installs $pkg: exit 0"
else
	echo "FAIL deps.sh under a held dpkg lock: exit $code after $took s, stdout $(cat "$tmp/out"), stderr $(cat "$tmp/err")"
	failed=1
fi
exit $failed
