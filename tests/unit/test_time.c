/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_time.c - license time parsing, calendar months and formatting. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmsub.h"
#include "tlib.h"

/* Expected values computed independently (date -u -d ... +%s). */
static const struct {
	const char *s;
	int end_of_day;
	int64_t want;
} good[] = {
	{ "1970-01-01T00:00:00Z", 0, 0 },
	{ "1970-01-01", 0, 0 },
	{ "1970-01-01", 1, 86400 },
	{ "1970-01-01T23:59:59Z", 1, 86399 },	/* end_of_day: full times untouched */
	{ "2000-02-29T12:34:56Z", 0, 951827696 },
	{ "2000-02-29", 1, 951868800 },		/* 2000-03-01 */
	{ "2024-02-29", 0, 1709164800 },
	{ "2027-03-31T00:00:00Z", 0, 1806451200 },
	{ "2027-11-01", 0, 1825027200 },
	{ "2027-11-01", 1, 1825113600 },
	{ "2026-12-31", 1, 1798761600 },		/* 2027-01-01 */
	{ "2038-01-19T03:14:08Z", 0, 2147483648 },	/* past int32 */
	{ "2100-02-28", 1, 4107542400 },		/* 2100 is not leap: 03-01 */
	{ "2400-02-29", 0, 13574563200 },
	{ "9999-12-31T23:59:59Z", 0, 253402300799 },
	{ "9999-12-31", 1, 253402300800 },	/* 10000-01-01T00:00:00Z */
	{ "2026-06-15T09:05:07Z", 0, 1781514307 },
};

START_TEST(test_parse_good)
{
	int64_t t = 42;

	ck_assert_int_eq(bmsub_time_parse(good[_i].s, good[_i].end_of_day, &t), 0);
	ck_assert_int_eq(t, good[_i].want);
}
END_TEST

static const char *const bad[] = {
	"",
	"2026",
	"2026-02-29",		/* not a leap year */
	"2028-02-30",
	"2100-02-29",		/* century, not leap */
	"2026-04-31",
	"2026-13-01",
	"2026-00-10",
	"2026-01-00",
	"2026-01-32",
	"1969-12-31",
	"1969-12-31T23:59:59Z",
	"0000-01-01",
	"10000-01-01",
	"2026-1-01",
	"2026-01-1",
	"26-01-01",
	"2026/01/01",
	"2026-01-01 ",
	" 2026-01-01",
	"2026-01-01\n",
	"2026-01-01x",
	"2026-01-01T",
	"2026-01-01T00:00:00",
	"2026-01-01T00:00:00Zx",
	"2026-01-01T00:00:00Z ",
	"2026-01-01t00:00:00Z",
	"2026-01-01T00:00:00z",
	"2026-01-01 00:00:00Z",
	"2026-01-01T24:00:00Z",
	"2026-01-01T23:60:00Z",
	"2026-01-01T23:59:60Z",	/* no leap second */
	"2026-01-01T0:00:00Z",
	"2026-01-01T00:00:00+00:00",
	"2026-01-01T00:00:00.0Z",
	"+2026-01-01",
	"-2026-01-01",
	"2026-+1-01",
	"2026--1-01",
	"2026-01-+1",
	"2026-01-01T+1:00:00Z",
	"2026-01-01T-1:00:00Z",
	"２026-01-01",		/* fullwidth digit */
	"2026-0a-01",
	"2026-01-0:",		/* ':' is '9' + 1 */
	"2026-01-01T00:00:0:Z",
	"2026-01-01T00-00-00Z",
	"2026-01-01T00:00:00ZZ",
	"20260101",
	"20260101T000000Z",
	"9999-99-99",
	"abcd-ef-gh",
};

START_TEST(test_parse_bad)
{
	int64_t t = 42;

	ck_assert_int_eq(bmsub_time_parse(bad[_i], 0, &t), BMSUB_E_FIELD_VALUE);
	ck_assert_int_eq(t, BMSUB_TIME_NONE);
	t = 42;
	ck_assert_int_eq(bmsub_time_parse(bad[_i], 1, &t), BMSUB_E_FIELD_VALUE);
	ck_assert_int_eq(t, BMSUB_TIME_NONE);
}
END_TEST

START_TEST(test_parse_embedded_nul)
{
	static const char s[] = "2026-01-01\0T00:00:00Z";
	int64_t t;

	/* The C string ends at the NUL: a date, nothing after it. */
	ck_assert_int_eq(bmsub_time_parse(s, 0, &t), 0);
	ck_assert_int_eq(t, 1767225600);
	ck_assert_int_eq(bmsub_time_parse(NULL, 0, &t), BMSUB_E_FIELD_VALUE);
	ck_assert_int_eq(bmsub_time_parse("2026-01-01", 0, NULL),
	    BMSUB_E_FIELD_VALUE);
}
END_TEST

/* Every day 1970..2400 round-trips through format and parse, and
 * consecutive days are exactly 86400 s apart (checks the civil algorithms
 * against each other over leap years and centuries). */
START_TEST(test_roundtrip_days)
{
	int64_t t, back, back_eod;
	char buf[32];
	int r, r_eod;

	for (t = 0; t < 13574563200 + 366 * 86400; t += 86400) {
		bmsub_date_format(t, buf, sizeof(buf));
		r = bmsub_time_parse(buf, 0, &back);
		r_eod = bmsub_time_parse(buf, 1, &back_eod);
		/* one assertion per failure, not per day: keeps it fast */
		if (r != 0 || back != t || r_eod != 0 || back_eod != t + 86400)
			ck_abort_msg("day %lld (%s): %d %lld, %d %lld",
			    (long long)t, buf, r, (long long)back, r_eod,
			    (long long)back_eod);
	}
}
END_TEST

static const int64_t rt_times[] = {
	0, 1, 59, 60, 3599, 3600, 86399, 86400, 951827696, 1806451200,
	2147483647, 2147483648, 4107542399, 253402300799,
};

START_TEST(test_roundtrip_times)
{
	char buf[32];
	int64_t back;

	bmsub_time_format(rt_times[_i], buf, sizeof(buf));
	ck_assert_uint_eq(strlen(buf), 20);
	ck_assert_int_eq(bmsub_time_parse(buf, 0, &back), 0);
	ck_assert_int_eq(back, rt_times[_i]);
}
END_TEST

static const struct {
	const char *from;
	int n;
	const char *want;
} months[] = {
	{ "2027-03-31T00:00:00Z", -1, "2027-02-28T00:00:00Z" },
	{ "2028-03-31T00:00:00Z", -1, "2028-02-29T00:00:00Z" },
	{ "2027-03-31T00:00:00Z", -2, "2027-01-31T00:00:00Z" },
	{ "2027-03-30T12:00:00Z", -1, "2027-02-28T12:00:00Z" },
	{ "2027-03-28T23:59:59Z", -1, "2027-02-28T23:59:59Z" },
	{ "2027-01-31T08:15:00Z", 1, "2027-02-28T08:15:00Z" },
	{ "2028-01-31T08:15:00Z", 1, "2028-02-29T08:15:00Z" },
	{ "2027-05-31T00:00:00Z", 1, "2027-06-30T00:00:00Z" },
	{ "2027-08-31T00:00:00Z", 1, "2027-09-30T00:00:00Z" },
	{ "2026-12-15T10:00:00Z", 1, "2027-01-15T10:00:00Z" },
	{ "2026-12-31T10:00:00Z", 2, "2027-02-28T10:00:00Z" },
	{ "2027-01-15T10:00:00Z", -1, "2026-12-15T10:00:00Z" },
	{ "2027-01-01T00:00:00Z", -1, "2026-12-01T00:00:00Z" },
	{ "2027-11-01T00:00:00Z", -2, "2027-09-01T00:00:00Z" },
	{ "2028-02-29T00:00:00Z", 12, "2029-02-28T00:00:00Z" },
	{ "2028-02-29T00:00:00Z", -12, "2027-02-28T00:00:00Z" },
	{ "2028-02-29T00:00:00Z", 48, "2032-02-29T00:00:00Z" },
	{ "2027-06-30T06:00:00Z", 0, "2027-06-30T06:00:00Z" },
	{ "2027-06-15T00:00:00Z", -30, "2024-12-15T00:00:00Z" },
	{ "2027-06-15T00:00:00Z", 30, "2029-12-15T00:00:00Z" },
	{ "2027-06-15T00:00:00Z", -18, "2025-12-15T00:00:00Z" },
	{ "1970-01-31T00:00:00Z", -1, "1969-12-31T00:00:00Z" },
	{ "9999-12-31T00:00:00Z", 1, "10000-01-31T00:00:00Z" },
	{ "1970-03-31T00:00:01Z", -1, "1970-02-28T00:00:01Z" },
};

START_TEST(test_add_months)
{
	int64_t t;
	char buf[32];

	ck_assert_int_eq(bmsub_time_parse(months[_i].from, 0, &t), 0);
	bmsub_time_format(bmsub_add_months(t, months[_i].n), buf, sizeof(buf));
	ck_assert_str_eq(buf, months[_i].want);
}
END_TEST

START_TEST(test_add_months_limits)
{
	ck_assert_int_eq(bmsub_add_months(BMSUB_TIME_NONE, 1), BMSUB_TIME_NONE);
	ck_assert_int_eq(bmsub_add_months(0, -1), -31 * 86400);
	/* Saturates rather than wrapping near the int64 limits. */
	ck_assert_int_eq(bmsub_add_months(INT64_MAX, 1), INT64_MAX);
	ck_assert_int_eq(bmsub_add_months(INT64_MIN + 1, -1), INT64_MIN + 1);
	ck_assert_int_gt(bmsub_add_months(INT64_MAX - 86400 * 400, 1), 0);
}
END_TEST

START_TEST(test_format)
{
	char buf[32];
	char small[8];

	bmsub_time_format(1806451200 + 3723, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2027-03-31T01:02:03Z");
	bmsub_date_format(1806451200 + 86399, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2027-03-31");
	bmsub_time_format(-1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1969-12-31T23:59:59Z");
	bmsub_date_format(-86400, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1969-12-31");
	bmsub_date_format(BMSUB_TIME_NONE, buf, sizeof(buf));
	ck_assert_str_eq(buf, "none");
	/* Exact documented sizes suffice; smaller buffers truncate. */
	bmsub_time_format(0, buf, 21);
	ck_assert_str_eq(buf, "1970-01-01T00:00:00Z");
	bmsub_date_format(0, buf, 11);
	ck_assert_str_eq(buf, "1970-01-01");
	memset(small, 'x', sizeof(small));
	bmsub_time_format(0, small, 5);
	ck_assert_str_eq(small, "1970");
	ck_assert_int_eq(small[5], 'x');
	bmsub_date_format(0, small, 1);
	ck_assert_str_eq(small, "");
	small[0] = 'y';
	bmsub_date_format(0, small, 0);	/* size 0: untouched */
	ck_assert_int_eq(small[0], 'y');
	bmsub_date_format(0, NULL, 0);
}
END_TEST

/*
 * bmsub_time_str, every style. Expected texts computed independently
 * (Python's datetime; the years beyond 9999 through the 400-year cycle).
 * size 0 means BMSUB_TIME_STR_MAX.
 */
#define NONE BMSUB_TIME_NONE
#define ISO BMSUB_TS_ISO
#define DATE BMSUB_TS_DATE
#define LAST BMSUB_TS_LAST_DAY
#define HUMAN BMSUB_TS_HUMAN
#define RFC BMSUB_TS_RFC5322
#define T_MON INT64_C(1781514307)	/* 2026-06-15T09:05:07Z, a Monday */
#define T_MID INT64_C(1814400000)	/* 2027-07-01T00:00:00Z, midnight */
#define T_9999 INT64_C(253402300799)	/* 9999-12-31T23:59:59Z */
static const struct {
	int64_t t;
	enum bmsub_tstyle style;
	const char *none;
	size_t size;
	const char *want;
} strs[] = {
	/* every style of one time */
	{ T_MON, ISO, NULL, 0, "2026-06-15T09:05:07Z" },
	{ T_MON, DATE, NULL, 0, "2026-06-15" },
	{ T_MON, LAST, NULL, 0, "2026-06-15" },
	{ T_MON, HUMAN, NULL, 0, "2026-06-15 09:05:07 UTC" },
	{ T_MON, RFC, NULL, 0, "Mon, 15 Jun 2026 09:05:07 +0000" },
	/* LAST_DAY: a midnight belongs to the day before */
	{ T_MID, LAST, NULL, 0, "2027-06-30" },
	{ T_MID, DATE, NULL, 0, "2027-07-01" },
	{ T_MID - 1, LAST, NULL, 0, "2027-06-30" },
	{ T_MID + 1, LAST, NULL, 0, "2027-07-01" },
	{ T_MID, RFC, NULL, 0, "Thu, 01 Jul 2027 00:00:00 +0000" },
	{ INT64_C(951868800), LAST, NULL, 0, "2000-02-29" },	/* 03-01 */
	{ INT64_C(951868800), RFC, NULL, 0, "Wed, 01 Mar 2000 00:00:00 +0000" },
	{ 86400, LAST, NULL, 0, "1970-01-01" },
	{ 0, LAST, NULL, 0, "1969-12-31" },
	{ 0, ISO, NULL, 0, "1970-01-01T00:00:00Z" },
	{ 0, RFC, NULL, 0, "Thu, 01 Jan 1970 00:00:00 +0000" },
	/* BMSUB_TIME_NONE: the none text, "none" without one, any style */
	{ NONE, ISO, NULL, 0, "none" },
	{ NONE, DATE, NULL, 0, "none" },
	{ NONE, LAST, NULL, 0, "none" },
	{ NONE, HUMAN, NULL, 0, "none" },
	{ NONE, RFC, NULL, 0, "none" },
	{ NONE, ISO, "never", 0, "never" },
	{ NONE, LAST, "-", 0, "-" },
	{ NONE, RFC, "", 0, "" },
	{ 0, ISO, "never", 0, "1970-01-01T00:00:00Z" },	/* only for NONE */
	/* negative times */
	{ -1, ISO, NULL, 0, "1969-12-31T23:59:59Z" },
	{ -1, DATE, NULL, 0, "1969-12-31" },
	{ -1, LAST, NULL, 0, "1969-12-31" },
	{ -1, HUMAN, NULL, 0, "1969-12-31 23:59:59 UTC" },
	{ -1, RFC, NULL, 0, "Wed, 31 Dec 1969 23:59:59 +0000" },
	{ -86400, LAST, NULL, 0, "1969-12-30" },
	{ INT64_C(-3153600000), ISO, NULL, 0, "1870-01-25T00:00:00Z" },
	{ INT64_C(-3153600000), LAST, NULL, 0, "1870-01-24" },
	{ INT64_C(-3153600000), RFC, NULL, 0, "Tue, 25 Jan 1870 00:00:00 +0000" },
	/* year 9999 and the midnight after it */
	{ T_9999, ISO, NULL, 0, "9999-12-31T23:59:59Z" },
	{ T_9999, DATE, NULL, 0, "9999-12-31" },
	{ T_9999, LAST, NULL, 0, "9999-12-31" },
	{ T_9999, HUMAN, NULL, 0, "9999-12-31 23:59:59 UTC" },
	{ T_9999, RFC, NULL, 0, "Fri, 31 Dec 9999 23:59:59 +0000" },
	{ T_9999 + 1, ISO, NULL, 0, "10000-01-01T00:00:00Z" },
	{ T_9999 + 1, LAST, NULL, 0, "9999-12-31" },
	{ T_9999 + 1, RFC, NULL, 0, "Sat, 01 Jan 10000 00:00:00 +0000" },
	/* the int64 ends fit BMSUB_TIME_STR_MAX in every style */
	{ INT64_MAX, RFC, NULL, 0, "Sun, 04 Dec 292277026596 15:30:07 +0000" },
	{ INT64_MAX, HUMAN, NULL, 0, "292277026596-12-04 15:30:07 UTC" },
	{ INT64_MIN + 1, RFC, NULL, 0,
	  "Sun, 27 Jan -292277022657 08:29:53 +0000" },
	{ INT64_MIN + 1, ISO, NULL, 0, "-292277022657-01-27T08:29:53Z" },
	{ INT64_MIN + 1, LAST, NULL, 0, "-292277022657-01-27" },
	/* small buffers: cut, NUL-terminated, nothing past size */
	{ 0, ISO, NULL, 1, "" },
	{ 0, ISO, NULL, 5, "1970" },
	{ 0, DATE, NULL, 5, "1970" },
	{ T_MID, LAST, NULL, 5, "2027" },
	{ 0, HUMAN, NULL, 5, "1970" },
	{ 0, RFC, NULL, 5, "Thu," },
	{ 0, RFC, NULL, 1, "" },
	{ NONE, ISO, NULL, 1, "" },
	{ NONE, ISO, NULL, 5, "none" },
	{ NONE, ISO, "never", 5, "neve" },
	{ 0, ISO, NULL, 20, "1970-01-01T00:00:00" },
	{ 0, ISO, NULL, 21, "1970-01-01T00:00:00Z" },
	{ 0, DATE, NULL, 10, "1970-01-0" },
	{ 0, DATE, NULL, 11, "1970-01-01" },
	{ 0, RFC, NULL, 31, "Thu, 01 Jan 1970 00:00:00 +000" },
	{ 0, RFC, NULL, 32, "Thu, 01 Jan 1970 00:00:00 +0000" },
	/* an unknown style is a date */
	{ T_MON, (enum bmsub_tstyle)99, NULL, 0, "2026-06-15" },
};

START_TEST(test_time_str)
{
	char buf[64];
	size_t size = strs[_i].size != 0 ? strs[_i].size : BMSUB_TIME_STR_MAX;
	const char *r;

	memset(buf, '#', sizeof(buf));
	r = bmsub_time_str(strs[_i].t, strs[_i].style, strs[_i].none, buf,
	    size);
	ck_assert_ptr_eq(r, buf);
	ck_assert_msg(strcmp(buf, strs[_i].want) == 0, "row %d: \"%s\", want "
	    "\"%s\"", _i, buf, strs[_i].want);
	ck_assert_int_eq(buf[size], '#');
}
END_TEST

/* No buffer, or no room at all: "" and nothing written. */
START_TEST(test_time_str_no_room)
{
	char buf[4] = "abc";

	ck_assert_str_eq(bmsub_time_str(0, BMSUB_TS_ISO, NULL, NULL, 10), "");
	ck_assert_str_eq(bmsub_time_str(0, BMSUB_TS_ISO, NULL, buf, 0), "");
	ck_assert_str_eq(bmsub_time_str(NONE, BMSUB_TS_ISO, "x", buf, 0), "");
	ck_assert_str_eq(buf, "abc");
}
END_TEST

/* The one "days left" phrase: status, banners and alert emails agree
 * (issue 8: the email said -6 where status said "expired 5 days ago"). */
#define E 1798761600	/* 2027-01-01T00:00:00Z */
#define D 86400
static const struct {
	int64_t eff, exp;
	const char *want;
} days_left[] = {
	{ E - 30 * D, E, "30 days left" },
	{ E - 2 * D, E, "2 days left" },
	{ E - 2 * D + 1, E, "1 day left" },
	{ E - D, E, "1 day left" },
	{ E - D + 1, E, "less than a day left" },	/* never "0 days" */
	{ E - 1, E, "less than a day left" },
	{ E, E, "expired today" },
	{ E + D - 1, E, "expired today" },
	{ E + D, E, "expired 1 day ago" },
	{ E + 5 * D + D / 2, E, "expired 5 days ago" },	/* floor gave -6 */
	{ E + 6 * D, E, "expired 6 days ago" },
	{ E, NONE, "no expiry" },
	{ NONE, E, "no expiry" },
	{ INT64_MAX, INT64_MIN + 1, "expired 213503982334601 days ago" },
	{ INT64_MIN + 1, INT64_MAX, "213503982334601 days left" },
};

START_TEST(test_days_left_str)
{
	char buf[BMSUB_DAYS_STR_MAX];

	ck_assert_str_eq(bmsub_days_left_str(days_left[_i].eff,
	    days_left[_i].exp, buf, sizeof(buf)), days_left[_i].want);
}
END_TEST

static const struct {
	int64_t now, t;
	const char *want;
} days_from[] = {
	{ E, E + 3 * D, "in 3 days" },
	{ E, E + D, "in 1 day" },
	{ E, E + D - 1, "within a day" },	/* never "in 0 days" */
	{ E, E + 1, "within a day" },
	{ E, E, "today" },
	{ E + D - 1, E, "today" },
	{ E + D, E, "1 day ago" },
	{ E + 5 * D, E, "5 days ago" },
	{ E, NONE, "never" },
	{ NONE, E, "never" },
};

START_TEST(test_days_from_str)
{
	char buf[BMSUB_DAYS_STR_MAX];

	ck_assert_str_eq(bmsub_days_from_str(days_from[_i].now,
	    days_from[_i].t, buf, sizeof(buf)), days_from[_i].want);
}
END_TEST

START_TEST(test_days_no_room)
{
	char buf[4] = "abc";

	ck_assert_str_eq(bmsub_days_left_str(0, E, NULL, 10), "");
	ck_assert_str_eq(bmsub_days_left_str(0, E, buf, 0), "");
	ck_assert_str_eq(bmsub_days_from_str(0, E, buf, 0), "");
	ck_assert_str_eq(buf, "abc");
	ck_assert_str_eq(bmsub_days_left_str(E - 30 * D, E, buf, sizeof(buf)),
	    "30 ");
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

int
main(void)
{
	Suite *s = suite_create("time");
	TCase *tc = tcase_create("time");
	int nf;

	tcase_add_loop_test(tc, test_parse_good, 0, N(good));
	tcase_add_loop_test(tc, test_parse_bad, 0, N(bad));
	tcase_add_test(tc, test_parse_embedded_nul);
	tcase_add_test(tc, test_roundtrip_days);
	tcase_add_loop_test(tc, test_roundtrip_times, 0, N(rt_times));
	tcase_add_loop_test(tc, test_add_months, 0, N(months));
	tcase_add_test(tc, test_add_months_limits);
	tcase_add_test(tc, test_format);
	tcase_add_loop_test(tc, test_time_str, 0, N(strs));
	tcase_add_test(tc, test_time_str_no_room);
	tcase_add_loop_test(tc, test_days_left_str, 0, N(days_left));
	tcase_add_loop_test(tc, test_days_from_str, 0, N(days_from));
	tcase_add_test(tc, test_days_no_room);
	suite_add_tcase(s, tc);
	nf = tlib_run(s);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
