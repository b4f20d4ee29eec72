#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# kill9.sh - kill -9 of the writers at random moments: refresh, notify,
# install and recipients add/remove (KILL9_N kills in all, default 1000,
# KILL9_JOBS folders at once, default 4). Before each kill the same command
# runs once to completion on the same files (fixed --at, so its output is
# the same bytes) to learn the "new" files (every version it renames into
# place, through an LD_PRELOAD shim: notify saves the state after each
# alert); the old ones are put back, the
# command runs again and is killed after a random delay within its own run
# time. After each kill the license, state and recipients must be
# byte-identical to the old file or one the writer put in place; the same command then runs
# again (the next writer) and must leave no .NAME.bmsub-tmp.XXXXXX behind
# and the new files. Prints the kills done, how many were mid-write (a
# file already new) and how many left a temp file before the next writer.
# Run as root, KILL9_USER_N (200) more kills as uid 65534 on its own files.
. "${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

CHK=$B/bmsub-check
[ -x "$CHK" ] || skip "no bmsub-check"
command -v python3 >/dev/null || skip "python3 missing"

jobs=${KILL9_JOBS:-4}
# renames.so: before each rename(FROM, TO), a copy of FROM in
# $K9_SAVE/BASENAME(TO).N: every complete version a writer put in place
# (notify saves the state after each alert sent, install the license then
# the state)
cat >"$T/renames.c" <<'EOC'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int
rename(const char *from, const char *to)
{
	static int n;
	int (*real)(const char *, const char *) =
	    (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	const char *save = getenv("K9_SAVE"), *base = strrchr(to, '/');
	char p[4096], buf[65536];
	ssize_t k;
	int in, out;

	if (save != NULL && (in = open(from, O_RDONLY)) >= 0) {
		snprintf(p, sizeof(p), "%s/%s.%d", save, base ? base + 1 : to, n++);
		if ((out = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0) {
			while ((k = read(in, buf, sizeof(buf))) > 0)
				if (write(out, buf, (size_t)k) != k)
					break;
			close(out);
		}
		close(in);
	}
	return real(from, to);
}
EOC
${CC:-cc} -shared -fPIC -O1 -o "$T/renames.so" "$T/renames.c" -ldl || fail "renames.so"
cp "$TOP/tests/data/fake-sendmail" "$T/fake-sendmail"
make_license "$T/A" id=BM-K9-A issued=2026-01-01 expires=2026-12-20 users=100
make_license "$T/B" id=BM-K9-B issued=2026-01-01 expires=2027-12-20 users=100
# folders PREFIX: PREFIX1..PREFIXjobs, each a configuration with its state
folders() {
	for j in $(seq 1 "$jobs"); do
		d=$1$j
		mkdir -p "$d/etc/keys.d" "$d/state"
		cp "$TOP/tests/data/keys/vendor1.pub" "$d/etc/keys.d/vendor1.pem"
		cp "$T/A" "$d/etc/license"
		cat >"$d/etc/bmsub.conf" <<EOC
license = "$d/etc/license";
keys_dir = "$d/etc/keys.d";
state_dir = "$d/state";
admin_url = "https://admin.example.test/subscription";
admins = { users = ["boss"]; };
notify = { sendmail = "$T/fake-sendmail"; from = "bmsub@mx.example.test"; local_domains = ["example.test"]; };
EOC
		chmod -R go-w "$d"
		chmod 755 "$d" "$d/etc" "$d/state" "$d/etc/keys.d"
		FAKE_SENDMAIL_OUT=$d/mail "$CHK" -c "$d/etc/bmsub.conf" recipients add ops@example.test >/dev/null ||
			fail "$d: first recipients add"
	done
}
folders "$T/w"
chmod 644 "$T/A" "$T/B"

cat >"$T/kill9.py" <<'EOF'
import os, random, re, signal, subprocess, sys, threading, time
chk, top, total, jobs, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
tmp_re = re.compile(r"^\.(license|state|recipients)\.bmsub-tmp\.")
lock = threading.Lock()
stats = dict(kills=0, exited=0, midwrite=0, left=0, fails=0, runs=0)
problems = []
times = ["2026-11-%02dT%02d:00:00Z" % (d, h) for d in range(1, 31) for h in (0, 9, 18)] + \
        ["2026-12-%02dT%02d:00:00Z" % (d, h) for d in range(1, 31) for h in (0, 12)]

def files(d):
    return {"license": d + "/etc/license", "state": d + "/state/state",
            "recipients": d + "/state/recipients"}

def snap(d):
    out = {}
    for k, p in files(d).items():
        try:
            with open(p, "rb") as f:
                out[k] = f.read()
        except FileNotFoundError:
            out[k] = None
    return out

def restore(d, s):
    for k, p in files(d).items():
        if s[k] is None:
            try: os.unlink(p)
            except FileNotFoundError: pass
        else:
            with open(p + ".restore", "wb") as f:
                f.write(s[k])
            os.chmod(p + ".restore", 0o644)
            os.rename(p + ".restore", p)

def temps(d):
    return [x for sub in ("etc", "state") for x in os.listdir(d + "/" + sub)
            if tmp_re.match(x)]

def command(rnd, n):
    at = ["--force-clock", "--at", rnd.choice(times)]
    k = n % 4
    if k == 0:
        return at + ["refresh", "--users", str(rnd.choice((90, 100, 120, 150)))]
    if k == 1:
        return at + ["notify"]
    if k == 2:
        return at + ["install", "--force", rnd.choice(("A", "B"))]
    a = "r%d@example.test" % rnd.randrange(6)
    return at + ["recipients", rnd.choice(("add", "add", "remove")), a]

def worker(j, quota):
    rnd = random.Random(j * 7919 + int(os.environ.get("KILL9_SEED", "0")))
    d = prefix + "%d" % j
    env = dict(os.environ, FAKE_SENDMAIL_OUT=d + "/mail")
    base = [chk, "-c", d + "/etc/bmsub.conf"]
    def argv(c):
        return base + [os.environ["T"] + "/" + x if x in ("A", "B") else x for x in c]
    save = d + "/saved"
    os.mkdir(save)
    shadow_env = dict(env, LD_PRELOAD=os.environ["T"] + "/renames.so", K9_SAVE=save)
    def run(c, e=env):
        t0 = time.monotonic()
        rc = subprocess.call(argv(c), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=e)
        return rc, time.monotonic() - t0
    def versions():
        out = {k: set() for k in files(d)}
        for x in os.listdir(save):
            k = x.rsplit(".", 1)[0]
            with open(save + "/" + x, "rb") as f:
                out[k].add(f.read())
            os.unlink(save + "/" + x)
        return out
    def problem(msg):
        with lock:
            stats["fails"] += 1
            if len(problems) < 20:
                problems.append("w%d: %s" % (j, msg))
    n = kills = 0
    while kills < quota:
        n += 1
        c = command(rnd, n)
        old = snap(d)
        rc, secs = run(c, shadow_env)
        new = snap(d)
        seen = versions()
        for k in new:
            if new[k] != old[k] and new[k] not in seen[k]:
                problem("%s: the shim missed the rename of %s" % (" ".join(c), k))
        restore(d, old)
        delay = rnd.uniform(0, secs)
        p = subprocess.Popen(argv(c), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        got = p.wait()
        if got != -signal.SIGKILL:
            with lock: stats["exited"] += 1
        else:
            kills += 1
        mid = snap(d)
        changed = 0
        for k in mid:
            if mid[k] != old[k]:
                changed = 1
                if mid[k] not in seen[k]:
                    problem("%s after kill of %s at %.0f us: neither old nor one it wrote (%r)"
                            % (k, " ".join(c), delay * 1e6, (mid[k] or b"")[:80]))
        left = temps(d)
        with lock:
            stats["kills"] += got == -signal.SIGKILL
            stats["midwrite"] += changed
            stats["left"] += len(left)
        # the next writer: the same command to completion
        rc2, _ = run(c)
        after = snap(d)
        if not changed and rc2 != rc:
            problem("%s: exit %d after the kill, %d before" % (" ".join(c), rc2, rc))
        for k in after:
            if after[k] != new[k]:
                problem("%s after the next writer of %s: not the new file" % (k, " ".join(c)))
        rest = temps(d)
        with lock: stats["after"] = stats.get("after", 0) + len(rest)
        if rest and "KILL9_KEEP" not in os.environ:
            problem("after the next writer of %s: left %s" % (" ".join(c), rest))
            for x in rest:
                for sub in ("etc", "state"):
                    try: os.unlink(d + "/" + sub + "/" + x)
                    except FileNotFoundError: pass
        with lock: stats["runs"] += 3

t0 = time.monotonic()
th = [threading.Thread(target=worker, args=(j, total // jobs + (1 if j <= total % jobs else 0)))
      for j in range(1, jobs + 1)]
for t in th: t.start()
for t in th: t.join()
for p in problems: print("PROBLEM: " + p)
print("kills %d (plus %d runs that ended before their kill), mid-write %d, "
      "temp files left by the kills %d, after the next writer %d (0 wanted), "
      "%d in the folders at the end, %d problems; %d runs in %.1f s"
      % (stats["kills"], stats["exited"], stats["midwrite"], stats["left"], stats.get("after", 0),
         sum(len(temps(prefix + "%d" % j)) for j in range(1, jobs + 1)),
         stats["fails"], stats["runs"], time.monotonic() - t0))
sys.exit(1 if stats["fails"] else 0)
EOF

export T
# k9 DESC PREFIX N [as_user]: N kills over the folders PREFIX1..
k9() {
	desc=$1 prefix=$2 want=$3; shift 3
	n_checks=$((n_checks + 1))
	"$@" python3 "$T/kill9.py" "$K9CHK" "$TOP" "$want" "$jobs" "$prefix" >"$T/k9.out" 2>&1 ||
		fail "$desc: kill -9 of the writers:"
	sed "s/^/$desc: /" "$T/k9.out"
	n_checks=$((n_checks + 1))
	kills=$(sed -n 's/^kills \([0-9]*\).*/\1/p' "$T/k9.out")
	[ "${kills:-0}" -ge "$want" ] || fail "$desc: only ${kills:-0} kills"
	# the kills landed in the writes: some mid-write (a file changed
	# before the kill) or some temp file left; how many temp files a
	# machine leaves depends on how fast its disk is (a fresh chroot's
	# tmpfs left 0 of 200 as uid 65534), so either is enough
	n_checks=$((n_checks + 1))
	left=$(sed -n 's/.*temp files left by the kills \([0-9]*\).*/\1/p' "$T/k9.out")
	mid=$(sed -n 's/.*mid-write \([0-9]*\).*/\1/p' "$T/k9.out")
	[ "$want" -lt 200 ] || [ "${left:-0}" -gt 0 ] || [ "${mid:-0}" -gt 0 ] ||
		fail "$desc: no kill was mid-write and none left a temp file: the kills miss the writes"
	n_checks=$((n_checks + 1))
	[ -z "$(find "$prefix"* -name '.*.bmsub-tmp.*')" ] || fail "$desc: temp files at the end"
}
K9CHK=$CHK
k9 "as $(id -un)" "$T/w" "${KILL9_N:-1000}"
# Run as root, 200 more as the unprivileged uid 65534 on folders of its
# own: the sweep removes only the caller's files, so who writes matters.
if is_root; then
	K9CHK=$(user_bin "$CHK")
	folders "$T/u"
	chown -R $USER_UID:$USER_GID "$T"/u[0-9]*
	chmod 755 "$T/renames.so" "$T/fake-sendmail"
	k9 "as uid $USER_UID" "$T/u" "${KILL9_USER_N:-200}" as_user
fi
done_checks
