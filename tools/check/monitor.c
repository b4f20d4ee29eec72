/* SPDX-License-Identifier: GPL-2.0-or-later */
/* monitor.c - bmsub-check monitor: one monitoring-plugin line with perfdata. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cluster.h"

/*
 * "BMSUB <STATUS> - <text> | perfdata".
 *  OK (0)        date phase ok and count within (or not counted yet: a
 *                missing state only means the count is unknown)
 *  WARNING (1)   notice, warning, over, no alert recipient (or an
 *                unreadable recipients file), clock behind the license or
 *                the state's high-water mark
 *  CRITICAL (2)  grace, blocked, invalid (no license, bad, not yet valid),
 *                over-blocked
 *  UNKNOWN (3)   the config (main prints the line) or the trusted keys
 *                cannot be read, the state exists but cannot be read, or a
 *                bad option. CRITICAL outranks UNKNOWN, which outranks
 *                WARNING: a blocked platform is reported as such even when
 *                the count is unknown.
 * perfdata (monitoring-plugins ranges): days_left=D;W:;0: (warn below W,
 * the days from notice to expiry, 0 for a trial; critical below 0) and
 * users=C;N;M (above N, above M; C "U" when not counted).
 */
#define MON_OK 0
#define MON_WARNING 1
#define MON_CRITICAL 2
#define MON_UNKNOWN 3

static const char *const mon_names[4] = {
	"OK", "WARNING", "CRITICAL", "UNKNOWN"
};

/* CRITICAL outranks UNKNOWN, which outranks WARNING. */
static int
mon_worse(int a, int b)
{
	static const int rank[4] = { 0, 1, 3, 2 };

	return rank[b] > rank[a] ? b : a;
}

/* The date phase, named with the license. */
static int
date_text(FILE *f, const struct bmsub_report *rep)
{
	const struct bmsub_eval *ev = &rep->eval;
	const struct bmsub_license *lic = &rep->license.lic;
	char last[BMSUB_TIME_STR_MAX], block[BMSUB_TIME_STR_MAX];
	char dl[BMSUB_DAYS_STR_MAX];

	bmsub_time_str(ev->expires, BMSUB_TS_LAST_DAY, "never", last,
	    sizeof(last));
	bmsub_time_str(ev->block_at, BMSUB_TS_DATE, "never", block,
	    sizeof(block));
	if (rep->license.err == 0)
		fprintf(f, "%s license %s (%s) ", bmsub_kind_name(lic->kind),
		    lic->id, lic->customer);
	switch (ev->date_phase) {
	case BMSUB_DATE_OK:
	case BMSUB_DATE_NOTICE:
	case BMSUB_DATE_WARNING:
		fprintf(f, "expires %s, %s", last, bmsub_days_left_str(
		    ev->effective, ev->expires, dl, sizeof(dl)));
		return ev->date_phase != BMSUB_DATE_OK ? MON_WARNING : MON_OK;
	case BMSUB_DATE_GRACE:
		fprintf(f, "EXPIRED %s, grace: logins blocked from %s", last,
		    block);
		return MON_CRITICAL;
	case BMSUB_DATE_BLOCKED:
		fprintf(f, "%s %s, logins BLOCKED since %s", lic->kind ==
		    BMSUB_KIND_TRIAL ? "trial ENDED" : "EXPIRED", last, block);
		return MON_CRITICAL;
	case BMSUB_DATE_INVALID:
	default:
		if (rep->license.err == 0)
			fprintf(f, "not valid yet (%s), logins BLOCKED",
			    bmsub_err_token(ev->license_err));
		else
			fprintf(f, "no valid license (%s), logins BLOCKED",
			    bmsub_err_token(rep->license.err));
		return MON_CRITICAL;
	}
}

/* The count phase. */
static int
count_text(FILE *f, const struct bmsub_report *rep, int st)
{
	const struct bmsub_eval *ev = &rep->eval;
	char block[BMSUB_TIME_STR_MAX];

	bmsub_time_str(ev->over_block_at, BMSUB_TS_DATE, "never", block,
	    sizeof(block));
	if (rep->state.err != 0 && rep->state.err != BMSUB_E_NOT_FOUND) {
		fprintf(f, "; state unreadable (%s), users unknown",
		    bmsub_err_token(rep->state.err));
		return mon_worse(st, MON_UNKNOWN);
	}
	if (!ev->have_count) {
		fprintf(f, "; users not counted yet");
		return st;
	}
	if (rep->license.err != 0) {
		fprintf(f, "; %" PRIu64 " user%s", ev->count, cli_s(ev->count));
		return st;
	}
	fprintf(f, "; %" PRIu64 "/%" PRIu64 " user%s", ev->count, ev->users,
	    cli_s(ev->users));
	if (ev->count_phase == BMSUB_COUNT_OVER) {
		fprintf(f, " (over, logins blocked from %s)", block);
		st = mon_worse(st, MON_WARNING);
	} else if (ev->count_phase == BMSUB_COUNT_OVER_BLOCKED) {
		fprintf(f, " (OVER, logins BLOCKED since %s)", block);
		st = mon_worse(st, MON_CRITICAL);
	}
	if (ev->ceiling_reached)
		fprintf(f, ", ceiling %" PRIu64 " reached", ev->ceiling);
	return st;
}

/* What else an operator must fix. */
static int
other_text(FILE *f, const struct bmsub_report *rep, int st)
{
	const struct bmsub_eval *ev = &rep->eval;

	if (rep->recipients.err != 0) {
		fprintf(f, "; recipients unreadable (%s)",
		    bmsub_err_token(rep->recipients.err));
		st = mon_worse(st, MON_WARNING);
	} else if (rep->recipients.list.n == 0) {
		fprintf(f, "; no alert recipient");
		st = mon_worse(st, MON_WARNING);
	}
	/* cluster mode: the local files are a mirror that refresh keeps
	 * (SPEC 8); over 2 hours old, the database or refresh is down */
	if (rep->config->cluster_database != NULL) {
		int64_t lr = rep->state.st.last_refresh;
		int64_t nc = rep->state.st.node_clock;

		if (lr == BMSUB_TIME_NONE) {
			fprintf(f, "; cluster mirror never refreshed");
			st = mon_worse(st, MON_WARNING);
		} else if (rep->now - lr > 7200) {
			fprintf(f, "; cluster mirror %" PRId64 " h old (database "
			    "unreachable or refresh not running)",
			    (rep->now - lr) / 3600);
			st = mon_worse(st, MON_WARNING);
		}
		/* the node's clock against the database's, at that refresh */
		if (lr != BMSUB_TIME_NONE && nc != BMSUB_TIME_NONE &&
		    (nc - lr > CLUSTER_SKEW_MAX ||
		    lr - nc > CLUSTER_SKEW_MAX)) {
			fprintf(f, "; node %s: clock off by %+" PRId64 " s "
			    "from the database's (fix it: NTP)",
			    cluster_node_of(rep->config), nc - lr);
			st = mon_worse(st, MON_WARNING);
		}
	}
	if (ev->clock_behind_license || ev->clock_behind_state) {
		fprintf(f, "; clock behind the %s", ev->clock_behind_license ?
		    "license" : "last recorded time");
		st = mon_worse(st, MON_WARNING);
	}
	return st;
}

/* perfdata: value;warn;crit ("" when there is nothing to measure) */
static void
perfdata(FILE *f, const struct bmsub_report *rep)
{
	const struct bmsub_eval *ev = &rep->eval;
	int64_t warn;

	if (rep->license.err != 0) {
		if (ev->have_count)
			fprintf(f, "users=%" PRIu64, ev->count);
		return;
	}
	/* "W:" alerts below W (a bare "W" would mean outside 0..W, i.e. when
	 * MORE days are left) */
	warn = ev->notice_at != BMSUB_TIME_NONE ?
	    (ev->expires - ev->notice_at) / 86400 : 0;
	fprintf(f, "days_left=%" PRId64 ";%" PRId64 ":;0:", ev->days_left,
	    warn);
	if (ev->have_count)
		fprintf(f, " users=%" PRIu64 ";%" PRIu64 ";%" PRIu64,
		    ev->count, ev->users, ev->ceiling);
	else
		fprintf(f, " users=U;%" PRIu64 ";%" PRIu64, ev->users,
		    ev->ceiling);
}

/* The whole line (malloc'ed) and its status; NULL when out of memory. */
static char *
monitor_line(const struct bmsub_report *rep, int *status)
{
	char *text = NULL, *perf = NULL, *line = NULL;
	size_t tl = 0, pl = 0, ll = 0;
	FILE *t, *p, *l;
	int st;

	/* This process cannot read the keys (a monitoring user without the
	 * rights): it cannot tell what logins get. A folder the module
	 * refuses too (insecure, not a folder) blocks them: CRITICAL below. */
	if (rep->keys.err == BMSUB_E_IO) {
		*status = MON_UNKNOWN;
		if ((l = open_memstream(&line, &ll)) == NULL)
			return NULL;
		fprintf(l, "BMSUB UNKNOWN - trusted keys %s unreadable",
		    rep->config->keys_dir);
		fclose(l);
		return line;
	}
	if ((t = open_memstream(&text, &tl)) == NULL)
		return NULL;
	st = date_text(t, rep);
	st = count_text(t, rep, st);
	st = other_text(t, rep, st);
	if ((p = open_memstream(&perf, &pl)) != NULL) {
		perfdata(p, rep);
		fclose(p);
	}
	fclose(t);
	if (perf != NULL && (l = open_memstream(&line, &ll)) != NULL) {
		fprintf(l, "BMSUB %s - %s%s%s", mon_names[st], text,
		    perf[0] != '\0' ? " | " : "", perf);
		fclose(l);
	}
	free(text);
	free(perf);
	*status = st;
	return line;
}

static void
monitor_json(const struct bmsub_report *rep, int st, const char *line)
{
	const struct bmsub_eval *ev = &rep->eval;
	struct json j;

	json_begin(&j, stdout);
	json_str(&j, "status", mon_names[st]);
	json_int(&j, "exit", st);
	json_str(&j, "date_phase", bmsub_date_phase_name(ev->date_phase));
	json_str(&j, "count_phase", bmsub_count_phase_name(ev->count_phase));
	if (rep->license.err == 0)
		json_int(&j, "days_left", ev->days_left);
	else
		json_null(&j, "days_left");
	json_str(&j, "line", line);
	json_end(&j);
}

int
cmd_monitor(struct cli *c, int argc, char **argv)
{
	const struct bmsub_report *rep;
	struct cli_opts o;
	char *line;
	int st = MON_UNKNOWN;

	if (cli_opts(c, argc, argv, 0, 0, &o) != 0) {
		if (!c->json)
			printf("BMSUB UNKNOWN - usage: %s\n",
			    cli_last_message());
		return MON_UNKNOWN;
	}
	if ((rep = cli_report(c, 0)) == NULL) {
		printf("BMSUB UNKNOWN - configuration %s unreadable\n",
		    c->conf_path);
		return MON_UNKNOWN;
	}
	if ((line = monitor_line(rep, &st)) == NULL) {
		printf("BMSUB UNKNOWN - out of memory\n");
		return MON_UNKNOWN;
	}
	if (c->json)
		monitor_json(rep, st, line);
	else
		printf("%s\n", line);
	free(line);
	return st;
}
