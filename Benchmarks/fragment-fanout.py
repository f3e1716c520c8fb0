#!/usr/bin/env python3
"""The gateway's CPU for one document of many operations over one fragment tree (validation's
per-operation work): N operations each spreading the root of an F-fragment binary tree, sent
with and without `operationName`, against a running gateway whose PID is given.

    python3 Benchmarks/fragment-fanout.py URL PID [N=1000] [F=1000]

Prints the status and the gateway's CPU seconds (utime+stime from /proc/PID/stat) per request.
`scripts/run` serves the demo (its limits: max_tokens 15,000 lets N=F=1000 through)."""
import json, os, sys, urllib.request

def cpu(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def document(n, f):
    ops = " ".join(f"query Q{i} {{ ...F0 }}" for i in range(n))
    frs = []
    for i in range(f):
        kids = [f"...F{c}" for c in (2 * i + 1, 2 * i + 2) if c < f]
        frs.append(f"fragment F{i} on Query {{ {' '.join(kids) if kids else '__typename'} }}")
    return ops + " " + " ".join(frs)

def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code

url, pid = sys.argv[1], int(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
f = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
doc = document(n, f)
for label, body in [("with operationName", {"query": doc, "operationName": "Q0"}), ("without", {"query": doc})]:
    before = cpu(pid)
    status = post(url, body)
    print(f"{n} operations x {f} fragments ({len(doc)} B), {label}: HTTP {status}, gateway CPU {cpu(pid) - before:.3f} s")
