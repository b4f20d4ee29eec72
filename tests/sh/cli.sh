#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cli.sh - bmsub-check's commands: exit codes (SPEC section 6), --json
# validity, install atomicity and refusals, refresh/can-add/clock reset,
# and a walk over every phase boundary with --at.
. "$(dirname "$0")/../lib.sh"
CHK=$SB/bmsub-check
[ -x "$CHK" ] || CHK=$B/bmsub-check
setup_etc 'users = { roster = "'"$T"'/etc/roster"; exclude = ["svc"]; };'
printf 'alice\nbob\nsvc\nalice\n' >"$T/etc/roster"; chmod 644 "$T/etc/roster"
c() { "$CHK" -c "$CONF" "$@"; }

make_license "$T/good.lic" users=100 expires=2027-01-01
make_license "$T/v2.lic" signer=vendor2 id=BM-TEST-2
make_license "$T/other.lic" signer=other
make_license "$T/small.lic" users=1 id=BM-SMALL
cp "$T/good.lic" "$T/tampered.lic"; sed -i 's/^users: 100$/users: 900/' "$T/tampered.lic"

# --- usage and config errors: exit 2, one line naming the problem ---------
expect_rc 2 "no command" -- "$CHK"
expect_rc 2 "unknown command" -- c frobnicate
expect_grep "unknown command 'frobnicate'" "$T/err" "names the command"
expect_rc 2 "bad --at" -- c --at 2026-02-30 status
expect_rc 2 "--at without value" -- c status --at
expect_rc 2 "verify without file" -- c verify
expect_rc 2 "verify two files" -- c verify a b
expect_rc 2 "status with argument" -- c status extra
expect_rc 2 "decide without user" -- c decide --service imap
expect_rc 2 "decide without service" -- c decide --user alice
expect_rc 2 "decide bad category" -- c decide --user a --service s --category nope
expect_rc 2 "can-add not a number" -- c can-add x
expect_rc 2 "can-add negative" -- c can-add -1
expect_rc 2 "refresh bad --users" -- c refresh --users 1x
expect_rc 2 "clock without reset" -- c clock
expect_rc 2 "clock bad subcommand" -- c clock set
expect_rc 2 "install without file" -- c install
expect_rc 2 "install unknown option" -- c install --frob x
# an option before the command is an unknown option, not an unknown command
# ARGS | stderr
while IFS='|' read -r args msg; do
	# shellcheck disable=SC2086
	expect_rc 2 "usage: $args" -- c $args
	expect_grep "^bmsub-check: $msg" "$T/err" "usage: $args: says $msg"
	expect_nogrep "unknown command '-" "$T/err" "usage: $args: no 'unknown command' for an option"
	[ "$(wc -l <"$T/err")" = 1 ] && ok || fail "usage: $args: not one line"
done <<TAB
--bogus status|unknown option '--bogus'
-x status|unknown option '-x'
--bogus|unknown option '--bogus' \(and no command given\)
--jsonx status|unknown option '--jsonx'
status --bogus|status: unknown option --bogus
timeline -x|timeline: unknown option -x
status extra|status takes no argument
TAB
expect_rc 2 "missing config" -- "$CHK" -c "$T/nope.conf" status
expect_grep "nope.conf" "$T/err" "names the config"
[ "$(wc -l <"$T/err")" = 1 ] && ok || fail "config error is not one line"
printf 'bogus_key = 1;\n' >"$T/bad.conf"; chmod 644 "$T/bad.conf"
expect_rc 2 "unknown config key" -- "$CHK" -c "$T/bad.conf" status
cp "$CONF" "$T/open.conf"; chmod 666 "$T/open.conf"
expect_rc 2 "world-writable config" -- "$CHK" -c "$T/open.conf" status
expect_grep "insecure|writable" "$T/err" "says why"
expect_rc 0 "help" -- "$CHK" --help
expect_grep "can-add" "$T/out" "help lists commands"

# --- verify ----------------------------------------------------------------
expect_rc 0 "verify good" -- c verify "$T/good.lic"
expect_grep "valid prod license BM-TEST-1" "$T/out" "verify says valid"
expect_rc 0 "verify rotation key" -- c verify "$T/v2.lic"
expect_rc 1 "verify untrusted key" -- c verify "$T/other.lic"
expect_grep "unknown-key" "$T/err" "reason unknown-key"
expect_rc 1 "verify tampered" -- c verify "$T/tampered.lic"
expect_grep "bad-signature" "$T/err" "reason bad-signature"
expect_rc 1 "verify missing" -- c verify "$T/none.lic"
expect_rc 1 "verify fifo" -- c verify /dev/null
for f in "$T/good.lic" "$T/tampered.lic" "$T/none.lic"; do
	"$CHK" -c "$CONF" --json verify "$f" >"$T/j" 2>/dev/null; json_ok "$T/j"
done
c --json verify "$T/tampered.lic" >"$T/j" 2>/dev/null
[ "$(json_get "$T/j" 'd["reason"]')" = bad-signature ] && ok || fail "json reason"
# every committed golden file: good-* verify, the others fail with the
# reason token their name starts with (tests/data/mklicenses.sh made them)
n_golden=0
for g in "$TOP"/tests/data/licenses/*.lic; do
	name=$(basename "$g")
	n_golden=$((n_golden + 1))
	case $name in
	good-*) expect_rc 0 "golden $name" -- c verify "$g"; continue ;;
	esac
	expect_rc 1 "golden $name" -- c verify "$g" || continue
	for tok in bad-signature field-duplicate field-missing field-unknown \
	    field-value syntax too-large unknown-key; do
		case $name in "$tok"-*) expect_grep ": $tok: " "$T/err" "$name reason"; break ;; esac
	done
done
[ "$n_golden" -ge 50 ] && ok || fail "only $n_golden golden licenses found"

# a keys folder others can write is a configuration problem, not a bad file
chmod 775 "$T/etc/keys.d"
expect_rc 2 "verify with an insecure keys folder" -- c verify "$T/good.lic"
expect_grep "keys.d" "$T/err" "names the keys folder"
expect_grep "chmod go-w" "$T/err" "says what to do"
cp "$T/good.lic" "$T/etc/license"
expect_rc 0 "status with an insecure keys folder" -- c status
expect_grep "INVALID: insecure-permissions" "$T/out" "status names the reason"
expect_rc 2 "monitor: logins blocked is CRITICAL" -- c monitor
expect_rc 1 "decide: users denied" -- c decide --user alice --service imap
expect_grep "reason insecure-permissions" "$T/out" "decide names the reason"
rm -f "$T/etc/license"
chmod 755 "$T/etc/keys.d"

# --- no license installed ----------------------------------------------------
expect_rc 0 "status without license" -- c status
expect_grep "INVALID: no-license" "$T/out" "status names no-license"
expect_rc 1 "decide user without license" -- c decide --user alice --service imap
expect_grep "^deny " "$T/out" "first word deny"
[ "$(awk 'NR==1{print $1}' "$T/out")" = deny ] && ok || fail "first word is not exactly 'deny'"
expect_rc 0 "decide admin web without license" -- c decide --user boss --service webmail
expect_grep "^redirect " "$T/out" "admin redirected"
expect_rc 1 "can-add without license" -- c can-add

# --- install -----------------------------------------------------------------
expect_rc 1 "install tampered" -- c install "$T/tampered.lic"
[ ! -e "$T/etc/license" ] && ok || fail "refused install left a file"
expect_rc 0 "install good" -- c install "$T/good.lic"
cmp -s "$T/good.lic" "$T/etc/license" && ok || fail "installed bytes differ"
[ "$(stat -c %a "$T/etc/license")" = 644 ] && ok || fail "license mode"
expect_rc 1 "install untrusted over good" -- c install "$T/other.lic"
cmp -s "$T/good.lic" "$T/etc/license" && ok || fail "good license replaced by a refused one"
ls -a "$T/etc" | grep -q '^\.license\.' && fail "temp file left" || ok

# count unknown (no refresh yet): C >= 0, so more than M = 110 never fits
[ ! -e "$T/state/state" ] && ok || fail "state exists before the first refresh"
expect_rc 0 "can-add M with unknown count" -- c can-add 110
expect_rc 1 "can-add M+1 with unknown count" -- c can-add 111
expect_rc 1 "can-add UINT32_MAX with unknown count" -- c can-add 4294967295
expect_rc 2 "can-add UINT32_MAX+1" -- c can-add 4294967296

# a license that would deny everyone now is refused without --force
make_license "$T/old.lic" id=BM-OLD issued=2020-01-01 expires=2021-01-01
make_license "$T/future.lic" id=BM-FUT starts=2099-01-01 expires=2099-12-31
expect_rc 1 "install expired past grace" -- c install "$T/old.lic"
expect_grep "expired past its grace" "$T/err" "says why"
expect_rc 1 "install not started" -- c install "$T/future.lic"
expect_grep "not started yet" "$T/err" "says why"
cmp -s "$T/good.lic" "$T/etc/license" && ok || fail "a refused license replaced the good one"
expect_rc 0 "verify shows starts" -- c verify "$T/future.lic"
expect_grep "2099-01-01 through 2099-12-31" "$T/out" "verify prints starts, not issued"

# --- refresh, can-add, users ---------------------------------------------------
expect_rc 0 "refresh from roster" -- c --at 2026-06-01 refresh
expect_grep "^2 users counted" "$T/out" "roster: alice bob (svc excluded, dup once)"
expect_rc 0 "refresh --users" -- c --at 2026-06-01 refresh --users 109
c --json --at 2026-06-01 status >"$T/j"; json_ok "$T/j"
[ "$(json_get "$T/j" 'd["users"]["counted"]')" = 109 ] && ok || fail "count recorded"
[ "$(json_get "$T/j" 'd["users"]["ceiling"]')" = 110 ] && ok || fail "ceiling 110"
[ "$(json_get "$T/j" 'd["count_phase"]')" = over ] && ok || fail "count phase over"
expect_rc 0 "can-add 1 at 109/110" -- c --at 2026-06-01 can-add
expect_rc 1 "can-add 2 at 109/110" -- c --at 2026-06-01 can-add 2
expect_rc 0 "can-add 0" -- c --at 2026-06-01 can-add 0
c --json --at 2026-06-01 can-add 5 >"$T/j"; json_ok "$T/j"
[ "$(json_get "$T/j" 'd["can_add"]')" = false ] && ok || fail "json can_add"
expect_rc 1 "install small license refused" -- c --at 2026-06-01 install "$T/small.lic"
cmp -s "$T/good.lic" "$T/etc/license" && ok || fail "refused install changed the license"
expect_grep "covers 1 user but 109" "$T/err" "refusal names the figures"
expect_rc 0 "install small --force" -- c --at 2026-06-01 install --force "$T/small.lic"
expect_rc 0 "reinstall good" -- c install --force "$T/good.lic"
# a license path that is a symbolic link: refused, naming the target, the
# link and its file untouched (a rename would replace the link)
# LINK TARGET (as written in the link) | options | target in the message
mv "$T/etc/license" "$T/etc/real.lic"
while IFS='|' read -r to opts named; do
	ln -s "$to" "$T/etc/license"
	# shellcheck disable=SC2086
	expect_rc 1 "install over a link to $to $opts" -- c install $opts "$T/small.lic"
	expect_grep "license is a symbolic link to $to: install replaces the license file itself" "$T/err" "link to $to: named"
	expect_grep "set license = \"$named\"" "$T/err" "link to $to: what to do"
	[ -L "$T/etc/license" ] && [ "$(readlink "$T/etc/license")" = "$to" ] && ok || fail "link to $to: link changed"
	cmp -s "$T/good.lic" "$T/etc/real.lic" && ok || fail "link to $to: target changed"
	[ "$(ls -A "$T/etc" | grep -c '^\.')" = 0 ] && ok || fail "link to $to: temp file left: $(ls -A "$T/etc")"
	rm "$T/etc/license"
done <<TAB
$T/etc/real.lic||$T/etc/real.lic
$T/etc/real.lic|--force|$T/etc/real.lic
real.lic||<the file it names>
$T/etc/nowhere.lic|--force|$T/etc/nowhere.lic
TAB
ln -s "$T/etc/real.lic" "$T/etc/license"
expect_rc 1 "json: install over a link" -- c --json install --force "$T/good.lic"
cp "$T/out" "$T/j"; json_ok "$T/j"
[ "$(json_get "$T/j" 'd["installed"]') $(json_get "$T/j" 'd["reason"]')" = "false invalid-argument" ] && ok || fail "json install over a link"
rm "$T/etc/license"; mv "$T/etc/real.lic" "$T/etc/license"
expect_rc 0 "install once the link is gone" -- c install --force "$T/good.lic"
[ ! -L "$T/etc/license" ] && ok || fail "license still a link"
# over-count: O set at first sight, one month later users are blocked
c --at 2026-06-01 refresh --users 105 >/dev/null
c --json --at 2026-07-01T00:00:00Z status >"$T/j"
[ "$(json_get "$T/j" 'd["users"]["over_since"]')" = 2026-06-01T00:00:00Z ] && ok || fail "O kept from first sight"
expect_rc 0 "over: user allowed before O+1 month" -- c --at 2026-06-30T23:59:59Z decide --user alice --service imap
expect_rc 1 "over-blocked: user denied at O+1 month" -- c --at 2026-07-01T00:00:00Z decide --user alice --service imap
expect_grep "over-blocked" "$T/out" "phase over-blocked"
c --at 2026-07-02 refresh --users 100 >/dev/null
expect_rc 0 "resolved: allowed again" -- c --at 2026-07-02 decide --user alice --service imap
c --json --at 2026-07-02 status >"$T/j"
[ "$(json_get "$T/j" 'd["users"]["over_since"]')" = null ] && ok || fail "O cleared when C <= N"

# --- clock high-water --------------------------------------------------------
c --force-clock --at 2027-02-01 refresh --users 10 >/dev/null
expect_rc 1 "rolled-back clock keeps the block" -- c --at 2026-01-15 decide --user alice --service imap
c --json --at 2026-01-15 status >"$T/j"
[ "$(json_get "$T/j" 'd["clock_anomaly"]')" = true ] && ok || fail "clock anomaly reported"
c --at 2026-01-15 status >"$T/out"
expect_grep "^bmsub status at 2026-01-15T00:00:00Z \(policy time 2027-01-31T00:00:00Z" "$T/out" "status prints the time the policy uses"
expect_rc 0 "clock reset" -- c clock reset
expect_rc 0 "after reset the old time counts again" -- c --at 2026-01-15 decide --user alice --service imap
# O is dated on the policy's clock: first seen over with the clock behind
# H, O is H - 1 day, so users keep a month rather than being blocked at once
make_license "$T/long.lic" users=100 expires=2030-01-01 id=BM-LONG
c install --force "$T/long.lic" >/dev/null 2>&1
c --force-clock --at 2027-02-01 refresh --users 10 >/dev/null
c --at 2026-06-01 refresh --users 105 >/dev/null
c --json --at 2026-06-01 status >"$T/j"
[ "$(json_get "$T/j" 'd["users"]["over_since"]')" = 2027-01-31T00:00:00Z ] && ok || fail "O not on the policy clock: $(json_get "$T/j" 'd["users"]["over_since"]')"
expect_rc 0 "over first seen behind H: user still allowed" -- c --at 2026-06-02 decide --user alice --service imap
expect_rc 1 "over-blocked a month after H - 1 day" -- c --at 2027-03-01 decide --user alice --service imap
c refresh --users 10 >/dev/null; c clock reset >/dev/null
c install --force "$T/good.lic" >/dev/null 2>&1

# a state that cannot be read (here: group-writable) is not a corrupt one:
# refresh and clock reset refuse rather than drop its H and O
c --at 2026-06-01 refresh --users 105 >/dev/null
chmod 664 "$T/state/state"; cp "$T/state/state" "$T/state.copy"
expect_rc 1 "refresh refuses an unreadable state" -- c --at 2026-06-01 refresh --users 5
expect_grep "insecure-permissions" "$T/err" "names why"
cmp -s "$T/state/state" "$T/state.copy" && ok || fail "unreadable state replaced by refresh"
expect_rc 1 "clock reset refuses an unreadable state" -- c clock reset
cmp -s "$T/state/state" "$T/state.copy" && ok || fail "unreadable state replaced by clock reset"
chmod 644 "$T/state/state"
printf 'garbage\n' >"$T/state/state"
expect_rc 0 "a corrupt state is replaced" -- c --at 2026-06-01 refresh --users 5
expect_grep "starting a new one" "$T/err" "says so"
[ "$(cat "$T/state/state.corrupt")" = garbage ] && ok || fail "damaged state not kept as state.corrupt"
c clock reset >/dev/null

# --- phase walk: one second before and at each threshold (prod, G=10) -----
# E = 2027-01-02T00:00:00Z (expires 2027-01-01 is valid through that day)
walk() { # at want_phase want_rc_user want_first_word_admin_web
	c --json --at "$1" status >"$T/j" 2>/dev/null; json_ok "$T/j"
	got=$(json_get "$T/j" 'd["date_phase"]')
	[ "$got" = "$2" ] && ok || fail "at $1: date phase $got, want $2"
	expect_rc "$3" "user at $1" -- c --at "$1" decide --user alice --service imap
	c --at "$1" decide --user boss --service webmail >"$T/out" 2>"$T/err"
	[ "$(head -n1 "$T/out" | cut -d" " -f1)" = "$4" ] && ok || fail "admin web at $1: $(head -n1 "$T/out"), want $4"
}
walk 2026-11-01T23:59:59Z ok 0 allow
walk 2026-11-02T00:00:00Z notice 0 allow
walk 2026-12-01T23:59:59Z notice 0 allow
walk 2026-12-02T00:00:00Z warning 0 allow
walk 2027-01-01T23:59:59Z warning 0 allow
walk 2027-01-02T00:00:00Z grace 0 redirect
walk 2027-01-11T23:59:59Z grace 0 redirect
walk 2027-01-12T00:00:00Z blocked 1 redirect
# status speaks of the day counts without contradiction around E
c --at 2027-01-01T23:59:59Z status >"$T/out"
expect_grep "through 2027-01-01: less than a day left" "$T/out" "last second"
expect_grep "enters grace \(within a day\)" "$T/out" "next event today"
expect_nogrep "in 0 day" "$T/out" "never in 0 days"
c --at 2027-01-02T00:00:00Z status >"$T/out"
expect_grep "through 2027-01-01: expired today" "$T/out" "at E"
c --at 2027-01-03T00:00:01Z status >"$T/out"
expect_grep "expired 1 day ago" "$T/out" "singular day"
c --at 2026-12-31T00:00:00Z status >"$T/out"
expect_grep "\(in 2 days\)" "$T/out" "plural days"
c --at 2027-01-01T00:00:00Z status >"$T/out"
expect_grep "\(in 1 day\)" "$T/out" "singular in 1 day"
expect_grep "admin url   https://admin.example.test/subscription" "$T/out" "status shows admin_url"
c clock reset >/dev/null

# --- JSON validity of every data command ---------------------------------
for cmd in status timeline "decide --user alice --service imap" "decide --user boss --service webmail" can-add "refresh --users 5" monitor "recipients add ops@example.com" "recipients list" "recipients remove ops@example.com" "notify --dry-run" metrics; do
	# shellcheck disable=SC2086
	c --json $cmd >"$T/j" 2>/dev/null; json_ok "$T/j"
done
c --json monitor >"$T/j" 2>/dev/null
[ "$(json_get "$T/j" 'd["status"]')" = "$(c monitor | cut -d' ' -f2)" ] && ok || fail "monitor --json status differs from the line"
expect_rc 0 "metrics --json" -- c --json metrics
json_ok "$T/out"
expect_rc 2 "metrics --json --output is a usage error" -- c --json metrics --output "$T/m.prom"
# --json: stdout is one object on every path, errors and refusals included,
# and the exit code is unchanged
json_rc() { # want_rc desc -- command...
	expect_rc "$@" && cp "$T/out" "$T/j" && json_ok "$T/j"
}
json_rc 2 "json: unknown command" -- c --json frob
[ "$(json_get "$T/j" 'd["exit"]')" = 2 ] && ok || fail "json exit 2"
expect_grep "frob" "$T/j" "json error names the problem"
json_rc 2 "json: bad --at before --json" -- c --at 2026-13-01 status --json
json_rc 2 "json: missing config" -- "$CHK" -c "$T/nope.conf" --json status
json_rc 2 "json: refresh bad --users" -- c --json refresh --users x
json_rc 2 "json: decide usage" -- c --json decide --user alice
json_rc 2 "json: can-add usage" -- c --json can-add 4294967296
json_rc 2 "json: clock usage" -- c --json clock
json_rc 0 "json: clock reset" -- c --json clock reset
[ "$(json_get "$T/j" 'd["clock_reset"]')" = true ] && ok || fail "json clock_reset"
# an option's value, and what follows "--", is never the --json option
expect_rc 2 "--at's value spelled --json" -- c --at --json status
[ ! -s "$T/out" ] && ok || fail "--at --json: JSON printed: $(cat "$T/out")"
expect_rc 2 "-c's value spelled --json" -- "$CHK" -c --json status
[ ! -s "$T/out" ] && ok || fail "-c --json: JSON printed: $(cat "$T/out")"
expect_grep "config: --json" "$T/err" "-c took --json as its file"
expect_rc 2 "--json after --" -- c status -- --json
[ ! -s "$T/out" ] && ok || fail "status -- --json: JSON printed: $(cat "$T/out")"
expect_rc 2 "-c without a file, last" -- "$CHK" status -c
expect_grep "^bmsub-check: -c needs a file" "$T/err" "-c without a file: says so"
# a date given to --at is its midnight (not the end of that day)
c --json --at 2026-06-01 status >"$T/j"
[ "$(json_get "$T/j" 'd["now"]')" = 2026-06-01T00:00:00Z ] && ok || fail "--at 2026-06-01 is $(json_get "$T/j" 'd["now"]')"
json_rc 1 "json: install tampered" -- c --json install "$T/tampered.lic"
[ "$(json_get "$T/j" 'd["installed"]') $(json_get "$T/j" 'd["reason"]')" = "false bad-signature" ] && ok || fail "json install refusal reason"
c refresh --users 500 >/dev/null 2>&1
json_rc 1 "json: install refused for the count" -- c --json install "$T/good.lic"
[ "$(json_get "$T/j" 'd["reason"]')" = over-count ] && ok || fail "json install over-count"
json_rc 0 "json: install --force" -- c --json install --force "$T/good.lic"
[ "$(json_get "$T/j" 'd["installed"]') $(json_get "$T/j" 'd["license"]["id"]')" = "true BM-TEST-1" ] && ok || fail "json install ok"
c refresh --users 5 >/dev/null 2>&1

# bytes that are not UTF-8 (a file name, a user name, a hostile license
# quoted in a message, cut inside a character) never break the JSON
bad8=$(printf 'x\377')
cp "$T/good.lic" "$T/$bad8.lic"
c --json verify "$T/$bad8.lic" >"$T/j" 2>/dev/null; json_ok "$T/j"
make_license "$T/users8.lic" users="$(printf '1\377')"
c --json verify "$T/users8.lic" >"$T/j" 2>/dev/null; json_ok "$T/j"
[ "$(json_get "$T/j" 'd["reason"]')" = field-value ] && ok || fail "json reason for a non-UTF-8 value"
make_license "$T/cut8.lic" users="$(printf '%063d\303\251' 1)"
c --json verify "$T/cut8.lic" >"$T/j" 2>/dev/null; json_ok "$T/j"
c --json decide --user "$bad8" --service "$bad8" >"$T/j" 2>/dev/null; json_ok "$T/j"
[ "$(json_get "$T/j" 'd["user"]')" = "x$(printf '\357\277\275')" ] && ok || fail "invalid byte not U+FFFD"
c --json decide --user "$(printf 'caf\303\251')" --service imap >"$T/j" 2>/dev/null; json_ok "$T/j"
[ "$(json_get "$T/j" 'd["user"]')" = "$(printf 'caf\303\251')" ] && ok || fail "valid UTF-8 not passed through"

expect_rc 0 "timeline" -- c timeline
expect_grep "grace" "$T/out" "timeline lists grace"
expect_grep "blocked" "$T/out" "timeline lists the block"
# a simulated time ahead of the real clock is recorded as H, and says so
expect_rc 0 "refresh far in the future" -- c --at 2099-01-01 --force-clock refresh --users 1
expect_grep "ahead of the real clock" "$T/err" "future --at warns"
expect_rc 0 "refresh now" -- c refresh --users 1
expect_nogrep "ahead of the real clock" "$T/err" "no warning without --at"
c clock reset >/dev/null
done_checks
