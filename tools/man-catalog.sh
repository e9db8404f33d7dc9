#!/bin/sh
# man-catalog.sh: print man page PAGE with the lines between its BEGIN CATALOG and END CATALOG markers replaced by ROFF (the listing tools/catalog-doc makes from the catalog).
set -eu
page=$1 roff=$2
awk -v roff="$roff" '
/^\.\\" BEGIN CATALOG/ { print; while ((getline line < roff) > 0) print line; skip = 1; next }
/^\.\\" END CATALOG/ { skip = 0 }
!skip' "$page"
