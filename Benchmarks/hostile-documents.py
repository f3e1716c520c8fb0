#!/usr/bin/env python3
"""Gateway CPU for one hostile document within the default limits, binaries side by side.

    python3 Benchmarks/hostile-documents.py BIN [BIN ...] [--rounds 2]

The federation benchmark graph (../shared/bench/guild-federation's supergraph, the first BIN's
in-package `subgraph bench_*` on 127.0.0.1:4861-4864), each BIN's gateway on :4860 with the
default limits, in turn, each round. Per document: the median of three requests (each with a
fresh operation name, so no cache answers it) of the gateway's CPU (utime+stime of its threads
from /proc/PID/task/*/schedstat), and the HTTP status. The documents (probe 53C):
- a chain of fragments each spreading the next beside fields of its own (the merge check
  compares each with everything below it: the square of its length);
- fields spreading one fragment twice per level in an operation not run (doubling per level);
- a block string of 60,000 blank lines; 2,000 duplicate arguments after 100 KB of spaces
  (one error location each, on one long line)."""
import itertools, json, os, statistics, subprocess, sys, tempfile, time, urllib.request

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
bench = os.path.join(root, "..", "shared", "bench", "guild-federation")
args = sys.argv[1:]
rounds = 2
if "--rounds" in args:
    i = args.index("--rounds"); rounds = int(args[i + 1]); del args[i:i + 2]
if not args:
    sys.exit(__doc__)
bins = [os.path.abspath(b) for b in args]


def cpu_ms(pid):
    total = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            total += int(open(f"/proc/{pid}/task/{t}/schedstat").read().split()[0])
        except OSError:
            pass
    return total / 1e6


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            r.read(); return r.status
    except urllib.error.HTTPError as e:
        e.read(); return e.code


def wait(url, proc):
    for _ in range(400):
        if proc.poll() is not None:
            sys.exit(f"exited early: {proc.args}")
        try:
            urllib.request.urlopen(url, timeout=1).read(); return
        except Exception:
            time.sleep(0.05)
    sys.exit(f"not ready: {url}")


def chain(k, w, leaf):
    own = " ".join([leaf] * w)
    return "query Q{n} { me { ...F0 } } " + " ".join(
        f"fragment F{i} on User {{ {'...F%d ' % (i + 1) if i + 1 < k else ''}{own} }}" for i in range(k))


def doubling(d):
    def level(i):
        inner = f"...F{i + 1}" if i + 1 < d else "id"
        return f"fragment F{i} on User {{ " + " ".join([f"reviews {{ author {{ {inner} }} }}"] * 2) + " }"
    return "query A{n} { me { id } } query B { me { ...F0 } } " + " ".join(level(i) for i in range(d))


cases = [
    ("fragment chain, 120 x 18 leaves", chain(120, 18, "id"), None),
    ("fragment chain, 100 x 8 `reviews { id }`", chain(100, 8, "reviews { id }"), None),
    ("doubling fragments, operation not run, 12 levels", doubling(12), "A"),
    ("block string of 60,000 blank lines", "query Q{n} { me { name(x: \"\"\"" + "\n" * 60000 + "y\"\"\") } }", None),
    ("2,000 duplicate arguments after 100 KB of spaces", "query Q{n} { me { name(" + " " * 100000 + ' id: "1"' * 2000 + ") } }", None),
]

procs = []
work = tempfile.mkdtemp(prefix="hostile-")
try:
    subs = []
    for i, s in enumerate(["accounts", "inventory", "products", "reviews"]):
        p = subprocess.Popen([bins[0], "subgraph", f"bench_{s}", "--listen", f"127.0.0.1:{4861 + i}"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(p); subs.append(f'  - {{ name: {s}, url: "http://127.0.0.1:{4861 + i}/graphql" }}')
        wait(f"http://127.0.0.1:{4861 + i}/health", p)
    cfg = os.path.join(work, "gateway.yaml")
    with open(cfg, "w") as f:
        f.write(f'listen: "127.0.0.1:4860"\nsupergraph: {bench}/supergraph.graphql\nsubgraphs:\n' + "\n".join(subs) + "\n")
    counter = itertools.count()
    for r in range(rounds):
        for b in bins:
            gw = subprocess.Popen([b, "serve", "--config", cfg], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(gw)
            wait("http://127.0.0.1:4860/ready", gw)
            print(f"round {r + 1}, {b}")
            for name, doc, op in cases:
                cpus, status = [], None
                for _ in range(3):
                    n = str(next(counter))
                    body = {"query": doc.replace("{n}", n)}
                    if op:
                        body["operationName"] = op + n
                    before = cpu_ms(gw.pid)
                    status = post("http://127.0.0.1:4860/graphql", body)
                    time.sleep(0.02)
                    cpus.append(cpu_ms(gw.pid) - before)
                print(f"  {name}: {statistics.median(cpus):.1f} ms (HTTP {status})", flush=True)
            gw.terminate(); gw.wait()
finally:
    for p in procs:
        if p.poll() is None:
            p.terminate(); p.wait()
