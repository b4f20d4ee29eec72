#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deps.sh - tools/deps.sh as a newcomer meets it: with packages missing and
# not root it installs nothing and prints the exact apt-get line; with
# everything present it is silent. dpkg-query and id are faked on PATH.
. "$(dirname "$0")/../lib.sh"
mkdir -p "$T/bin"
cat >"$T/bin/dpkg-query" <<'S'
#!/bin/sh
# every package "installed" except those listed in $FAKE_MISSING
for p; do :; done
case " $FAKE_MISSING " in *" $p "*) exit 1 ;; esac
printf 'ii '
S
printf '#!/bin/sh\necho 1000\n' >"$T/bin/id"
printf '#!/bin/sh\necho apt-get must not run >&2; exit 99\n' >"$T/bin/apt-get"
chmod 755 "$T/bin/"*
d() { m=$1; shift; env PATH="$T/bin:$PATH" FAKE_MISSING="$m" sh "$TOP/tools/deps.sh" "$@"; }

expect_rc 0 "nothing missing" -- d "" check
[ ! -s "$T/err" ] && ok || fail "silent when nothing is missing: $(cat "$T/err")"
expect_rc 1 "missing, not root" -- d "libsodium-dev check" check
expect_grep "^  apt-get update && apt-get install -y --no-install-recommends libsodium-dev check$" "$T/err" "exact install line"
expect_nogrep "must not run" "$T/err" "apt-get not run as non-root"
expect_rc 1 "demo set names its packages" -- d "pamtester nginx-light spawn-fcgi postgresql" demo
expect_grep "install -y --no-install-recommends pamtester nginx-light spawn-fcgi postgresql$" "$T/err" "demo line (bmsub-web's and the cluster's steps included)"
expect_rc 1 "deb set names its packages" -- d "debhelper lintian mmdebstrap" deb
expect_grep "install -y --no-install-recommends debhelper lintian mmdebstrap$" "$T/err" "deb line"
expect_rc 0 "build set ignores the deb packages" -- d "lintian" build
expect_rc 0 "--list deb" -- d "lintian" --list deb
expect_grep "^gcc .* lintian mmdebstrap .*git$" "$T/out" "--list names the set, build first"
[ ! -s "$T/err" ] && ok || fail "--list installs and warns of nothing: $(cat "$T/err")"
expect_rc 0 "build set ignores test packages" -- d "dovecot-imapd" build
expect_rc 2 "unknown set" -- d "" everything
expect_rc 1 "--print never installs" -- d "gcc" --print build
done_checks
