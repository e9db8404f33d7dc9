#!/bin/sh
# test_family.sh: IP_TOS and IP_TTL on IPv6 sockets set IPV6_TCLASS and the hop limit, in set and run (tests/set/test_family.py).
exec python3 "$(dirname "$0")/set/test_family.py"
