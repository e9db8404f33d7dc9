#!/bin/sh
# run.sh: run every test program and test script against the build in $1, and summarise.
set -u
build=${1:-build}
export SOCKOPT="$PWD/$build/sockopt" SOCKOPT_BUILD="$PWD/$build"
failed="" count=0
for src in tests/test_*.c tests/test_*.sh; do
	[ -e "$src" ] || continue
	case "$src" in
	*.c) t="$build/tests/$(basename "$src" .c)" ;;
	*) t=$src ;;
	esac
	count=$((count + 1))
	echo "== $t"
	case "$t" in
	*.sh) sh "$t" ;;
	*) "$t" ;;
	esac || failed="$failed $t"
done
if [ -n "$failed" ]; then
	echo "FAILED:$failed"
	exit 1
fi
echo "all $count tests passed"
