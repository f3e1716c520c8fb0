"""Runs the federation scenarios through a built `switchyard serve` (for working on them; the
test suite runs them through FederationScenarioCorpusTests).

    python3 run.py [-v] [--bin .build/debug/switchyard] [scenario ...]

tests.json of a scenario: [{"name", "query", "variables"?, "expected": {"data", "errors"?: bool, "errorsAt"?: [{"path", "locations"}], "errorCount"?: n},
"requests"?: {"<subgraph>": n}}]. Data must be equal (object key order aside); errors present
exactly when "errors" is true; with "requests", each subgraph of the scenario received exactly
that many requests for the query (0 when not listed).
"""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
args = sys.argv[1:]
verbose = "-v" in args
args = [a for a in args if a != "-v"]
binary = os.path.join(ROOT, ".build", "debug", "switchyard")
if "--bin" in args:
    i = args.index("--bin"); binary = args[i + 1]; del args[i:i + 2]
scenarios = args or sorted(os.listdir(os.path.join(HERE, "scenarios")))


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def call(url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"content-type": "application/json", "accept": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        return json.loads(e.read() or b"{}")


server = subprocess.Popen([sys.executable, os.path.join(HERE, "server.py"), "0", *scenarios], stdout=subprocess.PIPE)
sport = int(server.stdout.readline())
base = f"http://127.0.0.1:{sport}"
total = passed = 0
work = os.path.join(ROOT, ".local", "scenarios")
try:
    for sc in scenarios:
        folder = os.path.join(HERE, "scenarios", sc)
        names = sorted(f[:-8] for f in os.listdir(folder) if f.endswith(".graphql"))
        tests = json.load(open(os.path.join(folder, "tests.json")))
        gport = free_port()
        os.makedirs(work, exist_ok=True)
        cfg = os.path.join(work, f"{sc}.yaml")
        with open(cfg, "w") as out:
            out.write(f'listen: "127.0.0.1:{gport}"\nsubgraphs:\n')
            for n in names:
                out.write(f'  - {{ name: {n}, url: "{base}/{sc}/{n}", schema: "{os.path.join(folder, n + ".graphql")}" }}\n')
            extra = os.path.join(folder, "gateway.yaml")
            if os.path.exists(extra):
                out.write(open(extra).read().replace("{folder}", folder) + "\n")
        log = open(os.path.join(work, f"{sc}.log"), "w")
        gw = subprocess.Popen([binary, "serve", "--config", cfg], stdout=log, stderr=subprocess.STDOUT)
        up = False
        for _ in range(200):
            if gw.poll() is not None:
                break
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{gport}/health", timeout=1); up = True; break
            except Exception:
                time.sleep(0.05)
        if not up:
            print(f"{sc}: gateway did not start:\n{open(os.path.join(work, sc + '.log')).read()[-2000:]}")
            total += len(tests); gw.kill(); continue
        marks = ""
        for t in tests:
            if "query" not in t or "expected" not in t: continue
            total += 1
            call(base + "/reset", {})
            call(f"{base}/{sc}/hook/reset", {})   # a scenario with state starts afresh (none: 404)
            body = {"query": t["query"]}
            if "variables" in t:
                body["variables"] = t["variables"]
            got = call(f"http://127.0.0.1:{gport}/graphql", body, t.get("headers"))
            counts = call(base + "/counts")
            exp = t["expected"]
            problems = []
            if got.get("data") != exp.get("data"):
                problems.append("data differs")
            if bool(got.get("errors")) != bool(exp.get("errors", False)):
                problems.append("errors " + ("missing" if exp.get("errors") else "unexpected"))
            if "errorCount" in exp and len(got.get("errors") or []) != exp["errorCount"]:
                problems.append("%d errors, not %d" % (len(got.get("errors") or []), exp["errorCount"]))
            for wanted in exp.get("errorsAt", []):
                if not any(e.get("path") == wanted.get("path") and e.get("locations") == wanted.get("locations") for e in got.get("errors") or []):
                    problems.append(f"no error at {wanted}")
            if "requests" in t:
                want = {n: t["requests"].get(n, 0) for n in names}
                have = {n: counts.get(f"/{sc}/{n}", 0) for n in names}
                if want != have:
                    problems.append(f"requests {have} != {want}")
            if problems:
                marks += "X"
                if verbose:
                    print(f"--- {sc} / {t.get('name')}: {'; '.join(problems)}\n{t['query'].strip()}\nWANT {json.dumps(exp)}\nGOT  {json.dumps(got)}")
            else:
                marks += "."; passed += 1
        print(f"{sc:45} {marks}", flush=True)
        gw.terminate(); gw.wait()
finally:
    server.kill()
print(f"\nTotal {total}  Passed {passed}  Failed {total - passed}")
