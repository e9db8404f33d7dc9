#!/bin/sh
# test_layers.sh: the floors only point down: each folder of src/ includes only the headers of the
# floors below it (src/README.md draws them), and nothing outside src/lib includes a private
# header of the library.
set -u
failed=0
# The library's own headers (internal.h, values.h, proc.h …): the public one is include/sockopt.h.
private=$(cd src/lib && ls *.h)

# check FOLDER ALLOWED...: every #include "x" of FOLDER names its own header or one of ALLOWED's.
check() {
	folder=$1
	shift
	for f in src/$folder/*.[ch]; do
		[ -e "$f" ] || continue
		grep -o '^#include "[^"]*"' "$f" | sed 's/^#include "\(.*\)"/\1/' | while read -r inc; do
			case "$inc" in
			../*/*) dir=${inc#../}; dir=${dir%%/*}
				case " $* " in
				*" $dir "*) [ -e "src/$inc" ] || [ -e "src/${inc#../}" ] ||
					echo "FAIL: $f includes \"$inc\", which does not exist" ;;
				*) echo "FAIL: $f includes \"$inc\" from src/$dir, not a floor below src/$folder" ;;
				esac ;;
			*/*) echo "FAIL: $f includes \"$inc\": give a floor below by ../FOLDER/ or by name" ;;
			*) found=""
				for dir in "$folder" "$@"; do
					if [ "$dir" = include ]; then
						[ -e "include/$inc" ] && found=$dir
					elif [ "$dir" = gen ]; then
						case "$inc" in *.skel.h | optnames.h) found=gen ;; esac
					elif [ -e "src/$dir/$inc" ]; then
						found=$dir
					fi
					[ -n "$found" ] && break
				done
				[ -n "$found" ] || echo "FAIL: $f includes \"$inc\", which is not in src/$folder or a floor below it ($*)" ;;
			esac
		done
	done
}

out=$(
	check lib include gen
	check util include
	check preload util include
	check lab util include
	check bench util include
	check bpf util include gen
	check policy util include
	check cli lab bench bpf policy util include gen
)
# A client may not reach the library's private headers even with a path.
for h in $private; do
	hits=$(grep -rln "#include \"\(.*/\)\?$h\"" src tests tools fuzz examples 2>/dev/null |
		grep -v '^src/lib/')
	[ -n "$hits" ] && out="$out
FAIL: the library's private $h is included outside src/lib by: $(echo $hits)"
done
if [ -n "$out" ]; then
	echo "$out"
	exit 1
fi
echo "ok: src/ includes point only down ($(ls -d src/*/ | wc -l) folders)"
