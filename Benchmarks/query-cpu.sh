#!/usr/bin/env bash
# Gateway CPU per request of the pieces of TenantOverview, one query at a time, for two binaries
# side by side: `{ __typename }` (the HTTP and pipeline's fixed cost), the tenant alone, then the
# tenant with one more field or list each (usage, agents, their stats, their history, data
# products, their lineage), so that each piece's cost reads as a difference.
#   Benchmarks/query-cpu.sh OLD_BIN NEW_BIN [seconds=6] [rounds=2]
# Each query runs on OLD then NEW (wrk -t1 -c8: few connections, so that the figure is the work of
# a request, not queueing); CPU is utime+stime from /proc/PID/stat over the run. PostgreSQL and
# Redis from scripts/services, the demo data from OLD_BIN's `db migrate` and `db seed`, tenant
# quotas raised so that rate limiting stays in the path without limiting; the gateway runs the
# repository's gateway.yaml on :4400.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ $# -ge 2 ] || { sed -n '6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
abs() { local d; d="$(cd "$(dirname "$1")" && pwd)" && echo "$d/$(basename "$1")"; }
old_bin="$(abs "$1")"; new_bin="$(abs "$2")"
duration="${3:-6}"; rounds="${4:-2}"
. Benchmarks/demo-gateway.sh

queries=(typename tenant usage agents stats history products lineage)
python3 - "$tmp" <<'PY'
import json, sys
tenant = "query($slug:String!){ tenant(slug:$slug){ name plan %s } }"
qs = {
    "typename": "{ __typename }",
    "tenant": tenant % "",
    "usage": tenant % "usage { activeAgents eventsLast24h }",
    "agents": tenant % "agents(first:20){ name status }",
    "stats": tenant % "agents(first:20){ name status stats { tasksCompleted tasksFailed } }",
    "history": tenant % "agents(first:20){ name status history(last:5){ type version occurredAt } }",
    "products": tenant % "dataProducts(first:10){ name domain qualityLevel }",
    "lineage": tenant % "dataProducts(first:10){ name domain qualityLevel lineage { name } }",
}
for name, q in qs.items():
    body = json.dumps({"query": q, "variables": {"slug": "acme"}})
    with open(f"{sys.argv[1]}/{name}.lua", "w") as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                'wrk.headers["X-Tenant"] = "acme"\nwrk.body = [==[' + body + ']==]\n')
PY

measure() { # query -> µs per request
  wrk -t1 -c8 -d1s -s "$tmp/$1.lua" http://127.0.0.1:4400/graphql >/dev/null
  local c0 c1 n
  c0=$(ticks "$gw")
  wrk -t1 -c8 -d"${duration}s" -s "$tmp/$1.lua" http://127.0.0.1:4400/graphql > "$tmp/wrk.out"
  c1=$(ticks "$gw")
  n=$(awk '/requests in/ {print $1}' "$tmp/wrk.out")
  echo $(( (c1 - c0) * 1000000 / hz / n ))
}

echo "| round | query | OLD µs/request | NEW µs/request | OLD/NEW |"
echo "|---|---|--:|--:|--:|"
for round in $(seq 1 "$rounds"); do
  declare -A old=() new=()
  start_gateway "$old_bin"; for q in "${queries[@]}"; do old[$q]=$(measure "$q"); done; stop_gateway
  start_gateway "$new_bin"; for q in "${queries[@]}"; do new[$q]=$(measure "$q"); done; stop_gateway
  for q in "${queries[@]}"; do
    printf '| %s | %s | %s | %s | %s |\n' "$round" "$q" "${old[$q]}" "${new[$q]}" "$(awk -v a="${old[$q]}" -v b="${new[$q]}" 'BEGIN {printf "%.2f", a / b}')"
  done
done
