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
. "$top/tests/fresh/chroot.sh"

now() { date +%s; }
t0=$(now)
[ "$rebuild" = 1 ] && fresh_base --rebuild || fresh_base
t_base=$(now)
echo "== base system ready: $((t_base - t0)) s"

# a new chroot from the tarball, the clone, the mounts
work=$(mktemp -d "${BMSUB_FRESH_DIR:-/var/tmp}/bmsub-fresh.XXXXXX")
R=$work/root
logs=$work/logs
mkdir -p "$R" "$logs"
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
fresh_unpack
commit=$(git -C "$top" rev-parse --verify "$ref^{commit}")
[ "$ref" != HEAD ] || [ -z "$(git -C "$top" status --porcelain --untracked-files=no)" ] ||
	echo "== note: uncommitted changes in $top are not part of the clone"
git clone -q --no-hardlinks "$top" "$R/root/bmsub"
git -C "$R/root/bmsub" checkout -q "$commit"
echo "== cloned $(git -C "$top" log -1 --format='%h %s' "$commit") into /root/bmsub"
echo "   (/root is mode $(stat -c %a "$R/root"))"
t_setup=$(now)
echo "== chroot ready: $((t_setup - t_base)) s"

# in_chroot LOG COMMAND: in the clone, as a new root login would run it
in_chroot() { fresh_run /root/bmsub "$2" >"$logs/$1.log"; }
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
