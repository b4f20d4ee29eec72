#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# atclock.sh - --at never moves a real platform into the future by accident
# (SPEC section 6): each command that writes refuses an --at more than a
# day ahead of the real clock (exit 2, one line, nothing changed) unless
# --force-clock; a day ahead or less, or the past, writes as today; the
# commands that only read take any --at, and --force-clock changes nothing
# for them. Times are taken from the real clock at each call, with a
# minute's margin either side of the boundary.
. "${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

CHK=$SB/bmsub-check
[ -x "$CHK" ] || CHK=$B/bmsub-check
[ -x "$CHK" ] || skip "no bmsub-check"
command -v python3 >/dev/null || skip "python3 missing"

cp "$TOP/tests/data/fake-sendmail" "$T/fake-sendmail"
setup_etc "notify = { sendmail = \"$T/fake-sendmail\"; from = \"bmsub@mx.example.test\"; };"
export FAKE_SENDMAIL_OUT="$T/mail"
c() { "$CHK" -c "$CONF" "$@"; }
# at SECONDS: the real clock now, shifted, as an --at TIME
at() { date -u -d "@$(( $(date +%s) + $1 ))" +%Y-%m-%dT%H:%M:%SZ; }
DAY=86400

# A license valid for years whenever this runs, counted, one recipient:
# nothing is due, so each writing command succeeds when it is let write.
make_license "$T/etc/license" id=BM-AT-1 issued="$(date_utc -365)" \
	expires="$(date_utc 7300)" users=100
make_license "$T/new.lic" id=BM-AT-2 issued="$(date_utc -365)" \
	expires="$(date_utc 7300)" users=100
c recipients add ops@example.test >/dev/null
c refresh --users 5 >/dev/null
mkdir "$T/base"
cp -a "$T/state" "$T/base/state"; cp -a "$T/etc/license" "$T/base/license"
# restore: back to the baseline; same: nothing changed since it (the
# state, its lock, the recipients and the license, byte for byte)
restore() {
	rm -rf "$T/state"; cp -a "$T/base/state" "$T/state"
	cp -a "$T/base/license" "$T/etc/license"
}
same() {
	n_checks=$((n_checks + 1))
	diff -r "$T/base/state" "$T/state" >"$T/diff" 2>&1 &&
	    cmp -s "$T/base/license" "$T/etc/license" ||
	    { fail "$1: changed the files:"; sed 's/^/  | /' "$T/diff" | head -n 10; }
}
one_line_refusal() { # desc
	expect_grep "^bmsub-check: .*more than a day ahead of the real clock: it would raise the clock high-water mark and block logins until 'bmsub-check clock reset' \(add --force-clock" \
	    "$T/err" "$1: says why and what to do"
	n_checks=$((n_checks + 1))
	[ "$(wc -l <"$T/err")" = 1 ] && [ ! -s "$T/out" ] ||
	    fail "$1: not one line on stderr and nothing on stdout"
}

# --- the commands that write -------------------------------------------------
# name|arguments (split on blanks)
cat >"$T/writers" <<EOF
refresh|refresh --users 7
notify|notify
install|install $T/new.lic
install --force|install --force $T/new.lic
recipients add|recipients add new@example.test
recipients remove|recipients remove ops@example.test
clock reset|clock reset
EOF
while IFS='|' read -r name args; do
	# shellcheck disable=SC2086 # args is a word list
	set -- $args
	restore
	expect_rc 2 "$name: --at +2 days refused" -- c --at "$(at $((2 * DAY)))" "$@"
	one_line_refusal "$name +2 days"
	expect_grep "^bmsub-check: ${name%% --*}: --at " "$T/err" "$name: names the command"
	same "$name +2 days"
	expect_rc 2 "$name: --at +1 day +60 s refused" -- c --at "$(at $((DAY + 60)))" "$@"
	one_line_refusal "$name +1 day +60 s"
	same "$name +1 day +60 s"
	expect_rc 2 "$name: --at after the command, refused" -- c "$@" --at "$(at $((2 * DAY)))"
	same "$name --at after the command"
	expect_rc 2 "$name: --at +10 years refused" -- c --at "$(at $((3650 * DAY)))" "$@"
	same "$name +10 years"
	# --json: still exactly one object, the refusal in it
	expect_rc 2 "$name: --json refusal" -- c --json --at "$(at $((2 * DAY)))" "$@"
	cp "$T/out" "$T/j"
	json_ok "$T/j" &&
	    { [ "$(json_get "$T/j" 'd["ok"]') $(json_get "$T/j" 'd["exit"]')" = "false 2" ] && ok ||
	    fail "$name: json ok/exit: $(cat "$T/j")"; } &&
	    { json_get "$T/j" 'd["error"]' | grep -q "more than a day ahead of the real clock" && ok ||
	    fail "$name: json error: $(cat "$T/j")"; }
	same "$name --json"

	expect_rc 0 "$name: --at +2 days --force-clock" -- c --at "$(at $((2 * DAY)))" --force-clock "$@"
	expect_nogrep "more than a day ahead" "$T/err" "$name: forced, not refused"
	restore
	expect_rc 0 "$name: --force-clock before --at" -- c --force-clock "$@" --at "$(at $((2 * DAY)))"
	restore
	expect_rc 0 "$name: --at +12 hours" -- c --at "$(at $((DAY / 2)))" "$@"
	expect_nogrep "ahead of the real clock" "$T/err" "$name +12 hours: no refusal, no warning"
	restore
	expect_rc 0 "$name: --at +1 day -60 s" -- c --at "$(at $((DAY - 60)))" "$@"
	expect_nogrep "ahead of the real clock" "$T/err" "$name +1 day -60 s: no refusal, no warning"
	restore
	expect_rc 0 "$name: --at 30 days ago" -- c --at "$(at $((-30 * DAY)))" "$@"
	expect_nogrep "ahead of the real clock" "$T/err" "$name in the past: no refusal"
	restore
	expect_rc 0 "$name: no --at, --force-clock does nothing" -- c --force-clock "$@"
done <"$T/writers"

# forced, H is raised as before and the warning says so; without the flag
# the state keeps today's H
restore
expect_rc 0 "forced refresh" -- c --at "$(at $((2 * DAY)))" --force-clock refresh --users 7
expect_grep "warning: --at is ahead of the real clock" "$T/err" "forced refresh warns about H"
h=$(sed -n 's/^high-water //p' "$T/state/state")
n_checks=$((n_checks + 1))
[ -n "$h" ] && [ "$h" -gt $(( $(date +%s) + DAY )) ] || fail "forced refresh: H not raised: $h"
expect_rc 0 "forced notify" -- c --at "$(at $((3 * DAY)))" --force-clock notify
expect_grep "warning: --at is ahead of the real clock" "$T/err" "forced notify warns about H"
restore
c --at "$(at $((2 * DAY)))" refresh --users 7 >/dev/null 2>&1
h=$(sed -n 's/^high-water //p' "$T/state/state")
n_checks=$((n_checks + 1))
[ -n "$h" ] && [ "$h" -le "$(date +%s)" ] || fail "refused refresh raised H: $h"

# --- the commands that only read: any --at, --force-clock changes nothing ----
restore
cp "$T/new.lic" "$T/verify.lic"
# want (ahead)|want (30 days ago: behind the state's H)|arguments
cat >"$T/readers" <<EOF
0|0|status
0|0|decide --user alice --service imap
0|0|timeline
0|0|can-add
1|1|can-add 106
0|1|monitor
0|0|notify --dry-run
0|0|verify $T/verify.lic
0|0|metrics
0|0|recipients list
EOF
while IFS='|' read -r want want_past args; do
	# shellcheck disable=SC2086 # args is a word list
	set -- $args
	for far in $((3650 * DAY)) $((2 * DAY)) $((-30 * DAY)); do
		t=$(at "$far")
		w=$want; [ "$far" -gt 0 ] || w=$want_past
		expect_rc "$w" "$args: --at $t" -- c --at "$t" "$@"
		expect_nogrep "more than a day ahead" "$T/err" "$args: --at $t not refused"
		cp "$T/out" "$T/out.plain"; cp "$T/err" "$T/err.plain"
		expect_rc "$w" "$args: --at $t --force-clock" -- c --at "$t" --force-clock "$@"
		n_checks=$((n_checks + 1))
		cmp -s "$T/out" "$T/out.plain" && cmp -s "$T/err" "$T/err.plain" ||
		    fail "$args: --force-clock changed the output at $t"
		same "$args at $t"
	done
done <"$T/readers"
# a read-only --json answer far ahead is the command's, not a refusal
expect_rc 0 "status --json +10 years" -- c --json --at "$(at $((3650 * DAY)))" status
json_ok "$T/out"
n_checks=$((n_checks + 1))
[ "$(json_get "$T/out" 'd.get("ok", True)')" = true ] || fail "status --json +10 years refused"
same "status --json +10 years"

# --help names the option
expect_rc 0 "help" -- "$CHK" --help
expect_grep "force-clock" "$T/out" "help names --force-clock"
done_checks
