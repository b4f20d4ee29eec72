/* SPDX-License-Identifier: GPL-2.0-or-later */
/* refresh.c - bmsub-check refresh: count the users and record the count in the state. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cluster.h"

static void
refresh_print(const struct cli *c, uint64_t count,
    const struct bmsub_license *lic, const struct bmsub_state *st,
    const struct bmsub_user_sets *us)
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
		if (us != NULL) {
			json_uint(&j, "excluded", us->excluded);
			json_uint(&j, "external", us->external);
		}
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
	if (us != NULL)
		printf("%" PRIu64 " external user%s refused (not-hosted), %"
		    PRIu64 " excluded; written to %s/%s\n", us->external,
		    cli_s(us->external), us->excluded, c->cfg->state_dir,
		    BMSUB_USERS_FILE);
}

int
cmd_refresh(struct cli *c, int argc, char **argv)
{
	const struct bmsub_report *rep;
	const struct bmsub_license *lic;
	struct bmsub_state st;
	struct bmsub_error err;
	struct bmsub_user_sets *us = NULL;
	uint64_t count = 0;
	int i, r, lockfd = -1, given = 0, lic_refused = 0;

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
	if (given && cluster_enabled(c))
		return cli_usage("refresh: --users is not for cluster mode: "
		    "the platform counts the logins of every node");
	/* the hosted and external sets come with the count: enumerated
	 * here, written below for the login path (SPEC 10) */
	if (!given) {
		if ((r = bmsub_user_sets_build(c->cfg, &c->log, &us,
		    &err)) != 0) {
			cli_warn("refresh: %s", err.msg);
			return r == BMSUB_E_CONFIG ? EXIT_USAGE : EXIT_NO;
		}
		count = us->counted;
		if (!bmsub_config_has_external(c->cfg) &&
		    !cluster_enabled(c)) {
			bmsub_user_sets_free(us);
			us = NULL;
		}
	} else if (bmsub_config_has_external(c->cfg))
		cli_warn("refresh: --users given: %s/%s (the hosted and "
		    "external users) is left as it is", c->cfg->state_dir,
		    BMSUB_USERS_FILE);
	/* the platform's license first: the count below judged by it */
	if (cluster_enabled(c) && (r = cluster_license_pull(c)) != 0) {
		if (r != -2) {
			bmsub_user_sets_free(us);
			return r;
		}
		lic_refused = 1;	/* counted all the same, exit 1 */
	}
	if ((rep = cli_report(c, cluster_enabled(c))) == NULL) {
		bmsub_user_sets_free(us);
		return EXIT_USAGE;
	}
	if (rep->keys.err != 0) {
		cli_warn_path("keys", rep->config->keys_dir,
		    rep->keys.error.msg);
		bmsub_user_sets_free(us);
		return EXIT_USAGE;
	}
	lic = rep->license.err == 0 ? &rep->license.lic : NULL;
	if ((r = cli_state_begin(c, &lockfd, &st)) != 0) {
		bmsub_user_sets_free(us);
		return r;
	}
	/* the sets before the state: a login that sees the new count
	 * already sees who it counts */
	if (us != NULL && bmsub_config_has_external(c->cfg) &&
	    bmsub_user_sets_save(c->cfg->state_dir, us, &err) != 0) {
		bmsub_state_unlock(lockfd);
		bmsub_state_clear(&st);
		bmsub_user_sets_free(us);
		cli_warn("refresh: users not saved: %s", err.msg);
		return EXIT_NO;
	}
	if (cluster_enabled(c)) {
		/* the platform's C, O and H, the database's clock */
		uint64_t local = count;
		struct bmsub_strlist rcpt = { NULL, 0 };
		int64_t o, h, t, off;

		if ((r = cluster_refresh(c, us->text, local, lic != NULL ?
		    lic->id : NULL, lic != NULL ? lic->users : 0, lic != NULL,
		    &count, &o, &h, &t, &off, &rcpt)) == 0 && bmsub_recipients_save(
		    c->cfg->state_dir, &rcpt, &err) != 0) {
			cli_warn("refresh: recipients not saved: %s", err.msg);
			r = EXIT_NO;
		}
		bmsub_strlist_free(&rcpt);
		if (r != 0) {
			bmsub_state_unlock(lockfd);
			bmsub_state_clear(&st);
			bmsub_user_sets_free(us);
			return r;
		}
		c->now = t;
		(void)bmsub_state_refresh(&st, lic, count, t);
		st.over_since = o;
		st.high_water = h;
		/* for monitor: this node's clock against the database's */
		st.node_clock = t + off >= 0 ? t + off : BMSUB_TIME_NONE;
	} else if (bmsub_state_refresh(&st, lic, count, c->now))
		/* the state as loaded under the lock, not the report's */
		cli_ahead_warning(c);
	if ((r = cli_state_commit(c, lockfd, &st)) == 0)
		refresh_print(c, count, lic, &st,
		    bmsub_config_has_external(c->cfg) ? us : NULL);
	bmsub_state_clear(&st);
	bmsub_user_sets_free(us);
	return r == 0 && lic_refused ? EXIT_NO : r;
}
