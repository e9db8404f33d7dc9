#!/bin/sh
# test_show_scan_errors.sh: a process that exits mid-scan or refuses to be read is reported, never skipped in silence (tests/show/test_scan_errors.py).
exec python3 "$(dirname "$0")/show/test_scan_errors.py"
