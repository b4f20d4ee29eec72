/* SPDX-License-Identifier: GPL-2.0-or-later */
/* args.c - bmsub-check's global options, apart from main so that
 * fuzz/fuzz_args.c can call them as functions. */
#include <string.h>

#include "cli.h"

/* Takes the global options out of argv wherever they stand (before "--"),
 * so "bmsub-check status --json" and "bmsub-check --json status" agree. */
int
cli_global_options(struct cli *c, int *argc, char **argv)
{
	int i, o = 0, dashdash = 0;

	for (i = 0; i < *argc; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-') {
			argv[o++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dashdash = 1;
			argv[o++] = argv[i];
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (++i >= *argc)
				return cli_usage("%s needs a file", a);
			c->conf_path = argv[i];
		} else if (strcmp(a, "--json") == 0) {
			c->json = 1;
		} else if (strcmp(a, "--force-clock") == 0) {
			c->force_clock = 1;
		} else if (strcmp(a, "--at") == 0) {
			if (++i >= *argc)
				return cli_usage("--at needs a time");
			if (bmsub_time_parse(argv[i], 0, &c->now) != 0)
				return cli_usage("--at: '%s' is not a time "
				    "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)", argv[i]);
			c->at_given = 1;
		} else {
			argv[o++] = argv[i];
		}
	}
	argv[o] = NULL;
	*argc = o;
	if (o < 1)
		return cli_usage("no command given");
	return 0;
}

/* --json is honoured even when the error comes before the option parser
 * reaches it ("bmsub-check --at bogus status --json"). */
int
cli_wants_json(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0 ||
		    strcmp(argv[i], "--at") == 0)
			i++;	/* a value, even one spelled "--json" */
		else if (strcmp(argv[i], "--json") == 0)
			return 1;
	}
	return 0;
}
