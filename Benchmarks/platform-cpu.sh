#!/usr/bin/env bash
# Two gateway binaries side by side on TenantOverview over the five in-process platform subgraphs:
# the gateway's CPU per request (utime+stime from /proc/PID/stat over the load), PostgreSQL's
# (all its processes, same way), requests/s, p50, p99 and memory (RssAnon / RssFile) after the load.
#   Benchmarks/platform-cpu.sh OLD_BIN NEW_BIN [seconds=15] [rounds=3] [connections=50]
# Each round runs OLD then NEW (the machine's speed drifts between minutes: compare within a round
# and the medians, never single figures). PostgreSQL and Redis from scripts/services; the demo
# data from OLD_BIN's `db migrate` and `db seed`, tenant quotas raised so that rate limiting stays
# in the path without limiting. Each run: start the gateway with the repository's gateway.yaml on
# :4400, 3 s of warm-up, then wrk -t2 for the given seconds; stop it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ $# -ge 2 ] || { sed -n '5p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
abs() { local d; d="$(cd "$(dirname "$1")" && pwd)" && echo "$d/$(basename "$1")"; }
old_bin="$(abs "$1")"; new_bin="$(abs "$2")"
duration="${3:-15}"; rounds="${4:-3}"; conns="${5:-50}"
threads=2; [ "$conns" -lt 2 ] && threads=1
. Benchmarks/demo-gateway.sh
write_overview_lua "$tmp/overview.lua"

run() { # label bin
  start_gateway "$2"
  wrk -t$threads -c"$conns" -d3s -s "$tmp/overview.lua" http://127.0.0.1:4400/graphql >/dev/null
  local c0 c1 p0 p1 n
  c0=$(ticks "$gw"); p0=$(pg_ticks)
  wrk -t$threads -c"$conns" -d"${duration}s" --latency -s "$tmp/overview.lua" http://127.0.0.1:4400/graphql > "$tmp/wrk.out"
  c1=$(ticks "$gw"); p1=$(pg_ticks)
  n=$(awk '/requests in/ {print $1}' "$tmp/wrk.out")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$round" "$1" \
    "$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.out")" \
    "$(awk '$1=="50%" {print $2}' "$tmp/wrk.out")" "$(awk '$1=="99%" {print $2}' "$tmp/wrk.out")" \
    "$(( (c1 - c0) * 1000000 / hz / n ))" "$(( (p1 - p0) * 1000000 / hz / n ))" \
    "$(awk '/RssAnon/ {a=$2} /RssFile/ {f=$2} END {printf "%.1f / %.1f", a/1024, f/1024}' "/proc/$gw/status")" | tee -a "$tmp/rows"
  stop_gateway
}

echo "| round | binary | requests/s | p50 | p99 | gateway CPU µs/request | PostgreSQL CPU µs/request | RSS anonymous / file-backed MB |"
echo "|---|---|--:|--:|--:|--:|--:|---|"
for round in $(seq 1 "$rounds"); do
  run OLD "$old_bin"
  run NEW "$new_bin"
done
for label in OLD NEW; do
  median=$(awk -F'|' -v l=" $label " '$3 == l {print $7 + 0}' "$tmp/rows" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
  pg=$(awk -F'|' -v l=" $label " '$3 == l {print $8 + 0}' "$tmp/rows" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
  echo "- median CPU per request, $label: gateway $median µs, PostgreSQL $pg µs"
done
