#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check-deb.sh - make check-deb: the Debian packages on a clean Debian 12.
#
#   check-deb.sh [--keep]
#
# Builds the packages (tools/deb.sh: a clean copy in build/deb/src,
# lintian), then a second version of them (VERSION+1, from a changelog
# entry added to that copy for the build and taken out again), and in a
# new minbase chroot made by mmdebstrap from the mirror this machine's apt
# uses:
#   - installs the packages' dependencies from the mirror, and takes a
#     listing of the whole chroot (path, type, mode, owner, size, checksum
#     or link target);
#   - installs the four .debs with apt, checks the installed tree (module
#     in the multiarch security/ folder, SONAME and links, modes, the
#     conffile, /var/lib/bmsub, units present and not enabled, examples,
#     man pages, the bmsub-web user), runs bmsub-sign, bmsub-check verify,
#     install, refresh, recipients add, status, copies the example stack
#     examples/pam.d/imap to /etc/pam.d and logs in through the installed
#     module with real libpam (pamtester; refused without a license), runs
#     doctor (0 fail; without a gated stack exit 1, naming the examples);
#   - upgrades over itself to VERSION+1 while a PAM stack names the module
#     (allowed) with a local edit in bmsub.conf (kept);
#   - checks that removing libpam-bmsub is refused, naming the stack,
#     while a file in /etc/pam.d names the module, and succeeds once the
#     line is gone;
#   - removes bmsub-tools (the license, keys, state, bmsub.conf and the
#     user bmsub-web stay), then purges the four and compares the listing
#     with the one taken before the install: nothing left behind. Left out of both listings: the dpkg
#     and apt bookkeeping (/var/lib/dpkg, /var/lib/apt, /var/cache/apt), the
#     logs (/var/log), ldconfig's /var/cache/ldconfig/aux-cache (inodes and
#     times of the libraries it saw; /etc/ld.so.cache itself is compared)
#     and the backups useradd and userdel make of the user files
#     (/etc/passwd-, /etc/group-, /etc/shadow-, /etc/gshadow-; /etc/passwd,
#     /etc/group, /etc/shadow, /etc/gshadow themselves are compared); the
#     mounts (/proc, /dev, /tmp, /run) and the empty /sys are not walked.
#
# Root (chroot, mounts) and the network to the mirror. The base tarball
# (the one tests/fresh/mmdebstrap.sh uses, made the same way) and the .deb
# files and package lists apt fetches are cached in $BMSUB_FRESH_CACHE
# (default /var/cache/bmsub-fresh); every run unpacks a new chroot.
# --keep keeps the chroot (kept anyway when a step fails).
set -eu
export LC_ALL=C
keep=0
for a in "$@"; do
	case $a in
	--keep) keep=1 ;;
	*) echo "usage: $0 [--keep]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "check-deb.sh: run as root (chroot, mounts)" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/deb
. "$top/tests/fresh/chroot.sh"
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
# every binary package of debian/control (the four, and any added later)
pkgs=$(sed -n 's/^Package: *//p' "$top/debian/control" | sort | paste -sd' ' -)

now() { date +%s; }
t0=$(now)
lap() { # NAME: the time since the previous lap
	_t=$(now)
	times="$times, $1 $((_t - ${t_lap:-$t0})) s"
	t_lap=$_t
}
times=

# 1. the packages, and the same again as VERSION+1 for the upgrade
sh "$top/tools/deb.sh"
v1=$(dpkg-parsechangelog -l "$out/src/debian/changelog" -S Version)
v2=$v1+1
maint=$(dpkg-parsechangelog -l "$out/src/debian/changelog" -S Maintainer)
cp "$out/src/debian/changelog" "$out/changelog.orig"
{
	printf 'bmsub (%s) unstable; urgency=medium\n\n' "$v2"
	printf '  * make check-deb: the upgrade over %s (never committed).\n\n' "$v1"
	printf ' -- %s  %s\n\n' "$maint" "$(date -R)"
	cat "$out/changelog.orig"
} >"$out/src/debian/changelog"
echo "== dpkg-buildpackage -b bmsub $v2 (log: $out/build-$v2.log)"
# -nc: the objects of the first build are reused, only the packages differ
if ! (cd "$out/src" && dpkg-buildpackage -us -uc -b -nc -Jauto) >"$out/build-$v2.log" 2>&1; then
	tail -n 30 "$out/build-$v2.log" | sed 's/^/   | /'
	echo "== dpkg-buildpackage $v2 failed" >&2
	exit 1
fi
mv -f "$out/changelog.orig" "$out/src/debian/changelog"
lap build

# 2. the base system: made once (make check-fresh shares it)
fresh_base
lap base

work=$(mktemp -d "${BMSUB_FRESH_DIR:-/var/tmp}/bmsub-deb.XXXXXX")
R=$work/root
logs=$work/logs
mkdir -p "$R" "$logs"
# the chroot lives in a tmpfs (unpacked and gone in an instant); kept, it
# stays mounted for a look, the mounts inside it undone
failed=0
finish() {
	rc=$?
	[ $failed = 0 ] || [ $rc != 0 ] || rc=1
	if [ "$keep" = 1 ] || [ $rc != 0 ]; then
		umount_all "$R"
		echo "== chroot kept in $R (logs in $logs); a tmpfs: umount $R when done"
	else
		umount_all
		if still_mounted; then
			echo "== still mounted below $R: not removed" >&2
			[ $rc != 0 ] || rc=1
		else
			rm -rf --one-file-system "$work"
		fi
	fi
	exit $rc
}
trap finish EXIT
trap 'exit 1' INT TERM
mnt -t tmpfs -o mode=0755,size=4g tmpfs "$R"
fresh_unpack --lists
mkdir -m 0755 "$R/tmp/debs" "$R/tmp/t"
for p in $pkgs; do
	for v in "$v1" "$v2"; do
		install -m 0644 "$out/${p}_${v}_$(dpkg --print-architecture).deb" "$R/tmp/debs/"
	done
done
install -m 0600 "$top/tests/data/keys/vendor1.key" "$R/tmp/t/"
install -m 0644 "$top/tests/data/keys/vendor1.pub" "$R/tmp/t/"

# apt-get in the chroot; dpkg's output without a pty (no CR at line ends)
APT="apt-get -y -q -o Dpkg::Use-Pty=0 --no-install-recommends"
# in_chroot COMMAND: as a root login would run it; output on stdout
in_chroot() { fresh_run / "$1"; }
# step NAME COMMAND: in the chroot, must succeed; output in $logs/NAME.log
step() {
	if in_chroot "$2" >"$logs/$1.log"; then
		echo "ok   $1"
	else
		echo "FAIL $1 (exit $?); last lines of $logs/$1.log:"
		tail -n 25 "$logs/$1.log" | sed 's/^/   | /'
		exit 1
	fi
}
n_ok=0
# check DESCRIPTION COMMAND: a shell condition on the host ($R is the
# chroot), counted; a failure is reported and the run goes on
check() {
	if eval "$2"; then
		n_ok=$((n_ok + 1))
	else
		echo "FAIL $1"
		failed=$((failed + 1))
	fi
}
# mode_is PATH MODE UID:GID TYPE
mode_is() { [ "$(stat -c '%a %u:%g %F' "$R$1")" = "$2 $3 $4" ]; }
# listing NAME: every file of the chroot but the bookkeeping (above):
# path, type, mode, owner and size (a folder's size is not compared: ext4
# folders do not shrink), link targets, and each file's checksum
listing() {
	(cd "$R" && {
		find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./tmp -o \
			-path ./run -o -path ./var/lib/dpkg -o -path ./var/lib/apt -o \
			-path ./var/cache/apt -o -path ./var/log -o -path ./var/cache/ldconfig/aux-cache -o \
			-path ./etc/passwd- -o -path ./etc/group- -o -path ./etc/shadow- -o \
			-path ./etc/gshadow- \) -prune -o \
			\( -type l -printf '%p l %U:%G -> %l\n' \) -o \
			\( -type d -printf '%p d %m %U:%G\n' \) -o \
			\( -type f -fprint0 "$work/files0" -printf '%p f %m %U:%G %s\n' \) -o \
			-printf '%p %y %m %U:%G\n'
		xargs -0 md5sum <"$work/files0" | sed 's/^\([0-9a-f]*\)  \(.*\)$/\2 md5 \1/'
	}) | sort >"$work/$1.list"
}
# pkg_is PACKAGE VERSION: installed and configured at VERSION
pkg_is() { [ "$(in_chroot "dpkg-query -W -f '\${Version} \${db:Status-Abbrev}' $1")" = "$2 ii " ]; }
# pkg_gone PACKAGE: purged (dpkg knows nothing of it, or only "not installed")
pkg_gone() {
	_s=$(in_chroot "dpkg-query -W -f '\${db:Status-Abbrev}' $1 2>/dev/null" || true)
	case $_s in '' | un* | pn*) return 0 ;; *) return 1 ;; esac
}
# owned_by PATH PACKAGE (Multi-Arch: same ones are named PACKAGE:ARCH)
owned_by() { in_chroot "dpkg -S $1" | grep -Eqx "$2(:[a-z0-9]+)?: $1"; }
# web_user_ok: bmsub-web a system user, group bmsub-web, no shell or home
web_user_ok() {
	_g=$(in_chroot 'getent group bmsub-web' | cut -d: -f3)
	in_chroot 'getent passwd bmsub-web' | awk -F: -v g="$_g" '$3 >= 100 && $3 < 1000 &&
		$4 == g && g != "" && $6 == "/nonexistent" && $7 == "/usr/sbin/nologin" { ok = 1 }
		END { exit !ok }'
}
lap chroot

# 3. the dependencies from the mirror, then the listing before install
deps=$(for p in $pkgs; do dpkg-deb -f "$R/tmp/debs/${p}_${v1}_"*.deb Depends; done |
	tr ',' '\n' | sed 's/^ *//; /^$/d' | grep -Ev "^($(echo $pkgs | tr ' ' '|'))( |$)" |
	sort -u | paste -sd, - | sed 's/,/, /g')
echo "== dependencies: $deps (and pamtester)"
step update "$APT update"
step deps "$APT satisfy '$deps, pamtester'"
lap deps
in_chroot "dpkg-query -W -f '\${Package}\n'" | sort >"$work/pkgs-before"
listing before

# 4. install
step install "$APT install $(for p in $pkgs; do printf '/tmp/debs/%s_%s_*.deb ' "$p" "$v1"; done)"
in_chroot "dpkg-query -W -f '\${Package}\n'" | sort >"$work/pkgs-after"
for p in $pkgs; do in_chroot "dpkg -L $p" >"$logs/dpkg-L-$p.log"; done
check "apt installed exactly the packages of debian/control ($pkgs)" \
	'[ "$(comm -13 "$work/pkgs-before" "$work/pkgs-after" | paste -sd" " -)" = "$pkgs" ]'
for p in $pkgs; do
	check "$p $v1 installed" "pkg_is $p $v1"
done
L=/usr/lib/$ma
check "module in $L/security, 0644 root" "mode_is $L/security/pam_bmsub.so 644 0:0 'regular file'"
check "module owned by libpam-bmsub" "owned_by $L/security/pam_bmsub.so libpam-bmsub"
check "SONAME libbmsub.so.1" "readelf -d $R$L/libbmsub.so.1.0.0 | grep -q 'SONAME.*\[libbmsub\.so\.1\]'"
check "libbmsub.so.1 -> libbmsub.so.1.0.0" "[ \"\$(readlink $R$L/libbmsub.so.1)\" = libbmsub.so.1.0.0 ]"
check "libbmsub.so -> libbmsub.so.1 (libbmsub-dev)" "[ \"\$(readlink $R$L/libbmsub.so)\" = libbmsub.so.1 ] && owned_by $L/libbmsub.so libbmsub-dev"
# (by /lib/TRIPLET or /usr/lib/TRIPLET: the same folder, /lib is a link)
check "ld.so.cache knows libbmsub.so.1" "in_chroot 'ldconfig -p' | grep -Eq 'libbmsub\.so\.1 .*=> (/usr)?/lib/$ma/libbmsub\.so\.1\$'"
check "static library, header, bmsub.pc" "[ -f $R$L/libbmsub.a ] && [ -f $R/usr/include/bmsub.h ] && grep -qx 'libdir=$L' $R$L/pkgconfig/bmsub.pc && grep -qx 'prefix=/usr' $R$L/pkgconfig/bmsub.pc"
for f in /usr/sbin/bmsub-check /usr/bin/bmsub-sign $L/security/pam_bmsub.so $L/libbmsub.so.1; do
	check "$f: every library found" "in_chroot 'ldd $f' >$work/ldd.out && ! grep -q 'not found' $work/ldd.out"
done
check "bmsub-check 0755 root in /usr/sbin" "mode_is /usr/sbin/bmsub-check 755 0:0 'regular file'"
check "bmsub-sign 0755 root in /usr/bin" "mode_is /usr/bin/bmsub-sign 755 0:0 'regular file'"
check "/etc/bmsub 0755, keys.d 0755" "mode_is /etc/bmsub 755 0:0 directory && mode_is /etc/bmsub/keys.d 755 0:0 directory"
check "/var/lib/bmsub 0755 root, made by the package" "mode_is /var/lib/bmsub 755 0:0 directory && owned_by /var/lib/bmsub bmsub-tools"
check "bmsub.conf 0644 root, a conffile" "mode_is /etc/bmsub/bmsub.conf 644 0:0 'regular file' && in_chroot \"dpkg-query -W -f '\\\${Conffiles}' bmsub-tools\" | grep -q '^ /etc/bmsub/bmsub.conf [0-9a-f]*\$'"
for u in bmsub-refresh.service bmsub-refresh.timer bmsub-notify.service bmsub-notify.timer; do
	check "unit $u installed" "[ -f $R/lib/systemd/system/$u ] && owned_by /lib/systemd/system/$u bmsub-tools"
done
check "units not enabled (nothing in /etc/systemd), cron file not in /etc/cron.d" \
	"[ -z \"\$(find $R/etc/systemd $R/etc/cron.d -name 'bmsub*' 2>/dev/null)\" ]"
check "units run the installed bmsub-check" "grep -q '^ExecStart=/usr/sbin/bmsub-check refresh\$' $R/lib/systemd/system/bmsub-refresh.service"
E=/usr/share/doc/bmsub/examples
for f in README.servers bmsub.conf bmsub.cron pam.d/dovecot pam.d/imap pam.d/pop3 pam.d/smtp pam.d/webmail; do
	check "example $E/$f" "[ -f $R$E/$f ]"
done
# every examples path the man pages, the conffile and the units name is there
names=$(cd "$R" && { zcat usr/share/man/man*/*bmsub*.gz; cat etc/bmsub/bmsub.conf lib/systemd/system/bmsub-*; } |
	sed 's/\\-/-/g' | grep -o "$E/[A-Za-z0-9._/-]*[A-Za-z0-9]" | sort -u)
check "the man pages name the examples folder" "[ -n '$names' ]"
for f in $names; do check "named $f exists" "[ -e $R$f ]"; done
# each program has its man page in its package
for f in $(in_chroot 'dpkg -L bmsub-tools' | grep -E '^/usr/s?bin/.'); do
	b=${f##*/}
	check "man page of $b" "in_chroot 'dpkg -L bmsub-tools' | grep -Eq '^/usr/share/man/man[18]/$b\.[18]\.gz\$'"
done
check "pam_bmsub(8) in libpam-bmsub" "in_chroot 'dpkg -L libpam-bmsub' | grep -qx /usr/share/man/man8/pam_bmsub.8.gz"
check "system user bmsub-web, group bmsub-web, no shell, home /nonexistent" web_user_ok
check "/nonexistent not made" "[ ! -e $R/nonexistent ]"
uid1=$(in_chroot 'getent passwd bmsub-web' | cut -d: -f3)

# 5. the programs, the installed module through real libpam
today=$(date -u +%F)
step sign "bmsub-sign sign --key /tmp/t/vendor1.key --id T-DEB-1 --customer check-deb --kind prod \
	--issued $today --expires $(date -u -d '+1 year' +%F) --users 10 -o /tmp/t/test.lic"
step keys "install -m 0644 /tmp/t/vendor1.pub /etc/bmsub/keys.d/vendor1.pem"
step verify "bmsub-check verify /tmp/t/test.lic"
step license "bmsub-check install /tmp/t/test.lic"
step refresh "bmsub-check refresh --users 3"
step recipients "bmsub-check recipients add ops@example.com"
step status "bmsub-check status"
check "status: the license, ok, 3 users" "grep -q 'T-DEB-1 (prod) for check-deb' $logs/status.log && grep -q '^  phase *ok ' $logs/status.log && grep -q '^  users *3 counted' $logs/status.log"
check "state and recipients in /var/lib/bmsub" "[ -s $R/var/lib/bmsub/state ] && [ -s $R/var/lib/bmsub/recipients ] && [ -s $R/etc/bmsub/license ]"
# the shipped example stack, as an operator would copy it: real libpam
# finds the module by its bare name; without a license it refuses
step stack "cp /usr/share/doc/bmsub/examples/pam.d/imap /etc/pam.d/imap"
printf '# account required pam_bmsub.so\n' >"$R/etc/pam.d/bmsub-deb-commented"
step pam-login "pamtester -v imap nobody acct_mgmt"
mv "$R/etc/bmsub/license" "$R/etc/bmsub/license.away"
if in_chroot 'pamtester -v imap nobody acct_mgmt' >"$logs/pam-nolicense.log"; then
	check "no license: the module refuses the login" false
else
	check "no license: the module refuses the login" "grep -q 'acct_mgmt' $logs/pam-nolicense.log"
fi
mv "$R/etc/bmsub/license.away" "$R/etc/bmsub/license"
# doctor as the webmail responder's user, on the system just set up: no
# "fail" (the timers are not enabled: a warning, exit 0), and the advice
# names the installed examples, not the source tree's conf/
step doctor "bmsub-check doctor --as bmsub-web"
check "doctor: 0 fail" "grep -q '^0 fail, ' $logs/doctor.log"
mv "$R/etc/pam.d/imap" "$work/imap.away"
in_chroot 'bmsub-check doctor' >"$logs/doctor-nostack.log" && rc=0 || rc=$?
mv "$work/imap.away" "$R/etc/pam.d/imap"
check "doctor without a gated stack: exit 1" "[ $rc = 1 ]"
check "doctor names the installed examples" "grep -q 'pam.d/ in the bmsub examples, /usr/share/doc/bmsub/examples' $logs/doctor-nostack.log"

# 6. the upgrade to v2, over a stack naming the module and an edited conffile
echo '# check-deb: a local edit' >>"$R/etc/bmsub/bmsub.conf"
cp "$R/etc/bmsub/bmsub.conf" "$work/conf.edited"
step upgrade "$APT install $(for p in $pkgs; do printf '/tmp/debs/%s_%s_*.deb ' "$p" "$v2"; done)"
for p in $pkgs; do
	check "$p upgraded to $v2" "pkg_is $p $v2"
done
check "bmsub.conf edit kept over the upgrade" "cmp -s $work/conf.edited $R/etc/bmsub/bmsub.conf"
check "no .dpkg-new/.dpkg-old/.dpkg-dist left" "[ -z \"\$(find $R/etc/bmsub -name '*.dpkg-*')\" ]"
check "license, state, recipients, key kept" "[ -s $R/etc/bmsub/license ] && [ -s $R/var/lib/bmsub/state ] && [ -s $R/var/lib/bmsub/recipients ] && [ -s $R/etc/bmsub/keys.d/vendor1.pem ]"
check "units still not enabled after the upgrade" "[ -z \"\$(find $R/etc/systemd -name 'bmsub*' 2>/dev/null)\" ]"
check "bmsub-web kept its uid" "[ \"\$(in_chroot 'getent passwd bmsub-web' | cut -d: -f3)\" = '$uid1' ]"
step status2 "bmsub-check status"
step pam-login2 "pamtester imap nobody acct_mgmt"

# 7. removing the module while a stack names it: refused, the stack named
if in_chroot "$APT remove libpam-bmsub" >"$logs/remove-refused.log"; then
	check "removal refused while /etc/pam.d/imap names the module" false
else
	check "removal refused while /etc/pam.d/imap names the module" true
fi
sed -n '/refusing/,/again/p' "$logs/remove-refused.log" | sed 's/^/   | /'
check "the refusal names the stack, only it" "[ \"\$(grep '^  /' $logs/remove-refused.log)\" = '  /etc/pam.d/imap' ]"
check "the refusal does not name a commented-out line" "! grep -q 'bmsub-deb-commented' $logs/remove-refused.log"
check "the refusal says what to do" "grep -q 'then remove libpam-bmsub again' $logs/remove-refused.log"
check "module still installed after the refusal" "[ -f $R$L/security/pam_bmsub.so ] && in_chroot \"dpkg-query -W -f '\\\${db:Status-Abbrev}' libpam-bmsub\" | grep -q '^.i'"
step pam-login3 "pamtester imap nobody acct_mgmt"
rm -f "$R/etc/pam.d/imap" "$R/etc/pam.d/bmsub-deb-commented"
step remove "$APT remove libpam-bmsub"
check "module gone after the removal" "[ ! -e $R$L/security/pam_bmsub.so ]"

# 8. remove keeps the operator's files and the user; purge: nothing left
step remove-tools "$APT remove bmsub-tools"
check "remove kept license, key, state, recipients, bmsub.conf" "[ -s $R/etc/bmsub/license ] && [ -s $R/etc/bmsub/keys.d/vendor1.pem ] && [ -s $R/var/lib/bmsub/state ] && [ -s $R/var/lib/bmsub/recipients ] && cmp -s $work/conf.edited $R/etc/bmsub/bmsub.conf"
check "remove kept bmsub-web" "[ \"\$(in_chroot 'getent passwd bmsub-web' | cut -d: -f3)\" = '$uid1' ]"
check "remove took the programs" "[ ! -e $R/usr/sbin/bmsub-check ] && [ ! -e $R/usr/bin/bmsub-sign ]"
step purge "$APT purge $pkgs"
for p in $pkgs; do check "$p purged" "pkg_gone $p"; done
check "user and group bmsub-web gone" "! in_chroot 'getent passwd bmsub-web' >/dev/null && ! in_chroot 'getent group bmsub-web' >/dev/null"
listing after
if diff -u "$work/before.list" "$work/after.list" >"$work/listing.diff"; then
	check "purge left nothing behind" true
else
	check "purge left nothing behind" false
	head -n 40 "$work/listing.diff" | sed 's/^/   | /'
fi
lap test

echo "== times:${times#,}; total $(( $(now) - t0 )) s"
if [ $failed = 0 ]; then
	echo "== check-deb: $n_ok checks passed (bmsub $v1, upgrade to $v2)"
else
	echo "== check-deb: $failed FAILED, $n_ok passed"
	exit 1
fi
