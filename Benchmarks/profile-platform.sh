#!/usr/bin/env bash
# A perf profile of one gateway binary on the demo data under a platform workload:
#   Benchmarks/profile-platform.sh BIN overview|appends OUT.data [seconds=10]
# `overview` is platform-cpu.sh's TenantOverview (tenant acme, 50 connections), `appends` is
# appends.sh's (100 events per request as literals, a fresh stream each, tenant globex). Starts
# PostgreSQL and Redis, migrates and seeds with BIN (demo-gateway.sh), 3 s of warm-up, then
# `perf record -g` on the gateway for the given seconds while wrk keeps the load on. Read it with
# `perf report -i OUT.data --no-children --sort symbol`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ $# -ge 3 ] || { sed -n '3p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
abs() { local d; d="$(cd "$(dirname "$1")" && pwd)" && echo "$d/$(basename "$1")"; }
old_bin="$(abs "$1")"; new_bin="$old_bin"; workload="$2"; out="$(abs "$3")"; duration="${4:-10}"
command -v perf >/dev/null || { echo "perf is needed (linux-perf)" >&2; exit 1; }
. Benchmarks/demo-gateway.sh
case "$workload" in
overview) write_overview_lua "$tmp/load.lua" ;;
appends) write_append_lua "$tmp/load.lua" literals ;;
*) sed -n '3p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
start_gateway "$old_bin"
wrk -t2 -c50 -d3s -s "$tmp/load.lua" http://127.0.0.1:4400/graphql -- warm > /dev/null
wrk -t2 -c50 -d"$((duration + 4))s" --latency -s "$tmp/load.lua" http://127.0.0.1:4400/graphql -- run > "$tmp/wrk.out" &
load=$!
sleep 2
perf record -F 499 -g -p "$gw" -o "$out" -- sleep "$duration" > /dev/null 2>&1
wait "$load"
grep -E "Requests/sec|Latency|Non-2xx|appends not answered" "$tmp/wrk.out"
stop_gateway
