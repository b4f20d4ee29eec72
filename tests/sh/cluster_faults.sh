#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cluster_faults.sh - cluster mode (SPEC 8) under faults, against a real
# PostgreSQL 15 (tests/servers/pg.sh). Three nodes a, b, c (overlapping
# and disjoint rosters) and, as the reference, one server alone with their
# union ("solo", run at the same time in the background), live the same
# simulated year 2031 day by day (--force-clock --at, no sleeps):
#
#   - every day three notify at the same moment, one per node; a trial
#     license that ends, a prod one installed on node a, two over-count
#     episodes: reminders, grace, blocked, trial-ended, over and
#     over-blocked fall due. Each alert is mailed exactly once, and the set
#     (day + alert key) is the solo server's;
#   - the database stopped for a week (06-28 to 07-05), the trial ending
#     meanwhile: real PAM transactions (libpam, pam_start_confdir, under
#     faketime at the simulated time) give the mirror's answer, allow then
#     deny; refresh and notify exit 1 naming the error and touch nothing;
#     monitor goes from OK to WARNING once the mirror is 2 hours old and
#     says why; after the restart one refresh per node converges (the solo
#     server's notify is off that week too);
#   - install on node a: a PAM process on node c that keeps its module
#     loaded sees the license after c's refresh, without restart; a
#     tampered license in the database is refused by every node, each
#     keeping its copy, and the PAM process still allows;
#
# and meanwhile, on three more nodes with a PostgreSQL of their own,
# kill -9 (the process group, as systemd does) of refresh and
# notify at random moments (within 1.2 times a run, measured; a trigger
# makes the database 20 ms slow inside refresh's transaction and
# sendmail is 30 ms slow half the time, so that kills land between the
# statements and between the claim and the mail), KILLS (default 200)
# kills that landed, alternately, with rosters, licenses and recipients
# changing under them: after each
# the schema (license history, login sets, shared O/H, ledger) and every
# mirror (state, license, recipients: old or new, never partial) are
# consistent, and the next run converges, no alert lost; an alert is
# mailed twice only when the killed notify had handed it to sendmail and
# died before recording it (at least once: counted, printed). Seed:
# KILL_SEED.
. "${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$TOP/tests/servers/common.sh"
. "$TOP/tests/servers/pg.sh"

[ -x "$B/bmsub-check" ] || skip "no $B/bmsub-check"
pg_need
command -v faketime >/dev/null || skip "faketime missing (tools/deps.sh check)"
command -v setsid >/dev/null || skip "setsid missing"
[ -e /usr/include/security/pam_appl.h ] || skip "libpam0g-dev missing (tools/deps.sh check)"

start=$(date +%s)
export TZ=UTC LC_ALL=C
${CC:-cc} -O1 -o "$T/pamloop" "$TOP/tests/servers/pamloop.c" -lpam || { fail "pamloop"; done_checks; }
pg_init
cp "$B/pam_bmsub.so" "$T/pam_bmsub.so" && chmod 644 "$T/pam_bmsub.so"
cp "$TOP/tests/data/fake-sendmail" "$T/fake-sendmail" && chmod 755 "$T/fake-sendmail"

# L0: a trial that ends on 07-01 (trial-ended, once); L1: prod through
# 11-30 (expiry-2m 10-01, expiry-1m 11-01, grace 12-01 to 12-10 every 2
# days, blocked from 12-11 every 2 days). N = 10.
make_license "$T/L0" id=BM-Y0 kind=trial issued=2030-12-15 expires=2031-07-01 users=10
make_license "$T/L1" id=BM-Y1 kind=prod issued=2031-07-06 expires=2031-12-01 users=10

# node NAME ROSTER...: config, state, roster, PAM stack and mail queue in
# $T/NAME. solo: the same without the cluster section.
node() {
	name=$1; shift
	mkdir -p "$T/$name/etc/keys.d" "$T/$name/state" "$T/$name/mail.d" \
		"$T/$name/tmp" "$T/$name/pam.d"
	cp "$TOP/tests/data/keys/vendor1.pub" "$T/$name/etc/keys.d/vendor1.pem"
	cp "$T/L0" "$T/$name/etc/license"
	printf '%s\n' "$@" >"$T/$name/roster"
	# the nodes refresh weekly and on the days something changes: a
	# timeout of 8 days keeps them all in the count, the outage's week too
	cl="cluster = { database = \"$DB\"; node = \"$name\"; node_timeout_hours = 192; };"
	[ "$name" != solo ] || cl=
	cat >"$T/$name/etc/bmsub.conf" <<EOC
license = "$T/$name/etc/license";
keys_dir = "$T/$name/etc/keys.d";
state_dir = "$T/$name/state";
admins = { users = ["boss"]; };
users = { roster = "$T/$name/roster"; };
$cl
notify = { sendmail = "$T/$name/sendmail"; from = "bmsub@example.test"; };
EOC
	# a queue of one file a message, renamed into place: a kill leaves
	# no half message; slow: a sendmail that takes 30 ms
	cat >"$T/$name/sendmail" <<EOS
#!/bin/sh
[ ! -e "$T/slow" ] || sleep 0.03
tmp=\$(mktemp "$T/$name/tmp/m.XXXXXXXX") || exit 75
FAKE_SENDMAIL_OUT=\$tmp FAKE_SENDMAIL_FAIL=$T/nofail "$T/fake-sendmail" "\$@" || exit \$?
exec mv "\$tmp" "$T/$name/mail.d/"
EOS
	echo "account required $T/pam_bmsub.so conf=$T/$name/etc/bmsub.conf" \
		>"$T/$name/pam.d/imap"
	chmod -R go-w "$T/$name"
	chmod -R a+rX "$T/$name"
	chmod 755 "$T/$name/sendmail"
}
ck() { n=$1; shift; "$B/bmsub-check" -c "$T/$n/etc/bmsub.conf" "$@"; }
state_field() { sed -n "s/^$2 //p" "$T/$1/state/state"; }
# mailset DIR...: "TIME KEY" of each message queued there (one awk, no
# find: it runs after each kill)
mailset() {
	_n=$#
	for _d; do for _f in "$_d"/m.*; do [ ! -e "$_f" ] || set -- "$@" "$_f"; done; done
	shift "$_n"
	[ $# -gt 0 ] || return 0
	awk '
	BEGIN { split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", m, " ")
		for (i = 1; i <= 12; i++) mon[m[i]] = sprintf("%02d", i) }
	/^Date: / { d = $5 "-" mon[$4] "-" $3 "T" $6 }
	/^X-Bmsub-Alert: / { k = $2 }
	/^=====FAKE-SENDMAIL-END=====/ { print d, k; d = k = "" }' "$@"
}
epoch() { date -u -d "$1" +%s; }

node a u01 u02 u03 u04 u05
node b u04 u05 u06 u07 u08
node c x1
node solo u01 u02 u03 u04 u05 u06 u07 u08 x1

expect_rc 0 "cluster init" -- ck a cluster init
D0=2031-01-01
for n in a solo; do
	expect_rc 0 "recipients add on $n" -- ck $n --force-clock --at "${D0}T05:00:00Z" recipients add ops@example.test
done

# ------------------------------------------------------------------ year
# roster MODE NODE LOGINS...: a node's roster (solo: its part of the union)
roster() {
	mode=$1 rn=$2; shift 2
	if [ "$mode" = solo ]; then
		printf '%s\n' "$@" >"$T/solo/part.$rn"
		cat "$T/solo/part."* | sort -u >"$T/solo/roster"
	else
		printf '%s\n' "$@" >"$T/$rn/roster"
	fi
}
for n in a b c; do cp "$T/$n/roster" "$T/solo/part.$n"; done
# events MODE DAY: the day's changes, at 05:00; 0 when the day has a
# refresh besides the weekly one; chg=1 when a roster changed
events() {
	chg=0
	case $2 in
	2031-01-20) roster "$1" c x1 x2 x3 x4; chg=1 ;;	# C = 12: over, then over-blocked
	2031-03-01) roster "$1" c x1; chg=1 ;;		# C = 9
	2031-09-10) roster "$1" c x1 x2 x3; chg=1 ;;	# C = 11: over
	2031-09-25) roster "$1" c x1; chg=1 ;;
	2031-07-07)	# the cluster's install: part3 below
		[ "$1" != solo ] || ck solo --force-clock --at "${2}T05:00:00Z" install "$T/L1" >"$T/solo/install.out" 2>&1 ||
			echo "$2 install: $(cat "$T/solo/install.out")" >>"$T/solo/errors" ;;
	2031-06-28|2031-07-05) ;;	# before the outage, after it
	*) return 1 ;;
	esac
	return 0
}
outage() { case $1 in 2031-06-29|2031-06-30|2031-07-0[1-4]) return 0 ;; esac; return 1; }

awk 'BEGIN { for (i = 0; i < 365; i++) print "@" (1924992000 + i * 86400) }' |
	date -u -f - +%F >"$T/days"
[ "$(head -n 1 "$T/days") $(tail -n 1 "$T/days")" = "2031-01-01 2031-12-31" ] && ok || fail "the days: $(head -n 1 "$T/days")"

# the solo server's year, in the background: refresh on the same days,
# notify every day but the outage's
(
	i=0
	while read -r D; do
		ev=1; events solo "$D" && ev=0
		if [ $ev = 0 ] || [ $((i % 7)) = 0 ]; then
			ck solo --force-clock --at "${D}T06:00:00Z" refresh >/dev/null 2>"$T/solo/err" ||
				echo "$D refresh $?: $(cat "$T/solo/err")" >>"$T/solo/errors"
		fi
		outage "$D" || ck solo --force-clock --at "${D}T07:00:00Z" notify >/dev/null 2>"$T/solo/err" ||
			echo "$D notify $?: $(cat "$T/solo/err")" >>"$T/solo/errors"
		i=$((i + 1))
	done <"$T/days"
	echo done >"$T/solo/finished"
) &
solo_pid=$!

# pam NODE TIME USER: one real PAM account transaction on NODE at TIME
pam() { faketime -f "@$2" "$T/pamloop" "$T/$1/pam.d" imap "$3" 1; }
# decided NODE TIME USER: the mirror's answer (decide), as pamloop's line
decided() {
	ck "$1" --at "$(echo "$2" | tr ' ' T)Z" decide --user "$3" --service imap >/dev/null 2>&1
	case $? in 0) echo "rc 0: 1" ;; 1) echo "denied" ;; *) echo "decide failed" ;; esac
}
pam_is() { # WANT GOT DESC
	case $1:$2 in "rc 0: 1":"rc 0: 1") ok ;; denied:"rc "[1-9]*": 1") ok ;; *) fail "$3: PAM '$2', mirror '$1'" ;; esac
}
# --- the outage (part 2) and the install (part 3), called from the year
before_outage() {	# 06-28, after the notify of 07:00: the database stops
	for n in a b c; do
		cp "$T/$n/state/state" "$T/$n/state.before"
		cp "$T/$n/state/recipients" "$T/$n/recipients.before"
	done
	pg_stop
	expect_rc 0 "monitor, the database down, the mirror 1.5 h old" -- ck a --at 2031-06-28T07:30:00Z monitor
	expect_grep "^BMSUB OK" "$T/out" "monitor OK under 2 hours"
	expect_nogrep "mirror" "$T/out" "no mirror age under 2 hours"
	expect_rc 1 "monitor, the database down, the mirror 3 h old" -- ck a --at 2031-06-28T09:00:00Z monitor
	expect_grep "^BMSUB WARNING .*; cluster mirror 3 h old \(database unreachable or refresh not running\)" "$T/out" "monitor: WARNING, says why"
}
during_outage() {	# 06-30: the trial runs; 07-02: it has ended
	case $1 in 2031-06-30) want="rc 0: 1" ;; *) want=denied ;; esac
	for nu in a:u01 b:u07 c:x1; do
		n=${nu%%:*} u=${nu#*:}
		got=$(pam "$n" "$1 07:30:00" "$u")
		mirror=$(decided "$n" "$1 07:30:00" "$u")
		pam_is "$mirror" "$got" "$1: PAM on $n for $u, the database down"
		[ "$mirror" = "$want" ] && ok || fail "$1: the mirror of $n says '$mirror' for $u, want '$want'"
	done
	ck a --at "${1}T08:00:00Z" monitor >"$T/out" 2>&1
	expect_grep "cluster mirror [0-9]+ h old \(database unreachable" "$T/out" "$1: monitor names the old mirror"
}
outage_end() {		# 07-05 05:00: the files as the database left them, then it is back
	for n in a b c; do
		cmp -s "$T/$n/state.before" "$T/$n/state/state" &&
			cmp -s "$T/$n/recipients.before" "$T/$n/state/recipients" &&
			cmp -s "$T/L0" "$T/$n/etc/license" && ok ||
			fail "$n: the failed writers changed its files during the outage"
	done
	pg_start
}
after_restart() {	# 07-05: one refresh per node converged
	cdb=$(psqlq "SELECT count(DISTINCT login) FROM bmsub_logins")
	hdb=$(psqlq "SELECT high_water FROM bmsub_shared")
	for n in a b c; do
		[ "$(state_field $n count)" = 9 ] && [ "$cdb" = 9 ] &&
			[ "$(state_field $n high-water)" = "$hdb" ] &&
			[ -z "$(state_field $n over-since)" ] && ok ||
			fail "$n after the restart: count $(state_field $n count), H $(state_field $n high-water), O '$(state_field $n over-since)'; database C $cdb H $hdb"
		expect_grep "^9 users counted" "$T/$n/r.out" "$n: 9 counted after the restart"
	done
}
part3() {		# 07-07 05:00: install on a; a PAM process on c sees it
	expect_rc 0 "install on a" -- ck a --force-clock --at 2031-07-07T05:00:00Z install "$T/L1"
	expect_grep "published in the cluster database" "$T/out" "install publishes"
	unfake="env -u LD_PRELOAD -u FAKETIME"
	{
		for n in b c; do
			echo "$unfake $B/bmsub-check -c $T/$n/etc/bmsub.conf --force-clock --at 2031-07-07T05:30:00Z refresh >$T/p3.$n.out 2>&1 || exit 1"
		done
	} >"$T/p3.refresh"
	{
		echo "$unfake $PGBIN/psql -X -q '$DB' -c \"INSERT INTO bmsub_license (text, node, published) SELECT replace(text, 'users: 10', 'users: 1000'), 'mallory', published FROM bmsub_license ORDER BY id DESC LIMIT 1\" || exit 2"
		for n in a b c; do
			echo "$unfake $B/bmsub-check -c $T/$n/etc/bmsub.conf --force-clock --at 2031-07-07T05:40:00Z refresh >$T/p3t.$n.out 2>$T/p3t.$n.err; echo \$? >$T/p3t.$n.rc"
		done
		echo "$unfake $PGBIN/psql -X -q '$DB' -c \"DELETE FROM bmsub_license WHERE node = 'mallory'\" || exit 2"
	} >"$T/p3.tamper"
	printf '%s\n' "imap x1 1" "! sh $T/p3.refresh" "imap x1 1" "! sh $T/p3.tamper" "imap x1 1" >"$T/p3.plan"
	faketime -f "@2031-07-07 05:30:00" "$T/pamloop" "$T/c/pam.d" "$T/p3.plan" >"$T/p3.out" 2>&1
	expect_grep "^step 1: rc [1-9][0-9]*: 1$" "$T/p3.out" "PAM on c: the trial has ended, denied"
	expect_grep "^step 2: exit 0$" "$T/p3.out" "refresh b and c from the PAM process"
	expect_grep "^step 3: rc 0: 1$" "$T/p3.out" "PAM on c: the new license, same process"
	expect_grep "^step 4: exit 0$" "$T/p3.out" "the tampered license"
	expect_grep "^step 5: rc 0: 1$" "$T/p3.out" "PAM on c: still allowed with its good copy"
	for n in b c; do
		expect_grep "^took license BM-Y1 from the cluster database" "$T/p3.$n.out" "$n took the license"
	done
	for n in a b c; do
		[ "$(cat "$T/p3t.$n.rc")" = 1 ] && ok || fail "refresh $n with a tampered license: exit $(cat "$T/p3t.$n.rc")"
		expect_grep "license published in the database is refused" "$T/p3t.$n.err" "$n refuses the tampered license"
		cmp -s "$T/L1" "$T/$n/etc/license" && ok || fail "$n: lost its good copy"
	done
	[ "$(psqlq "SELECT count(*) FROM bmsub_license")" = 1 ] && ok || fail "the license history: $(psqlq "SELECT id, node FROM bmsub_license")"
}
# ------------------------------------------------------------------ kill -9
# In the background while the year runs: its own nodes a, b, c and its
# own PostgreSQL (the year stops its own) under $T/k, its checks counted
# here at the end.
at_exit 'srv_stop "$(cat "$T/k.pgpid" 2>/dev/null)"'
(
	TY=$T T=$T/k
	n_checks=0 n_fail=0
	mkdir -p "$T" && chmod 755 "$T" && cp "$TY/L0" "$TY/fake-sendmail" "$T/" || exit 1
	pg_init
	echo "$PGPID" >"$TY/k.pgpid"
	node a u01 u02 u03 u04 u05
	node b u04 u05 u06 u07 u08
	node c x1
	# One psql session for the checks: SQL in on fd 4, lines out on fd 5.
	mkfifo "$T/sql.in" "$T/sql.out"
	"$PGBIN/psql" -X -A -t -q "$DB" <"$T/sql.in" >"$T/sql.out" 2>&1 &
	psql_pid=$!	# it ends when fd 4 closes (below, or with this subshell)
	exec 4>"$T/sql.in" 5<"$T/sql.out"
	# sql QUERY...: the rows of each, into $T/sql
	sql() {
		printf '%s;\n' "$@" >&4
		printf '\\echo @@end\n' >&4
		: >"$T/sql"
		while read -r line <&5; do
			[ "$line" != @@end ] || break
			echo "$line" >>"$T/sql"
		done
	}
	md5() { md5sum | cut -c1-32; }
	iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

	# two prod licenses expired (blocked: an alert every 2 days), installed
	# in turn; rosters and recipients in two versions each
	make_license "$T/KA" id=BM-KA kind=prod issued=2031-01-01 expires=2031-11-01 users=100
	make_license "$T/KB" id=BM-KB kind=prod issued=2031-01-01 expires=2031-11-01 users=100
	B4=$(epoch 2032-01-05T06:00:00Z)
	expect_rc 0 "cluster init (kills)" -- ck a cluster init
	expect_rc 0 "recipients add on a" -- ck a --force-clock --at "$(iso "$B4")" recipients add ops@example.test
	expect_rc 0 "install KA on a" -- ck a --force-clock --at "$(iso "$B4")" install --force "$T/KA"
	for n in a b c; do
		expect_rc 0 "refresh $n before the kills" -- ck $n --force-clock --at "$(iso "$B4")" refresh
		cp "$T/$n/roster" "$T/$n/roster.1"
		{ cat "$T/$n/roster"; echo "k-$n"; } >"$T/$n/roster.2"
		for v in 1 2; do LC_ALL=C sort "$T/$n/roster.$v" | md5 >"$T/$n/set.$v"; done
	done
	va=1 vb=1 vc=1
	# every version of each file a writer may leave: md5 -> name
	{
		for f in KA KB; do echo "$(md5 <"$T/$f") $f"; done
		for n in a b c; do for v in 1 2; do echo "$(cat "$T/$n/set.$v") set.$n.$v"; done; done
		echo "$(md5 <"$T/a/state/recipients") rcpt.1"
		echo "$(md5 <"$T/b/state/recipients") rcpt.1"
		expect_rc 0 "recipients add (a second version)" -- ck a recipients add billing@example.test >&2
		echo "$(md5 <"$T/a/state/recipients") rcpt.2"
		expect_rc 0 "refresh b takes it" -- ck b --force-clock --at "$(iso "$B4")" refresh >&2
		echo "$(md5 <"$T/b/state/recipients") rcpt.2"
	} >"$T/versions"
	psqlq "SELECT md5(text) FROM bmsub_license ORDER BY id" >"$T/lichist"
	[ "$(tail -n 1 "$T/lichist")" = "$(md5 <"$T/KA")" ] && ok || fail "KA not the last published"
	rcpt=2 lic=KA
	# a slow database: the login sets take 20 ms more, inside refresh's
	# transaction, so that kills land between its statements too
	psqlq "CREATE FUNCTION bmsub_test_slow() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN PERFORM pg_sleep(0.02); RETURN NULL; END \$\$" &&
		psqlq "CREATE TRIGGER bmsub_test_slow AFTER INSERT ON bmsub_logins FOR EACH STATEMENT EXECUTE FUNCTION bmsub_test_slow()" &&
		ok || fail "the slow trigger"

	# consistent HMAX WHAT: the schema and every mirror after a kill: one
	# shared row, H not back and not past HMAX, O none, each node's users the
	# size of its login set, each set and mirror file a whole version, the
	# license history as published, no half claim, each alert the ledger
	# records as sent in the mails. Leaves the rows in $T/sql, the mails in
	# $T/mails, the mirrors' md5 in $T/md5.
	H_prev=0 nl=$(printf '\n_'); nl=${nl%_}
	consistent() {
		sql "SELECT 'shared', count(*), coalesce(max(high_water), -1), coalesce(max(over_since), -1) FROM bmsub_shared" \
		    "SELECT 'badusers', count(*) FROM bmsub_nodes n WHERE users <> (SELECT count(*) FROM bmsub_logins l WHERE l.node = n.node)" \
		    "SELECT 'set', node, md5(string_agg(login, E'\\n' ORDER BY login COLLATE \"C\") || E'\\n') FROM bmsub_logins GROUP BY node ORDER BY node" \
		    "SELECT 'lic', md5(text) FROM bmsub_license ORDER BY id" \
		    "SELECT 'badlease', count(*) FROM bmsub_alerts WHERE (claimed_by IS NULL) <> (lease_until IS NULL)" \
		    "SELECT 'sent', to_char(to_timestamp(sent_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS'), key FROM bmsub_alerts WHERE sent_at IS NOT NULL" \
		    "SELECT 'claim', key, claimed_by FROM bmsub_alerts WHERE claimed_by IS NOT NULL"
		mailset "$T/a/mail.d" "$T/b/mail.d" "$T/c/mail.d" >"$T/mails"
		md5sum "$T/a/etc/license" "$T/b/etc/license" "$T/c/etc/license" \
			"$T/a/state/recipients" "$T/b/state/recipients" "$T/c/state/recipients" >"$T/md5"
		# first line H, then what is wrong, "; " between
		bad=$(awk -F'|' -v hp="$H_prev" -v hmax="$1" -v T="$T" '
		function bad(what) { out = out what "; " }
		FILENAME ~ /versions$/ { split($0, w, " "); ver[w[1]] = w[2]; next }
		FILENAME ~ /lichist$/ { hist = hist $0 " "; next }
		FILENAME ~ /mails$/ { mail[$0] = 1; next }
		FILENAME ~ /md5$/ { split($0, w, " "); f = w[2]; sub(T "/", "", f)
			v = ver[w[1]]; if (!((f ~ /license$/ && v ~ /^(KA|KB)$/) || (f ~ /recipients$/ && v ~ /^rcpt/)))
				bad(f " not a whole version"); next }
		FILENAME ~ /state$/ { if (FNR == 1 && $0 != "bmsub-state 1") bad(FILENAME " partial")
			last[FILENAME] = $0; next }
		$1 == "shared" { h = $3; if ($2 != 1 || $3 < hp || $3 > hmax || $4 != -1) bad("shared row: " $0); next }
		$1 == "badusers" || $1 == "badlease" { if ($2 != 0) bad($0); next }
		$1 == "set" { sets++; if (ver[$3] !~ "^set\\." $2 "\\.") bad("login set of " $2 " neither old nor new"); next }
		$1 == "lic" { lic = lic $2 " "; next }
		$1 == "sent" { if (!(($2 " " $3) in mail)) bad("ledger says sent, no mail: " $2 " " $3); next }
		END { if (lic != hist) bad("license history: " lic " want " hist)
			if (sets != 3) bad(sets + 0 " login sets, want 3")
			for (f in last) if (last[f] != "end") bad(f " partial")
			print h; printf "%s", out }
		' "$T/versions" "$T/lichist" "$T/mails" "$T/md5" "$T/a/state/state" "$T/b/state/state" "$T/c/state/state" "$T/sql")
		H_prev=${bad%%"$nl"*}
		bad=${bad#"$H_prev"}
		[ -z "$bad" ] && ok || fail "after kill $k ($2): $bad"
	}

	KILLS=${KILLS:-200}
	SEED=${KILL_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
	echo "kill -9: seed $SEED (KILL_SEED=$SEED to repeat)"
	N4=$((KILLS * 3))
	# each run: node, 0-999 (the delay), 0-5 (what changes before); its
	# times: the run, +60 s (the next refresh), +960 s (the next notify)
	awk -v seed="$SEED" -v n=$N4 'BEGIN { srand(seed); for (i = 0; i < n; i++)
		print substr("abc", int(rand() * 3) + 1, 1), int(rand() * 1000), int(rand() * 6) }' >"$T/rand"
	awk -v b=$((B4 + 3600)) -v n=$N4 'BEGIN { for (i = 0; i < n; i++) {
		t = b + i * 90000; print "@" t; print "@" (t + 60); print "@" (t + 960) } }' |
		date -u -f - +%Y-%m-%dT%H:%M:%SZ >"$T/times"
	exec 6<"$T/rand" 7<"$T/times"
	# the kill lands within 1.2 times a whole run (measured on the next runs)
	est_r=60 est_n=45
	k=0 kills=0 rk=0 rk_new=0 nk=0 nk_pre=0 nk_lease=0 nk_twice=0 nk_done=0
	while [ $kills -lt "$KILLS" ] && [ $k -lt $N4 ] && read -r X u r <&6 &&
		read -r AT <&7 && read -r AT60 <&7 && read -r AT960 <&7; do
		TK=$((B4 + 3600 + k * 90000))
		if [ $((k % 2)) = 0 ]; then
			what=refresh
			eval "v=\$((3 - \$v$X)); v$X=\$v"
			cp "$T/$X/roster.$v" "$T/$X/roster"
			case $X in a) Y=b ;; b) Y=c ;; c) Y=a ;; esac
			if [ $((r % 3)) = 0 ]; then	# another node installs the other license
				case $lic in KA) lic=KB ;; *) lic=KA ;; esac
				ck $Y --force-clock --at "$AT" install --force "$T/$lic" >"$T/out" 2>&1 ||
					fail "install $lic on $Y: $(cat "$T/out")"
				md5 <"$T/$lic" >>"$T/lichist"
			elif [ $((r % 3)) = 1 ]; then	# another node changes the recipients
				if [ $rcpt = 2 ]; then ck $Y recipients remove billing@example.test >"$T/out" 2>&1; rcpt=1
				else ck $Y recipients add billing@example.test >"$T/out" 2>&1; rcpt=2; fi ||
					fail "recipients on $Y: $(cat "$T/out")"
			fi
			ms=$((u * est_r * 12 / 10000))
		else
			what=notify
			key="blocked:$(sed -n 's/^id: //p' "$T/$X/etc/license")"
			ms=$((u * est_n * 12 / 10000))
			[ $((r % 2)) = 0 ] || { : >"$T/slow"; ms=$((u * (est_n + 30) * 12 / 10000)); }
		fi
		setsid "$B/bmsub-check" -c "$T/$X/etc/bmsub.conf" --force-clock --at "$AT" $what >/dev/null 2>&1 &
		pid=$!
		sleep "$(printf '0.%03d' "$ms")"
		kill -KILL "-$pid" 2>/dev/null
		wait "$pid" 2>/dev/null; rc=$?
		rm -f "$T/slow"
		[ $rc = 137 ] && kills=$((kills + 1))
		consistent $((TK + 960)) "$what on $X after $ms ms, exit $rc"
		if [ $what = refresh ]; then
			[ $rc != 137 ] || rk=$((rk + 1))
			[ $rc != 137 ] || ! grep -q "^set|$X|$(cat "$T/$X/set.$v")\$" "$T/sql" || rk_new=$((rk_new + 1))
			# the next refresh converges: this node's set, C, license and
			# recipients are the database's
			t0=$(date +%s%N)
			ck $X --force-clock --at "$AT60" refresh >"$T/out" 2>&1 || fail "refresh $X after kill $k: $(cat "$T/out")"
			est_r=$(( (3 * est_r + ($(date +%s%N) - t0) / 1000000) / 4 ))
			sql "SELECT 'set', md5(string_agg(login, E'\\n' ORDER BY login COLLATE \"C\") || E'\\n') FROM bmsub_logins WHERE node = '$X'" \
			    "SELECT 'count', count(DISTINCT login) FROM bmsub_logins l JOIN bmsub_nodes n USING (node) WHERE n.last_seen >= $((TK + 60 - 192 * 3600)) OR n.node = '$X'" \
			    "SELECT 'lic', md5(text) FROM bmsub_license ORDER BY id DESC LIMIT 1"
			got=$(tr '\n' ' ' <"$T/sql")
			mine=$(md5sum "$T/$X/etc/license" "$T/$X/state/recipients" "$T/$lic" | awk -v T="$T" -v want="rcpt.$rcpt" '
				FILENAME ~ /versions$/ { ver[$1] = $2; next }
				{ m[FNR] = $1 } END { if (ver[m[2]] != want) print "recipients " ver[m[2]]
					if (m[1] != m[3]) print "license " ver[m[1]] }' "$T/versions" -)
			want="set|$(cat "$T/$X/set.$v") count|$(state_field $X count) lic|$(md5 <"$T/$X/etc/license") "
			[ "$got" = "$want" ] && [ -z "$mine" ] && ok ||
				fail "refresh $X after kill $k: database '$got', mirror '$want' $mine"
		else
			[ $rc != 137 ] || nk=$((nk + 1))
			at=${AT%Z}
			m0=$(awk -v t="$at" -v k="$key" '$1 >= t && $2 == k { n++ } END { print n + 0 }' "$T/mails")
			claimed=$(grep -c "^claim|$key|$X:$pid\$" "$T/sql")
			if [ $rc = 137 ]; then
				case $claimed$m0 in
				00) nk_pre=$((nk_pre + 1)) ;; 10) nk_lease=$((nk_lease + 1)) ;;
				11) nk_twice=$((nk_twice + 1)) ;; 01) nk_done=$((nk_done + 1)) ;;
				esac
			fi
			# the next notify, after the lease: the alert is mailed once,
			# twice only when the killed one had mailed it without recording
			t0=$(date +%s%N)
			ck $X --force-clock --at "$AT960" notify >"$T/out" 2>&1 || fail "notify $X after kill $k: $(cat "$T/out")"
			est_n=$(( (3 * est_n + ($(date +%s%N) - t0) / 1000000) / 4 ))
			m1=$(mailset "$T/a/mail.d" "$T/b/mail.d" "$T/c/mail.d" | awk -v t="$at" -v k="$key" '$1 >= t && $2 == k { n++ } END { print n + 0 }')
			want=1; [ "$claimed$m0" != 11 ] || want=2
			[ "$m1" = $want ] && ok || fail "kill $k of notify on $X ($claimed$m0 after $ms ms, exit $rc): $key mailed $m1 times, want $want"
		fi
		k=$((k + 1))
	done
	[ $kills -ge "$KILLS" ] && ok || fail "only $kills kills landed in $k runs"
	[ $rk_new -ge 1 ] && [ $((rk - rk_new)) -ge 1 ] && ok || fail "refresh kills: $rk_new of $rk after the commit: not both sides"
	[ $nk_lease -ge 1 ] && ok || fail "no notify killed between the claim and the sending"
	echo "kill -9: $kills kills in $k runs; refresh $rk ($rk_new after the commit), runs of $est_r ms; notify $nk (before the claim $nk_pre, claimed not mailed $nk_lease, mailed not recorded $nk_twice, recorded $nk_done), runs of $est_n ms"
	exec 4>&-
	wait "$psql_pid"
	pg_stop
	rm -f "$TY/k.pgpid"
	echo "$n_checks $n_fail" >"$TY/k.counts"
) >"$T/k.log" 2>&1 &
kill_pid=$!

bad_notify=0 bad_refresh=0 down_notify=0 down_refresh=0
i=0
while read -r D; do
	ev=1; events cluster "$D" && ev=0
	if outage "$D"; then
		# the database is down: writers exit 1 naming it, files untouched
		for n in a b c; do
			ck $n --force-clock --at "${D}T06:00:00Z" refresh >/dev/null 2>"$T/$n/r.err"
			[ $? = 1 ] && grep -q "^bmsub-check: refresh: database unreachable" "$T/$n/r.err" &&
				down_refresh=$((down_refresh + 1))
		done
	elif [ $ev = 0 ] || [ $((i % 7)) = 0 ]; then
		[ "$D" != 2031-07-05 ] || outage_end
		[ "$D" != 2031-07-07 ] || part3
		rounds="a b c"
		# a roster changed: the first to refresh saw the others' old sets
		[ $chg = 0 ] || rounds="a b c a b c"
		for n in $rounds; do
			ck $n --force-clock --at "${D}T06:00:00Z" refresh >"$T/$n/r.out" 2>"$T/$n/r.err" ||
				{ bad_refresh=$((bad_refresh + 1)); echo "$D refresh $n: $(cat "$T/$n/r.err")"; }
		done
		[ "$D" != 2031-07-05 ] || after_restart
	fi
	for n in a b c; do
		ck $n --force-clock --at "${D}T07:00:00Z" notify >"$T/$n/n.out" 2>"$T/$n/n.err" &
		eval "p_$n=\$!"
	done
	wait "$p_a"; r_a=$?; wait "$p_b"; r_b=$?; wait "$p_c"; r_c=$?
	if outage "$D"; then
		for n in a b c; do
			eval "r=\$r_$n"
			[ "$r" = 1 ] && grep -q "^bmsub-check: notify: database unreachable" "$T/$n/n.err" &&
				down_notify=$((down_notify + 1))
		done
		[ "$D" != 2031-06-30 ] || during_outage "$D"
		[ "$D" != 2031-07-02 ] || during_outage "$D"
	elif [ "$r_a$r_b$r_c" != 000 ]; then
		bad_notify=$((bad_notify + 1))
		echo "$D notify: $r_a $r_b $r_c: $(cat "$T/a/n.err" "$T/b/n.err" "$T/c/n.err")"
	fi
	[ "$D" != 2031-06-28 ] || before_outage
	i=$((i + 1))
done <"$T/days"
[ $bad_notify = 0 ] && ok || fail "notify failed on $bad_notify days with the database up"
[ $bad_refresh = 0 ] && ok || fail "$bad_refresh refreshes failed with the database up"
[ $down_notify = 18 ] && ok || fail "database down: $down_notify of 18 notify exited 1 naming it"
[ $down_refresh = 18 ] && ok || fail "database down: $down_refresh of 18 refresh exited 1 naming it"
wait "$solo_pid"
[ -e "$T/solo/finished" ] && [ ! -s "$T/solo/errors" ] && ok || fail "the solo server's year: $(cat "$T/solo/errors" 2>/dev/null)"
mailset "$T/a/mail.d" "$T/b/mail.d" "$T/c/mail.d" | sort >"$T/year.cluster"
mailset "$T/solo/mail.d" | sort >"$T/year.solo"
[ -z "$(uniq -d "$T/year.cluster")" ] && ok || fail "mailed twice: $(uniq -d "$T/year.cluster")"
diff "$T/year.solo" "$T/year.cluster" >"$T/year.diff" && ok ||
	{ fail "the cluster's alerts are not the solo server's (< solo, > cluster):"; head -n 20 "$T/year.diff"; }
for k in expiry-2m expiry-1m grace blocked trial-ended over over-blocked; do
	grep -q " $k:" "$T/year.cluster" && ok || fail "no $k alert in the year"
done
# the outage: the trial-ended alert due on 07-01 went out once it was back
expect_grep "^2031-07-05T07:00:00 trial-ended:BM-Y0$" "$T/year.cluster" "trial-ended sent after the restart"
[ "$(psqlq "SELECT count(*) FROM bmsub_alerts WHERE claimed_by IS NOT NULL OR lease_until IS NOT NULL")" = 0 ] && ok ||
	fail "claims left in the ledger"
echo "year: $(wc -l <"$T/year.cluster") alerts ($(awk '{ sub(/:.*/, "", $2); n[$2]++ } END { for (k in n) printf "%s %d, ", k, n[k] }' "$T/year.cluster")mailed by a $(ls "$T/a/mail.d" | wc -l), b $(ls "$T/b/mail.d" | wc -l), c $(ls "$T/c/mail.d" | wc -l)), $(( $(date +%s) - start )) s so far"
wait "$kill_pid"
cat "$T/k.log"
if read -r kc kf <"$T/k.counts"; then
	n_checks=$((n_checks + kc)) n_fail=$((n_fail + kf))
else
	fail "the kills did not finish"
fi
echo "cluster_faults.sh: $(( $(date +%s) - start )) s"
done_checks
