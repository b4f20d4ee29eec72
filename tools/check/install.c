/* SPDX-License-Identifier: GPL-2.0-or-later */
/* install.c - bmsub-check install: verify, check, then atomically replace the license. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cluster.h"

/* Tells what the checks found, in the order they matter: a license that
 * would deny everyone, then one that covers fewer users than counted. */
static void
tell_findings(const char *file, const struct bmsub_install *res, int force)
{
	const char *why;

	if (res->found & (BMSUB_INSTALL_NOT_STARTED | BMSUB_INSTALL_EXPIRED)) {
		why = (res->found & BMSUB_INSTALL_NOT_STARTED) ?
		    "has not started yet" : "has expired past its grace period";
		if (!force) {
			cli_warn("refused: %s %s: every user would be denied "
			    "(install --force to install it anyway)", file, why);
			return;
		}
		cli_warn("warning: %s %s: every user is denied; installed "
		    "because of --force", file, why);
	} else if (res->found & BMSUB_INSTALL_IN_GRACE)
		cli_warn("warning: %s has already expired: it is in its grace "
		    "period", file);
	if (!(res->found & BMSUB_INSTALL_UNDER_COUNT))
		return;
	if (!force) {
		cli_warn("refused: %s covers %" PRIu32 " user%s but %" PRIu64
		    " %s counted (install --force to install it anyway)",
		    file, res->lic.users, cli_s(res->lic.users), res->count,
		    res->count == 1 ? "is" : "are");
		return;
	}
	cli_warn("warning: %s covers %" PRIu32 " user%s but %" PRIu64
	    " %s counted: installed because of --force", file,
	    res->lic.users, cli_s(res->lic.users), res->count,
	    res->count == 1 ? "is" : "are");
}

static void
install_json(const struct cli *c, const char *file,
    const struct bmsub_install *res, const char *reason)
{
	struct json j;

	json_begin(&j, stdout);
	json_bool(&j, "installed", res->installed);
	json_str(&j, "file", file);
	json_str(&j, "target", c->cfg->license);
	if (res->verified)
		cli_json_license(&j, "license", &res->lic);
	else
		json_null(&j, "license");
	json_str(&j, "reason", reason);
	json_end(&j);
}

static int
install_file(struct cli *c, const char *file, int force,
    struct bmsub_install *res, const char **reason)
{
	struct bmsub_error err;
	char *buf = NULL, d[BMSUB_TIME_STR_MAX];
	size_t len = 0;
	int r;

	memset(&err, 0, sizeof(err));
	if ((r = cli_read_candidate(c, file, &buf, &len, res, &err)) == 0)
		r = bmsub_ctx_license_install(c->ctx, NULL, buf, len, c->now,
		    force ? BMSUB_INSTALL_FORCE : 0, res, &err);
	/* cluster mode: published once installed here (below) */
	if (r == 0 && res->installed && cluster_enabled(c) &&
	    cluster_license_publish(c, buf, len) != 0) {
		free(buf);
		cli_warn("install: installed on this node only: publish it "
		    "again when the database is back (bmsub-check install "
		    "%s)", file);
		*reason = "database";
		return EXIT_NO;
	}
	free(buf);
	if (!res->verified) {
		cli_print_error(file, r, &err);
		cli_warn("not installed: %s is unchanged", c->cfg->license);
		*reason = bmsub_err_token(r);
		return EXIT_NO;
	}
	if (r != 0) {	/* verified, but cannot be installed there */
		cli_warn("install: %s", err.msg);
		cli_warn("not installed: %s is unchanged", c->cfg->license);
		*reason = bmsub_err_token(r);
		return EXIT_NO;
	}
	tell_findings(file, res, force);
	if (res->refused != NULL && !force) {
		*reason = res->refused;
		return EXIT_NO;
	}
	if (r != 0 || !res->installed) {
		cli_warn("install: %s", err.msg);
		*reason = bmsub_err_token(r);
		return EXIT_NO;
	}
	if (!c->json)
		printf("installed %s license %s for %s (%" PRIu32 " user%s, "
		    "through %s) as %s; it applies from the next login\n",
		    bmsub_kind_name(res->lic.kind), res->lic.id,
		    res->lic.customer, res->lic.users, cli_s(res->lic.users),
		    bmsub_time_str(res->lic.expires, BMSUB_TS_LAST_DAY, "-", d,
		    sizeof(d)), c->cfg->license);
	return EXIT_OK;
}

int
cmd_install(struct cli *c, int argc, char **argv)
{
	struct bmsub_install res;
	const char *file = NULL, *reason = NULL;
	int i, force = 0, ret;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			force = 1;
		else if (argv[i][0] == '-' && strcmp(argv[i], "-") != 0)
			return cli_usage("install: unknown option '%s'", argv[i]);
		else if (file == NULL)
			file = argv[i];
		else
			return cli_usage("install takes one FILE");
	}
	if (file == NULL)
		return cli_usage("install needs a FILE");
	if ((ret = cli_clock_guard(c, "install")) != 0)
		return ret;
	memset(&res, 0, sizeof(res));
	ret = install_file(c, file, force, &res, &reason);
	if (c->json)
		install_json(c, file, &res, reason);
	return ret;
}
