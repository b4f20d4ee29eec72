#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz.sh - runs every libFuzzer target (one per parser, fuzz/fuzz_*.c) for
# a short, bounded time over its committed seeds fuzz/corpus/<target>
# (fuzz/run.sh, as make fuzz FUZZ_SECONDS=N does): any crash, leak, UB or
# timeout fails the test; libconfig's own lexer leak is suppressed by
# tests/lsan.supp. Longer runs: make fuzz FUZZ_SECONDS=600
. "$(dirname "$0")/../lib.sh"
secs=${BMSUB_FUZZ_SECONDS:-3}
targets=
for f in "$TOP"/fuzz/fuzz_*.c; do
	t=$(basename "$f" .c)
	n_checks=$((n_checks + 1))
	if [ ! -x "$B/fuzz/$t" ]; then
		fail "$B/fuzz/$t not built (make fuzz)"
	elif [ -z "$(ls "$TOP/fuzz/corpus/$t" 2>/dev/null)" ]; then
		fail "$t: no seeds in fuzz/corpus/$t (fuzz/mkcorpus.sh)"
	else
		targets="$targets $t"
	fi
done
# each target at least once over all its seeds, and every seed still
# passes (the inputs that once found a problem are among them)
for t in $targets; do
	n_checks=$((n_checks + 1))
	LSAN_OPTIONS=suppressions=$TOP/tests/lsan.supp:print_suppressions=0 \
	    "$B/fuzz/$t" -runs=0 -close_fd_mask=2 "$TOP/fuzz/corpus/$t" \
	    >"$T/$t.seeds.log" 2>&1 || { fail "$t: a seed fails:"; tail -n 20 "$T/$t.seeds.log"; }
done
# shellcheck disable=SC2086
FUZZ_WORK=$T sh "$TOP/fuzz/run.sh" "$B/fuzz" "$secs" $targets >"$T/run.log" 2>&1
rc=$?
cat "$T/run.log"
n_checks=$((n_checks + 1))
[ $rc = 0 ] || { fail "fuzz/run.sh found a problem"; ls "$T"/artifacts/ 2>/dev/null; }
for t in $targets; do
	expect_grep "^fuzz: $t ok: [0-9]+ executions" "$T/run.log" "$t ran"
done
done_checks
