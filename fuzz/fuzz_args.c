/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_args.c - libFuzzer target: bmsub-check's argument parsers, called
 * as main calls them (tools/check/args.c, then cli_opts of the commands
 * that take options): the input is argv, its words separated by NUL
 * bytes. What is left in argv is a subsequence of what was given; a usage
 * error is EXIT_USAGE. Their messages go to stderr: run with
 * -close_fd_mask=2 (fuzz/run.sh does). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tools/check/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 64

/* argv[0 .. n) is a subsequence of orig[0 .. m) */
static void
check_subsequence(char **argv, int n, char **orig, int m)
{
	int i, j = 0;

	for (i = 0; i < n; i++) {
		while (j < m && orig[j] != argv[i])
			j++;
		if (j == m)
			abort();
		j++;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned allow[] = { 0, CLI_OPT_DRY_RUN, CLI_OPT_OUTPUT,
	    CLI_OPT_DRY_RUN | CLI_OPT_OUTPUT };
	char *buf, *argv[MAX_ARGS + 1], *orig[MAX_ARGS + 1];
	struct cli c;
	struct cli_opts o;
	uint64_t v;
	size_t i, start = 0;
	int argc = 0, n, j, r, json, max;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (i = 0; i <= size && argc < MAX_ARGS; i++)
		if (buf[i] == '\0') {
			argv[argc++] = buf + start;
			start = i + 1;
		}
	argv[argc] = NULL;
	memcpy(orig, argv, sizeof(argv));

	memset(&c, 0, sizeof(c));
	c.conf_path = BMSUB_DEFAULT_CONF;
	json = cli_wants_json(argc, argv);
	n = argc;
	r = cli_global_options(&c, &n, argv);
	if (r != 0 && r != EXIT_USAGE)
		abort();
	if (r == 0) {
		if (n < 1 || n > argc || argv[n] != NULL || c.conf_path == NULL)
			abort();
		check_subsequence(argv, n, orig, argc);
		/* wants_json saw every --json the parser took */
		if (c.json && !json)
			abort();
		/* the commands' own options, with each set a command allows */
		for (j = 0; j < 4; j++) {
			for (max = 0; max <= 2; max++) {
				r = cli_opts(&c, n, argv, allow[j], max, &o);
				if (r != 0 && r != EXIT_USAGE)
					abort();
				if (r == 0 && (o.nargs > max ||
				    (o.dry_run && !(allow[j] & CLI_OPT_DRY_RUN)) ||
				    (o.output != NULL &&
				    !(allow[j] & CLI_OPT_OUTPUT))))
					abort();
			}
		}
		/* numbers: can-add K, refresh --users N */
		for (j = 0; j < n; j++)
			if (cli_parse_u64(argv[j], 1, UINT64_C(10000000), &v) == 0 &&
			    (v < 1 || v > 10000000))
				abort();
	}
	free(buf);
	return 0;
}
