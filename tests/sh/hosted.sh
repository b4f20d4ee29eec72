#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# hosted.sh - users hosted elsewhere (SPEC section 10) through bmsub-check:
# refresh writes state_dir/users and leaves external users out of the
# count; status and decide (text and --json) say what the login path
# reads; a user moved to external is refused from the next refresh on; a
# missing or damaged users file refuses users (hosted-unknown), not
# administrators; configuration and refresh errors.
. "$(dirname "$0")/../lib.sh"
CHK=$SB/bmsub-check
[ -x "$CHK" ] || CHK=$B/bmsub-check
setup_etc 'users = { roster = "'"$T"'/etc/hosted"; exclude = ["svc"]; hosted_only = true; external = { roster = "'"$T"'/etc/external"; }; };'
printf 'alice\nbob\ncarol\nboss\n' >"$T/etc/hosted"
printf 'carol\nboss\n' >"$T/etc/external"
chmod 644 "$T/etc/hosted" "$T/etc/external"
make_license "$T/etc/license" expires="$(date_utc 200)" issued="$(date_utc -100)"
c() { "$CHK" -c "$CONF" "$@"; }

# --- before the first refresh: nobody can be told hosted
expect_rc 0 "status before refresh" -- c status
expect_grep '^  hosted      unknown: no .*/state/users yet: every user is refused \(hosted-unknown\)' "$T/out" "status: no users file"
expect_rc 1 "decide before refresh: a user" -- c decide --user alice --service imap
expect_grep '^deny \(phase ok, reason hosted-unknown\)' "$T/out" "decide: hosted-unknown"
expect_grep '^hosting: unknown' "$T/out" "decide: hosting unknown"
expect_rc 0 "decide before refresh: an admin" -- c decide --user boss --service imap
expect_grep '^allow ' "$T/out" "an admin is decided as an admin"
expect_rc 0 "status --json before refresh" -- c --json status
cp "$T/out" "$T/st0.json"; json_ok "$T/st0.json"
[ "$(json_get "$T/st0.json" 'd["hosted"]["error"]')" = not-found ] && ok || fail "status --json: hosted.error"

# --- refresh: the sets, the count without external users
expect_rc 0 "refresh" -- c refresh
expect_grep '^3 users counted for 100 licensed$' "$T/out" "alice, bob, boss counted (carol external; boss an admin)"
expect_grep '^1 external user refused \(not-hosted\), 1 excluded; written to .*/state/users$' "$T/out" "refresh says what it wrote"
[ "$(stat -c %a "$T/state/users")" = 644 ] && ok || fail "users file mode $(stat -c %a "$T/state/users")"
printf 'bmsub-users 1\nalice\thosted\nbob\thosted\nboss\thosted\ncarol\texternal\nsvc\texcluded\nend 5\n' >"$T/want"
cmp -s "$T/want" "$T/state/users" && ok || { fail "users file:"; diff "$T/want" "$T/state/users"; }
expect_rc 0 "refresh --json" -- c --json refresh
cp "$T/out" "$T/r.json"; json_ok "$T/r.json"
[ "$(json_get "$T/r.json" 'd["counted"]')/$(json_get "$T/r.json" 'd["external"]')/$(json_get "$T/r.json" 'd["excluded"]')" = 3/1/1 ] &&
	ok || fail "refresh --json: $(cat "$T/r.json")"
expect_rc 0 "status" -- c status
expect_grep '^  users       3 counted' "$T/out" "status: the count"
expect_grep '^  hosted      3 hosted, 1 excluded, 1 external \(refused: not-hosted\), and anyone else \(hosted_only\)' "$T/out" "status: the sets"
expect_rc 0 "status --json" -- c --json status
cp "$T/out" "$T/st.json"; json_ok "$T/st.json"
[ "$(json_get "$T/st.json" 'd["hosted"]["hosted"]')/$(json_get "$T/st.json" 'd["hosted"]["external"]')/$(json_get "$T/st.json" 'd["hosted"]["hosted_only"]')/$(json_get "$T/st.json" 'd["hosted"]["error"]')" = 3/1/true/null ] &&
	ok || fail "status --json hosted: $(json_get "$T/st.json" 'd["hosted"]')"

# decide: every kind of login, on a mail and a web service
while read -r user service rc first hosting; do
	expect_rc "$rc" "decide $user $service" -- c --json decide --user "$user" --service "$service"
	cp "$T/out" "$T/d.json"; json_ok "$T/d.json"
	got="$(json_get "$T/d.json" 'd["decision"]') $(json_get "$T/d.json" 'd["reason"]') $(json_get "$T/d.json" 'd["hosting"]')"
	[ "$got" = "$first $hosting" ] && ok || fail "decide $user $service: $got, want $first $hosting"
done <<'CASES'
alice imap 0 allow ok hosted
alice webmail 0 allow ok hosted
svc imap 0 allow ok hosted
carol imap 1 deny not-hosted external
carol webmail 1 deny not-hosted external
carol smtp 1 deny not-hosted external
stranger imap 1 deny not-hosted external
stranger nginx 1 deny not-hosted external
boss imap 0 allow ok hosted
boss webmail 0 allow ok hosted
CASES
expect_rc 1 "decide carol (text)" -- c decide --user carol --service imap
expect_grep '^message: Access refused: your mailbox is not hosted on this mail platform' "$T/out" "decide: the user's message"

# --- a user moved: effective at the next refresh, not before
printf 'carol\nboss\nbob\n' >"$T/etc/external"
expect_rc 0 "bob before the refresh" -- c decide --user bob --service imap
expect_rc 0 "refresh after the move" -- c refresh
expect_grep '^2 users counted' "$T/out" "bob no longer counted"
expect_rc 1 "bob after the refresh" -- c decide --user bob --service imap
expect_grep 'reason not-hosted' "$T/out" "bob: not-hosted"
# and out of the hosted roster entirely: external by hosted_only
printf 'carol\nboss\n' >"$T/etc/external"
printf 'alice\ncarol\nboss\n' >"$T/etc/hosted"
expect_rc 0 "refresh (bob gone)" -- c refresh
expect_rc 1 "bob, listed nowhere, hosted_only" -- c decide --user bob --service imap
# refresh --users leaves the sets as they are, and says so
cp "$T/state/users" "$T/users.before"
expect_rc 0 "refresh --users" -- c refresh --users 7
expect_grep 'users given: .*/state/users .* is left as it is' "$T/err" "refresh --users warns"
cmp -s "$T/users.before" "$T/state/users" && ok || fail "refresh --users changed the users file"

# --- a damaged users file: users refused, admins not, status says why
printf 'bmsub-users 1\nb\thosted\na\thosted\nend 2\n' >"$T/state/users"
expect_rc 1 "decide, damaged users file" -- c decide --user alice --service imap
expect_grep 'reason hosted-unknown' "$T/out" "damaged: hosted-unknown"
expect_grep 'not sorted' "$T/err" "the log line says what is wrong"
expect_rc 0 "decide, damaged, admin" -- c decide --user boss --service imap
expect_rc 0 "status, damaged" -- c status
expect_grep '^  hosted      unknown: .*line 3: not sorted.* \(corrupt\): every user is refused' "$T/out" "status: damaged file"
chmod 666 "$T/state/users"
expect_rc 1 "decide, users file writable by others" -- c decide --user alice --service imap
expect_grep 'reason hosted-unknown' "$T/out" "insecure users file: hosted-unknown"
rm -f "$T/state/users"
expect_rc 0 "refresh writes a new one" -- c refresh
expect_rc 0 "decide after refresh" -- c decide --user alice --service imap

# --- errors
setup_etc 'users = { hosted_only = true; };'
expect_rc 2 "hosted_only without a user source" -- c status
expect_grep 'hosted_only needs users.groups or users.roster' "$T/err" "says why"
setup_etc 'users = { roster = "'"$T"'/etc/hosted"; external = { groups = ["bmsub-no-such-group-x"]; }; };'
expect_rc 2 "refresh, no such external group" -- c refresh
expect_grep 'users.external.groups: no such group "bmsub-no-such-group-x"' "$T/err" "names the key and group"
setup_etc 'users = { roster = "'"$T"'/etc/hosted"; external = { roster = "'"$T"'/etc/missing"; }; };'
expect_rc 1 "refresh, external roster missing" -- c refresh
expect_grep 'missing' "$T/err" "names the file"
# without users.external nothing reads or writes the users file
setup_etc 'users = { roster = "'"$T"'/etc/hosted"; };'
rm -f "$T/state/users"
expect_rc 0 "refresh without users.external" -- c refresh
[ ! -e "$T/state/users" ] && ok || fail "refresh wrote a users file nobody reads"
expect_rc 0 "status without users.external" -- c status
expect_nogrep '^  hosted ' "$T/out" "no hosted line"
expect_rc 0 "status --json without users.external" -- c --json status
cp "$T/out" "$T/s.json"
[ "$(json_get "$T/s.json" 'd["hosted"]')" = null ] && ok || fail "status --json hosted not null"

# --- NSS groups (nss_wrapper, tests/data/conf/nss): members secondary and
# primary on both sides, an administrator by group among the external ones
wrapper=
for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
	[ -e "$d/libnss_wrapper.so" ] && { wrapper=$d/libnss_wrapper.so; break; }
done
if [ -n "$wrapper" ]; then
	fix=$TOP/tests/data/conf/nss
	nss() {
		env LD_PRELOAD="$wrapper" NSS_WRAPPER_PASSWD="$fix/passwd" NSS_WRAPPER_GROUP="$fix/group" \
			ASAN_OPTIONS="verify_asan_link_order=0:${ASAN_OPTIONS:-}" "$CHK" -c "$CONF" "$@"
	}
	setup_etc 'users = { groups = ["mailusers"]; external = { groups = ["staff"]; }; };' \
		'admins = { users = []; groups = ["mailadmins"]; };'
	sed -i '/^admins = { users = \["boss"\]; };$/d' "$CONF"
	expect_rc 0 "refresh through NSS groups" -- nss refresh
	# mailusers: alice, carol, erin + dave (primary); staff: carol, erin,
	# bob; bob is an administrator (primary group mailadmins)
	expect_grep '^2 users counted' "$T/out" "alice and dave counted"
	printf 'bmsub-users 1\nalice\thosted\ncarol\texternal\ndave\thosted\nerin\texternal\nend 4\n' >"$T/want"
	cmp -s "$T/want" "$T/state/users" && ok || { fail "users file from NSS:"; diff "$T/want" "$T/state/users"; }
	expect_rc 1 "carol (staff) through NSS" -- nss decide --user carol --service imap
	expect_rc 0 "bob (staff, admin by group: never external)" -- nss decide --user bob --service imap
	expect_rc 0 "dave (primary member)" -- nss decide --user dave --service imap
	setup_etc 'users = { groups = ["mailusers"]; hosted_only = true; };' \
		'admins = { users = []; groups = ["mailadmins"]; };'
	sed -i '/^admins = { users = \["boss"\]; };$/d' "$CONF"
	expect_rc 0 "refresh, hosted_only" -- nss refresh
	expect_rc 0 "bob, not in mailusers, hosted_only, but an admin" -- nss decide --user bob --service imap
	expect_grep 'user bob \(admin\)' "$T/out" "bob decided as an administrator"
	expect_rc 1 "nobody, not in mailusers, hosted_only" -- nss decide --user nobody --service imap
	expect_grep 'reason not-hosted' "$T/out" "nobody: not-hosted"
	expect_rc 0 "dave, hosted_only" -- nss decide --user dave --service imap
else
	echo "skipped the NSS cases: no libnss_wrapper.so"
fi
done_checks
