#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz.sh - runs the libFuzzer targets for a short, bounded time, seeded
# with the committed golden licenses and configs (and policy requests for
# bmsub-policy's protocol reader): any crash, leak, UB or
# timeout fails the test; libconfig's own lexer leak is suppressed by
# tests/lsan.supp. Longer runs: build/fuzz/fuzz_license -max_total_time=600
. "$(dirname "$0")/../lib.sh"
secs=${BMSUB_FUZZ_SECONDS:-20}
for f in fuzz_license fuzz_text fuzz_policy fuzz_form; do
	[ -x "$B/fuzz/$f" ] || { fail "$B/fuzz/$f not built (make fuzz)"; continue; }
	mkdir -p "$T/corpus-$f"
done
cp "$TOP"/tests/data/licenses/*.lic "$T/corpus-fuzz_license/" 2>/dev/null || true
for c in "$TOP"/conf/bmsub.conf "$TOP"/tests/data/conf/*; do
	[ -f "$c" ] || continue
	{ printf '\000'; cat "$c"; } >"$T/corpus-fuzz_text/$(basename "$c").cfg"
done
printf '\001bmsub-state 1\ncount 5\nend\n' >"$T/corpus-fuzz_text/state"
printf '\002alice\nbob\n# c\n' >"$T/corpus-fuzz_text/roster"
{ printf '\003'; cat "$TOP/tests/data/keys/vendor1.pub"; } >"$T/corpus-fuzz_text/pem"
printf '\0042026-11-22T20:00:00Z' >"$T/corpus-fuzz_text/time"
printf '\005bmsub-users 1\nalice\thosted\nbob\texternal\nsvc\texcluded\nend 3\n' >"$T/corpus-fuzz_text/users"
# policy requests: the first byte is the read size less one
P='request=smtpd_access_policy'
printf '\377%s\nsasl_username=alice\nclient_address=127.0.0.1\n\n' "$P" >"$T/corpus-fuzz_policy/sasl"
printf '\003%s\nprotocol_state=RCPT\nrecipient=a@b\n\n%s\nsasl_username=\n\n' "$P" "$P" >"$T/corpus-fuzz_policy/two"
printf '\020sasl_username=x\n\n\n=\nA=b\n%s\n%s\n\n' "$P" "$P" >"$T/corpus-fuzz_policy/bad"
# bmsub-web's forms
printf 'token=1.ab&op=add&address=ops%%40example.com' >"$T/corpus-fuzz_form/rcpt"
printf 'token=x&license=-----BEGIN+BMSUB%%0D%%0Aformat%%3A+1%%0A' >"$T/corpus-fuzz_form/license"
printf 'op=%%C3%%A9&&x=%%G1' >"$T/corpus-fuzz_form/bad"
for f in fuzz_license fuzz_text fuzz_policy fuzz_form; do
	n_checks=$((n_checks + 1))
	if ! LSAN_OPTIONS=suppressions=$TOP/tests/lsan.supp:print_suppressions=0 "$B/fuzz/$f" -max_total_time="$secs" -timeout=5 -rss_limit_mb=1024 \
	    -print_final_stats=1 -artifact_prefix="$T/" "$T/corpus-$f" \
	    >"$T/$f.log" 2>&1; then
		fail "$f found a problem:"; tail -n 30 "$T/$f.log"
		ls "$T"/crash-* "$T"/leak-* "$T"/timeout-* 2>/dev/null
	else
		grep -E 'stat::number_of_executed_units' "$T/$f.log"
	fi
done
done_checks
