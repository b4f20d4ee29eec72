#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rebuild.sh - make rebuilds what an edit touches and nothing else, read
# from the dependency files (make -n -W FILE: "as if FILE had changed",
# nothing is written): a test header rebuilds exactly the tests that include
# it, a tools header only tool objects, internal.h the library and the
# module (which links the login half) and no tool,
# and the fuzz targets share one compile of each library source.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1

# make runs in TOP with the build folders as they were given to it (the
# dependency files name their targets that way: build/obj/...)
rel() { case $1 in "$TOP"/*) echo "${1#"$TOP"/}" ;; *) echo "$1" ;; esac; }
b=$(rel "$B") sb=$(rel "$SB")
san=0
grep -q fsanitize "$SB/build-flags" 2>/dev/null && san=1
tests=
for f in tests/unit/test_*.c; do tests="$tests $sb/tests/$(basename "$f" .c)"; done
fuzz=
for f in fuzz/fuzz_*.c; do fuzz="$fuzz $b/fuzz/$(basename "$f" .c)"; done

# what "make -n -W FILE TARGETS" compiles, as source paths, sorted
compiled() { # DIR SAN FILE TARGETS...
	_d=$1 _s=$2 _w=$3; shift 3
	make -n -C "$TOP" B="$_d" SAN="$_s" -W "$_w" "$@" 2>"$T/n.err" |
		grep -oE -- "-c -o $_d/(fuzz/)?obj/[^ ]+\\.o" | sed -E "s|^-c -o $_d/(fuzz/)?obj/||; s|\\.o\$|.c|" | sort
}
linked() { # DIR SAN FILE TARGETS...: the programs relinked
	_d=$1 _s=$2 _w=$3; shift 3
	make -n -C "$TOP" B="$_d" SAN="$_s" -W "$_w" "$@" 2>/dev/null |
		grep -v -- ' -c -o ' | grep -oE -- "-o $_d/[^ ]+" | sed "s|^-o $_d/||" | sort -u
}
includers() { # HEADER FILES...: those that include HEADER by name
	_h=$(basename "$1"); shift
	grep -l "#include \"$_h\"" "$@" | sort
}
same() { # WANT GOT DESC
	n_checks=$((n_checks + 1))
	cmp -s "$1" "$2" || { fail "$3:"; diff "$1" "$2" | sed 's/^/  | /' | head -n 30; }
}

# everything is up to date to begin with (else -W says nothing)
expect_rc 0 "tests up to date in $sb" -- make -q -C "$TOP" B="$sb" SAN=$san $tests
expect_rc 0 "programs up to date in $b" -- make -q -C "$TOP" B="$b" \
	"$b/bmsub-check" "$b/bmsub-sign" "$b/bmsub-policy" "$b/bmsub-web" "$b/pam_bmsub.so" "$b/libbmsub.so"
expect_rc 0 "fuzz targets up to date in $b" -- make -q -C "$TOP" B="$b" $fuzz

# --- test headers: exactly the tests (and tlib) that include them --------
for h in tests/unit/*.h; do
	includers "$h" tests/unit/test_*.c tests/unit/tlib*.c >"$T/want"
	[ -s "$T/want" ] && ok || fail "nothing includes $h"
	compiled "$sb" $san "$h" $tests >"$T/got"
	same "$T/want" "$T/got" "compiled after $h changed"
done
# pamt.h: the PAM tests relink, the others do not
linked "$sb" $san tests/unit/pamt.h $tests >"$T/got"
for f in $(includers tests/unit/pamt.h tests/unit/test_*.c); do
	echo "tests/$(basename "$f" .c)"
done >"$T/want"
same "$T/want" "$T/got" "relinked after pamt.h changed"

# --- tools: a tools header rebuilds only tool objects, internal.h none ----
find tools -name '*.c' | sort >"$T/tools.c"
for h in $(find tools -name '*.h' | sort); do
	compiled "$b" 0 "$h" "$b/bmsub-check" "$b/bmsub-sign" "$b/bmsub-policy" "$b/bmsub-web" >"$T/got"
	includers "$h" $(cat "$T/tools.c") >"$T/want"
	n_checks=$((n_checks + 1))
	[ -z "$(comm -23 "$T/want" "$T/got")" ] || fail "$h changed, not recompiled: $(comm -23 "$T/want" "$T/got" | tr '\n' ' ')"
	n_checks=$((n_checks + 1))
	[ -z "$(comm -13 "$T/tools.c" "$T/got")" ] || fail "$h changed, recompiled: $(comm -13 "$T/tools.c" "$T/got" | tr '\n' ' ')"
done
compiled "$b" 0 libpolicy/internal.h "$b/bmsub-check" "$b/bmsub-sign" "$b/pam_bmsub.so" >"$T/got"
grep -q '^libpolicy/login/config\.c$' "$T/got" && ok || fail "internal.h changed, config.c not recompiled"
grep -q '^libpolicy/ops/' "$T/got" && ok || fail "internal.h changed, ops/ not recompiled"
# the module links the login half statically and takes its context cache
# from it (bm_ctx_shared): it is rebuilt; no tool is
grep -q '^pam_bmsub/pam_bmsub\.c$' "$T/got" && ok || fail "internal.h changed, pam_bmsub.c not recompiled"
grep -E '^tools/' "$T/got" >"$T/bad"
[ ! -s "$T/bad" ] && ok || fail "internal.h changed, recompiled: $(tr '\n' ' ' <"$T/bad")"
compiled "$b" 0 libpolicy/include/bmsub.h "$b/bmsub-check" "$b/bmsub-sign" "$b/bmsub-policy" "$b/bmsub-web" "$b/pam_bmsub.so" >"$T/got"
# every tool source but bmsub-policy's protocol reader, which needs no
# library (the fuzz target builds it alone)
grep -v '^tools/policy/proto\.c$' "$T/tools.c" | comm -23 - "$T/got" >"$T/bad"
[ ! -s "$T/bad" ] && ok || fail "bmsub.h changed, not recompiled: $(tr '\n' ' ' <"$T/bad")"

# --- fuzz: one compile per library source for all targets ---------------
compiled "$b" 0 libpolicy/include/bmsub.h $fuzz >"$T/got"
# (fuzz_policy reads tools/policy/proto.c's protocol only: no bmsub.h;
# fuzz_args compiles bmsub-check's option parsers, which include it;
# fuzz_form bmsub-web's form parser, through web.h)
(ls libpolicy/login/*.c libpolicy/ops/*.c; grep -lE '#include "((internal|bmsub|web)\.h|\.\./tools/check/cli\.h)"' fuzz/fuzz_*.c
 echo tools/check/args.c; echo tools/check/cli.c; echo tools/common/json.c; echo tools/web/form.c) | sort >"$T/want"
same "$T/want" "$T/got" "fuzz: compiled once each after bmsub.h changed"
compiled "$b" 0 libpolicy/login/config.c $fuzz >"$T/got"
echo libpolicy/login/config.c >"$T/want"
same "$T/want" "$T/got" "fuzz: compiled after config.c changed"
linked "$b" 0 libpolicy/login/config.c $fuzz | grep -v '\.a$' >"$T/got"
for f in $fuzz; do echo "${f#"$b"/}"; done | sort >"$T/want"
same "$T/want" "$T/got" "fuzz: relinked after config.c changed"
compiled "$b" 0 libpolicy/internal.h $fuzz | grep '^fuzz/' >"$T/got"
includers libpolicy/internal.h fuzz/fuzz_*.c >"$T/want"
same "$T/want" "$T/got" "fuzz targets compiled after internal.h changed"
done_checks
