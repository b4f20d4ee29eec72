#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# monitor.sh - bmsub-check monitor: one plugin line with perfdata and the
# exit code of each phase (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
. "${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

[ -x "$B/bmsub-check" ] || skip "no $B/bmsub-check"
setup_etc
BIN=$B/bmsub-check
[ -x "$SB/bmsub-check" ] && BIN=$SB/bmsub-check
CK="$BIN -c $CONF"

# mon RC AT DESC REGEX: exit code, exactly one well-formed line matching REGEX
mon() {
	want=$1 at=$2 desc=$3 re=$4
	expect_rc "$want" "$desc" -- $CK --at "$at" monitor || return
	n_checks=$((n_checks + 1))
	[ "$(wc -l <"$T/out")" = 1 ] || { fail "$desc: not one line"; cat "$T/out"; return; }
	expect_grep '^BMSUB (OK|WARNING|CRITICAL|UNKNOWN) - [^|]+( \| ([a-z_]+=(-?[0-9]+|U)(;@?(~|-?[0-9]+)?(:(-?[0-9]+)?)?){0,4})( [a-z_]+=(-?[0-9]+|U)(;@?(~|-?[0-9]+)?(:(-?[0-9]+)?)?){0,4})*)?$' \
		"$T/out" "$desc: plugin format"
	expect_grep "$re" "$T/out" "$desc"
}
state() { rm -rf "$T/state"; mkdir "$T/state"; chmod 755 "$T/state"; }
refresh() { $CK --force-clock --at "$1" refresh --users "$2" >/dev/null || fail "refresh $*"; }

make_license "$T/etc/license" id=BM-M1 customer="Example SA" \
	issued=2026-07-01 expires=2027-06-30 users=100
state
$CK recipients add ops@example.test >/dev/null

mon 0 2027-03-01 "users not counted" \
	'^BMSUB OK - prod license BM-M1 \(Example SA\) expires 2027-06-30, 122 days left; users not counted yet \| days_left=122;61:;0: users=U;100;110$'
refresh 2027-03-01 90
mon 0 2027-03-01 "ok" \
	'^BMSUB OK - prod license BM-M1 \(Example SA\) expires 2027-06-30, 122 days left; 90/100 users \| days_left=122;61:;0: users=90;100;110$'
mon 0 2027-04-30T23:59:59Z "ok, 1 s before notice" '^BMSUB OK .* days_left=61;61:;0: '
mon 1 2027-05-01 "notice" '^BMSUB WARNING - .* expires 2027-06-30, 61 days left; 90/100 users \| days_left=61;61:;0: users=90;100;110$'
mon 1 2027-06-15 "warning" '^BMSUB WARNING - .* 16 days left; .* days_left=16;61:;0: '
mon 1 2027-06-30T23:59:59Z "warning, 1 s before expiry" '^BMSUB WARNING - .* expires 2027-06-30, less than a day left; .* days_left=0;'
mon 2 2027-07-01 "grace" \
	'^BMSUB CRITICAL - prod license BM-M1 \(Example SA\) EXPIRED 2027-06-30, grace: logins blocked from 2027-07-11; 90/100 users \| days_left=0;61:;0: users=90;100;110$'
mon 2 2027-07-20 "blocked" '^BMSUB CRITICAL - .* EXPIRED 2027-06-30, logins BLOCKED since 2027-07-11; .* days_left=-19;61:;0: '

# count phases (each from its own state)
state; $CK recipients add ops@example.test >/dev/null
refresh 2027-03-01 100
mon 0 2027-03-02 "within, at N" '^BMSUB OK - .*; 100/100 users \| '
refresh 2027-03-02 110
mon 1 2027-03-02 "over, ceiling reached" \
	'^BMSUB WARNING - .*; 110/100 users \(over, logins blocked from 2027-04-02\), ceiling 110 reached \| days_left=121;61:;0: users=110;100;110$'
mon 1 2027-04-01T23:59:59Z "over, 1 s before over-blocked" 'over, logins blocked from 2027-04-02'
mon 2 2027-04-02 "over-blocked" '^BMSUB CRITICAL - .*; 110/100 users \(OVER, logins BLOCKED since 2027-04-02\)'

# what else an operator must fix
state
refresh 2027-03-01 90
mon 1 2027-03-01 "no recipient" '^BMSUB WARNING - .*; 90/100 users; no alert recipient \| '
$CK recipients add ops@example.test >/dev/null
$CK --force-clock --at 2027-03-20 notify >/dev/null 2>&1
mon 1 2027-03-01 "clock behind the state" '; clock behind the last recorded time \| '
mon 1 2026-06-01 "clock behind the license" '; clock behind the license \| '
state; $CK recipients add ops@example.test >/dev/null
printf 'garbage\n' >"$T/state/state"; chmod 644 "$T/state/state"
mon 3 2027-03-01 "state corrupt: UNKNOWN" '^BMSUB UNKNOWN - .*; state unreadable \(corrupt\), users unknown \| days_left=122;61:;0: users=U;100;110$'
mon 2 2027-07-20 "state corrupt but blocked: CRITICAL wins" '^BMSUB CRITICAL - '
state; $CK recipients add ops@example.test >/dev/null

# licenses
make_license "$T/etc/license" id=TR-1 customer="Trial Co" kind=trial \
	issued=2027-01-01 expires=2027-01-31 users=10
mon 0 2027-01-15 "trial running" '^BMSUB OK - trial license TR-1 \(Trial Co\) expires 2027-01-31, 17 days left; users not counted yet \| days_left=17;0:;0: users=U;10;11$'
mon 2 2027-02-01 "trial ended" '^BMSUB CRITICAL - trial license TR-1 \(Trial Co\) trial ENDED 2027-01-31, logins BLOCKED since 2027-02-01'
make_license "$T/etc/license" id=BM-F1 starts=2027-05-01 expires=2028-04-30
mon 2 2027-03-01 "not valid yet" '^BMSUB CRITICAL - prod license BM-F1 \(Example SA\) not valid yet \(not-yet-valid\), logins BLOCKED'
sed 's/^users: 100$/users: 999/' "$T/etc/license" >"$T/tampered" && cp "$T/tampered" "$T/etc/license"
mon 2 2027-03-01 "tampered license" '^BMSUB CRITICAL - no valid license \(bad-signature\), logins BLOCKED; users not counted yet$'
rm -f "$T/etc/license"
mon 2 2027-03-01 "no license" '^BMSUB CRITICAL - no valid license \(no-license\), logins BLOCKED'
refresh 2027-03-01 42
mon 2 2027-03-01 "no license, counted" '^BMSUB CRITICAL - no valid license \(no-license\), logins BLOCKED; 42 users \| users=42$'

# cannot read the config or the keys: UNKNOWN (3), not the usual 2
expect_rc 3 "config missing" -- $BIN -c "$T/nope.conf" monitor
expect_grep '^BMSUB UNKNOWN - ' "$T/out" "config missing: UNKNOWN line"
chmod 666 "$CONF"
expect_rc 3 "config insecure" -- $CK monitor
chmod 644 "$CONF"

# Who runs the monitor. Nagios or NRPE run it unprivileged: on files it can
# read (root's, 0644, below 0755 folders) it says what root says.
make_license "$T/etc/license" id=BM-M2 issued=2026-07-01 expires=2027-06-30 users=100
UCK="$(user_bin "$BIN") -c $CONF"
expect_rc 0 "as root" -- $CK --at 2027-03-01 monitor
mv "$T/out" "$T/out.root"
expect_rc 0 "unprivileged, readable files" -- as_user $UCK --at 2027-03-01 monitor
n_checks=$((n_checks + 1))
cmp -s "$T/out.root" "$T/out" || fail "unprivileged line differs: $(cat "$T/out.root") / $(cat "$T/out")"
# The keys folder at mode 000. Root reads it all the same, as the PAM
# module does in the auth daemons (root): the license's own line. An
# unprivileged monitor cannot read the keys, so it cannot know what logins
# meet: UNKNOWN, not a CRITICAL "logins BLOCKED" that is not true.
chmod 000 "$T/etc/keys.d"
if need_root "keys folder at mode 000, read by root"; then
	expect_rc 0 "keys mode 000, root" -- $CK --at 2027-03-01 monitor
	expect_grep '^BMSUB OK - prod license BM-M2 ' "$T/out" "keys mode 000, root: the license's line"
fi
expect_rc 3 "keys unreadable, unprivileged" -- as_user $UCK --at 2027-03-01 monitor
expect_grep '^BMSUB UNKNOWN - trusted keys .*keys.d unreadable$' "$T/out" "keys unreadable line"
chmod 755 "$T/etc/keys.d"
# every usage error of monitor is UNKNOWN (3) with its line on stdout
# ARGS (after the config)
while read -r args; do
	# shellcheck disable=SC2086
	expect_rc 3 "usage: $args" -- $CK $args
	expect_grep '^BMSUB UNKNOWN - usage: ' "$T/out" "usage: $args: UNKNOWN line"
	[ "$(wc -l <"$T/out")" = 1 ] && ok || fail "usage: $args: not one line"
done <<TAB
monitor --bogus
monitor extra
--bogus monitor
--at 2027-02-30 monitor
monitor --at
monitor --at tomorrow
TAB
expect_rc 3 "json usage" -- $CK --json monitor --bogus
json_ok "$T/out"
expect_rc 2 "not monitor: still 2" -- $CK --at 2027-02-30 status


# install --force of a license smaller than the count: the over-count clock
# starts in the install itself, not at the next refresh (no "from never")
state; $CK recipients add ops@example.test >/dev/null
refresh 2027-03-01 90
make_license "$T/small.lic" id=BM-S1 issued=2026-07-01 expires=2027-06-30 users=50
make_license "$T/big.lic" id=BM-B1 issued=2026-07-01 expires=2027-06-30 users=100
expect_rc 0 "install small --force" -- $CK --force-clock --at 2027-03-05 install --force "$T/small.lic"
mon 1 2027-03-05 "forced small: blocked from O + 1 month" \
	'^BMSUB WARNING - prod license BM-S1 .*; 90/50 users \(over, logins blocked from 2027-04-05\), ceiling 55 reached \| '
expect_nogrep 'never' "$T/out" "forced small: a block date"
expect_grep '^over-since ' "$T/state/state" "forced small: O in the state"
expect_rc 0 "install big" -- $CK --force-clock --at 2027-03-06 install "$T/big.lic"
mon 0 2027-03-06 "big again: within" '^BMSUB OK - prod license BM-B1 .*; 90/100 users \| '
expect_nogrep '^over-since' "$T/state/state" "big again: O cleared in the state"

done_checks
