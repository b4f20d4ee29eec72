#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# mmdebstrap.sh - the README's two commands on a truly fresh Debian 12: a
# minbase chroot plus make and git, the current HEAD cloned into
# /root/bmsub (mode 0700 like any /root), then "make demo" and "make check"
# run there as root. Not part of make check: it needs the network to the
# Debian mirror and about 5 minutes (2 cores). Run as root: make check-fresh
#
#   mmdebstrap.sh [--keep] [--rebuild] [REF]
#
# REF (default HEAD) is any commit of this repository reachable from a
# branch or tag; --keep keeps the chroot (kept anyway when a step fails),
# --rebuild makes the base tarball again.
#
# The base tarball is cached in $BMSUB_FRESH_CACHE (default
# /var/cache/bmsub-fresh) and so are the .deb files apt fetches inside the
# chroot, so a rerun starts from the same clean system without downloading
# it again. Every run unpacks a new chroot: nothing a previous run installed
# remains. The chroot shares the host's network namespace (the tests start
# their own Dovecot, nginx and saslauthd on loopback); daemons that package
# installation would start are held back by policy-rc.d, as in any chroot.
set -eu
keep=0 rebuild=0 ref=HEAD
for a in "$@"; do
	case $a in
	--keep) keep=1 ;;
	--rebuild) rebuild=1 ;;
	-*) echo "usage: $0 [--keep] [--rebuild] [REF]" >&2; exit 2 ;;
	*) ref=$a ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "mmdebstrap.sh: run as root (chroot, mounts)" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${BMSUB_FRESH_CACHE:-/var/cache/bmsub-fresh}
suite=bookworm
tarball=$cache/$suite-minbase.tar
# the mirror this machine's apt uses (deb822 or one-line sources)
mirror=${BMSUB_FRESH_MIRROR:-$(sed -n 's|^URIs: *\([^ ]*/debian\)/*$|\1|p; s|^deb  *\(\[[^]]*\] *\)\{0,1\}\([^ ]*/debian\)/* .*|\2|p' \
	/etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1)}
: "${mirror:=http://deb.debian.org/debian}"

now() { date +%s; }
t0=$(now)
mkdir -p "$cache/archives/partial"
chmod 0755 "$cache"
if [ ! -s "$tarball" ] || [ "$rebuild" = 1 ]; then
	command -v mmdebstrap >/dev/null ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap ||
		{ echo "mmdebstrap.sh: apt-get install mmdebstrap" >&2; exit 2; }
	echo "== mmdebstrap $suite (minbase + make, git) from $mirror"
	mmdebstrap --variant=minbase --include=make,git --format=tar "$suite" "$cache/new.tar" \
		"deb $mirror $suite main" \
		"deb $mirror $suite-updates main" \
		"deb ${mirror%/debian}/debian-security $suite-security main"
	mv "$cache/new.tar" "$tarball"
fi
t_base=$(now)
echo "== base system ready: $((t_base - t0)) s"

# a new chroot from the tarball, the clone, the mounts
work=$(mktemp -d "${BMSUB_FRESH_DIR:-/var/tmp}/bmsub-fresh.XXXXXX")
R=$work/root
logs=$work/logs
mkdir -p "$R" "$logs"
mounted=
umount_all() {
	for m in $mounted; do umount -l "$m" 2>/dev/null || true; done
	mounted=
}
# still_mounted: something is mounted below $R (the host's /dev, the
# package cache): then the chroot must not be removed
still_mounted() { awk -v r="$R/" 'index($2, r) == 1 { f = 1 } END { exit !f }' /proc/self/mounts; }
finish() {
	rc=$?
	umount_all
	if still_mounted; then
		echo "== still mounted below $R: not removed" >&2
		[ $rc != 0 ] || rc=1
	elif [ "$keep" = 1 ] || [ $rc != 0 ]; then
		echo "== chroot kept in $R (logs in $logs)"
	else
		rm -rf --one-file-system "$work"
	fi
	exit $rc
}
trap finish EXIT
trap 'exit 1' INT TERM
mnt() { # mount ARGS... TARGET, remembered for the exit hook (last first)
	eval "_t=\${$#}"
	mount "$@"
	mounted="$_t $mounted"
}
tar -C "$R" --numeric-owner -xpf "$tarball"
cp /etc/resolv.conf "$R/etc/resolv.conf"
# a chroot runs no init: packages must not start their daemons here
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
commit=$(git -C "$top" rev-parse --verify "$ref^{commit}")
[ "$ref" != HEAD ] || [ -z "$(git -C "$top" status --porcelain --untracked-files=no)" ] ||
	echo "== note: uncommitted changes in $top are not part of the clone"
git clone -q --no-hardlinks "$top" "$R/root/bmsub"
git -C "$R/root/bmsub" checkout -q "$commit"
echo "== cloned $(git -C "$top" log -1 --format='%h %s' "$commit") into /root/bmsub"
echo "   (/root is mode $(stat -c %a "$R/root"))"
mnt -t proc proc "$R/proc"
mnt -t sysfs sysfs "$R/sys"
mnt --bind /dev "$R/dev"
mnt --bind /dev/pts "$R/dev/pts"
mnt -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/tmp"
mnt -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$R/run"
# the .deb files apt fetches stay in the cache for the next run
mkdir -p "$R/var/cache/apt/archives"
mnt --bind "$cache/archives" "$R/var/cache/apt/archives"
t_setup=$(now)
echo "== chroot ready: $((t_setup - t_base)) s"

# in_chroot LOG COMMAND: as a new root login would run it
in_chroot() {
	chroot "$R" /usr/bin/env -i HOME=/root USER=root LOGNAME=root \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 TERM=dumb SHELL=/bin/sh \
		/bin/sh -c "cd /root/bmsub && $2" </dev/null >"$logs/$1.log" 2>&1
}
status=0
for step in demo check; do
	s=$(now)
	if in_chroot "$step" "make $step"; then res=passed; else res=FAILED; status=1; fi
	e=$(now)
	echo "== make $step: $res in $((e - s)) s; last lines of $logs/$step.log:"
	tail -n "${BMSUB_FRESH_TAIL:-25}" "$logs/$step.log" | sed 's/^/   | /'
	eval "t_$step=$((e - s))"
done
echo "== times: base $((t_base - t0)) s, chroot $((t_setup - t_base)) s, make demo ${t_demo} s, make check ${t_check} s, total $(( $(now) - t0 )) s"
[ $status = 0 ] && echo "== fresh Debian 12: make demo and make check pass" ||
	echo "== fresh Debian 12: FAILED"
exit $status
