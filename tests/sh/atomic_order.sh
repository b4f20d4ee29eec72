#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# atomic_order.sh - every file bmsub writes reaches the disk in the one safe
# order (ops/atomic.c): the temp file .NAME.bmsub-tmp.XXXXXX beside it is
# written and fsync'ed, closed, renamed over NAME, then the folder is
# fsync'ed, so that a crash at any moment leaves the old or the new file.
# Observed with strace on the real writers: recipients add, refresh,
# install and clock reset. A write that fails (RLIMIT_FSIZE as anyone,
# ENOSPC on a full tmpfs as root) in every writer (bmsub-check install,
# recipients add/remove, refresh, notify, clock reset, metrics --output;
# bmsub-sign -o) leaves the old files byte for byte, no temp file, an error
# naming the file and why, and exit 1; run as root, all of it again as the
# unprivileged uid 65534 on files of its own.
. "${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

CHK=$B/bmsub-check
[ -x "$CHK" ] || skip "no bmsub-check"
command -v strace >/dev/null || skip "strace missing (tools/deps.sh check)"
command -v python3 >/dev/null || skip "python3 missing"

setup_etc ""
c() { "$CHK" -c "$CONF" "$@"; }
make_license "$T/etc/license" id=BM-ORD-1 issued="$(date_utc -30)" \
	expires="$(date_utc 300)" users=100
make_license "$T/new.lic" id=BM-ORD-2 issued="$(date_utc -30)" \
	expires="$(date_utc 600)" users=100

# traced CMD...: runs it under strace; the trace is in $T/trace
traced() {
	strace -f -qq -y -o "$T/trace" -e trace=openat,fsync,fdatasync,close,rename,renameat,renameat2 \
	    "$@" >"$T/out" 2>"$T/err"
}

# order NAME...: each NAME (a path) was written through its own temp file,
# in the safe order; prints one line per problem
cat >"$T/order.py" <<'EOF'
import re, sys
trace = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
want = sys.argv[2:]
fd_re = re.compile(r'(\d+)<([^>]*)>')
for path in want:
    d, name = path.rsplit("/", 1)
    tmp_re = re.compile(re.escape(d) + "/\\." + re.escape(name) +
                        r"\.bmsub-tmp\.[A-Za-z0-9]{6}$")
    events = []
    for line in trace:
        m = re.match(r'(?:\d+ +)?(\w+)\((.*)\) += (-?\d+)', line)
        if not m:
            continue
        call, args, rc = m.group(1), m.group(2), int(m.group(3))
        fds = fd_re.findall(args)
        events.append((call, args, rc, fds))
    ren = [i for i, e in enumerate(events) if e[0].startswith("rename") and
           ('"%s"' % path) in e[1]]
    if len(ren) != 1:
        print("%s: %d renames onto it, want 1" % (path, len(ren)))
        continue
    i = ren[0]
    call, args, rc, fds = events[i]
    src = re.findall(r'"([^"]*)"', args)
    if rc != 0 or not src or not tmp_re.search(src[0]):
        print("%s: renamed from %r (rc %d), not from its temp file" % (path, src[:1], rc))
        continue
    tmp = src[0]
    before = events[:i]
    synced = [k for k, e in enumerate(before) if e[0] in ("fsync", "fdatasync")
              and any(p == tmp for _, p in e[3])]
    closed = [k for k, e in enumerate(before) if e[0] == "close"
              and any(p == tmp for _, p in e[3])]
    if not synced:
        print("%s: temp file not fsync'ed before the rename" % path)
    elif not closed or closed[-1] < synced[-1]:
        print("%s: temp file not closed after its fsync, before the rename" % path)
    after = events[i + 1:]
    dsync = [e for e in after if e[0] in ("fsync", "fdatasync")
             and any(p == d for _, p in e[3])]
    if not dsync:
        print("%s: folder %s not fsync'ed after the rename" % (path, d))
EOF

# order_ok DESC NAME...
order_ok() {
	desc=$1; shift
	python3 "$T/order.py" "$T/trace" "$@" >"$T/problems"
	n_checks=$((n_checks + 1))
	[ ! -s "$T/problems" ] || { fail "$desc:"; sed 's/^/  | /' "$T/problems"; }
}

traced "$CHK" -c "$CONF" recipients add ops@example.test
expect_rc 0 "recipients add ran" -- sh -c "grep -q ops@example.test '$T/state/recipients'"
order_ok "recipients add" "$T/state/recipients"
traced "$CHK" -c "$CONF" refresh --users 5
order_ok "refresh" "$T/state/state"
traced "$CHK" -c "$CONF" install "$T/new.lic"
order_ok "install (license and state)" "$T/etc/license"
expect_rc 0 "the new license is in place" -- grep -q 'id: BM-ORD-2' "$T/etc/license"
traced "$CHK" -c "$CONF" clock reset
order_ok "clock reset" "$T/state/state"
traced "$CHK" -c "$CONF" recipients remove ops@example.test
order_ok "recipients remove" "$T/state/recipients"

# --- writes that fail: RLIMIT_FSIZE (anyone) and ENOSPC (a full tmpfs, root) -----
# Every writer of bmsub-check (install, recipients add and remove, refresh,
# notify, clock reset, metrics --output) and bmsub-sign -o: exit 1, an
# error naming the file and why, every old file byte for byte, no temp file.
SIGN=$B/bmsub-sign
cp "$TOP/tests/data/fake-sendmail" "$T/fake-sendmail"
export FAKE_SENDMAIL_OUT="$T/mail"
# mkroot DIR: a configuration in DIR/etc, its state in DIR/state, a license,
# a recipient, a state, DIR/out/metrics.prom and DIR/out/signed.lic
mkroot() {
	mkdir -p "$1/etc/keys.d" "$1/state" "$1/out"
	cp "$TOP/tests/data/keys/vendor1.pub" "$1/etc/keys.d/vendor1.pem"
	cat >"$1/etc/bmsub.conf" <<EOC
license = "$1/etc/license";
keys_dir = "$1/etc/keys.d";
state_dir = "$1/state";
admin_url = "https://admin.example.test/subscription";
admins = { users = ["boss"]; };
notify = { sendmail = "$T/fake-sendmail"; from = "bmsub@mx.example.test"; local_domains = ["example.test"]; };
EOC
	make_license "$1/etc/license" id=BM-ORD-1 issued="$(date_utc -30)" \
		expires="$(date_utc 300)" users=100
	chmod -R go-w "$1"
	chmod 755 "$1" "$1/etc" "$1/state" "$1/out"
	cp "$TOP/tests/data/keys/vendor1.key" "$1/out/vendor1.key"
	chmod 600 "$1/out/vendor1.key"
	"$CHK" -c "$1/etc/bmsub.conf" recipients add ops@example.test >/dev/null &&
	"$CHK" -c "$1/etc/bmsub.conf" refresh --users 5 >/dev/null &&
	"$CHK" -c "$1/etc/bmsub.conf" metrics --output "$1/out/metrics.prom" &&
	"$SIGN" sign --key "$1/out/vendor1.key" --id BM-SIGNED-1 \
		--customer "Example SA" --kind prod --issued 2026-01-01 \
		--expires 2027-01-01 --users 10 -o "$1/out/signed.lic" ||
		fail "mkroot $1"
}
# writers_fail DESC REASON DIR [WRAPPER...]: each writer on DIR's files
# (WCHK and WSIGN: the programs, default CHK and SIGN)
writers_fail() {
	wchk=${WCHK:-$CHK} wsign=${WSIGN:-$SIGN}
	desc=$1 reason=$2 root=$3; shift 3
	rm -rf "$T/before"; mkdir "$T/before"
	cp -a "$root/." "$T/before/"
	rm -f "$T/before/fill"
	conf=$root/etc/bmsub.conf
	for w in "install:$root/etc/license:$wchk -c $conf install $T/new.lic" \
	    "recipients add:$root/state/recipients:$wchk -c $conf recipients add second@example.test" \
	    "recipients remove:$root/state/recipients:$wchk -c $conf recipients remove ops@example.test" \
	    "refresh:$root/state/state:$wchk -c $conf refresh --users 6" \
	    "notify:$root/state/state:$wchk -c $conf notify" \
	    "clock reset:$root/state/state:$wchk -c $conf clock reset" \
	    "metrics:$root/out/metrics.prom:$wchk -c $conf metrics --output $root/out/metrics.prom" \
	    "bmsub-sign:$root/out/signed.lic:$wsign sign --key $root/out/vendor1.key --id BM-SIGNED-2 --customer Other --kind prod --issued 2026-01-01 --expires 2028-01-01 --users 20 -o $root/out/signed.lic"; do
		name=${w%%:*} rest=${w#*:}
		file=${rest%%:*} cmd=${rest#*:}
		# shellcheck disable=SC2086
		expect_rc 1 "$desc: $name: exit 1" -- "$@" $cmd
		expect_grep "$file: write failed: $reason \(left unchanged, temporary \.[a-z.]*\.bmsub-tmp\.[A-Za-z0-9]{6} removed\)" \
			"$T/err" "$desc: $name: names the file and why"
		n_checks=$((n_checks + 1))
		diff -r --exclude=fill "$T/before" "$root" >"$T/diff" ||
			{ fail "$desc: $name: an old file changed:"; sed 's/^/  | /' "$T/diff"; }
		n_checks=$((n_checks + 1))
		left=$(find "$root" -name '.*.bmsub-tmp.*' | wc -l)
		[ "$left" = 0 ] || fail "$desc: $name: $left temp file(s) left behind"
	done
}

# RLIMIT_FSIZE 0: no byte may be written, SIGXFSZ ignored: write(2) says
# EFBIG. stderr goes through a pipe: the limit applies to files only.
cat >"$T/limited" <<'EOS'
#!/bin/sh
trap "" XFSZ
rcf=$(mktemp) || exit 99
{ (ulimit -f 0; exec "$@") 2>&1 >/dev/null; echo $? >"$rcf"; } | cat >&2
rc=$(cat "$rcf"); rm -f "$rcf"; exit "$rc"
EOS
chmod 755 "$T/limited"
export T
mkroot "$T/lim"
writers_fail "RLIMIT_FSIZE 0" "File too large" "$T/lim" "$T/limited"

# ENOSPC: the same files on a small tmpfs filled up to its last page
if need_root "ENOSPC on a full tmpfs (mount -t tmpfs)"; then
	mkdir "$T/full"
	if mount -t tmpfs -o size=256k,mode=0755 bmsub-test-enospc "$T/full"; then
		at_exit "umount '$T/full'"
		mkroot "$T/full"
		dd if=/dev/zero of="$T/full/fill" bs=4096 2>/dev/null
		n_checks=$((n_checks + 1))
		if echo x >"$T/full/out/probe" 2>/dev/null; then
			fail "the tmpfs is not full"
		fi
		rm -f "$T/full/out/probe"
		writers_fail "ENOSPC" "No space left on device" "$T/full"
		# with room again, every writer works
		rm -f "$T/full/fill"
		expect_rc 0 "room again: refresh" -- "$CHK" -c "$T/full/etc/bmsub.conf" refresh --users 6
		expect_rc 0 "room again: install" -- "$CHK" -c "$T/full/etc/bmsub.conf" install "$T/new.lic"
	else
		fail "cannot mount a tmpfs as root"
	fi
fi

# The same as the unprivileged uid 65534 on files of its own (as root;
# unprivileged, the runs above were already ours): the sweep and the
# cleanup remove only the caller's temp files, so who writes matters.
if is_root; then
	WCHK=$(user_bin "$CHK") WSIGN=$(user_bin "$SIGN")
	mkroot "$T/ulim"
	chown -R $USER_UID:$USER_GID "$T/ulim"
	writers_fail "uid 65534, RLIMIT_FSIZE 0" "File too large" "$T/ulim" as_user "$T/limited"
	mkdir "$T/ufull"
	if mount -t tmpfs -o size=256k,mode=0755 bmsub-test-enospc "$T/ufull"; then
		at_exit "umount '$T/ufull'"
		mkroot "$T/ufull"
		chown -R $USER_UID:$USER_GID "$T/ufull"
		dd if=/dev/zero of="$T/ufull/fill" bs=4096 2>/dev/null
		writers_fail "uid 65534, ENOSPC" "No space left on device" "$T/ufull" as_user
	else
		fail "cannot mount a tmpfs as root"
	fi
	unset WCHK WSIGN
fi

done_checks
