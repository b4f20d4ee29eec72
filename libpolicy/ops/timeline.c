/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* timeline.c - every dated event of a license: phase changes and emails. */
#include <stdint.h>
#include <string.h>

#include "internal.h"

/* ------------------------------------------------------------------ */
/* Timeline. */

/*
 * Timeline event tokens (bmsub_event.what): "starts" (a later starts:
 * the license becomes valid), "notice", "warning", "grace", "blocked"
 * (phase changes of the date; a trial goes to "grace" or "blocked"),
 * "over" (O, count above N), "over-blocked" (O + 1 month), and "email"
 * (an alert due to the administrators: one at notice, warning, trial end
 * and over-blocked; every 2 days from E through grace, and one more at
 * blocked "then every 2 days"; every 7 days from O until over-blocked).
 *
 * The timeline is a handful of arithmetic series (a start, a step, a
 * count): counting never loops, so a hostile grace_days or state time
 * cannot make it slow, and filling merges the series in time order
 * (equal times keep the order of the series table below).
 */
enum ttext {
	TT_STARTS, TT_NOTICE, TT_NOTICE_MAIL, TT_WARNING, TT_WARNING_MAIL,
	TT_GRACE, TT_GRACE_MAIL, TT_BLOCKED, TT_BLOCKED_MAIL,
	TT_TRIAL_END, TT_TRIAL_MAIL, TT_TRIAL_BLOCKED,
	TT_OVER, TT_OVER_MAIL, TT_OVER_BLOCKED, TT_OVER_BLOCKED_MAIL
};

struct series {
	int64_t at;	/* first event */
	int64_t step;	/* seconds between events */
	uint64_t count;
	const char *what;
	enum ttext tt;
};

#define SERIES_MAX 16

static void
add_series(struct series *s, size_t *ns, int64_t at, int64_t step,
    uint64_t count, const char *what, enum ttext tt)
{
	if (count == 0 || *ns >= SERIES_MAX)
		return;
	s[*ns] = (struct series){ at, step, count, what, tt };
	(*ns)++;
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

static void
event_text(struct bmsub_event *e, enum ttext tt,
    const struct bmsub_license *lic, const struct bmsub_eval *ev,
    const struct bmsub_state *st)
{
	struct bm_text t;
	char d[32], b[32];

	bm_text_fixed(&t, e->text, sizeof(e->text));
	bmsub_date_format(ev->expires - 1, d, sizeof(d));
	bmsub_date_format(ev->block_at, b, sizeof(b));
	switch (tt) {
	case TT_STARTS:
		bm_text_add(&t, "license starts: logins allowed from now on");
		break;
	case TT_NOTICE:
		bm_text_add(&t, "notice period: the subscription is valid through %s",
		    d);
		break;
	case TT_NOTICE_MAIL:
		bm_text_add(&t, "email to administrators: expiry in 2 months");
		break;
	case TT_WARNING:
		bm_text_add(&t, "warning period: banner for administrators");
		break;
	case TT_WARNING_MAIL:
		bm_text_add(&t, "email to administrators: expiry in 1 month");
		break;
	case TT_GRACE:
		bm_text_add(&t, "expiry: grace of %u days, banner for all users, "
		    "administrators redirected", lic->grace_days);
		break;
	case TT_GRACE_MAIL:
		bm_text_add(&t, "email reminder");
		break;
	case TT_BLOCKED:
		bm_text_add(&t, "blocked: every login denied, administrators "
		    "redirected on web services");
		break;
	case TT_BLOCKED_MAIL:
		bm_text_add(&t, "email reminder, then every 2 days");
		break;
	case TT_TRIAL_END:
		if (ev->block_at > ev->expires)
			bm_text_add(&t, "trial ends: grace of %u days until %s",
			    lic->grace_days, b);
		else
			bm_text_add(&t, "trial ends: every login denied");
		break;
	case TT_TRIAL_MAIL:
		bm_text_add(&t, "email to administrators: trial ended");
		break;
	case TT_TRIAL_BLOCKED:
		bm_text_add(&t, "blocked: every login denied, administrators "
		    "redirected on web services");
		break;
	case TT_OVER:
		if (st->have_count)
			bm_text_add(&t, "over the license: %llu users for %u "
			    "licensed", (unsigned long long)st->count,
			    lic->users);
		else
			bm_text_add(&t, "over the license: more users than %u",
			    lic->users);
		break;
	case TT_OVER_MAIL:
		bm_text_add(&t, "email reminder (over the license), every 7 days");
		break;
	case TT_OVER_BLOCKED:
		bm_text_add(&t, "over the license for a month: users blocked "
		    "until the count is reduced");
		break;
	case TT_OVER_BLOCKED_MAIL:
		bm_text_add(&t, "email to administrators: users blocked (over the "
		    "license)");
		break;
	}
	bm_text_finish(&t);
}

void
bmsub_timeline(const struct bmsub_license *lic, const struct bmsub_state *st,
    struct bmsub_event *out, size_t max, size_t *n)
{
	struct series s[SERIES_MAX];
	uint64_t used[SERIES_MAX] = { 0 };
	size_t ns = 0, i, filled = 0, best;
	uint64_t total = 0;
	int64_t start, from, at, ob;
	struct bmsub_eval ev;

	if (n != NULL)
		*n = 0;
	if (lic == NULL || n == NULL)
		return;
	/* The thresholds, exactly as the policy computes them. */
	bmsub_evaluate(lic, 0, NULL, lic->issued, &ev);
	start = lic->issued;
	if (lic->starts != BMSUB_TIME_NONE && lic->starts > start)
		start = lic->starts;

	/* Before a later "starts" the license is not valid yet. A phase
	 * already under way when the license starts is entered at the start
	 * (its email is due then); one over before it never is. */
	if (start > lic->issued)
		add_series(s, &ns, start, 0, 1, "starts", TT_STARTS);
	if (lic->kind != BMSUB_KIND_TRIAL) {
		if (ev.warning_at > start) {
			from = ev.notice_at > start ? ev.notice_at : start;
			add_series(s, &ns, from, 0, 1, "notice", TT_NOTICE);
			add_series(s, &ns, from, 0, 1, "email", TT_NOTICE_MAIL);
		}
		if (ev.expires > start) {
			from = ev.warning_at > start ? ev.warning_at : start;
			add_series(s, &ns, from, 0, 1, "warning", TT_WARNING);
			add_series(s, &ns, from, 0, 1, "email",
			    TT_WARNING_MAIL);
		}
		from = ev.expires > start ? ev.expires : start;
		if (ev.block_at > from) {
			add_series(s, &ns, from, 0, 1, "grace", TT_GRACE);
			add_series(s, &ns, from, 2 * BM_DAY,
			    count_until(from, ev.block_at, 2 * BM_DAY),
			    "email", TT_GRACE_MAIL);
		}
		from = ev.block_at > start ? ev.block_at : start;
		add_series(s, &ns, from, 0, 1, "blocked", TT_BLOCKED);
		add_series(s, &ns, from, 0, 1, "email", TT_BLOCKED_MAIL);
	} else {
		from = ev.expires > start ? ev.expires : start;
		add_series(s, &ns, from, 0, 1,
		    ev.block_at > from ? "grace" : "blocked", TT_TRIAL_END);
		add_series(s, &ns, from, 0, 1, "email", TT_TRIAL_MAIL);
		if (ev.block_at > from)
			add_series(s, &ns, ev.block_at, 0, 1, "blocked",
			    TT_TRIAL_BLOCKED);
	}

	if (st != NULL && st->over_since != BMSUB_TIME_NONE) {
		ob = bmsub_add_months(st->over_since, 1);
		add_series(s, &ns, st->over_since, 0, 1, "over", TT_OVER);
		add_series(s, &ns, st->over_since, 7 * BM_DAY,
		    count_until(st->over_since, ob, 7 * BM_DAY), "email",
		    TT_OVER_MAIL);
		add_series(s, &ns, ob, 0, 1, "over-blocked", TT_OVER_BLOCKED);
		add_series(s, &ns, ob, 0, 1, "email", TT_OVER_BLOCKED_MAIL);
	}

	for (i = 0; i < ns; i++)
		total += s[i].count;	/* each < 2^47 (step >= 1 day) */
	*n = total > SIZE_MAX ? SIZE_MAX : (size_t)total;

	while (out != NULL && filled < max && filled < *n) {
		best = ns;
		for (i = 0; i < ns; i++) {
			if (used[i] >= s[i].count)
				continue;
			at = s[i].at + (int64_t)used[i] * s[i].step;
			if (best == ns || at < s[best].at +
			    (int64_t)used[best] * s[best].step)
				best = i;
		}
		if (best == ns)
			break;
		memset(&out[filled], 0, sizeof(out[filled]));
		out[filled].at = s[best].at +
		    (int64_t)used[best] * s[best].step;
		out[filled].what = s[best].what;
		event_text(&out[filled], s[best].tt, lic, &ev, st);
		used[best]++;
		filled++;
	}
}
