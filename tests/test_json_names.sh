#!/bin/sh
# test_json_names.sh: every --json output is strict UTF-8 JSON for names with any bytes (tests/show/test_json_names.py).
exec python3 "$(dirname "$0")/show/test_json_names.py"
