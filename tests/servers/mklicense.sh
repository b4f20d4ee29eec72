#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# mklicense.sh - signs a test license with the stock openssl CLI (SPEC 1:
# PureEdDSA over the BEGIN line through the last body line).
#
#   mklicense.sh KEY.key DAYS [ID]   license expiring DAYS from now (may be
#                                    negative), issued 400 days ago, on stdout
set -eu
key=$1 days=$2 id=${3:-BM-TEST-1}
now=$(date +%s)
t() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
keyid=$(openssl pkey -in "$key" -pubout -outform DER | tail -c 32 |
	openssl dgst -sha256 -binary | head -c 8 | od -An -tx1 | tr -d ' \n')
cat >"$tmp/body" <<EOB
-----BEGIN BMSUB LICENSE-----
format: 1
id: $id
customer: Example SA
kind: prod
issued: $(t $((now - 400 * 86400)))
expires: $(t $((now + days * 86400)))
users: 100
key: $keyid
EOB
openssl pkeyutl -sign -rawin -inkey "$key" -in "$tmp/body" -out "$tmp/sig"
cat "$tmp/body"
echo "-----BEGIN BMSUB SIGNATURE-----"
openssl base64 -A -in "$tmp/sig"; echo
echo "-----END BMSUB LICENSE-----"
