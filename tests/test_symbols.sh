#!/bin/sh
# test_symbols.sh: the shared library exports only the public API (sockopt_* names and the version node).
set -eu
lib=${SOCKOPT_BUILD:-build}/libsockopt.so
header=include/sockopt.h
failed=0

# Every defined dynamic symbol is a sockopt_ function or the version-script node.
exported=$(nm -D --defined-only "$lib" | awk '{ print $3 }' | sed 's/@.*//')
stray=$(echo "$exported" | grep -v -e '^sockopt_' -e '^SOCKOPT_[0-9]*$' || true)
if [ -n "$stray" ]; then
	echo "FAIL: $lib exports names outside the public API:" $stray
	failed=1
fi

# Every exported function is declared in the public header.
for name in $(echo "$exported" | grep '^sockopt_'); do
	grep -q "[ *]$name(" "$header" || { echo "FAIL: $name is exported but not in $header"; failed=1; }
done
# Every function the header declares is exported (a missing SOCKOPT_EXPORT would hide it).
for name in $(grep -o '[ *]sockopt_[a-z0-9_]*(' "$header" | tr -d ' *(' | sort -u); do
	echo "$exported" | grep -qx "$name" || { echo "FAIL: $name is declared in $header but not exported"; failed=1; }
done

# The Debian symbols file lists exactly the exported names (debian/gen-symbols.sh writes it).
symbols=debian/libsockopt0.symbols
sorted=$(mktemp)
echo "$exported" | sort >"$sorted"
stale=$(sed -n 's/^ \([A-Za-z0-9_]*\)@.*/\1/p' "$symbols" 2>/dev/null | sort | comm -3 "$sorted" -)
rm -f "$sorted"
if [ -n "$stale" ]; then
	echo "FAIL: $symbols and the library's exports differ (run sh debian/gen-symbols.sh):" $stale
	failed=1
fi

# The soname follows the major version of the API.
major=$(sed -n 's/^#define SOCKOPT_VERSION_MAJOR \([0-9]*\).*/\1/p' "$header")
soname=$(objdump -p "$lib" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = "libsockopt.so.$major" ] || { echo "FAIL: soname is $soname, not libsockopt.so.$major"; failed=1; }

[ $failed = 0 ] && echo "ok: $(echo "$exported" | grep -c '^sockopt_') sockopt_ symbols exported, soname $soname"
exit $failed
