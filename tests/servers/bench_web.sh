#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_web.sh - make bench: requests per second of a webmail page gated by
# bmsub-web (nginx auth_request -> FastCGI /auth, then the page) against
# the same page served by nginx as a static file, one run each of ab
# (apache2-utils) on loopback, bounded (BMSUB_BENCH_REQUESTS, default
# 20000, concurrency 4, keep-alive). Prints both and their ratio.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/servers/common.sh"
. "$TOP/tests/servers/web_common.sh"
web_need
command -v ab >/dev/null || skip "missing ab (apache2-utils: tools/deps.sh check)"
N=${BMSUB_BENCH_REQUESTS:-20000}
web_start
web_license 200 BM-BENCH
echo "ops@example.com" >"$T/bmsub/state/recipients"
chmod 644 "$T/bmsub/state/recipients"
# rps PATH [ab args]: requests per second of one ab run
rps() {
	_p=$1; shift
	ab -q -k -n "$N" -c 4 "$@" "$URL$_p" >"$T/ab.out" 2>&1 ||
		{ cat "$T/ab.out"; exit 1; }
	grep -q '^Non-2xx responses' "$T/ab.out" && { echo "non-2xx answers on $_p"; cat "$T/ab.out"; exit 1; }
	sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' "$T/ab.out"
}
curl -sf -u alice:secret "$URL/webmail/" | grep -q inbox || { echo "the gated page does not answer"; exit 1; }
rps /webmail/ -A alice:secret >/dev/null	# warm up
static=$(rps /static/)
plain=$(rps /plain/ -A alice:secret)
gated=$(rps /webmail/ -A alice:secret)
echo "nginx static file:                        $static req/s"
echo "the same with basic authentication:       $plain req/s"
echo "the same through the gate (+ /auth, sub_filter): $gated req/s"
awk -v g="$gated" -v s="$static" -v p="$plain" -v n="$N" 'BEGIN {
	printf "gate/static: %.2f, gate/basic-auth static: %.2f (%d requests each, ab -k -c 4, loopback)\n", g / s, g / p, n }'
