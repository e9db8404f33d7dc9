#!/bin/sh
# test_set.sh: sockopt set is all or nothing, read back by an independent reader (tests/set/test_set.py).
exec python3 "$(dirname "$0")/set/test_set.py"
