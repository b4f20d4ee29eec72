# SPDX-License-Identifier: GPL-2.0-or-later
# web_common.sh - sourced by tests/sh/web*.sh after tests/lib.sh and
# tests/servers/common.sh: bmsub files under $T/bmsub, real nginx with the
# shipped snippets (conf/nginx/), bmsub-web under spawn-fcgi (as uid 65534
# when we are root, as nginx's workers), and the privileged helper
# (bmsub-web --privileged, root when we are) on a socket in $T.
#
# Users (basic authentication, password "secret"): alice (a user), admin0
# (the subscription administrator). web_start sets PORT and URL.

WEB_BIN=${WEB_BIN:-$B/bmsub-web}
web_need() {
	srv_need nginx curl spawn-fcgi python3 openssl
	[ -x "$WEB_BIN" ] || { echo "no $WEB_BIN: run make first"; exit 1; }
}

# web_license DAYS [ID [CUSTOMER [FILE]]]: a license expiring in DAYS days
# (grace 10 days) renamed into FILE (default: into place, no restart).
web_license() {
	_wl=${4:-$T/bmsub/license}
	make_license "$_wl.new" id="${2:-BM-WEB-$1}" customer="${3:-Example SA}" \
		issued="$(date_utc -400 %Y-%m-%dT%H:%M:%SZ)" \
		expires="$(date_utc "$1" %Y-%m-%dT%H:%M:%SZ)" &&
		chmod 644 "$_wl.new" && mv -f "$_wl.new" "$_wl"
}

web_setup() {
	mkdir -p "$T/bmsub/keys.d" "$T/bmsub/state" "$T/web"
	chmod 755 "$T/bmsub" "$T/bmsub/keys.d" "$T/bmsub/state"
	cp "$TOP/tests/data/keys/vendor1.pub" "$T/bmsub/keys.d/vendor1.pem"
	chmod 644 "$T/bmsub/keys.d/vendor1.pem"
	PORT=$(srv_port)
	URL=http://127.0.0.1:$PORT
	cat >"$T/bmsub/bmsub.conf" <<EOC
license = "$T/bmsub/license";
keys_dir = "$T/bmsub/keys.d";
state_dir = "$T/bmsub/state";
admin_url = "$URL/bmsub/";
admins = { users = ["admin0"]; };
EOC
	chmod 644 "$T/bmsub/bmsub.conf"
	# the responder's copy, runnable by uid 65534 wherever the checkout is
	WEB=$(user_bin "$WEB_BIN") || exit 1
	# its own folder (the CSRF key): the responder's user owns it
	chmod 700 "$T/web"
	is_root && chown "$USER_UID:$USER_GID" "$T/web"
	D=$T/nginx
	web_nginx_setup "$D" "$PORT" "$T/web.sock" || exit 1
}

# web_nginx_setup DIR PORT SOCK: nginx's files in DIR: the shipped
# snippets talking to bmsub-web on SOCK, nginx-web.conf.in listening on
# 127.0.0.1:PORT, a dummy webmail page, basic authentication. Extra
# locations go in DIR/site-*.conf.
web_nginx_setup() {
	_wd=$1
	mkdir -p "$_wd/www/webmail" "$_wd/www/static" "$_wd/tmp" || return 1
	chmod 755 "$_wd" "$_wd/www" "$_wd/www/webmail" "$_wd/www/static"
	cat >"$_wd/www/webmail/index.html" <<'EOH'
<!DOCTYPE html>
<html><head><title>Webmail</title></head>
<body><h1 id="inbox">Inbox</h1><p>3 new messages</p></body></html>
EOH
	cp "$_wd/www/webmail/index.html" "$_wd/www/static/index.html"
	chmod -R a+rX "$_wd/www"
	# nginx's {PLAIN} scheme: a test password; apr1's 1000 rounds of MD5
	# would dominate make bench's figures
	printf 'alice:{PLAIN}secret\nadmin0:{PLAIN}secret\n' >"$_wd/htpasswd"
	chmod 644 "$_wd/htpasswd"
	for f in bmsub-web bmsub-gate; do
		sed -e "s|unix:/run/bmsub-web.sock|unix:$3|" \
			"$TOP/conf/nginx/$f.conf" >"$_wd/$f.conf" || return 1
	done
	sed -e "s|@DIR@|$_wd|g" -e "s|@PORT@|$2|" \
		"$SRV/nginx-web.conf.in" >"$_wd/nginx.conf"
}

# web_spawn SOCK CONF KEY [PRIV_SOCK]: the responder $WEB under spawn-fcgi
# on SOCK (as uid 65534 when we are root), stopped at exit; WEB_PID.
web_spawn() {
	_u=
	is_root && _u="-u nobody -g nogroup -U nobody -G nogroup"
	# shellcheck disable=SC2086
	spawn-fcgi -s "$1" -M 0600 $_u -P "$1.pid" -- \
		"$WEB" -c "$2" --key "$3" ${4:+--priv-socket "$4"} \
		>"$1.log" 2>&1 || { cat "$1.log"; return 1; }
	srv_started bmsub-web "$1.pid" "$1.log" || return 1
	WEB_PID=$SRV_PID
}

web_start() {
	web_setup
	# the privileged helper: a listening socket on fd 0, one request
	# after the other (systemd gives it one connection: Accept=yes)
	python3 - "$T/priv.sock" "$WEB" "$T/bmsub/bmsub.conf" \
		"$(is_root && echo nobody || id -un)" <<'EOP' >"$T/priv.log" 2>&1 &
import os, socket, sys
path, web, conf, user = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.chmod(path, 0o666)
s.listen(16)
os.dup2(s.fileno(), 0)
os.execv(web, [web, "--privileged", "-c", conf, "--allow-user", user])
EOP
	PRIV_PID=$!
	at_exit "srv_stop $PRIV_PID"
	web_spawn "$T/web.sock" "$T/bmsub/bmsub.conf" "$T/web/csrf.key" \
		"$T/priv.sock" || exit 1
	srv_nginx "$D" || exit 1
	NGX_PID=$SRV_PID
	srv_wait_port "$PORT" || exit 1
	srv_wait -S "$T/priv.sock"
}
