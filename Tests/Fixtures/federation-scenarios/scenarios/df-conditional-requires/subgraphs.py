"""A field with @requires under @include/@skip with a variable, beside an unconditional field of the
same entity fetch, where the required field comes from a third subgraph. The planner makes the
fetch of the required field conditional (Include(if: $b) { pricing }), then the entity fetch to
`reviews` (reviewCount, label @include(if: $b)) needs `price` in every representation: when the
condition is false the representation has no `price`, the gateway sends no request to `reviews` at
all, and the unconditional `reviewCount: Int!` comes back null (error, and the product is nulled)."""

RESOLVERS = {
    "catalog": {
        "Query": {"product": lambda _, a, i: {"__typename": "Product", "id": "p1"}},
    },
    "pricing": {
        "Product": {"__resolveReference": lambda rep, i: {"id": rep["id"], "price": 100}},
    },
    "reviews": {
        "Product": {"__resolveReference": lambda rep, i: {
            "id": rep["id"], "reviewCount": 2, "label": "price:%s" % rep.get("price")}},
    },
}

MONOLITH_SDL = """
type Query { product: Product }
type Product { id: ID! price: Int! reviewCount: Int! label: String }
"""
MONOLITH = {"Query": {"product": lambda _, a, i: {"id": "p1", "price": 100, "reviewCount": 2, "label": "price:100"}}}

TESTS = [
    ("@include(if: false) on a @requires field keeps the entity fetch",
     "query($b: Boolean!) { product { reviewCount label @include(if: $b) } }", {"b": False}),
    ("@skip(if: true) on a @requires field keeps the entity fetch",
     "query($b: Boolean!) { product { reviewCount label @skip(if: $b) } }", {"b": True}),
    ("the same in a fragment",
     "query($b: Boolean!) { product { reviewCount ... @include(if: $b) { label } } }", {"b": False}),
    ("condition true",
     "query($b: Boolean!) { product { reviewCount label @include(if: $b) } }", {"b": True}),
]
