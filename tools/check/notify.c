/* SPDX-License-Identifier: GPL-2.0-or-later */
/* notify.c - bmsub-check notify: send the email alerts that are due and record them. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "cli.h"
#include "cluster.h"

struct notify {
	struct cli *c;
	int dry_run;
	int failed;			/* something was not sent or recorded */
	struct bmsub_report *rep;	/* taken under the state lock */
	struct bmsub_state *st;		/* rep's, changed and saved */
	const struct bmsub_license *lic;	/* NULL when none is valid */
	struct bmsub_mail_params mp;
	char host[256], from[300], mid[400];
	struct json j;
	PGconn *db;			/* cluster mode: the alert ledger */
	char claimer[320];		/* node:pid, this run's claims */
};

/* This host's name, reduced to letters, digits, dots and hyphens. */
static void
host_name(char *buf, size_t size)
{
	char raw[256];
	size_t i, j = 0;

	if (gethostname(raw, sizeof(raw)) != 0)
		raw[0] = '\0';
	raw[sizeof(raw) - 1] = '\0';
	for (i = 0; raw[i] != '\0' && j + 1 < size; i++) {
		char ch = raw[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-')
			buf[j++] = ch;
	}
	buf[j] = '\0';
	if (j == 0 || buf[0] == '.' || buf[j - 1] == '.')
		snprintf(buf, size, "localhost");
}

/* "<20261122T201927.1a2b3c4d5e6f7081@host>" */
static void
message_id(int64_t now, const char *host, char *buf, size_t size)
{
	static unsigned counter;
	uint64_t rnd = 0;
	char iso[BMSUB_TIME_STR_MAX], stamp[BMSUB_TIME_STR_MAX];
	size_t i, j = 0;

	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		rnd = ((uint64_t)getpid() << 32) ^ (uint64_t)now;
	rnd += counter++;
	bmsub_time_str(now, BMSUB_TS_ISO, NULL, iso, sizeof(iso));
	for (i = 0; iso[i] != '\0' && j + 1 < sizeof(stamp); i++)
		if (iso[i] != '-' && iso[i] != ':' && iso[i] != 'Z')
			stamp[j++] = iso[i];
	stamp[j] = '\0';
	snprintf(buf, size, "<%s.%016" PRIx64 ".bmsub@%s>", stamp, rnd, host);
}

/* The configuration's part: sendmail and the From address. */
static int
notify_sender(struct notify *n)
{
	const struct bmsub_config *cfg = n->c->cfg;
	struct bmsub_error e;

	if (cfg->sendmail == NULL || cfg->sendmail[0] != '/')
		return cli_usage("notify.sendmail must be an absolute path");
	host_name(n->host, sizeof(n->host));
	if (cfg->notify_from != NULL) {
		if (bmsub_recipients_address_check(cfg->notify_from,
		    &cfg->local_domains, &e) != 0)
			return cli_usage("notify.from \"%s\": %s",
			    cfg->notify_from, e.msg);
		snprintf(n->from, sizeof(n->from), "%s", cfg->notify_from);
	} else
		snprintf(n->from, sizeof(n->from), "bmsub@%s", n->host);
	return 0;
}

/* The report's state, or a fresh one for a damaged file; -1 when it
 * cannot be read at all (nothing may be recorded then). */
static int
notify_state(struct notify *n)
{
	const struct bmsub_report *rep = n->rep;

	n->st = &n->rep->state.st;
	if (rep->state.err != 0 && rep->state.err != BMSUB_E_NOT_FOUND) {
		if (rep->state.err != BMSUB_E_CORRUPT) {
			cli_warn("notify: state unreadable (%s): %s",
			    bmsub_err_token(rep->state.err),
			    rep->state.error.msg);
			return -1;
		}
		/* Rewritten below: a refresh restores the count. */
		cli_warn("notify: state damaged, starting afresh: %s",
		    rep->state.error.msg);
		bmsub_state_clear(n->st);
		bmsub_state_init(n->st);
	}
	if (rep->recipients.err != 0)
		cli_warn("notify: recipients unreadable (%s)",
		    bmsub_err_token(rep->recipients.err));
	return 0;
}

/* Recorded at once: a crash can repeat one alert at worst, never lose
 * one. */
static void
record_sent(struct notify *n, const struct bmsub_alert *a)
{
	const struct bmsub_strlist *to = &n->rep->recipients.list;
	struct bmsub_error e;
	int r;

	memset(&e, 0, sizeof(e));
	if ((r = bmsub_state_sent_set(n->st, a->key, n->rep->eval.effective)) != 0 ||
	    (r = bmsub_state_save(n->c->cfg->state_dir, n->st, &e)) != 0) {
		cli_warn("notify: %s sent but not recorded: %s", a->key,
		    r == e.code ? e.msg : bmsub_strerror(r));
		n->failed = 1;
	} else if (!n->c->json)
		printf("sent %s to %zu recipient%s\n", a->key, to->n,
		    to->n == 1 ? "" : "s");
}

/* One alert: compose, then print (dry run) or send and record. */
static void
notify_one(struct notify *n, const struct bmsub_alert *a)
{
	const struct bmsub_strlist *to = &n->rep->recipients.list;
	const char *err_text = NULL;
	struct bmsub_error e;
	char why[300], *msg = NULL;
	int sent = 0, claim = 0;

	message_id(n->c->now, n->host, n->mid, sizeof(n->mid));
	if (to->n == 0) {
		err_text = "no recipient";
		cli_warn("notify: alert %s is due but there is no recipient "
		    "(bmsub-check recipients add ADDR)", a->key);
		n->failed = 1;
	} else if (bmsub_mail_compose(a, n->lic, &n->rep->eval, &n->mp, &msg,
	    &e) != 0) {
		err_text = e.msg;
		cli_warn("notify: %s: %s", a->key, e.msg);
		n->failed = 1;
	} else if (n->dry_run) {
		if (!n->c->json)
			printf("----- %s (dry run, not sent) -----\n%s", a->key,
			    msg);
	} else if (n->db != NULL && (claim = cluster_ledger_claim(n->db,
	    a->key, n->claimer, n->c->now, a->last_sent,
	    n->c->cfg->cluster_claim_lease_seconds)) != 1) {
		if (claim < 0) {
			err_text = "database";
			n->failed = 1;
		} else {
			err_text = "sent or being sent by another node";
			if (!n->c->json)
				printf("%s: sent or being sent by another "
				    "node\n", a->key);
		}
	} else if (cli_sendmail(n->c->cfg->sendmail, msg, why,
	    sizeof(why)) != 0) {
		err_text = why;
		cli_warn("notify: %s not sent: %s", a->key, why);
		n->failed = 1;
	} else {
		sent = 1;
		if (n->db != NULL && cluster_ledger_sent(n->db, a->key,
		    n->claimer, n->rep->eval.effective) != 0) {
			cli_warn("notify: %s sent but not recorded in the "
			    "database", a->key);
			n->failed = 1;
		}
		record_sent(n, a);
	}
	if (n->c->json) {
		json_obj(&n->j);
		json_str(&n->j, "alert", bmsub_alert_name(a->kind));
		json_str(&n->j, "key", a->key);
		json_time(&n->j, "last_sent", a->last_sent);
		json_bool(&n->j, "sent", sent);
		json_str(&n->j, "error", err_text);
		if (n->dry_run)
			json_str(&n->j, "message", msg);
		json_close_obj(&n->j);
	}
	free(msg);
}

/* The alerts due now, each sent, then the run recorded. */
static void
notify_send(struct notify *n)
{
	struct bmsub_alert due[BMSUB_ALERTS_MAX];
	struct bmsub_error e;
	size_t k, count;

	count = bmsub_alerts_due(n->lic, &n->rep->eval, n->st, due);
	n->mp.from = n->from;
	n->mp.to = &n->rep->recipients.list;
	n->mp.hostname = n->host;
	n->mp.admin_url = n->c->cfg->admin_url;
	n->mp.date = n->c->now;
	n->mp.message_id = n->mid;
	if (n->c->json) {
		json_begin(&n->j, stdout);
		json_time(&n->j, "at", n->c->now);
		json_bool(&n->j, "dry_run", n->dry_run);
		json_uint(&n->j, "recipients", n->rep->recipients.list.n);
		json_key_arr(&n->j, "alerts");
	}
	for (k = 0; k < count; k++)
		notify_one(n, &due[k]);
	if (n->c->json) {
		json_close_arr(&n->j);
		json_end(&n->j);
	} else if (count == 0)
		printf("no alert due\n");
	if (n->dry_run)
		return;
	bmsub_alerts_prune(n->lic, &n->rep->eval, n->st);
	if (n->db != NULL && cluster_prune(n->db, n->lic != NULL ?
	    n->lic->id : NULL, n->rep->eval.over_since,
	    n->rep->eval.effective) != 0)
		n->failed = 1;
	n->st->last_notify = n->c->now;
	cli_saw_time(n->c, n->st);
	if (bmsub_state_save(n->c->cfg->state_dir, n->st, &e) != 0) {
		cli_warn("notify: saving the state: %s", e.msg);
		n->failed = 1;
	}
}

int
cmd_notify(struct cli *c, int argc, char **argv)
{
	struct notify n;
	struct cli_opts o;
	struct bmsub_error e;
	int rc = EXIT_USAGE, lock = -1;

	memset(&n, 0, sizeof(n));
	n.c = c;
	/* --dry-run only reads: any --at */
	if ((rc = cli_opts(c, argc, argv, CLI_OPT_DRY_RUN, 0, &o)) != 0 ||
	    (!o.dry_run && (rc = cli_clock_guard(c, "notify")) != 0) ||
	    (rc = notify_sender(&n)) != 0)
		return rc;
	n.dry_run = o.dry_run;
	rc = EXIT_USAGE;
	/* lock -> load -> decide -> (send -> record -> save)* -> unlock */
	if (!n.dry_run && bmsub_state_lock(c->cfg->state_dir, &lock, &e) != 0) {
		cli_warn_path("notify", c->cfg->state_dir, e.msg);
		goto out;
	}
	if (!n.dry_run && cluster_enabled(c)) {
		int64_t t, offset;

		if ((n.db = db_connect(c, "notify")) == NULL ||
		    db_now(c, n.db, "notify", &t, &offset) != 0) {
			rc = EXIT_NO;
			goto out;
		}
		c->now = t;
		/* a claim that lapses while its sendmail still runs lets
		 * another node send the alert too */
		if (cli_sendmail_timeout() + 60 > (unsigned)
		    c->cfg->cluster_claim_lease_seconds)
			cli_warn("notify: cluster.claim_lease_seconds (%d) is "
			    "not a minute longer than the sendmail timeout "
			    "(%u s): an alert may be sent twice",
			    c->cfg->cluster_claim_lease_seconds,
			    cli_sendmail_timeout());
		snprintf(n.claimer, sizeof(n.claimer), "%s:%ld",
		    cluster_node(c), (long)getpid());
	}
	if ((n.rep = cli_report(c, 1)) == NULL || notify_state(&n) != 0)
		goto out;
	if (n.db != NULL && cluster_ledger_pull(n.db, n.st) != 0) {
		rc = EXIT_NO;
		goto out;
	}
	n.lic = n.rep->license.err == 0 ? &n.rep->license.lic : NULL;
	notify_send(&n);
	rc = n.failed ? EXIT_NO : EXIT_OK;
 out:
	if (n.db != NULL)
		PQfinish(n.db);
	bmsub_state_unlock(lock);
	return rc;
}
