#!/bin/sh
# run.sh: run every test program and test script against the build in $1, and summarise.
set -u
build=${1:-build}
export SOCKOPT="$PWD/$build/sockopt" SOCKOPT_BUILD="$PWD/$build"
# SOCKOPT_WRAP (for example "valgrind -q") runs the test programs under it, and the shell
# tests' $SOCKOPT through a script that does the same.
wrap=${SOCKOPT_WRAP:-}
if [ -n "$wrap" ]; then
	wrapdir=$(mktemp -d)
	trap 'rm -rf "$wrapdir"' EXIT
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$wrap" "$SOCKOPT" >"$wrapdir/sockopt"
	chmod +x "$wrapdir/sockopt"
	SOCKOPT=$wrapdir/sockopt
fi
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
	*) $wrap "$t" ;;
	esac || failed="$failed $t"
done
if [ -n "$failed" ]; then
	echo "FAILED:$failed"
	exit 1
fi
echo "all $count tests passed"
