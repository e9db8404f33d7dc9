#!/bin/sh
# deps.sh: install what the tests need when it is missing (apt-get as root), or say what to install.
set -u
missing=""
need() { # need PACKAGE PATH-OR-COMMAND
	case "$2" in
	/*) [ -e "$2" ] || missing="$missing $1" ;;
	*) command -v "$2" >/dev/null 2>&1 || missing="$missing $1" ;;
	esac
}
need libcmocka-dev /usr/include/cmocka.h
need python3 python3
need socat socat
need strace strace
need iproute2 ip
need nftables nft
need curl curl
need sockperf sockperf
need iperf3 iperf3
need valgrind valgrind
need clang clang
need libclang-rt-14-dev /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
need pkg-config pkg-config
need man-db man
need cppcheck cppcheck
need libmnl-dev /usr/include/libmnl/libmnl.h
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "tests/deps.sh: installing$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null; } ||
		{ echo "tests/deps.sh: could not install$missing; install them and run again." >&2; exit 1; }
	exit 0
fi
echo "The tests need these Debian packages:$missing; install them (sudo apt-get install$missing) and run again." >&2
exit 1
