/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_timeline.c - bmsub_timeline: every dated event, in order, counted. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmsub.h"
#include "tlib.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define NONE BMSUB_TIME_NONE

/* 260 users for 250 licensed since over_since (NULL: no count). */
static struct bmsub_state
mkstate(const char *over_since)
{
	return tlib_state(over_since != NULL, 260,
	    over_since != NULL ? ts(over_since) : NONE, NONE);
}

#define SEQ_MAX 24

static const struct {
	enum bmsub_kind kind;
	uint32_t grace;
	const char *issued, *starts, *over_since;
	const char *const seq[SEQ_MAX];	/* "TIME what", NULL-terminated */
} lines[] = {
	/* prod, 10 grace days: reminders on days 0, 2, 4, 6, 8 */
	{ BMSUB_KIND_PROD, 10, NULL, NULL, NULL, {
		"2027-09-02T00:00:00Z notice", "2027-09-02T00:00:00Z email",
		"2027-10-02T00:00:00Z warning", "2027-10-02T00:00:00Z email",
		"2027-11-02T00:00:00Z grace", "2027-11-02T00:00:00Z email",
		"2027-11-04T00:00:00Z email", "2027-11-06T00:00:00Z email",
		"2027-11-08T00:00:00Z email", "2027-11-10T00:00:00Z email",
		"2027-11-12T00:00:00Z blocked",
		"2027-11-12T00:00:00Z email every=172800",
		NULL } },
	/* host, 3 grace days: days 0 and 2 */
	{ BMSUB_KIND_HOST, 3, NULL, NULL, NULL, {
		"2027-09-02T00:00:00Z notice", "2027-09-02T00:00:00Z email",
		"2027-10-02T00:00:00Z warning", "2027-10-02T00:00:00Z email",
		"2027-11-02T00:00:00Z grace", "2027-11-02T00:00:00Z email",
		"2027-11-04T00:00:00Z email",
		"2027-11-05T00:00:00Z blocked",
		"2027-11-05T00:00:00Z email every=172800",
		NULL } },
	/* no grace: warning straight to blocked */
	{ BMSUB_KIND_FREE, 0, NULL, NULL, NULL, {
		"2027-09-02T00:00:00Z notice", "2027-09-02T00:00:00Z email",
		"2027-10-02T00:00:00Z warning", "2027-10-02T00:00:00Z email",
		"2027-11-02T00:00:00Z blocked",
		"2027-11-02T00:00:00Z email every=172800",
		NULL } },
	/* a trial: no notice nor warning; one email when it ends */
	{ BMSUB_KIND_TRIAL, 0, NULL, NULL, NULL, {
		"2027-11-02T00:00:00Z blocked", "2027-11-02T00:00:00Z email",
		NULL } },
	/* a trial with grace: reminders every 2 days in grace, then the
	 * trial-ended email at the block, once */
	{ BMSUB_KIND_TRIAL, 5, NULL, NULL, NULL, {
		"2027-11-02T00:00:00Z grace", "2027-11-02T00:00:00Z email",
		"2027-11-04T00:00:00Z email", "2027-11-06T00:00:00Z email",
		"2027-11-07T00:00:00Z blocked", "2027-11-07T00:00:00Z email",
		NULL } },
	{ BMSUB_KIND_TRIAL, 4, NULL, NULL, NULL, {
		"2027-11-02T00:00:00Z grace", "2027-11-02T00:00:00Z email",
		"2027-11-04T00:00:00Z email",
		"2027-11-06T00:00:00Z blocked", "2027-11-06T00:00:00Z email",
		NULL } },
	{ BMSUB_KIND_TRIAL, 1, NULL, NULL, NULL, {
		"2027-11-02T00:00:00Z grace", "2027-11-02T00:00:00Z email",
		"2027-11-03T00:00:00Z blocked", "2027-11-03T00:00:00Z email",
		NULL } },
	/* issued inside the notice period: notice entered at issue */
	{ BMSUB_KIND_PROD, 0, "2027-09-15T08:00:00Z", NULL, NULL, {
		"2027-09-15T08:00:00Z notice", "2027-09-15T08:00:00Z email",
		"2027-10-02T00:00:00Z warning", "2027-10-02T00:00:00Z email",
		"2027-11-02T00:00:00Z blocked",
		"2027-11-02T00:00:00Z email every=172800",
		NULL } },
	/* starting inside the warning period: no notice at all; before it
	 * the license is invalid, every 2 days from issued */
	{ BMSUB_KIND_PROD, 0, "2027-10-01T00:00:00Z", "2027-10-10T00:00:00Z", NULL, {
		"2027-10-01T00:00:00Z invalid", "2027-10-01T00:00:00Z email",
		"2027-10-03T00:00:00Z email", "2027-10-05T00:00:00Z email",
		"2027-10-07T00:00:00Z email", "2027-10-09T00:00:00Z email",
		"2027-10-10T00:00:00Z starts", "2027-10-10T00:00:00Z warning", "2027-10-10T00:00:00Z email",
		"2027-11-02T00:00:00Z blocked",
		"2027-11-02T00:00:00Z email every=172800",
		NULL } },
	/* starting after the block: blocked at once */
	{ BMSUB_KIND_HOST, 2, "2027-11-01T12:00:00Z", "2027-11-05T00:00:00Z", NULL, {
		"2027-11-01T12:00:00Z invalid", "2027-11-01T12:00:00Z email",
		"2027-11-03T12:00:00Z email",
		"2027-11-05T00:00:00Z starts", "2027-11-05T00:00:00Z blocked",
		"2027-11-05T00:00:00Z email every=172800",
		NULL } },
	/* a trial starting in its grace: the grace emails from the start */
	{ BMSUB_KIND_TRIAL, 6, "2027-11-01T00:00:00Z", "2027-11-03T00:00:00Z", NULL, {
		"2027-11-01T00:00:00Z invalid", "2027-11-01T00:00:00Z email",
		"2027-11-03T00:00:00Z starts", "2027-11-03T00:00:00Z grace",
		"2027-11-03T00:00:00Z email", "2027-11-05T00:00:00Z email",
		"2027-11-07T00:00:00Z email",
		"2027-11-08T00:00:00Z blocked", "2027-11-08T00:00:00Z email",
		NULL } },
	/* over the count since O: reminders every 7 days, blocked a
	 * calendar month later */
	{ BMSUB_KIND_TRIAL, 0, NULL, NULL, "2027-01-15T10:00:00Z", {
		"2027-01-15T10:00:00Z over", "2027-01-15T10:00:00Z email",
		"2027-01-22T10:00:00Z email", "2027-01-29T10:00:00Z email",
		"2027-02-05T10:00:00Z email", "2027-02-12T10:00:00Z email",
		"2027-02-15T10:00:00Z over-blocked", "2027-02-15T10:00:00Z email",
		"2027-11-02T00:00:00Z blocked", "2027-11-02T00:00:00Z email",
		NULL } },
	/* February: 28 days, the last reminder is O + 21 days */
	{ BMSUB_KIND_TRIAL, 0, NULL, NULL, "2027-02-01T00:00:00Z", {
		"2027-02-01T00:00:00Z over", "2027-02-01T00:00:00Z email",
		"2027-02-08T00:00:00Z email", "2027-02-15T00:00:00Z email",
		"2027-02-22T00:00:00Z email",
		"2027-03-01T00:00:00Z over-blocked", "2027-03-01T00:00:00Z email",
		"2027-11-02T00:00:00Z blocked", "2027-11-02T00:00:00Z email",
		NULL } },
	/* starts before any threshold; starts == issued adds nothing */
	{ BMSUB_KIND_TRIAL, 0, "2026-12-26T00:00:00Z", "2027-01-01T00:00:00Z", NULL, {
		"2026-12-26T00:00:00Z invalid", "2026-12-26T00:00:00Z email",
		"2026-12-28T00:00:00Z email", "2026-12-30T00:00:00Z email",
		"2027-01-01T00:00:00Z starts",
		"2027-11-02T00:00:00Z blocked", "2027-11-02T00:00:00Z email",
		NULL } },
	{ BMSUB_KIND_TRIAL, 0, "2027-01-01T00:00:00Z", "2027-01-01T00:00:00Z", NULL, {
		"2027-11-02T00:00:00Z blocked", "2027-11-02T00:00:00Z email",
		NULL } },
	/* interleaved with the date events */
	{ BMSUB_KIND_PROD, 4, NULL, NULL, "2027-10-20T00:00:00Z", {
		"2027-09-02T00:00:00Z notice", "2027-09-02T00:00:00Z email",
		"2027-10-02T00:00:00Z warning", "2027-10-02T00:00:00Z email",
		"2027-10-20T00:00:00Z over", "2027-10-20T00:00:00Z email",
		"2027-10-27T00:00:00Z email",
		"2027-11-02T00:00:00Z grace", "2027-11-02T00:00:00Z email",
		"2027-11-03T00:00:00Z email",
		"2027-11-04T00:00:00Z email",
		"2027-11-06T00:00:00Z blocked",
		"2027-11-06T00:00:00Z email every=172800",
		"2027-11-10T00:00:00Z email", "2027-11-17T00:00:00Z email",
		"2027-11-20T00:00:00Z over-blocked", "2027-11-20T00:00:00Z email",
		NULL } },
};

START_TEST(test_sequence)
{
	struct bmsub_license l = tlib_license(lines[_i].kind, lines[_i].grace,
	    lines[_i].issued, lines[_i].starts, NULL);
	struct bmsub_state st = mkstate(lines[_i].over_since);
	struct bmsub_event ev[SEQ_MAX + 4];
	size_t n = 999, want = 0, i;
	char got[64], t[32];

	while (want < SEQ_MAX && lines[_i].seq[want] != NULL)
		want++;
	memset(ev, 0, sizeof(ev));
	bmsub_timeline(&l, &st, ev, N(ev), &n);
	ck_assert_uint_eq(n, want);
	for (i = 0; i < n; i++) {
		bmsub_time_format(ev[i].at, t, sizeof(t));
		snprintf(got, sizeof(got), "%s %s", t, ev[i].what);
		if (ev[i].every != 0)
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
			    " every=%lld", (long long)ev[i].every);
		ck_assert_msg(strcmp(got, lines[_i].seq[i]) == 0,
		    "event %zu: got \"%s\", want \"%s\"", i, got,
		    lines[_i].seq[i]);
		ck_assert_uint_gt(strlen(ev[i].text), 0);
		ck_assert(!tlib_has_control(ev[i].text));
		if (i > 0)
			ck_assert_int_ge(ev[i].at, ev[i - 1].at);
	}
	ck_assert_ptr_null(ev[n].what);	/* nothing written past *n */
}
END_TEST

/* Filling fewer than exist: the first max, in order; *n is the total. */
START_TEST(test_partial)
{
	struct bmsub_license l = tlib_license(BMSUB_KIND_PROD, 10, NULL, NULL, NULL);
	struct bmsub_event all[16], part[5];
	size_t n_all, n_part = 0, i;

	bmsub_timeline(&l, NULL, all, N(all), &n_all);
	ck_assert_uint_eq(n_all, 12);
	memset(part, 0x5a, sizeof(part));
	bmsub_timeline(&l, NULL, part, 3, &n_part);
	ck_assert_uint_eq(n_part, 12);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(part[i].at, all[i].at);
		ck_assert_str_eq(part[i].what, all[i].what);
		ck_assert_str_eq(part[i].text, all[i].text);
	}
	ck_assert_int_eq((unsigned char)part[3].text[0], 0x5a);
	n_part = 7;
	bmsub_timeline(&l, NULL, NULL, 0, &n_part);
	ck_assert_uint_eq(n_part, 12);
	bmsub_timeline(&l, NULL, part, 0, &n_part);
	ck_assert_uint_eq(n_part, 12);
	n_part = 7;
	bmsub_timeline(NULL, NULL, part, 5, &n_part);
	ck_assert_uint_eq(n_part, 0);
	bmsub_timeline(&l, NULL, part, 5, NULL);	/* no crash */
}
END_TEST

/* Counting is arithmetic: huge grace periods or hostile state times
 * neither loop for long nor overflow. */
static const struct {
	uint32_t grace;
	const char *over_since;	/* NULL: none; "max": near INT64_MAX */
	size_t want;
} counts[] = {
	{ 10, NULL, 12 },
	{ 1, NULL, 8 },
	{ 2, NULL, 8 },
	{ 365, NULL, 2 + 2 + 1 + 183 + 2 },
	{ UINT32_MAX, NULL, 2 + 2 + 1 + 2147483648u + 2 },
	{ 10, "2027-01-15T10:00:00Z", 12 + 1 + 5 + 2 },
	{ 10, "max", 12 + 1 + 1 + 2 },	/* blocked date saturates */
	/* before issued (a hostile state): seen from issued, as the
	 * policy does, so blocked at once */
	{ 10, "min", 12 + 2 },
};

START_TEST(test_counts)
{
	struct bmsub_license l = tlib_license(BMSUB_KIND_PROD, counts[_i].grace,
	    NULL, NULL, NULL);
	struct bmsub_state st = mkstate(NULL);
	struct bmsub_event ev[4];
	size_t n = 0;

	if (counts[_i].over_since == NULL)
		st.over_since = NONE;
	else if (strcmp(counts[_i].over_since, "max") == 0)
		st.over_since = INT64_MAX - 10;
	else if (strcmp(counts[_i].over_since, "min") == 0)
		st.over_since = INT64_MIN + 1;
	else
		st.over_since = ts(counts[_i].over_since);
	bmsub_timeline(&l, &st, ev, N(ev), &n);
	ck_assert_uint_eq(n, counts[_i].want);
	ck_assert_int_le(ev[0].at, ev[1].at);
	ck_assert_int_le(ev[1].at, ev[2].at);
	ck_assert_int_le(ev[2].at, ev[3].at);
}
END_TEST

START_TEST(test_texts)
{
	struct bmsub_license l = tlib_license(BMSUB_KIND_PROD, 10, NULL, NULL, NULL);
	struct bmsub_state st = mkstate("2027-01-15T10:00:00Z");
	struct bmsub_event ev[24];
	size_t n;

	bmsub_timeline(&l, &st, ev, N(ev), &n);
	ck_assert_uint_eq(n, 20);
	ck_assert_str_eq(ev[0].what, "over");
	ck_assert_str_eq(ev[0].text, "over the license: 260 users for 250 licensed");
	ck_assert_str_eq(ev[1].text, "email reminder (over the license), every 7 days");
	ck_assert_str_eq(ev[6].what, "over-blocked");
	ck_assert_str_eq(ev[8].what, "notice");
	ck_assert_str_eq(ev[8].text, "notice period: the subscription is valid through 2027-11-01");
	ck_assert_str_eq(ev[12].text, "expiry: grace of 10 days, banner for all users, administrators redirected");
	ck_assert_str_eq(ev[13].text, "email reminder");
	ck_assert_str_eq(ev[17].text, "email reminder");
	ck_assert_str_eq(ev[18].what, "blocked");
	ck_assert_str_eq(ev[19].text, "email reminder, then every 2 days");
	ck_assert_int_eq(ev[19].every, 2 * 86400);
	ck_assert_int_eq(ev[18].every, 0);
	ck_assert_int_eq(ev[17].every, 0);
}
END_TEST

/* The texts of a trial with grace, of a later start and of the alerts
 * each email names. */
START_TEST(test_texts_trial)
{
	struct bmsub_license l = tlib_license(BMSUB_KIND_TRIAL, 4,
	    "2027-10-20T00:00:00Z", "2027-10-25T00:00:00Z", NULL);
	struct bmsub_event ev[16];
	size_t n, i;
	static const char *const want[][3] = {
		{ "invalid", NULL, "not started: every login denied until "
		    "2027-10-25 00:00:00 UTC" },
		{ "email", "invalid", "email to administrators: no valid "
		    "license (not-yet-valid), logins blocked" },
		{ "email", "invalid", NULL },
		{ "email", "invalid", NULL },
		{ "starts", NULL, "license starts: logins allowed from now on" },
		{ "grace", NULL, "trial ends: grace of 4 days until 2027-11-06" },
		{ "email", "grace", "email reminder" },
		{ "email", "grace", "email reminder" },
		{ "blocked", NULL, "blocked: every login denied, administrators "
		    "redirected on web services" },
		{ "email", "trial-ended", "email to administrators: trial "
		    "ended" },
	};

	bmsub_timeline(&l, NULL, ev, N(ev), &n);
	ck_assert_uint_eq(n, N(want));
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(ev[i].what, want[i][0]);
		if (want[i][1] == NULL)
			ck_assert_ptr_null(ev[i].alert);
		else
			ck_assert_str_eq(ev[i].alert, want[i][1]);
		if (want[i][2] != NULL)
			ck_assert_str_eq(ev[i].text, want[i][2]);
		ck_assert_int_eq(ev[i].every, 0);	/* a trial's end */
	}
	/* no grace: the trial ends blocked at E, one email */
	l = tlib_license(BMSUB_KIND_TRIAL, 0, NULL, NULL, NULL);
	bmsub_timeline(&l, NULL, ev, N(ev), &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(ev[0].text, "trial ends: every login denied");
	ck_assert_str_eq(ev[1].alert, "trial-ended");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("timeline");
	TCase *tc = tcase_create("timeline");
	int nf;

	tcase_add_loop_test(tc, test_sequence, 0, N(lines));
	tcase_add_test(tc, test_partial);
	tcase_add_loop_test(tc, test_counts, 0, N(counts));
	tcase_add_test(tc, test_texts);
	tcase_add_test(tc, test_texts_trial);
	suite_add_tcase(s, tc);
	nf = tlib_run(s);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
