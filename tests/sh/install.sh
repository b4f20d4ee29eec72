#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# install.sh - `make install` and `make uninstall` into a DESTDIR (SPEC
# section 7): the exact tree with modes and symlinks, the SONAME, the
# installed paths inside units, cron file, man pages and examples, a client
# built against the installed bmsub.pc, the configuration never overwritten,
# then an uninstall that leaves only what the operator owns. Once with the
# default PREFIX=/usr/local, once with PREFIX=/usr (multiarch folders).
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1

MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || cc -print-multiarch 2>/dev/null)
PAMDIR=$(pkg-config --variable=libdir pam)/security
[ "$PAMDIR" != /security ] && ok || fail "pkg-config knows no pam"

# manifest PREFIX LIBDIR UNITDIR: every path install puts, "MODE PATH" or
# "link PATH -> TARGET", sorted; derived from the source tree's files.
manifest() {
	p=${1#/} l=${2#/} u=${3#/} pam=${PAMDIR#/}
	{
		echo "0755 $p/sbin/bmsub-check"
		echo "0755 $p/sbin/bmsub-policy"
		echo "0755 $p/sbin/bmsub-web"
		echo "0755 $p/bin/bmsub-sign"
		echo "0644 $pam/pam_bmsub.so"
		echo "0644 $l/lua/5.4/bmsub.so"
		echo "0644 $l/libbmsub.so.1.0.0"
		echo "link $l/libbmsub.so.1 -> libbmsub.so.1.0.0"
		echo "link $l/libbmsub.so -> libbmsub.so.1"
		echo "0644 $l/libbmsub.a"
		echo "0644 $l/pkgconfig/bmsub.pc"
		echo "0644 $p/include/bmsub.h"
		echo "0644 etc/bmsub/bmsub.conf"
		echo "0755 etc/bmsub/keys.d/"
		echo "0755 var/lib/bmsub/"
		for f in conf/*.service conf/*.timer conf/*.socket; do echo "0644 $u/${f##*/}"; done
		for f in man/*.[1-8]; do echo "0644 $p/share/man/man${f##*.}/${f##*/}"; done
		for f in conf/README.servers conf/bmsub.conf conf/bmsub.cron; do
			echo "0644 $p/share/doc/bmsub/examples/${f##*/}"
		done
		for f in conf/pam.d/*; do echo "0644 $p/share/doc/bmsub/examples/pam.d/${f##*/}"; done
		for f in conf/postfix/*; do echo "0644 $p/share/doc/bmsub/examples/postfix/${f##*/}"; done
		for f in conf/dovecot/* conf/fail2ban/*; do
			d=${f#conf/}; echo "0644 $p/share/doc/bmsub/examples/${d%%/*}/${f##*/}"
		done
		for f in conf/nginx/*; do echo "0644 $p/share/doc/bmsub/examples/nginx/${f##*/}"; done
	} | bypath
}
bypath() { LC_ALL=C sort -k2,2; }
# tree DIR: the same form for what is in DIR (files, links, empty folders)
tree() {
	(cd "$1" && find . -mindepth 1 \( -type f -o -type l -o -type d -empty \) | sed 's|^\./||' | sort |
	while read -r f; do
		if [ -L "$f" ]; then echo "link $f -> $(readlink "$f")"
		elif [ -d "$f" ]; then echo "0$(stat -c %a "$f") $f/"
		else echo "0$(stat -c %a "$f") $f"; fi
	done) | bypath
}
# ours: tree lines but the empty folders shared with other software
ours() { awk '!/\/$/ || /bmsub/'; }
# same WANT GOT DESC
same() {
	n_checks=$((n_checks + 1))
	cmp -s "$1" "$2" || { fail "$3:"; diff -u "$1" "$2" | sed 's/^/  | /' | head -n 40; }
}

# --- PREFIX=/usr/local (the default), from the build itself -------------
D=$T/root
expect_rc 0 "make install" -- make -s -C "$TOP" install DESTDIR="$D" B="$B"
manifest /usr/local /usr/local/lib /usr/local/lib/systemd/system >"$T/want"
tree "$D" >"$T/got"
same "$T/want" "$T/got" "installed tree (PREFIX=/usr/local)"
L=$D/usr/local/lib
# the file-format pages by name: a manifest derived from man/ would not
# miss them if they were gone
for f in man5/bmsub.conf.5 man5/bmsub-license.5; do
	grep -qx "0644 usr/local/share/man/$f" "$T/got" && ok || fail "not installed: share/man/$f"
done

# the SONAME is the name of the middle link; the installed program runs
# from the installed library, which it names (no RUNPATH)
readelf -d "$L/libbmsub.so.1.0.0" | grep -q 'SONAME.*\[libbmsub\.so\.1\]$' && ok ||
	fail "SONAME of libbmsub.so.1.0.0: $(readelf -d "$L/libbmsub.so.1.0.0" | grep SONAME)"
readelf -d "$B/libbmsub.so.1.0.0" | grep -q 'SONAME.*\[libbmsub\.so\.1\]$' && ok || fail "SONAME in $B"
[ "$(readlink "$B/libbmsub.so.1")" = libbmsub.so.1.0.0 ] && [ "$(readlink "$B/libbmsub.so")" = libbmsub.so.1 ] &&
	ok || fail "$B symlinks: $(ls -l "$B"/libbmsub.so*)"
for f in usr/local/sbin/bmsub-check usr/local/bin/bmsub-sign; do
	readelf -d "$D/$f" | grep -q 'NEEDED.*\[libbmsub\.so\.1\]' && ok || fail "$f does not need libbmsub.so.1"
	readelf -d "$D/$f" | grep -qE 'RUNPATH|RPATH' && fail "$f keeps a RUNPATH" || ok
done
LD_LIBRARY_PATH=$L "$D/usr/local/sbin/bmsub-check" --help >"$T/help" 2>&1 && ok || fail "installed bmsub-check --help"
expect_grep 'Default CONF: /etc/bmsub/bmsub\.conf$' "$T/help" "installed bmsub-check: default config"
LD_LIBRARY_PATH=$L "$D/usr/local/bin/bmsub-sign" --help >"$T/help" 2>&1 && ok || fail "installed bmsub-sign --help"

# texts name the installed paths; every examples file they name is there
same conf/bmsub.conf "$D/etc/bmsub/bmsub.conf" "installed configuration"
for u in refresh notify; do
	f=$D/usr/local/lib/systemd/system/bmsub-$u.service
	expect_grep "^ExecStart=/usr/local/sbin/bmsub-check $u\$" "$f" "$u unit: command"
	expect_grep '^ReadWritePaths=/var/lib/bmsub$' "$f" "$u unit: state folder"
	expect_grep "^[0-9]+ .* root /usr/local/sbin/bmsub-check $u " \
		"$D/usr/local/share/doc/bmsub/examples/bmsub.cron" "cron example: $u"
done
cat "$D"/usr/local/share/man/man*/* "$D"/usr/local/share/doc/bmsub/examples/README.servers >"$T/texts"
expect_nogrep '(^|[[:space:](])conf/' "$T/texts" "a text names the source tree's conf/"
expect_grep '/usr/local/share/doc/bmsub/examples/README\.servers' "$T/texts" "man page names the server notes"
grep -oE '/usr/local/share/doc/bmsub/examples/[A-Za-z0-9._/-]*[A-Za-z0-9]' "$T/texts" | sort -u >"$T/named"
while read -r f; do
	[ -e "$D$f" ] && ok || fail "a text names $f, not installed"
done <"$T/named"

# a client built against the installed header and bmsub.pc
cat >"$T/client.c" <<'C'
#include <bmsub.h>
#include <stdio.h>
int main(void) { int64_t t; return bmsub_time_parse("2027-03-31", 1, &t) ||
    printf("%s\n", bmsub_err_token(BMSUB_E_BAD_SIGNATURE)) < 0; }
C
PKG_CONFIG_SYSROOT_DIR=$D PKG_CONFIG_PATH=$L/pkgconfig \
	pkg-config --cflags --libs bmsub >"$T/pc" 2>&1 && ok || fail "pkg-config bmsub: $(cat "$T/pc")"
expect_rc 0 "client builds against the installed library" -- \
	cc -o "$T/client" "$T/client.c" $(cat "$T/pc")
readelf -d "$T/client" | grep -q 'NEEDED.*\[libbmsub\.so\.1\]' && ok || fail "client does not need libbmsub.so.1"
LD_LIBRARY_PATH=$L "$T/client" >"$T/client.out" 2>&1
grep -qx bad-signature "$T/client.out" && ok || fail "client output: $(cat "$T/client.out")"
# ...and statically: pkg-config --static names what libbmsub.a needs
PKG_CONFIG_SYSROOT_DIR=$D PKG_CONFIG_PATH=$L/pkgconfig \
	pkg-config --static --libs bmsub >"$T/pcs" 2>&1 && ok || fail "pkg-config --static bmsub: $(cat "$T/pcs")"
expect_grep '-lsodium' "$T/pcs" "pkg-config --static names libsodium"
expect_rc 0 "client links libbmsub.a" -- \
	cc -o "$T/client-static" "$T/client.c" -I"$D/usr/local/include" \
	"$L/libbmsub.a" $(sed 's/-lbmsub\b//; s/-L[^ ]*//g' "$T/pcs")
readelf -d "$T/client-static" | grep -q 'libbmsub' && fail "static client needs libbmsub.so" || ok
"$T/client-static" >"$T/client.out" 2>&1
grep -qx bad-signature "$T/client.out" && ok || fail "static client output: $(cat "$T/client.out")"

# the operator's configuration, license, keys and state survive a
# reinstall and an uninstall
echo '# changed by the operator' >>"$D/etc/bmsub/bmsub.conf"
cp "$D/etc/bmsub/bmsub.conf" "$T/conf.changed"
echo license >"$D/etc/bmsub/license"
echo key >"$D/etc/bmsub/keys.d/vendor.pem"
echo state >"$D/var/lib/bmsub/state"
expect_rc 0 "make install again" -- make -s -C "$TOP" install DESTDIR="$D" B="$B"
same "$T/conf.changed" "$D/etc/bmsub/bmsub.conf" "reinstall overwrote the configuration"
# a PAM stack still naming the module: uninstall refuses and names it
mkdir -p "$D/etc/pam.d"
printf '#account required pam_bmsub.so\n' >"$D/etc/pam.d/commented"
printf 'auth required pam_unix.so\naccount required pam_bmsub.so conf=/etc/bmsub/bmsub.conf\n' >"$D/etc/pam.d/dovecot"
expect_rc 2 "make uninstall with a stack naming the module (make: 2)" -- make -s -C "$TOP" uninstall DESTDIR="$D"
expect_grep "refused: .*$D/etc/pam.d/dovecot" "$T/err" "uninstall names the stack"
expect_nogrep "commented" "$T/err" "a commented line does not count"
[ -e "$D/${PAMDIR#/}/pam_bmsub.so" ] && ok || fail "refused uninstall removed the module"
rm -f "$D/etc/pam.d/dovecot"
expect_rc 0 "make uninstall" -- make -s -C "$TOP" uninstall DESTDIR="$D"
rm -f "$D/etc/pam.d/commented"; rmdir "$D/etc/pam.d"
expect_grep "kept: $D/etc/bmsub/bmsub.conf \(changed since install\)" "$T/out" "uninstall says the config stays"
printf '%s\n' "0644 etc/bmsub/bmsub.conf" "0644 etc/bmsub/keys.d/vendor.pem" "0644 etc/bmsub/license" \
	"0644 var/lib/bmsub/state" >"$T/want"
tree "$D" | ours >"$T/got"
same "$T/want" "$T/got" "left by uninstall (changed configuration and data)"
expect_rc 0 "make uninstall twice" -- make -s -C "$TOP" uninstall DESTDIR="$D"

# --- PREFIX=/usr, from a copy of the build (only bmsub.pc is remade) -----
mkdir "$T/b"
# pax format keeps sub-second mtimes: a source edited in the second its
# object was built must not look newer than the copy
(cd "$B" && tar --format=posix -cf - --exclude=./san --exclude=./fuzz --exclude=./tests --exclude=./obj/tests \
	--exclude=./test-logs .) | tar xf - -C "$T/b"
touch "$T/b/.before"; sleep 1
D=$T/usr
expect_rc 0 "make install PREFIX=/usr" -- make -s -C "$TOP" install DESTDIR="$D" B="$T/b" PREFIX=/usr
find "$T/b" -newer "$T/b/.before" ! -type d | sed "s|^$T/b/||" | sort >"$T/got"
printf '%s\n' bmsub.pc install-dirs >"$T/want"
same "$T/want" "$T/got" "install PREFIX=/usr remade more than bmsub.pc"
UNITDIR=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null)
LIBDIR=/usr/lib${MA:+/$MA}
[ -n "$MA" ] && ok || fail "no multiarch triplet (dpkg-architecture, cc -print-multiarch)"
manifest /usr "$LIBDIR" "${UNITDIR:-/usr/lib/systemd/system}" >"$T/want"
tree "$D" >"$T/got"
same "$T/want" "$T/got" "installed tree (PREFIX=/usr)"
expect_grep "^libdir=$LIBDIR\$" "$D$LIBDIR/pkgconfig/bmsub.pc" "bmsub.pc libdir"
expect_grep '^prefix=/usr$' "$D$LIBDIR/pkgconfig/bmsub.pc" "bmsub.pc prefix"
for u in refresh notify; do
	expect_grep "^ExecStart=/usr/sbin/bmsub-check $u\$" "$D${UNITDIR:-/usr/lib/systemd/system}/bmsub-$u.service" "$u unit (/usr)"
	expect_grep " root /usr/sbin/bmsub-check $u " "$D/usr/share/doc/bmsub/examples/bmsub.cron" "cron example (/usr): $u"
done
expect_grep '^\.I /usr/share/doc/bmsub/examples/README\.servers$' "$D/usr/share/man/man8/pam_bmsub.8" "pam_bmsub(8) names the notes (/usr)"

# an unchanged configuration goes; the keys and state folders stay, empty
expect_rc 0 "make uninstall PREFIX=/usr" -- make -s -C "$TOP" uninstall DESTDIR="$D" PREFIX=/usr
expect_grep "bmsub\.conf \(unchanged\)" "$T/out" "uninstall removes the unchanged config"
printf '%s\n' "0755 etc/bmsub/keys.d/" "0755 var/lib/bmsub/" >"$T/want"
tree "$D" | ours >"$T/got"
same "$T/want" "$T/got" "left by uninstall (unchanged configuration)"
find "$D" -mindepth 1 ! -type d >"$T/files"
[ ! -s "$T/files" ] && ok || fail "files left: $(cat "$T/files")"
done_checks
