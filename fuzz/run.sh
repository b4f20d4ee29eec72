#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh DIR SECONDS TARGET... - what "make fuzz FUZZ_SECONDS=N" runs: each
# libFuzzer target DIR/TARGET in turn for SECONDS, over its committed seeds
# fuzz/corpus/TARGET, new inputs kept in DIR/corpus/TARGET, findings in
# DIR/artifacts/. Prints libFuzzer's final counts per target, exits 1 at
# the first crash, leak, timeout or sanitizer report.
# FUZZ_NICE=19 runs them at that nice level; FUZZ_WORK=DIR keeps the new
# inputs, findings and logs there instead of DIR; FUZZ_RUNS=N stops a
# target after N executions if its time is not up; FUZZ_MAXLEN=N caps the
# input size (default 8192; 1024 is enough for a roster's rules and five
# times faster).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$1 secs=$2
shift 2
work=${FUZZ_WORK:-$dir}
mkdir -p "$work/artifacts"
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
rc=0
for t in "$@"; do
	mkdir -p "$work/corpus/$t"
	log=$work/$t.log
	echo "fuzz: $t for ${secs}s (log $log)"
	if ! nice -n "${FUZZ_NICE:-0}" "$dir/$t" -max_total_time="$secs" \
	    -timeout=5 -rss_limit_mb=1024 -max_len="${FUZZ_MAXLEN:-8192}" -close_fd_mask=2 \
	    -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-" -runs="${FUZZ_RUNS:--1}" \
	    "$work/corpus/$t" "$top/fuzz/corpus/$t" >"$log" 2>&1; then
		echo "fuzz: $t FOUND A PROBLEM:"
		tail -n 40 "$log"
		rc=1
		break
	fi
	# "#N DONE cov: ... exec/s: E" and the final stats
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	eps=$(sed -n 's/.*DONE .*exec\/s: \([0-9]*\).*/\1/p' "$log")
	took=$(sed -n 's/.*Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
	echo "fuzz: $t ok: $execs executions in ${took:-$secs}s, ${eps:-?} exec/s"
done
exit $rc
