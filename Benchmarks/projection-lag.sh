#!/usr/bin/env bash
# Two gateway binaries side by side on projection lag under appends (issue 16, item 6):
#   Benchmarks/projection-lag.sh OLD_BIN NEW_BIN [seconds=15] [rounds=2] [appenders=20]
# Each round runs OLD then NEW, then the next round NEW then OLD (the events table grows while
# appends run, and appends slow down as it does). Each run: a gateway with the repository's
# gateway.yaml on :4400 over the demo data, then `projection-lag.py` (appenders in a process of
# their own, one probe appending one event at a time and polling until every projection has it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ $# -ge 2 ] || { sed -n '3p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
abs() { local d; d="$(cd "$(dirname "$1")" && pwd)" && echo "$d/$(basename "$1")"; }
old_bin="$(abs "$1")"; new_bin="$(abs "$2")"
duration="${3:-15}"; rounds="${4:-2}"; appenders="${5:-20}"
python3 -c 'import httpx' 2>/dev/null || { echo "httpx is needed: pip install httpx" >&2; exit 1; }
. Benchmarks/demo-gateway.sh

run() { # label bin
  start_gateway "$2"
  echo "$1 ($2), round $round:"
  python3 Benchmarks/projection-lag.py http://127.0.0.1:4400/graphql --seconds "$duration" --appenders "$appenders"
  stop_gateway
}

for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then run OLD "$old_bin"; run NEW "$new_bin"; else run NEW "$new_bin"; run OLD "$old_bin"; fi
done
