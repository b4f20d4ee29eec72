#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# server_dovecot.sh - pam_bmsub inside a real Dovecot (IMAP and POP3, passdb
# pam, pam_wrapper + nss_wrapper): a user logs in while the license is
# valid, is refused once an expired license is dropped in, and gets in again
# after a renewal is dropped in - no restart, no auth cache.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/servers/common.sh"

# Dovecot's master process chowns its login sockets and the mail folder
# belongs to the mail user: only root can start it.
need_root "the whole script: Dovecot's master must run as root" || done_checks
srv_need dovecot doveadm python3 $WRAPDIR/libpam_wrapper.so \
	$WRAPDIR/libnss_wrapper.so $PAM_MATRIX

srv_setup 'imap = ["imap", "pop3"];'
srv_stack imap
srv_stack pop3
D=$T/dovecot
mkdir -p "$D/run" "$D/state" "$D/mail"
chown 65534:65534 "$D/mail"
chmod 755 "$D"
IMAP_PORT=$(srv_port)
POP3_PORT=$(srv_port)
ENV="LD_PRELOAD=libpam_wrapper.so:libnss_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=$T/pam.d PAM_WRAPPER_RUNTIME_DIR=$T/pamwrap NSS_WRAPPER_PASSWD=$T/passwd NSS_WRAPPER_GROUP=$T/group"
sed -e "s|@DIR@|$D|g" -e "s|@IMAP_PORT@|$IMAP_PORT|" \
	-e "s|@POP3_PORT@|$POP3_PORT|" -e "s|@ENV@|$ENV|" \
	"$SRV/dovecot.conf.in" >"$D/dovecot.conf"

srv_license 200 BM-VALID-1

# stdout/stderr to a file: the daemon must not hold a pipe we wait on
dovecot -c "$D/dovecot.conf" >"$D/start.log" 2>&1 || {
	cat "$D/start.log" "$D/dovecot.log" 2>/dev/null; exit 1; }
srv_started dovecot "$D/run/master.pid" "$D/dovecot.log" || exit 1
PID=$SRV_PID
srv_wait_port "$IMAP_PORT" || exit 1
srv_wait_port "$POP3_PORT" || exit 1

# login imap|pop3 USER PASS SRC: prints "OK <reply>" or "NO <error>", like
# a mail client. Each login comes from its own loopback address SRC:
# Dovecot's auth penalty grows per client IP with each refusal.
login() {
	python3 - "$1" "$2" "$3" "$4" "$IMAP_PORT" "$POP3_PORT" <<'PY'
import imaplib, poplib, socket, sys
proto, user, pw, src, iport, pport = sys.argv[1:7]
def sock(self, timeout):
    return socket.create_connection(("127.0.0.1", self.port), timeout,
                                    source_address=(src, 0))
class IMAP(imaplib.IMAP4): _create_socket = sock
class POP3(poplib.POP3): _create_socket = sock
try:
    if proto == "imap":
        c = IMAP("127.0.0.1", int(iport), timeout=20)
        typ, data = c.login(user, pw)
        c.select("INBOX")
        c.logout()
        print("OK", typ, data[0].decode())
    else:
        c = POP3("127.0.0.1", int(pport), timeout=20)
        c.user(user)
        r = c.pass_(pw)
        c.stat()
        c.quit()
        print("OK", r.decode())
except Exception as e:
    print("NO", e)
PY
}

# step WANT(OK|NO) PROTO USER PASS DESC
n_login=10
step() {
	n_login=$((n_login + 1))
	out=$(login "$2" "$3" "$4" "127.0.0.$n_login")
	echo "$5: $2 $3 -> $out"
	n_checks=$((n_checks + 1))
	case $out in "$1 "*) ;; *) fail "$5: $2 login of $3: want $1, got: $out" ;; esac
}

for p in imap pop3; do
	step OK $p alice secret "valid license"
	step NO $p alice wrong "valid license, wrong password"
	step OK $p admin0 secret "valid license"
done

srv_license -20 BM-EXPIRED-2	# dropped in by rename, no restart
for p in imap pop3; do
	step NO $p alice secret "expired license"
	step NO $p admin0 secret "expired license (admin off the web)"
done
expect_grep 'pam_acct_mgmt\(\) failed: Permission denied' \
	"$D/dovecot.log" "dovecot logged the account refusal" 

srv_license 300 BM-RENEWED-3	# renewal dropped in, still no restart
for p in imap pop3; do
	step OK $p alice secret "renewed license"
done

# the same three steps through doveadm (no client, service=imap)
srv_license -20 BM-EXPIRED-4
expect_rc 77 "doveadm auth test, blocked" -- \
	doveadm -c "$D/dovecot.conf" auth test -x service=imap alice secret
srv_license 300 BM-RENEWED-5
expect_rc 0 "doveadm auth test, renewed" -- \
	doveadm -c "$D/dovecot.conf" auth test -x service=imap alice secret

srv_stop "$PID"
n_checks=$((n_checks + 1))
srv_alive "$PID" && fail "dovecot still running"
done_checks
