#!/usr/bin/env bash
# Two gateway binaries side by side on the federation benchmark workload (loopback, wrk at 50 connections).
#   Benchmarks/compare-gateways.sh OLD_BIN NEW_BIN [seconds=20] [rounds=3] [subgraphs=swift|python]
# The four subgraphs start once: NEW_BIN's `subgraph bench_NAME` (swift), or the memoising
# graphql-core ones in Benchmarks/python-subgraphs (python: a repeated request costs them only
# the HTTP handling). Each round runs OLD then NEW: start the gateway, wait for /ready, check the
# answer equals expected-response.json, wrk for the given seconds, check the answer again, stop it.
# Recorded per run: requests/s, p50, p99, gateway CPU µs per request (utime+stime from
# /proc/PID/stat), peak RSS (VmHWM). Ends with a markdown table, the medians per binary, and the
# ratios OLD/NEW of CPU per request and NEW/OLD of requests/s.
# Environment: COMPARE_PORT_BASE (default 4800; subgraphs on +1..+4, gateways from +10, a fresh
# port per run so that no run meets the previous one's TIME_WAIT sockets), WRK_THREADS (2),
# WRK_CONNECTIONS (50), BENCH_DIR (default ../shared/bench/guild-federation from the repository),
# OLD_YAML / NEW_YAML (lines added to that binary's gateway.yaml, e.g. a `tracing:` section).
set -euo pipefail
usage() { sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 2 ] || usage
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
abs() { local d; d="$(cd "$(dirname "$1")" && pwd)" && echo "$d/$(basename "$1")"; }
old_bin="$(abs "$1")"; new_bin="$(abs "$2")"
duration="${3:-20}"; rounds="${4:-3}"; kind="${5:-swift}"
for b in "$old_bin" "$new_bin"; do [ -x "$b" ] || { echo "not an executable: $b" >&2; exit 2; }; done
[[ "$duration" =~ ^[0-9]+$ && "$rounds" =~ ^[0-9]+$ && "$rounds" -ge 1 ]] || usage
[ "$kind" = swift ] || [ "$kind" = python ] || usage
bench="${BENCH_DIR:-$root/../shared/bench/guild-federation}"
bench="$(cd "$bench" && pwd)"
pysubs="$root/Benchmarks/python-subgraphs/bench_subgraphs.py"
base="${COMPARE_PORT_BASE:-4800}"
threads="${WRK_THREADS:-2}"; conns="${WRK_CONNECTIONS:-50}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }
if [ "$kind" = python ]; then
  python3 -c 'import graphql' 2>/dev/null || { echo "graphql-core is needed: pip install graphql-core" >&2; exit 1; }
fi

tmp="$(mktemp -d)"
pids=()
cleanup() {
  local p
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
peak_rss_mb() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_ready() { # url pid log
  for _ in $(seq 1 600); do
    curl -sf "$1" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "process $2 exited before $1 was ready; its log:" >&2; tail -20 "$3" >&2; exit 1; }
    sleep 0.05
  done
  echo "not ready after 30 s: $1; log:" >&2; tail -20 "$3" >&2; exit 1
}
check_answer() { # url what log
  curl -s "$1" -H 'content-type: application/json' --data-binary @"$bench/request-body.json" > "$tmp/answer.json" || true
  python3 - "$tmp/answer.json" "$bench/expected-response.json" "$2" <<'PY' || { tail -20 "$3" >&2; exit 1; }
import json, sys
answer_file, expected_file, what = sys.argv[1:]
try:
    a = json.load(open(answer_file))
except ValueError:
    sys.exit(f"{what}: the answer is not JSON: {open(answer_file, 'rb').read()[:300]!r}")
e = json.load(open(expected_file))
def diff(x, y, path):
    if type(x) != type(y):
        return f"{path}: {json.dumps(x)[:120]} != expected {json.dumps(y)[:120]}"
    if isinstance(x, dict):
        for k in list(y) + [k for k in x if k not in y]:
            if k not in x or k not in y:
                return f"{path}.{k}: {'missing' if k not in x else 'unexpected'}"
            d = diff(x[k], y[k], f"{path}.{k}")
            if d: return d
    elif isinstance(x, list):
        if len(x) != len(y):
            return f"{path}: {len(x)} items, expected {len(y)}"
        for i, (u, v) in enumerate(zip(x, y)):
            d = diff(u, v, f"{path}[{i}]")
            if d: return d
    elif x != y:
        return f"{path}: {json.dumps(x)[:120]} != expected {json.dumps(y)[:120]}"
    return None
if a != e:
    sys.exit(f"{what}: ANSWER DIFFERS from expected-response.json at {diff(a, e, '$')}")
PY
}

# The wrk script: the benchmark's exact request body.
lua="$tmp/request.lua"
{ echo 'wrk.method = "POST"'
  echo 'wrk.headers["Content-Type"] = "application/json"'
  printf 'wrk.body = [==[%s]==]\n' "$(cat "$bench/request-body.json")"
} > "$lua"

for p in $(seq $((base + 1)) $((base + 4))) $(seq $((base + 10)) $((base + 9 + 2 * rounds))); do
  port_in_use "$p" && { echo "port $p is in use (set COMPARE_PORT_BASE)" >&2; exit 1; }
done

# The four subgraphs, once for all runs.
sub_pids=()
port=$((base + 1))
for s in accounts inventory products reviews; do
  if [ "$kind" = swift ]; then
    "$new_bin" subgraph "bench_$s" --listen "127.0.0.1:$port" >"$tmp/sub-$s.log" 2>&1 &
  else
    python3 "$pysubs" "$s" "$port" "$bench" >"$tmp/sub-$s.log" 2>&1 &
  fi
  pids+=($!); sub_pids+=($!)
  echo "  - { name: $s, url: \"http://127.0.0.1:$port/graphql\" }" >> "$tmp/subgraphs.yaml"
  port=$((port + 1))
done
i=0
for s in accounts inventory products reviews; do
  wait_ready "http://127.0.0.1:$((base + 1 + i))/health" "${sub_pids[$i]}" "$tmp/sub-$s.log"
  i=$((i + 1))
done

sub_ticks() { local t=0 p; for p in "${sub_pids[@]}"; do t=$((t + $(cpu_ticks "$p"))); done; echo "$t"; }

results="$tmp/results.tsv"
run_gateway() { # round label bin port
  local round=$1 label=$2 bin=$3 port=$4 cfg="$tmp/gw-$4.yaml" log="$tmp/gw-$4.log" gw start ready_ms out
  cat > "$cfg" <<YAML
listen: "127.0.0.1:$port"
supergraph: $bench/supergraph.graphql
introspection: false
subgraphs:
$(cat "$tmp/subgraphs.yaml")
$(if [ "$label" = OLD ]; then echo "${OLD_YAML:-}"; else echo "${NEW_YAML:-}"; fi)
YAML
  start=$(date +%s%N)
  "$bin" serve --config "$cfg" >"$log" 2>&1 &
  gw=$!; pids+=($gw)
  wait_ready "http://127.0.0.1:$port/ready" "$gw" "$log"
  ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  check_answer "http://127.0.0.1:$port/graphql" "$label (round $round, before load)" "$log"
  local g0 s0 g1 s1
  g0=$(cpu_ticks "$gw"); s0=$(sub_ticks)
  # In the background so that a signal reaches the trap at once, not after the run.
  wrk -t"$threads" -c"$conns" -d"${duration}s" --latency -s "$lua" "http://127.0.0.1:$port/graphql" > "$tmp/wrk.out" &
  local wrk_pid=$!; pids+=($wrk_pid)
  wait "$wrk_pid" || { echo "wrk failed:" >&2; cat "$tmp/wrk.out" >&2; exit 1; }
  out=$(cat "$tmp/wrk.out")
  g1=$(cpu_ticks "$gw"); s1=$(sub_ticks)
  check_answer "http://127.0.0.1:$port/graphql" "$label (round $round, after load)" "$log"
  local reqs rps p50 p99 non2xx sockerr rss
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $4}'); non2xx=${non2xx:-0}
  sockerr=$(echo "$out" | awk -F'Socket errors: ' 'NF > 1 {print $2}' | tr -d ' ')
  rss=$(peak_rss_mb "$gw")
  kill "$gw"; wait "$gw" 2>/dev/null || true
  local keep=() p; for p in "${pids[@]}"; do [ "$p" = "$gw" ] || keep+=("$p"); done; pids=("${keep[@]}")
  [ "${reqs:-0}" -gt 0 ] || { echo "$label (round $round): wrk made no requests:" >&2; echo "$out" >&2; exit 1; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$label" "$rps" "$p50" "$p99" \
    "$((g1 - g0))" "$((s1 - s0))" "$reqs" "$rss" "$ready_ms" "$non2xx" "${sockerr:-}" "$ticks" >> "$results"
  awk -v g=$((g1 - g0)) -v n="$reqs" -v t="$ticks" -v l="$label" -v r="$round" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v rss="$rss" \
    'BEGIN { printf "  round %s %s: %s req/s, p50 %s, p99 %s, gateway %.0f µs/request, peak RSS %s MB\n", r, l, rps, p50, p99, g / t / n * 1e6, rss }' >&2
}

echo "## Gateway comparison on the federation benchmark workload" >&2
echo "  OLD $old_bin ($(date -r "$old_bin" '+%F %T'))" >&2
echo "  NEW $new_bin ($(date -r "$new_bin" '+%F %T'))" >&2
echo "  $kind subgraphs, $rounds round(s) of $duration s, wrk -t$threads -c$conns, $(nproc) cores" >&2
gwport=$((base + 10))
for round in $(seq 1 "$rounds"); do
  run_gateway "$round" OLD "$old_bin" "$gwport"; gwport=$((gwport + 1))
  run_gateway "$round" NEW "$new_bin" "$gwport"; gwport=$((gwport + 1))
done

python3 - "$results" "$old_bin" "$new_bin" "$kind" "$duration" "$threads" "$conns" <<'PY'
import statistics, sys
results, old_bin, new_bin, kind, duration, threads, conns = sys.argv[1:]

def ms(s):  # wrk latency: 850.00us, 12.34ms, 1.02s, 1.50m
    for unit, f in (("us", 1e-3), ("ms", 1.0), ("s", 1e3), ("m", 6e4)):
        if s.endswith(unit):
            return float(s[: -len(unit)]) * f
    return float("nan")

rows = []
for line in open(results):
    r, label, rps, p50, p99, g, s, reqs, rss, ready, non2xx, sockerr, ticks = line.rstrip("\n").split("\t")
    n, t = int(reqs), int(ticks)
    rows.append(dict(round=r, label=label, rps=float(rps), p50=ms(p50), p99=ms(p99),
                     cpu=int(g) / t / n * 1e6, sub=int(s) / t / n * 1e6, rss=float(rss),
                     ready=int(ready), reqs=n, non2xx=int(non2xx), sockerr=sockerr))

print(f"\n### Gateways on the federation benchmark workload ({kind} subgraphs, {duration} s per run, wrk -t{threads} -c{conns})\n")
print(f"- OLD: `{old_bin}`\n- NEW: `{new_bin}`\n")
print("| round | binary | requests/s | p50 ms | p99 ms | gateway CPU µs/req | subgraphs CPU µs/req | peak RSS MB | ready ms | non-2xx / socket errors |")
print("|---|---|--:|--:|--:|--:|--:|--:|--:|---|")
def line(first, label, d, errs):
    print(f"| {first} | {label} | {d['rps']:.0f} | {d['p50']:.2f} | {d['p99']:.2f} | {d['cpu']:.0f} | {d['sub']:.0f} | {d['rss']:.1f} | {d['ready']:.0f} | {errs} |")
for d in rows:
    errs = f"{d['non2xx']}" + (f" / {d['sockerr']}" if d["sockerr"] else "")
    line(d["round"], d["label"], d, errs)
med = {}
for label in ("OLD", "NEW"):
    sel = [d for d in rows if d["label"] == label]
    med[label] = {k: statistics.median(d[k] for d in sel) for k in ("rps", "p50", "p99", "cpu", "sub", "rss", "ready")}
    line("**median**", f"**{label}**", med[label], "")
o, n = med["OLD"], med["NEW"]
print()
print(f"- gateway CPU per request, OLD/NEW: **{o['cpu'] / n['cpu']:.2f}×** ({o['cpu']:.0f} → {n['cpu']:.0f} µs; above 1 means NEW uses less)")
print(f"- requests/s, NEW/OLD: **{n['rps'] / o['rps']:.2f}×** ({o['rps']:.0f} → {n['rps']:.0f})")
print(f"- p99 latency, NEW/OLD: {n['p99'] / o['p99']:.2f}× ({o['p99']:.2f} → {n['p99']:.2f} ms); peak RSS {o['rss']:.1f} → {n['rss']:.1f} MB")
PY
