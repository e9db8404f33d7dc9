#!/bin/sh
# test_deps.sh: tests/deps.sh, as a user who cannot install, prints the one apt-get line to run and nothing else (make run and make test start with it).
# Holding the dpkg lock while deps.sh installs a missing package is not tested here: it would
# install or remove a real package and block every other apt user of this shared machine.
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	echo "skipped: needs root and setpriv to run deps.sh as nobody"
	exit 0
fi
tmp=$(mktemp -d /tmp/sockopt-deps.$$.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
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
exit $failed
