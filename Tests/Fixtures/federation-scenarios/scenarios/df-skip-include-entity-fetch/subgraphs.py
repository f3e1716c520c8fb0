"""A fragment under @skip/@include with a variable, whose fields come from an entity fetch that
also carries unconditional fields of the same entity: the condition is dropped from the subgraph
query. The skipped field is still fetched, so its error reaches the client (extra error) and a
null it returns for a non-null field nulls the entity's unconditional data (wrong data).
The monolith (MONOLITH_SDL served by graphql-core) gives the expected answers."""

REVIEWS = [
    {"id": "r1", "body": "fine", "flagged": None},
    {"id": "r2", "body": None, "flagged": "boom"},   # body: null for a String! ; flagged: raises
]


def flagged(r, a, i):
    if r["flagged"] == "boom":
        raise Exception("flag service down")
    return r["flagged"]


def review(r):
    return {"id": r["id"], "body": r["body"], "flagged": lambda a, i, r=r: flagged(r, a, i)}


RESOLVERS = {
    "catalog": {
        "Query": {"product": lambda _, a, i: {"__typename": "Product", "id": "p1", "name": "Table"}},
        "Product": {"__resolveReference": lambda rep, i: {"id": rep["id"], "name": "Table"}},
    },
    "reviews": {
        "Product": {"__resolveReference": lambda rep, i: {"id": rep["id"], "reviews": [review(r) for r in REVIEWS]}},
    },
}

MONOLITH_SDL = """
type Query { product: Product }
type Product { id: ID! name: String reviews: [Review!]! }
type Review { id: ID! body: String! flagged: String }
"""
MONOLITH = {"Query": {"product": lambda _, a, i: {"id": "p1", "name": "Table", "reviews": [review(r) for r in REVIEWS]}}}

TESTS = [
    ("skipped fragment: its non-null field's null must not null the product",
     "query($s: Boolean!) { product { reviews { id } ... @skip(if: $s) { reviews { body } } } }", {"s": True}),
    ("excluded fragment: its field's error must not be reported",
     "query($i: Boolean!) { product { reviews { id } ... @include(if: $i) { reviews { flagged } } } }", {"i": False}),
    ("excluded fragment inside the entity's selection",
     "query($i: Boolean!) { product { name reviews { id ... @include(if: $i) { flagged } } } }", {"i": False}),
    ("excluded typed fragment beside an unconditional field of the same subgraph",
     "query($i: Boolean!) { product { name ... on Product @include(if: $i) { reviews { body } } reviews { id } } }", {"i": False}),
    ("included: the error is reported",
     "query($i: Boolean!) { product { reviews { id } ... @include(if: $i) { reviews { flagged } } } }", {"i": True}),
]
