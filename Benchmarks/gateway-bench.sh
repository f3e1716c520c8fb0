#!/usr/bin/env bash
# Gateway benchmarks on loopback (release build, wrk at 50 connections).
#   Benchmarks/gateway-bench.sh [seconds] [all|federation|platform]   (from the repository root or anywhere)
# SWITCHYARD_BIN=path runs that binary instead of building this checkout (an older build, side by side).
# 1. The federation benchmark workload (../shared/bench/guild-federation): Apollo's supergraph,
#    our four subgraphs as separate processes; the answer is checked against the expected response.
# 2. TenantOverview over the five in-process platform subgraphs on PostgreSQL and Redis.
# 3. Event appends, 100 events per request.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
duration="${1:-20}"
part="${2:-all}" # all | federation | platform
bench="$root/../shared/bench/guild-federation"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
scripts/services up >/dev/null
eval "$(scripts/services env)"
if [ -n "${SWITCHYARD_BIN:-}" ]; then
  bin="$SWITCHYARD_BIN"
else
  swift build -c release --product switchyard >/dev/null
  bin="$(swift build -c release --show-bin-path)/switchyard"
fi
tmp="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
peak_rss_mb() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
# Resident memory split: anonymous (heap, stacks: what the gateway allocates) and file-backed
# (the mapped binary and libraries, shared with any other process mapping them).
rss_split() { awk '/RssAnon/ {a = $2} /RssFile/ {f = $2} /RssShmem/ {s = $2} END {printf "%.1f MB (anonymous %.1f, file-backed %.1f, shared memory %.1f)", (a + f + s) / 1024, a / 1024, f / 1024, s / 1024}' "/proc/$1/status"; }
wait_ready() { for _ in $(seq 1 300); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.05; done; echo "not ready: $1" >&2; exit 1; }

run_wrk() { # url lua-script -> sets REQS RPS P50 P99
  local out
  out=$(wrk -t2 -c50 -d"${duration}s" --latency -s "$2" "$1")
  REQS=$(echo "$out" | awk '/requests in/ {print $1}')
  RPS=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  P50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  P99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  NON2XX=$(echo "$out" | awk '/Non-2xx/ {print $4}')
  UNANSWERED=$(echo "$out" | awk '/appends not answered/ {print $NF}')
}

lua_post() { # body-file headers... -> lua file
  local f="$tmp/$(basename "$1").lua"
  { echo 'wrk.method = "POST"'
    echo 'wrk.headers["Content-Type"] = "application/json"'
    shift_headers="${2:-}"
    [ -n "$shift_headers" ] && echo "wrk.headers[\"X-Tenant\"] = \"$shift_headers\""
    printf 'wrk.body = [==[%s]==]\n' "$(cat "$1")"
  } > "$f"
  echo "$f"
}

if [ "$part" = all ] || [ "$part" = federation ]; then
echo "## Federation benchmark workload ($duration s, 50 connections)"
port=4201
subs=""
for s in accounts inventory products reviews; do
  "$bin" subgraph "bench_$s" --listen "127.0.0.1:$port" 2>/dev/null &
  pids+=($!); subs+=" $!"
  echo "  - { name: $s, url: \"http://127.0.0.1:$port/graphql\" }" >> "$tmp/subgraphs.yaml"
  port=$((port + 1))
done
cat > "$tmp/bench.yaml" <<YAML
listen: "127.0.0.1:4300"
supergraph: $bench/supergraph.graphql
introspection: false
subgraphs:
$(cat "$tmp/subgraphs.yaml")
YAML
for p in 4201 4202 4203 4204; do wait_ready "http://127.0.0.1:$p/health"; done
start=$(date +%s%N)
"$bin" serve --config "$tmp/bench.yaml" 2>/dev/null &
gw=$!; pids+=($gw)
wait_ready "http://127.0.0.1:4300/ready"
echo "- cold start to ready: $(( ($(date +%s%N) - start) / 1000000 )) ms"
curl -s http://127.0.0.1:4300/graphql -H 'content-type: application/json' --data @"$bench/request-body.json" > "$tmp/answer.json"
python3 -c "import json,sys; a=json.load(open('$tmp/answer.json')); e=json.load(open('$bench/expected-response.json')); sys.exit(0 if a==e else 1)" \
  && echo "- answer equals expected-response.json" || { echo "- ANSWER DIFFERS from expected-response.json"; exit 1; }
lua=$(lua_post "$bench/request-body.json")
g0=$(cpu_ticks $gw); s0=0; for p in $subs; do s0=$((s0 + $(cpu_ticks $p))); done
run_wrk http://127.0.0.1:4300/graphql "$lua"
g1=$(cpu_ticks $gw); s1=0; for p in $subs; do s1=$((s1 + $(cpu_ticks $p))); done
echo "- $RPS requests/s, p50 $P50, p99 $P99 (${REQS} requests${NON2XX:+, $NON2XX non-2xx})"
awk -v g=$((g1 - g0)) -v s=$((s1 - s0)) -v n="$REQS" -v t="$ticks" 'BEGIN {
  printf "- gateway CPU %.0f µs/request; subgraphs %.0f µs/request (%.0f%% of all CPU)\n", g / t / n * 1e6, s / t / n * 1e6, 100 * s / (g + s) }'
echo "- gateway RSS: peak $(peak_rss_mb $gw) MB, after load $(rss_mb $gw) MB"
kill $gw; for p in $subs; do kill $p; done
fi

[ "$part" = all ] || [ "$part" = platform ] || exit 0
echo
echo "## TenantOverview over the five platform subgraphs ($duration s, 50 connections)"
# A database of the benchmarks' own made afresh from the demo data (as Benchmarks/demo-gateway.sh
# does), so that the figures do not depend on what earlier runs appended.
bench_url="${SWITCHYARD_POSTGRES_ADMIN_URL%/postgres}/switchyard_bench"
export SWITCHYARD_POSTGRES_URL="${SWITCHYARD_POSTGRES_URL%/*}/switchyard_bench"
export SWITCHYARD_POSTGRES_OWNER_URL="${SWITCHYARD_POSTGRES_OWNER_URL%/*}/switchyard_bench"
psql -X -q "$SWITCHYARD_POSTGRES_ADMIN_URL" -c "DROP DATABASE IF EXISTS switchyard_bench WITH (FORCE)" \
  -c "CREATE DATABASE switchyard_bench OWNER switchyard_owner" >/dev/null
"$bin" db migrate >/dev/null && "$bin" db seed >/dev/null
# Rate limiting stays in the request path, with quotas the load does not reach.
psql -X -q "$bench_url" -c "UPDATE tenants SET requests_per_minute = 100000000" >/dev/null
psql -X -q "$bench_url" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
# The ceiling: PostgreSQL's own select-only benchmark on the same server, just before the load
# (its own database; simple and prepared protocol; same connections and threads as wrk), and the
# simple one again right after it: this machine's speed drifts within minutes, so the ratio below
# is taken against the mean of the two.
admin="${SWITCHYARD_POSTGRES_ADMIN_URL%/postgres}"
psql -X -q "$SWITCHYARD_POSTGRES_ADMIN_URL" -tA -c "SELECT 1 FROM pg_database WHERE datname = 'pgbench'" | grep -q 1 ||
  { psql -X -q "$SWITCHYARD_POSTGRES_ADMIN_URL" -c "CREATE DATABASE pgbench" && pgbench -q -i -s 10 "$admin/pgbench" >/dev/null 2>&1; }
pg_simple=$(pgbench -S -n -c 50 -j 2 -T "$duration" -M simple "$admin/pgbench" 2>/dev/null | awk '/^tps/ {print $3; exit}')
pg_prepared=$(pgbench -S -n -c 50 -j 2 -T "$duration" -M prepared "$admin/pgbench" 2>/dev/null | awk '/^tps/ {print $3; exit}')
echo "- pgbench -S on the same server: ${pg_simple%.*} TPS simple, ${pg_prepared%.*} TPS prepared"
sed 's/127.0.0.1:4000/127.0.0.1:4400/' gateway.yaml > "$tmp/demo.yaml"
start=$(date +%s%N)
"$bin" serve --config "$tmp/demo.yaml" 2>/dev/null &
gw=$!; pids+=($gw)
wait_ready "http://127.0.0.1:4400/ready"
echo "- cold start to ready: $(( ($(date +%s%N) - start) / 1000000 )) ms; idle RSS $(rss_split $gw)"
python3 - "$tmp/overview.json" <<'PY'
import json, sys
q = """query TenantOverview($slug: String!) { tenant(slug: $slug) { name plan quotas { maxAgents requestsPerMinute }
  usage { activeAgents eventsLast24h } agents(first: 20) { name status stats { tasksCompleted tasksFailed }
  history(last: 5) { type version occurredAt } } dataProducts(first: 10) { name domain qualityLevel lineage { name } } } }"""
json.dump({"query": q, "variables": {"slug": "acme"}}, open(sys.argv[1], "w"))
PY
curl -s http://127.0.0.1:4400/graphql -H 'content-type: application/json' -H 'x-tenant: acme' --data @"$tmp/overview.json" | python3 -c "import json,sys; d=json.load(sys.stdin); assert 'errors' not in d and len(d['data']['tenant']['agents'])==20, d"
psql -X -q "$bench_url" -c "SELECT pg_stat_statements_reset()" >/dev/null
lua=$(lua_post "$tmp/overview.json" acme)
run_wrk http://127.0.0.1:4400/graphql "$lua"
pg_after=$(pgbench -S -n -c 50 -j 2 -T "$duration" -M simple "$admin/pgbench" 2>/dev/null | awk '/^tps/ {print $3; exit}')
stmts=$(psql -X -tA "$bench_url" -c "SELECT sum(calls) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT ILIKE '%pg_stat_statements%'")
echo "- $RPS requests/s, p50 $P50, p99 $P99 (${REQS} requests${NON2XX:+, $NON2XX non-2xx})"
awk -v s="$stmts" -v n="$REQS" -v r="$RPS" -v t0="$pg_simple" -v t1="$pg_after" 'BEGIN {
  t = (t0 + t1) / 2
  printf "- SQL statements per request: %.1f (set_config and COMMIT included; pg_stat_statements does not count the prepared BEGIN); pgbench -S simple right after the load %.0f TPS\n", s / n, t1
  printf "- requests/s × statements ÷ pgbench simple TPS (mean of before and after, %.0f) = %.2f\n", t, r * s / n / t }'
echo "- gateway RSS under load: peak $(peak_rss_mb $gw) MB; right after the load $(rss_split $gw)"
# The same statements with no gateway: pgbench sends TenantOverview's SQL (Benchmarks/lib/overview-sql.sh)
# on as many connections, prepared and pipelined as the gateway sends it — the ratio a gateway costing
# no CPU would reach in this run.
. "$root/Benchmarks/lib/overview-sql.sh"
write_overview_sql "$bench_url" "$tmp/overview-pipelined.sql" pipelined
sql_tps=$(pgbench -n -c 50 -j 2 -T "$duration" -M prepared -f "$tmp/overview-pipelined.sql" "$SWITCHYARD_POSTGRES_URL" 2>/dev/null | awk '/^tps/ {print $3; exit}')
awk -v o="$sql_tps" -v t0="$pg_simple" -v t1="$pg_after" 'BEGIN {
  printf "- without a gateway (pgbench sending the same ten statements, pipelined): %.0f TenantOverviews/s, ratio %.2f (9 statements, counted as above: BEGIN is not)\n", o, o * 9 / ((t0 + t1) / 2) }'

echo
echo "## Event appends (100 events per request, 50 connections, $duration s)"
# The appends' wrk script of the side-by-side benchmarks (a stream name per run, thread and
# request; every answer checked).
. "$root/Benchmarks/lib/append-lua.sh"
write_append_lua "$tmp/append.lua" literals
curl -s http://127.0.0.1:4400/graphql -H 'content-type: application/json' -H 'x-tenant: globex' \
  -d '{"query":"mutation { appendEvents(streamId: \"bench-check-'"$(date +%s%N)"'\", expectedVersion: 0, events: [{type: \"Bench\"}]) { toVersion } }"}' | grep -q '"toVersion":1'
run_wrk http://127.0.0.1:4400/graphql "$tmp/append.lua"
[ "${UNANSWERED:-0}" = 0 ] || echo "- WARNING: $UNANSWERED appends did not append (not a new version 100): the rate below is not of appends"
awk -v r="$RPS" 'BEGIN { printf "- %.0f appends/s = %.0f events/s", r, r * 100 }'; echo ", p50 $P50, p99 $P99${NON2XX:+ ($NON2XX non-2xx)}"
