/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* timeline.c - every dated event of a license: phase changes and the emails of the schedule. */
#include <stdint.h>
#include <string.h>

#include "internal.h"

/*
 * Timeline event tokens (bmsub_event.what): "invalid" (issued before a
 * later starts: logins denied), "starts", "notice", "warning", "grace",
 * "blocked" (phase changes of the date; a trial goes to "grace" or
 * "blocked" at E), "over" (O, count above N), "over-blocked" (O + 1
 * month), and "email": the alerts of the schedule (schedule.c), each
 * phase's row from the phase's start, then every row->every while the
 * phase lasts. The one phase that never ends sending, blocked, gives one
 * event whose `every` says it repeats.
 *
 * The timeline is a handful of arithmetic series (a start, a step, a
 * count): counting never loops, so a hostile grace_days or state time
 * cannot make it slow, and filling merges the series in time order
 * (equal times keep the order in which the series were added: each
 * phase change before its email).
 */
#define FOREVER INT64_MAX

struct series {
	int64_t at;	/* first event */
	int64_t step;	/* seconds between events */
	uint64_t count;
	int64_t every;	/* of the last event: repeats for ever */
	const char *what;
	const char *text;		/* template (bm_expand) */
	const struct bm_sched *row;	/* an email's row, else NULL */
};

#define SERIES_MAX 16

struct tl {
	struct series s[SERIES_MAX];
	size_t ns;
	const struct bmsub_license *lic;
	int64_t start;		/* max(issued, starts) */
	int64_t expiry;		/* max(E, start): where a trial ends */
};

/* Phase changes of the date, and the text of each. */
static const struct {
	const char *what, *text;
	const char *trial_end;	/* a trial entering it at E, or NULL */
} date_events[] = {
	[BMSUB_DATE_NOTICE] = { "notice",
	    "notice period: the subscription is valid through {last_day}",
	    NULL },
	[BMSUB_DATE_WARNING] = { "warning",
	    "warning period: banner for administrators", NULL },
	[BMSUB_DATE_GRACE] = { "grace",
	    "expiry: grace of {grace_days}, banner for all users, "
	    "administrators redirected",
	    "trial ends: grace of {grace_days} until {block_date}" },
	[BMSUB_DATE_BLOCKED] = { "blocked",
	    "blocked: every login denied, administrators redirected on web "
	    "services", "trial ends: every login denied" },
	[BMSUB_DATE_INVALID] = { "invalid",
	    "not started: every login denied until {starts}", NULL },
};

static void
add_series(struct tl *tl, int64_t at, int64_t step, uint64_t count,
    int64_t every, const char *what, const char *text,
    const struct bm_sched *row)
{
	if (count == 0 || tl->ns >= SERIES_MAX)
		return;
	tl->s[tl->ns] = (struct series){ at, step, count, every, what, text,
	    row };
	tl->ns++;
}

/* Events every step seconds from 'from' while before 'until'. */
static uint64_t
count_until(int64_t from, int64_t until, int64_t step)
{
	uint64_t span;

	if (until <= from)
		return 0;
	span = (uint64_t)until - (uint64_t)from;
	return (span + (uint64_t)step - 1) / (uint64_t)step;
}

/*
 * A phase that lasts [from, until) (until FOREVER: to the end): its
 * change event, then the email of its schedule row: once at from, or
 * every row->every while it lasts (one event that says so when the
 * phase never ends).
 */
static void
add_phase(struct tl *tl, enum bm_axis axis, int phase, int64_t from,
    int64_t until, const char *what, const char *text)
{
	const struct bm_sched *row = bm_sched_find(axis, phase, tl->lic);

	if (until != FOREVER && until <= from)
		return;
	add_series(tl, from, 0, 1, 0, what, text, NULL);
	if (row == NULL)
		return;
	if (row->every > 0 && until != FOREVER)
		add_series(tl, from, row->every,
		    count_until(from, until, row->every), 0, "email",
		    row->event, row);
	else
		add_series(tl, from, 0, 1, row->every, "email", row->event,
		    row);
}

static void
add_date_phases(struct tl *tl, const struct bmsub_eval *ev)
{
	/* Thresholds in phase order; a trial has no notice nor warning. */
	int trial = tl->lic->kind == BMSUB_KIND_TRIAL;
	int64_t at[] = { trial ? ev->expires : ev->notice_at,
	    trial ? ev->expires : ev->warning_at, ev->expires, ev->block_at,
	    FOREVER };
	int p;
	int64_t from;

	/* Before a later "starts" the license is not valid yet; a phase
	 * already under way when it starts is entered then (its email is
	 * due then); one over before it never is. */
	add_phase(tl, BM_AXIS_DATE, BMSUB_DATE_INVALID, tl->lic->issued,
	    tl->start, date_events[BMSUB_DATE_INVALID].what,
	    date_events[BMSUB_DATE_INVALID].text);
	if (tl->start > tl->lic->issued)
		add_series(tl, tl->start, 0, 1, 0, "starts",
		    "license starts: logins allowed from now on", NULL);
	for (p = BMSUB_DATE_NOTICE; p <= BMSUB_DATE_BLOCKED; p++) {
		from = at[p - BMSUB_DATE_NOTICE];
		if (from < tl->start)
			from = tl->start;
		add_phase(tl, BM_AXIS_DATE, p, from,
		    at[p - BMSUB_DATE_NOTICE + 1], date_events[p].what,
		    trial && from == tl->expiry && date_events[p].trial_end ?
		    date_events[p].trial_end : date_events[p].text);
	}
}

static void
add_count_phases(struct tl *tl, const struct bmsub_state *st)
{
	int64_t o, ob;

	if (st == NULL || st->over_since == BMSUB_TIME_NONE)
		return;
	/* The policy's time is never before issued: an episode recorded
	 * before it (a hostile state) is seen from issued on. */
	o = st->over_since;
	ob = bmsub_add_months(o, 1);
	if (o < tl->lic->issued)
		o = tl->lic->issued;
	if (ob < tl->lic->issued)
		ob = tl->lic->issued;
	add_phase(tl, BM_AXIS_COUNT, BMSUB_COUNT_OVER, o, ob, "over",
	    st->have_count ? "over the license: {count} users for {users} "
	    "licensed" : "over the license: more users than {users}");
	add_phase(tl, BM_AXIS_COUNT, BMSUB_COUNT_OVER_BLOCKED, ob, FOREVER,
	    "over-blocked", "over the license for a month: users blocked "
	    "until the count is reduced");
}

/* Writes the next events, in time order, into out[0..max). */
static void
fill(struct tl *tl, struct bm_vars *v, struct bmsub_event *out, size_t max)
{
	uint64_t used[SERIES_MAX] = { 0 };
	size_t i, best, filled;
	int64_t at, best_at = 0;
	struct bm_text t;

	for (filled = 0; filled < max; filled++) {
		best = tl->ns;
		for (i = 0; i < tl->ns; i++) {
			if (used[i] >= tl->s[i].count)
				continue;
			at = tl->s[i].at + (int64_t)used[i] * tl->s[i].step;
			if (best == tl->ns || at < best_at) {
				best = i;
				best_at = at;
			}
		}
		if (best == tl->ns)
			break;
		memset(&out[filled], 0, sizeof(out[filled]));
		out[filled].at = best_at;
		out[filled].what = tl->s[best].what;
		if (tl->s[best].row != NULL)
			out[filled].alert = tl->s[best].row->name;
		if (++used[best] == tl->s[best].count)
			out[filled].every = tl->s[best].every;
		bm_vars_row(v, tl->s[best].row);
		bm_text_fixed(&t, out[filled].text, sizeof(out[filled].text));
		(void)bm_expand(&t, tl->s[best].text, v);
		if (out[filled].every > 0)
			bm_text_add(&t, ", then every %s", v->val[BM_V_EVERY]);
		bm_text_finish(&t);
	}
}

void
bmsub_timeline(const struct bmsub_license *lic, const struct bmsub_state *st,
    struct bmsub_event *out, size_t max, size_t *n)
{
	struct tl tl;
	struct bmsub_eval ev;
	struct bm_vars v;
	uint64_t total = 0;
	size_t i;

	if (n != NULL)
		*n = 0;
	if (lic == NULL || n == NULL)
		return;
	memset(&tl, 0, sizeof(tl));
	tl.lic = lic;
	/* The thresholds, exactly as the policy computes them. */
	bmsub_evaluate(lic, 0, NULL, lic->issued, &ev);
	tl.start = lic->issued;
	if (lic->starts != BMSUB_TIME_NONE && lic->starts > tl.start)
		tl.start = lic->starts;
	tl.expiry = ev.expires > tl.start ? ev.expires : tl.start;
	add_date_phases(&tl, &ev);
	add_count_phases(&tl, st);

	for (i = 0; i < tl.ns; i++)
		total += tl.s[i].count;	/* each < 2^47 (step >= 1 day) */
	*n = total > SIZE_MAX ? SIZE_MAX : (size_t)total;
	if (out == NULL || max == 0)
		return;
	/* The texts' figures: the count and episode come from the state. */
	if (st != NULL) {
		ev.have_count = st->have_count;
		ev.count = st->count;
		ev.over_since = st->over_since;
		if (st->over_since != BMSUB_TIME_NONE)
			ev.over_block_at = bmsub_add_months(st->over_since, 1);
	}
	bm_vars_init(&v, NULL, lic, &ev);
	fill(&tl, &v, out, max);
}
