/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* policy.c - the subscription policy of SPEC section 3, as pure functions. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/*
 * Nothing here reads the clock, the environment or a file: the caller
 * passes "now" and everything else, so the same inputs always give the
 * same verdict (and tests can walk any calendar).
 *
 * Reason tokens (bmsub_verdict.reason), stable, used in logs and by
 * scripts. The reason is always the worse phase's:
 *
 *   token                 phase          when
 *   "ok"                  ok / within    nothing to say
 *   "notice"              notice         E - 2 months <= T < E - 1 month
 *   "warning"             warning        E - 1 month <= T < E
 *   "grace"               grace          E <= T < E + G days (trial too)
 *   "expired"             blocked        prod, host, free: T >= E + G days
 *   "trial-ended"         blocked        trial: T >= E + G days
 *   "over-count"          over           C > N, less than a month
 *   "over-count-blocked"  over-blocked   C > N for a month or more
 *   "not-hosted"          any            an external user (SPEC 10),
 *                                        whatever the license
 *   "hosted-unknown"      any            users.external/hosted_only set
 *                                        but state_dir/users unusable
 *   "nss"                 any            the role mattered but its NSS
 *                                        lookup failed (bmsub_ctx_decide)
 *   bmsub_err_token(e)    invalid        no valid license: "no-license",
 *                                        "bad-signature", "unknown-key",
 *                                        "not-yet-valid", "syntax", ...
 */

static const char *const date_names[] = {
	[BMSUB_DATE_OK] = "ok",
	[BMSUB_DATE_NOTICE] = "notice",
	[BMSUB_DATE_WARNING] = "warning",
	[BMSUB_DATE_GRACE] = "grace",
	[BMSUB_DATE_BLOCKED] = "blocked",
	[BMSUB_DATE_INVALID] = "invalid",
};
static const char *const count_names[] = {
	[BMSUB_COUNT_UNKNOWN] = "unknown",
	[BMSUB_COUNT_WITHIN] = "within",
	[BMSUB_COUNT_OVER] = "over",
	[BMSUB_COUNT_OVER_BLOCKED] = "over-blocked",
};
static const char *const decision_names[] = {
	[BMSUB_ALLOW] = "allow",
	[BMSUB_REDIRECT] = "redirect",
	[BMSUB_DENY] = "deny",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *
bmsub_date_phase_name(enum bmsub_date_phase p)
{
	return (unsigned)p < NELEM(date_names) ? date_names[p] : "unknown";
}

const char *
bmsub_count_phase_name(enum bmsub_count_phase p)
{
	return (unsigned)p < NELEM(count_names) ? count_names[p] : "unknown";
}

const char *
bmsub_decision_name(enum bmsub_decision d)
{
	return (unsigned)d < NELEM(decision_names) ? decision_names[d] :
	    "unknown";
}

/* Times come from files and callers: saturate rather than overflow. */
static int64_t
add_sat(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b < 0 ? INT64_MIN + 1 : INT64_MAX;
	return r == BMSUB_TIME_NONE ? r + 1 : r;
}

static int64_t
sub_sat(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return b > 0 ? INT64_MIN + 1 : INT64_MAX;
	return r == BMSUB_TIME_NONE ? r + 1 : r;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Date phase of a valid license at time t (t >= starts assumed). */
static enum bmsub_date_phase
date_phase_at(const struct bmsub_eval *ev, int trial, int64_t t)
{
	if (!trial && t < ev->notice_at)
		return BMSUB_DATE_OK;
	if (!trial && t < ev->warning_at)
		return BMSUB_DATE_NOTICE;
	if (t < ev->expires)
		return trial ? BMSUB_DATE_OK : BMSUB_DATE_WARNING;
	if (t < ev->block_at)
		return BMSUB_DATE_GRACE;
	return BMSUB_DATE_BLOCKED;
}

/* Keeps the earliest threshold strictly after the effective time. */
static void
consider_event(struct bmsub_eval *ev, int64_t at, const char *what)
{
	if (at == BMSUB_TIME_NONE || at <= ev->effective)
		return;
	if (ev->next_event == BMSUB_TIME_NONE || at < ev->next_event) {
		ev->next_event = at;
		ev->next_event_what = what;
	}
}

/* Empty evaluation at now; the clock protected by H (max(T, H - 1 day)). */
static void
eval_clock(const struct bmsub_state *st, int64_t now, struct bmsub_eval *ev)
{
	int64_t hw;

	memset(ev, 0, sizeof(*ev));
	ev->now = now;
	ev->effective = now;
	ev->notice_at = ev->warning_at = ev->expires = ev->block_at =
	    ev->over_since = ev->over_block_at = ev->days_left =
	    ev->next_event = BMSUB_TIME_NONE;
	ev->next_event_what = NULL;
	ev->date_phase = BMSUB_DATE_INVALID;
	ev->count_phase = BMSUB_COUNT_UNKNOWN;

	/* A rolled-back clock never goes below H - 1 day; a correction of
	 * less than a day changes nothing. */
	if (st != NULL && st->high_water != BMSUB_TIME_NONE) {
		hw = sub_sat(st->high_water, BM_DAY);
		if (now < hw) {
			ev->clock_behind_state = 1;
			ev->effective = hw;
		}
	}
	if (st != NULL && st->have_count) {
		ev->have_count = 1;
		ev->count = st->count;
	}
}

/*
 * expires - 2 months and - 1 month: the calendar arithmetic is half of
 * a decision's cost and the license rarely changes, so the last answer is
 * kept, under a sequence lock: a reader that saw the sequence odd or
 * changed computes it again, a writer that finds it taken does not write.
 * Not thread-local: a dlopen'ed module's dynamic TLS crashed
 * LeakSanitizer's tracer (gcc 12) in the PAM tests, and costs a
 * __tls_get_addr call.
 */
static struct {
	unsigned seq;		/* odd while written */
	int64_t expires, notice_at, warning_at;
} months_memo = { 0, BMSUB_TIME_NONE, 0, 0 };

static void
months_before(int64_t expires, int64_t *notice_at, int64_t *warning_at)
{
	unsigned seq = __atomic_load_n(&months_memo.seq, __ATOMIC_ACQUIRE);
	int64_t e, n, w;

	if ((seq & 1) == 0) {
		e = __atomic_load_n(&months_memo.expires, __ATOMIC_RELAXED);
		n = __atomic_load_n(&months_memo.notice_at, __ATOMIC_RELAXED);
		w = __atomic_load_n(&months_memo.warning_at, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (e == expires && e != BMSUB_TIME_NONE &&
		    __atomic_load_n(&months_memo.seq, __ATOMIC_RELAXED) == seq) {
			*notice_at = n;
			*warning_at = w;
			return;
		}
	}
	*notice_at = bmsub_add_months(expires, -2);
	*warning_at = bmsub_add_months(expires, -1);
	if ((seq & 1) == 0 && __atomic_compare_exchange_n(&months_memo.seq,
	    &seq, seq + 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		__atomic_thread_fence(__ATOMIC_RELEASE);
		__atomic_store_n(&months_memo.expires, expires, __ATOMIC_RELAXED);
		__atomic_store_n(&months_memo.notice_at, *notice_at,
		    __ATOMIC_RELAXED);
		__atomic_store_n(&months_memo.warning_at, *warning_at,
		    __ATOMIC_RELAXED);
		__atomic_store_n(&months_memo.seq, seq + 2, __ATOMIC_RELEASE);
	}
}

/* Thresholds, figures and the date phase of a valid license. */
static void
eval_dates(const struct bmsub_license *lic, struct bmsub_eval *ev)
{
	int trial = lic->kind == BMSUB_KIND_TRIAL;
	uint64_t n = lic->users, p = lic->allowance_percent;
	int64_t starts = lic->starts;

	if (ev->now < lic->issued)
		ev->clock_behind_license = 1;
	if (ev->effective < lic->issued)
		ev->effective = lic->issued;

	ev->expires = lic->expires;
	if (!trial)
		months_before(lic->expires, &ev->notice_at, &ev->warning_at);
	ev->block_at = add_sat(lic->expires, (int64_t)lic->grace_days * BM_DAY);
	ev->days_left = floor_div(sub_sat(lic->expires, ev->effective), BM_DAY);

	/* Ceiling in 64 bits: N and P are uint32, N * P < 2^64. */
	ev->users = n;
	ev->ceiling = n + n * p / 100;
	ev->ceiling_reached = ev->have_count && ev->count >= ev->ceiling;

	if (starts != BMSUB_TIME_NONE && ev->effective < starts) {
		ev->license_err = BMSUB_E_NOT_YET_VALID;
		ev->date_phase = BMSUB_DATE_INVALID;
		ev->next_event = starts;
		ev->next_event_what =
		    date_names[date_phase_at(ev, trial, starts)];
		return;
	}
	ev->date_phase = date_phase_at(ev, trial, ev->effective);
	consider_event(ev, ev->notice_at, date_names[BMSUB_DATE_NOTICE]);
	consider_event(ev, ev->warning_at, date_names[BMSUB_DATE_WARNING]);
	if (ev->block_at > ev->expires)
		consider_event(ev, ev->expires, date_names[BMSUB_DATE_GRACE]);
	consider_event(ev, ev->block_at, date_names[BMSUB_DATE_BLOCKED]);
}

/* The count phase: C against N, and O + 1 month on the protected clock. */
static void
eval_count(const struct bmsub_state *st, struct bmsub_eval *ev)
{
	if (!ev->have_count)
		return;
	if (ev->count <= ev->users) {
		ev->count_phase = BMSUB_COUNT_WITHIN;
	} else if (st->over_since == BMSUB_TIME_NONE) {
		/* Inconsistent state (over without a start): warn, but
		 * never block on a date nobody recorded. */
		ev->count_phase = BMSUB_COUNT_OVER;
	} else {
		ev->over_since = st->over_since;
		ev->over_block_at = bmsub_add_months(st->over_since, 1);
		ev->count_phase = ev->effective < ev->over_block_at ?
		    BMSUB_COUNT_OVER : BMSUB_COUNT_OVER_BLOCKED;
		if (ev->date_phase != BMSUB_DATE_INVALID)
			consider_event(ev, ev->over_block_at,
			    count_names[BMSUB_COUNT_OVER_BLOCKED]);
	}
}

void
bmsub_evaluate(const struct bmsub_license *lic, int lic_err,
    const struct bmsub_state *st, int64_t now, struct bmsub_eval *ev)
{
	if (ev == NULL)
		return;
	eval_clock(st, now, ev);
	if (lic == NULL || lic_err != 0) {
		ev->license_err = lic_err != 0 ? lic_err : BMSUB_E_NO_LICENSE;
		return;
	}
	eval_dates(lic, ev);
	eval_count(st, ev);
}

int
bmsub_can_add(const struct bmsub_eval *ev, uint64_t k)
{
	/* No valid license: no N, so no ceiling to fit under. */
	if (ev == NULL || ev->users == 0)
		return 0;
	/* Unknown C is at least 0: k may still be too many on its own. */
	if (!ev->have_count)
		return k <= ev->ceiling;
	/* C + k <= M, written so that it cannot wrap. */
	return ev->count <= ev->ceiling && k <= ev->ceiling - ev->count;
}

/* ------------------------------------------------------------------ */
/* Decision. */

static int
date_severity(enum bmsub_date_phase p)
{
	switch (p) {
	case BMSUB_DATE_OK:
		return 0;
	case BMSUB_DATE_NOTICE:
		return 1;
	case BMSUB_DATE_WARNING:
		return 2;
	case BMSUB_DATE_GRACE:
		return 3;
	case BMSUB_DATE_BLOCKED:
		return 4;
	case BMSUB_DATE_INVALID:
	default:
		return 5;	/* anything unexpected fails closed */
	}
}

static int
count_severity(enum bmsub_count_phase p)
{
	switch (p) {
	case BMSUB_COUNT_UNKNOWN:
	case BMSUB_COUNT_WITHIN:
		return 0;
	case BMSUB_COUNT_OVER:
		return 2;
	case BMSUB_COUNT_OVER_BLOCKED:
	default:
		return 4;
	}
}

/* What a phase level means for one login (rows of the SPEC table). */
enum level {
	LEVEL_QUIET = 0,	/* ok, notice, within */
	LEVEL_WARN = 2,		/* warning, over */
	LEVEL_GRACE = 3,	/* grace */
	LEVEL_BLOCK = 4		/* blocked, invalid, over-blocked */
};

static enum level
level_of(int severity)
{
	if (severity >= 4)
		return LEVEL_BLOCK;
	if (severity == 3)
		return LEVEL_GRACE;
	if (severity == 2)
		return LEVEL_WARN;
	return LEVEL_QUIET;
}

/* Does a phase of this level put a banner in front of this login? */
static int
level_has_banner(enum level l, int is_admin, int web)
{
	switch (l) {
	case LEVEL_WARN:
		return is_admin && web;
	case LEVEL_GRACE:
		return 1;	/* everyone, admins in any category too */
	case LEVEL_BLOCK:
		/* the admin let in on the web (redirected): what to do */
		return is_admin && web;
	default:
		return 0;
	}
}

static void
days_text(struct bm_text *t, const struct bmsub_eval *ev)
{
	char d[BMSUB_DAYS_STR_MAX];

	bm_text_add(t, "%s", bmsub_days_left_str(ev->effective, ev->expires,
	    d, sizeof(d)));
}

/* The banner of one phase (date or count side). */
static void
date_banner(struct bm_text *t, const struct bmsub_eval *ev)
{
	char e[32], b[32];

	if (ev->date_phase == BMSUB_DATE_INVALID) {
		bm_text_sep(t, " | ");
		bm_text_add(t, "No valid subscription (%s): access for users "
		    "is suspended until a valid license is installed.",
		    bmsub_err_token(ev->license_err != 0 ? ev->license_err :
		    BMSUB_E_INTERNAL));
		return;
	}
	if (ev->date_phase != BMSUB_DATE_WARNING &&
	    ev->date_phase != BMSUB_DATE_GRACE &&
	    ev->date_phase != BMSUB_DATE_BLOCKED)
		return;
	/* people read the last day covered: a license that "expires:
	 * 2027-11-01" is valid through that day and E is the next midnight */
	bmsub_date_format(ev->expires - 1, e, sizeof(e));
	bmsub_date_format(ev->block_at, b, sizeof(b));
	bm_text_sep(t, " | ");
	switch (ev->date_phase) {
	case BMSUB_DATE_WARNING:
		bm_text_add(t, "Subscription is valid through %s (", e);
		days_text(t, ev);
		bm_text_add(t, "): renew it to avoid any interruption.");
		break;
	case BMSUB_DATE_GRACE:
		if (ev->notice_at == BMSUB_TIME_NONE)
			bm_text_add(t, "Trial ended after %s: access for users will "
			    "be suspended on %s unless a subscription is "
			    "installed.", e, b);
		else
			bm_text_add(t, "Subscription expired after %s: access for "
			    "users will be suspended on %s unless it is "
			    "renewed.", e, b);
		break;
	case BMSUB_DATE_BLOCKED:
		if (ev->notice_at == BMSUB_TIME_NONE)
			bm_text_add(t, "Trial ended after %s: access for users "
			    "is suspended since %s until a subscription is "
			    "installed.", e, b);
		else
			bm_text_add(t, "Subscription expired after %s: access "
			    "for users is suspended since %s until it is "
			    "renewed.", e, b);
		break;
	default:
		break;
	}
}

static void
count_banner(struct bm_text *t, const struct bmsub_eval *ev)
{
	char o[32];

	bm_text_sep(t, " | ");
	bm_text_add(t, "%llu users for %llu licensed: ",
	    (unsigned long long)ev->count, (unsigned long long)ev->users);
	if (ev->count_phase == BMSUB_COUNT_OVER_BLOCKED) {
		bmsub_date_format(ev->over_block_at, o, sizeof(o));
		bm_text_add(t, "access for users is suspended since %s until "
		    "the count is reduced or the subscription extended.", o);
	} else if (ev->over_block_at != BMSUB_TIME_NONE) {
		bmsub_date_format(ev->over_block_at, o, sizeof(o));
		bm_text_add(t, "users will be blocked on %s unless the count is "
		    "reduced or the subscription extended.", o);
	} else {
		bm_text_add(t, "reduce the count or extend the subscription.");
	}
}

static const char *
reason_of(const struct bmsub_eval *ev, int count_wins, int trial)
{
	if (count_wins)
		return ev->count_phase == BMSUB_COUNT_OVER ? "over-count" :
		    "over-count-blocked";
	switch (ev->date_phase) {
	case BMSUB_DATE_OK:
		return "ok";
	case BMSUB_DATE_NOTICE:
		return "notice";
	case BMSUB_DATE_WARNING:
		return "warning";
	case BMSUB_DATE_GRACE:
		return "grace";
	case BMSUB_DATE_BLOCKED:
		return trial ? "trial-ended" : "expired";
	case BMSUB_DATE_INVALID:
	default:
		return bmsub_err_token(ev->license_err != 0 ? ev->license_err :
		    BMSUB_E_INTERNAL);
	}
}

/* PAM_ERROR_MSG for a denied login. */
static void
deny_message(struct bm_text *t, const struct bmsub_eval *ev, int count_wins,
    int trial, int is_admin, const char *admin_url)
{
	char where[600];

	if (admin_url != NULL && *admin_url != '\0')
		snprintf(where, sizeof(where), "at %s", admin_url);
	else
		snprintf(where, sizeof(where), "on the administration console");

	if (!is_admin) {
		if (count_wins)
			bm_text_add(t, "Access suspended: this mail platform has "
			    "more users than its subscription allows.");
		else if (ev->date_phase == BMSUB_DATE_INVALID)
			bm_text_add(t, "Access suspended: this mail platform has "
			    "no valid subscription.");
		else
			bm_text_add(t, "Access suspended: this mail platform's "
			    "%s has expired.",
			    trial ? "trial" : "subscription");
		bm_text_add(t, " Please contact your administrator.");
		return;
	}
	if (count_wins)
		bm_text_add(t, "Too many users (%llu for %llu licensed): remove "
		    "users or extend the subscription %s.",
		    (unsigned long long)ev->count,
		    (unsigned long long)ev->users, where);
	else if (ev->date_phase == BMSUB_DATE_INVALID)
		bm_text_add(t, "No valid subscription (%s): install a valid "
		    "license %s.", reason_of(ev, 0, trial), where);
	else
		bm_text_add(t, "Subscription expired: renew it %s.", where);
}

/* Who sees what: the login's view of the evaluation. */
struct who {
	int is_admin, web, trial, count_wins, ds, cs;
	enum level lvl;
};

/*
 * Banners: the worse phase's, then the other phase's when it too would
 * show one to this login, then the admin-only notes. A denied login sees
 * no banner: its message says everything.
 */
static void
banners(const struct bmsub_eval *ev, const struct who *w, int have_recipients,
    struct bmsub_verdict *v)
{
	struct bm_text t;
	int admin_web = w->is_admin && w->web;

	bm_text_fixed(&t, v->banner, sizeof(v->banner));
	if (v->decision != BMSUB_DENY) {
		if (w->count_wins) {
			if (level_has_banner(w->lvl, w->is_admin, w->web))
				count_banner(&t, ev);
			if (level_has_banner(level_of(w->ds), w->is_admin,
			    w->web))
				date_banner(&t, ev);
		} else {
			if (level_has_banner(w->lvl, w->is_admin, w->web))
				date_banner(&t, ev);
			if (level_has_banner(level_of(w->cs), w->is_admin,
			    w->web))
				count_banner(&t, ev);
		}
		if (admin_web && ev->ceiling_reached) {
			bm_text_sep(&t, " | ");
			bm_text_add(&t, "User limit reached (%llu of %llu "
			    "allowed): no user can be created.",
			    (unsigned long long)ev->count,
			    (unsigned long long)ev->ceiling);
		}
		if (admin_web && !have_recipients) {
			bm_text_sep(&t, " | ");
			bm_text_add(&t, "No alert recipient is configured: "
			    "subscription emails reach nobody.");
		}
	}
	bm_text_finish(&t);
}

/* The PAM_TEXT_INFO of a redirect or the PAM_ERROR_MSG of a denial. */
static void
message(const struct bmsub_eval *ev, const struct who *w,
    const char *admin_url, struct bmsub_verdict *v)
{
	struct bm_text t;

	bm_text_fixed(&t, v->message, sizeof(v->message));
	if (v->decision == BMSUB_REDIRECT) {
		v->redirect = admin_url;
		if (admin_url != NULL && *admin_url != '\0')
			bm_text_add(&t, "Subscription action required: see %s",
			    admin_url);
		else
			bm_text_add(&t, "Subscription action required: see "
			    "the administration console");
		if (t.truncated) {
			bm_text_fixed(&t, v->message, sizeof(v->message));
			bm_text_add(&t, "Subscription action required: see "
			    "the administration console");
		}
	} else if (v->decision == BMSUB_DENY) {
		deny_message(&t, ev, w->count_wins, w->trial, w->is_admin,
		    admin_url);
		if (t.truncated) {
			/* never a cut URL (a caller's admin_url longer than
			 * the config allows): the words without it */
			bm_text_fixed(&t, v->message, sizeof(v->message));
			deny_message(&t, ev, w->count_wins, w->trial,
			    w->is_admin, NULL);
		}
	}
	bm_text_finish(&t);
}

void
bmsub_decide(const struct bmsub_eval *ev, int is_admin,
    enum bmsub_category cat, int have_recipients, const char *admin_url,
    struct bmsub_verdict *v)
{
	struct who w;

	if (v == NULL)
		return;
	/* not memset: the two 512-byte texts are most of a decision's cost,
	 * and only their first byte needs clearing */
	v->redirect = NULL;
	v->banner[0] = '\0';
	v->message[0] = '\0';
	v->decision = BMSUB_DENY;
	v->phase = date_names[BMSUB_DATE_INVALID];
	v->reason = bmsub_err_token(BMSUB_E_INTERNAL);
	if (ev == NULL)
		return;

	memset(&w, 0, sizeof(w));
	/* bmsub_category_is_web() lives in config.c; the policy keeps its
	 * own copy of the rule so it stays a self-contained pure unit. */
	w.web = cat == BMSUB_CAT_WEBMAIL || cat == BMSUB_CAT_ADMIN;
	w.is_admin = is_admin != 0;
	/* Trial licenses have no notice/warning thresholds. */
	w.trial = ev->date_phase != BMSUB_DATE_INVALID &&
	    ev->notice_at == BMSUB_TIME_NONE;
	w.ds = date_severity(ev->date_phase);
	w.cs = count_severity(ev->count_phase);
	w.count_wins = w.cs > w.ds;	/* ties: the date phase is reported */
	w.lvl = level_of(w.count_wins ? w.cs : w.ds);
	v->phase = w.count_wins ? bmsub_count_phase_name(ev->count_phase) :
	    bmsub_date_phase_name(ev->date_phase);
	v->reason = reason_of(ev, w.count_wins, w.trial);

	switch (w.lvl) {
	case LEVEL_QUIET:
	case LEVEL_WARN:
		v->decision = BMSUB_ALLOW;
		break;
	case LEVEL_GRACE:
		v->decision = w.is_admin && w.web ? BMSUB_REDIRECT :
		    BMSUB_ALLOW;
		break;
	case LEVEL_BLOCK:
	default:
		v->decision = w.is_admin && w.web ? BMSUB_REDIRECT :
		    BMSUB_DENY;
		break;
	}
	banners(ev, &w, have_recipients, v);
	message(ev, &w, admin_url, v);
}

static const char *const hosting_names[] = {
	[BMSUB_HOSTED] = "hosted",
	[BMSUB_EXTERNAL] = "external",
	[BMSUB_HOSTING_UNKNOWN] = "unknown",
};

const char *
bmsub_hosting_name(enum bmsub_hosting h)
{
	return (unsigned)h < NELEM(hosting_names) ? hosting_names[h] :
	    "unknown";
}

void
bmsub_decide_hosted(const struct bmsub_eval *ev, int is_admin,
    enum bmsub_category cat, int have_recipients, const char *admin_url,
    enum bmsub_hosting hosting, struct bmsub_verdict *v)
{
	struct bm_text t;

	if (v == NULL)
		return;
	bmsub_decide(ev, is_admin, cat, have_recipients, admin_url, v);
	if (is_admin || hosting == BMSUB_HOSTED)
		return;
	/* the phase stays what the license says, for the logs */
	v->decision = BMSUB_DENY;
	v->redirect = NULL;
	v->banner[0] = '\0';
	bm_text_fixed(&t, v->message, sizeof(v->message));
	if (hosting == BMSUB_EXTERNAL) {
		v->reason = "not-hosted";
		bm_text_add(&t, "Access refused: your mailbox is not hosted "
		    "on this mail platform. Use the mail service that hosts "
		    "it, or contact your administrator.");
	} else {
		v->reason = "hosted-unknown";
		bm_text_add(&t, "Access refused: this mail platform cannot "
		    "tell which users it hosts. Please contact your "
		    "administrator.");
	}
	bm_text_finish(&t);
}
