# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - sourced by tests/sh/*.sh: a private temp dir, assertions, and a
# closing "ok: N checks" line. Environment from run.sh: TOP, B (normal
# build), SB (sanitizer build). A script exits 0 (pass), 1 (fail), 77 (skip).
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${B:=$TOP/build}"
: "${SB:=$B/san}"
T=$(mktemp -d /tmp/bmsub-test.XXXXXX)
chmod 755 "$T"
n_checks=0 n_fail=0
cleanup_hooks=
at_exit() { cleanup_hooks="$1; $cleanup_hooks"; }
_finish() {
	eval "$cleanup_hooks"
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap _finish EXIT
trap 'exit 1' INT TERM

fail() { n_fail=$((n_fail + 1)); echo "FAIL: $*"; }
ok() { n_checks=$((n_checks + 1)); }
# expect_rc WANT DESC -- command...
expect_rc() {
	want=$1 desc=$2; shift 3
	"$@" >"$T/out" 2>"$T/err"; got=$?
	n_checks=$((n_checks + 1))
	if [ "$got" != "$want" ]; then
		fail "$desc: exit $got, want $want: $*"
		sed 's/^/  out| /' "$T/out" | head -n 20
		sed 's/^/  err| /' "$T/err" | head -n 20
		return 1
	fi
	return 0
}
# expect_grep PATTERN FILE DESC
expect_grep() {
	n_checks=$((n_checks + 1))
	grep -qE -- "$1" "$2" || { fail "$3: /$1/ not in $2:"; head -n 20 "$2" | sed 's/^/  | /'; return 1; }
}
expect_nogrep() {
	n_checks=$((n_checks + 1))
	! grep -qE -- "$1" "$2" || { fail "$3: /$1/ unexpectedly in $2"; return 1; }
}
done_checks() {
	if [ "$n_fail" != 0 ]; then echo "$n_fail of $n_checks checks failed"; exit 1; fi
	echo "ok: $n_checks checks"; exit 0
}
skip() { echo "skip: $*"; exit 77; }
