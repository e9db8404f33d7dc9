#!/bin/sh
# run.sh: run one libFuzzer target for a bounded time from its seeds; print the executions; fail on a crash.
# usage: fuzz/run.sh build/fuzz/fuzz_NAME SECONDS
set -eu
target=$1
seconds=$2
name=${target##*/fuzz_}
seeds=fuzz/corpus/$name
work=${target%/*}/corpus/$name
log=${target%/*}/$name.log
mkdir -p "$work" "$seeds"
status=0
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="${target%/*}/crash-$name-" "$work" "$seeds" >"$log" 2>&1 || status=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
if [ $status != 0 ]; then
	grep -E 'ERROR|assertion|SUMMARY|Test unit written' "$log" | head -20 >&2
	echo "fuzz_$name: FAILED after ${execs:-?} executions (log: $log)" >&2
	exit 1
fi
echo "fuzz_$name: ${execs:-?} executions in ${seconds}s, 0 crashes, corpus $(ls "$work" | wc -l) inputs"
