#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# manpages.sh - the man pages lint clean, keep Linux-PAM's layout, and say
# what the programs do: every bmsub-check command and option, every config
# key, every exit code of SPEC section 6, every bmsub-sign option and every
# pam_bmsub argument is in its page, and whatever a page names is accepted
# by the program (tried), while invented or misplaced ones are refused.
#
# mandoc: no WARNING, ERROR or UNSUPP; of the STYLE messages only "input
# text line longer than 80 bytes" is tolerated (it is about the source's
# line length: the output is filled either way). None is tolerated today.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
CHK=$SB/bmsub-check
[ -x "$CHK" ] || CHK=$B/bmsub-check
SIGN=$SB/bmsub-sign
[ -x "$SIGN" ] || SIGN=$B/bmsub-sign
command -v mandoc >/dev/null || skip "missing mandoc (tools/deps.sh check)"
command -v groff >/dev/null || skip "missing groff (tools/deps.sh check)"

PAGES=$(ls man/*.[1-8])
[ "$(echo "$PAGES" | wc -l)" -ge 5 ] && ok || fail "man pages: $PAGES"

# --- lint and layout ------------------------------------------------------------
for p in $PAGES; do
	groff -man -ww -z "$p" >"$T/lint" 2>&1
	[ ! -s "$T/lint" ] && ok || { fail "groff -ww on $p:"; sed 's/^/  | /' "$T/lint"; }
	mandoc -Tlint -W all "$p" 2>&1 | grep -v 'STYLE: input text line longer than 80 bytes' >"$T/lint"
	[ ! -s "$T/lint" ] && ok || { fail "mandoc -Tlint on $p:"; sed 's/^/  | /' "$T/lint"; }
	name=$(basename "$p"); sec=${name##*.}; name=${name%.*}
	up=$(echo "$name" | tr a-z A-Z)
	expect_grep "^\.TH $up $sec [0-9]{4}-[0-9]{2}-[0-9]{2} \"bmsub [0-9.]+\" " "$p" "$p: .TH names the page, section, an ISO date"
	expect_grep "^$name \\\\- " "$p" "$p: NAME line"
	# Linux-PAM's order: NAME, SYNOPSIS, DESCRIPTION, ..., EXAMPLES, ..., SEE ALSO
	grep '^\.SH ' "$p" | sed 's/^\.SH //; s/"//g' >"$T/sections"
	for s in NAME SYNOPSIS DESCRIPTION EXAMPLES "SEE ALSO"; do
		grep -qx "$s" "$T/sections" && ok || fail "$p: no $s section"
	done
	grep -qxE 'OPTIONS|FILE FORMAT' "$T/sections" && ok || fail "$p: neither OPTIONS nor FILE FORMAT"
	[ "$(sed -n 1p "$T/sections")" = NAME ] && [ "$(sed -n 2p "$T/sections")" = SYNOPSIS ] &&
		[ "$(sed -n 3p "$T/sections")" = DESCRIPTION ] && ok || fail "$p: sections begin $(head -n 3 "$T/sections" | tr '\n' ' ')"
	[ "$(tail -n 1 "$T/sections")" = "SEE ALSO" ] || [ "$(tail -n 1 "$T/sections")" = AUTHOR ] &&
		ok || fail "$p: last section $(tail -n 1 "$T/sections")"
	# every bmsub page a page refers to exists
	grep -oE '^\.BR (bmsub[a-z.-]*|pam_bmsub) \([1-8]\)' "$p" | sed 's/^\.BR //; s/ (/./; s/)$//' | sort -u |
	while read -r ref; do [ -f "man/$ref" ] || echo "$ref"; done >"$T/dangling"
	[ ! -s "$T/dangling" ] && ok || fail "$p refers to missing pages: $(cat "$T/dangling")"
done
for p in man/bmsub-check.8 man/pam_bmsub.8 man/bmsub-sign.1 man/bmsub.conf.5 man/bmsub-license.5; do
	sed -n '/^\.SH "*SEE ALSO/,$p' "$p" >"$T/see"
	for ref in bmsub.conf bmsub-license bmsub-check pam_bmsub bmsub-sign; do
		case $p in man/$ref.*) continue ;; esac
		grep -q "^\.BR $ref ([1-8])" "$T/see" && ok || fail "$p: SEE ALSO lacks $ref"
	done
done
# the negative: the linters do complain about a broken page
printf '.TH X 8\n.SH NAME\nx \\- y\n.BR\n.ZZ\n.SH NAME\n' >"$T/bad.8"
[ -n "$(groff -man -ww -z "$T/bad.8" 2>&1)" ] && ok || fail "groff -ww is silent on a broken page"
mandoc -Tlint -W all "$T/bad.8" 2>&1 | grep -qE 'WARNING|ERROR' && ok || fail "mandoc is silent on a broken page"

# --- helpers over the roff source ------------------------------------------------
# plain PAGE: the source without comments, roff escapes undone
plain() {
	grep -v '^\.\\"' "$1" | sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(aq/'"'"'/g' \
		-e 's/\\(dq/"/g' -e 's/\\e/\\/g' -e 's/\\&//g' -e 's/\\(en/-/g' -e 's/\\(mu/x/g'
}
# section NAME: lines of a plain page (stdin) from .SH NAME to the next .SH
section() { awk -v s="$1" '/^\.SH / { on = ($0 == ".SH " s || $0 == ".SH \"" s "\"") ; next } on'; }
# tags [DEPTH]: "depth<TAB>first word" of each .TP tag of the text on stdin
tags() {
	awk 'BEGIN { d = 0 } /^\.RS/ { d++ } /^\.RE/ { d-- }
	     tp { w = $0; sub(/^\.[A-Z]+ /, "", w); gsub(/"/, "", w); split(w, a, " ");
	          print d "\t" a[1]; tp = 0; next }
	     /^\.TP/ { tp = 1 }'
}
# entries: "tag<TAB>text" for each depth-0 .TP entry of the text on stdin
entries() {
	awk 'BEGIN { d = 0 } /^\.RS/ { d++ } /^\.RE/ { d-- }
	     tp { w = $0; sub(/^\.[A-Z]+ /, "", w); gsub(/"/, "", w); split(w, a, " ");
	          if (cur != "") print cur "\t" txt; cur = a[1]; txt = $0; tp = 0; next }
	     /^\.TP/ && d == 0 { tp = 1; next }
	     /^\.(SH|SS)/ { if (cur != "") print cur "\t" txt; cur = "" }
	     cur != "" { txt = txt " " $0 }
	     END { if (cur != "") print cur "\t" txt }'
}
# opts: the option words (-x, --long-name) in the text on stdin
opts() { grep -oE '(^|[^A-Za-z0-9_./-])--?[a-z][a-z-]*' | sed 's/^[^-]*//' | sort -u; }

# --- bmsub-check: commands --------------------------------------------------------
plain man/bmsub-check.8 >"$T/check.txt"
sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", cmd_.*/\1/p' tools/check/main.c >"$T/cmds"
[ "$(wc -l <"$T/cmds")" -ge 12 ] && ok || fail "command table of tools/check/main.c: $(cat "$T/cmds")"
section COMMANDS <"$T/check.txt" | tags | awk -F'\t' '$1 == 0 { print $2 }' | sort -u >"$T/page.cmds"
sort -u "$T/cmds" | diff - "$T/page.cmds" >"$T/d" && ok || { fail "commands: program (<) and bmsub-check(8) (>):"; sed 's/^/  | /' "$T/d"; }
section SYNOPSIS <"$T/check.txt" >"$T/syn"
expect_grep '^\.I COMMAND' "$T/syn" "synopsis: COMMAND"
for bogus in frob Status verify-all stat help2 --bogus -x; do
	expect_rc 2 "an invented command '$bogus'" -- "$CHK" "$bogus"
	case $bogus in
	-*) expect_grep "unknown option '$bogus'" "$T/err" "invented option '$bogus': named" ;;
	*) expect_grep 'unknown command' "$T/err" "invented command '$bogus': named" ;;
	esac
done

# --- bmsub-check: options ------------------------------------------------------------
# the program's: every option string it compares an argument with
grep -hoE 'strcmp\([^,]+, "-[^"]+"\)' tools/check/*.c | sed 's/.*"\(-[^"]*\)".*/\1/' |
	grep -vx -- '--' | sort -u >"$T/prog.opts"
[ "$(wc -l <"$T/prog.opts")" -ge 12 ] && ok || fail "options in tools/check: $(cat "$T/prog.opts")"
# the page's: all, then the global ones (OPTIONS tags), then per command.
# -t and -oi are sendmail's (notify runs "sendmail -t -oi"), -n
# doveconf's (doctor reads "doveconf -n"), not ours.
opts <"$T/check.txt" | grep -vxE -- '-t|-oi|-n' >"$T/page.opts"
diff "$T/prog.opts" "$T/page.opts" >"$T/d" && ok || { fail "options: program (<) and bmsub-check(8) (>):"; sed 's/^/  | /' "$T/d"; }
section OPTIONS <"$T/check.txt" | grep -A1 '^\.TP' | grep -v '^\.TP' | opts >"$T/global"
for o in -c --config --json --at --help --version -h; do
	grep -qx -- "$o" "$T/global" && ok || fail "global option $o not in OPTIONS"
done
section COMMANDS <"$T/check.txt" | entries >"$T/entries"

# a private platform: a valid license, a roster, a state folder
setup_etc 'users = { roster = "'"$T/etc/roster"'"; };'
printf 'alice\nbob\n' >"$T/etc/roster"; chmod 644 "$T/etc/roster"
make_license "$T/lic" issued="$(date_utc -30)" expires="$(date_utc 300)" users=10
install -m 644 "$T/lic" "$T/etc/license"
TODAY=$(date_utc 0)
# base CMD: a valid invocation of CMD (its required arguments)
base() {
	case $1 in
	verify|install) echo "$1 $T/lic" ;;
	decide) echo "decide --user alice --service imap" ;;
	recipients) echo "recipients list" ;;
	clock) echo "clock reset" ;;
	cluster) echo "cluster status" ;;
	*) echo "$1" ;;
	esac
}
# value OPT: the value an option takes, empty for a flag
value() {
	case $1 in
	--users) echo 5 ;; --user) echo alice ;; --service) echo imap ;;
	--category) echo webmail ;; --output) echo "$T/metrics.prom" ;;
	--at) echo "$TODAY" ;; -c|--config) echo "$CONF" ;;
	--as) id -un ;; --root) echo / ;;
	esac
}
# what the program says when it rejects an argument
REJECT='unknown option|unexpected argument|takes no argument|unknown command|needs exactly|at most one|does not apply'
# usage_rc CMD: monitor follows the monitoring plugins (UNKNOWN is 3)
usage_rc() { [ "$1" = monitor ] && echo 3 || echo 2; }
# run CMD ARGS...: exit code in $rc, output in $T/out, $T/err
run() { "$CHK" -c "$CONF" "$@" >"$T/out" 2>"$T/err"; rc=$?; }
expect_rc 0 "the platform's config" -- "$CHK" -c "$CONF" status

# per-command options the page names, minus the global ones
grep -vxF -f "$T/global" "$T/page.opts" | grep -vxE -- '-t|-oi|-n' >"$T/cmdopts"
while read -r cmd; do
	grep "^$cmd	" "$T/entries" | cut -f2- | opts | grep -vxF -f "$T/global" | grep -vxE -- '-t|-oi|-n' >"$T/mine.$cmd"
	u=$(usage_rc "$cmd")
	# positive: each option of the command's entry, and each global one
	for o in $(cat "$T/mine.$cmd" "$T/global" | grep -vxE -- '-h|--help|--version|-t|-oi|-n'); do
		# shellcheck disable=SC2046
		run $(base "$cmd") "$o" $(value "$o")
		n_checks=$((n_checks + 1))
		# an option the entry says does not apply to the command
		if grep "^$cmd	" "$T/entries" | grep -qF -- "$o does not apply"; then
			[ "$rc" = "$u" ] || fail "bmsub-check $(base "$cmd") $o: exit $rc, want $u (its entry: does not apply)"
			continue
		fi
		if [ "$rc" = "$u" ] || grep -qE "$REJECT" "$T/err"; then
			fail "bmsub-check $(base "$cmd") $o: exit $rc: $(head -n 1 "$T/err")"
		fi
	done
	# negative: every other command's option, an invented one, a typo,
	# single-dash spellings, and the first-only options after the command
	for o in $(grep -vxF -f "$T/mine.$cmd" "$T/cmdopts") --bogus --forse -json -force --help --version; do
		# shellcheck disable=SC2046
		run $(base "$cmd") "$o" $(value "$o")
		n_checks=$((n_checks + 1))
		if [ "$rc" != "$u" ]; then
			fail "bmsub-check $(base "$cmd") $o: exit $rc, want $u (not in its entry of bmsub-check(8))"
		elif [ "$(wc -l <"$T/err")" != 1 ]; then
			fail "bmsub-check $(base "$cmd") $o: not one line on stderr: $(cat "$T/err")"
		fi
	done
done <"$T/cmds"
# every per-command option belongs to some command's entry
cat "$T"/mine.* | sort -u | diff "$T/cmdopts" - >"$T/d" && ok || { fail "options named outside any command entry:"; sed 's/^/  | /' "$T/d"; }
for o in -h --help --version; do
	expect_rc 0 "bmsub-check $o" -- "$CHK" "$o"
done

# --- bmsub-check: exit codes of SPEC section 6 ------------------------------------
# SPEC section 6's table, command and exit column, as of this test; when
# the SPEC is at hand (BMSUB_SPEC, or the shared copy) it must still say so.
cat >"$T/spec.exit" <<'EOS'
verify	0 valid, 1 invalid (reason on stderr)
status	0
decide	0 allow/redirect, 1 deny
timeline	0
install	0 installed, 1 refused
refresh	0
can-add	0 yes, 1 no
notify	0 sent or none due, 1 one due could not be sent
recipients	0 done, 1 refused
monitor	0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
clock	0
doctor	0 nothing wrong, 1 a problem found
EOS
SPEC=${BMSUB_SPEC:-/work/shared/SPEC.md}
if [ -f "$SPEC" ]; then
	sed -n '/^## 6\./,/^## 7\./p' "$SPEC" | grep '^| `' |
		sed 's/^| `\([a-z-]*\)[^|]*|.*| \([^|]*\) |$/\1\t\2/' >"$T/spec.now"
	diff "$T/spec.exit" "$T/spec.now" >"$T/d" && ok ||
		{ fail "SPEC section 6 exit codes changed: update this test and the page:"; sed 's/^/  | /' "$T/d"; }
fi
section "EXIT STATUS" <"$T/check.txt" | tr '\n' ' ' >"$T/exitsec"
while IFS='	' read -r cmd codes; do
	grep -qx "$cmd" "$T/cmds" || { echo "SPEC command $cmd: not in the program yet"; continue; }
	echo "$codes" | grep -oE '(^|, )[0-9] [A-Za-z]+' | sed 's/^, //' >"$T/pairs"
	if [ "$(wc -l <"$T/pairs")" -le 1 ]; then
		# a command that only exits 0: named in EXIT STATUS
		grep -qE "(^| )$cmd[ ,]" "$T/exitsec" && ok || fail "EXIT STATUS does not name $cmd (exits 0)"
		continue
	fi
	grep "^$cmd	" "$T/entries" | cut -f2- | tr '\n' ' ' >"$T/entry"
	while read -r pair; do
		grep -qiF -- "$pair" "$T/entry" && ok || fail "bmsub-check(8) $cmd: no exit '$pair' (SPEC: $codes)"
	done <"$T/pairs"
done <"$T/spec.exit"
for pair in "0 success" "1 the negative" "2 usage"; do
	grep -qF "$pair" "$T/exitsec" && ok || fail "EXIT STATUS: no '$pair'"
done

# --- bmsub.conf(5): keys -----------------------------------------------------------
# the parser's keys: the key_rule tables of config.c, groups expanded
awk '/^static const struct key_rule [a-z_]+\[\] = \{/ { t = $5; sub(/\[\].*/, "", t); next }
     t != "" && /^\};/ { t = ""; next }
     t != "" && /\{ "/ { split($0, a, "\""); n = a[2]; g = ""
        if ($0 ~ /V_GROUP/) { g = $0; sub(/.*, /, "", g); sub(/ *\}.*/, "", g) }
        print t, n, g }' libpolicy/login/config.c >"$T/rules"
awk '{ if ($1 == "top_keys") { if ($3 == "") print $2; else grp[$3] = $2 } else kids[$1] = kids[$1] " " $2 }
     END { for (g in grp) { n = split(kids[g], k, " "); for (i = 1; i <= n; i++) print grp[g] "." k[i] } }' \
	"$T/rules" | sort -u >"$T/keys"
[ "$(wc -l <"$T/keys")" -ge 17 ] && ok || fail "keys of config.c: $(cat "$T/keys")"
plain man/bmsub.conf.5 >"$T/conf.txt"
section OPTIONS <"$T/conf.txt" | tags | awk -F'\t' '$1 == 0 { top = $2; if (top !~ /^(admins|users|services|notify|cluster)$/) print top }
	$1 == 1 { print top "." $2 }' | sort -u >"$T/page.keys"
diff "$T/keys" "$T/page.keys" >"$T/d" && ok || { fail "keys: config.c (<) and bmsub.conf(5) (>):"; sed 's/^/  | /' "$T/d"; }
# the type a key's tag gives: path, url, word or words
ktype() {
	section OPTIONS <"$T/conf.txt" | grep -A1 '^\.TP' | grep -E "^\.BR ${1##*.} \" \(" |
		sed 's/.*(\([a-z]*\).*/\1/' | head -n 1
}
# kconf KEY VALUE: a config setting KEY (dotted: inside its group) to VALUE
kconf() {
	{
		case $1 in keys_dir) ;; *) echo "keys_dir = \"$T/etc/keys.d\";" ;; esac
		case $1 in state_dir) ;; *) echo "state_dir = \"$T/state\";" ;; esac
		case $1 in
		*.*) echo "${1%%.*} = { ${1#*.} = $2; };" ;;
		*) echo "$1 = $2;" ;;
		esac
	} >"$T/k.conf"
	chmod 644 "$T/k.conf"
}
while read -r k; do
	t=$(ktype "$k")
	case $t in
	path) good="\"$T/etc/$k\"" bad="\"etc/$k\"" ;;
	url) good='"https://mail.example.test/bmsub/"' bad='"mail.example.test/bmsub/"' ;;
	word) good='"bmsub@example.test"' bad='[ "bmsub@example.test" ]' ;;
	words) good="[ \"w-${k##*.}\" ]" bad="\"w-${k##*.}\"" ;;
	# true needs a user source (users.hosted_only): false is the good one
	bool) good=false bad='"yes"' ;;
	text) good='"host=/nonexistent dbname=x"' bad='[ "x" ]' ;;
	# in every integer key's range (hours 1..8760, seconds 180..86400)
	integer) good=600 bad='"600"' ;;
	group) good="{ roster = \"$T/etc/roster\"; }" bad='"x"' ;;
	*) fail "bmsub.conf(5): no type for $k"; continue ;;
	esac
	kconf "$k" "$good"
	expect_rc 0 "bmsub.conf(5) key $k = $good accepted" -- "$CHK" -c "$T/k.conf" status
	kconf "$k" "$bad"
	expect_rc 2 "key $k of the wrong type ($bad) refused" -- "$CHK" -c "$T/k.conf" status &&
		expect_grep "$k" "$T/err" "wrong type of $k: the key named"
	kconf "$k" '""'
	expect_rc 2 "key $k empty refused" -- "$CHK" -c "$T/k.conf" status
done <"$T/page.keys"
# invented keys, and the ones SPEC has that the code does not take yet
for k in licence key_dir keys-dir admin-url adminurl users.externals users.hosted \
	cluster.port cluster.nodes services.other services.pop \
	notify.to notify.recipients admins.user users.group users.count state.dir; do
	kconf "$k" '"x"'
	expect_rc 2 "an invented key $k refused" -- "$CHK" -c "$T/k.conf" status &&
		expect_grep "unknown key" "$T/err" "invented key $k: said"
	grep -qxF "$k" "$T/page.keys" && fail "bmsub.conf(5) documents $k" || ok
done
# a group given as a value, a value given as a group
for k in admins users services notify cluster; do
	kconf "$k" '"x"'
	expect_rc 2 "group $k given a string" -- "$CHK" -c "$T/k.conf" status
done
kconf license '{ path = "/x"; }'
expect_rc 2 "license given a group" -- "$CHK" -c "$T/k.conf" status
# the defaults the page states are the built-in ones
for def in 'license " (path, default /etc/bmsub/license)' 'keys_dir " (path, default /etc/bmsub/keys.d)' \
	'state_dir " (path, default /var/lib/bmsub)' 'sendmail " (path, default /usr/sbin/sendmail)' \
	'users " (words, default [ "admin0" ])'; do
	grep -qF ".BR $def" "$T/conf.txt" && ok || fail "bmsub.conf(5): no '$def'"
done
grep -q 'BMSUB_CONFDIR "/license"' libpolicy/login/config.c && grep -q 'BMSUB_CONFDIR "/keys.d"' libpolicy/login/config.c &&
	grep -q '"/usr/sbin/sendmail"' libpolicy/login/config.c && grep -q 'def_admins\[\] = { "admin0", NULL }' libpolicy/login/config.c &&
	ok || fail "config.c defaults moved: update bmsub.conf(5)"
for cat in imap eas webmail smtp admin; do
	want=$(awk -v c="def_$cat" 'index($0, c "[]") { on = 1 } on { print } on && /NULL/ { exit }' libpolicy/login/config.c |
		grep -oE '"[^"]+"' | grep -v "def_" | tr '\n' ' ' | sed 's/ $//; s/" "/", "/g')
	grep -qF ".BR $cat \" (words, default [ $want ])" "$T/conf.txt" && ok ||
		fail "bmsub.conf(5) services.$cat default is not [ $want ]"
done
# the categories the page lists are the ones service= and the policy know
for cat in imap eas webmail smtp admin other; do
	grep -q "\[BMSUB_CAT_[A-Z]*\] = \"$cat\"" libpolicy/login/config.c && ok || fail "category $cat not in config.c"
	grep -qE "^\.BR? $cat( |,|$)" "$T/conf.txt" && ok || fail "bmsub.conf(5) does not list category $cat"
done
# the page's EXAMPLES config is accepted as it stands (private folders added)
section EXAMPLES <"$T/conf.txt" | awk '/^\.EE/ { e = 0 } e { print } /^\.EX/ { e = 1 }' >"$T/ex.conf"
grep -q '^users = {' "$T/ex.conf" && ok || fail "bmsub.conf(5) EXAMPLES: no config"
{ echo "keys_dir = \"$T/etc/keys.d\";"; echo "state_dir = \"$T/state\";"; echo "license = \"$T/etc/license\";"; cat "$T/ex.conf"; } >"$T/k.conf"
expect_rc 0 "the EXAMPLES config of bmsub.conf(5)" -- "$CHK" -c "$T/k.conf" status
expect_rc 0 "the decide line of bmsub.conf(5) EXAMPLES" -- "$CHK" -c "$T/k.conf" decide --user alice --service webmail-rc
expect_grep 'webmail' "$T/out" "webmail-rc is a webmail service in the example"

# --- bmsub-sign ------------------------------------------------------------------
plain man/bmsub-sign.1 >"$T/sign.txt"
sed -n 's/^[[:space:]]*{ "\([a-z]*\)", cmd_.*/\1/p' tools/sign/main.c | sort -u >"$T/scmds"
[ "$(wc -l <"$T/scmds")" = 3 ] && ok || fail "bmsub-sign commands: $(cat "$T/scmds")"
section DESCRIPTION <"$T/sign.txt" | tags | cut -f2 | sort -u | diff "$T/scmds" - >"$T/d" && ok ||
	{ fail "bmsub-sign commands: program (<) and page (>):"; sed 's/^/  | /' "$T/d"; }
{
	awk '/names\[\] = \{/ { on = 1; next } on && /\};/ { exit } on' tools/sign/sign.c | grep -oE '"[a-z-]+"'
	grep -hoE '\{ "[a-z-]+", required_argument' tools/sign/*.c | grep -oE '"[a-z-]+"'
} | tr -d '"' | sed 's/^/--/' >"$T/sprog"
grep -q 'sign_getopt(argc, argv, "o:"' tools/sign/sign.c && echo -o >>"$T/sprog"
grep -hoE 'strcmp\([^,]+, "-[^"]+"\)' tools/sign/*.c | sed 's/.*"\(-[^"]*\)".*/\1/' |
	grep -vx -- '--' >>"$T/sprog"
sort -u "$T/sprog" -o "$T/sprog"
[ "$(wc -l <"$T/sprog")" -ge 15 ] && ok || fail "bmsub-sign options: $(cat "$T/sprog")"
# the page's options, but openssl's on the lines that show openssl
grep -v openssl "$T/sign.txt" | opts >"$T/spage"
diff "$T/sprog" "$T/spage" >"$T/d" && ok || { fail "options: bmsub-sign (<) and bmsub-sign(1) (>):"; sed 's/^/  | /' "$T/d"; }
# every option tried: an encrypted key, all the fields, both -o spellings
printf 'secret\n' >"$T/pass"
expect_rc 0 "keygen --pass-file" -- "$SIGN" keygen --pass-file "$T/pass" "$T/enc"
expect_rc 0 "sign with every option" -- "$SIGN" sign --key "$T/enc.key" --pass-file "$T/pass" \
	--id BM-MAN-1 --customer "Man Page" --kind host --issued 2026-01-01 --starts 2026-02-01 \
	--expires 2027-01-01 --users 20 --grace-days 5 --allowance-percent 20 --field x-ref=42 -o "$T/s1.lic"
expect_rc 0 "sign --output" -- "$SIGN" sign --key "$T/enc.key" --pass-file "$T/pass" \
	--id BM-MAN-1 --customer "Man Page" --kind host --issued 2026-01-01 --starts 2026-02-01 \
	--expires 2027-01-01 --users 20 --grace-days 5 --allowance-percent 20 --field x-ref=42 --output "$T/s2.lic"
cmp -s "$T/s1.lic" "$T/s2.lic" && ok || fail "-o and --output differ"
for f in "starts: 2026-02-01" "grace-days: 5" "allowance-percent: 20" "x-ref: 42" "kind: host"; do
	expect_grep "^$f\$" "$T/s1.lic" "sign wrote '$f'"
done
expect_rc 0 "keyid" -- "$SIGN" keyid "$T/enc.pub"
for o in -h --help help --version; do expect_rc 0 "bmsub-sign $o" -- "$SIGN" "$o"; done
# refusals: invented options on each command, a field that is not x-
STD="--key $T/enc.key --pass-file $T/pass --id a --customer c --kind prod --issued 2026-01-01 --expires 2027-01-01 --users 1"
# (getopt_long takes an unambiguous prefix: --pass is --pass-file, --user
# is --users; those are not tried here)
for o in --bogus --keyfile --expiry --not-before --format --signature --json -O -x --passphrase; do
	# shellcheck disable=SC2086
	expect_rc 2 "sign $o refused" -- "$SIGN" sign $STD "$o" v
	expect_rc 2 "keygen $o refused" -- "$SIGN" keygen "$o" v "$T/k-$o"
	[ ! -e "$T/k-$o.key" ] && ok || fail "keygen $o wrote a key"
done
# shellcheck disable=SC2086
expect_rc 2 "sign --field without x-" -- "$SIGN" sign $STD --field ref=1
expect_rc 2 "keygen -o" -- "$SIGN" keygen -o x "$T/k-o"
# keyid takes no option: one given is read as a file name (exit 1, not 2)
"$SIGN" keyid --bogus >/dev/null 2>&1 && fail "keyid --bogus succeeded" || ok
section "EXIT STATUS" <"$T/sign.txt" >"$T/sexit"
for pair in $(sed -n 's/.*Exit: \(0 [a-z]*\), \(1 [a-z]*\), \(2 [a-z]*\)\..*/\1,\2,\3/p' tools/sign/main.c | tr ' ' '_' | tr ',' ' '); do
	grep -qF -- "$(echo "$pair" | tr '_' ' ')" "$T/sexit" && ok || fail "bmsub-sign(1) EXIT STATUS: no '$pair'"
done
[ -n "$(sed -n 's/.*Exit: \(0 [a-z]*\).*/\1/p' tools/sign/main.c)" ] && ok || fail "bmsub-sign usage names no exit codes"

# --- bmsub-policy --------------------------------------------------------------------
POL=$SB/bmsub-policy
[ -x "$POL" ] || POL=$B/bmsub-policy
plain man/bmsub-policy.8 >"$T/pol.txt"
# the program's options: its getopt string
sed -n 's/.*getopt(argc, argv, "\([a-z:]*\)").*/\1/p' tools/policy/main.c | tr -d ':' |
	sed 's/./-&\n/g' | grep . | sort -u >"$T/polprog"
[ "$(wc -l <"$T/polprog")" -ge 3 ] && ok || fail "bmsub-policy getopt string: $(cat "$T/polprog")"
section OPTIONS <"$T/pol.txt" | tags | cut -f2 | sort -u >"$T/polpage"
diff "$T/polprog" "$T/polpage" >"$T/d" && ok || { fail "options: bmsub-policy (<) and bmsub-policy(8) (>):"; sed 's/^/  | /' "$T/d"; }
while read -r o; do
	section SYNOPSIS <"$T/pol.txt" | grep -qF -- "$o" && ok || fail "bmsub-policy(8) SYNOPSIS lacks $o"
done <"$T/polprog"
for pair in "0 when Postfix closed" "1 on a read or write error" "2 on a usage error"; do
	section "EXIT STATUS" <"$T/pol.txt" | tr '\n' ' ' | grep -qF "$pair" && ok || fail "bmsub-policy(8) EXIT STATUS: no '$pair'"
done
# every option the page names is taken; others are refused (2). Run as
# uid 65534: it refuses root.
if [ -x "$POL" ] && POLU=$(user_bin "$POL"); then
	chmod -R a+rX "$T/etc" "$T/state"
	printf 'request=smtpd_access_policy\nsasl_username=alice\n\n' >"$T/pol.in"
	expect_rc 0 "bmsub-policy -c CONF -e" -- as_user "$POLU" -c "$CONF" -e <"$T/pol.in"
	expect_grep '^action=DUNNO$' "$T/out" "bmsub-policy answers with -c and -e"
	expect_rc 0 "bmsub-policy -h" -- as_user "$POLU" -h
	for o in -x -v -d --config --help -E -C; do
		expect_rc 2 "bmsub-policy $o refused" -- as_user "$POLU" "$o" </dev/null
	done
else
	fail "no bmsub-policy to try"
fi

# --- bmsub-web ---------------------------------------------------------------------
plain man/bmsub-web.8 >"$T/web.txt"
grep -oE 'strcmp\(a, "-[-a-zA-Z]+"\)' tools/web/main.c | grep -oE '"[^"]+"' | tr -d '"' |
	sort -u >"$T/webprog"
[ "$(wc -l <"$T/webprog")" -ge 8 ] && ok || fail "bmsub-web options in main.c: $(cat "$T/webprog")"
# (the long twins of -h and -V share their entry: "-h, --help")
section OPTIONS <"$T/web.txt" | tags | cut -f2 | sort -u >"$T/webpage"
grep -vxE -- '--help|--version' "$T/webprog" | diff - "$T/webpage" >"$T/d" && ok || { fail "options: bmsub-web (<) and bmsub-web(8) (>):"; sed 's/^/  | /' "$T/d"; }
while read -r o; do
	case $o in -h|--help|-V|--version) continue ;; esac
	section SYNOPSIS <"$T/web.txt" | grep -qF -- "$o" && ok || fail "bmsub-web(8) SYNOPSIS lacks $o"
done <"$T/webprog"
for pair in "0 when the FastCGI socket is closed" "2 on a usage error"; do
	section "EXIT STATUS" <"$T/web.txt" | tr '\n' ' ' | grep -qF "$pair" && ok || fail "bmsub-web(8) EXIT STATUS: no '$pair'"
done
for o in -x --config --help=1 -c; do
	expect_rc 2 "bmsub-web $o refused" -- "$B/bmsub-web" "$o"
done
expect_rc 0 "bmsub-web -h" -- "$B/bmsub-web" -h
expect_rc 0 "bmsub-web --version" -- "$B/bmsub-web" --version

# --- pam_bmsub arguments -------------------------------------------------------------
plain man/pam_bmsub.8 >"$T/pam.txt"
{
	grep -oE 'ARG_VALUE\(argv\[i\], "[a-z]+="\)' pam_bmsub/pam_bmsub.c | grep -oE '"[a-z]+="' | tr -d '"'
	grep -oE 'strcmp\(argv\[i\], "[a-z]+"\)' pam_bmsub/pam_bmsub.c | grep -oE '"[a-z]+"' | tr -d '"'
} | sort -u >"$T/pprog"
[ "$(wc -l <"$T/pprog")" = 4 ] && ok || fail "pam_bmsub arguments in parse_args: $(cat "$T/pprog")"
section OPTIONS <"$T/pam.txt" | tags | cut -f2 | sed 's/=.*/=/' | sort -u >"$T/ppage"
diff "$T/pprog" "$T/ppage" >"$T/d" && ok || { fail "arguments: parse_args (<) and pam_bmsub(8) (>):"; sed 's/^/  | /' "$T/d"; }
while read -r a; do
	grep -A3 '^\.SH SYNOPSIS' "$T/pam.txt" >/dev/null
	section SYNOPSIS <"$T/pam.txt" | grep -qF -- "$a" && ok || fail "pam_bmsub(8) SYNOPSIS lacks $a"
done <"$T/pprog"
# through the real libpam: every argument the page names is taken, each
# category of service=; anything else is a service error (rc 3)
if [ -f "$B/pam_bmsub.so" ] && ${CC:-cc} -O1 -o "$T/pamloop" "$TOP/tests/servers/pamloop.c" -lpam 2>"$T/cc.err"; then
	install -m 644 "$T/lic" "$T/etc/license"
	mkdir -p "$T/pam.d" && chmod 755 "$T/pam.d"
	# pam STACK-ARGS: pamloop's answer for one account line
	pam() {
		echo "account required $B/pam_bmsub.so $*" >"$T/pam.d/mp"
		chmod 644 "$T/pam.d/mp"
		"$T/pamloop" "$T/pam.d" mp alice 1 2>&1
	}
	for a in "conf=$CONF" "conf=$CONF debug" "conf=$CONF quiet" "conf=$CONF debug quiet" \
		"conf=$CONF service=imap" "conf=$CONF service=eas" "conf=$CONF service=webmail" \
		"conf=$CONF service=smtp" "conf=$CONF service=admin" "conf=$CONF service=other"; do
		out=$(pam "$a")
		[ "$out" = "rc 0: 1" ] && ok || fail "pam_bmsub $a: $out, want PAM_SUCCESS"
	done
	for a in bogus "conf=$CONF bogus" "conf=$CONF Debug" "conf=$CONF debug debug" "conf=$CONF quiet quiet" \
		"conf=$CONF conf=$CONF" "conf=etc/bmsub.conf" "conf=" "conf $CONF" "conf=$CONF service=" \
		"conf=$CONF service=pop" "conf=$CONF service=IMAP" "conf=$CONF service=imap service=imap" \
		"conf=$CONF quiet=1" "conf=$CONF debug=1" "conf=$CONF silent" "conf=$CONF --debug" \
		"conf=$CONF category=imap" "config=$CONF" "conf=$T/missing.conf"; do
		out=$(pam "$a")
		[ "$out" = "rc 3: 1" ] && ok || fail "pam_bmsub $a: $out, want PAM_SERVICE_ERR"
	done
	# the categories the page lists for service= are the parser's
	for cat in imap eas webmail smtp admin other; do
		section OPTIONS <"$T/pam.txt" | grep -qE "(^| )$cat( |,|$)" && ok || fail "pam_bmsub(8) service= lacks $cat"
	done
else
	fail "cannot build tests/servers/pamloop.c or no $B/pam_bmsub.so: $(cat "$T/cc.err" 2>/dev/null)"
fi
done_checks
