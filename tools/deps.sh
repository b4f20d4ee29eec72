#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deps.sh - install the Debian packages a build, the tests or the demo need.
#
#   deps.sh build|check|demo|deb install what is missing (root), else print
#                                the exact apt-get line and fail
#   deps.sh --print build|...    only print the apt-get line for what is missing
#   deps.sh --list build|...     only print the set's packages (tools/deb.sh)
set -u

print_only=0
if [ "${1:-}" = "--print" ]; then print_only=1; shift; fi
list_only=0
if [ "${1:-}" = "--list" ]; then list_only=1; shift; fi
what=${1:-check}

build="gcc make pkg-config libc6-dev libpam0g-dev libconfig-dev libssl-dev libsodium-dev libfcgi-dev libpq-dev openssl liblua5.4-dev"
wrappers="libpam-wrapper libnss-wrapper pamtester"
# systemd: systemd-analyze verifies the shipped units (tests/sh/notify.sh);
# mandoc and groff-base lint the man pages, col (bsdextrautils) reads them
# rendered (tests/sh/manpages.sh, tests/sh/man_recipe.sh); strace watches
# the atomic writer's order (tests/sh/atomic_order.sh)
tools="systemd mandoc groff-base bsdextrautils strace"
servers="dovecot-imapd dovecot-pop3d nginx-light libnginx-mod-http-auth-pam sasl2-bin curl python3"
# a private Postfix instance and its SMTP client (tests/sh/server_postfix.sh)
servers="$servers postfix swaks"
# Dovecot's Lua passdb with the Lua module, the interpreter that drives it
# alone, and Debian's stock fail2ban filters (tests/sh/server_dovecot_reason.sh,
# lua_module.sh, server_nginx.sh, server_postfix.sh)
servers="$servers dovecot-auth-lua lua5.4 fail2ban"
# bmsub-web behind nginx (tests/sh/web.sh), a real browser on it
# (tests/sh/web_browser.sh), ab for make bench
servers="$servers spawn-fcgi chromium chromium-driver python3-selenium apache2-utils"
# PostgreSQL 15 for cluster mode (tests/sh/cluster.sh, cluster_faults.sh),
# faketime for a node with a wrong clock and for PAM at a simulated time
servers="$servers postgresql faketime"
case $what in
# make deb and make check-deb: dpkg-buildpackage and debhelper, lintian,
# mmdebstrap (gpg and the keyring check the mirror), git (the clean copy)
deb) pkgs="$build build-essential debhelper dpkg-dev fakeroot lintian mmdebstrap gpg debian-archive-keyring git" ;;
build) pkgs=$build ;;
# the demo's bmsub-web step: nginx in front, spawn-fcgi, curl as the
# browser, python3 for tests/servers/common.sh's free port; its cluster
# step: PostgreSQL
demo) pkgs="$build $wrappers lua5.4 nginx-light spawn-fcgi curl python3 postgresql" ;;
check) pkgs="$build check $wrappers libuid-wrapper $servers procps valgrind clang libclang-rt-14-dev $tools" ;;
*) echo "deps.sh: unknown set '$what' (build, check, demo, deb)" >&2; exit 2 ;;
esac

if [ "$list_only" = 1 ]; then echo $pkgs; exit 0; fi
missing=
for p in $pkgs; do
	s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)
	case $s in ii*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

line="apt-get install -y --no-install-recommends$missing"
if [ "$print_only" = 1 ] || [ "$(id -u)" != 0 ]; then
	echo "bmsub: missing Debian packages. Run as root:" >&2
	echo "  apt-get update && $line" >&2
	exit 1
fi
echo "bmsub: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Postfix installed for the tests only: no system mail configuration, no
# system service (tests start their own instance)
case " $missing " in *" postfix "*)
	echo "postfix postfix/main_mailer_type select No configuration" |
		debconf-set-selections >&2 || exit 1 ;;
esac
apt-get update -qq >&2 || exit 1
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2 || exit 1
