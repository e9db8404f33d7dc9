#!/bin/sh
# test_show.sh: sockopt show and set against python3 and socat, with strace as the independent record (tests/show/test_show.py).
exec python3 "$(dirname "$0")/show/test_show.py"
