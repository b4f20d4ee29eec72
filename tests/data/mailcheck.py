#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# mailcheck.py - parses the messages fake-sendmail collected (RFC 5322, strict
# policy) and prints one line per message: "DATE ALERT-KEY", DATE as
# YYYY-MM-DDTHH:MM:SSZ from the Date header. Exits 1 on any defect.
#   mailcheck.py FILE [CUSTOMER]   CUSTOMER must appear in each decoded Subject
import email
import email.policy
import email.utils
import re
import sys

SEP = b"=====FAKE-SENDMAIL-END=====\n"
NEED = ["From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted",
        "MIME-Version", "Content-Type", "Content-Transfer-Encoding"]


def main():
    data = open(sys.argv[1], "rb").read()
    customer = sys.argv[2] if len(sys.argv) > 2 else None
    if data and not data.endswith(SEP):
        print("mailcheck: file does not end with a separator")
        return 1
    bad = 0
    ids = set()
    for i, raw in enumerate(data.split(SEP)[:-1]):
        try:
            msg = email.message_from_bytes(raw, policy=email.policy.strict)
            for h in NEED:
                if msg[h] is None:
                    raise ValueError("no %s header" % h)
            if msg["Auto-Submitted"] != "auto-generated":
                raise ValueError("Auto-Submitted")
            if msg.get_content_type() != "text/plain" or \
                    msg.get_content_charset() != "utf-8":
                raise ValueError("Content-Type %s" % msg["Content-Type"])
            if msg["MIME-Version"] != "1.0" or \
                    msg["Content-Transfer-Encoding"] != "8bit":
                raise ValueError("MIME headers")
            subj = str(msg["Subject"])
            if customer is not None and customer not in subj:
                raise ValueError("customer not in Subject %r" % subj)
            if not re.match(r"^<[^<>@\s]+@[^<>@\s]+>$", msg["Message-ID"]):
                raise ValueError("Message-ID %r" % msg["Message-ID"])
            if msg["Message-ID"] in ids:
                raise ValueError("Message-ID reused")
            ids.add(msg["Message-ID"])
            if len(msg["To"].addresses) < 1 or len(msg["From"].addresses) != 1:
                raise ValueError("From/To")
            body = msg.get_content()
            for w in ("What happened", "What happens next", "What to do",
                      "Figures"):
                if w not in body:
                    raise ValueError("body lacks %r" % w)
            if any(len(l) > 998 for l in raw.split(b"\n")):
                raise ValueError("line over 998 bytes")
            d = email.utils.parsedate_to_datetime(msg["Date"])
            if d.utcoffset() is None or d.utcoffset().total_seconds() != 0:
                raise ValueError("Date not UTC: %s" % msg["Date"])
            print(d.strftime("%Y-%m-%dT%H:%M:%SZ"), msg["X-Bmsub-Alert"])
        except Exception as e:  # noqa: BLE001 - report every defect
            print("mailcheck: message %d: %s" % (i + 1, e))
            bad = 1
    return bad


sys.exit(main())
