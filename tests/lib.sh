# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - sourced by tests/sh/*.sh: a private temp dir, assertions, and a
# closing "ok: N checks" line. Environment from run.sh: TOP, B (normal
# build), SB (sanitizer build). A script exits 0 (pass), 1 (fail), 77 (skip).
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${B:=$TOP/build}"
: "${SB:=$B/san}"
T=$(mktemp -d /tmp/bmsub-test.XXXXXX)
chmod 755 "$T"
n_checks=0 n_fail=0
cleanup_hooks=
at_exit() { cleanup_hooks="$1; $cleanup_hooks"; }
_finish() {
	eval "$cleanup_hooks"
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap _finish EXIT
trap 'exit 1' INT TERM

fail() { n_fail=$((n_fail + 1)); echo "FAIL: $*"; }
ok() { n_checks=$((n_checks + 1)); }
# expect_rc WANT DESC -- command...
expect_rc() {
	want=$1 desc=$2; shift 3
	"$@" >"$T/out" 2>"$T/err"; got=$?
	n_checks=$((n_checks + 1))
	if [ "$got" != "$want" ]; then
		fail "$desc: exit $got, want $want: $*"
		sed 's/^/  out| /' "$T/out" | head -n 20
		sed 's/^/  err| /' "$T/err" | head -n 20
		return 1
	fi
	return 0
}
# expect_grep PATTERN FILE DESC
expect_grep() {
	n_checks=$((n_checks + 1))
	grep -qE -- "$1" "$2" || { fail "$3: /$1/ not in $2:"; head -n 20 "$2" | sed 's/^/  | /'; return 1; }
}
expect_nogrep() {
	n_checks=$((n_checks + 1))
	! grep -qE -- "$1" "$2" || { fail "$3: /$1/ unexpectedly in $2"; return 1; }
}
done_checks() {
	_nr=
	[ "$n_notrun" = 0 ] || _nr=", $n_notrun not run (need root)"
	if [ "$n_fail" != 0 ]; then echo "$n_fail of $n_checks checks failed$_nr"; exit 1; fi
	echo "ok: $n_checks checks$_nr"; exit 0
}
skip() { echo "skip: $*"; exit 77; }

# Privileges. A case whose answer depends on who runs it is written for
# both identities and runs as both in one make check: as root directly,
# and as the unprivileged uid/gid 65534 ("nobody", no groups) through
# as_user. Run unprivileged, as_user runs the command as we are, and a
# case only root can set up is announced by need_root and counted: it
# says "not run (needs root)", it does not vanish.
USER_UID=65534 USER_GID=65534
n_notrun=0
is_root() { [ "$(id -u)" = 0 ]; }
# need_root DESC: true as root; else prints the "not run" line, counts it.
need_root() {
	is_root && return 0
	n_notrun=$((n_notrun + 1))
	echo "not run (needs root): $*"
	return 1
}
# as_user CMD...: CMD (a program, not a shell function) as uid 65534 when
# we are root, else as ourselves; from $T, so that a checkout under a
# private /root is neither the working folder nor needed. What CMD reads
# must be readable by that user: see user_bin.
as_user() {
	(
		cd "$T" || exit 125
		is_root || exec "$@"
		exec setpriv --reuid=$USER_UID --regid=$USER_GID --clear-groups \
			env HOME=/ "$@"
	)
}
# user_bin PROGRAM: prints the path of a copy of PROGRAM that uid 65534 can
# run wherever the checkout lies: in a new folder under $T (0755, root's,
# under sticky /tmp, so bmsub accepts it), with the libbmsub.so* its
# $ORIGIN runpath needs.
user_bin() {
	mkdir -p "$T/user" && chmod 755 "$T/user" &&
	_d=$(mktemp -d "$T/user/bin.XXXXXX") && chmod 755 "$_d" &&
	cp "$1" "$_d/" || return 1
	for _l in "$(dirname "$1")"/libbmsub.so*; do
		[ ! -e "$_l" ] || cp -P "$_l" "$_d/" || return 1
	done
	chmod -R a+rX "$_d"
	echo "$_d/$(basename "$1")"
}

# key_id NAME: the license key id of tests/data/keys/NAME.pub.
key_id() {
	openssl pkey -pubin -in "$TOP/tests/data/keys/$1.pub" -outform DER |
		tail -c 32 | sha256sum | cut -c1-16
}

# make_license OUT [signer=vendor1] [field=value ...]: a license signed with
# the stock openssl CLI (SPEC section 1). Defaults give a valid prod license;
# any field can be overridden, "field=" drops it, x-* fields are appended.
make_license() {
	_out=$1; shift
	_signer=vendor1
	_format=1 _id=BM-TEST-1 _customer="Example SA" _kind=prod
	_issued=2026-01-01 _starts= _expires=2027-01-01 _users=100
	_grace= _allow= _key= _extra=
	for _a in "$@"; do
		_v=${_a#*=}
		case $_a in
		signer=*) _signer=$_v ;;
		format=*) _format=$_v ;;
		id=*) _id=$_v ;;
		customer=*) _customer=$_v ;;
		kind=*) _kind=$_v ;;
		issued=*) _issued=$_v ;;
		starts=*) _starts=$_v ;;
		expires=*) _expires=$_v ;;
		users=*) _users=$_v ;;
		grace-days=*) _grace=$_v ;;
		allowance-percent=*) _allow=$_v ;;
		key=*) _key=$_v ;;
		x-*) _extra="$_extra${_a%%=*}: $_v
" ;;
		*) echo "make_license: bad argument $_a" >&2; return 2 ;;
		esac
	done
	[ -n "$_key" ] || _key=$(key_id "$_signer")
	{
		echo "-----BEGIN BMSUB LICENSE-----"
		[ -z "$_format" ] || echo "format: $_format"
		[ -z "$_id" ] || echo "id: $_id"
		[ -z "$_customer" ] || echo "customer: $_customer"
		[ -z "$_kind" ] || echo "kind: $_kind"
		[ -z "$_issued" ] || echo "issued: $_issued"
		[ -z "$_starts" ] || echo "starts: $_starts"
		[ -z "$_expires" ] || echo "expires: $_expires"
		[ -z "$_users" ] || echo "users: $_users"
		[ -z "$_grace" ] || echo "grace-days: $_grace"
		[ -z "$_allow" ] || echo "allowance-percent: $_allow"
		[ -z "$_key" ] || echo "key: $_key"
		printf '%s' "$_extra"
	} >"$_out.body"
	_sig=$(openssl pkeyutl -sign -rawin -inkey "$TOP/tests/data/keys/$_signer.key" \
		-in "$_out.body" | base64 -w0) || return 1
	{
		cat "$_out.body"
		echo "-----BEGIN BMSUB SIGNATURE-----"
		echo "$_sig"
		echo "-----END BMSUB LICENSE-----"
	} >"$_out"
	rm -f "$_out.body"
	chmod 644 "$_out"
}

# date_utc OFFSET_DAYS [FORMAT]: today's date (UTC) shifted by N days.
date_utc() { date -u -d "@$(( $(date +%s) + $1 * 86400 ))" +"${2:-%Y-%m-%d}"; }

# json_ok FILE: FILE holds exactly one JSON object, in strict UTF-8.
json_ok() {
	n_checks=$((n_checks + 1))
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1], encoding="utf-8", errors="strict")); assert isinstance(d, dict), "not an object"' "$1" 2>"$T/json.err" ||
		{ fail "invalid JSON in $1: $(cat "$T/json.err")"; head -c 400 "$1"; return 1; }
}

# json_get FILE EXPR: prints a value of the JSON in FILE (python expression
# over "d").
json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1], encoding="utf-8")); v=eval(sys.argv[2]); print("null" if v is None else (str(v).lower() if isinstance(v,bool) else v))' "$1" "$2"; }

# setup_etc: a private configuration in $T/etc with the test keys trusted.
# CONF is its path. Extra libconfig lines may be passed as arguments.
setup_etc() {
	mkdir -p "$T/etc/keys.d" "$T/state"
	chmod 755 "$T/etc" "$T/etc/keys.d" "$T/state"
	cp "$TOP/tests/data/keys/vendor1.pub" "$T/etc/keys.d/vendor1.pem"
	cp "$TOP/tests/data/keys/vendor2.pub" "$T/etc/keys.d/vendor2.pem"
	chmod 644 "$T/etc/keys.d/"*.pem
	CONF=$T/etc/bmsub.conf
	{
		echo "license = \"$T/etc/license\";"
		echo "keys_dir = \"$T/etc/keys.d\";"
		echo "state_dir = \"$T/state\";"
		echo "admin_url = \"https://admin.example.test/subscription\";"
		echo 'admins = { users = ["boss"]; };'
		for l in "$@"; do echo "$l"; done
	} >"$CONF"
	chmod 644 "$CONF"
}
