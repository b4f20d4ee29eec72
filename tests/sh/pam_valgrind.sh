#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pam_valgrind.sh - no leak over thousands of transactions: valgrind over a
# plain libpam client running 2,000 transactions through the normal build's
# pam_bmsub.so (with a license replaced halfway, so the cache reloads), and
# over a service error path. Wants "definitely lost: 0" and no errors.
. "$(dirname "$0")/../lib.sh"

command -v valgrind >/dev/null 2>&1 || skip "missing valgrind (tools/deps.sh check)"
[ -f "$B/pam_bmsub.so" ] || { echo "no $B/pam_bmsub.so: run make"; exit 1; }
${CC:-cc} -O1 -g -o "$T/pamloop" "$TOP/tests/servers/pamloop.c" -lpam || exit 1

mkdir -p "$T/etc/keys.d" "$T/etc/state"
cp "$TOP/tests/data/keys/vendor1.pub" "$T/etc/keys.d/vendor1.pem"
echo "ops@example.test" >"$T/etc/state/recipients"
cat >"$T/etc/bmsub.conf" <<EOC
license = "$T/etc/license";
keys_dir = "$T/etc/keys.d";
state_dir = "$T/etc/state";
admin_url = "https://admin.example.test/subscription";
admins = { users = ["root"]; };
services = { imap = ["imap"]; webmail = ["webmail"]; };
EOC
for s in imap webmail; do
	echo "account required $B/pam_bmsub.so conf=$T/etc/bmsub.conf" >"$T/$s"
done
echo "account required $B/pam_bmsub.so conf=$T/etc/bmsub.conf bogus" >"$T/broken"
chmod -R go-w "$T/etc" "$T/imap" "$T/webmail" "$T/broken"
# lic DAYS [FILE]: a signed license into FILE (default: installed)
lic() { make_license "$T/lic.new" id="BM-VG-$1" \
	issued="$(date_utc -400 %Y-%m-%dT%H:%M:%SZ)" \
	expires="$(date_utc "$1" %Y-%m-%dT%H:%M:%SZ)" &&
	mv -f "$T/lic.new" "${2:-$T/etc/license}"; }

# vg NAME SERVICE USER N [FILE NEWFILE]: valgrind, then its summary
vg() {
	name=$1; shift
	expect_rc 0 "valgrind $name" -- valgrind --leak-check=full \
		--errors-for-leak-kinds=definite --error-exitcode=42 \
		--log-file="$T/vg.$name" "$T/pamloop" "$T" "$@"
	cat "$T/out"
	expect_grep 'definitely lost: 0 bytes|no leaks are possible' "$T/vg.$name" \
		"$name: definitely lost"
	expect_grep 'ERROR SUMMARY: 0 errors' "$T/vg.$name" "$name: no errors"
	grep -E 'definitely lost|indirectly lost|ERROR SUMMARY|total heap' "$T/vg.$name" | sed "s/^/$name: /"
}

lic 200
lic -20 "$T/expired"
vg valid-then-expired imap nobody 2000 "$T/etc/license" "$T/expired"
expect_grep '^rc 0: 1000$' "$T/out" "valid: 1000 allowed"
expect_grep '^rc 6: 1000$' "$T/out" "expired dropped in: 1000 denied"
lic -20
vg blocked-redirect webmail root 1000
expect_grep '^rc 0: 1000$' "$T/out" "blocked: 1000 redirected"
vg blocked-deny imap nobody 500
expect_grep '^rc 6: 500$' "$T/out" "blocked: 500 denied"
rm -f "$T/etc/license"
vg no-license imap nobody 200
expect_grep '^rc 6: 200$' "$T/out" "no license: 200 denied"
vg bad-argument broken nobody 200
expect_grep '^rc 3: 200$' "$T/out" "bad argument: 200 service errors"
done_checks
