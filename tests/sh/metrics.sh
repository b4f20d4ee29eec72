#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# metrics.sh - bmsub-check metrics: valid Prometheus text (strict checker),
# values per phase, label escaping, and --output written atomically.
. "${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

[ -x "$B/bmsub-check" ] || skip "no $B/bmsub-check"
command -v python3 >/dev/null || skip "python3 missing"
setup_etc
BIN=$B/bmsub-check
[ -x "$SB/bmsub-check" ] && BIN=$SB/bmsub-check
CK="$BIN -c $CONF"
REQUIRED="bmsub_license_valid bmsub_license_expiry_timestamp_seconds
bmsub_license_days_left bmsub_users_counted bmsub_users_licensed
bmsub_users_ceiling bmsub_date_phase bmsub_count_phase bmsub_over_since_timestamp_seconds
bmsub_last_refresh_timestamp_seconds bmsub_last_notify_timestamp_seconds"

# metrics AT DESC: runs metrics, checks the format, leaves samples in $T/samples
metrics() {
	expect_rc 0 "$2" -- $CK --at "$1" metrics || return
	n_checks=$((n_checks + 1))
	# shellcheck disable=SC2086
	python3 "$TOP/tests/data/promcheck.py" "$T/out" $REQUIRED >"$T/samples" ||
		{ fail "$2: $(tail -n 1 "$T/samples")"; return; }
}
# has SERIES VALUE DESC
has() {
	n_checks=$((n_checks + 1))
	grep -qxF -- "$1 $2" "$T/samples" || { fail "$3: no '$1 $2' in:"; sed 's/^/  | /' "$T/samples"; }
}
hasnt() {
	n_checks=$((n_checks + 1))
	! grep -qF -- "$1 " "$T/samples" || fail "$2: $1 present"
}
# phases DATE COUNT: exactly these phases are 1
phases() {
	n_checks=$((n_checks + 1))
	got=$(grep -E '^bmsub_(date|count)_phase\{' "$T/samples" | grep ' 1$' | sed 's/.*phase="\([^"]*\)".*/\1/' | tr '\n' ' ')
	[ "$got" = "$1 " ] || fail "phases at $2: '$got', want '$1 '"
	# one series per axis, exactly one 1 in each, no mixed series
	for ax in date:6 count:4; do
		n_checks=$((n_checks + 2))
		[ "$(grep -c "^bmsub_${ax%:*}_phase{" "$T/samples")" = "${ax#*:}" ] || fail "$2: not ${ax#*:} ${ax%:*} phases"
		[ "$(grep "^bmsub_${ax%:*}_phase{" "$T/samples" | grep -c ' 1$')" = 1 ] || fail "$2: not one ${ax%:*} phase at 1"
	done
	n_checks=$((n_checks + 1))
	! grep -q '^bmsub_phase' "$T/samples" || fail "$2: the mixed bmsub_phase series is back"
}

rm -f "$T/etc/license"
metrics 2027-03-01 "no license"
has bmsub_license_valid 0 "no license"
hasnt bmsub_license_expiry_timestamp_seconds "no license"
hasnt bmsub_users_counted "no license"
hasnt bmsub_last_refresh_timestamp_seconds "no license"
phases "invalid unknown" "no license"

make_license "$T/etc/license" id=BM-P1 customer='Ex "q" \ SA' \
	issued=2026-07-01 expires=2027-06-30 users=100
metrics 2027-03-01 "ok, not counted"
has bmsub_license_valid 1 "ok"
has 'bmsub_license_info{id="BM-P1",customer="Ex \"q\" \\ SA",kind="prod"}' 1 "escaped label"
has bmsub_license_expiry_timestamp_seconds 1814400000 "E"
has bmsub_license_days_left 122 "ok"
has bmsub_users_licensed 100 "ok"
has bmsub_users_ceiling 110 "ok"
hasnt bmsub_users_counted "not counted"
phases "ok unknown" "2027-03-01, not counted"

$CK --force-clock --at 2027-03-01 refresh --users 105 >/dev/null
$CK recipients add ops@example.test >/dev/null
cp "$TOP/tests/data/fake-sendmail" "$T/fake-sendmail"
export FAKE_SENDMAIL_OUT="$T/mail"
sed -i "\$a notify = { sendmail = \"$T/fake-sendmail\"; };" "$CONF"
$CK --force-clock --at 2027-03-01T02:00:00Z notify >/dev/null
metrics 2027-03-02 "over"
has bmsub_users_counted 105 "over"
has bmsub_over_since_timestamp_seconds 1803859200 "O"
has bmsub_last_refresh_timestamp_seconds 1803859200 "refresh"
has bmsub_last_notify_timestamp_seconds 1803866400 "notify"
has bmsub_alert_recipients 1 "recipients"
phases "ok over" "over"
metrics 2027-04-01 "over-blocked"
phases "ok over-blocked" "over-blocked"
metrics 2027-05-01 "notice"
phases "notice over-blocked" "notice"
has bmsub_license_days_left 61 "notice"
$CK --force-clock --at 2027-05-01 refresh --users 90 >/dev/null
metrics 2027-06-01 "warning, within"
phases "warning within" "warning"
hasnt bmsub_over_since_timestamp_seconds "within"
metrics 2027-07-01 "grace"
phases "grace within" "grace"
has bmsub_license_days_left 0 "grace"
metrics 2027-07-11 "blocked"
phases "blocked within" "blocked"
has bmsub_license_days_left -10 "blocked"
has bmsub_license_valid 1 "blocked but valid"

# --json: the same figures, one object; null where the text has no sample
# AT | key=value ...
while IFS='|' read -r at kvs; do
	expect_rc 0 "json at $at" -- $CK --json --at "$at" metrics || continue
	json_ok "$T/out"
	for kv in $kvs; do
		k=${kv%%=*} v=${kv#*=}
		n_checks=$((n_checks + 1))
		got=$(json_get "$T/out" "d['$k']")
		[ "$got" = "$v" ] || fail "json at $at: $k is '$got', want '$v'"
	done
done <<TAB
2027-07-11|date_phase=blocked count_phase=within license_days_left=-10 users_counted=90 license_valid=true license_expiry_timestamp_seconds=1814400000
2027-05-01|date_phase=notice count_phase=within license_days_left=61 alert_recipients=1 state_readable=true
TAB
n_checks=$((n_checks + 1))
[ "$(json_get "$T/out" "d['license_info']['id']")" = BM-P1 ] || fail "json license_info.id"
expect_rc 2 "json with --output" -- $CK --json metrics --output "$T/x.prom"
json_ok "$T/out"
n_checks=$((n_checks + 1))
[ ! -e "$T/x.prom" ] || fail "json with --output wrote a file"

# --output: atomic replacement, mode 0644, no temp file left
mkdir "$T/prom"; chmod 755 "$T/prom"
expect_rc 0 "output" -- $CK --at 2027-03-01 metrics --output "$T/prom/bmsub.prom"
n_checks=$((n_checks + 1))
[ ! -s "$T/out" ] || fail "--output also printed"
n_checks=$((n_checks + 1))
python3 "$TOP/tests/data/promcheck.py" "$T/prom/bmsub.prom" $REQUIRED >/dev/null || fail "output file invalid"
n_checks=$((n_checks + 1))
[ "$(stat -c %a "$T/prom/bmsub.prom")" = 644 ] || fail "mode $(stat -c %a "$T/prom/bmsub.prom")"
ino1=$(stat -c %i "$T/prom/bmsub.prom")
expect_rc 0 "output again" -- $CK --at 2027-07-11 metrics --output "$T/prom/bmsub.prom"
n_checks=$((n_checks + 1))
[ "$(stat -c %i "$T/prom/bmsub.prom")" != "$ino1" ] || fail "file rewritten in place, not renamed"
expect_grep '^bmsub_date_phase\{phase="blocked"\} 1$' "$T/prom/bmsub.prom" "new content"
n_checks=$((n_checks + 1))
[ "$(ls -A "$T/prom")" = bmsub.prom ] || fail "left over: $(ls -A "$T/prom")"
# A folder at mode 555: an unprivileged user (the node exporter's) cannot
# write there, and the old file stays whole; root writes all the same.
chmod 555 "$T/prom"
expect_rc 1 "unwritable folder, unprivileged" -- as_user $(user_bin "$BIN") -c "$CONF" metrics --output "$T/prom/bmsub.prom"
expect_grep '^bmsub_date_phase\{phase="blocked"\} 1$' "$T/prom/bmsub.prom" "old file kept"
n_checks=$((n_checks + 1))
[ "$(ls -A "$T/prom")" = bmsub.prom ] || fail "left over: $(ls -A "$T/prom")"
if need_root "folder at mode 555, written by root"; then
	expect_rc 0 "folder at mode 555, root" -- $CK --at 2027-03-01 metrics --output "$T/prom/bmsub.prom"
	expect_nogrep '^bmsub_date_phase\{phase="blocked"\} 1$' "$T/prom/bmsub.prom" "root rewrote it"
fi
chmod 755 "$T/prom"
expect_rc 1 "missing folder" -- $CK metrics --output "$T/nowhere/bmsub.prom"
expect_rc 2 "--output without file" -- $CK metrics --output
expect_rc 2 "stray argument" -- $CK metrics extra

# the checker itself refuses what Prometheus would
printf 'bmsub_x 1\nbmsub_y{a="1"} 2\nbmsub_x 3\n' >"$T/bad1"
printf '# TYPE bmsub_x gauge\n# TYPE bmsub_x gauge\nbmsub_x 1\n' >"$T/bad2"
printf 'bmsub_x{a="\\q"} 1\n' >"$T/bad3"
printf 'bmsub_x one\n' >"$T/bad4"
printf 'bmsub_x 1' >"$T/bad5"
printf 'bmsub_x 1\nbmsub_x 2\n' >"$T/bad6"
for f in bad1 bad2 bad3 bad4 bad5 bad6; do
	n_checks=$((n_checks + 1))
	python3 "$TOP/tests/data/promcheck.py" "$T/$f" >/dev/null && fail "checker accepted $f"
done

done_checks
