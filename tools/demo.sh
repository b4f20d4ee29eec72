#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# demo.sh - bmsub on built-in defaults: a demo vendor key, licenses dated
# relative to today, and what an operator sees for each (status, timeline,
# decide), doctor on a system image, users hosted elsewhere and a Postfix
# policy exchange, the Lua module Dovecot calls, bmsub-web behind nginx,
# two cluster nodes sharing a PostgreSQL (when installed), then real PAM
# logins through libpam: allowed, denied, redirected.
#
#   demo.sh BUILD_DIR        (run by `make demo`)
set -eu
B=$(cd "${1:-build}" && pwd)
TOP=$(cd "$(dirname "$0")/.." && pwd)
D=$B/demo
rm -rf "$D"
mkdir -p "$D/etc/keys.d" "$D/state" "$D/lic" "$D/pam.d"
chmod 755 "$D" "$D/etc" "$D/etc/keys.d" "$D/state"
SIGN=$B/bmsub-sign
CHK=$B/bmsub-check
CONF=$D/etc/bmsub.conf

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" | sed "s|$B/||g; s|$D/|demo/|g"; "$@" 2>&1 | sed "s|$D/|demo/|g" || true; }
day() { date -u -d "@$(( $(date +%s) + $1 * 86400 ))" +%Y-%m-%d; }

say "Vendor: a demo signing key"
run "$SIGN" keygen "$D/vendor"
cp "$D/vendor.pub" "$D/etc/keys.d/demo-vendor.pem"
chmod 644 "$D/etc/keys.d/demo-vendor.pem"

cat >"$CONF" <<CONF
# demo configuration: every other key keeps its built-in default
license = "$D/etc/license";
keys_dir = "$D/etc/keys.d";
state_dir = "$D/state";
admin_url = "https://mail.example.test/admin/subscription";
admins = { users = ["admin0"]; };
CONF
chmod 644 "$CONF"

sign() { # name kind issued expires users [extra...]
	n=$1 k=$2 i=$3 e=$4 u=$5; shift 5
	"$SIGN" sign --key "$D/vendor.key" --id "DEMO-$n" --customer "Démo SA" \
	    --kind "$k" --issued "$i" --expires "$e" --users "$u" "$@" \
	    -o "$D/lic/$n.lic" >/dev/null
}
sign warning prod "$(day -340)" "$(day 20)" 250
sign grace prod "$(day -370)" "$(day -3)" 250
sign blocked prod "$(day -400)" "$(day -30)" 250
sign trial-ended trial "$(day -31)" "$(day -1)" 25
sign over prod "$(day -30)" "$(day 300)" 10

say "Vendor: a license, as signed"
run "$SIGN" sign --key "$D/vendor.key" --id DEMO-ok --customer "Démo SA" \
    --kind prod --issued "$(day -30)" --expires "$(day 300)" --users 250 \
    -o "$D/lic/ok.lic"
cat "$D/lic/ok.lic"
run "$CHK" -c "$CONF" verify "$D/lic/ok.lic"

show() { # scenario users
	say "Scenario: $1"
	"$CHK" -c "$CONF" install --force "$D/lic/$1.lic" >/dev/null 2>&1
	"$CHK" -c "$CONF" clock reset >/dev/null
	if [ -n "${2:-}" ]; then run "$CHK" -c "$CONF" refresh --users "$2"; fi
	run "$CHK" -c "$CONF" status
	run "$CHK" -c "$CONF" decide --user alice --service imap
	run "$CHK" -c "$CONF" decide --user admin0 --service webmail
	run "$CHK" -c "$CONF" decide --user admin0 --service imap
}
show ok 200
run "$CHK" -c "$CONF" timeline
show warning 200
show grace 200
show blocked 200
show trial-ended 20
show over 12
say "Over-count, 40 days after it was first seen"
run "$CHK" -c "$CONF" --at "$(day 40)" decide --user alice --service imap

# doctor on a system image (demo/root): Debian's defaults as a new operator
# meets them, then the same image fixed. Nothing outside demo/ is read for
# the server files (--root); users and groups are the system's.
say "Doctor: a Debian mail server as installed (demo/root)"
"$CHK" -c "$CONF" install --force "$D/lic/ok.lic" >/dev/null 2>&1
"$CHK" -c "$CONF" clock reset >/dev/null
"$CHK" -c "$CONF" refresh --users 200 >/dev/null
PAMDIR=$(grep -o "BMSUB_PAMDIR='\"[^\"]*\"'" "$B/build-flags" | cut -d'"' -f2)
R=$D/root
mkdir -p "$R/etc/pam.d" "$R$PAMDIR" "$R/etc/default" "$R/etc/dovecot/conf.d" \
	"$R/etc/nginx/sites-enabled" "$R/etc/systemd/system/timers.target.wants"
cp "$B/pam_bmsub.so" "$R$PAMDIR/"
printf 'auth [success=1 default=ignore] pam_unix.so nullok\nauth requisite pam_deny.so\nauth required pam_permit.so\n' \
	>"$R/etc/pam.d/common-auth"
printf 'account [success=1 new_authtok_reqd=done default=ignore] pam_unix.so\naccount requisite pam_deny.so\naccount required pam_permit.so\n' \
	>"$R/etc/pam.d/common-account"
printf '@include common-auth\n@include common-account\naccount required pam_bmsub.so conf=%s\n' "$CONF" >"$R/etc/pam.d/dovecot"
printf 'auth required pam_bmsub.so conf=%s\n@include common-auth\n' "$CONF" >"$R/etc/pam.d/imap"
printf 'auth required pam_ldap.so\naccount required pam_ldap.so\naccount required pam_bmsub.so conf=%s\n' "$CONF" >"$R/etc/pam.d/webmail"
printf 'user www-data;\n' >"$R/etc/nginx/nginx.conf"
printf 'location /mail/ { auth_pam "Mail"; auth_pam_service_name "webmail"; }\n' >"$R/etc/nginx/sites-enabled/mail"
printf 'MECHANISMS="pam"\nOPTIONS="-c -m /var/run/saslauthd"\n' >"$R/etc/default/saslauthd"
printf '!include conf.d/*.conf\n' >"$R/etc/dovecot/dovecot.conf"
printf 'auth_cache_size = 10M\npassdb {\n  driver = pam\n  args = cache_key=%%u dovecot\n}\n' >"$R/etc/dovecot/conf.d/10-auth.conf"
run "$CHK" -c "$CONF" doctor --root "$R"
say "Doctor: the same server fixed"
printf '$ %s\n' "imap: pam_bmsub.so moved to account, after the password check" \
	"sed -i 's/^OPTIONS=.*/OPTIONS=\"-m \/var\/run\/saslauthd\"/' /etc/default/saslauthd" \
	"dovecot: auth_cache_size = 0" "systemctl enable bmsub-refresh.timer bmsub-notify.timer"
printf '@include common-auth\n@include common-account\naccount required pam_bmsub.so conf=%s\n' "$CONF" >"$R/etc/pam.d/imap"
printf 'MECHANISMS="pam"\nOPTIONS="-m /var/run/saslauthd"\n' >"$R/etc/default/saslauthd"
sed -i 's/^auth_cache_size = .*/auth_cache_size = 0/' "$R/etc/dovecot/conf.d/10-auth.conf"
for t in refresh notify; do ln -sf "/usr/local/lib/systemd/system/bmsub-$t.timer" "$R/etc/systemd/system/timers.target.wants/"; done
run "$CHK" -c "$CONF" recipients add postmaster@example.com
run "$CHK" -c "$CONF" doctor --root "$R"
echo "(web: the webmail behind auth_pam alone shows no banner and sends no admin to admin_url: bmsub-web, below)"

say "Users hosted on another mail system (users.external)"
# a platform of its own under /tmp, so that bmsub-policy (never root) can
# read it as nobody wherever the checkout lies
H=$(mktemp -d /tmp/bmsub-demo.XXXXXX)
mkdir -p "$H/keys.d" "$H/state" "$H/bin"
chmod 755 "$H" "$H/keys.d" "$H/state" "$H/bin"
cp "$D/etc/keys.d/demo-vendor.pem" "$H/keys.d/"
cp "$D/lic/ok.lic" "$H/license"
printf 'alice\nbob\nadmin0\n' >"$H/hosted"
printf 'carol\n' >"$H/external"
cat >"$H/bmsub.conf" <<CONF
license = "$H/license";
keys_dir = "$H/keys.d";
state_dir = "$H/state";
admins = { users = ["admin0"]; };
users = { roster = "$H/hosted"; external = { roster = "$H/external"; }; };
CONF
chmod 644 "$H/keys.d/demo-vendor.pem" "$H/license" "$H/hosted" "$H/external" "$H/bmsub.conf"
hrun() { printf '$ %s\n' "$*" | sed "s|$B/||g; s|$H/|hosted/|g"; "$@" 2>&1 | sed "s|$H/|hosted/|g" || true; }
hrun "$CHK" -c "$H/bmsub.conf" refresh
hrun "$CHK" -c "$H/bmsub.conf" status
hrun "$CHK" -c "$H/bmsub.conf" decide --user carol --service imap

say "Postfix submission: a policy exchange with bmsub-policy (as spawn(8) runs it)"
cp "$B/bmsub-policy" "$H/bin/"
cp -P "$B"/libbmsub.so* "$H/bin/"
chmod -R a+rX "$H"
REQ="request=smtpd_access_policy
protocol_state=RCPT
sasl_username=alice

request=smtpd_access_policy
protocol_state=RCPT
sasl_username=carol

request=smtpd_access_policy
protocol_state=RCPT
recipient=carol@example.test
sasl_username=
"
printf '%s\n' "$REQ" | sed 's/^/  > /'
if [ "$(id -u)" = 0 ]; then
	AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
	AS=
fi
printf '%s\n' "$REQ" | $AS "$H/bin/bmsub-policy" -e -c "$H/bmsub.conf" 2>&1 | sed 's/^/  < /' || true
echo "(alice is hosted: DUNNO; carol logged in but is hosted elsewhere: 554;"
echo " mail to carol arriving on port 25, no SASL login: DUNNO)"

say "Dovecot says why: the Lua module Dovecot's Lua passdb calls (bmsub-lua(3))"
if command -v lua5.4 >/dev/null && [ -f "$B/bmsub.so" ]; then
	for u in alice carol; do
		printf '$ lua5.4: bmsub.decide("%s", "imap")\n' "$u"
		LUA_CPATH="$B/?.so" lua5.4 -e "local b = require 'bmsub'
print(b.decide('$u', 'imap', '$H/bmsub.conf'))" 2>&1 | sed 's/^/    /' || true
	done
	echo "(what conf/dovecot/bmsub.lua turns into IMAP NO [CONTACTADMIN] <message>)"
else
	echo "(skipped: lua5.4 or build/bmsub.so missing)"
fi
rm -rf "$H"

# bmsub-web as the operator first meets it: under spawn-fcgi (as nobody
# when we are root, as bmsub-web.service would run it) behind a private
# nginx on 127.0.0.1 with the shipped snippets, set up and stopped by PID
# as tests/sh/web.sh does (tests/servers/web_common.sh). lib.sh gives the
# folder under /tmp nobody can read and the hooks that stop the servers
# and remove it at exit.
web_demo() {
	. "$TOP/tests/lib.sh"
	. "$TOP/tests/servers/common.sh"
	. "$TOP/tests/servers/web_common.sh"
	W=$T/bmsub
	mkdir -p "$W/keys.d" "$W/state" "$T/web" && chmod 755 "$W" "$W/keys.d" "$W/state" &&
		cp "$D/etc/keys.d/demo-vendor.pem" "$W/keys.d/" || return 1
	PORT=$(srv_port) && URL=http://127.0.0.1:$PORT || return 1
	cat >"$W/bmsub.conf" <<CONF
license = "$W/license";
keys_dir = "$W/keys.d";
state_dir = "$W/state";
admin_url = "$URL/bmsub/";
admins = { users = ["admin0"]; };
CONF
	chmod 644 "$W/bmsub.conf" "$W/keys.d/demo-vendor.pem"
	WEB=$(user_bin "$B/bmsub-web") || return 1
	chmod 700 "$T/web"
	if is_root; then chown "$USER_UID:$USER_GID" "$T/web" || return 1; fi
	web_nginx_setup "$T/nginx" "$PORT" "$T/web.sock" || return 1
	# the subrequest nginx makes (bmsub-web.conf's internal /bmsub-auth),
	# open to curl here
	cat >"$T/nginx/site-auth.conf" <<NGX
location = /auth {
    fastcgi_pass unix:$T/web.sock;
    fastcgi_param REQUEST_METHOD GET;
    fastcgi_param PATH_INFO /auth;
    fastcgi_param REMOTE_USER \$remote_user;
    fastcgi_param BMSUB_ORIGINAL_URI /webmail/;
}
NGX
	wlic() { # scenario
		"$CHK" -c "$W/bmsub.conf" install --force "$D/lic/$1.lic" >/dev/null 2>&1 &&
			"$CHK" -c "$W/bmsub.conf" clock reset >/dev/null &&
			"$CHK" -c "$W/bmsub.conf" refresh --users 200 >/dev/null
	}
	wlic grace || return 1
	web_spawn "$T/web.sock" "$W/bmsub.conf" "$T/web/csrf.key" >"$T/err" 2>&1 ||
		{ WHY="bmsub-web did not start: $(head -n 1 "$T/err")"; return 1; }
	srv_nginx "$T/nginx" >"$T/err" 2>&1 && srv_wait_port "$PORT" >>"$T/err" 2>&1 ||
		{ WHY="nginx did not start: $(grep -m 1 -E 'emerg|alert|did not' "$T/err")"; return 1; }
	echo "(nginx on $URL, bmsub-web on a FastCGI socket as $(stat -c %U "/proc/$WEB_PID"); password \"secret\")"
	# auth USER: bmsub-web's answer to nginx's auth_request
	auth() {
		printf '$ curl -u %s: %s/auth    (the auth_request nginx makes)\n' "$1" "$URL"
		curl -s -o /dev/null -D - -u "$1:secret" "$URL/auth" | tr -d '\r' |
			grep -E '^HTTP|^X-Bmsub-' | cut -c1-110 | sed 's/^/    /'
	}
	# get USER PATH: what the browser gets through the gate
	get() {
		printf '$ curl -u %s: %s%s\n' "$1" "$URL" "$2"
		curl -s -o "$T/body" -D "$T/hdr" -u "$1:secret" "$URL$2"
		tr -d '\r' <"$T/hdr" | grep -E '^HTTP|^Location' | sed 's/^/    /'
		sed -n -e 's/.*<div id="bmsub-banner"[^>]*>\([^<]*\)<.*/    banner in the page: \1/p' \
			-e 's/.*id="message">\([^<]*\)<.*/    page: \1/p' \
			-e 's/.*<h1>\([^<]*\)<.*/    page: \1/p' "$T/body"
	}
	say "Webmail: bmsub-web behind nginx, grace (a banner for users, admins redirected)"
	auth alice
	get alice /webmail/
	auth admin0
	get admin0 /webmail/
	say "Webmail: blocked license dropped in (no restart)"
	wlic blocked || return 1
	auth alice
	get alice /webmail/
	say "Webmail: the subscription page (admin_url), administrators only"
	get admin0 /bmsub/
	get alice /bmsub/
	return 0
}
WHY="a set-up step failed"
if ! command -v nginx >/dev/null || ! command -v spawn-fcgi >/dev/null ||
    ! command -v curl >/dev/null || ! command -v python3 >/dev/null; then
	say "Webmail: skipped (install nginx-light, spawn-fcgi, curl, python3)"
elif ! web_demo; then
	say "Webmail: skipped ($WHY)"
fi

say "Several servers, one count: two nodes sharing a PostgreSQL (cluster mode)"
# a private PostgreSQL on a Unix socket only: as root it runs as the
# postgres user (it refuses root), otherwise as whoever runs the demo
PGBIN=/usr/lib/postgresql/15/bin
if [ -x "$PGBIN/postgres" ] && { [ "$(id -u)" != 0 ] || id postgres >/dev/null 2>&1; }; then
	P=$(mktemp -d /tmp/bmsub-demo-pg.XXXXXX)
	chmod 755 "$P"
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$P"
		asPG() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }
	else
		asPG() { "$@"; }
	fi
	if ! asPG "$PGBIN/initdb" -D "$P/data" -U bmsub -A trust --no-sync \
	    >"$P/initdb.log" 2>&1 || ! asPG "$PGBIN/pg_ctl" -D "$P/data" \
	    -l "$P/log" -w -o "-k $P -h '' -p 5433 -F" start >/dev/null; then
		echo "(skipped: PostgreSQL did not start, see $P)"
	else
		for n in imap1 imap2; do
			mkdir -p "$D/$n/state"
			chmod 755 "$D/$n" "$D/$n/state"
			cp "$D/lic/ok.lic" "$D/$n/license"
			cat >"$D/$n/bmsub.conf" <<CONF
license = "$D/$n/license";
keys_dir = "$D/etc/keys.d";
state_dir = "$D/$n/state";
users = { roster = "$D/$n/roster"; };
cluster = { database = "host=$P port=5433 dbname=postgres user=bmsub"; node = "$n"; };
CONF
		done
		printf '%s\n' alice bob carol >"$D/imap1/roster"
		printf '%s\n' carol dave >"$D/imap2/roster"
		chmod 644 "$D"/imap?/bmsub.conf "$D"/imap?/roster "$D"/imap?/license
		echo "(imap1 serves alice bob carol, imap2 carol dave: carol is on both)"
		run "$CHK" -c "$D/imap1/bmsub.conf" cluster init
		run "$CHK" -c "$D/imap1/bmsub.conf" refresh
		run "$CHK" -c "$D/imap2/bmsub.conf" refresh
		run "$CHK" -c "$D/imap1/bmsub.conf" cluster status
		echo "(4 distinct users for the platform, carol counted once; logins never"
		echo " connect: they read each node's local mirror)"
		asPG "$PGBIN/pg_ctl" -D "$P/data" -m fast -w stop >/dev/null || true
		rm -rf "$P"
	fi
else
	echo "(skipped: PostgreSQL 15 missing: apt-get install postgresql)"
fi

# Real PAM logins: libpam reads a service file from our own folder through
# pam_wrapper, so nothing is written to /etc/pam.d.
PW=$(for f in /usr/lib/x86_64-linux-gnu/libpam_wrapper.so /usr/lib/*/libpam_wrapper.so; do [ -e "$f" ] && echo "$f" && break; done || true)
if [ -z "$PW" ] || ! command -v pamtester >/dev/null; then
	say "Real PAM logins skipped: install libpam-wrapper and pamtester"
	exit 0
fi
echo 'account required pam_deny.so' >"$D/pam.d/other"
for s in imap webmail; do
	printf 'account required %s conf=%s\n' "$B/pam_bmsub.so" "$CONF" >"$D/pam.d/$s"
done
login() { # user service
	printf '$ pamtester %s %s acct_mgmt\n' "$2" "$1"
	LD_PRELOAD=$PW PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=$D/pam.d \
	    pamtester -v -I rhost=127.0.0.1 "$2" "$1" acct_mgmt 2>&1 | sed 's/^/    /' || true
}
say "Real PAM logins: valid license"
"$CHK" -c "$CONF" install "$D/lic/ok.lic" >/dev/null
"$CHK" -c "$CONF" refresh --users 200 >/dev/null
login alice imap
say "Real PAM logins: blocked license dropped in (no restart)"
"$CHK" -c "$CONF" install --force "$D/lic/blocked.lic" >/dev/null 2>&1
login alice imap
login admin0 webmail
login admin0 imap
echo
echo "demo files are in $D"
