#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# web_browser.sh - a real browser (headless chromium through
# chromium-driver and python3-selenium) on bmsub-web behind nginx, all on
# 127.0.0.1: the grace banner on a webmail page, the blocked user's
# message page, the administrator sent to the subscription page, adding a
# recipient (the banner goes), pasting a renewed license (the page shows
# ok), uploading one through the file field. Screenshots: $B/web-screens/*.png (copies in docs/ for the README).
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/servers/common.sh"
. "$TOP/tests/servers/web_common.sh"
PY=/usr/bin/python3
web_need
srv_need chromium /usr/bin/chromedriver $PY
$PY -c 'import selenium' 2>/dev/null || skip "missing python3-selenium (tools/deps.sh check)"
web_start
SHOTS=$B/web-screens
mkdir -p "$SHOTS"
# chromium's profile and caches in the test folder
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config XDG_CACHE_HOME=$T/home/.cache
mkdir -p "$HOME"

# drive STEP...: the browser's checks, counted here
drive() {
	timeout 120 $PY "$TOP/tests/servers/web_browser.py" "$URL" "$SHOTS" "$@" >"$T/drive.out" 2>&1
	rc=$?
	cat "$T/drive.out"
	n_checks=$((n_checks + $(grep -c '^ok: ' "$T/drive.out")))
	n_fail=$((n_fail + $(grep -c '^FAIL: ' "$T/drive.out")))
	if [ $rc != 0 ] && ! grep -q '^FAIL: ' "$T/drive.out"; then
		fail "the browser driver failed (exit $rc)"
	fi
}

web_license -3 BM-GRACE
drive grace-user
web_license -30 BM-BLOCKED
drive blocked-user blocked-admin add-recipient
web_license 365 BM-RENEWED "Example SA" "$T/renewed.lic"
drive "install=$T/renewed.lic"
n_checks=$((n_checks + 1))
cmp -s "$T/renewed.lic" "$T/bmsub/license" || fail "the pasted license is not the one installed"
web_license 400 BM-UPLOADED "Example SA" "$T/uploaded.lic"
drive "upload=$T/uploaded.lic"
for s in webmail-banner denied subscription; do
	n_checks=$((n_checks + 1))
	[ -s "$SHOTS/$s.png" ] || fail "no screenshot $s.png"
done
expect_grep '^ops@example.com$' "$T/bmsub/state/recipients" "recipient written"
n_checks=$((n_checks + 1))
cmp -s "$T/uploaded.lic" "$T/bmsub/license" || fail "the uploaded license is not the one installed"
done_checks
