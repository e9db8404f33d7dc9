#!/bin/sh
# test_check.sh: sockopt check against real servers configured to violate the example policies and then to satisfy them (tests/test_policy_check.py).
exec python3 "$(dirname "$0")/test_policy_check.py"
