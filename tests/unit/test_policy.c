/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_policy.c - bmsub_evaluate: date and count phases, clock, can-add. */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmsub.h"
#include "tlib.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define DAY 86400
#define NONE BMSUB_TIME_NONE

/* ------------------------------------------------------------------ */
/* Date phases: one second before, at and after every threshold. */

static const struct {
	enum bmsub_kind kind;
	uint32_t grace;
} cfgs[] = {
	/* 0 */ { BMSUB_KIND_PROD, 10 },
	/* 1 */ { BMSUB_KIND_HOST, 10 },
	/* 2 */ { BMSUB_KIND_FREE, 10 },
	/* 3 */ { BMSUB_KIND_PROD, 0 },	/* warning straight to blocked */
	/* 4 */ { BMSUB_KIND_TRIAL, 0 },
	/* 5 */ { BMSUB_KIND_TRIAL, 5 },
	/* 6 */ { BMSUB_KIND_HOST, 365 },
};

static const struct {
	int cfg;
	const char *at;			/* the threshold */
	enum bmsub_date_phase before;	/* at - 1 s */
	enum bmsub_date_phase after;	/* at and at + 1 s */
} thresholds[] = {
#define PROD_LIKE(c) \
	{ c, "2027-09-02T00:00:00Z", BMSUB_DATE_OK, BMSUB_DATE_NOTICE }, \
	{ c, "2027-10-02T00:00:00Z", BMSUB_DATE_NOTICE, BMSUB_DATE_WARNING }, \
	{ c, "2027-11-02T00:00:00Z", BMSUB_DATE_WARNING, BMSUB_DATE_GRACE }, \
	{ c, "2027-11-12T00:00:00Z", BMSUB_DATE_GRACE, BMSUB_DATE_BLOCKED }
	PROD_LIKE(0), PROD_LIKE(1), PROD_LIKE(2),
	{ 3, "2027-09-02T00:00:00Z", BMSUB_DATE_OK, BMSUB_DATE_NOTICE },
	{ 3, "2027-10-02T00:00:00Z", BMSUB_DATE_NOTICE, BMSUB_DATE_WARNING },
	{ 3, "2027-11-02T00:00:00Z", BMSUB_DATE_WARNING, BMSUB_DATE_BLOCKED },
	{ 4, "2027-09-02T00:00:00Z", BMSUB_DATE_OK, BMSUB_DATE_OK },
	{ 4, "2027-10-02T00:00:00Z", BMSUB_DATE_OK, BMSUB_DATE_OK },
	{ 4, "2027-11-02T00:00:00Z", BMSUB_DATE_OK, BMSUB_DATE_BLOCKED },
	{ 5, "2027-10-02T00:00:00Z", BMSUB_DATE_OK, BMSUB_DATE_OK },
	{ 5, "2027-11-02T00:00:00Z", BMSUB_DATE_OK, BMSUB_DATE_GRACE },
	{ 5, "2027-11-07T00:00:00Z", BMSUB_DATE_GRACE, BMSUB_DATE_BLOCKED },
	{ 6, "2027-11-02T00:00:00Z", BMSUB_DATE_WARNING, BMSUB_DATE_GRACE },
	{ 6, "2028-11-01T00:00:00Z", BMSUB_DATE_GRACE, BMSUB_DATE_BLOCKED },
#undef PROD_LIKE
};

START_TEST(test_date_thresholds)
{
	struct bmsub_license l = tlib_license(cfgs[thresholds[_i].cfg].kind,
	    cfgs[thresholds[_i].cfg].grace, NULL, NULL, NULL);
	struct bmsub_eval ev;
	int64_t t = ts(thresholds[_i].at);

	bmsub_evaluate(&l, 0, NULL, t - 1, &ev);
	ck_assert_int_eq(ev.date_phase, thresholds[_i].before);
	ck_assert_int_eq(ev.license_err, 0);
	bmsub_evaluate(&l, 0, NULL, t, &ev);
	ck_assert_int_eq(ev.date_phase, thresholds[_i].after);
	bmsub_evaluate(&l, 0, NULL, t + 1, &ev);
	ck_assert_int_eq(ev.date_phase, thresholds[_i].after);
	ck_assert_int_eq(ev.effective, t + 1);
	ck_assert_int_eq(ev.count_phase, BMSUB_COUNT_UNKNOWN);
}
END_TEST

static const struct {
	int cfg;
	const char *notice, *warning, *block;	/* NULL: NONE */
} fields[] = {
	{ 0, "2027-09-02T00:00:00Z", "2027-10-02T00:00:00Z", "2027-11-12T00:00:00Z" },
	{ 3, "2027-09-02T00:00:00Z", "2027-10-02T00:00:00Z", "2027-11-02T00:00:00Z" },
	{ 4, NULL, NULL, "2027-11-02T00:00:00Z" },
	{ 5, NULL, NULL, "2027-11-07T00:00:00Z" },
	{ 6, "2027-09-02T00:00:00Z", "2027-10-02T00:00:00Z", "2028-11-01T00:00:00Z" },
};

START_TEST(test_threshold_fields)
{
	struct bmsub_license l = tlib_license(cfgs[fields[_i].cfg].kind,
	    cfgs[fields[_i].cfg].grace, NULL, NULL, NULL);
	struct bmsub_eval ev;

	bmsub_evaluate(&l, 0, NULL, ts("2027-01-01T00:00:00Z"), &ev);
	ck_assert_int_eq(ev.notice_at, fields[_i].notice ?
	    ts(fields[_i].notice) : NONE);
	ck_assert_int_eq(ev.warning_at, fields[_i].warning ?
	    ts(fields[_i].warning) : NONE);
	ck_assert_int_eq(ev.expires, ts("2027-11-02T00:00:00Z"));
	ck_assert_int_eq(ev.block_at, ts(fields[_i].block));
	ck_assert_int_eq(ev.over_since, NONE);
	ck_assert_int_eq(ev.over_block_at, NONE);
	ck_assert_int_eq(ev.users, 250);
	ck_assert_uint_eq(ev.ceiling, 275);
	ck_assert_int_eq(ev.have_count, 0);
	ck_assert_int_eq(ev.ceiling_reached, 0);
}
END_TEST

/* Calendar months clamp to the month's last day. */
static const struct {
	const char *expires, *notice, *warning;
} clamps[] = {
	{ "2027-03-31T00:00:00Z", "2027-01-31T00:00:00Z", "2027-02-28T00:00:00Z" },
	{ "2028-03-31T00:00:00Z", "2028-01-31T00:00:00Z", "2028-02-29T00:00:00Z" },
	{ "2027-04-30T06:00:00Z", "2027-02-28T06:00:00Z", "2027-03-30T06:00:00Z" },
	{ "2027-01-15T12:00:00Z", "2026-11-15T12:00:00Z", "2026-12-15T12:00:00Z" },
	{ "2027-12-31T00:00:00Z", "2027-10-31T00:00:00Z", "2027-11-30T00:00:00Z" },
};

START_TEST(test_month_clamping)
{
	struct bmsub_license l = tlib_license(BMSUB_KIND_PROD, 10, NULL, NULL, NULL);
	struct bmsub_eval ev;
	int64_t w;

	l.issued = ts("2026-01-01T00:00:00Z");
	l.expires = ts(clamps[_i].expires);
	w = ts(clamps[_i].warning);
	bmsub_evaluate(&l, 0, NULL, w - 1, &ev);
	ck_assert_int_eq(ev.notice_at, ts(clamps[_i].notice));
	ck_assert_int_eq(ev.warning_at, w);
	ck_assert_int_eq(ev.date_phase, BMSUB_DATE_NOTICE);
	bmsub_evaluate(&l, 0, NULL, w, &ev);
	ck_assert_int_eq(ev.date_phase, BMSUB_DATE_WARNING);
	bmsub_evaluate(&l, 0, NULL, ts(clamps[_i].notice) - 1, &ev);
	ck_assert_int_eq(ev.date_phase, BMSUB_DATE_OK);
}
END_TEST

/*
 * The months of each license, several licenses in one process and
 * threads (bmsub_evaluate keeps the last answer in one slot shared by
 * all threads): never another license's months, never a torn pair.
 */
#define MEMO_THREADS 4
#define MEMO_ROUNDS 20000

static void *
month_memo_thread(void *arg)
{
	size_t k = (size_t)(uintptr_t)arg, i, wrong = 0, c;
	struct bmsub_license l = tlib_license(BMSUB_KIND_PROD, 10, NULL, NULL, NULL);
	struct bmsub_eval ev;

	l.issued = ts("2026-01-01T00:00:00Z");
	for (i = 0; i < MEMO_ROUNDS; i++) {
		c = (i + k) % N(clamps);
		l.expires = ts(clamps[c].expires);
		bmsub_evaluate(&l, 0, NULL, l.issued, &ev);
		if (ev.notice_at != ts(clamps[c].notice) ||
		    ev.warning_at != ts(clamps[c].warning))
			wrong++;
	}
	return (void *)(uintptr_t)wrong;
}

START_TEST(test_month_memo)
{
	struct bmsub_license l = tlib_license(BMSUB_KIND_PROD, 10, NULL, NULL, NULL);
	struct bmsub_eval ev;
	pthread_t th[MEMO_THREADS];
	void *wrong;
	size_t i, c;

	l.issued = ts("2026-01-01T00:00:00Z");
	for (i = 0; i < 3 * N(clamps); i++) {
		c = (i * 2) % N(clamps);	/* each one after another */
		l.expires = ts(clamps[c].expires);
		bmsub_evaluate(&l, 0, NULL, l.issued, &ev);
		ck_assert_int_eq(ev.notice_at, ts(clamps[c].notice));
		ck_assert_int_eq(ev.warning_at, ts(clamps[c].warning));
	}
	for (i = 0; i < MEMO_THREADS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, month_memo_thread,
		    (void *)(uintptr_t)i), 0);
	for (i = 0; i < MEMO_THREADS; i++) {
		ck_assert_int_eq(pthread_join(th[i], &wrong), 0);
		ck_assert_msg(wrong == NULL, "thread %zu: %zu wrong months", i,
		    (size_t)(uintptr_t)wrong);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* No license, not yet valid. */

static const struct {
	int have_lic;
	int lic_err;
	int want_err;
} nolic[] = {
	{ 0, 0, BMSUB_E_NO_LICENSE },
	{ 0, BMSUB_E_NO_LICENSE, BMSUB_E_NO_LICENSE },
	{ 0, BMSUB_E_BAD_SIGNATURE, BMSUB_E_BAD_SIGNATURE },
	{ 1, BMSUB_E_BAD_SIGNATURE, BMSUB_E_BAD_SIGNATURE },
	{ 1, BMSUB_E_UNKNOWN_KEY, BMSUB_E_UNKNOWN_KEY },
	{ 1, BMSUB_E_SYNTAX, BMSUB_E_SYNTAX },
	{ 1, BMSUB_E_PERMISSIONS, BMSUB_E_PERMISSIONS },
};

START_TEST(test_no_license)
{
	struct bmsub_license l = tlib_license(BMSUB_KIND_PROD, 10, NULL, NULL, NULL);
	struct bmsub_state st = tlib_state(1, 300, ts("2027-01-01T00:00:00Z"), NONE);
	struct bmsub_eval ev;
	int64_t now = ts("2027-05-01T00:00:00Z");

	bmsub_evaluate(nolic[_i].have_lic ? &l : NULL, nolic[_i].lic_err, &st,
	    now, &ev);
	ck_assert_int_eq(ev.date_phase, BMSUB_DATE_INVALID);
	ck_assert_int_eq(ev.license_err, nolic[_i].want_err);
	ck_assert_int_eq(ev.count_phase, BMSUB_COUNT_UNKNOWN);
	ck_assert_int_eq(ev.effective, now);
	ck_assert_int_eq(ev.expires, NONE);
	ck_assert_int_eq(ev.block_at, NONE);
	ck_assert_int_eq(ev.days_left, NONE);
	ck_assert_int_eq(ev.next_event, NONE);
	ck_assert_ptr_null(ev.next_event_what);
	ck_assert_int_eq(ev.have_count, 1);
	ck_assert_uint_eq(ev.count, 300);
	ck_assert_int_eq(ev.ceiling_reached, 0);
	ck_assert_int_eq(ev.clock_behind_license, 0);
}
END_TEST

START_TEST(test_not_yet_valid)
{
	struct bmsub_license l = tlib_license(BMSUB_KIND_PROD, 10, NULL, NULL, NULL);
	struct bmsub_eval ev;
	int64_t s = ts("2027-01-01T00:00:00Z");

	l.starts = s;
	bmsub_evaluate(&l, 0, NULL, s - 1, &ev);
	ck_assert_int_eq(ev.date_phase, BMSUB_DATE_INVALID);
	ck_assert_int_eq(ev.license_err, BMSUB_E_NOT_YET_VALID);
	ck_assert_int_eq(ev.next_event, s);
	ck_assert_str_eq(ev.next_event_what, "ok");
	bmsub_evaluate(&l, 0, NULL, s, &ev);
	ck_assert_int_eq(ev.date_phase, BMSUB_DATE_OK);
	ck_assert_int_eq(ev.license_err, 0);
	/* A license that starts inside its own warning period. */
	l.starts = ts("2027-10-15T00:00:00Z");
	bmsub_evaluate(&l, 0, NULL, l.issued, &ev);
	ck_assert_int_eq(ev.date_phase, BMSUB_DATE_INVALID);
	ck_assert_int_eq(ev.next_event, l.starts);
	ck_assert_str_eq(ev.next_event_what, "warning");
	/* A clock rolled back before starts does not revalidate... but a
	 * high-water mark past starts keeps it valid. */
	{
		struct bmsub_state st = tlib_state(0, 0, NONE,
		    ts("2027-10-20T00:00:00Z"));

		bmsub_evaluate(&l, 0, &st, l.issued, &ev);
		ck_assert_int_eq(ev.date_phase, BMSUB_DATE_WARNING);
		ck_assert_int_eq(ev.effective, ts("2027-10-19T00:00:00Z"));
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Clock: effective = max(T, H - 1 day, issued). */

static const struct {
	const char *now;
	const char *hw;		/* NULL: none */
	const char *want;	/* effective */
	int behind_state, behind_license;
	enum bmsub_date_phase phase;
} clocks[] = {
	{ "2027-05-01T00:00:00Z", NULL, "2027-05-01T00:00:00Z", 0, 0, BMSUB_DATE_OK },
	/* rolled back 2 days: H - 1 day */
	{ "2027-04-29T00:00:00Z", "2027-05-01T00:00:00Z", "2027-04-30T00:00:00Z", 1, 0, BMSUB_DATE_OK },
	/* small corrections do nothing */
	{ "2027-04-30T12:00:00Z", "2027-05-01T00:00:00Z", "2027-04-30T12:00:00Z", 0, 0, BMSUB_DATE_OK },
	{ "2027-04-30T00:00:00Z", "2027-05-01T00:00:00Z", "2027-04-30T00:00:00Z", 0, 0, BMSUB_DATE_OK },
	{ "2027-04-29T23:59:59Z", "2027-05-01T00:00:00Z", "2027-04-30T00:00:00Z", 1, 0, BMSUB_DATE_OK },
	/* H behind T: T */
	{ "2027-06-01T00:00:00Z", "2027-05-01T00:00:00Z", "2027-06-01T00:00:00Z", 0, 0, BMSUB_DATE_OK },
	/* before issued: issued */
	{ "2026-01-01T00:00:00Z", NULL, "2026-11-01T00:00:00Z", 0, 1, BMSUB_DATE_OK },
	{ "2026-10-31T23:59:59Z", NULL, "2026-11-01T00:00:00Z", 0, 1, BMSUB_DATE_OK },
	{ "2026-11-01T00:00:00Z", NULL, "2026-11-01T00:00:00Z", 0, 0, BMSUB_DATE_OK },
	{ "1970-01-01T00:00:00Z", "2026-11-20T00:00:00Z", "2026-11-19T00:00:00Z", 1, 1, BMSUB_DATE_OK },
	{ "2026-01-01T00:00:00Z", "2026-11-01T12:00:00Z", "2026-11-01T00:00:00Z", 1, 1, BMSUB_DATE_OK },
	/* a rolled-back clock never un-expires */
	{ "2027-10-28T00:00:00Z", "2027-11-21T00:00:00Z", "2027-11-20T00:00:00Z", 1, 0, BMSUB_DATE_BLOCKED },
	{ "2027-10-28T00:00:00Z", "2027-11-03T00:00:00Z", "2027-11-02T00:00:00Z", 1, 0, BMSUB_DATE_GRACE },
	{ "2027-11-01T12:00:00Z", "2027-11-02T11:00:00Z", "2027-11-01T12:00:00Z", 0, 0, BMSUB_DATE_WARNING },
};

START_TEST(test_clock)
{
	struct bmsub_license l = tlib_license(BMSUB_KIND_PROD, 10, NULL, NULL, NULL);
	struct bmsub_state st = tlib_state(0, 0, NONE,
	    clocks[_i].hw ? ts(clocks[_i].hw) : NONE);
	struct bmsub_eval ev;
	int64_t now = ts(clocks[_i].now);

	bmsub_evaluate(&l, 0, &st, now, &ev);
	ck_assert_int_eq(ev.now, now);
	ck_assert_int_eq(ev.effective, ts(clocks[_i].want));
	ck_assert_int_eq(ev.clock_behind_state, clocks[_i].behind_state);
	ck_assert_int_eq(ev.clock_behind_license, clocks[_i].behind_license);
	ck_assert_int_eq(ev.date_phase, clocks[_i].phase);
}
END_TEST

START_TEST(test_clock_hostile)
{
	struct bmsub_license l = tlib_license(BMSUB_KIND_PROD, 10, NULL, NULL, NULL);
	struct bmsub_state st = tlib_state(0, 0, NONE, INT64_MIN + 1);
	struct bmsub_eval ev;

	/* Extreme values saturate; nothing wraps into the past. */
	bmsub_evaluate(&l, 0, &st, ts("2027-05-01T00:00:00Z"), &ev);
	ck_assert_int_eq(ev.effective, ts("2027-05-01T00:00:00Z"));
	ck_assert_int_eq(ev.clock_behind_state, 0);
	st.high_water = INT64_MAX;
	bmsub_evaluate(&l, 0, &st, ts("2027-05-01T00:00:00Z"), &ev);
	ck_assert_int_eq(ev.effective, INT64_MAX - DAY);
	ck_assert_int_eq(ev.date_phase, BMSUB_DATE_BLOCKED);
	ck_assert_int_lt(ev.days_left, 0);
	ck_assert_int_eq(ev.clock_behind_state, 1);
	bmsub_evaluate(&l, 0, NULL, INT64_MAX, &ev);
	ck_assert_int_eq(ev.date_phase, BMSUB_DATE_BLOCKED);
	ck_assert_int_lt(ev.days_left, 0);
	bmsub_evaluate(&l, 0, NULL, INT64_MIN, &ev);
	ck_assert_int_eq(ev.effective, l.issued);
	ck_assert_int_eq(ev.clock_behind_license, 1);
	bmsub_evaluate(NULL, 0, NULL, INT64_MIN, &ev);
	ck_assert_int_eq(ev.date_phase, BMSUB_DATE_INVALID);
	bmsub_evaluate(&l, 0, NULL, 0, NULL);	/* no crash */
}
END_TEST

/* ------------------------------------------------------------------ */
/* days_left = floor((E - effective) / 86400). */

static const struct {
	int64_t offset;	/* from E */
	int64_t want;
} days[] = {
	{ -365 * DAY, 365 }, { -DAY - 1, 1 }, { -DAY, 1 }, { -DAY + 1, 0 },
	{ -1, 0 }, { 0, 0 }, { 1, -1 }, { DAY - 1, -1 }, { DAY, -1 },
	{ DAY + 1, -2 }, { 30 * DAY, -30 },
};

START_TEST(test_days_left)
{
	struct bmsub_license l = tlib_license(BMSUB_KIND_PROD, 10, NULL, NULL, NULL);
	struct bmsub_eval ev;

	bmsub_evaluate(&l, 0, NULL, l.expires + days[_i].offset, &ev);
	ck_assert_int_eq(ev.days_left, days[_i].want);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Count phase: over since O, blocked at O + 1 calendar month. */

static const struct {
	int have_count;
	uint64_t count;
	const char *over_since;	/* NULL: none */
	const char *now;
	enum bmsub_count_phase want;
	const char *over_block_at;	/* NULL: NONE */
} counts[] = {
	{ 0, 0, NULL, "2027-03-01T00:00:00Z", BMSUB_COUNT_UNKNOWN, NULL },
	{ 0, 900, "2027-01-15T10:00:00Z", "2027-03-01T00:00:00Z", BMSUB_COUNT_UNKNOWN, NULL },
	{ 1, 0, NULL, "2027-03-01T00:00:00Z", BMSUB_COUNT_WITHIN, NULL },
	{ 1, 250, NULL, "2027-03-01T00:00:00Z", BMSUB_COUNT_WITHIN, NULL },
	/* resolved: C <= N again, a stale O is ignored */
	{ 1, 250, "2027-01-15T10:00:00Z", "2027-03-01T00:00:00Z", BMSUB_COUNT_WITHIN, NULL },
	{ 1, 251, "2027-01-15T10:00:00Z", "2027-01-15T10:00:00Z", BMSUB_COUNT_OVER, "2027-02-15T10:00:00Z" },
	{ 1, 251, "2027-01-15T10:00:00Z", "2027-02-15T09:59:59Z", BMSUB_COUNT_OVER, "2027-02-15T10:00:00Z" },
	{ 1, 251, "2027-01-15T10:00:00Z", "2027-02-15T10:00:00Z", BMSUB_COUNT_OVER_BLOCKED, "2027-02-15T10:00:00Z" },
	{ 1, 251, "2027-01-15T10:00:00Z", "2027-02-15T10:00:01Z", BMSUB_COUNT_OVER_BLOCKED, "2027-02-15T10:00:00Z" },
	/* within the allowance is still over N */
	{ 1, 275, "2027-01-15T10:00:00Z", "2027-01-20T00:00:00Z", BMSUB_COUNT_OVER, "2027-02-15T10:00:00Z" },
	{ 1, UINT64_MAX, "2027-01-15T10:00:00Z", "2027-01-20T00:00:00Z", BMSUB_COUNT_OVER, "2027-02-15T10:00:00Z" },
	/* calendar month clamped */
	{ 1, 300, "2027-01-31T00:00:00Z", "2027-02-27T23:59:59Z", BMSUB_COUNT_OVER, "2027-02-28T00:00:00Z" },
	{ 1, 300, "2027-01-31T00:00:00Z", "2027-02-28T00:00:00Z", BMSUB_COUNT_OVER_BLOCKED, "2027-02-28T00:00:00Z" },
	/* restart: a new O after a resolution starts a new month */
	{ 1, 260, "2027-03-01T00:00:00Z", "2027-03-10T00:00:00Z", BMSUB_COUNT_OVER, "2027-04-01T00:00:00Z" },
	{ 1, 260, "2027-03-01T00:00:00Z", "2027-03-31T23:59:59Z", BMSUB_COUNT_OVER, "2027-04-01T00:00:00Z" },
	{ 1, 260, "2027-03-01T00:00:00Z", "2027-04-01T00:00:00Z", BMSUB_COUNT_OVER_BLOCKED, "2027-04-01T00:00:00Z" },
	/* inconsistent state: over without O never blocks */
	{ 1, 400, NULL, "2027-06-01T00:00:00Z", BMSUB_COUNT_OVER, NULL },
};

START_TEST(test_count_phase)
{
	struct bmsub_license l = tlib_license(BMSUB_KIND_PROD, 10, NULL, NULL, NULL);
	struct bmsub_state st = tlib_state(counts[_i].have_count, counts[_i].count,
	    counts[_i].over_since ? ts(counts[_i].over_since) : NONE, NONE);
	struct bmsub_eval ev;

	bmsub_evaluate(&l, 0, &st, ts(counts[_i].now), &ev);
	ck_assert_int_eq(ev.count_phase, counts[_i].want);
	ck_assert_int_eq(ev.over_block_at, counts[_i].over_block_at ?
	    ts(counts[_i].over_block_at) : NONE);
	ck_assert_int_eq(ev.have_count, counts[_i].have_count);
	if (counts[_i].want == BMSUB_COUNT_OVER ||
	    counts[_i].want == BMSUB_COUNT_OVER_BLOCKED)
		ck_assert_int_eq(ev.over_since, counts[_i].over_since ?
		    ts(counts[_i].over_since) : NONE);
	else
		ck_assert_int_eq(ev.over_since, NONE);
	/* the date phase is independent of the count */
	ck_assert_int_eq(ev.date_phase, BMSUB_DATE_OK);
}
END_TEST

/* The over-count block on the protected clock: a clock set back moves
 * the effective time to H - 1 day, never the raw clock (a machine whose
 * clock goes back must not postpone the block). */
static const struct {
	const char *high_water;	/* NULL: none */
	const char *now;
	enum bmsub_count_phase want;
} count_clocks[] = {
	{ "2027-02-20T00:00:00Z", "2027-02-10T00:00:00Z", BMSUB_COUNT_OVER_BLOCKED },
	{ "2027-02-16T10:00:00Z", "2027-02-01T00:00:00Z", BMSUB_COUNT_OVER_BLOCKED },
	{ "2027-02-16T09:59:59Z", "2027-02-01T00:00:00Z", BMSUB_COUNT_OVER },
	/* a correction of less than a day changes nothing */
	{ "2027-02-16T09:00:00Z", "2027-02-15T09:30:00Z", BMSUB_COUNT_OVER },
	{ NULL, "2027-02-10T00:00:00Z", BMSUB_COUNT_OVER },
	{ NULL, "2027-02-15T10:00:00Z", BMSUB_COUNT_OVER_BLOCKED },
};

START_TEST(test_count_clock_back)
{
	struct bmsub_license l = tlib_license(BMSUB_KIND_PROD, 10, NULL, NULL, NULL);
	struct bmsub_state st = tlib_state(1, 251, ts("2027-01-15T10:00:00Z"),
	    count_clocks[_i].high_water ? ts(count_clocks[_i].high_water) : NONE);
	struct bmsub_eval ev;

	bmsub_evaluate(&l, 0, &st, ts(count_clocks[_i].now), &ev);
	ck_assert_int_eq(ev.count_phase, count_clocks[_i].want);
	ck_assert_int_eq(ev.over_block_at, ts("2027-02-15T10:00:00Z"));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Ceiling and can-add. */

static const struct {
	uint32_t users, percent;
	uint64_t want;
} ceilings[] = {
	{ 250, 0, 250 }, { 250, 10, 275 }, { 250, 25, 312 }, { 7, 10, 7 },
	{ 9, 12, 10 }, { 1, 100, 2 }, { 1, 99, 1 }, { 10, 10, 11 },
	{ 10000000, 100, 20000000 }, { 10000000, 10, 11000000 },
	{ UINT32_MAX, 100, 2 * (uint64_t)UINT32_MAX },
	{ UINT32_MAX, UINT32_MAX, 184467444946163465ull },
};

START_TEST(test_ceiling)
{
	struct bmsub_license l = tlib_license(BMSUB_KIND_PROD, 10, NULL, NULL, NULL);
	struct bmsub_state st = tlib_state(1, ceilings[_i].want - 1, NONE, NONE);
	struct bmsub_eval ev;

	l.users = ceilings[_i].users;
	l.allowance_percent = ceilings[_i].percent;
	bmsub_evaluate(&l, 0, &st, ts("2027-01-01T00:00:00Z"), &ev);
	ck_assert_uint_eq(ev.users, ceilings[_i].users);
	ck_assert_uint_eq(ev.ceiling, ceilings[_i].want);
	ck_assert_int_eq(ev.ceiling_reached, 0);
	st.count = ceilings[_i].want;
	bmsub_evaluate(&l, 0, &st, ts("2027-01-01T00:00:00Z"), &ev);
	ck_assert_int_eq(ev.ceiling_reached, 1);
}
END_TEST

static const struct {
	int have_count;
	uint64_t count, k;
	int want;
} adds[] = {	/* N = 250, P = 10: M = 275 */
	{ 1, 274, 1, 1 }, { 1, 275, 1, 0 }, { 1, 276, 1, 0 },
	{ 1, 274, 2, 0 }, { 1, 275, 0, 1 }, { 1, 276, 0, 0 },
	{ 1, 0, 275, 1 }, { 1, 0, 276, 0 }, { 1, 250, 25, 1 },
	{ 1, 250, 26, 0 }, { 1, 1, UINT64_MAX, 0 }, { 1, 274, UINT64_MAX, 0 },
	{ 1, UINT64_MAX, 1, 0 }, { 1, UINT64_MAX, 0, 0 },
	{ 1, UINT64_MAX, UINT64_MAX, 0 }, { 1, 0, 0, 1 },
	{ 0, 0, 1, 1 }, { 0, 0, 275, 1 }, { 0, 999, 275, 1 },
	/* unknown C is still >= 0: more than M alone never fits */
	{ 0, 0, 276, 0 }, { 0, 999, UINT64_MAX, 0 }, { 0, 0, UINT32_MAX, 0 },
};

START_TEST(test_can_add)
{
	struct bmsub_license l = tlib_license(BMSUB_KIND_PROD, 10, NULL, NULL, NULL);
	struct bmsub_state st = tlib_state(adds[_i].have_count, adds[_i].count,
	    adds[_i].count > 250 ? ts("2027-01-01T00:00:00Z") : NONE, NONE);
	struct bmsub_eval ev;

	bmsub_evaluate(&l, 0, &st, ts("2027-01-02T00:00:00Z"), &ev);
	ck_assert_uint_eq(ev.ceiling, 275);
	ck_assert_int_eq(bmsub_can_add(&ev, adds[_i].k), adds[_i].want);
}
END_TEST

START_TEST(test_can_add_small)
{
	struct bmsub_license l = tlib_license(BMSUB_KIND_FREE, 10, NULL, NULL, NULL);
	struct bmsub_state st = tlib_state(1, 6, NONE, NONE);
	struct bmsub_eval ev;

	l.users = 7;
	bmsub_evaluate(&l, 0, &st, ts("2027-01-02T00:00:00Z"), &ev);
	ck_assert_uint_eq(ev.ceiling, 7);
	ck_assert_int_eq(bmsub_can_add(&ev, 1), 1);
	ck_assert_int_eq(bmsub_can_add(&ev, 2), 0);
	ck_assert_int_eq(bmsub_can_add(NULL, 0), 0);
	/* no valid license and a known count: nothing may be added */
	bmsub_evaluate(NULL, 0, &st, ts("2027-01-02T00:00:00Z"), &ev);
	ck_assert_int_eq(bmsub_can_add(&ev, 1), 0);
	/* ... nor with an unknown count */
	st.have_count = 0;
	bmsub_evaluate(NULL, BMSUB_E_BAD_SIGNATURE, &st,
	    ts("2027-01-02T00:00:00Z"), &ev);
	ck_assert_int_eq(bmsub_can_add(&ev, 0), 0);
	ck_assert_int_eq(bmsub_can_add(&ev, 1), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* next_event: the next threshold strictly after the effective time. */

static const struct {
	int cfg;
	const char *over_since;	/* NULL: none (count 251 when set) */
	const char *now;
	const char *want;	/* NULL: NONE */
	const char *what;
} nexts[] = {
	{ 0, NULL, "2026-11-01T00:00:00Z", "2027-09-02T00:00:00Z", "notice" },
	{ 0, NULL, "2027-09-01T23:59:59Z", "2027-09-02T00:00:00Z", "notice" },
	{ 0, NULL, "2027-09-02T00:00:00Z", "2027-10-02T00:00:00Z", "warning" },
	{ 0, NULL, "2027-10-02T00:00:00Z", "2027-11-02T00:00:00Z", "grace" },
	{ 0, NULL, "2027-11-02T00:00:00Z", "2027-11-12T00:00:00Z", "blocked" },
	{ 0, NULL, "2027-11-12T00:00:00Z", NULL, NULL },
	{ 3, NULL, "2027-10-02T00:00:00Z", "2027-11-02T00:00:00Z", "blocked" },
	{ 4, NULL, "2026-11-01T00:00:00Z", "2027-11-02T00:00:00Z", "blocked" },
	{ 5, NULL, "2026-11-01T00:00:00Z", "2027-11-02T00:00:00Z", "grace" },
	{ 5, NULL, "2027-11-02T00:00:00Z", "2027-11-07T00:00:00Z", "blocked" },
	{ 0, "2027-01-15T10:00:00Z", "2027-01-20T00:00:00Z", "2027-02-15T10:00:00Z", "over-blocked" },
	{ 0, "2027-08-20T00:00:00Z", "2027-08-21T00:00:00Z", "2027-09-02T00:00:00Z", "notice" },
	{ 0, "2027-08-20T00:00:00Z", "2027-09-03T00:00:00Z", "2027-09-20T00:00:00Z", "over-blocked" },
	{ 0, "2027-01-15T10:00:00Z", "2027-03-01T00:00:00Z", "2027-09-02T00:00:00Z", "notice" },
	{ 0, "2027-11-20T00:00:00Z", "2027-11-21T00:00:00Z", "2027-12-20T00:00:00Z", "over-blocked" },
};

START_TEST(test_next_event)
{
	struct bmsub_license l = tlib_license(cfgs[nexts[_i].cfg].kind,
	    cfgs[nexts[_i].cfg].grace, NULL, NULL, NULL);
	struct bmsub_state st = tlib_state(1, nexts[_i].over_since ? 251 : 10,
	    nexts[_i].over_since ? ts(nexts[_i].over_since) : NONE, NONE);
	struct bmsub_eval ev;

	bmsub_evaluate(&l, 0, &st, ts(nexts[_i].now), &ev);
	if (nexts[_i].want == NULL) {
		ck_assert_int_eq(ev.next_event, NONE);
		ck_assert_ptr_null(ev.next_event_what);
	} else {
		ck_assert_int_eq(ev.next_event, ts(nexts[_i].want));
		ck_assert_str_eq(ev.next_event_what, nexts[_i].what);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Names. */

START_TEST(test_names)
{
	static const char *const d[] = { "ok", "notice", "warning", "grace",
		"blocked", "invalid" };
	static const char *const c[] = { "unknown", "within", "over",
		"over-blocked" };
	int i;

	for (i = 0; i < N(d); i++)
		ck_assert_str_eq(bmsub_date_phase_name(i), d[i]);
	for (i = 0; i < N(c); i++)
		ck_assert_str_eq(bmsub_count_phase_name(i), c[i]);
	ck_assert_str_eq(bmsub_decision_name(BMSUB_ALLOW), "allow");
	ck_assert_str_eq(bmsub_decision_name(BMSUB_REDIRECT), "redirect");
	ck_assert_str_eq(bmsub_decision_name(BMSUB_DENY), "deny");
	ck_assert_str_eq(bmsub_date_phase_name(6), "unknown");
	ck_assert_str_eq(bmsub_date_phase_name(-1), "unknown");
	ck_assert_str_eq(bmsub_count_phase_name(4), "unknown");
	ck_assert_str_eq(bmsub_decision_name(3), "unknown");
	ck_assert_str_eq(bmsub_decision_name(-1), "unknown");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("evaluate");
	int nf;

	tcase_add_loop_test(tc, test_date_thresholds, 0, N(thresholds));
	tcase_add_loop_test(tc, test_threshold_fields, 0, N(fields));
	tcase_add_loop_test(tc, test_month_clamping, 0, N(clamps));
	tcase_add_test(tc, test_month_memo);
	tcase_add_loop_test(tc, test_no_license, 0, N(nolic));
	tcase_add_test(tc, test_not_yet_valid);
	tcase_add_loop_test(tc, test_clock, 0, N(clocks));
	tcase_add_test(tc, test_clock_hostile);
	tcase_add_loop_test(tc, test_days_left, 0, N(days));
	tcase_add_loop_test(tc, test_count_phase, 0, N(counts));
	tcase_add_loop_test(tc, test_count_clock_back, 0, N(count_clocks));
	tcase_add_loop_test(tc, test_ceiling, 0, N(ceilings));
	tcase_add_loop_test(tc, test_can_add, 0, N(adds));
	tcase_add_test(tc, test_can_add_small);
	tcase_add_loop_test(tc, test_next_event, 0, N(nexts));
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	nf = tlib_run(s);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
