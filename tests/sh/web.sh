#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# web.sh - bmsub-web behind real nginx with the shipped snippets, through
# curl: the gate on a dummy webmail (banner, admin 302, denied page), the
# subscription page and its forms (recipients, license) through the
# privileged helper, CSRF, the admin role, and every bad input a clear 4xx
# that changes nothing.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/servers/common.sh"
# the sanitizer build's responder when there is one: a memory error is a
# 502 here
[ -x "$SB/bmsub-web" ] && WEB_BIN=$SB/bmsub-web
. "$TOP/tests/servers/web_common.sh"
web_need
web_start
R=$T/bmsub/state/recipients

# req WANT DESC USER METHOD PATH [curl args...]: body in $T/body
req() {
	_want=$1 _desc=$2 _user=$3 _m=$4 _p=$5; shift 5
	code=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		-u "$_user:secret" -X "$_m" "$@" "$URL$_p")
	n_checks=$((n_checks + 1))
	[ "$code" = "$_want" ] || { fail "$_desc: $_m $_p as $_user: HTTP $code, want $_want"; head -c 600 "$T/body"; echo; }
}
token() {
	curl -s -u admin0:secret "$URL/bmsub/" |
		sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p' | head -n 1
}
sum() { sha256sum "$R" "$T/bmsub/license" 2>/dev/null | cut -c1-64 | tr '\n' ' '; }
# unchanged DESC: recipients and license as before the last request
unchanged() {
	n_checks=$((n_checks + 1))
	[ "$(sum)" = "$before" ] || fail "$1: something changed"
}

# --- the responder never runs as root ---
if is_root; then
	expect_rc 2 "bmsub-web as root" -- "$WEB" -c "$T/bmsub/bmsub.conf"
	expect_grep "refusing to run as root" "$T/err" "says why"
fi

# --- valid license, no recipient ---
web_license 200 BM-OK
req 200 "ok: user" alice GET /webmail/
expect_grep 'id="inbox"' "$T/body" "ok: the webmail page"
expect_nogrep 'bmsub-banner' "$T/body" "ok: no banner for a user"
req 200 "ok: admin" admin0 GET /webmail/
expect_grep 'bmsub-banner.*No alert recipient' "$T/body" "ok: admin sees the no-recipient banner"
req 401 "no password" alice GET /webmail/ -u alice:wrong
req 200 "the page" admin0 GET /bmsub/
expect_grep 'id="phase">ok<' "$T/body" "page: phase ok"
expect_grep 'BM-OK' "$T/body" "page: license id"
expect_grep 'id="no-recipient"' "$T/body" "page: no recipient"
expect_grep 'Licensed \(limit\)' "$T/body" "page: users and limit"
expect_grep 'Timeline' "$T/body" "page: timeline"
expect_grep 'Cache-Control: no-store' "$T/headers" "page: not cached"
expect_grep "Content-Security-Policy: default-src 'none'" "$T/headers" "page: CSP"

# --- the role ---
TOK=$(token)
n_checks=$((n_checks + 1))
[ -n "$TOK" ] || fail "no token in the page"
before=$(sum)
req 403 "non-admin page" alice GET /bmsub/
expect_nogrep 'BM-OK' "$T/body" "non-admin learns nothing"
req 403 "non-admin POST recipients" alice POST /bmsub/recipients \
	--data "token=$TOK&op=add&address=eve@example.com"
req 403 "non-admin POST license" alice POST /bmsub/license \
	--data-urlencode "license@$T/bmsub/license" --data "token=$TOK"
unchanged "non-admin POSTs"

# --- CSRF ---
req 403 "POST without token" admin0 POST /bmsub/recipients \
	--data "op=add&address=eve@example.com"
expect_grep 'token' "$T/body" "says the token is missing"
req 403 "POST with a forged token" admin0 POST /bmsub/recipients \
	--data "token=${TOK%%.*}.$(printf '%064d' 0)&op=add&address=eve@example.com"
req 403 "POST with an old token" admin0 POST /bmsub/recipients \
	--data "token=1.${TOK#*.}&op=add&address=eve@example.com"
req 403 "POST with a future token" admin0 POST /bmsub/recipients \
	--data "token=ffffffffff.${TOK#*.}&op=add&address=eve@example.com"
req 403 "token of another user" admin0 POST /bmsub/license \
	--data "token=garbage&license=x"
# tokens signed with the responder's own key, as main.c's token_mac does
# ("<time hex>.<HMAC-SHA256 of 'bmsub-web csrf\n', the user, a NUL, the
# time hex>"): with the MAC right, the time and the user decide
mktok() { # USER SECONDS-FROM-NOW
	python3 - "$T/web/csrf.key" "$1" "$2" <<'EOP'
import hashlib, hmac, sys, time
key = open(sys.argv[1], "rb").read()
ts = "%x" % (int(time.time()) + int(sys.argv[3]))
msg = b"bmsub-web csrf\n" + sys.argv[2].encode() + b"\0" + ts.encode()
print(ts + "." + hmac.new(key, msg, hashlib.sha256).hexdigest())
EOP
}
req 400 "a token signed now is taken (the helper refuses the unknown address)" admin0 \
	POST /bmsub/recipients --data "token=$(mktok admin0 0)&op=remove&address=nobody@example.com"
expect_grep 'class="err"' "$T/body" "signed token: the request reached the helper"
req 400 "a token signed 11h59 ago is taken" admin0 POST /bmsub/recipients \
	--data "token=$(mktok admin0 -43140)&op=remove&address=nobody@example.com"
req 403 "a token signed 12h01 ago is stale" admin0 POST /bmsub/recipients \
	--data "token=$(mktok admin0 -43260)&op=add&address=eve@example.com"
req 403 "a token signed for 10 min from now" admin0 POST /bmsub/recipients \
	--data "token=$(mktok admin0 600)&op=add&address=eve@example.com"
req 403 "a token signed for another user" admin0 POST /bmsub/recipients \
	--data "token=$(mktok alice 0)&op=add&address=eve@example.com"
req 403 "a signed token with a byte more" admin0 POST /bmsub/recipients \
	--data "token=$(mktok admin0 0)0&op=add&address=eve@example.com"
req 403 "a non-admin's malformed form: the role is checked first" alice \
	POST /bmsub/recipients --data "x"
unchanged "refused tokens"

# --- bad input, each a clear 4xx, nothing changed ---
req 405 "GET on a form" admin0 GET /bmsub/recipients
req 405 "PUT on the page" admin0 PUT /bmsub/
req 405 "POST on the page" admin0 POST /bmsub/ --data "token=$TOK"
req 404 "unknown path" admin0 GET /bmsub/nothing
req 415 "wrong content type" admin0 POST /bmsub/recipients \
	-H 'Content-Type: text/plain' --data "token=$TOK&op=add&address=eve@example.com"
req 415 "multipart" admin0 POST /bmsub/recipients -F "token=$TOK" -F op=add
req 400 "duplicated field" admin0 POST /bmsub/recipients \
	--data "token=$TOK&op=add&address=eve@example.com&address=mal@example.com"
req 400 "duplicated token" admin0 POST /bmsub/recipients \
	--data "token=$TOK&token=$TOK&op=add&address=eve@example.com"
req 400 "unknown field" admin0 POST /bmsub/recipients \
	--data "token=$TOK&op=add&address=eve@example.com&x=1"
req 400 "missing address" admin0 POST /bmsub/recipients --data "token=$TOK&op=add"
req 400 "empty address" admin0 POST /bmsub/recipients --data "token=$TOK&op=add&address="
expect_grep "Missing form field .{1,6}address" "$T/body" "empty address: says which field"
req 400 "missing op" admin0 POST /bmsub/recipients --data "token=$TOK&address=eve@example.com"
req 400 "unknown op" admin0 POST /bmsub/recipients --data "token=$TOK&op=drop&address=eve@example.com"
req 400 "not UTF-8" admin0 POST /bmsub/recipients --data "token=$TOK&op=add&address=%FFeve@example.com"
req 400 "bad escape" admin0 POST /bmsub/recipients --data "token=$TOK&op=add&address=eve%G1@example.com"
req 400 "NUL" admin0 POST /bmsub/recipients --data "token=$TOK&op=add&address=eve%00@example.com"
req 400 "newline in an address" admin0 POST /bmsub/recipients --data "token=$TOK&op=add&address=eve@example.com%0Aremove"
req 400 "empty pair" admin0 POST /bmsub/recipients --data "token=$TOK&&op=add&address=eve@example.com"
req 400 "implausible address" admin0 POST /bmsub/recipients --data "token=$TOK&op=add&address=not-an-address"
expect_grep 'class="err"' "$T/body" "the page says what was refused"
req 400 "removing an unknown one" admin0 POST /bmsub/recipients --data "token=$TOK&op=remove&address=nobody@example.com"
head -c 100000 /dev/zero | tr '\0' a >"$T/huge"
req 413 "huge body" admin0 POST /bmsub/recipients --data-binary "@$T/huge"
req 400 "long address" admin0 POST /bmsub/recipients --data "token=$TOK&op=add&address=$(head -c 300 "$T/huge")@example.com"
req 400 "empty body" admin0 POST /bmsub/recipients --data ""
unchanged "bad input"

# --- recipients: add, then the banner is gone at once ---
req 200 "add a recipient" admin0 POST /bmsub/recipients \
	--data "token=$TOK&op=add&address=ops%40example.com"
expect_grep 'class="ok" id="notice">added ops@example.com' "$T/body" "page says added"
expect_grep '^ops@example.com$' "$R" "recipients file has it"
expect_nogrep 'id="no-recipient"' "$T/body" "page: the recipient listed"
req 400 "add it again" admin0 POST /bmsub/recipients \
	--data "token=$TOK&op=add&address=ops@example.com"
req 200 "admin on the webmail" admin0 GET /webmail/
expect_nogrep 'bmsub-banner' "$T/body" "no banner any more"
if is_root; then
	n_checks=$((n_checks + 1))
	[ "$(stat -c '%U %a' "$R")" = "root 644" ] || fail "recipients not root 0644: $(stat -c '%U %a' "$R")"
fi
req 200 "add a second" admin0 POST /bmsub/recipients --data "token=$TOK&op=add&address=boss@example.com"
req 200 "remove it" admin0 POST /bmsub/recipients --data "token=$TOK&op=remove&address=boss@example.com"
expect_nogrep 'boss@' "$R" "removed from the file"

# --- grace: banner for users, admin redirected ---
web_license -3 BM-GRACE
req 200 "grace: user" alice GET /webmail/
expect_grep '<div id="bmsub-banner" role="alert"[^>]*>[^<]+</div></body>' "$T/body" "grace: banner in the page"
expect_grep 'id="inbox"' "$T/body" "grace: the webmail still there"
req 302 "grace: admin" admin0 GET /webmail/
expect_grep "^Location: $URL/bmsub/" "$T/headers" "grace: admin sent to admin_url"
req 200 "grace: static file unchanged" alice GET /static/
expect_nogrep 'bmsub-banner' "$T/body" "no banner outside the gate"

# admin_url inside the gated webmail: requests under it pass, others go there
mkdir -p "$D/www/webmail/settings" && cp "$D/www/webmail/index.html" "$D/www/webmail/settings/" &&
	chmod -R a+rX "$D/www/webmail"
cp "$T/bmsub/bmsub.conf" "$T/conf.orig"
sed -i "s|^admin_url = .*|admin_url = \"$URL/webmail/settings/\";|" "$T/bmsub/bmsub.conf"
req 302 "grace: admin off admin_url" admin0 GET /webmail/
expect_grep "^Location: $URL/webmail/settings/" "$T/headers" "sent to the new admin_url"
req 200 "grace: admin under admin_url passes" admin0 GET /webmail/settings/
req 200 "grace: admin under admin_url, with a query" admin0 GET "/webmail/settings/?a=1"
req 302 "grace: a look-alike path is not under it" admin0 GET /webmail/settingsX/
# admin_url a file: that very path with a query passes (the query cut)
sed -i "s|^admin_url = .*|admin_url = \"$URL/webmail/settings/index.html\";|" "$T/bmsub/bmsub.conf"
req 200 "grace: admin at admin_url itself, with a query" admin0 GET "/webmail/settings/index.html?a=1"
req 302 "grace: admin at admin_url's folder" admin0 GET /webmail/settings/
cp "$T/conf.orig" "$T/bmsub/bmsub.conf"

# --- blocked: the message page, admin redirected ---
web_license -30 BM-BLOCKED
req 403 "blocked: user" alice GET /webmail/
expect_grep 'id="message">Access suspended' "$T/body" "blocked: the message page"
expect_grep 'Content-Type: text/html' "$T/headers" "blocked: an HTML page, not a bare 401"
req 302 "blocked: admin" admin0 GET /webmail/
req 200 "blocked: the page" admin0 GET /bmsub/
expect_grep 'id="phase">blocked<' "$T/body" "page: blocked"

# --- license: refused ones change nothing, a renewal is installed ---
TOK=$(token)
before=$(sum)
cp "$T/bmsub/license" "$T/tampered"
sed -i 's/^users: .*/users: 9999/' "$T/tampered"
req 400 "tampered license" admin0 POST /bmsub/license \
	--data "token=$TOK" --data-urlencode "license@$T/tampered"
expect_grep 'bad-signature' "$T/body" "says bad-signature"
web_license -40 BM-OLD "Example SA" "$T/old.lic"
req 400 "expired license" admin0 POST /bmsub/license \
	--data "token=$TOK" --data-urlencode "license@$T/old.lic"
expect_grep 'license BM-OLD is refused \(expired\)' "$T/body" "says the license is refused: expired"
req 400 "garbage" admin0 POST /bmsub/license --data "token=$TOK&license=hello"
req 400 "no license field" admin0 POST /bmsub/license --data "token=$TOK"
req 400 "license with a CR alone" admin0 POST /bmsub/license --data "token=$TOK&license=a%0Db"
unchanged "refused licenses"
web_license 365 BM-RENEWED '<script>alert(1)</script>' "$T/new.lic"
# a browser sends a textarea with CRLF line ends
sed 's/$/\r/' "$T/new.lic" >"$T/new-crlf.lic"
req 200 "renewed license" admin0 POST /bmsub/license \
	--data "token=$TOK" --data-urlencode "license@$T/new-crlf.lic"
expect_grep 'id="notice">installed prod license BM-RENEWED' "$T/body" "page says installed"
expect_grep 'id="phase">ok<' "$T/body" "page: ok again"
expect_grep '&lt;script&gt;alert\(1\)&lt;/script&gt;' "$T/body" "customer shown escaped"
expect_nogrep '<script>' "$T/body" "no script element"
n_checks=$((n_checks + 1))
cmp -s "$T/new.lic" "$T/bmsub/license" || fail "installed license differs from the one sent"
if is_root; then
	n_checks=$((n_checks + 1))
	[ "$(stat -c '%U %a' "$T/bmsub/license")" = "root 644" ] || fail "license not root 0644"
fi
req 200 "renewed: user" alice GET /webmail/
expect_nogrep 'bmsub-banner' "$T/body" "renewed: no banner"

# --- the license as a multipart form (the page's: a file upload, or
# pasted in the same form); each refusal a clear 4xx, nothing changed
TOK=$(token)
before=$(sum)
# mp WANT DESC USER [curl args...]: a multipart POST /bmsub/license
mp() { _w=$1 _d=$2 _u=$3; shift 3; req "$_w" "multipart: $_d" "$_u" POST /bmsub/license "$@"; }
# raw DESC BODY: a hand-made multipart body (printf format), boundary XyZ
raw() {
	printf %b "$2" >"$T/raw"
	req 400 "multipart: $1" admin0 POST /bmsub/license \
		-H 'Content-Type: multipart/form-data; boundary=XyZ' --data-binary "@$T/raw"
}
web_license 380 BM-PASTED "Example SA" "$T/pasted.lic"
web_license 400 BM-UPLOADED "Example SA" "$T/uploaded.lic"
mp 403 "non-admin" alice -F "token=$TOK" -F "license_file=@$T/uploaded.lic"
mp 403 "no token" admin0 -F "license_file=@$T/uploaded.lic"
mp 403 "a forged token" admin0 -F "token=${TOK%%.*}.$(printf '%064d' 0)" -F "license_file=@$T/uploaded.lic"
mp 400 "pasted and uploaded" admin0 -F "token=$TOK" -F "license=<$T/pasted.lic" -F "license_file=@$T/uploaded.lic"
expect_grep 'not both' "$T/body" "multipart: says not both"
: >"$T/empty.lic"
mp 400 "neither pasted nor uploaded" admin0 -F "token=$TOK" -F "license=" -F "license_file=@$T/empty.lic"
expect_grep 'Missing form field &#39;license&#39;' "$T/body" "multipart: says missing"
mp 400 "license_file not a file" admin0 -F "token=$TOK" -F "license_file=<$T/uploaded.lic"
expect_grep 'must be a file upload' "$T/body" "multipart: says file upload"
printf '%s' "$TOK" >"$T/tok"
mp 400 "the token as a file" admin0 -F "token=@$T/tok" -F "license_file=@$T/uploaded.lic"
mp 400 "an unknown field" admin0 -F "token=$TOK" -F "x=1" -F "license_file=@$T/uploaded.lic"
mp 400 "the file twice" admin0 -F "token=$TOK" -F "license_file=@$T/uploaded.lic" -F "license_file=@$T/uploaded.lic"
mp 400 "a tampered license" admin0 -F "token=$TOK" -F "license_file=@$T/tampered"
expect_grep 'bad-signature' "$T/body" "multipart: says bad-signature"
mp 400 "an expired license" admin0 -F "token=$TOK" -F "license_file=@$T/old.lic"
head -c 300 /dev/urandom >"$T/binary.lic"
printf '\377' >>"$T/binary.lic"
mp 400 "a binary file" admin0 -F "token=$TOK" -F "license_file=@$T/binary.lic"
printf 'a\000b' >"$T/nul.lic"
mp 400 "a NUL in the file" admin0 -F "token=$TOK" -F "license_file=@$T/nul.lic"
head -c 70000 /dev/zero | tr '\0' a >"$T/big.lic"
mp 400 "a file over the license cap" admin0 -F "token=$TOK" -F "license_file=@$T/big.lic"
expect_grep 'longer than' "$T/body" "multipart: says too long"
mp 413 "a file over the body cap" admin0 -F "token=$TOK" -F "license_file=@$T/huge"
req 400 "multipart: no boundary" admin0 POST /bmsub/license -H 'Content-Type: multipart/form-data' \
	--data-binary "@$T/uploaded.lic"
expect_grep 'boundary' "$T/body" "multipart: says boundary"
raw "cut short" "--XyZ\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n$TOK\r\n"
raw "a preamble" "hello\r\n--XyZ\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n$TOK\r\n--XyZ--\r\n"
raw "an epilogue" "--XyZ\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n$TOK\r\n--XyZ--\r\nmore"
raw "a part header not allowed" "--XyZ\r\nContent-Disposition: form-data; name=\"license_file\"; filename=\"l\"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--XyZ--\r\n"
raw "not form-data" "--XyZ\r\nContent-Disposition: attachment; name=\"token\"\r\n\r\n$TOK\r\n--XyZ--\r\n"
req 415 "multipart: another type" admin0 POST /bmsub/license -H 'Content-Type: multipart/mixed; boundary=XyZ' \
	--data-binary "@$T/uploaded.lic"
unchanged "refused multipart forms"
mp 200 "pasted (a browser's CRLF)" admin0 -F "token=$TOK" -F "license=<$T/pasted.lic" -F "license_file=@$T/empty.lic"
expect_grep 'id="notice">installed prod license BM-PASTED' "$T/body" "multipart paste: installed"
n_checks=$((n_checks + 1))
cmp -s "$T/pasted.lic" "$T/bmsub/license" || fail "multipart paste: installed license differs"
sed 's/$/\r/' "$T/uploaded.lic" >"$T/uploaded-crlf.lic"
mp 200 "uploaded" admin0 -F "token=$TOK" -F "license=" -F "license_file=@$T/uploaded-crlf.lic;type=application/octet-stream"
expect_grep 'id="notice">installed prod license BM-UPLOADED' "$T/body" "upload: installed"
n_checks=$((n_checks + 1))
cmp -s "$T/uploaded.lic" "$T/bmsub/license" || fail "upload: installed license differs from the file"
mp 200 "uploaded alone (no license field)" admin0 -F "token=$TOK" -F "license_file=@$T/uploaded.lic"
expect_grep 'id="license_file"' "$T/body" "the page offers the upload"
expect_grep 'enctype="multipart/form-data"' "$T/body" "the form is multipart"

# --- the helper refuses another peer ---
if is_root; then
	setpriv --reuid=1234 --regid=1234 --clear-groups /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
try:
    s.sendall(b"rcpt-add 15 mallory\nmal@example.com"); s.shutdown(socket.SHUT_WR)
except OSError:
    pass  # refused before the request was read
print(s.recv(600).decode())' "$T/priv.sock" >"$T/peer.out" 2>&1
	expect_grep '^no peer is not' "$T/peer.out" "helper refuses uid 1234"
	expect_nogrep 'mal@' "$R" "nothing added"
fi
grep -q 'bmsub-web: rcpt-add done by admin0\|recipients add done by admin0' "$T/priv.log" &&
	ok || fail "helper did not log the admin's change: $(cat "$T/priv.log")"

# --- SIGTERM (systemctl stop, srv_stop) ends the responder at once, the
# thread blocked in accept(2) included (libfcgi's own handler would wait
# for a next request that never comes)
kill -TERM "$WEB_PID"
i=0; while srv_alive "$WEB_PID" && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
n_checks=$((n_checks + 1))
! srv_alive "$WEB_PID" || fail "bmsub-web still runs 2 s after SIGTERM"
done_checks
