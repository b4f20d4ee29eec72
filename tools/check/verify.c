/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verify.c - bmsub-check verify FILE: a license checked against the trusted keys. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void
print_valid(const char *file, const struct bmsub_license *lic)
{
	char from[BMSUB_TIME_STR_MAX], through[BMSUB_TIME_STR_MAX];
	char id[2 * BMSUB_KEYID_LEN + 1];

	bmsub_hex(lic->key_id, BMSUB_KEYID_LEN, id);
	printf("%s: valid %s license %s for %s, %" PRIu32 " users, "
	    "%s through %s, key %s\n", file, bmsub_kind_name(lic->kind),
	    lic->id, lic->customer, lic->users,
	    bmsub_time_str(lic->starts != BMSUB_TIME_NONE ? lic->starts :
	    lic->issued, BMSUB_TS_DATE, "-", from, sizeof(from)),
	    bmsub_time_str(lic->expires, BMSUB_TS_LAST_DAY, "-", through,
	    sizeof(through)), id);
}

int
cmd_verify(struct cli *c, int argc, char **argv)
{
	struct bmsub_install res;
	struct bmsub_error err;
	struct json j;
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (argc != 2)
		return cli_usage("verify needs exactly one FILE");
	memset(&err, 0, sizeof(err));
	if ((r = cli_read_candidate(c, argv[1], &buf, &len, &res, &err)) == 0)
		r = bmsub_ctx_license_check(c->ctx, NULL, buf, len, c->now,
		    &res, &err);
	free(buf);
	if (c->json) {
		json_begin(&j, stdout);
		json_str(&j, "file", argv[1]);
		json_bool(&j, "valid", r == 0);
		if (r == 0)
			cli_json_license(&j, "license", &res.lic);
		else
			cli_json_error(&j, r, &err);
		json_end(&j);
	}
	if (r != 0)
		cli_print_error(argv[1], r, &err);
	else if (!c->json)
		print_valid(argv[1], &res.lic);
	if (r != 0 && res.keys_err != 0)
		return EXIT_USAGE;	/* the keys folder, not the file */
	return r == 0 ? EXIT_OK : EXIT_NO;
}
