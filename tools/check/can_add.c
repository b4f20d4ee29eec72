/* SPDX-License-Identifier: GPL-2.0-or-later */
/* can_add.c - bmsub-check can-add [K]: may K more users be created now. */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"

int
cmd_can_add(struct cli *c, int argc, char **argv)
{
	const struct bmsub_report *rep;
	const struct bmsub_eval *ev;
	struct json j;
	uint64_t k = 1;
	int yes, lic_err;

	if (argc > 2)
		return cli_usage("can-add takes at most one number");
	if (argc == 2 && cli_parse_u64(argv[1], 0, UINT32_MAX, &k) != 0)
		return cli_usage("can-add: '%s' is not a number of users", argv[1]);
	if ((rep = cli_report(c, 0)) == NULL)
		return EXIT_USAGE;
	ev = &rep->eval;
	lic_err = rep->license.err;
	yes = lic_err == 0 && bmsub_can_add(ev, k);
	if (c->json) {
		json_begin(&j, stdout);
		json_bool(&j, "can_add", yes);
		json_uint(&j, "requested", k);
		if (ev->have_count)
			json_uint(&j, "counted", ev->count);
		else
			json_null(&j, "counted");
		json_uint(&j, "ceiling", ev->ceiling);
		json_str(&j, "reason", lic_err ? bmsub_err_token(lic_err) :
		    !ev->have_count ? "count-unknown" : yes ? "ok" : "ceiling");
		json_end(&j);
	} else if (lic_err != 0) {
		printf("no: no valid license (%s)\n", bmsub_err_token(lic_err));
	} else if (!ev->have_count) {
		printf("yes: %" PRIu64 " requested; the user count is unknown "
		    "(run 'bmsub-check refresh'), ceiling %" PRIu64 "\n", k,
		    ev->ceiling);
	} else {
		printf("%s: %" PRIu64 " counted + %" PRIu64 " %s ceiling %"
		    PRIu64 "\n", yes ? "yes" : "no", ev->count, k,
		    yes ? "<=" : ">", ev->ceiling);
	}
	return yes ? EXIT_OK : EXIT_NO;
}
