#!/bin/sh
# gen-symbols.sh: write debian/libsockopt0.symbols from the functions the public header declares
# (tests/test_symbols.sh fails when the file and the library's exports differ).
set -eu
cd "$(dirname "$0")/.."
major=$(sed -n 's/^#define SOCKOPT_VERSION_MAJOR \([0-9]*\).*/\1/p' include/sockopt.h)
{
	echo "libsockopt.so.$major libsockopt0 #MINVER#"
	echo "* Build-Depends-Package: libsockopt-dev"
	echo " SOCKOPT_$major@SOCKOPT_$major 0.1"
	grep -o '[ *]sockopt_[a-z0-9_]*(' include/sockopt.h | tr -d ' *(' | sort -u |
		sed "s/.*/ &@SOCKOPT_$major 0.1/"
} >debian/libsockopt0.symbols
