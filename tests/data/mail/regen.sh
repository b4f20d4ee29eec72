#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# regen.sh - rewrites the golden alert messages (NAME.eml) from the library
# as it is built now, with test_alerts' table of cases. Run it after a
# deliberate change of a mail text, then read the diff before committing.
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top"
make -s tests >/dev/null
TOP="$top" BMSUB_MAIL_REGEN=1 CK_RUN_CASE=alerts build/tests/test_alerts >/dev/null
git status --short -- tests/data/mail
