#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# defaults.sh - SYSCONFDIR and LOCALSTATEDIR reach the built-in defaults:
# the default configuration file and, for a configuration without the keys,
# license, keys_dir and state_dir. A copy of the normal build rebuilt with
# other folders (a changed folder rebuilds what was compiled with the old
# one) uses them with no -c and no path in its configuration; the normal
# build keeps /etc/bmsub and /var/lib/bmsub.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1

# --- the normal build: /etc/bmsub, /var/lib/bmsub -------------------------
"$B/bmsub-check" --help >"$T/help" 2>&1
expect_grep 'Default CONF: /etc/bmsub/bmsub\.conf$' "$T/help" "default config (normal build)"
echo 'admin_url = "https://admin.example.test/subscription";' >"$T/bare.conf"
"$B/bmsub-check" -c "$T/bare.conf" --json status >"$T/st.json" 2>"$T/st.err"
json_ok "$T/st.json"
[ "$(json_get "$T/st.json" 'd["license_file"]')" = /etc/bmsub/license ] && ok ||
	fail "default license (normal build): $(json_get "$T/st.json" 'd["license_file"]')"
strings "$B/pam_bmsub.so" | grep -E '^/(etc|var/lib)/bmsub' | sort -u >"$T/got"
printf '%s\n' /etc/bmsub/bmsub.conf /etc/bmsub/keys.d /etc/bmsub/license /var/lib/bmsub >"$T/want"
n_checks=$((n_checks + 1))
cmp -s "$T/want" "$T/got" || { fail "built-in paths of the module (normal build):"; diff "$T/want" "$T/got"; }

# --- a build with SYSCONFDIR=$X/etc LOCALSTATEDIR=$X/var -----------------
X=$T/x
mkdir "$T/b"
(cd "$B" && tar cf - --exclude=./san --exclude=./fuzz --exclude=./tests --exclude=./obj/tests \
	--exclude=./test-logs .) | tar xf - -C "$T/b"
expect_rc 0 "build with other folders" -- make -s -j2 -C "$TOP" B="$T/b" \
	SYSCONFDIR="$X/etc" LOCALSTATEDIR="$X/var" "$T/b/bmsub-check" "$T/b/pam_bmsub.so"
"$T/b/bmsub-check" --help >"$T/help" 2>&1
expect_grep "Default CONF: $X/etc/bmsub/bmsub\\.conf\$" "$T/help" "default config (SYSCONFDIR)"
grep -qaF "$X/etc/bmsub/bmsub.conf" "$T/b/pam_bmsub.so" && ok || fail "the module's default config is not under SYSCONFDIR"
strings "$T/b/pam_bmsub.so" "$T/b/libbmsub.so" "$T/b/bmsub-check" | grep -E '^/(etc|var/lib)/bmsub' >"$T/left"
[ ! -s "$T/left" ] && ok || fail "built-in paths left outside SYSCONFDIR/LOCALSTATEDIR: $(sort -u "$T/left" | tr '\n' ' ')"

# a configuration naming no path: license, keys and state found under X
mkdir -p "$X/etc/bmsub/keys.d" "$X/var/lib/bmsub"
chmod 755 "$X" "$X/etc" "$X/etc/bmsub" "$X/etc/bmsub/keys.d" "$X/var" "$X/var/lib" "$X/var/lib/bmsub"
cp tests/data/keys/vendor1.pub "$X/etc/bmsub/keys.d/vendor1.pem"
make_license "$X/etc/bmsub/license" expires="$(date_utc 200)" users=50
{
	echo 'admin_url = "https://admin.example.test/subscription";'
	echo 'admins = { users = ["boss"]; };'
} >"$X/etc/bmsub/bmsub.conf"
chmod 644 "$X/etc/bmsub/keys.d/vendor1.pem" "$X/etc/bmsub/bmsub.conf"
expect_rc 0 "refresh into the default state_dir" -- "$T/b/bmsub-check" refresh --users 7
[ -f "$X/var/lib/bmsub/state" ] && ok || fail "no state in LOCALSTATEDIR/lib/bmsub: $(ls -A "$X/var/lib/bmsub")"
"$T/b/bmsub-check" --json status >"$T/st.json" 2>"$T/st.err"
json_ok "$T/st.json"
for e in 'd["license_file"]' 'd["license_valid"]' 'd["users"]["counted"]' 'd["phase"]'; do
	json_get "$T/st.json" "$e"
done >"$T/got"
printf '%s\n' "$X/etc/bmsub/license" true 7 ok >"$T/want"
n_checks=$((n_checks + 1))
cmp -s "$T/want" "$T/got" || { fail "status with the built-in paths:"; diff "$T/want" "$T/got"; cat "$T/st.err"; }
# ...and the normal build does not look there
"$B/bmsub-check" -c "$X/etc/bmsub/bmsub.conf" --json status >"$T/st.json" 2>/dev/null
[ "$(json_get "$T/st.json" 'd["license_valid"]')" = false ] && ok || fail "normal build found the license under $X"
done_checks
