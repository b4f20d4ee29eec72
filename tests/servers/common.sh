# SPDX-License-Identifier: GPL-2.0-or-later
# common.sh - sourced by tests/sh/server_*.sh after tests/lib.sh: a private
# bmsub setup under $T/bmsub, PAM stacks for pam_wrapper in $T/pam.d with
# pam_matrix checking passwords from $T/passdb, fake users for nss_wrapper,
# free loopback ports, waiting for daemons, stopping them by PID. Nothing in /etc.
#
# Users: alice (password "secret", a user) and admin0 ("secret", the
# subscription administrator of admins.users).

WRAPDIR=/usr/lib/x86_64-linux-gnu
PAM_MATRIX=$WRAPDIR/pam_wrapper/pam_matrix.so
MODULE=${BMSUB_TEST_MODULE:-$B/pam_bmsub.so}	# override: infrastructure checks
SRV=$TOP/tests/servers

# srv_need FILE_OR_COMMAND...: skip (77) when one is truly missing.
srv_need() {
	for x; do
		case $x in
		/*) [ -e "$x" ] || skip "missing $x (tools/deps.sh check installs it)" ;;
		*) command -v "$x" >/dev/null 2>&1 ||
			[ -x "/usr/sbin/$x" ] || skip "missing $x (tools/deps.sh check)" ;;
		esac
	done
	[ -f "$MODULE" ] || { echo "no $MODULE: run make first"; exit 1; }
}

# A free TCP port on 127.0.0.1 (the kernel picks it).
srv_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# srv_wait_port PORT: until something listens (10 s).
srv_wait_port() {
	i=0
	while [ $i -lt 100 ]; do
		python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" 2>/dev/null && return 0
		sleep 0.1; i=$((i + 1))
	done
	echo "nothing listens on 127.0.0.1:$1"
	return 1
}

# srv_wait TEST PATH: until "test TEST PATH" holds (5 s): -s for a pid
# file, -S for a socket, -e; false when it never did.
srv_wait() {
	i=0
	while ! test "$1" "$2" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	test "$1" "$2"
}

# srv_started NAME PIDFILE [LOG...]: the daemon NAME wrote PIDFILE (5 s):
# SRV_PID is its PID, stopped at exit. Else the logs are shown, false.
srv_started() {
	_sn=$1 _sf=$2; shift 2
	SRV_PID=
	srv_wait -s "$_sf" && SRV_PID=$(tr -d ' \n' <"$_sf")
	[ -n "$SRV_PID" ] || { echo "$_sn did not start"; cat "$@" 2>/dev/null; return 1; }
	at_exit "srv_stop $SRV_PID"
}

# srv_nginx DIR [PREFIX...]: nginx on DIR/nginx.conf (pid DIR/nginx.pid,
# logs in DIR), run through PREFIX (env LD_PRELOAD=...) when given; SRV_PID.
srv_nginx() {
	_nd=$1; shift
	"$@" nginx -c "$_nd/nginx.conf" -p "$_nd/" >"$_nd/start.log" 2>&1 ||
		{ cat "$_nd/start.log" "$_nd/error.log" 2>/dev/null; return 1; }
	srv_started nginx "$_nd/nginx.pid" "$_nd/error.log"
}

# srv_stop PID: TERM, wait up to 5 s, then KILL. Only this PID, and only
# once (the exit hook must not signal a recycled PID).
srv_stopped=
srv_stop() {
	[ -n "${1:-}" ] || return 0
	case " $srv_stopped " in *" $1 "*) return 0 ;; esac
	srv_stopped="$srv_stopped $1"
	kill -TERM "$1" 2>/dev/null || return 0
	i=0
	while srv_alive "$1" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "$1" 2>/dev/null || true
	return 0
}

# srv_alive PID: the process runs. A daemon that left its parent and
# exited is a zombie until an init that reaps slowly gets to it: it
# counts as stopped (kill -0 would say it still runs).
srv_alive() {
	kill -0 "$1" 2>/dev/null || return 1
	_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "${_st%% *}" != Z ]
}

# srv_license DAYS [ID]: sign and rename a license into place (no restart).
srv_license() {
	make_license "$T/bmsub/license.new" id="${2:-BM-TEST-$1}" \
		issued="$(date_utc -400 %Y-%m-%dT%H:%M:%SZ)" \
		expires="$(date_utc "$1" %Y-%m-%dT%H:%M:%SZ)" &&
		mv -f "$T/bmsub/license.new" "$T/bmsub/license"
}

# srv_setup SERVICE_MAP: bmsub config (services block text), keys, state,
# users, passwords. Exports the wrapper variables for daemons. Everything a
# daemon reads, as its own user (nginx's workers run as nobody), lies in
# $T with safe modes, the module too: nothing depends on where the
# checkout is (a clone under /root is mode 0700).
srv_setup() {
	mkdir -p "$T/bmsub/keys.d" "$T/bmsub/state" "$T/pam.d" "$T/lib"
	chmod 755 "$T/bmsub" "$T/bmsub/keys.d" "$T/bmsub/state" "$T/pam.d" "$T/lib"
	cp "$MODULE" "$T/lib/pam_bmsub.so" && chmod 644 "$T/lib/pam_bmsub.so" || exit 1
	MODULE=$T/lib/pam_bmsub.so
	cp "$TOP/tests/data/keys/vendor1.pub" "$T/bmsub/keys.d/vendor1.pem"
	echo "ops@example.test" >"$T/bmsub/state/recipients"
	cat >"$T/bmsub/bmsub.conf" <<EOC
license = "$T/bmsub/license";
keys_dir = "$T/bmsub/keys.d";
state_dir = "$T/bmsub/state";
admin_url = "https://admin.example.test/subscription";
admins = { users = ["admin0"]; };
services = { $1 };
EOC
	chmod 644 "$T/bmsub/bmsub.conf" "$T/bmsub/keys.d/vendor1.pem" \
		"$T/bmsub/state/recipients"
	# nss_wrapper: the daemons' own users plus the test users
	{
		echo "root:x:0:0:root:/root:/bin/sh"
		echo "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"
		getent passwd dovecot dovenull www-data
		echo "alice:x:2001:2001:Alice:/nonexistent:/usr/sbin/nologin"
		echo "admin0:x:2002:2002:Admin:/nonexistent:/usr/sbin/nologin"
	} >"$T/passwd"
	{
		echo "root:x:0:"
		echo "nogroup:x:65534:"
		getent group dovecot dovenull www-data
		echo "alice:x:2001:"
		echo "admin0:x:2002:"
	} >"$T/group"
	: >"$T/passdb"
	# unknown services are refused (and libpam does not complain)
	printf 'auth required pam_deny.so\naccount required pam_deny.so\n' \
		>"$T/pam.d/other"
	chmod 644 "$T/passwd" "$T/group"
	export NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group"
	# its copies of the stacks go under $T, not /tmp/pam.*
	mkdir -p "$T/pamwrap"; chmod 755 "$T/pamwrap"
	export PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/pam.d" \
		PAM_WRAPPER_RUNTIME_DIR="$T/pamwrap"
}

# srv_stack SERVICE: pam_matrix checks the password (auth), then pam_bmsub
# gates the login (account), as in conf/pam.d/.
srv_stack() {
	for u in alice admin0; do echo "$u:secret:$1" >>"$T/passdb"; done
	cat >"$T/pam.d/$1" <<EOS
auth     required $PAM_MATRIX passdb=$T/passdb
account  required $MODULE conf=$T/bmsub/bmsub.conf
EOS
	chmod 644 "$T/pam.d/$1" "$T/passdb"
}
