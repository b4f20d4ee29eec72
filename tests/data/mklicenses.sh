#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# mklicenses.sh - regenerates tests/data/licenses/*.lic, the golden license
# files of test_license.c, with the stock openssl CLI only (no bmsub code):
# fixed dates and Ed25519's deterministic signatures make the output
# byte-identical on every run, so the files are committed and a re-run must
# leave "git status" clean.
#
#   sh tests/data/mklicenses.sh
#
# Names: good-* verify with the keyring {vendor1, vendor2}; every other file
# is named after the reason token it must give (syntax-*, field-missing-*,
# field-unknown-*, field-duplicate-*, field-value-*, too-large-*,
# unknown-key-*, bad-signature-*). The expected token and line of each file
# are in tests/unit/test_license.c.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
K=$top/tests/data/keys
D=$top/tests/data/licenses
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$D"
rm -f "$D"/*.lic

BEGIN='-----BEGIN BMSUB LICENSE-----'
SIGB='-----BEGIN BMSUB SIGNATURE-----'
END='-----END BMSUB LICENSE-----'

# key ids as SPEC section 1 defines them, computed with openssl itself
keyid() {
	openssl pkey -pubin -in "$K/$1.pub" -outform DER | tail -c 32 |
		sha256sum | cut -c1-16
}
V1=$(keyid vendor1)
V2=$(keyid vendor2)
OT=$(keyid other)

sig() {
	openssl pkeyutl -sign -rawin -inkey "$K/$1.key" -in "$2" | base64 -w0
}

# fields [name=value ...] [+LINE ...]: the standard body (after BEGIN), one
# field a line in SPEC order. name=value replaces a field, "name=" drops
# it, +LINE appends a raw line after the last field.
fields() {
	f_format=1 f_id=BM-TEST-0001 f_customer="Example SA" f_kind=prod
	f_issued=2026-01-01 f_starts= f_expires=2027-01-01 f_users=100
	f_grace= f_allow= f_key=$V1 f_extra=
	for a in "$@"; do
		v=${a#*=}
		case $a in
		+*) f_extra="$f_extra${a#+}
" ;;
		format=*) f_format=$v ;;
		id=*) f_id=$v ;;
		customer=*) f_customer=$v ;;
		kind=*) f_kind=$v ;;
		issued=*) f_issued=$v ;;
		starts=*) f_starts=$v ;;
		expires=*) f_expires=$v ;;
		users=*) f_users=$v ;;
		grace-days=*) f_grace=$v ;;
		allowance-percent=*) f_allow=$v ;;
		key=*) f_key=$v ;;
		*) echo "fields: bad argument $a" >&2; exit 2 ;;
		esac
	done
	[ -z "$f_format" ] || printf 'format: %s\n' "$f_format"
	[ -z "$f_id" ] || printf 'id: %s\n' "$f_id"
	[ -z "$f_customer" ] || printf 'customer: %s\n' "$f_customer"
	[ -z "$f_kind" ] || printf 'kind: %s\n' "$f_kind"
	[ -z "$f_issued" ] || printf 'issued: %s\n' "$f_issued"
	[ -z "$f_starts" ] || printf 'starts: %s\n' "$f_starts"
	[ -z "$f_expires" ] || printf 'expires: %s\n' "$f_expires"
	[ -z "$f_users" ] || printf 'users: %s\n' "$f_users"
	[ -z "$f_grace" ] || printf 'grace-days: %s\n' "$f_grace"
	[ -z "$f_allow" ] || printf 'allowance-percent: %s\n' "$f_allow"
	[ -z "$f_key" ] || printf 'key: %s\n' "$f_key"
	printf '%s' "$f_extra"
}

# emit NAME SIGNER: body lines on stdin; writes NAME.lic with the BEGIN
# line, the body, a correct signature over both, and the END line.
emit() {
	{ echo "$BEGIN"; cat; } >"$tmp/body"
	s=$(sig "$2" "$tmp/body")
	{ cat "$tmp/body"; echo "$SIGB"; echo "$s"; echo "$END"; } >"$D/$1.lic"
}

# lic NAME [SIGNER=vendor1] -- fields arguments
lic() {
	n=$1 signer=vendor1; shift
	case ${1:-} in vendor1|vendor2|other) signer=$1; shift ;; esac
	fields "$@" | emit "$n" "$signer"
}

# bodysed NAME SEDEXPR [fields args]: the standard body edited by sed
# before signing, so the edit is the file's only defect.
bodysed() {
	n=$1 e=$2; shift 2
	fields "$@" | sed "$e" | emit "$n" vendor1
}

# post NAME SEDEXPR: edits a finished file (after signing).
post() { sed -i "$2" "$D/$1.lic"; }

rep() { # rep CHAR N: CHAR repeated N times
	printf "%$2s" '' | tr ' ' "$1"
}

# --- good ------------------------------------------------------------------
lic good-minimal
lic good-all-fields starts=2026-02-01 grace-days=30 allowance-percent=25
lic good-x-fields +'x-contract: C-42' +'x-url: https://example.test/a:b?c=d' +'x-: dash only'
lic good-utf8 customer='Société Générale — Zürich 日本 🐱'
lic good-vendor2 vendor2 key="$V2"
lic good-trial kind=trial expires=2026-01-31
lic good-free-10 kind=free users=10
lic good-datetime issued=2026-01-01T12:34:56Z expires=2026-01-01T12:34:56Z
lic good-limits users=10000000 grace-days=365 allowance-percent=100 \
	id="$(rep a 64)" customer="$(rep c 200)"
lic good-zeros users=1 grace-days=0 allowance-percent=0 id=x
lic good-surrounding-text
{ printf 'Dear customer, your license:\n\n'; cat "$D/good-surrounding-text.lic";
  printf '\n-- \nThe vendor\n-----END BMSUB LICENSE-----\n'; } >"$tmp/x"
mv "$tmp/x" "$D/good-surrounding-text.lic"
lic good-no-final-lf
truncate -s -1 "$D/good-no-final-lf.lic"
lic good-line-1024 +"x-pad: $(rep p 1017)"
lic good-64k
{ cat "$D/good-64k.lic"; i=0; while [ $i -lt 63 ]; do rep t 1023; echo; i=$((i + 1)); done; } >"$tmp/x"
# pad to exactly 65536 bytes with a last line after END
sz=$(wc -c <"$tmp/x"); { cat "$tmp/x"; rep u $((65536 - sz - 1)); echo; } >"$D/good-64k.lic"

# --- syntax ----------------------------------------------------------------
bodysed syntax-cr 's/^kind: prod$/kind: prod\r/'
lic syntax-cr-in-sig
sed -i '/^-----BEGIN BMSUB SIGNATURE-----$/{n;s/$/\r/}' "$D/syntax-cr-in-sig.lic"
lic syntax-crlf
sed -i 's/$/\r/' "$D/syntax-crlf.lic"
bodysed syntax-nul 's/^customer: Example SA$/customer: Example\x00SA/'
lic syntax-nul-outside
{ printf 'junk\000\n'; cat "$D/syntax-nul-outside.lic"; } >"$tmp/x"; mv "$tmp/x" "$D/syntax-nul-outside.lic"
bodysed syntax-blank 's/^kind: prod$/\nkind: prod/'
bodysed syntax-name-upper 's/^kind:/Kind:/'
bodysed syntax-name-digit 's/^kind:/1kind:/'
bodysed syntax-name-underscore 's/^kind:/ki_nd:/'
bodysed syntax-no-space 's/^kind: /kind:/'
bodysed syntax-two-spaces 's/^kind: /kind:  /'
bodysed syntax-space-before-colon 's/^kind: /kind : /'
bodysed syntax-tab-separator 's/^kind: /kind:\t/'
bodysed syntax-trailing-space 's/^kind: prod$/kind: prod /'
bodysed syntax-control-char 's/^customer: Example SA$/customer: Example\tSA/'
bodysed syntax-del-char 's/^customer: Example SA$/customer: Example\x7fSA/'
bodysed syntax-empty-value 's/^kind: prod$/kind: /'
bodysed syntax-no-colon 's/^kind: prod$/kind prod/'
bodysed syntax-comment 's/^kind: prod$/# a comment\nkind: prod/'
bodysed syntax-indented 's/^kind: prod$/ kind: prod/'
lic syntax-no-begin
sed -i '1d' "$D/syntax-no-begin.lic"
lic syntax-no-end
sed -i '$d' "$D/syntax-no-end.lic"
lic syntax-no-sig-armor
sed -i '/^-----BEGIN BMSUB SIGNATURE-----$/,+1d' "$D/syntax-no-sig-armor.lic"
lic syntax-no-sig-line
sed -i '/^-----BEGIN BMSUB SIGNATURE-----$/{n;d}' "$D/syntax-no-sig-line.lic"
lic syntax-second-begin
cat "$D/good-minimal.lic" >>"$D/syntax-second-begin.lic"
bodysed syntax-begin-in-body "s/^kind: prod\$/$BEGIN\\nkind: prod/"
lic syntax-end-garbage
sed -i 's/^-----END BMSUB LICENSE-----$/& x/' "$D/syntax-end-garbage.lic"
lic syntax-end-lowercase
sed -i 's/^-----END BMSUB LICENSE-----$/-----end bmsub license-----/' "$D/syntax-end-lowercase.lic"
lic syntax-two-sig-lines
sed -i '/^-----BEGIN BMSUB SIGNATURE-----$/{n;p}' "$D/syntax-two-sig-lines.lic"
# Base64 of a 64-byte signature ends in "X==" where X carries 4 unused
# bits: flipping the lowest one keeps the bytes but breaks canonicity.
lic syntax-b64-noncanonical
sed -i -E '/^-----BEGIN BMSUB SIGNATURE-----$/{n;s/^(.{85})A==$/\1B==/;t;
	s/^(.{85})Q==$/\1R==/;t;s/^(.{85})g==$/\1h==/;t;s/^(.{85})w==$/\1x==/}' \
	"$D/syntax-b64-noncanonical.lic"
lic syntax-b64-nopad
sed -i '/^-----BEGIN BMSUB SIGNATURE-----$/{n;s/==$//}' "$D/syntax-b64-nopad.lic"
lic syntax-b64-badchar
sed -i '/^-----BEGIN BMSUB SIGNATURE-----$/{n;s/^./*/}' "$D/syntax-b64-badchar.lic"
lic syntax-b64-urlsafe
sed -i '/^-----BEGIN BMSUB SIGNATURE-----$/{n;s/^./_/}' "$D/syntax-b64-urlsafe.lic"
lic syntax-b64-space
sed -i '/^-----BEGIN BMSUB SIGNATURE-----$/{n;s/^\(.\{44\}\)/\1 /}' "$D/syntax-b64-space.lic"
lic syntax-b64-wrapped
sed -i -E '/^-----BEGIN BMSUB SIGNATURE-----$/{n;s/^(.{64})/\1\n/}' "$D/syntax-b64-wrapped.lic"
lic syntax-sig-63
s63=$(head -c 63 /dev/zero | base64 -w0)
sed -i "/^-----BEGIN BMSUB SIGNATURE-----\$/{n;s|.*|$s63|}" "$D/syntax-sig-63.lic"
lic syntax-sig-65
s65=$(head -c 65 /dev/zero | base64 -w0)
sed -i "/^-----BEGIN BMSUB SIGNATURE-----\$/{n;s|.*|$s65|}" "$D/syntax-sig-65.lic"
printf 'not a license at all\n' >"$D/syntax-empty-armor.lic"
: >"$D/syntax-empty-file.lic"

# --- field-missing ---------------------------------------------------------
for f in format id customer kind issued expires users key; do
	lic "field-missing-$f" "$f="
done

# --- field-unknown and field-duplicate --------------------------------------
lic field-unknown-color +'color: red'
lic field-unknown-xnodash +'xcontract: 1'
lic field-unknown-start +'start: 2026-01-01'
lic field-duplicate-users +'users: 100'
lic field-duplicate-key +"key: $V1"
lic field-duplicate-x +'x-a: 1' +'x-b: 2' +'x-a: 1'

# --- field-value -------------------------------------------------------------
lic field-value-format-2 format=2
lic field-value-format-01 format=01
lic field-value-id-65 id="$(rep a 65)"
lic field-value-id-slash id=BM/2026
lic field-value-id-space id='BM 2026'
lic field-value-id-utf8 id='BM-é'
lic field-value-customer-201 customer="$(rep c 201)"
lic field-value-customer-201-utf8 customer="$(rep c 199)é"
bodysed field-value-customer-latin1 's/^customer: Example SA$/customer: Soci\xe9t\xe9/'
bodysed field-value-customer-overlong 's/^customer: Example SA$/customer: A\xc0\xafB/'
bodysed field-value-customer-overlong3 's/^customer: Example SA$/customer: A\xe0\x80\xafB/'
bodysed field-value-customer-surrogate 's/^customer: Example SA$/customer: A\xed\xa0\x80B/'
bodysed field-value-customer-above-max 's/^customer: Example SA$/customer: A\xf4\x90\x80\x80B/'
bodysed field-value-customer-truncated 's/^customer: Example SA$/customer: A\xe2\x82/'
bodysed field-value-customer-lone-cont 's/^customer: Example SA$/customer: A\x80B/'
bodysed field-value-customer-f5 's/^customer: Example SA$/customer: A\xf5\x80\x80\x80B/'
lic field-value-kind-enterprise kind=enterprise
lic field-value-kind-upper kind=PROD
lic field-value-issued-feb30 issued=2026-02-30
lic field-value-issued-1969 issued=1969-12-31
lic field-value-issued-short issued=2026-1-01
lic field-value-issued-hour25 issued=2026-01-01T25:00:00Z
lic field-value-issued-nozone issued=2026-01-01T00:00:00
lic field-value-starts-feb29 starts=2026-02-29
lic field-value-expires-feb29-2100 expires=2100-02-29
# an expires date covers its whole day: E is the next midnight
lic field-value-expires-before-issued issued=2026-06-03 expires=2026-06-01
lic field-value-expires-before-starts starts=2026-07-02 expires=2026-06-30
lic good-expires-eq-issued issued=2026-06-02 expires=2026-06-01
lic good-expires-eq-starts starts=2026-07-01 expires=2026-06-30
lic field-value-expires-second-before issued=2026-06-01T00:00:01Z expires=2026-06-01T00:00:00Z
lic field-value-users-0 users=0
lic field-value-users-01 users=01
lic field-value-users-plus users=+5
lic field-value-users-minus users=-1
lic field-value-users-10000001 users=10000001
lic field-value-users-huge users=99999999999999999999999
lic field-value-users-hex users=0x10
lic field-value-users-free-11 kind=free users=11
lic field-value-grace-366 grace-days=366
lic field-value-grace-leading-zero grace-days=07
lic field-value-allowance-101 allowance-percent=101
lic field-value-allowance-percent-sign allowance-percent=10%
lic field-value-key-upper key="$(echo "$V1" | tr a-f A-F)"
lic field-value-key-15 key="$(echo "$V1" | cut -c1-15)"
lic field-value-key-17 key="${V1}0"
lic field-value-key-nonhex key="$(echo "$V1" | cut -c1-15)g"
bodysed field-value-x-latin1 's/^key: .*$/&\nx-note: caf\xe9/'
# the value rule's Unicode cases: C1 and bidi controls, BOM, blanks at an end
bodysed field-value-customer-c1 's/^customer: Example SA$/customer: Example\xc2\x85SA/'
bodysed field-value-customer-bidi 's/^customer: Example SA$/customer: \xe2\x80\xaeAS elpmaxE/'
bodysed field-value-customer-nbsp-lead 's/^customer: Example SA$/customer: \xc2\xa0Example SA/'
bodysed field-value-x-bom 's/^key: .*$/&\nx-note: \xef\xbb\xbfnote/'

# --- too-large ---------------------------------------------------------------
lic too-large-line +"x-pad: $(rep p 1018)"
lic too-large-line-outside
{ rep o 1025; echo; cat "$D/too-large-line-outside.lic"; } >"$tmp/x"; mv "$tmp/x" "$D/too-large-line-outside.lic"
{ cat "$D/good-64k.lic"; echo; } >"$D/too-large-file.lic"

# --- unknown-key and bad-signature -------------------------------------------
lic unknown-key-other other key="$OT"
lic unknown-key-made-up key=0123456789abcdef
lic bad-signature-tampered
sed -i 's/^users: 100$/users: 900/' "$D/bad-signature-tampered.lic"
lic bad-signature-wrong-signer key="$V2"
# the signature of good-minimal pasted under another body
lic bad-signature-other-body id=BM-TEST-0002
good_sig=$(sed -n '/^-----BEGIN BMSUB SIGNATURE-----$/{n;p}' "$D/good-minimal.lic")
sed -i "/^-----BEGIN BMSUB SIGNATURE-----\$/{n;s|.*|$good_sig|}" "$D/bad-signature-other-body.lic"
lic bad-signature-zero
z=$(head -c 64 /dev/zero | base64 -w0)
sed -i "/^-----BEGIN BMSUB SIGNATURE-----\$/{n;s|.*|$z|}" "$D/bad-signature-zero.lic"
# a field removed after signing
lic bad-signature-trailing-body +'x-late: added after signing'
sed -i '/^x-late: /d' "$D/bad-signature-trailing-body.lic"

chmod 644 "$D"/*.lic
echo "$(ls "$D" | wc -l) files in $D"
