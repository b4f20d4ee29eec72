#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# mkcorpus.sh - writes the committed seed corpora fuzz/corpus/<target>/
# from the golden files of tests/data (licenses up to 4 KiB, keys, configs)
# and a few hand-written files in the formats of SPEC 1, 2, 6 and 10.
# Run from anywhere; rewrites fuzz/corpus/ entirely. Inputs that once
# found a problem are kept under fuzz/regress/<target>/ and copied in too.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
c=$top/fuzz/corpus
rm -rf "$c"
for t in args config form license policy pubkey recipients roster state time users; do
	mkdir -p "$c/fuzz_$t"
done

# license and verify: every golden license small enough to mutate fast
for f in "$top"/tests/data/licenses/*.lic; do
	[ "$(wc -c <"$f")" -le 4096 ] || continue
	cp "$f" "$c/fuzz_license/"
done

# config: the shipped one, the test ones, a few short forms
cp "$top/conf/bmsub.conf" "$c/fuzz_config/shipped.conf"
for f in "$top"/tests/data/conf/*.conf "$top"/tests/data/conf/*/*.conf; do
	[ -f "$f" ] || continue
	cp "$f" "$c/fuzz_config/$(basename "$(dirname "$f")")-$(basename "$f")"
done
printf 'admins = { users = []; groups = ["mailadmins"]; };\n' >"$c/fuzz_config/groups.conf"
printf 'users = { roster = "/etc/bmsub/roster"; exclude = ["svc"]; };\nadmin_url = "https://x/";\n' >"$c/fuzz_config/roster.conf"
printf 'services = { webmail = "web"; imap = "mail"; };\n' >"$c/fuzz_config/services.conf"

# public keys: the trusted and the refused kinds
cp "$top"/tests/data/keys/*.pub "$c/fuzz_pubkey/"

# times: dates, date-times, edges
for s in 2026-11-22 2026-11-22T20:00:00Z 1970-01-01 9999-12-31T23:59:59Z 9999-12-31 \
    2100-02-28 2024-02-29 2026-13-01 2026-11-22T24:00:00Z 2026-11-22T20:00:00; do
	printf '%s' "$s" >"$c/fuzz_time/$s"
done

# roster: one login a line
printf 'alice\nbob\n# a comment\n\ncarol\nalice\nsvc\n' >"$c/fuzz_roster/basic"
printf 'x\n' >"$c/fuzz_roster/one"
printf 'Bad Name\n' >"$c/fuzz_roster/bad"

# state (SPEC 6): the writer's form
printf 'bmsub-state 1\nend\n' >"$c/fuzz_state/empty"
printf 'bmsub-state 1\ncount 5\nend\n' >"$c/fuzz_state/count"
printf 'bmsub-state 1\ncount 250\nover-since 1790000000\nhigh-water 1790000001\nrefreshed 1790000002\nnotified 1790000003\nsent expiry-notice 1780000000\nsent over:7d 0\nsent A.b_c:9-Z 253402300799\nend\n' >"$c/fuzz_state/full"

# users (SPEC 10)
printf 'bmsub-users 1\nalice\thosted\nbob\texternal\nsvc\texcluded\nend 3\n' >"$c/fuzz_users/three"
printf 'bmsub-users 1\nend 0\n' >"$c/fuzz_users/empty"
printf 'bmsub-users 1\nend\thosted\nend 1\n' >"$c/fuzz_users/named-end"

# recipients: one address a line
printf 'ops@example.com\n# the on-call\nOps@EXAMPLE.com\n\nfirst.last+tag@mail.example.org\n' >"$c/fuzz_recipients/basic"
printf 'a@b.c' >"$c/fuzz_recipients/one"
printf 'not an address\n' >"$c/fuzz_recipients/bad"

# bmsub-check arguments: words separated by NUL bytes
w() { n=$1; shift; printf '%s\0' "$@" | head -c -1 >"$c/fuzz_args/$n"; }
w status status
w json-at --json --at 2026-11-22 status
w config -c /etc/bmsub/bmsub.conf --force-clock --at 2026-11-22T20:00:00Z refresh --users 12
w decide decide --user alice --service imap --json
w notify notify --dry-run --at 2027-01-01 --json
w metrics metrics --output /tmp/m.prom
w recipients recipients add ops@example.com
w dashdash -- --json status
w canadd can-add 3
w bad-at --at bogus status --json
w doctor doctor --as dovecot --root /

# bmsub-web's forms (application/x-www-form-urlencoded bodies)
printf 'token=1.ab&op=add&address=ops%%40example.com' >"$c/fuzz_form/rcpt"
printf 'token=x&license=-----BEGIN+BMSUB%%0D%%0Aformat%%3A+1%%0A' >"$c/fuzz_form/license"
printf 'op=%%C3%%A9&&x=%%G1' >"$c/fuzz_form/bad"
# multipart/form-data bodies (boundary XyZ): the page's upload and paste
printf -- '--XyZ\r\nContent-Disposition: form-data; name="token"\r\n\r\n1.ab\r\n--XyZ\r\nContent-Disposition: form-data; name="license"\r\n\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name="license_file"; filename="l.lic"\r\nContent-Type: application/octet-stream\r\n\r\n-----BEGIN BMSUB LICENSE-----\nformat: 1\n\r\n--XyZ--\r\n' >"$c/fuzz_form/multipart"
printf -- '--XyZ\r\nContent-Disposition: form-data; name="license"\r\n\r\na\r\nb\r\n--XyZ--' >"$c/fuzz_form/multipart-paste"

# Postfix policy requests: the first byte is the read size less one
P='request=smtpd_access_policy'
printf '\377%s\nsasl_username=alice\nclient_address=127.0.0.1\n\n' "$P" >"$c/fuzz_policy/sasl"
printf '\003%s\nprotocol_state=RCPT\nrecipient=a@b\n\n%s\nsasl_username=\n\n' "$P" "$P" >"$c/fuzz_policy/two"
printf '\020sasl_username=x\n\n\n=\nA=b\n%s\n%s\n\n' "$P" "$P" >"$c/fuzz_policy/bad"

# inputs that once found a problem
if [ -d "$top/fuzz/regress" ]; then
	for d in "$top"/fuzz/regress/*/; do
		[ -d "$d" ] || continue
		cp "$d"* "$c/$(basename "$d")/"
	done
fi
