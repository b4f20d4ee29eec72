/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verify.c - bmsub-check verify FILE: a license checked against the trusted keys. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define DAY 86400

/* "5 days ago", "today", "in 3 days", "within a day": from now to t. */
static const char *
days_from(int64_t now, int64_t t, char *buf, size_t size)
{
	return bmsub_days_from_str(now, t, buf, size);
}

/* Past E (on the policy's clock, the state's H applied): the signature is
 * still good, but an operator reading "valid" would think the license
 * lets people in, so say when it expired and when logins are (were)
 * blocked. */
static int
is_expired(const struct bmsub_install *res)
{
	return res->eval.effective >= res->lic.expires;
}

static void
print_valid(const char *file, const struct bmsub_install *res)
{
	const struct bmsub_license *lic = &res->lic;
	const struct bmsub_eval *ev = &res->eval;
	char from[BMSUB_TIME_STR_MAX], through[BMSUB_TIME_STR_MAX];
	char exp[BMSUB_TIME_STR_MAX], blk[BMSUB_TIME_STR_MAX];
	char d1[32], d2[32];
	char id[2 * BMSUB_KEYID_LEN + 1];
	int trial = lic->kind == BMSUB_KIND_TRIAL;

	bmsub_hex(lic->key_id, BMSUB_KEYID_LEN, id);
	printf("%s: valid %s%s license %s for %s, %" PRIu32 " user%s, "
	    "%s through %s, key %s\n", file,
	    !is_expired(res) ? "" : trial ? "signature, ended " :
	    "signature, expired ", bmsub_kind_name(lic->kind),
	    lic->id, lic->customer, lic->users, lic->users == 1 ? "" : "s",
	    bmsub_time_str(lic->starts != BMSUB_TIME_NONE ? lic->starts :
	    lic->issued, BMSUB_TS_DATE, "-", from, sizeof(from)),
	    bmsub_time_str(lic->expires, BMSUB_TS_LAST_DAY, "-", through,
	    sizeof(through)), id);
	if (!is_expired(res))
		return;
	printf("%s: %s %s (%s); %s %s (%s)\n", file,
	    trial ? "trial ended" : "expired",
	    bmsub_time_str(lic->expires, BMSUB_TS_HUMAN, "-", exp, sizeof(exp)),
	    days_from(ev->effective, lic->expires, d1, sizeof(d1)),
	    ev->effective >= ev->block_at ? "logins blocked since" :
	    "in grace, logins blocked from",
	    bmsub_time_str(ev->block_at, BMSUB_TS_HUMAN, "-", blk, sizeof(blk)),
	    days_from(ev->effective, ev->block_at, d2, sizeof(d2)));
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
		if (r == 0) {
			cli_json_license(&j, "license", &res.lic);
			/* the signature's validity and the license's dates
			 * are two questions: "valid" answers the first */
			json_time(&j, "expires", res.lic.expires);
			json_time(&j, "block_at", res.eval.block_at);
			json_bool(&j, "expired", is_expired(&res));
			json_bool(&j, "blocked",
			    res.eval.effective >= res.eval.block_at);
		} else
			cli_json_error(&j, r, &err);
		json_end(&j);
	}
	if (r != 0)
		cli_print_error(argv[1], r, &err);
	else if (!c->json)
		print_valid(argv[1], &res);
	if (r != 0 && res.keys_err != 0)
		return EXIT_USAGE;	/* the keys folder, not the file */
	return r == 0 ? EXIT_OK : EXIT_NO;
}
