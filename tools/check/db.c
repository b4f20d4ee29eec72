/* SPDX-License-Identifier: GPL-2.0-or-later */
/* db.c - the libpq link of bmsub-check's writers (SPEC 8): connect, the
 * database's clock, the versioned schema. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cluster.h"

int
cluster_enabled(const struct cli *c)
{
	return c->cfg != NULL && c->cfg->cluster_database != NULL;
}

const char *
cluster_node(const struct cli *c)
{
	return cluster_node_of(c->cfg);
}

const char *
cluster_node_of(const struct bmsub_config *cfg)
{
	static char host[256];

	if (cfg->cluster_node != NULL)
		return cfg->cluster_node;
	if (host[0] == '\0') {
		if (gethostname(host, sizeof(host)) != 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
	}
	return host;
}

/* A password inside the conninfo is refused unless the configuration is
 * readable by its owner alone (SPEC 8). */
static int
password_check(struct cli *c, const char *what)
{
	PQconninfoOption *opts, *o;
	char *msg = NULL;
	struct stat sb;
	int has = 0;

	if ((opts = PQconninfoParse(c->cfg->cluster_database, &msg)) == NULL) {
		cli_warn("%s: cluster.database: %s", what, msg != NULL ?
		    msg : "cannot be parsed");
		PQfreemem(msg);
		return -1;
	}
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL &&
		    o->val[0] != '\0')
			has = 1;
	PQconninfoFree(opts);
	if (!has)
		return 0;
	if (stat(c->conf_path, &sb) != 0 || (sb.st_mode & 077) != 0 ||
	    sb.st_uid != 0) {
		cli_warn("%s: cluster.database holds a password but %s is "
		    "readable by others than root: use a passfile (PGPASSFILE) "
		    "or make it root's, mode 0600", what, c->conf_path);
		return -1;
	}
	return 0;
}

PGconn *
db_connect(struct cli *c, const char *what)
{
	PGconn *db;
	char *nl;

	if (password_check(c, what) != 0)
		return NULL;
	db = PQconnectdb(c->cfg->cluster_database);
	if (db == NULL || PQstatus(db) != CONNECTION_OK) {
		const char *m = db != NULL ? PQerrorMessage(db) : "out of memory";
		char buf[512];

		snprintf(buf, sizeof(buf), "%s", m);
		while ((nl = strchr(buf, '\n')) != NULL)
			*nl = nl[1] != '\0' ? ' ' : '\0';
		cli_warn("%s: database unreachable: %s", what, buf);
		PQfinish(db);
		return NULL;
	}
	/* quiet notices (CREATE ... IF NOT EXISTS) */
	PQsetNoticeProcessor(db, NULL, NULL);
	PQclear(PQexec(db, "SET client_min_messages = warning"));
	return db;
}

static void
tell(const char *what, PGconn *db, PGresult *res)
{
	const char *m = res != NULL ? PQresultErrorMessage(res) :
	    PQerrorMessage(db);
	char buf[512], *nl;

	snprintf(buf, sizeof(buf), "%s", m != NULL && m[0] != '\0' ? m :
	    PQerrorMessage(db));
	while ((nl = strchr(buf, '\n')) != NULL)
		*nl = nl[1] != '\0' ? ' ' : '\0';
	cli_warn("%s: database: %s", what, buf);
}

int
db_exec(PGconn *db, const char *what, const char *sql)
{
	PGresult *res = PQexec(db, sql);
	int r = 0;

	if (res == NULL || (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)) {
		tell(what, db, res);
		r = -1;
	}
	PQclear(res);
	return r;
}

int
db_now(struct cli *c, PGconn *db, const char *what, int64_t *now,
    int64_t *offset)
{
	PGresult *res;
	char *end;
	long long t;
	int bad;

	res = PQexec(db, "SELECT floor(extract(epoch FROM clock_timestamp()))::bigint");
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK ||
	    PQntuples(res) != 1) {
		tell(what, db, res);
		PQclear(res);
		return -1;
	}
	t = strtoll(PQgetvalue(res, 0, 0), &end, 10);
	bad = *end != '\0';	/* end points into res */
	PQclear(res);
	if (bad) {
		cli_warn("%s: database: bad time", what);
		return -1;
	}
	*offset = (int64_t)time(NULL) - t;
	*now = c->at_given ? c->now : (int64_t)t;
	return 0;
}

/* Migrations, in order: migration i brings the schema to version i + 1.
 * Each runs in the transaction that records it. */
static const char *const migrations[] = {
	/* 1 */
	"CREATE TABLE bmsub_license (id bigserial PRIMARY KEY,"
	"  text text NOT NULL, node text NOT NULL,"
	"  published bigint NOT NULL);"
	"CREATE TABLE bmsub_nodes (node text PRIMARY KEY,"
	"  last_seen bigint NOT NULL, users bigint NOT NULL,"
	"  clock_offset bigint NOT NULL, license_id text);"
	"CREATE TABLE bmsub_logins (node text NOT NULL REFERENCES"
	"  bmsub_nodes ON DELETE CASCADE, login text NOT NULL,"
	"  PRIMARY KEY (node, login));"
	"CREATE INDEX bmsub_logins_login ON bmsub_logins (login);"
	"CREATE TABLE bmsub_shared (id int PRIMARY KEY CHECK (id = 1),"
	"  over_since bigint, high_water bigint);"
	"INSERT INTO bmsub_shared VALUES (1, NULL, NULL);"
	"CREATE TABLE bmsub_recipients (address text PRIMARY KEY);"
	"CREATE TABLE bmsub_alerts (key text PRIMARY KEY,"
	"  claimed_by text, lease_until bigint, sent_at bigint);",
	/* 2: logins compared byte for byte (the count's DISTINCT and the
	 * set diff's lookups skip the locale's strcoll), and no index on
	 * login alone (no query uses it): a third fewer bytes a row */
	"DROP INDEX IF EXISTS bmsub_logins_login;"
	"ALTER TABLE bmsub_logins ALTER COLUMN login TYPE text COLLATE \"C\";",
};
#define N_MIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

int
db_migrate(PGconn *db, const char *what, int *from, int *to)
{
	PGresult *res;
	size_t i;
	int v = 0;

	if (db_exec(db, what, "BEGIN") != 0)
		return -1;
	/* one migrator at a time */
	if (db_exec(db, what, "SELECT pg_advisory_xact_lock(7201)") != 0 ||
	    db_exec(db, what, "CREATE TABLE IF NOT EXISTS bmsub_schema_version"
	    " (version int PRIMARY KEY, applied timestamptz NOT NULL"
	    " DEFAULT now())") != 0)
		goto fail;
	res = PQexec(db, "SELECT coalesce(max(version), 0) FROM "
	    "bmsub_schema_version");
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
		tell(what, db, res);
		PQclear(res);
		goto fail;
	}
	v = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	*from = v;
	if (v > (int)N_MIGRATIONS) {
		cli_warn("%s: database schema version %d is newer than this "
		    "bmsub-check's %zu", what, v, N_MIGRATIONS);
		goto fail;
	}
	for (i = (size_t)v; i < N_MIGRATIONS; i++) {
		char sql[96];

		snprintf(sql, sizeof(sql), "INSERT INTO bmsub_schema_version "
		    "(version) VALUES (%zu)", i + 1);
		if (db_exec(db, what, migrations[i]) != 0 ||
		    db_exec(db, what, sql) != 0)
			goto fail;
	}
	*to = (int)N_MIGRATIONS;
	return db_exec(db, what, "COMMIT");
 fail:
	PQclear(PQexec(db, "ROLLBACK"));
	return -1;
}
