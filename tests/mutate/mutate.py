#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""mutate.py - mutation testing of bmsub: would the suite notice a bug?

Each mutant in tests/mutate/mutants is one small change to one source file
(a comparison flipped, a threshold moved by one, a check dropped, two calls
swapped). For each, in a private copy of the tracked files under
build/mutate/, this script applies the change, rebuilds, runs the tests the
mutant names and counts it killed when one of them fails (or times out),
survived when all pass. The file is then put back byte for byte.

    mutate.py [--only SUBSTRING[,SUBSTRING...]] [--list] [--keep] [--timeout S]

The mutants file, one block per mutant:

    @ NAME  FILE  TEST...          a test: test_x (tests/unit/test_x.c)
                                   or sh:x (tests/sh/x.sh)
    - text that occurs exactly once in FILE (after the "- "; several
                                   "-" lines, or lines that start with a
                                   tab after it: joined by newlines)
    + what replaces it (several "+" lines: joined by newlines; none: deleted)
    = reason                       only for an equivalent mutant: one
                                   that no test can kill, and why

A "-" text found zero or several times in FILE is a defect of the list
(the source moved on): the run stops and names it, as it does for a
mutant that does not compile. The score is killed / (all - equivalent),
the usual definition: an equivalent mutant behaves as the original and
no test can tell them apart. Exit 0 when the score is at least 97 % and
the survivors are exactly the mutants marked "=", 1 otherwise, 2 on a
usage error or a broken baseline.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIST = os.path.join(TOP, "tests", "mutate", "mutants")
TARGET = 97.0


class Mutant:
    def __init__(self, name, path, tests, lineno):
        self.name, self.path, self.tests, self.lineno = name, path, tests, lineno
        self.old, self.new, self.equiv = None, [], None


def die(msg, code=2):
    print("mutate: " + msg, file=sys.stderr)
    sys.exit(code)


def parse(path):
    muts, cur, names, last = [], None, set(), None
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if line.strip() == "" or line.startswith("#"):
                continue
            tag, rest = line[:2], line[2:]
            if line.startswith("\t") and last in ("- ", "+ "):
                tag, rest = last, line	# a continuation line
            last = tag
            if tag == "@ ":
                words = rest.split()
                if len(words) < 3:
                    die("%s:%d: '@ NAME FILE TEST...' expected" % (path, n))
                if words[0] in names:
                    die("%s:%d: mutant %s named twice" % (path, n, words[0]))
                names.add(words[0])
                cur = Mutant(words[0], words[1], words[2:], n)
                muts.append(cur)
            elif cur is None:
                die("%s:%d: text before the first '@'" % (path, n))
            elif tag == "- ":
                if cur.new or cur.equiv:
                    die("%s:%d: %s: '-' after '+' or '='" % (path, n, cur.name))
                cur.old = rest if cur.old is None else cur.old + "\n" + rest
            elif tag == "+ " or line == "+":
                cur.new.append(rest)
            elif tag == "= ":
                cur.equiv = rest.strip()
            else:
                die("%s:%d: unknown line %r" % (path, n, line[:40]))
    for m in muts:
        if not m.old:
            die("%s:%d: %s has no '-' line" % (path, m.lineno, m.name))
        for t in m.tests:
            if not (t.startswith("test_") or t.startswith("sh:")):
                die("%s:%d: %s: test %r is neither test_NAME nor sh:NAME"
                    % (path, m.lineno, m.name, t))
    return muts


def copy_tree(dst):
    files = subprocess.run(["git", "-C", TOP, "ls-files", "-z"], check=True,
                           capture_output=True).stdout.split(b"\0")
    for rel in files:
        if not rel:
            continue
        rel = rel.decode()
        src = os.path.join(TOP, rel)
        if not os.path.lexists(src):
            continue
        out = os.path.join(dst, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        if os.path.islink(src):
            if os.path.lexists(out):
                os.unlink(out)
            os.symlink(os.readlink(src), out)
        else:
            # only changed files are rewritten: make stays incremental
            with open(src, "rb") as f:
                data = f.read()
            try:
                with open(out, "rb") as f:
                    same = f.read() == data
            except OSError:
                same = False
            if not same:
                with open(out, "wb") as f:
                    f.write(data)
            shutil.copymode(src, out)


def build(src):
    r = subprocess.run(["make", "-s", "-j2", "--no-print-directory", "B=build",
                        "all", "tests"], cwd=src, capture_output=True,
                       text=True)
    return r.returncode == 0, r.stdout + r.stderr


def run_test(src, test, timeout):
    b = os.path.join(src, "build")
    env = dict(os.environ, TOP=src, B=b, SB=b, CK_DEFAULT_TIMEOUT="60",
               CK_FORK="yes")
    if test.startswith("sh:"):
        cmd = ["sh", os.path.join(src, "tests", "sh", test[3:] + ".sh")]
    else:
        cmd = [os.path.join(b, "tests", test)]
    try:
        r = subprocess.run(cmd, cwd=src, env=env, capture_output=True,
                           timeout=timeout, start_new_session=True)
    except subprocess.TimeoutExpired:
        return "timeout"
    if r.returncode == 77:
        return "skip"
    return "pass" if r.returncode == 0 else "fail"


def main():
    ap = argparse.ArgumentParser(description="mutation run of bmsub")
    ap.add_argument("--only", default="", help="mutants whose name holds this "
                    "(several: separated by commas)")
    ap.add_argument("--list", action="store_true", help="list and check only")
    ap.add_argument("--keep", action="store_true", help="keep build/mutate")
    ap.add_argument("--timeout", type=int, default=300)
    a = ap.parse_args()

    wanted = a.only.split(",")
    muts = [m for m in parse(LIST) if any(w in m.name for w in wanted)]
    if not muts:
        die("no mutant matches %r" % a.only)
    for m in muts:
        p = os.path.join(TOP, m.path)
        try:
            with open(p, encoding="utf-8") as f:
                n = f.read().count(m.old)
        except OSError as e:
            die("%s: %s: %s" % (m.name, m.path, e.strerror))
        if n != 1:
            die("%s: %r occurs %d times in %s (the list must be updated)"
                % (m.name, m.old, n, m.path))
    if a.list:
        for m in muts:
            print("%-32s %-36s %s%s" % (m.name, m.path, " ".join(m.tests),
                  "  (equivalent)" if m.equiv else ""))
        print("%d mutants, %d marked equivalent" %
              (len(muts), sum(1 for m in muts if m.equiv)))
        return 0

    work = os.path.join(TOP, "build", "mutate")
    src = os.path.join(work, "src")
    os.makedirs(src, exist_ok=True)
    copy_tree(src)
    t0 = time.time()
    ok, out = build(src)
    if not ok:
        die("the unmutated tree does not build:\n" + out[-3000:])
    tests = sorted({t for m in muts for t in m.tests})
    for t in tests:
        r = run_test(src, t, a.timeout)
        if r != "pass":
            die("baseline: %s gives %s without any mutant" % (t, r))
    print("baseline: %d tests pass (%ds)" % (len(tests), time.time() - t0),
          flush=True)

    killed, survived, bad = [], [], []
    for i, m in enumerate(muts, 1):
        path = os.path.join(src, m.path)
        with open(path, "rb") as f:
            orig = f.read()
        text = orig.decode("utf-8")
        mutated = text.replace(m.old, "\n".join(m.new), 1)
        t1 = time.time()
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write(mutated)
            ok, out = build(src)
            if not ok:
                bad.append(m)
                verdict, by = "NOBUILD", out.strip().splitlines()[-1:] or [""]
                by = by[0][:60]
            else:
                verdict, by = "SURVIVED", ""
                for t in m.tests:
                    r = run_test(src, t, a.timeout)
                    if r in ("fail", "timeout"):
                        verdict, by = "killed", "%s (%s)" % (t, r)
                        break
                    if r == "skip":	# it passed the baseline: judged nothing
                        bad.append(m)
                        verdict, by = "SKIPPED", t
                        break
        finally:
            with open(path, "wb") as f:
                f.write(orig)
        (killed if verdict == "killed" else
         survived if verdict == "SURVIVED" else []).append(m)
        note = ""
        if verdict == "SURVIVED" and m.equiv:
            note = "equivalent: " + m.equiv
        elif verdict == "killed" and m.equiv:
            note = "marked equivalent but killed: fix the list"
        print("[%3d/%d] %-8s %-32s %3ds %s%s" % (i, len(muts), verdict,
              m.name, time.time() - t1, by, ("  " + note) if note else ""),
              flush=True)
    build(src)	# leave the copy built as it was

    total = len(muts)
    nequiv = sum(1 for m in survived if m.equiv)
    # the usual mutation score: equivalent mutants cannot be killed, so
    # they leave the denominator (each is listed with its reason)
    score = 100.0 * len(killed) / max(1, total - nequiv)
    unexpected = [m for m in survived if not m.equiv]
    wrongly = [m for m in killed if m.equiv]
    print()
    print("mutation score: %d killed of %d non-equivalent = %.1f %% "
          "(target %.0f %%); %d mutants in all, %d equivalent (%.1f %% "
          "of all killed), %d did not build or skipped, %ds"
          % (len(killed), total - nequiv, score, TARGET, total, nequiv,
             100.0 * len(killed) / total, len(bad), time.time() - t0))
    for m in unexpected:
        print("  survivor not marked equivalent: %s (%s:%d)" %
              (m.name, LIST, m.lineno))
    for m in wrongly:
        print("  killed but marked equivalent: %s" % m.name)
    for m in bad:
        print("  does not build, or a test skipped: %s (%s:%d)" %
              (m.name, LIST, m.lineno))
    if not a.keep and not a.only:
        shutil.rmtree(work, ignore_errors=True)
    if unexpected or wrongly or bad or score < TARGET:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
