# SPDX-License-Identifier: GPL-2.0-or-later
# chroot.sh - the clean Debian 12 chroot that make check-fresh
# (tests/fresh/mmdebstrap.sh) and make check-deb (tests/deb/check-deb.sh)
# both run in. Sourced, not run; the caller sets $top and $R (the chroot's
# folder) and sets -eu.
#
# The base tarball (minbase + make, git, made by mmdebstrap from the
# mirror this machine's apt uses) and the .deb files apt fetches are
# cached in $BMSUB_FRESH_CACHE (default /var/cache/bmsub-fresh); every
# run unpacks a new chroot from it, so nothing a previous run installed
# remains. The chroot shares the host's network namespace; daemons that
# package installation would start are held back by policy-rc.d.

cache=${BMSUB_FRESH_CACHE:-/var/cache/bmsub-fresh}
suite=bookworm
tarball=$cache/$suite-minbase.tar
# the mirror this machine's apt uses (deb822 or one-line sources)
mirror=${BMSUB_FRESH_MIRROR:-$(sed -n 's|^URIs: *\([^ ]*/debian\)/*$|\1|p; s|^deb  *\(\[[^]]*\] *\)\{0,1\}\([^ ]*/debian\)/* .*|\2|p' \
	/etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1)}
: "${mirror:=http://deb.debian.org/debian}"

# fresh_base [--rebuild]: the base tarball, made once, under a lock (the
# two callers may run at once)
fresh_base() {
	mkdir -p "$cache/archives/partial" "$cache/lists/partial"
	chmod 0755 "$cache"
	exec 9>"$cache/lock"
	flock 9
	[ "${1:-}" != --rebuild ] || rm -f "$tarball"
	if [ ! -s "$tarball" ]; then
		command -v mmdebstrap >/dev/null ||
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap ||
			{ echo "chroot.sh: apt-get install mmdebstrap" >&2; exit 2; }
		echo "== mmdebstrap $suite (minbase + make, git) from $mirror"
		mmdebstrap --variant=minbase --include=make,git --format=tar "$suite" "$cache/new.tar" \
			"deb $mirror $suite main" \
			"deb $mirror $suite-updates main" \
			"deb ${mirror%/debian}/debian-security $suite-security main"
		mv "$cache/new.tar" "$tarball"
	fi
	exec 9>&-
}

# mounts made below $R, last first, undone by umount_all [KEEP] (KEEP: a
# mount left in place)
mounted=
mnt() { # mount ARGS... TARGET
	eval "_t=\${$#}"
	mount "$@"
	mounted="$_t $mounted"
}
umount_all() {
	for m in $mounted; do
		[ "$m" = "${1:-}" ] || umount -l "$m" 2>/dev/null || true
	done
	mounted=
}
# still_mounted: something is mounted below $R: it must not be removed
still_mounted() { awk -v r="$R/" 'index($2 "/", r) == 1 { f = 1 } END { exit !f }' /proc/self/mounts; }

# fresh_unpack: a new system in $R from the tarball, with the host's
# /dev, a private /proc, /tmp and /run, and the cache as apt's archives
# (and, with --lists, its package lists)
fresh_unpack() {
	tar -C "$R" --numeric-owner -xpf "$tarball"
	cp /etc/resolv.conf "$R/etc/resolv.conf"
	# a chroot runs no init: packages must not start their daemons here
	printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
	chmod 755 "$R/usr/sbin/policy-rc.d"
	mnt -t proc proc "$R/proc"
	mnt -t sysfs sysfs "$R/sys"
	mnt --bind /dev "$R/dev"
	mnt --bind /dev/pts "$R/dev/pts"
	mnt -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/tmp"
	mnt -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$R/run"
	mkdir -p "$R/var/cache/apt/archives"
	mnt --bind "$cache/archives" "$R/var/cache/apt/archives"
	if [ "${1:-}" = --lists ]; then
		mkdir -p "$R/var/lib/apt/lists"
		mnt --bind "$cache/lists" "$R/var/lib/apt/lists"
	fi
}

# fresh_run DIR COMMAND: in the chroot, from DIR, as a new root login
# would run it; output on stdout
fresh_run() {
	chroot "$R" /usr/bin/env -i HOME=/root USER=root LOGNAME=root \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 TERM=dumb SHELL=/bin/sh DEBIAN_FRONTEND=noninteractive \
		/bin/sh -c "cd $1 && $2" </dev/null 2>&1
}
