#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# man_recipe.sh - the "sign a license by hand with openssl" recipe of
# bmsub-license(5), taken from the page itself (the .EX/.EE blocks between
# the recipe-begin and recipe-end comments), run in an empty folder as an
# operator would paste it; bmsub-check accepts the result with that key,
# bmsub-sign agrees on the key id and the bytes, and the same recipe with
# one thing wrong is refused for the right reason.
. "$(dirname "$0")/../lib.sh"
CHK=$SB/bmsub-check
[ -x "$CHK" ] || CHK=$B/bmsub-check
SIGN=$SB/bmsub-sign
[ -x "$SIGN" ] || SIGN=$B/bmsub-sign
PAGE=$TOP/man/bmsub-license.5
command -v openssl >/dev/null || skip "no openssl"

# recipe PAGE: the shell lines of the recipe, roff escapes undone
recipe() {
	awk '/^\.\\" recipe-begin$/ { r = 1; next }
	     /^\.\\" recipe-end$/ { r = 0 }
	     r && /^\.EE/ { e = 0; next }
	     r && e { print }
	     r && /^\.EX/ { e = 1 }' "$1" |
	sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' -e 's/\\e/\\/g' -e 's/\\&//g'
}
recipe "$PAGE" >"$T/recipe.sh"
n=$(wc -l <"$T/recipe.sh")
[ "$n" -ge 10 ] && ok || fail "recipe: $n lines between the markers of $PAGE"
# no roff left: an escape the sed above does not know would reach the shell
expect_nogrep '\\' "$T/recipe.sh" "recipe: a roff escape left in a command"
for w in 'openssl genpkey -algorithm ed25519' 'openssl pkey -in vendor.key -pubout' \
	'-outform DER' 'tail -c 32' 'sha256sum' 'openssl pkeyutl -sign -rawin -inkey vendor.key -in body' \
	'openssl base64 -A'; do
	grep -qF -- "$w" "$T/recipe.sh" && ok || fail "recipe lacks '$w'"
done

# What a reader copies from the rendered page is what runs: plain ASCII
# hyphens and quotes (a U+2010 hyphen or a curly quote breaks the paste).
if command -v mandoc >/dev/null; then
	mandoc -Tutf8 "$PAGE" | col -bx | sed 's/^ *//' >"$T/rendered"
	sed 's/^ *//' "$T/recipe.sh" | while IFS= read -r l; do
		grep -qxF -- "$l" "$T/rendered" || echo "$l"
	done >"$T/missing"
	[ ! -s "$T/missing" ] && ok || fail "recipe lines not rendered verbatim by mandoc: $(cat "$T/missing")"
fi
groff -man -Tutf8 "$PAGE" 2>/dev/null | col -bx | sed 's/^ *//' >"$T/rendered"
sed 's/^ *//' "$T/recipe.sh" | while IFS= read -r l; do
	grep -qxF -- "$l" "$T/rendered" || echo "$l"
done >"$T/missing"
[ ! -s "$T/missing" ] && ok || fail "recipe lines not rendered verbatim by groff: $(cat "$T/missing")"

# run DIR: the recipe in a new empty folder DIR
run() {
	mkdir -m 755 "$1" && (cd "$1" && sh -eu "$T/recipe.sh") >"$1.out" 2>"$1.err"
}
R=$T/r1
run "$R" && ok || { fail "recipe failed:"; sed 's/^/  | /' "$R.err"; }
for f in vendor.key vendor.pem body sig example.lic; do
	[ -s "$R/$f" ] && ok || fail "recipe wrote no $f"
done
[ "$(stat -c %a "$R/vendor.key")" = 600 ] && ok || fail "vendor.key mode $(stat -c %a "$R/vendor.key")"
keyid=$(cat "$R.out")
expect_rc 0 "bmsub-sign keyid of the recipe's key" -- "$SIGN" keyid "$R/vendor.pem"
[ "$(cat "$T/out")" = "$keyid" ] && ok || fail "key id: recipe '$keyid', bmsub-sign '$(cat "$T/out")'"
expect_grep "^key: $keyid\$" "$R/example.lic" "the license names the key id"
expect_grep '^[A-Za-z0-9+/]{86}==$' "$R/example.lic" "signature: one base64 line with padding"

# conf KEYSDIR: a configuration trusting the keys in KEYSDIR
conf() {
	mkdir -p "$T/state" && chmod 755 "$T/state"
	printf 'keys_dir = "%s";\nstate_dir = "%s";\nlicense = "%s";\n' "$1" "$T/state" "$T/license" >"$T/c.conf"
	chmod 644 "$T/c.conf"
	CONF=$T/c.conf
}
mkdir -m 755 "$T/keys" "$T/otherkeys"
cp "$R/vendor.pem" "$T/keys/vendor.pem"
cp "$TOP/tests/data/keys/vendor1.pub" "$T/otherkeys/vendor1.pem"
chmod 644 "$T/keys/vendor.pem" "$T/otherkeys/vendor1.pem"
conf "$T/keys"
expect_rc 0 "verify the recipe's license" -- "$CHK" -c "$CONF" verify "$R/example.lic"
expect_grep "valid prod license BM-2026-000123 for Example SA, 250 users, .* key $keyid\$" "$T/out" "verify: what it read"
expect_rc 0 "install the recipe's license" -- "$CHK" -c "$CONF" install "$R/example.lic"
cmp -s "$R/example.lic" "$T/license" && ok || fail "installed license differs"

# the page says bmsub-sign gives the very same file
expect_rc 0 "bmsub-sign with the recipe's key" -- "$SIGN" sign --key "$R/vendor.key" \
	--id BM-2026-000123 --customer "Example SA" --kind prod --issued 2026-11-01 \
	--expires 2027-11-01 --users 250 -o "$T/sign.lic"
cmp -s "$R/example.lic" "$T/sign.lic" && ok || { fail "bmsub-sign and the recipe differ:"; diff "$R/example.lic" "$T/sign.lic"; }
# and so does the page's openssl check
(cd "$R" && openssl base64 -d -A -in sig >sig.bin &&
	openssl pkeyutl -verify -rawin -pubin -inkey vendor.pem -sigfile sig.bin -in body) >/dev/null 2>&1 &&
	ok || fail "openssl pkeyutl -verify of the recipe's signature"

# --- the recipe gone wrong: each refused with its reason ---------------------
# reason DESC WANT_RC TOKEN FILE [CONF]
reason() {
	expect_rc "$2" "$1" -- "$CHK" -c "${5:-$CONF}" verify "$4" &&
		expect_grep "$3" "$T/err" "$1: reason"
}
conf "$T/otherkeys"
reason "key not in keys.d" 1 unknown-key "$R/example.lic"
conf "$T/keys"
sed 's/^users: 250$/users: 251/' "$R/example.lic" >"$T/bad1"
reason "body changed after signing" 1 bad-signature "$T/bad1"
# signed without the armor line: not the bytes the format signs
mkdir -m 755 "$T/r2" && (cd "$T/r2" && cp "$R/vendor.key" "$R/body" . &&
	sed 1d body >nobegin && openssl pkeyutl -sign -rawin -inkey vendor.key -in nobegin | openssl base64 -A >sig &&
	{ cat body; echo '-----BEGIN BMSUB SIGNATURE-----'; cat sig; echo; echo '-----END BMSUB LICENSE-----'; } >l)
reason "armor line left out of the signed bytes" 1 bad-signature "$T/r2/l"
# base64 in 64-column lines (plain "openssl base64", no -A)
(cd "$T/r2" && openssl pkeyutl -sign -rawin -inkey vendor.key -in body | openssl base64 >sig76 &&
	{ cat body; echo '-----BEGIN BMSUB SIGNATURE-----'; cat sig76; echo '-----END BMSUB LICENSE-----'; } >l76)
reason "signature on two lines" 1 syntax "$T/r2/l76"
sed '/^-----BEGIN BMSUB SIGNATURE-----$/{n;s/==$//}' "$R/example.lic" >"$T/bad2"
reason "padding dropped" 1 syntax "$T/bad2"
sed 's/$/\r/' "$R/example.lic" >"$T/bad3"
reason "CRLF line ends" 1 syntax "$T/bad3"
# key id from the whole DER rather than the raw 32 bytes
wrongid=$(openssl pkey -pubin -in "$R/vendor.pem" -outform DER | sha256sum | cut -c 1-16)
(cd "$T/r2" && sed "s/^key: .*/key: $wrongid/" body >body2 &&
	openssl pkeyutl -sign -rawin -inkey vendor.key -in body2 | openssl base64 -A >sig2 &&
	{ cat body2; echo '-----BEGIN BMSUB SIGNATURE-----'; cat sig2; echo; echo '-----END BMSUB LICENSE-----'; } >lw)
reason "key id of the whole SPKI" 1 unknown-key "$T/r2/lw"
# uppercase key id
up=$(echo "$keyid" | tr a-f A-F)
sed "s/^key: .*/key: $up/" "$R/example.lic" >"$T/bad4"
if [ "$up" != "$keyid" ]; then reason "uppercase key id" 1 field-value "$T/bad4"; fi
# a second run of the recipe makes another key: the first key's folder
# does not trust it
run "$T/r3" && ok || fail "recipe, second run"
reason "another key made by the recipe" 1 unknown-key "$T/r3/example.lic"
cmp -s "$R/vendor.pem" "$T/r3/vendor.pem" && fail "two runs made the same key" || ok
done_checks
