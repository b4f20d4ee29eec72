#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh - what the build promises: exported symbols (bmsub_* from the
# library, pam_sm_* from the module), hardening flags, no undefined symbols,
# the banned calls absent from library and module, and `make install` into a
# DESTDIR giving a header and a pkg-config file a program can build against.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1

# --- exports ---------------------------------------------------------------
nm -D --defined-only "$B/libbmsub.so" | awk '$2 ~ /^[TDBR]$/ {print $3}' |
	sed 's/@.*//' | sort -u >"$T/lib.syms"
[ -s "$T/lib.syms" ] && ok || fail "libbmsub.so exports nothing"
grep -v '^bmsub_' "$T/lib.syms" >"$T/lib.bad"
[ ! -s "$T/lib.bad" ] && ok || fail "libbmsub.so exports non-bmsub symbols: $(tr '\n' ' ' <"$T/lib.bad")"
grep -qx bmsub_license_verify "$T/lib.syms" && ok || fail "bmsub_license_verify not exported"
grep -qx bmsub_ctx_decide "$T/lib.syms" && ok || fail "bmsub_ctx_decide not exported"
nm -D --defined-only "$B/pam_bmsub.so" | awk '$2 == "T" {print $3}' | sort >"$T/pam.syms"
printf 'pam_sm_acct_mgmt\npam_sm_authenticate\npam_sm_setcred\n' >"$T/pam.want"
cmp -s "$T/pam.syms" "$T/pam.want" && ok || fail "pam_bmsub.so exports: $(tr '\n' ' ' <"$T/pam.syms")"
# the module is self-contained and stays loaded (its cache survives pam_end)
readelf -d "$B/pam_bmsub.so" | grep -q 'NODELETE' && ok || fail "pam_bmsub.so not linked -z nodelete"
readelf -d "$B/pam_bmsub.so" | grep -q 'libbmsub' && fail "pam_bmsub.so needs libbmsub.so" || ok
# OpenSSL stays off the login path (its first use costs milliseconds)
for f in "$B/pam_bmsub.so" "$B/libbmsub.so"; do
	readelf -d "$f" | grep -qE 'NEEDED.*lib(crypto|ssl)' && fail "$f links OpenSSL" || ok
done
for f in "$B/libbmsub.so" "$B/pam_bmsub.so" "$B/bmsub-check" "$B/bmsub-sign"; do
	readelf -d "$f" | grep -q 'BIND_NOW' && ok || fail "$f: no -z now"
	readelf -l "$f" | grep -q 'GNU_RELRO' && ok || fail "$f: no relro"
	readelf -s "$f" | grep -q '__stack_chk_fail' && ok || fail "$f: no stack protector"
done
readelf -d "$B/libbmsub.so" | grep -q 'SONAME.*libbmsub.so.1' && ok || fail "soname"
# the login path apart from operations: the module imports no user
# enumeration, no process creation, no file writing or locking
nm -D --undefined-only "$B/pam_bmsub.so" | awk '{print $NF}' | sed 's/@.*//' |
	sort -u >"$T/pam.imports"
grep -qx pam_get_item "$T/pam.imports" && ok || fail "pam.imports looks empty"
grep -E '^(getpwent.*|setpwent|endpwent|fork|vfork|exec.*|posix_spawn.*|rename|renameat.*|flock|fsync|fdatasync|mkostemp.*|mkstemp.*|unlink)$' \
	"$T/pam.imports" >"$T/pam.bad"
[ ! -s "$T/pam.bad" ] && ok || fail "pam_bmsub.so imports operator calls: $(tr '\n' ' ' <"$T/pam.bad")"
# ...and none of the library's operator functions ended up inside it
nm "$B/pam_bmsub.so" | grep -E ' [tT] bmsub_(count_users|recipients_(add|remove|save)|timeline|state_save|state_lock|alerts_due|mail_compose|file_write_atomic)$' >"$T/pam.ops"
[ ! -s "$T/pam.ops" ] && ok || fail "pam_bmsub.so carries operator code: $(awk '{print $3}' "$T/pam.ops" | tr '\n' ' ')"
# the tools link the shared library and nothing of it statically
for f in "$B/bmsub-check" "$B/bmsub-sign"; do
	readelf -d "$f" | grep -q 'NEEDED.*libbmsub.so.1' && ok || fail "$f does not link libbmsub.so.1"
	nm "$f" | grep -qE ' [tT] bmsub_' && fail "$f carries a static copy of the library" || ok
done
grep -rl --include='*.[ch]' 'internal.h' tools/ >"$T/tools.int" 2>/dev/null
[ ! -s "$T/tools.int" ] && ok || fail "tools include internal.h: $(cat "$T/tools.int")"
# no undefined symbols left for the host process to provide
expect_rc 0 "module loads with every symbol bound" -- \
	python3 -c 'import ctypes,sys; import os; ctypes.CDLL(sys.argv[1], mode=os.RTLD_NOW)' "$B/pam_bmsub.so"

# --- banned calls in library and module (STYLE: no sscanf, atoi, strtok,
# localtime, exit, abort, printing) ------------------------------------------
for fn in sscanf atoi atol strtok localtime gmtime exit abort printf puts \
    fprintf perror syslog getpwnam getgrnam; do
	if grep -nE "(^|[^_a-z.>])$fn[[:space:]]*\(" libpolicy/*/*.c pam_bmsub/*.c |
	    grep -vE '^\S+:[0-9]+:\s*(/?\*|//)' >"$T/hits"; then
		fail "$fn( in library/module:"; cat "$T/hits"
	else
		ok
	fi
done

# --- install into a DESTDIR, then build a client with pkg-config ------------
D=$T/root
expect_rc 0 "make install" -- make -s -C "$TOP" install DESTDIR="$D" \
	PREFIX=/usr/local SYSCONFDIR=/etc PAMDIR=/lib/security B="$B"
for f in usr/local/bin/bmsub-check usr/local/bin/bmsub-sign \
    lib/security/pam_bmsub.so usr/local/lib/libbmsub.so.1 \
    usr/local/include/bmsub.h usr/local/lib/pkgconfig/bmsub.pc \
    etc/bmsub/bmsub.conf; do
	[ -e "$D/$f" ] && ok || fail "not installed: $f"
done
ls "$D"/usr/local/lib/systemd/system/bmsub-*.timer >/dev/null 2>&1 && ok || fail "timers not installed"
cat >"$T/client.c" <<'C'
#include <bmsub.h>
#include <stdio.h>
int main(void) { int64_t t; return bmsub_time_parse("2027-03-31", 1, &t) ||
    printf("%s\n", bmsub_err_token(BMSUB_E_BAD_SIGNATURE)) < 0; }
C
PKG_CONFIG_SYSROOT_DIR=$D PKG_CONFIG_PATH=$D/usr/local/lib/pkgconfig \
	pkg-config --cflags --libs bmsub >"$T/pc" 2>&1 && ok || fail "pkg-config bmsub: $(cat "$T/pc")"
expect_rc 0 "client builds against the installed library" -- \
	cc -o "$T/client" "$T/client.c" $(cat "$T/pc")
LD_LIBRARY_PATH=$D/usr/local/lib "$T/client" >"$T/client.out" 2>&1
grep -qx bad-signature "$T/client.out" && ok || fail "client output: $(cat "$T/client.out")"
done_checks
