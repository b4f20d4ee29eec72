#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# schedule.sh - what `bmsub-check notify` sends, run every hour around
# expiry, is exactly the emails `bmsub-check timeline --json` lists, for
# the licenses whose schedule used to disagree (a trial with grace days)
# and their neighbours. test_schedule walks the library hourly over whole
# years; this walks the real program over the interesting week.
. "${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

[ -x "$B/bmsub-check" ] || skip "no $B/bmsub-check"

cp "$TOP/tests/data/fake-sendmail" "$T/fake-sendmail"
setup_etc "notify = { sendmail = \"$T/fake-sendmail\"; from = \"bmsub@mx.example.test\"; };"
export FAKE_SENDMAIL_OUT="$T/mail"
CK="$B/bmsub-check -c $CONF"
expect_rc 0 "recipients add" -- $CK recipients add ops@example.test

# walk NAME FIRST FROM HOURS license-fields...: a fresh state, notify at
# FIRST, then every hour of HOURS from FROM; the "TIME ALERT" lines sent
# must be those the timeline lists from FIRST on. (FIRST is a phase
# start: a walk begun inside a phase would first catch up its email.)
walk() {
	_name=$1 _first=$2 _from=$3 _hours=$4; shift 4
	make_license "$T/etc/license" id="BM-$_name" "$@"
	rm -f "$T/state/state" "$T/mail" "$T/sent.json"
	$CK --json --at "$_first" timeline >"$T/tl.json" 2>"$T/tl.err" ||
		{ fail "$_name: timeline: $(cat "$T/tl.err")"; return; }
	python3 - "$T/tl.json" "$_first" "$_from" "$_hours" "$T/hours" \
	    >"$T/want" <<'PY'
import json, sys, datetime as d
F = "%Y-%m-%dT%H:%M:%SZ"
tl = json.load(open(sys.argv[1]))
first = d.datetime.strptime(sys.argv[2], F)
t0 = d.datetime.strptime(sys.argv[3], F)
end = t0 + d.timedelta(hours=int(sys.argv[4]))
with open(sys.argv[5], "w") as h:
    for t in [first] + [t0 + d.timedelta(hours=i) for i in range(int(sys.argv[4]))]:
        print(t.strftime(F), file=h)
for e in tl["events"]:
    if e["what"] != "email":
        continue
    t = d.datetime.strptime(e["at"], F)
    while first <= t < end:
        print(t.strftime(F), e["alert"])
        if not e["every"]:
            break
        t += d.timedelta(seconds=e["every"])
PY
	while read -r _t; do
		$CK --json --force-clock --at "$_t" notify >>"$T/sent.json" 2>"$T/n.err" ||
			{ fail "$_name: notify at $_t: $(cat "$T/n.err")"; return; }
	done <"$T/hours"
	python3 - "$T/sent.json" "$T/hours" >"$T/got" <<'PY'
import json, sys
hours = open(sys.argv[2]).read().split()
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(runs) == len(hours), (len(runs), len(hours))
for t, r in zip(hours, runs):
    for a in r["alerts"]:
        if a["sent"]:
            print(t, a["alert"])
PY
	sort "$T/want" >"$T/want.s"; sort "$T/got" >"$T/got.s"
	if cmp -s "$T/want.s" "$T/got.s" && [ -s "$T/want.s" ]; then
		ok
	else
		fail "$_name: notify sent (<) is not what the timeline lists (>):"
		diff "$T/got.s" "$T/want.s" | sed 's/^/  | /'
	fi
}

# E = 2027-03-01T00:00:00Z for each; hourly for 6 days from E - 1 day.
W="2027-02-28T00:00:00Z 144"
walk trial4 2027-02-28T00:00:00Z $W kind=trial issued=2026-12-01 \
	expires=2027-02-28 grace-days=4
walk trial5 2027-02-28T00:00:00Z $W kind=trial issued=2026-12-01 \
	expires=2027-02-28 grace-days=5
walk trial0 2027-02-28T00:00:00Z $W kind=trial issued=2026-12-01 \
	expires=2027-02-28
walk prod3 2027-02-01T00:00:00Z $W kind=prod issued=2026-01-01 \
	expires=2027-02-28 grace-days=3
walk prod0 2027-02-01T00:00:00Z $W kind=host issued=2026-01-01 \
	expires=2027-02-28 grace-days=0
done_checks
