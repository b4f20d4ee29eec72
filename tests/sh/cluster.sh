#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cluster.sh - cluster mode (SPEC 8) against a real PostgreSQL started here:
# initdb and postgres as the postgres user in $T/pg, a Unix socket there and
# 127.0.0.1 on a free port, stopped by PID. Three nodes are three config and
# state folders. Simulated time (--at) instead of sleeps.
. "${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$TOP/tests/servers/common.sh"
. "$TOP/tests/servers/pg.sh"

[ -x "$B/bmsub-check" ] || skip "no $B/bmsub-check"
pg_need

start=$(date +%s)
pg_init

make_license "$T/lic" id=BM-CL kind=prod issued=2026-01-01 expires=2030-01-01 users=8

# node NAME ROSTER...: config and state folder $T/NAME
node() {
	name=$1; shift
	mkdir -p "$T/$name/etc/keys.d" "$T/$name/state"
	chmod 755 "$T/$name" "$T/$name/etc" "$T/$name/etc/keys.d" "$T/$name/state"
	cp "$TOP/tests/data/keys/vendor1.pub" "$T/$name/etc/keys.d/vendor1.pem"
	chmod 644 "$T/$name/etc/keys.d/vendor1.pem"
	cp "$T/lic" "$T/$name/etc/license"
	printf '%s\n' "$@" >"$T/$name/roster"
	chmod 644 "$T/$name/etc/license" "$T/$name/roster"
	cat >"$T/$name/etc/bmsub.conf" <<EOC
license = "$T/$name/etc/license";
keys_dir = "$T/$name/etc/keys.d";
state_dir = "$T/$name/state";
admins = { users = ["boss"]; };
users = { roster = "$T/$name/roster"; };
cluster = { database = "$DB"; node = "$name"; node_timeout_hours = 2; };
notify = { sendmail = "$T/sendmail"; from = "bmsub@example.test"; };
EOC
	chmod 644 "$T/$name/etc/bmsub.conf"
}
ck() { n=$1; shift; "$B/bmsub-check" -c "$T/$n/etc/bmsub.conf" "$@"; }
state_field() { sed -n "s/^$2 //p" "$T/$1/state/state"; }

# sendmail: the fake one, or one that hangs (for kill -9 after the claim)
cp "$TOP/tests/data/fake-sendmail" "$T/fake-sendmail"
export FAKE_SENDMAIL_OUT="$T/mail" FAKE_SENDMAIL_FAIL="$T/nofail"
cat >"$T/sendmail" <<EOS
#!/bin/sh
if [ -e "$T/hang" ]; then echo \$\$ >"$T/hang.pid"; exec sleep 30; fi
exec "$T/fake-sendmail" "\$@"
EOS
chmod 755 "$T/sendmail" "$T/fake-sendmail"
mails() { grep -c '^=====FAKE-SENDMAIL-END=====' "$T/mail" 2>/dev/null || echo 0; }

# overlapping (a, b) and disjoint (c) rosters: 9 + 3 distinct
node a u1 u2 u3 u4 u5 u6
node b u4 u5 u6 u7 u8 u9
node c x1 x2 x3

# --- schema: init twice is idempotent
expect_rc 0 "cluster init" -- ck a cluster init
expect_grep "upgraded from version 0 to 2" "$T/out" "upgraded from version 0 to 2"
expect_rc 0 "cluster init again" -- ck b cluster init
expect_grep "nothing to do" "$T/out" "nothing to do"
[ "$(psqlq 'SELECT count(*) FROM bmsub_schema_version')" = 2 ] && ok || fail "two schema_version rows"
expect_rc 2 "cluster without a subcommand" -- ck a cluster
expect_rc 2 "cluster bogus" -- ck a cluster drop
expect_rc 2 "refresh --users in cluster mode" -- ck a refresh --users 5

# --- the count: right C on every node, the same O
T0=$(date -u +%Y-%m-%dT%H:%M:%SZ)
expect_rc 0 "refresh a" -- ck a refresh
expect_grep "^6 users counted" "$T/out" "^6 users counted"
expect_rc 0 "refresh b" -- ck b refresh
expect_grep "^9 users counted" "$T/out" "^9 users counted"
sleep 1	# c's first refresh a second after b's: the platform's O is b's
expect_rc 0 "refresh c" -- ck c refresh
expect_grep "^12 users counted" "$T/out" "^12 users counted"
for n in a b; do expect_rc 0 "refresh $n again" -- ck $n refresh; expect_grep "^12 users counted" "$T/out"; done
# a login that leaves a node's roster leaves its set in the database (u4,
# still b's: C stays), and comes back with it
printf '%s\n' u1 u2 u3 u5 u6 >"$T/a/roster"
expect_rc 0 "refresh a without u4" -- ck a refresh
expect_grep "^12 users counted" "$T/out" "u4 still counted through b"
[ "$(psqlq "SELECT string_agg(login, ' ' ORDER BY login) FROM bmsub_logins WHERE node = 'a'")" = "u1 u2 u3 u5 u6" ] && ok ||
	fail "a's set after u4 left: $(psqlq "SELECT string_agg(login, ' ' ORDER BY login) FROM bmsub_logins WHERE node = 'a'")"
printf '%s\n' u1 u2 u3 u4 u5 u6 >"$T/a/roster"
expect_rc 0 "refresh a with u4 back" -- ck a refresh
[ "$(psqlq "SELECT count(*) FROM bmsub_logins WHERE node = 'a'")" = 6 ] && ok || fail "a's set with u4 back"
oa=$(state_field a over-since) ob=$(state_field b over-since) oc=$(state_field c over-since)
[ -n "$oa" ] && [ "$oa" = "$ob" ] && [ "$ob" = "$oc" ] && ok || fail "same O on every node: '$oa' '$ob' '$oc'"
expect_rc 0 "cluster status, all fresh" -- ck a cluster status
expect_grep "^c .* 3 users" "$T/out" "^c .* 3 users"

# --- notify from three nodes at once: each due alert exactly once
for n in a b c; do expect_rc 0 "recipients add on $n" -- ck $n recipients add ops@example.test; done
ck a notify --dry-run >"$T/dry" 2>&1
due=$(grep -c '^----- .* (dry run' "$T/dry")
[ "$due" -ge 1 ] && ok || fail "an alert is due (over the license): $(cat "$T/dry")"
ck a notify >"$T/n.a" 2>&1 & pa=$!
ck b notify >"$T/n.b" 2>&1 & pb=$!
ck c notify >"$T/n.c" 2>&1 & pc=$!
wait $pa; ra=$? ; wait $pb; rb=$?; wait $pc; rc_=$?
[ "$ra$rb$rc_" = 000 ] && ok || fail "concurrent notify exits $ra $rb $rc_: $(cat "$T/n.a" "$T/n.b" "$T/n.c")"
[ "$(mails)" = "$due" ] && ok || fail "concurrent notify: $(mails) mails for $due due alerts"
[ "$(psqlq 'SELECT count(*) FROM bmsub_alerts WHERE sent_at IS NOT NULL')" = "$due" ] && ok || fail "ledger rows"
for n in a b c; do
	expect_rc 0 "second round on $n" -- ck $n notify
	# the ledger's sent times are pulled into the mirror: nothing is due
	expect_grep "^no alert due" "$T/out" "second round on $n: nothing due"
done
[ "$(mails)" = "$due" ] && ok || fail "a second round sent again: $(mails)"
# the ledger's sending later than the mirror's (another node sent the
# repeat): the later one is taken, nothing is due an hour after it
psqlq "UPDATE bmsub_alerts SET sent_at = sent_at + 604800 WHERE sent_at IS NOT NULL"
W=$(date -u -d '+7 days 1 hour' +%Y-%m-%dT%H:%M:%SZ)
expect_rc 0 "notify on c a week on, the ledger newer than its mirror" -- ck c --force-clock --at "$W" notify
expect_grep "^no alert due" "$T/out" "c takes the ledger's later sending"
[ "$(mails)" = "$due" ] && ok || fail "sent again over the ledger's later sending: $(mails)"
psqlq "UPDATE bmsub_alerts SET sent_at = sent_at - 604800 WHERE sent_at IS NOT NULL"

# --- notify killed between the claim and the sending: sent later, once
before=$(mails)
N1=$(date -u -d '+8 days' +%Y-%m-%dT%H:%M:%SZ)
N2=$(date -u -d '+8 days 16 minutes' +%Y-%m-%dT%H:%M:%SZ)
# twice: after a jump of 8 days the first to refresh finds the others late
for n in a b c a b c; do ck $n --force-clock --at "$N1" refresh >/dev/null 2>&1; done
: >"$T/hang"
ck a --force-clock --at "$N1" notify >/dev/null 2>&1 & pk=$!
i=0; while [ ! -s "$T/hang.pid" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$T/hang.pid" ] && ok || fail "the hanging sendmail never ran"
kill -9 $pk; wait $pk 2>/dev/null
kill "$(cat "$T/hang.pid")" 2>/dev/null
rm -f "$T/hang"
[ "$(psqlq 'SELECT count(*) FROM bmsub_alerts WHERE lease_until IS NOT NULL')" -ge 1 ] && ok || fail "a claim is held"
expect_rc 0 "notify on b while the lease runs" -- ck b --force-clock --at "$N1" notify
expect_grep "being sent by another node" "$T/out" "the claim is respected"
[ "$(mails)" = "$before" ] && ok || fail "sent during the lease"
expect_rc 0 "notify on b after the lease" -- ck b --force-clock --at "$N2" notify
[ "$(mails)" = "$((before + 1))" ] && ok || fail "after the lease: $(mails) mails, want $((before + 1))"
expect_rc 0 "notify on c after that" -- ck c --force-clock --at "$N2" notify
# c's mirror had the first sending; the ledger's later one is pulled over it
expect_grep "^no alert due" "$T/out" "c takes b's later sending from the ledger"
[ "$(mails)" = "$((before + 1))" ] && ok || fail "sent twice: $(mails)"

# --- a node that stops refreshing drops out after node_timeout_hours (2)
LATER=$(date -u -d '+8 days 3 hours' +%Y-%m-%dT%H:%M:%SZ)
expect_rc 0 "refresh b later" -- ck b --force-clock --at "$LATER" refresh
expect_rc 0 "refresh a later" -- ck a --force-clock --at "$LATER" refresh
expect_grep "^9 users counted" "$T/out" "^9 users counted"
expect_rc 1 "cluster status: c late" -- ck a --at "$LATER" cluster status
expect_grep "^c .*LATE" "$T/out" "^c .*LATE"
expect_nogrep "^a .*LATE" "$T/out" "^a .*LATE"
# an hour on, a and b still fresh and over: the refresh keeps the
# platform's O (periodic refreshes never postpone the block); H is the
# latest database time seen
oL=$(state_field a over-since)
LATER1=$(date -u -d '+8 days 4 hours' +%Y-%m-%dT%H:%M:%SZ)
expect_rc 0 "refresh a an hour on" -- ck a --force-clock --at "$LATER1" refresh
expect_grep "^9 users counted" "$T/out" "an hour on: 9 users counted"
[ -n "$oL" ] && [ "$(state_field a over-since)" = "$oL" ] && ok ||
	fail "O moved while still over: '$(state_field a over-since)', was '$oL'"
[ "$(psqlq 'SELECT high_water FROM bmsub_shared')" = "$(date -u -d "$LATER1" +%s)" ] && ok ||
	fail "H is not the latest refresh's time: $(psqlq 'SELECT high_water FROM bmsub_shared')"

# --- a skewed clock is named and moves nothing
H0=$(psqlq 'SELECT high_water FROM bmsub_shared')
if command -v faketime >/dev/null; then
	expect_rc 0 "refresh c with its clock 2 days ahead" -- faketime -f '+2d' "$B/bmsub-check" -c "$T/c/etc/bmsub.conf" refresh
	expect_grep "node c: clock off by .172800 s" "$T/err" "node c: clock off by .172800 s"
	[ "$(psqlq 'SELECT high_water FROM bmsub_shared')" = "$H0" ] && ok || fail "a skewed node moved H"
	expect_rc 1 "cluster status names the skewed node" -- ck a --at "$LATER" cluster status
	expect_grep "^c .*CLOCK SKEWED" "$T/out" "^c .*CLOCK SKEWED"
	# notify on the skewed node works on the database's clock
	faketime -f '+2d' "$B/bmsub-check" -c "$T/c/etc/bmsub.conf" --json notify >"$T/j" 2>"$T/err"
	[ "$(json_get "$T/j" 'abs(__import__("calendar").timegm(__import__("time").strptime(d["at"], "%Y-%m-%dT%H:%M:%SZ")) - __import__("time").time()) < 600')" = true ] && ok ||
		fail "notify on a node 2 days ahead: at $(json_get "$T/j" 'd["at"]'), not the database's time"
fi

# --- credentials: a password in a config others can read is refused
cp "$T/a/etc/bmsub.conf" "$T/a/etc/pw.conf"
sed -i "s|user=bmsub\"|user=bmsub password=sekrit\"|" "$T/a/etc/pw.conf"
chmod 644 "$T/a/etc/pw.conf"
expect_rc 1 "password in a world-readable config" -- "$B/bmsub-check" -c "$T/a/etc/pw.conf" refresh
expect_grep "holds a password but .* readable by others" "$T/err" "holds a password but .* readable by others"
expect_rc 1 "password refused for cluster init too" -- "$B/bmsub-check" -c "$T/a/etc/pw.conf" cluster init
chmod 600 "$T/a/etc/pw.conf"
expect_rc 1 "password in a root-only config: connects (c is late)" -- "$B/bmsub-check" -c "$T/a/etc/pw.conf" --at "$LATER" cluster status
sed -i "s|dbname=postgres|dbname=postgres bogus=1|" "$T/a/etc/pw.conf"
expect_rc 1 "bad conninfo" -- "$B/bmsub-check" -c "$T/a/etc/pw.conf" refresh
expect_grep "cluster.database" "$T/err" "cluster.database"

# --- database down: logins decided from the mirror, writers exit 1
pg_stop
expect_rc 0 "decide with the database down" -- ck a decide --user u1 --service imap
expect_rc 1 "refresh with the database down" -- ck a refresh
expect_grep "database unreachable" "$T/err" "database unreachable"
expect_rc 1 "notify with the database down" -- ck a notify
expect_grep "notify: database unreachable" "$T/err" "notify names the error"
expect_rc 1 "cluster status with the database down" -- ck a cluster status
ck a doctor >"$T/out" 2>&1
expect_grep "cluster.*database unreachable" "$T/out" "doctor: database down"

M3=$(date -u -d '+8 days 7 hours' +%Y-%m-%dT%H:%M:%SZ)
ck a --at "$M3" monitor >"$T/out" 2>&1; [ $? = 1 ] && ok || fail "monitor with an old mirror: not WARNING: $(cat "$T/out")"
expect_grep "BMSUB WARNING .*cluster mirror 3 h old" "$T/out" "monitor names the old mirror"
pg_start
expect_rc 0 "refresh after the restart" -- ck a --force-clock --at "$LATER" refresh
expect_grep "^9 users counted" "$T/out" "^9 users counted"

# --- install on a: b and c take it at their next refresh; a tampered
# copy in the database is refused by every node, which keeps its own
# first one for exactly the 9 counted: C = N is not over, O ends
make_license "$T/lic9" id=BM-CL9 kind=prod issued=2026-01-01 expires=2030-01-01 users=9
expect_rc 0 "install a license for 9 on a" -- ck a install "$T/lic9"
expect_rc 0 "refresh a under it" -- ck a --force-clock --at "$LATER" refresh
expect_grep "^9 users counted for 9 licensed$" "$T/out" "9 counted for 9, not over"
[ -z "$(state_field a over-since)" ] && ok || fail "C = N still over since $(state_field a over-since)"
[ -z "$(psqlq 'SELECT over_since FROM bmsub_shared')" ] && ok || fail "the platform's O not ended at C = N"
make_license "$T/lic2" id=BM-CL2 kind=prod issued=2026-01-01 expires=2030-01-01 users=20
expect_rc 0 "install on a" -- ck a install "$T/lic2"
expect_grep "published in the cluster database" "$T/out" "install publishes"
for n in b c; do
	expect_rc 0 "refresh $n takes the new license" -- ck $n --force-clock --at "$LATER" refresh
	expect_grep "took license BM-CL2" "$T/out" "$n took it"
	cmp -s "$T/lic2" "$T/$n/etc/license" && ok || fail "$n: license file not the published one"
	expect_rc 0 "decide on $n under the new license" -- ck $n decide --user x1 --service imap
done
expect_rc 0 "refresh c again: nothing to take" -- ck c --force-clock --at "$LATER" refresh
expect_nogrep "took license" "$T/out" "taken once"
psqlq "UPDATE bmsub_license SET text = replace(text, 'users: 20', 'users: 2000') WHERE id = (SELECT max(id) FROM bmsub_license)"
for n in a b c; do
	expect_rc 1 "refresh $n: tampered license refused" -- ck $n --force-clock --at "$LATER" refresh
	expect_grep "license published in the database is refused" "$T/err" "$n refuses it"
	cmp -s "$T/lic2" "$T/$n/etc/license" && ok || fail "$n: lost its good copy"
done
psqlq "DELETE FROM bmsub_license WHERE id = (SELECT max(id) FROM bmsub_license)"
# a good license the node cannot install (its file a symlink): refused,
# the node's own kept; taken once the file is plain again
make_license "$T/lic3" id=BM-CL3 kind=prod issued=2026-01-01 expires=2030-01-01 users=20
expect_rc 0 "install a third license on a" -- ck a install "$T/lic3"
mv "$T/c/etc/license" "$T/c/etc/license.real"
ln -s license.real "$T/c/etc/license"
expect_rc 1 "refresh c: a license it cannot install" -- ck c --force-clock --at "$LATER" refresh
expect_grep "license published in the database is refused" "$T/err" "c says it cannot take it"
expect_nogrep "took license" "$T/out" "c does not claim it took it"
cmp -s "$T/lic2" "$T/c/etc/license.real" && ok || fail "c: its license changed"
rm "$T/c/etc/license"; mv "$T/c/etc/license.real" "$T/c/etc/license"
expect_rc 0 "refresh c: a plain file again" -- ck c --force-clock --at "$LATER" refresh
expect_grep "took license BM-CL3" "$T/out" "c took it"

# --- recipients are shared; clock reset forgets the platform's H too
expect_rc 1 "recipients add of a bad address" -- ck a recipients add "not an address"
[ "$(psqlq "SELECT count(*) FROM bmsub_recipients WHERE address LIKE 'not%'")" = 0 ] && ok ||
	fail "a bad address reached the database"
expect_rc 0 "recipients add on a" -- ck a recipients add billing@example.test
expect_rc 0 "refresh c" -- ck c --force-clock --at "$LATER" refresh
expect_rc 0 "recipients list on c" -- ck c recipients list
expect_grep "billing@example.test" "$T/out" "c has a's recipient"
expect_rc 0 "recipients remove on b (the domain in other case)" -- ck b recipients remove billing@EXAMPLE.test
[ "$(psqlq "SELECT count(*) FROM bmsub_recipients WHERE address = 'billing@example.test'")" = 0 ] && ok || fail "removed from the database"
# the last recipient removed on one node is gone from the others too
expect_rc 0 "recipients remove the last one on b" -- ck b recipients remove ops@example.test
expect_rc 0 "refresh c after the last removal" -- ck c --force-clock --at "$LATER" refresh
expect_rc 0 "recipients list on c: none" -- ck c recipients list
[ ! -s "$T/out" ] && ok || fail "c still lists: $(cat "$T/out")"
expect_rc 0 "recipients add back on c" -- ck c recipients add ops@example.test
# the same address as on a lone server (bmsub_recipients_same): the local
# part byte for byte, the domain without case, in the database too
expect_rc 0 "recipients add sec@example.test on a" -- ck a recipients add sec@example.test
expect_rc 0 "recipients add sec@EXAMPLE.TEST on b (b's mirror lacks it)" -- ck b recipients add sec@EXAMPLE.TEST
[ "$(psqlq "SELECT count(*) FROM bmsub_recipients WHERE lower(address) = 'sec@example.test'")" = 1 ] && ok ||
	fail "the domain in other case made a second row: $(psqlq 'SELECT address FROM bmsub_recipients')"
expect_rc 1 "recipients add sec@Example.test again on a (a and the database have it)" -- ck a recipients add sec@Example.test
expect_grep "sec@Example.test" "$T/err" "the refusal names the address"
expect_rc 0 "recipients add Sec@example.test on a: another local part" -- ck a recipients add Sec@example.test
[ "$(psqlq "SELECT count(*) FROM bmsub_recipients WHERE lower(address) = 'sec@example.test'")" = 2 ] && ok ||
	fail "Sec@ and sec@ are two addresses"
expect_rc 0 "recipients remove Sec@example.test on c" -- ck c recipients remove Sec@example.test
[ "$(psqlq "SELECT address FROM bmsub_recipients WHERE lower(address) = 'sec@example.test'")" = sec@example.test ] && ok ||
	fail "removing Sec@ removed sec@ too: $(psqlq 'SELECT address FROM bmsub_recipients')"
expect_rc 1 "recipients remove SEC@example.test on c: in neither" -- ck c recipients remove SEC@example.test
[ "$(psqlq "SELECT count(*) FROM bmsub_recipients WHERE address = 'sec@example.test'")" = 1 ] && ok ||
	fail "a remove of another local part deleted sec@"
expect_rc 0 "recipients remove sec@Example.Test on c" -- ck c recipients remove sec@Example.Test
[ "$(psqlq "SELECT count(*) FROM bmsub_recipients WHERE lower(address) = 'sec@example.test'")" = 0 ] && ok ||
	fail "sec@ left in the database"
expect_rc 0 "clock reset on a" -- ck a clock reset
[ -z "$(psqlq 'SELECT high_water FROM bmsub_shared')" ] && ok || fail "clock reset left the database's H"

# --- doctor: the database, this node's clock, the mirror's age
ck a doctor >"$T/out" 2>&1
expect_grep "^ok +cluster|cluster.*database reachable" "$T/out" "doctor: cluster ok"
if command -v faketime >/dev/null; then
	faketime -f '+2d' "$B/bmsub-check" -c "$T/c/etc/bmsub.conf" doctor >"$T/out" 2>&1
	expect_grep "cluster.*node c: clock off by" "$T/out" "doctor names the skewed node"
fi

# --- a server that ran alone brings its recipients at cluster init
node d z1
printf 'd-ops@example.test\n' >"$T/d/state/recipients"
chmod 644 "$T/d/state/recipients"
expect_rc 0 "cluster init on a node with local recipients" -- ck d cluster init
expect_grep "^published 1 local recipient$" "$T/out" "init publishes the local recipient"
[ "$(psqlq "SELECT count(*) FROM bmsub_recipients WHERE address = 'd-ops@example.test'")" = 1 ] && ok ||
	fail "d's recipient not in the database"
# --- a schema newer than this bmsub-check is refused, nothing changed
# (99: far above any version this bmsub-check knows)
psqlq "INSERT INTO bmsub_schema_version (version) VALUES (99)"
expect_rc 1 "cluster init under a newer schema" -- ck a cluster init
expect_grep "schema version 99 is newer" "$T/err" "names the newer schema"
[ "$(psqlq 'SELECT max(version) FROM bmsub_schema_version')" = 99 ] && ok || fail "newer schema touched"
psqlq "DELETE FROM bmsub_schema_version WHERE version = 99"

# --- no libpq in the login path
if command -v ldd >/dev/null; then
	ldd "$B/pam_bmsub.so" "$B/libbmsub.so" | grep -q libpq && fail "libpq in the login path" || ok
	ldd "$B/bmsub-check" | grep -q libpq && ok || fail "bmsub-check without libpq"
fi
# --- cluster status: the license each node runs, when a late one dropped out
expect_rc 0 "refresh a at the end" -- ck a --force-clock --at "$LATER" refresh
expect_rc 0 "cluster status lists the license ids" -- ck a --at "$LATER" cluster status
expect_grep "^b .* 6 users, license BM-CL2, clock " "$T/out" "status: b's users and license id"
expect_rc 0 "cluster status --json" -- ck a --json --at "$LATER" cluster status
[ "$(json_get "$T/out" 'd["nodes"][1]["license_id"]')" = BM-CL2 ] && ok || fail "json license_id: $(cat "$T/out")"
L2=$(date -u -d '+8 days 6 hours' +%Y-%m-%dT%H:%M:%SZ)
for n in a b; do ck $n --force-clock --at "$L2" refresh >/dev/null 2>&1; done
expect_rc 1 "cluster status: c dropped out" -- ck a --at "$L2" cluster status
cs=$(psqlq "SELECT to_char(to_timestamp(last_seen + 7200) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM bmsub_nodes WHERE node = 'c'")
expect_grep "^c .*LATE: left out of the count since $cs \(2 h without a refresh\)" "$T/out" "status says when c dropped out"
expect_nogrep "^[ab] .*LATE" "$T/out" "a and b are not late"

# --- monitor names a node whose clock is off (recorded by its refresh)
if command -v faketime >/dev/null; then
	expect_rc 0 "refresh c with its clock 2 days behind" -- faketime -f '-2d' "$B/bmsub-check" -c "$T/c/etc/bmsub.conf" refresh
	expect_grep "node c: clock off by -172800 s" "$T/err" "refresh names it"
	ck c monitor >"$T/out" 2>&1; [ $? = 1 ] && ok || fail "monitor with a skewed clock: not WARNING: $(cat "$T/out")"
	expect_grep "BMSUB WARNING.*node c: clock off by -172800 s from the database's" "$T/out" "monitor names the skewed node"
	expect_rc 0 "refresh c with a good clock" -- ck c refresh
	ck c monitor >"$T/out" 2>&1
	expect_nogrep "clock off" "$T/out" "monitor: clock fixed, nothing said"
fi

# --- cluster.claim_lease_seconds: a fourth node over the license claims
# for 180 s; notify warns when the sendmail timeout is not a minute shorter
node d $(seq -f 'd%.0f' 1 15)
sed -i 's/node_timeout_hours = 2;/node_timeout_hours = 2; claim_lease_seconds = 180;/' "$T/d/etc/bmsub.conf"
expect_rc 0 "refresh d: over the license" -- ck d refresh
expect_grep "^27 users counted" "$T/out" "^27 users counted"
ND=$(psqlq "SELECT floor(extract(epoch FROM now()))::bigint")
at_() { date -u -d "@$(( ND + $1 ))" +%Y-%m-%dT%H:%M:%SZ; }
before=$(mails)
: >"$T/hang"; rm -f "$T/hang.pid"
ck d --force-clock --at "$(at_ 0)" notify >/dev/null 2>&1 & pk=$!
i=0; while [ ! -s "$T/hang.pid" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -9 $pk; wait $pk 2>/dev/null
kill "$(cat "$T/hang.pid")" 2>/dev/null
rm -f "$T/hang"
[ "$(psqlq "SELECT lease_until - $ND FROM bmsub_alerts WHERE claimed_by LIKE 'd:%'")" = 180 ] && ok ||
	fail "d's claim: $(psqlq "SELECT key, claimed_by, lease_until - $ND FROM bmsub_alerts WHERE lease_until IS NOT NULL")"
expect_rc 0 "notify on d 179 s later: the claim holds" -- ck d --force-clock --at "$(at_ 179)" notify
expect_grep "being sent by another node" "$T/out" "claim held at 179 s"
[ "$(mails)" = "$before" ] && ok || fail "sent within the lease"
BMSUB_SENDMAIL_TIMEOUT=200 ck d --force-clock --at "$(at_ 180)" notify >"$T/out" 2>"$T/err"
expect_grep "claim_lease_seconds \(180\) is not a minute longer than the sendmail timeout \(200 s\)" "$T/err" "lease vs sendmail timeout"
[ "$(mails)" = "$((before + 1))" ] && ok || fail "after the 180 s lease: $(mails) mails, want $((before + 1))"
BMSUB_SENDMAIL_TIMEOUT=200 ck d doctor >"$T/out" 2>&1
expect_grep "cluster.*claim_lease_seconds \(180\) is not a minute longer" "$T/out" "doctor: lease vs sendmail timeout"
ck d doctor >"$T/out" 2>&1
expect_nogrep "claim_lease_seconds" "$T/out" "doctor: a 180 s lease over 120 s is fine"
expect_rc 0 "notify on a: nothing to send again" -- ck a --force-clock --at "$(at_ 181)" notify
expect_nogrep "claim_lease_seconds" "$T/err" "900 s lease: no warning"
[ "$(mails)" = "$((before + 1))" ] && ok || fail "sent twice: $(mails)"

# --- pruning (bmsub-check(8)): ledger rows of another license or episode
# neither sent nor claimed within 400 days, and superseded licenses
# published longer ago than that, go at notify; the rest stays
D=86400
# judged at --at: the platform's H (8 days ahead, above) forgotten first
expect_rc 0 "clock reset before pruning" -- ck a clock reset
NE=$((ND + 200))
psqlq "INSERT INTO bmsub_alerts (key, sent_at, claimed_by, lease_until) VALUES
	('over:1000', $NE - 401 * $D, NULL, NULL),
	('over:1001', $NE - 399 * $D, NULL, NULL),
	('expiry-2m:BM-OLD', $NE - 500 * $D, NULL, NULL),
	('expiry-2m:BM-CL3', $NE - 500 * $D, NULL, NULL),
	('over:1002', NULL, 'x:1', $NE - 401 * $D),
	('over:1003', $NE - 500 * $D, 'x:2', $NE + 600),
	('over:1004', $NE + 10 * $D, NULL, NULL)"
psqlq "INSERT INTO bmsub_license (id, text, node, published) VALUES
	(-2, 'old', 'a', $NE - 401 * $D), (-1, 'recent', 'a', $NE - 399 * $D)"
make_license "$T/lic3" id=BM-CL3 kind=prod issued=2026-01-01 expires=2030-01-01 users=40
expect_rc 0 "install a third license on a" -- ck a install "$T/lic3"
psqlq "UPDATE bmsub_license SET published = $NE - 900 * $D WHERE id = (SELECT max(id) FROM bmsub_license)"
expect_rc 0 "notify prunes" -- ck a --force-clock --at "$(at_ 200)" notify
left=$(psqlq "SELECT string_agg(key, ' ' ORDER BY key) FROM bmsub_alerts WHERE key IN ('over:1000', 'over:1001', 'expiry-2m:BM-OLD', 'expiry-2m:BM-CL3', 'over:1002', 'over:1003', 'over:1004')")
[ "$left" = "expiry-2m:BM-CL3 over:1001 over:1003 over:1004" ] && ok || fail "ledger after pruning: $left"
[ "$(psqlq "SELECT string_agg(text, ' ' ORDER BY id) FROM bmsub_license WHERE id < 0")" = recent ] && ok || fail "license history after pruning"
# the newest (made 900 days old above) stays although old; the licenses
# published before it within 400 days stay too
[ "$(psqlq "SELECT count(*) FROM bmsub_license WHERE id = (SELECT max(id) FROM bmsub_license) AND published = $NE - 900 * $D")" = 1 ] &&
	ok || fail "the newest license pruned: $(psqlq 'SELECT id, published FROM bmsub_license')"
[ "$(psqlq "SELECT count(*) FROM bmsub_license WHERE id > 0 AND id < (SELECT max(id) FROM bmsub_license) AND published < $NE - 400 * $D")" = 0 ] &&
	ok || fail "a superseded license over 400 days old left: $(psqlq 'SELECT id, published FROM bmsub_license')"
expect_rc 0 "refresh b after pruning: the newest license kept" -- ck b refresh
expect_grep "took license BM-CL3" "$T/out" "b takes the newest"

# --- a database at schema version 1 is upgraded in place, its rows kept
psqlq "DELETE FROM bmsub_schema_version WHERE version = 2; CREATE INDEX bmsub_logins_login ON bmsub_logins (login); ALTER TABLE bmsub_logins ALTER COLUMN login TYPE text COLLATE \"default\""
rows=$(psqlq "SELECT count(*) FROM bmsub_logins")
expect_rc 0 "cluster init on a version 1 schema" -- ck c cluster init
expect_grep "upgraded from version 1 to 2" "$T/out" "upgraded from version 1 to 2"
[ "$(psqlq "SELECT count(*) FROM bmsub_logins")" = "$rows" ] && ok || fail "logins lost by the upgrade"
[ "$(psqlq "SELECT collation_name FROM information_schema.columns WHERE table_name = 'bmsub_logins' AND column_name = 'login'")" = C ] && ok || fail "login not in collation C"
[ -z "$(psqlq "SELECT indexname FROM pg_indexes WHERE indexname = 'bmsub_logins_login'")" ] && ok || fail "index on login kept"
expect_rc 0 "refresh after the upgrade" -- ck c refresh

echo "cluster.sh: $(( $(date +%s) - start )) s"
done_checks
