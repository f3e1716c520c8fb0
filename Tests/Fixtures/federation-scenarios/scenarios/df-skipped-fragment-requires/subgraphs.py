"""Two subgraphs. `label @requires(fields: "kind")` inside a fragment under @skip/@include with a
variable, beside `color` from the same subgraph. The plan fetches `kind` only under the condition
(`...@skip(if:$s){__typename id kind}` in grid's query) but the entity fetch to paint drops the
condition (`{color label}`) and its representation lists `kind`; when the fragment is skipped the
representation has no `kind`, no request is sent to paint, and `color: String!` comes back null:
the cell is nulled with a gateway error. The field-level form (`label @skip(if: $s)`) is right."""

RESOLVERS = {
    "grid": {
        "Query": {"cell": lambda _, a, i: {"__typename": "Cell", "id": "c1", "kind": "land"}},
        "Cell": {"__resolveReference": lambda rep, i: {"id": rep["id"], "kind": "land"}},
    },
    "paint": {
        "Cell": {"__resolveReference": lambda rep, i: {"id": rep["id"], "color": "red", "label": "%s!" % rep.get("kind")}},
    },
}

MONOLITH_SDL = """
type Query { cell: Cell }
type Cell { id: ID! kind: String color: String! label: String }
"""
MONOLITH = {"Query": {"cell": lambda _, a, i: {"id": "c1", "kind": "land", "color": "red", "label": "land!"}}}

TESTS = [
    ("skipped fragment with a @requires field", "query($s: Boolean!) { cell { color ... @skip(if: $s) { label } } }", {"s": True}),
    ("excluded typed fragment with a @requires field", "query($i: Boolean!) { cell { color ... on Cell @include(if: $i) { label } } }", {"i": False}),
    ("included", "query($i: Boolean!) { cell { color ... on Cell @include(if: $i) { label } } }", {"i": True}),
    ("field-level @skip (right today)", "query($s: Boolean!) { cell { color label @skip(if: $s) } }", {"s": True}),
]
