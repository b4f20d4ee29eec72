#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# doctor.sh - bmsub-check doctor on real misconfigurations built in a
# system image under --root (PAM stacks, saslauthd's defaults, Dovecot's
# configuration, nginx, systemd timers, cron.d, the module in PAMDIR)
# and in a private bmsub configuration: each mistake an operator met is
# named by its check, with fail or warn and the exit code doctor(8) says;
# the fully correct system is all ok, exit 0.
. "$(dirname "$0")/../lib.sh"
CHK=$SB/bmsub-check
[ -x "$CHK" ] || CHK=$B/bmsub-check
# the folder libpam loads modules from, as compiled into the program
PAMDIR=$(grep -o "BMSUB_PAMDIR='\"[^\"]*\"'" "$(dirname "$CHK")/build-flags" | cut -d'"' -f2)
[ -n "$PAMDIR" ] && ok || fail "no BMSUB_PAMDIR in the build flags"

# bmsub-web's user and group, as the Debian package makes them, beside
# the system's (nss_wrapper: nothing written to /etc); every doctor run
# goes through nssw
NSSW=/usr/lib/x86_64-linux-gnu/libnss_wrapper.so
[ -e "$NSSW" ] || skip "missing $NSSW (tools/deps.sh check installs libnss-wrapper)"
{ grep -vE '^(bmsub-web|nginx):' /etc/passwd; echo 'bmsub-web:x:64990:64990::/nonexistent:/usr/sbin/nologin'; } >"$T/passwd"
{ grep -v '^bmsub-web:' /etc/group; echo 'bmsub-web:x:64990:'; } >"$T/group"
chmod 644 "$T/passwd" "$T/group"
NSSENV="LD_PRELOAD=$NSSW NSS_WRAPPER_PASSWD=$T/passwd NSS_WRAPPER_GROUP=$T/group ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0"
# shellcheck disable=SC2086
nssw() { env $NSSENV "$@"; }

setup_etc 'users = { roster = "'"$T/etc/roster"'"; };' \
	'services = { imap = ["imap", "pop3", "dovecot"]; webmail = ["webmail"]; smtp = ["smtp"]; };'
printf 'alice\nbob\n' >"$T/etc/roster"; chmod 644 "$T/etc/roster"
make_license "$T/etc/license" issued="$(date_utc -30)" expires="$(date_utc 300)" users=10
"$CHK" -c "$CONF" refresh >/dev/null 2>&1 && "$CHK" -c "$CONF" recipients add ops@example.com >/dev/null 2>&1 &&
	ok || fail "cannot set up the state and the recipient"
R=$T/root
# good_root: a system image where everything is right
good_root() {
	rm -rf "$R"
	mkdir -p "$R/etc/pam.d" "$R$PAMDIR" "$R/etc/default" "$R/etc/dovecot/conf.d" \
		"$R/etc/nginx/sites-enabled" "$R/etc/systemd/system/timers.target.wants" "$R/etc/cron.d"
	cp "$B/pam_bmsub.so" "$R$PAMDIR/" && chmod 644 "$R$PAMDIR/pam_bmsub.so"
	cat >"$R/etc/pam.d/common-auth" <<-EOF
	auth	[success=1 default=ignore]	pam_unix.so nullok
	auth	requisite			pam_deny.so
	auth	required			pam_permit.so
	EOF
	cat >"$R/etc/pam.d/common-account" <<-EOF
	account	[success=1 new_authtok_reqd=done default=ignore]	pam_unix.so
	account	requisite			pam_deny.so
	account	required			pam_permit.so
	EOF
	for s in imap pop3 smtp; do
		printf '@include common-auth\n@include common-account\naccount required pam_bmsub.so conf=%s\n' \
			"$CONF" >"$R/etc/pam.d/$s"
	done
	# nginx: its own user checks passwords, so LDAP here, not pam_unix
	printf 'auth required pam_ldap.so\naccount required pam_ldap.so\naccount required pam_bmsub.so conf=%s\n' \
		"$CONF" >"$R/etc/pam.d/webmail"
	echo 'auth required pam_unix.so' >"$R/etc/pam.d/sshd"
	printf 'user www-data;\ninclude /etc/nginx/sites-enabled/*;\n' >"$R/etc/nginx/nginx.conf"
	printf 'server {\n  location /mail/ {\n    auth_pam "Mail";\n    auth_pam_service_name "webmail";\n  }\n}\n' \
		>"$R/etc/nginx/sites-enabled/webmail"
	printf 'MECHANISMS="pam"\nTHREADS=5\nOPTIONS="-m /var/run/saslauthd"\n' >"$R/etc/default/saslauthd"
	printf 'protocols = imap pop3\n!include conf.d/*.conf\n' >"$R/etc/dovecot/dovecot.conf"
	printf 'auth_mechanisms = plain\npassdb {\n  driver = pam\n  args = %%s\n}\nauth_cache_size = 0\n' \
		>"$R/etc/dovecot/conf.d/10-auth.conf"
	for t in refresh notify; do
		ln -s "/usr/local/lib/systemd/system/bmsub-$t.timer" "$R/etc/systemd/system/timers.target.wants/"
	done
	# bmsub-web as bmsub-web(8) deploys it: the package's program and
	# units, both sockets enabled, nginx including the two snippets from
	# the examples folder
	mkdir -p "$R/usr/sbin" "$R/lib/systemd/system" "$R/etc/systemd/system/sockets.target.wants" \
		"$R/usr/share/doc/bmsub/examples/nginx"
	: >"$R/usr/sbin/bmsub-web"
	cp "$TOP"/conf/bmsub-web*.socket "$TOP"/conf/bmsub-web*.service "$R/lib/systemd/system/"
	for u in bmsub-web.socket bmsub-web-priv.socket; do
		ln -s "/lib/systemd/system/$u" "$R/etc/systemd/system/sockets.target.wants/"
	done
	cp "$TOP"/conf/nginx/bmsub-web.conf "$TOP"/conf/nginx/bmsub-gate.conf "$R/usr/share/doc/bmsub/examples/nginx/"
	EX=/usr/share/doc/bmsub/examples/nginx
	printf 'server {\n  include %s/bmsub-web.conf;\n  location /mail/ {\n    auth_pam "Mail";\n    auth_pam_service_name "webmail";\n    include %s/bmsub-gate.conf;\n  }\n}\n' \
		"$EX" "$EX" >"$R/etc/nginx/sites-enabled/webmail"
}
# doc WANT DESC ARGS...: doctor's exit code; output in $T/out
doc() {
	_want=$1 _desc=$2; shift 2
	expect_rc "$_want" "$_desc" -- nssw "$CHK" -c "$CONF" doctor --root "$R" "$@"
}
# line STATUS CHECK PATTERN DESC: doctor's line for CHECK says STATUS and PATTERN
line() {
	n_checks=$((n_checks + 1))
	grep -E "^$1 +$2 .*$3" "$T/out" >/dev/null ||
		{ fail "$4: no '$1 $2 ...$3' line:"; sed 's/^/  | /' "$T/out"; }
}
# only_ok: every check line is ok
only_ok() {
	n_checks=$((n_checks + 1))
	grep -vE '^ok  |^[0-9]+ fail, ' "$T/out" >"$T/notok"
	[ ! -s "$T/notok" ] || { fail "$1: not all ok:"; sed 's/^/  | /' "$T/notok"; }
}

# --- the correct system: all ok, exit 0 ------------------------------------------
good_root
AS=
if need_root "doctor --as www-data (switching users)"; then AS="--as www-data"; fi
# shellcheck disable=SC2086
doc 0 "a correct system" $AS
only_ok "a correct system"
for c in module pam:imap pam:pop3 pam:smtp pam:webmail state-dir keys license state recipients \
	refresh-timer notify-timer clock saslauthd dovecot web admin-url web-user web-groups; do
	line ok "$c" '' "correct system: check $c"
done
[ -n "$AS" ] && line ok load:www-data 'read as www-data' "correct system: load as www-data"
expect_nogrep 'pam:sshd|pam:common' "$T/out" "stacks without the module are not judged"
expect_grep '^0 fail, 0 warn, ' "$T/out" "the closing count"
# shellcheck disable=SC2086
doc 0 "a correct system, --json" $AS --json
json_ok "$T/out"
[ "$(json_get "$T/out" '",".join(sorted(set(c["status"] for c in d["checks"])))')" = ok ] && ok ||
	fail "json: not all ok: $(cat "$T/out")"
[ "$(json_get "$T/out" 'sorted(d.keys()) == ["checks"] and all(sorted(c.keys()) == ["check", "message", "status"] for c in d["checks"])')" = true ] &&
	ok || fail "json: not {checks: [{check, status, message}]}: $(cat "$T/out")"

# --- the files as the server's user ----------------------------------------------
if need_root "a license readable by root only, checked --as www-data"; then
	chmod 600 "$T/etc/license"
	doc 1 "license 0600 checked --as www-data" --as www-data
	line fail load:www-data 'license: .*Permission denied \(io\)' "license unreadable by www-data"
	line ok license '' "root still reads the license"
	chmod 644 "$T/etc/license"
	chmod 600 "$T/etc/keys.d/vendor1.pem"
	doc 1 "a key readable by root only --as www-data" --as www-data
	line fail load:www-data 'license: .*unknown-key|keys' "key unreadable by www-data"
	chmod 644 "$T/etc/keys.d/vendor1.pem"
	chmod 600 "$CONF"
	doc 1 "the config readable by root only --as www-data" --as www-data
	line fail load:www-data 'config: .*every login' "config unreadable by www-data"
	chmod 644 "$CONF"
	chmod 700 "$T/state"
	doc 1 "the state folder closed to www-data" --as www-data
	line fail load:www-data 'state: ' "state unreadable by www-data"
	chmod 755 "$T/state"
	doc 0 "all readable again" --as www-data --as root
	line ok load:root '' "--as root"
	# nginx's user is checked unasked when a stack nginx uses names the module
	chmod 600 "$T/etc/license"
	doc 1 "license 0600, no --as: nginx's www-data checked all the same"
	line fail load:www-data 'license: .*Permission denied \(io\)' "nginx's user unasked"
	printf 'user nobody-bmsub-none;\n' >"$R/etc/nginx/nginx.conf"
	doc 0 "nginx's user does not exist: not checked"
	expect_nogrep '^[a-z]+ +load:' "$T/out" "no load check for a missing nginx user"
	chmod 644 "$T/etc/license"
	good_root
	rm "$R/etc/nginx/sites-enabled/webmail"
	chmod 600 "$T/etc/license"
	doc 0 "no stack used by nginx: www-data not checked unasked"
	expect_nogrep '^[a-z]+ +load:' "$T/out" "no load check without nginx"
	chmod 644 "$T/etc/license"
fi

# --- PAM stacks ---------------------------------------------------------------------
good_root
printf 'auth required pam_bmsub.so conf=%s\nauth required pam_unix.so\naccount required pam_bmsub.so conf=%s\n' \
	"$CONF" "$CONF" >"$R/etc/pam.d/imap"
doc 1 "the module before the password check"
line fail pam:imap 'imap line 1: pam_bmsub.so in auth before the password check' "module before password"
line ok pam:pop3 '' "the other stacks stay ok"
good_root
printf '@include common-auth\nauth required pam_bmsub.so conf=%s\naccount required pam_unix.so\n' \
	"$CONF" >"$R/etc/pam.d/imap"
doc 1 "an auth-only stack"
line fail pam:imap 'only in auth, not in the account phase' "auth only"
expect_nogrep 'before the password' "$T/out" "auth after the password is not 'before'"
good_root
printf '@include common-auth\naccount sufficient pam_permit.so\naccount required pam_bmsub.so conf=%s\n' "$CONF" >"$R/etc/pam.d/imap"
doc 1 "a sufficient line before the module"
line fail pam:imap "'sufficient pam_permit.so' ends the account phase" "sufficient before"
good_root
printf '@include common-auth\naccount [success=2 default=ignore] pam_unix.so\naccount requisite pam_deny.so\naccount required pam_bmsub.so conf=%s\n' \
	"$CONF" >"$R/etc/pam.d/imap"
doc 1 "success=2 jumps over the module"
line fail pam:imap 'jumps over pam_bmsub.so' "success=2"
good_root
printf '@include common-auth\naccount optional pam_bmsub.so conf=%s\n' "$CONF" >"$R/etc/pam.d/imap"
doc 1 "the module optional"
line fail pam:imap "control 'optional'" "optional"
good_root
printf '@include common-auth\n-account required pam_bmsub.so conf=%s\n' "$CONF" >"$R/etc/pam.d/imap"
doc 0 "-account: a warning"
line warn pam:imap "'-account'.*drop the '-'" "-account"
rm "$R$PAMDIR/pam_bmsub.so"
doc 1 "-account and the module missing"
line fail pam:imap 'let in ungated' "-account, missing module"
good_root
printf 'AUTH Required pam_unix.so\nAccount REQUIRED pam_bmsub.so conf=%s\n' "$CONF" >"$R/etc/pam.d/imap"
doc 0 "types and controls in capitals, as libpam takes them"
line ok pam:imap 'account required' "capitals"
good_root
printf '@include common-auth\naccount required pam_bmsub.so conf=%s\n' "$CONF" >"$R/etc/pam.d/frobmail"
doc 0 "an unmapped service: a warning only"
line warn pam:frobmail 'maps to category other' "category other"
good_root
printf '@include common-auth\naccount required pam_bmsub.so conf=%s service=imap\n' "$CONF" >"$R/etc/pam.d/frobmail"
doc 0 "an unmapped service with service=imap"
line ok pam:frobmail 'category imap' "service= maps it"
good_root
printf '@include common-auth\naccount required pam_bmsub.so conf=%s service=pop\n' "$CONF" >"$R/etc/pam.d/frobmail"
doc 1 "service= naming no category"
line fail pam:frobmail 'service=pop is no category' "service=pop"
expect_nogrep 'maps to category other' "$T/out" "an invalid service= is not also called unmapped"
good_root
printf '@include common-auth\naccount required pam_bmsub.so conf=%s service=other\n' "$CONF" >"$R/etc/pam.d/frobmail"
doc 0 "service=other chosen on the line"
line ok pam:frobmail 'category other' "service=other is a choice"
good_root
printf '@include common-auth\naccount required pam_bmsub.so\n' >"$R/etc/pam.d/imap"
doc 0 "a stack reading the default config, not -c"
line warn pam:imap "reads /[^ ]*bmsub.conf, not $CONF" "another config"
good_root
echo "account required pam_bmsub.so conf=$CONF" >>"$R/etc/pam.d/common-account"
doc 1 "the module in common-account"
line fail pam:common-account 'console, SSH' "common-account"
good_root
printf '@include common-auth\n@include common-missing\naccount required pam_bmsub.so conf=%s\n' "$CONF" >"$R/etc/pam.d/imap"
doc 1 "a stack including a missing file"
line fail pam:imap 'cannot read .*common-missing' "missing include"
good_root
printf 'auth include common-auth\naccount substack common-account\naccount required pam_bmsub.so conf=%s\n' "$CONF" >"$R/etc/pam.d/imap"
doc 0 "include and substack are followed"
line ok pam:imap 'after pam_unix.so' "include/substack"
good_root
printf '@include loop\n@include loop\n@include loop\n@include loop\naccount required pam_bmsub.so conf=%s\n' "$CONF" >"$R/etc/pam.d/loop"
printf '@include loop2\n@include loop2\n@include loop2\n@include loop2\n!include_try loop2\n' >"$R/etc/dovecot/conf.d/loop2"
cp "$R/etc/dovecot/conf.d/loop2" "$R/etc/dovecot/conf.d/loop2.conf"
sed -i 's/@include loop2/!include loop2.conf/' "$R/etc/dovecot/conf.d/loop2.conf"
expect_rc 1 "a stack that includes itself, a Dovecot file that includes itself" -- \
	nssw timeout 60 "$CHK" -c "$CONF" doctor --root "$R"
line fail pam:loop 'too deep or too many' "include loop"
good_root
for s in imap pop3 smtp webmail; do rm "$R/etc/pam.d/$s"; done
doc 1 "no stack names the module"
line fail pam 'no stack in .* names pam_bmsub.so' "no stack"
good_root
rm "$R$PAMDIR/pam_bmsub.so"
doc 1 "the module not in PAMDIR"
line fail module "$PAMDIR/pam_bmsub.so: No such file" "module missing"
line fail pam:imap 'every login of this service fails' "stack names a missing module"
good_root
printf '@include common-auth\naccount required %s/nowhere/pam_bmsub.so conf=%s\n' "$T" "$CONF" >"$R/etc/pam.d/imap"
doc 1 "a stack naming the module by a wrong absolute path"
line fail pam:imap "nowhere/pam_bmsub.so: No such file" "absolute path"
good_root
chmod 666 "$R$PAMDIR/pam_bmsub.so"
doc 1 "the module writable by others"
line fail module 'writable by group or others' "module mode"
good_root
mkfifo "$R/etc/pam.d/fifo"
doc 0 "a FIFO in pam.d does not hang doctor"
good_root
printf '@include common-auth\n@include common-account\naccount required pam_bmsub.so conf=%s\n' "$CONF" >"$R/etc/pam.d/webmail"
doc 0 "nginx's stack with pam_unix, www-data not in group shadow: a warning"
line warn pam:webmail 'as www-data, which is not in group shadow' "nginx and shadow"
line ok pam:imap '' "dovecot's stack with pam_unix is fine"
printf 'user nginx;\n' >"$R/etc/nginx/nginx.conf"
doc 0 "nginx's own user named in nginx.conf"
line warn pam:webmail 'as nginx, which' "nginx.conf's user"
printf 'user www-data;\n' >"$R/etc/nginx/nginx.conf"
printf 'server { location /m/ { auth_pam "M"; auth_pam_service_name "webmail"; } } # auth_pam_service_name "imap";\n' \
	>"$R/etc/nginx/sites-enabled/webmail"
doc 0 "several nginx statements on a line, a comment after them"
line warn pam:webmail 'as www-data, which is not in group shadow' "nginx statements on one line"
line ok pam:imap '' "a service named in an nginx comment is not nginx's"

# --- the state folder, keys, license, recipients, clock -------------------------------
good_root
sed "s|state_dir = .*|state_dir = \"$T/nostate\";|" "$CONF" >"$T/etc/nostate.conf"; chmod 644 "$T/etc/nostate.conf"
for s in imap pop3 smtp webmail; do sed -i "s|conf=$CONF|conf=$T/etc/nostate.conf|" "$R/etc/pam.d/$s"; done
expect_rc 1 "a missing state folder" -- nssw "$CHK" -c "$T/etc/nostate.conf" doctor --root "$R"
line fail state-dir "$T/nostate: No such file or directory.*install -d" "missing state folder"
line fail recipients '' "no state folder: no recipient either"
good_root
mkdir -p "$T/wstate" && chmod 777 "$T/wstate"
sed "s|state_dir = .*|state_dir = \"$T/wstate\";|" "$CONF" >"$T/etc/wstate.conf"; chmod 644 "$T/etc/wstate.conf"
expect_rc 1 "a state folder others can write" -- nssw "$CHK" -c "$T/etc/wstate.conf" doctor --root "$R"
line fail state-dir 'writable by group or others' "state folder 0777"
if need_root "doctor as uid 65534: a state folder the caller cannot write"; then
	UCHK=$(user_bin "$CHK")
	expect_rc 1 "doctor run by a user who cannot write the state folder" -- as_user env $NSSENV "$UCHK" -c "$CONF" doctor --root "$R"
	line fail state-dir "$T/state cannot be written by nobody" "state folder not writable by the caller"
	line ok license '' "the caller reads the license"
	expect_rc 2 "doctor --as another user, not root" -- as_user "$UCHK" -c "$CONF" doctor --as root
	expect_grep 'needs root' "$T/err" "--as needs root"
fi
"$CHK" -c "$CONF" recipients remove ops@example.com >/dev/null 2>&1
doc 1 "no recipient"
line fail recipients 'no alert recipient.*recipients add' "no recipient"
"$CHK" -c "$CONF" recipients add ops@example.com >/dev/null 2>&1
cp "$TOP/tests/data/keys/other.pub" "$T/etc/keys.d/other.pub"; chmod 644 "$T/etc/keys.d/other.pub"
doc 0 "a .pub in keys.d: a warning"
line warn keys "keys.d/other.pub is ignored \\(only NAME.pem files are read\\): rename it other.pem" "a .pub"
echo x >"$T/etc/keys.d/README"; chmod 644 "$T/etc/keys.d/README"
doc 0 "a README in keys.d"
line warn keys 'keys.d/README is ignored' "a README"
rm -f "$T/etc/keys.d/README"
echo junk >"$T/etc/keys.d/bad.pem"; chmod 644 "$T/etc/keys.d/bad.pem"
doc 0 "a .pem that is no key"
line warn keys 'bad.pem: key skipped' "a bad .pem"
rm -f "$T/etc/keys.d/bad.pem"
mkdir -p "$T/etc/keys2.d" && chmod 755 "$T/etc/keys2.d"
cp "$TOP/tests/data/keys/vendor1.pub" "$T/etc/keys2.d/vendor1.pub"; chmod 644 "$T/etc/keys2.d/vendor1.pub"
sed "s|keys_dir = .*|keys_dir = \"$T/etc/keys2.d\";|" "$CONF" >"$T/etc/keys2.conf"; chmod 644 "$T/etc/keys2.conf"
expect_rc 1 "the vendor key only as a .pub" -- nssw "$CHK" -c "$T/etc/keys2.conf" doctor --root "$R"
line fail keys 'vendor1.pub is ignored.*rename it vendor1.pem.*no trusted key' "only a .pub"
line fail license 'unknown-key' "license unverifiable without the key"
rm -f "$T/etc/keys.d/other.pub"
mv "$T/etc/license" "$T/etc/license.off"
doc 1 "no license"
line fail license 'no license at .*bmsub-check install' "no license"
mv "$T/etc/license.off" "$T/etc/license"
cp "$T/state/state" "$T/state.keep"
"$CHK" -c "$CONF" --at "$(date_utc 10)" --force-clock refresh >/dev/null 2>&1
doc 1 "H ahead of the clock"
line fail clock 'high-water mark is .*, (9|10) days ahead of the clock.*clock reset' "H ahead"
cp "$T/state.keep" "$T/state/state"
"$CHK" -c "$CONF" --at "$(date_utc 0 '%Y-%m-%dT%H:%M:%SZ')" refresh >/dev/null 2>&1
doc 0 "H at the clock"
line ok clock '' "H now"
cp "$T/etc/license" "$T/license.keep"
make_license "$T/etc/license" issued="$(date_utc 5)" expires="$(date_utc 300)" users=10
doc 0 "a license issued in the future: a warning"
line warn clock 'issued .* after the clock' "issued ahead"
cp "$T/license.keep" "$T/etc/license"
rm "$T/state/state"
doc 0 "no state yet: a warning"
line warn state 'bmsub-check refresh' "no state"
cp "$T/state.keep" "$T/state/state"
echo 'garbage' >"$T/state/state"
doc 1 "a corrupt state"
line fail state 'corrupt' "corrupt state"
cp "$T/state.keep" "$T/state/state"

# --- timers --------------------------------------------------------------------------
good_root
rm "$R/etc/systemd/system/timers.target.wants/"*
doc 0 "no timer: warnings"
line warn refresh-timer 'enable --now bmsub-refresh.timer' "no refresh timer"
line warn notify-timer 'enable --now bmsub-notify.timer' "no notify timer"
cp "$TOP/conf/bmsub.cron" "$R/etc/cron.d/bmsub.cron"
doc 0 "the cron file under a name cron skips"
line warn refresh-timer 'cron skips files whose name holds a dot' "bmsub.cron"
mv "$R/etc/cron.d/bmsub.cron" "$R/etc/cron.d/bmsub"
doc 0 "the cron file as /etc/cron.d/bmsub"
line ok refresh-timer "$R/etc/cron.d/bmsub runs bmsub-check refresh" "cron refresh"
line ok notify-timer "$R/etc/cron.d/bmsub runs bmsub-check notify" "cron notify"
sed -i '/notify/s/^/#/' "$R/etc/cron.d/bmsub"
doc 0 "a commented notify line"
line warn notify-timer 'nothing runs' "commented"
ln -s /x "$R/etc/systemd/system/timers.target.wants/bmsub-refresh.timer"
doc 0 "both the timer and cron"
line warn refresh-timer 'both' "twice"

# --- caches in front of PAM --------------------------------------------------------------
good_root
for o in '-c -m /var/run/saslauthd' '-m /var/run/saslauthd -c' '-cm /var/run/saslauthd' '-n 3 -c'; do
	printf 'MECHANISMS="pam"\nOPTIONS="%s"\n' "$o" >"$R/etc/default/saslauthd"
	doc 1 "saslauthd OPTIONS=$o"
	line fail saslauthd 'OPTIONS has -c.*remove -c' "saslauthd $o"
done
printf 'OPTIONS="-c -m /var/run/saslauthd"\n' >"$R/etc/default/saslauthd"
doc 1 "saslauthd -c, MECHANISMS unset (pam by default)"
line fail saslauthd 'OPTIONS has -c' "mechanisms default"
for o in '-m /var/run/c' '-m /var/run/saslauthd -n 5' '-mc'; do
	printf 'MECHANISMS="pam"\nOPTIONS="%s"\n' "$o" >"$R/etc/default/saslauthd"
	doc 0 "saslauthd OPTIONS=$o, no cache"
	line ok saslauthd 'no credential cache' "saslauthd $o"
done
printf 'MECHANISMS="shadow"\nOPTIONS="-c -m /run/saslauthd"\n' >"$R/etc/default/saslauthd"
doc 0 "saslauthd -c without PAM"
line ok saslauthd 'not pam' "saslauthd shadow"
good_root
printf 'auth_cache_size = 10M\nauth_cache_ttl = 2 hours\npassdb {\n  driver = pam\n  args = cache_key=%%u%%s %%s\n}\n' \
	>"$R/etc/dovecot/conf.d/10-auth.conf"
doc 1 "a Dovecot passdb cache"
line fail dovecot 'auth_cache_size = 10M and the PAM passdb .* has cache_key.*2 hours.*doveadm auth cache flush' "dovecot cache"
printf 'auth_cache_size = 10M\npassdb {\n  driver = pam\n  args = %%s\n}\n' >"$R/etc/dovecot/conf.d/10-auth.conf"
doc 0 "a Dovecot cache without cache_key"
line ok dovecot 'no cache_key' "no cache_key"
printf 'passdb {\n  driver = pam\n  args = cache_key=%%u %%s\n}\nprotocol imap {\n  auth_cache_size = 1M\n}\n' >"$R/etc/dovecot/conf.d/10-auth.conf"
doc 0 "cache_key, auth_cache_size only inside a block"
line ok dovecot 'auth_cache_size is 0' "size in a block"
printf 'auth_cache_size = 1M\n!include_try /etc/dovecot/extra.conf\n' >"$R/etc/dovecot/conf.d/10-auth.conf"
printf 'passdb {\n  driver = pam\n  args = cache_key=%%u dovecot\n}\n' >"$R/etc/dovecot/extra.conf"
doc 1 "an absolute !include_try under --root"
line fail dovecot 'extra.conf\) has cache_key' "absolute include"

# the Lua passdb of conf/dovecot/: its module must be where Lua loads it
LUADIR=/usr/local/lib/lua/5.4
printf 'passdb {\n  driver = pam\n  args = %%s\n  result_success = continue-ok\n}\npassdb {\n  driver = lua\n  args = file=/etc/dovecot/bmsub.lua blocking=yes\n  skip = unauthenticated\n}\n' \
	>"$R/etc/dovecot/conf.d/10-auth.conf"
rm -f "$R$LUADIR/bmsub.so"
doc 1 "the bmsub Lua passdb, module missing"
line fail dovecot-lua "10-auth.conf uses bmsub but bmsub.so is in none of $LUADIR, " "Lua module missing"
mkdir -p "$R$LUADIR" && cp "$B/bmsub.so" "$R$LUADIR/bmsub.so"
doc 0 "the bmsub Lua passdb, module present"
line ok dovecot-lua "module .*$LUADIR/bmsub.so present" "Lua module present"
printf 'passdb {\n  driver = lua\n  args = file=/etc/dovecot/other.lua\n}\n' >"$R/etc/dovecot/conf.d/10-auth.conf"
doc 0 "another Lua passdb"
expect_nogrep dovecot-lua "$T/out" "a Lua passdb not naming bmsub is not judged"
good_root

# the live system (read only): Dovecot's configuration as doveconf -n gives it
if [ -x /usr/bin/doveconf ] && [ -f /etc/dovecot/dovecot.conf ] && doveconf -n >/dev/null 2>&1; then
	"$CHK" -c "$CONF" doctor >"$T/out" 2>"$T/err"
	line '(ok|fail)' dovecot '\(doveconf -n\)|no PAM passdb in doveconf -n' "doveconf -n on the live system"
else
	echo "doveconf -n not usable here: the live-system Dovecot case is not run"
fi

# --- the webmail side (bmsub-web) ----------------------------------------------------
W=$R/etc/nginx/sites-enabled/webmail
WANTS=$R/etc/systemd/system/sockets.target.wants
# dropin UNIT LINE...: a drop-in for UNIT in the image's /etc
dropin() {
	_u=$1; shift
	mkdir -p "$R/etc/systemd/system/$_u.d" && printf '%s\n' "$@" >"$R/etc/systemd/system/$_u.d/test.conf"
}
unweb() { rm -f "$WANTS"/bmsub-web*; sed -i '/bmsub-/d' "$W"; }
# web_case WANT STATUS CHECK PATTERN DESC SETUP: on the correct system
# changed by SETUP, doctor exits WANT and CHECK says STATUS and PATTERN
web_case() {
	good_root; eval "$6"
	doc "$1" "web: $5"
	line "$2" "$3" "$4" "web: $5"
}
web_case 0 warn web 'auth_pam alone: no banner.*bmsub-web\(8\)' "nginx's auth_pam, no bmsub-web" unweb
expect_grep '^ok +web-user ' "$T/out" "web: installed, not deployed: the user still checked"
expect_nogrep 'web-groups' "$T/out" "web: no socket enabled, no group check"
web_case 0 ok web 'not deployed' "no nginx, no bmsub-web" \
	'unweb; rm "$W" "$R/usr/sbin/bmsub-web"'
expect_nogrep 'web-user|web-groups' "$T/out" "web: nothing installed, nothing about its user"
web_case 1 fail web 'bmsub-gate.conf, which is not there: nginx does not start' "an included snippet missing" \
	'rm "$R$EX/bmsub-gate.conf"'
web_case 1 fail web 'no server includes bmsub-web.conf.*every webmail request fails' "the gate without the page" \
	'sed -i "/bmsub-web.conf/d" "$W"'
web_case 0 warn web 'no location includes bmsub-gate.conf: no banner, no redirect' "the page without the gate" \
	'sed -i "/bmsub-gate.conf/d" "$W"'
web_case 0 warn web 'sockets are enabled but nothing under .* names bmsub-web' "sockets, no nginx" \
	'sed -i "/bmsub-/d" "$W"'
web_case 0 warn web 'bmsub-web.socket is not enabled.*unless spawn-fcgi' "nginx, no socket" \
	'rm "$WANTS"/bmsub-web*'
web_case 0 warn web 'bmsub-web.socket is not enabled' "the socket masked" \
	'ln -s /dev/null "$R/etc/systemd/system/bmsub-web.socket"'
web_case 0 warn web 'bmsub-web-priv.socket is not enabled: the page.s forms answer 503' "no helper socket" \
	'rm "$WANTS/bmsub-web-priv.socket"'
web_case 1 fail web 'passes to /run/bmsub-web.sock but bmsub-web.socket listens on /run/other.sock' \
	"a drop-in moves the socket" 'dropin bmsub-web.socket "[Socket]" "ListenStream=" "ListenStream=/run/other.sock"'
web_case 1 fail web 'bmsub-web.socket is enabled but no unit file' "the enabled unit's file gone" \
	'rm "$R/lib/systemd/system/bmsub-web.socket"'
web_case 0 ok web 'enabled; nginx: gate in .*webmail, page in .*webmail' "the page's snippet copied under /etc/nginx" \
	'mkdir -p "$R/etc/nginx/snippets"; cp "$TOP/conf/nginx/bmsub-web.conf" "$R/etc/nginx/snippets/";
	 sed -i "s|include $EX/bmsub-web.conf|include /etc/nginx/snippets/bmsub-web.conf|" "$W"'
web_case 1 fail web 'includes .*/etc/nginx/snippets/bmsub-web.conf, which is not there' "a snippet under /etc/nginx missing" \
	'sed -i "s|include $EX/bmsub-web.conf|include /etc/nginx/snippets/bmsub-web.conf|" "$W"'
web_case 1 fail web 'passes to /run/bmsub-web2.sock but bmsub-web.socket listens on /run/bmsub-web.sock' \
	"a copied snippet naming another socket" \
	'mkdir -p "$R/etc/nginx/snippets"; sed "s|/run/bmsub-web.sock|/run/bmsub-web2.sock|" "$TOP/conf/nginx/bmsub-web.conf" >"$R/etc/nginx/snippets/bmsub-web.conf";
	 sed -i "s|include $EX/bmsub-web.conf|include /etc/nginx/snippets/bmsub-web.conf|" "$W"'
web_case 1 fail web-user 'no user bmsub-nosuch: bmsub-web.service cannot start' "the service's user missing" \
	'dropin bmsub-web.service "[Service]" "User=bmsub-nosuch"'
web_case 0 warn web-user 'no user bmsub-nosuch' "the user missing, no socket enabled" \
	'dropin bmsub-web.service "[Service]" "User=bmsub-nosuch"; rm "$WANTS"/bmsub-web*'
web_case 1 fail web-user 'runs as root: bmsub-web refuses to run as root' "the service as root" \
	'dropin bmsub-web.service "[Service]" "User=root"'
web_case 1 fail web-user 'no group bmsub-nogroup' "the service's group missing" \
	'dropin bmsub-web.service "[Service]" "Group=bmsub-nogroup"'
web_case 1 fail web-groups 'bmsub-web runs as www-data, not in group bmsub-web of bmsub-web-priv.socket.*503' \
	"the responder outside the helper socket's group" 'dropin bmsub-web.service "[Service]" "User=www-data" "Group=www-data"'
line fail web-groups 'serves bmsub-web only: add --allow-user www-data' "web: the helper refuses another user"
web_case 1 fail web-groups 'no group nosuchgroup-bmsub \(SocketGroup= of bmsub-web.socket\)' "the socket's group missing" \
	'dropin bmsub-web.socket "[Socket]" "SocketGroup=nosuchgroup-bmsub"'
web_case 1 fail web-groups "nginx's workers run as nobody, not in group www-data of bmsub-web.socket \\(mode 0660\\)" \
	"nginx's workers outside the socket's group" 'sed -i "s/^user .*/user nobody;/" "$R/etc/nginx/nginx.conf"'
web_case 0 ok web-groups "nginx's nobody reaches bmsub-web.socket" "a socket open to all reaches nginx's nobody" \
	'sed -i "s/^user .*/user nobody;/" "$R/etc/nginx/nginx.conf"; dropin bmsub-web.socket "[Socket]" "SocketMode=0666"'
web_case 0 warn web-groups 'bmsub-web-priv.socket is open to every user \(mode 0666\)' "the helper socket open to all" \
	'dropin bmsub-web-priv.socket "[Socket]" "SocketMode=0666"'
web_case 1 fail web-groups 'bmsub-web runs as bmsub-web, not in group www-data of bmsub-web-priv.socket' \
	"the helper socket in another group" 'dropin bmsub-web-priv.socket "[Socket]" "SocketGroup=www-data"'

# admin_url: a host and a path below which the page lies
# au_case WANT STATUS PATTERN URL ("" drops admin_url)
au_case() {
	if [ -n "$4" ]; then
		sed "s|^admin_url = .*|admin_url = \"$4\";|" "$CONF" >"$T/etc/au.conf"
	else
		grep -v '^admin_url' "$CONF" >"$T/etc/au.conf"
	fi
	chmod 644 "$T/etc/au.conf"
	expect_rc "$1" "admin_url '$4'" -- nssw "$CHK" -c "$T/etc/au.conf" doctor --root "$R"
	line "$2" admin-url "$3" "admin_url '$4'"
}
good_root
au_case 1 fail 'is not set in .*au.conf: administrators .* sends them nowhere' ''
au_case 1 fail 'has no path: .*no administrator is ever sent there.*https://mail.example.com/bmsub/' https://mail.example.com
au_case 1 fail 'has no path' https://mail.example.com/
au_case 1 fail 'has no path' 'https://mail.example.com//?page=1'
au_case 1 fail 'names no host' https:///bmsub/
au_case 1 fail 'names no host' https://:443/bmsub/
au_case 0 warn 'is plain http: .*in clear' http://mail.example.com/bmsub/
au_case 0 ok 'http://127.0.0.1:8080/bmsub/' http://127.0.0.1:8080/bmsub/
au_case 0 ok 'https://mail.example.com/bmsub/' https://mail.example.com/bmsub/
unweb
au_case 0 warn 'is not set' ''
au_case 0 warn 'has no path' https://mail.example.com
rm "$W" "$R/usr/sbin/bmsub-web"
grep -v '^admin_url' "$CONF" >"$T/etc/au.conf"
expect_rc 0 "no admin_url, no bmsub-web" -- nssw "$CHK" -c "$T/etc/au.conf" doctor --root "$R"
expect_nogrep 'admin-url|web-user' "$T/out" "no admin_url and no bmsub-web: nothing to say"
good_root

# --- usage errors: exit 2 ------------------------------------------------------------------
good_root
for args in "--bogus" "--as" "--as nosuchuser-bmsub" "--root" "--root relative/dir" "--root $T/missing" \
	"extra" "--at $(date_utc 0)" "--user alice"; do
	# shellcheck disable=SC2086
	expect_rc 2 "doctor $args" -- "$CHK" -c "$CONF" doctor $args
	[ "$(wc -l <"$T/err")" = 1 ] && ok || fail "doctor $args: not one line on stderr: $(cat "$T/err")"
	expect_nogrep '.' "$T/out" "doctor $args: nothing on stdout"
done
expect_rc 2 "doctor --json --bogus" -- "$CHK" -c "$CONF" doctor --json --bogus
json_ok "$T/out"
expect_rc 2 "doctor with a config that cannot be read" -- "$CHK" -c "$T/missing.conf" doctor --root "$R"
done_checks
