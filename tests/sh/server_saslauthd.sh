#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# server_saslauthd.sh - pam_bmsub behind saslauthd -a pam (Postfix/Cyrus
# SMTP AUTH via Cyrus SASL), without the -c credential cache: OK while the
# license is valid, NO once blocked, OK again after a renewal, no restart.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/servers/common.sh"

srv_need saslauthd testsaslauthd $WRAPDIR/libpam_wrapper.so \
	$WRAPDIR/libnss_wrapper.so $PAM_MATRIX

srv_setup 'smtp = ["smtp"]; imap = ["imap"];'
srv_stack smtp
srv_stack imap
D=$T/saslauthd
mkdir -p "$D"; chmod 755 "$D"

srv_license 200 BM-VALID-1
# no -c: a cache would answer OK for a blocked user without asking PAM
LD_PRELOAD="libpam_wrapper.so:libnss_wrapper.so" \
	saslauthd -a pam -m "$D" -n 1 >"$D/start.log" 2>&1 || {
	cat "$D/start.log"; exit 1; }
srv_started saslauthd "$D/saslauthd.pid" "$D/start.log" || exit 1
PID=$SRV_PID
srv_wait -S "$D/mux"

# sasl WANT(OK|NO) USER PASS SERVICE DESC
sasl() {
	out=$(testsaslauthd -u "$2" -p "$3" -s "$4" -f "$D/mux" 2>&1)
	echo "$5: $2 -s $4 -> $out"
	n_checks=$((n_checks + 1))
	case $out in "0: $1"*) ;; *) fail "$5: $2 via $4: want $1, got: $out" ;; esac
}

sasl OK alice secret smtp "valid license"
sasl NO alice wrong smtp "valid license, wrong password"
sasl OK admin0 secret smtp "valid license"
sasl OK alice secret imap "valid license"

srv_license -20 BM-EXPIRED-2
sasl NO alice secret smtp "blocked"
sasl NO admin0 secret smtp "blocked, admin (smtp is not web)"
sasl NO alice secret imap "blocked"

srv_license 300 BM-RENEWED-3
sasl OK alice secret smtp "renewed"
sasl OK alice secret imap "renewed"

srv_stop "$PID"
n_checks=$((n_checks + 1))
srv_alive "$PID" && fail "saslauthd still running"
done_checks
