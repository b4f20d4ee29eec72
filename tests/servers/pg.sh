# SPDX-License-Identifier: GPL-2.0-or-later
# pg.sh - sourced by the cluster tests after tests/lib.sh and common.sh: a
# private PostgreSQL 15, initdb and postgres as the postgres user
# (PostgreSQL refuses to run as root) in $T/pg, a Unix socket there and
# 127.0.0.1 on a free port, stopped by PID at exit. Sets PGBIN, PORT,
# PGPID and DB (the conninfo of the bmsub role, trusted); psqlq SQL runs
# one query (unaligned, tuples only).
#
#   pg_need    skips (77) without PostgreSQL 15, root, the postgres user
#   pg_init    initdb, then pg_start; the stop registered with at_exit
#   pg_start   postgres started again on the same folder and port
#   pg_stop    stopped (TERM, by PID)
PGBIN=/usr/lib/postgresql/15/bin

pg_need() {
	[ -x "$PGBIN/postgres" ] || skip "PostgreSQL 15 missing (tools/deps.sh check)"
	is_root || skip "needs root (postgres runs as the postgres user)"
	id postgres >/dev/null 2>&1 || skip "no postgres user"
	command -v setpriv >/dev/null || skip "setpriv missing"
}

pg_start() {
	setpriv --reuid=postgres --regid=postgres --init-groups -- "$PGBIN/postgres" -D "$T/pg/data" -k "$T/pg" -h 127.0.0.1 \
		-p "$PORT" -F -c fsync=off >>"$T/pg/log" 2>&1 &
	PGPID=$!
	srv_wait_port "$PORT" || { cat "$T/pg/log"; fail "postgres start"; done_checks; }
	i=0
	while [ ! -S "$T/pg/.s.PGSQL.$PORT" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

pg_stop() { srv_stop "$PGPID"; }

pg_init() {
	chmod 711 "$T"
	mkdir -p "$T/pg"
	chown postgres: "$T/pg"
	setpriv --reuid=postgres --regid=postgres --init-groups -- "$PGBIN/initdb" -D "$T/pg/data" -U bmsub -A trust --no-sync \
		>"$T/pg/initdb.log" 2>&1 || { cat "$T/pg/initdb.log"; fail "initdb"; done_checks; }
	PORT=$(srv_port)
	pg_start
	at_exit 'pg_stop'
	DB="host=$T/pg port=$PORT dbname=postgres user=bmsub"
}

psqlq() { "$PGBIN/psql" -X -A -t -q "$DB" -c "$1"; }
