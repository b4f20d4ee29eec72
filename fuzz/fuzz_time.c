/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_time.c - libFuzzer target: the one time parser (SPEC 1 dates and
 * times, --at): a parsed time formats back to text that parses to it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmsub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
		if (bmsub_time_parse(bmsub_time_str(t, BMSUB_TS_ISO, "-", buf,
		    sizeof(buf)), 0, &t2) != 0 || t2 != t)
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
