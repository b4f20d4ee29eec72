#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - runs every test: the Check unit tests of the sanitizer build, then
# each tests/sh/*.sh integration script. Prints one PASS/FAIL/SKIP line per
# test program and closes with "N passed, N failed, N skipped".
#
#   run.sh BUILD SANBUILD [name-filter]
#
# Privileges: rows that only root or only an unprivileged user can run say
# "not run (needs ...)" (tests/lib.sh need_root, tlib_need_*). Run as root,
# a unit test that printed "needs an unprivileged user" runs again as uid
# 65534 ("NAME@uid65534"), from a copy that user can read wherever the
# checkout lies; run unprivileged, the rows that need root are counted and
# named at the end.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$1" && pwd) || exit 2
SB=$(cd "$2" && pwd) || exit 2
filter=${3:-}
export TOP="$top" B SB
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# No leak is suppressed here: the one known libconfig leak is met only by
# the fuzz targets (tests/sh/fuzz.sh, tests/lsan.supp).
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
	nr=$(grep -c "^$need_root" "$log")
	case $name in *@*) ;; *) notrun=$((notrun + nr)) ;; esac
	case $nr:$name in
	0:*) nr= ;;
	*@*) nr=" ($nr need root: run as root above)" ;;
	*) nr=" ($nr not run: need root)" ;;
	esac
	if [ $rc = 0 ]; then
		pass=$((pass + 1)); printf 'PASS  %-28s %3ss  %s%s\n' "$name" "$secs" "$(grep -E '^[0-9]+%: Checks|^ok: ' "$log" | tail -n 1)" \
			"$(case $name in test_*) printf '%s' "$nr" ;; esac)"
	elif [ $rc = 77 ]; then
		skip=$((skip + 1)); printf 'SKIP  %-28s %s\n' "$name" "$(tail -n 1 "$log")"
	else
		fail=$((fail + 1)); failed="$failed $name"
		printf 'FAIL  %-28s (exit %s)\n' "$name" "$rc"
		tail -n 40 "$log" | sed 's/^/    | /'
	fi
}

need_root='not run (needs root): '
need_user='not run (needs an unprivileged user): '
notrun=0
# as_user TEST: a unit test as uid 65534, from a copy of the test program,
# tests/data, conf and the sanitizer build's products in a 0755 folder of
# root's under /tmp (bmsub refuses files below folders others can write).
ustage=
as_user() {
	if [ -z "$ustage" ]; then
		ustage=$(mktemp -d /tmp/bmsub-user.XXXXXX) || return 1
		mkdir -p "$ustage/top/tests" "$ustage/sb/tests"
		cp -R "$top/tests/data" "$ustage/top/tests/" &&
		cp -R "$top/conf" "$ustage/top/" &&
		cp -P "$SB"/pam_bmsub.so "$SB"/libbmsub.so* "$ustage/sb/" || return 1
		chmod -R a+rX,go-w "$ustage"
	fi
	cp "$1" "$ustage/sb/tests/" && chmod 755 "$ustage/sb/tests/${1##*/}" || return 1
	(cd "$ustage" && exec setpriv --reuid=65534 --regid=65534 --clear-groups \
		env HOME=/ TOP="$ustage/top" SB="$ustage/sb" CK_DEFAULT_TIMEOUT=60 \
		"$ustage/sb/tests/${1##*/}")
}
trap '[ -z "$ustage" ] || rm -rf "$ustage"' EXIT
trap 'exit 1' INT TERM

for t in "$SB"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	run_one "$name" env CK_DEFAULT_TIMEOUT=60 "$t"
	if [ "$(id -u)" = 0 ] && grep -q "^$need_user" "$logdir/$name.log" 2>/dev/null; then
		run_one "$name@uid65534" as_user "$t"
	fi
done
for t in "$top"/tests/sh/*.sh; do
	[ -f "$t" ] || continue
	run_one "$(basename "$t" .sh)" sh "$t"
done

echo
[ -n "$failed" ] && echo "failed:$failed (logs in $logdir)"
if [ "$notrun" != 0 ]; then
	echo "root-only checks not run: $notrun (make check as root runs them)"
	for l in "$logdir"/*.log; do
		case $l in *@*) continue ;; esac
		grep -h "^$need_root" "$l" | sed "s|^$need_root|  $(basename "$l" .log): |"
	done
fi
# make check installs every dependency first, so a skipped test means a
# missing install step or build product: that fails the run unless asked.
if [ $skip != 0 ] && [ -z "${BMSUB_ALLOW_SKIP:-}" ]; then
	echo "skipped tests count as failures (BMSUB_ALLOW_SKIP=1 to allow)"
	fail=$((fail + skip)); skip=0
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ] && exit 0
exit 1
