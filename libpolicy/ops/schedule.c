/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* schedule.c - the one alert schedule: which email each phase sends, how often, and what it says. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/*
 * SPEC section 3, as data. Each row is one alert kind; a phase sends at
 * most one row for a given license (test_schedule checks it):
 *
 *   alert         phase (axis)        licenses   key     cadence
 *   expiry-2m     notice (date)       not trial  ID      once
 *   expiry-1m     warning (date)      not trial  ID      once
 *   grace         grace (date)        any        ID      every 2 days
 *   blocked       blocked (date)      not trial  ID      every 2 days
 *   trial-ended   blocked (date)      trial      ID      once
 *   invalid       invalid (date)      any/none   token   every 2 days
 *   over          over (count)        any        O       every 7 days
 *   over-blocked  over-blocked (count) any       O       once
 *
 * "every N" counts from the last sending of the same key, so a phase
 * sends at its start, then every N while it lasts; a new key (renewed
 * license, new episode, another error) starts afresh.
 *
 * Texts name figures as {placeholder} (bm_var_names below); the mail
 * composer adds the headings, the figures and the headers, and wraps
 * the paragraphs. A piece with a condition is left out when it does not
 * hold.
 */

#define EVERY_EXPIRED ((int64_t)2 * BM_DAY)
/* What a blocking phase does to administrators (SPEC 3: redirect). */
#define ADMINS_REDIRECTED "Administrators are not denied on web services " \
	"(webmail, admin page): they are let in and redirected to the admin " \
	"page; their other logins are denied."
#define EVERY_OVER ((int64_t)7 * BM_DAY)

/* Shared by blocked and trial-ended: the same situation, the trial's
 * alert is not repeated. */
static const struct bm_piece blocked_happened[] = {
	{ BM_ALWAYS, "The bmsub {kind} license {id} of {customer} expired at "
	    "{expires}. Since {block} every user login (IMAP, POP, "
	    "ActiveSync, webmail, SMTP) is denied. " ADMINS_REDIRECTED
	    " Incoming mail keeps flowing." },
	{ BM_ALWAYS, NULL }
};
static const struct bm_piece blocked_next[] = {
	{ BM_ALWAYS, "Logins stay blocked until a valid license is "
	    "installed." },
	{ BM_IF_REPEATS, " This alert is repeated every {every}." },
	{ BM_ALWAYS, NULL }
};
static const struct bm_piece blocked_todo[] = {
	{ BM_ALWAYS, "Install a valid license with\n"
	    "  bmsub-check install FILE\n"
	    "Logins are allowed again at once." },
	{ BM_ALWAYS, NULL }
};
/* Shared by the two expiry notices. */
static const struct bm_piece expiry_happened[] = {
	{ BM_ALWAYS, "The bmsub license {id} of {customer} is valid through "
	    "{last_day}: it ends at {expires} ({days_left})." },
	{ BM_ALWAYS, NULL }
};
static const struct bm_piece expiry_todo[] = {
	{ BM_ALWAYS, "Order the renewal now and install the new license with\n"
	    "  bmsub-check install FILE\n"
	    "Installing it stops these alerts at once." },
	{ BM_ALWAYS, NULL }
};
#define EXPIRY_SUBJECT "[bmsub] {customer}: license {id} expires on " \
	"{last_day} ({days_left})"
#define EXPIRY_GRACE_ITEM "- from {expires}, every user sees a banner and " \
	"administrators are redirected to the admin page on web services " \
	"(not denied);\n"
#define EXPIRY_BLOCK_ITEM "- from {block}, every user login (IMAP, POP, " \
	"ActiveSync, webmail, SMTP) is denied; administrators are then " \
	"redirected to the admin page on web services, not denied. Incoming " \
	"mail keeps flowing."

const struct bm_sched bm_schedule[BMSUB_ALERT__COUNT] = {
	[BMSUB_ALERT_EXPIRY_2M] = {
		.name = "expiry-2m", .axis = BM_AXIS_DATE,
		.phase = BMSUB_DATE_NOTICE, .cls = BM_CLASS_NOT_TRIAL,
		.key = BM_KEY_LICENSE, .every = 0,
		.event = "email to administrators: expiry in 2 months",
		.subject = EXPIRY_SUBJECT, .happened = expiry_happened,
		.next = (const struct bm_piece[]){
			{ BM_ALWAYS, "- from {warning}, administrators see a "
			    "banner at login;\n" },
			{ BM_IF_GRACE, EXPIRY_GRACE_ITEM },
			{ BM_ALWAYS, EXPIRY_BLOCK_ITEM },
			{ BM_ALWAYS, NULL } },
		.todo = expiry_todo },
	[BMSUB_ALERT_EXPIRY_1M] = {
		.name = "expiry-1m", .axis = BM_AXIS_DATE,
		.phase = BMSUB_DATE_WARNING, .cls = BM_CLASS_NOT_TRIAL,
		.key = BM_KEY_LICENSE, .every = 0,
		.event = "email to administrators: expiry in 1 month",
		.subject = EXPIRY_SUBJECT, .happened = expiry_happened,
		.next = (const struct bm_piece[]){
			{ BM_IF_GRACE, EXPIRY_GRACE_ITEM },
			{ BM_ALWAYS, EXPIRY_BLOCK_ITEM },
			{ BM_ALWAYS, NULL } },
		.todo = expiry_todo },
	[BMSUB_ALERT_GRACE] = {
		/* a trial with grace days is in grace too: same alert */
		.name = "grace", .axis = BM_AXIS_DATE,
		.phase = BMSUB_DATE_GRACE, .cls = BM_CLASS_ANY,
		.key = BM_KEY_LICENSE, .every = EVERY_EXPIRED,
		.event = "email reminder",
		.subject = "[bmsub] {customer}: license {id} has EXPIRED, "
		    "logins will be blocked on {block_date}",
		.happened = (const struct bm_piece[]){
			{ BM_ALWAYS, "The bmsub license {id} of {customer} "
			    "expired at {expires}. Users can still log in "
			    "during the grace period, with a banner; "
			    "administrators are let in on web services and "
			    "redirected to the admin page." },
			{ BM_ALWAYS, NULL } },
		.next = (const struct bm_piece[]){
			{ BM_ALWAYS, "From {block} every user login (IMAP, POP, "
			    "ActiveSync, webmail, SMTP) is denied; "
			    "administrators are still redirected to the admin "
			    "page on web services. Incoming mail keeps "
			    "flowing." },
			{ BM_IF_REPEATS, " This alert is repeated every "
			    "{every}." },
			{ BM_ALWAYS, NULL } },
		.todo = (const struct bm_piece[]){
			{ BM_ALWAYS, "Install a renewed license now with\n"
			    "  bmsub-check install FILE" },
			{ BM_ALWAYS, NULL } } },
	[BMSUB_ALERT_BLOCKED] = {
		.name = "blocked", .axis = BM_AXIS_DATE,
		.phase = BMSUB_DATE_BLOCKED, .cls = BM_CLASS_NOT_TRIAL,
		.key = BM_KEY_LICENSE, .every = EVERY_EXPIRED,
		.event = "email reminder",
		.subject = "[bmsub] {customer}: license {id} expired, logins "
		    "are BLOCKED",
		.happened = blocked_happened, .next = blocked_next,
		.todo = blocked_todo },
	[BMSUB_ALERT_TRIAL_ENDED] = {
		.name = "trial-ended", .axis = BM_AXIS_DATE,
		.phase = BMSUB_DATE_BLOCKED, .cls = BM_CLASS_TRIAL,
		.key = BM_KEY_LICENSE, .every = 0,
		.event = "email to administrators: trial ended",
		.subject = "[bmsub] {customer}: trial license {id} has ended, "
		    "logins are BLOCKED",
		.happened = blocked_happened, .next = blocked_next,
		.todo = blocked_todo },
	[BMSUB_ALERT_INVALID] = {
		.name = "invalid", .axis = BM_AXIS_DATE,
		.phase = BMSUB_DATE_INVALID, .cls = BM_CLASS_ANY,
		.key = BM_KEY_ERROR, .every = EVERY_EXPIRED,
		.event = "email to administrators: no valid license "
		    "({error}), logins blocked",
		.subject = "[bmsub] no valid license ({error}), logins are "
		    "BLOCKED",
		.happened = (const struct bm_piece[]){
			{ BM_ALWAYS, "bmsub finds no valid license: "
			    "{error_text} ({error}). Every user login (IMAP, "
			    "POP, ActiveSync, webmail, SMTP) is denied. "
			    ADMINS_REDIRECTED " Incoming mail keeps flowing." },
			{ BM_ALWAYS, NULL } },
		.next = (const struct bm_piece[]){
			{ BM_UNLESS_WAITING, "Logins stay blocked until a "
			    "valid license is installed." },
			{ BM_IF_WAITING, "Logins are allowed from {starts}, "
			    "when license {id} starts, or as soon as a valid "
			    "license is installed." },
			{ BM_IF_REPEATS, " This alert is repeated every "
			    "{every}." },
			{ BM_ALWAYS, NULL } },
		.todo = (const struct bm_piece[]){
			{ BM_ALWAYS, "Check the license with\n"
			    "  bmsub-check status\n"
			    "and install a valid one with\n"
			    "  bmsub-check install FILE" },
			{ BM_ALWAYS, NULL } } },
	[BMSUB_ALERT_OVER] = {
		.name = "over", .axis = BM_AXIS_COUNT,
		.phase = BMSUB_COUNT_OVER, .cls = BM_CLASS_ANY,
		.key = BM_KEY_EPISODE, .every = EVERY_OVER,
		.event = "email reminder (over the license), every {every}",
		.subject = "[bmsub] {customer}: {count} users, more than the "
		    "{users} licensed",
		.happened = (const struct bm_piece[]){
			{ BM_ALWAYS, "{count} users are counted, more than the "
			    "{users} that license {id} of {customer} allows, "
			    "since {over_since}. Administrators see a "
			    "banner." },
			{ BM_IF_CEILING, " No user can be created (the ceiling "
			    "is reached)." },
			{ BM_ALWAYS, NULL } },
		.next = (const struct bm_piece[]){
			{ BM_ALWAYS, "If the count is still above {users} at "
			    "{over_block}, every user login (IMAP, POP, "
			    "ActiveSync, webmail, SMTP) is denied; "
			    "administrators are then redirected to the admin "
			    "page on web services, not denied." },
			{ BM_IF_REPEATS, " This alert is repeated every "
			    "{every} until then." },
			{ BM_ALWAYS, NULL } },
		.todo = (const struct bm_piece[]){
			{ BM_ALWAYS, "Remove users (or exclude technical "
			    "accounts with users.exclude) and recount with\n"
			    "  bmsub-check refresh\n"
			    "or order a license for more users and install it "
			    "with\n"
			    "  bmsub-check install FILE" },
			{ BM_ALWAYS, NULL } } },
	[BMSUB_ALERT_OVER_BLOCKED] = {
		.name = "over-blocked", .axis = BM_AXIS_COUNT,
		.phase = BMSUB_COUNT_OVER_BLOCKED, .cls = BM_CLASS_ANY,
		.key = BM_KEY_EPISODE, .every = 0,
		.event = "email to administrators: users blocked (over the "
		    "license)",
		.subject = "[bmsub] {customer}: logins are BLOCKED, {count} "
		    "users for {users} licensed",
		.happened = (const struct bm_piece[]){
			{ BM_ALWAYS, "{count} users have been counted since "
			    "{over_since}, more than the {users} that license "
			    "{id} of {customer} allows, for over a month. "
			    "Since {over_block} every user login (IMAP, POP, "
			    "ActiveSync, webmail, SMTP) is denied. "
			    ADMINS_REDIRECTED " Incoming mail keeps flowing." },
			{ BM_ALWAYS, NULL } },
		.next = (const struct bm_piece[]){
			{ BM_ALWAYS, "Logins stay blocked until the count is "
			    "back to {users} or less, or a license for more "
			    "users is installed." },
			{ BM_ALWAYS, NULL } },
		.todo = (const struct bm_piece[]){
			{ BM_ALWAYS, "Remove users and recount with\n"
			    "  bmsub-check refresh\n"
			    "or install a license for more users with\n"
			    "  bmsub-check install FILE" },
			{ BM_ALWAYS, NULL } } },
};

static int
class_has(enum bm_class c, const struct bmsub_license *lic)
{
	if (c == BM_CLASS_ANY)
		return 1;
	if (lic == NULL)
		return 0;
	return (c == BM_CLASS_TRIAL) == (lic->kind == BMSUB_KIND_TRIAL);
}

const struct bm_sched *
bm_sched_find(enum bm_axis axis, int phase, const struct bmsub_license *lic)
{
	size_t k;

	for (k = 0; k < BMSUB_ALERT__COUNT; k++)
		if (bm_schedule[k].axis == axis &&
		    bm_schedule[k].phase == phase &&
		    class_has(bm_schedule[k].cls, lic))
			return &bm_schedule[k];
	return NULL;
}

/* The error an invalid phase names: the license's, or "not started". */
static int
invalid_err(const struct bmsub_eval *ev)
{
	return ev->license_err != 0 ? ev->license_err : BMSUB_E_NOT_YET_VALID;
}

int
bm_sched_key(const struct bm_sched *row, const struct bmsub_license *lic,
    const struct bmsub_eval *ev, char *buf, size_t size)
{
	char num[24];
	const char *suffix = NULL;
	int w;

	switch (row->key) {
	case BM_KEY_LICENSE:
		suffix = lic != NULL ? lic->id : NULL;
		break;
	case BM_KEY_ERROR:
		suffix = bmsub_err_token(invalid_err(ev));
		break;
	case BM_KEY_EPISODE:
		if (ev->over_since == BMSUB_TIME_NONE)
			break;
		snprintf(num, sizeof(num), "%" PRId64, ev->over_since);
		suffix = num;
		break;
	}
	if (suffix == NULL || suffix[0] == '\0')
		return -1;
	w = snprintf(buf, size, "%s:%s", row->name, suffix);
	return w < 0 || (size_t)w >= size ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Texts */

const char *const bm_var_names[BM_V__COUNT] = {
	[BM_V_CUSTOMER] = "customer",	/* controls made '?' */
	[BM_V_ID] = "id",
	[BM_V_KIND] = "kind",		/* "prod", "trial", ... */
	[BM_V_LAST_DAY] = "last_day",	/* "2027-06-30": E - 1 s */
	[BM_V_EXPIRES] = "expires",	/* "2027-07-01 00:00:00 UTC": E */
	[BM_V_WARNING] = "warning",	/* E - 1 month */
	[BM_V_BLOCK] = "block",		/* E + G days */
	[BM_V_BLOCK_DATE] = "block_date", /* "2027-07-11" */
	[BM_V_STARTS] = "starts",
	[BM_V_DAYS_LEFT] = "days_left",	/* bmsub_days_left_str: "21 days left" */
	[BM_V_GRACE_DAYS] = "grace_days", /* "10 days", "1 day" */
	[BM_V_ERROR] = "error",		/* "bad-signature" */
	[BM_V_ERROR_TEXT] = "error_text", /* bmsub_strerror */
	[BM_V_COUNT] = "count",		/* C */
	[BM_V_USERS] = "users",		/* N */
	[BM_V_OVER_SINCE] = "over_since", /* O */
	[BM_V_OVER_BLOCK] = "over_block", /* O + 1 month */
	[BM_V_EVERY] = "every",		/* "2 days": the row's cadence */
};

static const char *
days_word(int64_t d)
{
	return d == 1 || d == -1 ? "day" : "days";
}

static const char *
put_time(struct bm_vars *v, enum bm_var k, int64_t t, enum bmsub_tstyle s)
{
	return v->val[k] = bmsub_time_str(t, s, "(no date)", v->buf[k],
	    sizeof(v->buf[k]));
}

static void
put_num(struct bm_vars *v, enum bm_var k, uint64_t n)
{
	snprintf(v->buf[k], sizeof(v->buf[k]), "%" PRIu64, n);
	v->val[k] = v->buf[k];
}

void
bm_vars_row(struct bm_vars *v, const struct bm_sched *row)
{
	int64_t d = row != NULL ? row->every / BM_DAY : 0;

	snprintf(v->buf[BM_V_EVERY], sizeof(v->buf[BM_V_EVERY]),
	    "%" PRId64 " %s", d, days_word(d));
	v->val[BM_V_EVERY] = v->buf[BM_V_EVERY];
	v->cond &= ~(1u << BM_IF_REPEATS);
	if (row != NULL && row->every > 0)
		v->cond |= 1u << BM_IF_REPEATS;
}

/* Customer, id, kind and start of the license; "" without one. */
static void
vars_license(struct bm_vars *v, const struct bmsub_license *lic)
{
	size_t i;

	snprintf(v->customer, sizeof(v->customer), "%s",
	    lic != NULL ? lic->customer : "");
	for (i = 0; v->customer[i] != '\0'; i++)
		if ((unsigned char)v->customer[i] < 0x20 ||
		    v->customer[i] == 0x7f)
			v->customer[i] = '?';	/* no header injection */
	v->val[BM_V_CUSTOMER] = v->customer;
	v->val[BM_V_ID] = lic != NULL ? lic->id : "";
	v->val[BM_V_KIND] = lic != NULL ? bmsub_kind_name(lic->kind) : "";
	put_time(v, BM_V_STARTS, lic != NULL ? lic->starts : BMSUB_TIME_NONE,
	    BMSUB_TS_HUMAN);
	snprintf(v->buf[BM_V_GRACE_DAYS], sizeof(v->buf[BM_V_GRACE_DAYS]),
	    "%u %s", lic != NULL ? lic->grace_days : 0,
	    days_word(lic != NULL ? lic->grace_days : 0));
	v->val[BM_V_GRACE_DAYS] = v->buf[BM_V_GRACE_DAYS];
}

void
bm_vars_init(struct bm_vars *v, const struct bm_sched *row,
    const struct bmsub_license *lic, const struct bmsub_eval *ev)
{
	int err = invalid_err(ev);
	int waiting = lic != NULL && lic->starts != BMSUB_TIME_NONE &&
	    ev->license_err == BMSUB_E_NOT_YET_VALID;

	memset(v, 0, sizeof(*v));
	vars_license(v, lic);
	put_time(v, BM_V_LAST_DAY, ev->expires, BMSUB_TS_LAST_DAY);
	put_time(v, BM_V_EXPIRES, ev->expires, BMSUB_TS_HUMAN);
	put_time(v, BM_V_WARNING, ev->warning_at, BMSUB_TS_HUMAN);
	put_time(v, BM_V_BLOCK, ev->block_at, BMSUB_TS_HUMAN);
	put_time(v, BM_V_BLOCK_DATE, ev->block_at, BMSUB_TS_DATE);
	put_time(v, BM_V_OVER_SINCE, ev->over_since, BMSUB_TS_HUMAN);
	put_time(v, BM_V_OVER_BLOCK, ev->over_block_at, BMSUB_TS_HUMAN);
	v->val[BM_V_DAYS_LEFT] = bmsub_days_left_str(ev->effective,
	    ev->expires, v->buf[BM_V_DAYS_LEFT], sizeof(v->buf[BM_V_DAYS_LEFT]));
	v->val[BM_V_ERROR] = bmsub_err_token(err);
	v->val[BM_V_ERROR_TEXT] = bmsub_strerror(err);
	put_num(v, BM_V_COUNT, ev->count);
	put_num(v, BM_V_USERS, ev->users);
	v->cond = 1u << BM_ALWAYS;
	if (ev->block_at != ev->expires)
		v->cond |= 1u << BM_IF_GRACE;
	if (ev->ceiling_reached)
		v->cond |= 1u << BM_IF_CEILING;
	v->cond |= 1u << (waiting ? BM_IF_WAITING : BM_UNLESS_WAITING);
	bm_vars_row(v, row);
}

int
bm_expand(struct bm_text *t, const char *tmpl, const struct bm_vars *v)
{
	const char *p = tmpl, *open, *close;
	size_t k, len;

	while ((open = strchr(p, '{')) != NULL) {
		bm_text_add(t, "%.*s", (int)(open - p), p);
		if ((close = strchr(open, '}')) == NULL)
			return -1;
		len = (size_t)(close - open - 1);
		for (k = 0; k < BM_V__COUNT; k++)
			if (strncmp(bm_var_names[k], open + 1, len) == 0 &&
			    bm_var_names[k][len] == '\0')
				break;
		if (k == BM_V__COUNT || v->val[k] == NULL)
			return -1;
		bm_text_add(t, "%s", v->val[k]);
		p = close + 1;
	}
	bm_text_add(t, "%s", p);
	return 0;
}

int
bm_expand_pieces(struct bm_text *t, const struct bm_piece *p,
    const struct bm_vars *v)
{
	for (; p->text != NULL; p++)
		if ((v->cond & (1u << p->cond)) != 0 &&
		    bm_expand(t, p->text, v) != 0)
			return -1;
	return 0;
}
