#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh - what the build promises: exported symbols (bmsub_* from the
# library, pam_sm_* from the module), hardening flags, no undefined symbols,
# the banned calls absent from library and module. `make install` is
# tests/sh/install.sh.
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
nm "$B/pam_bmsub.so" | grep -E ' [tT] bmsub_(count_users|recipients_(add|remove|save)|timeline|state_save|state_lock|alerts_due|mail_compose|file_write_atomic|user_sets_build|user_sets_save)$' >"$T/pam.ops"
[ ! -s "$T/pam.ops" ] && ok || fail "pam_bmsub.so carries operator code: $(awk '{print $3}' "$T/pam.ops" | tr '\n' ' ')"
# the tools link the shared library and nothing of it statically
for f in "$B/bmsub-check" "$B/bmsub-sign" "$B/bmsub-policy"; do
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

done_checks
