/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_schedule.c - what notify sends, hour by hour over 15 months, is exactly what the timeline lists, for every kind of license and over-count episode. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmsub.h"
#include "internal.h"
#include "tlib.h"

#define H 3600
#define D 86400
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NONE BMSUB_TIME_NONE

/* The calendar every case walks: a month before the earliest issue to
 * well after the latest block. */
#define WALK_FROM "2026-10-01T00:00:00Z"
#define WALK_TO "2028-01-01T00:00:00Z"
#define USERS 100

struct count_change {
	const char *at;		/* from this hour on (refresh) ... */
	unsigned count;		/* ... this many users are counted */
};

static const struct walk {
	const char *name;
	enum bmsub_kind kind;
	unsigned grace;
	const char *issued, *starts, *expires;	/* expires: a date, as in
						 * a license (end of day) */
	struct count_change counts[4];	/* none: never counted */
} walks[] = {
	{ "prod, 10 grace days", BMSUB_KIND_PROD, 10, "2026-11-01", NULL,
	    "2027-10-31", { { NULL, 0 } } },
	{ "prod, no grace", BMSUB_KIND_PROD, 0, "2026-11-01", NULL,
	    "2027-10-31", { { NULL, 0 } } },
	{ "host, 3 grace days, issued at 08:00", BMSUB_KIND_HOST, 3,
	    "2026-11-01T08:00:00Z", NULL, "2027-06-15", { { NULL, 0 } } },
	{ "free, 7 grace days, E = 31 March (months clamp)", BMSUB_KIND_FREE,
	    7, "2026-11-01", NULL, "2027-03-30", { { NULL, 0 } } },
	{ "trial, no grace", BMSUB_KIND_TRIAL, 0, "2027-06-01", NULL,
	    "2027-08-31", { { NULL, 0 } } },
	{ "trial, 4 grace days", BMSUB_KIND_TRIAL, 4, "2027-06-01", NULL,
	    "2027-08-31", { { NULL, 0 } } },
	{ "trial, 5 grace days", BMSUB_KIND_TRIAL, 5, "2027-06-01", NULL,
	    "2027-08-31", { { NULL, 0 } } },
	{ "trial, 1 grace day", BMSUB_KIND_TRIAL, 1, "2027-06-01", NULL,
	    "2027-08-31", { { NULL, 0 } } },
	{ "prod starting later, in its notice period", BMSUB_KIND_PROD, 10,
	    "2026-11-01", "2027-08-20T00:00:00Z", "2027-10-31",
	    { { NULL, 0 } } },
	{ "host starting later, before any threshold", BMSUB_KIND_HOST, 10,
	    "2026-10-15T13:00:00Z", "2026-11-10T00:00:00Z", "2027-10-31",
	    { { NULL, 0 } } },
	{ "trial starting inside its grace", BMSUB_KIND_TRIAL, 6,
	    "2027-08-25", "2027-09-03T00:00:00Z", "2027-08-31",
	    { { NULL, 0 } } },
	{ "prod, counted, never over", BMSUB_KIND_PROD, 10, "2026-11-01",
	    NULL, "2027-10-31", { { "2026-11-01", 90 } } },
	{ "prod, over, resolved within the month", BMSUB_KIND_PROD, 10,
	    "2026-11-01", NULL, "2027-10-31",
	    { { "2026-11-01", 90 }, { "2027-02-03T17:00:00Z", 101 },
	    { "2027-02-26T09:00:00Z", 100 } } },
	{ "prod, over and staying (from February: 28 days)",
	    BMSUB_KIND_PROD, 10, "2026-11-01", NULL, "2027-10-31",
	    { { "2026-11-01", 90 }, { "2027-02-01T06:00:00Z", 130 } } },
	{ "host, two episodes, the second staying past the block",
	    BMSUB_KIND_HOST, 2, "2026-11-01", NULL, "2027-06-30",
	    { { "2026-11-01", 99 }, { "2027-01-10T00:00:00Z", 120 },
	    { "2027-01-12T23:00:00Z", 50 }, { "2027-05-31T04:00:00Z", 111 } } },
	{ "trial with grace, over from before it starts", BMSUB_KIND_TRIAL,
	    4, "2027-05-01", "2027-06-01T00:00:00Z", "2027-07-31",
	    { { "2027-05-20T10:00:00Z", 140 } } },
	{ "free, over from the first count", BMSUB_KIND_FREE, 10,
	    "2026-11-01", NULL, "2027-10-31", { { "2026-11-01", 120 } } },
};

/* One alert: when it was (or is to be) sent, and its name. */
struct mail {
	int64_t at;
	const char *alert;
};

struct mails {
	struct mail *v;
	size_t n, cap;
};

static void
mails_add(struct mails *m, int64_t at, const char *alert)
{
	if (m->n == m->cap) {
		m->cap = m->cap == 0 ? 256 : 2 * m->cap;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		ck_assert_ptr_nonnull(m->v);
	}
	m->v[m->n].at = at;
	m->v[m->n].alert = alert;
	m->n++;
}

static int
mail_cmp(const void *a, const void *b)
{
	const struct mail *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return strcmp(x->alert, y->alert);
}

static struct bmsub_license
walk_license(const struct walk *w)
{
	struct bmsub_license l;

	memset(&l, 0, sizeof(l));
	snprintf(l.id, sizeof(l.id), "BM-WALK-%u", (unsigned)(w - walks));
	snprintf(l.customer, sizeof(l.customer), "Walk SA");
	l.kind = w->kind;
	l.issued = ts(w->issued);
	l.starts = w->starts != NULL ? ts(w->starts) : NONE;
	ck_assert_int_eq(bmsub_time_parse(w->expires, 1, &l.expires), 0);
	l.users = USERS;
	l.grace_days = w->grace;
	l.allowance_percent = 10;
	return l;
}

static void
raise_high_water(struct bmsub_state *st, int64_t t)
{
	if (st->high_water == NONE || st->high_water < t)
		st->high_water = t;
}

/* What bmsub-check refresh records (tools/check_cmds.c cmd_refresh). */
static void
refresh(const struct bmsub_license *lic, struct bmsub_state *st, int64_t t,
    unsigned count)
{
	struct bmsub_eval ev;

	bmsub_evaluate(lic, 0, st, t, &ev);
	st->have_count = 1;
	st->count = count;
	st->last_refresh = t;
	if (count > lic->users) {
		if (st->over_since == NONE)
			st->over_since = ev.effective;
	} else
		st->over_since = NONE;
	raise_high_water(st, t);
}

/* What bmsub-check notify does (tools/check_ops.c cmd_notify), sendmail
 * always succeeding: the alerts sent are logged at the time recorded. */
static void
notify(const struct bmsub_license *lic, struct bmsub_state *st, int64_t t,
    struct mails *sent)
{
	struct bmsub_eval ev;
	struct bmsub_alert due[BMSUB_ALERTS_MAX];
	size_t n, k;

	bmsub_evaluate(lic, 0, st, t, &ev);
	n = bmsub_alerts_due(lic, &ev, st, due);
	for (k = 0; k < n; k++) {
		ck_assert_int_eq(bmsub_state_sent_set(st, due[k].key,
		    ev.effective), 0);
		mails_add(sent, ev.effective, bmsub_alert_name(due[k].kind));
	}
	bmsub_alerts_prune(lic, &ev, st);
	st->last_notify = t;
	raise_high_water(st, t);
}

/* The emails the timeline lists for this state in [from, to), every
 * repetition expanded. */
static void
listed(const struct bmsub_license *lic, const struct bmsub_state *st,
    int64_t from, int64_t to, struct mails *want)
{
	static struct bmsub_event ev[4096];
	size_t n = 0, i;
	int64_t at;

	bmsub_timeline(lic, st, ev, N(ev), &n);
	ck_assert_uint_le(n, N(ev));
	for (i = 0; i < n; i++) {
		if (i > 0)
			ck_assert_int_ge(ev[i].at, ev[i - 1].at);
		ck_assert((strcmp(ev[i].what, "email") == 0) ==
		    (ev[i].alert != NULL));
		if (ev[i].alert == NULL) {
			ck_assert_int_eq(ev[i].every, 0);
			continue;
		}
		for (at = ev[i].at; at < to; at += ev[i].every) {
			if (at >= from)
				mails_add(want, at, ev[i].alert);
			if (ev[i].every <= 0)
				break;
		}
	}
}

static void
assert_same(const char *name, struct mails *got, struct mails *want)
{
	char a[32] = "", b[32] = "";
	size_t i;

	qsort(got->v, got->n, sizeof(*got->v), mail_cmp);
	qsort(want->v, want->n, sizeof(*want->v), mail_cmp);
	for (i = 0; i < got->n && i < want->n; i++)
		if (mail_cmp(&got->v[i], &want->v[i]) != 0)
			break;
	if (i == got->n && i == want->n)
		return;
	if (i < got->n)
		bmsub_time_format(got->v[i].at, a, sizeof(a));
	if (i < want->n)
		bmsub_time_format(want->v[i].at, b, sizeof(b));
	ck_abort_msg("%s: %zu sent, %zu listed; first difference at #%zu: "
	    "sent %s %s, listed %s %s", name, got->n, want->n, i, a,
	    i < got->n ? got->v[i].alert : "(nothing)", b,
	    i < want->n ? want->v[i].alert : "(nothing)");
}

/*
 * Every hour of the calendar: refresh when the count changes, then
 * notify. The timeline of the state as it stands lists what the
 * following hours send until the state changes (a new or ended
 * over-count episode), so the expected mails are gathered piece by
 * piece, each piece from the timeline of its state.
 */
START_TEST(test_walk)
{
	const struct walk *w = &walks[_i];
	struct bmsub_license lic = walk_license(w);
	struct bmsub_state st;
	struct mails sent = { NULL, 0, 0 }, want = { NULL, 0, 0 };
	int64_t t, from = ts(WALK_FROM), to = ts(WALK_TO), piece = from;
	int64_t o = NONE;
	size_t c = 0;
	char label[160];

	bmsub_state_init(&st);
	for (t = from; t < to; t += H) {
		for (; c < N(w->counts) && w->counts[c].at != NULL &&
		    ts(w->counts[c].at) <= t; c++)
			;
		if (c > 0)
			refresh(&lic, &st, t, w->counts[c - 1].count);
		if (st.over_since != o) {
			/* the state changed: the past piece is done */
			struct bmsub_state old = st;

			old.over_since = o;
			listed(&lic, &old, piece, t, &want);
			ck_assert(st.over_since == NONE ||
			    st.over_since == t);
			piece = t;
			o = st.over_since;
		}
		notify(&lic, &st, t, &sent);
	}
	listed(&lic, &st, piece, to, &want);
	snprintf(label, sizeof(label), "%s", w->name);
	ck_assert_uint_gt(sent.n, 0);
	assert_same(label, &sent, &want);
	bmsub_state_clear(&st);
	free(sent.v);
	free(want.v);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The table itself (libpolicy/ops/schedule.c) against SPEC section 3. */

/* A license of 2027 for the table tests: issued 1 January, expires
 * (E) 1 June, 10 users, evaluated on 1 May. */
static struct bmsub_license
lic_2027(const char *id, enum bmsub_kind kind, unsigned grace,
    const char *starts)
{
	struct bmsub_license l;

	memset(&l, 0, sizeof(l));
	snprintf(l.id, sizeof(l.id), "%s", id);
	l.kind = kind;
	l.issued = ts("2027-01-01");
	l.starts = starts != NULL ? ts(starts) : NONE;
	l.expires = ts("2027-06-01");
	l.users = 10;
	l.grace_days = grace;
	return l;
}

static const struct {
	enum bm_axis axis;
	int phase;
	enum bmsub_kind kind;
	const char *alert;	/* NULL: the phase sends nothing */
	int64_t every;
} spec[] = {
	{ BM_AXIS_DATE, BMSUB_DATE_OK, BMSUB_KIND_PROD, NULL, 0 },
	{ BM_AXIS_DATE, BMSUB_DATE_OK, BMSUB_KIND_TRIAL, NULL, 0 },
	{ BM_AXIS_DATE, BMSUB_DATE_NOTICE, BMSUB_KIND_PROD, "expiry-2m", 0 },
	{ BM_AXIS_DATE, BMSUB_DATE_NOTICE, BMSUB_KIND_HOST, "expiry-2m", 0 },
	{ BM_AXIS_DATE, BMSUB_DATE_NOTICE, BMSUB_KIND_FREE, "expiry-2m", 0 },
	{ BM_AXIS_DATE, BMSUB_DATE_NOTICE, BMSUB_KIND_TRIAL, NULL, 0 },
	{ BM_AXIS_DATE, BMSUB_DATE_WARNING, BMSUB_KIND_PROD, "expiry-1m", 0 },
	{ BM_AXIS_DATE, BMSUB_DATE_WARNING, BMSUB_KIND_TRIAL, NULL, 0 },
	{ BM_AXIS_DATE, BMSUB_DATE_GRACE, BMSUB_KIND_PROD, "grace", 2 * D },
	{ BM_AXIS_DATE, BMSUB_DATE_GRACE, BMSUB_KIND_FREE, "grace", 2 * D },
	{ BM_AXIS_DATE, BMSUB_DATE_GRACE, BMSUB_KIND_TRIAL, "grace", 2 * D },
	{ BM_AXIS_DATE, BMSUB_DATE_BLOCKED, BMSUB_KIND_PROD, "blocked", 2 * D },
	{ BM_AXIS_DATE, BMSUB_DATE_BLOCKED, BMSUB_KIND_HOST, "blocked", 2 * D },
	{ BM_AXIS_DATE, BMSUB_DATE_BLOCKED, BMSUB_KIND_FREE, "blocked", 2 * D },
	{ BM_AXIS_DATE, BMSUB_DATE_BLOCKED, BMSUB_KIND_TRIAL, "trial-ended", 0 },
	{ BM_AXIS_DATE, BMSUB_DATE_INVALID, BMSUB_KIND_PROD, "invalid", 2 * D },
	{ BM_AXIS_DATE, BMSUB_DATE_INVALID, BMSUB_KIND_TRIAL, "invalid", 2 * D },
	{ BM_AXIS_COUNT, BMSUB_COUNT_UNKNOWN, BMSUB_KIND_PROD, NULL, 0 },
	{ BM_AXIS_COUNT, BMSUB_COUNT_WITHIN, BMSUB_KIND_PROD, NULL, 0 },
	{ BM_AXIS_COUNT, BMSUB_COUNT_OVER, BMSUB_KIND_PROD, "over", 7 * D },
	{ BM_AXIS_COUNT, BMSUB_COUNT_OVER, BMSUB_KIND_TRIAL, "over", 7 * D },
	{ BM_AXIS_COUNT, BMSUB_COUNT_OVER_BLOCKED, BMSUB_KIND_PROD,
	    "over-blocked", 0 },
	{ BM_AXIS_COUNT, BMSUB_COUNT_OVER_BLOCKED, BMSUB_KIND_TRIAL,
	    "over-blocked", 0 },
};

static void
check_spec(size_t i)
{
	struct bmsub_license l;
	const struct bm_sched *row;
	size_t k, matches = 0;

	memset(&l, 0, sizeof(l));
	l.kind = spec[i].kind;
	row = bm_sched_find(spec[i].axis, spec[i].phase, &l);
	if (spec[i].alert == NULL) {
		ck_assert_ptr_null(row);
		return;
	}
	ck_assert_ptr_nonnull(row);
	ck_assert_str_eq(row->name, spec[i].alert);
	ck_assert_int_eq(row->every, spec[i].every);
	/* one row a phase: the table cannot send two alerts for one */
	for (k = 0; k < BMSUB_ALERT__COUNT; k++)
		if (bm_schedule[k].axis == spec[i].axis &&
		    bm_schedule[k].phase == spec[i].phase &&
		    bm_sched_find(spec[i].axis, spec[i].phase, &l) ==
		    &bm_schedule[k])
			matches++;
	ck_assert_uint_eq(matches, 1);
}

START_TEST(test_spec)
{
	size_t i;

	for (i = 0; i < N(spec); i++)
		check_spec(i);
}
END_TEST

/* No license: only "invalid" (the date axis) and the count rows. */
START_TEST(test_no_license)
{
	int p;

	for (p = BMSUB_DATE_OK; p <= BMSUB_DATE_INVALID; p++)
		ck_assert((bm_sched_find(BM_AXIS_DATE, p, NULL) != NULL) ==
		    (p == BMSUB_DATE_INVALID || p == BMSUB_DATE_GRACE));
	ck_assert_ptr_nonnull(bm_sched_find(BM_AXIS_COUNT, BMSUB_COUNT_OVER,
	    NULL));
	ck_assert_ptr_null(bm_sched_find(BM_AXIS_DATE, -1, NULL));
	ck_assert_ptr_null(bm_sched_find(BM_AXIS_COUNT, 99, NULL));
}
END_TEST

/* Every row: named as its alert, whole days, texts that expand. */
static void
check_rows(size_t k)
{
	const struct bm_sched *row = &bm_schedule[k];
	struct bmsub_license l;
	struct bmsub_state st;
	struct bmsub_eval ev;
	struct bm_vars v;
	struct bm_text t;
	const struct bm_piece *parts[3] = { row->happened, row->next,
	    row->todo };
	size_t i;

	ck_assert_str_eq(bmsub_alert_name((enum bmsub_alert_kind)k),
	    row->name);
	ck_assert_int_ge(row->every, 0);
	ck_assert_int_eq(row->every % D, 0);
	l = lic_2027("BM-R", BMSUB_KIND_PROD, 10, NULL);
	bmsub_state_init(&st);
	st.have_count = 1;
	st.count = 20;
	st.over_since = ts("2027-03-01");
	bmsub_evaluate(&l, 0, &st, ts("2027-05-01"), &ev);
	bm_vars_init(&v, row, &l, &ev);
	bm_text_dynamic(&t);
	ck_assert_int_eq(bm_expand(&t, row->event, &v), 0);
	ck_assert_int_eq(bm_expand(&t, row->subject, &v), 0);
	for (i = 0; i < 3; i++) {
		ck_assert_ptr_nonnull(parts[i]);
		ck_assert_ptr_nonnull(parts[i][0].text);
		ck_assert_int_eq(bm_expand_pieces(&t, parts[i], &v), 0);
	}
	ck_assert(!t.failed);
	ck_assert_ptr_null(strchr(t.buf, '{'));
	bm_text_free(&t);
}

START_TEST(test_rows)
{
	size_t k;

	for (k = 0; k < BMSUB_ALERT__COUNT; k++)
		check_rows(k);
}
END_TEST

/* The expander: placeholders replaced once, never re-read; anything it
 * does not know refused. */
static const struct {
	const char *tmpl, *want;	/* want NULL: refused */
} expands[] = {
	{ "", "" },
	{ "plain", "plain" },
	{ "{id}", "BM-X" },
	{ "a {id} b {users} c", "a BM-X b 10 c" },
	{ "{customer}", "{id}?x" },	/* a value is not a template */
	{ "{every}", "7 days" },
	{ "{days_left}", "31 days left" },
	{ "{nope}", NULL },
	{ "{ID}", NULL },
	{ "{id", NULL },
	{ "{}", NULL },
	{ "{id}{", NULL },
	{ "{i}", NULL },
	{ "{idx}", NULL },
	{ "{ id}", NULL },
};

static void
check_expand(size_t i)
{
	struct bmsub_license l;
	struct bmsub_eval ev;
	struct bm_vars v;
	struct bm_text t;
	int r;

	l = lic_2027("BM-X", BMSUB_KIND_HOST, 0, NULL);
	snprintf(l.customer, sizeof(l.customer), "{id}\nx");
	bmsub_evaluate(&l, 0, NULL, ts("2027-05-01"), &ev);
	bm_vars_init(&v, &bm_schedule[BMSUB_ALERT_OVER], &l, &ev);
	bm_text_dynamic(&t);
	r = bm_expand(&t, expands[i].tmpl, &v);
	if (expands[i].want == NULL) {
		ck_assert_int_eq(r, -1);
	} else {
		ck_assert_int_eq(r, 0);
		ck_assert_str_eq(t.buf != NULL ? t.buf : "", expands[i].want);
	}
	bm_text_free(&t);
}

START_TEST(test_expand)
{
	size_t i;

	for (i = 0; i < N(expands); i++)
		check_expand(i);
}
END_TEST

/* Conditions: a piece is left out when its condition does not hold. */
START_TEST(test_conditions)
{
	static const struct bm_piece p[] = {
		{ BM_ALWAYS, "a" }, { BM_IF_GRACE, "g" },
		{ BM_IF_CEILING, "c" }, { BM_IF_REPEATS, "r" },
		{ BM_IF_WAITING, "w" }, { BM_UNLESS_WAITING, "u" },
		{ BM_ALWAYS, NULL }, { BM_ALWAYS, "never" },
	};
	static const struct {
		unsigned grace, count;
		const char *starts;
		enum bmsub_alert_kind row;
		const char *want;
	} c[] = {
		{ 0, 5, NULL, BMSUB_ALERT_EXPIRY_2M, "au" },
		{ 3, 5, NULL, BMSUB_ALERT_EXPIRY_2M, "agu" },
		{ 0, 11, NULL, BMSUB_ALERT_EXPIRY_2M, "acu" },
		{ 0, 5, NULL, BMSUB_ALERT_GRACE, "aru" },
		{ 2, 11, NULL, BMSUB_ALERT_OVER, "agcru" },
		{ 0, 5, "2027-05-15", BMSUB_ALERT_INVALID, "arw" },
		{ 0, 5, "2027-04-15", BMSUB_ALERT_INVALID, "aru" },
	};
	struct bmsub_license l;
	struct bmsub_state st;
	struct bmsub_eval ev;
	struct bm_vars v;
	struct bm_text t;
	size_t i;

	for (i = 0; i < N(c); i++) {
		l = lic_2027("BM-C", BMSUB_KIND_PROD, c[i].grace,
		    c[i].starts);
		bmsub_state_init(&st);
		st.have_count = 1;
		st.count = c[i].count;
		bmsub_evaluate(&l, 0, &st, ts("2027-05-01"), &ev);
		bm_vars_init(&v, &bm_schedule[c[i].row], &l, &ev);
		bm_text_dynamic(&t);
		ck_assert_int_eq(bm_expand_pieces(&t, p, &v), 0);
		ck_assert_msg(strcmp(t.buf, c[i].want) == 0, "case %zu: %s",
		    i, t.buf);
		bm_text_free(&t);
	}
}
END_TEST

/* Keys: what follows the name, and when there is none. */
START_TEST(test_keys)
{
	struct bmsub_license l;
	struct bmsub_eval ev;
	char k[BMSUB_ALERT_KEY_MAX], small[8];

	memset(&l, 0, sizeof(l));
	snprintf(l.id, sizeof(l.id), "BM-K");
	memset(&ev, 0, sizeof(ev));
	ev.over_since = 1234;
	ev.license_err = BMSUB_E_BAD_SIGNATURE;
	ck_assert_int_eq(bm_sched_key(&bm_schedule[BMSUB_ALERT_GRACE], &l, &ev,
	    k, sizeof(k)), 0);
	ck_assert_str_eq(k, "grace:BM-K");
	ck_assert_int_eq(bm_sched_key(&bm_schedule[BMSUB_ALERT_INVALID], &l,
	    &ev, k, sizeof(k)), 0);
	ck_assert_str_eq(k, "invalid:bad-signature");
	ck_assert_int_eq(bm_sched_key(&bm_schedule[BMSUB_ALERT_OVER], NULL,
	    &ev, k, sizeof(k)), 0);
	ck_assert_str_eq(k, "over:1234");
	ev.license_err = 0;
	ck_assert_int_eq(bm_sched_key(&bm_schedule[BMSUB_ALERT_INVALID], NULL,
	    &ev, k, sizeof(k)), 0);
	ck_assert_str_eq(k, "invalid:not-yet-valid");
	/* none: no license, an empty id, no episode, too long */
	ck_assert_int_eq(bm_sched_key(&bm_schedule[BMSUB_ALERT_BLOCKED], NULL,
	    &ev, k, sizeof(k)), -1);
	l.id[0] = '\0';
	ck_assert_int_eq(bm_sched_key(&bm_schedule[BMSUB_ALERT_BLOCKED], &l,
	    &ev, k, sizeof(k)), -1);
	ev.over_since = NONE;
	ck_assert_int_eq(bm_sched_key(&bm_schedule[BMSUB_ALERT_OVER_BLOCKED],
	    &l, &ev, k, sizeof(k)), -1);
	ev.over_since = 1234567890;
	ck_assert_int_eq(bm_sched_key(&bm_schedule[BMSUB_ALERT_OVER], &l, &ev,
	    small, sizeof(small)), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("schedule");
	TCase *walk = tcase_create("walk"), *tc = tcase_create("table");
	int nf;

	tcase_add_loop_test(walk, test_walk, 0, N(walks));
	suite_add_tcase(s, walk);
	tcase_add_test(tc, test_spec);
	tcase_add_test(tc, test_no_license);
	tcase_add_test(tc, test_rows);
	tcase_add_test(tc, test_expand);
	tcase_add_test(tc, test_conditions);
	tcase_add_test(tc, test_keys);
	suite_add_tcase(s, tc);
	nf = tlib_run(s);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
