#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# server_postfix.sh - bmsub-policy behind a real Postfix (Debian's 3.7) on
# loopback, run by spawn(8) as conf/postfix/ shows, SMTP AUTH through a
# real Dovecot's auth socket, clients by swaks: an allowed user's
# submission is queued and delivered, an external user's and (once an
# expired license is dropped in) a blocked user's are refused with
# bmsub's text after a successful AUTH, mail to the blocked user on port
# 25 is delivered to their mailbox all the same, and a renewal lets them
# submit again - no restart.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/servers/common.sh"

# Postfix's and Dovecot's masters run as root (they drop privileges)
need_root "the whole script: Postfix's and Dovecot's masters run as root" || done_checks
srv_need postfix swaks dovecot python3 /usr/lib/postfix/sbin/spawn
[ -x "$B/bmsub-policy" ] || { fail "$B/bmsub-policy not built"; done_checks; }
CHK=$B/bmsub-check

srv_setup 'smtp = ["smtp"];'
printf 'alice\nbob\nadmin0\n' >"$T/bmsub/hosted"
printf 'ext\n' >"$T/bmsub/external"
echo "users = { roster = \"$T/bmsub/hosted\"; external = { roster = \"$T/bmsub/external\"; }; };" \
	>>"$T/bmsub/bmsub.conf"
chmod 644 "$T/bmsub/hosted" "$T/bmsub/external"
CONF=$T/bmsub/bmsub.conf
srv_license 200 BM-VALID-1
"$CHK" -c "$CONF" refresh >"$T/refresh.out" 2>&1 || { cat "$T/refresh.out"; fail "refresh"; done_checks; }
POLICY=$(user_bin "$B/bmsub-policy") || { fail "copy of bmsub-policy"; done_checks; }

# --- Dovecot: SASL only (its own passwords: bmsub is Postfix's policy here)
DV=$T/dovecot
mkdir -p "$DV/run" "$DV/state"; chmod 755 "$DV"
printf 'alice:{PLAIN}secret\next:{PLAIN}secret\nadmin0:{PLAIN}secret\n' >"$DV/passwd"
cat >"$DV/dovecot.conf" <<EOD
base_dir = $DV/run
state_dir = $DV/state
log_path = $DV/dovecot.log
protocols = none
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DV/passwd
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=$T/pf/mail/%u
}
service auth {
  unix_listener $DV/auth-postfix {
    mode = 0666
  }
}
EOD
dovecot -c "$DV/dovecot.conf" >"$DV/start.log" 2>&1 || { cat "$DV/start.log"; fail "dovecot"; done_checks; }
srv_started dovecot "$DV/run/master.pid" "$DV/dovecot.log" || { fail "dovecot did not start"; done_checks; }
DPID=$SRV_PID
srv_wait -S "$DV/auth-postfix"

# --- Postfix: its own config_directory and queue_directory under $T
PF=$T/pf
mkdir -p "$PF/etc" "$PF/spool" "$PF/data" "$PF/mail"
chmod 755 "$PF" "$PF/etc" "$PF/spool"
chown postfix "$PF/data"
chown 65534:65534 "$PF/mail"
P25=$(srv_port)
P587=$(srv_port)
# the shipped snippets' bmsub lines, with this test's paths
SNIP=$TOP/conf/postfix
restr=$(sed -n 's/^ *-o \(smtpd_recipient_restrictions=.*bmsub-policy.*\)$/\1/p' "$SNIP/master.cf")
[ -n "$restr" ] && ok || fail "conf/postfix/master.cf: no submission restriction naming bmsub-policy"
{
	sed -e "s|@DIR@|$PF|g" -e "s|@SASL@|$DV/auth-postfix|" "$SRV/postfix-main.cf.in"
	grep '^bmsub-policy_time_limit' "$SNIP/main.cf"
} >"$PF/etc/main.cf"
{
	sed -e "s|@DIR@|$PF|g" -e "s|@P25@|$P25|" -e "s|@P587@|$P587|" \
		-e "s|@SUBMISSION_RESTRICTIONS@|$restr|" "$SRV/postfix-master.cf.in"
	sed -n '/^bmsub-policy unix/,/argv=/p' "$SNIP/master.cf" |
		sed -e "s|/usr/local/sbin/bmsub-policy|$POLICY|" -e "s|/etc/bmsub/bmsub.conf|$CONF|"
} >"$PF/etc/master.cf"
grep -q "argv=$POLICY -c $CONF" "$PF/etc/master.cf" && ok || fail "the spawn service was not taken from conf/postfix/master.cf"
printf '%s example.test/%s/\n' alice@example.test alice bob@example.test bob \
	ext@example.test ext admin0@example.test admin0 >"$PF/etc/vmailbox"
postfix -c "$PF/etc" check >"$PF/check.log" 2>&1 || { cat "$PF/check.log"; fail "postfix check"; done_checks; }
postfix -c "$PF/etc" start >"$PF/start.log" 2>&1 || { cat "$PF/start.log" "$PF/maillog" 2>/dev/null; fail "postfix start"; done_checks; }
at_exit "postfix -c '$PF/etc' stop >/dev/null 2>&1"
srv_started postfix "$PF/spool/pid/master.pid" "$PF/start.log" "$PF/maillog" ||
	{ fail "postfix did not start"; done_checks; }
PPID_PF=$SRV_PID
srv_wait_port "$P25" || { cat "$PF/maillog"; exit 1; }
srv_wait_port "$P587" || { cat "$PF/maillog"; exit 1; }

# submit USER TO DESC: swaks through submission with AUTH PLAIN; the
# transcript in $T/swaks.USER.N
n_sw=0
submit() {
	n_sw=$((n_sw + 1)); out=$T/swaks.$1.$n_sw
	swaks --server 127.0.0.1 --port "$P587" --auth PLAIN --auth-user "$1" \
		--auth-password secret --from "$1@example.test" --to "$2" \
		--header "Subject: $3" --timeout 20 >"$out" 2>&1
}
# incoming TO DESC: swaks to port 25, no AUTH
incoming() {
	n_sw=$((n_sw + 1)); out=$T/swaks.in.$n_sw
	swaks --server 127.0.0.1 --port "$P25" --from "someone@remote.test" \
		--to "$1" --header "Subject: $2" --timeout 20 >"$out" 2>&1
}
# delivered USER SUBJECT: the message is in USER's maildir (10 s)
delivered() {
	i=0
	while [ $i -lt 100 ]; do
		grep -qs "^Subject: $2\$" "$PF/mail/example.test/$1/new/"* && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
accepted() { # FILE DESC
	n_checks=$((n_checks + 1))
	grep -q '^<- *250 2.0.0 Ok: queued' "$1" || { fail "$2: not queued:"; sed 's/^/  | /' "$1" | tail -n 12; }
}
refused() { # FILE TEXT DESC: AUTH succeeded, then 554 5.7.1 TEXT at RCPT
	n_checks=$((n_checks + 1))
	grep -q '^<- *235 2.7.0 Authentication successful' "$1" &&
		grep -q "^<\*\* *554 5.7.1 <[^>]*>: Recipient address rejected: $2" "$1" ||
		{ fail "$3: want AUTH ok then 554 5.7.1 $2:"; sed 's/^/  | /' "$1" | tail -n 12; }
}

# valid license: alice submits, ext (external) is refused after AUTH
submit alice bob@example.test "from alice, valid"
accepted "$out" "alice, valid license"
delivered bob "from alice, valid" && ok || fail "alice's mail to bob not delivered"
submit ext bob@example.test "from ext"
refused "$out" "Access refused: your mailbox is not hosted on this mail platform" \
	"ext, not hosted"
echo "--- transcript: external user's submission";  grep -E '^ *(<-|<\*\*|->) *(AUTH|235|MAIL|RCPT|250 2|554)' "$out" | sed 's/^/  /'
incoming ext@example.test "to ext, incoming"
accepted "$out" "incoming mail to an external user (policy: DUNNO)"

# expired license dropped in, no restart
srv_license -20 BM-EXPIRED-2
submit alice bob@example.test "from alice, blocked"
refused "$out" "Access suspended: this mail platform's subscription has expired" \
	"alice, blocked"
echo "--- transcript: blocked user's submission";  grep -E '^ *(<-|<\*\*|->) *(AUTH|235|MAIL|RCPT|250 2|554)' "$out" | sed 's/^/  /'
submit admin0 bob@example.test "from admin0, blocked"
refused "$out" "Subscription expired: renew it at https://admin.example.test/subscription" \
	"admin0, blocked (smtp is not a web service)"
incoming alice@example.test "to alice, while blocked"
accepted "$out" "incoming mail to a blocked user"
delivered alice "to alice, while blocked" && ok || fail "mail to blocked alice not delivered"
delivered ext "to ext, incoming" && ok || fail "mail to external ext not delivered"

# renewed: alice submits again
srv_license 300 BM-RENEWED-3
submit alice bob@example.test "from alice, renewed"
accepted "$out" "alice, renewed"
delivered bob "from alice, renewed" && ok || fail "alice's renewed mail not delivered"

expect_grep 'NOQUEUE: reject: RCPT from [^ ]*: 554 5.7.1 <bob@example.test>: Recipient address rejected: Access refused: your mailbox is not hosted' \
	"$PF/maillog" "Postfix logs the not-hosted refusal with bmsub's text"
expect_grep 'Recipient address rejected: Access refused: your mailbox is not hosted.*; from=<ext@example.test>' \
	"$PF/maillog" "... for ext's submission"
expect_nogrep 'warning: .*bmsub-policy|policy service .* unavailable|fatal' "$PF/maillog" \
	"no policy service failure in Postfix's log"

# fail2ban (conf/README.servers): no mode of Debian's stock postfix filter
# (auth is the postfix-sasl jail's) matches bmsub-policy's refusals
if command -v fail2ban-regex >/dev/null && [ -f /etc/fail2ban/filter.d/postfix.conf ]; then
	grep 'Recipient address rejected: Access\|Recipient address rejected: Subscription' \
		"$PF/maillog" >"$T/refusals.log"
	for mode in auth normal aggressive; do
		m=$(fail2ban-regex -l error "$T/refusals.log" "/etc/fail2ban/filter.d/postfix.conf[mode=$mode]" 2>&1 |
			sed -n 's/^Lines: [0-9]* lines, [0-9]* ignored, \([0-9]*\) matched.*/\1/p')
		echo "fail2ban-regex postfix[mode=$mode]: ${m:-?} matched of $(wc -l <"$T/refusals.log") refusal lines"
		n_checks=$((n_checks + 1))
		[ "${m:-?}" = 0 ] || fail "postfix[mode=$mode] matched ${m:-?} refusal lines"
	done
else
	echo "not run: fail2ban-regex (tools/deps.sh check installs fail2ban)"
fi

postfix -c "$PF/etc" stop >/dev/null 2>&1
i=0; while srv_alive "$PPID_PF" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
n_checks=$((n_checks + 1))
srv_alive "$PPID_PF" && fail "postfix still running"
done_checks
