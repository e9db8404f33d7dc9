#!/bin/sh
# test_install.sh: make install lays out a package a Debian user expects, the example builds
# against it with pkg-config and runs, the man pages render, and make uninstall removes it all.
set -eu
cd "$(dirname "$0")/.."
build=${SOCKOPT_BUILD:-build}
tmp=$(mktemp -d)
server=""
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
failed=0
fail() {
	echo "FAIL: $*"
	failed=1
}

# The install runs as a fresh make of this build directory, whatever make ran the tests.
san=""
nm -D --undefined-only "$build/libsockopt.so" | grep -q __asan_ && san="SAN=1"
install_make() { # TARGET
	env -u MAKEFLAGS -u MAKELEVEL make -s "$1" BUILD="$build" $san DESTDIR="$tmp/root" PREFIX=/usr
}
install_make install >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "make install"; exit 1; }
root=$tmp/root/usr

major=$(sed -n 's/^#define SOCKOPT_VERSION_MAJOR \([0-9]*\).*/\1/p' include/sockopt.h)
minor=$(sed -n 's/^#define SOCKOPT_VERSION_MINOR \([0-9]*\).*/\1/p' include/sockopt.h)
for f in bin/sockopt lib/libsockopt.so.$major.$minor lib/libsockopt.a include/sockopt.h \
	lib/pkgconfig/sockopt.pc share/man/man1/sockopt.1 share/man/man3/libsockopt.3 \
	share/man/man5/sockopt-policy.5 \
	share/bash-completion/completions/sockopt; do
	[ -f "$root/$f" ] || fail "$f is not installed"
done
[ "$(readlink "$root/lib/libsockopt.so.$major")" = "libsockopt.so.$major.$minor" ] ||
	fail "lib/libsockopt.so.$major does not point to libsockopt.so.$major.$minor"
[ "$(readlink "$root/lib/libsockopt.so")" = "libsockopt.so.$major" ] ||
	fail "lib/libsockopt.so does not point to libsockopt.so.$major"
if [ -e "$build/libsockopt-preload.so" ]; then
	[ -f "$root/lib/sockopt/libsockopt-preload.so" ] || fail "the preload is built but not installed"
fi
"$root/bin/sockopt" --version | grep -qx "sockopt $major.$minor" || fail "the installed sockopt has another version"

# The installed sockopt run finds the installed preload (lib/sockopt beside bin/), and the
# program it runs gets the option.
if [ -e "$build/libsockopt-preload.so" ]; then
	nodelay=$("$root/bin/sockopt" run -o TCP_NODELAY=on -- python3 -c '
import socket
s = socket.socket()
print(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))' 2>&1) || true
	[ "$nodelay" = 1 ] || fail "the installed sockopt run did not apply TCP_NODELAY: $nodelay"
fi

# The pages render without a warning, and the catalog listing is in sockopt(1).
for page in man1/sockopt.1 man3/libsockopt.3 man5/sockopt-policy.5; do
	warnings=$(MANWIDTH=80 man -l "$root/share/man/$page" 2>&1 >/dev/null; groff -man -ww -z "$root/share/man/$page" 2>&1)
	[ -z "$warnings" ] || fail "$page renders with warnings: $warnings"
done
MANWIDTH=80 man -l "$root/share/man/man1/sockopt.1" 2>/dev/null | grep -q '^ *TCP_NODELAY$' ||
	fail "sockopt(1) does not list TCP_NODELAY"

# The completion loads in bash and completes subcommands.
bash -c ". '$root/share/bash-completion/completions/sockopt' && complete -p sockopt" | grep -q _sockopt ||
	fail "the completion does not load"

# pkg-config finds the installed tree through the sysroot.
export PKG_CONFIG_PATH="$root/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$tmp/root"
[ "$(pkg-config --modversion sockopt)" = "$major.$minor" ] || fail "pkg-config --modversion"
flags=$(pkg-config --cflags --libs sockopt)
case "$flags" in *"-I$root/include"*"-L$root/lib"*"-lsockopt"*) ;; *) fail "pkg-config flags: $flags" ;; esac

# The example dials a local server with options and closes gracefully; it needs the dial and
# close helpers, which are skipped with a note while the library lacks them.
if ! nm -D --defined-only "$root/lib/libsockopt.so" | grep -q ' sockopt_close_graceful@'; then
	echo "skip: examples/pkgconfig-demo.c needs sockopt_dial and sockopt_close_graceful"
else
	sanflags=""
	[ -n "$san" ] && sanflags="-fsanitize=address,undefined"
	# shellcheck disable=SC2086
	cc -Wall -Wextra -Werror $sanflags -o "$tmp/demo" examples/pkgconfig-demo.c $flags ||
		fail "the example does not build with pkg-config"
	python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
s.settimeout(10)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
c.settimeout(10)
n = 0
while True:
    b = c.recv(4096)
    if not b:
        break
    n += len(b)
c.sendall(b"got %d bytes\n" % n)
c.close()
' >"$tmp/port" &
	server=$!
	for _ in $(seq 100); do
		[ -s "$tmp/port" ] && break
		sleep 0.05
	done
	LD_LIBRARY_PATH="$root/lib" ldd "$tmp/demo" | grep -q "$root/lib/libsockopt.so.$major" ||
		fail "the example does not load the installed library"
	LD_LIBRARY_PATH="$root/lib" "$tmp/demo" 127.0.0.1 "$(cat "$tmp/port")" nodelay=on,sndbuf=64K \
		>"$tmp/demo.out" 2>&1 || fail "the example failed: $(cat "$tmp/demo.out")"
	grep -q '^TCP_NODELAY: ' "$tmp/demo.out" || fail "the example did not report TCP_NODELAY"
	grep -q '^SO_SNDBUF: ' "$tmp/demo.out" || fail "the example did not report SO_SNDBUF"
	# The server answers "got 6 bytes\n" (12 bytes) after our EOF, then closes.
	grep -q '^peer_closed=1 unread=12$' "$tmp/demo.out" ||
		fail "the graceful close did not drain the peer's reply: $(cat "$tmp/demo.out")"
	sed "s/^/  example: /" "$tmp/demo.out"
	wait "$server" || fail "the server saw an error"
	server=""
fi

# make uninstall leaves only empty directories behind.
install_make uninstall >"$tmp/install.log" 2>&1 || fail "make uninstall: $(cat "$tmp/install.log")"
left=$(find "$tmp/root" ! -type d)
[ -z "$left" ] || fail "make uninstall left $left"

[ $failed = 0 ] && echo "ok: make install, pkg-config, man pages, completion and uninstall"
exit $failed
