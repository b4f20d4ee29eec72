/* SPDX-License-Identifier: GPL-2.0-or-later */
/* decide.c - bmsub-check decide: what the PAM module would answer one login. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The role lookup failed: the library refused, reason "nss". */
static int
role_unknown(const struct bmsub_result *res)
{
	return res->role_looked_up && strcmp(res->verdict.reason, "nss") == 0;
}

static void
decide_json(const struct bmsub_result *res, const char *user,
    const char *service)
{
	const struct bmsub_verdict *v = &res->verdict;
	struct json j;

	json_begin(&j, stdout);
	json_str(&j, "decision", bmsub_decision_name(v->decision));
	json_str(&j, "phase", v->phase);
	json_str(&j, "reason", v->reason);
	json_str(&j, "user", user);
	json_str(&j, "service", service);
	json_str(&j, "category", bmsub_category_name(res->category));
	if (res->role_looked_up && !role_unknown(res))
		json_bool(&j, "admin", res->is_admin);
	else
		json_null(&j, "admin");	/* not needed: same answer */
	json_str(&j, "redirect", v->redirect);
	json_str(&j, "banner", v->banner[0] ? v->banner : NULL);
	json_str(&j, "message", v->message[0] ? v->message : NULL);
	json_str(&j, "hosting", bmsub_hosting_name(res->hosting));
	json_end(&j);
}

static void
decide_text(const struct bmsub_result *res, const char *user,
    const char *service)
{
	const struct bmsub_verdict *v = &res->verdict;

	printf("%s (phase %s, reason %s): user %s (%s), service %s "
	    "(category %s)\n", bmsub_decision_name(v->decision), v->phase,
	    v->reason, user, !res->role_looked_up ? "role not needed" :
	    role_unknown(res) ? "role unknown" :
	    res->is_admin ? "admin" : "not admin", service,
	    bmsub_category_name(res->category));
	if (v->redirect != NULL)
		printf("redirect: %s\n", v->redirect);
	if (v->banner[0])
		printf("banner: %s\n", v->banner);
	if (v->message[0])
		printf("message: %s\n", v->message);
	if (res->hosting != BMSUB_HOSTED)
		printf("hosting: %s (%s)%s\n", bmsub_hosting_name(res->hosting),
		    res->hosting == BMSUB_EXTERNAL ? "users.external or "
		    "users.hosted_only" : "the users file is missing or "
		    "damaged: bmsub-check refresh", res->is_admin ?
		    ", but administrators are never external" : "");
}

int
cmd_decide(struct cli *c, int argc, char **argv)
{
	struct bmsub_ctx *ctx = NULL;
	struct bmsub_request rq;
	struct bmsub_result res;
	struct bmsub_error err;
	const char *user = NULL, *service = NULL;
	enum bmsub_category cat;
	int i, r;

	memset(&rq, 0, sizeof(rq));
	rq.category = -1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			user = argv[++i];
		else if (strcmp(argv[i], "--service") == 0 && i + 1 < argc)
			service = argv[++i];
		else if (strcmp(argv[i], "--category") == 0 && i + 1 < argc) {
			if (bmsub_category_parse(argv[++i], &cat) != 0)
				return cli_usage("decide: unknown category '%s'", argv[i]);
			rq.category = (int)cat;
		} else
			return cli_usage("decide: unexpected argument '%s'", argv[i]);
	}
	if (user == NULL || *user == '\0' || service == NULL || *service == '\0')
		return cli_usage("decide needs --user U and --service S");
	rq.user = user;
	rq.service = service;
	rq.now = c->now;
	/* A context of its own, as the module has one per process: its log
	 * lines (keys, license, state as it loads them) are the ones the
	 * module would write, on stderr here. */
	memset(&err, 0, sizeof(err));
	if ((r = bmsub_ctx_new(c->conf_path, &ctx, &err)) != 0 ||
	    (r = bmsub_ctx_decide(ctx, &c->log, &rq, &res, &err)) != 0) {
		bmsub_ctx_free(ctx);
		cli_warn("decide: %s", err.msg[0] ? err.msg : bmsub_strerror(r));
		return EXIT_USAGE;
	}
	bmsub_ctx_free(ctx);
	if (c->json)
		decide_json(&res, user, service);
	else
		decide_text(&res, user, service);
	return res.verdict.decision == BMSUB_DENY ? EXIT_NO : EXIT_OK;
}
