#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# messages.sh - what the tools tell an operator (issue 8 item 6): verify of
# an expired license or an ended trial, keygen's files, each thing said
# once in error lines, and "1 user" rather than "1 users".
. "$(dirname "$0")/../lib.sh"
CHK=$SB/bmsub-check
[ -x "$CHK" ] || CHK=$B/bmsub-check
SIGN=$SB/bmsub-sign
[ -x "$SIGN" ] || SIGN=$B/bmsub-sign
setup_etc
c() { "$CHK" -c "$CONF" "$@"; }

# --- verify: a valid signature is not a license that lets people in -----
# expires 2027-01-01 covers that day: E = 2027-01-02T00:00:00Z
make_license "$T/prod.lic" expires=2027-01-01 grace-days=14
make_license "$T/trial.lic" kind=trial id=BM-TRIAL expires=2027-01-01
make_license "$T/one.lic" users=1 id=BM-ONE
cp "$T/prod.lic" "$T/tampered.lic"; sed -i 's/^users: 100$/users: 900/' "$T/tampered.lic"
# AT FILE | exit | first line | second line ("-": none)
while IFS='|' read -r at f rc l1 l2; do
	expect_rc "$rc" "verify $f at $at" -- c --at "$at" verify "$T/$f" || continue
	expect_grep "^$T/$f: $l1" "$T/out" "verify $f at $at: first line"
	if [ "$l2" = - ]; then
		[ "$(wc -l <"$T/out")" = 1 ] && ok || fail "verify $f at $at: more than one line"
		expect_nogrep "expired|ended|blocked|signature" "$T/out" "verify $f at $at: not expired"
	else
		expect_grep "^$T/$f: $l2\$" "$T/out" "verify $f at $at: second line"
	fi
done <<TAB
2026-06-01|prod.lic|0|valid prod license BM-TEST-1 for Example SA, 100 users, 2026-01-01 through 2027-01-01, key |-
2027-01-01T23:59:59Z|prod.lic|0|valid prod license |-
2027-01-02|prod.lic|0|valid signature, expired prod license BM-TEST-1 for Example SA, 100 users, 2026-01-01 through 2027-01-01, key |expired 2027-01-02 00:00:00 UTC \(today\); in grace, logins blocked from 2027-01-16 00:00:00 UTC \(in 14 days\)
2027-01-07T12:00:00Z|prod.lic|0|valid signature, expired prod license |expired 2027-01-02 00:00:00 UTC \(5 days ago\); in grace, logins blocked from 2027-01-16 00:00:00 UTC \(in 8 days\)
2027-01-15T12:00:00Z|prod.lic|0|valid signature, expired prod license |expired 2027-01-02 00:00:00 UTC \(13 days ago\); in grace, logins blocked from 2027-01-16 00:00:00 UTC \(within a day\)
2027-01-16|prod.lic|0|valid signature, expired prod license |expired 2027-01-02 00:00:00 UTC \(14 days ago\); logins blocked since 2027-01-16 00:00:00 UTC \(today\)
2027-02-02|prod.lic|0|valid signature, expired prod license |expired 2027-01-02 00:00:00 UTC \(31 days ago\); logins blocked since 2027-01-16 00:00:00 UTC \(17 days ago\)
2026-12-01|trial.lic|0|valid trial license BM-TRIAL |-
2027-01-03|trial.lic|0|valid signature, ended trial license BM-TRIAL |trial ended 2027-01-02 00:00:00 UTC \(1 day ago\); logins blocked since 2027-01-02 00:00:00 UTC \(1 day ago\)
2026-06-01|one.lic|0|valid prod license BM-ONE for Example SA, 1 user, |-
TAB
# an invalid signature is invalid whatever the dates: exit 1, nothing on stdout
for at in 2026-06-01 2027-02-02; do
	expect_rc 1 "verify tampered at $at" -- c --at "$at" verify "$T/tampered.lic"
	[ ! -s "$T/out" ] && ok || fail "verify tampered at $at printed on stdout"
	expect_nogrep "valid signature|expired|blocked" "$T/err" "verify tampered at $at: no date talk"
done
# --json: the new fields beside the old ones
# AT FILE | expired | blocked | block_at
while IFS='|' read -r at f exp blk bat; do
	c --json --at "$at" verify "$T/$f" >"$T/j" 2>"$T/err"; json_ok "$T/j"
	for kv in "valid=true" "expired=$exp" "blocked=$blk" "block_at=$bat" \
	    "expires=2027-01-02T00:00:00Z" "license.id=$(sed -n 's/^id: //p' "$T/$f")" \
	    "license.expires=2027-01-02T00:00:00Z"; do
		k=${kv%%=*} v=${kv#*=}
		case $k in license.*) e="d['license']['${k#license.}']" ;; *) e="d['$k']" ;; esac
		[ "$(json_get "$T/j" "$e")" = "$v" ] && ok ||
			fail "json verify $f at $at: $k is $(json_get "$T/j" "$e"), want $v"
	done
done <<TAB
2026-06-01|prod.lic|false|false|2027-01-16T00:00:00Z
2027-01-01T23:59:59Z|prod.lic|false|false|2027-01-16T00:00:00Z
2027-01-02|prod.lic|true|false|2027-01-16T00:00:00Z
2027-01-16|prod.lic|true|true|2027-01-16T00:00:00Z
2026-12-01|trial.lic|false|false|2027-01-02T00:00:00Z
2027-01-02|trial.lic|true|true|2027-01-02T00:00:00Z
TAB
c --json --at 2027-02-02 verify "$T/tampered.lic" >"$T/j" 2>/dev/null; json_ok "$T/j"
for k in expired blocked block_at; do
	[ "$(json_get "$T/j" "d.get('$k', 'absent')")" = absent ] && ok ||
		fail "json verify tampered has $k"
done

# --- keygen: the files it wrote, and the one that goes into keys.d -------
mkdir "$T/kg"
expect_rc 0 "keygen" -- "$SIGN" keygen "$T/kg/vendor2026"
[ "$(wc -l <"$T/out")" = 1 ] && expect_grep '^[0-9a-f]{16}$' "$T/out" "keygen stdout: the key id alone" ||
	fail "keygen stdout is not one line"
id=$(cat "$T/out")
for l in "bmsub-sign: wrote $T/kg/vendor2026.key (private key, mode 0600: keep it secret, never on a mail server)" \
    "bmsub-sign: wrote $T/kg/vendor2026.pub (public key, mode 0644, key id $id)" \
    "bmsub-sign: install the public key on each server as /etc/bmsub/keys.d/vendor2026.pem:" \
    "  cp $T/kg/vendor2026.pub /etc/bmsub/keys.d/vendor2026.pem"; do
	grep -qxF -- "$l" "$T/err" && ok || { fail "keygen does not say: $l"; sed 's/^/  | /' "$T/err"; }
done
[ "$(wc -l <"$T/err")" = 4 ] && ok || fail "keygen stderr is not 4 lines"
# what it told is true: the modes, and the copy verifies licenses
[ "$(stat -c %a "$T/kg/vendor2026.key")" = 600 ] && ok || fail "key mode"
[ "$(stat -c %a "$T/kg/vendor2026.pub")" = 644 ] && ok || fail "pub mode"
# a relative prefix names the file as given
(cd "$T/kg" && "$SIGN" keygen rel) >"$T/out" 2>"$T/err" && ok || fail "keygen rel"
grep -qxF "  cp rel.pub /etc/bmsub/keys.d/rel.pem" "$T/err" && ok || fail "keygen rel: cp line"
# refused: nothing said to have been written
for p in "$T/kg/vendor2026" "$T/kg/nodir/x"; do
	expect_rc 1 "keygen refused $p" -- "$SIGN" keygen "$p"
	expect_nogrep "^wrote|install the public" "$T/err" "keygen refused $p: no file told"
	[ ! -s "$T/out" ] && ok || fail "keygen refused $p printed an id"
done

# --- error lines say each thing once ----------------------------------------
# a config with an unknown key: the file and the line, once
cp "$CONF" "$T/unknown.conf"; echo 'bogus_key = 1;' >>"$T/unknown.conf"; chmod 644 "$T/unknown.conf"
n=$(wc -l <"$T/unknown.conf")
for cmd in status verify refresh monitor; do
	set -- $cmd; [ "$1" = verify ] && set -- verify "$T/prod.lic"
	"$CHK" -c "$T/unknown.conf" "$@" >"$T/out" 2>"$T/err"
	expect_grep "^bmsub-check: config: $T/unknown.conf line $n: unknown key bogus_key\$" "$T/err" \
		"$cmd: unknown key said once"
	[ "$(grep -c "" "$T/err")" = 1 ] && ok || fail "$cmd: config error is not one line"
done
# a missing state folder: named once by every command that writes
sed "s#^state_dir = .*#state_dir = \"$T/nostate\";#" "$CONF" >"$T/nostate.conf"; chmod 644 "$T/nostate.conf"
make_license "$T/etc/license" expires=2099-01-01
# COMMAND | the exact stderr line
while IFS='|' read -r cmd line; do
	# shellcheck disable=SC2086
	"$CHK" -c "$T/nostate.conf" $cmd >"$T/out" 2>"$T/err"
	grep -qxF -- "$line" "$T/err" && ok || { fail "$cmd: not said: $line"; sed 's/^/  | /' "$T/err"; }
done <<TAB
notify|bmsub-check: notify: $T/nostate: No such file or directory
refresh --users 1|bmsub-check: $T/nostate: No such file or directory
clock reset|bmsub-check: $T/nostate: No such file or directory
recipients add ops@example.test|bmsub-check: recipients add 'ops@example.test': $T/nostate: No such file or directory (lock)
verify $T/none.lic|bmsub-check: $T/none.lic: not-found: No such file or directory
install $T/none.lic|bmsub-check: $T/none.lic: not-found: No such file or directory
TAB
# and no line of theirs names one path twice, the library's own log lines
# included (decide prints what the module would log)
for cmd in notify "refresh --users 1" "clock reset" "recipients add ops@example.test" \
    "recipients remove ops@example.test" "verify $T/none.lic" "install $T/none.lic" \
    status monitor timeline can-add "notify --dry-run" "decide --user alice --service imap"; do
	# shellcheck disable=SC2086
	"$CHK" -c "$T/nostate.conf" $cmd >"$T/out" 2>"$T/err"
	expect_nogrep "(/[^ :]+)[: ].*\\1[: ]" "$T/err" "$cmd: a path said twice"
done

# the module's lines for a missing state and a missing license, once each
"$CHK" -c "$T/nostate.conf" decide --user alice --service imap >"$T/out" 2>"$T/err"
expect_grep "^bmsub-check: state: $T/nostate/state: .*\(not-found\): user count unknown\$" "$T/err" "decide: the state line"
sed "s#^license = .*#license = \"$T/nolicense\";#" "$T/nostate.conf" >"$T/nolic.conf"; chmod 644 "$T/nolic.conf"
"$CHK" -c "$T/nolic.conf" decide --user alice --service imap >"$T/out" 2>"$T/err"
expect_grep "is not valid \(no-license\)" "$T/err" "decide: the license line"
expect_nogrep "(/[^ :]+)[: ].*\\1[: ]" "$T/err" "decide without a license: a path said twice"

# --- "1 user", not "1 users" (and days, recipients) -------------------------
mkdir -p "$T/one/keys.d" "$T/one/state"; chmod 755 "$T/one" "$T/one/keys.d" "$T/one/state"
cp "$T/etc/keys.d/vendor1.pem" "$T/one/keys.d/"
echo alice >"$T/one/roster"; chmod 644 "$T/one/roster"
sed -e "s#$T/etc/license#$T/one/license#; s#$T/etc/keys.d#$T/one/keys.d#; s#$T/state#$T/one/state#" "$CONF" >"$T/one.conf"
cp "$TOP/tests/data/fake-sendmail" "$T/fake-sendmail"
export FAKE_SENDMAIL_OUT="$T/mail" FAKE_SENDMAIL_FAIL="$T/fail"
{ echo 'users = { roster = "'"$T"'/one/roster"; };'
  echo 'notify = { sendmail = "'"$T"'/fake-sendmail"; local_domains = ["example.test"]; };'
} >>"$T/one.conf"; chmod 644 "$T/one.conf"
o() { "$CHK" -c "$T/one.conf" "$@" >>"$T/all" 2>&1; }
: >"$T/all"
# E = 2027-01-02: one day left at 2027-01-01, one day ago at 2027-01-03
make_license "$T/one1.lic" users=1 id=BM-ONE expires=2027-01-01 grace-days=1
o --at 2026-12-01 install "$T/one1.lic"
o --at 2026-12-01 refresh
o --at 2026-12-01 recipients add ops@example.test
o recipients list
o --at 2026-12-01 notify
for at in 2026-06-01 2026-12-05 2027-01-01 2027-01-02T12:00:00Z 2027-01-03T12:00:00Z 2027-02-01; do
	for cmd in status monitor can-add "notify --dry-run" "verify $T/one1.lic"; do
		# shellcheck disable=SC2086
		o --at "$at" $cmd
	done
done
echo bob >>"$T/one/roster"
o --at 2026-12-01 refresh
o --at 2026-12-01 status
o --at 2026-12-01 monitor
# over the count: the refusal and the forced install name 1 user, 2 counted
o --at 2026-12-01 install "$T/one1.lic"
o --at 2026-12-01 install --force "$T/one1.lic"
# the timeline's event texts, from the library: "grace of 1 day"
o --at 2026-12-01 timeline
for want in "grace of 1 day," "1 user counted for 1 licensed" "1/1 user" "covers 1 user but 2 are counted" \
"1 day left" "expired 1 day ago" \
    "for Example SA, 1 user, " "\\(1 user, through" "in 1 day\\)" "to 1 recipient\$"; do
	expect_grep "$want" "$T/all" "said: $want"
done
# status, the alert email and the banner say the same days left
# (issue 8: the email said -6 where status said "expired 5 days ago")
# AT | phrase
while IFS='|' read -r at want; do
	o --at "$at" status; c1=$("$CHK" -c "$T/one.conf" --at "$at" status | sed -n 's/^  valid .*: //p')
	m=$("$CHK" -c "$T/one.conf" --at "$at" notify --dry-run | sed -n 's/^  Expiry: *//p' | sort -u)
	[ "$c1" = "$want" ] && ok || fail "status at $at: '$c1', want '$want'"
	[ "$m" = "$want" ] && ok || fail "mail at $at: '$m', want '$want'"
done <<TAB
2026-12-05|28 days left
2027-01-01|1 day left
2027-01-01T12:00:00Z|less than a day left
2027-01-02T12:00:00Z|expired today
2027-01-07T12:00:00Z|expired 5 days ago
2027-02-01|expired 30 days ago
TAB
expect_nogrep "in 0 day|Days left: *-|Expiry: *-" "$T/all" "no 'in 0 days', no negative days"
expect_nogrep "\\b1 (users|days|recipients)\\b" "$T/all" "a plural after 1"
expect_nogrep "\\b1 are\\b" "$T/all" "1 are"
grep -E "\\b1 (users|days|recipients)\\b" "$T/all" | sed 's/^/  1| /' | head
done_checks
