#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# sign.sh - bmsub-sign against the stock openssl CLI: keys and signatures
# are interchangeable both ways, Ed25519 signatures are byte-identical,
# encrypted keys, refusals (overwrite, bad values, wrong passphrase), modes.
. "$(dirname "$0")/../lib.sh"
SIGN=$SB/bmsub-sign
[ -x "$SIGN" ] || SIGN=$B/bmsub-sign
CHK=$SB/bmsub-check
[ -x "$CHK" ] || CHK=$B/bmsub-check
KEYS=$TOP/tests/data/keys
command -v openssl >/dev/null || skip "no openssl"
setup_etc
cd "$T" || exit 1

mode() { stat -c %a "$1"; }
# body FILE: the signed bytes of a license (BEGIN line through the body)
body() { sed -n '/^-----BEGIN BMSUB LICENSE-----$/,/^-----BEGIN BMSUB SIGNATURE-----$/p' "$1" | sed '$d'; }
sigbin() { sed -n '/^-----BEGIN BMSUB SIGNATURE-----$/{n;p}' "$1" | base64 -d; }
# ossl_verify LICENSE PUB: openssl checks bmsub-sign's signature
ossl_verify() {
	body "$1" >"$T/v.body"; sigbin "$1" >"$T/v.sig"
	openssl pkeyutl -verify -rawin -pubin -inkey "$2" -sigfile "$T/v.sig" -in "$T/v.body"
}
STD="--id BM-TEST-1 --customer Example\ SA --kind prod --issued 2026-01-01 --expires 2027-01-01 --users 100"
sign() { eval "\"\$SIGN\" sign $STD \"\$@\""; }

# --- usage ------------------------------------------------------------------
expect_rc 2 "no command" -- "$SIGN"
expect_grep "keygen" "$T/err" "usage lists keygen"
expect_rc 2 "unknown command" -- "$SIGN" frob
# every usage error: exit 2, one "bmsub-sign: " line (with the subcommand
# when there is one); names are matched whole, never by a prefix
# ARGS | stderr
while IFS='|' read -r args msg; do
	# shellcheck disable=SC2086
	expect_rc 2 "usage: $args" -- "$SIGN" $args
	expect_grep "^bmsub-sign: $msg" "$T/err" "usage: $args: says $msg"
	expect_nogrep "^(keyid|keygen|sign): |unrecognized|invalid option" "$T/err" "usage: $args: getopt's own words"
done <<TAB
frob|unknown command 'frob'
sig|unknown command 'sig'
key|unknown command 'key'
keyi|unknown command 'keyi'
--bogus|unknown option '--bogus'
keyid --bogus|keyid: unknown option '--bogus'
keyid -x|keyid: unknown option '-x'
keyid a b|keyid: usage: keyid
keygen --pass x k|keygen: unknown option '--pass'
keygen --bogus k|keygen: unknown option '--bogus'
keygen -x k|keygen: unknown option '-x'
keygen --pass-file|keygen: option '--pass-file' needs a value
sign --ke x|sign: unknown option '--ke'
sign --bogus|sign: unknown option '--bogus'
sign -o|sign: option '-o' needs a value
sign -x|sign: unknown option '-x'
sign --users|sign: option '--users' needs a value
TAB
# a value that looks like an option is still a value
expect_rc 1 "keyid -- -file" -- "$SIGN" keyid -- -nofile
expect_grep "^bmsub-sign: -nofile: No such file" "$T/err" "keyid --: the file named"
expect_rc 0 "help" -- "$SIGN" --help
expect_grep "^  sign --key" "$T/out" "usage from the table"
expect_rc 2 "keygen without prefix" -- "$SIGN" keygen
expect_rc 2 "keygen two prefixes" -- "$SIGN" keygen a b
expect_rc 2 "keyid without file" -- "$SIGN" keyid
expect_rc 2 "sign without key" -- "$SIGN" sign --id a
expect_rc 2 "sign without users" -- "$SIGN" sign --key "$KEYS/vendor1.key" --id a \
	--customer c --kind prod --issued 2026-01-01 --expires 2027-01-01
expect_grep "users" "$T/err" "names the missing option"
expect_rc 2 "sign bad option" -- sign --key "$KEYS/vendor1.key" --frob
expect_rc 2 "sign id twice" -- sign --key "$KEYS/vendor1.key" --id x
expect_rc 2 "sign stray argument" -- sign --key "$KEYS/vendor1.key" extra
expect_rc 2 "field without x-" -- sign --key "$KEYS/vendor1.key" --field note=1
expect_rc 2 "field without =" -- sign --key "$KEYS/vendor1.key" --field x-note
expect_rc 2 "newline in a value" -- sign --key "$KEYS/vendor1.key" --starts "2026-01-01
users: 9"

# --- keygen -----------------------------------------------------------------
expect_rc 0 "keygen" -- "$SIGN" keygen k1
id1=$(cat "$T/out")
[ "$(mode k1.key)" = 600 ] && ok || fail "private key mode $(mode k1.key)"
[ "$(mode k1.pub)" = 644 ] && ok || fail "public key mode $(mode k1.pub)"
expect_grep "^-----BEGIN PRIVATE KEY-----$" k1.key "PKCS#8 PEM"
# interchangeable with openssl genpkey: openssl reads it, derives the same .pub
openssl pkey -in k1.key -pubout -out k1.ossl.pub 2>"$T/err" && cmp -s k1.pub k1.ossl.pub &&
	ok || fail "openssl derives another public key"
cp k1.pub "$T/etc/keys.d/k1.pem"
[ "$id1" = "$(openssl pkey -pubin -in k1.pub -outform DER | tail -c 32 | sha256sum | cut -c1-16)" ] &&
	ok || fail "keygen id $id1 is not SHA-256 of the raw key"
expect_rc 0 "keyid" -- "$SIGN" keyid k1.pub
[ "$(cat "$T/out")" = "$id1" ] && ok || fail "keyid differs from keygen's id"
expect_rc 0 "keyid vendor1" -- "$SIGN" keyid "$KEYS/vendor1.pub"
[ "$(cat "$T/out")" = d6147a148c10bf1f ] && ok || fail "vendor1 id: $(cat "$T/out")"
expect_rc 1 "keyid rsa" -- "$SIGN" keyid "$KEYS/rsa.pub"
expect_grep "bad-key" "$T/err" "keyid rsa reason"
expect_rc 1 "keyid missing" -- "$SIGN" keyid none.pub
sum=$(cat k1.key k1.pub | sha256sum)
expect_rc 1 "keygen refuses to overwrite" -- "$SIGN" keygen k1
expect_grep "k1.key" "$T/err" "names the file"
[ "$(cat k1.key k1.pub | sha256sum)" = "$sum" ] && ok || fail "keygen changed existing keys"
touch k2.pub
expect_rc 1 "keygen refuses an existing .pub" -- "$SIGN" keygen k2
[ ! -e k2.key ] && ok || fail "keygen left k2.key behind"
expect_rc 0 "keygen under umask 000" -- sh -c "umask 000; exec '$SIGN' keygen k3"
[ "$(mode k3.key)" = 600 ] && ok || fail "umask 000 gave key mode $(mode k3.key)"

# --- bmsub-sign signs, openssl and bmsub-check verify ----------------------------
expect_rc 0 "sign with keygen key" -- sign --key k1.key -o k1.lic
[ "$(mode k1.lic)" = 644 ] && ok || fail "license mode $(mode k1.lic)"
expect_rc 0 "openssl verifies bmsub-sign" -- ossl_verify k1.lic k1.pub
expect_grep "Signature Verified Successfully" "$T/out" "openssl says verified"
expect_rc 0 "bmsub-check verifies bmsub-sign" -- "$CHK" -c "$CONF" verify k1.lic
expect_rc 1 "openssl refuses another key" -- ossl_verify k1.lic "$KEYS/vendor1.pub"
ls -a "$T" | grep -qE '^(\.k1\.lic\.|k1\.lic\.tmp)' && fail "temp file left" || ok

# --- determinism: bmsub-sign == openssl pkeyutl, byte for byte -----------------
make_license ossl-min.lic
expect_rc 0 "sign minimal" -- sign --key "$KEYS/vendor1.key"
cmp -s "$T/out" ossl-min.lic && ok || { fail "minimal differs from openssl"; diff "$T/out" ossl-min.lic; }
make_license ossl-all.lic signer=vendor2 kind=trial starts=2026-02-01 grace-days=3 \
	allowance-percent=0 customer='Zürich AG' x-contract=C-7 x-url=https://e.test/a:b
expect_rc 0 "sign every field" -- "$SIGN" sign --key "$KEYS/vendor2.key" --id BM-TEST-1 \
	--customer 'Zürich AG' --kind trial --issued 2026-01-01 --starts 2026-02-01 \
	--expires 2027-01-01 --users 100 --grace-days 3 --allowance-percent 0 \
	--field x-contract=C-7 --field x-url=https://e.test/a:b
cmp -s "$T/out" ossl-all.lic && ok || { fail "every-field differs from openssl"; diff "$T/out" ossl-all.lic; }
cmp -s "$T/out" "$TOP/tests/data/licenses/good-minimal.lic" && fail "unexpected equality" || ok
expect_rc 0 "sign golden" -- "$SIGN" sign --key "$KEYS/vendor1.key" --id BM-TEST-0001 \
	--customer "Example SA" --kind prod --issued 2026-01-01 --expires 2027-01-01 --users 100
cmp -s "$T/out" "$TOP/tests/data/licenses/good-minimal.lic" && ok || fail "golden good-minimal differs"
# openssl-signed licenses verify with the library
expect_rc 0 "bmsub-check verifies openssl" -- "$CHK" -c "$CONF" verify ossl-all.lic
make_license ossl-other.lic signer=other
expect_rc 1 "untrusted openssl license" -- "$CHK" -c "$CONF" verify ossl-other.lic

# --- encrypted keys -------------------------------------------------------------
printf 'correct horse\n' >pass; printf 'wrong horse\n' >badpass; : >emptypass
openssl genpkey -algorithm ed25519 -aes-256-cbc -pass file:pass -out enc.key 2>/dev/null ||
	fail "openssl genpkey -aes-256-cbc"
openssl pkey -in enc.key -passin file:pass -pubout -out enc.pub
cp enc.pub "$T/etc/keys.d/enc.pem"
expect_grep "^-----BEGIN ENCRYPTED PRIVATE KEY-----$" enc.key "openssl wrote an encrypted key"
expect_rc 0 "sign with encrypted key" -- sign --key enc.key --pass-file pass -o enc.lic
expect_rc 0 "encrypted-key license verifies" -- ossl_verify enc.lic enc.pub
expect_rc 1 "wrong passphrase" -- sign --key enc.key --pass-file badpass -o bad.lic
expect_grep "passphrase" "$T/err" "says passphrase"
[ ! -e bad.lic ] && ok || fail "wrong passphrase wrote a file"
expect_rc 1 "empty passphrase file" -- sign --key enc.key --pass-file emptypass
expect_rc 1 "missing passphrase file" -- sign --key enc.key --pass-file nopass
# never a prompt: no --pass-file fails at once, even with a terminal around
expect_rc 1 "encrypted key without --pass-file" -- sign --key enc.key </dev/null
expect_grep "pass-file" "$T/err" "hints at --pass-file"
expect_rc 0 "keygen --pass-file" -- "$SIGN" keygen --pass-file pass k4
expect_grep "^-----BEGIN ENCRYPTED PRIVATE KEY-----$" k4.key "keygen encrypts"
openssl asn1parse -in k4.key >k4.asn1 2>&1
expect_grep "PBES2" k4.asn1 "PBES2"
expect_grep "aes-256-cbc" k4.asn1 "AES-256-CBC"
openssl pkey -in k4.key -passin file:pass -pubout 2>/dev/null | cmp -s - k4.pub &&
	ok || fail "openssl cannot open keygen's encrypted key"
openssl pkey -in k4.key -passin file:badpass -noout 2>/dev/null &&
	fail "openssl opened k4.key with a wrong passphrase" || ok
expect_rc 0 "sign with keygen's encrypted key" -- sign --key k4.key --pass-file pass -o k4.lic
expect_rc 0 "openssl verifies it" -- ossl_verify k4.lic k4.pub

# --- refusals: the library's own parser checks before writing ----------------------
openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out rsa.key 2>/dev/null
expect_rc 1 "RSA key" -- sign --key rsa.key
expect_grep "not an Ed25519 key" "$T/err" "names the algorithm"
expect_rc 1 "public key as private" -- sign --key "$KEYS/vendor1.pub"
expect_rc 1 "missing key" -- sign --key nokey
# sign_with field=value...: vendor1, the standard fields with overrides
sign_with() {
	w_id=ok w_customer=C w_kind=prod w_issued=2026-01-01 w_expires=2027-01-01
	w_users=5 w_grace= w_allow=
	for a in "$@"; do
		v=${a#*=}
		case $a in
		id=*) w_id=$v ;; customer=*) w_customer=$v ;; kind=*) w_kind=$v ;;
		issued=*) w_issued=$v ;; expires=*) w_expires=$v ;; users=*) w_users=$v ;;
		grace-days=*) w_grace=$v ;; allowance-percent=*) w_allow=$v ;;
		esac
	done
	set -- --key "$KEYS/vendor1.key" --id "$w_id" --customer "$w_customer" \
		--kind "$w_kind" --issued "$w_issued" --expires "$w_expires" --users "$w_users"
	[ -z "$w_grace" ] || set -- "$@" --grace-days "$w_grace"
	[ -z "$w_allow" ] || set -- "$@" --allowance-percent "$w_allow"
	"$SIGN" sign "$@" -o refused.lic
}
expect_rc 0 "sign_with defaults" -- sign_with
rm -f refused.lic
for bad in users=0 users=01 users=+5 users=10000001 grace-days=366 \
	allowance-percent=101 "kind=free users=11" expires=2026-02-30 \
	issued=1969-12-31 id=BM/1 expires=2025-12-30 kind=Prod; do
	# shellcheck disable=SC2086
	expect_rc 1 "refuses $bad" -- sign_with $bad || continue
	expect_grep "refusing.*field-value" "$T/err" "reason for $bad"
done
expect_rc 1 "x- name with capital" -- sign --key "$KEYS/vendor1.key" --field x-A=1
expect_grep "syntax" "$T/err" "syntax token"
expect_rc 1 "customer 201 bytes" -- "$SIGN" sign --key "$KEYS/vendor1.key" --id a \
	--customer "$(printf '%201s' '' | tr ' ' c)" --kind prod --issued 2026-01-01 \
	--expires 2027-01-01 --users 5
expect_grep "field-value" "$T/err" "customer too long"
[ ! -e refused.lic ] && ok || fail "a refused license was written"

# --- -o replaces atomically -------------------------------------------------------
echo old >out.lic; chmod 600 out.lic
expect_rc 0 "sign over an existing file" -- sign --key "$KEYS/vendor1.key" -o out.lic
[ "$(mode out.lic)" = 644 ] && ok || fail "replaced file mode $(mode out.lic)"
cmp -s out.lic ossl-min.lic && ok || fail "replaced content"
expect_rc 1 "unwritable output dir" -- sign --key "$KEYS/vendor1.key" -o "$T/nodir/x.lic"


# --- the parser's value rule, before signing (bmsub_license_value_check) ----------
# exit 2 as for an ASCII control: the option's value is refused, nothing is
# signed; the token, the field and the character are named
rlo=$(printf '\342\200\256') nel=$(printf '\302\205') nbsp=$(printf '\302\240')
bom=$(printf '\357\273\277') lsep=$(printf '\342\200\250') lri=$(printf '\342\201\246')
rm -f refused.lic
for c in "rlo:customer=${rlo}AS elpmaxE:U\\+202E" "nel:customer=A${nel}B:U\\+0085" \
    "nbsp-lead:customer=${nbsp}Example:U\\+00A0" "nbsp-end:customer=Example${nbsp}:U\\+00A0" \
    "lsep-end:customer=Example${lsep}:U\\+2028" "bom:customer=A${bom}B:U\\+FEFF" \
    "lri-id:id=BM${lri}1:U\\+2066"; do
	what=${c%%:*} rest=${c#*:} u=${c##*:}
	arg=${rest%:*}
	expect_rc 2 "refuses $what" -- sign_with "$arg" || continue
	expect_grep "field-value" "$T/err" "$what: token"
	expect_grep "$u" "$T/err" "$what: names $u"
	expect_grep "${arg%%=*}: " "$T/err" "$what: names the field"
done
for c in "x-bidi:x-note=${rlo}x:U\\+202E" "x-c1:x-note=a${nel}:U\\+0085" \
    "x-nbsp-end:x-note=a${nbsp}:U\\+00A0"; do
	what=${c%%:*} rest=${c#*:} u=${c##*:}
	expect_rc 2 "refuses --field $what" -- sign --key "$KEYS/vendor1.key" \
		--field "${rest%:*}" -o refused.lic || continue
	expect_grep "x-note: .*$u.*field-value" "$T/err" "$what: reason"
done
expect_rc 2 "newline in an x- name" -- sign --key "$KEYS/vendor1.key" \
	--field "x-a
format: 2=1" -o refused.lic
[ ! -e refused.lic ] && ok || fail "a refused value was signed"
# the same characters inside a value, where the rule allows them, sign
expect_rc 0 "NBSP inside a customer name" -- sign_with "customer=A${nbsp}B"
expect_rc 0 "it verifies" -- "$CHK" -c "$CONF" verify refused.lic
rm -f refused.lic

done_checks
