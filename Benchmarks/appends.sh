#!/usr/bin/env bash
# Two gateway binaries side by side on event appends (`appendEvents`, 100 events per request, a
# fresh stream each, tenant globex) over the demo data:
#   Benchmarks/appends.sh OLD_BIN NEW_BIN [seconds=8] [rounds=4] [literals|variables] [connections=50]
# OLD_SCHEMA=DIR / NEW_SCHEMA=DIR: each binary's runs on the migrations of its own commit (default
# Schema/postgres for both; an older commit's: `git archive COMMIT Schema/postgres | tar -x -C DIR`).
# `literals` sends the events inside the document (a new document per request, as
# gateway-bench.sh does); `variables` sends one document with the stream id and the events as
# variables (what a client library sends). Every run starts on a fresh database holding the demo
# data only (`fresh_database`, Benchmarks/demo-gateway.sh: appends slow down as the events table
# grows); rounds alternate the order (OLD NEW, then NEW OLD). Per run: appends/s, p50, p99, the gateway's and
# PostgreSQL's CPU per append (utime+stime from /proc/PID/stat over the load, PostgreSQL's summed
# over its processes). Ends with the medians per binary.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ $# -ge 2 ] || { sed -n '4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
abs() { local d; d="$(cd "$(dirname "$1")" && pwd)" && echo "$d/$(basename "$1")"; }
old_bin="$(abs "$1")"; new_bin="$(abs "$2")"
duration="${3:-8}"; rounds="${4:-4}"; form="${5:-literals}"; conns="${6:-50}"
[ "$form" = literals ] || [ "$form" = variables ] || { sed -n '4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
threads=2; [ "$conns" -lt 2 ] && threads=1
old_schema="${OLD_SCHEMA:-Schema/postgres}"; new_schema="${NEW_SCHEMA:-Schema/postgres}"
. Benchmarks/demo-gateway.sh

write_append_lua "$tmp/append.lua" "$form"

run() { # label bin schema
  fresh_database "$2" "$3"
  start_gateway "$2"
  # An append in the same form must answer its version (a wrong body would measure errors).
  local one
  if [ "$form" = literals ]; then
    one='{"query":"mutation { appendEvents(streamId: \"bench-check-'"$round$1"'-'"$$"'\", expectedVersion: 0, events: [{type: \"Bench\", data: \"{\\\"i\\\": 1}\"}]) { toVersion } }"}'
  else
    one='{"query":"mutation Append($s: String!, $e: [NewEvent!]!) { appendEvents(streamId: $s, expectedVersion: 0, events: $e) { toVersion } }","variables":{"s":"bench-check-'"$round$1"'-'"$$"'","e":[{"type":"Bench","data":"{\"i\": 1}"}]}}'
  fi
  curl -s http://127.0.0.1:4400/graphql -H 'content-type: application/json' -H 'X-Tenant: globex' -d "$one" | grep -q '"toVersion":1' \
    || { echo "$1: a check append did not answer toVersion 1" >&2; exit 1; }
  wrk -t$threads -c"$conns" -d3s -s "$tmp/append.lua" http://127.0.0.1:4400/graphql -- "warm$round$1" >/dev/null
  local c0 c1 p0 p1 n
  c0=$(ticks "$gw"); p0=$(pg_ticks)
  wrk -t$threads -c"$conns" -d"${duration}s" --latency -s "$tmp/append.lua" http://127.0.0.1:4400/graphql -- "run$round$1" > "$tmp/wrk.out"
  c1=$(ticks "$gw"); p1=$(pg_ticks)
  n=$(awk '/requests in/ {print $1}' "$tmp/wrk.out")
  grep -qE "Non-2xx|Socket errors" "$tmp/wrk.out" && { echo "$1: some appends answered non-2xx or failed on the socket" >&2; cat "$tmp/wrk.out" >&2; exit 1; }
  # Every append must have written its 100 events (an error answer would measure errors).
  grep -q "appends not answered toVersion 100: 0$" "$tmp/wrk.out" || { echo "$1: some appends did not append" >&2; cat "$tmp/wrk.out" >&2; exit 1; }
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$round" "$1" \
    "$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.out")" \
    "$(awk '$1=="50%" {print $2}' "$tmp/wrk.out")" "$(awk '$1=="99%" {print $2}' "$tmp/wrk.out")" \
    "$(( (c1 - c0) * 1000000 / hz / n ))" "$(( (p1 - p0) * 1000000 / hz / n ))" | tee -a "$tmp/rows"
  stop_gateway
}

echo "| round | binary | appends/s ($form) | p50 | p99 | gateway CPU µs/append | PostgreSQL CPU µs/append |"
echo "|---|---|--:|--:|--:|--:|--:|"
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) = 1 ]; then run OLD "$old_bin" "$old_schema"; run NEW "$new_bin" "$new_schema"
  else run NEW "$new_bin" "$new_schema"; run OLD "$old_bin" "$old_schema"; fi
done
for label in OLD NEW; do
  cpu=$(awk -F'|' -v l=" $label " '$3 == l {print $7 + 0}' "$tmp/rows" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
  rate=$(awk -F'|' -v l=" $label " '$3 == l {print $4 + 0}' "$tmp/rows" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
  pg=$(awk -F'|' -v l=" $label " '$3 == l {print $8 + 0}' "$tmp/rows" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
  echo "- medians, $label: $rate appends/s, gateway $cpu µs, PostgreSQL $pg µs per append"
done
