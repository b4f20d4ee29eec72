/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_decide.c - bmsub_decide: every cell of the decision table, banners,
 * reasons, the worse-phase rule and the texts shown to people. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmsub.h"
#include "tlib.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define NONE BMSUB_TIME_NONE
#define URL "https://admin.example/subscription"

/*
 * One situation: a license (prod unless said, E = 2027-11-02T00:00:00Z,
 * N = 250), a state and a time. Counts stay under the ceiling unless the
 * case is about it.
 */
struct scen {
	enum bmsub_kind kind;
	uint32_t grace;
	int lic_err;		/* 1: no license at all (NULL) */
	const char *starts;
	uint32_t percent;
	int have_count;
	uint64_t count;
	const char *over_since;
	const char *now;
};

enum {
	S_OK, S_NOTICE, S_WARNING, S_GRACE, S_BLOCKED, S_NOLIC, S_BADSIG,
	S_NOTYET, S_WITHIN, S_OVER, S_OVERBLK, S_TRIAL_BLK, S_TRIAL_GRACE,
	S_TRIAL_OK, S_WARN_OVERBLK, S_GRACE_OVER, S_WARN_OVER,
	S_BADSIG_OVERBLK, S_BLK_OVER, S_HOST_BLK, S_FREE_BLK, S_CEIL,
	S_NOTICE_OVER, S_GRACE_OVERBLK,
};

static const struct scen scens[] = {
	[S_OK] = { BMSUB_KIND_PROD, 10, 0, NULL, 10, 0, 0, NULL, "2027-01-01T00:00:00Z" },
	[S_NOTICE] = { BMSUB_KIND_PROD, 10, 0, NULL, 10, 0, 0, NULL, "2027-09-10T00:00:00Z" },
	[S_WARNING] = { BMSUB_KIND_PROD, 10, 0, NULL, 10, 0, 0, NULL, "2027-10-21T00:00:00Z" },
	[S_GRACE] = { BMSUB_KIND_PROD, 10, 0, NULL, 10, 0, 0, NULL, "2027-11-05T00:00:00Z" },
	[S_BLOCKED] = { BMSUB_KIND_PROD, 10, 0, NULL, 10, 0, 0, NULL, "2027-11-20T00:00:00Z" },
	[S_NOLIC] = { BMSUB_KIND_PROD, 10, 1, NULL, 10, 0, 0, NULL, "2027-01-01T00:00:00Z" },
	[S_BADSIG] = { BMSUB_KIND_PROD, 10, BMSUB_E_BAD_SIGNATURE, NULL, 10, 0, 0, NULL, "2027-01-01T00:00:00Z" },
	[S_NOTYET] = { BMSUB_KIND_PROD, 10, 0, "2027-02-01T00:00:00Z", 10, 0, 0, NULL, "2027-01-01T00:00:00Z" },
	[S_WITHIN] = { BMSUB_KIND_PROD, 10, 0, NULL, 10, 1, 250, NULL, "2027-01-01T00:00:00Z" },
	[S_OVER] = { BMSUB_KIND_PROD, 10, 0, NULL, 10, 1, 260, "2026-12-20T00:00:00Z", "2027-01-01T00:00:00Z" },
	[S_OVERBLK] = { BMSUB_KIND_PROD, 10, 0, NULL, 10, 1, 260, "2026-11-15T00:00:00Z", "2027-01-01T00:00:00Z" },
	[S_TRIAL_BLK] = { BMSUB_KIND_TRIAL, 0, 0, NULL, 10, 0, 0, NULL, "2027-11-02T00:00:00Z" },
	[S_TRIAL_GRACE] = { BMSUB_KIND_TRIAL, 5, 0, NULL, 10, 0, 0, NULL, "2027-11-03T00:00:00Z" },
	[S_TRIAL_OK] = { BMSUB_KIND_TRIAL, 5, 0, NULL, 10, 0, 0, NULL, "2027-10-21T00:00:00Z" },
	[S_WARN_OVERBLK] = { BMSUB_KIND_PROD, 10, 0, NULL, 10, 1, 260, "2027-09-01T00:00:00Z", "2027-10-21T00:00:00Z" },
	[S_GRACE_OVER] = { BMSUB_KIND_PROD, 10, 0, NULL, 10, 1, 260, "2027-11-01T00:00:00Z", "2027-11-05T00:00:00Z" },
	[S_WARN_OVER] = { BMSUB_KIND_PROD, 10, 0, NULL, 10, 1, 260, "2027-10-15T00:00:00Z", "2027-10-21T00:00:00Z" },
	[S_BADSIG_OVERBLK] = { BMSUB_KIND_PROD, 10, BMSUB_E_BAD_SIGNATURE, NULL, 10, 1, 900, "2026-11-15T00:00:00Z", "2027-01-01T00:00:00Z" },
	[S_BLK_OVER] = { BMSUB_KIND_PROD, 10, 0, NULL, 10, 1, 260, "2027-11-15T00:00:00Z", "2027-11-20T00:00:00Z" },
	[S_HOST_BLK] = { BMSUB_KIND_HOST, 10, 0, NULL, 10, 0, 0, NULL, "2027-11-12T00:00:00Z" },
	[S_FREE_BLK] = { BMSUB_KIND_FREE, 0, 0, NULL, 10, 0, 0, NULL, "2027-11-02T00:00:00Z" },
	[S_CEIL] = { BMSUB_KIND_PROD, 10, 0, NULL, 0, 1, 250, NULL, "2027-01-01T00:00:00Z" },
	[S_NOTICE_OVER] = { BMSUB_KIND_PROD, 10, 0, NULL, 10, 1, 260, "2027-09-05T00:00:00Z", "2027-09-10T00:00:00Z" },
	[S_GRACE_OVERBLK] = { BMSUB_KIND_PROD, 10, 0, NULL, 10, 1, 260, "2027-09-05T00:00:00Z", "2027-11-05T00:00:00Z" },
};

static void
eval_scen(int i, struct bmsub_eval *ev)
{
	const struct scen *sc = &scens[i];
	struct bmsub_license l;
	struct bmsub_state st;

	memset(&l, 0, sizeof(l));
	strcpy(l.id, "BM-TEST-2");
	strcpy(l.customer, "Example SA");
	l.kind = sc->kind;
	l.issued = ts("2026-11-01T00:00:00Z");
	l.starts = sc->starts ? ts(sc->starts) : NONE;
	l.expires = ts("2027-11-02T00:00:00Z");
	l.users = 250;
	l.grace_days = sc->grace;
	l.allowance_percent = sc->percent;
	memset(&st, 0, sizeof(st));
	st.have_count = sc->have_count;
	st.count = sc->count;
	st.over_since = sc->over_since ? ts(sc->over_since) : NONE;
	st.high_water = st.last_refresh = st.last_notify = NONE;
	bmsub_evaluate(sc->lic_err == 1 ? NULL : &l,
	    sc->lic_err == 1 ? 0 : sc->lic_err, &st, ts(sc->now), ev);
}

/* ------------------------------------------------------------------ */
/* The table: cell 0 non-admin, 1 admin on a web category, 2 admin
 * elsewhere. Every scenario x 6 categories x admin or not. */

#define A BMSUB_ALLOW
#define R BMSUB_REDIRECT
#define D BMSUB_DENY

static const struct {
	int scen;
	const char *phase, *reason;
	enum bmsub_decision dec[3];
	int banner[3];
} cells[] = {
	{ S_OK, "ok", "ok", { A, A, A }, { 0, 0, 0 } },
	{ S_NOTICE, "notice", "notice", { A, A, A }, { 0, 0, 0 } },
	{ S_WARNING, "warning", "warning", { A, A, A }, { 0, 1, 0 } },
	{ S_GRACE, "grace", "grace", { A, R, A }, { 1, 1, 1 } },
	{ S_BLOCKED, "blocked", "expired", { D, R, D }, { 0, 1, 0 } },
	{ S_NOLIC, "invalid", "no-license", { D, R, D }, { 0, 1, 0 } },
	{ S_BADSIG, "invalid", "bad-signature", { D, R, D }, { 0, 1, 0 } },
	{ S_NOTYET, "invalid", "not-yet-valid", { D, R, D }, { 0, 1, 0 } },
	{ S_WITHIN, "ok", "ok", { A, A, A }, { 0, 0, 0 } },
	{ S_OVER, "over", "over-count", { A, A, A }, { 0, 1, 0 } },
	{ S_OVERBLK, "over-blocked", "over-count-blocked", { D, R, D }, { 0, 1, 0 } },
	{ S_TRIAL_BLK, "blocked", "trial-ended", { D, R, D }, { 0, 1, 0 } },
	{ S_TRIAL_GRACE, "grace", "grace", { A, R, A }, { 1, 1, 1 } },
	{ S_TRIAL_OK, "ok", "ok", { A, A, A }, { 0, 0, 0 } },
	/* the worse phase wins */
	{ S_WARN_OVERBLK, "over-blocked", "over-count-blocked", { D, R, D }, { 0, 1, 0 } },
	{ S_GRACE_OVER, "grace", "grace", { A, R, A }, { 1, 1, 1 } },
	{ S_WARN_OVER, "warning", "warning", { A, A, A }, { 0, 1, 0 } },
	{ S_BADSIG_OVERBLK, "invalid", "bad-signature", { D, R, D }, { 0, 1, 0 } },
	{ S_BLK_OVER, "blocked", "expired", { D, R, D }, { 0, 1, 0 } },
	{ S_HOST_BLK, "blocked", "expired", { D, R, D }, { 0, 1, 0 } },
	{ S_FREE_BLK, "blocked", "expired", { D, R, D }, { 0, 1, 0 } },
	{ S_CEIL, "ok", "ok", { A, A, A }, { 0, 1, 0 } },
	{ S_NOTICE_OVER, "over", "over-count", { A, A, A }, { 0, 1, 0 } },
	{ S_GRACE_OVERBLK, "over-blocked", "over-count-blocked", { D, R, D }, { 0, 1, 0 } },
};

START_TEST(test_table)
{
	struct bmsub_eval ev;
	struct bmsub_verdict v;
	int cat, admin, cell, web;

	eval_scen(cells[_i].scen, &ev);
	for (cat = 0; cat < BMSUB_CAT__COUNT; cat++) {
		web = cat == BMSUB_CAT_WEBMAIL || cat == BMSUB_CAT_ADMIN;
		for (admin = 0; admin < 2; admin++) {
			cell = !admin ? 0 : web ? 1 : 2;
			bmsub_decide(&ev, admin, cat, 1, URL, &v);
			ck_assert_msg(v.decision == cells[_i].dec[cell],
			    "cat %d admin %d: %s", cat, admin,
			    bmsub_decision_name(v.decision));
			ck_assert_str_eq(v.phase, cells[_i].phase);
			ck_assert_str_eq(v.reason, cells[_i].reason);
			ck_assert_msg((v.banner[0] != '\0') ==
			    cells[_i].banner[cell], "cat %d admin %d banner "
			    "\"%s\"", cat, admin, v.banner);
			ck_assert_int_eq(v.message[0] != '\0',
			    v.decision != BMSUB_ALLOW);
			if (v.decision == BMSUB_REDIRECT)
				ck_assert_ptr_eq(v.redirect, URL);
			else
				ck_assert_ptr_null(v.redirect);
			ck_assert(!tlib_has_control(v.banner));
			ck_assert(!tlib_has_control(v.message));
			/* A truthy is_admin other than 1 is an admin too. */
			bmsub_decide(&ev, admin ? 7 : 0, cat, 1, URL, &v);
			ck_assert_int_eq(v.decision, cells[_i].dec[cell]);
		}
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Exact texts. */

enum { NONADMIN, ADMIN };

static const struct {
	int scen;
	int admin;
	enum bmsub_category cat;
	int recipients;
	const char *url;
	const char *now;	/* overrides the scenario's time, or NULL */
	enum bmsub_decision dec;
	const char *banner, *message;
} texts[] = {
	{ S_WARNING, ADMIN, BMSUB_CAT_WEBMAIL, 1, URL, NULL, A,
	  "Subscription is valid through 2027-11-01 (12 days left): renew it to avoid any interruption.", "" },
	{ S_WARNING, ADMIN, BMSUB_CAT_ADMIN, 1, URL, "2027-11-01T00:00:00Z", A,
	  "Subscription is valid through 2027-11-01 (1 day left): renew it to avoid any interruption.", "" },
	{ S_WARNING, ADMIN, BMSUB_CAT_ADMIN, 1, URL, "2027-11-01T12:00:00Z", A,
	  "Subscription is valid through 2027-11-01 (less than a day left): renew it to avoid any interruption.", "" },
	{ S_WARNING, ADMIN, BMSUB_CAT_ADMIN, 1, URL, "2027-10-02T00:00:00Z", A,
	  "Subscription is valid through 2027-11-01 (31 days left): renew it to avoid any interruption.", "" },
	{ S_WARNING, NONADMIN, BMSUB_CAT_WEBMAIL, 0, URL, NULL, A, "", "" },
	{ S_WARNING, ADMIN, BMSUB_CAT_IMAP, 0, URL, NULL, A, "", "" },
	{ S_GRACE, NONADMIN, BMSUB_CAT_IMAP, 1, URL, NULL, A,
	  "Subscription expired after 2027-11-01: access for users will be suspended on 2027-11-12 unless it is renewed.", "" },
	{ S_GRACE, ADMIN, BMSUB_CAT_EAS, 1, URL, NULL, A,
	  "Subscription expired after 2027-11-01: access for users will be suspended on 2027-11-12 unless it is renewed.", "" },
	{ S_GRACE, ADMIN, BMSUB_CAT_WEBMAIL, 1, URL, NULL, R,
	  "Subscription expired after 2027-11-01: access for users will be suspended on 2027-11-12 unless it is renewed.",
	  "Subscription action required: see " URL },
	{ S_GRACE, ADMIN, BMSUB_CAT_WEBMAIL, 1, NULL, NULL, R,
	  "Subscription expired after 2027-11-01: access for users will be suspended on 2027-11-12 unless it is renewed.",
	  "Subscription action required: see the administration console" },
	{ S_TRIAL_GRACE, NONADMIN, BMSUB_CAT_SMTP, 1, URL, NULL, A,
	  "Trial ended after 2027-11-01: access for users will be suspended on 2027-11-07 unless a subscription is installed.", "" },
	{ S_OVER, ADMIN, BMSUB_CAT_ADMIN, 1, URL, NULL, A,
	  "260 users for 250 licensed: users will be blocked on 2027-01-20 unless the count is reduced or the subscription extended.", "" },
	{ S_BLOCKED, NONADMIN, BMSUB_CAT_WEBMAIL, 1, URL, NULL, D, "",
	  "Access suspended: this mail platform's subscription has expired. Please contact your administrator." },
	{ S_TRIAL_BLK, NONADMIN, BMSUB_CAT_IMAP, 1, URL, NULL, D, "",
	  "Access suspended: this mail platform's trial has expired. Please contact your administrator." },
	{ S_NOLIC, NONADMIN, BMSUB_CAT_IMAP, 1, URL, NULL, D, "",
	  "Access suspended: this mail platform has no valid subscription. Please contact your administrator." },
	{ S_OVERBLK, NONADMIN, BMSUB_CAT_EAS, 1, URL, NULL, D, "",
	  "Access suspended: this mail platform has more users than its subscription allows. Please contact your administrator." },
	{ S_BLOCKED, ADMIN, BMSUB_CAT_IMAP, 1, URL, NULL, D, "",
	  "Subscription expired: renew it at " URL "." },
	{ S_BLOCKED, ADMIN, BMSUB_CAT_OTHER, 1, NULL, NULL, D, "",
	  "Subscription expired: renew it on the administration console." },
	{ S_BLOCKED, ADMIN, BMSUB_CAT_SMTP, 1, "", NULL, D, "",
	  "Subscription expired: renew it on the administration console." },
	{ S_BADSIG, ADMIN, BMSUB_CAT_SMTP, 1, URL, NULL, D, "",
	  "No valid subscription (bad-signature): install a valid license at " URL "." },
	{ S_OVERBLK, ADMIN, BMSUB_CAT_IMAP, 1, URL, NULL, D, "",
	  "Too many users (260 for 250 licensed): remove users or extend the subscription at " URL "." },
	/* blocked: the redirected admin's banner says what to do, as in grace */
	{ S_BLOCKED, ADMIN, BMSUB_CAT_WEBMAIL, 1, URL, NULL, R,
	  "Subscription expired after 2027-11-01: access for users is suspended since 2027-11-12 until it is renewed.",
	  "Subscription action required: see " URL },
	{ S_BLOCKED, ADMIN, BMSUB_CAT_ADMIN, 1, NULL, NULL, R,
	  "Subscription expired after 2027-11-01: access for users is suspended since 2027-11-12 until it is renewed.",
	  "Subscription action required: see the administration console" },
	{ S_TRIAL_BLK, ADMIN, BMSUB_CAT_WEBMAIL, 1, URL, NULL, R,
	  "Trial ended after 2027-11-01: access for users is suspended since 2027-11-02 until a subscription is installed.",
	  "Subscription action required: see " URL },
	{ S_BADSIG, ADMIN, BMSUB_CAT_ADMIN, 1, URL, NULL, R,
	  "No valid subscription (bad-signature): access for users is suspended until a valid license is installed.",
	  "Subscription action required: see " URL },
	{ S_OVERBLK, ADMIN, BMSUB_CAT_WEBMAIL, 1, URL, NULL, R,
	  "260 users for 250 licensed: access for users is suspended since 2026-12-15 until the count is reduced or the subscription extended.",
	  "Subscription action required: see " URL },
	{ S_BLOCKED, NONADMIN, BMSUB_CAT_ADMIN, 1, URL, NULL, D, "",
	  "Access suspended: this mail platform's subscription has expired. Please contact your administrator." },
	/* several banners, joined */
	{ S_GRACE_OVER, ADMIN, BMSUB_CAT_WEBMAIL, 1, URL, NULL, R,
	  "Subscription expired after 2027-11-01: access for users will be suspended on 2027-11-12 unless it is renewed."
	  " | 260 users for 250 licensed: users will be blocked on 2027-12-01 unless the count is reduced or the subscription extended.",
	  "Subscription action required: see " URL },
	{ S_GRACE_OVER, NONADMIN, BMSUB_CAT_WEBMAIL, 1, URL, NULL, A,
	  "Subscription expired after 2027-11-01: access for users will be suspended on 2027-11-12 unless it is renewed.", "" },
	{ S_WARN_OVER, ADMIN, BMSUB_CAT_WEBMAIL, 1, URL, NULL, A,
	  "Subscription is valid through 2027-11-01 (12 days left): renew it to avoid any interruption."
	  " | 260 users for 250 licensed: users will be blocked on 2027-11-15 unless the count is reduced or the subscription extended.", "" },
	{ S_WARN_OVERBLK, ADMIN, BMSUB_CAT_WEBMAIL, 1, URL, NULL, R,
	  "260 users for 250 licensed: access for users is suspended since 2027-10-01 until the count is reduced or the subscription extended."
	  " | Subscription is valid through 2027-11-01 (12 days left): renew it to avoid any interruption.",
	  "Subscription action required: see " URL },
	/* admin-only notes, web categories only */
	{ S_CEIL, ADMIN, BMSUB_CAT_WEBMAIL, 1, URL, NULL, A,
	  "User limit reached (250 of 250 allowed): no user can be created.", "" },
	{ S_CEIL, ADMIN, BMSUB_CAT_IMAP, 0, URL, NULL, A, "", "" },
	{ S_CEIL, NONADMIN, BMSUB_CAT_WEBMAIL, 0, URL, NULL, A, "", "" },
	{ S_OK, ADMIN, BMSUB_CAT_ADMIN, 0, URL, NULL, A,
	  "No alert recipient is configured: subscription emails reach nobody.", "" },
	{ S_CEIL, ADMIN, BMSUB_CAT_ADMIN, 0, URL, NULL, A,
	  "User limit reached (250 of 250 allowed): no user can be created."
	  " | No alert recipient is configured: subscription emails reach nobody.", "" },
	{ S_NOLIC, ADMIN, BMSUB_CAT_WEBMAIL, 0, URL, NULL, R,
	  "No valid subscription (no-license): access for users is suspended until a valid license is installed."
	  " | No alert recipient is configured: subscription emails reach nobody.",
	  "Subscription action required: see " URL },
	{ S_GRACE, ADMIN, BMSUB_CAT_WEBMAIL, 0, URL, NULL, R,
	  "Subscription expired after 2027-11-01: access for users will be suspended on 2027-11-12 unless it is renewed."
	  " | No alert recipient is configured: subscription emails reach nobody.",
	  "Subscription action required: see " URL },
	{ S_GRACE, ADMIN, BMSUB_CAT_EAS, 0, URL, NULL, A,
	  "Subscription expired after 2027-11-01: access for users will be suspended on 2027-11-12 unless it is renewed.", "" },
	{ S_OK, NONADMIN, BMSUB_CAT_OTHER, 0, URL, NULL, A, "", "" },
};

START_TEST(test_texts)
{
	struct bmsub_eval ev;
	struct bmsub_verdict v;
	struct bmsub_license l;

	eval_scen(texts[_i].scen, &ev);
	if (texts[_i].now != NULL) {
		/* the same prod license at another moment */
		memset(&l, 0, sizeof(l));
		l.kind = BMSUB_KIND_PROD;
		l.issued = ts("2026-11-01T00:00:00Z");
		l.starts = NONE;
		l.expires = ts("2027-11-02T00:00:00Z");
		l.users = 250;
		l.grace_days = 10;
		l.allowance_percent = 10;
		bmsub_evaluate(&l, 0, NULL, ts(texts[_i].now), &ev);
	}
	bmsub_decide(&ev, texts[_i].admin, texts[_i].cat,
	    texts[_i].recipients, texts[_i].url, &v);
	ck_assert_int_eq(v.decision, texts[_i].dec);
	ck_assert_str_eq(v.banner, texts[_i].banner);
	ck_assert_str_eq(v.message, texts[_i].message);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Hostile admin_url: never overflows, never passes control bytes. */

static int
valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int need;

	while (*p != '\0') {
		need = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 :
		    (*p & 0xf0) == 0xe0 ? 2 : (*p & 0xf8) == 0xf0 ? 3 : -1;
		if (need < 0)
			return 0;
		p++;
		for (; need > 0; need--, p++)
			if ((*p & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

static const char *const hostile_fill[] = {
	"a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\n", "\x1b",
	"\x7f", "\xc2\x85", "\r\n",
};

START_TEST(test_hostile_url)
{
	static char url[3000];
	struct bmsub_eval ev;
	struct bmsub_verdict v;
	size_t i, fl = strlen(hostile_fill[_i]);
	enum bmsub_category cat;

	for (i = 0; i + fl < sizeof(url); i += fl)
		memcpy(url + i, hostile_fill[_i], fl);
	url[i] = '\0';
	eval_scen(S_BLOCKED, &ev);
	for (cat = 0; cat < BMSUB_CAT__COUNT; cat++) {
		bmsub_decide(&ev, 1, cat, 0, url, &v);
		ck_assert_uint_lt(strlen(v.message), sizeof(v.message));
		/* too long to be named whole: not named at all, never cut */
		ck_assert_msg(strstr(v.message, "administration console") !=
		    NULL, "%s", v.message);
		ck_assert(strstr(v.message, hostile_fill[_i][0] == 'a' ?
		    "aaa" : " at ") == NULL);
		ck_assert(!tlib_has_control(v.message));
		ck_assert(strstr(v.message, "\xc2\x85") == NULL);
		ck_assert(valid_utf8(v.message));
		ck_assert(valid_utf8(v.banner));
	}
	/* short ones are cleaned too */
	bmsub_decide(&ev, 1, BMSUB_CAT_IMAP, 1, "https://x/\r\nX-Evil: 1", &v);
	ck_assert_str_eq(v.message,
	    "Subscription expired: renew it at https://x/??X-Evil: 1.");
}
END_TEST

/* Every message names the longest admin_url the config accepts whole
 * (issue 8: a long admin_url was cut), in every scenario and category,
 * for admins and users; one byte more than fits gives no URL, not half. */
START_TEST(test_long_url)
{
	static char url[BMSUB_ADMIN_URL_MAX + 200];
	struct bmsub_eval ev;
	struct bmsub_verdict v;
	enum bmsub_category cat;
	size_t len = _i == 0 ? BMSUB_ADMIN_URL_MAX : _i == 1 ?
	    sizeof(url) - 1 : 30;
	int admin, named;

	memset(url, 'u', len);
	memcpy(url, "https://", 8);
	url[len] = '\0';
	for (size_t sc = 0; sc < N(scens); sc++) {
		eval_scen((int)sc, &ev);
		for (cat = 0; cat < BMSUB_CAT__COUNT; cat++) {
			for (admin = 0; admin < 2; admin++) {
				bmsub_decide(&ev, admin, cat, 1, url, &v);
				named = strstr(v.message, url) != NULL;
				ck_assert_msg(!tlib_has_control(v.message) &&
				    strlen(v.message) < sizeof(v.message), "%s",
				    v.message);
				/* a URL in the message is the whole URL */
				ck_assert_msg(named || strstr(v.message,
				    "https://") == NULL, "scen %zu cat %d "
				    "admin %d: cut: %s", sc, cat, admin,
				    v.message);
				ck_assert(strstr(v.banner, "https://") == NULL);
				if (admin && v.decision != BMSUB_ALLOW &&
				    len <= BMSUB_ADMIN_URL_MAX)
					ck_assert_msg(named, "scen %zu cat %d: "
					    "%s", sc, cat, v.message);
				if (len > sizeof(v.message))
					ck_assert(!named);
			}
		}
	}
}
END_TEST

START_TEST(test_null_args)
{
	struct bmsub_verdict v;
	struct bmsub_eval ev;

	memset(&v, 0x55, sizeof(v));
	bmsub_decide(NULL, 1, BMSUB_CAT_WEBMAIL, 1, URL, &v);
	ck_assert_int_eq(v.decision, BMSUB_DENY);
	ck_assert_str_eq(v.phase, "invalid");
	ck_assert_str_eq(v.reason, "internal");
	ck_assert_ptr_null(v.redirect);
	eval_scen(S_OK, &ev);
	bmsub_decide(&ev, 1, BMSUB_CAT_WEBMAIL, 1, URL, NULL);	/* no crash */
	/* an out-of-range phase fails closed */
	ev.date_phase = (enum bmsub_date_phase)42;
	bmsub_decide(&ev, 0, BMSUB_CAT_IMAP, 1, URL, &v);
	ck_assert_int_eq(v.decision, BMSUB_DENY);
	ev.date_phase = BMSUB_DATE_OK;
	ev.count_phase = (enum bmsub_count_phase)42;
	bmsub_decide(&ev, 0, BMSUB_CAT_IMAP, 1, URL, &v);
	ck_assert_int_eq(v.decision, BMSUB_DENY);
	/* an unknown category is not web: no redirect, deny */
	eval_scen(S_BLOCKED, &ev);
	bmsub_decide(&ev, 1, (enum bmsub_category)99, 1, URL, &v);
	ck_assert_int_eq(v.decision, BMSUB_DENY);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("decide");
	TCase *tc = tcase_create("decide");
	int nf;

	tcase_add_loop_test(tc, test_table, 0, N(cells));
	tcase_add_loop_test(tc, test_texts, 0, N(texts));
	tcase_add_loop_test(tc, test_hostile_url, 0, N(hostile_fill));
	tcase_add_loop_test(tc, test_long_url, 0, 3);
	tcase_add_test(tc, test_null_args);
	suite_add_tcase(s, tc);
	nf = tlib_run(s);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
