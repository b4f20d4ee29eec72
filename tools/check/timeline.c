/* SPDX-License-Identifier: GPL-2.0-or-later */
/* timeline.c - bmsub-check timeline: every dated event of the installed license. */
#include <stdio.h>

#include "cli.h"

static void
timeline_invalid(const struct cli *c, const struct bmsub_report *rep)
{
	const struct bmsub_error *e = cli_license_error(rep);
	struct json j;

	cli_print_error(rep->config->license, rep->license.err, e);
	if (!c->json) {
		printf("no valid license: logins are refused for users "
		    "until one is installed\n");
		return;
	}
	json_begin(&j, stdout);
	json_bool(&j, "license_valid", 0);
	cli_json_error(&j, rep->license.err, e);
	json_key_arr(&j, "events");
	json_close_arr(&j);
	json_end(&j);
}

static void
timeline_json(const struct bmsub_report *rep)
{
	const struct bmsub_event *v = rep->events.v;
	struct json j;
	size_t i;

	json_begin(&j, stdout);
	json_bool(&j, "license_valid", 1);
	cli_json_license(&j, "license", &rep->license.lic);
	json_time(&j, "now", rep->eval.effective);
	json_key_arr(&j, "events");
	for (i = 0; i < rep->events.n; i++) {
		json_obj(&j);
		json_time(&j, "at", v[i].at);
		json_str(&j, "what", v[i].what);
		/* an email: which alert, and every how many seconds it
		 * repeats after this one (0: once) */
		json_str(&j, "alert", v[i].alert);
		json_int(&j, "every", v[i].every);
		json_str(&j, "text", v[i].text);
		json_bool(&j, "past", v[i].at <= rep->eval.effective);
		json_close_obj(&j);
	}
	json_close_arr(&j);
	json_bool(&j, "truncated", rep->events.total > rep->events.n);
	json_end(&j);
}

static void
print_now(const struct bmsub_report *rep)
{
	char d[BMSUB_TIME_STR_MAX];

	printf("  %-20s  <-- now\n", bmsub_time_str(rep->eval.effective,
	    BMSUB_TS_ISO, "never", d, sizeof(d)));
}

static void
timeline_text(const struct bmsub_report *rep)
{
	const struct bmsub_event *v = rep->events.v;
	char d[BMSUB_TIME_STR_MAX];
	size_t i;
	int marked = 0;

	printf("timeline of %s (%s, %s)\n", rep->license.lic.id,
	    bmsub_kind_name(rep->license.lic.kind), rep->license.lic.customer);
	for (i = 0; i < rep->events.n; i++) {
		if (!marked && v[i].at > rep->eval.effective) {
			print_now(rep);
			marked = 1;
		}
		printf("  %-20s  %-12s %s\n", bmsub_time_str(v[i].at,
		    BMSUB_TS_ISO, "never", d, sizeof(d)), v[i].what, v[i].text);
	}
	if (!marked)
		print_now(rep);
	if (rep->events.total > rep->events.n)
		printf("  ... %zu more events\n",
		    rep->events.total - rep->events.n);
}

int
cmd_timeline(struct cli *c, int argc, char **argv)
{
	const struct bmsub_report *rep;

	if (argc > 1 && argv[1][0] == '-')
		return cli_usage("timeline: unknown option %s", argv[1]);
	if (argc != 1)
		return cli_usage("timeline takes no argument");
	if ((rep = cli_report(c, 0)) == NULL)
		return EXIT_USAGE;
	if (rep->license.err != 0)
		timeline_invalid(c, rep);
	else if (c->json)
		timeline_json(rep);
	else
		timeline_text(rep);
	return EXIT_OK;
}
