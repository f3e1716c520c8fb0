# Sourced by the side-by-side benchmarks on the demo data (platform-cpu.sh, query-cpu.sh, appends.sh,
# profile-platform.sh), from the repository's root with OLD_BIN and NEW_BIN as "$old_bin" and "$new_bin": checks them,
# starts PostgreSQL and Redis (scripts/services), migrates and seeds the demo data with OLD_BIN into a
# fresh database of the benchmarks' own (`fresh_database`, below),
# raises the tenants' quotas so that rate limiting stays in the path without limiting, and writes
# the repository's gateway.yaml on :4400 to "$tmp/demo.yaml". `start_gateway BIN` serves it
# (its pid in "$gw") once ready; the gateway and "$tmp" go when the script exits.
for b in "$old_bin" "$new_bin"; do [ -x "$b" ] || { echo "not an executable: $b" >&2; exit 2; }; done
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
scripts/services up >/dev/null
eval "$(scripts/services env)"
tmp="$(mktemp -d)"
gw=""
cleanup() { [ -n "$gw" ] && kill "$gw" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

# The benchmarks run on a database of their own, `switchyard_bench`, made afresh from the demo data
# (`fresh_database`, which the scripts call again before each run whose result the data's size would
# move, such as appends): a figure then does not depend on how many runs came before it (the demo
# database of `scripts/services` keeps what every earlier run appended — millions of events after a
# few sessions — and inserts into its indexes cost more as they grow).
bench_db=switchyard_bench
bench_admin_url="${SWITCHYARD_POSTGRES_ADMIN_URL%/postgres}/$bench_db"
export SWITCHYARD_POSTGRES_URL="${SWITCHYARD_POSTGRES_URL%/*}/$bench_db"
export SWITCHYARD_POSTGRES_OWNER_URL="${SWITCHYARD_POSTGRES_OWNER_URL%/*}/$bench_db"
# `fresh_database [BIN] [SCHEMA_DIR]` migrates with BIN (default OLD_BIN) from SCHEMA_DIR (default
# Schema/postgres): a run of an older build on the schema of its own commit passes that commit's
# folder (`git archive COMMIT Schema/postgres | tar -x -C DIR`), so that a change made in the
# schema is measured on its side only.
fresh_database() {
  local bin="${1:-$old_bin}" schema="${2:-Schema/postgres}"
  psql -X -q "$SWITCHYARD_POSTGRES_ADMIN_URL" -c "DROP DATABASE IF EXISTS $bench_db WITH (FORCE)" \
    -c "CREATE DATABASE $bench_db OWNER switchyard_owner" >/dev/null
  "$bin" db migrate --migrations "$schema" >/dev/null && "$bin" db seed >/dev/null
  psql -X -q "$bench_admin_url" -c "UPDATE tenants SET requests_per_minute = 100000000" >/dev/null
}
fresh_database
sed 's/127.0.0.1:4000/127.0.0.1:4400/' gateway.yaml > "$tmp/demo.yaml"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# PostgreSQL's CPU: the processes of this cluster (its postmaster and children; the pool's
# backends live through a run, a process that ends between the two samples is not counted).
pg_ticks() {
  local t=0 p x pm
  pm=$(head -1 "$SWITCHYARD_PG_DATA/postmaster.pid")
  for p in "$pm" $(pgrep -P "$pm"); do x=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null); t=$(( t + ${x:-0} )); done
  echo "$t"
}
hz=$(getconf CLK_TCK)

start_gateway() { # bin
  while ss -ltn | grep -q ":4400 "; do sleep 0.2; done
  "$1" serve --config "$tmp/demo.yaml" > "$tmp/gw.log" 2>&1 &
  gw=$!
  for _ in $(seq 1 300); do curl -sf http://127.0.0.1:4400/ready >/dev/null && break; sleep 0.1; done
  curl -sf http://127.0.0.1:4400/ready >/dev/null || { echo "$1 did not become ready:" >&2; tail -5 "$tmp/gw.log" >&2; exit 1; }
}

stop_gateway() { kill "$gw"; wait "$gw" 2>/dev/null || true; gw=""; }

# The platform workloads' wrk scripts: `write_overview_lua FILE` (TenantOverview of tenant acme,
# what platform-cpu.sh measures) and `write_append_lua FILE literals|variables` (appendEvents of
# 100 events on a fresh stream per request, tenant globex: what appends.sh measures; a stream
# name per run, thread and request, and every answer checked — see the function).
write_overview_lua() {
  cat > "$1" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Tenant"] = "acme"
wrk.body = [==[{"query": "query TenantOverview($slug: String!) { tenant(slug: $slug) { name plan quotas { maxAgents requestsPerMinute }\n  usage { activeAgents eventsLast24h } agents(first: 20) { name status stats { tasksCompleted tasksFailed }\n  history(last: 5) { type version occurredAt } } dataProducts(first: 10) { name domain qualityLevel lineage { name } } } }", "variables": {"slug": "acme"}}]==]
LUA
}
. "$(dirname "${BASH_SOURCE[0]}")/lib/append-lua.sh"
