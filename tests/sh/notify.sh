#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# notify.sh - bmsub-check notify over a whole year of hourly runs (each alert
# at its moment, never twice, retried after a failure, none after a
# renewal), messages parsed as RFC 5322, and the failure cases: no
# recipient, sendmail missing or failing, dry run, stale alerts, trial.
. "${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

[ -x "$B/bmsub-check" ] || skip "no $B/bmsub-check"
command -v python3 >/dev/null || skip "python3 missing"

cp "$TOP/tests/data/fake-sendmail" "$T/fake-sendmail"
setup_etc "notify = { sendmail = \"$T/fake-sendmail\"; from = \"bmsub@mx.example.test\"; local_domains = [\"example.test\"]; };"
export FAKE_SENDMAIL_OUT="$T/mail" FAKE_SENDMAIL_FAIL="$T/fail"
CK="$B/bmsub-check -c $CONF"
mailcheck() { python3 "$TOP/tests/data/mailcheck.py" "$@"; }

make_license "$T/lic1" id=BM-Y1 customer="Exämple SA" kind=prod \
	issued=2026-07-01 expires=2027-06-30 users=100
make_license "$T/lic2" id=BM-Y2 customer="Exämple SA" kind=prod \
	issued=2027-07-20 expires=2028-06-30 users=100
cp "$T/lic1" "$T/etc/license"
expect_rc 0 "recipients add" -- $CK recipients add ops@example.test

# ------------------------------------------------------------------
# A year of runs of notify through the normal build. Every hour of the
# year took 221 s here (each run fsyncs the state), too slow for make
# check: daily runs at midnight, hourly runs around each transition and
# over a whole 7-day repeat period. The pure function is driven hourly over
# whole years in test_alerts.
python3 -c '
import datetime as d
h = d.timedelta(hours=1)
times = set()
t = d.datetime(2027, 1, 1)
while t.year == 2027:
    times.add(t); t += d.timedelta(days=1)
for a, b in (("2027-01-31T20", "2027-02-09T04"), ("2027-02-28T20", "2027-03-01T04"),
             ("2027-04-30T20", "2027-05-01T04"), ("2027-05-31T20", "2027-06-01T08"),
             ("2027-06-30T20", "2027-07-01T04"), ("2027-07-10T20", "2027-07-11T04"),
             ("2027-07-20T10", "2027-07-20T14"), ("2027-10-31T20", "2027-11-01T04")):
    t = d.datetime.strptime(a, "%Y-%m-%dT%H")
    while t <= d.datetime.strptime(b, "%Y-%m-%dT%H"):
        times.add(t); t += h
times.add(d.datetime(2027, 3, 10, 9)); times.add(d.datetime(2027, 12, 31, 23))
for t in sorted(times):
    print(t.strftime("%Y-%m-%dT%H:%M:%SZ"))' >"$T/hours"
start=$(date +%s)
runs=0 fails=0 fail_hours=
while read -r t; do
	case $t in
	2027-02-01T00:00:00Z) $CK --force-clock --at "$t" refresh --users 105 >/dev/null ;;
	2027-03-10T09:00:00Z) $CK --force-clock --at "$t" refresh --users 95 >/dev/null ;;
	2027-06-01T00:00:00Z) : >"$T/fail" ;;	# sendmail fails for 5 hours
	2027-06-01T05:00:00Z) rm -f "$T/fail" ;;
	2027-07-20T12:00:00Z) cp "$T/lic2" "$T/etc/license" ;;	# renewed
	2027-10-01T00:00:00Z) $CK --force-clock --at "$t" refresh --users 120 >/dev/null ;;
	esac
	$CK --force-clock --at "$t" notify >/dev/null 2>"$T/notify.err" ||
		{ fails=$((fails + 1)); fail_hours="$fail_hours $t"; }
	runs=$((runs + 1))
done <"$T/hours"
secs=$(( $(date +%s) - start ))
echo "year: $runs runs in ${secs}s, $fails exited 1:$fail_hours"
n_checks=$((n_checks + 1))
[ "$runs" = "$(wc -l <"$T/hours")" ] || fail "ran $runs times"
n_checks=$((n_checks + 1))
[ "$fail_hours" = " 2027-06-01T00:00:00Z 2027-06-01T01:00:00Z 2027-06-01T02:00:00Z 2027-06-01T03:00:00Z 2027-06-01T04:00:00Z" ] ||
	fail "runs that exited 1:$fail_hours"

mailcheck "$T/mail" "Exämple SA" >"$T/sent"; rc=$?
n_checks=$((n_checks + 1))
[ $rc = 0 ] || fail "messages do not parse: $(grep mailcheck "$T/sent")"
cat >"$T/want" <<'WANT'
2027-02-01T00:00:00Z over:1801440000
2027-02-08T00:00:00Z over:1801440000
2027-02-15T00:00:00Z over:1801440000
2027-02-22T00:00:00Z over:1801440000
2027-03-01T00:00:00Z over-blocked:1801440000
2027-05-01T00:00:00Z expiry-2m:BM-Y1
2027-06-01T05:00:00Z expiry-1m:BM-Y1
2027-07-01T00:00:00Z grace:BM-Y1
2027-07-03T00:00:00Z grace:BM-Y1
2027-07-05T00:00:00Z grace:BM-Y1
2027-07-07T00:00:00Z grace:BM-Y1
2027-07-09T00:00:00Z grace:BM-Y1
2027-07-11T00:00:00Z blocked:BM-Y1
2027-07-13T00:00:00Z blocked:BM-Y1
2027-07-15T00:00:00Z blocked:BM-Y1
2027-07-17T00:00:00Z blocked:BM-Y1
2027-07-19T00:00:00Z blocked:BM-Y1
2027-10-01T00:00:00Z over:1822348800
2027-10-08T00:00:00Z over:1822348800
2027-10-15T00:00:00Z over:1822348800
2027-10-22T00:00:00Z over:1822348800
2027-10-29T00:00:00Z over:1822348800
2027-11-01T00:00:00Z over-blocked:1822348800
WANT
n_checks=$((n_checks + 1))
if ! cmp -s "$T/want" "$T/sent"; then
	fail "alerts of the year differ (want, got):"
	diff "$T/want" "$T/sent" | head -n 40
fi
echo "alerts per type:"
sed 's/.* \([a-z0-9-]*\):.*/\1/' "$T/sent" | sort | uniq -c
cp "$T/lic1" "$T/etc/license"
expect_grep '^notified ' "$T/state/state" "last_notify recorded"
expect_grep '^high-water 1830294000$' "$T/state/state" "H = last run (2027-12-31T23:00)"

# ------------------------------------------------------------------
# Failure cases, each from a fresh state.
fresh() {
	rm -rf "$T/state" "$T/mail" "$T/fail"; mkdir "$T/state"; chmod 755 "$T/state"
	$CK recipients add ops@example.test >/dev/null
}

# no recipient: exit 1 when something is due, nothing recorded
fresh
$CK recipients remove ops@example.test >/dev/null
expect_rc 0 "no recipient, nothing due" -- $CK --force-clock --at 2027-02-02 notify
expect_rc 1 "no recipient, alert due" -- $CK --force-clock --at 2027-05-02 notify
expect_grep "no recipient" "$T/err" "says why"
expect_nogrep '^sent ' "$T/state/state" "nothing recorded without recipient"
$CK recipients add ops@example.test >/dev/null
expect_rc 0 "recipient added: sent" -- $CK --force-clock --at 2027-05-02T01:00:00Z notify
expect_grep '^sent expiry-2m:BM-Y1 1809219600$' "$T/state/state" "recorded after sending"
expect_rc 0 "not twice" -- $CK --force-clock --at 2027-05-02T02:00:00Z notify
expect_grep '^no alert due' "$T/out" "nothing due the next hour"
n_checks=$((n_checks + 1))
[ "$(grep -c FAKE-SENDMAIL-END "$T/mail")" = 1 ] || fail "sent more than once"

# a damaged state: notify starts afresh (a refresh restores the count),
# sends what is due and writes a sound state
fresh
printf 'not a state\n' >"$T/state/state"
expect_rc 0 "damaged state" -- $CK --force-clock --at 2027-05-02 notify
expect_grep "state damaged, starting afresh" "$T/err" "damaged state: says so"
expect_grep '^sent expiry-2m:BM-Y1 ' "$T/state/state" "damaged state: rewritten with the alert sent"

# sendmail failing or missing: exit 1, not recorded, retried next run
fresh
: >"$T/fail"
expect_rc 1 "sendmail fails" -- $CK --force-clock --at 2027-06-02 notify
expect_grep "exited with status 75" "$T/err" "names the failure"
expect_nogrep '^sent ' "$T/state/state" "nothing recorded on failure"
rm -f "$T/fail"
setup_etc "notify = { sendmail = \"$T/no-such-sendmail\"; };"
expect_rc 1 "sendmail missing" -- $CK --force-clock --at 2027-06-02T01:00:00Z notify
expect_grep "no-such-sendmail" "$T/err" "names the missing program"
expect_nogrep '^sent ' "$T/state/state" "nothing recorded when missing"
# sendmail that hangs: killed after BMSUB_SENDMAIL_TIMEOUT, exit 1, not
# recorded, and the state lock is free again for refresh
printf '#!/bin/sh\ncat >/dev/null\nexec sleep 30\n' >"$T/hang-sendmail"
chmod 755 "$T/hang-sendmail"
setup_etc "notify = { sendmail = \"$T/hang-sendmail\"; };"
start=$(date +%s)
expect_rc 1 "sendmail hangs" -- env BMSUB_SENDMAIL_TIMEOUT=1 $CK --force-clock --at 2027-06-02T01:30:00Z notify
secs=$(( $(date +%s) - start ))
n_checks=$((n_checks + 1))
[ "$secs" -le 10 ] || fail "a hanging sendmail held notify for ${secs}s"
expect_grep "did not finish within 1 seconds: killed" "$T/err" "names the timeout"
expect_nogrep '^sent ' "$T/state/state" "nothing recorded on timeout"
expect_rc 0 "lock free after the timeout" -- $CK --force-clock --at 2027-06-02T01:31:00Z refresh --users 5
setup_etc "notify = { sendmail = \"$T/fake-sendmail\"; };"
expect_rc 0 "retried" -- $CK --force-clock --at 2027-06-02T02:00:00Z notify
expect_grep '^sent expiry-1m:BM-Y1 ' "$T/state/state" "recorded once sent"
# From defaults to bmsub@<hostname>
expect_grep "^From: bmsub@$(hostname | tr -cd 'A-Za-z0-9.-')$" "$T/mail" "default From"
setup_etc "notify = { sendmail = \"relative/sendmail\"; };"
expect_rc 2 "relative sendmail is a config error" -- $CK --force-clock --at 2027-06-02 notify
setup_etc "notify = { sendmail = \"$T/fake-sendmail\"; from = \"bad from\"; };"
expect_rc 2 "bad notify.from is a config error" -- $CK --force-clock --at 2027-06-02 notify
setup_etc "notify = { sendmail = \"$T/fake-sendmail\"; from = \"bmsub@mx.example.test\"; };"

# dry run: prints, sends and records nothing
fresh
expect_rc 0 "dry run" -- $CK --at 2027-07-02 notify --dry-run
expect_grep '^Subject: ' "$T/out" "dry run prints the message"
expect_grep 'grace:BM-Y1 \(dry run' "$T/out" "dry run names the alert"
n_checks=$((n_checks + 1))
[ ! -e "$T/mail" ] || fail "dry run sent mail"
n_checks=$((n_checks + 1))
[ ! -e "$T/state/state" ] || fail "dry run wrote the state"
expect_rc 0 "dry run --json" -- $CK --at 2027-07-02 --json notify --dry-run
json_ok "$T/out"
n_checks=$((n_checks + 1))
[ "$(json_get "$T/out" 'd["alerts"][0]["key"]')" = grace:BM-Y1 ] || fail "json key"
expect_rc 0 "real run --json" -- $CK --force-clock --at 2027-07-02 --json notify
json_ok "$T/out"
n_checks=$((n_checks + 1))
[ "$(json_get "$T/out" 'd["alerts"][0]["sent"]')" = true ] || fail "json sent"

# stale: the first run in warning skips the 2-month alert; in blocked,
# only the blocked alert
fresh
expect_rc 0 "first run in warning" -- $CK --force-clock --at 2027-06-20 notify
expect_rc 0 "then grace" -- $CK --force-clock --at 2027-07-01T03:00:00Z notify
mailcheck "$T/mail" >"$T/sent"
printf '%s\n' "2027-06-20T00:00:00Z expiry-1m:BM-Y1" \
	"2027-07-01T03:00:00Z grace:BM-Y1" >"$T/want"
n_checks=$((n_checks + 1))
cmp -s "$T/want" "$T/sent" || { fail "stale alerts sent:"; cat "$T/sent"; }

# renewal stops the expiry alerts at once
cp "$T/lic2" "$T/etc/license"
expect_rc 0 "renewed" -- $CK --force-clock --at 2027-07-03T03:00:00Z notify
expect_grep '^no alert due' "$T/out" "no alert after renewal"
cp "$T/lic1" "$T/etc/license"

# a clock set back a month: the alerts due are those of the effective
# time (H - 1 day), and they are recorded at it, not at the raw clock
# (grace repeats every 2 days: sent at 07-01, not due at 07-02T12)
fresh
$CK --force-clock --at 2027-07-02 refresh --users 5 >/dev/null
expect_rc 0 "clock set back a month" -- $CK --force-clock --at 2027-06-01 notify
expect_grep '^sent grace:BM-Y1 ' "$T/out" "set-back clock: the grace alert of the effective time"
expect_rc 0 "a day and a half on" -- $CK --force-clock --at 2027-07-02T12:00:00Z notify
expect_grep '^no alert due' "$T/out" "set-back clock: the alert counts as sent at the effective time"
n_checks=$((n_checks + 1))
[ "$(mailcheck "$T/mail" | wc -l)" = 1 ] || { fail "set-back clock: not one mail"; mailcheck "$T/mail"; }

# trial: one alert when it ends, never again
fresh
make_license "$T/etc/license" id=TR-9 customer="Trial Co" kind=trial \
	issued=2027-01-01 expires=2027-01-31 users=10
for d in 2027-01-30 2027-02-01 2027-02-02 2027-02-03 2027-02-05 2027-03-01; do
	$CK --force-clock --at "$d" notify >/dev/null 2>&1
done
mailcheck "$T/mail" "Trial Co" >"$T/sent"
n_checks=$((n_checks + 1))
[ "$(cat "$T/sent")" = "2027-02-01T00:00:00Z trial-ended:TR-9" ] ||
	{ fail "trial alerts:"; cat "$T/sent"; }

# no valid license: "invalid" every 2 days, through the sanitizer build
fresh
rm -f "$T/etc/license"
if [ -x "$SB/bmsub-check" ]; then SCK="$SB/bmsub-check -c $CONF"; else SCK=$CK; fi
expect_rc 0 "no license: alert" -- $SCK --force-clock --at 2027-03-01 notify
expect_rc 0 "no license: not yet again" -- $SCK --force-clock --at 2027-03-02T23:00:00Z notify
expect_rc 0 "no license: again after 2 days" -- $SCK --force-clock --at 2027-03-03 notify
expect_rc 0 "no license: dry run" -- $SCK --at 2027-03-05 notify --dry-run
expect_rc 2 "bad option" -- $SCK notify --bogus
mailcheck "$T/mail" >"$T/sent"
printf '%s\n' "2027-03-01T00:00:00Z invalid:no-license" \
	"2027-03-03T00:00:00Z invalid:no-license" >"$T/want"
n_checks=$((n_checks + 1))
cmp -s "$T/want" "$T/sent" || { fail "invalid alerts:"; cat "$T/sent"; }

# ------------------------------------------------------------------
# recipients through the CLI
setup_etc "notify = { sendmail = \"$T/fake-sendmail\"; local_domains = [\"example.test\"]; };"
fresh
expect_rc 0 "list" -- $CK recipients list
expect_grep '^ops@example.test$' "$T/out" "list prints the address"
expect_rc 1 "duplicate (domain case)" -- $CK recipients add ops@EXAMPLE.test
expect_rc 1 "bad address" -- $CK recipients add "ops example.test"
expect_rc 1 "remove absent" -- $CK recipients remove nobody@example.test
expect_rc 2 "add without address" -- $CK recipients add
expect_rc 2 "unknown subcommand" -- $CK recipients purge
expect_rc 0 "add external" -- $CK recipients add boss@elsewhere.test
expect_grep 'not in notify.local_domains' "$T/err" "add warns about an outside address"
# local: the domain or one below it, in any case; a look-alike is not
expect_rc 0 "add a look-alike domain" -- $CK recipients add x@notexample.test
expect_grep '^bmsub-check: x@notexample.test is not in notify.local_domains' "$T/err" "a look-alike domain is not local"
expect_rc 0 "add a subdomain in other case" -- $CK recipients add y@Mail.EXAMPLE.test
expect_nogrep 'not in notify.local_domains' "$T/err" "a subdomain, any case, is local"
expect_rc 0 "add the domain in other case" -- $CK recipients add z@Example.Test
expect_nogrep 'not in notify.local_domains' "$T/err" "the domain, any case, is local"
expect_rc 0 "list --json: local flags" -- $CK --json recipients list
n_checks=$((n_checks + 1))
[ "$(json_get "$T/out" '" ".join("%s=%s" % (r["address"], r["local"]) for r in d["recipients"])')" = \
	"ops@example.test=True boss@elsewhere.test=False x@notexample.test=False y@Mail.EXAMPLE.test=True z@Example.Test=True" ] ||
	fail "json local flags: $(cat "$T/out")"
for a in x@notexample.test y@Mail.EXAMPLE.test z@Example.Test; do $CK recipients remove "$a" >/dev/null; done
expect_rc 0 "remove local" -- $CK recipients remove ops@example.test
expect_rc 0 "list --json" -- $CK --json recipients list
json_ok "$T/out"
expect_grep 'no recipient is in notify.local_domains' "$T/err" "list warns: no local recipient"
n_checks=$((n_checks + 1))
[ "$(json_get "$T/out" 'd["recipients"][0]["address"]')" = boss@elsewhere.test ] || fail "json list"
expect_rc 0 "remove last" -- $CK recipients remove boss@elsewhere.test
expect_rc 0 "empty list" -- $CK recipients list
expect_grep 'no alert recipient' "$T/err" "empty list warns"
n_checks=$((n_checks + 1))
[ "$(ls -A "$T/state" | grep -v -e '^lock$' -e '^recipients$' -e '^state$')" = "" ] || fail "temp files left in state dir"

# domains without case, and local addresses when notify.local_domains lists
# their domain: add/remove/duplicate, the module's view (status), a mail
# ADDR | rc without localhost listed | rc with
while IFS='|' read -r addr rc0 rc1; do
	expect_rc "$rc0" "add $addr, localhost not listed" -- $CK recipients add "$addr"
	[ "$rc0" = 0 ] && $CK recipients remove "$addr" >/dev/null
done <<TAB
postmaster@localhost|1|0
root@LocalHost|1|0
ops@Example.Test|0|0
root@mailhub|1|1
root@localhost.|1|1
TAB
expect_rc 1 "refused local" -- $CK recipients add postmaster@localhost
expect_grep 'notify.local_domains' "$T/err" "refusal names notify.local_domains"
setup_etc "notify = { sendmail = \"$T/fake-sendmail\"; local_domains = [\"example.test\", \"localhost\"]; };"
fresh
while IFS='|' read -r addr rc0 rc1; do
	expect_rc "$rc1" "add $addr, localhost listed" -- $CK recipients add "$addr"
done <<TAB
postmaster@localhost|1|0
root@LocalHost|1|0
ops@Example.Test|0|1
root@mailhub|1|1
root@localhost.|1|1
TAB
# CMD | rc | stdout or stderr grep
while IFS='|' read -r cmd rc re; do
	# shellcheck disable=SC2086
	expect_rc "$rc" "$cmd" -- $CK $cmd
	cat "$T/out" "$T/err" >"$T/both"
	expect_grep "$re" "$T/both" "$cmd: $re"
done <<TAB
recipients add POSTMASTER@localhost|0|added POSTMASTER@localhost
recipients add postmaster@LOCALHOST|1|already a recipient \(as postmaster@localhost\)
recipients add ops@EXAMPLE.TEST|1|already a recipient \(as ops@example.test\)
recipients list|0|^postmaster@localhost\$
status|0|^  recipients  4 \(ops@example.test, postmaster@localhost, root@LocalHost, POSTMASTER@localhost\)
recipients remove root@LOCALHOST|0|removed root@LOCALHOST
recipients remove root@localhost|1|not a recipient
recipients remove OPS@example.test|1|not a recipient
recipients remove ops@example.TEST|0|removed ops@example.TEST
TAB
: >"$T/mail"
expect_rc 0 "notify to a local address" -- $CK --force-clock --at 2027-07-02 notify
expect_grep '^To: postmaster@localhost,$' "$T/mail" "mail to the local address"

# ------------------------------------------------------------------
# the shipped units and cron file
# systemd-analyze (package systemd) is installed by tools/deps.sh check:
# missing, this is a failure, not a check that quietly disappears
n_checks=$((n_checks + 1))
if ! command -v systemd-analyze >/dev/null; then
	fail "systemd-analyze missing: the units are not verified (tools/deps.sh check installs systemd)"
else
	mkdir "$T/units"
	for u in "$TOP"/conf/bmsub-*.service "$TOP"/conf/bmsub-*.timer \
	    "$TOP"/conf/bmsub-*.socket; do
		sed -e "s|/usr/local/sbin/bmsub-check|$B/bmsub-check|" \
			-e "s|/usr/local/sbin/bmsub-web|$B/bmsub-web|" "$u" >"$T/units/${u##*/}"
	done
	n_checks=$((n_checks + 1))
	(cd "$T/units" && systemd-analyze verify --man=no ./*.service ./*.timer ./*.socket) >"$T/verify" 2>&1 ||
		{ fail "systemd-analyze verify:"; cat "$T/verify"; }
	n_checks=$((n_checks + 1))
	[ ! -s "$T/verify" ] || { fail "systemd-analyze warnings:"; cat "$T/verify"; }
fi
for u in refresh notify; do
	expect_grep '^Type=oneshot$' "$TOP/conf/bmsub-$u.service" "$u: oneshot"
	expect_grep '^ProtectSystem=strict$' "$TOP/conf/bmsub-$u.service" "$u: ProtectSystem"
	expect_grep '^ReadWritePaths=/var/lib/bmsub$' "$TOP/conf/bmsub-$u.service" "$u: state writable"
	expect_grep "^ExecStart=/usr/local/sbin/bmsub-check $u\$" "$TOP/conf/bmsub-$u.service" "$u: command"
	expect_grep '^OnCalendar=hourly$' "$TOP/conf/bmsub-$u.timer" "$u: hourly"
	expect_grep '^RandomizedDelaySec=' "$TOP/conf/bmsub-$u.timer" "$u: randomized"
	expect_grep "^[0-9]+ +\* +\* +\* +\* +root +/usr/local/sbin/bmsub-check $u " "$TOP/conf/bmsub.cron" "cron: $u"
done
expect_grep '^NoNewPrivileges=yes$' "$TOP/conf/bmsub-refresh.service" "refresh: no new privileges"
expect_nogrep '^NoNewPrivileges=yes$' "$TOP/conf/bmsub-notify.service" "notify: setgid sendmail allowed"

done_checks
