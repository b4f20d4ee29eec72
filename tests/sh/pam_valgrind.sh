#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pam_valgrind.sh - no leak over 10,000 transactions: valgrind over one
# plain libpam client process (tests/servers/pamloop.c, plan mode) running
# them through the normal build's pam_bmsub.so while the plan swaps in
# licenses (valid, expired, tampered, ten quick valid/expired swaps), a
# broken config and one naming a missing license, with denials, admin
# redirects and a bad module argument. Every step's answers are counted;
# wants "definitely lost: 0", no errors, and prints valgrind's run time.
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

# vg NAME PAMLOOP-ARGS...: valgrind, then its summary
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

lic 200 "$T/valid"
lic -20 "$T/expired"
sed 's/^customer: .*/customer: Tampered SA/' "$T/valid" >"$T/tampered"
cp "$T/etc/bmsub.conf" "$T/good.conf"
printf 'license = "%s";\nkeys_dir = ;\n' "$T/etc/license" >"$T/bad.conf"
sed "s|^license = .*|license = \"$T/etc/none\";|" "$T/good.conf" >"$T/nolic.conf"
cp "$T/valid" "$T/etc/license"
L=$T/etc/license C=$T/etc/bmsub.conf
{
	echo "imap nobody 1000"
	echo "imap nobody 1000 $T/expired $L"
	echo "webmail root 1000"
	echo "imap nobody 1000 $T/valid $L"
	echo "imap nobody 1000 $T/bad.conf $C"
	echo "imap nobody 1000 $T/good.conf $C"
	for i in 1 2 3 4 5; do
		echo "imap nobody 100 $T/expired $L"
		echo "imap nobody 100 $T/valid $L"
	done
	echo "imap nobody 1000 $T/tampered $L"
	echo "imap nobody 1000 $T/nolic.conf $C"
	echo "broken nobody 1000 $T/good.conf $C"
} >"$T/plan"
start=$(date +%s)
vg plan "$T/plan"
secs=$(( $(date +%s) - start ))
total=$(awk '{ n += $NF } END { print n }' "$T/out")
echo "valgrind: $total transactions in ${secs}s"
n_checks=$((n_checks + 1))
[ "$total" = 10000 ] || fail "$total transactions, want 10000"
# step:rc:count, one a line, as the plan wants them (a broken config: a
# service error, PAM_SERVICE_ERR 3, never an allow)
cat >"$T/want" <<EOW
step 1: rc 0: 1000
step 2: rc 6: 1000
step 3: rc 0: 1000
step 4: rc 0: 1000
step 5: rc 3: 1000
step 6: rc 0: 1000
EOW
for i in 7 9 11 13 15; do
	echo "step $i: rc 6: 100"; echo "step $((i + 1)): rc 0: 100"
done >>"$T/want"
cat >>"$T/want" <<EOW
step 17: rc 6: 1000
step 18: rc 6: 1000
step 19: rc 3: 1000
EOW
n_checks=$((n_checks + 1))
diff "$T/want" "$T/out" >"$T/diff" || { fail "answers per step:"; sed 's/^/  | /' "$T/diff"; }
done_checks
