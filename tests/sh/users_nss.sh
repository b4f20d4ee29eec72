#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# users_nss.sh - runs test_users' NSS cases under nss_wrapper: first the
# small fixture of tests/data/conf/nss with the sanitizer build, then a
# generated group of 100,000 secondary members (some listed twice) plus
# users whose primary group it is (some also listed), whose distinct
# count must be exact.
#
# The big group runs in the normal build: nss_wrapper grows its member
# array one realloc at a time, and under ASan every realloc copies, which
# turns its file parsing quadratic (minutes per process).
. "$(dirname "$0")/../lib.sh"

wrapper=
for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
	[ -e "$d/libnss_wrapper.so" ] && { wrapper=$d/libnss_wrapper.so; break; }
done
[ -n "$wrapper" ] || skip "libnss_wrapper.so not installed (libnss-wrapper)"
[ -x "$SB/tests/test_users" ] || skip "$SB/tests/test_users not built"
# The normal build has no test binaries: build this one (cheap).
make -s -C "$TOP" --no-print-directory B="$B" "$B/tests/test_users" \
	>"$T/make.log" 2>&1 || { cat "$T/make.log"; fail "building $B/tests/test_users"; done_checks; }

# run_nss PASSWD GROUP BINARY [VAR=VALUE...]: output in $T/out
run_nss() {
	pw=$1 gr=$2 bin=$3; shift 3
	env LD_PRELOAD="$wrapper" NSS_WRAPPER_PASSWD="$pw" \
		NSS_WRAPPER_GROUP="$gr" BMSUB_TEST_NSS=1 \
		ASAN_OPTIONS="verify_asan_link_order=0:${ASAN_OPTIONS:-}" \
		"$@" "$bin" >"$T/out" 2>&1
	rc=$?
	cat "$T/out"
	n_checks=$((n_checks + 1))
	[ $rc = 0 ] || fail "$bin under nss_wrapper: exit $rc"
}

fix=$TOP/tests/data/conf/nss

# 1. fixture: 13 admin cases + 8 count cases
run_nss "$fix/passwd" "$fix/group" "$SB/tests/test_users" CK_RUN_CASE=nss
expect_grep '^100%: Checks: 21, Failures: 0, Errors: 0' "$T/out" "fixture: every case ran and passed"

# 2. 100,000 members u000000..u099999, u000000..u000009 listed twice;
# p0000..p0049 have the group as primary group only; u000000..u000049
# have it as primary group too: 100,050 distinct users.
cp "$fix/passwd" "$T/passwd"
cp "$fix/group" "$T/group"
awk 'BEGIN {
	printf "biggroup:x:3000:";
	for (i = 0; i < 100000; i++) printf "%su%06d", (i ? "," : ""), i;
	for (i = 0; i < 10; i++) printf ",u%06d", i;
	printf "\n";
}' >>"$T/group"
awk 'BEGIN {
	for (i = 0; i < 50; i++) printf "p%04d:x:%d:3000::/nonexistent:/bin/false\n", i, 20000 + i;
	for (i = 0; i < 50; i++) printf "u%06d:x:%d:3000::/nonexistent:/bin/false\n", i, 30000 + i;
}' >>"$T/passwd"
members=$(grep '^biggroup:' "$T/group" | cut -d: -f4 | tr , '\n' | wc -l)
[ "$members" = 100010 ] && ok || fail "generated group has $members member entries"
run_nss "$T/passwd" "$T/group" "$B/tests/test_users" \
	CK_RUN_CASE=nss-big BMSUB_TEST_BIG_GROUP=biggroup \
	BMSUB_TEST_BIG_COUNT=100050 BMSUB_TEST_BIG_MEMBER=u099999 \
	BMSUB_TEST_BIG_PRIMARY=p0049
expect_grep '^100%: Checks: 1, Failures: 0, Errors: 0' "$T/out" "100,000-member group counted exactly"
done_checks
