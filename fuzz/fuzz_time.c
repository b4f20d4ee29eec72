/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_time.c - libFuzzer target: the one time parser (SPEC 1 dates and
 * times, --at): a parsed time formats back to text that parses to it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmsub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 9999-12-31T23:59:59Z */
#define TIME_TEXT_MAX INT64_C(253402300799)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[64], buf[BMSUB_TIME_STR_MAX];
	int64_t t, t2, e;
	int eod;

	if (size >= sizeof(s))
		return 0;	/* a time is at most 20 characters */
	memcpy(s, data, size);
	s[size] = '\0';
	for (eod = 0; eod <= 1; eod++) {
		if (bmsub_time_parse(s, eod, &t) != 0)
			continue;
		/* the end of 9999-12-31 is 10000-01-01, which formats but is
		 * no longer a time one can write (SPEC 1: years 1970-9999) */
		if (t <= TIME_TEXT_MAX && (bmsub_time_parse(bmsub_time_str(t,
		    BMSUB_TS_ISO, "-", buf, sizeof(buf)), 0, &t2) != 0 ||
		    t2 != t))
			abort();
		if (t > TIME_TEXT_MAX + 1)
			abort();
		(void)bmsub_time_str(t, BMSUB_TS_HUMAN, "-", buf, sizeof(buf));
		(void)bmsub_time_str(t, BMSUB_TS_RFC5322, "-", buf,
		    sizeof(buf));
		(void)bmsub_time_str(t, BMSUB_TS_LAST_DAY, "-", buf,
		    sizeof(buf));
		/* a date's end of day is its start plus one day */
		if (eod == 1 && strlen(s) == 10 &&
		    (bmsub_time_parse(s, 0, &e) != 0 || t - e != 86400))
			abort();
	}
	return 0;
}
