#!/usr/bin/env python3
"""Evaluates every PromQL expression of Switchyard's Grafana dashboard and alerting rules
against a real Prometheus that scrapes a running gateway.

    python3 check_queries.py GATEWAY_BASE_URL [--dashboard FILE] [--rules FILE] [--timeout SECONDS]

GATEWAY_BASE_URL is where the gateway serves /metrics (e.g. http://127.0.0.1:4000, or the
`metrics.listen` address); a URL that already ends in /metrics is used as is.

It starts Debian's /usr/bin/prometheus (or $PROMETHEUS) on a free loopback port with a temporary
configuration (scrape every 1s, alerts.yml as a rule file) and storage directory, waits until it
has scraped the gateway at least twice, then prints one line per expression:

    ok <source>: <expr>        the query returned at least one series (or a scalar)
    EMPTY <source>: <expr>     it returned nothing (or failed: the reason follows in parentheses)

Dashboard expressions are evaluated with $__rate_interval (and $__interval, $__range) replaced by
1m and template variables by their "All" value (.*). An alert is evaluated without its threshold
(the left side of its top-level comparison), so that a rule that is not firing still proves its
series exist; the full expression is evaluated too and whether it holds now is noted in brackets.
`promtool check rules` and `promtool check metrics` on the exposition (when promtool exists) print `ok promtool` or `FAIL promtool: ...`.
A `note:` line lists referenced metric names that Prometheus has not scraped (expressions that
fall back to `or vector(0)` stay ok without them). The last line is `finished`.

Exit status: 0 when every line is ok, 1 when any is EMPTY or promtool fails, 2 when the check
could not run (gateway unreachable, Prometheus failed to start or to scrape), 3 when Prometheus
is not installed (apt-get install -y prometheus). Prometheus is stopped and its temporary
directory removed on every exit, including errors, Ctrl-C and SIGTERM.

Standard library only.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_DASHBOARD = os.path.join(ROOT, "deploy", "grafana", "switchyard.json")
DEFAULT_RULES = os.path.join(ROOT, "deploy", "prometheus", "alerts.yml")
JOB = "switchyard"
RANGE = "1m"  # what $__rate_interval and the other range variables become


def say(line=""):
    print(line, flush=True)


def fail(message, status=2):
    print(f"check_queries: {message}", file=sys.stderr, flush=True)
    raise SystemExit(status)


# --- Prometheus process -------------------------------------------------------------------------

def find_binary(name, env):
    explicit = os.environ.get(env)
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for candidate in (f"/usr/bin/{name}", shutil.which(name)):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def die_with_parent():
    """Runs in the child before exec: Linux sends it SIGTERM if this script dies (even by SIGKILL)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class Prometheus:
    def __init__(self, binary, rules, metrics_url):
        self.binary = binary
        self.rules = rules
        self.metrics_url = metrics_url
        self.dir = tempfile.mkdtemp(prefix="switchyard-prometheus-")
        self.proc = None
        self.log = None
        self.port = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def write_config(self):
        url = urllib.parse.urlsplit(self.metrics_url)
        scrape = {"job_name": JOB, "scheme": url.scheme or "http", "metrics_path": url.path or "/metrics",
                  "static_configs": [{"targets": [url.hostname + (f":{url.port}" if url.port else "")]}]}
        if url.query:
            scrape["params"] = {k: v for k, v in urllib.parse.parse_qs(url.query).items()}
        config = {"global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
                  "rule_files": [os.path.abspath(self.rules)],
                  "scrape_configs": [scrape]}
        path = os.path.join(self.dir, "prometheus.yml")
        with open(path, "w") as f:
            json.dump(config, f, indent=2)  # JSON is YAML
        return path

    def start(self, timeout):
        config = self.write_config()
        for attempt in range(5):
            self.port = free_port()
            self.log = os.path.join(self.dir, f"prometheus-{attempt}.log")
            with open(self.log, "w") as log:
                self.proc = subprocess.Popen(
                    [self.binary, f"--config.file={config}", f"--storage.tsdb.path={os.path.join(self.dir, 'data')}",
                     f"--web.listen-address=127.0.0.1:{self.port}", "--storage.tsdb.retention.time=1h"],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=self.dir,
                    preexec_fn=die_with_parent if sys.platform.startswith("linux") else None)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    with urllib.request.urlopen(self.base + "/-/ready", timeout=2) as r:
                        if r.status == 200:
                            return
                except (urllib.error.URLError, OSError):
                    pass
                time.sleep(0.2)
            output = self.output()
            self.stop()
            if "address already in use" in output:
                continue  # another process took the port between free_port() and bind: try another
            problems = [line for line in output.splitlines() if "level=error" in line or "level=warn" in line]
            fail("Prometheus did not become ready:\n" + "\n".join(problems or output.splitlines()[-20:]))
        fail("Prometheus could not find a free port")

    def output(self):
        try:
            with open(self.log) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def api(self, path, **params):
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:
            try:
                return json.load(e)
            except ValueError:
                return {"status": "error", "error": f"HTTP {e.code}"}

    def query(self, expr):
        """(non-empty, number of series, error or None)."""
        body = self.api("/api/v1/query", query=expr)
        if body.get("status") != "success":
            return False, 0, f"{body.get('errorType', 'error')}: {body.get('error', body)}"
        data = body["data"]
        if data["resultType"] in ("vector", "matrix"):
            return len(data["result"]) > 0, len(data["result"]), None
        return True, 1, None  # scalar or string

    def wait_for_scrapes(self, count, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                fail(f"Prometheus exited:\n{self.output()}")
            body = self.api("/api/v1/query", query=f'count_over_time(up{{job="{JOB}"}}[10m]) and on() (up{{job="{JOB}"}} == 1)')
            result = body.get("data", {}).get("result", []) if body.get("status") == "success" else []
            if result and float(result[0]["value"][1]) >= count:
                return
            time.sleep(0.25)
        targets = self.api("/api/v1/targets").get("data", {}).get("activeTargets", [])
        errors = "; ".join(f"{t.get('scrapeUrl')}: {t.get('health')} {t.get('lastError')}" for t in targets)
        fail(f"Prometheus did not scrape {self.metrics_url} {count} times within {timeout}s ({errors or 'no targets'})")


# --- Expressions --------------------------------------------------------------------------------

def dashboard_expressions(path):
    """[(source, expr)] of every panel target (rows' nested panels too) and every query variable's
    metric selector, with Grafana's variables substituted."""
    with open(path) as f:
        dashboard = json.load(f)
    values = {}
    selectors = []
    for var in dashboard.get("templating", {}).get("list", []):
        name, kind = var.get("name"), var.get("type")
        if kind == "datasource" or not name:
            continue
        current = (var.get("current") or {}).get("value")
        if isinstance(current, list):
            current = current[0] if len(current) == 1 else "|".join(current)
        if var.get("includeAll") and (current in (None, "", "$__all") or kind == "query"):
            value = var.get("allValue") or ".*"
        elif current not in (None, ""):
            value = str(current)
        else:
            options = var.get("options") or []
            value = str(options[0].get("value")) if options else ".*"
        values[name] = value
        if kind == "query":
            query = var.get("query")
            if isinstance(query, dict):
                query = query.get("query", "")
            m = re.fullmatch(r"\s*label_values\((.*),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*", query or "")
            if m:
                selectors.append((f"dashboard variable ${name}", m.group(1)))
            elif query and not re.match(r"\s*(label_names|metrics|query_result)\(", query):
                selectors.append((f"dashboard variable ${name}", query))

    builtin = {"__rate_interval": RANGE, "__interval": RANGE, "__range": RANGE,
               "__range_s": "60", "__range_ms": "60000", "__interval_ms": "60000"}

    def substitute(expr):
        table = {**builtin, **values}
        for name in sorted(table, key=len, reverse=True):
            value = table[name]
            expr = re.sub(r"\$\{" + re.escape(name) + r"(?::[^}]*)?\}", lambda _: value, expr)
            expr = expr.replace(f"[[{name}]]", value)
            expr = re.sub(r"\$" + re.escape(name) + r"(?![A-Za-z0-9_])", lambda _: value, expr)
        return expr

    found = [(source, substitute(expr)) for source, expr in selectors]

    def walk(panels):
        for panel in panels:
            for target in panel.get("targets", []) or []:
                expr = target.get("expr")
                if expr and not target.get("hide"):
                    title = panel.get("title", "")
                    found.append((f'dashboard panel {panel.get("id")} "{title}" {target.get("refId", "")}'.rstrip(),
                                  substitute(expr)))
            walk(panel.get("panels", []) or [])

    walk(dashboard.get("panels", []))
    return found


COMPARISONS = (">=", "<=", "==", "!=", ">", "<")


def split_comparison(expr):
    """(left side, operator and right side) at the first comparison outside parentheses, braces,
    brackets and strings; None when there is none."""
    depth, i, quote = 0, 0, None
    while i < len(expr):
        c = expr[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in "\"'`":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0:
            for op in COMPARISONS:
                if expr.startswith(op, i):
                    return expr[:i].strip(), expr[i:].strip()
        i += 1
    return None


FUNCTION_OR_KEYWORD = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
                       "unless", "offset", "inf", "nan", "atan2", "start", "end"}


def metric_names(expr):
    text = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for m in re.finditer(r"(?<![\w.])[A-Za-z_:][\w:]*", text):
        rest = text[m.end():].lstrip()
        if rest.startswith("(") or m.group(0).lower() in FUNCTION_OR_KEYWORD:
            continue
        names.add(m.group(0))
    return names


def one_line(expr):
    return " ".join(expr.split())


# --- Main ---------------------------------------------------------------------------------------

def terminate_on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gateway", metavar="GATEWAY_BASE_URL")
    parser.add_argument("--dashboard", default=DEFAULT_DASHBOARD)
    parser.add_argument("--rules", default=DEFAULT_RULES)
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for Prometheus to start and scrape")
    args = parser.parse_args()

    for path in (args.dashboard, args.rules):
        if not os.path.isfile(path):
            fail(f"no such file: {path}")

    base = args.gateway if "://" in args.gateway else "http://" + args.gateway
    split = urllib.parse.urlsplit(base)
    path = split.path.rstrip("/")
    if not path.endswith("/metrics"):
        path += "/metrics"
    metrics_url = urllib.parse.urlunsplit((split.scheme, split.netloc, path, split.query, ""))
    try:
        with urllib.request.urlopen(metrics_url, timeout=10) as r:
            text = r.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as e:
        fail(f"cannot read the gateway's metrics at {metrics_url}: {e}")
    if "# TYPE" not in text:
        fail(f"{metrics_url} does not serve the Prometheus text format")

    binary = find_binary("prometheus", "PROMETHEUS")
    if not binary:
        fail("Prometheus is not installed: /usr/bin/prometheus not found (install it with "
             "`apt-get install -y prometheus`, or set PROMETHEUS=/path/to/prometheus)", 3)

    signal.signal(signal.SIGTERM, terminate_on_signal)
    signal.signal(signal.SIGHUP, terminate_on_signal)
    prometheus = Prometheus(binary, args.rules, metrics_url)
    all_ok = True
    try:
        promtool = find_binary("promtool", "PROMTOOL")
        if promtool:
            check = subprocess.run([promtool, "check", "rules", os.path.abspath(args.rules)],
                                   stdin=subprocess.DEVNULL, capture_output=True, text=True)
            # The exposition itself lints clean (every family has its # HELP and # TYPE).
            with urllib.request.urlopen(metrics_url, timeout=30) as r:
                exposition = r.read()
            lint = subprocess.run([promtool, "check", "metrics"], input=exposition, capture_output=True)
            if lint.returncode != 0:
                check = lint
            if check.returncode == 0:
                say("ok promtool")
            else:
                all_ok = False
                say("FAIL promtool: " + one_line(str(check.stdout) + " " + str(check.stderr)))

        prometheus.start(args.timeout)
        prometheus.wait_for_scrapes(2, args.timeout)

        checks = [(source, expr, None) for source, expr in dashboard_expressions(args.dashboard)]
        groups = prometheus.api("/api/v1/rules").get("data", {}).get("groups", [])
        rules = [rule for group in groups for rule in group.get("rules", [])]
        if not rules:
            all_ok = False
            say(f"EMPTY rules: no rule loaded from {args.rules}")
        for rule in rules:
            expr = rule["query"]
            if rule.get("type") == "alerting":
                split_expr = split_comparison(expr)
                checks.append((f"alert {rule['name']}", split_expr[0] if split_expr else expr,
                               (expr, split_expr[1] if split_expr else None, rule)))
            else:
                checks.append((f"record {rule['name']}", expr, (expr, None, rule)))

        referenced = set()
        for source, expr, rule in checks:
            referenced |= metric_names(expr)
            nonempty, _, error = prometheus.query(expr)
            notes = []
            if error:
                notes.append(f"error: {error}")
            if rule:
                full, threshold, info = rule
                if info.get("health") == "err":
                    nonempty = False
                    notes.append(f"rule error: {info.get('lastError')}")
                if threshold:
                    holds, count, full_error = prometheus.query(full)
                    if full_error:
                        nonempty = False
                        notes.append(f"full expression error: {full_error}")
                    else:
                        notes.append(f"condition {threshold} " + (f"holds for {count} series now" if holds else "does not hold now"))
            status = "ok" if nonempty and not error else "EMPTY"
            all_ok &= status == "ok"
            suffix = f" [{'; '.join(notes)}]" if rule and notes else (f" ({'; '.join(notes)})" if notes else "")
            say(f"{status} {source}: {one_line(expr)}{suffix}")

        exported = set(prometheus.api("/api/v1/label/__name__/values").get("data", []))
        missing = sorted(referenced - exported)
        if missing:
            say("note: not scraped (yet): " + ", ".join(missing))
    finally:
        prometheus.cleanup()
    # Said once Prometheus and its folder are gone: the test stops this process when it reads it.
    say("finished")
    return 0 if all_ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
