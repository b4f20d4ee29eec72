/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_cmds.c - bmsub-check's core commands: verify, status, decide,
 * timeline, install, refresh, can-add, clock. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define DAY 86400

static void
fmt_date(int64_t t, char *buf, size_t n)
{
	if (t == BMSUB_TIME_NONE)
		snprintf(buf, n, "-");
	else
		bmsub_date_format(t, buf, n);
}

static void
fmt_time(int64_t t, char *buf, size_t n)
{
	if (t == BMSUB_TIME_NONE)
		snprintf(buf, n, "never");
	else
		bmsub_time_format(t, buf, n);
}

/* The last day a license covers: E is the first second it does not. */
static int64_t
last_day(const struct bmsub_license *lic)
{
	return lic->expires - 1;
}

static void
json_license(struct json *j, const char *key, const struct bmsub_license *l)
{
	char id[2 * BMSUB_KEYID_LEN + 1];

	bmsub_hex(l->key_id, BMSUB_KEYID_LEN, id);
	json_key_obj(j, key);
	json_str(j, "id", l->id);
	json_str(j, "customer", l->customer);
	json_str(j, "kind", bmsub_kind_name(l->kind));
	json_time(j, "issued", l->issued);
	json_time(j, "starts", l->starts);
	json_time(j, "expires", l->expires);
	json_uint(j, "users", l->users);
	json_uint(j, "grace_days", l->grace_days);
	json_uint(j, "allowance_percent", l->allowance_percent);
	json_str(j, "key", id);
	json_close_obj(j);
}

static void
json_error(struct json *j, int code, const struct bmsub_error *e)
{
	json_str(j, "reason", bmsub_err_token(code));
	if (e->line)
		json_uint(j, "line", e->line);
	else
		json_null(j, "line");
	json_str(j, "message", e->msg[0] ? e->msg : bmsub_strerror(code));
}

static void
print_error(const char *what, int code, const struct bmsub_error *e)
{
	if (e->line)
		fprintf(stderr, "bmsub-check: %s: line %u: %s: %s\n", what,
		    e->line, bmsub_err_token(code),
		    e->msg[0] ? e->msg : bmsub_strerror(code));
	else
		fprintf(stderr, "bmsub-check: %s: %s: %s\n", what,
		    bmsub_err_token(code),
		    e->msg[0] ? e->msg : bmsub_strerror(code));
}

/* Reads and verifies FILE against the configured keys; keeps the bytes. */
static int
load_candidate(struct cli *c, const char *path, struct bmsub_keyring **kr,
    struct bmsub_license *lic, char **buf, size_t *len,
    struct bmsub_error *err)
{
	int r;

	*kr = NULL;
	*buf = NULL;
	r = bmsub_keyring_load(c->cfg->keys_dir, &c->log, kr, err);
	if (r != 0)
		return r;
	r = bmsub_file_read(path, BMSUB_LICENSE_MAX, buf, len, err);
	if (r != 0)
		return r;
	return bmsub_license_verify(*buf, *len, *kr, lic, err);
}

int
cmd_verify(struct cli *c, int argc, char **argv)
{
	struct bmsub_keyring *kr = NULL;
	struct bmsub_license lic;
	struct bmsub_error err;
	struct json j;
	char *buf = NULL, d1[16], d2[16], id[2 * BMSUB_KEYID_LEN + 1];
	size_t len;
	int r;

	if (argc != 2)
		return cli_usage("verify needs exactly one FILE");
	memset(&err, 0, sizeof(err));
	r = load_candidate(c, argv[1], &kr, &lic, &buf, &len, &err);
	if (c->json) {
		json_begin(&j, stdout);
		json_str(&j, "file", argv[1]);
		json_bool(&j, "valid", r == 0);
		if (r == 0)
			json_license(&j, "license", &lic);
		else
			json_error(&j, r, &err);
		json_end(&j);
	}
	if (r != 0) {
		print_error(argv[1], r, &err);
	} else if (!c->json) {
		bmsub_hex(lic.key_id, BMSUB_KEYID_LEN, id);
		fmt_date(lic.starts != BMSUB_TIME_NONE ? lic.starts :
		    lic.issued, d1, sizeof(d1));
		fmt_date(last_day(&lic), d2, sizeof(d2));
		printf("%s: valid %s license %s for %s, %" PRIu32 " users, "
		    "%s through %s, key %s\n", argv[1], bmsub_kind_name(lic.kind),
		    lic.id, lic.customer, lic.users, d1, d2, id);
	}
	free(buf);
	if (r != 0 && kr == NULL)
		return EXIT_USAGE;	/* the keys folder, not the file */
	bmsub_keyring_free(kr);
	return r == 0 ? EXIT_OK : EXIT_NO;
}

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

int
cmd_status(struct cli *c, int argc, char **argv)
{
	struct cli_view v;
	struct bmsub_verdict user, admin;
	const struct bmsub_eval *ev = &v.ev;
	char now[32], d1[32], d2[32], access[160], id[2 * BMSUB_KEYID_LEN + 1];
	const char *note;
	struct json j;
	size_t i;
	int r, have_rcpt;

	(void)argv;
	if (argc != 1)
		return cli_usage("status takes no argument");
	if ((r = cli_view_load(c, &v)) != 0)
		return r;
	have_rcpt = v.recipients.n > 0;
	bmsub_decide(ev, 0, BMSUB_CAT_WEBMAIL, have_rcpt, c->cfg->admin_url, &user);
	bmsub_decide(ev, 1, BMSUB_CAT_WEBMAIL, have_rcpt, c->cfg->admin_url, &admin);
	describe_access(ev, c->cfg->admin_url, have_rcpt, access, sizeof(access));
	note = clock_note(ev);
	fmt_time(c->now, now, sizeof(now));

	if (c->json) {
		json_begin(&j, stdout);
		json_time(&j, "now", c->now);
		json_time(&j, "effective_time", ev->effective);
		json_str(&j, "license_file", c->cfg->license);
		json_bool(&j, "license_valid", v.lic_err == 0);
		if (v.lic_err == 0)
			json_license(&j, "license", &v.lic);
		else {
			json_key_obj(&j, "license_error");
			json_error(&j, v.lic_err, &v.lic_error);
			json_close_obj(&j);
		}
		json_str(&j, "date_phase", bmsub_date_phase_name(ev->date_phase));
		json_str(&j, "count_phase", bmsub_count_phase_name(ev->count_phase));
		json_str(&j, "phase", user.phase);
		json_str(&j, "reason", user.reason);
		if (v.lic_err == 0)
			json_int(&j, "days_left", ev->days_left);
		else
			json_null(&j, "days_left");
		json_time(&j, "notice_at", ev->notice_at);
		json_time(&j, "warning_at", ev->warning_at);
		json_time(&j, "expires", ev->expires);
		json_time(&j, "block_at", ev->block_at);
		json_key_obj(&j, "users");
		if (ev->have_count)
			json_uint(&j, "counted", ev->count);
		else
			json_null(&j, "counted");
		json_uint(&j, "licensed", ev->users);
		json_uint(&j, "ceiling", ev->ceiling);
		json_bool(&j, "ceiling_reached", ev->ceiling_reached);
		json_time(&j, "over_since", ev->over_since);
		json_time(&j, "over_block_at", ev->over_block_at);
		json_time(&j, "counted_at", v.st.last_refresh);
		json_close_obj(&j);
		json_str(&j, "state", v.st_err == 0 ? "ok" : bmsub_err_token(v.st_err));
		json_str(&j, "access", access);
		json_str(&j, "banner_users", user.banner[0] ? user.banner : NULL);
		json_str(&j, "banner_admins", admin.banner[0] ? admin.banner : NULL);
		json_time(&j, "next_event", ev->next_event);
		json_str(&j, "next_event_phase", ev->next_event_what);
		json_key_arr(&j, "recipients");
		for (i = 0; i < v.recipients.n; i++)
			json_str(&j, NULL, v.recipients.v[i]);
		json_close_arr(&j);
		json_bool(&j, "clock_anomaly", note != NULL);
		json_str(&j, "clock", note);
		json_end(&j);
		cli_view_free(&v);
		return EXIT_OK;
	}

	if (ev->effective != c->now) {
		fmt_time(ev->effective, d1, sizeof(d1));
		printf("bmsub status at %s (policy time %s: the clock is "
		    "behind the %s)\n", now, d1, ev->clock_behind_license ?
		    "license's issue date" : "latest time recorded, less a day");
	} else
		printf("bmsub status at %s\n", now);
	if (v.lic_err == 0) {
		bmsub_hex(v.lic.key_id, BMSUB_KEYID_LEN, id);
		fmt_date(v.lic.starts != BMSUB_TIME_NONE ? v.lic.starts :
		    v.lic.issued, d1, sizeof(d1));
		fmt_date(last_day(&v.lic), d2, sizeof(d2));
		printf("  license     %s (%s) for %s, key %s\n", v.lic.id,
		    bmsub_kind_name(v.lic.kind), v.lic.customer, id);
		printf("  valid       %s through %s: ", d1, d2);
		if (ev->effective < ev->expires) {
			if (ev->days_left == 0)
				printf("less than a day left\n");
			else
				printf("%" PRId64 " day%s left\n",
				    ev->days_left, ev->days_left == 1 ? "" : "s");
		} else {
			int64_t ago = (ev->effective - ev->expires) / DAY;

			if (ago == 0)
				printf("expired today\n");
			else
				printf("expired %" PRId64 " day%s ago\n", ago,
				    ago == 1 ? "" : "s");
		}
	} else {
		printf("  license     %s: INVALID: %s (%s)\n", c->cfg->license,
		    bmsub_err_token(v.lic_err), v.lic_error.msg[0] ?
		    v.lic_error.msg : bmsub_strerror(v.lic_err));
	}
	printf("  phase       %s (dates: %s, users: %s)\n", user.phase,
	    bmsub_date_phase_name(ev->date_phase),
	    bmsub_count_phase_name(ev->count_phase));
	printf("  access      %s\n", access);
	printf("  admin url   %s\n", c->cfg->admin_url ? c->cfg->admin_url :
	    "none: redirected admins are let in with nowhere to be sent "
	    "(set admin_url)");
	if (ev->have_count) {
		fmt_time(v.st.last_refresh, d1, sizeof(d1));
		printf("  users       %" PRIu64 " counted (at %s), %" PRIu64
		    " licensed, ceiling %" PRIu64 "%s\n", ev->count, d1,
		    ev->users, ev->ceiling, ev->ceiling_reached ?
		    ": no user can be created" : "");
		if (ev->over_since != BMSUB_TIME_NONE) {
			fmt_date(ev->over_since, d1, sizeof(d1));
			fmt_date(ev->over_block_at, d2, sizeof(d2));
			printf("  over count  since %s; users blocked from %s "
			    "unless resolved\n", d1, d2);
		}
	} else {
		if (v.st_err == BMSUB_E_NOT_FOUND || v.st_err == BMSUB_E_CORRUPT)
			printf("  users       unknown (%s): run 'bmsub-check "
			    "refresh'; ", v.st_err == BMSUB_E_NOT_FOUND ?
			    "no state yet" : "state file damaged");
		else
			printf("  users       unknown: the state cannot be read "
			    "(%s: %s); ", bmsub_err_token(v.st_err),
			    v.st_error.msg);
		printf("%" PRIu64 " licensed, ceiling %" PRIu64 "\n",
		    ev->users, ev->ceiling);
	}
	printf("  banner      users: %s\n", user.banner[0] ? user.banner : "none");
	printf("              admins: %s\n", admin.banner[0] ? admin.banner : "none");
	if (ev->next_event != BMSUB_TIME_NONE) {
		int64_t in = (ev->next_event - ev->effective) / DAY;

		fmt_date(ev->next_event, d1, sizeof(d1));
		printf("  next        %s: enters %s (in %" PRId64 " day%s)\n",
		    d1, ev->next_event_what ? ev->next_event_what : "?", in,
		    in == 1 ? "" : "s");
	} else {
		printf("  next        nothing scheduled\n");
	}
	printf("  recipients  %zu", v.recipients.n);
	for (i = 0; i < v.recipients.n && i < 5; i++)
		printf("%s%s", i ? ", " : " (", v.recipients.v[i]);
	printf("%s\n", v.recipients.n == 0 ? " (no alert will reach anyone)" :
	    v.recipients.n > 5 ? ", ...)" : ")");
	printf("  clock       %s\n", note ? note : "ok");
	cli_view_free(&v);
	return EXIT_OK;
}

int
cmd_decide(struct cli *c, int argc, char **argv)
{
	struct bmsub_ctx *ctx = NULL;
	struct bmsub_request rq;
	struct bmsub_result res;
	struct bmsub_error err;
	const char *user = NULL, *service = NULL;
	enum bmsub_category cat;
	struct json j;
	int i, r;

	memset(&rq, 0, sizeof(rq));
	rq.category = -1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			user = argv[++i];
		else if (strcmp(argv[i], "--service") == 0 && i + 1 < argc)
			service = argv[++i];
		else if (strcmp(argv[i], "--category") == 0 && i + 1 < argc) {
			if (bmsub_category_parse(argv[++i], &cat) != 0)
				return cli_usage("decide: unknown category '%s'", argv[i]);
			rq.category = (int)cat;
		} else
			return cli_usage("decide: unexpected argument '%s'", argv[i]);
	}
	if (user == NULL || *user == '\0' || service == NULL || *service == '\0')
		return cli_usage("decide needs --user U and --service S");
	rq.user = user;
	rq.service = service;
	rq.now = c->now;
	memset(&err, 0, sizeof(err));
	if ((r = bmsub_ctx_new(c->conf_path, &ctx, &err)) != 0 ||
	    (r = bmsub_ctx_decide(ctx, &c->log, &rq, &res, &err)) != 0) {
		bmsub_ctx_free(ctx);
		cli_warn("decide: %s", err.msg[0] ? err.msg : bmsub_strerror(r));
		return EXIT_USAGE;
	}
	bmsub_ctx_free(ctx);
	if (c->json) {
		json_begin(&j, stdout);
		json_str(&j, "decision", bmsub_decision_name(res.verdict.decision));
		json_str(&j, "phase", res.verdict.phase);
		json_str(&j, "reason", res.verdict.reason);
		json_str(&j, "user", user);
		json_str(&j, "service", service);
		json_str(&j, "category", bmsub_category_name(res.category));
		if (res.role_looked_up)
			json_bool(&j, "admin", res.is_admin);
		else
			json_null(&j, "admin");	/* not needed: same answer */
		json_str(&j, "redirect", res.verdict.redirect);
		json_str(&j, "banner", res.verdict.banner[0] ? res.verdict.banner : NULL);
		json_str(&j, "message", res.verdict.message[0] ? res.verdict.message : NULL);
		json_end(&j);
	} else {
		printf("%s (phase %s, reason %s): user %s (%s), service %s "
		    "(category %s)\n", bmsub_decision_name(res.verdict.decision),
		    res.verdict.phase, res.verdict.reason, user,
		    !res.role_looked_up ? "role not needed" :
		    res.is_admin ? "admin" : "not admin", service,
		    bmsub_category_name(res.category));
		if (res.verdict.redirect != NULL)
			printf("redirect: %s\n", res.verdict.redirect);
		if (res.verdict.banner[0])
			printf("banner: %s\n", res.verdict.banner);
		if (res.verdict.message[0])
			printf("message: %s\n", res.verdict.message);
	}
	return res.verdict.decision == BMSUB_DENY ? EXIT_NO : EXIT_OK;
}

#define TIMELINE_MAX 512

int
cmd_timeline(struct cli *c, int argc, char **argv)
{
	struct cli_view v;
	struct bmsub_event *evs = NULL;
	char d[32];
	struct json j;
	size_t i, n = 0;
	int r, marked = 0;

	(void)argv;
	if (argc != 1)
		return cli_usage("timeline takes no argument");
	if ((r = cli_view_load(c, &v)) != 0)
		return r;
	if (v.lic_err != 0) {
		print_error(c->cfg->license, v.lic_err, &v.lic_error);
		if (c->json) {
			json_begin(&j, stdout);
			json_bool(&j, "license_valid", 0);
			json_error(&j, v.lic_err, &v.lic_error);
			json_key_arr(&j, "events");
			json_close_arr(&j);
			json_end(&j);
		} else
			printf("no valid license: logins are refused for users "
			    "until one is installed\n");
		cli_view_free(&v);
		return EXIT_OK;
	}
	if ((evs = calloc(TIMELINE_MAX, sizeof(*evs))) == NULL) {
		cli_view_free(&v);
		cli_warn("out of memory");
		return EXIT_USAGE;
	}
	bmsub_timeline(&v.lic, v.st_err == 0 ? &v.st : NULL, evs,
	    TIMELINE_MAX, &n);
	if (c->json) {
		json_begin(&j, stdout);
		json_bool(&j, "license_valid", 1);
		json_license(&j, "license", &v.lic);
		json_time(&j, "now", v.ev.effective);
		json_key_arr(&j, "events");
		for (i = 0; i < n && i < TIMELINE_MAX; i++) {
			json_obj(&j);
			json_time(&j, "at", evs[i].at);
			json_str(&j, "what", evs[i].what);
			json_str(&j, "text", evs[i].text);
			json_bool(&j, "past", evs[i].at <= v.ev.effective);
			json_close_obj(&j);
		}
		json_close_arr(&j);
		json_bool(&j, "truncated", n > TIMELINE_MAX);
		json_end(&j);
	} else {
		printf("timeline of %s (%s, %s)\n", v.lic.id,
		    bmsub_kind_name(v.lic.kind), v.lic.customer);
		for (i = 0; i < n && i < TIMELINE_MAX; i++) {
			if (!marked && evs[i].at > v.ev.effective) {
				fmt_time(v.ev.effective, d, sizeof(d));
				printf("  %-20s  <-- now\n", d);
				marked = 1;
			}
			fmt_time(evs[i].at, d, sizeof(d));
			printf("  %-20s  %-12s %s\n", d, evs[i].what, evs[i].text);
		}
		if (!marked) {
			fmt_time(v.ev.effective, d, sizeof(d));
			printf("  %-20s  <-- now\n", d);
		}
		if (n > TIMELINE_MAX)
			printf("  ... %zu more events\n", n - TIMELINE_MAX);
	}
	free(evs);
	cli_view_free(&v);
	return EXIT_OK;
}

int
cmd_install(struct cli *c, int argc, char **argv)
{
	struct bmsub_keyring *kr = NULL;
	struct bmsub_license lic;
	struct bmsub_state st;
	struct bmsub_error err;
	const char *file = NULL, *reason = NULL;
	char *buf = NULL, d[16];
	size_t len;
	int i, r, force = 0, ret = EXIT_NO, verified = 0;
	struct bmsub_eval ev;
	struct json j;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			force = 1;
		else if (argv[i][0] == '-' && strcmp(argv[i], "-") != 0)
			return cli_usage("install: unknown option '%s'", argv[i]);
		else if (file == NULL)
			file = argv[i];
		else
			return cli_usage("install takes one FILE");
	}
	if (file == NULL)
		return cli_usage("install needs a FILE");
	bmsub_state_init(&st);
	memset(&err, 0, sizeof(err));
	if ((r = load_candidate(c, file, &kr, &lic, &buf, &len, &err)) != 0) {
		print_error(file, r, &err);
		cli_warn("not installed: %s is unchanged", c->cfg->license);
		reason = bmsub_err_token(r);
		goto out;
	}
	verified = 1;
	if (bmsub_state_load(c->cfg->state_dir, &st, NULL) != 0)
		bmsub_state_init(&st);
	/* A license that would deny every user right now (expired past its
	 * grace, or not started yet) is almost always a mistake. */
	bmsub_evaluate(&lic, 0, &st, c->now, &ev);
	if (ev.date_phase == BMSUB_DATE_BLOCKED ||
	    ev.date_phase == BMSUB_DATE_INVALID) {
		const char *why = ev.date_phase == BMSUB_DATE_INVALID ?
		    "has not started yet" : "has expired past its grace period";

		if (!force) {
			cli_warn("refused: %s %s: every user would be denied "
			    "(install --force to install it anyway)", file, why);
			reason = bmsub_err_token(ev.license_err ?
			    ev.license_err : BMSUB_E_INVALID);
			if (ev.date_phase == BMSUB_DATE_BLOCKED)
				reason = "expired";
			goto out;
		}
		cli_warn("warning: %s %s: every user is denied; installed "
		    "because of --force", file, why);
	} else if (ev.date_phase == BMSUB_DATE_GRACE)
		cli_warn("warning: %s has already expired: it is in its grace "
		    "period", file);
	if (st.have_count && st.count > lic.users) {
		if (!force) {
			cli_warn("refused: %s covers %" PRIu32 " users but %"
			    PRIu64 " are counted (install --force to install "
			    "it anyway)", file, lic.users, st.count);
			reason = "over-count";
			goto out;
		}
		cli_warn("warning: %s covers %" PRIu32 " users but %" PRIu64
		    " are counted: installed because of --force", file,
		    lic.users, st.count);
	}
	if ((r = bmsub_file_write_atomic(c->cfg->license, buf, len, 0644, &err)) != 0) {
		cli_warn("install: %s", err.msg);
		reason = bmsub_err_token(r);
		goto out;
	}
	if (!c->json) {
		fmt_date(lic.expires - 1, d, sizeof(d));
		printf("installed %s license %s for %s (%" PRIu32 " users, "
		    "through %s) as %s; it applies from the next login\n",
		    bmsub_kind_name(lic.kind), lic.id, lic.customer, lic.users,
		    d, c->cfg->license);
	}
	ret = EXIT_OK;
 out:
	if (c->json) {
		json_begin(&j, stdout);
		json_bool(&j, "installed", ret == EXIT_OK);
		json_str(&j, "file", file);
		json_str(&j, "target", c->cfg->license);
		if (verified)
			json_license(&j, "license", &lic);
		else
			json_null(&j, "license");
		json_str(&j, "reason", reason);
		json_end(&j);
	}
	bmsub_state_clear(&st);
	free(buf);
	bmsub_keyring_free(kr);
	return ret;
}

/* Opens the state for a change: lock, then load (missing is fine, corrupt
 * is reported and replaced). Any other failure (I/O, permissions, not a
 * regular file, memory) says nothing about the contents: replacing the
 * file would lose a good H and O, so the change is refused. */
static int
state_begin(struct cli *c, int *lockfd, struct bmsub_state *st)
{
	struct bmsub_error err;
	int r;

	bmsub_state_init(st);
	if (bmsub_state_lock(c->cfg->state_dir, lockfd, &err) != 0) {
		cli_warn("%s", err.msg);
		return EXIT_NO;
	}
	r = bmsub_state_load(c->cfg->state_dir, st, &err);
	if (r == BMSUB_E_CORRUPT) {
		char from[4096], to[4096];

		/* keep the damaged file for a person to look at */
		snprintf(from, sizeof(from), "%s/state", c->cfg->state_dir);
		snprintf(to, sizeof(to), "%s/state.corrupt", c->cfg->state_dir);
		if (rename(from, to) == 0)
			cli_warn("state: %s: kept as %s; starting a new one",
			    err.msg, to);
		else
			cli_warn("state: %s: starting a new one", err.msg);
	} else if (r != 0 && r != BMSUB_E_NOT_FOUND) {
		bmsub_state_unlock(*lockfd);
		bmsub_state_clear(st);
		cli_warn("state: %s (%s): left as it is, nothing recorded",
		    err.msg, bmsub_err_token(r));
		return EXIT_NO;
	}
	return 0;
}

static int
state_commit(struct cli *c, int lockfd, struct bmsub_state *st)
{
	struct bmsub_error err;
	int r;

	cli_raise_high_water(c, st);
	r = bmsub_state_save(c->cfg->state_dir, st, &err);
	bmsub_state_unlock(lockfd);
	if (r != 0) {
		cli_warn("state not saved: %s", err.msg);
		return EXIT_NO;
	}
	return 0;
}

int
cmd_refresh(struct cli *c, int argc, char **argv)
{
	struct bmsub_keyring *kr = NULL;
	struct bmsub_license lic;
	struct bmsub_state st;
	struct bmsub_error err;
	struct bmsub_eval ev;
	uint64_t count = 0;
	int i, r, lockfd = -1, given = 0, lic_ok;
	char d[32];

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--users") == 0 && i + 1 < argc) {
			if (cli_parse_u64(argv[++i], 0, UINT64_MAX / 2, &count) != 0)
				return cli_usage("refresh: --users needs a "
				    "number, not '%s'", argv[i]);
			given = 1;
		} else
			return cli_usage("refresh: unexpected argument '%s'", argv[i]);
	}
	if (!given && (r = bmsub_count_users(c->cfg, &c->log, &count, &err)) != 0) {
		cli_warn("refresh: %s", err.msg);
		return r == BMSUB_E_CONFIG ? EXIT_USAGE : EXIT_NO;
	}
	if (bmsub_keyring_load(c->cfg->keys_dir, &c->log, &kr, &err) != 0) {
		cli_warn("keys %s: %s", c->cfg->keys_dir, err.msg);
		return EXIT_USAGE;
	}
	lic_ok = bmsub_license_load(c->cfg->license, kr, &lic, &err) == 0;
	bmsub_keyring_free(kr);
	if ((r = state_begin(c, &lockfd, &st)) != 0)
		return r;
	/* The policy's time, max(T, H - 1 day, issued), from the state as
	 * loaded under the lock: O must be on the clock the policy compares
	 * it with, or a clock behind H would date O in the past and block
	 * users the moment C > N is first seen. */
	bmsub_evaluate(lic_ok ? &lic : NULL, lic_ok ? 0 : BMSUB_E_NO_LICENSE,
	    &st, c->now, &ev);
	st.have_count = 1;
	st.count = count;
	st.last_refresh = c->now;
	/* O is the first time C > N was seen; it ends when C <= N. Without
	 * a valid license there is no N: keep whatever was recorded. */
	if (lic_ok) {
		if (count > lic.users) {
			if (st.over_since == BMSUB_TIME_NONE)
				st.over_since = ev.effective;
		} else
			st.over_since = BMSUB_TIME_NONE;
	}
	if ((r = state_commit(c, lockfd, &st)) != 0) {
		bmsub_state_clear(&st);
		return r;
	}
	if (c->json) {
		struct json j;

		json_begin(&j, stdout);
		json_uint(&j, "counted", count);
		if (lic_ok)
			json_uint(&j, "licensed", lic.users);
		else
			json_null(&j, "licensed");
		json_time(&j, "over_since", st.over_since);
		json_time(&j, "at", c->now);
		json_end(&j);
	} else {
		printf("%" PRIu64 " users counted", count);
		if (lic_ok)
			printf(" for %" PRIu32 " licensed", lic.users);
		if (st.over_since != BMSUB_TIME_NONE) {
			fmt_date(st.over_since, d, sizeof(d));
			printf("; over the license since %s", d);
		}
		printf("\n");
	}
	bmsub_state_clear(&st);
	return EXIT_OK;
}

int
cmd_can_add(struct cli *c, int argc, char **argv)
{
	struct cli_view v;
	uint64_t k = 1;
	int r, yes;

	if (argc > 2)
		return cli_usage("can-add takes at most one number");
	if (argc == 2 && cli_parse_u64(argv[1], 0, UINT32_MAX, &k) != 0)
		return cli_usage("can-add: '%s' is not a number of users", argv[1]);
	if ((r = cli_view_load(c, &v)) != 0)
		return r;
	yes = v.lic_err == 0 && bmsub_can_add(&v.ev, k);
	if (c->json) {
		struct json j;

		json_begin(&j, stdout);
		json_bool(&j, "can_add", yes);
		json_uint(&j, "requested", k);
		if (v.ev.have_count)
			json_uint(&j, "counted", v.ev.count);
		else
			json_null(&j, "counted");
		json_uint(&j, "ceiling", v.ev.ceiling);
		json_str(&j, "reason", v.lic_err ? bmsub_err_token(v.lic_err) :
		    !v.ev.have_count ? "count-unknown" : yes ? "ok" : "ceiling");
		json_end(&j);
	} else if (v.lic_err != 0) {
		printf("no: no valid license (%s)\n", bmsub_err_token(v.lic_err));
	} else if (!v.ev.have_count) {
		printf("yes: %" PRIu64 " requested; the user count is unknown "
		    "(run 'bmsub-check refresh'), ceiling %" PRIu64 "\n", k,
		    v.ev.ceiling);
	} else {
		printf("%s: %" PRIu64 " counted + %" PRIu64 " %s ceiling %"
		    PRIu64 "\n", yes ? "yes" : "no", v.ev.count, k,
		    yes ? "<=" : ">", v.ev.ceiling);
	}
	cli_view_free(&v);
	return yes ? EXIT_OK : EXIT_NO;
}

int
cmd_clock(struct cli *c, int argc, char **argv)
{
	struct bmsub_state st;
	struct bmsub_error err;
	struct json j;
	char d[32];
	int64_t was;
	int lockfd, r;

	if (argc != 2 || strcmp(argv[1], "reset") != 0)
		return cli_usage("clock: the only subcommand is 'reset'");
	if ((r = state_begin(c, &lockfd, &st)) != 0)
		return r;
	was = st.high_water;
	st.high_water = BMSUB_TIME_NONE;
	r = bmsub_state_save(c->cfg->state_dir, &st, &err);
	bmsub_state_unlock(lockfd);
	bmsub_state_clear(&st);
	if (r != 0) {
		cli_warn("state not saved: %s", err.msg);
		return EXIT_NO;
	}
	if (c->json) {
		json_begin(&j, stdout);
		json_bool(&j, "clock_reset", 1);
		json_time(&j, "was", was);
		json_end(&j);
	} else {
		fmt_time(was, d, sizeof(d));
		printf("clock high-water mark forgotten (was %s)\n", d);
	}
	return EXIT_OK;
}
