/* SPDX-License-Identifier: GPL-2.0-or-later */
/* clock.c - bmsub-check clock reset: forget the clock high-water mark. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cluster.h"

int
cmd_clock(struct cli *c, int argc, char **argv)
{
	struct bmsub_state st;
	struct json j;
	char d[BMSUB_TIME_STR_MAX];
	int64_t was;
	int lockfd, r;

	if (argc != 2 || strcmp(argv[1], "reset") != 0)
		return cli_usage("clock: the only subcommand is 'reset'");
	if ((r = cli_clock_guard(c, "clock reset")) != 0)
		return r;
	/* cluster mode: the platform's H first, then this mirror's */
	if (cluster_enabled(c) && cluster_clock_reset(c) != 0)
		return EXIT_NO;
	if ((r = cli_state_begin(c, &lockfd, &st)) != 0)
		return r;
	was = st.high_water;
	st.high_water = BMSUB_TIME_NONE;
	r = cli_state_commit(c, lockfd, &st);
	bmsub_state_clear(&st);
	if (r != 0)
		return r;
	if (c->json) {
		json_begin(&j, stdout);
		json_bool(&j, "clock_reset", 1);
		json_time(&j, "was", was);
		json_end(&j);
	} else
		printf("clock high-water mark forgotten (was %s)\n",
		    bmsub_time_str(was, BMSUB_TS_ISO, "never", d, sizeof(d)));
	return EXIT_OK;
}
