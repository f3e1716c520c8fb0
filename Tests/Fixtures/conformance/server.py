"""The conformance schema (schema.graphql) served by graphql-core, for the differential test.

    python3 server.py PORT               # a Federation v2 subgraph: adds `_service { sdl }`
    python3 server.py PORT --reference   # the plain schema, as a reference GraphQL server

Prints the bound port when ready (PORT 0: the kernel chooses). POST /graphql with a JSON body
{query, variables, operationName}; answers {data, errors} (200) when the operation was executed,
{errors} (400) for request errors (unparseable body or document, validation, operation not
found, variables that do not coerce). Resolvers are deterministic and stateless (mutations
included), so two instances always answer the same thing.
"""
import json
import os
import re
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pin  # noqa: E402

if "graphql" not in sys.modules:
    pin.use(install=False)
import graphql  # noqa: E402
from graphql import (  # noqa: E402
    GraphQLError, build_schema, parse, validate, execute_sync, specified_rules, StringValueNode, get_operation_ast,
)
from graphql.execution.values import get_variable_values  # noqa: E402

try:  # graphql-core 3.3 (graphql-js 17) has it in specified_rules, as graphql-js 16.9+ has
    from graphql.validation import MaxIntrospectionDepthRule
except ImportError:
    MaxIntrospectionDepthRule = None

SCHEMA_SDL = open(os.path.join(HERE, "schema.graphql")).read()
LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@shareable"])\n\n'
SUBGRAPH_SDL = LINK + SCHEMA_SDL
FEDERATION = '''
type _Service { sdl: String }
extend type Query { _service: _Service! }
'''

# ---------------------------------------------------------------- data (never changes)

PEOPLE = {
    "p1": {"__typename": "Person", "id": "p1", "name": "Ada", "born": "1815-12-10T00:00:00Z", "nickname": "Countess",
           "profile": {"langs": ["analytical"], "age": 36, "active": False, "score": 1.5, "nested": {"b": 2, "a": 1}},
           "pets": ["d1", "c1"], "bestFriend": "p2", "favoriteColor": "RED"},
    "p2": {"__typename": "Person", "id": "p2", "name": "Grace", "born": "1906-12-09T00:00:00Z", "nickname": None,
           "profile": ["navy", 1906, None], "pets": ["b1"], "bestFriend": "p3", "favoriteColor": "BLUE"},
    "p3": {"__typename": "Person", "id": "p3", "name": "Alan", "born": None, "nickname": "Prof",
           "profile": "a string profile", "pets": [], "bestFriend": None, "favoriteColor": None},
}
ANIMALS = {
    "d1": {"__typename": "Dog", "id": "d1", "name": "Rex", "legs": 4, "breed": "Collie", "barkVolume": 7,
           "tricks": ["sit", None, "roll"], "friends": ["c1", "b1"], "owner": "p1"},
    "c1": {"__typename": "Cat", "id": "c1", "name": "Tom", "legs": 4, "lives": 9, "indoor": True,
           "friends": ["d1"], "owner": "p1"},
    "b1": {"__typename": "Bird", "id": "b1", "name": "Tweety", "legs": 2, "wingspan": 0.25, "canFly": True,
           "friends": [], "owner": "p2"},
    "d2": {"__typename": "Dog", "id": "d2", "name": "Fido", "legs": 3, "breed": "Mutt", "barkVolume": None,
           "tricks": None, "friends": ["d1", "d2"], "owner": None},
    "c2": {"__typename": "Cat", "id": "c2", "name": "Kit", "legs": 4, "lives": 3, "indoor": None,
           "friends": [], "owner": "p3"},
}
ROBOTS = {
    "r1": {"__typename": "Robot", "id": "r1", "model": "RX-1", "serial": "S-1", "specs": {"arms": 2, "parts": ["a", "b"]}},
    "r2": {"__typename": "Robot", "id": "r2", "model": "RX-2", "serial": None, "specs": [1, 2, 3]},
}
ALL = {**PEOPLE, **ANIMALS, **ROBOTS}
SEARCH = ["p1", "d1", "r1", "c1", "p2", "d2"]
LISTS = {
    "ints": [1, None, 3], "strict": [1, None], "matrix": [[1, 2], [3]], "sparse": [[1, None], None, []],
    "brokenMatrix": [[1], [None]], "colors": ["RED", "BLUE", "GREEN"],
    "jsons": [{"a": 1, "b": [True, None]}, [1, 2], "s", 3.5, None, True, {}], "empty": [],
    "dates": ["2020-01-01T00:00:00Z", "2021-06-30T12:00:00Z"],
}
JSON_OBJECT = {"b": 1, "a": [1, {"z": None, "y": "s"}], "c": "x", "d": {"nested": {"deep": [[]]}}, "e": -0.5}
JSON_LIST = [1, "two", {"three": 3, "four": [4]}, None, False]


def boom(*_a, **_k):
    raise GraphQLError("boom")


def echo_args(_obj, _info, **kw):
    return kw


def new_pet(inp):
    kind = inp.get("kind") or "DOG"
    base = {"__typename": kind.title(), "id": "new-" + inp["name"], "name": inp["name"], "legs": inp.get("legs") or 0,
            "friends": [], "owner": None}
    extra = {"Dog": {"breed": "unknown", "barkVolume": None, "tricks": inp.get("tags")},
             "Cat": {"lives": 9, "indoor": None}, "Bird": {"wingspan": None, "canFly": False}}[base["__typename"]]
    return {**base, **extra}


def sound(obj, _info, loud=False):
    word = {"Dog": "woof", "Cat": "meow", "Bird": None}[obj["__typename"]]
    if obj["__typename"] == "Bird" and loud:
        word = "tweet"
    return word.upper() if (word and loud) else word


def robot_serial(obj, _info):
    if obj["serial"] is None:
        raise GraphQLError("serial unavailable")
    return obj["serial"]


def search(_obj, _info, term="", first=3):
    items = [ALL[i] for i in SEARCH if (term or "").lower() in (ALL[i].get("name") or ALL[i].get("model", "")).lower()]
    return items[:max(first, 0)] if first is not None else items


RESOLVERS = {
    "Query": {
        "hello": lambda o, i, name="world": f"Hello, {name}!",
        "echo": echo_args, "echoPick": echo_args, "echoInts": echo_args, "echoScalars": echo_args, "echoPet": echo_args,
        "echoColor": lambda o, i, **kw: kw.get("color"),
        "echoColors": lambda o, i, **kw: kw.get("colors"),
        "json": lambda o, i: JSON_OBJECT, "jsonList": lambda o, i: JSON_LIST,
        "jsonString": lambda o, i: "just a string", "jsonNumber": lambda o, i: 42.5,
        "now": lambda o, i: "2024-01-02T03:04:05Z",
        "me": lambda o, i: PEOPLE["p1"],
        "person": lambda o, i, id: PEOPLE.get(id),
        "people": lambda o, i, first=2, oldApi=None: list(PEOPLE.values())[:max(first, 0)] if first is not None else list(PEOPLE.values()),
        "animals": lambda o, i, sort="ASC": [ANIMALS[k] for k in sorted(ANIMALS, reverse=(sort == "DESC"))],
        "animal": lambda o, i, id: ANIMALS.get(id),
        "pets": lambda o, i: [ANIMALS["d1"], None, ANIMALS["c1"], ANIMALS["b1"]],
        "search": search,
        "node": lambda o, i, id: ALL.get(id),
        "nodes": lambda o, i, ids: [ALL.get(x) for x in ids],
        "lists": lambda o, i: LISTS,
        "boomNonNull": boom, "boomNullable": boom,
        "oldField": lambda o, i: "old",
        "deprecatedColor": lambda o, i: "BLUE",
        "color": lambda o, i: "GREEN",
    },
    "Mutation": {
        "rename": lambda o, i, id, name: ({**PEOPLE[id], "name": name} if id in PEOPLE else None),
        "addPet": lambda o, i, input: new_pet(input),
        "increment": lambda o, i, by=1, times=1: (by or 0) * times,
        "pick": echo_args,
        "failingMutation": boom,
    },
    "Person": {
        "pets": lambda o, i: [ANIMALS[x] for x in o["pets"]],
        "bestFriend": lambda o, i: PEOPLE.get(o["bestFriend"]) if o["bestFriend"] else None,
        "greeting": lambda o, i, prefix="Hi", punct="!", style=None: f"{prefix}, {o['name']}{punct}",
        "boom": boom,
    },
    "Dog": {"boom": boom}, "Cat": {"boomNullable": boom}, "Bird": {},
    "Robot": {"serial": robot_serial},
}
for t in ("Dog", "Cat", "Bird"):
    RESOLVERS[t]["sound"] = sound
    RESOLVERS[t]["friends"] = lambda o, i: [ANIMALS[x] for x in o["friends"]]
    RESOLVERS[t]["owner"] = lambda o, i: PEOPLE.get(o["owner"]) if o["owner"] else None

# DateTime accepts any value unless CONFORMANCE_STRICT_DATETIME=1: only the subgraph knows a custom
# scalar's rules, so a gateway forwards a bad value and answers the subgraph's refusal as a field
# error where a single server refuses the request — a difference no gateway can remove.
STRICT_DATETIME = os.environ.get("CONFORMANCE_STRICT_DATETIME") == "1"
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def parse_datetime(value):
    if not isinstance(value, str) or not DATETIME.match(value):
        raise GraphQLError(f"DateTime cannot represent value: {value!r}")
    return value


def parse_datetime_literal(node, _variables=None):
    if not isinstance(node, StringValueNode):
        raise GraphQLError("DateTime cannot represent a non-string value")
    return parse_datetime(node.value)


def graphql_js_wording(schema):
    """graphql-core 3.2 words two built-in descriptions differently from graphql-js 16 (the
    reference implementation, and what the gateway follows): use graphql-js's."""
    schema.get_type("__Schema").fields["subscriptionType"].description = (
        "If this server support subscription, the type that subscription operations will be rooted at.")
    one_of = schema.get_directive("oneOf")
    if one_of is not None:
        one_of.description = "Indicates exactly one field must be supplied and this field must not be `null`."


def build(subgraph):
    schema = build_schema(SCHEMA_SDL + (FEDERATION if subgraph else ""))
    graphql_js_wording(schema)
    for tname, fields in RESOLVERS.items():
        t = schema.get_type(tname)
        for fname, fn in fields.items():
            t.fields[fname].resolve = fn
    for name in ("Node", "Named", "Animal", "SearchResult", "Pet"):
        schema.get_type(name).resolve_type = lambda obj, info, typ: obj["__typename"]
    if STRICT_DATETIME:
        dt = schema.get_type("DateTime")
        dt.parse_value = parse_datetime
        dt.parse_literal = parse_datetime_literal
    if subgraph:
        schema.query_type.fields["_service"].resolve = lambda o, i: {"sdl": SUBGRAPH_SDL}
    return schema


class MaxIntrospectionDepth(graphql.ValidationRule):
    """graphql-js 16.9's MaxIntrospectionDepthRule (in its specifiedRules), for graphql-core 3.2,
    which lacks it: `fields`, `interfaces`, `possibleTypes` and `inputFields` nested 3 deep under
    `__schema`/`__type` (through fragments) refuse the document."""

    def enter_field(self, node, *_):
        if node.name.value in ("__schema", "__type") and self.too_deep(node, {}, 0):
            self.report_error(GraphQLError("Maximum introspection depth exceeded", [node]))
            return graphql.language.visitor.SKIP
        return None

    def too_deep(self, node, visited, depth):
        if isinstance(node, graphql.language.FragmentSpreadNode):
            name = node.name.value
            if visited.get(name, -1) >= depth:
                return False
            fragment = self.context.get_fragment(name)
            if not fragment:
                return False
            visited[name] = depth
            return any(self.too_deep(s, visited, depth) for s in fragment.selection_set.selections)
        if isinstance(node, graphql.language.FieldNode) and node.name.value in (
                "fields", "interfaces", "possibleTypes", "inputFields"):
            depth += 1
            if depth >= 3:
                return True
        selection_set = getattr(node, "selection_set", None)
        return bool(selection_set) and any(self.too_deep(s, visited, depth) for s in selection_set.selections)


RULES = list(specified_rules) + ([] if MaxIntrospectionDepthRule in specified_rules else [MaxIntrospectionDepth])


def run(schema, body):
    """(status, response) for one GraphQL-over-HTTP request body."""
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return 400, {"errors": [{"message": "request body must be an object with a string query"}]}
    variables = body.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return 400, {"errors": [{"message": "variables must be an object"}]}
    op_name = body.get("operationName")
    if op_name is not None and not isinstance(op_name, str):
        return 400, {"errors": [{"message": "operationName must be a string"}]}
    try:
        document = parse(body["query"])
    except GraphQLError as e:
        return 400, {"errors": [e.formatted]}
    errors = validate(schema, document, RULES)
    if errors:
        return 400, {"errors": [e.formatted for e in errors]}
    operation = get_operation_ast(document, op_name)
    if operation is None:
        message = f"Unknown operation named '{op_name}'." if op_name else \
            "Must provide operation name if query contains multiple operations."
        return 400, {"errors": [{"message": message}]}
    if schema.get_root_type(operation.operation) is None:
        # graphql-core 3.2 executes this to `data: null`; the spec (and graphql-js 17's
        # KnownOperationTypes rule, in graphql-core 3.3) makes it a request error
        return 400, {"errors": [{"message": f"The schema does not support {operation.operation.value} operations."}]}
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):  # variables that do not coerce
        return 400, {"errors": [e.formatted for e in coerced]}
    result = execute_sync(schema, document, variable_values=variables, operation_name=op_name)
    response = {}
    if result.errors:
        response["errors"] = [e.formatted for e in result.errors]
    response["data"] = result.data
    return 200, response


def serve(port, schema):
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
            if self.path.split("?")[0].rstrip("/") != "/graphql":
                return self._send(404, {"errors": [{"message": "not found"}]})
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                return self._send(400, {"errors": [{"message": "body is not JSON"}]})
            try:
                code, response = run(schema, body)
            except Exception as e:  # a bug here must show, not hang the client
                code, response = 500, {"errors": [{"message": f"server error: {e!r}"}]}
            self._send(code, response)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    # A parent may have blocked SIGTERM (its mask is inherited): take it back, so stopping works.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    serve(int(sys.argv[1]), build(subgraph="--reference" not in sys.argv[2:]))  # graphql.__version__ shows in GET /version
