#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pam_load.sh - tests/unit/test_pam_load.c built with the normal build's
# flags (its RSS bound means nothing under ASan, whose allocator keeps what
# it maps) and run over PAMT_LOAD_TOTAL transactions (default 100,000):
# 8 threads with one PAM handle each while the license, the state and the
# config are rewritten (by a forked process); no wrong decision; RSS and
# malloc's bytes in use at the end against their value after the first
# 1,000 (the 64 KiB target printed, 1 MiB asserted: see test_pam_load.c).
# make bench runs the same over 1,000,000.
. "${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

[ -f "$B/pam_bmsub.so" ] || { echo "no $B/pam_bmsub.so: run make"; exit 1; }
expect_rc 0 "build test_pam_load with the normal flags" -- \
	make -C "$TOP" --no-print-directory B="$B" "$B/tests/test_pam_load"
[ -x "$B/tests/test_pam_load" ] || { cat "$T/err"; exit 1; }
expect_rc 0 "load: ${PAMT_LOAD_TOTAL:=100000} transactions" -- \
	env SB="$B" CK_FORK=no PAMT_LOAD_TOTAL="$PAMT_LOAD_TOTAL" "$B/tests/test_pam_load"
grep -E '^load:|^RSS target' "$T/err"
expect_grep "^load: 8 threads, $PAMT_LOAD_TOTAL transactions .* 0 wrong" "$T/err" "no wrong decision"
done_checks
