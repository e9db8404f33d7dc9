#!/bin/sh
# test_netns.sh: show and set read defaults, sysctls and interface names in the target socket's own network namespace (tests/set/test_netns.py).
exec python3 "$(dirname "$0")/set/test_netns.py"
