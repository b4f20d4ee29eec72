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

/* The phases, one series per axis: a date phase and a count phase are
 * two facts (an expired license over its count is both), and a query on
 * one must not meet the other's values. */
static const struct phase_row {
	const char *name;
	int value;
} date_phases[] = {
	{ "ok", BMSUB_DATE_OK },
	{ "notice", BMSUB_DATE_NOTICE },
	{ "warning", BMSUB_DATE_WARNING },
	{ "grace", BMSUB_DATE_GRACE },
	{ "blocked", BMSUB_DATE_BLOCKED },
	{ "invalid", BMSUB_DATE_INVALID },
}, count_phases[] = {
	{ "unknown", BMSUB_COUNT_UNKNOWN },
	{ "within", BMSUB_COUNT_WITHIN },
	{ "over", BMSUB_COUNT_OVER },
	{ "over-blocked", BMSUB_COUNT_OVER_BLOCKED },
};
#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

static void
write_axis(FILE *f, const char *name, const char *help,
    const struct phase_row *rows, size_t n, int current)
{
	size_t i;

	prom_head(f, name, help);
	for (i = 0; i < n; i++)
		fprintf(f, "%s{phase=\"%s\"} %d\n", name, rows[i].name,
		    current == rows[i].value);
}

static void
write_phases(FILE *f, const struct bmsub_eval *ev)
{
	write_axis(f, "bmsub_date_phase", "1 for the current date phase "
	    "(license dates), 0 for the others.", date_phases,
	    N_ROWS(date_phases), (int)ev->date_phase);
	write_axis(f, "bmsub_count_phase", "1 for the current count phase "
	    "(users counted against the license), 0 for the others.",
	    count_phases, N_ROWS(count_phases), (int)ev->count_phase);
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

/* The same figures as one JSON object: the series' names without the
 * bmsub_ prefix, null where the text format has no sample. */
static void
json_known(struct json *j, const char *key, int known, int64_t v)
{
	if (known)
		json_int(j, key, v);
	else
		json_null(j, key);
}

static void
metrics_json(const struct bmsub_report *rep)
{
	const struct bmsub_eval *ev = &rep->eval;
	const struct bmsub_state *st = &rep->state.st;
	int valid = rep->license.err == 0;
	struct json j;

	json_begin(&j, stdout);
	json_bool(&j, "license_valid", valid &&
	    ev->date_phase != BMSUB_DATE_INVALID);
	if (valid) {
		json_key_obj(&j, "license_info");
		json_str(&j, "id", rep->license.lic.id);
		json_str(&j, "customer", rep->license.lic.customer);
		json_str(&j, "kind", bmsub_kind_name(rep->license.lic.kind));
		json_close_obj(&j);
	} else
		json_null(&j, "license_info");
	json_known(&j, "license_expiry_timestamp_seconds", valid,
	    ev->expires);
	json_known(&j, "license_days_left", valid, ev->days_left);
	json_known(&j, "users_counted", ev->have_count, (int64_t)ev->count);
	json_known(&j, "users_licensed", valid, (int64_t)ev->users);
	json_known(&j, "users_ceiling", valid, (int64_t)ev->ceiling);
	json_str(&j, "date_phase", bmsub_date_phase_name(ev->date_phase));
	json_str(&j, "count_phase", bmsub_count_phase_name(ev->count_phase));
	json_known(&j, "over_since_timestamp_seconds", ev->over_since !=
	    BMSUB_TIME_NONE, ev->over_since);
	json_known(&j, "last_refresh_timestamp_seconds", st->last_refresh !=
	    BMSUB_TIME_NONE, st->last_refresh);
	json_known(&j, "last_notify_timestamp_seconds", st->last_notify !=
	    BMSUB_TIME_NONE, st->last_notify);
	json_known(&j, "alert_recipients", rep->recipients.err == 0,
	    (int64_t)rep->recipients.list.n);
	json_bool(&j, "state_readable", rep->state.err == 0 ||
	    rep->state.err == BMSUB_E_NOT_FOUND);
	json_end(&j);
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
	if (c->json && o.output != NULL)
		return cli_usage("metrics: --output writes the Prometheus text "
		    "format: --json does not apply");
	if ((rep = cli_report(c, 0)) == NULL)
		return EXIT_USAGE;
	if (c->json) {
		metrics_json(rep);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_NO;
	}
	if (o.output != NULL)
		return metrics_to_file(o.output, rep);
	write_metrics(stdout, rep);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_NO;
}
