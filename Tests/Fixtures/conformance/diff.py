"""Differential conformance test: the schema of schema.graphql served directly by graphql-core (the
reference) and as a remote Federation v2 subgraph behind `switchyard serve`, every generated
operation sent to both and the answers compared as a client sees them.

    python3 diff.py [--count N] [--seed S] [-v] [--bin PATH] [--ops FILE.jsonl] [--out REPORT.json]
                    [--no-minimize] [--jobs J]

Compared: whether both executed the operation (a response with `data`) or both refused it (a
request error: `errors` only); for executed ones, `data` exactly (key order included, numbers by
value, true is not 1) and the errors as a multiset of paths (messages, locations and extensions
ignored). HTTP statuses are recorded, not compared. Each difference has a kind and a detail
(aliases and list indices normalised away); the summary shows one example per (kind, detail),
minimised (parts of the operation dropped while the same difference remains) unless --no-minimize.
Exit status 0 when there is no difference.
"""
import atexit
import collections
import json
import os
import re
import signal
import socket
import subprocess
import shutil
import sys
import tempfile
import threading
import time
import http.client
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, HERE)
import pin  # noqa: E402

pin.use()
import generate  # noqa: E402

from graphql import parse, print_ast  # noqa: E402
from graphql.language import ast as A  # noqa: E402

PROCS = []


def stop_all():
    while PROCS:
        p = PROCS.pop()
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()


atexit.register(stop_all)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def start(args, **kw):
    p = subprocess.Popen(args, start_new_session=True, **kw)
    PROCS.append(p)
    return p


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_python_server(reference):
    p = start([sys.executable, os.path.join(HERE, "server.py"), "0"] + (["--reference"] if reference else []),
              stdout=subprocess.PIPE)
    line = p.stdout.readline()
    if not line:
        raise SystemExit(f"server.py {'--reference ' if reference else ''}did not start")
    return int(line)


def http_call(port, method, path, body=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["content-type"] = "application/json"
        conn.request(method, path, data, headers)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def start_gateway(binary, sub_port, work, attempts=10):
    config = os.path.join(work, "gateway.yaml")
    for attempt in range(attempts):
        port = free_port()
        with open(config, "w") as f:
            f.write(f'listen: "127.0.0.1:{port}"\n'
                    "introspection: true\n"
                    "defer: false\n"   # graphql-core 3.2 has no @defer: the API schemas must be equal
                    "limits: { max_depth: null, max_aliases: null, max_root_fields: null, max_fields: null,"
                    " max_directives: null, max_tokens: null }\n"
                    "subgraphs:\n"
                    f'  - {{ name: conformance, url: "http://127.0.0.1:{sub_port}/graphql" }}\n')
        log_path = os.path.join(work, "gateway.log")
        if os.path.exists(binary):
            log = open(log_path, "w")
            gw = start([binary, "serve", "--config", config], stdout=log, stderr=subprocess.STDOUT)
            deadline = time.time() + 60
            while time.time() < deadline and gw.poll() is None:
                try:
                    if http_call(port, "GET", "/ready", timeout=2)[0] == 200:
                        return port
                except OSError:
                    pass
                time.sleep(0.1)
            if gw.poll() is None:
                os.killpg(gw.pid, signal.SIGKILL)
                gw.wait()
            tail = open(log_path, errors="replace").read()[-1500:]
            print(f"gateway did not become ready (attempt {attempt + 1}):\n{tail}", file=sys.stderr)
        else:
            print(f"{binary} is missing (attempt {attempt + 1})", file=sys.stderr)
        time.sleep(60)  # being relinked: wait and retry
    raise SystemExit("the gateway never started")


# ---------------------------------------------------------------------------- comparing

class Pairs(list):
    """A JSON object as its (key, value) pairs, in order."""


def load(raw):
    try:
        return json.loads(raw, object_pairs_hook=Pairs)
    except ValueError:
        return None


def canon(v, ordered=True):
    if isinstance(v, Pairs):
        items = tuple((k, canon(x, ordered)) for k, x in v)
        return ("o", items if ordered else tuple(sorted(items, key=repr)))
    if isinstance(v, list):
        return ("l", tuple(canon(x, ordered) for x in v))
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, (int, float)):
        return ("n", v)
    if isinstance(v, str):
        return ("s", v)
    return ("z",)


def get(obj, key, default=None):
    if isinstance(obj, Pairs):
        for k, v in obj:
            if k == key:
                return v
    return default


def has(obj, key):
    return isinstance(obj, Pairs) and any(k == key for k, _ in obj)


ALIAS = re.compile(r"^a\d+_")


def norm_path(path):
    return "/".join("*" if isinstance(p, int) else ALIAS.sub("", str(p)) for p in path) or "(root)"


def shape(v):
    if v is None:
        return "null"
    if isinstance(v, Pairs):
        return "object"
    if isinstance(v, list):
        return "list"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    return "string"


def first_diff(a, b, path=()):
    """(path, description) of the first difference of values (object key order ignored), or None."""
    if isinstance(a, Pairs) and isinstance(b, Pairs):
        da, db = dict(a), dict(b)
        for k in list(da) + [k for k in db if k not in da]:
            if k not in db:
                return path + (k,), "key missing in gateway"
            if k not in da:
                return path + (k,), "extra key in gateway"
            r = first_diff(da[k], db[k], path + (k,))
            if r:
                return r
        return None
    if isinstance(a, list) and isinstance(b, list) and not isinstance(a, Pairs) and not isinstance(b, Pairs):
        names_a, names_b = named_items(a), named_items(b)
        if names_a and names_b and names_a != names_b and sorted(names_a) == sorted(names_b):
            # the same named things (introspection types, fields...) in another order: compared by
            # name here, the order is reported on its own (see compare)
            by_name = {get(x, "name"): x for x in b}
            for x in a:
                r = first_diff(x, by_name[get(x, "name")], path + (get(x, "name"),))
                if r:
                    return r
            return None
        if len(a) != len(b):
            return path, f"list length {len(a)} vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            r = first_diff(x, y, path + (i,))
            if r:
                return r
        return None
    if canon(a) != canon(b):
        return path, f"ref {shape(a)} / gw {shape(b)}"
    return None


def has_order_diff(a, b):
    return first_order_diff(a, b) is not None


def named_items(items):
    """The `name`s of a list of objects that all have a distinct string name, else None."""
    if not items or not all(isinstance(x, Pairs) and isinstance(get(x, "name"), str) for x in items):
        return None
    names = [get(x, "name") for x in items]
    return names if len(set(names)) == len(names) else None


def first_order_diff(a, b, path=()):
    if isinstance(a, Pairs) and isinstance(b, Pairs):
        if [k for k, _ in a] != [k for k, _ in b]:
            return path
        for (k, x), (_, y) in zip(a, b):
            r = first_order_diff(x, y, path + (k,))
            if r is not None:
                return r
    elif isinstance(a, list) and isinstance(b, list):
        names_a, names_b = named_items(a), named_items(b)
        if names_a and names_b and names_a != names_b:
            if sorted(names_a) == sorted(names_b):
                return path + ("(order of named items)",)
            return None  # other items: a value difference, reported as such
        for i, (x, y) in enumerate(zip(a, b)):
            r = first_order_diff(x, y, path + (i,))
            if r is not None:
                return r
    return None


def norm_message(m):
    m = re.sub(r'"[^"]*"', '"…"', m or "")
    m = re.sub(r"'[^']*'", "'…'", m)
    m = re.sub(r"\$\w+", "$v", m)
    m = re.sub(r"\b[A-Z_]\w*\.\w+\b", "T.f", m)  # schema coordinates (Query.hello)
    m = re.sub(r"\d+", "N", m)
    return m[:110]


def error_paths(errors):
    out = collections.Counter()
    for e in errors or []:
        p = get(e, "path")
        out[tuple(p) if isinstance(p, list) else None] += 1
    return out


def state(status, body):
    if body is None:
        return "not-json"
    if not isinstance(body, Pairs):
        return "not-object"
    if has(body, "data"):
        return "executed"
    if isinstance(get(body, "errors"), list) and get(body, "errors"):
        return "refused"
    return "malformed"


def first_message(body):
    errs = get(body, "errors") or []
    if not errs:
        return ""
    e = errs[0]
    code = get(get(e, "extensions"), "code")
    return (f"[{code}] " if code else "") + norm_message(get(e, "message", ""))


def compare(op, ref, gw):
    """Differences [(kind, detail)] between the reference's and the gateway's answers."""
    (rs, rraw), (gs, graw) = ref, gw
    rb, gb = load(rraw), load(graw)
    r_state, g_state = state(rs, rb), state(gs, gb)
    if r_state not in ("executed", "refused"):
        return [("HARNESS: reference answer unusable", f"{rs} {r_state}")]
    if g_state not in ("executed", "refused"):
        return [("gateway answer is not a GraphQL response", f"HTTP {gs}, {g_state}")]
    if r_state == "refused" and g_state == "refused":
        return []
    tag = op.get("tag", "")
    if r_state == "executed" and g_state == "refused":
        return [("gateway refuses an operation the reference executes", first_message(gb))]
    if r_state == "refused" and g_state == "executed":
        return [("gateway executes an operation the reference refuses", first_message(rb))]
    out = []
    rd, gd = get(rb, "data"), get(gb, "data")
    d = first_diff(rd, gd)
    gw_errors = [(tuple(get(e, "path") or ()), get(e, "message", "")) for e in get(gb, "errors") or []]
    if d:
        path, what = d
        near = [m for p, m in gw_errors if p and (path[:len(p)] == p or p[:len(path)] == path)]
        if near:  # grouped by the gateway's error there, wherever it happens
            out.append(("data differs", f"{what}, with gateway error: {norm_message(near[0])}"))
        else:
            out.append(("data differs", f"{norm_path(path)}: {what}"))
    if canon(rd) != canon(gd) and (not d or has_order_diff(rd, gd)):
        out.append(("data order differs (object keys, or named list items)", norm_path(first_order_diff(rd, gd) or ())))
    rp, gp = error_paths(get(rb, "errors")), error_paths(get(gb, "errors"))
    if rp != gp:
        extra_paths = set(gp - rp)
        extra = sorted({norm_message(m) for p, m in gw_errors if (p or None) in extra_paths})
        missing = sorted({norm_path(p) if p is not None else "(no path)" for p in (rp - gp)})
        detail = []
        if extra:
            detail.append("gateway adds errors: " + " | ".join(extra))
        if missing:
            detail.append("gateway lacks errors at " + ", ".join(missing))
        out.append(("error paths differ", "; ".join(detail)))
    return out


# ---------------------------------------------------------------------------- minimising

def compact(query):
    try:
        doc = parse(query)
    except Exception:
        return query
    printed = print_ast(doc)
    small = re.sub(r"\s+", " ", printed).strip()
    try:
        if print_ast(parse(small)) == printed:
            return small
    except Exception:
        pass
    return printed


def variants(body):
    """Smaller versions of an operation: one part removed each."""
    query, variables = body["query"], body.get("variables")
    try:
        doc = parse(query)
    except Exception:
        return
    holders = []  # (node, attribute) whose tuple may lose an element
    aliased = []

    def walk(node):
        if isinstance(node, A.FieldNode) and node.alias:
            aliased.append(node)
        if isinstance(node, A.Node):
            for key in node.keys:
                v = getattr(node, key, None)
                if isinstance(v, tuple) and key in ("selections", "arguments", "directives", "definitions",
                                                    "variable_definitions", "fields", "values"):
                    holders.append((node, key))
                if isinstance(v, tuple):
                    for x in v:
                        walk(x)
                else:
                    walk(v)

    walk(doc)

    def emit(variables):
        out = {"query": compact(print_ast(doc))}
        if variables is not None:
            out["variables"] = variables
        if "operationName" in body:
            out["operationName"] = body["operationName"]
        return out

    for node, key in holders:
        items = getattr(node, key)
        for i in range(len(items)):
            if key in ("selections", "definitions") and len(items) == 1:
                continue
            setattr(node, key, items[:i] + items[i + 1:])
            raw = emit(variables)
            cleaned = cleanup(raw)
            setattr(node, key, items)
            if cleaned != raw:
                yield cleaned
            yield raw
    for node in aliased:
        alias, node.alias = node.alias, None
        yield emit(variables)
        node.alias = alias
    # aliases off, fragments' selection sets inlined are left to the reader
    if isinstance(variables, dict):
        for k in list(variables):
            yield {**body, "variables": {x: y for x, y in variables.items() if x != k}}
            v = variables[k]
            if isinstance(v, dict):
                for kk in list(v):
                    yield {**body, "variables": {**variables, k: {x: y for x, y in v.items() if x != kk}}}
        if not variables:
            yield {k: v for k, v in body.items() if k != "variables"}
    if "operationName" in body:
        yield {k: v for k, v in body.items() if k != "operationName"}


def cleanup(body):
    """The operation without variable definitions (and values) and fragments it no longer uses."""
    try:
        doc = parse(body["query"])
    except Exception:
        return body
    variables = dict(body.get("variables") or {})
    for _ in range(5):
        spreads, used_vars = set(), set()

        def walk(node, skip_defs=False):
            if isinstance(node, A.FragmentSpreadNode):
                spreads.add(node.name.value)
            if isinstance(node, A.VariableNode):
                used_vars.add(node.name.value)
            if isinstance(node, A.Node):
                for key in node.keys:
                    if key == "variable_definitions":
                        continue
                    v = getattr(node, key, None)
                    for x in (v if isinstance(v, tuple) else (v,)):
                        walk(x)

        for d in doc.definitions:
            walk(d)
        defs = []
        for d in doc.definitions:
            if isinstance(d, A.FragmentDefinitionNode) and d.name.value not in spreads:
                continue
            if isinstance(d, A.OperationDefinitionNode) and d.variable_definitions:
                keep = tuple(v for v in d.variable_definitions if v.variable.name.value in used_vars)
                for v in d.variable_definitions:
                    if v.variable.name.value not in used_vars:
                        variables.pop(v.variable.name.value, None)
                d.variable_definitions = keep
            defs.append(d)
        if len(defs) == len(doc.definitions):
            break
        doc.definitions = tuple(defs)
    out = {k: v for k, v in body.items() if k != "variables"}
    out["query"] = compact(print_ast(doc))
    if body.get("variables") is not None and (variables or body.get("variables") == {}):
        out["variables"] = variables
    return out


def size(body):
    return len(body["query"]) + len(json.dumps(body.get("variables") or {}))


def minimise(op, target, ask, budget=250):
    best = dict(op)
    best["query"] = compact(best["query"])
    if target not in compare(best, *ask(best)):
        best = dict(op)
    answers = ask(best)
    improved = True
    while improved and budget > 0:
        improved = False
        for cand in variants(best):
            if size(cand) >= size(best):
                continue
            budget -= 1
            cand = {**cand, "tag": op.get("tag", "")}
            got = ask(cand)
            if target in compare(cand, *got):
                best, answers, improved = cand, got, True
                break
            if budget <= 0:
                break
    return best, answers


# ---------------------------------------------------------------------------- main

def abbreviate(raw, limit=400):
    text = raw.decode(errors="replace")
    try:
        text = json.dumps(json.loads(text, object_pairs_hook=lambda p: dict(p)), separators=(",", ":"),
                          ensure_ascii=False)
    except ValueError:
        pass
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


def main(argv):
    def opt(name, default):
        return argv[argv.index(name) + 1] if name in argv else default

    count, seed = int(opt("--count", 1200)), int(opt("--seed", 1))
    verbose, minimize = "-v" in argv, "--no-minimize" not in argv
    binary = opt("--bin", os.path.join(ROOT, ".build", "debug", "switchyard"))
    jobs = int(opt("--jobs", 4))
    work = tempfile.mkdtemp(prefix="switchyard-conformance-")
    out_path = opt("--out", os.path.join(work, "report.json"))
    if "--ops" in argv:
        ops = [json.loads(line) for line in open(opt("--ops", "")) if line.strip()]
    else:
        ops = generate.generate(count, seed)

    ref_port = start_python_server(reference=True)
    sub_port = start_python_server(reference=False)
    gw_port = start_gateway(binary, sub_port, work)

    def send(port, op):
        body = {k: op[k] for k in ("query", "variables", "operationName") if k in op}
        try:
            return http_call(port, "POST", "/graphql", body)
        except Exception as e:  # timeouts, resets
            return 0, json.dumps({"harness": f"{type(e).__name__}: {e}"}).encode()

    def ask(op):
        return send(ref_port, op), send(gw_port, op)

    started = time.time()
    pool = ThreadPoolExecutor(jobs)
    try:
        answers = list(pool.map(ask, ops))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    elapsed = time.time() - started

    groups = collections.OrderedDict()   # (kind, detail) -> [op index]
    statuses = collections.Counter()
    differing = 0
    for i, (op, (ref, gw)) in enumerate(zip(ops, answers)):
        statuses[(state(ref[0], load(ref[1])), ref[0], state(gw[0], load(gw[1])), gw[0])] += 1
        diffs = compare(op, ref, gw)
        if diffs:
            differing += 1
        for d in dict.fromkeys(diffs):
            groups.setdefault(d, []).append(i)
        if verbose and diffs:
            print(f"#{op['id']} {op.get('tag')}: {diffs}", file=sys.stderr)

    by_kind = collections.OrderedDict()
    for (kind, detail), idx in sorted(groups.items(), key=lambda kv: (kv[0][0], -len(kv[1]))):
        by_kind.setdefault(kind, []).append((detail, idx))

    import graphql
    print(f"reference: graphql-core {graphql.__version__}; gateway: {binary}")
    print(f"{len(ops)} operations (seed {seed}) in {elapsed:.1f}s; {differing} with differences, "
          f"{len(groups)} distinct (kind, detail)")
    print("statuses (reference state/status -> gateway state/status):")
    for (rs, rc, gs, gc), n in sorted(statuses.items(), key=lambda kv: -kv[1]):
        print(f"  {n:5d}  {rs}/{rc} -> {gs}/{gc}")
    report = []
    for kind, details in by_kind.items():
        total = len({i for _, idx in details for i in idx})
        print(f"\n== {kind}: {total} operations")
        for detail, idx in details:
            smallest = min(idx, key=lambda i: size(ops[i]))
            example, (ref, gw) = dict(ops[smallest]), answers[smallest]
            if minimize:
                example, (ref, gw) = minimise(example, (kind, detail), ask)
            tags = collections.Counter(ops[i].get("tag", "").split(":")[0] + (":" + ops[i]["tag"].split(":")[1]
                                       if ops[i].get("tag", "").count(":") else "") for i in idx)
            print(f"-- {detail}  [{len(idx)} ops; {', '.join(f'{t} {n}' for t, n in tags.most_common(4))}]")
            print(f"   op #{ops[smallest]['id']}: {compact(example['query'])}")
            if example.get("variables") is not None:
                print(f"   variables: {json.dumps(example['variables'])}")
            if example.get("operationName"):
                print(f"   operationName: {example['operationName']}")
            print(f"   reference {ref[0]}: {abbreviate(ref[1])}")
            print(f"   gateway   {gw[0]}: {abbreviate(gw[1])}")
            report.append({"kind": kind, "detail": detail, "ops": [ops[i]["id"] for i in idx],
                           "example": example, "reference": [ref[0], ref[1].decode(errors="replace")],
                           "gateway": [gw[0], gw[1].decode(errors="replace")]})
    with open(out_path, "w") as f:
        json.dump({"count": len(ops), "seed": seed, "differing": differing, "groups": report,
                   "answers": [{"op": op, "reference": [r[0], r[1].decode(errors="replace")],
                                "gateway": [g[0], g[1].decode(errors="replace")]}
                               for op, (r, g) in zip(ops, answers)]}, f, indent=1)
    if differing == 0 and "--out" not in argv:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)   # nothing to read in it
    else:
        print(f"\nfull report: {out_path}")
    return 0 if differing == 0 else 1


if __name__ == "__main__":
    try:
        code = main(sys.argv[1:])
    finally:
        stop_all()
    sys.exit(code)
