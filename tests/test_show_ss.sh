#!/bin/sh
# test_show_ss.sh: sockopt show against ss -tuanpieom on a shared listener (python3 forks, nginx) and more (tests/show/test_show_ss.py).
exec python3 "$(dirname "$0")/show/test_show_ss.py"
