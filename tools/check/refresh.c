/* SPDX-License-Identifier: GPL-2.0-or-later */
/* refresh.c - bmsub-check refresh: count the users and record the count in the state. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void
refresh_print(const struct cli *c, uint64_t count,
    const struct bmsub_license *lic, const struct bmsub_state *st)
{
	char d[BMSUB_TIME_STR_MAX];
	struct json j;

	if (c->json) {
		json_begin(&j, stdout);
		json_uint(&j, "counted", count);
		if (lic != NULL)
			json_uint(&j, "licensed", lic->users);
		else
			json_null(&j, "licensed");
		json_time(&j, "over_since", st->over_since);
		json_time(&j, "at", c->now);
		json_end(&j);
		return;
	}
	printf("%" PRIu64 " user%s counted", count, cli_s(count));
	if (lic != NULL)
		printf(" for %" PRIu32 " licensed", lic->users);
	if (st->over_since != BMSUB_TIME_NONE)
		printf("; over the license since %s", bmsub_time_str(
		    st->over_since, BMSUB_TS_DATE, "-", d, sizeof(d)));
	printf("\n");
}

int
cmd_refresh(struct cli *c, int argc, char **argv)
{
	const struct bmsub_report *rep;
	const struct bmsub_license *lic;
	struct bmsub_state st;
	struct bmsub_error err;
	uint64_t count = 0;
	int i, r, lockfd = -1, given = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--users") == 0 && i + 1 < argc) {
			if (cli_parse_u64(argv[++i], 0, UINT64_MAX / 2, &count) != 0)
				return cli_usage("refresh: --users needs a "
				    "number, not '%s'", argv[i]);
			given = 1;
		} else
			return cli_usage("refresh: unexpected argument '%s'", argv[i]);
	}
	if ((r = cli_clock_guard(c, "refresh")) != 0)
		return r;
	if (!given && (r = bmsub_count_users(c->cfg, &c->log, &count, &err)) != 0) {
		cli_warn("refresh: %s", err.msg);
		return r == BMSUB_E_CONFIG ? EXIT_USAGE : EXIT_NO;
	}
	if ((rep = cli_report(c, 0)) == NULL)
		return EXIT_USAGE;
	if (rep->keys.err != 0) {
		cli_warn_path("keys", rep->config->keys_dir,
		    rep->keys.error.msg);
		return EXIT_USAGE;
	}
	lic = rep->license.err == 0 ? &rep->license.lic : NULL;
	if ((r = cli_state_begin(c, &lockfd, &st)) != 0)
		return r;
	/* the state as loaded under the lock, not the report's */
	if (bmsub_state_refresh(&st, lic, count, c->now))
		cli_ahead_warning(c);
	if ((r = cli_state_commit(c, lockfd, &st)) == 0)
		refresh_print(c, count, lic, &st);
	bmsub_state_clear(&st);
	return r;
}
