#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deb.sh - make deb: the Debian packages (debian/) built from a clean copy
# of the tracked files in build/deb/src, so that dpkg-buildpackage's
# outputs (../) land in build/deb/; then lintian on the .changes.
#
#   deb.sh [--no-lintian]
#
# The copy is of the tracked files as they are in the work tree (committed
# or not: git stash create), never of build/ or other untracked files.
# build/deb/build.log holds dpkg-buildpackage's output, build/deb/lintian.log
# lintian's. Exit 0 when the packages are built and lintian reports no
# error and no warning (its info and pedantic tags are shown, not fatal).
set -eu
lint=1
for a in "$@"; do
	case $a in
	--no-lintian) lint=0 ;;
	*) echo "usage: $0 [--no-lintian]" >&2; exit 2 ;;
	esac
done
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/deb
cd "$top"
git rev-parse --verify -q HEAD >/dev/null ||
	{ echo "deb.sh: needs a git checkout: the packages are built from its tracked files" >&2; exit 2; }
# a commit of the work tree's tracked files (not recorded anywhere), or
# HEAD when they are unchanged
tree=$(git stash create)
if [ -n "$tree" ]; then
	echo "== note: building uncommitted changes to tracked files too"
else
	tree=HEAD
fi
# Build-Depends names every package of tools/deps.sh's build set but the
# compiler, make and libc6-dev (build-essential) and openssl (the tests'
# command): a library added there and not here would build on this
# machine and fail on a clean one
bd=$(sed -n '/^Build-Depends:/,/^[A-Z][A-Za-z-]*:/{s/^Build-Depends://;/^[A-Z]/!p;}' debian/control |
	tr ',' '\n' | sed 's/^[[:space:]]*//; s/[[:space:](].*//; /^$/d')
for p in $(sh tools/deps.sh --list build); do
	case $p in gcc | make | libc6-dev | openssl) continue ;; esac
	echo "$bd" | grep -qx "$p" ||
		{ echo "deb.sh: debian/control: Build-Depends lacks $p (tools/deps.sh build set)" >&2; exit 1; }
done
rm -rf "$out"
mkdir -p "$out/src"
git archive "$tree" | tar -x -C "$out/src"
version=$(dpkg-parsechangelog -l "$out/src/debian/changelog" -S Version)
echo "== dpkg-buildpackage bmsub $version in $out/src (log: $out/build.log)"
t0=$(date +%s)
if ! (cd "$out/src" && dpkg-buildpackage -us -uc -Jauto) >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" | sed 's/^/   | /'
	echo "== dpkg-buildpackage failed (the whole log: $out/build.log)" >&2
	exit 1
fi
# a symbol gone from libbmsub.so.1 fails the build (dpkg-gensymbols);
# a new one is only a warning: say which, to add to debian/libbmsub1.symbols
# with the version that brings it
if grep -q '^dpkg-gensymbols: warning' "$out/build.log"; then
	echo "== dpkg-gensymbols: libbmsub.so.1 differs from debian/libbmsub1.symbols:"
	sed -n '/^dpkg-gensymbols: warning/,/^ *dh_/p' "$out/build.log" |
		grep -E '^dpkg-gensymbols|^[+-] ' | sed 's/^/   | /'
fi
echo "== packages ($(( $(date +%s) - t0 )) s):"
ls -1 "$out"/*.deb | sed 's/^/   /'
[ "$lint" = 1 ] || exit 0
echo "== lintian $out/bmsub_${version}_*.changes"
rc=0
t0=$(date +%s)
lintian --fail-on error,warning --display-info --pedantic \
	"$out/bmsub_${version}_"*.changes >"$out/lintian.log" 2>&1 || rc=$?
sed 's/^/   /' "$out/lintian.log"
if [ $rc != 0 ]; then
	echo "== lintian: an error or a warning (exit $rc)" >&2
	exit 1
fi
echo "== lintian: no error, no warning ($(( $(date +%s) - t0 )) s)"
