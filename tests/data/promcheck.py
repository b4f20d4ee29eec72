#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# promcheck.py - a strict checker of the Prometheus text exposition format
# (version 0.0.4, as node_exporter's textfile collector reads it). Prints
# each sample as "name{labels} value" (labels as written), exits 1 with the
# line number on the first defect.
#   promcheck.py FILE [REQUIRED-METRIC ...]   each REQUIRED needs HELP+TYPE
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LNAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
LVAL = r'"(?:[^"\\\n]|\\\\|\\"|\\n)*"'
LABELS = r"\{(?:%s=%s(?:,%s=%s)*,?)?\}" % (LNAME, LVAL, LNAME, LVAL)
VALUE = r"(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NaN|[+-]Inf)"
SAMPLE = re.compile(r"^(%s)(%s)? (%s)(?: -?[0-9]+)?$" % (NAME, LABELS, VALUE))
HELP = re.compile(r"^# HELP (%s) (.*)$" % NAME)
TYPE = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % NAME)


def die(n, msg):
    print("promcheck: line %d: %s" % (n, msg))
    sys.exit(1)


def main():
    data = open(sys.argv[1], "rb").read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        die(0, "not UTF-8")
    if text and not text.endswith("\n"):
        die(0, "no final newline")
    helps, types, seen, done, series = set(), set(), set(), set(), set()
    current = None
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line == "":
            die(n, "empty line")
        m = HELP.match(line)
        if m:
            if m.group(1) in helps:
                die(n, "second HELP for " + m.group(1))
            if m.group(1) in seen:
                die(n, "HELP after samples of " + m.group(1))
            helps.add(m.group(1))
            continue
        m = TYPE.match(line)
        if m:
            if m.group(1) in types:
                die(n, "second TYPE for " + m.group(1))
            if m.group(1) in seen:
                die(n, "TYPE after samples of " + m.group(1))
            types.add(m.group(1))
            continue
        if line.startswith("#"):
            if line.startswith("# HELP") or line.startswith("# TYPE"):
                die(n, "malformed HELP/TYPE")
            continue
        m = SAMPLE.match(line)
        if not m:
            die(n, "not a sample: %r" % line)
        name = m.group(1)
        if name != current:
            if name in done:
                die(n, "samples of %s not together" % name)
            if current is not None:
                done.add(current)
            current = name
        key = name + (m.group(2) or "")
        if key in series:
            die(n, "duplicate series " + key)
        series.add(key)
        seen.add(name)
        print(key, m.group(3))
    for req in sys.argv[2:]:
        if req not in helps or req not in types:
            die(0, "no HELP or TYPE for " + req)
    return 0


sys.exit(main())
