"""Serves every scenario's subgraphs at /<scenario>/<subgraph> on one port.

    python3 server.py PORT [scenario ...]

Prints the bound port (argument 0: the kernel chooses). A scenario is a folder of
scenarios/: one `<subgraph>.graphql` SDL file per subgraph, and `subgraphs.py` with
`RESOLVERS = {"<subgraph>": {"Type": {"field": fn(parent, args, info), ...}}}`.
GET /counts gives the requests each subgraph received; POST /reset clears them. A scenario's
`HOOKS = {"<name>": fn}` are called by POST /<scenario>/hook/<name> (answered `{"result": fn()}`);
its `ANSWERS = {"<subgraph>": fn(request_body, answer) -> answer}` rewrites what a subgraph answers
(a subgraph that misbehaves on purpose: a warning beside its data, an error at a path it never had).
"""
import importlib.util
import json
import os
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fedkit  # noqa: E402

SUBGRAPHS = {}
HOOKS = {}
ANSWERS = {}
COUNTS = {}
LOCK = threading.Lock()


def load(scenario):
    folder = os.path.join(HERE, "scenarios", scenario)
    spec = importlib.util.spec_from_file_location(f"scenario_{scenario.replace('-', '_')}", os.path.join(folder, "subgraphs.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    HOOKS[scenario] = getattr(mod, "HOOKS", {})
    for name, rewrite in getattr(mod, "ANSWERS", {}).items():
        ANSWERS[f"/{scenario}/{name}"] = rewrite
    for file in sorted(os.listdir(folder)):
        if not file.endswith(".graphql"):
            continue
        name = file[:-len(".graphql")]
        sdl = open(os.path.join(folder, file)).read()
        SUBGRAPHS[f"/{scenario}/{name}"] = fedkit.Subgraph(name, sdl, mod.RESOLVERS.get(name, {}))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, code, obj):
        payload = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.path == "/reset":
            with LOCK:
                COUNTS.clear()
            return self._send(200, {})
        if "/hook/" in self.path:
            scenario, _, name = self.path.strip("/").partition("/hook/")
            hook = HOOKS.get(scenario, {}).get(name)
            if hook is None:
                return self._send(404, {"errors": [{"message": "no such hook"}]})
            return self._send(200, {"result": hook()})
        sg = SUBGRAPHS.get(self.path.rstrip("/"))
        if sg is None:
            return self._send(404, {"errors": [{"message": "no such subgraph"}]})
        body = json.loads(raw or b"{}")
        # `{ _service { sdl } }` from the gateway at start is not counted.
        if "_service" not in body.get("query", ""):
            with LOCK:
                COUNTS[self.path] = COUNTS.get(self.path, 0) + 1
        try:
            answer = fedkit.execute(sg, body)
            rewrite = ANSWERS.get(self.path.rstrip("/"))
            if rewrite is not None and "_service" not in body.get("query", ""):
                answer = rewrite(body, answer)
            self._send(200, answer)
        except fedkit.RequestFailed as e:  # the scenario's failure, on purpose
            self._send(500, {"errors": [{"message": str(e)}]})
        except Exception as e:  # a bug in a scenario: make it visible
            traceback.print_exc()
            self._send(500, {"errors": [{"message": str(e)}]})

    def do_GET(self):
        with LOCK:
            self._send(200, dict(COUNTS))

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    import signal
    # A parent may have blocked SIGTERM (its mask is inherited): take it back, so stopping works.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    names = sys.argv[2:] or sorted(os.listdir(os.path.join(HERE, "scenarios")))
    for n in names:
        load(n)
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
