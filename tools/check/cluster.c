/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cluster.c - bmsub-check cluster init|status, and refresh's exchange with
 * the shared database (SPEC 8). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

/* Two recipient addresses are the same as bmsub_recipients_same says: the
 * local part byte for byte, the domain (after the last '@') without case.
 * RCPT_SAME compares a row's address with $1; RCPT_INSERT adds $1 unless
 * such a row is there. */
#define RCPT_SAME "substring(address from '^(.*)@') = " \
	"substring($1::text from '^(.*)@') AND lower(substring(address from " \
	"'@([^@]*)$')) = lower(substring($1::text from '@([^@]*)$'))"
#define RCPT_INSERT "INSERT INTO bmsub_recipients (address) SELECT $1::text " \
	"WHERE NOT EXISTS (SELECT 1 FROM bmsub_recipients WHERE " \
	RCPT_SAME ") ON CONFLICT DO NOTHING"

static int
get_i64(PGresult *res, int row, int col, int64_t *out)
{
	char *end;

	if (PQgetisnull(res, row, col)) {
		*out = BMSUB_TIME_NONE;
		return 0;
	}
	*out = strtoll(PQgetvalue(res, row, col), &end, 10);
	return *end == '\0' ? 0 : -1;
}

static PGresult *
query(PGconn *db, const char *what, const char *sql, int n,
    const char *const *params)
{
	PGresult *res = PQexecParams(db, sql, n, NULL, params, NULL, NULL, 0);

	if (res == NULL || (PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_COMMAND_OK)) {
		char buf[512], *nl;

		snprintf(buf, sizeof(buf), "%s", res != NULL ?
		    PQresultErrorMessage(res) : PQerrorMessage(db));
		while ((nl = strchr(buf, '\n')) != NULL)
			*nl = nl[1] != '\0' ? ' ' : '\0';
		cli_warn("%s: database: %s", what, buf);
		PQclear(res);
		return NULL;
	}
	return res;
}

/* The hosted logins of the users text, as COPY rows "login\n", into the
 * transaction's temporary table bmsub_in. */
static int
copy_logins(PGconn *db, const char *what, const char *text)
{
	const char *p = text, *nl, *tab;
	char *buf = NULL;
	size_t cap = 0, len = 0;
	PGresult *res;
	int r = -1;

	res = PQexec(db, "COPY bmsub_in (login) FROM STDIN");
	if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN) {
		PQclear(res);
		cli_warn("%s: database: %s", what, PQerrorMessage(db));
		return -1;
	}
	PQclear(res);
	/* the first line is the magic, the last "end N" */
	for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		size_t need, k;

		tab = memchr(p, '\t', (size_t)(nl - p));
		if (tab == NULL || (size_t)(nl - tab - 1) != 6 ||
		    memcmp(tab + 1, "hosted", 6) != 0)
			continue;
		need = (size_t)(tab - p) * 2 + 2;
		if (len + need > cap) {
			char *nb;

			cap = (len + need) * 2 + 4096;
			if ((nb = realloc(buf, cap)) == NULL)
				goto out;
			buf = nb;
		}
		for (k = 0; p + k < tab; k++) {
			if (p[k] == '\\')
				buf[len++] = '\\';
			buf[len++] = p[k];
		}
		buf[len++] = '\n';
	}
	if (len > 0 && PQputCopyData(db, buf, (int)len) != 1)
		goto out;
	r = 0;
 out:
	if (PQputCopyEnd(db, r == 0 ? NULL : "aborted") != 1)
		r = -1;
	while ((res = PQgetResult(db)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			if (r == 0)
				cli_warn("%s: database: %s", what,
				    PQresultErrorMessage(res));
			r = -1;
		}
		PQclear(res);
	}
	free(buf);
	return r;
}

/* Replaces this node's login set by the users text's, set-based: the new
 * set into a temporary table, then only the logins gone are deleted and
 * only the new ones inserted (an unchanged set writes nothing: no dead
 * rows, no index churn). */
static int
store_logins(PGconn *db, const char *what, const char *node,
    const char *text)
{
	const char *p[1] = { node };
	PGresult *res;

	if (db_exec(db, what, "CREATE TEMP TABLE bmsub_in (login text "
	    "COLLATE \"C\") ON COMMIT DROP") != 0 ||
	    (text != NULL && copy_logins(db, what, text) != 0) ||
	    db_exec(db, what, "ANALYZE bmsub_in") != 0)
		return -1;
	if ((res = query(db, what, "DELETE FROM bmsub_logins l WHERE l.node = "
	    "$1 AND NOT EXISTS (SELECT 1 FROM bmsub_in i WHERE i.login = "
	    "l.login)", 1, p)) == NULL)
		return -1;
	PQclear(res);
	if ((res = query(db, what, "INSERT INTO bmsub_logins (node, login) "
	    "SELECT $1, i.login FROM bmsub_in i WHERE NOT EXISTS (SELECT 1 "
	    "FROM bmsub_logins l WHERE l.node = $1 AND l.login = i.login) "
	    "ON CONFLICT DO NOTHING", 1, p)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

static void
tell_skew(const char *what, const char *node, int64_t offset)
{
	if (offset > CLUSTER_SKEW_MAX || offset < -CLUSTER_SKEW_MAX)
		cli_warn("%s: node %s: clock off by %+" PRId64 " s from the "
		    "database's (more than %d s): its clock moves nothing, "
		    "fix it (NTP)", what, node, offset, CLUSTER_SKEW_MAX);
}

int
cluster_refresh(struct cli *c, const char *users_text, uint64_t local,
    const char *lic_id, uint32_t lic_users, int have_lic, uint64_t *count,
    int64_t *over_since, int64_t *high_water, int64_t *now,
    int64_t *offset_out, struct bmsub_strlist *rcpt)
{
	const char *node = cluster_node(c);
	const char *p[5];
	char s_now[32], s_local[32], s_off[32], s_since[32], s_h[32];
	int64_t offset, t, o, h, cnt, late;
	PGresult *res = NULL;
	PGconn *db;
	int r = EXIT_NO;

	if ((db = db_connect(c, "refresh")) == NULL)
		return EXIT_NO;
	if (db_exec(db, "refresh", "BEGIN") != 0 ||
	    db_now(c, db, "refresh", &t, &offset) != 0)
		goto out;
	tell_skew("refresh", node, offset);
	snprintf(s_now, sizeof(s_now), "%" PRId64, t);
	snprintf(s_local, sizeof(s_local), "%" PRIu64, local);
	snprintf(s_off, sizeof(s_off), "%" PRId64, offset);
	p[0] = node;
	p[1] = s_now;
	p[2] = s_local;
	p[3] = s_off;
	p[4] = have_lic ? lic_id : NULL;
	if ((res = query(db, "refresh", "INSERT INTO bmsub_nodes (node, "
	    "last_seen, users, clock_offset, license_id) VALUES ($1, $2, $3, "
	    "$4, $5) ON CONFLICT (node) DO UPDATE SET last_seen = greatest("
	    "bmsub_nodes.last_seen, EXCLUDED.last_seen), users = "
	    "EXCLUDED.users, clock_offset = EXCLUDED.clock_offset, "
	    "license_id = EXCLUDED.license_id", 5, p)) == NULL)
		goto out;
	PQclear(res);
	if (store_logins(db, "refresh", node, users_text) != 0)
		goto out;
	/* the shared row, locked: refreshes of the platform in turn */
	if ((res = query(db, "refresh", "SELECT over_since, high_water FROM "
	    "bmsub_shared WHERE id = 1 FOR UPDATE", 0, NULL)) == NULL)
		goto out;
	if (PQntuples(res) != 1 || get_i64(res, 0, 0, &o) != 0 ||
	    get_i64(res, 0, 1, &h) != 0) {
		cli_warn("refresh: database: no shared state (bmsub-check "
		    "cluster init)");
		goto out;
	}
	PQclear(res);
	snprintf(s_since, sizeof(s_since), "%" PRId64, t -
	    (int64_t)c->cfg->cluster_node_timeout_hours * 3600);
	p[1] = s_since;
	/* the late nodes' logins left out; with none late (the usual
	 * case) the count skips the join, a quarter of its time */
	if ((res = query(db, "refresh", "SELECT count(*) FROM bmsub_nodes "
	    "WHERE last_seen < $2::bigint AND node <> $1", 2, p)) == NULL ||
	    get_i64(res, 0, 0, &late) != 0)
		goto out;
	PQclear(res);
	if ((res = late == 0 ? query(db, "refresh", "SELECT count(DISTINCT "
	    "login) FROM bmsub_logins", 0, NULL) : query(db, "refresh",
	    "SELECT count(DISTINCT l.login) FROM bmsub_logins l JOIN "
	    "bmsub_nodes n USING (node) WHERE n.last_seen >= $2::bigint OR "
	    "n.node = $1", 2, p)) == NULL || get_i64(res, 0, 0, &cnt) != 0)
		goto out;
	PQclear(res);
	res = NULL;
	/* O: started at the first time C > N, kept while so, ended at
	 * C <= N; H: the highest database time seen */
	if (have_lic && (uint64_t)cnt > lic_users) {
		if (o == BMSUB_TIME_NONE || o > t)
			o = t;
	} else if (have_lic)
		o = BMSUB_TIME_NONE;
	if (h == BMSUB_TIME_NONE || h < t)
		h = t;
	snprintf(s_since, sizeof(s_since), "%" PRId64, o);
	snprintf(s_h, sizeof(s_h), "%" PRId64, h);
	p[0] = o == BMSUB_TIME_NONE ? NULL : s_since;
	p[1] = s_h;
	if ((res = query(db, "refresh", "UPDATE bmsub_shared SET over_since "
	    "= $1, high_water = $2 WHERE id = 1", 2, p)) == NULL)
		goto out;
	PQclear(res);
	res = NULL;
	/* the shared recipients, for the local mirror */
	if ((res = query(db, "refresh", "SELECT address FROM bmsub_recipients "
	    "ORDER BY address", 0, NULL)) == NULL)
		goto out;
	if (PQntuples(res) > 0 && (rcpt->v = calloc((size_t)PQntuples(res),
	    sizeof(char *))) == NULL)
		goto out;
	for (rcpt->n = 0; rcpt->n < (size_t)PQntuples(res); rcpt->n++)
		if ((rcpt->v[rcpt->n] = strdup(PQgetvalue(res,
		    (int)rcpt->n, 0))) == NULL)
			goto out;
	PQclear(res);
	res = NULL;
	if (db_exec(db, "refresh", "COMMIT") != 0)
		goto out;
	*count = (uint64_t)cnt;
	*over_since = o;
	*high_water = h;
	*now = t;
	*offset_out = offset;
	r = 0;
 out:
	PQclear(res);
	PQfinish(db);
	return r;
}

static int
cluster_init(struct cli *c)
{
	PGconn *db;
	int from = 0, to = 0, r = EXIT_NO;

	if ((db = db_connect(c, "cluster init")) == NULL)
		return EXIT_NO;
	if (db_migrate(db, "cluster init", &from, &to) == 0) {
		if (from == to)
			printf("schema at version %d, nothing to do\n", to);
		else
			printf("schema upgraded from version %d to %d\n",
			    from, to);
		r = EXIT_OK;
	}
	/* a server that ran alone brings its recipients: from then on the
	 * database's list is every node's (refresh copies it, empty too) */
	if (r == EXIT_OK) {
		struct bmsub_strlist l = { NULL, 0 };
		struct bmsub_error e;
		PGresult *res;
		size_t i;
		unsigned added = 0;

		if (bmsub_recipients_load(c->cfg->state_dir, &l, &e) != 0)
			cli_warn("cluster init: local recipients not read: %s",
			    e.msg);
		for (i = 0; i < l.n && r == EXIT_OK; i++) {
			const char *p[1] = { l.v[i] };

			if ((res = query(db, "cluster init",
			    RCPT_INSERT, 1, p)) == NULL)
				r = EXIT_NO;
			else if (strcmp(PQcmdTuples(res), "1") == 0)
				added++;
			PQclear(res);
		}
		if (added > 0)
			printf("published %u local recipient%s\n", added,
			    cli_s(added));
		bmsub_strlist_free(&l);
	}
	PQfinish(db);
	return r;
}

static int
cluster_status(struct cli *c)
{
	char d[BMSUB_TIME_STR_MAX], d2[BMSUB_TIME_STR_MAX];
	int64_t t, offset, seen, users, off;
	int64_t timeout = (int64_t)c->cfg->cluster_node_timeout_hours * 3600;
	PGresult *res = NULL;
	PGconn *db;
	int i, n, r = EXIT_NO, bad = 0;
	struct json j;

	if ((db = db_connect(c, "cluster status")) == NULL)
		return EXIT_NO;
	if (db_now(c, db, "cluster status", &t, &offset) != 0 ||
	    (res = query(db, "cluster status", "SELECT node, last_seen, users, "
	    "clock_offset, license_id FROM bmsub_nodes ORDER BY node", 0,
	    NULL)) == NULL)
		goto out;
	tell_skew("cluster status", cluster_node(c), offset);
	if (offset > CLUSTER_SKEW_MAX || offset < -CLUSTER_SKEW_MAX)
		bad = 1;
	n = PQntuples(res);
	if (c->json) {
		json_begin(&j, stdout);
		json_time(&j, "at", t);
		json_key_arr(&j, "nodes");
	}
	for (i = 0; i < n; i++) {
		const char *node = PQgetvalue(res, i, 0);
		const char *lid = PQgetisnull(res, i, 4) ? NULL :
		    PQgetvalue(res, i, 4);
		int late, skew;

		if (get_i64(res, i, 1, &seen) != 0 ||
		    get_i64(res, i, 2, &users) != 0 ||
		    get_i64(res, i, 3, &off) != 0)
			continue;
		late = t - seen > timeout;
		skew = off > CLUSTER_SKEW_MAX || off < -CLUSTER_SKEW_MAX;
		bad |= late | skew;
		if (c->json) {
			json_obj(&j);
			json_str(&j, "node", node);
			json_time(&j, "last_refresh", seen);
			json_uint(&j, "users", (uint64_t)users);
			json_str(&j, "license_id", lid);
			json_int(&j, "clock_offset", off);
			json_bool(&j, "late", late);
			json_bool(&j, "clock_skewed", skew);
			json_close_obj(&j);
			continue;
		}
		printf("%-20s last refresh %s, %" PRId64 " user%s, license %s, "
		    "clock %+" PRId64 " s", node, bmsub_time_str(seen,
		    BMSUB_TS_ISO, "-", d, sizeof(d)), users,
		    cli_s((uint64_t)users), lid != NULL ? lid : "none", off);
		if (late)
			printf("; LATE: left out of the count since %s (%d h "
			    "without a refresh)", bmsub_time_str(seen + timeout,
			    BMSUB_TS_ISO, "-", d2, sizeof(d2)),
			    c->cfg->cluster_node_timeout_hours);
		if (skew)
			printf("; CLOCK SKEWED: off by more than %d s, fix it "
			    "(NTP)", CLUSTER_SKEW_MAX);
		printf("\n");
	}
	if (c->json) {
		json_close_arr(&j);
		json_end(&j);
	}
	r = bad ? EXIT_NO : EXIT_OK;
 out:
	PQclear(res);
	PQfinish(db);
	return r;
}

int
cmd_cluster(struct cli *c, int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "init") != 0 &&
	    strcmp(argv[1], "status") != 0))
		return cli_usage("cluster: init or status expected");
	if (!cluster_enabled(c)) {
		cli_warn("cluster: not in cluster mode (no cluster.database "
		    "in %s)", c->conf_path);
		return EXIT_NO;
	}
	if (strcmp(argv[1], "init") == 0)
		return cluster_init(c);
	return cluster_status(c);
}

/* ------------------------------------------------------------------ */
/* The alert ledger: exactly one email per due alert for the platform. */

int
cluster_ledger_pull(PGconn *db, struct bmsub_state *st)
{
	PGresult *res;
	int64_t at, have;
	int i, r = 0;

	if ((res = query(db, "notify", "SELECT key, sent_at FROM bmsub_alerts "
	    "WHERE sent_at IS NOT NULL", 0, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		const char *key = PQgetvalue(res, i, 0);

		if (get_i64(res, i, 1, &at) != 0 ||
		    strlen(key) >= BMSUB_ALERT_KEY_MAX)
			continue;
		if (bmsub_state_sent_get(st, key, &have) == 0 && have >= at)
			continue;
		if (bmsub_state_sent_set(st, key, at) != 0)
			r = -1;
	}
	PQclear(res);
	return r;
}

int
cluster_ledger_claim(PGconn *db, const char *key, const char *claimer,
    int64_t now, int64_t last_sent, int lease)
{
	char s_now[32], s_until[32], s_last[32];
	const char *p[5];
	PGresult *res;
	int r;

	snprintf(s_now, sizeof(s_now), "%" PRId64, now);
	snprintf(s_until, sizeof(s_until), "%" PRId64, now + lease);
	snprintf(s_last, sizeof(s_last), "%" PRId64, last_sent);
	p[0] = key;
	p[1] = claimer;
	p[2] = s_now;
	p[3] = s_until;
	p[4] = last_sent == BMSUB_TIME_NONE ? NULL : s_last;
	/* one statement: the row lock orders concurrent claims, the loser
	 * sees the winner's lease and gets no row */
	res = query(db, "notify", "INSERT INTO bmsub_alerts (key, claimed_by, "
	    "lease_until) VALUES ($1, $2, $4::bigint) ON CONFLICT (key) DO "
	    "UPDATE SET claimed_by = $2, lease_until = $4::bigint WHERE "
	    "coalesce(bmsub_alerts.sent_at, -1) <= coalesce($5::bigint, -1) "
	    "AND coalesce(bmsub_alerts.lease_until, 0) <= $3::bigint "
	    "RETURNING key", 5, p);
	if (res == NULL)
		return -1;
	r = PQntuples(res) == 1;
	PQclear(res);
	return r;
}

int
cluster_ledger_sent(PGconn *db, const char *key, const char *claimer,
    int64_t sent_at)
{
	char s_at[32];
	const char *p[3];
	PGresult *res;

	snprintf(s_at, sizeof(s_at), "%" PRId64, sent_at);
	p[0] = key;
	p[1] = claimer;
	p[2] = s_at;
	if ((res = query(db, "notify", "UPDATE bmsub_alerts SET sent_at = "
	    "$3::bigint, claimed_by = NULL, lease_until = NULL WHERE key = $1 "
	    "AND claimed_by = $2", 3, p)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

int
cluster_prune(PGconn *db, const char *lic_id, int64_t over_since,
    int64_t now)
{
	char s_old[32], s_now[32], s_o[32];
	const char *p[4];
	PGresult *res;

	snprintf(s_now, sizeof(s_now), "%" PRId64, now);
	snprintf(s_old, sizeof(s_old), "%" PRId64, now -
	    (int64_t)BMSUB_ALERT_KEEP_DAYS * 86400);
	snprintf(s_o, sizeof(s_o), "%" PRId64, over_since);
	p[0] = s_now;
	p[1] = s_old;
	p[2] = lic_id;
	p[3] = over_since == BMSUB_TIME_NONE ? NULL : s_o;
	/* the key's suffix is the license id or the episode's O (schedule.c
	 * bm_sched_key); a live lease or a sending in the future (a clock
	 * set back) is kept */
	if ((res = query(db, "notify", "DELETE FROM bmsub_alerts WHERE "
	    "coalesce(lease_until, 0) <= $1::bigint AND "
	    "coalesce(greatest(sent_at, lease_until), 0) < $2::bigint AND "
	    "($3::text IS NULL OR right(key, length($3::text) + 1) <> "
	    "':' || $3::text) AND ($4::text IS NULL OR "
	    "right(key, length($4::text) + 1) <> ':' || $4::text)", 4,
	    p)) == NULL)
		return -1;
	PQclear(res);
	/* only the newest license is ever taken */
	if ((res = query(db, "notify", "DELETE FROM bmsub_license WHERE id < "
	    "(SELECT max(id) FROM bmsub_license) AND published < $1::bigint",
	    1, p + 1)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The license: published by install, taken by every refresh. */

int
cluster_license_publish(struct cli *c, const char *text, size_t len)
{
	char s_now[32];
	const char *p[3];
	int64_t t, offset;
	PGresult *res = NULL;
	PGconn *db;
	char *copy;
	int r = EXIT_NO;

	if ((copy = strndup(text, len)) == NULL)
		return EXIT_NO;
	if ((db = db_connect(c, "install")) == NULL)
		goto out;
	if (db_now(c, db, "install", &t, &offset) != 0)
		goto out;
	snprintf(s_now, sizeof(s_now), "%" PRId64, t);
	p[0] = copy;
	p[1] = cluster_node(c);
	p[2] = s_now;
	if ((res = query(db, "install", "INSERT INTO bmsub_license (text, "
	    "node, published) VALUES ($1, $2, $3::bigint)", 3, p)) == NULL)
		goto out;
	if (!c->json)
		printf("published in the cluster database: the other nodes "
		    "take it at their next refresh\n");
	r = 0;
 out:
	PQclear(res);
	PQfinish(db);
	free(copy);
	return r;
}

/* The local license file's bytes equal text. */
static int
same_as_local(const char *path, const char *text, size_t len)
{
	char buf[65536 + 1];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return n == len && memcmp(buf, text, len) == 0;
}

int
cluster_license_pull(struct cli *c)
{
	struct bmsub_install res;
	struct bmsub_error err;
	PGresult *res_q = NULL;
	PGconn *db;
	const char *text;
	size_t len;
	int r = EXIT_NO, ir;

	if ((db = db_connect(c, "refresh")) == NULL)
		return EXIT_NO;
	if ((res_q = query(db, "refresh", "SELECT text FROM bmsub_license "
	    "ORDER BY id DESC LIMIT 1", 0, NULL)) == NULL)
		goto out;
	r = 0;
	if (PQntuples(res_q) != 1)
		goto out;	/* nothing published yet */
	text = PQgetvalue(res_q, 0, 0);
	len = strlen(text);
	if (same_as_local(c->cfg->license, text, len))
		goto out;
	memset(&err, 0, sizeof(err));
	memset(&res, 0, sizeof(res));
	ir = bmsub_ctx_license_install(c->ctx, NULL, text, len, c->now,
	    BMSUB_INSTALL_FORCE, &res, &err);
	if (!res.verified || ir != 0 || !res.installed) {
		cli_warn("refresh: the license published in the database is "
		    "refused (%s): %s kept", err.msg[0] != '\0' ? err.msg :
		    bmsub_err_token(ir), c->cfg->license);
		r = -2;
		goto out;
	}
	if (!c->json)
		printf("took license %s from the cluster database\n",
		    res.lic.id);
 out:
	PQclear(res_q);
	PQfinish(db);
	return r;
}

int
cluster_recipient_change(struct cli *c, int add, const char *addr)
{
	const char *what = add ? "recipients add" : "recipients remove";
	const char *p[1];
	PGresult *res;
	PGconn *db;
	int r = -1;

	if ((db = db_connect(c, what)) == NULL)
		return -1;
	p[0] = addr;
	res = query(db, what, add ? RCPT_INSERT : "DELETE FROM "
	    "bmsub_recipients WHERE " RCPT_SAME, 1, p);
	if (res != NULL)
		r = strcmp(PQcmdTuples(res), "0") != 0;
	PQclear(res);
	PQfinish(db);
	return r;
}

int
cluster_clock_reset(struct cli *c)
{
	PGconn *db;
	int r;

	if ((db = db_connect(c, "clock reset")) == NULL)
		return -1;
	r = db_exec(db, "clock reset", "UPDATE bmsub_shared SET high_water = "
	    "NULL WHERE id = 1");
	PQfinish(db);
	return r;
}
