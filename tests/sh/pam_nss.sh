#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pam_nss.sh - administrators by NSS group (admins.groups) through the real
# libpam and pam_bmsub.so: runs the "nss" case of test_pam (sanitizer build)
# under nss_wrapper with fake users: alice (secondary member of mailadmins),
# bob (primary group mailadmins), carol and dave (not admins).
# Then an NSS failure in the role lookup (tests/unit/nss_fail.so makes
# getgrnam_r/getpwnam_r of a chosen name return EIO, before nss_wrapper):
# the "nss-fail" case of test_pam through the real libpam, and bmsub-check
# decide: deny, reason nss, neither the admin's redirect nor the user's
# allow, whenever the role would change the answer.
. "$(dirname "$0")/../lib.sh"

NSSW=/usr/lib/x86_64-linux-gnu/libnss_wrapper.so
[ -e "$NSSW" ] || skip "missing $NSSW (tools/deps.sh check)"
[ -x "$SB/tests/test_pam" ] || { echo "no $SB/tests/test_pam"; exit 1; }

cat >"$T/passwd" <<'EOP'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
alice:x:3001:3001:Alice:/nonexistent:/usr/sbin/nologin
bob:x:3002:3100:Bob:/nonexistent:/usr/sbin/nologin
carol:x:3003:3003:Carol:/nonexistent:/usr/sbin/nologin
dave:x:3004:3004:Dave:/nonexistent:/usr/sbin/nologin
EOP
cat >"$T/group" <<'EOG'
root:x:0:
nogroup:x:65534:
alice:x:3001:
carol:x:3003:
dave:x:3004:
mailadmins:x:3100:alice
staff:x:3200:carol
EOG

# the ASan runtime must come first in LD_PRELOAD
asan=$(${CC:-cc} -print-file-name=libasan.so)
case $asan in /*) pre="$asan:$NSSW" ;; *) pre=$NSSW ;; esac
expect_rc 0 "test_pam nss case under nss_wrapper" -- \
	env LD_PRELOAD="$pre" NSS_WRAPPER_PASSWD="$T/passwd" \
	NSS_WRAPPER_GROUP="$T/group" CK_RUN_CASE=nss \
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
	"$SB/tests/test_pam"
cat "$T/out" "$T/err"
expect_grep '^100%: Checks: 5,' "$T/out" "all five users checked"

SHIM=$SB/tests/nss_fail.so
[ -e "$SHIM" ] || { fail "no $SHIM (make B=build/san SAN=1 tests)"; done_checks; }
case $asan in /*) pre="$asan:$SHIM:$NSSW" ;; *) pre=$SHIM:$NSSW ;; esac
expect_rc 0 "test_pam nss-fail case under nss_wrapper and nss_fail.so" -- \
	env LD_PRELOAD="$pre" NSS_WRAPPER_PASSWD="$T/passwd" \
	NSS_WRAPPER_GROUP="$T/group" CK_RUN_CASE=nss-fail BMSUB_NSS_FAIL_SHIM=1 \
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
	"$SB/tests/test_pam"
cat "$T/out" "$T/err"
expect_grep '^100%: Checks: 14,' "$T/out" "all fourteen NSS failure rows checked"

# bmsub-check decide (the normal build) answers as the module does
setup_etc
sed -i 's/^admins = .*/admins = { users = ["dave"]; groups = ["mailadmins"]; };/' "$CONF"
make_license "$T/etc/license" expires="$(date_utc -3)" issued="$(date_utc -100)"
nss() { # FAIL_GROUP FAIL_USER bmsub-check args...
	_g=$1 _u=$2; shift 2
	env LD_PRELOAD="$SHIM:$NSSW" NSS_WRAPPER_PASSWD="$T/passwd" \
	    NSS_WRAPPER_GROUP="$T/group" BMSUB_NSS_FAIL_GROUP="$_g" \
	    BMSUB_NSS_FAIL_USER="$_u" "$B/bmsub-check" -c "$CONF" "$@"
}
expect_rc 0 "decide, grace, NSS fine: a member is redirected" -- \
	nss "" "" decide --user alice --service webmail
expect_grep '^redirect \(phase grace, reason grace\): user alice \(admin\)' "$T/out" "decide: admin by group"
expect_rc 0 "decide, grace, NSS fine: a user is allowed" -- \
	nss "" "" decide --user carol --service webmail
expect_grep '^allow \(phase grace, reason grace\): user carol \(not admin\)' "$T/out" "decide: user in grace"
for u in alice carol ghost; do
	expect_rc 1 "decide, grace, group lookup fails: $u denied" -- \
		nss mailadmins "" decide --user "$u" --service webmail
	expect_grep "^deny \\(phase grace, reason nss\\): user $u \\(role unknown\\)" "$T/out" "decide $u: reason nss"
	expect_grep '^message: Access refused: your account could not be checked' "$T/out" "decide $u: the message"
	expect_grep "role of $u unknown \\(nss: group mailadmins: lookup failed: Input/output error\\): refused" "$T/err" "decide $u: logged"
done
expect_rc 1 "decide, grace, user lookup fails: bob denied" -- \
	nss "" bob decide --user bob --service webmail
expect_grep '^deny \(phase grace, reason nss\)' "$T/out" "decide bob: reason nss"
expect_rc 1 "decide --json, group lookup fails" -- \
	nss mailadmins "" --json decide --user carol --service webmail
json_ok "$T/out"
[ "$(json_get "$T/out" 'd["reason"]')" = nss ] && ok || fail "decide --json: reason"
[ "$(json_get "$T/out" 'd["decision"]')" = deny ] && ok || fail "decide --json: decision"
[ "$(json_get "$T/out" 'd["admin"]')" = null ] && ok || fail "decide --json: admin null"
# admins.users comes before NSS; where the role changes nothing, no lookup
expect_rc 0 "decide, group lookup fails: a listed admin" -- \
	nss mailadmins dave decide --user dave --service webmail
expect_grep '^redirect ' "$T/out" "decide dave: redirect"
expect_rc 0 "decide, group lookup fails: imap in grace, role not needed" -- \
	nss mailadmins "" decide --user carol --service imap
expect_grep '^allow \(phase grace, reason grace\): user carol \(role not needed\)' "$T/out" "decide imap: no lookup"
done_checks
