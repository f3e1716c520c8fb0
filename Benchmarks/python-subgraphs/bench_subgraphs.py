#!/usr/bin/env python3
"""The four subgraphs of the federation benchmark workload (accounts, inventory, products,
reviews) as Federation v2 subgraphs written with graphql-core, one process per subgraph:

    python3 bench_subgraphs.py NAME PORT [BENCH_DIR]

BENCH_DIR (default ../../../shared/bench/guild-federation from this file, or $BENCH_DIR) holds
subgraphs/NAME.graphql, which `_service { sdl }` returns verbatim. The data is that of the
workload's README, so that a gateway's answer equals expected-response.json.

Answers are memoised by the raw request body: a repeated request costs only the HTTP handling,
so that the subgraphs' own speed flatters no gateway. The first request for a body is parsed,
validated and executed by graphql-core. Prints the port on stdout once listening; GET /health
answers 200. HTTP/1.1 with keep-alive.
"""
import json
import os
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from graphql import (
    GraphQLError,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    build_ast_schema,
    graphql_sync,
    parse,
    print_ast,
)

# ---------------------------------------------------------------------------------------------
# Data (the README of the workload; review bodies from its expected response)

USERS = [
    {"id": "1", "name": "Uri Goldshtein", "username": "urigo", "birthday": 1234567890},
    {"id": "2", "name": "Dotan Simha", "username": "dotansimha", "birthday": 1234567890},
    {"id": "3", "name": "Kamil Kisiela", "username": "kamilkisiela", "birthday": 1234567890},
    {"id": "4", "name": "Arda Tanrikulu", "username": "ardatan", "birthday": 1234567890},
    {"id": "5", "name": "Gil Gardosh", "username": "gilgardosh", "birthday": 1234567890},
    {"id": "6", "name": "Laurin Quast", "username": "laurin", "birthday": 1234567890},
]
USERS_BY_ID = {u["id"]: u for u in USERS}

PRODUCTS = [
    {"upc": upc, "name": name, "price": price, "weight": weight}
    for upc, name, price, weight in [
        ("1", "Table", 899, 100), ("2", "Couch", 1299, 1000), ("3", "Glass", 15, 20),
        ("4", "Chair", 499, 100), ("5", "TV", 1299, 1000), ("6", "Lamp", 6999, 300),
        ("7", "Grill", 3999, 2000), ("8", "Fridge", 100000, 6000), ("9", "Sofa", 9999, 800),
    ]
]
PRODUCTS_BY_UPC = {p["upc"]: p for p in PRODUCTS}

IN_STOCK = {"1": True, "2": False, "3": False, "4": False, "5": True, "6": True, "7": True,
            "8": False, "9": True}

_B1 = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt "
       "ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco "
       "laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in "
       "voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat "
       "non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.")
_B2 = ("Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium doloremque "
       "laudantium, totam rem aperiam, eaque ipsa quae ab illo inventore veritatis et quasi architecto "
       "beatae vitae dicta sunt explicabo. Nemo enim ipsam voluptatem quia voluptas sit aspernatur aut "
       "odit aut fugi")
_B3 = ("sed quia consequuntur magni dolores eos qui ratione voluptatem sequi nesciunt. Neque porro "
       "quisquam est, qui dolorem ipsum quia dolor sit amet, consectetur, adipisci velit, sed quia non "
       "numquam eius modi tempora incidunt ut labore et dolore magnam aliquam quaerat voluptatem.")
_B4 = ("Ut enim ad minima veniam, quis nostrum exercitationem ullam corporis suscipit laboriosam, nisi "
       "ut aliquid ex ea commodi consequatur? Quis autem")
_B11 = ("At vero eos et accusamus et iusto odio dignissimos ducimus qui blanditiis praesentium voluptatum "
        "deleniti atque corrupti quos dolores et quas molestias excepturi sint occaecati cupiditate non "
        "provident, similique sunt in culpa qui officia deserunt mollitia animi, id est laborum et dolorum "
        "fuga. Et harum quidem rerum facilis est et expedita distinctio. Nam libero tempore, cum soluta "
        "nobis est eligendi optio cumque nihil impedit quo minus id quod maxime placeat facere possimus, "
        "omnis voluptas assumenda est, omnis dolor repellendus. Temporibus autem quibusdam et aut officiis "
        "debitis aut rerum necessitatibus saepe eveniet ut et voluptates repudiandae sint et molestiae non "
        "recusandae. Itaque earum rerum hic tenetur a sapiente delectus, ut aut reiciendis voluptatibus "
        "maiores alias consequatur aut perferendis doloribus asperiores repellat.")
REVIEW_BODIES = {"1": _B1, "2": _B2, "3": _B3, "4": _B4, "5": _B1, "6": _B2, "7": _B3, "8": _B4,
                 "9": _B4, "10": _B4, "11": _B11}


SCALE = int(os.environ.get("BENCH_SCALE", "1"))


def _review_upc(i):
    return "1" if i <= 4 else "2" if i <= 8 else "3" if i == 9 else "4"


REVIEWS = [{"id": str(i), "body": REVIEW_BODIES[str(i)], "upc": _review_upc(i)} for i in range(1, 12)]
REVIEWS_BY_UPC = {}
for _r in REVIEWS:
    REVIEWS_BY_UPC.setdefault(_r["upc"], []).append(_r)

# ---------------------------------------------------------------------------------------------
# Schema: the original SDL made buildable by graphql-core, plus the subgraph spec's fields

FEDERATION_DEFINITIONS = '''
scalar _Any
scalar FieldSet
scalar link__Import
type _Service { sdl: String }
directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
directive @requires(fields: FieldSet!) on FIELD_DEFINITION
directive @provides(fields: FieldSet!) on FIELD_DEFINITION
directive @external(reason: String) on OBJECT | FIELD_DEFINITION
directive @shareable repeatable on OBJECT | FIELD_DEFINITION
directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @override(from: String!) on FIELD_DEFINITION
directive @link(url: String, as: String, for: String, import: [link__Import]) repeatable on SCHEMA
'''


def build_subgraph_schema(sdl):
    """Type extensions become definitions (graphql-core cannot extend types it has not seen),
    the schema extension (@link) goes, and Query gains _entities and _service."""
    doc = parse(sdl)
    defs, entity_types, query = [], [], None
    for d in doc.definitions:
        if isinstance(d, (SchemaExtensionNode, SchemaDefinitionNode)):
            continue
        if isinstance(d, ObjectTypeExtensionNode):
            d = ObjectTypeDefinitionNode(name=d.name, interfaces=d.interfaces,
                                         directives=d.directives, fields=d.fields)
        if isinstance(d, ObjectTypeDefinitionNode):
            if d.name.value == "Query":
                query = d
                continue
            if any(x.name.value == "key" for x in d.directives or ()):
                entity_types.append(d.name.value)
        defs.append(d)
    text = "\n\n".join(print_ast(d) for d in defs)
    query_fields = ""
    if query is not None and query.fields:
        query_fields = "\n".join("  " + print_ast(f) for f in query.fields)
    extra = FEDERATION_DEFINITIONS
    if entity_types:
        extra += "union _Entity = " + " | ".join(entity_types) + "\n"
        query_fields += "\n  _entities(representations: [_Any!]!): [_Entity]!"
    query_fields += "\n  _service: _Service!"
    text += "\n\ntype Query {\n" + query_fields + "\n}\n" + extra
    return build_ast_schema(parse(text))


def _resolver(schema, type_name, field_name, fn):
    schema.type_map[type_name].fields[field_name].resolve = fn


def make_schema(name, sdl):
    schema = build_subgraph_schema(sdl)
    entity_resolvers = {}

    if name == "accounts":
        _resolver(schema, "Query", "me", lambda _o, _i: USERS[0])
        _resolver(schema, "Query", "user", lambda _o, _i, id: USERS_BY_ID.get(id))
        # BENCH_SCALE=N (scale-bench.py) makes the root lists N times longer (the same objects
        # repeated), so that the gateway's answer is N times the workload's.
        _resolver(schema, "Query", "users", lambda _o, _i: USERS * SCALE)
        entity_resolvers["User"] = lambda rep: USERS_BY_ID.get(rep.get("id"))

    elif name == "products":
        _resolver(schema, "Query", "topProducts", lambda _o, _i, first=5: PRODUCTS[:first] * SCALE)
        entity_resolvers["Product"] = lambda rep: PRODUCTS_BY_UPC.get(rep.get("upc"))

    elif name == "inventory":
        # shippingEstimate is null, as in the original (whose resolver ignores price and weight).
        entity_resolvers["Product"] = lambda rep: {
            "upc": rep.get("upc"), "inStock": IN_STOCK.get(rep.get("upc")), "shippingEstimate": None}

    elif name == "reviews":
        author = {"id": "1", "username": "urigo"}  # Review.author @provides(fields: "username")
        _resolver(schema, "Review", "product", lambda r, _i: {"upc": r["upc"]})
        _resolver(schema, "Review", "author", lambda _r, _i: author)
        _resolver(schema, "Product", "reviews", lambda p, _i: REVIEWS_BY_UPC.get(p["upc"], []))
        _resolver(schema, "User", "reviews", lambda _u, _i: REVIEWS[:2])
        entity_resolvers["Product"] = lambda rep: {"upc": rep["upc"]} if "upc" in rep else None
        entity_resolvers["User"] = lambda rep: {"id": rep["id"], "username": "user"} if "id" in rep else None

    else:
        raise SystemExit(f"unknown subgraph {name!r} (accounts, inventory, products, reviews)")

    def resolve_entities(_obj, _info, representations):
        out = []
        for rep in representations:
            typename = rep.get("__typename") if isinstance(rep, dict) else None
            resolve = entity_resolvers.get(typename)
            if resolve is None:
                out.append(GraphQLError(f"no entity resolver for {typename!r}"))
                continue
            value = resolve(rep)
            if value is not None:
                value = dict(value, __typename=typename)
            out.append(value)
        return out

    if entity_resolvers:
        _resolver(schema, "Query", "_entities", resolve_entities)
        schema.type_map["_Entity"].resolve_type = lambda obj, _info, _type: obj["__typename"]
    service = {"sdl": sdl}
    _resolver(schema, "Query", "_service", lambda _o, _i: service)
    return schema


# ---------------------------------------------------------------------------------------------
# HTTP

MEMO_LIMIT = 10_000


def make_handler(schema):
    memo = {}

    def execute_one(req):
        if not isinstance(req, dict) or not isinstance(req.get("query"), str):
            return {"errors": [{"message": "expected a JSON object with a query string"}]}
        result = graphql_sync(schema, req["query"], variable_values=req.get("variables"),
                              operation_name=req.get("operationName"))
        out = {"data": result.data}
        if result.errors:
            out["errors"] = [e.formatted for e in result.errors]
        return out

    def execute(body):
        try:
            req = json.loads(body)
        except ValueError as e:
            return 400, json.dumps({"errors": [{"message": f"invalid JSON: {e}"}]}).encode()
        result = [execute_one(r) for r in req] if isinstance(req, list) else execute_one(req)
        return 200, json.dumps(result, separators=(",", ":"), ensure_ascii=False).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def _send(self, status, body, content_type="application/json"):
            # One write for headers and body: no Nagle/delayed-ACK stall between them.
            reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 411: "Length Required"}[status]
            head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
            self.wfile.write(head + body)

        def do_GET(self):
            if self.path.split("?", 1)[0] == "/health":
                self._send(200, b'{"status":"ok"}')
            else:
                self._send(404, b'{"errors":[{"message":"not found"}]}')

        def do_POST(self):
            length = self.headers.get("Content-Length")
            if length is None:
                self.close_connection = True
                self._send(411, b'{"errors":[{"message":"Content-Length required"}]}')
                return
            body = self.rfile.read(int(length))
            hit = memo.get(body)
            if hit is None:
                hit = execute(body)
                if len(memo) < MEMO_LIMIT:
                    memo[body] = hit
            self._send(*hit)

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    name, port = sys.argv[1], int(sys.argv[2])
    here = os.path.dirname(os.path.abspath(__file__))
    bench_dir = (sys.argv[3] if len(sys.argv) == 4 else os.environ.get("BENCH_DIR")
                 or os.path.join(here, "..", "..", "..", "shared", "bench", "guild-federation"))
    with open(os.path.join(bench_dir, "subgraphs", f"{name}.graphql"), encoding="utf-8") as f:
        sdl = f.read()
    schema = make_schema(name, sdl)
    server = Server(("127.0.0.1", port), make_handler(schema))
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
