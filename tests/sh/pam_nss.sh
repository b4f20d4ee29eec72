#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pam_nss.sh - administrators by NSS group (admins.groups) through the real
# libpam and pam_bmsub.so: runs the "nss" case of test_pam (sanitizer build)
# under nss_wrapper with fake users: alice (secondary member of mailadmins),
# bob (primary group mailadmins), carol and dave (not admins).
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
done_checks
