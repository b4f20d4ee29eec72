#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# server_dovecot_reason.sh - the shipped conf/dovecot/ (PAM checks the
# password, the bmsub Lua passdb gates the login) in a real Dovecot with
# Debian's dovecot-auth-lua: IMAP and POP3 clients read bmsub's message for
# an external user, a blocked user and an over-count block; refusals are
# answered at once and a good login from the same address right after is
# not delayed (Dovecot's default auth_failure_delay kept); Debian's stock
# fail2ban dovecot filter matches none of the refusals' log lines but does
# match a wrong password. MEASURE=1 also times the PAM-only setup
# (pam_bmsub in the account phase) for conf/README.servers (~60 s more).
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/servers/common.sh"

need_root "the whole script: Dovecot's master must run as root" || done_checks
srv_need dovecot doveadm python3 lua5.4 $WRAPDIR/libpam_wrapper.so \
	$WRAPDIR/libnss_wrapper.so $PAM_MATRIX \
	/usr/lib/dovecot/modules/auth/libauthdb_lua.so
[ -f "$B/bmsub.so" ] || { fail "$B/bmsub.so not built"; done_checks; }
CHK=$B/bmsub-check

srv_setup 'imap = ["imap", "pop3"];'
# users: alice, bob (hosted), ext (hosted elsewhere), admin0
echo "ext:x:2003:2003:Ext:/nonexistent:/usr/sbin/nologin" >>"$T/passwd"
echo "ext:x:2003:" >>"$T/group"
printf 'alice\nbob\nadmin0\n' >"$T/bmsub/hosted"
printf 'ext\n' >"$T/bmsub/external"
chmod 644 "$T/bmsub/hosted" "$T/bmsub/external"
echo "users = { roster = \"$T/bmsub/hosted\"; external = { roster = \"$T/bmsub/external\"; }; };" \
	>>"$T/bmsub/bmsub.conf"
CONF=$T/bmsub/bmsub.conf
# password-only stacks (the Lua passdb gates), plus a PAM-only stack
# "gate" with pam_bmsub in account, for MEASURE=1
for s in imap pop3; do
	for u in alice bob ext admin0; do echo "$u:secret:$s" >>"$T/passdb"; done
	echo "auth required $PAM_MATRIX passdb=$T/passdb" >"$T/pam.d/$s"
	echo "account required pam_permit.so" >>"$T/pam.d/$s"
	chmod 644 "$T/pam.d/$s" "$T/passdb"
done
srv_license 200 BM-VALID-1
"$CHK" -c "$CONF" refresh >"$T/refresh.out" 2>&1 || { cat "$T/refresh.out"; fail "refresh"; done_checks; }

D=$T/dovecot
mkdir -p "$D/run" "$D/state" "$D/mail" "$D/lua"
chown 65534:65534 "$D/mail"
chmod 755 "$D" "$D/lua"
cp "$B/bmsub.so" "$D/lua/bmsub.so" && chmod 644 "$D/lua/bmsub.so"
# the shipped script, with this test's bmsub.conf
sed "s|^local conf = .*|local conf = \"$CONF\"|" "$TOP/conf/dovecot/bmsub.lua" >"$D/bmsub.lua"
chmod 644 "$D/bmsub.lua"
grep -q "^local conf = \"$CONF\"" "$D/bmsub.lua" && ok || fail "conf line of bmsub.lua not found"
IMAP_PORT=$(srv_port)
POP3_PORT=$(srv_port)
ENV="LD_PRELOAD=libpam_wrapper.so:libnss_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=$T/pam.d PAM_WRAPPER_RUNTIME_DIR=$T/pamwrap NSS_WRAPPER_PASSWD=$T/passwd NSS_WRAPPER_GROUP=$T/group LUA_CPATH_5_4=$D/lua/?.so"

# dv_start PASSDBS_FILE: Dovecot with these passdbs; PID
dv_start() {
	awk -v f="$1" '/^@PASSDBS@$/ { while ((getline l < f) > 0) print l; next } { print }' \
		"$SRV/dovecot-reason.conf.in" | sed -e "s|@DIR@|$D|g" \
		-e "s|@IMAP_PORT@|$IMAP_PORT|" -e "s|@POP3_PORT@|$POP3_PORT|" \
		-e "s|@ENV@|$ENV|" >"$D/dovecot.conf"
	: >"$D/dovecot.log"
	dovecot -c "$D/dovecot.conf" >"$D/start.log" 2>&1 || {
		cat "$D/start.log" "$D/dovecot.log"; exit 1; }
	srv_started dovecot "$D/run/master.pid" "$D/dovecot.log" || exit 1
	PID=$SRV_PID
	srv_wait_port "$IMAP_PORT" || exit 1
	srv_wait_port "$POP3_PORT" || exit 1
}
dv_stop() {
	srv_stop "$PID"
	i=0; while [ -e "$D/run/master.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

# The shipped passdbs, with this test's script path
sed -n '/^passdb {/,/^}/p' "$TOP/conf/dovecot/auth-bmsub.conf.ext" |
	sed "s|file=/etc/dovecot/bmsub.lua|file=$D/bmsub.lua|" >"$D/passdbs"
grep -q "driver = lua" "$D/passdbs" && grep -q "result_success = continue-ok" "$D/passdbs" &&
	grep -q "skip = unauthenticated" "$D/passdbs" && ok ||
	fail "conf/dovecot/auth-bmsub.conf.ext: passdbs not as expected: $(cat "$D/passdbs")"
dv_start "$D/passdbs"

# login imap|pop3 USER PASS: "OK <reply> <seconds>" or "NO <error> <seconds>"
# like a mail client, every login from 127.0.0.1 (the same address) unless
# SRC says otherwise.
login() {
	python3 - "$1" "$2" "$3" "$IMAP_PORT" "$POP3_PORT" "${SRC:-127.0.0.1}" <<'PY'
import imaplib, poplib, socket, sys, time
proto, user, pw, iport, pport, src = sys.argv[1:7]
def sock(self, timeout):
    return socket.create_connection(("127.0.0.1", self.port), timeout,
                                    source_address=(src, 0))
imaplib.IMAP4._create_socket = sock
poplib.POP3._create_socket = sock
t = time.monotonic()
try:
    if proto == "imap":
        c = imaplib.IMAP4("127.0.0.1", int(iport), timeout=30)
        t = time.monotonic()
        typ, data = c.login(user, pw)
        c.logout()
        r = "OK %s %s" % (typ, data[0].decode())
    else:
        c = poplib.POP3("127.0.0.1", int(pport), timeout=30)
        t = time.monotonic()
        c.user(user)
        r = "OK " + c.pass_(pw).decode()
        c.quit()
except Exception as e:
    r = "NO %s" % e
print("%s |%.2f" % (r, time.monotonic() - t))
PY
}

# step WANT(OK|NO) PROTO USER PASS TEXT DESC: the reply holds TEXT
# (a grep -E pattern) and came within MAXS seconds
MAXS=1.5
step() {
	out=$(login "$2" "$3" "$4")
	secs=${out##*|}
	echo "$6: $2 $3 -> $out"
	n_checks=$((n_checks + 1))
	case $out in "$1 "*) ;; *) fail "$6: $2 login of $3: want $1, got: $out"; return ;; esac
	n_checks=$((n_checks + 1))
	printf '%s\n' "$out" | grep -qE -- "$5" || fail "$6: $2 $3: /$5/ not in: $out"
	n_checks=$((n_checks + 1))
	awk -v s="$secs" -v m="$MAXS" 'BEGIN { exit !(s + 0 <= m + 0) }' ||
		fail "$6: $2 $3 took ${secs}s (want <= ${MAXS}s)"
}

NOTH='not hosted|another mail'
for p in imap pop3; do
	step OK $p alice secret "" "valid license"
	step OK $p admin0 secret "" "valid license, admin"
done
step NO imap ext secret "CONTACTADMIN.*($NOTH)" "external user"
step NO pop3 ext secret "-ERR \[AUTH\].*($NOTH)" "external user"
step OK imap alice secret "" "good login right after a refusal"
step OK pop3 alice secret "" "good login right after a refusal"

# several refusals in a row do not grow a penalty for the others
for i in 1 2 3 4; do step NO pop3 ext secret "$NOTH" "external user, refusal $i"; done
step OK pop3 alice secret "" "good login right after 4 refusals"
step OK imap bob secret "" "good login right after 4 refusals"

srv_license -20 BM-EXPIRED-2	# dropped in, no restart
step NO imap alice secret "CONTACTADMIN.*(expired|admin)" "blocked (expired)"
step NO pop3 alice secret "-ERR \[AUTH\].*(expired|admin)" "blocked (expired)"
step NO imap admin0 secret "CONTACTADMIN" "blocked admin (not on the web)"

# over-count: 150 users counted on a 100-user license for 40 days (the
# state refresh would write after such an episode)
srv_license 300 BM-RENEWED-3
step OK imap alice secret "" "renewed"
now=$(date +%s)
printf 'bmsub-state 1\ncount 150\nover-since %s\nhigh-water %s\nrefreshed %s\nend\n' \
	$((now - 40 * 86400)) "$now" "$now" >"$T/bmsub/state/state.new" &&
	chmod 644 "$T/bmsub/state/state.new" &&
	mv -f "$T/bmsub/state/state.new" "$T/bmsub/state/state"
"$CHK" -c "$CONF" decide --user alice --service imap >"$T/d.out" 2>&1
grep -q over-blocked "$T/d.out" && ok || fail "not over-blocked: $(cat "$T/d.out")"
step NO imap alice secret "CONTACTADMIN.*(user|licen)" "over-count block"
step NO pop3 alice secret "-ERR \[AUTH\].*(user|licen)" "over-count block"
printf 'bmsub-state 1\ncount 50\nhigh-water %s\nrefreshed %s\nend\n' "$now" "$now" \
	>"$T/bmsub/state/state.new" && chmod 644 "$T/bmsub/state/state.new" &&
	mv -f "$T/bmsub/state/state.new" "$T/bmsub/state/state"
step OK pop3 alice secret "" "count within again: good login right after"
step OK imap bob secret "" "count within again: good login right after"
cp "$D/dovecot.log" "$T/refused.log"

# a wrong password is still one, with Dovecot's delay (not timed)
: >"$D/dovecot.log"
MAXS=60
step NO imap alice wrong "AUTHENTICATIONFAILED" "wrong password"
# (from another address: Dovecot's penalty of the first would add 3.5 s)
SRC=127.0.0.2
step NO pop3 ext wrong "Authentication failed" "external user, wrong password: no bmsub text"
SRC=
sleep 0.5
cp "$D/dovecot.log" "$T/wrong.log"
dv_stop

# PAM alone (pam_bmsub.so in the account phase, the setup this snippet
# replaces), for comparison: a refusal is a failed login. MEASURE=1 times
# 4 refusals in a row and the next good login from the same address.
for st in imap pop3; do
	echo "account required $MODULE conf=$CONF" >"$T/pam.d/$st.new"
	sed -i '/pam_permit/d' "$T/pam.d/$st"; cat "$T/pam.d/$st.new" >>"$T/pam.d/$st"
done
printf 'passdb {\n  driver = pam\n  args = %%s\n}\n' >"$D/passdbs.pam"
dv_start "$D/passdbs.pam"
MAXS=60
if [ "${MEASURE:-0}" = 1 ]; then
	for i in 1 2 3 4; do step NO pop3 ext secret "Authentication failed" "PAM only: refusal $i"; done
	step OK imap alice secret "" "PAM only: good login after 4 refusals"
else
	step NO pop3 ext secret "Authentication failed" "PAM only: refusal, no reason"
fi
sleep 0.5
cp "$D/dovecot.log" "$T/pamonly.log"
dv_stop

# fail2ban: Debian's stock dovecot filter and conf/fail2ban/bmsub-dovecot.conf
# (beside a copy of the stock filters, which it includes) over the real
# log lines. The test's log_path file has no syslog prefix: the lines get
# one, as journald or rsyslog write them ("host dovecot[PID]: ...").
cp -r /etc/fail2ban/filter.d "$T/filter.d" 2>/dev/null && cp "$TOP"/conf/fail2ban/*.conf "$T/filter.d/"
f2b() { # LOG FILTER -> matched lines
	sed -E 's/^([A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8}) /\1 mail dovecot[1]: /' "$1" >"$1.sys"
	fail2ban-regex -l error "$1.sys" "$T/filter.d/$2.conf" 2>&1 |
		sed -n 's/^Lines: [0-9]* lines, [0-9]* ignored, \([0-9]*\) matched.*/\1/p'
}
# want LOG FILTER OP N
want() {
	m=$(f2b "$T/$1.log" "$2")
	echo "fail2ban-regex $1.log $2: ${m:-?} matched of $(wc -l <"$T/$1.log") lines (want $3 $4)"
	n_checks=$((n_checks + 1))
	[ -n "$m" ] && [ "$m" "$3" "$4" ] || fail "fail2ban $2 over $1.log: ${m:-?} matched, want $3 $4"
}
if command -v fail2ban-regex >/dev/null && [ -f "$T/filter.d/dovecot.conf" ]; then
	want refused dovecot -eq 0	# the Lua passdb: refusals never match
	want refused bmsub-dovecot -eq 0
	want wrong dovecot -ge 2	# wrong passwords still do
	want wrong bmsub-dovecot -ge 1	# (Dovecot logs the first one as Error:, which no filter reads)
	want pamonly dovecot -ge 1	# PAM alone: the refused user looks a guesser
	want pamonly bmsub-dovecot -eq 0
else
	echo "not run: fail2ban-regex (tools/deps.sh check installs fail2ban)"
fi
done_checks
