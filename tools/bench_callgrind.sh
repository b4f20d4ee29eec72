#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_callgrind.sh - user-space instructions per PAM transaction of each
# stack of bench_pam (BENCH_ONLY=SERVICE), counted by callgrind inside
# bench_pam's transaction() only: (count over 1200 - count over 200) / 1000,
# so the setup and the first, cold transaction cancel out. Repeatable where
# wall clock on a shared machine is not; a system call counts as one
# instruction. Not run by make check (about 15 s a stack).
#
#   sh tools/bench_callgrind.sh BUILD [SERVICE...]
#	(default: permit permit2 imap access; BUILD holds pam_bmsub.so and
#	tests/bench_pam, as after "make bench")
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:?usage: bench_callgrind.sh BUILD [SERVICE...]}" && pwd)
shift
[ $# -gt 0 ] || set -- permit permit2 imap access
command -v valgrind >/dev/null || { echo "bench_callgrind: needs valgrind" >&2; exit 2; }
tmp=$(mktemp -d /tmp/bmsub-cg.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
count() { # service n
	SB=$B TOP=$top BENCH_ONLY=$1 valgrind --tool=callgrind \
		--collect-atstart=no --toggle-collect=transaction \
		--callgrind-out-file="$tmp/$1.$2" "$B/tests/bench_pam" "$B" "$2" \
		>"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
	sed -n 's/^summary: //p' "$tmp/$1.$2"
}
for s in "$@"; do
	a=$(count "$s" 200)
	b=$(count "$s" 1200)
	printf '%-8s %8d instructions per transaction\n' "$s" $(( (b - a) / 1000 ))
done
