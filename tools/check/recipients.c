/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recipients.c - bmsub-check recipients list|add|remove: who receives the alerts. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "cluster.h"

/* The domain of addr is one of local_domains or below one of them. */
static int
is_local(const struct bmsub_config *cfg, const char *addr)
{
	const char *dom = strrchr(addr, '@');
	size_t i, dl, ll;

	if (dom == NULL)
		return 0;
	dom++;
	dl = strlen(dom);
	for (i = 0; i < cfg->local_domains.n; i++) {
		const char *ld = cfg->local_domains.v[i];

		ll = strlen(ld);
		if (strcasecmp(dom, ld) == 0 || (dl > ll &&
		    dom[dl - ll - 1] == '.' && strcasecmp(dom + dl - ll,
		    ld) == 0))
			return 1;
	}
	return 0;
}

/* From the report: the list the context holds, read as the module reads
 * it (the keys play no part, so their warnings are not told). */
static int
recipients_list(struct cli *c)
{
	const struct bmsub_report *rep = c->rep;
	const struct bmsub_strlist *l = &rep->recipients.list;
	struct json j;
	size_t i;
	int any_local = 0;

	if (rep->recipients.err != 0) {
		cli_warn("recipients: %s", rep->recipients.error.msg);
		return EXIT_NO;
	}
	for (i = 0; i < l->n; i++)
		any_local |= is_local(c->cfg, l->v[i]);
	if (l->n == 0)
		cli_warn("no alert recipient: no email alert can be sent and "
		    "administrators see a banner");
	else if (c->cfg->local_domains.n > 0 && !any_local)
		cli_warn("no recipient is in notify.local_domains: alerts to "
		    "outside addresses may be filtered as spam");
	if (!c->json) {
		for (i = 0; i < l->n; i++)
			printf("%s\n", l->v[i]);
		return EXIT_OK;
	}
	json_begin(&j, stdout);
	json_key_arr(&j, "recipients");
	for (i = 0; i < l->n; i++) {
		json_obj(&j);
		json_str(&j, "address", l->v[i]);
		json_bool(&j, "local", is_local(c->cfg, l->v[i]));
		json_close_obj(&j);
	}
	json_close_arr(&j);
	json_bool(&j, "any_local", any_local);
	json_end(&j);
	return EXIT_OK;
}

static int
recipients_change(struct cli *c, const char *sub, const char *addr)
{
	struct bmsub_error e;
	struct json j;
	int add = strcmp(sub, "add") == 0, r, changed = 0;

	/* cluster mode: shared (SPEC 8), the database first, the other
	 * nodes take it at their next refresh; this node's mirror may lack
	 * what another node added */
	if (cluster_enabled(c)) {
		if (add && (r = bmsub_recipients_address_check(addr,
		    &c->cfg->local_domains, &e)) != 0) {
			cli_warn("recipients %s '%s': %s (%s)", sub, addr,
			    e.msg, bmsub_err_token(r));
			return EXIT_NO;
		}
		if ((changed = cluster_recipient_change(c, add, addr)) < 0)
			return EXIT_NO;
	}
	r = add ? bmsub_recipients_add_local(c->cfg->state_dir, addr,
	    &c->cfg->local_domains, &e) : bmsub_recipients_remove_local(
	    c->cfg->state_dir, addr, &c->cfg->local_domains, &e);
	/* the mirror may lag behind the database: what the database
	 * changed is done; what neither had (or both had) is refused as on
	 * a lone server */
	if (r != 0 && changed && (r == BMSUB_E_NOT_FOUND ||
	    r == BMSUB_E_FIELD_DUP))
		r = 0;
	if (r != 0) {
		cli_warn("recipients %s '%s': %s (%s)", sub, addr, e.msg,
		    bmsub_err_token(r));
		return EXIT_NO;
	}
	if (add && c->cfg->local_domains.n > 0 && !is_local(c->cfg, addr))
		cli_warn("%s is not in notify.local_domains: alerts to it may "
		    "be filtered as spam", addr);
	if (c->json) {
		json_begin(&j, stdout);
		json_str(&j, add ? "added" : "removed", addr);
		json_end(&j);
	} else
		printf("%s %s\n", add ? "added" : "removed", addr);
	return EXIT_OK;
}

int
cmd_recipients(struct cli *c, int argc, char **argv)
{
	struct cli_opts o;
	const char *sub;
	int rc;

	if ((rc = cli_opts(c, argc, argv, 0, 2, &o)) != 0)
		return rc;
	if (o.nargs == 0)
		return cli_usage("recipients: list, add ADDR or remove ADDR");
	sub = o.args[0];
	if (strcmp(sub, "list") == 0) {
		if (o.nargs != 1)
			return cli_usage("recipients list takes no argument");
		return recipients_list(c);
	}
	if (strcmp(sub, "add") != 0 && strcmp(sub, "remove") != 0)
		return cli_usage("recipients: unknown subcommand %s "
		    "(list, add ADDR, remove ADDR)", sub);
	if (o.nargs != 2)
		return cli_usage("recipients %s needs one ADDR", sub);
	if ((rc = cli_clock_guard(c, strcmp(sub, "add") == 0 ?
	    "recipients add" : "recipients remove")) != 0)
		return rc;
	return recipients_change(c, sub, o.args[1]);
}
