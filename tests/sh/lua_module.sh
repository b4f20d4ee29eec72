#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# lua_module.sh - the Lua module bmsub.so (require "bmsub") driven by the
# stock lua5.4 interpreter: a table of decisions (allowed, admin, external,
# blocked, over-count, unusable configuration) and of bad arguments, each
# a Lua error and never a crash; the same cases again with the sanitizer
# build's module (ASan+UBSan preloaded into lua5.4).
. "$(dirname "$0")/../lib.sh"

command -v lua5.4 >/dev/null || skip "missing lua5.4 (tools/deps.sh check)"
[ -f "$B/bmsub.so" ] || { echo "no $B/bmsub.so: run make first"; exit 1; }
CHK=$B/bmsub-check

setup_etc 'services = { imap = ["imap", "pop3"]; };' \
	"users = { roster = \"$T/etc/hosted\"; external = { roster = \"$T/etc/external\"; }; };"
printf 'alice\nbob\nboss\n' >"$T/etc/hosted"
printf 'ext\n' >"$T/etc/external"
chmod 644 "$T/etc/hosted" "$T/etc/external"
now=$(date +%s)
lic() { make_license "$T/etc/license.new" id="BM-LUA-$1" \
	issued="$(date_utc -400 %Y-%m-%dT%H:%M:%SZ)" \
	expires="$(date_utc "$1" %Y-%m-%dT%H:%M:%SZ)" && mv -f "$T/etc/license.new" "$T/etc/license"; }
state() { # COUNT [OVER_SINCE_DAYS_AGO]
	{ echo "bmsub-state 1"; echo "count $1"
	  [ -z "${2:-}" ] || echo "over-since $((now - $2 * 86400))"
	  echo "high-water $now"; echo "refreshed $now"; echo end; } >"$T/state/state.new" &&
	chmod 644 "$T/state/state.new" && mv -f "$T/state/state.new" "$T/state/state"
}
lic 200
"$CHK" -c "$CONF" refresh >"$T/refresh.out" 2>&1 || { cat "$T/refresh.out"; fail "refresh"; done_checks; }

# run_lua SO CODE: CODE with bmsub loaded from SO's folder as "b"
run_lua() {
	LUA_CPATH_5_4="$(dirname "$1")/?.so" lua5.4 -e "b = require 'bmsub'; CONF = '$CONF'" -e "$2"
}

# One table per license situation: user, service, want decision, reason.
# "nil" is the unusable-configuration answer (nil, token, message).
cases_valid='
alice imap allow ok
alice pop3 allow ok
bob imap allow ok
boss imap allow ok
boss webmail allow ok
ext imap deny not-hosted
ext pop3 deny not-hosted
ext webmail deny not-hosted
nobody imap allow ok
'
cases_expired='
alice imap deny expired
bob pop3 deny expired
boss imap deny expired
ext imap deny not-hosted
'
cases_over='
alice imap deny over-count-blocked
boss imap deny over-count-blocked
ext imap deny not-hosted
'
# check_cases SO CASES DESC
check_cases() {
	printf '%s\n' "$2" | while read -r u s want reason; do
		[ -n "$u" ] || continue
		got=$(run_lua "$1" "local d, r, m, p = b.decide('$u', '$s', CONF); print(d, r, m ~= nil and #m > 0, p)" 2>&1)
		echo "$3: $u $s -> $got"
		case $got in
		"$want	$reason	"*) echo PASS ;;
		*) echo "FAIL: $3: $u $s: want $want $reason, got: $got" ;;
		esac
	done >"$T/cases.out"
	cat "$T/cases.out"
	n=$(grep -c '^PASS$' "$T/cases.out"); f=$(grep -c '^FAIL' "$T/cases.out")
	n_checks=$((n_checks + n + f)); n_fail=$((n_fail + f))
}

# bad arguments: each must raise a Lua error (pcall false) naming it
bad_args='
b.decide()|string expected
b.decide("alice")|string expected
b.decide(nil, "imap")|string expected
b.decide("alice", nil)|string expected
b.decide(print, "imap")|string expected
b.decide({}, "imap")|string expected
b.decide("alice", {})|string expected
b.decide("", "imap")|empty user
b.decide("alice", "")|empty service
b.decide("al\nice", "imap")|control characters
b.decide("al\0ice", "imap")|control characters
b.decide("alice\27[1m", "imap")|control characters
b.decide("alice", "im\tap")|control characters
b.decide("ali\127ce", "imap")|control characters
b.decide("alice", "imap", "relative.conf")|absolute path
b.decide("alice", "imap", "")|empty conf
b.decide("alice", "imap", 42)|absolute path
b.decide("alice", "imap", CONF, "bogus")|unknown category
b.decide("alice", "imap", CONF, "")|empty category
b.decide("alice", "imap", CONF, "IMAP")|unknown category
b.decide("alice", "imap", CONF, "imap", 5)|at most 4 arguments
b.decide("alice", "imap", CONF, true)|string expected
'
check_bad() { # SO DESC
	printf '%s\n' "$bad_args" | while IFS='|' read -r code want; do
		[ -n "$code" ] || continue
		got=$(run_lua "$1" "local ok, e = pcall(function() return $code end); print(ok, e)" 2>&1)
		rc=$?
		case $rc:$got in
		"0:false	"*"$want"*) echo PASS ;;
		*) echo "FAIL: $2: $code: want a Lua error with '$want', got rc=$rc: $got" ;;
		esac
	done >"$T/bad.out"
	cat "$T/bad.out"
	n=$(grep -c '^PASS$' "$T/bad.out"); f=$(grep -c '^FAIL' "$T/bad.out")
	n_checks=$((n_checks + n + f)); n_fail=$((n_fail + f))
}

# unusable configurations: nil, the error token, a message naming the file
check_nil() { # SO DESC
	for c in /nonexistent/bmsub.conf "$T/etc/bad.conf" "$T/etc/unknown.conf" "$T/etc/open.conf"; do
		got=$(run_lua "$1" "print(b.decide('alice', 'imap', '$c'))" 2>&1)
		n_checks=$((n_checks + 1))
		case $got in
		"nil	"*"$c"*) echo "$2: $c -> $got" ;;
		*) fail "$2: $c: want nil, token, message naming it; got: $got" ;;
		esac
	done
}
echo 'license = ' >"$T/etc/bad.conf"
echo 'no_such_key = 1;' >"$T/etc/unknown.conf"
cp "$CONF" "$T/etc/open.conf"
chmod 644 "$T/etc/bad.conf" "$T/etc/unknown.conf"
chmod 666 "$T/etc/open.conf"

# it exports luaopen_bmsub only, and carries no operator code (counting,
# writing, mail): the login half of the library, as pam_bmsub.so
nm -D --defined-only "$B/bmsub.so" | awk '{ print $3 }' | grep -v '^_' >"$T/exports"
n_checks=$((n_checks + 1))
[ "$(cat "$T/exports")" = luaopen_bmsub ] || fail "bmsub.so exports: $(tr '\n' ' ' <"$T/exports")"
n_checks=$((n_checks + 1))
! nm "$B/bmsub.so" | grep -qE ' [tT] bmsub_(count_users|recipients_save|state_save|mail_compose|user_sets_build)$' ||
	fail "bmsub.so carries operator code"

# module fields, and one cached context serving many calls
got=$(run_lua "$B/bmsub.so" "print(type(b.decide), b.version, b.default_conf)")
n_checks=$((n_checks + 1))
case $got in "function	"[0-9]*"	/"*bmsub.conf) ;; *) fail "module fields: $got" ;; esac
got=$(run_lua "$B/bmsub.so" "local n = 0 for i = 1, 2000 do if b.decide('alice', 'imap', CONF) == 'allow' then n = n + 1 end end print(n)")
n_checks=$((n_checks + 1))
[ "$got" = 2000 ] || fail "2000 calls on one context: $got"

# check_one SO CODE WANT DESC: what CODE prints, exactly
check_one() {
	got=$(run_lua "$1" "$2" 2>&1 | tr '\n' ' ')
	n_checks=$((n_checks + 1))
	[ "$got" = "$3" ] || fail "$4: got '$got', want '$3'"
}
cp "$CONF" "$T/etc/later.conf"
chmod 644 "$T/etc/later.conf"

all_cases() { # SO DESC
	lic 200; state 3
	check_cases "$1" "$cases_valid" "$2 valid"
	check_one "$1" "local d, r, m, p = b.decide('alice', 'imap', CONF) print(d, p)" \
		"allow	ok " "$2: valid: the phase"
	# one context a config path: another path in the same process is
	# its own (and an unusable one stays unusable)
	check_one "$1" "print(b.decide('alice', 'imap', CONF) ~= nil, b.decide('alice', 'imap', '/nonexistent/bmsub.conf') == nil)" \
		"true	true " "$2: a second config path in one process"
	# a configuration that turns unusable under a live context: nil
	check_one "$1" "print(b.decide('alice', 'imap', '$T/etc/later.conf') ~= nil) os.execute('chmod 666 $T/etc/later.conf') print(b.decide('alice', 'imap', '$T/etc/later.conf') == nil)" \
		"true true " "$2: config opened to everyone under a live context"
	chmod 644 "$T/etc/later.conf"
	lic -20
	check_cases "$1" "$cases_expired" "$2 expired"
	check_one "$1" "local d, r, m, p = b.decide('boss', 'imap', CONF) print(d, p)" \
		"deny	blocked " "$2: expired: the phase"
	# the category argument outranks the service's
	check_one "$1" "print((b.decide('boss', 'imap', CONF, 'webmail')))" \
		"redirect " "$2: admin, category webmail given"
	check_one "$1" "print((b.decide('boss', 'webmail', CONF, 'imap')))" \
		"deny " "$2: admin, category imap given"
	lic 200; state 150 40
	check_cases "$1" "$cases_over" "$2 over-count"
	state 3
	check_bad "$1" "$2"
	check_nil "$1" "$2"
	# a license dropped in is seen at the next call of the same context
	cp "$T/etc/license" "$T/etc/valid.lic"
	make_license "$T/etc/expired.lic" id=BM-LUA-DROP \
		issued="$(date_utc -400 %Y-%m-%dT%H:%M:%SZ)" \
		expires="$(date_utc -20 %Y-%m-%dT%H:%M:%SZ)"
	got=$(run_lua "$1" "print(b.decide('alice', 'imap', CONF)) os.rename('$T/etc/expired.lic', '$T/etc/license') print(b.decide('alice', 'imap', CONF))" 2>&1 | cut -f1,2 | tr '\n' ' ')
	n_checks=$((n_checks + 1))
	case $got in "allow	ok deny	expired ") ;; *) fail "$2: drop-in in one process: $got" ;; esac
	mv -f "$T/etc/valid.lic" "$T/etc/license"
}
all_cases "$B/bmsub.so" plain

# the sanitizer build's module, if built (make B=build/san SAN=1 tests)
asan=$(${CC:-cc} -print-file-name=libasan.so 2>/dev/null)
ubsan=$(${CC:-cc} -print-file-name=libubsan.so 2>/dev/null)
if [ -f "$SB/bmsub.so" ] && [ -f "$asan" ] && [ -f "$ubsan" ]; then
	# lua5.4 itself leaks nothing to speak of; the module's cache is
	# never freed by design (like pam_bmsub's)
	export LD_PRELOAD="$asan $ubsan" ASAN_OPTIONS="detect_leaks=0:abort_on_error=0"
	all_cases "$SB/bmsub.so" asan
	unset LD_PRELOAD
else
	echo "not run: sanitizer module ($SB/bmsub.so, libasan)"
fi
done_checks
