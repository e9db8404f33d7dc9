#!/bin/sh
# test_lint.sh: the tree is cppcheck-clean (make lint), so a new finding shows up in make test before it lands.
set -eu
cd "$(dirname "$0")/.."
if ! command -v cppcheck >/dev/null 2>&1; then
	echo "FAIL: cppcheck is not installed (tests/deps.sh installs it)"
	exit 1
fi
if ! out=$(env -u MAKEFLAGS -u MAKELEVEL make -s lint BUILD="${SOCKOPT_BUILD:-build}" 2>&1); then
	echo "$out"
	echo "FAIL: make lint found the problems above; fix them, or add a suppression with its reason to .cppcheck-suppressions"
	exit 1
fi
echo "ok: cppcheck finds nothing"
