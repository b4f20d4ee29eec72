/* SPDX-License-Identifier: GPL-2.0-or-later */
/* status.c - bmsub-check status: the report for people, or as one JSON object. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"


/* What both renderers show besides the report itself. */
struct status {
	const struct bmsub_report *rep;
	const struct bmsub_eval *ev;
	const char *admin_url;
	struct bmsub_verdict user, admin;	/* on webmail */
	char access[160];
	const char *clock;			/* NULL when the clock is fine */
	char users_path[4200];			/* state_dir/users */
};

static const char *
clock_note(const struct bmsub_eval *ev)
{
	if (ev->clock_behind_license)
		return "behind the license's issue date: using the issue date";
	if (ev->clock_behind_state)
		return "behind the last recorded time: using it (bmsub-check clock reset after a genuine clock mistake)";
	return NULL;
}

/* One sentence on what logins get now, for people. */
static void
describe_access(const struct bmsub_eval *ev, const char *admin_url,
    int have_rcpt, char *out, size_t n)
{
	struct bmsub_verdict u, aw, ao;

	bmsub_decide(ev, 0, BMSUB_CAT_IMAP, have_rcpt, admin_url, &u);
	bmsub_decide(ev, 1, BMSUB_CAT_WEBMAIL, have_rcpt, admin_url, &aw);
	bmsub_decide(ev, 1, BMSUB_CAT_IMAP, have_rcpt, admin_url, &ao);
	snprintf(out, n, "users %s; admins %s on web, %s elsewhere",
	    u.decision == BMSUB_DENY ? "DENIED" : "allowed",
	    aw.decision == BMSUB_REDIRECT ? "redirected" :
	    aw.decision == BMSUB_DENY ? "DENIED" : "allowed",
	    ao.decision == BMSUB_DENY ? "DENIED" : "allowed");
}

static void
status_init(struct status *s, const struct bmsub_report *rep)
{
	int have_rcpt = rep->recipients.list.n > 0;

	memset(s, 0, sizeof(*s));
	s->rep = rep;
	s->ev = &rep->eval;
	s->admin_url = rep->config->admin_url;
	snprintf(s->users_path, sizeof(s->users_path), "%s/%s",
	    rep->config->state_dir, BMSUB_USERS_FILE);
	bmsub_decide(s->ev, 0, BMSUB_CAT_WEBMAIL, have_rcpt, s->admin_url,
	    &s->user);
	bmsub_decide(s->ev, 1, BMSUB_CAT_WEBMAIL, have_rcpt, s->admin_url,
	    &s->admin);
	describe_access(s->ev, s->admin_url, have_rcpt, s->access,
	    sizeof(s->access));
	s->clock = clock_note(s->ev);
}

/* ------------------------------------------------------------------ */
/* --json */

static void
json_users(struct json *j, const struct status *s)
{
	const struct bmsub_eval *ev = s->ev;

	json_key_obj(j, "users");
	if (ev->have_count)
		json_uint(j, "counted", ev->count);
	else
		json_null(j, "counted");
	json_uint(j, "licensed", ev->users);
	json_uint(j, "ceiling", ev->ceiling);
	json_bool(j, "ceiling_reached", ev->ceiling_reached);
	json_time(j, "over_since", ev->over_since);
	json_time(j, "over_block_at", ev->over_block_at);
	json_time(j, "counted_at", s->rep->state.st.last_refresh);
	json_close_obj(j);
	/* SPEC 10: null when users.external/hosted_only is not set */
	if (!s->rep->users.wanted) {
		json_null(j, "hosted");
		return;
	}
	json_key_obj(j, "hosted");
	json_bool(j, "hosted_only", s->rep->config->hosted_only);
	json_str(j, "file", s->users_path);
	json_str(j, "error", s->rep->users.err != 0 ?
	    bmsub_err_token(s->rep->users.err) : NULL);
	json_uint(j, "hosted", s->rep->users.hosted);
	json_uint(j, "excluded", s->rep->users.excluded);
	json_uint(j, "external", s->rep->users.external);
	json_time(j, "written", s->rep->users.written);
	json_close_obj(j);
}

static void
status_json(const struct status *s)
{
	const struct bmsub_report *rep = s->rep;
	const struct bmsub_eval *ev = s->ev;
	struct json j;
	size_t i;

	json_begin(&j, stdout);
	json_time(&j, "now", rep->now);
	json_time(&j, "effective_time", ev->effective);
	json_str(&j, "license_file", rep->config->license);
	json_bool(&j, "license_valid", rep->license.err == 0);
	if (rep->license.err == 0)
		cli_json_license(&j, "license", &rep->license.lic);
	else {
		json_key_obj(&j, "license_error");
		cli_json_error(&j, rep->license.err, cli_license_error(rep));
		json_close_obj(&j);
	}
	json_str(&j, "date_phase", bmsub_date_phase_name(ev->date_phase));
	json_str(&j, "count_phase", bmsub_count_phase_name(ev->count_phase));
	json_str(&j, "phase", s->user.phase);
	json_str(&j, "reason", s->user.reason);
	if (rep->license.err == 0)
		json_int(&j, "days_left", ev->days_left);
	else
		json_null(&j, "days_left");
	json_time(&j, "notice_at", ev->notice_at);
	json_time(&j, "warning_at", ev->warning_at);
	json_time(&j, "expires", ev->expires);
	json_time(&j, "block_at", ev->block_at);
	json_users(&j, s);
	json_str(&j, "state", rep->state.err == 0 ? "ok" :
	    bmsub_err_token(rep->state.err));
	json_str(&j, "access", s->access);
	json_str(&j, "banner_users", s->user.banner[0] ? s->user.banner : NULL);
	json_str(&j, "banner_admins", s->admin.banner[0] ? s->admin.banner :
	    NULL);
	json_time(&j, "next_event", ev->next_event);
	json_str(&j, "next_event_phase", ev->next_event_what);
	json_key_arr(&j, "recipients");
	for (i = 0; i < rep->recipients.list.n; i++)
		json_str(&j, NULL, rep->recipients.list.v[i]);
	json_close_arr(&j);
	json_bool(&j, "clock_anomaly", s->clock != NULL);
	json_str(&j, "clock", s->clock);
	json_end(&j);
}

/* ------------------------------------------------------------------ */
/* text: one section a function, in the order printed */

static void
print_header(const struct status *s)
{
	char now[BMSUB_TIME_STR_MAX], eff[BMSUB_TIME_STR_MAX];

	bmsub_time_str(s->rep->now, BMSUB_TS_ISO, "never", now, sizeof(now));
	if (s->ev->effective != s->rep->now)
		printf("bmsub status at %s (policy time %s: the clock is "
		    "behind the %s)\n", now, bmsub_time_str(s->ev->effective,
		    BMSUB_TS_ISO, "never", eff, sizeof(eff)),
		    s->ev->clock_behind_license ? "license's issue date" :
		    "latest time recorded, less a day");
	else
		printf("bmsub status at %s\n", now);
}

/* "N days left", "expired today"...: the alert emails' phrase. */
static void
print_days(const struct bmsub_eval *ev)
{
	char d[BMSUB_DAYS_STR_MAX];

	printf("%s\n", bmsub_days_left_str(ev->effective, ev->expires, d,
	    sizeof(d)));
}

static void
print_license(const struct status *s)
{
	const struct bmsub_report *rep = s->rep;
	const struct bmsub_license *lic = &rep->license.lic;
	const struct bmsub_error *e;
	char from[BMSUB_TIME_STR_MAX], through[BMSUB_TIME_STR_MAX];
	char id[2 * BMSUB_KEYID_LEN + 1];

	if (rep->license.err != 0) {
		e = cli_license_error(rep);
		printf("  license     %s: INVALID: %s (%s)\n",
		    rep->config->license, bmsub_err_token(rep->license.err),
		    e->msg[0] ? e->msg : bmsub_strerror(rep->license.err));
		return;
	}
	bmsub_hex(lic->key_id, BMSUB_KEYID_LEN, id);
	printf("  license     %s (%s) for %s, key %s\n", lic->id,
	    bmsub_kind_name(lic->kind), lic->customer, id);
	printf("  valid       %s through %s: ",
	    bmsub_time_str(lic->starts != BMSUB_TIME_NONE ? lic->starts :
	    lic->issued, BMSUB_TS_DATE, "-", from, sizeof(from)),
	    bmsub_time_str(lic->expires, BMSUB_TS_LAST_DAY, "-", through,
	    sizeof(through)));
	print_days(s->ev);
}

static void
print_access(const struct status *s)
{
	printf("  phase       %s (dates: %s, users: %s)\n", s->user.phase,
	    bmsub_date_phase_name(s->ev->date_phase),
	    bmsub_count_phase_name(s->ev->count_phase));
	printf("  access      %s\n", s->access);
	printf("  admin url   %s\n", s->admin_url ? s->admin_url :
	    "none: redirected admins are let in with nowhere to be sent "
	    "(set admin_url)");
}

static void
print_users(const struct status *s)
{
	const struct bmsub_eval *ev = s->ev;
	const struct bmsub_report *rep = s->rep;
	char d1[BMSUB_TIME_STR_MAX], d2[BMSUB_TIME_STR_MAX];

	if (!ev->have_count) {
		if (rep->state.err == BMSUB_E_NOT_FOUND ||
		    rep->state.err == BMSUB_E_CORRUPT)
			printf("  users       unknown (%s): run 'bmsub-check "
			    "refresh'; ", rep->state.err == BMSUB_E_NOT_FOUND ?
			    "no state yet" : "state file damaged");
		else
			printf("  users       unknown: the state cannot be read "
			    "(%s: %s); ", bmsub_err_token(rep->state.err),
			    rep->state.error.msg);
		printf("%" PRIu64 " licensed, ceiling %" PRIu64 "\n",
		    ev->users, ev->ceiling);
		return;
	}
	printf("  users       %" PRIu64 " counted (at %s), %" PRIu64
	    " licensed, ceiling %" PRIu64 "%s\n", ev->count,
	    bmsub_time_str(rep->state.st.last_refresh, BMSUB_TS_ISO, "never",
	    d1, sizeof(d1)), ev->users, ev->ceiling, ev->ceiling_reached ?
	    ": no user can be created" : "");
	if (ev->over_since != BMSUB_TIME_NONE)
		printf("  over count  since %s; users blocked from %s "
		    "unless resolved\n", bmsub_time_str(ev->over_since,
		    BMSUB_TS_DATE, "-", d1, sizeof(d1)),
		    bmsub_time_str(ev->over_block_at, BMSUB_TS_DATE, "-", d2,
		    sizeof(d2)));
}

/* SPEC 10: who is hosted here, as the login path reads it. */
static void
print_hosted(const struct status *s)
{
	const struct bmsub_report *rep = s->rep;
	char d[BMSUB_TIME_STR_MAX];

	if (!rep->users.wanted)
		return;
	if (rep->users.err == BMSUB_E_NOT_FOUND) {
		printf("  hosted      unknown: no %s yet: every user is refused "
		    "(hosted-unknown) until 'bmsub-check refresh'\n",
		    s->users_path);
		return;
	}
	if (rep->users.err != 0) {
		printf("  hosted      unknown: %s (%s): every user is refused "
		    "(hosted-unknown) until 'bmsub-check refresh'\n",
		    rep->users.error.msg, bmsub_err_token(rep->users.err));
		return;
	}
	printf("  hosted      %" PRIu64 " hosted, %" PRIu64 " excluded, %"
	    PRIu64 " external (refused: not-hosted)%s; %s of %s\n",
	    rep->users.hosted, rep->users.excluded, rep->users.external,
	    rep->config->hosted_only ? ", and anyone else (hosted_only)" :
	    "", s->users_path, bmsub_time_str(rep->users.written,
	    BMSUB_TS_ISO, "?", d, sizeof(d)));
}

static void
print_next(const struct status *s)
{
	const struct bmsub_eval *ev = s->ev;
	char d[BMSUB_TIME_STR_MAX], in[BMSUB_DAYS_STR_MAX];

	printf("  banner      users: %s\n", s->user.banner[0] ?
	    s->user.banner : "none");
	printf("              admins: %s\n", s->admin.banner[0] ?
	    s->admin.banner : "none");
	if (ev->next_event == BMSUB_TIME_NONE) {
		printf("  next        nothing scheduled\n");
		return;
	}
	printf("  next        %s: enters %s (%s)\n",
	    bmsub_time_str(ev->next_event, BMSUB_TS_DATE, "-", d, sizeof(d)),
	    ev->next_event_what ? ev->next_event_what : "?",
	    bmsub_days_from_str(ev->effective, ev->next_event, in,
	    sizeof(in)));
}

static void
print_recipients(const struct status *s)
{
	const struct bmsub_strlist *l = &s->rep->recipients.list;
	size_t i;

	printf("  recipients  %zu", l->n);
	for (i = 0; i < l->n && i < 5; i++)
		printf("%s%s", i ? ", " : " (", l->v[i]);
	printf("%s\n", l->n == 0 ? " (no alert will reach anyone)" :
	    l->n > 5 ? ", ...)" : ")");
	printf("  clock       %s\n", s->clock ? s->clock : "ok");
}

int
cmd_status(struct cli *c, int argc, char **argv)
{
	const struct bmsub_report *rep;
	struct status s;

	if (argc > 1 && argv[1][0] == '-')
		return cli_usage("status: unknown option %s", argv[1]);
	if (argc != 1)
		return cli_usage("status takes no argument");
	if ((rep = cli_report(c, 0)) == NULL)
		return EXIT_USAGE;
	status_init(&s, rep);
	if (c->json) {
		status_json(&s);
		return EXIT_OK;
	}
	print_header(&s);
	print_license(&s);
	print_access(&s);
	print_users(&s);
	print_hosted(&s);
	print_next(&s);
	print_recipients(&s);
	return EXIT_OK;
}
