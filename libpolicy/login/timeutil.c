/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* timeutil.c - UTC calendar arithmetic without libc time functions. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/*
 * Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar, and
 * back (H. Hinnant's days_from_civil / civil_from_days). Pure integer
 * arithmetic, valid for every int64 day count the callers can produce:
 * no timegm/gmtime, so no TZ, no locale and no 2038 limits.
 */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;					/* [0, 399] */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;	/* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;		/* [0, 146096] */
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;					/* [0, 146096] */
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);		/* [0, 365] */
	mp = (5 * doy + 2) / 153;				/* [0, 11] */
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
month_days(int64_t y, unsigned m)
{
	static const unsigned char mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

/* Floor division and its non-negative remainder (C rounds toward zero). */
static void
split_time(int64_t t, int64_t *days, int64_t *sod)
{
	*days = t / BM_DAY;
	*sod = t % BM_DAY;
	if (*sod < 0) {
		*sod += BM_DAY;
		(*days)--;
	}
}

/* Reads exactly n ASCII digits (no sign, no blank): -1 if any is not one. */
static int
digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int
bmsub_time_parse(const char *s, int end_of_day, int64_t *out)
{
	unsigned y, mo, d, h = 0, mi = 0, se = 0;
	size_t len;
	int64_t days;

	if (out != NULL)
		*out = BMSUB_TIME_NONE;
	if (s == NULL || out == NULL)
		return BMSUB_E_FIELD_VALUE;
	/* strnlen: a hostile unterminated caller buffer is never over-read
	 * past what a valid time could need. */
	len = strnlen(s, 21);
	if (len != 10 && len != 20)
		return BMSUB_E_FIELD_VALUE;
	if (digits(s, 4, &y) != 0 || s[4] != '-' ||
	    digits(s + 5, 2, &mo) != 0 || s[7] != '-' ||
	    digits(s + 8, 2, &d) != 0)
		return BMSUB_E_FIELD_VALUE;
	if (len == 20) {
		/* Uppercase T and Z only: RFC 3339 allows lowercase, the
		 * license format does not (one spelling, one signed text). */
		if (s[10] != 'T' || digits(s + 11, 2, &h) != 0 ||
		    s[13] != ':' || digits(s + 14, 2, &mi) != 0 ||
		    s[16] != ':' || digits(s + 17, 2, &se) != 0 ||
		    s[19] != 'Z')
			return BMSUB_E_FIELD_VALUE;
		if (h > 23 || mi > 59 || se > 59)
			return BMSUB_E_FIELD_VALUE;
	}
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > month_days(y, mo))
		return BMSUB_E_FIELD_VALUE;
	days = days_from_civil(y, mo, d);
	if (len == 10 && end_of_day)
		days++;	/* valid through that whole day: next midnight */
	*out = days * BM_DAY + (int64_t)h * 3600 + (int64_t)mi * 60 + se;
	return 0;
}

int64_t
bmsub_add_months(int64_t t, int n)
{
	int64_t days, sod, y, total, r;
	unsigned m, d, dim;

	if (t == BMSUB_TIME_NONE)
		return BMSUB_TIME_NONE;
	split_time(t, &days, &sod);
	civil_from_days(days, &y, &m, &d);
	/* Months since year 0, shifted by n; |y| < 3e11 so no overflow. */
	total = y * 12 + (int64_t)(m - 1) + n;
	y = total >= 0 ? total / 12 : -((-total + 11) / 12);
	m = (unsigned)(total - y * 12) + 1;
	dim = month_days(y, m);
	if (d > dim)
		d = dim;
	days = days_from_civil(y, m, d);
	/* Saturate instead of wrapping for times near the int64 limits. */
	if (__builtin_mul_overflow(days, (int64_t)BM_DAY, &r) ||
	    __builtin_add_overflow(r, sod, &r))
		return days < 0 ? INT64_MIN + 1 : INT64_MAX;
	if (r == BMSUB_TIME_NONE)
		r++;
	return r;
}

static const char *const wdays[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* The one date formatter: every time a person or a file reads. No
 * localtime, no locale; snprintf truncates safely for any size. */
const char *
bmsub_time_str(int64_t t, enum bmsub_tstyle style, const char *none,
    char *buf, size_t size)
{
	int64_t days, sod, y;
	unsigned m, d, hh, mm, ss;

	if (buf == NULL || size == 0)
		return "";
	if (t == BMSUB_TIME_NONE) {
		snprintf(buf, size, "%s", none != NULL ? none : "none");
		return buf;
	}
	if (style == BMSUB_TS_LAST_DAY)
		t = t == INT64_MIN + 1 ? t : t - 1;
	split_time(t, &days, &sod);
	civil_from_days(days, &y, &m, &d);
	hh = (unsigned)(sod / 3600);
	mm = (unsigned)(sod / 60 % 60);
	ss = (unsigned)(sod % 60);
	switch (style) {
	case BMSUB_TS_ISO:
		snprintf(buf, size, "%04lld-%02u-%02uT%02u:%02u:%02uZ",
		    (long long)y, m, d, hh, mm, ss);
		break;
	case BMSUB_TS_HUMAN:
		snprintf(buf, size, "%04lld-%02u-%02u %02u:%02u:%02u UTC",
		    (long long)y, m, d, hh, mm, ss);
		break;
	case BMSUB_TS_RFC5322:
		/* 1970-01-01 was a Thursday */
		snprintf(buf, size, "%s, %02u %s %04lld %02u:%02u:%02u +0000",
		    wdays[((days % 7) + 7 + 4) % 7], d, months[(m - 1) % 12],
		    (long long)y, hh, mm, ss);
		break;
	case BMSUB_TS_DATE:
	case BMSUB_TS_LAST_DAY:
	default:
		snprintf(buf, size, "%04lld-%02u-%02u", (long long)y, m, d);
		break;
	}
	return buf;
}

void
bmsub_time_format(int64_t t, char *buf, size_t size)
{
	bmsub_time_str(t, BMSUB_TS_ISO, NULL, buf, size);
}

void
bmsub_date_format(int64_t t, char *buf, size_t size)
{
	bmsub_time_str(t, BMSUB_TS_DATE, NULL, buf, size);
}

/* Whole days between a and b (a >= b), without overflow. */
static int64_t
whole_days(int64_t a, int64_t b)
{
	uint64_t d = (uint64_t)a - (uint64_t)b;

	return (int64_t)(d / 86400u);
}

const char *
bmsub_days_left_str(int64_t effective, int64_t expires, char *buf,
    size_t size)
{
	int64_t d;

	if (buf == NULL || size == 0)
		return "";
	if (expires == BMSUB_TIME_NONE || effective == BMSUB_TIME_NONE) {
		snprintf(buf, size, "no expiry");
		return buf;
	}
	if (effective < expires) {
		d = whole_days(expires, effective);
		if (d == 0)
			snprintf(buf, size, "less than a day left");
		else
			snprintf(buf, size, "%lld day%s left", (long long)d,
			    d == 1 ? "" : "s");
	} else {
		d = whole_days(effective, expires);
		if (d == 0)
			snprintf(buf, size, "expired today");
		else
			snprintf(buf, size, "expired %lld day%s ago",
			    (long long)d, d == 1 ? "" : "s");
	}
	return buf;
}

const char *
bmsub_days_from_str(int64_t now, int64_t t, char *buf, size_t size)
{
	int64_t d;

	if (buf == NULL || size == 0)
		return "";
	if (now == BMSUB_TIME_NONE || t == BMSUB_TIME_NONE) {
		snprintf(buf, size, "never");
		return buf;
	}
	d = now >= t ? whole_days(now, t) : whole_days(t, now);
	if (d == 0)
		snprintf(buf, size, "%s", now >= t ? "today" : "within a day");
	else
		snprintf(buf, size, "%s%lld day%s%s", now >= t ? "" : "in ",
		    (long long)d, d == 1 ? "" : "s", now >= t ? " ago" : "");
	return buf;
}
