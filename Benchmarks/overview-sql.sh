#!/usr/bin/env bash
# TenantOverview's own SQL with no gateway at all: what issue 16's ratio would read if the gateway cost
# nothing. Runs, on the demo data migrated and seeded by BIN (Benchmarks/demo-gateway.sh):
#   Benchmarks/overview-sql.sh BIN [seconds=10] [connections=50]
# 1. `pgbench -S` (simple, then prepared): the ceiling issue 16 divides by;
# 2. `pgbench -f` with the ten statements the gateway sends for one TenantOverview of tenant acme, the same
#    texts and values (Benchmarks/lib/overview-sql.sh), as role switchyard_app, prepared: one statement at
#    a time, and all ten in one pipeline;
# 3. the ratio `transactions/s × 9 ÷ pgbench -S simple TPS` of each (9: the statements as pg_stat_statements
#    counts them, as gateway-bench.sh does for the gateway — BEGIN is not counted): the figure a gateway with no CPU of
#    its own, sending exactly TenantOverview's statements, would reach on this machine now.
# pgbench is the client here as wrk is for the gateway (the same connections, 2 threads).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ $# -ge 1 ] || { sed -n '4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
abs() { local d; d="$(cd "$(dirname "$1")" && pwd)" && echo "$d/$(basename "$1")"; }
old_bin="$(abs "$1")"; new_bin="$old_bin"
duration="${2:-10}"; conns="${3:-50}"
command -v pgbench >/dev/null || { echo "pgbench is needed (postgresql-contrib)" >&2; exit 1; }
. Benchmarks/demo-gateway.sh
admin="${SWITCHYARD_POSTGRES_ADMIN_URL%/postgres}"

. Benchmarks/lib/overview-sql.sh
write_overview_sql "$bench_admin_url" "$tmp/overview.sql"
write_overview_sql "$bench_admin_url" "$tmp/overview-pipelined.sql" pipelined
# Each statement answers as the gateway's did (an error would end pgbench's client).
psql -X -q -v ON_ERROR_STOP=1 "$SWITCHYARD_POSTGRES_URL" -f "$tmp/overview.sql" > /dev/null

psql -X -q "$SWITCHYARD_POSTGRES_ADMIN_URL" -tA -c "SELECT 1 FROM pg_database WHERE datname = 'pgbench'" | grep -q 1 ||
  { psql -X -q "$SWITCHYARD_POSTGRES_ADMIN_URL" -c "CREATE DATABASE pgbench" && pgbench -q -i -s 10 "$admin/pgbench" >/dev/null 2>&1; }
tps() { awk '/^tps/ {print $3; exit}'; }
s_simple=$(pgbench -S -n -c "$conns" -j 2 -T "$duration" -M simple "$admin/pgbench" 2>/dev/null | tps)
s_prepared=$(pgbench -S -n -c "$conns" -j 2 -T "$duration" -M prepared "$admin/pgbench" 2>/dev/null | tps)
o_one=$(pgbench -n -c "$conns" -j 2 -T "$duration" -M prepared -f "$tmp/overview.sql" "$SWITCHYARD_POSTGRES_URL" 2>/dev/null | tps)
o_pipe=$(pgbench -n -c "$conns" -j 2 -T "$duration" -M prepared -f "$tmp/overview-pipelined.sql" "$SWITCHYARD_POSTGRES_URL" 2>/dev/null | tps)
s_after=$(pgbench -S -n -c "$conns" -j 2 -T "$duration" -M simple "$admin/pgbench" 2>/dev/null | tps)
awk -v a="$s_simple" -v b="$s_prepared" -v c="$s_after" -v o="$o_one" -v p="$o_pipe" -v n="$conns" 'BEGIN {
  t = (a + c) / 2
  printf "- pgbench -S (%d connections): %.0f TPS simple before, %.0f after (mean %.0f), %.0f prepared\n", n, a, c, t, b
  printf "- TenantOverview SQL by pgbench, prepared, a statement at a time: %.0f per second → ratio %.2f\n", o, o * 9 / t
  printf "- TenantOverview SQL by pgbench, prepared, one pipeline: %.0f per second → ratio %.2f\n", p, p * 9 / t }'
