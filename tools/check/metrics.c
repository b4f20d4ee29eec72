/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics.c - bmsub-check metrics: the report in the Prometheus text format. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Prometheus label value: backslash, quote and newline escaped. */
static void
prom_label(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void
prom_head(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* One sample, or none when the value is not known. */
static void
prom_int(FILE *f, const char *name, const char *help, int known, int64_t val)
{
	prom_head(f, name, help);
	if (known)
		fprintf(f, "%s %" PRId64 "\n", name, val);
}

static void
write_license(FILE *f, const struct bmsub_report *rep)
{
	const struct bmsub_eval *ev = &rep->eval;
	int valid = rep->license.err == 0;

	prom_int(f, "bmsub_license_valid", "1 when a valid license is in "
	    "force, 0 when logins are blocked for want of one.", 1,
	    valid && ev->date_phase != BMSUB_DATE_INVALID);
	prom_head(f, "bmsub_license_info", "The installed license that "
	    "verifies (always 1).");
	if (valid) {
		fputs("bmsub_license_info{id=\"", f);
		prom_label(f, rep->license.lic.id);
		fputs("\",customer=\"", f);
		prom_label(f, rep->license.lic.customer);
		fprintf(f, "\",kind=\"%s\"} 1\n",
		    bmsub_kind_name(rep->license.lic.kind));
	}
	prom_int(f, "bmsub_license_expiry_timestamp_seconds", "When the "
	    "license expires (E, the first second not covered).", valid,
	    ev->expires);
	prom_int(f, "bmsub_license_days_left", "Whole days until the license "
	    "expires, negative once expired.", valid, ev->days_left);
}

static void
write_users(FILE *f, const struct bmsub_report *rep)
{
	const struct bmsub_eval *ev = &rep->eval;
	int valid = rep->license.err == 0;

	prom_int(f, "bmsub_users_counted", "Licensed users counted at the "
	    "last refresh.", ev->have_count, (int64_t)ev->count);
	prom_int(f, "bmsub_users_licensed", "Users the license allows (N).",
	    valid, (int64_t)ev->users);
	prom_int(f, "bmsub_users_ceiling", "Users beyond which none can be "
	    "created (M = N + allowance).", valid, (int64_t)ev->ceiling);
}

static void
write_phases(FILE *f, const struct bmsub_eval *ev)
{
	static const struct {
		const char *name;
		int date;	/* 1: a date phase, 0: a count phase */
		int value;
	} phases[] = {
		{ "ok", 1, BMSUB_DATE_OK },
		{ "notice", 1, BMSUB_DATE_NOTICE },
		{ "warning", 1, BMSUB_DATE_WARNING },
		{ "grace", 1, BMSUB_DATE_GRACE },
		{ "blocked", 1, BMSUB_DATE_BLOCKED },
		{ "invalid", 1, BMSUB_DATE_INVALID },
		{ "within", 0, BMSUB_COUNT_WITHIN },
		{ "over", 0, BMSUB_COUNT_OVER },
		{ "over-blocked", 0, BMSUB_COUNT_OVER_BLOCKED },
	};
	size_t i;

	prom_head(f, "bmsub_phase", "1 for the current date phase and count "
	    "phase, 0 for the others.");
	for (i = 0; i < sizeof(phases) / sizeof(phases[0]); i++)
		fprintf(f, "bmsub_phase{phase=\"%s\"} %d\n", phases[i].name,
		    phases[i].date ? (int)ev->date_phase == phases[i].value :
		    (int)ev->count_phase == phases[i].value);
}

static void
write_state(FILE *f, const struct bmsub_report *rep)
{
	const struct bmsub_state *st = &rep->state.st;
	const struct bmsub_eval *ev = &rep->eval;

	prom_int(f, "bmsub_over_since_timestamp_seconds", "Since when more "
	    "users than licensed are counted (O).", ev->over_since !=
	    BMSUB_TIME_NONE, ev->over_since);
	prom_int(f, "bmsub_last_refresh_timestamp_seconds", "Last user count "
	    "(bmsub-check refresh).", st->last_refresh != BMSUB_TIME_NONE,
	    st->last_refresh);
	prom_int(f, "bmsub_last_notify_timestamp_seconds", "Last run of "
	    "bmsub-check notify.", st->last_notify != BMSUB_TIME_NONE,
	    st->last_notify);
	prom_int(f, "bmsub_alert_recipients", "Alert recipients configured.",
	    rep->recipients.err == 0, (int64_t)rep->recipients.list.n);
	prom_int(f, "bmsub_state_readable", "0 when the state file exists "
	    "but cannot be read.", 1, rep->state.err == 0 ||
	    rep->state.err == BMSUB_E_NOT_FOUND);
}

static void
write_metrics(FILE *f, const struct bmsub_report *rep)
{
	write_license(f, rep);
	write_users(f, rep);
	write_phases(f, &rep->eval);
	write_state(f, rep);
}

/* Replaced atomically: the textfile collector never reads half a file. */
static int
metrics_to_file(const char *path, const struct bmsub_report *rep)
{
	struct bmsub_error err;
	const char *slash = strrchr(path, '/');
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc = EXIT_NO;

	if ((slash != NULL ? slash + 1 : path)[0] == '\0')
		return cli_usage("metrics: --output %s: not a file name", path);
	if ((f = open_memstream(&text, &len)) == NULL) {
		cli_warn("metrics: out of memory");
		return EXIT_NO;
	}
	write_metrics(f, rep);
	if (fclose(f) != 0)
		cli_warn("metrics: out of memory");
	else if (bmsub_file_write_atomic(path, text, len, 0644, &err) != 0)
		cli_warn("metrics: %s", err.msg);
	else
		rc = EXIT_OK;
	free(text);
	return rc;
}

int
cmd_metrics(struct cli *c, int argc, char **argv)
{
	const struct bmsub_report *rep;
	struct cli_opts o;
	int rc;

	if ((rc = cli_opts(c, argc, argv, CLI_OPT_OUTPUT, 0, &o)) != 0)
		return rc;
	if (c->json)
		return cli_usage("metrics writes the Prometheus text format: "
		    "--json does not apply");
	if ((rep = cli_report(c, 0)) == NULL)
		return EXIT_USAGE;
	if (o.output != NULL)
		return metrics_to_file(o.output, rep);
	write_metrics(stdout, rep);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_NO;
}
