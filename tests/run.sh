#!/bin/sh
# run.sh: run every test program and test script against the build in $1, and summarise.
set -u
build=${1:-build}
export SOCKOPT="$PWD/$build/sockopt" SOCKOPT_BUILD="$PWD/$build"
# SOCKOPT_WRAP (for example "valgrind -q") runs the test programs under it, and the shell
# tests' $SOCKOPT through a script that does the same.  SOCKOPT_WRAP_NATIVE names test
# programs and sockopt subcommands that run without it (ones the wrapper cannot run).
wrap=${SOCKOPT_WRAP:-}
native=" ${SOCKOPT_WRAP_NATIVE:-} "
wrapdir="" odd=""
cleanup() {
	[ -z "$odd" ] || kill "$odd" 2>/dev/null
	[ -z "$wrapdir" ] || rm -rf "$wrapdir"
	[ -z "${SOCKOPT_SUITE_PINS:-}" ] || rm -rf "$SOCKOPT_SUITE_PINS"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -n "$wrap" ]; then
	wrapdir=$(mktemp -d)
	{
		printf '#!/bin/sh\ncase "$1" in\n'
		for c in $native; do
			printf '%s) exec "%s" "$@" ;;\n' "$c" "$SOCKOPT"
		done
		printf 'esac\nexec %s "%s" "$@"\n' "$wrap" "$SOCKOPT"
	} >"$wrapdir/sockopt"
	chmod 755 "$wrapdir" "$wrapdir/sockopt"
	SOCKOPT=$wrapdir/sockopt
fi
# As root, the BPF backend pins its iterators; the suite's go in a directory of its own on the
# bpffs (sockopt mounts it on /sys/fs/bpf when absent), removed at the end.
if [ "$(id -u)" = 0 ] && [ -z "${SOCKOPT_BPF_PIN_DIR:-}" ]; then
	export SOCKOPT_BPF_PIN_DIR=/sys/fs/bpf/sockopt-suite-$$
	SOCKOPT_SUITE_PINS=$SOCKOPT_BPF_PIN_DIR
fi
# A process whose name is not UTF-8 runs through the whole suite (issue 11): no test may trip
# over the names of processes it did not start.  It holds a loopback listener, so scans of the
# whole machine meet it; an hour at most.
python3 -c 'import ctypes, socket, time
ctypes.CDLL(None).prctl(15, b"nc\xffsuite", 0, 0, 0)
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); time.sleep(3600)' &
odd=$!
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
	*) case "$native" in
		*" ${t##*/} "*) "$t" ;;
		*) $wrap "$t" ;;
		esac ;;
	esac || failed="$failed $t"
done
if [ -n "$failed" ]; then
	echo "FAILED:$failed"
	exit 1
fi
echo "all $count tests passed"
