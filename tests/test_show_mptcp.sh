#!/bin/sh
# test_show_mptcp.sh: MPTCP sockets are named mptcp with their real state, as ss -M sees them (tests/show/test_mptcp.py).
exec python3 "$(dirname "$0")/show/test_mptcp.py"
