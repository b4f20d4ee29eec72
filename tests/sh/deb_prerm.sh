#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deb_prerm.sh - debian/libpam-bmsub.prerm on its own, over a pam.d folder
# under DPKG_ROOT (as dpkg --root runs it): "remove" is refused, naming the
# files, while a stack names pam_bmsub outside a comment, in any form that
# libpam would load; comments, other modules and upgrades go through.
# make check-deb runs the same script inside a real dpkg.
. "$(dirname "$0")/../lib.sh"
PRERM=$TOP/debian/libpam-bmsub.prerm
[ -r "$PRERM" ] || { fail "no $PRERM"; done_checks; }

# case NAME WANT-RC ACTION LINE: one file $R/etc/pam.d/svc holding LINE
# (printf format); exit 1 must name it, exit 0 must say nothing
n=0
case_one() {
	name=$1 want=$2 action=$3 line=$4
	n=$((n + 1))
	R=$T/r$n
	mkdir -p "$R/etc/pam.d"
	printf "@include common-auth\n$line\n" >"$R/etc/pam.d/svc"
	expect_rc "$want" "$name" -- env DPKG_ROOT="$R" sh "$PRERM" $action || return 0
	if [ "$want" = 1 ]; then
		expect_grep "^  $R/etc/pam\.d/svc\$" "$T/err" "$name: names the file"
		expect_grep 'then remove libpam-bmsub again\.$' "$T/err" "$name: says what to do"
	else
		[ ! -s "$T/err" ] && [ ! -s "$T/out" ] && ok || fail "$name: not silent: $(cat "$T/err")"
	fi
}
# names the module: refused
case_one "account line" 1 remove 'account required pam_bmsub.so'
case_one "absolute path" 1 remove 'account required /usr/lib/x86_64-linux-gnu/security/pam_bmsub.so conf=/etc/bmsub/bmsub.conf'
case_one "bracket control" 1 remove 'account [success=ok default=die] pam_bmsub.so'
case_one "leading blanks" 1 remove '   account\trequired\tpam_bmsub.so'
case_one "dash: skipped silently when missing" 1 remove '-account required pam_bmsub.so'
case_one "auth phase" 1 remove 'auth required pam_bmsub.so'
case_one "trailing comment" 1 remove 'account required pam_bmsub.so # the gate'
case_one "remove in-favour" 1 "remove in-favour libpam-other 1.0" 'account required pam_bmsub.so'
# does not: let through
case_one "commented out" 0 remove '#account required pam_bmsub.so'
case_one "commented out, blanks first" 0 remove '  # account required pam_bmsub.so'
case_one "named in a comment only" 0 remove 'account required pam_unix.so # pam_bmsub comes later'
case_one "other module" 0 remove 'account required pam_unix.so'
case_one "upgrade" 0 upgrade 'account required pam_bmsub.so'
case_one "failed-upgrade" 0 failed-upgrade 'account required pam_bmsub.so'
case_one "deconfigure" 0 deconfigure 'account required pam_bmsub.so'

# no pam.d at all, an empty one, a subfolder in it: let through
R=$T/none
mkdir -p "$R"
expect_rc 0 "no /etc/pam.d" -- env DPKG_ROOT="$R" sh "$PRERM" remove
mkdir -p "$R/etc/pam.d/sub"
expect_rc 0 "empty /etc/pam.d with a subfolder" -- env DPKG_ROOT="$R" sh "$PRERM" remove
[ ! -s "$T/err" ] && ok || fail "subfolder: not silent: $(cat "$T/err")"

# several stacks: each named once, the others not
R=$T/many
mkdir -p "$R/etc/pam.d"
printf 'account required pam_bmsub.so\n' >"$R/etc/pam.d/dovecot"
printf 'account required pam_bmsub.so\n' >"$R/etc/pam.d/smtp"
printf '# account required pam_bmsub.so\n' >"$R/etc/pam.d/imap"
printf 'account required pam_unix.so\n' >"$R/etc/pam.d/sshd"
expect_rc 1 "two stacks" -- env DPKG_ROOT="$R" sh "$PRERM" remove
expect_grep "^  $R/etc/pam\.d/dovecot\$" "$T/err" "names dovecot"
expect_grep "^  $R/etc/pam\.d/smtp\$" "$T/err" "names smtp"
expect_nogrep "imap|sshd" "$T/err" "names neither the commented stack nor sshd"
[ "$(grep -c '^  /' "$T/err")" = 2 ] && ok || fail "two files named: $(cat "$T/err")"
done_checks
