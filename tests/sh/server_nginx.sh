#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# server_nginx.sh - pam_bmsub inside nginx's auth_pam (webmail category):
# 200 while the license is valid, 401 for a user once it is blocked, 200 for
# the administrator on the webmail (redirect lets them in) but 401 for the
# same administrator on a non-web service; renewal without a restart.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/servers/common.sh"

NGX_MOD=/usr/lib/nginx/modules/ngx_http_auth_pam_module.so
srv_need nginx curl python3 $NGX_MOD $WRAPDIR/libpam_wrapper.so \
	$WRAPDIR/libnss_wrapper.so $PAM_MATRIX

srv_setup 'imap = ["imap"]; webmail = ["bmsub-webmail"];'
srv_stack bmsub-webmail
srv_stack imap
D=$T/nginx
mkdir -p "$D/www/webmail" "$D/www/imap" "$D/tmp"
echo "inbox" >"$D/www/webmail/index.html"
echo "inbox" >"$D/www/imap/index.html"
chmod -R a+rX "$D"
PORT=$(srv_port)
sed -e "s|@DIR@|$D|g" -e "s|@PORT@|$PORT|" "$SRV/nginx.conf.in" >"$D/nginx.conf"

srv_license 200 BM-VALID-1
srv_nginx "$D" env LD_PRELOAD="libpam_wrapper.so:libnss_wrapper.so" || exit 1
PID=$SRV_PID
srv_wait_port "$PORT" || exit 1

# get WANT_CODE USER PASS PATH DESC
get() {
	code=$(curl -s -o /dev/null -w '%{http_code}' -u "$2:$3" \
		"http://127.0.0.1:$PORT/$4/")
	echo "$5: $2 /$4/ -> $code"
	n_checks=$((n_checks + 1))
	[ "$code" = "$1" ] || fail "$5: $2 on /$4/: HTTP $code, want $1"
}

get 200 alice secret webmail "valid license"
get 401 alice wrong webmail "valid license, wrong password"
get 200 admin0 secret webmail "valid license"
get 200 alice secret imap "valid license"

srv_license -20 BM-EXPIRED-2
get 401 alice secret webmail "blocked"
get 200 admin0 secret webmail "blocked, admin on the webmail (redirect)"
get 401 admin0 secret imap "blocked, admin off the web"
get 401 alice secret imap "blocked"

srv_license 300 BM-RENEWED-3
get 200 alice secret webmail "renewed"
get 200 alice secret imap "renewed"

# the refusals came from the account phase (pam_bmsub), with its message;
# the administrator's redirect notice reached nginx's conversation
expect_grep "user 'alice' - invalid account: Permission denied" \
	"$D/error.log" "nginx logged the account refusal"
expect_grep "\\[info\\].*PAM: '.*https://admin.example.test/subscription" \
	"$D/error.log" "nginx got the redirect notice (PAM_TEXT_INFO)"

# fail2ban (conf/README.servers): Debian's stock nginx-http-auth filter
# reads auth_basic lines only and matches no auth_pam line;
# conf/fail2ban/bmsub-nginx-pam.conf matches the one wrong password and
# none of the 3 refusals by pam_bmsub
if command -v fail2ban-regex >/dev/null && [ -f /etc/fail2ban/filter.d/nginx-http-auth.conf ]; then
	for f in /etc/fail2ban/filter.d/nginx-http-auth.conf:0 \
	    "$TOP/conf/fail2ban/bmsub-nginx-pam.conf:1"; do
		m=$(fail2ban-regex -l error "$D/error.log" "${f%:*}" 2>&1 |
			sed -n 's/^Lines: [0-9]* lines, [0-9]* ignored, \([0-9]*\) matched.*/\1/p')
		echo "fail2ban-regex error.log ${f%:*}: ${m:-?} matched of $(wc -l <"$D/error.log") lines"
		n_checks=$((n_checks + 1))
		[ "${m:-?}" = "${f##*:}" ] || fail "fail2ban ${f%:*}: ${m:-?} matched, want ${f##*:}"
	done
else
	echo "not run: fail2ban-regex (tools/deps.sh check installs fail2ban)"
fi
srv_stop "$PID"
n_checks=$((n_checks + 1))
srv_alive "$PID" && fail "nginx still running"
done_checks
