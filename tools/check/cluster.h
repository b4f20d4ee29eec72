/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cluster.h - cluster mode (SPEC 8): the writers' link to PostgreSQL. */
#ifndef BMSUB_CHECK_CLUSTER_H
#define BMSUB_CHECK_CLUSTER_H

#include <stdint.h>
#include <libpq-fe.h>

#include "cli.h"

/* A node whose clock is further than this from the database's is named. */
#define CLUSTER_SKEW_MAX 300

/* 1 when the configuration has a cluster section. */
int cluster_enabled(const struct cli *c);
/* This node's name: cluster.node, else the host name. */
const char *cluster_node(const struct cli *c);
const char *cluster_node_of(const struct bmsub_config *cfg);
/* Connects (conninfo from cluster.database); a password in a config
 * others can read is refused. NULL and told ("WHAT: ...") on failure. */
PGconn *db_connect(struct cli *c, const char *what);
/* Runs sql (no parameters); 0 or -1, told as "WHAT: message". */
int db_exec(PGconn *db, const char *what, const char *sql);
/* The database's time, or --at when given; *offset = this host's clock
 * minus the database's. 0 or -1 (told). */
int db_now(struct cli *c, PGconn *db, const char *what, int64_t *now,
    int64_t *offset);
/* Creates or upgrades the schema in one transaction. 0 or -1 (told). */
int db_migrate(PGconn *db, const char *what, int *from, int *to);

/* refresh's part: sends this node's logins (the users text's hosted
 * lines), reads back C, O and H; *count, *over_since, *high_water set.
 * lic_id, lic_users: the local license's id and N (when have_lic),
 * reported in bmsub_nodes. 0 or EXIT_NO (told). */
int cluster_refresh(struct cli *c, const char *users_text, uint64_t local,
    const char *lic_id, uint32_t lic_users, int have_lic, uint64_t *count,
    int64_t *over_since, int64_t *high_water, int64_t *now, int64_t *offset,
    struct bmsub_strlist *rcpt);

/* notify's part (the alert ledger): the database's sending records merged
 * into st (the latest of each); 0 or -1 (told). */
int cluster_ledger_pull(PGconn *db, struct bmsub_state *st);
/* Claims alert key for lease seconds from now (cluster.claim_lease_seconds:
 * a notify that died is relieved after it), unless someone sent it after
 * last_sent or holds a live claim: 1 claimed, 0 not ours, -1 error (told).
 * claimer: unique to this process. */
int cluster_ledger_claim(PGconn *db, const char *key, const char *claimer,
    int64_t now, int64_t last_sent, int lease);
/* What can never matter again, removed (bmsub-check(8) says the rule):
 * ledger rows of another license id or over-count episode, neither
 * claimed nor sent within BMSUB_ALERT_KEEP_DAYS before now; superseded
 * licenses published longer ago than that. lic_id: NULL when none;
 * over_since: BMSUB_TIME_NONE when not over. 0 or -1 (told). */
int cluster_prune(PGconn *db, const char *lic_id, int64_t over_since,
    int64_t now);
/* The claimed alert was sent at sent_at; 0 or -1 (told). */
int cluster_ledger_sent(PGconn *db, const char *key, const char *claimer,
    int64_t sent_at);

/* install's part: publishes the license text (verified and installed
 * here) for the other nodes. 0 or EXIT_NO (told). */
int cluster_license_publish(struct cli *c, const char *text, size_t len);
/* refresh's part, before the state lock: the latest published license,
 * verified and installed here when it differs from the local file; a
 * refused one is told and the local copy kept (-2). 0, -2, or EXIT_NO
 * (told: the database). */
int cluster_license_pull(struct cli *c);

/* recipients add/remove: the change in the database too (the same
 * address: bmsub_recipients_same). 1 when a row was added or removed, 0
 * when the database had it already (add) or had none (remove), -1 on an
 * error (told). */
int cluster_recipient_change(struct cli *c, int add, const char *addr);
/* The shared clock high-water mark forgotten (clock reset). 0 or -1. */
int cluster_clock_reset(struct cli *c);

int cmd_cluster(struct cli *c, int argc, char **argv);

#endif
