#!/usr/bin/env bash
# TenantOverview at 50 connections with the PostgreSQL pool at several sizes, one binary.
#   Benchmarks/pool-size.sh BIN [sizes=20,10,8] [seconds=10] [rounds=3]
# Each round runs every size once (the gateway.yaml of the repository with postgres.max_connections
# set): 3 s of warm-up, then wrk -t2 -c50 for the given seconds. Reports requests/s, p50, p99,
# p99 − p50 and gateway CPU µs per request (utime+stime from /proc/PID/stat). PostgreSQL, Redis
# and the demo data as for platform-cpu.sh (Benchmarks/demo-gateway.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ $# -ge 1 ] || { sed -n '3p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
abs() { local d; d="$(cd "$(dirname "$1")" && pwd)" && echo "$d/$(basename "$1")"; }
old_bin="$(abs "$1")"; new_bin="$old_bin"
IFS=, read -r -a sizes <<< "${2:-20,10,8}"
duration="${3:-10}"; rounds="${4:-3}"
. Benchmarks/demo-gateway.sh
python3 - "$tmp/overview.lua" <<'PY'
import json, sys
q = ("query TenantOverview($slug: String!) { tenant(slug: $slug) { name plan quotas { maxAgents requestsPerMinute } "
     "usage { activeAgents eventsLast24h } agents(first: 20) { name status stats { tasksCompleted tasksFailed } "
     "history(last: 5) { type version occurredAt } } dataProducts(first: 10) { name domain qualityLevel lineage { name } } } }")
with open(sys.argv[1], "w") as f:
    f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["X-Tenant"] = "acme"\n'
            'wrk.body = [==[' + json.dumps({"query": q, "variables": {"slug": "acme"}}) + ']==]\n')
PY
cp "$tmp/demo.yaml" "$tmp/base.yaml"
ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }; printf "%.1f", v }'; }
echo "| round | max_connections | requests/s | p50 ms | p99 ms | p99 − p50 ms | gateway CPU µs/request |"
echo "|--:|--:|--:|--:|--:|--:|--:|"
for r in $(seq 1 "$rounds"); do
  for n in "${sizes[@]}"; do
    grep -v '^  max_connections:' "$tmp/base.yaml" | sed "s/^postgres:/postgres:\n  max_connections: $n/" > "$tmp/demo.yaml"
    start_gateway "$old_bin"
    wrk -t2 -c50 -d3s -s "$tmp/overview.lua" http://127.0.0.1:4400/graphql > /dev/null
    t0=$(ticks "$gw")
    wrk -t2 -c50 -d"${duration}s" --latency -s "$tmp/overview.lua" http://127.0.0.1:4400/graphql > "$tmp/wrk.out"
    t1=$(ticks "$gw")
    stop_gateway
    rps=$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.out")
    p50=$(awk '$1 == "50%" {print $2}' "$tmp/wrk.out" | ms); p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk.out" | ms)
    awk -v r="$r" -v n="$n" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v t="$((t1 - t0))" -v hz="$hz" -v d="$duration" \
      'BEGIN { printf "| %d | %d | %.1f | %.1f | %.1f | %.1f | %.0f |\n", r, n, rps, p50, p99, p99 - p50, t / hz * 1e6 / (rps * d) }'
  done
done
