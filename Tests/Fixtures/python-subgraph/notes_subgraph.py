"""A Federation v2 subgraph written with graphql-core (Python), for Switchyard's end-to-end
tests: it extends the User entity of the accounts subgraph with notes.

    python3 notes_subgraph.py PORT [NAME=VALUE]

With NAME=VALUE, every POST without that header is answered 401 (a subgraph behind a service token).
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from graphql import build_schema, graphql_sync

SDL = '''extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

type Query {
  noteCount: Int!
}

type User @key(fields: "id") {
  id: ID!
  notes: [String!]!
}
'''

FEDERATION = '''
scalar _Any
union _Entity = User
type _Service { sdl: String }
extend type Query {
  _entities(representations: [_Any!]!): [_Entity]!
  _service: _Service!
}
directive @key(fields: String!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
directive @link(url: String!, import: [String]) repeatable on SCHEMA
'''

NOTES = {"1": ["likes tables"], "2": ["reviews couches", "prefers glass"], "3": []}

schema = build_schema(SDL + FEDERATION)
schema.get_type("_Entity").resolve_type = lambda obj, info, type_: obj["__typename"]

REQUESTS = {"entities": 0, "traceparents": []}
REQUIRED = sys.argv[2].split("=", 1) if len(sys.argv) > 2 else None


def entities(info, representations):
    REQUESTS["entities"] += 1
    out = []
    for rep in representations:
        if rep.get("__typename") == "User":
            out.append({"__typename": "User", "id": rep["id"], "notes": NOTES.get(rep["id"], ["new user"])})
        else:
            out.append(None)
    return out


ROOT = {
    "noteCount": lambda info: sum(len(v) for v in NOTES.values()),
    "_service": lambda info: {"sdl": SDL},
    "_entities": entities,
}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        if REQUIRED and self.headers.get(REQUIRED[0]) != REQUIRED[1]:
            payload = b'{"errors":[{"message":"missing service token"}]}'
            self.send_response(401)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        if self.headers.get("traceparent"):
            REQUESTS["traceparents"].append(self.headers.get("traceparent"))
        result = graphql_sync(schema, body.get("query", ""), root_value=ROOT, variable_values=body.get("variables"))
        response = {}
        if result.errors:
            response["errors"] = [e.formatted for e in result.errors]
        response["data"] = result.data
        payload = json.dumps(response).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):  # the entity request counter, for tests
        payload = json.dumps(REQUESTS).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    import signal
    # A parent may have blocked SIGTERM (its mask is inherited): take it back, so stopping works.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print(server.server_address[1], flush=True)  # the bound port (argument 0: the kernel chooses)
    server.serve_forever()
