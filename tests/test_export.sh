#!/bin/sh
# test_export.sh: sockopt export scraped by a real Prometheus, over HTTP and through node_exporter's textfile collector (tests/test_policy_export.py).
exec python3 "$(dirname "$0")/test_policy_export.py"
