#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# atomic_order.sh - every file bmsub writes reaches the disk in the one safe
# order (ops/atomic.c): the temp file .NAME.bmsub-tmp.XXXXXX beside it is
# written and fsync'ed, closed, renamed over NAME, then the folder is
# fsync'ed, so that a crash at any moment leaves the old or the new file.
# Observed with strace on the real writers: recipients add, refresh,
# install and clock reset. A write that fails halfway (RLIMIT_FSIZE) leaves
# the old files byte for byte, no temp file, a clear error and exit 1.
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

# --- a write that fails halfway: RLIMIT_FSIZE below the file's size ------------
make_license "$T/etc/license" id=BM-ORD-1 issued="$(date_utc -30)" \
	expires="$(date_utc 300)" users=100
c recipients add ops@example.test >/dev/null
c refresh --users 5 >/dev/null
mkdir "$T/before"
cp -a "$T/state/." "$T/before/"
cp -a "$T/etc/license" "$T/before/license"
# no byte may be written (ulimit -f 0), SIGXFSZ ignored: write(2) says EFBIG
export T
for cmd in "install $T/new.lic" "recipients add second@example.test" "refresh --users 6"; do
	# shellcheck disable=SC2086
	# stderr goes through a pipe: the limit applies to files only
	expect_rc 1 "$cmd with RLIMIT_FSIZE 0: exit 1" -- sh -c '
		trap "" XFSZ
		{ (ulimit -f 0; exec "$@") 2>&1 >/dev/null; echo $? >"$T/fsize.rc"; } | cat >&2
		exit "$(cat "$T/fsize.rc")"' sh "$CHK" -c "$CONF" $cmd
	expect_grep "write failed: File too large" "$T/err" "$cmd: says the write failed and why"
	n_checks=$((n_checks + 1))
	diff -r "$T/before/license" "$T/etc/license" >/dev/null &&
	    cmp -s "$T/before/recipients" "$T/state/recipients" &&
	    cmp -s "$T/before/state" "$T/state/state" ||
	    fail "$cmd: an old file changed"
	n_checks=$((n_checks + 1))
	left=$(find "$T/state" "$T/etc" -name '.*.bmsub-tmp.*' | wc -l)
	[ "$left" = 0 ] || fail "$cmd: $left temp file(s) left behind"
done

done_checks
