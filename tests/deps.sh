#!/bin/sh
# deps.sh [build|test]: install the Debian packages sockopt needs to build (build) or to build
# and test (test, the default) when they are missing: apt-get as root, waiting for the dpkg lock;
# otherwise print the one apt-get line to run.
set -u
what=${1:-test}
missing=""
need() { # need PACKAGE PATH-OR-COMMAND
	case "$2" in
	/*) [ -e "$2" ] || missing="$missing $1" ;;
	*) command -v "$2" >/dev/null 2>&1 || missing="$missing $1" ;;
	esac
}
# Build: the command, the library, the preload and the BPF programs.
need make make
need gcc gcc
need libc6-dev /usr/include/stdio.h
need libmnl-dev /usr/include/libmnl/libmnl.h
need clang clang
need llvm llvm-strip
need libbpf-dev /usr/include/bpf/libbpf.h
need bpftool bpftool
need libelf-dev /usr/include/libelf.h
need zlib1g-dev /usr/include/zlib.h
need libmicrohttpd-dev /usr/include/microhttpd.h
need pkg-config pkg-config
if [ "$what" = test ]; then
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
	need libclang-rt-14-dev /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
	need man-db man
	need cppcheck cppcheck
	need golang-go go
	need redis-server redis-server
	need nginx-light nginx
	need prometheus prometheus
	need prometheus-node-exporter prometheus-node-exporter
	# The Debian packages: built, checked and installed by tests/deb_check.sh.
	need dpkg-dev dpkg-buildpackage
	need debhelper dh
	need lintian lintian
	need autopkgtest autopkgtest
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "tests/deps.sh: installing$missing"
	# Another apt or dpkg may hold the lock (unattended upgrades on a fresh machine): wait for it.
	lock="-o DPkg::Lock::Timeout=600"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $lock $missing >/dev/null ||
		{ apt-get update -qq $lock && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $lock $missing >/dev/null; } ||
		{ echo "tests/deps.sh: could not install$missing; install them and run again." >&2; exit 1; }
	exit 0
fi
echo "sockopt needs these Debian packages:$missing; run: sudo apt-get install$missing" >&2
exit 1
