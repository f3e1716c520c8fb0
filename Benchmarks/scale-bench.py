"""Responses 1x, 10x and 100x the federation benchmark's (87 KB -> 8.7 MB): the benchmark's query,
with the four Python subgraphs (memoised, Benchmarks/python-subgraphs) serving root lists N times
longer (BENCH_SCALE=N: the same users and top products repeated), a fresh gateway per scale. For
each scale, sequential requests; per request the gateway's CPU
time (utime + stime from /proc), the wall time, and the gateway's peak resident memory above its
resident memory before the scale's requests (VmHWM reset through /proc/PID/clear_refs).

    python3 Benchmarks/scale-bench.py BIN [--scales 1,10,100] [--requests 10]
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
BENCH = os.path.abspath(os.path.join(ROOT, "..", "shared", "bench", "guild-federation"))
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def memory(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
    return 0


def post(url, body):
    req = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as r:
        return r.read()


def wait(url):
    for _ in range(600):
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:
            time.sleep(0.05)
    raise SystemExit(f"not ready: {url}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--requests", type=int, default=10)
    ap.add_argument("--port", type=int, default=5100)
    args = ap.parse_args()
    rows = []
    for n in [int(x) for x in args.scales.split(",")]:
        rows.append(measure(args, n))
    print("| scale | response bytes | gateway CPU ms/request | wall ms/request | peak RSS MB | peak above prior RSS / response size |")
    print("|--:|--:|--:|--:|--:|--:|")
    for n, size, cpu, wall, peak, ratio in rows:
        print(f"| {n}x | {size:,} | {cpu:.1f} | {wall:.1f} | {peak:.1f} | {ratio:.2f} |")


def measure(args, n):
    """One scale: the subgraphs serve root lists n times longer (BENCH_SCALE), a fresh gateway."""
    procs = []
    tmp = tempfile.mkdtemp()
    try:
        names = ["accounts", "inventory", "products", "reviews"]
        env = dict(os.environ, BENCH_SCALE=str(n))
        for i, name in enumerate(names):
            procs.append(subprocess.Popen([sys.executable, os.path.join(ROOT, "Benchmarks/python-subgraphs/bench_subgraphs.py"),
                                           name, str(args.port + 1 + i), BENCH], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        config = os.path.join(tmp, "gateway.yaml")
        with open(config, "w") as f:
            f.write(f'listen: "127.0.0.1:{args.port}"\nsupergraph: {BENCH}/supergraph.graphql\nintrospection: false\n')
            f.write("limits: { max_cost: null, request_timeout_ms: 300000 }\n")
            f.write("subgraphs:\n")
            for i, name in enumerate(names):
                f.write(f'  - {{ name: {name}, url: "http://127.0.0.1:{args.port + 1 + i}/graphql", timeout_ms: 120000 }}\n')
        for i in range(len(names)):
            wait(f"http://127.0.0.1:{args.port + 1 + i}/health")
        gw = subprocess.Popen([args.bin, "serve", "--config", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
        procs.append(gw)
        wait(f"http://127.0.0.1:{args.port}/ready")
        url = f"http://127.0.0.1:{args.port}/graphql"
        body = open(os.path.join(BENCH, "request-body.json"), "rb").read()
        answer = post(url, body)  # warm: plans, subgraph memos
        data = json.loads(answer)
        assert "errors" not in data and len(data["data"]["users"]) == 6 * n, answer[:300]
        before_rss = memory(gw.pid, "VmRSS:")
        with open(f"/proc/{gw.pid}/clear_refs", "w") as f:
            f.write("5")  # reset the peak
        count = max(args.requests, 100 // n)  # enough clock ticks at the small scales
        c0, t0 = cpu_seconds(gw.pid), time.perf_counter()
        for _ in range(count):
            post(url, body)
        c1, t1 = cpu_seconds(gw.pid), time.perf_counter()
        peak = memory(gw.pid, "VmHWM:")
        return (n, len(answer), (c1 - c0) / count * 1000, (t1 - t0) / count * 1000, peak / 2**20, (peak - before_rss) / len(answer))
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.5)


if __name__ == "__main__":
    main()
