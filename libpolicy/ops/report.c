/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* report.c - bmsub_ctx_report: one snapshot of a context for the operators' commands. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int
str_dup(char **dst, const char *s)
{
	*dst = NULL;
	if (s == NULL)
		return 0;
	if ((*dst = strdup(s)) == NULL)
		return BMSUB_E_NOMEM;
	return 0;
}

static int
list_dup(struct bmsub_strlist *dst, const struct bmsub_strlist *src)
{
	size_t i;
	int r;

	dst->v = NULL;
	dst->n = 0;
	for (i = 0; i < src->n; i++)
		if ((r = bm_strlist_add(dst, src->v[i])) != 0)
			return r;
	return 0;
}

/* Every field of struct bmsub_config, by kind. */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define CFG_OFF(f) offsetof(struct bmsub_config, f)
static const size_t config_strs[] = {
	CFG_OFF(license), CFG_OFF(keys_dir), CFG_OFF(state_dir),
	CFG_OFF(admin_url), CFG_OFF(user_roster), CFG_OFF(sendmail),
	CFG_OFF(notify_from), CFG_OFF(external_roster),
};
/* after hosted_only: the cluster section's strings, then its one int */
static const size_t config_strs2[] = {
	CFG_OFF(cluster_database), CFG_OFF(cluster_node),
};
static const size_t config_lists[] = {
	CFG_OFF(admin_users), CFG_OFF(admin_groups), CFG_OFF(user_groups),
	CFG_OFF(user_exclude), CFG_OFF(local_domains), CFG_OFF(external_groups),
};	/* and services[], one list a category; hosted_only, the one int,
	 * last */
/* The tables cover the whole struct (it has no padding: pointers and
 * lists of pointers only): a field added to struct bmsub_config, or one
 * dropped from the tables, stops the build here. */
_Static_assert(CFG_OFF(hosted_only) ==
    NELEM(config_strs) * sizeof(char *) +
    (NELEM(config_lists) + BMSUB_CAT__COUNT) * sizeof(struct bmsub_strlist) &&
    CFG_OFF(cluster_database) == CFG_OFF(hosted_only) + sizeof(void *) &&
    CFG_OFF(cluster_node_timeout_hours) == CFG_OFF(cluster_database) +
    NELEM(config_strs2) * sizeof(char *) &&
    CFG_OFF(cluster_claim_lease_seconds) ==
    CFG_OFF(cluster_node_timeout_hours) + sizeof(int) &&
    sizeof(struct bmsub_config) == CFG_OFF(cluster_claim_lease_seconds) +
    sizeof(int),
    "a new struct bmsub_config field must be copied by config_dup");

/* A deep copy of c, freed by bmsub_config_free. */
static int
config_dup(const struct bmsub_config *c, struct bmsub_config **out)
{
	struct bmsub_config *d = NULL;
	size_t i;
	int r = BMSUB_E_INTERNAL;

	*out = NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return BMSUB_E_NOMEM;
	for (i = 0; i < NELEM(config_strs); i++) {
		if ((r = str_dup((char **)((char *)d + config_strs[i]),
		    *(char *const *)((const char *)c + config_strs[i]))) != 0)
			goto out;
	}
	for (i = 0; i < NELEM(config_lists); i++) {
		if ((r = list_dup((struct bmsub_strlist *)((char *)d +
		    config_lists[i]), (const struct bmsub_strlist *)
		    ((const char *)c + config_lists[i]))) != 0)
			goto out;
	}
	for (i = 0; i < BMSUB_CAT__COUNT; i++) {
		if ((r = list_dup(&d->services[i], &c->services[i])) != 0)
			goto out;
	}
	for (i = 0; i < NELEM(config_strs2); i++) {
		if ((r = str_dup((char **)((char *)d + config_strs2[i]),
		    *(char *const *)((const char *)c + config_strs2[i]))) != 0)
			goto out;
	}
	d->hosted_only = c->hosted_only;
	d->cluster_node_timeout_hours = c->cluster_node_timeout_hours;
	d->cluster_claim_lease_seconds = c->cluster_claim_lease_seconds;
	*out = d;
	d = NULL;	/* transferred */
	r = 0; /* success */
 out:
	bmsub_config_free(d);
	return r;
}

static int
state_dup(struct bmsub_state *dst, const struct bmsub_state *src)
{
	bmsub_state_init(dst);
	if (src == NULL)
		return 0;
	*dst = *src;
	dst->sent = NULL;
	if (src->n_sent == 0)
		return 0;
	if ((dst->sent = calloc(src->n_sent, sizeof(*dst->sent))) == NULL) {
		bmsub_state_init(dst);
		return BMSUB_E_NOMEM;
	}
	memcpy(dst->sent, src->sent, src->n_sent * sizeof(*dst->sent));
	return 0;
}

/* Under the context's lock: copies only, the policy runs after. */
static int
copy_view(const struct bm_ctx_view *v, void *arg)
{
	struct bmsub_report *rep = arg;
	int r = BMSUB_E_INTERNAL;

	if ((r = str_dup(&rep->conf_path, v->conf_path)) != 0 ||
	    (r = config_dup(v->cfg, &rep->config)) != 0)
		return r;

	rep->keys.err = v->keys_err;
	rep->keys.error = *v->keys_error;
	rep->keys.count = v->kr != NULL ? bmsub_keyring_count(v->kr) : 0;
	if ((r = list_dup(&rep->keys.notes, v->keys_notes)) != 0)
		return r;

	rep->license.err = v->lic_err;
	rep->license.error = *v->lic_error;
	if (v->lic != NULL)
		rep->license.lic = *v->lic;

	rep->state.err = v->st_err;
	rep->state.error = *v->st_error;
	if ((r = state_dup(&rep->state.st, v->st)) != 0)
		return r;

	rep->users.wanted = v->users_wanted;
	rep->users.written = v->users_mtime;
	if (v->users_wanted) {
		rep->users.err = v->users_err;
		rep->users.error = *v->users_error;
		rep->users.hosted = v->users->n[BM_U_HOSTED];
		rep->users.excluded = v->users->n[BM_U_EXCLUDED];
		rep->users.external = v->users->n[BM_U_EXTERNAL];
	}

	rep->recipients.err = v->rcpt_err;
	rep->recipients.error = *v->rcpt_error;
	return list_dup(&rep->recipients.list, v->rcpt);
}

static int
add_events(struct bmsub_report *rep)
{
	const struct bmsub_state *st = rep->state.err == 0 ?
	    &rep->state.st : NULL;
	size_t i;

	rep->events.n = rep->events.total = rep->events.next = 0;
	if (rep->license.err != 0)
		return 0;
	if ((rep->events.v = calloc(BMSUB_REPORT_EVENTS_MAX,
	    sizeof(*rep->events.v))) == NULL)
		return BMSUB_E_NOMEM;
	bmsub_timeline(&rep->license.lic, st, rep->events.v,
	    BMSUB_REPORT_EVENTS_MAX, &rep->events.total);
	rep->events.n = rep->events.total < BMSUB_REPORT_EVENTS_MAX ?
	    rep->events.total : BMSUB_REPORT_EVENTS_MAX;
	for (i = 0; i < rep->events.n; i++)
		if (rep->events.v[i].at > rep->eval.effective)
			break;
	rep->events.next = i;
	return 0;
}

int
bmsub_ctx_report(struct bmsub_ctx *ctx, const struct bmsub_log *log,
    int64_t now, struct bmsub_report **out, struct bmsub_error *err)
{
	struct bmsub_report *rep = NULL;
	int r = BMSUB_E_INTERNAL;

	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || out == NULL)
		return bm_err(err, BMSUB_E_INVALID, 0, "missing argument");
	if ((rep = calloc(1, sizeof(*rep))) == NULL)
		return bm_err(err, BMSUB_E_NOMEM, 0, NULL);
	rep->now = now;
	bmsub_state_init(&rep->state.st);
	if ((r = bm_ctx_view(ctx, log, copy_view, rep, err)) != 0) {
		if (r == BMSUB_E_NOMEM)
			r = bm_err(err, r, 0, "report: out of memory");
		goto out;
	}
	bmsub_evaluate(rep->license.err == 0 ? &rep->license.lic : NULL,
	    rep->license.err, rep->state.err == 0 ? &rep->state.st : NULL,
	    now, &rep->eval);
	if ((r = add_events(rep)) != 0) {
		r = bm_err(err, r, 0, "report: out of memory");
		goto out;
	}
	*out = rep;
	rep = NULL;	/* transferred */
	bm_err_clear(err);
	r = 0; /* success */
 out:
	bmsub_report_free(rep);
	return r;
}

void
bmsub_report_free(struct bmsub_report *rep)
{
	if (rep == NULL)
		return;
	free(rep->conf_path);
	bmsub_config_free(rep->config);
	bmsub_strlist_free(&rep->keys.notes);
	bmsub_state_clear(&rep->state.st);
	bmsub_strlist_free(&rep->recipients.list);
	free(rep->events.v);
	free(rep);
}
