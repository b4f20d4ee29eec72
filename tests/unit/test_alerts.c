/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_alerts.c - which alerts are due, hour by hour over whole years, and the messages built for them. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmsub.h"
#include "tlib.h"

#define H 3600
#define D 86400

static int64_t
T(const char *s)
{
	int64_t t = 0;

	ck_assert_msg(bmsub_time_parse(s, 0, &t) == 0, "bad time %s", s);
	return t;
}

static void
make_lic(struct bmsub_license *lic, const char *id, enum bmsub_kind kind,
    const char *issued, const char *expires, unsigned grace)
{
	*lic = tlib_license(kind, grace, issued, NULL, expires);
	snprintf(lic->id, sizeof(lic->id), "%s", id);
	snprintf(lic->customer, sizeof(lic->customer), "Exämple SA");
	lic->users = 100;
}

/* ------------------------------------------------------------------ */
/* Table: hand-made evaluations and records. */

static const struct {
	const char *what;
	int date_phase, count_phase, kind, license_err;
	int64_t over_since;
	const char *sent_key;	/* recorded before, or NULL */
	int64_t sent_ago;	/* seconds before now */
	const char *want[2];
} due_cases[] = {
	{ "ok", BMSUB_DATE_OK, BMSUB_COUNT_WITHIN, BMSUB_KIND_PROD, 0,
	    BMSUB_TIME_NONE, NULL, 0, { NULL } },
	{ "notice first", BMSUB_DATE_NOTICE, BMSUB_COUNT_UNKNOWN,
	    BMSUB_KIND_PROD, 0, BMSUB_TIME_NONE, NULL, 0,
	    { "expiry-2m:BM-1" } },
	{ "notice sent", BMSUB_DATE_NOTICE, BMSUB_COUNT_UNKNOWN,
	    BMSUB_KIND_PROD, 0, BMSUB_TIME_NONE, "expiry-2m:BM-1", 20 * D,
	    { NULL } },
	{ "notice sent for another license", BMSUB_DATE_NOTICE,
	    BMSUB_COUNT_UNKNOWN, BMSUB_KIND_PROD, 0, BMSUB_TIME_NONE,
	    "expiry-2m:BM-0", 20 * D, { "expiry-2m:BM-1" } },
	{ "warning after notice", BMSUB_DATE_WARNING, BMSUB_COUNT_WITHIN,
	    BMSUB_KIND_PROD, 0, BMSUB_TIME_NONE, "expiry-2m:BM-1", D,
	    { "expiry-1m:BM-1" } },
	{ "warning sent", BMSUB_DATE_WARNING, BMSUB_COUNT_WITHIN,
	    BMSUB_KIND_PROD, 0, BMSUB_TIME_NONE, "expiry-1m:BM-1", 25 * D,
	    { NULL } },
	{ "grace first", BMSUB_DATE_GRACE, BMSUB_COUNT_WITHIN,
	    BMSUB_KIND_PROD, 0, BMSUB_TIME_NONE, NULL, 0, { "grace:BM-1" } },
	{ "grace 2 days - 1 s", BMSUB_DATE_GRACE, BMSUB_COUNT_WITHIN,
	    BMSUB_KIND_PROD, 0, BMSUB_TIME_NONE, "grace:BM-1", 2 * D - 1,
	    { NULL } },
	{ "grace 2 days", BMSUB_DATE_GRACE, BMSUB_COUNT_WITHIN,
	    BMSUB_KIND_PROD, 0, BMSUB_TIME_NONE, "grace:BM-1", 2 * D,
	    { "grace:BM-1" } },
	{ "grace recorded in the future", BMSUB_DATE_GRACE,
	    BMSUB_COUNT_WITHIN, BMSUB_KIND_PROD, 0, BMSUB_TIME_NONE,
	    "grace:BM-1", -5 * D, { NULL } },
	{ "trial in grace", BMSUB_DATE_GRACE, BMSUB_COUNT_WITHIN,
	    BMSUB_KIND_TRIAL, 0, BMSUB_TIME_NONE, NULL, 0, { "grace:BM-1" } },
	{ "blocked first", BMSUB_DATE_BLOCKED, BMSUB_COUNT_WITHIN,
	    BMSUB_KIND_PROD, 0, BMSUB_TIME_NONE, "grace:BM-1", 3600,
	    { "blocked:BM-1" } },
	{ "blocked 2 days - 1 s", BMSUB_DATE_BLOCKED, BMSUB_COUNT_WITHIN,
	    BMSUB_KIND_HOST, 0, BMSUB_TIME_NONE, "blocked:BM-1", 2 * D - 1,
	    { NULL } },
	{ "blocked 2 days", BMSUB_DATE_BLOCKED, BMSUB_COUNT_WITHIN,
	    BMSUB_KIND_FREE, 0, BMSUB_TIME_NONE, "blocked:BM-1", 2 * D,
	    { "blocked:BM-1" } },
	{ "trial ended", BMSUB_DATE_BLOCKED, BMSUB_COUNT_WITHIN,
	    BMSUB_KIND_TRIAL, 0, BMSUB_TIME_NONE, NULL, 0,
	    { "trial-ended:BM-1" } },
	{ "trial ended, sent long ago", BMSUB_DATE_BLOCKED,
	    BMSUB_COUNT_WITHIN, BMSUB_KIND_TRIAL, 0, BMSUB_TIME_NONE,
	    "trial-ended:BM-1", 300 * D, { NULL } },
	{ "no license", BMSUB_DATE_INVALID, BMSUB_COUNT_UNKNOWN,
	    BMSUB_KIND_PROD, BMSUB_E_NO_LICENSE, BMSUB_TIME_NONE, NULL, 0,
	    { "invalid:no-license" } },
	{ "bad signature, 2 days", BMSUB_DATE_INVALID, BMSUB_COUNT_UNKNOWN,
	    BMSUB_KIND_PROD, BMSUB_E_BAD_SIGNATURE, BMSUB_TIME_NONE,
	    "invalid:bad-signature", 2 * D, { "invalid:bad-signature" } },
	{ "bad signature, 1 day", BMSUB_DATE_INVALID, BMSUB_COUNT_UNKNOWN,
	    BMSUB_KIND_PROD, BMSUB_E_BAD_SIGNATURE, BMSUB_TIME_NONE,
	    "invalid:bad-signature", D, { NULL } },
	{ "over first", BMSUB_DATE_OK, BMSUB_COUNT_OVER, BMSUB_KIND_PROD, 0,
	    1000, NULL, 0, { "over:1000" } },
	{ "over 7 days - 1 s", BMSUB_DATE_OK, BMSUB_COUNT_OVER,
	    BMSUB_KIND_PROD, 0, 1000, "over:1000", 7 * D - 1, { NULL } },
	{ "over 7 days", BMSUB_DATE_OK, BMSUB_COUNT_OVER, BMSUB_KIND_PROD, 0,
	    1000, "over:1000", 7 * D, { "over:1000" } },
	{ "over, new episode", BMSUB_DATE_OK, BMSUB_COUNT_OVER,
	    BMSUB_KIND_PROD, 0, 2000, "over:1000", H, { "over:2000" } },
	{ "over without a start", BMSUB_DATE_OK, BMSUB_COUNT_OVER,
	    BMSUB_KIND_PROD, 0, BMSUB_TIME_NONE, NULL, 0, { NULL } },
	{ "over-blocked", BMSUB_DATE_OK, BMSUB_COUNT_OVER_BLOCKED,
	    BMSUB_KIND_PROD, 0, 1000, "over:1000", H, { "over-blocked:1000" } },
	{ "over-blocked sent", BMSUB_DATE_OK, BMSUB_COUNT_OVER_BLOCKED,
	    BMSUB_KIND_PROD, 0, 1000, "over-blocked:1000", 100 * D, { NULL } },
	{ "both", BMSUB_DATE_WARNING, BMSUB_COUNT_OVER, BMSUB_KIND_PROD, 0,
	    1000, NULL, 0, { "expiry-1m:BM-1", "over:1000" } },
};

START_TEST(test_due_table)
{
	struct bmsub_license lic;
	struct bmsub_state st;
	struct bmsub_eval ev;
	struct bmsub_alert out[BMSUB_ALERTS_MAX];
	int64_t now = T("2027-06-15T12:00:00Z");
	size_t n, k, want = 0;

	make_lic(&lic, "BM-1", due_cases[_i].kind, "2026-01-01", "2027-06-30",
	    10);
	memset(&ev, 0, sizeof(ev));
	ev.now = ev.effective = now;
	ev.date_phase = due_cases[_i].date_phase;
	ev.count_phase = due_cases[_i].count_phase;
	ev.license_err = due_cases[_i].license_err;
	ev.over_since = due_cases[_i].over_since;
	bmsub_state_init(&st);
	if (due_cases[_i].sent_key != NULL)
		ck_assert_int_eq(bmsub_state_sent_set(&st,
		    due_cases[_i].sent_key, now - due_cases[_i].sent_ago), 0);
	n = bmsub_alerts_due(ev.date_phase == BMSUB_DATE_INVALID ? NULL : &lic,
	    &ev, &st, out);
	while (want < 2 && due_cases[_i].want[want] != NULL)
		want++;
	ck_assert_msg(n == want, "%s: %zu alerts, want %zu",
	    due_cases[_i].what, n, want);
	for (k = 0; k < n; k++)
		ck_assert_str_eq(out[k].key, due_cases[_i].want[k]);
	if (n > 0 && due_cases[_i].sent_key != NULL &&
	    strcmp(due_cases[_i].sent_key, out[0].key) == 0)
		ck_assert(out[0].last_sent == now - due_cases[_i].sent_ago);
	bmsub_state_clear(&st);
}
END_TEST

START_TEST(test_no_license_struct)
{
	struct bmsub_eval ev;
	struct bmsub_alert out[BMSUB_ALERTS_MAX];

	/* a license phase without the license it came from: nothing */
	memset(&ev, 0, sizeof(ev));
	ev.date_phase = BMSUB_DATE_NOTICE;
	ev.over_since = BMSUB_TIME_NONE;
	ck_assert_uint_eq(bmsub_alerts_due(NULL, &ev, NULL, out), 0);
	ck_assert_str_eq(bmsub_alert_name(BMSUB_ALERT_OVER_BLOCKED),
	    "over-blocked");
	ck_assert_str_eq(bmsub_alert_name(BMSUB_ALERT__COUNT), "unknown");
	ck_assert_str_eq(bmsub_alert_name((enum bmsub_alert_kind)-1),
	    "unknown");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Whole calendars, hour by hour, with the real policy. */

struct step {
	const char *at;		/* from this hour on ... */
	int count;		/* users counted (-1: unchanged) */
	int renew;		/* switch to the second license */
	int fail;		/* 1: sending fails from here, 0: works */
};

struct sent_log {
	char key[BMSUB_ALERT_KEY_MAX];
	int64_t at;
};

static size_t
simulate(struct bmsub_license *lic1, struct bmsub_license *lic2,
    const char *from, const char *to, const struct step *steps,
    size_t nsteps, struct sent_log *log, size_t max)
{
	struct bmsub_state st;
	struct bmsub_eval ev;
	struct bmsub_alert out[BMSUB_ALERTS_MAX];
	struct bmsub_license *lic = lic1;
	int64_t t, end = T(to);
	size_t n = 0, k, a, s = 0;
	int fail = 0;

	bmsub_state_init(&st);
	for (t = T(from); t < end; t += H) {
		for (; s < nsteps && T(steps[s].at) <= t; s++) {
			if (steps[s].count >= 0) {
				int over = (uint64_t)steps[s].count > lic->users;

				/* what refresh records */
				if (over && st.over_since == BMSUB_TIME_NONE)
					st.over_since = t;
				else if (!over)
					st.over_since = BMSUB_TIME_NONE;
				st.have_count = 1;
				st.count = (uint64_t)steps[s].count;
			}
			if (steps[s].renew)
				lic = lic2;
			fail = steps[s].fail;
		}
		bmsub_evaluate(lic, 0, &st, t, &ev);
		a = bmsub_alerts_due(lic, &ev, &st, out);
		for (k = 0; k < a; k++) {
			if (fail)
				continue;	/* not sent: not recorded */
			ck_assert_uint_lt(n, max);
			snprintf(log[n].key, sizeof(log[n].key), "%s",
			    out[k].key);
			log[n++].at = t;
			ck_assert_int_eq(bmsub_state_sent_set(&st, out[k].key,
			    ev.effective), 0);
		}
		bmsub_alerts_prune(lic, &ev, &st);
		if (st.high_water == BMSUB_TIME_NONE || st.high_water < t)
			st.high_water = t;
	}
	bmsub_state_clear(&st);
	return n;
}

static void
assert_log(const struct sent_log *log, size_t n, const char *const *want,
    size_t nwant)
{
	char buf[32], got[160];
	size_t i;

	for (i = 0; i < n || i < nwant; i++) {
		got[0] = '\0';
		if (i < n) {
			bmsub_time_format(log[i].at, buf, sizeof(buf));
			snprintf(got, sizeof(got), "%s %s", buf, log[i].key);
		}
		ck_assert_msg(i < nwant && strcmp(got, want[i]) == 0,
		    "alert %zu: got '%s', want '%s'", i, got,
		    i < nwant ? want[i] : "(none)");
	}
}

START_TEST(test_year_prod)
{
	static const struct step steps[] = {
		{ "2027-02-01T00:00:00Z", 105, 0, 0 },
		{ "2027-03-10T09:00:00Z", 95, 0, 0 },
		{ "2027-06-01T00:00:00Z", -1, 0, 1 },	/* sendmail down */
		{ "2027-06-01T05:00:00Z", -1, 0, 0 },
		{ "2027-07-20T12:00:00Z", -1, 1, 0 },	/* renewed */
		{ "2027-10-01T00:00:00Z", 120, 0, 0 },
	};
	static const char *const want[] = {
		"2027-02-01T00:00:00Z over:1801440000",
		"2027-02-08T00:00:00Z over:1801440000",
		"2027-02-15T00:00:00Z over:1801440000",
		"2027-02-22T00:00:00Z over:1801440000",
		"2027-03-01T00:00:00Z over-blocked:1801440000",
		"2027-05-01T00:00:00Z expiry-2m:BM-Y1",
		"2027-06-01T05:00:00Z expiry-1m:BM-Y1",
		"2027-07-01T00:00:00Z grace:BM-Y1",
		"2027-07-03T00:00:00Z grace:BM-Y1",
		"2027-07-05T00:00:00Z grace:BM-Y1",
		"2027-07-07T00:00:00Z grace:BM-Y1",
		"2027-07-09T00:00:00Z grace:BM-Y1",
		"2027-07-11T00:00:00Z blocked:BM-Y1",
		"2027-07-13T00:00:00Z blocked:BM-Y1",
		"2027-07-15T00:00:00Z blocked:BM-Y1",
		"2027-07-17T00:00:00Z blocked:BM-Y1",
		"2027-07-19T00:00:00Z blocked:BM-Y1",
		"2027-10-01T00:00:00Z over:1822348800",
		"2027-10-08T00:00:00Z over:1822348800",
		"2027-10-15T00:00:00Z over:1822348800",
		"2027-10-22T00:00:00Z over:1822348800",
		"2027-10-29T00:00:00Z over:1822348800",
		"2027-11-01T00:00:00Z over-blocked:1822348800",
	};
	struct bmsub_license l1, l2;
	struct sent_log log[64];
	size_t n;

	make_lic(&l1, "BM-Y1", BMSUB_KIND_PROD, "2026-07-01", "2027-06-30", 10);
	make_lic(&l2, "BM-Y2", BMSUB_KIND_PROD, "2027-07-20", "2028-06-30", 10);
	n = simulate(&l1, &l2, "2027-01-01", "2028-01-01", steps,
	    sizeof(steps) / sizeof(steps[0]), log, 64);
	assert_log(log, n, want, sizeof(want) / sizeof(want[0]));
}
END_TEST

START_TEST(test_year_trial)
{
	static const char *const want0[] = {
		"2027-03-01T00:00:00Z trial-ended:TR-1",
	};
	static const char *const want5[] = {
		"2027-03-01T00:00:00Z grace:TR-1",
		"2027-03-03T00:00:00Z grace:TR-1",
		"2027-03-05T00:00:00Z grace:TR-1",
		"2027-03-06T00:00:00Z trial-ended:TR-1",
	};
	struct bmsub_license l;
	struct sent_log log[64];
	size_t n;

	make_lic(&l, "TR-1", BMSUB_KIND_TRIAL, "2027-01-01", "2027-02-28", 0);
	n = simulate(&l, NULL, "2027-01-01", "2028-01-01", NULL, 0, log, 64);
	assert_log(log, n, want0, 1);
	make_lic(&l, "TR-1", BMSUB_KIND_TRIAL, "2027-01-01", "2027-02-28", 5);
	n = simulate(&l, NULL, "2027-01-01", "2028-01-01", NULL, 0, log, 64);
	assert_log(log, n, want5, 4);
}
END_TEST

START_TEST(test_stale_skipped)
{
	/* first run in warning: the 2-month alert is never sent; first run
	 * in blocked: no warning nor grace alert either */
	static const char *const want_w[] = {
		"2027-06-10T00:00:00Z expiry-1m:BM-S",
		"2027-07-01T00:00:00Z grace:BM-S",
		"2027-07-03T00:00:00Z grace:BM-S",
	};
	static const char *const want_b[] = {
		"2027-07-20T00:00:00Z blocked:BM-S",
		"2027-07-22T00:00:00Z blocked:BM-S",
	};
	struct bmsub_license l;
	struct sent_log log[64];
	size_t n;

	make_lic(&l, "BM-S", BMSUB_KIND_PROD, "2026-07-01", "2027-06-30", 4);
	n = simulate(&l, NULL, "2027-06-10", "2027-07-05", NULL, 0, log, 64);
	assert_log(log, n, want_w, 3);
	n = simulate(&l, NULL, "2027-07-20", "2027-07-23", NULL, 0, log, 64);
	assert_log(log, n, want_b, 2);
}
END_TEST

START_TEST(test_clock_back)
{
	/* a clock set back 10 days: the effective time stays at H - 1 day,
	 * so nothing is repeated while the clock catches up */
	struct bmsub_license l;
	struct bmsub_state st;
	struct bmsub_eval ev;
	struct bmsub_alert out[BMSUB_ALERTS_MAX];
	int64_t t, t0 = T("2027-07-15T00:00:00Z");

	make_lic(&l, "BM-C", BMSUB_KIND_PROD, "2026-07-01", "2027-06-30", 10);
	bmsub_state_init(&st);
	st.high_water = t0;
	bmsub_evaluate(&l, 0, &st, t0, &ev);
	ck_assert_uint_eq(bmsub_alerts_due(&l, &ev, &st, out), 1);
	ck_assert_int_eq(bmsub_state_sent_set(&st, out[0].key, ev.effective), 0);
	for (t = t0 - 10 * D; t < t0 + D; t += H) {
		bmsub_evaluate(&l, 0, &st, t, &ev);
		ck_assert_uint_eq(bmsub_alerts_due(&l, &ev, &st, out), 0);
	}
	bmsub_evaluate(&l, 0, &st, t0 + 2 * D, &ev);
	ck_assert_uint_eq(bmsub_alerts_due(&l, &ev, &st, out), 1);
	bmsub_state_clear(&st);
}
END_TEST

/* Due on the effective clock too: sent at t0, the clock went on to
 * t0 + 3 days (H), then was set back to t0 + 1 day. The effective time
 * is H - 1 day = t0 + 2 days: the 2-day reminder is due, not postponed
 * until the raw clock catches up. */
START_TEST(test_clock_back_due)
{
	struct bmsub_license l;
	struct bmsub_state st;
	struct bmsub_eval ev;
	struct bmsub_alert out[BMSUB_ALERTS_MAX];
	int64_t t0 = T("2027-07-03T00:00:00Z");

	make_lic(&l, "BM-C", BMSUB_KIND_PROD, "2026-07-01", "2027-06-30", 10);
	bmsub_state_init(&st);
	bmsub_evaluate(&l, 0, &st, t0, &ev);
	ck_assert_int_eq(ev.date_phase, BMSUB_DATE_GRACE);
	ck_assert_uint_eq(bmsub_alerts_due(&l, &ev, &st, out), 1);
	ck_assert_int_eq(bmsub_state_sent_set(&st, out[0].key, t0), 0);
	st.high_water = t0 + 3 * D;
	bmsub_evaluate(&l, 0, &st, t0 + D, &ev);
	ck_assert_int_eq(ev.effective, t0 + 2 * D);
	ck_assert_uint_eq(bmsub_alerts_due(&l, &ev, &st, out), 1);
	ck_assert_int_eq(out[0].last_sent, t0);
	/* a second short of the cadence: not yet */
	st.high_water = t0 + 3 * D - 1;
	bmsub_evaluate(&l, 0, &st, t0 + D, &ev);
	ck_assert_uint_eq(bmsub_alerts_due(&l, &ev, &st, out), 0);
	bmsub_state_clear(&st);
}
END_TEST

/* Only a whole ":SUFFIX" makes a key current: "XBM-P" is not license
 * BM-P's, and with no episode the empty suffix matches nothing. */
START_TEST(test_prune_suffix)
{
	struct bmsub_license l;
	struct bmsub_state st;
	struct bmsub_eval ev;
	int64_t now = T("2029-01-01T00:00:00Z"), at;

	make_lic(&l, "BM-P", BMSUB_KIND_PROD, "2028-01-01", "2029-12-31", 10);
	bmsub_state_init(&st);
	ck_assert_int_eq(bmsub_state_sent_set(&st, "expiry-2m:XBM-P",
	    now - 500 * D), 0);
	ck_assert_int_eq(bmsub_state_sent_set(&st, "over:", now - 500 * D), 0);
	ck_assert_int_eq(bmsub_state_sent_set(&st, "grace:BM-P",
	    now - 500 * D), 0);
	bmsub_evaluate(&l, 0, &st, now, &ev);
	ck_assert_int_eq(ev.over_since, BMSUB_TIME_NONE);
	ck_assert_uint_eq(bmsub_alerts_prune(&l, &ev, &st), 2);
	ck_assert_int_eq(bmsub_state_sent_get(&st, "expiry-2m:XBM-P", &at),
	    BMSUB_E_NOT_FOUND);
	ck_assert_int_eq(bmsub_state_sent_get(&st, "over:", &at),
	    BMSUB_E_NOT_FOUND);
	ck_assert_int_eq(bmsub_state_sent_get(&st, "grace:BM-P", &at), 0);
	bmsub_state_clear(&st);
}
END_TEST

START_TEST(test_prune)
{
	struct bmsub_license l;
	struct bmsub_state st;
	struct bmsub_eval ev;
	int64_t now = T("2029-01-01T00:00:00Z"), at;

	make_lic(&l, "BM-P", BMSUB_KIND_PROD, "2028-01-01", "2029-12-31", 10);
	bmsub_state_init(&st);
	ck_assert_int_eq(bmsub_state_sent_set(&st, "expiry-2m:BM-OLD",
	    now - 401 * D), 0);				/* dropped */
	ck_assert_int_eq(bmsub_state_sent_set(&st, "expiry-1m:BM-OLD",
	    now - 399 * D), 0);				/* kept: young */
	ck_assert_int_eq(bmsub_state_sent_set(&st, "expiry-2m:BM-P",
	    now - 900 * D), 0);				/* kept: current */
	ck_assert_int_eq(bmsub_state_sent_set(&st, "over:12345",
	    now - 500 * D), 0);				/* dropped */
	ck_assert_int_eq(bmsub_state_sent_set(&st, "over-blocked:777",
	    now - 500 * D), 0);				/* kept: episode */
	st.have_count = 1;
	st.count = 150;
	st.over_since = 777;
	bmsub_evaluate(&l, 0, &st, now, &ev);
	ck_assert_uint_eq(bmsub_alerts_prune(&l, &ev, &st), 2);
	ck_assert_uint_eq(st.n_sent, 3);
	ck_assert_int_eq(bmsub_state_sent_get(&st, "expiry-2m:BM-OLD", &at),
	    BMSUB_E_NOT_FOUND);
	ck_assert_int_eq(bmsub_state_sent_get(&st, "over:12345", &at),
	    BMSUB_E_NOT_FOUND);
	ck_assert_int_eq(bmsub_state_sent_get(&st, "expiry-1m:BM-OLD", &at), 0);
	ck_assert_int_eq(bmsub_state_sent_get(&st, "expiry-2m:BM-P", &at), 0);
	ck_assert_int_eq(bmsub_state_sent_get(&st, "over-blocked:777", &at), 0);
	bmsub_state_clear(&st);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Messages */

static const struct {
	const char *at, *want;
} dates[] = {
	{ "1970-01-01T00:00:00Z", "Thu, 01 Jan 1970 00:00:00 +0000" },
	{ "2000-02-29T12:34:56Z", "Tue, 29 Feb 2000 12:34:56 +0000" },
	{ "2026-11-22T20:19:27Z", "Sun, 22 Nov 2026 20:19:27 +0000" },
	{ "2027-07-01T00:00:00Z", "Thu, 01 Jul 2027 00:00:00 +0000" },
	{ "2027-12-31T23:59:59Z", "Fri, 31 Dec 2027 23:59:59 +0000" },
	{ "2100-03-01T00:00:00Z", "Mon, 01 Mar 2100 00:00:00 +0000" },
	{ "9999-12-31T23:59:59Z", "Fri, 31 Dec 9999 23:59:59 +0000" },
};

START_TEST(test_mail_date)
{
	char buf[40];

	bmsub_mail_date(T(dates[_i].at), buf, sizeof(buf));
	ck_assert_str_eq(buf, dates[_i].want);
}
END_TEST

static char *
compose(struct bmsub_license *lic, int64_t now, const char *key_want,
    const char *const *to, size_t nto)
{
	struct bmsub_state st;
	struct bmsub_eval ev;
	struct bmsub_alert out[BMSUB_ALERTS_MAX];
	struct bmsub_strlist rl = { (char **)to, nto };
	struct bmsub_mail_params mp;
	struct bmsub_error e;
	char *msg = NULL;

	bmsub_state_init(&st);
	bmsub_evaluate(lic, 0, &st, now, &ev);
	ck_assert_uint_eq(bmsub_alerts_due(lic, &ev, &st, out), 1);
	ck_assert_str_eq(out[0].key, key_want);
	memset(&mp, 0, sizeof(mp));
	mp.from = "bmsub@mx.example.test";
	mp.to = &rl;
	mp.message_id = "<x.1@mx.example.test>";
	mp.hostname = "mx.example.test";
	mp.admin_url = "https://admin.example.test/sub";
	mp.date = now;
	ck_assert_int_eq(bmsub_mail_compose(&out[0], lic, &ev, &mp, &msg, &e), 0);
	ck_assert_ptr_nonnull(msg);
	return msg;
}

START_TEST(test_mail_headers)
{
	static const char *const to[] = { "a@example.test", "b@example.test" };
	static const char *const need[] = {
		"From: bmsub@mx.example.test\n",
		"To: a@example.test,\n b@example.test\n",
		"Subject: =?UTF-8?B?",
		"Date: Sat, 01 May 2027 00:00:00 +0000\n",
		"Message-ID: <x.1@mx.example.test>\n",
		"Auto-Submitted: auto-generated\n",
		"MIME-Version: 1.0\n",
		"Content-Type: text/plain; charset=UTF-8\n",
		"Content-Transfer-Encoding: 8bit\n\n",
		"Exämple SA",		/* 8-bit body */
		"2027-06-30",		/* last day */
		"61 days",		/* days left */
		"bmsub-check install FILE",
		"https://admin.example.test/sub",
	};
	struct bmsub_license l;
	char *msg, *body, *p;
	size_t i;

	make_lic(&l, "BM-M", BMSUB_KIND_PROD, "2026-07-01", "2027-06-30", 10);
	msg = compose(&l, T("2027-05-01"), "expiry-2m:BM-M", to, 2);
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		ck_assert_msg(strstr(msg, need[i]) != NULL, "no '%s' in:\n%s",
		    need[i], msg);
	body = strstr(msg, "\n\n");
	ck_assert_ptr_nonnull(body);
	/* headers: ASCII only, every line under 78 bytes */
	for (p = msg; p < body; p++)
		ck_assert((unsigned char)*p < 0x80);
	for (p = msg; (p = strchr(p, '\n')) != NULL && p < body; p++)
		ck_assert(strcspn(p + 1, "\n") <= 78);
	/* body lines: at most 78 bytes, no CR */
	for (p = body; *p != '\0'; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != '\0'))
		ck_assert_msg(strcspn(p, "\n") <= 78, "long line: %.*s", (int)strcspn(p, "\n"), p);
	ck_assert_ptr_null(strchr(msg, '\r'));
	free(msg);
}
END_TEST

START_TEST(test_mail_ascii_and_controls)
{
	static const char *const to[] = { "a@example.test" };
	struct bmsub_license l;
	char *msg;

	make_lic(&l, "BM-A", BMSUB_KIND_PROD, "2026-07-01", "2027-06-30", 10);
	/* a customer cannot smuggle a header in */
	snprintf(l.customer, sizeof(l.customer), "ACME\nBcc: evil@x.test");
	msg = compose(&l, T("2027-07-02"), "grace:BM-A", to, 1);
	ck_assert_ptr_nonnull(strstr(msg, "Subject: [bmsub] ACME?Bcc: evil@x.test: "
	    "license BM-A has EXPIRED, logins will be blocked on 2027-07-11\n"));
	ck_assert_ptr_null(strstr(msg, "\nBcc:"));
	free(msg);
}
END_TEST

START_TEST(test_mail_refused)
{
	struct bmsub_license l;
	struct bmsub_eval ev;
	struct bmsub_alert a;
	struct bmsub_strlist none = { NULL, 0 };
	struct bmsub_mail_params mp;
	struct bmsub_error e;
	char *msg = (char *)1;

	make_lic(&l, "BM-R", BMSUB_KIND_PROD, "2026-07-01", "2027-06-30", 10);
	bmsub_evaluate(&l, 0, NULL, T("2027-05-02"), &ev);
	memset(&a, 0, sizeof(a));
	a.kind = BMSUB_ALERT_EXPIRY_2M;
	memset(&mp, 0, sizeof(mp));
	mp.from = "a@b.cd";
	mp.to = &none;
	mp.message_id = "<x@y>";
	ck_assert_int_eq(bmsub_mail_compose(&a, &l, &ev, &mp, &msg, &e),
	    BMSUB_E_INVALID);
	ck_assert_ptr_null(msg);
	mp.to = NULL;
	ck_assert_int_eq(bmsub_mail_compose(&a, &l, &ev, &mp, &msg, &e),
	    BMSUB_E_INVALID);
	a.kind = BMSUB_ALERT__COUNT;
	ck_assert_int_eq(bmsub_mail_compose(&a, &l, &ev, NULL, &msg, &e),
	    BMSUB_E_INVALID);
}
END_TEST

START_TEST(test_mail_every_kind)
{
	/* every alert kind composes, with its own subject */
	static const char *const to[] = { "a@example.test" };
	struct bmsub_strlist rl = { (char **)to, 1 };
	struct bmsub_license l;
	struct bmsub_eval ev;
	struct bmsub_alert a;
	struct bmsub_mail_params mp;
	struct bmsub_error e;
	char *msg, subj[8][200];
	int k, j;

	make_lic(&l, "BM-K", BMSUB_KIND_PROD, "2026-07-01", "2027-06-30", 10);
	bmsub_evaluate(&l, 0, NULL, T("2027-05-02"), &ev);
	memset(&mp, 0, sizeof(mp));
	mp.from = "a@b.cd";
	mp.to = &rl;
	mp.message_id = "<x@y>";
	mp.hostname = "h";
	for (k = 0; k < BMSUB_ALERT__COUNT; k++) {
		memset(&a, 0, sizeof(a));
		a.kind = (enum bmsub_alert_kind)k;
		snprintf(a.key, sizeof(a.key), "%s:x", bmsub_alert_name(a.kind));
		ck_assert_int_eq(bmsub_mail_compose(&a, k == BMSUB_ALERT_INVALID ?
		    NULL : &l, &ev, &mp, &msg, &e), 0);
		ck_assert_ptr_nonnull(strstr(msg, "What to do"));
		snprintf(subj[k], sizeof(subj[k]), "%.*s",
		    (int)strcspn(strstr(msg, "Subject:"), "\n"),
		    strstr(msg, "Subject:"));
		for (j = 0; j < k; j++)
			if (k != BMSUB_ALERT_EXPIRY_1M || j != BMSUB_ALERT_EXPIRY_2M)
				ck_assert_str_ne(subj[j], subj[k]);
		free(msg);
	}
}
END_TEST

/*
 * Golden messages: every alert kind (and the variants its text depends
 * on) composed at a fixed time, compared byte for byte with
 * tests/data/mail/NAME.eml. After a deliberate change of a text, run
 * tests/data/mail/regen.sh and read the diff.
 */
static const struct {
	const char *name;	/* file name without .eml */
	enum bmsub_alert_kind want;
	int kind;		/* license kind, -1: no license */
	const char *expires, *starts;
	unsigned grace;
	int count;		/* -1: never counted */
	const char *over_since, *now, *customer;
	int no_admin_url;
} golden[] = {
	{ "expiry-2m", BMSUB_ALERT_EXPIRY_2M, BMSUB_KIND_PROD, "2027-06-30",
	    NULL, 10, 90, NULL, "2027-05-01", NULL, 0 },
	{ "expiry-2m-no-grace", BMSUB_ALERT_EXPIRY_2M, BMSUB_KIND_FREE,
	    "2027-06-30", NULL, 0, -1, NULL, "2027-05-01T06:00:00Z", NULL, 1 },
	{ "expiry-1m", BMSUB_ALERT_EXPIRY_1M, BMSUB_KIND_HOST, "2027-06-30",
	    NULL, 10, 100, NULL, "2027-06-01", NULL, 0 },
	{ "expiry-1m-long-customer", BMSUB_ALERT_EXPIRY_1M, BMSUB_KIND_PROD,
	    "2027-06-30", NULL, 3, 12, NULL, "2027-06-10",
	    "Société d'exploitation des services de messagerie électronique "
	    "de la Région Île-de-France", 0 },
	{ "grace", BMSUB_ALERT_GRACE, BMSUB_KIND_PROD, "2027-06-30", NULL, 10,
	    90, NULL, "2027-07-02T13:00:00Z", NULL, 0 },
	{ "grace-trial", BMSUB_ALERT_GRACE, BMSUB_KIND_TRIAL, "2027-02-28",
	    NULL, 5, 3, NULL, "2027-03-01", NULL, 0 },
	{ "blocked", BMSUB_ALERT_BLOCKED, BMSUB_KIND_FREE, "2027-06-30", NULL,
	    0, 4, NULL, "2027-07-15", NULL, 0 },
	{ "trial-ended", BMSUB_ALERT_TRIAL_ENDED, BMSUB_KIND_TRIAL,
	    "2027-02-28", NULL, 0, -1, NULL, "2027-03-02", NULL, 0 },
	{ "trial-ended-after-grace", BMSUB_ALERT_TRIAL_ENDED,
	    BMSUB_KIND_TRIAL, "2027-02-28", NULL, 4, 5, NULL, "2027-03-05",
	    NULL, 1 },
	{ "invalid-no-license", BMSUB_ALERT_INVALID, -1, NULL, NULL, 0, 40,
	    NULL, "2027-05-01", NULL, 0 },
	{ "invalid-not-yet-valid", BMSUB_ALERT_INVALID, BMSUB_KIND_PROD,
	    "2028-06-30", "2027-09-01", 10, 50, NULL, "2027-05-01", NULL, 0 },
	{ "over", BMSUB_ALERT_OVER, BMSUB_KIND_PROD, "2027-12-31", NULL, 10,
	    105, "2027-04-20T10:00:00Z", "2027-05-01", NULL, 0 },
	{ "over-ceiling", BMSUB_ALERT_OVER, BMSUB_KIND_HOST, "2027-12-31",
	    NULL, 10, 110, "2027-04-20T10:00:00Z", "2027-04-20T10:00:00Z",
	    NULL, 0 },
	{ "over-blocked", BMSUB_ALERT_OVER_BLOCKED, BMSUB_KIND_PROD,
	    "2027-12-31", NULL, 10, 130, "2027-03-31T10:00:00Z", "2027-05-01",
	    NULL, 0 },
};

static const char *url_override;	/* test_mail_long_url */

static char *
golden_compose(int i)
{
	static const char *const to[] = { "ops@example.test",
	    "boss@example.test" };
	struct bmsub_strlist rl = { (char **)to, 2 };
	struct bmsub_license lic;
	struct bmsub_state st;
	struct bmsub_eval ev;
	struct bmsub_alert out[BMSUB_ALERTS_MAX];
	struct bmsub_mail_params mp;
	struct bmsub_error e;
	const struct bmsub_license *lp = NULL;
	int64_t now = T(golden[i].now);
	char *msg = NULL;
	size_t n, k;

	if (golden[i].kind >= 0) {
		make_lic(&lic, "BM-GOLD-1", golden[i].kind, "2026-07-01",
		    golden[i].expires, golden[i].grace);
		if (golden[i].starts != NULL)
			lic.starts = T(golden[i].starts);
		if (golden[i].customer != NULL)
			snprintf(lic.customer, sizeof(lic.customer), "%s",
			    golden[i].customer);
		lp = &lic;
	}
	bmsub_state_init(&st);
	if (golden[i].count >= 0) {
		st.have_count = 1;
		st.count = (uint64_t)golden[i].count;
	}
	if (golden[i].over_since != NULL)
		st.over_since = T(golden[i].over_since);
	bmsub_evaluate(lp, lp != NULL ? 0 : BMSUB_E_NO_LICENSE, &st, now, &ev);
	n = bmsub_alerts_due(lp, &ev, &st, out);
	for (k = 0; k < n && out[k].kind != golden[i].want; k++)
		;
	ck_assert_msg(k < n, "%s: alert not due", golden[i].name);
	memset(&mp, 0, sizeof(mp));
	mp.from = "bmsub@mx.example.test";
	mp.to = &rl;
	mp.message_id = "<20270501.1@mx.example.test>";
	mp.hostname = "mx.example.test";
	mp.admin_url = golden[i].no_admin_url ? NULL : url_override != NULL ?
	    url_override : "https://admin.example.test/subscription";
	mp.date = now;
	ck_assert_int_eq(bmsub_mail_compose(&out[k], lp, &ev, &mp, &msg, &e),
	    0);
	return msg;
}

START_TEST(test_mail_golden)
{
	const char *top = getenv("TOP");
	char path[4096], *msg = golden_compose(_i), *want = NULL;
	size_t len = 0, cap = 0, r;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/mail/%s.eml",
	    top != NULL ? top : ".", golden[_i].name);
	if (getenv("BMSUB_MAIL_REGEN") != NULL) {
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		ck_assert_uint_eq(fwrite(msg, 1, strlen(msg), f), strlen(msg));
		ck_assert_int_eq(fclose(f), 0);
		free(msg);
		return;
	}
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: missing (tests/data/mail/regen.sh)",
	    path);
	do {
		if (len + 4096 > cap)
			ck_assert_ptr_nonnull(want = realloc(want,
			    cap = len + 8192));
		r = fread(want + len, 1, cap - len - 1, f);
		len += r;
	} while (r > 0);
	fclose(f);
	want[len] = '\0';
	ck_assert_msg(strcmp(msg, want) == 0, "%s differs; got:\n%s",
	    golden[_i].name, msg);
	free(want);
	free(msg);
}
END_TEST

/* What every message tells of administrators (issue 8: redirected on the
 * web, not denied) and of the days left (never a negative count). */
START_TEST(test_mail_admins_redirected)
{
	char *msg = golden_compose(_i), *p;
	int k = golden[_i].want;

	for (p = msg; *p != '\0'; p++)	/* unwrap the paragraphs */
		if (*p == '\n')
			*p = ' ';
	for (p = msg; (p = strstr(p, "  ")) != NULL;)
		memmove(p, p + 1, strlen(p));
	ck_assert_msg(strstr(msg, "redirected to the admin page") != NULL,
	    "%s: says nothing of the redirect", golden[_i].name);
	ck_assert_msg(strstr(msg, "administrators are denied") == NULL &&
	    strstr(msg, "sent to the admin page") == NULL &&
	    strstr(msg, "every login") == NULL &&
	    strstr(msg, "Every login") == NULL, "%s: admins denied?",
	    golden[_i].name);
	if (k == BMSUB_ALERT_BLOCKED || k == BMSUB_ALERT_TRIAL_ENDED ||
	    k == BMSUB_ALERT_INVALID || k == BMSUB_ALERT_OVER_BLOCKED)
		ck_assert_msg(strstr(msg, "Administrators are not denied on "
		    "web services") != NULL, "%s", golden[_i].name);
	ck_assert_msg(strstr(msg, "Days left") == NULL &&
	    strstr(msg, "Expiry: -") == NULL && strstr(msg, " 0 days") ==
	    NULL && strstr(msg, " 1 days") == NULL && strstr(msg, " 1 users")
	    == NULL, "%s: days or users", golden[_i].name);
	free(msg);
}
END_TEST

/* The longest admin_url the config accepts, on one line, whole, in every
 * kind of message (issue 8: a long admin_url is never cut). */
START_TEST(test_mail_long_url)
{
	static char url[BMSUB_ADMIN_URL_MAX + 1], line[BMSUB_ADMIN_URL_MAX + 32];
	char *msg;

	memset(url, 'u', BMSUB_ADMIN_URL_MAX);
	memcpy(url, "https://", 8);
	url[BMSUB_ADMIN_URL_MAX] = '\0';
	snprintf(line, sizeof(line), "\n  Admin page:    %s\n", url);
	url_override = url;
	msg = golden_compose(_i);
	url_override = NULL;
	if (!golden[_i].no_admin_url)
		ck_assert_msg(strstr(msg, line) != NULL, "%s: URL cut",
		    golden[_i].name);
	free(msg);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("alerts");
	TCase *tc = tcase_create("alerts");
	int nf;

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_mail_long_url, 0,
	    sizeof(golden) / sizeof(golden[0]));
	tcase_add_loop_test(tc, test_mail_admins_redirected, 0,
	    sizeof(golden) / sizeof(golden[0]));
	tcase_add_loop_test(tc, test_due_table, 0,
	    sizeof(due_cases) / sizeof(due_cases[0]));
	tcase_add_test(tc, test_no_license_struct);
	tcase_add_test(tc, test_year_prod);
	tcase_add_test(tc, test_year_trial);
	tcase_add_test(tc, test_stale_skipped);
	tcase_add_test(tc, test_clock_back);
	tcase_add_test(tc, test_prune);
	tcase_add_test(tc, test_prune_suffix);
	tcase_add_test(tc, test_clock_back_due);
	tcase_add_loop_test(tc, test_mail_date, 0,
	    sizeof(dates) / sizeof(dates[0]));
	tcase_add_test(tc, test_mail_headers);
	tcase_add_test(tc, test_mail_ascii_and_controls);
	tcase_add_test(tc, test_mail_refused);
	tcase_add_test(tc, test_mail_every_kind);
	tcase_add_loop_test(tc, test_mail_golden, 0,
	    sizeof(golden) / sizeof(golden[0]));
	suite_add_tcase(s, tc);
	nf = tlib_run(s);
	return nf == 0 ? 0 : 1;
}
