#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# policy.sh - bmsub-policy, the Postfix policy delegation service (SPEC
# section 10), over its stdin/stdout as spawn(8) runs it, as uid 65534: a
# table of good and malformed requests (each alone, then all in one
# process, a good request after each bad one), a license change and a
# user moved to external taken at the next request, 1000 requests in one
# process, end of input inside a request, a broken configuration (SASL
# mail deferred, incoming mail untouched), usage errors, root refused.
. "$(dirname "$0")/../lib.sh"
POL=$SB/bmsub-policy
[ -x "$POL" ] || POL=$B/bmsub-policy
CHK=$SB/bmsub-check
[ -x "$CHK" ] || CHK=$B/bmsub-check
[ -x "$POL" ] || { fail "bmsub-policy not built"; done_checks; }
POLU=$(user_bin "$POL") || { fail "copy of $POL"; done_checks; }

setup_etc 'users = { roster = "'"$T"'/etc/hosted"; external = { roster = "'"$T"'/etc/external"; }; };'
printf 'alice\nbob\nboss\n' >"$T/etc/hosted"
printf 'ext\nboss\n' >"$T/etc/external"
chmod 644 "$T/etc/hosted" "$T/etc/external"
make_license "$T/etc/license" expires="$(date_utc 200)" issued="$(date_utc -100)"
"$CHK" -c "$CONF" refresh >"$T/refresh.out" 2>&1 || { cat "$T/refresh.out"; fail "refresh"; }
expect_grep '^3 users counted' "$T/refresh.out" "refresh counts alice, bob and boss (an admin: never external)"
expect_grep '^1 external user refused' "$T/refresh.out" "ext is external, boss an admin"
chmod -R a+rX "$T/etc" "$T/state"

# policy INPUT-FILE: runs one bmsub-policy on it; stdout in $T/pout,
# stderr in $T/perr, exit code in $prc
policy() {
	as_user "$POLU" -e -c "$CONF" <"$1" >"$T/pout" 2>"$T/perr"
	prc=$?
}
P='request=smtpd_access_policy'
FULL="$P
protocol_state=RCPT
protocol_name=ESMTP
client_address=127.0.0.1
client_name=localhost
reverse_client_name=localhost
helo_name=client.example.test
sender=alice@example.test
recipient=bob@example.test
recipient_count=0
queue_id=
instance=1234.5678.9abc.0
size=0
etrn_domain=
stress=
sasl_method=PLAIN
sasl_sender=
ccert_subject=
ccert_issuer=
ccert_fingerprint=
encryption_protocol=
encryption_cipher=
encryption_keysize=0
server_address=127.0.0.1
server_port=587"
long=$(head -c 5000 /dev/zero | tr '\0' a)
long256=$(head -c 256 /dev/zero | tr '\0' u)
long255=$(head -c 255 /dev/zero | tr '\0' u)
line4096=$(head -c 4082 /dev/zero | tr '\0' a)	# "ccert_subject=" + 4082
name65=$(head -c 65 /dev/zero | tr '\0' n)
many=$(i=0; while [ $i -lt 129 ]; do echo "x_$i=v"; i=$((i + 1)); done)
many128=$(i=0; while [ $i -lt 128 ]; do echo "x_$i=v"; i=$((i + 1)); done)	# + request: 129
many126=$(i=0; while [ $i -lt 126 ]; do echo "x_$i=v"; i=$((i + 1)); done)	# + 2: 128
NOTHOSTED='action=554 5.7.1 Access refused: your mailbox is not hosted on this mail platform'
DEFER='action=DEFER_IF_PERMIT 4.7.0 bmsub-policy: malformed request: '

# The table: a request (printf format, %s = the prefix lines), the start
# of the answer. Negative cases outnumber the positive ones.
cat >"$T/cases" <<CASES
good hosted user|$P\nsasl_username=alice\n|action=DUNNO
good incoming (no sasl_username)|$P\nrecipient=ext@example.test\n|action=DUNNO
good empty sasl_username|$P\nsasl_username=\n|action=DUNNO
good external user|$P\nsasl_username=ext\n|$NOTHOSTED
good admin listed external|$P\nsasl_username=boss\n|action=DUNNO
good full Postfix request|$(printf '%s' "$FULL" | sed 's/$/\\n/' | tr -d '\n')sasl_username=bob\n|action=DUNNO
good full request, external|$(printf '%s' "$FULL" | sed 's/$/\\n/' | tr -d '\n')sasl_username=ext\n|$NOTHOSTED
good 255-byte sasl_username|$P\nsasl_username=$long255\n|action=DUNNO
good line of 4096 bytes|$P\nccert_subject=$line4096\nsasl_username=alice\n|action=DUNNO
good unknown attribute ignored|$P\nfuture_attribute=whatever =x\nsasl_username=alice\n|action=DUNNO
bad no request attribute|sasl_username=alice\n|${DEFER}no request=smtpd_access_policy
bad other request|request=junk\nsasl_username=alice\n|${DEFER}request is not smtpd_access_policy
bad request with CR|request=smtpd_access_policy\r\nsasl_username=alice\n|${DEFER}request is not
bad line without =|$P\nsasl_username alice\n|${DEFER}a line without '='
bad upper-case name|$P\nSASL_username=alice\n|${DEFER}an attribute name
bad empty name|$P\n=alice\n|${DEFER}an attribute name
bad name with blank|$P\nsasl username=alice\n|${DEFER}an attribute name
bad name too long|$P\n$name65=x\n|${DEFER}an attribute name
bad duplicate attribute|$P\nrecipient=a\nrecipient=b\n|${DEFER}an attribute given twice
bad duplicate sasl_username|$P\nsasl_username=ext\nsasl_username=alice\n|${DEFER}an attribute given twice
bad duplicate request|$P\n$P\n|${DEFER}an attribute given twice
bad line too long|$P\nccert_subject=$long\nsasl_username=alice\n|${DEFER}a line longer than 4096 bytes
good 128 attributes|$P\n$(printf '%s' "$many126" | sed 's/$/\\n/' | tr -d '\n')sasl_username=alice\n|action=DUNNO
bad 129 attributes|$P\n$(printf '%s' "$many128" | sed 's/$/\\n/' | tr -d '\n')|${DEFER}more than 128 attributes
bad too many attributes|$P\n$(printf '%s' "$many" | sed 's/$/\\n/' | tr -d '\n')|${DEFER}more than 128 attributes
bad NUL byte|$P\nsasl_username=al\000ice\n|${DEFER}NUL byte
bad control in sasl_username|$P\nsasl_username=al\033ice\n|${DEFER}control character in sasl_username
bad CR in sasl_username|$P\nsasl_username=alice\r\n|${DEFER}control character in sasl_username
bad DEL in sasl_username|$P\nsasl_username=al\177ice\n|${DEFER}control character in sasl_username
bad two defects: the first is told|sasl_username alice\n|${DEFER}a line without '='
bad tab in sasl_username|$P\nsasl_username=al\tice\n|${DEFER}control character in sasl_username
bad sasl_username too long|$P\nsasl_username=$long256\n|${DEFER}sasl_username longer than 255 bytes
bad empty request|\n|${DEFER}an empty request
CASES
npos=$(grep -c '^good' "$T/cases") nneg=$(grep -c '^bad' "$T/cases")
[ "$nneg" -gt "$npos" ] && ok || fail "negatives ($nneg) do not outnumber positives ($npos)"

: >"$T/all.in"; : >"$T/all.want"
while IFS='|' read -r desc req want; do
	# a case's request ends with its empty line (the "bad empty request"
	# is that line alone)
	case $desc in "bad empty request") printf '\n' >"$T/one.in" ;;
	*) printf "$req\n" >"$T/one.in" ;; esac
	policy "$T/one.in"
	n_checks=$((n_checks + 1))
	if [ $prc != 0 ]; then fail "$desc: exit $prc"; sed 's/^/  err| /' "$T/perr"; fi
	got=$(head -n 1 "$T/pout")
	case $got in "$want"*) ok ;; *) fail "$desc: got '$got', want '$want...'" ;; esac
	# exactly one answer: the action line, then the empty line
	[ "$(wc -l <"$T/pout")" = 2 ] && [ "$(sed -n 2p "$T/pout")" = "" ] && ok ||
		fail "$desc: not one action line and an empty line: $(od -c "$T/pout" | head -n 3)"
	# the same in one stream, each followed by a good request
	cat "$T/one.in" >>"$T/all.in"
	printf '%s\nsasl_username=ext\n\n' "$P" >>"$T/all.in"
	printf '%s\n%s\n' "$want" "$NOTHOSTED" >>"$T/all.want"
done <"$T/cases"

policy "$T/all.in"
expect_rc 0 "one process for every case" -- test "$prc" = 0
grep '^action=' "$T/pout" >"$T/all.got"
n=$(wc -l <"$T/all.want")
[ "$(wc -l <"$T/all.got")" = "$n" ] && ok || fail "one stream: $(wc -l <"$T/all.got") answers for $n requests"
i=1
while [ $i -le "$n" ]; do
	w=$(sed -n "${i}p" "$T/all.want") g=$(sed -n "${i}p" "$T/all.got")
	n_checks=$((n_checks + 1))
	case $g in "$w"*) ;; *) fail "one stream, answer $i: got '$g', want '$w...'" ;; esac
	i=$((i + 1))
done
[ "$(grep -c '^$' "$T/pout")" = "$n" ] && ok || fail "one stream: not one empty line per answer"
expect_grep 'malformed request #[0-9]+: no request=smtpd_access_policy' "$T/perr" "a malformed request is logged with its number"

# --- the context follows the files: license, then users, at the next request
mkfifo "$T/fifo"
as_user "$POLU" -e -c "$CONF" <"$T/fifo" >"$T/live.out" 2>"$T/live.err" &
PPID_POL=$!
at_exit "kill $PPID_POL 2>/dev/null"
exec 7>"$T/fifo"
ask() { printf '%s\nsasl_username=%s\n\n' "$P" "$1" >&7; }
wait_answers() { # N
	i=0; while [ "$(grep -c '^action=' "$T/live.out")" -lt "$1" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
ask alice; wait_answers 1
make_license "$T/lic.new" expires="$(date_utc -30)" issued="$(date_utc -400)" id=BM-EXPIRED
chmod 644 "$T/lic.new"; mv "$T/lic.new" "$T/etc/license"
ask alice; wait_answers 2
printf '%s\nrecipient=alice@example.test\n\n' "$P" >&7; wait_answers 3
ask boss; wait_answers 4
make_license "$T/lic.new" expires="$(date_utc 200)" issued="$(date_utc -100)" id=BM-RENEWED
chmod 644 "$T/lic.new"; mv "$T/lic.new" "$T/etc/license"
ask alice; wait_answers 5
printf 'ext\nboss\nalice\n' >"$T/etc/external"
ask alice; wait_answers 6
"$CHK" -c "$CONF" refresh >/dev/null 2>&1 && chmod 644 "$T/state/users" || fail "refresh (alice moved)"
ask alice; wait_answers 7
exec 7>&-
wait $PPID_POL; rc=$?
grep '^action=' "$T/live.out" | cut -c1-44 >"$T/live.got"
cut -c1-44 >"$T/live.want" <<'WANT'
action=DUNNO
action=554 5.7.1 Access suspended: this mail platform
action=DUNNO
action=554 5.7.1 Subscription expired: renew it at
action=DUNNO
action=DUNNO
action=554 5.7.1 Access refused: your mailbox is not
WANT
n_checks=$((n_checks + 1))
cmp -s "$T/live.got" "$T/live.want" || { fail "one process across file changes:"; diff "$T/live.want" "$T/live.got"; }
expect_rc 0 "EOF after the last request: exit 0" -- test "$rc" = 0
expect_grep 'deny user=alice client=- state=- category=smtp phase=blocked reason=expired' "$T/live.err" "the deny is logged with its reason"
expect_grep 'deny user=alice .*reason=not-hosted' "$T/live.err" "the not-hosted deny is logged"

# --- many requests in one process
i=0; : >"$T/many.in"
while [ $i -lt 500 ]; do
	printf '%s\nsasl_username=bob\n\n%s\nsasl_username=ext\n\n' "$P" "$P"
	i=$((i + 1))
done >"$T/many.in"
start=$(date +%s%N)
policy "$T/many.in"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "1000 requests in one process: ${ms} ms"
expect_rc 0 "1000 requests" -- test "$prc" = 0
[ "$(grep -c '^action=DUNNO$' "$T/pout")" = 500 ] && [ "$(grep -c '^action=554 ' "$T/pout")" = 500 ] && ok ||
	fail "1000 requests: $(grep -c '^action=' "$T/pout") answers"

# --- end of input
: >"$T/empty.in"
policy "$T/empty.in"
expect_rc 0 "empty input" -- test "$prc" = 0
[ ! -s "$T/pout" ] && ok || fail "empty input: answered"
printf '%s\nsasl_username=alice\n\n%s\nsasl_username=ext\n' "$P" "$P" >"$T/cut.in"
policy "$T/cut.in"
expect_rc 0 "input ending inside a request" -- test "$prc" = 0
[ "$(grep -c '^action=' "$T/pout")" = 1 ] && ok || fail "a cut request was answered"
expect_grep 'input ended inside a request' "$T/perr" "a cut request is logged"
printf '%s\nsasl_username=ali' "$P" >"$T/cut2.in"
policy "$T/cut2.in"
expect_rc 0 "input ending inside a line" -- test "$prc" = 0
[ ! -s "$T/pout" ] && ok || fail "a cut line was answered"
printf '%s\nccert_subject=%s' "$P" "$long" >"$T/cut3.in"
policy "$T/cut3.in"
expect_rc 0 "input ending inside an overlong line" -- test "$prc" = 0
[ ! -s "$T/pout" ] && ok || fail "a cut overlong line was answered"

# --- a configuration that cannot be used: SASL deferred, incoming DUNNO
printf '%s\nsasl_username=alice\n\n%s\nrecipient=alice@example.test\n\n' "$P" "$P" >"$T/two.in"
as_user "$POLU" -e -c "$T/nope.conf" <"$T/two.in" >"$T/pout" 2>"$T/perr"
expect_rc 0 "missing config: still serving" -- test $? = 0
[ "$(sed -n 1p "$T/pout")" = "action=DEFER_IF_PERMIT 4.7.0 subscription policy unavailable, try again later" ] && ok ||
	fail "missing config, SASL: $(sed -n 1p "$T/pout")"
[ "$(sed -n 3p "$T/pout")" = "action=DUNNO" ] && ok || fail "missing config, incoming: $(sed -n 3p "$T/pout")"
expect_grep 'nope.conf' "$T/perr" "the config error names the file"

# --- usage
expect_rc 2 "unknown option" -- as_user "$POLU" -x
expect_rc 2 "extra argument" -- as_user "$POLU" -c "$CONF" extra
expect_rc 2 "empty -c" -- as_user "$POLU" -c ""
expect_rc 2 "-c without a file" -- as_user "$POLU" -c
expect_rc 0 "-h" -- as_user "$POLU" -h
expect_grep '^usage: bmsub-policy \[-c CONF\] \[-e\]' "$T/out" "-h prints the usage"
if need_root "bmsub-policy refuses root"; then
	expect_rc 2 "run as root" -- "$POL" -c "$CONF"
	expect_grep 'refusing to run as root' "$T/err" "says why"
fi
done_checks
