#!/bin/sh
# test_show_bpf.sh: the BPF backend of sockopt show against the pidfd path on the sockets of python3, socat and redis-server (tests/show/test_show_bpf.py).
exec python3 "$(dirname "$0")/show/test_show_bpf.py"
