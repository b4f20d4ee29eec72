#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_cluster.sh - make bench-cluster: cluster mode (SPEC 8) at scale
# against one PostgreSQL 15 started here as in tests/sh/cluster.sh.
# BMSUB_BENCH_NODES nodes (default 20) of BMSUB_BENCH_LOGINS logins each
# (default 50000), neighbours sharing 10% (the last tenth of node i is the
# first tenth of node i+1). Prints: one node's refresh (median of 5, its
# set unchanged and with 1% of it replaced), a whole round of every node,
# the count, the database's size per table and bytes per login row.
# Not a timed test: the figures go to the README.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/servers/common.sh"

[ -x "$B/bmsub-check" ] || skip "no $B/bmsub-check"
PGBIN=/usr/lib/postgresql/15/bin
[ -x "$PGBIN/postgres" ] || skip "PostgreSQL 15 missing (tools/deps.sh check)"
is_root || skip "needs root (postgres runs as the postgres user)"
id postgres >/dev/null 2>&1 || skip "no postgres user"
NODES=${BMSUB_BENCH_NODES:-20}
LOGINS=${BMSUB_BENCH_LOGINS:-50000}
STEP=$((LOGINS - LOGINS / 10))
ONE=$((NODES / 2))	# the node measured alone

chmod 711 "$T"
mkdir -p "$T/pg"
chown postgres: "$T/pg"
asPG() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }
asPG "$PGBIN/initdb" -D "$T/pg/data" -U bmsub -A trust --no-sync \
	>"$T/pg/initdb.log" 2>&1 || { cat "$T/pg/initdb.log"; exit 1; }
PORT=$(srv_port)
# fsync on (unlike the tests): the figures are those of a real database
# pg_stat_statements: where a refresh spends its time, server side
asPG "$PGBIN/postgres" -D "$T/pg/data" -k "$T/pg" -h 127.0.0.1 -p "$PORT" \
	-c shared_preload_libraries=pg_stat_statements >>"$T/pg/log" 2>&1 &
PGPID=$!
at_exit 'asPG "$PGBIN/pg_ctl" -D "$T/pg/data" -m fast -w stop >/dev/null 2>&1 || srv_stop $PGPID'
srv_wait_port "$PORT" || { cat "$T/pg/log"; exit 1; }
i=0
while [ ! -S "$T/pg/.s.PGSQL.$PORT" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
DB="host=$T/pg port=$PORT dbname=postgres user=bmsub"
psqlq() { "$PGBIN/psql" -X -A -t -q "$DB" -c "$1"; }

make_license "$T/lic" id=BM-BENCH kind=prod issued=2026-01-01 \
	expires=2030-01-01 users=2000000
# node I: logins u<I*STEP> .. u<I*STEP + LOGINS - 1>
node() {
	d=$T/n$1
	mkdir -p "$d/etc/keys.d" "$d/state"
	chmod 755 "$d" "$d/etc" "$d/etc/keys.d" "$d/state"
	cp "$TOP/tests/data/keys/vendor1.pub" "$d/etc/keys.d/vendor1.pem"
	cp "$T/lic" "$d/etc/license"
	seq -f 'u%.0f' $(($1 * STEP)) $(($1 * STEP + LOGINS - 1)) >"$d/roster"
	chmod 644 "$d/etc/keys.d/vendor1.pem" "$d/etc/license" "$d/roster"
	cat >"$d/etc/bmsub.conf" <<EOC
license = "$d/etc/license";
keys_dir = "$d/etc/keys.d";
state_dir = "$d/state";
users = { roster = "$d/roster"; };
cluster = { database = "$DB"; node = "n$1"; };
EOC
	chmod 644 "$d/etc/bmsub.conf"
}
ck() { "$B/bmsub-check" -c "$T/n$1/etc/bmsub.conf" refresh >"$T/out" 2>&1 ||
	{ cat "$T/out"; exit 1; }; }
# ms: milliseconds since the epoch
ms() { date +%s%3N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

i=0
while [ $i -lt "$NODES" ]; do node $i; i=$((i + 1)); done
"$B/bmsub-check" -c "$T/n0/etc/bmsub.conf" cluster init >/dev/null ||
	exit 1
psqlq "CREATE EXTENSION pg_stat_statements" || exit 1
want=$(( (NODES - 1) * STEP + LOGINS ))
echo "bench-cluster: $NODES nodes x $LOGINS logins, 10% shared with the next node: $want distinct"

# round: every node once, in turn; prints the milliseconds
round() {
	t0=$(ms)
	i=0
	while [ $i -lt "$NODES" ]; do ck $i; i=$((i + 1)); done
	echo $(( $(ms) - t0 ))
}
first=$(round)
got=$(sed -n 's/^\([0-9]*\) users counted.*/\1/p' "$T/out")
[ "$got" = "$want" ] || { echo "count $got, want $want"; cat "$T/out"; exit 1; }
again=$(round)
echo "first round (every set new):       $first ms ($((first / NODES)) ms a node)"
echo "round of $NODES, sets unchanged:        $again ms"

# one node: its set unchanged, then 1% of it replaced each time
psqlq "SELECT pg_stat_statements_reset()" >/dev/null
k=0
: >"$T/same"
while [ $k -lt 5 ]; do t0=$(ms); ck $ONE; echo $(( $(ms) - t0 )) >>"$T/same"; k=$((k + 1)); done
: >"$T/churn"
k=0
while [ $k -lt 5 ]; do
	seq -f 'v%.0f' $((k * LOGINS / 100)) $(( (k + 1) * LOGINS / 100 - 1)) >"$T/new"
	tail -n +$((LOGINS / 100 + 1)) "$T/n$ONE/roster" | cat - "$T/new" >"$T/r"
	cp "$T/r" "$T/n$ONE/roster"
	t0=$(ms); ck $ONE; echo $(( $(ms) - t0 )) >>"$T/churn"; k=$((k + 1))
done
echo "one node's refresh, set unchanged: $(median <"$T/same") ms (median of 5: $(tr '\n' ' ' <"$T/same"))"
echo "one node's refresh, 1% replaced:   $(median <"$T/churn") ms (median of 5: $(tr '\n' ' ' <"$T/churn"))"
echo "  server side, mean ms a call over those 10 refreshes (> 1 ms):"
# by text: a statement on the temporary table is a new entry each time
psqlq "SELECT round((sum(total_exec_time) / sum(calls))::numeric, 1), left(regexp_replace(query, '\\s+', ' ', 'g'), 66) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%' GROUP BY query HAVING sum(calls) >= 10 AND sum(total_exec_time) / sum(calls) > ${BMSUB_BENCH_MIN_MS:-1} ORDER BY sum(total_exec_time) DESC" |
	awk -F'|' '{ printf "  %8s  %s\n", $1, $2 }'
# the share of it that is bmsub-check's own work (roster, mirror), no database
sed -i '/^cluster/d' "$T/n$ONE/etc/bmsub.conf"
: >"$T/local"
k=0
while [ $k -lt 5 ]; do t0=$(ms); ck $ONE; echo $(( $(ms) - t0 )) >>"$T/local"; k=$((k + 1)); done
echo "the same refresh without cluster:  $(median <"$T/local") ms (roster and local files only)"

psqlq "VACUUM ANALYZE" >/dev/null
rows=$(psqlq "SELECT count(*) FROM bmsub_logins")
echo "database: $(psqlq "SELECT pg_size_pretty(pg_database_size(current_database()))") ($(psqlq "SELECT pg_database_size(current_database())") bytes), $rows login rows"
psqlq "SELECT relname, pg_size_pretty(pg_table_size(c.oid)), pg_size_pretty(pg_indexes_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY pg_total_relation_size(c.oid) DESC" |
	awk -F'|' '{ printf "  %-22s table %-8s indexes %s\n", $1, $2, $3 }'
echo "bytes per login row (table + indexes): $(psqlq "SELECT pg_total_relation_size('bmsub_logins') / greatest(count(*), 1) FROM bmsub_logins")"
