#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - runs every test: the Check unit tests of the sanitizer build, then
# each tests/sh/*.sh integration script. Prints one PASS/FAIL/SKIP line per
# test program and closes with "N passed, N failed, N skipped".
#
#   run.sh BUILD SANBUILD [name-filter]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$1" && pwd) || exit 2
SB=$(cd "$2" && pwd) || exit 2
filter=${3:-}
export TOP="$top" B SB
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# libconfig 1.5 leaks inside its lexer on some syntax errors: see the file
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
logdir="$B/test-logs"
rm -rf "$logdir"; mkdir -p "$logdir"
pass=0 fail=0 skip=0 failed=

run_one() { # name, command...
	name=$1; shift
	case $name in *"$filter"*) ;; *) return ;; esac
	log="$logdir/$name.log"
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc = 0 ]; then
		pass=$((pass + 1)); printf 'PASS  %-28s %3ss  %s\n' "$name" "$secs" "$(grep -E '^[0-9]+%: Checks|^ok: ' "$log" | tail -n 1)"
	elif [ $rc = 77 ]; then
		skip=$((skip + 1)); printf 'SKIP  %-28s %s\n' "$name" "$(tail -n 1 "$log")"
	else
		fail=$((fail + 1)); failed="$failed $name"
		printf 'FAIL  %-28s (exit %s)\n' "$name" "$rc"
		tail -n 40 "$log" | sed 's/^/    | /'
	fi
}

for t in "$SB"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" env CK_DEFAULT_TIMEOUT=60 "$t"
done
for t in "$top"/tests/sh/*.sh; do
	[ -f "$t" ] || continue
	run_one "$(basename "$t" .sh)" sh "$t"
done

echo
[ -n "$failed" ] && echo "failed:$failed (logs in $logdir)"
# make check installs every dependency first, so a skipped test means a
# missing install step or build product: that fails the run unless asked.
if [ $skip != 0 ] && [ -z "${BMSUB_ALLOW_SKIP:-}" ]; then
	echo "skipped tests count as failures (BMSUB_ALLOW_SKIP=1 to allow)"
	fail=$((fail + skip)); skip=0
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
